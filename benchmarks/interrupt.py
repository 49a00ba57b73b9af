"""Ctrl-C in every phase of a large solve: how long after SIGINT `nfvplan solve` exits, and how.

Why: the promise is that Ctrl-C is honoured in every phase (docs/solver.md, "Interrupting a
solve"), and at operator scale the phases that are not CP-SAT (building the problem,
enumerating chain paths, the greedy, column generation, the plan and its self-check) last
seconds to minutes each. A test can hit only the phases that are long on a small case, so this
measures all of them on a large one, from outside, as a user meets it: `nfvplan solve` in a
session of its own (a terminal's foreground process group gets the signal; a background job of
a non-interactive shell would ignore it), SIGINT to its process group `delay` seconds after the
start, then the seconds to its exit, its exit code, the status its `--stats` file reports and
whether a plan file was written. The phase hit is read from the stage times of the same run
(`--stats`): the last stage that ran in earnest (`phase_hit`); they are printed too.

Run from the repository root, on a scenario file (e.g. from `benchmarks/ladder.py`):

    python benchmarks/interrupt.py SCENARIO --time-limit 60 --delays 2 5 10 20 40
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from _common import nfvplan_command, table


def phase_hit(phases: dict[str, float]) -> str:
    """The stage the SIGINT landed in: the last one that took more than `RAN_S` (after a stop
    the later stages return at once, and the plan's self-check always runs)."""
    ran = [name for name, seconds in phases.items() if seconds > RAN_S and name != "check"]
    return ran[-1] if ran else "load"


RAN_S = 0.05
"""A stage that took less than this after the stop did not run in earnest."""


def interrupt_once(scenario: Path, limit_s: float, delay_s: float) -> list:
    """One run: SIGINT at `delay_s`; the row of figures."""
    with tempfile.TemporaryDirectory(prefix="nfvplan-interrupt-") as scratch:
        plan, stats = Path(scratch) / "plan.yaml", Path(scratch) / "stats.json"
        command = [*nfvplan_command(), "solve", str(scenario), "-o", str(plan)]
        command += ["--stats", str(stats), "--time-limit", f"{limit_s:g}", "-q"]
        started = time.perf_counter()
        child = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        sent = None
        try:
            child.wait(timeout=delay_s)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGINT)
            sent = time.perf_counter()
        try:
            _, errors = child.communicate(timeout=limit_s + 300)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            _, errors = child.communicate()
        ended = time.perf_counter()
        data = json.loads(stats.read_text(encoding="utf-8")) if stats.exists() else {}
        phases = data.get("phases") or {}
        wall = ended - started
        hit = phase_hit(phases) if sent else "-"
        traceback = "Traceback" in errors.decode("utf-8", "replace")
        return [
            delay_s,
            hit,
            None if sent is None else round(ended - sent, 2),
            round(wall, 2),
            child.returncode,
            data.get("status", "-"),
            plan.exists(),
            "yes" if traceback else "no",
            " ".join(f"{name} {seconds:.1f}" for name, seconds in phases.items()),
        ]


HEADERS = (
    "SIGINT at s",
    "phase",
    "exit after s",
    "wall s",
    "exit",
    "status",
    "plan",
    "traceback",
    "stages (s)",
)


def main(argv: Sequence[str] | None = None) -> int:
    """Interrupt one solve per delay, print a table; exit 1 if any run left a traceback."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--delays", type=float, nargs="+", default=[2, 5, 10, 20, 40])
    args = parser.parse_args(argv)
    rows = []
    for delay in args.delays:
        rows.append(interrupt_once(args.scenario, args.time_limit, delay))
        print(table(HEADERS, rows[-1:]), flush=True)
    print()
    print(table(HEADERS, rows))
    return 1 if any(row[7] == "yes" for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
