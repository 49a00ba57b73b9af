"""Exports of containers in worker VMs (`container-in-vm`): Kubernetes pods pinned to their
worker VM's node, validated by the schema tests' helpers and read back as planned."""

from __future__ import annotations

from pathlib import Path

import yaml
from export_validation import schema_errors, semantic_problems
from helpers import solve_and_check

from nfvplan.export import export_plan
from nfvplan.export.readback import read_export, verify_export
from nfvplan.export.writer import write_tree
from nfvplan.io import parse_scenario
from tests.solver.test_rules_nested import two_tenants

ANTI_AFFINE = two_tenants("[container-in-vm]").replace(
    "replicas: 2, trust: tenant-a", "replicas: 2, trust: tenant-a, anti_affinity: host"
)


def _kubernetes(text: str, tmp_path: Path):
    scenario = parse_scenario(text, filename="case.yaml")
    plan = solve_and_check(scenario)
    result = export_plan(scenario, plan, "kubernetes")
    directory = tmp_path / "kubernetes"
    write_tree(directory, result.files)
    assert schema_errors("kubernetes", directory) == []
    assert semantic_problems(scenario, "kubernetes", directory) == []
    verification = verify_export(scenario, plan, [read_export(directory)])
    assert verification.problems == []
    return plan, directory


def _statefulsets(directory: Path) -> list[dict]:
    docs = yaml.safe_load_all((directory / "dc.yaml").read_text())
    return [d for d in docs if d and d.get("kind") == "StatefulSet"]


def test_nested_pods_are_pinned_to_their_worker_vm_nodes(tmp_path: Path) -> None:
    """Tests that each nested instance's pod requires its worker VM's node, that the worker
    nodes are labelled with their one trust domain, and that the export reads back as the plan
    (the same instances in the same workers on the same server)."""
    plan, directory = _kubernetes(two_tenants("[container-in-vm]"), tmp_path)
    worker_of = {p.instance: p.worker for p in plan.placements}
    for document in _statefulsets(directory):
        template = document["spec"]["template"]
        instance = template["metadata"]["annotations"]["nfvplan.io/instance"]
        terms = template["spec"]["affinity"]["nodeAffinity"][
            "requiredDuringSchedulingIgnoredDuringExecution"
        ]["nodeSelectorTerms"][0]["matchExpressions"]
        node = next(e["values"] for e in terms if e["key"] == "kubernetes.io/hostname")
        assert node == [worker_of[instance]]
        assert template["metadata"]["annotations"]["nfvplan.io/worker"] == worker_of[instance]
    script = (directory / "label-nodes.sh").read_text()
    assert "kubectl label node worker-tenant-a-1" in script
    assert "nfvplan.io/trust=tenant-a" in script
    assert "nfvplan.io/server=dc/box/1" in script


def test_nested_host_anti_affinity_keys_on_the_physical_host(tmp_path: Path) -> None:
    """Tests that host anti-affinity of nested pods uses the physical host label (two workers
    on one server are one host), and that worker nodes carry that label."""
    plan, directory = _kubernetes(ANTI_AFFINE, tmp_path)
    keys = {
        document["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"][
            "requiredDuringSchedulingIgnoredDuringExecution"
        ][0]["topologyKey"]
        for document in _statefulsets(directory)
        if "podAntiAffinity" in document["spec"]["template"]["spec"]["affinity"]
    }
    assert keys == {"nfvplan.io/host"}
    script = (directory / "label-nodes.sh").read_text()
    for server in {p.server for p in plan.placements if p.vnf == "a"}:
        assert f"nfvplan.io/host={server.replace('/', '-')}" in script


def test_vm_targets_say_nested_instances_are_not_theirs(tmp_path: Path) -> None:
    """Tests that Heat, given a plan with VMs and nested containers, exports the VMs and
    notes the nested instances it leaves to the Kubernetes target.

    a may nest, b is VMs only: a's worker (7 threads) + b's two VMs (2 x 4) + the hypervisor
    (1) = 16 threads fit one box (1000); four VMs would take 17, so a is nested."""
    text = two_tenants("[vm, container-in-vm]").replace(
        "forms: [vm, container-in-vm], replicas: 2, trust: tenant-b",
        "forms: [vm], replicas: 2, trust: tenant-b",
    )
    scenario = parse_scenario(text, filename="case.yaml")
    plan = solve_and_check(scenario)
    assert plan.objective.value == 1000
    assert {p.form for p in plan.placements if p.vnf == "a"} == {"container-in-vm"}
    result = export_plan(scenario, plan, "heat")
    assert any("container-in-vm instance" in note and "kubernetes" in note for note in result.notes)


def _vm_target(target: str, tmp_path: Path):
    scenario = parse_scenario(PINNED, filename="case.yaml")
    plan = solve_and_check(scenario)
    result = export_plan(scenario, plan, target)
    directory = tmp_path / target
    write_tree(directory, result.files)
    assert schema_errors(target, directory) == []
    assert semantic_problems(scenario, target, directory) == []
    return scenario, plan, directory


PINNED = two_tenants("[container-in-vm]").replace(
    "worker: {vcpu: 5, memory_gib: 14}", "worker: {vcpu: 5, memory_gib: 14, cpu: dedicated}"
)


def test_heat_kubevirt_and_terraform_deploy_the_worker_vms(tmp_path: Path) -> None:
    """Tests that Heat, KubeVirt and Terraform export the plan's worker VMs (pinned flavors, on
    their planned hosts), validated offline, read back as the plan's workers, and that a worker
    moved to another host in the files is reported."""
    for target in ("kubevirt", "heat", "terraform"):
        scenario, plan, directory = _vm_target(target, tmp_path)
        readback = read_export(directory)
        assert readback.workers == {w.id: w.server for w in plan.workers}
        assert all(got.dedicated for got in readback.worker_deployed.values())
        assert verify_export(scenario, plan, [readback]).problems == []
    heat = tmp_path / "heat" / "dc.yaml"
    text = heat.read_text()
    assert text.count("availability_zone: nova:dc-box-1") == 2
    heat.write_text(
        text.replace("availability_zone: nova:dc-box-1", "availability_zone: nova:dc-box-2", 1)
    )
    hosts = tmp_path / "heat" / "nfvplan-hosts.yaml"
    hosts.write_text(hosts.read_text() + "  dc/box/2: {hostname: dc-box-2}\n")
    problems = verify_export(scenario, plan, [read_export(tmp_path / "heat")]).problems
    assert any("planned on dc/box/1, exported on dc/box/2" in p for p in problems)


def test_terraform_worker_moved_or_resized_is_reported(tmp_path: Path) -> None:
    """Tests Terraform's read-back of worker VMs: a worker pinned to another host in
    main.tf.json, and a worker flavor shrunk below the trust domain's, are both reported."""
    import json

    scenario, plan, directory = _vm_target("terraform", tmp_path)
    main_file = directory / "main.tf.json"
    main = json.loads(main_file.read_text())
    servers = main["resource"]["openstack_compute_instance_v2"]
    workers = [s for s in servers.values() if "nfvplan_worker_vm" in s["metadata"]]
    assert sorted(s["metadata"]["nfvplan_worker_vm"] for s in workers) == sorted(
        w.id for w in plan.workers
    )
    moved = workers[0]
    moved["availability_zone_hints"] = "nova:dc-box-2"
    flavor = moved["flavor_id"].removeprefix("${").removesuffix("}").split(".")[1]
    main["resource"]["openstack_compute_flavor_v2"][flavor]["vcpus"] = 1
    main_file.write_text(json.dumps(main))
    hosts = directory / "nfvplan-hosts.yaml"
    hosts.write_text(hosts.read_text() + "  dc/box/2: {hostname: dc-box-2}\n")
    problems = verify_export(scenario, plan, [read_export(directory)]).problems
    worker = moved["metadata"]["nfvplan_worker_vm"]
    assert f"worker VM {worker}: planned on dc/box/1, exported on dc/box/2" in problems
    assert any(p.startswith(f"worker VM {worker}: deployed 1 vCPUs") for p in problems)
