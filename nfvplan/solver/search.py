"""The search stage: CP-SAT on the aggregated assignment model, from the incumbent's plan.

One search, two phases (docs/solver.md, "Determinism, then speed"): CP-SAT's deterministic
interleaved mode first, for a share of the time; when it ends without a proof and several
workers are there, the free-running portfolio continues from its best plan. The outcome
replaces the incumbent's plan only when the search found one; what it proved (optimal over its
model, or no plan at all) is recorded for `status.decide`.
"""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from nfvplan.solver.assignment import AssignmentModel
from nfvplan.solver.budget import (
    DETERMINISTIC_SHARE,
    MIN_SEARCH_S,
    STOP_RESERVE_SHARE,
    STOP_S_PER_BUILD_S,
    Budget,
    stop_at,
)
from nfvplan.solver.cpsat import make_solver
from nfvplan.solver.incumbent import Incumbent, Progress, RunLimits, natural
from nfvplan.solver.problem import Problem
from nfvplan.solver.routing_bound import NAME as ROUTING_NAME
from nfvplan.solver.stop import Stopped, stop_requested

FREE_NOTE = (
    "the deterministic search did not finish within its share of the time limit, so a "
    "free-running parallel search continued: plans stopped by a wall-clock limit may "
    "differ between runs"
)
STARTING_PLAN_NOTE = "the time limit ran out before the search improved the starting plan"


def search_model(
    problem: Problem, incumbent: Incumbent, budget: Budget, limits: RunLimits
) -> Incumbent:
    """CP-SAT on the whole model within the time left, from the incumbent's plan or hint.

    The search ends early by the time CP-SAT takes to stop on a model of this size
    (`STOP_S_PER_BUILD_S`), so that the solve's limit holds even when the stop lands in a
    long presolve step."""
    began = time.perf_counter()
    try:
        model = AssignmentModel(problem)
    except Stopped:  # the deadline or Ctrl-C came during the build: keep what we had
        return incumbent
    reserve = STOP_S_PER_BUILD_S * (time.perf_counter() - began)
    budget = budget.reserved(min(reserve, STOP_RESERVE_SHARE * budget.limit_s))
    if incumbent.bound is not None and incumbent.bound_name != ROUTING_NAME:
        # The configuration LP's bound helps CP-SAT prove; the routing bound is not posted:
        # measured on examples/5g-edge-topology.yaml (1 worker, seed 7), the search with it
        # posted took 73 s instead of 2.4 s to the same proof. It still counts in the gap.
        model.add_lower_bound(incumbent.bound)
    hint = incumbent.hint or incumbent.counts
    if hint:
        model.add_hint(hint)
    with stop_at(budget.deadline):
        status, solver, notes = _two_phases(model, budget, limits)
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError(f"internal error: invalid CP-SAT model: {model.cp.validate()}")
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = Incumbent(
            value=model.first_level(solver.objective_value),
            bound=model.first_level(solver.best_objective_bound),
            counts=model.read_counts(solver),
            relaxation_bound=incumbent.relaxation_bound,
            bound_name=incumbent.bound_name,  # which relaxation bound it is, for the plan
            proven=status == cp_model.OPTIMAL,
            open_levels=model.objective.open_levels(
                solver.objective_value, solver.best_objective_bound
            ),
            notes=[*incumbent.notes, *notes],
        )
        if incumbent.bound is not None and found.bound is not None:
            found.bound = max(found.bound, incumbent.bound)
        model.read_network(solver, found)
        found.workers = model.read_workers(solver)
        if _worse(found, incumbent):  # the routing-aware greedy's plan is the floor
            if found.bound is not None:
                incumbent.bound = max(found.bound, incumbent.bound or found.bound)
            incumbent.notes.append(FLOOR_NOTE)
            return incumbent
        return found
    if status == cp_model.INFEASIBLE and incumbent.has_plan and problem.routing is not None:
        # Infeasible over the enumerated paths only: the incumbent's routes are outside them.
        # The plan stands; `infeasible` tells the qualify stage to search wider path sets.
        incumbent.infeasible = True
        if OUTSIDE_PATHS_NOTE not in incumbent.notes:
            incumbent.notes.append(OUTSIDE_PATHS_NOTE)
        return incumbent
    if status == cp_model.INFEASIBLE:
        return Incumbent(
            infeasible=True,
            relaxation_bound=incumbent.relaxation_bound,
            notes=[*incumbent.notes, *notes],
        )
    if incumbent.has_plan and not stop_requested():
        incumbent.notes.append(STARTING_PLAN_NOTE)
    return incumbent


FLOOR_NOTE = "the plan the search started from was kept: it found only costlier ones in time"
OUTSIDE_PATHS_NOTE = (
    "the routing-aware greedy's plan was kept: it routes over paths the search's restricted "
    "path set leaves out, over which the search found no plan"
)


def _worse(found: Incumbent, incumbent: Incumbent) -> bool:
    """True when the search's plan is costlier on the first level than the plan it started
    from (only a start plan that routes, the chain greedy's, is a plan there with routing)."""
    return (
        incumbent.has_plan
        and found.value is not None
        and incumbent.value is not None
        and found.value > incumbent.value
    )


def _two_phases(
    model: AssignmentModel, budget: Budget, limits: RunLimits
) -> tuple[int, cp_model.CpSolver, list[str]]:
    """Deterministic search first; if it ends without a proof, a free-running one.

    CP-SAT's interleaved mode synchronises its workers in batches, so a run that finishes
    gives the same plan every time, but on large models it barely improves a starting plan.
    So it gets a share of the time; when it ends without proving optimality, the usual
    parallel portfolio continues from its best plan for the rest of the limit.
    """
    callback = _ProgressCallback(model, limits, budget) if limits.progress else None
    parallel = limits.workers > 1
    first_share = DETERMINISTIC_SHARE if parallel else 1.0
    solver = make_solver(
        max(0.1, budget.left()) * first_share, workers=limits.workers, seed=limits.seed
    )
    status = solver.solve(model.cp, callback)
    if not parallel or status in _CONCLUSIVE or budget.left() < MIN_SEARCH_S:
        return status, solver, []
    if status == cp_model.FEASIBLE:
        model.add_hint(model.read_counts(solver))
    free = make_solver(budget.left(), workers=limits.workers, seed=limits.seed, deterministic=False)
    free_status = free.solve(model.cp, callback)
    if free_status == cp_model.UNKNOWN and status == cp_model.FEASIBLE:
        return status, solver, [FREE_NOTE]
    return free_status, free, [FREE_NOTE]


_CONCLUSIVE = (cp_model.OPTIMAL, cp_model.INFEASIBLE, cp_model.MODEL_INVALID)


class _ProgressCallback(cp_model.CpSolverSolutionCallback):
    """Reports each improving plan to the caller, in the objective's own units."""

    def __init__(self, model: AssignmentModel, limits: RunLimits, budget: Budget) -> None:
        super().__init__()
        self.model = model
        self.report = limits.progress
        self.budget = budget

    def on_solution_callback(self) -> None:
        if self.report is None:
            return
        objective = self.model.problem.objective
        value = natural(objective, self.model.first_level(self.objective_value))
        bound = natural(objective, self.model.first_level(self.best_objective_bound))
        self.report(Progress(time.perf_counter() - self.budget.started, value, bound))
