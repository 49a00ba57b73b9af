"""What one plan says about the VM-or-container choice, computed from the plan and its scenario.

Everything here reads the plan's placements and servers and the scenario's platform; nothing
asks the solver. The figures follow FORMAT.md's capacity rules (docs/compare.md lists them):

- the *virtualisation tax* is what forms cost on top of the flavors: every instance's form
  overhead (overhead vCPUs take `1 / cpu_overcommit` thread each, pinned or not) plus every
  used host's reserve, once per form present on it (`cores × threads_per_core` threads), plus
  per worker VM of the nested form its VM overhead and its runtime reserve;
- *isolation* counts instances behind a hypervisor (VMs, and containers in worker VMs, which
  share a kernel only within their tenant) against instances sharing the host kernel (bare
  containers); a VNF counts as sharing a kernel as soon as one of its instances is a
  container, because its weakest instance is what an attacker reaches;
- *recovery* is for the busiest server (most instances): its instances are restarted in
  parallel elsewhere, so bringing them all back takes the longest `boot_seconds` of the forms
  present on it. Ties on the instance count go to the slower recovery, then to plan order;
- *time to deploy* is how long the whole plan takes to come up on hosts that hold no image yet:
  each host pulls its images once (at its site's `image_pull_gbps`), then boots its instances;
  each worker VM of the nested form boots, pulls its own copy of its VNFs' images (it is a
  node with its own cache) and boots its containers; the slowest host decides
  (`nfvplan.lifecycle`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from nfvplan.lifecycle import deploy_seconds
from nfvplan.model import Form, Scenario
from nfvplan.plan import Plan


@dataclass(frozen=True)
class Tax:
    """Hardware threads and GiB spent on forms rather than on the network functions."""

    overhead_threads: float
    overhead_memory_gib: float
    reserve_threads: float
    reserve_memory_gib: float
    capacity_threads: float
    """Threads of the servers used: the base of `thread_share`."""
    capacity_memory_gib: float

    @property
    def threads(self) -> float:
        """Overheads plus reserves, in hardware threads."""
        return self.overhead_threads + self.reserve_threads

    @property
    def memory_gib(self) -> float:
        """Overheads plus reserves, in GiB."""
        return self.overhead_memory_gib + self.reserve_memory_gib

    @property
    def thread_share(self) -> float:
        """The tax as a share of the used servers' threads (0 without servers)."""
        return self.threads / self.capacity_threads if self.capacity_threads else 0.0

    @property
    def memory_share(self) -> float:
        """The tax as a share of the used servers' memory (0 without servers)."""
        return self.memory_gib / self.capacity_memory_gib if self.capacity_memory_gib else 0.0


@dataclass(frozen=True)
class Isolation:
    """Instances and VNFs behind a hypervisor (VMs) against those sharing a host kernel."""

    vm_instances: int
    container_instances: int
    vm_vnfs: int
    """VNFs all of whose instances are VMs."""
    container_vnfs: int
    """VNFs with at least one container instance on a host kernel."""
    nested_instances: int = 0
    """Containers in worker VMs: behind a hypervisor, sharing a kernel only within a tenant."""
    nested_vnfs: int = 0
    """VNFs with a nested instance and no bare container (their weakest is a worker VM)."""


@dataclass(frozen=True)
class Recovery:
    """Bringing back the instances of the busiest server after it fails."""

    server: str | None
    instances: int
    seconds: float | None
    """None when a form on the server has no `boot_seconds`."""


@dataclass(frozen=True)
class Metrics:
    """The comparison figures of one plan."""

    monthly_cost: float
    servers_used: int
    servers_bought: int
    instances: int
    vms: int
    containers: int
    mean_instances_per_server: float
    max_instances_per_server: int
    cpu_utilisation: float
    memory_utilisation: float
    tax: Tax
    isolation: Isolation
    recovery: Recovery
    deploy_s: float | None
    """Seconds until every instance runs, from hosts without any image (`lifecycle`)."""
    forms: dict[str, dict[str, int]]
    """Per VNF (scenario order), how many instances took each form, e.g. {"vm": 2, ...}."""


def measure(scenario: Scenario, plan: Plan) -> Metrics:
    """The figures of a plan that holds placements (`plan.status.has_plan`)."""
    summary = plan.summary
    per_server = Counter(p.server for p in plan.placements)
    used = len(plan.servers)
    return Metrics(
        monthly_cost=summary.monthly_cost,
        servers_used=summary.servers_used,
        servers_bought=summary.servers_bought,
        instances=summary.instances,
        vms=summary.vms,
        containers=summary.containers,
        mean_instances_per_server=len(plan.placements) / used if used else 0.0,
        max_instances_per_server=max(per_server.values(), default=0),
        cpu_utilisation=summary.cpu_utilisation,
        memory_utilisation=summary.memory_utilisation,
        tax=virtualisation_tax(scenario, plan),
        isolation=isolation(plan),
        recovery=recovery(scenario, plan),
        deploy_s=deploy_seconds(scenario, plan),
        forms=forms_taken(scenario, plan),
    )


def forms_present(plan: Plan) -> dict[str, set[Form]]:
    """The forms running on each server of the plan."""
    present: dict[str, set[Form]] = {}
    for placement in plan.placements:
        present.setdefault(placement.server, set()).add(Form(placement.form))
    return present


def virtualisation_tax(scenario: Scenario, plan: Plan) -> Tax:
    """Form overheads of every instance plus host reserves of every used server."""
    platform = scenario.platform
    ratio = platform.cpu_overcommit if platform.cpu_overcommit > 0 else 1.0
    overhead_threads = overhead_memory = 0.0
    for placement in plan.placements:
        overhead = platform.form(Form(placement.form)).overhead
        overhead_threads += overhead.vcpu / ratio
        overhead_memory += overhead.memory_gib
    present = forms_present(plan)
    reserve_threads = reserve_memory = capacity_threads = capacity_memory = 0.0
    # worker VMs (containers in VMs): the VM overhead and the runtime reserve, per worker
    for worker in plan.workers:
        flavor = platform.nesting.flavor(worker.trust)
        if flavor is None:
            continue
        rate = 1.0 if flavor.dedicated_cpu else 1 / ratio
        overhead_threads += platform.vm.overhead.vcpu / ratio
        overhead_memory += platform.vm.overhead.memory_gib
        reserve_threads += platform.nesting.reserve.vcpu * rate
        reserve_memory += platform.nesting.reserve.memory_gib
    for server in plan.servers:
        stype = scenario.server_types[server.type]
        capacity_threads += stype.threads
        capacity_memory += stype.memory_gib
        forms = present.get(server.id, set())
        if Form.NESTED in forms:
            forms = forms | {Form.VM}  # worker VMs run on the hypervisor
        for form in forms:
            reserve = platform.form(form).host_reserve
            reserve_threads += reserve.cores * stype.threads_per_core
            reserve_memory += reserve.memory_gib
    return Tax(
        overhead_threads,
        overhead_memory,
        reserve_threads,
        reserve_memory,
        capacity_threads,
        capacity_memory,
    )


def isolation(plan: Plan) -> Isolation:
    """VM, bare container and nested instances, and VNFs wholly in VMs, with any bare
    container, or with nested instances (and no bare one)."""
    vms = sum(p.form == Form.VM.value for p in plan.placements)
    nested = sum(p.form == Form.NESTED.value for p in plan.placements)
    sharing = {p.vnf for p in plan.placements if p.form == Form.CONTAINER.value}
    in_workers = {p.vnf for p in plan.placements if p.form == Form.NESTED.value} - sharing
    placed = {p.vnf for p in plan.placements}
    return Isolation(
        vm_instances=vms,
        container_instances=len(plan.placements) - vms - nested,
        vm_vnfs=len(placed - sharing - in_workers),
        container_vnfs=len(sharing),
        nested_instances=nested,
        nested_vnfs=len(in_workers),
    )


def recovery(scenario: Scenario, plan: Plan) -> Recovery:
    """The busiest server and the time its instances take to boot again, in parallel."""
    count = Counter(p.server for p in plan.placements)
    present = forms_present(plan)

    def seconds(server: str) -> float | None:
        return scenario.platform.boot_seconds(present[server])

    order = {server.id: i for i, server in enumerate(plan.servers)}
    busiest = min(
        count, key=lambda s: (-count[s], -(seconds(s) or 0), order.get(s, len(order))), default=None
    )
    if busiest is None:
        return Recovery(None, 0, 0.0)
    return Recovery(busiest, count[busiest], seconds(busiest))


def forms_taken(scenario: Scenario, plan: Plan) -> dict[str, dict[str, int]]:
    """Per VNF in scenario order, the instance count of each form it took (forms in enum order)."""
    count = Counter((p.vnf, p.form) for p in plan.placements)
    return {
        name: {form.value: count[(name, form.value)] for form in Form if count[(name, form.value)]}
        for name in scenario.vnfs
        if any(count[(name, form.value)] for form in Form)
    }


def describe_forms(counts: dict[str, int]) -> str:
    """`vm ×2 + container ×1`: one VNF's forms as an operator reads them."""
    return " + ".join(f"{form} ×{n}" for form, n in counts.items())
