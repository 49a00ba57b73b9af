"""The sites of a generated scenario and the physical network between them.

Either a generated three-tier network (a few core data centres meshed together, regional sites
dual-homed to the two nearest cores, edge sites dual-homed to the two nearest regional sites),
or an existing topology file whose best-connected sites become core, the next regional and the
rest edge; sites beyond the requested count stay transit sites of the topology.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from nfvplan.generate.catalog import CORE, EDGE, REGIONAL
from nfvplan.io.topology import FIBRE_MS_PER_KM, load_topology

COUNTRY_KM = (1000.0, 800.0)
"""Extent of the generated footprint: a mid-size European country."""


@dataclass
class Footprint:
    """Sites with servers by tier, links (written inline or taken from a topology file)."""

    tiers: dict[str, list[str]]
    links: list[tuple[str, str, float, float]]
    """(a, b, gbps, latency_ms) of every link, whether written inline or read from a file."""
    topology_file: Path | None = None
    inline: bool = True
    latency: dict[str, dict[str, float]] = field(default_factory=dict)

    def kind_of(self, site: str) -> str:
        """The tier of a site with servers."""
        return next(tier for tier, names in self.tiers.items() if site in names)


def tier_sizes(sites: int) -> dict[str, int]:
    """A few core sites, four times as many regional ones, the rest edge (at least one each)."""
    core = max(1, round(sites * 0.06))
    regional = max(1, round(sites * 0.24))
    return {CORE: core, REGIONAL: regional, EDGE: sites - core - regional}


def generated_footprint(sites: int, rng: random.Random) -> Footprint:
    """A tiered network on random positions; link latency follows the fibre length."""
    sizes = tier_sizes(sites)
    tiers = {
        CORE: [f"core-{i + 1}" for i in range(sizes[CORE])],
        REGIONAL: [f"region-{i + 1}" for i in range(sizes[REGIONAL])],
        EDGE: [f"edge-{i + 1}" for i in range(sizes[EDGE])],
    }
    where = {
        name: (rng.uniform(0, COUNTRY_KM[0]), rng.uniform(0, COUNTRY_KM[1]))
        for names in tiers.values()
        for name in names
    }

    def km(a: str, b: str) -> float:
        return max(1.0, round(math.dist(where[a], where[b]) * 1.2, 1))  # fibre is not straight

    def nearest(site: str, pool: list[str], count: int) -> list[str]:
        return sorted(pool, key=lambda other: (km(site, other), other))[:count]

    links: dict[frozenset[str], tuple[str, str, float, float]] = {}

    def link(a: str, b: str, gbps: float) -> None:
        links.setdefault(frozenset((a, b)), (a, b, gbps, round(km(a, b) * FIBRE_MS_PER_KM, 3)))

    cores = tiers[CORE]
    for i, a in enumerate(cores):
        for b in cores[i + 1 :]:
            link(a, b, 800)
    for region in tiers[REGIONAL]:
        for core in nearest(region, cores, 2):
            link(region, core, 400)
    for edge in tiers[EDGE]:
        for region in nearest(edge, tiers[REGIONAL], 2):
            link(edge, region, 100)
    return Footprint(tiers, list(links.values()))


def topology_footprint(path: Path, sites: int | None) -> Footprint:
    """Tiers on an existing topology, by degree then name; `sites` caps the sites with servers."""
    topology = load_topology(path)
    degree: dict[str, int] = dict.fromkeys(topology.sites, 0)
    for item in topology.links:
        degree[item.a] += 1
        degree[item.b] += 1
    ranked = sorted(topology.sites, key=lambda name: (-degree[name], name))
    count = len(ranked) if sites is None else sites
    if count > len(ranked):
        raise ValueError(
            f"--sites {count}: topology {topology.name} has only {len(ranked)} sites; "
            f"give at most {len(ranked)}"
        )
    sizes = tier_sizes(count)
    chosen = ranked[:count]
    tiers = {
        CORE: chosen[: sizes[CORE]],
        REGIONAL: chosen[sizes[CORE] : sizes[CORE] + sizes[REGIONAL]],
        EDGE: chosen[sizes[CORE] + sizes[REGIONAL] :],
    }
    links = [(item.a, item.b, item.gbps, item.latency_ms) for item in topology.links]
    return Footprint(tiers, links, topology_file=path, inline=False)


def shortest_latencies(footprint: Footprint) -> dict[str, dict[str, float]]:
    """Fastest one-way latency between every pair of sites (Dijkstra over the links)."""
    import networkx as nx

    graph = nx.Graph()
    for a, b, _gbps, latency in footprint.links:
        graph.add_edge(a, b, latency=latency)
    return {
        source: dict(lengths)
        for source, lengths in nx.all_pairs_dijkstra_path_length(graph, weight="latency")
    }


def incident_capacity(footprint: Footprint, site: str) -> float:
    """Gbps of every link touching `site`."""
    return sum(gbps for a, b, gbps, _lat in footprint.links if site in (a, b))
