"""Hand-proven network cases: each tiny scenario has an optimum argued in its test's docstring.

Every scenario is solved with the library (`solve`), re-checked with the independent checker
(`check_plan` must find nothing), and also solved through the CLI with `-o` and the written plan
re-checked with `nfvplan check`, so the plan file (not just the in-memory plan) is proven sound.

The scenarios leave `platform:` out (no overheads, no host reserves), so a server's cost and a
VNF's licence are the only figures in the objective and every optimum is a short sum.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nfvplan.check import check_plan
from nfvplan.cli.main import app
from nfvplan.errors import InputError
from nfvplan.io import load_scenario, read_plan
from nfvplan.model import Scenario
from nfvplan.plan import Plan, Status
from nfvplan.solver import SolveOptions, solve

runner = CliRunner()

WriteYaml = Callable[..., Path]

BOX = (
    "{cores: 32, threads_per_core: 2, memory_gib: 256, disk_gib: 1000, nic_gbps: 200, "
    "sriov_vfs: 0, numa_nodes: 1, monthly_cost: 500}"
)
"""A server type big enough for everything below; 500 a month."""

CHEAP_AND_DEAR = """\
server_types:
  cheap: {cores: 32, threads_per_core: 2, memory_gib: 256, disk_gib: 1000, nic_gbps: 100,
          monthly_cost: 100}
  dear: {cores: 32, threads_per_core: 2, memory_gib: 256, disk_gib: 1000, nic_gbps: 100,
         monthly_cost: 300}"""
"""Two server types alike but for their cost, 100 and 300 a month: which one a plan uses shows
what the network made it pay."""


def firewall(licence: int | None = None, trust: str | None = None) -> str:
    """The `firewall` entry (under `vnfs:`) of the scenarios below: a container of 4 vCPUs and
    8 GiB that carries up to 40 Gbps, with its monthly licence and trust domain when given."""
    lines = [
        "  firewall:",
        "    flavor: {vcpu: 4, memory_gib: 8}",
        "    forms: [container]",
        "    throughput_gbps: 40",
    ]
    if licence is not None:
        lines.append(f"    license_monthly: {licence}")
    if trust is not None:
        lines.append(f"    trust: {trust}")
    return "\n".join(lines)


def solve_checked(path: Path, tmp_path: Path) -> tuple[Scenario, Plan]:
    """Solve `path` in-process and through the CLI; both plans must pass every check.

    The CLI run writes its plan with `-o` and re-checks it with `nfvplan check`; its objective
    must equal the in-process one (the solver is deterministic for a seed and worker count).
    """
    scenario = load_scenario(path)
    plan = solve(scenario, SolveOptions(time_limit_s=20, workers=1, seed=1))
    assert plan.status is Status.OPTIMAL, plan.explanation
    assert check_plan(scenario, plan) == []

    plan_file = tmp_path / f"{path.stem}-plan.yaml"
    solved = runner.invoke(
        app, ["solve", str(path), "-o", str(plan_file), "--workers", "1", "--seed", "1"]
    )
    assert solved.exit_code == 0, solved.output
    checked = runner.invoke(app, ["check", str(path), str(plan_file)])
    assert checked.exit_code == 0, checked.output
    assert "every rule holds" in checked.stdout
    assert read_plan(plan_file).objective.value == pytest.approx(plan.objective.value)
    return scenario, plan


def site_of(plan: Plan, instance: str) -> str:
    """The site of the server an instance runs on."""
    server = next(p.server for p in plan.placements if p.instance == instance)
    return server.split("/", 1)[0]


def instances_of(plan: Plan, vnf: str) -> list[str]:
    """Instance names of one VNF, in plan order."""
    return [p.instance for p in plan.placements if p.vnf == vnf]


def carried(plan: Plan, instance: str) -> float:
    """Gbps of the routes that pass an instance."""
    return sum(route.gbps for route in plan.routes if instance in route.via)


def link_load(plan: Plan, a: str, b: str) -> float:
    """Gbps the plan reports on the link between a and b (either order); 0 when not listed."""
    for link in plan.links:
        if {link.a, link.b} == {a, b}:
            return link.gbps
    return 0.0


# ---------------------------------------------------------------------------------------------
# Splitting, latency, NIC load and counts

SPLIT = f"""\
nfvplan: 1
name: split
server_types:
  box: {BOX}
sites:
  A: {{}}
  B1: {{}}
  B2: {{}}
  C: {{servers: {{box: 1}}}}
links:
  - {{between: [A, B1], gbps: 20, latency_ms: 1}}
  - {{between: [B1, C], gbps: 20, latency_ms: 1}}
  - {{between: [A, B2], gbps: 20, latency_ms: 1}}
  - {{between: [B2, C], gbps: 20, latency_ms: 1}}
vnfs:
{firewall(licence=100)}
services:
  internet:
    chain: [firewall]
    demands:
      - {{from: A, to: C, gbps: 30}}
"""


def test_demand_larger_than_any_path_is_split_over_two_paths(
    write_yaml: WriteYaml, tmp_path: Path
) -> None:
    """Tests that 30 Gbps from A to C is split over A-B1-C and A-B2-C (20 Gbps links each).

    The only simple paths from A to C are A-B1-C and A-B2-C, each with a 20 Gbps bottleneck, so no
    single path carries 30 Gbps: the demand must be split, with at most 20 on each path. The
    firewall (40 Gbps) only runs at C, and one instance carries all 30 Gbps, so the optimum is one
    server and one licence: 500 + 100 = 600.
    """
    _scenario, plan = solve_checked(write_yaml(SPLIT, "split.yaml"), tmp_path)
    routes = [r for r in plan.routes if r.service == "internet" and r.demand == 0]
    assert len(routes) == 2
    assert {tuple(r.path) for r in routes} == {("A", "B1", "C"), ("A", "B2", "C")}
    assert sum(r.gbps for r in routes) == pytest.approx(30)
    assert all(r.gbps <= 20 + 1e-9 for r in routes)
    assert all(r.latency_ms == pytest.approx(2) for r in routes)
    assert plan.objective.value == pytest.approx(600)


EDGE_LATENCY = """\
nfvplan: 1
name: edge-latency
server_types:
  core-box: {cores: 64, threads_per_core: 2, memory_gib: 512, disk_gib: 2000, nic_gbps: 100,
             monthly_cost: 300}
  edge-box: {cores: 16, threads_per_core: 2, memory_gib: 128, disk_gib: 500, nic_gbps: 50,
             monthly_cost: 450}
sites:
  core: {kind: core, servers: {core-box: 1}}
  edge: {kind: edge, servers: {edge-box: 1}}
links:
  - {between: [edge, core], gbps: 100, latency_ms: 2}
vnfs:
  upf:
    flavor: {vcpu: 8, memory_gib: 16}
    forms: [container]
    throughput_gbps: 25
    license_monthly: 100
services:
  factory-mec:
    chain: [upf]
    demands:
      - {from: edge, to: edge, gbps: 10, max_latency_ms: 1}
"""


def test_latency_budget_forces_the_vnf_to_the_edge(write_yaml: WriteYaml, tmp_path: Path) -> None:
    """Tests that a 1 ms local-breakout budget puts the UPF at the edge, although core is cheaper.

    One UPF (10 Gbps <= 25) is needed. At the core it costs 300 + 100 = 400, but the traffic
    would go edge - core - edge: 2 + 2 = 4 ms > 1 ms. At the edge the path is the single site
    `edge` with 0 ms, so the optimum is the edge server: 450 + 100 = 550. Without the budget the
    same scenario costs 400 with the UPF at the core (checked too, so the core really is cheaper).
    """
    _scenario, plan = solve_checked(write_yaml(EDGE_LATENCY, "edge.yaml"), tmp_path)
    [upf] = instances_of(plan, "upf")
    assert site_of(plan, upf) == "edge"
    assert [s.id for s in plan.servers] == ["edge/edge-box/1"]
    assert plan.objective.value == pytest.approx(550)
    [route] = plan.routes
    assert route.path == ["edge"]
    assert route.latency_ms == 0

    relaxed = EDGE_LATENCY.replace(", max_latency_ms: 1", "")
    _scenario, free = solve_checked(write_yaml(relaxed, "edge-free.yaml"), tmp_path)
    [upf] = instances_of(free, "upf")
    assert site_of(free, upf) == "core"
    assert free.objective.value == pytest.approx(400)
    [route] = free.routes
    assert route.path == ["edge", "core", "edge"]
    assert route.latency_ms == pytest.approx(4)
    # Both directions share the link's capacity: out and back count 10 + 10.
    assert link_load(free, "edge", "core") == pytest.approx(20)


NIC_BOUND = f"""\
nfvplan: 1
name: nic-bound
server_types:
  small-nic: {{cores: 32, threads_per_core: 2, memory_gib: 128, disk_gib: 500, nic_gbps: 20,
              monthly_cost: 200}}
sites:
  dc: {{servers: {{small-nic: 3}}}}
vnfs:
{firewall(licence=50)}
services:
  inspect:
    chain: [firewall]
    demands:
      - {{from: dc, to: dc, gbps: 30}}
"""


def test_nic_load_forces_a_second_firewall(write_yaml: WriteYaml, tmp_path: Path) -> None:
    """Tests that 30 Gbps through 20 Gbps server NICs needs two firewalls on two servers.

    Throughput alone asks for ceil(30 / 40) = 1 firewall. But carried traffic loads the NIC of
    the server it runs on, and every server has 20 Gbps: one server (with any number of
    instances) carries at most 20, so at least two servers, each with its own instance, must
    share the 30 Gbps. Two servers and two licences: 2 x 200 + 2 x 50 = 500; a third instance
    only adds cost.
    """
    _scenario, plan = solve_checked(write_yaml(NIC_BOUND, "nic.yaml"), tmp_path)
    firewalls = instances_of(plan, "firewall")
    assert len(firewalls) == 2
    servers = {p.server for p in plan.placements}
    assert len(servers) == 2
    assert all(carried(plan, fw) <= 20 + 1e-9 for fw in firewalls)
    assert sum(carried(plan, fw) for fw in firewalls) == pytest.approx(30)
    assert all(s.used["nic_gbps"] <= 20 + 1e-9 for s in plan.servers)
    assert plan.objective.value == pytest.approx(500)
    assert plan.links == []  # intra-site: no link carries anything


NIC_PER_INSTANCE = f"""\
nfvplan: 1
name: nic-per-instance
server_types:
  box: {{cores: 32, threads_per_core: 2, memory_gib: 256, disk_gib: 1000, nic_gbps: 50,
        monthly_cost: 500}}
sites:
  dc: {{servers: {{box: 3}}}}
vnfs:
  upf:
    flavor: {{vcpu: 4, memory_gib: 8}}
    forms: [container]
    throughput_gbps: 40
    trust: user-plane
{firewall(trust="user-plane")}
services:
  internet:
    chain: [upf, firewall]
    demands:
      - {{from: dc, gbps: 30}}
"""


def test_nic_load_counts_each_instance_the_flow_passes(
    write_yaml: WriteYaml, tmp_path: Path
) -> None:
    """Tests the NIC rule for a chain on one host: each instance's carried Gbps loads the NIC.

    30 Gbps passes one upf and one firewall (40 Gbps each: one of each). An instance's NIC
    demand is the traffic it carries, once (full duplex), and a server's NIC carries the sum
    over its instances: upf and firewall on one 50 Gbps box would need 30 + 30 = 60. So they
    sit on two boxes, 30 each: 2 x 500 = 1000, although one box would hold both by CPU and
    memory. Solver and checker agree on this reading (the checker documents it).
    """
    _scenario, plan = solve_checked(write_yaml(NIC_PER_INSTANCE, "nic-chain.yaml"), tmp_path)
    assert len(plan.placements) == 2
    assert len({p.server for p in plan.placements}) == 2
    assert sorted(s.used["nic_gbps"] for s in plan.servers) == [30, 30]
    assert plan.objective.value == pytest.approx(1000)


COUNT = f"""\
nfvplan: 1
name: count
server_types:
  box: {BOX}
sites:
  dc: {{servers: {{box: 2}}}}
  ran: {{}}
links:
  - {{between: [ran, dc], gbps: 100, latency_ms: 0.5}}
vnfs:
  upf:
    flavor: {{vcpu: 8, memory_gib: 16}}
    forms: [container]
    throughput_gbps: 25
    redundancy: 1
    license_monthly: 100
services:
  internet:
    chain: [upf]
    demands:
      - {{from: ran, to: dc, gbps: 70}}
"""


def test_instance_count_follows_demand_plus_redundancy(
    write_yaml: WriteYaml, tmp_path: Path
) -> None:
    """Tests that 70 Gbps through 25 Gbps UPFs with redundancy 1 on two boxes gives 6 instances.

    ceil(70 / 25) = 3 instances carry the traffic, plus 1 spare: at least 4. The spare must
    survive the loss of either box: with T instances at most T - 3 may share one, so on the two
    boxes T >= 6 (3 + 3; 24 of 64 threads and at most 75 of 200 Gbps NIC each). Four on one box
    (900) lose everything with it. The optimum is 2 x 500 + 6 x 100 = 1600; each instance carries
    at most 25 Gbps and together they carry exactly 70.
    """
    _scenario, plan = solve_checked(write_yaml(COUNT, "count.yaml"), tmp_path)
    upfs = instances_of(plan, "upf")
    assert len(upfs) == 6
    assert sorted(Counter(p.server for p in plan.placements).values()) == [3, 3]
    assert all(carried(plan, upf) <= 25 + 1e-9 for upf in upfs)
    assert sum(carried(plan, upf) for upf in upfs) == pytest.approx(70)
    assert plan.objective.value == pytest.approx(1600)
    assert link_load(plan, "ran", "dc") == pytest.approx(70)


CHAIN_END = f"""\
nfvplan: 1
name: chain-end
server_types:
  box: {BOX}
sites:
  src: {{}}
  dc: {{servers: {{box: 1}}}}
links:
  - {{between: [src, dc], gbps: 100, latency_ms: 1.5}}
vnfs:
  upf:
    flavor: {{vcpu: 8, memory_gib: 16}}
    forms: [container]
    throughput_gbps: 25
    license_monthly: 100
    trust: user-plane   # containers of one trust domain may share the box
{firewall(licence=50, trust="user-plane")}
services:
  internet:
    chain: [upf, firewall]
    demands:
      - {{from: src, gbps: 12}}
      - {{from: dc, gbps: 5}}
"""


def test_demand_without_to_ends_at_the_last_vnf_and_intra_site_uses_no_link(
    write_yaml: WriteYaml, tmp_path: Path
) -> None:
    """Tests that a demand with no `to` stops at the firewall's site and that in-site legs are free.

    Only dc has servers, so both VNFs run there. Demand 0 enters at src, crosses src - dc once
    (1.5 ms) and ends at dc, where the chain ends: the upf -> firewall leg stays inside dc and
    uses no link, and nothing returns to src. Demand 1 starts at dc and never leaves it: path
    [dc], 0 ms. The src - dc link therefore carries 12 Gbps, not 17 (demand 1 adds nothing) and
    not 24 (no way back). One upf (17 <= 25) and one firewall (17 <= 40) on one box:
    500 + 100 + 50 = 650.
    """
    _scenario, plan = solve_checked(write_yaml(CHAIN_END, "chain-end.yaml"), tmp_path)
    first = [r for r in plan.routes if r.demand == 0]
    second = [r for r in plan.routes if r.demand == 1]
    assert {tuple(r.path) for r in first} == {("src", "dc")}
    assert all(r.latency_ms == pytest.approx(1.5) for r in first)
    assert {tuple(r.path) for r in second} == {("dc",)}
    assert all(r.latency_ms == 0 for r in second)
    assert all(len(r.via) == 2 for r in plan.routes)
    assert [(link.a, link.b) for link in plan.links] in ([("src", "dc")], [("dc", "src")])
    assert link_load(plan, "src", "dc") == pytest.approx(12)
    assert plan.objective.value == pytest.approx(650)


LINK_BOUND = f"""\
nfvplan: 1
name: link-bound
{CHEAP_AND_DEAR}
sites:
  src: {{}}
  far: {{servers: {{cheap: 1}}}}
  near: {{servers: {{dear: 1}}}}
links:
  - {{between: [src, far], gbps: 10, latency_ms: 1}}
  - {{between: [src, near], gbps: 100, latency_ms: 1}}
vnfs:
{firewall(licence=50)}
services:
  internet:
    chain: [firewall]
    demands:
      - {{from: src, gbps: 20}}
"""


def test_link_capacity_keeps_traffic_off_the_cheaper_far_site(
    write_yaml: WriteYaml, tmp_path: Path
) -> None:
    """Tests that a 10 Gbps link to the cheap site sends a 20 Gbps demand to the dearer one.

    far's server costs 100, near's 300. The only way to far is the 10 Gbps src - far link, so far
    can take at most 10 of the 20 Gbps. All at near: 300 + 50 = 350. Split between far and near:
    both servers and two firewalls, 100 + 300 + 2 x 50 = 500. All at far: impossible. So the
    optimum is 350 at near; with a 100 Gbps link to far it would be 100 + 50 = 150 at far
    (checked too, so the link capacity is what binds).
    """
    _scenario, plan = solve_checked(write_yaml(LINK_BOUND, "link.yaml"), tmp_path)
    [firewall] = instances_of(plan, "firewall")
    assert site_of(plan, firewall) == "near"
    assert {tuple(r.path) for r in plan.routes} == {("src", "near")}
    assert link_load(plan, "src", "far") == 0
    assert plan.objective.value == pytest.approx(350)

    wide = LINK_BOUND.replace("[src, far], gbps: 10", "[src, far], gbps: 100")
    _scenario, free = solve_checked(write_yaml(wide, "link-wide.yaml"), tmp_path)
    [firewall] = instances_of(free, "firewall")
    assert site_of(free, firewall) == "far"
    assert free.objective.value == pytest.approx(150)


# ---------------------------------------------------------------------------------------------
# Infeasibility explanations

TOO_FAR = f"""\
nfvplan: 1
name: too-far
server_types:
  box: {BOX}
sites:
  src: {{}}
  dc: {{servers: {{box: 1}}}}
links:
  - {{between: [src, dc], gbps: 100, latency_ms: 5}}
vnfs:
{firewall()}
services:
  internet:
    chain: [firewall]
    demands:
      - {{from: src, gbps: 10, max_latency_ms: 3}}
"""


def test_latency_infeasible_names_fastest_path_and_budget(write_yaml: WriteYaml) -> None:
    """Tests that a demand whose only path takes 5 ms against a 3 ms budget is explained.

    The firewall can only run at dc and the only path src - dc takes 5 ms, more than the 3 ms
    budget: no plan exists, and the explanation must give both figures.
    """
    scenario = load_scenario(write_yaml(TOO_FAR, "too-far.yaml"))
    plan = solve(scenario, SolveOptions(time_limit_s=20, workers=1))
    assert plan.status is Status.INFEASIBLE
    assert check_plan(scenario, plan) == []
    text = "\n".join(plan.explanation or [])
    assert "internet demand 0" in text
    assert "max_latency_ms 3" in text
    assert "fastest takes 5 ms" in text


CUT = f"""\
nfvplan: 1
name: cut
server_types:
  box: {BOX}
sites:
  src: {{}}
  dc: {{servers: {{box: 1}}}}
  hub: {{}}
links:
  - {{between: [src, dc], gbps: 10, latency_ms: 1}}
  - {{between: [src, hub], gbps: 15, latency_ms: 1}}
  - {{between: [hub, dc], gbps: 100, latency_ms: 1}}
vnfs:
{firewall()}
services:
  internet:
    chain: [firewall]
    demands:
      - {{from: src, gbps: 30}}
"""


def test_cut_below_demand_names_site_and_figures(write_yaml: WriteYaml) -> None:
    """Tests that 30 Gbps leaving src over 10 + 15 Gbps of links is explained, with exit code 3.

    src hosts nothing, so the whole 30 Gbps must leave it; its links hold 10 + 15 = 25 Gbps. The
    explanation names the site, its 25 Gbps and the 30 Gbps; the CLI exits 3 and prints it.
    """
    path = write_yaml(CUT, "cut.yaml")
    scenario = load_scenario(path)
    plan = solve(scenario, SolveOptions(time_limit_s=20, workers=1))
    assert plan.status is Status.INFEASIBLE
    assert check_plan(scenario, plan) == []
    text = "\n".join(plan.explanation or [])
    assert "links at src carry at most 25 Gbps" in text
    assert "total 30 Gbps" in text

    result = runner.invoke(app, ["solve", str(path), "--workers", "1"])
    assert result.exit_code == 3, result.output
    assert "status: infeasible" in result.stdout
    assert "links at src carry at most 25 Gbps" in result.stdout


def test_latency_infeasible_exits_3_through_the_cli(write_yaml: WriteYaml, tmp_path: Path) -> None:
    """Tests the CLI on the latency case: exit 3, and the written plan passes `nfvplan check`.

    An infeasible plan file is still a plan: the checker accepts it when it has no placements
    and carries the explanation.
    """
    path = write_yaml(TOO_FAR, "too-far.yaml")
    plan_file = tmp_path / "too-far-plan.yaml"
    result = runner.invoke(app, ["solve", str(path), "-o", str(plan_file), "--workers", "1"])
    assert result.exit_code == 3, result.output
    assert "fastest takes 5 ms" in result.stdout
    checked = runner.invoke(app, ["check", str(path), str(plan_file)])
    assert checked.exit_code == 0, checked.output


# ---------------------------------------------------------------------------------------------
# Topology files, link overrides, reports

TINY_TOPOLOGY = """\
nfvplan-topology: 1
name: tiny
description: access spur, aggregation and a DC, with a slow back way
sites:
  access: {kind: edge}
  agg: {kind: aggregation}
  spare: {kind: aggregation}
  dc: {kind: core}
links:
  - {between: [access, agg], gbps: 10, length_km: 40}
  - {between: [agg, dc], gbps: 100, length_km: 60}
  - {between: [access, spare], gbps: 100, length_km: 200}
  - {between: [spare, dc], gbps: 100, length_km: 200}
"""

ON_TOPOLOGY = f"""\
nfvplan: 1
name: on-topology
topology: ../topologies/tiny.yaml
server_types:
  box: {BOX}
sites:
  dc: {{kind: core, servers: {{box: 1}}}}
links:
  - {{between: [access, agg], gbps: 40, length_km: 40}}   # upgraded from 10 Gbps
vnfs:
{firewall(licence=50)}
services:
  internet:
    chain: [firewall]
    demands:
      - {{from: access, gbps: 30, max_latency_ms: 1}}
"""


def test_scenario_on_a_topology_file_with_transit_sites_and_a_link_override(
    write_yaml: WriteYaml, tmp_path: Path
) -> None:
    """Tests `topology: ../topologies/tiny.yaml` with transit sites and an upgraded link.

    Latencies follow length_km x 0.005: access - agg 0.2 ms, agg - dc 0.3 ms, the back way
    access - spare - dc 2 ms. access, agg and spare are not in the scenario's `sites`, so they are
    transit sites (no servers). The firewall runs at dc. Within 1 ms only access - agg - dc
    (0.5 ms) reaches dc, so all 30 Gbps must cross access - agg: the topology's 10 Gbps would make
    the scenario infeasible, the scenario's 40 Gbps override makes it feasible at 500 + 50 = 550.
    Without the override the solver must prove it infeasible (checked too).
    """
    write_yaml(TINY_TOPOLOGY, "topologies/tiny.yaml")
    path = write_yaml(ON_TOPOLOGY, "scenarios/on-topology.yaml")
    scenario, plan = solve_checked(path, tmp_path)
    transit = sorted(name for name, site in scenario.sites.items() if site.transit)
    assert transit == ["access", "agg", "spare"]
    assert {tuple(r.path) for r in plan.routes} == {("access", "agg", "dc")}
    assert all(r.latency_ms == pytest.approx(0.5) for r in plan.routes)
    [spur] = [link for link in plan.links if {link.a, link.b} == {"access", "agg"}]
    assert spur.capacity_gbps == 40
    assert spur.gbps == pytest.approx(30)
    assert plan.objective.value == pytest.approx(550)

    original = ON_TOPOLOGY.replace(
        "  - {between: [access, agg], gbps: 40, length_km: 40}   # upgraded from 10 Gbps\n", ""
    )
    original_path = write_yaml(original, "scenarios/original.yaml")
    plan = solve(load_scenario(original_path), SolveOptions(time_limit_s=20, workers=1))
    assert plan.status is Status.INFEASIBLE


def test_plan_link_loads_and_busiest_links_in_solve_output(
    write_yaml: WriteYaml, tmp_path: Path
) -> None:
    """Tests that the plan lists every loaded link and `nfvplan solve` prints the busiest ones.

    In the split case every link is loaded: the 30 Gbps is split 20 + 10 or 10 + 20 (any split
    with at most 20 per path), so the links of one path carry x and those of the other 30 - x.
    The report sorts by utilisation and prints `a - b: load of capacity Gbps (share)`.
    """
    path = write_yaml(SPLIT, "split.yaml")
    _scenario, plan = solve_checked(path, tmp_path)
    loads = {frozenset((link.a, link.b)): link.gbps for link in plan.links}
    assert set(loads) == {
        frozenset(pair) for pair in (("A", "B1"), ("B1", "C"), ("A", "B2"), ("B2", "C"))
    }
    assert loads[frozenset(("A", "B1"))] == pytest.approx(loads[frozenset(("B1", "C"))])
    assert loads[frozenset(("A", "B1"))] + loads[frozenset(("A", "B2"))] == pytest.approx(30)
    assert all(link.capacity_gbps == 20 for link in plan.links)

    result = runner.invoke(app, ["solve", str(path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index("busiest links:")
    shown = lines[start + 1 : start + 5]
    assert len(shown) == 4
    for link in plan.links:
        expected = (
            f"  {link.a} - {link.b}: {link.gbps:g} of {link.capacity_gbps:g} Gbps "
            f"({100 * link.utilisation:.1f}%)"
        )
        assert expected in shown


# ---------------------------------------------------------------------------------------------
# Solver honesty: once strict xfails for bugs found here, fixed in ccd1e68

FOUR_PATHS = f"""\
nfvplan: 1
name: four-paths
{CHEAP_AND_DEAR}
sites:
  A: {{}}
  B1: {{}}
  B2: {{}}
  B3: {{}}
  B4: {{}}
  X: {{servers: {{cheap: 1}}}}
  Y: {{servers: {{dear: 1}}}}
links:
  - {{between: [A, B1], gbps: 10, latency_ms: 1}}
  - {{between: [B1, X], gbps: 10, latency_ms: 1}}
  - {{between: [A, B2], gbps: 10, latency_ms: 1}}
  - {{between: [B2, X], gbps: 10, latency_ms: 1}}
  - {{between: [A, B3], gbps: 10, latency_ms: 1}}
  - {{between: [B3, X], gbps: 10, latency_ms: 1}}
  - {{between: [A, B4], gbps: 10, latency_ms: 1}}
  - {{between: [B4, X], gbps: 10, latency_ms: 1}}
  - {{between: [A, Y], gbps: 100, latency_ms: 1}}
vnfs:
{firewall(licence=50)}
services:
  internet:
    chain: [firewall]
    demands:
      - {{from: A, gbps: 40}}
"""


def test_optimum_that_needs_more_paths_than_the_default_k(
    write_yaml: WriteYaml, tmp_path: Path
) -> None:
    """Tests that 40 Gbps reaching the cheap site over four disjoint 10 Gbps paths is found.

    X (100) is reachable only over A-B1-X, ..., A-B4-X, 10 Gbps each: all four paths together
    carry exactly 40, so all at X costs 100 + 50 = 150. All at Y costs 300 + 50 = 350; any mix
    costs more. The optimum is 150. Whatever plan the solver returns, a status of `optimal` must
    come with the optimum (or the status must say `feasible` with an honest bound).

    Regression: the solver used to keep the 3 shortest paths per chain leg, widen only on
    infeasibility, and call 350 at Y optimal with bound 350.
    """
    path = write_yaml(FOUR_PATHS, "four-paths.yaml")
    scenario = load_scenario(path)
    plan = solve(scenario, SolveOptions(time_limit_s=20, workers=1))
    assert check_plan(scenario, plan) == []
    assert plan.status.has_plan
    if plan.status is Status.OPTIMAL:
        assert plan.objective.value == pytest.approx(150)
    else:
        assert plan.objective.bound is not None and plan.objective.bound <= 150 + 1e-6
    cli_plan = tmp_path / "four-paths-plan.yaml"
    result = runner.invoke(app, ["solve", str(path), "-o", str(cli_plan), "--workers", "1"])
    assert result.exit_code == 0, result.output
    checked = runner.invoke(app, ["check", str(path), str(cli_plan)])
    assert checked.exit_code == 0, checked.output


def test_four_path_optimum_is_reached_without_the_dear_site(
    write_yaml: WriteYaml, tmp_path: Path
) -> None:
    """Tests that the 150 plan of the four-path case exists: without Y the solver widens to it.

    With Y gone the restricted set is infeasible, so the solver widens to k=9 and finds the
    four-way split at X: 100 + 50 = 150, every link to X at 10 of 10 Gbps.
    """
    text = FOUR_PATHS.replace("  Y: {servers: {dear: 1}}\n", "").replace(
        "  - {between: [A, Y], gbps: 100, latency_ms: 1}\n", ""
    )
    _scenario, plan = solve_checked(write_yaml(text, "four-paths-no-y.yaml"), tmp_path)
    assert plan.objective.value == pytest.approx(150)
    assert len(plan.routes) == 4
    assert all(link.gbps == pytest.approx(10) for link in plan.links)


SUB_MBPS = f"""\
nfvplan: 1
name: sub-mbps
server_types:
  box: {BOX}
sites:
  A: {{}}
  C: {{servers: {{box: 1}}}}
links:
  - {{between: [A, C], gbps: 10, latency_ms: 1}}
vnfs:
{firewall()}
services:
  s:
    chain: [firewall]
    demands:
      - {{from: A, gbps: 1.0004}}
"""


def test_demand_finer_than_a_megabit_is_refused_as_input(
    write_yaml: WriteYaml, tmp_path: Path
) -> None:
    """Tests that a demand with sub-Mbit/s precision is refused, located, before solving.

    The solver plans traffic in whole Mbit/s. A 1.0004 Gbps demand used to be accepted and
    rounded to 1.0 Gbps of routes, so a plan marked optimal failed `nfvplan check`
    (demand-total). It must now be refused with file:line (exit 2), never half-solved.
    """
    path = write_yaml(SUB_MBPS, "sub-mbps.yaml")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    message = caught.value.render()
    assert re.search(r"sub-mbps\.yaml:\d+:\d+: services\.s\.demands\[0\]\.gbps", message)
    assert "1.0004" in message
    result = runner.invoke(app, ["solve", str(path), "-o", str(tmp_path / "p.yaml")])
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "p.yaml").exists()


def full_mesh(sites: int) -> str:
    """A scenario on a complete graph of `sites` sites: servers only at the last one.

    Between two sites of K6 there are 65 simple paths, more than the solver's widened 9 per
    chain leg, so its path set stays restricted and it must fall back on the routing-free bound.
    """
    names = [f"S{i}" for i in range(1, sites + 1)]
    site_lines = "\n".join(f"  {n}: {{}}" for n in names[:-1])
    links = "\n".join(
        f"  - {{between: [{a}, {b}], gbps: 100, latency_ms: 1}}"
        for i, a in enumerate(names)
        for b in names[i + 1 :]
    )
    return f"""\
nfvplan: 1
name: mesh
server_types:
  box: {BOX}
sites:
{site_lines}
  {names[-1]}: {{servers: {{box: 1}}}}
links:
{links}
vnfs:
{firewall(licence=100)}
services:
  internet:
    chain: [firewall]
    demands:
      - {{from: S1, gbps: 10}}
"""


def test_routing_free_bound_is_in_cost_units(write_yaml: WriteYaml) -> None:
    """Tests that the bound reported for a restricted path set is a sensible cost bound.

    Every plan uses the one box (500) and pays the firewall's licence (100): 600 is the optimum,
    so a valid bound is at most 600, and a bound in cost units is at least the licence (100)
    that every plan pays. Regression: the bound was divided by the lexicographic weight twice
    (7.81 here, 1.70 against 14800 in the bics benchmark); fixed in 7182b7e.
    """
    scenario = load_scenario(write_yaml(full_mesh(6), "mesh.yaml"))
    plan = solve(scenario, SolveOptions(time_limit_s=20, workers=1))
    assert check_plan(scenario, plan) == []
    assert plan.objective.value == pytest.approx(600)
    assert plan.objective.bound is not None
    assert 100 <= plan.objective.bound <= 600 + 1e-6
