"""Hypothesis strategies for valid random scenarios across the whole file format.

A scenario is drawn as plain data (`Doc`: the scenario mapping, plus a topology mapping when it
has transit sites), rendered to YAML text and parsed by the real loader, so every generated case
also exercises `nfvplan.io`. Working on the data lets the metamorphic tests rename, reorder and
extend a scenario before it is rendered.

Every field of docs/format.md is drawn, each one sometimes left out so its default is used too:
platform overheads, host reserves and overcommit; server types with SMT, disk, NIC, SR-IOV VFs,
NUMA nodes and cost; sites with kinds, racks, installed and purchasable servers, empty sites;
transit sites from a topology file, links in the topology and in the scenario (overriding
some), latency or length; VNFs with replicas or throughput + redundancy, every form list,
anti-affinity, trust domains, site filters by name and by kind, licences, dedicated CPUs, NUMA
alignment, host isolation, hugepages, VFs and NIC load; services with chains and demands, with
and without `to` and latency budgets; the three objectives.

Amounts are drawn from small grids on which the solver's integer units are exact (multiples of
0.5 vCPU, 0.25 GiB, 0.5 Gbps; overcommit 1, 1.5, 2 or 4). Off-grid figures are rounded
conservatively by the solver by design (docs/solver.md), which would make "optimal" differ from
an exact brute force by a rounding step; plan validity is independent of that.
"""

from __future__ import annotations

import copy
import hashlib
import math
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from nfvplan.model import Scenario
from tests.helpers import parse

_TOPOLOGY_DIR = Path(tempfile.mkdtemp(prefix="nfvplan-props-"))
"""Topology files of generated scenarios, named by content hash (one per distinct topology)."""


@dataclass
class Doc:
    """A scenario as data: `data` is the scenario mapping, `topology` the topology mapping."""

    data: dict[str, Any]
    topology: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def yaml(self) -> str:
        """The scenario file's text; the topology (if any) is written to a file it names."""
        data = dict(self.data)
        if self.topology is not None:
            text = yaml.safe_dump(self.topology, sort_keys=False)
            digest = hashlib.sha1(text.encode()).hexdigest()[:16]
            path = _TOPOLOGY_DIR / f"topo-{digest}.yaml"
            if not path.exists():
                path.write_text(text, encoding="utf-8")
            data = {"nfvplan": data["nfvplan"], "topology": str(path), **data}
        return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=100)

    def scenario(self) -> Scenario:
        """The scenario as the real loader reads it."""
        return parse(self.yaml())

    def instance_count(self) -> int:
        """Instances of fixed-replica VNFs (throughput-sized ones follow the traffic)."""
        return sum(v.get("replicas", 0) for v in self.data["vnfs"].values())


def _maybe(draw: st.DrawFn, value_strategy: st.SearchStrategy[Any]) -> Any | None:
    """None (the field is left out, its default applies) or a drawn value."""
    return draw(st.one_of(st.none(), value_strategy))


def _put(entry: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        entry[key] = value


def _grid(*values: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(values)


def _platform(draw: st.DrawFn) -> dict[str, Any] | None:
    if not draw(st.booleans()):
        return None
    platform: dict[str, Any] = {}
    for form in ("vm", "container"):
        spec: dict[str, Any] = {}
        overhead: dict[str, Any] = {}
        _put(overhead, "vcpu", _maybe(draw, _grid(0, 0.5, 1)))
        _put(overhead, "memory_gib", _maybe(draw, _grid(0, 0.25, 1, 2)))
        _put(overhead, "disk_gib", _maybe(draw, _grid(0, 1, 10)))
        reserve: dict[str, Any] = {}
        _put(reserve, "cores", _maybe(draw, _grid(0, 0.5, 1)))
        _put(reserve, "memory_gib", _maybe(draw, _grid(0, 1, 2)))
        _put(reserve, "disk_gib", _maybe(draw, _grid(0, 10)))
        _put(spec, "overhead", overhead if draw(st.booleans()) else None)
        _put(spec, "host_reserve", reserve if draw(st.booleans()) else None)
        _put(spec, "boot_seconds", _maybe(draw, _grid(3, 45)))
        _put(platform, form, spec if draw(st.booleans()) else None)
    _put(platform, "cpu_overcommit", _maybe(draw, _grid(1, 1.5, 2, 4)))
    return platform


def _server_type(draw: st.DrawFn) -> dict[str, Any]:
    numa = _maybe(draw, _grid(1, 2))
    cores = draw(st.integers(1, 8))
    if numa == 2:
        cores = max(2, cores - cores % 2)
    entry: dict[str, Any] = {"cores": cores}
    _put(entry, "threads_per_core", _maybe(draw, _grid(1, 2)))
    entry["memory_gib"] = draw(_grid(4, 8, 16, 32))
    _put(entry, "disk_gib", _maybe(draw, _grid(50, 200, 1000)))
    _put(entry, "nic_gbps", _maybe(draw, _grid(10, 25, 100)))
    _put(entry, "sriov_vfs", _maybe(draw, _grid(0, 4, 8)))
    _put(entry, "numa_nodes", numa)
    entry["monthly_cost"] = draw(_grid(0, 10, 12.5, 25, 40, 100))
    return entry


def _type_capacity(entry: dict[str, Any]) -> dict[str, float]:
    """What docs/format.md says a type has, defaults applied (for the loader's fit check)."""
    threads = entry["cores"] * entry.get("threads_per_core", 1)
    nodes = entry.get("numa_nodes", 1)
    return {
        "threads": threads,
        "memory": entry["memory_gib"],
        "disk": entry.get("disk_gib", 0),
        "nic": entry.get("nic_gbps", 0),
        "vfs": entry.get("sriov_vfs", 0),
        "node_threads": threads / nodes,
        "node_memory": entry["memory_gib"] / nodes,
        "node_vfs": entry.get("sriov_vfs", 0) / nodes,
    }


def _fits_some_type(vnf: dict[str, Any], types: dict[str, Any], overcommit: float) -> bool:
    """The loader refuses a bare flavor no server type could hold: stay on the valid side."""
    f = vnf["flavor"]
    dedicated = vnf.get("cpu") == "dedicated"
    threads = f["vcpu"] if dedicated else f["vcpu"] / overcommit
    memory = f["memory_gib"] + f.get("hugepages_gib", 0)
    aligned = vnf.get("numa") == "aligned"
    for entry in types.values():
        cap = _type_capacity(entry)
        ok = (
            threads <= cap["threads"]
            and memory <= cap["memory"]
            and f.get("disk_gib", 0) <= cap["disk"]
            and f.get("sriov_vfs", 0) <= cap["vfs"]
            and f.get("gbps", 0) <= cap["nic"]
        )
        if aligned:
            ok = ok and threads <= cap["node_threads"] and memory <= cap["node_memory"]
            ok = ok and f.get("sriov_vfs", 0) <= cap["node_vfs"]
        if ok:
            return True
    return False


def _site(
    draw: st.DrawFn, types: list[str], slot_budget: int, first: bool
) -> tuple[dict[str, Any], int]:
    """A site entry and how many server slots (installed + purchasable) it has.

    The first site always has an installed server, so that most scenarios have a plan.
    """
    entry: dict[str, Any] = {}
    _put(entry, "kind", _maybe(draw, _grid("core", "edge")))
    _put(entry, "racks", _maybe(draw, st.integers(1, 3)))
    slots = 0
    for key, counts in (("servers", (1, 2, 0)), ("expand", (1, 0))):
        least = 1 if first and key == "servers" else 0
        chosen = draw(st.lists(st.sampled_from(types), min_size=least, unique=True))
        inventory = {}
        for name in chosen:
            count = draw(st.sampled_from(counts[:2] if least else counts))
            count = min(count, slot_budget - slots)
            inventory[name] = count
            slots += count
        _put(entry, key, inventory if inventory or draw(st.booleans()) else None)
    return entry, slots


def _flavor(draw: st.DrawFn) -> dict[str, Any]:
    flavor: dict[str, Any] = {
        "vcpu": draw(_grid(0.5, 1, 2, 3, 4)),
        "memory_gib": draw(_grid(0.5, 1, 2, 4, 8)),
    }
    _put(flavor, "hugepages_gib", _maybe(draw, _grid(0, 1, 2)))
    _put(flavor, "disk_gib", _maybe(draw, _grid(0, 5, 20)))
    _put(flavor, "sriov_vfs", _maybe(draw, _grid(0, 1, 2)))
    _put(flavor, "gbps", _maybe(draw, _grid(0, 0.5, 2)))
    return flavor


def _vnf(draw: st.DrawFn, sites: dict[str, Any], max_replicas: int) -> dict[str, Any]:
    entry: dict[str, Any] = {"flavor": _flavor(draw)}
    _put(
        entry,
        "forms",
        _maybe(draw, _grid(["vm"], ["container"], ["vm", "container"], ["container", "vm"])),
    )
    entry["replicas"] = draw(st.integers(1, max(1, max_replicas)))
    _put(entry, "anti_affinity", _maybe(draw, _grid("host", "rack", "site")))
    _put(entry, "trust", _maybe(draw, _grid("red", "blue")))
    kinds = sorted({s["kind"] for s in sites.values() if s and s.get("kind")})
    filters: list[st.SearchStrategy[Any]] = [
        st.lists(st.sampled_from(sorted(sites)), min_size=1, max_size=len(sites), unique=True)
    ]
    if kinds:
        filters.append(st.sampled_from(kinds).map(lambda k: {"kind": k}))
    _put(entry, "sites", _maybe(draw, st.one_of(filters)))
    _put(entry, "license_monthly", _maybe(draw, _grid(0, 5, 20)))
    _put(entry, "cpu", _maybe(draw, _grid("shared", "dedicated")))
    _put(entry, "numa", _maybe(draw, _grid("any", "aligned")))
    _put(entry, "isolation", _maybe(draw, st.sampled_from(["shared", "host", "shared"])))
    _put(entry, "image_gib", _maybe(draw, _grid(0, 10, 60, {"vm": 20}, {"container": 40})))
    return entry


def _link(draw: st.DrawFn, a: str, b: str) -> dict[str, Any]:
    link: dict[str, Any] = {"between": [a, b], "gbps": draw(_grid(1, 5, 10, 100))}
    if draw(st.booleans()):
        link["latency_ms"] = draw(_grid(0, 0.5, 1, 2, 5))
    else:
        link["length_km"] = draw(_grid(10, 100, 400))
    return link


def _network(
    draw: st.DrawFn, sites: list[str]
) -> tuple[list[dict[str, Any]], dict[str, Any] | None, list[str]]:
    """Scenario links, a topology (with transit sites) or None, and the transit site names."""
    transit = [f"x{i + 1}" for i in range(draw(st.integers(0, 2)))]
    nodes = sites + transit
    pairs = [(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1 :]]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=6)) if pairs else []
    links = [_link(draw, a, b) for a, b in chosen]
    if not transit:
        return links, None, []
    in_topology = set(transit) | set(draw(st.lists(st.sampled_from(sites), unique=True)))
    topo_links = [lk for lk in links if set(lk["between"]) <= in_topology]
    own = [lk for lk in links if not set(lk["between"]) <= in_topology]
    # A scenario link for a pair the topology links replaces it (an upgrade, say).
    overrides = draw(st.lists(st.sampled_from(topo_links), unique_by=id)) if topo_links else []
    own += [dict(_link(draw, *lk["between"])) for lk in overrides]
    topology = {
        "nfvplan-topology": 1,
        "name": "generated",
        "sites": {
            name: ({"kind": "transit"} if name in transit and draw(st.booleans()) else None)
            for name in nodes
            if name in in_topology
        },
        "links": topo_links,
    }
    return own, topology, transit


def _services(
    draw: st.DrawFn, vnfs: dict[str, Any], endpoints: list[str], least: int
) -> dict[str, Any] | None:
    count = draw(st.integers(least, 2))
    if count == 0:
        return None
    services: dict[str, Any] = {}
    for i in range(count):
        chain = draw(
            st.lists(st.sampled_from(sorted(vnfs)), min_size=1, max_size=len(vnfs), unique=True)
        )
        demands = []
        for _ in range(draw(st.integers(1, 2))):
            demand: dict[str, Any] = {"from": draw(st.sampled_from(endpoints))}
            _put(demand, "to", _maybe(draw, st.sampled_from(endpoints)))
            demand["gbps"] = draw(_grid(0.5, 1, 2, 4))
            _put(demand, "max_latency_ms", _maybe(draw, _grid(0.5, 1, 3, 10)))
            demands.append(demand)
        services[f"svc{i + 1}"] = {"chain": chain, "demands": demands}
    # Some chained VNFs are sized by their traffic: throughput_gbps (+ redundancy) for replicas.
    for name, vnf in vnfs.items():
        total = sum(
            d["gbps"] for s in services.values() if name in s["chain"] for d in s["demands"]
        )
        if total and draw(st.booleans()):
            del vnf["replicas"]
            vnf["throughput_gbps"] = total * draw(_grid(0.5, 1, 2))
            _put(vnf, "redundancy", _maybe(draw, _grid(0, 1)))
    return services


@st.composite
def scenario_docs(
    draw: st.DrawFn,
    *,
    tiny: bool = False,
    large: bool = False,
    objective: str | None = None,
    services: bool = False,
) -> Doc:
    """A valid scenario as data.

    `tiny`: what tests/bruteforce.py can enumerate — at most 5 instances of fixed-replica VNFs
    on at most 4 servers, no links, no services, objective cost. Otherwise up to 5 sites
    (transit ones included), 3 VNFs and 2 services (6 sites, 5 VNFs with `large`); `services`
    asks for at least one service.
    """
    max_sites = 2 if tiny else (4 if large else 3)
    max_vnfs = 3 if tiny else (5 if large else 3)
    slot_budget = 4 if tiny else (10 if large else 6)
    data: dict[str, Any] = {"nfvplan": 1, "name": draw(_grid("gen", "props-scenario"))}
    _put(data, "description", _maybe(draw, _grid("", "generated")))
    platform = _platform(draw)
    _put(data, "platform", platform)
    overcommit = (platform or {}).get("cpu_overcommit", 1)
    types = {f"t{i + 1}": _server_type(draw) for i in range(draw(st.integers(1, 2 if tiny else 3)))}
    data["server_types"] = types
    sites: dict[str, Any] = {}
    slots = 0
    for i in range(draw(st.integers(1, max_sites))):
        if i > 0 and draw(st.integers(0, 5)) == 0:
            sites[f"s{i + 1}"] = None  # an empty site: a demand end point only
            continue
        entry, used = _site(draw, list(types), slot_budget - slots, i == 0)
        sites[f"s{i + 1}"] = entry or None
        slots += used
    data["sites"] = sites
    endpoints = list(sites)
    topology = None
    if not tiny:
        links, topology, transit = _network(draw, list(sites))
        endpoints += transit
        _put(data, "links", links or None)
    left = 5 if tiny else (12 if large else 6)
    vnfs: dict[str, Any] = {}
    for i in range(draw(st.integers(1, max_vnfs))):
        if left <= 0:
            break
        vnf = _vnf(draw, sites, min(3, left))
        if not _fits_some_type(vnf, types, overcommit):
            vnf["flavor"] = {"vcpu": 0.5, "memory_gib": 0.5}
        vnfs[f"v{i + 1}"] = vnf
        left -= vnf["replicas"]
    data["vnfs"] = vnfs
    if not tiny:
        _put(data, "services", _services(draw, vnfs, endpoints, 1 if services else 0))
    if tiny:
        objective = "cost"
    _put(data, "objective", objective or _maybe(draw, _grid("cost", "servers", "balance")))
    data["solver"] = {"time_limit_s": 10, "workers": 1, "seed": draw(_grid(0, 1, 7))}
    return Doc(data, topology)


def instances_needed(doc: Doc) -> int:
    """A lower bound on the instance count: replicas plus traffic-derived minimums."""
    total = doc.instance_count()
    services = doc.data.get("services") or {}
    for name, vnf in doc.data["vnfs"].items():
        if "throughput_gbps" in vnf:
            gbps = sum(
                d["gbps"] for s in services.values() if name in s["chain"] for d in s["demands"]
            )
            total += math.ceil(gbps / vnf["throughput_gbps"]) + vnf.get("redundancy", 0)
    return total


# --- metamorphic rewrites: each returns a new Doc, the input is left as it was ------------------


def _copy(doc: Doc) -> Doc:
    return Doc(copy.deepcopy(doc.data), copy.deepcopy(doc.topology))


def _reversed_names(names: list[str], tag: str) -> dict[str, str]:
    """New names whose alphabetical order is the reverse of the old ones'."""
    ordered = sorted(names)
    return {old: f"{tag}{len(ordered) - i:02d}-{old}" for i, old in enumerate(ordered)}


def renamed(doc: Doc) -> Doc:
    """Every site, transit site, server type, kind, VNF and service renamed consistently.

    The new names sort in the reverse order of the old ones, so any tie the solver breaks by
    name is broken the other way; what the scenario means is unchanged.
    """
    new = _copy(doc)
    data, topo = new.data, new.topology
    site_names = list(data["sites"]) + list((topo or {}).get("sites", {}))
    sites = _reversed_names(list(dict.fromkeys(site_names)), "site")
    types = _reversed_names(list(data["server_types"]), "hw")
    vnfs = _reversed_names(list(data["vnfs"]), "fn")
    services = _reversed_names(list(data.get("services") or {}), "svc")
    kinds = {"core": "kind-b", "edge": "kind-a", "transit": "kind-c"}

    def site_entry(entry: dict[str, Any] | None) -> dict[str, Any] | None:
        if not entry:
            return entry
        entry = dict(entry)
        if "kind" in entry:
            entry["kind"] = kinds[entry["kind"]]
        for key in ("servers", "expand"):
            if key in entry:
                entry[key] = {types[t]: n for t, n in entry[key].items()}
        return entry

    def links(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**lk, "between": [sites[s] for s in lk["between"]]} for lk in items]

    data["server_types"] = {types[k]: v for k, v in data["server_types"].items()}
    data["sites"] = {sites[k]: site_entry(v) for k, v in data["sites"].items()}
    if "links" in data:
        data["links"] = links(data["links"])
    if topo is not None:
        topo["sites"] = {sites[k]: site_entry(v) for k, v in topo["sites"].items()}
        topo["links"] = links(topo["links"])
    renamed_vnfs = {}
    for name, vnf in data["vnfs"].items():
        filt = vnf.get("sites")
        if isinstance(filt, list):
            vnf["sites"] = [sites[s] for s in filt]
        elif isinstance(filt, dict):
            vnf["sites"] = {"kind": kinds[filt["kind"]]}
        renamed_vnfs[vnfs[name]] = vnf
    data["vnfs"] = renamed_vnfs
    if data.get("services"):
        out = {}
        for name, svc in data["services"].items():
            svc["chain"] = [vnfs[v] for v in svc["chain"]]
            for demand in svc["demands"]:
                demand["from"] = sites[demand["from"]]
                if "to" in demand:
                    demand["to"] = sites[demand["to"]]
            out[services[name]] = svc
        data["services"] = out
    return new


def reordered(doc: Doc, rnd: random.Random) -> Doc:
    """Every mapping and every order-free list shuffled (chains keep their order).

    FORMAT.md: server numbers count per site and type, so neither the order of sites nor of a
    site's inventory changes a server's id or rack; demand indices change, costs do not.
    """
    new = _copy(doc)

    def mapping(m: dict[str, Any]) -> dict[str, Any]:
        keys = list(m)
        rnd.shuffle(keys)
        return {k: m[k] for k in keys}

    def listed(items: list[Any]) -> list[Any]:
        items = list(items)
        rnd.shuffle(items)
        return items

    data = new.data
    head = {"nfvplan": data.pop("nfvplan")}
    new.data = data = {**head, **mapping(data)}
    data["server_types"] = {k: mapping(v) for k, v in mapping(data["server_types"]).items()}
    sites = {}
    for name, entry in mapping(data["sites"]).items():
        if entry:
            entry = mapping(entry)
            for key in ("servers", "expand"):
                if key in entry:
                    entry[key] = mapping(entry[key])
        sites[name] = entry
    data["sites"] = sites
    if "links" in data:
        data["links"] = [mapping(lk) for lk in listed(data["links"])]
    vnfs = {}
    for name, vnf in mapping(data["vnfs"]).items():
        vnf = mapping(vnf)
        vnf["flavor"] = mapping(vnf["flavor"])
        for key in ("forms", "sites"):
            if isinstance(vnf.get(key), list):
                vnf[key] = listed(vnf[key])
        vnfs[name] = vnf
    data["vnfs"] = vnfs
    if data.get("services"):
        data["services"] = {
            name: {**mapping(svc), "demands": [mapping(d) for d in listed(svc["demands"])]}
            for name, svc in mapping(data["services"]).items()
        }
    if new.topology is not None:
        new.topology["sites"] = mapping(new.topology["sites"])
        new.topology["links"] = listed(new.topology["links"])
    return new


def with_unused_type(doc: Doc) -> Doc:
    """A large, free server type that no site installs or may buy."""
    new = _copy(doc)
    new.data["server_types"]["spare-hw"] = {
        "cores": 64,
        "threads_per_core": 2,
        "memory_gib": 1024,
        "disk_gib": 8000,
        "nic_gbps": 400,
        "sriov_vfs": 128,
        "numa_nodes": 1,
        "monthly_cost": 0,
    }
    return new


def with_more_capacity(doc: Doc, rnd: random.Random) -> Doc:
    """One more installed server of a type somewhere, or more memory in a server type."""
    new = _copy(doc)
    data = new.data
    if rnd.random() < 0.5:
        name = rnd.choice(sorted(data["server_types"]))
        data["server_types"][name]["memory_gib"] *= 2
        new.notes.append(f"doubled the memory of {name}")
        return new
    site = rnd.choice(sorted(data["sites"]))
    tname = rnd.choice(sorted(data["server_types"]))
    entry = data["sites"][site] or {}
    servers = dict(entry.get("servers") or {})
    servers[tname] = servers.get(tname, 0) + 1
    data["sites"][site] = {**entry, "servers": servers}
    new.notes.append(f"one more installed {tname} at {site}")
    return new


def with_tighter_latency(doc: Doc, rnd: random.Random) -> Doc:
    """One demand's latency budget halved, or a budget set where there was none."""
    new = _copy(doc)
    demands = [d for svc in (new.data.get("services") or {}).values() for d in svc["demands"]]
    if not demands:
        return new
    demand = rnd.choice(demands)
    if "max_latency_ms" in demand:
        demand["max_latency_ms"] = demand["max_latency_ms"] / 2
    else:
        demand["max_latency_ms"] = rnd.choice([1, 3, 10])
    new.notes.append(f"tightened the budget of {demand}")
    return new
