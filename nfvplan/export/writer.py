"""Writing an export directory atomically: all of it, or nothing.

The files are built in memory first; they go to a temporary directory beside the target,
each fsynced, and the directory is renamed into place. A failure at any point removes the
temporary directory (and any parent directory it created) and leaves the target as it was.
An existing non-empty target is refused unless `force`, and then replaced whole (never
merged: a stale template from an earlier export would deploy instances the new plan lacks).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from nfvplan.errors import InputError


def check_target(target: Path, force: bool) -> None:
    """Refuse, before any work, a target that is a file, non-empty without `force`, or whose
    nearest existing ancestor is not a writable directory (missing parents are created)."""
    name = str(target)
    if target.exists() and not target.is_dir():
        raise InputError.single(name, "exists and is not a directory")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise InputError.single(
            name, "directory is not empty; give --force to replace it with the new export"
        )
    ancestor = _existing_ancestor(target)
    if not ancestor.is_dir():
        raise InputError.single(name, f"{ancestor} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise InputError.single(name, f"directory {ancestor} is not writable")


def _existing_ancestor(target: Path) -> Path:
    parent = target.absolute().parent
    while not parent.exists():
        parent = parent.parent
    return parent


def write_tree(target: Path, files: dict[str, str], force: bool = False) -> None:
    """Write `files` (relative path -> text) as the directory `target`, atomically."""
    check_target(target, force)
    parent = target.absolute().parent
    created = []
    missing = parent
    while not missing.exists():
        created.append(missing)
        missing = missing.parent
    parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp"))
    old: Path | None = None
    try:
        for relative, text in sorted(files.items()):
            path = temp / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(text.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            if relative.endswith(".sh"):
                path.chmod(0o755)
        os.chmod(temp, 0o755)
        if target.exists():
            old = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.", suffix=".old"))
            os.rmdir(old)
            os.replace(target, old)
        os.replace(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        if old is not None and old.exists() and not target.exists():
            os.replace(old, target)
        for directory in created:  # innermost first: the parents this call made
            with contextlib.suppress(OSError):
                directory.rmdir()
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
