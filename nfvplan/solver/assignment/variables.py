"""The decision variables of the aggregated assignment model, in typed groups.

An integer counts how many instances of each kind (VNF, form) a server runs, and, for
NUMA-aligned VNFs on multi-node servers, how many on each node; a server has a `used` flag and
a `present` flag per form (each pays the form's host reserve once). With routing, an integer
per candidate chain path (Mbit/s) and per (kind, server) the traffic its instances carry.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from nfvplan.model import Form
from nfvplan.solver.data import NIC, scale_down
from nfvplan.solver.problem import Problem
from nfvplan.solver.stop import check_stop

KindSlot = tuple[int, int]
"""(kind index, slot index)."""


class Variables:
    """Every variable group of one model; families and the objective only read these."""

    def __init__(self, cp: cp_model.CpModel, problem: Problem) -> None:
        self.cp = cp
        self.problem = problem
        self.x: dict[KindSlot, cp_model.IntVar] = {}
        """Instances of kind k on slot s."""
        self.x_node: dict[tuple[int, int, int], cp_model.IntVar] = {}
        """Instances of an aligned kind k on NUMA node n of slot s."""
        self.used: dict[int, cp_model.IntVar] = {}
        self.present: dict[tuple[int, Form], cp_model.IntVar] = {}
        self.kinds_on: dict[int, list[int]] = {}
        """Slot → the kinds it is a candidate for (the slots that have any)."""
        self.flow: dict[tuple[int, int], cp_model.IntVar] = {}
        """Mbit/s of demand d on its candidate chain path i."""
        self.t: dict[KindSlot, cp_model.IntVar] = {}
        """Mbit/s the instances of kind k on slot s carry together."""
        self.moves: list[cp_model.IntVar] = []
        """Re-planning: instances moved, per VNF (made by the `_current` family)."""
        self._counts()
        self._servers()
        self._network()
        self.nested = NestedVariables(cp, problem, self) if problem.nesting is not None else None
        """Worker VMs of the nested form (None when no kind is nested)."""

    def _counts(self) -> None:
        """Counts per (kind, slot), and per NUMA node for aligned kinds."""
        p, cp = self.problem, self.cp
        for k, kind in enumerate(p.kinds):
            check_stop()  # kinds x candidate servers: 10^6 variables at operator scale
            for s in p.candidates[k]:
                bound = p.bounds[(k, s)]
                var = cp.new_int_var(0, bound, f"x_{k}_{s}")
                self.x[(k, s)] = var
                nodes = p.slots[s].type.numa_nodes
                # a nested instance's NUMA node is its worker's (`NestedVariables.on_node`)
                if kind.vnf.numa_aligned and nodes > 1 and kind.form is not Form.NESTED:
                    parts = [cp.new_int_var(0, bound, f"x_{k}_{s}_n{n}") for n in range(nodes)]
                    for n, part in enumerate(parts):
                        self.x_node[(k, s, n)] = part
                    cp.add(var == sum(parts))
        by_slot: dict[int, list[int]] = defaultdict(list)
        for k, s in self.x:
            by_slot[s].append(k)
        self.kinds_on = dict(by_slot)

    def _servers(self) -> None:
        """A server is used when some form is present, a form when some instance of it is."""
        p, cp = self.problem, self.cp
        for s, ks in self.kinds_on.items():
            used = cp.new_bool_var(f"used_{s}")
            self.used[s] = used
            forms_here = []
            for form in Form:
                members = [k for k in ks if p.kinds[k].form is form]
                if not members:
                    continue
                flag = cp.new_bool_var(f"present_{s}_{form.value}")
                self.present[(s, form)] = flag
                forms_here.append(flag)
                for k in members:
                    cp.add(self.x[(k, s)] <= p.bounds[(k, s)] * flag)
                cp.add(flag <= sum(self.x[(k, s)] for k in members))
                cp.add(flag <= used)
            cp.add(used <= sum(forms_here))

    def _network(self) -> None:
        """Mbit/s per candidate chain path, and per (kind, server) of every chain VNF."""
        p, cp = self.problem, self.cp
        if p.routing is None:
            return
        for d, demand in enumerate(p.routing.demands):
            for i, _path in enumerate(demand.paths):
                self.flow[(d, i)] = cp.new_int_var(0, demand.units, f"f_{d}_{i}")
        for name, total in p.traffic.items():
            vnf = p.scenario.vnfs[name]
            each = total if vnf.throughput_gbps is None else scale_down(vnf.throughput_gbps, NIC)
            for k in p.kinds_of(name):
                for s in p.candidates[k]:
                    carried = cp.new_int_var(0, total, f"t_{k}_{s}")
                    self.t[(k, s)] = carried
                    cp.add(carried <= min(each, total) * self.x[(k, s)])


# -- nested form (container-in-vm): worker VMs -----------------------------------------------


class NestedVariables:
    """Worker VMs per (slot, trust domain), exactly: worker j is open or not, and holds
    `y[k, s, j]` instances of nested kind k (of the worker's domain); aligned workers on a
    multi-node host are counted per node (`on_node`), which is enough because the workers of one
    (slot, domain) have one flavor, so any of them may take any node. `hypervisor[s]` is 1 when
    the host runs any VM or worker VM (the VM form's host reserve, paid once)."""

    def __init__(self, cp: cp_model.CpModel, problem: Problem, v: Variables) -> None:
        tables = problem.nesting
        assert tables is not None
        self.open: dict[tuple[int, str], list[cp_model.IntVar]] = {}
        self.y: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.on_node: dict[tuple[int, str, int], cp_model.IntVar] = {}
        self.hypervisor: dict[int, cp_model.IntVar] = {}
        self.kinds: dict[tuple[int, str], list[int]] = {}
        for s, ks in v.kinds_on.items():
            slot = problem.slots[s]
            by_domain: dict[str, list[int]] = defaultdict(list)
            for k in ks:
                if k in tables.inner:
                    by_domain[tables.domain_of[k]].append(k)
            for name, members in sorted(by_domain.items()):
                most = tables.most_workers(name, slot.capacity, problem.reserve(Form.VM, slot))
                most = min(most, sum(problem.bounds[(k, s)] for k in members))
                self.kinds[(s, name)] = members
                self.open[(s, name)] = [
                    cp.new_bool_var(f"worker_{s}_{name}_{j}") for j in range(most)
                ]
                for j in range(most):
                    for k in members:
                        bound = min(problem.bounds[(k, s)], tables.per_worker(k))
                        self.y[(k, s, j)] = cp.new_int_var(0, bound, f"y_{k}_{s}_{j}")
                nodes = slot.type.numa_nodes
                if tables.domains[name].aligned and nodes > 1:
                    for n in range(nodes):
                        self.on_node[(s, name, n)] = cp.new_int_var(
                            0, most, f"workers_{s}_{name}_n{n}"
                        )
            if by_domain:
                self.hypervisor[s] = cp.new_bool_var(f"hypervisor_{s}")

    def count(self, s: int, name: str) -> cp_model.LinearExprT:
        """How many worker VMs of domain `name` run on slot s."""
        return sum(self.open.get((s, name), []))
