"""Shared helpers for the tests that run the real solver and the real CLI.

`solve_and_check` is the one way the solver tests get a plan: every plan they look at has
been re-verified by the independent checker first, so an assertion about a cost or a server is
never made about a plan that breaks a rule. `run_cli` runs the typer app in-process with
stdout and stderr kept apart; `run_nfvplan` runs the installed `nfvplan` command for real.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nfvplan.check import check_plan
from nfvplan.cli.main import app
from nfvplan.io import parse_scenario
from nfvplan.model import Objective, Scenario
from nfvplan.plan import Placement, Plan, Status
from nfvplan.solver import SolveOptions, solve
from tests.paths import EXAMPLES as EXAMPLES  # re-exported: tests import it from here
from tests.paths import REPO
from tests.scenarios import NO_OVERHEAD as NO_OVERHEAD  # re-exported: tests import it from here


def scenario_yaml(*parts: str, name: str = "t") -> str:
    """A scenario file from dedented parts, after the `nfvplan: 1` header.

    Each part is a top-level section (or several) written flush-left in the test.
    """
    body = "\n".join(textwrap.dedent(part).strip("\n") for part in parts)
    return f"nfvplan: 1\nname: {name}\n{body}\n"


def write_file(directory: Path, name: str, content: str | bytes) -> Path:
    """Write `content` (text as UTF-8, or raw bytes) to `directory/name` and return the path.

    Folders in `name` are created; the text is written as given (`write_yaml` dedents it).
    """
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def parse(yaml_text: str) -> Scenario:
    """The scenario of `yaml_text`, as the loader validates it."""
    return parse_scenario(yaml_text, filename="test.yaml", base_dir=REPO)


def solve_and_check(
    yaml_text: str | Scenario,
    *,
    time_limit_s: float = 20.0,
    workers: int = 1,
    seed: int | None = None,
    objective: Objective | str | None = None,
    explain: bool = True,
) -> Plan:
    """Parse, solve, assert the independent checker finds no violation, return the plan.

    A plan-less outcome (infeasible, unknown) is checked too: it must hold only an explanation.
    """
    scenario = yaml_text if isinstance(yaml_text, Scenario) else parse(yaml_text)
    if isinstance(objective, str):
        objective = Objective(objective)
    plan = solve(
        scenario,
        SolveOptions(
            time_limit_s=time_limit_s,
            workers=workers,
            seed=seed,
            objective=objective,
            explain=explain,
        ),
    )
    violations = check_plan(scenario, plan)
    assert violations == [], "\n".join(f"[{v.rule}] {v.message}" for v in violations)
    return plan


def assert_optimal(plan: Plan, cost: float) -> None:
    """Optimal, with the objective and the summary both at `cost` (objective: cost)."""
    assert plan.status is Status.OPTIMAL, plan.explanation
    assert plan.objective.name == "cost"
    assert plan.objective.value == pytest.approx(cost)
    assert plan.objective.bound == pytest.approx(cost)
    assert plan.summary.monthly_cost == pytest.approx(cost)


def placements_of(plan: Plan, vnf: str) -> list[Placement]:
    """The placements of one VNF, in plan order."""
    return [p for p in plan.placements if p.vnf == vnf]


def servers_of(plan: Plan, vnf: str) -> list[str]:
    """The server ids one VNF's instances run on, in plan order."""
    return [p.server for p in placements_of(plan, vnf)]


def load_per_server(plan: Plan) -> dict[str, int]:
    """How many instances each used server runs."""
    return dict(Counter(p.server for p in plan.placements))


def server_use(plan: Plan, server_id: str):
    """The `ServerUse` entry of one server id."""
    matches = [s for s in plan.servers if s.id == server_id]
    assert len(matches) == 1, f"{server_id} listed {len(matches)} times in {plan.servers}"
    return matches[0]


def explanation_text(plan: Plan) -> str:
    """The explanation as one string, for substring assertions."""
    assert plan.explanation, f"no explanation in a {plan.status.value} plan"
    return "\n".join(plan.explanation)


# --- the command line -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CliResult:
    """What one CLI run printed and returned."""

    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None

    @property
    def output(self) -> str:
        """Both streams, stdout first."""
        return self.stdout + self.stderr


def run_cli(*args: str | Path, cwd: Path | None = None) -> CliResult:
    """Run `nfvplan ARGS` in-process with typer's runner; stdout and stderr kept apart.

    An exception that escapes the app (not a `SystemExit`) is returned in `exception`, so a test
    can tell an internal error from a deliberate exit code.
    """
    runner = CliRunner()
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    finally:
        os.chdir(old)
    exception = result.exception
    if isinstance(exception, SystemExit):
        exception = None
    return CliResult(result.exit_code, result.stdout, result.stderr, exception)


def nfvplan_command() -> list[str]:
    """The `nfvplan` entry point of this Python's environment (a venv's bin/), else the one
    on PATH, else the module run with this Python: never another checkout's install."""
    beside = Path(sys.executable).parent / "nfvplan"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("nfvplan")
    if found:
        return [found]
    return [sys.executable, "-m", "nfvplan.cli.main"]


def run_nfvplan(*args: str | Path, cwd: Path | None = None, timeout: float = 120) -> CliResult:
    """Run the real `nfvplan` command in a subprocess."""
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    done = subprocess.run(
        [*nfvplan_command(), *(str(a) for a in args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
        check=False,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)
