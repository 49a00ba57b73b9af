"""A configuration-LP bound that scales: one column generation per independent part.

Without service routing, the only thing two sites share is a VNF that may run at both (a pooled
VNF). Join every VNF to the sites of its candidate servers: the connected parts ("components")
share nothing. In a generated operator scenario each edge site with its own VNFs is a part, the
core sites with the core pool are one, the regional sites with the regional pool another.

Why the sum of the parts' bounds is a bound for the whole, whatever the split between sites:

- every instance of a plan sits on a candidate server of its VNF, so inside its VNF's part;
  a server in use holds at least one instance, so it belongs to exactly one part. The plan's
  cost (servers used + licences, or servers used) is therefore the sum of what each part costs;
- the instances a plan puts in one part form a feasible plan of that part's scenario alone
  (same servers, same VNFs with the same counts, every rule of the part is a rule of the whole);
  so each part's cost is at least that part's optimum, and at least any valid lower bound of it;
- summing: cost(plan) >= sum over parts of (the part's lower bound), for every plan.

Each part's bound is `patterns.pattern_bound` on the part's own scenario: its Lagrangian/Farley
bound is valid at any iteration, so a part that runs out of time still contributes a valid
(weaker) term. Small parts converge in a few rounds; the big pooled parts get the time left.
Counts come from the whole problem (no routing here: fixed counts are exact), so a part's
throughput-sized VNF keeps its count. Out-of-service servers stay out (the ids are kept).

Inside a part, VNFs that differ only by name and count are one pool for the bound (the
generator's `amf-set-1` ... `amf-set-39`: identical host-anti-affine sets). The pooled LP is a
relaxation of the part's: every configuration of the part, its pool members' counts summed, is a
configuration of the pool (at most one of each anti-affine member per server makes at most as
many as there are members), with the same cost, and the covering rows are sums of the part's.
So its bound is valid; it loses only what cannot be seen once the members are summed (which
member sits where), and its pricing knapsacks shrink from hundreds of items to a few dozen,
which is what lets the big pooled parts converge.

The same parts give plans: a part's configuration-LP plan (`PatternResult.hint`, completed
greedily for rules across servers) replaces the whole plan's restriction to that part when it
is cheaper. Parts are independent, so each part's choice is free of the others.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, replace

from nfvplan.model import Objective, Scenario, Scope, Vnf
from nfvplan.solver.budget import MIN_PART_S
from nfvplan.solver.data import COST_SCALE
from nfvplan.solver.greedy import greedy_plan
from nfvplan.solver.patterns import pattern_bound, supports
from nfvplan.solver.problem import Problem, build_problem
from nfvplan.solver.stop import Stopped, stop_requested

Counts = dict[tuple[int, int, int | None], int]


@dataclass(frozen=True)
class Component:
    """Sites and VNFs that share no candidate server with any other part."""

    sites: tuple[str, ...]
    vnfs: tuple[str, ...]


@dataclass
class PartResult:
    """What one part's column generation proved and found (costs in first-objective units)."""

    component: Component
    bound: int
    converged: bool
    seconds: float
    hint_cost: int | None = None


@dataclass
class DecomposedResult:
    """The whole problem's bound (sum of the parts'), and the best plan per part when any."""

    bound: int
    converged: bool
    parts: list[PartResult]
    hint: Counts | None = None
    seconds: float = 0.0


def components(problem: Problem) -> list[Component]:
    """The independent parts: VNFs joined to every site holding one of their candidates.

    VNFs with no instances to place are left out; sites no VNF can use are in no part (an
    unused server costs nothing). Parts come in the order of their first site (file order).
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra

    for name in problem.vnf_names:
        if problem.counts.get(name, 0) <= 0:
            continue
        node = "v:" + name
        parent.setdefault(node, node)
        for site_name in sorted(problem.candidate_sites(name)):
            site = "s:" + site_name
            parent.setdefault(site, site)
            union(node, site)
    members: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for site in problem.scenario.sites:
        if "s:" + site in parent:
            members[find("s:" + site)][0].append(site)
    for name in problem.vnf_names:
        if "v:" + name in parent:
            members[find("v:" + name)][1].append(name)
    return [Component(tuple(sites), tuple(vnfs)) for sites, vnfs in members.values()]


def component_scenario(problem: Problem, component: Component) -> Scenario:
    """The part alone: its sites (all their servers) and its VNFs with the whole's counts.

    Routing is not modelled by this path, so links and services go; a traffic-sized VNF gets its
    fixed count as replicas. Server numbering is per site and type, so server ids are the same
    as in the whole scenario.
    """
    scenario = problem.scenario
    vnfs = {
        name: replace(
            scenario.vnfs[name],
            replicas=problem.counts[name],
            throughput_gbps=None,
        )  # `redundancy` kept: the part spreads the spares too (Problem.needed_after_failure)
        for name in component.vnfs
    }
    return replace(
        scenario,
        sites={site: scenario.sites[site] for site in component.sites},
        links=(),
        services={},
        vnfs=vnfs,
    )


def _pool_key(vnf: Vnf) -> str:
    """What a VNF is apart from its name and count; VNFs with rules across servers stay alone."""
    if vnf.anti_affinity in (Scope.RACK, Scope.SITE) or vnf.redundancy:
        return "alone:" + vnf.name
    return repr(replace(vnf, name="", replicas=None, throughput_gbps=None, redundancy=0))


@dataclass
class Pooled:
    """A part's scenario with identical VNFs pooled, and how to read its plans back."""

    problem: Problem
    members: dict[str, list[str]]
    """Pool name (its first member's) -> member VNF names of the whole."""
    caps: dict[str, int]
    """Most instances of a pool per server (one per member, for host-anti-affine members)."""


def pooled_problem(problem: Problem, component: Component) -> Pooled:
    """The part alone with identical VNFs pooled: the relaxation the bound is computed on."""
    scenario = component_scenario(problem, component)
    pools: dict[str, list[str]] = defaultdict(list)
    for name in component.vnfs:
        pools[_pool_key(scenario.vnfs[name])].append(name)
    vnfs: dict[str, Vnf] = {}
    members: dict[str, list[str]] = {}
    caps: dict[str, int] = {}
    for names in pools.values():
        first = scenario.vnfs[names[0]]
        total = sum(problem.counts[n] for n in names)
        if len(names) > 1 and first.anti_affinity is Scope.HOST:
            caps[names[0]] = len(names)
            first = replace(first, anti_affinity=None)
        vnfs[names[0]] = replace(first, replicas=total)
        members[names[0]] = names
    sub = build_problem(replace(scenario, vnfs=vnfs), problem.objective)
    for k, kind in enumerate(sub.kinds):
        cap = caps.get(kind.vnf.name)
        if cap is not None:
            sub.bounds.cap(k, cap)
    return Pooled(sub, members, caps)


def reindex(source: Problem, target: Problem, counts: Counts) -> Counts:
    """A plan of `source` in `target`'s kind and slot indices (matched by VNF, form, server id)."""
    slot_of = {slot.id: slot.index for slot in target.slots}
    kind_of = {(kind.vnf.name, kind.form): k for k, kind in enumerate(target.kinds)}
    result: Counts = {}
    for (k, s, node), count in counts.items():
        kind = source.kinds[k]
        key = (kind_of[(kind.vnf.name, kind.form)], slot_of[source.slots[s].id], node)
        result[key] = result.get(key, 0) + count
    return result


def to_whole(
    problem: Problem, component: Component, pooled: Pooled, counts: Counts
) -> Counts | None:
    """A pooled part's plan in the whole problem's indices, pools dealt out to their members.

    Servers are matched by id. A pool's instances on a server go to members with the most
    instances still to place (one per member on a server when they are host-anti-affine): the
    largest-remaining rule, servers fullest first. What cannot be dealt (a server holding more
    of a pool than it has members: the greedy completion does not know the pool's cap) is left
    out and placed again by the greedy on the part's own scenario. None when that fails.
    """
    part = pooled.problem
    slot_of = {slot.id: slot.index for slot in problem.slots}
    kind_of = {(kind.vnf.name, kind.form): k for k, kind in enumerate(problem.kinds)}
    left = {n: problem.counts[n] for names in pooled.members.values() for n in names}
    per_pool: dict[str, list[tuple[int, int, int | None, int]]] = defaultdict(list)
    for (k, s, node), count in counts.items():
        kind = part.kinds[k]
        per_pool[kind.vnf.name].append((count, slot_of[part.slots[s].id], node, k))
    result: Counts = {}
    for pool, entries in per_pool.items():
        names = pooled.members[pool]
        anti = problem.scenario.vnfs[names[0]].anti_affinity is Scope.HOST
        entries.sort(key=lambda e: (-e[0], e[1]))
        on_server: dict[int, set[str]] = defaultdict(set)  # members already on a server
        for count, s, node, k in entries:
            form = part.kinds[k].form
            todo = count
            used = on_server[s]  # one server may hold the pool in several forms and nodes
            while todo > 0:
                options = [n for n in names if left[n] > 0 and not (anti and n in used)]
                if not options:
                    break
                name = max(options, key=lambda n: left[n])
                take = 1 if anti else min(todo, left[name])
                key = (kind_of[(name, form)], s, node)
                result[key] = result.get(key, 0) + take
                left[name] -= take
                used.add(name)
                todo -= take
    if any(left.values()):
        real = build_problem(component_scenario(problem, component), problem.objective)
        completed = greedy_plan(real, reindex(problem, real, result))
        return None if completed is None else reindex(real, problem, completed)
    return result


def decomposed_bound(
    problem: Problem, budget_s: float, seed: int, start: Counts | None = None
) -> DecomposedResult | None:
    """Sum of the parts' configuration-LP bounds within `budget_s`; a better plan when found.

    Parts are solved smallest first, each with its share (by instances) of the time left, so
    time a small part does not need rolls over to the big pooled parts. With `start` (a whole
    plan), the returned `hint` is `start` with each part replaced by the part's own plan where
    that is cheaper. None when the objective has no configuration bound or routing is modelled.
    """
    if not supports(problem) or problem.routing is not None:
        return None
    started = time.perf_counter()
    parts = components(problem)
    if not parts:
        return None
    size = {c: sum(problem.counts[n] for n in c.vnfs) for c in parts}
    parts.sort(key=lambda c: size[c])
    owner = {name: c for c in parts for name in c.vnfs}
    by_part: dict[Component, Counts] = defaultdict(dict)
    for key, count in (start or {}).items():
        by_part[owner[problem.kinds[key[0]].vnf.name]][key] = count
    results: list[PartResult] = []
    hint: Counts = {}
    total = 0
    converged = True
    for i, component in enumerate(parts):
        left = budget_s - (time.perf_counter() - started)
        rest = sum(size[c] for c in parts[i:]) or 1
        share = 0.0 if stop_requested() else max(MIN_PART_S, left * size[component] / rest)
        part, best = _solve_part(problem, component, share, seed, by_part.get(component))
        if best is None and start is not None:
            hint = {}
            start = None  # the start plan misses this part and nothing replaced it
        if start is not None and best is not None:
            hint.update(best)
        results.append(part)
        total += part.bound
        converged = converged and part.converged
    return DecomposedResult(
        bound=total,
        converged=converged,
        parts=results,
        hint=hint if start is not None and hint else None,
        seconds=time.perf_counter() - started,
    )


UNPOOLED_GAP = 0.005
"""A part whose plan is further than this above its pooled bound tries the unpooled LP too."""


def _solve_part(
    problem: Problem, component: Component, share: float, seed: int, own: Counts | None
) -> tuple[PartResult, Counts | None]:
    """One part's bound within `share` seconds, and its cheapest plan (`own` or the LP's).

    The pooled LP first (it converges fast on big pools); when time is left and the part's
    plan is still above that bound, the part's own (unpooled) LP too, which sees each member's
    count and can only be as strong or stronger once converged: the larger bound is kept (both
    are valid), and the cheaper plan.
    """
    part = PartResult(component, 0, False, 0.0)
    if share <= 0:
        return part, own
    try:
        return _solve_part_within(problem, component, share, seed, own, part)
    except Stopped:  # Ctrl-C or the stage's deadline while a part's problem was being built
        return part, own


def _solve_part_within(
    problem: Problem,
    component: Component,
    share: float,
    seed: int,
    own: Counts | None,
    part: PartResult,
) -> tuple[PartResult, Counts | None]:
    """`_solve_part` once the part has time; fills `part` as it goes."""
    started = time.perf_counter()
    best = own
    pooled = pooled_problem(problem, component)
    found = pattern_bound(pooled.problem, share, seed, pooled.caps)
    candidates: list[Counts] = []
    if found is not None:
        part.bound, part.converged = found.bound, found.converged
        if found.hint:
            mine = to_whole(problem, component, pooled, found.hint)
            if mine is not None:
                candidates.append(mine)
    left = share - (time.perf_counter() - started)
    pools = any(len(names) > 1 for names in pooled.members.values())

    def cheapest() -> int | None:
        costs = [problem.plan_cost(c) for c in candidates + ([own] if own else [])]
        return min(costs) if costs else None

    value = cheapest()
    if pools and left >= MIN_PART_S and (value is None or value > part.bound * (1 + UNPOOLED_GAP)):
        real = build_problem(component_scenario(problem, component), problem.objective)
        again = pattern_bound(real, left, seed)
        if again is not None:
            if again.bound > part.bound:
                part.bound, part.converged = again.bound, again.converged
            if again.hint:
                candidates.append(reindex(real, problem, again.hint))
    part.bound = _rounded_up(problem, component, part.bound)
    if candidates:
        mine = min(candidates, key=problem.plan_cost)
        part.hint_cost = problem.plan_cost(mine)
        if own is None or part.hint_cost < problem.plan_cost(own):
            best = mine
    part.seconds = time.perf_counter() - started
    return part, best


def _rounded_up(problem: Problem, component: Component, bound: int) -> int:
    """The part's bound raised to the next cost a plan of the part can have.

    For the cost objective a part's plan costs its licences L (fixed: every instance pays its
    VNF's licence, whatever its server) plus the costs of the servers it uses. Those are all
    multiples of g, the gcd of the costs of the part's candidate servers, so any plan costs
    L + g * (a whole number): a bound B proves L + g * ceil((B - L) / g). When every server of
    the part costs the same this is "whole servers", often a full server more than the LP.
    (A traffic-sized VNF may exceed its count: its licence then joins the gcd.)
    """
    if problem.objective is not Objective.COST:
        return bound
    names = set(component.vnfs)
    costs = {
        problem.slots[s].cost
        for k, kind in enumerate(problem.kinds)
        if kind.vnf.name in names
        for s in problem.candidates[k]
    }
    # A traffic-sized VNF may run more instances than its count, each paying its licence.
    costs |= {
        round(problem.scenario.vnfs[name].license_monthly * COST_SCALE)
        for name in component.vnfs
        if problem.scales_with_traffic(name)
    }
    step = math.gcd(*costs) if costs else 0
    if step <= 0:
        return bound
    licences = sum(
        round(problem.scenario.vnfs[name].license_monthly * COST_SCALE) * problem.counts[name]
        for name in component.vnfs
    )
    if bound <= licences:
        return bound
    return licences + step * math.ceil((bound - licences) / step)


def improve_parts(
    problem: Problem, plan: Counts, result: DecomposedResult, budget_s: float, seed: int
) -> Counts:
    """`plan` with its unproven parts planned again by their configuration LP, given more time.

    Parts whose share of `plan` meets their bound are left alone; the others get `budget_s`
    in proportion to their distance from their bound (a longer integer master over the LP's
    columns is what improves a big pooled part; an exact site-by-site search on such a site
    did not, in 12 s, even match it). A part's new plan is kept only when cheaper.
    """
    started = time.perf_counter()
    owner = {name: i for i, part in enumerate(result.parts) for name in part.component.vnfs}
    by_part: dict[int, Counts] = defaultdict(dict)
    for key, count in plan.items():
        by_part[owner[problem.kinds[key[0]].vnf.name]][key] = count
    gaps = {
        i: problem.plan_cost(by_part[i]) - part.bound
        for i, part in enumerate(result.parts)
        if len(part.component.sites) > 1 and problem.plan_cost(by_part[i]) > part.bound
    }
    for i in sorted(gaps, key=lambda i: -gaps[i]):
        left = budget_s - (time.perf_counter() - started)
        share = left * gaps[i] / (sum(gaps[j] for j in gaps if gaps[j] <= gaps[i]) or 1)
        if share < 2 * MIN_PART_S or stop_requested():
            continue
        part, best = _solve_part(problem, result.parts[i].component, share, seed, by_part[i])
        if best is not None and problem.plan_cost(best) < problem.plan_cost(by_part[i]):
            by_part[i] = best
        if part.bound > result.parts[i].bound:
            result.bound += part.bound - result.parts[i].bound
            result.parts[i].bound = part.bound
    return {key: count for counts in by_part.values() for key, count in counts.items()}
