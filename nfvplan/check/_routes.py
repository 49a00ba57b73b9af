"""Rules about traffic: each route's path and chain, demand totals, link loads, instance loads.

The physical network is rebuilt here from `scenario.links` as an undirected adjacency map:
a path is valid when each consecutive pair of sites is joined by a declared link, whichever way
it was written. No shortest-path search is needed to verify a path, so networkx is not either.
"""

from __future__ import annotations

from itertools import pairwise

from nfvplan.check._core import Context, Violation, close, fits, num
from nfvplan.model import Demand, Link, Service
from nfvplan.plan import Route
from nfvplan.wording import count

LinkKey = frozenset[str]


def link_map(ctx: Context) -> dict[LinkKey, Link]:
    """Undirected links by their pair of sites; the first declaration of a pair wins."""
    links: dict[LinkKey, Link] = {}
    for link in ctx.scenario.links:
        links.setdefault(frozenset((link.a, link.b)), link)
    return links


def _hops(path: list[str]) -> list[tuple[str, str]]:
    return list(pairwise(path))


def _label(index: int, route: Route) -> str:
    return f"route {index + 1} ({route.service} demand {route.demand})"


def check_routes(ctx: Context) -> list[Violation]:
    """Every route on its own: references, endpoints, links, chain order, latency, Gbps."""
    out: list[Violation] = []
    links = link_map(ctx)
    for index, route in enumerate(ctx.plan.routes):
        label = _label(index, route)
        service = ctx.scenario.services.get(route.service)
        if service is None:
            out.append(Violation("route", f"{label}: no service {route.service!r} in the scenario"))
            continue
        if not 0 <= route.demand < len(service.demands):
            out.append(
                Violation(
                    "route",
                    f"{label}: {service.name} has demands 0..{len(service.demands) - 1}, "
                    f"not {route.demand}",
                )
            )
            continue
        demand = service.demands[route.demand]
        if not route.gbps > 0:
            out.append(Violation("route", f"{label}: gbps {num(route.gbps)} is not positive"))
        out.extend(_check_chain(ctx, label, route, service))
        out.extend(_check_path(ctx, label, route, demand, links, _processing(ctx, service)))
    return out


def _check_chain(ctx: Context, label: str, route: Route, service: Service) -> list[Violation]:
    """`via` names one instance per chain VNF, in order, met along the path in that order."""
    if len(route.via) != len(service.chain):
        return [
            Violation(
                "route",
                f"{label}: via lists {count(len(route.via), 'instance')} for a chain of "
                f"{len(service.chain)} ({' -> '.join(service.chain)})",
            )
        ]
    out: list[Violation] = []
    position = 0
    for name, vnf_name in zip(route.via, service.chain, strict=True):
        instance = ctx.by_name.get(name)
        if instance is None:
            out.append(Violation("route", f"{label}: via names no placed instance {name!r}"))
            return out
        if instance.placement.vnf != vnf_name:
            out.append(
                Violation(
                    "route",
                    f"{label}: {name} is a {instance.placement.vnf}, but this chain position "
                    f"needs a {vnf_name} ({' -> '.join(service.chain)})",
                    name,
                    instance.placement.server,
                )
            )
            return out
        if instance.server is None:
            return out
        site = instance.server.site.name
        try:
            position = route.path.index(site, position)
        except ValueError:
            out.append(
                Violation(
                    "route",
                    f"{label}: {name} runs at {site}, which the path {' -> '.join(route.path)} "
                    "does not reach in chain order",
                    name,
                    instance.server.id,
                )
            )
            return out
    return out


def _end_site(ctx: Context, route: Route, demand: Demand) -> str | None:
    """Where the route must end: the demand's target, or where its last instance runs."""
    if demand.target is not None:
        return demand.target
    last = ctx.by_name.get(route.via[-1]) if route.via else None
    if last is None or last.server is None:
        return None
    return last.server.site.name


def _processing(ctx: Context, service: Service) -> float:
    """Each chain VNF's processing `latency_ms`, once per visit (unknown VNFs add nothing:
    the loader refuses them)."""
    return sum(ctx.scenario.vnfs[n].latency_ms for n in service.chain if n in ctx.scenario.vnfs)


def _check_path(
    ctx: Context,
    label: str,
    route: Route,
    demand: Demand,
    links: dict[LinkKey, Link],
    processing: float = 0.0,
) -> list[Violation]:
    """Endpoints, links between consecutive sites, and latency (reported, and links plus the
    chain's processing against the budget)."""
    if not route.path:
        return [Violation("route", f"{label}: the path is empty")]
    out: list[Violation] = []
    shown = " -> ".join(route.path)
    if route.path[0] != demand.source:
        out.append(
            Violation(
                "route",
                f"{label}: path {shown} starts at {route.path[0]}, "
                f"but the demand enters at {demand.source}",
            )
        )
    end = _end_site(ctx, route, demand)
    if end is not None and route.path[-1] != end:
        out.append(
            Violation(
                "route",
                f"{label}: path {shown} ends at {route.path[-1]}, but the demand leaves at {end}",
            )
        )
    latency = 0.0
    for a, b in _hops(route.path):
        link = links.get(frozenset((a, b)))
        if link is None or a == b:
            out.append(Violation("route", f"{label}: no link between {a} and {b}"))
            return out
        latency += link.latency_ms
    if not close(route.latency_ms, latency):
        out.append(
            Violation(
                "latency",
                f"{label}: latency reported as {num(route.latency_ms)} ms, but the links of "
                f"{shown} add up to {num(latency)} ms",
            )
        )
    if demand.max_latency_ms is not None and not fits(latency + processing, demand.max_latency_ms):
        took = f"{num(latency)} ms"
        if processing:
            took += f" + {num(processing)} ms VNF processing = {num(latency + processing)} ms"
        out.append(
            Violation(
                "latency",
                f"{label}: path {shown} takes {took} > max_latency_ms {num(demand.max_latency_ms)}",
            )
        )
    return out


def check_demand_totals(ctx: Context) -> list[Violation]:
    """The split parts of each demand add up to the demand's Gbps."""
    carried: dict[tuple[str, int], float] = {}
    for route in ctx.plan.routes:
        key = (route.service, route.demand)
        carried[key] = carried.get(key, 0.0) + route.gbps
    out: list[Violation] = []
    for service in ctx.scenario.services.values():
        for index, demand in enumerate(service.demands):
            got = carried.get((service.name, index), 0.0)
            if not close(got, demand.gbps):
                out.append(
                    Violation(
                        "demand-total",
                        f"{service.name} demand {index} ({demand.source} -> "
                        f"{demand.target or 'chain end'}): routes carry {num(got)} Gbps, "
                        f"the demand is {num(demand.gbps)} Gbps",
                    )
                )
    return out


def link_loads(ctx: Context) -> dict[LinkKey, float]:
    """Gbps on each declared link: every traversal of every route, both directions together."""
    links = link_map(ctx)
    loads: dict[LinkKey, float] = {}
    for route in ctx.plan.routes:
        for a, b in _hops(route.path):
            key = frozenset((a, b))
            if key in links and a != b:
                loads[key] = loads.get(key, 0.0) + route.gbps
    return loads


def check_links(ctx: Context) -> list[Violation]:
    """No link carries more than its Gbps; listed link loads match the recomputation."""
    links = link_map(ctx)
    loads = link_loads(ctx)
    out: list[Violation] = []
    for key, link in links.items():
        load = loads.get(key, 0.0)
        if not fits(load, link.gbps):
            out.append(
                Violation(
                    "link-capacity",
                    f"link {link.a} - {link.b}: {num(load)} Gbps routed > {num(link.gbps)} Gbps",
                )
            )
    if ctx.plan.links:
        out.extend(_check_listed_links(ctx, links, loads))
    return out


def _check_listed_links(
    ctx: Context, links: dict[LinkKey, Link], loads: dict[LinkKey, float]
) -> list[Violation]:
    """The plan's `links` table: known links, once each, with the recomputed load and capacity."""
    out: list[Violation] = []
    listed: set[LinkKey] = set()
    for entry in ctx.plan.links:
        key = frozenset((entry.a, entry.b))
        name = f"link {entry.a} - {entry.b}"
        link = links.get(key)
        if link is None:
            out.append(Violation("link-usage", f"{name} is listed but not in the scenario"))
            continue
        if key in listed:
            out.append(Violation("link-usage", f"{name} is listed twice"))
            continue
        listed.add(key)
        load = loads.get(key, 0.0)
        if not close(entry.gbps, load):
            out.append(
                Violation(
                    "link-usage",
                    f"{name}: load reported as {num(entry.gbps)} Gbps, routes put "
                    f"{num(load)} Gbps on it",
                )
            )
        if not close(entry.capacity_gbps, link.gbps):
            out.append(
                Violation(
                    "link-usage",
                    f"{name}: capacity reported as {num(entry.capacity_gbps)} Gbps, "
                    f"the scenario says {num(link.gbps)} Gbps",
                )
            )
    for key, load in loads.items():
        if key not in listed and not close(load, 0.0):
            link = links[key]
            out.append(
                Violation(
                    "link-usage",
                    f"link {link.a} - {link.b} carries {num(load)} Gbps but is not listed",
                )
            )
    return out


def check_throughput(ctx: Context) -> list[Violation]:
    """An instance of a throughput-sized VNF carries no more than its `throughput_gbps`."""
    out: list[Violation] = []
    for instance in ctx.instances:
        vnf = instance.vnf
        if vnf is None or vnf.throughput_gbps is None or ctx.by_name[instance.name] is not instance:
            continue
        carried = ctx.carried.get(instance.name, 0.0)
        if not fits(carried, vnf.throughput_gbps):
            out.append(
                Violation(
                    "throughput",
                    f"{instance.name} carries {num(carried)} Gbps > throughput_gbps "
                    f"{num(vnf.throughput_gbps)} of {vnf.name}",
                    instance.name,
                    instance.placement.server,
                )
            )
    return out
