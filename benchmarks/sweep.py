"""Run one sweep on 1 and then on 2 local workers and print the wall times and their ratio.

Why this benchmark: `nfvplan sweep` exists to run many independent solves at once; what it buys
is the speed-up of the grid over workers, which depends on how evenly cases take their time
(a grid whose cases hit the time limit scales better than one dominated by one long case) and
on how many cores are free. Each case uses one search worker, so N workers use N cores.
The default grid is a 5G core with edge user planes on a metro ring
(examples/5g-edge-topology.yaml, whose demands scale) x 5 demand factors x {no failure, each of
its 6 sites failed} = 35 cases, each with a 5 s time limit.

Run from the repository root:

    python benchmarks/sweep.py
    python benchmarks/sweep.py --scenario examples/5g-core.yaml --time-limit 10 --jobs 1 2
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from _common import machine, nfvplan_root, ratio, revision, stopwatch, table

from nfvplan.sweep import LocalPool, prepare, run
from nfvplan.wording import count


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sweep once per worker count; print one row per run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = nfvplan_root() / "examples" / "5g-edge-topology.yaml"
    parser.add_argument("--scenario", type=Path, default=default)
    parser.add_argument("--factors", type=float, nargs="+", default=[1, 1.25, 1.5, 1.75, 2])
    parser.add_argument("--time-limit", type=float, default=5.0, help="seconds per case")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker counts")
    args = parser.parse_args(argv)

    print(f"nfvplan {revision()}; {machine()}")
    rows = []
    baseline = None
    with tempfile.TemporaryDirectory(prefix="nfvplan-sweep-bench-") as tmp:
        sweep_file = Path(tmp) / "sweep.yaml"
        factors = ", ".join(f"{f:g}" for f in args.factors)
        sweep_file.write_text(
            "nfvplan-sweep: 1\n"
            f"scenario: {args.scenario.resolve()}\n"
            f"axes:\n  scale_demand: [{factors}]\n  fail: [none, each-site]\n"
            f"solver: {{time_limit_s: {args.time_limit:g}, workers: 1, seed: 1}}\n",
            encoding="utf-8",
        )
        for jobs in args.jobs:
            prepared = prepare(sweep_file, Path(tmp) / f"results-{jobs}.csv")
            with stopwatch() as wall:
                outcome = run(prepared, LocalPool(jobs))
            statuses = Counter(str(r["status"]) for r in prepared.store.rows.values())
            case_s = sum(float(r["wall_s"]) for r in prepared.store.rows.values())
            baseline = baseline or wall[0]
            rows.append(
                [
                    count(jobs, "worker"),
                    outcome.total,
                    round(wall[0], 1),
                    round(case_s, 1),
                    ratio(baseline, wall[0]),
                    ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())),
                ]
            )
    print(
        f"sweep: {args.scenario.name} x scale_demand [{factors}] x fail [none, each-site], "
        f"{args.time_limit:g} s per case"
    )
    headers = ["engine", "cases", "wall s", "sum of case s", "speed-up", "statuses"]
    print(table(headers, rows, digits=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
