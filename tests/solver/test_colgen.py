"""The generic column generation (`nfvplan.solver.colgen`) on hand-derived configuration LPs.

Bins of several types with their own costs and counts, priced by the real knapsack
(`vpack.BinPricer`): each LP value and optimum below is worked out by hand in the docstring.
Then the claim that the packing core and the planner run one column generation, on random
packings solved both ways.
"""

from __future__ import annotations

import time

import pytest
from helpers import parse, scenario_yaml, solve_and_check
from hypothesis import given, settings
from hypothesis import strategies as st

from nfvplan.solver import colgen
from nfvplan.solver.colgen import Column, Group
from nfvplan.solver.patterns import pattern_bound
from nfvplan.solver.problem import build_problem
from nfvplan.solver.vpack import BinPricer, Packing, solve_packing


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


def test_dives_that_only_repeat_themselves_stop() -> None:
    """Three items of size 4, bins of capacity 10 and cost 3 (two items each): the LP is
    3 x 3 / 2 = 4.5, so the rounded-up bound is 5, while every plan needs two bins: 6. No dive
    can prove 6 (only the CP-SAT search after the bound does), and after the first they only
    repeat its fixings on the same columns: the search must stop after `STALE_DIVES` such
    repeats, not dive again until its deadline (once 90 % of a solve's limit)."""
    gen = colgen.Generator(
        [3], [Group(3, None, BinPricer((10,), ((4,),), cost=3))], time.perf_counter() + 30.0
    )
    gen.master.add(Column(0, ((0, 1),), 3))

    def complete(columns: list[Column]) -> tuple[int, object]:
        covered = sum(c for column in columns for _r, c in column.cover)
        return 3 * (len(columns) + max(0, 3 - covered)), columns

    found = colgen.search(gen, (9, None), [], complete, 0, time.perf_counter() + 30.0)
    assert found.value == 6 and found.bound == 5 and not found.proven
    assert colgen.STALE_DIVES <= found.stats["dives"] <= 2 * colgen.STALE_DIVES


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


@st.composite
def small_packings(draw):
    """Two resources, 1-4 item types of sizes 1-10 (nfvplan flavors need vCPU and memory > 0)."""
    capacity = (draw(st.integers(8, 16)), draw(st.integers(8, 16)))
    n = draw(st.integers(1, 4))
    sizes = tuple(
        (draw(st.integers(1, capacity[0])), draw(st.integers(1, capacity[1]))) for _ in range(n)
    )
    counts = tuple(draw(st.lists(st.integers(1, 4), min_size=n, max_size=n)))
    return Packing(capacity, sizes, counts)


def as_scenario(packing: Packing) -> str:
    """The packing as a scenario: one site, one server type with the bin's threads and GiB, one
    form without overhead or reserve, one trust domain, one VNF per item type."""
    lines = [
        "platform: {vm: {}, container: {}}",
        "server_types:",
        f"  bin: {{cores: {packing.capacity[0]}, threads_per_core: 1,"
        f" memory_gib: {packing.capacity[1]}, monthly_cost: 1}}",
        "sites:",
        f"  dc: {{servers: {{bin: {sum(packing.counts)}}}}}",
        "objective: servers",
        "vnfs:",
    ]
    for t, (size, count) in enumerate(zip(packing.sizes, packing.counts, strict=True)):
        lines.append(
            f"  i{t}: {{flavor: {{vcpu: {size[0]}, memory_gib: {size[1]}}}, forms: [container],"
            f" replicas: {count}, trust: vbp}}"
        )
    return scenario_yaml("\n".join(lines))


@settings(max_examples=15, deadline=None)
@given(small_packings())
def test_the_packing_core_and_the_planner_run_one_column_generation(packing: Packing) -> None:
    """A packing solved by `solve_packing` and, as a scenario, by the planner's configuration
    search (`pattern_bound`) is one LP: when both converge, the same LP value; when both prove
    their plan, the same optimum; and the planner's plan passes the checker through `solve()`."""
    core = solve_packing(packing, 5.0)
    text = as_scenario(packing)
    scenario = parse(text)
    problem = build_problem(scenario, scenario.objective)
    planner = pattern_bound(problem, 5.0, seed=0)
    assert planner is not None and planner.hint is not None
    if core.stats.get("lp", -1.0) >= 0 and planner.converged and planner.lp_value:
        assert planner.lp_value == pytest.approx(core.stats["lp"], abs=1e-6)
    if core.proven and planner.proven:
        assert problem.plan_cost(planner.hint) == core.value
    assert planner.bound <= core.value and core.bound <= problem.plan_cost(planner.hint)
    plan = solve_and_check(text, time_limit_s=10.0)
    assert plan.summary.servers_used >= max(core.bound, planner.bound)
