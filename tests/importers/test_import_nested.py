"""Importing CNFs that run on VM-based Kubernetes as the nested form (`--cnf-form`).

Containerised workloads (Kubernetes pod templates) become `container-in-vm` VNFs when asked;
VMs (KubeVirt) stay VMs; a pod that selects its nodes by instance type (nodes that are VMs of
a cloud flavor) gets a warning naming the option when imported as bare containers. The end
to end case merges an import into the nested example and solves it, plan checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from import_helpers import Importer, warnings_text

from nfvplan.check import check_plan
from nfvplan.io import load_scenario, read_plan
from nfvplan.plan import Status
from tests.helpers import EXAMPLES, run_cli

UPF = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: upf, namespace: mvno-a}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: upf}}
    spec:
      NODE_SELECTOR
      containers:
        - name: upf
          resources: {requests: {cpu: "2", memory: 4Gi}}
"""

VM = """\
---
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: vsbc}
spec:
  domain:
    resources: {requests: {memory: 2Gi}}
"""


TOSCA = """\
tosca_definitions_version: tosca_simple_yaml_1_3
imports: [etsi_nfv_sol001_vnfd_types.yaml]
topology_template:
  node_templates:
    web:
      type: tosca.nodes.nfv.Vdu.OsContainerDeployableUnit
      properties: {name: web}
      requirements: [{container: app}]
    app:
      type: tosca.nodes.nfv.Vdu.OsContainer
      properties: {requested_cpu_resources: 1000, requested_memory_resources: 1 GiB}
    db:
      type: tosca.nodes.nfv.Vdu.Compute
      properties:
        name: db
        vdu_profile: {min_number_of_instances: 1, max_number_of_instances: 1}
      capabilities:
        virtual_compute:
          properties:
            virtual_cpu: {num_virtual_cpu: 2}
            virtual_memory: {virtual_mem_size: 4 GB}
"""


def test_cnf_form_applies_to_sol001_container_vdus_not_to_compute_ones(
    importer: Importer,
) -> None:
    got = importer.entries("vnfd.yaml", TOSCA, cnf_form="container-in-vm")
    assert got["web"]["forms"] == ["container-in-vm"]
    assert got["db"]["forms"] == ["vm"]


def upf(selector: str = "") -> str:
    return UPF.replace("NODE_SELECTOR", selector or "hostNetwork: false")


@pytest.mark.parametrize(
    ("cnf_form", "forms"),
    [
        ("container", ["container"]),
        ("container-in-vm", ["container-in-vm"]),
        ("both", ["container", "container-in-vm"]),
    ],
)
def test_cnf_form_sets_the_forms_of_containers_only(
    importer: Importer, cnf_form: str, forms: list[str]
) -> None:
    got = importer.entries("m.yaml", upf() + VM, cnf_form=cnf_form)
    assert got["upf"]["forms"] == forms
    assert got["vsbc"]["forms"] == ["vm"]


@pytest.mark.parametrize(
    "selector",
    [
        "nodeSelector: {node.kubernetes.io/instance-type: m5.4xlarge}",
        "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
        "{nodeSelectorTerms: [{matchExpressions: [{key: beta.kubernetes.io/instance-type, "
        "operator: In, values: [c2.large]}]}]}}}",
    ],
)
def test_pods_on_vm_nodes_are_pointed_at_the_nested_form(importer: Importer, selector: str) -> None:
    """Tests the hint: selecting nodes by instance type means the nodes are worker VMs; as
    bare containers the import warns and names the option, with it the warning goes."""
    bare = importer.run("m.yaml", upf(selector))
    assert "--cnf-form container-in-vm" in warnings_text(bare)
    nested = importer.run("m.yaml", upf(selector), cnf_form="container-in-vm")
    assert "--cnf-form" not in warnings_text(nested)
    assert nested.vnfs[0].forms == ("container-in-vm",)
    plain = importer.run("m.yaml", upf())
    assert "--cnf-form" not in warnings_text(plain)


def test_imported_nested_cnfs_solve_in_worker_vms(tmp_path: Path) -> None:
    """Tests the whole path through the CLI: a UPF Deployment imported with `--cnf-form
    container-in-vm` into the nested example (namespace mvno-a: tenant a's domain) loads,
    solves optimal and checks, the UPFs inside worker VMs of mvno-a.

    Hand count: the example's box is full (36 of 36 threads), so the two UPFs (2 vCPU +
    0.5 each = 5 of a worker's 10) go in one new worker of mvno-a on the second box:
    700 + 700 = 1,400 (nothing else fits: a UPF worker takes 13 threads)."""
    manifest = tmp_path / "upf.yaml"
    manifest.write_text(upf(), encoding="utf-8")
    merged = tmp_path / "merged.yaml"
    done = run_cli(
        "import",
        "vnfd",
        manifest,
        "--cnf-form",
        "container-in-vm",
        "--into",
        EXAMPLES / "nested-tenants.yaml",
        "-o",
        merged,
    )
    assert done.exit_code == 0, done.output
    assert "upf: vcpu 2, memory_gib 4; container-in-vm x2" in done.stdout
    plan_file = tmp_path / "plan.yaml"
    solved = run_cli("solve", merged, "-o", plan_file, "--quiet")
    assert solved.exit_code == 0, solved.output
    plan = read_plan(plan_file)
    assert check_plan(load_scenario(merged), plan) == []
    assert plan.status is Status.OPTIMAL
    assert plan.summary.monthly_cost == pytest.approx(1400)
    workers = {w.id: w for w in plan.workers}
    upfs = [p for p in plan.placements if p.vnf == "upf"]
    assert len(upfs) == 2
    assert {workers[p.worker].trust for p in upfs} == {"mvno-a"}


def test_a_bad_cnf_form_is_refused_with_the_valid_ones(tmp_path: Path) -> None:
    manifest = tmp_path / "upf.yaml"
    manifest.write_text(upf(), encoding="utf-8")
    done = run_cli("import", "vnfd", manifest, "--cnf-form", "pods")
    assert done.exit_code == 2
    assert "container-in-vm" in done.output and done.exception is None
