"""Tests that valid scenario and topology files load into the model the format promises.

The FORMAT.md section 1 example is kept inline (not read from the docs) so that a doc edit
cannot silently change what this test checks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nfvplan.io import FIBRE_MS_PER_KM, load_scenario, load_topology, parse_scenario
from nfvplan.model import (
    Demand,
    Flavor,
    Form,
    FormSpec,
    HostReserve,
    Link,
    Objective,
    Overhead,
    Platform,
    Scope,
    Site,
    SiteFilter,
    SolverSettings,
)
from tests.paths import TOPOLOGIES

FORMAT_EXAMPLE = """\
nfvplan: 1                      # format version; anything else is refused with a clear message
name: metro-5g
description: 5G core in two data centres, UPFs at the edge

platform:
  vm:
    overhead: {vcpu: 1, memory_gib: 2, disk_gib: 20}
    host_reserve: {cores: 2, memory_gib: 8}
    boot_seconds: 45
  container:
    overhead: {vcpu: 0.1, memory_gib: 0.25, disk_gib: 1}
    host_reserve: {cores: 1, memory_gib: 4}
    boot_seconds: 3
  cpu_overcommit: 2.0

server_types:
  r750-nfv:
    cores: 64
    threads_per_core: 2
    memory_gib: 512
    disk_gib: 3840
    nic_gbps: 200
    sriov_vfs: 128
    numa_nodes: 2
    monthly_cost: 650
  edge-1u:
    cores: 24
    threads_per_core: 2
    memory_gib: 192
    disk_gib: 960
    nic_gbps: 50
    sriov_vfs: 32
    numa_nodes: 1
    monthly_cost: 320

sites:
  core-1:
    kind: core
    racks: 4
    servers: {r750-nfv: 12}
    expand: {r750-nfv: 8}
  core-2:
    kind: core
    racks: 4
    servers: {r750-nfv: 12}
  edge-a:
    kind: edge
    servers: {edge-1u: 2}
    expand: {edge-1u: 4}

links:
  - {between: [core-1, core-2], gbps: 400, latency_ms: 1.0}
  - {between: [core-1, edge-a], gbps: 100, latency_ms: 2.5}
  - {between: [core-2, edge-a], gbps: 100, latency_ms: 3.0}

vnfs:
  amf:
    flavor: {vcpu: 8, memory_gib: 16, disk_gib: 40}
    forms: [vm, container]
    replicas: 3
    anti_affinity: host
    trust: signalling
    sites: {kind: core}
    license_monthly: 300
  upf:
    flavor: {vcpu: 16, memory_gib: 32, hugepages_gib: 16, sriov_vfs: 4, disk_gib: 20}
    cpu: dedicated
    numa: aligned
    forms: [vm, container]
    throughput_gbps: 25
    redundancy: 1
    trust: user-plane
  firewall:
    flavor: {vcpu: 4, memory_gib: 8, disk_gib: 10}
    forms: [container]
    throughput_gbps: 40
  lawful-intercept:
    flavor: {vcpu: 8, memory_gib: 32, disk_gib: 500}
    forms: [vm]
    isolation: host
    replicas: 2
    anti_affinity: site

services:
  mobile-broadband:
    chain: [upf, firewall]
    demands:
      - {from: edge-a, to: core-1, gbps: 40, max_latency_ms: 6}

objective: cost
solver: {time_limit_s: 30, workers: 2, seed: 1}
"""

MINIMAL = """\
nfvplan: 1
server_types:
  box: {cores: 16, memory_gib: 64, monthly_cost: 100}
sites:
  dc: {servers: {box: 2}}
vnfs:
  amf:
    flavor: {vcpu: 2, memory_gib: 4}
    replicas: 1
"""

TOPOLOGY = """\
nfvplan-topology: 1
name: triangle
description: three sites in a row
source: hand-written for tests
sites:
  A: {kind: metro, lat: 48.1, lon: 11.6}
  B: {kind: transit-pop}
  C:
links:
  - {between: [A, B], gbps: 10, length_km: 200}
  - {between: [B, C], gbps: 10, latency_ms: 0.7}
  - {between: [A, C], gbps: 10, length_km: 1000}
"""


def test_format_example_loads(write_yaml) -> None:
    """Tests that the FORMAT.md section 1 example loads with every field as written."""
    path = write_yaml(FORMAT_EXAMPLE)
    scenario = load_scenario(path)

    assert scenario.name == "metro-5g"
    assert scenario.description == "5G core in two data centres, UPFs at the edge"
    assert scenario.source == str(path)
    assert scenario.version == 1
    assert scenario.platform == Platform(
        vm=FormSpec(Overhead(1, 2, 20), HostReserve(2, 8, 0), 45),
        container=FormSpec(Overhead(0.1, 0.25, 1), HostReserve(1, 4, 0), 3),
        cpu_overcommit=2.0,
    )
    r750 = scenario.server_types["r750-nfv"]
    assert (r750.cores, r750.threads, r750.numa_nodes, r750.sriov_vfs) == (64, 128, 2, 128)
    assert r750.monthly_cost == 650
    assert scenario.sites["core-1"] == Site("core-1", "core", 4, {"r750-nfv": 12}, {"r750-nfv": 8})
    assert scenario.sites["edge-a"].racks == 1
    assert scenario.links[1] == Link("core-1", "edge-a", 100, 2.5)

    amf = scenario.vnfs["amf"]
    assert amf.replicas == 3 and amf.throughput_gbps is None
    assert amf.anti_affinity is Scope.HOST
    assert amf.trust == "signalling"
    assert amf.sites == SiteFilter(kind="core")
    assert amf.license_monthly == 300
    upf = scenario.vnfs["upf"]
    assert upf.flavor == Flavor(16, 32, hugepages_gib=16, disk_gib=20, sriov_vfs=4)
    assert (upf.dedicated_cpu, upf.numa_aligned, upf.isolated) == (True, True, False)
    assert (upf.throughput_gbps, upf.redundancy) == (25, 1)
    assert scenario.vnfs["firewall"].forms == (Form.CONTAINER,)
    li = scenario.vnfs["lawful-intercept"]
    assert li.isolated and li.anti_affinity is Scope.SITE and li.forms == (Form.VM,)

    service = scenario.services["mobile-broadband"]
    assert service.chain == ("upf", "firewall")
    assert service.demands == (Demand("edge-a", "core-1", 40, 6),)
    assert scenario.objective is Objective.COST
    assert scenario.solver == SolverSettings(30, 2, 1)


def test_defaults_apply(write_yaml) -> None:
    """Tests that every optional field takes its documented default."""
    scenario = load_scenario(write_yaml(MINIMAL, "my-plan.yaml"))

    assert scenario.name == "my-plan"  # the file stem
    assert scenario.description == ""
    assert scenario.platform == Platform()
    box = scenario.server_types["box"]
    assert (box.threads_per_core, box.disk_gib, box.nic_gbps, box.sriov_vfs, box.numa_nodes) == (
        1,
        0,
        0,
        0,
        1,
    )
    assert scenario.sites["dc"] == Site("dc", None, 1, {"box": 2}, {}, transit=False)
    assert scenario.links == ()
    amf = scenario.vnfs["amf"]
    assert amf.flavor == Flavor(2, 4, 0, 0, 0, 0)
    assert amf.forms == (Form.VM, Form.CONTAINER)
    assert amf.redundancy == 0
    assert amf.anti_affinity is None
    assert amf.trust == "amf"
    assert amf.sites is None
    assert amf.license_monthly == 0
    assert (amf.dedicated_cpu, amf.numa_aligned, amf.isolated) == (False, False, False)
    assert scenario.services == {}
    assert scenario.objective is Objective.COST
    assert scenario.solver == SolverSettings()


def test_empty_optional_sections_count_as_absent() -> None:
    """Tests that a section whose entries are all commented out reads as not given."""
    text = MINIMAL + "links:\n  # - {between: [dc, x], gbps: 1, latency_ms: 1}\nservices:\n"
    scenario = parse_scenario(text)
    assert scenario.links == () and scenario.services == {}


def test_parse_scenario_names_and_sources() -> None:
    """Tests that parse_scenario takes str or bytes and records the given file name."""
    from_bytes = parse_scenario(MINIMAL.encode(), filename="inline.yaml")
    assert from_bytes.source == "inline.yaml"
    assert from_bytes.name == "inline"
    assert parse_scenario("\ufeff" + MINIMAL).name == "scenario"  # BOM dropped, no file stem


def test_topology_include_adds_transit_sites_and_overrides_links(write_yaml) -> None:
    """Tests that `topology:` brings in the other sites as transit, its links, and that a
    scenario link for the same pair (either order) replaces the topology's."""
    write_yaml(TOPOLOGY, "topologies/triangle.yaml")
    scenario = load_scenario(
        write_yaml(
            """\
            nfvplan: 1
            topology: ../topologies/triangle.yaml
            server_types:
              box: {cores: 16, memory_gib: 64, monthly_cost: 100}
            sites:
              C: {kind: edge, servers: {box: 1}}
              A: {servers: {box: 2}}
              D: {servers: {box: 1}}
            links:
              - {between: [C, A], gbps: 100, latency_ms: 1.5}
              - {between: [C, D], gbps: 40, length_km: 20}
            vnfs:
              amf: {flavor: {vcpu: 2, memory_gib: 4}, replicas: 1, sites: [A]}
            """,
            "scenarios/site.yaml",
        )
    )
    assert list(scenario.sites) == ["C", "A", "D", "B"]
    assert scenario.sites["B"] == Site("B", "transit-pop", 1, {}, {}, transit=True)
    assert scenario.sites["A"].kind is None  # the scenario's definition wins, kind and all
    assert not scenario.sites["C"].transit
    assert scenario.links == (
        Link("A", "B", 10, 200 * FIBRE_MS_PER_KM, 200),
        Link("B", "C", 10, 0.7),
        Link("C", "A", 100, 1.5),  # replaced in place
        Link("C", "D", 40, 20 * FIBRE_MS_PER_KM, 20),
    )


def test_topology_relative_to_base_dir(tmp_path: Path) -> None:
    """Tests that parse_scenario resolves `topology:` against base_dir, not the cwd."""
    (tmp_path / "t.yaml").write_text(TOPOLOGY)
    text = MINIMAL.replace("dc: {servers", "A: {servers") + "topology: t.yaml\n"
    scenario = parse_scenario(text, base_dir=tmp_path)
    assert scenario.sites["C"].transit


def test_file_order_is_kept(write_yaml) -> None:
    """Tests that sites, server types, inventories and VNFs keep file order (it numbers
    servers), not alphabetical order."""
    scenario = load_scenario(
        write_yaml(
            """\
            nfvplan: 1
            server_types:
              zeta: {cores: 8, memory_gib: 32, monthly_cost: 1}
              alpha: {cores: 8, memory_gib: 32, monthly_cost: 1}
            sites:
              west: {servers: {zeta: 1, alpha: 2}, expand: {alpha: 1, zeta: 1}}
              east: {servers: {alpha: 1}}
              middle: {}
            vnfs:
              smf: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 1}
              amf: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 1}
            """
        )
    )
    assert list(scenario.server_types) == ["zeta", "alpha"]
    assert list(scenario.sites) == ["west", "east", "middle"]
    assert list(scenario.sites["west"].servers) == ["zeta", "alpha"]
    assert list(scenario.sites["west"].expand) == ["alpha", "zeta"]
    assert list(scenario.vnfs) == ["smf", "amf"]


def test_length_derives_latency_and_latency_wins() -> None:
    """Tests that latency_ms is length_km * 5 µs/km when absent, and as given otherwise."""
    text = MINIMAL.replace("dc: {servers: {box: 2}}", "a: {}\n  b: {}\n  c: {}\n  dc: {}")
    text += (
        "links:\n"
        "  - {between: [a, b], gbps: 10, length_km: 300}\n"
        "  - {between: [b, c], gbps: 10, length_km: 300, latency_ms: 4}\n"
    )
    links = parse_scenario(text).links
    assert links[0].latency_ms == pytest.approx(1.5)
    assert links[1].latency_ms == 4 and links[1].length_km == 300


def test_anchors_merges_and_exponent_numbers() -> None:
    """Tests that YAML anchors and `<<` merges work (operators share flavors that way) and
    that `1e3` counts as a number, as YAML 1.2 reads it."""
    text = """\
nfvplan: 1
server_types:
  box: {cores: 16, memory_gib: 64, monthly_cost: 1e3}
sites:
  dc: {servers: {box: 2}}
vnfs:
  amf:
    flavor: &small {vcpu: 2, memory_gib: 4}
    replicas: 1
  smf:
    flavor:
      <<: *small
      vcpu: 3
    replicas: 1
"""
    scenario = parse_scenario(text)
    assert scenario.server_types["box"].monthly_cost == 1000
    assert scenario.vnfs["smf"].flavor == Flavor(3, 4)


def test_site_lists_and_kinds_and_whole_floats() -> None:
    """Tests VNF `sites:` as a list, and that whole floats such as 3.0 are accepted as ints."""
    text = MINIMAL.replace("replicas: 1", "replicas: 3.0\n    sites: [dc]")
    vnf = parse_scenario(text).vnfs["amf"]
    assert vnf.replicas == 3 and isinstance(vnf.replicas, int)
    assert vnf.sites == SiteFilter(names=("dc",))


def test_bundled_topologies_load() -> None:
    """Tests that every topology shipped under topologies/ passes the same validation."""
    paths = sorted(TOPOLOGIES.glob("*.yaml"))
    if not paths:
        pytest.skip("no bundled topologies")
    for path in paths:
        topology = load_topology(path)
        assert topology.sites and topology.links, path
