"""How fast `nfvplan` answers when no solving is involved: `--help` and bad-input exits.

Each case runs the installed command (or the interpreter) in a fresh process several times and
prints the median wall time, next to two baselines measured the same way: a bare interpreter
(what no command can beat) and an interpreter that imports the solver's dependencies, OR-Tools'
CP-SAT and networkx (what every command paid before the CLI imported them lazily). Every
`nfvplan` case is marked `pass` or `miss` against the target of issue 5: answer within
`TARGET_S`. Times are wall clock on a possibly shared machine, so the load average is printed
with them; run it on a quiet one for figures to compare.

The processes run with Python's byte-code cache on (`PYTHONDONTWRITEBYTECODE` removed from
their environment) after one uncounted warm-up run per case: that is how an installed nfvplan
starts (pip compiles the package on install). With the variable set and no `__pycache__`, every
run compiles our modules from source first, which adds about 0.1 s that no user pays.

    python benchmarks/startup.py            # 7 runs per case
    python benchmarks/startup.py --runs 15
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, nfvplan_root, revision, table

TARGET_S = 0.5
"""Issue 5: help and every bad-input exit within half a second (median, quiet machine)."""

BAD_SCENARIO = "nfvplan: 1\nname: bad\nsites:\n  a: {kind: core, servers: {nope: 1}}\n"
"""A scenario the loader refuses (an unknown server type): exit 2 with file:line:column."""

BAD_PLAN = "nfvplan: 1\nstatus: optimal\nplacements: 3\n"
"""A plan file the plan reader refuses (placements is not a list): exit 2, located."""


def median_wall(command: list[str], runs: int) -> tuple[float, int]:
    """Median wall seconds of `runs` fresh processes after one warm-up (which fills the
    byte-code cache), and the exit code they returned."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(command, capture_output=True, check=False, env=env)
    times = []
    code = 0
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False, env=env)
        times.append(time.perf_counter() - started)
        code = done.returncode
    return statistics.median(times), code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="processes per case (median taken)")
    args = parser.parse_args()
    beside = Path(sys.executable).parent / "nfvplan"  # the venv running this script
    nfvplan = str(beside) if beside.exists() else shutil.which("nfvplan") or "nfvplan"
    python = sys.executable
    good = str(nfvplan_root() / "examples" / "5g-core.yaml")
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        bad = Path(folder) / "bad.yaml"
        bad.write_text(BAD_SCENARIO)
        bad_plan = Path(folder) / "plan.yaml"
        bad_plan.write_text(BAD_PLAN)
        missing = str(Path(folder) / "none.yaml")
        baselines = [
            ("python -c pass (floor)", [python, "-c", "pass"]),
            (
                "import OR-Tools + networkx (old start)",
                [python, "-c", "import ortools.sat.python.cp_model, networkx"],
            ),
        ]
        cases = [
            ("nfvplan --help", [nfvplan, "--help"]),
            ("nfvplan solve --help", [nfvplan, "solve", "--help"]),
            ("nfvplan solve missing.yaml", [nfvplan, "solve", missing]),
            ("nfvplan solve bad.yaml", [nfvplan, "solve", str(bad)]),
            ("nfvplan solve --bogus", [nfvplan, "solve", "--bogus"]),
            ("nfvplan check 5g-core.yaml bad-plan", [nfvplan, "check", good, str(bad_plan)]),
            ("nfvplan resilience bad.yaml plan", [nfvplan, "resilience", str(bad), str(bad_plan)]),
            ("nfvplan whatif 5g-core.yaml --fail", [nfvplan, "whatif", good, "--fail"]),
            ("nfvplan whatif --format nope", [nfvplan, "whatif", good, "--format", "nope"]),
            ("nfvplan compare missing.yaml", [nfvplan, "compare", missing]),
            ("nfvplan topology show missing", [nfvplan, "topology", "show", missing]),
        ]
        rows = []
        for label, command in baselines:
            seconds, code = median_wall(command, args.runs)
            rows.append([label, seconds, code, ""])
        misses = 0
        for label, command in cases:
            seconds, code = median_wall(command, args.runs)
            verdict = "pass" if seconds <= TARGET_S else "miss"
            misses += verdict == "miss"
            rows.append([label, seconds, code, verdict])
    load_after = os.getloadavg()[0]
    import typer  # the one the measured processes import (PYTHONPATH may override the venv's)

    print(f"machine: {machine()}, typer {typer.__version__}")
    print(f"nfvplan: {revision()}")
    print(f"load average (1 min): {load_before:.2f} before, {load_after:.2f} after")
    print(f"median of {args.runs} fresh processes each; target {TARGET_S} s per nfvplan case\n")
    print(table(["case", "median s", "exit", f"<= {TARGET_S} s"], rows, digits=3))
    print(f"\n{len(cases) - misses} of {len(cases)} cases within {TARGET_S} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
