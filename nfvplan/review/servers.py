"""Per-server view of a plan: what each instance, each form and the traffic take of a server.

The plan's `used` figures are the authority (they are what `nfvplan check` verifies); this
module splits them into their parts with the same rules the solver and the migration planner
use (`nfvplan.usage`): the workload (flavors), the form overheads and the host reserves (the
"virtualisation tax"), the carried traffic on the NIC, and what is left free. When a
hand-edited plan's `used` disagrees with its placements, the difference is kept and reported
(`stale`), never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

from nfvplan.model import Form, Scenario
from nfvplan.plan import RESOURCE_KEYS, Plan
from nfvplan.usage import instance_usage, overhead_usage, reserve_usage, server_capacity

RESOURCE_LABELS = {
    "threads": ("CPU", "threads"),
    "memory_gib": ("memory", "GiB"),
    "disk_gib": ("disk", "GiB"),
    "nic_gbps": ("NIC", "Gbps"),
    "sriov_vfs": ("SR-IOV", "VFs"),
}
"""How each plan resource is named in tables, with its unit."""

TOLERANCE = 1e-6
"""Below this, a plan's `used` and its recomputation agree (the checker's own closeness)."""


@dataclass(frozen=True)
class InstanceView:
    """One instance on a server and what it takes, per resource (RESOURCE_KEYS order)."""

    instance: str
    vnf: str
    form: str
    numa_node: int | None
    workload: tuple[float, ...]
    """The flavor's share: vCPUs (divided by the overcommit unless pinned), memory with
    hugepages, disk, the flavor's own Gbps and its VFs."""
    overhead: tuple[float, ...]
    """The form's per-instance overhead (guest kernel, shim): part of the virtualisation tax."""


@dataclass(frozen=True)
class ResourceUse:
    """One resource of one server, split into its parts; `used` is the plan's figure."""

    key: str
    capacity: float
    used: float
    workload: float
    overhead: float
    reserve: float
    traffic: float
    """NIC Gbps carried for service chains (what the plan counts beyond the static parts)."""
    stale: float
    """`used` minus the sum of the parts (0 for a plan its placements agree with)."""

    @property
    def label(self) -> str:
        """`CPU`, `memory`...: the resource as tables name it."""
        return RESOURCE_LABELS[self.key][0]

    @property
    def unit(self) -> str:
        """`threads`, `GiB`, `Gbps` or `VFs`."""
        return RESOURCE_LABELS[self.key][1]

    @property
    def tax(self) -> float:
        """Form overheads plus host reserves: what the forms cost on top of the workload."""
        return self.overhead + self.reserve

    @property
    def free(self) -> float:
        """Capacity left (negative when the plan overloads the server)."""
        return self.capacity - self.used

    @property
    def share(self) -> float:
        """Used over capacity (0 for a resource the server does not have)."""
        return self.used / self.capacity if self.capacity else 0.0


@dataclass(frozen=True)
class ServerView:
    """A used server: its identity, cost, instances and every resource's split."""

    id: str
    site: str
    type: str
    rack: int
    bought: bool
    monthly_cost: float
    numa_nodes: int
    forms: tuple[str, ...]
    """The forms present (their host reserves are paid once each), in Form order."""
    instances: tuple[InstanceView, ...]
    resources: tuple[ResourceUse, ...]

    def resource(self, key: str) -> ResourceUse:
        """The split of resource `key` (one of RESOURCE_KEYS)."""
        return next(r for r in self.resources if r.key == key)

    @property
    def busiest(self) -> ResourceUse:
        """The resource with the highest share used (ties: RESOURCE_KEYS order)."""
        return max(self.resources, key=lambda r: r.share)


def _instance(scenario: Scenario, placement) -> InstanceView:
    form = Form(placement.form)
    vnf = scenario.vnfs[placement.vnf]
    total = instance_usage(scenario, vnf, form)
    overhead = overhead_usage(scenario, form)
    return InstanceView(
        instance=placement.instance,
        vnf=placement.vnf,
        form=placement.form,
        numa_node=placement.numa_node,
        workload=tuple(t - o for t, o in zip(total, overhead, strict=True)),
        overhead=overhead,
    )


def server_views(scenario: Scenario, plan: Plan) -> list[ServerView]:
    """Every server the plan lists, in plan order, with its instances in plan order.

    Placements on a server the plan does not list, or of a VNF the scenario lacks, are left
    out here (the summary counts them apart and `nfvplan check` names them).
    """
    by_server: dict[str, list] = {}
    for placement in plan.placements:
        if placement.vnf in scenario.vnfs and placement.form in {f.value for f in Form}:
            by_server.setdefault(placement.server, []).append(placement)
    views = []
    for server in plan.servers:
        stype = scenario.server_types.get(server.type)
        if stype is None:
            continue
        instances = tuple(_instance(scenario, p) for p in by_server.get(server.id, []))
        forms = tuple(f.value for f in Form if any(i.form == f.value for i in instances))
        reserves = [reserve_usage(scenario, Form(f), stype) for f in forms]
        resources = []
        for index, (key, cap) in enumerate(zip(RESOURCE_KEYS, server_capacity(stype), strict=True)):
            workload = sum(i.workload[index] for i in instances)
            overhead = sum(i.overhead[index] for i in instances)
            reserve = sum(r[index] for r in reserves)
            used = float(server.used.get(key, 0.0))
            rest = used - workload - overhead - reserve
            traffic = max(rest, 0.0) if key == "nic_gbps" else 0.0
            stale = rest - traffic
            resources.append(
                ResourceUse(
                    key=key,
                    capacity=cap,
                    used=used,
                    workload=workload,
                    overhead=overhead,
                    reserve=reserve,
                    traffic=traffic,
                    stale=0.0 if abs(stale) < TOLERANCE else stale,
                )
            )
        views.append(
            ServerView(
                id=server.id,
                site=server.site,
                type=server.type,
                rack=server.rack,
                bought=server.bought,
                monthly_cost=stype.monthly_cost,
                numa_nodes=stype.numa_nodes,
                forms=forms,
                instances=instances,
                resources=tuple(resources),
            )
        )
    return views


@dataclass(frozen=True)
class CostBreakdown:
    """The monthly cost in its three parts, as the checker recomputes it."""

    installed: float
    """Installed servers the plan uses."""
    purchases: float
    """Servers the plan buys (`expand`)."""
    licences: float
    """Every instance's `license_monthly`."""

    @property
    def total(self) -> float:
        """The three together: the plan's monthly cost when the plan is consistent."""
        return self.installed + self.purchases + self.licences


def cost_breakdown(scenario: Scenario, plan: Plan) -> CostBreakdown:
    """Servers used (installed and bought apart) and licences of every placed instance."""
    installed = purchases = 0.0
    for server in plan.servers:
        stype = scenario.server_types.get(server.type)
        if stype is None:
            continue
        if server.bought:
            purchases += stype.monthly_cost
        else:
            installed += stype.monthly_cost
    licences = sum(
        scenario.vnfs[p.vnf].license_monthly for p in plan.placements if p.vnf in scenario.vnfs
    )
    return CostBreakdown(installed, purchases, licences)
