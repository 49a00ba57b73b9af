"""Tests that infeasible scenarios are proven infeasible and explained in an operator's words.

Each scenario breaks one thing on purpose. The plan must say `infeasible`, hold no placements,
and carry an explanation that names the VNF and the numbers that make it impossible. The
assertions look for key substrings, not whole sentences, so wording may improve freely.
Every plan also goes through the independent checker (a plan-less status must hold only an
explanation).
"""

from __future__ import annotations

import pytest

from nfvplan.plan import Plan, Status
from tests.helpers import explanation_text, scenario_yaml, solve_and_check
from tests.scenarios import PLAIN

SERVER = "s: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 100}"
ONLY_S = f"server_types:\n  {SERVER}"
"""The `server_types` section of the scenarios that use `s` alone."""


def assert_infeasible(plan: Plan, *fragments: str) -> str:
    """Infeasible, empty, explained; every fragment appears in the explanation. Returns it."""
    assert plan.status is Status.INFEASIBLE
    assert plan.placements == []
    assert plan.servers == []
    assert plan.objective.value is None
    text = explanation_text(plan)
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in explanation:\n{text}"
    return text


def on_s(body: str) -> Plan:
    """The checked plan of the `PLAIN` platform with the one server type `s` (`SERVER`) and
    `body`, the scenario's sites and VNFs."""
    return solve_and_check(scenario_yaml(PLAIN, ONLY_S, body))


RESERVES = """
platform:
  vm: {overhead: {vcpu: 1}, host_reserve: {cores: 1}}
  container: {host_reserve: {cores: 1}}
"""
"""A VM pays 1 vCPU of overhead; both forms' hosts reserve 1 core (1 thread at SMT 1)."""


# --- cheap checks: one requirement against the inventory ------------------------------------------


def test_flavor_fitting_no_allowed_server() -> None:
    """Tests the explanation of a VNF that fits only servers at sites it may not use.

    upf pins 8 vCPUs and may only run at edge, whose `small` servers have 4 threads; the `big`
    core server would hold it (so the loader accepts the file). With the 1-vCPU VM overhead and
    the 1-core reserves: as a VM 8 + 1 + 1 = 10 threads, as a container 8 + 1 = 9, against 4.
    """
    plan = solve_and_check(
        scenario_yaml(
            RESERVES,
            """
            server_types:
              small: {cores: 4, threads_per_core: 1, memory_gib: 16, monthly_cost: 50}
              big: {cores: 32, threads_per_core: 1, memory_gib: 128, monthly_cost: 400}
            sites:
              edge: {kind: edge, servers: {small: 2}}
              core: {kind: core, servers: {big: 1}}
            vnfs:
              upf: {flavor: {vcpu: 8, memory_gib: 8}, cpu: dedicated, replicas: 1, sites: [edge]}
            """,
        )
    )
    assert_infeasible(plan, "upf", "fits no server", "[edge]", "small", "10", "9", "4", "threads")


def test_flavor_that_fits_only_without_the_host_reserve() -> None:
    """Tests that the reserve is what the explanation blames when the bare flavor would fit.

    small has 4 threads; upf pins 4 (the loader's bare-flavor check passes) but the container
    runtime reserves 1 core: 4 + 1 = 5 > 4; as a VM 4 + 1 + 1 = 6 > 4.
    """
    plan = solve_and_check(
        scenario_yaml(
            RESERVES,
            """
            server_types:
              small: {cores: 4, threads_per_core: 1, memory_gib: 16, monthly_cost: 50}
            sites:
              edge: {servers: {small: 2}}
            vnfs:
              upf: {flavor: {vcpu: 4, memory_gib: 8}, cpu: dedicated, replicas: 1}
            """,
        )
    )
    assert_infeasible(plan, "upf", "host reserve", "5", "6", "4")


def test_aligned_flavor_that_fits_no_numa_node_with_the_reserve() -> None:
    """Tests the NUMA share in a no-fit explanation.

    s: 8 threads over 2 NUMA nodes, 4 per node; the container reserve (1 core = 1 thread) is
    spread evenly, 0.5 per node. upf pins 4 threads on one node: 4 + 0.5 = 4.5 > 4.
    """
    plan = solve_and_check(
        scenario_yaml(
            """
            platform:
              container: {host_reserve: {cores: 1}}
            server_types:
              s: {cores: 8, threads_per_core: 1, memory_gib: 32, numa_nodes: 2, monthly_cost: 100}
            sites:
              dc: {servers: {s: 2}}
            vnfs:
              upf: {flavor: {vcpu: 4, memory_gib: 4}, cpu: dedicated, numa: aligned,
                    forms: [container], replicas: 1}
            """
        )
    )
    assert_infeasible(plan, "upf", "4.5", "NUMA", "has 4")


def test_more_isolated_instances_than_servers() -> None:
    """Tests 3 `isolation: host` instances on the 2 servers of their only site."""
    plan = on_s(
        """
        sites:
          dc: {servers: {s: 2}}
        vnfs:
          li: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 3, isolation: host}
        """
    )
    assert_infeasible(plan, "li", "isolation", "3", "[dc]", "2")


def test_rack_anti_affinity_with_too_few_racks() -> None:
    """Tests the explanation of 3 rack-anti-affine replicas at a site of 2 racks.

    amf may only use core-1 (4 servers over 2 racks); core-2's 3 racks do not count.
    """
    plan = on_s(
        """
        sites:
          core-1: {kind: core, racks: 2, servers: {s: 4}}
          core-2: {kind: core, racks: 3, servers: {s: 3}}
        vnfs:
          amf: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 3, anti_affinity: rack,
                sites: [core-1]}
        """
    )
    assert_infeasible(plan, "amf: anti_affinity rack needs 3 racks at [core-1], which has 2")


def test_host_anti_affinity_with_too_few_hosts_counts_purchasable_ones() -> None:
    """Tests 4 host-anti-affine replicas on 2 installed + 1 purchasable servers: 3 hosts."""
    plan = on_s(
        """
        sites:
          dc: {servers: {s: 2}, expand: {s: 1}}
        vnfs:
          amf: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 4, anti_affinity: host}
        """
    )
    assert_infeasible(plan, "amf", "host", "needs 4 hosts", "[dc]", "has 3")


def test_site_anti_affinity_with_too_few_allowed_sites() -> None:
    """Tests 3 site-anti-affine replicas limited to {kind: core}: a and b, 2 sites (e is edge)."""
    plan = on_s(
        """
        sites:
          a: {kind: core, servers: {s: 2}}
          b: {kind: core, servers: {s: 2}}
          e: {kind: edge, servers: {s: 2}}
        vnfs:
          nrf: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 3, anti_affinity: site,
                sites: {kind: core}}
        """
    )
    assert_infeasible(plan, "nrf", "site", "needs 3 sites", "[a, b]", "has 2")


def test_volume_beyond_installed_and_purchasable_servers() -> None:
    """Tests the explanation when the total demand for a resource exceeds the inventory.

    10 instances x 8 threads = 80 threads; dc has 2 installed + 1 purchasable 16-thread
    servers = 48 threads.
    """
    plan = solve_and_check(
        scenario_yaml(
            PLAIN,
            """
            server_types:
              s: {cores: 16, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
            sites:
              dc: {servers: {s: 2}, expand: {s: 1}}
            vnfs:
              fn: {flavor: {vcpu: 8, memory_gib: 4}, replicas: 10}
            """,
        )
    )
    assert_infeasible(plan, "threads", "fn", "80", "[dc]", "3 servers", "48")


# --- the conflict search: cheap checks pass, the combination does not -----------------------------

COMBO_YAML = scenario_yaml(
    PLAIN,
    ONLY_S,
    """
    sites:
      dc-1: {kind: core, servers: {s: 2}}
      dc-2: {kind: core, servers: {s: 2}}
    vnfs:
      li: {flavor: {vcpu: 1, memory_gib: 1}, forms: [vm], replicas: 1, isolation: host,
           sites: [dc-1]}
      amf: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 2, anti_affinity: host,
            sites: [dc-1]}
      smf: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 2, anti_affinity: host}
    """,
)


def test_isolation_plus_host_anti_affinity_on_too_few_hosts() -> None:
    """Tests that a conflict no single check sees is explained by the requirements involved.

    dc-1 has 2 hosts. Alone, li (1 isolated instance) fits and amf (2 host-anti-affine
    replicas) fits, and the 3 small instances total 3 threads. Together li takes one host
    whole and amf needs two more: 3 hosts, dc-1 has 2. The explanation lists li's isolation,
    amf's anti-affinity and both site restrictions; smf, which is fine anywhere, is not named.
    """
    plan = solve_and_check(COMBO_YAML)
    text = assert_infeasible(
        plan,
        "cannot all hold",
        "li: isolation host",
        "amf: anti_affinity host needs 2 hosts at [dc-1], which has 2",
        "li: may only run at [dc-1]",
        "amf: may only run at [dc-1]",
    )
    assert "smf" not in text


def test_without_explain_the_combination_still_says_infeasible() -> None:
    """Tests `SolveOptions(explain=False)`: no conflict search, still an explanation line."""
    plan = solve_and_check(COMBO_YAML, explain=False)
    assert_infeasible(plan)


def test_containers_of_two_trust_domains_on_a_single_server() -> None:
    """Tests a trust conflict: one server, two container-only VNFs of different domains.

    1 + 1 threads would fit, but containers of red and blue may not share a kernel and there is
    no second server. The explanation names both domains.
    """
    plan = on_s(
        """
        sites:
          dc: {servers: {s: 1}}
        vnfs:
          a: {flavor: {vcpu: 1, memory_gib: 1}, forms: [container], replicas: 1,
              trust: red}
          b: {flavor: {vcpu: 1, memory_gib: 1}, forms: [container], replicas: 1,
              trust: blue}
        """
    )
    assert_infeasible(plan, "cannot all hold", "'red'", "'blue'", "a:", "b:")


PACKS_BADLY = scenario_yaml(
    PLAIN,
    """
    server_types:
      s: {cores: 8, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
    sites:
      dc: {servers: {s: 2}}
    vnfs:
      fn: {flavor: {vcpu: 5, memory_gib: 4}, replicas: 3}
    """,
)
"""3 instances of 5 threads on 2 servers of 8 threads: the volume check passes, the packing not."""


def test_inventory_that_cannot_pack_the_instances() -> None:
    """Tests more instances than the inventory holds, although the totals would fit.

    3 instances of 5 threads on 2 servers of 8 threads: 15 <= 16 threads in total (the volume
    check passes), but 2 x 5 = 10 > 8, so each server holds one and the third has nowhere to go.
    The explanation names fn and its 3 replicas.
    """
    assert_infeasible(solve_and_check(PACKS_BADLY), "fn", "3 replicas")


@pytest.mark.parametrize("replicas", [2, 3])
def test_one_more_server_makes_the_packing_feasible(replicas: int) -> None:
    """Tests the boundary of the case above: with fewer replicas, or a third server, it solves.

    2 replicas on 2 servers: 200; 3 replicas with `expand: {s: 1}`: 300 (one server bought).
    """
    expand = ", expand: {s: 1}" if replicas == 3 else ""
    plan = solve_and_check(
        scenario_yaml(
            PLAIN,
            f"""
            server_types:
              s: {{cores: 8, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}}
            sites:
              dc: {{servers: {{s: 2}}{expand}}}
            vnfs:
              fn: {{flavor: {{vcpu: 5, memory_gib: 4}}, replicas: {replicas}}}
            """,
        )
    )
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == pytest.approx(100 * replicas)
    assert plan.summary.servers_bought == (1 if replicas == 3 else 0)


def test_the_conflict_search_keeps_to_the_deadline_it_is_given() -> None:
    """Tests that `explain_conflict` runs within the solve's own deadline (the time limit is a
    promise in every phase): given a deadline already past it starts no search and says there
    was no time, and given time it names the conflict of the case above (fn's 3 replicas of 5
    threads on 2 servers of 8 threads, which the cheap checks let through)."""
    import time

    from nfvplan.solver.explain import NO_TIME, explain_conflict
    from nfvplan.solver.incumbent import RunLimits
    from nfvplan.solver.problem import build_problem
    from tests.helpers import parse

    scenario = parse(PACKS_BADLY)
    problem = build_problem(scenario, scenario.objective)
    limits = RunLimits(time_limit_s=20, workers=1, seed=1)
    assert explain_conflict(scenario, problem, limits, time.perf_counter()) == [NO_TIME]
    reasons = explain_conflict(scenario, problem, limits, time.perf_counter() + 20)
    assert reasons != [NO_TIME] and "fn" in " ".join(reasons)
