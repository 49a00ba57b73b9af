"""An operator's own network files as nfvplan topologies: GML, GraphML, SNDlib, CSV of links.

Beside `topohub_import` (bundled public networks), and sharing its rules: coordinates give
great-circle lengths (latency then follows at 0.005 ms/km in the loader), pixel coordinates
are refused (`topohub_import._check_geographic`), parallel links are merged with their
capacities added, site names are made YAML-safe (`site_name`).

Capacities come from the file where it has them (Topology Zoo `LinkSpeedRaw` in bit/s,
SNDlib pre-installed or module capacities, a CSV `gbps` column), otherwise from `gbps`.
A file without coordinates needs a uniform `latency_ms`. A link that has neither capacity
nor a `gbps`, or neither length nor latency, is an InputError (nothing written).

SNDlib gives no physical unit for capacities and demands; `sndlib_unit_gbps` says what one
unit is (default 0.001: Mbit/s, what the SNDlib networks' module sizes suggest). SNDlib
demands become `demands` entries for a `services:` section.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nfvplan.errors import InputError
from nfvplan.importers.xmlsafe import Element, parse_xml
from nfvplan.io.yamlsrc import read_capped
from nfvplan.topohub_import import (
    MIN_LENGTH_KM,
    TOPOLOGY_VERSION,
    _check_geographic,
    _number,
    great_circle_km,
    site_name,
)
from nfvplan.wording import count

FORMATS = ("gml", "graphml", "sndlib", "sndlib-xml", "csv")


@dataclass
class RawNode:
    """A node as read: its id in the file, a label, coordinates if any, the line."""

    key: str
    label: str
    lon: float | None = None
    lat: float | None = None
    line: int | None = None


@dataclass
class RawLink:
    """A link as read; `gbps`, `km` and `ms` are None when the file does not say."""

    a: str
    b: str
    gbps: float | None = None
    km: float | None = None
    ms: float | None = None
    line: int | None = None


@dataclass
class RawNetwork:
    """Everything read from one network file."""

    name: str
    nodes: list[RawNode] = field(default_factory=list)
    links: list[RawLink] = field(default_factory=list)
    demands: list[tuple[str, str, float, int | None]] = field(default_factory=list)
    pixel: bool = False


def detect_format(path: Path, data: bytes) -> str:
    """The file's format from its suffix and first bytes."""
    suffix = path.suffix.lower()
    head = data.lstrip()[:2000].decode("utf-8", errors="replace")
    if suffix == ".gml" or re.match(r"(?s)^\s*(#.*?\n\s*)*(Creator|graph)\b", head):
        return "gml"
    if suffix == ".graphml" or "<graphml" in head:
        return "graphml"
    if suffix == ".csv":
        return "csv"
    if head.startswith("<") and "<network" in head:
        return "sndlib-xml"
    if "NODES (" in head or "NODES(" in head or re.search(r"(?m)^\s*NODES\s*\(", head):
        return "sndlib"
    raise InputError.single(
        str(path),
        "not a network file nfvplan reads: expected GML (graph [ ... ]), GraphML (<graphml>), "
        "SNDlib native (NODES ( ... )) or XML (<network>), or a .csv of links",
        line=1,
    )


def read_network(path: Path, *, sndlib_unit_gbps: float = 0.001) -> RawNetwork:
    """Parse `path` in whichever supported format it is."""
    data = read_capped(path)
    fmt = detect_format(path, data)
    name = str(path)
    if fmt == "gml":
        return _gml(data.decode("utf-8", errors="replace"), name, path.stem)
    if fmt == "graphml":
        return _graphml(parse_xml(data, name), name, path.stem)
    if fmt == "sndlib-xml":
        return _sndlib_xml(parse_xml(data, name), name, path.stem, sndlib_unit_gbps)
    if fmt == "sndlib":
        return _sndlib_native(
            data.decode("utf-8", errors="replace"), name, path.stem, sndlib_unit_gbps
        )
    return _csv(data.decode("utf-8", errors="replace"), name, path.stem)


# --- GML (Topology Zoo) ---------------------------------------------------------------------

_GML_TOKEN = re.compile(r'\s*(?:(\[)|(\])|"([^"]*)"|([^\s\[\]"]+))')


def _gml(text: str, file: str, stem: str) -> RawNetwork:
    """Topology Zoo GML: `node [ id 0 label "X" Longitude 1.2 Latitude 3.4 ]`, `edge [ source
    0 target 1 LinkSpeedRaw 1e10 ]`. A tolerant reader: unknown keys are skipped, keys may
    repeat (networkx's reader refuses several Zoo files for that)."""
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    tokens: list[tuple[str, Any, int]] = []
    pos = 0
    while pos < len(text):
        match = _GML_TOKEN.match(text, pos)
        if not match or match.end() == pos:
            break
        token_start = match.end() - len(match.group(0).lstrip())
        line = text.count("\n", 0, token_start) + 1
        if match.group(1):
            tokens.append(("[", None, line))
        elif match.group(2):
            tokens.append(("]", None, line))
        elif match.group(3) is not None:
            tokens.append(("s", match.group(3), line))
        else:
            tokens.append(("w", match.group(4), line))
        pos = match.end()

    def block(index: int) -> tuple[list[tuple[str, Any, int]], int]:
        out: list[tuple[str, Any, int]] = []
        depth = 0
        while index < len(tokens):
            kind, value, line = tokens[index]
            if kind == "[":
                depth += 1
            elif kind == "]":
                if depth == 0:
                    return out, index + 1
                depth -= 1
            elif depth == 0:
                out.append((kind, value, line))
            index += 1
        raise InputError.single(file, "GML: a '[' is never closed", line=tokens[-1][2])

    graph_at = next((i for i, t in enumerate(tokens) if t[1] == "graph"), None)
    if graph_at is None or graph_at + 1 >= len(tokens) or tokens[graph_at + 1][0] != "[":
        raise InputError.single(file, "GML: no 'graph [' found", line=1)
    network = RawNetwork(stem)
    index = graph_at + 2
    while index < len(tokens):
        kind, value, line = tokens[index]
        if kind == "]":
            break
        if (
            kind == "w"
            and value in ("node", "edge")
            and index + 1 < len(tokens)
            and tokens[index + 1][0] == "["
        ):
            pairs, index = block(index + 2)
            attrs: dict[str, str] = {}
            for k in range(0, len(pairs) - 1, 2):
                attrs.setdefault(pairs[k][1], pairs[k + 1][1])
            if value == "node":
                network.nodes.append(
                    RawNode(
                        attrs.get("id", str(len(network.nodes))),
                        attrs.get("label", ""),
                        _float(attrs.get("Longitude"), file, line),
                        _float(attrs.get("Latitude"), file, line),
                        line,
                    )
                )
            else:
                speed = _float(attrs.get("LinkSpeedRaw"), file, line)
                network.links.append(
                    RawLink(
                        attrs.get("source", "?"),
                        attrs.get("target", "?"),
                        speed / 1e9 if speed else None,
                        line=line,
                    )
                )
            continue
        if kind == "w" and index + 1 < len(tokens) and tokens[index + 1][0] == "[":
            _, index = block(index + 2)
            continue
        if kind == "w" and value == "label" and index + 1 < len(tokens):
            network.name = str(tokens[index + 1][1])
        index += 1
    return network


def _float(value: str | None, file: str, line: int | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise InputError.single(file, f"expected a number, got {value!r}", line=line) from None


# --- GraphML (Topology Zoo and others) ------------------------------------------------------


def _graphml(root: Element, file: str, stem: str) -> RawNetwork:
    keys = {
        k.attrs.get("id", ""): (
            k.attrs.get("attr.name") or k.attrs.get("id", ""),
            k.attrs.get("for", ""),
        )
        for k in root.findall("key")
    }
    graph = root.find("graph")
    if graph is None:
        raise InputError.single(file, "GraphML without a <graph> element", line=root.line)
    network = RawNetwork(stem)

    def data(element: Element) -> dict[str, str]:
        return {
            keys.get(d.attrs.get("key", ""), (d.attrs.get("key", ""), ""))[
                0
            ].lower(): d.text.strip()
            for d in element.findall("data")
        }

    label = data(graph).get("label") or data(graph).get("network")
    if label:
        network.name = label
    for node in graph.findall("node"):
        attrs = data(node)
        network.nodes.append(
            RawNode(
                node.attrs.get("id", ""),
                attrs.get("label", ""),
                _float(
                    attrs.get("longitude") or attrs.get("lon") or attrs.get("x"), file, node.line
                ),
                _float(
                    attrs.get("latitude") or attrs.get("lat") or attrs.get("y"), file, node.line
                ),
                node.line,
            )
        )
    for edge in graph.findall("edge"):
        attrs = data(edge)
        speed = _float(attrs.get("linkspeedraw"), file, edge.line)
        gbps = (
            speed / 1e9
            if speed
            else _float(attrs.get("gbps") or attrs.get("capacity"), file, edge.line)
        )
        network.links.append(
            RawLink(
                edge.attrs.get("source", "?"),
                edge.attrs.get("target", "?"),
                gbps,
                _float(attrs.get("length_km"), file, edge.line),
                _float(attrs.get("latency_ms"), file, edge.line),
                edge.line,
            )
        )
    return network


# --- SNDlib ---------------------------------------------------------------------------------


def _sndlib_native(text: str, file: str, stem: str, unit: float) -> RawNetwork:
    """SNDlib native format: `NODES ( N1 ( lon lat ) ... )`, `LINKS ( L1 ( N1 N2 ) pre_cap
    pre_cost routing_cost setup_cost ( cap cost ... ) ... )`, `DEMANDS ( D1 ( N1 N2 ) unit
    value max_path ... )`."""
    network = RawNetwork(stem)
    lines = text.splitlines()
    section = None
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        head = re.match(r"^([A-Z_]+)\s*\($", line)
        if head:
            section = head.group(1)
            continue
        if line == ")":
            section = None
            continue
        if section == "META":
            if line.startswith("granularity") and "pixel" in line:
                network.pixel = True
            continue
        parts = re.findall(r"[^\s()]+|\(|\)", line)
        words = [p for p in parts if p not in "()"]
        try:
            if section == "NODES" and len(words) >= 3:
                network.nodes.append(
                    RawNode(words[0], words[0], float(words[1]), float(words[2]), number)
                )
            elif section == "LINKS" and len(words) >= 3:
                pre = float(words[3]) if len(words) > 3 else 0.0
                modules = [float(w) for w in words[7::2]] if len(words) > 7 else []
                capacity = pre or (max(modules) if modules else 0.0)
                network.links.append(
                    RawLink(words[1], words[2], capacity * unit if capacity else None, line=number)
                )
            elif section == "DEMANDS" and len(words) >= 5:
                network.demands.append((words[1], words[2], float(words[4]) * unit, number))
        except ValueError:
            raise InputError.single(
                file, f"SNDlib {section}: expected numbers in {line!r}", line=number
            ) from None
    return network


def _sndlib_xml(root: Element, file: str, stem: str, unit: float) -> RawNetwork:
    network = RawNetwork(stem)
    structure = root.find("networkStructure")
    nodes = structure.find("nodes") if structure is not None else None
    if nodes is None:
        raise InputError.single(file, "SNDlib XML without networkStructure/nodes", line=root.line)
    network.pixel = nodes.attrs.get("coordinatesType", "geographical") == "pixel"
    for node in nodes.findall("node"):
        coords = node.find("coordinates")
        lon = coords.child_text("x") if coords is not None else None
        lat = coords.child_text("y") if coords is not None else None
        network.nodes.append(
            RawNode(
                node.attrs.get("id", ""),
                node.attrs.get("id", ""),
                _float(lon, file, node.line),
                _float(lat, file, node.line),
                node.line,
            )
        )
    links = structure.find("links") if structure is not None else None
    for link in links.findall("link") if links is not None else []:
        capacity = 0.0
        for module in link.findall("preInstalledModule"):
            capacity += _float(module.child_text("capacity"), file, module.line) or 0.0
        if not capacity:
            extra = link.find("additionalModules")
            caps = [
                _float(m.child_text("capacity"), file, m.line) or 0.0
                for m in (extra.findall("addModule") if extra is not None else [])
            ]
            capacity = max(caps, default=0.0)
        network.links.append(
            RawLink(
                link.child_text("source") or "?",
                link.child_text("target") or "?",
                capacity * unit if capacity else None,
                line=link.line,
            )
        )
    demands = root.find("demands")
    for demand in demands.findall("demand") if demands is not None else []:
        value = _float(demand.child_text("demandValue"), file, demand.line) or 0.0
        network.demands.append(
            (
                demand.child_text("source") or "?",
                demand.child_text("target") or "?",
                value * unit,
                demand.line,
            )
        )
    return network


# --- CSV of links ---------------------------------------------------------------------------

_CSV_ENDS = (("a", "b"), ("from", "to"), ("source", "target"), ("site_a", "site_b"))


def _csv(text: str, file: str, stem: str) -> RawNetwork:
    """A CSV with a header: two end columns (a,b / from,to / source,target), optional gbps,
    length_km, latency_ms."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    ends = next((pair for pair in _CSV_ENDS if set(pair) <= set(header)), None)
    if ends is None:
        raise InputError.single(
            file,
            "CSV of links needs a header with two end columns (a,b "
            f"or from,to or source,target); found: {', '.join(header)}",
            line=1,
        )
    network = RawNetwork(stem)
    seen: dict[str, None] = {}
    for number, row in enumerate(reader, 2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        a, b = row.get(ends[0], ""), row.get(ends[1], "")
        if not a or not b:
            raise InputError.single(
                file, f"link without both ends ({ends[0]}, {ends[1]})", line=number
            )
        seen.setdefault(a)
        seen.setdefault(b)
        network.links.append(
            RawLink(
                a,
                b,
                _float(row.get("gbps"), file, number),
                _float(row.get("length_km"), file, number),
                _float(row.get("latency_ms"), file, number),
                number,
            )
        )
    network.nodes = [RawNode(n, n) for n in seen]
    return network


# --- building the topology document ---------------------------------------------------------


def build_topology(
    network: RawNetwork,
    file: str,
    *,
    gbps: float | None,
    latency_ms: float | None,
    kind: str = "core",
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The topology document and the demands (`from`, `to`, `gbps`), or InputError."""
    if not network.nodes:
        raise InputError.single(file, "the network has no nodes")
    located = [n for n in network.nodes if n.lon is not None and n.lat is not None]
    has_coords = bool(located)
    if network.pixel:
        raise InputError.single(
            file,
            "the network is drawn in pixel coordinates, not "
            "latitude/longitude: link lengths would be meaningless",
        )
    if has_coords:
        try:
            _check_geographic(Path(file).name, [(n.lon, n.lat) for n in located])  # type: ignore[misc]
        except ValueError as exc:
            message = str(exc).replace("topohub network ", "network ").split(". Pick", 1)[0]
            raise InputError.single(file, message) from None
    names: dict[str, str] = {}
    used: set[str] = set()
    sites: dict[str, dict[str, Any]] = {}
    for node in network.nodes:
        base = site_name(node.label or node.key, f"n{node.key}")
        unique, n = base, 2
        while unique in used:
            unique, n = f"{base}-{n}", n + 1
        used.add(unique)
        names[node.key] = unique
        site: dict[str, Any] = {"kind": kind}
        if node.lon is not None and node.lat is not None:
            site.update(lat=round(node.lat, 4), lon=round(node.lon, 4))
        sites[unique] = site
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for link in network.links:
        if link.a not in names or link.b not in names:
            missing = link.a if link.a not in names else link.b
            raise InputError.single(file, f"link end {missing!r} is not a node", line=link.line)
        a, b = names[link.a], names[link.b]
        if a == b:
            continue
        capacity = link.gbps if link.gbps else gbps
        if not capacity:
            raise InputError.single(
                file,
                f"link {a} - {b} has no capacity in the file; give --gbps for links without one",
                line=link.line,
            )
        pair = (a, b) if (b, a) not in merged else (b, a)
        entry = merged.get(pair)
        if entry is not None:
            entry["gbps"] = _number(entry["gbps"] + capacity)
            continue
        out: dict[str, Any] = {"between": [a, b], "gbps": _number(round(capacity, 6))}
        if link.ms is not None:
            out["latency_ms"] = _number(link.ms)
        elif link.km is not None:
            out["length_km"] = max(_number(link.km), MIN_LENGTH_KM)
        elif "lat" in sites[a] and "lat" in sites[b]:
            sa, sb = sites[a], sites[b]
            km = round(great_circle_km(sa["lat"], sa["lon"], sb["lat"], sb["lon"]), 1)
            out["length_km"] = max(km, MIN_LENGTH_KM)
        elif latency_ms is not None:
            out["latency_ms"] = _number(latency_ms)
        else:
            unplaced = [x for x in (a, b) if "lat" not in sites[x]]
            raise InputError.single(
                file,
                f"link {a} - {b}: the file gives no coordinates for {', '.join(unplaced)} and "
                "no length or latency for the link; give --latency-ms for a uniform latency",
                line=link.line,
            )
        merged[pair] = out
    if not merged:
        raise InputError.single(file, "the network has no links between distinct nodes")
    demands = [
        {"from": names[s], "to": names[t], "gbps": _number(round(v, 6))}
        for s, t, v, _line in network.demands
        if s in names and t in names and v > 0 and names[s] != names[t]
    ]
    doc = {
        "nfvplan-topology": TOPOLOGY_VERSION,
        "name": site_name(network.name, "topology").lower(),
        "description": f"{network.name}: {len(sites)} sites, {len(merged)} links",
        "source": f"imported from {Path(file).name}",
        "capacity_note": _capacity_note(network, gbps),
        "sites": sites,
        "links": list(merged.values()),
    }
    return doc, demands


def _capacity_note(network: RawNetwork, gbps: float | None) -> str:
    known = sum(1 for link in network.links if link.gbps)
    if known == len(network.links):
        return "from the file"
    if known == 0:
        return f"uniform {_number(gbps or 0)} Gbps per link (the file has none)"
    missing = len(network.links) - known
    return f"from the file; {count(missing, 'link')} without one got {_number(gbps or 0)} Gbps"


@dataclass(frozen=True)
class FileImport:
    """What `import_network_file` wrote."""

    sites: int
    links: int
    total_gbps: float
    demands: int
    services_written: bool


def import_network_file(
    path: Path,
    output: Path,
    *,
    gbps: float | None,
    latency_ms: float | None,
    kind: str = "core",
    services: Path | None = None,
    chain: list[str] | None = None,
    sndlib_unit_gbps: float = 0.001,
) -> FileImport:
    """Read `path`, validate the topology with nfvplan's own loader, write it (and the
    demands as a `services:` section when `services` is given) atomically."""
    from nfvplan.topohub_import import render_topology
    from nfvplan.topology_view import parse_topology, write_atomic

    if gbps is not None and not gbps > 0:
        raise InputError.single("--gbps", f"must be > 0, got {gbps}")
    if latency_ms is not None and not latency_ms >= 0:
        raise InputError.single("--latency-ms", f"must be >= 0, got {latency_ms}")
    if services is not None and not chain:
        raise InputError.single(
            "--services", "needs --chain VNF[,VNF...]: the VNFs the demands pass through"
        )
    network = read_network(path, sndlib_unit_gbps=sndlib_unit_gbps)
    doc, demands = build_topology(network, str(path), gbps=gbps, latency_ms=latency_ms, kind=kind)
    header = f"Imported with: nfvplan topology import {path}"
    if gbps is not None:
        header += f" --gbps {_number(gbps)}"
    if latency_ms is not None:
        header += f" --latency-ms {_number(latency_ms)}"
        header += "\nLinks without coordinates or length use that uniform latency."
    text = render_topology(doc, header=header)
    parse_topology(text, f"<import of {path}>")
    service_text = None
    if services is not None:
        if not demands:
            raise InputError.single(str(path), "the file has no demands to write as services")
        service_text = _services_text(doc["name"], chain or [], demands, path)
    write_atomic(output, text.encode("utf-8"))
    if service_text is not None and services is not None:
        write_atomic(services, service_text.encode("utf-8"))
    return FileImport(
        len(doc["sites"]),
        len(doc["links"]),
        sum(link["gbps"] for link in doc["links"]),
        len(demands),
        service_text is not None,
    )


def _services_text(name: str, chain: list[str], demands: list[dict[str, Any]], path: Path) -> str:
    import yaml

    lines = [
        f"# Demands of {path.name}, through the chain given with --chain.",
        "# Paste under a scenario whose topology: is the imported file.",
        "services:",
        f"  {name}-demands:",
        f"    chain: [{', '.join(chain)}]",
        "    demands:",
    ]
    for demand in demands:
        flow = yaml.safe_dump(demand, default_flow_style=True, sort_keys=False).strip()
        lines.append(f"      - {flow}")
    return "\n".join(lines) + "\n"
