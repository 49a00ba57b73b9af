"""The max-flow cut checks (`explain.flow_cuts`, issue 13): "no plan" proven by a narrow cut
anywhere in the network, in seconds, before any chain path is enumerated.

Hand cases whose cut is argued in the docstring (one too narrow, the same network with a wider
link that admits a plan the checker passes), then the soundness property on random networks:
the check is a necessary condition, so it never fires where a routing exists.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
import yaml
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from nfvplan.plan import Status
from nfvplan.solver.explain import cheap_checks, flow_cuts
from nfvplan.solver.problem import build_problem
from tests.helpers import explanation_text, parse, run_cli, solve_and_check

BOX = (
    "{cores: 32, threads_per_core: 2, memory_gib: 256, disk_gib: 1000, nic_gbps: 200, "
    "monthly_cost: 500}"
)


def two_hops_out(middle_gbps: int, targets: bool = True) -> str:
    """s1 and s2 (30 Gbps each) reach dc only through hub h: h - dc 20 Gbps directly, or
    h - m (`middle_gbps`) then m - dc 100. Every site's own links are wide enough (s1, s2: 100;
    dc: 20 + 100 = 120 for 60), so the per-site check `_cuts` passes; the cut {h - dc, h - m}
    holds 20 + `middle_gbps`. With `targets` the demands go to dc and the firewall may run at
    s1, s2 or dc; without, they have no target and the firewall runs only at dc."""
    servers = "{servers: {box: 1}}" if targets else "{}"
    to = ", to: dc" if targets else ""
    return f"""\
nfvplan: 1
name: two-hops-out
server_types:
  box: {BOX}
sites:
  s1: {servers}
  s2: {servers}
  h: {{}}
  m: {{}}
  dc: {{servers: {{box: 1}}}}
links:
  - {{between: [s1, h], gbps: 100, latency_ms: 1}}
  - {{between: [s2, h], gbps: 100, latency_ms: 1}}
  - {{between: [h, dc], gbps: 20, latency_ms: 1}}
  - {{between: [h, m], gbps: {middle_gbps}, latency_ms: 1}}
  - {{between: [m, dc], gbps: 100, latency_ms: 1}}
vnfs:
  firewall:
    flavor: {{vcpu: 4, memory_gib: 8}}
    forms: [container]
    throughput_gbps: 40
services:
  internet:
    chain: [firewall]
    demands:
      - {{from: s1{to}, gbps: 30}}
      - {{from: s2{to}, gbps: 30}}
"""


def test_a_narrow_cut_two_hops_from_the_target_is_infeasible_with_its_links() -> None:
    """Tests 60 Gbps into dc across a 40 Gbps cut (h - dc 20 + h - m 20): `infeasible`, the
    message names dc, both figures and the cut's two links, and the outcome came from the light
    problem (no `build` stage: no chain path was enumerated)."""
    plan = solve_and_check(two_hops_out(20), time_limit_s=20)
    assert plan.status is Status.INFEASIBLE
    text = explanation_text(plan)
    assert (
        "links between dc and the other ends of its demands carry at most 40 Gbps, but those "
        "demands total 60 Gbps: links h - dc 20, h - m 20 (40 Gbps) are the only way to it "
        "from s1, s2, whose demands with it total 60 Gbps"
    ) in text
    assert "links at" not in text  # the site's own links are wide enough
    phases = dict(plan.stats.phases)
    assert "checks-light" in phases and "build" not in phases


def test_the_same_network_with_a_wider_middle_link_has_a_checked_plan() -> None:
    """Tests h - m at 50 Gbps: the cut holds 70 >= 60 (20 direct, 40 by m), so the check passes
    and the solver finds a plan the independent checker accepts (`solve_and_check`)."""
    plan = solve_and_check(two_hops_out(50), time_limit_s=20)
    assert plan.status.has_plan, plan.explanation
    light = parse(two_hops_out(50))
    assert flow_cuts(build_problem(light, light.objective, routing=False)) == []


def test_traffic_to_a_vnf_at_few_sites_across_a_narrow_cut_is_infeasible(tmp_path: Path) -> None:
    """Tests the chain stage: the demands have no target, the firewall runs only at dc, so all
    60 Gbps must reach dc across the same 40 Gbps cut; through the CLI: exit 3 and the reason."""
    path = tmp_path / "vnf-cut.yaml"
    path.write_text(two_hops_out(20, targets=False), encoding="utf-8")
    result = run_cli("solve", path, "--workers", "1", "--time-limit", "20")
    assert result.exit_code == 3, result.output
    assert "status: infeasible" in result.stdout
    expected = (
        "firewall can run only at dc: links carry at most 40 Gbps between those sites and "
        "the sources and targets (elsewhere) of the demands through it, which need 60 Gbps: "
        "links h - dc 20, h - m 20 (40 Gbps) are the only way to them from s1, s2, whose "
        "traffic to and from firewall totals 60 Gbps"
    )
    assert expected in " ".join(result.stdout.split())


# -- soundness on random networks -----------------------------------------------------------------

GRID = (0.5, 1.0, 2.0, 4.0)


@st.composite
def networks(draw: st.DrawFn, planted: bool) -> dict[str, Any]:
    """A connected network of 3-6 sites, two VNFs each allowed at some of them, one or two
    services with up to four demands (with a target, without, or back to their source).

    `planted`: each demand is routed first (its VNFs at allowed sites, shortest paths under
    drawn weights between them) and every link gets at least the Gbps of its traversals, so a
    routing that meets every capacity exists by construction. Else capacities are drawn.
    """
    n = draw(st.integers(3, 6))
    sites = [f"s{i}" for i in range(n)]
    pairs = {(sites[draw(st.integers(0, i - 1))], sites[i]) for i in range(1, n)}
    for a, b in draw(st.lists(st.tuples(st.sampled_from(sites), st.sampled_from(sites)))):
        if a != b and (b, a) not in pairs:
            pairs.add((a, b))
    graph = nx.Graph()
    for a, b in sorted(pairs):
        graph.add_edge(a, b, weight=draw(st.integers(1, 3)))
    allowed = {
        vnf: draw(st.lists(st.sampled_from(sites), min_size=1, unique=True)) for vnf in ("v1", "v2")
    }
    chains = [("v1",), ("v2",), ("v1", "v2")]
    load: dict[frozenset[str], float] = defaultdict(float)
    services: dict[str, Any] = {}
    for index in range(draw(st.integers(1, 2))):
        chain = draw(st.sampled_from(chains))
        demands = []
        for _ in range(draw(st.integers(1, 4))):
            source = draw(st.sampled_from(sites))
            target = draw(st.one_of(st.none(), st.sampled_from(sites)))
            gbps = draw(st.sampled_from(GRID))
            demand: dict[str, Any] = {"from": source, "gbps": gbps}
            if target is not None:
                demand["to"] = target
            demands.append(demand)
            stops = [source, *(draw(st.sampled_from(allowed[v])) for v in chain)]
            stops += [target] if target is not None else []
            for a, b in itertools.pairwise(stops):
                path = nx.shortest_path(graph, a, b, weight="weight")
                for u, v in itertools.pairwise(path):
                    load[frozenset((u, v))] += gbps
        services[f"svc{index}"] = {"chain": list(chain), "demands": demands}
    links = []
    for a, b in sorted(pairs):
        used = load[frozenset((a, b))]
        if planted:
            gbps = used + draw(st.sampled_from((0.0, 0.5, 1.0))) if used else 1.0
        else:
            gbps = draw(st.sampled_from((*GRID, 8.0)))
        links.append({"between": [a, b], "gbps": gbps, "latency_ms": 1})
    vnfs = {
        name: {
            "flavor": {"vcpu": 1, "memory_gib": 1},
            "forms": ["container"],
            "throughput_gbps": 100,
            "sites": where,
        }
        for name, where in allowed.items()
        if any(name in service["chain"] for service in services.values())
    }
    return {
        "nfvplan": 1,
        "name": "cuts",
        "server_types": {"box": yaml.safe_load(BOX)},
        "sites": {site: {"servers": {"box": 2}} for site in sites},
        "links": links,
        "vnfs": vnfs,
        "services": services,
        "solver": {"time_limit_s": 10, "workers": 1, "seed": 1},
    }


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(planted=True))
def test_the_cut_checks_pass_wherever_a_routing_exists(doc: dict[str, Any]) -> None:
    """Tests soundness by construction: the links hold a routing of every demand through
    allowed sites of its chain, so no cut check (`_cuts`, `flow_cuts`) may say otherwise."""
    text = yaml.safe_dump(doc, sort_keys=False)
    note(text)
    scenario = parse(text)
    assert cheap_checks(build_problem(scenario, scenario.objective, routing=False)) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(planted=False))
def test_where_a_cut_check_fires_the_solver_finds_no_plan(doc: dict[str, Any]) -> None:
    """Tests soundness against the solver: on random capacities, a scenario a cut check
    declares impossible never gets a plan (the greedy, which runs before the check, would
    otherwise find one), and every plan found passes the checker (`solve_and_check`)."""
    text = yaml.safe_dump(doc, sort_keys=False)
    note(text)
    scenario = parse(text)
    fired = flow_cuts(build_problem(scenario, scenario.objective, routing=False))
    plan = solve_and_check(scenario, time_limit_s=10, explain=False)
    event(f"cut fired: {bool(fired)}, status {plan.status.value}")
    if fired:
        assert plan.status is Status.INFEASIBLE, fired
