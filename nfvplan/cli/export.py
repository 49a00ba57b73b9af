"""`nfvplan export`: a checked plan as deployable files, or an export read back and re-checked.

Thin: parses, calls `nfvplan.export`, prints. Exit codes: 0 written (or read back and every
rule holds) · 2 bad input, nothing written · 5 the plan (or what the export deploys) violates
the scenario's rules, nothing written.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nfvplan.cli.errors import fail_input, fail_usage
from nfvplan.errors import InputError
from nfvplan.wording import count

if TYPE_CHECKING:
    from nfvplan.export.common import Export

EXIT_VIOLATIONS = 5


class Target(str, Enum):
    """Export targets."""

    heat = "heat"
    kubernetes = "kubernetes"
    kubevirt = "kubevirt"
    terraform = "terraform"


def export_command(
    scenario: Annotated[
        Path | None,
        typer.Argument(metavar="SCENARIO", help="Scenario file the plan was made for."),
    ] = None,
    plan_file: Annotated[
        Path | None, typer.Argument(metavar="PLAN", help="Plan file (YAML or JSON).")
    ] = None,
    target: Annotated[
        Target | None,
        typer.Option("--to", help="What to write: heat, kubernetes, kubevirt, terraform."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Export directory (created atomically); with --read, a plan file to write "
            "with the placements read back.",
        ),
    ] = None,
    hosts: Annotated[
        Path | None,
        typer.Option("--hosts", help="YAML mapping server ids to hostnames, zones, node names."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a non-empty output directory.")
    ] = False,
    sriov_resource: Annotated[
        str,
        typer.Option("--sriov-resource", help="Kubernetes resource name of the SR-IOV VFs."),
    ] = "intel.com/sriov_netdevice",
    read: Annotated[
        list[Path] | None,
        typer.Option(
            "--read",
            help="Read an export directory back (repeatable); with SCENARIO and PLAN, check that "
            "it deploys what the plan proved.",
        ),
    ] = None,
) -> None:
    """Write a plan as Heat, Kubernetes, KubeVirt or Terraform files, or read an export back.

    Example: nfvplan export examples/5g-core.yaml plan.yaml --to heat -o deploy/heat
    """
    if read:
        _read_back(scenario, plan_file, read, output)
        return
    if scenario is None or plan_file is None or target is None or output is None:
        fail_usage("export needs SCENARIO PLAN --to TARGET -o DIR (or --read DIR)")
    from nfvplan.export import ExportOptions, PlanViolations, export_plan
    from nfvplan.export.hosts import read_hosts
    from nfvplan.export.writer import check_target, write_tree
    from nfvplan.io import load_scenario, read_plan

    try:
        check_target(output, force)
        loaded, plan = load_scenario(scenario), read_plan(plan_file)
        host_map = read_hosts(hosts, loaded, plan) if hosts is not None else None
        result = export_plan(
            loaded,
            plan,
            target.value,
            host_map,
            ExportOptions(sriov_resource),
            str(scenario),
            str(plan_file),
        )
        write_tree(output, result.files, force)
    except InputError as error:
        fail_input(error)
    except PlanViolations as error:
        for violation in error.violations:
            typer.echo(f"{plan_file}: violation [{violation.rule}]: {violation.message}")
        typer.echo(
            f"{count(len(error.violations), 'violation')}: {plan_file} does not hold against "
            f"{scenario}; nothing exported",
            err=True,
        )
        raise typer.Exit(EXIT_VIOLATIONS) from None
    except OSError as error:
        fail_usage(f"cannot write {output}: {error.strerror or error}")
    typer.echo(_summary(result, output))


def _summary(result: Export, output: Path) -> str:
    """Files, objects per kind, instances per site."""
    lines = [
        f"{result.target} export of {count(sum(result.sites.values()), 'instance')} in {output}/"
    ]
    lines += ["", "files:", *(f"  {name}" for name in sorted(result.files))]
    lines += ["", "objects per kind:"]
    width = max((len(k) for k in result.kinds), default=0)
    lines += [f"  {kind:<{width}}  {n:>4}" for kind, n in result.kinds.items()]
    lines += ["", "instances per site:"]
    width = max((len(s) for s in result.sites), default=0)
    lines += [f"  {site:<{width}}  {n:>4}" for site, n in result.sites.items()]
    lines += [f"note: {note}" for note in result.notes]
    return "\n".join(lines)


def _read_back(
    scenario: Path | None, plan_file: Path | None, directories: list[Path], output: Path | None
) -> None:
    from nfvplan.export.readback import read_export, verify_export

    try:
        readbacks = [read_export(d) for d in directories]
    except InputError as error:
        fail_input(error)
    if scenario is None or plan_file is None:
        if output is not None:
            fail_usage("--read with -o FILE needs SCENARIO and PLAN (the plan to complete)")
        for directory, readback in zip(directories, readbacks, strict=True):
            typer.echo(
                f"{directory} ({readback.target}): {count(len(readback.placements), 'instance')}"
            )
            for p in readback.placements:
                got = readback.deployed[p.instance]
                numa = "" if p.numa_node is None else f"  numa {p.numa_node}"
                typer.echo(
                    f"  {p.instance}  {p.vnf}  {p.server}  {p.form}{numa}  "
                    f"vcpu {got.vcpu:g}{' dedicated' if got.dedicated else ''}  "
                    f"memory {got.memory_mib:g} MiB  hugepages {got.hugepages_mib:g} MiB  "
                    f"vfs {got.sriov_vfs}"
                )
        return
    from nfvplan.check import check_plan
    from nfvplan.io import load_scenario, read_plan, write_plan

    try:
        loaded, plan = load_scenario(scenario), read_plan(plan_file)
    except InputError as error:
        fail_input(error)
    verification = verify_export(loaded, plan, readbacks)
    violations = check_plan(loaded, verification.plan)
    if output is not None:
        try:
            write_plan(verification.plan, output)
        except OSError as error:
            fail_usage(f"cannot write {output}: {error.strerror or error}")
    for problem in verification.problems:
        typer.echo(f"differs from the plan: {problem}")
    for violation in violations:
        typer.echo(f"as exported: violation [{violation.rule}]: {violation.message}")
    read = ", ".join(f"{n} from {target}" for target, n in verification.read.items())
    if verification.problems or violations:
        typer.echo(
            f"the export does not deploy {plan_file} as proven "
            f"({count(len(verification.problems), 'difference')}, "
            f"{count(len(violations), 'violation')})",
            err=True,
        )
        raise typer.Exit(EXIT_VIOLATIONS)
    typer.echo(f"read back {read}: the export deploys {plan_file} as planned; every rule holds")
