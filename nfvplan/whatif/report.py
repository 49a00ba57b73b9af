"""`PlanDiff` as text for a terminal, Markdown for a change ticket, or JSON for a script.

All three say the same things in the same order: outcome, cost, notes, sites, VNFs, worker
VMs, links.
Only what changed is listed in text and Markdown; JSON carries every site and VNF.
"""

from __future__ import annotations

import json
from collections import Counter

from nfvplan.plandiff.render import worker_lines, worker_markdown
from nfvplan.whatif.diff import HOT_LINK, PlanDiff, VnfChange
from nfvplan.wording import delta, money, pct


def _moves(v: VnfChange) -> str:
    parts = [f"{v.before} -> {v.after}", f"kept {v.kept}"]
    parts += [
        f"{n} {what}"
        for n, what in ((v.moved, "moved"), (v.added, "added"), (v.removed, "removed"))
        if n
    ]
    return ", ".join(parts)


def _places(places: tuple[tuple[str, str], ...]) -> str:
    """'a/s/1 (vm) x3, b/s/2 (container)': a repeated place once, with its count."""
    counts = Counter(places)
    return (
        ", ".join(
            f"{server} ({form})" + (f" x{n}" if n > 1 else "")
            for (server, form), n in counts.items()
        )
        or "-"
    )


def format_text(diff: PlanDiff) -> str:
    """The diff for a terminal."""
    lines = [f"scenario: {diff.scenario}"]
    status = f"status: {diff.status_before} -> {diff.status_after}"
    lines.append(status + ("   (changed)" if diff.status_changed else ""))
    lines.append(
        f"monthly cost: {money(diff.cost_before)} -> {money(diff.cost_after)}   "
        f"delta: {delta(diff.cost_delta)}"
    )
    lines.extend(f"note: {note}" for note in diff.notes)
    for title, reasons in (
        ("base scenario has no plan:", diff.explanation_before),
        ("changed scenario has no plan:", diff.explanation_after),
    ):
        if reasons:
            lines += ["", title, *(f"  - {r}" for r in reasons)]
    sites = [s for s in diff.sites if s.changed]
    if sites:
        lines += ["", f"{'site':<16} {'servers used':>14} {'bought':>10}"]
        lines += [
            f"{s.site:<16} {f'{s.used_before} -> {s.used_after}':>14} "
            f"{f'{s.bought_before} -> {s.bought_after}':>10}"
            for s in sites
        ]
    vnfs = [v for v in diff.vnfs if v.changed]
    if vnfs:
        lines += ["", "instances:"]
        for v in vnfs:
            lines.append(f"  {v.vnf}: {_moves(v)}")
            if v.left:
                lines.append(f"    left:    {_places(v.left)}")
            if v.entered:
                lines.append(f"    entered: {_places(v.entered)}")
    lines += worker_lines(diff)
    if diff.links:
        lines += ["", f"links crossing {pct(HOT_LINK)}:"]
        lines += [
            f"  {c.a} - {c.b}: {pct(c.before)} -> {pct(c.after)} ({c.direction})"
            for c in diff.links
        ]
    quiet = not sites and not vnfs and not diff.links and not diff.workers
    if diff.cost_delta is not None and quiet:
        lines += ["", "no instance, server or link alarm changed"]
    return "\n".join(lines)


def format_markdown(diff: PlanDiff) -> str:
    """The diff as Markdown (a change ticket, a pull request)."""
    lines = [
        f"## What-if: {diff.scenario}",
        "",
        "| | before | after | delta |",
        "|---|---|---|---|",
        f"| status | {diff.status_before} | {diff.status_after} | "
        f"{'changed' if diff.status_changed else '-'} |",
        f"| monthly cost | {money(diff.cost_before)} | {money(diff.cost_after)} | "
        f"{delta(diff.cost_delta)} |",
    ]
    if diff.notes:
        lines += ["", "Notes:", "", *(f"- {note}" for note in diff.notes)]
    for title, reasons in (
        ("The base scenario has no plan:", diff.explanation_before),
        ("The changed scenario has no plan:", diff.explanation_after),
    ):
        if reasons:
            lines += ["", title, "", *(f"- {r}" for r in reasons)]
    sites = [s for s in diff.sites if s.changed]
    if sites:
        lines += ["", "| site | servers used | bought |", "|---|---|---|"]
        lines += [
            f"| {s.site} | {s.used_before} → {s.used_after} | "
            f"{s.bought_before} → {s.bought_after} |"
            for s in sites
        ]
    vnfs = [v for v in diff.vnfs if v.changed]
    if vnfs:
        lines += [
            "",
            "| VNF | instances | kept | moved | added | removed | left | entered |",
            "|---|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {v.vnf} | {v.before} → {v.after} | {v.kept} | {v.moved} | {v.added} | "
            f"{v.removed} | {_places(v.left)} | {_places(v.entered)} |"
            for v in vnfs
        ]
    lines += worker_markdown(diff)
    if diff.links:
        lines += ["", f"| link crossing {pct(HOT_LINK)} | before | after |", "|---|---|---|"]
        lines += [
            f"| {c.a} – {c.b} | {pct(c.before)} | {pct(c.after)} ({c.direction}) |"
            for c in diff.links
        ]
    return "\n".join(lines)


def format_json(diff: PlanDiff) -> str:
    """The diff as one JSON object (`PlanDiff.to_dict`)."""
    return json.dumps(diff.to_dict(), indent=2)


FORMATTERS = {"text": format_text, "markdown": format_markdown, "json": format_json}
