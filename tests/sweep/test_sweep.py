"""Tests that `nfvplan sweep` runs a grid of what-ifs, keeps every finished row, and resumes.

One tiny scenario (TINY, every case solves in well under a second) is swept over 3 demand
factors x {no failure, each site failed}. Runs go through the real CLI and the real solver, on
the local process pool and on a Dask LocalCluster; every plan written is re-checked.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nfvplan.check import check_plan
from nfvplan.errors import InputError
from nfvplan.io import read_plan
from nfvplan.sweep import case_id, expand, load_sweep
from nfvplan.sweep.grid import validate_cases
from nfvplan.whatif.changes import Changes, apply_changes
from tests.helpers import CliResult, run_cli

TINY = """\
nfvplan: 1
name: tiny
platform:
  vm: {}
  container: {}
  cpu_overcommit: 1
server_types:
  s: {cores: 8, threads_per_core: 1, memory_gib: 32, nic_gbps: 100, monthly_cost: 100}
sites:
  a: {servers: {s: 3}}
  b: {servers: {s: 3}}
links:
  - {between: [a, b], gbps: 100, latency_ms: 1}
vnfs:
  amf: {flavor: {vcpu: 8, memory_gib: 4}, replicas: 2, anti_affinity: host}
  upf: {flavor: {vcpu: 8, memory_gib: 4}, throughput_gbps: 10}
services:
  web: {chain: [upf], demands: [{from: a, gbps: 10}]}
"""
"""Every instance takes a whole server (8 vCPU on 8 threads, no overheads), so the cost is
100 x instances: 2 amf + ceil(10 f / 10) = ceil(f) upf for demand factor f.
- no failure: f=1 -> 3 servers = 300, f=2 -> 400, f=3 -> 500 (6 servers exist).
- site a failed: the demand enters at a, so it is dropped: 0 upf, the 2 amf on b = 200.
- site b failed: only a's 3 servers: f=1 -> 300; f=2 and f=3 need 4 and 5: infeasible."""

EXPECTED = {
    ("1", "none"): ("optimal", 300.0),
    ("2", "none"): ("optimal", 400.0),
    ("3", "none"): ("optimal", 500.0),
    ("1", "site:a"): ("optimal", 200.0),
    ("2", "site:a"): ("optimal", 200.0),
    ("3", "site:a"): ("optimal", 200.0),
    ("1", "site:b"): ("optimal", 300.0),
    ("2", "site:b"): ("infeasible", None),
    ("3", "site:b"): ("infeasible", None),
}
"""(scale_demand, fail) -> (status, monthly cost), from the derivation under TINY."""

SWEEP = """\
nfvplan-sweep: 1
scenario: tiny.yaml
axes:
  scale_demand: [1, 2, 3]
  fail: [none, each-site]
solver: {time_limit_s: 10, workers: 1, seed: 1}
"""


@pytest.fixture
def sweep(tmp_path: Path) -> Path:
    """TINY and the 3 x 3 sweep over it, side by side."""
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    path = tmp_path / "sweep.yaml"
    path.write_text(SWEEP, encoding="utf-8")
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a results file (CSV or JSON Lines), every value as text."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in text.splitlines()]
        return [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]
    return list(csv.DictReader(io.StringIO(text)))


def assert_expected(rows: list[dict[str, str]]) -> None:
    """Every case once, each with the hand-derived status and cost."""
    assert len(rows) == len(EXPECTED)
    for row in rows:
        status, cost = EXPECTED[(row["scale_demand"], row["fail"])]
        assert row["status"] == status, row
        assert (float(row["monthly_cost"]) if row["monthly_cost"] else None) == cost, row
        assert row["violations"] == "0", row
        assert row["error"] == "", row
    assert len({row["case"] for row in rows}) == len(rows)


def ok(result: CliResult) -> None:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def test_local_pool_runs_every_case_with_the_hand_derived_costs(
    sweep: Path, tmp_path: Path
) -> None:
    """Tests that the local pool gives one row per case, each with the derived cost, and that
    every plan kept with --plans passes the independent checker on its changed scenario."""
    plans = tmp_path / "plans"
    plans.mkdir()
    out = tmp_path / "results.csv"
    result = run_cli("sweep", sweep, "-o", out, "--jobs", "2", "--plans", plans)
    ok(result)
    rows = read_rows(out)
    assert_expected(rows)
    spec = load_sweep(sweep)
    assert [row["case"] for row in rows] == [case.id for case in expand(spec)]  # grid order
    for row in rows:
        changes = Changes(scale_demand=(row["scale_demand"],))
        if row["fail"] != "none":
            changes = Changes(scale_demand=(row["scale_demand"],), fails=(row["fail"],))
        scenario = apply_changes(sweep.parent / "tiny.yaml", changes).scenario
        plan = read_plan(Path(row["plan"]))
        assert check_plan(scenario, plan) == []
        assert plan.status.value == row["status"]


def test_dask_local_cluster_gives_the_same_rows(sweep: Path, tmp_path: Path) -> None:
    """Tests that `--dask local` runs the grid on a LocalCluster with the same results."""
    pytest.importorskip("distributed")
    out = tmp_path / "results.jsonl"
    result = run_cli("sweep", sweep, "-o", out, "--dask", "local", "--jobs", "1")
    ok(result)
    assert "Dask LocalCluster" in result.stderr
    assert_expected(read_rows(out))


def test_scheduler_runs_on_an_existing_dask_cluster(sweep: Path, tmp_path: Path) -> None:
    """Tests that `--scheduler ADDRESS` connects to a running cluster (here an in-process one
    with a thread worker, which starts in a blink) and gets the same results."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        out = tmp_path / "results.json"
        result = run_cli("sweep", sweep, "-o", out, "--scheduler", cluster.scheduler_address)
    ok(result)
    assert f"Dask scheduler {cluster.scheduler_address}, 1 worker" in result.stderr
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert_expected([{k: "" if v is None else str(v) for k, v in r.items()} for r in rows])


def test_dask_missing_is_a_clear_usage_error(
    sweep: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests that choosing a Dask engine without the package says what to install (exit 2)."""
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now fails
    result = run_cli("sweep", sweep, "-o", tmp_path / "r.csv", "--dask", "local", "-q")
    assert result.exit_code == 2, result.output
    assert "pip install 'nfvplan[dask]'" in result.stderr
    assert "Traceback" not in result.output


def test_a_failing_case_is_recorded_and_the_rest_finish(sweep: Path, tmp_path: Path) -> None:
    """Tests that a case that raises becomes an error row, the other cases still run, the exit
    code says so, and `--resume --retry-failed` runs only that case again."""
    plans = tmp_path / "plans"
    plans.mkdir()
    broken = case_id({"scale_demand": "2", "fail": "none"})
    (plans / f"{broken}.yaml").mkdir()  # its plan cannot be written: the case raises
    out = tmp_path / "results.csv"
    result = run_cli("sweep", sweep, "-o", out, "--plans", plans, "-q")
    assert result.exit_code == 1, result.output
    assert "1 of 9 cases failed" in result.stderr
    rows = {row["case"]: row for row in read_rows(out)}
    assert len(rows) == 9
    assert rows[broken]["status"] == "error"
    assert "IsADirectoryError" in rows[broken]["error"]
    others = {k: v for k, v in rows.items() if k != broken}
    assert all(r["status"] in ("optimal", "infeasible") for r in others.values())

    (plans / f"{broken}.yaml").rmdir()
    again = run_cli("sweep", sweep, "-o", out, "--plans", plans, "--resume", "--retry-failed")
    ok(again)
    assert "9 cases, 1 to run" in again.stderr
    after = {row["case"]: row for row in read_rows(out)}
    assert_expected(list(after.values()))
    assert all(after[k]["wall_s"] == v["wall_s"] for k, v in others.items())  # not re-run


def test_resume_runs_nothing_when_complete_and_only_missing_cases(
    sweep: Path, tmp_path: Path
) -> None:
    """Tests that --resume skips the cases already in the file, by case id."""
    out = tmp_path / "results.jsonl"
    ok(run_cli("sweep", sweep, "-o", out, "--jobs", "1", "-q"))
    complete = out.read_text(encoding="utf-8")

    again = run_cli("sweep", sweep, "-o", out, "--resume")
    ok(again)
    assert "9 cases, 0 to run, 9 already in" in again.stderr
    assert out.read_text(encoding="utf-8") == complete  # nothing re-run, rows unchanged

    lines = complete.splitlines(keepends=True)
    out.write_text("".join(lines[:2] + lines[5:]), encoding="utf-8")  # rows 3, 4, 5 deleted
    resumed = run_cli("sweep", sweep, "-o", out, "--resume", "--jobs", "1")
    ok(resumed)
    assert "9 cases, 3 to run, 6 already in" in resumed.stderr
    after = out.read_text(encoding="utf-8").splitlines(keepends=True)
    assert after[:2] + after[5:] == lines[:2] + lines[5:]  # kept rows untouched, in grid order
    assert_expected(read_rows(out))


def test_resume_runs_again_the_rows_whose_inputs_changed(sweep: Path, tmp_path: Path) -> None:
    """Tests that --resume never keeps a row computed from another scenario or solver block.

    A case id names the axis values only; the `inputs` digest covers what they stand for. A
    comment or re-indentation changes no number, so every row is kept; doubling the server
    cost changes all nine, which run again at twice the hand-derived costs (every instance
    takes a whole server, so cost = servers x price)."""
    out = tmp_path / "results.csv"
    ok(run_cli("sweep", sweep, "-o", out, "--jobs", "1", "-q"))
    first = out.read_text(encoding="utf-8")
    scenario = tmp_path / "tiny.yaml"

    scenario.write_text("# reviewed\n" + TINY.replace("{}", "{ }"), encoding="utf-8")
    same = run_cli("sweep", sweep, "-o", out, "--resume")
    ok(same)
    assert "9 cases, 0 to run, 9 already in" in same.stderr
    assert out.read_text(encoding="utf-8") == first

    scenario.write_text(TINY.replace("monthly_cost: 100", "monthly_cost: 200"), encoding="utf-8")
    changed = run_cli("sweep", sweep, "-o", out, "--resume", "--jobs", "1")
    ok(changed)
    assert "9 cases, 9 to run, 0 already in" in changed.stderr
    assert "9 of its rows run again" in changed.stderr
    rows = read_rows(out)
    assert len(rows) == 9
    for row in rows:
        status, cost = EXPECTED[(row["scale_demand"], row["fail"])]
        assert row["status"] == status
        assert (float(row["monthly_cost"]) if row["monthly_cost"] else None) == (
            None if cost is None else 2 * cost
        )

    sweep.write_text(SWEEP.replace("seed: 1", "seed: 2"), encoding="utf-8")
    reseeded = run_cli("sweep", sweep, "-o", out, "--resume", "--jobs", "1", "-q")
    ok(reseeded)
    assert {row["inputs"] for row in read_rows(out)}.isdisjoint({row["inputs"] for row in rows})


def test_an_existing_output_is_refused_without_resume_or_force(sweep: Path, tmp_path: Path) -> None:
    """Tests that a results file is never overwritten by accident."""
    out = tmp_path / "results.csv"
    out.write_text("precious\n", encoding="utf-8")
    refused = run_cli("sweep", sweep, "-o", out)
    assert refused.exit_code == 2
    assert "--resume" in refused.stderr and "--force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "precious\n"
    mismatched = run_cli("sweep", sweep, "-o", out, "--resume")  # not this sweep's columns
    assert mismatched.exit_code == 2
    assert f"{out}:1:1" in mismatched.stderr
    ok(run_cli("sweep", sweep, "-o", out, "--force", "-q"))
    assert_expected(read_rows(out))


BAD_SWEEPS = [
    ("nfvplan-sweep: 2\nscenario: tiny.yaml\naxes: {fail: [none]}\n", "1:16", "must be 1"),
    ("nfvplan-sweep: 1\nscenario: nope.yaml\naxes: {fail: [none]}\n", "2:11", "file not found"),
    ("nfvplan-sweep: 1\nscenario: tiny.yaml\naxes:\n  colour: [red]\n", "4:3", "valid keys"),
    ("nfvplan-sweep: 1\nscenario: tiny.yaml\naxes:\n  fail: none\n", "4:9", "must be a list"),
    (
        "nfvplan-sweep: 1\nscenario: tiny.yaml\naxes:\n  scale_demand: {from: 1, to: 3, step: 0}\n",
        "4:40",
        "must be a number > 0",
    ),
    (
        "nfvplan-sweep: 1\nscenario: tiny.yaml\naxes:\n  scale_demand: {from: 1, to: 3}\n",
        "4:17",
        "missing required key 'step'",
    ),
    (
        "nfvplan-sweep: 1\nscenario: tiny.yaml\naxes:\n  fail: [none, 'site:c']\n",
        "4:16",
        "unknown site 'c'; defined: a, b",
    ),
    (
        "nfvplan-sweep: 1\nscenario: tiny.yaml\naxes:\n  fail: [each-sites]\n",
        "4:10",
        "did you mean 'each-site'",
    ),
    (
        "nfvplan-sweep: 1\nscenario: tiny.yaml\naxes:\n  set: [{vnfs.amf.replicaz: 3}]\n",
        "4:9",
        "did you mean 'replicas'",
    ),
    (
        "nfvplan-sweep: 1\nscenario: tiny.yaml\naxes:\n  scale_demand: [1, 1.0]\n",
        "4:21",
        "listed twice",
    ),
    (
        "nfvplan-sweep: 1\nscenario: tiny.yaml\naxes:\n  objective: [cost]\n"
        "solver: {time_limit: 5}\n",
        "5:10",
        "did you mean 'time_limit_s'",
    ),
]


@pytest.mark.parametrize(("text", "where", "message"), BAD_SWEEPS)
def test_bad_sweep_files_exit_2_located_and_write_nothing(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    """Tests that a bad sweep file is refused before any case runs, with file:line:column,
    what is valid, and no output file created."""
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    path = tmp_path / "sweep.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "results.csv"
    result = run_cli("sweep", path, "-o", out)
    assert result.exit_code == 2, result.output
    assert f"{path}:{where}:" in result.stderr, result.stderr
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output and result.exception is None
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.yaml", "tiny.yaml"]


def test_case_ids_are_stable_and_independent_of_axis_order(sweep: Path) -> None:
    """Tests that a case id depends only on its axis values, so --resume finds it again."""
    assert case_id({"scale_demand": "1", "fail": "none"}) == case_id(
        {"fail": "none", "scale_demand": "1"}
    )
    ids = [case.id for case in expand(load_sweep(sweep))]
    assert len(set(ids)) == 9
    reordered = SWEEP.replace(
        "  scale_demand: [1, 2, 3]\n  fail: [none, each-site]\n",
        "  fail: [none, each-site]\n  scale_demand: [1, 2, 3]\n",
    )
    sweep.write_text(reordered, encoding="utf-8")
    assert sorted(case.id for case in expand(load_sweep(sweep))) == sorted(ids)


AXIS_VALUES = st.one_of(
    st.integers(-3, 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "none",
            "each-site",
            "each-link",
            "each-server",
            "site:a",
            "site:zz",
            "link:a,b",
            "server:a/s/1",
            "server:a/s/7",
            "web=2",
            "web=-1",
            "nope=2",
            "cost",
            "servers",
            "vnfs.amf.replicas=3",
            "vnfs.amf.replicas=x",
            "",
            "link:",
            ":",
        ]
    ),
    st.dictionaries(st.sampled_from(["vnfs.amf.replicas", "vnfs.zz", "a"]), st.integers(0, 4)),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    axes=st.dictionaries(
        st.sampled_from(["scale_demand", "fail", "objective", "set", "patch", "other"]),
        st.one_of(st.lists(AXIS_VALUES, max_size=3), AXIS_VALUES),
        max_size=3,
    )
)
def test_any_sweep_file_is_accepted_or_refused_with_located_problems(
    tmp_path: Path, axes: dict
) -> None:
    """Tests that whatever the axes hold, loading either succeeds with valid cases or raises
    InputError whose problems carry a line; never another exception."""
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    path = tmp_path / "sweep.yaml"
    document = {"nfvplan-sweep": 1, "scenario": "tiny.yaml", "axes": axes}
    path.write_text(json.dumps(document), encoding="utf-8")  # JSON is YAML
    try:
        spec = load_sweep(path)
        validate_cases(spec, expand(spec))
    except InputError as error:
        assert error.problems
        assert all(p.line is not None for p in error.problems if p.file == str(path))


def test_ctrl_c_keeps_every_finished_row_and_exits_130(tmp_path: Path) -> None:
    """Tests a real interruption: the CLI in a subprocess on a 153-case grid gets SIGINT once
    the first row is on disk; the file is then a whole CSV holding every finished row."""
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    path = tmp_path / "sweep.yaml"
    path.write_text(SWEEP.replace("[1, 2, 3]", "{from: 0.5, to: 3, step: 0.05}"), encoding="utf-8")
    out = tmp_path / "results.csv"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nfvplan.cli.main",
            "sweep",
            str(path),
            "-o",
            str(out),
            "--jobs",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, COLUMNS="200"),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if out.exists() and len(read_rows(out)) >= 1:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the sweep ended before it could be interrupted"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert "--resume" in stderr and "Traceback" not in stderr
    text = out.read_text(encoding="utf-8")
    assert text.endswith("\n")
    rows = read_rows(out)
    assert 1 <= len(rows) < 153
    assert all(row["status"] in ("optimal", "infeasible") and row["wall_s"] for row in rows)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".results.csv.")]
