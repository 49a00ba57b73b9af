"""Tests that bad input to `nfvplan export` gets a clear message, the documented exit code
and writes nothing: unknown target, a plan of another scenario (the checker's message, exit 5),
an infeasible plan, an unwritable or non-empty output directory, and broken hosts files
(located at their line and column, exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import NO_OVERHEAD, run_cli, scenario_yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nfvplan.export.writer import write_tree

SCENARIO = scenario_yaml(
    NO_OVERHEAD,
    """
    server_types:
      h: {cores: 8, threads_per_core: 2, memory_gib: 64, disk_gib: 500, monthly_cost: 100}
    sites: {dc: {servers: {h: 3}}}
    vnfs:
      web: {flavor: {vcpu: 2, memory_gib: 4}, forms: [vm], replicas: 2, anti_affinity: host}
    """,
    name="bad",
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A scenario, its plan, another scenario and an infeasible plan."""
    base = tmp_path_factory.mktemp("bad")
    site = base / "site.yaml"
    site.write_text(SCENARIO)
    other = base / "other.yaml"
    other.write_text(SCENARIO.replace("name: bad", "name: other"))
    plan = base / "plan.yaml"
    assert run_cli("solve", site, "-o", plan, "-q").exit_code == 0
    impossible = base / "impossible.yaml"
    impossible.write_text(SCENARIO.replace("replicas: 2", "replicas: 4"))
    infeasible = base / "infeasible-plan.yaml"
    assert run_cli("solve", impossible, "-o", infeasible, "-q").exit_code == 3
    return {"site": site, "other": other, "plan": plan, "impossible": impossible,
            "infeasible": infeasible}  # fmt: skip


def _export(files: dict[str, Path], out: Path, *extra: str | Path, site: str = "site",
            plan: str = "plan"):  # fmt: skip
    return run_cli("export", files[site], files[plan], "--to", "heat", "-o", out, *extra)


def test_unknown_target(files: dict[str, Path], tmp_path: Path) -> None:
    """Tests `--to ansible`: exit 2 naming the valid targets, nothing written."""
    out = tmp_path / "out"
    result = run_cli("export", files["site"], files["plan"], "--to", "ansible", "-o", out)
    assert result.exit_code == 2
    assert "heat" in result.stderr and "terraform" in result.stderr
    assert not out.exists()


def test_plan_of_another_scenario(files: dict[str, Path], tmp_path: Path) -> None:
    """Tests the plan with a scenario of another name: the checker's message, exit 5."""
    out = tmp_path / "out"
    result = _export(files, out, site="other")
    assert result.exit_code == 5
    assert "violation [scenario]" in result.stdout
    assert "nothing exported" in result.stderr
    assert not out.exists()


def test_infeasible_plan(files: dict[str, Path], tmp_path: Path) -> None:
    """Tests an infeasible plan: exit 2, 'nothing to export', naming the plan file."""
    out = tmp_path / "out"
    result = _export(files, out, site="impossible", plan="infeasible")
    assert result.exit_code == 2
    assert "infeasible" in result.stderr and str(files["infeasible"]) in result.stderr
    assert not out.exists()


def test_wrong_form_for_the_target(files: dict[str, Path], tmp_path: Path) -> None:
    """Tests exporting an all-VM plan to Kubernetes: exit 2 pointing at the VM targets."""
    out = tmp_path / "out"
    result = run_cli("export", files["site"], files["plan"], "--to", "kubernetes", "-o", out)
    assert result.exit_code == 2
    assert "no container instance" in result.stderr and "--to heat" in result.stderr
    assert not out.exists()


def test_non_empty_directory_needs_force(files: dict[str, Path], tmp_path: Path) -> None:
    """Tests a non-empty output directory: exit 2 and untouched; with --force, replaced whole
    (the stale file is gone, no temporary directory is left beside it)."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.yaml").write_text("old")
    result = _export(files, out)
    assert result.exit_code == 2 and "--force" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["stale.yaml"]
    result = _export(files, out, "--force")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["dc-env.yaml", "dc.yaml", "nfvplan-hosts.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_unwritable_output(files: dict[str, Path], tmp_path: Path) -> None:
    """Tests an output whose parent is a file (the tests run as root, who may write anywhere
    else): exit 2, nothing written."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = _export(files, blocker / "out")
    assert result.exit_code == 2 and "is not a directory" in result.stderr
    result = _export(files, blocker)
    assert result.exit_code == 2 and "not a directory" in result.stderr
    assert blocker.read_text() == "x"


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    """Tests write_tree failing half-way (a file name the OS refuses): no target, no temp, and
    the parent directories it created are gone again."""
    with pytest.raises(ValueError):
        write_tree(tmp_path / "new" / "parents" / "out", {"a.yaml": "x", "b\0.yaml": "y"})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("hosts", "where", "message"),
    [
        ("hosts:\n  bad/h/1: cmp-1\n", ":2:3:", "no host for the used servers dc/h/1, dc/h/2"),
        (
            "hosts:\n  dc/h/1: cmp-1\n  dc/h/2: cmp-2\n  dc/h/9: cmp-9\n",
            ":4:3:",
            "unknown server id 'dc/h/9'",
        ),
        (
            "hosts:\n  dc/h/1: cmp-1\n  dc/h/2: {hostname: cmp-1}\n",
            ":3:3:",
            "host name 'cmp-1' is also given to dc/h/1",
        ),
        ("hosts:\n  dc/h/1: cmp-1\n  dc/h/2: {hostname: 'a:b'}\n", ":3:22:", "not a host name"),
        ("hosts:\n  dc/h/1: {hostname: x, zone: y}\n", ":2:25:", "unknown key 'zone'"),
    ],
    ids=["unmapped", "unknown-id", "same-host", "colon", "unknown-key"],
)
def test_bad_hosts_file(
    files: dict[str, Path], tmp_path: Path, hosts: str, where: str, message: str
) -> None:
    """Tests each hosts-file mistake: exit 2, located in the hosts file, nothing written."""
    hosts_file = tmp_path / "hosts.yaml"
    hosts_file.write_text(hosts)
    out = tmp_path / "out"
    result = _export(files, out, "--hosts", hosts_file)
    assert result.exit_code == 2, result.output
    assert f"{hosts_file}{where}" in result.stderr, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(["dc/h/1", "dc/h/2", "dc/h/3", "dc/x/1", "", "a b"]),
        st.one_of(
            st.text(max_size=8),
            st.integers(),
            st.none(),
            st.fixed_dictionaries({"hostname": st.text(max_size=6)}),
            st.lists(st.text(max_size=3), max_size=2),
        ),
        max_size=4,
    )
)
def test_random_hosts_files_never_crash(files: dict[str, Path], tmp_path: Path, mapping) -> None:
    """Tests arbitrary hosts mappings: exit 0 (then every used server is mapped to distinct
    names) or 2 with nothing written; never a traceback."""
    import yaml

    hosts_file = tmp_path / "hosts.yaml"
    hosts_file.write_text(yaml.safe_dump({"hosts": mapping}))
    out = tmp_path / "out"
    result = _export(files, out, "--hosts", hosts_file, "--force")
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    if result.exit_code == 2:
        assert str(hosts_file) in result.stderr
    else:
        assert (out / "dc.yaml").exists()


def test_site_names_become_safe_distinct_file_names(tmp_path: Path) -> None:
    """Tests a site named with blanks (file `my-site.yaml`) and one named like a file the
    export writes anyway (`namespace`): exit 2 naming the site, nothing written."""
    text = SCENARIO.replace(
        "sites: {dc: {servers: {h: 3}}}", "sites: {'my site': {servers: {h: 3}}}"
    )
    site = tmp_path / "site.yaml"
    site.write_text(text)
    plan = tmp_path / "plan.yaml"
    assert run_cli("solve", site, "-o", plan, "-q").exit_code == 0
    result = run_cli("export", site, plan, "--to", "heat", "-o", tmp_path / "heat")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "heat" / "my-site.yaml").exists()
    assert "-t my-site.yaml -e my-site-env.yaml" in (tmp_path / "heat" / "my-site.yaml").read_text()
    site.write_text(text.replace("'my site'", "namespace").replace("[vm]", "[container]"))
    assert run_cli("solve", site, "-o", plan, "-q").exit_code == 0
    result = run_cli("export", site, plan, "--to", "kubernetes", "-o", tmp_path / "k8s")
    assert result.exit_code == 2
    assert "site 'namespace' would be written as namespace.yaml" in result.stderr
    assert not (tmp_path / "k8s").exists()


def test_read_back_without_a_plan_and_of_broken_exports(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """Tests `export --read DIR` alone (lists what it read, exit 0), of a directory that is no
    export, and of an export whose server lost its pinning: exit 2, no traceback."""
    out = tmp_path / "heat"
    assert _export(files, out).exit_code == 0
    listed = run_cli("export", "--read", out)
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines()[0] == f"{out} (heat): 2 instances"
    assert "  web-1  web  dc/h/" in listed.stdout and "vcpu 2  memory 4096 MiB" in listed.stdout
    not_export = run_cli("export", "--read", tmp_path)
    assert not_export.exit_code == 2 and "no nfvplan-hosts.yaml" in not_export.stderr
    template = out / "dc.yaml"
    template.write_text(template.read_text().replace("availability_zone:", "zone:"))
    broken = run_cli("export", files["site"], files["plan"], "--read", out)
    assert broken.exit_code == 2, broken.output
    assert "not a readable nfvplan export" in broken.stderr and "Traceback" not in broken.output
