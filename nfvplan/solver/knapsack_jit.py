"""The exact knapsack search of `vpack.Knapsack`, compiled to machine code with numba.

Why compiled: column generation on a 120-item vector packing spends 60-90 % of its time in exact
pricing, a depth-first branch and bound that Python runs at about 8 000 nodes per second; the
same loop compiled runs two orders of magnitude faster, so the configuration LP converges within
the time limit instead of stopping short of its bound (docs/performance.md, "A compiled
pricer"). The search is the one `Knapsack.solve` documents, item for item and node for node:
items in the order of the LP-dual surrogate, the surrogate's Dantzig bound, copies tried from
the most that fit down to one, the same floor and stop-after rules. The Python search stays in
`vpack` as the reference the tests compare this one against.

Imported only when an exact pricing call runs (numba's import alone takes about 0.5 s, and
`nfvplan --help` must not pay it); the compiled code is cached on disk (`cache=True`), so only
the first run on a machine pays the compilation.
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit, objmode

DONE = 0
"""The search finished: the best value is the optimum (or the floor, if nothing beat it)."""
FOUND = 1
"""Stopped `stop_after` nodes after the first fill above the floor: not proven."""
NODE_LIMIT = 2
"""Stopped at the node limit: not proven."""
DEADLINE = 3
"""Stopped at the deadline: not proven."""

CLOCK_EVERY = 4096
"""Nodes between two reads of the clock (a read leaves compiled code, so not every node)."""


@njit(cache=True)
def _clock() -> float:
    with objmode(now="float64"):
        now = time.perf_counter()
    return now


@njit(cache=True)
def _node_bound(
    start: int,
    room: float,
    copies: np.ndarray,
    profit: np.ndarray,
    weight: np.ndarray,
) -> float:
    """Dantzig bound of the surrogate knapsack over items `start`.. (ratio order) at `room`."""
    value = 0.0
    for k in range(start, profit.shape[0]):
        m = copies[k]
        if m == 0:
            continue
        if weight[k] * m <= room + 1e-12:
            value += profit[k] * m
            room -= weight[k] * m
        else:
            value += profit[k] * room / weight[k]
            break
    return value


@njit(cache=True)
def _fit(
    j: int,
    rem: np.ndarray,
    gleft: np.ndarray,
    upper: np.ndarray,
    size: np.ndarray,
    group: np.ndarray,
) -> int:
    """Copies of item `j` that still fit: its bound, every resource left, its group's cap."""
    m = upper[j]
    for r in range(size.shape[1]):
        s = size[j, r]
        if s > 0:
            q = rem[r] // s
            if q < m:
                m = q
    g = group[j]
    if g >= 0 and gleft[g] < m:
        m = gleft[g]
    return m


@njit(cache=True)
def search(
    profit: np.ndarray,
    size: np.ndarray,
    weight: np.ndarray,
    upper: np.ndarray,
    group: np.ndarray,
    group_cap: np.ndarray,
    capacity: np.ndarray,
    multiplier: np.ndarray,
    best_start: float,
    threshold: float,
    keep: int,
    node_limit: int,
    stop_after: int,
    deadline: float,
) -> tuple[int, float, int, np.ndarray, np.ndarray, int]:
    """Depth-first branch and bound: (status, best value, nodes, fills, their values, count).

    Items are given in branching order (profit per surrogate weight, decreasing); `weight[j]` is
    item j's surrogate weight sum_r multiplier_r size[j, r], and the room of a node is
    sum_r multiplier_r rem_r. `group[j]` is the group index of item j or -1. Fills worth more
    than `threshold` are kept (the `keep` best, as copies per item, in `fills[:count]`).
    `best_start`: only fills above it count as improvements (the greedy value or the caller's
    floor). `stop_after` < 0: no early stop. `deadline` <= 0: none.
    """
    n, dims = size.shape
    eps = 1e-9
    rem = capacity.copy()
    gleft = group_cap.copy()
    x = np.zeros(n, dtype=np.int64)
    copies = np.zeros((n + 1, n), dtype=np.int64)
    pos = np.zeros(n + 1, dtype=np.int64)  # the item a frame branches on (or tries next)
    count = np.zeros(n + 1, dtype=np.int64)  # its copies in the current child, 0: none
    value = np.zeros(n + 1)
    fills = np.zeros((keep, n), dtype=np.int64)
    fill_value = np.zeros(keep)
    found = 0
    best = best_start
    nodes = 0
    first = -1
    status = DONE

    depth = 0
    entering = True
    start = 0
    while depth >= 0:
        if entering:
            # A new node at `depth`, its items from `start` on.
            nodes += 1
            if first >= 0 and nodes > first + stop_after:
                status = FOUND
                break
            if nodes > node_limit:
                status = NODE_LIMIT
                break
            if deadline > 0 and nodes % CLOCK_EVERY == 0 and _clock() > deadline:
                status = DEADLINE
                break
            for j in range(start, n):
                copies[depth, j] = _fit(j, rem, gleft, upper, size, group)
            pos[depth] = start
            count[depth] = 0
            entering = False
        j = pos[depth]
        c = count[depth]
        if c > 0:
            # Back from the child with c copies of item j: undo them, try one fewer.
            x[j] = 0
            for r in range(dims):
                rem[r] += size[j, r] * c
            if group[j] >= 0:
                gleft[group[j]] += c
            c -= 1
            if c == 0:
                count[depth] = 0
                j += 1
                pos[depth] = j
        if c == 0:
            # The next item worth branching on, or back to the parent.
            room = 0.0
            for r in range(dims):
                room += multiplier[r] * rem[r]
            while j < n:
                if value[depth] + _node_bound(j, room, copies[depth], profit, weight) <= best + eps:
                    j = n
                    break
                if copies[depth, j] > 0:
                    break
                j += 1
            pos[depth] = j
            if j >= n:
                depth -= 1
                continue
            c = copies[depth, j]
        # Put c copies of item j in, record the fill, and descend.
        x[j] = c
        for r in range(dims):
            rem[r] -= size[j, r] * c
        if group[j] >= 0:
            gleft[group[j]] -= c
        count[depth] = c
        v = value[depth] + profit[j] * c
        if v > best + eps:
            best = v
            if stop_after >= 0 and first < 0:
                first = nodes
        if v > threshold + eps:
            slot = -1
            if found < keep:
                slot = found
                found += 1
            else:
                low = 0
                for k in range(1, keep):
                    if fill_value[k] < fill_value[low]:
                        low = k
                if v > fill_value[low]:
                    slot = low
            if slot >= 0:
                fills[slot, :] = x
                fill_value[slot] = v
        value[depth + 1] = v
        start = j + 1
        depth += 1
        entering = True
    return status, best, nodes, fills, fill_value, found


@njit(cache=True)
def greedy(
    profit: np.ndarray,
    size: np.ndarray,
    upper: np.ndarray,
    group: np.ndarray,
    group_cap: np.ndarray,
    capacity: np.ndarray,
    orders: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One greedy fill per row of `orders`: each item in turn, as many copies as still fit.

    Returns the fills (copies per item, one row per order) and their values: the greedy passes
    of `Knapsack.solve`, which ran in Python at about 0.5 ms each on 120 items, a pricing call
    making six of them.
    """
    n, dims = size.shape
    fills = np.zeros((orders.shape[0], n), dtype=np.int64)
    values = np.zeros(orders.shape[0])
    for k in range(orders.shape[0]):
        rem = capacity.copy()
        gleft = group_cap.copy()
        value = 0.0
        for j in orders[k]:
            m = _fit(j, rem, gleft, upper, size, group)
            g = group[j]
            if m > 0:
                fills[k, j] = m
                value += profit[j] * m
                for r in range(dims):
                    rem[r] -= size[j, r] * m
                if g >= 0:
                    gleft[g] -= m
        values[k] = value
    return fills, values
