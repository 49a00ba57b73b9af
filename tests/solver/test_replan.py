"""Migration-aware re-planning: `solve --current`, move costs, pins and the rollout order.

The story of most cases: two `fw` VMs of 4 vCPU ran on two 8-thread servers (100 a month each)
because of host anti-affinity; the rule is relaxed, so both fit on one server. Moving one of
them saves 100 a month for one move, so a move cost below 100 moves it and one above keeps both.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from nfvplan.check import check_plan
from nfvplan.io import read_plan, write_plan
from nfvplan.migration import plan_migration
from nfvplan.model import Scenario
from nfvplan.plan import Placement, Plan, Status, Summary
from nfvplan.solver import SolveOptions, solve
from tests.helpers import NO_OVERHEAD, parse, run_cli, scenario_yaml, solve_and_check

SERVERS = """
server_types:
  box: {cores: 8, threads_per_core: 1, memory_gib: 64, disk_gib: 100, nic_gbps: 10,
        sriov_vfs: 0, numa_nodes: 1, monthly_cost: 100}
sites:
  dc: {racks: 1, servers: {box: 3}}
"""
SPREAD = scenario_yaml(
    NO_OVERHEAD,
    SERVERS,
    """
    vnfs:
      fw: {flavor: {vcpu: 4, memory_gib: 8}, forms: [vm], replicas: 2, anti_affinity: host}
    """,
    name="relax",
)
RELAXED = SPREAD.replace(", anti_affinity: host", "")


def replan(scenario: Scenario, current: Plan, **options: object) -> Plan:
    """Solve from `current`, and check the new plan with the independent checker."""
    plan = solve(scenario, SolveOptions(time_limit_s=10, workers=1, current=current, **options))
    assert check_plan(scenario, plan) == []
    return plan


@pytest.fixture(scope="module")
def spread() -> Plan:
    plan = solve_and_check(SPREAD)
    # Two servers, one fw each: 200 a month.
    assert plan.summary.monthly_cost == 200
    return plan


@pytest.mark.parametrize(
    ("move_cost", "cost", "moved"),
    [
        (0.0, 100, 1),  # the cheapest plan, with one move rather than two (fewest among equals)
        (50.0, 100, 1),  # saving 100 > charge 50: move
        (150.0, 200, 0),  # saving 100 < charge 150: stay
    ],
)
def test_move_cost_threshold_flips_the_decision(
    spread: Plan, move_cost: float, cost: float, moved: int
) -> None:
    plan = replan(parse(RELAXED), spread, move_cost=move_cost)
    assert plan.status is Status.OPTIMAL
    assert plan.summary.monthly_cost == cost
    assert plan.migration is not None
    assert plan.migration.moved == moved
    assert plan.migration.kept == 2 - moved
    assert plan.migration.saving == 200 - cost


def test_max_moves_zero_keeps_the_deployment(spread: Plan) -> None:
    plan = replan(parse(RELAXED), spread, max_moves=0)
    # Nothing may move, so both servers stay in use: 200.
    assert plan.summary.monthly_cost == 200
    assert {(p.instance, p.server) for p in plan.placements} == {
        (p.instance, p.server) for p in spread.placements
    }


def test_kept_instances_keep_their_names_and_the_moved_one_takes_its_own(spread: Plan) -> None:
    plan = replan(parse(RELAXED), spread)
    before = {p.instance: p.server for p in spread.placements}
    after = {p.instance: p.server for p in plan.placements}
    assert set(after) == set(before) == {"fw-1", "fw-2"}
    assert sum(before[name] == after[name] for name in after) == 1
    assert plan.migration is not None
    [step] = plan.migration.steps
    assert step.action == "move"
    assert step.source == before[step.instance]
    assert step.target == after[step.instance]


def test_keep_current_moves_only_what_a_failed_server_held(spread: Plan) -> None:
    failed_server = spread.placements[0].server
    scenario = replace(parse(SPREAD), out_of_service=frozenset({failed_server}))
    plan = replan(scenario, spread, keep_current=True)
    # The survivor stays; the failed one's instance goes to the third server (anti-affinity).
    survivor = spread.placements[1]
    assert (survivor.instance, survivor.server) in {(p.instance, p.server) for p in plan.placements}
    assert failed_server not in {p.server for p in plan.placements}
    assert plan.summary.monthly_cost == 200
    assert plan.migration is not None and plan.migration.moved == 1


def test_growth_adds_instances_with_fresh_names(spread: Plan) -> None:
    grown = parse(SPREAD.replace("replicas: 2", "replicas: 3"))
    plan = replan(grown, spread)
    assert plan.migration is not None
    assert (plan.migration.kept, plan.migration.moved, plan.migration.added) == (2, 0, 1)
    assert sorted(p.instance for p in plan.placements) == ["fw-1", "fw-2", "fw-3"]
    # Three servers with anti-affinity: 300.
    assert plan.summary.monthly_cost == 300


# --- the rollout order -------------------------------------------------------------------------

BIG = scenario_yaml(
    NO_OVERHEAD,
    """
    server_types:
      box: {cores: 8, threads_per_core: 1, memory_gib: 64, disk_gib: 100, nic_gbps: 10,
            sriov_vfs: 0, numa_nodes: 1, monthly_cost: 100}
    sites:
      dc: {racks: 1, servers: {box: SERVERS}}
    vnfs:
      a: {flavor: {vcpu: 6, memory_gib: 8}, forms: [vm], replicas: 1}
      b: {flavor: {vcpu: 6, memory_gib: 8}, forms: [vm], replicas: 1}
    """,
)


def _plan(placements: list[Placement], cost: float) -> Plan:
    return Plan("t", Status.FEASIBLE, None, Summary(monthly_cost=cost), placements=placements)  # type: ignore[arg-type]


def _swap(servers: int) -> tuple[Scenario, Plan, Plan]:
    """a on server 1 and b on server 2 trade places; each server holds only one (6 of 8)."""
    scenario = parse(BIG.replace("SERVERS", str(servers)))
    before = _plan(
        [Placement("a", "a-1", "dc/box/1", "vm"), Placement("b", "b-1", "dc/box/2", "vm")], 200
    )
    after = _plan(
        [Placement("a", "a-1", "dc/box/2", "vm"), Placement("b", "b-1", "dc/box/1", "vm")], 200
    )
    return scenario, before, after


def test_a_swap_parks_one_instance_on_an_idle_server() -> None:
    migration = plan_migration(*_swap(servers=3))
    # a-1 cannot go to server 2 while b-1 is there, nor b-1 to 1: a-1 waits on server 3.
    route = [(s.instance, s.source, s.target) for s in migration.steps]
    assert route == [
        ("a-1", "dc/box/1", "dc/box/3"),
        ("b-1", "dc/box/2", "dc/box/1"),
        ("a-1", "dc/box/3", "dc/box/2"),
    ]
    assert "spare" in migration.steps[0].note
    assert not migration.needs_spare


def test_a_swap_without_an_idle_server_says_it_needs_a_spare() -> None:
    migration = plan_migration(*_swap(servers=2))
    assert migration.needs_spare
    assert all("needs a spare" in step.note for step in migration.steps)


def test_removals_come_first_and_free_room_for_a_move() -> None:
    scenario = parse(BIG.replace("SERVERS", "2"))
    before = _plan(
        [Placement("a", "a-1", "dc/box/1", "vm"), Placement("b", "b-1", "dc/box/2", "vm")], 200
    )
    after = _plan([Placement("a", "a-1", "dc/box/2", "vm")], 100)
    migration = plan_migration(scenario, before, after)
    assert [(s.action, s.instance) for s in migration.steps] == [("remove", "b-1"), ("move", "a-1")]
    assert not migration.needs_spare
    assert migration.saving == 100
    assert migration.saving_per_move == 100


# --- the command line ----------------------------------------------------------------------------


def test_cli_replans_and_writes_the_migration(tmp_path: Path) -> None:
    spread_file = tmp_path / "spread.yaml"
    spread_file.write_text(SPREAD)
    relaxed_file = tmp_path / "relaxed.yaml"
    relaxed_file.write_text(RELAXED)
    current = tmp_path / "current.yaml"
    assert run_cli("solve", spread_file, "-o", current, "--quiet").exit_code == 0
    new = tmp_path / "new.yaml"
    result = run_cli("solve", relaxed_file, "--current", current, "--move-cost", "50", "-o", new)
    assert result.exit_code == 0, result.output
    assert "1 kept, 1 moved" in result.stdout
    assert "saves 100.00 (100.00 per move)" in result.stdout
    plan = read_plan(new)
    assert plan.migration is not None and plan.migration.moved == 1
    assert run_cli("check", relaxed_file, new).exit_code == 0
    # The migration section survives a round trip through the plan file.
    again = tmp_path / "again.yaml"
    write_plan(plan, again)
    assert read_plan(again) == plan


def test_cli_refuses_a_plan_of_another_scenario(tmp_path: Path, spread: Plan) -> None:
    other = tmp_path / "other.yaml"
    write_plan(replace(spread, scenario="elsewhere"), other)
    site = tmp_path / "site.yaml"
    site.write_text(RELAXED)
    result = run_cli("solve", site, "--current", other, "-o", tmp_path / "out.yaml")
    assert result.exit_code == 2
    assert "this plan is for scenario 'elsewhere', not 'relax'" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.yaml").exists()


def test_cli_refuses_unknown_servers_and_vnfs_in_the_current_plan(
    tmp_path: Path, spread: Plan
) -> None:
    broken = replace(
        spread,
        placements=[
            replace(spread.placements[0], server="dc/box/9"),
            replace(spread.placements[1], vnf="ghost"),
        ],
    )
    current = tmp_path / "current.yaml"
    write_plan(broken, current)
    site = tmp_path / "site.yaml"
    site.write_text(RELAXED)
    result = run_cli("solve", site, "--current", current)
    assert result.exit_code == 2
    assert "placements[0].server: no server 'dc/box/9'" in result.stderr
    assert "placements[1].vnf: unknown VNF 'ghost'" in result.stderr


def test_move_options_need_a_current_plan(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(RELAXED)
    result = run_cli("solve", site, "--move-cost", "5")
    assert result.exit_code == 2
    assert "need --current" in result.stderr
