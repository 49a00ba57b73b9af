"""Topology files: the sites and links of a real network, reusable across scenarios.

A scenario names one with `topology: path`; the files under `topologies/` (converted from
public data sets) use this format too:

    nfvplan-topology: 1
    name: abilene
    description: Abilene research backbone (USA), 2004
    source: topohub (SNDlib abilene), MIT licence
    capacity_note: how link capacities were set
    sites:
      ATLAM5: {kind: core, lat: 33.75, lon: -84.39}   # kind, lat, lon optional
    links:
      - {between: [ATLAM5, HSTNng], gbps: 10, length_km: 1128.4}   # or latency_ms

Link checking lives here because scenario `links:` entries obey exactly the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nfvplan.errors import InputError
from nfvplan.io.yamlsrc import (
    Issues,
    Node,
    YamlPath,
    fields,
    fmt_path,
    items,
    load_yaml_file,
    name_ref,
    names,
    number,
    parse_yaml,
    text,
)
from nfvplan.model import Link

TOPOLOGY_VERSION = 1
"""The `nfvplan-topology:` version this code reads."""

FIBRE_MS_PER_KM = 0.005
"""One-way latency of light in fibre: about 5 µs per km (refractive index ~1.47)."""

LINK_KEYS = ("between", "gbps", "latency_ms", "length_km")
_TOP_KEYS = ("nfvplan-topology", "name", "description", "source", "capacity_note", "sites", "links")
_SITE_KEYS = ("kind", "lat", "lon")


@dataclass(frozen=True)
class TopologySite:
    """A node of the topology; coordinates are only for maps and reports."""

    kind: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Topology:
    """A whole validated topology file."""

    name: str
    description: str
    source: str
    sites: dict[str, TopologySite]
    links: tuple[Link, ...]
    capacity_note: str = ""
    path: str | None = None


def load_topology(path: str | Path, *, regular_only: bool = False) -> Topology:
    """Read and validate the topology file at `path`; raises InputError naming that file.

    `regular_only` refuses devices and pipes: the scenario loader sets it, since a path
    written inside a scenario must not be able to make the run wait on `/dev/stdin`.
    """
    root = load_yaml_file(path, regular_only=regular_only)
    return _build(root, str(path))


def parse_topology(data: str | bytes, filename: str = "<string>") -> Topology:
    """Validate topology text; `filename` is only used in messages."""
    return _build(parse_yaml(data, filename), filename)


def _build(root: Node, filename: str) -> Topology:
    if "nfvplan-topology" not in root.value:
        # One clear line instead of a page of "unknown key" errors; it also keeps a scenario
        # that names some other file (`topology: /etc/passwd`) from echoing its contents.
        raise InputError.single(
            filename, "not an nfvplan topology file: it has no 'nfvplan-topology: 1' line"
        )
    issues = Issues(filename)
    top = fields(issues, root, (), _TOP_KEYS, ("nfvplan-topology", "sites"))
    _check_version(issues, top.get("nfvplan-topology"))
    sites = {
        name: _site(issues, entry.node, ("sites", name))
        for name, entry in names(issues, top.get("sites"), ("sites",), "site").items()
    }
    if "sites" in top and not sites:
        issues.add(top["sites"], ("sites",), "must define at least one site")
    links = parse_links(issues, top.get("links"), ("links",), list(sites))
    topology = Topology(
        name=text(issues, top.get("name"), ("name",), Path(filename).stem),
        description=text(issues, top.get("description"), ("description",)),
        source=text(issues, top.get("source"), ("source",)),
        capacity_note=text(issues, top.get("capacity_note"), ("capacity_note",)),
        sites=sites,
        links=tuple(links),
        path=filename,
    )
    issues.raise_if_any()
    return topology


def _check_version(issues: Issues, node: Node | None) -> None:
    if node is None:
        return
    version = number(issues, node, ("nfvplan-topology",), integer=True, default=-1)
    if version not in (-1, TOPOLOGY_VERSION):
        issues.add(
            node,
            ("nfvplan-topology",),
            f"unsupported topology format version {version}; this nfvplan reads version "
            f"{TOPOLOGY_VERSION}",
        )


def _site(issues: Issues, node: Node, path: YamlPath) -> TopologySite:
    """One site; an empty entry (`NAME:` or `NAME: {}`) is a site with nothing known."""
    if node.is_null:
        return TopologySite()
    entry = fields(issues, node, path, _SITE_KEYS)
    kind = text(issues, entry.get("kind"), (*path, "kind")) if "kind" in entry else None
    lat = lon = None
    if "lat" in entry:
        lat = number(issues, entry["lat"], (*path, "lat"), minimum=-90, maximum=90)
    if "lon" in entry:
        lon = number(issues, entry["lon"], (*path, "lon"), minimum=-180, maximum=180)
    return TopologySite(kind=kind, lat=lat, lon=lon)


def parse_links(
    issues: Issues,
    node: Node | None,
    path: YamlPath,
    sites: Sequence[str],
) -> list[Link]:
    """A `links:` list; refuses a second link for the same pair of sites (in either order).

    Parallel links would silently collapse in the site graph, so the user must merge them
    (add their capacities) themselves.
    """
    links: list[Link] = []
    seen: dict[frozenset[str], int] = {}
    for index, entry in enumerate(items(issues, node, path, "links")):
        link = parse_link(issues, entry, (*path, index), sites)
        if link is None:
            continue
        pair = frozenset((link.a, link.b))
        if pair in seen:
            issues.add(
                entry,
                (*path, index, "between"),
                f"a second link between {link.a} and {link.b} (first is "
                f"{fmt_path((*path, seen[pair]))}); merge them into one link with the summed gbps",
            )
            continue
        seen[pair] = index
        links.append(link)
    return links


def parse_link(issues: Issues, node: Node, path: YamlPath, sites: Sequence[str]) -> Link | None:
    """One link `{between: [a, b], gbps, latency_ms | length_km}`, or None when unusable.

    Without `latency_ms` the latency follows from `length_km` at `FIBRE_MS_PER_KM`.
    """
    before = len(issues.problems)
    entry = fields(issues, node, path, LINK_KEYS, ("between", "gbps"))
    ends = _ends(issues, entry.get("between"), (*path, "between"), sites)
    gbps = number(issues, entry.get("gbps"), (*path, "gbps"), exclusive=True)
    length = None
    if "length_km" in entry:
        length = number(issues, entry["length_km"], (*path, "length_km"), exclusive=True)
    if "latency_ms" in entry:
        latency = number(issues, entry["latency_ms"], (*path, "latency_ms"))
    elif length is not None:
        latency = length * FIBRE_MS_PER_KM
    else:
        latency = 0.0
        if isinstance(node, Node) and node.kind == "map":
            issues.add(
                node,
                path,
                "give latency_ms or length_km (latency is then length_km * "
                f"{FIBRE_MS_PER_KM} ms/km, light in fibre)",
            )
    if ends is None or len(issues.problems) != before:
        return None
    return Link(ends[0], ends[1], gbps, latency, length)


def _ends(
    issues: Issues, node: Node | None, path: YamlPath, sites: Sequence[str]
) -> tuple[str, str] | None:
    """The two distinct, known sites a link joins."""
    if node is None:
        return None
    if node.kind != "seq" or len(node.value) != 2:
        issues.add(node, path, "must be a list of two site names, like [core-1, edge-a]")
        return None
    a = name_ref(issues, node.value[0], (*path, 0), "site", sites)
    b = name_ref(issues, node.value[1], (*path, 1), "site", sites)
    if a is None or b is None:
        return None
    if a == b:
        issues.add(node, path, f"a link must join two different sites, got {a} twice")
        return None
    return a, b


__all__ = [
    "FIBRE_MS_PER_KM",
    "Topology",
    "TopologySite",
    "load_topology",
    "parse_link",
    "parse_links",
    "parse_topology",
]
