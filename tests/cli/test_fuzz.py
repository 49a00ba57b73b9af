"""Fuzz tests: every file a command reads, mutated or replaced by garbage, never crashes it.

The harness is tests/fuzzing.py. Seeds are the real files: the examples, the topologies they
include and plans the solver writes for them. Each case runs the CLI in-process under a
deadline; the only acceptable outcomes are a plan or check verdict (the exit codes each test
allows) or a located exit 2. Mutants are reproducible (fixed seeds): a failure names its case
label, e.g. `#7 swap-values`, and `tests/fuzzing.py: mutants(seed, count=8, seed=...)[7]`
rebuilds it. Set NFVPLAN_FUZZ_CASES (default 12) for more mutants per seed file.
"""

from __future__ import annotations

import os
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nfvplan.io import load_scenario, write_plan
from nfvplan.io.plan_io import MAX_PLAN_BYTES
from nfvplan.io.yamlsrc import MAX_BYTES
from nfvplan.solver import SolveOptions, solve
from tests.fuzzing import fuzz_command, hostile_documents, mutants
from tests.helpers import EXAMPLES, REPO, run_cli

CASES = int(os.environ.get("NFVPLAN_FUZZ_CASES", "12"))

SEEDS = {
    "5g-core": "examples/5g-core.yaml",
    "5g-edge-topology": "examples/5g-edge-topology.yaml",
    "infeasible-racks": "examples/infeasible-racks.yaml",
}
"""A VNF-rich scenario, one with a topology, routes and links, and one without a plan."""

PLAN_EXITS = (0, 3, 4)
CHECK_EXITS = (0, 5)
SHOW_EXITS = (0,)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The seed files: examples, every topology, and a solver-written plan per seed scenario."""
    files = {
        str(path.relative_to(REPO)): path.read_bytes()
        for folder in (EXAMPLES, REPO / "topologies")
        for path in sorted(folder.glob("*.yaml"))
    }
    out = tmp_path_factory.mktemp("plans")
    for name, relative in SEEDS.items():
        scenario = load_scenario(REPO / relative)
        plan = solve(scenario, SolveOptions(time_limit_s=5, workers=1, seed=1))
        write_plan(plan, out / f"{name}.yaml")
        files[f"plans/{name}.yaml"] = (out / f"{name}.yaml").read_bytes()
    return files


def command(verb: str, name: str) -> list[str]:
    """`nfvplan VERB scenario plan` over the fuzz tree."""
    return [verb, "{root}/" + SEEDS[name], "{root}/plans/" + name + ".yaml"]


def assert_no_failures(failures: list) -> None:
    assert not failures, f"{len(failures)} case(s) failed:\n" + "\n\n".join(map(str, failures))


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_mutated_scenarios_checked(name: str, tree: dict[str, bytes], tmp_path: Path) -> None:
    """Tests `check` on mutants of each seed scenario against the plan made for the original."""
    cases = mutants(tree[SEEDS[name]], count=CASES, seed=11)
    failures = fuzz_command(
        tree, SEEDS[name], command("check", name), cases, root=tmp_path, allowed=CHECK_EXITS
    )
    assert_no_failures(failures)


def test_mutated_scenarios_solved(tree: dict[str, bytes], tmp_path: Path) -> None:
    """Tests `solve -o` on mutants of 5g-core: the solver, writer and summary survive whatever
    the loader accepts (one second, one worker each)."""
    cases = mutants(tree[SEEDS["5g-core"]], count=max(CASES // 2, 4), seed=12)
    solve_command = [
        "solve",
        "{root}/" + SEEDS["5g-core"],
        "-o",
        "{root}/out.yaml",
        "--time-limit",
        "1",
        "--workers",
        "1",
    ]
    failures = fuzz_command(
        tree, SEEDS["5g-core"], solve_command, cases, root=tmp_path, allowed=PLAN_EXITS
    )
    assert_no_failures(failures)


@pytest.mark.parametrize("verb", ["check", "show"])
@pytest.mark.parametrize("name", sorted(SEEDS))
def test_mutated_plans(verb: str, name: str, tree: dict[str, bytes], tmp_path: Path) -> None:
    """Tests `check` and `show` on mutants of the plan the solver wrote for each seed."""
    cases = mutants(tree[f"plans/{name}.yaml"], count=CASES, seed=21 if verb == "check" else 22)
    allowed = CHECK_EXITS if verb == "check" else SHOW_EXITS
    failures = fuzz_command(
        tree, f"plans/{name}.yaml", command(verb, name), cases, root=tmp_path, allowed=allowed
    )
    assert_no_failures(failures)


def test_mutated_topology(tree: dict[str, bytes], tmp_path: Path) -> None:
    """Tests `check` of 5g-edge-topology with mutants of the topology file it includes."""
    target = "topologies/metro-ring.yaml"
    cases = mutants(tree[target], count=CASES, seed=31)
    failures = fuzz_command(
        tree, target, command("check", "5g-edge-topology"), cases, root=tmp_path, allowed=(0, 5)
    )
    assert_no_failures(failures)


@pytest.mark.parametrize(
    ("target", "name", "limit"),
    [
        ("examples/5g-core.yaml", "5g-core", MAX_BYTES),
        ("topologies/metro-ring.yaml", "5g-edge-topology", MAX_BYTES),
        ("plans/5g-edge-topology.yaml", "5g-edge-topology", MAX_PLAN_BYTES),
    ],
)
def test_hostile_documents(
    target: str, name: str, limit: int, tree: dict[str, bytes], tmp_path: Path
) -> None:
    """Tests generated garbage in place of a scenario, a topology and a plan: alias bombs,
    10 000-deep nesting, NaN/inf/-0, 10**400, unicode tricks in names, duplicate keys, tabs,
    BOMs, UTF-16, Latin-1, an empty file, a file just above the size limit."""
    cases = list(hostile_documents(tree[target], max_bytes=limit))
    failures = fuzz_command(
        tree, target, command("check", name), cases, root=tmp_path, allowed=CHECK_EXITS
    )
    assert_no_failures(failures)


def test_a_100_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    """Tests a 100 MB scenario and plan (sparse files): exit 2 naming the size limit; only
    the limit + 1 bytes are read, so this is as quick as a small file."""
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)
    for args in (["solve", big], ["check", EXAMPLES / "5g-core.yaml", big]):
        result = run_cli(*args)
        assert result.exit_code == 2, result.output
        assert f"{big}: file is larger than" in result.stderr
        assert "Traceback" not in result.output


@pytest.mark.parametrize("where", ["scenario", "plan", "topology"])
def test_a_directory_given_as_a_file(where: str, tmp_path: Path) -> None:
    """Tests a directory where each kind of file is expected: exit 2 naming it."""
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    scenario = EXAMPLES / "5g-core.yaml"
    if where == "topology":
        scenario = tmp_path / "s.yaml"
        text = (EXAMPLES / "5g-edge-topology.yaml").read_text(encoding="utf-8")
        scenario.write_text(
            text.replace("topology: ../topologies/metro-ring.yaml", f"topology: {folder}"),
            encoding="utf-8",
        )
    args = ["check", scenario, folder] if where == "plan" else ["solve", folder]
    if where == "topology":
        args = ["solve", scenario]
    result = run_cli(*args)
    assert result.exit_code == 2, result.output
    assert str(folder) in result.stderr
    assert "Traceback" not in result.output


ODD_CHARACTERS = ["\u202e", "\u200b", "\u00e9", "\u0430", "\u4e2d", "\U0001f680", "\u2028"]
ODD_CHARACTERS.append("\u0085")
"""RTL override, zero-width space, é, Cyrillic a, a CJK character, an emoji, LS, NEL."""
NAME_CHARS = st.sampled_from(
    [*string.ascii_letters, *string.digits, *"-_.:#&*!|>'\"%@`{}[], ", *ODD_CHARACTERS]
)


@settings(
    max_examples=max(CASES, 10),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(site=st.text(NAME_CHARS, min_size=1, max_size=12), vnf=st.text(NAME_CHARS, min_size=1))
def test_odd_names_survive_solve_write_and_check(site: str, vnf: str, tmp_path: Path) -> None:
    """Tests names with YAML punctuation, RTL overrides, zero-width and homoglyph characters:
    refused with a located exit 2, or solved, written and read back by `check` unchanged."""
    scenario = tmp_path / "odd.yaml"
    scenario.write_text(
        "nfvplan: 1\nname: odd\n"
        "server_types:\n  s: {cores: 4, memory_gib: 8, monthly_cost: 10}\n"
        f"sites:\n  {_quoted(site)}: {{servers: {{s: 2}}}}\n"
        f"vnfs:\n  {_quoted(vnf)}: {{flavor: {{vcpu: 1, memory_gib: 1}}, replicas: 2}}\n",
        encoding="utf-8",
    )
    plan = tmp_path / "odd-plan.yaml"
    solved = run_cli("solve", scenario, "-o", plan, "--workers", "1", "-q")
    assert "Traceback" not in solved.output and solved.exception is None, solved.output
    if solved.exit_code == 2:
        assert f"{scenario}:" in solved.stderr
        return
    # Two 1-vCPU replicas on one 4-core server: optimum 10.
    assert solved.exit_code == 0, solved.output
    checked = run_cli("check", scenario, plan)
    assert checked.exit_code == 0, checked.output
    assert "every rule holds (optimal, 2 instances on 1 server)" in checked.stdout


def _quoted(name: str) -> str:
    """`name` as a double-quoted YAML key (escapes for quotes, backslashes and breaks)."""
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\u2028", "\\L").replace("\u0085", "\\N")
    return f'"{escaped}"'
