"""Tests of `nfvplan whatif`: changes applied to a scenario, both sides planned, the diff.

Every scenario is tiny and its optimum is worked out by hand in the test's docstring. The
platform has no overheads and `cpu_overcommit` is 1, so an instance takes exactly its flavor;
forms are pinned to `vm` where the diff's (server, form) matching would otherwise see ties.
Every plan a test looks at has passed `check_plan` against its own scenario first.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nfvplan.check import check_plan
from nfvplan.errors import InputError
from nfvplan.io import load_scenario, read_plan, write_plan
from nfvplan.plan import Plan, Status
from nfvplan.solver import SolveOptions, solve
from nfvplan.whatif import Changes, apply_changes
from nfvplan.whatif.diff import match_instances
from nfvplan.whatif.run import WhatIf, prepare, run_whatif
from tests.helpers import NO_OVERHEAD, run_cli, scenario_yaml, write_file

FAST = SolveOptions(time_limit_s=10, workers=1)
CLI_FAST = ("--time-limit", "10", "--workers", "1")

# One site, four 8-thread servers at 100 each; web takes half a server.
REPLICAS = scenario_yaml(
    NO_OVERHEAD,
    """
    server_types:
      s: {cores: 8, memory_gib: 32, nic_gbps: 100, monthly_cost: 100}
    sites:
      dc: {servers: {s: 4}}
    vnfs:
      web: {flavor: {vcpu: 4, memory_gib: 4}, forms: [vm], replicas: 2}
    """,
)


def whatif(tmp_path: Path, scenario: str, **changes: tuple) -> WhatIf:
    """Run a what-if through the library; both plans pass the checker."""
    path = write_file(tmp_path, "site.yaml", scenario)
    base, changed = prepare(path, Changes(**changes))
    result = run_whatif(base, changed, FAST)
    assert_checked(base, result.base_plan)
    assert_checked(changed.scenario, result.changed_plan)
    return result


def assert_checked(scenario, plan: Plan) -> None:
    violations = check_plan(scenario, plan)
    assert violations == [], [f"[{v.rule}] {v.message}" for v in violations]


def vnf_change(result: WhatIf, vnf: str):
    (change,) = [v for v in result.diff.vnfs if v.vnf == vnf]
    return change


# --- patches and --set ----------------------------------------------------------------------------


def assert_replicas_two_to_four(result: WhatIf) -> None:
    """web: 2 -> 4 replicas of 4 threads. Two fit one 8-thread server (100), four need two
    servers (200): +100. Whatever servers the solver picks, the base's 2 instances are kept or
    moved (kept + moved = 2) and 4 - 2 = 2 are added; none is removed."""
    diff = result.diff
    assert (diff.status_before, diff.status_after) == ("optimal", "optimal")
    assert diff.cost_before == pytest.approx(100)
    assert diff.cost_after == pytest.approx(200)
    assert diff.cost_delta == pytest.approx(100)
    web = vnf_change(result, "web")
    assert (web.before, web.after, web.kept + web.moved, web.added, web.removed) == (2, 4, 2, 2, 0)
    (site,) = diff.sites
    assert (site.site, site.used_before, site.used_after) == ("dc", 1, 2)


def test_patch_doubling_replicas_buys_one_more_server(tmp_path: Path) -> None:
    """A merge patch setting replicas 2 -> 4 (arithmetic in assert_replicas_two_to_four)."""
    patch = write_file(tmp_path, "more.yaml", "vnfs:\n  web:\n    replicas: 4\n")
    assert_replicas_two_to_four(whatif(tmp_path, REPLICAS, patches=(patch,)))


def test_set_doubling_replicas_buys_one_more_server(tmp_path: Path) -> None:
    """`--set vnfs.web.replicas=4`: the same change as the patch above, the same +100."""
    assert_replicas_two_to_four(whatif(tmp_path, REPLICAS, sets=("vnfs.web.replicas=4",)))


def test_cli_set_prints_the_delta_and_writes_a_checked_changed_plan(tmp_path: Path) -> None:
    """The same +100 through the command, with the changed plan written and re-checked."""
    site = write_file(tmp_path, "site.yaml", REPLICAS)
    out = tmp_path / "changed.yaml"
    result = run_cli(
        "whatif", site, "--set", "vnfs.web.replicas=4", "-o", out, "--format", "json", *CLI_FAST
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["monthly_cost"] == {"before": 100.0, "after": 200.0, "delta": 100.0}
    changed = apply_changes(site, Changes(sets=("vnfs.web.replicas=4",))).scenario
    plan = read_plan(out)
    assert_checked(changed, plan)
    assert plan.summary.instances == 4


def test_patch_null_deletes_a_key(tmp_path: Path) -> None:
    """Merge-patch null removes anti_affinity: 2 replicas then share one server (100 instead
    of 200 with anti_affinity host, which forces two servers)."""
    scenario = REPLICAS.replace("replicas: 2}", "replicas: 2, anti_affinity: host}")
    patch = write_file(tmp_path, "p.yaml", "vnfs: {web: {anti_affinity: null}}\n")
    result = whatif(tmp_path, scenario, patches=(patch,))
    assert result.diff.cost_before == pytest.approx(200)
    assert result.diff.cost_after == pytest.approx(100)
    assert result.changed.scenario.vnfs["web"].anti_affinity is None


def test_set_indexes_lists_by_position(tmp_path: Path) -> None:
    """`services.svc.demands.0.gbps=3` changes the first demand only."""
    path = write_file(tmp_path, "site.yaml", TRAFFIC)
    changed = apply_changes(path, Changes(sets=("services.svc.demands.0.gbps=3",)))
    assert changed.scenario.services["svc"].demands[0].gbps == 3


# --- --scale-demand -------------------------------------------------------------------------------

# fw handles 10 Gbps per instance and takes half a server; the demand stays inside dc.
TRAFFIC = scenario_yaml(
    NO_OVERHEAD,
    """
    server_types:
      s: {cores: 8, memory_gib: 32, nic_gbps: 100, monthly_cost: 100}
    sites:
      dc: {servers: {s: 4}}
    vnfs:
      fw: {flavor: {vcpu: 4, memory_gib: 4}, forms: [vm], throughput_gbps: 10}
    services:
      svc: {chain: [fw], demands: [{from: dc, gbps: 10}]}
    """,
)


def test_scale_demand_makes_the_instance_count_follow_traffic(tmp_path: Path) -> None:
    """10 Gbps needs ceil(10/10) = 1 fw on one server (100). x2.5 = 25 Gbps needs
    ceil(25/10) = 3 fw, two per 8-thread server, so 2 servers (200): +100."""
    result = whatif(tmp_path, TRAFFIC, scale_demand=("2.5",))
    assert result.changed.scenario.services["svc"].demands[0].gbps == 25
    fw = vnf_change(result, "fw")
    assert (fw.before, fw.after) == (1, 3)
    assert result.diff.cost_delta == pytest.approx(100)


def test_scale_demand_of_one_service_only(tmp_path: Path) -> None:
    """`svc=2` scales svc's demand; the other service's demand stays."""
    scenario = TRAFFIC.replace(
        "svc: {chain: [fw], demands: [{from: dc, gbps: 10}]}",
        "svc: {chain: [fw], demands: [{from: dc, gbps: 10}]}\n"
        "  other: {chain: [fw], demands: [{from: dc, gbps: 4}]}",
    )
    path = write_file(tmp_path, "site.yaml", scenario)
    changed = apply_changes(path, Changes(scale_demand=("svc=2",))).scenario
    assert changed.services["svc"].demands[0].gbps == 20
    assert changed.services["other"].demands[0].gbps == 4


def test_scale_demand_rounds_to_whole_mbits_with_a_note(tmp_path: Path) -> None:
    """10 Gbps x 1.00001 = 10.0001 Gbps = 10 000.1 Mbit/s, planned as 10 000 Mbit/s (10 Gbps);
    x 1.5 is exact (15 Gbps) and needs no note."""
    path = write_file(tmp_path, "site.yaml", TRAFFIC)
    rounded = apply_changes(path, Changes(scale_demand=("1.00001",)))
    assert rounded.scenario.services["svc"].demands[0].gbps == 10
    assert any("whole Mbit/s" in note for note in rounded.notes)
    exact = apply_changes(path, Changes(scale_demand=("1.5",)))
    assert exact.scenario.services["svc"].demands[0].gbps == 15
    assert exact.notes == ()


# --- failures -------------------------------------------------------------------------------------

# Two sites; a's servers cost 100, b's 150; two web replicas share one server.
TWO_SITES = scenario_yaml(
    NO_OVERHEAD,
    """
    server_types:
      sa: {cores: 8, memory_gib: 32, nic_gbps: 100, monthly_cost: 100}
      sb: {cores: 8, memory_gib: 32, nic_gbps: 100, monthly_cost: 150}
    sites:
      a: {servers: {sa: 2}}
      b: {servers: {sb: 2}}
    links:
      - {between: [a, b], gbps: 10, latency_ms: 1}
    vnfs:
      web: {flavor: {vcpu: 4, memory_gib: 4}, forms: [vm], replicas: 2}
    """,
)


def test_site_failure_moves_instances_to_the_other_site(tmp_path: Path) -> None:
    """Base: both replicas on one server at a (100, cheaper than b's 150). With a failed, they
    move to one server at b: 150, +50; both instances moved, none kept."""
    result = whatif(tmp_path, TWO_SITES, fails=("site:a",))
    assert result.diff.cost_before == pytest.approx(100)
    assert result.diff.cost_after == pytest.approx(150)
    web = vnf_change(result, "web")
    assert (web.kept, web.moved, web.added, web.removed) == (0, 2, 0, 0)
    assert all(server.startswith("b/") for server, _ in web.entered)
    assert result.changed.scenario.out_of_service == {"a/sa/1", "a/sa/2"}
    assert result.changed.scenario.links == ()
    by_site = {s.site: (s.used_before, s.used_after) for s in result.diff.sites}
    assert by_site == {"a": (1, 0), "b": (0, 1)}


def test_site_failure_drops_demands_entering_there_with_a_note(tmp_path: Path) -> None:
    """Traffic entering at a failed site is lost: the demand from a disappears, noted."""
    scenario = (
        TWO_SITES + "services:\n  svc: {chain: [web], demands: [{from: a, to: b, gbps: 1}]}\n"
    )
    path = write_file(tmp_path, "site.yaml", scenario)
    changed = apply_changes(path, Changes(fails=("site:a",)))
    assert changed.scenario.services["svc"].demands == ()
    assert any("dropped" in note and "lost" in note for note in changed.notes)


def test_server_failure_keeps_ids_and_moves_to_the_dearer_server(tmp_path: Path) -> None:
    """dc has s (100) and t (300); both replicas fit one server. Base on dc/s/1 (100); with
    dc/s/1 failed the only server left is dc/t/1 (300): +200."""
    scenario = scenario_yaml(
        NO_OVERHEAD,
        """
        server_types:
          s: {cores: 8, memory_gib: 32, monthly_cost: 100}
          t: {cores: 8, memory_gib: 32, monthly_cost: 300}
        sites:
          dc: {servers: {s: 1, t: 1}}
        vnfs:
          web: {flavor: {vcpu: 4, memory_gib: 4}, forms: [vm], replicas: 2}
        """,
    )
    result = whatif(tmp_path, scenario, fails=("server:dc/s/1",))
    assert result.diff.cost_delta == pytest.approx(200)
    assert {p.server for p in result.changed_plan.placements} == {"dc/t/1"}


# a - b - c with 1 ms hops and a direct 5 ms a - c; fw runs at c; budget 3 ms.
LATENCY = scenario_yaml(
    NO_OVERHEAD,
    """
    server_types:
      s: {cores: 8, memory_gib: 32, nic_gbps: 100, monthly_cost: 100}
    sites:
      a:
      b:
      c: {servers: {s: 1}}
    links:
      - {between: [a, b], gbps: 10, latency_ms: 1}
      - {between: [b, c], gbps: 10, latency_ms: 1}
      - {between: [a, c], gbps: 10, latency_ms: 5}
    vnfs:
      fw: {flavor: {vcpu: 4, memory_gib: 4}, forms: [vm], replicas: 1, sites: [c]}
    services:
      svc: {chain: [fw], demands: [{from: a, to: c, gbps: 1, max_latency_ms: 3}]}
    """,
)


def test_link_failure_that_breaks_a_latency_budget_is_explained(tmp_path: Path) -> None:
    """Base: a-b-c takes 2 ms <= 3. Without b-c the only way to c is the 5 ms link (or
    through it), > 3 ms: infeasible, and the explanation names the latency budget. The CLI
    exits 0: an infeasible changed scenario is an answer."""
    result = whatif(tmp_path, LATENCY, fails=("link:c,b",))
    assert result.diff.status_before == "optimal"
    assert result.diff.status_after == "infeasible"
    assert "max_latency_ms 3" in "\n".join(result.diff.explanation_after)
    site = tmp_path / "site.yaml"
    cli = run_cli("whatif", site, "--fail", "link:b,c", *CLI_FAST)
    assert cli.exit_code == 0, cli.output
    assert "changed scenario has no plan" in cli.stdout
    assert "max_latency_ms 3" in cli.stdout


# a - c, 10 Gbps; fw at c, so a's demand crosses the link once.
LINK_LOAD = scenario_yaml(
    NO_OVERHEAD,
    """
    server_types:
      s: {cores: 8, memory_gib: 32, nic_gbps: 100, monthly_cost: 100}
    sites:
      a:
      c: {servers: {s: 1}}
    links:
      - {between: [a, c], gbps: 10, latency_ms: 1}
    vnfs:
      fw: {flavor: {vcpu: 4, memory_gib: 4}, forms: [vm], replicas: 1, sites: [c]}
    services:
      svc: {chain: [fw], demands: [{from: a, to: c, gbps: 7}]}
    """,
)


def test_link_crossing_eighty_percent_upwards(tmp_path: Path) -> None:
    """7 of 10 Gbps = 70 %; x1.2 = 8.4 Gbps = 84 %: a crossing above 80 %."""
    result = whatif(tmp_path, LINK_LOAD, scale_demand=("1.2",))
    (crossing,) = result.diff.links
    assert (crossing.before, crossing.after) == (pytest.approx(0.7), pytest.approx(0.84))
    assert crossing.direction == "above"


def test_link_crossing_eighty_percent_downwards_and_a_small_change_is_no_crossing(
    tmp_path: Path,
) -> None:
    """9 Gbps = 90 % -> 4 Gbps = 40 %: below. 7 -> 7.5 Gbps (70 % -> 75 %) crosses nothing."""
    busy = LINK_LOAD.replace("gbps: 7}", "gbps: 9}")
    result = whatif(tmp_path, busy, sets=("services.svc.demands.0.gbps=4",))
    (crossing,) = result.diff.links
    assert crossing.direction == "below"
    quiet = whatif(tmp_path, LINK_LOAD, sets=("services.svc.demands.0.gbps=7.5",))
    assert quiet.diff.links == ()


# --- re-planning from the running deployment ---------------------------------------------------


def deployed_at_b(tmp_path: Path) -> Path:
    """A deployment of TWO_SITES with both web replicas on b/sb/1 (150 a month): valid, but
    not the cheapest (a's servers cost 100). Made by solving with web confined to b."""
    confined = write_file(
        tmp_path, "confined.yaml", TWO_SITES.replace("replicas: 2}", "replicas: 2, sites: [b]}")
    )
    plan = solve(load_scenario(confined), FAST)
    site = write_file(tmp_path, "site.yaml", TWO_SITES)
    assert_checked(load_scenario(site), plan)
    assert {p.server for p in plan.placements} == {"b/sb/1"}
    path = tmp_path / "current.yaml"
    write_plan(plan, path)
    return path


def test_current_deployment_is_the_before_side_and_moves_are_counted(tmp_path: Path) -> None:
    """Current: 2 web on b/sb/1 (150). Three replicas need two servers (two per server).
    Move cost 0: the cheapest is two servers at a (200): both instances move, one is added;
    +50 against the deployment. (Keeping b/sb/1 and adding a/sa/1 would cost 250.)"""
    current = deployed_at_b(tmp_path)
    site = tmp_path / "site.yaml"
    out = tmp_path / "changed.yaml"
    cli = run_cli(
        "whatif", site, "--current", current, "--set", "vnfs.web.replicas=3", "-o", out,
        "--format", "json", *CLI_FAST,
    )  # fmt: skip
    assert cli.exit_code == 0, cli.output
    data = json.loads(cli.stdout)
    assert data["monthly_cost"] == {"before": 150.0, "after": 200.0, "delta": 50.0}
    (web,) = data["vnfs"]
    assert (web["kept"], web["moved"], web["added"], web["removed"]) == (0, 2, 1, 0)
    changed = apply_changes(site, Changes(sets=("vnfs.web.replicas=3",))).scenario
    assert_checked(changed, read_plan(out))


def test_move_cost_keeps_the_deployment_when_moving_does_not_pay(tmp_path: Path) -> None:
    """Same change with --move-cost 100. Keep both on b/sb/1, add one on a/sa/1: 150 + 100 =
    250, no move. Move one (one left on b/sb/1, two on a/sa/1): 250 + 100 = 350. Move both
    (two a servers): 200 + 2 x 100 = 400. So 250, both kept, one added."""
    current = deployed_at_b(tmp_path)
    cli = run_cli(
        "whatif", tmp_path / "site.yaml", "--current", current, "--set", "vnfs.web.replicas=3",
        "--move-cost", "100", "--format", "json", *CLI_FAST,
    )  # fmt: skip
    assert cli.exit_code == 0, cli.output
    data = json.loads(cli.stdout)
    assert data["monthly_cost"]["after"] == 250.0
    (web,) = data["vnfs"]
    assert (web["kept"], web["moved"], web["added"]) == (2, 0, 1)


# --- the diff's instance matching ---------------------------------------------------------------


@given(
    before=st.lists(st.sampled_from(["x", "y", "z"]), max_size=6),
    after=st.lists(st.sampled_from(["x", "y", "z"]), max_size=6),
)
def test_instance_matching_accounts_for_every_instance(before: list, after: list) -> None:
    """kept + moved + removed = before and kept + moved + added = after, always; moved is as
    large as it can be (added and removed are never both non-zero)."""
    from collections import Counter

    kept, moved, added, removed = match_instances(
        Counter((s, "vm") for s in before), Counter((s, "vm") for s in after)
    )
    assert kept + moved + removed == len(before)
    assert kept + moved + added == len(after)
    assert added == 0 or removed == 0


# --- bad input: exit 2, a located message, no traceback, no file ---------------------------------


def assert_refused(tmp_path: Path, *args: str, expect: list[str]) -> str:
    site = write_file(tmp_path, "site.yaml", TWO_SITES)
    out = tmp_path / "out.yaml"
    result = run_cli("whatif", site, *args, "-o", out, *CLI_FAST)
    assert result.exit_code == 2, result.output
    assert result.exception is None
    assert "Traceback" not in result.output
    assert not out.exists()
    for fragment in expect:
        assert fragment in result.stderr, result.stderr
    return result.stderr


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (
            ("--set", "vnfs.web.replikas=3"),
            ["--set vnfs.web.replikas=3", "did you mean 'replicas'?", "valid keys:"],
        ),
        (("--set", "vnfs.wbe.replicas=3"), ["no VNF 'wbe'", "did you mean 'web'?"]),
        (
            ("--set", "vnfs.web.replicas=eight"),
            ["vnfs.web.replicas", "must be a whole number", "'eight'"],
        ),
        (("--set", "vnfs.web.replicas"), ["expected PATH=VALUE"]),
        (("--fail", "site:aa"), ["unknown site 'aa'", "did you mean 'a'?"]),
        (("--fail", "server:a/sa/3"), ["no server 'a/sa/3'", "a/sa/1..2"]),
        (("--fail", "server:a/sb/1"), ["no server 'a/sb/1'", "a/sa/1..2"]),
        (("--fail", "server:a-sa-1"), ["SITE/TYPE/N"]),
        (("--fail", "link:a,a"), ["no link between a and a", "links of a: a,b"]),
        (("--fail", "rack:a"), ["site:NAME, server:SITE/TYPE/N or link:SITE_A,SITE_B"]),
        (("--fail", "link:a"), ["link:SITE_A,SITE_B"]),
        (("--scale-demand", "0"), ["must be a number > 0"]),
        (("--scale-demand", "-2"), ["must be a number > 0"]),
        (("--scale-demand", "web=nan"), ["must be a number > 0"]),
        (("--scale-demand", "nope=2"), ["unknown service 'nope'"]),
    ],
)
def test_bad_changes_are_refused(tmp_path: Path, args: tuple[str, ...], expect: list[str]) -> None:
    assert_refused(tmp_path, *args, expect=expect)


def test_patch_breaking_the_format_is_located_in_the_patch(tmp_path: Path) -> None:
    """The bad value sits on line 4, column 15 of the patch file, not in the scenario."""
    patch = write_file(tmp_path, "bad.yaml", "# raise web\nvnfs:\n  web:\n    replicas: -1\n")
    stderr = assert_refused(tmp_path, "--patch", str(patch), expect=["vnfs.web.replicas"])
    assert f"{patch}:4:15:" in stderr


def test_patch_adding_an_unknown_key_is_located_at_the_key(tmp_path: Path) -> None:
    patch = write_file(tmp_path, "bad.yaml", "vnfs:\n  web:\n    replikas: 3\n")
    stderr = assert_refused(tmp_path, "--patch", str(patch), expect=["did you mean 'replicas'?"])
    assert f"{patch}:3:5:" in stderr


def test_current_plan_of_another_scenario_is_refused(tmp_path: Path) -> None:
    """A plan of scenario 'elsewhere' given as the current deployment of scenario 't'."""
    other = write_file(tmp_path, "other.yaml", REPLICAS.replace("name: t", "name: elsewhere"))
    plan = solve(load_scenario(other), FAST)
    assert plan.status is Status.OPTIMAL
    write_plan(plan, tmp_path / "other-plan.yaml")
    assert_refused(
        tmp_path,
        "--current",
        str(tmp_path / "other-plan.yaml"),
        expect=["other-plan.yaml", "plan is for scenario 'elsewhere', not 't'"],
    )


# --- hostile input never tracebacks ---------------------------------------------------------------

GARBAGE = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
PATHS = st.lists(
    st.sampled_from(
        [
            "vnfs",
            "web",
            "sites",
            "a",
            "links",
            "0",
            "1",
            "services",
            "flavor",
            "vcpu",
            "x",
            "",
            "-1",
        ]
    ),
    min_size=0,
    max_size=5,
).map(".".join)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.one_of(PATHS, GARBAGE),
    value=GARBAGE,
    fail=GARBAGE,
    scale=GARBAGE,
)
def test_random_changes_never_traceback(
    tmp_path: Path, path: str, value: str, fail: str, scale: str
) -> None:
    """Any --set, --fail or --scale-demand either applies or is an InputError."""
    site = tmp_path / "site.yaml"
    if not site.exists():
        site.write_text(TWO_SITES)
    for changes in (
        Changes(sets=(f"{path}={value}",)),
        Changes(fails=(fail,)),
        Changes(fails=(f"server:{fail}",)),
        Changes(fails=(f"link:{fail}",)),
        Changes(scale_demand=(scale,)),
    ):
        try:
            apply_changes(site, changes)
        except InputError as error:
            assert error.problems


KEYS = st.sampled_from(
    ["vnfs", "web", "sites", "a", "b", "replicas", "flavor", "vcpu", "servers", "sa", "links", "x"]
)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 10), st.floats(allow_nan=True), GARBAGE
)
PATCHES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)),
    max_leaves=8,
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(patch=st.dictionaries(KEYS, PATCHES, max_size=3))
def test_random_patches_never_traceback(tmp_path: Path, patch: dict) -> None:
    """Any mapping patch either gives a valid scenario or an InputError located somewhere."""
    site = tmp_path / "site.yaml"
    site.write_text(TWO_SITES)
    patch_file = tmp_path / "patch.json"
    patch_file.write_text(json.dumps(patch))
    try:
        apply_changes(site, Changes(patches=(patch_file,)))
    except InputError as error:
        assert error.problems


def test_markdown_and_text_show_the_crossing(tmp_path: Path) -> None:
    """The 70 % -> 84 % crossing of test_link_crossing_eighty_percent_upwards, as printed."""
    site = write_file(tmp_path, "site.yaml", LINK_LOAD)
    markdown = run_cli("whatif", site, "--scale-demand", "1.2", "--format", "markdown", *CLI_FAST)
    assert markdown.exit_code == 0, markdown.output
    assert "| a – c | 70.0% | 84.0% (above) |" in markdown.stdout
    text = run_cli("whatif", site, "--scale-demand", "1.2", *CLI_FAST)
    assert "a - c: 70.0% -> 84.0% (above)" in text.stdout
