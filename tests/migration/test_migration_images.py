"""The migration replay counts container images: a host frees one when its last container goes."""

from __future__ import annotations

from dataclasses import replace

from helpers import parse, scenario_yaml, solve_and_check

from nfvplan.migration import plan_migration
from nfvplan.plan import Status

SWAP = scenario_yaml(
    """
    platform:
      cpu_overcommit: 1
    server_types:
      s: {cores: 16, threads_per_core: 1, memory_gib: 64, disk_gib: 100, monthly_cost: 1000}
    sites:
      dc: {servers: {s: 2}}
    vnfs:
      x: {flavor: {vcpu: 2, memory_gib: 4}, forms: [container], replicas: 2, trust: tx,
          image_gib: 60}
      y: {flavor: {vcpu: 2, memory_gib: 4}, forms: [container], replicas: 2, trust: ty,
          image_gib: 60}
    """
)


def test_swapping_two_image_heavy_vnfs_needs_a_spare() -> None:
    """x and y (two containers each, 60 GiB images, other trust domains) sit on one server each.
    Migrating to the plan with the servers swapped: the first move brings a second 60 GiB image
    onto a 100 GiB disk that still holds the other's (its last container has not left): 120 > 100
    for every first move, and no idle server to park on, so the replay says it needs a spare."""
    scenario = parse(SWAP)
    after = solve_and_check(scenario)
    assert after.status is Status.OPTIMAL
    other = {"dc/s/1": "dc/s/2", "dc/s/2": "dc/s/1"}
    before = replace(
        after, placements=[replace(p, server=other[p.server]) for p in after.placements]
    )
    migration = plan_migration(scenario, before, after)
    assert migration.moved == 4
    assert migration.needs_spare
