"""What changed between two plans: what an apply would do, or what a scenario change did.

Shared by `nfvplan whatif` (the plan of the base scenario against the plan of the changed one)
and `nfvplan diff` (an old plan file against a new one).

Instance names are arbitrary (the solver numbers them afresh on every run), so instances are
compared per VNF as multisets of (server, form): what both plans hold is kept, and of the rest
as many as possible count as moved (one left a place, one took another) before the remainder
counts as added or removed. Worker VMs (`container-in-vm`) are matched the same way, per
trust domain as multisets of (server, flavor): their ids are numbered afresh too. Links are
compared by utilisation against `HOT_LINK` only: what an operator acts on is a link that
became (or stopped being) congested, not a 3 % drift.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

from nfvplan.model import Scenario
from nfvplan.plan import Plan

HOT_LINK = 0.8
"""A link at or above this share of its capacity is congested (the usual planning alarm)."""

_EPS = 1e-9

Place = tuple[str, str]
"""Where an instance runs: (server id, form)."""


@dataclass(frozen=True)
class SiteChange:
    """Servers used and bought at one site, before and after."""

    site: str
    used_before: int
    used_after: int
    bought_before: int
    bought_after: int
    cost_before: float | None = None
    cost_after: float | None = None
    """Monthly cost of the site's used servers and instance licences; None without scenario."""

    @property
    def changed(self) -> bool:
        """True when the site's server counts (or, when known, its monthly cost) differ."""
        costs_differ = (
            self.cost_before is not None
            and self.cost_after is not None
            and abs(self.cost_before - self.cost_after) > _EPS
        )
        counts = (self.used_before, self.bought_before) != (self.used_after, self.bought_after)
        return counts or costs_differ


@dataclass(frozen=True)
class ServerChange:
    """A server an apply switches on, switches off, buys or stops using after buying it."""

    server: str
    site: str
    change: str
    """`on` (an installed server now used), `off` (no longer used), `bought` (a purchasable
    server now used) or `released` (a bought server no longer used)."""


@dataclass(frozen=True)
class InstanceChange:
    """One instance an apply moves, adds or removes; a move names both of its places."""

    action: str
    """`moved`, `added` or `removed`."""
    vnf: str
    source: Place | None
    target: Place | None


@dataclass(frozen=True)
class VnfChange:
    """One VNF's instances, matched as multisets of (server, form)."""

    vnf: str
    before: int
    after: int
    kept: int
    moved: int
    added: int
    removed: int
    left: tuple[Place, ...]
    """Places the base plan had and the changed one has not (moved or removed instances)."""
    entered: tuple[Place, ...]
    """Places the changed plan has and the base one had not (moved or added instances)."""

    @property
    def changed(self) -> bool:
        """True when any instance is not where it was."""
        return bool(self.left or self.entered)


@dataclass(frozen=True)
class LinkCrossing:
    """A link whose utilisation crossed `HOT_LINK`, in either direction."""

    a: str
    b: str
    before: float
    after: float

    @property
    def direction(self) -> str:
        """'above' when it became congested, 'below' when it stopped being."""
        return "above" if self.after >= self.before else "below"


@dataclass(frozen=True)
class PlanDiff:
    """Everything `nfvplan whatif` reports; `to_dict` is its JSON form."""

    scenario: str
    status_before: str
    status_after: str
    cost_before: float | None
    cost_after: float | None
    sites: tuple[SiteChange, ...]
    vnfs: tuple[VnfChange, ...]
    links: tuple[LinkCrossing, ...]
    notes: tuple[str, ...] = ()
    """What the changes did that the operator should know (dropped demands, rounding...)."""
    explanation_before: tuple[str, ...] = ()
    explanation_after: tuple[str, ...] = ()
    """Why the changed scenario has no plan, when it has none."""
    servers: tuple[ServerChange, ...] = ()
    instances: tuple[InstanceChange, ...] = ()
    """Every moved, added and removed instance, per VNF in plan order (see `pair_places`)."""
    workers: tuple[InstanceChange, ...] = ()
    """Every moved, added and removed worker VM, per trust domain (its `vnf` field): places
    are (server, worker flavor)."""

    @property
    def changed(self) -> bool:
        """True when an apply would change anything: outcome, cost, a server or an instance."""
        cost_differs = (self.cost_before is None) != (self.cost_after is None) or (
            self.cost_delta is not None and abs(self.cost_delta) > _EPS
        )
        return (
            self.status_changed
            or cost_differs
            or bool(self.servers or self.instances or self.workers)
            or any(s.changed for s in self.sites)
            or any(v.changed for v in self.vnfs)
        )

    @property
    def cost_delta(self) -> float | None:
        """After minus before, when both sides have a plan."""
        if self.cost_before is None or self.cost_after is None:
            return None
        return self.cost_after - self.cost_before

    @property
    def status_changed(self) -> bool:
        """True when the outcome changed (say, optimal to infeasible)."""
        return self.status_before != self.status_after

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON: every field, the derived ones included."""
        return {
            "scenario": self.scenario,
            "status": {
                "before": self.status_before,
                "after": self.status_after,
                "changed": self.status_changed,
            },
            "monthly_cost": {
                "before": self.cost_before,
                "after": self.cost_after,
                "delta": self.cost_delta,
            },
            "sites": [{**asdict(s), "changed": s.changed} for s in self.sites],
            "vnfs": [
                {
                    **{k: v for k, v in asdict(v).items() if k not in ("left", "entered")},
                    "left": [{"server": s, "form": f} for s, f in v.left],
                    "entered": [{"server": s, "form": f} for s, f in v.entered],
                }
                for v in self.vnfs
            ],
            "links_crossing_80pct": [{**asdict(c), "direction": c.direction} for c in self.links],
            "notes": list(self.notes),
            "explanation_before": list(self.explanation_before),
            "explanation_after": list(self.explanation_after),
            "servers": [asdict(s) for s in self.servers],
            "instances": [_change_dict(c, "vnf", "form") for c in self.instances],
            "workers": [_change_dict(c, "trust", "flavor") for c in self.workers],
            "changed": self.changed,
        }


def _change_dict(change: InstanceChange, key: str, second: str) -> dict[str, object]:
    """One change as JSON: `key` names what changed (a VNF, a worker's trust domain) and
    `second` the place's second part (an instance's form, a worker's flavor)."""

    def place(value: Place | None) -> dict[str, str] | None:
        return None if value is None else {"server": value[0], second: value[1]}

    return {
        "action": change.action,
        key: change.vnf,
        "from": place(change.source),
        "to": place(change.target),
    }


def diff_plans(
    base: Plan,
    changed: Plan,
    changed_scenario: Scenario | None = None,
    notes: tuple[str, ...] = (),
    base_scenario: Scenario | None = None,
) -> PlanDiff:
    """Compare the plan of the base scenario with the plan of the changed one.

    With `changed_scenario`, links it no longer has (failed) are left out of the crossings:
    their traffic moved elsewhere, which the other links show. With both scenarios, each site
    also gets its monthly cost before and after.
    """
    both = base.status.has_plan and changed.status.has_plan
    vnfs = _vnfs(base, changed) if both else ()
    sites = _sites(base, changed) if both else ()
    if both and base_scenario is not None and changed_scenario is not None:
        before, after = site_costs(base_scenario, base), site_costs(changed_scenario, changed)
        sites = tuple(
            replace(s, cost_before=before.get(s.site, 0.0), cost_after=after.get(s.site, 0.0))
            for s in sites
        )
    return PlanDiff(
        scenario=changed.scenario,
        status_before=base.status.value,
        status_after=changed.status.value,
        cost_before=base.summary.monthly_cost if base.status.has_plan else None,
        cost_after=changed.summary.monthly_cost if changed.status.has_plan else None,
        sites=sites,
        vnfs=vnfs,
        links=_links(base, changed, changed_scenario) if both else (),
        notes=tuple(notes),
        explanation_before=tuple(base.explanation or ()) if not base.status.has_plan else (),
        explanation_after=tuple(changed.explanation or ()) if not changed.status.has_plan else (),
        servers=_servers(base, changed) if both else (),
        instances=tuple(c for v in vnfs for c in pair_places(v)),
        workers=tuple(c for w in _workers(base, changed) for c in pair_places(w)) if both else (),
    )


def site_costs(scenario: Scenario, plan: Plan) -> dict[str, float]:
    """Monthly cost per site: its used servers (FORMAT's cost rule) plus instance licences."""
    costs: dict[str, float] = {}
    site_of = {s.id: s.site for s in plan.servers}
    for server in plan.servers:
        server_type = scenario.server_types.get(server.type)
        price = server_type.monthly_cost if server_type is not None else 0.0
        costs[server.site] = costs.get(server.site, 0.0) + price
    for p in plan.placements:
        vnf = scenario.vnfs.get(p.vnf)
        site = site_of.get(p.server, p.server.split("/", 1)[0])
        costs[site] = costs.get(site, 0.0) + (vnf.license_monthly if vnf is not None else 0.0)
    return costs


def _servers(base: Plan, changed: Plan) -> tuple[ServerChange, ...]:
    before = {s.id: s for s in base.servers}
    after = {s.id: s for s in changed.servers}
    result = []
    for server_id in dict.fromkeys([*before, *after]):
        if server_id in before and server_id in after:
            continue
        if server_id in after:
            server = after[server_id]
            change = "bought" if server.bought else "on"
        else:
            server = before[server_id]
            change = "released" if server.bought else "off"
        result.append(ServerChange(server_id, server.site, change))
    return tuple(result)


def _site_of(place: Place) -> str:
    return place[0].split("/", 1)[0]


def pair_places(change: VnfChange) -> list[InstanceChange]:
    """Turn one VNF's left and entered places into moves (from -> to), adds and removes.

    Instances have no identity across plans (the solver names them afresh), so which left
    place pairs with which entered one is a choice: a place is paired first with one of the
    same site and form, then of the same form, then of the same site, then any, in sorted
    order, so the pairing is deterministic and a move stays as local as the plans allow.
    The number of moves is `change.moved` (as many pairs as both sides allow).
    """
    entered = list(change.entered)
    moves: list[InstanceChange] = []
    preferences = (
        lambda a, b: _site_of(a) == _site_of(b) and a[1] == b[1],
        lambda a, b: a[1] == b[1],
        lambda a, b: _site_of(a) == _site_of(b),
        lambda a, b: True,
    )
    unpaired = list(change.left)
    for prefer in preferences:
        still = []
        for source in unpaired:
            target = next((t for t in entered if prefer(source, t)), None)
            if target is None:
                still.append(source)
                continue
            entered.remove(target)
            moves.append(InstanceChange("moved", change.vnf, source, target))
        unpaired = still
    removed = [InstanceChange("removed", change.vnf, source, None) for source in unpaired]
    added = [InstanceChange("added", change.vnf, None, target) for target in entered]
    moves.sort(key=lambda c: (c.source, c.target))
    return moves + added + removed


def _sites(base: Plan, changed: Plan) -> tuple[SiteChange, ...]:
    def counts(plan: Plan) -> tuple[Counter[str], Counter[str]]:
        used = Counter(s.site for s in plan.servers)
        bought = Counter(s.site for s in plan.servers if s.bought)
        return used, bought

    (used_b, bought_b), (used_a, bought_a) = counts(base), counts(changed)
    order = list(dict.fromkeys([*used_b, *used_a]))
    return tuple(
        SiteChange(site, used_b[site], used_a[site], bought_b[site], bought_a[site])
        for site in order
    )


def match_instances(before: Counter[Place], after: Counter[Place]) -> tuple[int, int, int, int]:
    """(kept, moved, added, removed) of one VNF's instances, matched as multisets."""
    kept = sum((before & after).values())
    gone = sum((before - after).values())
    new = sum((after - before).values())
    moved = min(gone, new)
    return kept, moved, new - moved, gone - moved


def _vnfs(base: Plan, changed: Plan) -> tuple[VnfChange, ...]:
    def places(plan: Plan) -> dict[str, Counter[Place]]:
        return _grouped((p.vnf, (p.server, p.form)) for p in plan.placements)

    return _matched(places(base), places(changed))


def _workers(base: Plan, changed: Plan) -> tuple[VnfChange, ...]:
    """Worker VMs per trust domain, matched like instances with (server, flavor) places."""

    def places(plan: Plan) -> dict[str, Counter[Place]]:
        return _grouped((w.trust, (w.server, w.flavor)) for w in plan.workers)

    return _matched(places(base), places(changed))


def _grouped(items: Iterable[tuple[str, Place]]) -> dict[str, Counter[Place]]:
    """Places per key (VNF or trust domain), counted, keys in first-seen order."""
    result: dict[str, Counter[Place]] = {}
    for key, place in items:
        result.setdefault(key, Counter())[place] += 1
    return result


def _matched(
    before: dict[str, Counter[Place]], after: dict[str, Counter[Place]]
) -> tuple[VnfChange, ...]:
    """One VnfChange per key of either side (VNF or trust domain), places matched."""
    result = []
    for vnf in dict.fromkeys([*before, *after]):
        b, a = before.get(vnf, Counter()), after.get(vnf, Counter())
        kept, moved, added, removed = match_instances(b, a)
        result.append(
            VnfChange(
                vnf=vnf,
                before=b.total(),
                after=a.total(),
                kept=kept,
                moved=moved,
                added=added,
                removed=removed,
                left=tuple(sorted((b - a).elements())),
                entered=tuple(sorted((a - b).elements())),
            )
        )
    return tuple(result)


def _links(base: Plan, changed: Plan, scenario: Scenario | None) -> tuple[LinkCrossing, ...]:
    def shares(plan: Plan) -> dict[frozenset[str], tuple[str, str, float]]:
        return {frozenset((x.a, x.b)): (x.a, x.b, x.utilisation) for x in plan.links}

    before, after = shares(base), shares(changed)
    present = None
    if scenario is not None:
        present = {frozenset((link.a, link.b)) for link in scenario.links}
    result = []
    for key in dict.fromkeys([*before, *after]):
        if present is not None and key not in present:
            continue
        a, b, share_before = before.get(key) or (*after[key][:2], 0.0)
        share_after = after[key][2] if key in after else 0.0
        if (share_before >= HOT_LINK - _EPS) != (share_after >= HOT_LINK - _EPS):
            result.append(LinkCrossing(a, b, share_before, share_after))
    return tuple(result)
