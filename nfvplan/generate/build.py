"""Assemble a realistic scenario of a chosen size as the YAML text an operator would write.

Sizing, in order: the footprint (sites by tier, links); one broadband demand per edge site to
its nearest core, which sizes the UPFs and CGNATs; the remaining instances split over the
tiers (core 30%, regional 25%, edge 45%) and, within a tier, over its VNF profiles by weight;
then each site's servers from the load it must carry at a target utilisation, never fewer than
its host anti-affinity and trust domains need, plus purchasable servers (`expand`).
Every random draw comes from one `random.Random(seed)` in a fixed order, and the YAML is
emitted with a fixed key order, so the same options give the same bytes.
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

from nfvplan.generate.catalog import (
    CORE,
    CORE_VNFS,
    EDGE,
    EDGE_SITE_VNFS,
    HOSTS,
    REGIONAL,
    REGIONAL_VNFS,
    TENANTS,
    TIER_HOSTS,
    TIERS,
    UPF,
)
from nfvplan.generate.demands import MODELS, make_demands
from nfvplan.generate.network import (
    Footprint,
    generated_footprint,
    shortest_latencies,
    topology_footprint,
)

TIER_SHARE = {CORE: 0.30, REGIONAL: 0.25, EDGE: 0.45}
"""How the instances not sized by traffic split over the tiers."""
TARGET_UTILISATION = 0.6
"""Installed servers carry the load at about this share of threads or memory: operators keep
headroom for failover and growth, and trust domains and anti-affinity fragment the packing."""
OVERCOMMIT = 2.0
RACKS = {CORE: 8, REGIONAL: 4, EDGE: 1}
SET_SIZE = 12
"""Host-anti-affine pools larger than this are split into sets (3GPP's AMF sets): an operator
runs many sets of a dozen replicas, not one pool of hundreds spread over every host."""


@dataclass(frozen=True)
class GenerateOptions:
    """What `nfvplan generate` was asked for."""

    instances: int = 1000
    sites: int | None = None
    """Sites with servers; default grows with the square root of the instances (50 at 10 000)."""
    topology: Path | None = None
    """A topology file; None generates a tiered network."""
    seed: int = 1
    demands: int | None = None
    """Broadband demands (one per edge site by default, at most that many; 0 for none)."""
    output: Path | None = None
    """Where the file will be written: a topology reference is made relative to it."""
    time_limit_s: float = 60.0
    demand_model: str = MODELS[0]
    """How demands are drawn: `edge-to-core`, `two-per-site` or `gravity` (generate/demands.py)."""


def default_sites(instances: int) -> int:
    """Sites for a size: 5 at 100 instances, 16 at 1 000, 50 at 10 000, 158 at 100 000."""
    return max(3, round(0.5 * math.sqrt(instances)))


def generate_scenario(options: GenerateOptions) -> str:
    """The scenario as YAML text. ValueError for options that cannot make a scenario."""
    if options.instances < 10:
        raise ValueError(f"--instances {options.instances}: give at least 10")
    if options.sites is not None and options.sites < 3:
        raise ValueError(f"--sites {options.sites}: give at least 3 (core, regional, edge)")
    rng = random.Random(options.seed)
    if options.topology is None:
        footprint = generated_footprint(options.sites or default_sites(options.instances), rng)
    else:
        footprint = topology_footprint(options.topology, options.sites)
    footprint.latency = shortest_latencies(footprint)
    demands = make_demands(footprint, options.demand_model, options.demands, rng)
    total_gbps = sum(d["gbps"] for d in demands)
    traffic_sized = 0
    if demands:
        traffic_sized = math.ceil(total_gbps / UPF.throughput_gbps) + 1
        traffic_sized += math.ceil(total_gbps / 40) + 1
    vnfs, site_vnfs = _vnfs(footprint, options.instances - traffic_sized, rng, bool(demands))
    sites = _sites(footprint, vnfs, site_vnfs, demands)
    document: dict[str, object] = {
        "nfvplan": 1,
        "name": f"generated-{options.instances}-seed{options.seed}",
        "description": (
            f"Generated national operator: about {options.instances} instances at "
            f"{sum(len(v) for v in footprint.tiers.values())} sites "
            f"(nfvplan generate, seed {options.seed})"
        ),
        "platform": _platform(),
        "server_types": {name: host.as_yaml() for name, host in HOSTS.items()},
        "sites": sites,
    }
    if footprint.inline:
        document["links"] = [
            {"between": [a, b], "gbps": gbps, "latency_ms": latency}
            for a, b, gbps, latency in footprint.links
        ]
    else:
        assert footprint.topology_file is not None
        document["topology"] = _relative(footprint.topology_file, options.output)
    document["vnfs"] = {name: entry for name, (entry, _tier) in vnfs.items()}
    if demands:
        document["services"] = {
            "mobile-broadband": {"chain": ["upf", "cgnat"], "demands": demands},
        }
    document["objective"] = "cost"
    document["solver"] = {"time_limit_s": options.time_limit_s, "workers": 2, "seed": 1}
    header = _header(options, footprint, vnfs, sites)
    return header + yaml.safe_dump(document, sort_keys=False, default_flow_style=None, width=100)


def _relative(target: Path, output: Path | None) -> str:
    """The topology path as the scenario file must name it: relative to the file's folder."""
    base = output.resolve().parent if output is not None else Path.cwd()
    return os.path.relpath(target.resolve(), base)


def _platform() -> dict[str, object]:
    """The examples' platform: KVM/OpenStack and Kubernetes reserves, overcommit 2."""
    return {
        "vm": {
            "overhead": {"vcpu": 1, "memory_gib": 2, "disk_gib": 20},
            "host_reserve": {"cores": 2, "memory_gib": 16, "disk_gib": 100},
            "boot_seconds": 45,
        },
        "container": {
            "overhead": {"vcpu": 0.1, "memory_gib": 0.25, "disk_gib": 1},
            "host_reserve": {"cores": 1, "memory_gib": 8, "disk_gib": 50},
            "boot_seconds": 3,
        },
        "cpu_overcommit": OVERCOMMIT,
    }


VnfTable = dict[str, tuple[dict[str, object], str]]
"""VNF name -> (its YAML entry, its tier)."""


def _vnfs(
    footprint: Footprint, budget: int, rng: random.Random, with_services: bool
) -> tuple[VnfTable, dict[str, list[str]]]:
    """Every VNF entry, and per edge site the names of its own VNFs."""
    budget = max(budget, 10)
    table: VnfTable = {}
    for tier, profiles in ((CORE, CORE_VNFS), (REGIONAL, REGIONAL_VNFS)):
        sized = [p for p in profiles if p.fixed is None and p.throughput_gbps is None]
        weights = sum(p.weight for p in sized)
        units = len(footprint.tiers[tier])
        for profile in profiles:
            if profile.throughput_gbps is not None:
                if not with_services:
                    continue
                replicas = None
            elif profile.fixed == "per-site":
                replicas = units
            elif profile.fixed == "two":
                replicas = 2 if profile.anti_affinity != "site" else min(2, units)
            else:
                share = budget * TIER_SHARE[tier] * profile.weight / weights
                replicas = max(2, round(share * rng.uniform(0.85, 1.15)))
            if replicas is not None and profile.anti_affinity == "host" and replicas > SET_SIZE:
                sets = math.ceil(replicas / SET_SIZE)
                for i in range(sets):
                    part = replicas // sets + (1 if i < replicas % sets else 0)
                    entry = profile.as_yaml({"kind": tier}, part)
                    table[f"{profile.name}-set-{i + 1}"] = (entry, tier)
                continue
            table[profile.name] = (profile.as_yaml({"kind": tier}, replicas), tier)
    if with_services:
        table[UPF.name] = (UPF.as_yaml({"kind": EDGE}, None), EDGE)
    site_vnfs: dict[str, list[str]] = {}
    edges = footprint.tiers[EDGE]
    per_site = budget * TIER_SHARE[EDGE] / max(1, len(edges))
    weights = sum(p.weight for p in EDGE_SITE_VNFS)
    for edge in edges:
        tenant = f"tenant-{rng.randrange(TENANTS) + 1}"
        site_vnfs[edge] = []
        for profile in EDGE_SITE_VNFS:
            share = per_site * profile.weight / weights
            replicas = max(1, round(share * rng.uniform(0.6, 1.4)))
            trust = tenant if profile.trust == "tenant" else profile.trust
            name = f"{profile.name}-{edge}"
            entry = profile.as_yaml([edge], replicas)
            entry["trust"] = trust
            table[name] = (entry, EDGE)
            site_vnfs[edge].append(name)
    return table, site_vnfs


def _threads(entry: dict[str, object]) -> float:
    """Hardware threads one instance takes (as a VM, the larger form), for sizing servers."""
    flavor = entry["flavor"]
    assert isinstance(flavor, dict)
    vcpu = float(flavor["vcpu"])
    return vcpu + 0.5 if entry.get("cpu") == "dedicated" else (vcpu + 1) / OVERCOMMIT


def _memory(entry: dict[str, object]) -> float:
    flavor = entry["flavor"]
    assert isinstance(flavor, dict)
    return float(flavor["memory_gib"]) + float(flavor.get("hugepages_gib", 0)) + 2


def _count(entry: dict[str, object], traffic_gbps: float) -> int:
    replicas = entry.get("replicas")
    if isinstance(replicas, int):
        return replicas
    throughput = entry["throughput_gbps"]
    assert isinstance(throughput, (int, float))
    return math.ceil(traffic_gbps / throughput) + 1


def _sites(
    footprint: Footprint, vnfs: VnfTable, site_vnfs: dict[str, list[str]], demands: list[dict]
) -> dict[str, dict[str, object]]:
    """Installed and purchasable servers per site, from the load each site must carry."""
    gbps_at = _upf_traffic(footprint, demands)
    cgnat_at = _cgnat_traffic(footprint, demands)
    total_gbps = sum(gbps_at.values())
    load: dict[str, list[float]] = {}
    spread_min: dict[str, int] = {}
    for tier in TIERS:
        names = footprint.tiers[tier]
        pooled = [
            (entry, name)
            for name, (entry, t) in vnfs.items()
            if t == tier and isinstance(entry["sites"], dict)
        ]
        for site in names:
            threads = memory = 0.0
            most = 0
            for entry, _name in pooled:
                count = _count(entry, total_gbps)
                if entry.get("sites") == {"kind": EDGE}:  # the UPF: sized by this site's demand
                    count = math.ceil(gbps_at.get(site, 0) / 10) + 1
                elif entry.get("throughput_gbps") is not None:  # the CGNAT: by what passes here
                    gbps = cgnat_at.get(site, 0.0)
                    count = math.ceil(gbps / float(entry["throughput_gbps"])) + 1 if gbps else 0
                else:
                    count = count / len(names)
                threads += _threads(entry) * count
                memory += _memory(entry) * count
                if entry.get("anti_affinity") == "host" or entry.get("isolation") == "host":
                    most = max(most, math.ceil(count))
            own = [vnfs[name][0] for name in site_vnfs.get(site, [])]
            for entry in own:
                count = _count(entry, 0)
                threads += _threads(entry) * count
                memory += _memory(entry) * count
                if entry.get("anti_affinity") == "host":
                    most = max(most, count)
            load[site] = [threads, memory, gbps_at.get(site, 0.0) + cgnat_at.get(site, 0.0)]
            # Containers of one trust domain need servers of their own; isolated VNFs too.
            here = [entry for entry, _name in pooled] + own
            domains = {e["trust"] for e in here if e["forms"] == ["container"]}
            isolated = sum(_count(e, 0) for e in here if e.get("isolation") == "host")
            spread_min[site] = most + len(domains) + isolated + 1
    sites: dict[str, dict[str, object]] = {}
    for tier in TIERS:
        installed_type, expand_type = TIER_HOSTS[tier]
        host = HOSTS[installed_type]
        for site in footprint.tiers[tier]:
            threads, memory, carried = load[site]
            need = max(
                threads / (host.threads * TARGET_UTILISATION),
                memory / (host.memory_gib * TARGET_UTILISATION),
                carried / (host.nic_gbps * TARGET_UTILISATION),  # routed traffic loads NICs
            )
            installed = max(math.ceil(need), spread_min[site], 3 if tier != CORE else 4)
            entry: dict[str, object] = {
                "kind": tier,
                "racks": min(RACKS[tier], installed),
                "servers": {installed_type: installed},
            }
            extra = max(1, math.ceil(installed * 0.25))
            entry["expand"] = {expand_type or installed_type: extra}
            sites[site] = entry
    return sites


def _upf_traffic(footprint: Footprint, demands: list[dict]) -> dict[str, float]:
    """Gbps each edge site's UPFs are sized for: its own demands, and those of the non-edge
    sites nearest to it (a demand from a core or regional site finds its UPF at an edge)."""
    edges = footprint.tiers[EDGE]
    lat = footprint.latency
    gbps_at: dict[str, float] = {}
    for demand in demands:
        source = demand["from"]
        if source not in edges:
            near = [e for e in edges if e in lat.get(source, {})]
            if not near:
                continue
            source = min(near, key=lambda e: (lat[demand["from"]][e], e))
        gbps_at[source] = gbps_at.get(source, 0) + demand["gbps"]
    return gbps_at


def _cgnat_traffic(footprint: Footprint, demands: list[dict]) -> dict[str, float]:
    """Gbps each regional site's CGNATs are sized for: the demands whose fastest chain path
    (from the edge site their UPF runs at, `_upf_traffic`, through a regional site to the
    target) passes it. Spread evenly instead, the regional site next to a busy core had too
    few servers for the CGNATs its traffic needs, and large generated scenarios had no plan."""
    edges, regions = footprint.tiers[EDGE], footprint.tiers[REGIONAL]
    lat = footprint.latency
    through: dict[tuple[str, str], str | None] = {}
    gbps_at: dict[str, float] = {}
    for demand in demands:
        source, target = demand["from"], demand.get("to")
        if source not in edges:
            near = [e for e in edges if e in lat.get(source, {})]
            if not near:
                continue
            source = min(near, key=lambda e: (lat[demand["from"]][e], e))
        key = (source, target or "")
        if key not in through:
            reach = [
                r for r in regions if r in lat.get(source, {}) and (not target or target in lat[r])
            ]
            through[key] = min(
                reach,
                key=lambda r: (lat[source][r] + (lat[r][target] if target else 0.0), r),
                default=None,
            )
        region = through[key]
        if region is not None:
            gbps_at[region] = gbps_at.get(region, 0.0) + demand["gbps"]
    return gbps_at


def _header(
    options: GenerateOptions,
    footprint: Footprint,
    vnfs: VnfTable,
    sites: dict[str, dict[str, object]],
) -> str:
    """A comment block saying what the file is and how to make it again."""
    servers = 0
    for entry in sites.values():
        for key in ("servers", "expand"):
            counts = entry[key]
            assert isinstance(counts, dict)
            servers += sum(counts.values())
    fixed = sum(e["replicas"] for e, _t in vnfs.values() if isinstance(e.get("replicas"), int))
    command = f"nfvplan generate --instances {options.instances} --seed {options.seed}"
    if options.sites is not None:
        command += f" --sites {options.sites}"
    if options.topology is not None:
        command += f" --topology {options.topology.stem}"
    if options.demands is not None:
        command += f" --demands {options.demands}"
    if options.demand_model != MODELS[0]:
        command += f" --demands {options.demand_model}"
    tiers = ", ".join(f"{len(footprint.tiers[t])} {t}" for t in TIERS)
    return (
        f"# Generated by: {command}\n"
        f"# Sites: {tiers}; {servers} candidate servers (installed + expand); {len(vnfs)} VNFs, "
        f"{fixed} fixed-replica instances plus the traffic-sized UPF and CGNAT.\n"
        "# 5G SA core, IMS, SD-WAN / vCPE profiles sized like examples/*.yaml (see their headers\n"
        "# and nfvplan/generate/catalog.py for the sources); synthetic, not an operator's data.\n"
    )
