"""Tests that the strategy `solve()` picks for each kind of scenario is what docs/solver.md
("Which strategy") says: the table is parsed, each row's scenario is built, and the strategy
`choose_strategy` returns (and the plan reports, for the small ones) must be the row's."""

from __future__ import annotations

import re

import pytest

from nfvplan.generate import GenerateOptions, generate_scenario
from nfvplan.solver.problem import Problem, attach_current, build_problem
from nfvplan.solver.strategy import choose_strategy
from nfvplan.solver.survive import FailureSpec, resolve
from nfvplan.wording import count
from tests.helpers import REPO, parse, scenario_yaml, solve_and_check

PACKING = scenario_yaml(
    """
    platform: {cpu_overcommit: 1}
    server_types:
      box: {cores: 8, threads_per_core: 1, memory_gib: 64, nic_gbps: 100, monthly_cost: 100}
    sites:
      a: {servers: {box: 3}}
      b: {servers: {box: 3}}
    vnfs:
      upf: {flavor: {vcpu: 2, memory_gib: 4}, replicas: 3}
    """
)
ROUTED = PACKING.replace(
    "replicas: 3",
    "throughput_gbps: 10",
) + (
    "links:\n  - {between: [a, b], gbps: 100, latency_ms: 1}\n"
    "services:\n  web:\n    chain: [upf]\n    demands: [{from: a, to: b, gbps: 15}]\n"
)


def _large(demands: int | None) -> Problem:
    text = generate_scenario(GenerateOptions(instances=600, seed=2, demands=demands))
    scenario = parse(text)
    return build_problem(scenario, scenario.objective)


def _small(text: str) -> Problem:
    scenario = parse(text)
    return build_problem(scenario, scenario.objective)


def _large_network() -> Problem:
    """A line of 100 sites, one server and one demand: routing on a large network."""
    sites = "".join(f"  s{i}: {{servers: {{box: 1}}}}\n" for i in range(100))
    links = "".join(
        f"  - {{between: [s{i}, s{i + 1}], gbps: 100, latency_ms: 1}}\n" for i in range(99)
    )
    base = PACKING.split("sites:")[0]
    vnfs = "vnfs:\n  upf: {flavor: {vcpu: 2, memory_gib: 4}, throughput_gbps: 10}\n"
    services = "services:\n  web:\n    chain: [upf]\n    demands: [{from: s0, to: s99, gbps: 5}]\n"
    scenario = parse(base + "sites:\n" + sites + vnfs + "links:\n" + links + services)
    return build_problem(scenario, scenario.objective, routing=False)


def _replan() -> Problem:
    problem = _large(0)
    attach_current(problem, [])
    return problem


def _failures() -> Problem:
    problem = _small(PACKING)
    problem.failures = [resolve(problem, FailureSpec("a/box/1", frozenset({"a/box/1"})))]
    return problem


BUILDERS = {
    "pure packing (no services), fewer than 500 instances": lambda: _small(PACKING),
    "small routing (services)": lambda: _small(ROUTED),
    "large routing (services), 500 instances or more": lambda: _large(None),
    "routing on a large network (100 sites or more, or 500 demands or more)": _large_network,
    "large, no routing, 500 instances or more": lambda: _large(0),
    "re-plan (`--current`), any size": _replan,
    "plan for failures (`--survive`)": _failures,
}


def documented() -> dict[str, str]:
    """Scenario kind → strategy name, from the table of docs/solver.md."""
    text = (REPO / "docs" / "solver.md").read_text(encoding="utf-8")
    section = text.split("## Which strategy", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[1].startswith("`"):
            rows[cells[0]] = re.sub(r"^`|`$", "", cells[1])
    return rows


def test_the_table_covers_every_kind_this_test_builds() -> None:
    """Tests that the documented rows and the scenario kinds built here are the same set."""
    assert set(documented()) == set(BUILDERS)


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_the_strategy_is_the_documented_one(kind: str) -> None:
    """Tests one row: the strategy chosen for that kind of scenario has the row's name (the
    failures row counts failures as `N failures`, the noun agreeing with the number)."""
    problem = BUILDERS[kind]()
    name = choose_strategy(problem).name
    expected = documented()[kind].replace("N failures", count(len(problem.failures), "failure"))
    assert name == expected


def test_a_plan_names_its_strategy() -> None:
    """Tests that the plan's `stats.formulation` is the chosen strategy's name."""
    plan = solve_and_check(PACKING)
    assert plan.stats.formulation == choose_strategy(_small(PACKING)).name
