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
