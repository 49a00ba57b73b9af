"""Tests that hostile or mismatched input ends in a located exit 2 (or 5), never a crash.

Each test here pins down one crash the fuzzer (tests/cli/test_fuzz.py) found, or one way a plan
file can fail to belong to the scenario it is checked against: a plan from another scenario,
cut short, edited by hand or with the wrong types. The scenario is tests/scenarios.py's SMALL
(optimum 330 by hand, three servers), solved once per test with one worker.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
import yaml

from nfvplan.errors import InputError
from nfvplan.io import output, parse_scenario, read_plan, yamlsrc
from nfvplan.io.yamlsrc import MAX_PROBLEMS, parse_yaml
from tests.helpers import CliResult, nfvplan_command, run_cli
from tests.scenarios import SMALL


def no_crash(result: CliResult) -> None:
    """Neither stream shows a traceback, nothing escaped the app, no internal error."""
    assert "Traceback" not in result.output, result.output
    assert result.exception is None, repr(result.exception)
    assert result.exit_code != 1, result.output


@pytest.fixture
def plan(small: Path, tmp_path: Path) -> Path:
    """An optimal plan of SMALL, written by `nfvplan solve` and accepted by `check`."""
    path = tmp_path / "plan.yaml"
    result = run_cli("solve", small, "-o", path, "--workers", "1", "-q")
    assert result.exit_code == 0, result.output
    assert run_cli("check", small, path).exit_code == 0
    return path


def edit(path: Path, change) -> dict:
    """Apply `change(data)` to the plan file's data and write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return data


# --- crashes the fuzzer found -------------------------------------------------------------------


def test_show_a_plan_placing_on_an_unlisted_server(small: Path, plan: Path) -> None:
    """Tests `show` on a plan whose placement names a server missing from `servers:`.

    Found by swapping two values of a plan file (a server id and a service name): `show`
    raised KeyError. Now it prints the summary, counts the stray instance, exits 0; `check`
    reports the bad server id and exits 5.
    """
    edit(plan, lambda d: d["placements"][0].update(server="broadband"))
    shown = run_cli("show", small, plan)
    no_crash(shown)
    assert shown.exit_code == 0
    assert "1 instance placed on servers the plan does not list" in shown.stdout
    checked = run_cli("check", small, plan)
    no_crash(checked)
    assert checked.exit_code == 5
    assert "violation [server-id]" in checked.stdout
    assert "'broadband' is not of the form site/type/n" in checked.stdout


# --- the YAML reader ----------------------------------------------------------------------------


def test_a_control_character_after_accented_text_is_located_by_character() -> None:
    """Tests the column of a forbidden character that follows a two-byte character.

    libyaml reports byte offsets: 'name: é' is 8 bytes but 7 characters, so the BEL after it
    is character column 8 on line 2 (not 9).
    """
    with pytest.raises(InputError) as caught:
        parse_yaml("nfvplan: 1\nname: é\x07x\n", "f.yaml")
    assert str(caught.value) == (
        "f.yaml:2:8: character U+0007 is not allowed in YAML text; remove it"
    )


def test_text_with_a_lone_surrogate_is_refused_as_not_utf8() -> None:
    """Tests `parse_scenario` on Python text no file can hold (found by the fuzzer: the C
    parser raised UnicodeEncodeError)."""
    with pytest.raises(InputError) as caught:
        parse_scenario("nfvplan: 1\nname: \ud800\n", "f.yaml")
    assert "f.yaml:2:7: not UTF-8 text" in str(caught.value)


def test_fifty_thousand_unknown_keys_stop_after_the_problem_cap(tmp_path: Path) -> None:
    """Tests a generated file of 50 000 unknown top-level keys: reported and cut at
    MAX_PROBLEMS instead of running a 'did you mean' search for each (over a minute before)."""
    path = tmp_path / "keys.yaml"
    path.write_text("{" + ", ".join(f"k{i}: {i}" for i in range(50_000)) + "}\n")
    result = run_cli("solve", path)
    no_crash(result)
    assert result.exit_code == 2
    assert f"stopped after {MAX_PROBLEMS} problems" in result.stderr
    assert f"{path}:1:2: k0: unknown key 'k0'" in result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "nfvplan: 1\nname: é\x07x\n",
        "a: " + "[" * 10_000,
        "a: &x [*x]\n",
        "a: 1\na: 2\n",
        "a:\n\t- b\n",
        "a: {b: [1, 2, {c: d}]}\nb: &y {z: 1}\nc: {<<: *y, w: 2}\n",
    ],
)
def test_the_pure_python_parser_gives_the_same_answers(text: str, monkeypatch) -> None:
    """Tests the fallback for a PyYAML without libyaml against the libyaml reader: the same
    tree, or problems at the same places (syntax messages are worded by each parser)."""

    def answer() -> str:
        try:
            return repr(parse_yaml(text, "f.yaml"))
        except InputError as error:
            return repr([(p.line, p.column, p.path) for p in error.problems])

    fast = answer()
    monkeypatch.setattr(yamlsrc, "_LOADER", yamlsrc._Loader)
    assert answer() == fast


def test_names_with_yaml_line_breaks_survive_the_plan_file(tmp_path: Path) -> None:
    """Tests a scenario named with NEL, LS and PS characters: the written plan names it
    exactly, so `check` accepts the plan (found by the fuzzer: PyYAML wrote NEL raw inside
    single quotes, a reader folded it into a space and `check` reported another scenario)."""
    scenario = tmp_path / "odd.yaml"
    scenario.write_text(SMALL.replace("name: small", 'name: "a\\Nb\\Lc\\Pd"'), encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    solved = run_cli("solve", scenario, "-o", plan, "--workers", "1", "-q")
    assert solved.exit_code == 0, solved.output
    assert read_plan(plan).scenario == "a\x85b\u2028c\u2029d"
    checked = run_cli("check", scenario, plan)
    assert checked.exit_code == 0, checked.output


@pytest.mark.parametrize("trick", ["\\u202e", "\\u200b", "\\ufeff", "\\x85", "\\u2028", "\\e"])
def test_invisible_characters_in_names_are_refused(trick: str, tmp_path: Path) -> None:
    """Tests a VNF name holding a right-to-left override, a zero-width space, a BOM, NEL, a
    line separator or an escape: exit 2 at the name (a terminal would show 'amf' reversed, or
    two different names alike)."""
    scenario = tmp_path / "odd.yaml"
    scenario.write_text(SMALL.replace("  amf:", f'  "am{trick}f":'), encoding="utf-8")
    result = run_cli("solve", scenario)
    no_crash(result)
    assert result.exit_code == 2
    line = SMALL.splitlines().index(next(x for x in SMALL.splitlines() if "amf:" in x)) + 1
    assert f"{scenario}:{line}:3: vnfs[" in result.stderr
    assert "control or invisible characters" in result.stderr


def test_a_homoglyph_reference_is_an_unknown_name_with_a_hint(tmp_path: Path) -> None:
    """Tests a service chain naming 'аmf' (Cyrillic а) when the VNF is 'amf' (Latin a):
    refused at the reference, and the hint shows the real name (docs/format.md, Limits)."""
    scenario = tmp_path / "glyph.yaml"
    scenario.write_text(SMALL + "services:\n  s: {chain: [\u0430mf]}\n", encoding="utf-8")
    result = run_cli("solve", scenario)
    no_crash(result)
    assert result.exit_code == 2
    line = len(SMALL.splitlines()) + 2  # after SMALL and 'services:'
    # '  s: {chain: [' is 14 characters: the name starts in column 15.
    assert f"{scenario}:{line}:15: services.s.chain[0]: unknown VNF '\u0430mf'" in result.stderr
    assert "did you mean 'amf'?" in result.stderr


def test_a_closed_output_pipe_is_not_an_internal_error(small: Path, tmp_path: Path) -> None:
    """Tests `nfvplan check other-scenario plan | head -0`: the reader is gone before the
    first violation is printed. Click turned the broken pipe into exit 1 (our code for bugs);
    now the command ends by SIGPIPE like any Unix tool, silently."""
    other = tmp_path / "other.yaml"
    other.write_text(SMALL.replace("name: small", "name: other"), encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    assert run_cli("solve", small, "-o", plan, "--workers", "1", "-q").exit_code == 0
    process = subprocess.Popen(
        [*nfvplan_command(), "check", other, plan],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # long before the command has imported anything
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == -signal.SIGPIPE, stderr
    assert "internal error" not in stderr and "Traceback" not in stderr


# --- plan files that do not belong to the scenario ---------------------------------------------


def test_a_plan_of_another_scenario_names_both(small: Path, plan: Path, tmp_path: Path) -> None:
    """Tests `check` of SMALL's plan against a scenario named 'other' with other VNFs and
    sites: a well-formed plan breaking rules, so exit 5, and the only violation says whose
    plan it is."""
    other = tmp_path / "other.yaml"
    other.write_text(
        SMALL.replace("name: small", "name: other")
        .replace("dc-a", "north")
        .replace("dc-b", "south")
        .replace("amf", "smf"),
        encoding="utf-8",
    )
    result = run_cli("check", other, plan)
    no_crash(result)
    assert result.exit_code == 5
    lines = result.stdout.splitlines()
    # Each violation is located in the plan file: `scenario:` is its second line; amf-1 at
    # its placement entry (the `- ` of a block list item puts the mapping in column 3).
    # The mismatch alone: every other rule fails as a consequence (no VNF 'amf', no site
    # 'dc-a'...), and listing those buried the one message that matters.
    assert lines == [
        f"{plan}:2:1: violation [scenario]: the plan is for scenario 'small', "
        "this scenario is 'other'"
    ]
    assert f"1 rule violation found in {plan}" in result.stderr


def test_a_plan_naming_unknown_servers(small: Path, plan: Path) -> None:
    """Tests placements on a server number past the inventory and on a server type the site
    does not have: exit 5 with each server id and the valid range."""
    edit(
        plan,
        lambda d: (
            d["placements"][0].update(server="dc-a/s/9"),
            d["placements"][1].update(server="dc-b/big/1"),
        ),
    )
    result = run_cli("check", small, plan)
    no_crash(result)
    assert result.exit_code == 5
    # dc-a installs 3 `s` servers and may buy none: valid numbers are 1..3.
    assert "server dc-a/s/9: number 9 is outside 1..3" in result.stdout
    assert "server dc-b/big/1: site dc-b has no servers of type 'big'" in result.stdout


def test_a_plan_with_edited_numbers(small: Path, plan: Path) -> None:
    """Tests a plan whose objective and a server's usage were edited: exit 5 naming both as
    stale figures, with the recomputed figures (330: three servers at 100 and three amf
    licences at 10)."""
    data = edit(
        plan,
        lambda d: (
            d["objective"].update(value=250.0),
            d["servers"][0]["used"].update(threads=1.0),
        ),
    )
    result = run_cli("check", small, plan)
    no_crash(result)
    assert result.exit_code == 5
    assert "stale [objective]" in result.stdout and "330" in result.stdout
    assert f"{data['servers'][0]['id']}: threads reported as 1" in result.stdout
    # Located: the objective at its top-level key, the server usage at its `servers` entry.
    text = plan.read_text(encoding="utf-8").splitlines()
    objective_line = text.index("objective:") + 1 if "objective:" in text else None
    objective_line = objective_line or next(
        i for i, x in enumerate(text, 1) if x.startswith("objective:")
    )
    assert f"{plan}:{objective_line}:1: stale [objective]" in result.stdout
    server_line = next(i for i, x in enumerate(text, 1) if x.startswith("- id: "))
    assert f"{plan}:{server_line}:3: stale [server-usage]" in result.stdout


@pytest.mark.parametrize(
    ("cut", "expected"),
    [
        ("half", "YAML syntax error"),
        ("header", "missing required key 'status'"),
    ],
)
def test_a_truncated_plan(cut: str, expected: str, small: Path, plan: Path) -> None:
    """Tests a plan cut in the middle of a flow mapping (a syntax error at the end) and one cut
    after its first two lines (no status): exit 2, located in the plan file."""
    text = plan.read_text(encoding="utf-8")
    if cut == "half":
        flow = text.index("{", len(text) // 2)
        plan.write_text(text[: flow + 5], encoding="utf-8")
    else:
        plan.write_text("".join(text.splitlines(keepends=True)[:2]), encoding="utf-8")
    result = run_cli("check", small, plan)
    no_crash(result)
    assert result.exit_code == 2
    assert expected in result.stderr
    assert f"{plan}:" in result.stderr


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda d: d["placements"][0].update(numa_node=-1), "placements[0].numa_node", ">= 0"),
        (lambda d: d["placements"][1].pop("server"), "placements[1]", "missing required key"),
        (lambda d: d["servers"][0].update(rack="1"), "servers[0].rack", "quoted text"),
        (lambda d: d["summary"].update(instances=5.5), "summary.instances", "whole number"),
        (lambda d: d["objective"].update(value=float("nan")), "objective.value", "number"),
        (lambda d: d.update(placements={"a": 1}), "placements", "must be a list"),
        (lambda d: d.update(status="done"), "status", "must be one of"),
        (lambda d: d.update(nfvplan=2), "nfvplan", "unsupported plan version 2"),
    ],
)
def test_a_plan_with_wrong_types_or_missing_fields(
    change, field: str, message: str, small: Path, plan: Path
) -> None:
    """Tests each kind of malformed field in a plan: exit 2 at file:line:column and field."""
    edit(plan, change)
    result = run_cli("check", small, plan)
    no_crash(result)
    assert result.exit_code == 2, result.output
    located = [line for line in result.stderr.splitlines() if f": {field}: " in line]
    assert located, result.stderr
    assert re.search(rf"{re.escape(str(plan))}:\d+:\d+: {re.escape(field)}: ", located[0])
    assert message in located[0]


# --- unwritable output --------------------------------------------------------------------------


def test_a_full_disk_leaves_the_old_plan_and_no_temp_file(
    small: Path, plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests `solve -o` onto an existing plan when the disk fills up: simulated by making the
    writer's fsync fail with ENOSPC (never a real device: see docs/format.md). Exit 2 naming
    the file and the cause; the old plan is untouched and no temp file is left."""
    old = plan.read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output.os, "fsync", full)
    result = run_cli("solve", small, "-o", plan, "--workers", "1")
    no_crash(result)
    assert result.exit_code == 2
    assert f"error: cannot write {plan}: No space left on device" in result.stderr
    assert plan.read_bytes() == old
    assert sorted(p.name for p in plan.parent.iterdir()) == ["plan.yaml", "small.yaml"]


@pytest.mark.parametrize("where", ["under a file", "in /proc"])
def test_an_unwritable_path_is_a_clear_error(where: str, small: Path, tmp_path: Path) -> None:
    """Tests `-o` where even root cannot write: under a regular file (`file.txt/plan.yaml`)
    and inside /proc. Exit 2 naming the path; nothing is created."""
    if where == "under a file":
        (tmp_path / "file.txt").write_text("not a directory\n")
        target = tmp_path / "file.txt" / "plan.yaml"
    else:
        target = Path("/proc/nfvplan-test/plan.yaml")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_cli("solve", small, "-o", target, "--workers", "1")
    no_crash(result)
    assert result.exit_code == 2
    assert f"error: cannot write {target}: " in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not target.exists()


def test_an_aligned_instance_on_a_single_numa_node_server_names_node_0(tmp_path: Path) -> None:
    """Tests `numa: aligned` on a server with `numa_nodes: 1` (found by the brute-force
    hypothesis test in the full run): when the starting plan is proven optimal by the bound,
    the plan gave no numa_node and `check` refused the solver's own plan. One node, so the
    instance is on node 0. Optimum 100 by hand, the one server: as containers, 2 GiB reserve +
    (7 + 0.5) + (1 + 0.5) = 11 GiB <= 16 and 1 core + (1.5 + 1.5) / 2 threads <= 4."""
    scenario = tmp_path / "numa.yaml"
    scenario.write_text(
        "nfvplan: 1\nname: t\nplatform:\n"
        "  vm: {overhead: {vcpu: 1, memory_gib: 2}, host_reserve: {cores: 1, memory_gib: 4}}\n"
        "  container: {overhead: {vcpu: 0.5, memory_gib: 0.5},"
        " host_reserve: {cores: 1, memory_gib: 2}}\n"
        "  cpu_overcommit: 2\nserver_types:\n"
        "  t1: {cores: 4, memory_gib: 16, monthly_cost: 100}\n"
        "sites:\n  a: {servers: {t1: 1}}\nvnfs:\n"
        "  f0: {flavor: {vcpu: 1, memory_gib: 7}, replicas: 1, trust: blue}\n"
        "  f1: {flavor: {vcpu: 1, memory_gib: 1}, forms: [container], replicas: 1,"
        " trust: blue, numa: aligned}\n",
        encoding="utf-8",
    )
    plan = tmp_path / "plan.yaml"
    assert run_cli("solve", scenario, "-o", plan, "--workers", "1", "-q").exit_code == 0
    f1 = [p for p in read_plan(plan).placements if p.vnf == "f1"]
    assert [p.numa_node for p in f1] == [0]
    checked = run_cli("check", scenario, plan)
    assert checked.exit_code == 0, checked.output
    assert "every rule holds (optimal, 2 instances on 1 server)" in checked.stdout
