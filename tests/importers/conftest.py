"""The `importer` fixture: a temp folder to write descriptor fixtures into and import."""

from __future__ import annotations

from pathlib import Path

import pytest
from import_helpers import Importer


@pytest.fixture
def importer(tmp_path: Path) -> Importer:
    """Write fixtures under `tmp_path` and import them."""
    return Importer(tmp_path)
