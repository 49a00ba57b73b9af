"""A one-line live progress display on the terminal while the solver searches.

A ticker thread redraws the line twice a second, so the elapsed time moves even while the
solver is between improving plans (or still bounding, before the first one).
"""

from __future__ import annotations

import sys
import threading
import time

from nfvplan.solver import Progress

TICK_S = 0.5


class ProgressLine:
    """Rewrites one stderr line with elapsed time, best objective and bound."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.latest: Progress | None = None
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.ticker = threading.Thread(target=self._tick, daemon=True)
        self.ticker.start()

    def __call__(self, progress: Progress) -> None:
        with self.lock:
            self.latest = progress
        self._draw()

    def _tick(self) -> None:
        while not self.done.wait(TICK_S):
            self._draw()

    def _draw(self) -> None:
        with self.lock:
            elapsed = time.perf_counter() - self.started
            latest = self.latest
            if self.done.is_set():
                return
            if latest is None:
                text = f"  solving... {elapsed:6.1f} s   no plan yet"
            else:
                value, bound = latest.value, latest.bound
                gap = 0.0 if value == 0 else max(0.0, (value - bound) / abs(value))
                text = (
                    f"  solving... {elapsed:6.1f} s   best {value:,.2f}   "
                    f"bound {bound:,.2f}   gap {100 * gap:.1f}%"
                )
            sys.stderr.write("\r\033[K" + text)
            sys.stderr.flush()

    def clear(self) -> None:
        """Stop the ticker and erase the line before the summary is printed."""
        with self.lock:
            self.done.set()
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
        self.ticker.join(timeout=1.0)
