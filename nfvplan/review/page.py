"""The design-review report: one self-contained HTML page built from a scenario and a plan.

Every figure on the page is the plan's (or recomputed from the scenario with the rules the
solver uses, `nfvplan.review.servers`) and printed with the CLI's rounding
(`nfvplan.review.figures`). Elements that carry a figure have a `data-figure` name so that a
reader, or a test, can trace it back. Styles and the script are inline (`assets`) and nothing is
fetched: the page works offline, from a mail attachment or printed to PDF.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import nfvplan
from nfvplan.compare.metrics import virtualisation_tax
from nfvplan.model import Scenario
from nfvplan.plan import RESOURCE_KEYS, Plan, Status
from nfvplan.report import format_objective
from nfvplan.review.assets import CSS, JS
from nfvplan.review.figures import amount, money, pct
from nfvplan.review.netmap import LOAD_BANDS, render_map
from nfvplan.review.servers import RESOURCE_LABELS, ServerView, cost_breakdown, server_views
from nfvplan.wording import count

STATUS_MEANING = {
    Status.OPTIMAL: "Proven optimal: no plan that respects every rule does better on the "
    "objective (the solver's bound meets the plan).",
    Status.FEASIBLE: "A valid plan that is not proven optimal: the best possible objective "
    "lies between the bound and the plan's value (the gap).",
    Status.INFEASIBLE: "Proven: no plan respects every rule of the scenario. The reasons "
    "below say which rules collide, with the numbers.",
    Status.UNKNOWN: "No plan was found within the time limit, and nothing is proven either "
    "way: give the solver more time.",
}

SEGMENTS = (
    ("workload", "workload (flavors)"),
    ("overhead", "form overheads"),
    ("reserve", "host reserves"),
    ("traffic", "carried traffic"),
    ("stale", "plan figure off its placements"),
)
"""The parts of a resource bar, in drawing order; overheads + reserves = virtualisation tax."""


@dataclass(frozen=True)
class Section:
    """An extra part of the report (comparison, what-if, resilience), already as HTML."""

    id: str
    title: str
    body: str


@dataclass(frozen=True)
class ReportInput:
    """What the page is made of: the scenario, its plan, the file names and extra sections."""

    scenario: Scenario
    plan: Plan
    scenario_file: str = ""
    plan_file: str = ""
    sections: Sequence[Section] = field(default_factory=tuple)


def esc(value: object) -> str:
    """Text for HTML content or a quoted attribute."""
    return html.escape(str(value), quote=True)


def _figure(name: str, text: str, tag: str = "span", css: str = "") -> str:
    klass = f' class="{css}"' if css else ""
    return f'<{tag}{klass} data-figure="{esc(name)}">{esc(text)}</{tag}>'


def _card(label: str, name: str, text: str) -> str:
    figure = _figure(name, text, "div", "v")
    return f'<div class="card"><div class="k">{esc(label)}</div>{figure}</div>'


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[int] = (),
    row_attrs: Sequence[str] | None = None,
    css: str = "sortable",
) -> str:
    """A table whose cells are already HTML; `numeric` columns align right."""
    head = "".join(
        f'<th class="num">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = []
    for index, row in enumerate(rows):
        attrs = f" {row_attrs[index]}" if row_attrs else ""
        cells = "".join(
            f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr{attrs}>{cells}</tr>")
    return (
        f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


# --- summary ------------------------------------------------------------------------------------


def _nesting_count(plan: Plan) -> str:
    """`8 in 2`: the nested instances and the worker VMs holding them."""
    nested = sum(1 for p in plan.placements if p.worker is not None)
    return f"{nested} in {len(plan.workers)}"


def _summary(scenario: Scenario, plan: Plan) -> str:
    status = plan.status
    objective = plan.objective
    out = [
        '<h2 id="summary">Summary</h2>',
        f'<p><span class="status status-{status.value}" data-figure="status">{status.value}</span> '
        f"{esc(STATUS_MEANING[status])}</p>",
        f'<p class="muted" data-figure="objective-line">{esc(format_objective(plan))}</p>',
    ]
    out += [f'<p class="muted">note: {esc(note)}</p>' for note in plan.stats.notes]
    if not status.has_plan:
        return "\n".join(out)
    s = plan.summary
    cost = cost_breakdown(scenario, plan)
    tax = virtualisation_tax(scenario, plan)
    gap = "-" if objective.gap is None else pct(objective.gap)
    cards = [
        _card("monthly cost", "monthly_cost", money(s.monthly_cost)),
        _card("servers used (bought)", "servers", f"{s.servers_used} ({s.servers_bought})"),
        _card(
            "instances (VMs / containers)", "instances", f"{s.instances} ({s.vms} / {s.containers})"
        ),
        *(
            [_card("containers in worker VMs", "workers", _nesting_count(plan))]
            if plan.workers
            else []
        ),
        _card("CPU used", "cpu_utilisation", pct(s.cpu_utilisation)),
        _card("memory used", "memory_utilisation", pct(s.memory_utilisation)),
        _card("gap to the bound", "gap", gap),
        _card(
            "virtualisation tax, threads",
            "tax_threads",
            f"{amount(tax.threads)} ({pct(tax.thread_share)})",
        ),
        _card(
            "virtualisation tax, memory GiB",
            "tax_memory_gib",
            f"{amount(tax.memory_gib)} ({pct(tax.memory_share)})",
        ),
    ]
    out.append('<div class="cards">' + "".join(cards) + "</div>")
    used = Counter(server.bought for server in plan.servers)
    rows = [
        [
            "installed servers used",
            str(used[False]),
            _figure("cost_installed", money(cost.installed)),
        ],
        [
            "servers bought (expand)",
            str(used[True]),
            _figure("cost_purchases", money(cost.purchases)),
        ],
        [
            "licences",
            str(len(plan.placements)) + " instances",
            _figure("cost_licences", money(cost.licences)),
        ],
        ["<strong>monthly cost</strong>", "", f"<strong>{esc(money(s.monthly_cost))}</strong>"],
    ]
    out.append("<h3>Monthly cost</h3>")
    out.append(_table(("part", "count", "per month"), rows, numeric=(2,), css="cost"))
    if abs(cost.total - s.monthly_cost) > 1e-6:
        out.append(
            f'<p class="warn">The parts add up to {esc(money(cost.total))}, not the plan\'s '
            "monthly cost: the plan file is stale (nfvplan check lists it).</p>"
        )
    out.append(
        '<p class="muted">Virtualisation tax: the threads and GiB spent on form overheads (guest '
        "kernels, shims) and host reserves (hypervisor, kubelet), over the servers used.</p>"
    )
    return "\n".join(out)


def _sites(scenario: Scenario, plan: Plan, views: list[ServerView]) -> str:
    forms = Counter()
    site_of = {server.id: server.site for server in plan.servers}
    for placement in plan.placements:
        forms[(site_of.get(placement.server), placement.form)] += 1
    workers = Counter(site_of.get(worker.server) for worker in plan.workers)
    rows = []
    for name, site in scenario.sites.items():
        here = [v for v in views if v.site == name]
        if not here:
            continue
        installed = sum(site.servers.values())
        buyable = sum(site.expand.values())
        threads = sum(v.resource("threads").used for v in here)
        capacity = sum(v.resource("threads").capacity for v in here)
        types = Counter(v.type for v in here)
        rows.append(
            [
                esc(name),
                esc(site.kind or "-"),
                f'<span data-figure="site-servers">{len(here)}</span>',
                str(sum(v.bought for v in here)),
                f"{installed}" + (f" + {buyable} to buy" if buyable else ""),
                str(forms[(name, "vm")]),
                # a nested container (container-in-vm) is a container, as in the summary
                str(forms[(name, "container")] + forms[(name, "container-in-vm")]),
                *([str(workers[name])] if plan.workers else []),
                pct(threads / capacity if capacity else 0.0),
                esc(", ".join(f"{n} x {t}" for t, n in types.items())),
            ]
        )
    return '<h2 id="sites">Sites</h2>' + _table(
        (
            "site",
            "kind",
            "servers used",
            "bought",
            "servers there",
            "VMs",
            "containers",
            *(["worker VMs"] if plan.workers else []),
            "CPU used",
            "types",
        ),
        rows,
        numeric=(2, 3, 5, 6, 7, 8) if plan.workers else (2, 3, 5, 6, 7),
    )


# --- heat map ------------------------------------------------------------------------------------


def heat_colour(share: float) -> tuple[str, str]:
    """Background and text colour for a share used: pale yellow through orange to dark red."""
    share = max(0.0, min(share, 1.2))
    if share <= 0:
        return "#f7f9fb", "#5b6776"
    hue = 55 - 55 * min(share, 1.0)
    light = 93 - 48 * min(share, 1.0) - (8 if share > 1 else 0)
    return f"hsl({hue:.0f}, 85%, {light:.0f}%)", "#ffffff" if light < 58 else "#1d2733"


def _heat_cell(view: ServerView, key: str) -> str:
    r = view.resource(key)
    background, ink = heat_colour(r.share)
    title = f"{amount(r.used)} of {amount(r.capacity)} {r.unit}"
    return (
        f'<td class="cell num" style="background:{background};color:{ink}" '
        f'data-value="{r.share:.6f}" data-server="{esc(view.id)}" data-resource="{key}" '
        f'title="{esc(title)}">{esc(pct(r.share))}</td>'
    )


def _heatmap(views: list[ServerView]) -> str:
    headers = ["server", *(RESOURCE_LABELS[k][0] for k in RESOURCE_KEYS)]
    body = "".join(
        f'<tr><td><a href="#srv-{esc(v.id)}">{esc(v.id)}</a></td>'
        + "".join(_heat_cell(v, key) for key in RESOURCE_KEYS)
        + "</tr>"
        for v in views
    )
    head = "".join(
        f'<th class="num">{esc(h)}</th>' if i else f"<th>{esc(h)}</th>"
        for i, h in enumerate(headers)
    )
    scale = "".join(
        '<span style="background:{};color:{}">{}%</span>'.format(*heat_colour(s), int(s * 100))
        for s in (0.0, 0.25, 0.5, 0.75, 1.0)
    )
    return (
        '<h2 id="heatmap">Utilisation heat map</h2>'
        '<p class="muted">Share of each resource used per server (reserves and overheads '
        f'included), as the plan states it.<span class="scale">{scale}</span></p>'
        f'<table class="sortable heat"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


# --- map, links, routes --------------------------------------------------------------------------


def _network(scenario: Scenario, plan: Plan) -> str:
    out = ['<h2 id="map" class="page-break">Network map</h2>']
    services = [name for name in scenario.services if any(r.service == name for r in plan.routes)]
    if services:
        options = ['<option value="">no routes</option>', '<option value="*">all services</option>']
        options += [f'<option value="{esc(s)}">{esc(s)}</option>' for s in services]
        out.append(
            '<div class="controls"><label>service routes: <select id="service-select">'
            + "".join(options)
            + "</select></label></div>"
        )
    if not scenario.links:
        out.append(
            '<p class="muted">This scenario has no links: the map shows its sites only '
            "(in a seeded layout unless a topology gives coordinates).</p>"
        )
    out.append(f'<div class="map-wrap">{render_map(scenario, plan)}</div>')
    if plan.links:
        bands = " · ".join(text for _bound, _colour, text in LOAD_BANDS)
        rows, attrs = [], []
        for link in sorted(plan.links, key=lambda x: -x.utilisation):
            rows.append(
                [
                    esc(f"{link.a} - {link.b}"),
                    esc(amount(link.gbps)),
                    esc(amount(link.capacity_gbps)),
                    f'<span data-figure="link-utilisation">{esc(pct(link.utilisation))}</span>',
                ]
            )
            attrs.append(f'data-link="{esc(link.a)}|{esc(link.b)}"')
        out.append(f'<h3>Link loads</h3><p class="muted">colours: {esc(bands)}</p>')
        out.append(
            _table(("link", "Gbps carried", "capacity Gbps", "used"), rows, (1, 2, 3), attrs)
        )
    if plan.routes:
        rows, attrs = [], []
        for route in plan.routes:
            rows.append(
                [
                    esc(route.service),
                    str(route.demand),
                    esc(amount(route.gbps)),
                    esc(f"{route.latency_ms:.3f}"),
                    esc(" → ".join(route.path)),
                    esc(" → ".join(route.via)),
                ]
            )
            attrs.append(f'data-service="{esc(route.service)}"')
        out.append("<h3>Routes</h3>")
        out.append(
            _table(
                ("service", "demand", "Gbps", "latency ms", "site path", "instances passed"),
                rows,
                (1, 2, 3),
                attrs,
            )
        )
    return "\n".join(out)


# --- servers ------------------------------------------------------------------------------------


def _bar(view: ServerView, key: str) -> str:
    r = view.resource(key)
    if r.capacity <= 0 and r.used <= 0:
        return ""
    base = r.capacity if r.capacity > 0 else r.used
    spans = []
    for part, label in SEGMENTS:
        value = getattr(r, part)
        if value <= 0:
            continue
        width = 100 * value / base
        spans.append(
            f'<span class="seg-{part}" style="width:{width:.3f}%" '
            f'title="{esc(label)}: {esc(amount(value))} {esc(r.unit)}"></span>'
        )
    tax = f", tax {amount(r.tax)}" if r.tax else ""
    text = (
        f'<span data-figure="used" data-resource="{key}">{esc(amount(r.used))}</span> of '
        f"{esc(amount(r.capacity))} {esc(r.unit)} ({esc(pct(r.share))}){esc(tax)}, "
        f"free {esc(amount(r.free))}"
    )
    return (
        f'<div>{esc(r.label)}</div><div class="bar">{"".join(spans)}</div>'
        f'<div class="fig">{text}</div>'
    )


def _server(view: ServerView) -> str:
    state = "bought" if view.bought else "installed"
    meta = (
        f"{view.type} · rack {view.rack} · {state} · {money(view.monthly_cost)}/month · "
        f"forms: {', '.join(view.forms) or 'none'} · {count(len(view.instances), 'instance')}"
        + (f" · {count(len(view.workers), 'worker VM')}" if view.workers else "")
    )
    bars = "".join(_bar(view, key) for key in RESOURCE_KEYS)
    rows = [
        [
            esc(i.instance),
            esc(i.vnf),
            esc(i.form) + ("" if i.worker is None else f" in {esc(i.worker)}"),
            "-" if i.numa_node is None else str(i.numa_node),
            esc(amount(i.workload[0] + i.overhead[0])),
            esc(amount(i.workload[1] + i.overhead[1])),
            esc(amount(i.overhead[0])) + " / " + esc(amount(i.overhead[1])),
        ]
        for i in view.instances
    ]
    table = _table(
        ("instance", "VNF", "form", "NUMA node", "threads", "memory GiB", "overhead thr / GiB"),
        rows,
        numeric=(3, 4, 5, 6),
        css="sortable instances",
    )
    table += _workers(view)
    stale = [r for r in view.resources if r.stale]
    warning = "".join(
        f'<p class="warn">The plan\'s {esc(r.label)} figure is {esc(amount(r.stale))} '
        f"{esc(r.unit)} off what its placements take "
        "(a hand-edited plan? nfvplan check lists it).</p>"
        for r in stale
    )
    return (
        f'<section class="server" id="srv-{esc(view.id)}" data-server="{esc(view.id)}">'
        f'<header><span class="id">{esc(view.id)}</span><span class="meta">{esc(meta)}</span>'
        f'</header><div class="bars">{bars}</div>{table}{warning}</section>'
    )


def _workers(view: ServerView) -> str:
    """The server's worker VMs (container-in-vm): domain, flavor, how full, the containers."""
    if not view.workers:
        return ""
    rows = [
        [
            esc(w.id),
            esc(w.trust),
            esc(w.flavor),
            "-" if w.numa_node is None else str(w.numa_node),
            esc(f"{amount(w.held[0])} of {amount(w.room[0])}"),
            esc(f"{amount(w.held[1])} of {amount(w.room[1])}"),
            esc(", ".join(w.instances) or "-"),
        ]
        for w in view.workers
    ]
    return _table(
        ("worker VM", "trust domain", "flavor", "NUMA node", "vCPU held", "GiB held", "containers"),
        rows,
        numeric=(3, 4, 5),
        row_attrs=[f'data-worker="{esc(w.id)}"' for w in view.workers],
        css="sortable workers",
    )


def _servers(scenario: Scenario, views: list[ServerView]) -> str:
    legend = "".join(
        f'<span><i class="seg-{part}"></i>{esc(label)}</span>' for part, label in SEGMENTS[:4]
    )
    out = [
        '<h2 id="servers" class="page-break">Servers</h2>',
        '<p class="muted">Each bar is the server\'s capacity; its coloured parts add up to what '
        "the plan says is used. Form overheads and host reserves together are the "
        "virtualisation tax; the grey rest is free.</p>",
        *(
            [
                '<p class="muted">A worker VM (container-in-vm) takes its flavor and the VM '
                "overhead of its host: its containers' flavors are workload, the VM's and the "
                "containers' overheads are overhead, and the runtime's reserve with the room its "
                "containers leave counts as reserve.</p>"
            ]
            if any(v.workers for v in views)
            else []
        ),
        f'<div class="legend-row">{legend}'
        '<span><i style="background:var(--free)"></i>free</span></div>',
    ]
    for name in scenario.sites:
        here = [v for v in views if v.site == name]
        if not here:
            continue
        out.append(f'<div class="site-block"><h3>Site {esc(name)} ({len(here)} servers)</h3>')
        out += [_server(v) for v in here]
        out.append("</div>")
    return "\n".join(out)


# --- infeasible ----------------------------------------------------------------------------------


def _explanation(scenario: Scenario, plan: Plan) -> str:
    reasons = plan.explanation or []
    out = ['<h2 id="explanation">Why there is no plan</h2>']
    if reasons:
        out.append(
            '<ul class="reasons">'
            + "".join(f'<li data-figure="reason">{esc(r)}</li>' for r in reasons)
            + "</ul>"
        )
    else:
        out.append("<p>The solver gave no reason (it ran out of time before proving anything).</p>")
    rows = []
    for name, site in scenario.sites.items():
        if site.transit:
            continue
        servers = ", ".join(f"{n} x {t}" for t, n in site.servers.items()) or "-"
        expand = ", ".join(f"{n} x {t}" for t, n in site.expand.items()) or "-"
        rows.append([esc(name), esc(site.kind or "-"), str(site.racks), esc(servers), esc(expand)])
    out.append("<h3>What the scenario offers</h3>")
    out.append(_table(("site", "kind", "racks", "servers", "can buy"), rows, numeric=(2,)))
    vnf_rows = []
    for vnf in scenario.vnfs.values():
        count = (
            str(vnf.replicas)
            if vnf.replicas is not None
            else f"{amount(vnf.throughput_gbps or 0)} Gbps"
        )
        rules = [
            r
            for r in (
                f"anti-affinity {vnf.anti_affinity.value}" if vnf.anti_affinity else "",
                "isolated host" if vnf.isolated else "",
                "pinned CPUs" if vnf.dedicated_cpu else "",
                "NUMA-aligned" if vnf.numa_aligned else "",
                f"sites {vnf.sites.describe()}" if vnf.sites else "",
            )
            if r
        ]
        vnf_rows.append(
            [
                esc(vnf.name),
                esc(count),
                esc(", ".join(f.value for f in vnf.forms)),
                esc(amount(vnf.flavor.vcpu)),
                esc(amount(vnf.flavor.memory_gib + vnf.flavor.hugepages_gib)),
                esc("; ".join(rules) or "-"),
            ]
        )
    out.append("<h3>What the VNFs ask for</h3>")
    out.append(
        _table(
            ("VNF", "replicas / throughput", "forms", "vCPU", "memory GiB", "rules"),
            vnf_rows,
            numeric=(3, 4),
        )
    )
    return "\n".join(out)


# --- the page -----------------------------------------------------------------------------------


def render_report(data: ReportInput) -> str:
    """The whole report as one HTML document (a str ending with a newline)."""
    scenario, plan = data.scenario, data.plan
    title = f"nfvplan report: {plan.scenario}"
    parts = [_summary(scenario, plan)]
    toc = [("summary", "Summary")]
    if plan.status.has_plan:
        views = server_views(scenario, plan)
        parts += [_sites(scenario, plan, views), _heatmap(views), _network(scenario, plan)]
        parts.append(_servers(scenario, views))
        toc += [("sites", "Sites"), ("heatmap", "Heat map"), ("map", "Map"), ("servers", "Servers")]
    else:
        parts.append(_explanation(scenario, plan))
        toc.append(("explanation", "Why there is no plan"))
    for section in data.sections:
        parts.append(
            f'<h2 id="{esc(section.id)}" class="page-break">{esc(section.title)}</h2>'
            f'<div class="extra" data-section="{esc(section.id)}">{section.body}</div>'
        )
        toc.append((section.id, section.title))
    files = " · ".join(
        f"{label} <code>{esc(name)}</code>"
        for label, name in (("scenario", data.scenario_file), ("plan", data.plan_file))
        if name
    )
    description = f'<p class="lead">{esc(scenario.description)}</p>' if scenario.description else ""
    nav = "".join(f'<a href="#{esc(i)}">{esc(t)}</a>' for i, t in toc)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body><main>\n"
        f'<h1>{esc(title)}</h1>{description}<p class="muted">{files}</p>'
        f'<nav class="toc">{nav}</nav>\n'
        + "\n".join(parts)
        + f"\n<footer>Made by nfvplan {esc(nfvplan.__version__)} from the files above; every "
        "figure is the plan's, rounded as the CLI prints it. Re-check the plan with "
        "<code>nfvplan check</code>.</footer>\n"
        f"</main><script>{JS}</script></body></html>\n"
    )
