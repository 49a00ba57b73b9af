"""Kubernetes manifests and KubeVirt VMs: one fixture per mapping rule."""

from __future__ import annotations

from import_helpers import Importer, warnings_text


def deployment(
    containers: str,
    *,
    kind: str = "Deployment",
    replicas: int | None = 2,
    init: str = "",
    affinity: str = "",
    name: str = "amf",
) -> str:
    spec = f"  replicas: {replicas}\n" if replicas is not None else ""
    text = (
        f"apiVersion: apps/v1\nkind: {kind}\nmetadata: {{name: {name}, namespace: core5g}}\n"
        f"spec:\n{spec}  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n"
        "      containers:\n" + "".join(f"        {ln}\n" for ln in containers.splitlines())
    )
    if init:
        text += "      initContainers:\n" + "".join(f"        {ln}\n" for ln in init.splitlines())
    if affinity:
        text += "      affinity:\n" + "".join(f"        {ln}\n" for ln in affinity.splitlines())
    return text


BURSTABLE = """\
- name: amf
  resources:
    requests: {cpu: 150m, memory: 128Mi}
    limits: {cpu: 300m, memory: 256Mi}
- name: sidecar
  resources:
    requests: {cpu: 50m, memory: 64Mi}"""


def test_requests_summed_shared_with_limits_noted(importer: Importer) -> None:
    """Tests Burstable: requests summed (0.2 vCPU, 0.1875 GiB), shared, limits noted."""
    result = importer.run("amf.yaml", deployment(BURSTABLE))
    vnf = result.vnfs[0]
    assert (vnf.vcpu, vnf.memory_gib, vnf.replicas) == (0.2, 0.1875, 2)
    assert not vnf.cpu_dedicated
    assert vnf.forms == ("container",)
    assert vnf.trust == "core5g"
    assert any("cpu limit 0.35 vCPU not planned" in n for n in vnf.notes)


def test_init_container_larger_than_apps(importer: Importer) -> None:
    """Tests init containers: max(largest init, sum of apps) per resource."""
    init = """\
- name: migrate
  resources: {requests: {cpu: "1", memory: 64Mi}}
- name: wait
  resources: {requests: {cpu: 100m, memory: 1Gi}}"""
    vnf = importer.run("amf.yaml", deployment(BURSTABLE, init=init)).vnfs[0]
    assert vnf.vcpu == 1.0  # the migrate init container: 1 > 0.2
    assert vnf.memory_gib == 1.0  # the wait init container: 1 GiB > 192 MiB


def test_sidecar_init_container_counts_with_apps(importer: Importer) -> None:
    """Tests that an init container with restartPolicy Always is added to the app sum."""
    init = """\
- name: proxy
  restartPolicy: Always
  resources: {requests: {cpu: 100m, memory: 64Mi}}"""
    vnf = importer.run("amf.yaml", deployment(BURSTABLE, init=init)).vnfs[0]
    assert vnf.vcpu == 0.3
    assert vnf.memory_gib == 0.25


GUARANTEED = """\
- name: upf
  resources:
    limits: {cpu: "4", memory: 8Gi, hugepages-1Gi: 4Gi, intel.com/sriov_netdevice: "2"}"""


def test_guaranteed_integer_cpu_is_dedicated_with_hugepages_and_vfs(importer: Importer) -> None:
    """Tests Guaranteed QoS (requests default to limits) with integer CPU: dedicated; 1Gi
    hugepages and an SR-IOV device-plugin resource."""
    got = importer.entries("upf.yaml", deployment(GUARANTEED, replicas=3, name="upf"))["upf"]
    assert got["flavor"] == {"vcpu": 4, "memory_gib": 8, "hugepages_gib": 4, "sriov_vfs": 2}
    assert got["cpu"] == "dedicated"
    assert got["replicas"] == 3


def test_sriov_resource_names_are_configurable(importer: Importer) -> None:
    """Tests that a VF pool with another name is a warning, and counted when named."""
    containers = GUARANTEED.replace("intel.com/sriov_netdevice", "vendor.io/n3pool")
    text = deployment(containers, name="upf")
    result = importer.run("upf.yaml", text)
    assert result.vnfs[0].sriov_vfs == 0
    assert "extended resource vendor.io/n3pool: 2 not mapped" in warnings_text(result)
    named = importer.run("upf.yaml", text, sriov_patterns=("vendor.io/*",))
    assert named.vnfs[0].sriov_vfs == 2


def test_mixed_pinned_and_shared_containers(importer: Importer) -> None:
    """Tests a Guaranteed pod with a 2-CPU and a 500m container: 2 pinned + 0.5 rounded up
    to 1 whole thread, planned dedicated (3), with a warning."""
    containers = """\
- name: dataplane
  resources: {limits: {cpu: "2", memory: 2Gi}}
- name: agent
  resources: {limits: {cpu: 500m, memory: 512Mi}}"""
    result = importer.run("mixed.yaml", deployment(containers, name="mixed"))
    vnf = result.vnfs[0]
    assert (vnf.vcpu, vnf.cpu_dedicated, vnf.memory_gib) == (3.0, True, 2.5)
    assert "mixes pinned and shared" in warnings_text(result)


def test_guaranteed_fractional_cpu_is_shared(importer: Importer) -> None:
    """Tests Guaranteed with 1500m CPU: the CPU manager does not pin it, so shared."""
    containers = "- name: x\n  resources: {limits: {cpu: 1500m, memory: 1Gi}}"
    vnf = importer.run("x.yaml", deployment(containers, name="x")).vnfs[0]
    assert (vnf.vcpu, vnf.cpu_dedicated) == (1.5, False)


def test_pod_anti_affinity_hostname_and_zone(importer: Importer) -> None:
    """Tests required podAntiAffinity on the pod's own labels: hostname -> host, zone -> site;
    a term against other pods' labels is a warning."""
    host = """\
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - labelSelector: {matchLabels: {app: amf}}
      topologyKey: kubernetes.io/hostname"""
    assert (
        importer.entries("a.yaml", deployment(BURSTABLE, affinity=host))["amf"]["anti_affinity"]
        == "host"
    )
    zone = host.replace("kubernetes.io/hostname", "topology.kubernetes.io/zone")
    assert (
        importer.entries("a.yaml", deployment(BURSTABLE, affinity=zone))["amf"]["anti_affinity"]
        == "site"
    )
    other = host.replace("app: amf", "app: smf")
    result = importer.run("a.yaml", deployment(BURSTABLE, affinity=other))
    assert result.vnfs[0].anti_affinity is None
    assert "against other pods' labels" in warnings_text(result)


def test_multi_document_with_services_and_hpa(importer: Importer) -> None:
    """Tests a rendered Helm stream: a Service is skipped, an HPA's min/max noted, a
    StatefulSet without replicas is 1, a bare Pod is 1, a DaemonSet is 1 with a warning."""
    text = (
        "---\n# Source: chart/templates/svc.yaml\napiVersion: v1\nkind: Service\n"
        "metadata: {name: amf}\nspec: {ports: [{port: 80}]}\n---\n"
        + deployment(BURSTABLE)
        + "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
        "metadata: {name: amf}\nspec:\n  scaleTargetRef: {kind: Deployment, name: amf}\n"
        "  minReplicas: 2\n  maxReplicas: 10\n---\n"
        + deployment(BURSTABLE, kind="StatefulSet", replicas=None, name="db")
        + "---\n"
        + deployment(BURSTABLE, kind="DaemonSet", replicas=None, name="agent")
        + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: probe}\nspec:\n  containers:\n"
        "    - name: p\n      resources: {requests: {cpu: 100m, memory: 32Mi}}\n"
    )
    result = importer.run("rendered.yaml", text)
    assert [(v.name, v.replicas) for v in result.vnfs] == [
        ("amf", 2),
        ("db", 1),
        ("agent", 1),
        ("probe", 1),
    ]
    assert result.skipped == [f"{importer.root / 'rendered.yaml'}: Service amf"]
    assert any("autoscaler: min 2 / max 10" in n for n in result.vnfs[0].notes)
    assert "DaemonSet runs one pod on every node" in warnings_text(result)


def test_besteffort_pod_is_written_commented_out(importer: Importer) -> None:
    """Tests a pod without any CPU figure: kept (commented out) with a warning."""
    text = deployment("- name: x\n  image: busybox", name="x") + "---\n" + deployment(BURSTABLE)
    result = importer.run("m.yaml", text)
    assert [v.sized for v in result.vnfs] == [False, True]
    assert "BestEffort" in warnings_text(result)


KUBEVIRT = """\
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: vsbc, namespace: voice}
spec:
  running: true
  template:
    spec:
      domain:
        cpu: {sockets: 2, cores: 2, threads: 1, dedicatedCpuPlacement: true}
        memory:
          guest: 8Gi
          hugepages: {pageSize: 1Gi}
        devices:
          interfaces:
            - {name: default, masquerade: {}}
            - {name: media1, sriov: {}}
            - {name: media2, sriov: {}}
        resources: {requests: {memory: 8Gi}}
"""


def test_kubevirt_vm_dedicated_hugepages_sriov(importer: Importer) -> None:
    """Tests KubeVirt: 2x2x1 = 4 pinned vCPUs, 8 GiB guest as 1Gi hugepages, 2 SR-IOV VFs,
    VM form."""
    got = importer.entries("vm.yaml", KUBEVIRT)["vsbc"]
    assert got["flavor"] == {"vcpu": 4, "memory_gib": 0.0625, "hugepages_gib": 8, "sriov_vfs": 2}
    assert got["cpu"] == "dedicated"
    assert got["forms"] == ["vm"]
    assert got["trust"] == "voice"


def test_kubevirt_decimal_memory(importer: Importer) -> None:
    """Tests `1024M` = 1.024e9 B = 0.9537 GiB (rounded up), 1 vCPU by default."""
    text = (
        "apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstance\nmetadata: {name: v}\n"
        "spec:\n  domain:\n    resources: {requests: {memory: 1024M}}\n"
    )
    got = importer.entries("v.yaml", text)["v"]
    assert got["flavor"] == {"vcpu": 1, "memory_gib": 0.9537}


def test_burstable_init_container_makes_the_pod_shared(importer: Importer) -> None:
    """Tests that an init container without limits makes the pod Burstable: shared CPU."""
    init = "- name: wait\n  resources: {requests: {cpu: 100m, memory: 16Mi}}"
    vnf = importer.run("upf.yaml", deployment(GUARANTEED, init=init, name="upf")).vnfs[0]
    assert (vnf.vcpu, vnf.cpu_dedicated) == (4.0, False)


def test_many_documents_keep_their_own_values(importer: Importer) -> None:
    """Tests a long stream: each document keeps its own values, in order. (The mixed stream
    above caught a parser that memoised nodes across documents by id().)"""
    text = "".join(
        f"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec:\n  containers:\n"
        f"    - {{name: c, resources: {{requests: {{cpu: {i + 1}00m, memory: {i + 1}Mi}}}}}}\n"
        for i in range(60)
    )
    result = importer.run("many.yaml", text)
    assert [v.name for v in result.vnfs] == [f"p{i}" for i in range(60)]
    assert [round(v.vcpu * 10) for v in result.vnfs] == list(range(1, 61))
