"""Recovery variables: planning so that given single failures can be survived.

For each failure to survive (scenario generation: the survival planner in `nfvplan.survive`
adds the failures its resilience check found fatal, one round at a time), the assignment model
gains a second-stage copy of the placement counts, `y_f[kind, slot]`, for the instances the
failure hits, on the slots that survive it:

- every instance on a failed slot is started again elsewhere (per VNF, in any of its forms);
  a traffic-sized VNF needs, after the failure, as many instances as the traffic left needs;
- capacity: base + recovery instances plus the reserves of the forms present fit every
  resource of a surviving slot; a purchasable slot is only there if the plan buys it (an empty
  purchase is not a plan), an installed one always is;
- anti-affinity, trust domains and dedicated hosts hold over base + recovery.

What is left out, on purpose, is what would make this a restriction rather than a relaxation
of the resilience check: routing after the failure (paths, link capacities, latency, traffic
carried on the NIC) and NUMA alignment of restarted instances. The model is therefore a
relaxation of "the plan passes the check for these failures": if it is infeasible, no such plan
exists; if its optimum passes the check for every failure, it is optimal among survivable plans.
The check, not this model, is what proves survival.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from nfvplan.model import Form, Scenario, Scope, Service
from nfvplan.solver.problem import Problem, fixed_count

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from nfvplan.solver.assignment import AssignmentModel


@dataclass(frozen=True)
class FailureSpec:
    """A failure to plan for, in scenario terms: server ids that go down, maybe a whole site.

    For a site failure the demands entering or leaving the site are dropped (their traffic is
    lost with it), which lowers what traffic-sized VNFs need afterwards.
    """

    label: str
    servers: frozenset[str]
    site: str | None = None


@dataclass(frozen=True)
class Recovery:
    """A failure resolved against one problem: failed slot indices and per-VNF needs after it."""

    label: str
    failed: frozenset[int]
    counts: dict[str, int]


def resolve(problem: Problem, spec: FailureSpec) -> Recovery:
    """The slots `spec` takes down in `problem`, and what each VNF needs once it has."""
    failed = frozenset(slot.index for slot in problem.slots if slot.id in spec.servers)
    scenario = problem.scenario
    if spec.site is not None:
        scenario = _without_site_demands(scenario, spec.site)
    counts = {name: fixed_count(scenario, vnf) for name, vnf in scenario.vnfs.items()}
    return Recovery(spec.label, failed, counts)


def _without_site_demands(scenario: Scenario, site: str) -> Scenario:
    services = {
        name: Service(
            s.name, s.chain, tuple(d for d in s.demands if site not in (d.source, d.target))
        )
        for name, s in scenario.services.items()
    }
    return replace(scenario, services=services)


def add_recovery(model: AssignmentModel) -> None:
    """Add every failure of `model.problem.failures` to the model (see the module docstring)."""
    for index, recovery in enumerate(model.problem.failures):
        _Recovery(model, recovery, index).build()


class _Recovery:
    """The second-stage variables and rows of one failure."""

    def __init__(self, model: AssignmentModel, recovery: Recovery, index: int) -> None:
        self.m = model
        self.p = model.problem
        self.f = recovery
        self.tag = f"r{index}"
        self.y: dict[tuple[int, int], cp_model.IntVar] = {}

    def build(self) -> None:
        p, m, failed = self.p, self.m, self.f.failed
        hit_vnfs = {
            p.kinds[k].vnf.name for (k, s) in m.x if s in failed
        }  # only VNFs that may run on a failed slot can be hit
        for k, kind in enumerate(p.kinds):
            if kind.vnf.name not in hit_vnfs:
                continue
            for s in p.candidates[k]:
                if s not in failed:
                    self.y[(k, s)] = m.cp.new_int_var(0, p.bounds[(k, s)], f"y{self.tag}_{k}_{s}")
        self._counts(hit_vnfs)
        self._capacity()
        self._anti_affinity()
        self._isolation()
        self._trust()

    def _both(self, k: int, s: int) -> list:
        """Base and recovery count of kind k on surviving slot s."""
        terms = [self.m.x[(k, s)]]
        if (k, s) in self.y:
            terms.append(self.y[(k, s)])
        return terms

    def _counts(self, hit_vnfs: set[str]) -> None:
        """Every hit instance restarts; a traffic-sized VNF has what the remaining traffic needs."""
        p, m, failed = self.p, self.m, self.f.failed
        for name in hit_vnfs:
            kinds = p.kinds_of(name)
            lost = [m.x[(k, s)] for k in kinds for s in p.candidates[k] if s in failed]
            started = [self.y[(k, s)] for k in kinds for s in p.candidates[k] if (k, s) in self.y]
            if p.scales_with_traffic(name):
                kept = [m.x[(k, s)] for k in kinds for s in p.candidates[k] if s not in failed]
                m.cp.add(sum(kept) + sum(started) >= self.f.counts[name])
            else:
                m.cp.add(sum(started) == sum(lost))

    def _slots(self) -> dict[int, list[int]]:
        by_slot: dict[int, list[int]] = defaultdict(list)
        for k, s in self.y:
            by_slot[s].append(k)
        return by_slot

    def _capacity(self) -> None:
        """Base + recovery + reserves of the forms present fit each resource of a survivor."""
        p, m = self.p, self.m
        for s, new_kinds in self._slots().items():
            slot = p.slots[s]
            flags: dict[Form, object] = {}
            for form in Form:
                base = m.present.get((s, form))
                mine = [k for k in new_kinds if p.kinds[k].form is form]
                if not mine:
                    if base is not None:
                        flags[form] = base
                    continue
                flag = m.cp.new_bool_var(f"pf{self.tag}_{s}_{form.value}")
                if base is not None:
                    m.cp.add(flag >= base)
                for k in mine:
                    m.cp.add(self.y[(k, s)] <= p.bounds[(k, s)] * flag)
                flags[form] = flag
            available = m.used[s] if slot.bought else 1
            for r, cap in enumerate(slot.capacity):
                terms = [
                    p.kinds[k].demand[r] * term for k in m.kinds_on[s] for term in self._both(k, s)
                ]
                terms += [p.reserve(form, slot)[r] * flag for form, flag in flags.items()]
                m.cp.add(sum(terms) <= cap * available)

    def _anti_affinity(self) -> None:
        """Replicas keep apart over base + recovery on the surviving slots."""
        p, m, failed = self.p, self.m, self.f.failed
        for name, vnf in p.scenario.vnfs.items():
            if vnf.anti_affinity is None:
                continue
            kinds = p.kinds_of(name)
            if not any((k, s) in self.y for k in kinds for s in p.candidates[k]):
                continue
            groups: dict[object, list] = defaultdict(list)
            for k in kinds:
                for s in p.candidates[k]:
                    if s in failed:
                        continue
                    slot = p.slots[s]
                    key: object = {
                        Scope.HOST: slot.index,
                        Scope.RACK: (slot.site.name, slot.rack),
                        Scope.SITE: slot.site.name,
                    }[vnf.anti_affinity]
                    groups[key].extend(self._both(k, s))
            for members in groups.values():
                if len(members) > 1:
                    m.cp.add(sum(members) <= 1)

    def _isolation(self) -> None:
        """An isolated instance, kept or restarted, is alone on its server."""
        p, m = self.p, self.m
        for s, new_kinds in self._slots().items():
            ks = m.kinds_on[s]
            total = sum(term for k in ks for term in self._both(k, s))
            isolated = {p.kinds[k].vnf.name for k in ks if p.kinds[k].vnf.isolated}
            if not isolated or not new_kinds:
                continue
            for name in sorted(isolated):
                here = m.cp.new_bool_var(f"iso{self.tag}_{s}_{name}")
                mine = [
                    term for k in ks if p.kinds[k].vnf.name == name for term in self._both(k, s)
                ]
                m.cp.add(sum(mine) == here)
                m.cp.add(total <= 1).only_enforce_if(here)

    def _trust(self) -> None:
        """Containers on one server, kept or restarted, belong to one trust domain."""
        p, m = self.p, self.m
        for s, new_kinds in self._slots().items():
            if not any(p.kinds[k].form is Form.CONTAINER for k in new_kinds):
                continue
            by_domain = p.container_domains(m.kinds_on[s])
            if len(by_domain) < 2:
                continue
            flags = []
            for domain, members in by_domain.items():
                flag = m.cp.new_bool_var(f"tf{self.tag}_{s}_{domain}")
                flags.append(flag)
                for k in members:
                    for term in self._both(k, s):
                        m.cp.add(term <= p.bounds[(k, s)] * flag)
            m.cp.add(sum(flags) <= 1)
