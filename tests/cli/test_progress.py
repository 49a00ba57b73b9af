"""Tests the live progress line `nfvplan solve` draws on a terminal (stderr)."""

from __future__ import annotations

import pytest

from nfvplan.cli.progress import ProgressLine
from nfvplan.solver import Progress


def test_progress_line_shows_best_bound_and_gap(capsys: pytest.CaptureFixture[str]) -> None:
    """Tests one redraw: best 1,000.00, bound 900.00, gap (1000 - 900) / 1000 = 10.0 %; and
    that clearing erases the line (carriage return + erase to end of line)."""
    line = ProgressLine()
    line(Progress(elapsed_s=1.0, value=1000.0, bound=900.0))
    line.clear()
    err = capsys.readouterr().err
    assert "best 1,000.00   bound 900.00   gap 10.0%" in err
    assert err.endswith("\r\033[K")
    assert not line.ticker.is_alive()


def test_progress_line_before_any_plan(capsys: pytest.CaptureFixture[str]) -> None:
    """Tests the line drawn before the first plan, and a zero objective (gap 0, no division)."""
    line = ProgressLine()
    line._draw()
    line(Progress(elapsed_s=0.1, value=0.0, bound=0.0))
    line.clear()
    err = capsys.readouterr().err
    assert "no plan yet" in err
    assert "best 0.00   bound 0.00   gap 0.0%" in err
