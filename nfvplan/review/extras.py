"""The report's optional sections, built from the existing libraries' own Markdown.

`report --compare`, `--whatif` and `--resilience` embed exactly what `nfvplan compare`,
`whatif` and `resilience --format markdown` print for the same files (converted by
`review.markdown`), so a figure in the page is the command's figure; the comparison also gets
bar charts drawn from the same `Comparison`. Each builder solves (that is what the section is
for) and returns a `Section`; none of them prints.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from nfvplan.choices import Level
from nfvplan.errors import InputError
from nfvplan.model import Scenario
from nfvplan.plan import Plan
from nfvplan.review.figures import money, pct
from nfvplan.review.markdown import to_html
from nfvplan.review.page import Section, esc
from nfvplan.solver import SolveOptions
from nfvplan.whatif import Changes

WHATIF_OPTIONS = {
    "--patch": "patches",
    "--set": "sets",
    "--scale-demand": "scale_demand",
    "--fail": "fails",
}
"""The `nfvplan whatif` options `report --whatif` understands, and the `Changes` field of each."""


def parse_whatif(arguments: list[str]) -> Changes:
    """`--fail site:edge-a --set vnfs.amf.replicas=4` (one or more strings) as `Changes`.

    The syntax is `nfvplan whatif`'s (`--opt VALUE` or `--opt=VALUE`, repeatable); anything
    else is an InputError naming the argument and the valid options.
    """
    fields: dict[str, list[str]] = {name: [] for name in WHATIF_OPTIONS.values()}
    tokens = []
    for argument in arguments:
        try:
            tokens += shlex.split(argument)
        except ValueError as error:  # an unbalanced quote
            raise InputError.single("--whatif", f"cannot read {argument!r}: {error}") from None
    valid = ", ".join(WHATIF_OPTIONS)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        name, _, value = token.partition("=")
        if name not in WHATIF_OPTIONS:
            raise InputError.single(
                "--whatif", f"{token!r} is not a what-if change; use {valid} (as nfvplan whatif)"
            )
        if not value:
            if index + 1 >= len(tokens):
                raise InputError.single("--whatif", f"{name} needs a value")
            index += 1
            value = tokens[index]
        fields[WHATIF_OPTIONS[name]].append(value)
        index += 1
    return Changes(
        patches=tuple(Path(p) for p in fields["patches"]),
        sets=tuple(fields["sets"]),
        scale_demand=tuple(fields["scale_demand"]),
        fails=tuple(fields["fails"]),
    )


def _bars(title: str, rows: list[tuple[str, float, str]], top: float) -> str:
    """A horizontal bar chart: one (label, value, text) per row, scaled to `top`."""
    cells = []
    for label, value, text in rows:
        width = 0.0 if top <= 0 else 100 * max(value, 0.0) / top
        cells.append(
            f'<div>{esc(label)}</div><div class="bar"><span class="seg-workload" '
            f'style="width:{width:.3f}%"></span></div><div class="fig">{esc(text)}</div>'
        )
    return f'<div class="chart-title">{esc(title)}</div><div class="chart">{"".join(cells)}</div>'


def compare_section(scenario: Scenario, options: SolveOptions) -> Section:
    """All-VM vs all-container vs mixed: charts, then `nfvplan compare --format markdown`."""
    from nfvplan.compare import compare
    from nfvplan.compare.render import render_markdown

    comparison = compare(scenario, options)
    planned = [(r.variant.label, r.metrics) for r in comparison.results if r.metrics is not None]
    charts = []
    if planned:
        charts.append(
            _bars(
                "monthly cost",
                [(label, m.monthly_cost, money(m.monthly_cost)) for label, m in planned],
                max(m.monthly_cost for _l, m in planned),
            )
        )
        charts.append(
            _bars(
                "servers used",
                [
                    (label, m.servers_used, f"{m.servers_used} ({m.servers_bought} bought)")
                    for label, m in planned
                ],
                max(m.servers_used for _l, m in planned),
            )
        )
        charts.append(
            _bars(
                "CPU used (of the servers used)",
                [(label, m.cpu_utilisation, pct(m.cpu_utilisation)) for label, m in planned],
                1.0,
            )
        )
        charts.append(
            _bars(
                "memory used (of the servers used)",
                [(label, m.memory_utilisation, pct(m.memory_utilisation)) for label, m in planned],
                1.0,
            )
        )
    missing = [r for r in comparison.results if r.metrics is None]
    notes = "".join(
        f'<p class="warn">{esc(r.variant.label)}: no plan ({esc(r.reason or "")})</p>'
        for r in missing
    )
    body = (
        '<p class="muted">The scenario solved three times (same solver options): every VNF as '
        "a VM where it can, as a container where it can, and as written (mixed). Figures as "
        "<code>nfvplan compare --format markdown</code> prints them.</p>"
        + "".join(charts)
        + notes
        + to_html(render_markdown(comparison, scenario))
    )
    return Section("compare", "VM, container or mixed", body)


def whatif_section(
    scenario_path: Path, plan: Plan, plan_file: Path, changes: Changes, options: SolveOptions
) -> Section:
    """The diff of `nfvplan whatif --current PLAN` with these changes, as Markdown prints it.

    The report's plan is the "before" side (the deployment under review), so only the moves
    the change needs are listed. Raises InputError for a bad change, before any solve.
    """
    from nfvplan.whatif.report import format_markdown
    from nfvplan.whatif.run import prepare, run_whatif

    current = plan if plan.status.has_plan else None
    base, changed = prepare(scenario_path, changes, (plan_file, current) if current else None)
    result = run_whatif(base, changed, options, current)
    described = " ".join(
        f"{flag} {shlex.quote(str(value))}"
        for flag, field in WHATIF_OPTIONS.items()
        for value in getattr(changes, field)
    )
    body = (
        f'<p class="muted">Change: <code>{esc(described or "none")}</code>, re-planned from this '
        "plan (as <code>nfvplan whatif --current PLAN --format markdown</code>).</p>"
        + to_html(format_markdown(result.diff))
    )
    return Section("whatif", "What if", body)


def resilience_section(
    scenario: Scenario, plan: Plan, level: Level, time_limit_s: float | None, workers, seed
) -> Section:
    """Every single server or site failure, as `nfvplan resilience --format markdown`."""
    from nfvplan.survive import CheckOptions, check_resilience, format_report

    report = check_resilience(scenario, plan, level, CheckOptions(time_limit_s, workers, seed))
    body = (
        f'<p class="muted">Can the plan survive every single {esc(level.value)} failure without '
        "moving anything else? (as <code>nfvplan resilience --format markdown</code>)</p>"
        + to_html(format_report(report, "markdown"))
    )
    return Section("resilience", f"Resilience ({level.value} failures)", body)
