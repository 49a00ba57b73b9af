"""Fuzz tests of the recovery inputs (`platform.registry`, `max_recovery_seconds`): mutants of
`examples/edge-recovery.yaml` through `solve --survive server` and `resilience` never crash.

The harness is tests/fuzzing.py: each mutant ends as a plan or verdict (an allowed exit) or
as a located exit 2, never exit 1, a traceback or a run past its deadline. Reproducible:
a failure names its case label (`mutants(seed, count=..., seed=...)[i]` rebuilds it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nfvplan.io import load_scenario, write_plan
from nfvplan.solver import SolveOptions, solve
from tests.fuzzing import fuzz_command, mutants
from tests.helpers import REPO

CASES = int(os.environ.get("NFVPLAN_FUZZ_CASES", "12"))
SEED = "examples/edge-recovery.yaml"
LIMITS = ["--time-limit", "1", "--workers", "1"]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The example and the plain plan the solver writes for it."""
    out = tmp_path_factory.mktemp("plans") / "plan.yaml"
    write_plan(solve(load_scenario(REPO / SEED), SolveOptions(time_limit_s=5, workers=1)), out)
    return {SEED: (REPO / SEED).read_bytes(), "plans/edge-recovery.yaml": out.read_bytes()}


def test_mutated_recovery_scenarios_survive(tree: dict[str, bytes], tmp_path: Path) -> None:
    """`solve --survive server` on mutants: a survivable plan (0), none (3, 4) or one whose
    survival is not proven (6)."""
    cases = mutants(tree[SEED], count=CASES, seed=61)
    command = ["solve", "{root}/" + SEED, "--survive", "server", "-o", "{root}/out.yaml", *LIMITS]
    failures = fuzz_command(tree, SEED, command, cases, root=tmp_path, allowed=(0, 3, 4, 6))
    assert not failures, "\n\n".join(map(str, failures))


def test_mutated_recovery_scenarios_checked(tree: dict[str, bytes], tmp_path: Path) -> None:
    """`resilience` of the plain plan against mutants: a verdict (0, 4, 6) or the plan broken
    or stale for the mutant (5)."""
    cases = mutants(tree[SEED], count=CASES, seed=62)
    command = ["resilience", "{root}/" + SEED, "{root}/plans/edge-recovery.yaml", *LIMITS]
    failures = fuzz_command(tree, SEED, command, cases, root=tmp_path, allowed=(0, 4, 5, 6))
    assert not failures, "\n\n".join(map(str, failures))
