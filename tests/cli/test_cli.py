"""Tests that the `nfvplan` command does what an operator expects, exit codes included.

Most runs use typer's in-process runner (stdout and stderr kept apart); a few run the installed
`nfvplan` command in a subprocess, so the real entry point, its exception guard and its exit
codes are exercised too. Scenarios are tiny and solve in well under a second.
Exit codes (FORMAT.md section 3): 0 plan, 2 bad input, 3 infeasible, 4 no plan in time,
5 violations found by `check`.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
import typer.main
import yaml

from nfvplan.cli.main import app
from tests.helpers import EXAMPLES, REPO, CliResult, run_cli, run_nfvplan
from tests.scenarios import SMALL

INFEASIBLE = SMALL.replace("replicas: 3, anti_affinity: host", "replicas: 7, anti_affinity: host")
"""7 host-anti-affine amf replicas; there are 6 hosts (3 + 1 at dc-a, 2 at dc-b)."""


def no_traceback(result: CliResult) -> None:
    """Neither stream shows a Python traceback, and nothing escaped the app."""
    assert "Traceback" not in result.output, result.output
    assert result.exception is None, repr(result.exception)


@pytest.fixture
def infeasible(tmp_path: Path) -> Path:
    """A scenario with more host-anti-affine replicas than hosts."""
    path = tmp_path / "infeasible.yaml"
    path.write_text(INFEASIBLE, encoding="utf-8")
    return path


# --- solve ----------------------------------------------------------------------------------------


def test_solve_prints_the_summary(small: Path) -> None:
    """Tests that `solve` exits 0 and prints status, monthly cost and servers per site.

    Optimum 330 (see SMALL): 3 servers, two sites.
    """
    result = run_cli("solve", small)
    no_traceback(result)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "status: optimal" in out
    assert "monthly cost: 330.00" in out
    assert "servers used: 3" in out
    site_lines = {
        line.split()[0]: line.split()[1] for line in out.splitlines() if line[:3] == "dc-"
    }
    assert sum(int(n) for n in site_lines.values()) == 3
    assert set(site_lines) == {"dc-a", "dc-b"}


def test_solve_writes_yaml_and_json_plans_that_check_accepts(small: Path, tmp_path: Path) -> None:
    """Tests `-o plan.yaml` and `--format json`: both files parse and `check` exits 0 on them."""
    yaml_plan = tmp_path / "plan.yaml"
    json_plan = tmp_path / "plan.json"
    first = run_cli("solve", small, "-o", yaml_plan)
    second = run_cli("solve", small, "-o", json_plan, "--format", "json")
    for result in (first, second):
        no_traceback(result)
        assert result.exit_code == 0, result.output
    assert f"plan written to {yaml_plan}" in first.stdout
    as_yaml = yaml.safe_load(yaml_plan.read_text(encoding="utf-8"))
    as_json = json.loads(json_plan.read_text(encoding="utf-8"))
    for data in (as_yaml, as_json):
        assert data["status"] == "optimal"
        assert data["objective"]["value"] == pytest.approx(330)
        assert len(data["placements"]) == 5
    for plan in (yaml_plan, json_plan):
        checked = run_cli("check", small, plan)
        no_traceback(checked)
        assert checked.exit_code == 0, checked.output
        assert "every rule holds" in checked.stdout


def test_json_suffix_alone_writes_json(small: Path, tmp_path: Path) -> None:
    """Tests `-o plan.json` with no `--format`: the file is JSON (docs/format.md, section 3).

    Until 7182b7e the CLI passed its `--format` default and wrote YAML into plan.json.
    """
    plan = tmp_path / "plan.json"
    result = run_cli("solve", small, "-o", plan, "-q")
    assert result.exit_code == 0
    assert json.loads(plan.read_text(encoding="utf-8"))["status"] == "optimal"


def test_quiet_prints_nothing_on_success(small: Path, tmp_path: Path) -> None:
    """Tests that `solve --quiet` and `check --quiet` print nothing when all is well."""
    plan = tmp_path / "plan.yaml"
    solved = run_cli("solve", small, "-o", plan, "--quiet")
    assert solved.exit_code == 0
    assert (solved.stdout, solved.stderr) == ("", "")
    assert plan.exists()
    checked = run_cli("check", small, plan, "-q")
    assert checked.exit_code == 0
    assert (checked.stdout, checked.stderr) == ("", "")


def test_solver_options_are_accepted_and_recorded(small: Path, tmp_path: Path) -> None:
    """Tests `--objective servers --time-limit 5 --workers 1 --seed 7`.

    The plan names the objective it was solved for (servers: 3, see SMALL) and records the
    worker count and seed in its stats; `check` accepts it against the servers objective.
    """
    plan = tmp_path / "plan.yaml"
    result = run_cli(
        "solve",
        small,
        "-o",
        plan,
        "--objective",
        "servers",
        "--time-limit",
        "5",
        "--workers",
        "1",
        "--seed",
        "7",
    )
    no_traceback(result)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(plan.read_text(encoding="utf-8"))
    assert data["objective"]["name"] == "servers"
    assert data["objective"]["value"] == 3
    assert data["stats"]["workers"] == 1
    assert data["stats"]["seed"] == 7
    assert run_cli("check", small, plan).exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["--objective", "cheapest"],
        ["--workers", "0"],
        ["--time-limit", "-1"],
        ["--format", "xml"],
        ["--no-such-option"],
    ],
    ids=["objective", "workers", "time-limit", "format", "unknown-option"],
)
def test_bad_options_are_usage_errors(small: Path, args: list[str]) -> None:
    """Tests that an invalid option value exits 2 (usage) without a traceback."""
    result = run_cli("solve", small, *args)
    no_traceback(result)
    assert result.exit_code == 2, result.output


def test_infeasible_exits_3_with_the_explanation(infeasible: Path, tmp_path: Path) -> None:
    """Tests an infeasible scenario: exit 3, the explanation printed and written to the plan.

    7 host-anti-affine amf replicas, 6 hosts (3 + 1 at dc-a, 2 at dc-b).
    """
    plan = tmp_path / "plan.yaml"
    result = run_cli("solve", infeasible, "-o", plan)
    no_traceback(result)
    assert result.exit_code == 3, result.output
    assert "status: infeasible" in result.stdout
    assert "amf: anti_affinity host needs 7 hosts" in result.stdout
    assert "has 6" in result.stdout
    data = yaml.safe_load(plan.read_text(encoding="utf-8"))
    assert data["status"] == "infeasible"
    assert any("needs 7 hosts" in line for line in data["explanation"])
    assert data["placements"] == []
    checked = run_cli("check", infeasible, plan)
    assert checked.exit_code == 0, checked.output


def test_quiet_infeasible_still_explains_on_stderr(infeasible: Path) -> None:
    """Tests that `--quiet` keeps the explanation of a failure (on stderr) and exit 3."""
    result = run_cli("solve", infeasible, "--quiet")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "needs 7 hosts" in result.stderr


@pytest.mark.parametrize("existing", [False, True], ids=["no-file", "existing-file"])
def test_no_plan_within_the_time_limit_exits_4_and_writes_nothing(
    tmp_path: Path, existing: bool
) -> None:
    """Tests exit 4 when the time limit ends the search before any plan, and that `-o` then
    writes no file (an `unknown` outcome holds no plan) and says so on stderr; a file already
    there is left byte for byte, so a script never reads a stale or empty plan as a result.

    examples/5g-edge-topology.yaml takes seconds to solve; 0.01 s is not enough to find a plan
    on an ordinary machine. Should a machine find one anyway, the test skips.
    """
    plan = tmp_path / "plan.yaml"
    if existing:
        plan.write_text("an earlier plan\n", encoding="utf-8")
    result = run_cli(
        "solve", EXAMPLES / "5g-edge-topology.yaml", "--time-limit", "0.01", "-o", plan
    )
    no_traceback(result)
    if result.exit_code == 0:
        pytest.skip("this machine found a plan within 0.01 s")
    assert result.exit_code == 4, result.output
    assert "status: unknown" in result.stdout
    assert "time limit" in result.stdout
    assert f"no plan written to {plan}" in result.stderr
    assert "plan written to" not in result.stdout
    if existing:
        assert plan.read_text(encoding="utf-8") == "an earlier plan\n"
    else:
        assert not plan.exists()
    assert [p.name for p in tmp_path.iterdir()] == (["plan.yaml"] if existing else [])


# --- check ----------------------------------------------------------------------------------------


def solved_plan(small: Path, tmp_path: Path) -> tuple[Path, dict]:
    """Solve SMALL to a YAML plan and return its path and content."""
    plan = tmp_path / "plan.yaml"
    assert run_cli("solve", small, "-o", plan, "-q").exit_code == 0
    return plan, yaml.safe_load(plan.read_text(encoding="utf-8"))


def test_check_lists_an_overloaded_server_and_exits_5(small: Path, tmp_path: Path) -> None:
    """Tests a hand-edited plan: one amf moved onto the server of another.

    Two amf on one 8-thread server take at least 2 x 5 = 10 threads: capacity is exceeded and
    host anti-affinity is broken. `check` names both rules, the instance and the server, and
    exits 5.
    """
    plan, data = solved_plan(small, tmp_path)
    amfs = [p for p in data["placements"] if p["vnf"] == "amf"]
    moved, target = amfs[2], amfs[0]["server"]
    moved["server"] = target
    plan.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = run_cli("check", small, plan)
    no_traceback(result)
    assert result.exit_code == 5, result.output
    lines = result.stdout.splitlines()
    capacity = [line for line in lines if "violation [capacity]" in line]
    assert capacity and target in capacity[0], result.stdout
    anti = [line for line in lines if "violation [anti-affinity]" in line]
    assert anti and moved["instance"] in anti[0], result.stdout
    assert "2 rule violations and " in result.stderr
    assert "stale figures found in" in result.stderr


def test_check_catches_a_changed_cost(small: Path, tmp_path: Path) -> None:
    """Tests a plan whose cost was edited: the summary and objective rules fire, exit 5."""
    plan, data = solved_plan(small, tmp_path)
    data["summary"]["monthly_cost"] = 300.0
    data["objective"]["value"] = 300.0
    plan.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = run_cli("check", small, plan)
    no_traceback(result)
    assert result.exit_code == 5
    assert "stale [summary]" in result.stdout
    assert "stale [objective]" in result.stdout
    assert "330" in result.stdout


def test_check_refuses_a_broken_plan_file_with_its_line(small: Path, tmp_path: Path) -> None:
    """Tests that a plan file with a wrong type is bad input (exit 2), located by line."""
    plan, _ = solved_plan(small, tmp_path)
    text = plan.read_text(encoding="utf-8").replace("rack: 1", "rack: first", 1)
    plan.write_text(text, encoding="utf-8")
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "rack: first" in x)
    result = run_cli("check", small, plan)
    no_traceback(result)
    assert result.exit_code == 2
    assert f"{plan}:{line}" in result.stderr


def test_show_prints_the_summary_and_converts(small: Path, tmp_path: Path) -> None:
    """Tests `show`: the summary of a plan file, and `--format json` re-emitting it."""
    plan, data = solved_plan(small, tmp_path)
    shown = run_cli("show", small, plan)
    assert shown.exit_code == 0
    assert "monthly cost: 330.00" in shown.stdout
    converted = run_cli("show", small, plan, "--format", "json")
    assert converted.exit_code == 0
    assert json.loads(converted.stdout)["placements"] == data["placements"]


# --- bad input ------------------------------------------------------------------------------------

BAD_INPUTS = {
    "unknown-key": (SMALL.replace("name: small\n", "name: small\nbogus: 1\n"), 3),
    "syntax-error": (SMALL.replace("replicas: 2, anti_affinity: site}", "replicas: [2}"), 13),
    "non-utf8": (SMALL.replace("name: small", "name: sm\xe4ll").encode("latin-1"), 2),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
@pytest.mark.parametrize("command", ["solve", "check", "show"])
def test_bad_scenario_exits_2_naming_file_and_line(
    case: str, command: str, tmp_path: Path, small: Path
) -> None:
    """Tests unknown key, YAML syntax error and non-UTF-8 bytes: exit 2, `file:line` on stderr.

    The line is where the problem is: 3 for the key added after `name:`, 13 for the broken
    flow sequence on nrf's line (the parser may point at the end of that line or the next),
    2 for the Latin-1 byte in `name:`.
    """
    content, line = BAD_INPUTS[case]
    bad = tmp_path / f"{case}.yaml"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        bad.write_text(content, encoding="utf-8")
    args = [command, bad] if command == "solve" else [command, bad, small]
    result = run_cli(*args)
    no_traceback(result)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    located = (
        [f"{bad}:{n}:" for n in (line, line + 1)] if case == "syntax-error" else [f"{bad}:{line}:"]
    )
    assert any(where in result.stderr for where in located), result.stderr


def test_missing_scenario_file(tmp_path: Path) -> None:
    """Tests a scenario path that does not exist: exit 2 and the path named."""
    missing = tmp_path / "nope.yaml"
    result = run_cli("solve", missing)
    no_traceback(result)
    assert result.exit_code == 2
    assert str(missing) in result.stderr
    assert "not found" in result.stderr


def test_bad_input_never_touches_the_output_file(tmp_path: Path) -> None:
    """Tests that a refused scenario writes no plan: none created, an old one left as it was."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.replace("name: small\n", "name: small\nbogus: 1\n"), encoding="utf-8")
    fresh = tmp_path / "fresh.yaml"
    result = run_cli("solve", bad, "-o", fresh)
    assert result.exit_code == 2
    assert not fresh.exists()

    old = tmp_path / "out.yaml"
    old.write_text("previous plan, kept\n", encoding="utf-8")
    result = run_cli("solve", bad, "-o", old)
    assert result.exit_code == 2
    assert old.read_text(encoding="utf-8") == "previous plan, kept\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "out.yaml"]


def test_unwritable_output_leaves_nothing_behind(small: Path, tmp_path: Path) -> None:
    """Tests `-o` into a missing directory and onto a directory: exit 2, no stray file."""
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_cli("solve", small, "-o", tmp_path / "no-such-dir" / "plan.yaml")
    no_traceback(result)
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
    target_dir = tmp_path / "plans"
    target_dir.mkdir()
    result = run_cli("solve", small, "-o", target_dir)
    no_traceback(result)
    assert result.exit_code == 2
    assert list(target_dir.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "plans"])


def test_output_onto_a_special_file_leaves_it_in_place(small: Path, tmp_path: Path) -> None:
    """Tests `-o` naming a FIFO: the plan goes into it (or is refused), the FIFO stays a FIFO.

    A reader holds the FIFO open (non-blocking) so that writing into it cannot hang the test.
    Until 05ab37a the atomic rename replaced the FIFO (and, as root, `-o /dev/null` the device
    node) with a regular file.
    """
    fifo = tmp_path / "plan.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        result = run_cli("solve", small, "-o", fifo, "-q")
        no_traceback(result)
        assert result.exit_code in (0, 2)
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced by a regular file"
    finally:
        os.close(reader)


def test_output_through_a_symlink_updates_the_linked_file(small: Path, tmp_path: Path) -> None:
    """Tests `-o` naming a symlink (the `current-plan.yaml` idiom): its target gets the plan.

    Until 05ab37a the rename replaced the link itself and left the target's old plan in place.
    """
    real = tmp_path / "real.yaml"
    real.write_text("old plan\n", encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    result = run_cli("solve", small, "-o", link, "-q")
    assert result.exit_code == 0
    assert link.is_symlink()
    assert yaml.safe_load(real.read_text(encoding="utf-8"))["status"] == "optimal"


# --- help and documentation -----------------------------------------------------------------------


def command_paths() -> list[tuple[list[str], bool]]:
    """Every command and group of the app as (argument path, is a leaf command)."""
    found: list[tuple[list[str], bool]] = []

    def walk(command: object, path: list[str]) -> None:
        subcommands = getattr(command, "commands", None)  # a group (typer vendors click)
        if subcommands is not None:
            found.append((path, False))
            for name, sub in subcommands.items():
                walk(sub, [*path, name])
        else:
            found.append((path, True))

    walk(typer.main.get_command(app), [])
    return found


@pytest.mark.parametrize(
    ("path", "leaf"), command_paths(), ids=lambda x: " ".join(x) if isinstance(x, list) else ""
)
def test_help_works_and_every_command_shows_an_example(path: list[str], leaf: bool) -> None:
    """Tests `--help` on every command and group; a command's help contains an example."""
    result = run_cli(*path, "--help")
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert "Usage" in result.stdout
    if leaf:
        flat = " ".join(result.stdout.split())
        assert "Example" in flat, f"no example in `nfvplan {' '.join(path)} --help`"
        assert f"nfvplan {' '.join(path)}" in flat


def mentioned(text: str, path: list[str]) -> bool:
    """`nfvplan A B` appears, or a sub-command B on a line that mentions `nfvplan A`.

    The second form accepts a table row such as "`nfvplan topology list` / `show NAME`".
    """
    if f"nfvplan {' '.join(path)}" in text:
        return True
    group, name = " ".join(path[:-1]), path[-1]
    return bool(group) and any(
        f"nfvplan {group}" in line and re.search(rf"\b{re.escape(name)}\b", line)
        for line in text.splitlines()
    )


def test_readme_mentions_every_command() -> None:
    """Tests that README.md mentions every command (`nfvplan solve`, `nfvplan topology ...`)."""
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    if not text.strip():
        pytest.skip("README.md is still empty; the commands are not documented there yet")
    missing = [
        " ".join(path) for path, leaf in command_paths() if leaf and not mentioned(text, path)
    ]
    assert missing == [], f"README.md does not mention: {missing}"


# --- the real command in a subprocess -------------------------------------------------------------


def test_real_command_solves_and_checks_an_example(tmp_path: Path) -> None:
    """Tests the installed `nfvplan` end to end on examples/5g-core.yaml (optimum 10720)."""
    plan = tmp_path / "plan.yaml"
    example = EXAMPLES / "5g-core.yaml"
    solved = run_nfvplan("solve", example, "-o", plan, "--workers", "1", cwd=tmp_path)
    assert solved.exit_code == 0, solved.output
    assert "monthly cost: 10,720.00" in solved.stdout
    assert "dc-north" in solved.stdout
    checked = run_nfvplan("check", example, plan, cwd=tmp_path)
    assert checked.exit_code == 0, checked.output
    assert "every rule holds" in checked.stdout


def test_real_command_exit_codes_for_bad_and_infeasible_input(tmp_path: Path) -> None:
    """Tests the installed command: bad input exits 2, infeasible exits 3, neither tracebacks."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.replace("cores: 8", "cores: eight"), encoding="utf-8")
    refused = run_nfvplan("solve", bad, cwd=tmp_path)
    assert refused.exit_code == 2, refused.output
    assert f"{bad}:6:" in refused.stderr
    assert "Traceback" not in refused.output
    infeasible = run_nfvplan("solve", EXAMPLES / "infeasible-racks.yaml", cwd=tmp_path)
    assert infeasible.exit_code == 3, infeasible.output
    assert "amf: anti_affinity rack needs 3 racks at [dc-1], which has 2" in infeasible.stdout
    assert "Traceback" not in infeasible.output
