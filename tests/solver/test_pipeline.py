"""Tests of the pipeline in `solve()`: its stages, its self-check, and what each stage may use.

The stages are functions of their own modules, each taking and returning an `Incumbent`; these
tests run the real solver and look at what the plan and `SolveOptions.phases` say.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from nfvplan.plan import Status
from nfvplan.solver import SolveOptions, solve
from nfvplan.solver.selfcheck import PlanCheckError, check_own_plan
from tests.helpers import REPO, parse, scenario_yaml, solve_and_check

SOLVER = REPO / "nfvplan" / "solver"

HARD = scenario_yaml(
    """
    platform: {cpu_overcommit: 1}
    server_types:
      box: {cores: 10, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
    sites:
      a: {servers: {box: 6}}
    vnfs:
      six: {flavor: {vcpu: 6, memory_gib: 4}, replicas: 2}
      four: {flavor: {vcpu: 4, memory_gib: 4}, replicas: 2}
      five: {flavor: {vcpu: 5, memory_gib: 4}, replicas: 2}
    """
)
"""Threads 6+4 and 5+5 fill 10-thread boxes exactly: three boxes (300) by hand; FFD also
finds three, so the bound meets the start plan."""


def test_the_hand_optimum_is_found_and_proven() -> None:
    """Tests the whole pipeline on a packing whose optimum is known: 300, optimal."""
    plan = solve_and_check(HARD)
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == 300.0 and plan.objective.bound == 300.0
    assert plan.summary.servers_used == 3


def test_the_self_check_raises_on_a_plan_that_breaks_a_rule() -> None:
    """Tests that `check_own_plan` (the last step of every solve) turns a checker violation
    into `PlanCheckError`, naming the rule: all six instances moved onto one 10-thread box."""
    scenario = parse(HARD)
    plan = solve_and_check(HARD)
    first = plan.placements[0].server
    broken = replace(plan, placements=[replace(p, server=first) for p in plan.placements])
    with pytest.raises(PlanCheckError, match="fails the independent check"):
        check_own_plan(scenario, broken)
    check_own_plan(scenario, plan)  # the real plan passes


def test_a_failed_self_check_is_an_internal_error_with_exit_1(tmp_path: Path) -> None:
    """Tests the CLI's side: a `PlanCheckError` escaping from a command exits 1 with the
    bug-report message, never a traceback (the command is run with the self-check made to
    fail by a scenario-independent hook: the checker is given a wrong plan)."""
    script = tmp_path / "run.py"
    script.write_text(
        "import sys\n"
        "import nfvplan.solver.selfcheck as selfcheck\n"
        "from nfvplan.cli.main import main\n"
        "def broken(scenario, plan):\n"
        "    raise selfcheck.PlanCheckError(scenario.name, ['[capacity] made up'])\n"
        "selfcheck.check_own_plan = broken\n"
        f"sys.argv = ['nfvplan', 'solve', {str(REPO / 'examples' / '5g-core.yaml')!r}, "
        "'--time-limit', '60', '--workers', '1']\n"
        "main()\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    assert "this is a bug in nfvplan" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_replan_starts_from_the_deployment_and_keeps_what_can_stay() -> None:
    """Tests the start stage of a re-plan: with `keep_current` every instance stays where the
    current plan put it (the deployment is the start), and the re-plan note is there."""
    scenario = parse(HARD)
    current = solve_and_check(HARD)
    plan = solve(
        scenario, SolveOptions(time_limit_s=20, workers=1, current=current, keep_current=True)
    )
    assert plan.status.has_plan
    assert {(p.instance, p.server) for p in plan.placements} == {
        (p.instance, p.server) for p in current.placements
    }
    assert any("re-planned from the current deployment" in n for n in plan.stats.notes)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("search.py", {"nfvplan.solver.bound", "nfvplan.solver.start", "nfvplan.solver.greedy"}),
        ("sitewise.py", {"nfvplan.solver.bound", "nfvplan.solver.start"}),
        ("lns.py", {"nfvplan.solver.bound", "nfvplan.solver.start", "nfvplan.solver.search"}),
        ("neighbourhood.py", {"nfvplan.solver.bound", "nfvplan.solver.start"}),
        ("assignment/__init__.py", {"nfvplan.solver.patterns", "nfvplan.solver.greedy"}),
        ("assignment/constraints.py", {"nfvplan.solver.patterns", "nfvplan.solver.greedy"}),
        ("explain.py", {"nfvplan.solver.search", "nfvplan.solver.patterns"}),
    ],
)
def test_no_stage_runs_another_stage_or_the_whole_pipeline(module: str, forbidden: set) -> None:
    """Tests the rule that replaced the old formulations calling each other: the search does
    not compute bounds or start plans, the site search does not re-run the pipeline per site,
    and the model does not run column generation or the greedy."""
    imported = _imports(SOLVER / module)
    assert not imported & forbidden, imported & forbidden
    assert "nfvplan.solver" not in imported  # solve() itself is never re-entered


def test_status_is_decided_in_one_place() -> None:
    """Tests that only `status.py` (and the result builder, which copies it) assigns a
    `Status` member: stages record facts, they never set an outcome."""
    assigning = set()
    for path in SOLVER.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "status=Status." in text or "status = Status." in text:
            assigning.add(path.name)
    assert assigning == {"status.py"}
