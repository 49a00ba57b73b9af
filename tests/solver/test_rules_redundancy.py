"""`redundancy: R` means spares that survive the loss of any one host.

A throughput-sized VNF whose demand needs N instances and that runs T (at least N + R) may hold
at most T - N of them on any one server, so that losing any server leaves N. Each case below is
small enough to solve by hand; the docstrings give the arithmetic, and every plan has passed the
independent checker (`solve_and_check`) before an assertion looks at it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from helpers import REPO, explanation_text, parse, scenario_yaml, servers_of, solve_and_check

from nfvplan.check import check_plan
from nfvplan.choices import Level
from nfvplan.plan import Status
from nfvplan.survive.check import CheckOptions, check_resilience


def spread_case(servers: int, demand_gbps: float, license_monthly: float = 0) -> str:
    """Servers of 8 threads / 1000 a month; u needs 4 vCPU (two fit a server), 10 Gbps each."""
    return scenario_yaml(
        """
        platform:
          cpu_overcommit: 1
        server_types:
          s: {cores: 8, threads_per_core: 1, memory_gib: 64, nic_gbps: 100, monthly_cost: 1000}
        """,
        f"""
        sites:
          dc: {{servers: {{s: {servers}}}}}
        vnfs:
          u: {{flavor: {{vcpu: 4, memory_gib: 8}}, forms: [vm], throughput_gbps: 10,
               redundancy: 1, license_monthly: {license_monthly}}}
        services:
          web: {{chain: [u], demands: [{{from: dc, gbps: {demand_gbps}}}]}}
        """,
    )


def test_a_spare_forces_a_second_server() -> None:
    """10 Gbps at 10 Gbps each needs 1 instance, plus 1 spare: 2 instances, and both fit one
    server (2 x 4 vCPU = 8 threads). On one server, losing it leaves 0 < 1: the spare must sit
    on the second server. Optimum 2 x 1000 = 2000 (one server, 1000, was the old answer)."""
    plan = solve_and_check(spread_case(servers=2, demand_gbps=10))
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == pytest.approx(2000)
    assert len(set(servers_of(plan, "u"))) == 2


def test_four_instances_on_two_servers_beat_three_on_three() -> None:
    """20 Gbps needs 2 instances, plus 1 spare: 3 at least, license 100 each, two per server.

    Three instances on two servers (2 + 1, 2300) break the rule: losing the first leaves 1 < 2.
    Three on three servers: 3000 + 300 = 3300. Four on two servers (2 + 2): losing either
    leaves 2; 2000 + 400 = 2400, the optimum. Any plan on one server leaves 0."""
    plan = solve_and_check(spread_case(servers=3, demand_gbps=20, license_monthly=100))
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == pytest.approx(2400)
    assert sorted(Counter(servers_of(plan, "u")).values()) == [2, 2]


def test_the_readme_format_example_spreads_its_upf_spare() -> None:
    """The README's format example: 40 Gbps at 25 Gbps each needs 2 UPFs, plus 1 spare. No
    server may hold more than (UPFs - 2) of them, so the three are no longer on one host."""
    readme = (REPO / "README.md").read_text()
    start = readme.index("nfvplan: 1\nname: metro-5g")
    text = readme[start : readme.index("```", start)]
    plan = solve_and_check(text)
    assert plan.status is Status.OPTIMAL
    per_host = Counter(servers_of(plan, "upf"))
    total = sum(per_host.values())
    assert total >= 3
    assert max(per_host.values()) <= total - 2


def test_one_server_cannot_hold_a_spare_that_survives_it() -> None:
    """With one server, every instance shares the host that fails: no plan, and the cheap
    check says so with the numbers."""
    plan = solve_and_check(spread_case(servers=1, demand_gbps=10))
    assert plan.status is Status.INFEASIBLE
    assert "u: redundancy 1 needs 2 hosts at [dc], which has 1" in explanation_text(plan)


def test_the_checker_reports_spares_on_the_host_they_protect() -> None:
    """A hand-moved plan with both instances on one server breaks the rule (and only the usage
    figures besides, which the move made stale)."""
    scenario = parse(spread_case(servers=2, demand_gbps=10))
    plan = solve_and_check(scenario)
    first = plan.placements[0].server
    moved = replace(plan, placements=[replace(p, server=first) for p in plan.placements])
    rules = {v.rule for v in check_plan(scenario, moved)}
    assert "redundancy" in rules
    assert rules <= {"redundancy", "server-usage", "summary", "objective"}


def test_a_failure_is_recovered_without_spreading_again() -> None:
    """Two servers, one instance each. When one fails, its instance restarts next to the other:
    the spare has done its job, so the recovery need not be spread (`Scenario.degraded`)."""
    scenario = parse(spread_case(servers=2, demand_gbps=10))
    plan = solve_and_check(scenario)
    report = check_resilience(scenario, plan, Level.SERVER, CheckOptions(time_limit_s=10))
    assert report.survivable
