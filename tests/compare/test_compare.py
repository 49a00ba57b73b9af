"""Tests of `nfvplan compare`: all-VM, all-container and mixed plans of one scenario, side by side.

The library (`nfvplan.compare.compare`) runs the real solver through the public `solve` API; the
command runs in-process through typer's runner. Every expected figure is derived by hand in the
docstring of the scenario it belongs to, and every plan produced is re-checked by `check_plan`
against both its variant's scenario and the scenario as written (a variant only narrows forms,
so its plan must be a valid plan of the original too).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nfvplan.check import check_plan
from nfvplan.compare import FIELDS, Comparison, compare, record, verdict
from nfvplan.model import Form, Scenario
from nfvplan.plan import Status
from nfvplan.solver import SolveOptions
from tests.helpers import parse, run_cli

FAST = SolveOptions(time_limit_s=10, workers=1)

THREE = """\
nfvplan: 1
name: three
platform:
  vm: {overhead: {vcpu: 1, memory_gib: 2}, host_reserve: {cores: 1, memory_gib: 4},
       boot_seconds: 60}
  container: {overhead: {memory_gib: 0.5}, host_reserve: {cores: 1, memory_gib: 2},
              boot_seconds: 5}
  cpu_overcommit: 1
server_types:
  s: {cores: 16, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
sites:
  dc: {servers: {s: 4}}
vnfs:
  red: {flavor: {vcpu: 4, memory_gib: 2}, forms: [vm, container], replicas: 2, trust: red}
  green: {flavor: {vcpu: 1, memory_gib: 2}, forms: [vm, container], replicas: 1, trust: green}
  blue: {flavor: {vcpu: 1, memory_gib: 2}, forms: [vm, container], replicas: 1, trust: blue}
  fw: {flavor: {vcpu: 1, memory_gib: 2}, forms: [vm], replicas: 1}
solver: {time_limit_s: 10, workers: 1}
"""
"""Three different optima, by hand. Servers: 16 threads, 64 GiB, 100 a month; no overcommit.

Threads per instance: as a VM flavor + 1 (red 5, green 2, blue 2, fw 2), as a container the
flavor (red 4, green 1, blue 1). Each form present on a host takes 1 thread (VM: 4 GiB,
container: 2 GiB). fw ships only as a VM. Memory never binds (at most 23 GiB on a host below).

- all-VM: on one host 1 + 5 + 5 + 2 + 2 + 2 = 17 > 16, so 2 servers (e.g. {red, red, green,
  blue} = 15 and {fw} = 3): **200**. Tax: 5 VMs x 1 thread + 2 hosts x 1 = 7 threads (of 32);
  5 x 2 GiB + 2 x 4 GiB = 18 GiB (of 128). Isolation: 5 VM instances of 4 VNFs, no container.
- all-container: red, green and blue are containers of three trust domains, and containers on a
  host share one domain, so 3 servers at least; 3 suffice (red host 1 + 4 + 4 = 9, fw's VM
  joins a host: + 1 + 2): **300**. Tax: fw's overhead 1 + 3 container reserves + 1 VM reserve
  (fw cannot be alone: that would be a 4th server) = 5 threads (of 48); 4 x 0.5 + 2 + 3 x 2
  + 4 = 14 GiB (of 192). Isolation: 1 VM instance of 1 VNF; 4 containers of 3 VNFs.
- mixed: one server holds red x2 as containers (1 + 4 + 4 = 9) with green, blue and fw as VMs
  (1 + 2 + 2 + 2 = 7): 16 threads exactly, **100**. Every other choice on one host needs 17
  (a red VM instead of a red container +1 thread; green as the container domain instead of red
  saves 1 on green but costs 2 on the red VMs; all VMs: 17), so the forms are unique.
  Tax: 3 VM overheads + 2 reserves = 5 threads (of 16); 3 x 2 + 2 x 0.5 + 4 + 2 = 13 GiB
  (of 64). CPU utilisation 16 / 16.

Recovery: every plan has a VM on its busiest server, so 60 s everywhere. In all-container, fw
either joins the red host (3 instances, busiest, 60 s) or green/blue (2 instances each there and
on the red host: the tie goes to the slower recovery, 60 s); the mixed host has all 5 instances.
"""


def _three(tmp_path: Path) -> Path:
    path = tmp_path / "three.yaml"
    path.write_text(THREE, encoding="utf-8")
    return path


def _checked(scenario: Scenario, comparison: Comparison) -> Comparison:
    """Every variant's plan holds against its own scenario and against the file as written."""
    for result in comparison.results:
        for against in (result.scenario, scenario):
            violations = check_plan(against, result.plan)
            assert violations == [], [f"[{v.rule}] {v.message}" for v in violations]
    return comparison


@pytest.fixture(scope="module")
def three() -> tuple[Scenario, Comparison]:
    scenario = parse(THREE)
    return scenario, _checked(scenario, compare(scenario, FAST))


def test_three_costs_differ_and_mixed_is_cheapest(three: tuple[Scenario, Comparison]) -> None:
    """Tests the three optima of THREE: all-VM 200, all-container 300, mixed 100 (docstring)."""
    _, comparison = three
    vm, container, mixed = comparison.results
    assert [r.variant.key for r in comparison.results] == ["vm", "container", "mixed"]
    assert all(r.plan.status is Status.OPTIMAL for r in comparison.results)
    assert vm.metrics is not None and container.metrics is not None and mixed.metrics is not None
    assert vm.metrics.monthly_cost == pytest.approx(200)
    assert container.metrics.monthly_cost == pytest.approx(300)
    assert mixed.metrics.monthly_cost == pytest.approx(100)
    assert (vm.metrics.servers_used, container.metrics.servers_used) == (2, 3)
    assert mixed.metrics.servers_used == 1
    # 5 instances everywhere: 2.5, 5/3 and 5 per server on average.
    assert vm.metrics.mean_instances_per_server == pytest.approx(2.5)
    assert container.metrics.mean_instances_per_server == pytest.approx(5 / 3)
    assert mixed.metrics.max_instances_per_server == 5
    assert mixed.metrics.cpu_utilisation == pytest.approx(1.0)  # 16 of 16 threads
    assert comparison.exit_code == 0


def test_three_forms_in_each_variant(three: tuple[Scenario, Comparison]) -> None:
    """Tests the forms: all-VM has no container; all-container keeps fw (VM-only) a VM; mixed
    takes red as containers and the rest as VMs, the only one-server plan (docstring)."""
    _, comparison = three
    vm, container, mixed = (r.metrics for r in comparison.results)
    assert vm is not None and container is not None and mixed is not None
    assert vm.forms == {"red": {"vm": 2}, "green": {"vm": 1}, "blue": {"vm": 1}, "fw": {"vm": 1}}
    assert container.forms == {
        "red": {"container": 2},
        "green": {"container": 1},
        "blue": {"container": 1},
        "fw": {"vm": 1},
    }
    assert mixed.forms == {
        "red": {"container": 2},
        "green": {"vm": 1},
        "blue": {"vm": 1},
        "fw": {"vm": 1},
    }


def test_three_tax_isolation_recovery(three: tuple[Scenario, Comparison]) -> None:
    """Tests the virtualisation tax, isolation and recovery figures derived in THREE."""
    _, comparison = three
    vm, container, mixed = (r.metrics for r in comparison.results)
    assert vm is not None and container is not None and mixed is not None
    # all-VM: 5 overhead threads + 2 reserves; 10 + 8 GiB; of 32 threads and 128 GiB.
    assert (vm.tax.overhead_threads, vm.tax.reserve_threads) == pytest.approx((5, 2))
    assert (vm.tax.overhead_memory_gib, vm.tax.reserve_memory_gib) == pytest.approx((10, 8))
    assert vm.tax.thread_share == pytest.approx(7 / 32)
    assert vm.tax.memory_share == pytest.approx(18 / 128)
    # all-container: 1 + (3 + 1) threads; (2 + 2) + (6 + 4) GiB.
    assert (container.tax.overhead_threads, container.tax.reserve_threads) == pytest.approx((1, 4))
    assert container.tax.memory_gib == pytest.approx(14)
    assert container.tax.thread_share == pytest.approx(5 / 48)
    # mixed: 3 + 2 threads; (6 + 1) + (4 + 2) GiB; of 16 threads and 64 GiB.
    assert (mixed.tax.threads, mixed.tax.memory_gib) == pytest.approx((5, 13))
    assert mixed.tax.thread_share == pytest.approx(5 / 16)
    # Isolation: instances and VNFs behind a hypervisor vs sharing a kernel.
    assert (vm.isolation.vm_instances, vm.isolation.vm_vnfs) == (5, 4)
    assert (vm.isolation.container_instances, vm.isolation.container_vnfs) == (0, 0)
    assert (container.isolation.vm_instances, container.isolation.vm_vnfs) == (1, 1)
    assert (container.isolation.container_instances, container.isolation.container_vnfs) == (4, 3)
    assert (mixed.isolation.vm_instances, mixed.isolation.vm_vnfs) == (3, 3)
    assert (mixed.isolation.container_instances, mixed.isolation.container_vnfs) == (2, 1)
    # Recovery: a VM on every busiest server, so 60 s; the mixed host runs all 5 instances.
    assert [m.recovery.seconds for m in (vm, container, mixed)] == [60, 60, 60]
    assert mixed.recovery.instances == 5
    assert mixed.recovery.server == "dc/s/1"


def test_three_verdict_and_records(three: tuple[Scenario, Comparison]) -> None:
    """Tests the verdict and the machine-readable margins: all-VM costs (200 - 100) / 100 = 100%
    more than mixed, all-container (300 - 100) / 100 = 200% more."""
    _, comparison = three
    line = verdict(comparison)
    assert line.startswith("mixed is cheapest at 100.00 per month")
    assert "all-VM costs 200.00 (+100.0%)" in line
    assert "all-container costs 300.00 (+200.0%)" in line
    vm, container, mixed = (record(comparison, r) for r in comparison.results)
    assert (vm["above_cheapest"], container["above_cheapest"], mixed["above_cheapest"]) == (
        pytest.approx(1.0),
        pytest.approx(2.0),
        0.0,
    )
    assert (vm["cheapest"], container["cheapest"], mixed["cheapest"]) == (False, False, True)
    assert list(mixed) == list(FIELDS)


INFEASIBLE_VM = THREE.replace(
    "red: {flavor: {vcpu: 4, memory_gib: 2}, forms: [vm, container], replicas: 2",
    "red: {flavor: {vcpu: 15, memory_gib: 2}, forms: [vm, container], replicas: 1",
)
"""red (one replica) needs 15 + 1 = 16 threads as a VM plus the VM reserve 1: 17 > 16, so no
all-VM plan. As a container it needs 15 + 1 (reserve) = 16: a host of its own. all-container:
red's host, green's and blue's (three trust domains), fw's VM joining green or blue: 300. mixed:
red's container host plus one host for green, blue and fw (1 + 2 + 2 + 2 = 7 as VMs): 200."""


def test_infeasible_variant_row_says_why_and_exits_0(tmp_path: Path) -> None:
    """Tests that an infeasible all-VM variant is an answer: exit 0, status infeasible, the first
    reason of its explanation in its row and, in full, in the JSON record."""
    site = tmp_path / "site.yaml"
    site.write_text(INFEASIBLE_VM, encoding="utf-8")
    table = run_cli("compare", site)
    assert table.exception is None and table.exit_code == 0, table.output
    assert "why no plan" in table.stdout
    assert "red: its flavor fits" in table.stdout
    assert "all-VM has no plan (infeasible)" in " ".join(table.stdout.split())
    result = run_cli("compare", site, "--format", "json")
    assert result.exit_code == 0, result.output
    vm, container, mixed = json.loads(result.stdout)["variants"]
    assert vm["status"] == "infeasible" and vm["monthly_cost"] is None
    assert vm["reason"].startswith("red:") and "17 threads" in vm["reason"]
    assert (container["monthly_cost"], mixed["monthly_cost"]) == (300, 200)
    scenario = parse(INFEASIBLE_VM)
    _checked(scenario, compare(scenario, FAST))


def test_no_variant_has_a_plan_exits_like_solve(tmp_path: Path) -> None:
    """Tests the documented choice: with no plan anywhere the table is still printed, and the
    exit code is `solve`'s for the file (3, infeasible). red with 16 vCPUs needs 16 + 1 reserve
    as a container and 16 + 1 + 1 as a VM, on 16-thread servers: no form fits."""
    site = tmp_path / "site.yaml"
    site.write_text(INFEASIBLE_VM.replace("vcpu: 15", "vcpu: 16"), encoding="utf-8")
    result = run_cli("compare", site, "--format", "markdown")
    assert result.exception is None and result.exit_code == 3, result.output
    assert "| status | infeasible | infeasible | infeasible |" in result.stdout
    assert "**Verdict:** no variant has a plan (infeasible): red:" in result.stdout


ONE_FORM = """\
nfvplan: 1
name: one-form
platform:
  container: {host_reserve: {cores: 1}, boot_seconds: 5}
  vm: {boot_seconds: 60}
server_types:
  s: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 100}
sites:
  dc: {servers: {s: 2}}
vnfs:
  app: {flavor: {vcpu: 2, memory_gib: 2}, forms: [container], replicas: 3}
"""
"""No VNF offers a choice, so all three variants are the scenario itself: one host, 1 + 3 x 2 = 7
threads of 8, 100 a month, three containers rebooting in parallel in 5 s. The all-VM variant is
solved; the two others reuse its plan instead of solving the same thing again."""


def test_identical_variants_are_solved_once() -> None:
    """Tests that variants equal to one already solved reuse its plan (ONE_FORM)."""
    scenario = parse(ONE_FORM)
    comparison = _checked(scenario, compare(scenario, FAST))
    assert [r.reused for r in comparison.results] == [None, "vm", "vm"]
    for result in comparison.results:
        assert result.metrics is not None
        assert result.metrics.monthly_cost == pytest.approx(100)
        assert (result.metrics.recovery.instances, result.metrics.recovery.seconds) == (3, 5)
    assert verdict(comparison).startswith("all-VM, all-container and mixed tie as cheapest")


# --- random scenarios ---------------------------------------------------------------------------

_VNF = st.tuples(
    st.integers(1, 6),  # vcpu
    st.integers(1, 8),  # memory GiB
    st.sampled_from([("vm",), ("container",), ("vm", "container")]),
    st.integers(1, 3),  # replicas
    st.sampled_from(["a", "b"]),  # trust
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_VNF, min_size=1, max_size=3))
def test_random_scenarios_hold_the_comparison_invariants(vnfs: list[tuple]) -> None:
    """Tests, on random small scenarios, what must hold whatever the numbers: every plan passes
    the checker; all-VM runs no container of a VNF that offers `vm` (and vice versa); proven
    optima order as mixed <= each pure variant (the pure ones are restrictions of mixed); the tax
    is overheads plus reserves and never exceeds the used servers' threads."""
    lines = [
        f"  v{i}: {{flavor: {{vcpu: {c}, memory_gib: {m}}}, forms: [{', '.join(f)}], "
        f"replicas: {r}, trust: {t}}}"
        for i, (c, m, f, r, t) in enumerate(vnfs)
    ]
    text = (
        "nfvplan: 1\nname: random\n"
        "platform:\n"
        "  vm: {overhead: {vcpu: 1, memory_gib: 1}, host_reserve: {cores: 1, memory_gib: 2}}\n"
        "  container: {overhead: {memory_gib: 0.25}, host_reserve: {cores: 1, memory_gib: 1}}\n"
        "server_types:\n  s: {cores: 8, threads_per_core: 1, memory_gib: 32, monthly_cost: 10}\n"
        "sites:\n  dc: {servers: {s: 9}}\n"
        "vnfs:\n" + "\n".join(lines) + "\n"
    )
    scenario = parse(text)
    comparison = _checked(scenario, compare(scenario, SolveOptions(time_limit_s=5, workers=1)))
    by_key = {r.variant.key: r for r in comparison.results}
    for key, form in (("vm", Form.VM), ("container", Form.CONTAINER)):
        plan = by_key[key].plan
        for placement in plan.placements:
            if form in scenario.vnfs[placement.vnf].forms:
                assert placement.form == form.value
    mixed = by_key["mixed"]
    for key in ("vm", "container"):
        pure = by_key[key]
        if mixed.plan.status is Status.OPTIMAL and pure.metrics is not None:
            assert mixed.metrics is not None
            assert mixed.metrics.monthly_cost <= pure.metrics.monthly_cost + 1e-6
    for result in comparison.planned:
        tax = result.metrics.tax
        assert tax.threads == pytest.approx(tax.overhead_threads + tax.reserve_threads)
        assert 0 <= tax.threads <= tax.capacity_threads + 1e-9


# --- the command: formats and files -------------------------------------------------------------


def test_every_format_parses(tmp_path: Path) -> None:
    """Tests json (loads, 3 variants with every field), csv (header + 3 rows), markdown (a
    table: header, separator, one row per figure) and table (the variant labels)."""
    site = _three(tmp_path)
    as_json = run_cli("compare", site, "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    document = json.loads(as_json.stdout)
    assert [v["variant"] for v in document["variants"]] == ["vm", "container", "mixed"]
    assert all(list(v) == list(FIELDS) for v in document["variants"])
    assert document["verdict"].startswith("mixed is cheapest")

    as_csv = run_cli("compare", site, "--format", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0] == list(FIELDS) and len(rows) == 4
    records = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [float(r["monthly_cost"]) for r in records] == [200, 300, 100]
    assert records[2]["forms"] == "red: container ×2; green: vm ×1; blue: vm ×1; fw: vm ×1"

    as_md = run_cli("compare", site, "--format", "markdown")
    assert as_md.exit_code == 0, as_md.output
    table = [line for line in as_md.stdout.splitlines() if line.startswith("|")]
    assert table[0] == "| | all-VM | all-container | mixed |"
    assert table[1] == "|---|---:|---:|---:|"
    assert all(line.count(" | ") == 3 for line in table[2:])
    assert "| monthly cost | 200.00 (+100.0%) | 300.00 (+200.0%) | 100.00 (cheapest) |" in table
    assert "- fw*: vm ×1" in as_md.stdout

    as_table = run_cli("compare", site)
    assert as_table.exit_code == 0, as_table.output
    assert max(len(line) for line in as_table.stdout.splitlines()) <= 100
    assert "red: container ×2 · green: vm ×1 · blue: vm ×1 · fw*: vm ×1" in as_table.stdout


def test_output_dir_keeps_three_plans_that_check_accepts(tmp_path: Path) -> None:
    """Tests -o DIR (created when missing): plan-vm/container/mixed.yaml, each accepted by
    `nfvplan check` against the scenario as written."""
    site = _three(tmp_path)
    out = tmp_path / "plans"
    result = run_cli("compare", site, "-o", out, "--format", "json")
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)  # the file list went to stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == ["plan-container.yaml", "plan-mixed.yaml", "plan-vm.yaml"]
    for name in names:
        checked = run_cli("check", site, out / name)
        assert checked.exit_code == 0, checked.output


@pytest.mark.parametrize(("suffix", "magic"), [("png", b"\x89PNG\r\n\x1a\n"), ("svg", b"<svg")])
def test_plot_writes_an_image(tmp_path: Path, suffix: str, magic: bytes) -> None:
    """Tests --plot: a PNG starts with its 8-byte signature, an SVG holds an <svg> element."""
    pytest.importorskip("matplotlib")
    site = _three(tmp_path)
    image = tmp_path / f"compare.{suffix}"
    result = run_cli("compare", site, "--plot", image)
    assert result.exit_code == 0, result.output
    content = image.read_bytes()
    assert content.startswith(magic) if suffix == "png" else magic in content
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing", "missing.yaml"),
        ("bad-yaml", "bad.yaml:3:1: YAML syntax error"),  # the list is open at the end
        ("format", "--format"),
        ("output-is-a-file", "must name a folder"),
        ("output-parent-missing", "no folder"),
        ("plot-suffix", "use a .png or .svg file"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path, case: str, message: str) -> None:
    """Tests bad input and usage: exit 2, a message naming the problem, no traceback, and no
    file written (the folder's content is unchanged, no plan folder created)."""
    site = _three(tmp_path)
    (tmp_path / "bad.yaml").write_text("nfvplan: 1\nvnfs: [unclosed\n", encoding="utf-8")
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    args: list[str | Path] = {
        "missing": [tmp_path / "missing.yaml", "-o", tmp_path / "out"],
        "bad-yaml": [tmp_path / "bad.yaml", "-o", tmp_path / "out"],
        "format": [site, "--format", "xml", "-o", tmp_path / "out"],
        "output-is-a-file": [site, "-o", tmp_path / "a-file"],
        "output-parent-missing": [site, "-o", tmp_path / "no" / "such" / "dir"],
        "plot-suffix": [site, "--plot", tmp_path / "chart.jpg", "-o", tmp_path / "out"],
    }[case]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = run_cli("compare", *args)
    assert result.exit_code == 2, result.output
    assert result.exception is None and "Traceback" not in result.output
    assert message in result.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_missing_matplotlib_exits_2_before_solving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests that --plot without matplotlib is exit 2 with the install hint, found before any
    solve: neither the image nor the plans of -o are written."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    site = _three(tmp_path)
    result = run_cli("compare", site, "--plot", tmp_path / "c.png", "-o", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert result.exception is None and "pip install 'nfvplan[plot]'" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["three.yaml"]
