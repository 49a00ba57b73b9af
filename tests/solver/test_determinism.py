"""Tests that the same scenario, seed and worker count give the same plan (FORMAT's promise).

The scenarios have real choice: many optimal plans exist (identical servers, VM or container
per instance, routes split over instances), so a non-deterministic search would show up as
different placements or routes between two runs. Runs use 2 workers, the parallel case.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
from dataclasses import asdict
from pathlib import Path

import pytest
import yaml

from nfvplan.io import load_scenario
from nfvplan.plan import Plan
from tests.helpers import EXAMPLES, nfvplan_command, run_cli, scenario_yaml, solve_and_check


def essence(plan: Plan) -> dict:
    """Everything a plan decides, without the wall time of its search."""
    data = asdict(plan)
    data.pop("stats")
    return data


def generated_scenario(seed: int = 42) -> str:
    """A mid-size scenario with choice everywhere, generated reproducibly.

    3 sites of 6 identical servers (2 NUMA nodes, 2 racks), 10 VNFs of 1-4 replicas with
    random flavors, forms, trust domains (3), pinned/aligned user-plane VNFs and host or rack
    anti-affinity. Feasible with plenty of room: 28 instances, optimum on 4 of the 18 servers.
    """
    rng = random.Random(seed)
    vnfs = []
    for i in range(10):
        fields = [
            f"flavor: {{vcpu: {rng.choice([2, 4, 8])}, memory_gib: {rng.choice([4, 8, 16])}}}",
            f"forms: {rng.choice(['[vm]', '[container]', '[vm, container]'])}",
            f"replicas: {rng.randint(1, 4)}",
            f"trust: {rng.choice(['signalling', 'user-plane', 'oam'])}",
            f"license_monthly: {rng.choice([0, 50, 100])}",
        ]
        if rng.random() < 0.5:
            fields.append(f"anti_affinity: {rng.choice(['host', 'rack'])}")
        if rng.random() < 0.3:
            fields += ["cpu: dedicated", "numa: aligned"]
        vnfs.append(f"  nf{i}: {{{', '.join(fields)}}}")
    return scenario_yaml(
        """
        platform:
          vm:
            overhead: {vcpu: 1, memory_gib: 2, disk_gib: 20}
            host_reserve: {cores: 2, memory_gib: 16}
          container:
            overhead: {vcpu: 0.1, memory_gib: 0.25}
            host_reserve: {cores: 1, memory_gib: 8}
          cpu_overcommit: 2
        server_types:
          h: {cores: 24, threads_per_core: 2, memory_gib: 256, disk_gib: 2000, numa_nodes: 2,
              monthly_cost: 500}
        sites:
          a: {racks: 2, servers: {h: 6}}
          b: {racks: 2, servers: {h: 6}}
          c: {racks: 2, servers: {h: 6}}
        """,
        "vnfs:\n" + "\n".join(vnfs),
        name="generated",
    )


CASES = {
    "5g-core": lambda: load_scenario(EXAMPLES / "5g-core.yaml"),
    "5g-edge-topology": lambda: load_scenario(EXAMPLES / "5g-edge-topology.yaml"),
    "generated": generated_scenario,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_seed_and_workers_give_the_same_plan(case: str) -> None:
    """Tests two solves with seed 1 and 2 workers: identical placements, servers and routes.

    5g-edge-topology is the one with routes (demands split over UPF and firewall instances).
    """
    scenario = CASES[case]()
    first = solve_and_check(scenario, workers=2, seed=1, time_limit_s=60)
    second = solve_and_check(scenario, workers=2, seed=1, time_limit_s=60)
    assert first.status.has_plan, first.explanation
    assert first.status is second.status
    assert first.placements == second.placements
    assert first.routes == second.routes
    assert essence(first) == essence(second)
    if case == "5g-edge-topology":
        assert first.routes, "the topology example should route its demands"


def test_cli_plan_files_are_byte_identical(tmp_path: Path) -> None:
    """Tests two `nfvplan solve --seed 3 --workers 2` runs: the written plans are the same
    bytes, and the wall time goes to `--stats FILE` only."""
    paths = [tmp_path / "one.yaml", tmp_path / "two.yaml"]
    for path in paths:
        result = run_cli(
            "solve",
            EXAMPLES / "5g-core.yaml",
            "-o",
            path,
            "--seed",
            "3",
            "--workers",
            "2",
            "-q",
            "--stats",
            path.with_suffix(".stats.json"),
        )
        assert result.exit_code == 0, result.output
    one = yaml.safe_load(paths[0].read_text(encoding="utf-8"))
    assert one["stats"]["seed"] == 3
    assert "wall_time_s" not in one["stats"]
    assert paths[0].read_bytes() == paths[1].read_bytes()
    stats = json.loads(paths[0].with_suffix(".stats.json").read_text(encoding="utf-8"))
    assert stats["wall_time_s"] >= 0 and stats["seed"] == 3 and stats["scenario"] == "5g-core"
    assert list(stats["phases"])[:2] == ["build", "start"] and "check" in stats["phases"]
    assert 0 <= stats["first_plan_s"] <= stats["wall_time_s"]
    assert stats["baseline"] is None  # no services: the routing-aware greedy does not run
    assert "phases" not in one["stats"] and "first_plan_s" not in one["stats"]


SLOW = os.environ.get("NFVPLAN_SLOW_TESTS") == "1"
DEFAULT_RUNS = {("5g-edge-topology", 1), ("ims-volte", 2)}
"""Run by default: the routed example with one worker, a packing with two. Set
NFVPLAN_SLOW_TESTS=1 for every example that solves to optimality, with 1 and 2 workers."""
FINISHING_EXAMPLES = ("5g-core", "5g-edge-topology", "ims-volte", "vcpe-sdwan", "infeasible-racks")
"""5g-abilene is left out: its search does not prove optimality within minutes, so it stops on
the wall clock and may legitimately differ (docs/solver.md, Determinism)."""


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("example", FINISHING_EXAMPLES)
def test_separate_processes_write_byte_identical_plans(
    example: str, workers: int, tmp_path: Path
) -> None:
    """Tests two `nfvplan solve EXAMPLE -o` runs in separate processes, same seed and workers:
    the plan files are byte-identical.

    The time limit is 600 s so that no time budget cuts a phase (the column-generation budget
    is 40 % of it): these examples finish in seconds, and a phase cut by the wall clock is
    the one documented source of differences.
    """
    if not SLOW and (example, workers) not in DEFAULT_RUNS:
        pytest.skip("set NFVPLAN_SLOW_TESTS=1 for the whole matrix")
    paths = [tmp_path / "one.yaml", tmp_path / "two.yaml"]
    for hash_seed, path in enumerate(paths, start=1):
        # Different string-hash seeds, as two processes get by default: a set of names
        # iterated while building the model once made the plans differ (fixed: sorted).
        done = subprocess.run(
            [
                *nfvplan_command(),
                "solve",
                str(EXAMPLES / f"{example}.yaml"),
                "-o",
                str(path),
                "--workers",
                str(workers),
                "--seed",
                "7",
                "--time-limit",
                "600",
                "-q",
            ],
            env=dict(os.environ, PYTHONHASHSEED=str(hash_seed)),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode in (0, 3), done.stdout + done.stderr
    data = yaml.safe_load(paths[0].read_text(encoding="utf-8"))
    assert data["status"] in ("optimal", "infeasible"), "the search must finish for this test"
    assert paths[0].read_bytes() == paths[1].read_bytes()
