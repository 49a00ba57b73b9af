"""The nested form's arithmetic (`container-in-vm`): worker VMs and what they hold, exactly.

A nested instance is a container inside a worker VM of its trust domain. On the host, a worker
takes its flavor plus the VM form's per-instance `overhead`, like any VM; the host pays the VM
form's `host_reserve` (the hypervisor) once if it runs any VM or any worker. Inside, the
worker's flavor minus the runtime's `reserve` (kubelet, container runtime: paid per worker,
not per container) holds its containers' flavors plus the container form's per-instance
overhead, vCPU for vCPU (Kubernetes requests are not overcommitted inside a node), and the
container image of each VNF it runs, once per worker (every worker node keeps its own image
cache). A nested instance's NIC Gbps and SR-IOV VFs pass through to the host.

Shared by the solver (scaled to integers there) and `derived.py`; pure arithmetic on the model.
The checker keeps its own copy of these rules on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable

from nfvplan.model import Form, Scenario, Vnf, WorkerFlavor

WORKER_KEYS = ("vcpu", "memory_gib", "disk_gib")
"""What a worker VM's flavor offers its containers, in this order."""


def worker_flavor(scenario: Scenario, domain: str) -> WorkerFlavor | None:
    """The worker VM flavor of a trust domain (None: the platform gives it none)."""
    return scenario.platform.nesting.flavor(domain)


def worker_host_usage(scenario: Scenario, flavor: WorkerFlavor) -> tuple[float, ...]:
    """What one worker VM takes of its host (threads, memory, disk, NIC, VFs): its flavor and
    the VM form's per-instance overhead, vCPUs pinned or shared as for a VM."""
    overhead = scenario.platform.vm.overhead
    overcommit = scenario.platform.cpu_overcommit
    if flavor.dedicated_cpu:
        threads = flavor.vcpu + overhead.vcpu / overcommit
    else:
        threads = (flavor.vcpu + overhead.vcpu) / overcommit
    return (
        threads,
        flavor.memory_gib + overhead.memory_gib,
        flavor.disk_gib + overhead.disk_gib,
        0.0,
        0.0,
    )


def worker_room(scenario: Scenario, flavor: WorkerFlavor) -> tuple[float, ...]:
    """What a worker's containers share (vCPU, memory, disk): its flavor minus the reserve."""
    reserve = scenario.platform.nesting.reserve
    return (
        flavor.vcpu - reserve.vcpu,
        flavor.memory_gib - reserve.memory_gib,
        flavor.disk_gib - reserve.disk_gib,
    )


def inner_usage(scenario: Scenario, vnf: Vnf) -> tuple[float, ...]:
    """What one nested instance takes inside its worker (vCPU, memory, disk), its image aside."""
    overhead = scenario.platform.container.overhead
    flavor = vnf.flavor
    return (
        flavor.vcpu + overhead.vcpu,
        flavor.memory_gib + flavor.hugepages_gib + overhead.memory_gib,
        flavor.disk_gib + overhead.disk_gib,
    )


def passthrough_usage(vnf: Vnf) -> tuple[float, ...]:
    """What a nested instance takes of its host directly: NIC Gbps and SR-IOV VFs only."""
    return (0.0, 0.0, 0.0, vnf.flavor.gbps, float(vnf.flavor.sriov_vfs))


def host_share(scenario: Scenario, vnf: Vnf) -> tuple[float, ...]:
    """A lower bound on what one nested instance costs its host, per resource: its inner usage
    at the host's rate for its worker's vCPUs (any worker holding it takes at least that), and
    its pass-through. Formulations that do not model workers use it as the instance's demand,
    which relaxes the nesting rule: a bound stays a bound, a plan must be packed (`solver/
    nesting.py`)."""
    flavor = worker_flavor(scenario, vnf.trust)
    rate = 1.0
    if flavor is None or not flavor.dedicated_cpu:
        rate = 1.0 / scenario.platform.cpu_overcommit
    vcpu, memory, disk = inner_usage(scenario, vnf)
    return (vcpu * rate, memory, disk, vnf.flavor.gbps, float(vnf.flavor.sriov_vfs))


def hypervisor_needed(forms: Iterable[Form]) -> bool:
    """True when a host with instances of `forms` pays the VM form's reserve (any VM or
    worker VM runs there)."""
    return any(form in (Form.VM, Form.NESTED) for form in forms)
