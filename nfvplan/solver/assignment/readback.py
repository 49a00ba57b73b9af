"""Reading a CP-SAT solution of the assignment model back into plain numbers.

Nothing of OR-Tools leaves the solver package: counts per (kind, slot, NUMA node), path flows
and carried traffic are copied into the `Incumbent`.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from nfvplan.solver.assignment.variables import Variables
from nfvplan.solver.incumbent import Counts, Flow, Incumbent
from nfvplan.solver.problem import Problem


class ReadBack:
    """Copies a solution's values out of the model's variables."""

    def __init__(self, problem: Problem, variables: Variables) -> None:
        self.problem = problem
        self.v = variables

    def counts(self, solver: cp_model.CpSolver) -> Counts:
        """Instance counts per (kind, slot, NUMA node) in the solution."""
        p, v = self.problem, self.v
        counts: Counts = {}
        for (k, s), var in v.x.items():
            value = solver.value(var)
            if not value:
                continue
            if (k, s, 0) in v.x_node:
                for n in range(p.slots[s].type.numa_nodes):
                    part = solver.value(v.x_node[(k, s, n)])
                    if part:
                        counts[(k, s, n)] = part
            else:
                nodes = p.slots[s].type.numa_nodes
                aligned = p.kinds[k].vnf.numa_aligned
                counts[(k, s, 0 if aligned and nodes == 1 else None)] = value
        return counts

    def network(self, solver: cp_model.CpSolver, incumbent: Incumbent) -> None:
        """Path flows and per-(kind, server) traffic of the solution, into `incumbent`."""
        p, v = self.problem, self.v
        if p.routing is None:
            return
        for (d, i), var in v.flow.items():
            units = solver.value(var)
            if units:
                demand = p.routing.demands[d]
                incumbent.flows.append(Flow(demand.service, demand.index, units, demand.paths[i]))
        incumbent.traffic = {key: solver.value(t) for key, t in v.t.items() if solver.value(t)}
