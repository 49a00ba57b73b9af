"""Rules about what servers hold: whole-server capacity and NUMA-node shares."""

from __future__ import annotations

from nfvplan.check._core import Context, Instance, ServerRef, Violation, fits, names, num
from nfvplan.check._nesting import worker_usage, workers_on
from nfvplan.check._usage import (
    NUMA_KEYS,
    UNITS,
    all_usage,
    capacity,
    instance_demand,
    reserve,
    sized,
)
from nfvplan.model import Form
from nfvplan.plan import RESOURCE_KEYS


def check_capacity(ctx: Context) -> list[Violation]:
    """Each server, each resource: reserves + instances fit what the hardware has."""
    out: list[Violation] = []
    for sid, used in all_usage(ctx).items():
        server = ctx.servers[sid]
        cap = capacity(server.type)
        for key in RESOURCE_KEYS:
            if not fits(used[key], cap[key]):
                label, unit = UNITS[key]
                out.append(
                    Violation(
                        "capacity",
                        f"{sid}: {label} {num(used[key])} {unit} used > {num(cap[key])} {unit} "
                        f"(instances {names(ctx.hosts[sid])})",
                        None,
                        sid,
                    )
                )
    return out


def check_numa(ctx: Context) -> list[Violation]:
    """NUMA: valid node indices, and the aligned instances of each node fit the node's share.

    Only `numa: aligned` instances are bound to a node; the others float over the whole server
    and count only towards the whole-server capacity. A node index given for a non-aligned
    instance is tolerated (a hint to the orchestrator) as long as the node exists.
    """
    out: list[Violation] = []
    for sid, hosted in ctx.hosts.items():
        server = ctx.servers[sid]
        out.extend(_check_nodes_valid(server, hosted))
        out.extend(_check_node_shares(ctx, server, sized(hosted)))
    return out


def _check_nodes_valid(server: ServerRef, hosted: list[Instance]) -> list[Violation]:
    """Aligned instances must name a node of the server; any given node must exist."""
    out: list[Violation] = []
    nodes = server.type.numa_nodes
    for instance in hosted:
        node = instance.placement.numa_node
        aligned = instance.vnf is not None and instance.vnf.numa_aligned
        if node is None and aligned:
            message = f"{instance.name}: numa: aligned, but no numa_node is given on {server.id}"
        elif node is not None and not 0 <= node < nodes:
            message = (
                f"{instance.name}: numa_node {node} does not exist on {server.id} "
                f"({server.type.name} has nodes 0..{nodes - 1})"
            )
        else:
            continue
        out.append(Violation("numa", message, instance.name, server.id))
    return out


def _check_node_shares(ctx: Context, server: ServerRef, hosted: list[Instance]) -> list[Violation]:
    """Per node with aligned instances: their sum + reserves / nodes fit capacity / nodes."""
    out: list[Violation] = []
    nodes = max(server.type.numa_nodes, 1)
    forms = {i.form for i in hosted if i.form is not None}
    workers = workers_on(ctx, server.id)
    if workers:
        forms.add(Form.NESTED)
    reserves = reserve(ctx.scenario.platform, forms, server.type)
    cap = capacity(server.type)
    on_node: dict[int, list[Instance]] = {}
    for instance in hosted:
        node = instance.placement.numa_node
        aligned = instance.vnf is not None and instance.vnf.numa_aligned
        if aligned and instance.form is Form.NESTED:
            continue  # its worker VM sits on the node (below)
        if aligned and node is not None and 0 <= node < nodes:
            on_node.setdefault(node, []).append(instance)
    aligned_workers: dict[int, list] = {}
    for worker, flavor in workers:
        node = worker.numa_node
        if flavor.numa_aligned and node is not None and 0 <= node < nodes:
            aligned_workers.setdefault(node, []).append(flavor)
    for node in sorted(set(on_node) | set(aligned_workers)):
        on_node.setdefault(node, [])
        used = {key: reserves[key] / nodes for key in NUMA_KEYS}
        for flavor in aligned_workers.get(node, []):
            demand = worker_usage(ctx.scenario.platform, flavor)
            for key in NUMA_KEYS:
                used[key] += demand[key]
        for instance in on_node[node]:
            demand = instance_demand(ctx, instance)
            for key in NUMA_KEYS:
                used[key] += demand[key]
        for key in NUMA_KEYS:
            share = cap[key] / nodes
            if not fits(used[key], share):
                label, unit = UNITS[key]
                out.append(
                    Violation(
                        "numa",
                        f"{server.id} NUMA node {node}: {label} {num(used[key])} {unit} used > "
                        f"{num(share)} {unit} per node (aligned instances "
                        f"{names(on_node[node])})",
                        on_node[node][0].name if len(on_node[node]) == 1 else None,
                        server.id,
                    )
                )
    return out
