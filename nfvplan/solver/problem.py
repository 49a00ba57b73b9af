"""The solver's view of a scenario: slots, per-form demands, and where each VNF may go.

Built once per solve and shared by the formulation, the result builder and the explainer, so
that the question "may instance kind (vnf, form) sit on this server at all?" has one answer.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from nfvplan.model import Form, Objective, Scenario, Scope, Vnf
from nfvplan.network import PathCache, build_graph
from nfvplan.solver.data import (
    COST_SCALE,
    DISK,
    Slot,
    build_slots,
    fits,
    host_reserve,
    instance_demand,
    max_copies,
    resource_units,
    scale_up,
)
from nfvplan.solver.nesting import NestingTables, build_tables
from nfvplan.solver.routing import GBPS_UNITS, RoutingSet, build_routing
from nfvplan.solver.stop import check_stop


@dataclass(frozen=True)
class Kind:
    """One way to run an instance: a VNF in one of its forms."""

    vnf: Vnf
    form: Form
    demand: tuple[int, ...]


class SlotBounds(Mapping[tuple[int, int], int]):
    """(kind, slot) → bound, stored once per kind and (site, server type) group.

    The bound only depends on the kind and the server's type, and whether a kind may go there on
    its site: a dict with a key per (kind, candidate slot) held 10^7 entries (1 GiB) at
    operator scale. Slots of one group are consecutive in slot order (`build_slots` numbers site
    by site, type by type), so iterating kind by kind, group by group, is in (kind, slot) order.
    """

    def __init__(self, slots: list[Slot]) -> None:
        index: dict[tuple[str, str], int] = {}
        self.group_of: list[int] = []
        self.groups: list[list[int]] = []
        for slot in slots:
            g = index.setdefault((slot.site.name, slot.type.name), len(index))
            if g == len(self.groups):
                self.groups.append([])
            self.groups[g].append(slot.index)
            self.group_of.append(g)
        self.per_kind: list[dict[int, int]] = []
        """kind → {group: bound}, only groups where at least one instance fits and is allowed."""

    def __getitem__(self, key: tuple[int, int]) -> int:
        k, s = key
        if 0 <= k < len(self.per_kind) and 0 <= s < len(self.group_of):
            bound = self.per_kind[k].get(self.group_of[s])
            if bound is not None:
                return bound
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except (KeyError, TypeError, ValueError):
            return False
        return True

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for k, per_group in enumerate(self.per_kind):
            for g in sorted(per_group):
                for s in self.groups[g]:
                    yield (k, s)

    def __len__(self) -> int:
        return sum(len(self.groups[g]) for per_group in self.per_kind for g in per_group)

    def cap(self, k: int, most: int) -> None:
        """At most `most` instances of kind `k` on any one server (a pooled relaxation's cap:
        one member of each anti-affine set per host, `decompose.pooled_problem`)."""
        per_group = self.per_kind[k]
        for g, bound in per_group.items():
            per_group[g] = min(bound, most)


@dataclass(frozen=True)
class Current:
    """The deployment a re-plan starts from, in the solver's indices.

    `stay` counts the instances that could remain exactly where they are (same server, same
    form, still allowed there); `per_vnf` counts every current instance of a VNF, including those
    on servers that are gone, so that re-placing them counts as a move. `names` keeps the current
    instance names per (kind, slot), so a kept instance keeps its name in the new plan and a
    moved one takes its old name along.
    """

    stay: dict[tuple[int, int], int]
    per_vnf: dict[str, int]
    names: dict[str, list[tuple[str, int, int]]]
    """VNF → (instance name, kind, slot or -1 when its server is gone), in plan order."""
    keep: bool = False
    """Every instance that can stay must stay (failure recovery: move nothing else)."""
    move_cost: int = 0
    """Objective units (cents for cost) charged per moved instance; 0 = moves only break ties."""
    max_moves: int | None = None
    spare: dict[tuple[int, int], int] = field(default_factory=dict)
    """(nested kind, slot) → restarted instances the current plan's worker VMs there take in
    (`lifecycle.worker_spare`): they neither boot a worker nor pull (recovery budgets)."""


@dataclass(frozen=True)
class Frozen:
    """What a neighbourhood of the large-neighbourhood search keeps of the plan around it
    (`solver/lns.py`), in the model's units: the restricted problem's model re-decides every
    server it has, and these keep the rules that cross its border exact.
    """

    links: dict[tuple[str, str], int]
    """Undirected link key → Mbit/s the kept demands' routes put on it."""
    carried: dict[tuple[str, str], int]
    """(VNF, site) → Mbit/s of the kept demands that the VNF's instances there process (a
    border site: the kept demands stop there too)."""


@dataclass
class Problem:
    """Everything a formulation needs, index-based and in integer units."""

    scenario: Scenario
    objective: Objective
    slots: list[Slot]
    kinds: list[Kind]
    reserves: dict[tuple[Form, str], tuple[int, ...]]
    counts: dict[str, int]
    units: tuple[int, ...]
    """Integer units per format unit of each resource (see `data.resource_units`)."""
    candidates: dict[int, list[int]] = field(default_factory=dict)
    """kind index → slot indices where one instance of the kind fits and is allowed."""
    bounds: Mapping[tuple[int, int], int] = field(default_factory=dict)
    """(kind, slot) → most instances of that kind the slot could hold (a `SlotBounds`)."""
    routing: RoutingSet | None = None
    """Candidate chain paths per demand; None when the scenario has no services."""
    traffic: dict[str, int] = field(default_factory=dict)
    """VNF → total Mbit/s of the demands whose chain passes it."""
    current: Current | None = None
    """The deployment to re-plan from, when there is one."""
    failures: list = field(default_factory=list)
    """`survive.Recovery` per single failure the plan must survive (empty: a plain plan)."""
    nesting: NestingTables | None = None
    """Worker VMs of the nested form (`container-in-vm`); None when no kind is nested."""
    frozen: Frozen | None = None
    """A neighbourhood's restricted problem: what it keeps of the plan (`solver/lns.py`)."""
    _kinds_by_vnf: dict[str, list[int]] | None = field(default=None, repr=False, compare=False)
    _kinds_indexed: int = field(default=0, repr=False, compare=False)

    def scales_with_traffic(self, vnf_name: str) -> bool:
        """True when the VNF's count follows its traffic (a lower bound, not an exact count)."""
        return self.scenario.vnfs[vnf_name].throughput_gbps is not None

    @property
    def vnf_names(self) -> list[str]:
        """VNFs in file order."""
        return list(self.scenario.vnfs)

    def kinds_of(self, vnf_name: str) -> list[int]:
        """Kind indices of one VNF (indexed once: callers ask per VNF, thousands of times)."""
        if self._kinds_by_vnf is None or self._kinds_indexed != len(self.kinds):
            index: dict[str, list[int]] = defaultdict(list)
            for k, kind in enumerate(self.kinds):
                index[kind.vnf.name].append(k)
            self._kinds_by_vnf, self._kinds_indexed = dict(index), len(self.kinds)
        return list(self._kinds_by_vnf.get(vnf_name, ()))

    def needed_after_failure(self, vnf_name: str) -> int | None:
        """Instances of a VNF with `redundancy` that must survive the loss of any one host (its
        count without the spares), or None when the spread rule does not apply: no spares, no
        traffic to carry, or a failure being recovered from (`Scenario.degraded`).

        The spread rule itself: at most (instances - this) of the VNF on any one server. A
        decomposed part gives the VNF `replicas` with its `redundancy` kept, so counts minus
        spares is the need there too."""
        vnf = self.scenario.vnfs[vnf_name]
        if not vnf.redundancy or self.scenario.degraded:
            return None
        needed = self.counts[vnf_name] - vnf.redundancy
        return needed if needed > 0 else None

    def container_image(self, vnf_name: str) -> int:
        """Disk units a host gives up once when it runs any container of the VNF (its pulled
        image, shared by all of them); 0 without an image. A VM's image is in its demand."""
        return scale_up(self.scenario.vnfs[vnf_name].image_gib.container, DISK, self.units)

    def images_fit(self, counts: Mapping[tuple[int, int, int | None], int]) -> bool:
        """True when a plan's disks hold the container images it pulls (the greedy and the
        configuration LP do not know that a host pulls an image once: `start.offer`)."""
        if not any(v.image_gib.container for v in self.scenario.vnfs.values()):
            return True
        disk: dict[int, int] = defaultdict(int)
        forms: dict[int, set[Form]] = defaultdict(set)
        pulled: dict[int, set[str]] = defaultdict(set)
        for (k, s, _node), count in counts.items():
            if not count:
                continue
            kind = self.kinds[k]
            disk[s] += kind.demand[DISK] * count
            forms[s].add(kind.form)
            if kind.form is Form.CONTAINER:
                pulled[s].add(kind.vnf.name)
        for s, used in disk.items():
            slot = self.slots[s]
            used += sum(self.reserve(form, slot)[DISK] for form in forms[s])
            used += sum(self.container_image(name) for name in pulled[s])
            if used > slot.capacity[DISK]:
                return False
        return True

    def spares_spread(self, counts: Mapping[tuple[int, int, int | None], int]) -> bool:
        """True when a plan, as counts per (kind, slot, node), holds the spread rule of
        `needed_after_failure` (the configuration LP's plans do not know it: `start.offer`)."""
        total: dict[str, int] = defaultdict(int)
        here: dict[tuple[str, int], int] = defaultdict(int)
        for (k, s, _node), count in counts.items():
            name = self.kinds[k].vnf.name
            total[name] += count
            here[(name, s)] += count
        for (name, _s), count in here.items():
            needed = self.needed_after_failure(name)
            if needed is not None and total[name] - count < needed:
                return False
        return True

    def vnf_candidates(self, vnf_name: str) -> list[int]:
        """Slot indices, sorted, where some form of the VNF may go (any of its kinds)."""
        bounds = self.bounds
        if isinstance(bounds, SlotBounds) and self._grouped(vnf_name):
            # groups are consecutive runs of slots in slot order: their union is sorted
            return [s for g in sorted(self.candidate_key(vnf_name)) for s in bounds.groups[g]]
        return sorted({s for k in self.kinds_of(vnf_name) for s in self.candidates[k]})

    def candidate_key(self, vnf_name: str) -> frozenset[int]:
        """A set standing for the VNF's candidate slots, ordered by inclusion as they are:
        the (site, type) groups when the bounds are stored per group (thousands of times
        smaller at operator scale), else the slot indices themselves."""
        bounds = self.bounds
        if isinstance(bounds, SlotBounds) and self._grouped(vnf_name):
            return frozenset(g for k in self.kinds_of(vnf_name) for g in bounds.per_kind[k])
        return frozenset(s for k in self.kinds_of(vnf_name) for s in self.candidates[k])

    def candidate_sites(self, vnf_name: str) -> set[str]:
        """Sites holding at least one candidate slot of the VNF (read off the groups when the
        bounds are stored per group: one look per group, not per server)."""
        bounds = self.bounds
        if isinstance(bounds, SlotBounds) and self._grouped(vnf_name):
            return {self.slots[bounds.groups[g][0]].site.name for g in self.candidate_key(vnf_name)}
        return {self.slots[s].site.name for s in self.candidate_key(vnf_name)}

    def _grouped(self, vnf_name: str) -> bool:
        """True while the VNF's candidate lists are still the ones the groups describe."""
        bounds = self.bounds
        assert isinstance(bounds, SlotBounds)
        return all(
            k < len(bounds.per_kind)
            and len(self.candidates[k]) == sum(len(bounds.groups[g]) for g in bounds.per_kind[k])
            for k in self.kinds_of(vnf_name)
        )

    def symmetry_groups(self) -> list[list[int]]:
        """Slots that are interchangeable in every respect, each group in slot order.

        Servers of one site and type offering the same candidate kinds are interchangeable
        (installed and bought ones cost the same), unless some VNF that may run at the site has
        rack anti-affinity: only then does the rack tell them apart. When planning for failures,
        installed and bought servers differ too: only an installed one is spare room when empty.
        """
        offers = self._offers()
        rack_sites = {
            self.slots[s].site.name
            for k, kind in enumerate(self.kinds)
            if kind.vnf.anti_affinity is Scope.RACK
            for s in self.candidates[k]
        }
        occupied = set(self.current.stay) if self.current is not None else set()
        pinned = {s for _k, s in occupied}
        groups: dict[tuple, list[int]] = defaultdict(list)
        for s in sorted(offers):
            if s in pinned:
                continue  # a server holding current instances is no longer like its twins
            slot = self.slots[s]
            rack = slot.rack if slot.site.name in rack_sites else 0
            # Planning for failures, an empty installed server is spare room, a bought one is not.
            bought = slot.bought and bool(self.failures)
            groups[(slot.site.name, slot.type.name, rack, bought, offers[s])].append(s)
        return list(groups.values())

    def _offers(self) -> dict[int, int]:
        """Slot → a number standing for the kinds it is a candidate for (equal numbers, equal
        kinds). Per (site, type) group when the bounds are stored so: at operator scale a
        slot's kinds are thousands, and a tuple of them per slot was most of the cost."""
        bounds = self.bounds
        if isinstance(bounds, SlotBounds):
            per_group: dict[int, list[int]] = defaultdict(list)
            for k, groups in enumerate(bounds.per_kind):
                for g in groups:
                    per_group[g].append(k)
            number: dict[tuple[int, ...], int] = {}
            offers = {}
            for g, kinds in per_group.items():
                n = number.setdefault(tuple(kinds), len(number))
                for s in bounds.groups[g]:
                    offers[s] = n
            return offers
        lists: dict[int, list[int]] = defaultdict(list)
        for k, slots in self.candidates.items():
            for s in slots:
                lists[s].append(k)
        number = {}
        return {s: number.setdefault(tuple(kinds), len(number)) for s, kinds in lists.items()}

    def plan_cost(self, counts: dict[tuple[int, int, int | None], int]) -> int:
        """First-objective value of a plan given as counts: cents, or servers for `servers`."""
        used = {s for (_k, s, _n), c in counts.items() if c}
        if self.objective is Objective.SERVERS:
            return len(used)
        licences = sum(
            round(self.kinds[k].vnf.license_monthly * COST_SCALE) * c
            for (k, _s, _n), c in counts.items()
        )
        return sum(self.slots[s].cost for s in used) + licences

    def container_domains(self, kinds: Iterable[int]) -> dict[str, list[int]]:
        """The container kinds among `kinds`, grouped by trust domain (VMs carry their own
        kernel, so only containers sharing a host must share a domain)."""
        domains: dict[str, list[int]] = defaultdict(list)
        for k in kinds:
            if self.kinds[k].form is Form.CONTAINER:
                domains[self.kinds[k].vnf.trust].append(k)
        return domains

    def reserve(self, form: Form, slot: Slot) -> tuple[int, ...]:
        """The host reserve of `form` on `slot`."""
        return self.reserves[(form, slot.type.name)]


def fixed_count(scenario: Scenario, vnf: Vnf) -> int:
    """How many instances a VNF needs when routing is not modelled.

    `replicas` is exact. For a throughput-sized VNF it is the smallest count that carries all the
    traffic of the chains through it, plus `redundancy` spares.
    """
    if vnf.replicas is not None:
        return vnf.replicas
    assert vnf.throughput_gbps is not None
    total = sum(
        demand.gbps
        for service in scenario.services.values()
        if vnf.name in service.chain
        for demand in service.demands
    )
    return math.ceil(total / vnf.throughput_gbps - 1e-9) + vnf.redundancy


DEFAULT_K_PATHS = 3
"""Shortest simple paths tried per leg of a chain path at first; widened when it may matter."""
DEFAULT_PATH_CAP = 400
"""Chain paths kept per demand at first."""


def build_problem(
    scenario: Scenario,
    objective: Objective,
    *,
    ignore_sites: bool = False,
    k_paths: int = DEFAULT_K_PATHS,
    path_cap: int = DEFAULT_PATH_CAP,
    routing: bool = True,
) -> Problem:
    """Derive slots, kinds and candidate placements from a validated scenario.

    With `ignore_sites` the candidates include servers outside a VNF's allowed sites, so that an
    explanation can treat the restriction as a requirement that may be relaxed. With `routing`
    False no candidate chain paths are enumerated (the costly part at operator scale): enough
    for the routing-aware greedy (`chain_greedy`), which routes on the network itself.
    """
    units = resource_units(scenario)
    slots = build_slots(scenario, units)
    kinds = [
        Kind(vnf, form, instance_demand(scenario, vnf, form, units))
        for vnf in scenario.vnfs.values()
        for form in vnf.forms
    ]
    reserves = {
        (form, type_name): host_reserve(scenario, form, server_type, units)
        for form in Form
        for type_name, server_type in scenario.server_types.items()
    }
    counts = {name: fixed_count(scenario, vnf) for name, vnf in scenario.vnfs.items()}
    problem = Problem(scenario, objective, slots, kinds, reserves, counts, units)
    problem.nesting = build_tables(scenario, kinds, units)
    # Whether a kind may go on a slot depends only on the slot's site and type: decide it once
    # per (site, type) group, not once per server (at operator scale kinds x servers is 10^7).
    bounds = SlotBounds(slots)
    where: dict[object, list[int]] = {}  # site filter -> the groups it allows
    for k, kind in enumerate(kinds):
        check_stop()  # kinds x (site, type) groups: 10^6 steps at operator scale
        chosen: list[int] = []
        per_type: dict[str, int] = {}
        per_group: dict[int, int] = {}
        sites = None if ignore_sites else kind.vnf.sites
        if sites not in where:
            where[sites] = [
                g
                for g, members in enumerate(bounds.groups)
                if sites is None or sites.allows(slots[members[0]].site)
            ]
        for g in where[sites]:
            members = bounds.groups[g]
            first = slots[members[0]]
            type_name = first.type.name
            if type_name not in per_type:
                per_type[type_name] = _slot_bound(problem, counts, kind, first)
            if per_type[type_name] > 0:
                per_group[g] = per_type[type_name]
                chosen.extend(members)
        bounds.per_kind.append(per_group)
        problem.candidates[k] = chosen
    problem.bounds = bounds
    if scenario.services and routing:
        _add_routing(problem, k_paths, path_cap)
    return problem


def _slot_bound(problem: Problem, counts: dict[str, int], kind: Kind, slot: Slot) -> int:
    """Most instances of `kind` one server like `slot` may hold; 0 when none fits."""
    reserve = problem.reserve(kind.form, slot)
    nodes = slot.type.numa_nodes if kind.vnf.numa_aligned else 1
    if not fits(kind.demand, reserve, slot.capacity, nodes):
        return 0
    most = counts[kind.vnf.name]
    if kind.vnf.throughput_gbps is not None:
        most = 2 * most + 1  # carried traffic on the NIC may call for more
    bound = min(most, max_copies(kind.demand, reserve, slot.capacity))
    if problem.nesting is not None and kind.form is Form.NESTED:
        workers = problem.nesting.most_workers(
            kind.vnf.trust, slot.capacity, problem.reserve(Form.VM, slot)
        )
        bound = min(bound, workers * problem.nesting.per_worker(problem.kinds.index(kind)))
    if kind.vnf.anti_affinity is not None or kind.vnf.isolated:
        bound = min(bound, 1)
    return bound


def _add_routing(problem: Problem, k_paths: int, path_cap: int) -> None:
    """Candidate chain paths over the physical network, and each VNF's total traffic."""
    scenario = problem.scenario
    sites_of: dict[str, list[str]] = {}
    for name in scenario.vnfs:
        slots = {s for k in problem.kinds_of(name) for s in problem.candidates[k]}
        sites_of[name] = list(dict.fromkeys(problem.slots[s].site.name for s in sorted(slots)))
    cache = PathCache(build_graph(scenario))
    problem.routing = build_routing(scenario, cache, sites_of, k_paths, path_cap)
    for service in scenario.services.values():
        total = sum(round(d.gbps * GBPS_UNITS) for d in service.demands)
        for name in dict.fromkeys(service.chain):
            problem.traffic[name] = problem.traffic.get(name, 0) + total


def attach_current(
    problem: Problem,
    placements: list[tuple[str, str, str, str]],
    *,
    keep: bool = False,
    move_cost: float = 0.0,
    max_moves: int | None = None,
    spare: dict[tuple[str, str], int] | None = None,
) -> None:
    """Record the deployment `placements` ((vnf, instance, server id, form) each) on `problem`,
    with the room its worker VMs have left per (server id, VNF) (`lifecycle.worker_spare`).

    Instances of VNFs the scenario no longer has are simply gone (not moves); instances whose
    server is out of service, unknown or no longer allowed for them must move.
    """
    slot_of = {slot.id: slot.index for slot in problem.slots}
    kind_of = {(kind.vnf.name, kind.form.value): k for k, kind in enumerate(problem.kinds)}
    stay: dict[tuple[int, int], int] = defaultdict(int)
    per_vnf: dict[str, int] = defaultdict(int)
    names: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for vnf, instance, server, form in placements:
        if vnf not in problem.scenario.vnfs:
            continue
        per_vnf[vnf] += 1
        k = kind_of.get((vnf, form), -1)
        s = slot_of.get(server, -1)
        if k >= 0 and s >= 0 and (k, s) in problem.bounds:
            stay[(k, s)] += 1
            names[vnf].append((instance, k, s))
        else:
            names[vnf].append((instance, k, -1))
    problem.current = Current(
        stay=dict(stay),
        per_vnf=dict(per_vnf),
        names=dict(names),
        keep=keep,
        move_cost=round(move_cost * COST_SCALE),
        max_moves=max_moves,
        spare={
            (kind_of[(vnf, Form.NESTED.value)], slot_of[server]): count
            for (server, vnf), count in (spare or {}).items()
            if (vnf, Form.NESTED.value) in kind_of and server in slot_of
        },
    )
