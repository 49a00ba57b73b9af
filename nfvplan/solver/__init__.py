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
from nfvplan.solver.problem import Problem, build_problem
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
        problem, solution = _widen_paths(
            scenario, objective, formulation, problem, solution, limits
        )
        if solution.status is Status.INFEASIBLE:
            reasons = explain_conflict(scenario, problem, limits) if options.explain else []
        elif solution.status is Status.UNKNOWN:
            reasons = [
                f"no plan found within the time limit of {limits.time_limit_s:g} s "
                f"({limits.workers} workers); the scenario was not proven infeasible: "
                "allow more time (--time-limit) or more workers"
            ]
        if _paths_restricted(problem, solution):
            routing = problem.routing
            assert routing is not None
            solution = replace(solution, status=Status.UNKNOWN)
            reasons = [
                f"no plan found with the {routing.k} shortest paths per chain leg and "
                f"{routing.cap} chain paths per demand; the scenario was not proven infeasible "
                "because longer paths were left out",
                *reasons,
            ]
    plan = build_plan(problem, solution, formulation.name, limits.workers, limits.seed)
    if reasons or not solution.status.has_plan:
        plan = _with_explanation(plan, reasons or ["no plan exists for this scenario"])
    return plan


WIDENING = ((9, 2000), (30, 8000))
"""Path-set sizes (k per leg, paths per demand) tried after the default when it may matter."""


def _paths_restricted(problem: Problem, solution: Solution) -> bool:
    """An infeasible outcome that the restricted path set, not the scenario, may have caused."""
    return (
        solution.status is Status.INFEASIBLE
        and problem.routing is not None
        and not problem.routing.exhaustive
    )


def _widen_paths(
    scenario: Scenario,
    objective: Objective,
    formulation: Formulation,
    problem: Problem,
    solution: Solution,
    limits: RunLimits,
) -> tuple[Problem, Solution]:
    """Retry with more candidate paths while infeasibility may come from leaving paths out."""
    for k_paths, path_cap in WIDENING:
        if not _paths_restricted(problem, solution):
            break
        problem = build_problem(scenario, objective, k_paths=k_paths, path_cap=path_cap)
        solution = formulation.solve(problem, limits)
    return problem, solution


def _with_explanation(plan: Plan, reasons: list[str]) -> Plan:
    return replace(plan, explanation=reasons)
