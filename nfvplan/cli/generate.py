"""`nfvplan generate`: write a realistic scenario of a chosen size (library: nfvplan.generate).

Thin on purpose: parse the options, call `generate_scenario`, write the text atomically (or
print it). Bad options exit 2 with what would be valid; nothing is written then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nfvplan.cli.errors import fail_input, fail_usage


def generate_command(
    instances: Annotated[
        int, typer.Option("--instances", min=10, help="About this many VNF instances.")
    ] = 1000,
    sites: Annotated[
        int | None,
        typer.Option("--sites", min=3, help="Sites with servers (default: grows with size)."),
    ] = None,
    topology: Annotated[
        str | None,
        typer.Option(
            "--topology",
            help="A topology name (topologies/NAME.yaml) or file; default: a generated "
            "core/regional/edge network.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Random seed.")] = 1,
    demands: Annotated[
        str | None,
        typer.Option(
            "--demands",
            help="A number of edge demands (default: one per edge site), or a demand model: "
            "edge-to-core, two-per-site, gravity (a full traffic matrix).",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the scenario to this file.")
    ] = None,
) -> None:
    """Write a realistic national-operator scenario (5G core, IMS, vCPE/SD-WAN) of a given size.

    Example: nfvplan generate --instances 10000 --seed 1 -o big.yaml
    """
    from nfvplan.errors import InputError
    from nfvplan.generate import GenerateOptions, generate_scenario
    from nfvplan.generate.demands import MODELS
    from nfvplan.io.output import write_output
    from nfvplan.topology_view import default_topology_dir, resolve_topology

    try:
        path = None
        if topology is not None:
            path = resolve_topology(topology, default_topology_dir())
        count, model = None, MODELS[0]
        if demands is not None and demands.isdigit():
            count = int(demands)
        elif demands is not None and demands in MODELS:
            model = demands
        elif demands is not None:
            fail_usage(f"--demands {demands}: give a number >= 0 or one of {', '.join(MODELS)}")
        options = GenerateOptions(instances, sites, path, seed, count, output, demand_model=model)
        text = generate_scenario(options)
    except InputError as error:
        fail_input(error)
    except ValueError as error:
        fail_usage(str(error))
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        write_output(output, text.encode())
    except OSError as error:
        fail_usage(f"cannot write {output}: {error.strerror or error}")
    typer.echo(f"scenario written to {output}", err=True)
