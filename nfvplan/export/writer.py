"""Writing an export directory atomically: all of it, or nothing.

The files are built in memory first; they go to a temporary directory beside the target,
each fsynced, and the directory is renamed into place. A failure at any point removes the
temporary directory and leaves the target as it was. An existing non-empty target is
refused unless `force`, and then replaced whole (never merged: a stale template from an
earlier export would deploy instances the new plan does not have).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from nfvplan.errors import InputError


def check_target(target: Path, force: bool) -> None:
    """Refuse, before any work, a target that is a file, non-empty without `force`, or whose
    parent is missing or not writable."""
    name = str(target)
    if target.exists() and not target.is_dir():
        raise InputError.single(name, "exists and is not a directory")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise InputError.single(
            name, "directory is not empty; give --force to replace it with the new export"
        )
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise InputError.single(name, f"parent directory {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError.single(name, f"parent directory {parent} is not writable")


def write_tree(target: Path, files: dict[str, str], force: bool = False) -> None:
    """Write `files` (relative path -> text) as the directory `target`, atomically."""
    check_target(target, force)
    parent = target.parent if str(target.parent) else Path(".")
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
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
