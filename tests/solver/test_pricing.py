"""nfvplan's configuration LP (`solver/pricing.py` on `solver/colgen.py`): per-server rules in
the pricing problem, on small scenarios whose LP value and optimum are derived by hand.

Each case asserts the configuration bound (`patterns.pattern_bound`), which is only that tight
when the pricer enforces the rule, and the plan `solve()` returns (re-checked by the checker).
"""

from __future__ import annotations

import pytest
from helpers import parse, scenario_yaml, solve_and_check

from nfvplan.model import Objective
from nfvplan.plan import Status
from nfvplan.solver.patterns import _Configurations, pattern_bound, pure_packing
from nfvplan.solver.problem import build_problem


def bound_of(yaml_text: str, budget_s: float = 3.0):
    scenario = parse(yaml_text)
    problem = build_problem(scenario, scenario.objective)
    result = pattern_bound(problem, budget_s, seed=0)
    assert result is not None
    return problem, result


TWO_TYPES = scenario_yaml(
    """
    platform: {vm: {}, container: {}}
    server_types:
      small: {cores: 10, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
      large: {cores: 20, threads_per_core: 1, memory_gib: 64, monthly_cost: 150}
    sites:
      dc: {servers: {small: 3, large: 3}}
    vnfs:
      w: {flavor: {vcpu: 7, memory_gib: 1}, forms: [container], replicas: 3}
    objective: cost
    """
)


def test_two_server_types_with_different_costs() -> None:
    """w (7 threads) x3: a small server (10 threads, 100/month) holds one, a large one (20
    threads, 150) two, so per instance 100 against 75. The LP buys 1.5 large servers: 225. The
    optimum is one large plus one small, 250 (two large cost 300, three small 300)."""
    problem, result = bound_of(TWO_TYPES)
    assert result.lp_value == pytest.approx(22_500)  # cents
    assert result.bound == 22_500
    assert result.hint is not None and problem.plan_cost(result.hint) == 25_000
    assert not result.proven  # 250 is optimal, but the LP cannot tell
    plan = solve_and_check(TWO_TYPES, time_limit_s=10.0)
    assert plan.status is Status.OPTIMAL
    assert plan.summary.monthly_cost == pytest.approx(250)


RESERVES = scenario_yaml(
    """
    platform:
      vm: {host_reserve: {cores: 3}}
      container: {host_reserve: {cores: 1}}
    server_types:
      box: {cores: 10, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
    sites:
      dc: {servers: {box: 3}}
    vnfs:
      v: {flavor: {vcpu: 7, memory_gib: 1}, forms: [vm], replicas: 1}
      c: {flavor: {vcpu: 1, memory_gib: 1}, forms: [container], replicas: 2}
    objective: servers
    """
)


def test_reserves_are_paid_per_form_present() -> None:
    """Servers of 10 threads; the VM host reserve is 3 threads, the container one 1.

    v (VM, 7 threads) fills a server with its reserve: 7 + 3 = 10. The two containers c
    (1 thread each) would fit beside it by threads alone (7 + 2 = 9), but then both reserves are
    due: 9 + 3 + 1 = 13 > 10. So v is alone and the containers take a second server (2 + 1):
    two servers, which the bound sees only if reserves are charged per form present (no
    reserve: one server; every reserve on every server: v would not fit at all)."""
    _problem, result = bound_of(RESERVES)
    assert result.bound == 2 and result.lp_value == pytest.approx(2.0)
    assert result.proven
    plan = solve_and_check(RESERVES)
    assert plan.status is Status.OPTIMAL and plan.summary.servers_used == 2


TWO_FORMS = scenario_yaml(
    """
    platform:
      vm: {host_reserve: {cores: 1}}
      container: {host_reserve: {cores: 4}}
    server_types:
      box: {cores: 10, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
    sites:
      dc: {servers: {box: 4}}
    vnfs:
      x: {flavor: {vcpu: 3, memory_gib: 1}, forms: [vm, container], replicas: 6}
    objective: servers
    """
)


def test_a_vnf_with_two_forms_takes_the_form_that_packs() -> None:
    """x (3 threads) x6 as VM or container, servers of 10 threads. As VMs (reserve 1): 9 threads
    left, three per server. As containers (reserve 4): 6 left, two per server. Mixed: both
    reserves, 5 left, one. So the best configuration is three VMs: two servers, LP 6 / 3 = 2."""
    problem, result = bound_of(TWO_FORMS)
    assert result.bound == 2 and result.proven
    assert result.hint is not None
    forms = {problem.kinds[k].form.value for (k, _s, _n), c in result.hint.items() if c}
    assert forms == {"vm"}
    plan = solve_and_check(TWO_FORMS)
    assert plan.status is Status.OPTIMAL and plan.summary.servers_used == 2


def test_trust_domains_split_the_containers() -> None:
    """Containers of two trust domains never share a server. Servers of 10 threads: a (2 threads,
    domain A) x5 fills one; b (2 threads, domain B) x3 another. At duals a = 0.2, b = 0.3 per
    instance a server is worth at most max(5 x 0.2, 3 x 0.3) = 1.0; mixing domains (3 b + 2 a =
    1.3) is not a configuration, and the pricer must say so."""
    text = scenario_yaml(
        """
        platform: {vm: {}, container: {}}
        server_types:
          box: {cores: 10, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
        sites:
          dc: {servers: {box: 3}}
        vnfs:
          a: {flavor: {vcpu: 2, memory_gib: 1}, forms: [container], replicas: 5, trust: A}
          b: {flavor: {vcpu: 2, memory_gib: 1}, forms: [container], replicas: 3, trust: B}
        objective: servers
        """
    )
    scenario = parse(text)
    problem = build_problem(scenario, Objective.SERVERS)
    lp = _Configurations(problem, None)
    (pricer,) = lp.pricers
    duals = [0.2 if name == "a" else 0.3 for name in lp.names]
    priced = pricer.price(duals, lp.demand, floor=0.0, exact=True, stop_after=None, deadline=None)
    assert priced.proven and priced.bound == pytest.approx(1.0)
    for column in priced.columns:
        assert len(column.cover) == 1  # one domain per server
    _problem, result = bound_of(text)
    assert result.bound == 2 and result.proven
    plan = solve_and_check(text)
    assert plan.status is Status.OPTIMAL and plan.summary.servers_used == 2


NUMA = scenario_yaml(
    """
    platform: {vm: {}, container: {}}
    server_types:
      n2: {cores: 16, threads_per_core: 1, memory_gib: 64, numa_nodes: 2, monthly_cost: 100}
    sites:
      dc: {servers: {n2: 3}}
    vnfs:
      u: {flavor: {vcpu: 5, memory_gib: 1}, forms: [container], cpu: dedicated,
          numa: aligned, replicas: 3}
    objective: servers
    """
)


def test_numa_aligned_instances_one_per_node() -> None:
    """Servers of 16 threads in two NUMA nodes of 8; u (5 pinned threads, aligned) x3. By threads
    three fit one server (15 <= 16), but an aligned instance sits inside one node and two do not
    fit a node (10 > 8): two per server, so 3 instances need 2 servers (LP 3 / 2 = 1.5, rounded
    up), which the volume bound (1) does not see. The plan puts each on its own node."""
    _problem, result = bound_of(NUMA)
    assert result.lp_value == pytest.approx(1.5)
    assert result.bound == 2 and result.proven
    plan = solve_and_check(NUMA)
    assert plan.status is Status.OPTIMAL and plan.summary.servers_used == 2
    nodes = {(p.server, p.numa_node) for p in plan.placements}
    assert len(nodes) == 3


def test_isolated_and_anti_affine_vnfs() -> None:
    """Servers of 10 threads. i (isolated, 1 thread) x2: each alone on its server; h
    (host-anti-affine, 1 thread) x3: one per server, and it may not join an isolated one; s
    (1 thread) x4 fits anywhere else. So h needs three servers besides i's two: 5 servers, the
    configuration bound sees it (the volume bound is 1), and s fits beside h."""
    text = scenario_yaml(
        """
        platform: {vm: {}, container: {}}
        server_types:
          box: {cores: 10, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
        sites:
          dc: {servers: {box: 6}}
        vnfs:
          i: {flavor: {vcpu: 1, memory_gib: 1}, forms: [container], replicas: 2, isolation: host}
          h: {flavor: {vcpu: 1, memory_gib: 1}, forms: [container], replicas: 3,
              anti_affinity: host, trust: t}
          s: {flavor: {vcpu: 1, memory_gib: 1}, forms: [container], replicas: 4, trust: t}
        objective: servers
        """
    )
    problem, result = bound_of(text)
    assert pure_packing(problem)
    assert result.bound == 5 and result.proven
    plan = solve_and_check(text)
    assert plan.status is Status.OPTIMAL and plan.summary.servers_used == 5


def test_rules_across_servers_are_relaxed_and_not_pure_packing() -> None:
    """Rack anti-affinity spans servers: the configurations keep only its per-server part (one
    replica per server: bound 3, where volume alone says 1) and relax the racks, so the scenario
    is not a pure packing and the plan's three servers on three racks come from the search."""
    text = scenario_yaml(
        """
        platform: {vm: {}, container: {}}
        server_types:
          box: {cores: 10, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
        sites:
          dc: {racks: 3, servers: {box: 3}}
        vnfs:
          r: {flavor: {vcpu: 1, memory_gib: 1}, forms: [container], replicas: 3,
              anti_affinity: rack}
        objective: servers
        """
    )
    problem, result = bound_of(text)
    assert not pure_packing(problem)
    assert result.bound == 3
    plan = solve_and_check(text)
    assert plan.status is Status.OPTIMAL and plan.summary.servers_used == 3
    racks = {
        problem.slots[s].rack
        for s in range(3)
        if any(p.server == problem.slots[s].id for p in plan.placements)
    }
    assert racks == {1, 2, 3}
