"""Tests that licences are added to the cost once per instance.

Hand-proven cases, as docs/testing.md ("Rule tests") describes: the optimum is argued in each
test's docstring, every plan has passed the checker, the platform is `PLAIN` unless a test says.
"""

from __future__ import annotations

from tests.helpers import assert_optimal, scenario_yaml, solve_and_check
from tests.scenarios import PLAIN


def test_licences_are_added_per_instance() -> None:
    """Tests that the cost includes `license_monthly` once per instance.

    One 100 server holds all three instances; licences 2 x 75 + 1 x 30 = 180: total 280.
    """
    plan = solve_and_check(
        scenario_yaml(
            PLAIN,
            """
            server_types:
              s: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 100}
            sites:
              dc: {servers: {s: 2}}
            vnfs:
              a: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 2, license_monthly: 75}
              b: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 1, license_monthly: 30}
            """,
        )
    )
    assert_optimal(plan, 280)
    assert plan.summary.servers_used == 1
    assert plan.summary.instances == 3
