"""Regenerate the committed files in topologies/ (run from the repository root).

    pip install 'nfvplan[import]'      # brings topohub
    python scripts/make_topologies.py  # rewrites topologies/*.yaml

The real backbones come from topohub through `nfvplan.topohub_import`; metro-ring is synthetic and
built here from a fixed site plan, so every file is reproducible byte for byte.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from nfvplan.topohub_import import great_circle_km, import_topohub, render_topology

GENERATOR = "scripts/make_topologies.py; do not edit"

OUT = Path(__file__).resolve().parent.parent / "topologies"

REAL = [
    # file stem, topohub key, Gbps per link, description, where the capacity comes from
    (
        "abilene",
        "sndlib/abilene",
        10,
        "Abilene (Internet2) research backbone, USA, c. 2004: 12 router sites, 15 links",
        "10 Gbps per link: Abilene's backbone ran on OC-192c (about 10 Gbps) circuits after its "
        "2003 upgrade (Internet2 published figure); ATLAM5-ATLAng is the Atlanta access spur, "
        "given the same figure",
    ),
    (
        "nobel-eu",
        "sndlib/nobel-eu",
        100,
        "NOBEL-EU pan-European reference network (IST NOBEL project, via SNDlib): "
        "28 cities, 41 links",
        "uniform 100 Gbps per link, i.e. one 100G DWDM wavelength per city pair; a typical "
        "figure for a European backbone, an estimate (the data set has no speeds)",
    ),
    (
        "germany50",
        "sndlib/germany50",
        100,
        "germany50 national reference network of Germany (SNDlib): 50 cities, 88 links",
        "uniform 100 Gbps per link (one 100G wavelength); an estimate, the data set as topohub "
        "ships it has no speeds",
    ),
    (
        "bics",
        "topozoo/Bics",
        100,
        "BICS (Belgacom International Carrier Services) European backbone, from the Internet "
        "Topology Zoo: 33 PoPs, 48 links (the project's 30-site real topology)",
        "uniform 100 Gbps per link; an estimate for a carrier backbone, topohub carries no "
        "link speeds",
    ),
]

LICENCE_NOTE = (
    "Licence: topohub is MIT-licensed and states no separate terms for the data it embeds;\n"
    "cite the original data set (named in source:) when publishing results, and check its own\n"
    "terms before redistributing it outside this project."
)

# metro-ring: positions in km east/north of a fictional metro centre; the coordinates are
# illustrative, not any real operator's sites.
METRO_CENTRE = (48.0, 10.0)  # lat, lon in degrees
METRO_SITES = {
    "core-1": ("core", -10, 0),
    "core-2": ("core", 10, 0),
    "reg-n": ("regional", 0, 40),
    "reg-e": ("regional", 45, 0),
    "reg-s": ("regional", 0, -40),
    "reg-w": ("regional", -45, 0),
    "edge-n1": ("edge", -18, 68),
    "edge-n2": ("edge", 20, 66),
    "edge-n3": ("edge", 0, 76),
    "edge-e1": ("edge", 72, 18),
    "edge-e2": ("edge", 74, -16),
    "edge-s1": ("edge", -20, -66),
    "edge-s2": ("edge", 18, -68),
    "edge-s3": ("edge", 0, -76),
    "edge-w1": ("edge", -72, 16),
    "edge-w2": ("edge", -74, -18),
}
METRO_GBPS = {"core": 400, "regional": 100, "edge": 25}


def metro_links() -> list[tuple[str, str, int]]:
    """Core pair, every regional dual-homed to both cores, the regional ring, edge spurs."""
    links = [("core-1", "core-2", METRO_GBPS["core"])]
    regionals = ["reg-n", "reg-e", "reg-s", "reg-w"]
    for reg in regionals:
        links += [("core-1", reg, METRO_GBPS["regional"]), ("core-2", reg, METRO_GBPS["regional"])]
    for a, b in zip(regionals, regionals[1:] + regionals[:1], strict=True):
        links.append((a, b, METRO_GBPS["regional"]))
    for site, (kind, _, _) in METRO_SITES.items():
        if kind == "edge":
            links.append((f"reg-{site[5]}", site, METRO_GBPS["edge"]))
    return links


def metro_ring() -> dict:
    """The synthetic three-tier metro/edge topology document."""
    lat0, lon0 = METRO_CENTRE
    sites = {}
    for name, (kind, east_km, north_km) in METRO_SITES.items():
        lat = lat0 + north_km / 111.195
        lon = lon0 + east_km / (111.195 * math.cos(math.radians(lat0)))
        sites[name] = {"kind": kind, "lat": round(lat, 4), "lon": round(lon, 4)}
    links = []
    for a, b, gbps in metro_links():
        sa, sb = sites[a], sites[b]
        length = great_circle_km(sa["lat"], sa["lon"], sb["lat"], sb["lon"])
        links.append({"between": [a, b], "gbps": gbps, "length_km": round(length, 1)})
    return {
        "nfvplan-topology": 1,
        "name": "metro-ring",
        "description": "Synthetic metro/edge network: 2 core DCs, 4 regional aggregation sites "
        "in a ring (each dual-homed to both cores), 2-3 edge sites per regional",
        "source": "synthetic, made for nfvplan by scripts/make_topologies.py",
        "capacity_note": "400 Gbps core-core (4x100G), 100 Gbps core-regional and regional "
        "ring, 25 Gbps regional-edge spurs: typical metro aggregation figures",
        "sites": sites,
        "links": links,
    }


def main() -> int:
    """Write every topology file; print what was written."""
    OUT.mkdir(exist_ok=True)
    for stem, key, gbps, description, note in REAL:
        doc = import_topohub(key, gbps=gbps, capacity_note=note, description=description)
        doc["name"] = stem
        (OUT / f"{stem}.yaml").write_text(
            render_topology(doc, header=LICENCE_NOTE, generator=GENERATOR)
        )
        print(f"topologies/{stem}.yaml: {len(doc['sites'])} sites, {len(doc['links'])} links")
    doc = metro_ring()
    header = (
        "Site positions are illustrative (km offsets around a fictional metro centre at\n"
        f"{METRO_CENTRE[0]} N, {METRO_CENTRE[1]} E), not a real operator's; edge-to-regional spurs "
        "are about\n32-36 km, core-to-regional 35-55 km, the regional ring 60 km per hop."
    )
    (OUT / "metro-ring.yaml").write_text(render_topology(doc, header=header, generator=GENERATOR))
    print(f"topologies/metro-ring.yaml: {len(doc['sites'])} sites, {len(doc['links'])} links")
    return 0


if __name__ == "__main__":
    sys.exit(main())
