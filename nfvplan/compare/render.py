"""A comparison as text: an aligned table, a Markdown table, JSON or CSV.

The table and Markdown put the variants in columns (so the figures line up for reading across)
and fit 100 columns; JSON and CSV have one record per variant with the same field names
(`record`), for scripts and spreadsheets. docs/compare.md describes every field.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Callable
from typing import Any

from nfvplan.compare.comparison import Comparison, VariantResult, gap_text, verdict
from nfvplan.compare.metrics import Metrics, describe_forms
from nfvplan.model import Scenario
from nfvplan.plan import Status
from nfvplan.wording import count, money, pct

FORMATS = ("table", "markdown", "json", "csv")
WIDTH = 100
LABEL_WIDTH = 26
CELL_WIDTH = 22
GUTTER = 2
REASON_CHARS = 110
"""A reason longer than this is cut at a word boundary in Markdown, and one longer than four
cell lines in the table (JSON and CSV carry it whole): it is the first reason of the plan's
explanation, which `nfvplan solve` and the plan file show in full."""
TABLE_REASON_LINES = 4

DECIMALS = 6


def render(comparison: Comparison, scenario: Scenario, fmt: str) -> str:
    """The comparison in `fmt` (one of FORMATS), ending with a newline."""
    if fmt == "json":
        return render_json(comparison)
    if fmt == "csv":
        return render_csv(comparison)
    if fmt == "markdown":
        return render_markdown(comparison, scenario)
    if fmt == "table":
        return render_table(comparison, scenario)
    raise ValueError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")


# --- the shared rows -------------------------------------------------------------------------


def _num(value: float) -> str:
    """A count of threads or GiB: whole numbers without decimals, others with one."""
    return f"{value:,.0f}" if abs(value - round(value)) < 0.05 else f"{value:,.1f}"


def _boot(seconds: float | None) -> str:
    """`in 60 s`, or `in ? s` when the scenario gives no `boot_seconds` to tell (never
    `in 0 s`); `UNSET_BOOT_NOTE` under the table says why."""
    return "in ? s" if seconds is None else f"in {seconds:g} s"


def _seconds(seconds: float | None) -> str:
    """`60 s`, or `? s` when a form started has no `boot_seconds` (`UNSET_BOOT_NOTE`)."""
    return "? s" if seconds is None else f"{round(seconds, 1):g} s"


UNSET_BOOT_NOTE = (
    "? s: boot_seconds is unset in the scenario's platform, so no recovery or deploy time"
)


def _boot_note(comparison: Comparison) -> list[str]:
    """The note explaining `? s`, when a variant's recovery time is unknown."""
    unknown = any(
        r.metrics is not None and None in (r.metrics.recovery.seconds, r.metrics.deploy_s)
        for r in comparison.results
    )
    return ["", UNSET_BOOT_NOTE] if unknown else []


def _vnfs(n: int) -> str:
    return count(n, "VNF")


def _status(result: VariantResult) -> str:
    plan = result.plan
    if plan.status is Status.FEASIBLE and plan.objective.gap is not None:
        return f"feasible, gap {gap_text(plan.objective.gap)}"
    return plan.status.value


def _cost(comparison: Comparison, result: VariantResult, m: Metrics) -> str:
    share = comparison.above_cheapest(result)
    if share == 0.0:
        return f"{money(m.monthly_cost)} (cheapest)"
    return money(m.monthly_cost) + ("" if share is None else f" (+{pct(share)})")


Row = tuple[str, Callable[[Comparison, VariantResult, Metrics], str]]

NESTED_ROW = "  of them in tenant VMs"
"""Containers in worker VMs: behind a hypervisor, a kernel shared only within a tenant."""

ROWS: tuple[Row, ...] = (
    ("monthly cost", _cost),
    ("servers used (bought)", lambda c, r, m: f"{m.servers_used} ({m.servers_bought})"),
    (
        "instances per server",
        lambda c, r, m: f"{m.mean_instances_per_server:.1f} avg, {m.max_instances_per_server} max",
    ),
    ("instances VM / container", lambda c, r, m: f"{m.vms} / {m.containers}"),
    (
        "CPU / memory used",
        lambda c, r, m: f"{pct(m.cpu_utilisation)} / {pct(m.memory_utilisation)}",
    ),
    (
        "virt. tax threads",
        lambda c, r, m: f"{_num(m.tax.threads)} ({pct(m.tax.thread_share)})",
    ),
    (
        "virt. tax memory GiB",
        lambda c, r, m: f"{_num(m.tax.memory_gib)} ({pct(m.tax.memory_share)})",
    ),
    (
        "behind a hypervisor",
        lambda c, r, m: (
            f"{m.isolation.vm_instances + m.isolation.nested_instances} inst, "
            f"{_vnfs(m.isolation.vm_vnfs + m.isolation.nested_vnfs)}"
        ),
    ),
    (
        NESTED_ROW,
        lambda c, r, m: f"{m.isolation.nested_instances} inst, {_vnfs(m.isolation.nested_vnfs)}",
    ),
    (
        "sharing a host kernel",
        lambda c, r, m: (
            f"{m.isolation.container_instances} inst, {_vnfs(m.isolation.container_vnfs)}"
        ),
    ),
    ("busiest server", lambda c, r, m: m.recovery.server or "-"),
    (
        "recovery of its instances",
        lambda c, r, m: f"{m.recovery.instances} inst " + _boot(m.recovery.seconds),
    ),
    ("time to deploy", lambda c, r, m: _seconds(m.deploy_s)),
)


def _solve_time(result: VariantResult) -> str:
    if result.reused:
        return f"same as {result.reused}"
    return f"{result.plan.stats.wall_time_s:.1f} s"


def _shorten(reason: str, limit: int = REASON_CHARS) -> str:
    return textwrap.shorten(reason, width=limit, placeholder=" …")


def _grid(comparison: Comparison, reason_chars: int) -> list[tuple[str, list[str]]]:
    """(label, one cell per variant) for every row the human formats show."""
    grid: list[tuple[str, list[str]]] = [("status", [_status(r) for r in comparison.results])]
    nested = any(r.metrics and r.metrics.isolation.nested_instances for r in comparison.results)
    for label, cell in ROWS:
        if label == NESTED_ROW and not nested:
            continue  # no container in a worker VM anywhere: the row would only say 0
        grid.append(
            (
                label,
                [
                    "-" if r.metrics is None else cell(comparison, r, r.metrics)
                    for r in comparison.results
                ],
            )
        )
    grid.append(("solve time", [_solve_time(r) for r in comparison.results]))
    if any(r.metrics is None for r in comparison.results):
        grid.append(
            (
                "why no plan",
                [
                    "-" if r.reason is None else _shorten(r.reason, reason_chars)
                    for r in comparison.results
                ],
            )
        )
    return grid


def _header(comparison: Comparison) -> str:
    return (
        f"scenario: {comparison.scenario}   variants solved in {comparison.wall_time_s:.1f} s "
        f"(time limit {comparison.time_limit_s:g} s each, {comparison.workers} "
        f"worker{'s' if comparison.workers != 1 else ''}, "
        f"seed {comparison.seed})"
    )


def _mixed_forms(comparison: Comparison, scenario: Scenario) -> list[str]:
    """`amf: container ×3` per VNF of the mixed plan; `*` marks a VNF with one form allowed."""
    mixed = comparison.result("mixed").metrics
    if mixed is None:
        return []
    return [
        f"{name}{'*' if len(scenario.vnfs[name].forms) == 1 else ''}: {describe_forms(counts)}"
        for name, counts in mixed.forms.items()
    ]


FORMS_TITLE = "forms in the mixed plan (* = the only form the VNF allows):"


# --- table and Markdown ----------------------------------------------------------------------


def _pack(entries: list[str], width: int, separator: str = " · ") -> list[str]:
    """Entries on as few indented lines of `width` as fit, never splitting an entry."""
    lines: list[str] = []
    current = ""
    for entry in entries:
        candidate = f"{current}{separator}{entry}" if current else f"  {entry}"
        if current and len(candidate) > width:
            lines.append(current)
            candidate = f"  {entry}"
        current = candidate
    if current:
        lines.append(current)
    return lines


def render_table(comparison: Comparison, scenario: Scenario) -> str:
    """Variants in columns; long cells wrap inside their column; fits WIDTH columns."""
    lines = [_header(comparison), ""]

    def row(label: str, cells: list[str]) -> None:
        wrapped = [textwrap.wrap(cell, CELL_WIDTH) or [""] for cell in cells]
        for i in range(max(len(w) for w in wrapped)):
            text = (label if i == 0 else "").ljust(LABEL_WIDTH)
            text += "".join(
                (w[i] if i < len(w) else "").ljust(CELL_WIDTH + GUTTER) for w in wrapped
            )
            lines.append(text.rstrip())

    row("", [r.variant.label for r in comparison.results])
    for label, cells in _grid(comparison, CELL_WIDTH * TABLE_REASON_LINES):
        row(label, cells)
    lines += _boot_note(comparison)
    forms = _mixed_forms(comparison, scenario)
    if forms:
        lines += ["", FORMS_TITLE]
        lines += _pack(forms, WIDTH)
    lines += ["", *textwrap.wrap("verdict: " + verdict(comparison), WIDTH, break_on_hyphens=False)]
    return "\n".join(lines) + "\n"


def _md(cell: str) -> str:
    return cell.replace("|", "\\|")


def render_markdown(comparison: Comparison, scenario: Scenario) -> str:
    """A GitHub-flavoured Markdown table, then the mixed plan's forms and the verdict."""
    lines = [f"**{comparison.scenario}**: " + _header(comparison).split("   ", 1)[1], ""]
    lines.append("| | " + " | ".join(r.variant.label for r in comparison.results) + " |")
    lines.append("|---|" + "---:|" * len(comparison.results))
    for label, cells in _grid(comparison, REASON_CHARS):
        lines.append(f"| {label} | " + " | ".join(_md(c) for c in cells) + " |")
    lines += _boot_note(comparison)
    forms = _mixed_forms(comparison, scenario)
    if forms:
        lines += ["", FORMS_TITLE[0].upper() + FORMS_TITLE[1:], ""]
        lines += [f"- {_md(f)}" for f in forms]
    lines += ["", f"**Verdict:** {verdict(comparison)}"]
    return "\n".join(lines) + "\n"


# --- JSON and CSV ------------------------------------------------------------------------------

FIELDS = (
    "variant",
    "label",
    "status",
    "objective",
    "objective_value",
    "bound",
    "gap",
    "monthly_cost",
    "above_cheapest",
    "cheapest",
    "servers_used",
    "servers_bought",
    "instances",
    "vms",
    "containers",
    "mean_instances_per_server",
    "max_instances_per_server",
    "cpu_utilisation",
    "memory_utilisation",
    "tax_threads",
    "tax_memory_gib",
    "tax_overhead_threads",
    "tax_overhead_memory_gib",
    "tax_reserve_threads",
    "tax_reserve_memory_gib",
    "tax_thread_share",
    "tax_memory_share",
    "vm_instances",
    "container_instances",
    "vm_vnfs",
    "container_vnfs",
    "nested_instances",
    "nested_vnfs",
    "busiest_server",
    "busiest_instances",
    "recovery_s",
    "deploy_s",
    "forms",
    "solve_time_s",
    "reused",
    "reason",
)
"""One record per variant, in this order; every field is present, null when it has no value."""


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def record(comparison: Comparison, result: VariantResult) -> dict[str, Any]:
    """The machine-readable figures of one variant (`forms` as {vnf: {form: count}})."""
    plan, m = result.plan, result.metrics
    cheapest = comparison.cheapest()
    fields: dict[str, Any] = dict.fromkeys(FIELDS)
    fields.update(
        variant=result.variant.key,
        label=result.variant.label,
        status=plan.status.value,
        objective=plan.objective.name,
        objective_value=_round(plan.objective.value),
        bound=_round(plan.objective.bound),
        gap=_round(plan.objective.gap),
        solve_time_s=0.0 if result.reused else plan.stats.wall_time_s,
        reused=result.reused,
        reason=result.reason,
        cheapest=result in cheapest,
        above_cheapest=_round(comparison.above_cheapest(result)),
    )
    if m is None:
        return fields
    fields.update(
        monthly_cost=_round(m.monthly_cost),
        servers_used=m.servers_used,
        servers_bought=m.servers_bought,
        instances=m.instances,
        vms=m.vms,
        containers=m.containers,
        mean_instances_per_server=_round(m.mean_instances_per_server),
        max_instances_per_server=m.max_instances_per_server,
        cpu_utilisation=_round(m.cpu_utilisation),
        memory_utilisation=_round(m.memory_utilisation),
        tax_threads=_round(m.tax.threads),
        tax_memory_gib=_round(m.tax.memory_gib),
        tax_overhead_threads=_round(m.tax.overhead_threads),
        tax_overhead_memory_gib=_round(m.tax.overhead_memory_gib),
        tax_reserve_threads=_round(m.tax.reserve_threads),
        tax_reserve_memory_gib=_round(m.tax.reserve_memory_gib),
        tax_thread_share=_round(m.tax.thread_share),
        tax_memory_share=_round(m.tax.memory_share),
        vm_instances=m.isolation.vm_instances,
        container_instances=m.isolation.container_instances,
        vm_vnfs=m.isolation.vm_vnfs,
        container_vnfs=m.isolation.container_vnfs,
        nested_instances=m.isolation.nested_instances,
        nested_vnfs=m.isolation.nested_vnfs,
        busiest_server=m.recovery.server,
        busiest_instances=m.recovery.instances,
        recovery_s=_round(m.recovery.seconds),
        deploy_s=_round(m.deploy_s),
        forms=m.forms,
    )
    return fields


def render_json(comparison: Comparison) -> str:
    """{scenario, objective, time_limit_s, workers, seed, wall_time_s, verdict, variants: [...]}."""
    document = {
        "scenario": comparison.scenario,
        "objective": comparison.objective,
        "time_limit_s": comparison.time_limit_s,
        "workers": comparison.workers,
        "seed": comparison.seed,
        "wall_time_s": round(comparison.wall_time_s, 3),
        "verdict": verdict(comparison),
        "variants": [record(comparison, r) for r in comparison.results],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_csv(comparison: Comparison) -> str:
    """A header of FIELDS and one row per variant; `forms` as `amf: container ×3; ...`."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for result in comparison.results:
        row = record(comparison, result)
        forms = row["forms"] or {}
        row["forms"] = "; ".join(f"{vnf}: {describe_forms(c)}" for vnf, c in forms.items())
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()
