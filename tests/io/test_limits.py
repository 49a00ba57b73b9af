"""Tests every documented input limit (docs/format.md, "Limits") at the limit and one past it.

At the limit the file loads; one past it, loading fails with an `InputError` that names the
file, the place and the limit. Scenarios are generated, never solved: the limits exist so
that the loader refuses what the solver could not build, before it tries.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from nfvplan.errors import InputError
from nfvplan.io import load_scenario, parse_scenario, read_plan
from nfvplan.io import scenario as sc
from nfvplan.io.plan_io import MAX_PLAN_BYTES
from nfvplan.io.yamlsrc import (
    MAX_AMOUNT,
    MAX_BYTES,
    MAX_COUNT,
    MAX_DEPTH,
    MAX_NAME,
    MAX_NODES,
    MAX_PROBLEMS,
    MAX_TEXT,
    parse_yaml,
)
from tests.helpers import REPO

HEAD = "nfvplan: 1\nname: limits\n"
TYPE = "server_types:\n  s: {cores: 8, memory_gib: 32, monthly_cost: 1}\n"
SITE = "sites:\n  a: {servers: {s: 1}}\n"
VNF = "vnfs:\n  v: {flavor: {vcpu: 1, memory_gib: 1}, replicas: 1}\n"


def loads(text: str) -> str | None:
    """None when the scenario text loads, else the rendered problems."""
    try:
        parse_scenario(text, "lim.yaml")
    except InputError as error:
        return error.render()
    return None


def assert_limit(build: Callable[[int], str], limit: int, expected: str) -> None:
    """`build(limit)` loads; `build(limit + 1)` is refused with `expected` in the message."""
    assert loads(build(limit)) is None
    refused = loads(build(limit + 1))
    assert refused is not None, "one past the limit was accepted"
    assert expected in refused, refused
    assert "lim.yaml" in refused


# --- file size, nesting, values -----------------------------------------------------------------


def _padded(content: bytes, size: int) -> bytes:
    """`content` padded with a comment to exactly `size` bytes."""
    filler = size - len(content) - 3
    return content + b"#" + b"x" * filler + b"\n\n"


def test_scenario_file_size(tmp_path: Path) -> None:
    """Tests a scenario of exactly MAX_BYTES (5 MiB) bytes, then one byte more."""
    valid = (HEAD + TYPE + SITE + VNF).encode()
    path = tmp_path / "big.yaml"
    path.write_bytes(_padded(valid, MAX_BYTES))
    assert path.stat().st_size == MAX_BYTES
    assert load_scenario(path).name == "limits"
    path.write_bytes(_padded(valid, MAX_BYTES + 1))
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert str(caught.value) == f"{path}: file is larger than 5 MB; refusing to parse it"


def test_plan_file_size(tmp_path: Path) -> None:
    """Tests a plan of exactly MAX_PLAN_BYTES (32 MiB) bytes, then one byte more."""
    plan = b"nfvplan: 1\nscenario: t\nstatus: infeasible\nobjective: {name: cost}\n"
    path = tmp_path / "plan.yaml"
    path.write_bytes(_padded(plan, MAX_PLAN_BYTES))
    assert read_plan(path).scenario == "t"
    path.write_bytes(_padded(plan, MAX_PLAN_BYTES + 1))
    with pytest.raises(InputError) as caught:
        read_plan(path)
    assert str(caught.value) == f"{path}: file is larger than 32 MB; refusing to parse it"


def test_nesting_depth() -> None:
    """Tests MAX_DEPTH: the top-level mapping is level 1, so `a:` holding 49 nested lists
    reaches level 50 (accepted) and 50 nested lists level 51 (refused)."""
    inside = MAX_DEPTH - 1
    assert parse_yaml("a: " + "[" * inside + "]" * inside + "\n").kind == "map"
    with pytest.raises(InputError) as caught:
        parse_yaml("a: " + "[" * (inside + 1) + "]" * (inside + 1) + "\n", "deep.yaml")
    assert f"deep.yaml:1:{3 + MAX_DEPTH}: nesting is deeper than {MAX_DEPTH} levels" in str(
        caught.value
    )


def test_node_count() -> None:
    """Tests the node limit: the top mapping, one list and n scalars are n + 2 values.

    Run with a limit of 1 000 (`max_nodes`, the parameter `MAX_NODES` is the default of):
    200 000 values take seconds to build, and the counting is the same.
    """
    limit = 1_000
    items = limit - 2
    parsed = parse_yaml("a: [" + "0," * items + "]\n", max_nodes=limit)
    assert len(parsed.value["a"].value) == items
    with pytest.raises(InputError) as caught:
        parse_yaml("a: [" + "0," * (items + 1) + "]\n", "many.yaml", max_nodes=limit)
    assert f"more than {limit} YAML values" in str(caught.value)
    assert MAX_NODES == 200_000  # the documented default


def test_name_length() -> None:
    """Tests MAX_NAME on a site name."""
    assert_limit(
        lambda n: HEAD + TYPE + f"sites:\n  {'a' * n}: {{servers: {{s: 1}}}}\n" + VNF,
        MAX_NAME,
        f"a name must be at most {MAX_NAME} characters",
    )


def test_text_length() -> None:
    """Tests MAX_TEXT on the description."""
    assert_limit(
        lambda n: HEAD + f"description: {'d' * n}\n" + TYPE + SITE + VNF,
        MAX_TEXT,
        f"at most {MAX_TEXT} accepted",
    )


def test_amount() -> None:
    """Tests MAX_AMOUNT (1e12) on a server's memory; one past is 1e12 + 1."""
    assert_limit(
        lambda n: (
            HEAD
            + f"server_types:\n  s: {{cores: 8, memory_gib: {n}, monthly_cost: 1}}\n"
            + SITE
            + VNF
        ),
        int(MAX_AMOUNT),
        "must be at most 1000000000000, got 1000000000001",
    )


def test_count() -> None:
    """Tests MAX_COUNT (100 000) on a site's racks."""
    assert_limit(
        lambda n: HEAD + TYPE + f"sites:\n  a: {{racks: {n}, servers: {{s: 1}}}}\n" + VNF,
        MAX_COUNT,
        f"must be at most {MAX_COUNT}, got {MAX_COUNT + 1}",
    )


@pytest.mark.parametrize(
    ("field", "limit"),
    [("numa_nodes", sc.MAX_NUMA_NODES), ("threads_per_core", 64)],
)
def test_server_type_ranges(field: str, limit: int) -> None:
    """Tests the ranges of numa_nodes and threads_per_core (64 each)."""
    assert_limit(
        lambda n: (
            HEAD
            + f"server_types:\n  s: {{cores: 64, memory_gib: 64, monthly_cost: 1, {field}: {n}}}\n"
            + SITE
            + VNF
        ),
        limit,
        f"and <= {limit}, got {limit + 1}",
    )


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("workers", sc.MAX_WORKERS),
        ("seed", sc.MAX_SEED),
        ("time_limit_s", sc.MAX_TIME_LIMIT_S),
    ],
)
def test_solver_settings(field: str, limit: int) -> None:
    """Tests the ranges of solver.workers (1024), seed (2**31 - 1), time_limit_s (30 days)."""
    assert_limit(
        lambda n: HEAD + TYPE + SITE + VNF + f"solver: {{{field}: {n}}}\n",
        limit,
        f"and <= {limit}, got {limit + 1}",
    )


# --- section sizes ------------------------------------------------------------------------------


def _sites(n: int) -> str:
    return "sites:\n  a: {servers: {s: 1}}\n" + "".join(f"  t{i}:\n" for i in range(n - 1))


def _types(n: int) -> str:
    return "server_types:\n" + "".join(
        f"  s{'' if i == 0 else i}: {{cores: 8, memory_gib: 32, monthly_cost: 1}}\n"
        for i in range(n)
    )


def _vnfs(n: int) -> str:
    return "vnfs:\n" + "".join(
        f"  v{i}: {{flavor: {{vcpu: 1, memory_gib: 1}}, replicas: 1}}\n" for i in range(n)
    )


def _links(n: int) -> str:
    """n links over the first sites of a complete graph on 201 sites (20 100 pairs)."""
    pairs = [(i, j) for i in range(201) for j in range(i + 1, 201)][:n]
    sites = "sites:\n  a: {servers: {s: 1}}\n" + "".join(f"  n{i}:\n" for i in range(201))
    links = "".join(f"  - {{between: [n{i}, n{j}], gbps: 1, latency_ms: 1}}\n" for i, j in pairs)
    return sites + "links:\n" + links


def _services(n: int) -> str:
    return "services:\n" + "".join(f"  c{i}: {{chain: [v]}}\n" for i in range(n))


def _demands(n: int) -> str:
    return "services:\n  c: {chain: [v], demands: [" + "{from: a, gbps: 1}," * n + "]}\n"


@pytest.mark.parametrize(
    ("what", "build", "limit", "message"),
    [
        ("sites", lambda n: HEAD + TYPE + _sites(n) + VNF, sc.MAX_SITES, "sites (with the"),
        ("types", lambda n: HEAD + _types(n) + SITE + VNF, sc.MAX_SERVER_TYPES, "server types;"),
        ("vnfs", lambda n: HEAD + TYPE + SITE + _vnfs(n), sc.MAX_VNFS, "VNFs; at most"),
        (
            "services",
            lambda n: HEAD + TYPE + SITE + VNF + _services(n),
            sc.MAX_SERVICES,
            "services; at most",
        ),
        (
            "servers",
            lambda n: (
                HEAD
                + TYPE
                + f"sites:\n  a: {{servers: {{s: {n // 2}}}, expand: {{s: {n - n // 2}}}}}\n"
                + VNF
            ),
            sc.MAX_SERVERS,
            "servers installed and purchasable",
        ),
        (
            "replicas",
            lambda n: (  # three VNFs: one VNF's replicas stop at MAX_COUNT (100 000)
                HEAD
                + TYPE
                + SITE
                + VNF.replace("replicas: 1", f"replicas: {n // 3}")
                + f"  w: {{flavor: {{vcpu: 1, memory_gib: 1}}, replicas: {n // 3}}}\n"
                + f"  x: {{flavor: {{vcpu: 1, memory_gib: 1}}, replicas: {n - 2 * (n // 3)}}}\n"
            ),
            sc.MAX_INSTANCES,
            "instances at most",
        ),
    ],
)
def test_section_sizes(what: str, build: Callable[[int], str], limit: int, message: str) -> None:
    """Tests each section-size limit at the limit and one past it."""
    assert_limit(build, limit, f"{limit + 1} {message}" if what != "servers" else message)


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        ("MAX_LINKS", lambda n: HEAD + TYPE + _links(n) + VNF, "links (with the"),
        ("MAX_DEMANDS", lambda n: HEAD + TYPE + SITE + VNF + _demands(n), "demands; at most"),
    ],
)
def test_links_and_demands(
    name: str, build: Callable[[int], str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests MAX_LINKS (20 000) and MAX_DEMANDS (50 000) at a limit of 300: files at the real
    limits take many seconds to generate and read, and the count is checked the same way."""
    assert getattr(sc, name) == {"MAX_LINKS": 20_000, "MAX_DEMANDS": 50_000}[name]
    monkeypatch.setattr(sc, name, 300)
    assert_limit(build, 300, f"301 {message}")


def test_throughput_sized_instances_count_at_full_demand() -> None:
    """Tests MAX_INSTANCES for a throughput-sized VNF: 200 000 Gbps over 1 Gbps per instance
    is 200 000 instances (accepted); one spare more is 200 001 (refused). A throughput of 1e-300
    Gbps makes the count astronomical: refused, not an overflow."""
    base = (
        HEAD
        + TYPE
        + SITE
        + "vnfs:\n  v: {flavor: {vcpu: 1, memory_gib: 1}, throughput_gbps: 1, redundancy: R}\n"
        + "services:\n  c: {chain: [v], demands: [{from: a, gbps: 100000}, "
        + "{from: a, gbps: 100000}]}\n"
    )
    assert sc.MAX_INSTANCES == 200_000
    assert loads(base.replace("R", "0")) is None
    refused = loads(base.replace("R", "1"))
    assert refused is not None and f"{sc.MAX_INSTANCES + 1} instances at most" in refused
    tiny = loads(base.replace("R", "0").replace("throughput_gbps: 1", "throughput_gbps: 1e-300"))
    assert tiny is not None and "instances at most" in tiny


def test_problem_count_is_capped() -> None:
    """Tests MAX_PROBLEMS: 999 unknown keys are 999 problems, all listed; 1000 reach the cap
    and reading stops there, saying so."""

    def build(n: int) -> str:
        return HEAD + "".join(f"x{i}: 1\n" for i in range(n)) + TYPE + SITE + VNF

    with pytest.raises(InputError) as caught:
        parse_scenario(build(MAX_PROBLEMS - 1), "lim.yaml")
    assert len(caught.value.problems) == MAX_PROBLEMS - 1
    assert "stopped after" not in str(caught.value)
    with pytest.raises(InputError) as caught:
        parse_scenario(build(MAX_PROBLEMS), "lim.yaml")
    assert len(caught.value.problems) == MAX_PROBLEMS + 1
    assert caught.value.problems[0].message == f"stopped after {MAX_PROBLEMS} problems"


def test_the_examples_are_far_inside_the_limits() -> None:
    """Tests that the shipped examples load: the limits refuse nothing real."""
    for path in sorted((REPO / "examples").glob("*.yaml")):
        load_scenario(path)
