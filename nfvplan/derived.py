"""The figures a plan derives from its placements: server usage, summary, objective value, gap.

One copy, used by the solver when it writes a plan (`nfvplan/solver/result.py`) and by
`nfvplan refresh` when a plan was edited by hand (`nfvplan/refresh.py`), so a refreshed plan
reads exactly as if the solver had written those placements. Pure arithmetic on the model, no
OR-Tools. The checker (`nfvplan/check/`) recomputes the same figures its own way on purpose.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import pairwise

from nfvplan.model import Form, Objective, Scenario, ServerType, Vnf, WorkerFlavor
from nfvplan.nested import hypervisor_needed, passthrough_usage, worker_host_usage
from nfvplan.network import link_key
from nfvplan.plan import RESOURCE_KEYS, LinkLoad, Placement, Route, ServerUse, Summary
from nfvplan.usage import container_image_usage, instance_usage, reserve_usage

GBPS_UNITS = 1000
"""Traffic is counted in whole Mbit/s (the solver routes in these units), so sums of route
parts carry no float noise."""

NIC = RESOURCE_KEYS.index("nic_gbps")
DISK = RESOURCE_KEYS.index("disk_gib")

CAPACITY_OF = {
    "threads": lambda t: t.threads,
    "memory_gib": lambda t: t.memory_gib,
    "disk_gib": lambda t: t.disk_gib,
    "nic_gbps": lambda t: t.nic_gbps,
    "sriov_vfs": lambda t: t.sriov_vfs,
}
"""Each resource's capacity on a server type, in format units."""


def server_use(
    scenario: Scenario,
    server: tuple[str, str, ServerType, int, bool],
    hosted: Iterable[tuple[Vnf, Form, float]],
    workers: Iterable[WorkerFlavor] = (),
) -> ServerUse:
    """The `servers` entry of one used server: `server` is (id, site, type, rack, bought) and
    `hosted` its instances as (VNF, form, Gbps of traffic carried). Usage is exact (format
    units): each form's host reserve once, every instance's flavor and overhead, and the
    carried traffic on the NIC. Nested instances (`container-in-vm`) take only their NIC and
    VFs directly; their `workers` (flavors) take the rest as VMs, with the VM form's reserve
    once for VMs and workers together (`nfvplan/nested.py`)."""
    server_id, site, server_type, rack, bought = server
    entries = list(hosted)
    flavors = list(workers)
    totals = [0.0] * len(RESOURCE_KEYS)
    present = {form for _vnf, form, _gbps in entries}
    if flavors:
        present.add(Form.NESTED)
    if hypervisor_needed(present):
        present.add(Form.VM)
    for flavor in flavors:
        for r, value in enumerate(worker_host_usage(scenario, flavor)):
            totals[r] += value
    for form in sorted(present, key=lambda f: f.value):
        for r, value in enumerate(reserve_usage(scenario, form, server_type)):
            totals[r] += value
    # A container image is pulled once per host and shared by its containers (docs/format.md).
    pulled = {vnf.name: vnf for vnf, form, _gbps in entries if form is Form.CONTAINER}
    for vnf in pulled.values():
        totals[DISK] += container_image_usage(vnf)
    for vnf, form, gbps in entries:
        usage = passthrough_usage(vnf) if form is Form.NESTED else None
        for r, value in enumerate(usage or instance_usage(scenario, vnf, form)):
            totals[r] += value
        totals[NIC] += gbps
    return ServerUse(
        id=server_id,
        site=site,
        type=server_type.name,
        rack=rack,
        bought=bought,
        used={key: round(v, 6) for key, v in zip(RESOURCE_KEYS, totals, strict=True)},
    )


def summarise(scenario: Scenario, servers: list[ServerUse], placements: list[Placement]) -> Summary:
    """Headline figures, from the exact usage of the used servers."""
    types = {server.id: scenario.server_types[server.type] for server in servers}
    cost = sum(types[s.id].monthly_cost for s in servers)
    cost += sum(scenario.vnfs[p.vnf].license_monthly for p in placements)
    threads = sum(types[s.id].threads for s in servers)
    memory = sum(types[s.id].memory_gib for s in servers)
    return Summary(
        monthly_cost=round(cost, 6),
        servers_used=len(servers),
        servers_bought=sum(1 for s in servers if s.bought),
        instances=len(placements),
        vms=sum(1 for p in placements if p.form == Form.VM.value),
        containers=sum(1 for p in placements if p.form != Form.VM.value),
        cpu_utilisation=round(sum(s.used["threads"] for s in servers) / threads, 6)
        if threads
        else 0.0,
        memory_utilisation=round(sum(s.used["memory_gib"] for s in servers) / memory, 6)
        if memory
        else 0.0,
    )


def objective_value(
    objective: Objective, scenario: Scenario, summary: Summary, servers: list[ServerUse]
) -> float:
    """The objective's figure for a plan: its cost, its servers, or its busiest utilisation."""
    if objective is Objective.COST:
        return summary.monthly_cost
    if objective is Objective.SERVERS:
        return float(summary.servers_used)
    busiest = 0.0
    for server in servers:
        server_type = scenario.server_types[server.type]
        for key in RESOURCE_KEYS:
            capacity = CAPACITY_OF[key](server_type)
            if capacity > 0:
                busiest = max(busiest, server.used[key] / capacity)
    return round(busiest, 6)


def link_loads(scenario: Scenario, routes: Iterable[Route]) -> list[LinkLoad]:
    """Load on every link some route part crosses, both directions together, in scenario
    order (a link listed twice between the same sites carries the pair's load on each)."""
    load: dict[tuple[str, str], int] = defaultdict(int)
    for route in routes:
        units = round(route.gbps * GBPS_UNITS)
        for a, b in pairwise(route.path):
            load[link_key(a, b)] += units
    result = []
    for link in scenario.links:
        units = load.get(link_key(link.a, link.b), 0)
        if units:
            result.append(LinkLoad(link.a, link.b, units / GBPS_UNITS, link.gbps))
    return result


def gap_of(value: float, bound: float | None) -> float | None:
    """The relative gap between a plan's value and the proven bound; None without a bound (0
    would claim the plan proven)."""
    if bound is None:
        return None
    return 0.0 if value == 0 else round(max(0.0, (value - bound) / abs(value)), 6)
