"""Tests that the package's import graph keeps the layer map of docs/solver.md ("Layers").

Imports are read with `ast` from every module (top level and inside functions: a lazy import
is still a dependency). The map is the table in docs/solver.md; this test parses it, so the
documentation and the rule cannot drift apart.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

from tests.helpers import REPO

PACKAGE = REPO / "nfvplan"
DOC = REPO / "docs" / "solver.md"


def unit_of(path: Path) -> str:
    """The top-level unit of the package a module belongs to (`solver`, `plan`, ...)."""
    rel = path.relative_to(PACKAGE).with_suffix("")
    return "nfvplan" if rel.parts == ("__init__",) else rel.parts[0]


def import_graph() -> dict[str, set[str]]:
    """Unit → the other units it imports."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        unit = unit_of(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "nfvplan" and len(parts) > 1 and parts[1] != unit:
                    graph[unit].add(parts[1])
    return graph


def documented_map() -> dict[str, set[str]]:
    """The "may import" table of docs/solver.md, section "Layers"."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    allowed: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        units = re.findall(r"`([a-z_]+)`", cells[0])
        may = set(re.findall(r"`([a-z_]+)`", cells[2]))
        for unit in units:
            allowed[unit] = may
    return allowed


def test_every_import_is_allowed_by_the_layer_map() -> None:
    """Tests that no unit of the package imports one the documented map does not allow it."""
    allowed = documented_map()
    graph = import_graph()
    units = {unit_of(path) for path in PACKAGE.rglob("*.py")}
    assert units <= set(allowed) | {"nfvplan"}, units - set(allowed)
    wrong = {
        unit: sorted(imported - allowed.get(unit, set()))
        for unit, imported in graph.items()
        if imported - allowed.get(unit, set())
    }
    assert wrong == {}


def test_the_checker_never_imports_the_solver_and_nothing_imports_the_cli() -> None:
    """Tests the two rules the map exists for: `check` stays independent of `solver`, and
    the library never imports the CLI."""
    graph = import_graph()
    assert "solver" not in graph["check"]
    assert [unit for unit, imported in graph.items() if "cli" in imported] == []


def test_ortools_is_imported_only_inside_the_solver() -> None:
    """Tests that OR-Tools stays inside `nfvplan/solver/` (nothing of it leaves there)."""
    outside = []
    for path in PACKAGE.rglob("*.py"):
        if unit_of(path) == "solver":
            continue
        if "ortools" in path.read_text(encoding="utf-8"):
            outside.append(str(path.relative_to(REPO)))
    assert outside == []
