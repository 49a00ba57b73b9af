"""Where latency lets each chain VNF of a demand sit: shortest latencies on the layered graph.

The routing bound (`routing_bound.py`) needs, per demand and chain position, the sites where
that VNF could process the demand's traffic on some chain path within the latency budget. A
site s qualifies for position i when the fastest way from the source through allowed sites of
the VNFs before i to s, plus the fastest way from s through allowed sites of the VNFs after i
to the target, fits the network budget (`routing.network_budget`). Both halves are shortest
paths on the chain's layered graph, computed layer by layer with one multi-source Dijkstra per
layer (initial distances = the previous layer's), never by enumerating paths. A site set
computed so is a superset of the sites any feasible plan uses (the fastest path is a lower
bound on every path), which is what keeps the bound valid.

Forward distances depend only on (source, chain), backward ones on (target, chain): both are
cached, so an all-pairs matrix costs one Dijkstra per site and chain layer, not per demand.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nfvplan.model import Demand
from nfvplan.solver.stop import check_stop

LATENCY_SLACK_MS = 1e-6
"""Looser than the path enumeration's 1e-9 tolerance: a site set too large only weakens the
bound, one too small could make it invalid."""

Adjacency = Mapping[str, Sequence[tuple[str, float]]]


def adjacency(links: Sequence[tuple[str, str, float]]) -> dict[str, list[tuple[str, float]]]:
    """Undirected adjacency lists (site → (neighbour, latency ms)) from (a, b, latency) links."""
    graph: dict[str, list[tuple[str, float]]] = {}
    for a, b, latency in links:
        graph.setdefault(a, []).append((b, latency))
        graph.setdefault(b, []).append((a, latency))
    return graph


def dijkstra(graph: Adjacency, start: Mapping[str, float]) -> dict[str, float]:
    """Shortest latency to every reachable site from several sources with initial latencies."""
    best = dict(start)
    heap = [(d, site) for site, d in start.items()]
    heapq.heapify(heap)
    done: set[str] = set()
    while heap:
        d, site = heapq.heappop(heap)
        if site in done:
            continue
        done.add(site)
        for other, latency in graph.get(site, ()):
            candidate = d + latency
            if candidate < best.get(other, math.inf):
                best[other] = candidate
                heapq.heappush(heap, (candidate, other))
    return best


@dataclass
class Reach:
    """Latency-feasible sites per (demand, chain position), with cached layer distances."""

    graph: Adjacency
    allowed: Mapping[str, frozenset[str]]
    """VNF → sites where at least one of its kinds may run (its candidate slots' sites)."""

    def __post_init__(self) -> None:
        self._forward: dict[tuple[str, tuple[str, ...]], list[dict[str, float]]] = {}
        self._backward: dict[tuple[str | None, tuple[str, ...]], list[dict[str, float]]] = {}

    def sites(self, demand: Demand, chain: tuple[str, ...], budget: float) -> list[frozenset[str]]:
        """Per chain position, the allowed sites on some chain path within `budget` ms."""
        forward = self._forward_layers(demand.source, chain)
        backward = self._backward_layers(demand.target, chain)
        limit = budget + LATENCY_SLACK_MS
        return [
            frozenset(
                site
                for site, there in forward[i].items()
                if there + backward[i].get(site, math.inf) <= limit
            )
            for i in range(len(chain))
        ]

    def _forward_layers(self, source: str, chain: tuple[str, ...]) -> list[dict[str, float]]:
        """Per position i, the fastest latency from `source` to each allowed site of chain[i]
        with the VNFs before i at allowed sites."""
        key = (source, chain)
        if key not in self._forward:
            layers: list[dict[str, float]] = []
            start: Mapping[str, float] = {source: 0.0}
            for name in chain:
                check_stop()
                reached = dijkstra(self.graph, start)
                start = {s: reached[s] for s in self.allowed[name] if s in reached}
                layers.append(dict(start))
            self._forward[key] = layers
        return self._forward[key]

    def _backward_layers(
        self, target: str | None, chain: tuple[str, ...]
    ) -> list[dict[str, float]]:
        """Per position i, the fastest latency from each allowed site of chain[i] through the
        VNFs after i to `target` (0 at the last VNF when the chain ends there)."""
        key = (target, chain)
        if key not in self._backward:
            layers: list[dict[str, float]] = [{} for _ in chain]
            last = chain[-1]
            if target is None:
                start: Mapping[str, float] = dict.fromkeys(self.allowed[last], 0.0)
            else:
                check_stop()
                reached = dijkstra(self.graph, {target: 0.0})
                start = {s: reached[s] for s in self.allowed[last] if s in reached}
            layers[-1] = dict(start)
            for i in range(len(chain) - 2, -1, -1):
                check_stop()
                reached = dijkstra(self.graph, layers[i + 1])
                layers[i] = {s: reached[s] for s in self.allowed[chain[i]] if s in reached}
            self._backward[key] = layers
        return self._backward[key]
