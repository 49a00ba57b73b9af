"""Tests that answering without solving stays light: what `nfvplan` imports on help and errors.

Wall time is measured by `benchmarks/startup.py`, never asserted here; what a test can pin down
is the cause of a slow start, the modules a run imports. Each case runs the real `main()` in a
fresh interpreter and lists the heavy modules left in `sys.modules` when it exits.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "ortools",
    "networkx",
    "numba",
    "pydantic",
    "nfvplan.solver",
    "nfvplan.survive",
    "nfvplan.check",
)
"""Never needed before solving: OR-Tools and networkx (the solver), numba (the compiled pricer,
0.5 s to import), pydantic (typer >= 0.29 builds validators with it), and our solver, failure
analysis and checker."""

READERS = ("yaml", "nfvplan.io", "nfvplan.model", "nfvplan.plan")
"""Needed to read a file, so not by `--help` or an unknown option."""

PROBE = """
import json, sys
from nfvplan.cli.main import main
prefixes = tuple(json.loads(sys.argv[2]))
sys.argv = ["nfvplan", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as done:
    code = done.code
else:
    code = 0
loaded = sorted({m for m in sys.modules if m.startswith(prefixes)})
print(json.dumps({"code": code, "loaded": loaded}))
"""


def imported_by(args: list[str], prefixes: tuple[str, ...]) -> tuple[int, list[str]]:
    """Exit code of `nfvplan ARGS` run in a fresh interpreter, and the modules among `prefixes`
    (and their submodules) it imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(prefixes)],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["code"], report["loaded"]


@pytest.mark.parametrize(
    "args",
    [["--help"], ["solve", "--help"], ["solve", "--bogus"], ["whatif", "x.yaml", "--fail"]],
    ids=["help", "solve-help", "unknown-option", "option-without-value"],
)
def test_help_and_usage_errors_import_no_reader_nor_solver(args: list[str]) -> None:
    """Tests that help and command-line mistakes import neither the solver nor the YAML readers."""
    code, loaded = imported_by(args, HEAVY + READERS)
    assert code == (0 if "--help" in args else 2)
    assert loaded == []


def test_bad_input_imports_no_solver(tmp_path: Path) -> None:
    """Tests that a missing or invalid scenario exits 2 without importing the solver side."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("nfvplan: 1\nname: bad\nsites:\n  a: {kind: core, servers: {nope: 1}}\n")
    plan = tmp_path / "plan.yaml"
    plan.write_text("not: a plan\n")
    for args in (
        ["solve", str(tmp_path / "missing.yaml")],
        ["compare", str(tmp_path / "missing.yaml")],
        ["solve", str(bad)],
        ["check", str(bad), str(plan)],
        ["resilience", str(bad), str(plan)],
    ):
        code, loaded = imported_by(args, HEAVY)
        assert (args[0], code, loaded) == (args[0], 2, [])
