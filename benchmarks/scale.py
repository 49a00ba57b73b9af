"""The scale ladder: generated operator scenarios of 100 to 100 000 instances, solved with `solve`.

For each rung, in a fresh subprocess (so that peak memory is the rung's own): generate the
scenario (`nfvplan.generate`, 10 000 instances <-> ~1 900 servers at 50 sites), solve it with
nfvplan's public `solve`, and print the time to the first plan and to a gap of 1% (from the
progress callback), the final status and gap, the peak RSS (`ru_maxrss`), the cost of a
same-process first-fit-decreasing plan (`benchmarks/generated.py`'s cost-blind FFD, the
baseline an operator would script) and the ratio, and the checker's verdict on both plans.
A CSV goes to benchmarks/results/.

By default the scenarios have no service demands (`--demands 0`): FFD cannot route traffic, so
only then is its plan complete and the comparison like for like. `--demands` keeps the
generator's default (one broadband demand per edge site) to measure the routed model.

From BUDGET_FROM instances (the 100 000 rung) a rung has a total wall-clock budget instead
(`--budget`, default 600 s: the target is a checked plan within 10 minutes, loading, solving,
building the plan and checking it included): the solver's time limit is what is left of it after
loading, minus CHECK_RESERVE_S for the plan build and the checker. `total_s` is load + solve +
check, `passed` whether the checker found nothing. The FFD baseline scans every server for every
instance, so it is only run up to FFD_MAX instances (hours at 100 000).

    python benchmarks/scale.py                                # rungs 100 1000 10000, 60 s each
    python benchmarks/scale.py --rungs 10000 --time-limit 60
    python benchmarks/scale.py --rungs 10000 100000 --time-limit 60    # 100k: 600 s in total
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import machine, revision, table  # noqa: E402

BUDGET_FROM = 50_000
"""Rungs from this many instances run on a total budget (`--budget`), not `--time-limit`."""
CHECK_RESERVE_S = 60.0
"""Left of a budgeted rung after the solve for building the plan and checking it."""
FFD_MAX = 20_000
"""Largest rung the FFD baseline runs on (it is O(instances x servers))."""

FIELDS = [
    "instances",
    "sites",
    "servers",
    "vnfs",
    "generate_s",
    "load_s",
    "first_plan_s",
    "gap1_s",
    "status",
    "cost",
    "bound",
    "gap",
    "solve_s",
    "time_limit_s",
    "overrun_s",
    "phases",
    "check_s",
    "total_s",
    "passed",
    "peak_rss_mib",
    "ffd_cost",
    "ffd_s",
    "ratio",
    "violations",
    "ffd_violations",
]


def run_rung(
    instances: int,
    time_limit: float,
    seed: int,
    workers: int,
    routed: bool,
    budget: float | None = None,
) -> dict:
    """Generate, solve and check one rung in this process; the figures as a dict.

    With a `budget` the solve gets what is left of it after loading, minus CHECK_RESERVE_S.
    """
    from generated import first_fit_decreasing

    from nfvplan.check import check_plan
    from nfvplan.generate import GenerateOptions, generate_scenario
    from nfvplan.io import parse_scenario
    from nfvplan.solver import Progress, SolveOptions, solve
    from nfvplan.solver.problem import fixed_count

    started = time.perf_counter()
    options = GenerateOptions(instances=instances, seed=seed, demands=None if routed else 0)
    text = generate_scenario(options)
    generated_s = time.perf_counter() - started
    started = time.perf_counter()
    scenario = parse_scenario(text, filename=f"scale-{instances}.yaml")
    load_s = time.perf_counter() - started
    if budget is not None:
        time_limit = max(1.0, budget - load_s - CHECK_RESERVE_S)
    events: list[Progress] = []
    phases: dict[str, float] = {}
    started = time.perf_counter()
    plan = solve(
        scenario,
        SolveOptions(
            time_limit_s=time_limit,
            workers=workers,
            seed=1,
            progress=events.append,
            phases=phases,
        ),
    )
    solve_s = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    check_started = time.perf_counter()
    violations = check_plan(scenario, plan)
    check_s = time.perf_counter() - check_started
    first = events[0].elapsed_s if events else None
    gap1 = next(
        (e.elapsed_s for e in events if e.value > 0 and (e.value - e.bound) / e.value <= 0.01),
        None,
    )
    objective = plan.objective
    if gap1 is None and objective.gap is not None and objective.gap <= 0.01:
        gap1 = solve_s  # proven at the end (e.g. by the configuration bound), not via a callback
    if first is None and plan.status.has_plan:
        first = solve_s  # a plan came back without an improving-solution callback
    cost = plan.summary.monthly_cost if plan.status.has_plan else None
    count = sum(fixed_count(scenario, v) for v in scenario.vnfs.values())
    ffd_cost, ffd_s, ffd_violations = None, None, "not run"
    if count <= FFD_MAX:
        ffd_started = time.perf_counter()
        ffd_plan, missing = first_fit_decreasing(scenario)
        ffd_s = round(time.perf_counter() - ffd_started, 2)
        found = check_plan(scenario, ffd_plan)
        ffd_cost = None if missing else ffd_plan.summary.monthly_cost
        ffd_violations = len(found) if not missing else f"{len(missing)} unplaced"
    return {
        "instances": count,
        "sites": len(scenario.sites),
        "servers": sum(
            sum(s.servers.values()) + sum(s.expand.values()) for s in scenario.sites.values()
        ),
        "vnfs": len(scenario.vnfs),
        "generate_s": round(generated_s, 2),
        "load_s": round(load_s, 2),
        "first_plan_s": None if first is None else round(first, 1),
        "gap1_s": None if gap1 is None else round(gap1, 1),
        "status": plan.status.value,
        "cost": cost,
        "bound": objective.bound,
        "gap": objective.gap,
        "solve_s": round(solve_s, 1),
        "time_limit_s": round(time_limit, 1),
        "overrun_s": round(solve_s - time_limit, 1),
        "phases": phase_text(phases),
        "check_s": round(check_s, 1),
        "total_s": round(load_s + solve_s + check_s, 1),
        "passed": plan.status.has_plan and not violations,
        "peak_rss_mib": round(peak),
        "ffd_cost": ffd_cost,
        "ffd_s": ffd_s,
        "ratio": None if cost is None or not ffd_cost else round(cost / ffd_cost, 3),
        "violations": len(violations),
        "ffd_violations": ffd_violations,
    }


def phase_text(phases: dict[str, float]) -> str:
    """Seconds per stage of the solve (`SolveOptions.phases`), in the order they ran."""
    return " ".join(f"{name} {seconds:.1f}" for name, seconds in phases.items())


def _load() -> str:
    """The 1/5/15-minute load averages: timings on a shared machine mean little without them."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rungs", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per rung")
    parser.add_argument(
        "--budget",
        type=float,
        default=600.0,
        help=f"total seconds (load + solve + check) of rungs from {BUDGET_FROM} instances",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--demands", action="store_true", help="keep the broadband demands")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.one is not None:
        budget = args.budget if args.one >= BUDGET_FROM else None
        result = run_rung(args.one, args.time_limit, args.seed, args.workers, args.demands, budget)
        print("RESULT " + json.dumps(result))
        return 0
    print(f"machine: {machine()}")
    print(f"nfvplan: {revision()}")
    print(f"load average: {_load()}")
    print(
        f"time limit {args.time_limit:g} s (from {BUDGET_FROM} instances: {args.budget:g} s in "
        f"total), {args.workers} workers, generator seed {args.seed}, "
        f"demands {'one per edge site' if args.demands else 'none'}\n"
    )
    rows = []
    for rung in args.rungs:
        command = [sys.executable, str(Path(__file__).resolve()), "--one", str(rung)]
        command += ["--time-limit", str(args.time_limit), "--workers", str(args.workers)]
        command += ["--seed", str(args.seed), "--budget", str(args.budget)]
        command += ["--demands"] if args.demands else []
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        lines = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
        if not lines:
            print(f"rung {rung}: failed (exit {done.returncode})\n{done.stderr[-2000:]}")
            continue
        result = json.loads(lines[-1][len("RESULT ") :])
        rows.append(result)
        print(f"rung {rung}: " + ", ".join(f"{k}={result[k]}" for k in FIELDS), flush=True)
        print(f"load average after rung {rung}: {_load()}", flush=True)
    if not rows:
        return 1
    shown = ["instances", "servers", "first_plan_s", "gap1_s", "status", "cost", "bound"]
    shown += ["gap", "time_limit_s", "overrun_s", "total_s", "passed", "peak_rss_mib"]
    shown += ["ffd_cost", "ratio"]
    shown += ["violations", "ffd_violations"]
    print()
    print(table(shown, [[r[k] for k in shown] for r in rows], digits=3))
    print("\nseconds per stage of solve() (overrun s = solve time - time limit):")
    for r in rows:
        print(f"  {r['instances']:>7} instances: {r['phases']}  overrun {r['overrun_s']:+.1f} s")
    out = HERE / "results" / f"scale-{time.strftime('%Y%m%d-%H%M%S')}.csv"
    out.parent.mkdir(exist_ok=True)
    with out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"\nwritten: {out.relative_to(HERE.parent)}")
    bad = any(r["violations"] for r in rows)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
