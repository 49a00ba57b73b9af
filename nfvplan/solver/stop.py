"""Stopping a solve early (Ctrl-C) and still getting the best plan found so far.

A `Stop` is requested from anywhere (a signal handler, another thread); while one is active
(`stopping`), every CP-SAT search started through `cpsat.make_solver` is told to stop at once,
the Python loops of column generation end at their next step, and `solve()` skips its retries
and marks the plan as interrupted. Nothing here imports OR-Tools: a search registers its own
`stop_search` as a hook.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

INTERRUPTED_NOTE = (
    "interrupted (Ctrl-C) before the search finished: this is the best plan found so far, "
    "not proven optimal"
)
INTERRUPTED_NO_PLAN = "interrupted (Ctrl-C) before any plan was found"


class Stop:
    """A one-way flag with hooks: `request()` sets it and calls every registered hook."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._hooks: list[Callable[[], None]] = []

    def request(self) -> None:
        """Ask the running solve to stop; safe from signal handlers and other threads."""
        self._event.set()
        with self._lock:
            hooks = list(self._hooks)
        for hook in hooks:
            hook()

    def is_set(self) -> bool:
        """True once a stop was requested."""
        return self._event.is_set()

    @contextmanager
    def hook(self, on_stop: Callable[[], None]) -> Iterator[None]:
        """Call `on_stop` if a stop is requested while the block runs."""
        with self._lock:
            self._hooks.append(on_stop)
        try:
            yield
        finally:
            with self._lock:
                self._hooks.remove(on_stop)


_active: Stop | None = None


@contextmanager
def stopping(stop: Stop) -> Iterator[Stop]:
    """Make `stop` the one every solve in this process obeys while the block runs."""
    global _active
    previous, _active = _active, stop
    try:
        yield stop
    finally:
        _active = previous


def active_stop() -> Stop | None:
    """The stop solves obey now, if any."""
    return _active


def stop_requested() -> bool:
    """True when the active stop was requested: end the current phase and keep what you have."""
    return _active is not None and _active.is_set()


class Stopped(Exception):
    """A stop came in the middle of a step that has nothing partial worth keeping (building a
    problem or a model): the step is abandoned, and its stage keeps what it had before."""


def check_stop() -> None:
    """Raise `Stopped` when the active stop was requested; cheap enough for per-item loops."""
    if _active is not None and _active.is_set():
        raise Stopped
