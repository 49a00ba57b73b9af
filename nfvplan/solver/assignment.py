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
from collections import defaultdict

from ortools.sat.python import cp_model

from nfvplan.model import Form, Objective, Scope
from nfvplan.solver.data import BALANCE_UNITS, COST_SCALE, NIC, NUMA_RESOURCES, THREADS, scale_down
from nfvplan.solver.incumbent import Counts, Flow, Incumbent
from nfvplan.solver.problem import Problem
from nfvplan.solver.stop import check_stop
from nfvplan.solver.survive import add_recovery

Requirement = tuple[str, str]
"""(family, VNF name), e.g. ("anti_affinity", "amf")."""


class AssignmentModel:
    """One CP-SAT model of a problem: built here, searched by `search.py`, explained by
    `explain.py`; its variables are read only through the methods below."""

    def __init__(
        self, problem: Problem, relaxable: bool = False, active: set[Requirement] | None = None
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
        # Building obeys Ctrl-C and the deadline between steps (`Stopped`): at operator scale
        # one family takes seconds and the whole model minutes.
        for step in (
            self._variables,
            self._network_variables,
            self._counts,
            self._routing,
            self._capacity,
            self._numa,
            self._trust,
            self._isolation,
            self._anti_affinity,
            self._sites,
            self._current,
            self._recovery,
            self._symmetry,
            self._objective,
        ):
            check_stop()
            step()
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
            check_stop()
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
            check_stop()
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

    def _recovery(self) -> None:
        """Second-stage counts for the failures the plan must survive (`survive.py`)."""
        if self.problem.failures:
            add_recovery(self)

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

    def first_level(self, value: float) -> int:
        """The first objective level of a packed objective value (or bound)."""
        return round(value) // self.weight

    def add_lower_bound(self, bound: int) -> None:
        """A proven bound on the first objective level (from the configuration LP)."""
        if bound > 0:
            self.cp.add(self.primary >= bound)

    def add_hint(self, counts: Counts) -> None:
        """A starting plan as instance counts per (kind, slot, NUMA node); replaces any older
        hint (CP-SAT rejects a variable hinted twice)."""
        self.cp.clear_hints()
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

    def read_network(self, solver: cp_model.CpSolver, solution: Incumbent) -> None:
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

    def read_counts(self, solver: cp_model.CpSolver) -> Counts:
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
