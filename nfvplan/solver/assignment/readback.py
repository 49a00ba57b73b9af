"""Reading a CP-SAT solution of the assignment model back into plain numbers.

Nothing of OR-Tools leaves the solver package: counts per (kind, slot, NUMA node), path flows
and carried traffic are copied into the `Incumbent`.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from nfvplan.solver.assignment.variables import Variables
from nfvplan.solver.incumbent import Counts, Flow, Incumbent
from nfvplan.solver.nesting import Workers
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

    def workers(self, solver: cp_model.CpSolver) -> Workers:
        """The open worker VMs per (slot, domain) with their contents and NUMA node.

        Workers open in order, so the open ones are the first; the per-node counts give the
        first `on_node[0]` of them node 0, the next node 1, and so on (one flavor per domain:
        which worker takes which node does not matter to any constraint)."""
        nested = self.v.nested
        if nested is None:
            return {}
        out: Workers = {}
        for (s, name), opened in nested.open.items():
            entries = []
            for j, flag in enumerate(opened):
                if not solver.value(flag):
                    continue
                contents = {
                    k: value
                    for k in nested.kinds[(s, name)]
                    if (value := solver.value(nested.y[(k, s, j)]))
                }
                entries.append((None, contents))
            nodes = [
                solver.value(nested.on_node[(s, name, n)])
                for n in range(self.problem.slots[s].type.numa_nodes)
                if (s, name, n) in nested.on_node
            ]
            labels = [n for n, count in enumerate(nodes) for _ in range(count)]
            if labels:
                entries = [(labels[i], contents) for i, (_n, contents) in enumerate(entries)]
            if entries:
                out[(s, name)] = entries
        return out
