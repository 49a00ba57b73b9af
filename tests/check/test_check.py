"""Tests of `nfvplan.check`: hand-written valid plans pass, and each broken rule is named.

Two small scenarios: `core` (signalling VNFs, trust, isolation, a bought server) and `net`
(a user-plane chain with NUMA-aligned, throughput-sized instances, routes and links). Their
valid plans carry usage figures worked out by hand in the comments. Each negative test breaks
one rule, by changing either the plan or the scenario the same plan is checked against, and
asserts exactly which rule ids come back and what they name.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nfvplan.check import RULES, Violation, check_plan
from nfvplan.io import load_scenario, parse_scenario, read_plan, write_plan
from nfvplan.model import Demand, Form, Objective, Scenario, Scope, SiteFilter
from nfvplan.plan import (
    LinkLoad,
    ObjectiveValue,
    Placement,
    Plan,
    Route,
    ServerUse,
    Status,
    Summary,
)
from tests.paths import EXAMPLES

PLATFORM_YAML = """
platform:
  vm:
    overhead: {vcpu: 1, memory_gib: 2, disk_gib: 20}
    host_reserve: {cores: 2, memory_gib: 8}
  container:
    overhead: {vcpu: 0.5, memory_gib: 0.5, disk_gib: 1}
    host_reserve: {cores: 1, memory_gib: 4}
  cpu_overcommit: 2.0
"""


def used(threads: float, memory: float, disk: float, nic: float, vfs: float) -> dict[str, float]:
    """A `used` mapping in RESOURCE_KEYS order."""
    return {
        "threads": threads,
        "memory_gib": memory,
        "disk_gib": disk,
        "nic_gbps": nic,
        "sriov_vfs": vfs,
    }


# --- scenario `core` --------------------------------------------------------------------------

CORE_YAML = (
    """
nfvplan: 1
name: core
"""
    + PLATFORM_YAML
    + """
server_types:
  big: {cores: 16, threads_per_core: 2, memory_gib: 128, disk_gib: 1000, nic_gbps: 100,
        sriov_vfs: 16, numa_nodes: 2, monthly_cost: 500}
sites:
  dc1: {kind: core, racks: 2, servers: {big: 2}, expand: {big: 2}}
  dc2: {kind: core, servers: {big: 1}}
  edge: {kind: edge, servers: {big: 1}}
vnfs:
  amf:
    flavor: {vcpu: 4, memory_gib: 8, disk_gib: 10}
    forms: [vm, container]
    replicas: 2
    anti_affinity: host
    trust: signalling
    sites: {kind: core}
    license_monthly: 100
  smf:
    flavor: {vcpu: 2, memory_gib: 4}
    forms: [container]
    replicas: 1
    trust: signalling
  li:
    flavor: {vcpu: 2, memory_gib: 8}
    forms: [vm]
    replicas: 1
    isolation: host
"""
)


@pytest.fixture
def core() -> Scenario:
    """dc1 (2 racks, 2 installed + 2 purchasable), dc2, an edge; amf x2, smf, lawful intercept."""
    return parse_scenario(CORE_YAML, "core.yaml")


@pytest.fixture
def core_plan() -> Plan:
    """amf-1 (VM) alone; amf-2 and smf-1 containers together; li-1 alone on a bought server.

    dc1/big/1: VM reserve 2 cores = 4 threads, 8 GiB; amf VM (4+1)/2 = 2.5 threads,
      8+2 = 10 GiB, 10+20 = 30 GiB disk                      -> 6.5 threads, 18 GiB, 30 disk
    dc1/big/2: container reserve 2 threads, 4 GiB; amf (4+0.5)/2 = 2.25 threads, 8.5 GiB,
      11 disk; smf (2+0.5)/2 = 1.25 threads, 4.5 GiB, 1 disk  -> 5.5 threads, 17 GiB, 12 disk
    dc1/big/3 (bought, rack 1): VM reserve 4 threads, 8 GiB; li (2+1)/2 = 1.5 threads,
      8+2 = 10 GiB, 20 disk                                  -> 5.5 threads, 18 GiB, 20 disk
    cost 3 * 500 + 2 * 100 = 1700; cpu 17.5 / 96; memory 53 / 384.
    """
    return Plan(
        scenario="core",
        status=Status.OPTIMAL,
        objective=ObjectiveValue("cost", 1700.0, 1700.0, 0.0),
        summary=Summary(
            monthly_cost=1700,
            servers_used=3,
            servers_bought=1,
            instances=4,
            vms=2,
            containers=2,
            cpu_utilisation=17.5 / 96,
            memory_utilisation=53 / 384,
        ),
        servers=[
            ServerUse("dc1/big/1", "dc1", "big", 1, False, used(6.5, 18, 30, 0, 0)),
            ServerUse("dc1/big/2", "dc1", "big", 2, False, used(5.5, 17, 12, 0, 0)),
            ServerUse("dc1/big/3", "dc1", "big", 1, True, used(5.5, 18, 20, 0, 0)),
        ],
        placements=[
            Placement("amf", "amf-1", "dc1/big/1", "vm"),
            Placement("amf", "amf-2", "dc1/big/2", "container"),
            Placement("smf", "smf-1", "dc1/big/2", "container"),
            Placement("li", "li-1", "dc1/big/3", "vm"),
        ],
    )


# --- scenario `net` ---------------------------------------------------------------------------

NET_YAML = (
    """
nfvplan: 1
name: net
"""
    + PLATFORM_YAML
    + """
server_types:
  small: {cores: 8, threads_per_core: 2, memory_gib: 64, disk_gib: 500, nic_gbps: 40,
          sriov_vfs: 8, numa_nodes: 2, monthly_cost: 200}
sites:
  edge: {kind: edge, servers: {small: 2}}
  core: {kind: core, servers: {small: 2}}
  far: {kind: core, servers: {small: 1}}
links:
  - {between: [edge, core], gbps: 50, latency_ms: 2}
  - {between: [far, core], gbps: 100, latency_ms: 1}
  - {between: [edge, far], gbps: 100, latency_ms: 5}
vnfs:
  upf:
    flavor: {vcpu: 4, memory_gib: 8, hugepages_gib: 4, sriov_vfs: 2}
    cpu: dedicated
    numa: aligned
    forms: [container]
    throughput_gbps: 20
    trust: user-plane
  fw:
    flavor: {vcpu: 2, memory_gib: 4}
    forms: [container]
    throughput_gbps: 40
    trust: user-plane
services:
  mbb:
    chain: [upf, fw]
    demands:
      - {from: edge, to: core, gbps: 30, max_latency_ms: 4}
"""
)


def make_net() -> Scenario:
    """edge -> core carries 30 Gbps through upf (20 Gbps each, 2 needed) then fw (40 Gbps each)."""
    return parse_scenario(NET_YAML, "net.yaml")


def make_net_plan() -> Plan:
    """Two routes of 15 Gbps, through upf-1 and upf-2 (one per NUMA node), both through fw-1.

    Container reserve: 1 core = 2 threads, 4 GiB. upf (pinned): 4 + 0.5/2 = 4.25 threads,
    8+4+0.5 = 12.5 GiB, 1 disk, 2 VFs. fw (shared): (2+0.5)/2 = 1.25 threads, 4.5 GiB, 1 disk.
    edge/small/1: upf-1 + upf-2 -> 10.5 threads, 29 GiB, 2 disk, NIC 15+15 = 30, 4 VFs
      (node 0: 4.25 + 2/2 = 5.25 of 8 threads, 12.5 + 4/2 = 14.5 of 32 GiB, 2 of 4 VFs)
    edge/small/2: upf-3 (extra)   -> 6.25 threads, 16.5 GiB, 1 disk, NIC 0, 2 VFs
    core/small/1: fw-1            -> 3.25 threads, 8.5 GiB, 1 disk, NIC 30, 0 VFs
    cost 3 * 200 = 600; cpu 20 / 48; memory 54 / 192.
    """
    return Plan(
        scenario="net",
        status=Status.FEASIBLE,
        objective=ObjectiveValue("cost", 600.0, 550.0, 50 / 600),
        summary=Summary(
            monthly_cost=600,
            servers_used=3,
            servers_bought=0,
            instances=4,
            vms=0,
            containers=4,
            cpu_utilisation=20 / 48,
            memory_utilisation=54 / 192,
        ),
        servers=[
            ServerUse("edge/small/1", "edge", "small", 1, False, used(10.5, 29, 2, 30, 4)),
            ServerUse("edge/small/2", "edge", "small", 1, False, used(6.25, 16.5, 1, 0, 2)),
            ServerUse("core/small/1", "core", "small", 1, False, used(3.25, 8.5, 1, 30, 0)),
        ],
        placements=[
            Placement("upf", "upf-1", "edge/small/1", "container", numa_node=0),
            Placement("upf", "upf-2", "edge/small/1", "container", numa_node=1),
            Placement("upf", "upf-3", "edge/small/2", "container", numa_node=0),
            Placement("fw", "fw-1", "core/small/1", "container"),
        ],
        routes=[
            Route("mbb", 0, 15.0, 2.0, ["edge", "core"], ["upf-1", "fw-1"]),
            Route("mbb", 0, 15.0, 2.0, ["edge", "core"], ["upf-2", "fw-1"]),
        ],
        links=[LinkLoad("edge", "core", 30.0, 50.0)],
    )


net = pytest.fixture(make_net)
net_plan = pytest.fixture(make_net_plan)


# --- helpers ----------------------------------------------------------------------------------


def vnf(scenario: Scenario, name: str, /, **changes: object) -> Scenario:
    """The scenario with one VNF changed."""
    vnfs = dict(scenario.vnfs)
    vnfs[name] = replace(vnfs[name], **changes)
    return replace(scenario, vnfs=vnfs)


def server_type(scenario: Scenario, name: str, /, **changes: object) -> Scenario:
    """The scenario with one server type changed."""
    types = dict(scenario.server_types)
    types[name] = replace(types[name], **changes)
    return replace(scenario, server_types=types)


def placement(plan: Plan, instance: str, /, **changes: object) -> Plan:
    """The plan with one placement changed."""
    return replace(
        plan,
        placements=[
            replace(p, **changes) if p.instance == instance else p for p in plan.placements
        ],
    )


def listed(plan: Plan, server: str, /, **changes: object) -> Plan:
    """The plan with one `servers` entry changed."""
    return replace(
        plan, servers=[replace(s, **changes) if s.id == server else s for s in plan.servers]
    )


def route(plan: Plan, index: int, /, **changes: object) -> Plan:
    """The plan with one route changed."""
    routes = list(plan.routes)
    routes[index] = replace(routes[index], **changes)
    return replace(plan, routes=routes)


def only(violations: list[Violation], *rules: str) -> list[Violation]:
    """Assert the violations carry exactly these rule ids (and only known ones); return them."""
    assert {v.rule for v in violations} == set(rules), violations
    assert all(v.rule in RULES for v in violations)
    return violations


# --- valid plans ------------------------------------------------------------------------------


def test_valid_core_plan_passes(core: Scenario, core_plan: Plan) -> None:
    """Tests that the hand-computed core plan (VMs, containers, bought server) is clean."""
    assert check_plan(core, core_plan) == []


def test_valid_net_plan_passes(net: Scenario, net_plan: Plan) -> None:
    """Tests that the hand-computed network plan (NUMA, routes, links) has no violation."""
    assert check_plan(net, net_plan) == []


def test_balance_objective_is_the_busiest_resource(net: Scenario, net_plan: Plan) -> None:
    """Tests that `balance` is the highest used/capacity: NIC 30/40 on two servers here."""
    plan = replace(net_plan, objective=ObjectiveValue("balance", 0.75, None, None))
    assert check_plan(replace(net, objective=Objective.BALANCE), plan) == []
    wrong = replace(net_plan, objective=ObjectiveValue("balance", 0.5, None, None))
    [v] = only(check_plan(net, wrong), "objective")
    assert "0.5" in v.message and "0.75" in v.message


def test_servers_objective_counts_used_servers(core: Scenario, core_plan: Plan) -> None:
    """Tests that `servers` is the number of servers hosting something."""
    assert check_plan(core, replace(core_plan, objective=ObjectiveValue("servers", 3, 3, 0))) == []
    [v] = only(
        check_plan(core, replace(core_plan, objective=ObjectiveValue("servers", 2, 2, 0))),
        "objective",
    )
    assert "recomputed 3" in v.message


def test_target_defaults_to_the_chain_end(net: Scenario, net_plan: Plan) -> None:
    """Tests that a demand without `to` ends where its last instance runs."""
    mbb = net.services["mbb"]
    open_end = replace(mbb, demands=(replace(mbb.demands[0], target=None),))
    scenario = replace(net, services={"mbb": open_end})
    assert check_plan(scenario, net_plan) == []


def test_written_plan_still_checks(net: Scenario, net_plan: Plan, tmp_path: Path) -> None:
    """Tests that rounding on write (6 decimals) stays within the checker's tolerance."""
    write_plan(net_plan, tmp_path / "plan.yaml")
    assert check_plan(net, read_plan(tmp_path / "plan.yaml")) == []


@pytest.mark.parametrize("objective", list(Objective))
def test_solver_plans_pass_the_checker(objective: Objective) -> None:
    """Tests that the solver's plan for the 5G core example holds under every objective.

    The checker is the solver's independent oracle: a disagreement here is a bug in one of them.
    """
    solver = pytest.importorskip("nfvplan.solver")
    scenario = load_scenario(EXAMPLES / "5g-core.yaml")
    plan = solver.solve(scenario, solver.SolveOptions(time_limit_s=5, objective=objective))
    assert plan.status.has_plan
    assert check_plan(scenario, plan) == []


def test_checker_does_not_load_the_solver() -> None:
    """Tests that importing the checker pulls in neither nfvplan.solver nor OR-Tools."""
    code = (
        "import sys, nfvplan.check; "
        "print([m for m in sys.modules if m.startswith(('nfvplan.solver', 'ortools'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- capacity and NUMA ------------------------------------------------------------------------


def test_over_capacity_names_server_and_numbers(core: Scenario, core_plan: Plan) -> None:
    """Tests that 30 GiB of disk on a 25 GiB server is a capacity violation naming both."""
    [v] = only(check_plan(server_type(core, "big", disk_gib=25), core_plan), "capacity")
    assert v.server == "dc1/big/1"
    assert "disk 30 GiB used > 25 GiB" in v.message and "amf-1" in v.message


def test_nic_overloaded_by_carried_traffic(net: Scenario, net_plan: Plan) -> None:
    """Tests that carried traffic counts on the NIC: 30 Gbps through a 25 Gbps NIC."""
    violations = only(check_plan(server_type(net, "small", nic_gbps=25), net_plan), "capacity")
    assert [v.server for v in violations] == ["edge/small/1", "core/small/1"]
    assert "NIC 30 Gbps used > 25 Gbps" in violations[0].message


def test_numa_node_oversubscribed_while_server_fits(net: Scenario, net_plan: Plan) -> None:
    """Tests that 4 nodes of 4 threads cannot hold a 4.25-thread pinned upf plus reserve share.

    Node 0 of edge/small/1: 4.25 + 2/4 = 4.75 threads > 16/4 = 4, while the server as a whole
    uses 10.5 of 16 threads.
    """
    violations = only(check_plan(server_type(net, "small", numa_nodes=4), net_plan), "numa")
    assert {v.server for v in violations} == {"edge/small/1", "edge/small/2"}
    first = violations[0]
    assert first.instance == "upf-1"
    assert "NUMA node 0: threads 4.75 threads used > 4 threads per node" in first.message


def test_aligned_instance_needs_a_valid_node(net: Scenario, net_plan: Plan) -> None:
    """Tests that an aligned instance without a node, or with a node that does not exist, fails."""
    [v] = only(check_plan(net, placement(net_plan, "upf-3", numa_node=None)), "numa")
    assert (v.instance, v.server) == ("upf-3", "edge/small/2")
    [v] = only(check_plan(net, placement(net_plan, "upf-3", numa_node=2)), "numa")
    assert "numa_node 2 does not exist" in v.message


def test_non_aligned_instance_may_name_a_node(net: Scenario, net_plan: Plan) -> None:
    """Tests that a node hint on a non-aligned instance is fine, and counts on no node."""
    assert check_plan(net, placement(net_plan, "fw-1", numa_node=1)) == []


# --- trust, isolation, anti-affinity ----------------------------------------------------------


def test_two_trust_domains_of_containers_on_one_host(core: Scenario, core_plan: Plan) -> None:
    """Tests that containers of signalling and control on one server are a trust violation."""
    [v] = only(check_plan(vnf(core, "smf", trust="control"), core_plan), "trust")
    assert v.server == "dc1/big/2"
    assert "signalling: amf-2" in v.message and "control: smf-1" in v.message


def test_vms_of_other_domains_may_share(core: Scenario, core_plan: Plan) -> None:
    """Tests that a VM next to a container of another domain is fine (its own kernel)."""
    scenario = vnf(core, "smf", trust="control")
    scenario = vnf(scenario, "amf", forms=(Form.VM, Form.CONTAINER))
    plan = placement(core_plan, "smf-1", server="dc1/big/1")
    # dc1/big/1 now: VM and container reserves 6 threads, 12 GiB; amf VM 2.5 / 10 / 30;
    # smf 1.25 / 4.5 / 1 -> 9.75 threads, 26.5 GiB, 31 disk. dc1/big/2: 2 + 2.25, 12.5, 11.
    plan = listed(plan, "dc1/big/1", used=used(9.75, 26.5, 31, 0, 0))
    plan = listed(plan, "dc1/big/2", used=used(4.25, 12.5, 11, 0, 0))
    plan = replace(
        plan, summary=replace(plan.summary, cpu_utilisation=19.5 / 96, memory_utilisation=57 / 384)
    )
    assert check_plan(scenario, plan) == []


def test_something_next_to_an_isolated_instance(core: Scenario, core_plan: Plan) -> None:
    """Tests that an `isolation: host` instance sharing its server names the neighbour."""
    [v] = only(check_plan(vnf(core, "smf", isolated=True), core_plan), "isolation")
    assert (v.instance, v.server) == ("smf-1", "dc1/big/2")
    assert "also runs amf-2" in v.message


@pytest.mark.parametrize(
    ("scope", "reported"),
    [(Scope.HOST, ["upf-2"]), (Scope.RACK, ["upf-2", "upf-3"]), (Scope.SITE, ["upf-2", "upf-3"])],
)
def test_anti_affinity_scopes(
    net: Scenario, net_plan: Plan, scope: Scope, reported: list[str]
) -> None:
    """Tests that replicas sharing a host, a rack or a site are reported, each after the first."""
    violations = only(check_plan(vnf(net, "upf", anti_affinity=scope), net_plan), "anti-affinity")
    assert [v.instance for v in violations] == reported
    assert f"anti_affinity: {scope.value}" in violations[0].message
    assert "with upf-1" in violations[0].message


def test_rack_anti_affinity_respects_round_robin(core: Scenario, core_plan: Plan) -> None:
    """Tests that dc1/big/1 (rack 1) and dc1/big/2 (rack 2) are different racks."""
    assert check_plan(vnf(core, "amf", anti_affinity=Scope.RACK), core_plan) == []


# --- placements -------------------------------------------------------------------------------


def test_disallowed_site(core: Scenario, core_plan: Plan) -> None:
    """Tests that an instance outside its VNF's `sites` list is reported with the filter."""
    scenario = vnf(core, "li", sites=SiteFilter(names=("dc2",)))
    [v] = only(check_plan(scenario, core_plan), "site")
    assert (v.instance, v.server) == ("li-1", "dc1/big/3")
    assert "[dc2]" in v.message


def test_disallowed_form(core: Scenario, core_plan: Plan) -> None:
    """Tests that a container of a VM-only VNF is a form violation."""
    [v] = only(check_plan(vnf(core, "amf", forms=(Form.VM,)), core_plan), "form")
    assert (v.instance, v.server) == ("amf-2", "dc1/big/2")


def test_wrong_replica_count(core: Scenario, core_plan: Plan) -> None:
    """Tests that two amf instances for `replicas: 3` is a count violation."""
    [v] = only(check_plan(vnf(core, "amf", replicas=3), core_plan), "count")
    assert "amf: 2 instances, replicas asks for 3" in v.message


def test_throughput_count_needs_redundancy(net: Scenario, net_plan: Plan) -> None:
    """Tests that 30 Gbps at 20 Gbps each plus 2 spares needs 4 upf, and 3 is too few; and
    that two of the three on edge/small/1 leave one when it fails, fewer than the 2 needed."""
    violations = only(check_plan(vnf(net, "upf", redundancy=2), net_plan), "count", "redundancy")
    [v] = [v for v in violations if v.rule == "count"]
    [spread] = [v for v in violations if v.rule == "redundancy"]
    assert spread.server == "edge/small/1"
    assert "holds 2 of its 3 instances; losing it leaves 1" in spread.message
    assert "upf: 3 instances" in v.message and "needs 4" in v.message


def test_bad_server_id(core: Scenario, core_plan: Plan) -> None:
    """Tests that a server number beyond installed + expand is refused, naming the instance.

    The instance is then nowhere, so its old server is listed empty and the summary is off too.
    """
    plan = placement(core_plan, "li-1", server="dc1/big/5")
    violations = only(check_plan(core, plan), "server-id", "server-usage", "summary", "objective")
    bad = [v for v in violations if v.rule == "server-id"]
    assert [(v.instance, v.server) for v in bad] == [("li-1", "dc1/big/5")]
    assert "outside 1..4" in bad[0].message


@pytest.mark.parametrize(
    ("server", "why"),
    [
        ("nowhere/big/1", "no site 'nowhere'"),
        ("dc1/small/1", "no servers of type 'small'"),
        ("dc1/big/0", "outside 1..4"),
        ("dc1/big/x", "not a server number"),
        ("big-1", "not of the form site/type/n"),
    ],
)
def test_server_id_forms(core: Scenario, core_plan: Plan, server: str, why: str) -> None:
    """Tests that each way a server id can be wrong is explained."""
    violations = check_plan(core, placement(core_plan, "li-1", server=server))
    [v] = [v for v in violations if v.rule == "server-id"]
    assert why in v.message and v.instance == "li-1"


def test_wrong_rack(core: Scenario, core_plan: Plan) -> None:
    """Tests that dc1/big/3 listed in rack 3 contradicts round-robin over 2 racks (rack 1)."""
    [v] = only(check_plan(core, listed(core_plan, "dc1/big/3", rack=3)), "server-id")
    assert v.server == "dc1/big/3" and "rack is 3" in v.message and "rack 1" in v.message


def test_wrong_bought_flag(core: Scenario, core_plan: Plan) -> None:
    """Tests that dc1/big/3 beyond 2 installed must be marked bought."""
    [v] = only(check_plan(core, listed(core_plan, "dc1/big/3", bought=False)), "server-id")
    assert v.server == "dc1/big/3" and "bought" in v.message


def test_duplicate_instance_and_unknown_vnf(core: Scenario, core_plan: Plan) -> None:
    """Tests that a reused instance name and a VNF not in the scenario are each reported."""
    plan = placement(core_plan, "smf-1", instance="amf-2")
    [v] = [v for v in check_plan(core, plan) if v.rule == "duplicate-instance"]
    assert v.instance == "amf-2"
    plan = placement(core_plan, "li-1", vnf="ghost")
    [v] = [v for v in check_plan(core, plan) if v.rule == "vnf"]
    assert v.instance == "li-1" and "ghost" in v.message


def test_server_listing(core: Scenario, core_plan: Plan) -> None:
    """Tests that a used server must be listed and a listed one must host something."""
    plan = replace(core_plan, servers=core_plan.servers[:2])
    [v] = only(check_plan(core, plan), "server-usage")
    assert v.server == "dc1/big/3" and "not listed" in v.message
    extra = ServerUse("dc2/big/1", "dc2", "big", 1, False, used(0, 0, 0, 0, 0))
    plan = replace(core_plan, servers=[*core_plan.servers, extra])
    [v] = only(check_plan(core, plan), "server-usage")
    assert v.server == "dc2/big/1" and "hosts no instance" in v.message


def test_usage_misreported(core: Scenario, core_plan: Plan) -> None:
    """Tests that a reported figure that differs from the recomputation is named."""
    plan = listed(core_plan, "dc1/big/2", used=used(5.5, 16, 12, 0, 0))
    [v] = only(check_plan(core, plan), "server-usage")
    assert v.server == "dc1/big/2"
    assert "memory reported as 16 GiB used, recomputed 17 GiB" in v.message


# --- summary, objective, status ---------------------------------------------------------------


def test_summary_cost_off(core: Scenario, core_plan: Plan) -> None:
    """Tests that a monthly cost without the licenses is a summary violation."""
    plan = replace(core_plan, summary=replace(core_plan.summary, monthly_cost=1500))
    [v] = only(check_plan(core, plan), "summary")
    assert "monthly_cost is 1500, recomputed 1700" in v.message


def test_cost_objective_off(core: Scenario, core_plan: Plan) -> None:
    """Tests that a cost objective that is not the recomputed monthly cost is reported."""
    plan = replace(core_plan, objective=ObjectiveValue("cost", 1200.0, 1200.0, 0.0))
    only(check_plan(core, plan), "objective")


def test_infeasible_plan_holds_only_an_explanation(core: Scenario, core_plan: Plan) -> None:
    """Tests that `infeasible` is fine with an explanation and nothing placed, and not otherwise."""
    empty = Plan(
        "core",
        Status.INFEASIBLE,
        ObjectiveValue("cost", None, None, None),
        explanation=["li needs a dedicated host but every host is taken"],
    )
    assert check_plan(core, empty) == []
    half = replace(core_plan, status=Status.INFEASIBLE, explanation=None)
    violations = only(check_plan(core, half), "status")
    assert len(violations) == 3  # placements, servers, no explanation


def test_plan_without_objective_value(core: Scenario, core_plan: Plan) -> None:
    """Tests that an optimal plan must report its objective value."""
    plan = replace(core_plan, objective=ObjectiveValue("cost", None, None, None))
    only(check_plan(core, plan), "status")


def test_plan_for_another_scenario(core: Scenario, core_plan: Plan) -> None:
    """Tests that checking a plan against a scenario of another name says so."""
    only(check_plan(core, replace(core_plan, scenario="metro")), "scenario")


# --- network ----------------------------------------------------------------------------------


def test_route_not_starting_at_source(net: Scenario, net_plan: Plan) -> None:
    """Tests that a route running core -> edge for an edge -> core demand is refused."""
    violations = only(check_plan(net, route(net_plan, 1, path=["core", "edge"])), "route")
    assert any("starts at core" in v.message for v in violations)
    assert all("route 2 (mbb demand 0)" in v.message for v in violations)


def test_chain_order_wrong(net: Scenario, net_plan: Plan) -> None:
    """Tests that `via` listing the firewall before the UPF breaks the chain."""
    [v] = only(check_plan(net, route(net_plan, 0, via=["fw-1", "upf-1"])), "route")
    assert v.instance == "fw-1" and "needs a upf" in v.message


def test_chain_sites_out_of_path_order(net: Scenario, net_plan: Plan) -> None:
    """Tests that instances must be met along the path in chain order."""
    mbb = net.services["mbb"]
    back = replace(mbb, demands=(Demand("core", "edge", gbps=30),))
    scenario = replace(net, services={"mbb": back})
    plan = route(net_plan, 0, path=["core", "edge"])
    plan = route(plan, 1, path=["core", "edge"])
    violations = only(check_plan(scenario, plan), "route")
    assert [v.instance for v in violations] == ["fw-1", "fw-1"]
    assert "does not reach in chain order" in violations[0].message


def test_path_hop_without_link(net: Scenario, net_plan: Plan) -> None:
    """Tests that consecutive path sites must be joined by a declared link."""
    scenario = replace(net, links=net.links[:1])
    plan = route(net_plan, 0, path=["edge", "far", "core"], latency_ms=6.0)
    violations = check_plan(scenario, plan)
    assert any(
        v.rule == "route" and "no link between edge and far" in v.message for v in violations
    )


def test_latency_over_budget(net: Scenario, net_plan: Plan) -> None:
    """Tests that a 2 ms path against a 1.5 ms budget is a latency violation per route."""
    mbb = net.services["mbb"]
    tight = replace(mbb, demands=(replace(mbb.demands[0], max_latency_ms=1.5),))
    violations = only(check_plan(replace(net, services={"mbb": tight}), net_plan), "latency")
    assert len(violations) == 2
    assert "takes 2 ms > max_latency_ms 1.5" in violations[0].message


def test_latency_misreported(net: Scenario, net_plan: Plan) -> None:
    """Tests that a reported latency that is not the links' sum is named."""
    [v] = only(check_plan(net, route(net_plan, 0, latency_ms=1.0)), "latency")
    assert "add up to 2 ms" in v.message


def test_detour_through_far_adds_latency(net: Scenario, net_plan: Plan) -> None:
    """Tests that edge -> far -> core is a valid path of 6 ms, over the 4 ms budget."""
    plan = route(net_plan, 0, path=["edge", "far", "core"], latency_ms=6.0)
    plan = replace(
        plan,
        links=[
            LinkLoad("edge", "core", 15.0, 50.0),
            LinkLoad("far", "core", 15.0, 100.0),
            LinkLoad("edge", "far", 15.0, 100.0),
        ],
    )
    [v] = only(check_plan(net, plan), "latency")
    assert "6 ms > max_latency_ms 4" in v.message


def test_link_over_capacity(net: Scenario, net_plan: Plan) -> None:
    """Tests that 30 Gbps on a 25 Gbps link is reported with both numbers."""
    links = (replace(net.links[0], gbps=25), *net.links[1:])
    plan = replace(net_plan, links=[])
    [v] = only(check_plan(replace(net, links=links), plan), "link-capacity")
    assert "link edge - core: 30 Gbps routed > 25 Gbps" in v.message


def test_link_loads_misreported(net: Scenario, net_plan: Plan) -> None:
    """Tests that a listed link load that differs from the routes' sum is named."""
    plan = replace(net_plan, links=[LinkLoad("core", "edge", 20.0, 50.0)])
    [v] = only(check_plan(net, plan), "link-usage")
    assert "reported as 20 Gbps, routes put 30 Gbps" in v.message


def test_demand_totals_off(net: Scenario, net_plan: Plan) -> None:
    """Tests that routes carrying 30 Gbps of a 35 Gbps demand are reported."""
    mbb = net.services["mbb"]
    more = replace(mbb, demands=(replace(mbb.demands[0], gbps=35),))
    [v] = only(check_plan(replace(net, services={"mbb": more}), net_plan), "demand-total")
    assert "routes carry 30 Gbps, the demand is 35 Gbps" in v.message


def test_instance_throughput_exceeded(net: Scenario, net_plan: Plan) -> None:
    """Tests that 20 Gbps through a 18 Gbps upf is reported on that instance only."""
    plan = route(net_plan, 0, gbps=20.0)
    plan = route(plan, 1, gbps=10.0)
    assert check_plan(net, plan) == []  # same NIC and link totals, 20 <= 20
    [v] = only(check_plan(vnf(net, "upf", throughput_gbps=18), plan), "throughput")
    assert (v.instance, v.server) == ("upf-1", "edge/small/1")
    assert "20 Gbps > throughput_gbps 18" in v.message


def test_unknown_service_and_demand(net: Scenario, net_plan: Plan) -> None:
    """Tests that routes must refer to an existing service and demand index."""
    for plan in (route(net_plan, 0, service="video"), route(net_plan, 0, demand=3)):
        violations = check_plan(net, plan)
        assert {v.rule for v in violations} == {"route", "demand-total"}


def test_violations_are_deterministic(core: Scenario, core_plan: Plan) -> None:
    """Tests that the same input yields the same violations in the same order."""
    scenario = vnf(vnf(core, "smf", trust="control", isolated=True), "amf", replicas=5)
    assert check_plan(scenario, core_plan) == check_plan(scenario, core_plan)
    assert [v.rule for v in check_plan(scenario, core_plan)] == ["count", "trust", "isolation"]


# --- robustness -------------------------------------------------------------------------------

SERVER_IDS = st.sampled_from(
    [
        "edge/small/1",
        "edge/small/2",
        "core/small/1",
        "core/small/2",
        "far/small/1",
        "far/small/2",
        "edge/big/1",
        "x",
        "edge/small/-1",
        "",
    ]
)
PERTURBATION = st.one_of(
    st.tuples(st.just("server"), SERVER_IDS),
    st.tuples(st.just("form"), st.sampled_from(["vm", "container", "pod"])),
    st.tuples(st.just("numa_node"), st.sampled_from([None, -1, 0, 1, 2])),
    st.tuples(st.just("vnf"), st.sampled_from(["upf", "fw", "nope"])),
    st.tuples(st.just("instance"), st.sampled_from(["upf-1", "fw-1", "new-1"])),
    st.tuples(st.just("drop"), st.none()),
    st.tuples(st.just("copy"), st.none()),
)


@settings(max_examples=100, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, 3), PERTURBATION), max_size=6))
def test_perturbed_placements_never_crash(edits: list[tuple[int, tuple[str, object]]]) -> None:
    """Tests that random edits of the valid plan's placements yield violations, never an exception.

    An edit that changes nothing must still check clean; any real change must at least produce
    well-formed violations with known rule ids.
    """
    scenario, plan = make_net(), make_net_plan()
    placements = list(plan.placements)
    for index, (field, value) in edits:
        if not placements:
            break
        index %= len(placements)
        if field == "drop":
            placements.pop(index)
        elif field == "copy":
            placements.append(placements[index])
        else:
            placements[index] = replace(placements[index], **{field: value})
    perturbed = replace(plan, placements=placements)
    violations = check_plan(scenario, perturbed)
    assert all(isinstance(v, Violation) and v.rule in RULES and v.message for v in violations)
    if placements == plan.placements:
        assert violations == []


ROUTE_EDIT = st.one_of(
    st.tuples(st.just("service"), st.sampled_from(["mbb", "video"])),
    st.tuples(st.just("demand"), st.integers(-1, 2)),
    st.tuples(st.just("gbps"), st.sampled_from([0.0, -1.0, 15.0, 60.0, float("nan")])),
    st.tuples(st.just("latency_ms"), st.sampled_from([0.0, 2.0, 99.0])),
    st.tuples(
        st.just("path"),
        st.lists(st.sampled_from(["edge", "core", "far", "moon"]), max_size=4),
    ),
    st.tuples(
        st.just("via"),
        st.lists(st.sampled_from(["upf-1", "upf-3", "fw-1", "ghost"]), max_size=3),
    ),
)


@settings(max_examples=100, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, 1), ROUTE_EDIT), max_size=4))
def test_perturbed_routes_never_crash(edits: list[tuple[int, tuple[str, object]]]) -> None:
    """Tests that random edits of the valid plan's routes yield violations, never an exception."""
    scenario, plan = make_net(), make_net_plan()
    routes = list(plan.routes)
    for index, (field, value) in edits:
        routes[index] = replace(routes[index], **{field: value})
    violations = check_plan(scenario, replace(plan, routes=routes))
    assert all(isinstance(v, Violation) and v.rule in RULES and v.message for v in violations)
    if routes == plan.routes:
        assert violations == []
