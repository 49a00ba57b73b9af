"""Tests that a `numa: aligned` instance fits the NUMA node it is placed on, the reserves of
every form on its server included.

Hand-proven cases, as docs/testing.md ("Rule tests") describes: the optimum is argued in each
test's docstring, every plan has passed the checker, the platform is `PLAIN` unless a test says.
"""

from __future__ import annotations

import pytest

from tests.helpers import assert_optimal, load_per_server, scenario_yaml, solve_and_check
from tests.scenarios import PLAIN

NUMA_YAML = scenario_yaml(
    PLAIN,
    """
    server_types:
      n2: {cores: 12, threads_per_core: 1, memory_gib: 64, numa_nodes: 2, monthly_cost: 100}
    sites:
      dc: {servers: {n2: 3}}
    vnfs:
      upf:
        flavor: {vcpu: 4, memory_gib: 4}
        cpu: dedicated
        numa: aligned
        forms: [container]
        replicas: 3
    """,
)


def test_numa_aligned_pinned_instances_fit_two_per_server() -> None:
    """Tests that NUMA alignment limits a server to one pinned instance per node.

    n2: 12 threads and 64 GiB over 2 NUMA nodes, i.e. 6 threads and 32 GiB per node. upf pins
    4 threads: 4 <= 6 but 8 > 6, so one per node, two per server, although 3 x 4 = 12 threads
    would fit the whole server NUMA-blind. 3 instances -> 2 servers = 200. The two instances
    sharing a server sit on different nodes.
    """
    plan = solve_and_check(NUMA_YAML)
    assert_optimal(plan, 200)
    assert sorted(load_per_server(plan).values()) == [1, 2]
    for server, count in load_per_server(plan).items():
        nodes = [p.numa_node for p in plan.placements if p.server == server]
        assert None not in nodes
        assert len(set(nodes)) == count, f"{server}: two aligned instances on one node"


def test_numa_any_packs_three_pinned_instances_on_one_server() -> None:
    """Tests that the same instances without `numa: aligned` fit three per server.

    NUMA-blind: 3 x 4 = 12 <= 12 threads, 3 x 4 = 12 <= 64 GiB: one server, 100.
    """
    plan = solve_and_check(NUMA_YAML.replace("numa: aligned", "numa: any"))
    assert_optimal(plan, 100)
    assert plan.summary.servers_used == 1
    assert plan.servers[0].used["threads"] == pytest.approx(12)


NUMA_RESERVES_YAML = scenario_yaml(
    """
    platform:
      vm: {host_reserve: {cores: 1}}
      container: {host_reserve: {cores: 1}}
    server_types:
      t1: {cores: 6, threads_per_core: 2, memory_gib: 16, numa_nodes: 2, monthly_cost: 100}
    sites:
      a: {racks: 1, servers: {t1: 2}}
    vnfs:
      pinned: {flavor: {vcpu: 5, memory_gib: 1}, forms: [container], replicas: 1,
               cpu: dedicated, numa: aligned}
      plain: {flavor: {vcpu: 1, memory_gib: 1}, forms: [vm], replicas: 1}
    """
)


def test_a_second_forms_reserve_shrinks_the_numa_node_of_an_aligned_instance() -> None:
    """Tests the case hypothesis found: a VM beside an aligned container overflows its node.

    t1: 12 threads over 2 nodes, 6 per node. Each form reserves 1 core = 2 threads, split evenly
    over the nodes. The pinned container takes 5 threads: alone, its node holds 5 + 2/2 = 6 <= 6;
    beside a VM both reserves count, 5 + (2 + 2)/2 = 7 > 6. So two servers, one each: 200. (The
    greedy start once packed both on one server, checking only the node it placed on.)
    """
    plan = solve_and_check(NUMA_RESERVES_YAML)
    assert_optimal(plan, 200)
    assert plan.summary.servers_used == 2
