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
- Nested instances (`container-in-vm`): every worker VM is a Kubernetes node with its own image
  cache, so the cache is the worker's, not the host's. Deploying, each worker boots (the VM's
  `boot_seconds`), pulls the images of the VNFs it runs (each worker its own pull, in its
  host's one-after-the-other queue), then its containers boot: pulls + VM boot + container boot
  (the nested form's `boot_seconds` is the sum of the two). A host failure loses its workers; a
  restarted nested instance is **received by a surviving worker** of its trust domain on the
  receiving host that already runs its VNF and has room left for it (`worker_spare`): no worker
  boots, nothing is pulled, only the container boots. Otherwise it starts in a new worker VM:
  worker boot, a pull into the new worker's empty cache (instances of one VNF restarted on one
  host share it), container boot.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from nfvplan.model import Form, Scenario
from nfvplan.nested import inner_usage, worker_room
from nfvplan.plan import Plan
from nfvplan.usage import container_image_usage

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
    "worker_spare",
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
    """Its form's `boot_seconds`; None when unset. A nested instance received by a surviving
    worker boots only its container (the container form's `boot_seconds`)."""
    received: bool = False
    """A nested instance taken in by a surviving worker VM that holds its image."""

    @property
    def total_s(self) -> float | None:
        """Seconds until it runs; None when either part is unknown."""
        if self.pull_s is None or self.boot_s is None:
            return None
        return self.pull_s + self.boot_s


NEW_WORKER = ""
"""The image cache of the new worker VMs a recovery boots on a host (see `restart_times`)."""


def restart_times(
    scenario: Scenario,
    starts: Iterable[Start],
    cached: set[Start],
    caches: Iterable[str] | None = None,
    received: Iterable[int] = (),
) -> list[Restart]:
    """Each instance of `starts`, in order, with its host's pull seconds and its boot seconds;
    an image in `cached` ((vnf, form, server)) is not pulled.

    A nested instance pulls into its worker's cache, `caches[i]` (a worker id; `NEW_WORKER`,
    the default, for the new workers of a recovery), never into the host's: each worker of a
    host pulls its own copy, in the host's queue. The instances at the indices of `received`
    run in a surviving worker that holds their image: no pull, only the container boots."""
    starts = list(starts)
    taken = set(received)
    cache_of = list(caches) if caches is not None else [NEW_WORKER] * len(starts)
    sources = pull_sources(scenario)
    pulled: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for i, (vnf, form, server) in enumerate(starts):
        if i in taken:
            continue
        if form == Form.NESTED.value:
            pulled[server].add((cache_of[i], vnf, form))
        elif (vnf, form, server) not in cached:
            pulled[server].add(("", vnf, form))
    host_pull: dict[str, float | None] = {}
    for server, images in pulled.items():
        source = sources.get(server.rsplit("/", 2)[0])
        seconds: float | None = 0.0
        for _cache, vnf, form in sorted(images):
            gib = scenario.vnfs[vnf].image_gib.of(Form(form)) if vnf in scenario.vnfs else 0.0
            one = image_pull_seconds(source, gib)
            seconds = None if seconds is None or one is None else seconds + one
        host_pull[server] = seconds
    container_boot = scenario.platform.container.boot_seconds
    return [
        Restart(vnf, form, server, 0.0, container_boot, True)
        if i in taken
        else Restart(
            vnf,
            form,
            server,
            host_pull.get(server, 0.0),
            scenario.platform.form(Form(form)).boot_seconds,
        )
        for i, (vnf, form, server) in enumerate(starts)
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
    caches = [p.worker or "" for p in plan.placements]
    return slowest_seconds(restart_times(scenario, starts, set(), caches))


def recovery_restarts(scenario: Scenario, plan: Plan, started: Iterable[Start]) -> list[Restart]:
    """The instances a recovery starts (`started`), with the images that the surviving
    placements of `plan` already hold on their hosts cached, and the nested ones that the
    surviving workers take in (`worker_spare`, in the order of `started`) received. `scenario`
    is the one during the failure (`survive.failures.failed_scenario`): a failed site's links
    and its servers are gone."""
    started = list(started)
    cached = {(p.vnf, p.form, p.server) for p in plan.placements}
    spare = worker_spare(scenario, plan)
    received = []
    for i, (vnf, form, server) in enumerate(started):
        if form == Form.NESTED.value and spare.get((server, vnf), 0) > 0:
            spare[(server, vnf)] -= 1
            received.append(i)
    return restart_times(scenario, started, cached, received=received)


SPARE_EPSILON = 1e-9
"""Float noise allowed when a worker's spare room is divided into instances."""


def worker_spare(scenario: Scenario, plan: Plan) -> dict[tuple[str, str], int]:
    """(server, VNF) → how many restarted instances of the VNF the worker VMs of `plan` on that
    server, which already run it, take in, for servers still in service in `scenario`.

    A worker's spare room (its flavor minus the runtime reserve, its containers with the
    container overhead and each VNF's image once: `nested.py`) is split evenly between the
    VNFs it runs (a simplification: which VNF gets the room is then known without a packing,
    so the solver's recovery budgets and this rule count the same), each share divided by one
    instance's inner usage (its image is already there). Only a VNF's own workers take it in:
    a worker that does not run it would pull its image, and that is a new worker's time."""
    down = scenario.out_of_service
    inside: dict[str, list[str]] = defaultdict(list)
    for placement in plan.placements:
        if placement.worker is not None and placement.form == Form.NESTED.value:
            inside[placement.worker].append(placement.vnf)
    spare: dict[tuple[str, str], int] = defaultdict(int)
    for worker in plan.workers:
        flavor = scenario.platform.nesting.flavor(worker.trust)
        names = [name for name in inside.get(worker.id, []) if name in scenario.vnfs]
        if flavor is None or worker.server in down or not names:
            continue
        room = list(worker_room(scenario, flavor))
        for name in names:
            for r, value in enumerate(inner_usage(scenario, scenario.vnfs[name])):
                room[r] -= value
        kinds = sorted(set(names))
        for name in kinds:
            room[2] -= container_image_usage(scenario.vnfs[name])
        for name in kinds:
            need = inner_usage(scenario, scenario.vnfs[name])
            fits = [
                math.floor(share / len(kinds) / want + SPARE_EPSILON)
                for share, want in zip(room, need, strict=True)
                if want > 0
            ]
            count = min(fits, default=0) if all(share >= -SPARE_EPSILON for share in room) else 0
            spare[(worker.server, name)] += max(count, 0)
    return dict(spare)


def recovery_seconds(scenario: Scenario, plan: Plan, started: Iterable[Start]) -> float | None:
    """Seconds until the last instance a recovery starts runs (see `recovery_restarts`)."""
    return slowest_seconds(recovery_restarts(scenario, plan, started))
