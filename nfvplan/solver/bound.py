"""The bound stage: the configuration LP by column generation, whole or part by part.

Column generation (`patterns.pattern_bound`) proves a lower bound on the first objective level
that holds whatever the routing, and its integer master and dives give configuration plans,
offered to the incumbent like any other start plan. On a large scenario without routing the
LP is solved part by part (`decompose.decomposed_bound`: the sum of the independent parts'
bounds), each part's plan replacing the incumbent's restriction to that part when cheaper.
"""

from __future__ import annotations

from nfvplan.solver.budget import (
    BOUND_HARD,
    BOUND_SHARE,
    DECOMPOSED_BOUND_SHARE,
    PACKING_BOUND_SHARE,
    ROUTED_BOUND_SHARE,
    Budget,
)
from nfvplan.solver.decompose import DecomposedResult, decomposed_bound
from nfvplan.solver.incumbent import Incumbent
from nfvplan.solver.patterns import pattern_bound, pure_packing
from nfvplan.solver.problem import Problem
from nfvplan.solver.start import offer
from nfvplan.solver.stop import Stopped

NO_BOUND_NOTE = (
    "no bound is reported: the configuration LP gave none within its share of the time limit "
    f"({DECOMPOSED_BOUND_SHARE:.0%})"
)


def whole_bound(problem: Problem, incumbent: Incumbent, budget: Budget, seed: int) -> Incumbent:
    """The configuration LP of the whole problem within its share of the limit (a smaller one
    with routing, which it ignores)."""
    share = budget.share(_bound_share(problem))
    # The LP keeps to its share between rounds; its integer master and dives may run a little
    # past it, and the phase's stop at BOUND_HARD times the share ends them mid-step.
    try:
        with budget.phase("bound", BOUND_HARD * share):
            found = pattern_bound(problem, share, seed, start=_greedy_start(problem, incumbent))
    except Stopped:
        return incumbent
    if found is None:
        return incumbent
    _raise_bound(incumbent, found.bound)
    incumbent.relaxation_bound = found.bound
    return offer(problem, incumbent, found.hint)


def _greedy_start(problem: Problem, incumbent: Incumbent) -> dict | None:
    """The start stage's greedy plan, so that column generation does not run the greedy again
    (a re-plan's start is a partial deployment, not a plan: then the LP runs its own)."""
    if problem.current is not None:
        return None
    return incumbent.hint or None


def _bound_share(problem: Problem) -> float:
    """The LP's share of the limit: most of it where its search is the search (a pure
    packing), least where it ignores routing."""
    if problem.routing is not None:
        return ROUTED_BOUND_SHARE
    return PACKING_BOUND_SHARE if pure_packing(problem) else BOUND_SHARE


def parts_bound(
    problem: Problem, incumbent: Incumbent, budget: Budget, seed: int
) -> tuple[Incumbent, DecomposedResult | None]:
    """The configuration LP part by part within its share; the parts, for the site search."""
    share = budget.share(DECOMPOSED_BOUND_SHARE)
    try:
        with budget.phase("bound", BOUND_HARD * share):
            parts = decomposed_bound(problem, share, seed, incumbent.counts or None)
    except Stopped:  # a part's scenario was being built: no bound from the parts
        parts = None
    if parts is None:
        incumbent.notes.append(NO_BOUND_NOTE)
        return incumbent, None
    if parts.bound:
        _raise_bound(incumbent, parts.bound)
        incumbent.relaxation_bound = incumbent.bound
    return offer(problem, incumbent, parts.hint), parts


def _raise_bound(incumbent: Incumbent, bound: int) -> None:
    """Keep the larger of two proven bounds."""
    if incumbent.bound is None or bound > incumbent.bound:
        incumbent.bound = bound
