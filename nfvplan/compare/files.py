"""Where a comparison's files go: the three plans and the chart, all or nothing checked first.

Targets are checked before any solving starts, so a typo in `-o` or `--plot` costs no solver
time and leaves nothing behind; contents are complete in memory before the first byte is
written, and each file is written atomically (`write_output`).
"""

from __future__ import annotations

import os
from pathlib import Path

from nfvplan.compare.comparison import Comparison
from nfvplan.errors import InputError
from nfvplan.io import dump_plan
from nfvplan.io.output import write_output
from nfvplan.topology_view import plot_format


def plan_path(directory: Path, key: str) -> Path:
    """`DIR/plan-KEY.yaml`."""
    return directory / f"plan-{key}.yaml"


def check_output_dir(directory: Path) -> None:
    """InputError unless `directory` is a writable folder, or can be created as one.

    A missing folder is fine when its parent exists and is writable: it is created when the
    plans are written, so an error found before solving leaves nothing behind.
    """
    if directory.exists():
        if not directory.is_dir():
            raise InputError.single(str(directory), "-o must name a folder, and this is a file")
        if not os.access(directory, os.W_OK | os.X_OK):
            raise InputError.single(str(directory), "cannot write in this folder (permission)")
        return
    _check_parent(directory, "the folder to create")


def check_plot_target(target: Path) -> str:
    """The image format (png or svg) of `target`; InputError for another suffix or no way in."""
    fmt = plot_format(target)
    if target.is_dir():
        raise InputError.single(str(target), "--plot must name a file, and this is a folder")
    _check_parent(target, "the image")
    return fmt


def _check_parent(target: Path, what: str) -> None:
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise InputError.single(str(target), f"no folder {parent} to hold {what}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError.single(str(target), f"cannot write in {parent} (permission)")


def plan_files(comparison: Comparison, directory: Path) -> dict[Path, bytes]:
    """Each variant's plan file (YAML, as `nfvplan solve -o` writes it), rendered in memory."""
    return {
        plan_path(directory, r.variant.key): dump_plan(r.plan, "yaml").encode("utf-8")
        for r in comparison.results
    }


def write_files(files: dict[Path, bytes]) -> None:
    """Write every file atomically, creating a missing parent folder; OSError on failure."""
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_output(path, content)
