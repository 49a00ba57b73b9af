"""One neighbourhood of the large-neighbourhood search: a region freed, the rest of the plan kept.

A *region* is a set of sites. Freed are every instance on the region's servers and every
demand whose route processes traffic in the region or starts there; kept is everything else.
The neighbourhood is a restricted `Problem` that the one assignment model (`assignment/`)
solves as it solves any problem, so every rule stays encoded once:

- its candidates are every server of the region and of the *border*: the sites outside the
  region where a freed demand's route has a chain VNF today. A border site is re-planned whole
  too (so the freed demands may use its spare throughput, or open instances there, as at a
  core), but its instances still carry the kept demands that stop there (`Frozen.carried`);
- its demands are the freed ones, with candidate chain paths enumerated (`routing.chain_paths`)
  only over the model's sites, plus each demand's routes of today, so the current sub-plan is
  always a solution of the restricted model (the search can only do as well or better);
- links have what the kept routes leave (`Frozen.links`);
- counts are what the kept instances leave to place: per VNF the full count less the
  instances on servers outside the model; a traffic-sized VNF with spares (`redundancy`) must
  also keep the spread rule on the servers outside: at most (total - needed) on any of them.

`merge` puts a restricted solution back into the whole plan.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from nfvplan.network import PathCache
from nfvplan.solver.incumbent import Counts, Flow, Incumbent
from nfvplan.solver.problem import Frozen, Problem
from nfvplan.solver.routing import (
    GBPS_UNITS,
    ChainPath,
    DemandPaths,
    RoutingSet,
    chain_paths,
    processing_ms,
)

DemandKey = tuple[str, int]
"""(service, demand index): how a `Flow` names its demand."""


@dataclass
class SiteIndex:
    """Built once per search: which slots each site has, and per site each kind's candidates."""

    slots: dict[str, list[int]] = field(default_factory=dict)
    candidates: dict[str, dict[int, list[int]]] = field(default_factory=dict)
    """Site → kind → the kind's candidate slots at that site (as the full problem has them)."""

    @classmethod
    def of(cls, problem: Problem) -> SiteIndex:
        index = cls()
        for slot in problem.slots:
            index.slots.setdefault(slot.site.name, []).append(slot.index)
        for k, slots in problem.candidates.items():
            for s in slots:
                site = problem.slots[s].site.name
                index.candidates.setdefault(site, {}).setdefault(k, []).append(s)
        return index


@dataclass
class Neighbourhood:
    """A restricted problem and the current plan's part in it (the search's complete hint)."""

    problem: Problem
    slots: set[int]
    """The model's slots: every server of the region and of its border."""
    freed: set[DemandKey]
    counts: Counts
    """The current plan's counts on the model's slots."""
    flows: dict[tuple[int, int], int]
    """The current plan's Mbit/s per (restricted demand, candidate path)."""
    traffic: dict[tuple[int, int], int]
    """The current plan's carried Mbit/s per (kind, slot) of the model."""


def restrict(
    problem: Problem,
    plan: Incumbent,
    region: list[str],
    index: SiteIndex,
    cache: PathCache,
    k_paths: int,
    path_cap: int,
) -> Neighbourhood:
    """The neighbourhood of `plan` that frees `region` (see the module docstring)."""
    scenario = problem.scenario
    inside = set(region)
    freed = freed_by(plan, region)
    kept = [flow for flow in plan.flows if (flow.service, flow.demand) not in freed]
    border = sorted(
        {
            site
            for flow in plan.flows
            if (flow.service, flow.demand) in freed
            for site in flow.path.vnf_sites
            if site not in inside
        }
    )
    model_sites = [*region, *border]
    where = set(model_sites)
    slots = {s for site in model_sites for s in index.slots.get(site, ())}
    candidates: dict[int, list[int]] = {k: [] for k in range(len(problem.kinds))}
    bounds: dict[tuple[int, int], int] = {}
    for site in model_sites:
        for k, members in index.candidates.get(site, {}).items():
            candidates[k].extend(members)
            for s in members:
                bounds[(k, s)] = problem.bounds[(k, s)]
    for members in candidates.values():
        members.sort()

    counts = _counts_left(problem, plan.counts, slots)
    links: dict[tuple[str, str], int] = defaultdict(int)
    carried: dict[tuple[str, str], int] = defaultdict(int)
    for flow in kept:
        for key in flow.path.links:
            links[key] += flow.units
        chain = scenario.services[flow.service].chain
        for name, site in zip(chain, flow.path.vnf_sites, strict=True):
            if site in where:
                carried[(name, site)] += flow.units

    hosts: dict[str, set[str]] = defaultdict(set)  # VNF -> model sites that may process it
    for site in model_sites:
        for k in index.candidates.get(site, {}):
            hosts[problem.kinds[k].vnf.name].add(site)
    sites_of = {name: [s for s in model_sites if s in hosts[name]] for name in scenario.vnfs}
    demands: list[DemandPaths] = []
    hint_flows: dict[tuple[int, int], int] = {}
    today: dict[DemandKey, list[Flow]] = defaultdict(list)
    for flow in plan.flows:
        if (flow.service, flow.demand) in freed:
            today[(flow.service, flow.demand)].append(flow)
    traffic: dict[str, int] = defaultdict(int)
    for service_name, i in sorted(freed):
        service = scenario.services[service_name]
        demand = service.demands[i]
        choices = [sites_of[name] for name in service.chain]
        processing = processing_ms(scenario, service.chain)
        found, _complete = chain_paths(cache, demand, choices, k_paths, path_cap, processing)
        paths = _with_today(found, [flow.path for flow in today[(service_name, i)]])
        d = len(demands)
        position = {(p.sites, p.vnf_sites): j for j, p in enumerate(paths)}
        for flow in today[(service_name, i)]:
            j = position[(flow.path.sites, flow.path.vnf_sites)]
            hint_flows[(d, j)] = hint_flows.get((d, j), 0) + flow.units
        units = round(demand.gbps * GBPS_UNITS)
        demands.append(DemandPaths(service_name, i, demand, service.chain, units, paths))
        for name in dict.fromkeys(service.chain):
            traffic[name] += units
    for (name, _site), units in carried.items():
        traffic[name] += units
    restricted = replace(
        problem,
        candidates=candidates,
        bounds=bounds,
        counts=counts,
        routing=RoutingSet(demands, exhaustive=False, k=k_paths, cap=path_cap),
        traffic={name: traffic.get(name, 0) for name in chained(problem)},
        current=None,
        failures=[],
        frozen=Frozen(links=dict(links), carried=dict(carried)),
    )
    return Neighbourhood(
        problem=restricted,
        slots=slots,
        freed=freed,
        counts={key: c for key, c in plan.counts.items() if key[1] in slots},
        flows=hint_flows,
        traffic={key: u for key, u in plan.traffic.items() if key[1] in slots},
    )


def freed_by(plan: Incumbent, region: list[str]) -> set[DemandKey]:
    """The demands a region frees: those whose routes process traffic in it or start there."""
    inside = set(region)
    return {
        (flow.service, flow.demand)
        for flow in plan.flows
        if inside & set(flow.path.vnf_sites) or flow.path.sites[0] in inside
    }


def chained(problem: Problem) -> list[str]:
    """The VNFs of some service chain, in file order (the light problem, built without chain
    paths, has no `traffic` table: the restricted one needs its keys)."""
    names = {name for service in problem.scenario.services.values() for name in service.chain}
    return [name for name in problem.vnf_names if name in names]


def _with_today(found: list[ChainPath], today: list[ChainPath]) -> list[ChainPath]:
    """The enumerated paths plus today's routes that are not among them (today's first, so
    that the restricted model's solution of today always exists)."""
    seen = {(p.sites, p.vnf_sites) for p in found}
    extra = []
    for path in today:
        key = (path.sites, path.vnf_sites)
        if key not in seen:
            seen.add(key)
            extra.append(path)
    return [*extra, *found]


def _counts_left(problem: Problem, plan: Counts, slots: set[int]) -> dict[str, int]:
    """Per VNF, how many instances the model's slots must hold so that the whole plan keeps
    its count (and, for traffic-sized VNFs with spares, the spread rule on outside servers)."""
    outside: dict[str, int] = defaultdict(int)
    busiest: dict[str, int] = defaultdict(int)
    per_slot: dict[tuple[str, int], int] = defaultdict(int)
    for (k, s, _node), count in plan.items():
        if s not in slots and count:
            name = problem.kinds[k].vnf.name
            outside[name] += count
            per_slot[(name, s)] += count
    for (name, _s), count in per_slot.items():
        busiest[name] = max(busiest[name], count)
    left = {}
    for name, full in problem.counts.items():
        need = full - outside[name]
        if problem.scales_with_traffic(name):
            needed = problem.needed_after_failure(name)
            if needed is not None:  # total - busiest outside server >= needed
                need = max(need, needed + busiest[name] - outside[name])
            need = max(need, 0)
        left[name] = need
    return left


def merge(problem: Problem, plan: Incumbent, hood: Neighbourhood, found: Incumbent) -> Incumbent:
    """The whole plan with the neighbourhood's part replaced by `found` (the restricted
    model's solution): its value is the whole plan's first level (cost or servers: the search
    never runs for `balance`, which the greedy it starts from does not plan)."""
    counts = {key: c for key, c in plan.counts.items() if key[1] not in hood.slots}
    counts.update(found.counts)
    flows = [f for f in plan.flows if (f.service, f.demand) not in hood.freed]
    flows.extend(found.flows)
    flows.sort(key=lambda f: (f.service, f.demand, f.path.sites, f.path.vnf_sites))
    traffic = {key: u for key, u in plan.traffic.items() if key[1] not in hood.slots}
    traffic.update(found.traffic)
    return replace(
        plan,
        value=problem.plan_cost(counts),
        counts=counts,
        flows=flows,
        traffic=traffic,
        hint=dict(counts),
    )
