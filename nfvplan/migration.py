"""From a current deployment to a new plan: the steps, in an order that never overloads a server.

A re-plan is only useful if it can be rolled out. Instances that keep their name and place stay;
the others are removed, moved (same name, other server or form) or added. Removals go first
(they only free room); then each move or addition runs as soon as its target has room for it,
its host reserve included when it brings a form the host did not run yet. When every remaining
step waits on another (two full servers swapping instances), one instance is parked on an idle
installed server, a temporary spare; if there is none, the steps are listed anyway and the
migration says it needs a spare.

Traffic carried on NICs moves with the routes, not the instances, so the replay counts the
static resources: threads, memory, disk, the flavor's own NIC share and SR-IOV VFs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from nfvplan.errors import InputError, Problem
from nfvplan.model import Form, Scenario, ServerType
from nfvplan.plan import Migration, MigrationStep, Placement, Plan
from nfvplan.usage import container_image_usage, instance_usage, reserve_usage, server_capacity

EPSILON = 1e-9


def validate_current(
    scenario: Scenario,
    plan: Plan,
    file: str,
    advice: str = "re-plan from a plan of the same scenario",
) -> None:
    """Refuse a deployment that cannot be this scenario's: another name, VNF, server or form.

    A deployment may break the scenario's rules (that is why it is re-planned), but every name
    in it must exist, or it was made for another scenario. Raises InputError naming each entry
    (file, line and field). `nfvplan refresh` asks the same of a hand-edited plan.
    """
    problems = []
    servers = {server_id for server_id, _bought in scenario.server_ids()}
    if plan.scenario != scenario.name:
        problems.append(
            Problem(
                file,
                None,
                None,
                "scenario",
                f"this plan is for scenario {plan.scenario!r}, not {scenario.name!r}: {advice}",
            )
        )
    if not plan.status.has_plan:
        problems.append(
            Problem(
                file,
                None,
                None,
                "status",
                f"a {plan.status.value} plan holds no deployment to start from",
            )
        )
    for index, placement in enumerate(plan.placements):
        path = f"placements[{index}]"
        if placement.vnf not in scenario.vnfs:
            known = ", ".join(scenario.vnfs) or "none"
            problems.append(
                Problem(
                    file,
                    None,
                    None,
                    f"{path}.vnf",
                    f"unknown VNF {placement.vnf!r} (the scenario has: {known})",
                )
            )
        if placement.form not in {form.value for form in Form}:
            problems.append(
                Problem(
                    file,
                    None,
                    None,
                    f"{path}.form",
                    f"unknown form {placement.form!r} (vm or container)",
                )
            )
        if placement.server not in servers:
            problems.append(
                Problem(
                    file,
                    None,
                    None,
                    f"{path}.server",
                    f"no server {placement.server!r} in "
                    "the scenario (ids are site/type/n within installed + expand)",
                )
            )
    if problems:
        from nfvplan.io.plan_io import locate_in_plan

        raise locate_in_plan(InputError(problems), file)


def plan_migration(scenario: Scenario, before: Plan, after: Plan) -> Migration:
    """The steps from `before` (the current deployment) to `after`, and the saving."""
    old = {p.instance: p for p in before.placements}
    new = {p.instance: p for p in after.placements}
    removed = [p for name, p in old.items() if name not in new]
    added = [p for name, p in new.items() if name not in old]
    moved = [
        p
        for name, p in new.items()
        if name in old and (old[name].server, old[name].form) != (p.server, p.form)
    ]
    kept = len(new) - len(added) - len(moved)
    replay = _Replay(scenario, before.placements)
    steps: list[MigrationStep] = []
    for placement in removed:
        replay.take(placement)
        steps.append(_step("remove", placement, source=placement.server))
    position = {name: index for index, name in enumerate(new)}
    pending = [(old.get(p.instance), p) for p in moved + added]
    pending.sort(key=lambda pair: position[pair[1].instance])
    needs_spare = False
    while pending:
        ready = next((pair for pair in pending if replay.fits(pair[1])), None)
        if ready is not None:
            pending.remove(ready)
            steps.append(replay.run(*ready))
            continue
        parked = _park(replay, pending, steps)
        if parked:
            continue
        needs_spare = True
        for source, target in pending:
            step = replay.run(source, target)
            note = f"needs a spare: {target.server} has no room until a later step frees it"
            steps.append(_with_note(step, note))
        pending = []
    return Migration(
        steps=steps,
        kept=kept,
        moved=len(moved),
        added=len(added),
        removed=len(removed),
        cost_before=before.summary.monthly_cost,
        cost_after=after.summary.monthly_cost,
        needs_spare=needs_spare,
    )


def _park(
    replay: _Replay, pending: list[tuple[Placement | None, Placement]], steps: list[MigrationStep]
) -> bool:
    """Move one blocked instance onto an idle server for now; False when none can take it."""
    for index, (source, target) in enumerate(pending):
        if source is None or source.server not in replay.in_plan:
            continue  # additions cannot park; a parked instance is not parked twice
        for spare in replay.idle_servers():
            parked = Placement(target.vnf, target.instance, spare, target.form)
            if replay.fits(parked):
                step = replay.run(source, parked)
                steps.append(
                    _with_note(
                        step, f"temporary: {spare} is a spare until {target.server} has room"
                    )
                )
                pending[index] = (parked, target)
                return True
    return False


def _step(
    action: str, placement: Placement, *, source: str | None = None, target: str | None = None
) -> MigrationStep:
    return MigrationStep(
        action, placement.instance, placement.vnf, placement.form, source=source, target=target
    )


def _with_note(step: MigrationStep, note: str) -> MigrationStep:
    return MigrationStep(
        step.action, step.instance, step.vnf, step.form, step.source, step.target, note
    )


@dataclass
class _Host:
    """A server as the replay sees it: its type, its load and the forms it runs."""

    type: ServerType
    used: list[float]
    forms: dict[Form, int]
    containers: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    """Containers per VNF: the first pulls the VNF's image, the last one's leaving frees it."""


class _Replay:
    """Server loads while the steps are applied one by one."""

    def __init__(self, scenario: Scenario, placements: list[Placement]) -> None:
        self.scenario = scenario
        self.hosts: dict[str, _Host] = {}
        self.in_plan = {placement.server for placement in placements}
        """Servers of the deployment; an instance already parked on a spare stays there."""
        for placement in placements:
            self._add(placement)

    def host(self, server: str) -> _Host | None:
        """The server of an id, created empty on first use; None for an unknown id."""
        if server not in self.hosts:
            type_name = server.rsplit("/", 2)[1] if server.count("/") >= 2 else ""
            server_type = self.scenario.server_types.get(type_name)
            if server_type is None:
                return None
            self.hosts[server] = _Host(server_type, [0.0] * 5, defaultdict(int))
        return self.hosts[server]

    def _usage(self, placement: Placement, host: _Host, sign: int) -> list[float]:
        vnf = self.scenario.vnfs.get(placement.vnf)
        form = Form(placement.form)
        delta = [0.0] * 5
        if vnf is not None:
            delta = [sign * v for v in instance_usage(self.scenario, vnf, form)]
        present = host.forms.get(form, 0)
        if (sign > 0 and present == 0) or (sign < 0 and present == 1):
            reserve = reserve_usage(self.scenario, form, host.type)
            delta = [d + sign * r for d, r in zip(delta, reserve, strict=True)]
        mine = host.containers.get(placement.vnf, 0)
        if vnf is not None and form is Form.CONTAINER and mine == (0 if sign > 0 else 1):
            delta[2] += sign * container_image_usage(vnf)  # the image, pulled once per host
        return delta

    def _add(self, placement: Placement) -> None:
        host = self.host(placement.server)
        if host is None:
            return
        delta = self._usage(placement, host, +1)
        host.used = [u + d for u, d in zip(host.used, delta, strict=True)]
        host.forms[Form(placement.form)] += 1
        if placement.form == Form.CONTAINER.value:
            host.containers[placement.vnf] += 1

    def take(self, placement: Placement) -> None:
        """Remove an instance from its server (nothing happens for a failed server's ids)."""
        host = self.host(placement.server)
        if host is None:
            return
        delta = self._usage(placement, host, -1)
        host.used = [u + d for u, d in zip(host.used, delta, strict=True)]
        host.forms[Form(placement.form)] -= 1
        if placement.form == Form.CONTAINER.value:
            host.containers[placement.vnf] -= 1

    def fits(self, placement: Placement) -> bool:
        """True when the target server holds the instance on top of its current load."""
        host = self.host(placement.server)
        if host is None:
            return True
        delta = self._usage(placement, host, +1)
        capacity = server_capacity(host.type)
        return all(u + d <= c + EPSILON for u, d, c in zip(host.used, delta, capacity, strict=True))

    def run(self, source: Placement | None, target: Placement) -> MigrationStep:
        """Apply a move (source set) or an addition, and describe it."""
        if source is not None:
            self.take(source)
        self._add(target)
        if source is None:
            return _step("add", target, target=target.server)
        return _step("move", target, source=source.server, target=target.server)

    def idle_servers(self) -> list[str]:
        """Installed, in-service servers that run nothing right now, in inventory order."""
        idle = []
        for server, bought in self.scenario.server_ids():
            if bought or server in self.scenario.out_of_service:
                continue
            host = self.hosts.get(server)
            if host is None or not any(host.forms.values()):
                idle.append(server)
        return idle
