"""The pricing problem of one nfvplan server group: its best configuration for given duals.

A configuration ("column") is what one server of a (site, server type) group runs: instance
counts per kind (VNF, form), and per NUMA node for NUMA-aligned kinds. It must obey every rule
that concerns one server alone:

* capacity, with the host reserve of every form present (a VM hypervisor, a container runtime);
* NUMA: an aligned instance sits on one node, whose share of the server it must fit;
* container trust: containers sharing a host share a trust domain (VMs carry their own kernel);
* isolation: an isolated (dedicated-host) VNF's instance is alone on its server;
* at most one replica of a host-anti-affine VNF per server, and never more of a VNF than its
  count (or the cap an aggregated pool gives, `decompose.pooled_problem`).

Rules across servers (rack and site anti-affinity, sites, licences as a whole, routing) are not
here: the configuration LP relaxes them, which keeps its bound valid.

A column's profit at row duals y is sum over its instances of (y of the VNF - the VNF's
licence): it prices out when that exceeds the server's cost. Pricing runs the multi-resource
knapsack of `solver/vpack.py` once per combination of forms present (each paying its reserve)
and container trust domain, so reserves and the trust rule stay exact, with isolated VNFs priced
alone on their server; a group whose servers have several NUMA nodes and that admits
NUMA-aligned kinds keeps a small CP-SAT model instead.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from collections.abc import Sequence

from ortools.sat.python import cp_model

from nfvplan.model import Form, Objective
from nfvplan.solver.colgen import Column, Priced
from nfvplan.solver.cpsat import make_solver
from nfvplan.solver.data import NUMA_RESOURCES, THREADS
from nfvplan.solver.problem import Problem
from nfvplan.solver.vpack import Knapsack

Payload = tuple[tuple[tuple[int, int | None], int], ...]
"""A configuration as ((kind, NUMA node or None), count) pairs, sorted."""

PRICING_LIMIT_S = 2.0
"""Most seconds one CP-SAT (NUMA) pricing call may take."""
PROFIT_SCALE = 10_000
"""CP-SAT pricing works on profits rounded up at this resolution (its bound stays an upper
bound of the true profit)."""


class GroupPricer:
    """The pricing problem of the servers of one group (they admit the same configurations)."""

    def __init__(
        self,
        problem: Problem,
        slot: int,
        rows: dict[str, int],
        licence: dict[str, int],
        caps: dict[str, int] | None = None,
    ) -> None:
        self.problem = problem
        self.slot = problem.slots[slot]
        self.rows = rows
        self.licence = licence
        self.caps = caps or {}
        self.kinds = [
            k
            for k in range(len(problem.kinds))
            if (k, slot) in problem.bounds and problem.kinds[k].vnf.name in rows
        ]
        self.cost = self.slot.cost if problem.objective is Objective.COST else 1
        """The server's cost in first-objective units (a column's fixed part)."""
        self.knapsacks = self._knapsacks()

    # -- the column's economics ---------------------------------------------------------------

    def kind_cost(self, k: int) -> int:
        """What one instance of kind `k` adds to a column's cost: its licence (cost objective)."""
        if self.problem.objective is not Objective.COST:
            return 0
        return self.licence[self.problem.kinds[k].vnf.name]

    def cap(self, name: str) -> int:
        """Most instances of a VNF one server may hold: 1 if anti-affine, else its count
        (more never helps cover it), unless the caller gave a cap (an aggregated pool)."""
        if name in self.caps:
            return self.caps[name]
        if self.problem.scenario.vnfs[name].anti_affinity is not None:
            return 1
        return self.problem.counts[name]

    def row(self, k: int) -> int:
        """The covering row (VNF) of kind `k`."""
        return self.rows[self.problem.kinds[k].vnf.name]

    def column(self, payload: dict[tuple[int, int | None], int]) -> Column:
        """The column of a configuration: rows covered, cost, and the configuration itself."""
        cover: dict[int, int] = defaultdict(int)
        extra = 0
        for (k, _node), c in payload.items():
            cover[self.row(k)] += c
            extra += self.kind_cost(k) * c
        return Column(-1, tuple(sorted(cover.items())), self.cost + extra, _frozen(payload))

    # -- pricing ------------------------------------------------------------------------------

    def _knapsacks(self) -> list[tuple[Knapsack, list[int]]] | None:
        """The pricing problem as pure knapsacks, or None when NUMA nodes need CP-SAT.

        A configuration has some set of forms present (each paying its host reserve) and, when
        containers of several trust domains could land here, at most one container domain. So
        the best configuration is the best over (forms present, domain) of a knapsack with the
        reserves taken off the capacity and only the kinds allowed in that combination; isolated
        VNFs are priced apart, alone on their server. At most `cap` instances of a VNF per
        server is a group cap across its forms.
        """
        p = self.problem
        if self.slot.type.numa_nodes > 1 and any(p.kinds[k].vnf.numa_aligned for k in self.kinds):
            return None
        shared = [k for k in self.kinds if not p.kinds[k].vnf.isolated]
        forms = sorted({p.kinds[k].form for k in shared}, key=lambda f: f.value)
        domains = sorted(
            {p.kinds[k].vnf.trust for k in shared if p.kinds[k].form is Form.CONTAINER}
        )
        names = sorted({p.kinds[k].vnf.name for k in shared})
        group_of = {name: g for g, name in enumerate(names)}
        caps = {group_of[n]: self.cap(n) for n in names}
        knapsacks = []
        for size in range(1, len(forms) + 1):
            for present in itertools.combinations(forms, size):
                capacity = list(self.slot.capacity)
                for form in present:
                    for r, reserve in enumerate(p.reserve(form, self.slot)):
                        capacity[r] -= reserve
                if min(capacity) < 0:
                    continue
                for domain in domains if Form.CONTAINER in present and len(domains) > 1 else [None]:
                    members = [
                        k
                        for k in shared
                        if p.kinds[k].form in present
                        and (
                            domain is None
                            or p.kinds[k].form is not Form.CONTAINER
                            or p.kinds[k].vnf.trust == domain
                        )
                    ]
                    if members:
                        # A VNF with one kind here has its cap in its upper bound (`price`):
                        # the knapsack's group caps are for VNFs with several forms present.
                        per_vnf: dict[str, int] = defaultdict(int)
                        for k in members:
                            per_vnf[p.kinds[k].vnf.name] += 1
                        groups = [
                            group_of[p.kinds[k].vnf.name]
                            if per_vnf[p.kinds[k].vnf.name] > 1
                            else None
                            for k in members
                        ]
                        mine = {g: caps[g] for g in groups if g is not None}
                        # Resources no member uses never bind: leaving them out makes every
                        # node of the search cheaper (a 3-resource packing is not a 5-resource one).
                        used = [
                            r
                            for r in range(len(capacity))
                            if any(p.kinds[k].demand[r] for k in members)
                        ] or [0]
                        knapsack = Knapsack(
                            [capacity[r] for r in used],
                            [[p.kinds[k].demand[r] for r in used] for k in members],
                            groups,
                            mine,
                        )
                        knapsacks.append((knapsack, members))
        return knapsacks

    def price(
        self,
        duals: Sequence[float],
        left: Sequence[int],
        *,
        floor: float,
        exact: bool,
        stop_after: int | None,
        deadline: float | None,
    ) -> Priced:
        """The best configurations at `duals` (see `colgen.Pricer`)."""
        profit = {k: duals[self.row(k)] - self.kind_cost(k) for k in self.kinds}
        upper = {
            k: min(
                self.problem.bounds[(k, self.slot.index)],
                left[self.row(k)],
                self.cap(self.problem.kinds[k].vnf.name),
            )
            for k in self.kinds
        }
        if self.knapsacks is None:
            if not exact:
                return Priced([], math.inf, False)
            return self._price_numa(profit, upper, floor, deadline)
        columns: list[Column] = []
        bound = floor
        proven = True
        for knapsack, members in self.knapsacks:
            result = knapsack.solve(
                [profit[k] for k in members],
                [upper[k] for k in members],
                exact=exact,
                threshold=float(self.cost),
                deadline=deadline,
                floor=floor,
                stop_after=stop_after,
            )
            bound = max(bound, result.bound)
            proven = proven and result.proven
            for _value, fill in result.fills:
                columns.append(self.column({self._at(members[i]): c for i, c in fill}))
        for k in self.kinds:
            if not self.problem.kinds[k].vnf.isolated or upper[k] <= 0 or not self._alone(k):
                continue
            bound = max(bound, profit[k])
            if profit[k] > self.cost:
                columns.append(self.column({self._at(k): 1}))
        return Priced(columns, bound, proven)

    def _at(self, k: int) -> tuple[int, int | None]:
        """(kind, node) of an instance priced without nodes: node 0 for an aligned kind (its
        server has one node), None otherwise."""
        return (k, 0 if self.problem.kinds[k].vnf.numa_aligned else None)

    def _alone(self, k: int) -> bool:
        """One instance of kind `k` fits the server with its form's reserve."""
        kind = self.problem.kinds[k]
        reserve = self.problem.reserve(kind.form, self.slot)
        return all(
            d + r <= c for d, r, c in zip(kind.demand, reserve, self.slot.capacity, strict=True)
        )

    def _price_numa(
        self,
        profit: dict[int, float],
        upper: dict[int, int],
        floor: float,
        deadline: float | None,
    ) -> Priced:
        """Pricing on CP-SAT, for servers with several NUMA nodes and aligned kinds."""
        p = self.problem
        model = cp_model.CpModel()
        a = {k: model.new_int_var(0, upper[k], f"a{k}") for k in self.kinds}
        nodes = self.slot.type.numa_nodes
        split: dict[tuple[int, int], cp_model.IntVar] = {}
        for k in self.kinds:
            if p.kinds[k].vnf.numa_aligned:
                parts = [model.new_int_var(0, upper[k], f"a{k}n{n}") for n in range(nodes)]
                for n, part in enumerate(parts):
                    split[(k, n)] = part
                model.add(a[k] == sum(parts))
        present = {}
        for form in Form:
            members = [k for k in self.kinds if p.kinds[k].form is form]
            if members:
                present[form] = model.new_bool_var(form.value)
                for k in members:
                    model.add(a[k] <= upper[k] * present[form])
        for r, cap in enumerate(self.slot.capacity):
            load = [p.kinds[k].demand[r] * a[k] for k in self.kinds]
            load += [p.reserve(f, self.slot)[r] * flag for f, flag in present.items()]
            model.add(sum(load) <= cap)
        aligned = sorted({k for k, _n in split})
        for n in range(nodes if aligned else 0):
            for r in NUMA_RESOURCES:
                load = [nodes * p.kinds[k].demand[r] * split[(k, n)] for k in aligned]
                load += [p.reserve(f, self.slot)[r] * flag for f, flag in present.items()]
                model.add(sum(load) <= self.slot.capacity[r])
        domains = p.container_domains(self.kinds)
        if len(domains) > 1:
            flags = []
            for members in domains.values():
                flag = model.new_bool_var("")
                flags.append(flag)
                for k in members:
                    model.add(a[k] <= upper[k] * flag)
            model.add(sum(flags) <= 1)
        by_vnf: dict[str, list[int]] = defaultdict(list)
        for k in self.kinds:
            by_vnf[p.kinds[k].vnf.name].append(k)
        total = sum(a.values())
        for name, ks in by_vnf.items():
            model.add(sum(a[k] for k in ks) <= min(p.counts[name], self.cap(name)))
            if p.scenario.vnfs[name].isolated:
                here = model.new_bool_var("")
                model.add(sum(a[k] for k in ks) == here)
                model.add(total <= 1).only_enforce_if(here)
        weights = {k: math.ceil(profit[k] * PROFIT_SCALE) for k in self.kinds}
        objective = sum(weights[k] * a[k] for k in self.kinds)
        # Only columns above the floor are asked for: "none" proves the optimum is at most it.
        model.add(objective >= math.floor(floor * PROFIT_SCALE) + 1)
        model.maximize(objective)
        seconds = PRICING_LIMIT_S
        if deadline is not None:
            seconds = max(0.05, min(seconds, deadline - time.perf_counter()))
        solver = make_solver(seconds)
        collector = _Collector(a, split)
        status = solver.solve(model, collector)
        if status == cp_model.INFEASIBLE:
            return Priced([], floor, True)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Priced([], math.inf, False)
        columns = []
        for counts, node_counts in collector.found:
            value = sum(profit[k] * c for k, c in counts)
            if value > self.cost:
                columns.append(self.column(self._payload(counts, node_counts)))
        columns.reverse()  # the last solutions found are the best
        bound = max(floor, solver.best_objective_bound / PROFIT_SCALE)
        return Priced(columns, bound, status == cp_model.OPTIMAL)

    def _payload(
        self, counts: tuple[tuple[int, int], ...], nodes: tuple[tuple[int, int, int], ...]
    ) -> dict[tuple[int, int | None], int]:
        """A CP-SAT configuration as (kind, node) → count, nodes renumbered so the first
        carries most threads (the assignment model orders a server's nodes that way)."""
        kinds = self.problem.kinds
        load: dict[int, int] = defaultdict(int)
        for k, n, c in nodes:
            load[n] += kinds[k].demand[THREADS] * c
        rename = {old: new for new, old in enumerate(sorted(load, key=lambda n: -load[n]))}
        payload: dict[tuple[int, int | None], int] = {}
        for k, n, c in nodes:
            payload[(k, rename[n])] = c
        split = {k for k, _n, _c in nodes}
        for k, c in counts:
            if k not in split:
                payload[self._at(k)] = c
        return payload


def _frozen(payload: dict[tuple[int, int | None], int]) -> Payload:
    return tuple(sorted(((key, c) for key, c in payload.items() if c), key=_order))


def _order(item: tuple[tuple[int, int | None], int]) -> tuple[int, int]:
    (k, node), _c = item
    return (k, -1 if node is None else node)


class _Collector(cp_model.CpSolverSolutionCallback):
    """Keeps every solution of a pricing search (the last ones are the best)."""

    def __init__(self, a: dict, split: dict) -> None:
        super().__init__()
        self.a = a
        self.split = split
        self.found: list[tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int, int], ...]]] = []

    def on_solution_callback(self) -> None:
        counts = tuple((k, self.value(v)) for k, v in self.a.items() if self.value(v))
        nodes = tuple((k, n, self.value(v)) for (k, n), v in self.split.items() if self.value(v))
        self.found.append((counts, nodes))
