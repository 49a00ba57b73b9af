"""`nfvplan refresh`: recompute the figures of a hand-edited plan without solving again.

An operator who moves one instance by hand in a plan file changes two servers' usage, the
summary and the objective value; `nfvplan check` then reports those numbers as stale next to
the one rule the move may really break. Refreshing rewrites every figure the placements
determine, with the code the solver writes them with (`nfvplan/derived.py`), so the refreshed
plan reads as if the solver had produced those placements, and the checker, which shares none
of that code, can verify it. What the refresh does not change: placements and routes (they
name instances and paths, which only the operator or the solver decides) and the proven bound;
link loads are recomputed from the routes. An `optimal` plan whose cost moved above its bound
becomes `feasible`.
"""

from __future__ import annotations

from dataclasses import replace

from nfvplan.derived import gap_of, link_loads, objective_value, server_use, summarise
from nfvplan.errors import InputError
from nfvplan.io.plan_io import locate_in_plan
from nfvplan.migration import validate_current
from nfvplan.model import Form, Objective, Scenario, ServerType
from nfvplan.plan import Plan, ServerUse, Status

REFRESHED_NOTE = "figures recomputed by nfvplan refresh after the placements were edited"


def _servers(scenario: Scenario) -> dict[str, tuple[str, str, ServerType, int, bool]]:
    """Every server id of the scenario, in FORMAT order, as (id, site, type, rack, bought)."""
    found = {}
    for site in scenario.sites.values():
        for type_name in site.type_order():
            installed = site.servers.get(type_name, 0)
            for number in range(1, installed + site.expand.get(type_name, 0) + 1):
                server_id = f"{site.name}/{type_name}/{number}"
                found[server_id] = (
                    server_id,
                    site.name,
                    scenario.server_types[type_name],
                    site.rack_of(number),
                    number > installed,
                )
    return found


def refresh_plan(scenario: Scenario, plan: Plan, file: str) -> Plan:
    """`plan` with its server usage, summary, objective value, gap and link loads recomputed
    from its placements and routes.

    Raises InputError (naming fields of `file`) when the figures cannot be computed: a plan of
    another scenario, one without placements to count, or a placement naming a VNF, form or
    server the scenario does not have.
    """
    validate_current(scenario, plan, file, advice="refresh it against its own scenario")
    if plan.objective.name not in {o.value for o in Objective}:
        known = ", ".join(o.value for o in Objective)
        raise locate_in_plan(
            InputError.single(
                file,
                f"unknown objective {plan.objective.name!r} (one of {known})",
                path="objective.name",
            ),
            file,
        )
    known = _servers(scenario)
    carried: dict[str, float] = {}
    for route in plan.routes:
        for name in dict.fromkeys(route.via):
            carried[name] = carried.get(name, 0.0) + route.gbps
    hosted: dict[str, list[tuple]] = {}
    for placement in plan.placements:
        hosted.setdefault(placement.server, []).append(
            (
                scenario.vnfs[placement.vnf],
                Form(placement.form),
                carried.get(placement.instance, 0.0),
            )
        )
    workers: dict[str, list] = {}  # the nested form's worker VMs, by server
    for worker in plan.workers:
        flavor = scenario.platform.nesting.flavor(worker.trust)
        if flavor is not None:
            workers.setdefault(worker.server, []).append(flavor)
    servers: list[ServerUse] = [
        server_use(scenario, known[server_id], hosted[server_id], workers.get(server_id, []))
        for server_id in known
        if server_id in hosted
    ]
    summary = summarise(scenario, servers, plan.placements)
    value = objective_value(Objective(plan.objective.name), scenario, summary, servers)
    bound = plan.objective.bound
    status = plan.status
    if status is Status.OPTIMAL and bound is not None and value > bound + 1e-6 * abs(bound):
        status = Status.FEASIBLE
    objective = replace(plan.objective, value=value, gap=gap_of(value, bound))
    links = link_loads(scenario, plan.routes)
    if (status, objective, summary, servers, links) == (
        plan.status,
        plan.objective,
        plan.summary,
        plan.servers,
        plan.links,
    ):
        return plan
    notes = plan.stats.notes
    if REFRESHED_NOTE not in notes:
        notes = (*notes, REFRESHED_NOTE)
    return replace(
        plan,
        status=status,
        objective=objective,
        summary=summary,
        servers=servers,
        links=links,
        stats=replace(plan.stats, notes=notes),
    )
