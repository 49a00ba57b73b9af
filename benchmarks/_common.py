"""Shared helpers of the benchmark scripts: number formatting and plain-text tables.

The scripts print their figures to a terminal (and into benchmarks/README.md by copy and paste),
so everything here produces fixed-width text with no dependency beyond the standard library.
Missing figures (no solution, no bound) print as "-" rather than "None" so that columns stay
readable and a reader can tell "not found" from zero.
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

Cell = str | int | float | None


def fmt(value: Cell, digits: int = 2) -> str:
    """One table cell: integers as such, floats with `digits` decimals, None as "-"."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15 and digits == 0:
            return str(int(value))
        return f"{value:.{digits}f}"
    return value


def pct(value: float | None) -> str:
    """A ratio as a percentage with one decimal, or "-" when there is none."""
    return "-" if value is None else f"{100 * value:.1f}%"


def ratio(numerator: float, denominator: float) -> str:
    """`numerator / denominator` as "1.23x", or "-" when the denominator is zero."""
    return "-" if denominator == 0 else f"{numerator / denominator:.2f}x"


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean, or None for no values (so the caller prints "-", not a crash)."""
    return statistics.fmean(values) if values else None


def table(headers: Sequence[str], rows: Sequence[Sequence[Cell]], digits: int = 2) -> str:
    """A left-aligned first column and right-aligned others, separated by two spaces.

    Numbers are right-aligned so that magnitudes line up when scanning a column.
    """
    cells = [[fmt(c, digits) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(row: Sequence[str]) -> str:
        parts = [
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ]
        return "  ".join(parts).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out.extend(line(row) for row in cells)
    return "\n".join(out)


def machine() -> str:
    """Python, OR-Tools and core count: the context every measured figure depends on."""
    import os

    from ortools import __version__ as ortools_version

    return (
        f"python {platform.python_version()}, ortools {ortools_version}, "
        f"{os.cpu_count()} cores, {platform.machine()}"
    )


def nfvplan_root() -> Path:
    """The source tree the imported `nfvplan` package comes from (its examples live there too)."""
    import nfvplan

    return Path(nfvplan.__file__).resolve().parents[1]


def revision() -> str:
    """The nfvplan code measured: its commit, flagged when nfvplan/ has uncommitted changes.

    The solver changes often and several people work in this tree, so a figure without the
    revision it was measured on cannot be compared with a later one. The package imported may
    also be a clean export of one commit (`PYTHONPATH=/tmp/nfvplan-<sha>`, see README.md), so
    the answer is about where `nfvplan` was imported from, not where this script lives.
    """
    root = nfvplan_root()
    try:
        head = _git(root, "rev-parse", "--short", "HEAD")
        dirty = _git(root, "status", "--porcelain", "--", "nfvplan")
    except (OSError, subprocess.CalledProcessError):
        stamp = root / "REVISION"
        if stamp.exists():
            return f"{stamp.read_text().strip()} (clean export at {root})"
        return f"nfvplan imported from {root} (not a git checkout)"
    if root != REPO:
        head += f" (checkout at {root})"
    return head + (" + uncommitted changes in nfvplan/" if dirty else "")


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True, timeout=30
    )
    return done.stdout.strip()


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """Measure a block's wall time: `with stopwatch() as t: ...; seconds = t[0]`."""
    box = [0.0]
    started = time.perf_counter()
    try:
        yield box
    finally:
        box[0] = time.perf_counter() - started


def nfvplan_command() -> list[str]:
    """The `nfvplan` of this Python's environment (a venv's bin/), else the module itself."""
    beside = Path(sys.executable).parent / "nfvplan"
    return [str(beside)] if beside.is_file() else [sys.executable, "-m", "nfvplan.cli.main"]
