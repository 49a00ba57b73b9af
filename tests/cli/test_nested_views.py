"""The nested form (`container-in-vm`) in everything a user reads of a plan, through the CLI.

Every plan here is a real solve of `examples/nested-tenants.yaml` (whose optimum, two worker
VMs of four containers each beside a firewall VM on one box, its header proves by hand) or of
a variant with one SMF more, re-checked by the independent checker before any view is read.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nfvplan.check import check_plan
from nfvplan.io import load_scenario, read_plan
from nfvplan.plan import Plan
from nfvplan.review.servers import server_views
from tests.helpers import EXAMPLES, parse, run_cli, scenario_yaml, solve_and_check

NESTED = EXAMPLES / "nested-tenants.yaml"


def solved(scenario: Path, plan_file: Path) -> Plan:
    """Solve `scenario` through the CLI into `plan_file`; the plan read back, checked."""
    done = run_cli("solve", scenario, "-o", plan_file, "--quiet")
    assert done.exit_code == 0, done.output
    plan = read_plan(plan_file)
    assert check_plan(load_scenario(scenario), plan) == []
    return plan


@pytest.fixture(scope="module")
def nested(tmp_path_factory) -> tuple[Path, Plan]:
    plan_file = tmp_path_factory.mktemp("nested") / "plan.yaml"
    return plan_file, solved(NESTED, plan_file)


@pytest.fixture(scope="module")
def grown(tmp_path_factory) -> tuple[Path, Path, Plan]:
    """The example with a fifth smf-a: 5 x 2.5 = 12.5 vCPU > a worker's 10, so tenant a
    needs a second worker and the box (36 of 36 threads) a second box: 1,400."""
    folder = tmp_path_factory.mktemp("grown")
    text = NESTED.read_text(encoding="utf-8")
    head, tail = text.split("  smf-a:", 1)
    scenario = folder / "grown.yaml"
    scenario.write_text(head + "  smf-a:" + tail.replace("replicas: 4", "replicas: 5", 1))
    plan_file = folder / "plan.yaml"
    return scenario, plan_file, solved(scenario, plan_file)


def test_solve_summary_counts_containers_in_worker_vms_and_lists_them(tmp_path: Path) -> None:
    """Tests solve's summary: 9 instances = 1 VM + 8 containers in 2 worker VMs, and one line
    per worker VM naming its server, domain, flavor and containers."""
    done = run_cli("solve", NESTED, "-o", tmp_path / "p.yaml")
    assert done.exit_code == 0, done.output
    assert "instances: 9 (1 VM, 8 containers in 2 worker VMs)" in done.stdout
    plan = read_plan(tmp_path / "p.yaml")
    for worker in plan.workers:
        held = [p.instance for p in plan.placements if p.worker == worker.id]
        assert len(held) == 4
        line = (
            f"  {worker.server}: {worker.id} ({worker.trust}, flavor {worker.flavor}): "
            f"4 containers: {', '.join(held)}"
        )
        assert line in done.stdout.splitlines()


def test_check_says_how_many_containers_are_nested(nested) -> None:
    plan_file, _plan = nested
    done = run_cli("check", NESTED, plan_file)
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == (
        f"{plan_file}: every rule holds (optimal, 9 instances on 1 server: "
        "1 VM, 8 containers in 2 worker VMs)"
    )


def test_show_servers_splits_the_worker_vms_without_stale_figures(nested) -> None:
    """Tests `show --servers`: the parts of each resource add up to the plan's figure (no
    "off its placements" note), and each worker VM is listed with how full it is.

    By hand (the example's header): threads workload 8 x 2 + 6 = 22; overhead 2 (fw) +
    2 workers x 2 (VM) + 8 x 0.5 (pods) = 10; reserve 2 (hypervisor) + 2 x 1 (runtime) = 4;
    22 + 10 + 4 = 36. A worker holds 4 x 2.5 = 10 of its 11 - 1 = 10 vCPU and
    4 x 6.25 = 25 of its 32 - 4 = 28 GiB."""
    plan_file, plan = nested
    done = run_cli("show", NESTED, plan_file, "--servers")
    assert done.exit_code == 0, done.output
    out = done.stdout
    assert "off its placements" not in out
    assert "instances: 9 (1 VM, 8 containers in 2 worker VMs)" in out
    row = re.search(r"CPU threads\s+36\s+36 \(100\.0%\)\s+(\S+)\s+(\S+)\s+(\S+)", out)
    assert row is not None, out
    assert row.groups() == ("22", "10", "4")
    assert "  worker VMs (2):" in out
    for worker in plan.workers:
        assert f"{worker.id} ({worker.trust}, flavor worker): 10 of 10 vCPU, 25 of 28 GiB" in out
    markdown = run_cli("show", NESTED, plan_file, "--servers", "--format", "markdown").stdout
    assert "| worker VM | trust domain | flavor | holds |" in markdown
    assert markdown.count("| worker-mvno-") == 2


def test_server_view_parts_add_up_on_every_resource(grown) -> None:
    """Tests the split on the grown plan (two boxes, a worker with one container: unfilled
    room counts with the reserve): workload + overhead + reserve + traffic equals `used`."""
    scenario_file, _plan_file, plan = grown
    scenario = load_scenario(scenario_file)
    views = server_views(scenario, plan)
    assert sum(len(v.workers) for v in views) == len(plan.workers) == 3
    for view in views:
        for r in view.resources:
            assert r.stale == 0, (view.id, r.key)
            assert r.workload + r.overhead + r.reserve + r.traffic == pytest.approx(r.used)


def test_diff_lists_the_worker_vms_an_apply_adds_and_moves(nested, grown) -> None:
    """Tests `nfvplan diff` from the example's plan to the grown one: tenant a's workers go
    from 1 to 2 and tenant b's worker ends where its containers are; the JSON says the same
    per trust domain, matched on (server, flavor)."""
    old, _ = nested
    _scenario, new, plan = grown
    table = run_cli("diff", old, new)
    assert table.exit_code == 1, table.output
    assert "worker VMs (" in table.stdout
    data = json.loads(run_cli("diff", old, new, "--format", "json").stdout)
    before = {"mvno-a": [("dc/box/1", "worker")], "mvno-b": [("dc/box/1", "worker")]}
    after: dict[str, list[tuple[str, str]]] = {}
    for worker in plan.workers:
        after.setdefault(worker.trust, []).append((worker.server, worker.flavor))
    # replaying the changes on the old workers gives the new ones
    replayed = {trust: list(places) for trust, places in before.items()}
    for change in data["workers"]:
        places = replayed.setdefault(change["trust"], [])
        if change["from"] is not None:
            places.remove((change["from"]["server"], change["from"]["flavor"]))
        if change["to"] is not None:
            places.append((change["to"]["server"], change["to"]["flavor"]))
    assert {t: sorted(p) for t, p in replayed.items()} == {t: sorted(p) for t, p in after.items()}
    assert [c["action"] for c in data["workers"] if c["trust"] == "mvno-a"].count("added") == 1
    markdown = run_cli("diff", old, new, "--format", "markdown").stdout
    assert "| action | trust domain | from (flavor) | to (flavor) |" in markdown
    same = run_cli("diff", old, old)
    assert same.exit_code == 0 and "worker VMs" not in same.stdout


def test_whatif_resilience_and_report_run_on_the_nested_plan(nested, tmp_path: Path) -> None:
    """Tests that the other commands a user runs on a plan take a nested one: whatif names
    the worker VM a fifth smf-a needs, resilience restarts the nested instances, the report
    is written."""
    plan_file, _plan = nested
    whatif = run_cli("whatif", NESTED, "--set", "vnfs.smf-a.replicas=5")
    assert whatif.exit_code == 0, whatif.output
    assert re.search(r"added\s+mvno-a\s+- -> dc/box/\d \(worker\)", whatif.stdout), whatif.stdout
    for fmt in ("table", "markdown", "json"):
        resilience = run_cli("resilience", NESTED, plan_file, "--format", fmt)
        assert resilience.exit_code == 0, resilience.output
        assert resilience.exception is None
    table = run_cli("resilience", NESTED, plan_file).stdout
    assert "smf-a x4  container-in-vm" in table
    site = run_cli("resilience", NESTED, plan_file, "--level", "site")
    assert site.exception is None and site.exit_code == 6, site.output
    report = run_cli("report", NESTED, plan_file, "-o", tmp_path / "r.html")
    assert report.exit_code == 0, report.output
    assert 'data-worker="worker-mvno-a-1"' in (tmp_path / "r.html").read_text(encoding="utf-8")
    sections = run_cli(
        "report",
        NESTED,
        plan_file,
        "-o",
        tmp_path / "r2.html",
        "--whatif",
        "--set vnfs.smf-a.replicas=5",
        "--resilience",
    )
    assert sections.exit_code == 0, sections.output
    page = (tmp_path / "r2.html").read_text(encoding="utf-8")
    assert "Worker VMs: moved 0, added 1, removed 0." in page


def test_topology_show_draws_a_nested_plan(tmp_path: Path) -> None:
    """Tests `topology show --plan` on a nested plan: the example moved onto metro-ring's
    core-1 solves the same (700, two worker VMs), checks, and is drawn without error."""
    pytest.importorskip("matplotlib")
    ring = EXAMPLES.parent / "topologies" / "metro-ring.yaml"
    text = NESTED.read_text(encoding="utf-8").replace(
        "sites:\n  dc: {servers: {box: 2}}",
        f"topology: {ring}\n\nsites:\n  core-1: {{servers: {{box: 2}}}}",
    )
    scenario = tmp_path / "ring.yaml"
    scenario.write_text(text, encoding="utf-8")
    plan = solved(scenario, tmp_path / "plan.yaml")
    assert plan.summary.monthly_cost == pytest.approx(700)
    assert len(plan.workers) == 2
    drawn = run_cli(
        "topology", "show", ring, "--plot", tmp_path / "ring.png", "--plan", tmp_path / "plan.yaml"
    )
    assert drawn.exit_code == 0, drawn.output
    assert drawn.exception is None
    assert (tmp_path / "ring.png").stat().st_size > 0


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sizes=st.lists(
        st.tuples(
            st.integers(1, 4),
            st.integers(1, 12),
            st.integers(1, 3),
            st.sampled_from("ab"),
            st.integers(0, 3),
        ),
        min_size=1,
        max_size=3,
    ),
    pinned=st.booleans(),
    forms=st.sampled_from(["[container-in-vm]", "[vm, container, container-in-vm]"]),
)
def test_random_nested_server_views_add_up(sizes, pinned, forms) -> None:
    """Tests on random checked plans (workers pinned or shared under overcommit 2, images,
    bare containers and VMs beside workers) that every server's parts add up to the plan's
    `used` with nothing stale, and that the view's workers are the plan's."""
    vnfs = "\n".join(
        f"  v{i}: {{flavor: {{vcpu: {vcpu}, memory_gib: {mem}}}, forms: {forms}, "
        f"replicas: {n}, trust: {trust}, image_gib: {image}}}"
        for i, (vcpu, mem, n, trust, image) in enumerate(sizes)
    )
    cpu = ", cpu: dedicated" if pinned else ""
    text = scenario_yaml(
        f"""
        platform:
          vm:
            overhead: {{vcpu: 1, memory_gib: 2, disk_gib: 5}}
            host_reserve: {{cores: 1, memory_gib: 2}}
          container:
            overhead: {{vcpu: 0.5, memory_gib: 0.25}}
            host_reserve: {{cores: 1, memory_gib: 4}}
          container-in-vm:
            worker: {{vcpu: 10, memory_gib: 40, disk_gib: 20{cpu}}}
            reserve: {{vcpu: 1, memory_gib: 2, disk_gib: 2}}
          cpu_overcommit: 2
        server_types:
          s: {{cores: 12, threads_per_core: 2, memory_gib: 96, disk_gib: 400, monthly_cost: 100}}
        sites:
          dc: {{servers: {{s: 4}}}}
        """,
        "vnfs:\n" + vnfs,
    )
    plan = solve_and_check(text, time_limit_s=5)
    if not plan.status.has_plan:
        return
    views = server_views(parse(text), plan)
    assert sorted(w.id for v in views for w in v.workers) == sorted(w.id for w in plan.workers)
    for view in views:
        for r in view.resources:
            assert r.stale == 0, (view.id, r.key)
            assert r.workload + r.overhead + r.reserve + r.traffic == pytest.approx(r.used)
