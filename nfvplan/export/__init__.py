"""From plan to deployment: a checked plan as Heat, Kubernetes, KubeVirt or Terraform files.

`export_plan` re-checks the plan against its scenario (an export of a plan that does not hold
would deploy something unproven), resolves every placement once (`spec.build_deployment`),
renders one target and returns its files in memory; `writer.write_tree` puts them on disk
atomically. `readback.read_export` and `readback.verify_export` go the other way, so tests and
`nfvplan export --read` can re-check what will be deployed. docs/export.md has the mapping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nfvplan.errors import InputError
from nfvplan.export.common import Export, note_skipped
from nfvplan.export.hosts import HOSTS_FILE, WORKERS_FILE, HostMap, derive_hosts, dump_workers
from nfvplan.export.kubernetes import DEFAULT_SRIOV_RESOURCE, NESTED
from nfvplan.export.spec import VM_TARGETS, Deployment, build_deployment
from nfvplan.model import Scenario
from nfvplan.plan import Plan

TARGETS = ("heat", "kubernetes", "kubevirt", "terraform")
FORM_OF_TARGET = {"heat": "vm", "kubernetes": "container", "kubevirt": "vm", "terraform": "vm"}


class PlanViolations(Exception):
    """The plan does not hold against the scenario: it must not be exported."""

    def __init__(self, violations: list) -> None:
        super().__init__(f"{len(violations)} violations")
        self.violations = violations


@dataclass(frozen=True)
class ExportOptions:
    """What the operator may choose about an export."""

    sriov_resource: str = DEFAULT_SRIOV_RESOURCE
    """Kubernetes extended resource of the SR-IOV device plugin."""


def _renderers(options: ExportOptions) -> dict[str, Callable[[Deployment], Export]]:
    from nfvplan.export.heat import render_heat
    from nfvplan.export.kubernetes import render_kubernetes
    from nfvplan.export.kubevirt import render_kubevirt
    from nfvplan.export.terraform import render_terraform

    return {
        "heat": render_heat,
        "kubernetes": lambda d: render_kubernetes(d, options.sriov_resource),
        "kubevirt": lambda d: render_kubevirt(d, options.sriov_resource),
        "terraform": render_terraform,
    }


def export_plan(
    scenario: Scenario,
    plan: Plan,
    target: str,
    hosts: HostMap | None = None,
    options: ExportOptions | None = None,
    source: str = "<scenario>",
    plan_source: str = "<plan>",
) -> Export:
    """The files of `plan` for `target`, in memory.

    Raises PlanViolations when the checker finds the plan broken (a plan of another scenario,
    a hand-edited plan that no longer fits), InputError for a plan without placements, an
    unknown target, a scenario the tools cannot express (see `build_deployment`) or clashing
    names.
    """
    from nfvplan.check import check_plan

    if target not in TARGETS:
        raise InputError.single(
            "<command line>", f"unknown target {target!r}; choose one of {', '.join(TARGETS)}"
        )
    violations = check_plan(scenario, plan)
    if violations:
        raise PlanViolations(violations)
    if not plan.status.has_plan:
        raise InputError.single(
            plan_source,
            f"the plan is {plan.status.value}: it places nothing, there is nothing to export",
            path="status",
        )
    form = FORM_OF_TARGET[target]
    forms = (form, NESTED) if target == "kubernetes" else (form,)
    vm_target = target in VM_TARGETS  # they deploy the worker VMs too
    if not any(p.form in forms for p in plan.placements) and not (vm_target and plan.workers):
        others = {"vm": "kubernetes", "container": "heat, terraform or kubevirt"}
        raise InputError.single(
            plan_source,
            f"the plan places no {form} instance: nothing to export to {target} "
            f"(use --to {others[form]})",
            path="placements",
        )
    options = options or ExportOptions()
    host_map = hosts if hosts is not None else derive_hosts(scenario, plan)
    deployment = build_deployment(scenario, plan, host_map, source)
    result = _renderers(options)[target](deployment)
    exported = {i.server for i in deployment.instances if i.form in forms}
    if vm_target:
        exported |= {w.server for w in deployment.workers}
    result.files[HOSTS_FILE] = HostMap(
        {s: h for s, h in host_map.hosts.items() if s in exported}, host_map.derived
    ).dump()
    workers = deployment.worker_nodes() if target == "kubernetes" else {}
    if workers:
        result.files[WORKERS_FILE] = dump_workers(workers)
    if target != "kubernetes":
        where = (
            f"their {len(deployment.workers)} worker VMs are exported"
            if vm_target
            else "their worker VMs: --to heat, terraform or kubevirt"
        )
        note_skipped(result, deployment, NESTED, "VMs", f" (use --to kubernetes; {where})")
    if host_map.derived:
        result.notes.append(
            "no --hosts file: names derived from the server ids (site/type/n -> site-type-n)"
        )
    return result
