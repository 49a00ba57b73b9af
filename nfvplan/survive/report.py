"""The resilience report as text: a terminal table, a Markdown table, or JSON for scripts.

Kept out of the CLI so that a notebook or a CI job prints exactly what `nfvplan resilience`
prints. Every format carries the same facts: per failure, the instances hit, the verdict, the
shortfall or blocking rule, the recovery time, and the worst case.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from nfvplan.survive.check import FailureResult, Outcome, ResilienceReport
from nfvplan.survive.failures import Level
from nfvplan.survive.planner import SurvivalResult
from nfvplan.wording import count

FORMATS = ("table", "markdown", "json")


UNSET_BOOT = "boot_seconds unset"
"""The recovery time when the forms restarted have no `boot_seconds` (not "0 s")."""


def _recovery(result: FailureResult) -> str:
    """The recovery time of a failure: `-` when it is not recovered from."""
    if result.outcome is not Outcome.SURVIVABLE:
        return "-"
    return UNSET_BOOT if result.recovery_s is None else f"{result.recovery_s:g} s"


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
            + (f" ({UNSET_BOOT})" if worst.recovery_s is None else f" in {worst.recovery_s:g} s")
        )
    return f"worst case: {worst.failure.label} ({worst.outcome.value})"


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
    lines += ["", _worst_line(report), _verdict_line(report)]
    return "\n".join(lines)


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
                    {"vnf": vnf, "form": form, "server": server} for vnf, form, server in r.replaced
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
