"""Solve every shipped example with its own settings and print what an operator would see.

Why this benchmark: the examples are what a new user runs first and what the docs quote, so
their solve times, statuses and gaps are the figures people will actually meet. Each plan is
re-verified with the independent checker (`nfvplan.check.check_plan`); a violation there is a
solver bug, whatever the timing. A file that does not load is reported with the loader's
message and skipped, not counted as a failure of the solver.

Run from the repository root:

    python benchmarks/examples.py                     # examples/*.yaml, each file's solver block
    python benchmarks/examples.py --time-limit 10     # override every file's time limit
    python benchmarks/examples.py examples/5g-core.yaml
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from _common import Cell, machine, nfvplan_root, pct, revision, stopwatch, table

from nfvplan.check import check_plan
from nfvplan.errors import InputError
from nfvplan.io import load_scenario
from nfvplan.solver import SolveOptions, solve


def main(argv: Sequence[str] | None = None) -> int:
    """Solve each file, print one row per file; exit 1 if any plan broke a rule."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "files", nargs="*", type=Path, help="default: examples/*.yaml of the nfvplan imported"
    )
    parser.add_argument("--time-limit", type=float, help="override each file's time_limit_s")
    parser.add_argument("--workers", type=int, help="override each file's workers")
    args = parser.parse_args(argv)
    files = args.files or sorted((nfvplan_root() / "examples").glob("*.yaml"))

    print(f"machine: {machine()}")
    print(f"nfvplan: {revision()}\n")
    rows: list[list[Cell]] = []
    notes: list[str] = []
    broken = 0
    for path in files:
        label = path.name
        try:
            with stopwatch() as t_load:
                scenario = load_scenario(path)
        except InputError as error:
            notes.append(f"{label}: skipped, does not load:\n    " + error.render())
            continue
        options = SolveOptions(time_limit_s=args.time_limit, workers=args.workers)
        with stopwatch() as t_solve:
            plan = solve(scenario, options)
        violations = check_plan(scenario, plan)
        broken += bool(violations)
        settings = scenario.solver
        limit = args.time_limit or settings.time_limit_s
        workers = args.workers or settings.workers
        objective = plan.objective
        rows.append(
            [
                label,
                f"{limit:g}s/{workers}w",
                t_load[0],
                t_solve[0],
                plan.status.value,
                objective.name,
                objective.value,
                objective.bound,
                pct(objective.gap),
                plan.summary.servers_used,
                plan.summary.instances,
                len(plan.routes),
                len(violations),
            ]
        )
        print(f"  {label}: {plan.status.value} in {t_solve[0]:.1f} s", file=sys.stderr)
        for reason in plan.explanation or []:
            notes.append(f"{label}: explanation: {reason}")
        for violation in violations[:10]:
            notes.append(f"{label}: violation: {violation}")
    headers = [
        "file",
        "limit",
        "load s",
        "solve s",
        "status",
        "objective",
        "value",
        "bound",
        "gap",
        "servers",
        "instances",
        "routes",
        "violations",
    ]
    print(table(headers, rows))
    if notes:
        print()
        print("\n".join(notes))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
