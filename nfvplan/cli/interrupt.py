"""Ctrl-C during `nfvplan solve`: stop the search, keep the best plan, exit 130.

The first SIGINT requests the solver's `Stop`; the solve then returns its best plan so far
(marked `feasible`, with a note), which the CLI writes and summarises as usual. A second
SIGINT gives up at once (KeyboardInterrupt: nothing is written, exit 130).

While CP-SAT runs, the main thread sits in C++ and Python's handler cannot run until the
search returns; so the signal also reaches a watcher thread through `signal.set_wakeup_fd`,
and the watcher requests the stop, which calls the running search's `stop_search`.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from collections.abc import Iterator

from nfvplan.solver import Stop, stopping


@contextlib.contextmanager
def stop_on_sigint() -> Iterator[Stop]:
    """A `Stop` that SIGINT requests, active for every solve while the block runs."""
    stop = Stop()
    if threading.current_thread() is not threading.main_thread():
        with stopping(stop):  # signals reach only the main thread: nothing to install
            yield stop
        return
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    presses = 0

    def on_sigint(signum: int, frame: object) -> None:
        nonlocal presses
        presses += 1
        if presses > 1:
            raise KeyboardInterrupt
        stop.request()

    def watch() -> None:
        while True:
            try:
                data = reader.recv(64)
            except OSError:
                return
            if not data:
                return
            if signal.SIGINT in data:
                stop.request()

    previous_handler = signal.signal(signal.SIGINT, on_sigint)
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    watcher = threading.Thread(target=watch, name="nfvplan-sigint", daemon=True)
    watcher.start()
    try:
        with stopping(stop):
            yield stop
    finally:
        signal.set_wakeup_fd(previous_fd)
        signal.signal(signal.SIGINT, previous_handler)
        writer.close()  # the watcher's recv returns b""
        watcher.join(timeout=1.0)
        reader.close()
