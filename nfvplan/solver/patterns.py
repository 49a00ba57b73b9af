"""A lower bound (and a starting plan) from server configurations: column generation.

The assignment model's LP relaxation is the volume bound: it never sees that two large
instances cannot share a server. The configuration ("pattern") LP does: each column is one
way to fill one server of a (site, type) group that obeys every per-server rule (capacity,
reserves per form present, NUMA nodes, the container trust rule, dedicated hosts, at most one
replica of an anti-affine VNF), and the LP chooses how many servers of each configuration to
use. Its value is the classic Gilmore-Gomory bound, usually equal to the optimum rounded up.

Columns are priced per group by the branch-and-bound knapsack of `solver/vpack.py` (the same
pricer the vector packing benchmark measures), run once per combination of forms present and
container trust domain, so that reserves and the trust rule stay exact; groups whose servers
have several NUMA nodes and NUMA-aligned VNFs keep a small CP-SAT model. Every pricing round
also gives a Lagrangian bound, valid even before the LP converges, so a time-limited run still
returns a proven bound. Rules across servers (rack and site anti-affinity, routing) are relaxed,
which keeps the bound valid. When the scenario has no such rule, the best integer combination of
the generated configurations is also a complete plan, handed to the assignment model as a hint.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from nfvplan.model import Form, Objective, Scope
from nfvplan.solver.cpsat import make_solver
from nfvplan.solver.data import COST_SCALE, NUMA_RESOURCES, THREADS
from nfvplan.solver.greedy import greedy_plan
from nfvplan.solver.problem import Problem
from nfvplan.solver.stop import stop_requested
from nfvplan.solver.vpack import Knapsack

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


def _groups(problem: Problem) -> list[list[int]]:
    """Slots with the same configurations: same type, cost and candidate kinds (with the same
    most copies), in slot order.

    The configuration LP has no row across servers, so servers that admit exactly the same
    configurations are one group whatever their site: pooling a core VNF's three sites' hosts
    of one type into one group gives the same LP (any solution of the pooled LP splits over the
    sites, as every column fits every one of them) priced once instead of three times. Slots no
    kind may use are in no group.
    """
    offers: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (k, s), most in problem.bounds.items():
        offers[s].append((k, most))
    groups: dict[tuple, list[int]] = defaultdict(list)
    for slot in problem.slots:
        if slot.index in offers:
            key = (slot.type.name, slot.cost, tuple(sorted(offers[slot.index])))
            groups[key].append(slot.index)
    return list(groups.values())


def supports(problem: Problem) -> bool:
    """Column generation bounds the `cost` and `servers` objectives."""
    return problem.objective in (Objective.COST, Objective.SERVERS)


def _hint_is_a_plan(problem: Problem) -> bool:
    """Without routing, configurations make a plan once rules across servers are restored.

    Configurations obey every per-server rule; rack and site anti-affinity span servers, so the
    instances of those VNFs are taken out of the chosen configurations and placed again by the
    greedy completion, which obeys them (`_across_servers`).
    """
    return problem.routing is None


def _across_servers(problem: Problem) -> set[str]:
    """VNFs with a rule across servers (rack or site anti-affinity) the configurations relax."""
    return {
        name
        for name, v in problem.scenario.vnfs.items()
        if v.anti_affinity in (Scope.RACK, Scope.SITE)
    }


class _Pricer:
    """The per-group pricing model: the best configuration for given duals."""

    def __init__(
        self,
        problem: Problem,
        group: list[int],
        licence: dict[str, int],
        caps: dict[str, int] | None = None,
    ) -> None:
        self.problem = problem
        self.caps = caps or {}
        self.slot = problem.slots[group[0]]
        self.kinds = [
            k for k in range(len(problem.kinds)) if (k, self.slot.index) in problem.bounds
        ]
        self.licence = licence
        self.unit_cost = self._unit_cost()
        self.fast = self._fast_subproblems()

    def _fast_subproblems(self) -> list[tuple[Knapsack, list[int]]] | None:
        """The pricing problem as pure knapsacks, or None when NUMA nodes need CP-SAT.

        A configuration has some set of forms present (each paying its host reserve) and, when
        containers of several trust domains could land here, at most one container domain. So
        the best configuration is the best over (forms present, domain) of a knapsack with the
        reserves taken off the capacity and only the kinds allowed in that combination; isolated
        VNFs are priced apart, alone on their server. At most `count` instances of a VNF (1 if
        anti-affine) per server is a group cap across its forms.
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
        subproblems = []
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
                        knapsack = Knapsack(
                            capacity,
                            [p.kinds[k].demand for k in members],
                            [group_of[p.kinds[k].vnf.name] for k in members],
                            caps,
                        )
                        subproblems.append((knapsack, members))
        return subproblems

    def _price_fast(
        self, fast: list[tuple[Knapsack, list[int]]], weights: dict[str, int], seeding: bool
    ) -> tuple[list[Pattern], float]:
        """Best configurations over the knapsack subproblems, and a proven upper bound.

        Configurations worth no more than the server's cost neither price out nor move the
        bound, so the search prunes below that value, except when `seeding` the first master,
        which needs columns of any value.
        """
        p = self.problem
        s = self.slot.index

        def profit(k: int) -> int:
            return weights.get(p.kinds[k].vnf.name, 0) - DUAL_SCALE * self.kind_cost(k)

        deadline = time.perf_counter() + PRICING_LIMIT_S
        upper = 0.0
        found: list[Pattern] = []
        for knapsack, members in fast:
            result = knapsack.solve(
                [profit(k) for k in members],
                [p.bounds[(k, s)] for k in members],
                threshold=0.0,
                deadline=deadline,
                floor=0.0 if seeding else float(DUAL_SCALE * self.unit_cost),
            )
            upper = max(upper, result.bound)
            if seeding:
                # The first master needs every VNF covered, whatever its value at these duals:
                # each kind alone, as many copies as the server (and the VNF's cap) takes.
                for i, k in enumerate(members):
                    copies = min(
                        p.bounds[(k, s)],
                        knapsack.empty_fit[i],
                        knapsack.group_caps.get(knapsack.groups[i], p.bounds[(k, s)]),
                    )
                    if copies > 0:
                        cost = self.unit_cost + self.kind_cost(k) * copies
                        found.append(Pattern(-1, ((k, copies),), (), cost))
            for _value, fill in result.fills:
                counts = tuple(sorted((members[i], c) for i, c in fill))
                cost = self.unit_cost + sum(self.kind_cost(k) * c for k, c in counts)
                found.append(Pattern(-1, counts, (), cost))
        for k in self.kinds:
            kind = p.kinds[k]
            if not kind.vnf.isolated or profit(k) <= 0:
                continue
            reserve = p.reserve(kind.form, self.slot)
            if all(
                d + r <= c for d, r, c in zip(kind.demand, reserve, self.slot.capacity, strict=True)
            ):
                upper = max(upper, float(profit(k)))
                found.append(Pattern(-1, ((k, 1),), (), self.unit_cost + self.kind_cost(k)))
        return found, upper

    def cap(self, name: str) -> int:
        """Most instances of a VNF one server may hold: 1 if anti-affine, else its count
        (more never helps cover it), unless the caller gave a cap (an aggregated pool)."""
        if name in self.caps:
            return self.caps[name]
        if self.problem.scenario.vnfs[name].anti_affinity is not None:
            return 1
        return self.problem.counts[name]

    def _unit_cost(self) -> int:
        return self.slot.cost if self.problem.objective is Objective.COST else 1

    def kind_cost(self, k: int) -> int:
        if self.problem.objective is not Objective.COST:
            return 0
        return self.licence[self.problem.kinds[k].vnf.name]

    def price(
        self, weights: dict[str, int], seed: int, seeding: bool = False
    ) -> tuple[list[Pattern], float]:
        """Maximise sum(weight*count) - licences*scale.

        Returns every improving configuration the search met (several columns per round make
        column generation converge in fewer rounds) and a proven upper bound on the maximum.
        """
        if self.fast is not None:
            return self._price_fast(self.fast, weights, seeding)
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
        domains = p.container_domains(self.kinds)
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
            # More than the count on one server never helps cover it (traffic-sized VNFs
            # included: any plan trimmed to that still covers every count, at no higher cost).
            model.add(sum(a[k] for k in ks) <= min(p.counts[name], self.cap(name)))
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
        solver = make_solver(PRICING_LIMIT_S, seed=seed)
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


SMOOTHING = 0.5
"""Wentges dual smoothing: price at this mix of the best-bound duals and the master's."""


@dataclass
class _Round:
    """What one pricing round at some duals found: a valid bound and candidate columns."""

    bound: float
    columns: list[tuple[int, Pattern]]


class _ColumnGeneration:
    """The configuration LP solved by column generation, with stabilised duals."""

    def __init__(self, problem: Problem, seed: int, caps: dict[str, int] | None = None) -> None:
        self.problem = problem
        self.seed = seed
        licence = {
            name: round(v.license_monthly * COST_SCALE) for name, v in problem.scenario.vnfs.items()
        }
        self.groups = [
            g
            for g in _groups(problem)
            if any((k, g[0]) in problem.bounds for k in range(len(problem.kinds)))
        ]
        self.pricers = [_Pricer(problem, g, licence, caps) for g in self.groups]
        self.demand = {name: count for name, count in problem.counts.items() if count > 0}
        self.available = [len(group) for group in self.groups]
        self.patterns: list[Pattern] = []
        self.master: _Master | None = None
        self.seen: set[tuple[int, tuple[tuple[int, int], ...]]] = set()

    def price(self, duals: dict[str, float], seeding: bool = False) -> _Round:
        """Price every group at `duals`: the Lagrangian or Farley bound they prove, and columns.

        No configuration of a group earns more than `best` over its licences, so none has a
        reduced cost below unit_cost - best (Lagrangian), and none a profit/cost ratio above
        max(1, best / unit_cost): duals scaled down by that ratio are feasible for the dual of
        the LP without availability rows, a relaxation (Farley).
        """
        weights = {name: math.ceil(value * DUAL_SCALE) for name, value in duals.items()}
        value = sum(duals[name] * self.demand[name] for name in self.demand)
        lagrangian = value
        ratio = 1.0
        columns = []
        for g, pricer in enumerate(self.pricers):
            found, upper = pricer.price(weights, self.seed, seeding)
            best = upper / DUAL_SCALE
            lagrangian += self.available[g] * min(0.0, pricer.unit_cost - best)
            if pricer.unit_cost > 0:
                ratio = max(ratio, best / pricer.unit_cost)
            elif best > 0:
                ratio = math.inf  # a free server: no ratio bounds its configurations' profit
            columns.extend((g, pattern) for pattern in found)
        return _Round(max(lagrangian, value / ratio), columns)

    def add(self, columns: list[tuple[int, Pattern]], duals: dict[str, float] | None) -> int:
        """Add the new columns with a negative reduced cost at `duals` (all when None)."""
        added = 0
        for g, pattern in columns:
            covered = _coverage(self.problem, pattern)
            key = (g, pattern.counts)
            if key in self.seen:
                continue
            if duals is not None:
                reduced = pattern.cost - sum(duals.get(n, 0.0) * c for n, c in covered.items())
                if reduced >= -1e-7:
                    continue
            self.seen.add(key)
            coverage = tuple(sorted(covered.items()))
            self.patterns.append(Pattern(g, pattern.counts, pattern.nodes, pattern.cost, coverage))
            added += 1
        return added

    def run(self, budget_s: float) -> PatternResult:
        """Iterate until the LP is optimal, the bound meets it, or the budget is spent."""
        started = time.perf_counter()
        best_bound = -math.inf
        converged = False
        iterations = 0
        lp_value = 0.0
        # The starting duals are a guess, not the master's: every column they give seeds it.
        center = _volume_duals(self.problem, self.pricers, self.demand)
        if not self.patterns:
            first = self.price(center, seeding=True)
            best_bound = first.bound
            self.add(first.columns, None)
        duals: dict[str, float] | None = None
        alpha = SMOOTHING
        while self.patterns and time.perf_counter() - started < budget_s and not stop_requested():
            if duals is None:
                solved = _solve_master(
                    self.problem, self.groups, self.patterns, self.demand, self.available
                )
                if solved is None:
                    break
                duals, lp_value = solved.duals, solved.value
                self.master = solved
                if best_bound > -math.inf and math.ceil(best_bound - 1e-6) >= math.ceil(
                    lp_value - 1e-6
                ):
                    converged = True
                    break
            iterations += 1
            trial = {n: alpha * center[n] + (1 - alpha) * duals[n] for n in duals}
            result = self.price(trial)
            if result.bound > best_bound:
                best_bound, center = result.bound, trial
            if self.add(result.columns, duals):
                alpha = SMOOTHING
                duals = None  # re-solve the master
            elif alpha > 0.0:
                alpha = 0.0  # mispricing: price at the master's own duals before concluding
            else:
                converged = True
                break
        bound = max(0, math.ceil(best_bound - 1e-6)) if best_bound > -math.inf else 0
        return PatternResult(bound, converged, iterations, len(self.patterns), lp_value=lp_value)


def pattern_bound(
    problem: Problem, budget_s: float, seed: int, caps: dict[str, int] | None = None
) -> PatternResult | None:
    """Column generation within `budget_s`: a proven bound, and a plan hint when valid.

    `caps` overrides the most instances of a VNF per server (`_Pricer.cap`): an aggregated pool
    of identical anti-affine VNFs may put one of each on a server (see `solver/decompose.py`).
    """
    if not supports(problem):
        return None
    started = time.perf_counter()
    generation = _ColumnGeneration(problem, seed, caps)
    if not generation.demand or not generation.pricers:
        return None
    result = generation.run(budget_s)
    if generation.patterns and _hint_is_a_plan(problem):
        remaining = max(0.5, min(budget_s / 2, budget_s - (time.perf_counter() - started)))
        # The integer master gets half of what is left (at least 1 s): on the 10 000-instance
        # core part it found 1 512 in 1 s and 1 511.8 (0.4% above the bound) in 4 s.
        master_s = max(1.0, remaining / 2)
        plans = [
            _rounded_plan(problem, generation),
            _integer_plan(
                problem, generation.groups, generation.patterns, generation.demand, master_s, seed
            ),
        ]
        found = [plan for plan in plans if plan]
        if not found or min(problem.plan_cost(plan) for plan in found) > result.bound:
            dive_s = max(0.5, remaining - master_s)
            found.append(_dived_plan(problem, generation, dive_s))  # not proven yet: dive
        found = [plan for plan in found if plan]
        if found:
            result.hint = min(found, key=lambda plan: problem.plan_cost(plan))
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


@dataclass(frozen=True)
class _Master:
    """A restricted master LP solution: duals of the demand rows, value, usage per column."""

    duals: dict[str, float]
    value: float
    usage: list[float]


def _solve_master(
    problem: Problem,
    groups: list[list[int]],
    patterns: list[Pattern],
    demand: dict[str, int],
    available: list[int] | None = None,
) -> _Master | None:
    """The restricted master LP; artificial columns keep it feasible.

    `available` caps the servers of each group (default: all of them).
    """
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
            lp.Add(sum(mine) <= (len(members) if available is None else available[g]))
    objective = [p.cost * c for c, p in zip(columns, patterns, strict=True)]
    objective += [big * a for a in artificial.values()]
    lp.Minimize(sum(objective))
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return _Master(
        duals={name: max(0.0, row.dual_value()) for name, row in rows.items()},
        value=lp.Objective().Value(),
        usage=[c.solution_value() for c in columns],
    )


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
    solver = make_solver(budget_s, seed=seed)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    chosen: dict[int, list[dict[tuple[int, int | None], int]]] = defaultdict(list)
    for p, u in zip(patterns, use, strict=True):
        for _ in range(solver.value(u)):
            chosen[p.group].append(_pattern_counts(problem, p))
    return _complete(problem, groups, chosen)


def _dived_plan(
    problem: Problem, generation: _ColumnGeneration, budget_s: float
) -> dict[tuple[int, int, int | None], int] | None:
    """Diving: fix the configuration the LP uses most, re-generate columns for the rest, repeat.

    The LP of a packing is often fractional everywhere, so rounding keeps nothing; fixing one
    configuration at a time and pricing again lets the LP re-balance the remainder. What is left
    when time ends is completed greedily. Works on the generator's state, which it consumes.
    """
    started = time.perf_counter()
    chosen: dict[int, list[dict[tuple[int, int | None], int]]] = defaultdict(list)
    residual = dict(generation.demand)
    while residual and time.perf_counter() - started < budget_s and not stop_requested():
        remaining = budget_s - (time.perf_counter() - started)
        generation.demand = residual
        generation.master = None
        generation.run(min(remaining, max(0.2, remaining / 4)))
        master = generation.master
        if master is None:
            break
        # Columns added after the last master solve have no usage yet.
        columns = generation.patterns[: len(master.usage)]
        usable = [i for i, p in enumerate(columns) if generation.available[p.group] > 0]
        if not usable:
            break
        best = max(usable, key=lambda i: master.usage[i])
        if master.usage[best] < 1e-6:
            break
        pattern = generation.patterns[best]
        generation.available[pattern.group] -= 1
        chosen[pattern.group].append(_pattern_counts(problem, pattern))
        for name, count in _coverage(problem, pattern).items():
            if name in residual:
                residual[name] -= count
        residual = {name: count for name, count in residual.items() if count > 0}
    return _complete(problem, generation.groups, chosen)


def _complete(
    problem: Problem,
    groups: list[list[int]],
    chosen: dict[int, list[dict[tuple[int, int | None], int]]],
) -> dict[tuple[int, int, int | None], int] | None:
    """Lay chosen configurations onto their groups' servers, trimmed, and finish greedily.

    Instances of VNFs with rules across servers are left to the greedy, which obeys them.
    Fuller configurations take a group's first servers (the model's symmetry order).
    """
    across = _across_servers(problem)
    for fills in chosen.values():
        for fill in fills:
            for key in [key for key in fill if problem.kinds[key[0]].vnf.name in across]:
                del fill[key]
    _trim_surplus(problem, chosen)
    start: dict[tuple[int, int, int | None], int] = {}
    for g, fills in chosen.items():
        fills = [f for f in fills if f]
        fills.sort(
            key=lambda f: -sum(problem.kinds[k].demand[THREADS] * c for (k, _n), c in f.items())
        )
        for s, fill in zip(_interleaved(problem, groups[g]), fills, strict=False):
            for (k, node), count in fill.items():
                start[(k, s, node)] = count
    return greedy_plan(problem, start)


def _interleaved(problem: Problem, group: list[int]) -> list[int]:
    """A group's slots taking each site in turn: configurations spread over a pooled group's
    sites, so every site keeps room for what the greedy must still place there (one instance
    per site of a site-anti-affine VNF cannot go to a site whose servers are all full)."""
    rank: dict[str, int] = defaultdict(int)
    keyed = []
    for s in group:
        site = problem.slots[s].site.name
        keyed.append((rank[site], s))
        rank[site] += 1
    return [s for _r, s in sorted(keyed)]


def _rounded_plan(
    problem: Problem, generation: _ColumnGeneration
) -> dict[tuple[int, int, int | None], int] | None:
    """Residual rounding: keep the LP's whole configurations, complete the rest greedily."""
    master = generation.master
    if master is None:
        return None
    chosen: dict[int, list[dict[tuple[int, int | None], int]]] = defaultdict(list)
    for pattern, usage in zip(generation.patterns, master.usage, strict=False):
        for _ in range(math.floor(usage + 1e-9)):
            chosen[pattern.group].append(_pattern_counts(problem, pattern))
    return _complete(problem, generation.groups, chosen)


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
        if k not in split:  # an aligned kind left unsplit sits on a one-node server: node 0
            counts[(k, 0 if problem.kinds[k].vnf.numa_aligned else None)] = c
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
