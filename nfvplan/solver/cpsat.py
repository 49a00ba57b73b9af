"""How nfvplan configures a CP-SAT search, in one place for every model it solves."""

from __future__ import annotations

from ortools.sat.python import cp_model

from nfvplan.solver.stop import active_stop

PROBING_DTIME = 2.0
"""Deterministic-time cap on presolve probing (CP-SAT's default, 30, can take a minute)."""


class _StoppableSolver(cp_model.CpSolver):
    """A CpSolver that obeys the active `Stop` (Ctrl-C): it ends with the best solution found.

    CP-SAT catches SIGINT itself by default, but then only that one search stops and the
    caller cannot tell; with a `Stop` active, the Stop's owner handles the signal and every
    search, present or next, is told through `stop_search`.
    """

    def solve(self, model: cp_model.CpModel, solution_callback=None):  # type: ignore[override]
        stop = active_stop()
        if stop is None:
            return super().solve(model, solution_callback)
        self.parameters.catch_sigint_signal = False
        if stop.is_set():
            self.parameters.max_time_in_seconds = 0.0  # too late: just report what is known
        with stop.hook(self.stop_search):
            return super().solve(model, solution_callback)


def make_solver(
    seconds: float, *, workers: int = 1, seed: int = 0, deterministic: bool = True
) -> cp_model.CpSolver:
    """A CP-SAT solver for one search.

    `deterministic` with several workers selects the interleaved mode, whose workers synchronise
    in batches, so a search that finishes gives the same answer every time.
    """
    solver = _StoppableSolver()
    params = solver.parameters
    params.max_time_in_seconds = seconds
    params.num_workers = max(1, workers)
    params.random_seed = seed
    params.interleave_search = deterministic and workers > 1
    # Probing in presolve can eat a short time limit on large packings before any search.
    params.presolve_probing_deterministic_time_limit = PROBING_DTIME
    return solver
