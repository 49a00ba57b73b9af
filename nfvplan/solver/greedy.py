"""A first-fit-decreasing starting plan that obeys every per-server and anti-affinity rule.

CP-SAT finds a first solution of a tight packing slowly on its own; a greedy plan handed over as
a hint gives it an upper bound from the first second. Largest instances go first (by their
largest share of a server), each onto the first server, in cheapest-first order, where it fits in
some form; servers already in use are preferred so the plan stays compact. Routing is ignored
here: traffic-driven NIC load is left to the exact search.
"""

from __future__ import annotations

import heapq
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from nfvplan.model import Form, Scope
from nfvplan.solver.data import NIC, NUMA_RESOURCES, THREADS, Slot
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
    if nodes == 1:
        return _Fit(True, 0 if kind.vnf.numa_aligned else None)
    if not new_form and not kind.vnf.numa_aligned:
        return _Fit(True, None)
    forms = server.forms | {kind.form}
    reserves = [sum(problem.reserve(f, slot)[r] for f in forms) for r in range(5)]
    if new_form and not _nodes_hold(server, reserves, nodes):
        return _NO_FIT  # a new form's reserve shrinks every node's share, occupied ones too
    if not kind.vnf.numa_aligned:
        return _Fit(True, None)
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


def greedy_plan(
    problem: Problem,
    start: Counts | None = None,
    deadline: float | None = None,
    measures: tuple[Callable[[list[float]], float], ...] = SIZE_MEASURES,
) -> Counts | None:
    """A plan as instance counts per (kind, slot, NUMA node), or None when greedy gets stuck.

    `start` is a partial plan to complete (e.g. the configurations an LP rounding kept); it must
    itself obey the per-server rules. Each size measure gives one first-fit-decreasing run; the
    cheapest plan wins. Past `deadline` (a `time.perf_counter()` value) no further measure is
    tried, but the first one always runs: a large solve needs some plan first.
    """
    plans = []
    for measure in measures:
        if plans and deadline is not None and time.perf_counter() >= deadline:
            break
        plans.append(_FirstFit(problem, start).run(measure))
    found = [plan for plan in plans if plan is not None]
    return min(found, key=problem.plan_cost) if found else None


class _FirstFit:
    """One first-fit-decreasing run, incremental so that it stays near-linear at scale.

    The rule is the classic one: each instance goes onto the first server, in cheapest-first
    order, where it fits in some form, servers already in use before idle ones. Scanning every
    candidate server for every instance is O(instances x servers) (100 000 x 2 000 at operator
    scale), so each VNF's instances are placed together, using that a server an instance of a
    kind does not fit (or whose anti-affinity unit is taken) stays so while the VNF is placed:
    loads, forms, trust domains and taken units only ever grow. Per VNF the options (kind,
    server) are ordered once; a vectorised capacity test drops those that cannot fit now; the
    used servers' options sit in a heap (popped for good when they fail), the idle ones in a
    list read once. Every option is tried at most once per failure, so a VNF costs about its
    candidate count, and the plan is exactly the one the per-instance scan would give.
    """

    def __init__(self, problem: Problem, start: Counts | None) -> None:
        self.problem = problem
        self.start = start or {}
        slots = problem.slots
        self.servers = [
            _Server(slot, [0] * 5, [[0] * 5 for _ in range(slot.type.numa_nodes)]) for slot in slots
        ]
        order = sorted(slots, key=lambda slot: (slot.cost, slot.index))
        self.rank = np.empty(len(slots), dtype=np.int64)
        for i, slot in enumerate(order):
            self.rank[slot.index] = i
        self.capacity = np.array([slot.capacity for slot in slots], dtype=np.int64).reshape(-1, 5)
        self.load = np.zeros((len(slots), 5), dtype=np.int64)
        self.instances = np.zeros(len(slots), dtype=np.int64)
        self.isolated = np.zeros(len(slots), dtype=bool)
        self.domain = np.zeros(len(slots), dtype=np.int64)  # 0: no container yet
        self.domains: dict[str, int] = {}
        self.demand = np.array([kind.demand for kind in problem.kinds], dtype=np.int64)
        self.counts: Counts = defaultdict(int)
        self.taken: dict[str, set[object]] = defaultdict(set)
        self.placed: dict[str, int] = defaultdict(int)
        self.cap: dict[str, int] = {}
        """VNF → most instances on one server (`redundancy`: spares survive any one host)."""
        for name in problem.vnf_names:
            needed = problem.needed_after_failure(name)
            if needed is not None:
                self.cap[name] = problem.counts[name] - needed
        self.here: dict[tuple[str, int], int] = defaultdict(int)

    def run(self, measure: Callable[[list[float]], float]) -> Counts | None:
        """The plan with instances ordered by `measure` of their shares, or None if stuck."""
        problem = self.problem
        for (k, s, node), count in self.start.items():
            name = problem.kinds[k].vnf.name
            for _ in range(count):
                self._put(k, s, node)
            self.counts[(k, s, node)] += count
            self.placed[name] += count
            self.here[(name, s)] += count
            if problem.scenario.vnfs[name].anti_affinity is not None:
                self.taken[name].add(_unit(problem, self.servers[s].slot, name))
        names = sorted(
            problem.vnf_names,
            key=lambda n: (
                _rigidity(problem, n),
                -max((_share(problem, k, measure) for k in problem.kinds_of(n)), default=0.0),
            ),
        )
        for name in names:
            need = problem.counts[name] - self.placed[name]
            if need > 0 and not self._place_vnf(name, need):
                return None
        return _canonical(problem, dict(self.counts))

    # -- shared with the routing-aware greedy (chain_greedy.py), which places instances at the
    # -- sites its routes choose on this same state, so the per-server rules stay written once

    def try_at(self, k: int, s: int) -> _Fit:
        """Whether one more instance of kind k fits server s now (every per-server rule and the
        VNF's anti-affinity), and on which NUMA node."""
        name = self.problem.kinds[k].vnf.name
        anti_affine = self.problem.scenario.vnfs[name].anti_affinity is not None
        return self._fits(name, anti_affine, self.taken[name], k, s)

    def add(self, k: int, s: int, fit: _Fit) -> None:
        """Place one instance of kind k on server s (after `try_at` said it fits)."""
        name = self.problem.kinds[k].vnf.name
        anti_affine = self.problem.scenario.vnfs[name].anti_affinity is not None
        self._record(name, anti_affine, self.taken[name], k, s, fit)
        self.placed[name] += 1

    def add_nic(self, s: int, units: int) -> None:
        """Routed traffic (Mbit/s, negative to release) on server s's NIC."""
        self.servers[s].load[NIC] += units
        self.load[s, NIC] += units

    def complete(
        self,
        names: list[str] | None = None,
        measure: Callable = max,
        at_least: Mapping[str, int] | None = None,
    ) -> bool:
        """Place what each VNF (of `names`, default all) still lacks of `problem.counts` (or of
        `at_least`, where larger), in this greedy's order; False when some instance fits
        nowhere."""
        problem = self.problem
        chosen = problem.vnf_names if names is None else names
        order = sorted(
            chosen,
            key=lambda n: (
                _rigidity(problem, n),
                -max((_share(problem, k, measure) for k in problem.kinds_of(n)), default=0.0),
            ),
        )
        for name in order:
            wanted = max(problem.counts[name], (at_least or {}).get(name, 0))
            need = wanted - self.placed[name]
            if need > 0:
                if not self._place_vnf(name, need):
                    return False
                self.placed[name] += need
        return True

    def _options(self, kinds: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Every (kind, server) option of a VNF in scan order: server rank, then kind index."""
        ks = [np.full(len(self.problem.candidates[k]), k, dtype=np.int64) for k in kinds]
        ss = [np.asarray(self.problem.candidates[k], dtype=np.int64) for k in kinds]
        if not ks:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        k_all, s_all = np.concatenate(ks), np.concatenate(ss)
        order = np.lexsort((k_all, self.rank[s_all]))
        return k_all[order], s_all[order]

    def _maybe(self, k_opt: np.ndarray, s_opt: np.ndarray) -> np.ndarray:
        """Options that may fit now: a necessary test (no new-form reserve, no NUMA node)."""
        room = (self.load[s_opt] + self.demand[k_opt] <= self.capacity[s_opt]).all(axis=1)
        room &= ~self.isolated[s_opt]
        for k in np.unique(k_opt).tolist():
            kind = self.problem.kinds[k]
            mine = k_opt == k
            if kind.vnf.isolated:
                room &= ~mine | (self.instances[s_opt] == 0)
            if kind.form is Form.CONTAINER:
                trust = self.domains.get(kind.vnf.trust, -1)
                ok = (self.domain[s_opt] == 0) | (self.domain[s_opt] == trust)
                room &= ~mine | ok
        return room

    def _place_vnf(self, name: str, need: int) -> bool:
        """Place `need` instances of one VNF, each on the first option that fits."""
        problem = self.problem
        anti_affine = problem.scenario.vnfs[name].anti_affinity is not None
        taken = self.taken[name]
        k_opt, s_opt = self._options(problem.kinds_of(name))
        keep = self._maybe(k_opt, s_opt)
        k_opt, s_opt = k_opt[keep], s_opt[keep]
        used = self.instances[s_opt] > 0
        rank = self.rank
        pairs = zip(k_opt[used].tolist(), s_opt[used].tolist(), strict=True)
        heap = [(int(rank[s]), k, s) for k, s in pairs]
        idle = list(zip(k_opt[~used].tolist(), s_opt[~used].tolist(), strict=True))
        at = 0  # idle options before `at` failed, or their server is in use (in the heap)
        for _ in range(need):
            while heap:
                _r, k, s = heap[0]
                fit = self._fits(name, anti_affine, taken, k, s)
                if not fit.fits:
                    heapq.heappop(heap)  # fails now, so fails for the rest of this VNF
                    continue
                self._record(name, anti_affine, taken, k, s, fit)
                break
            else:
                while at < len(idle):
                    k, s = idle[at]
                    if self.instances[s]:
                        at += 1
                        continue
                    fit = self._fits(name, anti_affine, taken, k, s)
                    if not fit.fits:
                        at += 1
                        continue
                    self._record(name, anti_affine, taken, k, s, fit)
                    # the server is in use now: its options, this one and the next kinds' (the
                    # earlier kinds' failed already), join the used servers' heap
                    r = int(rank[s])
                    while at < len(idle) and idle[at][1] == s:
                        heapq.heappush(heap, (r, idle[at][0], s))
                        at += 1
                    break
                else:
                    return False
        return True

    def _fits(self, name: str, anti_affine: bool, taken: set[object], k: int, s: int) -> _Fit:
        """Whether kind k fits server s now, anti-affinity of the VNF included."""
        server = self.servers[s]
        if anti_affine and _unit(self.problem, server.slot, name) in taken:
            return _NO_FIT
        cap = self.cap.get(name)
        if cap is not None and self.here[(name, s)] >= cap:
            return _NO_FIT  # counts only grow: it stays full for the rest of this VNF
        return _try(self.problem, server, k)

    def _record(
        self, name: str, anti_affine: bool, taken: set[object], k: int, s: int, fit: _Fit
    ) -> None:
        self._put(k, s, fit.node)
        self.counts[(k, s, fit.node)] += 1
        self.here[(name, s)] += 1
        if anti_affine:
            taken.add(_unit(self.problem, self.servers[s].slot, name))

    def _put(self, k: int, s: int, node: int | None) -> None:
        """Place one instance on server s and mirror its state into the vectorised arrays."""
        server = self.servers[s]
        _place(self.problem, server, k, node)
        self.load[s] = server.load
        self.instances[s] = server.instances
        self.isolated[s] = server.isolated
        if server.domain is not None:
            self.domain[s] = self.domains.setdefault(server.domain, len(self.domains) + 1)


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
