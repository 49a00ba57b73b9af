"""The comparison as a chart: monthly cost, servers and utilisation side by side per variant.

matplotlib is an optional extra, imported only here and only when a chart is asked for; the
object API (Figure + Agg canvas, never pyplot) leaves the calling process's global state alone.
"""

from __future__ import annotations

import importlib.util
import io

from nfvplan.compare.comparison import Comparison

COLOURS = {"vm": "#4c72b0", "container": "#55a868", "nested": "#8172b2", "mixed": "#c44e52"}
UTIL_TOP = 118
"""The utilisation axis ends above 100 %: the band from 100 up is the legend's."""


def _label_bars(axes, bars, values: list[float], ink: str) -> None:
    """Each bar's value: inside its top when the bar is tall enough, else just above it."""
    for bar, value in zip(bars, values, strict=True):
        if value <= 0:
            continue
        x = bar.get_x() + bar.get_width() / 2
        inside = value >= 14
        axes.annotate(
            f"{value:.1f}",
            (x, value),
            xytext=(0, -3 if inside else 2),
            textcoords="offset points",
            ha="center",
            va="top" if inside else "bottom",
            fontsize=7,
            color=ink if inside else "black",
        )


class MissingMatplotlib(RuntimeError):
    """matplotlib is not installed; the message says how to get it."""


INSTALL_HINT = (
    "plotting needs matplotlib, which is not installed: "
    "pip install 'nfvplan[plot]' (or: pip install matplotlib)"
)


def ensure_matplotlib() -> None:
    """MissingMatplotlib unless matplotlib can be imported; checked without importing it, so a
    run that will draw can fail before solving, not after."""
    if importlib.util.find_spec("matplotlib") is None:
        raise MissingMatplotlib(INSTALL_HINT)


def render_chart(comparison: Comparison, fmt: str) -> bytes:
    """The chart of `build_figure` as image bytes in `fmt` (png or svg)."""
    figure = build_figure(comparison)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt)
    return buffer.getvalue()


def build_figure(comparison: Comparison):
    """Three panels (monthly cost, servers used with the bought share, CPU and memory used),
    one bar per variant; a variant without a plan gets a `no plan` mark instead of a bar.
    Returns the matplotlib Figure (tests measure where its legends sit)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError as err:
        raise MissingMatplotlib(INSTALL_HINT) from err

    results = comparison.results
    labels = [r.variant.label for r in results]
    colours = [COLOURS.get(r.variant.key, "#888888") for r in results]
    xs = list(range(len(results)))

    def value(attribute: str) -> list[float]:
        return [0.0 if r.metrics is None else float(getattr(r.metrics, attribute)) for r in results]

    figure = Figure(figsize=(12, 4.5), dpi=110)
    FigureCanvasAgg(figure)
    cost_ax, servers_ax, util_ax = figure.subplots(1, 3)

    costs = value("monthly_cost")
    cost_ax.bar(xs, costs, color=colours)
    cost_ax.set_title("monthly cost")
    cost_ax.set_ylabel("currency per month")
    for x, amount, result in zip(xs, costs, results, strict=True):
        if result.metrics is not None:
            cost_ax.annotate(f"{amount:,.0f}", (x, amount), ha="center", va="bottom", fontsize=8)

    used, bought = value("servers_used"), value("servers_bought")
    servers_ax.bar(xs, used, color=colours)
    bought_xs = [x for x, n in zip(xs, bought, strict=True) if n > 0]
    if bought_xs:
        servers_ax.bar(
            bought_xs,
            [n for n in bought if n > 0],
            color="none",
            edgecolor="black",
            hatch="//",
            label="of which bought",
        )
        servers_ax.legend(fontsize=8, loc="best")
    servers_ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    servers_ax.set_title("servers used")
    servers_ax.set_ylabel("servers")

    width = 0.38
    cpu = [100 * v for v in value("cpu_utilisation")]
    memory = [100 * v for v in value("memory_utilisation")]
    for offset, values, colour, ink, label in (
        (-width / 2, cpu, "#8172b2", "white", "CPU"),
        (width / 2, memory, "#ccb974", "black", "memory"),
    ):
        bars = util_ax.bar([x + offset for x in xs], values, width, color=colour, label=label)
        _label_bars(util_ax, bars, values, ink)
    util_ax.set_title("utilisation of used servers")
    util_ax.set_ylabel("%")
    # Headroom above 100 % holds the legend, so it can never cover a bar (bars stop at 100).
    util_ax.set_ylim(0, UTIL_TOP)
    util_ax.set_yticks([0, 20, 40, 60, 80, 100])
    util_ax.axhline(100, color="#bbbbbb", linewidth=0.8, zorder=0)
    util_ax.legend(fontsize=8, loc="upper center", ncol=2, frameon=False)

    for axes in (cost_ax, servers_ax, util_ax):
        axes.set_xticks(xs)
        axes.set_xticklabels(labels)
        for x, result in zip(xs, results, strict=True):
            if result.metrics is None:
                axes.annotate(
                    f"no plan\n({result.plan.status.value})",
                    (x, 0),
                    xytext=(0, 8),
                    textcoords="offset points",
                    ha="center",
                    fontsize=8,
                    color="#b00000",
                )
    figure.suptitle(f"{comparison.scenario}: all-VM vs all-container vs mixed")
    figure.tight_layout()
    return figure
