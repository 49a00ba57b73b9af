"""`nfvplan sweep`: run a grid of what-if cases and write one results row per case.

Thin: it parses options, picks the engine, draws the progress line and maps outcomes to exit
codes; validation, running and the results file are `nfvplan.sweep`'s.
Exit codes: 0 every case has a row and none failed · 1 some case failed (its row holds the
error; `--resume --retry-failed` runs those again) · 2 bad input · 130 interrupted (every
finished row is in the file; `--resume` continues).
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from nfvplan.cli.errors import EXIT_INTERRUPTED, fail_input, fail_usage
from nfvplan.errors import InputError

if TYPE_CHECKING:  # imported when the command runs, not on every `nfvplan ...` (startup time)
    from nfvplan.sweep import DaskEngine, LocalPool, SweepProgress

EXIT_FAILED_CASES = 1


class SweepLine:
    """One stderr line rewritten in place: cases done/total, failed, elapsed, ETA.

    On a terminal the line is redrawn; elsewhere (a log file, CI) one line is printed per
    finished case, so the log shows the progress without carriage-return noise.
    """

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last_done = -1

    def __call__(self, progress: SweepProgress) -> None:
        if not self.tty and progress.done == self.last_done:
            return
        self.last_done = progress.done
        eta = "--" if progress.eta_s is None else _clock(progress.eta_s)
        text = (
            f"  sweep: {progress.done}/{progress.total} cases   {progress.failed} failed   "
            f"elapsed {_clock(progress.elapsed_s)}   ETA {eta}"
        )
        sys.stderr.write(("\r\033[K" + text) if self.tty else text + "\n")
        sys.stderr.flush()

    def clear(self) -> None:
        """Erase the line before the final message."""
        if self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def sweep_command(
    sweep_file: Annotated[
        Path, typer.Argument(metavar="SWEEP", help="Sweep file (YAML), see docs/sweep.md.")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Results file: .csv, .json or .jsonl.")
    ],
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Cases at a time (default: one per core)."),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask", metavar="local", help="Run on a Dask LocalCluster of --jobs workers."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Run on an existing Dask cluster: tcp://HOST:8786."),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Keep the rows already in OUTPUT; run the rest.")
    ] = False,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="With --resume: run failed cases again too.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing OUTPUT.")] = False,
    plans: Annotated[
        Path | None, typer.Option("--plans", help="Also write each case's plan to DIR/CASE.yaml.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress line.")] = False,
) -> None:
    """Solve every case of a grid of what-ifs; one results row per case, kept on Ctrl-C.

    Example: nfvplan sweep sweep.yaml -o results.csv --jobs 2
    """
    from nfvplan.sweep import EngineError, LocalPool, default_jobs, prepare, run

    if hasattr(signal, "SIGPIPE"):
        # `main()` lets SIGPIPE end the process quietly for `| head`; a sweep talks to its
        # workers over pipes and sockets, and a worker gone on Ctrl-C must surface as an error
        # to handle (rows kept, exit 130), not kill the parent mid-write.
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    if dask is not None and dask != "local":
        fail_usage(f"--dask takes 'local' (got {dask!r}); for a running cluster use --scheduler")
    if dask is not None and scheduler is not None:
        fail_usage("--dask local and --scheduler exclude each other; give one")
    try:
        prepared = prepare(
            sweep_file,
            output,
            resume=resume,
            retry_failed=retry_failed,
            force=force,
            plans_dir=plans,
        )
    except InputError as error:
        fail_input(error)
    total, todo = len(prepared.cases), len(prepared.todo)
    if not quiet:
        kept = f", {total - todo} already in {output}" if resume else ""
        if prepared.stale:
            kept += (
                f" ({prepared.stale} of its rows run again: the scenario, a patch or the "
                "solver settings changed since)"
            )
        typer.echo(f"sweep: {total} cases, {todo} to run{kept}", err=True)
    workers = jobs or default_jobs()
    progress = None if quiet else SweepLine()
    started = time.perf_counter()
    try:
        engine = _engine(workers, dask, scheduler) if todo else None
        if engine is not None and not quiet:
            typer.echo(f"engine: {engine.name}", err=True)
        outcome = run(prepared, engine or LocalPool(1), progress)
    except KeyboardInterrupt:
        if progress is not None:
            progress.clear()
        done = sum(1 for c in prepared.cases if c.id in prepared.store.rows)
        typer.echo(
            f"interrupted after {time.perf_counter() - started:.1f} s: {done} of {total} cases "
            f"in {output}; run again with --resume to finish",
            err=True,
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except EngineError as error:
        fail_usage(str(error))
        return
    except OSError as error:
        fail_usage(f"cannot write {output}: {error.strerror or error}")
    if progress is not None:
        progress.clear()
    if outcome.failed:
        typer.echo(
            f"{outcome.failed} of {total} cases failed (status 'error' in {output}); "
            "run them again with --resume --retry-failed",
            err=True,
        )
        raise typer.Exit(EXIT_FAILED_CASES)
    if not quiet:
        typer.echo(
            f"{outcome.ran} cases run in {outcome.elapsed_s:.1f} s; {total} rows in {output}",
            err=True,
        )


def _engine(jobs: int, dask: str | None, scheduler: str | None) -> LocalPool | DaskEngine:
    from nfvplan.sweep import DaskEngine, LocalPool

    if scheduler is not None:
        return DaskEngine(jobs, scheduler)
    if dask is not None:
        return DaskEngine(jobs)
    return LocalPool(jobs)
