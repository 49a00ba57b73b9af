"""Vector packing with any number of resources: the packing core nfvplan's pricing runs on.

Two things live here, both free of nfvplan's scenario model so that the literature's vector bin
packing instances (2-10 resources) measure exactly the code the planner runs:

* `Knapsack`: the multi-resource bounded knapsack that prices a server configuration (which
  instances to put on one server for the most dual value). A depth-first branch and bound over
  item types sorted by profit per normalised size, bounded by the fractional knapsack of the
  surrogate (normalised-sum) constraint and, when that does not prune, of single resources; a
  greedy fill comes first and is all column generation asks for while it finds improving
  columns. `nfvplan.solver.patterns` prices through it.
* `solve_packing`: identical bins, integer demand vectors. First fit decreasing under several
  orderings gives the first packing; column generation on the configuration LP (Wentges-smoothed
  duals, Farley bound) gives the lower bound, its exact pricing asked only "is there a column
  worth more than the next integer bound allows?" and stopped soon after the first one;
  the root LP is then solved to its optimum; residual rounding, diving (fix the most used
  configuration, re-solve the residual LP exactly, give up once it proves the incumbent out of
  reach, repeat) and an integer master over the generated configurations give better packings;
  the search stops as soon as a packing meets the bound.

Why a dedicated pricer rather than CP-SAT: a pricing call is a tiny problem solved hundreds of
times, where CP-SAT's model building and presolve dominate (~0.2 s per call on 120 items); the
branch and bound answers most calls in milliseconds, compiled (`knapsack_jit`) from 24 item
types on. See docs/performance.md, "Vector packing".
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from nfvplan.solver.cpsat import make_solver

EPS = 1e-9
NODE_LIMIT = 5_000
"""Branch-and-bound nodes per exact pricing call; past it the root bound is what is proven."""

FALLBACK_BOUNDS = False
"""Also try the normalised-sum and single-resource bounds when the LP-dual surrogate does not
prune: measured slower (more time per node than nodes saved), so off."""
GREEDY_STARTS = 4
GREEDY_AT_MASTER_DUALS = False
"""Greedy pricing at the master's own duals first, smoothed duals only for exact pricing:
measured on six 60-120-item instances, no gain (same values and bounds), so off."""
VECTOR_BOUNDS = False
"""Compute a node's bounds for every branching item at once with numpy (prefix sums): measured
slower on 60 items (numpy overhead per node above the few bound evaluations a node does), off."""
CPSAT_FALLBACK = True
"""Past the node limit, finish the exact pricing with CP-SAT instead of giving up."""
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

        vector_bounds = lam is not None and not FALLBACK_BOUNDS and VECTOR_BOUNDS
        if vector_bounds:
            wl_np = np.array(wl, dtype=float)
            p_np = np.array(P, dtype=float)
            rate_np = np.divide(p_np, wl_np, out=np.zeros(n), where=wl_np > EPS)
            lam_np = np.array(lam, dtype=float)
            cap_np = np.array(cap, dtype=float)

        def node_bounds(rem: list[int], copies: list[int]) -> list[float]:
            """The LP-dual surrogate's Dantzig bound from every item on, for one node at once.

            Items are in ratio order, so the fractional fill from item j takes j, j+1, ... whole
            while the prefix weight stays within the room, then a fraction of the next: prefix
            sums and one binary search per j (vectorised), instead of a Python loop per j.
            """
            m = np.array(copies, dtype=float)
            cw = np.concatenate(([0.0], np.cumsum(wl_np * m)))
            cp = np.concatenate(([0.0], np.cumsum(p_np * m)))
            room = room_l - float(lam_np @ (cap_np - np.array(rem, dtype=float)))
            limit = cw[:n] + room + 1e-12
            t = np.searchsorted(cw, limit, side="right") - 1
            value = cp[t] - cp[:n]
            part = t < n
            tt = np.minimum(t, n - 1)
            value = value + np.where(part, rate_np[tt] * (limit - cw[t]), 0.0)
            return value.tolist()

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
            if value <= target or not FALLBACK_BOUNDS:
                return value
            return min(value, bound(start, rem, gleft, target))

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
            if vector_bounds:
                bounds = node_bounds(rem, copies)
            for j in range(start, n):
                if vector_bounds:
                    if value + bounds[j] <= best[0] + EPS:
                        return
                elif value + lp_bound(j, rem, copies, best[0] - value + EPS) <= best[0] + EPS:
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
        if not CPSAT_FALLBACK or (deadline is not None and time.perf_counter() > deadline):
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


class _Master:
    """The configuration LP min sum z_p, sum_p a_ip z_p >= n_i, on GLOP, grown column by column."""

    def __init__(self, packing: Packing) -> None:
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.rows = [self.lp.Constraint(float(n), self.lp.infinity()) for n in packing.counts]
        self.objective = self.lp.Objective()
        self.objective.SetMinimization()
        self.fills: list[Fill] = []
        self.vars: list[pywraplp.Variable] = []
        self.seen: set[Fill] = set()

    def add(self, fill: Fill) -> bool:
        if fill in self.seen or not fill:
            return False
        self.seen.add(fill)
        var = self.lp.NumVar(0.0, self.lp.infinity(), "")
        self.objective.SetCoefficient(var, 1.0)
        for i, c in fill:
            self.rows[i].SetCoefficient(var, float(c))
        self.fills.append(fill)
        self.vars.append(var)
        return True

    def solve(self) -> tuple[float, list[float], list[float]] | None:
        """LP value, duals per item type, usage per column; None if GLOP fails."""
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        duals = [max(0.0, row.dual_value()) for row in self.rows]
        return self.objective.Value(), duals, [v.solution_value() for v in self.vars]


SMOOTHING = 0.5
"""Wentges smoothing: price at this mix of the best-bound duals and the master's."""
GREEDY_FIRST = False
"""Price with the greedy fills alone first, the exact search only when they find nothing. Off
since the pricer is compiled: the exact call starts from the same greedy fills anyway (and
returns at once when one is above its floor), so the separate greedy call only repeats them;
two interleaved A/B rounds on the 52 sample instances over 0.5 s: 41 and 38 proven off, 38 and
37 on."""
TARGET_FLOOR = True
"""Exact pricing decides "a column above the floor the target bound needs?" (else floor 1)."""
REDUCED_COST_FIXING = True
"""Give the integer master only the columns whose reduced cost allows a better packing."""
POLISH_S = 0.0
"""Seconds of exact, to-the-optimum pricing once the bound is settled below the packing (0: off,
greedy pricing only then). Tried at 2 s on seven instances: no packing improved (New/class2_40_3_0
stayed one above OPT), Triplet/classF_120_3_0 slower; off."""
TARGET_HALF = False
"""Aim half-way from the proven bound to the restricted LP's ceiling, else one above it: on
the 18 hard sample instances, one above reached an equal or higher bound in 6 s on every one."""
STOP_AFTER: int | None = 200
"""Nodes an exact pricing call searches on after its first column above the floor (None: to
the optimum)."""


class _Generator:
    """Column generation on the configuration LP of one packing, reusable under fixings."""

    def __init__(self, packing: Packing, deadline: float) -> None:
        self.packing = packing
        self.deadline = deadline
        self.knapsack = Knapsack(packing.capacity, packing.sizes)
        self.master = _Master(packing)
        self.pricing_calls = 0
        self.exact_calls = 0
        self.pricing_s = 0.0
        self.lp_value: float | None = None
        self.ceiling: int | None = None
        """The rounded-up value of the last restricted root LP solved: the bound can reach it."""
        """The configuration LP's optimum, once column generation has proven it."""

    def useful(self, incumbent: int) -> list[Fill]:
        """The columns that can be in a packing of fewer than `incumbent` bins (all if unsure).

        Reduced-cost fixing on the root restricted LP (value L, duals y): any integer
        combination of its columns uses at least L + sum_p rc_p x_p bins, so a column of reduced
        cost rc_p = 1 - y a_p above incumbent - 1 - L cannot be in one of fewer than `incumbent`.
        The integer master then works on the few columns that matter instead of every one
        generated (hundreds of poor ones from the early-stopped pricing).
        """
        if not REDUCED_COST_FIXING:
            return self.master.fills
        for var in self.master.vars:
            var.SetLb(0.0)
        solved = self.master.solve()
        if solved is None:
            return self.master.fills
        value, duals, _ = solved
        slack = incumbent - 1 - value + 1e-6
        return [f for f in self.master.fills if 1.0 - sum(duals[i] * c for i, c in f) <= slack]

    def residual(self, fixed: list[int]) -> list[int]:
        """Demand left after the columns fixed (by lower bounds) in the master."""
        left = list(self.packing.counts)
        for col, times in enumerate(fixed):
            if times:
                for i, c in self.master.fills[col]:
                    left[i] -= c * times
        return [max(0, v) for v in left]

    def price(
        self,
        duals: list[float],
        left: list[int],
        threshold: float,
        exact: bool,
        floor: float = 1.0,
        stop_after: int | None = STOP_AFTER,
    ) -> KnapsackResult:
        """Greedy first; exact only when greedy finds no column worth more than `threshold`.

        The exact search answers "is a column worth more than `floor`?" (see `run`): it stops
        `STOP_AFTER` nodes after the first such column, else proves the optimum is at most it.
        """
        started = time.perf_counter()
        self.pricing_calls += 1
        result = KnapsackResult([], math.inf, False)
        if GREEDY_FIRST or not exact:
            result = self.knapsack.solve(duals, left, exact=False, threshold=threshold)
        if exact and (not result.fills or result.value <= threshold + 1e-7):
            self.exact_calls += 1
            result = self.knapsack.solve(
                duals,
                left,
                threshold=threshold,
                deadline=self.deadline,
                floor=floor,
                stop_after=stop_after,
            )
        self.pricing_s += time.perf_counter() - started
        return result

    def _add_improving(self, duals: list[float], fills: list[tuple[float, Fill]]) -> bool:
        """Add the fills whose reduced cost at `duals` is negative; True if any was new."""
        added = False
        for _value, fill in fills:
            if 1.0 - sum(duals[i] * c for i, c in fill) < -1e-9 and self.master.add(fill):
                added = True
        return added

    def _greedy_columns(self, duals: list[float], left: list[int]) -> bool:
        """Add the greedy fills that price out at `duals`; True if any was new."""
        started = time.perf_counter()
        self.pricing_calls += 1
        result = self.knapsack.solve(duals, left, exact=False, threshold=1.0)
        self.pricing_s += time.perf_counter() - started
        return self._add_improving(duals, result.fills)

    def converge(
        self, fixed: list[int], until: float | None = None
    ) -> tuple[float, list[float], bool] | None:
        """The LP with `fixed` lower bounds solved to its optimum by exact pricing (floor 1).

        Returns (LP value, column usage, proven): proven when no column prices out, so the
        value is the LP optimum under the fixings and its rounded-up value a valid bound on
        any packing that completes them. At `until` (or the deadline) it stops and returns the
        last restricted LP, unproven; None when the master failed or was never solved.
        """
        for col, var in enumerate(self.master.vars):
            var.SetLb(float(fixed[col]) if col < len(fixed) else 0.0)
        left = self.residual(fixed)
        deadline = self.deadline
        if until is not None:
            self.deadline = min(deadline, until)  # the pricing's own stop, for this call
        last: tuple[float, list[float], bool] | None = None
        try:
            while time.perf_counter() < self.deadline:
                solved = self.master.solve()
                if solved is None:
                    return None
                value, duals, usage = solved
                last = value, usage, False
                result = self.price(duals, left, 1.0, True, 1.0, CONVERGE_STOP_AFTER)
                if not self._add_improving(duals, result.fills):
                    return value, usage, result.proven
            return last
        finally:
            self.deadline = deadline

    def run(
        self,
        fixed: list[int],
        stop_at: int | None = None,
        known: int = 0,
        exact: bool = True,
        rounds: int | None = None,
    ) -> tuple[float, list[float]] | None:
        """Solve the LP with `fixed` lower bounds to convergence or the deadline.

        Returns (Farley lower bound on the bins for the residual demand, column usage), or None
        when the master failed. `stop_at`: stop once the bound reaches it (nothing to gain).
        `known`: a bound already proven; exact pricing stops once the restricted LP cannot
        raise the bound above it, and greedy pricing alone improves the columns from then on.
        `exact=False`: greedy pricing only (diving), the returned bound is then 0. `rounds`: at
        most that many pricing rounds (a dive re-balances the LP, it need not converge).
        """
        for col, var in enumerate(self.master.vars):
            var.SetLb(float(fixed[col]) if col < len(fixed) else 0.0)
        left = self.residual(fixed)
        if not any(left):
            return 0.0, [float(f) for f in fixed]
        fixed_total = sum(fixed)
        best = 0.0
        center: list[float] | None = None
        alpha = SMOOTHING
        duals: list[float] | None = None
        usage: list[float] = []
        done_rounds = 0
        polish = False
        until = self.deadline
        while time.perf_counter() < self.deadline:
            if rounds is not None and done_rounds >= rounds and duals is None:
                solved = self.master.solve()
                if solved is None:
                    return None
                return best, solved[2]
            done_rounds += 1
            if duals is None:
                solved = self.master.solve()
                if solved is None:
                    return None
                lp_value, duals, usage = solved
                ceiling = math.ceil(lp_value - fixed_total - 1e-6)
                if not fixed_total:
                    self.ceiling = ceiling
                settled = max(known, math.ceil(best - 1e-6)) >= ceiling
                if exact and not polish and settled:
                    if POLISH_S and stop_at is not None and stop_at > ceiling:
                        # The bound cannot rise, the packing is above it: converge the LP with
                        # optimal columns (floor 1, no early stop) for the primal side.
                        polish = True
                        until = min(self.deadline, time.perf_counter() + POLISH_S)
                    elif math.ceil(best - 1e-6) >= ceiling:
                        break
                    else:
                        exact = False  # the bound cannot rise: only better columns are left
                if polish and time.perf_counter() > until:
                    break
                if center is None:
                    center = duals
            assert center is not None
            if GREEDY_AT_MASTER_DUALS and self._greedy_columns(duals, left):
                duals = None  # improving columns at the master's own duals: no smoothing needed
                continue
            trial = [alpha * c + (1 - alpha) * d for c, d in zip(center, duals, strict=True)]
            # The bound only matters rounded up: to raise it to `target` (half-way from what is
            # proven to the restricted LP's ceiling) the Farley bound needs the knapsack optimum
            # below sum(y n) / (target - 1), so pricing need only decide whether a column is
            # worth more than that (or than 1, the column's cost): a much smaller search than
            # the optimum's. A proof raises the bound to `target`, and the next aims higher.
            proven_now = max(known, math.ceil(best - 1e-6))
            step = (ceiling - proven_now + 1) // 2 if TARGET_HALF else 1
            target = min(ceiling, proven_now + max(1, step))
            if stop_at is not None:
                target = min(target, stop_at)
            floor = 1.0
            if TARGET_FLOOR and target > 1 and not polish:
                yn = sum(y * n for y, n in zip(trial, left, strict=True))
                floor = max(1.0, yn / (target - 1 + 2e-6))
            result = self.price(trial, left, 1.0, exact, floor, None if polish else STOP_AFTER)
            if result.bound < math.inf:  # any valid upper bound gives a valid Farley bound
                z = max(1.0, result.bound)
                farley = sum(y * n for y, n in zip(trial, left, strict=True)) / z
                if farley > best:
                    best, center = farley, trial
                if not polish and math.ceil(best - 1e-6) >= min(ceiling, stop_at or ceiling):
                    break
            if self._add_improving(duals, result.fills):
                alpha = SMOOTHING
                duals = None
            elif floor > 1.0 and result.proven and math.ceil(best - 1e-6) > proven_now:
                continue  # the bound rose to `target`: aim higher (with a lower floor) next
            elif alpha > 0.0:
                alpha = 0.0  # mispricing: price at the master's own duals before concluding
            else:
                if exact and result.proven and floor <= 1.0:
                    # No column prices out: the LP optimum is a bound.
                    best = max(best, self.master.objective.Value() - fixed_total)
                    if not fixed_total:
                        self.lp_value = self.master.objective.Value()
                break
        return best, usage


def solve_packing(
    packing: Packing, time_limit_s: float = 10.0, *, workers: int = 1, seed: int = 0
) -> PackResult:
    """Pack every item into the fewest bins within the time limit; prove it when possible."""
    started = time.perf_counter()
    deadline = started + time_limit_s
    if not all(packing.fits(i) for i, n in enumerate(packing.counts) if n):
        raise ValueError("an item does not fit an empty bin")
    best = best_ffd(packing)
    source = "ffd"
    bound = simple_bound(packing)
    stats: dict[str, float] = {"ffd": len(best)}

    def done() -> bool:
        return len(best) <= bound or time.perf_counter() >= deadline

    gen = _Generator(packing, started + 0.6 * time_limit_s)
    if not done():
        for fill in best:
            gen.master.add(fill)
        outcome = gen.run([], stop_at=len(best), known=bound)
        if outcome is not None:
            farley, usage = outcome
            bound = max(bound, math.ceil(farley - 1e-6))
            if ROOT_CONVERGE and not done() and gen.lp_value is None:
                # The LP to its optimum (exact pricing): its value may raise the bound, and
                # its duals make the integer master's reduced-cost fixing exact.
                converged = gen.converge([])
                if converged is not None:
                    value, usage, proven = converged
                    if proven:
                        gen.lp_value = value
                        bound = max(bound, math.ceil(value - 1e-6))
            stats["cg_s"] = time.perf_counter() - started
            stats["columns"] = len(gen.master.fills)
            # Residual rounding: keep the LP's whole configurations, FFD the rest.
            kept = [
                f
                for f, u in zip(gen.master.fills, usage, strict=False)
                for _ in range(int(u + 1e-9))
            ]
            rounded = _complete(packing, kept)
            if len(rounded) < len(best):
                best, source = rounded, "rounding"
    gen.deadline = deadline
    if not done() and (FIRST_MASTER or gen.lp_value is None):
        found = _integer_master(
            packing, gen.useful(len(best)), best, bound, deadline, workers, seed
        )
        if found is not None and len(found) < len(best):
            best, source = found, "integer-master"
    # Dives until the time is up or a packing meets the bound: the first follows the LP, the
    # next ones pick among the three most used configurations at random (seeded), and every
    # fourth is followed by the integer master over all the columns generated so far.
    dives = 0
    rng = random.Random(seed)
    while not done():
        if LNS:
            until = min(deadline, time.perf_counter() + LNS_BURST)
            found = _lns(packing, best, bound, until, rng, workers)
            if found is not None and len(found) < len(best):
                best, source = found, "lns"
                for fill in best:
                    gen.master.add(fill)
            if done():
                break
        dives += 1
        dived = _dive(packing, gen, len(best), rng if dives > 1 else None)
        if dived is not None and len(dived) < len(best):
            best, source = dived, "dive"
        if CG_BURST and gen.lp_value is None and bound < (gen.ceiling or 0) and not done():
            # Column generation goes on at the root in short bursts: the dives' columns help
            # it, and on 120 items it often needs more than its first share to reach the bound.
            gen.deadline = min(deadline, time.perf_counter() + CG_BURST)
            outcome = gen.run([], stop_at=len(best), known=bound)
            gen.deadline = deadline
            if outcome is not None:
                bound = max(bound, math.ceil(outcome[0] - 1e-6))
        if dives % 4 == 0 and not done():
            found = _integer_master(
                packing, gen.useful(len(best)), best, bound, deadline, workers, seed
            )
            if found is not None and len(found) < len(best):
                best, source = found, "integer-master"
    stats.update(
        pricing_calls=gen.pricing_calls,
        exact_calls=gen.exact_calls,
        pricing_s=gen.pricing_s,
        columns=len(gen.master.fills),
        dives=dives,
        lp=-1.0 if gen.lp_value is None else gen.lp_value,
    )
    return PackResult(best, bound, len(best) <= bound, time.perf_counter() - started, source, stats)


DIVE_ROUNDS = 8
"""Pricing rounds between two fixings of a greedy dive (`EXACT_DIVES` off)."""
FIRST_MASTER = False
"""Run the integer master before the first dive even when the root LP is converged. Off: on
the 52 sample instances that took over 0.5 s, going straight to the exact dives proved 35
against 33 (the master's 2 s rarely found a packing there, the first dive often the optimum)."""
ROOT_CONVERGE = True
"""After the bound's column generation, solve the root LP to its optimum (exact pricing)
before the integer master and the dives: the dives start from the true LP, and its value can
raise the bound. Measured with `FIRST_MASTER` above (A/B in docs/performance.md)."""
DIVE_STEP_SHARE = 1.0
"""Share of the time left that one fixing of an exact dive may spend converging its LP; past
it the dive goes on from the LP as it is (no pruning at that step). 0.1 proved
New/class5_120_3_0 (35 = OPT, 9.8 s) but 39 of the 52 sample instances over 0.5 s against 42
at 1.0 (same minutes), so 1.0: a fixing converges or the dive ends at the deadline."""
CONVERGE_STOP_AFTER: int | None = None
"""`stop_after` of the exact pricing that converges a dive's LP (None: each call to the optimum)."""
EXACT_DIVES = True
"""Dives converge the residual LP with exact pricing at every fixing and stop as soon as its
rounded-up value reaches the incumbent. Measured on the five sample instances whose bound was
the optimum but whose packing was not (New/class2_40_3_0, class2_60_3_0, class6_120_5_0,
Panigrahy/class1_120_3_0, class1_120_5_0): greedy dives found none in 10 s; exact dives found
the optimum on all five, within the first two dives (docs/performance.md, "A compiled pricer
and exact dives")."""


def _dive(
    packing: Packing, gen: _Generator, incumbent: int, rng: random.Random | None
) -> list[Fill] | None:
    """Fix configurations (the LP's whole ones, else the most used), re-pricing in between.

    With `EXACT_DIVES` the residual LP is re-solved to its optimum after every fixing (exact
    pricing: fast with the compiled search) and the dive gives up as soon as that LP proves the
    fixings cannot lead to fewer than `incumbent` bins; else pricing is greedy, a few rounds per
    fixing, and the dive stops when the fixed bins alone cannot beat `incumbent`. With `rng`,
    each fractional fixing picks one of the three most used configurations at random, for a
    different dive each time.
    """
    fixed = [0] * len(gen.master.fills)
    while time.perf_counter() < gen.deadline:
        if EXACT_DIVES:
            now = time.perf_counter()
            outcome = gen.converge(fixed, now + DIVE_STEP_SHARE * (gen.deadline - now))
            if outcome is None:
                return None
            value, usage, proven = outcome
            if proven and math.ceil(value - 1e-6) >= incumbent:
                return None
        else:
            greedy = gen.run(fixed, exact=False, rounds=DIVE_ROUNDS)
            if greedy is None:
                return None
            usage = greedy[1]
        fixed += [0] * (len(gen.master.fills) - len(fixed))
        if sum(fixed) >= incumbent - 1:
            return None
        left = gen.residual(fixed)
        if not any(left):
            break
        free = [(usage[c] - fixed[c], c) for c in range(len(usage))]
        whole = [(u, c) for u, c in free if u >= 1 - 1e-6]
        if whole:
            for u, c in whole:
                fixed[c] += int(u + 1e-6)
            continue
        ranked = sorted((t for t in free if t[0] > 1e-6), reverse=True)
        if not ranked:
            break
        pick = ranked[0] if rng is None else rng.choice(ranked[:3])
        fixed[pick[1]] += 1
    kept = [
        f for c, f in enumerate(gen.master.fills) for _ in range(fixed[c] if c < len(fixed) else 0)
    ]
    return _complete(packing, kept)


def _integer_master(
    packing: Packing,
    fills: list[Fill],
    incumbent: list[Fill],
    bound: int,
    deadline: float,
    workers: int,
    seed: int,
) -> list[Fill] | None:
    """The best integer combination of the generated configurations (CP-SAT), short budget."""
    seconds = min(2.0, deadline - time.perf_counter())
    if seconds < 0.2 or not fills:
        return None
    model = cp_model.CpModel()
    top = len(incumbent)
    use = [model.new_int_var(0, top, "") for _ in fills]
    covers: list[list[tuple[int, cp_model.IntVar]]] = [[] for _ in packing.counts]
    for fill, var in zip(fills, use, strict=True):
        for i, c in fill:
            covers[i].append((c, var))
    for i, need in enumerate(packing.counts):
        if need:
            model.add(sum(c * v for c, v in covers[i]) >= need)
    total = sum(use)
    model.add(total <= top - 1)
    model.add(total >= bound)
    model.minimize(total)
    solver = make_solver(seconds, workers=workers, seed=seed, deterministic=False)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    chosen = [f for f, v in zip(fills, use, strict=True) for _ in range(solver.value(v))]
    return _complete(packing, chosen)


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


CG_BURST = 1.0
"""Seconds of root column generation after each dive while the LP is not converged (0: off)."""
LNS = False
"""Run large-neighbourhood bursts (`_lns`) between the dives: on five 40-120-item instances whose
bound was already the optimum, no packing improved and two proofs were lost to the time it took
from the dives and the integer master (docs/performance.md), so off."""
LNS_BURST = 1.0
"""Seconds of one burst of large-neighbourhood moves."""
LNS_SECONDS = 0.5
"""CP-SAT budget of one large-neighbourhood move (repack k bins into k - 1)."""


def repack(
    packing: Packing, bins: list[Fill], seconds: float, workers: int = 1
) -> list[Fill] | None:
    """The items of `bins` packed into one bin fewer (CP-SAT), or None if not found in time.

    A bin-count model over item types: x[t][b] copies of type t in bin b, every copy placed,
    every bin within capacity; bins are identical, so their loads on the first resource are
    ordered (non-increasing) to cut the symmetric copies of each packing.
    """
    k = len(bins) - 1
    if k < 1:
        return None
    need: dict[int, int] = {}
    for fill in bins:
        for i, c in fill:
            need[i] = need.get(i, 0) + c
    types = sorted(need)
    model = cp_model.CpModel()
    x = {(t, b): model.new_int_var(0, need[t], "") for t in types for b in range(k)}
    for t in types:
        model.add(sum(x[t, b] for b in range(k)) == need[t])
    loads = []
    for b in range(k):
        for r, cap in enumerate(packing.capacity):
            terms = [packing.sizes[t][r] * x[t, b] for t in types if packing.sizes[t][r]]
            if terms:
                model.add(sum(terms) <= cap)
        loads.append(sum(packing.sizes[t][0] * x[t, b] for t in types))
    for b in range(k - 1):
        model.add(loads[b] >= loads[b + 1])
    solver = make_solver(seconds, workers=workers, seed=0, deterministic=False)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out = []
    for b in range(k):
        fill = tuple((t, solver.value(x[t, b])) for t in types if solver.value(x[t, b]))
        if fill:
            out.append(fill)
    return out


def _lns(
    packing: Packing,
    best: list[Fill],
    bound: int,
    deadline: float,
    rng: random.Random,
    workers: int,
) -> list[Fill] | None:
    """Large-neighbourhood search: dissolve one of the emptiest bins into a few others.

    Each move picks one of the three least-loaded bins (normalised load summed over resources)
    and 3-8 other bins at random, and asks CP-SAT to repack their items into one bin fewer;
    a success is kept and the search goes on until `bound` is met or the time is up.
    """
    cap = packing.capacity
    current = list(best)
    improved = False
    while len(current) > bound and deadline - time.perf_counter() > 0.05:
        load = [
            sum(
                packing.sizes[i][r] * c / cap[r] for i, c in fill for r in range(len(cap)) if cap[r]
            )
            for fill in current
        ]
        ranked = sorted(range(len(current)), key=lambda b: load[b])
        victim = rng.choice(ranked[:3])
        others = [b for b in range(len(current)) if b != victim]
        chosen = [victim, *rng.sample(others, min(len(others), rng.randint(3, 8)))]
        seconds = min(LNS_SECONDS, deadline - time.perf_counter())
        found = repack(packing, [current[b] for b in chosen], seconds, workers)
        if found is None:
            continue
        keep = [f for b, f in enumerate(current) if b not in set(chosen)]
        current = keep + found
        improved = True
    return current if improved else None
