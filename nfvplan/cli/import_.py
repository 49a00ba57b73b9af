"""`nfvplan import vnfd FILE...`: VNF descriptors and manifests into nfvplan's `vnfs:`.

Thin: parses options, calls `nfvplan.importers`, prints the warnings on stderr and the
imported VNFs on stdout. Exit 0 when written (warnings or not), 2 for bad input, with nothing
written.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from nfvplan.cli.errors import fail_input, fail_usage
from nfvplan.errors import InputError
from nfvplan.wording import count


class CnfForm(str, Enum):
    """`--cnf-form`: where containerised workloads run (nfvplan.importers.CNF_FORMS)."""

    container = "container"
    container_in_vm = "container-in-vm"
    both = "both"


import_app = typer.Typer(
    help="Import what operators already have (VNF descriptors, Kubernetes manifests).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@import_app.command("vnfd")
def vnfd_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...",
            help="SOL001 TOSCA (YAML or CSAR), SOL006/OSM (YAML, JSON, XML), Kubernetes or "
            "KubeVirt manifests (e.g. helm template output).",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write (a vnfs: section, or with --into "
            "the whole new scenario). Default: print to stdout.",
        ),
    ] = None,
    into: Annotated[
        Path | None,
        typer.Option("--into", help="Add the VNFs to this scenario; -o names the new file."),
    ] = None,
    flavour: Annotated[
        str | None,
        typer.Option(
            "--flavour",
            help="Deployment flavour (TOSCA flavour_id, SOL006 df id) "
            "when a VNFD has several; default: the first.",
        ),
    ] = None,
    decimal_units: Annotated[
        bool,
        typer.Option(
            "--decimal-units",
            help="Read TOSCA MB/GB as 10^6/10^9 bytes (strict "
            "TOSCA) instead of MiB/GiB as Tacker and Nova do.",
        ),
    ] = False,
    sriov_resource: Annotated[
        list[str] | None,
        typer.Option(
            "--sriov-resource",
            help="Kubernetes extended resource name (glob) that "
            "is an SR-IOV VF pool, e.g. 'intel.com/*'; repeatable. Default: *sriov*.",
        ),
    ] = None,
    cnf_form: Annotated[
        CnfForm,
        typer.Option(
            "--cnf-form",
            help="Forms of containerised workloads: container (bare-metal Kubernetes), "
            "container-in-vm (Kubernetes worker VMs, e.g. OpenShift on OpenStack) or both "
            "(the solver picks).",
        ),
    ] = CnfForm.container,
) -> None:
    """Import VNFs from descriptors and manifests; every entry says where it came from.

    Example: nfvplan import vnfd vnfd.yaml rendered.yaml --into site.yaml -o site-new.yaml
    """
    from nfvplan.importers import ImportOptions, emit, import_descriptors
    from nfvplan.importers.kubernetes import DEFAULT_SRIOV_PATTERNS

    if into is not None and output is None:
        fail_usage("--into needs -o NEW_SCENARIO (the scenario itself is never overwritten)")
    if into is not None and output is not None and into.resolve() == output.resolve():
        fail_usage("-o must name a new file, not the --into scenario itself")
    options = ImportOptions(
        flavour=flavour,
        binary_si=not decimal_units,
        sriov_patterns=tuple(sriov_resource) if sriov_resource else DEFAULT_SRIOV_PATTERNS,
        cnf_form=cnf_form.value,
    )
    command = "nfvplan import vnfd " + " ".join(str(f) for f in files)
    try:
        result = import_descriptors(files, options)
        header = emit.header(command, result)
        if into is not None:
            from nfvplan.io.yamlsrc import read_capped

            scenario_text = read_capped(into).decode("utf-8", errors="replace")
            from nfvplan.io.yamlsrc import parse_yaml

            root = parse_yaml(scenario_text, str(into))
            vnfs_node = root.value.get("vnfs")
            taken = (
                list(vnfs_node.value) if vnfs_node is not None and vnfs_node.kind == "map" else []
            )
            emit.assign_names(result.vnfs, taken)
            text = emit.merge_into(scenario_text, str(into), result.vnfs, header)
            emit.check_loads(text, str(output), base_dir=into.parent)
        else:
            emit.assign_names(result.vnfs)
            text = emit.render_section(result.vnfs, header)
            emit.check_section(text, str(output or "<stdout>"))
        for warning in result.warnings:
            typer.echo(f"warning: {warning}", err=True)
        if output is not None:
            emit.write(output, text)
    except InputError as error:
        fail_input(error)
    if output is None:
        typer.echo(text, nl=False)
        return
    sized = [v for v in result.vnfs if v.sized]
    parts = [f"{count(len(sized), 'VNF')} from {count(len(files), 'file')}"]
    if len(sized) < len(result.vnfs):
        parts.append(f"{len(result.vnfs) - len(sized)} written commented out (no figures)")
    if result.skipped:
        parts.append(f"{count(len(result.skipped), 'object')} without a workload skipped")
    if result.warnings:
        parts.append(count(len(result.warnings), "warning"))
    typer.echo(f"wrote {output}: " + ", ".join(parts))
    for vnf in result.vnfs:
        typer.echo(f"  {emit.summary(vnf)}")
