"""Tests that the validators the export tests rely on do fail: each schema and semantic rule
rejects a file broken in the way it guards against (a validator that cannot fail proves
nothing)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from export_validation import (
    heat_errors,
    kubernetes_errors,
    schema_errors,
    semantic_problems,
    terraform_errors,
)
from helpers import EXAMPLES

from nfvplan.export import export_plan
from nfvplan.export.writer import write_tree
from nfvplan.io import load_scenario
from nfvplan.solver import SolveOptions, solve


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """5g-core exported to every target: target -> (directory, scenario)."""
    scenario = load_scenario(EXAMPLES / "5g-core.yaml")
    plan = solve(scenario, SolveOptions(time_limit_s=10, workers=2))
    base = tmp_path_factory.mktemp("exported")
    out = {}
    for target in ("heat", "kubernetes", "kubevirt", "terraform"):
        write_tree(base / target, export_plan(scenario, plan, target).files)
        out[target] = base / target
    out["scenario"] = scenario
    return out


def _first(directory: Path, kind: str) -> dict:
    for path in sorted(directory.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") == kind:
                return doc
    raise AssertionError(kind)


def test_heat_schema_rejects_unknown_and_invalid_properties(exported: dict) -> None:
    """Tests Heat's schemas: a misspelt property, a wrong vnic_type, a string vcpus, a dangling
    get_resource and an unknown template version are each reported."""
    template = yaml.safe_load((exported["heat"] / "dc-north.yaml").read_text())
    assert heat_errors(template) == []

    def first(t: dict, kind: str) -> dict:
        return next(r for r in t["resources"].values() if r["type"] == kind)["properties"]

    for mutate, expected in (
        (lambda t: first(t, "OS::Nova::Server").update(host="x"), "unknown property"),
        (lambda t: first(t, "OS::Neutron::Port").update({"binding:vnic_type": "sriov"}), "not in"),
        (lambda t: first(t, "OS::Nova::Flavor").update(vcpus="8"), "is not a integer"),
        (
            lambda t: first(t, "OS::Nova::Server").update(flavor={"get_resource": "nope"}),
            "names nothing",
        ),
        (lambda t: t.update(heat_template_version="2099-01-01"), "unknown heat"),
    ):
        broken = copy.deepcopy(template)
        mutate(broken)
        assert any(expected in e for e in heat_errors(broken)), expected


def test_kubernetes_schemas_are_strict(exported: dict) -> None:
    """Tests kubernetes-validate strict, the KubeVirt and the Multus schemas on misspelt and
    missing fields."""
    statefulset = _first(exported["kubernetes"], "StatefulSet")
    assert kubernetes_errors(statefulset) == []
    statefulset["spec"]["template"]["spec"]["nodeSelectr"] = {}
    assert kubernetes_errors(statefulset) != []
    vm = _first(exported["kubevirt"], "VirtualMachine")
    assert kubernetes_errors(vm) == []
    vm["spec"]["template"]["spec"]["domain"]["cpu"]["dedicatedCPUPlacement"] = True
    assert any("dedicatedCPUPlacement" in e for e in kubernetes_errors(vm))
    network = _first(exported["kubernetes"], "NetworkAttachmentDefinition")
    assert kubernetes_errors(network) == []
    del network["spec"]["config"]
    assert any("config" in e for e in kubernetes_errors(network))


def test_terraform_schema_rejects_misspelt_arguments(exported: dict) -> None:
    """Tests the provider schema: a misspelt argument, a block as a string, a missing variable."""
    main = json.loads((exported["terraform"] / "main.tf.json").read_text())
    assert terraform_errors(main) == []
    server = next(iter(main["resource"]["openstack_compute_instance_v2"].values()))
    server["availability_zone_hint"] = "nova:x"
    assert any("availability_zone_hint" in e for e in terraform_errors(main))
    del server["availability_zone_hint"]
    server["network"] = "net"
    assert terraform_errors(main) != []
    server["network"] = [{"uuid": "${var.nope}"}]
    assert any("no such variable" in e for e in terraform_errors(main))


def test_semantic_checks_catch_what_schemas_allow(exported: dict, tmp_path: Path) -> None:
    """Tests the semantic rules on schema-valid breakage: a dedicated pod with requests below
    limits (Burstable: no pinned cores), and a flavor without its hugepage extra spec."""
    scenario = exported["scenario"]
    directory = tmp_path / "k8s"
    directory.mkdir()
    for path in exported["kubernetes"].iterdir():
        text = path.read_text()
        if "upf-a-1" in text:
            text = text.replace(
                "          requests:\n            cpu: '8'",
                "          requests:\n            cpu: '7'",
                1,
            )
        (directory / path.name).write_text(text)
    assert schema_errors("kubernetes", directory) == []
    assert any("requests" in p for p in semantic_problems(scenario, "kubernetes", directory))
    heat = tmp_path / "heat"
    heat.mkdir()
    for path in exported["heat"].iterdir():
        (heat / path.name).write_text(
            path.read_text().replace("        hw:mem_page_size: 1GB\n", "")
        )
    assert schema_errors("heat", heat) == []
    assert any("hw:mem_page_size" in p for p in semantic_problems(scenario, "heat", heat))
