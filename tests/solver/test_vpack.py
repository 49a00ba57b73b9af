"""Tests of the vector packing core (`nfvplan.solver.vpack`) and of the product path through it.

The knapsack pricer is checked against brute-force enumeration on random small instances (an
independent oracle, not a copied result); packings against their own definition (every item once,
no bin over capacity) and against hand-proven optima; the planner's configuration bound, which
prices through the same knapsack, on a scenario whose optimum is above the volume bound.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nfvplan.plan import Status
from nfvplan.solver.vpack import (
    Knapsack,
    Packing,
    best_ffd,
    check_packing,
    first_fit_decreasing,
    simple_bound,
    solve_packing,
)
from tests.helpers import scenario_yaml, solve_and_check


def brute_force(capacity, sizes, profits, upper, groups, caps) -> float:
    """The knapsack optimum by enumerating every count vector (tiny instances only)."""
    best = 0.0
    for x in itertools.product(*(range(u + 1) for u in upper)):
        if any(
            sum(s[r] * c for s, c in zip(sizes, x, strict=True)) > capacity[r]
            for r in range(len(capacity))
        ):
            continue
        used: dict[int, int] = {}
        for g, c in zip(groups, x, strict=True):
            if g is not None:
                used[g] = used.get(g, 0) + c
        if any(used.get(g, 0) > cap for g, cap in caps.items()):
            continue
        best = max(best, sum(p * c for p, c in zip(profits, x, strict=True)))
    return best


@st.composite
def knapsacks(draw):
    dims = draw(st.integers(1, 3))
    capacity = draw(st.lists(st.integers(0, 12), min_size=dims, max_size=dims))
    n = draw(st.integers(1, 4))
    sizes = [draw(st.lists(st.integers(0, 8), min_size=dims, max_size=dims)) for _ in range(n)]
    profits = draw(st.lists(st.integers(-3, 20), min_size=n, max_size=n))
    upper = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    groups = draw(st.lists(st.sampled_from([None, 0, 1]), min_size=n, max_size=n))
    caps = {0: draw(st.integers(0, 3)), 1: draw(st.integers(0, 3))}
    return capacity, sizes, profits, upper, groups, caps


@settings(max_examples=150, deadline=None)
@given(knapsacks())
def test_knapsack_matches_brute_force(case) -> None:
    """The branch and bound's value is the enumerated optimum, its fills are feasible, and its
    bound is at least the optimum (exact) and proven."""
    capacity, sizes, profits, upper, groups, caps = case
    knapsack = Knapsack(capacity, sizes, groups, caps)
    result = knapsack.solve(profits, upper)
    optimum = brute_force(capacity, sizes, profits, upper, groups, caps)
    assert result.proven
    assert result.value == optimum
    assert result.bound == optimum
    for value, fill in result.fills:
        x = dict(fill)
        for r, cap in enumerate(capacity):
            assert sum(sizes[i][r] * c for i, c in fill) <= cap
        assert all(0 < c <= upper[i] for i, c in fill)
        assert value == sum(profits[i] * c for i, c in x.items())
    greedy = knapsack.solve(profits, upper, exact=False)
    assert greedy.value <= optimum


@settings(max_examples=150, deadline=None)
@given(knapsacks(), st.integers(0, 30), st.sampled_from([None, 0, 3]))
def test_knapsack_decision_above_a_floor(case, floor: int, stop_after) -> None:
    """With a floor (column generation's "is a column worth more than this?"): either a feasible
    fill worth more than the floor comes back (with `stop_after`, maybe not the best, and then
    unproven), or the search proves the optimum is at most the floor (bound <= floor), checked
    against enumeration."""
    capacity, sizes, profits, upper, groups, caps = case
    knapsack = Knapsack(capacity, sizes, groups, caps)
    result = knapsack.solve(profits, upper, floor=floor, stop_after=stop_after, threshold=floor)
    optimum = brute_force(capacity, sizes, profits, upper, groups, caps)
    assert result.bound >= optimum
    if optimum > floor:
        assert result.fills and floor < result.value <= optimum
        if stop_after is None:
            assert result.proven and result.value == optimum
    else:
        assert result.proven and not result.fills and result.bound <= floor
    for value, fill in result.fills:
        for r, cap in enumerate(capacity):
            assert sum(sizes[i][r] * c for i, c in fill) <= cap
        assert value == sum(profits[i] * c for i, c in fill) and value > floor


@st.composite
def larger_knapsacks(draw):
    """Up to 25 item types and 5 resources: past brute force, inside one pricing call's size."""
    dims = draw(st.integers(1, 5))
    capacity = draw(st.lists(st.integers(5, 100), min_size=dims, max_size=dims))
    n = draw(st.integers(1, 25))
    sizes = [[draw(st.integers(0, c)) for c in capacity] for _ in range(n)]
    profits = draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n))
    upper = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    groups = draw(st.lists(st.sampled_from([None, 0, 1, 2]), min_size=n, max_size=n))
    caps = {0: draw(st.integers(0, 4)), 1: draw(st.integers(1, 6))}  # group 2: no cap
    return capacity, sizes, profits, upper, groups, caps


@settings(max_examples=200, deadline=None)
@given(
    larger_knapsacks(),
    st.sampled_from([0.0, 0.5, 1.0]),
    st.sampled_from([None, 0, 10]),
    st.sampled_from([-1.0, 0.3]),
    st.booleans(),
)
def test_compiled_search_matches_the_python_reference(case, floor, stop_after, threshold, exact):
    """The compiled search and greedy fills (`knapsack_jit`) and the Python ones they replace
    visit the same tree: the same fill values, the same bound, the same proof, on every option
    column generation uses, greedy-only calls (`exact=False`) included. (The brute-force tests
    above run the Python search: knapsacks that small stay below `COMPILED_MIN_ITEMS`.)"""
    from nfvplan.solver import vpack

    capacity, sizes, profits, upper, groups, caps = case
    knapsack = Knapsack(capacity, sizes, groups, caps)
    results = []
    saved = vpack.COMPILED, vpack.COMPILED_MIN_ITEMS
    vpack.COMPILED_MIN_ITEMS = 1  # every size through the compiled search
    try:
        for compiled in (False, True):
            vpack.COMPILED = compiled
            results.append(
                knapsack.solve(
                    profits,
                    upper,
                    exact=exact,
                    floor=floor,
                    stop_after=stop_after,
                    threshold=threshold,
                )
            )
    finally:
        vpack.COMPILED, vpack.COMPILED_MIN_ITEMS = saved
    python, compiled = results
    assert compiled.proven == python.proven
    assert compiled.bound == pytest.approx(python.bound, abs=1e-9)
    assert [round(v, 9) for v, _ in compiled.fills] == [round(v, 9) for v, _ in python.fills]
    for value, fill in compiled.fills:  # equal values may be different fills: check each one
        for r, cap in enumerate(capacity):
            assert sum(sizes[i][r] * c for i, c in fill) <= cap
        assert value == pytest.approx(sum(profits[i] * c for i, c in fill))


def test_five_items_two_per_bin_need_three_bins() -> None:
    """Bins (10, 10); items A = (6, 2) x2, B = (2, 6) x2, C = (4, 4) x1.

    Volume bound: 20 / 10 = 2 per resource. But no three items fit one bin: any three have a
    coordinate sum above 10 (A+B+C = (12, 12), B+B+C = (8, 16), A+B+B = (10, 14), A+A+x has
    12+ in the first). So at most 2 items per bin: 5 items need ceil(5 / 2) = 3 bins, which the
    configuration LP sees (every configuration covers at most 2 of 5 items: LP >= 2.5), and
    {A,B}, {A,B}, {C} achieves it.
    """
    packing = Packing((10, 10), ((6, 2), (2, 6), (4, 4)), (2, 2, 1))
    assert simple_bound(packing) == 2
    result = solve_packing(packing, 5.0)
    assert check_packing(packing, result.bins) == []
    assert result.value == 3
    assert result.bound == 3
    assert result.proven


def test_first_fit_decreasing_packs_everything() -> None:
    """Ten (5, 5, 5) items in bins of (10, 10, 10): two per bin, five bins, for every ordering."""
    packing = Packing((10, 10, 10), ((5, 5, 5),), (10,))
    for key in ("sum", "max", "r0", "r2"):
        bins = first_fit_decreasing(packing, key)
        assert check_packing(packing, bins) == []
        assert len(bins) == 5


@st.composite
def packings(draw):
    dims = draw(st.integers(2, 4))
    capacity = tuple(draw(st.lists(st.integers(5, 20), min_size=dims, max_size=dims)))
    n = draw(st.integers(1, 6))
    sizes = tuple(tuple(draw(st.integers(0, c)) for c in capacity) for _ in range(n))
    counts = tuple(draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)))
    return Packing(capacity, sizes, counts)


@settings(max_examples=40, deadline=None)
@given(packings())
def test_solve_packing_is_valid_and_bounded(packing: Packing) -> None:
    """Any instance: a valid packing, no worse than FFD, at or above its proven bound, and
    `proven` exactly when the two meet."""
    result = solve_packing(packing, 2.0)
    assert check_packing(packing, result.bins) == []
    assert result.value <= len(best_ffd(packing))
    assert result.bound <= result.value
    assert result.bound >= simple_bound(packing)
    assert result.proven == (result.value == result.bound)


PLANNER_YAML = scenario_yaml(
    """
    platform:
      cpu_overcommit: 1
      vm: {}
      container: {}
    server_types:
      box: {cores: 10, threads_per_core: 1, memory_gib: 10, disk_gib: 100, nic_gbps: 10,
            monthly_cost: 100}
    sites:
      dc: {servers: {box: 5}}
    vnfs:
      a: {flavor: {vcpu: 6, memory_gib: 2}, forms: [container], replicas: 2TRUST}
      b: {flavor: {vcpu: 2, memory_gib: 6}, forms: [container], replicas: 2TRUST}
      c: {flavor: {vcpu: 4, memory_gib: 4}, forms: [container], replicas: 1TRUST}
    objective: servers
    """
)


@pytest.mark.parametrize(("trust", "servers"), [(", trust: t", 3), ("", 5)])
def test_planner_proves_an_optimum_above_the_volume_bound(trust: str, servers: int) -> None:
    """The same five items as VNFs on a one-site, container-only platform (objective: servers).

    Servers 10 cores / 10 GiB; a = 6 vCPU 2 GiB x2, b = 2 vCPU 6 GiB x2, c = 4 vCPU 4 GiB x1.
    In one trust domain, as above, no server holds three instances: 3 servers, which the volume
    bound (2) cannot prove and the configuration bound, priced by the knapsack, can. With each
    VNF in its own (default) domain, containers of a and b may not share a server, and two of a
    (12 vCPU) or of b (12 GiB) do not fit one: every server holds one instance, 5 servers.
    """
    plan = solve_and_check(PLANNER_YAML.replace("TRUST", trust), time_limit_s=10.0)
    assert plan.status is Status.OPTIMAL
    assert plan.summary.servers_used == servers
    assert plan.objective.bound == servers


def test_reduced_cost_fixing_keeps_the_optimal_columns_only() -> None:
    """Bin 10; items A = 6, B = 4, C = 5 x2. Columns {A,B}, {C,C}, {C}, {B,C}.

    The LP picks {A,B} + {C,C}: value 2 (= the volume bound 20 / 10). Its duals give
    y_C = 1/2 (from {C,C}) and y_A + y_B = 1 with y_B <= 1/2 (from {B,C}: 1 - y_B - y_C >= 0).
    With an incumbent of 3 bins a better packing has 2 = the LP value, so only columns of
    reduced cost 0 can be in it: {C} (reduced cost 1 - 1/2 = 1/2) is dropped, {A,B} and {C,C}
    (reduced cost 0) kept, and they alone pack everything in 2 bins.
    """
    import time

    from nfvplan.solver.vpack import column, generator

    packing = Packing((10,), ((6,), (4,), (5,)), (1, 1, 2))
    gen = generator(packing, time.perf_counter() + 5.0)
    columns = [((0, 1), (1, 1)), ((2, 2),), ((2, 1),), ((1, 1), (2, 1))]
    for fill in columns:
        gen.master.add(column(fill))
    kept = [c.cover for c in gen.useful(3)]
    assert columns[0] in kept and columns[1] in kept
    assert columns[2] not in kept
    assert check_packing(packing, [columns[0], columns[1]]) == []


def test_converge_solves_the_lp_and_respects_fixings() -> None:
    """Bins (10, 10); items A = (6, 2) x2, B = (2, 6) x2, C = (4, 4) x1 (as above).

    No three items fit one bin, so every configuration covers at most two items and the LP is
    at least 5 / 2; {A,B} x 1.5 + {A,C} x 0.5 + {B,C} x 0.5 covers all at 2.5, so the
    configuration LP is exactly 2.5, whatever columns it starts from:
    `converge` must price its way there from the single-item columns and say it is proven.
    Fixing the column {C} to one bin leaves A, A, B, B: two pairs {A, B}, so the LP under
    the fixing is 1 + 2 = 3, which rounded up (3) tells a dive that an incumbent of 3 cannot
    be beaten from there.
    """
    import time

    from nfvplan.solver.vpack import column, generator

    packing = Packing((10, 10), ((6, 2), (2, 6), (4, 4)), (2, 2, 1))
    gen = generator(packing, time.perf_counter() + 10.0)
    for i in range(3):
        gen.master.add(column(((i, 1),)))
    outcome = gen.converge([])
    assert outcome is not None
    value, _usage, proven = outcome
    assert proven and value == pytest.approx(2.5)
    alone = [c.cover for c in gen.columns].index(((2, 1),))
    fixed = [0] * len(gen.columns)
    fixed[alone] = 1
    outcome = gen.converge(fixed)
    assert outcome is not None
    value, usage, proven = outcome
    assert proven and value == pytest.approx(3.0)
    assert usage[alone] >= 1 - 1e-9
