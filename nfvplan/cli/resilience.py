"""`nfvplan resilience SCENARIO PLAN`: can the plan survive every single server or site failure?

Thin: it loads the two files, calls `nfvplan.survive.check_resilience`, prints the report.
Exit codes: 0 every failure survivable · 6 some failure proven not survivable · 4 none proven
fatal but some undecided within the time limit · 5 the plan breaks a rule of the scenario
(`nfvplan check` lists them) · 2 bad input or usage · 1 internal error.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from nfvplan.choices import Level
from nfvplan.cli.errors import fail_input
from nfvplan.cli.options import PlanArg, PlannedScenarioArg
from nfvplan.errors import InputError

EXIT_VIOLATIONS = 5


class ReportFormat(str, Enum):
    """How the report is printed."""

    table = "table"
    markdown = "markdown"
    json = "json"


def resilience_command(
    scenario: PlannedScenarioArg,
    plan_file: PlanArg,
    level: Annotated[
        Level, typer.Option("--level", help="What fails: one server, or one whole site.")
    ] = Level.SERVER,
    report_format: Annotated[
        ReportFormat, typer.Option("--format", help="table, markdown or json.")
    ] = ReportFormat.table,
    time_limit: Annotated[
        float | None,
        typer.Option("--time-limit", min=0.01, help="Seconds per failure (overrides solver:)."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Search threads (overrides solver:).")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="Random seed (overrides solver:).")
    ] = None,
) -> None:
    """Check that every single server (or site) failure can be recovered from without moving
    anything else; exit 6 when some cannot.

    Example: nfvplan resilience examples/5g-core.yaml plan.yaml --level site
    """
    # Imported here, not at module level: every `nfvplan` run builds this command's options;
    # the failure analysis (which loads the solver) only once both files have been read.
    from nfvplan.io import load_scenario, read_plan

    try:
        loaded = load_scenario(scenario)
        plan = read_plan(plan_file)
    except InputError as error:
        fail_input(error)
    from nfvplan.check import check_plan
    from nfvplan.survive import CheckOptions, check_resilience, format_report, require_plan_for

    try:
        require_plan_for(loaded, plan, plan_file)
    except InputError as error:
        fail_input(error)
    violations = check_plan(loaded, plan)
    if violations:
        from nfvplan.check import split_stale
        from nfvplan.wording import count

        broken, stale = split_stale(violations)
        for violation in broken or stale:
            kind = "violation" if broken else "stale"
            typer.echo(f"{kind} [{violation.rule}]: {violation.message}", err=True)
        if broken:
            message = (
                f"{plan_file} breaks {count(len(broken), 'rule')} of {scenario}: fix the plan "
                "first (nfvplan check lists them)"
            )
        else:
            message = (
                f"{plan_file} has {count(len(stale), 'stale figure')}: recompute them first "
                f"(nfvplan refresh {scenario} {plan_file} -o {plan_file})"
            )
        typer.echo(message, err=True)
        raise typer.Exit(EXIT_VIOLATIONS)
    report = check_resilience(loaded, plan, level, CheckOptions(time_limit, workers, seed))
    typer.echo(format_report(report, report_format.value))
    raise typer.Exit(report.exit_code)
