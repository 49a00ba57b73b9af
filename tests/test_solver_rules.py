"""Tests that each solver feature finds the optimum a hand calculation predicts.

Every scenario is tiny (1-6 servers) and small enough to solve by hand: the docstring of each
test writes the arithmetic that proves the optimum, and the test asserts the status, the exact
objective value and the structural fact the rule is about (which form, which server, how many
servers). Every plan goes through `solve_and_check`, so the independent checker has accepted it
before any assertion looks at it.

Unless a test says otherwise, the platform has no overheads or reserves and `cpu_overcommit` is
1, so an instance takes exactly its flavor.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nfvplan.errors import InputError
from nfvplan.plan import Plan, Status
from tests.helpers import (
    load_per_server,
    parse,
    placements_of,
    scenario_yaml,
    server_use,
    servers_of,
    solve_and_check,
)

PLAIN = """
platform:
  cpu_overcommit: 1
"""
"""No overheads, no reserves, no overcommit."""


def assert_optimal(plan: Plan, cost: float) -> None:
    """Optimal, with the objective and the summary both at `cost` (objective: cost)."""
    assert plan.status is Status.OPTIMAL, plan.explanation
    assert plan.objective.name == "cost"
    assert plan.objective.value == pytest.approx(cost)
    assert plan.objective.bound == pytest.approx(cost)
    assert plan.summary.monthly_cost == pytest.approx(cost)


def racks_of(plan: Plan, vnf: str) -> list[tuple[str, int]]:
    """(site, rack) of each instance of `vnf`."""
    by_id = {s.id: s for s in plan.servers}
    return [(by_id[sid].site, by_id[sid].rack) for sid in servers_of(plan, vnf)]


# --- trust domains: containers of two domains never share a kernel --------------------------------

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


# --- NUMA alignment -------------------------------------------------------------------------------

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


# --- anti-affinity --------------------------------------------------------------------------------

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


# --- isolation ------------------------------------------------------------------------------------


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


# --- buying servers -------------------------------------------------------------------------------


def test_cheaper_bought_server_beats_expensive_installed_one() -> None:
    """Tests that the solver buys a cheaper server rather than power on a dearer installed one.

    dc has one installed `old` (500/month) and may buy one `new` (200/month); both hold the
    single instance. Installed and idle costs nothing; bought and used costs its monthly cost.
    Optimum: buy new = 200, server dc/new/1 (numbered per type from 1), bought.
    """
    plan = solve_and_check(
        scenario_yaml(
            PLAIN,
            """
            server_types:
              old: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 500}
              new: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 200}
            sites:
              dc: {servers: {old: 1}, expand: {new: 1}}
            vnfs:
              fn: {flavor: {vcpu: 2, memory_gib: 2}, replicas: 1}
            """,
        )
    )
    assert_optimal(plan, 200)
    assert servers_of(plan, "fn") == ["dc/new/1"]
    assert plan.servers[0].bought is True
    assert plan.servers[0].type == "new"
    assert plan.summary.servers_bought == 1


def test_bought_servers_of_an_installed_type_are_numbered_after_the_installed() -> None:
    """Tests that expanding a type installs servers numbered after the installed ones.

    One installed `s` (100) and one more purchasable; 2 host-anti-affine replicas need both:
    dc/s/1 installed, dc/s/2 bought; 2 x 100 = 200, one server bought.
    """
    plan = solve_and_check(
        scenario_yaml(
            PLAIN,
            """
            server_types:
              s: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 100}
            sites:
              dc: {servers: {s: 1}, expand: {s: 1}}
            vnfs:
              fn: {flavor: {vcpu: 2, memory_gib: 2}, replicas: 2, anti_affinity: host}
            """,
        )
    )
    assert_optimal(plan, 200)
    assert {s.id: s.bought for s in plan.servers} == {"dc/s/1": False, "dc/s/2": True}
    assert plan.summary.servers_bought == 1


# --- reserves, overheads and overcommit -----------------------------------------------------------

RESERVE_YAML = scenario_yaml(
    """
    platform:
      vm:
        overhead: {vcpu: 1, memory_gib: 2, disk_gib: 10}
        host_reserve: {cores: 2, memory_gib: 8, disk_gib: 50}
      container:
        overhead: {vcpu: 0.5, memory_gib: 0.5, disk_gib: 1}
        host_reserve: {cores: 1, memory_gib: 4, disk_gib: 20}
      cpu_overcommit: 2
    server_types:
      h: {cores: 16, threads_per_core: 2, memory_gib: 64, disk_gib: 500, nic_gbps: 10,
          sriov_vfs: 8, monthly_cost: 100}
    sites:
      dc: {servers: {h: 1}}
    vnfs:
      vmonly: {flavor: {vcpu: 4, memory_gib: 8, disk_gib: 20}, forms: [vm], replicas: 2}
      ctonly: {flavor: {vcpu: 2, memory_gib: 4, disk_gib: 5}, forms: [container], replicas: 1}
    """
)


def test_host_reserves_are_paid_once_per_form_present() -> None:
    """Tests the exact usage of a host running 2 VMs and 1 container.

    h: 16 cores x 2 threads = 32 threads. Reserves (once each, as both forms are present):
    VM 2 cores = 4 threads, 8 GiB, 50 GiB disk; container 1 core = 2 threads, 4 GiB, 20 GiB.
    Instances, shared vCPUs at overcommit 2:
    - 2 VMs: threads 2 x (4 + 1) / 2 = 5, memory 2 x (8 + 2) = 20, disk 2 x (20 + 10) = 60;
    - 1 container: threads (2 + 0.5) / 2 = 1.25, memory 4 + 0.5 = 4.5, disk 5 + 1 = 6.
    Used: threads 4 + 2 + 5 + 1.25 = 12.25, memory 8 + 4 + 20 + 4.5 = 36.5,
    disk 50 + 20 + 60 + 6 = 136, NIC 0, VFs 0. One server: 100.
    """
    plan = solve_and_check(RESERVE_YAML)
    assert_optimal(plan, 100)
    assert server_use(plan, "dc/h/1").used == pytest.approx(
        {"threads": 12.25, "memory_gib": 36.5, "disk_gib": 136, "nic_gbps": 0, "sriov_vfs": 0}
    )
    assert (plan.summary.vms, plan.summary.containers) == (2, 1)
    assert plan.summary.cpu_utilisation == pytest.approx(12.25 / 32, abs=1e-6)  # 6 decimals
    assert plan.summary.memory_utilisation == pytest.approx(36.5 / 64, abs=1e-6)


def test_only_the_reserve_of_the_form_present_is_paid() -> None:
    """Tests that a host with containers only pays no VM reserve.

    Without vmonly: container reserve 2 threads, 4 GiB, 20 GiB disk plus the container's
    1.25 threads, 4.5 GiB, 6 GiB: threads 3.25, memory 8.5, disk 26.
    """
    yaml_text = RESERVE_YAML.replace(
        "  vmonly: {flavor: {vcpu: 4, memory_gib: 8, disk_gib: 20}, forms: [vm], replicas: 2}\n",
        "",
    )
    plan = solve_and_check(yaml_text)
    assert_optimal(plan, 100)
    used = server_use(plan, "dc/h/1").used
    assert used["threads"] == pytest.approx(3.25)
    assert used["memory_gib"] == pytest.approx(8.5)
    assert used["disk_gib"] == pytest.approx(26)


OVERCOMMIT_YAML = scenario_yaml(
    """
    platform:
      cpu_overcommit: 2
    server_types:
      s: {cores: 8, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
    sites:
      dc: {servers: {s: 2}}
    vnfs:
      fn: {flavor: {vcpu: VCPU, memory_gib: 4}, cpu: CPU, replicas: REPLICAS}
    """
)


@pytest.mark.parametrize(
    ("vcpu", "cpu", "replicas", "cost", "threads"),
    [
        (12, "shared", 1, 100, [6]),
        (8, "shared", 2, 100, [8]),
        (8, "dedicated", 2, 200, [8, 8]),
    ],
    ids=["one-larger-than-the-server", "two-exactly-full", "dedicated-never-overcommitted"],
)
def test_cpu_overcommit_applies_to_shared_vcpus_only(
    vcpu: int, cpu: str, replicas: int, cost: int, threads: list[float]
) -> None:
    """Tests overcommit: shared vCPUs count 1/2 thread, dedicated ones a whole thread.

    s has 8 threads; overcommit 2.
    - one shared 12-vCPU instance: 12 / 2 = 6 <= 8 threads, fits only thanks to overcommit: 100;
    - two shared 8-vCPU instances: 2 x 8 / 2 = 8 <= 8, exactly full, one server: 100;
    - two dedicated 8-vCPU instances: 8 + 8 = 16 > 8, one per server: 200.
    """
    yaml_text = (
        OVERCOMMIT_YAML.replace("VCPU", str(vcpu))
        .replace("CPU", cpu)
        .replace("REPLICAS", str(replicas))
    )
    plan = solve_and_check(yaml_text)
    assert_optimal(plan, cost)
    assert sorted(s.used["threads"] for s in plan.servers) == pytest.approx(threads)


def test_overhead_vcpus_of_a_dedicated_instance_are_shared() -> None:
    """Tests that a pinned instance's overhead vCPU still counts 1/overcommit of a thread.

    VM overhead 1 vCPU, overcommit 2; fn pins 3 vCPUs as a VM: 3 + 1 / 2 = 3.5 threads.
    Two instances: 7.0 threads, exactly the 7 threads of s: one server, 100. (Were the overhead
    vCPU pinned too, 2 x 4 = 8 > 7 would need two servers.)
    """
    plan = solve_and_check(
        scenario_yaml(
            """
            platform:
              vm: {overhead: {vcpu: 1}}
              cpu_overcommit: 2
            server_types:
              s: {cores: 7, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
            sites:
              dc: {servers: {s: 2}}
            vnfs:
              fn: {flavor: {vcpu: 3, memory_gib: 4}, cpu: dedicated, forms: [vm], replicas: 2}
            """
        )
    )
    assert_optimal(plan, 100)
    assert plan.servers[0].used["threads"] == pytest.approx(7)


# --- every resource binds -------------------------------------------------------------------------

BINDING_YAML = scenario_yaml(
    PLAIN,
    """
    server_types:
      s: {cores: 16, threads_per_core: 1, memory_gib: 32, disk_gib: 100, nic_gbps: 10,
          sriov_vfs: 8, monthly_cost: 100}
    sites:
      dc: {servers: {s: 3}}
    vnfs:
      fn: {flavor: FLAVOR, replicas: 3}
    """,
)


@pytest.mark.parametrize(
    ("flavor", "resource", "per_instance", "servers"),
    [
        ("{vcpu: 1, memory_gib: 8}", "memory_gib", 8, 1),
        ("{vcpu: 1, memory_gib: 8, hugepages_gib: 8}", "memory_gib", 16, 2),
        ("{vcpu: 1, memory_gib: 1, sriov_vfs: 4}", "sriov_vfs", 4, 2),
        ("{vcpu: 1, memory_gib: 1, disk_gib: 40}", "disk_gib", 40, 2),
        ("{vcpu: 1, memory_gib: 1, gbps: 4}", "nic_gbps", 4, 2),
    ],
    ids=["memory-control", "hugepages", "sriov-vfs", "disk", "nic"],
)
def test_each_resource_binds(flavor: str, resource: str, per_instance: float, servers: int) -> None:
    """Tests that hugepages count as memory and VFs, disk and NIC Gbps each limit a server.

    s: 16 threads, 32 GiB, 100 GiB disk, 10 Gbps, 8 VFs; 3 replicas, 1 thread each.
    - 8 GiB (control): 3 x 8 = 24 <= 32, one server: 100;
    - 8 GiB + 8 GiB hugepages = 16 GiB: 2 x 16 = 32 fits, 3 x 16 = 48 does not: 200;
    - 4 VFs: 2 x 4 = 8 fits, 12 > 8: 200;
    - 40 GiB disk: 80 <= 100, 120 > 100: 200;
    - 4 Gbps NIC: 8 <= 10, 12 > 10: 200.
    The fuller server uses 2 x (per instance) of the binding resource (3 x in the control).
    """
    plan = solve_and_check(BINDING_YAML.replace("FLAVOR", flavor))
    assert_optimal(plan, 100 * servers)
    assert plan.summary.servers_used == servers
    fullest = max(s.used[resource] for s in plan.servers)
    assert fullest == pytest.approx(per_instance * (3 if servers == 1 else 2))


# --- where a VNF may run --------------------------------------------------------------------------

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


# --- licences -------------------------------------------------------------------------------------


def test_licences_are_added_per_instance() -> None:
    """Tests that the cost includes `license_monthly` once per instance.

    One 100 server holds all three instances; licences 2 x 75 + 1 x 30 = 180: total 280.
    """
    plan = solve_and_check(
        scenario_yaml(
            PLAIN,
            """
            server_types:
              s: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 100}
            sites:
              dc: {servers: {s: 2}}
            vnfs:
              a: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 2, license_monthly: 75}
              b: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 1, license_monthly: 30}
            """,
        )
    )
    assert_optimal(plan, 280)
    assert plan.summary.servers_used == 1
    assert plan.summary.instances == 3


# --- objectives -----------------------------------------------------------------------------------

OBJECTIVE_YAML = scenario_yaml(
    PLAIN,
    """
    server_types:
      big: {cores: 16, threads_per_core: 1, memory_gib: 64, monthly_cost: 500}
      small: {cores: 4, threads_per_core: 1, memory_gib: 16, monthly_cost: 100}
    sites:
      dc: {servers: {big: 1, small: 4}}
    vnfs:
      fn: {flavor: {vcpu: 4, memory_gib: 4}, replicas: 4}
    """,
)


def test_cost_objective_prefers_four_cheap_servers() -> None:
    """Tests that `objective: cost` takes four small servers over one big one.

    4 instances of 4 threads: a small server (4 threads, 100) holds one, big (16, 500) holds
    four. All small: 400; big alone: 500; big plus any small: >= 600. Optimum 400, 4 servers.
    """
    plan = solve_and_check(OBJECTIVE_YAML)
    assert_optimal(plan, 400)
    assert plan.summary.servers_used == 4
    assert {s.type for s in plan.servers} == {"small"}


def test_servers_objective_prefers_one_dear_server() -> None:
    """Tests that `objective: servers` takes the fewest servers even when dearer.

    One big server holds all four instances: 1 server (vs 4 for the cost optimum), at 500.
    """
    plan = solve_and_check(OBJECTIVE_YAML, objective="servers")
    assert plan.status is Status.OPTIMAL
    assert plan.objective.name == "servers"
    assert plan.objective.value == 1
    assert plan.summary.servers_used == 1
    assert plan.servers[0].type == "big"
    assert plan.summary.monthly_cost == pytest.approx(500)


BALANCE_YAML = scenario_yaml(
    PLAIN,
    """
    server_types:
      s: {cores: 16, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
    sites:
      dc: {servers: {s: 3}}
    vnfs:
      fn: {flavor: {vcpu: 3, memory_gib: 8}, replicas: 4}
    objective: OBJECTIVE
    """,
)


def test_balance_objective_spreads_the_load() -> None:
    """Tests that `objective: balance` minimises the busiest share, then the cost.

    s: 16 threads, 64 GiB; 4 instances of 3 threads and 8 GiB on at most 3 servers.
    With cost: all 4 on one server (12 threads): 100, busiest share 12/16 = 0.75.
    With balance: some server holds >= ceil(4/3) = 2 instances, so the busiest share is at least
    max(6/16, 16/64) = 0.375, reached by 2 + 2 (200) and 2 + 1 + 1 (300); cost breaks the tie:
    2 servers of 2 instances, value 0.375, cost 200.
    """
    cost_plan = solve_and_check(BALANCE_YAML.replace("OBJECTIVE", "cost"))
    assert_optimal(cost_plan, 100)
    assert cost_plan.servers[0].used["threads"] == pytest.approx(12)

    plan = solve_and_check(BALANCE_YAML.replace("OBJECTIVE", "balance"))
    assert plan.status is Status.OPTIMAL
    assert plan.objective.name == "balance"
    assert plan.objective.value == pytest.approx(0.375)
    assert sorted(load_per_server(plan).values()) == [2, 2]
    assert plan.summary.monthly_cost == pytest.approx(200)


def test_objective_option_overrides_the_file() -> None:
    """Tests that `SolveOptions(objective=...)` overrides `objective:` in the file.

    The file says balance; asking for cost gives the cost optimum of the test above: 100.
    """
    plan = solve_and_check(BALANCE_YAML.replace("OBJECTIVE", "balance"), objective="cost")
    assert_optimal(plan, 100)


# --- instance counts that follow the traffic ------------------------------------------------------


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


# --- exactness at the boundaries (both were bugs before ccd1e68) ----------------------------------


def test_exactly_full_server_under_fractional_overcommit() -> None:
    """Tests that instances whose exact thread shares fill a server exactly share it.

    cpu_overcommit 3: a shared 1-vCPU instance takes 1/3 thread. s has 1 thread; 3 instances
    take 3 x 1/3 = 1.0 <= 1 thread (FORMAT: the sum fits the server), memory 3 <= 32: one
    server, 100. The checker's rules accept that plan; the solver must find it (it once
    rounded each instance up to 334 milli-threads: 1002 > 1000, two servers, 200).
    """
    plan = solve_and_check(
        scenario_yaml(
            """
            platform:
              cpu_overcommit: 3
            server_types:
              s: {cores: 1, threads_per_core: 1, memory_gib: 32, monthly_cost: 100}
            sites:
              dc: {servers: {s: 2}}
            vnfs:
              fn: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 3}
            """
        )
    )
    assert_optimal(plan, 100)


def test_balance_optimum_is_exact_below_a_permille() -> None:
    """Tests that `objective: balance` is minimised exactly, not to the nearest permille.

    One instance of 1001 vCPUs; server a has 2001 threads (share 1001 / 2001 = 0.50025, cost
    200), server b 2000 threads (share 1001 / 2000 = 0.5005, cost 100). The least busiest share
    is 0.50025, on a; cost only breaks ties. (Optimised in whole permille, both shares once
    rounded to 501 and cost picked b.)
    """
    plan = solve_and_check(
        scenario_yaml(
            PLAIN,
            """
            server_types:
              a: {cores: 2001, threads_per_core: 1, memory_gib: 100000, monthly_cost: 200}
              b: {cores: 2000, threads_per_core: 1, memory_gib: 100000, monthly_cost: 100}
            sites:
              dc: {servers: {a: 1, b: 1}}
            vnfs:
              fn: {flavor: {vcpu: 1001, memory_gib: 1}, replicas: 1}
            objective: balance
            """,
        )
    )
    assert plan.status is Status.OPTIMAL
    assert servers_of(plan, "fn") == ["dc/a/1"]
    assert plan.objective.value == pytest.approx(1001 / 2001, abs=1e-6)


# --- property: any feasible-by-construction scenario ----------------------------------------------

HOST_THREADS = 24
HOST_MEMORY = 96
HOST_COST = 100


@st.composite
def small_scenarios(draw: st.DrawFn) -> tuple[str, float, int]:
    """A scenario where one instance per server is always a valid plan.

    Each VNF: 1-3 replicas, 1-4 vCPU, 1-8 GiB, any forms, one of two trust domains, maybe
    pinned and NUMA-aligned, maybe isolated, anti-affinity none/host/rack/site where the units
    exist (2 sites x 3 racks). Every site has as many 24-thread servers as there are instances,
    and one instance with both reserves and overheads fits one NUMA node of one server, so
    placing each instance on its own server (replicas spread over racks and sites) satisfies
    every rule. Returns (yaml, cost of that trivial plan, number of instances).
    """
    count = draw(st.integers(1, 3))
    vnfs = []
    licences = 0.0
    instances = 0
    for i in range(count):
        replicas = draw(st.integers(1, 3))
        scopes = ["", "host", "rack"] + (["site"] if replicas <= 2 else [])
        scope = draw(st.sampled_from(scopes))
        forms = draw(st.sampled_from(["[vm]", "[container]", "[vm, container]"]))
        pinned = draw(st.booleans())
        licence = draw(st.sampled_from([0, 10, 50]))
        fields = [
            f"flavor: {{vcpu: {draw(st.integers(1, 4))}, memory_gib: {draw(st.integers(1, 8))}}}",
            f"forms: {forms}",
            f"replicas: {replicas}",
            f"trust: {draw(st.sampled_from(['red', 'blue']))}",
            f"license_monthly: {licence}",
        ]
        if scope:
            fields.append(f"anti_affinity: {scope}")
        if pinned:
            fields += ["cpu: dedicated", "numa: aligned"]
        if draw(st.booleans()) and scope != "site":
            fields.append("isolation: host")
        vnfs.append(f"  f{i}: {{{', '.join(fields)}}}")
        licences += licence * replicas
        instances += replicas
    yaml_text = scenario_yaml(
        """
        platform:
          vm:
            overhead: {vcpu: 1, memory_gib: 2}
            host_reserve: {cores: 2, memory_gib: 8}
          container:
            overhead: {vcpu: 0.5, memory_gib: 0.5}
            host_reserve: {cores: 1, memory_gib: 4}
          cpu_overcommit: 2
        """,
        f"""
        server_types:
          s: {{cores: {HOST_THREADS // 2}, threads_per_core: 2, memory_gib: {HOST_MEMORY},
              numa_nodes: 2, monthly_cost: {HOST_COST}}}
        sites:
          a: {{racks: 3, servers: {{s: {max(instances, 3)}}}}}
          b: {{racks: 3, servers: {{s: {max(instances, 3)}}}}}
        """,
        "vnfs:\n" + "\n".join(vnfs),
    )
    return yaml_text, instances * HOST_COST + licences, instances


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios())
def test_random_feasible_scenarios_solve_within_the_trivial_bound(
    case: tuple[str, float, int],
) -> None:
    """Tests that any small feasible-by-construction scenario gets an optimal, checked plan.

    One instance per server costs `instances x 100 + licences` and is valid by construction, so
    the optimum can cost no more; the plan must place every instance and pass the checker.
    A NUMA node (24 / 2 = 12 threads, 48 GiB) holds the largest instance with both reserves
    taken evenly from the two nodes: threads (4 + 2) / 2 + 4 + 1 / 2 = 7.5 <= 12, memory
    (8 + 4) / 2 + 8 + 2 = 16 <= 48.
    """
    yaml_text, trivial_cost, instances = case
    plan = solve_and_check(yaml_text, time_limit_s=20)
    assert plan.status is Status.OPTIMAL, plan.explanation
    assert plan.summary.instances == instances
    assert plan.summary.monthly_cost <= trivial_cost + 1e-6
    assert plan.summary.servers_used <= instances
    for vnf in {p.vnf for p in plan.placements}:
        assert len(placements_of(plan, vnf)) >= 1
    assert math.isclose(plan.objective.value or 0, plan.summary.monthly_cost)


# --- property: tiny random scenarios against a brute-force optimum --------------------------------

BRUTE_PLATFORM = {
    "vm": {"overhead": (1.0, 2.0), "reserve": (1, 4.0)},
    "container": {"overhead": (0.5, 0.5), "reserve": (1, 2.0)},
}
"""(vCPU, GiB) overheads per instance and (cores, GiB) reserves per host; overcommit 2."""


@st.composite
def tiny_scenarios(draw: st.DrawFn) -> tuple[str, list[dict], list[dict]]:
    """A scenario of at most 4 servers and 4 instances, feasible or not, plus its raw data.

    Overcommit 2 with whole and half vCPUs keeps every thread figure exact in milli-threads.
    """
    types = {}
    for name in ("t1", "t2")[: draw(st.integers(1, 2))]:
        types[name] = {
            "cores": draw(st.sampled_from([4, 6, 8])),
            "tpc": draw(st.sampled_from([1, 2])),
            "memory": draw(st.sampled_from([16, 32])),
            "cost": draw(st.sampled_from([100, 150, 250])),
            "numa": draw(st.sampled_from([1, 2])),
        }
    servers: list[dict] = []
    site_lines = []
    for site in ("a", "b")[: draw(st.integers(1, 2))]:
        racks = draw(st.integers(1, 2))
        type_name = draw(st.sampled_from(sorted(types)))
        count = draw(st.integers(1, 2))
        site_lines.append(f"  {site}: {{racks: {racks}, servers: {{{type_name}: {count}}}}}")
        for n in range(1, count + 1):
            servers.append({"site": site, "rack": (n - 1) % racks + 1, **types[type_name], "id": n})
    vnfs: list[dict] = []
    vnf_lines = []
    budget = 4
    for i in range(draw(st.integers(1, 3))):
        if budget == 0:
            break
        vnf = {
            "name": f"f{i}",
            "replicas": draw(st.integers(1, min(2, budget))),
            "vcpu": draw(st.integers(1, 4)),
            "memory": draw(st.integers(1, 8)),
            "forms": draw(st.sampled_from([["vm"], ["container"], ["vm", "container"]])),
            "trust": draw(st.sampled_from(["red", "blue"])),
            "dedicated": draw(st.booleans()),
            "aligned": draw(st.booleans()),
            "isolated": draw(st.integers(0, 4)) == 0,
            "scope": draw(st.sampled_from([None, None, "host", "rack", "site"])),
            "licence": draw(st.sampled_from([0, 20])),
        }
        budget -= vnf["replicas"]
        vnfs.append(vnf)
        fields = [
            f"flavor: {{vcpu: {vnf['vcpu']}, memory_gib: {vnf['memory']}}}",
            f"forms: [{', '.join(vnf['forms'])}]",
            f"replicas: {vnf['replicas']}",
            f"trust: {vnf['trust']}",
            f"license_monthly: {vnf['licence']}",
        ]
        if vnf["dedicated"]:
            fields.append("cpu: dedicated")
        if vnf["aligned"]:
            fields.append("numa: aligned")
        if vnf["isolated"]:
            fields.append("isolation: host")
        if vnf["scope"]:
            fields.append(f"anti_affinity: {vnf['scope']}")
        vnf_lines.append(f"  {vnf['name']}: {{{', '.join(fields)}}}")
    type_lines = [
        f"  {name}: {{cores: {t['cores']}, threads_per_core: {t['tpc']}, "
        f"memory_gib: {t['memory']}, numa_nodes: {t['numa']}, monthly_cost: {t['cost']}}}"
        for name, t in types.items()
    ]
    yaml_text = scenario_yaml(
        """
        platform:
          vm: {overhead: {vcpu: 1, memory_gib: 2}, host_reserve: {cores: 1, memory_gib: 4}}
          container: {overhead: {vcpu: 0.5, memory_gib: 0.5},
                      host_reserve: {cores: 1, memory_gib: 2}}
          cpu_overcommit: 2
        """,
        "server_types:\n" + "\n".join(type_lines),
        "sites:\n" + "\n".join(site_lines),
        "vnfs:\n" + "\n".join(vnf_lines),
    )
    return yaml_text, servers, vnfs


def brute_force_optima(servers: list[dict], vnfs: list[dict]) -> dict[str, float] | None:
    """The best cost, server count and busiest share over every assignment; None if none holds.

    Each objective is minimised on its own over every assignment of instances to
    (server, form, NUMA node).

    Written from FORMAT.md alone: threads and memory with per-instance overheads and per-form
    reserves, NUMA shares for aligned instances (reserves split evenly over the nodes),
    containers of one trust domain per server, isolation, host/rack/site anti-affinity.
    """
    instances = [vnf for vnf in vnfs for _ in range(vnf["replicas"])]
    options = [
        [
            (s, form, node)
            for s, server in enumerate(servers)
            for form in vnf["forms"]
            for node in (range(server["numa"]) if vnf["aligned"] else [None])
        ]
        for vnf in instances
    ]
    licences = sum(vnf["licence"] for vnf in instances)
    best: dict[str, float] | None = None
    for choice in itertools.product(*options):
        on: dict[int, list[tuple[dict, str, int | None]]] = {}
        for vnf, (s, form, node) in zip(instances, choice, strict=True):
            on.setdefault(s, []).append((vnf, form, node))
        shares = [_busiest_share(servers[s], hosted) for s, hosted in on.items()]
        if None in shares or not _apart(servers, instances, choice):
            continue
        found = {
            "cost": sum(servers[s]["cost"] for s in on) + licences,
            "servers": len(on),
            "balance": max(share for share in shares if share is not None),
        }
        best = found if best is None else {k: min(v, found[k]) for k, v in best.items()}
    return best


def _busiest_share(server: dict, hosted: list[tuple[dict, str, int | None]]) -> float | None:
    """The larger of the thread and memory shares used, or None when a rule is broken.

    Rules: whole-server capacity, every NUMA node's share for aligned instances, trust,
    isolation.
    """
    forms = {form for _vnf, form, _node in hosted}
    reserve_threads = sum(BRUTE_PLATFORM[f]["reserve"][0] * server["tpc"] for f in forms)
    reserve_memory = sum(BRUTE_PLATFORM[f]["reserve"][1] for f in forms)
    threads, memory = float(reserve_threads), reserve_memory
    nodes = server["numa"]
    per_node = {n: [reserve_threads / nodes, reserve_memory / nodes] for n in range(nodes)}
    for vnf, form, node in hosted:
        overhead_vcpu, overhead_memory = BRUTE_PLATFORM[form]["overhead"]
        if vnf["dedicated"]:
            need = vnf["vcpu"] + overhead_vcpu / 2
        else:
            need = (vnf["vcpu"] + overhead_vcpu) / 2
        threads += need
        memory += vnf["memory"] + overhead_memory
        if node is not None:
            per_node[node][0] += need
            per_node[node][1] += vnf["memory"] + overhead_memory
    cap_threads = server["cores"] * server["tpc"]
    numa_ok = all(
        t <= cap_threads / nodes and m <= server["memory"] / nodes
        for n, (t, m) in per_node.items()
        if any(node == n for _v, _f, node in hosted)
    )
    domains = {vnf["trust"] for vnf, form, _node in hosted if form == "container"}
    isolated = any(vnf["isolated"] for vnf, _form, _node in hosted)
    holds = (
        threads <= cap_threads
        and memory <= server["memory"]
        and numa_ok
        and len(domains) <= 1
        and not (isolated and len(hosted) > 1)
    )
    return max(threads / cap_threads, memory / server["memory"]) if holds else None


def _apart(servers: list[dict], instances: list[dict], choice: tuple) -> bool:
    seen: set[tuple] = set()
    for vnf, (s, _form, _node) in zip(instances, choice, strict=True):
        if vnf["scope"] is None:
            continue
        server = servers[s]
        unit = {
            "host": (s,),
            "rack": (server["site"], server["rack"]),
            "site": (server["site"],),
        }[vnf["scope"]]
        if (vnf["name"], unit) in seen:
            return False
        seen.add((vnf["name"], unit))
    return True


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_scenarios(), st.sampled_from(["cost", "servers", "balance"]))
def test_tiny_scenarios_match_a_brute_force_optimum(
    case: tuple[str, list, list], objective: str
) -> None:
    """Tests optimality and infeasibility against an exhaustive search written from FORMAT.md.

    Up to 4 instances on up to 4 servers in up to 2 forms and 2 NUMA nodes: at most 16^4
    assignments, each checked for capacity (overheads, reserves, overcommit, NUMA), trust,
    isolation and anti-affinity. The solver's objective value (cost, servers used or busiest
    share) must equal the least one found; when no assignment holds, the solver must prove the
    scenario infeasible and explain it (or the loader refuse the file).
    """
    yaml_text, servers, vnfs = case
    expected = brute_force_optima(servers, vnfs)
    try:
        scenario = parse(yaml_text)
    except InputError:
        # The loader refuses a flavor no server type could host: nothing can be feasible.
        assert expected is None
        return
    plan = solve_and_check(scenario, objective=objective)
    if expected is None:
        assert plan.status is Status.INFEASIBLE
        assert plan.explanation
    else:
        assert plan.status is Status.OPTIMAL, plan.explanation
        assert plan.objective.name == objective
        assert plan.objective.value == pytest.approx(expected[objective], abs=1e-6)
