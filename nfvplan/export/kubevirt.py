"""KubeVirt: the VM-form instances as `VirtualMachine` objects on a Kubernetes cluster.

Each planned VM becomes one `kubevirt.io/v1` VirtualMachine (`runStrategy: Always`: one VMI,
restarted in place), pinned by required node affinity on its node's hostname like the
container workloads, with the VNF's anti-affinity on the same topology labels.
`cpu: dedicated` is `dedicatedCpuPlacement` (the virt-launcher pod is then Guaranteed with
whole CPUs) with `isolateEmulatorThread` off: the plan counts a VM's overhead vCPU as shared.
Hugepages back the whole guest memory (`memory.hugepages.pageSize`), as on Nova;
`numa: aligned` passes the NUMA topology through (`guestMappingPassthrough`), which KubeVirt
allows only with dedicated CPUs and hugepages. VFs are `sriov` interfaces on the Multus
SR-IOV network.
"""

from __future__ import annotations

from typing import Any

from nfvplan.export.common import SKIPPED_NOTE, Export, dump_yaml_all, unique
from nfvplan.export.kubernetes import (
    DEFAULT_SRIOV_RESOURCE,
    HEADER,
    SRIOV_NETWORK,
    kubelet_notes,
    label_script,
    namespace_manifest,
    namespace_of,
    pod_affinity,
    quantity_gi,
    sriov_network,
    workload_annotations,
    workload_labels,
)
from nfvplan.export.naming import dns_label
from nfvplan.export.spec import Deployment, InstanceSpec


def _virtual_machine(spec: InstanceSpec, name: str, namespace: str) -> dict[str, Any]:
    cpu: dict[str, Any] = {"cores": spec.whole_vcpus, "sockets": 1, "threads": 1}
    if spec.dedicated:
        cpu["dedicatedCpuPlacement"] = True
    memory: dict[str, Any] = {"guest": quantity_gi(spec.vm_ram_mib)}
    if spec.hugepages_gib:
        memory["hugepages"] = {"pageSize": "1Gi" if spec.vm_page_1g else "2Mi"}
    if spec.numa_aligned and spec.dedicated and spec.hugepages_gib:
        cpu["numa"] = {"guestMappingPassthrough": {}}
    interfaces: list[dict[str, Any]] = [{"name": "default", "masquerade": {}}]
    networks: list[dict[str, Any]] = [{"name": "default", "pod": {}}]
    for vf in range(1, spec.sriov_vfs + 1):
        interfaces.append({"name": f"vf{vf}", "sriov": {}})
        networks.append({"name": f"vf{vf}", "multus": {"networkName": SRIOV_NETWORK}})
    disks = [{"name": "rootdisk", "disk": {"bus": "virtio"}}]
    volumes: list[dict[str, Any]] = [
        {
            "name": "rootdisk",
            "containerDisk": {"image": f"REPLACE-ME/{dns_label(spec.vnf)}-disk:latest"},
        }
    ]
    domain: dict[str, Any] = {
        "cpu": cpu,
        "memory": memory,
        "devices": {"disks": disks, "interfaces": interfaces},
    }
    # KubeVirt derives the virt-launcher pod's CPU from `cpu` (Guaranteed when dedicated);
    # the memory request is the guest's, which hugepages need stated.
    domain["resources"] = {"requests": {"memory": memory["guest"]}}
    labels = workload_labels(spec)
    return {
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachine",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": labels,
            "annotations": workload_annotations(spec),
        },
        "spec": {
            "runStrategy": "Always",
            "template": {
                "metadata": {"labels": labels, "annotations": workload_annotations(spec)},
                "spec": {
                    "affinity": pod_affinity(spec, spec.host.node_name, trust=False),
                    "domain": domain,
                    "networks": networks,
                    "volumes": volumes,
                },
            },
        },
    }


def render_kubevirt(deployment: Deployment, sriov_resource: str = DEFAULT_SRIOV_RESOURCE) -> Export:
    """Namespace, SR-IOV attachment, node labels and one VirtualMachine per VM instance."""
    result = Export("kubevirt")
    vms = deployment.of_form("vm")
    names = unique((s.instance for s in vms), dns_label, "instance names")
    namespace = namespace_of(deployment)
    result.files["namespace.yaml"] = dump_yaml_all([namespace_manifest(deployment)])
    result.kinds["Namespace"] += 1
    if any(s.sriov_vfs for s in vms):
        result.files["sriov-network.yaml"] = dump_yaml_all(
            [sriov_network(deployment, sriov_resource)]
        )
        result.kinds["NetworkAttachmentDefinition"] += 1
    for site in deployment.sites:
        here = [s for s in vms if s.site == site]
        if not here:
            continue
        header = HEADER.format(
            target="kubevirt",
            scenario=deployment.scenario,
            site=f", site {site}",
            sriov=" -f sriov-network.yaml" if "sriov-network.yaml" in result.files else "",
            file=f"{site}.yaml",
        )
        documents = [_virtual_machine(s, names[s.instance], namespace) for s in here]
        result.files[f"{site}.yaml"] = dump_yaml_all(documents, header)
        result.kinds["VirtualMachine"] += len(documents)
        result.sites[site] = len(here)
    result.files["label-nodes.sh"] = label_script(deployment, vms)
    result.files["README.md"] = kubelet_notes(deployment, vms, sriov_resource)
    containers = len(deployment.of_form("container"))
    if containers:
        result.notes.append(
            SKIPPED_NOTE.format(n=containers, form="container", target="kubevirt", kind="VMs")
            + " (use --to kubernetes for the containers)"
        )
    return result
