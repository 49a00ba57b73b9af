"""Tests that `isolation: host` gives an instance a server of its own.

Hand-proven cases, as docs/testing.md ("Rule tests") describes: the optimum is argued in each
test's docstring, every plan has passed the checker, the platform is `PLAIN` unless a test says.
"""

from __future__ import annotations

from tests.helpers import assert_optimal, scenario_yaml, servers_of, solve_and_check
from tests.scenarios import PLAIN


def test_isolated_instance_is_alone_on_its_server() -> None:
    """Tests that `isolation: host` gives an instance a server of its own.

    li (2 vCPU) and two app replicas (2 vCPU each) total 6 threads, which one 8-thread server
    would hold for 100. li must be alone, so: li on one server, both app replicas on another
    (they may share): 2 x 100 = 200.
    """
    plan = solve_and_check(
        scenario_yaml(
            PLAIN,
            """
            server_types:
              s: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 100}
            sites:
              dc: {servers: {s: 3}}
            vnfs:
              li: {flavor: {vcpu: 2, memory_gib: 2}, forms: [vm], replicas: 1, isolation: host}
              app: {flavor: {vcpu: 2, memory_gib: 2}, replicas: 2}
            """,
        )
    )
    assert_optimal(plan, 200)
    (li_server,) = servers_of(plan, "li")
    assert [p.instance for p in plan.placements if p.server == li_server] == ["li-1"]
    app_servers = servers_of(plan, "app")
    assert len(set(app_servers)) == 1
    assert li_server not in app_servers
