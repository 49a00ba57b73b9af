"""Fuzz tests for the decision-support inputs: what-if patch files and sweep files.

Same harness and rules as tests/cli/test_fuzz.py: mutants of a valid seed file and generated
garbage in its place; the only acceptable outcomes are an answer (the exit codes each command
documents) or a located exit 2, never a traceback or a hang. The seed scenario is tiny so each
case solves in a fraction of a second.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nfvplan.io.yamlsrc import MAX_BYTES
from tests.fuzzing import fuzz_command, hostile_documents, mutants
from tests.helpers import NO_OVERHEAD, scenario_yaml

CASES = int(os.environ.get("NFVPLAN_FUZZ_CASES", "12"))

SITE = scenario_yaml(
    NO_OVERHEAD,
    """
    server_types:
      box: {cores: 8, memory_gib: 32, nic_gbps: 25, monthly_cost: 100}
    sites:
      a: {racks: 1, servers: {box: 2}}
      b: {racks: 1, servers: {box: 2}}
    links:
      - {between: [a, b], gbps: 10, latency_ms: 1}
    vnfs:
      fw: {flavor: {vcpu: 2, memory_gib: 4}, replicas: 2, anti_affinity: host}
      upf: {flavor: {vcpu: 2, memory_gib: 4}, throughput_gbps: 2}
    services:
      web:
        chain: [upf, fw]
        demands:
          - {from: a, to: b, gbps: 3, max_latency_ms: 5}
    """,
    name="fuzzed",
)
PATCH = """\
vnfs:
  fw:
    replicas: 3
  upf:
    flavor: {vcpu: 4}
services:
  web:
    demands:
      - {from: b, to: a, gbps: 2}
"""
SWEEP = """\
nfvplan-sweep: 1
scenario: site.yaml
axes:
  scale_demand: [1.0, 2.0]
  fail: [none, site:b]
solver: {time_limit_s: 2, workers: 1}
"""

WHATIF = [
    "whatif",
    "{root}/site.yaml",
    "--patch",
    "{root}/patch.yaml",
    "--time-limit",
    "2",
    "--workers",
    "1",
]
WHATIF_EXITS = (0, 4)
"""0: both sides answered (an infeasible changed scenario included); 4: out of time."""
SWEEP_COMMAND = ["sweep", "{root}/sweep.yaml", "-o", "{root}/out.csv", "--force", "--quiet"]
SWEEP_EXITS = (0, 1)
"""0: every case ran; 1: some case failed and is recorded in its row (docs/sweep.md)."""


@pytest.fixture
def tree() -> dict[str, bytes]:
    return {
        "site.yaml": SITE.encode(),
        "patch.yaml": PATCH.encode(),
        "sweep.yaml": SWEEP.encode(),
    }


def test_the_seeds_are_valid(tree: dict[str, bytes], tmp_path: Path) -> None:
    """Tests that the unmutated seeds give answers, so that the mutants start from valid input."""
    for target, command, allowed in (
        ("patch.yaml", WHATIF, (0,)),
        ("sweep.yaml", SWEEP_COMMAND, (0,)),
    ):
        cases = [("seed", tree[target])]
        failures = fuzz_command(tree, target, command, cases, root=tmp_path, allowed=allowed)
        assert_no_failures(failures)
    assert (tmp_path / "out.csv").read_text().count("\n") == 1 + 4  # header + 2 x 2 cases


def assert_no_failures(failures: list) -> None:
    assert not failures, f"{len(failures)} case(s) failed:\n" + "\n\n".join(map(str, failures))


def test_mutated_patch_files(tree: dict[str, bytes], tmp_path: Path) -> None:
    """Tests `whatif --patch` with mutants of a valid merge patch."""
    cases = mutants(tree["patch.yaml"], count=CASES, seed=41)
    failures = fuzz_command(tree, "patch.yaml", WHATIF, cases, root=tmp_path, allowed=WHATIF_EXITS)
    assert_no_failures(failures)


def test_hostile_patch_files(tree: dict[str, bytes], tmp_path: Path) -> None:
    """Tests `whatif --patch` with generated garbage: bombs, deep nesting, odd numbers..."""
    cases = list(hostile_documents(tree["patch.yaml"], max_bytes=MAX_BYTES))
    failures = fuzz_command(tree, "patch.yaml", WHATIF, cases, root=tmp_path, allowed=WHATIF_EXITS)
    assert_no_failures(failures)


def test_mutated_sweep_files(tree: dict[str, bytes], tmp_path: Path) -> None:
    """Tests `sweep` with mutants of a valid sweep file (each a grid of at most a few cases)."""
    cases = mutants(tree["sweep.yaml"], count=CASES, seed=51)
    failures = fuzz_command(
        tree, "sweep.yaml", SWEEP_COMMAND, cases, root=tmp_path, allowed=SWEEP_EXITS, timeout=120
    )
    assert_no_failures(failures)


def test_hostile_sweep_files(tree: dict[str, bytes], tmp_path: Path) -> None:
    """Tests `sweep` with generated garbage in place of the sweep file."""
    cases = list(hostile_documents(tree["sweep.yaml"], max_bytes=MAX_BYTES))
    failures = fuzz_command(
        tree, "sweep.yaml", SWEEP_COMMAND, cases, root=tmp_path, allowed=SWEEP_EXITS, timeout=120
    )
    assert_no_failures(failures)
