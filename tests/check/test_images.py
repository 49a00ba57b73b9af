"""Images on disk: a VM's image is a disk per instance, a container image is pulled once per host.

`image_gib` (one number for every form, or `{vm: X, container: Y}`) adds, on each server, X GiB
per VM instance and Y GiB once per VNF whose containers run there, however many. The cases are
small enough to compute by hand; every plan passes the independent checker first.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from helpers import parse, scenario_yaml, server_use, servers_of, solve_and_check

from nfvplan.check import check_plan
from nfvplan.errors import InputError
from nfvplan.plan import Status


def image_case(forms: str, servers: int, image: str = "30", replicas: int = 4) -> str:
    """Servers with 100 GiB of disk (1000 a month) and plenty else; a VNF of `replicas`
    instances whose image is 30 GiB; no overheads or reserves."""
    return scenario_yaml(
        """
        platform:
          cpu_overcommit: 1
        server_types:
          s: {cores: 32, threads_per_core: 1, memory_gib: 256, disk_gib: 100, monthly_cost: 1000}
        """,
        f"""
        sites:
          dc: {{servers: {{s: {servers}}}}}
        vnfs:
          a: {{flavor: {{vcpu: 2, memory_gib: 4}}, forms: {forms}, replicas: {replicas},
               image_gib: {image}}}
        """,
    )


def test_a_container_image_is_pulled_once_per_host() -> None:
    """Four containers of a 30 GiB image on one server take 30 GiB of its disk, not 120:
    one server, 1000."""
    plan = solve_and_check(image_case("[container]", servers=1))
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == pytest.approx(1000)
    assert server_use(plan, "dc/s/1").used["disk_gib"] == pytest.approx(30)


def test_vm_images_are_a_disk_each() -> None:
    """Four VMs of a 30 GiB image need 120 GiB: at most three (90) fit a 100 GiB disk, so two
    servers, 2000; with one server there is no plan."""
    plan = solve_and_check(image_case("[vm]", servers=2))
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == pytest.approx(2000)
    for server in plan.servers:
        assert server.used["disk_gib"] == pytest.approx(30 * servers_of(plan, "a").count(server.id))
    assert solve_and_check(image_case("[vm]", servers=1)).status is Status.INFEASIBLE


def test_the_image_cache_makes_containers_the_cheaper_form() -> None:
    """With both forms the cache decides: four containers on one server (30 GiB) at 1000
    beat four VMs on two (2000)."""
    plan = solve_and_check(image_case("[vm, container]", servers=2))
    assert plan.objective.value == pytest.approx(1000)
    assert {p.form for p in plan.placements} == {"container"}


def test_images_per_form() -> None:
    """`{vm: 30, container: 60}`: containers pay 60 once, VMs 30 each; four VMs (120) overflow
    one 100 GiB server, four containers (60) fit, so one server with containers, 1000."""
    plan = solve_and_check(
        image_case("[vm, container]", servers=2, image="{vm: 30, container: 60}")
    )
    assert plan.objective.value == pytest.approx(1000)
    assert server_use(plan, "dc/s/1").used["disk_gib"] == pytest.approx(60)


def test_two_vnfs_pay_their_own_images() -> None:
    """One image per VNF, no layer sharing between VNFs: a and b (30 GiB each, one trust
    domain) as containers on one server take 60 GiB."""
    text = image_case("[container]", servers=1, replicas=2).replace(
        "image_gib: 30", "image_gib: 30, trust: t"
    )
    text += (
        "  b: {flavor: {vcpu: 2, memory_gib: 4}, forms: [container], replicas: 2,\n"
        "      image_gib: 30, trust: t}\n"
    )
    plan = solve_and_check(text)
    assert plan.status is Status.OPTIMAL
    assert server_use(plan, "dc/s/1").used["disk_gib"] == pytest.approx(60)


def test_the_checker_counts_each_vm_image() -> None:
    """The one-server container plan, hand-edited to VMs: 4 x 30 = 120 GiB on a 100 GiB disk."""
    scenario = parse(image_case("[vm, container]", servers=1))
    plan = solve_and_check(scenario)
    as_vms = replace(plan, placements=[replace(p, form="vm") for p in plan.placements])
    messages = [v.message for v in check_plan(scenario, as_vms) if v.rule == "capacity"]
    assert any("disk" in m and "120" in m for m in messages), messages


@pytest.mark.parametrize("bad", ["-1", "{vm: 1, kvm: 2}", "{vm: x}", "[1]"])
def test_a_bad_image_size_is_located(bad: str) -> None:
    """A negative size, an unknown form or a non-number is refused with the field named."""
    with pytest.raises(InputError) as error:
        parse(image_case("[vm, container]", servers=1, image=bad))
    assert "image_gib" in str(error.value)
