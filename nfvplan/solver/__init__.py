"""Scenario → plan. The only package that imports OR-Tools; nothing of it leaves here.

`solve()` is the one entry point: it builds the solver's view of the scenario, runs cheap
infeasibility checks, hands the problem to a formulation (`AssignmentFormulation` today; any
object with the `Formulation` protocol can replace it) and turns the outcome into a `Plan`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from nfvplan.model import Objective, Scenario
from nfvplan.plan import Plan, Status
from nfvplan.solver.assignment import AssignmentFormulation
from nfvplan.solver.explain import cheap_checks, explain_conflict
from nfvplan.solver.problem import build_problem
from nfvplan.solver.result import build_plan
from nfvplan.solver.solution import Formulation, Progress, ProgressCallback, RunLimits, Solution

__all__ = ["Progress", "SolveOptions", "solve"]


@dataclass(frozen=True)
class SolveOptions:
    """Overrides of the scenario's `solver:` block and `objective`; None keeps the file's."""

    time_limit_s: float | None = None
    workers: int | None = None
    seed: int | None = None
    objective: Objective | None = None
    progress: ProgressCallback | None = None
    explain: bool = True


def solve(
    scenario: Scenario,
    options: SolveOptions | None = None,
    formulation: Formulation | None = None,
) -> Plan:
    """Find the best plan for `scenario`, or say why there is none.

    Deterministic: the same scenario, seed and worker count give the same plan.
    """
    options = options or SolveOptions()
    settings = scenario.solver
    limits = RunLimits(
        time_limit_s=options.time_limit_s or settings.time_limit_s,
        workers=options.workers or settings.workers,
        seed=settings.seed if options.seed is None else options.seed,
        progress=options.progress,
    )
    objective = options.objective or scenario.objective
    formulation = formulation or AssignmentFormulation()
    problem = build_problem(scenario, objective)
    reasons = cheap_checks(problem)
    if reasons:
        solution = Solution(Status.INFEASIBLE)
    else:
        solution = formulation.solve(problem, limits)
        if solution.status is Status.INFEASIBLE:
            reasons = explain_conflict(scenario, problem, limits) if options.explain else []
        elif solution.status is Status.UNKNOWN:
            reasons = [
                f"no plan found within the time limit of {limits.time_limit_s:g} s "
                f"({limits.workers} workers); the scenario was not proven infeasible: "
                "allow more time (--time-limit) or more workers"
            ]
    plan = build_plan(problem, solution, formulation.name, limits.workers, limits.seed)
    if reasons or not solution.status.has_plan:
        plan = _with_explanation(plan, reasons or ["no plan exists for this scenario"])
    return plan


def _with_explanation(plan: Plan, reasons: list[str]) -> Plan:
    return replace(plan, explanation=reasons)
