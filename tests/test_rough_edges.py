"""Tests for the rough edges a new user hit (issue 16): version, help, wording, wrong files,
hand-edited plans. Each goes through the CLI, on real solver runs of tiny scenarios whose
optimum is known by hand, and every plan a test keeps is re-checked by `nfvplan check`.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import REPO, nfvplan_command, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from nfvplan.cli.help import WORKFLOW_ORDER
from nfvplan.errors import InputError
from nfvplan.io import parse_scenario
from tests.scenarios import SMALL  # optimum 330 by hand: three `s` servers and 3 amf licences

ONE_OF_EACH = """\
nfvplan: 1
name: pair
platform: {vm: {}, container: {}}
server_types:
  s: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 100}
sites:
  dc: {servers: {s: 2}}
vnfs:
  a: {flavor: {vcpu: 1, memory_gib: 1}, forms: [vm], replicas: 1}
  b: {flavor: {vcpu: 1, memory_gib: 1}, forms: [container], replicas: 1}
"""
"""One VM-only and one container-only instance: both fit one server (100), so the plan has
1 VM, 1 container, 2 instances on 1 server."""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


@pytest.fixture
def plan(small: Path, tmp_path: Path) -> Path:
    """SMALL solved to a YAML plan, which `check` accepts."""
    path = tmp_path / "plan.yaml"
    assert run_cli("solve", small, "-o", path, "-q", "--workers", "1").exit_code == 0
    assert run_cli("check", small, path).exit_code == 0
    return path


def edit(path: Path, change) -> dict:
    """Apply `change(data)` to a plan file's data and write it back (as a hand edit would)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return data


# --- version, help, usage ---------------------------------------------------------------------


def test_version_prints_the_installed_version() -> None:
    """Tests `nfvplan --version`: exit 0, the version the package is installed as."""
    result = run_cli("--version")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"nfvplan {importlib.metadata.version('nfvplan')}"


def _help_at_80_columns(*args: str) -> str:
    """`nfvplan ARGS --help` as a user sees it in an 80-column terminal."""
    env = dict(os.environ, COLUMNS="80")
    done = subprocess.run(
        [*nfvplan_command(), *args, "--help"], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


def test_help_lists_commands_in_workflow_order_uncut() -> None:
    """Tests that `--help` lists solve, check, show, compare, whatif, resilience... in that
    order, and that no description is cut off with `...` at 80 columns."""
    text = _help_at_80_columns()
    section = text[text.index("Commands:") :]
    listed = re.findall(r"^  (\S+)", section, flags=re.MULTILINE)
    known = [name for name in listed if name in WORKFLOW_ORDER]
    assert known == sorted(known, key=WORKFLOW_ORDER.index), listed
    assert listed.index("solve") < listed.index("check") < listed.index("show")
    assert listed.index("show") < listed.index("compare") < listed.index("whatif")
    assert listed.index("whatif") < listed.index("resilience")
    assert "..." not in section, section
    # Wrapped descriptions end in a full stop: the whole first sentence is there.
    assert "the deployment\n" in section or "the deployment plan." in section


def test_nested_group_help_is_not_cut_off() -> None:
    """Tests `nfvplan topology --help` at 80 columns: whole descriptions, no `...`."""
    text = _help_at_80_columns("topology")
    section = text[text.index("Commands:") :]
    assert "..." not in section, section
    # The last command's description wraps onto a second line and ends with its full stop.
    assert "\n          topology file.\n" in section, section


@pytest.mark.parametrize("command", ["check", "show", "resilience", "refresh"])
def test_usage_lines_read_scenario_plan(command: str) -> None:
    """Tests that the usage line of a command taking both files reads `SCENARIO PLAN`."""
    usage = run_cli(command, "--help").stdout.splitlines()[0]
    assert usage == f"Usage: nfvplan {command} [OPTIONS] SCENARIO PLAN"


def test_no_usage_line_has_braces() -> None:
    """Tests every command's usage line: typer's `{scenario}` notation never shows."""
    for command in ("solve", "compare", "whatif", "sweep", "generate"):
        usage = run_cli(command, "--help").stdout.splitlines()[0]
        assert "{" not in usage and "}" not in usage, usage
    missing = run_cli("check")
    assert missing.exit_code == 2
    assert "Missing argument 'SCENARIO'" in missing.stderr


# --- wording ------------------------------------------------------------------------------------


def test_counts_agree_with_their_number(tmp_path: Path) -> None:
    """Tests "1 VM, 1 container" and "2 instances on 1 server", never "1 containers"."""
    scenario = tmp_path / "pair.yaml"
    scenario.write_text(ONE_OF_EACH, encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    solved = run_cli("solve", scenario, "-o", plan, "--workers", "1")
    assert solved.exit_code == 0, solved.output
    assert "instances: 2 (1 VM, 1 container)" in solved.stdout
    assert "servers used: 1 (0 bought)" in solved.stdout
    checked = run_cli("check", scenario, plan)
    assert checked.exit_code == 0, checked.output
    assert "(optimal, 2 instances on 1 server)" in checked.stdout


def _messages(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module that can reach a user (f-string parts included), with
    their lines; docstrings are left out, they may write `f(s)` for a function of a site."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_message_hedges_its_plural() -> None:
    """Tests that no message of the package writes "1 worker(s)" or "2 error(s)": every count
    goes through `nfvplan.wording.count`, which makes the noun agree with its number."""
    hedged = [
        f"{path.relative_to(REPO)}:{line}: {text!r}"
        for path in sorted((REPO / "nfvplan").rglob("*.py"))
        for line, text in _messages(path)
        if re.search(r"[A-Za-z]\(s\)", text)
    ]
    assert hedged == []


def test_error_counts_agree_with_their_number() -> None:
    """Tests the tail of a capped error list: one hidden problem is "1 more error", two are
    "2 more errors" (MAX_REPORTED_PROBLEMS are listed)."""
    from nfvplan.errors import MAX_REPORTED_PROBLEMS, Problem

    def rendered(n: int) -> str:
        problems = [Problem("f.yaml", i + 1, 1, "x", "bad") for i in range(n)]
        return InputError(problems).render()

    assert rendered(MAX_REPORTED_PROBLEMS + 1).endswith("... and 1 more error not shown")
    assert rendered(MAX_REPORTED_PROBLEMS + 2).endswith("... and 2 more errors not shown")
    assert "more error" not in rendered(MAX_REPORTED_PROBLEMS)


def test_a_replan_that_costs_more_says_so(small: Path, plan: Path, tmp_path: Path) -> None:
    """Tests `solve --current` when the change raises the cost: a 4th host-anti-affine amf
    needs a 4th server (330 -> 440 by hand), printed as "costs 110.00 more", never as a
    negative saving."""
    grown = tmp_path / "grown.yaml"
    grown.write_text(SMALL.replace("replicas: 3", "replicas: 4"), encoding="utf-8")
    out = tmp_path / "replan.yaml"
    result = run_cli("solve", grown, "--current", plan, "-o", out, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "monthly cost 330.00 -> 440.00: costs 110.00 more" in result.stdout
    assert "saving -" not in result.stdout
    assert run_cli("check", grown, out).exit_code == 0


def test_unset_boot_seconds_is_said_not_zero(small: Path, plan: Path) -> None:
    """Tests `resilience` and `compare` on a scenario without `boot_seconds`: the recovery
    is "boot_seconds unset" (compare: "? s", with a note saying so), never "0 s" (SMALL has 6
    hosts for 3 amf: every server failure is survivable)."""
    survived = run_cli("resilience", small, plan, "--workers", "1")
    assert survived.exit_code == 0, survived.output
    assert "boot_seconds unset" in survived.stdout
    assert " 0 s" not in survived.stdout
    compared = run_cli("compare", small, "--workers", "1")
    assert compared.exit_code == 0, compared.output
    assert re.search(r"recovery of its instances +\d+ inst in \? s", compared.stdout)
    assert "? s: boot_seconds is unset" in compared.stdout
    assert "in 0 s" not in compared.stdout


def test_unset_boot_seconds_is_null_in_json(small: Path, plan: Path) -> None:
    """Tests the JSON report: a survivable failure with no boot time has `recovery_s: null`."""
    result = run_cli("resilience", small, plan, "--format", "json", "--workers", "1")
    assert result.exit_code == 0, result.output
    failures = json.loads(result.stdout)["failures"]
    hit = [f for f in failures if f["hit"]]
    assert hit and all(f["outcome"] == "survivable" and f["recovery_s"] is None for f in hit)


# --- output file names --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["p.csv", "plan", "p.txt"])
def test_solve_refuses_a_plan_name_without_a_format(small: Path, tmp_path: Path, name: str) -> None:
    """Tests `solve -o p.csv`: exit 2 before solving, naming .yaml/.yml/.json, nothing written."""
    target = tmp_path / name
    result = run_cli("solve", small, "-o", target)
    assert result.exit_code == 2, result.output
    assert ".yaml, .yml or .json" in result.stderr
    assert str(target) in result.stderr
    assert not target.exists()
    assert result.stdout == ""


def test_the_format_follows_the_name(small: Path, tmp_path: Path) -> None:
    """Tests .yml (YAML), .json (JSON) and an explicit --format for any other name."""
    yml, js, txt = tmp_path / "p.yml", tmp_path / "p.json", tmp_path / "p.txt"
    assert run_cli("solve", small, "-o", yml, "-q").exit_code == 0
    assert yml.read_text(encoding="utf-8").startswith("nfvplan: 1\n")
    assert run_cli("solve", small, "-o", js, "-q").exit_code == 0
    assert js.read_text(encoding="utf-8").lstrip().startswith("{")
    assert run_cli("solve", small, "-o", txt, "--format", "json", "-q").exit_code == 0
    assert txt.read_text(encoding="utf-8").lstrip().startswith("{")
    for written in (yml, js, txt):
        assert run_cli("check", small, written).exit_code == 0


def test_whatif_refuses_a_plan_name_without_a_format(small: Path, tmp_path: Path) -> None:
    """Tests `whatif -o changed.csv`: exit 2 before anything is solved."""
    target = tmp_path / "changed.csv"
    result = run_cli("whatif", small, "--set", "vnfs.amf.replicas=2", "-o", target)
    assert result.exit_code == 2, result.output
    assert "'.csv' is not a plan format" in result.stderr
    assert not target.exists()


# --- YAML tabs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        (SMALL.replace("  dc-a:", "\tdc-a:"), 9, 1),
        (SMALL.replace("  dc-b:", "  \tdc-b:"), 10, 3),
    ],
)
def test_a_tab_in_the_indentation_is_named(tmp_path: Path, text: str, line: int, column: int):
    """Tests a tab where YAML needs spaces: exit 2, located at the tab, saying "tab" and
    "indent with spaces" (PyYAML alone says "found character that cannot start any token")."""
    scenario = tmp_path / "tabbed.yaml"
    scenario.write_text(text, encoding="utf-8")
    result = run_cli("solve", scenario)
    assert result.exit_code == 2, result.output
    assert f"{scenario}:{line}:{column}: " in result.stderr
    assert "tab character" in result.stderr and "indent with spaces" in result.stderr


# --- wrong files --------------------------------------------------------------------------------


@pytest.fixture
def other(tmp_path: Path) -> Path:
    """SMALL under another name: a plan of SMALL is not this scenario's."""
    path = tmp_path / "other.yaml"
    path.write_text(SMALL.replace("name: small", "name: other"), encoding="utf-8")
    return path


def test_show_refuses_another_scenarios_plan(other: Path, plan: Path) -> None:
    """Tests `show` with a plan of another scenario: exit 2 at the plan's `scenario: small`
    (line 2, the value in column 11), as `resilience` does."""
    result = run_cli("show", other, plan)
    assert result.exit_code == 2, result.output
    assert f"{plan}:2:11: scenario: this plan is for scenario 'small', not 'other'" in (
        result.stderr
    )
    assert result.stdout == ""


def test_check_stops_after_a_scenario_mismatch(tmp_path: Path, plan: Path) -> None:
    """Tests `check` with a plan of a scenario with other VNFs: the mismatch alone, exit 5
    (each placement would otherwise add an unknown-VNF violation)."""
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(
        SMALL.replace("name: small", "name: other").replace("amf", "smf"), encoding="utf-8"
    )
    result = run_cli("check", renamed, plan)
    assert result.exit_code == 5
    assert result.stdout.splitlines() == [
        f"{plan}:2:1: violation [scenario]: the plan is for scenario 'small', "
        "this scenario is 'other'"
    ]


@pytest.mark.parametrize("command", ["check", "show", "resilience", "refresh"])
def test_swapped_arguments_are_recognised(command: str, small: Path, plan: Path, tmp_path):
    """Tests `nfvplan COMMAND PLAN SCENARIO`: one message saying the arguments look swapped,
    exit 2, instead of an unknown-key error per plan section."""
    extra = ["-o", str(tmp_path / "out.yaml")] if command == "refresh" else []
    result = run_cli(command, plan, small, *extra)
    assert result.exit_code == 2, result.output
    assert f"error: {plan}:1:1: this is a plan file" in result.stderr
    assert "are the arguments swapped?" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_scenario_where_the_plan_belongs_is_recognised(small: Path) -> None:
    """Tests `nfvplan check SCENARIO SCENARIO`: the second is named a scenario file."""
    result = run_cli("check", small, small)
    assert result.exit_code == 2, result.output
    assert f"{small}:1:1: this is a scenario file" in result.stderr
    assert "are the arguments swapped?" in result.stderr


def test_current_errors_are_located(small: Path, plan: Path) -> None:
    """Tests `solve --current` with a deployment naming a server the scenario lacks: the
    error carries the plan file's line and column, like every other input error."""
    edit(plan, lambda d: d["placements"][0].update(server="dc-a/s/9"))
    lines = plan.read_text(encoding="utf-8").splitlines()
    line = next(i for i, x in enumerate(lines, 1) if "dc-a/s/9" in x)
    result = run_cli("solve", small, "--current", plan)
    assert result.exit_code == 2, result.output
    assert re.search(
        rf"{re.escape(str(plan))}:{line}:\d+: placements\[0\]\.server: no server 'dc-a/s/9'",
        result.stderr,
    ), result.stderr


def test_current_of_another_scenario_is_located(other: Path, plan: Path) -> None:
    """Tests `solve --current` with another scenario's plan: located at `scenario: small`."""
    result = run_cli("solve", other, "--current", plan)
    assert result.exit_code == 2
    assert f"{plan}:2:11: scenario: this plan is for scenario 'small'" in result.stderr


# --- hand-edited plans: check and refresh -------------------------------------------------------


def _move_an_amf_onto_another(plan: Path) -> dict:
    """Move amf-3 onto amf-1's server: one rule broken (host anti-affinity; 10 threads on an
    8-thread server breaks capacity too), the rest of what changes is derived figures."""

    def move(data: dict) -> None:
        amfs = [p for p in data["placements"] if p["vnf"] == "amf"]
        amfs[2]["server"] = amfs[0]["server"]

    return edit(plan, move)


def _move_an_nrf(plan: Path) -> None:
    """Move one nrf to an unused `s` server of its site (each site has one free: the plan uses
    3 of the 5): it breaks no rule (nrf needs one per site), it only makes the plan dearer
    (a 4th server: 430)."""
    data = yaml.safe_load(plan.read_text(encoding="utf-8"))
    used = {s["id"] for s in data["servers"]}
    nrf = next(p for p in data["placements"] if p["vnf"] == "nrf")
    site = nrf["server"].split("/")[0]
    free = next(f"{site}/s/{n}" for n in (1, 2, 3) if f"{site}/s/{n}" not in used)

    def move(d: dict) -> None:
        next(p for p in d["placements"] if p["instance"] == nrf["instance"])["server"] = free

    edit(plan, move)


def test_check_lists_stale_figures_apart(small: Path, plan: Path) -> None:
    """Tests `check` of a plan where one instance was moved by hand: the broken rules are
    listed as violations, the usage, summary and objective figures apart as stale."""
    _move_an_amf_onto_another(plan)
    result = run_cli("check", small, plan)
    assert result.exit_code == 5
    lines = result.stdout.splitlines()
    rules = [line for line in lines if ": violation [" in line]
    stale = [line for line in lines if ": stale [" in line]
    assert {re.search(r"violation \[(.+?)\]", x).group(1) for x in rules} == {
        "capacity",
        "anti-affinity",
    }
    assert stale and all(re.search(r"stale \[(server-usage|summary|objective)\]", x) for x in stale)
    assert "nfvplan refresh" in result.stdout
    assert f"{len(rules)} rule violations and {len(stale)} stale figures" in result.stderr


def test_refresh_leaves_only_the_broken_rules(small: Path, plan: Path, tmp_path: Path) -> None:
    """Tests `refresh` after a move that breaks rules: the stale figures are gone, the rule
    violations stay (refresh never moves anything)."""
    _move_an_amf_onto_another(plan)
    before = run_cli("check", small, plan).stdout
    refreshed = tmp_path / "refreshed.yaml"
    result = run_cli("refresh", small, plan, "-o", refreshed)
    assert result.exit_code == 0, result.output
    assert "recomputed" in result.stdout
    after = run_cli("check", small, refreshed)
    assert after.exit_code == 5
    assert "stale [" not in after.stdout
    assert [x.split(": ", 1)[1] for x in after.stdout.splitlines()] == [
        x.split(": ", 1)[1] for x in before.splitlines() if ": violation [" in x
    ]


def test_refresh_makes_a_valid_hand_move_check(small: Path, plan: Path) -> None:
    """Tests a hand move that breaks no rule (an nrf onto a free server): `check` reports only
    stale figures; `refresh -o PLAN` in place makes it pass, at the new cost 430 (4 servers +
    30), and an `optimal` plan above its bound (330) becomes `feasible`."""
    _move_an_nrf(plan)
    stale = run_cli("check", small, plan)
    assert stale.exit_code == 5
    assert ": violation [" not in stale.stdout and ": stale [" in stale.stdout
    assert run_cli("refresh", small, plan, "-o", plan).exit_code == 0
    checked = run_cli("check", small, plan)
    assert checked.exit_code == 0, checked.output
    data = yaml.safe_load(plan.read_text(encoding="utf-8"))
    assert data["summary"]["monthly_cost"] == 430
    assert data["objective"]["value"] == 430 and data["objective"]["bound"] == 330
    assert data["status"] == "feasible"
    assert data["objective"]["gap"] == pytest.approx(100 / 430, abs=1e-6)


def test_refresh_rewrites_what_the_solver_wrote(small: Path, plan: Path, tmp_path) -> None:
    """Tests that refresh derives the figures as the solver does: a plan whose usage, summary
    and objective were wiped refreshes to the solver's file, byte for byte; a plan already
    up to date is left as it is."""
    solved = plan.read_text(encoding="utf-8")
    again = tmp_path / "again.yaml"
    assert run_cli("refresh", small, plan, "-o", again).exit_code == 0
    assert again.read_text(encoding="utf-8") == solved

    def wipe(data: dict) -> None:
        for server in data["servers"]:
            server["used"] = {key: 0.0 for key in server["used"]}
        data["summary"] = {key: 0 for key in data["summary"]}
        data["objective"]["value"] = 0.0

    edit(plan, wipe)
    assert run_cli("check", small, plan).exit_code == 5
    fixed = tmp_path / "fixed.yaml"
    assert run_cli("refresh", small, plan, "-o", fixed).exit_code == 0
    fixed_text = fixed.read_text(encoding="utf-8")
    note = "figures recomputed by nfvplan refresh"
    assert note in fixed_text
    unnoted = fixed_text.replace(f"notes: [{note} after the placements were edited]", "notes: []")
    assert unnoted == solved


NETWORK = """\
nfvplan: 1
name: net
platform: {vm: {}, container: {}}
server_types:
  s: {cores: 8, threads_per_core: 1, memory_gib: 32, nic_gbps: 10, monthly_cost: 100}
sites:
  a: {servers: {s: 1}}
  b: {servers: {s: 1}}
  c: {servers: {s: 1}}
links:
  - {between: [a, b], gbps: 10, latency_ms: 1}
  - {between: [b, c], gbps: 10, latency_ms: 1}
vnfs:
  fw: {flavor: {vcpu: 2, memory_gib: 2}, throughput_gbps: 5, sites: [b]}
services:
  web: {chain: [fw], demands: [{from: a, to: c, gbps: 3, max_latency_ms: 10}]}
"""
"""One fw (5 Gbps each, only at b) carries the 3 Gbps from a to c: optimum 100, the route
a-b-c loads both links with 3 Gbps and b's NIC with the 3 Gbps the fw carries."""


def test_refresh_recomputes_traffic_figures(tmp_path: Path) -> None:
    """Tests refresh on a plan with routes: wiped link loads and NIC usage come back as the
    solver wrote them (3 Gbps on a-b and b-c, 3 on b/s/1's NIC), byte for byte."""
    scenario = tmp_path / "net.yaml"
    scenario.write_text(NETWORK, encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    assert run_cli("solve", scenario, "-o", plan, "-q", "--workers", "1").exit_code == 0
    solved = plan.read_text(encoding="utf-8")
    data = yaml.safe_load(solved)
    assert [(x["a"], x["b"], x["gbps"]) for x in data["links"]] == [("a", "b", 3), ("b", "c", 3)]
    assert data["servers"][0]["used"]["nic_gbps"] == 3

    def wipe(d: dict) -> None:
        for link in d["links"]:
            link["gbps"] = 0.0
        d["servers"][0]["used"]["nic_gbps"] = 0.0

    edit(plan, wipe)
    stale = run_cli("check", scenario, plan)
    assert stale.exit_code == 5 and "stale [link-usage]" in stale.stdout
    result = run_cli("refresh", scenario, plan, "-o", plan)
    assert result.exit_code == 0, result.output
    assert "servers, links" in result.stdout
    note = "figures recomputed by nfvplan refresh after the placements were edited"
    refreshed = plan.read_text(encoding="utf-8").replace(f"notes: [{note}]", "notes: []")
    assert refreshed == solved
    assert run_cli("check", scenario, plan).exit_code == 0


def test_refresh_refuses_what_it_cannot_count(small: Path, plan: Path, tmp_path) -> None:
    """Tests `refresh` of a placement on a server the scenario lacks: exit 2, located, and
    nothing written; and a refused output name before anything is read."""
    edit(plan, lambda d: d["placements"][0].update(server="dc-a/s/9"))
    out = tmp_path / "out.yaml"
    result = run_cli("refresh", small, plan, "-o", out)
    assert result.exit_code == 2, result.output
    assert re.search(rf"{re.escape(str(plan))}:\d+:\d+: placements\[0\]\.server", result.stderr)
    assert not out.exists()
    bad_name = run_cli("refresh", small, plan, "-o", tmp_path / "out.csv")
    assert bad_name.exit_code == 2 and "'.csv' is not a plan format" in bad_name.stderr


def test_refresh_is_listed_in_the_readme() -> None:
    """Tests that the README documents the new command with its usage."""
    assert "nfvplan refresh SCENARIO PLAN -o PLAN" in (REPO / "README.md").read_text("utf-8")


def _block_indented_positions() -> list[tuple[Path, int, int]]:
    """(example, 0-based line, column) of every indentation space of a block-context line of
    the shipped examples: not blank, not a comment, not inside an open flow collection (where
    YAML allows tabs)."""
    positions = []
    for path in sorted((REPO / "examples").glob("*.yaml")):
        depth = 0
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            content = line.split(" #")[0] if not line.lstrip().startswith("#") else ""
            stripped = line.lstrip(" ")
            if depth == 0 and stripped and not stripped.startswith("#"):
                positions += [(path, number, k) for k in range(len(line) - len(stripped))]
            depth += sum(content.count(c) for c in "{[") - sum(content.count(c) for c in "}]")
    return positions


BLOCK_INDENTS = _block_indented_positions()


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(BLOCK_INDENTS))
def test_a_tab_anywhere_in_block_indentation_is_found(position: tuple[Path, int, int]) -> None:
    """Tests, over every shipped example, a space of a block line's indentation turned into a
    tab: always the tab error, at that line and column (PyYAML blames the token after it)."""
    path, number, column = position
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number] = lines[number][:column] + "\t" + lines[number][column + 1 :]
    with pytest.raises(InputError) as caught:
        parse_scenario("\n".join(lines) + "\n", filename="tabbed.yaml", base_dir=path.parent)
    problem = caught.value.problems[0]
    assert (problem.line, problem.column) == (number + 1, column + 1), problem
    assert "tab character" in problem.message and "indent with spaces" in problem.message
