"""Tests the solver on random scenarios against what is known of their optimum.

Feasible-by-construction scenarios must solve optimally within the cost of their trivial plan
(one instance per server); tiny ones (at most 4 instances on at most 4 servers) must reach
exactly the optimum, or the infeasibility, that the exhaustive search of tests/bruteforce.py
finds. Every plan goes through `solve_and_check`, so the independent checker has accepted it
first.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nfvplan.errors import InputError
from nfvplan.plan import Status
from tests.helpers import (
    parse,
    placements_of,
    scenario_yaml,
    solve_and_check,
)

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

BRUTE_PLATFORM = {
    "vm": {"overhead": (1.0, 2.0), "reserve": (1, 4.0)},
    "container": {"overhead": (0.5, 0.5), "reserve": (1, 2.0)},
}
"""(vCPU, GiB) overheads per instance and (cores, GiB) reserves per host; overcommit 2."""


@st.composite
def tiny_scenarios(draw: st.DrawFn) -> tuple[str, list[dict], list[dict]]:
    """A scenario of at most 4 servers and 4 instances, feasible or not, plus its raw data.

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
    servers: list[dict] = []
    site_lines = []
    for site in ("a", "b")[: draw(st.integers(1, 2))]:
        racks = draw(st.integers(1, 2))
        type_name = draw(st.sampled_from(sorted(types)))
        count = draw(st.integers(1, 2))
        site_lines.append(f"  {site}: {{racks: {racks}, servers: {{{type_name}: {count}}}}}")
        for n in range(1, count + 1):
            servers.append({"site": site, "rack": (n - 1) % racks + 1, **types[type_name], "id": n})
    vnfs: list[dict] = []
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
        vnfs.append(vnf)
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
    yaml_text = scenario_yaml(
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
    return yaml_text, servers, vnfs


def brute_force_optima(servers: list[dict], vnfs: list[dict]) -> dict[str, float] | None:
    """The best cost, server count and busiest share over every assignment; None if none holds.

    Each objective is minimised on its own over every assignment of instances to
    (server, form, NUMA node).

    Written from FORMAT.md alone: threads and memory with per-instance overheads and per-form
    reserves, NUMA shares for aligned instances (reserves split evenly over the nodes),
    containers of one trust domain per server, isolation, host/rack/site anti-affinity.
    """
    instances = [vnf for vnf in vnfs for _ in range(vnf["replicas"])]
    options = [
        [
            (s, form, node)
            for s, server in enumerate(servers)
            for form in vnf["forms"]
            for node in (range(server["numa"]) if vnf["aligned"] else [None])
        ]
        for vnf in instances
    ]
    licences = sum(vnf["licence"] for vnf in instances)
    best: dict[str, float] | None = None
    for choice in itertools.product(*options):
        on: dict[int, list[tuple[dict, str, int | None]]] = {}
        for vnf, (s, form, node) in zip(instances, choice, strict=True):
            on.setdefault(s, []).append((vnf, form, node))
        shares = [_busiest_share(servers[s], hosted) for s, hosted in on.items()]
        if None in shares or not _apart(servers, instances, choice):
            continue
        found = {
            "cost": sum(servers[s]["cost"] for s in on) + licences,
            "servers": len(on),
            "balance": max(share for share in shares if share is not None),
        }
        best = found if best is None else {k: min(v, found[k]) for k, v in best.items()}
    return best


def _busiest_share(server: dict, hosted: list[tuple[dict, str, int | None]]) -> float | None:
    """The larger of the thread and memory shares used, or None when a rule is broken.

    Rules: whole-server capacity, every NUMA node's share for aligned instances, trust,
    isolation.
    """
    forms = {form for _vnf, form, _node in hosted}
    reserve_threads = sum(BRUTE_PLATFORM[f]["reserve"][0] * server["tpc"] for f in forms)
    reserve_memory = sum(BRUTE_PLATFORM[f]["reserve"][1] for f in forms)
    threads, memory = float(reserve_threads), reserve_memory
    nodes = server["numa"]
    per_node = {n: [reserve_threads / nodes, reserve_memory / nodes] for n in range(nodes)}
    for vnf, form, node in hosted:
        overhead_vcpu, overhead_memory = BRUTE_PLATFORM[form]["overhead"]
        if vnf["dedicated"]:
            need = vnf["vcpu"] + overhead_vcpu / 2
        else:
            need = (vnf["vcpu"] + overhead_vcpu) / 2
        threads += need
        memory += vnf["memory"] + overhead_memory
        if node is not None:
            per_node[node][0] += need
            per_node[node][1] += vnf["memory"] + overhead_memory
    cap_threads = server["cores"] * server["tpc"]
    numa_ok = all(
        t <= cap_threads / nodes and m <= server["memory"] / nodes
        for n, (t, m) in per_node.items()
        if any(node == n for _v, _f, node in hosted)
    )
    domains = {vnf["trust"] for vnf, form, _node in hosted if form == "container"}
    isolated = any(vnf["isolated"] for vnf, _form, _node in hosted)
    holds = (
        threads <= cap_threads
        and memory <= server["memory"]
        and numa_ok
        and len(domains) <= 1
        and not (isolated and len(hosted) > 1)
    )
    return max(threads / cap_threads, memory / server["memory"]) if holds else None


def _apart(servers: list[dict], instances: list[dict], choice: tuple) -> bool:
    seen: set[tuple] = set()
    for vnf, (s, _form, _node) in zip(instances, choice, strict=True):
        if vnf["scope"] is None:
            continue
        server = servers[s]
        unit = {
            "host": (s,),
            "rack": (server["site"], server["rack"]),
            "site": (server["site"],),
        }[vnf["scope"]]
        if (vnf["name"], unit) in seen:
            return False
        seen.add((vnf["name"], unit))
    return True


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_scenarios(), st.sampled_from(["cost", "servers", "balance"]))
def test_tiny_scenarios_match_a_brute_force_optimum(
    case: tuple[str, list, list], objective: str
) -> None:
    """Tests optimality and infeasibility against an exhaustive search written from FORMAT.md.

    Up to 4 instances on up to 4 servers in up to 2 forms and 2 NUMA nodes: at most 16^4
    assignments, each checked for capacity (overheads, reserves, overcommit, NUMA), trust,
    isolation and anti-affinity. The solver's objective value (cost, servers used or busiest
    share) must equal the least one found; when no assignment holds, the solver must prove the
    scenario infeasible and explain it (or the loader refuse the file).
    """
    yaml_text, servers, vnfs = case
    expected = brute_force_optima(servers, vnfs)
    try:
        scenario = parse(yaml_text)
    except InputError:
        # The loader refuses a flavor no server type could host: nothing can be feasible.
        assert expected is None
        return
    plan = solve_and_check(scenario, objective=objective)
    if expected is None:
        assert plan.status is Status.INFEASIBLE
        assert plan.explanation
    else:
        assert plan.status is Status.OPTIMAL, plan.explanation
        assert plan.objective.name == objective
        assert plan.objective.value == pytest.approx(expected[objective], abs=1e-6)
