"""Tests that every example exports to every target that applies, validates against the real
tools' schemas, keeps the rules schemas miss, and round-trips: read back, it is the plan, and
the plan as exported passes the independent checker.

Each example is solved once, with its own solver settings, and checked before anything is
exported (`tests.solved`: the same solve the example tests use).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from export_validation import schema_errors, semantic_problems
from helpers import EXAMPLES, nfvplan_command, run_cli

from nfvplan.check import check_plan
from nfvplan.export import FORM_OF_TARGET, TARGETS, export_plan
from nfvplan.export.readback import read_export, verify_export
from nfvplan.export.writer import write_tree
from nfvplan.io import write_plan
from tests.solved import example_plan

FEASIBLE_EXAMPLES = ("5g-core", "5g-abilene", "5g-edge-topology", "ims-volte", "vcpe-sdwan")


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """example -> (scenario, checked plan, plan file)."""
    out = {}
    base = tmp_path_factory.mktemp("plans")
    for name in FEASIBLE_EXAMPLES:
        scenario, plan = example_plan(name)  # checked; shared with tests/test_examples.py
        assert plan.status.has_plan, name
        path = base / f"{name}.yaml"
        write_plan(plan, path)
        out[name] = (scenario, plan, path)
    return out


def _targets(plan) -> list[str]:
    forms = {p.form for p in plan.placements}
    return [t for t in TARGETS if FORM_OF_TARGET[t] in forms]


@pytest.mark.parametrize("example", FEASIBLE_EXAMPLES)
def test_every_example_exports_validates_and_round_trips(
    example: str, solved: dict, tmp_path: Path
) -> None:
    """Tests each applicable target of one example: schema-valid, semantically right, one
    object per planned instance of its form, and the read-back plan passes the checker."""
    scenario, plan, _ = solved[example]
    targets = _targets(plan)
    assert "heat" in targets or "kubernetes" in targets
    readbacks = {}
    for target in targets:
        directory = tmp_path / target
        result = export_plan(scenario, plan, target)
        write_tree(directory, result.files)
        assert schema_errors(target, directory) == [], target
        assert semantic_problems(scenario, target, directory) == [], target
        readback = read_export(directory)
        assert readback.target == target
        planned = sorted(p.instance for p in plan.placements if p.form == FORM_OF_TARGET[target])
        assert sorted(p.instance for p in readback.placements) == planned
        assert sum(result.sites.values()) == len(planned)
        readbacks[target] = readback
    for vm_target in [t for t in targets if FORM_OF_TARGET[t] == "vm"] or [None]:
        chosen = [readbacks[t] for t in (vm_target, "kubernetes") if t in readbacks]
        verification = verify_export(scenario, plan, chosen)
        assert verification.problems == []
        assert check_plan(scenario, verification.plan) == []
        if len(chosen) == 2 or len({p.form for p in plan.placements}) == 1:
            assert sorted(verification.plan.placements, key=lambda p: p.instance) == sorted(
                plan.placements, key=lambda p: p.instance
            )


def test_cli_export_then_read_back_checks_the_plan(solved: dict, tmp_path: Path) -> None:
    """Tests `nfvplan export --to heat/kubernetes` then `--read` both with `-o`: exit 0, and
    `nfvplan check` passes on the plan written from the read-back."""
    scenario_file = EXAMPLES / "5g-core.yaml"
    plan_file = solved["5g-core"][2]
    for target in ("heat", "kubernetes"):
        result = run_cli(
            "export", scenario_file, plan_file, "--to", target, "-o", tmp_path / target
        )
        assert result.exit_code == 0, result.output
        assert "objects per kind:" in result.stdout and "instances per site:" in result.stdout
    out = tmp_path / "as-exported.yaml"
    result = run_cli(
        "export", scenario_file, plan_file, "--read", tmp_path / "heat",
        "--read", tmp_path / "kubernetes", "-o", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "every rule holds" in result.stdout
    checked = run_cli("check", scenario_file, out)
    assert checked.exit_code == 0, checked.output


def test_exports_are_byte_identical(solved: dict, tmp_path: Path) -> None:
    """Tests that exporting the same plan twice gives the same bytes in every file, for every
    target (exports go into git next to the plan)."""
    scenario, plan, _ = solved["5g-core"]
    for target in TARGETS:
        first, second = (export_plan(scenario, plan, target).files for _ in range(2))
        assert first == second
        assert not any("wall" in text or "T0" in text for text in first.values())


def test_separate_processes_write_byte_identical_exports(solved: dict, tmp_path: Path) -> None:
    """Tests two `nfvplan export --to kubernetes` processes with different string-hash seeds
    (as two machines or runs get): every file is the same bytes."""
    plan_file = solved["5g-core"][2]
    outs = [tmp_path / "one", tmp_path / "two"]
    for seed, out in enumerate(outs, start=1):
        done = subprocess.run(
            [*nfvplan_command(), "export", str(EXAMPLES / "5g-core.yaml"), str(plan_file),
             "--to", "kubernetes", "-o", str(out)],
            env=dict(os.environ, PYTHONHASHSEED=str(seed)),
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
    names = sorted(p.name for p in outs[0].iterdir())
    assert names == sorted(p.name for p in outs[1].iterdir())
    for name in names:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
