"""KubeVirt: the VM-form instances as `VirtualMachine` objects on a Kubernetes cluster.

Each planned VM becomes one `kubevirt.io/v1` VirtualMachine (`runStrategy: Always`: one VMI,
restarted in place), pinned by required node affinity on its node's hostname like the
container workloads, with the VNF's anti-affinity on the same topology labels.
`cpu: dedicated` is `dedicatedCpuPlacement` (the virt-launcher pod is then Guaranteed with
whole CPUs) with `isolateEmulatorThread` off: the plan counts a VM's overhead vCPU as shared.
Hugepages back the whole guest memory (`memory.hugepages.pageSize`), as on Nova;
`numa: aligned` passes the NUMA topology through (`guestMappingPassthrough`), which KubeVirt
allows only with dedicated CPUs and hugepages. VFs are `sriov` interfaces on the Multus
SR-IOV network. The worker VMs of containers in VMs are VirtualMachines too (annotation
`nfvplan.io/worker-vm`); their containers are the Kubernetes target's.
"""

from __future__ import annotations

from typing import Any

from nfvplan.export.common import Export, note_skipped
from nfvplan.export.kubernetes import (
    DEFAULT_SRIOV_RESOURCE,
    SRIOV_NETWORK,
    pod_affinity,
    quantity_gi,
    render_cluster,
    workload_annotations,
    workload_labels,
)
from nfvplan.export.naming import dns_label
from nfvplan.export.spec import WORKER_VM, Deployment, InstanceSpec


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
    result = render_cluster(
        deployment,
        "kubevirt",
        "vm",
        "VirtualMachine",
        _virtual_machine,
        sriov_resource,
        (WORKER_VM,),  # worker VMs of nested containers are VirtualMachines too
    )
    note_skipped(
        result, deployment, "container", "VMs", " (use --to kubernetes for the containers)"
    )
    return result
