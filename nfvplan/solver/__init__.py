"""Scenario → plan. The only package that imports OR-Tools; nothing of it leaves here.

`solve()` is the one entry point and reads top to bottom as the pipeline of docs/solver.md:
build the problem, cheap checks, start plans, bound, search, qualify, status, plan, self-check.
Each stage is a function of its own module that takes the `Incumbent` (best plan so far, its
bound, what is proven) and returns it; `status.decide` alone turns the facts into a status,
and `budget.Budget` alone keeps the time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from nfvplan.model import Objective, Scenario
from nfvplan.plan import Plan, Status
from nfvplan.solver.incumbent import Progress, ProgressCallback, RunLimits
from nfvplan.solver.stop import Stop, Stopped, stop_requested, stopping

if TYPE_CHECKING:
    from nfvplan.solver.budget import Budget
    from nfvplan.solver.incumbent import Incumbent
    from nfvplan.solver.problem import Problem
    from nfvplan.solver.strategy import Strategy
    from nfvplan.solver.survive import FailureSpec

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
    failures: tuple[FailureSpec, ...] = ()
    """Single failures the plan must survive (`solver/survive.py`: recovery variables)."""
    phases: dict[str, float] | None = field(default=None, compare=False)
    """When given, filled with the seconds each stage took (for the benchmarks)."""


def solve(
    scenario: Scenario, options: SolveOptions | None = None, strategy: Strategy | None = None
) -> Plan:
    """Find the best plan for `scenario`, or say why there is none, within the time limit.

    Deterministic when the search finishes before the time limit: the same scenario, seed and
    worker count give the same plan. `strategy` overrides the one `choose_strategy` picks.
    Raises `selfcheck.PlanCheckError` if the plan found fails the independent checker (a bug).
    """
    started = time.perf_counter()  # the clock: importing OR-Tools and building count too
    from nfvplan.solver.bound import named
    from nfvplan.solver.budget import Budget
    from nfvplan.solver.explain import cheap_checks, explain_conflict
    from nfvplan.solver.incumbent import Incumbent
    from nfvplan.solver.lns import unrouted, use_lns
    from nfvplan.solver.qualify import widen_paths
    from nfvplan.solver.start import with_routed
    from nfvplan.solver.status import settled
    from nfvplan.solver.strategy import LNS, WHOLE, choose_strategy

    options = options or SolveOptions()
    settings = scenario.solver
    limits = RunLimits(
        time_limit_s=options.time_limit_s or settings.time_limit_s,
        workers=options.workers or settings.workers,
        seed=settings.seed if options.seed is None else options.seed,
        progress=options.progress,
    )
    budget = Budget(limits.time_limit_s, started)
    objective = options.objective or scenario.objective

    def build(k_paths: int | None = None, path_cap: int | None = None) -> Problem:
        return _build(scenario, objective, options, k_paths, path_cap)

    # With services, the routing-aware greedy plans first, on a problem built without chain
    # paths: a plan (and the floor) exists before their enumeration starts, however long it is.
    routed, light, reasons = _routed_first(scenario, objective, options, budget)
    facts = _Facts().saw(routed, budget, objective, baseline=True)
    if strategy is None and light is not None and use_lns(light):
        strategy = LNS  # a large network: no chain path of the whole network is enumerated
    if strategy is LNS and routed is not None and light is not None:
        return _by_neighbourhoods(scenario, unrouted(light), routed, options, limits, budget, facts)
    if strategy is LNS:
        strategy = None  # no plan to improve region by region: the whole model
    if reasons and light is not None:  # no plan: proven before any chain path or greedy run
        incumbent, why = _decide(light, Incumbent(infeasible=True, whatever_paths=True), limits)
        reasons = [*why, *reasons]
        return _plan(scenario, light, incumbent, reasons, WHOLE, options, limits, budget, facts)
    try:
        with budget.phase("build"):
            problem = build()
    except Stopped:  # path enumeration or the problem's tables outlasted the limit
        if routed is None or light is None:
            return _no_problem(scenario, objective, options, limits, budget)
        problem, routed.notes = light, [*routed.notes, PATHS_NOT_BUILT_NOTE]
        incumbent, why = _decide(problem, routed, limits)
        return _plan(scenario, problem, incumbent, why, WHOLE, options, limits, budget, facts)
    strategy = strategy or choose_strategy(problem)  # site by site when large, else one model
    if strategy.neighbourhoods:  # chosen on the built problem, but the greedy found no plan
        strategy = WHOLE
    parts = None  # the bound's independent parts, which the site-by-site search re-plans

    def search(problem: Problem, incumbent: Incumbent) -> Incumbent:
        return _search(problem, incumbent, strategy, parts, budget, limits)

    reasons = cheap_checks(problem)
    if reasons:
        incumbent = Incumbent(infeasible=True, whatever_paths=True)
    else:
        incumbent = with_routed(_start(problem, strategy, budget, limits), routed)
        facts.saw(incumbent, budget, objective)
        incumbent, parts = _bound(problem, incumbent, strategy, budget, limits)
        incumbent = _guided(problem, incumbent, budget, limits)
        facts.saw(incumbent, budget, objective)
        strategy = named(strategy, incumbent)  # the formulation says which bound is used
        if not settled(problem, incumbent) and not strategy.decomposed:
            incumbent = _guided_search(problem, incumbent, budget, limits)
        if not settled(problem, incumbent):  # when the bound meets the plan, no search
            with budget.phase("search"):
                incumbent = search(problem, incumbent)
            facts.saw(incumbent, budget, objective)
        with budget.phase("qualify"):
            problem, incumbent = widen_paths(build, search, problem, incumbent, budget)
        facts.saw(incumbent, budget, objective)
    incumbent, why = _decide(problem, incumbent, limits)
    # Only a proven infeasibility is explained (one over restricted paths is `unknown`, and
    # its conflict would be the path set's), and only within what is left of the limit.
    if incumbent.status is Status.INFEASIBLE and not reasons and options.explain:
        with budget.phase("explain"):
            reasons = explain_conflict(scenario, problem, limits, budget.deadline)
    reasons = [*why, *reasons]
    return _plan(scenario, problem, incumbent, reasons, strategy, options, limits, budget, facts)


@dataclass
class _Facts:
    """What the run statistics say beyond the plan: when the first plan existed, and the
    routing-aware greedy's value (the floor), both for `solve --stats` and the benchmarks."""

    first_plan_s: float | None = None
    baseline: float | None = None

    def saw(
        self,
        incumbent: Incumbent | None,
        budget: Budget,
        objective: Objective,
        baseline: bool = False,
    ) -> _Facts:
        """Note the end of a stage: the first one with a plan sets `first_plan_s`."""
        from nfvplan.solver.incumbent import natural

        if incumbent is None or incumbent.value is None:
            return self
        if self.first_plan_s is None:
            self.first_plan_s = budget.elapsed()
        if baseline:
            self.baseline = natural(objective, incumbent.value)
        return self


def _by_neighbourhoods(
    scenario: Scenario,
    problem: Problem,
    routed: Incumbent,
    options: SolveOptions,
    limits: RunLimits,
    budget: Budget,
    facts: _Facts,
) -> Plan:
    """The pipeline of the large-neighbourhood strategy: start plans, the bound, then the
    search region by region from the routing-aware greedy's plan (`lns.py`), on a problem
    without chain paths. No qualify stage: no path set of the whole network was searched."""
    from nfvplan.solver.bound import named
    from nfvplan.solver.lns import search_neighbourhoods
    from nfvplan.solver.start import with_routed
    from nfvplan.solver.strategy import LNS

    incumbent = with_routed(_start(problem, LNS, budget, limits), routed)
    facts.saw(incumbent, budget, problem.objective)
    incumbent, _parts = _bound(problem, incumbent, LNS, budget, limits)
    incumbent = _guided(problem, incumbent, budget, limits)
    incumbent = _guided_search(problem, incumbent, budget, limits)
    strategy = named(LNS, incumbent)  # the formulation says which bound is used
    with budget.phase("search"):
        incumbent = search_neighbourhoods(problem, incumbent, budget, limits)
    incumbent, why = _decide(problem, incumbent, limits)
    return _plan(scenario, problem, incumbent, why, strategy, options, limits, budget, facts)


PATHS_NOT_BUILT_NOTE = (
    "the candidate chain paths could not be enumerated within the time limit: the plan is the "
    "routing-aware greedy's, with no search after it (allow more time for a better plan)"
)


def _decide(
    problem: Problem, incumbent: Incumbent, limits: RunLimits
) -> tuple[Incumbent, list[str]]:
    """`status.decide` with what only the pipeline knows (an interrupt, the limit)."""
    from nfvplan.solver.status import decide

    return decide(
        problem,
        incumbent,
        interrupted=stop_requested(),
        time_limit_s=limits.time_limit_s,
        workers=limits.workers,
    )


def _routed_first(
    scenario: Scenario, objective: Objective, options: SolveOptions, budget: Budget
) -> tuple[Incumbent | None, Problem | None, list[str]]:
    """The routing-aware greedy's plan on a problem built without chain paths, for a scenario
    with services (None when it does not apply or finds nothing), that problem, and what the
    cheap checks on it prove: why no plan exists (then the greedy does not run).

    The checks come first because they prove most plan-less scenarios in well under a second
    (the link cuts: 0.15 s at 418 sites, 0.4 s at 852), while the greedy takes 28-40 s to give
    up on backbone/americas_nosc two-per-site (docs/network-scale.md, "No plan by a link cut")."""
    from nfvplan.solver.explain import cheap_checks
    from nfvplan.solver.problem import build_problem
    from nfvplan.solver.start import routed_start

    if not scenario.services or options.current is not None or options.failures:
        return None, None, []
    try:
        with budget.phase("build-light"):
            light = build_problem(scenario, objective, routing=False)
        with budget.phase("checks-light"):
            reasons = cheap_checks(light)
        if reasons:
            return None, light, reasons
        with budget.phase("routed-start"):
            return routed_start(light, budget), light, []
    except Stopped:
        return None, None, []


def _no_problem(
    scenario: Scenario,
    objective: Objective,
    options: SolveOptions,
    limits: RunLimits,
    budget: Budget,
) -> Plan:
    """The honest outcome when even the problem could not be built within the limit."""
    from nfvplan.plan import ObjectiveValue, SolveStats
    from nfvplan.solver.status import without_problem

    status, reason = without_problem(interrupted=stop_requested(), time_limit_s=limits.time_limit_s)
    phases = tuple(budget.phases.items())
    stats = SolveStats(round(budget.elapsed(), 3), "", limits.workers, limits.seed, (), phases)
    if options.phases is not None:
        options.phases.update(budget.phases)
    return Plan(
        scenario=scenario.name,
        status=status,
        objective=ObjectiveValue(objective.value, None, None, None),
        stats=stats,
        explanation=[reason],
    )


def _build(
    scenario: Scenario,
    objective: Objective,
    options: SolveOptions,
    k_paths: int | None,
    path_cap: int | None,
) -> Problem:
    """The solver's view of the scenario with the deployment and the failures attached."""
    from nfvplan.lifecycle import worker_spare
    from nfvplan.solver.problem import (
        DEFAULT_K_PATHS,
        DEFAULT_PATH_CAP,
        attach_current,
        build_problem,
    )
    from nfvplan.solver.survive import resolve

    problem = build_problem(
        scenario,
        objective,
        k_paths=k_paths or DEFAULT_K_PATHS,
        path_cap=path_cap or DEFAULT_PATH_CAP,
    )
    if options.current is not None:
        attach_current(
            problem,
            [(p.vnf, p.instance, p.server, p.form) for p in options.current.placements],
            keep=options.keep_current,
            move_cost=options.move_cost,
            max_moves=options.max_moves,
            spare=worker_spare(scenario, options.current) if options.keep_current else None,
        )
    problem.failures = [resolve(problem, spec) for spec in options.failures]
    return problem


def _start(problem: Problem, strategy: Strategy, budget: Budget, limits: RunLimits) -> Incumbent:
    """Start plans: the greedy (or the deployment to re-plan from)."""
    from nfvplan.solver.start import start_plans

    with budget.phase("start"):
        incumbent = start_plans(problem, budget, large=strategy.decomposed)
    _report(problem, incumbent, budget, limits)
    return incumbent


def _bound(problem: Problem, incumbent: Incumbent, strategy: Strategy, budget, limits):
    """The bound: the configuration LP, part by part for the site-by-site strategy."""
    from nfvplan.solver.bound import parts_bound, whole_bound

    parts = None
    if strategy.decomposed:
        incumbent, parts = parts_bound(problem, incumbent, budget, limits.seed)
    else:
        incumbent = whole_bound(problem, incumbent, budget, limits.seed)
    _report(problem, incumbent, budget, limits)
    return incumbent, parts


def _guided(problem: Problem, incumbent: Incumbent, budget: Budget, limits: RunLimits) -> Incumbent:
    """The routing-aware greedy again, guided by the routing bound's best solution."""
    from nfvplan.solver.start import guided_start

    if not incumbent.opened:  # no routing bound solution to be guided by
        return incumbent
    try:
        with budget.phase("guided-start"):
            incumbent = guided_start(problem, incumbent, budget)
    except Stopped:
        return incumbent
    _report(problem, incumbent, budget, limits)
    return incumbent


def _guided_search(
    problem: Problem, incumbent: Incumbent, budget: Budget, limits: RunLimits
) -> Incumbent:
    """The sites of the routing bound's best solution re-planned together (`lns.search_guided`)."""
    from nfvplan.solver.lns import search_guided

    incumbent = search_guided(problem, incumbent, budget, limits)
    _report(problem, incumbent, budget, limits)
    return incumbent


def _search(problem: Problem, incumbent: Incumbent, strategy, parts, budget, limits) -> Incumbent:
    """The search: site by site from a plan when decomposed, else CP-SAT on the whole model."""
    from nfvplan.solver.search import search_model
    from nfvplan.solver.sitewise import search_sites

    if strategy.decomposed and incumbent.has_plan:  # re-planning sites needs a plan to split
        found = search_sites(problem, incumbent, parts, budget, limits)
        _report(problem, found, budget, limits)
        return found
    return search_model(problem, incumbent, budget, limits)


def _report(problem: Problem, incumbent: Incumbent, budget: Budget, limits: RunLimits) -> None:
    """Tell the caller about the incumbent's plan, if it has one."""
    from nfvplan.solver.incumbent import natural

    if limits.progress is None or incumbent.value is None:
        return
    objective = problem.objective
    bound = natural(objective, incumbent.bound or 0)
    limits.progress(Progress(budget.elapsed(), natural(objective, incumbent.value), bound))


def _plan(
    scenario: Scenario,
    problem: Problem,
    incumbent: Incumbent,
    reasons: list[str],
    strategy: Strategy,
    options: SolveOptions,
    limits: RunLimits,
    budget: Budget,
    facts: _Facts,
) -> Plan:
    """The plan of the outcome: re-plan notes and migration, explanation, self-check."""
    from nfvplan.migration import plan_migration
    from nfvplan.solver.qualify import replanning_outcome
    from nfvplan.solver.result import build_plan
    from nfvplan.solver.selfcheck import check_own_plan

    if options.current is not None:
        incumbent = replanning_outcome(
            incumbent,
            keep=options.keep_current,
            move_cost=options.move_cost,
            max_moves=options.max_moves,
            objective=problem.objective,
        )
    incumbent.wall_time_s = budget.elapsed()
    with budget.phase("plan"):
        plan = build_plan(problem, incumbent, strategy.name, limits.workers, limits.seed)
    if reasons or not incumbent.status.has_plan:
        plan = replace(plan, explanation=reasons or ["no plan exists for this scenario"])
    elif options.current is not None:
        plan = replace(plan, migration=plan_migration(scenario, options.current, plan))
    with budget.phase("check"):
        check_own_plan(scenario, plan)
    if options.phases is not None:
        options.phases.update(budget.phases)
    stats = replace(
        plan.stats,
        wall_time_s=round(budget.elapsed(), 3),
        phases=tuple(budget.phases.items()),
        first_plan_s=facts.first_plan_s,
        baseline=facts.baseline,
        bound_source=_bound_source(problem, incumbent),
    )
    return replace(plan, stats=stats)


def _bound_source(problem: Problem, incumbent: Incumbent) -> str:
    """Which bound the plan reports: the configuration LP's (which ignores routing) or the
    search's own (over its model: `status.decide` reports the LP's over restricted paths)."""
    if incumbent.bound is None:
        return ""
    if incumbent.relaxation_bound is not None and incumbent.bound <= incumbent.relaxation_bound:
        if incumbent.bound_name:  # the routing bound, or the LP over its forced counts
            return incumbent.bound_name
        return "configuration LP" + (" (ignores routing)" if problem.routing else "")
    return "search"
