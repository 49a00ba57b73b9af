"""The start stage: plans to begin from, before any bound or search.

A first-fit-decreasing plan (`greedy.py`) obeys every per-server and anti-affinity rule; it is
a complete plan when nothing else is asked of it (no routing, which it knows nothing of; no
deployment to re-plan from, whose pins and move limits it ignores; no failures to survive).
Otherwise it, or the current deployment as far as it can stay, is only where the search starts.
"""

from __future__ import annotations

import time

from nfvplan.model import Form, Objective
from nfvplan.solver.budget import CHAIN_GREEDY_SHARE, GREEDY_SHARE, Budget
from nfvplan.solver.data import BALANCE_UNITS, NIC, VFS
from nfvplan.solver.greedy import SIZE_MEASURES, greedy_plan
from nfvplan.solver.incumbent import Counts, Incumbent
from nfvplan.solver.nesting import conservative, pack
from nfvplan.solver.problem import Problem


def start_plans(problem: Problem, budget: Budget, large: bool) -> Incumbent:
    """The incumbent to begin with: the greedy plan (or the deployment, when re-planning).

    With `large`, one ordering runs first and the others only within `GREEDY_SHARE` of the
    limit (each takes about 9 s at 100 000 instances); a later one is kept only when cheaper.
    """
    if problem.current is not None:
        # Neither the greedy nor the configuration plan knows about moves or pins; the
        # deployment itself (what can stay) is the natural start.
        stay = {(k, s, None): count for (k, s), count in problem.current.stay.items()}
        return Incumbent(hint=stay)
    if large:
        first, *others = SIZE_MEASURES
        plan = greedy_plan(problem, measures=(first,))
        deadline = budget.started + GREEDY_SHARE * budget.limit_s
        if others and (plan is None or time.perf_counter() < deadline):
            other = greedy_plan(problem, deadline=deadline, measures=tuple(others))
            if plan is None or (
                other is not None and problem.plan_cost(other) < problem.plan_cost(plan)
            ):
                plan = other
    else:
        plan = greedy_plan(conservative(problem))  # nested: a worker per instance, see there
    return offer(problem, Incumbent(), plan)


def routed_start(problem: Problem, budget: Budget) -> Incumbent | None:
    """The routing-aware greedy's plan (`chain_greedy.py`): a complete plan with its routes,
    found without enumerating chain paths, so `problem` may be built without them.

    Not for re-plans or failure survival (it knows neither pins nor recovery) nor for the
    `balance` objective (it does not aim at it): None then, and None when it gets stuck.
    """
    from nfvplan.solver.chain_greedy import chain_greedy_plan

    if problem.current is not None or problem.failures or problem.objective is Objective.BALANCE:
        return None
    deadline = budget.started + CHAIN_GREEDY_SHARE * budget.limit_s
    found = chain_greedy_plan(problem, deadline)
    if found is None:
        return None
    found.hint = dict(found.counts)
    return found


def guided_start(problem: Problem, incumbent: Incumbent, budget: Budget) -> Incumbent:
    """The incumbent, or the routing-aware greedy's plan guided by the routing bound's best
    solution (`chain_greedy_plan`'s guide) when that is cheaper. Why: the plain greedy prices
    every idle server whole and keeps one spare per server, so its plans open many more servers
    than the relaxation (germany50 two-per-site: 23 660 against a bound of 14 140); guided, it
    gathers instances where the relaxation found servers pay (17 600), and the search starts
    from there."""
    from nfvplan.solver.chain_greedy import chain_greedy_plan

    if not incumbent.opened or problem.current is not None or problem.failures:
        return incumbent
    if problem.objective is Objective.BALANCE:
        return incumbent
    deadline = min(budget.deadline, time.perf_counter() + CHAIN_GREEDY_SHARE * budget.limit_s)
    found = chain_greedy_plan(problem, deadline, incumbent.opened)
    if found is None or found.value is None:
        return incumbent
    if incumbent.value is not None and found.value >= incumbent.value:
        return incumbent
    return with_routed(incumbent, found)


def with_routed(incumbent: Incumbent, routed: Incumbent | None) -> Incumbent:
    """The incumbent with the routing-aware greedy's plan as its plan and the search's start
    (the packing greedy's hint ignores the network; this plan routes every demand)."""
    if routed is None:
        return incumbent
    incumbent.counts, incumbent.value = dict(routed.counts), routed.value
    incumbent.workers = dict(routed.workers)
    incumbent.flows, incumbent.traffic = list(routed.flows), dict(routed.traffic)
    incumbent.hint = dict(routed.counts)
    return incumbent


def is_a_plan(problem: Problem) -> bool:
    """True when a start plan (greedy or configuration LP) obeys every rule of `problem`."""
    return problem.routing is None and problem.current is None and not problem.failures


def offer(problem: Problem, incumbent: Incumbent, plan: Counts | None) -> Incumbent:
    """The incumbent with `plan` as its plan (or hint) when it is cheaper than the one it has."""
    if not plan:
        return incumbent
    value = first_level(problem, plan)
    workers = pack(problem, plan) if problem.nesting is not None else {}
    if not (
        is_a_plan(problem)
        and problem.spares_spread(plan)
        and problem.images_fit(plan)
        and workers is not None
    ):
        known = incumbent.hint
        if not known or first_level(problem, known) > value:
            incumbent.hint = dict(plan)
        return incumbent
    if incumbent.value is None or value < incumbent.value:
        incumbent.counts, incumbent.value, incumbent.hint = dict(plan), value, dict(plan)
        incumbent.workers = workers or {}
    return incumbent


def first_level(problem: Problem, counts: Counts) -> int:
    """The first objective level of a plan given as counts (cents, servers or millionths)."""
    if problem.objective is not Objective.BALANCE:
        return problem.plan_cost(counts)
    load: dict[int, list[int]] = {}
    forms: dict[int, set[Form]] = {}
    nested = problem.nesting
    for (k, s, _node), count in counts.items():
        if not count:
            continue
        kind = problem.kinds[k]
        row = load.setdefault(s, [0] * len(kind.demand))
        for r, need in enumerate(kind.demand):
            if nested is None or k not in nested.inner or r in (NIC, VFS):
                row[r] += need * count  # a nested kind: only NIC and VFs (workers below)
        forms.setdefault(s, set()).add(kind.form)
    if nested is not None:  # worker VMs and the hypervisor they need
        for (s, domain), workers in (pack(problem, counts) or {}).items():
            for r, need in enumerate(nested.domains[domain].host):
                load[s][r] += need * len(workers)
            forms[s].add(Form.VM)
    busiest = 0
    for s, row in load.items():
        slot = problem.slots[s]
        for form in forms[s]:
            for r, reserve in enumerate(problem.reserve(form, slot)):
                row[r] += reserve
        for r, cap in enumerate(slot.capacity):
            if cap > 0:
                busiest = max(busiest, -(-BALANCE_UNITS * row[r] // cap))
    return busiest
