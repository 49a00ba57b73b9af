"""A lower bound that sees routing: facility location over sites, solved by CP-SAT.

The configuration LP (`patterns.py`) packs every instance onto the cheapest servers anywhere;
with latency budgets the demands force instances to their edge sites, each of which then pays
for a server of its own, and that LP cannot see it (germany50, two demands per site: 93 % gap).
This relaxation keeps sites and latency and drops the per-server detail:

- `n[g]`: servers used in each (site, server type) group, at most the group's servers;
- `y[k, site]`: instances of kind k (a VNF in one form) at a site where the kind may run;
- `f[c, site]`: Mbit/s of commodity c processed at a site. A commodity is the traffic of all
  demands (and chain positions) of one VNF that share one latency-feasible site set
  (`reach.Reach`): in this relaxation positions are independent, so demands with equal site
  sets are interchangeable and are merged (an integer flow of the parts sums to one of the
  whole, so merging only relaxes).

Rows: every commodity is processed in full; a site's traffic of a VNF fits its instances there
(`throughput_gbps` each, one instance at least for a fixed-count VNF that carries any); instance
counts as the assignment model has them (exact for `replicas`, at least the traffic-sized count);
per site and resource, the instances (and on the NIC the traffic they carry) fit the site's used
servers less the smallest host reserve of any form (a used server hosts at least one form),
and no more instances of a kind than its used servers' slot bounds (`Problem.bounds`);
host anti-affinity and isolation one instance per used server, site anti-affinity one per site,
rack anti-affinity one per rack; containers of different trust domains on different servers
(`_trust`); spares that survive any one host (`_spread`). Everything else (how instances split
over servers, NUMA, the reserves of every form present, images, link capacities) is relaxed,
so every plan of the assignment
model, over any chain paths, is a solution of this model at the same first-level value: CP-SAT's
proven bound on it (`best_objective_bound`, valid even when the search is stopped) is a bound on
the plan's optimum. `tests/solver/test_routing_bound.py` checks that on hand cases and on random
routed scenarios against CP-SAT's proven optimum.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from nfvplan.model import Form, Objective, Scope
from nfvplan.solver.cpsat import make_solver
from nfvplan.solver.data import COST_SCALE, NIC, scale_down
from nfvplan.solver.problem import Problem, SlotBounds
from nfvplan.solver.reach import Reach, adjacency
from nfvplan.solver.routing import GBPS_UNITS, network_budget, processing_ms
from nfvplan.solver.stop import check_stop

MAX_FLOWS = 400_000
"""Most (commodity, site) flow variables the model is built with: backbone/europe's 852 sites
with one demand per edge site need 96 500 (built in under 3 s); past this the model's memory
and presolve would eat the search's time, and only the configuration LP bounds."""

FULL_LP_FLOWS = 2_000
"""Up to this many flow variables CP-SAT runs its full LP relaxation with cuts
(`linearization_level` 2), above it its default one. At 9 s (loaded machine, one worker):
germany50 edge-to-core (540 flows) 8 460 proven against 8 000; two-per-site (1 240) 13 330
against 13 200; TataNld edge-to-core (2 504) 19 690 against 19 880; germany50 gravity
(12 681) 10 440 against 12 230: the larger LP is worth its time only on small models."""

SPARE_VALUES = 8
"""The spare counts the spread rule's disjunction spells out (`_Model._spread`); above them the
product stays: a plan needs that many spares only where one host holds more instances."""

NAME = "routing bound (facility location)"
"""What the plan's formulation calls this bound when it is the one used."""


@dataclass(frozen=True)
class Commodity:
    """Traffic of one VNF that may be processed at any of `sites` (and nowhere else)."""

    vnf: str
    sites: frozenset[str]
    units: int
    """Mbit/s."""


@dataclass
class RoutingBound:
    """What the relaxation proved, in first-objective units (cents, or servers)."""

    bound: int
    forced: dict[str, int]
    """VNF → instances every plan needs at least (latency-separated traffic), for the
    configuration LP's item counts."""
    optimal: bool
    """CP-SAT proved the relaxation's optimum (more time would not raise the bound)."""
    opened: dict[tuple[str, str], int] = field(default_factory=dict)
    """(VNF, site) → instances in the relaxation's best solution (empty without one): where
    a plan might open them (`chain_greedy_plan`'s guide)."""


def applies(problem: Problem) -> bool:
    """The bound needs services, and bounds the `cost` and `servers` objectives."""
    return bool(problem.scenario.services) and problem.objective in (
        Objective.COST,
        Objective.SERVERS,
    )


def commodities(problem: Problem) -> list[Commodity] | None:
    """Every demand's traffic per chain position, merged by VNF and latency-feasible site set;
    None when some demand has no feasible site for some VNF (then no plan exists at all)."""
    scenario = problem.scenario
    allowed = {name: frozenset(problem.candidate_sites(name)) for name in scenario.vnfs}
    graph = adjacency([(link.a, link.b, link.latency_ms) for link in scenario.links])
    reach = Reach(graph, allowed)
    merged: dict[tuple[str, frozenset[str]], int] = defaultdict(int)
    for service in scenario.services.values():
        budget_base = processing_ms(scenario, service.chain)
        for demand in service.demands:
            units = round(demand.gbps * GBPS_UNITS)
            if units <= 0:
                continue
            sites = reach.sites(demand, service.chain, network_budget(demand, budget_base))
            for name, where in zip(service.chain, sites, strict=True):
                if not where:
                    return None
                merged[(name, where)] += units
    ordered = sorted(merged.items(), key=_order)
    return [Commodity(name, sites, units) for (name, sites), units in ordered]


def _order(item: tuple[tuple[str, frozenset[str]], int]) -> tuple:
    """A deterministic order of commodities (frozensets iterate in hash order)."""
    (name, sites), units = item
    return (name, sorted(sites), units)


def throughput(problem: Problem, name: str, total: int) -> int:
    """Mbit/s one instance of the VNF carries (all of it for a fixed-count VNF), as the
    assignment model bounds it (`variables._network`)."""
    vnf = problem.scenario.vnfs[name]
    if vnf.throughput_gbps is None:
        return max(total, 1)
    return min(scale_down(vnf.throughput_gbps, NIC), max(total, 1))


def forced_counts(problem: Problem, found: list[Commodity]) -> dict[str, int]:
    """Instances each traffic-sized VNF needs in every plan, at least its configured count.

    Commodities whose site sets are pairwise disjoint are served by disjoint instances, so
    their instance needs add up (each rounded up on its own); the sets are chosen greedily,
    smallest first, and each takes every commodity whose set lies inside it."""
    by_vnf: dict[str, list[Commodity]] = defaultdict(list)
    for c in found:
        by_vnf[c.vnf].append(c)
    forced = dict(problem.counts)
    for name, group in by_vnf.items():
        if not problem.scales_with_traffic(name):
            continue
        each = max(1, throughput(problem, name, sum(c.units for c in group)))
        taken: set[str] = set()
        need = 0
        for c in sorted(group, key=lambda c: (len(c.sites), sorted(c.sites))):
            if c.sites & taken:
                continue
            taken |= c.sites
            inside = sum(o.units for o in group if o.sites <= c.sites)
            need += math.ceil(inside / each)
        forced[name] = max(forced[name], need)
    return forced


class _Model:
    """The facility-location relaxation as a CP-SAT model (docstring of the module)."""

    def __init__(self, problem: Problem, found: list[Commodity]) -> None:
        self.problem = problem
        self.cp = cp_model.CpModel()
        self.found = found
        bounds = problem.bounds
        assert isinstance(bounds, SlotBounds)
        self.groups = bounds
        self.n: dict[int, cp_model.IntVar] = {}
        self.y: dict[tuple[int, str], cp_model.IntVar] = {}
        self.f: dict[tuple[int, str], cp_model.IntVar] = {}
        self._variables()
        self._rows()

    def _site(self, g: int) -> str:
        return self.problem.slots[self.groups.groups[g][0]].site.name

    def _variables(self) -> None:
        cp = self.cp
        most: dict[tuple[int, str], int] = defaultdict(int)
        for k, per_group in enumerate(self.groups.per_kind):
            check_stop()
            for g, bound in per_group.items():
                if g not in self.n:
                    self.n[g] = cp.new_int_var(0, len(self.groups.groups[g]), f"n_{g}")
                most[(k, self._site(g))] += bound * len(self.groups.groups[g])
        self.most = dict(most)
        for (k, site), top in sorted(most.items()):
            self.y[(k, site)] = cp.new_int_var(0, top, f"y_{k}_{site}")
        for c, commodity in enumerate(self.found):
            for site in sorted(commodity.sites):
                self.f[(c, site)] = cp.new_int_var(0, commodity.units, f"f_{c}_{site}")

    def _rows(self) -> None:
        p, cp = self.problem, self.cp
        y_of: dict[tuple[str, str], list[cp_model.IntVar]] = defaultdict(list)
        for (k, site), var in self.y.items():
            y_of[(p.kinds[k].vnf.name, site)].append(var)
        carried: dict[tuple[str, str], list[cp_model.IntVar]] = defaultdict(list)
        total: dict[str, int] = defaultdict(int)
        for c, commodity in enumerate(self.found):
            check_stop()
            parts = [self.f[(c, site)] for site in sorted(commodity.sites)]
            cp.add(sum(parts) == commodity.units)
            total[commodity.vnf] += commodity.units
            for site in commodity.sites:
                carried[(commodity.vnf, site)].append(self.f[(c, site)])
        for (name, site), flows in sorted(carried.items()):
            each = throughput(p, name, total[name])
            cp.add(sum(flows) <= each * sum(y_of.get((name, site), [])))
        for name in p.vnf_names:
            terms = [var for (k, _site), var in self.y.items() if p.kinds[k].vnf.name == name]
            if p.scales_with_traffic(name):
                cp.add(sum(terms) >= p.counts[name])
            else:
                cp.add(sum(terms) == p.counts[name])
            self._spread(name, terms, y_of)
        self._capacity(y_of, carried)

    def _spread(self, name: str, terms: list, y_of: dict) -> None:
        """Spares survive any one host (`Problem.needed_after_failure`): no server holds more
        than spare = instances - needed, so a site holding y of them uses at least y / spare
        servers for them (one host per site is the case that matters: then the other sites
        hold the needed ones).

        The product hosts x spare is written as a disjunction over the spare's first values
        (`SPARE_VALUES`), each with its own share of the site's hosts (the convex hull of the
        disjunction, Balas 1979), and an exact product only above them. CP-SAT's LP saw the
        plain product through its McCormick envelope over the whole range and its bound
        stalled (germany50 two-per-site: 13 320 after 60 s; docs/network-scale.md)."""
        p, cp = self.problem, self.cp
        needed = p.needed_after_failure(name)
        if needed is None or not terms:
            return
        top = sum(m for (k, _site), m in self.most.items() if p.kinds[k].vnf.name == name)
        high = max(0, top - needed)
        low = min(high, max(0, p.counts[name] - needed))
        if not p.scales_with_traffic(name):
            high = low  # a fixed count: the spare is its redundancy
        spare = cp.new_int_var(low, high, f"spare_{name}")
        cp.add(spare == sum(terms) - needed)
        values = range(low, min(high, low + SPARE_VALUES - 1) + 1)
        picks = {v: cp.new_bool_var(f"spare_{name}_is_{v}") for v in values}
        above = cp.new_bool_var(f"spare_{name}_above") if high > values[-1] else None
        rest = cp.new_int_var(0, high, f"spare_{name}_above_value")
        cp.add(sum(picks.values()) + (above if above is not None else 0) == 1)
        cp.add(spare == sum(v * z for v, z in picks.items()) + rest)
        if above is None:
            cp.add(rest == 0)
        else:
            cp.add(rest >= (values[-1] + 1) * above)
            cp.add(rest <= high * above)
        for site in sorted({site for (n, site) in y_of if n == name}):
            here = y_of[(name, site)]
            servers = sum(len(self.groups.groups[g]) for g in self.n if self._site(g) == site)
            hosts = cp.new_int_var(0, servers, f"hosts_{name}_{site}")
            cp.add(hosts <= sum(var for g, var in self.n.items() if self._site(g) == site))
            share = {v: cp.new_int_var(0, servers, f"hosts_{name}_{site}_{v}") for v in picks}
            for v, z in picks.items():
                cp.add(share[v] <= servers * z)
            room = [v * h for v, h in share.items()]
            if above is not None:
                other = cp.new_int_var(0, servers, f"hosts_{name}_{site}_above")
                cp.add(other <= servers * above)
                product = cp.new_int_var(0, servers * high, f"room_{name}_{site}_above")
                cp.add_multiplication_equality(product, [other, rest])
                room.append(product)
                cp.add(sum(share.values()) + other == hosts)
            else:
                cp.add(sum(share.values()) == hosts)
            cp.add(sum(here) <= sum(room))

    def _capacity(self, y_of: dict, carried: dict) -> None:
        """Per site and resource, what runs there fits its used servers; the one-per-unit rules."""
        p, cp = self.problem, self.cp
        servers: dict[str, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        for g, var in sorted(self.n.items()):
            servers[self._site(g)].append((g, var))
        kinds_at: dict[str, list[int]] = defaultdict(list)
        for k, site in self.y:
            kinds_at[site].append(k)
        nic: dict[str, list[cp_model.IntVar]] = defaultdict(list)  # traffic loads the NIC
        for (_name, site), flows in carried.items():
            nic[site].extend(flows)
        for site, used in sorted(servers.items()):
            check_stop()
            for r in range(len(p.units)):
                room = []
                for g, var in used:
                    slot = p.slots[self.groups.groups[g][0]]
                    reserve = min(p.reserve(form, slot)[r] for form in Form)
                    room.append(max(0, slot.capacity[r] - reserve) * var)
                load = [p.kinds[k].demand[r] * self.y[(k, site)] for k in kinds_at[site]]
                if r == NIC:
                    load.extend(nic[site])
                if load:
                    cp.add(sum(load) <= sum(room))
            hosts = sum(var for _g, var in used)
            for k in kinds_at[site]:  # no used server holds more than its slot bound
                per = self.groups.per_kind[k]
                cp.add(self.y[(k, site)] <= sum(per.get(g, 0) * var for g, var in used))
            for name, vnf in p.scenario.vnfs.items():
                here = y_of.get((name, site))
                if not here:
                    continue
                if vnf.anti_affinity is Scope.HOST or vnf.isolated:
                    cp.add(sum(here) <= hosts)
                elif vnf.anti_affinity is Scope.SITE:
                    cp.add(sum(here) <= 1)
                elif vnf.anti_affinity is Scope.RACK:
                    cp.add(sum(here) <= p.scenario.sites[site].racks)
            isolated = [self.y[(k, site)] for k in kinds_at[site] if p.kinds[k].vnf.isolated]
            if isolated:
                cp.add(sum(isolated) <= hosts)
            self._trust(site, used, kinds_at[site])

    def _trust(self, site: str, used: list, kinds: list[int]) -> None:
        """Containers of different trust domains never share a server: the servers of a group
        split into those running containers of each domain (and the rest), and each domain's
        containers, with the container reserve, fit the servers given to it. VMs carry their
        own kernel and go anywhere (the site's total capacity row holds them)."""
        p, cp = self.problem, self.cp
        domains = p.container_domains(kinds)
        if len(domains) < 2:
            return
        shares: dict[str, list] = defaultdict(list)
        for g, var in used:
            slot = p.slots[self.groups.groups[g][0]]
            split = []
            for domain in sorted(domains):
                m = cp.new_int_var(0, len(self.groups.groups[g]), f"m_{g}_{domain}")
                split.append(m)
                shares[domain].append((slot, m))
            cp.add(sum(split) <= var)
        for domain, ks in sorted(domains.items()):
            for r in range(len(p.units)):
                load = [p.kinds[k].demand[r] * self.y[(k, site)] for k in ks]
                room = [
                    max(0, slot.capacity[r] - p.reserve(Form.CONTAINER, slot)[r]) * m
                    for slot, m in shares[domain]
                ]
                cp.add(sum(load) <= sum(room))

    def objective(self) -> None:
        """The first objective level: cents (servers and licences), or servers used."""
        p = self.problem
        if p.objective is Objective.SERVERS:
            self.cp.minimize(sum(self.n.values()))
            return
        servers = [p.slots[self.groups.groups[g][0]].cost * var for g, var in self.n.items()]
        licences = [
            round(p.kinds[k].vnf.license_monthly * COST_SCALE) * var
            for (k, _site), var in self.y.items()
        ]
        self.cp.minimize(sum(servers) + sum(licences))


def routing_bound(
    problem: Problem, seconds: float, seed: int, workers: int = 1
) -> RoutingBound | None:
    """The facility-location relaxation's proven bound within `seconds`; None when it does
    not apply, gives no bound in time, or proves that no plan exists (the cheap checks and the
    search say why, with the numbers)."""
    if not applies(problem) or not isinstance(problem.bounds, SlotBounds):
        return None
    deadline = time.perf_counter() + seconds  # building the model counts (3-6 s at 850 sites)
    found = commodities(problem)
    if found is None or sum(len(c.sites) for c in found) > MAX_FLOWS:
        return None
    model = _Model(problem, found)
    model.objective()
    solver = make_solver(max(deadline - time.perf_counter(), 0.0), workers=workers, seed=seed)
    # The bound is what is wanted, not the plan: CP-SAT's LP relaxation proves it, and the
    # objective lower-bound search (a worker that raises the bound by trying to improve on it)
    # proves more of it in the same time: germany50 two-per-site 14 170 against 13 500 in 9 s,
    # TataNld edge-to-core 20 400 against 19 420 in 20 s (docs/network-scale.md).
    flows = sum(len(c.sites) for c in found)
    solver.parameters.linearization_level = 2 if flows <= FULL_LP_FLOWS else 1
    solver.parameters.use_objective_lb_search = True
    status = solver.solve(model.cp)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
        return None  # no plan exists (the cheap checks and the search say why) or a bug
    bound = max(0, math.ceil(solver.best_objective_bound - 1e-6))
    opened: dict[tuple[str, str], int] = defaultdict(int)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for (k, site), var in model.y.items():
            opened[(problem.kinds[k].vnf.name, site)] += solver.value(var)
    return RoutingBound(
        bound,
        forced_counts(problem, found),
        status == cp_model.OPTIMAL,
        {key: count for key, count in opened.items() if count > 0},
    )
