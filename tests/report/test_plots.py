"""The pictures: a plan drawn on its topology, and the comparison chart's legend.

Measured on the matplotlib figures themselves (where each label, legend and bar sits), from
real plans; the CLI tests check the files and the refusals.
"""

from __future__ import annotations

import io

import pytest
from helpers import REPO, parse, run_cli, scenario_yaml, solve_and_check

pytest.importorskip("matplotlib")

from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from nfvplan.io import load_topology
from nfvplan.topology_view import build_plot, plan_marks

TOPOLOGIES = REPO / "topologies"


def _inside(inner, outer) -> bool:
    return (
        inner.x0 >= outer.x0 - 0.5
        and inner.x1 <= outer.x1 + 0.5
        and inner.y0 >= outer.y0 - 0.5
        and inner.y1 <= outer.y1 + 0.5
    )


@pytest.mark.parametrize(
    ("topology", "name"),
    [("metro-ring", "5g-edge-topology"), ("abilene", "5g-abilene"), ("bics", None)],
)
def test_labels_stay_in_the_picture_and_legends_off_the_map(reported, topology, name):
    plan = reported[name].plan if name else None
    topo = load_topology(TOPOLOGIES / f"{topology}.yaml")
    figure = build_plot(topo, plan)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    [axes] = figure.axes
    frame = axes.get_window_extent(renderer)
    texts = [t for t in axes.texts if t.get_text()]
    labels = [t for t in texts if t.get_text().split("\n")[0] in topo.sites]
    assert len(labels) == len(topo.sites)
    for text in texts:
        assert _inside(text.get_window_extent(renderer), frame), text.get_text()
    picture = figure.bbox
    for legend in figure.legends:
        box = legend.get_window_extent(renderer)
        assert _inside(box, picture) and not box.overlaps(frame)
    links = [p for p in axes.patches if isinstance(p, PathPatch)]
    assert len(links) == len(topo.links)
    if plan is not None:
        marks = plan_marks(plan)
        for site, (servers, instances) in marks.items():
            assert any(t.get_text() == f"{site}\n{servers} srv · {instances} inst" for t in labels)


def test_a_link_over_a_third_site_is_drawn_as_an_arc():
    # metro-ring: core-1 - reg-e runs straight over core-2 (all three on latitude 48.0).
    topo = load_topology(TOPOLOGIES / "metro-ring.yaml")
    figure = build_plot(topo)
    [axes] = figure.axes
    patches = [p for p in axes.patches if isinstance(p, PathPatch)]
    curved = [
        (link.a, link.b)
        for link, patch in zip(topo.links, patches, strict=True)
        if MplPath.CURVE3 in patch.get_path().codes
    ]
    assert ("core-1", "reg-e") in curved and ("core-2", "reg-w") in curved
    assert ("core-1", "core-2") not in curved


def test_topology_show_plan_writes_the_plot_and_refuses_mismatches(reported, tmp_path):
    edge = reported["5g-edge-topology"]
    image = tmp_path / "map.png"
    done = run_cli("topology", "show", "metro-ring", "--plot", image, "--plan", edge.plan_file)
    assert done.exit_code == 0, done.output
    from PIL import Image

    picture = Image.open(io.BytesIO(image.read_bytes())).convert("RGB")
    assert len(picture.getcolors(maxcolors=1 << 20)) > 100
    other = run_cli(
        "topology", "show", "abilene", "--plot", tmp_path / "x.png", "--plan", edge.plan_file
    )
    assert other.exit_code == 2 and "does not have: core-1" in other.stderr
    assert not (tmp_path / "x.png").exists()
    alone = run_cli("topology", "show", "metro-ring", "--plan", edge.plan_file)
    assert alone.exit_code == 2 and "--plot" in alone.stderr


FULL = scenario_yaml(
    """
    server_types:
      box: {cores: 8, threads_per_core: 1, memory_gib: 16, disk_gib: 100, nic_gbps: 10,
            sriov_vfs: 0, numa_nodes: 1, monthly_cost: 10}
    sites:
      s: {servers: {box: 3}}
    vnfs:
      fw: {flavor: {vcpu: 8, memory_gib: 16}, forms: [vm, container], replicas: 3,
           anti_affinity: host}
    """,
    name="full",
)


def test_the_compare_legend_covers_no_bar():
    """Every variant fills its servers (CPU and memory 100 %): the tallest bars there are."""
    from nfvplan.compare import compare
    from nfvplan.compare.plot import build_figure
    from nfvplan.solver import SolveOptions

    solve_and_check(FULL)
    comparison = compare(parse(FULL), SolveOptions(time_limit_s=5, workers=1))
    assert all(r.metrics is not None and r.metrics.cpu_utilisation == 1 for r in comparison.results)
    figure = build_figure(comparison)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    util = figure.axes[2]
    legend = util.get_legend().get_window_extent(renderer)
    bars = [patch.get_window_extent(renderer) for patch in util.patches]
    assert len(bars) == 6 and not any(legend.overlaps(bar) for bar in bars)
