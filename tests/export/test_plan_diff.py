"""Tests `nfvplan diff OLD NEW`: what an apply would change, on plans the solver made and the
checker passed. Exit codes like diff(1): 0 no change, 1 a change, 2 bad input.

Hand-checked cases (one VNF `web`, 4 vCPU / 8 GiB VM, no platform overhead):
- move: site `a` has one `s` (cost 100) and one `t` (cost 300) server; with the prices
  swapped the cheapest plan moves web from a/s/1 to a/t/1: a/s/1 off, a/t/1 on.
- buy: one installed `s` and one purchasable; 2 host-anti-affine replicas instead of 1 add an
  instance on the bought a/s/2: cost 100 -> 200, per site +100.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import NO_OVERHEAD, run_cli, scenario_yaml
from hypothesis import given
from hypothesis import strategies as st

from nfvplan.io import read_plan, write_plan
from nfvplan.plandiff import VnfChange, match_instances, pair_places


def move_scenario(s_cost: int, t_cost: int) -> str:
    return scenario_yaml(
        NO_OVERHEAD,
        f"""
        server_types:
          s: {{cores: 8, threads_per_core: 2, memory_gib: 64, monthly_cost: {s_cost}}}
          t: {{cores: 8, threads_per_core: 2, memory_gib: 64, monthly_cost: {t_cost}}}
        sites: {{a: {{servers: {{s: 1, t: 1}}}}}}
        vnfs:
          web: {{flavor: {{vcpu: 4, memory_gib: 8}}, forms: [vm], replicas: 1}}
        """,
        name="move",
    )


def buy_scenario(replicas: int) -> str:
    return scenario_yaml(
        NO_OVERHEAD,
        """
        server_types:
          s: {cores: 8, threads_per_core: 2, memory_gib: 64, monthly_cost: 100}
        sites: {a: {servers: {s: 1}, expand: {s: 1}}}
        """,
        "vnfs:\n  web: {flavor: {vcpu: 4, memory_gib: 8}, forms: [vm], "
        f"replicas: {replicas}, anti_affinity: host}}",
        name="buy",
    )


def solved(tmp_path: Path, name: str, text: str) -> tuple[Path, Path]:
    """Scenario file and its solved, checked plan file."""
    site = tmp_path / f"{name}-site.yaml"
    site.write_text(text)
    plan = tmp_path / f"{name}-plan.yaml"
    assert run_cli("solve", site, "-o", plan, "-q").exit_code == 0
    assert run_cli("check", site, plan).exit_code == 0
    return site, plan


def test_same_plan_is_no_change(tmp_path: Path) -> None:
    """Tests a plan against itself: exit 0, 'no change', JSON changed false."""
    _, plan = solved(tmp_path, "old", move_scenario(100, 300))
    result = run_cli("diff", plan, plan)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("no change\n")
    data = json.loads(run_cli("diff", plan, plan, "--format", "json").stdout)
    assert data["changed"] is False and data["instances"] == [] and data["servers"] == []


def test_renamed_instances_are_no_change(tmp_path: Path) -> None:
    """Tests that instance names do not matter (the solver numbers them afresh): the same
    placements under swapped names are no change."""
    _, plan_file = solved(tmp_path, "old", buy_scenario(2))
    plan = read_plan(plan_file)
    first, second = plan.placements
    swapped = [replace(first, instance=second.instance), replace(second, instance=first.instance)]
    renamed = tmp_path / "renamed.yaml"
    write_plan(replace(plan, placements=swapped), renamed)
    assert run_cli("diff", plan_file, renamed).exit_code == 0


def test_a_move_from_one_server_to_another(tmp_path: Path) -> None:
    """Tests the move case: web a/s/1 -> a/t/1, a/s/1 switched off, a/t/1 on, exit 1."""
    _, old = solved(tmp_path, "old", move_scenario(100, 300))
    _, new = solved(tmp_path, "new", move_scenario(300, 100))
    result = run_cli("diff", old, new)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == "monthly cost: 100.00 -> 100.00   delta: +0.00"
    assert "  switched off             a/s/1" in lines
    assert "  switched on              a/t/1" in lines
    assert "  moved    web  a/s/1 (vm) -> a/t/1 (vm)" in lines
    data = json.loads(run_cli("diff", old, new, "--format", "json").stdout)
    assert data["instances"] == [
        {
            "action": "moved",
            "vnf": "web",
            "from": {"server": "a/s/1", "form": "vm"},
            "to": {"server": "a/t/1", "form": "vm"},
        }
    ]
    assert data["servers"] == [  # the old plan's servers first, then the new one's
        {"server": "a/s/1", "site": "a", "change": "off"},
        {"server": "a/t/1", "site": "a", "change": "on"},
    ]


def test_a_bought_server_and_the_cost_per_site(tmp_path: Path) -> None:
    """Tests the buy case with --scenario: server bought, instance added, site a 100 -> 200."""
    _, old = solved(tmp_path, "old", buy_scenario(1))
    site, new = solved(tmp_path, "new", buy_scenario(2))
    result = run_cli("diff", old, new, "--scenario", site)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == "monthly cost: 100.00 -> 200.00   delta: +100.00"
    assert "a                        1 -> 2     0 -> 1   100.00 -> 200.00 (+100.00)" in lines
    assert "  bought                   a/s/2" in lines
    assert "  added    web  - -> a/s/2 (vm)" in lines
    markdown = run_cli("diff", old, new, "--scenario", site, "--format", "markdown").stdout
    assert "| a | 1 → 2 | 0 → 1 | 100.00 -> 200.00 (+100.00) |" in markdown
    assert "| added | web | - | a/s/2 (vm) |" in markdown
    back = run_cli("diff", new, old, "--scenario", site)
    assert back.exit_code == 1
    assert "  no longer used (bought)  a/s/2" in back.stdout.splitlines()
    assert "  removed  web  a/s/2 (vm) -> -" in back.stdout.splitlines()


def test_bad_input_exits_2(tmp_path: Path) -> None:
    """Tests a missing plan, a broken plan and a scenario of another name: exit 2, located."""
    site, plan = solved(tmp_path, "old", buy_scenario(1))
    missing = run_cli("diff", plan, tmp_path / "nope.yaml")
    assert missing.exit_code == 2 and "file not found" in missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text(plan.read_text().replace("status: optimal", "status: great"))
    result = run_cli("diff", plan, broken)
    assert result.exit_code == 2 and f"{broken}:" in result.stderr and "status" in result.stderr
    other = tmp_path / "other.yaml"
    other.write_text(site.read_text().replace("name: buy", "name: other"))
    result = run_cli("diff", plan, plan, "--scenario", other)
    assert result.exit_code == 2 and "not 'other'" in result.stderr


def test_whatif_and_diff_share_one_diff() -> None:
    """Tests that whatif's diff is the shared one, not a copy."""
    import nfvplan.plandiff
    import nfvplan.whatif.diff

    assert nfvplan.whatif.diff.diff_plans is nfvplan.plandiff.diff_plans


PLACES = st.lists(
    st.tuples(st.sampled_from(["a/s/1", "a/s/2", "b/s/1"]), st.sampled_from(["vm", "container"])),
    max_size=6,
)


@given(before=PLACES, after=PLACES)
def test_pairing_uses_every_place_once(before: list, after: list) -> None:
    """Tests pair_places on random places: as many moves as match_instances counts, every
    left and entered place used exactly once, a move prefers its own site and form."""
    b, a = Counter(before), Counter(after)
    kept, moved, added, removed = match_instances(b, a)
    change = VnfChange(
        "x", len(before), len(after), kept, moved, added, removed,
        tuple(sorted((b - a).elements())), tuple(sorted((a - b).elements())),
    )  # fmt: skip
    changes = pair_places(change)
    actions = Counter(c.action for c in changes)
    assert (actions["moved"], actions["added"], actions["removed"]) == (moved, added, removed)
    assert Counter(c.source for c in changes if c.source) == b - a
    assert Counter(c.target for c in changes if c.target) == a - b


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_every_format_says_no_change_for_one_plan(tmp_path: Path, fmt: str) -> None:
    """Tests the three formats on an unchanged plan: exit 0 in each."""
    _, plan = solved(tmp_path, "old", buy_scenario(1))
    assert run_cli("diff", plan, plan, "--format", fmt).exit_code == 0
