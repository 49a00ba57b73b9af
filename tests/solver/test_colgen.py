"""The generic column generation (`nfvplan.solver.colgen`) on hand-derived configuration LPs.

Bins of several types with their own costs and counts, priced by the real knapsack
(`vpack.BinPricer`): each LP value and optimum below is worked out by hand in the docstring.
"""

from __future__ import annotations

import time

import pytest

from nfvplan.solver import colgen
from nfvplan.solver.colgen import Column, Group
from nfvplan.solver.vpack import BinPricer


def two_bin_types(items: int, large_available: int | None) -> colgen.Generator:
    """Items of size 7; a small bin (capacity 10, cost 3) holds one, a large one (capacity 20,
    cost 5) two. Starts from one single-item column per bin type."""
    groups = [
        Group(3, None, BinPricer((10,), ((7,),), cost=3)),
        Group(5, large_available, BinPricer((20,), ((7,),), cost=5)),
    ]
    gen = colgen.Generator([items], groups, time.perf_counter() + 30.0)
    gen.master.add(Column(0, ((0, 1),), 3))
    gen.master.add(Column(1, ((0, 1),), 5))
    return gen


def complete_with_small_bins(columns: list[Column], items: int) -> tuple[int, object]:
    """The chosen columns (trimmed to the demand), the items left each in a small bin."""
    covered = sum(c for column in columns for _r, c in column.cover)
    return sum(column.cost for column in columns) + 3 * max(0, items - covered), columns


def test_the_lp_prices_the_cheaper_bin_per_item() -> None:
    """Four items: per item a small bin costs 3, a large one 2.5, so the LP is 4 x 2.5 = 10 and
    it uses only large bins (two of them, two items each)."""
    gen = two_bin_types(4, None)
    outcome = gen.converge([])
    assert outcome is not None
    value, usage, proven = outcome
    assert proven and value == pytest.approx(10.0)
    used = {gen.columns[c].cover for c, u in enumerate(usage) if u > 1e-9}
    assert used == {((0, 2),)}


def test_availability_rows_bind_the_lp() -> None:
    """The same four items with one large bin only: it takes two items (5), the other two need
    a small bin each (3 + 3): the LP is 11, not 10, and its duals price that right."""
    gen = two_bin_types(4, 1)
    outcome = gen.converge([])
    assert outcome is not None
    value, _usage, proven = outcome
    assert proven and value == pytest.approx(11.0)


def test_search_mixes_bin_types_and_proves_the_rounded_up_lp() -> None:
    """Three items: LP 3 x 2.5 = 7.5, so every plan costs at least 8; one large bin (two items)
    plus one small (one item) costs 5 + 3 = 8: optimal, proven by the rounded-up LP."""
    gen = two_bin_types(3, None)
    deadline = time.perf_counter() + 30.0

    def complete(columns: list[Column]) -> tuple[int, object]:
        return complete_with_small_bins(columns, 3)

    found = colgen.search(gen, (9, None), [], complete, 0, deadline)
    assert found.bound == 8
    assert found.value == 8 and found.proven
    chosen = found.plan
    assert isinstance(chosen, list)
    assert sorted(c.cost for c in chosen) in ([5, 3], [5])  # a large bin, the rest small


def test_reduced_cost_fixing_uses_the_availability_duals() -> None:
    """Four items, one large bin available, LP 11 (above). With an incumbent of 12 a better plan
    costs 11 = the LP value: only columns of reduced cost 0 can be in it. The LP's duals are
    y = 3 per item (the small bin's price) and mu = 5 - 2 x 3 = -1 on the large bin's
    availability row. One item in a large bin: reduced cost 5 - 3 + 1 = 3, dropped; one item in
    a small bin (3 - 3 = 0) and two in the large one (5 - 6 + 1 = 0) kept."""
    gen = two_bin_types(4, 1)
    assert gen.converge([]) is not None
    kept = {(c.group, c.cover) for c in gen.useful(12)}
    assert (0, ((0, 1),)) in kept
    assert (1, ((0, 2),)) in kept
    assert (1, ((0, 1),)) not in kept
