"""`nfvplan show SCENARIO PLAN --servers`: the per-server view as text or Markdown.

Both say the same things in the same order: the headline (status, cost and its parts), then
per site and per server every resource split into workload, virtualisation tax (form overheads
plus host reserves), traffic and free room, then the instances on it (VNF, form, NUMA node).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from nfvplan.model import Scenario
from nfvplan.plan import Plan
from nfvplan.report import form_counts, format_objective
from nfvplan.review.figures import amount, money, pct
from nfvplan.review.servers import ServerView, WorkerView, cost_breakdown, server_views

FORMATS = ("text", "markdown")
WIDTH = 100

COLUMNS = ("resource", "capacity", "used", "workload", "overhead", "reserve", "traffic", "free")


def _rows(server: ServerView) -> list[tuple[str, ...]]:
    rows = []
    for r in server.resources:
        if r.capacity == 0 and r.used == 0:
            continue
        rows.append(
            (
                f"{r.label} {r.unit}",
                amount(r.capacity),
                f"{amount(r.used)} ({pct(r.share)})",
                amount(r.workload),
                amount(r.overhead),
                amount(r.reserve),
                amount(r.traffic) if r.key == "nic_gbps" else "-",
                amount(r.free),
            )
        )
    return rows


def _where(server: ServerView) -> str:
    state = "bought" if server.bought else "installed"
    forms = ", ".join(server.forms) or "none"
    return (
        f"site {server.site}, rack {server.rack}, {state}, {money(server.monthly_cost)}/month, "
        f"forms {forms}"
    )


NBSP = "\u00a0"
"""Joins the words of one instance's entry so that wrapping never splits it (`udm-1 [vm]`)."""


def _instance_text(server: ServerView) -> str:
    parts = []
    for i in server.instances:
        numa = "" if i.numa_node is None else f", NUMA {i.numa_node}"
        parts.append(f"{i.instance} [{i.form}{numa}]".replace(" ", NBSP))
    return ", ".join(parts)


def _worker_text(worker: WorkerView) -> str:
    """`worker-a-1 (tenant-a, flavor worker): 4 of 4 vCPU, 12 of 12 GiB: a-1, a-2`."""
    numa = "" if worker.numa_node is None else f", NUMA {worker.numa_node}"
    return (
        f"{worker.id} ({worker.trust}, flavor {worker.flavor}{numa}): "
        f"{amount(worker.held[0])} of {amount(worker.room[0])} vCPU, "
        f"{amount(worker.held[1])} of {amount(worker.room[1])} GiB: "
        f"{', '.join(worker.instances) or '-'}"
    )


def _stale_notes(server: ServerView) -> list[str]:
    return [
        f"the plan's {r.label} figure is {amount(r.stale)} {r.unit} off its placements "
        "(hand-edited? nfvplan check lists it)"
        for r in server.resources
        if r.stale
    ]


def _headline(scenario: Scenario, plan: Plan) -> list[str]:
    cost = cost_breakdown(scenario, plan)
    return [
        f"scenario: {plan.scenario}",
        format_objective(plan),
        f"monthly cost: {money(plan.summary.monthly_cost)} = servers {money(cost.installed)} "
        f"+ purchases {money(cost.purchases)} + licences {money(cost.licences)}",
        f"servers used: {plan.summary.servers_used} ({plan.summary.servers_bought} bought)   "
        f"instances: {plan.summary.instances}"
        + (f" ({form_counts(plan)})" if plan.workers else ""),
    ]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(widths[i + 1]) for i, cell in enumerate(cells[1:]))
        return "  ".join([first, *rest]).rstrip()

    return [line(headers), *(line(row) for row in rows)]


def format_servers_text(scenario: Scenario, plan: Plan) -> str:
    """The per-server view for a terminal (fits 100 columns for the shipped examples)."""
    lines = _headline(scenario, plan)
    if not plan.status.has_plan:
        lines += ["", "no plan:", *(f"  - {reason}" for reason in plan.explanation or [])]
        return "\n".join(lines)
    lines += [
        "",
        "per server: workload = flavors; overhead + reserve = virtualisation tax; "
        "traffic = carried Gbps",
    ]
    for server in server_views(scenario, plan):
        lines += ["", f"{server.id}  ({_where(server)})"]
        lines += ["  " + line for line in _table(COLUMNS, _rows(server))]
        wrapped = textwrap.wrap(
            f"instances ({len(server.instances)}): {_instance_text(server) or '-'}",
            width=WIDTH,
            initial_indent="  ",
            subsequent_indent="    ",
            break_on_hyphens=False,
        )
        lines += [line.replace(NBSP, " ") for line in wrapped]
        if server.workers:
            lines.append(f"  worker VMs ({len(server.workers)}):")
            for worker in server.workers:
                lines += textwrap.wrap(
                    _worker_text(worker),
                    width=WIDTH,
                    initial_indent="    ",
                    subsequent_indent="      ",
                    break_on_hyphens=False,
                )
        lines += [f"  note: {note}" for note in _stale_notes(server)]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def format_servers_markdown(scenario: Scenario, plan: Plan) -> str:
    """The per-server view as Markdown, for a design document."""
    head = _headline(scenario, plan)
    lines = [f"## Plan of {plan.scenario}", "", *(f"- {line}" for line in head[1:])]
    if not plan.status.has_plan:
        lines += ["", "No plan:", "", *(f"- {reason}" for reason in plan.explanation or [])]
        return "\n".join(lines)
    lines += [
        "",
        "Workload = flavors; overhead + reserve = the virtualisation tax; traffic = carried Gbps.",
    ]
    site = None
    for server in server_views(scenario, plan):
        if server.site != site:
            site = server.site
            lines += ["", f"### Site {site}"]
        lines += ["", f"#### {server.id}", "", _where(server), ""]
        lines.append("| " + " | ".join(COLUMNS) + " |")
        lines.append("|---" + "|---:" * (len(COLUMNS) - 1) + "|")
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in _rows(server)]
        lines += ["", "| instance | VNF | form | NUMA node |", "|---|---|---|---|"]
        lines += [
            f"| {i.instance} | {i.vnf} | {i.form} | {'-' if i.numa_node is None else i.numa_node} |"
            for i in server.instances
        ]
        if server.workers:
            lines += ["", "| worker VM | trust domain | flavor | holds |", "|---|---|---|---|"]
            lines += [
                f"| {w.id} | {w.trust} | {w.flavor} | {_cell(_worker_text(w).split(': ', 1)[1])} |"
                for w in server.workers
            ]
        notes = _stale_notes(server)
        if notes:
            lines += ["", *(f"- note: {note}" for note in notes)]
    return "\n".join(lines)


def format_servers(scenario: Scenario, plan: Plan, fmt: str = "text") -> str:
    """The per-server view in `fmt` (one of FORMATS)."""
    if fmt == "markdown":
        return format_servers_markdown(scenario, plan)
    if fmt == "text":
        return format_servers_text(scenario, plan)
    raise ValueError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")
