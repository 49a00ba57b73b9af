"""Why a failure cannot be survived, in resources: what the failed instances need against what
the surviving servers where they may run have free.

This is a necessary condition written for operators, not the proof: the proof of "not
survivable" is the solver's. Both sides are computed so that a reported shortfall is real:

- *needed* is, per instance, the least of its VNF's forms (flavor plus form overhead, no host
  reserve, no carried traffic), so no re-placement could need less;
- *free* is capacity minus the plan's usage on every surviving server (installed, or bought by
  the plan) at a site the VNF may use, with the traffic that server carries given back (routes
  may change), and no host reserve charged for a form the server does not yet run.

So when needed exceeds free, no re-placement exists whatever the other rules say. When no
resource is short, the rule that blocks comes from the solver's explanation instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from nfvplan.model import Form, Scenario, ServerType, Vnf
from nfvplan.plan import RESOURCE_KEYS, Placement, Plan
from nfvplan.survive.failures import Failure, server_ids, site_of

UNITS = {
    "threads": "threads",
    "memory_gib": "GiB memory",
    "disk_gib": "GiB disk",
    "nic_gbps": "Gbps NIC",
    "sriov_vfs": "SR-IOV VFs",
}
"""How each resource is named in a shortfall line."""

EPSILON = 1e-6


@dataclass(frozen=True)
class Shortfall:
    """One resource the failed instances of `vnfs` need more of than is free where they may go."""

    vnfs: tuple[str, ...]
    resource: str
    needed: float
    free: float

    def describe(self) -> str:
        """e.g. `amf needs 8 threads, 4 free`."""
        unit = UNITS[self.resource]
        return f"{', '.join(self.vnfs)} needs {self.needed:g} {unit}, {self.free:g} free"


def instance_need(scenario: Scenario, vnf: Vnf, form: Form) -> dict[str, float]:
    """What one instance takes in `form`: flavor plus overhead (FORMAT.md capacity rules)."""
    overhead = scenario.platform.form(form).overhead
    ratio = scenario.platform.cpu_overcommit or 1.0
    flavor = vnf.flavor
    if vnf.dedicated_cpu:
        threads = flavor.vcpu + overhead.vcpu / ratio
    else:
        threads = (flavor.vcpu + overhead.vcpu) / ratio
    return {
        "threads": threads,
        "memory_gib": flavor.memory_gib + flavor.hugepages_gib + overhead.memory_gib,
        "disk_gib": flavor.disk_gib + overhead.disk_gib,
        "nic_gbps": flavor.gbps,
        "sriov_vfs": float(flavor.sriov_vfs),
    }


def least_need(scenario: Scenario, vnf: Vnf) -> dict[str, float]:
    """Per resource, the least any form of `vnf` takes."""
    needs = [instance_need(scenario, vnf, form) for form in vnf.forms]
    return {key: min(need[key] for need in needs) for key in RESOURCE_KEYS}


def _capacity(server_type: ServerType) -> dict[str, float]:
    return {
        "threads": float(server_type.threads),
        "memory_gib": server_type.memory_gib,
        "disk_gib": server_type.disk_gib,
        "nic_gbps": server_type.nic_gbps,
        "sriov_vfs": float(server_type.sriov_vfs),
    }


def free_capacity(scenario: Scenario, plan: Plan, failure: Failure) -> dict[str, dict[str, float]]:
    """Free resources of every surviving server: installed or bought by the plan, still up."""
    used = {server.id: server for server in plan.servers}
    server_of = {p.instance: p.server for p in plan.placements}
    carried: dict[str, float] = {}
    for route in plan.routes:
        for instance in dict.fromkeys(route.via):
            server = server_of.get(instance)
            if server is not None:
                carried[server] = carried.get(server, 0.0) + route.gbps
    free: dict[str, dict[str, float]] = {}
    for sid, purchasable in server_ids(scenario):
        if sid in failure.servers or sid in scenario.out_of_service:
            continue
        if purchasable and sid not in used:
            continue
        type_name = sid.rsplit("/", 2)[1]
        room = _capacity(scenario.server_types[type_name])
        if sid in used:
            for key in RESOURCE_KEYS:
                room[key] -= used[sid].used.get(key, 0.0)
            room["nic_gbps"] += carried.get(sid, 0.0)
        free[sid] = room
    return free


def shortfalls(
    scenario: Scenario, plan: Plan, failure: Failure, hit: list[Placement]
) -> list[Shortfall]:
    """Every resource short for the failed instances of each VNF alone, then of all together."""
    free = free_capacity(scenario, plan, failure)
    by_vnf: dict[str, int] = {}
    for placement in hit:
        by_vnf[placement.vnf] = by_vnf.get(placement.vnf, 0) + 1
    groups = [(name,) for name in by_vnf]
    if len(groups) > 1:
        groups.append(tuple(by_vnf))
    found: list[Shortfall] = []
    for group in groups:
        alone = {f.resource for f in found}  # the combined group only adds what none lacks alone
        needed = dict.fromkeys(RESOURCE_KEYS, 0.0)
        allowed: set[str] = set()
        for name in group:
            vnf = scenario.vnfs[name]
            need = least_need(scenario, vnf)
            for key in RESOURCE_KEYS:
                needed[key] += by_vnf[name] * need[key]
            for sid in free:
                site = scenario.sites[site_of(sid)]
                if vnf.sites is None or vnf.sites.allows(site):
                    allowed.add(sid)
        for key in RESOURCE_KEYS:
            room = sum(max(0.0, free[sid][key]) for sid in allowed)
            if needed[key] > room + EPSILON and not (len(group) > 1 and key in alone):
                found.append(Shortfall(group, key, round(needed[key], 6), round(room, 6)))
    return found
