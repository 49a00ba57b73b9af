"""A third, test-only reading of the capacity and bookkeeping rules of FORMAT.md.

The solver and the checker each implement the rules; a bug they share would pass every test that
compares one with the other. This module writes the rules out a third time, as plainly as
possible, from `docs/format.md` alone (it imports neither `nfvplan.solver` nor `nfvplan.check`).
Two things use it: the brute-force solver (tests/bruteforce.py) asks `server_ok` about each
server's load, and the checker mutants (tests/check/test_checker_mutants.py) call `refresh` so
that a mutated plan's bookkeeping (server usage, summary, objective, link loads) is recomputed
and only the rule under test is broken.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from nfvplan.model import Form, Objective, Scenario, ServerType, Site, Vnf
from nfvplan.plan import LinkLoad, ObjectiveValue, Placement, Plan, ServerUse, Status, Summary

KEYS = ("threads", "memory_gib", "disk_gib", "nic_gbps", "sriov_vfs")
NUMA_KEYS = ("threads", "memory_gib", "sriov_vfs")
TOL = 1e-6


def fits(used: float, cap: float) -> bool:
    """`used` ≤ `cap` up to float noise (the same tolerance the checker documents)."""
    return used <= cap + TOL * abs(cap) + TOL


@dataclass(frozen=True)
class Server:
    """One concrete server `site/type/n` of the inventory."""

    id: str
    site: Site
    type: ServerType
    n: int

    @property
    def rack(self) -> int:
        return (self.n - 1) % self.site.racks + 1

    @property
    def bought(self) -> bool:
        return self.n > self.site.servers.get(self.type.name, 0)


def inventory(scenario: Scenario) -> list[Server]:
    """Every server the plan may use (installed, then purchasable; out-of-service left out)."""
    out = []
    for site in scenario.sites.values():
        for tname in dict.fromkeys([*site.servers, *site.expand]):
            total = site.servers.get(tname, 0) + site.expand.get(tname, 0)
            for n in range(1, total + 1):
                sid = f"{site.name}/{tname}/{n}"
                if sid not in scenario.out_of_service:
                    out.append(Server(sid, site, scenario.server_types[tname], n))
    return out


def capacity(stype: ServerType) -> dict[str, float]:
    return dict(
        zip(
            KEYS,
            (
                stype.cores * stype.threads_per_core,
                stype.memory_gib,
                stype.disk_gib,
                stype.nic_gbps,
                stype.sriov_vfs,
            ),
            strict=True,
        )
    )


def demand(scenario: Scenario, vnf: Vnf, form: Form, carried: float = 0.0) -> dict[str, float]:
    """Flavor + overhead of one instance (+ its VM image, + carried traffic on its NIC); a
    nested one (container-in-vm) takes only NIC and VFs of its host (its worker the rest)."""
    if form is Form.NESTED:
        zero = dict.fromkeys(("threads", "memory_gib", "disk_gib"), 0.0)
        return {**zero, "nic_gbps": vnf.flavor.gbps + carried, "sriov_vfs": vnf.flavor.sriov_vfs}
    over = scenario.platform.form(form).overhead
    ratio = scenario.platform.cpu_overcommit
    f = vnf.flavor
    pinned = f.vcpu if vnf.dedicated_cpu else f.vcpu / ratio
    return {
        "threads": pinned + over.vcpu / ratio,
        "memory_gib": f.memory_gib + f.hugepages_gib + over.memory_gib,
        "disk_gib": f.disk_gib + over.disk_gib + (vnf.image_gib.vm if form is Form.VM else 0),
        "nic_gbps": f.gbps + carried,
        "sriov_vfs": f.sriov_vfs,
    }


def reserves(scenario: Scenario, forms: Iterable[Form], stype: ServerType) -> dict[str, float]:
    """The host reserve of every form present, once each."""
    out = dict.fromkeys(KEYS, 0.0)
    forms = set(forms)
    if Form.NESTED in forms:  # worker VMs need the hypervisor: the VM form's reserve, once
        forms.add(Form.VM)
    for form in forms:
        r = scenario.platform.form(form).host_reserve
        out["threads"] += r.cores * stype.threads_per_core
        out["memory_gib"] += r.memory_gib
        out["disk_gib"] += r.disk_gib
    return out


@dataclass(frozen=True)
class Item:
    """One instance on a server: its VNF, form, NUMA node (aligned only) and carried Gbps."""

    vnf: Vnf
    form: Form
    node: int | None = None
    carried: float = 0.0


def worker_demand(scenario: Scenario, trust: str) -> dict[str, float]:
    """What one worker VM of a trust domain takes of its host: flavor + VM overhead."""
    nesting = scenario.platform.nesting
    flavor = nesting.workers.get(trust, nesting.default)
    assert flavor is not None
    over = scenario.platform.vm.overhead
    ratio = scenario.platform.cpu_overcommit
    vcpu = flavor.vcpu if flavor.dedicated_cpu else flavor.vcpu / ratio
    return {
        "threads": vcpu + over.vcpu / ratio,
        "memory_gib": flavor.memory_gib + over.memory_gib,
        "disk_gib": flavor.disk_gib + over.disk_gib,
        "nic_gbps": 0.0,
        "sriov_vfs": 0.0,
    }


def usage(
    scenario: Scenario, stype: ServerType, items: list[Item], workers: Iterable[str] = ()
) -> dict[str, float]:
    """Whole-server usage: reserves of the forms present plus every instance's demand, plus
    the worker VMs (by trust domain) of nested instances."""
    domains = list(workers)
    forms = [i.form for i in items] + ([Form.NESTED] if domains else [])
    total = reserves(scenario, forms, stype)
    for trust in domains:
        for key, value in worker_demand(scenario, trust).items():
            total[key] += value
    images = {i.vnf.name: i.vnf.image_gib.container for i in items if i.form is Form.CONTAINER}
    total["disk_gib"] += sum(images.values())  # pulled once per host and VNF
    for item in items:
        for key, value in demand(scenario, item.vnf, item.form, item.carried).items():
            total[key] += value
    return total


def server_ok(scenario: Scenario, stype: ServerType, items: list[Item]) -> bool:
    """Capacity, NUMA shares, trust domains of containers and isolation on one server."""
    if not items:
        return True
    if len(items) > 1 and any(i.vnf.isolated for i in items):
        return False
    if len({i.vnf.trust or i.vnf.name for i in items if i.form is Form.CONTAINER}) > 1:
        return False
    cap = capacity(stype)
    used = usage(scenario, stype, items)
    if not all(fits(used[k], cap[k]) for k in KEYS):
        return False
    k_nodes = stype.numa_nodes
    res = reserves(scenario, (i.form for i in items), stype)
    for node in {i.node for i in items if i.vnf.numa_aligned}:
        if node is None or not 0 <= node < k_nodes:
            return False
        on = [i for i in items if i.vnf.numa_aligned and i.node == node]
        for key in NUMA_KEYS:
            need = res[key] / k_nodes + sum(demand(scenario, i.vnf, i.form)[key] for i in on)
            if not fits(need, cap[key] / k_nodes):
                return False
    return True


def refresh(scenario: Scenario, plan: Plan) -> Plan:
    """`plan` with servers, summary, objective value and link loads recomputed.

    Placements and routes are taken as they are (even broken ones); anything that cannot be
    resolved (unknown VNF, form or server) is left out of the sums, as the checker documents.
    """
    servers = {s.id: s for s in inventory(scenario)}
    carried: dict[str, float] = {}
    for route in plan.routes:
        for name in dict.fromkeys(route.via):
            carried[name] = carried.get(name, 0.0) + route.gbps
    hosted: dict[str, list[Item]] = {}
    seen: set[str] = set()
    for p in plan.placements:
        vnf = scenario.vnfs.get(p.vnf)
        if p.server not in servers:
            continue
        hosted.setdefault(p.server, [])
        if vnf is None or p.form not in ("vm", "container", "container-in-vm"):
            continue
        load = carried.get(p.instance, 0.0) if p.instance not in seen else 0.0
        seen.add(p.instance)
        hosted.setdefault(p.server, []).append(Item(vnf, Form(p.form), p.numa_node, load))
    uses = []
    nesting = scenario.platform.nesting
    workers: dict[str, list[str]] = {}
    for w in plan.workers:
        if nesting.workers.get(w.trust, nesting.default) is not None:
            workers.setdefault(w.server, []).append(w.trust)
    for sid, items in hosted.items():
        srv = servers[sid]
        used = usage(scenario, srv.type, items, workers.get(sid, []))
        uses.append(ServerUse(sid, srv.site.name, srv.type.name, srv.rack, srv.bought, used))
    licences = sum(
        scenario.vnfs[p.vnf].license_monthly for p in plan.placements if p.vnf in scenario.vnfs
    )
    used_types = [servers[u.id].type for u in uses]
    threads = sum(t.cores * t.threads_per_core for t in used_types)
    memory = sum(t.memory_gib for t in used_types)
    summary = Summary(
        monthly_cost=sum(t.monthly_cost for t in used_types) + licences,
        servers_used=len(uses),
        servers_bought=sum(1 for u in uses if u.bought),
        instances=len(plan.placements),
        vms=sum(1 for p in plan.placements if p.form == "vm"),
        containers=sum(1 for p in plan.placements if p.form in ("container", "container-in-vm")),
        cpu_utilisation=sum(u.used["threads"] for u in uses) / threads if threads else 0.0,
        memory_utilisation=sum(u.used["memory_gib"] for u in uses) / memory if memory else 0.0,
    )
    name = plan.objective.name
    if name == Objective.COST.value:
        value = summary.monthly_cost
    elif name == Objective.SERVERS.value:
        value = float(summary.servers_used)
    else:
        value = max(
            (
                u.used[k] / capacity(servers[u.id].type)[k]
                for u in uses
                for k in KEYS
                if capacity(servers[u.id].type)[k] > 0
            ),
            default=0.0,
        )
    bound = plan.objective.bound
    objective = ObjectiveValue(name, value, bound, plan.objective.gap)
    return replace(
        plan,
        servers=uses,
        summary=summary,
        objective=objective,
        links=link_loads(scenario, plan) if plan.links else [],
    )


def link_loads(scenario: Scenario, plan: Plan) -> list[LinkLoad]:
    """Gbps on each declared link that carries traffic, every traversal counted."""
    links = {frozenset((lk.a, lk.b)): lk for lk in reversed(scenario.links)}
    load: dict[frozenset[str], float] = {}
    for route in plan.routes:
        for a, b in zip(route.path, route.path[1:], strict=False):
            key = frozenset((a, b))
            if key in links and a != b:
                load[key] = load.get(key, 0.0) + route.gbps
    return [
        LinkLoad(links[key].a, links[key].b, gbps, links[key].gbps) for key, gbps in load.items()
    ]


def placements_plan(
    scenario: Scenario, placements: list[Placement], objective: str = "cost"
) -> Plan:
    """A complete optimal-status plan (no routes) for `placements`, bookkeeping recomputed."""
    bare = Plan(
        scenario=scenario.name,
        status=Status.OPTIMAL,
        objective=ObjectiveValue(objective, 0.0, None, None),
        placements=placements,
    )
    return refresh(scenario, bare)
