"""The large-neighbourhood search: improve the routing-aware greedy's plan region by region.

On large networks the whole model cannot even be built in time (its candidate chain paths
took 33 s of a 60 s limit at 143 sites), and a CP-SAT search over all of it improved nothing.
So the search starts from the plan it has (the greedy's, which routes every demand) and
repeatedly re-plans one *neighbourhood* exactly (`neighbourhood.restrict`): a seed site and
its nearest sites by latency, with the demands whose routes process traffic there or start
there, everything else kept. Each neighbourhood is a small restricted `Problem` solved by the
one assignment model with the current sub-plan as a complete hint, under a deterministic time
limit; its solution replaces the sub-plan only when the whole plan gets cheaper, so the plan
only ever improves (never worse than the greedy).

The neighbourhood size adapts: one more site after a neighbourhood solved to optimality (it
was easy), one fewer after one that ran out of its time. Seeds go round the sites that hold
instances or are demand sources, in an order drawn from the seed; the search ends when the
time is up or when a whole round of seeds has brought nothing (then, with deterministic
limits per neighbourhood, the same scenario and seed give the same plan every run).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from nfvplan.model import Objective
from nfvplan.network import PathCache, build_graph
from nfvplan.solver.assignment import AssignmentModel
from nfvplan.solver.budget import (
    GUIDED_SEARCH_SHARE,
    HOOD_DTIME,
    HOOD_WALL_S,
    MIN_HOOD_S,
    Budget,
)
from nfvplan.solver.cpsat import make_solver
from nfvplan.solver.incumbent import Incumbent, Progress, RunLimits, natural
from nfvplan.solver.neighbourhood import Neighbourhood, SiteIndex, freed_by, merge, restrict
from nfvplan.solver.problem import DEFAULT_K_PATHS, Problem
from nfvplan.solver.routing import RoutingSet
from nfvplan.solver.stop import Stopped

LNS_SITES = 100
"""From this many sites a routed scenario is searched by neighbourhoods: at 143 sites the
whole model's chain paths took 33 s of a 60 s limit and its search improved nothing, while at
50 sites (47 demands) they took 0.9 s and the search proved the optimum (docs/network-scale.md)."""
LNS_PATHS = 1500
"""... or from this many estimated chain paths (demands x `DEFAULT_K_PATHS`, the estimate
made before enumerating any): germany50's 1 628-demand matrix enumerated 178 969 paths in 80 s."""
FIRST_SITES = 4
"""Sites of the first neighbourhoods (a seed and its three nearest)."""
MAX_SITES = 40
"""Largest region tried: past it a neighbourhood is as slow to solve as the whole model."""
MAX_FREED = 150
"""Freed demands a neighbourhood may hold; a region freeing more is shrunk around its seed
(a core site's catchment on a full traffic matrix frees hundreds)."""
K_PATHS = 3
"""Shortest paths per chain leg enumerated for a freed demand."""
PATH_CAP = 60
"""Chain paths kept per freed demand (plus its routes of today)."""
IMPROVED_NOTE = (
    "improved by large-neighbourhood search over regions of sites from the routing-aware "
    "greedy's plan ({rounds} neighbourhoods, {better} improvements)"
)


@dataclass
class _Outcome:
    """What one neighbourhood's search gave."""

    found: Incumbent | None
    optimal: bool


def use_lns(problem: Problem) -> bool:
    """True for routing on a network too large for the whole model's path enumeration (not for
    re-plans, failure survival or `balance`, which the routing-aware greedy does not plan)."""
    scenario = problem.scenario
    if not scenario.services or problem.current is not None or problem.failures:
        return False
    if problem.objective is Objective.BALANCE:
        return False
    demands = sum(len(service.demands) for service in scenario.services.values())
    return len(scenario.sites) >= LNS_SITES or demands * DEFAULT_K_PATHS >= LNS_PATHS


def unrouted(light: Problem) -> Problem:
    """The light problem (built without chain paths) as the strategy's problem: an empty,
    non-exhaustive path set says that routing matters (the start plans are hints, not plans;
    the bound is the one that ignores routing) though no chain path was enumerated."""
    return replace(light, routing=RoutingSet([], exhaustive=False, k=K_PATHS, cap=PATH_CAP))


def search_neighbourhoods(
    problem: Problem, incumbent: Incumbent, budget: Budget, limits: RunLimits
) -> Incumbent:
    """Improve the incumbent's plan neighbourhood by neighbourhood within the time left."""
    if not incumbent.has_plan or not incumbent.flows:
        return incumbent
    search = _Search(problem, incumbent, budget, limits)
    try:
        return search.run()
    except Stopped:  # Ctrl-C or the deadline while building a neighbourhood: keep the best
        return search.finish()


GUIDED_MAX_SITE_SHARE = 0.5
"""The guided neighbourhood runs only on at most this share of the sites with servers: on
examples/5g-abilene.yaml (a UPF in every metro) it would be the whole model again, and it
added 6 s to the search's 5 s proof (germany50 two-per-site: 5 sites of 50, TataNld 7 of 143)."""
GUIDED_MAX_FREED = 600
"""Most demands the guided neighbourhood frees (TataNld two-per-site: 280, a 52-server model
that CP-SAT improves in 40 s); past it the regional search alone runs."""


def search_guided(
    problem: Problem, incumbent: Incumbent, budget: Budget, limits: RunLimits
) -> Incumbent:
    """One neighbourhood before the others: the sites where the routing bound's best solution
    opens instances (`Incumbent.opened`) and those where the plan has them, with every demand
    through them freed, solved within `GUIDED_SEARCH_SHARE` of the time left. Why: the
    relaxation knows where instances pay but not how they split over servers, the plan knows
    the servers but grew demand by demand; re-planned together on those sites only, CP-SAT gets
    close to the relaxation's value (docs/network-scale.md). The incumbent unless cheaper."""
    if not incumbent.opened or not incumbent.has_plan or not incumbent.flows:
        return incumbent
    if problem.current is not None or problem.failures:  # a re-plan keeps to its own rules
        return incumbent
    region = sorted(
        {site for (_vnf, site) in incumbent.opened}
        | {problem.slots[s].site.name for (_k, s, _n), count in incumbent.counts.items() if count}
    )
    with_servers = {slot.site.name for slot in problem.slots}
    if len(region) > GUIDED_MAX_SITE_SHARE * len(with_servers):
        return incumbent  # about the whole model: the search proper does better on it
    if len(freed_by(incumbent, region)) > GUIDED_MAX_FREED:
        return incumbent
    seconds = GUIDED_SEARCH_SHARE * budget.left()
    try:
        with budget.phase("guided-search", seconds):
            cache = PathCache(build_graph(problem.scenario))
            hood = restrict(
                problem, incumbent, region, SiteIndex.of(problem), cache, K_PATHS, PATH_CAP
            )
            outside = problem.plan_cost(
                {key: c for key, c in incumbent.counts.items() if key[1] not in hood.slots}
            )
            target = None if incumbent.bound is None else int(incumbent.bound) - outside
            outcome = _solve(hood, seconds, limits, dtime=None, watch=_Watch(target))
    except Stopped:
        return incumbent
    if outcome.found is None:
        return incumbent
    merged = merge(problem, incumbent, hood, outcome.found)
    assert merged.value is not None and incumbent.value is not None
    if merged.value >= incumbent.value:
        return incumbent
    merged.notes = [*merged.notes, GUIDED_NOTE]
    return merged


GUIDED_NOTE = (
    "improved by re-planning the sites of the routing bound's best solution together "
    "(every demand through them)"
)


class _Watch(cp_model.CpSolverSolutionCallback):
    """Ends the guided search once its first objective level meets `target` (the bound, less
    what the plan outside the neighbourhood costs: nothing better exists on that level), or
    once it stalls: no better first level for `GUIDED_STALL_S` and for half the time so far.
    Why: the levels below the first (link loads, tie-breaks) are slow to prove, and the search
    after it works on them anyway (examples/5g-abilene.yaml: 9.6 s without the watch)."""

    def __init__(self, target: int | None) -> None:
        super().__init__()
        self.target = target
        self.model: AssignmentModel | None = None
        self.started = time.perf_counter()
        self.best: int | None = None
        self.improved = self.started
        self.done = threading.Event()

    def on_solution_callback(self) -> None:
        assert self.model is not None
        now = time.perf_counter()
        first = self.model.first_level(self.objective_value)
        if self.best is None or first < self.best:
            self.best, self.improved = first, now
        if self.target is not None and first <= self.target:
            self.stop_search()

    def stalled(self) -> bool:
        """True once the first level has not improved for `GUIDED_STALL_S` and for half the
        time so far (before any solution: never, the time limit holds)."""
        now = time.perf_counter()
        quiet = now - self.improved
        return (
            self.best is not None and quiet > GUIDED_STALL_S and quiet > 0.5 * (now - self.started)
        )

    def watching(self, solver: cp_model.CpSolver) -> threading.Thread:
        """A thread that stops `solver` when the search stalls (solutions alone cannot tell:
        a stalled search finds none), until `done` is set."""

        def watch() -> None:
            while not self.done.wait(WATCH_POLL_S):
                if self.stalled():
                    solver.stop_search()
                    return

        thread = threading.Thread(target=watch, name="guided-search-watch", daemon=True)
        thread.start()
        return thread


GUIDED_STALL_S = 5.0
"""The guided search stops after this long without a better first level (and half its time)."""
WATCH_POLL_S = 0.25
"""How often the watch looks at the guided search."""


def _solve(
    hood: Neighbourhood,
    seconds: float,
    limits: RunLimits,
    dtime: float | None = HOOD_DTIME,
    watch: _Watch | None = None,
) -> _Outcome:
    """The restricted model from the current sub-plan within `seconds` (and `dtime`, a
    deterministic limit, so that a search that converges repeats itself), CP-SAT in its
    deterministic mode: a search that finishes gives the same plan every run."""
    model = AssignmentModel(hood.problem)
    model.add_hint(hood.counts)
    model.add_network_hint(hood.flows, hood.traffic)
    solver = make_solver(seconds, workers=limits.workers, seed=limits.seed)
    if dtime is not None:
        solver.parameters.max_deterministic_time = dtime
    if watch is None:
        status = solver.solve(model.cp)
    else:
        watch.model = model
        thread = watch.watching(solver)
        try:
            status = solver.solve(model.cp, watch)
        finally:
            watch.done.set()
            thread.join()
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError(f"internal error: invalid CP-SAT model: {model.cp.validate()}")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Outcome(None, optimal=False)
    found = Incumbent(counts=model.read_counts(solver))
    model.read_network(solver, found)
    return _Outcome(found, optimal=status == cp_model.OPTIMAL)


class _Search:
    """The loop's state: the best plan, the region size, the seeds still to try."""

    def __init__(
        self, problem: Problem, incumbent: Incumbent, budget: Budget, limits: RunLimits
    ) -> None:
        self.problem = problem
        self.best = incumbent
        self.budget = budget
        self.limits = limits
        self.cache = PathCache(build_graph(problem.scenario))
        self.index = SiteIndex.of(problem)
        self.random = random.Random(limits.seed)
        self.sites = sorted(self.index.slots)
        self.size = min(FIRST_SITES, len(self.sites))
        self.rounds = 0
        self.better = 0

    def run(self) -> Incumbent:
        seeds = self._seeds()
        stale = 0
        queue: list[str] = []
        while stale < len(seeds) and self.budget.left() > MIN_HOOD_S:
            if not queue:
                queue = list(seeds)
                self.random.shuffle(queue)
            seed = queue.pop()
            hood = self._neighbourhood(seed)
            outcome = self._solve(hood)
            self.rounds += 1
            improved = False
            if outcome.found is not None:
                merged = merge(self.problem, self.best, hood, outcome.found)
                assert merged.value is not None and self.best.value is not None
                if merged.value < self.best.value:
                    self.best, improved = merged, True
                    self.better += 1
                    self._report()
            stale = 0 if improved else stale + 1
            if outcome.optimal:
                self.size = min(self.size + 1, MAX_SITES, len(self.sites))
            else:
                self.size = max(1, self.size - 1)
        return self.finish()

    def finish(self) -> Incumbent:
        """The best plan, with a note when the search improved the greedy's."""
        if self.better:
            note = IMPROVED_NOTE.format(rounds=self.rounds, better=self.better)
            self.best.notes = [
                *(n for n in self.best.notes if "routing-aware greedy (chain_greedy)" not in n),
                note,
            ]
        return self.best

    def _seeds(self) -> list[str]:
        """Sites holding instances or sending demands, in name order (the loop shuffles)."""
        busy = {self.problem.slots[s].site.name for (_k, s, _n), c in self.best.counts.items() if c}
        busy |= {flow.path.sites[0] for flow in self.best.flows}
        return [site for site in self.sites if site in busy]

    def _region(self, seed: str, size: int) -> list[str]:
        """The seed and its nearest sites with servers, by latency (names break ties)."""
        distance = [(self.cache.shortest_latency(seed, site), site) for site in self.sites]
        return [site for _d, site in sorted(distance)[:size]]

    def _neighbourhood(self, seed: str) -> Neighbourhood:
        """The neighbourhood around `seed` at the current size, shrunk while it frees more
        demands than `MAX_FREED`."""
        size = self.size
        while True:
            hood = restrict(
                self.problem,
                self.best,
                self._region(seed, size),
                self.index,
                self.cache,
                K_PATHS,
                PATH_CAP,
            )
            if len(hood.freed) <= MAX_FREED or size == 1:
                return hood
            size = max(1, size // 2)

    def _solve(self, hood: Neighbourhood) -> _Outcome:
        """The restricted model from the current sub-plan, under the deterministic limit."""
        return _solve(hood, min(HOOD_WALL_S, self.budget.left()), self.limits)

    def _report(self) -> None:
        if self.limits.progress is None or self.best.value is None:
            return
        objective = self.problem.objective
        value = natural(objective, self.best.value)
        bound = natural(objective, self.best.bound or 0)
        self.limits.progress(Progress(time.perf_counter() - self.budget.started, value, bound))
