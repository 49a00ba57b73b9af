"""The shared ground of every rule family: violations, tolerances, server ids and the plan index.

Everything here is derived from `nfvplan.model` and `nfvplan.plan` alone. The checker must be able
to catch a solver bug, so it deliberately shares no code with `nfvplan.solver`: if both computed
server usage with the same helper, a mistake there would be invisible to `nfvplan check`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from nfvplan.model import Form, Scenario, ServerType, Site, Vnf
from nfvplan.plan import Placement, Plan

REL_TOL = 1e-6
ABS_TOL = 1e-6


@dataclass(frozen=True)
class Violation:
    """One broken rule, phrased so that an operator knows what to change.

    `rule` is a short stable id (see `nfvplan.check.RULES`) that scripts and tests can match on;
    `message` carries the numbers. `instance` and `server` name what the violation is about, when
    it is about a single one of them.
    """

    rule: str
    message: str
    instance: str | None = None
    server: str | None = None

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


def close(a: float, b: float) -> bool:
    """True when two reported/recomputed figures agree up to float noise."""
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b)) + ABS_TOL


def fits(used: float, capacity: float) -> bool:
    """True when `used` does not exceed `capacity` by more than float noise."""
    return used <= capacity + REL_TOL * abs(capacity) + ABS_TOL


def num(x: float) -> str:
    """A figure for a message: no float noise, no pointless trailing zeros."""
    if not math.isfinite(x):
        return str(x)
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def names(instances: list[Instance]) -> str:
    """Instance names for a message, in plan order."""
    return ", ".join(i.name for i in instances)


@dataclass(frozen=True)
class ServerRef:
    """A valid server id resolved against the scenario's inventory."""

    id: str
    site: Site
    type: ServerType
    n: int

    @property
    def rack(self) -> int:
        """Rack of server n: servers are dealt round-robin over the site's racks."""
        return (self.n - 1) % max(self.site.racks, 1) + 1

    @property
    def bought(self) -> bool:
        """True when n is beyond the installed inventory of this type at this site."""
        return self.n > self.site.servers.get(self.type.name, 0)


def parse_server_id(scenario: Scenario, server_id: str) -> tuple[ServerRef | None, str]:
    """Resolve `site/type/n`; on failure return None and why, for the operator."""
    parts = server_id.rsplit("/", 2)
    if len(parts) != 3:
        return None, f"server id {server_id!r} is not of the form site/type/n"
    site_name, type_name, n_text = parts
    site = scenario.sites.get(site_name)
    if site is None:
        return None, f"server {server_id}: no site {site_name!r} in the scenario"
    installed = site.servers.get(type_name, 0)
    limit = installed + site.expand.get(type_name, 0)
    if type_name not in site.servers and type_name not in site.expand:
        return None, f"server {server_id}: site {site_name} has no servers of type {type_name!r}"
    stype = scenario.server_types.get(type_name)
    if stype is None:
        return None, f"server {server_id}: no server type {type_name!r} in the scenario"
    if not n_text.isdigit() or str(int(n_text)) != n_text:
        return None, f"server {server_id}: {n_text!r} is not a server number (1, 2, ...)"
    n = int(n_text)
    if not 1 <= n <= limit:
        return None, (
            f"server {server_id}: number {n} is outside 1..{limit} "
            f"({installed} installed + {limit - installed} purchasable {type_name} at {site_name})"
        )
    if server_id in scenario.out_of_service:
        return None, f"server {server_id} is out of service in this scenario (failed or drained)"
    return ServerRef(server_id, site, stype, n), ""


@dataclass(frozen=True)
class Instance:
    """One placement with its references resolved; unresolvable ones are None.

    `server_error` says why `server` is None, for the server-id rule to report.
    """

    placement: Placement
    vnf: Vnf | None
    form: Form | None
    server: ServerRef | None
    server_error: str = ""

    @property
    def name(self) -> str:
        """The instance name the plan gives."""
        return self.placement.instance

    @property
    def trust(self) -> str:
        """The trust domain; an unnamed one is the VNF's own, as FORMAT.md defaults it."""
        if self.vnf is None:
            return self.placement.vnf
        return self.vnf.trust or self.vnf.name


def _parse_form(text: str) -> Form | None:
    try:
        return Form(text)
    except ValueError:
        return None


@dataclass
class Context:
    """The plan indexed once, so that each rule family reads it the same way."""

    scenario: Scenario
    plan: Plan
    instances: list[Instance] = field(default_factory=list)
    by_name: dict[str, Instance] = field(default_factory=dict)
    hosts: dict[str, list[Instance]] = field(default_factory=dict)
    servers: dict[str, ServerRef] = field(default_factory=dict)
    carried: dict[str, float] = field(default_factory=dict)
    usage: dict[str, dict[str, float]] | None = None
    """Recomputed usage per server, filled by the first rule that needs it (`all_usage`):
    four rule families read it, and at 100 000 instances computing it takes seconds."""

    @classmethod
    def build(cls, scenario: Scenario, plan: Plan) -> Context:
        """Resolve every placement and sum the traffic each instance carries."""
        ctx = cls(scenario, plan)
        for placement in plan.placements:
            server, why = parse_server_id(scenario, placement.server)
            instance = Instance(
                placement,
                scenario.vnfs.get(placement.vnf),
                _parse_form(placement.form),
                server,
                why,
            )
            ctx.instances.append(instance)
            ctx.by_name.setdefault(instance.name, instance)
            if server is not None:
                ctx.servers[server.id] = server
                ctx.hosts.setdefault(server.id, []).append(instance)
        for route in plan.routes:
            for name in dict.fromkeys(route.via):
                ctx.carried[name] = ctx.carried.get(name, 0.0) + route.gbps
        return ctx
