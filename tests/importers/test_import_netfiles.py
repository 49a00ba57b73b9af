"""Network files (GML, GraphML, SNDlib native and XML, CSV) into topology files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import run_cli
from hypothesis import given
from hypothesis import strategies as st
from import_helpers import Importer

from nfvplan.errors import InputError
from nfvplan.io import load_topology
from nfvplan.netfile_import import build_topology, read_network

GML = """\
graph [
  label "Tiny"
  node [ id 0 label "Paris" Longitude 2.35 Latitude 48.86 ]
  node [ id 1 label "Lyon" Longitude 4.84 Latitude 45.76 ]
  node [ id 2 label "Lille" Longitude 3.06 Latitude 50.63 ]
  edge [ source 0 target 1 LinkSpeedRaw 10000000000.0 ]
  edge [ source 0 target 1 LinkSpeedRaw 10000000000.0 ]
  edge [ source 0 target 2 ]
]
"""


def test_gml_coordinates_capacities_and_parallel_links(importer: Importer, tmp_path: Path) -> None:
    """Tests Topology Zoo GML: great-circle km, LinkSpeedRaw in bit/s, parallel links added,
    --gbps for the link without a speed."""
    src = importer.write("tiny.gml", GML)
    out = tmp_path / "tiny.yaml"
    result = run_cli("topology", "import", src, "--gbps", "40", "-o", out)
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load(out.read_text())
    links = {tuple(link["between"]): link for link in doc["links"]}
    assert links[("Paris", "Lyon")]["gbps"] == 20
    assert links[("Paris", "Lille")]["gbps"] == 40
    assert links[("Paris", "Lyon")]["length_km"] == 392.5  # haversine, R = 6371 km
    assert load_topology(out).name == "tiny"


def test_gml_without_coordinates_needs_latency(importer: Importer, tmp_path: Path) -> None:
    """Tests the bad input: nodes without coordinates and no --latency-ms -> exit 2, nothing
    written; with --latency-ms the uniform latency is used."""
    src = importer.write(
        "flat.gml",
        'graph [\n node [ id 0 label "A" ]\n node [ id 1 label "B" ]'
        "\n edge [ source 0 target 1 ]\n]\n",
    )
    out = tmp_path / "flat.yaml"
    bad = run_cli("topology", "import", src, "-o", out)
    assert bad.exit_code == 2
    assert "no capacity in the file; give --gbps" in bad.stderr
    bad = run_cli("topology", "import", src, "--gbps", "10", "-o", out)
    assert bad.exit_code == 2
    assert "flat.gml:4" in bad.stderr and "--latency-ms" in bad.stderr
    assert not out.exists()
    good = run_cli("topology", "import", src, "--gbps", "10", "--latency-ms", "2", "-o", out)
    assert good.exit_code == 0, good.output
    assert yaml.safe_load(out.read_text())["links"] == [
        {"between": ["A", "B"], "gbps": 10, "latency_ms": 2}
    ]


GRAPHML = """\
<?xml version="1.0" encoding="utf-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key attr.name="Latitude" attr.type="double" for="node" id="d1"/>
  <key attr.name="Longitude" attr.type="double" for="node" id="d2"/>
  <key attr.name="label" attr.type="string" for="node" id="d3"/>
  <key attr.name="LinkSpeedRaw" attr.type="double" for="edge" id="d4"/>
  <graph edgedefault="undirected">
    <node id="0"><data key="d1">52.52</data><data key="d2">13.405</data>
      <data key="d3">Berlin</data></node>
    <node id="1"><data key="d1">48.137</data><data key="d2">11.575</data>
      <data key="d3">Munich</data></node>
    <edge source="0" target="1"><data key="d4">100000000000</data></edge>
  </graph>
</graphml>
"""


def test_graphml(importer: Importer, tmp_path: Path) -> None:
    """Tests GraphML with Topology Zoo keys: 100 Gbps from LinkSpeedRaw, 504.3 km."""
    out = tmp_path / "de.yaml"
    result = run_cli("topology", "import", importer.write("de.graphml", GRAPHML), "-o", out)
    assert result.exit_code == 0, result.output
    link = yaml.safe_load(out.read_text())["links"][0]
    assert link == {"between": ["Berlin", "Munich"], "gbps": 100, "length_km": 504.3}


def test_graphml_doctype_refused(importer: Importer, tmp_path: Path) -> None:
    """Tests that an XML entity declaration is refused, located, exit 2."""
    text = GRAPHML.replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0"?>\n<!DOCTYPE g [<!ENTITY x "boom">]>',
    )
    result = run_cli(
        "topology", "import", importer.write("e.graphml", text), "-o", tmp_path / "e.yaml"
    )
    assert result.exit_code == 2
    assert "e.graphml:2" in result.stderr and "DOCTYPE" in result.stderr


SNDLIB = """\
?SNDlib native format; type: network; version: 1.0
NODES (
  N1 ( 10.10 50.00 )
  N2 ( 11.00 50.20 )
  N3 ( 10.00 51.30 )
)
LINKS (
  L1 ( N1 N2 ) 0.00 0.00 0.00 0.00 ( 2500.00 10.00 10000.00 30.00 )
  L2 ( N1 N3 ) 1000.00 0.00 0.00 0.00 ( )
)
DEMANDS (
  D1 ( N2 N3 ) 1 300.00 UNLIMITED
)
"""


def test_sndlib_native_capacities_and_demands(importer: Importer, tmp_path: Path) -> None:
    """Tests SNDlib: the largest module (10000 Mbit/s = 10 Gbps) where nothing is
    pre-installed, pre-installed 1000 = 1 Gbps, and the demand as a service (0.3 Gbps)."""
    out, services = tmp_path / "s.yaml", tmp_path / "svc.yaml"
    result = run_cli(
        "topology",
        "import",
        importer.write("net.txt", SNDLIB),
        "-o",
        out,
        "--services",
        services,
        "--chain",
        "upf,fw",
    )
    assert result.exit_code == 0, result.output
    links = {tuple(x["between"]): x["gbps"] for x in yaml.safe_load(out.read_text())["links"]}
    assert links == {("N1", "N2"): 10, ("N1", "N3"): 1}
    svc = yaml.safe_load(services.read_text())["services"]["net-demands"]
    assert svc == {"chain": ["upf", "fw"], "demands": [{"from": "N2", "to": "N3", "gbps": 0.3}]}


SNDLIB_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<network xmlns="http://sndlib.zib.de/network" version="1.0">
 <networkStructure>
  <nodes coordinatesType="{kind}">
   <node id="A"><coordinates><x>10.0</x><y>50.0</y></coordinates></node>
   <node id="B"><coordinates><x>10.5</x><y>50.5</y></coordinates></node>
  </nodes>
  <links>
   <link id="L"><source>A</source><target>B</target>
    <preInstalledModule><capacity>40000</capacity><cost>0</cost></preInstalledModule></link>
  </links>
 </networkStructure>
 <demands>
  <demand id="D"><source>A</source><target>B</target><demandValue>1500</demandValue></demand>
 </demands>
</network>
"""


def test_sndlib_xml_and_pixel_refusal(importer: Importer, tmp_path: Path) -> None:
    """Tests SNDlib XML (40 Gbps pre-installed) and that pixel coordinates are refused."""
    out = tmp_path / "x.yaml"
    src = importer.write("x.xml", SNDLIB_XML.replace("{kind}", "geographical"))
    result = run_cli("topology", "import", src, "-o", out)
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text())["links"][0]["gbps"] == 40
    assert "1 demands in the file not written" in result.stderr
    pixel = importer.write("p.xml", SNDLIB_XML.replace("{kind}", "pixel"))
    bad = run_cli("topology", "import", pixel, "-o", tmp_path / "p.yaml")
    assert bad.exit_code == 2 and "pixel coordinates" in bad.stderr


def test_csv_links(importer: Importer, tmp_path: Path) -> None:
    """Tests a CSV of links with gbps and latency/length columns."""
    src = importer.write(
        "links.csv",
        "from,to,gbps,latency_ms,length_km\ncore-1,core-2,400,1.0,\ncore-1,edge-a,100,,250\n",
    )
    out = tmp_path / "c.yaml"
    result = run_cli("topology", "import", src, "-o", out)
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text())["links"] == [
        {"between": ["core-1", "core-2"], "gbps": 400, "latency_ms": 1},
        {"between": ["core-1", "edge-a"], "gbps": 100, "length_km": 250},
    ]


def test_list_shows_topohub_networks() -> None:
    """Tests --list: every topohub key, sndlib/abilene among them."""
    result = run_cli("topology", "import", "--list")
    assert result.exit_code == 0, result.output
    assert "sndlib/abilene" in result.stdout.splitlines()


@given(st.binary(max_size=300), st.sampled_from([".gml", ".graphml", ".txt", ".xml", ".csv"]))
def test_random_network_files_are_refused_cleanly(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    """Tests that random bytes under any network suffix import or raise InputError."""
    path = tmp_path_factory.mktemp("n") / f"net{suffix}"
    path.write_bytes(data)
    try:
        network = read_network(path)
        build_topology(network, str(path), gbps=10, latency_ms=1)
    except InputError:
        pass


@given(
    st.lists(
        st.tuples(
            st.sampled_from("ABCDE"),
            st.sampled_from("ABCDE"),
            st.floats(min_value=0.001, max_value=1e4),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_csv_links_merge_parallel_capacities(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str, float]]
) -> None:
    """Tests that every CSV of links gives one link per site pair whose capacity is the sum of
    that pair's rows (self-loops dropped)."""
    path = tmp_path_factory.mktemp("c") / "links.csv"
    path.write_text("a,b,gbps\n" + "".join(f"{a},{b},{g!r}\n" for a, b, g in rows))
    expected: dict[frozenset[str], float] = {}
    for a, b, g in rows:
        if a != b:
            expected[frozenset((a, b))] = expected.get(frozenset((a, b)), 0.0) + g
    try:
        doc, _ = build_topology(read_network(path), str(path), gbps=None, latency_ms=1)
    except InputError as exc:
        assert not expected and "no links" in str(exc)
        return
    got = {frozenset(link["between"]): link["gbps"] for link in doc["links"]}
    assert got.keys() == expected.keys()
    for pair, total in expected.items():
        assert got[pair] == pytest.approx(total, rel=1e-6, abs=1e-6)


def test_gml_with_some_nodes_unplaced(importer: Importer, tmp_path: Path) -> None:
    """Tests a Zoo-style file where one node has no coordinates: links between placed nodes
    get great-circle km, the link to the unplaced node the --latency-ms given."""
    text = GML.replace(
        'node [ id 2 label "Lille" Longitude 3.06 Latitude 50.63 ]',
        'node [ id 2 label "Lille" Internal 0 ]',
    )
    src = importer.write("part.gml", text)
    out = tmp_path / "part.yaml"
    bad = run_cli("topology", "import", src, "--gbps", "40", "-o", out)
    assert bad.exit_code == 2 and "no coordinates for Lille" in bad.stderr
    assert "part.gml:8" in bad.stderr
    good = run_cli("topology", "import", src, "--gbps", "40", "--latency-ms", "3", "-o", out)
    assert good.exit_code == 0, good.output
    links = {tuple(x["between"]): x for x in yaml.safe_load(out.read_text())["links"]}
    assert links[("Paris", "Lyon")]["length_km"] == 392.5
    assert links[("Paris", "Lille")]["latency_ms"] == 3


@pytest.mark.parametrize("writer", ["gml", "graphml"])
def test_networkx_written_files_match_the_topohub_import(tmp_path: Path, writer: str) -> None:
    """Tests our GML and GraphML readers against files networkx (an independent writer) makes
    from topohub's Bics: same sites and the same merged links as `topology import Bics`."""
    topohub = pytest.importorskip("topohub")
    import networkx as nx

    from nfvplan.topohub_import import import_topohub

    raw = topohub.get("topozoo/Bics")
    graph = nx.MultiGraph()  # networkx writes a GML node's key as its label: key by name
    name = {node["id"]: node["name"] for node in raw["nodes"]}
    assert len(set(name.values())) == len(name)
    for node in raw["nodes"]:
        graph.add_node(node["name"], Longitude=node["pos"][0], Latitude=node["pos"][1])
    for edge in raw["edges"]:
        graph.add_edge(name[edge["source"]], name[edge["target"]], LinkSpeedRaw=1e10)
    path = tmp_path / f"bics.{writer}"
    (nx.write_gml if writer == "gml" else nx.write_graphml)(graph, path)
    out = tmp_path / "bics.yaml"
    result = run_cli("topology", "import", path, "-o", out)
    assert result.exit_code == 0, result.output
    ours = yaml.safe_load(out.read_text())
    reference = import_topohub("topozoo/Bics", gbps=10)
    assert ours["sites"].keys() == reference["sites"].keys()

    def pairs(doc: dict) -> dict:
        return {frozenset(x["between"]): (x["gbps"], x["length_km"]) for x in doc["links"]}

    assert pairs(ours) == pairs(reference)
