"""Tests of the routing bound (solver/routing_bound.py): facility location over sites.

Hand cases: small networks where latency budgets force UPFs to given sites and the traffic
forces their number there, so the optimum is a short sum argued in each docstring. Each is
solved by `solve()` (plans re-checked by the independent checker) and the bound stage's own
figure, `routing_bound` on the same problem, must equal that optimum. The safety property: on
random routed scenarios the bound never exceeds the value of any plan of the assignment model,
and in particular its optimum as CP-SAT proves it on a model the bound was never posted to
(through `solve()` an invalid bound could hide behind the search's own proof).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from nfvplan.plan import Status
from nfvplan.solver.assignment import AssignmentModel
from nfvplan.solver.cpsat import make_solver
from nfvplan.solver.data import COST_SCALE
from nfvplan.solver.problem import build_problem
from nfvplan.solver.routing_bound import NAME, routing_bound
from tests.helpers import parse, scenario_yaml, solve_and_check
from tests.strategies import Doc, scenario_docs

TYPES = """
server_types:
  small: {cores: 4, threads_per_core: 2, memory_gib: 32, disk_gib: 100, nic_gbps: 100,
          sriov_vfs: 0, numa_nodes: 1, monthly_cost: 100}
  big: {cores: 32, threads_per_core: 2, memory_gib: 256, disk_gib: 1000, nic_gbps: 200,
        sriov_vfs: 0, numa_nodes: 1, monthly_cost: 150}
"""
"""No `platform:` (no overheads, no reserves): a small server holds two 4-thread UPFs, a big
one sixteen for half as much again, so routing-blind packing would put every UPF on a big one."""


def _upf(redundancy: int = 0, forms: str = "[container]") -> str:
    return f"""
vnfs:
  upf:
    flavor: {{vcpu: 4, memory_gib: 8}}
    cpu: dedicated
    forms: {forms}
    throughput_gbps: 10
    redundancy: {redundancy}
    license_monthly: 10
"""


def _bound_of(text: str) -> float:
    """The routing bound stage's figure on the scenario, in the objective's units."""
    scenario = parse(text)
    found = routing_bound(build_problem(scenario, scenario.objective), 20.0, 1)
    assert found is not None and found.optimal
    return found.bound / COST_SCALE


EDGES = scenario_yaml(
    TYPES,
    """
    sites:
      a: {kind: edge, servers: {small: 3}}
      b: {kind: edge, servers: {small: 3}}
      core: {kind: core, servers: {big: 2}}
    links:
      - {between: [a, core], gbps: 100, latency_ms: 5}
      - {between: [b, core], gbps: 100, latency_ms: 5}
    """,
    _upf(),
    """
    services:
      internet:
        chain: [upf]
        demands:
          - {from: a, gbps: 25, max_latency_ms: 1}
          - {from: b, gbps: 5, max_latency_ms: 1}
    """,
)


def test_latency_and_traffic_force_the_edge_servers_and_the_bound_sees_it() -> None:
    """Each chain ends at its UPF and the budget (1 ms) is below every link (5 ms): a's 25 Gbps
    need ceil(25/10) = 3 UPFs at a, two small servers (a small one holds two); b's 5 Gbps one
    UPF and one small server at b. Optimum 3 x 100 + 4 x 10 = 340. Routing-blind, the three
    UPFs the total traffic needs fit one big server (150 + 30): the configuration LP cannot
    see the 340, the routing bound proves it, and the plan says which bound it used."""
    plan = solve_and_check(EDGES)
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == pytest.approx(340)
    assert plan.objective.bound == pytest.approx(340)
    assert NAME in plan.stats.formulation
    assert plan.stats.bound_source == NAME
    assert _bound_of(EDGES) == pytest.approx(340)


def test_latency_separated_traffic_forces_the_instance_count() -> None:
    """In the case above the two demands may only be processed at their own sites, which are
    disjoint: 3 UPFs at a and 1 at b, so every plan runs 4, not the ceil(30 / 10) = 3 the total
    traffic asks for; 4 is what the configuration LP is given as the UPF's count."""
    scenario = parse(EDGES)
    problem = build_problem(scenario, scenario.objective)
    assert problem.counts["upf"] == 3
    found = routing_bound(problem, 20.0, 1)
    assert found is not None and found.forced["upf"] == 4


@pytest.mark.parametrize(
    ("budget", "optimum"),
    [
        (1.0, 110.0),  # both demands reach the core within 0.5 ms: one UPF there serves both
        (0.4, 220.0),  # no link fits: one UPF and one small server at each edge
    ],
)
def test_where_latency_lets_the_instances_sit_decides_the_bound(
    budget: float, optimum: float
) -> None:
    """Two edges 0.5 ms from a hub with one small server each (the hub has one too), 5 Gbps
    from each, chains ending at the UPF. With 1 ms both may be processed at the hub: one UPF
    carries the 10 Gbps, one server: 100 + 10. With 0.4 ms each must stay at its source: two
    UPFs on two servers, 2 x 100 + 2 x 10. The bound follows the budget and meets the optimum."""
    text = scenario_yaml(
        TYPES,
        """
        sites:
          a: {servers: {small: 1}}
          b: {servers: {small: 1}}
          hub: {servers: {small: 1}}
        links:
          - {between: [a, hub], gbps: 100, latency_ms: 0.5}
          - {between: [b, hub], gbps: 100, latency_ms: 0.5}
        """,
        _upf(),
        f"""
        services:
          internet:
            chain: [upf]
            demands:
              - {{from: a, gbps: 5, max_latency_ms: {budget}}}
              - {{from: b, gbps: 5, max_latency_ms: {budget}}}
        """,
    )
    plan = solve_and_check(text)
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == pytest.approx(optimum)
    assert _bound_of(text) == pytest.approx(optimum)


def test_spares_that_must_survive_a_host_are_counted_per_server() -> None:
    """One edge, 15 Gbps that must stay there, `redundancy: 1`: at least ceil(15/10) + 1 = 3
    UPFs, of which 2 must survive the loss of any host, so no server holds more than
    (instances - 2). Three UPFs: one per server, 3 x 100 + 30 = 330; four: two per server,
    2 x 100 + 40 = 240, the optimum. Without the spread row the relaxation would stop at three
    UPFs on two servers (230): the bound is 240."""
    text = scenario_yaml(
        TYPES,
        """
        sites:
          a: {servers: {small: 4}}
          core: {servers: {big: 1}}
        links:
          - {between: [a, core], gbps: 100, latency_ms: 5}
        """,
        _upf(redundancy=1),
        """
        services:
          internet:
            chain: [upf]
            demands:
              - {from: a, gbps: 15, max_latency_ms: 1}
        """,
    )
    plan = solve_and_check(text)
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == pytest.approx(240)
    assert _bound_of(text) == pytest.approx(240)


@pytest.mark.parametrize(("gbps", "optimum"), [(30, 360), (80, 460), (90, 480)])
def test_the_spare_count_that_pays_is_found_below_and_above_the_spelled_out_values(
    gbps: int, optimum: float
) -> None:
    """One site of big servers (16 UPFs each, 150 a month), `redundancy: 1`, traffic that
    stays there: needed = gbps / 10 UPFs must survive any host, so a server holds at most the
    spare s = instances - needed. One server cannot (needed + s <= s); two need s >= needed,
    three s >= needed / 2. At 30 Gbps: 2 x 150 + 6 x 10 = 360 (three: 450 + 50); at 80 Gbps s = 8,
    the last value the disjunction spells out (`SPARE_VALUES`): 300 + 160 = 460; at 90 Gbps
    s = 9, above them, where the exact product holds: 300 + 180 = 480 (three: 450 + 140)."""
    text = scenario_yaml(
        TYPES,
        """
        sites:
          a: {servers: {big: 4}}
          core: {servers: {small: 1}}
        links:
          - {between: [a, core], gbps: 400, latency_ms: 5}
        """,
        _upf(redundancy=1),
        f"""
        services:
          internet:
            chain: [upf]
            demands:
              - {{from: a, gbps: {gbps}, max_latency_ms: 1}}
        """,
    )
    plan = solve_and_check(text)
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == pytest.approx(optimum)
    assert _bound_of(text) == pytest.approx(optimum)


def test_a_chain_through_the_core_bounds_both_ends() -> None:
    """upf then firewall, from edge a to the core, budget 6 ms over a 5 ms link: the firewall
    may only run at the core (`sites`), so the UPF may sit at a or at the core, but not both
    detours; 20 Gbps need two UPFs (10 each) and one firewall (40). Cheapest: everything at
    the core on one big server (sixteen 4-thread slots), containers of two trust domains
    cannot share it, so the UPFs run as VMs beside the firewall container: 150 + 3 x 10 =
    180. The bound sees the trust rule (without it: the same 180, as VMs cost no more here)
    and meets the optimum."""
    text = scenario_yaml(
        TYPES,
        """
        sites:
          a: {kind: edge, servers: {small: 2}}
          core: {kind: core, servers: {big: 2}}
        links:
          - {between: [a, core], gbps: 100, latency_ms: 5}
        """,
        _upf(forms="[container, vm]"),
        """
          firewall:
            flavor: {vcpu: 4, memory_gib: 8}
            forms: [container]
            throughput_gbps: 40
            sites: {kind: core}
            license_monthly: 10
        services:
          internet:
            chain: [upf, firewall]
            demands:
              - {from: a, to: core, gbps: 20, max_latency_ms: 6}
        """,
    )
    plan = solve_and_check(text)
    assert plan.status is Status.OPTIMAL
    assert plan.objective.value == pytest.approx(180)
    assert _bound_of(text) == pytest.approx(180)


# --- the safety property ----------------------------------------------------------------------


def _optimum_without_the_bound(doc: Doc) -> tuple[int | None, int | None, bool]:
    """(routing bound, best first-level value CP-SAT finds on the assignment model, proven)."""
    scenario = doc.scenario()
    problem = build_problem(scenario, scenario.objective)
    found = routing_bound(problem, 10.0, 0)
    model = AssignmentModel(problem)
    solver = make_solver(20.0, workers=1, seed=0)
    status = solver.solve(model.cp)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return (found.bound if found else None), None, False
    value = model.first_level(solver.objective_value)
    return (found.bound if found else None), value, status == cp_model.OPTIMAL


SAFETY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _never_above(doc: Doc) -> None:
    note(doc.yaml())
    bound, value, proven = _optimum_without_the_bound(doc)
    note(f"bound {bound}, model value {value}, proven {proven}")
    if bound is not None and value is not None:
        assert bound <= value


@SAFETY
@given(scenario_docs(services=True, objective=None), st.sampled_from(["cost", "servers"]))
def test_the_routing_bound_never_exceeds_a_plan_of_the_model(doc: Doc, objective: str) -> None:
    """Random scenarios across the whole format with services (up to 5 sites with transit
    ones, 3 VNFs, 2 services, every per-server rule, budgets with and without `to`): the bound
    is at most the value of every plan CP-SAT finds on the assignment model over the
    enumerated chain paths, whose optimum is at least the optimum over all paths (which the
    bound claims to bound). Most of these have no plan; the next test is denser."""
    doc.data["objective"] = objective
    _never_above(doc)


@st.composite
def routed_docs(draw: st.DrawFn) -> Doc:
    """A small routed scenario that usually has a plan: 3-5 sites on a connected random
    network, two server types, a UPF (anywhere, traffic-sized, maybe spares, maybe
    host anti-affinity) then maybe a firewall (core sites only), VM and container forms,
    distinct trust domains, 1-4 demands with budgets near the fastest path, with and without
    `to`, objective cost or servers."""
    n = draw(st.integers(3, 5))
    names = [f"s{i}" for i in range(n)]
    links = []
    for i in range(1, n):
        j = draw(st.integers(0, i - 1))
        links.append(
            {
                "between": [names[j], names[i]],
                "gbps": draw(st.sampled_from([20, 100])),
                "latency_ms": draw(st.sampled_from([0.5, 1.0, 2.0])),
            }
        )
    if (
        n > 3
        and [names[0], names[-1]] not in [link["between"] for link in links]
        and draw(st.booleans())
    ):
        links.append({"between": [names[0], names[-1]], "gbps": 100, "latency_ms": 1.5})
    cores = names[: draw(st.integers(1, 2))]
    sites = {}
    for name in names:
        kind = "core" if name in cores else "edge"
        servers = {"big" if kind == "core" else "small": draw(st.integers(0, 2))}
        expand = {"big" if kind == "core" else "small": draw(st.integers(0, 2))}
        sites[name] = {
            "kind": kind,
            "racks": draw(st.integers(1, 2)),
            "servers": servers,
            "expand": expand,
        }
    forms = draw(st.sampled_from([["container"], ["vm"], ["container", "vm"]]))
    upf = {
        "flavor": {"vcpu": draw(st.sampled_from([2, 4, 8])), "memory_gib": 8},
        "forms": forms,
        "throughput_gbps": draw(st.sampled_from([5, 10])),
        "redundancy": draw(st.integers(0, 1)),
        "trust": "user",
        "license_monthly": draw(st.sampled_from([0, 10, 50])),
    }
    if draw(st.booleans()):
        upf["anti_affinity"] = "host"
    vnfs = {"upf": upf}
    chain = ["upf"]
    if draw(st.booleans()):
        vnfs["fw"] = {
            "flavor": {"vcpu": 4, "memory_gib": 8},
            "forms": ["container"],
            "throughput_gbps": 20,
            "redundancy": draw(st.integers(0, 1)),
            "trust": "security",
            "sites": {"kind": "core"},
            "license_monthly": 20,
        }
        chain.append("fw")
    demands = []
    for _ in range(draw(st.integers(1, 4))):
        source = draw(st.sampled_from(names))
        demand = {"from": source, "gbps": draw(st.sampled_from([1, 4, 8, 12]))}
        if len(chain) > 1 or draw(st.booleans()):
            demand["to"] = draw(st.sampled_from(cores))
        if draw(st.integers(0, 3)):
            demand["max_latency_ms"] = draw(st.sampled_from([0.4, 1.0, 2.5, 4.0]))
        demands.append(demand)
    data = {
        "nfvplan": 1,
        "name": "routed",
        "platform": {
            "vm": {
                "overhead": {"vcpu": 1, "memory_gib": 2},
                "host_reserve": {"cores": 1, "memory_gib": 4},
            },
            "container": {"host_reserve": {"cores": 1, "memory_gib": 2}},
        },
        "server_types": {
            "small": {
                "cores": 8,
                "threads_per_core": 2,
                "memory_gib": 64,
                "disk_gib": 500,
                "nic_gbps": 25,
                "sriov_vfs": 0,
                "numa_nodes": 1,
                "monthly_cost": 100,
            },
            "big": {
                "cores": 32,
                "threads_per_core": 2,
                "memory_gib": 256,
                "disk_gib": 2000,
                "nic_gbps": 100,
                "sriov_vfs": 0,
                "numa_nodes": 1,
                "monthly_cost": 250,
            },
        },
        "sites": sites,
        "links": links,
        "vnfs": vnfs,
        "services": {"internet": {"chain": chain, "demands": demands}},
        "objective": draw(st.sampled_from(["cost", "servers"])),
        "solver": {"time_limit_s": 10, "workers": 1, "seed": 0},
    }
    return Doc(data, None)


@SAFETY
@given(routed_docs())
def test_the_routing_bound_never_exceeds_a_plan_on_dense_routed_scenarios(doc: Doc) -> None:
    """The safety property on scenarios built to have plans, where every row of the bound
    (latency-feasible sites, per-site instance counts, trust split, spare spread, one per host)
    is in play."""
    _never_above(doc)
