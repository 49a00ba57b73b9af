"""Tests that `nfvplan check` rejects a hand-edited plan whose nesting is broken, naming the
rule (`nesting`, `worker-fit`, `worker`) and the place in the plan file."""

from __future__ import annotations

from pathlib import Path

from helpers import run_cli, write_file

from tests.solver.test_rules_nested import two_tenants


def _solved(tmp_path: Path) -> tuple[Path, Path, str]:
    scenario = write_file(tmp_path, "site.yaml", two_tenants("[container-in-vm]"))
    plan = tmp_path / "plan.yaml"
    result = run_cli("solve", scenario, "-o", plan)
    assert result.exit_code == 0, result.stderr
    assert run_cli("check", scenario, plan).exit_code == 0
    return scenario, plan, plan.read_text()


def test_a_container_moved_into_another_tenants_worker_is_refused(tmp_path: Path) -> None:
    """Tests that b-1 moved into tenant a's worker breaks two rules: the worker's kernel is
    shared across tenants (`nesting`), and the worker now holds 3 x 2 vCPU > 4 (`worker-fit`:
    a 5-vCPU worker minus its 1-vCPU reserve)."""
    scenario, plan, text = _solved(tmp_path)
    line = (
        "- {vnf: b, instance: b-1, server: dc/box/1, form: container-in-vm, "
        "worker: worker-tenant-b-1}"
    )
    assert line in text
    plan.write_text(text.replace(line, line.replace("worker-tenant-b-1", "worker-tenant-a-1")))
    result = run_cli("check", scenario, plan)
    assert result.exit_code == 5
    assert "violation [nesting]: b-1 (trust domain tenant-b) runs in worker VM" in result.stdout
    assert "violation [worker-fit]: worker VM worker-tenant-a-1 on dc/box/1" in result.stdout
    assert "take 6 vcpu, but the worker offers 4 after its reserve" in result.stdout


def test_a_worker_dropped_from_the_list_is_refused(tmp_path: Path) -> None:
    """Tests that a nested instance whose worker VM the plan does not list is refused
    (`nesting`), and that the host's figures then read as stale."""
    scenario, plan, text = _solved(tmp_path)
    line = "- {id: worker-tenant-b-1, server: dc/box/1, trust: tenant-b, flavor: worker}\n"
    assert line in text
    plan.write_text(text.replace(line, ""))
    result = run_cli("check", scenario, plan)
    assert result.exit_code == 5
    assert (
        "[nesting]: b-1 names worker VM worker-tenant-b-1, which the plan's workers do not list"
        in result.stdout
    )
    assert "stale [server-usage]" in result.stdout


def test_a_worker_of_the_wrong_flavor_is_refused(tmp_path: Path) -> None:
    """Tests that a worker naming a flavor its domain does not use is refused (`worker`)."""
    scenario, plan, text = _solved(tmp_path)
    edited = text.replace("trust: tenant-a, flavor: worker}", "trust: tenant-a, flavor: big}")
    assert edited != text
    plan.write_text(edited)
    result = run_cli("check", scenario, plan)
    assert result.exit_code == 5
    assert "[worker]: worker VM worker-tenant-a-1: its flavor is 'big'" in result.stdout
