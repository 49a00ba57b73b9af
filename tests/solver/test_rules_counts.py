"""Tests that a throughput-sized VNF runs as many instances as its demand needs, plus spares.

Hand-proven cases, as docs/testing.md ("Rule tests") describes: the optimum is argued in each
test's docstring, every plan has passed the checker, the platform is `PLAIN` unless a test says.
"""

from __future__ import annotations

import pytest

from tests.helpers import assert_optimal, placements_of, scenario_yaml, solve_and_check
from tests.scenarios import PLAIN


def test_throughput_sized_vnf_gets_demand_over_capacity_plus_spares() -> None:
    """Tests that a `throughput_gbps` VNF runs ceil(demand / throughput) + redundancy instances.

    25 Gbps through fw at 10 Gbps per instance: ceil(25 / 10) = 3, plus 1 spare = 4 instances;
    host anti-affinity puts them on the 4 servers: 4 x 100 = 400. The routes of the demand add
    up to its 25 Gbps and no instance carries more than 10.
    """
    plan = solve_and_check(
        scenario_yaml(
            PLAIN,
            """
            server_types:
              s: {cores: 8, threads_per_core: 1, memory_gib: 32, nic_gbps: 100, monthly_cost: 100}
            sites:
              dc: {servers: {s: 4}}
            vnfs:
              fw: {flavor: {vcpu: 2, memory_gib: 2}, throughput_gbps: 10, redundancy: 1,
                   anti_affinity: host}
            services:
              web:
                chain: [fw]
                demands:
                  - {from: dc, to: dc, gbps: 25}
            """,
        )
    )
    assert_optimal(plan, 400)
    assert len(placements_of(plan, "fw")) == 4
    assert sum(r.gbps for r in plan.routes) == pytest.approx(25)
    carried: dict[str, float] = {}
    for route in plan.routes:
        carried[route.via[0]] = carried.get(route.via[0], 0) + route.gbps
    assert max(carried.values()) <= 10 + 1e-9
