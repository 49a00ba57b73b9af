"""The bound stage: the routing bound and the configuration LP, whole or part by part.

With services, the routing bound (`routing_bound.py`, facility location over sites: what the
demands force and where latency lets it sit) runs first; the instance counts it proves every
plan needs (latency-separated traffic) become the configuration LP's item counts, and the
larger of the two bounds is kept, named in the plan's formulation (`named`).

Column generation (`patterns.pattern_bound`) proves a lower bound on the first objective level
that holds whatever the routing, and its integer master and dives give configuration plans,
offered to the incumbent like any other start plan. On a large scenario without routing the
LP is solved part by part (`decompose.decomposed_bound`: the sum of the independent parts'
bounds), each part's plan replacing the incumbent's restriction to that part when cheaper.
"""

from __future__ import annotations

import copy
from dataclasses import replace

from nfvplan.solver.budget import (
    BOUND_HARD,
    BOUND_SHARE,
    DECOMPOSED_BOUND_SHARE,
    PACKING_BOUND_SHARE,
    ROUTED_BOUND_SHARE,
    ROUTING_BOUND_MAX_S,
    ROUTING_BOUND_SHARE,
    Budget,
)
from nfvplan.solver.decompose import DecomposedResult, decomposed_bound
from nfvplan.solver.incumbent import Incumbent
from nfvplan.solver.patterns import pattern_bound, pure_packing
from nfvplan.solver.problem import Problem
from nfvplan.solver.routing_bound import NAME as ROUTING_NAME
from nfvplan.solver.routing_bound import applies, routing_bound
from nfvplan.solver.start import offer
from nfvplan.solver.stop import Stopped
from nfvplan.solver.strategy import Strategy

CONFIGURATION_NAME = "configuration-LP bound"
"""The bound's name in the strategies' names (`strategy.WHOLE`)."""
FORCED_NAME = "configuration-LP bound (routing-forced counts)"
"""The configuration LP over the instance counts the routing bound proved every plan needs."""

NO_BOUND_NOTE = (
    "no bound is reported: the configuration LP gave none within its share of the time limit "
    f"({DECOMPOSED_BOUND_SHARE:.0%})"
)


def whole_bound(problem: Problem, incumbent: Incumbent, budget: Budget, seed: int) -> Incumbent:
    """With services the routing bound first; then the configuration LP of the whole problem
    within its share of the limit (a smaller one with routing, which it ignores), over the
    instance counts the routing bound proved. Both hold whatever the chain paths, so the
    larger is also the `relaxation_bound`."""
    lp_problem = problem
    routed = _routing(problem, budget, seed)
    if routed is not None:
        _raise_bound(incumbent, routed.bound, ROUTING_NAME)
        incumbent.relaxation_bound = incumbent.bound
        incumbent.opened = routed.opened
        if routed.forced != problem.counts:
            lp_problem = copy.copy(problem)  # shares every table; only the counts differ
            lp_problem.counts = routed.forced
    share = budget.share(_bound_share(problem))
    # The LP keeps to its share between rounds; its integer master and dives may run a little
    # past it, and the phase's stop at BOUND_HARD times the share ends them mid-step.
    try:
        with budget.phase("bound", BOUND_HARD * share):
            found = pattern_bound(lp_problem, share, seed, start=_greedy_start(problem, incumbent))
    except Stopped:
        return incumbent
    if found is None:
        return incumbent
    _raise_bound(incumbent, found.bound, FORCED_NAME if lp_problem is not problem else "")
    incumbent.relaxation_bound = incumbent.bound
    # Over raised counts the LP's plans (there are none with routing) would carry spares.
    return offer(problem, incumbent, found.hint if lp_problem is problem else None)


def _routing(problem: Problem, budget: Budget, seed: int):
    """The routing bound within its share, or None (no services, another objective, no time,
    or stopped while building: the configuration LP's bound is then the only one)."""
    if not applies(problem):
        return None
    share = min(budget.share(ROUTING_BOUND_SHARE), ROUTING_BOUND_MAX_S)
    try:
        with budget.phase("routing-bound", BOUND_HARD * share):
            return routing_bound(problem, share, seed)
    except Stopped:
        return None


def named(strategy: Strategy, incumbent: Incumbent) -> Strategy:
    """The strategy under the name of the bound its bound stage kept (the plan's formulation
    and the solve header say which bound the gap is measured against)."""
    if not incumbent.bound_name:
        return strategy
    return replace(strategy, name=strategy.name.replace(CONFIGURATION_NAME, incumbent.bound_name))


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


def _raise_bound(incumbent: Incumbent, bound: int, name: str = "") -> None:
    """Keep the larger of two proven bounds, and the name of the one kept ("" for the plain
    configuration LP; a tie keeps the earlier one's)."""
    if incumbent.bound is None or bound > incumbent.bound:
        incumbent.bound = bound
        incumbent.bound_name = name
