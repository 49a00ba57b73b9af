"""A first-fit-decreasing starting plan that obeys every per-server and anti-affinity rule.

CP-SAT finds a first solution of a tight packing slowly on its own; a greedy plan handed over as
a hint gives it an upper bound from the first second. Largest instances go first (by their
largest share of a server), each onto the first server, in cheapest-first order, where it fits in
some form; servers already in use are preferred so the plan stays compact. Routing is ignored
here: traffic-driven NIC load is left to the exact search.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from nfvplan.model import Form, Scope
from nfvplan.solver.data import NUMA_RESOURCES, THREADS, Slot
from nfvplan.solver.problem import Problem

Counts = dict[tuple[int, int, int | None], int]


@dataclass
class _Server:
    """What the greedy has put on one slot so far."""

    slot: Slot
    load: list[int]
    node_load: list[list[int]]
    forms: set[Form] = field(default_factory=set)
    domain: str | None = None
    isolated: bool = False
    instances: int = 0


def _share(problem: Problem, k: int, measure: Callable[[list[float]], float]) -> float:
    """A kind's 'size' for ordering: `measure` of its shares of its first candidate server."""
    kind = problem.kinds[k]
    for s in problem.candidates[k][:1]:
        cap = problem.slots[s].capacity
        return measure([d / c for d, c in zip(kind.demand, cap, strict=True) if c > 0])
    return 0.0


_SCOPE_ORDER = {Scope.SITE: 1, Scope.RACK: 2, Scope.HOST: 3, None: 4}


def _rigidity(problem: Problem, name: str) -> int:
    """Most constrained first: dedicated hosts, then replicas spread over sites, racks, hosts.

    A small VNF that needs one replica per site must not come last, when every server of some
    site already holds containers of another trust domain.
    """
    vnf = problem.scenario.vnfs[name]
    return 0 if vnf.isolated else _SCOPE_ORDER[vnf.anti_affinity]


def _unit(problem: Problem, slot: Slot, vnf_name: str) -> object:
    scope = problem.scenario.vnfs[vnf_name].anti_affinity
    if scope is Scope.HOST:
        return slot.index
    if scope is Scope.RACK:
        return (slot.site.name, slot.rack)
    return slot.site.name


@dataclass(frozen=True)
class _Fit:
    """Whether an instance fits a server, and on which NUMA node (None: not node-bound)."""

    fits: bool
    node: int | None = None


_NO_FIT = _Fit(False)


def _try(problem: Problem, server: _Server, k: int) -> _Fit:
    """Whether one instance of kind k fits on `server` now, and on which NUMA node."""
    kind = problem.kinds[k]
    slot = server.slot
    if server.isolated or (kind.vnf.isolated and server.instances):
        return _NO_FIT
    if kind.form is Form.CONTAINER and server.domain not in (None, kind.vnf.trust):
        return _NO_FIT
    new_form = kind.form not in server.forms
    reserve = problem.reserve(kind.form, slot)
    for r, cap in enumerate(slot.capacity):
        extra = kind.demand[r] + (reserve[r] if new_form else 0)
        if server.load[r] + extra > cap:
            return _NO_FIT
    nodes = slot.type.numa_nodes
    forms = server.forms | {kind.form}
    reserves = [sum(problem.reserve(f, slot)[r] for f in forms) for r in range(5)]
    if new_form and nodes > 1 and not _nodes_hold(server, reserves, nodes):
        return _NO_FIT  # a new form's reserve shrinks every node's share, occupied ones too
    if not kind.vnf.numa_aligned or nodes == 1:
        return _Fit(True, 0 if kind.vnf.numa_aligned else None)
    for n in range(nodes):
        if all(
            nodes * (server.node_load[n][r] + kind.demand[r]) + reserves[r] <= slot.capacity[r]
            for r in NUMA_RESOURCES
        ):
            return _Fit(True, n)
    return _NO_FIT


def _nodes_hold(server: _Server, reserves: list[int], nodes: int) -> bool:
    """True when every node's aligned load still fits its share with these reserves."""
    capacity = server.slot.capacity
    return all(
        nodes * server.node_load[n][r] + reserves[r] <= capacity[r]
        for n in range(nodes)
        for r in NUMA_RESOURCES
    )


def _place(problem: Problem, server: _Server, k: int, node: int | None) -> None:
    kind = problem.kinds[k]
    if kind.form not in server.forms:
        server.forms.add(kind.form)
        for r, value in enumerate(problem.reserve(kind.form, server.slot)):
            server.load[r] += value
    for r, value in enumerate(kind.demand):
        server.load[r] += value
    if node is not None and server.slot.type.numa_nodes > 1:
        for r in NUMA_RESOURCES:
            server.node_load[node][r] += kind.demand[r]
    if kind.form is Form.CONTAINER:
        server.domain = kind.vnf.trust
    server.isolated = server.isolated or kind.vnf.isolated
    server.instances += 1


SIZE_MEASURES: tuple[Callable[[list[float]], float], ...] = (max, sum)
"""Orderings tried: by the largest share of a server (classic vector FFD), then by the sum."""


def greedy_plan(problem: Problem, start: Counts | None = None) -> Counts | None:
    """A plan as instance counts per (kind, slot, NUMA node), or None when greedy gets stuck.

    `start` is a partial plan to complete (e.g. the configurations an LP rounding kept); it must
    itself obey the per-server rules. Each size measure gives one first-fit-decreasing run; the
    cheapest plan wins.
    """
    plans = [_first_fit(problem, start, measure) for measure in SIZE_MEASURES]
    found = [plan for plan in plans if plan is not None]
    return min(found, key=problem.plan_cost) if found else None


def _first_fit(
    problem: Problem, start: Counts | None, measure: Callable[[list[float]], float]
) -> Counts | None:
    """One first-fit-decreasing run with instances ordered by `measure` of their shares."""
    servers = {
        slot.index: _Server(slot, [0] * 5, [[0] * 5 for _ in range(slot.type.numa_nodes)])
        for slot in problem.slots
    }
    order = sorted(problem.slots, key=lambda slot: (slot.cost, slot.index))
    rank = {slot.index: i for i, slot in enumerate(order)}
    counts: Counts = defaultdict(int)
    taken: dict[str, set[object]] = defaultdict(set)
    placed: dict[str, int] = defaultdict(int)
    for (k, s, node), count in (start or {}).items():
        name = problem.kinds[k].vnf.name
        for _ in range(count):
            _place(problem, servers[s], k, node)
        counts[(k, s, node)] += count
        placed[name] += count
        if problem.scenario.vnfs[name].anti_affinity is not None:
            taken[name].add(_unit(problem, servers[s].slot, name))
    names = sorted(
        problem.vnf_names,
        key=lambda n: (
            _rigidity(problem, n),
            -max((_share(problem, k, measure) for k in problem.kinds_of(n)), default=0.0),
        ),
    )
    for name in names:
        kinds = problem.kinds_of(name)
        for _ in range(problem.counts[name] - placed[name]):
            options = sorted(
                (
                    (not servers[s].instances, rank[s], k, s)
                    for k in kinds
                    for s in problem.candidates[k]
                ),
            )
            anti_affine = problem.scenario.vnfs[name].anti_affinity is not None
            for _idle, _rank, k, s in options:
                server = servers[s]
                if anti_affine and _unit(problem, server.slot, name) in taken[name]:
                    continue
                fit = _try(problem, server, k)
                if not fit.fits:
                    continue
                _place(problem, server, k, fit.node)
                counts[(k, s, fit.node)] += 1
                if anti_affine:
                    taken[name].add(_unit(problem, server.slot, name))
                break
            else:
                return None
    return _canonical(problem, dict(counts))


def _canonical(problem: Problem, counts: Counts) -> Counts:
    """Relabel interchangeable servers and NUMA nodes to satisfy the model's symmetry order.

    Within a symmetry group the busiest server (by instance threads) takes the first slot; on
    each server the busiest NUMA node becomes node 0.
    """
    per_slot: dict[int, dict[tuple[int, int | None], int]] = defaultdict(dict)
    for (k, s, node), count in counts.items():
        per_slot[s][(k, node)] = count
    result: Counts = {}
    for group in problem.symmetry_groups():
        fills = [per_slot.get(s, {}) for s in group]
        fills.sort(key=lambda fill: -_threads(problem, fill))
        for s, fill in zip(group, fills, strict=True):
            for (k, node), count in _renumber_nodes(problem, fill).items():
                result[(k, s, node)] = count
    return result


def _threads(problem: Problem, fill: dict[tuple[int, int | None], int]) -> int:
    return sum(problem.kinds[k].demand[THREADS] * c for (k, _n), c in fill.items())


def _renumber_nodes(
    problem: Problem, fill: dict[tuple[int, int | None], int]
) -> dict[tuple[int, int | None], int]:
    load: dict[int, int] = defaultdict(int)
    for (k, node), count in fill.items():
        if node is not None:
            load[node] += problem.kinds[k].demand[THREADS] * count
    order = sorted(load, key=lambda n: -load[n])
    rename = {old: new for new, old in enumerate(order)}
    return {(k, None if n is None else rename[n]): c for (k, n), c in fill.items()}
