"""Demand models of `nfvplan generate --demands MODEL` (nfvplan/generate/demands.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from helpers import REPO, run_cli

from nfvplan.check import check_plan
from nfvplan.generate import GenerateOptions, generate_scenario
from nfvplan.generate.demands import (
    ALPHA,
    GRAVITY_GBPS_PER_SITE,
    MIN_DISTANCE_MS,
    MODELS,
    fit_fastest_paths,
)
from nfvplan.generate.network import Footprint, shortest_latencies
from nfvplan.io import parse_scenario
from nfvplan.model import Scenario
from nfvplan.network import PathCache, build_graph
from nfvplan.solver.chain_greedy import chain_greedy_plan
from nfvplan.solver.problem import build_problem
from nfvplan.solver.result import build_plan
from nfvplan.solver.status import decided

NOBEL = REPO / "topologies" / "nobel-eu.yaml"


def generated(model: str, seed: int = 1) -> Scenario:
    """A scenario on the 28-site Nobel-EU topology (100 Gbps links) with the given demand model."""
    options = GenerateOptions(
        instances=60, topology=NOBEL, seed=seed, output=REPO / "x.yaml", demand_model=model
    )
    text = generate_scenario(options)
    return parse_scenario(text, filename="x.yaml", base_dir=REPO)


def demands(scenario: Scenario):
    return scenario.services["mobile-broadband"].demands


def test_edge_models_count_one_and_two_demands_per_edge_site() -> None:
    """Tests the counts: one per edge site to its nearest core; two to the two nearest."""
    one = generated("edge-to-core")
    edges = [s.name for s in one.sites.values() if s.kind == "edge"]
    assert sorted(d.source for d in demands(one)) == sorted(edges)
    two = generated("two-per-site")
    assert Counter(d.source for d in demands(two)) == dict.fromkeys(edges, 2)
    cache = PathCache(build_graph(two))
    cores = [s.name for s in two.sites.values() if s.kind == "core"]
    for d in demands(two):
        ranked = sorted(cores, key=lambda c: (cache.shortest_latency(d.source, c), c))
        assert d.target in ranked[:2]


def test_gravity_is_the_stated_formula_over_every_pair() -> None:
    """Tests the gravity matrix against its definition: every ordered pair of sites with
    servers that does not round to 0, traffic w(s) w(t) / d(s, t)^ALPHA scaled to the total."""
    scenario = generated("gravity")
    sites = [s.name for s in scenario.sites.values() if not s.transit]
    degree = Counter()
    for link in scenario.links:
        degree[link.a] += 1
        degree[link.b] += 1
    cache = PathCache(build_graph(scenario))
    weight = {
        (s, t): degree[s] * degree[t] / max(cache.shortest_latency(s, t), MIN_DISTANCE_MS) ** ALPHA
        for s in sites
        for t in sites
        if s != t
    }
    scale = GRAVITY_GBPS_PER_SITE * len(sites) / sum(weight.values())
    expected = {pair: round(w * scale, 1) for pair, w in weight.items() if round(w * scale, 1) > 0}
    got = {(d.source, d.target): d.gbps for d in demands(scenario)}
    assert got == pytest.approx(expected)
    assert len(got) > len(sites)  # a matrix, not one row
    assert got[max(got, key=got.get)] > 10 * min(got.values())  # near and big pairs dominate


def test_gravity_does_not_depend_on_the_seed() -> None:
    """Tests the statement that the gravity matrix draws nothing at random."""
    assert demands(generated("gravity", 1)) == demands(generated("gravity", 2))


@pytest.mark.parametrize("model", MODELS)
def test_every_model_gives_a_plan_the_checker_accepts(model: str) -> None:
    """Tests that each model's scenario is plannable: the routing-aware greedy's plan passes."""
    scenario = generated(model)
    problem = build_problem(scenario, scenario.objective, routing=False)
    solution = chain_greedy_plan(problem)
    assert solution is not None
    plan = build_plan(problem, decided(problem, solution), "chain-greedy", 1, 1)
    assert check_plan(scenario, plan) == []


def test_demands_sharing_a_regional_link_are_scaled_to_half_of_it() -> None:
    """Tests `fit_fastest_paths` by hand: e1 and e2 each send 30 Gbps to core c, both fastest
    through regional r, whose one link to c has 40 Gbps. Half of it (20) over 60 asked scales
    both by 1/3: 10 Gbps each; their own 100 Gbps links would have taken them whole."""
    footprint = Footprint(
        tiers={"core": ["c"], "regional": ["r"], "edge": ["e1", "e2"]},
        links=[("e1", "r", 100.0, 1.0), ("e2", "r", 100.0, 1.0), ("r", "c", 40.0, 1.0)],
    )
    footprint.latency = shortest_latencies(footprint)
    asked = [{"from": e, "to": "c", "gbps": 30, "max_latency_ms": 3.1} for e in ("e1", "e2")]
    assert [d["gbps"] for d in fit_fastest_paths(footprint, asked)] == [10, 10]
    roomy = [dict(d, gbps=20) for d in asked]
    assert [d["gbps"] for d in fit_fastest_paths(footprint, roomy)] == [10, 10]
    alone = asked[:1]
    assert [d["gbps"] for d in fit_fastest_paths(footprint, alone)] == [20]


def test_a_generated_backbone_of_418_sites_has_a_plan(tmp_path: Path) -> None:
    """Tests the sizing on the case that had no plan at all: backbone/americas_nosc with 1 000
    instances (before, 120 Gbps into Abilene all had to pass Austin and one 100 Gbps link
    within their budgets, and the routing-aware greedy found no plan). Now its plan passes the
    checker."""
    pytest.importorskip("topohub")
    from nfvplan.topohub_import import import_topohub, render_topology

    topology = tmp_path / "am.yaml"
    doc = import_topohub("backbone/americas_nosc", gbps=100)
    topology.write_text(render_topology(doc), "utf-8")
    options = GenerateOptions(instances=1000, topology=topology, seed=1, output=tmp_path / "s.yaml")
    scenario = parse_scenario(generate_scenario(options), filename="s.yaml", base_dir=tmp_path)
    problem = build_problem(scenario, scenario.objective, routing=False)
    solution = chain_greedy_plan(problem)
    assert solution is not None
    plan = build_plan(problem, decided(problem, solution), "chain-greedy", 1, 1)
    assert check_plan(scenario, plan) == []


def test_cli_takes_a_model_or_a_count_and_refuses_anything_else(tmp_path: Path) -> None:
    """Tests `--demands`: a model name, a count (as before), or exit 2 saying what is valid."""
    target = tmp_path / "g.yaml"
    result = run_cli(
        "generate", "--instances", "40", "--topology", str(NOBEL), "--demands", "gravity",
        "-o", str(target),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "--demands gravity" in target.read_text(encoding="utf-8").splitlines()[0]
    assert run_cli("generate", "--instances", "40", "--demands", "2").exit_code == 0
    bad = run_cli("generate", "--instances", "40", "--demands", "uniform")
    assert bad.exit_code == 2
    assert "edge-to-core, two-per-site, gravity" in bad.stderr
    assert "Traceback" not in bad.output
