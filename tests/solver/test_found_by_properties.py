"""Regression tests for solver and checker bugs the property tests found, each reduced by hand
to the smallest scenario that showed it (tests/solver/test_properties.py,
tests/check/test_checker_mutants.py).
"""

from __future__ import annotations

from nfvplan.plan import Status
from tests.helpers import scenario_yaml, solve_and_check


def test_a_free_server_type_does_not_crash_the_configuration_bound():
    """A server type with monthly_cost 0 divided by zero in the configuration-LP pricing.

    One 0.5-vCPU instance, licence 5, on a purchasable server that costs nothing: the optimum
    is the licence alone, 0 + 5 = 5.
    """
    plan = solve_and_check(
        scenario_yaml(
            """
            server_types:
              free: {cores: 1, memory_gib: 4, monthly_cost: 0}
            sites:
              s1: {expand: {free: 1}}
            vnfs:
              v1: {flavor: {vcpu: 0.5, memory_gib: 0.5}, replicas: 1, license_monthly: 5}
            """
        ),
        time_limit_s=5,
    )
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == 5.0  # free server 0 + licence 5


def test_aligned_instances_on_a_one_node_server_name_node_zero():
    """A plan taken from the configuration LP left `numa_node` empty for `numa: aligned`
    instances on one-NUMA-node servers, which the checker (rightly) refuses.

    Each aligned v2 (2 vCPU, overcommit 1) needs 2 threads: only a t1 holds one (t2 has 1
    thread), so the two take both free t1s; the isolated v1 must be alone, so it takes the t2:
    cost 0 + 0 + 10 = 10, both v2 on node 0, the only node of a t1.
    """
    plan = solve_and_check(
        scenario_yaml(
            """
            server_types:
              t1: {cores: 1, threads_per_core: 2, memory_gib: 4, monthly_cost: 0}
              t2: {cores: 1, memory_gib: 4, monthly_cost: 10}
            sites:
              s1: {servers: {t1: 2, t2: 1}}
            vnfs:
              v1: {flavor: {vcpu: 0.5, memory_gib: 0.5}, replicas: 1, isolation: host}
              v2: {flavor: {vcpu: 2, memory_gib: 0.5}, replicas: 2, numa: aligned}
            """
        ),
        time_limit_s=5,
    )
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == 10.0  # t1 0 + t1 0 + t2 10
    assert [p.numa_node for p in plan.placements if p.vnf == "v2"] == [0, 0]
