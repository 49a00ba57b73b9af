"""The physical network as a networkx graph, and the path queries the planner needs.

Links are undirected: both directions share one `gbps` (docs/format.md). Intra-site traffic is
free, so a path from a site to itself is the one-site path with zero latency.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from itertools import islice

import networkx as nx

from nfvplan.model import Scenario


@dataclass(frozen=True)
class SitePath:
    """A simple path between two sites and its latency."""

    sites: tuple[str, ...]
    latency_ms: float

    @property
    def edges(self) -> list[tuple[str, str]]:
        """The links it uses, as (a, b) pairs in path order."""
        return list(itertools.pairwise(self.sites))


def build_graph(scenario: Scenario) -> nx.Graph:
    """Sites as nodes (with their kind), links as edges carrying `gbps` and `latency_ms`."""
    graph = nx.Graph()
    for site in scenario.sites.values():
        graph.add_node(site.name, kind=site.kind, transit=site.transit)
    for link in scenario.links:
        graph.add_edge(link.a, link.b, gbps=link.gbps, latency_ms=link.latency_ms, link=link)
    return graph


def link_key(a: str, b: str) -> tuple[str, str]:
    """The undirected identity of a link."""
    return (a, b) if a <= b else (b, a)


class PathCache:
    """k shortest simple paths by latency between site pairs, computed once per pair.

    With the paths comes the latency of the fastest one left out: a path set is as good as
    exhaustive when that latency alone breaks every latency budget it could serve.
    """

    def __init__(self, graph: nx.Graph) -> None:
        self.graph = graph
        self._paths: dict[tuple[str, str, int], tuple[list[SitePath], float]] = {}
        self._distance: dict[str, dict[str, float]] = {}

    def shortest_latency(self, a: str, b: str) -> float:
        """Latency of the fastest path, inf when the sites are not connected."""
        if a not in self._distance:
            self._distance[a] = nx.single_source_dijkstra_path_length(
                self.graph, a, weight="latency_ms"
            )
        return self._distance[a].get(b, float("inf"))

    def paths(self, a: str, b: str, k: int) -> tuple[list[SitePath], float]:
        """Up to `k` simple paths from a to b by increasing latency, and the latency of the
        fastest path left out (inf when none was left out)."""
        key = (a, b, k)
        if key not in self._paths:
            self._paths[key] = self._compute(a, b, k)
        return self._paths[key]

    def _latency(self, sites: list[str]) -> float:
        return sum(self.graph.edges[u, v]["latency_ms"] for u, v in itertools.pairwise(sites))

    def _compute(self, a: str, b: str, k: int) -> tuple[list[SitePath], float]:
        if a == b:
            return [SitePath((a,), 0.0)], math.inf
        if self.shortest_latency(a, b) == math.inf:
            return [], math.inf
        generator = nx.shortest_simple_paths(self.graph, a, b, weight="latency_ms")
        found = list(islice(generator, k + 1))
        kept = [SitePath(tuple(sites), self._latency(sites)) for sites in found[:k]]
        omitted = self._latency(found[k]) if len(found) > k else math.inf
        return kept, omitted
