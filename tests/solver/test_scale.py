"""Tests of the large-scenario path: site-by-site search on generated scenarios, and NUMA hints."""

from __future__ import annotations

from nfvplan.generate import GenerateOptions, generate_scenario
from nfvplan.solver.greedy import greedy_plan
from nfvplan.solver.problem import build_problem
from nfvplan.solver.sitewise import LARGE_INSTANCES
from nfvplan.solver.strategy import SITEWISE
from tests.helpers import parse, solve_and_check


def test_a_large_scenario_without_routing_goes_site_by_site_and_beats_its_greedy_start() -> None:
    """Tests that from LARGE_INSTANCES instances solve() plans site by site, never worse than
    the greedy plan it starts from, with an honest bound (never above the plan)."""
    scenario = parse(generate_scenario(GenerateOptions(instances=600, seed=2, demands=0)))
    problem = build_problem(scenario, scenario.objective)
    assert sum(problem.counts.values()) >= LARGE_INSTANCES
    greedy = greedy_plan(problem)
    assert greedy is not None
    plan = solve_and_check(scenario, time_limit_s=15, workers=1)
    assert plan.stats.formulation == SITEWISE.name
    assert plan.status.value in ("feasible", "optimal")
    assert plan.objective.value <= problem.plan_cost(greedy) / 100  # cents -> currency
    assert plan.objective.bound is None or plan.objective.bound <= plan.objective.value + 1e-6


def test_a_numa_aligned_instance_on_a_one_node_server_gets_node_0() -> None:
    """Tests the configuration-LP plan on one-node servers: aligned instances name node 0.

    Hand optimum: f0 (VM, 1 thread, 3 GiB) and f1 (container, 0.75 thread, 7.5 GiB) plus both
    reserves (2 threads, 6 GiB) need 3.75 threads and 16.5 GiB: too much memory for t1 (16 GiB),
    fine on t2 (4 threads, 32 GiB). One server: cost 100.
    """
    text = """nfvplan: 1
name: t
platform:
  vm: {overhead: {vcpu: 1, memory_gib: 2}, host_reserve: {cores: 1, memory_gib: 4}}
  container: {overhead: {vcpu: 0.5, memory_gib: 0.5}, host_reserve: {cores: 1, memory_gib: 2}}
  cpu_overcommit: 2
server_types:
  t1: {cores: 4, threads_per_core: 1, memory_gib: 16, numa_nodes: 1, monthly_cost: 100}
  t2: {cores: 4, threads_per_core: 1, memory_gib: 32, numa_nodes: 1, monthly_cost: 100}
sites:
  a: {racks: 1, servers: {t1: 1}}
  b: {racks: 1, servers: {t2: 1}}
vnfs:
  f0: {flavor: {vcpu: 1, memory_gib: 1}, forms: [vm], replicas: 1, trust: red}
  f1: {flavor: {vcpu: 1, memory_gib: 7}, forms: [container], replicas: 1, trust: red,
       numa: aligned}
"""
    plan = solve_and_check(text, time_limit_s=5)
    assert plan.status.value == "optimal"
    assert plan.objective.value == 100
    assert [p.numa_node for p in plan.placements if p.vnf == "f1"] == [0]
