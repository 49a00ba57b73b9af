"""Tests that every resource of a server binds: host reserves, overheads, CPU overcommit,
hugepages, disk, NIC and SR-IOV VFs, exactly up to a full server.

Hand-proven cases, as docs/testing.md ("Rule tests") describes: the optimum is argued in each
test's docstring, every plan has passed the checker, the platform is `PLAIN` unless a test says.
"""

from __future__ import annotations

import pytest

from tests.helpers import assert_optimal, scenario_yaml, server_use, solve_and_check
from tests.scenarios import PLAIN

# --- reserves, overheads and overcommit -----------------------------------------------------------

RESERVE_YAML = scenario_yaml(
    """
    platform:
      vm:
        overhead: {vcpu: 1, memory_gib: 2, disk_gib: 10}
        host_reserve: {cores: 2, memory_gib: 8, disk_gib: 50}
      container:
        overhead: {vcpu: 0.5, memory_gib: 0.5, disk_gib: 1}
        host_reserve: {cores: 1, memory_gib: 4, disk_gib: 20}
      cpu_overcommit: 2
    server_types:
      h: {cores: 16, threads_per_core: 2, memory_gib: 64, disk_gib: 500, nic_gbps: 10,
          sriov_vfs: 8, monthly_cost: 100}
    sites:
      dc: {servers: {h: 1}}
    vnfs:
      vmonly: {flavor: {vcpu: 4, memory_gib: 8, disk_gib: 20}, forms: [vm], replicas: 2}
      ctonly: {flavor: {vcpu: 2, memory_gib: 4, disk_gib: 5}, forms: [container], replicas: 1}
    """
)


def test_host_reserves_are_paid_once_per_form_present() -> None:
    """Tests the exact usage of a host running 2 VMs and 1 container.

    h: 16 cores x 2 threads = 32 threads. Reserves (once each, as both forms are present):
    VM 2 cores = 4 threads, 8 GiB, 50 GiB disk; container 1 core = 2 threads, 4 GiB, 20 GiB.
    Instances, shared vCPUs at overcommit 2:
    - 2 VMs: threads 2 x (4 + 1) / 2 = 5, memory 2 x (8 + 2) = 20, disk 2 x (20 + 10) = 60;
    - 1 container: threads (2 + 0.5) / 2 = 1.25, memory 4 + 0.5 = 4.5, disk 5 + 1 = 6.
    Used: threads 4 + 2 + 5 + 1.25 = 12.25, memory 8 + 4 + 20 + 4.5 = 36.5,
    disk 50 + 20 + 60 + 6 = 136, NIC 0, VFs 0. One server: 100.
    """
    plan = solve_and_check(RESERVE_YAML)
    assert_optimal(plan, 100)
    assert server_use(plan, "dc/h/1").used == pytest.approx(
        {"threads": 12.25, "memory_gib": 36.5, "disk_gib": 136, "nic_gbps": 0, "sriov_vfs": 0}
    )
    assert (plan.summary.vms, plan.summary.containers) == (2, 1)
    assert plan.summary.cpu_utilisation == pytest.approx(12.25 / 32, abs=1e-6)  # 6 decimals
    assert plan.summary.memory_utilisation == pytest.approx(36.5 / 64, abs=1e-6)


def test_only_the_reserve_of_the_form_present_is_paid() -> None:
    """Tests that a host with containers only pays no VM reserve.

    Without vmonly: container reserve 2 threads, 4 GiB, 20 GiB disk plus the container's
    1.25 threads, 4.5 GiB, 6 GiB: threads 3.25, memory 8.5, disk 26.
    """
    yaml_text = RESERVE_YAML.replace(
        "  vmonly: {flavor: {vcpu: 4, memory_gib: 8, disk_gib: 20}, forms: [vm], replicas: 2}\n",
        "",
    )
    plan = solve_and_check(yaml_text)
    assert_optimal(plan, 100)
    used = server_use(plan, "dc/h/1").used
    assert used["threads"] == pytest.approx(3.25)
    assert used["memory_gib"] == pytest.approx(8.5)
    assert used["disk_gib"] == pytest.approx(26)


OVERCOMMIT_YAML = scenario_yaml(
    """
    platform:
      cpu_overcommit: 2
    server_types:
      s: {cores: 8, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
    sites:
      dc: {servers: {s: 2}}
    vnfs:
      fn: {flavor: {vcpu: VCPU, memory_gib: 4}, cpu: CPU, replicas: REPLICAS}
    """
)


@pytest.mark.parametrize(
    ("vcpu", "cpu", "replicas", "cost", "threads"),
    [
        (12, "shared", 1, 100, [6]),
        (8, "shared", 2, 100, [8]),
        (8, "dedicated", 2, 200, [8, 8]),
    ],
    ids=["one-larger-than-the-server", "two-exactly-full", "dedicated-never-overcommitted"],
)
def test_cpu_overcommit_applies_to_shared_vcpus_only(
    vcpu: int, cpu: str, replicas: int, cost: int, threads: list[float]
) -> None:
    """Tests overcommit: shared vCPUs count 1/2 thread, dedicated ones a whole thread.

    s has 8 threads; overcommit 2.
    - one shared 12-vCPU instance: 12 / 2 = 6 <= 8 threads, fits only thanks to overcommit: 100;
    - two shared 8-vCPU instances: 2 x 8 / 2 = 8 <= 8, exactly full, one server: 100;
    - two dedicated 8-vCPU instances: 8 + 8 = 16 > 8, one per server: 200.
    """
    yaml_text = (
        OVERCOMMIT_YAML.replace("VCPU", str(vcpu))
        .replace("CPU", cpu)
        .replace("REPLICAS", str(replicas))
    )
    plan = solve_and_check(yaml_text)
    assert_optimal(plan, cost)
    assert sorted(s.used["threads"] for s in plan.servers) == pytest.approx(threads)


def test_overhead_vcpus_of_a_dedicated_instance_are_shared() -> None:
    """Tests that a pinned instance's overhead vCPU still counts 1/overcommit of a thread.

    VM overhead 1 vCPU, overcommit 2; fn pins 3 vCPUs as a VM: 3 + 1 / 2 = 3.5 threads.
    Two instances: 7.0 threads, exactly the 7 threads of s: one server, 100. (Were the overhead
    vCPU pinned too, 2 x 4 = 8 > 7 would need two servers.)
    """
    plan = solve_and_check(
        scenario_yaml(
            """
            platform:
              vm: {overhead: {vcpu: 1}}
              cpu_overcommit: 2
            server_types:
              s: {cores: 7, threads_per_core: 1, memory_gib: 64, monthly_cost: 100}
            sites:
              dc: {servers: {s: 2}}
            vnfs:
              fn: {flavor: {vcpu: 3, memory_gib: 4}, cpu: dedicated, forms: [vm], replicas: 2}
            """
        )
    )
    assert_optimal(plan, 100)
    assert plan.servers[0].used["threads"] == pytest.approx(7)


# --- every resource binds -------------------------------------------------------------------------

BINDING_YAML = scenario_yaml(
    PLAIN,
    """
    server_types:
      s: {cores: 16, threads_per_core: 1, memory_gib: 32, disk_gib: 100, nic_gbps: 10,
          sriov_vfs: 8, monthly_cost: 100}
    sites:
      dc: {servers: {s: 3}}
    vnfs:
      fn: {flavor: FLAVOR, replicas: 3}
    """,
)


@pytest.mark.parametrize(
    ("flavor", "resource", "per_instance", "servers"),
    [
        ("{vcpu: 1, memory_gib: 8}", "memory_gib", 8, 1),
        ("{vcpu: 1, memory_gib: 8, hugepages_gib: 8}", "memory_gib", 16, 2),
        ("{vcpu: 1, memory_gib: 1, sriov_vfs: 4}", "sriov_vfs", 4, 2),
        ("{vcpu: 1, memory_gib: 1, disk_gib: 40}", "disk_gib", 40, 2),
        ("{vcpu: 1, memory_gib: 1, gbps: 4}", "nic_gbps", 4, 2),
    ],
    ids=["memory-control", "hugepages", "sriov-vfs", "disk", "nic"],
)
def test_each_resource_binds(flavor: str, resource: str, per_instance: float, servers: int) -> None:
    """Tests that hugepages count as memory and VFs, disk and NIC Gbps each limit a server.

    s: 16 threads, 32 GiB, 100 GiB disk, 10 Gbps, 8 VFs; 3 replicas, 1 thread each.
    - 8 GiB (control): 3 x 8 = 24 <= 32, one server: 100;
    - 8 GiB + 8 GiB hugepages = 16 GiB: 2 x 16 = 32 fits, 3 x 16 = 48 does not: 200;
    - 4 VFs: 2 x 4 = 8 fits, 12 > 8: 200;
    - 40 GiB disk: 80 <= 100, 120 > 100: 200;
    - 4 Gbps NIC: 8 <= 10, 12 > 10: 200.
    The fuller server uses 2 x (per instance) of the binding resource (3 x in the control).
    """
    plan = solve_and_check(BINDING_YAML.replace("FLAVOR", flavor))
    assert_optimal(plan, 100 * servers)
    assert plan.summary.servers_used == servers
    fullest = max(s.used[resource] for s in plan.servers)
    assert fullest == pytest.approx(per_instance * (3 if servers == 1 else 2))


# --- exactness at the boundary (a bug before ccd1e68) ---------------------------------------------


def test_exactly_full_server_under_fractional_overcommit() -> None:
    """Tests that instances whose exact thread shares fill a server exactly share it.

    cpu_overcommit 3: a shared 1-vCPU instance takes 1/3 thread. s has 1 thread; 3 instances
    take 3 x 1/3 = 1.0 <= 1 thread (FORMAT: the sum fits the server), memory 3 <= 32: one
    server, 100. The checker's rules accept that plan; the solver must find it (it once
    rounded each instance up to 334 milli-threads: 1002 > 1000, two servers, 200).
    """
    plan = solve_and_check(
        scenario_yaml(
            """
            platform:
              cpu_overcommit: 3
            server_types:
              s: {cores: 1, threads_per_core: 1, memory_gib: 32, monthly_cost: 100}
            sites:
              dc: {servers: {s: 2}}
            vnfs:
              fn: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 3}
            """
        )
    )
    assert_optimal(plan, 100)
