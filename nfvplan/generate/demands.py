"""Demand models of a generated scenario (`nfvplan generate --demands MODEL`).

Every demand goes through the broadband chain [upf, cgnat]: UPFs run at edge sites, CGNATs at
regional ones (nfvplan/generate/catalog.py). Three models, all deterministic for a seed:

- `edge-to-core` (the default): one demand per edge site to its nearest core site, 5-30 Gbps.
- `two-per-site`: two per edge site, to its nearest and to its second-nearest core site (the
  same one when there is only one), 5-30 Gbps each: geo-redundant core pairs double the count.
- `gravity`: a full traffic matrix between every ordered pair of sites with servers. Traffic
  from s to t is proportional to w(s) x w(t) / d(s, t)^ALPHA, w a site's degree in the network
  (its number of links: a population proxy when no population is given) and d the fastest
  latency between them in ms (at least `MIN_DISTANCE_MS`), scaled so that the matrix carries
  `GRAVITY_GBPS_PER_SITE` x sites in total, rounded to 0.1 Gbps; pairs that round to 0 are
  left out. It draws nothing at random: the seed only matters through the rest of the file.

Latency budgets: 1.3 x the fastest path through the chain's candidate sites (source -> some edge
site -> some regional site -> target) + 0.5 ms, rounded up to 0.1 ms, so the chain must stay near
that fastest path but may choose among the sites along it.
"""

from __future__ import annotations

import itertools
import math
import random

from nfvplan.generate.catalog import CORE, EDGE, REGIONAL
from nfvplan.generate.network import Footprint, incident_capacity

MODELS = ("edge-to-core", "two-per-site", "gravity")
"""The `--demands` models, the default first."""
ALPHA = 1.0
"""Distance exponent of the gravity model (1: traffic falls with distance, not its square)."""
MIN_DISTANCE_MS = 0.1
"""Floor on the gravity distance, so that two co-located sites do not take all the traffic."""
GRAVITY_GBPS_PER_SITE = 5.0
"""Total traffic of the gravity matrix per site with servers."""
LINK_SHARE = 0.5
"""Most of a link's capacity the edge models' demands may take together when each follows its
fastest chain path (`fit_fastest_paths`): the rest is room for the planner's choices."""


def make_demands(
    footprint: Footprint, model: str, count: int | None, rng: random.Random
) -> list[dict]:
    """The demands of `model` (`count` caps the edge sites of the edge models; None: all)."""
    if model == "gravity":
        return _gravity(footprint)
    edges = footprint.tiers[EDGE]
    chosen = edges if count is None else edges[: min(count, len(edges))]
    targets = 2 if model == "two-per-site" else 1
    return fit_fastest_paths(footprint, _to_cores(footprint, chosen, targets, rng))


def _to_cores(
    footprint: Footprint, chosen: list[str], targets: int, rng: random.Random
) -> list[dict]:
    """Broadband from each chosen edge site to its `targets` nearest core sites.

    The budget is 1.3 x the fastest edge -> regional -> core path plus 0.5 ms, so the UPF stays
    at (or near) the edge. Gbps are kept to a quarter of the edge site's links and the total
    into a core to a quarter of the core's links, so the network can carry every demand.
    """
    lat = footprint.latency
    regions = footprint.tiers[REGIONAL]
    pairs: list[tuple[str, str]] = []
    for edge in chosen:
        reachable = sorted(
            (c for c in footprint.tiers[CORE] if c in lat.get(edge, {})),
            key=lambda c: (lat[edge][c], c),
        )
        if reachable and any(r in lat[edge] for r in regions):
            for i in range(targets):
                pairs.append((edge, reachable[min(i, len(reachable) - 1)]))
    into: dict[str, int] = {}
    out_of: dict[str, int] = {}
    for edge, core in pairs:
        into[core] = into.get(core, 0) + 1
        out_of[edge] = out_of.get(edge, 0) + 1
    demands = []
    for edge, core in pairs:
        fastest = min(
            lat[edge][r] + lat[r][core] for r in regions if r in lat[edge] and core in lat[r]
        )
        cap = min(
            0.25 * incident_capacity(footprint, edge) / out_of[edge],
            0.25 * incident_capacity(footprint, core) / into[core],
        )
        gbps = max(1, min(round(rng.uniform(5, 30)), math.floor(cap)))
        demands.append({"from": edge, "to": core, "gbps": gbps, "max_latency_ms": budget(fastest)})
    return demands


def fit_fastest_paths(footprint: Footprint, demands: list[dict]) -> list[dict]:
    """The demands, each scaled down (to whole Gbps, at least 1) so that all of them, each on
    its fastest chain path (source edge -> the regional site of the fastest way to the target
    -> target, the CGNAT's site `build._cgnat_traffic` sizes), take at most `LINK_SHARE` of
    every link. The per-site caps of `_to_cores` do not see a link between a regional site and
    a busy core that many demands must share within their budgets (backbone/americas_nosc:
    120 Gbps into Abilene, all through Austin and one 100 Gbps link), and such a scenario had
    no plan at all. With this, routing every demand along its fastest path is a plan for the
    links, within every budget (`budget` is above the fastest path's latency)."""
    import networkx as nx

    graph = nx.Graph()
    capacity: dict[tuple[str, str], float] = {}
    for a, b, gbps, latency in footprint.links:
        key = (a, b) if a <= b else (b, a)
        capacity[key] = capacity.get(key, 0.0) + gbps
        if not graph.has_edge(a, b) or graph[a][b]["latency"] > latency:
            graph.add_edge(a, b, latency=latency)
    lat = footprint.latency
    regions = footprint.tiers[REGIONAL]
    paths: dict[str, dict[str, list[str]]] = {}

    def path(a: str, b: str) -> list[str]:
        if a not in paths:
            paths[a] = nx.single_source_dijkstra_path(graph, a, weight="latency")
        return paths[a].get(b, [a])

    routes: list[list[tuple[str, str]]] = []
    load: dict[tuple[str, str], float] = {}
    for demand in demands:
        source, target = demand["from"], demand["to"]
        reach = [r for r in regions if r in lat.get(source, {}) and target in lat.get(r, {})]
        via = min(reach, key=lambda r: (lat[source][r] + lat[r][target], r), default=None)
        sites = [] if via is None else path(source, via) + path(via, target)[1:]
        links = [(a, b) if a <= b else (b, a) for a, b in itertools.pairwise(sites)]
        routes.append(links)
        for key in links:
            load[key] = load.get(key, 0.0) + demand["gbps"]
    fitted = []
    for demand, links in zip(demands, routes, strict=True):
        factor = min((LINK_SHARE * capacity[key] / load[key] for key in links), default=1.0)
        gbps = demand["gbps"]
        if factor < 1:
            gbps = max(1, math.floor(gbps * factor))
        fitted.append({**demand, "gbps": gbps})
    return fitted


def budget(fastest_ms: float) -> float:
    """1.3 x the fastest chain path + 0.5 ms, rounded up to 0.1 ms."""
    return math.ceil((1.3 * fastest_ms + 0.5) * 10) / 10


def gravity_matrix(
    sites: list[str], degree: dict[str, int], latency: dict[str, dict[str, float]], total: float
) -> dict[tuple[str, str], float]:
    """Gbps per ordered pair (s, t) by the gravity model: proportional to
    degree(s) x degree(t) / latency(s, t)^ALPHA, scaled to `total`, rounded to 0.1 Gbps; pairs
    that round to 0 (or are not connected) are left out. The one definition of the model."""
    weights: dict[tuple[str, str], float] = {}
    for s in sites:
        for t in sites:
            if s != t and t in latency.get(s, {}) and degree.get(s) and degree.get(t):
                distance = max(latency[s][t], MIN_DISTANCE_MS)
                weights[(s, t)] = degree[s] * degree[t] / distance**ALPHA
    whole = sum(weights.values())
    if not whole:
        return {}
    scaled = {pair: round(w * total / whole, 1) for pair, w in weights.items()}
    return {pair: gbps for pair, gbps in scaled.items() if gbps > 0}


def _gravity(footprint: Footprint) -> list[dict]:
    """The full matrix: every ordered pair of sites with servers, by the gravity model."""
    lat = footprint.latency
    sites = [name for tier in (CORE, REGIONAL, EDGE) for name in footprint.tiers[tier]]
    degree = dict.fromkeys(sites, 0)
    for a, b, _gbps, _latency in footprint.links:
        for end in (a, b):
            if end in degree:
                degree[end] += 1
    edges, regions = footprint.tiers[EDGE], footprint.tiers[REGIONAL]
    matrix = gravity_matrix(sites, degree, lat, GRAVITY_GBPS_PER_SITE * len(sites))
    # fastest chain path to t through a regional site, from each edge site (one pass per t)
    demands = []
    via: dict[str, dict[str, float]] = {}
    for (s, t), gbps in matrix.items():
        if t not in via:
            via[t] = {
                u: min((lat[u][r] + lat[r][t] for r in regions if r in lat[u]), default=math.inf)
                for u in edges
                if u in lat
            }
        fastest = min((lat[s][u] + via[t][u] for u in via[t] if u in lat[s]), default=math.inf)
        if fastest == math.inf:
            continue
        demands.append({"from": s, "to": t, "gbps": gbps, "max_latency_ms": budget(fastest)})
    return demands
