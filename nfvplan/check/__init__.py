"""The independent checker behind `nfvplan check site.yaml plan.yaml`.

It re-verifies any plan, including a hand-edited one, against its scenario using only
`nfvplan.model` and `nfvplan.plan`. It never imports `nfvplan.solver` (nor OR-Tools) and shares
no computation with it, so a solver bug shows up as a violation instead of being repeated.

Every violated rule is reported, not just the first, in a fixed order: by rule family (the order
of `_FAMILIES`), then in plan order within a family. Figures compare with a tolerance of 1e-6
relative plus 1e-6 absolute, which also absorbs the 6-decimal rounding of written plans.

Where FORMAT.md is silent, the checker decides as follows:

- An instance's carried traffic is the sum of the Gbps of the routes whose `via` names it, once
  per route (the NIC is full duplex); it loads the NIC and counts against `throughput_gbps`.
- NUMA shares are checked only on nodes that hold aligned instances; other instances count
  towards the whole server alone, and may carry a `numa_node` hint if that node exists.
- The objective value is checked against the objective the plan names, which the CLI may have
  overridden, not against the scenario's `objective`.
- A plan made for another scenario is reported as that alone: every other rule would fail as
  a consequence of the wrong pairing, and bury the one message that matters.
- A plan-less status (infeasible, unknown) is checked only for naming the scenario, holding no
  placements, servers or routes, and giving an explanation: counting missing instances would
  bury the one message that matters.
- A placement with an unknown VNF or form is reported and left out of resource sums; one with an
  invalid server id is left out of everything about servers. With a duplicated instance name,
  every placement occupies its server, but routes refer to the first.
- The plan's `links` table is optional; once it lists any link, every loaded link must be listed.
- A route's `latency_ms` is its links' sum; against `max_latency_ms` the chain's per-VNF
  processing `latency_ms` (once per chain VNF) is added to it.
- Nested instances (`container-in-vm`) are checked in their worker VMs (`_nesting.py`): the
  workers fit the host (capacity, NUMA) like VMs, the containers fit their worker. Trust is kept
  by one domain per worker; host anti-affinity counts physical hosts, not workers.
- `redundancy` is checked at host level: with one server lost, the VNF's other instances still
  number what its demand needs. A scenario in recovery (`Scenario.degraded`) is exempt.
"""

from __future__ import annotations

from collections.abc import Callable

from nfvplan.check._colocation import (
    check_anti_affinity,
    check_isolation,
    check_redundancy,
    check_trust,
)
from nfvplan.check._core import Context, Violation
from nfvplan.check._nesting import check_nesting, check_worker_fit, check_workers
from nfvplan.check._placements import check_counts, check_placements, check_server_list
from nfvplan.check._resources import check_capacity, check_numa
from nfvplan.check._routes import check_demand_totals, check_links, check_routes, check_throughput
from nfvplan.check._summary import (
    check_objective,
    check_scenario_name,
    check_status,
    check_summary,
)
from nfvplan.model import Scenario
from nfvplan.plan import Plan

__all__ = ["RULES", "STALE_RULES", "Violation", "check_plan", "split_stale"]

RULES: dict[str, str] = {
    "status": "the status agrees with the content (no placements without a plan, a value with one)",
    "scenario": "the plan names the scenario it is checked against",
    "duplicate-instance": "instance names are unique",
    "vnf": "a placement names a VNF of the scenario",
    "form": "an instance runs in one of its VNF's forms",
    "server-id": (
        "server ids exist (site, type, 1..installed+expand) and agree with site/type/rack/bought"
    ),
    "site": "an instance runs at a site its VNF's `sites` allows",
    "server-usage": "servers listed are exactly those used, with the recomputed usage",
    "count": "replicas exactly, or enough instances for the demand plus redundancy",
    "capacity": "each server's reserves and instances fit each of its resources",
    "numa": "aligned instances name a node and each node's aligned instances fit its share",
    "trust": "the containers on one server belong to one trust domain",
    "worker": (
        "worker VMs have unique ids, a trust domain with a worker flavor, that flavor, a valid "
        "NUMA node (one when aligned), a server of the plan, and at least one container"
    ),
    "nesting": (
        "a container-in-vm instance runs in a listed worker VM of its own trust domain on its "
        "own server (and node); only such instances name a worker"
    ),
    "worker-fit": "a worker VM's containers, overhead and images fit its flavor after the reserve",
    "isolation": "an `isolation: host` instance is alone on its server",
    "anti-affinity": "replicas of an anti-affine VNF do not share their host, rack or site",
    "redundancy": (
        "losing any one host leaves a VNF with `redundancy` the instances its demand needs"
    ),
    "route": "a route's service, demand, Gbps, endpoints, links and chain are valid",
    "latency": "a route's latency is its links' sum; plus its VNFs' latency_ms, within budget",
    "demand-total": "the routes of a demand carry exactly its Gbps",
    "link-capacity": "no link carries more than its Gbps",
    "link-usage": "listed link loads and capacities match the recomputation",
    "throughput": "an instance carries no more than its VNF's throughput_gbps",
    "summary": "the summary figures match the recomputation",
    "objective": "the objective value matches the recomputed cost, servers or balance",
}
"""Every rule id the checker reports, with what it guarantees when it is not reported."""

STALE_RULES = frozenset({"server-usage", "link-usage", "summary", "objective"})
"""Rules about figures a plan derives from its placements and routes rather than about the
placements themselves: after a hand edit they are stale, not broken rules, and
`nfvplan refresh` recomputes them. `nfvplan check` lists them apart."""


def split_stale(violations: list[Violation]) -> tuple[list[Violation], list[Violation]]:
    """`violations` as (broken rules, stale derived figures), each in the checker's order."""
    rules = [v for v in violations if v.rule not in STALE_RULES]
    return rules, [v for v in violations if v.rule in STALE_RULES]


_FAMILIES: tuple[Callable[[Context], list[Violation]], ...] = (
    check_placements,
    check_server_list,
    check_counts,
    check_capacity,
    check_numa,
    check_trust,
    check_workers,
    check_nesting,
    check_worker_fit,
    check_isolation,
    check_anti_affinity,
    check_redundancy,
    check_routes,
    check_demand_totals,
    check_links,
    check_throughput,
    check_summary,
    check_objective,
)


def check_plan(scenario: Scenario, plan: Plan) -> list[Violation]:
    """Every violation of `plan` against `scenario`; an empty list means the plan holds."""
    ctx = Context.build(scenario, plan)
    violations = check_status(ctx)
    mismatch = check_scenario_name(ctx)
    if mismatch or not plan.status.has_plan:
        return violations + mismatch
    for family in _FAMILIES:
        violations.extend(family(ctx))
    return violations
