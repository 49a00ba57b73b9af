"""The large-neighbourhood search (`nfvplan.solver.lns`): hand optima the routing-aware greedy
misses, the floor on random routed scenarios, determinism and the stop.

The strategy is forced with `solve(..., strategy=LNS)` on networks far smaller than the ones
`choose_strategy` gives it, so that each optimum can be proven by hand. Every plan is
re-checked by the independent checker. The scenarios leave `platform:` out: a server's monthly
cost and a VNF's licence are the whole objective.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from nfvplan.check import check_plan
from nfvplan.model import Scenario
from nfvplan.plan import Plan
from nfvplan.solver import SolveOptions, lns, solve
from nfvplan.solver.budget import Budget
from nfvplan.solver.chain_greedy import chain_greedy_plan
from nfvplan.solver.incumbent import RunLimits, natural
from nfvplan.solver.lns import search_guided, search_neighbourhoods, unrouted
from nfvplan.solver.problem import build_problem
from nfvplan.solver.result import build_plan
from nfvplan.solver.routing_bound import routing_bound
from nfvplan.solver.status import decided
from nfvplan.solver.stop import Stop, stopping
from nfvplan.solver.strategy import LNS
from tests.helpers import parse, scenario_yaml
from tests.solver.test_chain_greedy import TYPES, UPF
from tests.strategies import Doc, scenario_docs


def triple(n: str) -> tuple[str, str, str]:
    """Sites, links and demands of one a - b - c line (1 ms, 100 Gbps per link): a cheap
    server at a, a mid one at b, a dear one at c; 4 Gbps from a within 1 ms, 4 Gbps from c
    within 1.5 ms (each chain ends where its UPF runs)."""
    sites = (
        f"  a{n}: {{servers: {{cheap: 1}}}}\n"
        f"  b{n}: {{servers: {{mid: 1}}}}\n"
        f"  c{n}: {{servers: {{dear: 1}}}}\n"
    )
    links = (
        f"  - {{between: [a{n}, b{n}], gbps: 100, latency_ms: 1}}\n"
        f"  - {{between: [b{n}, c{n}], gbps: 100, latency_ms: 1}}\n"
    )
    demands = (
        f"      - {{from: a{n}, gbps: 4, max_latency_ms: 1}}\n"
        f"      - {{from: c{n}, gbps: 4, max_latency_ms: 1.5}}\n"
    )
    return sites, links, demands


def lines(count: int) -> str:
    """`count` triples, each one's c joined to the next one's a by a 10 ms link."""
    parts = [triple(str(i)) for i in range(1, count + 1)]
    joins = "".join(
        f"  - {{between: [c{i}, a{i + 1}], gbps: 100, latency_ms: 10}}\n" for i in range(1, count)
    )
    return scenario_yaml(
        TYPES,
        "sites:\n" + "".join(p[0] for p in parts),
        "links:\n" + "".join(p[1] for p in parts) + joins,
        UPF,
        "services:\n  internet:\n    chain: [upf]\n    demands:\n" + "".join(p[2] for p in parts),
    )


def greedy_cost(scenario: Scenario) -> float:
    """The routing-aware greedy's cost alone (the plan the search starts from)."""
    problem = build_problem(scenario, scenario.objective, routing=False)
    found = chain_greedy_plan(problem)
    assert found is not None and found.value is not None
    return natural(scenario.objective, found.value)


def solve_lns(scenario: Scenario, time_limit_s: float = 20.0, seed: int = 1) -> Plan:
    """`solve()` with the neighbourhood strategy forced, checked by the independent checker."""
    plan = solve(scenario, SolveOptions(time_limit_s=time_limit_s, workers=1, seed=seed), LNS)
    violations = check_plan(scenario, plan)
    assert violations == [], "\n".join(f"[{v.rule}] {v.message}" for v in violations)
    return plan


def test_one_line_reaches_the_hand_optimum_the_greedy_misses() -> None:
    """Tests the hand optimum 210 against the greedy's 320.

    The greedy routes the tighter demand (from a, slack 1 ms) first and opens its UPF on a's
    cheap server (100 + 10); the demand from c cannot reach a within 1.5 ms (2 ms), so it opens
    a second UPF at b (200 + 10): 320. Any plan must run c's UPF at b or c (servers of 200 or
    300); at b, one UPF (10 Gbps) carries both 4 Gbps demands and a reaches b in exactly 1 ms:
    200 + 10 = 210, and nothing cheaper serves c. The search frees the whole line (3 sites,
    fewer than its first region) and finds 210.
    """
    scenario = parse(lines(1))
    assert greedy_cost(scenario) == 320
    plan = solve_lns(scenario)
    assert plan.objective.value == 210
    assert [p.server for p in plan.placements] == ["b1/mid/1"]
    assert plan.stats.formulation.startswith("large-neighbourhood search + ")


def test_regions_smaller_than_the_network_reach_the_hand_optimum() -> None:
    """Tests the border: two such lines 10 ms apart (6 sites), regions of 4 sites first, so a
    neighbourhood frees one line and part of the other, keeping the rest pinned with its
    traffic. Each line costs at least 210 by the proof above and the lines share nothing within
    any budget: the optimum is 420 (the greedy: 2 x 320 = 640)."""
    scenario = parse(lines(2))
    assert greedy_cost(scenario) == 640
    plan = solve_lns(scenario)
    assert plan.objective.value == 420
    assert sorted(p.server for p in plan.placements) == ["b1/mid/1", "b2/mid/1"]


def test_a_search_that_converges_gives_the_same_plan_every_run() -> None:
    """Tests determinism for a seed: the search ends (a whole round of seeds without
    improvement) long before the limit, and two runs give the same plan."""
    scenario = parse(lines(3))
    first, second = solve_lns(scenario), solve_lns(scenario)
    assert first.objective.value == second.objective.value == 630
    assert first.placements == second.placements
    assert first.routes == second.routes


def test_the_sites_of_the_routing_bounds_solution_replanned_together_reach_the_optimum() -> None:
    """Tests `search_guided` alone on two lines: the greedy's 640 (a UPF at each a and b), the
    routing bound's solution a UPF at each b (its optimum, 420, proven). Re-planned together on
    the sites of both (every demand freed), the plan is that optimum, and it passes the checker
    as `nfvplan solve` would write it."""
    scenario = parse(lines(2))
    light = build_problem(scenario, scenario.objective, routing=False)
    found = chain_greedy_plan(light)
    bound = routing_bound(light, 10.0, 1)
    assert found is not None and bound is not None and bound.optimal
    assert natural(scenario.objective, found.value) == 640
    assert natural(scenario.objective, bound.bound) == 420
    assert bound.opened == {("upf", "b1"): 1, ("upf", "b2"): 1}
    found.opened = bound.opened
    problem = unrouted(light)
    budget, limits = Budget(20.0, time.perf_counter()), RunLimits(20.0, 1, 1)
    # Those sites (a1, b1, a2, b2) are 4 of 6: about the whole model, so by default it declines.
    assert search_guided(problem, found, budget, limits) is found
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lns, "GUIDED_MAX_SITE_SHARE", 1.0)
        better = search_guided(problem, found, budget, limits)
    assert natural(scenario.objective, better.value) == 420
    plan = build_plan(problem, decided(problem, better), "guided", 1, 1)
    violations = check_plan(scenario, plan)
    assert violations == [], "\n".join(f"[{v.rule}] {v.message}" for v in violations)
    assert sorted(p.server for p in plan.placements) == ["b1/mid/1", "b2/mid/1"]


def test_a_stop_already_requested_keeps_the_plan_it_was_given() -> None:
    """Tests Ctrl-C: with the stop requested, no neighbourhood starts and the greedy's plan
    comes back unchanged (the pipeline then marks it interrupted)."""
    scenario = parse(lines(2))
    light = build_problem(scenario, scenario.objective, routing=False)
    found = chain_greedy_plan(light)
    assert found is not None
    stop = Stop()
    stop.request()
    with stopping(stop):
        kept = search_neighbourhoods(
            unrouted(light), found, Budget(20.0, time.perf_counter()), RunLimits(20.0, 1, 1)
        )
    assert kept.value == found.value and kept.counts == found.counts


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_docs(services=True, objective="cost", large=True), st.sampled_from([1, 2, 40]))
def test_random_routed_scenarios_never_cost_more_than_the_greedy(doc: Doc, sites: int) -> None:
    """Tests the floor on random networks with every format rule: the plan passes the checker
    and, whenever the greedy finds a plan, costs no more than it (without one, the strategy
    falls back to the whole model). Regions of at most 1 or 2 sites (of up to 6) keep most of
    the plan around each neighbourhood, so what crosses its border (the kept routes' link
    loads, the kept demands' traffic at border sites, counts and spares outside) is exercised:
    a merged plan that broke any of it would fail the checker."""
    note(doc.yaml())
    scenario = doc.scenario()
    problem = build_problem(scenario, scenario.objective, routing=False)
    baseline = chain_greedy_plan(problem)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lns, "FIRST_SITES", min(sites, lns.FIRST_SITES))
        patch.setattr(lns, "MAX_SITES", sites)
        plan = solve_lns(scenario, time_limit_s=5)
    if baseline is not None and baseline.value is not None:
        event("the greedy found a plan")
        assert plan.status.has_plan, plan.explanation
        assert plan.objective.value <= natural(scenario.objective, baseline.value) + 1e-6
