"""What `nfvplan topology list|show|import` computes and prints, kept free of Typer.

The CLI only parses arguments, calls these functions and prints their text, so a notebook or a
report generator can list, describe or draw a topology exactly as the terminal does. Every
problem with an input file is an `InputError` (file, line, field), which the CLI turns into exit
code 2; every file this module writes is written atomically (temp file, fsync, rename), so an
interrupted import or plot never leaves half a file where a good one was.

matplotlib and topohub are optional extras: each is imported only inside the function that needs
it, and its absence is a clear `MissingExtraError`, not an ImportError traceback.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import nfvplan
from nfvplan.errors import InputError
from nfvplan.io import Topology, load_topology

if TYPE_CHECKING:
    import networkx as nx
from nfvplan.io.output import write_output
from nfvplan.io.topology import parse_topology

TOPOLOGY_SUFFIXES = (".yaml", ".yml")
"""File name endings `list` picks up and `show NAME` tries."""

PLOT_FORMATS = ("png", "svg")
"""Image formats `show --plot` writes, chosen by the file's suffix."""

KIND_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
"""Matplotlib's tab10 palette: node colours by site kind, in sorted kind order."""

NO_KIND = "(no kind)"
"""How a site without a `kind` is labelled in tables and legends."""


class MissingExtraError(RuntimeError):
    """An optional dependency (matplotlib, topohub) is not installed; the message says how."""


# ---------------------------------------------------------------------------------------------
# Finding and listing topology files


def default_topology_dir(cwd: Path | None = None) -> Path:
    """The `topologies/` folder to use when none is given.

    The one under the current directory comes first (running from a checkout, or from a project
    that keeps its own networks); otherwise the one beside the installed package, which is the
    repository's own for an editable install. The second may not exist: callers report that.
    """
    here = (cwd or Path.cwd()) / "topologies"
    if here.is_dir():
        return here
    return Path(nfvplan.__file__).resolve().parent.parent / "topologies"


def topology_files(directory: Path) -> list[Path]:
    """The topology files in `directory`, sorted by name; InputError if it is not a folder."""
    if not directory.is_dir():
        reason = "does not exist" if not directory.exists() else "is not a directory"
        raise InputError.single(str(directory), f"topology directory {reason}")
    return sorted(p for p in directory.iterdir() if p.suffix in TOPOLOGY_SUFFIXES and p.is_file())


@dataclass(frozen=True)
class TopologyEntry:
    """One line of `topology list`."""

    path: Path
    name: str
    sites: int
    links: int
    total_gbps: float
    description: str


def summarise(topology: Topology, path: Path) -> TopologyEntry:
    """The headline figures of one topology."""
    return TopologyEntry(
        path=path,
        name=topology.name,
        sites=len(topology.sites),
        links=len(topology.links),
        total_gbps=sum(link.gbps for link in topology.links),
        description=topology.description,
    )


def list_topologies(directory: Path) -> tuple[list[TopologyEntry], list[InputError]]:
    """Every topology file in `directory`, and the errors of the files that do not load.

    A broken file does not hide the good ones: the caller prints what loaded, then the errors,
    and exits 2 if there were any.
    """
    entries: list[TopologyEntry] = []
    errors: list[InputError] = []
    for path in topology_files(directory):
        try:
            entries.append(summarise(load_topology(path, regular_only=True), path))
        except InputError as error:
            errors.append(error)
    return entries, errors


def resolve_topology(name_or_path: str, directory: Path) -> Path:
    """The file `name_or_path` means: an existing path, else `directory/NAME.yaml` (or .yml).

    Raises InputError naming the known topologies when neither exists, so a typo is one look
    away from its fix.
    """
    given = Path(name_or_path)
    if given.exists():
        return given
    if given.name == name_or_path and not given.suffix:
        for suffix in TOPOLOGY_SUFFIXES:
            candidate = directory / f"{name_or_path}{suffix}"
            if candidate.is_file():
                return candidate
    known = [p.stem for p in topology_files(directory)] if directory.is_dir() else []
    hint = f"; known in {directory}: {', '.join(known)}" if known else f" (looked in {directory})"
    raise InputError.single(name_or_path, f"no such topology file or name{hint}")


def format_number(value: float) -> str:
    """A figure without a needless `.0`: 100 rather than 100.0, 2.5 as 2.5."""
    return f"{value:g}" if abs(value) < 1e15 else f"{value:.3e}"


def format_list(entries: Sequence[TopologyEntry]) -> str:
    """`topology list` as a table: one line per file, then nothing else."""
    rows = [
        (
            e.name,
            str(e.sites),
            str(e.links),
            f"{format_number(e.total_gbps)} Gbps",
            " ".join(e.description.split()),  # a folded YAML string must not break the line
        )
        for e in entries
    ]
    return _table(("name", "sites", "links", "capacity", "description"), rows, right=(1, 2, 3))


# ---------------------------------------------------------------------------------------------
# Describing one topology


@dataclass(frozen=True)
class SiteView:
    """A site as `topology show` lists it."""

    name: str
    kind: str | None
    degree: int
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class LinkView:
    """A link as `topology show` lists it."""

    a: str
    b: str
    gbps: float
    length_km: float | None
    latency_ms: float


@dataclass(frozen=True)
class TopologyView:
    """Everything `topology show` prints about a topology.

    `diameter_ms` is the largest shortest-path latency between two connected sites (the worst
    one-way transport delay a chain endpoint can see), with the pair in `diameter_ends`; with
    more than one component it is the largest within any component, and `components` says so.
    """

    name: str
    description: str
    source: str
    capacity_note: str
    path: str | None
    sites: list[SiteView]
    links: list[LinkView]
    total_gbps: float
    diameter_ms: float
    diameter_ends: tuple[str, str] | None
    components: int


def topology_graph(topology: Topology) -> nx.Graph:
    """Sites as nodes (with kind and coordinates), links as edges (gbps, latency_ms)."""
    import networkx as nx  # only here: `nfvplan --help` must not pay for networkx

    graph = nx.Graph()
    for name, site in topology.sites.items():
        graph.add_node(name, kind=site.kind, lat=site.lat, lon=site.lon)
    for link in topology.links:
        graph.add_edge(link.a, link.b, gbps=link.gbps, latency_ms=link.latency_ms)
    return graph


def diameter(graph: nx.Graph) -> tuple[float, tuple[str, str] | None]:
    """The largest shortest-path latency between connected sites, and its two ends.

    Ties go to the pair found first in site order, so the output is stable across runs.
    """
    best, ends = 0.0, None
    order = {name: i for i, name in enumerate(graph.nodes)}
    import networkx as nx

    for source, lengths in nx.all_pairs_dijkstra_path_length(graph, weight="latency_ms"):
        for target, latency in lengths.items():
            if order[target] <= order[source]:
                continue
            if latency > best + 1e-12:
                best, ends = latency, (source, target)
    return best, ends


def view_topology(topology: Topology) -> TopologyView:
    """Sites with kind and degree, links with figures, total capacity and diameter."""
    import networkx as nx

    graph = topology_graph(topology)
    span, ends = diameter(graph)
    return TopologyView(
        name=topology.name,
        description=topology.description,
        source=topology.source,
        capacity_note=topology.capacity_note,
        path=topology.path,
        sites=[
            SiteView(name, site.kind, graph.degree(name), site.lat, site.lon)
            for name, site in topology.sites.items()
        ],
        links=[
            LinkView(link.a, link.b, link.gbps, link.length_km, link.latency_ms)
            for link in topology.links
        ],
        total_gbps=sum(link.gbps for link in topology.links),
        diameter_ms=span,
        diameter_ends=ends,
        components=nx.number_connected_components(graph) if graph.number_of_nodes() else 0,
    )


def format_view(view: TopologyView) -> str:
    """`topology show` as text: header, sites table, links table, diameter."""
    lines = [f"{view.name}: {view.description}" if view.description else view.name]
    if view.path:
        lines.append(f"file: {view.path}")
    if view.source:
        lines.append(f"source: {view.source}")
    if view.capacity_note:
        lines.append(f"capacities: {view.capacity_note}")
    lines.append(
        f"{len(view.sites)} sites, {len(view.links)} links, "
        f"{format_number(view.total_gbps)} Gbps total"
    )
    lines.append("")
    lines.append(
        _table(
            ("site", "kind", "degree", "lat", "lon"),
            [
                (
                    s.name,
                    s.kind or NO_KIND,
                    str(s.degree),
                    _maybe(s.lat, "{:g}"),
                    _maybe(s.lon, "{:g}"),
                )
                for s in view.sites
            ],
            right=(2, 3, 4),
        )
    )
    lines.append("")
    if view.links:
        lines.append(
            _table(
                ("link", "Gbps", "length km", "latency ms"),
                [
                    (
                        f"{link.a} - {link.b}",
                        format_number(link.gbps),
                        _maybe(link.length_km, "{:.1f}"),
                        f"{link.latency_ms:.3f}",
                    )
                    for link in view.links
                ],
                right=(1, 2, 3),
            )
        )
    else:
        lines.append("no links")
    lines.append("")
    lines.append(_diameter_line(view))
    return "\n".join(lines)


def _diameter_line(view: TopologyView) -> str:
    if view.diameter_ends is None:
        text = "diameter: 0 ms (no two connected sites)"
    else:
        a, b = view.diameter_ends
        text = f"diameter: {view.diameter_ms:.3f} ms ({a} - {b}, fastest path)"
    if view.components > 1:
        text += (
            f"; the network is disconnected ({view.components} components): "
            "the diameter is the largest within one component"
        )
    return text


def _maybe(value: float | None, pattern: str) -> str:
    return "-" if value is None else pattern.format(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """Fixed-width columns separated by two spaces; `right` columns are right-aligned."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ).rstrip()

    return "\n".join([line(headers), *(line(row) for row in rows)])


# ---------------------------------------------------------------------------------------------
# Drawing


def plot_format(output: Path) -> str:
    """The image format of `output` from its suffix; InputError for anything but png/svg."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in PLOT_FORMATS:
        raise InputError.single(
            str(output),
            f"cannot tell the image format from {output.suffix or 'a name without suffix'!r}; "
            "use a .png or .svg file",
        )
    return fmt


def layout(topology: Topology) -> tuple[dict[str, tuple[float, float]], bool]:
    """Positions for drawing, and whether they are geographic (lon, lat).

    Sites with coordinates keep them; when no site has any, a seeded spring layout is used, and
    when only some do, the others are placed by a spring layout around the fixed ones. Seeded so
    that the same file always gives the same picture.
    """
    import networkx as nx

    graph = topology_graph(topology)
    known = {
        name: (site.lon, site.lat)
        for name, site in topology.sites.items()
        if site.lat is not None and site.lon is not None
    }
    if known and len(known) == len(topology.sites):
        return {name: (float(x), float(y)) for name, (x, y) in known.items()}, True
    if not known:
        positions = nx.spring_layout(graph, seed=1, weight=None)
        return {n: (float(p[0]), float(p[1])) for n, p in positions.items()}, False
    xs = [x for x, _y in known.values()]
    ys = [y for _x, y in known.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    positions = nx.spring_layout(
        graph,
        pos=dict(known),
        fixed=list(known),
        k=span / math.sqrt(max(graph.number_of_nodes(), 1)),
        seed=1,
        weight=None,
    )
    return {n: (float(p[0]), float(p[1])) for n, p in positions.items()}, True


def _matplotlib() -> None:
    """Fail early and clearly when the optional plotting extra is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as err:
        raise MissingExtraError(
            "plotting needs matplotlib, which is not installed: "
            "pip install 'nfvplan[plot]' (or: pip install matplotlib)"
        ) from err


def render_plot(topology: Topology, fmt: str) -> bytes:
    """The drawing of `topology` as image bytes in `fmt` (png or svg).

    Uses matplotlib's object API (Figure + Agg canvas), never pyplot, so nothing global (backend,
    current figure) changes in the calling process. Edge width grows with capacity, node colour
    follows the site kind; geographic layouts are drawn with the aspect of the mean latitude so
    that a country keeps its shape.
    """
    _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure

    positions, geographic = layout(topology)
    figure = Figure(figsize=(10, 8), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)

    top = max((link.gbps for link in topology.links), default=1.0)
    segments = [(positions[link.a], positions[link.b]) for link in topology.links]
    widths = [0.6 + 4.4 * link.gbps / top for link in topology.links]
    if segments:
        axes.add_collection(
            LineCollection(segments, linewidths=widths, colors="#8a8a8a", zorder=1, alpha=0.9)
        )

    kinds = sorted({site.kind or NO_KIND for site in topology.sites.values()})
    for index, kind in enumerate(kinds):
        names = [n for n, s in topology.sites.items() if (s.kind or NO_KIND) == kind]
        axes.scatter(
            [positions[n][0] for n in names],
            [positions[n][1] for n in names],
            s=60,
            color=KIND_COLOURS[index % len(KIND_COLOURS)],
            edgecolors="black",
            linewidths=0.5,
            zorder=2,
            label=kind,
        )
    small = 7 if len(topology.sites) > 30 else 8
    for name, (x, y) in positions.items():
        axes.annotate(
            name, (x, y), xytext=(4, 4), textcoords="offset points", fontsize=small, zorder=3
        )

    if geographic:
        ys = [y for _x, y in positions.values()]
        mean_lat = sum(ys) / len(ys) if ys else 0.0
        axes.set_aspect(1 / max(math.cos(math.radians(mean_lat)), 0.1))
        axes.set_xlabel("longitude")
        axes.set_ylabel("latitude")
    else:
        axes.set_axis_off()
    axes.autoscale_view()
    axes.margins(0.06)
    legend = axes.legend(title="site kind", loc="best", fontsize=8)
    legend.set_zorder(4)
    axes.set_title(
        f"{topology.name}: {len(topology.sites)} sites, {len(topology.links)} links "
        f"(line width: Gbps, widest {format_number(top)})"
    )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt)
    return buffer.getvalue()


def plot_topology(topology: Topology, output: Path) -> None:
    """Draw `topology` into `output` (.png or .svg), atomically.

    Raises InputError for an unknown suffix or an unwritable path, MissingExtraError without
    matplotlib. The format is checked before the (slow) drawing starts.
    """
    fmt = plot_format(output)
    write_atomic(output, render_plot(topology, fmt))


# ---------------------------------------------------------------------------------------------
# Importing from topohub


def import_text(network: str, *, gbps: float, kind: str) -> str:
    """The topology file text for topohub network `network`, validated by our own loader.

    Raises ValueError (unknown name, pixel coordinates, bad gbps or kind, with the importer's
    message) and MissingExtraError without topohub. The rendered text is parsed back before
    anything is written, so `import` can never leave a file that `show` would refuse.
    """
    from nfvplan.topohub_import import import_topohub, render_topology

    try:
        doc = import_topohub(network, gbps=gbps, kind=kind)
    except ImportError as err:
        raise MissingExtraError(str(err)) from err
    header = f"Imported with: nfvplan topology import {network} --gbps {format_number(gbps)}"
    if kind != "core":
        header += f" --kind {kind}"
    text = render_topology(doc, header=header)
    parse_topology(text, f"<import of {network}>")
    return text


def import_network(network: str, output: Path, *, gbps: float, kind: str) -> TopologyEntry:
    """Import `network` into `output` atomically and return its headline figures."""
    text = import_text(network, gbps=gbps, kind=kind)
    write_atomic(output, text.encode("utf-8"))
    return summarise(parse_topology(text, str(output)), output)


# ---------------------------------------------------------------------------------------------
# Writing


def write_atomic(target: Path, content: bytes) -> None:
    """Write `content` to `target` atomically; OS errors become an InputError naming the path."""
    try:
        write_output(target, content)
    except OSError as exc:
        raise InputError.single(str(target), f"cannot write: {exc.strerror or exc}") from None
