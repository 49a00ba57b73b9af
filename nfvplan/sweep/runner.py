"""A sweep from file to results: validate everything, then run the cases still missing.

`prepare` does every check that can fail on input (sweep file, scenario, every case's changes,
the output file and `--resume`/`--force`) and touches nothing; `run` drives an engine and
records each row the moment it arrives. Splitting them is what guarantees that bad input never
leaves an output file behind and never costs a solve.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nfvplan.errors import InputError
from nfvplan.sweep.case import ERROR, RESULT_COLUMNS
from nfvplan.sweep.engines import Engine
from nfvplan.sweep.grid import Case, expand, validate_cases
from nfvplan.sweep.inputs import InputsDigest
from nfvplan.sweep.spec import SweepSpec, load_sweep
from nfvplan.sweep.store import ResultStore, output_format

TICK_S = 0.5
"""How often the runner wakes to report progress while no case finishes."""


@dataclass(frozen=True)
class SweepProgress:
    """Where a sweep stands: counts over the whole grid, times over this run."""

    done: int
    total: int
    failed: int
    elapsed_s: float
    eta_s: float | None


@dataclass
class PreparedSweep:
    """A validated sweep: its cases, its results file and the cases left to run."""

    spec: SweepSpec
    cases: list[Case]
    store: ResultStore
    todo: list[Case]
    plans_dir: Path | None
    kept: int
    """Rows already in the file that are kept (`--resume`)."""
    stale: int = 0
    """Rows in the file whose inputs changed since (`--resume` runs them again)."""
    inputs: dict[str, str] = field(default_factory=dict)
    """Case id -> digest of what its row is computed from (`nfvplan.sweep.inputs`)."""


@dataclass(frozen=True)
class SweepOutcome:
    """How a run ended (when it was not interrupted)."""

    total: int
    ran: int
    failed: int
    elapsed_s: float


def prepare(
    sweep_file: Path,
    output: Path,
    *,
    resume: bool = False,
    retry_failed: bool = False,
    force: bool = False,
    plans_dir: Path | None = None,
) -> PreparedSweep:
    """Validate the sweep and its output; raise `InputError` (exit 2) for anything wrong."""
    output_format(output)
    if retry_failed and not resume:
        raise InputError.single(str(output), "--retry-failed only makes sense with --resume")
    spec = load_sweep(sweep_file)
    cases = expand(spec)
    validate_cases(spec, cases)
    columns = ("case", "inputs", *spec.axis_names, *RESULT_COLUMNS)
    store = ResultStore(output, columns, [case.id for case in cases])
    _check_output(output, plans_dir, resume=resume, force=force)
    if resume and output.exists():
        store.load()
    digest = InputsDigest(spec)
    inputs = {case.id: digest.of(case) for case in cases}
    stale = {
        case_id
        for case_id, row in store.rows.items()
        if case_id in inputs and row.get("inputs") != inputs[case_id]
    }
    finished = {
        case_id
        for case_id, row in store.rows.items()
        if case_id not in stale and not (retry_failed and row.get("status") == ERROR)
    }
    todo = [case for case in cases if case.id not in finished]
    kept = len(store.rows) - len(stale)
    return PreparedSweep(spec, cases, store, todo, plans_dir, kept, len(stale), inputs)


def _check_output(output: Path, plans_dir: Path | None, *, resume: bool, force: bool) -> None:
    if output.is_dir():
        raise InputError.single(str(output), "is a directory; name a results file")
    if not output.parent.is_dir():
        raise InputError.single(str(output), f"directory {output.parent} does not exist")
    if output.exists() and not (resume or force):
        raise InputError.single(
            str(output),
            "already exists; --resume to run only its missing cases, --force to start over",
        )
    if plans_dir is not None and not plans_dir.is_dir():
        raise InputError.single(str(plans_dir), "--plans must name an existing directory")


def payload(prepared: PreparedSweep, case: Case) -> dict[str, Any]:
    """The plain data `run_case` gets for `case`: strings, numbers and lists only."""
    solver = prepared.spec.solver
    delta = case.delta
    return {
        "case": case.id,
        "inputs": prepared.inputs.get(case.id),
        "labels": dict(case.labels),
        "scenario": str(prepared.spec.scenario),
        "patches": list(delta.patches),
        "sets": list(delta.sets),
        "scale_demand": list(delta.scale_demand),
        "fails": list(delta.fails),
        "objective": delta.objective,
        "time_limit_s": solver.time_limit_s,
        "workers": solver.workers,
        "seed": solver.seed,
        "plans_dir": str(prepared.plans_dir.resolve()) if prepared.plans_dir else None,
    }


def run(
    prepared: PreparedSweep,
    engine: Engine,
    on_progress: Callable[[SweepProgress], None] | None = None,
) -> SweepOutcome:
    """Run every case still to do on `engine`, recording each row as it arrives.

    The results file is written once before the first case (so an unwritable place fails
    now, not after the first solve) and after every row. On KeyboardInterrupt the engine is
    stopped without waiting and the interrupt propagates: every finished row is on disk.
    """
    store = prepared.store
    store.flush()
    started = time.perf_counter()
    total = len(prepared.cases)
    ran = 0
    futures = {engine.submit(payload(prepared, case)): case for case in prepared.todo}
    pending = set(futures)

    def report() -> None:
        if on_progress is None:
            return
        elapsed = time.perf_counter() - started
        left = len(pending)
        eta = elapsed / ran * left if ran else None
        done = total - sum(1 for c in prepared.todo if c.id not in store.rows)
        failed = sum(1 for row in store.rows.values() if row.get("status") == ERROR)
        on_progress(SweepProgress(done, total, failed, elapsed, eta))

    aborted = True
    try:
        report()
        while pending:
            finished, pending = engine.wait(pending, TICK_S)
            for future in finished:
                store.add(_row_of(engine, future, futures[future], prepared))
                ran += 1
            report()
        aborted = False
    finally:
        engine.close(abort=aborted)
        if aborted:  # a row recorded as the interrupt hit may have missed its write
            store.flush()
    failed = sum(1 for c in prepared.cases if store.rows.get(c.id, {}).get("status") == ERROR)
    return SweepOutcome(total, ran, failed, time.perf_counter() - started)


def _row_of(engine: Engine, future: Any, case: Case, prepared: PreparedSweep) -> dict[str, Any]:
    """The case's row, or an error row when the engine lost the case (a worker died)."""
    try:
        return engine.result(future)
    except Exception as error:
        row: dict[str, Any] = {"case": case.id, **case.labels}
        row.update(dict.fromkeys(RESULT_COLUMNS))
        row["status"] = ERROR
        row["error"] = f"the engine lost this case: {type(error).__name__}: {error}"
        return row


__all__ = ["PreparedSweep", "SweepOutcome", "SweepProgress", "payload", "prepare", "run"]
