"""Candidate chain paths for every demand: which sites host each chain VNF, over which links.

A chain path starts at the demand's source, visits a site for each VNF of the chain in order
and ends at the target (or at the last VNF's site). Each leg between consecutive stops is one of
the k shortest simple paths by latency; paths over the latency budget are dropped. The set is
restricted for speed, so it records whether it is exhaustive: only then may the solver call a
scenario infeasible; otherwise it widens the set and retries, or says so honestly.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from nfvplan.derived import GBPS_UNITS  # Mbit/s: fractional Gbps demands stay exact
from nfvplan.model import Demand, Scenario
from nfvplan.network import PathCache, link_key
from nfvplan.solver.stop import check_stop


@dataclass(frozen=True)
class ChainPath:
    """One way to carry (part of) a demand through its chain."""

    sites: tuple[str, ...]
    vnf_sites: tuple[str, ...]
    latency_ms: float
    links: tuple[tuple[str, str], ...]
    """Undirected link keys used, once per traversal."""


@dataclass
class DemandPaths:
    """The candidate chain paths of one demand."""

    service: str
    index: int
    demand: Demand
    chain: tuple[str, ...]
    units: int
    paths: list[ChainPath] = field(default_factory=list)


@dataclass
class RoutingSet:
    """All demands' candidate paths, and whether the restriction lost any feasible path."""

    demands: list[DemandPaths]
    exhaustive: bool
    k: int
    cap: int


def _join(legs: tuple) -> tuple[tuple[str, ...], float, tuple[tuple[str, str], ...]]:
    sites: list[str] = []
    latency = 0.0
    links: list[tuple[str, str]] = []
    for leg in legs:
        latency += leg.latency_ms
        links.extend(link_key(a, b) for a, b in leg.edges)
        sites.extend(leg.sites if not sites else leg.sites[1:])
    return tuple(sites), latency, tuple(links)


def _site_sequences(
    cache: PathCache,
    demand: Demand,
    choices: list[list[str]],
    budget: float,
) -> list[tuple[str, ...]]:
    """Site sequences for the chain whose fastest routing meets the latency budget."""
    result: list[tuple[str, ...]] = []

    def extend(prefix: tuple[str, ...], at: str, spent: float) -> None:
        check_stop()  # sequences multiply with the chain's length: obey Ctrl-C and deadlines
        if len(prefix) == len(choices):
            end = demand.target or at
            if spent + cache.shortest_latency(at, end) <= budget + 1e-9:
                result.append(prefix)
            return
        for site in choices[len(prefix)]:
            step = spent + cache.shortest_latency(at, site)
            if step <= budget + 1e-9:
                extend((*prefix, site), site, step)

    extend((), demand.source, 0.0)
    return result


def _nothing_left_out(leg_options: list[list], omitted: list[float], budget: float) -> bool:
    """True when no chain path through this site sequence that was left out meets the budget.

    A left-out path uses, on some leg, a path at least as slow as that leg's fastest omitted
    one, and on the other legs at least their fastest paths.
    """
    fastest = [options[0].latency_ms if options else math.inf for options in leg_options]
    total = sum(fastest)
    for leg, next_latency in enumerate(omitted):
        if next_latency == math.inf:
            continue
        if total - fastest[leg] + next_latency <= budget + 1e-9:
            return False
    return True


def processing_ms(scenario: Scenario, chain: tuple[str, ...]) -> float:
    """The chain's processing latency: each VNF's `latency_ms`, once per visit."""
    return sum(scenario.vnfs[name].latency_ms for name in chain)


def network_budget(demand: Demand, processing: float = 0.0) -> float:
    """What the links of a demand's path may take: its `max_latency_ms` less the chain's
    processing latency (inf without a budget)."""
    if demand.max_latency_ms is None:
        return math.inf
    return demand.max_latency_ms - processing


def chain_paths(
    cache: PathCache,
    demand: Demand,
    choices: list[list[str]],
    k: int,
    cap: int,
    processing: float = 0.0,
) -> tuple[list[ChainPath], bool]:
    """Candidate chain paths of one demand, fastest first, and whether none was left out.

    `processing` is the chain's per-VNF latency, which every path pays on top of its links."""
    budget = network_budget(demand, processing)
    exhaustive = True
    fastest: list[ChainPath] = []
    others: list[ChainPath] = []
    for sequence in _site_sequences(cache, demand, choices, budget):
        stops = (demand.source, *sequence, demand.target or sequence[-1])
        leg_options = []
        omitted = []
        for a, b in itertools.pairwise(stops):
            check_stop()  # one leg's k shortest paths take up to 0.1 s on 800-site networks
            options, next_latency = cache.paths(a, b, k)
            leg_options.append(options)
            omitted.append(next_latency)
        exhaustive = exhaustive and _nothing_left_out(leg_options, omitted, budget)
        found = []
        for legs in itertools.product(*leg_options):
            sites, latency, links = _join(legs)
            if latency <= budget + 1e-9:
                found.append(ChainPath(sites, sequence, latency, links))
        found.sort(key=lambda p: (p.latency_ms, p.sites))
        fastest.extend(found[:1])
        others.extend(found[1:])
    others.sort(key=lambda p: (p.latency_ms, p.sites, p.vnf_sites))
    paths = fastest + others
    if len(paths) > cap:
        exhaustive = False
        paths = paths[:cap]
    return paths, exhaustive


def build_routing(
    scenario: Scenario, cache: PathCache, sites_of: dict[str, list[str]], k: int, cap: int
) -> RoutingSet:
    """Candidate paths for every demand of every service.

    `sites_of` maps a VNF to the sites where at least one of its instances could run.
    """
    demands = []
    exhaustive = True
    for service in scenario.services.values():
        choices = [sites_of.get(name, []) for name in service.chain]
        processing = processing_ms(scenario, service.chain)
        for index, demand in enumerate(service.demands):
            paths, complete = chain_paths(cache, demand, choices, k, cap, processing)
            exhaustive = exhaustive and complete
            units = round(demand.gbps * GBPS_UNITS)
            demands.append(DemandPaths(service.name, index, demand, service.chain, units, paths))
    return RoutingSet(demands, exhaustive, k, cap)
