"""Tests of the decomposed configuration-LP bound: parts, pooled identical VNFs, part plans.

Each hand case is small enough that its optimum is argued in its docstring; the bound must meet
it (these cases are chosen so that the configuration LP is tight) and never exceed a plan.
"""

from __future__ import annotations

import pytest

from nfvplan.check import check_plan
from nfvplan.generate import GenerateOptions, generate_scenario
from nfvplan.solver import SolveOptions, solve
from nfvplan.solver.decompose import components, decomposed_bound
from nfvplan.solver.greedy import greedy_plan
from nfvplan.solver.problem import build_problem
from nfvplan.solver.strategy import SITEWISE
from tests.helpers import NO_OVERHEAD, parse, scenario_yaml

TWO_PARTS = scenario_yaml(
    NO_OVERHEAD,
    """
    server_types:
      small: {cores: 2, threads_per_core: 1, memory_gib: 8, monthly_cost: 100}
      big: {cores: 4, threads_per_core: 1, memory_gib: 16, monthly_cost: 150}
    sites:
      a: {racks: 1, servers: {small: 2}}
      b: {racks: 1, servers: {big: 1}}
      c: {racks: 1, servers: {small: 2}}
    vnfs:
      p: {flavor: {vcpu: 1, memory_gib: 4}, forms: [vm], replicas: 4, sites: [a, b]}
      q: {flavor: {vcpu: 1, memory_gib: 4}, forms: [vm], replicas: 1, sites: [a],
          isolation: host}
      r: {flavor: {vcpu: 1, memory_gib: 4}, forms: [vm], replicas: 4, sites: [c]}
    """,
)


def _sitewise(text: str):
    """The site-by-site formulation on a small scenario (solve() picks it only when large),
    its plan verified by the checker."""
    scenario = parse(text)
    plan = solve(
        scenario,
        SolveOptions(time_limit_s=5, workers=1, seed=1),
        strategy=SITEWISE,
    )
    assert check_plan(scenario, plan) == []
    return plan


def test_parts_are_the_sites_joined_by_pooled_vnfs() -> None:
    """Tests that the pooled VNF p joins sites a and b into one part, and c (only r) is apart."""
    scenario = parse(TWO_PARTS)
    problem = build_problem(scenario, scenario.objective)
    parts = {(c.sites, c.vnfs) for c in components(problem)}
    assert parts == {(("a", "b"), ("p", "q")), (("c",), ("r",))}


def test_two_sites_one_pooled_vnf_bound_meets_the_hand_optimum() -> None:
    """Tests the sum of the parts' bounds on a case whose optimum is known by hand.

    A server holds 2 instances (small, 100) or 4 (big, 150). Part {a, b}: q is isolated, so it
    takes a small server alone (100); p's 4 instances cost at least 4 x 37.5 (big, the cheapest
    per instance) = 150, met by the one big server: 250. Part {c}: r's 4 instances on the two
    smalls: 200. Optimum 450, and each part's configuration LP is tight (250 and 200), so the
    bound is 450. The greedy start is worse (it fills a's cheap small server with 2 p first,
    then the big one: 100 + 100 + 150 + 200 = 550), so meeting 450 needs the part plan.
    """
    scenario = parse(TWO_PARTS)
    problem = build_problem(scenario, scenario.objective)
    greedy = greedy_plan(problem)
    assert greedy is not None
    result = decomposed_bound(problem, 5.0, 1, greedy)
    assert result is not None
    assert result.bound == 450 * 100  # cents
    assert result.hint is not None and problem.plan_cost(result.hint) == 450 * 100
    plan = _sitewise(TWO_PARTS)
    assert plan.objective.value == pytest.approx(450)
    assert plan.objective.bound == pytest.approx(450)
    assert plan.status.value == "optimal"


def test_pooled_anti_affine_sets_keep_one_of_each_per_server() -> None:
    """Tests pooling identical host-anti-affine VNFs: the pool's cap is one per member.

    s1, s2, s3 (2 replicas each, anti-affine on hosts) differ only by name, so they are one
    pool of 6 instances. A server fits 4 by capacity but at most one of each set: 3. So 2
    servers (200) are needed and enough (each holds s1, s2, s3). Without the cap the pool would
    claim 6 / 4 = 1.5 servers (150): the bound must be 200, and the plan must deal the pool's
    instances out so that no server holds two of one set (the checker says so).
    """
    text = scenario_yaml(
        NO_OVERHEAD,
        """
        server_types:
          t: {cores: 4, threads_per_core: 1, memory_gib: 16, monthly_cost: 100}
        sites:
          a: {racks: 1, servers: {t: 3}}
        vnfs:
          s1: {flavor: {vcpu: 1, memory_gib: 4}, forms: [vm], replicas: 2, anti_affinity: host}
          s2: {flavor: {vcpu: 1, memory_gib: 4}, forms: [vm], replicas: 2, anti_affinity: host}
          s3: {flavor: {vcpu: 1, memory_gib: 4}, forms: [vm], replicas: 2, anti_affinity: host}
        """,
    )
    scenario = parse(text)
    problem = build_problem(scenario, scenario.objective)
    result = decomposed_bound(problem, 5.0, 1)
    assert result is not None and result.bound == 200 * 100
    plan = _sitewise(text)
    assert plan.objective.value == pytest.approx(200)
    assert plan.status.value == "optimal"


def test_site_anti_affinity_in_a_pooled_part_is_restored_in_its_plan() -> None:
    """Tests that a part plan with a one-per-site VNF stays valid (the LP relaxes that rule).

    d (one per site, sites a and b) and p (3 instances, a or b) share the part {a, b}. One
    server of each site is needed for d; a server holds 4 instances, so d's two and p's three
    fit on the two servers: optimum 2 x 100 = 200, and the LP (5 instances, 4 per server, plus
    d's one-per-site rule relaxed) proves only ceil(1.25 x 100) = 125.
    """
    text = scenario_yaml(
        NO_OVERHEAD,
        """
        server_types:
          t: {cores: 4, threads_per_core: 1, memory_gib: 16, monthly_cost: 100}
        sites:
          a: {racks: 1, servers: {t: 2}}
          b: {racks: 1, servers: {t: 2}}
        vnfs:
          d: {flavor: {vcpu: 1, memory_gib: 4}, forms: [vm], replicas: 2, anti_affinity: site}
          p: {flavor: {vcpu: 1, memory_gib: 4}, forms: [vm], replicas: 3}
        """,
    )
    plan = _sitewise(text)
    assert plan.objective.value == pytest.approx(200)
    assert plan.objective.bound is not None and plan.objective.bound <= 200 + 1e-6


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_decomposed_bound_never_exceeds_the_whole_models_optimum(seed: int) -> None:
    """Tests the bound against the whole assignment model on small generated scenarios.

    The whole model (no decomposition) plans each scenario; the decomposed bound must not
    exceed its plan, and must not exceed its value when the whole model proves it optimal.
    """
    scenario = parse(generate_scenario(GenerateOptions(instances=30, seed=seed, demands=0)))
    problem = build_problem(scenario, scenario.objective)
    result = decomposed_bound(problem, 3.0, 1)
    assert result is not None
    plan = solve(scenario, SolveOptions(time_limit_s=8, workers=1, seed=1))
    assert check_plan(scenario, plan) == []
    assert plan.status.has_plan
    assert result.bound / 100 <= plan.objective.value + 1e-6


def test_bound_rounds_up_to_whole_servers_plus_licences() -> None:
    """Tests the rounding of a part's bound to a cost a plan can have.

    3 instances (licence 5 each: 15), a server (100) holds 2: the LP says 1.5 servers, 150 + 15
    = 165; every plan pays 15 + 100 x (whole servers), so the bound is 15 + 200 = 215, which
    two servers meet: the plan is proven optimal.
    """
    text = scenario_yaml(
        NO_OVERHEAD,
        """
        server_types:
          t: {cores: 2, threads_per_core: 1, memory_gib: 8, monthly_cost: 100}
        sites:
          a: {racks: 1, servers: {t: 3}}
        vnfs:
          p: {flavor: {vcpu: 1, memory_gib: 4}, forms: [vm], replicas: 3, license_monthly: 5}
        """,
    )
    scenario = parse(text)
    problem = build_problem(scenario, scenario.objective)
    result = decomposed_bound(problem, 5.0, 1)
    assert result is not None and result.bound == 215 * 100
    plan = _sitewise(text)
    assert plan.objective.value == pytest.approx(215)
    assert plan.status.value == "optimal"
