"""How nfvplan configures a CP-SAT search, in one place for every model it solves."""

from __future__ import annotations

from ortools.sat.python import cp_model

PROBING_DTIME = 2.0
"""Deterministic-time cap on presolve probing (CP-SAT's default, 30, can take a minute)."""


def make_solver(
    seconds: float, *, workers: int = 1, seed: int = 0, deterministic: bool = True
) -> cp_model.CpSolver:
    """A CP-SAT solver for one search.

    `deterministic` with several workers selects the interleaved mode, whose workers synchronise
    in batches, so a search that finishes gives the same answer every time.
    """
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = seconds
    params.num_workers = max(1, workers)
    params.random_seed = seed
    params.interleave_search = deterministic and workers > 1
    # Probing in presolve can eat a short time limit on large packings before any search.
    params.presolve_probing_deterministic_time_limit = PROBING_DTIME
    return solver
