"""How fast `nfvplan` answers when no solving is involved: `--help` and bad-input exits.

Each case runs the installed command (or the interpreter) in a fresh process several times and
prints the median wall time, next to two baselines measured the same way: a bare interpreter
(what no command can beat) and an interpreter that imports the full solver (OR-Tools, networkx:
what every command paid before the CLI imported them lazily). Times are wall clock on a possibly
shared machine; run it on a quiet one for figures to compare.

    python benchmarks/startup.py            # 7 runs per case
    python benchmarks/startup.py --runs 15
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, revision, table

BAD_SCENARIO = "nfvplan: 1\nname: bad\nsites:\n  a: {kind: core, servers: {nope: 1}}\n"
"""A scenario the loader refuses (an unknown server type): exit 2 with file:line:column."""


def median_wall(command: list[str], runs: int) -> tuple[float, int]:
    """Median wall seconds of `runs` fresh processes, and the exit code they returned."""
    times = []
    code = 0
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
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
    with tempfile.TemporaryDirectory() as folder:
        bad = Path(folder) / "bad.yaml"
        bad.write_text(BAD_SCENARIO)
        cases = [
            ("python -c pass (floor)", [python, "-c", "pass"]),
            ("import nfvplan.solver (old start)", [python, "-c", "import nfvplan.solver"]),
            ("nfvplan --help", [nfvplan, "--help"]),
            ("nfvplan solve --help", [nfvplan, "solve", "--help"]),
            ("nfvplan solve missing.yaml", [nfvplan, "solve", str(Path(folder) / "none.yaml")]),
            ("nfvplan solve bad.yaml", [nfvplan, "solve", str(bad)]),
            ("nfvplan solve --bogus", [nfvplan, "solve", "--bogus"]),
        ]
        rows = []
        for label, command in cases:
            seconds, code = median_wall(command, args.runs)
            rows.append([label, seconds, code])
    print(f"machine: {machine()}")
    print(f"nfvplan: {revision()}")
    print(f"median of {args.runs} fresh processes each\n")
    print(table(["case", "median s", "exit"], rows, digits=3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
