"""Tests that bad input is refused as InputError naming file, line, column, field and a fix.

Most tests change one line of `BASE` (a valid scenario whose line numbers are in its
comments) and assert the exact place and message. The hostile-input tests (alias bombs, deep
nesting, huge and non-UTF-8 files) also check that refusing is fast. The Hypothesis tests
check the loader's one promise about everything else: InputError or a Scenario, nothing else.
"""

from __future__ import annotations

import time

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nfvplan.errors import MAX_REPORTED_PROBLEMS, InputError, Problem
from nfvplan.io import load_scenario, load_topology, parse_scenario
from nfvplan.io.yamlsrc import MAX_BYTES, MAX_DEPTH

BASE = """\
nfvplan: 1
server_types:
  big:
    cores: 32
    memory_gib: 256
    monthly_cost: 500
sites:
  dc1:
    kind: core
    servers: {big: 4}
  dc2: {kind: core, servers: {big: 2}}
links:
  - {between: [dc1, dc2], gbps: 100, latency_ms: 1}
vnfs:
  amf:
    flavor: {vcpu: 4, memory_gib: 8}
    replicas: 2
  upf:
    flavor: {vcpu: 8, memory_gib: 16}
    throughput_gbps: 10
services:
  data:
    chain: [upf]
    demands:
      - {from: dc1, to: dc2, gbps: 20}
"""
# line:  1 nfvplan · 4 cores · 10 dc1 servers · 11 dc2 · 13 links[0] · 15 amf · 16 amf flavor
#       17 replicas · 18 upf · 19 upf flavor · 20 throughput_gbps · 23 chain · 25 demands[0]


def problems(text: str | bytes, filename: str = "site.yaml") -> list[Problem]:
    """The problems parse_scenario reports for `text` (which must be refused)."""
    with pytest.raises(InputError) as info:
        parse_scenario(text, filename=filename)
    return info.value.problems


def one(text: str | bytes) -> Problem:
    """The single problem reported for `text`."""
    found = problems(text)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def edit(old: str, new: str) -> str:
    """BASE with the one occurrence of `old` replaced."""
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def at(problem: Problem, line: int, column: int, path: str) -> None:
    assert (problem.file, problem.line, problem.column, problem.path) == (
        "site.yaml",
        line,
        column,
        path,
    ), str(problem)


def test_base_is_valid() -> None:
    """Tests that BASE itself loads, so every refusal below is due to its one edit."""
    assert parse_scenario(BASE).vnfs["upf"].throughput_gbps == 10


# --- keys -----------------------------------------------------------------------------------


def test_unknown_key_suggests_the_close_one() -> None:
    """Tests that a misspelt key is named with a did-you-mean and the valid keys."""
    found = problems(edit("    replicas: 2", "    replics: 2"))
    typo = next(p for p in found if p.path == "vnfs.amf.replics")
    at(typo, 17, 5, "vnfs.amf.replics")
    assert (
        "unknown key 'replics'; did you mean 'replicas'? valid keys: flavor, forms" in typo.message
    )


def test_unknown_top_level_key() -> None:
    """Tests unknown keys at the top level too."""
    problem = one(BASE + "objectve: cost\n")
    at(problem, 26, 1, "objectve")
    assert "did you mean 'objective'?" in problem.message


def test_duplicate_key_names_both_lines() -> None:
    """Tests that a repeated key is refused (YAML would silently keep the last) with both
    lines named."""
    problem = one(edit("    replicas: 2\n", "    replicas: 2\n    replicas: 3\n"))
    at(problem, 18, 5, "vnfs.amf.replicas")
    assert "duplicate key 'replicas' (first on line 17, again on line 18)" in problem.message


def test_missing_required_key_points_at_the_entry() -> None:
    """Tests that a missing required key is reported at the entry that lacks it."""
    problem = one(edit("    monthly_cost: 500\n", ""))
    at(problem, 3, 3, "server_types.big")
    assert "missing required key 'monthly_cost'" in problem.message


# --- values ---------------------------------------------------------------------------------


def test_wrong_type() -> None:
    """Tests that text where a number belongs is refused with what was expected."""
    problem = one(edit("memory_gib: 256", "memory_gib: lots"))
    at(problem, 5, 17, "server_types.big.memory_gib")
    assert problem.message == "must be a number > 0, got 'lots'"


def test_quoted_number_is_text() -> None:
    """Tests that a quoted number is refused with a hint to drop the quotes."""
    problem = one(edit("memory_gib: 256", 'memory_gib: "256"'))
    assert "quoted text; drop the quotes" in problem.message


def test_bool_is_not_a_number() -> None:
    """Tests that `cores: true` is refused although Python counts True as 1."""
    problem = one(edit("cores: 32", "cores: true"))
    at(problem, 4, 12, "server_types.big.cores")
    assert problem.message == "must be a whole number > 0, got true (a boolean, not a number)"


def test_negative_amount() -> None:
    """Tests that a negative amount is refused, naming the bound."""
    problem = one(edit("memory_gib: 8}", "memory_gib: 8, disk_gib: -4}"))
    at(problem, 16, 48, "vnfs.amf.flavor.disk_gib")
    assert problem.message == "must be a number >= 0, got -4"


def test_zero_where_positive_needed() -> None:
    """Tests that zero is refused where only a positive amount makes sense."""
    problem = one(edit("{vcpu: 4,", "{vcpu: 0,"))
    at(problem, 16, 20, "vnfs.amf.flavor.vcpu")
    assert problem.message == "must be a number > 0, got 0"


def test_fraction_where_whole_number_needed() -> None:
    """Tests that 3.5 replicas are refused."""
    problem = one(edit("replicas: 2", "replicas: 3.5"))
    at(problem, 17, 15, "vnfs.amf.replicas")
    assert problem.message == "must be a whole number >= 1, got 3.5"


def test_huge_and_infinite_numbers() -> None:
    """Tests that amounts the solver could not represent are refused."""
    assert "at most" in one(edit("servers: {big: 4}", "servers: {big: 100000000000}")).message
    assert "got .inf" in one(edit("gbps: 100,", "gbps: .inf,")).message


def test_bad_choice_suggests() -> None:
    """Tests that a word outside a fixed set lists the set and the likely one."""
    problem = one(edit("    replicas: 2\n", "    replicas: 2\n    anti_affinity: hots\n"))
    at(problem, 18, 20, "vnfs.amf.anti_affinity")
    assert problem.message == "must be one of host | rack | site, got 'hots'; did you mean 'host'?"


def test_forms_must_be_a_list_of_known_forms() -> None:
    """Tests forms: unknown form and a form listed twice."""
    found = problems(edit("    replicas: 2\n", "    replicas: 2\n    forms: [vm, vm, pod]\n"))
    assert [(p.path, p.message.split(",")[0]) for p in found] == [
        ("vnfs.amf.forms[1]", "vm is listed twice"),
        ("vnfs.amf.forms[2]", "must be one of vm | container | container-in-vm"),
    ]


def test_unsupported_version_is_the_only_problem() -> None:
    """Tests that another format version is refused alone: its other 'errors' are noise."""
    problem = one(edit("nfvplan: 1", "nfvplan: 2").replace("cores: 32", "cores: -1"))
    at(problem, 1, 10, "nfvplan")
    assert problem.message == "unsupported format version 2; this nfvplan reads version 1"


def test_missing_version() -> None:
    """Tests that the version line is required."""
    problem = one(edit("nfvplan: 1\n", ""))
    assert "missing required key 'nfvplan'" in problem.message


# --- references -----------------------------------------------------------------------------


def test_dangling_server_type() -> None:
    """Tests that an inventory naming an undefined server type lists the defined ones."""
    problem = one(edit("servers: {big: 4}", "servers: {bgi: 4}"))
    at(problem, 10, 15, "sites.dc1.servers.bgi")
    assert problem.message == "unknown server type 'bgi'; did you mean 'big'? defined: big"


def test_dangling_site_in_link_demand_and_vnf() -> None:
    """Tests unknown sites wherever a site is named."""
    text = edit("[dc1, dc2], gbps: 100", "[dc1, dc3], gbps: 100")
    text = text.replace("{from: dc1,", "{from: dcx,").replace(
        "    replicas: 2\n", "    replicas: 2\n    sites: [dc1, edge]\n"
    )
    found = problems(text)
    assert [(p.line, p.column, p.path) for p in found] == [
        (13, 21, "links[0].between[1]"),
        (18, 18, "vnfs.amf.sites[1]"),
        (26, 16, "services.data.demands[0].from"),
    ]
    assert found[0].message == "unknown site 'dc3'; did you mean 'dc2'? defined: dc1, dc2"


def test_dangling_vnf_in_chain() -> None:
    """Tests that a chain through a VNF that does not exist is refused."""
    problem = one(edit("chain: [upf]", "chain: [upf, fw]"))
    at(problem, 23, 18, "services.data.chain[1]")
    assert problem.message == "unknown VNF 'fw'; defined: amf, upf"


def test_site_kind_nobody_has() -> None:
    """Tests that `sites: {kind: K}` needs some site of kind K, and lists the kinds."""
    problem = one(edit("    replicas: 2\n", "    replicas: 2\n    sites: {kind: edge}\n"))
    at(problem, 18, 19, "vnfs.amf.sites.kind")
    assert problem.message == "no site has kind 'edge'; kinds defined: core"


def test_link_rules() -> None:
    """Tests a link to itself, a duplicate pair (either order) and a link without latency."""
    text = edit(
        "  - {between: [dc1, dc2], gbps: 100, latency_ms: 1}\n",
        "  - {between: [dc1, dc2], gbps: 100, latency_ms: 1}\n"
        "  - {between: [dc2, dc1], gbps: 100, latency_ms: 1}\n"
        "  - {between: [dc1, dc1], gbps: 100, latency_ms: 1}\n"
        "  - {between: [dc1, dc2], gbps: 100}\n",
    )
    found = problems(text)
    assert [p.path for p in found] == [
        "links[1].between",
        "links[2].between",
        "links[3]",
    ]
    assert "second link between dc2 and dc1 (first is links[0])" in found[0].message
    assert "two different sites" in found[1].message
    assert "give latency_ms or length_km" in found[2].message


# --- VNF count rules and fit ----------------------------------------------------------------


def test_both_replicas_and_throughput() -> None:
    """Tests that a VNF may not have both a fixed count and a throughput."""
    problem = one(edit("    throughput_gbps: 10\n", "    throughput_gbps: 10\n    replicas: 2\n"))
    at(problem, 20, 22, "vnfs.upf")
    assert "give replicas" in problem.message and "not both" in problem.message


def test_neither_replicas_nor_throughput() -> None:
    """Tests that a VNF needs one of the two, and the message says what each means."""
    problem = one(edit("    replicas: 2\n", ""))
    at(problem, 15, 3, "vnfs.amf")
    assert problem.message.startswith("give replicas (a fixed instance count) or throughput_gbps")


def test_redundancy_only_with_throughput() -> None:
    """Tests that redundancy is refused next to replicas."""
    problem = one(edit("    replicas: 2\n", "    replicas: 2\n    redundancy: 1\n"))
    at(problem, 18, 17, "vnfs.amf.redundancy")


def test_throughput_vnf_outside_every_chain() -> None:
    """Tests that a throughput-sized VNF no chain passes is refused, saying what to do."""
    problem = one(edit("chain: [upf]", "chain: [amf]"))
    at(problem, 20, 5, "vnfs.upf.throughput_gbps")
    assert problem.message.endswith("give replicas, or put it in a service chain")


def test_flavor_larger_than_every_server() -> None:
    """Tests that a flavor no server type can hold names the resource and largest server."""
    problem = one(edit("memory_gib: 8}", "memory_gib: 200, hugepages_gib: 100}"))
    at(problem, 16, 13, "vnfs.amf.flavor")
    assert problem.message == (
        "needs 300 GiB of memory (memory_gib + hugepages_gib) but the largest server type, "
        "big, has 256; no server can host it"
    )


def test_dedicated_cpu_is_not_overcommitted() -> None:
    """Tests the thread count of the fit check: shared vCPUs divide by the overcommit."""
    flavor = "{vcpu: 48, memory_gib: 8}"
    shared = edit("{vcpu: 4, memory_gib: 8}", flavor) + "platform: {cpu_overcommit: 2}\n"
    assert parse_scenario(shared)  # 48 / 2 = 24 threads <= 32
    dedicated = shared.replace("    replicas: 2\n", "    replicas: 2\n    cpu: dedicated\n")
    assert "needs 48 hardware threads" in one(dedicated).message


# --- whole-file problems --------------------------------------------------------------------


def test_empty_file(write_yaml) -> None:
    """Tests that an empty (or comment-only) file is refused."""
    for content in ("", "# nothing yet\n", "---\n"):
        with pytest.raises(InputError, match="the file is empty"):
            load_scenario(write_yaml(content))


def test_list_at_top_level() -> None:
    """Tests that the top level must be a mapping."""
    problem = one("- nfvplan: 1\n")
    assert (problem.line, problem.column) == (1, 1)
    assert "top level must be a mapping" in problem.message and "got a list" in problem.message


def test_non_utf8_bytes(write_yaml) -> None:
    """Tests that bytes that are not UTF-8 are refused with their line, column and offset."""
    path = write_yaml(b"nfvplan: 1\nname: caf\xe9\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    problem = info.value.problems[0]
    assert (problem.file, problem.line, problem.column) == (str(path), 2, 10)
    assert "not UTF-8" in problem.message and "offset 20" in problem.message


def test_syntax_error_is_located() -> None:
    """Tests that a YAML syntax error carries PyYAML's line and column."""
    problem = one(edit("servers: {big: 4}", "servers: {big: 4"))
    assert problem.line == 11 and problem.column is not None
    assert problem.message.startswith("YAML syntax error:")


def test_second_document_refused() -> None:
    """Tests that a second `---` document is refused rather than ignored."""
    problem = one(BASE + "---\nnfvplan: 1\n")
    assert problem.line == 26 and "second YAML document" in problem.message


def test_alias_bomb_is_refused_fast() -> None:
    """Tests that 'billion laughs' is refused by counting, without expanding it."""
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]")
    start = time.perf_counter()
    with pytest.raises(InputError, match="alias bomb"):
        parse_scenario("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 5  # about 10 ms in practice; generous for slow CI


def test_recursive_alias_is_refused() -> None:
    """Tests that an alias to its own enclosing node is refused, not followed forever."""
    with pytest.raises(InputError, match="nesting is deeper"):
        parse_scenario("a: &a [*a]\n")


def test_very_deep_nesting() -> None:
    """Tests that nesting past the limit is refused before Python's stack overflows."""
    for depth in (MAX_DEPTH + 5, 100_000):
        problem = one("a: " + "[" * depth + "]" * depth + "\n")
        assert "nesting is deeper than" in problem.message and problem.line == 1


def test_huge_file_refused_before_parsing(write_yaml) -> None:
    """Tests that a file over the size cap is refused without being parsed."""
    path = write_yaml("nfvplan: 1\n" + "# padding\n" * (MAX_BYTES // 10 + 1))
    start = time.perf_counter()
    with pytest.raises(InputError, match="larger than 5 MB"):
        load_scenario(path)
    assert time.perf_counter() - start < 5


def test_missing_file_and_directory(tmp_path) -> None:
    """Tests that unreadable paths are input errors too."""
    with pytest.raises(InputError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="is a directory"):
        load_scenario(tmp_path)


def test_unsafe_tags_refused() -> None:
    """Tests that Python object tags are refused (safe loading), with their position."""
    problem = one(BASE + "name: !!python/name:os.system\n")
    assert problem.line == 26 and "cannot read this value" in problem.message


def test_many_errors_are_all_collected_and_rendering_is_capped() -> None:
    """Tests that every problem is collected in file order and the rendering capped."""
    extra = "".join(
        f"  bad{i}: {{cores: -{i + 1}, memory_gib: 1, monthly_cost: 1}}\n" for i in range(30)
    )
    found = problems(edit("server_types:\n", "server_types:\n" + extra))
    assert len(found) == 30
    assert [p.line for p in found] == sorted(p.line for p in found)
    rendered = str(InputError(found))
    assert rendered.count("\n") == MAX_REPORTED_PROBLEMS
    assert rendered.endswith(f"... and {30 - MAX_REPORTED_PROBLEMS} more errors not shown")


# --- topology files -------------------------------------------------------------------------


def test_topology_errors_name_the_topology_file(write_yaml) -> None:
    """Tests that a problem inside an included topology names that file and its own line."""
    topo = write_yaml(
        """\
        nfvplan-topology: 1
        sites:
          X: {lat: 95}
          Y: {}
        links:
          - {between: [X, Y], gbps: 0, length_km: 3}
        """,
        "net.yaml",
    )
    site = write_yaml(edit("nfvplan: 1\n", "nfvplan: 1\ntopology: net.yaml\n"))
    with pytest.raises(InputError) as info:
        load_scenario(site)
    found = info.value.problems
    assert [(p.file, p.line, p.column, p.path) for p in found] == [
        (str(topo), 3, 12, "sites.X.lat"),
        (str(topo), 6, 29, "links[0].gbps"),
    ]
    assert found[0].message == "must be a number >= -90 and <= 90, got 95"
    assert found[1].message == "must be a number > 0, got 0"


def test_missing_topology_points_at_the_scenario_key(write_yaml) -> None:
    """Tests that a topology path that does not exist is the scenario's problem."""
    site = write_yaml(edit("nfvplan: 1\n", "nfvplan: 1\ntopology: nowhere.yaml\n"))
    with pytest.raises(InputError) as info:
        load_scenario(site)
    problem = info.value.problems[0]
    assert (problem.file, problem.line, problem.column, problem.path) == (
        str(site),
        2,
        11,
        "topology",
    )
    assert "file not found" in problem.message


def test_topology_version_and_scenario_confusion(write_yaml) -> None:
    """Tests the topology header, and a topology given where a scenario is expected."""
    topo = write_yaml("nfvplan-topology: 3\nsites: {A: {}}\n", "t.yaml")
    with pytest.raises(InputError, match="unsupported topology format version 3"):
        load_topology(topo)
    with pytest.raises(InputError, match="this is a topology file"):
        load_scenario(topo)


# --- nothing but InputError -----------------------------------------------------------------

_SCALARS = st.sampled_from(
    [-1, 0, 0.5, 3.5, 10**30, "x", "", "amf", "dc1", "big", True, None, [], {}, [1, 2], {"a": 1}]
)


def _leaf_paths(data: object, prefix: tuple = ()) -> list[tuple]:
    if isinstance(data, dict):
        return [prefix] + [p for k, v in data.items() for p in _leaf_paths(v, (*prefix, k))]
    if isinstance(data, list):
        return [prefix] + [p for i, v in enumerate(data) for p in _leaf_paths(v, (*prefix, i))]
    return [prefix]


def _replace(data: object, path: tuple, value: object) -> object:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {k: (_replace(v, rest, value) if k == head else v) for k, v in data.items()}
    assert isinstance(data, list)
    return [(_replace(v, rest, value) if i == head else v) for i, v in enumerate(data)]


_BASE_DATA = yaml.safe_load(BASE)
_PATHS = _leaf_paths(_BASE_DATA)


def _loads_or_input_error(text: str | bytes) -> None:
    try:
        parse_scenario(text)
    except InputError as exc:
        assert exc.problems and all(isinstance(p, Problem) for p in exc.problems)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes_only_raise_input_error(data: bytes) -> None:
    """Tests that arbitrary bytes give a Scenario or InputError, never another exception."""
    _loads_or_input_error(data)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_PATHS), _SCALARS, st.sampled_from(["replace", "drop"]))
def test_mutated_scenarios_only_raise_input_error(path: tuple, value: object, how: str) -> None:
    """Tests that replacing or dropping any one value of a valid scenario gives a Scenario
    or InputError, never another exception."""
    if how == "drop" and path:
        parent = _BASE_DATA
        for part in path[:-1]:
            parent = parent[part]
        mutated = _replace(_BASE_DATA, path[:-1], _without(parent, path[-1]))
    else:
        mutated = _replace(_BASE_DATA, path, value)
    _loads_or_input_error(yaml.safe_dump(mutated, sort_keys=False))


def _without(container: object, key: object) -> object:
    if isinstance(container, dict):
        return {k: v for k, v in container.items() if k != key}
    assert isinstance(container, list)
    return [v for i, v in enumerate(container) if i != key]


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, len(BASE)), st.integers(0, 8), st.text("{}[]:,-&*!|>'\"#% \n\tx1", max_size=6)
)
def test_text_edits_only_raise_input_error(start: int, length: int, insert: str) -> None:
    """Tests that splicing YAML punctuation into a valid scenario never crashes the loader."""
    _loads_or_input_error(BASE[:start] + insert + BASE[start + length :])
