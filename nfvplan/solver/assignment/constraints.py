"""The constraint families of the aggregated assignment model, each encoded once.

`Constraints.add_constraints()` is the ordered list of families; each is one private method
with a one-line docstring. The per-server families (capacity, trust, isolation, anti-affinity)
are written over a `Layer`: the instance counts that must obey them. The plan itself is one
layer; the recovery model of `--survive` (`solver/survive.py`) adds one layer per failure (the
plan's counts plus the instances restarted after it, on the servers that survive) and reuses
these same families. Requirements an operator wrote can be made relaxable (`Requirements`):
each behind an assumption literal, so an infeasible scenario yields the ones in conflict.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from nfvplan.model import Form, Scope
from nfvplan.solver.assignment.variables import Variables
from nfvplan.solver.data import DISK, MEMORY, NIC, NUMA_RESOURCES, THREADS, scale_down
from nfvplan.solver.problem import Problem
from nfvplan.solver.stop import check_stop

Requirement = tuple[str, str]
"""(family, VNF name), e.g. ("anti_affinity", "amf")."""


class Requirements:
    """Which requirements are enforced: all (plain), behind assumptions, or only `active`."""

    def __init__(
        self, cp: cp_model.CpModel, relaxable: bool, active: set[Requirement] | None = None
    ) -> None:
        self.cp = cp
        self.relaxable = relaxable
        self.active = active
        self.literals: dict[Requirement, cp_model.IntVar] = {}
        self.requirement_of: dict[int, Requirement] = {}

    def enforce(self, constraint: cp_model.Constraint, requirement: Requirement) -> None:
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

    def assume_all(self) -> None:
        """Ask CP-SAT for a core over every requirement literal (the explain model)."""
        if self.relaxable and self.active is None:
            self.cp.add_assumptions(list(self.literals.values()))


@dataclass
class Layer:
    """Instance counts that the per-server rules must hold for, server by server."""

    tag: str
    """Prefix of the layer's own variable names ("" for the plan itself)."""
    slots: dict[int, list[int]]
    """Slot → the kinds counted there (a slot only where this layer may differ)."""
    candidates: Callable[[int], list[int]]
    """Kind → the slots where its instances count in this layer (anti-affinity groups)."""
    terms: Callable[[int, int], list[cp_model.LinearExprT]]
    """(kind, slot) → the count terms of the kind on the slot."""
    forms: Callable[[int], dict[Form, cp_model.LinearExprT]]
    """Slot → a flag per form present (each pays the host reserve once)."""
    available: Callable[[int], cp_model.LinearExprT]
    """Slot → 1 when it may hold anything (its `used` flag, or 1)."""
    carried: Callable[[int], list[cp_model.LinearExprT]] = field(default=lambda s: [])
    """Slot → the Mbit/s its instances carry (they load the NIC)."""
    enforce: Callable[[cp_model.Constraint, Requirement], None] = field(
        default=lambda constraint, requirement: None
    )
    """Makes a constraint relaxable under a requirement (the plan's layer only)."""
    merge_singletons: bool = False
    """True when a host anti-affinity group of one count term needs no row (its bound is 1)."""


class Constraints:
    """The families of one model over its variables, in the order `add_constraints` adds them."""

    def __init__(
        self,
        cp: cp_model.CpModel,
        problem: Problem,
        variables: Variables,
        requirements: Requirements,
    ) -> None:
        self.cp = cp
        self.problem = problem
        self.v = variables
        self.requirements = requirements
        self.plan = self._plan_layer()
        self._pulled: dict[tuple[str, str, int], cp_model.IntVar] = {}
        """(layer tag, VNF, slot) → 1 when the slot holds the VNF's container image."""
        self._credit: dict[tuple[int, int], cp_model.LinearExprT | int] = {}
        """(nested kind, slot) → the restarts its workers take in (`worker_credit`)."""
        self._image = {
            name: units for name in problem.vnf_names if (units := problem.container_image(name))
        }
        """VNF → disk units of its container image, for the VNFs that have one."""

    def add_constraints(self) -> None:
        """Every family, in order; building obeys Ctrl-C and the deadline between families."""
        for family in (
            self._counts,
            self._routing,
            self._nesting,
            self._plan_capacity,
            self._numa,
            self._plan_trust,
            self._plan_isolation,
            self._plan_anti_affinity,
            self._redundancy,
            self._sites,
            self._current,
            self._recovery,
            self.symmetry,
        ):
            check_stop()
            family()

    def per_server_rules(self, layer: Layer) -> None:
        """Capacity, trust, isolation and anti-affinity over one layer (used by `survive.py`)."""
        self.capacity(layer)
        self.anti_affinity(layer)
        self.isolation(layer)
        self.trust(layer)

    # -- the plan's layer ------------------------------------------------------------------------

    def _plan_layer(self) -> Layer:
        """The plan itself: one count per (kind, slot), the server's own flags."""
        p, v = self.problem, self.v

        def forms(s: int) -> dict[Form, cp_model.LinearExprT]:
            flags = {form: v.present[(s, form)] for form in Form if (s, form) in v.present}
            if v.nested is not None and s in v.nested.hypervisor:
                flags[Form.VM] = v.nested.hypervisor[s]  # VMs and worker VMs: one hypervisor
            return flags

        return Layer(
            tag="",
            slots=v.kinds_on,
            candidates=lambda k: p.candidates[k],
            terms=lambda k, s: [v.x[(k, s)]],
            forms=forms,
            available=lambda s: v.used[s],
            carried=lambda s: [v.t[(k, s)] for k in v.kinds_on[s] if (k, s) in v.t],
            enforce=self.requirements.enforce,
            merge_singletons=not self.requirements.relaxable,
        )

    def _plan_capacity(self) -> None:
        """Every resource of every server holds what runs on it."""
        self.capacity(self.plan)

    def _plan_trust(self) -> None:
        """All containers on one server belong to one trust domain."""
        self.trust(self.plan)

    def _plan_isolation(self) -> None:
        """An instance of an isolated VNF is alone on its server."""
        self.isolation(self.plan)

    def _plan_anti_affinity(self) -> None:
        """Replicas of a VNF never share the host, rack or site its rule names."""
        self.anti_affinity(self.plan)

    # -- families of the plan only ---------------------------------------------------------------

    def _redundancy(self) -> None:
        """Spares survive any one host: at most (instances - needed) of a VNF on one server.

        Plan only: during a recovery (`--survive` layers, `Scenario.degraded`) the spares have
        done their job. The total is one variable so each server's row stays short."""
        p, x = self.problem, self.v.x
        for name in p.vnf_names:
            needed = p.needed_after_failure(name)
            if needed is None:
                continue
            kinds = p.kinds_of(name)
            terms = [x[(k, s)] for k in kinds for s in p.candidates[k]]
            most = sum(p.bounds[(k, s)] for k in kinds for s in p.candidates[k])
            total = self.cp.new_int_var(0, most, f"total_{name}")
            self.cp.add(total == sum(terms))
            spare = p.scenario.vnfs[name].redundancy
            hosts = []
            for s in p.vnf_candidates(name):
                here = [x[(k, s)] for k in kinds if (k, s) in x]
                constraint = self.cp.add(sum(here) + needed <= total)
                self.requirements.enforce(constraint, ("redundancy", name))
                hosting = self.cp.new_bool_var(f"hosts_{name}_{s}")
                self.cp.add(
                    sum(here) <= sum(p.bounds[(k, s)] for k in kinds if (k, s) in x) * hosting
                )
                self.cp.add(sum(here) >= hosting)
                hosts.append(hosting)
            # Implied (valid for every plan, it only helps the proof): on h >= 2 hosts the
            # total is at least 2 x needed when h = 2, and at least needed + spares always.
            weight = max(needed - spare, 0)
            constraint = self.cp.add(total >= 2 * needed - weight * (sum(hosts) - 2))
            self.requirements.enforce(constraint, ("redundancy", name))

    def _counts(self) -> None:
        """Every VNF runs exactly its number of instances (at least, when traffic-sized)."""
        p, x = self.problem, self.v.x
        for name in p.vnf_names:
            terms = [x[(k, s)] for k in p.kinds_of(name) for s in p.candidates[k]]
            if p.scales_with_traffic(name):
                constraint = self.cp.add(sum(terms) >= p.counts[name])
            else:
                constraint = self.cp.add(sum(terms) == p.counts[name])
            self.requirements.enforce(constraint, ("count", name))

    def _routing(self) -> None:
        """Demands are carried in full, links hold their load, instances carry what passes them."""
        p, v = self.problem, self.v
        if p.routing is None:
            return
        link_load: dict[tuple[str, str], list] = defaultdict(list)
        at_site: dict[tuple[str, str], list] = defaultdict(list)
        for d, demand in enumerate(p.routing.demands):
            check_stop()  # hundreds of demands with hundreds of paths each on large networks
            flows = [v.flow[(d, i)] for i in range(len(demand.paths))]
            constraint = self.cp.add(sum(flows) == demand.units)
            self.requirements.enforce(constraint, ("demand", f"{demand.service}#{demand.index}"))
            for i, path in enumerate(demand.paths):
                for key in path.links:
                    link_load[key].append(v.flow[(d, i)])
                for name, site in zip(demand.chain, path.vnf_sites, strict=True):
                    at_site[(name, site)].append(v.flow[(d, i)])
        capacity = {
            (min(link.a, link.b), max(link.a, link.b)): link.gbps for link in p.scenario.links
        }
        kept_links = p.frozen.links if p.frozen is not None else {}
        kept_carried = p.frozen.carried if p.frozen is not None else {}
        for key, flows in link_load.items():
            check_stop()  # a link of a full traffic matrix carries 100 000 path flows
            room = scale_down(capacity[key], NIC) - kept_links.get(key, 0)
            self.cp.add(sum(flows) <= room)
        # Grouped once, in `v.t`'s order (a scan of `v.t` per site was quadratic: minutes at
        # 418 sites with a gravity matrix, past the time limit).
        carried: dict[tuple[str, str], list] = defaultdict(list)
        for (k, s), var in v.t.items():
            carried[(p.kinds[k].vnf.name, p.slots[s].site.name)].append(var)
        for name in p.traffic:
            sites = {p.slots[s].site.name for k in p.kinds_of(name) for s in p.candidates[k]}
            # Sorted: a set of strings iterates in a per-process hash order, and constraint
            # order steers CP-SAT, so separate runs would find different (equal-cost) plans.
            for site in sorted(sites | {site for (n, site) in at_site if n == name}):
                check_stop()
                kept = kept_carried.get((name, site), 0)
                self.cp.add(
                    sum(carried.get((name, site), [])) == sum(at_site.get((name, site), [])) + kept
                )

    def _numa(self) -> None:
        """Aligned instances on one node fit the node's share (reserves split over all nodes)."""
        p, v = self.problem, self.v
        for s in v.kinds_on:
            slot = p.slots[s]
            nodes = slot.type.numa_nodes
            aligned = [k for k in v.kinds_on[s] if (k, s, 0) in v.x_node]
            workers = self.aligned_workers(s)
            if not aligned and not workers:
                continue
            for n in range(nodes):
                for r in NUMA_RESOURCES:
                    terms = [nodes * p.kinds[k].demand[r] * v.x_node[(k, s, n)] for k in aligned]
                    terms += [nodes * host[r] * count[n] for host, count in workers]
                    for form, flag in self.plan.forms(s).items():
                        terms.append(p.reserve(form, slot)[r] * flag)
                    self.cp.add(sum(terms) <= slot.capacity[r])
            # Nodes are interchangeable: the first carries at least as many threads as the next.
            loads = [
                sum(p.kinds[k].demand[THREADS] * v.x_node[(k, s, n)] for k in aligned)
                for n in range(nodes)
            ]
            for a, b in itertools.pairwise(loads):
                self.cp.add(a >= b)

    # -- nested form (container-in-vm): worker VMs ---------------------------------------------

    def _nesting(self) -> None:
        """Nested containers run in worker VMs of their trust domain that hold them.

        Per (slot, domain): the kind's count on the slot is what its workers hold; each open
        worker's contents (flavors + container overhead, each VNF's image once) fit the
        worker's room after the runtime's reserve, and an open worker holds something; workers
        open in order (they are interchangeable); aligned workers are spread over NUMA nodes by
        count. The host side is in `load` (workers take their VM demand there) and in `_numa`.
        One domain per worker holds by construction (a worker is of one domain), and host
        anti-affinity counts instances per physical host (`anti_affinity`, unchanged)."""
        p, v = self.problem, self.v
        nested, tables = v.nested, p.nesting
        if nested is None or tables is None:
            return
        for (s, name), opened in nested.open.items():
            check_stop()
            room = tables.domains[name].room
            members = nested.kinds[(s, name)]
            for k in members:
                self.cp.add(v.x[(k, s)] == sum(nested.y[(k, s, j)] for j in range(len(opened))))
            for j, flag in enumerate(opened):
                held = [nested.y[(k, s, j)] for k in members]
                for r in range(3):
                    terms = [tables.inner[k][r] * nested.y[(k, s, j)] for k in members]
                    if r == 2:
                        terms += self._worker_images(s, j, members)
                    self.cp.add(sum(terms) <= room[r] * flag)
                self.cp.add(sum(held) >= flag)
            for a, b in itertools.pairwise(opened):
                self.cp.add(a >= b)
            nodes = [
                nested.on_node[(s, name, n)]
                for n in range(p.slots[s].type.numa_nodes)
                if (s, name, n) in nested.on_node
            ]
            if nodes:
                self.cp.add(sum(nodes) == sum(opened))
        for s, hypervisor in nested.hypervisor.items():
            forms = (Form.VM, Form.NESTED)
            flags = [v.present[(s, form)] for form in forms if (s, form) in v.present]
            for flag in flags:
                self.cp.add(hypervisor >= flag)
            self.cp.add(hypervisor <= sum(flags))

    def _worker_images(self, s: int, j: int, members: list[int]) -> list[cp_model.LinearExprT]:
        """Disk of the container images worker j of slot s pulls: once per VNF it runs."""
        nested, tables = self.v.nested, self.problem.nesting
        assert nested is not None and tables is not None
        out = []
        for k in members:
            if k not in tables.image:
                continue
            flag = self.cp.new_bool_var(f"wimage_{s}_{j}_{k}")
            self.cp.add(nested.y[(k, s, j)] <= tables.per_worker(k) * flag)
            out.append(tables.image[k] * flag)
        return out

    def worker_credit(self, k: int, s: int) -> cp_model.LinearExprT | int:
        """How many restarted instances of nested kind k the plan's workers on slot s take in,
        at least (`lifecycle.worker_spare`, for the recovery budgets of `--survive`): the room
        left in each worker that runs kind k and nothing else, `per_worker(k) - y[k, s, j]`
        (integer units round the room down, so this never exceeds the rule's float count).
        Workers with several VNFs are credited nothing (a lower bound: their split room is a
        product the model does not need). One variable per (kind, slot), shared by failures."""
        nested, tables = self.v.nested, self.problem.nesting
        if nested is None or tables is None or k not in tables.inner:
            return 0
        key = (k, s)
        if key in self._credit:
            return self._credit[key]
        name = tables.domain_of[k]
        members = nested.kinds.get((s, name), [])
        most = tables.per_worker(k)
        terms = []
        for j in range(len(nested.open.get((s, name), []))):
            if (k, s, j) not in nested.y:
                continue
            alone = self.cp.new_bool_var(f"alone_{k}_{s}_{j}")
            self.cp.add(nested.y[(k, s, j)] >= 1).only_enforce_if(alone)
            for other in members:
                if other != k and (other, s, j) in nested.y:
                    self.cp.add(nested.y[(other, s, j)] == 0).only_enforce_if(alone)
            room = self.cp.new_int_var(0, most, f"credit_{k}_{s}_{j}")
            self.cp.add(room <= most * alone)
            self.cp.add(room <= most - nested.y[(k, s, j)])
            terms.append(room)
        self._credit[key] = credit = sum(terms) if terms else 0
        return credit

    def worker_load(self, s: int, resource: int) -> list[cp_model.LinearExprT]:
        """What the worker VMs on slot s take of a host resource (the plan's layer)."""
        nested, tables = self.v.nested, self.problem.nesting
        if nested is None or tables is None:
            return []
        return [
            domain.host[resource] * nested.count(s, name)
            for name, domain in tables.domains.items()
            if (s, name) in nested.open
        ]

    def restarted_workers(self, layer: Layer, s: int, resource: int) -> list[cp_model.LinearExprT]:
        """A recovery layer (`--survive`): each restarted nested instance counts as a worker VM
        of its own, plus the hypervisor's reserve (conservative: the recovery never packs)."""
        p, tables = self.problem, self.problem.nesting
        if tables is None:
            return []
        out: list[cp_model.LinearExprT] = []
        for k in layer.slots[s]:
            if k not in tables.inner:
                continue
            restarted = layer.terms(k, s)[1:]  # the plan's own count comes first (`_both`)
            host = tables.domains[tables.domain_of[k]].host[resource]
            out.extend(host * term for term in restarted)
        reserve = p.reserve(Form.VM, p.slots[s])[resource]
        flag = layer.forms(s).get(Form.NESTED)
        if out and flag is not None:
            out.append(reserve * flag)
        nested = self.v.nested
        if nested is not None and s in nested.hypervisor:  # the plan's workers need it too
            out.append(reserve * nested.hypervisor[s])
        return out

    def aligned_workers(self, s: int) -> list[tuple[tuple[int, ...], list[cp_model.IntVar]]]:
        """(host demand, workers per node) of each NUMA-aligned worker flavor on slot s."""
        nested, tables = self.v.nested, self.problem.nesting
        if nested is None or tables is None:
            return []
        nodes = self.problem.slots[s].type.numa_nodes
        return [
            (domain.host, [nested.on_node[(s, name, n)] for n in range(nodes)])
            for name, domain in tables.domains.items()
            if (s, name, 0) in nested.on_node
        ]

    def _sites(self) -> None:
        """Site restrictions (only needed as constraints when candidates ignored them)."""
        p = self.problem
        for (k, s), var in self.v.x.items():
            vnf = p.kinds[k].vnf
            if vnf.sites is not None and not vnf.sites.allows(p.slots[s].site):
                constraint = self.cp.add(var == 0)
                self.requirements.enforce(constraint, ("sites", vnf.name))

    def _current(self) -> None:
        """Re-planning: count the instances that leave their current server (or form).

        Per VNF, `kept` instances stay where they are; of the rest, as many as both the old and
        the new count allow are moves (the others are plain additions or removals), so
        moved = min(old, new) - kept. With `keep`, every instance that can stay must stay.
        """
        current = self.problem.current
        if current is None:
            return
        p, v = self.problem, self.v
        kept: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for (k, s), count in current.stay.items():
            x = v.x[(k, s)]
            if current.keep:
                self.cp.add(x >= count)
            stays = self.cp.new_int_var(0, count, f"kept_{k}_{s}")
            self.cp.add(stays <= x)
            kept[p.kinds[k].vnf.name].append(stays)
        counts: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        most: dict[str, int] = defaultdict(int)
        for key, var in v.x.items():  # one pass, not one per VNF: models can be large
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
            v.moves.append(moved)
        if current.max_moves is not None:
            self.cp.add(sum(v.moves) <= current.max_moves)

    def _recovery(self) -> None:
        """Per failure to survive, the restarted instances obey the per-server rules too (and,
        like a resilience check's re-placement, the recovery budgets)."""
        if self.problem.failures or self.problem.current is not None:
            from nfvplan.solver.survive import add_recovery

            add_recovery(self)

    # -- per-server families, over any layer ---------------------------------------------------

    def load(self, layer: Layer, s: int, resource: int) -> cp_model.LinearExprT:
        """What a slot uses of one resource in `layer`: instances, carried traffic on the NIC,
        and the reserves of the forms present."""
        p = self.problem
        slot = p.slots[s]
        inside = resource in (THREADS, MEMORY, DISK)  # a nested kind's share is its worker's
        terms = [
            p.kinds[k].demand[resource] * term
            for k in layer.slots[s]
            if not (inside and p.kinds[k].form is Form.NESTED)
            for term in layer.terms(k, s)
        ]
        if inside:
            terms.extend(self.worker_load(s, resource))
        if layer.tag and p.nesting is not None:
            terms.extend(self.restarted_workers(layer, s, resource))
        if resource == NIC:
            terms.extend(layer.carried(s))
        if resource == DISK:
            terms.extend(self.images(layer, s))
        for form, flag in layer.forms(s).items():
            terms.append(p.reserve(form, slot)[resource] * flag)
        return sum(terms)

    def images(self, layer: Layer, s: int) -> list[cp_model.LinearExprT]:
        """Disk of the container images slot s pulls in `layer`: once per VNF whose containers
        run there, shared by all of them (a flag per VNF and slot)."""
        p = self.problem
        if not self._image:
            return []
        by_vnf: dict[str, list[int]] = defaultdict(list)
        for k in layer.slots[s]:
            kind = p.kinds[k]
            if kind.form is Form.CONTAINER and kind.vnf.name in self._image:
                by_vnf[kind.vnf.name].append(k)
        out = []
        for name, ks in by_vnf.items():
            key = (layer.tag, name, s)
            flag = self._pulled.get(key)
            if flag is None:
                flag = self.cp.new_bool_var(f"image{layer.tag}_{s}_{name}")
                self._pulled[key] = flag
                for k in ks:
                    for term in layer.terms(k, s):
                        self.cp.add(term <= p.bounds[(k, s)] * flag)
            out.append(self._image[name] * flag)
        return out

    def capacity(self, layer: Layer) -> None:
        """Every resource of every server in `layer` holds what runs on it."""
        for s in layer.slots:
            check_stop()
            available = layer.available(s)
            for r, cap in enumerate(self.problem.slots[s].capacity):
                self.cp.add(self.load(layer, s, r) <= cap * available)

    def trust(self, layer: Layer) -> None:
        """All containers on one server of `layer` belong to one trust domain."""
        p = self.problem
        for s, ks in layer.slots.items():
            check_stop()
            by_domain = p.container_domains(ks)
            if len(by_domain) < 2:
                continue
            flags = []
            for domain, members in by_domain.items():
                flag = self.cp.new_bool_var(f"trust{layer.tag}_{s}_{domain}")
                flags.append(flag)
                for k in members:
                    for term in layer.terms(k, s):
                        constraint = self.cp.add(term <= p.bounds[(k, s)] * flag)
                        layer.enforce(constraint, ("trust", p.kinds[k].vnf.name))
            self.cp.add(sum(flags) <= 1)

    def isolation(self, layer: Layer) -> None:
        """An instance of an isolated VNF is alone on its server in `layer`."""
        p = self.problem
        for s, ks in layer.slots.items():
            check_stop()
            total = sum(term for k in ks for term in layer.terms(k, s))
            for name in sorted({p.kinds[k].vnf.name for k in ks if p.kinds[k].vnf.isolated}):
                mine = [
                    term for k in ks if p.kinds[k].vnf.name == name for term in layer.terms(k, s)
                ]
                here = self.cp.new_bool_var(f"iso{layer.tag}_{s}_{name}")
                self.cp.add(sum(mine) == here)
                constraint = self.cp.add(total <= 1).only_enforce_if(here)
                layer.enforce(constraint, ("isolation", name))

    def anti_affinity(self, layer: Layer) -> None:
        """Replicas of a VNF never share the host, rack or site its rule names, in `layer`."""
        p = self.problem
        for name, vnf in p.scenario.vnfs.items():
            if vnf.anti_affinity is None:
                continue
            groups: dict[object, list[cp_model.LinearExprT]] = defaultdict(list)
            for k in p.kinds_of(name):
                for s in layer.candidates(k):
                    slot = p.slots[s]
                    key: object = {
                        Scope.HOST: slot.index,
                        Scope.RACK: (slot.site.name, slot.rack),
                        Scope.SITE: slot.site.name,
                    }[vnf.anti_affinity]
                    groups[key].extend(layer.terms(k, s))
            for members in groups.values():
                single = len(members) == 1
                if single and (
                    layer.tag or (vnf.anti_affinity is Scope.HOST and layer.merge_singletons)
                ):
                    continue  # one count term: its bound (at most one) already says it
                constraint = self.cp.add(sum(members) <= 1)
                layer.enforce(constraint, ("anti_affinity", name))

    # -- symmetry --------------------------------------------------------------------------------

    def symmetry(self) -> None:
        """Identical servers are used in order, the earlier one carrying at least as much."""
        p, v = self.problem, self.v
        for group in p.symmetry_groups():
            for a, b in itertools.pairwise(group):
                self.cp.add(v.used[a] >= v.used[b])
                self.cp.add(self._instance_threads(a) >= self._instance_threads(b))

    def _instance_threads(self, s: int) -> cp_model.LinearExprT:
        p, v = self.problem, self.v
        return sum(p.kinds[k].demand[THREADS] * v.x[(k, s)] for k in v.kinds_on[s])
