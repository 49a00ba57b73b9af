"""The `nfvplan` command: parse arguments, call the library, print, exit with FORMAT's codes.

Exit codes: 0 plan found · 1 internal error · 2 bad input or usage · 3 proven infeasible ·
4 no plan within the time limit · 5 `check` found violations · 6 a single failure is not
survivable (`resilience`, `solve --survive`).
"""

from __future__ import annotations

import signal
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nfvplan.choices import Level, Objective
from nfvplan.cli.compare import compare_command
from nfvplan.cli.diff import diff_command
from nfvplan.cli.errors import EXIT_INTERRUPTED, fail_input, fail_usage
from nfvplan.cli.export import export_command
from nfvplan.cli.generate import generate_command
from nfvplan.cli.help import WorkflowGroup
from nfvplan.cli.import_ import import_app
from nfvplan.cli.options import (
    PlanArg,
    PlannedScenarioArg,
    ScenarioArg,
    SeedOption,
    TimeLimitOption,
    WorkersOption,
)
from nfvplan.cli.report import ReportCommand, report_command
from nfvplan.cli.resilience import resilience_command
from nfvplan.cli.sweep import sweep_command
from nfvplan.cli.topology import topology_app
from nfvplan.cli.whatif import whatif_command
from nfvplan.errors import InputError

# Every library module beyond `choices` and `errors` is imported inside the commands
# that use it: the solver, checker, file readers (yaml), failure analysis and report. typer
# builds every command's options on each run, so a module-level import here is paid by
# `nfvplan --help` and by every bad-input exit (benchmarks/startup.py, docs/performance.md).
if TYPE_CHECKING:
    from nfvplan.check import Violation
    from nfvplan.model import Scenario
    from nfvplan.plan import Plan, Status

EXIT_INTERNAL = 1
EXIT_VIOLATIONS = 5

app = typer.Typer(
    name="nfvplan",
    help="Place telco network functions as VMs or containers at the lowest cost that holds.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: rendering it with rich costs ~0.3 s per call
    cls=WorkflowGroup,  # commands listed in workflow order (nfvplan/cli/help.py)
)


def _print_version(requested: bool) -> None:
    """`nfvplan --version`: print the installed version and stop before any command runs."""
    if requested:
        from nfvplan import __version__

        typer.echo(f"nfvplan {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the version."
        ),
    ] = False,
) -> None:
    """Place telco network functions as VMs or containers at the lowest cost that holds."""


app.add_typer(topology_app, name="topology")
app.add_typer(import_app, name="import")
app.command("compare")(compare_command)
app.command("whatif")(whatif_command)
app.command("resilience")(resilience_command)
app.command("sweep")(sweep_command)
app.command("generate")(generate_command)
app.command("report", cls=ReportCommand)(report_command)
app.command("diff")(diff_command)
app.command("export")(export_command)


class PlanFormat(str, Enum):
    """Plan file formats."""

    yaml = "yaml"
    json = "json"


def load_pair(scenario: Path, plan_file: Path) -> tuple[Scenario, Plan]:
    """The scenario and a plan file, or exit 2 naming what is wrong in either."""
    from nfvplan.io import load_scenario, read_plan

    try:
        return load_scenario(scenario), read_plan(plan_file)
    except InputError as error:
        fail_input(error)
        raise  # unreachable: fail_input exits


@app.command("solve")
def solve_command(
    scenario: ScenarioArg,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the plan to this file.")
    ] = None,
    plan_format: Annotated[
        PlanFormat | None,
        typer.Option("--format", help="Plan file format (default: json for a .json file)."),
    ] = None,
    time_limit: TimeLimitOption = None,
    workers: WorkersOption = None,
    seed: SeedOption = None,
    objective: Annotated[
        Objective | None, typer.Option("--objective", help="What to minimise (overrides file).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    current: Annotated[
        Path | None,
        typer.Option(
            "--current",
            help="Re-plan from this deployment (a plan file): what still fits stays unless "
            "moving it pays.",
        ),
    ] = None,
    move_cost: Annotated[
        float,
        typer.Option(
            "--move-cost",
            min=0.0,
            help="With --current: cost units charged per moved instance against the monthly "
            "saving (default 0: the cheapest plan, with the fewest moves among equals).",
        ),
    ] = 0.0,
    max_moves: Annotated[
        int | None,
        typer.Option("--max-moves", min=0, help="With --current: move at most N instances."),
    ] = None,
    survive: Annotated[
        Level | None,
        typer.Option(
            "--survive",
            help="Plan so that every single server (or site) failure is survivable, proven by "
            "the resilience check; prints the cost against the plain plan (exit 6 if unproven).",
        ),
    ] = None,
    stats_file: Annotated[
        Path | None,
        typer.Option(
            "--stats",
            help="Write the run statistics (wall time, formulation, workers, seed, seconds per "
            "stage, time to the first plan, the routing-aware greedy's cost, which bound) to "
            "this JSON file; the plan file holds nothing time- or machine-dependent.",
        ),
    ] = None,
) -> None:
    """Solve a scenario and print (and optionally write) the deployment plan.

    Example: nfvplan solve examples/5g-core.yaml -o plan.yaml
    """
    from nfvplan.io import load_scenario, read_plan, write_plan
    from nfvplan.io.plan_io import plan_format as plan_format_of

    try:
        if output is not None:
            plan_format_of(output, plan_format.value if plan_format else None)
        loaded = load_scenario(scenario)
        deployment = read_plan(current) if current is not None else None
        if deployment is not None:
            from nfvplan.migration import validate_current

            validate_current(loaded, deployment, str(current))
    except InputError as error:
        fail_input(error)
        return
    if deployment is None and (move_cost or max_moves is not None):
        fail_usage("--move-cost and --max-moves need --current PLAN")
    from nfvplan.cli.interrupt import stop_on_sigint
    from nfvplan.cli.progress import ProgressLine
    from nfvplan.solver import SolveOptions, solve
    from nfvplan.survive import format_survival, plan_survivable, unplanned_budgets

    progress = ProgressLine() if not quiet and sys.stderr.isatty() else None
    options = SolveOptions(
        time_limit,
        workers,
        seed,
        objective,
        progress,
        current=deployment,
        move_cost=move_cost,
        max_moves=max_moves,
    )
    if survive is not None and deployment is not None:
        fail_usage("--survive cannot be combined with --current")
    survival = None
    warning = unplanned_budgets(loaded) if survive is None else None
    if warning is not None:
        typer.echo(warning, err=True)
    with stop_on_sigint() as stop:
        try:
            if survive is not None:
                survival = plan_survivable(loaded, survive, options)
                plan = survival.plan
            else:
                plan = solve(loaded, options)
        finally:
            if progress is not None:
                progress.clear()
    if stop.is_set():
        typer.echo("interrupted: stopping with the best plan found so far", err=True)
    written = output is not None and writes_plan_file(plan.status)
    if written:
        try:
            write_plan(plan, output, plan_format.value if plan_format else None)
        except OSError as error:
            fail_usage(f"cannot write {output}: {error.strerror or error}")
    if stats_file is not None:
        from nfvplan.io.plan_io import write_stats

        try:
            write_stats(plan, stats_file)
        except OSError as error:
            fail_usage(f"cannot write {stats_file}: {error.strerror or error}")
    if not quiet:
        from nfvplan.report import format_summary

        run = plan.stats  # to stderr: the plan (and its summary) stays the same on any machine
        typer.echo(
            f"solved in {run.wall_time_s:.1f} s ({run.formulation or 'no search'}, "
            f"{run.workers} workers, seed {run.seed})",
            err=True,
        )

        typer.echo(format_summary(plan, loaded))
        if survival is not None:
            typer.echo("\n" + format_survival(survival))
        if written:
            typer.echo(f"\nplan written to {output}")
    elif not plan.status.has_plan:
        typer.echo("\n".join(plan.explanation or []), err=True)
    if output is not None and not written:
        typer.echo(
            f"no plan written to {output}: no plan was found (status {plan.status.value}) and "
            "none was proven impossible; a file already there is left as it was",
            err=True,
        )
    if stop.is_set():
        raise typer.Exit(EXIT_INTERRUPTED)
    raise typer.Exit(survival.exit_code if survival is not None else plan.status.exit_code)


def writes_plan_file(status: Status) -> bool:
    """Whether `solve -o` writes a file for this outcome: a plan, or the explanation of a
    proven infeasibility (which `check` and `report` read). An `unknown` outcome (time limit,
    Ctrl-C before any plan) has neither: nothing is written and a file already there stays,
    so a script never mistakes a stale or empty file for a result (docs/format.md)."""
    from nfvplan.plan import Status  # here: `--help` imports no reader (tests/cli/test_startup)

    return status.has_plan or status is Status.INFEASIBLE


@app.command("check")
def check_command(
    scenario: PlannedScenarioArg,
    plan_file: PlanArg,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only violations.")] = False,
) -> None:
    """Re-check a plan against its scenario, independently of the solver; exit 5 on violations.

    Example: nfvplan check examples/5g-core.yaml plan.yaml
    """
    loaded, plan = load_pair(scenario, plan_file)
    from nfvplan.check import check_plan, split_stale
    from nfvplan.io.plan_io import plan_places
    from nfvplan.wording import count

    violations = check_plan(loaded, plan)
    places = plan_places(plan_file) if violations else {}
    broken, stale = split_stale(violations)

    def located(violation: Violation) -> str:
        where = _place_of(violation, places)
        return f"{plan_file}:{where[0]}:{where[1]}: " if where else ""

    for violation in broken:
        typer.echo(f"{located(violation)}violation [{violation.rule}]: {violation.message}")
    if stale:
        figures = f"{count(len(stale), 'figure')} derived from the placements"
        typer.echo(
            f"\n{figures} {'is' if len(stale) == 1 else 'are'} stale:"
            if broken
            else f"{plan_file}: no rule is broken, but {figures} "
            f"{'is' if len(stale) == 1 else 'are'} stale:"
        )
        for violation in stale:
            typer.echo(f"{located(violation)}stale [{violation.rule}]: {violation.message}")
        typer.echo(f"recompute them: nfvplan refresh {scenario} {plan_file} -o {plan_file}")
    if violations:
        found = [count(len(broken), "rule violation")] if broken else []
        found += [count(len(stale), "stale figure")] if stale else []
        typer.echo(f"{' and '.join(found)} found in {plan_file}", err=True)
        raise typer.Exit(EXIT_VIOLATIONS)
    if not quiet:
        from nfvplan.report import form_counts

        typer.echo(
            f"{plan_file}: every rule holds ({plan.status.value}, "
            f"{count(plan.summary.instances, 'instance')} on "
            f"{count(plan.summary.servers_used, 'server')}"
            + (f": {form_counts(plan)})" if plan.workers else ")")
        )


_RULE_SECTION = {
    "status": "status",
    "scenario": "scenario",
    "summary": "summary",
    "objective": "objective",
    "count": "placements",
    "server-usage": "servers",
    "route": "routes",
    "latency": "routes",
    "demand-total": "routes",
    "link-capacity": "links",
    "link-usage": "links",
}
"""The plan section a violation without an instance or server is about."""


def _place_of(violation: Violation, places: dict[tuple[str, ...], tuple[int, int]]):
    """Line and column in the plan file a violation is about: its instance's placement, its
    server's entry, or the section its rule checks; None when the plan lacks all of them."""
    keys: list[tuple[str, ...]] = []
    if violation.instance is not None:
        keys.append(("instance", violation.instance))
    if violation.server is not None:
        keys.append(("server", violation.server))
    keys.append((_RULE_SECTION.get(violation.rule, "placements"),))
    return next((places[key] for key in keys if key in places), None)


def _refuse_other_scenario(loaded: Scenario, plan: Plan, plan_file: Path) -> None:
    """Exit 2 when the plan names another scenario: its figures would print as nonsense (an
    empty table) and a refresh would compute them against the wrong servers."""
    if plan.scenario == loaded.name:
        return
    from nfvplan.io.plan_io import locate_in_plan

    error = InputError.single(
        str(plan_file),
        f"this plan is for scenario {plan.scenario!r}, not {loaded.name!r}: give the scenario "
        "the plan was made for",
        path="scenario",
    )
    fail_input(locate_in_plan(error, plan_file))


@app.command("refresh")
def refresh_command(
    scenario: PlannedScenarioArg,
    plan_file: PlanArg,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Write the refreshed plan here (may be PLAN).")
    ],
    plan_format: Annotated[
        PlanFormat | None,
        typer.Option("--format", help="Plan file format (default: from the file name)."),
    ] = None,
) -> None:
    """Recompute the figures of a hand-edited plan (server usage, summary, objective) without
    solving again; placements and routes stay as written.

    Example: nfvplan refresh examples/5g-core.yaml plan.yaml -o plan.yaml
    """
    from nfvplan.io import write_plan
    from nfvplan.io.plan_io import plan_format as plan_format_of

    fmt = plan_format.value if plan_format else None
    try:
        plan_format_of(output, fmt)
    except InputError as error:
        fail_input(error)
    loaded, plan = load_pair(scenario, plan_file)
    _refuse_other_scenario(loaded, plan, plan_file)
    from nfvplan.refresh import refresh_plan

    try:
        refreshed = refresh_plan(loaded, plan, str(plan_file))
    except InputError as error:
        fail_input(error)
    try:
        write_plan(refreshed, output, fmt)
    except OSError as error:
        fail_usage(f"cannot write {output}: {error.strerror or error}")
    changed = [
        name
        for name, before, after in (
            ("status", plan.status, refreshed.status),
            ("objective", plan.objective, refreshed.objective),
            ("summary", plan.summary, refreshed.summary),
            ("servers", plan.servers, refreshed.servers),
            ("links", plan.links, refreshed.links),
        )
        if before != after
    ]
    what = f"recomputed {', '.join(changed)}" if changed else "every figure was up to date"
    typer.echo(f"{output}: {what}; nfvplan check verifies the rules")


class ShowFormat(str, Enum):
    """What `show --format` prints: the plan re-emitted, or the per-server view as Markdown."""

    yaml = "yaml"
    json = "json"
    markdown = "markdown"


@app.command("show")
def show_command(
    scenario: PlannedScenarioArg,
    plan_file: PlanArg,
    plan_format: Annotated[
        ShowFormat | None,
        typer.Option(
            "--format",
            help="yaml or json: re-emit the plan; markdown: the per-server view as Markdown.",
        ),
    ] = None,
    servers: Annotated[
        bool,
        typer.Option(
            "--servers",
            help="Per server: every instance, used against capacity per resource, overheads "
            "and reserves apart, free room.",
        ),
    ] = False,
) -> None:
    """Print the summary of a plan file (or convert it to another format).

    Example: nfvplan show examples/5g-core.yaml plan.yaml --servers
    """
    loaded, plan = load_pair(scenario, plan_file)
    _refuse_other_scenario(loaded, plan, plan_file)
    from nfvplan.io import dump_plan
    from nfvplan.report import format_summary

    if plan_format is ShowFormat.markdown or servers:
        if plan_format in (ShowFormat.yaml, ShowFormat.json):
            fail_usage("--servers prints a view, not a plan file: use --format markdown or none")
        from nfvplan.review import format_servers

        fmt = "markdown" if plan_format is ShowFormat.markdown else "text"
        typer.echo(format_servers(loaded, plan, fmt))
    elif plan_format is not None:
        typer.echo(dump_plan(plan, plan_format.value), nl=False)
    else:
        typer.echo(format_summary(plan, loaded))


def main() -> None:
    """Entry point: run the app; anything unexpected is an internal error (exit 1), briefly."""
    if hasattr(signal, "SIGPIPE"):
        # `nfvplan check ... | head`: when the reader goes away, end quietly as Unix tools do
        # (the shell sees 141) instead of click's exit 1, which our codes reserve for bugs.
        # Files are never pipes to us, so only the printing can be cut short.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as error:
        typer.echo(
            f"internal error ({type(error).__name__}): {error}\n"
            "this is a bug in nfvplan, not in your file; please report it with the scenario",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
