"""Turn the final `Incumbent` into a `Plan`: names, exact usage, summary, objective.

Usage figures are recomputed here in exact format units (not the solver's rounded integers),
so the plan reports what the hardware really carries.
"""

from __future__ import annotations

from collections import defaultdict

from nfvplan.model import Form, Objective, Scenario
from nfvplan.network import link_key
from nfvplan.plan import (
    RESOURCE_KEYS,
    LinkLoad,
    ObjectiveValue,
    Placement,
    Plan,
    Route,
    ServerUse,
    SolveStats,
    Status,
    Summary,
)
from nfvplan.solver.data import DISK, NIC, instance_usage, reserve_usage
from nfvplan.solver.incumbent import Incumbent, natural
from nfvplan.solver.problem import Problem
from nfvplan.solver.routing import GBPS_UNITS
from nfvplan.usage import container_image_usage

CAPACITY_OF = {
    "threads": lambda t: t.threads,
    "memory_gib": lambda t: t.memory_gib,
    "disk_gib": lambda t: t.disk_gib,
    "nic_gbps": lambda t: t.nic_gbps,
    "sriov_vfs": lambda t: t.sriov_vfs,
}


def name_instances(problem: Problem, solution: Incumbent) -> list[tuple[Placement, int, int]]:
    """Placements with instance names `vnf-1..n`, numbered in server order per VNF.

    When re-planning, an instance that stays keeps its name, a moved one takes the name of an
    instance that left its old place (a move is the same instance elsewhere), and only new
    instances get fresh numbers, after the highest one in use. Returns (placement, kind index,
    slot index) triples so callers can map traffic back.
    """
    position = {name: i for i, name in enumerate(problem.vnf_names)}
    ordered = sorted(
        solution.counts.items(),
        key=lambda item: (
            position[problem.kinds[item[0][0]].vnf.name],
            item[0][1],
            -1 if item[0][2] is None else item[0][2],
            item[0][0],
        ),
    )
    namer = _Namer(problem, solution.counts)
    result = []
    for (k, s, node), count in ordered:
        kind = problem.kinds[k]
        for name in namer.names(k, s, count):
            placement = Placement(
                vnf=kind.vnf.name,
                instance=name,
                server=problem.slots[s].id,
                form=kind.form.value,
                numa_node=_node(kind.vnf.numa_aligned, problem.slots[s].type.numa_nodes, node),
            )
            result.append((placement, k, s))
    return result


class _Namer:
    """Hands out instance names: kept names first, then moved ones, then fresh numbers."""

    def __init__(self, problem: Problem, counts: dict[tuple[int, int, int | None], int]) -> None:
        self.problem = problem
        self.numbers: dict[str, int] = defaultdict(int)
        self.staying: dict[tuple[int, int], list[str]] = defaultdict(list)
        self.leaving: dict[str, list[str]] = defaultdict(list)
        self.taken: set[str] = set()
        current = problem.current
        if current is None:
            return
        placed: dict[tuple[int, int], int] = defaultdict(int)
        for (k, s, _node), count in counts.items():
            placed[(k, s)] += count
        for vnf, entries in current.names.items():
            for name, k, s in entries:
                self.taken.add(name)
                suffix = name.rsplit("-", 1)[-1]
                if name.startswith(f"{vnf}-") and suffix.isdigit():
                    self.numbers[vnf] = max(self.numbers[vnf], int(suffix))
                if len(self.staying[(k, s)]) < placed.get((k, s), 0):
                    self.staying[(k, s)].append(name)
                else:
                    self.leaving[vnf].append(name)

    def names(self, k: int, s: int, count: int) -> list[str]:
        """Names for `count` instances of kind `k` on slot `s`."""
        vnf = self.problem.kinds[k].vnf.name
        staying = self.staying.get((k, s), [])
        result = []
        while len(result) < count:
            if staying:
                result.append(staying.pop(0))
            elif self.leaving[vnf]:
                result.append(self.leaving[vnf].pop(0))
            else:
                self.numbers[vnf] += 1
                name = f"{vnf}-{self.numbers[vnf]}"
                if name not in self.taken:
                    result.append(name)
        return result


def _node(aligned: bool, nodes: int, node: int | None) -> int | None:
    """The plan's `numa_node`: every aligned instance names one, node 0 on a one-node server.

    Formulations split aligned instances over nodes only where there are several; a count they
    keep unsplit on a one-node server (the configuration-LP plans do) is on node 0.
    """
    if node is None and aligned and nodes == 1:
        return 0
    return node


def build_plan(
    problem: Problem, solution: Incumbent, formulation: str, workers: int, seed: int
) -> Plan:
    """The plan of a solved problem (or an empty one for infeasible/unknown outcomes)."""
    scenario = problem.scenario
    stats = SolveStats(
        round(solution.wall_time_s, 3), formulation, workers, seed, tuple(solution.notes)
    )
    if not solution.status.has_plan:
        return Plan(
            scenario=scenario.name,
            status=solution.status,
            objective=ObjectiveValue(
                problem.objective.value, None, _natural_bound(problem, solution), None
            ),
            stats=stats,
        )
    named = name_instances(problem, solution)
    carried = _carried_per_instance(named, solution)
    routes = _routes(problem, solution, named, carried)
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
        pulled = {
            problem.kinds[k].vnf.name: problem.kinds[k].vnf
            for _p, k in per_slot[s]
            if problem.kinds[k].form is Form.CONTAINER
        }
        for vnf in pulled.values():
            totals[DISK] += container_image_usage(vnf)
        for placement, k in per_slot[s]:
            kind = problem.kinds[k]
            for r, value in enumerate(instance_usage(scenario, kind.vnf, kind.form)):
                totals[r] += value
            totals[NIC] += carried.get(placement.instance, 0) / GBPS_UNITS
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
    bound = _natural_bound(problem, solution)
    if solution.status is Status.OPTIMAL:
        bound = value
    # Without a proven bound there is no gap to report: 0 would claim the plan proven.
    gap = None
    if bound is not None:
        gap = 0.0 if value == 0 else round(max(0.0, (value - bound) / abs(value)), 6)
    return Plan(
        scenario=scenario.name,
        status=solution.status,
        objective=ObjectiveValue(problem.objective.value, value, bound, gap),
        summary=summary,
        servers=servers,
        placements=placements,
        routes=routes,
        links=_link_loads(problem, solution),
        stats=stats,
    )


def _natural_bound(problem: Problem, solution: Incumbent) -> float | None:
    """The incumbent's first-level bound in the objective's own units."""
    if solution.bound is None:
        return None
    return natural(problem.objective, solution.bound)


def _carried_per_instance(
    named: list[tuple[Placement, int, int]], solution: Incumbent
) -> dict[str, int]:
    """Mbit/s each instance carries: a server's traffic for a kind, split evenly."""
    groups: dict[tuple[int, int], list[str]] = defaultdict(list)
    for placement, k, s in named:
        groups[(k, s)].append(placement.instance)
    carried: dict[str, int] = {}
    for key, units in solution.traffic.items():
        names = groups.get(key, [])
        if not names:
            continue
        base, extra = divmod(units, len(names))
        for i, name in enumerate(names):
            carried[name] = base + (1 if i < extra else 0)
    return carried


def _routes(
    problem: Problem,
    solution: Incumbent,
    named: list[tuple[Placement, int, int]],
    carried: dict[str, int],
) -> list[Route]:
    """Split every path flow over the instances that carry traffic at each chain stop.

    Per (VNF, site) the instances' carried traffic equals the flows that stop there (a solver
    constraint), so consuming instance capacity greedily in a fixed order assigns every Mbit/s.
    """
    if not solution.flows:
        return []
    pools: dict[tuple[str, str], list[list]] = defaultdict(list)
    for placement, _k, s in named:
        units = carried.get(placement.instance, 0)
        if units:
            pools[(placement.vnf, problem.slots[s].site.name)].append([placement.instance, units])
    chains = {name: service.chain for name, service in problem.scenario.services.items()}
    merged: dict[tuple, int] = defaultdict(int)
    for flow in sorted(solution.flows, key=lambda f: (f.service, f.demand, f.path.sites)):
        parts: list[tuple[int, list[str]]] = [(flow.units, [])]
        for vnf, site in zip(chains[flow.service], flow.path.vnf_sites, strict=True):
            pool = pools[(vnf, site)]
            next_parts = []
            for units, via in parts:
                while units > 0:
                    if not pool:
                        raise RuntimeError(f"internal error: no capacity left for {vnf} at {site}")
                    take = min(units, pool[0][1])
                    next_parts.append((take, [*via, pool[0][0]]))
                    pool[0][1] -= take
                    units -= take
                    if pool[0][1] == 0:
                        pool.pop(0)
            parts = next_parts
        for units, via in parts:
            merged[
                (flow.service, flow.demand, flow.path.sites, flow.path.latency_ms, tuple(via))
            ] += units
    return [
        Route(service, demand, units / GBPS_UNITS, round(latency, 6), list(sites), list(via))
        for (service, demand, sites, latency, via), units in merged.items()
    ]


def _link_loads(problem: Problem, solution: Incumbent) -> list[LinkLoad]:
    """Load on every link that carries traffic, both directions together."""
    load: dict[tuple[str, str], int] = defaultdict(int)
    for flow in solution.flows:
        for key in flow.path.links:
            load[key] += flow.units
    result = []
    for link in problem.scenario.links:
        units = load.get(link_key(link.a, link.b), 0)
        if units:
            result.append(LinkLoad(link.a, link.b, units / GBPS_UNITS, link.gbps))
    return result


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
