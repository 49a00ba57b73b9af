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
from nfvplan.nested import (
    hypervisor_needed,
    inner_usage,
    passthrough_usage,
    worker_flavor,
    worker_host_usage,
    worker_room,
)
from nfvplan.plan import RESOURCE_KEYS, Placement, Plan, WorkerVm
from nfvplan.usage import (
    container_image_usage,
    instance_usage,
    overhead_usage,
    reserve_usage,
    server_capacity,
)

RESOURCE_LABELS = {
    "threads": ("CPU", "threads"),
    "memory_gib": ("memory", "GiB"),
    "disk_gib": ("disk", "GiB"),
    "nic_gbps": ("NIC", "Gbps"),
    "sriov_vfs": ("SR-IOV", "VFs"),
}
"""How each plan resource is named in tables, with its unit."""

PASSED_THROUGH = ("nic_gbps", "sriov_vfs")
"""What a nested instance takes of its host directly, past its worker VM."""

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
    worker: str | None = None
    """The worker VM holding a nested (`container-in-vm`) instance."""


@dataclass(frozen=True)
class WorkerView:
    """A worker VM of the nested form on its server: its flavor, what it holds and how full.

    On the host a worker takes its flavor plus the VM overhead; its containers' flavors and
    images are workload, its VM overhead and the containers' overheads are overhead, and what
    the containers leave of the flavor (the runtime's reserve and unfilled room) is reserve:
    the worker's share of the virtualisation tax."""

    id: str
    trust: str
    flavor: str
    numa_node: int | None
    instances: tuple[str, ...]
    room: tuple[float, float]
    """vCPU and memory GiB the worker offers its containers (its flavor minus the reserve)."""
    held: tuple[float, float]
    """vCPU and memory GiB its containers take of that room (with their overheads)."""
    workload: tuple[float, ...]
    overhead: tuple[float, ...]
    reserve: tuple[float, ...]


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
    workers: tuple[WorkerView, ...] = ()
    """The worker VMs on the server, in plan order (none without nested instances)."""

    def resource(self, key: str) -> ResourceUse:
        """The split of resource `key` (one of RESOURCE_KEYS)."""
        return next(r for r in self.resources if r.key == key)

    @property
    def busiest(self) -> ResourceUse:
        """The resource with the highest share used (ties: RESOURCE_KEYS order)."""
        return max(self.resources, key=lambda r: r.share)


def _nested_instance(scenario: Scenario, placement: Placement) -> InstanceView:
    """A nested instance's own part of its worker at the worker's host rate (vCPUs pinned:
    a thread each; shared: 1 / cpu_overcommit), its pass-through NIC and VFs."""
    vnf = scenario.vnfs[placement.vnf]
    flavor = worker_flavor(scenario, vnf.trust)
    rate = 1.0
    if flavor is None or not flavor.dedicated_cpu:
        rate = 1.0 / scenario.platform.cpu_overcommit
    overhead = scenario.platform.container.overhead
    inner = inner_usage(scenario, vnf)
    own = (inner[0] - overhead.vcpu, inner[1] - overhead.memory_gib, inner[2] - overhead.disk_gib)
    passed = passthrough_usage(vnf)
    return InstanceView(
        instance=placement.instance,
        vnf=placement.vnf,
        form=placement.form,
        numa_node=placement.numa_node,
        workload=(own[0] * rate, own[1], own[2], passed[3], passed[4]),
        overhead=(overhead.vcpu * rate, overhead.memory_gib, overhead.disk_gib, 0.0, 0.0),
        worker=placement.worker,
    )


def _worker(scenario: Scenario, worker: WorkerVm, inside: list[InstanceView]) -> WorkerView | None:
    """The split of one worker VM's host usage (None when the scenario gives its domain no
    flavor: a hand-edited plan, whose `used` then shows stale and `nfvplan check` names)."""
    flavor = worker_flavor(scenario, worker.trust)
    if flavor is None:
        return None
    host = worker_host_usage(scenario, flavor)
    vm_overhead = overhead_usage(scenario, Form.VM)
    images = sum(
        container_image_usage(scenario.vnfs[vnf]) for vnf in dict.fromkeys(i.vnf for i in inside)
    )
    workload = [sum(i.workload[r] for i in inside) for r in range(3)]
    workload[2] += images
    overhead = [vm_overhead[r] + sum(i.overhead[r] for i in inside) for r in range(3)]
    reserve = [host[r] - workload[r] - overhead[r] for r in range(3)]
    room = worker_room(scenario, flavor)
    held = [0.0, 0.0]
    for i in inside:
        usage = inner_usage(scenario, scenario.vnfs[i.vnf])
        held = [held[0] + usage[0], held[1] + usage[1]]
    return WorkerView(
        id=worker.id,
        trust=worker.trust,
        flavor=worker.flavor,
        numa_node=worker.numa_node,
        instances=tuple(i.instance for i in inside),
        room=(room[0], room[1]),
        held=(held[0], held[1]),
        workload=(*workload, 0.0, 0.0),
        overhead=(*overhead, 0.0, 0.0),
        reserve=(*reserve, 0.0, 0.0),
    )


def _instance(scenario: Scenario, placement: Placement) -> InstanceView:
    form = Form(placement.form)
    vnf = scenario.vnfs[placement.vnf]
    if form is Form.NESTED:
        return _nested_instance(scenario, placement)
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
    workers_on: dict[str, list[WorkerVm]] = {}
    for worker in plan.workers:
        workers_on.setdefault(worker.server, []).append(worker)
    views = []
    for server in plan.servers:
        stype = scenario.server_types.get(server.type)
        if stype is None:
            continue
        instances = tuple(_instance(scenario, p) for p in by_server.get(server.id, []))
        workers = tuple(
            view
            for worker in workers_on.get(server.id, [])
            if (view := _worker(scenario, worker, [i for i in instances if i.worker == worker.id]))
        )
        present = {Form(i.form) for i in instances} | ({Form.NESTED} if workers else set())
        forms = tuple(f.value for f in Form if f in present)
        if hypervisor_needed(present):
            present.add(Form.VM)
        reserves = [reserve_usage(scenario, f, stype) for f in Form if f in present]
        # a nested instance's share is in its worker's split, not counted again
        alone = [i for i in instances if i.form != Form.NESTED.value]
        passed = [i for i in instances if i.form == Form.NESTED.value]
        # a bare container image is pulled once per host, shared by its containers
        pulled = {i.vnf for i in alone if i.form == Form.CONTAINER.value}
        images = sum(container_image_usage(scenario.vnfs[vnf]) for vnf in pulled)
        resources = []
        for index, (key, cap) in enumerate(zip(RESOURCE_KEYS, server_capacity(stype), strict=True)):
            workload = sum(i.workload[index] for i in alone)
            workload += sum(w.workload[index] for w in workers)
            # nested instances load the host's NIC and VFs directly (pass-through)
            workload += sum(i.workload[index] for i in passed if key in PASSED_THROUGH)
            workload += images if key == "disk_gib" else 0.0
            overhead = sum(i.overhead[index] for i in alone)
            overhead += sum(w.overhead[index] for w in workers)
            reserve = sum(r[index] for r in reserves) + sum(w.reserve[index] for w in workers)
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
                workers=workers,
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
