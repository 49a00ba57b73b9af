"""What one instance and one form's host reserve take, exactly, in format units.

Shared by the solver (which scales these to integers) and the migration planner (which replays a
deployment change step by step); pure arithmetic on the model, no OR-Tools. The checker keeps its
own copy of these rules on purpose: it must not trust the code it checks.
"""

from __future__ import annotations

from nfvplan.model import Form, Scenario, ServerType, Vnf
from nfvplan.nested import host_share

__all__ = [
    "container_image_usage",
    "instance_usage",
    "overhead_usage",
    "reserve_usage",
    "server_capacity",
]


def instance_usage(scenario: Scenario, vnf: Vnf, form: Form) -> tuple[float, ...]:
    """What one instance of `vnf` in `form` takes of each resource, exactly (format units).

    Traffic-driven NIC load is not included: it depends on routing and is added by the network
    part of a formulation. A nested instance (`container-in-vm`) runs inside a worker VM: its
    figure here is `nested.host_share`, a lower bound on what it costs its host (its worker VM
    is what the host really carries: `nested.worker_host_usage`).
    """
    if form is Form.NESTED:
        return host_share(scenario, vnf)
    overhead = scenario.platform.form(form).overhead
    overcommit = scenario.platform.cpu_overcommit
    if vnf.dedicated_cpu:
        threads = vnf.flavor.vcpu + overhead.vcpu / overcommit
    else:
        threads = (vnf.flavor.vcpu + overhead.vcpu) / overcommit
    flavor = vnf.flavor
    values = (
        threads,
        flavor.memory_gib + flavor.hugepages_gib + overhead.memory_gib,
        flavor.disk_gib + overhead.disk_gib + (vnf.image_gib.vm if form is Form.VM else 0.0),
        flavor.gbps,
        float(flavor.sriov_vfs),
    )
    return values


def container_image_usage(vnf: Vnf) -> float:
    """Disk (GiB) of the pulled container image of `vnf`, stored once per cache and shared by
    every container of it there: a host's for bare containers, a worker VM's for nested ones
    (each worker is a node with its own cache, inside the worker's disk, which the host
    carries as the worker's flavor: `nested.py`, `solver/nesting.py`). A VM's image is in
    `instance_usage`, once per instance."""
    return vnf.image_gib.container


def reserve_usage(scenario: Scenario, form: Form, server_type: ServerType) -> tuple[float, ...]:
    """What a host gives up once when it runs any instance of `form` (format units)."""
    reserve = scenario.platform.form(form).host_reserve
    return (
        reserve.cores * server_type.threads_per_core,
        reserve.memory_gib,
        reserve.disk_gib,
        0.0,
        0.0,
    )


def overhead_usage(scenario: Scenario, form: Form) -> tuple[float, ...]:
    """The part of `instance_usage` that is the form's per-instance overhead (guest kernel,
    shim): overhead vCPUs take `1 / cpu_overcommit` thread each, pinned or not."""
    overhead = scenario.platform.form(form).overhead
    return (
        overhead.vcpu / scenario.platform.cpu_overcommit,
        overhead.memory_gib,
        overhead.disk_gib,
        0.0,
        0.0,
    )


def server_capacity(server_type: ServerType) -> tuple[float, ...]:
    """What a server of this type offers, in `RESOURCE_KEYS` order (threads, memory, disk, NIC
    Gbps, SR-IOV VFs)."""
    return (
        float(server_type.threads),
        server_type.memory_gib,
        server_type.disk_gib,
        server_type.nic_gbps,
        float(server_type.sriov_vfs),
    )
