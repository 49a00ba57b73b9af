"""Pulls over the physical network from `platform.registry`, by hand.

A host pulls from the registry's site over the lowest-latency path of links, at the narrowest
link's `gbps` (capped by the platform's `image_pull_gbps` when given), paying the path's latency
once per image; its site's own `image_pull_gbps` (a mirror) wins. Every plan is re-checked by
the independent checker.
"""

from __future__ import annotations

import pytest

from nfvplan.errors import InputError
from nfvplan.lifecycle import PullSource, deploy_seconds, pull_sources
from nfvplan.plan import Status
from nfvplan.solver import SolveOptions
from nfvplan.survive import (
    CheckOptions,
    Level,
    Outcome,
    check_resilience,
    format_report,
    plan_survivable,
)
from nfvplan.survive.failures import Failure, failed_scenario
from tests.helpers import parse, scenario_yaml, solve_and_check

FAST = CheckOptions(time_limit_s=5, workers=1)


def paths(platform_pull: str = "", dc_pull: str = "") -> str:
    """reg (no servers) links to dc twice: via x in 2 ms (100 then 2 Gbps) or directly in
    10 ms at 50 Gbps. `a`: one container with a 5 GiB image (40 Gbit), boot 5 s."""
    return scenario_yaml(
        f"""
        platform:
          container: {{boot_seconds: 5}}
          registry: {{site: reg}}
          {platform_pull}
        server_types:
          s: {{cores: 8, threads_per_core: 1, memory_gib: 64, disk_gib: 500, monthly_cost: 1000}}
        sites:
          reg:
          x:
          dc: {{servers: {{s: 1}}{dc_pull}}}
        links:
          - {{between: [reg, x], gbps: 100, latency_ms: 1}}
          - {{between: [x, dc], gbps: 2, latency_ms: 1}}
          - {{between: [reg, dc], gbps: 50, latency_ms: 10}}
        vnfs:
          a: {{flavor: {{vcpu: 2, memory_gib: 4}}, forms: [container], replicas: 1, image_gib: 5}}
        """
    )


def test_the_fastest_path_and_its_narrowest_link_set_the_pull() -> None:
    """reg-x-dc (2 ms) beats reg-dc (10 ms); its narrowest link is 2 Gbps: 40 / 2 = 20 s
    plus 0.002 s of latency, then 5 s of boot: 25.002 s to deploy."""
    scenario = parse(paths())
    assert pull_sources(scenario)["dc"] == PullSource(2.0, 0.002)
    plan = solve_and_check(scenario)
    assert deploy_seconds(scenario, plan) == pytest.approx(25.002)


def test_the_platform_rate_caps_the_path() -> None:
    """`image_pull_gbps: 1` on the platform: the registry serves 1 Gbps at most: 40 s + 0.002
    + 5 s."""
    scenario = parse(paths(platform_pull="image_pull_gbps: 1"))
    assert deploy_seconds(scenario, solve_and_check(scenario)) == pytest.approx(45.002)


def test_a_site_mirror_wins_over_the_registry() -> None:
    """dc's own `image_pull_gbps: 10`: 4 s, no path latency, + 5 s = 9 s."""
    scenario = parse(paths(dc_pull=", image_pull_gbps: 10"))
    assert pull_sources(scenario)["dc"] == PullSource(10.0, 0.0)
    assert deploy_seconds(scenario, solve_and_check(scenario)) == pytest.approx(9)


def test_the_registry_site_itself_pulls_at_the_platform_rate() -> None:
    """A host at the registry's site uses no link: the platform's figure, else untimed."""
    scenario = parse(paths(platform_pull="image_pull_gbps: 4"))
    assert pull_sources(scenario)["reg"] == PullSource(4.0, 0.0)
    assert pull_sources(parse(paths()))["reg"] == PullSource(None, 0.0)


def cut(budget: str = "") -> str:
    """reg - hub - dc in a line (10 Gbps, 1 ms each), one server at hub (1000) and one at dc
    (2000). `a`: one container, a 1.25 GiB image (10 Gbit: 1 s at 10 Gbps), boot 5 s."""
    return scenario_yaml(
        f"""
        platform:
          container: {{boot_seconds: 5}}
          registry: {{site: reg}}
        server_types:
          s: {{cores: 8, threads_per_core: 1, memory_gib: 64, disk_gib: 500, monthly_cost: 1000}}
          t: {{cores: 8, threads_per_core: 1, memory_gib: 64, disk_gib: 500, monthly_cost: 2000}}
        sites:
          reg:
          hub: {{servers: {{s: 1}}}}
          dc: {{servers: {{t: 1}}}}
        links:
          - {{between: [reg, hub], gbps: 10, latency_ms: 1}}
          - {{between: [hub, dc], gbps: 10, latency_ms: 1}}
        vnfs:
          a: {{flavor: {{vcpu: 2, memory_gib: 4}}, forms: [container], replicas: 1,
               image_gib: 1.25{budget}}}
        """
    )


def test_a_site_failure_cuts_the_registry_off() -> None:
    """a runs at hub (1000). A failure of hub's server leaves the links: a restarts at dc,
    1 s + 0.002 s of pull + 5 s. A failure of the site hub takes its links: dc cannot reach
    the registry, so the restart has no recovery time ("registry out of reach")."""
    scenario = parse(cut())
    plan = solve_and_check(scenario)
    assert [p.server for p in plan.placements] == ["hub/s/1"]
    server = check_resilience(scenario, plan, Level.SERVER, FAST)
    assert server.results[0].recovery_s == pytest.approx(6.002)
    failure = Failure(Level.SITE, "hub", frozenset({"hub/s/1"}))
    assert pull_sources(failed_scenario(scenario, plan, failure))["dc"] is None
    site = check_resilience(scenario, plan, Level.SITE, FAST)
    [result] = site.results
    assert result.outcome is Outcome.SURVIVABLE and result.recovery_s is None
    assert "registry out of reach" in format_report(site, "table")


def test_a_budget_moves_the_instance_where_a_failure_leaves_the_registry_reachable() -> None:
    """Budget 10 s at site level. At hub (1000), losing the site leaves dc cut off from the
    registry and nothing cached there: not survivable, and the check says so. At dc (2000),
    losing dc restarts a at hub, one link from the registry: 1 s + 0.001 s of pull + 5 s,
    within 10 s: the optimum among
    survivable plans is 2000."""
    scenario = parse(cut(budget=", max_recovery_seconds: 10"))
    plain = solve_and_check(scenario)
    report = check_resilience(scenario, plain, Level.SITE, FAST)
    assert "registry is out of reach" in report.results[0].blocking[0]
    result = plan_survivable(scenario, Level.SITE, SolveOptions(time_limit_s=10, workers=1), FAST)
    assert result.proven and result.plan.status is Status.OPTIMAL
    assert result.plan.summary.monthly_cost == 2000
    assert [p.server for p in result.plan.placements] == ["dc/t/1"]
    assert result.report.worst.recovery_s == pytest.approx(6.001)


@pytest.mark.parametrize(
    ("registry", "where", "message"),
    [
        ("{site: nowhere}", "platform.registry.site", "unknown site 'nowhere'"),
        ("{site: reg, mirror: x}", "platform.registry", "unknown key 'mirror'"),
        ("reg", "platform.registry", "must be a mapping"),
        ("{}", "platform.registry", "site"),
    ],
)
def test_a_bad_registry_is_located(registry: str, where: str, message: str) -> None:
    text = paths().replace("registry: {site: reg}", f"registry: {registry}")
    with pytest.raises(InputError) as error:
        parse(text)
    assert "test.yaml:5:" in str(error.value)
    assert where in str(error.value) and message in str(error.value)


def test_a_site_the_registry_cannot_reach_is_refused() -> None:
    """Without the links, dc's servers could not pull: refused at the registry's site, naming
    dc and the way out (a link, or a mirror)."""
    lines = paths().splitlines()
    text = "\n".join(line for line in lines if "between" not in line and line != "links:")
    with pytest.raises(InputError) as error:
        parse(text)
    assert "platform.registry.site: no path of links from the registry at reg to dc" in str(
        error.value
    )
    assert parse(text.replace("s: 1}}", "s: 1}, image_pull_gbps: 1}"))  # a mirror: fine
