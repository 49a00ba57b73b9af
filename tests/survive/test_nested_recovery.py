"""Deploy and recovery time of nested instances (`container-in-vm`), by hand.

The hardware of every case: two boxes (12 threads, 1000 a month); a VM boots in 30 s, a
container in 2 s, so a nested instance in a new worker VM boots in 30 + 2 = 32 s; hosts pull
at 1 Gbps, so `a`'s 10 GiB container image takes 10 x 8 / 1 = 80 s. `a` has two instances of
1 vCPU in worker VMs of its trust domain; a worker of 3 vCPU holds three, one of 1 vCPU one.
Each worker VM has its own image cache (docs/format.md, "Deploy and recovery time"): a worker
pulls its own copy, and a restarted instance skips the worker's boot and the pull only when a
surviving worker that runs `a` has room for it. Plans are re-checked by the checker, and every
re-placement by the resilience check (`late_restarts`, on `nfvplan.lifecycle`).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nfvplan.check import check_plan
from nfvplan.lifecycle import deploy_seconds, worker_spare
from nfvplan.plan import Plan
from nfvplan.refresh import refresh_plan
from nfvplan.survive import CheckOptions, Level, Outcome, check_resilience
from tests.helpers import parse, scenario_yaml, solve_and_check

FAST = CheckOptions(time_limit_s=5, workers=1)


def case(worker_vcpu: int, budget: float | None, image: float = 10) -> str:
    limit = "" if budget is None else f", max_recovery_seconds: {budget:g}"
    return scenario_yaml(
        f"""
        platform:
          vm:
            overhead: {{vcpu: 1, memory_gib: 2}}
            host_reserve: {{cores: 1, memory_gib: 2}}
            boot_seconds: 30
          container: {{boot_seconds: 2}}
          container-in-vm:
            worker: {{vcpu: {worker_vcpu}, memory_gib: 8, disk_gib: 40}}
          image_pull_gbps: 1
        server_types:
          box: {{cores: 12, threads_per_core: 1, memory_gib: 64, disk_gib: 200, monthly_cost: 1000}}
        sites:
          dc: {{servers: {{box: 2}}}}
        vnfs:
          a: {{flavor: {{vcpu: 1, memory_gib: 2}}, forms: [container-in-vm], replicas: 2,
               image_gib: {image:g}{limit}}}
        """
    )


def spread(text: str) -> tuple:
    """The solved plan edited (and refreshed) so that a-1 runs in a worker on box 1 and a-2 in
    one on box 2, re-checked: one instance per host, each in a worker of its own."""
    scenario = parse(text)
    plan = solve_and_check(scenario)
    first, second = plan.placements
    worker = plan.workers[0]
    edited = replace(
        plan,
        placements=[
            replace(first, server="dc/box/1", worker="w-1"),
            replace(second, server="dc/box/2", worker="w-2"),
        ],
        workers=[
            replace(worker, id="w-1", server="dc/box/1"),
            replace(worker, id="w-2", server="dc/box/2"),
        ],
    )
    edited = refresh_plan(scenario, edited, "edited.yaml")
    assert check_plan(scenario, edited) == []
    return scenario, edited


def both_failures(scenario, plan: Plan):
    report = check_resilience(scenario, plan, Level.SERVER, FAST)
    assert [r.failure.label for r in report.results] == ["server dc/box/1", "server dc/box/2"]
    return report.results


def test_a_budget_met_only_when_a_surviving_worker_with_the_image_receives_the_instance() -> None:
    """Budget 40 s, workers of 3 vCPU: when box 1 fails, a-1 restarts on box 2, whose worker
    runs a-2 (image cached) with 3 - 1 = 2 vCPU to spare: it takes a-1 in, only the container
    boots: 2 s <= 40. Symmetrically for box 2. Survivable, 2 s each."""
    scenario, plan = spread(case(3, 40))
    assert worker_spare(scenario, plan) == {("dc/box/1", "a"): 2, ("dc/box/2", "a"): 2}
    for result in both_failures(scenario, plan):
        assert result.outcome is Outcome.SURVIVABLE
        assert result.recovery_s == pytest.approx(2)
        [restart] = result.restarts
        assert restart.received and (restart.pull_s, restart.boot_s) == (0, 2)


def test_a_full_worker_means_a_new_worker_that_pulls_its_own_copy() -> None:
    """Workers of 1 vCPU: box 2's worker is full, so a-1 starts in a new worker VM there: it
    boots (30 s), pulls a's image into its own empty cache (80 s, though box 2 already holds
    a copy in a-2's worker) and the container boots (2 s): 112 s. Without a budget that is the
    recovery time; with 40 s no restart meets it (a host-wide cache would have said 32 s)."""
    scenario, plan = spread(case(1, None))
    assert worker_spare(scenario, plan) == {("dc/box/1", "a"): 0, ("dc/box/2", "a"): 0}
    for result in both_failures(scenario, plan):
        assert result.outcome is Outcome.SURVIVABLE
        assert result.recovery_s == pytest.approx(112)
        [restart] = result.restarts
        assert not restart.received
        assert (restart.pull_s, restart.boot_s) == (pytest.approx(80), 32)
    scenario, plan = spread(case(1, 40))
    for result in both_failures(scenario, plan):
        assert result.outcome is Outcome.NOT_SURVIVABLE


def test_each_worker_pulls_its_own_image_when_the_plan_deploys() -> None:
    """Time to deploy: every worker boots (30 s), pulls a's image (80 s) and boots its
    container (2 s). Workers of 3 vCPU: the optimum puts both a in one worker on one box
    (1000): 112 s. Workers of 1 vCPU: two workers, both on one box (1000), each pulls its own
    copy one after the other: 30 + 160 + 2 = 192 s; spread over two boxes, 112 s."""
    scenario = parse(case(3, None))
    plan = solve_and_check(scenario)
    assert len(plan.workers) == 1
    assert deploy_seconds(scenario, plan) == pytest.approx(112)
    scenario = parse(case(1, None))
    plan = solve_and_check(scenario)
    assert [w.server for w in plan.workers] == ["dc/box/1", "dc/box/1"]
    assert deploy_seconds(scenario, plan) == pytest.approx(192)
    scenario, plan = spread(case(1, None))
    assert deploy_seconds(scenario, plan) == pytest.approx(112)


def test_the_explanation_names_the_new_worker_start() -> None:
    """Tests the reason given when the full-worker plan misses its 40 s budget: the fastest
    start on the surviving box is a new worker's, 80 s pull + 32 s boot = 112 s, though that
    box already runs a (in a full worker)."""
    scenario, plan = spread(case(1, 40))
    [first, _second] = both_failures(scenario, plan)
    text = " ".join(first.blocking)
    assert "a: max_recovery_seconds 40 cannot be met: the fastest start is 112 s" in text
    assert "80 s pull + 32 s boot (container-in-vm) on dc/box/2" in text


def test_the_report_says_which_worker_took_the_restart() -> None:
    """Tests the resilience report's restart rows: the received restart reads `container-in-vm
    (surviving worker)` with no pull and 2 s; the new-worker one `(new worker)`, 80 s + 32 s."""
    from nfvplan.survive import format_report, report_dict

    for vcpu, worker, pull, boot, total in (
        (3, "surviving", "-", "2 s", "2 s"),
        (1, "new", "80 s", "32 s", "112 s"),
    ):
        scenario, plan = spread(case(vcpu, None))
        report = check_resilience(scenario, plan, Level.SERVER, FAST)
        rows = [" ".join(line.split()) for line in format_report(report, "table").splitlines()]
        assert (
            f"server dc/box/1 a container-in-vm ({worker} worker) dc/box/2 {pull} {boot} {total} -"
            in rows
        )
        [restart] = report_dict(report)["failures"][0]["restarted"]
        assert restart["worker"] == worker


def test_survive_plans_a_surviving_worker_with_room_next_to_each_instance() -> None:
    """Tests `solve --survive server` with the 3-vCPU workers and a 40 s budget: the plain plan
    (both a in one worker on box 1, 1000) fails box 1's failure (a new worker on box 2: 112 s).
    The recovery layer credits the room left in a worker that runs a alone (3 - its count),
    so the survivable optimum is one a per box, each in a worker of its own: 2000, and each
    failure is recovered in 2 s by the other box's worker (one box cannot survive its own
    failure, so 2000 is optimal). The solver cannot prove it: its recovery model gives each
    restarted nested instance a worker VM of its own (a restriction), so the plan is only
    `feasible`, and its note says why."""
    from nfvplan.solver import SolveOptions
    from nfvplan.survive import plan_survivable

    scenario = parse(case(3, 40))
    options = SolveOptions(time_limit_s=10, workers=1)
    result = plan_survivable(scenario, Level.SERVER, options, FAST)
    assert check_plan(scenario, result.plain) == []
    assert check_plan(scenario, result.plan) == []
    assert result.plain.summary.monthly_cost == pytest.approx(1000)
    assert result.plan.status.value == "feasible"
    assert "not proven cheapest" in " ".join(result.plan.stats.notes)
    assert result.plan.summary.monthly_cost == pytest.approx(2000)
    assert sorted(w.server for w in result.plan.workers) == ["dc/box/1", "dc/box/2"]
    assert result.report is not None and result.report.survivable
    assert [r.recovery_s for r in result.report.results] == pytest.approx([2, 2])


def test_survive_does_not_claim_impossible_with_containers_in_vms() -> None:
    """Tests the wording when `--survive` finds no plan with containers in VMs: a 1 s budget
    is below the container's own 2 s boot, so nothing meets it, but the recovery model is
    conservative for nested restarts (a worker VM of its own in capacity), so the result is
    `unknown` and says it is not proven impossible, never `infeasible`."""
    from nfvplan.solver import SolveOptions
    from nfvplan.survive import plan_survivable

    scenario = parse(case(3, 1))
    options = SolveOptions(time_limit_s=10, workers=1)
    result = plan_survivable(scenario, Level.SERVER, options, FAST)
    assert result.plan.status.value == "unknown"
    assert "not proven impossible" in result.plan.explanation[0]


@settings(max_examples=8, deadline=None)
@given(
    vcpu=st.integers(1, 3),
    image=st.sampled_from([0, 2.5, 10, 20]),
    budget=st.sampled_from([None, 1, 2, 40, 60, 112, 200]),
)
def test_the_solver_and_the_check_agree_on_nested_restarts(
    vcpu: int, image: float, budget: float | None
) -> None:
    """Tests, over worker sizes, images and budgets, that the re-placement's budget rows and
    the check's lifecycle rule agree (the check raises on a re-placement that misses a budget)
    with the hand formula: a worker of 2 vCPU or more has room, so the restart takes 2 s;
    otherwise 30 + image x 8 + 2 s. Survivable exactly when that is within the budget."""
    scenario, plan = spread(case(vcpu, budget, image))
    expected = 2.0 if vcpu >= 2 else 32 + image * 8
    for result in both_failures(scenario, plan):
        if budget is None or expected <= budget:
            assert result.outcome is Outcome.SURVIVABLE
            assert result.recovery_s == pytest.approx(expected)
        else:
            assert result.outcome is Outcome.NOT_SURVIVABLE
