"""Sweeps: grids of what-if cases over one scenario, run on a local pool or on Dask.

`prepare(sweep_file, output, ...)` validates the sweep file, the scenario and every case's
changes before anything runs; `run(prepared, engine)` runs the cases still missing from the
results file and records each row as it finishes. See docs/sweep.md.
"""

from nfvplan.sweep.engines import DaskEngine, EngineError, LocalPool, default_jobs
from nfvplan.sweep.grid import Case, case_id, expand
from nfvplan.sweep.runner import PreparedSweep, SweepOutcome, SweepProgress, prepare, run
from nfvplan.sweep.spec import SweepSpec, load_sweep

__all__ = [
    "Case",
    "DaskEngine",
    "EngineError",
    "LocalPool",
    "PreparedSweep",
    "SweepOutcome",
    "SweepProgress",
    "SweepSpec",
    "case_id",
    "default_jobs",
    "expand",
    "load_sweep",
    "prepare",
    "run",
]
