"""Writing output files so that no reader ever sees a partial one.

Shared by plan files and topology files/drawings: the content is complete in memory before the
disk is touched, goes to a temp file beside the target, is fsynced and renamed over it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def write_output(target: Path, content: bytes) -> None:
    """Write `content` to `target` so that no reader ever sees a partial file.

    A symlink is followed (its target gets the content, the link stays). A FIFO or a device
    (`/dev/null`, `/dev/stdout`) cannot be replaced by renaming and is written directly.
    """
    resolved = Path(os.path.realpath(target))
    try:
        mode = resolved.stat().st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "is a directory", str(target))
        with open(resolved, "wb") as handle:
            handle.write(content)
        return
    _atomic_write(resolved, content)


def _atomic_write(target: Path, content: bytes) -> None:
    directory = target.parent if str(target.parent) else Path(".")
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, _file_mode(target))
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _fsync_directory(directory)


def _file_mode(target: Path) -> int:
    """Keep an existing file's mode; a new file gets what `open()` would give it."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable; not every platform lets a directory be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
