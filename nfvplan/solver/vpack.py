"""Vector packing with any number of resources: the packing core nfvplan's pricing runs on.

Two things live here, both free of nfvplan's scenario model so that the literature's vector bin
packing instances (2-10 resources) measure exactly the code the planner runs:

* `Knapsack`: the multi-resource bounded knapsack that prices a server configuration (which
  instances to put on one server for the most dual value). A depth-first branch and bound over
  item types sorted by profit per normalised size, bounded by the fractional knapsack of the
  surrogate (normalised-sum) constraint and, when that does not prune, of single resources; a
  greedy fill comes first and is all column generation asks for while it finds improving
  columns. `nfvplan.solver.patterns` prices through it.
* `solve_packing`: identical bins, integer demand vectors: the one-bin-type case of the column
  generation and configuration search of `solver/colgen.py` (the same code `nfvplan solve` runs
  on a scenario's (site, server type) groups), first fit decreasing under several orderings
  giving the packing to beat.

Why a dedicated pricer rather than CP-SAT: a pricing call is a tiny problem solved hundreds of
times, where CP-SAT's model building and presolve dominate (~0.2 s per call on 120 items); the
branch and bound answers most calls in milliseconds, compiled (`knapsack_jit`) from 24 item
types on. See docs/performance.md, "Vector packing".
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from nfvplan.solver import colgen
from nfvplan.solver.colgen import Column, Group, Priced
from nfvplan.solver.cpsat import make_solver

EPS = 1e-9
NODE_LIMIT = 5_000
"""Branch-and-bound nodes per exact pricing call; past it the root bound is what is proven."""

GREEDY_STARTS = 4
"""Greedy fills started from each of the first few items, on top of the two orderings."""
COMPILED = True
"""Run the exact search compiled (`knapsack_jit`, numba); False: the Python search below, the
reference the tests compare the compiled one against."""
COMPILED_MIN_ITEMS = 24
"""Below this many item types the Python search runs: such knapsacks take it microseconds to
milliseconds, and loading numba (about 0.8 s per process) would cost a small plan more than it
saves; the two searches give the same results (tests/test_vpack.py)."""
COMPILED_NODE_LIMIT = 2_000_000
"""Nodes per exact pricing call in the compiled search (past it, CP-SAT as above)."""
Fill = tuple[tuple[int, int], ...]
"""A configuration: (item type, count) pairs, count > 0."""


class _Stop(Exception):
    """Node budget of one knapsack search spent."""


class _Found(Exception):
    """A fill above the floor was found and the caller asked to stop there (`stop_after`)."""


@dataclass
class KnapsackResult:
    """Best fills found (best first, values alongside) and a proven upper bound on the optimum."""

    fills: list[tuple[float, Fill]]
    bound: float
    proven: bool

    @property
    def value(self) -> float:
        """Profit of the best fill found (0 for the empty one)."""
        return self.fills[0][0] if self.fills else 0.0


class Knapsack:
    """max sum p_i x_i s.t. sum_i s_ir x_i <= C_r, 0 <= x_i <= u_i, optional group caps.

    `groups[i]` names a group (or None) whose members' total may not exceed `group_caps[g]`:
    nfvplan uses it for "at most `count` instances of a VNF, across its forms, on one server".
    """

    def __init__(
        self,
        capacity: Sequence[int],
        sizes: Sequence[Sequence[int]],
        groups: Sequence[int | None] | None = None,
        group_caps: dict[int, int] | None = None,
    ) -> None:
        self.capacity = tuple(capacity)
        self.sizes = [tuple(s) for s in sizes]
        self.groups = list(groups) if groups is not None else [None] * len(self.sizes)
        self.group_caps = dict(group_caps or {})
        self.dims = range(len(self.capacity))
        # Normalised size: the surrogate constraint sum_r s_ir / C_r <= sum_r rem_r / C_r.
        self.weight = [
            sum(s[r] / self.capacity[r] for r in self.dims if self.capacity[r] > 0)
            for s in self.sizes
        ]
        self.share = [
            max((s[r] / self.capacity[r] for r in self.dims if self.capacity[r] > 0), default=0.0)
            for s in self.sizes
        ]
        self.empty_fit = [self.fit(i, self.capacity) for i in range(len(self.sizes))]
        self._lp: tuple[pywraplp.Solver, list[pywraplp.Variable], list] | None = None

    def fit(self, i: int, rem: Sequence[int]) -> int:
        """Copies of item `i` that fit into `rem` (resources only)."""
        most = math.inf
        for r, s in enumerate(self.sizes[i]):
            if s > 0:
                most = min(most, rem[r] // s)
        return int(most) if most != math.inf else 1 << 30

    def solve(
        self,
        profits: Sequence[float],
        upper: Sequence[int],
        *,
        exact: bool = True,
        threshold: float = -math.inf,
        keep: int = 8,
        node_limit: int = NODE_LIMIT,
        deadline: float | None = None,
        floor: float = 0.0,
        stop_after: int | None = None,
    ) -> KnapsackResult:
        """The best fill for `profits`, with up to `keep` fills worth more than `threshold`.

        `floor`: the caller only needs to know the optimum when it is above `floor` (column
        generation: a configuration worth at most its cost neither prices out nor changes the
        Farley bound), so the search prunes against it and the bound returned is then
        max(optimum, floor), proven. With the duals near optimal that cuts most of the tree.

        `stop_after`: once a fill worth more than `floor` is found, search at most that many more
        nodes (for better ones) and return it unproven, with the root bound. Column generation
        asks "is there a column above the floor?": a yes needs one column, not the optimum.

        With `exact=False` only the greedy fills are tried and the bound is infinite.
        """
        cap = self.capacity
        items = [
            i
            for i in range(len(self.sizes))
            if profits[i] > EPS and upper[i] > 0 and self.empty_fit[i] > 0
        ]
        if not items:
            return KnapsackResult([], 0.0, True)
        order = sorted(items, key=lambda i: -profits[i] / max(self.weight[i], EPS))
        n = len(order)
        P = [profits[i] for i in order]
        S = [self.sizes[i] for i in order]
        W = [self.weight[i] for i in order]
        G = [self.groups[i] for i in order]
        U = [min(upper[i], self.empty_fit[i]) for i in order]
        gcap = dict(self.group_caps)
        dims = list(self.dims)
        NZ = [[(r, s) for r, s in enumerate(S[j]) if s] for j in range(n)]
        found: dict[Fill, float] = {}

        def record(x: list[int], value: float) -> None:
            if value > threshold + EPS:
                fill = tuple(sorted((order[j], c) for j, c in enumerate(x) if c))
                found[fill] = value

        def most(j: int, rem: list[int], gleft: dict[int, int]) -> int:
            m = U[j]
            for r, s in NZ[j]:
                q = rem[r] // s
                if q < m:
                    m = q
            g = G[j]
            if g is not None and g in gleft and gleft[g] < m:
                m = gleft[g]
            return m

        def bound(start: int, rem: list[int], gleft: dict[int, int], target: float) -> float:
            # Surrogate (normalised-sum) fractional knapsack over the items from `start` on.
            room = sum(rem[r] / cap[r] for r in dims if cap[r] > 0)
            value = 0.0
            for j in range(start, n):
                m = most(j, rem, gleft)
                if not m:
                    continue
                if W[j] * m <= room:
                    value += P[j] * m
                    room -= W[j] * m
                else:
                    value += P[j] * room / W[j] if W[j] > 0 else P[j] * m
                    break
            if value <= target:
                return value
            # Single resources, tightest first, until one proves the target out of reach.
            for r in sorted(dims, key=lambda r: rem[r] / cap[r] if cap[r] else math.inf):
                room_r = rem[r]
                v = 0.0
                for j in per_resource[r]:
                    if j < start:
                        continue
                    m = most(j, rem, gleft)
                    if not m:
                        continue
                    s = S[j][r]
                    if s == 0 or s * m <= room_r:
                        v += P[j] * m
                        room_r -= s * m
                    else:
                        v += P[j] * room_r / s
                        break
                value = min(value, v)
                if value <= target:
                    break
            return value

        best = [0.0]
        best_x: list[int] = [0] * n

        def greedy(seq: Sequence[int]) -> None:
            rem = list(cap)
            gleft = dict(gcap)
            x = [0] * n
            value = 0.0
            for j in seq:
                m = most(j, rem, gleft)
                if m:
                    x[j] = m
                    value += P[j] * m
                    for r in dims:
                        rem[r] -= S[j][r] * m
                    if G[j] in gleft:
                        gleft[G[j]] -= m
            record(x, value)
            if value > best[0]:
                best[0] = value
                best_x[:] = x

        # Greedy fills: by profit per normalised size sum, per largest share, and the first
        # order again started from each of the next few items (more, and more varied, columns
        # per round: column generation converges in fewer rounds).
        share = [self.share[i] for i in order]
        sequences = [
            list(range(n)),
            sorted(range(n), key=lambda j: -P[j] / max(share[j], EPS)),
            *([j, *range(j), *range(j + 1, n)] for j in range(1, min(n, GREEDY_STARTS + 1))),
        ]
        compiled = COMPILED and n >= COMPILED_MIN_ITEMS
        if compiled:
            from nfvplan.solver import knapsack_jit as jit

            group, group_cap = self._group_arrays(G)
            fills, values = jit.greedy(
                np.array(P, dtype=np.float64),
                np.array(S, dtype=np.int64).reshape(n, len(dims)),
                np.array(U, dtype=np.int64),
                group,
                group_cap,
                np.array(cap, dtype=np.int64),
                np.array(sequences, dtype=np.int64),
            )
            for x, value in zip(fills.tolist(), values.tolist(), strict=True):
                record(x, value)
                if value > best[0]:
                    best[0] = value
                    best_x[:] = x
        else:
            for seq in sequences:
                greedy(seq)
        if not exact:
            return self._result(found, keep, math.inf, False)
        per_resource = [
            sorted(range(n), key=lambda j, r=r: -P[j] / S[j][r] if S[j][r] else -math.inf)
            for r in dims
        ]
        root = bound(0, list(cap), dict(gcap), -math.inf)

        # Branch in the order of the LP-dual surrogate: with the root LP's capacity duals as
        # multipliers, the surrogate's Dantzig bound at the root is the LP bound itself, and it
        # stays a valid (and usually the tightest) bound deeper down.
        lam = self._lp_duals(order, P, U)
        if lam is not None:
            wl = [sum(lam[r] * S[j][r] for r in dims) for j in range(n)]
            key = sorted(range(n), key=lambda j: -P[j] / wl[j] if wl[j] > EPS else -math.inf)
            order = [order[j] for j in key]
            P = [P[j] for j in key]
            S = [S[j] for j in key]
            W = [W[j] for j in key]
            G = [G[j] for j in key]
            U = [U[j] for j in key]
            wl = [wl[j] for j in key]
            room_l = sum(lam[r] * cap[r] for r in dims)
            if not compiled:  # the Python search's own tables, in the new order
                NZ[:] = [[(r, s) for r, s in enumerate(S[j]) if s] for j in range(n)]
                per_resource = [
                    sorted(range(n), key=lambda j, r=r: -P[j] / S[j][r] if S[j][r] else -math.inf)
                    for r in dims
                ]

        # Per node, the copies of every item that still fit: one numpy step instead of a
        # Python loop over resources per item and per bound evaluation.
        size_np = np.array(S, dtype=np.int64).reshape(n, len(dims))
        zero_np = size_np == 0
        safe_np = np.where(zero_np, 1, size_np)
        upper_np = np.array(U, dtype=np.int64)
        huge = np.int64(1 << 40)

        def fits_now(rem: list[int]) -> list[int]:
            q = np.where(zero_np, huge, np.array(rem, dtype=np.int64) // safe_np)
            copies = np.minimum(upper_np, q.min(axis=1)).tolist()
            if gleft:
                for j in range(n):
                    g = G[j]
                    if g in gleft and gleft[g] < copies[j]:
                        copies[j] = gleft[g]
            return copies

        def lp_bound(start: int, rem: list[int], copies: list[int], target: float) -> float:
            if lam is None:
                return bound(start, rem, gleft, target)
            room = room_l - sum(lam[r] * (cap[r] - rem[r]) for r in dims)
            value = 0.0
            for j in range(start, n):
                m = copies[j]
                if not m:
                    continue
                if wl[j] * m <= room + 1e-12:
                    value += P[j] * m
                    room -= wl[j] * m
                else:
                    value += P[j] * room / wl[j]
                    break
            return value

        rem = list(cap)
        gleft = dict(gcap)
        x = [0] * n
        nodes = [0]
        # Values up to `floor` are all alike to the caller: prune everything that cannot beat it.
        if stop_after is not None and best[0] > floor + EPS:
            return self._result(found, keep, max(root, best[0]), False)
        best[0] = max(best[0], floor)
        if compiled:
            if lam is None:  # the normalised-sum surrogate, in the order already sorted by it
                lam = [1.0 / c if c > 0 else 0.0 for c in cap]
                wl = W
            return self._compiled(
                found,
                keep,
                root,
                best[0],
                threshold,
                order,
                P,
                S,
                wl,
                U,
                G,
                lam,
                stop_after,
                deadline,
            )

        first = [0]  # node count when the first fill above the floor was found

        def search(start: int, value: float) -> None:
            nodes[0] += 1
            if first[0] and nodes[0] > first[0] + stop_after:
                raise _Found
            if nodes[0] > node_limit or (deadline is not None and time.perf_counter() > deadline):
                raise _Stop
            copies = fits_now(rem)
            for j in range(start, n):
                if value + lp_bound(j, rem, copies, best[0] - value + EPS) <= best[0] + EPS:
                    return
                m = copies[j]
                if not m:
                    continue
                g = G[j]
                for c in range(m, 0, -1):
                    x[j] = c
                    for r in dims:
                        rem[r] -= S[j][r] * c
                    if g in gleft:
                        gleft[g] -= c
                    v = value + P[j] * c
                    if v > best[0] + EPS:
                        best[0] = v
                        if stop_after is not None and not first[0]:
                            first[0] = nodes[0]
                    record(x, v)
                    search(j + 1, v)
                    for r in dims:
                        rem[r] += S[j][r] * c
                    if g in gleft:
                        gleft[g] += c
                    x[j] = 0

        try:
            search(0, 0.0)
        except _Found:
            return self._result(found, keep, max(root, best[0]), False)
        except _Stop:
            return self._past_limit(found, keep, root, best[0], order, S, P, U, G, deadline)
        return self._result(found, keep, best[0], True)

    def _past_limit(
        self,
        found: dict[Fill, float],
        keep: int,
        root: float,
        best: float,
        order: list[int],
        S: list[tuple[int, ...]],
        P: list[float],
        U: list[int],
        G: list[int | None],
        deadline: float | None,
    ) -> KnapsackResult:
        """The node limit was hit: finish on CP-SAT, or give the root bound if out of time."""
        if deadline is not None and time.perf_counter() > deadline:
            return self._result(found, keep, max(root, best), False)
        # A hard knapsack for depth-first search: CP-SAT's LP and cuts close it faster.
        value, upper_bound, fill = _cpsat_knapsack(
            self.capacity, S, P, U, G, self.group_caps, best, deadline
        )
        if fill:
            found[tuple(sorted((order[j], c) for j, c in fill))] = value
        # Rounded-up profits: the bound may exceed the optimum by one unit per item.
        slack = (sum(U) + 1) / PROFIT_SCALE
        proven = upper_bound <= max(value, best) + slack
        return self._result(found, keep, max(upper_bound, best), proven)

    def _group_arrays(self, G: list[int | None]) -> tuple[np.ndarray, np.ndarray]:
        """The compiled code's view of the group caps: per item a group index (-1: uncapped),
        per group its cap (one dummy entry when there is none)."""
        names = sorted({g for g in G if g is not None and g in self.group_caps})
        index = {g: k for k, g in enumerate(names)}
        return (
            np.array([index.get(g, -1) for g in G], dtype=np.int64),
            np.array([self.group_caps[g] for g in names] or [0], dtype=np.int64),
        )

    def _compiled(
        self,
        found: dict[Fill, float],
        keep: int,
        root: float,
        best: float,
        threshold: float,
        order: list[int],
        P: list[float],
        S: list[tuple[int, ...]],
        wl: list[float],
        U: list[int],
        G: list[int | None],
        lam: list[float],
        stop_after: int | None,
        deadline: float | None,
    ) -> KnapsackResult:
        """The branch and bound of `solve` run by the compiled search (`knapsack_jit`)."""
        from nfvplan.solver import knapsack_jit as jit

        n = len(order)
        group, group_cap = self._group_arrays(G)
        status, value, _nodes, fills, values, count = jit.search(
            np.array(P, dtype=np.float64),
            np.array(S, dtype=np.int64).reshape(n, len(self.capacity)),
            np.array(wl, dtype=np.float64),
            np.array(U, dtype=np.int64),
            group,
            group_cap,
            np.array(self.capacity, dtype=np.int64),
            np.array(lam, dtype=np.float64),
            # Scalars cast to one type each: one compiled signature, one compilation.
            float(best),
            float(threshold),
            int(keep),
            int(COMPILED_NODE_LIMIT),
            -1 if stop_after is None else int(stop_after),
            0.0 if deadline is None else float(deadline),
        )
        for k in range(count):
            row = fills[k]
            found[tuple(sorted((order[j], int(row[j])) for j in np.flatnonzero(row)))] = float(
                values[k]
            )
        if status == jit.DONE:
            return self._result(found, keep, value, True)
        if status == jit.NODE_LIMIT:
            return self._past_limit(found, keep, root, value, order, S, P, U, G, deadline)
        return self._result(found, keep, max(root, value), False)

    def _lp_duals(
        self, items: list[int], profits: list[float], upper: list[int]
    ) -> list[float] | None:
        """Capacity duals of the knapsack's LP relaxation over `items` (GLOP), None if it fails.

        One LP per knapsack, kept between calls: a call only changes the objective and the
        variables' upper bounds (0 for the items left out), so GLOP starts from the previous
        basis instead of a model rebuilt from 120 x 10 coefficients per pricing call.
        """
        if self._lp is None:
            lp = pywraplp.Solver.CreateSolver("GLOP")
            if lp is None:
                return None
            xs = [lp.NumVar(0.0, 0.0, "") for _ in self.sizes]
            rows = []
            for r, c in enumerate(self.capacity):
                row = lp.Constraint(-lp.infinity(), float(c))
                for x, s in zip(xs, self.sizes, strict=True):
                    if s[r]:
                        row.SetCoefficient(x, float(s[r]))
                rows.append(row)
            lp.Objective().SetMaximization()
            self._lp = (lp, xs, rows)
        lp, xs, rows = self._lp
        objective = lp.Objective()
        chosen = dict(zip(items, zip(profits, upper, strict=True), strict=True))
        for i, x in enumerate(xs):
            p, u = chosen.get(i, (0.0, 0))
            x.SetUb(float(u))
            objective.SetCoefficient(x, p)
        if lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        return [max(0.0, row.dual_value()) for row in rows]

    @staticmethod
    def _result(found: dict[Fill, float], keep: int, bound: float, proven: bool) -> KnapsackResult:
        ranked = sorted(((v, f) for f, v in found.items()), key=lambda t: -t[0])[:keep]
        return KnapsackResult(ranked, bound, proven)


PROFIT_SCALE = 1_000_000
"""Profits enter CP-SAT rounded up at this resolution, so its bound stays an upper bound."""


def _cpsat_knapsack(
    cap: Sequence[int],
    sizes: list[tuple[int, ...]],
    profits: list[float],
    upper: list[int],
    groups: list[int | None],
    group_caps: dict[int, int],
    floor: float,
    deadline: float | None,
) -> tuple[float, float, list[tuple[int, int]]]:
    """The knapsack on CP-SAT: (best value found, proven upper bound, its fill by position).

    Only fills worth more than `floor` are asked for; "none" proves the optimum is at most it.
    """
    model = cp_model.CpModel()
    x = [model.new_int_var(0, u, "") for u in upper]
    for r, c in enumerate(cap):
        terms = [s[r] * v for s, v in zip(sizes, x, strict=True) if s[r]]
        if terms:
            model.add(sum(terms) <= c)
    for g, most in group_caps.items():
        members = [v for v, gg in zip(x, groups, strict=True) if gg == g]
        if members:
            model.add(sum(members) <= most)
    weights = [math.ceil(p * PROFIT_SCALE) for p in profits]
    objective = sum(w * v for w, v in zip(weights, x, strict=True))
    model.add(objective >= math.floor(floor * PROFIT_SCALE) + 1)
    model.maximize(objective)
    seconds = 10.0 if deadline is None else max(0.05, deadline - time.perf_counter())
    solver = make_solver(min(seconds, 10.0), seed=0)
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return floor, floor, []
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return floor, math.inf, []
    fill = [(j, solver.value(v)) for j, v in enumerate(x) if solver.value(v)]
    value = sum(profits[j] * c for j, c in fill)
    bound = solver.best_objective_bound / PROFIT_SCALE
    if status == cp_model.OPTIMAL:
        bound = max(value, bound)
    return value, bound, fill


def prepare_compiled() -> float:
    """Load (or, the first time on a machine, compile) the compiled pricer; seconds it took.

    Every process pays this once, at its first exact pricing call. A benchmark calls it before
    its clock starts, as VPSolver's binaries are compiled before theirs, and reports it apart.
    """
    started = time.perf_counter()
    if COMPILED:
        count = max(2, COMPILED_MIN_ITEMS)
        sizes = [(1 + i % 3, 1 + i % 2) for i in range(count)]
        Knapsack((4, 4), sizes).solve([0.1 + 0.01 * i for i in range(count)], [1] * count)
    return time.perf_counter() - started


# -- identical-bin vector packing ----------------------------------------------------------------


@dataclass(frozen=True)
class Packing:
    """Item types (a size vector and how many items of it) for bins of one capacity vector."""

    capacity: tuple[int, ...]
    sizes: tuple[tuple[int, ...], ...]
    counts: tuple[int, ...]

    def fits(self, i: int) -> bool:
        """One item of type `i` fits an empty bin."""
        return all(s <= c for s, c in zip(self.sizes[i], self.capacity, strict=True))


@dataclass
class PackResult:
    """Bins (each a fill of item types), the proven lower bound, and how they were reached."""

    bins: list[Fill]
    bound: int
    proven: bool
    seconds: float = 0.0
    source: str = ""
    """Which step found the returned packing: ffd, rounding, integer-master, dive, lns."""
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def value(self) -> int:
        """Bins used."""
        return len(self.bins)


def simple_bound(packing: Packing) -> int:
    """Max of the per-resource volume bounds and the count of pairwise-incompatible big items."""
    best = 0
    for r, cap in enumerate(packing.capacity):
        volume = sum(s[r] * n for s, n in zip(packing.sizes, packing.counts, strict=True))
        if cap > 0:
            best = max(best, math.ceil(volume / cap))
            big = sum(
                n for s, n in zip(packing.sizes, packing.counts, strict=True) if 2 * s[r] > cap
            )
            best = max(best, big)
    return best


def first_fit_decreasing(packing: Packing, key: str = "sum") -> list[Fill]:
    """First fit decreasing, items ordered by normalised size `key`: sum, max, or rN (resource)."""
    cap = packing.capacity
    shares = [[s / c if c else 0.0 for s, c in zip(sz, cap, strict=True)] for sz in packing.sizes]
    if key == "sum":
        score = [sum(v) for v in shares]
    elif key == "max":
        score = [max(v) + 1e-3 * sum(v) for v in shares]
    else:
        r = int(key[1:])
        score = [v[r] + 1e-3 * sum(v) for v in shares]
    order = sorted(range(len(packing.sizes)), key=lambda i: -score[i])
    total = sum(packing.counts)
    # Residual capacity per open bin, as one numpy array: the first bin that takes an item is
    # one vectorised comparison instead of a Python loop over bins (500-item instances).
    free = np.empty((max(1, total), len(cap)), dtype=np.int64)
    opened = 0
    fills: list[dict[int, int]] = []
    for i in order:
        sz = np.array(packing.sizes[i], dtype=np.int64)
        for _ in range(packing.counts[i]):
            ok = np.flatnonzero((free[:opened] >= sz).all(axis=1))
            if ok.size:
                b = int(ok[0])
            else:
                b = opened
                free[b] = cap
                opened += 1
                fills.append({})
            free[b] -= sz
            fills[b][i] = fills[b].get(i, 0) + 1
    return [tuple(sorted(f.items())) for f in fills]


def best_ffd(packing: Packing) -> list[Fill]:
    """The fewest bins over the FFD orderings: normalised sum, largest share, each resource."""
    keys = ["sum", "max"] + [f"r{r}" for r in range(len(packing.capacity))]
    return min((first_fit_decreasing(packing, k) for k in keys), key=len)


def _complete(packing: Packing, fixed: list[Fill]) -> list[Fill]:
    """`fixed` bins trimmed to the demand, the rest packed by the best FFD."""
    left = list(packing.counts)
    kept: list[Fill] = []
    for fill in fixed:
        trimmed = []
        for i, c in fill:
            take = min(c, left[i])
            if take:
                trimmed.append((i, take))
                left[i] -= take
        if trimmed:
            kept.append(tuple(trimmed))
    if any(left):
        kept += best_ffd(Packing(packing.capacity, packing.sizes, tuple(left)))
    return kept


def check_packing(packing: Packing, bins: list[Fill]) -> list[str]:
    """Every problem with `bins` as a packing of `packing`: over capacity, items missing."""
    problems = []
    packed = [0] * len(packing.counts)
    for b, fill in enumerate(bins):
        for r, cap in enumerate(packing.capacity):
            load = sum(packing.sizes[i][r] * c for i, c in fill)
            if load > cap:
                problems.append(f"bin {b}: resource {r} load {load} > capacity {cap}")
        for i, c in fill:
            packed[i] += c
    for i, (got, need) in enumerate(zip(packed, packing.counts, strict=True)):
        if got != need:
            problems.append(f"item type {i}: {got} packed, {need} expected")
    return problems


class BinPricer:
    """The pricing problem of one bin type: one knapsack over the item types (`colgen.Pricer`).

    A bin of capacity `capacity` costs `cost`; a column covers its items, nothing else costs.
    """

    def __init__(self, capacity: Sequence[int], sizes: Sequence[Sequence[int]], cost: int = 1):
        self.knapsack = Knapsack(capacity, sizes)
        self.cost = cost

    def price(
        self,
        duals: Sequence[float],
        left: Sequence[int],
        *,
        floor: float,
        exact: bool,
        stop_after: int | None,
        deadline: float | None,
    ) -> Priced:
        result = self.knapsack.solve(
            duals,
            left,
            exact=exact,
            threshold=float(self.cost),
            deadline=deadline,
            floor=floor,
            stop_after=stop_after,
        )
        columns = [Column(0, fill, self.cost, fill) for _value, fill in result.fills]
        return Priced(columns, result.bound, result.proven)


def column(fill: Fill) -> Column:
    """A bin's fill as a column of the configuration LP (cost one bin)."""
    return Column(0, fill, 1, fill)


def generator(packing: Packing, deadline: float) -> colgen.Generator:
    """The configuration LP of `packing`: one group of unlimited bins of cost 1."""
    pricer = BinPricer(packing.capacity, packing.sizes)
    return colgen.Generator(packing.counts, [Group(1, None, pricer)], deadline)


def solve_packing(
    packing: Packing, time_limit_s: float = 10.0, *, workers: int = 1, seed: int = 0
) -> PackResult:
    """Pack every item into the fewest bins within the time limit; prove it when possible.

    The special case of `colgen.search` with one bin type: first fit decreasing under several
    orderings is the packing to beat, the volume bound the bound to start from.
    """
    started = time.perf_counter()
    deadline = started + time_limit_s
    if not all(packing.fits(i) for i, n in enumerate(packing.counts) if n):
        raise ValueError("an item does not fit an empty bin")
    ffd = best_ffd(packing)

    def complete(columns: list[Column]) -> tuple[int, object]:
        bins = _complete(packing, [c.payload for c in columns])  # type: ignore[misc]
        return len(bins), bins

    found = colgen.search(
        generator(packing, deadline),
        (len(ffd), ffd),
        [column(fill) for fill in ffd],
        complete,
        simple_bound(packing),
        deadline,
        workers=workers,
        seed=seed,
    )
    bins: list[Fill] = found.plan  # type: ignore[assignment]
    source = "ffd" if found.source == "start" else found.source
    stats = {"ffd": float(len(ffd)), **found.stats}
    return PackResult(bins, found.bound, found.proven, time.perf_counter() - started, source, stats)
