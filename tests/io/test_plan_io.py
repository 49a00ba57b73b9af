"""Tests that plans survive a write/read round trip, are written atomically, and that a broken
hand-edited plan is refused with a located InputError rather than a KeyError."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from nfvplan.errors import InputError
from nfvplan.io import dump_plan, plan_io, plan_to_dict, read_plan, write_plan
from nfvplan.plan import (
    RESOURCE_KEYS,
    LinkLoad,
    ObjectiveValue,
    Placement,
    Plan,
    Route,
    ServerUse,
    SolveStats,
    Status,
    Summary,
)


def _used(threads: float, memory: float) -> dict[str, float]:
    return {
        "threads": threads,
        "memory_gib": memory,
        "disk_gib": 60.0,
        "nic_gbps": 25.0,
        "sriov_vfs": 4.0,
    }


PLAN = Plan(
    scenario="metro-5g",
    status=Status.OPTIMAL,
    objective=ObjectiveValue("cost", 9870.0, 9870.0, 0.0),
    summary=Summary(9870.0, 2, 1, 3, 1, 2, 0.71, 0.48),
    servers=[
        ServerUse("core-1/r750-nfv/3", "core-1", "r750-nfv", 3, False, _used(88.5, 301.0)),
        ServerUse("edge-a/edge-1u/3", "edge-a", "edge-1u", 1, True, _used(20.25, 64.0)),
    ],
    placements=[
        Placement("amf", "amf-1", "core-1/r750-nfv/3", "vm"),
        Placement("upf", "upf-1", "edge-a/edge-1u/3", "container", numa_node=0),
        Placement("firewall", "firewall-1", "core-1/r750-nfv/3", "container"),
    ],
    routes=[Route("mobile-broadband", 0, 40.0, 5.5, ["edge-a", "core-1"], ["upf-1", "firewall-1"])],
    links=[LinkLoad("core-1", "edge-a", 40.0, 100.0)],
    explanation=None,
    stats=SolveStats(1.25, "compact", 2, 1),
)

INFEASIBLE = Plan(
    scenario="tiny",
    status=Status.INFEASIBLE,
    objective=ObjectiveValue("cost", None, None, None),
    explanation=["vnfs.amf.replicas: 3 replicas with anti_affinity host", "sites.dc: 2 servers"],
)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("plan", [PLAN, INFEASIBLE], ids=["optimal", "infeasible"])
def test_round_trip(tmp_path: Path, plan: Plan, fmt: str) -> None:
    """Tests that write_plan then read_plan gives back an equal Plan, in both formats, but for
    the wall time, which plan files leave out (they are the same bytes on any machine)."""
    path = tmp_path / f"plan.{fmt}"
    write_plan(plan, path, fmt)
    assert read_plan(path) == replace(plan, stats=replace(plan.stats, wall_time_s=0.0))
    assert "wall_time" not in path.read_text(encoding="utf-8")


def test_plan_written_with_a_wall_time_still_reads(tmp_path: Path) -> None:
    """Tests that a plan file of an older nfvplan (with `stats.wall_time_s`) still loads."""
    path = tmp_path / "old.yaml"
    text = dump_plan(PLAN).replace("stats:\n", "stats:\n  wall_time_s: 3.5\n")
    path.write_text(text, encoding="utf-8")
    assert read_plan(path).stats.wall_time_s == 3.5


def test_plan_dict_follows_the_format() -> None:
    """Tests key order, enum strings, resource keys and rounding of FORMAT.md section 2."""
    data = plan_to_dict(PLAN)
    assert list(data) == [
        "nfvplan",
        "scenario",
        "status",
        "objective",
        "summary",
        "servers",
        "placements",
        "routes",
        "links",
        "explanation",
        "stats",
    ]
    assert data["nfvplan"] == 1 and data["status"] == "optimal"
    assert list(data["servers"][0]["used"]) == list(RESOURCE_KEYS)
    assert "numa_node" not in data["placements"][0] and data["placements"][1]["numa_node"] == 0
    assert data["links"][0]["utilisation"] == 0.4
    odd = Plan("x", Status.FEASIBLE, ObjectiveValue("balance", 1 / 3, float("inf"), None))
    assert plan_to_dict(odd)["objective"] == {
        "name": "balance",
        "value": 0.333333,
        "bound": None,  # inf has no portable spelling
        "gap": None,
    }


def test_dump_formats_parse_back_alike() -> None:
    """Tests that the YAML and JSON texts hold the same data."""
    assert yaml.safe_load(dump_plan(PLAN, "yaml")) == json.loads(dump_plan(PLAN, "json"))
    with pytest.raises(InputError, match="unknown plan format 'xml'"):
        dump_plan(PLAN, "xml")


def test_format_follows_the_suffix(tmp_path: Path) -> None:
    """Tests that write_plan picks JSON for a .json path when no format is given."""
    path = tmp_path / "plan.json"
    write_plan(PLAN, path)
    assert json.loads(path.read_text())["scenario"] == "metro-5g"


def _files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_failed_serialisation_leaves_existing_file_intact(tmp_path: Path, monkeypatch) -> None:
    """Tests that when the plan cannot be serialised nothing is written or left behind."""
    path = tmp_path / "plan.yaml"
    path.write_text("old plan\n")

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("cannot represent")

    monkeypatch.setattr(plan_io.yaml, "dump", broken)
    with pytest.raises(RuntimeError):
        write_plan(PLAN, path)
    assert path.read_text() == "old plan\n"
    assert _files(tmp_path) == ["plan.yaml"]


@pytest.mark.parametrize("fail_in", ["fsync", "replace"])
def test_failed_write_removes_temp_file(tmp_path: Path, monkeypatch, fail_in: str) -> None:
    """Tests that a failure mid-write (disk full, rename refused) removes the temp file, keeps
    the old plan, and surfaces as the OSError (the CLI names the path, exit 2)."""
    path = tmp_path / "plan.yaml"
    path.write_text("old plan\n")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, fail_in, broken)
    with pytest.raises(OSError, match="No space left on device"):
        write_plan(PLAN, path)
    assert path.read_text() == "old plan\n"
    assert _files(tmp_path) == ["plan.yaml"]


def test_write_into_missing_directory(tmp_path: Path) -> None:
    """Tests that an impossible output path fails cleanly, leaving nothing behind."""
    with pytest.raises(FileNotFoundError):
        write_plan(PLAN, tmp_path / "no" / "such" / "plan.yaml")


def test_new_file_gets_normal_permissions(tmp_path: Path) -> None:
    """Tests that the temp file's private 0600 mode does not leak into the plan."""
    path = tmp_path / "plan.yaml"
    write_plan(PLAN, path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def _hand_edit(tmp_path: Path, old: str, new: str) -> Path:
    text = dump_plan(PLAN, "yaml")
    assert text.count(old) == 1, old
    path = tmp_path / "plan.yaml"
    path.write_text(text.replace(old, new))
    return path


def test_missing_field_is_located(tmp_path: Path) -> None:
    """Tests that a deleted required field is reported with its place, not as a KeyError."""
    path = _hand_edit(tmp_path, "status: optimal\n", "")
    with pytest.raises(InputError) as info:
        read_plan(path)
    problem = info.value.problems[0]
    assert (problem.file, problem.line, problem.path) == (str(path), 1, "")
    assert "missing required key 'status'" in problem.message


def test_ill_typed_field_is_located(tmp_path: Path) -> None:
    """Tests that a wrongly typed field names line, column and path."""
    path = _hand_edit(tmp_path, "  rack: 3\n", "  rack: three\n")
    with pytest.raises(InputError) as info:
        read_plan(path)
    problem = info.value.problems[0]
    assert (problem.line, problem.column, problem.path) == (11, 9, "servers[0].rack")
    assert problem.message == "must be a whole number >= 1, got 'three'"


def test_unknown_status_and_key(tmp_path: Path) -> None:
    """Tests did-you-mean for plan fields and values too."""
    path = _hand_edit(tmp_path, "status: optimal", "status: optimum\nscenaro: x")
    with pytest.raises(InputError) as info:
        read_plan(path)
    messages = [p.message for p in info.value.problems]
    assert any("did you mean 'optimal'" in m for m in messages)
    assert any("did you mean 'scenario'" in m for m in messages)


def test_not_a_plan(tmp_path: Path) -> None:
    """Tests that a list, an empty file and a missing file are all InputErrors."""
    path = tmp_path / "plan.json"
    for text in ("[1, 2]", "", '{"nfvplan": 2, "scenario": "x"}'):
        path.write_text(text)
        with pytest.raises(InputError):
            read_plan(path)
    with pytest.raises(InputError, match="file not found"):
        read_plan(tmp_path / "missing.yaml")
