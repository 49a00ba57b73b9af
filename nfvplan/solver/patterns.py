"""A lower bound, and a plan, from server configurations: nfvplan's configuration LP.

The assignment model's LP relaxation is the volume bound: it never sees that two large
instances cannot share a server. The configuration ("pattern") LP does: each column is one
way to fill one server of a group that obeys every per-server rule (`solver/pricing.py`), and
the LP chooses how many servers of each configuration to use. Its value is the classic
Gilmore-Gomory bound, usually equal to the optimum rounded up.

It is solved, and searched for plans, by the one column generation of `solver/colgen.py`, the
code the vector packing benchmark measures: one bin type per group of interchangeable servers
(with its cost and how many there are), one row per VNF (its instance count). Every pricing
round gives a valid bound, so a time-limited run still returns a proven one. Rules across
servers (rack and site anti-affinity, routing) are relaxed, which keeps the bound valid. Without
routing, a choice of configurations is a plan once the instances of VNFs with rules across
servers are placed again by the greedy (`_complete`), so the configuration search (residual
rounding, exact dives, the integer master) is a plan search; when its plan meets the bound it is
optimal (`PatternResult.proven`), and when the scenario is a pure packing (`pure_packing`) that
search is the whole search.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from nfvplan.model import Objective, Scope
from nfvplan.solver import colgen
from nfvplan.solver.colgen import Column, Group
from nfvplan.solver.data import COST_SCALE, THREADS
from nfvplan.solver.greedy import greedy_plan
from nfvplan.solver.pricing import GroupPricer
from nfvplan.solver.problem import Problem

Counts = dict[tuple[int, int, int | None], int]
"""A plan as instance counts per (kind, slot, NUMA node or None)."""
Fill = dict[tuple[int, int | None], int]
"""One server's configuration: instance counts per (kind, NUMA node or None)."""

DIVES_BEFORE_SEARCH = 4
"""Dives (then one integer master) when the configurations are not the whole problem (rules
across servers): the assignment search that follows gets the rest of the time."""


@dataclass
class PatternResult:
    """What the configuration LP proved and found, in first-objective units."""

    bound: int
    """A proven lower bound on the first objective (cents for `cost`, servers for `servers`)."""
    converged: bool
    """The LP reached its optimum (or the bound met the plan): more time would not raise it."""
    iterations: int
    """Pricing rounds."""
    columns: int
    hint: Counts | None = None
    """The best complete plan found (None with routing, where configurations are no plan)."""
    seconds: float = 0.0
    lp_value: float = 0.0
    """The configuration LP's value (its optimum when `converged` by pricing)."""
    proven: bool = False
    """The hint's first-objective value meets the bound: it is optimal on that level."""
    source: str = ""
    """Which step found the hint: start (the greedy), rounding, integer-master or dive."""
    stats: dict[str, float] = field(default_factory=dict)
    """The search's counters: pricing calls and seconds, columns, dives (`colgen.search`)."""


def supports(problem: Problem) -> bool:
    """Column generation bounds the `cost` and `servers` objectives."""
    return problem.objective in (Objective.COST, Objective.SERVERS)


def _across_servers(problem: Problem) -> set[str]:
    """VNFs with a rule across servers (rack or site anti-affinity) the configurations relax."""
    return {
        name
        for name, v in problem.scenario.vnfs.items()
        if v.anti_affinity in (Scope.RACK, Scope.SITE)
    }


def pure_packing(problem: Problem) -> bool:
    """True when the configurations say everything: the configuration search is the search.

    No routing, no rule across servers, no deployment to re-plan from, no failures to survive:
    a plan is then exactly a choice of configurations, so a plan that meets the configuration
    bound is optimal, and the pipeline need not run another search after this one.
    """
    return (
        supports(problem)
        and problem.routing is None
        and not _across_servers(problem)
        and problem.current is None
        and not problem.failures
    )


def _groups(problem: Problem) -> list[list[int]]:
    """Slots with the same configurations: same type, cost and candidate kinds (with the same
    most copies), in slot order.

    The configuration LP has no row across servers, so servers that admit exactly the same
    configurations are one group whatever their site: pooling a core VNF's three sites' hosts
    of one type into one group gives the same LP (any solution of the pooled LP splits over the
    sites, as every column fits every one of them) priced once instead of three times. Slots no
    kind may use are in no group.
    """
    offers: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (k, s), most in problem.bounds.items():
        offers[s].append((k, most))
    groups: dict[tuple, list[int]] = defaultdict(list)
    for slot in problem.slots:
        if slot.index in offers:
            key = (slot.type.name, slot.cost, tuple(sorted(offers[slot.index])))
            groups[key].append(slot.index)
    return list(groups.values())


class _Configurations:
    """The problem as a configuration LP: rows, groups, and the way back to plans."""

    def __init__(self, problem: Problem, caps: dict[str, int] | None) -> None:
        self.problem = problem
        self.names = [name for name in problem.vnf_names if problem.counts.get(name, 0) > 0]
        rows = {name: r for r, name in enumerate(self.names)}
        licence = {
            name: round(v.license_monthly * COST_SCALE) for name, v in problem.scenario.vnfs.items()
        }
        self.slots: list[list[int]] = []
        self.pricers: list[GroupPricer] = []
        for members in _groups(problem):
            pricer = GroupPricer(problem, members[0], rows, licence, caps)
            if pricer.kinds:
                self.slots.append(members)
                self.pricers.append(pricer)
        self.group_of = {s: g for g, members in enumerate(self.slots) for s in members}
        self.demand = [problem.counts[name] for name in self.names]
        biggest = max([p.cost for p in self.pricers] + [1])
        self.artificial = 10 * (biggest + max(licence.values(), default=0))

    def generator(self, deadline: float) -> colgen.Generator:
        groups = [Group(p.cost, len(m), p) for p, m in zip(self.pricers, self.slots, strict=True)]
        return colgen.Generator(self.demand, groups, deadline, self.artificial)

    def columns_of(self, counts: Counts) -> list[Column]:
        """A plan's servers as columns (the search's first master starts from them)."""
        fills: dict[int, Fill] = defaultdict(dict)
        for (k, s, node), c in counts.items():
            if c and s in self.group_of and self.problem.kinds[k].vnf.name in self.names:
                fills[s][(k, node)] = c
        columns = []
        for s, fill in fills.items():
            g = self.group_of[s]
            column = self.pricers[g].column(fill)
            columns.append(Column(g, column.cover, column.cost, column.payload))
        return columns

    def complete(self, columns: list[Column]) -> tuple[int, object] | None:
        """Chosen columns laid onto their groups' servers, finished by the greedy."""
        chosen: dict[int, list[Fill]] = defaultdict(list)
        for column in columns:
            chosen[column.group].append(dict(column.payload))  # type: ignore[arg-type]
        plan = _complete(self.problem, self.slots, chosen)
        return None if plan is None else (self.problem.plan_cost(plan), plan)

    def worst(self) -> int:
        """More than any plan can cost: every server and every instance's licence, plus one."""
        servers = sum(p.cost * len(m) for p, m in zip(self.pricers, self.slots, strict=True))
        licences = 0
        if self.problem.objective is Objective.COST:
            vnfs = self.problem.scenario.vnfs
            licences = sum(
                round(vnfs[name].license_monthly * COST_SCALE) * n
                for name, n in zip(self.names, self.demand, strict=True)
            )
        return servers + 2 * licences + 1


def pattern_bound(
    problem: Problem,
    budget_s: float,
    seed: int,
    caps: dict[str, int] | None = None,
    *,
    workers: int = 1,
    start: Counts | None = None,
) -> PatternResult | None:
    """Column generation and configuration search within `budget_s`: a bound and a plan.

    Returns None when the objective is not one the LP bounds (`supports`) or nothing is to be
    placed. The bound is valid whenever this returns, the LP converged or not. Without routing,
    `hint` is the best complete plan found (the greedy's, `start`'s, or one built from
    configurations) and `proven` says it meets the bound; the search stops as soon as it does.
    With routing only the bound is computed. `caps` overrides the most instances of a VNF per
    server (an aggregated pool of identical anti-affine VNFs may put one of each on a server,
    see `solver/decompose.py`).
    """
    if not supports(problem):
        return None
    started = time.perf_counter()
    deadline = started + budget_s
    lp = _Configurations(problem, caps)
    if not any(lp.demand) or not lp.pricers:
        return None
    plans = problem.routing is None
    first: tuple[int, object] = (lp.worst(), None)
    columns: list[Column] = []
    # The starting plans' servers are configurations (the greedy obeys every per-server rule,
    # routing aside): they seed the master, and without routing the best is the plan to beat.
    for plan in (start, greedy_plan(problem) if start is None else None):
        if plan:
            columns += lp.columns_of(plan)
            if plans and problem.plan_cost(plan) < first[0]:
                first = (problem.plan_cost(plan), plan)
    gen = lp.generator(deadline)
    # A pure packing's configuration search is the whole search: it runs to the proof or the
    # budget. Otherwise the CP-SAT search follows and needs the time: a few dives only.
    found = colgen.search(
        gen,
        first,
        columns,
        lp.complete,
        0,
        deadline,
        workers=workers,
        seed=seed,
        plans=plans,
        max_dives=None if pure_packing(problem) else DIVES_BEFORE_SEARCH,
    )
    bound = max(0, found.bound)
    hint: Counts | None = found.plan if plans else None  # type: ignore[assignment]
    converged = gen.lp_value is not None or (hint is not None and found.proven)
    if gen.ceiling is not None and bound >= gen.ceiling:
        converged = True
    return PatternResult(
        bound=bound,
        converged=converged,
        iterations=gen.rounds,
        columns=len(gen.columns),
        hint=hint,
        seconds=time.perf_counter() - started,
        lp_value=gen.lp_value if gen.lp_value is not None else gen.last_value,
        proven=hint is not None and found.proven,
        source=found.source,
        stats=found.stats,
    )


def _complete(
    problem: Problem, groups: list[list[int]], chosen: dict[int, list[Fill]]
) -> Counts | None:
    """Lay chosen configurations onto their groups' servers, trimmed, and finish greedily.

    Instances of VNFs with rules across servers are left to the greedy, which obeys them.
    Fuller configurations take a group's first servers (the model's symmetry order).
    """
    across = _across_servers(problem)
    for fills in chosen.values():
        for fill in fills:
            for key in [key for key in fill if problem.kinds[key[0]].vnf.name in across]:
                del fill[key]
    _trim_surplus(problem, chosen)
    start: Counts = {}
    for g, fills in chosen.items():
        fills = [f for f in fills if f]
        fills.sort(
            key=lambda f: -sum(problem.kinds[k].demand[THREADS] * c for (k, _n), c in f.items())
        )
        for s, fill in zip(_interleaved(problem, groups[g]), fills, strict=False):
            for (k, node), count in fill.items():
                start[(k, s, node)] = count
    return greedy_plan(problem, start)


def _interleaved(problem: Problem, group: list[int]) -> list[int]:
    """A group's slots taking each site in turn: configurations spread over a pooled group's
    sites, so every site keeps room for what the greedy must still place there (one instance
    per site of a site-anti-affine VNF cannot go to a site whose servers are all full)."""
    rank: dict[str, int] = defaultdict(int)
    keyed = []
    for s in group:
        site = problem.slots[s].site.name
        keyed.append((rank[site], s))
        rank[site] += 1
    return [s for _r, s in sorted(keyed)]


def _trim_surplus(problem: Problem, chosen: dict[int, list[Fill]]) -> None:
    """Remove instances beyond each VNF's count (configurations may over-cover)."""
    covered: dict[str, int] = defaultdict(int)
    for fills in chosen.values():
        for fill in fills:
            for (k, _n), c in fill.items():
                covered[problem.kinds[k].vnf.name] += c
    for fills in chosen.values():
        for fill in reversed(fills):
            for key in list(fill):
                name = problem.kinds[key[0]].vnf.name
                surplus = covered[name] - problem.counts[name]
                if surplus <= 0:
                    continue
                cut = min(surplus, fill[key])
                fill[key] -= cut
                covered[name] -= cut
                if fill[key] == 0:
                    del fill[key]
