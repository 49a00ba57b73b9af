"""The per-server view (`show --servers`) and the `report` command, without a browser.

A case worked out by hand pins the split of a server's use into workload, overheads, reserves
and free room; random scenarios (hypothesis) check that the parts always add up to what the
checked plan says; the CLI tests check the outputs and every refusal (exit 2, nothing written).
"""

from __future__ import annotations

import re

import pytest
import yaml
from helpers import EXAMPLES, parse, run_cli, scenario_yaml, solve_and_check
from hypothesis import given, note, settings
from hypothesis import strategies as st
from strategies import Doc, scenario_docs

from nfvplan.cli.report import resilience_default
from nfvplan.errors import InputError
from nfvplan.plan import RESOURCE_KEYS
from nfvplan.review import ReportInput, cost_breakdown, format_servers, render_report
from nfvplan.review.extras import parse_whatif
from nfvplan.review.markdown import to_html
from nfvplan.review.servers import server_views
from nfvplan.whatif import Changes

HAND = scenario_yaml(
    """
    platform:
      vm:
        overhead: {vcpu: 1, memory_gib: 2, disk_gib: 10}
        host_reserve: {cores: 1, memory_gib: 4}
      cpu_overcommit: 2
    server_types:
      small: {cores: 8, threads_per_core: 2, memory_gib: 64, disk_gib: 100, nic_gbps: 10,
              sriov_vfs: 8, numa_nodes: 1, monthly_cost: 100}
    sites:
      s: {servers: {small: 1}, expand: {small: 1}}
    vnfs:
      fw: {flavor: {vcpu: 4, memory_gib: 8, disk_gib: 20}, forms: [vm], replicas: 1,
           license_monthly: 7}
    """,
    name="hand",
)


def test_a_server_split_by_hand():
    plan = solve_and_check(HAND)
    [view] = server_views(parse(HAND), plan)
    threads = view.resource("threads")
    # 4 shared vCPUs over overcommit 2 = 2 threads; the VM's 1 vCPU = 0.5; reserve 1 core x 2.
    assert (threads.workload, threads.overhead, threads.reserve) == (2, 0.5, 2)
    assert threads.used == 4.5 and threads.free == 11.5 and threads.tax == 2.5
    memory = view.resource("memory_gib")
    assert (memory.workload, memory.overhead, memory.reserve, memory.free) == (8, 2, 4, 50)
    disk = view.resource("disk_gib")
    assert (disk.workload, disk.overhead, disk.reserve) == (20, 10, 0)
    cost = cost_breakdown(parse(HAND), plan)
    assert (cost.installed, cost.purchases, cost.licences) == (100, 0, 7)
    text = format_servers(parse(HAND), plan)
    assert "monthly cost: 107.00 = servers 100.00 + purchases 0.00 + licences 7.00" in text
    assert re.search(r"CPU threads\s+16\s+4\.5 \(28\.1%\)\s+2\s+0\.5\s+2\s+-\s+11\.5", text)
    assert "instances (1): fw-1 [vm]" in text


def test_a_stale_figure_is_reported_not_hidden(tmp_path):
    plan_file = tmp_path / "plan.yaml"
    scenario_file = tmp_path / "hand.yaml"
    scenario_file.write_text(HAND, encoding="utf-8")
    assert run_cli("solve", scenario_file, "-o", plan_file, "-q").exit_code == 0
    data = yaml.safe_load(plan_file.read_text(encoding="utf-8"))
    data["servers"][0]["used"]["threads"] = 6.5  # by hand: 2 threads more than placed
    plan_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    shown = run_cli("show", scenario_file, plan_file, "--servers")
    assert shown.exit_code == 0
    assert "note: the plan's CPU figure is 2 threads off its placements" in shown.stdout
    html = tmp_path / "r.html"
    assert run_cli("report", scenario_file, plan_file, "-o", html).exit_code == 0
    assert "CPU figure is 2 threads off what its placements take" in html.read_text(
        encoding="utf-8"
    )


@settings(max_examples=25)
@given(scenario_docs())
def test_the_parts_add_up_to_the_checked_plan(doc: Doc):
    scenario = doc.scenario()
    plan = solve_and_check(scenario, time_limit_s=5)
    note(f"status {plan.status.value}")
    views = server_views(scenario, plan)
    assert [v.id for v in views] == [s.id for s in plan.servers]
    for view, server in zip(views, plan.servers, strict=True):
        placed = [p.instance for p in plan.placements if p.server == server.id]
        assert [i.instance for i in view.instances] == placed
        for key in RESOURCE_KEYS:
            r = view.resource(key)
            parts = r.workload + r.overhead + r.reserve + r.traffic
            assert r.stale == 0 and parts == pytest.approx(server.used[key], abs=1e-6)
            assert r.free == pytest.approx(r.capacity - server.used[key])
    if plan.status.has_plan:
        assert cost_breakdown(scenario, plan).total == pytest.approx(plan.summary.monthly_cost)
    page = render_report(ReportInput(scenario, plan))
    for server in plan.servers:
        assert f'data-server="{server.id}"' in page
    assert not re.search(r"""(src|href)=["']?(https?:|//)|url\(|@import""", page)


@pytest.fixture
def core(reported):
    return reported["5g-core"]


def test_show_servers_lists_every_server_and_instance(core):
    shown = run_cli("show", core.scenario_file, core.plan_file, "--servers")
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert lines[1] == core.show.splitlines()[1]  # the CLI's objective line, unchanged
    for server in core.plan.servers:
        assert any(line.startswith(f"{server.id}  (site {server.site}") for line in lines)
    for placement in core.plan.placements:
        assert re.search(rf"\b{re.escape(placement.instance)} \[{placement.form}", shown.stdout)
    assert max(len(line) for line in lines) <= 100


def test_show_servers_markdown(core):
    shown = run_cli("show", core.scenario_file, core.plan_file, "--servers", "--format", "markdown")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("## Plan of 5g-core\n")
    headings = re.findall(r"^#### (\S+)$", shown.stdout, flags=re.M)
    assert headings == [s.id for s in core.plan.servers]
    page = to_html(shown.stdout)
    assert page.count("<table") == 2 * len(core.plan.servers)
    same = run_cli("show", core.scenario_file, core.plan_file, "--format", "markdown")
    assert same.stdout == shown.stdout


def test_show_servers_refuses_a_plan_format(core):
    shown = run_cli("show", core.scenario_file, core.plan_file, "--servers", "--format", "json")
    assert shown.exit_code == 2 and "--format markdown" in shown.stderr


def test_report_refuses_bad_output_and_other_scenarios_plan(reported, tmp_path):
    core, abilene = reported["5g-core"], reported["5g-abilene"]
    out = tmp_path / "r.pdf"
    bad = run_cli("report", core.scenario_file, core.plan_file, "-o", out)
    assert bad.exit_code == 2 and "*.html" in bad.stderr and not out.exists()
    out = tmp_path / "r.html"
    other = run_cli("report", core.scenario_file, abilene.plan_file, "-o", out)
    assert other.exit_code == 2 and not out.exists()
    assert re.search(r"plan\.yaml:\d+:\d+: .*'5g-abilene'.*'5g-core'", other.stderr)
    missing = run_cli(
        "report", core.scenario_file, core.plan_file, "-o", tmp_path / "no" / "r.html"
    )
    assert missing.exit_code == 2 and "does not exist" in missing.stderr


def test_report_refuses_a_bad_whatif_before_solving(core, tmp_path):
    out = tmp_path / "r.html"
    bad = run_cli("report", core.scenario_file, core.plan_file, "-o", out, "--whatif", "--boom x")
    assert bad.exit_code == 2 and "'--boom' is not a what-if change" in bad.stderr
    unknown = run_cli(
        "report", core.scenario_file, core.plan_file, "-o", out, "--whatif", "--fail site:nowhere"
    )
    assert unknown.exit_code == 2 and "nowhere" in unknown.stderr
    assert not out.exists()


def test_report_extras_need_a_plan(reported, tmp_path):
    r = reported["infeasible-racks"]
    out = tmp_path / "r.html"
    refused = run_cli("report", r.scenario_file, r.plan_file, "-o", out, "--resilience", "site")
    assert refused.exit_code == 2 and "need a plan" in refused.stderr and not out.exists()


def test_report_sections_are_the_commands_own_markdown(core, tmp_path):
    out = tmp_path / "r.html"
    made = run_cli(
        "report",
        core.scenario_file,
        core.plan_file,
        "-o",
        out,
        "--whatif",
        "--fail server:dc-north/nfvi-2s/2",
        "--resilience",  # alone: server failures, what `nfvplan resilience` checks by default
        "--time-limit",
        "5",
    )
    assert made.exit_code == 0, made.output
    page = out.read_text(encoding="utf-8")
    resilience = run_cli(
        "resilience",
        core.scenario_file,
        core.plan_file,
        "--format",
        "markdown",
        "--time-limit",
        "5",
    )
    verdict = resilience.stdout.strip().splitlines()[-1]
    assert f"<p>{verdict}</p>" in page
    whatif = run_cli(
        "whatif",
        EXAMPLES / "5g-core.yaml",
        "--current",
        core.plan_file,
        "--fail",
        "server:dc-north/nfvi-2s/2",
        "--format",
        "markdown",
        "--time-limit",
        "5",
    )
    cost_row = next(line for line in whatif.stdout.splitlines() if line.startswith("| monthly"))
    cells = [c.strip() for c in cost_row.strip("|").split("|")]
    assert "<tr><td>" + "</td><td>".join(cells) + "</td></tr>" in page


@pytest.mark.parametrize(
    ("given", "parsed"),
    [
        (["--resilience"], ["--resilience", "server"]),
        (["--resilience", "-o", "r.html"], ["--resilience", "server", "-o", "r.html"]),
        (["--resilience", "s.yaml", "p.yaml"], ["--resilience", "server", "s.yaml", "p.yaml"]),
        (["--resilience", "site"], ["--resilience", "site"]),
        (["--resilience", "server"], ["--resilience", "server"]),
        (["--resilience", "Site"], ["--resilience", "Site"]),  # typer refuses it, by name
        (["--resilience=site"], ["--resilience=site"]),
        (["--", "--resilience"], ["--", "--resilience"]),
        (["--whatif", "--fail site:a"], ["--whatif", "--fail site:a"]),
    ],
)
def test_a_bare_resilience_means_server_failures(given, parsed):
    """Tests the rewrite behind `report --resilience` without a level (typer has no optional
    values): `server` is added unless a level follows, and nothing after `--` is touched."""
    assert resilience_default(given) == parsed


def test_report_resilience_takes_a_level_or_none(core, tmp_path):
    """Tests the command line: a bare `--resilience` before the files works, a level in the
    wrong case is refused by name (exit 2, nothing written)."""
    out = tmp_path / "r.html"
    bare = run_cli(
        "report", "--resilience", core.scenario_file, core.plan_file, "-o", out,
        "--time-limit", "5",
    )  # fmt: skip
    assert bare.exit_code == 0, bare.output
    assert "1 extra section" in bare.stdout and out.exists()
    wrong = run_cli(
        "report", core.scenario_file, core.plan_file, "-o", tmp_path / "w.html",
        "--resilience", "Site",
    )  # fmt: skip
    assert wrong.exit_code == 2 and "'Site' is not one of 'server', 'site'" in wrong.output
    assert not (tmp_path / "w.html").exists()


@settings(max_examples=200)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=3))
def test_any_whatif_text_is_a_change_or_a_located_error(arguments):
    try:
        changes = parse_whatif(arguments)
    except InputError as error:
        assert error.problems[0].file == "--whatif"
    else:
        assert isinstance(changes, Changes)


def test_a_whatif_with_an_open_quote_is_bad_input(core, tmp_path):
    out = tmp_path / "r.html"
    bad = run_cli("report", core.scenario_file, core.plan_file, "-o", out, "--whatif", "--fail 'x")
    assert bad.exit_code == 2 and bad.exception is None and "cannot read" in bad.stderr


ALLOWED_TAGS = re.compile(
    r"</?(h[1-6]|p|br|ul|li|table|thead|tbody|tr|th|td|strong|code)( class=\"[a-z ]+\")?>"
)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("ab <>&\"'|-#*`:\n\\"), max_size=120))
def test_embedded_markdown_never_becomes_foreign_markup(text):
    """Whatever a report's Markdown holds (names come from the user's files), the HTML made
    of it has only the converter's own tags: no markup of the user's reaches the page."""
    page = to_html(text)
    assert "<" not in ALLOWED_TAGS.sub("", page)
