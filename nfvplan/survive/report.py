"""The resilience report as text: a terminal table, a Markdown table, or JSON for scripts.

Kept out of the CLI so that a notebook or a CI job prints exactly what `nfvplan resilience`
prints. Every format carries the same facts: per failure, the instances hit, the verdict, the
shortfall or blocking rule, the recovery time, and the worst case; then, per failure, each
restarted instance's host, pull, boot and total seconds against its VNF's budget.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from nfvplan.lifecycle import Restart
from nfvplan.model import Form
from nfvplan.survive.check import FailureResult, Outcome, ResilienceReport
from nfvplan.survive.failures import Level
from nfvplan.survive.planner import SurvivalResult
from nfvplan.wording import count

FORMATS = ("table", "markdown", "json")


UNSET_BOOT = "boot_seconds unset"
"""The recovery time when the forms restarted have no `boot_seconds` (not "0 s")."""


UNREACHABLE = "registry out of reach"
"""The recovery time when a receiving host cannot reach the image registry during the failure."""


def _unknown(result: FailureResult) -> str:
    """Why a survivable failure has no recovery time: a boot time unset, or no registry."""
    if any(r.boot_s is None for r in result.restarts) or not result.restarts:
        return UNSET_BOOT
    return UNREACHABLE


def _recovery(result: FailureResult) -> str:
    """The recovery time of a failure: `-` when it is not recovered from."""
    if result.outcome is not Outcome.SURVIVABLE:
        return "-"
    return _unknown(result) if result.recovery_s is None else f"{result.recovery_s:g} s"


def _worker(restart: Restart) -> str:
    """A nested restart's worker VM: `surviving` (it took the instance in, image cached) or
    `new` (booted and pulled for it); "" for the other forms."""
    if restart.form != Form.NESTED.value:
        return ""
    return "surviving" if restart.received else "new"


def _seconds(value: float | None, unknown: str) -> str:
    return unknown if value is None else f"{value:g} s"


def restart_rows(report: ResilienceReport) -> list[tuple[str, ...]]:
    """recovery: one row per failure and (VNF, form, host) restarted there: the failure, the
    VNF (x n when several), form, host, pull (`-`: nothing to pull), boot, total seconds and
    the VNF's budget."""
    rows = []
    for result in report.results:
        grouped = Counter(result.restarts)
        for restart, n in grouped.items():
            budget = report.budgets.get(restart.vnf)
            rows.append(
                (
                    result.failure.label,
                    restart.vnf + (f" x{n}" if n > 1 else ""),
                    restart.form + (f" ({_worker(restart)} worker)" if _worker(restart) else ""),
                    restart.server,
                    "-" if restart.pull_s == 0 else _seconds(restart.pull_s, "unreachable"),
                    _seconds(restart.boot_s, "unset"),
                    _seconds(restart.total_s, "?"),
                    "-" if budget is None else f"{budget:g} s",
                )
            )
    return rows


RESTART_HEADER = ("failure", "restarts", "form", "on", "pull", "boot", "total", "budget")
RESTART_TITLE = "recovery per restarted instance (pull: its host's image pulls before it boots):"


def detail(result: FailureResult) -> str:
    """One line: where the instances restart, or what is short, or which rule blocks."""
    parts: list[str] = []
    if result.dropped:
        parts.append("lost: " + ", ".join(d.describe() for d in result.dropped))
    if result.outcome is Outcome.SURVIVABLE:
        if result.replaced:
            where = Counter(server for _vnf, _form, server in result.replaced)
            parts.append(
                "restart on "
                + ", ".join(f"{server} ({n})" if n > 1 else server for server, n in where.items())
            )
        else:
            parts.append("nothing to restart")
    elif result.shortfalls:
        parts.append("short: " + "; ".join(s.describe() for s in result.shortfalls))
    elif result.blocking:
        parts.append("blocked: " + " / ".join(result.blocking))
    return "; ".join(parts)


def _verdict(result: FailureResult) -> str:
    return {Outcome.SURVIVABLE: "yes", Outcome.NOT_SURVIVABLE: "NO", Outcome.UNDECIDED: "?"}[
        result.outcome
    ]


def _idle_line(report: ResilienceReport) -> str | None:
    if not report.idle:
        return None
    what = "unused servers" if report.level is Level.SERVER else "sites with nothing of the plan"
    return f"{what} (a failure hits nothing): {', '.join(report.idle)}"


def _worst_line(report: ResilienceReport) -> str:
    worst = report.worst
    if worst is None:
        return "worst case: no failure hits the plan"
    if worst.outcome is Outcome.SURVIVABLE:
        return (
            f"worst case: {worst.failure.label}, {count(len(worst.hit), 'instance')} restarted"
            + (
                f" ({_unknown(worst)})"
                if worst.recovery_s is None
                else f" in {worst.recovery_s:g} s"
            )
            + _slowest(worst)
        )
    return f"worst case: {worst.failure.label} ({worst.outcome.value})"


def _slowest(result: FailureResult) -> str:
    """`; slowest: VNF (form) on HOST, P s pull + B s boot` when pulls are part of it."""
    timed = [r for r in result.restarts if r.total_s is not None]
    if not timed:
        return ""
    last = max(timed, key=lambda r: r.total_s or 0.0)
    if not last.pull_s:
        return ""
    return (
        f"; slowest: {last.vnf} ({last.form}) on {last.server}, "
        f"{last.pull_s:g} s pull + {last.boot_s:g} s boot"
    )


def _verdict_line(report: ResilienceReport) -> str:
    total = len(report.results)
    bad = report.count(Outcome.NOT_SURVIVABLE)
    unknown = report.count(Outcome.UNDECIDED)
    if report.survivable:
        return f"every single {report.level.value} failure is survivable ({total} checked)"
    parts = []
    if bad:
        parts.append(f"{bad} of {total} not survivable")
    if unknown:
        parts.append(f"{unknown} of {total} undecided within the time limit")
    return f"single {report.level.value} failures: " + ", ".join(parts)


def format_table(report: ResilienceReport) -> str:
    """The terminal view."""
    rows = [
        (r.failure.label, str(len(r.hit)), _verdict(r), _recovery(r), detail(r))
        for r in report.results
    ]
    header = ("failure", "hit", "survivable", "recovery", "detail")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    lines = [
        f"scenario: {report.scenario}   level: {report.level.value}",
        "",
    ]
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1])]
        cells += [row[2].ljust(widths[2]), row[3].rjust(widths[3]), row[4]]
        lines.append("  ".join(cells).rstrip())
    idle = _idle_line(report)
    if idle:
        lines.append(idle)
    restarts = restart_rows(report)
    if restarts:
        lines += ["", RESTART_TITLE, *_aligned([RESTART_HEADER, *restarts], right=(4, 5, 6, 7))]
    lines += ["", _worst_line(report), _verdict_line(report)]
    return "\n".join(lines)


def _aligned(rows: list[tuple[str, ...]], right: tuple[int, ...]) -> list[str]:
    """Rows as padded columns, the `right` ones right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]


def format_markdown(report: ResilienceReport) -> str:
    """A Markdown table for a review or a wiki page."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [
        f"Resilience of `{report.scenario}` against every single {report.level.value} failure",
        "",
        "| failure | instances hit | survivable | recovery | detail |",
        "| --- | ---: | --- | ---: | --- |",
    ]
    for r in report.results:
        lines.append(
            f"| {cell(r.failure.label)} | {len(r.hit)} | {_verdict(r)} | "
            f"{_recovery(r)} | {cell(detail(r))} |"
        )
    idle = _idle_line(report)
    lines.append("")
    if idle:
        lines += [idle, ""]
    restarts = restart_rows(report)
    if restarts:
        lines += [
            RESTART_TITLE,
            "",
            "| " + " | ".join(RESTART_HEADER) + " |",
            "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |",
            *("| " + " | ".join(cell(c) for c in row) + " |" for row in restarts),
            "",
        ]
    lines += [f"**{_worst_line(report)}**", "", _verdict_line(report)]
    return "\n".join(lines)


def report_dict(report: ResilienceReport) -> dict[str, Any]:
    """The report as plain data (the JSON format)."""
    worst = report.worst
    return {
        "scenario": report.scenario,
        "level": report.level.value,
        "survivable": report.survivable,
        "exit_code": report.exit_code,
        "failures": [
            {
                "failure": r.failure.label,
                "servers": sorted(r.failure.servers),
                "hit": [p.instance for p in r.hit],
                "outcome": r.outcome.value,
                "recovery_s": r.recovery_s,
                "restarted": [
                    {
                        "vnf": t.vnf,
                        "form": t.form,
                        "server": t.server,
                        "pull_s": t.pull_s,
                        "boot_s": t.boot_s,
                        "total_s": t.total_s,
                        "budget_s": report.budgets.get(t.vnf),
                    }
                    | ({"worker": _worker(t)} if _worker(t) else {})
                    for t in r.restarts
                ],
                "dropped_demands": [
                    {"service": d.service, "demand": d.index, "gbps": d.gbps} for d in r.dropped
                ],
                "shortfalls": [
                    {
                        "vnfs": list(s.vnfs),
                        "resource": s.resource,
                        "needed": s.needed,
                        "free": s.free,
                    }
                    for s in r.shortfalls
                ],
                "blocking": list(r.blocking),
            }
            for r in report.results
        ],
        "idle": list(report.idle),
        "worst": None if worst is None else worst.failure.label,
    }


def format_json(report: ResilienceReport) -> str:
    """Stable JSON for scripts."""
    return json.dumps(report_dict(report), indent=2)


def format_report(report: ResilienceReport, fmt: str) -> str:
    """`report` in one of `FORMATS`."""
    return {"table": format_table, "markdown": format_markdown, "json": format_json}[fmt](report)


def format_survival(result: SurvivalResult) -> str:
    """What `solve --survive` adds to the summary: the proof, the cost against the plain plan."""
    level = result.level.value
    plain = result.plain
    lines = []
    if result.report is None:
        lines.append(f"survival: no plan survives every single {level} failure")
    elif result.proven:
        lines.append(
            f"survival: every single {level} failure is survivable (proven by the resilience "
            f"check: {count(len(result.report.results), 'failure')}; "
            f"{count(result.rounds, 're-plan round')})"
        )
    else:
        lines.append(
            f"survival: NOT proven: {_verdict_line(result.report)} (nfvplan resilience shows why)"
        )
    if plain.status.has_plan:
        base = f"plain plan: {plain.summary.monthly_cost:,.2f}/month, {plain.status.value}"
        if result.extra_cost is None:
            lines.append(f"{base}; no survivable plan to compare it with")
        else:
            lines.append(f"{result.cost_line()} ({base})")
    if result.report is not None:
        lines.append(_worst_line(result.report))
    return "\n".join(lines)
