"""Rules about each placement on its own and about the plan's list of servers.

These are the references an operator may mistype when hand-editing a plan: instance names, VNF
names, forms, server ids, and the rack/bought/site/type columns that a server id already implies.
"""

from __future__ import annotations

import math

from nfvplan.check._core import Context, Instance, Violation, close, num, parse_server_id
from nfvplan.check._usage import UNITS, all_usage
from nfvplan.plan import RESOURCE_KEYS
from nfvplan.wording import count


def check_placements(ctx: Context) -> list[Violation]:
    """Every placement: unique name, known VNF, allowed form, valid server, allowed site."""
    out: list[Violation] = []
    seen: set[str] = set()
    for instance in ctx.instances:
        p = instance.placement
        if p.instance in seen:
            out.append(
                Violation(
                    "duplicate-instance",
                    f"instance name {p.instance} is used by more than one placement",
                    p.instance,
                    p.server,
                )
            )
        seen.add(p.instance)
        out.extend(_check_one(instance))
    return out


def _check_one(instance: Instance) -> list[Violation]:
    """The per-placement references: VNF, form, server id and the VNF's site filter."""
    p = instance.placement
    out: list[Violation] = []
    vnf = instance.vnf
    if vnf is None:
        out.append(Violation("vnf", f"{p.instance}: no VNF {p.vnf!r} in the scenario", p.instance))
    if instance.form is None:
        out.append(
            Violation(
                "form",
                f"{p.instance}: {p.form!r} is not a form (vm, container)",
                p.instance,
                p.server,
            )
        )
    elif vnf is not None and instance.form not in vnf.forms:
        allowed = ", ".join(f.value for f in vnf.forms)
        out.append(
            Violation(
                "form",
                f"{p.instance}: {vnf.name} does not ship as a {p.form} (only: {allowed})",
                p.instance,
                p.server,
            )
        )
    server = instance.server
    if server is None:
        out.append(
            Violation("server-id", f"{p.instance}: {instance.server_error}", p.instance, p.server)
        )
    elif vnf is not None and vnf.sites is not None and not vnf.sites.allows(server.site):
        out.append(
            Violation(
                "site",
                f"{p.instance} runs at {server.site.name} (kind {server.site.kind}), "
                f"but {vnf.name} may only run at sites {vnf.sites.describe()}",
                p.instance,
                p.server,
            )
        )
    return out


def check_server_list(ctx: Context) -> list[Violation]:
    """The plan's `servers`: ids valid and consistent, each used server listed, none empty.

    The reported usage must equal the recomputed one: a plan whose figures are stale (say,
    after a hand edit moved an instance) would mislead whoever orders hardware from it.
    """
    out: list[Violation] = []
    usage = all_usage(ctx)
    listed: set[str] = set()
    for entry in ctx.plan.servers:
        server, why = parse_server_id(ctx.scenario, entry.id)
        if entry.id in listed:
            out.append(Violation("server-id", f"server {entry.id} is listed twice", None, entry.id))
            continue
        listed.add(entry.id)
        if server is None:
            out.append(Violation("server-id", why, None, entry.id))
            continue
        expected = {
            "site": server.site.name,
            "type": server.type.name,
            "rack": server.rack,
            "bought": server.bought,
        }
        for column, value in expected.items():
            if getattr(entry, column) != value:
                out.append(
                    Violation(
                        "server-id",
                        f"server {entry.id}: {column} is {getattr(entry, column)!r}, "
                        f"but the id means {column} {value!r}",
                        None,
                        entry.id,
                    )
                )
        if entry.id not in usage:
            out.append(
                Violation(
                    "server-usage",
                    f"server {entry.id} is listed but hosts no instance",
                    None,
                    entry.id,
                )
            )
            continue
        out.extend(_check_reported(entry.id, entry.used, usage[entry.id]))
    for sid in usage:
        if sid not in listed:
            out.append(
                Violation(
                    "server-usage",
                    f"server {sid} hosts {count(len(ctx.hosts[sid]), 'instance')} but is not "
                    "listed under servers",
                    None,
                    sid,
                )
            )
    return out


def _check_reported(
    sid: str, reported: dict[str, float], actual: dict[str, float]
) -> list[Violation]:
    """Reported usage of one server against the recomputation, resource by resource."""
    out: list[Violation] = []
    for key in RESOURCE_KEYS:
        label, unit = UNITS[key]
        value = reported.get(key)
        if value is None:
            message = f"{sid}: used.{key} is missing (recomputed {num(actual[key])} {unit})"
        elif not close(value, actual[key]):
            message = (
                f"{sid}: {label} reported as {num(value)} {unit} used, "
                f"recomputed {num(actual[key])} {unit}"
            )
        else:
            continue
        out.append(Violation("server-usage", message, None, sid))
    return out


def demand_through(ctx: Context, vnf_name: str) -> float:
    """Total Gbps of every demand of every service whose chain passes `vnf_name`."""
    return sum(
        demand.gbps
        for service in ctx.scenario.services.values()
        if vnf_name in service.chain
        for demand in service.demands
    )


def check_counts(ctx: Context) -> list[Violation]:
    """Instance counts: exactly `replicas`, or enough for the traffic plus `redundancy` spares."""
    out: list[Violation] = []
    counts = dict.fromkeys(ctx.scenario.vnfs, 0)
    for instance in ctx.instances:
        if instance.vnf is not None:
            counts[instance.vnf.name] += 1
    for name, vnf in ctx.scenario.vnfs.items():
        have = counts[name]
        if vnf.replicas is not None:
            if have != vnf.replicas:
                out.append(
                    Violation(
                        "count",
                        f"{name}: {count(have, 'instance')}, replicas asks for {vnf.replicas}",
                    )
                )
        elif vnf.throughput_gbps is not None and vnf.throughput_gbps > 0:
            total = demand_through(ctx, name)
            need = math.ceil(total / vnf.throughput_gbps - 1e-9) + vnf.redundancy
            if have < need:
                out.append(
                    Violation(
                        "count",
                        f"{name}: {count(have, 'instance')}, but {num(total)} Gbps of demand at "
                        f"{num(vnf.throughput_gbps)} Gbps each plus "
                        f"{count(vnf.redundancy, 'spare')} "
                        f"needs {need}",
                    )
                )
    return out
