"""`nfvplan whatif SCENARIO CHANGES...`: plan before and after a change, print what changed.

Thin: parses the options, calls `nfvplan.whatif`, prints the diff. Exit codes: 0 both sides
answered (an infeasible changed scenario is an answer: its explanation is printed, and
`--format json` says `"after": "infeasible"` for scripts) · 1 internal error · 2 bad input
(scenario, patch, --set, --fail, --current...) · 4 a side found no plan within the time limit.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from nfvplan.cli.errors import fail_input, fail_usage
from nfvplan.cli.options import ScenarioArg
from nfvplan.errors import InputError

EXIT_NO_ANSWER = 4


class DiffFormat(str, Enum):
    """Output formats of the diff."""

    text = "text"
    markdown = "markdown"
    json = "json"


def whatif_command(
    scenario: ScenarioArg,
    patch: Annotated[
        list[Path] | None,
        typer.Option("--patch", help="JSON Merge Patch file (YAML or JSON); repeatable."),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="PATH=VALUE, like vnfs.upf.replicas=8; repeatable."),
    ] = None,
    scale_demand: Annotated[
        list[str] | None,
        typer.Option("--scale-demand", help="F or SERVICE=F: multiply demands; repeatable."),
    ] = None,
    fail: Annotated[
        list[str] | None,
        typer.Option("--fail", help="site:NAME | server:SITE/TYPE/N | link:A,B; repeatable."),
    ] = None,
    current: Annotated[
        Path | None,
        typer.Option("--current", help="Plan of the running deployment: the 'before' side."),
    ] = None,
    diff_format: Annotated[
        DiffFormat, typer.Option("--format", help="How to print the diff.")
    ] = DiffFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the changed plan to this file.")
    ] = None,
    move_cost: Annotated[
        float,
        typer.Option(
            "--move-cost",
            min=0.0,
            help="Cost units per moved instance against the monthly saving (default 0: the "
            "cheapest plan, with the fewest moves among equals).",
        ),
    ] = 0.0,
    max_moves: Annotated[
        int | None, typer.Option("--max-moves", min=0, help="Move at most N instances.")
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option("--time-limit", min=0.01, help="Seconds per solve (overrides solver:)."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Search threads (overrides solver:).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="Random seed (overrides solver:).")
    ] = None,
) -> None:
    """Plan a scenario before and after a change and print what changed.

    Example: nfvplan whatif examples/5g-core.yaml --fail site:edge-a --set vnfs.amf.replicas=4
    """
    # Imported here, not at module level: every `nfvplan` run builds this command's options.
    from nfvplan.io import read_plan, write_plan
    from nfvplan.solver import SolveOptions
    from nfvplan.whatif import Changes
    from nfvplan.whatif.report import FORMATTERS
    from nfvplan.whatif.run import prepare, run_whatif

    changes = Changes(
        patches=tuple(patch or ()),
        sets=tuple(set_ or ()),
        scale_demand=tuple(scale_demand or ()),
        fails=tuple(fail or ()),
    )
    try:
        if output is not None:
            from nfvplan.io.plan_io import plan_format

            plan_format(output)
        deployed = read_plan(current) if current is not None else None
        base, changed = prepare(
            scenario, changes, (current, deployed) if current and deployed else None
        )
    except InputError as error:
        fail_input(error)
        return
    if changes.empty:
        typer.echo("note: no change given; comparing the scenario with itself", err=True)
    options = SolveOptions(
        time_limit_s=time_limit,
        workers=workers,
        seed=seed,
        move_cost=move_cost,
        max_moves=max_moves,
    )
    result = run_whatif(base, changed, options, deployed)
    if output is not None:
        try:
            write_plan(result.changed_plan, output)
        except OSError as error:
            fail_usage(f"cannot write {output}: {error.strerror or error}")
    typer.echo(FORMATTERS[diff_format.value](result.diff))
    if output is not None and diff_format is not DiffFormat.json:
        typer.echo(f"\nchanged plan written to {output}")
    raise typer.Exit(0 if result.answered else EXIT_NO_ANSWER)
