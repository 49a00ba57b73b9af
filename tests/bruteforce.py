"""The one test-only exhaustive solver for tiny scenarios without services, to check the real one.

It enumerates every assignment of every instance to a (server, form, NUMA node) and keeps the
best one that the rules of tests/reference.py accept, for any of the three objectives. Nothing
is shared with `nfvplan.solver` or `nfvplan.check`: no integer scaling, no symmetry groups of its
own beyond the obvious one (instances of one VNF are interchangeable, so each VNF's choices are
taken in non-decreasing order), and a plain bound to cut branches that cannot beat the best plan
found (adding an instance never lowers the cost, the server count or the busiest share).

Scope: fixed `replicas` only and no services (so no routing, NIC load is `flavor.gbps`).
Intended for at most ~5 instances on ~4 servers. Used by the property tests
(tests/solver/test_properties.py) and the random rule tests (tests/solver/test_rules_random.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from nfvplan.model import Objective, Scenario, Scope, Vnf
from nfvplan.plan import Placement
from tests.reference import KEYS, Item, Server, capacity, inventory, server_ok, usage


@dataclass(frozen=True)
class Optimum:
    """The best valid assignment for one objective: its objective value, its monthly cost
    (servers + licences) and its placements. With `objective: cost` the two figures are one;
    otherwise `cost` is that of the assignment found first at the best value, not a tie-break."""

    value: float
    cost: float
    placements: list[Placement]


def _unit(scope: Scope, server: Server) -> tuple[str, ...]:
    if scope is Scope.HOST:
        return (server.id,)
    if scope is Scope.RACK:
        return (server.site.name, str(server.rack))
    return (server.site.name,)


def brute_force(scenario: Scenario, objective: Objective | str = Objective.COST) -> Optimum | None:
    """The best plan of `scenario` for `objective`, or None when no assignment is valid.

    The objective values are those of docs/format.md: `cost` the monthly cost, `servers` the
    number of servers used, `balance` the highest used/capacity share over used servers and
    resources.
    """
    assert not scenario.services, "brute force handles scenarios without services only"
    objective = Objective(objective)
    servers = inventory(scenario)
    vnfs = list(scenario.vnfs.values())
    options = {
        vnf.name: [
            (s, form, node if vnf.numa_aligned else None)
            for s, server in enumerate(servers)
            if vnf.sites is None or vnf.sites.allows(server.site)
            for form in vnf.forms
            for node in range(server.type.numa_nodes if vnf.numa_aligned else 1)
        ]
        for vnf in vnfs
    }
    licences = sum(v.license_monthly * (v.replicas or 0) for v in vnfs)
    loads: list[list[Item]] = [[] for _ in servers]
    chosen: list[tuple[Vnf, int]] = []
    best: list[Optimum] = []

    def cost() -> float:
        return licences + sum(servers[i].type.monthly_cost for i, load in enumerate(loads) if load)

    def share(i: int) -> float:
        cap = capacity(servers[i].type)
        used = usage(scenario, servers[i].type, loads[i])
        return max((used[k] / cap[k] for k in KEYS if cap[k] > 0), default=0.0)

    def value() -> float:
        if objective is Objective.COST:
            return cost()
        if objective is Objective.SERVERS:
            return float(sum(1 for load in loads if load))
        return max((share(i) for i, load in enumerate(loads) if load), default=0.0)

    def count(v: int) -> int:
        return (vnfs[v].replicas or 0) if v < len(vnfs) else 0

    def place(v: int, left: int, start: int, units: set[tuple[str, ...]]) -> None:
        if best and value() >= best[0].value:
            return  # no completion can be better: adding instances never lowers the value
        if v == len(vnfs):
            best[:] = [Optimum(value(), cost(), _placements(servers, chosen, options))]
            return
        vnf = vnfs[v]
        if left == 0:
            place(v + 1, count(v + 1), 0, set())
            return
        for index in range(start, len(options[vnf.name])):
            s, form, node = options[vnf.name][index]
            unit = _unit(vnf.anti_affinity, servers[s]) if vnf.anti_affinity else None
            if unit is not None and unit in units:
                continue
            loads[s].append(Item(vnf, form, node))
            if server_ok(scenario, servers[s].type, loads[s]):
                chosen.append((vnf, index))
                place(v, left - 1, index, units | {unit} if unit else units)
                chosen.pop()
            loads[s].pop()

    if vnfs:
        place(0, count(0), 0, set())
    return best[0] if best else None


def _placements(
    servers: list[Server], chosen: list[tuple[Vnf, int]], options: dict
) -> list[Placement]:
    counter: dict[str, int] = {}
    out = []
    for vnf, index in chosen:
        s, form, node = options[vnf.name][index]
        counter[vnf.name] = counter.get(vnf.name, 0) + 1
        name = f"{vnf.name}-{counter[vnf.name]}"
        out.append(Placement(vnf.name, name, servers[s].id, form.value, node))
    return out
