"""Tests that a site's purchasable servers are bought only when cheaper, and are numbered
after the installed ones.

Hand-proven cases, as docs/testing.md ("Rule tests") describes: the optimum is argued in each
test's docstring, every plan has passed the checker, the platform is `PLAIN` unless a test says.
"""

from __future__ import annotations

from tests.helpers import assert_optimal, scenario_yaml, servers_of, solve_and_check
from tests.scenarios import PLAIN


def test_cheaper_bought_server_beats_expensive_installed_one() -> None:
    """Tests that the solver buys a cheaper server rather than power on a dearer installed one.

    dc has one installed `old` (500/month) and may buy one `new` (200/month); both hold the
    single instance. Installed and idle costs nothing; bought and used costs its monthly cost.
    Optimum: buy new = 200, server dc/new/1 (numbered per type from 1), bought.
    """
    plan = solve_and_check(
        scenario_yaml(
            PLAIN,
            """
            server_types:
              old: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 500}
              new: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 200}
            sites:
              dc: {servers: {old: 1}, expand: {new: 1}}
            vnfs:
              fn: {flavor: {vcpu: 2, memory_gib: 2}, replicas: 1}
            """,
        )
    )
    assert_optimal(plan, 200)
    assert servers_of(plan, "fn") == ["dc/new/1"]
    assert plan.servers[0].bought is True
    assert plan.servers[0].type == "new"
    assert plan.summary.servers_bought == 1


def test_bought_servers_of_an_installed_type_are_numbered_after_the_installed() -> None:
    """Tests that expanding a type installs servers numbered after the installed ones.

    One installed `s` (100) and one more purchasable; 2 host-anti-affine replicas need both:
    dc/s/1 installed, dc/s/2 bought; 2 x 100 = 200, one server bought.
    """
    plan = solve_and_check(
        scenario_yaml(
            PLAIN,
            """
            server_types:
              s: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 100}
            sites:
              dc: {servers: {s: 1}, expand: {s: 1}}
            vnfs:
              fn: {flavor: {vcpu: 2, memory_gib: 2}, replicas: 2, anti_affinity: host}
            """,
        )
    )
    assert_optimal(plan, 200)
    assert {s.id: s.bought for s in plan.servers} == {"dc/s/1": False, "dc/s/2": True}
    assert plan.summary.servers_bought == 1
