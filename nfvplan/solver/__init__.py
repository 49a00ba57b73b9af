"""Scenario → plan. The only package that imports OR-Tools; nothing of it leaves here.

`solve()` is the one entry point: it builds the solver's view of the scenario, runs cheap
infeasibility checks, hands the problem to a formulation (`AssignmentFormulation` today; any
object with the `Formulation` protocol can replace it) and turns the outcome into a `Plan`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from nfvplan.model import Objective, Scenario
from nfvplan.plan import Plan, Status
from nfvplan.solver.solution import Formulation, Progress, ProgressCallback, RunLimits, Solution
from nfvplan.solver.stop import (
    INTERRUPTED_NO_PLAN,
    INTERRUPTED_NOTE,
    Stop,
    stop_requested,
    stopping,
)

if TYPE_CHECKING:
    from nfvplan.solver.problem import Problem

# OR-Tools and networkx are imported by `solve()` itself, not here: every command module can
# import `SolveOptions` and `solve` while `nfvplan --help` stays fast (benchmarks/startup.py).

__all__ = ["Progress", "SolveOptions", "Stop", "solve", "stopping"]


@dataclass(frozen=True)
class SolveOptions:
    """Overrides of the scenario's `solver:` block and `objective`; None keeps the file's."""

    time_limit_s: float | None = None
    workers: int | None = None
    seed: int | None = None
    objective: Objective | None = None
    progress: ProgressCallback | None = None
    explain: bool = True
    current: Plan | None = None
    """Re-plan from this deployment: placements that still fit stay unless moving them pays."""
    keep_current: bool = False
    """Every current instance whose server is still in service stays (failure recovery)."""
    move_cost: float = 0.0
    """Cost units charged per moved instance against the monthly saving; 0 = moves break ties."""
    max_moves: int | None = None
    """At most this many instances move."""


def solve(
    scenario: Scenario,
    options: SolveOptions | None = None,
    formulation: Formulation | None = None,
) -> Plan:
    """Find the best plan for `scenario`, or say why there is none.

    Deterministic when the search finishes before the time limit: the same scenario, seed and
    worker count give the same plan. Retries (wider path sets) share the one time limit.
    """
    from nfvplan.migration import plan_migration
    from nfvplan.solver.explain import cheap_checks, explain_conflict
    from nfvplan.solver.problem import (
        DEFAULT_K_PATHS,
        DEFAULT_PATH_CAP,
        attach_current,
        build_problem,
    )
    from nfvplan.solver.result import build_plan

    started = time.perf_counter()
    options = options or SolveOptions()
    settings = scenario.solver
    limits = RunLimits(
        time_limit_s=options.time_limit_s or settings.time_limit_s,
        workers=options.workers or settings.workers,
        seed=settings.seed if options.seed is None else options.seed,
        progress=options.progress,
    )
    objective = options.objective or scenario.objective

    def build(k_paths: int = DEFAULT_K_PATHS, path_cap: int = DEFAULT_PATH_CAP) -> Problem:
        problem = build_problem(scenario, objective, k_paths=k_paths, path_cap=path_cap)
        if options.current is not None:
            attach_current(
                problem,
                [(p.vnf, p.instance, p.server, p.form) for p in options.current.placements],
                keep=options.keep_current,
                move_cost=options.move_cost,
                max_moves=options.max_moves,
            )
        return problem

    problem = build()
    formulation = formulation or default_formulation(problem)
    reasons = cheap_checks(problem)
    if reasons:
        solution = Solution(Status.INFEASIBLE)
    else:
        solution = formulation.solve(problem, limits)
        problem, solution = _widen_paths(
            build, formulation, problem, solution, _Clock(limits, started)
        )
        if solution.status is Status.INFEASIBLE:
            reasons = explain_conflict(scenario, problem, limits) if options.explain else []
        elif solution.status is Status.UNKNOWN:
            reasons = [
                f"no plan found within the time limit of {limits.time_limit_s:g} s "
                f"({limits.workers} workers); the scenario was not proven infeasible: "
                "allow more time (--time-limit) or more workers"
            ]
        problem, solution = _qualify_restricted_optimum(
            build, formulation, problem, solution, _Clock(limits, started)
        )
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
    if stop_requested():
        solution, reasons = _interrupted(solution, reasons)
    if options.current is not None:
        solution = _replanning_outcome(solution, options, objective)
    plan = build_plan(problem, solution, formulation.name, limits.workers, limits.seed)
    if reasons or not solution.status.has_plan:
        plan = _with_explanation(plan, reasons or ["no plan exists for this scenario"])
    elif options.current is not None:
        plan = replace(plan, migration=plan_migration(scenario, options.current, plan))
    return plan


def _replanning_outcome(
    solution: Solution, options: SolveOptions, objective: Objective
) -> Solution:
    """Say what a re-plan optimised; keep the reported bound a bound on the monthly cost.

    With a move cost the search's bound is on cost plus move charges, which is no bound on
    the cost alone, so an unproven plan reports the configuration bound (which ignores moves).
    """
    rules = []
    if options.keep_current:
        rules.append("every current instance on a server still in service stays")
    if options.move_cost:
        rules.append(f"each moved instance is charged {options.move_cost:g} against the saving")
    else:
        rules.append("among the cheapest plans, the fewest moves")
    if options.max_moves is not None:
        rules.append(f"at most {options.max_moves} moves")
    notes = [*solution.notes, "re-planned from the current deployment: " + "; ".join(rules)]
    bound = solution.bound
    if options.move_cost and objective is Objective.COST and solution.status is Status.FEASIBLE:
        bound = solution.relaxation_bound
    return replace(solution, notes=notes, bound=bound)


def default_formulation(problem: Problem) -> Formulation:
    """The whole assignment model, or site by site for large scenarios without routing.

    A re-plan stays on the whole model: the site-by-site search knows nothing of moves or pins.
    """
    from nfvplan.solver.assignment import AssignmentFormulation
    from nfvplan.solver.sitewise import SitewiseFormulation, use_sitewise

    if problem.current is None and use_sitewise(problem):
        return SitewiseFormulation()
    return AssignmentFormulation()


WIDENING = ((9, 2000), (30, 8000))
MIN_RETRY_S = 1.0
"""A retry with a wider path set is only worth starting with at least this much time left."""


@dataclass(frozen=True)
class _Clock:
    """The one time limit of a solve, shared by its retries."""

    limits: RunLimits
    started: float

    def remaining(self) -> float:
        if stop_requested():  # interrupted: no retry is worth starting
            return 0.0
        return self.limits.time_limit_s - (time.perf_counter() - self.started)

    def rest(self) -> RunLimits:
        """The limits with the time still left."""
        return replace(self.limits, time_limit_s=max(0.1, self.remaining()))


"""Path-set sizes (k per leg, paths per demand) tried after the default when it may matter."""


def _paths_restricted(problem: Problem, solution: Solution) -> bool:
    """An infeasible outcome that the restricted path set, not the scenario, may have caused."""
    return (
        solution.status is Status.INFEASIBLE
        and problem.routing is not None
        and not problem.routing.exhaustive
    )


def _widen_paths(
    build: Callable[[int, int], Problem],
    formulation: Formulation,
    problem: Problem,
    solution: Solution,
    clock: _Clock,
) -> tuple[Problem, Solution]:
    """Retry with more candidate paths while infeasibility may come from leaving paths out."""
    for k_paths, path_cap in WIDENING:
        if not _paths_restricted(problem, solution) or clock.remaining() < MIN_RETRY_S:
            break
        wider = build(k_paths, path_cap)
        retry = formulation.solve(wider, clock.rest())
        if retry.status is Status.UNKNOWN:
            break  # out of time: keep the restricted outcome, reported honestly below
        problem, solution = wider, retry
    return problem, solution


def _qualify_restricted_optimum(
    build: Callable[[int, int], Problem],
    formulation: Formulation,
    problem: Problem,
    solution: Solution,
    clock: _Clock,
) -> tuple[Problem, Solution]:
    """An optimum over a restricted path set is only optimal among those paths.

    With time to spare the set is widened once (often that makes it exhaustive on small
    networks). If it stays restricted, the outcome is `feasible`, its bound the one that ignores
    routing, with a note saying what the optimum depends on.
    """
    if (
        solution.status is not Status.OPTIMAL
        or problem.routing is None
        or problem.routing.exhaustive
        or _meets_routing_free_bound(solution)
    ):
        return problem, solution
    if clock.remaining() > 2 * clock.limits.time_limit_s / 3:
        k_paths, path_cap = WIDENING[0]
        wider = build(k_paths, path_cap)
        retry = formulation.solve(wider, clock.rest())
        if retry.status is Status.OPTIMAL:  # optimal over a superset of the paths: no worse
            problem, solution = wider, retry
    routing = problem.routing
    if (
        solution.status is not Status.OPTIMAL
        or routing is None
        or routing.exhaustive
        or _meets_routing_free_bound(solution)
    ):
        return problem, solution
    note = (
        f"optimal among the {routing.k} shortest paths per chain leg (at most {routing.cap} "
        "chain paths per demand); longer paths were not tried, so the bound is the one that "
        "ignores routing"
    )
    qualified = replace(
        solution,
        status=Status.FEASIBLE,
        bound=solution.relaxation_bound,
        notes=[*solution.notes, note],
    )
    return problem, qualified


def _meets_routing_free_bound(solution: Solution) -> bool:
    """True when the bound that ignores routing proves the plan: no path could do better."""
    relaxed, value = solution.relaxation_bound, solution.value
    return relaxed is not None and value is not None and relaxed >= value - 1e-9


def _interrupted(solution: Solution, reasons: list[str]) -> tuple[Solution, list[str]]:
    """A solve stopped by `Stop`: a plan is only `feasible`, and no plan is no longer
    blamed on the time limit. A proven infeasibility stays proven."""
    if solution.status.has_plan:
        notes = [*solution.notes, INTERRUPTED_NOTE]
        return replace(solution, status=Status.FEASIBLE, notes=notes), reasons
    if solution.status is Status.UNKNOWN:
        return solution, [INTERRUPTED_NO_PLAN]
    return solution, reasons


def _with_explanation(plan: Plan, reasons: list[str]) -> Plan:
    return replace(plan, explanation=reasons)
