"""The network ladder (issue 13): real topologies from ~25 to ~850 sites, three demand models.

Why: the packing benchmarks leave the network out, and round one's network cases stopped at 100
sites and 30 demands. Operators plan on the published networks below with full traffic
matrices. Each rung is a topohub network (SNDlib, Topology Zoo, topohub's synthetic `backbone`
set; 400 Gbps per link, topohub has none) with one of the demand models of
`nfvplan generate --demands MODEL` (edge-to-core, two-per-site, gravity), in one of two shapes:

- `abilene` (default): the issue's shape, examples/5g-abilene.yaml's: broadband through
  [upf, firewall], UPFs anywhere, firewalls at the three best-connected sites, the other sites
  with two edge hosts (and two purchasable); see `abilene_shape`.
- `generate`: the scenario `nfvplan generate --topology FILE --demands MODEL --instances N`
  writes (5G core, IMS, vCPE VNFs; [upf, cgnat]), rebuildable with the CLI:

      nfvplan topology import backbone/europe --gbps 400 -o europe.yaml
      nfvplan generate --topology europe.yaml --demands edge-to-core --instances 2556 -o s.yaml

  Its site sizing spreads the CGNATs evenly over the regional sites, so on large networks the
  regional site next to a busy core runs out of servers or links: backbone/europe and
  Topology Zoo's Ulaknet come out infeasible (Ulaknet proven by the solver).

Per rung, in one child process (so that its peak RSS is its own):
- model build: `build_problem` with the candidate chain paths `solve()` enumerates today;
- first plan: the routing-aware greedy (`chain_greedy`) from a problem built without them,
  its cost, and the checker's verdict on it;
- the solve itself (`nfvplan solve`'s code path) with the limit: final cost, bound, gap, wall
  time against the limit, the checker's verdict;
- peak RSS of the child.

Run from the repository root (the full ladder takes hours on 2 cores; `--only` picks rungs):

    python benchmarks/network.py --ladder --time-limit 60 --only nobel,germany50
"""

from __future__ import annotations

import csv
import resource
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

RUNGS: tuple[tuple[str, str], ...] = (
    ("sndlib/nobel-eu", "edge-to-core"),
    ("sndlib/nobel-eu", "two-per-site"),
    ("sndlib/germany50", "edge-to-core"),
    ("sndlib/germany50", "two-per-site"),
    ("sndlib/germany50", "gravity"),
    ("topozoo/Ulaknet", "edge-to-core"),
    ("topozoo/TataNld", "edge-to-core"),
    ("topozoo/TataNld", "two-per-site"),
    ("backbone/north_america_nosc", "edge-to-core"),
    ("backbone/north_america_nosc", "two-per-site"),
    ("backbone/europe_nosc", "edge-to-core"),
    ("backbone/europe", "edge-to-core"),
)
"""(topohub network, demand model), smallest first: 28, 50, 76, 143, 225, 554 and 852 sites."""

LINK_GBPS = 400.0
"""Per link (topohub has none): 4 x 100G. With 100 Gbps, backbone/europe's edge-to-core scenario
has three demands into Whitesands-Bay whose only CGNAT within budget is behind one link they
all cross twice (2 x 59 Gbps): no plan exists there, whatever the planner."""
INSTANCES_PER_SITE = 3
"""Fixed-replica instances of the generated VNF mix per site (the traffic-sized UPF and CGNAT
come on top): the network, not the packing, is what this ladder stresses."""


@dataclass
class Rung:
    """One rung's figures (None where a phase did not run or found nothing)."""

    network: str
    model: str
    sites: int = 0
    links: int = 0
    demands: int = 0
    build_s: float | None = None
    chain_paths: int | None = None
    first_plan_s: float | None = None
    greedy_cost: float | None = None
    greedy_check: str = ""
    status: str = ""
    final_cost: float | None = None
    bound: float | None = None
    gap: float | None = None
    wall_s: float | None = None
    limit_s: float = 0.0
    peak_rss_mib: float | None = None
    check: str = ""
    error: str = ""


CORES = 3
EDGE_SERVERS = 2
"""The issue's shape (examples/5g-abilene.yaml): 3 core sites (the best connected) with
`nfvi-2s` hosts, every other site 2 installed `edge-1u` hosts and 2 more purchasable."""


def abilene_shape(doc: dict, model: str, time_limit_s: float, seed: int = 5) -> str:
    """The scenario text of the issue's shape on a topology document: broadband through
    [upf, firewall] (UPF anywhere, firewall at the cores) to the nearest core (edge-to-core),
    to the two nearest (two-per-site), or between every pair of sites (gravity, the model of
    `nfvplan.generate.demands.gravity_matrix`); budgets 1.25 x the fastest path through a core
    (where the firewall runs) + 0.5 ms."""
    import math
    import random

    import networkx as nx
    from network import COMMON, internet_budget

    from nfvplan.generate.demands import GRAVITY_GBPS_PER_SITE, gravity_matrix
    from nfvplan.io.topology import FIBRE_MS_PER_KM

    graph = nx.Graph()
    graph.add_nodes_from(doc["sites"])
    for link in doc["links"]:
        a, b = link["between"]
        graph.add_edge(a, b, latency_ms=link["length_km"] * FIBRE_MS_PER_KM)
    latency = {s: dict(d) for s, d in nx.all_pairs_dijkstra_path_length(graph, weight="latency_ms")}
    degree = dict(graph.degree())
    ranked = sorted(doc["sites"], key=lambda n: (-degree[n], n))
    cores, edges = ranked[:CORES], ranked[CORES:]
    rng = random.Random(seed)
    demands: list[tuple[str, str, float]] = []
    if model == "gravity":
        matrix = gravity_matrix(ranked, degree, latency, GRAVITY_GBPS_PER_SITE * len(ranked))
        demands = [(s, t, gbps) for (s, t), gbps in matrix.items()]
    else:
        for edge in edges:
            near = sorted((c for c in cores if c in latency[edge]), key=lambda c: latency[edge][c])
            for target in near[: 2 if model == "two-per-site" else 1]:
                demands.append((edge, target, float(rng.randint(1, 5))))

    def via(source: str, target: str) -> str:
        """The core whose firewall is on the fastest chain path."""
        return min(cores, key=lambda c: (latency[source].get(c, math.inf) + latency[c][target], c))

    # Core hosts from the traffic through each core: every Gbps loads a NIC (100 Gbps) once for
    # the firewall and maybe once more for a UPF there; installed as many again purchasable.
    into = dict.fromkeys(cores, 0.0)
    for source, target, gbps in demands:
        into[via(source, target)] += gbps
    lines = [f"name: ladder-{model}", "topology: topology.yaml", "sites:"]
    for site in cores:
        hosts = math.ceil(2 * into[site] / 100) + 2
        lines.append(
            f"  {site}: {{kind: core, racks: 2, servers: {{nfvi-2s: {hosts}}}, "
            f"expand: {{nfvi-2s: {hosts}}}}}"
        )
    for site in edges:
        lines.append(
            f"  {site}: {{kind: edge, servers: {{edge-1u: {EDGE_SERVERS}}}, "
            f"expand: {{edge-1u: {EDGE_SERVERS}}}}}"
        )
    lines += ["services:", "  internet:", "    chain: [upf, firewall]", "    demands:"]
    for source, target, gbps in demands:
        core = via(source, target)
        fastest = latency[source][core] + latency[core][target]
        lines.append(
            f"      - {{from: {source}, to: {target}, gbps: {gbps:g}, "
            f"max_latency_ms: {internet_budget(fastest)}}}"
        )
    lines.append(f"solver: {{time_limit_s: {time_limit_s}, workers: 2, seed: 1}}")
    return COMMON + "\n".join(lines) + "\n"


def run_rung(
    network: str, model: str, time_limit_s: float, build: bool, shape: str = "abilene"
) -> Rung:
    """Build, plan and solve one rung (in the calling process)."""
    from nfvplan.check import check_plan
    from nfvplan.generate import GenerateOptions, generate_scenario
    from nfvplan.io import parse_scenario
    from nfvplan.solver import SolveOptions, solve
    from nfvplan.solver.chain_greedy import chain_greedy_plan
    from nfvplan.solver.problem import build_problem
    from nfvplan.solver.result import build_plan
    from nfvplan.solver.status import decided
    from nfvplan.topohub_import import import_topohub, render_topology

    rung = Rung(network, model, limit_s=time_limit_s)
    try:
        with tempfile.TemporaryDirectory(prefix="nfvplan-ladder-") as scratch:
            folder = Path(scratch)
            doc = import_topohub(network, gbps=LINK_GBPS)
            topology = folder / "topology.yaml"
            topology.write_text(render_topology(doc), encoding="utf-8")
            sites = len(doc["sites"])
            target = folder / "scenario.yaml"
            if shape == "abilene":
                text = abilene_shape(doc, model, time_limit_s)
            else:
                options = GenerateOptions(
                    instances=max(100, INSTANCES_PER_SITE * sites),
                    topology=topology,
                    output=target,
                    time_limit_s=time_limit_s,
                    demand_model=model,
                )
                text = generate_scenario(options)
            target.write_text(text, encoding="utf-8")
            scenario = parse_scenario(text, filename=str(target), base_dir=folder)
        rung.sites = len(scenario.sites)
        rung.links = len(scenario.links)
        rung.demands = sum(len(s.demands) for s in scenario.services.values())
        if build:
            started = time.perf_counter()
            problem = build_problem(scenario, scenario.objective)
            rung.build_s = time.perf_counter() - started
            assert problem.routing is not None
            rung.chain_paths = sum(len(d.paths) for d in problem.routing.demands)
            del problem
        started = time.perf_counter()
        light = build_problem(scenario, scenario.objective, routing=False)
        first = chain_greedy_plan(light, started + time_limit_s)
        rung.first_plan_s = time.perf_counter() - started
        if first is not None:
            plan = build_plan(light, decided(light, first), "chain-greedy", 1, 1)
            rung.greedy_cost = plan.objective.value
            rung.greedy_check = "ok" if not check_plan(scenario, plan) else "VIOLATIONS"
        started = time.perf_counter()
        plan = solve(scenario, SolveOptions(time_limit_s=time_limit_s, explain=False))
        rung.wall_s = time.perf_counter() - started
        rung.status = plan.status.value
        rung.final_cost = plan.objective.value
        rung.bound = plan.objective.bound
        rung.gap = plan.objective.gap
        if plan.status.has_plan:
            violations = check_plan(scenario, plan)
            rung.check = "ok" if not violations else f"{len(violations)} violations"
    except Exception as error:  # a benchmark reports a crash as a row, then goes on
        rung.error = f"{type(error).__name__}: {error}"[:200]
        traceback.print_exc()
    rung.peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return rung


HEADERS = (
    "network",
    "model",
    "sites",
    "links",
    "demands",
    "build s",
    "paths",
    "1st plan s",
    "greedy",
    "g-check",
    "status",
    "final",
    "bound",
    "gap",
    "wall s",
    "limit",
    "RSS MiB",
    "check",
)


def cells(rung: Rung) -> list:
    """One table row."""
    from _common import pct

    return [
        rung.network,
        rung.model,
        rung.sites,
        rung.links,
        rung.demands,
        rung.build_s,
        rung.chain_paths,
        rung.first_plan_s,
        rung.greedy_cost,
        rung.greedy_check or "-",
        rung.status or rung.error[:20] or "-",
        rung.final_cost,
        rung.bound,
        pct(rung.gap),
        rung.wall_s,
        rung.limit_s,
        rung.peak_rss_mib,
        rung.check or "-",
    ]


def ladder(time_limit_s: float, only: str | None, build: bool, shape: str = "abilene") -> int:
    """Run the chosen rungs, one child process each; print a table, write a CSV."""
    from _common import machine, revision, table

    picked = [
        (network, model)
        for network, model in RUNGS
        if not only or any(part in f"{network}:{model}" for part in only.split(","))
    ]
    print(f"network ladder: {machine()}; revision {revision()}")
    print(
        f"time limit {time_limit_s:g} s per solve, 2 workers, seed 1; {len(picked)} rungs; "
        f"shape {shape}\n"
    )
    rows: list[Rung] = []
    out = HERE / "results" / f"network-ladder-{shape}-{time.strftime('%Y%m%d-%H%M%S')}.csv"
    out.parent.mkdir(exist_ok=True)
    for network, model in picked:
        with ProcessPoolExecutor(max_workers=1, max_tasks_per_child=1) as pool:
            rung = pool.submit(run_rung, network, model, time_limit_s, build, shape).result()
        rows.append(rung)
        print(table(HEADERS, [cells(r) for r in rows[-1:]]), flush=True)
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(asdict(rows[0])))
            writer.writeheader()
            for row in rows:
                writer.writerow(asdict(row))
    print()
    print(table(HEADERS, [cells(r) for r in rows]))
    print(f"\nCSV: {out.relative_to(HERE.parent)}")
    bad = [r for r in rows if "VIOLATIONS" in r.greedy_check or "violations" in r.check]
    return 1 if bad else 0
