"""Column generation on a configuration LP, and the search over its configurations.

The one column generation of nfvplan. It knows nothing of scenarios: a problem is a list of
rows (item types, each with a required count) and a list of bin types ("groups": a cost per
bin, how many bins are available, and a pricer that finds the best way to fill one bin for
given row duals). A column is one way to fill one bin of a group: how many items of each row it
covers and what it costs. Pure vector packing (`vpack.solve_packing`) is one group of cost 1
with unlimited bins; an nfvplan placement (`patterns.pattern_bound`) is one group per (site,
server type) class, its pricer (`solver/pricing.py`) enforcing every per-server rule.

The master LP is  min sum_p c_p x_p  s.t.  sum_p a_rp x_p >= n_r (every row),
sum_{p in g} x_p <= available_g (every group with a limit), x >= 0, with artificial columns of
a large cost keeping it feasible (they only enlarge the LP: its optimum stays a lower bound).

What makes it strong, each measured in docs/performance.md:

* Wentges smoothing: price at a mix of the best-bound duals and the master's;
* a valid bound at every round (Farley: duals scaled by the best profit/cost ratio are feasible
  for the LP without availability rows; Lagrangian with them), so a time-limited run still
  proves something;
* decision pricing: the bound only matters rounded up, so pricing asks "is there a column worth
  more than the floor the next integer bound needs?", a much smaller search than the optimum;
* the root LP converged with exact pricing, then exact dives (fix the LP's whole
  configurations, else the most used one; re-converge the residual LP; give up as soon as it
  proves the incumbent out of reach), an integer master over the columns that reduced-cost
  fixing keeps, and short bursts of root column generation between dives.

Objective values are integers (bins, servers or cents), so "better" means at least one unit
less, and every bound is rounded up.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from nfvplan.solver.cpsat import make_solver
from nfvplan.solver.stop import stop_requested

SMOOTHING = 0.5
"""Wentges smoothing: price at this mix of the best-bound duals and the master's."""
STOP_AFTER: int | None = 200
"""Nodes an exact pricing call searches on after its first column above the floor (None: to
the optimum)."""
ROOT_SHARE = 0.6
"""Share of the time the first (bound) column generation may use before the search starts."""
CG_BURST = 1.0
"""Seconds of root column generation after each dive while the root LP is not converged: the
dives' columns help it, and on 120 items it often needs more than its first share."""
MASTER_S = 2.0
"""Most seconds one integer-master call may take (it rarely finds more after that)."""
MASTER_EVERY = 4
"""The integer master runs after every this many dives (and first, when the LP is unproven)."""
STALE_DIVES = 32
"""The dives stop after this many in a row that priced no column and fixed nothing a dive had
not fixed before: each was a repeat (a dive is decided by its fixings and the columns), so the
tree they sample is exhausted, and the CP-SAT search after the bound, not more repeats, can
prove what they cannot (on a 3-instance packing they once repeated themselves for 90 % of the
limit)."""
EPS = 1e-9


@dataclass(frozen=True)
class Column:
    """One way to fill one bin of `group`: rows covered (row, count) and its cost.

    `payload` is what the caller needs to lay the column onto a real bin (a vector packing's
    fill, an nfvplan configuration's counts per kind and NUMA node); it takes no part in the LP.
    """

    group: int
    cover: tuple[tuple[int, int], ...]
    cost: int
    payload: Hashable = None

    @property
    def key(self) -> tuple:
        """Columns equal for the LP (same group, coverage and cost) are one column."""
        return (self.group, self.cover, self.cost)


@dataclass
class Priced:
    """What a pricer found: columns (best first), a proven upper bound on the best profit
    sum_r y_r a_r - (c_p - c_g) of any column of its group, and whether that bound is exact."""

    columns: list[Column]
    bound: float
    proven: bool


class Pricer(Protocol):
    """The pricing problem of one group: the bin's best configurations for given row duals.

    A column's profit at duals y is sum_r y_r a_rp minus what it costs beyond the bin itself
    (nfvplan's licences): it prices out when the profit exceeds the bin's cost (plus the
    group's availability dual). `left` caps what a column may cover of each row; `floor`: only
    columns worth more than it are asked for, and a proof that none is gives bound = floor;
    `exact=False` asks for quick (greedy) columns only, bound infinite; `stop_after`: once a
    column above the floor is found, search that many more nodes and return it unproven.
    """

    def price(
        self,
        duals: Sequence[float],
        left: Sequence[int],
        *,
        floor: float,
        exact: bool,
        stop_after: int | None,
        deadline: float | None,
    ) -> Priced: ...


@dataclass
class Group:
    """A bin type: the cost of one bin, how many there are (None: unlimited), its pricer."""

    cost: int
    available: int | None
    pricer: Pricer


class _Master:
    """The restricted master LP on GLOP, grown column by column."""

    def __init__(
        self, demand: Sequence[int], groups: Sequence[Group], artificial: float | None = None
    ) -> None:
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        inf = self.lp.infinity()
        self.rows = [self.lp.Constraint(float(n), inf) for n in demand]
        self.limits = [
            None if g.available is None else self.lp.Constraint(-inf, float(g.available))
            for g in groups
        ]
        self.objective = self.lp.Objective()
        self.objective.SetMinimization()
        # Artificial columns: one per row, dearer than any bin could make a unit of coverage.
        big = artificial if artificial is not None else 10.0 * max([g.cost for g in groups] + [1])
        for r, row in enumerate(self.rows):
            if demand[r]:
                var = self.lp.NumVar(0.0, inf, "")
                self.objective.SetCoefficient(var, big)
                row.SetCoefficient(var, 1.0)
        self.columns: list[Column] = []
        self.vars: list[pywraplp.Variable] = []
        self.seen: set[tuple] = set()

    def add(self, column: Column) -> bool:
        """Add a column unless it is empty or already there; True when added."""
        if not column.cover or column.key in self.seen:
            return False
        self.seen.add(column.key)
        var = self.lp.NumVar(0.0, self.lp.infinity(), "")
        self.objective.SetCoefficient(var, float(column.cost))
        for r, c in column.cover:
            self.rows[r].SetCoefficient(var, float(c))
        limit = self.limits[column.group]
        if limit is not None:
            limit.SetCoefficient(var, 1.0)
        self.columns.append(column)
        self.vars.append(var)
        return True

    def fix(self, fixed: Sequence[int]) -> None:
        """Lower bounds on the columns: `fixed[c]` bins of column c (missing entries 0)."""
        for c, var in enumerate(self.vars):
            var.SetLb(float(fixed[c]) if c < len(fixed) else 0.0)

    def solve(self) -> tuple[float, list[float], list[float], list[float]] | None:
        """LP value, row duals, group duals (<= 0; 0 without a limit), column usage."""
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        duals = [max(0.0, row.dual_value()) for row in self.rows]
        mu = [0.0 if lim is None else min(0.0, lim.dual_value()) for lim in self.limits]
        return self.objective.Value(), duals, mu, [v.solution_value() for v in self.vars]


def reduced_cost(column: Column, duals: Sequence[float], mu: Sequence[float]) -> float:
    """c_p - y a_p - mu_g: negative when the column improves the master at (y, mu)."""
    return column.cost - sum(duals[r] * c for r, c in column.cover) - mu[column.group]


class Generator:
    """Column generation on the configuration LP, reusable under fixings (dives)."""

    def __init__(
        self,
        demand: Sequence[int],
        groups: Sequence[Group],
        deadline: float,
        artificial: float | None = None,
    ) -> None:
        """`artificial`: the cost per unit of an artificial column (default 10 x the dearest
        bin); it must exceed what a unit of coverage can cost."""
        self.demand = list(demand)
        self.groups = list(groups)
        self.deadline = deadline
        self.master = _Master(self.demand, self.groups, artificial)
        self.last_value = 0.0
        """The value of the last restricted root LP solved."""
        self.step = max(1, min(g.cost for g in self.groups))
        """How far each decision-pricing round aims above the proven bound: one bin (cents
        for a cost objective: one cent per round would crawl)."""
        self.pricing_calls = 0
        self.pricing_s = 0.0
        self.rounds = 0
        self.lp_value: float | None = None
        """The root configuration LP's optimum, once column generation has proven it."""
        self.ceiling: int | None = None
        """The rounded-up value of the last restricted root LP solved: the bound can reach it."""

    @property
    def columns(self) -> list[Column]:
        """Every column generated so far, in the master's order."""
        return self.master.columns

    def useful(self, incumbent: int) -> list[Column]:
        """The columns that can be in a plan costing less than `incumbent` (all if unsure).

        Reduced-cost fixing on the root restricted LP (value L, duals y, mu): any integer
        combination x of its columns costs at least L + sum_p rc_p x_p, so a column whose
        reduced cost is above incumbent - 1 - L cannot be in one costing less than `incumbent`.
        The integer master then works on the few columns that matter.
        """
        self.master.fix([])
        solved = self.master.solve()
        if solved is None:
            return self.columns
        value, duals, mu, _ = solved
        slack = incumbent - 1 - value + 1e-6
        return [c for c in self.columns if reduced_cost(c, duals, mu) <= slack]

    def residual(self, fixed: Sequence[int]) -> list[int]:
        """Demand left after the columns fixed (by lower bounds) in the master."""
        left = list(self.demand)
        for col, times in enumerate(fixed):
            if times:
                for r, c in self.columns[col].cover:
                    left[r] -= c * times
        return [max(0, v) for v in left]

    def free(self, fixed: Sequence[int]) -> list[int | None]:
        """Bins of each group not taken by the fixed columns (None: unlimited)."""
        used = [0] * len(self.groups)
        for col, times in enumerate(fixed):
            used[self.columns[col].group] += times
        return [
            None if g.available is None else g.available - used[i]
            for i, g in enumerate(self.groups)
        ]

    def price(
        self,
        duals: Sequence[float],
        left: Sequence[int],
        floors: Sequence[float],
        stop_after: int | None,
        exact: bool = True,
    ) -> tuple[list[Column], list[float], bool]:
        """Pricing of every group at `duals`: columns, per-group bounds, all proven.

        `exact=False`: quick (greedy) columns only, bounds infinite."""
        started = time.perf_counter()
        self.pricing_calls += 1
        columns: list[Column] = []
        bounds = []
        proven = True
        for g, group in enumerate(self.groups):
            if stop_requested():
                bounds.append(math.inf)
                proven = False
                continue
            result = group.pricer.price(
                duals,
                left,
                floor=floors[g],
                exact=exact,
                stop_after=stop_after,
                deadline=self.deadline,
            )
            columns += [Column(g, c.cover, c.cost, c.payload) for c in result.columns]
            bounds.append(result.bound)
            proven = proven and result.proven
        self.pricing_s += time.perf_counter() - started
        return columns, bounds, proven

    def add_improving(
        self, columns: Sequence[Column], duals: Sequence[float], mu: Sequence[float]
    ) -> bool:
        """Add the columns whose reduced cost at (duals, mu) is negative; True if any was new."""
        added = False
        for column in columns:
            if reduced_cost(column, duals, mu) < -1e-9 and self.master.add(column):
                added = True
        return added

    def lower_bound(
        self, duals: Sequence[float], left: Sequence[int], bounds: Sequence[float], fixed: list[int]
    ) -> float:
        """The better of the Farley and Lagrangian bounds that pricing at `duals` proves.

        No column of group g is worth more than bounds[g] beyond its extra costs, so duals
        scaled down by max_g bounds[g] / c_g (at least 1) are feasible for the dual of the LP
        without availability rows (Farley); and with them, the LP is at least
        y n + sum_g free_g min(0, c_g - bounds[g]) (Lagrangian).
        """
        yn = sum(y * n for y, n in zip(duals, left, strict=True))
        ratio = 1.0
        lagrangian = yn
        for group, best, free in zip(self.groups, bounds, self.free(fixed), strict=True):
            if group.cost > 0:
                ratio = max(ratio, best / group.cost)
            elif best > EPS:
                ratio = math.inf
            if best > group.cost:
                lagrangian = -math.inf if free is None else lagrangian + free * (group.cost - best)
        farley = yn / ratio if ratio < math.inf else -math.inf
        return max(farley, lagrangian)

    def converge(
        self, fixed: list[int], until: float | None = None
    ) -> tuple[float, list[float], bool] | None:
        """The LP with `fixed` lower bounds solved to its optimum by exact pricing.

        Returns (LP value, column usage, proven): proven when no column prices out, so the
        value is the LP optimum under the fixings and its rounded-up value a valid bound on
        any plan that completes them. At `until` (or the deadline) it stops and returns the
        last restricted LP, unproven; None when the master failed or was never solved.
        """
        self.master.fix(fixed)
        left = self.residual(fixed)
        deadline = self.deadline
        if until is not None:
            self.deadline = min(deadline, until)  # the pricing's own stop, for this call
        last: tuple[float, list[float], bool] | None = None
        try:
            while time.perf_counter() < self.deadline and not stop_requested():
                solved = self.master.solve()
                if solved is None:
                    return None
                value, duals, mu, usage = solved
                last = value, usage, False
                floors = [g.cost - m for g, m in zip(self.groups, mu, strict=True)]
                columns, _bounds, proven = self.price(duals, left, floors, None)
                self.rounds += 1
                if not self.add_improving(columns, duals, mu):
                    return value, usage, proven
            return last
        finally:
            self.deadline = deadline

    def run(
        self, fixed: list[int], stop_at: int | None = None, known: int = 0
    ) -> tuple[float, list[float]] | None:
        """Raise the bound on the LP with `fixed` lower bounds until the deadline.

        Returns (lower bound on the cost of the residual demand, column usage), or None when
        the master failed. `stop_at`: stop once the bound reaches it (nothing to gain).
        `known`: a bound already proven; pricing stops once the restricted LP cannot raise the
        bound above it.
        """
        self.master.fix(fixed)
        left = self.residual(fixed)
        if not any(left):
            return 0.0, [float(f) for f in fixed]
        fixed_cost = sum(self.columns[c].cost * t for c, t in enumerate(fixed))
        best = 0.0
        center: list[float] | None = None
        alpha = SMOOTHING
        duals: list[float] | None = None
        mu: list[float] = []
        usage: list[float] = []
        ceiling = 0
        exact = True
        while time.perf_counter() < self.deadline and not stop_requested():
            if duals is None:
                solved = self.master.solve()
                if solved is None:
                    return None
                lp_value, duals, mu, usage = solved
                ceiling = math.ceil(lp_value - fixed_cost - 1e-6)
                if not fixed_cost:
                    self.ceiling, self.last_value = ceiling, lp_value
                if exact and max(known, math.ceil(best - 1e-6)) >= ceiling:
                    if math.ceil(best - 1e-6) >= ceiling:
                        break
                    # The bound cannot rise above what is known: only better columns (for the
                    # plans built from the LP) are left to find, and quick pricing finds them.
                    exact = False
                if center is None:
                    center = duals
            assert center is not None
            trial = [alpha * c + (1 - alpha) * d for c, d in zip(center, duals, strict=True)]
            # The bound only matters rounded up: to raise it to `target` (one bin above what is
            # proven) the Farley bound needs every group's best profit below c_g y n /
            # (target - 1), so pricing need only decide whether a column is worth more than that
            # (or than c_g, its cost): a much smaller search than the optimum's.
            proven_now = max(known, math.ceil(best - 1e-6))
            target = min(ceiling, proven_now + self.step)
            if stop_at is not None:
                target = min(target, stop_at)
            yn = sum(y * n for y, n in zip(trial, left, strict=True))
            scale = max(1.0, yn / (target - 1 + 2e-6)) if target > 1 else 1.0
            floors = [g.cost * scale for g in self.groups]
            columns, bounds, proven = self.price(trial, left, floors, STOP_AFTER, exact)
            self.rounds += 1
            if all(b < math.inf for b in bounds):  # any valid upper bounds give a valid bound
                bound = self.lower_bound(trial, left, bounds, fixed)
                if bound > best:
                    best, center = bound, trial
                if math.ceil(best - 1e-6) >= min(ceiling, stop_at or ceiling):
                    break
            if self.add_improving(columns, duals, mu):
                alpha = SMOOTHING
                duals = None
            elif scale > 1.0 and proven and math.ceil(best - 1e-6) > proven_now:
                continue  # the bound rose to `target`: aim higher (with a lower floor) next
            elif alpha > 0.0:
                alpha = 0.0  # mispricing: price at the master's own duals before concluding
            else:
                if exact and proven and scale <= 1.0:
                    # No column prices out: the LP optimum is a bound.
                    value = self.master.objective.Value()
                    best = max(best, value - fixed_cost)
                    if not fixed_cost:
                        self.lp_value = value
                break
        return best, usage


# -- the search over configurations ----------------------------------------------------------


Complete = Callable[[list[Column]], "tuple[int, object] | None"]
"""Lay chosen columns onto bins, trim what they over-cover, place the rest by a heuristic:
(cost, plan) or None when no plan comes out."""


@dataclass
class SearchResult:
    """The best plan found (the caller's object), its cost, the proven bound and how."""

    plan: object
    value: int
    bound: int
    source: str
    """Which step found the plan: start, rounding, integer-master, dive."""
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def proven(self) -> bool:
        """The plan meets the bound: it is optimal."""
        return self.value <= self.bound


def search(
    gen: Generator,
    start: tuple[int, object],
    start_columns: Sequence[Column],
    complete: Complete,
    bound: int,
    deadline: float,
    *,
    workers: int = 1,
    seed: int = 0,
    plans: bool = True,
    max_dives: int | None = None,
) -> SearchResult:
    """Bound by column generation, then search the configurations for a plan that meets it.

    `start`: a plan (cost, plan) to beat, whose columns `start_columns` seed the master;
    `bound`: a bound already known. Root column generation gets `ROOT_SHARE` of the time, then
    the root LP is converged; residual rounding, the integer master (when the LP is unproven)
    and dives (each every fourth followed by the integer master) run until the time is up or a
    plan meets the bound. With `plans=False` (the columns do not make a plan: routing), only the
    bound is computed. `max_dives`: stop after that many dives (another search follows); the
    search also stops when `complete` keeps failing and there is no plan at all (a scenario the
    heuristic completion cannot finish, or an infeasible one).
    """
    started = time.perf_counter()
    best_value, best = start
    source = "start"
    stats: dict[str, float] = {"start": best_value}
    failed = [0]

    def done() -> bool:
        return best_value <= bound or time.perf_counter() >= deadline or stop_requested()

    def completed(columns: list[Column]) -> tuple[int, object] | None:
        found = complete(columns)
        failed[0] += found is None
        return found

    def take(found: tuple[int, object] | None, how: str) -> None:
        nonlocal best_value, best, source
        if found is not None and found[0] < best_value:
            best_value, best = found
            source = how

    gen.deadline = started + ROOT_SHARE * (deadline - started) if plans else deadline
    for column in start_columns:
        gen.master.add(column)
    usage: list[float] = []
    if not done():
        outcome = gen.run([], stop_at=best_value, known=bound)
        if outcome is not None:
            farley, usage = outcome
            bound = max(bound, math.ceil(farley - 1e-6))
        if not done() and gen.lp_value is None:
            # The LP to its optimum (exact pricing): its value may raise the bound, and its
            # duals make the integer master's reduced-cost fixing exact.
            converged = gen.converge([])
            if converged is not None:
                value, usage, proven = converged
                if proven:
                    gen.lp_value = value
                    bound = max(bound, math.ceil(value - 1e-6))
        stats["cg_s"] = time.perf_counter() - started
        if plans and usage:
            # Residual rounding: keep the LP's whole configurations, complete the rest.
            pairs = zip(gen.columns, usage, strict=False)
            kept = [c for c, u in pairs for _ in range(int(u + EPS))]
            take(completed(kept), "rounding")
    gen.deadline = deadline
    dives = 0
    if plans and not done() and gen.lp_value is None:
        found = _integer_master(gen, best_value, bound, deadline, workers, seed, completed)
        take(found, "integer-master")
    # Dives until the time is up or a plan meets the bound: the first follows the LP, the next
    # ones pick among the three most used configurations at random (seeded).
    rng = random.Random(seed)
    visited: set[int] = set()  # hashes of (columns, fixings) the dives have solved the LP of
    stale = 0
    while plans and not done():
        if max_dives is not None and dives >= max_dives:
            break
        if best is None and failed[0] >= MASTER_EVERY:
            break  # no plan, and the configurations do not complete into one
        if stale >= STALE_DIVES:
            break  # the dives only repeat themselves
        dives += 1
        before = len(visited)
        take(_dive(gen, best_value, rng if dives > 1 else None, completed, visited), "dive")
        stale = 0 if len(visited) > before else stale + 1
        if gen.lp_value is None and bound < (gen.ceiling or 0) and not done():
            gen.deadline = min(deadline, time.perf_counter() + CG_BURST)
            outcome = gen.run([], stop_at=best_value, known=bound)
            gen.deadline = deadline
            if outcome is not None:
                bound = max(bound, math.ceil(outcome[0] - 1e-6))
        if dives % MASTER_EVERY == 0 and not done():
            found = _integer_master(gen, best_value, bound, deadline, workers, seed, completed)
            take(found, "integer-master")
    stats.update(
        pricing_calls=gen.pricing_calls,
        pricing_s=gen.pricing_s,
        rounds=gen.rounds,
        columns=len(gen.columns),
        dives=dives,
        lp=-1.0 if gen.lp_value is None else gen.lp_value,
    )
    return SearchResult(best, best_value, bound, source, stats)


def _dive(
    gen: Generator,
    incumbent: int,
    rng: random.Random | None,
    complete: Complete,
    visited: set[int] | None = None,
) -> tuple[int, object] | None:
    """Fix configurations (the LP's whole ones, else the most used), re-pricing in between.

    The residual LP is re-solved to its optimum after every fixing (exact pricing) and the dive
    gives up as soon as that LP proves the fixings cannot lead below `incumbent`. With `rng`,
    each fractional fixing picks one of the three most used configurations at random, for a
    different dive each time. Each LP it solves is added to `visited` as the hash of the number
    of columns and the fixings (a hash, not the tuple: a collision only ends the dives early).
    """
    fixed: list[int] = []
    cheapest = min(g.cost for g in gen.groups)
    while time.perf_counter() < gen.deadline and not stop_requested():
        if visited is not None:
            visited.add(hash((len(gen.columns), *fixed)))
        outcome = gen.converge(fixed)
        if outcome is None:
            return None
        value, usage, proven = outcome
        if proven and math.ceil(value - 1e-6) >= incumbent:
            return None
        fixed += [0] * (len(gen.columns) - len(fixed))
        left = gen.residual(fixed)
        if not any(left):
            break
        fixed_cost = sum(gen.columns[c].cost * t for c, t in enumerate(fixed))
        if fixed_cost + cheapest > incumbent - 1:
            return None
        free = gen.free(fixed)
        slack = [(usage[c] - fixed[c], c) for c in range(len(usage))]
        whole = [(u, c) for u, c in slack if u >= 1 - 1e-6]
        if whole:
            for u, c in whole:
                fixed[c] += int(u + 1e-6)
            continue
        ranked = sorted(
            (t for t in slack if t[0] > 1e-6 and free[gen.columns[t[1]].group] != 0),
            reverse=True,
        )
        if not ranked:
            break
        pick = ranked[0] if rng is None else rng.choice(ranked[:3])
        fixed[pick[1]] += 1
    kept = [c for i, c in enumerate(gen.columns) for _ in range(fixed[i] if i < len(fixed) else 0)]
    return complete(kept)


def _integer_master(
    gen: Generator,
    incumbent: int,
    bound: int,
    deadline: float,
    workers: int,
    seed: int,
    complete: Complete,
) -> tuple[int, object] | None:
    """The cheapest integer combination of the useful columns (CP-SAT), short budget."""
    seconds = min(MASTER_S, deadline - time.perf_counter())
    columns = gen.useful(incumbent)
    if seconds < 0.2 or not columns or stop_requested():
        return None
    model = cp_model.CpModel()
    use = []
    for column in columns:
        most = max(math.ceil(gen.demand[r] / c) for r, c in column.cover)
        limit = gen.groups[column.group].available
        use.append(model.new_int_var(0, most if limit is None else min(most, limit), ""))
    covers: list[list[tuple[int, cp_model.IntVar]]] = [[] for _ in gen.demand]
    for column, var in zip(columns, use, strict=True):
        for r, c in column.cover:
            covers[r].append((c, var))
    for r, need in enumerate(gen.demand):
        if need:
            model.add(sum(c * v for c, v in covers[r]) >= need)
    for g, group in enumerate(gen.groups):
        mine = [v for c, v in zip(columns, use, strict=True) if c.group == g]
        if group.available is not None and mine:
            model.add(sum(mine) <= group.available)
    total = sum(c.cost * v for c, v in zip(columns, use, strict=True))
    model.add(total <= incumbent - 1)
    model.add(total >= bound)
    model.minimize(total)
    solver = make_solver(seconds, workers=workers, seed=seed, deterministic=False)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    chosen = [c for c, v in zip(columns, use, strict=True) for _ in range(solver.value(v))]
    return complete(chosen)
