"""The knapsack pricer, Python search against compiled search, on real pricing problems.

Why this benchmark: column generation's time on a 120-item vector packing is mostly exact
pricing, and the compiled search (`nfvplan/solver/knapsack_jit.py`) exists only to be faster
than the Python one it replaces while visiting the same tree. This script takes the pricing
problems column generation actually poses (the master's duals after a few rounds on literature
instances), solves each with both searches to its optimum, checks that they agree, and prints
the time of each and the ratio. Both run in this process, on the same problems, one after the
other; the compiled code is loaded before the first clock starts.

Run from the repository root:

    python benchmarks/pricer.py                       # 4 instances, 6 pricing problems each
    python benchmarks/pricer.py --instances New/class3_120_5_0 --problems 10
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from _common import machine, revision, table
from vbp import DEFAULT_DATA, load_catalog, select

from nfvplan.solver import vpack

DEFAULT_INSTANCES = [
    "New/class3_120_5_0",
    "New/class5_60_5_0",
    "Panigrahy/class1_120_3_0",
    "Triplet/classF_120_10_0",
]


def pricing_problems(packing: vpack.Packing, count: int) -> list[list[float]]:
    """Duals of the restricted master after 1, 2, ... `count` short bursts of column generation."""
    gen = vpack.generator(packing, time.perf_counter() + 60.0)
    for fill in vpack.best_ffd(packing):
        gen.master.add(vpack.column(fill))
    problems = []
    for _ in range(count):
        gen.deadline = time.perf_counter() + 0.3
        gen.run([])
        solved = gen.master.solve()
        if solved is None:
            break
        problems.append(solved[1])
    return problems


def timed(knapsack: vpack.Knapsack, duals: list[float], upper: list[int], compiled: bool):
    """One exact pricing call to the optimum (no node limit, no floor): result and seconds."""
    vpack.COMPILED = compiled
    started = time.perf_counter()
    result = knapsack.solve(duals, upper, node_limit=10**9)
    return result, time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="directory of tarballs")
    parser.add_argument("--instances", nargs="+", default=DEFAULT_INSTANCES)
    parser.add_argument("--problems", type=int, default=6, help="pricing problems per instance")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    print(f"nfvplan: {revision()}")
    print(f"compiled search loaded before the clock: {vpack.prepare_compiled():.2f} s")
    saved = vpack.COMPILED, vpack.COMPILED_MIN_ITEMS, vpack.COMPILED_NODE_LIMIT
    # Every call through both searches, to the optimum (no CP-SAT finish past a node limit).
    vpack.COMPILED_MIN_ITEMS, vpack.COMPILED_NODE_LIMIT = 1, 10**12
    rows = []
    totals = [0.0, 0.0]
    try:
        for instance in select(load_catalog(args.data), args.instances, 1, False, *[None] * 4):
            packing = instance.packing()
            knapsack = vpack.Knapsack(packing.capacity, packing.sizes)
            upper = list(packing.counts)
            for k, duals in enumerate(pricing_problems(packing, args.problems)):
                python, python_s = timed(knapsack, duals, upper, compiled=False)
                compiled, compiled_s = timed(knapsack, duals, upper, compiled=True)
                if not (python.proven and compiled.proven) or not math.isclose(
                    python.bound, compiled.bound, rel_tol=1e-9, abs_tol=1e-9
                ):
                    print(f"DISAGREE on {instance.key} problem {k}: {python} vs {compiled}")
                    return 1
                totals[0] += python_s
                totals[1] += compiled_s
                rows.append(
                    [
                        instance.key,
                        k + 1,
                        f"{compiled.value:.4f}",
                        f"{python_s * 1000:.1f}",
                        f"{compiled_s * 1000:.2f}",
                        f"{python_s / max(compiled_s, 1e-9):.0f}x",
                    ]
                )
    finally:
        vpack.COMPILED, vpack.COMPILED_MIN_ITEMS, vpack.COMPILED_NODE_LIMIT = saved
    print(
        table(
            ["instance", "problem", "optimum", "Python ms", "compiled ms", "speed-up"],
            rows,
        )
    )
    print(
        f"total: Python {totals[0]:.2f} s, compiled {totals[1]:.3f} s, "
        f"{totals[0] / max(totals[1], 1e-9):.0f}x; both proved the same optimum on every problem"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
