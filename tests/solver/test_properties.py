"""Property-based and differential tests: plans are valid, optima are optimal.

Random valid scenarios (tests/strategies.py) go through the real loader and the real solver:

- every plan `solve` returns passes the independent checker, and every status is coherent;
- on tiny scenarios (at most 5 fixed-replica instances on at most 4 servers, no services, so no
  routing; some servers out of service), an exhaustive search written for the tests
  (tests/bruteforce.py) confirms every `infeasible` and finds exactly the solver's `optimal`
  cost; its own best plan passes the checker too;
- metamorphic: renaming, reordering and an unused server type leave the optimal cost as it is;
  more capacity never raises it; a tighter latency budget never lowers it. Costs are compared
  only when both runs are `optimal`; a proven `infeasible` on the roomier side must not have a
  plan on the tighter one.

The `ci` hypothesis profile (tests/conftest.py) runs a few hundred examples, derandomized; the
tests marked `slow` run only with `-m slow`, meant with HYPOTHESIS_PROFILE=slow (docs/testing.md).
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from nfvplan.check import check_plan
from nfvplan.model import Scenario
from nfvplan.plan import Plan, Status
from nfvplan.solver import SolveOptions, solve
from tests.bruteforce import brute_force
from tests.reference import inventory, placements_plan
from tests.strategies import (
    Doc,
    renamed,
    reordered,
    scenario_docs,
    with_more_capacity,
    with_tighter_latency,
    with_unused_type,
)

TIME_LIMIT_S = 10.0
"""Generous for scenarios that solve in a fraction of a second: a limit hit is a finding."""


def _solve(scenario: Scenario) -> Plan:
    """Solve with one worker, check the plan, and check that its status is coherent."""
    plan = solve(scenario, SolveOptions(time_limit_s=TIME_LIMIT_S, workers=1))
    note(f"status {plan.status.value}, objective {plan.objective}, notes {plan.stats.notes}")
    violations = check_plan(scenario, plan)
    assert violations == [], "\n".join(str(v) for v in violations)
    _assert_coherent(plan)
    return plan


def _assert_coherent(plan: Plan) -> None:
    """What each status promises (docs/format.md, section 3 and Decisions)."""
    if plan.status.has_plan:
        assert plan.explanation is None
        value, bound = plan.objective.value, plan.objective.bound
        assert value is not None and bound is not None
        assert bound <= value + 1e-6 * max(1.0, abs(value)), "a bound above the plan's value"
        if plan.status is Status.OPTIMAL:
            assert math.isclose(bound, value, rel_tol=1e-6, abs_tol=1e-6)
            assert plan.objective.gap is not None and plan.objective.gap <= 1e-6
        assert plan.summary.instances == len(plan.placements) > 0
    else:
        assert plan.explanation, f"{plan.status.value} without an explanation"
        assert all(isinstance(line, str) and line.strip() for line in plan.explanation)
        assert not plan.placements and not plan.servers and not plan.routes


def _cost(plan: Plan) -> float:
    assert plan.objective.name == "cost"
    assert plan.objective.value is not None
    return plan.objective.value


# --- every plan holds -------------------------------------------------------------------------


def _plan_holds(doc: Doc) -> None:
    note(doc.yaml())
    _solve(doc.scenario())


@settings(max_examples=120)
@given(scenario_docs())
def test_every_plan_passes_the_checker_and_every_status_is_coherent(doc: Doc) -> None:
    _plan_holds(doc)


@pytest.mark.slow
@given(scenario_docs(large=True))
def test_every_plan_holds_on_larger_scenarios(doc: Doc) -> None:
    """The main property on up to 6 sites, 5 VNFs and 12 fixed instances (slow job only)."""
    _plan_holds(doc)


# --- the solver against brute force -----------------------------------------------------------


@st.composite
def tiny_scenarios(draw: st.DrawFn) -> tuple[Doc, Scenario]:
    """A tiny scenario, with some of its servers out of service (failed or drained)."""
    doc = draw(scenario_docs(tiny=True))
    scenario = doc.scenario()
    ids = [s.id for s in inventory(scenario)]
    failed = draw(st.lists(st.sampled_from(ids), unique=True, max_size=2)) if ids else []
    return doc, replace(scenario, out_of_service=frozenset(failed))


def _matches_brute_force(doc: Doc, scenario: Scenario) -> None:
    note(doc.yaml())
    note(f"out of service: {sorted(scenario.out_of_service)}")
    plan = _solve(scenario)
    best = brute_force(scenario)
    if best is None:
        assert plan.status is Status.INFEASIBLE, f"{plan.status.value}, brute force finds no plan"
        return
    # The brute force's own optimum is a plan too: the checker must accept it.
    reference = placements_plan(scenario, best.placements)
    assert check_plan(scenario, reference) == [], check_plan(scenario, reference)
    assert plan.status is Status.OPTIMAL, f"{plan.status.value}, brute force finds {best.cost}"
    assert math.isclose(_cost(plan), best.cost, abs_tol=1e-6), (
        f"solver's optimum {_cost(plan)} != brute force {best.cost} ({best.placements})"
    )


@settings(max_examples=150)
@given(tiny_scenarios())
def test_tiny_scenarios_solver_optimum_equals_brute_force(case: tuple[Doc, Scenario]) -> None:
    _matches_brute_force(*case)


@pytest.mark.slow
@given(tiny_scenarios())
def test_tiny_scenarios_brute_force_many(case: tuple[Doc, Scenario]) -> None:
    """The brute-force comparison at the slow profile's example count (slow job only)."""
    _matches_brute_force(*case)


# --- metamorphic relations --------------------------------------------------------------------


def _pair(base: Doc, variant: Doc) -> tuple[Plan, Plan]:
    note(base.yaml())
    note("variant: " + "; ".join(variant.notes) + "\n" + variant.yaml())
    return _solve(base.scenario()), _solve(variant.scenario())


def _same_optimum(base: Doc, variant: Doc) -> None:
    first, second = _pair(base, variant)
    if first.status is Status.OPTIMAL and second.status is Status.OPTIMAL:
        assert math.isclose(_cost(first), _cost(second), abs_tol=1e-6)
    # A proven answer on one side may not be contradicted by a proven one on the other.
    proven = {Status.OPTIMAL, Status.INFEASIBLE}
    if first.status in proven and second.status in proven:
        assert first.status is second.status


def _not_worse(roomy: Plan, tight: Plan) -> None:
    """`roomy`'s scenario allows every plan of `tight`'s, and maybe more."""
    if roomy.status is Status.OPTIMAL and tight.status is Status.OPTIMAL:
        assert _cost(roomy) <= _cost(tight) + 1e-6
    if roomy.status is Status.INFEASIBLE:
        assert not tight.status.has_plan, "a plan in a scenario with less room"


COST_DOCS = scenario_docs(objective="cost")


@settings(max_examples=30)
@given(COST_DOCS)
def test_renaming_everything_keeps_the_optimal_cost(doc: Doc) -> None:
    _same_optimum(doc, renamed(doc))


@settings(max_examples=30)
@given(COST_DOCS, st.randoms(use_true_random=False))
def test_reordering_every_list_and_mapping_keeps_the_optimal_cost(
    doc: Doc, rnd: random.Random
) -> None:
    _same_optimum(doc, reordered(doc, rnd))


@settings(max_examples=20)
@given(COST_DOCS)
def test_an_unused_server_type_keeps_the_optimal_cost(doc: Doc) -> None:
    _same_optimum(doc, with_unused_type(doc))


@settings(max_examples=30)
@given(COST_DOCS, st.randoms(use_true_random=False))
def test_more_capacity_never_raises_the_optimal_cost(doc: Doc, rnd: random.Random) -> None:
    base, bigger = _pair(doc, with_more_capacity(doc, rnd))
    _not_worse(bigger, base)


@settings(max_examples=30)
@given(scenario_docs(objective="cost", services=True), st.randoms(use_true_random=False))
def test_a_tighter_latency_budget_never_lowers_the_optimal_cost(
    doc: Doc, rnd: random.Random
) -> None:
    base, tighter = _pair(doc, with_tighter_latency(doc, rnd))
    _not_worse(base, tighter)
