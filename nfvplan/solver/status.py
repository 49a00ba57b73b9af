"""The one place that decides what a solve's outcome is: optimal, feasible, infeasible, unknown.

Stages only record facts on the `Incumbent` (a plan and its value, a bound, whether the search
proved its model optimal or empty); `decide` reads them once, at the end, with what only the
pipeline knows (whether the candidate paths were restricted, whether the user interrupted).
The rules, in order:

- no plan: `infeasible` only when the search proved it over every path that matters (an
  exhaustive path set, or none needed); otherwise `unknown`, with the reason;
- interrupted (Ctrl-C): a plan is `feasible`, with a note, even if nothing better exists;
- `optimal` when every level of the lexicographic objective is proven: by the search, or by
  the bound meeting the plan on the first level when the levels below cannot improve;
- over a restricted path set, a proof counts only when the routing-free bound confirms it;
  otherwise the plan is `feasible` with that bound and a note on what it depends on;
- `feasible` otherwise; when the first level is proven but a lower one is not, the note says
  which.
"""

from __future__ import annotations

from dataclasses import replace

from nfvplan.model import Objective
from nfvplan.plan import Status
from nfvplan.solver.incumbent import Incumbent
from nfvplan.solver.problem import Problem
from nfvplan.solver.start import is_a_plan
from nfvplan.solver.stop import INTERRUPTED_NO_PLAN, INTERRUPTED_NOTE
from nfvplan.wording import count

FIRST_LEVEL = {
    Objective.COST: "monthly cost",
    Objective.SERVERS: "servers used",
    Objective.BALANCE: "busiest server's share",
}
"""The name of the objective's first level, as notes say it."""
LOWER_LEVEL = {
    "cost": "monthly cost",
    "moves": "moves",
    "scaled": "instances beyond need",
    "links": "link traffic",
}
"""The names of the tie-break levels below it (`assignment/objective.py` packs them)."""


def levels(problem: Problem) -> list[str]:
    """The levels of the lexicographic objective, most important first (as the model packs
    them, `assignment/objective.py`)."""
    names = [FIRST_LEVEL[problem.objective]]
    if problem.objective is not Objective.COST:
        names.append(LOWER_LEVEL["cost"])
    if problem.current is not None and problem.current.per_vnf:
        names.append(LOWER_LEVEL["moves"])
    if any(problem.scales_with_traffic(name) for name in problem.vnf_names):
        names.append(LOWER_LEVEL["scaled"])
    if problem.routing is not None:
        names.append(LOWER_LEVEL["links"])
    return names


def lower_levels_settled(problem: Problem) -> bool:
    """True when a start plan meeting the first-level bound is optimal on every level.

    Only for plans that obey every rule without a search (`start.is_a_plan`), and only when the
    objective's tie-break levels cannot improve: for `cost` such a plan has exactly the needed
    instances; for `servers`, when all servers cost the same, fewest servers is also cheapest.
    """
    if not is_a_plan(problem):
        return False
    if problem.objective is Objective.COST:
        return True
    return problem.objective is Objective.SERVERS and len({s.cost for s in problem.slots}) == 1


def settled(problem: Problem, incumbent: Incumbent) -> bool:
    """True when nothing is left to search: the plan is proven on every level."""
    if not incumbent.has_plan:
        return False
    return incumbent.proven or (_first_level_met(incumbent) and lower_levels_settled(problem))


def decide(
    problem: Problem,
    incumbent: Incumbent,
    *,
    interrupted: bool,
    time_limit_s: float,
    workers: int,
) -> tuple[Incumbent, list[str]]:
    """The incumbent with its status (and bound and notes as reported), and the reasons a
    plan-less outcome gives."""
    routing = problem.routing
    restricted = routing is not None and not routing.exhaustive
    if not incumbent.has_plan:
        if incumbent.infeasible and (incumbent.whatever_paths or not restricted):
            return replace(incumbent, status=Status.INFEASIBLE), []
        if interrupted:
            reason = INTERRUPTED_NO_PLAN
        elif incumbent.infeasible:
            assert routing is not None
            reason = (
                f"no plan found with the {routing.k} shortest paths per chain leg and "
                f"{routing.cap} chain paths per demand; the scenario was not proven infeasible "
                "because longer paths were left out"
            )
        else:
            reason = (
                f"no plan found within the time limit of {time_limit_s:g} s ({workers} "
                "workers); the scenario was not proven infeasible: allow more time "
                "(--time-limit) or more workers"
            )
        return replace(incumbent, status=Status.UNKNOWN), [reason]
    notes = list(incumbent.notes)
    bound = incumbent.bound
    proven = settled(problem, incumbent)
    if restricted and not meets_routing_free_bound(incumbent):
        assert routing is not None
        bound = incumbent.relaxation_bound  # the search's bound holds only over its paths
        if proven:
            notes.append(
                f"optimal among the {routing.k} shortest paths per chain leg (at most "
                f"{routing.cap} chain paths per demand); longer paths were not tried, so the "
                "bound is the one that ignores routing"
            )
        proven = False
    if interrupted:
        status = Status.FEASIBLE
        notes.append(INTERRUPTED_NOTE)
    elif proven:
        status = Status.OPTIMAL
    else:
        status = Status.FEASIBLE
        first, *below = levels(problem)
        if incumbent.open_levels is not None:  # the search knows which levels its bound proves
            below = [name for name in incumbent.open_levels if name != first]
        value = incumbent.value
        if below and bound is not None and value is not None and value <= bound:
            notes.append(
                f"the {first} is proven optimal (gap 0); the search did not prove the "
                f"{count(len(below), 'level')} below it ({', '.join(below)}) within the time "
                "limit, so the plan is only feasible"
            )
    return replace(incumbent, status=status, bound=bound, notes=notes), []


def without_problem(*, interrupted: bool, time_limit_s: float) -> tuple[Status, str]:
    """The outcome when even the problem could not be built (stopped while building)."""
    if interrupted:
        return Status.UNKNOWN, INTERRUPTED_NO_PLAN
    return Status.UNKNOWN, (
        f"no plan found within the time limit of {time_limit_s:g} s: building the problem "
        "(candidate servers and chain paths) took all of it; allow more time (--time-limit)"
    )


def _first_level_met(incumbent: Incumbent) -> bool:
    """True when the bound proves the plan's first objective level."""
    value, bound = incumbent.value, incumbent.bound
    return value is not None and bound is not None and value <= bound


def meets_routing_free_bound(incumbent: Incumbent) -> bool:
    """True when the bound that ignores routing proves the first level: no path does better."""
    relaxed, value = incumbent.relaxation_bound, incumbent.value
    return relaxed is not None and value is not None and relaxed >= value


def decided(problem: Problem, incumbent: Incumbent) -> Incumbent:
    """`incumbent` with the status `decide` gives it outside a solve (no interrupt, no time
    limit): for a plan built by one stage alone, e.g. the routing-aware greedy's in a benchmark."""
    return decide(problem, incumbent, interrupted=False, time_limit_s=0.0, workers=1)[0]
