"""Tests of container images in worker VMs (`container-in-vm`, issue 17 "Images").

A worker VM is its own Kubernetes node with its own image cache: a VNF's container image is
pulled and stored once per WORKER VM that runs it, on the worker's disk, which the host sees
only as the worker flavor's `disk_gib` (docs/format.md, "The nested form"). Solver, checker
and loader agree: each case's optimum is argued in its docstring and every plan passes the
independent checker (`solve_and_check`).
"""

from __future__ import annotations

import pytest

from nfvplan.check import check_plan
from tests.helpers import assert_optimal, parse, scenario_yaml, solve_and_check

IMAGES = scenario_yaml(
    """
    platform:
      vm:
        overhead: {vcpu: 1, memory_gib: 2}
        host_reserve: {cores: 1, memory_gib: 2}
      container-in-vm:
        worker: {vcpu: 4, memory_gib: 8, disk_gib: 30}
    server_types:
      box: {cores: 8, threads_per_core: 1, memory_gib: 16, disk_gib: 100, monthly_cost: 1000}
    sites:
      dc: {servers: {box: 2}}
    vnfs:
      a:
        flavor: {vcpu: 1, memory_gib: 2}
        forms: [container-in-vm]
        replicas: 1
        trust: t
        image_gib: IMG
      b:
        flavor: {vcpu: 1, memory_gib: 2}
        forms: [container-in-vm]
        replicas: 1
        trust: t
        image_gib: IMG
    """
)


def images(gib: float) -> str:
    return IMAGES.replace("IMG", f"{gib:g}")


def test_two_images_that_fit_one_worker_share_it_on_one_host() -> None:
    """Tests the baseline: images of 10 GiB each.

    A worker (4 vCPU, 8 GiB, 30 GiB disk) takes 4 + 1 = 5 threads and 8 + 2 = 10 GiB of its
    host; two workers on a box take 10 + 1 (hypervisor) = 11 > 8 threads: one worker per box.
    a and b (1 vCPU, 2 GiB each) and their images 10 + 10 = 20 <= 30 GiB fit one worker:
    one box, optimum 1000. The host's disk is the worker's 30 GiB: the images are inside it.
    """
    plan = solve_and_check(images(10))
    assert_optimal(plan, 1000)
    assert len(plan.workers) == 1
    assert plan.servers[0].used["disk_gib"] == pytest.approx(30)


def test_images_are_stored_once_per_worker_not_once_per_host() -> None:
    """Tests that each worker VM keeps its own image cache on its own disk.

    Images of 20 GiB: a and b in one worker need 20 + 20 = 40 > 30 GiB of its disk, so they
    need two workers, and a box holds one worker (threads, see above): two boxes, optimum
    2000. Were images counted once per host on the host's 100 GiB disk, one box would do
    (30 + 40 = 70 <= 100): the per-worker rule is what costs the second box. Each host's disk
    is still its worker's 30 GiB, images included.
    """
    plan = solve_and_check(images(20))
    assert_optimal(plan, 2000)
    assert len(plan.workers) == 2
    assert {w.server for w in plan.workers} == {"dc/box/1", "dc/box/2"}
    assert [s.used["disk_gib"] for s in plan.servers] == pytest.approx([30, 30])


def test_checker_refuses_two_images_overflowing_one_worker() -> None:
    """Tests the checker's own copy of the rule: the one-worker plan of 10 GiB images, read
    against 20 GiB images, puts 40 GiB of images in a worker that offers 30 (`worker-fit`)."""
    plan = solve_and_check(images(10))
    violations = check_plan(parse(images(20)), plan)
    assert [v.rule for v in violations] == ["worker-fit"]
    assert "40 disk_gib" in violations[0].message
    assert "offers 30" in violations[0].message


def test_an_image_larger_than_its_worker_disk_is_refused() -> None:
    """Tests that the loader refuses a nested VNF whose image alone overflows its worker's
    disk (35 > 30 GiB): the worker flavor's disk bounds the image, with the field named."""
    from nfvplan.errors import InputError

    with pytest.raises(InputError) as error:
        parse(images(35))
    text = str(error.value)
    assert "35 disk_gib" in text and "image" in text and "offers 30" in text
