"""Generic fixtures shared by the test modules."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """Write dedented text (or raw bytes) to a file under `tmp_path` and return its path.

    Tests keep their YAML inline, next to the assertions about its lines and columns.
    """

    def write(content: str | bytes, name: str = "site.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
        return path

    return write
