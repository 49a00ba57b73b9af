"""Recovery time with image pulls: a host pulls what it does not hold, then boots.

Pull seconds are `image_gib x 8 / image_pull_gbps`; a host already running the VNF in that form
has the image cached. Containers boot in 3 s. Each case is computed by hand in its docstring;
the plans have passed the independent checker, and so has every re-placement (`check_failure`).
"""

from __future__ import annotations

import pytest
from helpers import parse, scenario_yaml, solve_and_check

from nfvplan.choices import Level
from nfvplan.lifecycle import deploy_seconds, recovery_seconds
from nfvplan.survive.check import CheckOptions, check_resilience


def spares(servers: int, fit_two: bool, site_pull: str = "") -> str:
    """u: 20 Gbps at 10 Gbps each plus one spare = 3 containers, at most one per server (the
    spare survives any host), a 5 GiB image, licence 2000 (so four instances two per server,
    10000, never beat three on three servers, 9000). A server fits one u, or two."""
    cores = 8 if fit_two else 4
    return scenario_yaml(
        """
        platform:
          container: {boot_seconds: 3}
          vm: {boot_seconds: 45}
          image_pull_gbps: 10
        """,
        f"""
        server_types:
          s: {{cores: {cores}, threads_per_core: 1, memory_gib: 64, disk_gib: 500, nic_gbps: 100,
              monthly_cost: 1000}}
        sites:
          dc: {{servers: {{s: {servers}}}{site_pull}}}
        vnfs:
          u: {{flavor: {{vcpu: 4, memory_gib: 4}}, forms: [container], throughput_gbps: 10,
               redundancy: 1, image_gib: 5, license_monthly: 2000}}
        services:
          web: {{chain: [u], demands: [{{from: dc, gbps: 20}}]}}
        """,
    )


def resilience(text: str):
    scenario = parse(text)
    plan = solve_and_check(scenario)
    assert len(plan.servers) == 3
    report = check_resilience(scenario, plan, Level.SERVER, CheckOptions(time_limit_s=10))
    assert report.survivable
    return scenario, plan, report


def test_a_cached_image_skips_the_pull() -> None:
    """Three servers that fit two u each, one u on each. When one fails, its u restarts on a
    survivor, which runs u already: no pull, 3 s of boot. Deploying the plan from scratch pulls
    the image on every host: 5 x 8 / 10 = 4 s, then 3 s: 7 s."""
    scenario, plan, report = resilience(spares(servers=3, fit_two=True))
    assert [r.recovery_s for r in report.results] == [3.0, 3.0, 3.0]
    assert deploy_seconds(scenario, plan) == pytest.approx(7.0)


def test_a_host_without_the_image_pulls_it_first() -> None:
    """Four servers that fit one u each: three run u, the fourth is idle. A failed u can only
    restart on the idle one, which has no image: 4 s of pull + 3 s of boot = 7 s."""
    _scenario, _plan, report = resilience(spares(servers=4, fit_two=False))
    assert [r.recovery_s for r in report.results] == [pytest.approx(7.0)] * 3


def test_a_site_pull_rate_overrides_the_platform() -> None:
    """As above, with the site pulling at 1 Gbps: 5 x 8 / 1 = 40 s of pull + 3 s = 43 s."""
    text = spares(servers=4, fit_two=False, site_pull=", image_pull_gbps: 1")
    _scenario, _plan, report = resilience(text)
    assert [r.recovery_s for r in report.results] == [pytest.approx(43.0)] * 3


def test_pulls_on_one_host_add_up_and_hosts_work_in_parallel() -> None:
    """By hand, on the one-per-server scenario: starting u-1 and a VM of u on dc/s/4 (no image
    there; the VM's image is also 5 GiB) pulls 5 + 5 GiB = 8 s, then boots the slower VM in
    45 s: 53 s; a u started at the same time on dc/s/1, which runs u, needs only 3 s."""
    scenario = parse(spares(servers=4, fit_two=False))
    plan = solve_and_check(scenario)
    first = plan.placements[0].server
    started = [("u", "container", "dc/s/4"), ("u", "vm", "dc/s/4"), ("u", "container", first)]
    assert recovery_seconds(scenario, plan, started) == pytest.approx(53.0)
    assert recovery_seconds(scenario, plan, started[2:]) == pytest.approx(3.0)
