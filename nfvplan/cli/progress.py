"""A one-line live progress display on the terminal while the solver searches."""

from __future__ import annotations

import sys

from nfvplan.solver import Progress


class ProgressLine:
    """Rewrites one stderr line with elapsed time, best objective and bound."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, progress: Progress) -> None:
        gap = (
            0.0 if progress.value == 0 else (progress.value - progress.bound) / abs(progress.value)
        )
        text = (
            f"  solving... {progress.elapsed_s:6.1f} s   best {progress.value:,.2f}   "
            f"bound {progress.bound:,.2f}   gap {100 * max(gap, 0.0):.1f}%"
        )
        sys.stderr.write("\r" + text)
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        """Erase the line before the summary is printed."""
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
