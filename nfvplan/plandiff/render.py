"""`nfvplan diff` output: a terminal table, Markdown for a pull request, or JSON for a script.

All three say the same things in the same order: outcome and cost, sites, servers, instances.
Only what changed is listed in the table and Markdown; JSON carries everything
(`PlanDiff.to_dict`).
"""

from __future__ import annotations

import json
from collections import Counter

from nfvplan.plandiff.diff import InstanceChange, PlanDiff, SiteChange
from nfvplan.wording import delta, money

_SERVER_WORDS = {
    "on": "switched on",
    "off": "switched off",
    "bought": "bought",
    "released": "no longer used (bought)",
}


def _place(place: tuple[str, str] | None) -> str:
    return "-" if place is None else f"{place[0]} ({place[1]})"


def _site_cost(site: SiteChange) -> str:
    if site.cost_before is None or site.cost_after is None:
        return ""
    change = site.cost_after - site.cost_before
    return f"{money(site.cost_before)} -> {money(site.cost_after)} ({delta(change)})"


def _counts(diff: PlanDiff) -> str:
    kept = sum(v.kept for v in diff.vnfs)
    moved = sum(v.moved for v in diff.vnfs)
    added = sum(v.added for v in diff.vnfs)
    removed = sum(v.removed for v in diff.vnfs)
    return f"kept {kept}, moved {moved}, added {added}, removed {removed}"


def _worker_counts(diff: PlanDiff) -> str:
    """`moved 1, added 2, removed 0`: the worker VMs an apply changes (kept ones are not
    listed: the counts are of changes only)."""
    actions = Counter(c.action for c in diff.workers)
    return ", ".join(f"{a} {actions[a]}" for a in ("moved", "added", "removed"))


def worker_lines(diff: PlanDiff) -> list[str]:
    """The worker VMs an apply adds, removes or moves, for a terminal (none: no lines); shared
    with `nfvplan whatif`."""
    if not diff.workers:
        return []
    lines = ["", f"worker VMs ({_worker_counts(diff)}):"]
    rows = [_instance_line(c) for c in diff.workers]
    width = max(len(trust) for _, trust, _, _ in rows)
    for action, trust, source, target in rows:
        lines.append(f"  {action:<8} {trust:<{width}}  {source} -> {target}")
    return lines


def worker_markdown(diff: PlanDiff) -> list[str]:
    """`worker_lines` as a Markdown table."""
    if not diff.workers:
        return []
    return [
        "",
        f"Worker VMs: {_worker_counts(diff)}.",
        "",
        "| action | trust domain | from (flavor) | to (flavor) |",
        "|---|---|---|---|",
        *("| " + " | ".join(_instance_line(c)) + " |" for c in diff.workers),
    ]


def _headline(diff: PlanDiff, old_name: str, new_name: str) -> list[str]:
    return [
        f"old: {old_name} ({diff.status_before})   new: {new_name} ({diff.status_after})",
        f"monthly cost: {money(diff.cost_before)} -> {money(diff.cost_after)}   "
        f"delta: {delta(diff.cost_delta)}",
    ]


def _instance_line(change: InstanceChange) -> tuple[str, str, str, str]:
    return change.action, change.vnf, _place(change.source), _place(change.target)


def format_table(diff: PlanDiff, old_name: str = "old", new_name: str = "new") -> str:
    """The diff for a terminal."""
    lines = _headline(diff, old_name, new_name)
    if not diff.changed:
        return "\n".join([*lines, "", "no change"])
    sites = [s for s in diff.sites if s.changed]
    if sites:
        costs = any(_site_cost(s) for s in sites)
        header = f"{'site':<16} {'servers used':>14} {'bought':>10}"
        lines += ["", header + ("   monthly cost" if costs else "")]
        for s in sites:
            row = (
                f"{s.site:<16} {f'{s.used_before} -> {s.used_after}':>14} "
                f"{f'{s.bought_before} -> {s.bought_after}':>10}"
            )
            lines.append(row + (f"   {_site_cost(s)}" if costs else ""))
    if diff.servers:
        lines += ["", "servers:"]
        lines += [f"  {_SERVER_WORDS[c.change]:<24} {c.server}" for c in diff.servers]
    if diff.instances:
        lines += ["", f"instances ({_counts(diff)}):"]
        rows = [_instance_line(c) for c in diff.instances]
        width = max(len(vnf) for _, vnf, _, _ in rows)
        for action, vnf, source, target in rows:
            lines.append(f"  {action:<8} {vnf:<{width}}  {source} -> {target}")
    lines += worker_lines(diff)
    for title, reasons in (
        ("old plan has no plan:", diff.explanation_before),
        ("new plan has no plan:", diff.explanation_after),
    ):
        if reasons:
            lines += ["", title, *(f"  - {r}" for r in reasons)]
    return "\n".join(lines)


def format_markdown(diff: PlanDiff, old_name: str = "old", new_name: str = "new") -> str:
    """The diff as Markdown (a pull request, a change ticket)."""
    lines = [
        f"## Plan diff: {diff.scenario}",
        "",
        "| | old | new | delta |",
        "|---|---|---|---|",
        f"| plan | {old_name} | {new_name} | |",
        f"| status | {diff.status_before} | {diff.status_after} | "
        f"{'changed' if diff.status_changed else '-'} |",
        f"| monthly cost | {money(diff.cost_before)} | {money(diff.cost_after)} | "
        f"{delta(diff.cost_delta)} |",
    ]
    if not diff.changed:
        return "\n".join([*lines, "", "No change."])
    sites = [s for s in diff.sites if s.changed]
    if sites:
        lines += ["", "| site | servers used | bought | monthly cost |", "|---|---|---|---|"]
        lines += [
            f"| {s.site} | {s.used_before} → {s.used_after} | "
            f"{s.bought_before} → {s.bought_after} | {_site_cost(s) or '-'} |"
            for s in sites
        ]
    if diff.servers:
        lines += ["", "| server | change |", "|---|---|"]
        lines += [f"| {c.server} | {_SERVER_WORDS[c.change]} |" for c in diff.servers]
    if diff.instances:
        lines += [
            "",
            f"Instances: {_counts(diff)}.",
            "",
            "| action | VNF | from | to |",
            "|---|---|---|---|",
        ]
        lines += ["| " + " | ".join(_instance_line(c)) + " |" for c in diff.instances]
    lines += worker_markdown(diff)
    for title, reasons in (
        ("The old plan has no plan:", diff.explanation_before),
        ("The new plan has no plan:", diff.explanation_after),
    ):
        if reasons:
            lines += ["", title, "", *(f"- {r}" for r in reasons)]
    return "\n".join(lines)


def format_json(diff: PlanDiff, old_name: str = "old", new_name: str = "new") -> str:
    """The diff as one JSON object: `PlanDiff.to_dict` plus the two file names."""
    return json.dumps({"old": old_name, "new": new_name, **diff.to_dict()}, indent=2)


FORMATTERS = {"table": format_table, "markdown": format_markdown, "json": format_json}
