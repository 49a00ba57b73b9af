"""What instances and form reserves take from a server, recomputed from the scenario alone.

These are FORMAT.md's capacity rules written out once for the checker: the per-instance demand
(a VM's image is a disk of its own), the once-per-host reserve of each form present, the
container image each VNF pulls once per host, and their sums per server and per NUMA node.
"""

from __future__ import annotations

from nfvplan.check._core import Context, Instance, ServerRef
from nfvplan.check._nesting import worker_usage, workers_on
from nfvplan.model import Form, Platform, ServerType
from nfvplan.plan import RESOURCE_KEYS

UNITS = {
    "threads": ("threads", "threads"),
    "memory_gib": ("memory", "GiB"),
    "disk_gib": ("disk", "GiB"),
    "nic_gbps": ("NIC", "Gbps"),
    "sriov_vfs": ("SR-IOV", "VFs"),
}
"""How each resource is named in messages: (label, unit)."""

NUMA_KEYS = ("threads", "memory_gib", "sriov_vfs")
"""The resources a NUMA node holds a share of (FORMAT.md: threads, memory and VFs)."""


def capacity(stype: ServerType) -> dict[str, float]:
    """The whole server, per resource."""
    return {
        "threads": float(stype.threads),
        "memory_gib": stype.memory_gib,
        "disk_gib": stype.disk_gib,
        "nic_gbps": stype.nic_gbps,
        "sriov_vfs": float(stype.sriov_vfs),
    }


def _overcommit(platform: Platform) -> float:
    """The shared-vCPU ratio; a non-positive one (never valid input) counts as no overcommit."""
    return platform.cpu_overcommit if platform.cpu_overcommit > 0 else 1.0


def instance_demand(ctx: Context, instance: Instance) -> dict[str, float]:
    """What one instance takes: flavor + form overhead, plus the traffic it carries on its NIC.

    Pinned vCPUs take a whole thread each; shared ones and every overhead vCPU take
    1/cpu_overcommit. Carried traffic counts once (the NIC is full duplex) and only for the
    first instance of a name, so a duplicated name does not double it.
    """
    assert instance.vnf is not None and instance.form is not None
    platform = ctx.scenario.platform
    flavor = instance.vnf.flavor
    overhead = platform.form(instance.form).overhead
    ratio = _overcommit(platform)
    if instance.vnf.dedicated_cpu:
        threads = flavor.vcpu + overhead.vcpu / ratio
    else:
        threads = (flavor.vcpu + overhead.vcpu) / ratio
    carried = ctx.carried.get(instance.name, 0.0) if ctx.by_name[instance.name] is instance else 0.0
    if instance.form is Form.NESTED:  # inside its worker VM: only NIC and VFs pass through
        return {
            "threads": 0.0,
            "memory_gib": 0.0,
            "disk_gib": 0.0,
            "nic_gbps": flavor.gbps + carried,
            "sriov_vfs": float(flavor.sriov_vfs),
        }
    image = instance.vnf.image_gib.vm if instance.form is Form.VM else 0.0
    return {
        "threads": threads,
        "memory_gib": flavor.memory_gib + flavor.hugepages_gib + overhead.memory_gib,
        "disk_gib": flavor.disk_gib + overhead.disk_gib + image,
        "nic_gbps": flavor.gbps + carried,
        "sriov_vfs": float(flavor.sriov_vfs),
    }


def reserve(platform: Platform, forms: set[Form], stype: ServerType) -> dict[str, float]:
    """The host reserves of the forms present on a server (each form's once; worker VMs of
    the nested form pay the VM form's, once with the VMs)."""
    total = dict.fromkeys(RESOURCE_KEYS, 0.0)
    if Form.NESTED in forms:
        forms = forms | {Form.VM}
    for form in sorted(forms, key=lambda f: f.value):
        spec = platform.form(form).host_reserve
        total["threads"] += spec.cores * stype.threads_per_core
        total["memory_gib"] += spec.memory_gib
        total["disk_gib"] += spec.disk_gib
    return total


def sized(instances: list[Instance]) -> list[Instance]:
    """The instances whose size is known (VNF and form resolved); others are reported elsewhere."""
    return [i for i in instances if i.vnf is not None and i.form is not None]


def server_usage(ctx: Context, server: ServerRef) -> dict[str, float]:
    """Everything a server uses: reserves of the forms present, the container images pulled,
    plus every instance's demand."""
    hosted = sized(ctx.hosts.get(server.id, []))
    forms = {i.form for i in hosted if i.form is not None}
    workers = workers_on(ctx, server.id)
    if workers:
        forms.add(Form.NESTED)
    total = reserve(ctx.scenario.platform, forms, server.type)
    for _worker, flavor in workers:  # worker VMs take their flavor + VM overhead, like VMs
        for key, amount in worker_usage(ctx.scenario.platform, flavor).items():
            total[key] += amount
    pulled = {i.vnf.name: i.vnf for i in hosted if i.vnf is not None and i.form is Form.CONTAINER}
    for vnf in pulled.values():  # one image per VNF and host, shared by its containers there
        total["disk_gib"] += vnf.image_gib.container
    for instance in hosted:
        for key, amount in instance_demand(ctx, instance).items():
            total[key] += amount
    return total


def all_usage(ctx: Context) -> dict[str, dict[str, float]]:
    """Recomputed usage of every server hosting something, in first-seen order."""
    if ctx.usage is None:
        ctx.usage = {sid: server_usage(ctx, ctx.servers[sid]) for sid in ctx.hosts}
    return ctx.usage
