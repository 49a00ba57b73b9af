"""Bad `max_recovery_seconds` and `platform.registry` values: refused with file, line, column,
field and what would be valid; exit 2 on the command line, no plan file written."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nfvplan.errors import InputError
from nfvplan.io import parse_scenario
from tests.helpers import run_cli, write_file

BASE = """\
nfvplan: 1
platform:
  container: {boot_seconds: 5}
  vm: {boot_seconds: 45}
  registry: {site: dc}
server_types:
  s: {cores: 8, memory_gib: 64, monthly_cost: 1000}
sites:
  dc: {servers: {s: 2}}
vnfs:
  a:
    flavor: {vcpu: 2, memory_gib: 4}
    replicas: 2
    max_recovery_seconds: 10
"""
# line: 5 registry · 14 max_recovery_seconds (column 27 is its value)


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as error:
        parse_scenario(text, filename="site.yaml")
    return [str(problem) for problem in error.value.problems]


def test_the_base_is_valid() -> None:
    scenario = parse_scenario(BASE, filename="site.yaml")
    assert scenario.vnfs["a"].max_recovery_seconds == 10
    assert scenario.platform.registry is not None and scenario.platform.registry.site == "dc"


@pytest.mark.parametrize("bad", ["0", "-3", "fast", "true", "[10]", ".inf"])
def test_a_bad_budget_is_located(bad: str) -> None:
    [problem] = problems(BASE.replace("max_recovery_seconds: 10", f"max_recovery_seconds: {bad}"))
    assert problem.startswith("site.yaml:14:27: vnfs.a.max_recovery_seconds: must be a number > 0")


@pytest.mark.parametrize(
    ("platform", "keys"),
    [
        ("  vm: {boot_seconds: 45}\n", "platform.container.boot_seconds"),
        ("  container: {boot_seconds: 5}\n", "platform.vm.boot_seconds"),
        ("", "platform.vm.boot_seconds and platform.container.boot_seconds"),
    ],
)
def test_a_budget_without_boot_seconds_is_refused(platform: str, keys: str) -> None:
    """No boot time, no recovery time to check the budget against: never assumed 0 s."""
    text = BASE.replace("  container: {boot_seconds: 5}\n  vm: {boot_seconds: 45}\n", platform)
    [problem] = problems(text)
    assert "vnfs.a.max_recovery_seconds: a recovery budget needs the boot time" in problem
    assert f"set {keys}" in problem
    assert problem.startswith("site.yaml:")


def test_a_budget_for_one_form_needs_only_that_forms_boot_time() -> None:
    text = BASE.replace("  vm: {boot_seconds: 45}\n", "").replace(
        "    replicas: 2\n", "    replicas: 2\n    forms: [container]\n"
    )
    assert parse_scenario(text, filename="site.yaml").vnfs["a"].max_recovery_seconds == 10


def test_cli_exits_2_with_the_place_and_writes_no_plan(tmp_path: Path) -> None:
    site = write_file(tmp_path, "site.yaml", BASE.replace("  vm: {boot_seconds: 45}\n", ""))
    out = tmp_path / "plan.yaml"
    result = run_cli("solve", site, "-o", out, "--survive", "server")
    assert result.exit_code == 2, result.output
    assert f"{site}:13:27: vnfs.a.max_recovery_seconds" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


_VALUES = st.one_of(
    st.integers(-5, 50),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text("abc01.-", max_size=4),
    st.booleans(),
    st.none(),
    st.lists(st.integers(0, 3), max_size=2),
)


@settings(max_examples=150, deadline=None)
@given(budget=_VALUES, site=st.one_of(st.sampled_from(["dc", "x", "", "~"]), _VALUES))
def test_random_budgets_and_registries_load_or_are_located(budget: object, site: object) -> None:
    """Any value in either field gives a Scenario or an InputError at that field, nothing else."""
    import yaml

    data = yaml.safe_load(BASE)
    data["vnfs"]["a"]["max_recovery_seconds"] = budget
    data["platform"]["registry"] = {"site": site}
    try:
        scenario = parse_scenario(yaml.safe_dump(data, sort_keys=False), filename="site.yaml")
    except InputError as error:
        paths = {problem.path for problem in error.problems}
        assert paths <= {"vnfs.a.max_recovery_seconds", "platform.registry.site"}, paths
        assert all(problem.line for problem in error.problems)
        return
    value = scenario.vnfs["a"].max_recovery_seconds
    assert value is None or value > 0


def test_a_nested_budget_names_the_vm_and_container_boot_times() -> None:
    """A container in a worker VM comes back by booting the worker, then the container: the
    budget needs both figures, named by their real keys (there is no
    `platform.container-in-vm.boot_seconds`)."""
    text = (
        BASE.replace("  vm: {boot_seconds: 45}\n", "")
        .replace(
            "  registry: {site: dc}\n",
            "  registry: {site: dc}\n  container-in-vm:\n    worker: {vcpu: 4, memory_gib: 16}\n",
        )
        .replace("    replicas: 2\n", "    replicas: 2\n    forms: [container-in-vm]\n")
    )
    [problem] = problems(text)
    assert "set platform.vm.boot_seconds" in problem
    assert "container-in-vm.boot_seconds" not in problem
