"""Turn the final `Incumbent` into a `Plan`: names, exact usage, summary, objective.

Usage figures are recomputed in exact format units (not the solver's rounded integers) by
`nfvplan/derived.py`, which `nfvplan refresh` shares,
so the plan reports what the hardware really carries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from nfvplan.derived import gap_of, link_loads, objective_value, server_use, summarise
from nfvplan.model import Form, WorkerFlavor
from nfvplan.plan import (
    ObjectiveValue,
    Placement,
    Plan,
    Route,
    ServerUse,
    SolveStats,
    Status,
    WorkerVm,
)
from nfvplan.solver.incumbent import Counts, Incumbent, natural
from nfvplan.solver.nesting import Workers, pack
from nfvplan.solver.problem import Problem
from nfvplan.solver.routing import GBPS_UNITS


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
    named, workers, flavors = _nest(problem, solution, named)
    carried = _carried_per_instance(named, solution)
    routes = _routes(problem, solution, named, carried)
    per_slot: dict[int, list[tuple[Placement, int]]] = defaultdict(list)
    for placement, k, s in named:
        per_slot[s].append((placement, k))
    servers: list[ServerUse] = []
    for s in sorted(per_slot):
        slot = problem.slots[s]
        hosted = [
            (
                problem.kinds[k].vnf,
                problem.kinds[k].form,
                carried.get(placement.instance, 0) / GBPS_UNITS,
            )
            for placement, k in per_slot[s]
        ]
        described = (slot.id, slot.site.name, slot.type, slot.rack, slot.bought)
        servers.append(server_use(scenario, described, hosted, flavors.get(s, [])))
    placements = [placement for placement, _k, _s in named]
    summary = summarise(scenario, servers, placements)
    value = objective_value(problem.objective, scenario, summary, servers)
    bound = _natural_bound(problem, solution)
    if solution.status is Status.OPTIMAL:
        bound = value
    gap = gap_of(value, bound)
    return Plan(
        scenario=scenario.name,
        status=solution.status,
        objective=ObjectiveValue(problem.objective.value, value, bound, gap),
        summary=summary,
        servers=servers,
        placements=placements,
        routes=routes,
        links=link_loads(scenario, routes),
        stats=stats,
        workers=workers,
    )


# -- nested form (container-in-vm): worker VMs ---------------------------------------------------


def _nest(
    problem: Problem, solution: Incumbent, named: list[tuple[Placement, int, int]]
) -> tuple[list[tuple[Placement, int, int]], list[WorkerVm], dict[int, list[WorkerFlavor]]]:
    """The plan's worker VMs, and each nested placement with its worker (and its node).

    The search reads its workers back from the model; a plan from elsewhere (a start plan, a
    re-indexed part) is packed here the same way `start.offer` checked it (`nesting.pack`).
    Workers are named `worker-<trust domain>-<n>`, n from 1 in server order per domain."""
    tables = problem.nesting
    if tables is None:
        return named, [], {}
    workers = solution.workers
    if not _matches(problem, workers, solution.counts):
        workers = pack(problem, solution.counts)
        if workers is None:
            raise RuntimeError("internal error: a plan's nested instances fit no worker VMs")
    nesting = problem.scenario.platform.nesting
    names: dict[tuple[int, int], list[str]] = defaultdict(list)  # (kind, slot) → worker ids
    nodes: dict[str, int | None] = {}
    vms: list[WorkerVm] = []
    flavors: dict[int, list[WorkerFlavor]] = defaultdict(list)
    numbers: dict[str, int] = defaultdict(int)
    for (s, domain), entries in sorted(workers.items()):
        flavor = nesting.flavor(domain)
        assert flavor is not None
        for node, contents in entries:
            numbers[domain] += 1
            worker_id = f"worker-{domain}-{numbers[domain]}"
            vms.append(
                WorkerVm(
                    worker_id,
                    problem.slots[s].id,
                    domain,
                    domain if domain in nesting.workers else "worker",
                    node,
                )
            )
            flavors[s].append(flavor)
            nodes[worker_id] = node
            for k, count in sorted(contents.items()):
                names[(k, s)].extend([worker_id] * count)
    out = []
    for placement, k, s in named:
        if problem.kinds[k].form is Form.NESTED:
            worker_id = names[(k, s)].pop(0)
            node = nodes[worker_id]
            if node is None and problem.kinds[k].vnf.numa_aligned:
                node = 0  # a one-node host, or an aligned worker there: node 0
            placement = replace(placement, worker=worker_id, numa_node=node)
        out.append((placement, k, s))
    return out, vms, flavors


def _matches(problem: Problem, workers: Workers, counts: Counts) -> bool:
    """True when `workers` hold exactly the nested instances of `counts`."""
    held: dict[tuple[int, int], int] = defaultdict(int)
    for (s, _domain), entries in workers.items():
        for _node, contents in entries:
            for k, count in contents.items():
                held[(k, s)] += count
    wanted: dict[tuple[int, int], int] = defaultdict(int)
    for (k, s, _node), count in counts.items():
        if count and problem.kinds[k].form is Form.NESTED:
            wanted[(k, s)] += count
    return {key: c for key, c in held.items() if c} == dict(wanted)


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
