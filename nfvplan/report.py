"""Plain-text views of a plan for the terminal: the summary `nfvplan solve` prints.

Kept out of the CLI so that other front ends (notebooks, what-if reports) print the same thing.
"""

from __future__ import annotations

from collections import Counter

from nfvplan.model import Form, Scenario
from nfvplan.plan import Migration, Plan
from nfvplan.wording import cost_change, count, money, pct

BUSIEST_LINKS = 5
WORKERS_SHOWN = 12
"""Worker VMs solve's summary lists; `show --servers` lists every one."""


def format_objective(plan: Plan) -> str:
    """Status, objective, bound and gap on one line."""
    objective = plan.objective
    if objective.value is None:
        return f"status: {plan.status.value}"
    if objective.name == "cost":
        value, bound = money(objective.value), money(objective.bound)
    elif objective.name == "balance":
        value = pct(objective.value)
        bound = "-" if objective.bound is None else pct(objective.bound)
    else:
        value, bound = (
            f"{objective.value:g}",
            "-" if objective.bound is None else f"{objective.bound:g}",
        )
    gap = "-" if objective.gap is None else pct(objective.gap)
    return (
        f"status: {plan.status.value}   objective {objective.name}: {value}   "
        f"bound: {bound}   gap: {gap}"
    )


def form_counts(plan: Plan) -> str:
    """`1 VM, 8 containers`, and where some are nested `8 containers in 2 worker VMs` (all of
    them) or `10 containers (8 in 2 worker VMs)`: the plan's instances by form, in one phrase
    every view prints (solve's summary, `show`, `check`, the report)."""
    s = plan.summary
    text = f"{count(s.vms, 'VM')}, {count(s.containers, 'container')}"
    nested = sum(1 for p in plan.placements if p.form == Form.NESTED.value)
    if not nested and not plan.workers:
        return text
    workers = count(len(plan.workers), "worker VM")
    if nested == s.containers:
        return f"{text} in {workers}"
    return f"{text} ({nested} in {workers})"


def format_workers(plan: Plan, server: str) -> list[str]:
    """One line per worker VM on `server`: id, trust domain, flavor, NUMA node, containers."""
    inside: dict[str, list[str]] = {}
    for placement in plan.placements:
        if placement.worker is not None:
            inside.setdefault(placement.worker, []).append(placement.instance)
    lines = []
    for worker in plan.workers:
        if worker.server != server:
            continue
        numa = "" if worker.numa_node is None else f", NUMA {worker.numa_node}"
        held = inside.get(worker.id, [])
        lines.append(
            f"{worker.id} ({worker.trust}, flavor {worker.flavor}{numa}): "
            f"{count(len(held), 'container')}: {', '.join(held) or '-'}"
        )
    return lines


def format_summary(plan: Plan, scenario: Scenario) -> str:
    """The human summary of a plan: headline, servers per site, forms, utilisation, links."""
    lines = [f"scenario: {plan.scenario}", format_objective(plan)]
    lines.extend(f"note: {note}" for note in plan.stats.notes)
    if not plan.status.has_plan:
        lines.append("")
        lines.append("no plan:" if plan.explanation else "no plan")
        lines.extend(f"  - {reason}" for reason in plan.explanation or [])
        return "\n".join(lines)
    s = plan.summary
    lines.append(
        f"monthly cost: {money(s.monthly_cost)}   servers used: {s.servers_used} "
        f"({s.servers_bought} bought)   instances: {s.instances} ({form_counts(plan)})"
    )
    lines.append(
        f"utilisation of used servers: CPU {pct(s.cpu_utilisation)}, "
        f"memory {pct(s.memory_utilisation)}"
    )
    lines.append("")
    lines.append(f"{'site':<16}{'servers':>8}{'bought':>8}{'VMs':>6}{'containers':>12}  types")
    server_site = {server.id: server.site for server in plan.servers}
    # A hand-edited plan may place instances on servers it does not list: `show` still prints
    # it (counting them apart), and leaves the verdict to `nfvplan check`.
    # a nested container (container-in-vm) is a container: the summary counts it so too
    forms = Counter(
        (server_site.get(p.server), "vm" if p.form == "vm" else "container")
        for p in plan.placements
    )
    for site in scenario.sites:
        here = [server for server in plan.servers if server.site == site]
        if not here:
            continue
        types = Counter(server.type for server in here)
        type_text = ", ".join(f"{n} x {t}" for t, n in types.items())
        lines.append(
            f"{site:<16}{len(here):>8}{sum(x.bought for x in here):>8}"
            f"{forms[(site, 'vm')]:>6}{forms[(site, 'container')]:>12}  {type_text}"
        )
    if plan.workers:
        lines.append("")
        lines.append("worker VMs (container-in-vm):")
        listed = [
            f"  {server.id}: {line}"
            for server in plan.servers
            for line in format_workers(plan, server.id)
        ]
        lines.extend(listed[:WORKERS_SHOWN])
        if len(listed) > WORKERS_SHOWN:
            lines.append(
                f"  ... and {count(len(listed) - WORKERS_SHOWN, 'more worker VM')} "
                "(nfvplan show --servers lists them all)"
            )
    unlisted = sum(n for (site, _), n in forms.items() if site is None)
    if unlisted:
        lines.append(
            f"{count(unlisted, 'instance')} placed on servers the plan does not list "
            "(run nfvplan check for the details)"
        )
    if plan.links:
        lines.append("")
        lines.append("busiest links:")
        busiest = sorted(plan.links, key=lambda link: -link.utilisation)[:BUSIEST_LINKS]
        for link in busiest:
            lines.append(
                f"  {link.a} - {link.b}: {link.gbps:g} of {link.capacity_gbps:g} Gbps "
                f"({pct(link.utilisation)})"
            )
    if plan.migration is not None:
        lines.append("")
        lines.extend(format_migration(plan.migration))
    return "\n".join(lines)


MIGRATION_STEPS_SHOWN = 40


def format_migration(migration: Migration) -> list[str]:
    """The re-plan's headline (kept, moved, saving) and its steps in rollout order."""
    per_move = migration.saving_per_move
    lines = [
        f"migration: {migration.kept} kept, {migration.moved} moved, {migration.added} added, "
        f"{migration.removed} removed",
        f"  monthly cost {money(migration.cost_before)} -> {money(migration.cost_after)}: "
        f"{cost_change(migration.saving)}"
        + ("" if not per_move else f" ({money(abs(per_move))} per move)"),
    ]
    if migration.needs_spare:
        lines.append("  needs a spare server: no order of the steps avoids overloading one")
    for number, step in enumerate(migration.steps[:MIGRATION_STEPS_SHOWN], start=1):
        where = {
            "remove": f"from {step.source}",
            "add": f"on {step.target}",
            "move": f"{step.source} -> {step.target}",
        }[step.action]
        note = f"  ({step.note})" if step.note else ""
        lines.append(f"  {number:>3}. {step.action:<6} {step.instance} [{step.form}] {where}{note}")
    hidden = len(migration.steps) - MIGRATION_STEPS_SHOWN
    if hidden > 0:
        lines.append(f"  ... and {count(hidden, 'more step')} (all of them are in the plan file)")
    return lines
