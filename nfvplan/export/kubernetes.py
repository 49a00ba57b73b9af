"""Kubernetes: the container-form instances, each on its planned node, and the node labels.

Containers in worker VMs (`container-in-vm`) are pods too, each pinned to its worker VM's node
(the worker id as node name, `spec.worker_node`), which `label-nodes.sh` labels with its trust
domain and annotates with its physical server; the worker VMs themselves are not exported.

Workload kind: one `StatefulSet` of one replica per planned instance. A Deployment or a
StatefulSet of N replicas shares one pod template, so its replicas cannot each be pinned to a
different planned node; a bare Pod is not recreated when it is evicted or deleted. A
one-replica StatefulSet is recreated by its controller, on the same node (its node affinity
is required), and never runs two copies at once: a Deployment's rolling update would surge a
second pod, which a full node cannot hold and which the plan's capacity proof did not count.

Pinning: required node affinity on `kubernetes.io/hostname`. Anti-affinity: required
`podAntiAffinity` on hostname, `nfvplan.io/rack` or `topology.kubernetes.io/zone` (the site),
so the cluster enforces the plan's rule too. Trust domains: each node gets the label
`nfvplan.io/trust` of the one trust domain whose containers it hosts, and every pod requires
it. `cpu: dedicated` gives the Guaranteed QoS class with whole CPUs (requests = limits for every
resource of every container), which the kubelet's static CPU manager pins.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from typing import Any

from nfvplan.export.common import Export, dump_yaml_all, note_skipped, site_files, unique
from nfvplan.export.naming import dns_label, label_value, rack_label
from nfvplan.export.spec import WORKER_VM, Deployment, InstanceSpec

DEFAULT_SRIOV_RESOURCE = "intel.com/sriov_netdevice"
"""The SR-IOV network device plugin's usual resource name (its sample config's)."""
SRIOV_NETWORK = "nfvplan-sriov"
"""The Multus NetworkAttachmentDefinition every VF attaches to."""

HOSTNAME = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"
RACK = "nfvplan.io/rack"
TRUST = "nfvplan.io/trust"
SITE = "nfvplan.io/site"
HOST = "nfvplan.io/host"
"""A worker VM node's physical host (for host anti-affinity between nested pods)."""
VNF_LABEL = "nfvplan.io/vnf"
INSTANCE_LABEL = "nfvplan.io/instance"
MULTUS_NETWORKS = "k8s.v1.cni.cncf.io/networks"
SCOPE_KEYS = {"host": HOSTNAME, "rack": RACK, "site": ZONE}

ANNOTATION_INSTANCE = "nfvplan.io/instance"
ANNOTATION_VNF = "nfvplan.io/vnf"
ANNOTATION_SERVER = "nfvplan.io/server"
ANNOTATION_NUMA = "nfvplan.io/numa-node"
ANNOTATION_WORKER = "nfvplan.io/worker"
ANNOTATION_WORKER_VM = "nfvplan.io/worker-vm"
NESTED = "container-in-vm"
"""Nested instances run as pods too, pinned to their worker VM's node."""

HEADER = """\
Kubernetes manifests written by `nfvplan export --to {target}`: scenario {scenario}{site}.
Do not edit by hand: re-export from the plan. Label the nodes first (label-nodes.sh), then
  kubectl apply -f namespace.yaml{sriov} -f {file}
Every workload is pinned to its planned node by required node affinity; see README.md for the
kubelet settings (CPU manager, Topology Manager, hugepages) the nodes need."""


def namespace_of(deployment: Deployment) -> str:
    """The namespace the export puts everything in: one per scenario."""
    return dns_label(f"nfvplan-{deployment.scenario}")


def quantity_gi(mib: int) -> str:
    """A Kubernetes quantity for a MiB amount: whole GiB as `NGi`, else `NMi`."""
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


def cpu_quantity(vcpu: float) -> str:
    """CPUs as a quantity: whole as `N`, else millicores (rounded up)."""
    if abs(vcpu - round(vcpu)) < 1e-9:
        return str(round(vcpu))
    return f"{-(-round(vcpu * 1000 * 1000) // 1000)}m"


def container_resources(spec: InstanceSpec, sriov_resource: str) -> dict[str, Any]:
    """Requests and limits: the VNF's flavor. Dedicated: requests = limits for everything (the
    Guaranteed class); shared: memory limited as requested, CPU may burst."""
    requests: dict[str, str] = {
        "cpu": cpu_quantity(spec.vcpu),
        "memory": quantity_gi(spec.memory_mib),
    }
    if spec.hugepages_gib:
        size = "hugepages-1Gi" if spec.page_1g else "hugepages-2Mi"
        requests[size] = quantity_gi(spec.hugepages_mib)
    if spec.disk_gib:
        requests["ephemeral-storage"] = quantity_gi(round(spec.disk_gib * 1024))
    if spec.sriov_vfs:
        requests[sriov_resource] = str(spec.sriov_vfs)
    limits = dict(requests)
    if not spec.dedicated:
        limits.pop("cpu")
    return {"requests": requests, "limits": limits}


def pod_affinity(spec: InstanceSpec, node: str, trust: bool) -> dict[str, Any]:
    """Required node affinity on the planned node (and its trust label), and the
    anti-affinity of the VNF on its scope's topology label."""
    expressions = [{"key": HOSTNAME, "operator": "In", "values": [node]}]
    if trust:
        expressions.append({"key": TRUST, "operator": "In", "values": [label_value(spec.trust)]})
    affinity: dict[str, Any] = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": expressions}]
            }
        }
    }
    if spec.anti_affinity is not None:
        affinity["podAntiAffinity"] = {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {
                    "labelSelector": {"matchLabels": {VNF_LABEL: label_value(spec.vnf)}},
                    "topologyKey": HOST
                    if spec.worker is not None and spec.anti_affinity == "host"
                    else SCOPE_KEYS[spec.anti_affinity],
                }
            ]
        }
    return affinity


def workload_labels(spec: InstanceSpec) -> dict[str, str]:
    """Labels of a workload and its pods."""
    return {
        "app.kubernetes.io/name": label_value(spec.vnf),
        "app.kubernetes.io/instance": label_value(spec.instance),
        "app.kubernetes.io/managed-by": "nfvplan",
        VNF_LABEL: label_value(spec.vnf),
        INSTANCE_LABEL: label_value(spec.instance),
    }


def workload_annotations(spec: InstanceSpec) -> dict[str, str]:
    """What the plan says about the instance, verbatim (annotations take any text)."""
    data = {
        ANNOTATION_INSTANCE: spec.instance,
        ANNOTATION_VNF: spec.vnf,
        ANNOTATION_SERVER: spec.server,
    }
    if spec.numa_node is not None:
        data[ANNOTATION_NUMA] = str(spec.numa_node)
    if spec.worker is not None:
        key = ANNOTATION_WORKER_VM if spec.form == WORKER_VM else ANNOTATION_WORKER
        data[key] = spec.worker
    return data


def multus_annotation(vfs: int) -> dict[str, str]:
    """The Multus networks annotation: one attachment per VF."""
    return {MULTUS_NETWORKS: ", ".join([SRIOV_NETWORK] * vfs)} if vfs else {}


def _statefulset(
    spec: InstanceSpec, name: str, namespace: str, sriov_resource: str
) -> dict[str, Any]:
    labels = workload_labels(spec)
    selector = {INSTANCE_LABEL: labels[INSTANCE_LABEL], VNF_LABEL: labels[VNF_LABEL]}
    container = {
        "name": dns_label(spec.vnf),
        "image": f"REPLACE-ME/{dns_label(spec.vnf)}:latest",
        "resources": container_resources(spec, sriov_resource),
    }
    if spec.hugepages_gib:
        container["volumeMounts"] = [{"name": "hugepages", "mountPath": "/dev/hugepages"}]
    pod_spec: dict[str, Any] = {
        "affinity": pod_affinity(spec, spec.host.node_name, trust=True),
        "containers": [container],
    }
    if spec.hugepages_gib:
        medium = "HugePages-1Gi" if spec.page_1g else "HugePages-2Mi"
        pod_spec["volumes"] = [{"name": "hugepages", "emptyDir": {"medium": medium}}]
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": labels,
            "annotations": workload_annotations(spec),
        },
        "spec": {
            "replicas": 1,
            "serviceName": name,
            "podManagementPolicy": "Parallel",
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {
                    "labels": labels,
                    "annotations": {
                        **workload_annotations(spec),
                        **multus_annotation(spec.sriov_vfs),
                    },
                },
                "spec": pod_spec,
            },
        },
    }


def namespace_manifest(deployment: Deployment) -> dict[str, Any]:
    """The export's namespace."""
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": namespace_of(deployment),
            "labels": {"app.kubernetes.io/managed-by": "nfvplan"},
        },
    }


def sriov_network(deployment: Deployment, sriov_resource: str) -> dict[str, Any]:
    """The Multus attachment of the VFs: the SR-IOV CNI on the device plugin's resource."""
    config = {"cniVersion": "0.3.1", "name": SRIOV_NETWORK, "type": "sriov", "ipam": {}}
    return {
        "apiVersion": "k8s.cni.cncf.io/v1",
        "kind": "NetworkAttachmentDefinition",
        "metadata": {
            "name": SRIOV_NETWORK,
            "namespace": namespace_of(deployment),
            "annotations": {"k8s.v1.cni.cncf.io/resourceName": sriov_resource},
        },
        "spec": {"config": json.dumps(config, sort_keys=True)},
    }


def node_labels(deployment: Deployment, specs: list[InstanceSpec]) -> dict[str, dict[str, str]]:
    """Node name -> the labels the workloads select on: site (zone), rack, trust domain."""
    labels: dict[str, dict[str, str]] = {}
    for spec in sorted(specs, key=lambda s: s.host.node_name):
        node = labels.setdefault(
            spec.host.node_name,
            {
                ZONE: label_value(spec.site),
                SITE: label_value(spec.site),
                RACK: rack_label(spec.site, spec.rack),
            },
        )
        if spec.form in ("container", NESTED):  # a worker VM's kernel: one domain too
            node[TRUST] = label_value(spec.trust)
        if spec.worker is not None:  # host anti-affinity means distinct physical hosts
            node[HOST] = label_value(spec.server.replace("/", "-"))
    return labels


def label_script(deployment: Deployment, specs: list[InstanceSpec]) -> str:
    """A shell script that gives every planned node its labels and its server id."""
    servers = {s.host.node_name: s.server for s in specs}
    lines = [
        "#!/bin/sh",
        f"# Labels the nodes of scenario {deployment.scenario} as the exported workloads expect.",
        "# Written by `nfvplan export`; run with a kubeconfig that may label nodes.",
        "set -eu",
    ]
    for node, labels in node_labels(deployment, specs).items():
        pairs = " ".join(shlex.quote(f"{key}={value}") for key, value in labels.items())
        name = shlex.quote(node)
        server = shlex.quote(f"{ANNOTATION_SERVER}={servers[node]}")
        lines.append(f"kubectl label node {name} --overwrite {pairs}")
        lines.append(f"kubectl annotate node {name} --overwrite {server}")
    return "\n".join(lines) + "\n"


def kubelet_notes(deployment: Deployment, specs: list[InstanceSpec], sriov_resource: str) -> str:
    """README.md of the export: which node needs which kubelet settings, and why."""
    by_node: dict[str, set[str]] = {}
    pages: dict[tuple[str, str], int] = {}
    for spec in specs:
        needs = by_node.setdefault(spec.host.node_name, set())
        if spec.dedicated:
            needs.add("cpuManagerPolicy: static")
        if spec.numa_aligned:
            needs.add("topologyManagerPolicy: single-numa-node")
        if spec.hugepages_gib:
            vm = spec.form == "vm"
            size = "1Gi" if (spec.vm_page_1g if vm else spec.page_1g) else "2Mi"
            mib = spec.vm_ram_mib if vm else spec.hugepages_mib
            key = (spec.host.node_name, size)
            pages[key] = pages.get(key, 0) + mib // (1024 if size == "1Gi" else 2)
        if spec.sriov_vfs:
            needs.add(f"SR-IOV device plugin advertising {sriov_resource}")
    for (node, size), count in pages.items():
        by_node[node].add(f"at least {count} hugepages of {size} reserved at boot")
    lines = [
        f"# Kubernetes export of {deployment.scenario}",
        "",
        "Apply order: `sh label-nodes.sh`, `kubectl apply -f namespace.yaml`, the",
        "NetworkAttachmentDefinition (`sriov-network.yaml`, needs Multus and the SR-IOV CNI),",
        "then the per-site files. Each planned instance is a one-replica StatefulSet pinned to its",
        "node (see docs/export.md for why).",
        "",
        "Kubelet settings the nodes need for the plan's guarantees to hold:",
        "",
        "- `cpuManagerPolicy: static`: Guaranteed pods with whole CPUs get exclusive cores",
        "  (`cpu: dedicated`).",
        "- `topologyManagerPolicy: single-numa-node`: CPUs, hugepages and VFs of a `numa: aligned`",
        "  pod come from one NUMA node (with `memoryManagerPolicy: Static` for the memory too).",
        "- hugepages reserved on the kernel command line (`hugepagesz=1G hugepages=N`).",
        "",
        "| node | needs |",
        "| --- | --- |",
    ]
    for node in sorted(by_node):
        lines.append(f"| {node} | {', '.join(sorted(by_node[node])) or '-'} |")
    return "\n".join(lines) + "\n"


def render_cluster(
    deployment: Deployment,
    target: str,
    form: str,
    kind: str,
    build: Callable[[InstanceSpec, str, str], dict[str, Any]],
    sriov_resource: str,
    also: tuple[str, ...] = (),
) -> Export:
    """A Kubernetes-style export (Kubernetes, KubeVirt): namespace, SR-IOV attachment, one
    file per site with `build(spec, name, namespace)` per instance of `form`, node labels and
    the kubelet notes; `also` names more forms to render the same way."""
    result = Export(target)
    specs = deployment.of_form(form, *also)
    names = unique((s.instance for s in specs), dns_label, "instance names")
    namespace = namespace_of(deployment)
    result.files["namespace.yaml"] = dump_yaml_all([namespace_manifest(deployment)])
    result.kinds["Namespace"] += 1
    if any(s.sriov_vfs for s in specs):
        network = sriov_network(deployment, sriov_resource)
        result.files["sriov-network.yaml"] = dump_yaml_all([network])
        result.kinds["NetworkAttachmentDefinition"] += 1
    files = site_files(deployment.sites)
    for site in deployment.sites:
        here = [s for s in specs if s.site == site]
        if not here:
            continue
        header = HEADER.format(
            target=target,
            scenario=deployment.scenario,
            site=f", site {site}",
            sriov=" -f sriov-network.yaml" if "sriov-network.yaml" in result.files else "",
            file=f"{files[site]}.yaml",
        )
        documents = [build(s, names[s.instance], namespace) for s in here]
        result.files[f"{files[site]}.yaml"] = dump_yaml_all(documents, header)
        result.kinds[kind] += len(documents)
        result.sites[site] = len(here)
    result.files["label-nodes.sh"] = label_script(deployment, specs)
    result.files["README.md"] = kubelet_notes(deployment, specs, sriov_resource)
    return result


def render_kubernetes(
    deployment: Deployment, sriov_resource: str = DEFAULT_SRIOV_RESOURCE
) -> Export:
    """Namespace, SR-IOV attachment, node labels and one StatefulSet per container instance."""

    def build(spec: InstanceSpec, name: str, namespace: str) -> dict[str, Any]:
        return _statefulset(spec, name, namespace, sriov_resource)

    result = render_cluster(
        deployment, "kubernetes", "container", "StatefulSet", build, sriov_resource, (NESTED,)
    )
    note_skipped(
        result,
        deployment,
        "vm",
        "containers",
        " (use --to heat, terraform or kubevirt for the VMs)",
    )
    return result
