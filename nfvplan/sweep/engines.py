"""Where cases run: a local process pool, or Dask (a LocalCluster or an existing scheduler).

Each engine submits `run_case` with one case's plain payload and hands back futures; the
runner waits on them a fraction of a second at a time (so the progress line keeps moving) and
never learns which engine it drives. Dask is imported only when a Dask engine is chosen, so
`nfvplan sweep` works without it installed.

Why processes for the local pool: CP-SAT holds the GIL while it builds a model and our model
building is Python, so threads would serialise most of a case. Workers ignore SIGINT: Ctrl-C
is the parent's to handle, which then stops the workers itself (a worker killed mid-case by
the terminal's signal would otherwise be reported as a failed case).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import os
import signal
import threading
import uuid
from collections.abc import Iterator
from typing import Any, Protocol

from nfvplan.sweep.case import run_case
from nfvplan.wording import count

DASK_EXTRA = "pip install 'nfvplan[dask]'  (or: pip install distributed)"


class EngineError(Exception):
    """An engine that cannot start: Dask missing, a scheduler that does not answer."""


class Engine(Protocol):
    """What the runner needs of a place to run cases."""

    name: str

    def submit(self, payload: dict[str, Any]) -> Any:
        """Start one case; return a future."""

    def wait(self, pending: set[Any], timeout: float) -> tuple[set[Any], set[Any]]:
        """(finished, still pending) after at most `timeout` seconds."""

    def result(self, future: Any) -> dict[str, Any]:
        """The row of a finished future; raises when the engine itself lost the case."""

    def close(self, *, abort: bool) -> None:
        """Release the workers; `abort` stops running cases instead of waiting for them."""


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored while child processes start, so they keep ignoring it (an ignored signal
    stays ignored across exec, and Python then installs no KeyboardInterrupt handler)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class LocalPool:
    """A `ProcessPoolExecutor` of `jobs` workers."""

    def __init__(self, jobs: int) -> None:
        self.name = f"local pool, {count(jobs, 'worker')}"
        self.executor = cf.ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_sigint)

    def submit(self, payload: dict[str, Any]) -> cf.Future[dict[str, Any]]:
        return self.executor.submit(run_case, payload)

    def wait(self, pending: set[Any], timeout: float) -> tuple[set[Any], set[Any]]:
        done, rest = cf.wait(pending, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return set(done), set(rest)

    def result(self, future: Any) -> dict[str, Any]:
        return future.result()

    def close(self, *, abort: bool) -> None:
        if not abort:
            self.executor.shutdown(wait=True)
            return
        # Running cases would otherwise finish their full time limit before the exit.
        workers = list((getattr(self.executor, "_processes", None) or {}).values())
        self.executor.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            with contextlib.suppress(Exception):
                process.terminate()
        for process in workers:
            with contextlib.suppress(Exception):
                process.join(timeout=5)


class DaskEngine:
    """A Dask `Client` on a fresh `LocalCluster` (address None) or on a running scheduler."""

    def __init__(self, jobs: int, address: str | None = None) -> None:
        try:
            import distributed
        except ImportError:
            raise EngineError(
                f"the Dask engines need the 'distributed' package: {DASK_EXTRA}"
            ) from None
        self.distributed = distributed
        self.cluster = None
        self.submitted: list[Any] = []
        try:
            if address is None:
                # Workers inherit an ignored SIGINT, so a terminal's Ctrl-C (sent to the whole
                # process group) is the parent's to handle. CP-SAT installs its own handler
                # during a search (catch_sigint_signal), so a worker in a search may still see it.
                with _sigint_ignored():
                    self.cluster = distributed.LocalCluster(
                        n_workers=jobs,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=":0",  # any free port: never fight over 8787
                        silence_logs=logging.ERROR,
                    )
                self.client = distributed.Client(self.cluster)
                self.name = f"Dask LocalCluster, {count(jobs, 'worker')}"
            else:
                self.client = distributed.Client(address, timeout="10s")
                workers = len(self.client.scheduler_info().get("workers", {}))
                self.name = f"Dask scheduler {address}, {count(workers, 'worker')}"
        except Exception as error:  # Dask wraps start-up failures in RuntimeError
            self.close(abort=True)
            where = address or "a LocalCluster"
            raise EngineError(f"cannot start or reach {where}: {error}") from None

    def submit(self, payload: dict[str, Any]) -> Any:
        # pure=False: a re-run of the same case (--retry-failed) must really run again.
        key = (
            f"nfvplan-case-{payload['case']}-{uuid.uuid4().hex[:8]}"  # unique on a shared scheduler
        )
        future = self.client.submit(run_case, payload, pure=False, key=key)
        self.submitted.append(future)
        return future

    def wait(self, pending: set[Any], timeout: float) -> tuple[set[Any], set[Any]]:
        try:
            done, rest = self.distributed.wait(
                list(pending), timeout=timeout, return_when="FIRST_COMPLETED"
            )
        except TimeoutError:  # distributed's TimeoutError is the builtin one
            return set(), pending
        return set(done), set(rest)

    def result(self, future: Any) -> dict[str, Any]:
        return future.result()

    def close(self, *, abort: bool) -> None:
        client = getattr(self, "client", None)
        if abort:
            # The scheduler complains loudly about a client that leaves with tasks running;
            # after Ctrl-C that is expected, so its loggers are silenced for the shutdown.
            for name in ("distributed", "tornado"):
                logging.getLogger(name).setLevel(logging.CRITICAL + 1)
            with contextlib.suppress(Exception):
                if client is not None and self.submitted:
                    client.cancel(self.submitted, force=True)
        # A LocalCluster goes first: stopping its workers ends the running cases at once.
        timeout = 3 if abort else 30
        with contextlib.suppress(Exception):
            if self.cluster is not None:
                self.cluster.close(timeout=timeout)
        with contextlib.suppress(Exception):
            if client is not None:
                client.close(timeout=timeout)
