"""Which single failures a plan can meet, and the scenario each one leaves behind.

A failure is described in the scenario's own terms (server ids, a site name), never in solver
indices, so that the resilience check and the survival planner (`nfvplan.solver.survive`) speak
about the same thing. The failed scenario is the operator's scenario with:

- the failed servers in `Scenario.out_of_service`, and so is every purchasable server the plan
  did not buy: nobody can buy and rack hardware during an outage;
- for a site failure, every link touching the site removed and every demand entering or leaving
  there dropped (that traffic is lost with the site; the rest may be re-routed).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from nfvplan.choices import Level
from nfvplan.model import Scenario, Service
from nfvplan.plan import Placement, Plan


@dataclass(frozen=True)
class DroppedDemand:
    """A demand lost with a failed site: it entered or left there."""

    service: str
    index: int
    gbps: float

    def describe(self) -> str:
        """`service#index (X Gbps)`, as the report prints it."""
        return f"{self.service}#{self.index} ({self.gbps:g} Gbps)"


@dataclass(frozen=True)
class Failure:
    """One single failure: the servers that go down (and, for a site, the site itself)."""

    level: Level
    name: str
    """The server id or the site name."""
    servers: frozenset[str]
    """Every server id that goes down (the site's, installed and bought, for a site failure)."""

    @property
    def label(self) -> str:
        """`server ID` or `site NAME`."""
        return f"{self.level.value} {self.name}"

    @property
    def site(self) -> str | None:
        """The failed site, for a site failure."""
        return self.name if self.level is Level.SITE else None


def server_ids(scenario: Scenario) -> list[tuple[str, bool]]:
    """Every server id of the scenario in FORMAT order, with whether it is purchasable."""
    return scenario.server_ids()


def site_of(server_id: str) -> str:
    """The site part of a `site/type/n` id."""
    return server_id.rsplit("/", 2)[0]


def enumerate_failures(
    scenario: Scenario, plan: Plan, level: Level
) -> tuple[list[Failure], list[str]]:
    """The failures worth checking, and the names of those that hit nothing.

    Server level: every server the plan uses; an unused installed server hits nothing. Site
    level: every site that hosts a server of the plan, where a demand enters or leaves, or that a
    route passes through; any other site hits nothing.
    """
    used = [server.id for server in plan.servers]
    if level is Level.SERVER:
        failures = [Failure(level, sid, frozenset({sid})) for sid in used]
        idle = [
            sid
            for sid, purchasable in server_ids(scenario)
            if not purchasable and sid not in used and sid not in scenario.out_of_service
        ]
        return failures, idle
    touched = {site_of(sid) for sid in used}
    for service in scenario.services.values():
        for demand in service.demands:
            touched.add(demand.source)
            if demand.target is not None:
                touched.add(demand.target)
    for route in plan.routes:
        touched.update(route.path)
    by_site: dict[str, set[str]] = {name: set() for name in scenario.sites}
    for sid, _purchasable in server_ids(scenario):
        by_site[site_of(sid)].add(sid)
    failures = [
        Failure(level, name, frozenset(by_site[name])) for name in scenario.sites if name in touched
    ]
    idle = [name for name in scenario.sites if name not in touched]
    return failures, idle


def hit_instances(plan: Plan, failure: Failure) -> list[Placement]:
    """The plan's instances on the failed servers, in plan order."""
    return [p for p in plan.placements if p.server in failure.servers]


def dropped_demands(scenario: Scenario, failure: Failure) -> list[DroppedDemand]:
    """Demands that enter or leave at the failed site (none for a server failure)."""
    site = failure.site
    if site is None:
        return []
    return [
        DroppedDemand(service.name, index, demand.gbps)
        for service in scenario.services.values()
        for index, demand in enumerate(service.demands)
        if site in (demand.source, demand.target)
    ]


def unbought_servers(scenario: Scenario, plan: Plan) -> set[str]:
    """Purchasable servers the plan did not buy: they do not exist during an outage."""
    bought = {server.id for server in plan.servers}
    return {sid for sid, purchasable in server_ids(scenario) if purchasable and sid not in bought}


def failed_scenario(scenario: Scenario, plan: Plan, failure: Failure) -> Scenario:
    """The scenario as it stands during `failure`: what the re-placement must fit into."""
    down = scenario.out_of_service | failure.servers | unbought_servers(scenario, plan)
    site = failure.site
    if site is None:
        return replace(scenario, out_of_service=frozenset(down), degraded=True)
    links = tuple(link for link in scenario.links if site not in (link.a, link.b))
    services = {
        name: Service(
            service.name,
            service.chain,
            tuple(d for d in service.demands if site not in (d.source, d.target)),
        )
        for name, service in scenario.services.items()
    }
    return replace(
        scenario, out_of_service=frozenset(down), links=links, services=services, degraded=True
    )
