"""The lexicographic objective of the assignment model, packed into one integer.

Levels, most important first: the chosen objective (cost in cents, servers used, or the
busiest server's largest resource share in millionths), then cost, then (re-planning) moves,
then no traffic-sized instance beyond need, then the least link traffic (no detour when a
direct path costs the same). `status.levels` names the same levels for the notes.
"""

from __future__ import annotations

import math

from ortools.sat.python import cp_model

from nfvplan.model import Objective as Goal
from nfvplan.solver.assignment.constraints import Constraints
from nfvplan.solver.assignment.variables import Variables
from nfvplan.solver.data import BALANCE_UNITS, COST_SCALE
from nfvplan.solver.problem import Problem
from nfvplan.solver.status import FIRST_LEVEL, LOWER_LEVEL


class Objective:
    """Builds the packed objective; reads its first level back out of values and bounds."""

    def __init__(
        self,
        cp: cp_model.CpModel,
        problem: Problem,
        variables: Variables,
        constraints: Constraints,
    ) -> None:
        self.cp = cp
        self.problem = problem
        self.v = variables
        self.constraints = constraints
        self.weight = 1
        """What one unit of the first level weighs in the packed objective."""
        self.primary: cp_model.LinearExprT = 0
        self.levels: list[tuple[str, int, int]] = []
        """(name, weight, largest value) per level, most important first."""

    def add_objective(self) -> None:
        """Minimise the levels packed into one integer.

        Each level is weighted by one more than the largest value of all the levels below it,
        so CP-SAT's bound stays a bound on the first. The link-traffic level is dropped when
        the packed weights would approach 64 bits.
        """
        p, v = self.problem, self.v
        licence = {
            name: round(vnf.license_monthly * COST_SCALE) for name, vnf in p.scenario.vnfs.items()
        }
        cost = sum(p.slots[s].cost * used for s, used in v.used.items())
        cost += sum(licence[p.kinds[k].vnf.name] * var for (k, _s), var in v.x.items())
        cost_max = sum(p.slots[s].cost for s in v.used)
        cost_max += sum(licence[p.kinds[key[0]].vnf.name] * p.bounds[key] for key in v.x)
        levels: list[tuple[cp_model.LinearExprT, int]] = []
        names = [FIRST_LEVEL[p.objective]]
        if p.objective is Goal.SERVERS:
            levels.append((sum(v.used.values()), len(v.used)))
        elif p.objective is Goal.BALANCE:
            busiest = self.cp.new_int_var(0, BALANCE_UNITS, "busiest_share")
            plan = self.constraints.plan
            for s in v.kinds_on:
                for r, cap in enumerate(p.slots[s].capacity):
                    if cap > 0:
                        load = self.constraints.load(plan, s, r)
                        self.cp.add(BALANCE_UNITS * load <= cap * busiest)
            levels.append((busiest, BALANCE_UNITS))
        current = p.current
        if current is not None and v.moves:
            cost += current.move_cost * sum(v.moves)
            cost_max += current.move_cost * sum(current.per_vnf.values())
        levels.append((cost, cost_max))
        if p.objective is not Goal.COST:
            names.append(LOWER_LEVEL["cost"])
        if current is not None and v.moves:
            levels.append((sum(v.moves), sum(current.per_vnf.values())))
            names.append(LOWER_LEVEL["moves"])
        scaled = [key for key in v.x if p.scales_with_traffic(p.kinds[key[0]].vnf.name)]
        if scaled:
            levels.append((sum(v.x[key] for key in scaled), sum(p.bounds[k] for k in scaled)))
            names.append(LOWER_LEVEL["scaled"])
        if v.flow and p.routing is not None:
            demands = p.routing.demands
            hops = [(len(demands[d].paths[i].links), var) for (d, i), var in v.flow.items()]
            most = sum(d.units * max((len(q.links) for q in d.paths), default=0) for d in demands)
            if math.prod(largest + 1 for _e, largest in levels) * (most + 1) < 2**60:
                levels.append((sum(n * var for n, var in hops), most))
                names.append(LOWER_LEVEL["links"])
        objective: cp_model.LinearExprT = 0
        self.primary = levels[0][0]
        self.weight = 1
        packed = []
        for (expression, largest), name in zip(reversed(levels), reversed(names), strict=True):
            objective = objective + self.weight * expression
            packed.append((name, self.weight, largest))
            self.weight *= largest + 1
        self.levels = packed[::-1]
        self.weight //= levels[0][1] + 1
        self.cp.minimize(objective)

    def open_levels(self, value: float, bound: float) -> list[str]:
        """The levels a packed bound does not prove for a packed value, from the first
        unproven one down (empty: every level proven)."""
        v, b = round(value), math.ceil(bound - 1e-6)
        for i, (_name, weight, largest) in enumerate(self.levels):
            dv, db = v // weight, b // weight
            if i:
                dv, db = dv % (largest + 1), db % (largest + 1)
            if db < dv:
                return [name for name, _w, _l in self.levels[i:]]
            if db > dv:
                return []
        return []

    def first_level(self, value: float) -> int:
        """The first objective level of a packed objective value (or bound)."""
        return round(value) // self.weight

    def add_lower_bound(self, bound: int) -> None:
        """A proven bound on the first objective level (from the configuration LP)."""
        if bound > 0:
            self.cp.add(self.primary >= bound)
