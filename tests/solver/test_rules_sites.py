"""Tests that `sites:`, as a list of names or as `{kind: K}`, restricts where a VNF may run.

Hand-proven cases, as docs/testing.md ("Rule tests") describes: the optimum is argued in each
test's docstring, every plan has passed the checker, the platform is `PLAIN` unless a test says.
"""

from __future__ import annotations

import pytest

from tests.helpers import assert_optimal, scenario_yaml, solve_and_check
from tests.scenarios import PLAIN

SITES_YAML = scenario_yaml(
    PLAIN,
    """
    server_types:
      e50: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 50}
      c200: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 200}
      c300: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 300}
    sites:
      edge: {kind: edge, servers: {e50: 1}}
      core-a: {kind: core, servers: {c200: 1}}
      core-b: {kind: core, servers: {c300: 1}}
    vnfs:
      fn: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 1SITES}
    """,
)


@pytest.mark.parametrize(
    ("rule", "site", "cost"),
    [
        ("", "edge", 50),
        (", sites: [core-b]", "core-b", 300),
        (", sites: [core-b, edge]", "edge", 50),
        (", sites: {kind: core}", "core-a", 200),
    ],
    ids=["anywhere", "list-one", "list-two", "kind"],
)
def test_site_restriction_by_list_and_by_kind(rule: str, site: str, cost: int) -> None:
    """Tests `sites:` as a list of names and as `{kind: K}`.

    One server per site: edge 50, core-a 200, core-b 300. The cheapest allowed site wins:
    anywhere -> edge 50; [core-b] -> 300; [core-b, edge] -> edge 50; {kind: core} -> core-a 200.
    """
    plan = solve_and_check(SITES_YAML.replace("SITES", rule))
    assert_optimal(plan, cost)
    assert [s.site for s in plan.servers] == [site]
