"""Tests of the fourth `nfvplan compare` variant, containers in VMs (`container-in-vm`).

The two-tenant case of tests/solver/test_rules_nested.py, compared: every expected figure is
derived by hand below, and every plan is re-checked against the scenario as written."""

from __future__ import annotations

import pytest

from nfvplan.check import check_plan
from nfvplan.compare import FIELDS, compare, record
from nfvplan.solver import SolveOptions
from tests.helpers import parse
from tests.solver.test_rules_nested import two_tenants

FAST = SolveOptions(time_limit_s=10, workers=1)


def test_containers_in_vms_is_the_cheapest_variant_with_its_worker_tax() -> None:
    """Tests the nested variant's cost, tax and isolation against the all-container one.

    Forms [container, container-in-vm] (no VM form: the all-VM variant is the file as
    written). all-container: a host per tenant (the kernel rule), 2000. containers in VMs: both
    tenants' workers on one box, 1000 (test_rules_nested.py proves both). Its tax: per worker
    the VM overhead (2 threads, 8 GiB) and the runtime reserve (1 vCPU of a shared worker at
    overcommit 1: 1 thread, 2 GiB), two workers, plus the hypervisor reserve once (1 thread,
    2 GiB): 2 x 3 + 1 = 7 threads, 2 x 10 + 2 = 22 GiB. Isolation: 4 instances behind a
    hypervisor, none sharing the host kernel."""
    scenario = parse(two_tenants("[container, container-in-vm]"))
    comparison = compare(scenario, FAST)
    keys = [r.variant.key for r in comparison.results]
    assert keys == ["vm", "container", "nested", "mixed"]
    for result in comparison.results:
        assert check_plan(scenario, result.plan) == []
    nested = comparison.result("nested")
    assert nested.metrics is not None
    assert nested.metrics.monthly_cost == pytest.approx(1000)
    assert comparison.result("container").metrics.monthly_cost == pytest.approx(2000)
    assert nested.metrics.tax.threads == pytest.approx(7)
    assert nested.metrics.tax.memory_gib == pytest.approx(22)
    isolation = nested.metrics.isolation
    assert (isolation.nested_instances, isolation.container_instances) == (4, 0)
    assert (isolation.nested_vnfs, isolation.container_vnfs, isolation.vm_vnfs) == (2, 0, 0)
    fields = record(comparison, nested)
    assert list(fields) == list(FIELDS)
    assert fields["nested_instances"] == 4


def test_no_nested_variant_without_the_form() -> None:
    """Tests that a scenario offering no `container-in-vm` compares three variants, as before."""
    scenario = parse(two_tenants("[container]"))
    comparison = compare(scenario, FAST)
    assert [r.variant.key for r in comparison.results] == ["vm", "container", "mixed"]


def _edit(text: str, *edits: tuple[str, str]) -> str:
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


MIXED = _edit(
    two_tenants("[vm, container, container-in-vm]"),
    ("overhead: {vcpu: 2, memory_gib: 8}", "overhead: {vcpu: 3, memory_gib: 8}"),
    ("host_reserve: {cores: 5, memory_gib: 2}", "host_reserve: {cores: 1, memory_gib: 2}"),
    ("{servers: {box: 2}}", "{servers: {box: 3}}"),
    ("replicas: 2, trust: tenant-a", "replicas: 3, trust: tenant-a"),
)
"""The two-tenant case with dearer VM overhead (3 vCPU), a light container reserve (1 core),
three boxes and three instances of a."""


def test_mixed_variant_nests_one_tenant_beside_the_others_bare_containers() -> None:
    """Tests that the mixed variant may use containers in VMs, and is no dearer than any pure
    variant (here strictly cheaper than each).

    box: 16 threads, 64 GiB, 1000. a: 3 x (2 vCPU, 6 GiB), tenant a; b: 2 x the same, tenant b.
    A worker (5 vCPU, 14 GiB, reserve 1 vCPU, 2 GiB) holds two instances and takes 5 + 3 = 8
    threads, 14 + 8 = 22 GiB of its host. all-VM: 5 VMs x 5 threads + 1 = 26 > 16: 2000.
    all-container: the kernel rule keeps the tenants on two hosts: 2000. containers in VMs:
    a needs 2 workers, b 1, and two workers take 2 x 8 + 1 = 17 > 16: a box each, 3000.
    mixed: a bare (3 x 2 + 1 container reserve = 7 threads, 18 + 2 GiB) and b nested in one
    worker (8 + 1 hypervisor threads, 22 + 2 GiB): 16 threads, 44 GiB on one box: 1000.
    Nothing else fits one box (b as two VMs takes 2 x 5 + 1 = 11 threads beside a's 7; a
    nested takes 16 + 1 for its two workers)."""
    scenario = parse(MIXED)
    comparison = compare(scenario, FAST)
    assert [r.variant.key for r in comparison.results] == ["vm", "container", "nested", "mixed"]
    costs = {}
    for result in comparison.results:
        assert result.plan.status.value == "optimal"
        assert check_plan(scenario, result.plan) == []
        assert result.metrics is not None
        costs[result.variant.key] = result.metrics.monthly_cost
    assert costs == pytest.approx({"vm": 2000, "container": 2000, "nested": 3000, "mixed": 1000})
    assert all(costs["mixed"] <= cost for cost in costs.values())
    mixed = comparison.result("mixed").plan
    forms = {(p.vnf, p.form) for p in mixed.placements}
    assert forms == {("a", "container"), ("b", "container-in-vm")}
    assert [w.trust for w in mixed.workers] == ["tenant-b"]
