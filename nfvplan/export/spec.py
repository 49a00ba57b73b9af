"""What every target deploys for one planned instance: the plan and scenario, resolved once.

Each rule of the mapping lives here (not in the four renderers): the guest gets the VNF's
flavor (the form's overhead is what the plan reserves on the host for the hypervisor or the
container runtime, not part of the guest), dedicated vCPUs must be whole, the hugepage size
follows from the amounts, and the server, rack, zone and host come from the plan and the hosts
mapping. The renderers only spell a `Deployment` in their tool's terms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from nfvplan.errors import InputError
from nfvplan.export.hosts import Host, HostMap
from nfvplan.export.naming import dns_label
from nfvplan.model import Scenario
from nfvplan.plan import Plan

GIB_MIB = 1024


@dataclass(frozen=True)
class InstanceSpec:
    """One planned instance, ready to render."""

    instance: str
    vnf: str
    form: str
    server: str
    site: str
    rack: int
    host: Host
    numa_node: int | None
    vcpu: float
    memory_gib: float
    hugepages_gib: float
    disk_gib: float
    sriov_vfs: int
    dedicated: bool
    numa_aligned: bool
    anti_affinity: str | None
    trust: str
    worker: str | None = None
    """The worker VM of a nested instance (`container-in-vm`); its `host` is then the worker
    VM's Kubernetes node (`worker_node`), on the planned physical `server`."""

    @property
    def memory_mib(self) -> int:
        """Guest memory without hugepages, in MiB (rounded up)."""
        return math.ceil(self.memory_gib * GIB_MIB - 1e-9)

    @property
    def hugepages_mib(self) -> int:
        """Hugepage memory in MiB (rounded up to the 2 MiB page when not whole GiB)."""
        mib = math.ceil(self.hugepages_gib * GIB_MIB - 1e-9)
        return mib if self.page_1g else 2 * math.ceil(mib / 2)

    @property
    def page_1g(self) -> bool:
        """1 GiB pages when the hugepage amount is whole GiB, else 2 MiB pages."""
        return abs(self.hugepages_gib - round(self.hugepages_gib)) < 1e-9

    @property
    def vm_ram_mib(self) -> int:
        """RAM of a VM: with hugepages, Nova and KubeVirt back all guest RAM with them, so the
        guest's RAM is memory plus hugepages (in whole 2 MiB pages when not whole GiB)."""
        total = self.memory_mib + math.ceil(self.hugepages_gib * GIB_MIB - 1e-9)
        if not self.hugepages_gib or self.vm_page_1g:
            return total
        return 2 * math.ceil(total / 2)

    @property
    def vm_page_1g(self) -> bool:
        """A VM's page size: 1 GiB when its whole RAM is whole GiB, else 2 MiB."""
        total = self.memory_mib + math.ceil(self.hugepages_gib * GIB_MIB - 1e-9)
        return total % GIB_MIB == 0

    @property
    def whole_vcpus(self) -> int:
        """vCPUs as the tools count them: whole (a shared fraction rounds up on Nova)."""
        return max(1, math.ceil(self.vcpu - 1e-9))

    @property
    def disk_whole_gib(self) -> int:
        """Root disk in whole GiB, rounded up."""
        return math.ceil(self.disk_gib - 1e-9)


@dataclass(frozen=True)
class Deployment:
    """Every instance of a plan to export, with the scenario's and plan's names."""

    scenario: str
    instances: tuple[InstanceSpec, ...]
    hosts: HostMap
    sites: tuple[str, ...]
    """Sites in scenario order."""
    workers: tuple[InstanceSpec, ...] = ()
    """The worker VMs of the nested form, as VM-like specs of form `WORKER_VM` (their `vnf` is
    `worker_vnf(trust)`, their `worker` their own id): the VM targets deploy them."""

    def of_form(self, *forms: str) -> list[InstanceSpec]:
        """The instances of these forms (`vm`, `container`, `container-in-vm`; `WORKER_VM`
        for the worker VMs)."""
        return [i for i in (*self.instances, *self.workers) if i.form in forms]

    def worker_nodes(self) -> dict[str, tuple[str, str]]:
        """Worker VM node name -> (worker id, physical server id), for the nested instances."""
        return {
            i.host.node_name: (i.worker, i.server) for i in self.instances if i.worker is not None
        }


WORKER_VM = "worker-vm"
"""The form of a worker VM's spec: a VM that runs a tenant's containers."""

VM_TARGETS = ("heat", "kubevirt", "terraform")
"""The targets that deploy VMs, and so the worker VMs of nested containers with them."""


def worker_vnf(trust: str) -> str:
    """What a worker VM is named after in flavors and images: its trust domain's workers."""
    return f"{trust}-worker"


def worker_node(worker: str) -> str:
    """The Kubernetes node name of a worker VM of the plan (its id as a DNS label)."""
    return dns_label(worker)


def build_deployment(scenario: Scenario, plan: Plan, hosts: HostMap, source: str) -> Deployment:
    """Resolve every placement of `plan` (already checked against `scenario`).

    Raises InputError, naming `source` (the scenario file) and the field, for a dedicated VNF
    with a fractional vCPU count: Nova pinning and Kubernetes' static CPU manager give whole
    CPUs only, so the plan's thread count could not be deployed as proven.
    """
    problems = []
    for vnf in scenario.vnfs.values():
        if vnf.dedicated_cpu and abs(vnf.flavor.vcpu - round(vnf.flavor.vcpu)) > 1e-9:
            problems.append(
                InputError.single(
                    source,
                    f"cpu: dedicated with vcpu {vnf.flavor.vcpu:g}: pinned CPUs are whole on "
                    "Nova and Kubernetes; give a whole number to export this plan",
                    path=f"vnfs.{vnf.name}.flavor.vcpu",
                ).problems[0]
            )
    if problems:
        raise InputError(problems)
    racks = {s.id: s.rack for s in plan.servers}
    instances = []
    for p in plan.placements:
        vnf = scenario.vnfs[p.vnf]
        site = scenario.sites[p.server.split("/", 1)[0]]
        number = int(p.server.rsplit("/", 1)[1])
        host = hosts[p.server]
        if p.worker is not None:  # a container in a worker VM: its node is the worker's
            node = worker_node(p.worker)
            host = Host(p.server, node, host.availability_zone, node)
        instances.append(
            InstanceSpec(
                instance=p.instance,
                vnf=p.vnf,
                form=str(getattr(p.form, "value", p.form)),
                server=p.server,
                site=site.name,
                rack=racks.get(p.server, (number - 1) % site.racks + 1),
                host=host,
                numa_node=p.numa_node,
                vcpu=vnf.flavor.vcpu,
                memory_gib=vnf.flavor.memory_gib,
                hugepages_gib=vnf.flavor.hugepages_gib,
                disk_gib=vnf.flavor.disk_gib,
                sriov_vfs=vnf.flavor.sriov_vfs,
                dedicated=vnf.dedicated_cpu,
                numa_aligned=vnf.numa_aligned,
                anti_affinity=vnf.anti_affinity.value if vnf.anti_affinity else None,
                trust=vnf.trust or vnf.name,
                worker=p.worker,
            )
        )
    sites = tuple(s for s in scenario.sites if any(i.site == s for i in instances))
    return Deployment(
        plan.scenario, tuple(instances), hosts, sites, _workers(scenario, plan, hosts, racks)
    )


def _workers(
    scenario: Scenario, plan: Plan, hosts: HostMap, racks: dict[str, int]
) -> tuple[InstanceSpec, ...]:
    """The plan's worker VMs as VM specs on their physical hosts."""
    out = []
    for worker in plan.workers:
        flavor = scenario.platform.nesting.flavor(worker.trust)
        if flavor is None:
            continue
        site = scenario.sites[worker.server.split("/", 1)[0]]
        number = int(worker.server.rsplit("/", 1)[1])
        out.append(
            InstanceSpec(
                instance=worker.id,
                vnf=worker_vnf(worker.trust),
                form=WORKER_VM,
                server=worker.server,
                site=site.name,
                rack=racks.get(worker.server, (number - 1) % site.racks + 1),
                host=hosts[worker.server],
                numa_node=worker.numa_node,
                vcpu=flavor.vcpu,
                memory_gib=flavor.memory_gib,
                hugepages_gib=0.0,
                disk_gib=flavor.disk_gib,
                sriov_vfs=0,
                dedicated=flavor.dedicated_cpu,
                numa_aligned=flavor.numa_aligned,
                anti_affinity=None,
                trust=worker.trust,
                worker=worker.id,
            )
        )
    return tuple(out)
