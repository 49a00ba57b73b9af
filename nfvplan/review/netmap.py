"""The network map of a plan as inline SVG: sites, links coloured by load, service routes.

Sites sit at their topology coordinates when the scenario's `topology:` file gives them (an
equirectangular projection, stretched by the cosine of the mean latitude so a country keeps
its shape), else at a seeded spring layout (`topology_view.layout`), so the same files always
give the same picture. A site's disc grows with the servers the plan uses there; transit sites
and sites without servers in use are small hollow rings. A link that would pass over a third
site is drawn as a gentle arc so that it stays visible. Routes are drawn per service, hidden
until the service is selected (the page's script toggles `data-service` groups).
"""

from __future__ import annotations

import html
import math
from collections import Counter
from pathlib import Path

from nfvplan.model import Scenario
from nfvplan.plan import Plan
from nfvplan.review.figures import amount, pct
from nfvplan.wording import count

WIDTH, HEIGHT, MARGIN = 960, 560, 60
LEGEND_HEIGHT = 30
LABEL_FONT = 12
LOAD_BANDS = (
    (0.0, "#9aa5b1", "no load"),
    (0.5, "#2e9d4f", "up to 50%"),
    (0.8, "#d99a00", "50-80%"),
    (math.inf, "#d7301f", "over 80%"),
)
"""Link colour by utilisation: (upper bound, colour, legend text); 0 exactly is `no load`."""
ROUTE_COLOURS = ("#6a3d9a", "#1f78b4", "#e7298a", "#b15928", "#01665e", "#8c510a")


def load_colour(share: float) -> str:
    """The colour of a link carrying `share` of its capacity."""
    if share <= 0:
        return LOAD_BANDS[0][1]
    return next(colour for bound, colour, _ in LOAD_BANDS[1:] if share <= bound)


def site_coordinates(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """(lat, lon) of the sites the scenario's topology file places; empty without one.

    The scenario model keeps no coordinates (only maps need them), so the `topology:` entry of
    the scenario file is read again here; an unreadable file only means no coordinates.
    """
    if not scenario.source:
        return {}
    import yaml

    from nfvplan.errors import InputError
    from nfvplan.io import load_topology

    path = Path(scenario.source)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        relative = document.get("topology") if isinstance(document, dict) else None
        if not isinstance(relative, str):
            return {}
        topology = load_topology(path.parent / relative, regular_only=True)
    except (OSError, yaml.YAMLError, InputError):
        return {}
    return {
        name: (site.lat, site.lon)
        for name, site in topology.sites.items()
        if site.lat is not None and site.lon is not None
    }


def positions(scenario: Scenario) -> tuple[dict[str, tuple[float, float]], bool]:
    """Drawing positions (x right, y up) of every site, and whether they are geographic."""
    from nfvplan.io import Topology, TopologySite
    from nfvplan.topology_view import layout

    known = site_coordinates(scenario)
    topology = Topology(
        name=scenario.name,
        description="",
        source="",
        sites={
            name: TopologySite(site.kind, *known.get(name, (None, None)))
            for name, site in scenario.sites.items()
        },
        links=scenario.links,
    )
    return layout(topology)


def to_pixels(
    points: dict[str, tuple[float, float]], geographic: bool
) -> dict[str, tuple[float, float]]:
    """Drawing positions into the SVG's pixel box (y down), centred, aspect ratio kept.

    Geographic positions are (lon, lat): longitudes shrink by the cosine of the mean latitude.
    Room is left on every side for labels and on the left for the legend.
    """
    stretch = 1.0
    if geographic and points:
        mean_lat = sum(y for _x, y in points.values()) / len(points)
        stretch = max(math.cos(math.radians(mean_lat)), 0.1)
    flat = {name: (x * stretch, y) for name, (x, y) in points.items()}
    xs = [x for x, _y in flat.values()] or [0.0]
    ys = [y for _x, y in flat.values()] or [0.0]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    inner_w, inner_h = WIDTH - 2 * MARGIN - 60, HEIGHT - 2 * MARGIN
    scale = min(inner_w / span_x if span_x else math.inf, inner_h / span_y if span_y else math.inf)
    scale = 1.0 if math.isinf(scale) else scale
    dx = (WIDTH - span_x * scale) / 2
    dy = (HEIGHT - span_y * scale) / 2
    return {
        name: (round(dx + (x - min(xs)) * scale, 1), round(dy + (max(ys) - y) * scale, 1))
        for name, (x, y) in flat.items()
    }


def link_path(a, b, others) -> str:
    """A straight SVG path from a to b, or a gentle arc when it would run over a third site
    (the rule of `topology_view.link_curve`, at a tolerance of 9 pixels)."""
    from nfvplan.topology_view import runs_over

    if not any(runs_over(p, a, b, 9.0) for p in others):
        return f"M{a[0]},{a[1]} L{b[0]},{b[1]}"
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    dx, dy = b[0] - a[0], b[1] - a[1]
    norm = math.hypot(dx, dy) or 1.0
    bend = 0.22 * norm
    cx, cy = round(mx - dy / norm * bend, 1), round(my + dx / norm * bend, 1)
    return f"M{a[0]},{a[1]} Q{cx},{cy} {b[0]},{b[1]}"


LABEL_SPOTS = (
    "right",
    "left",
    "above",
    "below",
    "above-right",
    "below-right",
    "above-left",
    "below-left",
)
"""Where a label may sit around its disc, in order of preference."""


def _label_box(x, y, r, text, where):
    """The label's box (x, y, w, h) and its text anchor (x, baseline y, text-anchor)."""
    w, h = 0.6 * LABEL_FONT * len(text), LABEL_FONT
    d = r * 0.75
    if where == "right":
        return (x + r + 3, y - h / 2, w, h), (x + r + 3, y + h / 3, "start")
    if where == "left":
        return (x - r - 3 - w, y - h / 2, w, h), (x - r - 3, y + h / 3, "end")
    if where == "above":
        return (x - w / 2, y - r - 3 - h, w, h), (x, y - r - 4, "middle")
    if where == "below":
        return (x - w / 2, y + r + 3, w, h), (x, y + r + 3 + h * 0.85, "middle")
    dx = d + 2 if where.endswith("right") else -d - 2 - w
    top = y - d - 2 - h if where.startswith("above") else y + d + 2
    anchor = "start" if where.endswith("right") else "end"
    ax = x + d + 2 if where.endswith("right") else x - d - 2
    return (x + dx, top, w, h), (ax, top + h * 0.85, anchor)


def _overlaps(a, b) -> bool:
    return not (
        a[0] + a[2] < b[0] or b[0] + b[2] < a[0] or a[1] + a[3] < b[1] or b[1] + b[3] < a[1]
    )


def _inside(box) -> bool:
    return (
        box[0] >= 2
        and box[1] >= 2
        and box[0] + box[2] <= WIDTH - 2
        and box[1] + box[3] <= HEIGHT - 2
    )


def _points_in(box, points) -> int:
    x, y, w, h = box
    return sum(1 for px, py in points if x <= px <= x + w and y <= py <= y + h)


def sample_segments(segments, step: float = 4.0) -> list[tuple[float, float]]:
    """Points every `step` pixels along straight segments: what a label should not cover."""
    points = []
    for (ax, ay), (bx, by) in segments:
        n = max(int(math.hypot(bx - ax, by - ay) / step), 1)
        points += [(ax + (bx - ax) * i / n, ay + (by - ay) * i / n) for i in range(n + 1)]
    return points


def place_labels(
    discs: dict[str, tuple[float, float, float]],
    texts: dict[str, str],
    segments: list = (),
) -> dict[str, tuple[float, float, str]]:
    """A label position per site, the least crowded of LABEL_SPOTS: never outside the box when
    any spot fits, then fewest labels and discs covered, then fewest link points covered."""
    link_points = sample_segments(segments)
    placed: list[tuple[float, float, float, float]] = []
    disc_boxes = {n: (x - r, y - r, 2 * r, 2 * r) for n, (x, y, r) in discs.items()}
    out = {}
    for name, (x, y, r) in discs.items():
        label = texts[name]

        def cost(option, name=name):
            box = option[0]
            crowd = sum(_overlaps(box, p) for p in placed) + sum(
                _overlaps(box, b) for n, b in disc_boxes.items() if n != name
            )
            return (not _inside(box), crowd, _points_in(box, link_points))

        options = [_label_box(x, y, r, label, spot) for spot in LABEL_SPOTS]
        box, anchor = min(options, key=cost)
        placed.append(box)
        out[name] = anchor
    return out


def render_map(scenario: Scenario, plan: Plan) -> str:
    """The map as one `<svg>` element (no external reference), with a legend."""
    points, geographic = positions(scenario)
    pixels = to_pixels(points, geographic)
    servers = Counter(server.site for server in plan.servers)
    instances = Counter()
    site_of = {server.id: server.site for server in plan.servers}
    for placement in plan.placements:
        instances[site_of.get(placement.server)] += 1
    loads = {frozenset((link.a, link.b)): link for link in plan.links}
    top = max((link.gbps for link in scenario.links), default=1.0) or 1.0

    out = [
        f'<svg id="netmap" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH} {HEIGHT + LEGEND_HEIGHT}" '
        f'role="img" aria-label="network map of {html.escape(scenario.name)}">',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT + LEGEND_HEIGHT}" fill="#fbfcfd"/>',
        '<g class="links">',
    ]
    for link in scenario.links:
        a, b = pixels[link.a], pixels[link.b]
        others = [p for n, p in pixels.items() if n not in (link.a, link.b)]
        load = loads.get(frozenset((link.a, link.b)))
        gbps = load.gbps if load else 0.0
        share = gbps / link.gbps if link.gbps else 0.0
        title = (
            f"{link.a} - {link.b}: {amount(gbps)} of {amount(link.gbps)} Gbps ({pct(share)}), "
            f"{link.latency_ms:.3f} ms"
        )
        out.append(
            f'<path class="link" data-link="{html.escape(link.a)}|{html.escape(link.b)}" '
            f'data-share="{share:.6f}" d="{link_path(a, b, others)}" fill="none" '
            f'stroke="{load_colour(share)}" stroke-width="{1.5 + 4.5 * link.gbps / top:.1f}" '
            f'stroke-linecap="round"><title>{html.escape(title)}</title></path>'
        )
    out.append("</g>")

    colour_of = {
        name: ROUTE_COLOURS[i % len(ROUTE_COLOURS)] for i, name in enumerate(scenario.services)
    }
    out.append('<g class="routes">')
    for route in plan.routes:
        if len(route.path) < 2 or any(site not in pixels for site in route.path):
            continue
        coords = " ".join(f"{pixels[s][0]},{pixels[s][1]}" for s in route.path)
        colour = colour_of.get(route.service, ROUTE_COLOURS[0])
        out.append(
            f'<polyline class="route" data-service="{html.escape(route.service)}" '
            f'points="{coords}" fill="none" stroke="{colour}" stroke-width="7" '
            'stroke-opacity="0.55" stroke-linejoin="round" stroke-dasharray="10 6">'
            f"<title>{html.escape(route.service)}: {amount(route.gbps)} Gbps, "
            f"{' → '.join(html.escape(s) for s in route.path)}</title></polyline>"
        )
    out.append("</g>")

    discs = {}
    # Disc area follows servers used; the busiest site (or 4 servers) gets the largest disc.
    most = max(4, *servers.values()) if servers else 4
    for name in scenario.sites:
        x, y = pixels[name]
        n = servers[name]
        discs[name] = (x, y, 6 + 14 * math.sqrt(n / most) if n else 5)
    segments = [(pixels[link.a], pixels[link.b]) for link in scenario.links]
    texts = {name: name + (f" ({servers[name]})" if servers[name] else "") for name in discs}
    labels = place_labels(discs, texts, segments)
    out.append('<g class="sites">')
    for name, site in scenario.sites.items():
        x, y, r = discs[name]
        n = servers[name]
        kind = "transit" if site.transit else (site.kind or "site")
        fill, stroke = ("#2b6cb0", "#173f6b") if n else ("#ffffff", "#6b7785")
        title = f"{name} ({kind}): {count(n, 'server')} used, {count(instances[name], 'instance')}"
        lx, ly, anchor = labels[name]
        out.append(
            f'<g class="site" data-site="{html.escape(name)}" data-servers="{n}">'
            f'<circle cx="{x}" cy="{y}" r="{r:.1f}" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="1.5"><title>{html.escape(title)}</title></circle>'
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" font-size="{LABEL_FONT}">'
            f"{html.escape(texts[name])}</text></g>"
        )
    out.append("</g>")
    out.append(_legend(geographic))
    out.append("</svg>")
    return "\n".join(out)


def _legend(geographic: bool) -> str:
    """One line under the map: the load colours, then what the discs and positions mean."""
    y = HEIGHT + LEGEND_HEIGHT / 2
    rows = [f'<g class="legend" font-size="12" transform="translate(14,{y:.0f})">']
    rows.append('<text x="0" y="4" font-weight="bold">link load:</text>')
    x = 78
    for _bound, colour, text in LOAD_BANDS:
        rows.append(
            f'<line x1="{x}" y1="0" x2="{x + 22}" y2="0" stroke="{colour}" stroke-width="4"/>'
            f'<text x="{x + 27}" y="4">{text}</text>'
        )
        x += 40 + 7 * len(text)
    where = "sites at their coordinates" if geographic else "sites in a spring layout"
    rows.append(
        f'<text x="{x + 16}" y="4">disc: servers used (n) · hollow: none used · {where}</text>'
    )
    rows.append("</g>")
    return "".join(rows)
