"""Rules about who may share what: trust domains, dedicated hosts and anti-affinity."""

from __future__ import annotations

import math

from nfvplan.check._core import Context, Instance, Violation, names, num
from nfvplan.check._placements import demand_through
from nfvplan.model import Form, Scope


def check_trust(ctx: Context) -> list[Violation]:
    """Containers share the host kernel, so one server's containers share one trust domain.

    VMs carry their own kernel and may sit next to anything. The message lists each domain with
    its containers, so the operator sees which to move or to run as a VM.
    """
    out: list[Violation] = []
    for sid, hosted in ctx.hosts.items():
        domains: dict[str, list[Instance]] = {}
        for instance in hosted:
            if instance.form is Form.CONTAINER:
                domains.setdefault(instance.trust, []).append(instance)
        if len(domains) > 1:
            parts = "; ".join(f"{domain}: {names(group)}" for domain, group in domains.items())
            out.append(
                Violation(
                    "trust",
                    f"{sid}: containers of {len(domains)} trust domains share the host kernel "
                    f"({parts}); move them apart or run all but one domain as VMs",
                    None,
                    sid,
                )
            )
    return out


def check_isolation(ctx: Context) -> list[Violation]:
    """An `isolation: host` instance is alone on its server."""
    out: list[Violation] = []
    for sid, hosted in ctx.hosts.items():
        for instance in hosted:
            if instance.vnf is None or not instance.vnf.isolated or len(hosted) == 1:
                continue
            others = [i for i in hosted if i is not instance]
            out.append(
                Violation(
                    "isolation",
                    f"{instance.name} ({instance.vnf.name}, isolation: host) must be alone, "
                    f"but {sid} also runs {names(others)}",
                    instance.name,
                    sid,
                )
            )
    return out


def check_anti_affinity(ctx: Context) -> list[Violation]:
    """Replicas of an anti-affine VNF never share its unit; each later one is reported once."""
    out: list[Violation] = []
    # Each VNF's placed instances, in plan order, gathered in one pass (not one per VNF).
    placed: dict[str, list[Instance]] = {}
    for instance in ctx.instances:
        if instance.server is not None:
            placed.setdefault(instance.placement.vnf, []).append(instance)
    for vnf in ctx.scenario.vnfs.values():
        scope = vnf.anti_affinity
        if scope is None:
            continue
        first: dict[tuple[str, ...], Instance] = {}
        for instance in placed.get(vnf.name, []):
            server = instance.server
            assert server is not None
            if scope is Scope.HOST:
                unit: tuple[str, ...] = (server.id,)
                where = f"host {server.id}"
            elif scope is Scope.RACK:
                unit = (server.site.name, str(server.rack))
                where = f"rack {server.rack} of {server.site.name}"
            else:
                unit = (server.site.name,)
                where = f"site {server.site.name}"
            if unit not in first:
                first[unit] = instance
                continue
            out.append(
                Violation(
                    "anti-affinity",
                    f"{instance.name} shares {where} with {first[unit].name} "
                    f"({vnf.name} has anti_affinity: {scope.value})",
                    instance.name,
                    server.id,
                )
            )
    return out


def check_redundancy(ctx: Context) -> list[Violation]:
    """`redundancy` spares survive the loss of any one host: every server holds at most the
    VNF's instances minus what its demand needs (not while recovering: `Scenario.degraded`)."""
    out: list[Violation] = []
    if ctx.scenario.degraded:
        return out
    placed: dict[str, dict[str, int]] = {}
    for instance in ctx.instances:
        if instance.server is not None and instance.vnf is not None:
            per_host = placed.setdefault(instance.vnf.name, {})
            per_host[instance.server.id] = per_host.get(instance.server.id, 0) + 1
    for vnf in ctx.scenario.vnfs.values():
        if not vnf.redundancy or not vnf.throughput_gbps or vnf.name not in placed:
            continue
        demand = demand_through(ctx, vnf.name)
        needed = math.ceil(demand / vnf.throughput_gbps - 1e-9)
        per_host = placed[vnf.name]
        total = sum(per_host.values())
        for sid, here in per_host.items():
            if needed > 0 and total - here < needed:
                out.append(
                    Violation(
                        "redundancy",
                        f"{vnf.name}: {sid} holds {here} of its {total} instances; losing it "
                        f"leaves {total - here}, but {num(demand)} Gbps of demand at "
                        f"{num(vnf.throughput_gbps)} Gbps each needs {needed} (redundancy "
                        f"{vnf.redundancy}: spares must survive the loss of any one host)",
                        None,
                        sid,
                    )
                )
    return out
