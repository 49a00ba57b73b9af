"""Hand-made cases whose exported files are checked line by line.

1. A NUMA-aligned, pinned UPF with 1 GiB hugepages and 2 SR-IOV VFs, alone on a 2-NUMA-node
   server: vCPUs 8 dedicated, memory 4 GiB + hugepages 8 GiB, 20 GiB disk.
2. A host anti-affinity pair: 2 replicas on a site of 2 servers, each on its own server.
3. A trust domain's containers on one node: `a` and `b` (trust t1) and `c` (trust t2) fit on
   one server together, but containers of two trust domains may not share one, so the optimum
   is 2 servers: {a, b} and {c}.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from export_validation import schema_errors, semantic_problems
from helpers import NO_OVERHEAD, run_cli, scenario_yaml, solve_and_check

from nfvplan.export import export_plan
from nfvplan.export.hosts import read_hosts
from nfvplan.export.readback import read_export, verify_export
from nfvplan.export.writer import write_tree
from nfvplan.io import parse_scenario, write_plan

SERVER = """
server_types:
  h: {cores: 16, threads_per_core: 2, memory_gib: 128, disk_gib: 1000, nic_gbps: 100,
      sriov_vfs: 8, numa_nodes: 2, monthly_cost: 100}
"""


def upf(form: str) -> str:
    return scenario_yaml(
        NO_OVERHEAD,
        SERVER,
        "sites: {edge: {servers: {h: 1}}}",
        f"""
        vnfs:
          upf:
            flavor: {{vcpu: 8, memory_gib: 4, hugepages_gib: 8, sriov_vfs: 2, disk_gib: 20}}
            cpu: dedicated
            numa: aligned
            forms: [{form}]
            replicas: 1
        """,
        name="upf-case",
    )


def _export(text: str, target: str, tmp_path: Path, **kwargs):
    scenario = parse_scenario(text, filename="case.yaml")
    plan = solve_and_check(scenario)
    result = export_plan(scenario, plan, target, **kwargs)
    directory = tmp_path / target
    write_tree(directory, result.files)
    assert schema_errors(target, directory) == []
    assert semantic_problems(scenario, target, directory) == []
    verification = verify_export(scenario, plan, [read_export(directory)])
    assert verification.problems == []
    return scenario, plan, directory


def _documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def test_upf_as_heat(tmp_path: Path) -> None:
    """Tests the UPF's flavor, ports and server in the Heat template, field by field."""
    _, plan, directory = _export(upf("vm"), "heat", tmp_path)
    (placement,) = plan.placements
    assert placement.numa_node in (0, 1)
    template = _documents(directory / "edge.yaml")[0]
    resources = template["resources"]
    assert list(resources) == ["flavor_upf", "upf_1_vf1", "upf_1_vf2", "upf_1"]
    assert resources["flavor_upf"] == {
        "type": "OS::Nova::Flavor",
        "properties": {
            "name": "nfvplan-upf-case-edge-upf",
            "vcpus": 8,
            "ram": 12288,  # 4 GiB + 8 GiB of hugepages: Nova backs all guest RAM with them
            "disk": 20,
            "is_public": False,
            "extra_specs": {
                "hw:cpu_policy": "dedicated",
                "hw:emulator_threads_policy": "share",
                "hw:mem_page_size": "1GB",
                "hw:numa_nodes": "1",
                "hw:pci_numa_affinity_policy": "required",
            },
        },
    }
    for vf in (1, 2):
        assert resources[f"upf_1_vf{vf}"] == {
            "type": "OS::Neutron::Port",
            "properties": {
                "name": f"upf-1-vf{vf}",
                "network": {"get_param": "sriov_network"},
                "binding:vnic_type": "direct",
            },
        }
    server = resources["upf_1"]["properties"]
    assert server["availability_zone"] == "nova:edge-h-1"
    assert server["networks"] == [
        {"network": {"get_param": "management_network"}},
        {"port": {"get_resource": "upf_1_vf1"}},
        {"port": {"get_resource": "upf_1_vf2"}},
    ]
    assert "scheduler_hints" not in server  # one replica: no server group
    assert server["metadata"] == {
        "nfvplan_instance": "upf-1",
        "nfvplan_vnf": "upf",
        "nfvplan_server": "edge/h/1",
        "nfvplan_numa_node": str(placement.numa_node),
    }
    header = (directory / "edge.yaml").read_text().splitlines()[:6]
    assert any("ADMIN" in line for line in header)
    assert any("admins" in line for line in header)
    environment = _documents(directory / "edge-env.yaml")[0]
    assert environment == {
        "parameters": {
            "key_name": "REPLACE-ME",
            "management_network": "REPLACE-ME",
            "sriov_network": "REPLACE-ME",
            "image_upf": "REPLACE-ME",
        }
    }


def test_upf_as_kubernetes(tmp_path: Path) -> None:
    """Tests the UPF pod: Guaranteed (requests = limits, whole CPUs), hugepages-1Gi beside the
    memory request, 2 VFs of the configured resource and 2 Multus attachments, pinned node."""
    _, _, directory = _export(
        upf("container"), "kubernetes", tmp_path, options=_options("example.com/vf")
    )
    (statefulset,) = _documents(directory / "edge.yaml")
    assert statefulset["kind"] == "StatefulSet"
    assert statefulset["spec"]["replicas"] == 1
    pod = statefulset["spec"]["template"]
    resources = {
        "cpu": "8",
        "memory": "4Gi",
        "hugepages-1Gi": "8Gi",
        "ephemeral-storage": "20Gi",
        "example.com/vf": "2",
    }
    (container,) = pod["spec"]["containers"]
    assert container["resources"] == {"requests": resources, "limits": resources}
    assert pod["metadata"]["annotations"]["k8s.v1.cni.cncf.io/networks"] == (
        "nfvplan-sriov, nfvplan-sriov"
    )
    terms = pod["spec"]["affinity"]["nodeAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"
    ]
    assert terms["nodeSelectorTerms"][0]["matchExpressions"] == [
        {"key": "kubernetes.io/hostname", "operator": "In", "values": ["edge-h-1"]},
        {"key": "nfvplan.io/trust", "operator": "In", "values": ["upf"]},
    ]
    (network,) = _documents(directory / "sriov-network.yaml")
    assert network["metadata"]["annotations"] == {
        "k8s.v1.cni.cncf.io/resourceName": "example.com/vf"
    }
    notes = (directory / "README.md").read_text()
    row = next(line for line in notes.splitlines() if line.startswith("| edge-h-1 |"))
    assert row == (
        "| edge-h-1 | SR-IOV device plugin advertising example.com/vf, at least 8 hugepages of "
        "1Gi reserved at boot, cpuManagerPolicy: static, topologyManagerPolicy: single-numa-node |"
    )


def _options(resource: str):
    from nfvplan.export import ExportOptions

    return ExportOptions(sriov_resource=resource)


def test_upf_as_kubevirt_and_terraform(tmp_path: Path) -> None:
    """Tests the UPF VM on KubeVirt (dedicated placement, NUMA passthrough, 1Gi pages backing
    12Gi, 2 sriov interfaces) and in Terraform (the same flavor as Heat, pinned by hints)."""
    _, _, directory = _export(upf("vm"), "kubevirt", tmp_path)
    (vm,) = _documents(directory / "edge.yaml")
    domain = vm["spec"]["template"]["spec"]["domain"]
    assert domain["cpu"] == {
        "cores": 8,
        "sockets": 1,
        "threads": 1,
        "dedicatedCpuPlacement": True,
        "numa": {"guestMappingPassthrough": {}},
    }
    assert domain["memory"] == {"guest": "12Gi", "hugepages": {"pageSize": "1Gi"}}
    assert domain["devices"]["interfaces"] == [
        {"name": "default", "masquerade": {}},
        {"name": "vf1", "sriov": {}},
        {"name": "vf2", "sriov": {}},
    ]
    assert vm["spec"]["template"]["spec"]["networks"][1:] == [
        {"name": f"vf{n}", "multus": {"networkName": "nfvplan-sriov"}} for n in (1, 2)
    ]
    _, _, directory = _export(upf("vm"), "terraform", tmp_path)
    import json

    main = json.loads((directory / "main.tf.json").read_text())
    resources = main["resource"]
    assert resources["openstack_compute_flavor_v2"]["edge__upf"]["ram"] == 12288
    server = resources["openstack_compute_instance_v2"]["upf_1"]
    assert server["availability_zone_hints"] == "nova:edge-h-1"
    assert "availability_zone" not in server
    assert [n for n in server["network"] if "port" in n] == [
        {"port": "${openstack_networking_port_v2.upf_1__vf1.id}"},
        {"port": "${openstack_networking_port_v2.upf_1__vf2.id}"},
    ]
    assert resources["openstack_networking_port_v2"]["upf_1__vf1"]["binding"] == [
        {"vnic_type": "direct"}
    ]


def pair(form: str) -> str:
    return scenario_yaml(
        NO_OVERHEAD,
        SERVER,
        "sites: {dc: {racks: 2, servers: {h: 2}}}",
        f"vnfs: {{db: {{flavor: {{vcpu: 2, memory_gib: 4}}, forms: [{form}], replicas: 2, "
        "anti_affinity: host}}",
        name="pair",
    )


def test_host_anti_affinity_pair(tmp_path: Path) -> None:
    """Tests the pair: Heat puts both servers in one anti-affinity server group and pins them
    to the two hosts; Kubernetes requires podAntiAffinity on the hostname."""
    _, plan, directory = _export(pair("vm"), "heat", tmp_path)
    assert sorted(p.server for p in plan.placements) == ["dc/h/1", "dc/h/2"]
    resources = _documents(directory / "dc.yaml")[0]["resources"]
    assert resources["group_db"] == {
        "type": "OS::Nova::ServerGroup",
        "properties": {"name": "nfvplan-pair-dc-db", "policies": ["anti-affinity"]},
    }
    servers = [r["properties"] for r in resources.values() if r["type"] == "OS::Nova::Server"]
    assert [s["scheduler_hints"] for s in servers] == [{"group": {"get_resource": "group_db"}}] * 2
    assert sorted(s["availability_zone"] for s in servers) == ["nova:dc-h-1", "nova:dc-h-2"]
    _, plan, directory = _export(pair("container"), "kubernetes", tmp_path)
    pods = [d["spec"]["template"]["spec"] for d in _documents(directory / "dc.yaml")]
    for pod in pods:
        assert pod["affinity"]["podAntiAffinity"] == {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {
                    "labelSelector": {"matchLabels": {"nfvplan.io/vnf": "db"}},
                    "topologyKey": "kubernetes.io/hostname",
                }
            ]
        }
    script = (directory / "label-nodes.sh").read_text()
    assert "kubectl label node dc-h-1 --overwrite topology.kubernetes.io/zone=dc " in script
    assert "nfvplan.io/rack=dc.rack-1" in script and "nfvplan.io/rack=dc.rack-2" in script


TRUST = scenario_yaml(
    NO_OVERHEAD,
    SERVER,
    "sites: {dc: {servers: {h: 3}}}",
    """
    vnfs:
      a: {flavor: {vcpu: 2, memory_gib: 4}, forms: [container], replicas: 1, trust: t1}
      b: {flavor: {vcpu: 2, memory_gib: 4}, forms: [container], replicas: 1, trust: t1}
      c: {flavor: {vcpu: 2, memory_gib: 4}, forms: [container], replicas: 1, trust: t2}
    """,
    name="trust",
)

HOSTS = """\
hosts:
  dc/h/1: {hostname: cmp-1.example, node: worker-1}
  dc/h/2: {hostname: cmp-2.example, node: worker-2}
  dc/h/3: {hostname: cmp-3.example, node: worker-3}
"""


def test_trust_domain_on_one_node_with_a_hosts_file(tmp_path: Path) -> None:
    """Tests the trust case with real node names from a hosts file: a and b require the node
    of their plan server and trust t1; that node is labelled t1, c's node t2."""
    scenario = parse_scenario(TRUST, filename="trust.yaml")
    plan = solve_and_check(scenario)
    servers = {p.vnf: p.server for p in plan.placements}
    assert servers["a"] == servers["b"] != servers["c"]
    hosts_file = tmp_path / "hosts.yaml"
    hosts_file.write_text(HOSTS)
    hosts = read_hosts(hosts_file, scenario, plan)
    result = export_plan(scenario, plan, "kubernetes", hosts)
    directory = tmp_path / "k8s"
    write_tree(directory, result.files)
    assert schema_errors("kubernetes", directory) == []
    node = {"dc/h/1": "worker-1", "dc/h/2": "worker-2", "dc/h/3": "worker-3"}
    for document in _documents(directory / "dc.yaml"):
        vnf = document["metadata"]["annotations"]["nfvplan.io/vnf"]
        pod = document["spec"]["template"]["spec"]
        terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        assert terms["nodeSelectorTerms"][0]["matchExpressions"] == [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": [node[servers[vnf]]]},
            {"key": "nfvplan.io/trust", "operator": "In", "values": ["t2" if vnf == "c" else "t1"]},
        ]
    script = (directory / "label-nodes.sh").read_text()
    assert f"nfvplan.io/trust=t1\nkubectl annotate node {node[servers['a']]}" in script
    assert f"nfvplan.io/trust=t2\nkubectl annotate node {node[servers['c']]}" in script
    assert "worker-" + servers["a"][-1] in script
    written = yaml.safe_load((directory / "nfvplan-hosts.yaml").read_text())["hosts"]
    assert sorted(written) == sorted(set(servers.values()))
    assert all(h["hostname"] == f"cmp-{s[-1]}.example" for s, h in written.items())
    assert not any("derived" in note for note in result.notes)
    verification = verify_export(scenario, plan, [read_export(directory)])
    assert verification.problems == [] and verification.plan.placements == plan.placements


def test_a_tampered_export_fails_the_read_back(tmp_path: Path) -> None:
    """Tests that the read-back is not a copy of the plan: pinning a server of the Heat file to
    another host makes `nfvplan export --read` report the difference and the broken
    anti-affinity (both replicas on one host), exit 5."""
    site = tmp_path / "pair.yaml"
    site.write_text(pair("vm"))
    plan_file = tmp_path / "plan.yaml"
    scenario = parse_scenario(pair("vm"), filename=str(site))
    write_plan(solve_and_check(scenario), plan_file)
    out = tmp_path / "heat"
    assert run_cli("export", site, plan_file, "--to", "heat", "-o", out).exit_code == 0
    assert run_cli("export", site, plan_file, "--read", out).exit_code == 0
    template = out / "dc.yaml"
    template.write_text(template.read_text().replace("nova:dc-h-2", "nova:dc-h-1"))
    result = run_cli("export", site, plan_file, "--read", out)
    assert result.exit_code == 5, result.output
    assert "differs from the plan: db-" in result.stdout
    assert "violation [anti-affinity]" in result.stdout


def test_every_target_notes_the_other_forms_instances() -> None:
    """Tests that a target which cannot deploy a form says how many instances it left out.

    One VM `a` and two containers `b`: the kubernetes target leaves out the VM (and names the
    targets that deploy VMs), each VM target the two containers.
    """
    scenario = parse_scenario(
        scenario_yaml(
            NO_OVERHEAD,
            SERVER,
            "sites: {edge: {servers: {h: 2}}}",
            """
            vnfs:
              a: {flavor: {vcpu: 2, memory_gib: 2}, forms: [vm], replicas: 1}
              b: {flavor: {vcpu: 2, memory_gib: 2}, forms: [container], replicas: 2}
            """,
            name="mixed",
        ),
        filename="mixed.yaml",
    )
    plan = solve_and_check(scenario)

    def skipped(target: str) -> list[str]:
        return [n for n in export_plan(scenario, plan, target).notes if "not exported" in n]

    assert skipped("kubernetes") == [
        "1 vm instance not exported: the kubernetes target deploys containers only"
        " (use --to heat, terraform or kubevirt for the VMs)"
    ]
    for target in ("heat", "terraform", "kubevirt"):
        hint = " (use --to kubernetes for the containers)" if target == "kubevirt" else ""
        assert skipped(target) == [
            f"2 container instances not exported: the {target} target deploys VMs only{hint}"
        ]
