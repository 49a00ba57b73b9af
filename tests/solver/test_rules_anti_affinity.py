"""Tests that host, rack and site anti-affinity spread a VNF's replicas at the least cost.

Hand-proven cases, as docs/testing.md ("Rule tests") describes: the optimum is argued in each
test's docstring, every plan has passed the checker, the platform is `PLAIN` unless a test says.
"""

from __future__ import annotations

import pytest

from nfvplan.plan import Plan
from tests.helpers import assert_optimal, scenario_yaml, servers_of, solve_and_check
from tests.scenarios import PLAIN


def racks_of(plan: Plan, vnf: str) -> list[tuple[str, int]]:
    """(site, rack) of each instance of `vnf`."""
    by_id = {s.id: s for s in plan.servers}
    return [(by_id[sid].site, by_id[sid].rack) for sid in servers_of(plan, vnf)]


RACK_YAML = scenario_yaml(
    PLAIN,
    """
    server_types:
      s: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 100}
    sites:
      dc: {racks: 3, servers: {s: 6}}
    vnfs:
      amf: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 3, anti_affinity: rack}
    """,
)


def test_rack_anti_affinity_uses_one_server_per_rack() -> None:
    """Tests that rack anti-affinity spreads 3 replicas over the 3 racks of a site.

    dc has 6 servers round-robin over 3 racks: server n in rack (n - 1) % 3 + 1, so servers 1
    and 4 share rack 1. The 3 replicas (1 thread each) would fit one server; rack anti-affinity
    forces 3 servers in 3 different racks: 3 x 100 = 300.
    """
    plan = solve_and_check(RACK_YAML)
    assert_optimal(plan, 300)
    racks = racks_of(plan, "amf")
    assert sorted(racks) == [("dc", 1), ("dc", 2), ("dc", 3)]
    for server in plan.servers:
        number = int(server.id.rsplit("/", 1)[1])
        assert server.rack == (number - 1) % 3 + 1


def test_without_anti_affinity_the_replicas_share_one_server() -> None:
    """Tests the contrast: without the rule the 3 replicas (3 threads) fit one server, 100."""
    plan = solve_and_check(RACK_YAML.replace(", anti_affinity: rack", ""))
    assert_optimal(plan, 100)
    assert plan.summary.servers_used == 1


SCOPE_YAML = scenario_yaml(
    PLAIN,
    """
    server_types:
      cheap: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 100}
      dear: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 300}
    sites:
      a: {servers: {cheap: 2}}
      b: {servers: {dear: 2}}
    vnfs:
      nrf: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 2RULE}
    """,
)


@pytest.mark.parametrize(
    ("rule", "cost", "sites", "servers"),
    [
        ("", 100, ["a", "a"], 1),
        (", anti_affinity: host", 200, ["a", "a"], 2),
        (", anti_affinity: site", 400, ["a", "b"], 2),
    ],
    ids=["none", "host", "site"],
)
def test_host_and_site_anti_affinity(rule: str, cost: int, sites: list[str], servers: int) -> None:
    """Tests host and site anti-affinity against the unconstrained optimum.

    Site a has two servers at 100, site b two at 300; 2 small replicas.
    - no rule: both on one server at a: 100;
    - host: two servers, both at a (cheaper than b): 2 x 100 = 200;
    - site: one replica per site, the cheapest server of each: 100 + 300 = 400.
    """
    plan = solve_and_check(SCOPE_YAML.replace("RULE", rule))
    assert_optimal(plan, cost)
    assert plan.summary.servers_used == servers
    by_id = {s.id: s for s in plan.servers}
    assert sorted(by_id[sid].site for sid in servers_of(plan, "nrf")) == sites
