"""`max_recovery_seconds`: every single failure recoverable within a VNF's budget, by hand.

The hardware of every case: servers `s` of 8 threads for 1000 a month, three installed; a
container boots in 5 s, a VM in 45 s; hosts pull images at 1 Gbps, so the 3.75 GiB image of
`a` takes 3.75 x 8 / 1 = 30 s to pull where it is not cached. `a` is a container of 4 threads:
two fit one server. Every plan is re-checked by the independent checker, and every re-placement
by the resilience check (which verifies the budget itself, `late_restarts`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nfvplan.check import check_plan
from nfvplan.io import write_plan
from nfvplan.lifecycle import Restart
from nfvplan.plan import Status
from nfvplan.solver import SolveOptions
from nfvplan.survive import (
    CheckOptions,
    Level,
    Outcome,
    check_resilience,
    format_report,
    plan_survivable,
    report_dict,
)
from nfvplan.survive.check import late_restarts
from tests.helpers import parse, run_cli, scenario_yaml, solve_and_check, write_file

FAST = CheckOptions(time_limit_s=5, workers=1)
OPTIONS = SolveOptions(time_limit_s=10, workers=1)


def case(budget: float | None, replicas: int = 2, boot: float = 5, image: float = 3.75) -> str:
    """`a`: `replicas` containers of 4 threads, an `image` GiB image, the given budget."""
    limit = "" if budget is None else f", max_recovery_seconds: {budget}"
    return scenario_yaml(
        f"""
        platform:
          container: {{boot_seconds: {boot}}}
          vm: {{boot_seconds: 45}}
          image_pull_gbps: 1
        server_types:
          s: {{cores: 8, threads_per_core: 1, memory_gib: 64, disk_gib: 500, monthly_cost: 1000}}
        sites:
          dc: {{servers: {{s: 3}}}}
        vnfs:
          a: {{flavor: {{vcpu: 4, memory_gib: 4}}, forms: [container], replicas: {replicas},
               image_gib: {image}{limit}}}
        """
    )


def survive(text: str):
    loaded = parse(text)
    result = plan_survivable(loaded, Level.SERVER, OPTIONS, FAST)
    assert check_plan(loaded, result.plain) == []
    assert check_plan(loaded, result.plan) == []
    return loaded, result


def test_without_a_budget_the_recovery_pulls_the_image() -> None:
    """No budget: both a on one server (1000) survive, an empty installed server takes them:
    30 s of pull, then 5 s of boot, 35 s."""
    _loaded, result = survive(case(budget=None))
    assert result.proven and result.plan.status is Status.OPTIMAL
    assert result.plan.summary.monthly_cost == 1000
    [failure] = result.report.results
    assert failure.recovery_s == pytest.approx(35)
    assert [(r.pull_s, r.boot_s) for r in failure.restarts] == [(pytest.approx(30), 5)] * 2


def test_a_budget_only_a_cached_image_meets_places_the_image_where_recovery_lands() -> None:
    """Budget 10 s: a pull (30 s + 5 s) is too slow, so a failed a must restart on a host that
    already runs a (5 s). One server cannot give that (its failure takes both), so the optimum
    runs one a on each of two servers, each with room for the other: 2000, +1000 over the plain
    plan. Each failure restarts a on the other server in 5 s."""
    loaded, result = survive(case(budget=10))
    assert result.proven and result.plan.status is Status.OPTIMAL
    assert result.plain.summary.monthly_cost == 1000
    assert result.plan.summary.monthly_cost == 2000
    hosts = sorted(p.server for p in result.plan.placements)
    assert hosts == ["dc/s/1", "dc/s/2"]
    for failure in result.report.results:
        [restart] = failure.restarts
        other = next(h for h in hosts if h not in failure.failure.servers)
        assert restart == Restart("a", "container", other, 0.0, 5.0)
    again = check_resilience(loaded, result.plan, Level.SERVER, FAST)
    assert again.survivable and again.worst.recovery_s == 5


@pytest.mark.parametrize(("budget", "cost"), [(35, 1000), (34.9, 2000)])
def test_the_budget_is_inclusive(budget: float, cost: float) -> None:
    """Pull + boot = 35 s: a budget of 35 s is met by the pull (1000), 34.9 s is not (2000)."""
    _loaded, result = survive(case(budget=budget))
    assert result.proven and result.plan.summary.monthly_cost == cost


def test_the_plain_plan_fails_its_budget_with_the_numbers() -> None:
    """The plain plan (both a on dc/s/1) against the check: the failure is not survivable, and
    the reason names a, the budget and the fastest start (30 s pull + 5 s boot)."""
    loaded = parse(case(budget=10))
    plan = solve_and_check(loaded)
    report = check_resilience(loaded, plan, Level.SERVER, FAST)
    [failure] = report.results
    assert failure.outcome is Outcome.NOT_SURVIVABLE and report.exit_code == 6
    [reason] = failure.blocking
    assert reason.startswith("a: max_recovery_seconds 10 cannot be met: the fastest start is 35 s")
    assert "30 s pull + 5 s boot (container)" in reason
    assert "needs a surviving host that already runs it" in reason


def test_a_budget_no_plan_meets_is_infeasible_and_says_why() -> None:
    """One a only: when its server fails no other host holds its image, and a pull takes 35 s
    against 10: no plan survives (exit 3), and the explanation says which VNF and budget."""
    _loaded, result = survive(case(budget=10, replicas=1))
    assert result.plan.status is Status.INFEASIBLE and result.exit_code == 3
    text = "\n".join(result.plan.explanation)
    assert "no plan survives every single server failure" in text
    assert "a: max_recovery_seconds 10 cannot be met: the fastest start is 35 s" in text


def test_a_budget_below_the_boot_time_is_infeasible_and_says_why() -> None:
    """Budget 4 s, boot 5 s: not even a cached image helps."""
    _loaded, result = survive(case(budget=4))
    assert result.plan.status is Status.INFEASIBLE
    assert "booting alone takes 5 s" in "\n".join(result.plan.explanation)


def test_the_check_rule_flags_a_late_restart() -> None:
    """The checker's rule on its own: 30 + 5 s over 10 is late, 0 + 5 s is not."""
    loaded = parse(case(budget=10))
    late = late_restarts(loaded, [Restart("a", "container", "dc/s/2", 30.0, 5.0)])
    assert late == ["a (container) on dc/s/2 takes 35 s, over its max_recovery_seconds 10"]
    assert late_restarts(loaded, [Restart("a", "container", "dc/s/2", 0.0, 5.0)]) == []


@settings(max_examples=6, deadline=None)
@given(
    image=st.sampled_from([0.0, 1.25, 3.75]),
    boot=st.integers(1, 12),
    budget=st.integers(1, 40),
)
def test_cost_follows_the_hand_rule(image: float, boot: int, budget: int) -> None:
    """Two a, three servers: a pull fast enough (image x 8 s + boot <= budget) keeps both on
    one server (1000); else a cached image must do (boot <= budget): one a per server (2000);
    else no plan survives."""
    _loaded, result = survive(case(budget=budget, boot=boot, image=image))
    if image * 8 + boot <= budget:
        assert result.proven and result.plan.summary.monthly_cost == 1000
    elif boot <= budget:
        assert result.proven and result.plan.summary.monthly_cost == 2000
    else:
        assert result.plan.status is Status.INFEASIBLE


# --- the report and the command line -------------------------------------------------------


def test_the_report_lists_each_restart_with_pull_boot_total_and_budget(tmp_path: Path) -> None:
    """The survivable plan's table shows, per failure, where a restarts and its seconds; JSON
    carries the same numbers."""
    loaded, result = survive(case(budget=10))
    report = check_resilience(loaded, result.plan, Level.SERVER, FAST)
    table = format_report(report, "table").splitlines()
    assert (
        "recovery per restarted instance (pull: its host's image pulls before it boots):" in table
    )
    rows = [" ".join(line.split()) for line in table if line.startswith("server dc/s/")]
    assert "server dc/s/1 a container dc/s/2 - 5 s 5 s 10 s" in rows
    data = report_dict(report)
    assert data["failures"][0]["restarted"] == [
        {
            "vnf": "a",
            "form": "container",
            "server": "dc/s/2",
            "pull_s": 0.0,
            "boot_s": 5.0,
            "total_s": 5.0,
            "budget_s": 10.0,
        }
    ]
    markdown = format_report(report, "markdown")
    assert "| server dc/s/1 | a | container | dc/s/2 | - | 5 s | 5 s | 10 s |" in markdown


def test_cli_warns_without_survive_and_plans_with_it(tmp_path: Path) -> None:
    """A plain solve says the budget is not planned for (exit 0, the plan of 1000); with
    `--survive server` the plan is the 2000 one and `resilience` confirms it (exit 0)."""
    site = write_file(tmp_path, "site.yaml", case(budget=10))
    args = ("--time-limit", "10", "--workers", "1")
    plain = run_cli("solve", site, *args)
    assert plain.exit_code == 0, plain.output
    assert "warning: max_recovery_seconds (a) is planned for only with --survive" in plain.stderr
    out = tmp_path / "plan.yaml"
    solved = run_cli("solve", site, "--survive", "server", "-o", out, *args)
    assert solved.exit_code == 0, solved.output
    assert "warning" not in solved.stderr
    assert "resilience costs +1,000.00/month (+100.0 %)" in solved.stdout
    checked = run_cli("resilience", site, out, "--format", "json", *args)
    assert checked.exit_code == 0, checked.output
    worst = json.loads(checked.stdout)["failures"][0]["restarted"][0]
    assert worst["total_s"] == 5.0 and worst["budget_s"] == 10.0
    plain_plan = tmp_path / "plain.yaml"
    write_plan(solve_and_check(parse(case(budget=10))), plain_plan)
    failing = run_cli("resilience", site, plain_plan, *args)
    assert failing.exit_code == 6
    assert "max_recovery_seconds 10 cannot be met" in failing.stdout


# --- a host's pulls delay every instance it restarts -----------------------------------------


def shared(servers: int) -> str:
    """`a`: a container with no image (nothing to pull), budget 10 s, boot 5 s. `b`: a VM of a
    2.5 GiB image (20 s at 1 Gbps), no budget. Servers of 16 threads, 1000 a month."""
    return scenario_yaml(
        f"""
        platform:
          container: {{boot_seconds: 5}}
          vm: {{boot_seconds: 45}}
          image_pull_gbps: 1
        server_types:
          s: {{cores: 16, threads_per_core: 1, memory_gib: 64, disk_gib: 500, monthly_cost: 1000}}
        sites:
          dc: {{servers: {{s: {servers}}}}}
        vnfs:
          a: {{flavor: {{vcpu: 4, memory_gib: 4}}, forms: [container], replicas: 1,
               max_recovery_seconds: 10}}
          b: {{flavor: {{vcpu: 4, memory_gib: 4}}, forms: [vm], replicas: 1, image_gib: 2.5}}
        """
    )


def test_a_restart_waits_for_its_hosts_other_pulls() -> None:
    """Plain plan: a and b on one server (1000). When it fails, restarting both on one empty
    server makes a wait for b's 20 s pull: 25 s > 10. With three servers the re-placement puts
    them on two (a in 5 s, b in 20 + 45 s); with two there is no such re-placement, so the
    survivable optimum keeps a and b apart (2000): losing a's server restarts a next to b, whose
    host pulls nothing for it (5 s)."""
    loaded = parse(shared(servers=3))
    plan = solve_and_check(loaded)
    assert plan.summary.monthly_cost == 1000
    [failure] = check_resilience(loaded, plan, Level.SERVER, FAST).results
    hosts = {r.vnf: r for r in failure.restarts}
    assert hosts["a"].server != hosts["b"].server
    assert (hosts["a"].pull_s, hosts["a"].total_s) == (0.0, 5.0)
    assert hosts["b"].total_s == pytest.approx(65)
    two = parse(shared(servers=2))
    [blocked] = check_resilience(two, solve_and_check(two), Level.SERVER, FAST).results
    assert blocked.outcome is Outcome.NOT_SURVIVABLE
    _loaded, result = survive(shared(servers=2))
    assert result.proven and result.plan.summary.monthly_cost == 2000
    assert len({p.server for p in result.plan.placements}) == 2


def test_a_budget_binds_only_what_has_to_restart() -> None:
    """u carries the 5 Gbps entering at site a, where it must run, under a budget no restart
    could meet (1 s, boot 5 s). Losing site a loses that demand too: u needs no instance
    after it, nothing restarts, so the failure is survivable (the budget is not a reason)."""
    text = scenario_yaml(
        """
        platform:
          container: {boot_seconds: 5}
        server_types:
          s: {cores: 8, threads_per_core: 1, memory_gib: 64, nic_gbps: 100, monthly_cost: 1000}
        sites:
          a: {servers: {s: 1}}
          b: {servers: {s: 1}}
        links:
          - {between: [a, b], gbps: 10, latency_ms: 1}
        vnfs:
          u: {flavor: {vcpu: 2, memory_gib: 4}, forms: [container], throughput_gbps: 10,
              sites: [a], max_recovery_seconds: 1}
        services:
          web: {chain: [u], demands: [{from: a, gbps: 5}]}
        """
    )
    loaded = parse(text)
    plan = solve_and_check(loaded)
    [result] = check_resilience(loaded, plan, Level.SITE, FAST).results
    assert result.failure.label == "site a"
    assert result.outcome is Outcome.SURVIVABLE and result.restarts == ()


def test_a_failed_vm_comes_back_as_a_container_within_the_budget() -> None:
    """a offers both forms. Containers pay a 5-thread host reserve, so two VMs (4 threads) on
    one server are the plain optimum (1000). A VM boots in 45 s, over the 10 s budget, but a
    failed instance may restart in any form of its VNF: each as a container on one of the two
    idle servers (2 + 5 threads; two on one would need 9 of 8), 5 s. So the plain plan
    survives as it is: 1000, +0."""
    text = scenario_yaml(
        """
        platform:
          container: {boot_seconds: 5, host_reserve: {cores: 5}}
          vm: {boot_seconds: 45}
        server_types:
          s: {cores: 8, threads_per_core: 1, memory_gib: 64, disk_gib: 500, monthly_cost: 1000}
        sites:
          dc: {servers: {s: 3}}
        vnfs:
          a: {flavor: {vcpu: 2, memory_gib: 4}, forms: [vm, container], replicas: 2,
              max_recovery_seconds: 10}
        """
    )
    _loaded, result = survive(text)
    assert result.proven and result.plan.summary.monthly_cost == 1000
    assert {p.form for p in result.plan.placements} == {"vm"}
    [failure] = result.report.results
    assert sorted((r.form, r.server, r.total_s) for r in failure.restarts) == [
        ("container", "dc/s/2", 5.0),
        ("container", "dc/s/3", 5.0),
    ]
