"""Tests of the nested form (`container-in-vm`): containers inside worker VMs of their trust
domain, worker VMs placed on hosts like VMs.

Hand-proven cases, as docs/testing.md ("Rule tests") describes: the optimum is argued in each
test's docstring and every plan has passed the independent checker (`solve_and_check`).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nfvplan.check import check_plan
from nfvplan.solver import SolveOptions, solve
from nfvplan.solver.strategy import SITEWISE
from tests.helpers import assert_optimal, parse, scenario_yaml, servers_of, solve_and_check

TWO_TENANTS = scenario_yaml(
    """
    platform:
      vm:
        overhead: {vcpu: 2, memory_gib: 8}
        host_reserve: {cores: 1, memory_gib: 2}
      container:
        host_reserve: {cores: 5, memory_gib: 2}
      container-in-vm:
        worker: {vcpu: 5, memory_gib: 14}
        reserve: {vcpu: 1, memory_gib: 2}
    server_types:
      box: {cores: 16, threads_per_core: 1, memory_gib: 64, disk_gib: 100, monthly_cost: 1000}
    sites:
      dc: {servers: {box: 2}}
    vnfs:
      a: {flavor: {vcpu: 2, memory_gib: 6}, forms: FORMS, replicas: 2, trust: tenant-a}
      b: {flavor: {vcpu: 2, memory_gib: 6}, forms: FORMS, replicas: 2, trust: tenant-b}
    """
)


def two_tenants(forms: str) -> str:
    return TWO_TENANTS.replace("FORMS", forms)


def test_two_tenants_nest_their_containers_in_worker_vms_on_one_host() -> None:
    """Tests that the cheapest plan puts each tenant's containers in a worker VM of its own,
    both workers on one host.

    box: 16 threads, 64 GiB, 1000/month. a, b: 2 vCPU, 6 GiB, 2 replicas, tenants a and b.
    A worker (5 vCPU, 14 GiB, reserve 1 vCPU, 2 GiB) holds 4 vCPU and 12 GiB: two instances.
    On one host with both tenants nested: 2 workers x (5 + 2 overhead) threads + 1 (hypervisor
    reserve) = 15 <= 16; memory 2 x (14 + 8) + 2 = 46 <= 64: fits, cost 1000.
    Nothing else fits one host: bare containers of both tenants share no kernel; tenant a bare
    + b nested takes 4 + 5 (container reserve) + 7 + 1 = 17 > 16 threads; a worker per
    instance takes 4 x 7 + 1 = 29. So the optimum is 1000, all nested, two workers.
    """
    plan = solve_and_check(two_tenants("[container, container-in-vm]"))
    assert_optimal(plan, 1000)
    assert {p.form for p in plan.placements} == {"container-in-vm"}
    assert sorted((w.trust, w.server) for w in plan.workers) == [
        ("tenant-a", "dc/box/1"),
        ("tenant-b", "dc/box/1"),
    ]
    by_id = {w.id: w for w in plan.workers}
    for placement in plan.placements:
        assert by_id[placement.worker].trust == f"tenant-{placement.vnf}"
    used = plan.servers[0].used
    assert used["threads"] == pytest.approx(15)
    assert used["memory_gib"] == pytest.approx(46)


def test_bare_containers_of_two_tenants_need_two_hosts() -> None:
    """Tests the comparison point: with forms [container] the kernel rule forces a host per
    tenant (2 x 2 + 5 = 9 threads each fits one box): optimum 2 x 1000 = 2000."""
    plan = solve_and_check(two_tenants("[container]"))
    assert_optimal(plan, 2000)
    assert servers_of(plan, "a")[0] != servers_of(plan, "b")[0]


def test_one_vm_per_instance_needs_two_hosts() -> None:
    """Tests the other comparison point: as VMs, 4 x (2 + 2) threads + 1 reserve = 17 > 16,
    so two hosts: optimum 2000 (three VMs on one box: 13 threads, 3 x 14 + 2 = 44 GiB)."""
    plan = solve_and_check(two_tenants("[vm]"))
    assert_optimal(plan, 2000)
    assert not plan.workers


def test_nested_instances_obey_host_anti_affinity_on_physical_hosts() -> None:
    """Tests that host anti-affinity counts physical hosts, not worker VMs.

    The two-tenant case with a's replicas anti-affine: one worker may not hold both a's, and
    two workers of tenant a on one host would be two instances on one host too. So a-1 and
    a-2 are on different boxes: optimum 2000 (two boxes are enough: a worker of a and one of
    b on the first, 15 threads; a worker of a on the second)."""
    text = two_tenants("[container-in-vm]").replace(
        "replicas: 2, trust: tenant-a", "replicas: 2, trust: tenant-a, anti_affinity: host"
    )
    plan = solve_and_check(text)
    assert_optimal(plan, 2000)
    assert len(set(servers_of(plan, "a"))) == 2
    assert len([w for w in plan.workers if w.trust == "tenant-a"]) == 2


BIG_WORKER_TAX = scenario_yaml(
    """
    platform:
      vm:
        overhead: {vcpu: 1, memory_gib: 2}
        host_reserve: {cores: 1, memory_gib: 2}
      container-in-vm:
        worker: {vcpu: 3, memory_gib: 10}
        reserve: {vcpu: 1, memory_gib: 4}
    server_types:
      box: {cores: 8, threads_per_core: 1, memory_gib: 24, monthly_cost: 1000}
    sites:
      dc: {servers: {box: 2}}
    vnfs:
      f: {flavor: {vcpu: 2, memory_gib: 6}, forms: FORMS, replicas: 2}
    """
)


def test_a_large_worker_overhead_makes_bare_vms_cheaper() -> None:
    """Tests that when a worker costs more than the VMs it would replace, the plan uses VMs.

    box: 8 threads, 24 GiB. f: 2 vCPU, 6 GiB, 2 replicas. As VMs: 2 x (2 + 1) + 1 = 7 <= 8
    threads, 2 x (6 + 2) + 2 = 18 <= 24 GiB: one box, 1000. Nested: a worker (3 vCPU, 10 GiB,
    reserve 1 vCPU, 4 GiB) holds 2 vCPU, 6 GiB: one instance; it takes 3 + 1 = 4 threads, so
    two workers take 8 + 1 = 9 > 8: two boxes, 2000. The per-worker tax (1 vCPU VM overhead +
    1 vCPU reserve per instance) is larger than the VM's (1 vCPU): optimum 1000, as VMs."""
    plan = solve_and_check(BIG_WORKER_TAX.replace("FORMS", "[vm, container-in-vm]"))
    assert_optimal(plan, 1000)
    assert {p.form for p in plan.placements} == {"vm"}
    assert not plan.workers
    nested = solve_and_check(BIG_WORKER_TAX.replace("FORMS", "[container-in-vm]"))
    assert_optimal(nested, 2000)
    assert len(nested.workers) == 2


PINNED_NUMA = scenario_yaml(
    """
    platform:
      vm:
        overhead: {vcpu: 0, memory_gib: 0}
      container-in-vm:
        workers:
          up: {vcpu: 8, memory_gib: 16, cpu: dedicated, numa: aligned}
    server_types:
      two: {cores: 16, threads_per_core: 1, memory_gib: 64, numa_nodes: 2, monthly_cost: 1000}
    sites:
      dc: {servers: {two: 2}}
    vnfs:
      upf:
        flavor: {vcpu: 4, memory_gib: 8}
        cpu: dedicated
        numa: aligned
        forms: [container-in-vm]
        replicas: 4
        trust: up
    """
)


def test_pinned_aligned_workers_fill_numa_nodes() -> None:
    """Tests that pinned, NUMA-aligned workers each sit on one node, and their containers
    with them.

    two: 16 threads, 2 nodes of 8. A worker: 8 pinned vCPUs, 16 GiB, no overhead or reserve:
    it holds two upf (4 vCPU, 8 GiB each) and fills one node. Four upf: two workers, one per
    node of one box: optimum 1000; a third worker would not fit either node."""
    plan = solve_and_check(PINNED_NUMA)
    assert_optimal(plan, 1000)
    assert sorted(w.numa_node for w in plan.workers) == [0, 1]
    node_of = {w.id: w.numa_node for w in plan.workers}
    for placement in plan.placements:
        assert placement.numa_node == node_of[placement.worker]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sizes=st.lists(
        st.tuples(st.integers(1, 4), st.integers(1, 12), st.integers(1, 3), st.sampled_from("ab")),
        min_size=1,
        max_size=3,
    ),
    worker=st.tuples(st.integers(4, 10), st.integers(12, 40)),
    pinned=st.booleans(),
    forms=st.sampled_from(
        ["[container-in-vm]", "[vm, container-in-vm]", "[container, container-in-vm]"]
    ),
)
def test_random_nested_plans_pass_the_checker(sizes, worker, pinned, forms) -> None:
    """Tests that whatever the solver plans with workers, the independent checker accepts
    (`solve_and_check`), and that the plan's workers hold exactly its nested instances."""
    vnfs = "\n".join(
        f"  v{i}: {{flavor: {{vcpu: {vcpu}, memory_gib: {mem}}}, forms: {forms}, "
        f"replicas: {count}, trust: {trust}}}"
        for i, (vcpu, mem, count, trust) in enumerate(sizes)
        if vcpu + 1 <= worker[0] and mem + 2 <= worker[1]
    )
    if not vnfs:
        return
    cpu = ", cpu: dedicated" if pinned else ""
    text = scenario_yaml(
        f"""
        platform:
          vm:
            overhead: {{vcpu: 1, memory_gib: 2}}
            host_reserve: {{cores: 1, memory_gib: 2}}
          container-in-vm:
            worker: {{vcpu: {worker[0]}, memory_gib: {worker[1]}{cpu}}}
            reserve: {{vcpu: 1, memory_gib: 2}}
          cpu_overcommit: 2
        server_types:
          s: {{cores: 12, threads_per_core: 2, memory_gib: 96, numa_nodes: 2, monthly_cost: 100}}
        sites:
          dc: {{servers: {{s: 4}}}}
        """,
        "vnfs:\n" + vnfs,
    )
    plan = solve_and_check(text, time_limit_s=5)
    if not plan.status.has_plan:
        return
    nested = [p for p in plan.placements if p.form == "container-in-vm"]
    assert {p.worker for p in nested} == {w.id for w in plan.workers}


def test_site_by_site_search_keeps_nested_plans_packed() -> None:
    """Tests the site-by-site strategy on the two-tenant case at two sites (each tenant's
    VNFs restricted to one site): each site's optimum is one box with that tenant's worker,
    2 x 1000; the plan's workers pass the checker although the site re-plans lose their
    worker read-back (result.py packs them again)."""
    text = two_tenants("[container-in-vm]").replace(
        "dc: {servers: {box: 2}}", "dc: {servers: {box: 2}}\n  dc2: {servers: {box: 2}}"
    )
    text = text.replace("trust: tenant-b}", "trust: tenant-b, sites: [dc2]}")
    text = text.replace("trust: tenant-a}", "trust: tenant-a, sites: [dc]}")
    scenario = parse(text)
    plan = solve(scenario, SolveOptions(time_limit_s=5, workers=1, seed=1), strategy=SITEWISE)
    assert check_plan(scenario, plan) == []
    assert plan.objective.value == pytest.approx(2000)
    assert sorted(w.server for w in plan.workers) == ["dc/box/1", "dc2/box/1"]


def test_balance_counts_worker_vms_not_their_contents() -> None:
    """Tests the balance objective with workers: the busiest share includes each worker's VM
    demand. Two tenants nested on two boxes (2 installed): one worker per box is the most
    even plan, 7 threads of 16 + 1 hypervisor = 8 / 16 = 0.5 on threads; memory (14 + 8 + 2)
    / 64 = 0.375. One box with both workers would be 15 / 16. Optimum 0.5."""
    plan = solve_and_check(two_tenants("[container-in-vm]"), objective="balance")
    assert plan.status.value == "optimal"
    assert plan.objective.value == pytest.approx(0.5)
    assert len({w.server for w in plan.workers}) == 2
