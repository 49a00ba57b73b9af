"""What `nfvplan topology list|show|import` computes and prints, kept free of Typer.

The CLI only parses arguments, calls these functions and prints their text, so a notebook or a
report generator can list, describe or draw a topology exactly as the terminal does. Every
problem with an input file is an `InputError` (file, line, field), which the CLI turns into exit
code 2; every file this module writes is written atomically (temp file, fsync, rename), so an
interrupted import or plot never leaves half a file where a good one was.

matplotlib and topohub are optional extras: each is imported only inside the function that needs
it, and its absence is a clear `MissingExtraError`, not an ImportError traceback.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import nfvplan
from nfvplan.errors import InputError
from nfvplan.io import Topology, load_topology

if TYPE_CHECKING:
    import networkx as nx

    from nfvplan.plan import Plan
from nfvplan.io.output import write_output
from nfvplan.io.topology import parse_topology

TOPOLOGY_SUFFIXES = (".yaml", ".yml")
"""File name endings `list` picks up and `show NAME` tries."""

PLOT_FORMATS = ("png", "svg")
"""Image formats `show --plot` writes, chosen by the file's suffix."""

KIND_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
"""Matplotlib's tab10 palette: node colours by site kind, in sorted kind order."""

NO_KIND = "(no kind)"
"""How a site without a `kind` is labelled in tables and legends."""


class MissingExtraError(RuntimeError):
    """An optional dependency (matplotlib, topohub) is not installed; the message says how."""


# ---------------------------------------------------------------------------------------------
# Finding and listing topology files


def default_topology_dir(cwd: Path | None = None) -> Path:
    """The `topologies/` folder to use when none is given.

    The one under the current directory comes first (running from a checkout, or from a project
    that keeps its own networks); otherwise the one beside the installed package, which is the
    repository's own for an editable install. The second may not exist: callers report that.
    """
    here = (cwd or Path.cwd()) / "topologies"
    if here.is_dir():
        return here
    return Path(nfvplan.__file__).resolve().parent.parent / "topologies"


def topology_files(directory: Path) -> list[Path]:
    """The topology files in `directory`, sorted by name; InputError if it is not a folder."""
    if not directory.is_dir():
        reason = "does not exist" if not directory.exists() else "is not a directory"
        raise InputError.single(str(directory), f"topology directory {reason}")
    return sorted(p for p in directory.iterdir() if p.suffix in TOPOLOGY_SUFFIXES and p.is_file())


@dataclass(frozen=True)
class TopologyEntry:
    """One line of `topology list`."""

    path: Path
    name: str
    sites: int
    links: int
    total_gbps: float
    description: str


def summarise(topology: Topology, path: Path) -> TopologyEntry:
    """The headline figures of one topology."""
    return TopologyEntry(
        path=path,
        name=topology.name,
        sites=len(topology.sites),
        links=len(topology.links),
        total_gbps=sum(link.gbps for link in topology.links),
        description=topology.description,
    )


def list_topologies(directory: Path) -> tuple[list[TopologyEntry], list[InputError]]:
    """Every topology file in `directory`, and the errors of the files that do not load.

    A broken file does not hide the good ones: the caller prints what loaded, then the errors,
    and exits 2 if there were any.
    """
    entries: list[TopologyEntry] = []
    errors: list[InputError] = []
    for path in topology_files(directory):
        try:
            entries.append(summarise(load_topology(path, regular_only=True), path))
        except InputError as error:
            errors.append(error)
    return entries, errors


def resolve_topology(name_or_path: str, directory: Path) -> Path:
    """The file `name_or_path` means: an existing path, else `directory/NAME.yaml` (or .yml).

    Raises InputError naming the known topologies when neither exists, so a typo is one look
    away from its fix.
    """
    given = Path(name_or_path)
    if given.exists():
        return given
    if given.name == name_or_path and not given.suffix:
        for suffix in TOPOLOGY_SUFFIXES:
            candidate = directory / f"{name_or_path}{suffix}"
            if candidate.is_file():
                return candidate
    known = [p.stem for p in topology_files(directory)] if directory.is_dir() else []
    hint = f"; known in {directory}: {', '.join(known)}" if known else f" (looked in {directory})"
    raise InputError.single(name_or_path, f"no such topology file or name{hint}")


def format_number(value: float) -> str:
    """A figure without a needless `.0`: 100 rather than 100.0, 2.5 as 2.5."""
    return f"{value:g}" if abs(value) < 1e15 else f"{value:.3e}"


def format_list(entries: Sequence[TopologyEntry]) -> str:
    """`topology list` as a table: one line per file, then nothing else."""
    rows = [
        (
            e.name,
            str(e.sites),
            str(e.links),
            f"{format_number(e.total_gbps)} Gbps",
            " ".join(e.description.split()),  # a folded YAML string must not break the line
        )
        for e in entries
    ]
    return _table(("name", "sites", "links", "capacity", "description"), rows, right=(1, 2, 3))


# ---------------------------------------------------------------------------------------------
# Describing one topology


@dataclass(frozen=True)
class SiteView:
    """A site as `topology show` lists it."""

    name: str
    kind: str | None
    degree: int
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class LinkView:
    """A link as `topology show` lists it."""

    a: str
    b: str
    gbps: float
    length_km: float | None
    latency_ms: float


@dataclass(frozen=True)
class TopologyView:
    """Everything `topology show` prints about a topology.

    `diameter_ms` is the largest shortest-path latency between two connected sites (the worst
    one-way transport delay a chain endpoint can see), with the pair in `diameter_ends`; with
    more than one component it is the largest within any component, and `components` says so.
    """

    name: str
    description: str
    source: str
    capacity_note: str
    path: str | None
    sites: list[SiteView]
    links: list[LinkView]
    total_gbps: float
    diameter_ms: float
    diameter_ends: tuple[str, str] | None
    components: int


def topology_graph(topology: Topology) -> nx.Graph:
    """Sites as nodes (with kind and coordinates), links as edges (gbps, latency_ms)."""
    import networkx as nx  # only here: `nfvplan --help` must not pay for networkx

    graph = nx.Graph()
    for name, site in topology.sites.items():
        graph.add_node(name, kind=site.kind, lat=site.lat, lon=site.lon)
    for link in topology.links:
        graph.add_edge(link.a, link.b, gbps=link.gbps, latency_ms=link.latency_ms)
    return graph


def diameter(graph: nx.Graph) -> tuple[float, tuple[str, str] | None]:
    """The largest shortest-path latency between connected sites, and its two ends.

    Ties go to the pair found first in site order, so the output is stable across runs.
    """
    best, ends = 0.0, None
    order = {name: i for i, name in enumerate(graph.nodes)}
    import networkx as nx

    for source, lengths in nx.all_pairs_dijkstra_path_length(graph, weight="latency_ms"):
        for target, latency in lengths.items():
            if order[target] <= order[source]:
                continue
            if latency > best + 1e-12:
                best, ends = latency, (source, target)
    return best, ends


def view_topology(topology: Topology) -> TopologyView:
    """Sites with kind and degree, links with figures, total capacity and diameter."""
    import networkx as nx

    graph = topology_graph(topology)
    span, ends = diameter(graph)
    return TopologyView(
        name=topology.name,
        description=topology.description,
        source=topology.source,
        capacity_note=topology.capacity_note,
        path=topology.path,
        sites=[
            SiteView(name, site.kind, graph.degree(name), site.lat, site.lon)
            for name, site in topology.sites.items()
        ],
        links=[
            LinkView(link.a, link.b, link.gbps, link.length_km, link.latency_ms)
            for link in topology.links
        ],
        total_gbps=sum(link.gbps for link in topology.links),
        diameter_ms=span,
        diameter_ends=ends,
        components=nx.number_connected_components(graph) if graph.number_of_nodes() else 0,
    )


def format_view(view: TopologyView) -> str:
    """`topology show` as text: header, sites table, links table, diameter."""
    lines = [f"{view.name}: {view.description}" if view.description else view.name]
    if view.path:
        lines.append(f"file: {view.path}")
    if view.source:
        lines.append(f"source: {view.source}")
    if view.capacity_note:
        lines.append(f"capacities: {view.capacity_note}")
    lines.append(
        f"{len(view.sites)} sites, {len(view.links)} links, "
        f"{format_number(view.total_gbps)} Gbps total"
    )
    lines.append("")
    lines.append(
        _table(
            ("site", "kind", "degree", "lat", "lon"),
            [
                (
                    s.name,
                    s.kind or NO_KIND,
                    str(s.degree),
                    _maybe(s.lat, "{:g}"),
                    _maybe(s.lon, "{:g}"),
                )
                for s in view.sites
            ],
            right=(2, 3, 4),
        )
    )
    lines.append("")
    if view.links:
        lines.append(
            _table(
                ("link", "Gbps", "length km", "latency ms"),
                [
                    (
                        f"{link.a} - {link.b}",
                        format_number(link.gbps),
                        _maybe(link.length_km, "{:.1f}"),
                        f"{link.latency_ms:.3f}",
                    )
                    for link in view.links
                ],
                right=(1, 2, 3),
            )
        )
    else:
        lines.append("no links")
    lines.append("")
    lines.append(_diameter_line(view))
    return "\n".join(lines)


def _diameter_line(view: TopologyView) -> str:
    if view.diameter_ends is None:
        text = "diameter: 0 ms (no two connected sites)"
    else:
        a, b = view.diameter_ends
        text = f"diameter: {view.diameter_ms:.3f} ms ({a} - {b}, fastest path)"
    if view.components > 1:
        text += (
            f"; the network is disconnected ({view.components} components): "
            "the diameter is the largest within one component"
        )
    return text


def _maybe(value: float | None, pattern: str) -> str:
    return "-" if value is None else pattern.format(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """Fixed-width columns separated by two spaces; `right` columns are right-aligned."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ).rstrip()

    return "\n".join([line(headers), *(line(row) for row in rows)])


# ---------------------------------------------------------------------------------------------
# Drawing


def plot_format(output: Path) -> str:
    """The image format of `output` from its suffix; InputError for anything but png/svg."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in PLOT_FORMATS:
        raise InputError.single(
            str(output),
            f"cannot tell the image format from {output.suffix or 'a name without suffix'!r}; "
            "use a .png or .svg file",
        )
    return fmt


def layout(topology: Topology) -> tuple[dict[str, tuple[float, float]], bool]:
    """Positions for drawing, and whether they are geographic (lon, lat).

    Sites with coordinates keep them; when no site has any, a seeded spring layout is used, and
    when only some do, the others are placed by a spring layout around the fixed ones. Seeded so
    that the same file always gives the same picture.
    """
    import networkx as nx

    graph = topology_graph(topology)
    known = {
        name: (site.lon, site.lat)
        for name, site in topology.sites.items()
        if site.lat is not None and site.lon is not None
    }
    if known and len(known) == len(topology.sites):
        return {name: (float(x), float(y)) for name, (x, y) in known.items()}, True
    if not known:
        positions = nx.spring_layout(graph, seed=1, weight=None)
        return {n: (float(p[0]), float(p[1])) for n, p in positions.items()}, False
    xs = [x for x, _y in known.values()]
    ys = [y for _x, y in known.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    positions = nx.spring_layout(
        graph,
        pos=dict(known),
        fixed=list(known),
        k=span / math.sqrt(max(graph.number_of_nodes(), 1)),
        seed=1,
        weight=None,
    )
    return {n: (float(p[0]), float(p[1])) for n, p in positions.items()}, True


def _matplotlib() -> None:
    """Fail early and clearly when the optional plotting extra is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as err:
        raise MissingExtraError(
            "plotting needs matplotlib, which is not installed: "
            "pip install 'nfvplan[plot]' (or: pip install matplotlib)"
        ) from err


LEGEND_COLUMN = 0.17
"""Share of the figure's width, at its right, kept for the legends."""


def check_plan_sites(topology: Topology, plan: Plan, plan_file: str) -> None:
    """InputError unless every site and link the plan uses is in `topology` (a plan made on
    another network would be drawn at the wrong places, or not at all)."""
    sites = set(topology.sites)
    missing = sorted(
        {server.site for server in plan.servers if server.site not in sites}
        | {end for link in plan.links for end in (link.a, link.b) if end not in sites}
    )
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise InputError.single(
            plan_file,
            f"the plan uses sites that topology {topology.name!r} does not have: {shown}; "
            "give the topology the plan's scenario is built on",
        )


PlanMarks = dict[str, tuple[int, int]]
"""Per site: servers used and instances placed there."""


def plan_marks(plan: Plan) -> PlanMarks:
    """Servers used and instances placed per site of `plan`."""
    site_of = {server.id: server.site for server in plan.servers}
    marks: dict[str, list[int]] = {}
    for server in plan.servers:
        marks.setdefault(server.site, [0, 0])[0] += 1
    for placement in plan.placements:
        site = site_of.get(placement.server)
        if site is not None:
            marks.setdefault(site, [0, 0])[1] += 1
    return {site: (n[0], n[1]) for site, n in marks.items()}


def runs_over(point, a, b, tolerance: float) -> bool:
    """True when the segment a-b passes within `tolerance` of `point` away from its ends (a
    site right beside an end is not run over: its own links leave from there)."""
    (px, py), (ax, ay), (bx, by) = point, a, b
    vx, vy = bx - ax, by - ay
    length = vx * vx + vy * vy
    if length == 0:
        return False
    t = ((px - ax) * vx + (py - ay) * vy) / length
    if not 0.08 < t < 0.92:
        return False
    return math.hypot(px - (ax + t * vx), py - (ay + t * vy)) < tolerance


def link_curve(a, b, others, span: float) -> list[tuple[float, float]]:
    """Control points of a link: straight (a, b), or a quadratic arc (a, c, b) when the straight
    line would run over a third site and hide, or be hidden by, the links that site has."""
    if not any(runs_over(p, a, b, 0.012 * span) for p in others):
        return [a, b]
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    norm = math.hypot(dx, dy) or 1.0
    bend = 0.22 * norm
    return [a, ((ax + bx) / 2 - dy / norm * bend, (ay + by) / 2 + dx / norm * bend), b]


LABEL_OFFSETS = (
    (5, 5, "left", "bottom"),
    (5, -5, "left", "top"),
    (-5, 5, "right", "bottom"),
    (-5, -5, "right", "top"),
)
"""Where a site label may sit (points from the site, alignment), in order of preference."""


def _spread_labels(figure, labels) -> None:
    """Move each site label to the first offset where it covers no earlier label."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    placed = []
    for label in labels:
        for dx, dy, ha, va in LABEL_OFFSETS:
            label.set_position((dx, dy))
            label.set_ha(ha)
            label.set_va(va)
            box = label.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in placed):
                break
        else:
            dx, dy, ha, va = LABEL_OFFSETS[0]
            label.set_position((dx, dy))
            label.set_ha(ha)
            label.set_va(va)
        placed.append(label.get_window_extent(renderer))


def _fit_labels(figure, axes, texts) -> None:
    """Widen the axes' limits until every label lies inside them (nothing clipped)."""
    for _ in range(3):
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        inverse = axes.transData.inverted()
        (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
        grown = False
        for text in texts:
            (tx0, ty0), (tx1, ty1) = inverse.transform(text.get_window_extent(renderer))
            pad_x, pad_y = 0.01 * (x1 - x0), 0.01 * (y1 - y0)
            if tx0 < x0 or tx1 > x1 or ty0 < y0 or ty1 > y1:
                x0, x1 = min(x0, tx0 - pad_x), max(x1, tx1 + pad_x)
                y0, y1 = min(y0, ty0 - pad_y), max(y1, ty1 + pad_y)
                grown = True
        if not grown:
            return
        axes.set_xlim(x0, x1)
        axes.set_ylim(y0, y1)


def render_plot(topology: Topology, fmt: str, plan: Plan | None = None) -> bytes:
    """The drawing of `build_plot` as image bytes in `fmt` (png or svg)."""
    figure = build_plot(topology, plan)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt)
    return buffer.getvalue()


def build_plot(topology: Topology, plan: Plan | None = None):
    """The matplotlib Figure of `topology`, with `plan` on it when given.

    Uses matplotlib's object API (Figure + Agg canvas), never pyplot, so nothing global (backend,
    current figure) changes in the calling process. Edge width grows with capacity, node colour
    follows the site kind; geographic layouts are drawn with the aspect of the mean latitude so
    that a country keeps its shape. A link that would run over a third site is drawn as an arc,
    so overlapping links stay visible; labels never leave the axes and legends sit outside them.
    With a plan, links are coloured by load (the report's bands), loaded links say their share,
    and each site's disc grows with the servers used there, labelled with servers and instances.
    """
    _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    from nfvplan.review.netmap import LOAD_BANDS, load_colour

    positions, geographic = layout(topology)
    xs = [x for x, _y in positions.values()] or [0.0]
    ys = [y for _x, y in positions.values()] or [0.0]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    # The figure takes the map's own shape (a wide country gets a wide picture).
    stretch = math.cos(math.radians(sum(ys) / len(ys))) if geographic else 1.0
    shape = (max(ys) - min(ys)) / max((max(xs) - min(xs)) * max(stretch, 0.1), 1e-9)
    figure = Figure(figsize=(11, min(max(9 * shape + 1.2, 4.5), 9.5)), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)

    loads = {}
    if plan is not None:
        loads = {frozenset((link.a, link.b)): link for link in plan.links}
    top = max((link.gbps for link in topology.links), default=1.0)
    texts = []
    for link in topology.links:
        a, b = positions[link.a], positions[link.b]
        others = [p for n, p in positions.items() if n not in (link.a, link.b)]
        points = link_curve(a, b, others, span)
        load = loads.get(frozenset((link.a, link.b)))
        share = load.utilisation if load is not None else 0.0
        colour = "#8a8a8a" if plan is None else load_colour(share)
        codes = (
            [MplPath.MOVETO, MplPath.LINETO]
            if len(points) == 2
            else [
                MplPath.MOVETO,
                MplPath.CURVE3,
                MplPath.CURVE3,
            ]
        )
        axes.add_patch(
            PathPatch(
                MplPath(points, codes),
                facecolor="none",
                edgecolor=colour,
                linewidth=0.6 + 4.4 * link.gbps / top,
                alpha=0.9,
                zorder=1,
                capstyle="round",
            )
        )
        if plan is not None and share > 0:
            mid = points[1] if len(points) == 3 else ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
            if len(points) == 3:  # the arc's midpoint lies halfway to its control point
                mid = ((a[0] + b[0]) / 4 + mid[0] / 2, (a[1] + b[1]) / 4 + mid[1] / 2)
            texts.append(
                axes.text(
                    mid[0],
                    mid[1],
                    f"{100 * share:.0f}%",
                    fontsize=7,
                    ha="center",
                    va="center",
                    zorder=3,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": colour, "lw": 0.6},
                )
            )

    marks = plan_marks(plan) if plan is not None else {}
    kinds = sorted({site.kind or NO_KIND for site in topology.sites.values()})
    for index, kind in enumerate(kinds):
        names = [n for n, s in topology.sites.items() if (s.kind or NO_KIND) == kind]
        colour = KIND_COLOURS[index % len(KIND_COLOURS)]
        sizes = [60 + 120 * math.sqrt(marks[n][0]) if n in marks else 60 for n in names]
        faces = [colour if plan is None or marks.get(n) else "white" for n in names]
        axes.scatter(
            [positions[n][0] for n in names],
            [positions[n][1] for n in names],
            s=sizes,
            c=faces,
            edgecolors=colour if plan is not None else "black",
            linewidths=1.2 if plan is not None else 0.5,
            zorder=2,
            label=kind,
        )
    small = 7 if len(topology.sites) > 30 else 8
    site_labels = []
    for name, (x, y) in positions.items():
        label = name
        if name in marks:
            servers, instances = marks[name]
            label = f"{name}\n{servers} srv · {instances} inst"
        site_labels.append(
            axes.annotate(
                label,
                (x, y),
                xytext=(5, 5),
                textcoords="offset points",
                fontsize=small,
                zorder=4,
                annotation_clip=False,
            )
        )

    if geographic:
        mean_lat = sum(ys) / len(ys) if ys else 0.0
        axes.set_aspect(1 / max(math.cos(math.radians(mean_lat)), 0.1))
        axes.set_xlabel("longitude")
        axes.set_ylabel("latitude")
    else:
        axes.set_axis_off()
    axes.autoscale_view()
    axes.margins(0.06)
    kind_handles = [
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=8,
            markerfacecolor=KIND_COLOURS[i % len(KIND_COLOURS)],
            markeredgecolor="black",
            markeredgewidth=0.5,
        )
        for i, _kind in enumerate(kinds)
    ]
    if plan is not None:
        kind_handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                markersize=8,
                markerfacecolor="white",
                markeredgecolor="#555555",
            )
        )
    # Legends live in a column right of the map (LEGEND_COLUMN), so they never cover a site.
    figure.legend(
        kind_handles,
        [*kinds, "hollow: no server used"] if plan is not None else kinds,
        title="site kind",
        loc="upper left",
        bbox_to_anchor=(1 - LEGEND_COLUMN + 0.01, 0.93),
        fontsize=8,
    )
    if plan is not None:
        handles = [Line2D([], [], color=colour, linewidth=3) for _b, colour, _t in LOAD_BANDS]
        figure.legend(
            handles,
            [text for _b, _c, text in LOAD_BANDS],
            title="link load",
            loc="upper left",
            bbox_to_anchor=(1 - LEGEND_COLUMN + 0.01, 0.62),
            fontsize=8,
        )
        used = sum(n for n, _i in marks.values())
        placed = sum(i for _n, i in marks.values())
        title = (
            f"{topology.name} with the plan of {plan.scenario}: {used} servers, {placed} "
            "instances (disc: servers used; line width: Gbps; colour: load)"
        )
    else:
        title = (
            f"{topology.name}: {len(topology.sites)} sites, {len(topology.links)} links "
            f"(line width: Gbps, widest {format_number(top)})"
        )
    axes.set_title(title, fontsize=10)
    figure.tight_layout(rect=(0, 0, 1 - LEGEND_COLUMN, 1))
    _spread_labels(figure, site_labels)
    for _ in range(2):  # the labels widen the limits, the layout then resizes the box
        _fit_labels(figure, axes, [*texts, *site_labels])
        figure.tight_layout(rect=(0, 0, 1 - LEGEND_COLUMN, 1))
    return figure


def plot_topology(topology: Topology, output: Path, plan: Plan | None = None) -> None:
    """Draw `topology` (with `plan` on it, if given) into `output` (.png or .svg), atomically.

    Raises InputError for an unknown suffix or an unwritable path, MissingExtraError without
    matplotlib. The format is checked before the (slow) drawing starts.
    """
    fmt = plot_format(output)
    write_atomic(output, render_plot(topology, fmt, plan))


# ---------------------------------------------------------------------------------------------
# Importing from topohub


def import_text(network: str, *, gbps: float, kind: str) -> str:
    """The topology file text for topohub network `network`, validated by our own loader.

    Raises ValueError (unknown name, pixel coordinates, bad gbps or kind, with the importer's
    message) and MissingExtraError without topohub. The rendered text is parsed back before
    anything is written, so `import` can never leave a file that `show` would refuse.
    """
    from nfvplan.topohub_import import import_topohub, render_topology

    try:
        doc = import_topohub(network, gbps=gbps, kind=kind)
    except ImportError as err:
        raise MissingExtraError(str(err)) from err
    header = f"Imported with: nfvplan topology import {network} --gbps {format_number(gbps)}"
    if kind != "core":
        header += f" --kind {kind}"
    text = render_topology(doc, header=header)
    parse_topology(text, f"<import of {network}>")
    return text


def import_network(network: str, output: Path, *, gbps: float, kind: str) -> TopologyEntry:
    """Import `network` into `output` atomically and return its headline figures."""
    text = import_text(network, gbps=gbps, kind=kind)
    write_atomic(output, text.encode("utf-8"))
    return summarise(parse_topology(text, str(output)), output)


# ---------------------------------------------------------------------------------------------
# Writing


def write_atomic(target: Path, content: bytes) -> None:
    """Write `content` to `target` atomically; OS errors become an InputError naming the path."""
    try:
        write_output(target, content)
    except OSError as exc:
        raise InputError.single(str(target), f"cannot write: {exc.strerror or exc}") from None
