"""How long a plan takes to deploy, and a failed server's instances to come back.

Pure arithmetic on the model and a plan (no solver), shared by `nfvplan resilience`,
`nfvplan compare`, the recovery budgets of `solve --survive` (`solver/survive.py` takes its
pull seconds from here) and their check (`survive/check.py`). The rules (docs/format.md,
"Deploy and recovery time"):

- Where a host pulls from (`pull_sources`, one rule): its site's own `image_pull_gbps` (a local
  mirror) wins; else, with a `platform.registry`, over the lowest-latency path of links from the
  registry's site, at the path's narrowest link (`gbps`, the links' full capacity: the chain
  traffic on them is not subtracted) capped by the platform's `image_pull_gbps` when given, the
  path's one-way latency paid once per image pulled; else at the platform's `image_pull_gbps`.
  Without any figure pulls are not timed (0 s). A site the registry cannot reach (cut off by a
  failure) cannot pull at all.
- A pull of `gib` takes latency + gib x 8 / Gbps seconds. A host pulls each image it does not
  hold yet once, into its image cache, one after the other: its pulls take their sum; different
  hosts pull in parallel. A VM then copies the cached image into its own disk and a container
  runs it in place; both are local and not timed. One image per VNF and form (`image_gib`).
- An instance runs once its host's pulls are done plus its form's `boot_seconds` (instances of
  a host boot in parallel); a host is ready after its pulls plus the longest boot it starts.
- Deploying a plan starts every instance on an empty cache: the slowest host decides. A recovery
  starts the failed instances on the surviving hosts the re-placement chose; a host that already
  runs the same VNF in the same form has the image cached and skips the pull. An image another
  restarted instance brings to the host in the same recovery is pulled once for both.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from nfvplan.model import Form, Scenario
from nfvplan.plan import Plan

__all__ = [
    "PullSource",
    "Restart",
    "deploy_seconds",
    "image_pull_seconds",
    "pull_sources",
    "recovery_restarts",
    "recovery_seconds",
    "restart_times",
    "slowest_seconds",
]

Start = tuple[str, str, str]
"""(VNF, form, server id) of one instance to start."""


@dataclass(frozen=True)
class PullSource:
    """How the hosts of one site pull images."""

    gbps: float | None
    """Pull rate; None: no figure anywhere, pulls are not timed."""
    latency_s: float = 0.0
    """Paid once per image pulled: the one-way latency of the path from the registry."""


def pull_sources(scenario: Scenario) -> dict[str, PullSource | None]:
    """Per site, where its hosts pull from (the rule of the module docstring); None for a site
    that the registry cannot reach over the scenario's links (e.g. during a site failure)."""
    platform = scenario.platform
    registry = platform.registry
    sources: dict[str, PullSource | None] = {}
    routes = _registry_routes(scenario, registry.site) if registry is not None else {}
    for name, site in scenario.sites.items():
        if site.image_pull_gbps is not None:
            sources[name] = PullSource(site.image_pull_gbps)
        elif registry is None or name == registry.site:
            sources[name] = PullSource(platform.image_pull_gbps)
        elif name not in routes:
            sources[name] = None
        else:
            narrowest, latency_ms = routes[name]
            cap = platform.image_pull_gbps
            sources[name] = PullSource(
                narrowest if cap is None else min(narrowest, cap), latency_ms / 1000
            )
    return sources


def _registry_routes(scenario: Scenario, registry: str) -> dict[str, tuple[float, float]]:
    """Site → (narrowest link in Gbps, latency in ms) of the lowest-latency path from the
    registry's site; only sites it reaches, itself excluded."""
    import networkx as nx  # only when a registry is set: reports stay light otherwise

    from nfvplan.network import build_graph

    graph = build_graph(scenario)
    if registry not in graph:
        return {}
    latency, paths = nx.single_source_dijkstra(graph, registry, weight="latency_ms")
    routes = {}
    for site, path in paths.items():
        if site == registry:
            continue
        narrowest = min(graph.edges[a, b]["gbps"] for a, b in itertools.pairwise(path))
        routes[site] = (narrowest, latency[site])
    return routes


def image_pull_seconds(source: PullSource | None, gib: float) -> float | None:
    """Seconds to pull an image of `gib` GiB from `source`; 0 for no image or untimed pulls,
    None when the site cannot pull (the registry does not reach it)."""
    if gib <= 0:
        return 0.0
    if source is None:
        return None
    if source.gbps is None:
        return 0.0
    return source.latency_s + gib * 8 / source.gbps


@dataclass(frozen=True)
class Restart:
    """One instance started: on which host, after how long."""

    vnf: str
    form: str
    server: str
    pull_s: float | None
    """Its host's pulls (it boots once they are all done); None: the registry is out of reach."""
    boot_s: float | None
    """Its form's `boot_seconds`; None when unset."""

    @property
    def total_s(self) -> float | None:
        """Seconds until it runs; None when either part is unknown."""
        if self.pull_s is None or self.boot_s is None:
            return None
        return self.pull_s + self.boot_s


def restart_times(scenario: Scenario, starts: Iterable[Start], cached: set[Start]) -> list[Restart]:
    """Each instance of `starts`, in order, with its host's pull seconds and its boot seconds;
    an image in `cached` ((vnf, form, server)) is not pulled."""
    starts = list(starts)
    sources = pull_sources(scenario)
    pulled: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for vnf, form, server in starts:
        if (vnf, form, server) not in cached:
            pulled[server].add((vnf, form))
    host_pull: dict[str, float | None] = {}
    for server, images in pulled.items():
        source = sources.get(server.rsplit("/", 2)[0])
        seconds: float | None = 0.0
        for vnf, form in sorted(images):
            gib = scenario.vnfs[vnf].image_gib.of(Form(form)) if vnf in scenario.vnfs else 0.0
            one = image_pull_seconds(source, gib)
            seconds = None if seconds is None or one is None else seconds + one
        host_pull[server] = seconds
    return [
        Restart(
            vnf,
            form,
            server,
            host_pull.get(server, 0.0),
            scenario.platform.form(Form(form)).boot_seconds,
        )
        for vnf, form, server in starts
    ]


def slowest_seconds(restarts: Iterable[Restart]) -> float | None:
    """When the last of `restarts` runs; None when one of them has an unknown part."""
    totals = [r.total_s for r in restarts]
    if any(total is None for total in totals):
        return None
    return max((total for total in totals if total is not None), default=0.0)


def deploy_seconds(scenario: Scenario, plan: Plan) -> float | None:
    """Seconds until every instance of `plan` runs, from hosts that hold no image yet."""
    starts = [(p.vnf, p.form, p.server) for p in plan.placements]
    return slowest_seconds(restart_times(scenario, starts, set()))


def recovery_restarts(scenario: Scenario, plan: Plan, started: Iterable[Start]) -> list[Restart]:
    """The instances a recovery starts (`started`), with the images that the surviving
    placements of `plan` already hold on their hosts cached. `scenario` is the one during the
    failure (`survive.failures.failed_scenario`): a failed site's links are gone."""
    cached = {(p.vnf, p.form, p.server) for p in plan.placements}
    return restart_times(scenario, started, cached)


def recovery_seconds(scenario: Scenario, plan: Plan, started: Iterable[Start]) -> float | None:
    """Seconds until the last instance a recovery starts runs (see `recovery_restarts`)."""
    return slowest_seconds(recovery_restarts(scenario, plan, started))
