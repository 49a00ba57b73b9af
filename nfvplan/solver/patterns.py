"""A lower bound (and a starting plan) from server configurations: column generation.

The assignment model's LP relaxation is the volume bound: it never sees that two large
instances cannot share a server. The configuration ("pattern") LP does: each column is one
way to fill one server of a (site, type) group that obeys every per-server rule (capacity,
reserves per form present, NUMA nodes, the container trust rule, dedicated hosts, at most one
replica of an anti-affine VNF), and the LP chooses how many servers of each configuration to
use. Its value is the classic Gilmore-Gomory bound, usually equal to the optimum rounded up.

Columns are priced by a small CP-SAT model per group. Every pricing round also gives a
Lagrangian bound, valid even before the LP converges, so a time-limited run still returns a
proven bound. Rules across servers (rack and site anti-affinity, routing) are relaxed, which
keeps the bound valid. When the scenario has no such rule, the best integer combination of the
generated configurations is also a complete plan, handed to the assignment model as a hint.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from nfvplan.model import Form, Objective, Scope
from nfvplan.solver.data import COST_SCALE, NUMA_RESOURCES, THREADS
from nfvplan.solver.problem import Problem

DUAL_SCALE = 10_000
"""Duals enter the integer pricing objective rounded up at this resolution (keeps bounds valid)."""
PRICING_LIMIT_S = 2.0


@dataclass(frozen=True)
class Pattern:
    """One way to fill a server of a group: instance counts per kind and per NUMA node."""

    group: int
    counts: tuple[tuple[int, int], ...]
    """(kind, count) pairs."""
    nodes: tuple[tuple[int, int, int], ...]
    """(kind, node, count) for NUMA-aligned kinds on multi-node servers."""
    cost: int
    coverage: tuple[tuple[str, int], ...] = ()
    """(VNF, instances) pairs: what the configuration contributes to each VNF's count."""


@dataclass
class PatternResult:
    """The bound in first-objective units, and the plan found over the patterns, if any."""

    bound: int
    converged: bool
    iterations: int
    columns: int
    hint: dict[tuple[int, int, int | None], int] | None = None
    seconds: float = 0.0
    lp_value: float = 0.0
    notes: list[str] = field(default_factory=list)


def _groups(problem: Problem) -> list[list[int]]:
    """Slots that share a site and a server type, in slot order (they have the same candidates)."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for slot in problem.slots:
        groups[(slot.site.name, slot.type.name)].append(slot.index)
    return list(groups.values())


def supports(problem: Problem) -> bool:
    """Column generation bounds the `cost` and `servers` objectives."""
    return problem.objective in (Objective.COST, Objective.SERVERS)


def _hint_is_a_plan(problem: Problem) -> bool:
    """Without rules across servers, a combination of valid configurations is a valid plan."""
    if problem.routing is not None:
        return False
    return not any(
        v.anti_affinity in (Scope.RACK, Scope.SITE) for v in problem.scenario.vnfs.values()
    )


class _Pricer:
    """The per-group pricing model: the best configuration for given duals."""

    def __init__(self, problem: Problem, group: list[int], licence: dict[str, int]) -> None:
        self.problem = problem
        self.slot = problem.slots[group[0]]
        self.kinds = [
            k for k in range(len(problem.kinds)) if (k, self.slot.index) in problem.bounds
        ]
        self.licence = licence
        self.unit_cost = self._unit_cost()

    def _unit_cost(self) -> int:
        return self.slot.cost if self.problem.objective is Objective.COST else 1

    def kind_cost(self, k: int) -> int:
        if self.problem.objective is not Objective.COST:
            return 0
        return self.licence[self.problem.kinds[k].vnf.name]

    def price(self, weights: dict[str, int], seed: int) -> tuple[list[Pattern], float]:
        """Maximise sum(weight*count) - licences*scale.

        Returns every improving configuration the search met (several columns per round make
        column generation converge in fewer rounds) and a proven upper bound on the maximum.
        """
        p = self.problem
        s = self.slot.index
        model = cp_model.CpModel()
        a = {k: model.new_int_var(0, p.bounds[(k, s)], f"a{k}") for k in self.kinds}
        nodes = self.slot.type.numa_nodes
        split: dict[tuple[int, int], cp_model.IntVar] = {}
        for k in self.kinds:
            if p.kinds[k].vnf.numa_aligned and nodes > 1:
                parts = [model.new_int_var(0, p.bounds[(k, s)], f"a{k}n{n}") for n in range(nodes)]
                for n, part in enumerate(parts):
                    split[(k, n)] = part
                model.add(a[k] == sum(parts))
        present = {}
        for form in Form:
            members = [k for k in self.kinds if p.kinds[k].form is form]
            if members:
                present[form] = model.new_bool_var(form.value)
                for k in members:
                    model.add(a[k] <= p.bounds[(k, s)] * present[form])
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
        by_vnf: dict[str, list[int]] = defaultdict(list)
        for k in self.kinds:
            by_vnf[p.kinds[k].vnf.name].append(k)
        domains: dict[str, list[int]] = defaultdict(list)
        for k in self.kinds:
            if p.kinds[k].form is Form.CONTAINER:
                domains[p.kinds[k].vnf.trust].append(k)
        if len(domains) > 1:
            flags = []
            for members in domains.values():
                flag = model.new_bool_var("")
                flags.append(flag)
                for k in members:
                    model.add(a[k] <= p.bounds[(k, s)] * flag)
            model.add(sum(flags) <= 1)
        total = sum(a.values())
        for name, ks in by_vnf.items():
            vnf = p.scenario.vnfs[name]
            if not p.scales_with_traffic(name):
                model.add(sum(a[k] for k in ks) <= p.counts[name])
            if vnf.anti_affinity is not None:
                model.add(sum(a[k] for k in ks) <= 1)
            if vnf.isolated:
                here = model.new_bool_var("")
                model.add(sum(a[k] for k in ks) == here)
                model.add(total <= 1).only_enforce_if(here)
        model.maximize(
            sum(
                (weights.get(p.kinds[k].vnf.name, 0) - DUAL_SCALE * self.kind_cost(k)) * a[k]
                for k in self.kinds
            )
        )
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = PRICING_LIMIT_S
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        collector = _Collector(a, split)
        status = solver.solve(model, collector)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return [], math.inf
        found = []
        for counts, node_counts in collector.found:
            cost = self.unit_cost + sum(self.kind_cost(k) * c for k, c in counts)
            found.append(Pattern(-1, counts, node_counts, cost))
        return found, solver.best_objective_bound


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


def _coverage(problem: Problem, pattern: Pattern) -> dict[str, int]:
    if pattern.coverage:
        return dict(pattern.coverage)
    covered: dict[str, int] = defaultdict(int)
    for k, count in pattern.counts:
        covered[problem.kinds[k].vnf.name] += count
    return covered


def pattern_bound(problem: Problem, budget_s: float, seed: int) -> PatternResult | None:
    """Column generation within `budget_s`: a proven bound, and a plan hint when valid."""
    if not supports(problem):
        return None
    started = time.perf_counter()
    licence = {
        name: round(v.license_monthly * COST_SCALE) for name, v in problem.scenario.vnfs.items()
    }
    groups = [
        g
        for g in _groups(problem)
        if any((k, g[0]) in problem.bounds for k in range(len(problem.kinds)))
    ]
    pricers = [_Pricer(problem, g, licence) for g in groups]
    demand = {name: count for name, count in problem.counts.items() if count > 0}
    if not demand or not pricers:
        return None
    patterns: list[Pattern] = []
    seen: set[tuple[int, tuple[tuple[int, int], ...]]] = set()
    best_bound = -math.inf
    converged = False
    iterations = 0
    lp_value = 0.0
    duals = _volume_duals(problem, pricers, demand)
    while time.perf_counter() - started < budget_s:
        iterations += 1
        weights = {name: math.ceil(value * DUAL_SCALE) for name, value in duals.items()}
        lagrangian = sum(duals[name] * demand[name] for name in demand)
        ratio = 1.0
        added = 0
        for g, pricer in enumerate(pricers):
            found, upper = pricer.price(weights, seed)
            # No configuration of the group earns more than `best` over its licences, so none
            # has a reduced cost below unit_cost - best, and none a profit/cost ratio above
            # max(1, best / unit_cost).
            best = upper / DUAL_SCALE
            lagrangian += len(groups[g]) * min(0.0, pricer.unit_cost - best)
            ratio = max(ratio, best / pricer.unit_cost)
            for pattern in found:
                covered = _coverage(problem, pattern)
                exact = pattern.cost - sum(duals.get(n, 0.0) * c for n, c in covered.items())
                key = (g, pattern.counts)
                # The starting duals are a guess, not the master's: keep every column they give.
                if (exact < -1e-7 or iterations == 1) and key not in seen:
                    seen.add(key)
                    coverage = tuple(sorted(covered.items()))
                    patterns.append(
                        Pattern(g, pattern.counts, pattern.nodes, pattern.cost, coverage)
                    )
                    added += 1
        # Farley: duals scaled down by the largest profit/cost ratio are feasible for the dual
        # of the configuration LP without availability rows, a relaxation; so this is a bound.
        farley = sum(duals[name] * demand[name] for name in demand) / ratio
        best_bound = max(best_bound, lagrangian, farley)
        if not added:
            converged = iterations > 1  # only the master's duals prove the LP optimal
            break
        solved = _solve_master(problem, groups, patterns, demand)
        if solved is None:
            break
        duals, lp_value = solved
        if math.ceil(best_bound - 1e-6) >= math.ceil(lp_value - 1e-6):
            converged = True
            break
    bound = max(0, math.ceil(best_bound - 1e-6))
    result = PatternResult(bound, converged, iterations, len(patterns), lp_value=lp_value)
    if patterns and _hint_is_a_plan(problem):
        remaining = max(0.5, min(budget_s / 2, budget_s - (time.perf_counter() - started)))
        result.hint = _integer_plan(problem, groups, patterns, demand, remaining, seed)
    result.seconds = time.perf_counter() - started
    return result


def _volume_duals(
    problem: Problem, pricers: list[_Pricer], demand: dict[str, int]
) -> dict[str, float]:
    """Starting duals: each VNF priced at its largest share of a server's capacity."""
    duals = {}
    for name in demand:
        share = 0.0
        for pricer in pricers:
            for k in pricer.kinds:
                kind = problem.kinds[k]
                if kind.vnf.name != name:
                    continue
                cap = pricer.slot.capacity
                used = max(d / c for d, c in zip(kind.demand, cap, strict=True) if c > 0)
                share = max(share, used * pricer.unit_cost)
        duals[name] = share
    return duals


def _solve_master(
    problem: Problem, groups: list[list[int]], patterns: list[Pattern], demand: dict[str, int]
) -> tuple[dict[str, float], float] | None:
    """The restricted master LP; artificial columns keep it feasible. Returns duals and value."""
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:
        return None
    big = 10.0 * max(p.cost for p in patterns)
    columns = [lp.NumVar(0.0, lp.infinity(), "") for _ in patterns]
    artificial = {name: lp.NumVar(0.0, lp.infinity(), "") for name in demand}
    rows = {}
    for name, count in demand.items():
        terms = [artificial[name]]
        for column, pattern in zip(columns, patterns, strict=True):
            covered = _coverage(problem, pattern).get(name, 0)
            if covered:
                terms.append(covered * column)
        rows[name] = lp.Add(sum(terms) >= count)
    for g, members in enumerate(groups):
        mine = [c for c, p in zip(columns, patterns, strict=True) if p.group == g]
        if mine:
            lp.Add(sum(mine) <= len(members))
    objective = [p.cost * c for c, p in zip(columns, patterns, strict=True)]
    objective += [big * a for a in artificial.values()]
    lp.Minimize(sum(objective))
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return {name: max(0.0, row.dual_value()) for name, row in rows.items()}, lp.Objective().Value()


def _integer_plan(
    problem: Problem,
    groups: list[list[int]],
    patterns: list[Pattern],
    demand: dict[str, int],
    budget_s: float,
    seed: int,
) -> dict[tuple[int, int, int | None], int] | None:
    """Best integer combination of the patterns, laid onto concrete servers as counts."""
    model = cp_model.CpModel()
    use = [model.new_int_var(0, len(groups[p.group]), "") for p in patterns]
    for name, count in demand.items():
        terms = [_coverage(problem, p).get(name, 0) * u for p, u in zip(patterns, use, strict=True)]
        model.add(sum(terms) >= count)
    for g, members in enumerate(groups):
        model.add(
            sum(u for p, u in zip(patterns, use, strict=True) if p.group == g) <= len(members)
        )
    model.minimize(sum(p.cost * u for p, u in zip(patterns, use, strict=True)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = budget_s
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    chosen: dict[int, list[dict[tuple[int, int | None], int]]] = defaultdict(list)
    for p, u in zip(patterns, use, strict=True):
        for _ in range(solver.value(u)):
            chosen[p.group].append(_pattern_counts(problem, p))
    _trim_surplus(problem, chosen)
    hint: dict[tuple[int, int, int | None], int] = {}
    for g, fills in chosen.items():
        fills = [f for f in fills if f]
        fills.sort(
            key=lambda f: -sum(problem.kinds[k].demand[THREADS] * c for (k, _n), c in f.items())
        )
        for s, fill in zip(groups[g], fills, strict=False):
            for (k, n), count in fill.items():
                hint[(k, s, n)] = count
    return hint


def _pattern_counts(problem: Problem, pattern: Pattern) -> dict[tuple[int, int | None], int]:
    """A pattern as (kind, node) → count, nodes re-ordered so the first carries most threads."""
    counts: dict[tuple[int, int | None], int] = {}
    split = {k for k, _n, _c in pattern.nodes}
    node_load: dict[int, int] = defaultdict(int)
    for k, n, c in pattern.nodes:
        node_load[n] += problem.kinds[k].demand[THREADS] * c
    order = sorted(node_load, key=lambda n: -node_load[n])
    rename = {old: new for new, old in enumerate(order)}
    for k, n, c in pattern.nodes:
        counts[(k, rename[n])] = c
    for k, c in pattern.counts:
        if k not in split:
            counts[(k, None)] = c
    return counts


def _trim_surplus(
    problem: Problem, chosen: dict[int, list[dict[tuple[int, int | None], int]]]
) -> None:
    """Remove instances beyond each VNF's count (patterns may over-cover)."""
    covered: dict[str, int] = defaultdict(int)
    for fills in chosen.values():
        for fill in fills:
            for (k, _n), c in fill.items():
                covered[problem.kinds[k].vnf.name] += c
    for fills in chosen.values():
        for fill in reversed(fills):
            for key in list(fill):
                name = problem.kinds[key[0]].vnf.name
                surplus = covered[name] - problem.counts[name]
                if surplus <= 0:
                    continue
                cut = min(surplus, fill[key])
                fill[key] -= cut
                covered[name] -= cut
                if fill[key] == 0:
                    del fill[key]
