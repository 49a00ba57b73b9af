"""The checker, tested: valid plans broken one rule at a time must each be caught.

A mutator takes a valid (scenario, plan) and breaks one rule, on the plan (move an instance, drop
a route part, edit a figure) or on the scenario the same plan is checked against (shrink a
server, a link, a budget, a throughput; add a reserve; fail a server). Unless the mutant is about
the bookkeeping itself, the plan's derived figures (server usage, summary, objective, link
loads) are then recomputed by tests/reference.py, so the checker must find the broken rule
itself and must not report any bookkeeping rule: that also checks that the checker and the
reference code read the capacity rules the same way.

Valid plans come from the examples (solved once per module, a plan within 2 s is enough) and
from generated scenarios. On the examples every rule family of `nfvplan.check.RULES` has at
least one mutant, and every mutant is caught, naming the instance or server where the
violation says which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest
from hypothesis import given, note, settings

from nfvplan.check import RULES, check_plan
from nfvplan.io import load_scenario, parse_scenario
from nfvplan.model import Form, Scenario, Scope
from nfvplan.plan import Placement, Plan, Route, Status
from nfvplan.solver import SolveOptions, solve
from tests.helpers import EXAMPLES
from tests.reference import capacity, inventory, link_loads, refresh
from tests.strategies import Doc, scenario_docs

BOOKKEEPING = {"server-usage", "summary", "objective", "link-usage"}


@dataclass(frozen=True)
class Mutant:
    """A broken (scenario, plan), the rule it breaks and what the violation should name."""

    what: str
    rule: str
    scenario: Scenario
    plan: Plan
    instance: str | None = None
    server: str | None = None
    refreshed: bool = True


Mutator = Callable[[Scenario, Plan], Mutant | None]
MUTATORS: list[Mutator] = []


def mutator(fn: Mutator) -> Mutator:
    MUTATORS.append(fn)
    return fn


def _set(plan: Plan, index: int, **changes: object) -> Plan:
    placements = list(plan.placements)
    placements[index] = replace(placements[index], **changes)
    return replace(plan, placements=placements)


def _mutant(what: str, rule: str, scenario: Scenario, plan: Plan, **who: str | None) -> Mutant:
    """A mutant whose bookkeeping is recomputed for the mutated scenario and plan."""
    return Mutant(what, rule, scenario, refresh(scenario, plan), **who)


def _by_server(plan: Plan) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, p in enumerate(plan.placements):
        out.setdefault(p.server, []).append(i)
    return out


def _routed(plan: Plan) -> set[str]:
    return {name for route in plan.routes for name in route.via}


# --- the plan's headline and references -----------------------------------------------------------


@mutator
def plan_less_status_with_placements(sc: Scenario, plan: Plan) -> Mutant:
    bad = replace(plan, status=Status.INFEASIBLE)
    return Mutant("status infeasible with placements", "status", sc, bad, refreshed=False)


@mutator
def other_scenario(sc: Scenario, plan: Plan) -> Mutant:
    return _mutant("plan of another scenario", "scenario", sc, replace(plan, scenario="other"))


@mutator
def duplicate_name(sc: Scenario, plan: Plan) -> Mutant | None:
    for i, p in enumerate(plan.placements[1:], 1):
        first = plan.placements[i - 1]
        if p.vnf == first.vnf and p.instance not in _routed(plan):
            bad = _set(plan, i, instance=first.instance)
            return _mutant("two placements, one name", "duplicate-instance", sc, bad)
    return None


@mutator
def unknown_vnf(sc: Scenario, plan: Plan) -> Mutant:
    p = plan.placements[0]
    bad = _set(plan, 0, vnf="no-such-vnf")
    return _mutant("unknown VNF", "vnf", sc, bad, instance=p.instance)


@mutator
def wrong_form(sc: Scenario, plan: Plan) -> Mutant:
    for i, p in enumerate(plan.placements):
        forms = {f.value for f in sc.vnfs[p.vnf].forms}
        if len(forms) == 1:
            other = "container" if "vm" in forms else "vm"
            bad = _set(plan, i, form=other)
            return _mutant(f"{p.vnf} as a {other}", "form", sc, bad, instance=p.instance)
    bad = _set(plan, 0, form="unikernel")
    return _mutant("no such form", "form", sc, bad, instance=plan.placements[0].instance)


@mutator
def unknown_server(sc: Scenario, plan: Plan) -> Mutant:
    p = plan.placements[0]
    bad = _set(plan, 0, server=f"{p.server}0")  # n -> n0: beyond the site's inventory
    return _mutant("unknown server id", "server-id", sc, bad, instance=p.instance)


@mutator
def server_out_of_service(sc: Scenario, plan: Plan) -> Mutant:
    p = plan.placements[0]
    failed = replace(sc, out_of_service=frozenset({p.server}))
    return Mutant("server failed", "server-id", failed, plan, instance=p.instance, refreshed=False)


@mutator
def forbidden_site(sc: Scenario, plan: Plan) -> Mutant | None:
    for i, p in enumerate(plan.placements):
        vnf = sc.vnfs[p.vnf]
        if vnf.sites is None or p.instance in _routed(plan):
            continue
        for server in inventory(sc):
            if not vnf.sites.allows(server.site):
                bad = _set(plan, i, server=server.id)
                return _mutant(
                    f"{p.instance} moved to {server.id}", "site", sc, bad, instance=p.instance
                )
    return None


@mutator
def wrong_count(sc: Scenario, plan: Plan) -> Mutant | None:
    for i, p in enumerate(plan.placements):
        if sc.vnfs[p.vnf].replicas is not None and p.instance not in _routed(plan):
            placements = plan.placements[:i] + plan.placements[i + 1 :]
            return _mutant(
                f"{p.instance} dropped", "count", sc, replace(plan, placements=placements)
            )
    return None


@mutator
def extra_instance(sc: Scenario, plan: Plan) -> Mutant | None:
    for p in plan.placements:
        if sc.vnfs[p.vnf].replicas is not None and sc.vnfs[p.vnf].anti_affinity is None:
            extra = replace(p, instance=f"{p.vnf}-extra")
            return _mutant(
                "one replica too many",
                "count",
                sc,
                replace(plan, placements=[*plan.placements, extra]),
            )
    return None


# --- capacity and NUMA ----------------------------------------------------------------------------


@mutator
def shrunk_server(sc: Scenario, plan: Plan) -> Mutant:
    """The server type of the first used server has less memory than that server uses."""
    server = plan.servers[0]
    stype = sc.server_types[server.type]
    small = replace(stype, memory_gib=server.used["memory_gib"] - 0.5)
    shrunk = replace(sc, server_types={**sc.server_types, stype.name: small})
    return _mutant(f"{stype.name} memory cut", "capacity", shrunk, plan, server=server.id)


@mutator
def piled_onto_one_server(sc: Scenario, plan: Plan) -> Mutant | None:
    """Every instance moved onto the first server (forms kept): over capacity, unless it fits."""
    target = plan.placements[0].server
    piled = replace(plan, placements=[replace(p, server=target) for p in plan.placements])
    piled = refresh(sc, piled)
    used = next(s.used for s in piled.servers if s.id == target)
    cap = capacity(sc.server_types[target.split("/")[1]])
    if all(used[k] <= cap[k] for k in cap):
        return None
    return _mutant(f"everything on {target}", "capacity", sc, piled, server=target)


@mutator
def reserve_pushes_over(sc: Scenario, plan: Plan) -> Mutant:
    """A form's host reserve grown so that the first server is 1 GiB short, by its reserve."""
    server = plan.servers[0]
    forms = {Form(p.form) for p in plan.placements if p.server == server.id}
    # a worker VM needs the hypervisor: the nested form's reserve is the VM form's
    forms = {Form.VM if f is Form.NESTED else f for f in forms}
    form = sorted(forms, key=lambda f: f.value)[0]
    spec = sc.platform.form(form)
    room = sc.server_types[server.type].memory_gib - server.used["memory_gib"]
    bigger = replace(
        spec,
        host_reserve=replace(spec.host_reserve, memory_gib=spec.host_reserve.memory_gib + room + 1),
    )
    platform = replace(sc.platform, **{form.value: bigger})
    return _mutant(
        f"{form.value} host reserve +{room + 1} GiB",
        "capacity",
        replace(sc, platform=platform),
        plan,
        server=server.id,
    )


@mutator
def reserve_left_out(sc: Scenario, plan: Plan) -> Mutant | None:
    """A server's reported usage without the host reserve of its forms."""
    for index, server in enumerate(plan.servers):
        forms = {p.form for p in plan.placements if p.server == server.id}
        memory = sum(sc.platform.form(Form(f)).host_reserve.memory_gib for f in forms)
        if memory > 0:
            used = {**server.used, "memory_gib": server.used["memory_gib"] - memory}
            servers = list(plan.servers)
            servers[index] = replace(server, used=used)
            bad = replace(plan, servers=servers)
            return Mutant(
                "reserve left out", "server-usage", sc, bad, server=server.id, refreshed=False
            )
    return None


@mutator
def aligned_without_node(sc: Scenario, plan: Plan) -> Mutant | None:
    for i, p in enumerate(plan.placements):
        if sc.vnfs[p.vnf].numa_aligned:
            bad = _set(plan, i, numa_node=None)
            return _mutant(
                "aligned, no node", "numa", sc, bad, instance=p.instance, server=p.server
            )
    return None


@mutator
def node_that_does_not_exist(sc: Scenario, plan: Plan) -> Mutant:
    p = plan.placements[0]
    nodes = sc.server_types[p.server.split("/")[1]].numa_nodes
    bad = _set(plan, 0, numa_node=nodes)
    return _mutant(f"numa_node {nodes}", "numa", sc, bad, instance=p.instance, server=p.server)


@mutator
def numa_overflow(sc: Scenario, plan: Plan) -> Mutant | None:
    """The type split into 64 nodes: an aligned instance outgrows its node's share."""
    for p in plan.placements:
        if sc.vnfs[p.vnf].numa_aligned:
            tname = p.server.split("/")[1]
            split = replace(sc.server_types[tname], numa_nodes=64)
            bad = replace(sc, server_types={**sc.server_types, tname: split})
            return _mutant(f"{tname} in 64 NUMA nodes", "numa", bad, plan, server=p.server)
    return None


# --- who may share what ---------------------------------------------------------------------------


def _trust(sc: Scenario, p: Placement) -> str:
    return sc.vnfs[p.vnf].trust or p.vnf


@mutator
def mixed_trust(sc: Scenario, plan: Plan) -> Mutant | None:
    containers = [(i, p) for i, p in enumerate(plan.placements) if p.form == "container"]
    for i, p in containers:
        for _j, q in containers:
            if _trust(sc, p) != _trust(sc, q) and p.server != q.server:
                node = 0 if sc.vnfs[p.vnf].numa_aligned else None
                bad = _set(plan, i, server=q.server, numa_node=node)
                return _mutant("two trust domains' containers", "trust", sc, bad, server=q.server)
    # Or: the domain of one VNF changed under containers it shares a server with.
    for sid, idx in _by_server(plan).items():
        boxes = [plan.placements[i] for i in idx if plan.placements[i].form == "container"]
        vnfs = {p.vnf for p in boxes}
        if len(vnfs) >= 2:
            name = sorted(vnfs)[0]
            vnf = replace(sc.vnfs[name], trust="another-domain")
            bad = replace(sc, vnfs={**sc.vnfs, name: vnf})
            return _mutant(f"{name} in another trust domain", "trust", bad, plan, server=sid)
    return None


@mutator
def isolated_sharing(sc: Scenario, plan: Plan) -> Mutant | None:
    for sid, idx in _by_server(plan).items():
        if len(idx) >= 2:
            p = plan.placements[idx[0]]
            vnf = replace(sc.vnfs[p.vnf], isolated=True)
            bad = replace(sc, vnfs={**sc.vnfs, p.vnf: vnf})
            return _mutant(
                f"{p.vnf} made isolation: host",
                "isolation",
                bad,
                plan,
                instance=p.instance,
                server=sid,
            )
    return None


@mutator
def anti_affinity_broken(sc: Scenario, plan: Plan) -> Mutant | None:
    """Two instances of one VNF share a host: declare host anti-affinity; or share a site."""
    for scope, unit in (
        (Scope.HOST, lambda p: p.server),
        (Scope.SITE, lambda p: p.server.split("/")[0]),
    ):
        seen: dict[tuple[str, str], Placement] = {}
        for p in plan.placements:
            key = (p.vnf, unit(p))
            if key in seen:
                vnf = replace(sc.vnfs[p.vnf], anti_affinity=scope)
                bad = replace(sc, vnfs={**sc.vnfs, p.vnf: vnf})
                return _mutant(
                    f"{p.vnf} anti_affinity {scope.value}",
                    "anti-affinity",
                    bad,
                    plan,
                    instance=p.instance,
                    server=p.server,
                )
            seen[key] = p
    return None


@mutator
def redundancy_broken(sc: Scenario, plan: Plan) -> Mutant | None:
    """One more instance of a VNF with `redundancy` moves onto the server holding the most of
    them (same site and form, so routes and trust stay valid): losing that server now leaves
    fewer than the demand needs, once the move passes (instances - needed) there."""
    for name, vnf in sc.vnfs.items():
        if not vnf.redundancy:
            continue
        mine = [i for i, p in enumerate(plan.placements) if p.vnf == name]
        per_server: dict[str, int] = {}
        for i in mine:
            server = plan.placements[i].server
            per_server[server] = per_server.get(server, 0) + 1
        top = max(per_server, key=lambda sid: per_server[sid])
        form = {plan.placements[i].form for i in mine if plan.placements[i].server == top}
        for i in mine:
            p = plan.placements[i]
            same_site = p.server.split("/")[0] == top.split("/")[0]
            if p.server != top and same_site and p.form in form:
                moved = _set(plan, i, server=top)
                return _mutant(f"{p.instance} joins {top}", "redundancy", sc, moved, server=top)
    return None


# --- traffic --------------------------------------------------------------------------------------


def _with_route(plan: Plan, index: int, route: Route) -> Plan:
    routes = list(plan.routes)
    routes[index] = route
    return replace(plan, routes=routes)


@mutator
def route_part_dropped(sc: Scenario, plan: Plan) -> Mutant | None:
    if not plan.routes:
        return None
    return _mutant(
        "a route part dropped", "demand-total", sc, replace(plan, routes=plan.routes[1:])
    )


@mutator
def route_without_chain(sc: Scenario, plan: Plan) -> Mutant | None:
    if not plan.routes:
        return None
    return _mutant(
        "via emptied", "route", sc, _with_route(plan, 0, replace(plan.routes[0], via=[]))
    )


@mutator
def route_over_a_missing_link(sc: Scenario, plan: Plan) -> Mutant | None:
    linked = {frozenset((lk.a, lk.b)) for lk in sc.links}
    for i, route in enumerate(plan.routes):
        start = route.path[0]
        for site in sc.sites:
            if site != start and frozenset((site, start)) not in linked:
                path = [start, site, *route.path]
                bad = _with_route(plan, i, replace(route, path=path))
                return _mutant(f"path via unlinked {site}", "route", sc, bad)
    return None


@mutator
def latency_misreported(sc: Scenario, plan: Plan) -> Mutant | None:
    if not plan.routes:
        return None
    route = plan.routes[0]
    bad = _with_route(plan, 0, replace(route, latency_ms=route.latency_ms + 1))
    return _mutant("latency misreported", "latency", sc, bad)


@mutator
def latency_budget_exceeded(sc: Scenario, plan: Plan) -> Mutant | None:
    for route in plan.routes:
        if route.latency_ms > 0:
            service = sc.services[route.service]
            demands = list(service.demands)
            demands[route.demand] = replace(
                demands[route.demand], max_latency_ms=route.latency_ms / 2
            )
            bad = replace(
                sc, services={**sc.services, service.name: replace(service, demands=tuple(demands))}
            )
            return _mutant("budget halved below the route", "latency", bad, plan)
    return None


@mutator
def link_overloaded(sc: Scenario, plan: Plan) -> Mutant | None:
    for load in link_loads(sc, plan):
        if load.gbps > 0:
            links = tuple(
                replace(lk, gbps=load.gbps / 2) if {lk.a, lk.b} == {load.a, load.b} else lk
                for lk in sc.links
            )
            return _mutant(
                f"link {load.a}-{load.b} halved", "link-capacity", replace(sc, links=links), plan
            )
    return None


@mutator
def link_load_misreported(sc: Scenario, plan: Plan) -> Mutant | None:
    if not plan.links:
        return None
    links = list(plan.links)
    links[0] = replace(links[0], gbps=links[0].gbps + 1)
    return Mutant(
        "link load misreported", "link-usage", sc, replace(plan, links=links), refreshed=False
    )


@mutator
def throughput_exceeded(sc: Scenario, plan: Plan) -> Mutant | None:
    carried: dict[str, float] = {}
    for route in plan.routes:
        for name in route.via:
            carried[name] = carried.get(name, 0.0) + route.gbps
    for p in plan.placements:
        vnf = sc.vnfs[p.vnf]
        if vnf.throughput_gbps is not None and carried.get(p.instance, 0) > 0:
            smaller = replace(vnf, throughput_gbps=carried[p.instance] / 2)
            bad = replace(sc, vnfs={**sc.vnfs, p.vnf: smaller})
            return _mutant(
                f"{p.vnf} throughput halved", "throughput", bad, plan, instance=p.instance
            )
    return None


# --- nested form (container-in-vm): worker VMs ----------------------------------------------------


def _nested(plan: Plan) -> list[int]:
    return [i for i, p in enumerate(plan.placements) if p.worker is not None]


@mutator
def nested_in_another_domains_worker(sc: Scenario, plan: Plan) -> Mutant | None:
    for i in _nested(plan):
        p = plan.placements[i]
        mine = next(w for w in plan.workers if w.id == p.worker)
        other = [w for w in plan.workers if w.trust != mine.trust and w.server == p.server]
        if other:
            bad = _set(plan, i, worker=other[0].id)
            return _mutant(
                "nested in another domain's worker", "nesting", sc, bad, instance=p.instance
            )
    return None


@mutator
def nested_in_no_worker(sc: Scenario, plan: Plan) -> Mutant | None:
    for i in _nested(plan):
        p = plan.placements[i]
        bad = _set(plan, i, worker="worker-nowhere-1")
        return _mutant("nested in an unlisted worker", "nesting", sc, bad, instance=p.instance)
    return None


@mutator
def worker_flavor_misnamed(sc: Scenario, plan: Plan) -> Mutant | None:
    if not plan.workers:
        return None
    first = plan.workers[0]
    bad = replace(plan, workers=[replace(first, flavor="huge"), *plan.workers[1:]])
    return _mutant("worker flavor misnamed", "worker", sc, bad, server=first.server)


@mutator
def worker_too_small(sc: Scenario, plan: Plan) -> Mutant | None:
    if not plan.workers:
        return None
    nesting = sc.platform.nesting
    reserve = replace(nesting.reserve, memory_gib=nesting.reserve.memory_gib + 64)
    small = replace(sc, platform=replace(sc.platform, nesting=replace(nesting, reserve=reserve)))
    return _mutant("worker reserve leaves no room", "worker-fit", small, plan)


# --- bookkeeping ----------------------------------------------------------------------------------


@mutator
def usage_misreported(sc: Scenario, plan: Plan) -> Mutant:
    server = plan.servers[0]
    used = {**server.used, "threads": server.used["threads"] + 1}
    bad = replace(plan, servers=[replace(server, used=used), *plan.servers[1:]])
    return Mutant("threads misreported", "server-usage", sc, bad, server=server.id, refreshed=False)


@mutator
def summary_misreported(sc: Scenario, plan: Plan) -> Mutant:
    bad = replace(plan, summary=replace(plan.summary, instances=plan.summary.instances + 1))
    return Mutant("summary instances +1", "summary", sc, bad, refreshed=False)


@mutator
def objective_misreported(sc: Scenario, plan: Plan) -> Mutant:
    value = plan.objective.value or 0.0
    bad = replace(plan, objective=replace(plan.objective, value=value + 1))
    return Mutant("objective +1", "objective", sc, bad, refreshed=False)


# --- running them ---------------------------------------------------------------------------------


def _assert_caught(mutant: Mutant) -> None:
    violations = check_plan(mutant.scenario, mutant.plan)
    rules = {v.rule for v in violations}
    shown = "\n".join(str(v) for v in violations) or "(none)"
    assert mutant.rule in rules, f"mutant '{mutant.what}' slipped through: {shown}"
    named = [
        v
        for v in violations
        if v.rule == mutant.rule
        and (mutant.instance is None or v.instance == mutant.instance)
        and (mutant.server is None or v.server == mutant.server)
    ]
    assert named, (
        f"'{mutant.what}': no {mutant.rule} violation names "
        f"{mutant.instance or ''} {mutant.server or ''}: {shown}"
    )
    if mutant.refreshed:
        stray = (rules & BOOKKEEPING) - {mutant.rule}
        assert not stray, f"'{mutant.what}': bookkeeping differs from tests/reference.py: {shown}"


def _mutants(scenario: Scenario, plan: Plan) -> list[Mutant]:
    assert check_plan(scenario, plan) == []
    # The reference's recomputation of a valid plan must itself be valid and identical in meaning.
    assert check_plan(scenario, refresh(scenario, plan)) == []
    return [m for fn in MUTATORS if (m := fn(scenario, plan)) is not None]


EXAMPLE_NAMES = ["5g-core", "5g-edge-topology"]


@pytest.fixture(scope="module")
def example_plans() -> list[tuple[Scenario, Plan]]:
    out = []
    for name in EXAMPLE_NAMES:
        scenario = load_scenario(EXAMPLES / f"{name}.yaml")
        plan = solve(scenario, SolveOptions(time_limit_s=2, workers=1))
        assert plan.status.has_plan, f"{name}: no plan within 2 s"
        out.append((scenario, plan))
    # the nested form's rules: two tenants in worker VMs on one host (test_rules_nested.py)
    from tests.solver.test_rules_nested import two_tenants

    scenario = parse_scenario(two_tenants("[container-in-vm]"), filename="nested.yaml")
    plan = solve(scenario, SolveOptions(time_limit_s=10, workers=1))
    assert plan.workers, "the two-tenant case nests its containers"
    out.append((scenario, plan))
    return out


def test_every_rule_family_has_a_mutant_and_every_mutant_is_caught(example_plans) -> None:
    covered: set[str] = set()
    for scenario, plan in example_plans:
        for mutant in _mutants(scenario, plan):
            _assert_caught(mutant)
            covered.add(mutant.rule)
    assert covered == set(RULES), f"rule families without a mutant: {set(RULES) - covered}"


@settings(max_examples=40)
@given(scenario_docs())
def test_mutants_of_generated_plans_are_caught(doc: Doc) -> None:
    scenario = doc.scenario()
    plan = solve(scenario, SolveOptions(time_limit_s=10, workers=1))
    if not plan.status.has_plan:
        return
    note(doc.yaml())
    for mutant in _mutants(scenario, plan):
        note(mutant.what)
        _assert_caught(mutant)
