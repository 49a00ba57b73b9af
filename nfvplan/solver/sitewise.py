"""Large plans without routing: a greedy plan at once, then an exact search site by site.

At operator scale (thousands of instances on thousands of servers) one CP-SAT model over every
(kind, server) pair is too big to give a first plan within a minute. Without service routing,
sites interact only through how many instances of each pooled VNF each site runs (and site
anti-affinity, one per site): once those per-site counts are fixed, every rule left is about
one server, one rack or one site. So:

1. a first-fit-decreasing plan (`greedy.py`) is reported at once: a plan in seconds;
2. a proven lower bound comes from the configuration LP solved part by part
   (`decompose.py`: sites joined by the VNFs they may share, identical VNFs pooled), within a
   share of the time: the sum of the parts' bounds is valid for the whole problem, whatever
   the split between sites; each part's LP plan replaces the greedy's part when cheaper (this
   is where pooled VNFs get a cost-aware split between their sites);
3. that plan's per-site counts are kept, and each site not yet proven (its part above its
   bound) is re-planned exactly by the aggregated assignment model on a scenario of that site
   alone, biggest sites first, each given a share of the time left; a site's new plan replaces
   its part only when it is cheaper.

The result is `feasible` with the decomposed bound (the per-site optima are optimal only for
the split, never claimed as optimal overall); it is `optimal` only when that global bound meets
the plan. With routing the whole model is needed, and this formulation delegates to the
assignment one.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace

from nfvplan.model import Objective, Scenario, Scope
from nfvplan.plan import Status
from nfvplan.solver.assignment import AssignmentFormulation
from nfvplan.solver.data import COST_SCALE
from nfvplan.solver.decompose import DecomposedResult, decomposed_bound, improve_parts
from nfvplan.solver.greedy import SIZE_MEASURES, greedy_plan
from nfvplan.solver.problem import Problem, build_problem
from nfvplan.solver.solution import Progress, RunLimits, Solution
from nfvplan.solver.stop import Stop, active_stop, stopping

Counts = dict[tuple[int, int, int | None], int]

GREEDY_SHARE = 0.1
"""Past this share of the time limit the greedy tries no further ordering (one always runs)."""
BOUND_SHARE = 0.2
"""Share of the time limit the global configuration-LP bound may take."""
BOUND_HARD = 1.5
"""Past this many times its share the bound step is stopped mid-step (it keeps to its share
between parts; one part's step can run over: 14-16 s for a 12 s share at 10 000 instances)."""
PARTS_SHARE = 0.5
"""Share of the time left after the bound that re-plans the unproven pooled parts."""
MIN_SITE_S = 0.5
"""A site re-plan shorter than this is not worth starting."""
BUILD_S_PER_PAIR = 50e-6
"""Seconds a one-site assignment model takes to build per (kind, candidate server) pair, a
conservative figure. Building cannot be stopped half-way: at 100 000 instances one core site
had 466 620 pairs and a 1 s share, and its re-plan took 63 s, all past the time limit. A site
whose model would not even be built within its share is not re-planned."""


def use_sitewise(problem: Problem) -> bool:
    """True for problems large enough that the whole model is slow, and without routing."""
    return problem.routing is None and sum(problem.counts.values()) >= LARGE_INSTANCES


LARGE_INSTANCES = 500
"""From this many instances a greedy first plan plus site-by-site search beats the whole model
(measured by benchmarks/scale.py: at 1 000 instances the whole model's first plan came after
30 s of a 60 s limit; see docs/performance.md)."""


class SitewiseFormulation:
    """Greedy first plan, global configuration-LP bound, exact re-plan per site."""

    name = "site-by-site assignment + configuration-LP bound"

    def solve(self, problem: Problem, limits: RunLimits) -> Solution:
        """A plan within `limits`; delegates to the assignment model when routing is needed."""
        started = time.perf_counter()
        if problem.routing is not None:
            return AssignmentFormulation().solve(problem, limits)
        limit = limits.time_limit_s
        # One ordering first, reported at once (each takes about 9 s at 100 000 instances);
        # the others while within their share, kept only when strictly cheaper (as the
        # greedy's own choice among orderings).
        first, *others = SIZE_MEASURES
        plan = greedy_plan(problem, measures=(first,))
        if plan is None:
            plan = greedy_plan(problem, measures=tuple(others))
            others = []
        if plan is None:
            return AssignmentFormulation().solve(problem, limits)
        value = problem.plan_cost(plan)
        bound = 0
        self._report(problem, limits, started, value, bound)
        if others and time.perf_counter() < started + GREEDY_SHARE * limit:
            other = greedy_plan(
                problem, deadline=started + GREEDY_SHARE * limit, measures=tuple(others)
            )
            if other is not None and problem.plan_cost(other) < value:
                plan, value = other, problem.plan_cost(other)
                self._report(problem, limits, started, value, bound)
        # The bound's share starts now (the greedy may have taken a while at scale). The
        # decomposed LP keeps to its share between parts; the stop at BOUND_HARD times the
        # share ends a part's long step (a pricing round, the integer master) in the middle.
        share = BOUND_SHARE * limit
        with stop_at(min(started + limit, time.perf_counter() + BOUND_HARD * share)):
            patterns = decomposed_bound(problem, share, limits.seed, plan)
        if patterns is not None:
            bound = patterns.bound
            if patterns.hint and problem.plan_cost(patterns.hint) < value:
                plan, value = dict(patterns.hint), problem.plan_cost(patterns.hint)
            self._report(problem, limits, started, value, bound)
        notes: list[str] = []
        if patterns is None:
            notes.append(
                "no bound is reported: the configuration LP gave none within its share of the "
                f"time limit ({BOUND_SHARE:.0%})"
            )
        if value > bound:
            with stop_at(started + limit):
                plan, replanned = self._replan_sites(problem, plan, limits, started, patterns)
            bound = patterns.bound if patterns is not None else bound
            value = problem.plan_cost(plan)
            notes.append(
                f"large scenario: greedy plan, then {replanned} site(s) re-planned exactly with "
                "the other sites' instance counts fixed; the bound is the configuration LP's, "
                "solved part by part"
            )
        status = Status.OPTIMAL if value <= bound and _exact_levels(problem) else Status.FEASIBLE
        solution = Solution(status, counts=plan, notes=notes)
        solution.value = _natural(problem, value)
        solution.bound = _natural(problem, bound) if bound else None
        solution.relaxation_bound = solution.bound
        solution.wall_time_s = time.perf_counter() - started
        return solution

    def _replan_sites(
        self,
        problem: Problem,
        plan: Counts,
        limits: RunLimits,
        started: float,
        parts: DecomposedResult | None,
    ) -> tuple[Counts, int]:
        """Re-plan the unproven parts, then each site exactly with its instance counts fixed.

        First, half the time left goes to the pooled parts still above their bound
        (`decompose.improve_parts`: their configuration LP again, with a longer integer
        master). Then each site whose part is still above its bound is re-planned by the
        assignment model on its own; sites of proven parts cannot get cheaper and are skipped.
        A new plan replaces the old one only when cheaper.
        """
        bound = 0
        done: set[str] = set()
        if parts is not None:
            left = limits.time_limit_s - (time.perf_counter() - started)
            plan = improve_parts(problem, plan, parts, left * PARTS_SHARE, limits.seed)
            bound = parts.bound
            self._report(problem, limits, started, problem.plan_cost(plan), bound)
            done = _proven_sites(problem, plan, parts)
        by_site: dict[str, Counts] = defaultdict(dict)
        for (k, s, node), count in plan.items():
            by_site[problem.slots[s].site.name][(k, s, node)] = count
        cost = {site: problem.plan_cost(by_site[site]) for site in by_site if site not in done}
        order = sorted(cost, key=lambda site: -cost[site])
        rest = sum(cost.values())  # of the sites not yet tried: their plans are still the same
        replanned = 0
        for site in order:
            left = limits.time_limit_s - (time.perf_counter() - started)
            weight = cost[site]
            share = weight / (rest or 1)
            rest -= weight
            # A one-site model takes a little longer than its limit (build, presolve): keep
            # a tenth back so that the last site does not run past the whole limit.
            budget = 0.9 * left * share
            if budget < MIN_SITE_S:
                continue
            better = _replan_site(
                problem, site, by_site[site], replace(limits, progress=None, time_limit_s=budget)
            )
            if better is not None and problem.plan_cost(better) < weight:
                by_site[site] = better
                replanned += 1
                merged = {key: c for part in by_site.values() for key, c in part.items()}
                self._report(problem, limits, started, problem.plan_cost(merged), bound)
        merged = {key: c for part in by_site.values() for key, c in part.items()}
        return merged, replanned

    @staticmethod
    def _report(problem: Problem, limits: RunLimits, started: float, value: int, bound: int):
        if limits.progress is not None:
            elapsed = time.perf_counter() - started
            limits.progress(Progress(elapsed, _natural(problem, value), _natural(problem, bound)))


def _proven_sites(problem: Problem, plan: Counts, result: DecomposedResult) -> set[str]:
    """Sites of the parts whose share of `plan` already costs no more than the part's bound."""
    owner = {name: i for i, part in enumerate(result.parts) for name in part.component.vnfs}
    cost: dict[int, Counts] = defaultdict(dict)
    for key, count in plan.items():
        cost[owner[problem.kinds[key[0]].vnf.name]][key] = count
    return {
        site
        for i, part in enumerate(result.parts)
        if problem.plan_cost(cost[i]) <= part.bound
        for site in part.component.sites
    }


@contextmanager
def stop_at(deadline: float) -> Iterator[Stop]:
    """Run the block under a `Stop` requested at `deadline` (a `time.perf_counter()` value).

    Every CP-SAT search and column-generation loop obeys the active stop, so a phase ends at
    its deadline even in the middle of a step. A stop the caller had active (Ctrl-C) still
    reaches the block: it requests this one too, and stays set for the caller afterwards.
    """
    stop = Stop()
    outer = active_stop()
    timer = threading.Timer(max(0.0, deadline - time.perf_counter()), stop.request)
    timer.daemon = True
    with ExitStack() as stack:
        if outer is not None:
            stack.enter_context(outer.hook(stop.request))
            if outer.is_set():
                stop.request()
        stack.enter_context(stopping(stop))
        timer.start()
        try:
            yield stop
        finally:
            timer.cancel()


def _exact_levels(problem: Problem) -> bool:
    """When meeting the bound on the first level proves the plan (as `_proven_by_bound`)."""
    if problem.objective is Objective.COST:
        return True
    return problem.objective is Objective.SERVERS and len({s.cost for s in problem.slots}) == 1


def _natural(problem: Problem, first: int) -> float:
    """A first-level value in the objective's units (cents to currency; servers as is)."""
    return first / COST_SCALE if problem.objective is Objective.COST else float(first)


def _replan_site(problem: Problem, site: str, part: Counts, limits: RunLimits) -> Counts | None:
    """The best plan the assignment model finds for one site with the given instance counts."""
    scenario = problem.scenario
    per_vnf: dict[str, int] = defaultdict(int)
    for (k, _s, _n), count in part.items():
        per_vnf[problem.kinds[k].vnf.name] += count
    sub = _site_scenario(scenario, site, per_vnf)
    sub_problem = build_problem(sub, problem.objective)
    pairs = sum(len(slots) for slots in sub_problem.candidates.values())
    if pairs * BUILD_S_PER_PAIR > limits.time_limit_s:
        return None
    solution = AssignmentFormulation().solve(sub_problem, limits)
    if not solution.status.has_plan:
        return None
    slot_of = {slot.id: slot.index for slot in problem.slots}
    kind_of = {(kind.vnf.name, kind.form): k for k, kind in enumerate(problem.kinds)}
    result: Counts = {}
    for (k, s, node), count in solution.counts.items():
        kind = sub_problem.kinds[k]
        key = (kind_of[(kind.vnf.name, kind.form)], slot_of[sub_problem.slots[s].id], node)
        result[key] = result.get(key, 0) + count
    return result


def _site_scenario(scenario: Scenario, site: str, per_vnf: dict[str, int]) -> Scenario:
    """One site with its servers and exactly the instances the split gave it.

    Server numbering is per site and type, so the site's server ids are the same as in the whole
    scenario. Site anti-affinity is already satisfied by the split (one per site) and dropped;
    host and rack anti-affinity, trust, isolation and NUMA stay, as they are rules within a site.
    """
    vnfs = {}
    for name, count in per_vnf.items():
        vnf = scenario.vnfs[name]
        vnfs[name] = replace(
            vnf,
            replicas=count,
            throughput_gbps=None,
            redundancy=0,
            sites=None,
            anti_affinity=None if vnf.anti_affinity is Scope.SITE else vnf.anti_affinity,
        )
    return replace(
        scenario,
        sites={site: scenario.sites[site]},
        links=(),
        services={},
        vnfs=vnfs,
    )
