"""Tests of nfvplan.topohub_import: real networks in, nfvplan topology documents out."""

from __future__ import annotations

import pytest
import yaml

from nfvplan.topohub_import import (
    great_circle_km,
    import_topohub,
    render_topology,
    site_name,
)
from tests.paths import TOPOLOGIES

topohub = pytest.importorskip("topohub")


def test_geographic_network_imports_with_plausible_lengths() -> None:
    """Tests that Abilene imports with its 12 sites, 15 links and US-scale link lengths."""
    doc = import_topohub("sndlib/abilene", gbps=10)
    assert doc["nfvplan-topology"] == 1
    assert len(doc["sites"]) == 12
    assert len(doc["links"]) == 15
    for site in doc["sites"].values():
        assert site["kind"] == "core"
        assert 25 < site["lat"] < 50
        assert -125 < site["lon"] < -70
    lengths = {tuple(sorted(link["between"])): link["length_km"] for link in doc["links"]}
    # New York - Washington is about 330 km as the crow flies.
    assert lengths[("NYCMng", "WASHng")] == pytest.approx(330, rel=0.05)
    assert all(100 < km < 2500 for km in lengths.values())
    assert all(link["gbps"] == 10 for link in doc["links"])


def test_lengths_agree_with_topohub_distances() -> None:
    """Tests that our great-circle lengths match the distances topohub ships, within 1%."""
    raw = topohub.get("sndlib/nobel-eu", use_names=True)
    theirs = {frozenset((e["source"], e["target"])): e["dist"] for e in raw["edges"]}
    doc = import_topohub("sndlib/nobel-eu", gbps=100)
    for link in doc["links"]:
        assert link["length_km"] == pytest.approx(theirs[frozenset(link["between"])], rel=0.01)


def test_pixel_coordinate_network_is_refused() -> None:
    """Tests that an SNDlib network drawn in pixels is refused with a reason."""
    with pytest.raises(ValueError, match="pixel coordinates"):
        import_topohub("sndlib/atlanta", gbps=10)


def test_whole_number_pixel_network_inside_degree_ranges_is_refused() -> None:
    """Tests that india35, whose pixel positions happen to fall inside degree ranges, is refused."""
    with pytest.raises(ValueError, match="pixel coordinates"):
        import_topohub("sndlib/india35", gbps=10)


def test_planar_gabriel_graph_is_refused() -> None:
    """Tests that a synthetic Gabriel graph is refused."""
    with pytest.raises(ValueError, match="pixel coordinates"):
        import_topohub("gabriel/25/0", gbps=10)


def test_unknown_name_is_refused_with_close_matches() -> None:
    """Tests that a misspelt name is refused and the message suggests the right one."""
    expected = r"unknown topohub network 'sndlib/abilen'.*sndlib/abilene"
    with pytest.raises(ValueError, match=expected):
        import_topohub("sndlib/abilen", gbps=10)


def test_name_lookup_is_case_insensitive_and_accepts_bare_names() -> None:
    """Tests that 'topozoo/bics' and a unique bare name both resolve."""
    assert len(import_topohub("topozoo/bics", gbps=100)["sites"]) == 33
    assert len(import_topohub("germany50", gbps=100)["sites"]) == 50


def test_ambiguous_bare_name_is_refused() -> None:
    """Tests that a bare name held by two groups asks which one."""
    with pytest.raises(ValueError, match="ambiguous"):
        import_topohub("abilene", gbps=10)


def test_non_positive_capacity_is_refused() -> None:
    """Tests that a zero link capacity is refused."""
    with pytest.raises(ValueError, match="positive"):
        import_topohub("sndlib/abilene", gbps=0)


def test_rendered_text_parses_back_to_the_document() -> None:
    """Tests that render_topology writes YAML that reads back as the same document."""
    doc = import_topohub("sndlib/nobel-eu", gbps=100, kind="backbone")
    text = render_topology(doc, header="a note\nover two lines")
    assert text.startswith("# ")
    assert "# over two lines" in text
    assert yaml.safe_load(text) == doc


def test_site_names_are_plain() -> None:
    """Tests that site names lose punctuation and accents but stay readable."""
    assert site_name("Washington, DC", "x") == "Washington-DC"
    assert site_name("Zürich", "x") == "Zurich"
    assert site_name("El Paso/Las Cruces", "x") == "El-Paso-Las-Cruces"
    assert site_name(None, "n7") == "n7"
    assert site_name("1st", "x") == "n1st"


def test_great_circle_known_distance() -> None:
    """Tests the haversine against London-Paris, about 344 km."""
    assert great_circle_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(344, rel=0.01)


@pytest.mark.parametrize("stem", ["abilene", "nobel-eu", "germany50", "bics"])
def test_committed_topologies_are_current(stem: str) -> None:
    """Tests that committed real topologies list the same sites and links as a fresh import."""
    committed = yaml.safe_load((TOPOLOGIES / f"{stem}.yaml").read_text())
    key = {
        "abilene": "sndlib/abilene",
        "nobel-eu": "sndlib/nobel-eu",
        "germany50": "sndlib/germany50",
        "bics": "topozoo/Bics",
    }[stem]
    fresh = import_topohub(key, gbps=1)
    assert committed["sites"] == fresh["sites"]
    assert [link["between"] for link in committed["links"]] == [
        link["between"] for link in fresh["links"]
    ]
    assert [link["length_km"] for link in committed["links"]] == [
        link["length_km"] for link in fresh["links"]
    ]


@pytest.mark.parametrize("key", ["sndlib/germany50", "topozoo/SwitchL3", "topozoo/Iij"])
def test_rendered_topology_passes_the_loader(key: str) -> None:
    """Tests that the loader accepts imports, co-located sites (0 km apart) included."""
    from nfvplan.io.topology import parse_topology

    doc = import_topohub(key, gbps=100)
    topology = parse_topology(render_topology(doc), key)
    assert len(topology.sites) == len(doc["sites"])
    assert len(topology.links) == len(doc["links"])
    assert all(link.length_km and link.length_km >= 1.0 for link in topology.links)
