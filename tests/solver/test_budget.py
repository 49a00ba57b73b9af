"""Tests of the one time budget (`solver/budget.py`) and of stops in every phase, by outcome.

No test asserts wall time: a phase's deadline and a user's stop are checked by what the solve
returns (a plan marked interrupted, or the honest "no plan" reason) and by what the budget says.
"""

from __future__ import annotations

import threading
import time

import pytest

from nfvplan.network import PathCache, build_graph
from nfvplan.plan import Status
from nfvplan.solver import SolveOptions, Stop, solve, stopping
from nfvplan.solver.assignment import AssignmentModel
from nfvplan.solver.budget import Budget
from nfvplan.solver.incumbent import Progress
from nfvplan.solver.problem import build_problem
from nfvplan.solver.routing import build_routing
from nfvplan.solver.stop import INTERRUPTED_NO_PLAN, INTERRUPTED_NOTE, Stopped, stop_requested
from tests.helpers import parse, scenario_yaml
from tests.scenarios import ROUTED_PAIR

PACKING = scenario_yaml(
    """
    platform: {cpu_overcommit: 1}
    server_types:
      box: {cores: 8, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
    sites:
      a: {servers: {box: 12}}
    vnfs:
      v1: {flavor: {vcpu: 3, memory_gib: 5}, replicas: 7}
      v2: {flavor: {vcpu: 5, memory_gib: 3}, replicas: 5}
      v3: {flavor: {vcpu: 2, memory_gib: 9}, replicas: 6, anti_affinity: host}
    """
)


def test_a_phase_is_stopped_at_its_deadline_and_the_caller_is_not() -> None:
    """Tests that inside `Budget.phase(name, seconds)` the stop is requested once its seconds
    are over, that outside it nothing is stopped, and that the phase's time is recorded."""
    budget = Budget(60.0)
    with budget.phase("short", 0.05):
        stopped = threading.Event()
        for _ in range(200):  # up to 10 s on a loaded machine; ends as soon as it is stopped
            if stop_requested():
                stopped.set()
                break
            time.sleep(0.05)
    assert stopped.is_set()
    assert not stop_requested()
    assert budget.phases["short"] > 0


def test_the_budget_counts_from_its_start_and_shares_never_exceed_what_is_left() -> None:
    """Tests `share`: a fraction of the whole limit, capped by the time left (none once the
    limit has passed)."""
    budget = Budget(10.0)
    assert budget.share(0.4) == 4.0
    late = Budget(10.0, started=time.perf_counter() - 9.5)
    assert 0 < late.share(0.4) <= 0.5
    assert Budget(1.0, started=time.perf_counter() - 5).share(0.4) == 0.0


def test_a_stop_requested_when_the_first_plan_is_reported_keeps_that_plan() -> None:
    """Tests Ctrl-C right after the start stage (the progress report of the greedy plan,
    before the bound and the search): the solve returns that plan, `feasible`, noted."""
    stop = Stop()
    seen: list[Progress] = []

    def progress(report: Progress) -> None:
        seen.append(report)
        stop.request()

    with stopping(stop):
        plan = solve(parse(PACKING), SolveOptions(time_limit_s=60, workers=1, progress=progress))
    assert seen
    assert plan.status is Status.FEASIBLE
    assert INTERRUPTED_NOTE in plan.stats.notes
    assert plan.objective.value == seen[0].value


def test_a_stop_requested_before_the_build_ends_the_solve_without_a_plan() -> None:
    """Tests a stop that is already requested when solve() starts (Ctrl-C during loading):
    building the problem obeys it, and the outcome says interrupted, not the time limit."""
    stop = Stop()
    stop.request()
    with stopping(stop):
        plan = solve(parse(PACKING), SolveOptions(time_limit_s=60, workers=1))
    assert plan.status is Status.UNKNOWN
    assert plan.explanation == [INTERRUPTED_NO_PLAN]


def test_a_stop_from_another_thread_during_the_search_keeps_the_best_plan() -> None:
    """Tests a library caller stopping a solve from a thread once a plan was reported: the
    solve returns a plan marked interrupted (whatever phase the stop lands in)."""
    stop = Stop()
    reported = threading.Event()

    def stopper() -> None:
        reported.wait(60)
        stop.request()

    thread = threading.Thread(target=stopper)
    thread.start()
    with stopping(stop):
        plan = solve(
            parse(PACKING),
            SolveOptions(time_limit_s=60, workers=1, progress=lambda _p: reported.set()),
        )
    thread.join()
    assert plan.status is Status.FEASIBLE or plan.status is Status.OPTIMAL
    if stop.is_set() and plan.status is Status.FEASIBLE:
        assert INTERRUPTED_NOTE in plan.stats.notes


def test_the_phases_of_a_solve_are_reported_and_its_wall_time_covers_them() -> None:
    """Tests that `SolveOptions.phases` receives every stage that ran, that the plan's run
    statistics carry the same stages, and that its wall time (counted from the start of
    solve() to the end of its self-check) is at least their sum."""
    phases: dict[str, float] = {}
    plan = solve(parse(PACKING), SolveOptions(time_limit_s=20, workers=1, phases=phases))
    assert plan.status.has_plan
    assert list(phases)[:3] == ["build", "start", "bound"] and "check" in phases
    assert dict(plan.stats.phases) == phases
    assert plan.stats.wall_time_s >= sum(phases.values()) - 0.01
    assert plan.stats.first_plan_s is not None
    assert plan.stats.first_plan_s <= plan.stats.wall_time_s
    assert plan.stats.baseline is None  # no services: no routing-aware greedy ran


ROUTED = scenario_yaml(ROUTED_PAIR)


def test_path_enumeration_and_the_model_build_obey_a_stop() -> None:
    """Tests the two long builds one by one: with a stop requested, enumerating chain paths
    and building the assignment model both end with `Stopped` (their stage keeps what it had),
    and without one they complete."""
    scenario = parse(ROUTED)
    problem = build_problem(scenario, scenario.objective)
    cache = PathCache(build_graph(scenario))
    sites = {"upf": ["a", "b"]}
    assert build_routing(scenario, cache, sites, 3, 400).demands
    AssignmentModel(problem)
    stop = Stop()
    stop.request()
    with stopping(stop):
        with pytest.raises(Stopped):
            build_routing(scenario, PathCache(build_graph(scenario)), sites, 3, 400)
        with pytest.raises(Stopped):
            AssignmentModel(problem)


def test_the_run_statistics_name_the_routed_floor_and_the_bound() -> None:
    """Tests the figures `solve --stats` reports beyond the plan on ROUTED, whose optimum is
    known by hand: 15 Gbps through 10 Gbps UPFs needs 2 instances (no licence), and one box
    (8 vCPU, 64 GiB, 100 Gbps NIC) holds both (4 vCPU, 8 GiB, 30 Gbps in and out), so the
    optimum is one box, 100. The routing-aware greedy finds it too: the baseline is 100, the
    plan is never worse, and the reported bound says where it comes from."""
    phases: dict[str, float] = {}
    plan = solve(parse(ROUTED), SolveOptions(time_limit_s=20, workers=1, phases=phases))
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == 100
    assert plan.stats.baseline == 100
    assert list(phases)[:3] == ["build-light", "checks-light", "routed-start"]
    assert plan.stats.first_plan_s is not None
    assert plan.stats.first_plan_s <= plan.stats.wall_time_s
    assert plan.objective.bound == 100 and plan.stats.bound_source


def test_a_reserved_budget_shares_the_clock_and_ends_earlier() -> None:
    """Tests `Budget.reserved`: the same start, a deadline that many seconds earlier (never
    before the start), and the stages' times recorded in the one `phases`."""
    budget = Budget(10.0)
    inner = budget.reserved(3.0)
    assert inner.started == budget.started
    assert inner.deadline == budget.deadline - 3.0
    assert budget.reserved(30.0).deadline == budget.started
    with inner.phase("search"):
        pass
    assert "search" in budget.phases
