"""How long a plan takes to deploy, and a failed server's instances to come back.

Pure arithmetic on the model and a plan (no solver), shared by `nfvplan resilience` and
`nfvplan compare`. The rules (docs/format.md, "Deploy and recovery time"):

- A host pulls each image it does not hold yet once, into its image cache, at its site's
  `image_pull_gbps` (else the platform's; without either, pulls are not timed): GiB x 8 / Gbps
  seconds. A VM then copies the cached image into its own disk and a container runs it in place;
  both are local and not timed. One image per VNF and form (`image_gib`).
- The pulls of one host share its bandwidth, so they take their sum; different hosts pull in
  parallel. A host's instances boot in parallel once its pulls are done, so a host is ready
  after its pulls plus the longest `boot_seconds` of the forms it starts (unknown when one of
  them has no `boot_seconds`).
- Deploying a plan starts every instance on an empty cache: the slowest host decides. A recovery
  starts the failed instances on the surviving hosts the re-placement chose; a host that already
  runs the same VNF in the same form has the image cached and skips the pull.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from nfvplan.model import Form, Scenario
from nfvplan.plan import Plan

__all__ = ["deploy_seconds", "pull_gbps", "recovery_seconds"]

Start = tuple[str, str, str]
"""(VNF, form, server id) of one instance to start."""


def pull_gbps(scenario: Scenario, site: str) -> float | None:
    """How fast a host at `site` pulls images; None when no figure is given (pulls untimed)."""
    own = scenario.sites[site].image_pull_gbps if site in scenario.sites else None
    return own if own is not None else scenario.platform.image_pull_gbps


def _ready_seconds(scenario: Scenario, starts: Iterable[Start], cached: set[Start]) -> float | None:
    """The slowest host's pulls plus boot over `starts`; an image in `cached` is not pulled.
    None when a form started has no `boot_seconds` (unknown, never 0 s)."""
    pulls: dict[str, set[tuple[str, str]]] = defaultdict(set)
    boots: dict[str, float] = defaultdict(float)
    for vnf, form, server in starts:
        boot = scenario.platform.form(Form(form)).boot_seconds
        if boot is None:
            return None
        boots[server] = max(boots[server], boot)
        if (vnf, form, server) not in cached:
            pulls[server].add((vnf, form))
    slowest = 0.0
    for server, boot in boots.items():
        rate = pull_gbps(scenario, server.split("/")[0])
        gib = sum(
            scenario.vnfs[v].image_gib.of(Form(f)) for v, f in pulls[server] if v in scenario.vnfs
        )
        pulling = gib * 8 / rate if rate else 0.0
        slowest = max(slowest, pulling + boot)
    return slowest


def deploy_seconds(scenario: Scenario, plan: Plan) -> float | None:
    """Seconds until every instance of `plan` runs, from hosts that hold no image yet."""
    starts = [(p.vnf, p.form, p.server) for p in plan.placements]
    return _ready_seconds(scenario, starts, set())


def recovery_seconds(scenario: Scenario, plan: Plan, started: Iterable[Start]) -> float | None:
    """Seconds until the instances a recovery starts (`started`) run, with the images that the
    surviving placements of `plan` already hold on their hosts cached."""
    cached = {(p.vnf, p.form, p.server) for p in plan.placements}
    return _ready_seconds(scenario, started, cached)
