"""Reading an export back: which instance runs where, in which form, with what resources.

This is how the tests (and `nfvplan export --read DIR`) prove that what will be deployed is
what was proven. The reader takes the placement from the field each tool acts on, never from
the informational metadata: the host of a Nova server's availability zone (Heat, Terraform),
the hostname a pod or VM requires in its node affinity (Kubernetes, KubeVirt), mapped back to
a server id through the `nfvplan-hosts.yaml` the export wrote. Resources come from the flavor
or the container's requests and limits. Only the instance and VNF names and the NUMA node
(which neither Nova nor Kubernetes lets a template choose) come from the metadata.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from nfvplan.errors import InputError
from nfvplan.export.hosts import HOSTS_FILE, WORKERS_FILE, HostMap, read_hosts, read_workers
from nfvplan.export.spec import VM_TARGETS
from nfvplan.model import Scenario
from nfvplan.plan import Placement, Plan

_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(m|Ki|Mi|Gi|Ti|k|M|G)?$")
_FACTORS = {
    None: 1.0,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "Ki": 1024.0,
    "Mi": 1024.0**2,
    "Gi": 1024.0**3,
    "Ti": 1024.0**4,
}
MIB = 1024.0**2


def quantity(value: Any) -> float:
    """A Kubernetes quantity ("4", "500m", "16Gi") as a number of units (bytes, CPUs)."""
    match = _QUANTITY.match(str(value))
    if match is None:
        raise ValueError(f"not a Kubernetes quantity: {value!r}")
    return float(match.group(1)) * _FACTORS[match.group(2)]


@dataclass(frozen=True)
class Deployed:
    """What one exported instance gets, in the tool's own terms."""

    vcpu: float
    memory_mib: float
    """Memory without hugepages; for a VM with hugepages, all RAM (the tool backs it all)."""
    hugepages_mib: float
    sriov_vfs: int
    dedicated: bool
    numa_aligned: bool | None
    """None where the tool has no per-instance NUMA setting (Kubernetes: the kubelet's
    Topology Manager aligns; KubeVirt without the hugepages passthrough needs)."""
    pci_numa_required: bool = False


@dataclass
class ReadBack:
    """The placements of one export directory and what each instance is given."""

    target: str
    placements: list[Placement] = field(default_factory=list)
    deployed: dict[str, Deployed] = field(default_factory=dict)
    workers: dict[str, str] = field(default_factory=dict)
    """Worker VM id -> server, for the worker VMs of nested containers (`VM_TARGETS`)."""
    worker_deployed: dict[str, Deployed] = field(default_factory=dict)

    @property
    def form(self) -> str:
        """The form this target deploys."""
        return "container" if self.target == "kubernetes" else "vm"

    @property
    def forms(self) -> set[str]:
        """Every form this target deploys (Kubernetes: containers in worker VMs too)."""
        return {self.form, "container-in-vm"} if self.target == "kubernetes" else {self.form}

    def add(
        self,
        meta: dict[str, Any],
        prefix: str,
        instance: str,
        server: str,
        got: Deployed,
        worker: str | None = None,
    ):
        """Record one instance; `meta` holds its VNF and NUMA node under `prefix` keys; a
        `worker` makes it a nested one (`container-in-vm`)."""
        numa = meta.get(f"{prefix}numa{'-' if '.' in prefix else '_'}node")
        vnf = meta[f"{prefix}vnf"]
        form = self.form if worker is None else "container-in-vm"
        node = None if numa is None else int(numa)
        self.placements.append(Placement(vnf, instance, server, form, node, worker))
        self.deployed[instance] = got


def read_export(directory: str | Path) -> ReadBack:
    """Read an export directory written by `nfvplan export` (any target)."""
    root = Path(directory)
    if not root.is_dir():
        raise InputError.single(str(root), "not an export directory (not a directory)")
    hosts_file = root / HOSTS_FILE
    if not hosts_file.is_file():
        raise InputError.single(str(root), f"not an nfvplan export: no {HOSTS_FILE}")
    hosts = read_hosts(hosts_file, None, None)
    try:
        if (root / "main.tf.json").is_file():
            return _terraform(root, hosts)
        documents = _yaml_documents(root)
        kinds = {d.get("kind") for _, d in documents}
        if any("heat_template_version" in d for _, d in documents):
            return _heat(documents, hosts)
        if "VirtualMachine" in kinds:
            return _kubevirt(documents, hosts)
        return _kubernetes(documents, hosts, read_workers(root / WORKERS_FILE))
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        # An edited file that lost a field the export writes: say which, not a traceback.
        raise InputError.single(
            str(root), f"not a readable nfvplan export: {type(error).__name__} {error}"
        ) from None


def _yaml_documents(root: Path) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(root.glob("*.yaml")):
        if path.name in (HOSTS_FILE, WORKERS_FILE):
            continue
        try:
            for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
                if isinstance(document, dict):
                    found.append((path.name, document))
        except yaml.YAMLError as error:
            raise InputError.single(str(path), f"not valid YAML: {error}") from None
    return found


def _server_of(hosts: dict[str, str], name: str, where: str) -> str:
    if name not in hosts:
        raise InputError.single(where, f"pinned to {name!r}, which {HOSTS_FILE} does not map")
    return hosts[name]


# --- Nova (Heat, Terraform) ------------------------------------------------------------------


def _nova_deployed(flavor: dict[str, Any], vfs: int) -> Deployed:
    specs = flavor.get("extra_specs", {})
    hugepages = "hw:mem_page_size" in specs
    return Deployed(
        vcpu=float(flavor["vcpus"]),
        memory_mib=float(flavor["ram"]),
        hugepages_mib=float(flavor["ram"]) if hugepages else 0.0,
        sriov_vfs=vfs,
        dedicated=specs.get("hw:cpu_policy") == "dedicated",
        numa_aligned=specs.get("hw:numa_nodes") == "1",
        pci_numa_required=specs.get("hw:pci_numa_affinity_policy") == "required",
    )


def _zone_host(value: str, where: str) -> str:
    if ":" not in value:
        raise InputError.single(where, f"availability zone {value!r} pins to no host")
    return value.split(":", 2)[1]


def _heat(documents: list[tuple[str, dict[str, Any]]], hosts: HostMap) -> ReadBack:
    result = ReadBack("heat")
    by_host = hosts.by_hostname()
    for file, template in documents:
        resources = template.get("resources", {})
        for name, resource in resources.items():
            if resource.get("type") != "OS::Nova::Server":
                continue
            props = resource["properties"]
            where = f"{file}: resources.{name}"
            host = _zone_host(props["availability_zone"], where)
            flavor = resources[props["flavor"]["get_resource"]]["properties"]
            ports = [n["port"]["get_resource"] for n in props["networks"] if "port" in n]
            vfs = sum(
                1
                for port in ports
                if resources[port]["properties"].get("binding:vnic_type") == "direct"
            )
            server = _server_of(by_host, host, where)
            meta = props.get("metadata", {})
            if "nfvplan_worker_vm" in meta:  # a worker VM of nested containers
                result.workers[meta["nfvplan_worker_vm"]] = server
                result.worker_deployed[meta["nfvplan_worker_vm"]] = _nova_deployed(flavor, vfs)
                continue
            result.add(meta, "nfvplan_", props["name"], server, _nova_deployed(flavor, vfs))
    return result


def _reference(value: str) -> tuple[str, str]:
    """`${type.name.id}` -> (type, name)."""
    inner = value.removeprefix("${").removesuffix("}")
    kind, name, _ = inner.split(".")
    return kind, name


def _terraform(root: Path, hosts: HostMap) -> ReadBack:
    result = ReadBack("terraform")
    by_host = hosts.by_hostname()
    where_file = str(root / "main.tf.json")
    try:
        main = json.loads((root / "main.tf.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InputError.single(where_file, f"not valid JSON: {error}") from None
    resources = main.get("resource", {})
    for name, server in resources.get("openstack_compute_instance_v2", {}).items():
        where = f"{where_file}: resource.openstack_compute_instance_v2.{name}"
        host = _zone_host(server["availability_zone_hints"], where)
        kind, flavor_name = _reference(server["flavor_id"])
        flavor = resources[kind][flavor_name]
        vfs = 0
        for network in server["network"]:
            if "port" in network:
                kind, port = _reference(network["port"])
                binding = resources[kind][port].get("binding", [{}])
                vfs += any(b.get("vnic_type") == "direct" for b in binding)
        pinned = _server_of(by_host, host, where)
        meta = server.get("metadata", {})
        if "nfvplan_worker_vm" in meta:  # a worker VM of nested containers
            result.workers[meta["nfvplan_worker_vm"]] = pinned
            result.worker_deployed[meta["nfvplan_worker_vm"]] = _nova_deployed(flavor, vfs)
            continue
        result.add(meta, "nfvplan_", server["name"], pinned, _nova_deployed(flavor, vfs))
    return result


# --- Kubernetes, KubeVirt --------------------------------------------------------------------


def _pinned_node(pod_spec: dict[str, Any], where: str) -> str:
    terms = pod_spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    for term in terms["nodeSelectorTerms"]:
        for expression in term.get("matchExpressions", []):
            if expression["key"] == "kubernetes.io/hostname" and expression["operator"] == "In":
                if len(expression["values"]) != 1:
                    raise InputError.single(where, "node affinity allows more than one node")
                return expression["values"][0]
    raise InputError.single(where, "no required node affinity on kubernetes.io/hostname")


def _kubernetes(
    documents: list[tuple[str, dict[str, Any]]],
    hosts: HostMap,
    workers: dict[str, tuple[str, str]],
) -> ReadBack:
    """StatefulSets; one pinned to a worker VM's node (`WORKERS_FILE`) is a nested instance
    in that worker, on the worker's physical server."""
    result = ReadBack("kubernetes")
    by_node = hosts.by_node()
    for file, document in documents:
        if document.get("kind") != "StatefulSet":
            continue
        where = f"{file}: StatefulSet {document['metadata']['name']}"
        template = document["spec"]["template"]
        meta = template["metadata"]["annotations"]
        pod = template["spec"]
        node = _pinned_node(pod, where)
        worker = None
        if node in workers:
            worker, server = workers[node]
        else:
            server = _server_of(by_node, node, where)
        instance = meta["nfvplan.io/instance"]
        result.add(meta, "nfvplan.io/", instance, server, _pod_deployed(pod), worker)
    return result


def _pod_deployed(pod: dict[str, Any]) -> Deployed:
    """A pod's resources: summed over containers; dedicated when Guaranteed with whole CPUs."""
    cpu = memory = hugepages = 0.0
    vfs = 0
    guaranteed = True
    for container in pod["containers"]:
        requests = container.get("resources", {}).get("requests", {})
        limits = container.get("resources", {}).get("limits", {})
        cpu += quantity(requests.get("cpu", 0))
        memory += quantity(requests.get("memory", 0)) / MIB
        hugepages += sum(
            quantity(v) / MIB for k, v in requests.items() if k.startswith("hugepages-")
        )
        vfs += sum(int(v) for k, v in requests.items() if "/" in k)
        guaranteed &= all(
            k in requests and k in limits and quantity(requests[k]) == quantity(limits[k])
            for k in ("cpu", "memory")
        )
    whole = abs(cpu - round(cpu)) < 1e-9
    return Deployed(cpu, memory, hugepages, vfs, guaranteed and whole, numa_aligned=None)


def _kubevirt(documents: list[tuple[str, dict[str, Any]]], hosts: HostMap) -> ReadBack:
    result = ReadBack("kubevirt")
    by_node = hosts.by_node()
    for file, document in documents:
        if document.get("kind") != "VirtualMachine":
            continue
        where = f"{file}: VirtualMachine {document['metadata']['name']}"
        template = document["spec"]["template"]
        meta = template["metadata"]["annotations"]
        vmi = template["spec"]
        node = _pinned_node(vmi, where)
        domain = vmi["domain"]
        cpu = domain["cpu"]
        memory = domain["memory"]
        ram = quantity(memory["guest"]) / MIB
        got = Deployed(
            vcpu=float(cpu["cores"] * cpu.get("sockets", 1) * cpu.get("threads", 1)),
            memory_mib=ram,
            hugepages_mib=ram if "hugepages" in memory else 0.0,
            sriov_vfs=sum(1 for i in domain["devices"]["interfaces"] if "sriov" in i),
            dedicated=bool(cpu.get("dedicatedCpuPlacement")),
            numa_aligned=True if "numa" in cpu else None,
        )
        server = _server_of(by_node, node, where)
        if "nfvplan.io/worker-vm" in meta:  # a worker VM of nested containers
            result.workers[meta["nfvplan.io/worker-vm"]] = server
            result.worker_deployed[meta["nfvplan.io/worker-vm"]] = got
            continue
        result.add(meta, "nfvplan.io/", meta["nfvplan.io/instance"], server, got)
    return result


# --- Verification ----------------------------------------------------------------------------


@dataclass
class Verification:
    """The plan as exported, and every way the export differs from the plan."""

    plan: Plan
    """The plan with the placements read back (what will be deployed), for `nfvplan check`."""
    problems: list[str]
    read: dict[str, int]
    """Instances read back per target."""


def verify_export(scenario: Scenario, plan: Plan, readbacks: list[ReadBack]) -> Verification:
    """Compare exports with the plan: every planned instance of the forms exported is there
    once, on its server, with its VNF's resources; the result is the plan as deployed."""
    problems: list[str] = []
    exported: dict[str, Placement] = {}
    deployed: dict[str, Deployed] = {}
    for readback in readbacks:
        for placement in readback.placements:
            if placement.instance in exported:
                problems.append(f"{placement.instance}: exported more than once")
            exported[placement.instance] = placement
            deployed[placement.instance] = readback.deployed[placement.instance]
    forms = {form for r in readbacks for form in r.forms}
    planned = {p.instance: p for p in plan.placements}
    for name, placement in planned.items():
        if placement.form not in forms:
            continue
        got = exported.get(name)
        if got is None:
            problems.append(f"{name}: planned ({placement.form}) but in no export")
        elif got != placement:
            problems.append(
                f"{name}: planned {placement.vnf} on {placement.server} ({placement.form}, "
                f"NUMA {placement.numa_node}), exported {got.vnf} on {got.server} "
                f"({got.form}, NUMA {got.numa_node})"
            )
    problems += [
        f"{name}: exported but not in the plan" for name in exported if name not in planned
    ]
    for name, got in deployed.items():
        vnf = scenario.vnfs.get(exported[name].vnf)
        if vnf is not None:
            problems += [f"{name}: {p}" for p in resource_problems(vnf, exported[name].form, got)]
    problems += _worker_problems(scenario, plan, readbacks)
    merged = [exported.get(p.instance, p) for p in plan.placements]
    merged += [p for name, p in exported.items() if name not in planned]
    return Verification(
        replace(plan, placements=merged),
        problems,
        {r.target: len(r.placements) for r in readbacks},
    )


def _worker_problems(scenario: Scenario, plan: Plan, readbacks: list[ReadBack]) -> list[str]:
    """Worker VMs (`VM_TARGETS`): each planned one exported once, on its server, with its
    flavor's vCPUs, memory and pinning; none that the plan does not list."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    got: dict[str, Deployed] = {}
    vm_targets = [r for r in readbacks if r.target in VM_TARGETS]
    for readback in vm_targets:
        for worker, server in readback.workers.items():
            if worker in seen:
                problems.append(f"worker VM {worker}: exported more than once")
            seen[worker] = server
            got[worker] = readback.worker_deployed[worker]
    if not vm_targets:
        return problems
    planned = {w.id: w for w in plan.workers}
    for worker_id, worker in planned.items():
        if worker_id not in seen:
            problems.append(f"worker VM {worker_id}: planned on {worker.server} but in no export")
            continue
        if seen[worker_id] != worker.server:
            problems.append(
                f"worker VM {worker_id}: planned on {worker.server}, exported on {seen[worker_id]}"
            )
        flavor = scenario.platform.nesting.flavor(worker.trust)
        deployed = got[worker_id]
        if flavor is not None and (
            abs(deployed.vcpu - float(-(-flavor.vcpu // 1))) > 1e-3
            or abs(deployed.memory_mib - flavor.memory_gib * 1024) > 1
            or deployed.dedicated != flavor.dedicated_cpu
        ):
            problems.append(
                f"worker VM {worker_id}: deployed {deployed.vcpu:g} vCPUs, "
                f"{deployed.memory_mib:g} MiB, but its flavor has {flavor.vcpu:g} vCPUs, "
                f"{flavor.memory_gib * 1024:g} MiB"
            )
    problems += [f"worker VM {w}: exported but not in the plan" for w in seen if w not in planned]
    return problems


def resource_problems(vnf: Any, form: str, got: Deployed) -> list[str]:
    """How the deployed resources differ from the VNF's flavor (FORMAT.md's units)."""
    flavor = vnf.flavor
    problems = []
    memory = flavor.memory_gib * 1024
    hugepages = flavor.hugepages_gib * 1024
    if form == "vm":
        want_vcpu = float(-(-flavor.vcpu // 1))
        total = memory + hugepages
        page = 1024 if hugepages and (total % 1024 == 0) else 2 if hugepages else 1
        ok_memory = total - 1e-6 <= got.memory_mib < total + page
        ok_hugepages = (got.hugepages_mib > 0) == (hugepages > 0)
    else:
        want_vcpu = flavor.vcpu
        ok_memory = memory - 1e-6 <= got.memory_mib < memory + 1
        ok_hugepages = hugepages - 1e-6 <= got.hugepages_mib < hugepages + 2
    if abs(got.vcpu - want_vcpu) > 1e-3:
        problems.append(f"{got.vcpu:g} vCPUs deployed, the VNF has {flavor.vcpu:g}")
    if not ok_memory:
        problems.append(
            f"{got.memory_mib:g} MiB of memory deployed for {memory:g} (+{hugepages:g} hugepages)"
        )
    if not ok_hugepages:
        problems.append(f"{got.hugepages_mib:g} MiB of hugepages deployed for {hugepages:g}")
    if got.sriov_vfs != flavor.sriov_vfs:
        problems.append(f"{got.sriov_vfs} SR-IOV VFs deployed, the VNF has {flavor.sriov_vfs}")
    if got.dedicated != vnf.dedicated_cpu:
        problems.append(
            "CPUs deployed "
            + ("dedicated" if got.dedicated else "shared")
            + ", the VNF has cpu: "
            + ("dedicated" if vnf.dedicated_cpu else "shared")
        )
    if got.numa_aligned is not None and got.numa_aligned != vnf.numa_aligned:
        problems.append(
            f"NUMA alignment deployed {got.numa_aligned}, the VNF has {vnf.numa_aligned}"
        )
    return problems
