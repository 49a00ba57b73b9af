"""The site-by-site search: large plans without routing, re-planned exactly one site at a time.

At operator scale (thousands of instances on thousands of servers) one CP-SAT model over every
(kind, server) pair is too big to give a first plan within a minute. Without service routing,
sites interact only through how many instances of each pooled VNF each site runs (and site
anti-affinity, one per site): once those per-site counts are fixed, every rule left is about
one server, one rack or one site. So, after the start plan (greedy) and the bound stage (the
configuration LP part by part, `decompose.py`, whose part plans already replaced the greedy's
where cheaper), this search

1. gives the pooled parts still above their bound a longer configuration LP
   (`decompose.improve_parts`: its integer master is what improves a big pooled part);
2. keeps that plan's per-site counts, and re-plans each site not yet proven (its part above its
   bound) by the CP-SAT search on a scenario of that site alone, biggest sites first, each given
   a share of the time left; a site's new plan replaces its part only when it is cheaper.

The per-site optima are optimal only for the split, never claimed as optimal overall: the plan
is `optimal` only when the global (part-by-part) bound meets it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from nfvplan import wording
from nfvplan.model import Scenario, Scope
from nfvplan.solver.budget import (
    BUILD_S_PER_PAIR,
    MIN_SITE_S,
    PARTS_SHARE,
    SITE_KEEP_BACK,
    Budget,
    stop_at,
)
from nfvplan.solver.decompose import DecomposedResult, improve_parts, reindex
from nfvplan.solver.incumbent import Counts, Incumbent, RunLimits
from nfvplan.solver.nesting import pack
from nfvplan.solver.problem import Problem, build_problem
from nfvplan.solver.search import search_model
from nfvplan.solver.stop import Stopped, stop_requested

__all__ = ["LARGE_INSTANCES", "search_sites", "stop_at", "use_sitewise"]

LARGE_INSTANCES = 500
"""From this many instances a greedy first plan plus site-by-site search beats the whole model
(measured by benchmarks/scale.py: at 1 000 instances the whole model's first plan came after
30 s of a 60 s limit; see docs/performance.md)."""


def use_sitewise(problem: Problem) -> bool:
    """True for problems large enough that the whole model is slow, and without routing.

    A re-plan or a plan for failures stays on the whole model: the site-by-site search knows
    nothing of moves, pins or recovery.
    """
    return (
        problem.routing is None
        and problem.current is None
        and not problem.failures
        and sum(problem.counts.values()) >= LARGE_INSTANCES
    )


def search_sites(
    problem: Problem,
    incumbent: Incumbent,
    parts: DecomposedResult | None,
    budget: Budget,
    limits: RunLimits,
) -> Incumbent:
    """Improve the incumbent's plan part by part, then site by site, within the time left."""
    plan = incumbent.counts
    done: set[str] = set()
    if parts is not None:
        plan = improve_parts(problem, plan, parts, budget.left() * PARTS_SHARE, limits.seed)
        if parts.bound and (incumbent.bound is None or parts.bound > incumbent.bound):
            incumbent.bound = incumbent.relaxation_bound = parts.bound
        done = _proven_sites(problem, plan, parts)
    by_site: dict[str, Counts] = defaultdict(dict)
    for (k, s, node), count in plan.items():
        by_site[problem.slots[s].site.name][(k, s, node)] = count
    cost = {site: problem.plan_cost(by_site[site]) for site in by_site if site not in done}
    order = sorted(cost, key=lambda site: -cost[site])
    rest = sum(cost.values())  # of the sites not yet tried: their plans are still the same
    replanned = 0
    for site in order:
        if stop_requested():
            break
        weight = cost[site]
        share = weight / (rest or 1)
        rest -= weight
        seconds = SITE_KEEP_BACK * budget.left() * share
        if seconds < MIN_SITE_S:
            continue
        better = _replan_site(problem, site, by_site[site], limits, seconds)
        if better is not None and problem.nesting is not None and pack(problem, better) is None:
            better = None  # its workers are lost in re-indexing: keep a plan result.py can pack
        if better is not None and problem.plan_cost(better) < weight:
            by_site[site] = better
            replanned += 1
    merged = {key: c for part in by_site.values() for key, c in part.items()}
    value = problem.plan_cost(merged)
    notes = [
        *incumbent.notes,
        f"large scenario: greedy plan, then {wording.count(replanned, 'site')} re-planned "
        "exactly with "
        "the other sites' instance counts fixed; the bound is the configuration LP's, "
        "solved part by part",
    ]
    if incumbent.value is not None and value > incumbent.value:  # never worse than the start
        return replace(incumbent, notes=notes)
    if problem.nesting is not None and pack(problem, merged) is None:
        return replace(incumbent, notes=notes)  # re-planned parts whose workers do not pack
    return replace(incumbent, counts=merged, hint=merged, value=value, notes=notes)


def _proven_sites(problem: Problem, plan: Counts, result: DecomposedResult) -> set[str]:
    """Sites of the parts whose share of `plan` already costs no more than the part's bound."""
    owner = {name: i for i, part in enumerate(result.parts) for name in part.component.vnfs}
    cost: dict[int, Counts] = defaultdict(dict)
    for key, count in plan.items():
        cost[owner[problem.kinds[key[0]].vnf.name]][key] = count
    return {
        site
        for i, part in enumerate(result.parts)
        if problem.plan_cost(cost[i]) <= part.bound
        for site in part.component.sites
    }


def _replan_site(
    problem: Problem, site: str, part: Counts, limits: RunLimits, seconds: float
) -> Counts | None:
    """The best plan the CP-SAT search finds in `seconds` for one site with the given counts,
    starting from the site's part of the plan."""
    per_vnf: dict[str, int] = defaultdict(int)
    for (k, _s, _n), count in part.items():
        per_vnf[problem.kinds[k].vnf.name] += count
    try:
        sub_problem = build_problem(
            _site_scenario(problem.scenario, site, per_vnf), problem.objective
        )
    except Stopped:
        return None
    pairs = sum(len(slots) for slots in sub_problem.candidates.values())
    if pairs * BUILD_S_PER_PAIR > seconds:
        return None
    start = Incumbent(hint=reindex(problem, sub_problem, part))
    site_budget = Budget(seconds)
    with stop_at(site_budget.deadline):
        found = search_model(sub_problem, start, site_budget, replace(limits, progress=None))
    if not found.has_plan:
        return None
    return reindex(sub_problem, problem, found.counts)


def _site_scenario(scenario: Scenario, site: str, per_vnf: dict[str, int]) -> Scenario:
    """One site with its servers and exactly the instances the split gave it.

    Server numbering is per site and type, so the site's server ids are the same as in the whole
    scenario. Site anti-affinity is already satisfied by the split (one per site) and dropped;
    host and rack anti-affinity, trust, isolation and NUMA stay, as they are rules within a site.
    """
    vnfs = {}
    for name, count in per_vnf.items():
        vnf = scenario.vnfs[name]
        vnfs[name] = replace(
            vnf,
            replicas=count,
            throughput_gbps=None,
            sites=None,
            anti_affinity=None if vnf.anti_affinity is Scope.SITE else vnf.anti_affinity,
        )
    return replace(
        scenario,
        sites={site: scenario.sites[site]},
        links=(),
        services={},
        vnfs=vnfs,
    )
