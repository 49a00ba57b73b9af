"""Tests of `nfvplan generate`: reproducible, valid at every size and seed, solvable when small."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nfvplan.generate import GenerateOptions, generate_scenario
from nfvplan.io import load_scenario, parse_scenario
from nfvplan.model import Scope
from nfvplan.solver.problem import fixed_count
from tests.helpers import REPO, run_cli, solve_and_check


def _instances(yaml_text: str) -> int:
    scenario = parse_scenario(yaml_text, filename="gen.yaml", base_dir=REPO)
    return sum(fixed_count(scenario, vnf) for vnf in scenario.vnfs.values())


def test_same_options_give_the_same_bytes_and_another_seed_another_file() -> None:
    """Tests that generation is a pure function of its options (seeded, fixed key order)."""
    options = GenerateOptions(instances=300, seed=7)
    first = generate_scenario(options)
    assert generate_scenario(options) == first
    assert generate_scenario(GenerateOptions(instances=300, seed=8)) != first


def test_cli_writes_the_same_file_twice(tmp_path: Path) -> None:
    """Tests that two CLI runs with one seed write byte-identical files that load."""
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for target in (a, b):
        result = run_cli("generate", "--instances", "200", "--seed", "3", "-o", target)
        assert result.exit_code == 0, result.output
    assert a.read_bytes() == b.read_bytes()
    assert load_scenario(a).vnfs


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    instances=st.integers(10, 600),
    sites=st.one_of(st.none(), st.integers(3, 12)),
    demands=st.one_of(st.none(), st.integers(0, 4)),
)
def test_every_generated_file_loads_and_is_about_the_size_asked(
    seed: int, instances: int, sites: int | None, demands: int | None
) -> None:
    """Tests validity over seeds and small sizes: the loader accepts it, the size is close.

    The count is approximate: at least 2 replicas per pooled VNF and 1 per edge-site VNF, one
    NRF and DNS per core site and the traffic-sized UPF/CGNAT come on top of the split, so small
    sizes overshoot; the bound below allows 60 instances of such floors plus 50%.
    """
    text = generate_scenario(GenerateOptions(instances, sites, None, seed, demands))
    scenario = parse_scenario(text, filename="gen.yaml", base_dir=REPO)
    count = sum(fixed_count(scenario, vnf) for vnf in scenario.vnfs.values())
    assert 0.5 * instances <= count <= 1.5 * instances + 60
    kinds = {site.kind for site in scenario.sites.values()}
    assert kinds == {"core", "regional", "edge"}
    # Every site anti-affine VNF has at most one replica per site it may use.
    for vnf in scenario.vnfs.values():
        if vnf.anti_affinity is Scope.SITE:
            allowed = [s for s in scenario.sites.values() if vnf.sites and vnf.sites.allows(s)]
            assert fixed_count(scenario, vnf) <= len(allowed)


def test_large_sizes_follow_the_ladder() -> None:
    """Tests the 10 000 rung's shape: 50 sites and about 2 000 candidate servers (1 500-2 500)."""
    text = generate_scenario(GenerateOptions(instances=10_000, seed=1))
    scenario = parse_scenario(text, filename="gen.yaml", base_dir=REPO)
    servers = sum(
        sum(site.servers.values()) + sum(site.expand.values()) for site in scenario.sites.values()
    )
    assert len(scenario.sites) == 50
    assert 1_500 <= servers <= 2_500
    assert 8_000 <= _instances(text) <= 12_000


@pytest.mark.parametrize("seed", [1, 2])
def test_a_small_generated_scenario_solves_and_checks(seed: int) -> None:
    """Tests that a small generated scenario (services, every rule) has a checked plan."""
    text = generate_scenario(GenerateOptions(instances=40, seed=seed, demands=2))
    plan = solve_and_check(text, time_limit_s=20, workers=1)
    assert plan.status.has_plan, plan.explanation


def test_topology_file_is_referenced_relative_to_the_output(tmp_path: Path) -> None:
    """Tests --topology NAME: the file names the topology relative to itself and loads."""
    target = tmp_path / "deep" / "gen.yaml"
    target.parent.mkdir()
    result = run_cli(
        "generate",
        "--instances",
        "100",
        "--topology",
        "abilene",
        "--sites",
        "6",
        "-o",
        target,
        cwd=REPO,
    )
    assert result.exit_code == 0, result.output
    scenario = load_scenario(target)
    assert sum(not site.transit for site in scenario.sites.values()) == 6
    assert any(site.transit for site in scenario.sites.values())  # abilene has 12 sites


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--instances", "5"], "--instances"),
        (["--sites", "2"], "--sites"),
        (["--topology", "no-such-net"], "no such topology"),
        (["--topology", "abilene", "--sites", "40"], "at most 12"),
        (["--seed", "-1"], "--seed"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(tmp_path: Path, args: list[str], says: str) -> None:
    """Tests that bad options exit 2 with what would be valid, and no file appears."""
    target = tmp_path / "out.yaml"
    result = run_cli("generate", *args, "-o", target, cwd=REPO)
    assert result.exit_code == 2, result.output
    assert result.exception is None
    assert says in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_exits_2(tmp_path: Path) -> None:
    """Tests that a folder that does not exist is a usage error, not a traceback."""
    result = run_cli("generate", "--instances", "50", "-o", tmp_path / "missing" / "x.yaml")
    assert result.exit_code == 2, result.output
    assert "cannot write" in result.output
