"""The aggregated assignment model on CP-SAT, in four collaborators (the PyJobShop shape).

Instead of one Boolean per instance and server (the textbook model), an integer counts how many
instances of each (VNF, form) a server runs, and, for NUMA-aligned VNFs, how many on each node.
That removes the symmetry between the instances of one VNF entirely (they are interchangeable,
so only counts matter); instance names are given afterwards. The symmetry between identical
servers (same site, type and rack) is broken by ordering them: an earlier server is used
before a later one and carries at least as much load; NUMA nodes of a server are ordered the
same way. See docs/solver.md for the measurements behind this choice.

`AssignmentModel` wires `Variables` (variables.py), `Constraints` (constraints.py: one
method per family, `add_constraints()` the ordered list), `Objective` (objective.py) and
`ReadBack` (readback.py). The search (`search.py`), the explanation (`explain.py`, with
requirements relaxable) and the recovery layers of `--survive` (`survive.py`) all use this one
model; none reaches into another's private parts.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from nfvplan.solver.assignment.constraints import Constraints, Layer, Requirement, Requirements
from nfvplan.solver.assignment.objective import Objective
from nfvplan.solver.assignment.readback import ReadBack
from nfvplan.solver.assignment.variables import Variables
from nfvplan.solver.incumbent import Counts, Incumbent
from nfvplan.solver.nesting import Workers
from nfvplan.solver.problem import Problem
from nfvplan.solver.stop import check_stop

__all__ = ["AssignmentModel", "Constraints", "Layer", "Requirement", "Variables"]


class AssignmentModel:
    """One CP-SAT model of a problem: variables, constraint families, objective, read-back."""

    def __init__(
        self, problem: Problem, relaxable: bool = False, active: set[Requirement] | None = None
    ) -> None:
        self.problem = problem
        self.cp = cp_model.CpModel()
        self.requirements = Requirements(self.cp, relaxable, active)
        self.variables = Variables(self.cp, problem)
        self.constraints = Constraints(self.cp, problem, self.variables, self.requirements)
        self.constraints.add_constraints()
        check_stop()
        self.objective = Objective(self.cp, problem, self.variables, self.constraints)
        self.objective.add_objective()
        self.requirements.assume_all()
        self._read = ReadBack(problem, self.variables)

    @property
    def requirement_of(self) -> dict[int, Requirement]:
        """Assumption literal index → the requirement it stands for (relaxable models)."""
        return self.requirements.requirement_of

    def first_level(self, value: float) -> int:
        """The first objective level of a packed objective value (or bound)."""
        return self.objective.first_level(value)

    def add_lower_bound(self, bound: int) -> None:
        """A proven bound on the first objective level (from the configuration LP)."""
        self.objective.add_lower_bound(bound)

    def add_hint(self, counts: Counts) -> None:
        """A starting plan as instance counts per (kind, slot, NUMA node); replaces any older
        hint (CP-SAT rejects a variable hinted twice)."""
        self.cp.clear_hints()
        v, kinds = self.variables, self.problem.kinds
        totals: dict[tuple[int, int], int] = defaultdict(int)
        for (k, s, node), count in counts.items():
            totals[(k, s)] += count
            if node is not None and (k, s, node) in v.x_node:
                self.cp.add_hint(v.x_node[(k, s, node)], count)
        for key, var in v.x.items():
            self.cp.add_hint(var, totals.get(key, 0))
        for (k, s, node), var in v.x_node.items():
            if (k, s, node) not in counts:
                self.cp.add_hint(var, 0)
        for s, used in v.used.items():
            self.cp.add_hint(used, any(totals.get((k, s), 0) for k in v.kinds_on[s]))
        for (s, form), flag in v.present.items():
            here = any(totals.get((k, s), 0) for k in v.kinds_on[s] if kinds[k].form is form)
            self.cp.add_hint(flag, here)

    def add_network_hint(
        self, flows: dict[tuple[int, int], int], traffic: dict[tuple[int, int], int]
    ) -> None:
        """A starting plan's routes: Mbit/s per (demand, candidate path) and per (kind, slot)
        carried traffic, after `add_hint` (a hint of counts alone leaves CP-SAT to find the
        routes again; with these, a complete plan is a complete hint)."""
        for key, var in self.variables.flow.items():
            self.cp.add_hint(var, flows.get(key, 0))
        for key, var in self.variables.t.items():
            self.cp.add_hint(var, traffic.get(key, 0))

    def read_counts(self, solver: cp_model.CpSolver) -> Counts:
        """Instance counts per (kind, slot, NUMA node) in the solution."""
        return self._read.counts(solver)

    def read_workers(self, solver: cp_model.CpSolver) -> Workers:
        """The solution's worker VMs of the nested form, with their contents."""
        return self._read.workers(solver)

    def read_network(self, solver: cp_model.CpSolver, incumbent: Incumbent) -> None:
        """Path flows and per-(kind, server) traffic of the solution, into `incumbent`."""
        self._read.network(solver, incumbent)
