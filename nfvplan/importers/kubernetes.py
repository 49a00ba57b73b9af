"""Kubernetes manifests (rendered Helm output) and KubeVirt VMs, as nfvplan VNFs.

Pods (Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod) become container-form VNFs sized
as the scheduler sizes them:

- per container, a missing request defaults to its limit (the API server does this);
- the pod needs, per resource, the larger of the largest init container and the sum of the
  app containers (init containers with `restartPolicy: Always`, i.e. sidecars, count with
  the app containers), plus `spec.overhead`;
- QoS Guaranteed (every container: cpu and memory limits equal to requests) with integer
  CPUs is `cpu: dedicated` (the static CPU manager pins those); anything else is shared and
  plans the request; limits above requests are noted, not planned;
- a pod that mixes pinned (integer, Guaranteed) and fractional containers is planned
  `cpu: dedicated` with the fractional part rounded up to whole threads: conservative, since
  nfvplan pins a VNF's vCPUs all or none (docs/import.md explains);
- `hugepages-2Mi`/`hugepages-1Gi` -> hugepages_gib; `ephemeral-storage` -> disk_gib; extended
  resources matching the SR-IOV patterns (configurable) -> sriov_vfs; other extended resources
  are warnings;
- `replicas` (default 1); `podAntiAffinity` required terms on `kubernetes.io/hostname` -> host,
  on `topology.kubernetes.io/zone` (or `region`) -> site, when they select the pod's own labels;
- HorizontalPodAutoscaler min/max replicas become a comment on their target.

KubeVirt VirtualMachine / VirtualMachineInstance(ReplicaSet) become VM-form VNFs: vCPUs from
`domain.cpu` (sockets x cores x threads), memory from `memory.guest` or the memory request,
`dedicatedCpuPlacement` -> `cpu: dedicated` (`isolateEmulatorThread` adds one pinned vCPU),
`memory.hugepages` -> the RAM is hugepages, `interfaces[].sriov` -> VFs.
"""

from __future__ import annotations

import fnmatch
import math
from decimal import Decimal
from pathlib import Path

from nfvplan.importers import tree
from nfvplan.importers.model import Collector, ImportedVnf, ImportResult
from nfvplan.importers.quantities import (
    QuantityError,
    bytes_to_gib,
    fmt,
    k8s_cpu_note,
    k8s_memory_note,
    k8s_quantity,
)
from nfvplan.importers.tosca import all_huge
from nfvplan.io.yamlsrc import Node
from nfvplan.wording import count

DEFAULT_SRIOV_PATTERNS = ("*sriov*",)
"""Extended resources counted as SR-IOV VFs unless the caller names others (fnmatch)."""

WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod"}
VIRT = {"VirtualMachine", "VirtualMachineInstance", "VirtualMachineInstanceReplicaSet"}
HOST_KEYS = {"kubernetes.io/hostname"}
SITE_KEYS = {
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
}
_BASE = {"cpu", "memory", "ephemeral-storage", "hugepages-2Mi", "hugepages-1Gi", "pods"}


def import_kubernetes(
    documents: list[Node],
    file: str,
    result: ImportResult,
    *,
    sriov_patterns: tuple[str, ...] = DEFAULT_SRIOV_PATTERNS,
) -> None:
    """Import every workload of the documents of one manifest file into `result`."""
    col = Collector(file, result)
    objects: list[tuple[Node, str]] = []
    for index, doc in enumerate(documents):
        where = f"document {index + 1}" if len(documents) > 1 else "document"
        if tree.text(tree.child(doc, "kind")) == "List":
            for sub, item in enumerate(tree.seq(tree.child(doc, "items"))):
                objects.append((item, f"{where}.items[{sub}]"))
        else:
            objects.append((doc, where))
    found: dict[str, ImportedVnf] = {}
    scalers: list[tuple[Node, str]] = []
    for obj, where in objects:
        kind = tree.text(tree.child(obj, "kind")) or "?"
        name = tree.text(tree.child(obj, "metadata", "name")) or f"{kind.lower()}"
        label = f"{where} ({kind} {name})"
        if kind in WORKLOADS:
            vnf = _workload(obj, kind, name, label, col, sriov_patterns)
        elif kind in VIRT:
            vnf = _virtual_machine(obj, kind, name, label, col)
        elif kind == "HorizontalPodAutoscaler":
            scalers.append((obj, label))
            continue
        else:
            result.skipped.append(f"{file}: {kind} {name}")
            continue
        found[f"{kind}/{name}"] = vnf
        result.vnfs.append(vnf)
    for obj, label in scalers:
        spec = tree.child(obj, "spec")
        target = tree.child(spec, "scaleTargetRef")
        key = f"{tree.text(tree.child(target, 'kind'))}/{tree.text(tree.child(target, 'name'))}"
        low, high = (
            tree.text(tree.child(spec, "minReplicas")),
            tree.text(tree.child(spec, "maxReplicas")),
        )
        if key in found:
            found[key].notes.append(
                f"autoscaler: min {low or 1} / max {high} replicas "
                "(replicas kept at the workload's own count)"
            )
        else:
            col.warn(tree.line(obj), label, f"autoscaler target {key} is not in this file")


def _trust(obj: Node, file: str) -> str:
    return tree.text(tree.child(obj, "metadata", "namespace")) or Path(file).stem


def _quantity(node: Node | None, col: Collector, path: str) -> Decimal:
    try:
        return k8s_quantity(tree.scalar(node) if node is not None else None, path)
    except QuantityError as exc:
        raise tree.error(col.file, node, path, str(exc)) from None


class _Container:
    def __init__(self, node: Node, path: str, col: Collector) -> None:
        self.name = tree.text(tree.child(node, "name")) or "?"
        self.requests: dict[str, Decimal] = {}
        self.limits: dict[str, Decimal] = {}
        self.raw: dict[tuple[str, str], object] = {}
        resources = tree.child(node, "resources")
        for section, target in (("limits", self.limits), ("requests", self.requests)):
            for key, value in tree.entries(tree.child(resources, section)):
                target[key] = _quantity(value, col, f"{path}.resources.{section}.{key}")
                self.raw[(section, key)] = tree.scalar(value)
        for key, amount in self.limits.items():
            if key not in self.requests:  # the API server defaults a request to its limit
                self.requests[key] = amount
                self.raw[("requests", key)] = self.raw[("limits", key)]
        self.sidecar = tree.text(tree.child(node, "restartPolicy")) == "Always"

    @property
    def guaranteed(self) -> bool:
        return all(
            key in self.limits and self.requests.get(key) == self.limits[key]
            for key in ("cpu", "memory")
        )


def _pod_spec(obj: Node, kind: str) -> tuple[Node | None, str]:
    if kind == "Pod":
        return tree.child(obj, "spec"), "spec"
    return tree.child(obj, "spec", "template", "spec"), "spec.template.spec"


def _workload(
    obj: Node, kind: str, name: str, label: str, col: Collector, patterns: tuple[str, ...]
) -> ImportedVnf:
    spec, spec_path = _pod_spec(obj, kind)
    vnf = ImportedVnf(
        name=name,
        source=col.file,
        where=label,
        line=tree.line(obj),
        forms=("container",),
        trust=_trust(obj, col.file),
    )
    apps = [
        _Container(c, f"{spec_path}.containers[{i}]", col)
        for i, c in enumerate(tree.seq(tree.child(spec, "containers")))
    ]
    inits = [
        _Container(c, f"{spec_path}.initContainers[{i}]", col)
        for i, c in enumerate(tree.seq(tree.child(spec, "initContainers")))
    ]
    running = apps + [c for c in inits if c.sidecar]
    plain_inits = [c for c in inits if not c.sidecar]
    if not apps:
        col.warn(tree.line(obj), label, "no containers; written commented out")
    keys = {k for c in running + plain_inits for k in c.requests}
    need: dict[str, Decimal] = {}
    for key in keys:
        app = sum((c.requests.get(key, Decimal(0)) for c in running), Decimal(0))
        init = max((c.requests.get(key, Decimal(0)) for c in plain_inits), default=Decimal(0))
        need[key] = max(app, init)
        if init > app:
            vnf.notes.append(
                f"{key}: an init container needs more than the app containers "
                "together; planned at the init container's request"
            )
    for key, value in tree.entries(tree.child(spec, "overhead")):
        extra = _quantity(value, col, f"{spec_path}.overhead.{key}")
        need[key] = need.get(key, Decimal(0)) + extra
        vnf.notes.append(f"pod overhead {key} {tree.scalar(value)} added")
    if len(apps) + len(inits) > 1:
        vnf.notes.append(
            f"{count(len(apps), 'container')}, {count(len(inits), 'init container')}: requests "
            "summed (init containers: the larger of the largest and the apps' sum)"
        )
    _cpu_memory(vnf, need, running, plain_inits, col, label)
    for key in ("hugepages-2Mi", "hugepages-1Gi"):
        if key in need:
            vnf.hugepages_gib += bytes_to_gib(need[key])
            vnf.notes.append(f"hugepages_gib: {key} {fmt(bytes_to_gib(need[key]))} GiB")
    if "ephemeral-storage" in need:
        vnf.disk_gib = bytes_to_gib(need["ephemeral-storage"])
        vnf.notes.append(f"disk_gib: ephemeral-storage {fmt(vnf.disk_gib)} GiB")
    for key in sorted(keys - _BASE):
        if any(fnmatch.fnmatch(key, p) for p in patterns):
            vnf.sriov_vfs += int(need[key])
            vnf.notes.append(f"sriov_vfs: {int(need[key])} x {key}")
        else:
            col.warn(
                tree.line(obj),
                label,
                f"extended resource {key}: {need[key]} not mapped "
                "(name it with --sriov-resource if it is an SR-IOV VF pool)",
            )
    _replicas(vnf, obj, kind, col, label)
    _anti_affinity(vnf, obj, spec, col, label)
    _unmapped_pod_fields(obj, spec, kind, col, label)
    vnf.vm_nodes = _on_vm_nodes(spec)
    return vnf


INSTANCE_TYPE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
"""Node labels whose value is the node's VM flavor (set by the cloud provider on Kubernetes
worker VMs): a pod selecting on one runs on VM-based Kubernetes."""


def _on_vm_nodes(spec: Node | None) -> bool:
    """True when the pod selects its nodes by instance type (nodeSelector or a required
    nodeAffinity term): its nodes are worker VMs of a cloud flavor."""
    if any(key in INSTANCE_TYPE_LABELS for key in tree.keys(tree.child(spec, "nodeSelector"))):
        return True
    required = tree.child(
        spec,
        "affinity",
        "nodeAffinity",
        "requiredDuringSchedulingIgnoredDuringExecution",
        "nodeSelectorTerms",
    )
    return any(
        tree.text(tree.child(expression, "key")) in INSTANCE_TYPE_LABELS
        for term in tree.seq(required)
        for expression in tree.seq(tree.child(term, "matchExpressions"))
    )


def _cpu_memory(
    vnf: ImportedVnf,
    need: dict[str, Decimal],
    running: list[_Container],
    inits: list[_Container],
    col: Collector,
    label: str,
) -> None:
    if "memory" in need:
        vnf.memory_gib = bytes_to_gib(need["memory"])
        vnf.notes.append(f"memory_gib: requests {_raws(running, 'memory', k8s_memory_note)}")
    if "cpu" not in need:
        col.warn(
            None,
            label,
            "no CPU request or limit (BestEffort): written commented out; give it a flavor",
        )
        return
    # The pod's QoS class is Guaranteed only when every container, init ones included, is.
    guaranteed = bool(running) and all(c.guaranteed for c in running + inits)
    pinned = [c for c in running if guaranteed and c.requests["cpu"] % 1 == 0]
    shared = [c for c in running if c not in pinned]
    if pinned and not shared:
        vnf.cpu_dedicated = True
        vnf.vcpu = float(need["cpu"])
        vnf.notes.append(
            f"cpu: dedicated (Guaranteed QoS, integer CPUs: {_raws(running, 'cpu', k8s_cpu_note)})"
        )
    elif pinned:
        whole = sum((c.requests["cpu"] for c in pinned), Decimal(0))
        rest = sum((c.requests.get("cpu", Decimal(0)) for c in shared), Decimal(0))
        vnf.cpu_dedicated = True
        vnf.vcpu = float(whole) + math.ceil(rest)
        vnf.notes.append(
            f"cpu: dedicated: mixed pod: {fmt(float(whole))} pinned vCPU "
            f"({', '.join(c.name for c in pinned)}) + {fmt(float(rest))} shared "
            f"({', '.join(c.name for c in shared)}) rounded up to "
            f"{count(math.ceil(rest), 'whole thread')}"
        )
        col.warn(
            None,
            label,
            "pod mixes pinned and shared containers; planned all pinned, the "
            "shared part rounded up to whole threads (conservative)",
        )
    else:
        vnf.vcpu = float(need["cpu"])
        vnf.notes.append(f"cpu: shared, requests {_raws(running, 'cpu', k8s_cpu_note)}")
        limits = [c for c in running if "cpu" in c.limits and c.limits["cpu"] > c.requests["cpu"]]
        if limits:
            total = sum(
                (c.limits.get("cpu", c.requests.get("cpu", Decimal(0))) for c in running),
                Decimal(0),
            )
            vnf.notes.append(
                f"cpu limit {fmt(float(total))} vCPU not planned (bursting uses idle shared CPU)"
            )
        mem_limit = sum(
            (c.limits.get("memory", c.requests.get("memory", Decimal(0))) for c in running),
            Decimal(0),
        )
        if "memory" in need and mem_limit > need["memory"]:
            vnf.notes.append(f"memory limit {fmt(bytes_to_gib(mem_limit))} GiB not planned")


def _raws(containers: list[_Container], key: str, note) -> str:  # type: ignore[no-untyped-def]
    parts = [
        note(c.raw[("requests", key)], c.requests[key]) for c in containers if key in c.requests
    ]
    return " + ".join(parts) if parts else "none"


def _replicas(vnf: ImportedVnf, obj: Node, kind: str, col: Collector, label: str) -> None:
    if kind == "DaemonSet":
        vnf.replicas = 1
        vnf.notes.append("replicas: 1 (a DaemonSet runs one pod per node)")
        col.warn(
            tree.line(obj),
            label,
            "DaemonSet runs one pod on every node; planned as 1 "
            "instance: set replicas to the node count you plan for",
        )
        return
    node = tree.child(obj, "spec", "replicas")
    if node is None:
        vnf.replicas = 1
        return
    value = tree.scalar(node)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise tree.error(
            col.file,
            node,
            "spec.replicas",
            f"spec.replicas must be a whole number >= 0, got {value!r}",
        )
    vnf.replicas = value
    if vnf.replicas == 0:
        col.warn(tree.line(node), label, "replicas: 0: scaled to nothing; written commented out")


def _labels_match(selector: Node | None, labels: dict[str, str]) -> bool:
    wanted = {k: tree.text(v) for k, v in tree.entries(tree.child(selector, "matchLabels"))}
    if not wanted and tree.child(selector, "matchExpressions") is None:
        return False
    if any(labels.get(k) != v for k, v in wanted.items()):
        return False
    for expr in tree.seq(tree.child(selector, "matchExpressions")):
        key = tree.text(tree.child(expr, "key")) or ""
        op = tree.text(tree.child(expr, "operator")) or ""
        values = [tree.text(v) for v in tree.seq(tree.child(expr, "values"))]
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "Exists" and key not in labels:
            return False
    return True


def _anti_affinity(
    vnf: ImportedVnf, obj: Node, spec: Node | None, col: Collector, label: str
) -> None:
    template = tree.child(obj, "spec", "template", "metadata", "labels") or tree.child(
        obj, "metadata", "labels"
    )
    labels = {k: tree.text(v) or "" for k, v in tree.entries(template)}
    rules = tree.child(spec, "affinity", "podAntiAffinity")
    for term in tree.seq(tree.child(rules, "requiredDuringSchedulingIgnoredDuringExecution")):
        key = tree.text(tree.child(term, "topologyKey")) or ""
        if not _labels_match(tree.child(term, "labelSelector"), labels):
            col.warn(
                tree.line(term),
                label,
                "podAntiAffinity against other pods' labels is not "
                "mapped (nfvplan keeps only a VNF's own replicas apart)",
            )
            continue
        scope = "host" if key in HOST_KEYS else "site" if key in SITE_KEYS else None
        if scope is None:
            col.warn(
                tree.line(term),
                label,
                f"podAntiAffinity on topologyKey {key!r} not mapped "
                "(known: kubernetes.io/hostname, topology.kubernetes.io/zone)",
            )
            continue
        vnf.anti_affinity = scope if vnf.anti_affinity != "site" else "site"
        vnf.notes.append(f"anti_affinity: {scope} from required podAntiAffinity on {key}")
    if tree.child(rules, "preferredDuringSchedulingIgnoredDuringExecution") is not None:
        col.warn(
            tree.line(rules),
            label,
            "preferred (soft) podAntiAffinity not mapped: nfvplan's anti-affinity is a hard rule",
        )
    if tree.child(spec, "affinity", "podAffinity") is not None:
        col.warn(
            tree.line(tree.child(spec, "affinity")),
            label,
            "podAffinity not mapped: nfvplan has no keep-together rule",
        )


def _unmapped_pod_fields(
    obj: Node, spec: Node | None, kind: str, col: Collector, label: str
) -> None:
    for key, what in (
        ("nodeSelector", "nodeSelector"),
        ("topologySpreadConstraints", "topologySpreadConstraints"),
    ):
        if tree.child(spec, key) is not None:
            col.warn(
                tree.line(tree.child(spec, key)),
                label,
                f"{what} not mapped (nfvplan places by site: add sites: by hand)",
            )
    if tree.child(spec, "affinity", "nodeAffinity") is not None:
        col.warn(
            tree.line(tree.child(spec, "affinity")),
            label,
            "nodeAffinity not mapped (add sites: by hand)",
        )
    annotations = tree.child(obj, "spec", "template", "metadata", "annotations") or tree.child(
        obj, "metadata", "annotations"
    )
    networks = tree.text(tree.child(annotations, "k8s.v1.cni.cncf.io/networks"))
    if networks:
        col.warn(
            tree.line(annotations),
            label,
            f"Multus networks {networks!r}: if they are "
            "SR-IOV, the VF resource is injected at admission, not in this file, and not "
            "counted",
        )
    if kind == "StatefulSet" and tree.child(obj, "spec", "volumeClaimTemplates") is not None:
        col.warn(
            tree.line(tree.child(obj, "spec", "volumeClaimTemplates")),
            label,
            "volumeClaimTemplates (persistent volumes) not counted as server disk",
        )


def _virtual_machine(obj: Node, kind: str, name: str, label: str, col: Collector) -> ImportedVnf:
    base = "spec.template.spec" if kind != "VirtualMachineInstance" else "spec"
    spec = tree.child(obj, *base.split("."))
    domain = tree.child(spec, "domain")
    path = f"{base}.domain"
    vnf = ImportedVnf(
        name=name,
        source=col.file,
        where=label,
        line=tree.line(obj),
        forms=("vm",),
        trust=_trust(obj, col.file),
    )
    cpu = tree.child(domain, "cpu")
    resources = tree.child(domain, "resources")
    topology = [tree.child(cpu, k) for k in ("sockets", "cores", "threads")]
    if any(n is not None for n in topology):
        count = 1
        for node, key in zip(topology, ("sockets", "cores", "threads"), strict=True):
            if node is not None:
                count *= int(_quantity(node, col, f"{path}.cpu.{key}"))
        vnf.vcpu = float(count)
        vnf.notes.append(f"vcpu: sockets x cores x threads = {count}")
    else:
        request = tree.child(resources, "limits", "cpu") or tree.child(resources, "requests", "cpu")
        if request is not None:
            vnf.vcpu = float(math.ceil(_quantity(request, col, f"{path}.resources.cpu")))
            vnf.notes.append(f"vcpu: {tree.scalar(request)} from the CPU resources, whole vCPUs")
        else:
            vnf.vcpu = 1.0
            vnf.notes.append("vcpu: 1 (no cpu section: KubeVirt's default guest)")
    if tree.scalar(tree.child(cpu, "dedicatedCpuPlacement")) is True:
        vnf.cpu_dedicated = True
        vnf.notes.append("cpu: dedicated from dedicatedCpuPlacement")
        if tree.scalar(tree.child(cpu, "isolateEmulatorThread")) is True:
            vnf.vcpu += 1
            vnf.notes.append("isolateEmulatorThread: +1 pinned CPU for QEMU's emulator thread")
    memory = tree.child(domain, "memory", "guest") or tree.child(resources, "requests", "memory")
    if memory is not None:
        where = "memory.guest" if tree.child(domain, "memory", "guest") else "resources.requests"
        amount = _quantity(memory, col, f"{path}.{where}")
        vnf.memory_gib = bytes_to_gib(amount)
        vnf.notes.append(f"memory_gib: {where} {k8s_memory_note(tree.scalar(memory), amount)}")
    else:
        col.warn(tree.line(domain), label, "no guest memory size; written commented out")
    page = tree.text(tree.child(domain, "memory", "hugepages", "pageSize"))
    if page:
        all_huge(vnf, f"memory.hugepages.pageSize {page}")
    interfaces = tree.seq(tree.child(domain, "devices", "interfaces"))
    sriov = [
        tree.text(tree.child(i, "name")) or "?"
        for i in interfaces
        if tree.child(i, "sriov") is not None
    ]
    if sriov:
        vnf.sriov_vfs = len(sriov)
        vnf.notes.append(f"sriov_vfs: interfaces {', '.join(sriov)} (sriov)")
    if tree.child(cpu, "numa", "guestMappingPassthrough") is not None:
        col.warn(
            tree.line(cpu),
            label,
            "numa.guestMappingPassthrough not mapped (the guest "
            "mirrors the host's NUMA layout; numa: aligned is not implied)",
        )
    disks = 0.0
    templates = tree.seq(tree.child(obj, "spec", "dataVolumeTemplates"))
    for index, dv in enumerate(templates):
        size = tree.child(dv, "spec", "storage", "resources", "requests", "storage") or tree.child(
            dv, "spec", "pvc", "resources", "requests", "storage"
        )
        if size is not None:
            disks += bytes_to_gib(_quantity(size, col, f"spec.dataVolumeTemplates[{index}]"))
    if disks:
        col.warn(
            tree.line(obj),
            label,
            f"dataVolumeTemplates ({fmt(disks)} GiB) are "
            "persistent volumes, not counted as server disk",
        )
    replicas = tree.child(obj, "spec", "replicas")
    if kind == "VirtualMachineInstanceReplicaSet" and replicas is not None:
        vnf.replicas = int(_quantity(replicas, col, "spec.replicas"))
    return vnf
