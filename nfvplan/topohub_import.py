"""Turn a real network from the `topohub` package into an nfvplan topology document.

topohub (MIT licence, https://pypi.org/project/topohub/) embeds SNDlib, Internet Topology Zoo,
CAIDA and synthetic backbones as NetworkX node-link JSON, node positions as (longitude, latitude).
It is an optional extra (`pip install nfvplan[import]`) and is imported only when asked for.

topohub carries no link capacities, so the caller states one (`gbps`) and says where it comes
from. Link lengths are great-circle distances between the two sites' coordinates (haversine on a
sphere of radius 6371 km): a lower bound on the real fibre route, which is typically 1.2-1.5x
longer. No `latency_ms` is written, so the loader derives it from `length_km` at 0.005 ms/km.

Some SNDlib networks (atlanta, france, india35, ...) and every Gabriel graph are drawn in pixel
coordinates: their "distances" are meaningless, and importing them is refused.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import unicodedata
from typing import Any

import yaml

EARTH_RADIUS_KM = 6371.0
"""Mean Earth radius used for great-circle lengths."""

TOPOLOGY_VERSION = 1
"""The `nfvplan-topology:` version this module writes."""

MIN_LENGTH_KM = 1.0
"""Length given to a link between co-located sites (two PoPs in one city share coordinates in
some data sets): the loader requires `length_km > 0`, and 1 km stands for an in-city link."""

_ORIGINS = {
    "sndlib": "SNDlib (Orlowski, Wessaely, Pioro, Tomaszewski: SNDlib 1.0 - Survivable Network "
    "Design Library, Networks 55(3), 2010)",
    "topozoo": "the Internet Topology Zoo (Knight, Nguyen, Falkner, Bowden, Roughan: The Internet "
    "Topology Zoo, IEEE JSAC 29(9), 2011)",
    "backbone": "topohub's synthetic backbone topologies",
    "caida": "CAIDA (the Center for Applied Internet Data Analysis)",
    "gabriel": "topohub's synthetic Gabriel graphs",
}

_PLANAR_GROUPS = frozenset({"gabriel"})
"""topohub groups drawn on a plane, never on the globe."""


def _topohub() -> Any:
    """The topohub module, or a clear error saying how to install it."""
    try:
        import topohub
    except ImportError as err:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "importing a real topology needs the optional 'topohub' package: "
            "pip install 'nfvplan[import]' (or: pip install topohub)"
        ) from err
    return topohub


@functools.lru_cache(maxsize=1)
def _all_keys() -> tuple[str, ...]:
    """Every topohub key, listed once per process."""
    return tuple(_list_keys())


def available_networks() -> list[str]:
    """Every topohub key (`group/name`), sorted; e.g. `sndlib/abilene`, `topozoo/Bics`."""
    return list(_all_keys())


def _list_keys() -> list[str]:
    """Walk topohub's embedded data folder for its JSON files."""
    import importlib.resources

    topohub = _topohub()
    root = importlib.resources.files(topohub) / "data"
    keys: list[str] = []

    def walk(node: Any, prefix: str) -> None:
        for child in node.iterdir():
            if child.is_dir():
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".json"):
                keys.append(prefix + child.name[: -len(".json")])

    walk(root, "")
    return sorted(keys)


def _resolve(name: str) -> str:
    """The exact topohub key for `name` (case-insensitive), or ValueError naming close matches."""
    keys = available_networks()
    if name in keys:
        return name
    by_lower = {k.lower(): k for k in keys}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    # A bare network name ("abilene") is fine when exactly one group has it.
    bare = [k for k in keys if k.lower().rsplit("/", 1)[-1] == name.lower()]
    if len(bare) == 1:
        return bare[0]
    if len(bare) > 1:
        raise ValueError(
            f"topology name '{name}' is ambiguous: say which one of " + ", ".join(bare)
        )
    wanted = name.lower()
    short = wanted.rsplit("/", 1)[-1]
    suggestions: list[str] = []
    for lowered in difflib.get_close_matches(wanted, list(by_lower), n=5, cutoff=0.6):
        suggestions.append(by_lower[lowered])
    shorts = {k.lower().rsplit("/", 1)[-1] for k in keys}
    close_shorts = set(difflib.get_close_matches(short, list(shorts), n=5, cutoff=0.6))
    suggestions += [
        k for k in keys if k.lower().rsplit("/", 1)[-1] in close_shorts and k not in suggestions
    ]
    hint = (
        "did you mean: " + ", ".join(suggestions[:6])
        if suggestions
        else "names look like sndlib/abilene, sndlib/nobel-eu, topozoo/Bics"
    )
    raise ValueError(f"unknown topohub network '{name}' ({hint})")


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _check_geographic(key: str, positions: list[tuple[float, float]]) -> None:
    """Refuse networks whose node positions are not (longitude, latitude) in degrees."""
    group = key.split("/", 1)[0]
    if group in _PLANAR_GROUPS:
        raise ValueError(
            f"topohub network '{key}' is a synthetic planar graph in pixel coordinates, "
            "not latitude/longitude: link lengths would be meaningless"
        )
    lons = [p[0] for p in positions]
    lats = [p[1] for p in positions]
    extent = (
        f"x {min(lons):g}..{max(lons):g}, y {min(lats):g}..{max(lats):g}" if positions else "none"
    )
    out_of_range = any(abs(lat) > 90 for lat in lats) or any(abs(lon) > 180 for lon in lons)
    # Pixel drawings use whole numbers; real degrees essentially never all do.
    all_whole = len(positions) >= 3 and all(
        float(lon).is_integer() and float(lat).is_integer() for lon, lat in positions
    )
    if out_of_range or all_whole:
        reason = (
            "outside the latitude/longitude ranges"
            if out_of_range
            else "all whole numbers, as in a drawing"
        )
        raise ValueError(
            f"topohub network '{key}' is drawn in pixel coordinates, not latitude/longitude "
            f"(positions {reason}: {extent}); link lengths would be meaningless. "
            "Pick a geographic network such as sndlib/abilene, sndlib/nobel-eu, "
            "sndlib/germany50 or topozoo/Bics"
        )


def site_name(raw: str | None, fallback: str) -> str:
    """A site name safe to write unquoted in YAML: ASCII letters, digits, '-' and '_'.

    'Washington, DC' becomes 'Washington-DC', 'Zürich' becomes 'Zurich'.
    """
    text = unicodedata.normalize("NFKD", raw or "").encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9_]+", "-", text).strip("-")
    if not text:
        return fallback
    if not text[0].isalpha():
        text = f"n{text}"
    return text


def import_topohub(
    name: str,
    *,
    gbps: float,
    kind: str = "core",
    capacity_note: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """Build an nfvplan topology document from topohub network `name`.

    `name` is a topohub key such as `sndlib/abilene` or `topozoo/Bics` (case-insensitive; a bare
    `abilene` works when only one group has it). Every link gets capacity `gbps` and every site
    `kind`; `capacity_note` says where that figure comes from (default: "uniform ..."). Parallel
    links between the same two sites are merged into one whose capacity is their sum; self-loops
    are dropped; links between co-located sites get `MIN_LENGTH_KM`. Raises ValueError for
    unknown names (listing close matches), networks in pixel coordinates, and a non-positive
    `gbps`; ImportError when topohub is not installed.
    """
    if not gbps > 0:
        raise ValueError(f"link capacity gbps must be positive, got {gbps}")
    if not kind:
        raise ValueError("site kind must be a non-empty string")
    topohub = _topohub()
    key = _resolve(name)
    try:
        raw = topohub.get(key)
    except (KeyError, OSError) as err:  # pragma: no cover - _resolve found the file
        raise ValueError(f"topohub could not read network '{key}'") from err

    nodes = raw.get("nodes", [])
    missing = [n.get("name", n.get("id")) for n in nodes if not n.get("pos")]
    if missing:
        raise ValueError(f"topohub network '{key}' has nodes without coordinates: {missing[:5]}")
    positions = [(float(n["pos"][0]), float(n["pos"][1])) for n in nodes]
    _check_geographic(key, positions)

    names: dict[Any, str] = {}
    used: set[str] = set()
    sites: dict[str, dict[str, Any]] = {}
    for node, (lon, lat) in zip(nodes, positions, strict=True):
        base = site_name(node.get("name"), f"n{node['id']}")
        unique, n = base, 2
        while unique in used:
            unique, n = f"{base}-{n}", n + 1
        used.add(unique)
        names[node["id"]] = unique
        sites[unique] = {"kind": kind, "lat": round(lat, 4), "lon": round(lon, 4)}

    merged: dict[tuple[str, str], int] = {}
    for edge in raw.get("edges", []):
        a, b = names[edge["source"]], names[edge["target"]]
        if a == b:
            continue
        pair = (a, b) if (a, b) not in merged and (b, a) not in merged else None
        if pair is None:
            pair = (a, b) if (a, b) in merged else (b, a)
        merged[pair] = merged.get(pair, 0) + 1

    links: list[dict[str, Any]] = []
    for (a, b), count in merged.items():
        sa, sb = sites[a], sites[b]
        length = round(great_circle_km(sa["lat"], sa["lon"], sb["lat"], sb["lon"]), 1)
        links.append(
            {
                "between": [a, b],
                "gbps": _number(gbps * count),
                "length_km": max(length, MIN_LENGTH_KM),
            }
        )

    group, _, short = key.partition("/")
    origin = _ORIGINS.get(group, f"topohub group '{group}'")
    version = getattr(topohub, "__version__", "?")
    return {
        "nfvplan-topology": TOPOLOGY_VERSION,
        "name": site_name(short.replace("/", "-"), "topology").lower(),
        "description": description or f"{short} ({group}): {len(sites)} sites, {len(links)} links",
        "source": f"topohub {version} network '{key}' (MIT licence); original data from {origin}",
        "capacity_note": capacity_note
        or f"uniform {_number(gbps)} Gbps per link (topohub carries no link capacities)",
        "sites": sites,
        "links": links,
    }


def _number(value: float) -> float | int:
    """`value` as an int when it is whole, so YAML shows 10 rather than 10.0."""
    return int(value) if float(value).is_integer() else float(value)


def render_topology(
    doc: dict[str, Any],
    header: str | None = None,
    generator: str = "nfvplan topology import",
) -> str:
    """YAML text of a topology document, opening with a comment that says where it came from.

    `header` (several lines allowed) is added to the comment, and `generator` names what made the
    file; sites and links are written one per line in flow style so 50 sites stay readable.
    """
    lines = [f"# {doc.get('description', doc.get('name', 'topology'))}"]
    if doc.get("source"):
        lines.append(f"# Source: {doc['source']}.")
    if doc.get("capacity_note"):
        lines.append(f"# Link capacities: {doc['capacity_note']}.")
    lines.append(
        "# Link lengths: great-circle distance between the sites' coordinates, in km "
        "(a lower bound on the fibre route);"
    )
    lines.append("# no latency_ms is given, so the loader derives length_km * 0.005 ms (fibre).")
    if header:
        lines += [f"# {line}".rstrip() for line in header.strip("\n").splitlines()]
    lines.append(f"# Generated by {generator} (nfvplan.topohub_import).")
    out = [*lines, ""]
    for key in ("nfvplan-topology", "name", "description", "source", "capacity_note"):
        if key in doc:
            out.append(_dump_line({key: doc[key]}))
    out.append("sites:")
    for site, attrs in doc["sites"].items():
        out.append(f"  {_dump_flow(site)}: {_dump_flow(attrs)}")
    out.append("links:")
    for link in doc["links"]:
        out.append(f"  - {_dump_flow(link)}")
    return "\n".join(out) + "\n"


def _dump_line(mapping: dict[str, Any]) -> str:
    """One `key: value` line in block style, never wrapped."""
    return yaml.safe_dump(mapping, sort_keys=False, width=10_000, allow_unicode=False).rstrip()


def _dump_flow(value: Any) -> str:
    """`value` in YAML flow style on one line."""
    text = yaml.safe_dump(
        value, default_flow_style=True, sort_keys=False, width=10_000, allow_unicode=False
    ).strip()
    if text.endswith("\n...") or text.endswith("..."):
        text = text[: text.rfind("...")].strip()
    return text
