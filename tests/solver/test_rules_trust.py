"""Tests that containers of two trust domains never share a kernel, and that the cheapest
plan mixes forms so that they can still share a host.

Hand-proven cases, as docs/testing.md ("Rule tests") describes: the optimum is argued in each
test's docstring, every plan has passed the checker, the platform is `PLAIN` unless a test says.
"""

from __future__ import annotations

import pytest

from tests.helpers import assert_optimal, scenario_yaml, servers_of, solve_and_check

TRUST_YAML = scenario_yaml(
    """
    platform:
      vm:
        overhead: {vcpu: 1, memory_gib: 12}
        host_reserve: {cores: 1, memory_gib: 4}
      container:
        host_reserve: {cores: 1, memory_gib: 2}
    server_types:
      s: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 1000}
    sites:
      dc: {servers: {s: 2}}
    vnfs:
      a: {flavor: {vcpu: 2, memory_gib: 4}, forms: [container, vm], replicas: 1, trust: ta}
      b: {flavor: {vcpu: 2, memory_gib: 4}, forms: [container, vm], replicas: 1, trust: tb}
    """
)


def test_two_trust_domains_share_a_host_as_one_vm_and_one_container() -> None:
    """Tests that the cheapest plan mixes forms so two trust domains share one host.

    Server s: 8 threads, 32 GiB, 1000/month. a and b: 2 vCPU, 4 GiB, trust ta and tb.
    On one host:
    - two containers: refused (containers of ta and tb may not share a kernel);
    - two VMs: memory 4 (VM reserve) + 2 x (4 + 12) = 36 > 32, does not fit;
    - one VM + one container: threads 1 + 1 (both reserves) + (2 + 1) + 2 = 7 <= 8,
      memory 4 + 2 + (4 + 12) + 4 = 26 <= 32: fits.
    So one host at 1000 beats two hosts at 2000: optimum 1000, one VM and one container.
    """
    plan = solve_and_check(TRUST_YAML)
    assert_optimal(plan, 1000)
    assert plan.summary.servers_used == 1
    assert sorted(p.form for p in plan.placements) == ["container", "vm"]
    assert servers_of(plan, "a") == servers_of(plan, "b")
    used = plan.servers[0].used
    assert used["threads"] == pytest.approx(7)
    assert used["memory_gib"] == pytest.approx(26)


def test_containers_only_of_two_domains_need_two_hosts() -> None:
    """Tests that without the VM form the two domains must take a host each.

    Same scenario with forms [container] only: two containers of ta and tb may never share a
    server, although 1 + 2 + 2 = 5 threads and 2 + 4 + 4 = 10 GiB would fit. Optimum 2 x 1000.
    """
    plan = solve_and_check(TRUST_YAML.replace("forms: [container, vm]", "forms: [container]"))
    assert_optimal(plan, 2000)
    assert servers_of(plan, "a") != servers_of(plan, "b")


def test_containers_of_one_domain_share_a_host() -> None:
    """Tests that containers of one trust domain may share a host.

    Both VNFs in domain ta, container only: threads 1 + 2 + 2 = 5 <= 8, memory 2 + 4 + 4 = 10:
    one host, 1000.
    """
    yaml_text = TRUST_YAML.replace("forms: [container, vm]", "forms: [container]").replace(
        "trust: tb", "trust: ta"
    )
    plan = solve_and_check(yaml_text)
    assert_optimal(plan, 1000)
    assert plan.summary.containers == 2
