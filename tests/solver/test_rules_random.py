"""Tests that on random scenarios the solver reaches what is known of their optimum.

Feasible-by-construction scenarios must solve optimally within the cost of their trivial plan
(one instance per server); tiny ones (at most 4 instances on at most 4 servers) must reach
exactly the optimum, or the infeasibility, that the exhaustive search of tests/bruteforce.py
finds. Every plan goes through `solve_and_check`, so the independent checker has accepted it
first.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nfvplan.errors import InputError
from nfvplan.plan import Status
from tests.bruteforce import brute_force
from tests.helpers import parse, placements_of, scenario_yaml, solve_and_check

HOST_THREADS = 24
HOST_MEMORY = 96
HOST_COST = 100


@st.composite
def small_scenarios(draw: st.DrawFn) -> tuple[str, float, int]:
    """A scenario where one instance per server is always a valid plan.

    Each VNF: 1-3 replicas, 1-4 vCPU, 1-8 GiB, any forms, one of two trust domains, maybe
    pinned and NUMA-aligned, maybe isolated, anti-affinity none/host/rack/site where the units
    exist (2 sites x 3 racks). Every site has as many 24-thread servers as there are instances,
    and one instance with both reserves and overheads fits one NUMA node of one server, so
    placing each instance on its own server (replicas spread over racks and sites) satisfies
    every rule. Returns (yaml, cost of that trivial plan, number of instances).
    """
    count = draw(st.integers(1, 3))
    vnfs = []
    licences = 0.0
    instances = 0
    for i in range(count):
        replicas = draw(st.integers(1, 3))
        scopes = ["", "host", "rack"] + (["site"] if replicas <= 2 else [])
        scope = draw(st.sampled_from(scopes))
        forms = draw(st.sampled_from(["[vm]", "[container]", "[vm, container]"]))
        pinned = draw(st.booleans())
        licence = draw(st.sampled_from([0, 10, 50]))
        fields = [
            f"flavor: {{vcpu: {draw(st.integers(1, 4))}, memory_gib: {draw(st.integers(1, 8))}}}",
            f"forms: {forms}",
            f"replicas: {replicas}",
            f"trust: {draw(st.sampled_from(['red', 'blue']))}",
            f"license_monthly: {licence}",
        ]
        if scope:
            fields.append(f"anti_affinity: {scope}")
        if pinned:
            fields += ["cpu: dedicated", "numa: aligned"]
        if draw(st.booleans()) and scope != "site":
            fields.append("isolation: host")
        vnfs.append(f"  f{i}: {{{', '.join(fields)}}}")
        licences += licence * replicas
        instances += replicas
    yaml_text = scenario_yaml(
        """
        platform:
          vm:
            overhead: {vcpu: 1, memory_gib: 2}
            host_reserve: {cores: 2, memory_gib: 8}
          container:
            overhead: {vcpu: 0.5, memory_gib: 0.5}
            host_reserve: {cores: 1, memory_gib: 4}
          cpu_overcommit: 2
        """,
        f"""
        server_types:
          s: {{cores: {HOST_THREADS // 2}, threads_per_core: 2, memory_gib: {HOST_MEMORY},
              numa_nodes: 2, monthly_cost: {HOST_COST}}}
        sites:
          a: {{racks: 3, servers: {{s: {max(instances, 3)}}}}}
          b: {{racks: 3, servers: {{s: {max(instances, 3)}}}}}
        """,
        "vnfs:\n" + "\n".join(vnfs),
    )
    return yaml_text, instances * HOST_COST + licences, instances


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios())
def test_random_feasible_scenarios_solve_within_the_trivial_bound(
    case: tuple[str, float, int],
) -> None:
    """Tests that any small feasible-by-construction scenario gets an optimal, checked plan.

    One instance per server costs `instances x 100 + licences` and is valid by construction, so
    the optimum can cost no more; the plan must place every instance and pass the checker.
    A NUMA node (24 / 2 = 12 threads, 48 GiB) holds the largest instance with both reserves
    taken evenly from the two nodes: threads (4 + 2) / 2 + 4 + 1 / 2 = 7.5 <= 12, memory
    (8 + 4) / 2 + 8 + 2 = 16 <= 48.
    """
    yaml_text, trivial_cost, instances = case
    plan = solve_and_check(yaml_text, time_limit_s=20)
    assert plan.status is Status.OPTIMAL, plan.explanation
    assert plan.summary.instances == instances
    assert plan.summary.monthly_cost <= trivial_cost + 1e-6
    assert plan.summary.servers_used <= instances
    for vnf in {p.vnf for p in plan.placements}:
        assert len(placements_of(plan, vnf)) >= 1
    assert math.isclose(plan.objective.value or 0, plan.summary.monthly_cost)


# --- property: tiny random scenarios against a brute-force optimum --------------------------------

BIG_UNUSED_TYPE = (
    "  unused: {cores: 64, threads_per_core: 2, memory_gib: 1024, numa_nodes: 1, monthly_cost: 0}\n"
)
"""A server type no site installs or may buy, larger than any flavor `tiny_scenarios` draws."""


@st.composite
def tiny_scenarios(draw: st.DrawFn) -> str:
    """A scenario of at most 4 servers and 4 instances, feasible or not, without services.

    Overcommit 2 with whole and half vCPUs keeps every thread figure exact in milli-threads.
    """
    types = {}
    for name in ("t1", "t2")[: draw(st.integers(1, 2))]:
        types[name] = {
            "cores": draw(st.sampled_from([4, 6, 8])),
            "tpc": draw(st.sampled_from([1, 2])),
            "memory": draw(st.sampled_from([16, 32])),
            "cost": draw(st.sampled_from([100, 150, 250])),
            "numa": draw(st.sampled_from([1, 2])),
        }
    site_lines = []
    for site in ("a", "b")[: draw(st.integers(1, 2))]:
        racks = draw(st.integers(1, 2))
        type_name = draw(st.sampled_from(sorted(types)))
        count = draw(st.integers(1, 2))
        site_lines.append(f"  {site}: {{racks: {racks}, servers: {{{type_name}: {count}}}}}")
    vnf_lines = []
    budget = 4
    for i in range(draw(st.integers(1, 3))):
        if budget == 0:
            break
        vnf = {
            "name": f"f{i}",
            "replicas": draw(st.integers(1, min(2, budget))),
            "vcpu": draw(st.integers(1, 4)),
            "memory": draw(st.integers(1, 8)),
            "forms": draw(st.sampled_from([["vm"], ["container"], ["vm", "container"]])),
            "trust": draw(st.sampled_from(["red", "blue"])),
            "dedicated": draw(st.booleans()),
            "aligned": draw(st.booleans()),
            "isolated": draw(st.integers(0, 4)) == 0,
            "scope": draw(st.sampled_from([None, None, "host", "rack", "site"])),
            "licence": draw(st.sampled_from([0, 20])),
        }
        budget -= vnf["replicas"]
        fields = [
            f"flavor: {{vcpu: {vnf['vcpu']}, memory_gib: {vnf['memory']}}}",
            f"forms: [{', '.join(vnf['forms'])}]",
            f"replicas: {vnf['replicas']}",
            f"trust: {vnf['trust']}",
            f"license_monthly: {vnf['licence']}",
        ]
        if vnf["dedicated"]:
            fields.append("cpu: dedicated")
        if vnf["aligned"]:
            fields.append("numa: aligned")
        if vnf["isolated"]:
            fields.append("isolation: host")
        if vnf["scope"]:
            fields.append(f"anti_affinity: {vnf['scope']}")
        vnf_lines.append(f"  {vnf['name']}: {{{', '.join(fields)}}}")
    type_lines = [
        f"  {name}: {{cores: {t['cores']}, threads_per_core: {t['tpc']}, "
        f"memory_gib: {t['memory']}, numa_nodes: {t['numa']}, monthly_cost: {t['cost']}}}"
        for name, t in types.items()
    ]
    return scenario_yaml(
        """
        platform:
          vm: {overhead: {vcpu: 1, memory_gib: 2}, host_reserve: {cores: 1, memory_gib: 4}}
          container: {overhead: {vcpu: 0.5, memory_gib: 0.5},
                      host_reserve: {cores: 1, memory_gib: 2}}
          cpu_overcommit: 2
        """,
        "server_types:\n" + "\n".join(type_lines),
        "sites:\n" + "\n".join(site_lines),
        "vnfs:\n" + "\n".join(vnf_lines),
    )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_scenarios(), st.sampled_from(["cost", "servers", "balance"]))
def test_tiny_scenarios_match_a_brute_force_optimum(yaml_text: str, objective: str) -> None:
    """Tests optimality and infeasibility against the exhaustive search of tests/bruteforce.py.

    Up to 4 instances on up to 4 servers in up to 2 forms and 2 NUMA nodes: at most 16^4
    assignments, each checked by tests/reference.py (written from FORMAT.md, sharing nothing
    with the solver or the checker) for capacity (overheads, reserves, overcommit, NUMA),
    trust, isolation and anti-affinity. The solver's objective value (cost, servers used or
    busiest share) must equal the least one found; when no assignment holds, the solver must
    prove the scenario infeasible and explain it (or the loader refuse the file).
    """
    try:
        scenario = parse(yaml_text)
    except InputError:
        # The loader refuses a flavor no server type could host. With an unused type that could
        # host it the file loads, and still no assignment may hold on the servers it has.
        roomy = yaml_text.replace("server_types:\n", "server_types:\n" + BIG_UNUSED_TYPE, 1)
        assert brute_force(parse(roomy)) is None
        return
    expected = brute_force(scenario, objective)
    plan = solve_and_check(scenario, objective=objective)
    if expected is None:
        assert plan.status is Status.INFEASIBLE
        assert plan.explanation
    else:
        assert plan.status is Status.OPTIMAL, plan.explanation
        assert plan.objective.name == objective
        assert plan.objective.value == pytest.approx(expected.value, abs=1e-6)
