"""Failure survival: `nfvplan resilience` and `nfvplan solve --survive`, on cases proven by hand.

The hardware of every case: `box`, 8 threads and 64 GiB for 100 a month; forms cost nothing
(only the flavors count), a VM boots in 45 s and a container in 5 s. Every plan the solver
makes passes the independent checker (`solve_and_check`), and every re-placement the
resilience check accepts is checked against the failed scenario inside the library.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nfvplan.check import check_plan
from nfvplan.io import read_plan, write_plan
from nfvplan.plan import Plan, Status
from nfvplan.solver import SolveOptions
from nfvplan.survive import (
    CheckOptions,
    Level,
    Outcome,
    ResilienceReport,
    check_resilience,
    failed_scenario,
    plan_survivable,
)
from nfvplan.survive.failures import Failure
from tests.helpers import parse, run_cli, scenario_yaml, solve_and_check, write_file

PLATFORM = """
platform:
  vm: {boot_seconds: 45}
  container: {boot_seconds: 5}
server_types:
  box: {cores: 8, threads_per_core: 1, memory_gib: 64, disk_gib: 100, nic_gbps: 10,
        sriov_vfs: 0, numa_nodes: 1, monthly_cost: 100}
"""
TWO_BOXES = "sites:\n  dc: {racks: 1, servers: {box: 2}}"
FAST = CheckOptions(time_limit_s=5, workers=1)


def scenario(*parts: str, name: str = "t") -> str:
    return scenario_yaml(PLATFORM, *parts, name=name)


def vnfs(line: str) -> str:
    return "vnfs:\n  " + line


def check(text: str, level: Level = Level.SERVER) -> tuple[Plan, ResilienceReport]:
    """Solve (checked), then run the resilience check on the plan."""
    loaded = parse(text)
    plan = solve_and_check(loaded, time_limit_s=10)
    return plan, check_resilience(loaded, plan, level, FAST)


def by_label(report: ResilienceReport) -> dict[str, object]:
    return {r.failure.label: r for r in report.results}


# --- server failures ------------------------------------------------------------------------

SPARE = scenario(
    TWO_BOXES, vnfs("fw: {flavor: {vcpu: 2, memory_gib: 8}, forms: [vm], replicas: 3}")
)
"""3 fw of 2 threads: 6 threads fit one box, so the plan uses dc/box/1 alone (100 a month) and
dc/box/2 stays installed and empty: 8 threads of spare room for the 6 that can fail."""


def test_spare_room_makes_a_server_failure_survivable() -> None:
    plan, report = check(SPARE)
    assert plan.summary.servers_used == 1
    assert [r.failure.label for r in report.results] == ["server dc/box/1"]
    (result,) = report.results
    assert result.outcome is Outcome.SURVIVABLE
    assert len(result.hit) == 3
    # All three restart on the only other box, as VMs (the only form): 45 s, in parallel.
    assert result.replaced == (("fw", "vm", "dc/box/2"),) * 3
    assert result.recovery_s == 45
    assert report.idle == ("dc/box/2",)
    assert report.exit_code == 0
    assert result.recovery_plan is not None
    failed = failed_scenario(parse(SPARE), plan, result.failure)
    assert check_plan(failed, result.recovery_plan) == []


SHORT = scenario(
    TWO_BOXES, vnfs("fw: {flavor: {vcpu: 4, memory_gib: 8}, forms: [vm], replicas: 3}")
)
"""3 fw of 4 threads = 12 threads: one box full (2 fw, 8 threads), the other half (1 fw, 4
free). Losing the full box leaves 8 threads to restart on 4 free; losing the half one leaves 4
on 0 free: neither failure is survivable."""


def test_a_short_server_failure_reports_the_exact_shortfall() -> None:
    plan, report = check(SHORT)
    full = next(s.id for s in plan.servers if s.used["threads"] == 8)
    half = next(s.id for s in plan.servers if s.used["threads"] == 4)
    results = by_label(report)
    assert results[f"server {full}"].outcome is Outcome.NOT_SURVIVABLE
    assert [s.describe() for s in results[f"server {full}"].shortfalls] == [
        "fw needs 8 threads, 4 free"
    ]
    assert [s.describe() for s in results[f"server {half}"].shortfalls] == [
        "fw needs 4 threads, 0 free"
    ]
    assert report.exit_code == 6
    worst = report.worst
    assert worst is not None and worst.failure.name == full  # not survivable, 2 instances hit


RULE_BLOCKED = scenario(
    TWO_BOXES,
    vnfs("amf: {flavor: {vcpu: 1, memory_gib: 8}, forms: [vm], replicas: 2, anti_affinity: host}"),
)
"""2 anti-affine amf on exactly 2 hosts: 7 threads are free on the survivor, but it already
runs the other amf, so the failed one has no host left: the rule, not a resource, blocks."""


def test_anti_affinity_on_exactly_n_hosts_blocks_recovery() -> None:
    _plan, report = check(RULE_BLOCKED)
    assert len(report.results) == 2
    for result in report.results:
        assert result.outcome is Outcome.NOT_SURVIVABLE
        assert result.shortfalls == ()  # 1 thread needed, 7 free: no resource is short
        assert "anti_affinity" in " ".join(result.blocking)
    assert report.exit_code == 6


# --- site failures --------------------------------------------------------------------------

SITES = """
sites:
  a: {racks: 1, servers: {box: 1}}
  b: {racks: 1, servers: {box: 1}}
  c: {racks: 1, servers: {box: 1}}
links:
  - {between: [a, b], gbps: 10, latency_ms: 1}
  - {between: [b, c], gbps: 10, latency_ms: 1}
  - {between: [a, c], gbps: 10, latency_ms: 1}
services:
  web: {chain: [fw], demands: [{from: a, to: c, gbps: 2}, {from: b, to: c, gbps: 1}]}
"""
SITE_VNFS = """
vnfs:
  fw: {flavor: {vcpu: 4, memory_gib: 8}, forms: [vm], replicas: 1}
  upf: {flavor: {vcpu: 2, memory_gib: 8}, forms: [vm], replicas: 2, sites: [a, b]}
"""
"""8 threads in all fit one box (100 a month), at a or b (upf may not run at c). With fw at a,
the demands cross 2x1 + 1x2 = 4 Gbps-links; at b, 2x2 + 1x1 = 5: so everything runs at a."""


def test_site_failures_drop_their_demands_and_restart_elsewhere() -> None:
    plan, report = check(scenario(SITES, SITE_VNFS), Level.SITE)
    assert {s.id for s in plan.servers} == {"a/box/1"}
    results = by_label(report)
    assert list(results) == ["site a", "site b", "site c"]
    lost_a = results["site a"]
    assert lost_a.outcome is Outcome.SURVIVABLE
    # web#0 enters at a: lost with it. The 3 instances restart on b's box (8 threads free;
    # fw at c would cost a second box).
    assert [d.describe() for d in lost_a.dropped] == ["web#0 (2 Gbps)"]
    on_b = [("fw", "vm", "b/box/1"), ("upf", "vm", "b/box/1"), ("upf", "vm", "b/box/1")]
    assert sorted(lost_a.replaced) == on_b
    # b and c host nothing: only traffic is lost (web#1 enters at b; both demands leave at c).
    assert len(results["site b"].hit) == 0
    assert [d.describe() for d in results["site b"].dropped] == ["web#1 (1 Gbps)"]
    assert [d.describe() for d in results["site c"].dropped] == ["web#0 (2 Gbps)", "web#1 (1 Gbps)"]
    assert report.exit_code == 0


def test_a_site_failure_with_nowhere_allowed_to_go_is_not_survivable() -> None:
    text = scenario(SITES, SITE_VNFS.replace("sites: [a, b]", "sites: [a]"))
    _plan, report = check(text, Level.SITE)
    lost_a = by_label(report)["site a"]
    assert lost_a.outcome is Outcome.NOT_SURVIVABLE
    # upf may only run at a: its 2 x 2 threads and 2 x 8 GiB have 0 free where allowed.
    assert [s.describe() for s in lost_a.shortfalls] == [
        "upf needs 4 threads, 0 free",
        "upf needs 16 GiB memory, 0 free",
    ]
    assert report.exit_code == 6


# --- planning for survival ------------------------------------------------------------------

BUY = scenario(
    "sites:\n  dc: {racks: 1, servers: {box: 0}, expand: {box: 4}}",
    vnfs("fw: {flavor: {vcpu: 4, memory_gib: 8}, forms: [vm], replicas: 4}"),
)
"""4 fw of 4 threads, boxes bought at 100 each. Plain: 2 boxes full (200). Two boxes can never
survive (16 threads needed, 16 in all: nothing free). Three boxes loaded 2/1/1 fw can: losing
the 2-fw box leaves 4 + 4 free for its 8 threads; losing a 1-fw box leaves 4 free for 4. So
the survivable optimum is 300: +100 a month, +50 %."""


def test_survive_server_buys_the_spare_room_and_proves_it() -> None:
    loaded = parse(BUY)
    result = plan_survivable(loaded, Level.SERVER, SolveOptions(time_limit_s=10, workers=1), FAST)
    assert check_plan(loaded, result.plain) == []
    assert check_plan(loaded, result.plan) == []
    assert result.plain.summary.monthly_cost == 200
    assert result.plan.summary.monthly_cost == 300
    assert result.plan.status is Status.OPTIMAL
    assert result.proven
    assert result.cost_line() == "resilience costs +100.00/month (+50.0 %)"
    assert any(
        "planned to survive every single server failure" in n for n in result.plan.stats.notes
    )
    # The proof is the same check, run again here from scratch.
    again = check_resilience(loaded, result.plan, Level.SERVER, FAST)
    assert again.survivable and len(again.results) == 3


SPARE_INSTALLED = scenario(
    "sites:\n  dc: {racks: 1, servers: {box: 2}, expand: {box: 1}}",
    vnfs("amf: {flavor: {vcpu: 1, memory_gib: 8}, forms: [vm], replicas: 2, anti_affinity: host}"),
)
"""2 anti-affine amf, 2 installed boxes and 1 to buy. A failed amf needs a third host that is
there during the outage: an empty installed box is, an empty bought one does not exist (a plan
cannot buy a server for nothing). So the survivable plan runs amf on one installed box and the
bought one, keeping the other installed box empty: 2 boxes, 200, the plain plan's cost."""


def test_survive_keeps_an_installed_box_spare_and_buys_the_other() -> None:
    loaded = parse(SPARE_INSTALLED)
    result = plan_survivable(loaded, Level.SERVER, SolveOptions(time_limit_s=10, workers=1), FAST)
    assert result.proven and result.plan.status is Status.OPTIMAL
    assert check_plan(loaded, result.plan) == []
    assert result.plan.summary.monthly_cost == 200 == result.plain.summary.monthly_cost
    assert [s.bought for s in result.plan.servers] == [False, True]


def test_survive_says_so_when_no_plan_can_survive() -> None:
    loaded = parse(RULE_BLOCKED)
    result = plan_survivable(loaded, Level.SERVER, SolveOptions(time_limit_s=10, workers=1), FAST)
    # amf needs a third host to restart on; there are 2, and nothing to buy.
    assert result.plan.status is Status.INFEASIBLE
    assert result.exit_code == 3
    assert check_plan(loaded, result.plan) == []
    assert "no plan survives every single server failure" in result.plan.explanation[0]


# --- the command line -----------------------------------------------------------------------


def planned(tmp_path: Path, text: str) -> tuple[Path, Path]:
    site = write_file(tmp_path, "site.yaml", text)
    plan_file = tmp_path / "plan.yaml"
    write_plan(solve_and_check(parse(text), time_limit_s=10), plan_file)
    return site, plan_file


def test_cli_exit_codes_and_formats(tmp_path: Path) -> None:
    site, plan_file = planned(tmp_path, SPARE)
    ok = run_cli("resilience", site, plan_file, "--time-limit", "5", "--workers", "1")
    assert ok.exit_code == 0, ok.output
    assert "every single server failure is survivable (1 checked)" in ok.stdout
    assert "worst case: server dc/box/1, 3 instances restarted in 45 s" in ok.stdout
    site, plan_file = planned(tmp_path, SHORT)
    bad = run_cli("resilience", site, plan_file, "--format", "json", "--time-limit", "5")
    assert bad.exit_code == 6, bad.output
    data = json.loads(bad.stdout)
    assert data["survivable"] is False and data["exit_code"] == 6
    assert {f["outcome"] for f in data["failures"]} == {"not survivable"}
    markdown = run_cli("resilience", site, plan_file, "--format", "markdown", "--time-limit", "5")
    assert markdown.exit_code == 6
    assert "| failure | instances hit | survivable | recovery | detail |" in markdown.stdout


def test_cli_solve_survive_writes_a_plan_that_passes_resilience(tmp_path: Path) -> None:
    site = write_file(tmp_path, "site.yaml", BUY)
    out = tmp_path / "plan.yaml"
    args = ("--time-limit", "10", "--workers", "1")
    solved = run_cli("solve", site, "-o", out, "--survive", "server", *args)
    assert solved.exit_code == 0, solved.output
    assert "resilience costs +100.00/month (+50.0 %)" in solved.stdout
    plan = read_plan(out)
    assert check_plan(parse(BUY), plan) == []
    assert any("planned to survive" in note for note in plan.stats.notes)
    checked = run_cli("resilience", site, out, *args)
    assert checked.exit_code == 0, checked.output


def test_cli_bad_input(tmp_path: Path) -> None:
    site, plan_file = planned(tmp_path, SPARE)
    other = write_file(tmp_path, "other.yaml", SPARE.replace("name: t", "name: other"))
    wrong = run_cli("resilience", other, plan_file)
    assert wrong.exit_code == 2
    assert f"{plan_file}:2:11: scenario:" in wrong.stderr  # `scenario: t` on line 2
    assert "'other'" in wrong.stderr and "Traceback" not in wrong.output
    level = run_cli("resilience", site, plan_file, "--level", "rack")
    assert level.exit_code == 2
    missing = run_cli("resilience", site, tmp_path / "nope.yaml")
    assert missing.exit_code == 2 and "nope.yaml" in missing.stderr
    broken = read_plan(plan_file)
    moved = [replace(p, server="dc/box/2") for p in broken.placements]
    write_plan(replace(broken, placements=moved), plan_file)  # usage no longer matches
    violations = run_cli("resilience", site, plan_file)
    assert violations.exit_code == 5
    # No rule is broken, the figures are stale: refresh them first.
    assert "stale figures: recompute them first (nfvplan refresh" in violations.stderr


# --- a property: the verdict agrees with counting whole instances ---------------------------


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    vcpu=st.integers(1, 8),
    replicas=st.integers(1, 6),
    boxes=st.integers(1, 3),
)
def test_single_vnf_verdict_counts_whole_instances(vcpu: int, replicas: int, boxes: int) -> None:
    """One VNF, no other rule: a failure is survivable exactly when the surviving boxes have
    room for as many whole instances as it hits (sum of floor(free / vcpu))."""
    per_box = 8 // vcpu
    if replicas > boxes * per_box:
        return  # no plan at all
    text = scenario(
        f"sites:\n  dc: {{racks: 1, servers: {{box: {boxes}}}}}",
        vnfs(f"fw: {{flavor: {{vcpu: {vcpu}, memory_gib: 1}}, forms: [vm], replicas: {replicas}}}"),
    )
    plan, report = check(text)
    free = {f"dc/box/{n}": 8.0 for n in range(1, boxes + 1)}
    for server in plan.servers:
        free[server.id] -= server.used["threads"]
    for result in report.results:
        failure: Failure = result.failure
        room = sum(int(f // vcpu) for sid, f in free.items() if sid not in failure.servers)
        expected = Outcome.SURVIVABLE if room >= len(result.hit) else Outcome.NOT_SURVIVABLE
        assert result.outcome is expected, (failure.label, room, len(result.hit))
