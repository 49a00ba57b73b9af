"""Turn a formulation's `Solution` into a `Plan`: names, exact usage, summary, objective.

Usage figures are recomputed here in exact format units (not the solver's rounded integers),
so the plan reports what the hardware really carries.
"""

from __future__ import annotations

from collections import defaultdict

from nfvplan.model import Form, Objective, Scenario
from nfvplan.plan import (
    RESOURCE_KEYS,
    ObjectiveValue,
    Placement,
    Plan,
    ServerUse,
    SolveStats,
    Status,
    Summary,
)
from nfvplan.solver.data import instance_usage, reserve_usage
from nfvplan.solver.problem import Problem
from nfvplan.solver.solution import Solution

CAPACITY_OF = {
    "threads": lambda t: t.threads,
    "memory_gib": lambda t: t.memory_gib,
    "disk_gib": lambda t: t.disk_gib,
    "nic_gbps": lambda t: t.nic_gbps,
    "sriov_vfs": lambda t: t.sriov_vfs,
}


def name_instances(problem: Problem, solution: Solution) -> list[tuple[Placement, int, int]]:
    """Placements with instance names `vnf-1..n`, numbered in server order per VNF.

    Returns (placement, kind index, slot index) triples so callers can map traffic back.
    """
    ordered = sorted(
        solution.counts.items(),
        key=lambda item: (
            problem.vnf_names.index(problem.kinds[item[0][0]].vnf.name),
            item[0][1],
            -1 if item[0][2] is None else item[0][2],
            item[0][0],
        ),
    )
    numbers: dict[str, int] = defaultdict(int)
    result = []
    for (k, s, node), count in ordered:
        kind = problem.kinds[k]
        for _ in range(count):
            numbers[kind.vnf.name] += 1
            placement = Placement(
                vnf=kind.vnf.name,
                instance=f"{kind.vnf.name}-{numbers[kind.vnf.name]}",
                server=problem.slots[s].id,
                form=kind.form.value,
                numa_node=node,
            )
            result.append((placement, k, s))
    return result


def build_plan(
    problem: Problem, solution: Solution, formulation: str, workers: int, seed: int
) -> Plan:
    """The plan of a solved problem (or an empty one for infeasible/unknown outcomes)."""
    scenario = problem.scenario
    stats = SolveStats(round(solution.wall_time_s, 3), formulation, workers, seed)
    if not solution.status.has_plan:
        return Plan(
            scenario=scenario.name,
            status=solution.status,
            objective=ObjectiveValue(problem.objective.value, None, solution.bound, None),
            stats=stats,
        )
    named = name_instances(problem, solution)
    per_slot: dict[int, list[tuple[Placement, int]]] = defaultdict(list)
    for placement, k, s in named:
        per_slot[s].append((placement, k))
    servers: list[ServerUse] = []
    for s in sorted(per_slot):
        slot = problem.slots[s]
        totals = [0.0] * len(RESOURCE_KEYS)
        forms = sorted({problem.kinds[k].form for _p, k in per_slot[s]}, key=lambda f: f.value)
        for form in forms:
            for r, value in enumerate(reserve_usage(scenario, form, slot.type)):
                totals[r] += value
        for _placement, k in per_slot[s]:
            kind = problem.kinds[k]
            for r, value in enumerate(instance_usage(scenario, kind.vnf, kind.form)):
                totals[r] += value
        servers.append(
            ServerUse(
                id=slot.id,
                site=slot.site.name,
                type=slot.type.name,
                rack=slot.rack,
                bought=slot.bought,
                used={key: round(v, 6) for key, v in zip(RESOURCE_KEYS, totals, strict=False)},
            )
        )
    placements = [placement for placement, _k, _s in named]
    summary = _summary(scenario, problem, servers, placements)
    value = _objective_value(problem.objective, summary, servers, problem)
    bound = solution.bound
    if solution.status is Status.OPTIMAL:
        bound = value
    gap = 0.0 if bound is None or value == 0 else max(0.0, (value - bound) / abs(value))
    return Plan(
        scenario=scenario.name,
        status=solution.status,
        objective=ObjectiveValue(problem.objective.value, value, bound, round(gap, 6)),
        summary=summary,
        servers=servers,
        placements=placements,
        stats=stats,
    )


def _summary(
    scenario: Scenario, problem: Problem, servers: list[ServerUse], placements: list[Placement]
) -> Summary:
    """Headline figures, from the exact usage."""
    types = {server.id: scenario.server_types[server.type] for server in servers}
    cost = sum(types[s.id].monthly_cost for s in servers)
    cost += sum(scenario.vnfs[p.vnf].license_monthly for p in placements)
    threads = sum(types[s.id].threads for s in servers)
    memory = sum(types[s.id].memory_gib for s in servers)
    return Summary(
        monthly_cost=round(cost, 6),
        servers_used=len(servers),
        servers_bought=sum(1 for s in servers if s.bought),
        instances=len(placements),
        vms=sum(1 for p in placements if p.form == Form.VM.value),
        containers=sum(1 for p in placements if p.form == Form.CONTAINER.value),
        cpu_utilisation=round(sum(s.used["threads"] for s in servers) / threads, 6)
        if threads
        else 0.0,
        memory_utilisation=round(sum(s.used["memory_gib"] for s in servers) / memory, 6)
        if memory
        else 0.0,
    )


def _objective_value(
    objective: Objective, summary: Summary, servers: list[ServerUse], problem: Problem
) -> float:
    """The objective recomputed from the plan itself."""
    if objective is Objective.COST:
        return summary.monthly_cost
    if objective is Objective.SERVERS:
        return float(summary.servers_used)
    busiest = 0.0
    for server in servers:
        server_type = problem.scenario.server_types[server.type]
        for key in RESOURCE_KEYS:
            capacity = CAPACITY_OF[key](server_type)
            if capacity > 0:
                busiest = max(busiest, server.used[key] / capacity)
    return round(busiest, 6)
