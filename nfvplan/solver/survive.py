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

Capacity, anti-affinity, trust and isolation are not written again here: they are the plan's own
families (`assignment/constraints.py`) applied to a recovery `Layer` (base + restarted counts
on the surviving slots that receive restarted instances).

Recovery budgets (`max_recovery_seconds`) are one more family over the restarted instances
(`recovery_budgets`): on each surviving slot that restarts an instance of a VNF with a budget,
the slot's image pulls (each image it does not hold before the failure, at the pull seconds of
`nfvplan.lifecycle`, as the network stands during the failure) plus the instance's boot fit the
budget. A restarted nested instance boots a new worker VM and pulls into it, unless a
surviving worker that holds its image receives it (`lifecycle.worker_spare`): the re-placement
knows the plan's workers and credits them exactly; the plan's own recovery layers credit only
the workers that run that one VNF alone (`Constraints.worker_credit`: their room left, a lower
bound on the rule's), and still count a worker VM of its own for every restarted nested
instance in capacity (conservative, `Constraints.restarted_workers`). The same family
holds the re-placement of the resilience check (a solve with the plan as `current`,
`keep_current`, on the failed scenario: what is started beyond the kept counts).

What is left out, on purpose, is what would make this a restriction rather than a relaxation
of the resilience check: routing after the failure (paths, link capacities, latency, traffic
carried on the NIC) and NUMA alignment of restarted instances. The model is therefore a
relaxation of "the plan passes the check for these failures": if it is infeasible, no such plan
exists; if its optimum passes the check for every failure, it is optimal among survivable plans.
The check, not this model, is what proves survival.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from nfvplan.lifecycle import PullSource, image_pull_seconds, pull_sources
from nfvplan.model import Form, Scenario, Service
from nfvplan.solver.assignment.constraints import Constraints, Layer
from nfvplan.solver.problem import Problem, fixed_count
from nfvplan.solver.stop import check_stop

if TYPE_CHECKING:
    from ortools.sat.python import cp_model


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
    pulls: dict[str, PullSource | None] = field(default_factory=dict)
    """Per site, where its hosts pull images from during the failure (`lifecycle`)."""


def resolve(problem: Problem, spec: FailureSpec) -> Recovery:
    """The slots `spec` takes down in `problem`, and what each VNF needs once it has."""
    failed = frozenset(slot.index for slot in problem.slots if slot.id in spec.servers)
    scenario = problem.scenario
    if spec.site is not None:
        scenario = _without_site_demands(scenario, spec.site)
        site = spec.site
        scenario = replace(
            scenario, links=tuple(ln for ln in scenario.links if site not in (ln.a, ln.b))
        )
    counts = {name: fixed_count(scenario, vnf) for name, vnf in scenario.vnfs.items()}
    pulls = pull_sources(scenario) if _budgeted(scenario) else {}
    return Recovery(spec.label, failed, counts, pulls)


def _without_site_demands(scenario: Scenario, site: str) -> Scenario:
    services = {
        name: Service(
            s.name, s.chain, tuple(d for d in s.demands if site not in (d.source, d.target))
        )
        for name, s in scenario.services.items()
    }
    return replace(scenario, services=services)


def add_recovery(constraints: Constraints) -> None:
    """Add every failure of the problem's `failures` to the model (see the module docstring),
    and, for the re-placement of a resilience check, its recovery budgets."""
    for index, recovery in enumerate(constraints.problem.failures):
        _Recovery(constraints, recovery, index).build()
    p = constraints.problem
    if p.current is not None and p.current.keep and p.scenario.degraded:
        _replacement_budgets(constraints)


class _Recovery:
    """The second-stage variables of one failure, and its layer of per-server rules."""

    def __init__(self, constraints: Constraints, recovery: Recovery, index: int) -> None:
        self.c = constraints
        self.v = constraints.v
        self.p = constraints.problem
        self.f = recovery
        self.tag = f"r{index}"
        self.y: dict[tuple[int, int], cp_model.IntVar] = {}

    def build(self) -> None:
        p, v, cp, failed = self.p, self.v, self.c.cp, self.f.failed
        # Only VNFs that may run on a failed slot can be hit.
        hit_vnfs = {p.kinds[k].vnf.name for (k, s) in v.x if s in failed}
        for k, kind in enumerate(p.kinds):
            if kind.vnf.name not in hit_vnfs:
                continue
            for s in p.candidates[k]:
                if s not in failed:
                    self.y[(k, s)] = cp.new_int_var(0, p.bounds[(k, s)], f"y{self.tag}_{k}_{s}")
        self._counts(hit_vnfs)
        self.c.per_server_rules(self._layer(hit_vnfs))
        self._budgets()

    def _budgets(self) -> None:
        """The recovery budgets over this failure's restarted instances; the image of a kind
        is cached on a slot where the plan runs it (a flag that needs x >= 1)."""
        if not _budgeted(self.p.scenario):
            return
        cp, x = self.c.cp, self.v.x
        flags: dict[tuple[int, int], cp_model.IntVar] = {}

        def cached(k: int, s: int) -> cp_model.IntVar:
            if (k, s) not in flags:
                flags[(k, s)] = flag = cp.new_bool_var(f"cached{self.tag}_{k}_{s}")
                cp.add(x[(k, s)] >= flag)
            return flags[(k, s)]

        restarted = {key: [var] for key, var in self.y.items()}
        recovery_budgets(self.c, self.tag, restarted, cached, self.f.pulls, self.c.worker_credit)

    def _layer(self, hit_vnfs: set[str]) -> Layer:
        """Base + recovery counts on the surviving slots that receive restarted instances."""
        p, v, failed = self.p, self.v, self.f.failed
        new_kinds: dict[int, list[int]] = defaultdict(list)
        for k, s in self.y:
            new_kinds[s].append(k)
        forms = {s: self._forms(s, kinds) for s, kinds in new_kinds.items()}

        def candidates(k: int) -> list[int]:
            if p.kinds[k].vnf.name not in hit_vnfs:
                return []  # the plan's own rows already hold these
            return [s for s in p.candidates[k] if s not in failed]

        return Layer(
            tag=self.tag,
            slots={s: v.kinds_on[s] for s in new_kinds},
            candidates=candidates,
            terms=self._both,
            forms=lambda s: forms[s],
            available=lambda s: v.used[s] if p.slots[s].bought else 1,
        )

    def _forms(self, s: int, new_kinds: list[int]) -> dict[Form, object]:
        """A flag per form present on slot s after the failure: the base flag, or a new one
        at least as set when restarted instances of that form arrive."""
        p, v, cp = self.p, self.v, self.c.cp
        flags: dict[Form, object] = {}
        for form in Form:
            base = v.present.get((s, form))
            mine = [k for k in new_kinds if p.kinds[k].form is form]
            if not mine:
                if base is not None:
                    flags[form] = base
                continue
            flag = cp.new_bool_var(f"pf{self.tag}_{s}_{form.value}")
            if base is not None:
                cp.add(flag >= base)
            for k in mine:
                cp.add(self.y[(k, s)] <= p.bounds[(k, s)] * flag)
            flags[form] = flag
        return flags

    def _both(self, k: int, s: int) -> list:
        """Base and recovery count of kind k on surviving slot s."""
        terms = [self.v.x[(k, s)]]
        if (k, s) in self.y:
            terms.append(self.y[(k, s)])
        return terms

    def _counts(self, hit_vnfs: set[str]) -> None:
        """Every hit instance restarts; a traffic-sized VNF has what the remaining traffic needs."""
        p, x, cp, failed = self.p, self.v.x, self.c.cp, self.f.failed
        for name in sorted(hit_vnfs):
            kinds = p.kinds_of(name)
            lost = [x[(k, s)] for k in kinds for s in p.candidates[k] if s in failed]
            started = [self.y[(k, s)] for k in kinds for s in p.candidates[k] if (k, s) in self.y]
            if p.scales_with_traffic(name):
                kept = [x[(k, s)] for k in kinds for s in p.candidates[k] if s not in failed]
                cp.add(sum(kept) + sum(started) >= self.f.counts[name])
            else:
                cp.add(sum(started) == sum(lost))


# -- recovery budgets: `max_recovery_seconds` (issue 17, "recovery") --------------------------

MS = 1000
"""Budget arithmetic in integer milliseconds: pulls and boots rounded up, budgets down, so a
re-placement the model accepts also passes the float check of `survive/check.py`."""


def _budgeted(scenario: Scenario) -> bool:
    """True when some VNF has a recovery budget (the family adds nothing otherwise)."""
    return any(vnf.max_recovery_seconds is not None for vnf in scenario.vnfs.values())


def _up(seconds: float) -> int:
    return math.ceil(round(seconds * MS, 6))


def recovery_budgets(
    constraints: Constraints,
    tag: str,
    restarted: dict[tuple[int, int], list[cp_model.LinearExprT]],
    cached: Callable[[int, int], cp_model.LinearExprT | int],
    pulls: dict[str, PullSource | None],
    spare: Callable[[int, int], int] = lambda k, s: 0,
) -> None:
    """The one family of `max_recovery_seconds`, over the instances a recovery restarts.

    `restarted` gives, per (kind, surviving slot), the count terms of the instances started
    there; `cached(k, s)` is 1 when slot s holds the kind's image before the failure. On each
    slot where an instance of a VNF with a budget may restart: the slot pulls (one after the
    other) every image of a kind it restarts and does not hold, then the instance boots; that
    sum stays within the VNF's budget. A pull the registry cannot serve (cut off) is longer
    than any budget: only a cached image restarts there.

    A nested kind (`container-in-vm`, `nfvplan.lifecycle`): up to `spare(k, s)` of its
    restarted instances are received by surviving workers that hold its image (only the
    container boots); beyond that it starts in a new worker VM, whose cache is empty: the pull
    counts whatever the host ran before (`cached` is not its), then the worker's and the
    container's boots (the nested form's `boot_seconds`).
    """
    p, cp = constraints.problem, constraints.cp
    budgets = {
        k: math.floor(round(kind.vnf.max_recovery_seconds * MS, 6))
        for k, kind in enumerate(p.kinds)
        if kind.vnf.max_recovery_seconds is not None
    }
    never = max(budgets.values(), default=0) + 1
    by_slot: dict[int, list[int]] = defaultdict(list)
    for k, s in restarted:
        by_slot[s].append(k)
    for s, kinds in sorted(by_slot.items()):
        check_stop()  # slots x kinds: the deadline and Ctrl-C hold while the rows are built
        limited = [k for k in kinds if k in budgets]
        if not limited:
            continue
        site = p.slots[s].site.name
        has: dict[int, cp_model.IntVar] = {}
        pulling = []
        fresh: dict[int, cp_model.IntVar] = {}
        for k in kinds:
            kind = p.kinds[k]
            seconds = image_pull_seconds(pulls.get(site), kind.vnf.image_gib.of(kind.form))
            pull = never if seconds is None else _up(seconds)
            if k not in budgets and not pull:
                continue  # neither limited nor slowing the slot down
            has[k] = flag = cp.new_bool_var(f"restarts{tag}_{k}_{s}")
            count = sum(restarted[(k, s)])
            cp.add(count <= p.bounds[(k, s)] * flag)
            if kind.form is Form.NESTED:
                fresh[k] = flag = cp.new_bool_var(f"newworker{tag}_{k}_{s}")
                cp.add(count <= spare(k, s) + p.bounds[(k, s)] * flag)
                if pull:
                    pulling.append(pull * flag)  # the new worker pulls into its own cache
            elif pull:
                pulled = cp.new_bool_var(f"pulls{tag}_{k}_{s}")
                cp.add(pulled >= flag - cached(k, s))
                pulling.append(pull * pulled)
        platform = p.scenario.platform
        for k in limited:
            boot = platform.form(p.kinds[k].form).boot_seconds
            assert boot is not None  # the loader refuses a budget without it
            if k in fresh:
                inner = platform.container.boot_seconds
                assert inner is not None  # the nested form's boot needs the container's
                cp.add(_up(inner) <= budgets[k]).only_enforce_if(has[k])
                cp.add(sum(pulling) + _up(boot) <= budgets[k]).only_enforce_if(fresh[k])
            else:
                cp.add(sum(pulling) + _up(boot) <= budgets[k]).only_enforce_if(has[k])


def _replacement_budgets(constraints: Constraints) -> None:
    """The budgets of a resilience re-placement: what is started is each count beyond the kept
    one, and a kind's image is cached where the plan kept an instance of it."""
    p, x = constraints.problem, constraints.v.x
    if not _budgeted(p.scenario):
        return
    assert p.current is not None
    stay = p.current.stay
    restarted = {(k, s): [var - stay.get((k, s), 0)] for (k, s), var in x.items()}
    spare = p.current.spare
    recovery_budgets(
        constraints,
        "rb",
        restarted,
        lambda k, s: 1 if stay.get((k, s), 0) else 0,
        pull_sources(p.scenario),
        lambda k, s: spare.get((k, s), 0),
    )
