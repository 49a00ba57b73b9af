"""Per-VNF processing latency (`latency_ms` on a VNF): loader, solver and checker.

The scenario is a two-site line, `edge - core`, 1 ms apart. A demand enters at `edge` and leaves
where its one-VNF chain [upf] ends, within 1.5 ms. A UPF at the core costs a 100 server (the
path then crosses the link: 1 ms), at the edge a 300 one (0 ms). So:

- UPF latency 0: core, 1 ms <= 1.5: cost 100 (+ licence 10) = 110.
- UPF latency 0.8 ms: at the core 1 + 0.8 = 1.8 > 1.5; at the edge 0 + 0.8 <= 1.5: cost 310.
- UPF latency 2 ms: over the budget anywhere: infeasible.
"""

from __future__ import annotations

import pytest
from helpers import parse, run_cli, scenario_yaml, solve_and_check

from nfvplan.check import check_plan
from nfvplan.errors import InputError
from nfvplan.plan import Status

BASE = """
server_types:
  cheap: {cores: 16, memory_gib: 64, nic_gbps: 100, monthly_cost: 100}
  dear: {cores: 16, memory_gib: 64, nic_gbps: 100, monthly_cost: 300}
sites:
  edge: {servers: {dear: 1}}
  core: {servers: {cheap: 1}}
links:
  - {between: [edge, core], gbps: 100, latency_ms: 1.0}
"""


def line(upf_latency: str) -> str:
    """The two-site scenario with the UPF's `latency_ms` given (empty: not given)."""
    extra = f", latency_ms: {upf_latency}" if upf_latency else ""
    return scenario_yaml(
        BASE,
        f"""
        vnfs:
          upf: {{flavor: {{vcpu: 4, memory_gib: 8}}, forms: [container], throughput_gbps: 10,
                license_monthly: 10{extra}}}
        services:
          internet:
            chain: [upf]
            demands:
              - {{from: edge, gbps: 4, max_latency_ms: 1.5}}
        """,
    )


def test_loader_reads_latency_and_defaults_to_zero() -> None:
    """Tests the field: given, it is read; absent, it is 0."""
    assert parse(line("0.8")).vnfs["upf"].latency_ms == 0.8
    assert parse(line("")).vnfs["upf"].latency_ms == 0.0


@pytest.mark.parametrize(
    ("value", "message"),
    [("-0.5", "must be a number >= 0, got -0.5"), ("fast", "must be a number >= 0, got 'fast'")],
)
def test_loader_refuses_a_bad_latency_with_its_place(value: str, message: str) -> None:
    """Tests that a negative or non-numeric latency is refused at its line and field."""
    with pytest.raises(InputError) as raised:
        parse(line(value))
    problems = raised.value.problems
    assert len(problems) == 1
    problem = problems[0]
    assert problem.path == "vnfs.upf.latency_ms"
    assert problem.line == 13
    assert message in problem.message


def test_cli_exits_2_on_a_bad_latency(write_yaml) -> None:
    """Tests the command line: exit 2, file, line and field, no traceback."""
    path = write_yaml(line("-1"))
    result = run_cli("solve", str(path))
    assert result.exit_code == 2
    assert "vnfs.upf.latency_ms" in result.stderr
    assert "Traceback" not in result.output


def test_without_processing_latency_the_upf_goes_to_the_cheap_core() -> None:
    """Tests the hand optimum 110: core UPF, path edge -> core of 1 ms."""
    plan = solve_and_check(line(""))
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == 110
    assert [p.server for p in plan.placements] == ["core/cheap/1"]


def test_processing_latency_forces_the_upf_to_the_edge() -> None:
    """Tests the hand optimum 310: 1 ms of link + 0.8 ms of UPF breaks 1.5 ms at the core."""
    plan = solve_and_check(line("0.8"))
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == 310
    assert [p.server for p in plan.placements] == ["edge/dear/1"]
    assert [r.latency_ms for r in plan.routes] == [0.0]  # the network part only


def test_processing_latency_over_the_budget_is_infeasible() -> None:
    """Tests that 2 ms of UPF alone breaks the 1.5 ms budget wherever it runs."""
    plan = solve_and_check(line("2"))
    assert plan.status is Status.INFEASIBLE
    assert plan.placements == []


def test_the_explanation_gives_the_network_what_processing_leaves() -> None:
    """Tests the latency explanation with processing: 2 ms of UPF against the 1.5 ms budget
    leaves the network no time (even the 0 ms edge placement misses), and 0.8 ms of UPF with
    the edge emptied leaves 1.5 - 0.8 = 0.7 ms for the links, against the 1 ms of the only
    path (edge - core): both infeasible, and each message says which figure is short."""
    over = solve_and_check(line("2"))
    (message,) = over.explanation or []
    assert "max_latency_ms 1.5: 1.5 ms less 2 ms of VNF processing (upf 2 ms)" in message
    assert "leaves no time for the network; the fastest path takes 0 ms" in message

    no_edge = line("0.8").replace("edge: {servers: {dear: 1}}", "edge: {}")
    short = solve_and_check(no_edge)
    assert short.status is Status.INFEASIBLE
    (message,) = short.explanation or []
    assert "1.5 ms less 0.8 ms of VNF processing (upf 0.8 ms)" in message
    assert "leaves 0.7 ms for the network; the fastest path takes 1 ms" in message
    assert "(upf at core, path edge - core)" in message


def test_checker_adds_the_processing_latency() -> None:
    """Tests that the checker refuses the core plan once the UPF takes 0.8 ms: 1 + 0.8 > 1.5."""
    plan = solve_and_check(line(""))
    violations = check_plan(parse(line("0.8")), plan)
    assert [v.rule for v in violations] == ["latency"]
    assert "1 ms + 0.8 ms VNF processing = 1.8 ms > max_latency_ms 1.5" in violations[0].message
    assert check_plan(parse(line("0.5")), plan) == []  # 1 + 0.5 = 1.5 is within
