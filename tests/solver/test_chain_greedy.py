"""The routing-aware greedy (`nfvplan.solver.chain_greedy`): hand cases and random networks.

Each plan is turned into a `Plan` by the solver's own result builder and re-checked by the
independent checker, exactly as `nfvplan solve` would hand it to a user. The hand cases leave
`platform:` out, so a server's monthly cost and a VNF's licence are the whole objective.
"""

from __future__ import annotations

import copy
import random
import time

from helpers import EXAMPLES, parse, scenario_yaml, solve_and_check
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from strategies import Doc, scenario_docs

from nfvplan.check import check_plan
from nfvplan.io import load_scenario
from nfvplan.model import Objective, Scenario
from nfvplan.plan import Plan, Status
from nfvplan.solver.chain_greedy import chain_greedy_plan
from nfvplan.solver.incumbent import natural
from nfvplan.solver.problem import build_problem
from nfvplan.solver.result import build_plan
from nfvplan.solver.routing_bound import routing_bound
from nfvplan.solver.status import decided
from nfvplan.solver.stop import Stop, stopping


def greedy(scenario: Scenario, guided: bool = False) -> Plan | None:
    """The chain greedy's plan for `scenario`, checked; None when the greedy gets stuck.
    `guided`: guided by the routing bound's best solution, as the pipeline guides it."""
    problem = build_problem(scenario, scenario.objective, routing=False)
    assert problem.routing is None  # it never needs the chain-path enumeration
    guide = None
    if guided:
        found = routing_bound(problem, 5.0, 1)
        guide = found.opened if found is not None else None
    solution = chain_greedy_plan(problem, guide=guide)
    if solution is None:
        return None
    plan = build_plan(problem, decided(problem, solution), "chain-greedy", 1, 1)
    violations = check_plan(scenario, plan)
    assert violations == [], "\n".join(f"[{v.rule}] {v.message}" for v in violations)
    assert plan.status is Status.FEASIBLE
    if scenario.objective is not Objective.BALANCE:  # which the greedy does not aim at
        assert plan.objective.value == natural(scenario.objective, solution.value)
    return plan


TYPES = """
server_types:
  cheap: {cores: 16, memory_gib: 64, nic_gbps: 100, monthly_cost: 100}
  mid: {cores: 16, memory_gib: 64, nic_gbps: 100, monthly_cost: 200}
  dear: {cores: 16, memory_gib: 64, nic_gbps: 100, monthly_cost: 300}
"""

UPF = """
vnfs:
  upf: {flavor: {vcpu: 4, memory_gib: 8}, forms: [container], throughput_gbps: 10,
        license_monthly: 10}
"""


def line_of_three(demands: str) -> str:
    """a - b - c, 1 ms and 100 Gbps per link; one server each: a dear, b cheap, c mid."""
    return scenario_yaml(
        TYPES,
        """
        sites:
          a: {servers: {dear: 1}}
          b: {servers: {cheap: 1}}
          c: {servers: {mid: 1}}
        links:
          - {between: [a, b], gbps: 100, latency_ms: 1}
          - {between: [b, c], gbps: 100, latency_ms: 1}
        """,
        UPF,
        "services:\n  internet:\n    chain: [upf]\n    demands:\n" + demands,
    )


def test_line_of_three_puts_the_upf_on_the_cheap_middle_site() -> None:
    """Tests the hand optimum: a -> c passes b, whose server is cheapest: 100 + licence 10.

    Two demands of 4 Gbps share one 10 Gbps UPF there (the second reuses the first's spare
    throughput instead of opening an instance), and the exact search agrees with the greedy.
    """
    text = line_of_three(
        "      - {from: a, to: c, gbps: 4, max_latency_ms: 5}\n"
        "      - {from: a, to: c, gbps: 4, max_latency_ms: 5}\n"
    )
    plan = greedy(parse(text))
    assert plan is not None
    assert plan.objective.value == 110
    assert [p.server for p in plan.placements] == ["b/cheap/1"]
    assert {tuple(r.path) for r in plan.routes} == {("a", "b", "c")}
    assert solve_and_check(text).objective.value == 110


def test_line_of_three_opens_a_second_upf_when_the_first_is_full() -> None:
    """Tests that 6 + 6 Gbps need two 10 Gbps UPFs: both fit the cheap server at b: 100 + 2 x 10."""
    text = line_of_three("      - {from: a, to: c, gbps: 6}\n      - {from: a, to: c, gbps: 6}\n")
    plan = greedy(parse(text))
    assert plan is not None
    assert plan.objective.value == 120
    assert [p.server for p in plan.placements] == ["b/cheap/1", "b/cheap/1"]


def edge_and_core(budget: float) -> str:
    """edge - core, 1 ms; the chain ends where the UPF runs; the core server is cheaper."""
    return scenario_yaml(
        TYPES,
        """
        sites:
          edge: {servers: {dear: 1}}
          core: {servers: {cheap: 1}}
        links:
          - {between: [edge, core], gbps: 100, latency_ms: 1}
        """,
        UPF,
        f"""
        services:
          internet:
            chain: [upf]
            demands:
              - {{from: edge, gbps: 4, max_latency_ms: {budget}}}
        """,
    )


def test_a_latency_budget_forces_the_upf_to_the_edge() -> None:
    """Tests LARAC's reason to be: the cheapest path (UPF at the core, 1 ms) breaks a 0.5 ms
    budget, so the UPF runs at the edge (300 + 10); with 2 ms the core is fine (110)."""
    tight = greedy(parse(edge_and_core(0.5)))
    assert tight is not None
    assert tight.objective.value == 310
    assert [p.server for p in tight.placements] == ["edge/dear/1"]
    assert [r.path for r in tight.routes] == [["edge"]]
    loose = greedy(parse(edge_and_core(2)))
    assert loose is not None
    assert loose.objective.value == 110
    assert [r.path for r in loose.routes] == [["edge", "core"]]


def square(demands: str) -> str:
    """a - b - c (1 ms each, 10 Gbps) and a - d - c (2 ms each, 10 Gbps); the UPF only at c."""
    return scenario_yaml(
        TYPES,
        """
        sites:
          a: {}
          b: {}
          c: {servers: {cheap: 2}}
          d: {}
        links:
          - {between: [a, b], gbps: 10, latency_ms: 1}
          - {between: [b, c], gbps: 10, latency_ms: 1}
          - {between: [a, d], gbps: 10, latency_ms: 2}
          - {between: [d, c], gbps: 10, latency_ms: 2}
        """,
        UPF,
        "services:\n  internet:\n    chain: [upf]\n    demands:\n" + demands,
    )


def test_a_full_link_sends_the_next_demand_the_long_way() -> None:
    """Tests link residuals: two 8 Gbps demands a -> c cannot share a 10 Gbps path; the first
    (file order, equal size) takes the fast a-b-c, the second a-d-c. Two UPFs: 100 + 20."""
    plan = greedy(parse(square("      - {from: a, gbps: 8}\n      - {from: a, gbps: 8}\n")))
    assert plan is not None
    paths = {r.demand: r.path for r in plan.routes}
    assert paths == {0: ["a", "b", "c"], 1: ["a", "d", "c"]}
    assert plan.objective.value == 120


def test_a_demand_larger_than_any_path_is_split_at_the_bottleneck() -> None:
    """Tests splitting: 15 Gbps a -> c goes 10 over a-b-c and 5 over a-d-c (4 ms, within 5)."""
    plan = greedy(parse(square("      - {from: a, gbps: 15, max_latency_ms: 5}\n")))
    assert plan is not None
    by_path: dict[tuple[str, ...], float] = {}
    for route in plan.routes:
        path = tuple(route.path)
        by_path[path] = by_path.get(path, 0.0) + route.gbps
    assert by_path == {("a", "b", "c"): 10.0, ("a", "d", "c"): 5.0}
    assert {link.a + link.b: link.gbps for link in plan.links} == {
        "ab": 10.0,
        "bc": 10.0,
        "ad": 5.0,
        "dc": 5.0,
    }


def test_the_greedy_gives_up_when_no_path_meets_the_budget() -> None:
    """Tests that 15 Gbps within 3 ms cannot be split (a-d-c takes 4 ms): no plan, not a bad one."""
    assert greedy(parse(square("      - {from: a, gbps: 15, max_latency_ms: 3}\n"))) is None


def test_every_example_with_services_gets_a_checked_plan_no_cheaper_than_its_optimum() -> None:
    """Tests the examples: each routed one gets a plan that passes the checker and costs at least
    the optimum the example's header proves (9 910 for 5g-abilene)."""
    for path in sorted(EXAMPLES.glob("*.yaml")):
        scenario = load_scenario(path)
        if not scenario.services or path.stem == "infeasible-racks":
            continue
        plan = greedy(scenario)
        assert plan is not None, path.name
    abilene = greedy(load_scenario(EXAMPLES / "5g-abilene.yaml"))
    assert abilene is not None and abilene.objective.value >= 9910


def with_vnf_latency(doc: Doc, rnd: random.Random) -> Doc:
    """The same scenario with a processing `latency_ms` on some VNFs."""
    data = copy.deepcopy(doc.data)
    for vnf in data["vnfs"].values():
        if rnd.random() < 0.5:
            vnf["latency_ms"] = rnd.choice([0.1, 0.5, 1.0])
    return Doc(data, doc.topology)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_docs(large=True, services=True), st.randoms(use_true_random=False))
def test_every_chain_greedy_plan_passes_the_checker(doc: Doc, rnd: random.Random) -> None:
    """Tests random small networks (every rule of the format in play, VNF latencies on some):
    whenever the greedy returns a plan, the independent checker finds nothing wrong with it."""
    doc = with_vnf_latency(doc, rnd)
    note(doc.yaml())
    plan = greedy(doc.scenario())
    event("plan" if plan is not None else "greedy stuck")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_docs(large=True, services=True, objective="cost"))
def test_every_guided_chain_greedy_plan_passes_the_checker(doc: Doc) -> None:
    """Tests the guided greedy on random small networks: its spares spread as the routing
    bound's solution spreads them (more than `redundancy` on one server), and whenever it
    returns a plan, the independent checker finds nothing wrong with it."""
    note(doc.yaml())
    plan = greedy(doc.scenario(), guided=True)
    event("plan" if plan is not None else "greedy stuck")


def spares_at_one_site(gbps: int) -> str:
    """One site of four servers (four UPFs each), `redundancy: 1`, traffic that stays there."""
    return scenario_yaml(
        TYPES,
        """
        sites:
          a: {servers: {cheap: 4}}
          core: {servers: {dear: 1}}
        links:
          - {between: [a, core], gbps: 100, latency_ms: 5}
        """,
        UPF.replace("license_monthly: 10", "redundancy: 1, license_monthly: 10"),
        f"""
        services:
          internet:
            chain: [upf]
            demands:
              - {{from: a, gbps: {gbps}, max_latency_ms: 1}}
        """,
    )


def test_guided_by_the_routing_bound_the_greedy_spreads_spares_as_the_optimum_does() -> None:
    """30 Gbps at a: 3 UPFs are needed and must survive any one host. Unguided, one server
    holds at most `redundancy` = 1 of them: 4 UPFs on 4 servers, 4 x 100 + 40 = 440. The
    optimum keeps 3 spares, so a server may hold 3: 6 UPFs on 2 servers, 200 + 60 = 260 (three
    servers: 5 UPFs, 350). The routing bound's solution is that optimum, and the greedy guided
    by it finds it; `solve()` returns it, proven."""
    scenario = parse(spares_at_one_site(30))
    plain, guided = greedy(scenario), greedy(scenario, guided=True)
    assert plain is not None and plain.objective.value == 440
    assert guided is not None and guided.objective.value == 260
    plan = solve_and_check(scenario)
    assert plan.status is Status.OPTIMAL and plan.objective.value == 260


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_docs(services=True, objective="cost"))
def test_solve_is_never_worse_than_the_greedy_of_its_run(doc: Doc) -> None:
    """Tests the floor: whenever the greedy finds a plan, `solve()` returns a plan (checked)
    that costs no more (its search may only improve on it)."""
    note(doc.yaml())
    scenario = doc.scenario()
    baseline = greedy(scenario)
    plan = solve_and_check(scenario, time_limit_s=5, explain=False)
    if baseline is not None:
        assert plan.status.has_plan, plan.explanation
        assert plan.objective.value <= baseline.objective.value + 1e-6


def test_the_greedy_stops_at_its_deadline_and_on_ctrl_c() -> None:
    """Tests the promise kept in every phase: a deadline already past, or a stop requested (what
    Ctrl-C does), ends the greedy with no plan instead of a late one."""
    scenario = parse(line_of_three("      - {from: a, to: c, gbps: 4}\n"))
    problem = build_problem(scenario, scenario.objective, routing=False)
    assert chain_greedy_plan(problem, deadline=time.perf_counter() - 1) is None
    stop = Stop()
    stop.request()
    with stopping(stop):
        assert chain_greedy_plan(problem) is None
    assert chain_greedy_plan(problem) is not None
