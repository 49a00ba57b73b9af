"""Regression tests for solver and checker bugs the property tests (tests/test_properties.py,
tests/test_checker_mutants.py) found, each reduced by hand to the smallest scenario that showed it.
"""

from __future__ import annotations

from helpers import scenario_yaml, solve_and_check

from nfvplan.plan import Status


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
