"""Tests of the incremental greedy and the deadlines of the site-by-site solve."""

from __future__ import annotations

import time
from collections import defaultdict

import pytest

from nfvplan.check import check_plan
from nfvplan.generate import GenerateOptions, generate_scenario
from nfvplan.plan import Status
from nfvplan.solver import greedy
from nfvplan.solver.incumbent import Incumbent
from nfvplan.solver.problem import Problem, build_problem
from nfvplan.solver.result import build_plan
from nfvplan.solver.sitewise import stop_at
from nfvplan.solver.stop import Stop, stop_requested, stopping
from tests.helpers import parse


def _scan_first_fit(problem: Problem, measure) -> greedy.Counts | None:
    """The greedy's rule written the slow, obvious way: for every instance, sort every option
    (idle last, then cheapest server, then kind) and take the first that fits."""
    servers = {
        slot.index: greedy._Server(slot, [0] * 5, [[0] * 5 for _ in range(slot.type.numa_nodes)])
        for slot in problem.slots
    }
    rank = {
        slot.index: i
        for i, slot in enumerate(sorted(problem.slots, key=lambda x: (x.cost, x.index)))
    }
    counts: dict = defaultdict(int)
    taken: dict[str, set] = defaultdict(set)
    names = sorted(
        problem.vnf_names,
        key=lambda n: (
            greedy._rigidity(problem, n),
            -max((greedy._share(problem, k, measure) for k in problem.kinds_of(n)), default=0),
        ),
    )
    for name in names:
        anti = problem.scenario.vnfs[name].anti_affinity is not None
        for _ in range(problem.counts[name]):
            options = sorted(
                (not servers[s].instances, rank[s], k, s)
                for k in problem.kinds_of(name)
                for s in problem.candidates[k]
            )
            for _idle, _rank, k, s in options:
                unit = greedy._unit(problem, servers[s].slot, name)
                if anti and unit in taken[name]:
                    continue
                fit = greedy._try(problem, servers[s], k)
                if fit.fits:
                    greedy._place(problem, servers[s], k, fit.node)
                    counts[(k, s, fit.node)] += 1
                    if anti:
                        taken[name].add(unit)
                    break
            else:
                return None
    return greedy._canonical(problem, dict(counts))


@pytest.mark.parametrize("seed", [1, 3])
def test_incremental_greedy_is_the_per_instance_first_fit_and_passes_the_checker(
    seed: int,
) -> None:
    """Tests the incremental greedy on generated scenarios (about 300 instances, host and site
    anti-affinity, trust domains, what NUMA alignment the generator writes): for each measure it
    places exactly what the per-instance scan places (so its cost is the same, by
    construction), and the plan it returns passes the independent checker."""
    scenario = parse(generate_scenario(GenerateOptions(instances=300, seed=seed, demands=0)))
    problem = build_problem(scenario, scenario.objective)
    for measure in greedy.SIZE_MEASURES:
        fast = greedy._FirstFit(problem, None).run(measure)
        assert fast is not None
        assert fast == _scan_first_fit(problem, measure)
    counts = greedy.greedy_plan(problem)
    assert counts is not None
    solution = Incumbent(Status.FEASIBLE, counts=counts)
    plan = build_plan(problem, solution, "greedy", 1, 1)
    assert check_plan(scenario, plan) == []
    assert plan.summary.instances == sum(problem.counts.values())


def test_stop_at_requests_the_stop_at_its_deadline_and_passes_an_outer_one_on() -> None:
    """Tests the deadline the site-by-site phases run under: the stop is not requested before
    the deadline, is once it has passed, and a stop already requested outside (Ctrl-C) reaches
    the block at once and stays requested for the caller afterwards."""
    with stop_at(time.perf_counter() + 0.3):
        assert not stop_requested()
        time.sleep(0.6)
        assert stop_requested()
    outer = Stop()
    with stopping(outer):
        outer.request()
        with stop_at(time.perf_counter() + 60):
            assert stop_requested()
        assert stop_requested()
