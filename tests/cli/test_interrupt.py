"""Tests Ctrl-C during `nfvplan solve -o plan.yaml`: exit 130, and either no plan file or a
whole one marked `feasible` with a note, which `nfvplan check` accepts. Never a traceback.

The scenario is a generated packing (30 VNFs, 154 instances, 100 servers of two types over two
sites, trust domains, host anti-affinity, pinned NUMA-aligned VNFs) whose search runs far past
the time limits used here, so the interrupt always lands mid-search.
"""

from __future__ import annotations

import json
import os
import pty
import random
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from nfvplan.cli.interrupt import stop_on_sigint
from nfvplan.solver import Stop
from nfvplan.solver.stop import INTERRUPTED_NOTE, active_stop, stop_requested
from tests.helpers import nfvplan_command, run_nfvplan

SLOW = os.environ.get("NFVPLAN_SLOW_TESTS") == "1"


def packing(vnfs: int = 30, seed: int = 5) -> str:
    """A packing scenario with choice everywhere, reproducible from `seed`."""
    rng = random.Random(seed)
    lines = [
        "nfvplan: 1",
        "name: packing",
        "platform:",
        "  vm: {overhead: {vcpu: 1, memory_gib: 2}, host_reserve: {cores: 2, memory_gib: 8}}",
        "  container: {overhead: {vcpu: 0.1, memory_gib: 0.25},"
        " host_reserve: {cores: 1, memory_gib: 4}}",
        "  cpu_overcommit: 2",
        "server_types:",
        "  small: {cores: 16, threads_per_core: 2, memory_gib: 128, numa_nodes: 2,"
        " monthly_cost: 300}",
        "  large: {cores: 32, threads_per_core: 2, memory_gib: 384, numa_nodes: 2,"
        " monthly_cost: 700}",
        "sites:",
        "  a: {racks: 4, servers: {small: 30, large: 20}}",
        "  b: {racks: 4, servers: {small: 30, large: 20}}",
        "vnfs:",
    ]
    for i in range(vnfs):
        fields = [
            f"flavor: {{vcpu: {rng.choice([2, 3, 4, 6, 8, 12])}, "
            f"memory_gib: {rng.choice([4, 6, 8, 12, 16, 24, 32])}}}",
            f"replicas: {rng.randint(3, 8)}",
            f"trust: t{rng.randint(0, 4)}",
            f"forms: {rng.choice(['[vm]', '[container]', '[vm, container]'])}",
        ]
        if rng.random() < 0.4:
            fields.append("anti_affinity: host")
        if rng.random() < 0.2:
            fields += ["cpu: dedicated", "numa: aligned"]
        lines.append(f"  v{i}: {{{', '.join(fields)}}}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "packing.yaml"
    path.write_text(packing(), encoding="utf-8")
    return path


def assert_interrupted_outcome(result_code: int, output: str, scenario: Path, plan: Path) -> None:
    """Exit 130, no traceback, and no file or a whole `feasible` plan that checks clean."""
    assert result_code == 130, output
    assert "Traceback" not in output and "internal error" not in output, output
    assert not [p for p in plan.parent.iterdir() if p.name.startswith(f".{plan.name}.")]
    if not plan.exists():
        return
    data = yaml.safe_load(plan.read_text(encoding="utf-8"))  # whole: it parses
    assert data["status"] == "feasible"
    assert INTERRUPTED_NOTE in data["stats"]["notes"]
    checked = run_nfvplan("check", scenario, plan)
    assert checked.exit_code == 0, checked.output


def test_sigint_during_column_generation(scenario: Path, tmp_path: Path) -> None:
    """Tests SIGINT two seconds into a 60 s solve (loading, or the column-generation phase,
    plain Python): the run ends within seconds with exit 130 and the starting plan or none."""
    plan = tmp_path / "plan.yaml"
    process = subprocess.Popen(
        [*nfvplan_command(), "solve", scenario, "-o", plan, "--time-limit", "60", "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert_interrupted_outcome(process.returncode, out + err, scenario, plan)


@pytest.mark.skipif(not SLOW, reason="about 30 s: set NFVPLAN_SLOW_TESTS=1")
@pytest.mark.parametrize("workers", [1, 2])
def test_sigint_after_the_progress_line_shows_a_plan(
    workers: int, scenario: Path, tmp_path: Path
) -> None:
    """Tests the whole path as a user meets it: stderr on a terminal (a pty) so the progress
    line runs, SIGINT as soon as it shows a best plan, exit 130 and a checked plan file."""
    plan = tmp_path / "plan.yaml"
    master, slave = pty.openpty()
    command = ["solve", scenario, "-o", plan, "--time-limit", "60", "--workers", str(workers)]
    process = subprocess.Popen(
        [*nfvplan_command(), *command],
        stdout=subprocess.PIPE,
        stderr=slave,
        text=True,
    )
    os.close(slave)
    shown = b""
    deadline = time.monotonic() + 55
    while b"best" not in shown and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1.0)
        if ready:
            shown += os.read(master, 4096)
    assert b"best" in shown, shown[-300:]
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=30)
    with _suppress_eio():
        while select.select([master], [], [], 0.2)[0]:
            shown += os.read(master, 4096)
    os.close(master)
    assert_interrupted_outcome(process.returncode, out + shown.decode(), scenario, plan)
    assert plan.exists(), "a plan was shown before the interrupt, so one must be written"
    assert "interrupted (Ctrl-C)" in out


class _suppress_eio:
    """Reading a pty whose other end closed raises EIO on Linux: that is its end of file."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, value, traceback) -> bool:
        return kind is OSError


def test_first_sigint_requests_the_stop_and_the_second_gives_up() -> None:
    """Tests the CLI's handler in-process: the first SIGINT sets the Stop (the active one for
    solves), the second raises KeyboardInterrupt, and leaving restores the old handler."""
    before = signal.getsignal(signal.SIGINT)
    with stop_on_sigint() as stop:
        assert active_stop() is stop and not stop.is_set()
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # the handler runs between bytecodes of the main thread
        assert stop.is_set() and stop_requested()
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
    assert signal.getsignal(signal.SIGINT) is before
    assert active_stop() is None


def test_a_stop_calls_the_hooks_registered_at_the_time() -> None:
    """Tests `Stop.hook`: a running search's `stop_search` is called on request, and only
    while it is registered."""
    stop = Stop()
    calls = []
    with stop.hook(lambda: calls.append("running")):
        stop.request()
    stop.request()
    assert calls == ["running"]


@pytest.mark.skipif(not SLOW, reason="about 40 s: set NFVPLAN_SLOW_TESTS=1")
@pytest.mark.parametrize("delay_s", [4.0, 12.0])
def test_sigint_while_the_network_problem_is_built(delay_s: float, tmp_path: Path) -> None:
    """Tests SIGINT to the process group of `nfvplan solve` (its own session, as a terminal's
    Ctrl-C reaches it) on germany50 with a full gravity matrix (some 1 600 demands): the
    routing-aware greedy takes seconds and enumerating the chain paths tens of seconds, so 4 s
    lands in loading or the greedy and 12 s in the greedy or the enumeration on any machine.
    Whichever it is: exit 130, no traceback, no partial file, and either no plan file or a
    whole `feasible` one marked interrupted that `nfvplan check` accepts; the stats file says
    the same status."""
    topology, scenario = tmp_path / "germany50.yaml", tmp_path / "gravity.yaml"
    made = run_nfvplan("topology", "import", "sndlib/germany50", "--gbps", "400", "-o", topology)
    assert made.exit_code == 0, made.output
    made = run_nfvplan(
        "generate", "--topology", topology, "--demands", "gravity", "--instances", "150",
        "--seed", "1", "-o", scenario,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    plan, stats = tmp_path / "plan.yaml", tmp_path / "stats.json"
    process = subprocess.Popen(
        [*nfvplan_command(), "solve", scenario, "-o", plan, "--stats", stats, "--time-limit",
         "300"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )  # fmt: skip
    time.sleep(delay_s)
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert_interrupted_outcome(process.returncode, out + err, scenario, plan)
    reported = json.loads(stats.read_text(encoding="utf-8"))["status"]
    assert reported == ("feasible" if plan.exists() else "unknown")
