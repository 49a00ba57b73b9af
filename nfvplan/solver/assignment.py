"""The aggregated assignment formulation on CP-SAT.

Instead of one Boolean per instance and server (the textbook model), an integer counts how many
instances of each (VNF, form) a server runs, and, for NUMA-aligned VNFs, how many on each node.
That removes the symmetry between the instances of one VNF entirely (they are interchangeable,
so only counts matter); instance names are given afterwards. The symmetry between identical
servers (same site, type and rack) is broken by ordering them: an earlier server is used
before a later one and carries at least as much load; NUMA nodes of a server are ordered the
same way. See docs/solver.md for the measurements behind this choice.

Requirements an operator wrote (instance counts, anti-affinity, site restrictions, trust,
dedicated hosts) can be built as relaxable, each behind an assumption literal, so that an
infeasible scenario yields the subset of requirements that conflict.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from ortools.sat.python import cp_model

from nfvplan.model import Form, Objective, Scope
from nfvplan.plan import Status
from nfvplan.solver.chain_greedy import chain_greedy_plan
from nfvplan.solver.cpsat import make_solver
from nfvplan.solver.data import COST_SCALE, NIC, NUMA_RESOURCES, THREADS, scale_down
from nfvplan.solver.greedy import greedy_plan
from nfvplan.solver.patterns import pattern_bound
from nfvplan.solver.problem import Problem
from nfvplan.solver.solution import Flow, Progress, RunLimits, Solution
from nfvplan.solver.stop import stop_requested
from nfvplan.solver.survive import add_recovery

Requirement = tuple[str, str]
"""(family, VNF name), e.g. ("anti_affinity", "amf")."""

BALANCE_UNITS = 1_000_000
"""The busiest server's share is optimised in millionths (ties below that are broken by cost)."""
PATTERN_SHARE = 0.4
"""Share of the time limit column generation may use before the assignment search starts."""
DETERMINISTIC_SHARE = 0.3
"""Share of the remaining time the deterministic (interleaved) search gets before the free one."""
BASELINE_SHARE = 0.2
"""Share of the time limit the routing-aware greedy may use before it gives up (issue 13)."""

_STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.UNKNOWN: Status.UNKNOWN,
}


class AssignmentFormulation:
    """Integer counts per (kind, server[, NUMA node]) with capacity rows and symmetry breaking."""

    name = "aggregated-assignment + configuration-LP bound"

    def __init__(self, *, relaxable: bool = False, use_patterns: bool = True) -> None:
        self.relaxable = relaxable
        self.use_patterns = use_patterns
        if not use_patterns:
            self.name = "aggregated-assignment (no configuration bound)"

    def solve(self, problem: Problem, limits: RunLimits) -> Solution:
        """Build the model for `problem` and search within `limits`."""
        started = time.perf_counter()
        # --- routing-aware baseline (issue 13; the pipeline's start-plan stage takes this over):
        # with routing the packing greedy ignores the network, the chain greedy routes it. First,
        # so that it is there however long the bound takes.
        baseline = None
        if problem.routing is not None and not (
            self.relaxable or problem.current or problem.failures
        ):
            baseline = chain_greedy_plan(problem, started + limits.time_limit_s * BASELINE_SHARE)
        # --- end of the routing-aware baseline
        patterns = None
        if self.use_patterns and not self.relaxable:
            budget = limits.time_limit_s * PATTERN_SHARE
            patterns = pattern_bound(problem, budget, limits.seed)
        model = _Model(problem, self.relaxable)
        hint = None if self.relaxable else greedy_plan(problem)
        if baseline is not None and (  # issue 13: the routing-aware baseline, when cheaper
            hint is None or problem.plan_cost(baseline.counts) < problem.plan_cost(hint)
        ):
            hint = baseline.counts
        if patterns is not None:
            model.add_lower_bound(patterns.bound)
            if patterns.hint and (
                hint is None or problem.plan_cost(patterns.hint) < problem.plan_cost(hint)
            ):
                hint = patterns.hint
        replanning = problem.current is not None
        if replanning:
            # Neither the greedy nor the configuration plan knows about moves or pins; the
            # deployment itself (what can stay) is the natural start.
            hint = _stay_hint(problem)
        shortcuts = not replanning and not problem.failures  # they know nothing of either
        if (
            shortcuts
            and patterns is not None
            and hint
            and _proven_by_bound(problem, hint, patterns.bound)
        ):
            solution = Solution(Status.OPTIMAL, counts=dict(hint))
            solution.value = solution.bound = model.first_level_natural(patterns.bound)
            solution.relaxation_bound = solution.bound
            solution.wall_time_s = time.perf_counter() - started
            return solution
        if hint:
            model.add_hint(hint)
        status, solver, notes = self._search(model, limits, started)
        solution = Solution(_STATUS.get(status, Status.UNKNOWN), notes=notes)
        solution.wall_time_s = time.perf_counter() - started
        if status == cp_model.MODEL_INVALID:
            raise RuntimeError(f"internal error: invalid CP-SAT model: {model.cp.validate()}")
        if patterns is not None:
            solution.relaxation_bound = model.first_level_natural(patterns.bound)
        if solution.status.has_plan:
            solution.value, solution.bound = model.natural(
                solver.objective_value, solver.best_objective_bound
            )
            solution.counts = model.read_counts(solver)
            model.read_network(solver, solution)
        elif solution.status is Status.UNKNOWN and hint and problem.routing is None and shortcuts:
            # The greedy or configuration plan obeys every rule when there is no routing: a
            # plan found before the search got going is still a plan.
            solution.status = Status.FEASIBLE
            solution.bound = solution.relaxation_bound
            solution.counts = dict(hint)
            if not stop_requested():  # else solve() notes the interruption instead
                solution.notes.append(
                    "the time limit ran out before the search improved the starting plan"
                )
        elif solution.status is Status.INFEASIBLE and self.relaxable:
            core = solver.sufficient_assumptions_for_infeasibility()
            solution.conflict = [model.requirement_of[i] for i in core]
        return _never_worse(problem, solution, baseline)  # issue 13: the baseline is the floor

    def _search(
        self, model: _Model, limits: RunLimits, started: float
    ) -> tuple[int, cp_model.CpSolver, list[str]]:
        """Deterministic search first; if it ends without a proof, a free-running one.

        CP-SAT's interleaved mode synchronises its workers in batches, so a run that finishes
        gives the same plan every time, but on large models it barely improves a starting plan.
        So it gets a share of the time; when it ends without proving optimality, the usual
        parallel portfolio continues from its best plan for the rest of the limit.
        """

        def remaining() -> float:
            return max(0.1, limits.time_limit_s - (time.perf_counter() - started))

        callback = _ProgressCallback(model, limits, started) if limits.progress else None
        parallel = limits.workers > 1 and not self.relaxable
        first_share = DETERMINISTIC_SHARE if parallel else 1.0
        solver = make_solver(remaining() * first_share, workers=limits.workers, seed=limits.seed)
        status = solver.solve(model.cp, callback)
        if not parallel or status in _CONCLUSIVE or remaining() < 0.5 or stop_requested():
            return status, solver, []
        if status == cp_model.FEASIBLE:
            model.cp.clear_hints()
            model.add_hint(model.read_counts(solver))
        free = make_solver(
            remaining(), workers=limits.workers, seed=limits.seed, deterministic=False
        )
        free_status = free.solve(model.cp, callback)
        note = (
            "the deterministic search did not finish within its share of the time limit, so a "
            "free-running parallel search continued: plans stopped by a wall-clock limit may "
            "differ between runs"
        )
        if free_status == cp_model.UNKNOWN and status == cp_model.FEASIBLE:
            return status, solver, [note]
        return free_status, free, [note]

    def is_feasible(
        self, problem: Problem, active: Iterable[Requirement], limits: RunLimits
    ) -> bool | None:
        """Solve with only `active` requirements enforced; None when undecided in time."""
        model = _Model(problem, relaxable=True, active=set(active))
        solver = make_solver(limits.time_limit_s, seed=limits.seed)
        status = solver.solve(model.cp)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return True
        if status == cp_model.INFEASIBLE:
            return False
        return None


_CONCLUSIVE = (cp_model.OPTIMAL, cp_model.INFEASIBLE, cp_model.MODEL_INVALID)


def _never_worse(problem: Problem, solution: Solution, baseline: Solution | None) -> Solution:
    """The search's plan, or the routing-aware greedy's when the search found none in time or
    a worse one (issue 13: the plan returned is never worse than that baseline of the run).

    Only `cost` and `servers` plans are compared (the greedy does not aim at balance); an
    optimal plan is kept, and so is an infeasible outcome: proven over every chain path, no plan
    exists; proven over a restricted set, `solve()` widens the set and searches again.
    """
    if baseline is None or solution.status in (Status.OPTIMAL, Status.INFEASIBLE):
        return solution
    if solution.status.has_plan:
        if problem.objective is Objective.BALANCE or solution.value is None:
            return solution
        if baseline.value is None or baseline.value >= solution.value - 1e-9:
            return solution
    # The search's bound holds over its restricted chain paths; the greedy routes freely, so
    # past that bound only the configuration-LP bound (which ignores routing) still holds.
    bound = solution.bound if solution.status.has_plan else solution.relaxation_bound
    if bound is None or (baseline.value is not None and bound > baseline.value + 1e-9):
        bound = solution.relaxation_bound
    floor = replace(baseline, bound=bound, relaxation_bound=solution.relaxation_bound)
    floor.wall_time_s = solution.wall_time_s
    floor.notes = [
        *solution.notes,
        "the routing-aware greedy's plan was kept: the search found "
        + ("none" if not solution.status.has_plan else "only costlier ones")
        + " in time",
    ]
    return floor


def _stay_hint(problem: Problem) -> dict[tuple[int, int, int | None], int]:
    """The current deployment, as far as it can stay, as a (partial) starting plan."""
    assert problem.current is not None
    return {(k, s, None): count for (k, s), count in problem.current.stay.items()}


def _proven_by_bound(
    problem: Problem, hint: dict[tuple[int, int, int | None], int], bound: int
) -> bool:
    """True when a complete starting plan meets the configuration bound on every level.

    Only without routing (the hint then obeys every rule), and only when the objective's
    tie-break levels cannot improve: for `cost` the plan has exactly the needed instances; for
    `servers`, all servers cost the same, so fewest servers is also cheapest.
    """
    if problem.routing is not None or problem.plan_cost(hint) > bound:
        return False
    if problem.objective is Objective.COST:
        return True
    return problem.objective is Objective.SERVERS and len({s.cost for s in problem.slots}) == 1


class _Model:
    """One CP-SAT model of a problem; private to this formulation."""

    def __init__(
        self, problem: Problem, relaxable: bool, active: set[Requirement] | None = None
    ) -> None:
        self.problem = problem
        self.cp = cp_model.CpModel()
        self.relaxable = relaxable
        self.active = active
        self.literals: dict[Requirement, cp_model.IntVar] = {}
        self.requirement_of: dict[int, Requirement] = {}
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.x_node: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.used: dict[int, cp_model.IntVar] = {}
        self.present: dict[tuple[int, Form], cp_model.IntVar] = {}
        self.t: dict[tuple[int, int], cp_model.IntVar] = {}
        self.flow: dict[tuple[int, int], cp_model.IntVar] = {}
        self.weight = 1
        self.moves: list[cp_model.IntVar] = []
        self._variables()
        self._network_variables()
        self._counts()
        self._routing()
        self._capacity()
        self._numa()
        self._trust()
        self._isolation()
        self._anti_affinity()
        self._sites()
        self._current()
        if problem.failures:
            add_recovery(self)
        self._symmetry()
        self._objective()
        if relaxable and active is None:
            self.cp.add_assumptions(list(self.literals.values()))

    # -- requirements -----------------------------------------------------------------------

    def _enforced(self, constraint: cp_model.Constraint, requirement: Requirement) -> None:
        """Make `constraint` conditional on its requirement when requirements are relaxable."""
        if not self.relaxable:
            return
        if self.active is not None:
            if requirement not in self.active:
                constraint.only_enforce_if(self.cp.new_constant(0))
            return
        literal = self.literals.get(requirement)
        if literal is None:
            literal = self.cp.new_bool_var(f"req_{requirement[0]}_{requirement[1]}")
            self.literals[requirement] = literal
            self.requirement_of[literal.index] = requirement
        constraint.only_enforce_if(literal)

    # -- variables ----------------------------------------------------------------------------

    def _variables(self) -> None:
        """Counts per (kind, slot), per NUMA node for aligned kinds, and server/form flags."""
        p = self.problem
        for k, kind in enumerate(p.kinds):
            for s in p.candidates[k]:
                bound = p.bounds[(k, s)]
                var = self.cp.new_int_var(0, bound, f"x_{k}_{s}")
                self.x[(k, s)] = var
                nodes = p.slots[s].type.numa_nodes
                if kind.vnf.numa_aligned and nodes > 1:
                    parts = [self.cp.new_int_var(0, bound, f"x_{k}_{s}_n{n}") for n in range(nodes)]
                    for n, part in enumerate(parts):
                        self.x_node[(k, s, n)] = part
                    self.cp.add(var == sum(parts))
        by_slot: dict[int, list[int]] = defaultdict(list)
        for k, s in self.x:
            by_slot[s].append(k)
        self.kinds_on = dict(by_slot)
        for s, ks in self.kinds_on.items():
            used = self.cp.new_bool_var(f"used_{s}")
            self.used[s] = used
            forms_here = []
            for form in Form:
                members = [k for k in ks if p.kinds[k].form is form]
                if not members:
                    continue
                flag = self.cp.new_bool_var(f"present_{s}_{form.value}")
                self.present[(s, form)] = flag
                forms_here.append(flag)
                for k in members:
                    self.cp.add(self.x[(k, s)] <= p.bounds[(k, s)] * flag)
                self.cp.add(flag <= sum(self.x[(k, s)] for k in members))
                self.cp.add(flag <= used)
            self.cp.add(used <= sum(forms_here))

    def _network_variables(self) -> None:
        """Mbit/s per candidate chain path, and per (kind, server) of every chain VNF."""
        p = self.problem
        if p.routing is None:
            return
        for d, demand in enumerate(p.routing.demands):
            for i, _path in enumerate(demand.paths):
                self.flow[(d, i)] = self.cp.new_int_var(0, demand.units, f"f_{d}_{i}")
        for name, total in p.traffic.items():
            vnf = p.scenario.vnfs[name]
            each = total if vnf.throughput_gbps is None else scale_down(vnf.throughput_gbps, NIC)
            for k in p.kinds_of(name):
                for s in p.candidates[k]:
                    carried = self.cp.new_int_var(0, total, f"t_{k}_{s}")
                    self.t[(k, s)] = carried
                    self.cp.add(carried <= min(each, total) * self.x[(k, s)])

    # -- constraint families --------------------------------------------------------------------

    def _routing(self) -> None:
        """Demands are carried in full, links hold their load, instances carry what passes them."""
        p = self.problem
        if p.routing is None:
            return
        link_load: dict[tuple[str, str], list] = defaultdict(list)
        at_site: dict[tuple[str, str], list] = defaultdict(list)
        for d, demand in enumerate(p.routing.demands):
            flows = [self.flow[(d, i)] for i in range(len(demand.paths))]
            constraint = self.cp.add(sum(flows) == demand.units)
            self._enforced(constraint, ("demand", f"{demand.service}#{demand.index}"))
            for i, path in enumerate(demand.paths):
                for key in path.links:
                    link_load[key].append(self.flow[(d, i)])
                for name, site in zip(demand.chain, path.vnf_sites, strict=True):
                    at_site[(name, site)].append(self.flow[(d, i)])
        capacity = {
            (min(link.a, link.b), max(link.a, link.b)): link.gbps for link in p.scenario.links
        }
        for key, flows in link_load.items():
            self.cp.add(sum(flows) <= scale_down(capacity[key], NIC))
        for name in p.traffic:
            sites = {p.slots[s].site.name for k in p.kinds_of(name) for s in p.candidates[k]}
            # Sorted: a set of strings iterates in a per-process hash order, and constraint
            # order steers CP-SAT, so separate runs would find different (equal-cost) plans.
            for site in sorted(sites | {site for (n, site) in at_site if n == name}):
                carried = [
                    var
                    for (k, s), var in self.t.items()
                    if p.kinds[k].vnf.name == name and p.slots[s].site.name == site
                ]
                self.cp.add(sum(carried) == sum(at_site.get((name, site), [])))

    def _counts(self) -> None:
        """Every VNF runs exactly its number of instances."""
        p = self.problem
        for name in p.vnf_names:
            terms = [self.x[(k, s)] for k in p.kinds_of(name) for s in p.candidates[k]]
            if p.scales_with_traffic(name):
                constraint = self.cp.add(sum(terms) >= p.counts[name])
            else:
                constraint = self.cp.add(sum(terms) == p.counts[name])
            self._enforced(constraint, ("count", name))

    def _load(self, s: int, resource: int) -> cp_model.LinearExpr:
        """What a slot uses of one resource: instances plus the reserves of the forms present."""
        p = self.problem
        slot = p.slots[s]
        terms = [p.kinds[k].demand[resource] * self.x[(k, s)] for k in self.kinds_on[s]]
        if resource == NIC:
            terms.extend(self.t[(k, s)] for k in self.kinds_on[s] if (k, s) in self.t)
        for form in Form:
            flag = self.present.get((s, form))
            if flag is not None:
                terms.append(p.reserve(form, slot)[resource] * flag)
        return sum(terms)

    def _capacity(self) -> None:
        """Every resource of every server holds what runs on it."""
        for s in self.kinds_on:
            slot = self.problem.slots[s]
            for r, cap in enumerate(slot.capacity):
                self.cp.add(self._load(s, r) <= cap * self.used[s])

    def _numa(self) -> None:
        """Aligned instances on one node fit the node's share (reserves split over all nodes)."""
        p = self.problem
        for s in self.kinds_on:
            slot = p.slots[s]
            nodes = slot.type.numa_nodes
            aligned = [k for k in self.kinds_on[s] if (k, s, 0) in self.x_node]
            if not aligned:
                continue
            for n in range(nodes):
                for r in NUMA_RESOURCES:
                    terms = [nodes * p.kinds[k].demand[r] * self.x_node[(k, s, n)] for k in aligned]
                    for form in Form:
                        flag = self.present.get((s, form))
                        if flag is not None:
                            terms.append(p.reserve(form, slot)[r] * flag)
                    self.cp.add(sum(terms) <= slot.capacity[r])
            # Nodes are interchangeable: the first carries at least as many threads as the next.
            loads = [
                sum(p.kinds[k].demand[THREADS] * self.x_node[(k, s, n)] for k in aligned)
                for n in range(nodes)
            ]
            for a, b in itertools.pairwise(loads):
                self.cp.add(a >= b)

    def _trust(self) -> None:
        """All containers on one server belong to one trust domain."""
        p = self.problem
        for s, ks in self.kinds_on.items():
            by_domain = p.container_domains(ks)
            if len(by_domain) < 2:
                continue
            flags = []
            for domain, members in by_domain.items():
                flag = self.cp.new_bool_var(f"trust_{s}_{domain}")
                flags.append(flag)
                for k in members:
                    constraint = self.cp.add(self.x[(k, s)] <= p.bounds[(k, s)] * flag)
                    self._enforced(constraint, ("trust", p.kinds[k].vnf.name))
            self.cp.add(sum(flags) <= 1)

    def _isolation(self) -> None:
        """An instance of an isolated VNF is alone on its server."""
        p = self.problem
        for s, ks in self.kinds_on.items():
            total = sum(self.x[(k, s)] for k in ks)
            for name in sorted({p.kinds[k].vnf.name for k in ks if p.kinds[k].vnf.isolated}):
                mine = [k for k in ks if p.kinds[k].vnf.name == name]
                here = self.cp.new_bool_var(f"iso_{s}_{name}")
                self.cp.add(sum(self.x[(k, s)] for k in mine) == here)
                constraint = self.cp.add(total <= 1).only_enforce_if(here)
                self._enforced(constraint, ("isolation", name))

    def _anti_affinity(self) -> None:
        """Replicas of a VNF never share the host, rack or site its rule names."""
        p = self.problem
        for name, vnf in p.scenario.vnfs.items():
            if vnf.anti_affinity is None:
                continue
            groups: dict[object, list[cp_model.IntVar]] = defaultdict(list)
            for k in p.kinds_of(name):
                for s in p.candidates[k]:
                    slot = p.slots[s]
                    key: object = {
                        Scope.HOST: slot.index,
                        Scope.RACK: (slot.site.name, slot.rack),
                        Scope.SITE: slot.site.name,
                    }[vnf.anti_affinity]
                    groups[key].append(self.x[(k, s)])
            for members in groups.values():
                if vnf.anti_affinity is Scope.HOST and len(members) == 1 and not self.relaxable:
                    continue  # the variable's bound already says at most one
                constraint = self.cp.add(sum(members) <= 1)
                self._enforced(constraint, ("anti_affinity", name))

    def _sites(self) -> None:
        """Site restrictions (only needed as constraints when candidates ignored them)."""
        p = self.problem
        for (k, s), var in self.x.items():
            vnf = p.kinds[k].vnf
            if vnf.sites is not None and not vnf.sites.allows(p.slots[s].site):
                constraint = self.cp.add(var == 0)
                self._enforced(constraint, ("sites", vnf.name))

    def _current(self) -> None:
        """Re-planning: count the instances that leave their current server (or form).

        Per VNF, `kept` instances stay where they are; of the rest, as many as both the old and
        the new count allow are moves (the others are plain additions or removals), so
        moved = min(old, new) - kept. With `keep`, every instance that can stay must stay.
        """
        current = self.problem.current
        if current is None:
            return
        p = self.problem
        kept: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for (k, s), count in current.stay.items():
            x = self.x[(k, s)]
            if current.keep:
                self.cp.add(x >= count)
            stays = self.cp.new_int_var(0, count, f"kept_{k}_{s}")
            self.cp.add(stays <= x)
            kept[p.kinds[k].vnf.name].append(stays)
        counts: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        most: dict[str, int] = defaultdict(int)
        for key, var in self.x.items():  # one pass, not one per VNF: models can be large
            name = p.kinds[key[0]].vnf.name
            counts[name].append(var)
            most[name] += p.bounds[key]
        for name, before in current.per_vnf.items():
            after = self.cp.new_int_var(0, most[name], f"count_{name}")
            self.cp.add(after == sum(counts[name]))
            both = self.cp.new_int_var(0, before, f"both_{name}")
            self.cp.add_min_equality(both, [after, before])
            moved = self.cp.new_int_var(0, before, f"moved_{name}")
            self.cp.add(moved >= both - sum(kept[name]))
            self.moves.append(moved)
        if current.max_moves is not None:
            self.cp.add(sum(self.moves) <= current.max_moves)

    def _symmetry(self) -> None:
        """Identical servers are used in order, the earlier one carrying at least as much."""
        for group in self.problem.symmetry_groups():
            for a, b in itertools.pairwise(group):
                self.cp.add(self.used[a] >= self.used[b])
                self.cp.add(self._instance_threads(a) >= self._instance_threads(b))

    def _instance_threads(self, s: int) -> cp_model.LinearExpr:
        p = self.problem
        return sum(p.kinds[k].demand[THREADS] * self.x[(k, s)] for k in self.kinds_on[s])

    # -- objective ----------------------------------------------------------------------------

    def _objective(self) -> None:
        """Lexicographic: the chosen objective, then cost, then no instance beyond need, then
        the least link traffic (no detour when a direct path costs the same).

        Levels are packed into one integer objective, each level weighted by one more than the
        largest value of all levels below it, so CP-SAT's bound stays a bound on the first. The
        link-traffic level is dropped when the packed weights would approach 64 bits.
        """
        p = self.problem
        licence = {
            name: round(vnf.license_monthly * COST_SCALE) for name, vnf in p.scenario.vnfs.items()
        }
        cost = sum(p.slots[s].cost * used for s, used in self.used.items())
        cost += sum(licence[p.kinds[k].vnf.name] * var for (k, _s), var in self.x.items())
        cost_max = sum(p.slots[s].cost for s in self.used)
        cost_max += sum(
            licence[p.kinds[k].vnf.name] * p.bounds[key] for key in self.x for k in key[:1]
        )
        levels: list[tuple[cp_model.LinearExprT, int]] = []
        if p.objective is Objective.SERVERS:
            levels.append((sum(self.used.values()), len(self.used)))
        elif p.objective is Objective.BALANCE:
            busiest = self.cp.new_int_var(0, BALANCE_UNITS, "busiest_share")
            for s in self.kinds_on:
                for r, cap in enumerate(p.slots[s].capacity):
                    if cap > 0:
                        self.cp.add(BALANCE_UNITS * self._load(s, r) <= cap * busiest)
            levels.append((busiest, BALANCE_UNITS))
        current = p.current
        if current is not None and self.moves:
            cost += current.move_cost * sum(self.moves)
            cost_max += current.move_cost * sum(current.per_vnf.values())
        levels.append((cost, cost_max))
        if current is not None and self.moves:
            levels.append((sum(self.moves), sum(current.per_vnf.values())))
        scaled = [key for key in self.x if p.scales_with_traffic(p.kinds[key[0]].vnf.name)]
        if scaled:
            levels.append((sum(self.x[key] for key in scaled), sum(p.bounds[k] for k in scaled)))
        if self.flow and p.routing is not None:
            hops = [
                (len(p.routing.demands[d].paths[i].links), var) for (d, i), var in self.flow.items()
            ]
            most = sum(
                d.units * max((len(q.links) for q in d.paths), default=0) for d in p.routing.demands
            )
            if math.prod(largest + 1 for _e, largest in levels) * (most + 1) < 2**60:
                levels.append((sum(n * var for n, var in hops), most))
        objective: cp_model.LinearExprT = 0
        self.primary = levels[0][0]
        self.weight = 1
        for expression, largest in reversed(levels):
            objective = objective + self.weight * expression
            self.weight *= largest + 1
        self.weight //= levels[0][1] + 1
        self.cp.minimize(objective)

    def natural(self, value: float, bound: float) -> tuple[float, float]:
        """The first objective level and its bound, in the objective's own units."""
        first, first_bound = round(value) // self.weight, round(bound) // self.weight
        return self.first_level_natural(first), self.first_level_natural(first_bound)

    def first_level_natural(self, first: int) -> float:
        """A value of the first objective level (cents, servers, millionths) in natural units."""
        objective = self.problem.objective
        if objective is Objective.COST:
            return first / COST_SCALE
        if objective is Objective.SERVERS:
            return float(first)
        return first / BALANCE_UNITS

    def add_lower_bound(self, bound: int) -> None:
        """A proven bound on the first objective level (from the configuration LP)."""
        if bound > 0:
            self.cp.add(self.primary >= bound)

    def add_hint(self, counts: dict[tuple[int, int, int | None], int]) -> None:
        """A complete starting plan as instance counts per (kind, slot, NUMA node)."""
        totals: dict[tuple[int, int], int] = defaultdict(int)
        for (k, s, node), count in counts.items():
            totals[(k, s)] += count
            if node is not None and (k, s, node) in self.x_node:
                self.cp.add_hint(self.x_node[(k, s, node)], count)
        for key, var in self.x.items():
            self.cp.add_hint(var, totals.get(key, 0))
        for (k, s, node), var in self.x_node.items():
            if (k, s, node) not in counts:
                self.cp.add_hint(var, 0)
        for s, used in self.used.items():
            self.cp.add_hint(used, any(totals.get((k, s), 0) for k in self.kinds_on[s]))
        for (s, form), flag in self.present.items():
            here = any(
                totals.get((k, s), 0)
                for k in self.kinds_on[s]
                if self.problem.kinds[k].form is form
            )
            self.cp.add_hint(flag, here)

    # -- reading back -------------------------------------------------------------------------

    def read_network(self, solver: cp_model.CpSolver, solution: Solution) -> None:
        """Path flows and per-(kind, server) traffic of the solution."""
        p = self.problem
        if p.routing is None:
            return
        for (d, i), var in self.flow.items():
            units = solver.value(var)
            if units:
                demand = p.routing.demands[d]
                solution.flows.append(Flow(demand.service, demand.index, units, demand.paths[i]))
        solution.traffic = {key: solver.value(v) for key, v in self.t.items() if solver.value(v)}

    def read_counts(self, solver: cp_model.CpSolver) -> dict[tuple[int, int, int | None], int]:
        """Instance counts per (kind, slot, NUMA node) in the solution."""
        counts: dict[tuple[int, int, int | None], int] = {}
        for (k, s), var in self.x.items():
            value = solver.value(var)
            if not value:
                continue
            if (k, s, 0) in self.x_node:
                for n in range(self.problem.slots[s].type.numa_nodes):
                    part = solver.value(self.x_node[(k, s, n)])
                    if part:
                        counts[(k, s, n)] = part
            else:
                nodes = self.problem.slots[s].type.numa_nodes
                aligned = self.problem.kinds[k].vnf.numa_aligned
                counts[(k, s, 0 if aligned and nodes == 1 else None)] = value
        return counts


class _ProgressCallback(cp_model.CpSolverSolutionCallback):
    """Reports each improving plan to the caller, in the objective's own units."""

    def __init__(self, model: _Model, limits: RunLimits, started: float) -> None:
        super().__init__()
        self.model = model
        self.report = limits.progress
        self.started = started

    def on_solution_callback(self) -> None:
        value, bound = self.model.natural(self.objective_value, self.best_objective_bound)
        if self.report is not None:
            self.report(Progress(time.perf_counter() - self.started, value, bound))
