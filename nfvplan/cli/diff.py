"""`nfvplan diff OLD NEW`: what applying the new plan over the old one would change.

Thin: reads both plans (and the scenario, for per-site cost), calls `nfvplan.plandiff`, prints.
Exit codes follow `diff(1)`: 0 no change · 1 a change · 2 bad input.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from nfvplan.cli.errors import fail_input
from nfvplan.errors import InputError

EXIT_CHANGED = 1


class DiffTableFormat(str, Enum):
    """Output formats of `nfvplan diff`."""

    table = "table"
    markdown = "markdown"
    json = "json"


def diff_command(
    old: Annotated[Path, typer.Argument(metavar="OLD_PLAN", help="The deployed plan.")],
    new: Annotated[Path, typer.Argument(metavar="NEW_PLAN", help="The plan to apply.")],
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", help="Scenario of both plans: adds the cost per site."),
    ] = None,
    diff_format: Annotated[
        DiffTableFormat, typer.Option("--format", help="How to print the diff.")
    ] = DiffTableFormat.table,
) -> None:
    """Show what an apply would change: instances moved, added, removed; servers; cost.

    Exit 0 when nothing changes, 1 when something does (like diff), 2 on bad input.

    Example: nfvplan diff plan-old.yaml plan-new.yaml --scenario examples/5g-core.yaml
    """
    from nfvplan.io import load_scenario, read_plan
    from nfvplan.plandiff import diff_plans
    from nfvplan.plandiff.render import FORMATTERS

    try:
        before, after = read_plan(old), read_plan(new)
        loaded = load_scenario(scenario) if scenario is not None else None
        if loaded is not None:
            for path, plan in ((old, before), (new, after)):
                if plan.scenario != loaded.name:
                    raise InputError.single(
                        str(path),
                        f"plan is for scenario {plan.scenario!r}, not {loaded.name!r} "
                        f"of {scenario}",
                        path="scenario",
                    )
    except InputError as error:
        fail_input(error)
        return
    diff = diff_plans(before, after, loaded, base_scenario=loaded)
    typer.echo(FORMATTERS[diff_format.value](diff, str(old), str(new)))
    if diff.changed:
        raise typer.Exit(EXIT_CHANGED)
