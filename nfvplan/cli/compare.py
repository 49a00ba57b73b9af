"""`nfvplan compare SCENARIO`: the scenario solved all-VM, all-container and mixed, side by side.

Thin on purpose: it parses, checks every output target before solving (so bad input costs no
solver time and writes nothing), calls `nfvplan.compare`, prints and writes.
Exit codes: 0 the comparison was produced (a variant without a plan is part of the answer);
3 or 4 when no variant has a plan (what `nfvplan solve` says for the file); 2 bad input or
usage, nothing written; 1 internal error.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nfvplan.cli.errors import fail_input, fail_usage
from nfvplan.cli.options import ScenarioArg, SeedOption, TimeLimitOption, WorkersOption
from nfvplan.errors import InputError

if TYPE_CHECKING:  # the library is imported when the command runs: `--help` stays fast
    from nfvplan.compare.variants import Variant


class CompareFormat(str, Enum):
    """How the comparison is printed."""

    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"


def _announce(variant: Variant, position: int, total: int) -> None:
    sys.stderr.write(f"\r\033[Ksolving {variant.label} ({position}/{total})...")
    sys.stderr.flush()


def compare_command(
    scenario: ScenarioArg,
    output_format: Annotated[
        CompareFormat, typer.Option("--format", help="table, markdown, json or csv.")
    ] = CompareFormat.table,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            "-o",
            help="Keep the three plans as DIR/plan-vm.yaml, plan-container.yaml, plan-mixed.yaml.",
        ),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Also draw cost, servers and utilisation into a .png/.svg."),
    ] = None,
    time_limit: TimeLimitOption = None,
    workers: WorkersOption = None,
    seed: SeedOption = None,
) -> None:
    """Compare all-VM, all-container and mixed plans: cost, servers, tax, isolation, recovery.

    All-VM runs every VNF that offers `vm` as a VM only (likewise all-container); VNFs without
    that form keep theirs. Mixed is the scenario as written. Each variant gets the full time
    limit. Exit 0 when the comparison is printed, even if a variant has no plan (its row says
    why); when no variant has a plan, the exit code is what `nfvplan solve` gives for the file
    (3 infeasible, 4 no plan in time), after printing the table. 2 on bad input, nothing written.

    Example: nfvplan compare examples/5g-core.yaml --format markdown -o plans/ --plot cmp.png
    """
    from nfvplan.io import load_scenario

    try:
        loaded = load_scenario(scenario)
    except InputError as error:
        fail_input(error)
    # After the scenario read: a bad file exits without importing the comparison and solver.
    from nfvplan import compare as comparing
    from nfvplan.solver import SolveOptions

    try:
        if output_dir is not None:
            comparing.check_output_dir(output_dir)
        plot_format = comparing.check_plot_target(plot) if plot is not None else None
        if plot is not None:
            comparing.ensure_matplotlib()
    except InputError as error:
        fail_input(error)
    except comparing.MissingMatplotlib as error:
        fail_usage(str(error))
    announce = _announce if sys.stderr.isatty() else None
    options = SolveOptions(time_limit_s=time_limit, workers=workers, seed=seed)
    comparison = comparing.compare(loaded, options, on_variant=announce)
    if announce is not None:
        sys.stderr.write("\r\033[K")
    files = comparing.plan_files(comparison, output_dir) if output_dir is not None else {}
    if plot is not None and plot_format is not None:
        try:
            files[plot] = comparing.render_chart(comparison, plot_format)
        except comparing.MissingMatplotlib as error:
            fail_usage(str(error))
    try:
        comparing.write_files(files)
    except OSError as error:
        fail_usage(f"cannot write {error.filename or ''}: {error.strerror or error}")
    typer.echo(comparing.render(comparison, loaded, output_format.value), nl=False)
    # JSON and CSV stay machine-readable on stdout: the file list goes to stderr with them.
    to_stderr = output_format in (CompareFormat.json, CompareFormat.csv)
    for path in files:
        typer.echo(f"written: {path}", err=to_stderr)
    raise typer.Exit(comparison.exit_code)
