"""`nfvplan report SCENARIO PLAN -o report.html`: the self-contained HTML report of a plan.

Thin: it loads the two files, checks every option and the output path before any solve, asks
`nfvplan.review` for the optional sections (which solve: comparison, what-if, resilience) and
writes the page atomically. Exit codes: 0 written (an infeasible plan gives the explanation
page) · 2 bad input or usage, nothing written · 1 internal error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand

from nfvplan.choices import Level
from nfvplan.cli.errors import fail_input, fail_usage
from nfvplan.cli.options import SeedOption, TimeLimitOption, WorkersOption
from nfvplan.errors import InputError
from nfvplan.wording import count


def resilience_default(args: list[str]) -> list[str]:
    """`args` with `server` after a bare `--resilience`.

    Operators add the failure section the way they add `--compare`, and `nfvplan resilience`
    checks server failures unless told `--level site`: so `--resilience` alone means server
    failures, and a level is only needed for sites. typer has no option whose value may be
    left out, hence this rewrite before parsing. A next word that reads as a level in any case
    (`Site`) is left for typer to accept or refuse; anything else (an option, a file, the end)
    gets the default. Nothing after `--` is touched.
    """
    levels = {level.value for level in Level}
    result: list[str] = []
    for index, arg in enumerate(args):
        result.append(arg)
        if arg == "--":
            return result + args[index + 1 :]
        following = args[index + 1] if index + 1 < len(args) else ""
        if arg == "--resilience" and following.lower() not in levels:
            result.append(Level.SERVER.value)
    return result


class ReportCommand(TyperCommand):
    """The `report` command, whose `--resilience` may stand without a level."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, resilience_default(args))


def report_command(
    scenario: Annotated[
        Path, typer.Argument(metavar="SCENARIO", help="Scenario file the plan was made for.")
    ],
    plan_file: Annotated[Path, typer.Argument(metavar="PLAN", help="Plan file (YAML or JSON).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")],
    with_compare: Annotated[
        bool,
        typer.Option("--compare", help="Add the all-VM / all-container / mixed comparison."),
    ] = False,
    whatif: Annotated[
        list[str] | None,
        typer.Option(
            "--whatif",
            help="Add a what-if diff from this plan: whatif's change options in one quoted "
            "string, e.g. --whatif '--fail site:edge-a'; repeatable.",
        ),
    ] = None,
    resilience: Annotated[
        Level | None,
        typer.Option(
            "--resilience",
            metavar="[server|site]",
            help="Add the single-failure table: server failures (alone, or 'server'), or "
            "whole-site failures ('site').",
        ),
    ] = None,
    time_limit: TimeLimitOption = None,
    workers: WorkersOption = None,
    seed: SeedOption = None,
) -> None:
    """Write a plan's self-contained HTML report.

    Summary and cost parts, sites, per-server bars, a heat map and the network map; optional
    sections compare forms, play a what-if and check failures.

    Nothing in the page is fetched (inline styles, script and SVG): it opens offline and
    prints to PDF. An infeasible plan gives the page that explains why there is no plan.

    Example: nfvplan report examples/5g-core.yaml plan.yaml -o report.html --compare
    """
    from nfvplan.io import load_scenario, read_plan
    from nfvplan.io.output import write_output

    try:
        loaded = load_scenario(scenario)
        plan = read_plan(plan_file)
        from nfvplan.review.inputs import require_same_scenario

        require_same_scenario(loaded, plan, plan_file)
        if output.suffix.lower() not in (".html", ".htm"):
            raise InputError.single(str(output), "the report is HTML: name it *.html")
        from nfvplan.review.extras import parse_whatif

        changes = parse_whatif(whatif) if whatif else None
    except InputError as error:
        fail_input(error)
    if output.parent and not output.parent.is_dir():
        fail_usage(f"cannot write {output}: folder {output.parent} does not exist")
    if (resilience is not None or changes is not None) and not plan.status.has_plan:
        fail_usage(
            f"--resilience and --whatif need a plan; {plan_file} is {plan.status.value} "
            "(the report without them explains why)"
        )
    from nfvplan.review import ReportInput, render_report
    from nfvplan.review import extras as sections
    from nfvplan.solver import SolveOptions

    options = SolveOptions(time_limit_s=time_limit, workers=workers, seed=seed)
    parts = []
    if with_compare:
        parts.append(sections.compare_section(loaded, options))
    if changes is not None:
        try:
            parts.append(sections.whatif_section(scenario, plan, plan_file, changes, options))
        except InputError as error:
            fail_input(error)
    if resilience is not None:
        from nfvplan.check import check_plan

        if check_plan(loaded, plan):
            fail_usage(f"{plan_file} breaks rules of {scenario}: run nfvplan check, fix it first")
        parts.append(
            sections.resilience_section(loaded, plan, resilience, time_limit, workers, seed)
        )
    page = render_report(ReportInput(loaded, plan, str(scenario), str(plan_file), tuple(parts)))
    try:
        write_output(output, page.encode("utf-8"))
    except OSError as error:
        fail_usage(f"cannot write {output}: {error.strerror or error}")
    extra = count(len(parts), "extra section")
    typer.echo(f"report written to {output} ({plan.status.value}, {extra})")
