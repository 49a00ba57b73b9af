"""Tests of `nfvplan topology list|show|import` and the library behind them.

The commands run in-process through Typer's CliRunner. Figures are checked on tiny topologies
written here, where degree, capacity and diameter follow by hand, and on the committed files
where their headers state the counts. The import tests need topohub and the plot tests need
matplotlib; each is skipped without its optional extra, except the tests that prove a missing
extra gives a clear exit-2 message.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from nfvplan import topology_view
from nfvplan.cli.main import app
from nfvplan.errors import InputError
from nfvplan.io import load_topology
from tests.paths import TOPOLOGIES

runner = CliRunner()

WriteYaml = Callable[..., Path]


HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
HAS_TOPOHUB = importlib.util.find_spec("topohub") is not None
needs_matplotlib = pytest.mark.skipif(not HAS_MATPLOTLIB, reason="matplotlib not installed")
needs_topohub = pytest.mark.skipif(not HAS_TOPOHUB, reason="topohub not installed")

TRIANGLE = """\
nfvplan-topology: 1
name: triangle
description: three sites, the direct A-C link slower than the way round
sites:
  A: {kind: edge, lat: 48.0, lon: 10.0}
  B: {kind: core, lat: 48.5, lon: 10.5}
  C: {kind: edge, lat: 48.0, lon: 11.0}
links:
  - {between: [A, B], gbps: 100, latency_ms: 1}
  - {between: [B, C], gbps: 40, latency_ms: 2}
  - {between: [A, C], gbps: 10, length_km: 1000}
"""
"""Degrees 2, 2, 2; 150 Gbps; A-C is 5 ms direct but 3 ms via B, so the diameter is 3 ms."""

BROKEN = """\
nfvplan-topology: 1
name: broken
sites:
  A: {kind: core}
  B: {}
links:
  - {between: [A, Z], gbps: 10, length_km: 5}
  - {between: [A, B], gbps: -1, latency_ms: 1}
"""
"""Two located problems: an unknown site at line 7, a negative capacity at line 8."""


def invoke(*args: str) -> Result:
    """Run `nfvplan ARGS` in-process."""
    return runner.invoke(app, list(args))


def assert_clean_exit(result: Result, code: int) -> None:
    """The exit code is `code` and no Python traceback escaped."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------------------------
# list


def test_list_uses_topologies_under_the_current_directory(
    monkeypatch: pytest.MonkeyPatch, write_yaml: WriteYaml, tmp_path: Path
) -> None:
    """Tests that `list` without --dir reads ./topologies and prints one line per file."""
    write_yaml(TRIANGLE, "topologies/triangle.yaml")
    monkeypatch.chdir(tmp_path)
    result = invoke("topology", "list")
    assert_clean_exit(result, 0)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "sites", "links", "capacity", "description"]
    assert len(lines) == 2
    assert lines[1].split()[:5] == ["triangle", "3", "3", "150", "Gbps"]
    assert lines[1].endswith("three sites, the direct A-C link slower than the way round")


def test_list_falls_back_to_the_repository_topologies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Tests that without ./topologies the package's own folder is listed, with true counts.

    abilene has 12 sites and 15 links of 10 Gbps (150 Gbps); bics 33 sites and 48 links.
    """
    monkeypatch.chdir(tmp_path)
    assert topology_view.default_topology_dir() == TOPOLOGIES
    result = invoke("topology", "list")
    assert_clean_exit(result, 0)
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]}
    assert set(rows) >= {"abilene", "bics", "germany50", "metro-ring", "nobel-eu"}
    assert rows["abilene"][1:5] == ["12", "15", "150", "Gbps"]
    assert rows["bics"][1:3] == ["33", "48"]


def test_list_reports_broken_files_after_the_good_ones(
    write_yaml: WriteYaml, tmp_path: Path
) -> None:
    """Tests that one malformed file does not hide the others; it is located and exits 2."""
    write_yaml(TRIANGLE, "nets/triangle.yaml")
    write_yaml(BROKEN, "nets/broken.yaml")
    (tmp_path / "nets" / "notes.txt").write_text("not a topology")
    result = invoke("topology", "list", "--dir", str(tmp_path / "nets"))
    assert_clean_exit(result, 2)
    assert "triangle" in result.stdout
    assert "broken" not in result.stdout
    assert f"{tmp_path / 'nets' / 'broken.yaml'}:7:19: links[0].between[1]" in result.stderr
    assert "broken.yaml:8:29: links[1].gbps" in result.stderr
    assert "notes.txt" not in result.output


def test_list_keeps_one_line_per_file_for_multi_line_descriptions(
    write_yaml: WriteYaml, tmp_path: Path
) -> None:
    """Tests that a block-scalar description is folded onto the file's one line."""
    text = TRIANGLE.replace(
        "description: three sites, the direct A-C link slower than the way round\n",
        "description: |\n  three sites,\n  two lines\n",
    )
    write_yaml(text, "nets/triangle.yaml")
    result = invoke("topology", "list", "--dir", str(tmp_path / "nets"))
    assert_clean_exit(result, 0)
    assert result.stdout.splitlines()[1].endswith("150 Gbps  three sites, two lines")
    assert len(result.stdout.splitlines()) == 2


def test_list_of_a_missing_directory_exits_2(tmp_path: Path) -> None:
    """Tests that a --dir that does not exist is a usage error, not a crash."""
    result = invoke("topology", "list", "--dir", str(tmp_path / "nowhere"))
    assert_clean_exit(result, 2)
    assert "topology directory does not exist" in result.stderr


def test_list_of_an_empty_directory_says_so(tmp_path: Path) -> None:
    """Tests that an empty folder lists nothing and says where it looked."""
    result = invoke("topology", "list", "--dir", str(tmp_path))
    assert_clean_exit(result, 0)
    assert f"no topology files (*.yaml, *.yml) in {tmp_path}" in result.stdout


# ---------------------------------------------------------------------------------------------
# show


def test_show_lists_sites_links_and_diameter(write_yaml: WriteYaml) -> None:
    """Tests `show` on the triangle: degrees, Gbps, km, ms and a 3 ms diameter via B.

    A-C is 1000 km, so 5 ms at 0.005 ms/km; the fastest A-C path is A-B-C at 1 + 2 = 3 ms, the
    largest shortest-path latency in the network.
    """
    path = write_yaml(TRIANGLE, "triangle.yaml")
    result = invoke("topology", "show", str(path))
    assert_clean_exit(result, 0)
    out = result.stdout
    assert out.splitlines()[0] == (
        "triangle: three sites, the direct A-C link slower than the way round"
    )
    assert "3 sites, 3 links, 150 Gbps total" in out
    rows = [line.split() for line in out.splitlines()]
    site_rows = {r[0]: r for r in rows if len(r) == 5 and r[0] in "ABC" and r[1] != "-"}
    assert set(site_rows) == {"A", "B", "C"}
    assert site_rows["B"][:3] == ["B", "core", "2"]
    assert site_rows["A"][:3] == ["A", "edge", "2"]
    assert "A - C    10     1000.0       5.000" in out
    assert "A - B   100          -       1.000" in out
    assert "diameter: 3.000 ms (A - C, fastest path)" in out


def test_show_by_name_finds_the_repository_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Tests that `show abilene` resolves to topologies/abilene.yaml and prints its figures.

    New York - Washington is 334.6 km in the file, hence 1.673 ms.
    """
    monkeypatch.chdir(tmp_path)
    result = invoke("topology", "show", "abilene")
    assert_clean_exit(result, 0)
    assert f"file: {TOPOLOGIES / 'abilene.yaml'}" in result.stdout
    assert "12 sites, 15 links, 150 Gbps total" in result.stdout
    assert "NYCMng - WASHng    10      334.6       1.673" in result.stdout
    assert "diameter: " in result.stdout


def test_show_says_when_the_network_is_disconnected(write_yaml: WriteYaml) -> None:
    """Tests that a two-component network gets its in-component diameter and a warning."""
    text = TRIANGLE.replace("  C: {kind: edge, lat: 48.0, lon: 11.0}\n", "  C: {}\n  D: {}\n")
    text = text.replace("  - {between: [A, C], gbps: 10, length_km: 1000}\n", "")
    text = text.replace("[B, C], gbps: 40, latency_ms: 2", "[C, D], gbps: 40, latency_ms: 2")
    result = invoke("topology", "show", str(write_yaml(text, "split.yaml")))
    assert_clean_exit(result, 0)
    assert "diameter: 2.000 ms (C - D, fastest path)" in result.stdout
    assert "disconnected (2 components)" in result.stdout
    assert "(no kind)" in result.stdout


def test_show_malformed_topology_exits_2_with_file_and_line(write_yaml: WriteYaml) -> None:
    """Tests that every problem of a malformed file is printed as file:line:column, exit 2."""
    path = write_yaml(BROKEN, "broken.yaml")
    result = invoke("topology", "show", str(path))
    assert_clean_exit(result, 2)
    assert result.stdout == ""
    assert f"{path}:7:19: links[0].between[1]: unknown site 'Z'" in result.stderr
    assert f"{path}:8:29: links[1].gbps: must be a number > 0, got -1" in result.stderr


def test_show_yaml_syntax_error_exits_2_with_line(write_yaml: WriteYaml) -> None:
    """Tests that broken YAML is located too (the loader's message, not a PyYAML traceback)."""
    path = write_yaml("nfvplan-topology: 1\nsites:\n  A: {kind: core\n", "syntax.yaml")
    result = invoke("topology", "show", str(path))
    assert_clean_exit(result, 2)
    assert re.search(rf"{re.escape(str(path))}:\d+(:\d+)?: ", result.stderr), result.stderr


def test_show_of_a_scenario_file_is_refused(write_yaml: WriteYaml) -> None:
    """Tests that a file that is not a topology is named as such, exit 2."""
    path = write_yaml("nfvplan: 1\nname: x\n", "scenario.yaml")
    result = invoke("topology", "show", str(path))
    assert_clean_exit(result, 2)
    assert "not an nfvplan topology file" in result.stderr


def test_show_unknown_name_lists_the_known_ones(tmp_path: Path, write_yaml: WriteYaml) -> None:
    """Tests that a typo in a name exits 2 and names the topologies that do exist."""
    write_yaml(TRIANGLE, "nets/triangle.yaml")
    result = invoke("topology", "show", "triangel", "--dir", str(tmp_path / "nets"))
    assert_clean_exit(result, 2)
    assert "triangel: no such topology file or name" in result.stderr
    assert "triangle" in result.stderr


def test_show_missing_path_exits_2(tmp_path: Path) -> None:
    """Tests that a missing file path is a located usage error."""
    result = invoke("topology", "show", str(tmp_path / "gone.yaml"))
    assert_clean_exit(result, 2)
    assert "gone.yaml: no such topology file or name" in result.stderr


# ---------------------------------------------------------------------------------------------
# show --plot


@needs_matplotlib
@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_plot_writes_the_image_atomically(
    write_yaml: WriteYaml, tmp_path: Path, suffix: str
) -> None:
    """Tests that --plot writes a real PNG/SVG and leaves no temp file behind."""
    path = write_yaml(TRIANGLE, "triangle.yaml")
    image = tmp_path / "out" / f"triangle.{suffix}"
    image.parent.mkdir()
    result = invoke("topology", "show", str(path), "--plot", str(image))
    assert_clean_exit(result, 0)
    assert f"plot written to {image}" in result.stdout
    data = image.read_bytes()
    if suffix == "png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
    else:
        assert b"<svg" in data
        assert b"triangle: 3 sites, 3 links" in data
    assert [p.name for p in image.parent.iterdir()] == [image.name]


@needs_matplotlib
def test_plot_of_a_real_topology(tmp_path: Path) -> None:
    """Tests that the 33-site bics file draws (many labels, one kind)."""
    image = tmp_path / "bics.png"
    result = invoke("topology", "show", str(TOPOLOGIES / "bics.yaml"), "--plot", str(image))
    assert_clean_exit(result, 0)
    assert image.stat().st_size > 10_000


def test_plot_with_an_unknown_suffix_exits_2_before_printing(
    write_yaml: WriteYaml, tmp_path: Path
) -> None:
    """Tests that --plot x.pdf is refused up front: nothing printed, nothing written."""
    path = write_yaml(TRIANGLE, "triangle.yaml")
    result = invoke("topology", "show", str(path), "--plot", str(tmp_path / "x.pdf"))
    assert_clean_exit(result, 2)
    assert result.stdout == ""
    assert "use a .png or .svg file" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_plot_without_matplotlib_exits_2_with_install_hint(
    monkeypatch: pytest.MonkeyPatch, write_yaml: WriteYaml, tmp_path: Path
) -> None:
    """Tests that a missing matplotlib is a clear exit-2 message, and no image is written."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    path = write_yaml(TRIANGLE, "triangle.yaml")
    image = tmp_path / "t.png"
    result = invoke("topology", "show", str(path), "--plot", str(image))
    assert_clean_exit(result, 2)
    assert "plotting needs matplotlib" in result.stderr
    assert "pip install 'nfvplan[plot]'" in result.stderr
    assert not image.exists()


def test_plot_into_a_missing_directory_exits_2(write_yaml: WriteYaml, tmp_path: Path) -> None:
    """Tests that an unwritable --plot path is a located error, not an OSError traceback."""
    if not HAS_MATPLOTLIB:
        pytest.skip("matplotlib not installed")
    path = write_yaml(TRIANGLE, "triangle.yaml")
    result = invoke("topology", "show", str(path), "--plot", str(tmp_path / "no" / "t.png"))
    assert_clean_exit(result, 2)
    assert "t.png: cannot write" in result.stderr


def test_layout_is_geographic_spring_or_mixed(write_yaml: WriteYaml) -> None:
    """Tests the positions: lon/lat when every site has them, a seeded spring layout otherwise.

    Sites with coordinates keep them exactly in the mixed case; the spring layout is the same
    on every call (seeded), so pictures do not change between runs.
    """
    full = load_topology(write_yaml(TRIANGLE, "full.yaml"))
    positions, geographic = topology_view.layout(full)
    assert geographic
    assert positions["B"] == (10.5, 48.5)

    bare_text = TRIANGLE
    for coords in (", lat: 48.0, lon: 10.0", ", lat: 48.5, lon: 10.5", ", lat: 48.0, lon: 11.0"):
        bare_text = bare_text.replace(coords, "")
    bare = load_topology(write_yaml(bare_text, "bare.yaml"))
    first, geographic = topology_view.layout(bare)
    assert not geographic
    assert set(first) == {"A", "B", "C"}
    assert topology_view.layout(bare)[0] == first

    mixed = load_topology(write_yaml(TRIANGLE.replace(", lat: 48.5, lon: 10.5", ""), "mixed.yaml"))
    positions, geographic = topology_view.layout(mixed)
    assert geographic
    assert positions["A"] == (10.0, 48.0)
    assert positions["C"] == (11.0, 48.0)
    assert set(positions) == {"A", "B", "C"}


def test_atomic_write_keeps_the_old_file_when_the_rename_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Tests that a failed write leaves the previous file intact and no temp file behind."""
    target = tmp_path / "keep.yaml"
    target.write_bytes(b"old")

    def refuse(_src: str, _dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(InputError, match="No space left on device"):
        topology_view.write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.yaml"]


# ---------------------------------------------------------------------------------------------
# import


@needs_topohub
def test_import_writes_a_loadable_topology(tmp_path: Path) -> None:
    """Tests `import sndlib/abilene --gbps 10`: 12 sites, 15 links, lengths as committed."""
    output = tmp_path / "abilene.yaml"
    result = invoke("topology", "import", "sndlib/abilene", "--gbps", "10", "-o", str(output))
    assert_clean_exit(result, 0)
    assert f"wrote {output}: 12 sites, 15 links, 150 Gbps total" in result.stdout
    imported = load_topology(output)
    committed = load_topology(TOPOLOGIES / "abilene.yaml")
    assert list(imported.sites) == list(committed.sites)
    assert {(link.a, link.b, link.length_km) for link in imported.links} == {
        (link.a, link.b, link.length_km) for link in committed.links
    }
    assert all(link.gbps == 10 for link in imported.links)
    assert "nfvplan topology import sndlib/abilene --gbps 10" in output.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["abilene.yaml"]


@needs_topohub
def test_import_sets_the_site_kind(tmp_path: Path) -> None:
    """Tests that --kind labels every site, so VNF `sites: {kind: ...}` filters can use it."""
    output = tmp_path / "nobel.yaml"
    result = invoke(
        "topology", "import", "sndlib/nobel-eu", "--gbps", "40", "--kind", "edge", "-o", str(output)
    )
    assert_clean_exit(result, 0)
    topology = load_topology(output)
    assert {site.kind for site in topology.sites.values()} == {"edge"}
    assert len(topology.sites) == 28


@needs_topohub
def test_import_of_an_unknown_network_exits_2_with_suggestions(tmp_path: Path) -> None:
    """Tests that a misspelt network exits 2 with the importer's close matches, writing nothing."""
    output = tmp_path / "x.yaml"
    result = invoke("topology", "import", "sndlib/abilen", "-o", str(output))
    assert_clean_exit(result, 2)
    assert "unknown topohub network 'sndlib/abilen'" in result.stderr
    assert "sndlib/abilene" in result.stderr
    assert not output.exists()


@needs_topohub
def test_import_of_a_pixel_network_exits_2(tmp_path: Path) -> None:
    """Tests that a network drawn in pixel coordinates is refused with the importer's reason."""
    output = tmp_path / "x.yaml"
    result = invoke("topology", "import", "sndlib/atlanta", "-o", str(output))
    assert_clean_exit(result, 2)
    assert "pixel coordinates" in result.stderr
    assert not output.exists()


@needs_topohub
def test_import_with_a_bad_capacity_exits_2(tmp_path: Path) -> None:
    """Tests that a non-positive --gbps is refused by the importer, exit 2."""
    result = invoke(
        "topology", "import", "sndlib/abilene", "--gbps", "0", "-o", str(tmp_path / "x")
    )
    assert_clean_exit(result, 2)
    assert "gbps must be positive" in result.stderr


def test_import_without_topohub_exits_2_with_install_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Tests that a missing topohub is a clear exit-2 message naming the extra."""
    monkeypatch.setitem(sys.modules, "topohub", None)
    result = invoke("topology", "import", "sndlib/abilene", "-o", str(tmp_path / "x.yaml"))
    assert_clean_exit(result, 2)
    assert "pip install 'nfvplan[import]'" in result.stderr
    assert not (tmp_path / "x.yaml").exists()


# ---------------------------------------------------------------------------------------------
# help


@pytest.mark.parametrize("command", ["list", "show", "import"])
def test_every_command_help_ends_with_an_example(command: str) -> None:
    """Tests that each command's help closes with a runnable example."""
    result = invoke("topology", command, "--help")
    assert_clean_exit(result, 0)
    assert f"Example: nfvplan topology {command}" in result.stdout
