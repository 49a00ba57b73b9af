"""Tests that each objective (cost, servers, balance) finds its own optimum, exactly, and
that `SolveOptions(objective=...)` overrides the file.

Hand-proven cases, as docs/testing.md ("Rule tests") describes: the optimum is argued in each
test's docstring, every plan has passed the checker, the platform is `PLAIN` unless a test says.
"""

from __future__ import annotations

import pytest

from nfvplan.plan import Status
from tests.helpers import (
    assert_optimal,
    load_per_server,
    scenario_yaml,
    servers_of,
    solve_and_check,
)
from tests.scenarios import PLAIN

OBJECTIVE_YAML = scenario_yaml(
    PLAIN,
    """
    server_types:
      big: {cores: 16, threads_per_core: 1, memory_gib: 64, monthly_cost: 500}
      small: {cores: 4, threads_per_core: 1, memory_gib: 16, monthly_cost: 100}
    sites:
      dc: {servers: {big: 1, small: 4}}
    vnfs:
      fn: {flavor: {vcpu: 4, memory_gib: 4}, replicas: 4}
    """,
)


def test_cost_objective_prefers_four_cheap_servers() -> None:
    """Tests that `objective: cost` takes four small servers over one big one.

    4 instances of 4 threads: a small server (4 threads, 100) holds one, big (16, 500) holds
    four. All small: 400; big alone: 500; big plus any small: >= 600. Optimum 400, 4 servers.
    """
    plan = solve_and_check(OBJECTIVE_YAML)
    assert_optimal(plan, 400)
    assert plan.summary.servers_used == 4
    assert {s.type for s in plan.servers} == {"small"}


def test_servers_objective_prefers_one_dear_server() -> None:
    """Tests that `objective: servers` takes the fewest servers even when dearer.

    One big server holds all four instances: 1 server (vs 4 for the cost optimum), at 500.
    """
    plan = solve_and_check(OBJECTIVE_YAML, objective="servers")
    assert plan.status is Status.OPTIMAL
    assert plan.objective.name == "servers"
    assert plan.objective.value == 1
    assert plan.summary.servers_used == 1
    assert plan.servers[0].type == "big"
    assert plan.summary.monthly_cost == pytest.approx(500)


BALANCE_YAML = scenario_yaml(
    PLAIN,
    """
    server_types:
      s: {cores: 16, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
    sites:
      dc: {servers: {s: 3}}
    vnfs:
      fn: {flavor: {vcpu: 3, memory_gib: 8}, replicas: 4}
    objective: OBJECTIVE
    """,
)


def test_balance_objective_spreads_the_load() -> None:
    """Tests that `objective: balance` minimises the busiest share, then the cost.

    s: 16 threads, 64 GiB; 4 instances of 3 threads and 8 GiB on at most 3 servers.
    With cost: all 4 on one server (12 threads): 100, busiest share 12/16 = 0.75.
    With balance: some server holds >= ceil(4/3) = 2 instances, so the busiest share is at least
    max(6/16, 16/64) = 0.375, reached by 2 + 2 (200) and 2 + 1 + 1 (300); cost breaks the tie:
    2 servers of 2 instances, value 0.375, cost 200.
    """
    cost_plan = solve_and_check(BALANCE_YAML.replace("OBJECTIVE", "cost"))
    assert_optimal(cost_plan, 100)
    assert cost_plan.servers[0].used["threads"] == pytest.approx(12)

    plan = solve_and_check(BALANCE_YAML.replace("OBJECTIVE", "balance"))
    assert plan.status is Status.OPTIMAL
    assert plan.objective.name == "balance"
    assert plan.objective.value == pytest.approx(0.375)
    assert sorted(load_per_server(plan).values()) == [2, 2]
    assert plan.summary.monthly_cost == pytest.approx(200)


def test_objective_option_overrides_the_file() -> None:
    """Tests that `SolveOptions(objective=...)` overrides `objective:` in the file.

    The file says balance; asking for cost gives the cost optimum of the test above: 100.
    """
    plan = solve_and_check(BALANCE_YAML.replace("OBJECTIVE", "balance"), objective="cost")
    assert_optimal(plan, 100)


# --- exactness at the boundary (a bug before ccd1e68) ---------------------------------------------


def test_balance_optimum_is_exact_below_a_permille() -> None:
    """Tests that `objective: balance` is minimised exactly, not to the nearest permille.

    One instance of 1001 vCPUs; server a has 2001 threads (share 1001 / 2001 = 0.50025, cost
    200), server b 2000 threads (share 1001 / 2000 = 0.5005, cost 100). The least busiest share
    is 0.50025, on a; cost only breaks ties. (Optimised in whole permille, both shares once
    rounded to 501 and cost picked b.)
    """
    plan = solve_and_check(
        scenario_yaml(
            PLAIN,
            """
            server_types:
              a: {cores: 2001, threads_per_core: 1, memory_gib: 100000, monthly_cost: 200}
              b: {cores: 2000, threads_per_core: 1, memory_gib: 100000, monthly_cost: 100}
            sites:
              dc: {servers: {a: 1, b: 1}}
            vnfs:
              fn: {flavor: {vcpu: 1001, memory_gib: 1}, replicas: 1}
            objective: balance
            """,
        )
    )
    assert plan.status is Status.OPTIMAL
    assert servers_of(plan, "fn") == ["dc/a/1"]
    assert plan.objective.value == pytest.approx(1001 / 2001, abs=1e-6)
