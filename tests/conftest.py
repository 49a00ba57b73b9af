"""Generic fixtures shared by the test modules."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.helpers import write_file
from tests.scenarios import SMALL


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """Write dedented text (or raw bytes) to a file under `tmp_path` and return its path.

    Tests keep their YAML inline, next to the assertions about its lines and columns.
    """

    def write(content: str | bytes, name: str = "site.yaml") -> Path:
        text = content if isinstance(content, bytes) else textwrap.dedent(content)
        return write_file(tmp_path, name, text)

    return write


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """The SMALL scenario of tests/scenarios.py (optimum 330) as `small.yaml` under `tmp_path`."""
    return write_file(tmp_path, "small.yaml", SMALL)


# --- hypothesis profiles ------------------------------------------------------------------------
# `ci` (the default): reproducible (derandomized), no deadline since every example runs the real
# solver, a few hundred examples over all property tests. `slow` (HYPOTHESIS_PROFILE=slow):
# random, 10 000 examples per test unless NFVPLAN_SLOW_EXAMPLES says otherwise; run it with
# `-m slow` to get the tests marked slow (docs/testing.md).
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=50,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "slow",
    deadline=None,
    max_examples=int(os.environ.get("NFVPLAN_SLOW_EXAMPLES", "10000")),
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
