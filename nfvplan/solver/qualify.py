"""The qualify stage: what an outcome over a restricted path set, or a re-plan, is worth.

The candidate chain paths are restricted for speed (`routing.py`). When the search found no
plan over them, the set is widened and the search runs again while time allows; when it found
an optimum that the routing-free bound does not confirm, the set is widened once while most
of the limit is left. What stays restricted is said by `status.decide`. A re-plan's outcome
names the rules it optimised under.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from nfvplan.model import Objective
from nfvplan.plan import Status
from nfvplan.solver.budget import MIN_RETRY_S, WIDEN_OPTIMUM_LEFT, Budget
from nfvplan.solver.incumbent import Incumbent
from nfvplan.solver.problem import Problem
from nfvplan.solver.search import OUTSIDE_PATHS_NOTE
from nfvplan.solver.status import meets_routing_free_bound
from nfvplan.solver.stop import Stopped

WIDENING = ((9, 2000), (30, 8000))
"""Path-set sizes (k per leg, paths per demand) tried after the default when it may matter."""

Build = Callable[[int, int], Problem]
"""Builds the problem again with (k paths per leg, paths per demand)."""
Search = Callable[[Problem, Incumbent], Incumbent]
"""The search stage on a problem, from an incumbent."""


def widen_paths(
    build: Build, search: Search, problem: Problem, incumbent: Incumbent, budget: Budget
) -> tuple[Problem, Incumbent]:
    """Search again over more candidate paths while the restricted set may be what made the
    problem infeasible, or may hide a better optimum. Returns the problem the incumbent's
    plan (flows, paths) belongs to."""
    if problem.routing is None or problem.routing.exhaustive:
        return problem, incumbent
    # The search's bound over the restricted paths is no bound over wider ones: restart from
    # the one that ignores routing.
    start = replace(
        incumbent,
        counts={},
        value=None,
        flows=[],
        traffic={},
        proven=False,
        bound=incumbent.relaxation_bound,
    )
    if incumbent.infeasible:
        for k_paths, path_cap in WIDENING:
            if problem.routing.exhaustive or budget.left() < MIN_RETRY_S:
                break
            try:
                wider = build(k_paths, path_cap)
            except Stopped:
                break
            # A routing-aware greedy's plan (routes outside the restricted set) stays the floor.
            floor = incumbent if incumbent.has_plan else start
            notes = [note for note in floor.notes if note != OUTSIDE_PATHS_NOTE]
            retry = search(wider, replace(floor, infeasible=False, bound=start.bound, notes=notes))
            if not retry.has_plan and not retry.infeasible:
                break  # out of time: keep the restricted outcome, reported honestly
            problem, incumbent = wider, retry
            if not incumbent.infeasible:
                break
        return problem, incumbent
    if (
        incumbent.proven
        and not meets_routing_free_bound(incumbent)
        and budget.left() > WIDEN_OPTIMUM_LEFT * budget.limit_s
    ):
        k_paths, path_cap = WIDENING[0]
        try:
            wider = build(k_paths, path_cap)
        except Stopped:
            return problem, incumbent
        retry = search(wider, replace(start, hint=incumbent.counts))
        if retry.proven:  # optimal over a superset of the paths: no worse
            return wider, retry
    return problem, incumbent


def replanning_outcome(
    incumbent: Incumbent, *, keep: bool, move_cost: float, max_moves: int | None, objective
) -> Incumbent:
    """Say what a re-plan optimised; keep the reported bound a bound on the monthly cost.

    With a move cost the search's bound is on cost plus move charges, which is no bound on
    the cost alone, so an unproven plan reports the configuration bound (which ignores moves).
    """
    rules = []
    if keep:
        rules.append("every current instance on a server still in service stays")
    if move_cost:
        rules.append(f"each moved instance is charged {move_cost:g} against the saving")
    else:
        rules.append("among the cheapest plans, the fewest moves")
    if max_moves is not None:
        rules.append(f"at most {max_moves} moves")
    notes = [*incumbent.notes, "re-planned from the current deployment: " + "; ".join(rules)]
    bound = incumbent.bound
    if move_cost and objective is Objective.COST and incumbent.status is Status.FEASIBLE:
        bound = incumbent.relaxation_bound
    return replace(incumbent, notes=notes, bound=bound)
