"""The shipped examples solved once per test run, for the tests that only read their plans.

Every example takes seconds to solve (5g-edge-topology up to its 30 s limit on a loaded
machine), and several modules asked the same solve again: the same file, its own time limit,
2 workers, seed 1. One solve, re-checked by the independent checker, now serves them all. Each
call returns a deep copy, so a test that edits its plan cannot change another test's.

This module is imported only as `tests.solved` (never as a bare `solved`), so there is one
cache even where a test imports `helpers` by its bare name.
"""

from __future__ import annotations

import copy
import functools

from nfvplan.io import load_scenario
from nfvplan.model import Scenario
from nfvplan.plan import Plan
from tests.helpers import solve_and_check
from tests.paths import EXAMPLES


@functools.cache
def _solved(name: str) -> tuple[Scenario, Plan]:
    scenario = load_scenario(EXAMPLES / f"{name}.yaml")
    settings = scenario.solver
    plan = solve_and_check(
        scenario, time_limit_s=settings.time_limit_s, workers=settings.workers, seed=settings.seed
    )
    return scenario, plan


def example_plan(name: str) -> tuple[Scenario, Plan]:
    """`examples/NAME.yaml` and its checked plan, solved with the file's own `solver:` settings
    (time limit, workers, seed); a fresh copy of the plan on every call."""
    scenario, plan = _solved(name)
    return scenario, copy.deepcopy(plan)
