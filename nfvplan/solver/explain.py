"""Why there is no plan, in an operator's words.

Two stages. Cheap checks first: each is a necessary condition that names the numbers (a flavor
that fits no server it may use, more anti-affine replicas than units, more demand for a
resource than the allowed sites can ever hold). When they all pass, the requirements the
operator wrote are made relaxable in CP-SAT, the solver returns a conflicting subset, and that
subset is shrunk by deletion to one where dropping any requirement restores feasibility.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, replace

import networkx as nx
from ortools.sat.python import cp_model

from nfvplan.model import Demand, Form, Link, Scenario, Scope, Vnf
from nfvplan.network import PathCache, build_graph
from nfvplan.solver.assignment import AssignmentModel, Requirement
from nfvplan.solver.budget import EXPLAIN_MIN_STEP_S, EXPLAIN_S, EXPLAIN_STEP_S, stop_at
from nfvplan.solver.cpsat import make_solver
from nfvplan.solver.data import Slot, fits
from nfvplan.solver.incumbent import RunLimits
from nfvplan.solver.problem import DEFAULT_K_PATHS, DEFAULT_PATH_CAP, Problem, build_problem
from nfvplan.solver.routing import chain_paths, network_budget, processing_ms
from nfvplan.solver.stop import Stopped

RESOURCE_NAMES = ("threads", "memory (GiB)", "disk (GiB)", "NIC (Gbps)", "SR-IOV VFs")
NO_TIME = (
    "the scenario is infeasible; the time limit left no time to isolate the requirements in "
    "conflict (allow more time, --time-limit, for that explanation)"
)
NO_CORE = (
    "the scenario is infeasible, but no small set of requirements could be isolated: "
    "the installed and purchasable servers cannot hold all instances together"
)


def _sites_of(slots: list[Slot]) -> str:
    return "[" + ", ".join(dict.fromkeys(slot.site.name for slot in slots)) + "]"


def _allowed_slots(problem: Problem, vnf: Vnf) -> list[Slot]:
    return [s for s in problem.slots if vnf.sites is None or vnf.sites.allows(s.site)]


def _candidate_slots(problem: Problem, vnf_name: str) -> list[Slot]:
    return [problem.slots[s] for s in problem.vnf_candidates(vnf_name)]


def _fmt(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def _no_fit(problem: Problem, vnf: Vnf) -> str | None:
    """A VNF none of whose forms fits any server it may use."""
    if _candidate_slots(problem, vnf.name):
        return None
    allowed = _allowed_slots(problem, vnf)
    where = vnf.sites.describe() if vnf.sites is not None else "any site"
    if not allowed:
        return f"{vnf.name}: no server (installed or purchasable) at the sites it may use, {where}"
    reasons = []
    for type_name in dict.fromkeys(slot.type.name for slot in allowed):
        slot = next(s for s in allowed if s.type.name == type_name)
        for k in problem.kinds_of(vnf.name):
            kind = problem.kinds[k]
            reserve = problem.reserve(kind.form, slot)
            nodes = slot.type.numa_nodes if vnf.numa_aligned else 1
            if fits(kind.demand, reserve, slot.capacity, nodes):
                continue
            for r, cap in enumerate(slot.capacity):
                factor = nodes if (vnf.numa_aligned and r in (0, 1, 4)) else 1
                need = kind.demand[r] + reserve[r] / factor
                share = cap / factor
                if need > share:
                    scope = f"one of {nodes} NUMA nodes of " if factor > 1 else ""
                    reasons.append(
                        f"as a {kind.form.value} it needs {_fmt(need / problem.units[r])} "
                        f"{RESOURCE_NAMES[r]} with the host reserve, {scope}{type_name} has "
                        f"{_fmt(share / problem.units[r])}"
                    )
                    break
    return f"{vnf.name}: its flavor fits no server it may use at {where}: " + "; ".join(reasons)


_UNIT_OF = {
    Scope.HOST: ("hosts", lambda slot: slot.id),
    Scope.RACK: ("racks", lambda slot: (slot.site.name, slot.rack)),
    Scope.SITE: ("sites", lambda slot: slot.site.name),
}


def _units(vnf: Vnf, slots: list[Slot]) -> int:
    """How many distinct hosts/racks/sites `slots` offer (a slot is one host)."""
    assert vnf.anti_affinity is not None
    if vnf.anti_affinity is Scope.HOST:
        return len(slots)
    key = _UNIT_OF[vnf.anti_affinity][1]
    return len({key(slot) for slot in slots})


def _anti_affinity_units(vnf: Vnf, count: int, slots: list[Slot]) -> tuple[int, str]:
    """How many distinct hosts/racks/sites `slots` offer, and the sentence an operator reads."""
    assert vnf.anti_affinity is not None
    unit = _UNIT_OF[vnf.anti_affinity][0]
    units = _units(vnf, slots)
    sentence = (
        f"{vnf.name}: anti_affinity {vnf.anti_affinity.value} needs {count} {unit} "
        f"at {_sites_of(slots)}, which has {units}"
    )
    return units, sentence


def _too_few_units(problem: Problem, vnf: Vnf) -> str | None:
    """More anti-affine (or isolated) replicas than hosts, racks or sites to put them on."""
    count = problem.counts[vnf.name]
    slots = _candidate_slots(problem, vnf.name)
    if vnf.anti_affinity is not None and count > _units(vnf, slots):
        return _anti_affinity_units(vnf, count, slots)[1]  # the sentence only when it fails
    if vnf.isolated and count > len(slots):
        return (
            f"{vnf.name}: isolation host needs {count} dedicated servers at {_sites_of(slots)}, "
            f"which has {len(slots)} that fit it"
        )
    return _too_few_hosts_for_spares(problem, vnf)


def _spare_hosts(problem: Problem, vnf: Vnf) -> int:
    """The fewest servers a VNF's instances must spread over so that losing any one leaves what
    its traffic needs: 2 when it may add instances (2 x needed, half on each survives), else
    ceil(count / spares)."""
    if problem.scales_with_traffic(vnf.name):
        return 2
    return -(-problem.counts[vnf.name] // vnf.redundancy)


def _too_few_hosts_for_spares(problem: Problem, vnf: Vnf) -> str | None:
    """Spares that cannot survive a host failure: fewer servers than the spread needs."""
    if problem.needed_after_failure(vnf.name) is None:
        return None
    slots = _candidate_slots(problem, vnf.name)
    hosts = _spare_hosts(problem, vnf)
    if len(slots) >= hosts:
        return None
    return (
        f"{vnf.name}: redundancy {vnf.redundancy} needs {hosts} hosts at {_sites_of(slots)}, "
        f"which has {len(slots)}"
    )


def _volume(problem: Problem) -> list[str]:
    """Resources whose least possible demand exceeds what the allowed servers can ever hold."""
    # VNFs grouped by candidate slots; `candidate_key` keeps the inclusion order of those sets
    # while being far smaller (per (site, type) group) at operator scale.
    groups: dict[frozenset[int], list[str]] = defaultdict(list)
    for name in problem.vnf_names:
        key = problem.candidate_key(name)
        if key:
            groups[key].append(name)
    least = {
        name: [min(problem.kinds[k].demand[r] for k in problem.kinds_of(name)) for r in range(5)]
        for names in groups.values()
        for name in names
    }
    messages = []
    for indices, owners in groups.items():
        members = [n for key, names in groups.items() if key <= indices for n in names]
        slots = _candidate_slots(problem, owners[0])
        for r, resource in enumerate(RESOURCE_NAMES):
            need = sum(problem.counts[n] * least[n][r] for n in members)
            have = sum(slot.capacity[r] for slot in slots)
            if need > have:
                messages.append(
                    f"{resource}: {', '.join(members)} need at least "
                    f"{_fmt(need / problem.units[r])} at {_sites_of(slots)}, whose "
                    f"{len(slots)} servers (installed and purchasable) hold "
                    f"{_fmt(have / problem.units[r])}"
                )
    return messages


def cheap_checks(problem: Problem) -> list[str]:
    """Necessary conditions, each failure with the numbers; empty when all pass."""
    messages = []
    for vnf in problem.scenario.vnfs.values():
        if problem.counts[vnf.name] == 0:
            continue
        message = _no_fit(problem, vnf) or _too_few_units(problem, vnf)
        if message:
            messages.append(message)
    messages += _recovery_budgets(problem)
    if not messages:
        messages = _volume(problem)
    if not messages and problem.scenario.services:
        # Chain paths (the latency check) exist only on a problem built with routing; the cuts
        # need the links alone, so they also run on the light problem (`solve()` does when the
        # routing-aware greedy finds no plan, before any chain path is enumerated).
        if problem.routing is not None:
            messages = _unreachable_demands(problem)
        messages = messages or _cuts(problem) or flow_cuts(problem)
    return messages


# -- recovery budgets (issue 17, "recovery") ---------------------------------------------------


def _ms(value: float) -> str:
    """Seconds to the millisecond, as the budgets are reckoned (20.002, not 20.00)."""
    return f"{round(value, 3):g}"


def _recovery_budgets(problem: Problem) -> list[str]:
    """A resilience re-placement (the plan kept, `Scenario.degraded`) that must start an
    instance of a VNF with `max_recovery_seconds` (it needs more than the kept ones) where no
    surviving server can start it in time: none holds its image in a form that boots in time,
    and none pulls it fast enough. The fastest start offered is a lower bound (a host's other
    pulls only add to it), so the check is a necessary condition. A nested instance skips the
    pull only in a surviving worker VM with room that runs it (`lifecycle.worker_spare`); in
    a new worker it pulls and boots the worker first, whatever its host holds."""
    from nfvplan.lifecycle import image_pull_seconds, pull_sources

    current = problem.current
    if current is None or not current.keep or not problem.scenario.degraded:
        return []
    sources = None
    messages = []
    for name in current.names:
        vnf = problem.scenario.vnfs[name]
        budget = vnf.max_recovery_seconds
        if budget is None:
            continue
        kinds = set(problem.kinds_of(name))
        kept = sum(count for (k, _s), count in current.stay.items() if k in kinds)
        if problem.counts[name] <= kept:
            continue  # nothing of it has to start (a failed site's traffic may need fewer)
        sources = sources if sources is not None else pull_sources(problem.scenario)
        best: tuple[float, str] | None = None
        for k in problem.kinds_of(name):
            kind = problem.kinds[k]
            boot = problem.scenario.platform.form(kind.form).boot_seconds or 0.0
            nested = kind.form is Form.NESTED
            inner = problem.scenario.platform.container.boot_seconds or 0.0
            for s in problem.candidates[k]:
                slot = problem.slots[s]
                if nested and current.spare.get((k, s)):  # a surviving worker takes it in
                    start = inner
                    how = f"{_ms(inner)} s boot (container, in a surviving worker VM)"
                elif current.stay.get((k, s)) and not nested:
                    start, how = boot, f"{_ms(boot)} s boot ({kind.form.value}, image cached)"
                else:
                    pull = image_pull_seconds(
                        sources.get(slot.site.name), vnf.image_gib.of(kind.form)
                    )
                    if pull is None:
                        continue
                    start = pull + boot
                    how = f"{_ms(pull)} s pull + {_ms(boot)} s boot ({kind.form.value})"
                if best is None or start < best[0]:
                    best = (start, f"{how} on {slot.id}")
        if best is not None and best[0] <= budget + 1e-6:
            continue
        fastest = (
            "no surviving server can pull its image (the registry is out of reach)"
            if best is None
            else f"the fastest start is {_ms(best[0])} s: {best[1]}"
        )
        boots = [problem.scenario.platform.form(form).boot_seconds or 0.0 for form in vnf.forms]
        remedy = (
            f"booting alone takes {_ms(min(boots))} s"
            if min(boots) > budget
            else "a restart within the budget needs a surviving host that already runs it"
            + (
                " (for container-in-vm, a worker VM of it with room)"
                if Form.NESTED in vnf.forms
                else ""
            )
        )
        messages.append(
            f"{name}: max_recovery_seconds {_ms(budget)} cannot be met: {fastest}; {remedy}"
        )
    return messages


def _demand_name(service: str, index: int, demand) -> str:
    end = f" to {demand.target}" if demand.target else ""
    return f"{service} demand {index} ({demand.gbps:g} Gbps from {demand.source}{end})"


def _unreachable_demands(problem: Problem) -> list[str]:
    """Demands with no chain path at all, or none within their latency budget."""
    assert problem.routing is not None
    messages = []
    cache = PathCache(build_graph(problem.scenario))
    for entry in problem.routing.demands:
        if entry.paths:
            continue
        name = _demand_name(entry.service, entry.index, entry.demand)
        choices = [
            list(dict.fromkeys(s.site.name for s in _candidate_slots(problem, vnf)))
            for vnf in entry.chain
        ]
        missing = [vnf for vnf, sites in zip(entry.chain, choices, strict=True) if not sites]
        if missing:
            messages.append(f"{name}: no server can host {', '.join(missing)}")
            continue
        unbounded = replace(entry.demand, max_latency_ms=None)
        fastest, _complete = chain_paths(cache, unbounded, choices, 1, 10**6)
        if not fastest:
            messages.append(f"{name}: no physical path connects the sites of its chain")
            continue
        best = min(fastest, key=lambda p: p.latency_ms)
        stops = ", ".join(
            f"{vnf} at {site}" for vnf, site in zip(entry.chain, best.vnf_sites, strict=True)
        )
        fastest_text = f"{best.latency_ms:g} ms ({stops}, path {' - '.join(best.sites)})"
        messages.append(
            f"{name}: every chain path exceeds its max_latency_ms "
            f"{entry.demand.max_latency_ms:g}: "
            + _latency_shortfall(problem.scenario, entry.chain, entry.demand, fastest_text)
        )
    return messages


def _latency_shortfall(
    scenario: Scenario, chain: tuple[str, ...], demand: Demand, fastest: str
) -> str:
    """Why the fastest path misses the budget, in the terms the router uses: the links get
    the budget less the chain's VNF processing (`routing.network_budget`), so a message that
    compared the links' time with the whole budget would blame a path that looks fast enough."""
    processing = processing_ms(scenario, chain)
    if processing == 0:
        return f"the fastest takes {fastest}"
    budget = demand.max_latency_ms
    assert budget is not None  # no path within the budget: there is one
    parts = ", ".join(
        f"{name} {scenario.vnfs[name].latency_ms:g} ms"
        for name in chain  # once per visit, as the router counts it
        if scenario.vnfs[name].latency_ms
    )
    spent = f"{budget:g} ms less {processing:g} ms of VNF processing ({parts})"
    left = network_budget(demand, processing)
    if left < 0:
        return f"{spent} leaves no time for the network; the fastest path takes {fastest}"
    return f"{spent} leaves {left:g} ms for the network; the fastest path takes {fastest}"


def _cuts(problem: Problem) -> list[str]:
    """Sites whose links cannot carry the demands that must leave or enter them."""
    scenario = problem.scenario
    site_of = {vnf: {s.site.name for s in _candidate_slots(problem, vnf)} for vnf in scenario.vnfs}
    must_cross: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for service in scenario.services.values():
        for index, demand in enumerate(service.demands):
            name = f"{service.name} demand {index}"
            ends = [demand.source] + ([demand.target] if demand.target else [])
            for site in dict.fromkeys(ends):
                stays = all(site in site_of[vnf] for vnf in service.chain) and all(
                    end == site for end in ends
                )
                if not stays:
                    must_cross[site].append((name, demand.gbps))
    messages = []
    for site, crossing in must_cross.items():
        capacity = sum(link.gbps for link in scenario.links if site in (link.a, link.b))
        total = sum(gbps for _name, gbps in crossing)
        if total > capacity + 1e-9:
            listed = ", ".join(f"{name} {gbps:g}" for name, gbps in crossing)
            messages.append(
                f"links at {site} carry at most {capacity:g} Gbps, but the demands that must "
                f"leave or enter it total {total:g} Gbps ({listed})"
            )
    return messages


# -- cuts anywhere in the network (issue 13) ---------------------------------------------------

_FROM = ("from",)  # the super-source and super-sink: tuples, so no site name can be one
_TO = ("to",)
CUT_REL_TOL = 1e-5
CUT_ABS_TOL = 1e-3
"""A cut is reported only when the Gbps exceed its max flow by more than this (1 Mbit/s and
10 ppm): more than the checker's own float slack on the cut's links (`check._core.fits`), so a
plan the checker would pass is never declared impossible."""
SHOWN = 5
"""Sites or links named in a message before the rest are counted."""


class _Network:
    """The physical links as a flow network: each link an arc each way with its `gbps`.

    A link's two directions share its `gbps` (the solver's and the checker's rule), but for one
    commodity flowing toward one place the largest flow with an arc of `gbps` each way equals
    the largest with the capacity shared (opposite flows on a link cancel), so this is exact
    for the relaxation the checks use. Built once; each check adds its super nodes and removes
    them (no copy of the graph per check).
    """

    def __init__(self, scenario: Scenario) -> None:
        self.graph = nx.DiGraph()
        self.graph.add_nodes_from(scenario.sites)
        self.links: dict[tuple[str, str], Link] = {}
        for link in scenario.links:
            for u, v in ((link.a, link.b), (link.b, link.a)):
                self.graph.add_edge(u, v, capacity=link.gbps)
                self.links[(u, v)] = link
        # Per connected part: its narrowest link. Ends that all reach the sink within one part
        # whose narrowest link holds their whole total pass without a max flow (any path per
        # end: no link carries more than the total), which skips almost every site.
        self.part: dict[str, int] = {}
        self.narrowest: list[float] = []
        for index, members in enumerate(nx.weakly_connected_components(self.graph)):
            self.part.update(dict.fromkeys(members, index))
            gbps = [self.links[(u, v)].gbps for u in members for v in self.graph.successors(u)]
            self.narrowest.append(min(gbps, default=float("inf")))

    def shortfall(self, ends: dict[str, float], sinks: set[str]) -> _Cut | None:
        """The minimum cut between `ends` (each sending its Gbps) and `sinks` when it holds
        less than the ends' total, else None."""
        need = sum(ends.values())
        parts = {self.part[site] for site in sinks}
        if all(self.part[end] in parts for end in ends) and need <= min(
            self.narrowest[self.part[end]] for end in ends
        ):
            return None
        graph = self.graph
        sink = next(iter(sinks)) if len(sinks) == 1 else _TO
        for end, gbps in ends.items():
            graph.add_edge(_FROM, end, capacity=gbps)
        if sink is _TO:
            graph.add_edges_from((site, _TO) for site in sinks)  # no capacity: unbounded
        try:
            most, (near, _far) = nx.minimum_cut(graph, _FROM, sink)
        finally:
            graph.remove_node(_FROM)
            if sink is _TO:
                graph.remove_node(_TO)
        if need <= most * (1 + CUT_REL_TOL) + CUT_ABS_TOL:
            return None
        links = [
            self.links[(u, v)]
            for u in near
            if u is not _FROM
            for v in graph.successors(u)
            if v not in near
        ]
        beyond = {end: gbps for end, gbps in ends.items() if end in near}
        return _Cut(need, most, links, beyond)


@dataclass(frozen=True)
class _Cut:
    """A cut too narrow for the traffic across it: `need` Gbps against `most` (its max flow);
    `links` hold `sum(gbps)` < the Gbps of the ends `beyond` them (need - most more)."""

    need: float
    most: float
    links: list[Link]
    beyond: dict[str, float]

    def text(self, to: str, whose: str) -> str:
        """The cut's links and what lies beyond them: 'links A - B 400, ... (800 Gbps) are
        the only way to {to} from X, Y and 3 more sites, {whose} N Gbps'."""
        ordered = sorted(self.links, key=lambda link: (-link.gbps, link.a, link.b))
        each = len(ordered) > 1  # one link's Gbps is the total in brackets
        shown = ", ".join(
            f"{link.a} - {link.b}" + (f" {link.gbps:g}" if each else "") for link in ordered[:SHOWN]
        )
        if len(ordered) > SHOWN:
            shown += f" and {len(ordered) - SHOWN} more"
        held = sum(link.gbps for link in self.links)
        sites = sorted(self.beyond, key=lambda site: (-self.beyond[site], site))
        named = ", ".join(sites[:SHOWN])
        if len(sites) > SHOWN:
            named += f" and {len(sites) - SHOWN} more sites"
        total = sum(self.beyond.values())
        if not ordered:
            return f"no link joins {to} to {named}, {whose} {total:g} Gbps"
        links, are = ("link", "is") if len(ordered) == 1 else ("links", "are")
        return (
            f"{links} {shown} ({held:g} Gbps) {are} the only way to {to} from {named}, "
            f"{whose} {total:g} Gbps"
        )


def flow_cuts(problem: Problem) -> list[str]:
    """Cuts anywhere in the network too narrow for the demands that must cross them: a
    necessary condition, by max flow on the physical links (latency and chain order ignored).

    `_cuts` looks only at a site's own links; a narrow cut two hops out (a ring of 400 Gbps
    links around a core with 1 000 Gbps of demands into it) passes it and left the solver to
    enumerate chain paths and search to the time limit for a plan that cannot exist.

    - Per site: each demand between it and another site carries its Gbps between the two
      (from source to target, either way: a link's directions share its Gbps), so the largest
      flow from the other ends into the site must reach their total.
    - Per VNF that runs at only some sites (its candidate sites): each demand through it
      carries its Gbps from its source to one of those sites and from there to its target, so
      the flow from the ends outside them (a demand back to its own source counts twice) into
      those sites must reach their total.
    """
    scenario = problem.scenario
    network: _Network | None = None
    ends_at: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    through: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for service in scenario.services.values():
        for demand in service.demands:
            if demand.target and demand.target != demand.source:
                ends_at[demand.target][demand.source] += demand.gbps
                ends_at[demand.source][demand.target] += demand.gbps
            for vnf in dict.fromkeys(service.chain):
                through[vnf][demand.source] += demand.gbps
                if demand.target:
                    through[vnf][demand.target] += demand.gbps
    messages = []
    order = {site: index for index, site in enumerate(scenario.sites)}  # the file's order
    for site in sorted(ends_at, key=lambda site: order.get(site, len(order))):
        network = network or _Network(scenario)
        cut = network.shortfall(ends_at[site], {site})
        if cut is not None:
            messages.append(
                f"links between {site} and the other ends of its demands carry at most "
                f"{cut.most:g} Gbps, but those demands total {cut.need:g} Gbps: "
                + cut.text("it", "whose demands with it total")
            )
    for vnf, ends in through.items():
        sites = {s.site.name for s in _candidate_slots(problem, vnf)}
        outside = {end: gbps for end, gbps in ends.items() if end not in sites}
        if not sites or not outside:  # no server for it is another check's (`_no_fit`)
            continue
        network = network or _Network(scenario)
        cut = network.shortfall(outside, sites)
        if cut is not None:
            where = ", ".join(sorted(sites)) if len(sites) <= SHOWN else f"{len(sites)} sites"
            messages.append(
                f"{vnf} can run only at {where}: links carry at most {cut.most:g} Gbps "
                f"between those sites and the sources and targets (elsewhere) of the demands "
                f"through it, which need {cut.need:g} Gbps: "
                + cut.text("them", f"whose traffic to and from {vnf} totals")
            )
    return messages


def describe(scenario: Scenario, problem: Problem, requirement: Requirement) -> str:
    """One requirement in the operator's terms, with the numbers that make it bind."""
    family, name = requirement
    if family == "demand":
        return _describe_demand(scenario, name)
    vnf = scenario.vnfs[name]
    if family == "count":
        count = problem.counts[name]
        if vnf.replicas is not None:
            return f"{name}: {count} replica{'s' if count != 1 else ''}"
        each = _fmt(vnf.throughput_gbps or 0)
        return f"{name}: {count} instances ({each} Gbps each, {vnf.redundancy} of them spare)"
    if family == "anti_affinity":
        assert vnf.anti_affinity is not None
        slots = _candidate_slots(problem, name)
        allowed = [s for s in slots if vnf.sites is None or vnf.sites.allows(s.site)]
        return _anti_affinity_units(vnf, problem.counts[name], allowed)[1]
    if family == "sites":
        assert vnf.sites is not None
        allowed = sorted({s.site.name for s in _allowed_slots(problem, vnf)})
        return f"{name}: may only run at {vnf.sites.describe()} ({', '.join(allowed) or 'none'})"
    if family == "trust":
        return (
            f"{name}: as a container it only shares a host with containers of trust domain "
            f"'{vnf.trust}'"
        )
    if family == "isolation":
        return f"{name}: isolation host, each instance takes a whole server"
    if family == "redundancy":
        return (
            f"{name}: redundancy {vnf.redundancy}, losing any one host must leave the "
            f"{problem.counts[name] - vnf.redundancy} instances its traffic needs"
        )
    return f"{name}: {family}"


def _describe_demand(scenario: Scenario, key: str) -> str:
    """A demand requirement: carried in full within its latency budget."""
    service, index = key.rsplit("#", 1)
    demand = scenario.services[service].demands[int(index)]
    budget = f" within {demand.max_latency_ms:g} ms" if demand.max_latency_ms is not None else ""
    return f"{_demand_name(service, int(index), demand)} carried in full{budget}"


def explain_conflict(
    scenario: Scenario, problem: Problem, limits: RunLimits, deadline: float
) -> list[str]:
    """Find and shrink a conflicting set of requirements with CP-SAT assumptions.

    Runs only once the scenario is proven infeasible (status `infeasible`), until `deadline`
    (a `time.perf_counter()` value: the solve's own, so the time limit holds here too) but for
    at most `budget.EXPLAIN_S`, under a stop at that deadline. With less than
    `EXPLAIN_MIN_STEP_S` left it says there was no time rather than starting a search.
    """
    started = time.perf_counter()
    end = min(deadline, started + EXPLAIN_S)
    if end - started < EXPLAIN_MIN_STEP_S:
        return [NO_TIME]
    with stop_at(end):
        try:
            return _explain(scenario, problem, limits, end)
        except Stopped:
            return [NO_CORE]


def _explain(scenario: Scenario, problem: Problem, limits: RunLimits, end: float) -> list[str]:
    seed = limits.seed
    routing = problem.routing
    relaxed = build_problem(
        scenario,
        problem.objective,
        ignore_sites=True,
        k_paths=routing.k if routing else DEFAULT_K_PATHS,
        path_cap=routing.cap if routing else DEFAULT_PATH_CAP,
    )
    relaxed.counts = problem.counts
    core = list(dict.fromkeys(_conflict(relaxed, end - time.perf_counter(), seed)))
    if not core:
        return [NO_CORE]
    minimal = True
    for requirement in list(core):
        remaining = end - time.perf_counter()
        if remaining <= EXPLAIN_MIN_STEP_S:
            minimal = False
            break
        trial = [r for r in core if r != requirement]
        try:
            outcome = _feasible(relaxed, trial, min(remaining, EXPLAIN_STEP_S), seed)
        except Stopped:  # Ctrl-C or the explanation's own deadline while building
            minimal = False
            break
        if outcome is False:
            core = trial
        elif outcome is None:
            minimal = False
    lead = (
        "these requirements cannot all hold with the servers available (dropping any one "
        "of them would allow a plan):"
        if minimal
        else "these requirements conflict with the servers available (the search for a "
        "smaller set ran out of time):"
    )
    return [lead] + [describe(scenario, problem, r) for r in core]


def _conflict(relaxed: Problem, seconds: float, seed: int) -> list[Requirement]:
    """The requirements in CP-SAT's infeasibility core, all behind assumption literals."""
    model = AssignmentModel(relaxed, relaxable=True)
    solver = make_solver(max(0.1, seconds), seed=seed)
    if solver.solve(model.cp) != cp_model.INFEASIBLE:
        return []
    return [model.requirement_of[i] for i in solver.sufficient_assumptions_for_infeasibility()]


def _feasible(
    relaxed: Problem, active: list[Requirement], seconds: float, seed: int
) -> bool | None:
    """Whether a plan exists with only `active` requirements enforced; None when undecided."""
    model = AssignmentModel(relaxed, relaxable=True, active=set(active))
    status = make_solver(seconds, seed=seed).solve(model.cp)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return True
    if status == cp_model.INFEASIBLE:
        return False
    return None
