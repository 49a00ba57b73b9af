"""`nfvplan topology ...`: list, show and import physical network files.

Thin on purpose: each command parses its arguments, calls `nfvplan.topology_view` and prints.
Exit codes follow FORMAT.md: 0 done, 2 bad input or usage (missing or malformed file, unknown
network, missing optional extra), each message naming the file and line where there is one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nfvplan.cli.errors import fail_input, fail_usage
from nfvplan.errors import InputError

# `nfvplan.topology_view` and `nfvplan.io` (yaml) are imported inside each command: typer builds
# these commands' options on every `nfvplan` run, so a module-level import slows them all.

topology_app = typer.Typer(
    help="List, show and import physical topologies.", no_args_is_help=True, rich_markup_mode=None
)

DirOption = Annotated[
    Path | None,
    typer.Option(
        "--dir",
        help="Folder of topology files (default: ./topologies, else the package's topologies/).",
    ),
]


@topology_app.command("list")
def list_command(directory: DirOption = None) -> None:
    """List the topology files: name, sites, links, total link capacity, description.

    Files that do not load are reported on stderr after the list, and the exit code is then 2.

    Example: nfvplan topology list --dir topologies
    """
    from nfvplan import topology_view

    folder = directory or topology_view.default_topology_dir()
    try:
        entries, errors = topology_view.list_topologies(folder)
    except InputError as error:
        fail_input(error)
    if entries:
        typer.echo(topology_view.format_list(entries))
    elif not errors:
        typer.echo(f"no topology files (*.yaml, *.yml) in {folder}")
    if errors:
        fail_input(InputError([p for error in errors for p in error.problems]))


@topology_app.command("show")
def show_command(
    name_or_path: Annotated[
        str,
        typer.Argument(
            metavar="NAME_OR_PATH",
            help="A topology file, or the name of one in --dir (e.g. abilene).",
        ),
    ],
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            help="Also draw the network into this .png or .svg file (needs matplotlib).",
        ),
    ] = None,
    plan_file: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            help="With --plot: draw this plan on the map (servers and instances per site, "
            "link loads).",
        ),
    ] = None,
    directory: DirOption = None,
) -> None:
    """Show a topology's sites (kind, degree), links (Gbps, km, ms) and its diameter in ms.

    --plot draws it: sites at their lon/lat (else a spring layout), colour by kind.

    Line width follows link capacity; the image is written atomically. --plan PLAN adds a
    plan made on this topology: discs sized by servers used, links coloured by load.

    Example: nfvplan topology show abilene --plot abilene.png --plan plan.yaml
    """
    from nfvplan import topology_view
    from nfvplan.io import load_topology

    if plan_file is not None and plot is None:
        fail_usage("--plan draws the plan on the map: give --plot FILE too")
    folder = directory or topology_view.default_topology_dir()
    plan = None
    try:
        path = topology_view.resolve_topology(name_or_path, folder)
        topology = load_topology(path)
        if plot is not None:
            topology_view.plot_format(plot)
        if plan_file is not None:
            from nfvplan.io import read_plan

            plan = read_plan(plan_file)
            topology_view.check_plan_sites(topology, plan, str(plan_file))
    except InputError as error:
        fail_input(error)
    typer.echo(topology_view.format_view(topology_view.view_topology(topology)))
    if plot is not None:
        try:
            topology_view.plot_topology(topology, plot, plan)
        except InputError as error:
            fail_input(error)
        except topology_view.MissingExtraError as error:
            fail_usage(str(error))
        typer.echo(f"\nplot written to {plot}")


@topology_app.command("import")
def import_command(
    network: Annotated[
        str | None,
        typer.Argument(
            metavar="NAME_OR_FILE",
            help="A network file (GML, GraphML, SNDlib native or XML, CSV of links) or a "
            "topohub network, e.g. sndlib/abilene, topozoo/Bics or abilene.",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Topology file to write.")
    ] = None,
    gbps: Annotated[
        float | None,
        typer.Option(
            "--gbps",
            help="Capacity of links the source gives none for (topohub: every link, default 100).",
        ),
    ] = None,
    kind: Annotated[str, typer.Option("--kind", help="Kind given to every site.")] = "core",
    latency_ms: Annotated[
        float | None,
        typer.Option(
            "--latency-ms",
            help="Latency of links a file without coordinates gives no length or latency for.",
        ),
    ] = None,
    services: Annotated[
        Path | None,
        typer.Option(
            "--services",
            help="Also write the file's demands (SNDlib) as a "
            "services: section here; needs --chain.",
        ),
    ] = None,
    chain: Annotated[
        str | None,
        typer.Option("--chain", help="Comma-separated VNFs the demands pass through."),
    ] = None,
    sndlib_unit_gbps: Annotated[
        float,
        typer.Option(
            "--sndlib-unit-gbps",
            help="Gbps per SNDlib capacity/demand unit (default 0.001: Mbit/s).",
        ),
    ] = 0.001,
    list_networks: Annotated[
        bool, typer.Option("--list", help="List the bundled topohub networks and exit.")
    ] = False,
) -> None:
    """Import a network file, or a real network from topohub, into a topology file.

    Link lengths are great-circle km; latency follows at 0.005 ms/km (light in fibre).

    Networks drawn in pixel coordinates are refused, as are unknown names (exit 2).

    Example: nfvplan topology import sndlib/abilene --gbps 10 -o topologies/abilene.yaml
    """
    from nfvplan import topology_view

    if list_networks:
        try:
            from nfvplan.topohub_import import available_networks

            keys = available_networks()
        except ImportError as error:
            fail_usage(str(error))
        typer.echo("\n".join(keys))
        typer.echo(
            f"{len(keys)} topohub networks (pixel-coordinate ones are refused on import)", err=True
        )
        return
    if network is None or output is None:
        fail_usage("give NAME_OR_FILE and -o OUTPUT (or --list)")
    if Path(network).is_file():
        from nfvplan.netfile_import import import_network_file

        try:
            done = import_network_file(
                Path(network),
                output,
                gbps=gbps,
                latency_ms=latency_ms,
                kind=kind,
                services=services,
                chain=[c.strip() for c in chain.split(",") if c.strip()] if chain else None,
                sndlib_unit_gbps=sndlib_unit_gbps,
            )
        except InputError as error:
            fail_input(error)
        typer.echo(
            f"wrote {output}: {done.sites} sites, {done.links} links, "
            f"{topology_view.format_number(done.total_gbps)} Gbps total"
        )
        if done.services_written:
            typer.echo(f"wrote {services}: {done.demands} demands")
        elif done.demands:
            typer.echo(
                f"note: {done.demands} demands in the file not written (give --services "
                "FILE --chain VNF,...)",
                err=True,
            )
        return
    try:
        entry = topology_view.import_network(
            network, output, gbps=100.0 if gbps is None else gbps, kind=kind
        )
    except InputError as error:
        fail_input(error)
    except (ValueError, topology_view.MissingExtraError) as error:
        fail_usage(str(error))
    typer.echo(
        f"wrote {output}: {entry.sites} sites, {entry.links} links, "
        f"{topology_view.format_number(entry.total_gbps)} Gbps total"
    )
