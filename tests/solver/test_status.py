"""Tests of `nfvplan.solver.status.decide`, the one function that decides a solve's status.

The incumbents are built by hand on real problems (`build_problem` on small scenarios), so each
rule of the module docstring is met in isolation; the end-to-end cases run the real pipeline.
"""

from __future__ import annotations

from nfvplan.plan import Status
from nfvplan.solver import SolveOptions, solve
from nfvplan.solver.incumbent import Incumbent
from nfvplan.solver.problem import build_problem
from nfvplan.solver.status import decide, levels
from nfvplan.solver.stop import INTERRUPTED_NO_PLAN, INTERRUPTED_NOTE
from tests.helpers import parse, scenario_yaml, solve_and_check
from tests.scenarios import ROUTED_PAIR

PACKING = scenario_yaml(
    """
    platform: {cpu_overcommit: 1}
    server_types:
      box: {cores: 4, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
    sites:
      a: {servers: {box: 4}}
    vnfs:
      big: {flavor: {vcpu: 3, memory_gib: 4}, replicas: 2}
      small: {flavor: {vcpu: 1, memory_gib: 4}, replicas: 2}
    """
)
"""A 3-thread and a 1-thread instance fill a 4-thread box: two boxes, cost 200, by hand."""

TRAFFIC = scenario_yaml(ROUTED_PAIR)


def _decide(text: str, incumbent: Incumbent, interrupted: bool = False):
    scenario = parse(text)
    problem = build_problem(scenario, scenario.objective)
    return problem, *decide(problem, incumbent, interrupted=interrupted, time_limit_s=10, workers=1)


def test_a_plan_meeting_its_bound_is_optimal_and_the_search_does_not_run() -> None:
    """Tests that when the configuration bound meets the start plan (no routing, cost), the
    pipeline skips the search and reports optimal: 4 instances, 3+1 threads per 4-thread box,
    so two boxes (200) by hand, and the LP proves 200."""
    phases: dict[str, float] = {}
    scenario = parse(PACKING)
    plan = solve(scenario, SolveOptions(time_limit_s=20, workers=1, phases=phases))
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == 200.0 and plan.objective.bound == 200.0
    assert "search" not in phases
    assert list(phases) == ["build", "start", "bound", "qualify", "plan", "check"]


def test_first_level_proven_but_lower_levels_open_is_feasible_and_named() -> None:
    """Tests that a plan whose cost meets the bound while the search did not prove the levels
    below (a traffic-sized VNF: instances beyond need; routing: link traffic) is `feasible`,
    and the note names the open levels."""
    problem, decided, reasons = _decide(TRAFFIC, Incumbent(value=20000, bound=20000))
    assert levels(problem) == ["monthly cost", "instances beyond need", "link traffic"]
    assert decided.status is Status.FEASIBLE and reasons == []
    note = " ".join(decided.notes)
    assert "monthly cost is proven optimal" in note
    assert "instances beyond need, link traffic" in note


def test_a_search_proof_makes_the_plan_optimal() -> None:
    """Tests that a plan the search proved on every level is optimal, bound kept."""
    _problem, decided, _ = _decide(TRAFFIC, Incumbent(value=20000, bound=20000, proven=True))
    assert decided.status is Status.OPTIMAL and decided.notes == []


def test_an_interrupted_plan_is_feasible_and_noted_and_no_plan_says_interrupted() -> None:
    """Tests the two interrupted outcomes: a proven plan is still only `feasible` (with the
    note), and no plan is `unknown` with the interrupted reason, not the time limit's."""
    _p, decided, _ = _decide(
        PACKING, Incumbent(value=20000, bound=20000, proven=True), interrupted=True
    )
    assert decided.status is Status.FEASIBLE and INTERRUPTED_NOTE in decided.notes
    _p, none, reasons = _decide(PACKING, Incumbent(), interrupted=True)
    assert none.status is Status.UNKNOWN and reasons == [INTERRUPTED_NO_PLAN]


def test_no_plan_in_time_is_unknown_and_a_proof_of_none_is_infeasible() -> None:
    """Tests that an incumbent without a plan is `unknown` (time limit) unless the search
    proved there is none (`infeasible`, over an unrestricted problem)."""
    _p, none, reasons = _decide(PACKING, Incumbent())
    assert none.status is Status.UNKNOWN and "time limit of 10 s" in reasons[0]
    _p, proved, reasons = _decide(PACKING, Incumbent(infeasible=True))
    assert proved.status is Status.INFEASIBLE and reasons == []


def test_the_examples_status_reports_what_is_proven() -> None:
    """Tests the issue's case on a real solve: a `feasible` plan whose value equals its bound
    always carries a note saying which level is open (never an empty note list)."""
    plan = solve_and_check(TRAFFIC, time_limit_s=20)
    if plan.status is Status.FEASIBLE and plan.objective.value == plan.objective.bound:
        assert any("proven optimal" in note for note in plan.stats.notes)
    else:
        assert plan.status is Status.OPTIMAL


def test_the_search_names_exactly_the_levels_its_bound_leaves_open() -> None:
    """Tests `Objective.open_levels` on the packed objective of a routed model (levels: cost,
    instances beyond need, link traffic): a bound equal on the first two digits leaves only
    link traffic open, one lower on the second digit leaves both lower levels, an equal bound
    none; and the status note then names only the open ones."""
    from nfvplan.solver.assignment import AssignmentModel

    scenario = parse(TRAFFIC)
    model = AssignmentModel(build_problem(scenario, scenario.objective))
    names = [name for name, _w, _l in model.objective.levels]
    assert names == ["monthly cost", "instances beyond need", "link traffic"]

    def packed(*digits: int) -> int:
        return sum(d * w for d, (_n, w, _l) in zip(digits, model.objective.levels, strict=True))

    value = packed(20000, 2, 3)
    assert model.objective.open_levels(value, packed(20000, 2, 1)) == ["link traffic"]
    assert model.objective.open_levels(value, packed(20000, 1, 3)) == names[1:]
    assert model.objective.open_levels(value, value) == []
    _p, decided, _ = _decide(
        TRAFFIC, Incumbent(value=20000, bound=20000, open_levels=["link traffic"])
    )
    note = " ".join(decided.notes)
    assert "(link traffic)" in note and "instances beyond need" not in note
