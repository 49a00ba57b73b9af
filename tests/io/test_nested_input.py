"""Tests that the nested form's input (`platform.container-in-vm`, `forms: [container-in-vm]`)
is read as documented and refused, when wrong, with file, line, column, field and a fix."""

from __future__ import annotations

from nfvplan.io import parse_scenario
from nfvplan.model import Form
from tests.io.test_bad_input import one, problems

BASE = """\
nfvplan: 1
platform:
  container-in-vm:
    worker: {vcpu: 8, memory_gib: 32, disk_gib: 50}
    workers:
      red: {vcpu: 4, memory_gib: 16, cpu: dedicated, numa: aligned}
    reserve: {vcpu: 1, memory_gib: 2}
server_types:
  s: {cores: 16, memory_gib: 128, disk_gib: 500, numa_nodes: 2, monthly_cost: 100}
sites:
  dc: {servers: {s: 2}}
vnfs:
  a:
    flavor: {vcpu: 2, memory_gib: 4}
    forms: [vm, container-in-vm]
    replicas: 2
  b:
    flavor: {vcpu: 2, memory_gib: 4}
    forms: [container-in-vm]
    replicas: 1
    trust: red
"""
# line: 3 container-in-vm · 4 worker · 6 red · 7 reserve · 15 a.forms · 19 b.forms


def edit(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def test_base_reads_worker_flavors_per_domain_and_for_all() -> None:
    """Tests that `worker` serves every domain, `workers` overrides it per trust domain."""
    scenario = parse_scenario(BASE, filename="site.yaml")
    nesting = scenario.platform.nesting
    assert scenario.vnfs["a"].forms == (Form.VM, Form.NESTED)
    assert nesting.flavor("a") == nesting.default
    assert nesting.default is not None and nesting.default.vcpu == 8
    red = nesting.flavor("red")
    assert red is not None and red.dedicated_cpu and red.numa_aligned and red.vcpu == 4
    assert nesting.reserve.vcpu == 1 and nesting.reserve.memory_gib == 2


def test_v1_file_without_the_block_keeps_its_meaning() -> None:
    """Tests that a file without `container-in-vm` anywhere has no worker flavor and its VNFs
    default to [vm, container], as before."""
    lines = BASE.splitlines(keepends=True)
    text = "".join(lines[:1] + lines[7:])
    text = text.replace("    forms: [vm, container-in-vm]\n", "").replace(
        "    forms: [container-in-vm]\n", ""
    )
    scenario = parse_scenario(text, filename="site.yaml")
    assert scenario.platform.nesting.default is None
    assert scenario.vnfs["a"].forms == (Form.VM, Form.CONTAINER)


def test_unknown_worker_key_is_named_with_the_valid_ones() -> None:
    """Tests that a typo in a worker flavor points at the key."""
    problem = one(edit("disk_gib: 50}", "disk: 50}"))
    assert (problem.line, problem.path) == (4, "platform.container-in-vm.worker.disk")
    assert "valid keys: vcpu, memory_gib, disk_gib, cpu, numa" in problem.message


def test_nested_vnf_without_a_worker_flavor_is_refused() -> None:
    """Tests that a nested VNF of a domain with no flavor (no `worker`, not under `workers`)
    is refused at its `forms`, saying what to add."""
    text = edit("    worker: {vcpu: 8, memory_gib: 32, disk_gib: 50}\n", "")
    problem = one(text)
    assert (problem.line, problem.path) == (14, "vnfs.a.forms")
    assert "no 'worker' flavor nor 'workers: {a: ...}'" in problem.message


def test_dedicated_vnf_needs_a_pinned_worker() -> None:
    """Tests that `cpu: dedicated` nested in an unpinned worker is refused."""
    problem = one(edit("    replicas: 2\n", "    replicas: 2\n    cpu: dedicated\n"))
    assert problem.path == "vnfs.a.forms"
    assert "cpu: dedicated needs a pinned worker VM" in problem.message


def test_instance_larger_than_its_worker_is_refused() -> None:
    """Tests that a VNF whose one instance exceeds its worker's room is refused with the
    numbers: red's worker offers 4 - 1 = 3 vCPU, b asks 5."""
    problem = one(
        edit(
            "    flavor: {vcpu: 2, memory_gib: 4}\n    forms: [container-in-vm]",
            "    flavor: {vcpu: 5, memory_gib: 4}\n    forms: [container-in-vm]",
        )
    )
    assert (problem.line, problem.path) == (19, "vnfs.b.forms")
    assert "needs 5 vcpu inside its worker VM" in problem.message
    assert "offers 3 after its reserve" in problem.message


def test_reserve_that_leaves_nothing_is_refused() -> None:
    """Tests that a reserve as large as a worker is refused at the worker."""
    problem = problems(
        edit("reserve: {vcpu: 1, memory_gib: 2}", "reserve: {vcpu: 4, memory_gib: 2}")
    )[0]
    assert (problem.line, problem.path) == (6, "platform.container-in-vm")
    assert "leaves nothing to its containers" in problem.message


def test_workers_of_an_unknown_trust_domain_are_refused() -> None:
    """Tests that `workers:` naming a domain no VNF has is refused (a typo, most likely)."""
    problem = one(edit("      red:", "      rde:").replace("trust: red", "trust: red\n"))
    assert problem.path in ("platform.container-in-vm.workers.rde", "vnfs.b.forms")


def test_worker_that_fits_no_server_is_refused() -> None:
    """Tests that a worker flavor larger than any server is refused at the VNF's forms."""
    problem = one(edit("vcpu: 8, memory_gib: 32, disk_gib: 50", "vcpu: 8, memory_gib: 300"))
    assert problem.path == "vnfs.a.forms"
    assert "fits no server type" in problem.message
