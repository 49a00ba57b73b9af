"""Network-aware planning at backbone scale: chains routed over real and generated topologies.

Why this benchmark: the packing benchmarks (vbp.py, generated.py) leave services out, yet the
network is what makes NFV placement more than bin packing: latency budgets pull user planes to
the edge, link capacities split demands over several paths, and every routed Gbps loads a NIC.
This script measures how the solver copes when all of that is in play on networks of the size an
operator plans on, and whether its plans survive the independent checker.

Two scenarios, both deterministic (a seeded `random.Random`, no wall-clock input):

(a) `bics`: the committed 33-site BICS European backbone (topologies/bics.yaml, 48 links of
    100 Gbps), servers at 6 core and 10 edge sites, the other 17 PoPs transit. 20 demands through
    a 5G user-plane chain [upf, firewall]: 14 internet flows (10 edge sites and 4 transit PoPs to
    their nearest core DC) and 6 URLLC local-breakout flows (edge site to itself, chain [upf],
    0.5 ms, so those sites need a UPF of their own).
(b) `ring100`: a generated 100-site ring of rings (a 10-hub core ring of 400 Gbps with two
    chords, and around each hub an access ring of 10 sites at 100 Gbps; positions in km with
    seeded jitter, latency 0.005 ms/km), servers at 4 core DCs and the 6 other hubs, 30 demands.

Internet budgets are the fastest source-to-target latency times 1.25 plus 0.5 ms: a UPF may sit at
the source edge, on the way, or at the core, but not on a detour. `upf` carries 10 Gbps per
instance (redundancy 1) and may run anywhere with servers; `firewall` 40 Gbps (redundancy 1) at
core DCs only.

Baseline (same process, same solver, same limits): the scenario with every `max_latency_ms`
removed. It is a relaxation, so its optimum is a lower bound on the real one, and the ratio
objective / baseline is the price of the latency budgets (1.00x: they cost nothing).

(c) the generated ladder (`--generated-ladder`): a generated operator scenario (`nfvplan generate
    --topology`, one broadband demand per edge site) on each committed topology, smallest first,
    and on any topology file given with `--topology` (e.g. a topohub network imported with
    `nfvplan topology import topozoo/TataNld -o tata.yaml`: 143 sites; `backbone/emea_nosc`:
    778). It prints, per run, the overrun past the time limit and the seconds each stage of
    solve() took (`SolveOptions.phases`): the time limit is a promise at every size.

Run from the repository root:

    python benchmarks/network.py                    # both scenarios, 60 s each
    python benchmarks/network.py --time-limit 20 --only bics
    python benchmarks/network.py --generated-ladder --time-limit 30 --topology tata.yaml
    python benchmarks/network.py --ladder --only nobel,germany50   # the topohub ladder
    python benchmarks/network.py --ladder --only nobel-eu:edge --limit 20
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import networkx as nx
import yaml
from _common import Cell, machine, pct, ratio, revision, stopwatch, table

from nfvplan.check import check_plan
from nfvplan.io import load_topology, parse_scenario
from nfvplan.io.topology import FIBRE_MS_PER_KM
from nfvplan.model import Scenario
from nfvplan.plan import Plan
from nfvplan.solver import SolveOptions, solve

REPO = Path(__file__).resolve().parent.parent

COMMON = """\
nfvplan: 1
platform:
  vm:
    overhead: {vcpu: 1, memory_gib: 2, disk_gib: 20}
    host_reserve: {cores: 2, memory_gib: 16, disk_gib: 100}
  container:
    overhead: {vcpu: 0.1, memory_gib: 0.25, disk_gib: 1}
    host_reserve: {cores: 1, memory_gib: 8, disk_gib: 50}
  cpu_overcommit: 2.0
server_types:
  nfvi-2s: {cores: 48, threads_per_core: 2, memory_gib: 512, disk_gib: 3840, nic_gbps: 100,
            sriov_vfs: 64, numa_nodes: 2, monthly_cost: 780}
  edge-1u: {cores: 24, threads_per_core: 2, memory_gib: 256, disk_gib: 960, nic_gbps: 50,
            sriov_vfs: 32, numa_nodes: 1, monthly_cost: 420}
vnfs:
  upf:
    flavor: {vcpu: 8, memory_gib: 8, hugepages_gib: 8, sriov_vfs: 2, disk_gib: 20}
    cpu: dedicated
    numa: aligned
    forms: [container, vm]
    throughput_gbps: 10
    redundancy: 1
    trust: user-plane
    license_monthly: 250
  firewall:
    flavor: {vcpu: 8, memory_gib: 16, disk_gib: 20}
    forms: [container]
    throughput_gbps: 40
    redundancy: 1
    trust: security
    sites: {kind: core}
    license_monthly: 200
objective: cost
"""
"""Platform, hardware and VNFs shared by both scenarios (the examples' NFVI profiles)."""

URLLC_BUDGET_MS = 0.5
"""Local breakout: well under any round trip to a neighbouring PoP on these networks."""


@dataclass(frozen=True)
class Demand:
    """One demand of a generated scenario."""

    service: str
    source: str
    target: str | None
    gbps: int
    budget_ms: float


def internet_budget(fastest_ms: float) -> float:
    """Fastest path x 1.25 + 0.5 ms, rounded up to 0.01 ms: room for a UPF on the way only."""
    return math.ceil((fastest_ms * 1.25 + 0.5) * 100) / 100


def scenario_text(
    name: str,
    topology: str,
    sites: dict[str, tuple[str, dict[str, int]]],
    demands: Sequence[Demand],
    time_limit_s: float,
) -> str:
    """A scenario file: COMMON plus sites, the topology reference and the services."""
    lines = [f"name: {name}", f"topology: {topology}", "sites:"]
    for site, (kind, servers) in sites.items():
        inventory = ", ".join(f"{t}: {n}" for t, n in servers.items())
        lines.append(f"  {site}: {{kind: {kind}, racks: 2, servers: {{{inventory}}}}}")
    services: dict[str, list[Demand]] = {}
    for demand in demands:
        services.setdefault(demand.service, []).append(demand)
    lines.append("services:")
    chains = {"internet": "[upf, firewall]", "urllc": "[upf]"}
    for service, members in services.items():
        lines.append(f"  {service}:")
        lines.append(f"    chain: {chains[service]}")
        lines.append("    demands:")
        for d in members:
            to = f", to: {d.target}" if d.target else ""
            lines.append(
                f"      - {{from: {d.source}{to}, gbps: {d.gbps}, max_latency_ms: {d.budget_ms}}}"
            )
    lines.append(f"solver: {{time_limit_s: {time_limit_s}, workers: 2, seed: 1}}")
    return COMMON + "\n".join(lines) + "\n"


def fastest(graph: nx.Graph, a: str, b: str) -> float:
    """Latency of the fastest path between two sites."""
    return float(nx.dijkstra_path_length(graph, a, b, weight="latency_ms"))


def nearest(graph: nx.Graph, source: str, candidates: Sequence[str]) -> str:
    """The candidate with the fastest path from `source` (ties: the first listed)."""
    return min(candidates, key=lambda c: fastest(graph, source, c))


def latency_graph(topology_path: Path) -> nx.Graph:
    """The topology's sites and links with `latency_ms` on every edge."""
    topology = load_topology(topology_path)
    graph = nx.Graph()
    graph.add_nodes_from(topology.sites)
    for link in topology.links:
        graph.add_edge(link.a, link.b, latency_ms=link.latency_ms)
    return graph


# ---------------------------------------------------------------------------------------------
# (a) the 33-site BICS backbone

BICS_CORE = ("Frankfurt", "London", "Paris", "Milan", "Vienna", "Budapest")
BICS_EDGE = (
    "Madrid",
    "Lisbon",
    "Stockholm",
    "Warsaw",
    "Athens",
    "Istanbul",
    "Dublin",
    "Roma",
    "Bucharest",
    "Kiev",
)
BICS_TRANSIT_SOURCES = ("Barcelona", "Sofia", "Amsterdam", "Zurich")
BICS_URLLC = ("Madrid", "Stockholm", "Warsaw", "Athens", "Istanbul", "Roma")


def bics_scenario(time_limit_s: float, seed: int = 7) -> tuple[str, Path]:
    """Scenario (a): 20 demands on the committed BICS topology."""
    path = REPO / "topologies" / "bics.yaml"
    graph = latency_graph(path)
    rng = random.Random(seed)
    sites = {s: ("core", {"nfvi-2s": 4}) for s in BICS_CORE}
    sites.update({s: ("edge", {"edge-1u": 3}) for s in BICS_EDGE})
    demands = []
    for source in (*BICS_EDGE, *BICS_TRANSIT_SOURCES):
        target = nearest(graph, source, BICS_CORE)
        budget = internet_budget(fastest(graph, source, target))
        demands.append(Demand("internet", source, target, rng.randint(5, 25), budget))
    for site in BICS_URLLC:
        demands.append(Demand("urllc", site, site, rng.randint(2, 6), URLLC_BUDGET_MS))
    text = scenario_text("bics-5g", "../topologies/bics.yaml", sites, demands, time_limit_s)
    return text, REPO / "benchmarks"


# ---------------------------------------------------------------------------------------------
# (b) a generated 100-site ring of rings

RINGS = 10
RING_SITES = 10
CORE_RADIUS_KM = 300.0
ACCESS_RADIUS_KM = 40.0
CORE_DCS = (0, 3, 5, 8)
"""Hubs that are core data centres; the other hubs are aggregation sites with edge servers."""


def ring_of_rings(seed: int = 11) -> dict:
    """A topology document: 10 hubs on a 400 Gbps core ring (plus 2 chords), each the head of a
    10-site, 100 Gbps access ring. Positions are km on a plane with seeded jitter; lengths are
    Euclidean, so latency follows at 0.005 ms/km as for the real networks."""
    rng = random.Random(seed)
    position: dict[str, tuple[float, float]] = {}
    sites: dict[str, dict] = {}
    links: list[dict] = []

    def add_link(a: str, b: str, gbps: int) -> None:
        (xa, ya), (xb, yb) = position[a], position[b]
        length = max(round(math.hypot(xa - xb, ya - yb), 1), 1.0)
        links.append({"between": [a, b], "gbps": gbps, "length_km": length})

    for r in range(RINGS):
        angle = 2 * math.pi * r / RINGS
        hx = CORE_RADIUS_KM * math.cos(angle) + rng.uniform(-20, 20)
        hy = CORE_RADIUS_KM * math.sin(angle) + rng.uniform(-20, 20)
        hub = f"hub{r}"
        position[hub] = (hx, hy)
        sites[hub] = {"kind": "core" if r in CORE_DCS else "aggregation"}
        ring = [hub]
        for i in range(1, RING_SITES):
            a = angle + math.pi + 2 * math.pi * i / RING_SITES
            radius = ACCESS_RADIUS_KM * rng.uniform(0.7, 1.3)
            name = f"r{r}s{i}"
            position[name] = (hx + radius * math.cos(a), hy + radius * math.sin(a))
            sites[name] = {"kind": "access"}
            ring.append(name)
        for a, b in zip(ring, [*ring[1:], ring[0]], strict=True):
            add_link(a, b, 100)
    for r in range(RINGS):
        add_link(f"hub{r}", f"hub{(r + 1) % RINGS}", 400)
    for a, b in rng.sample([(r, (r + RINGS // 2) % RINGS) for r in range(RINGS // 2)], 2):
        add_link(f"hub{a}", f"hub{b}", 400)
    return {
        "nfvplan-topology": 1,
        "name": "ring100",
        "description": f"generated ring of rings, seed {seed}: {len(sites)} sites",
        "sites": sites,
        "links": links,
    }


def ring_scenario(time_limit_s: float, folder: Path, seed: int = 13) -> tuple[str, Path]:
    """Scenario (b): the ring of rings with 30 demands, topology written into `folder`."""
    doc = ring_of_rings()
    (folder / "topologies").mkdir(exist_ok=True)
    topology_path = folder / "topologies" / "ring100.yaml"
    topology_path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    graph = nx.Graph()
    for link in doc["links"]:
        a, b = link["between"]
        graph.add_edge(a, b, latency_ms=link["length_km"] * FIBRE_MS_PER_KM)
    rng = random.Random(seed)
    cores = [f"hub{r}" for r in CORE_DCS]
    sites = {hub: ("core", {"nfvi-2s": 4}) for hub in cores}
    sites.update(
        {f"hub{r}": ("aggregation", {"edge-1u": 3}) for r in range(RINGS) if r not in CORE_DCS}
    )
    access = sorted(n for n in doc["sites"] if not n.startswith("hub"))
    demands = []
    for source in rng.sample(access, 24):
        target = nearest(graph, source, cores)
        budget = internet_budget(fastest(graph, source, target))
        demands.append(Demand("internet", source, target, rng.randint(3, 15), budget))
    aggregation = [f"hub{r}" for r in range(RINGS) if r not in CORE_DCS]
    for site in aggregation:
        demands.append(Demand("urllc", site, site, rng.randint(2, 6), URLLC_BUDGET_MS))
    text = scenario_text("ring100-5g", "topologies/ring100.yaml", sites, demands, time_limit_s)
    return text, folder


# ---------------------------------------------------------------------------------------------
# Measuring


@dataclass(frozen=True)
class Run:
    """One solve and what it produced."""

    label: str
    plan: Plan
    seconds: float
    violations: int
    max_utilisation: float | None
    time_limit_s: float = 0.0
    phases: dict[str, float] | None = None


def run(label: str, scenario: Scenario, time_limit_s: float) -> Run:
    """Solve, re-check with the independent checker, and collect the figures."""
    phases: dict[str, float] = {}
    with stopwatch() as elapsed:
        plan = solve(scenario, SolveOptions(time_limit_s=time_limit_s, phases=phases))
    violations = check_plan(scenario, plan)
    for violation in violations[:5]:
        print(f"  violation [{violation.rule}]: {violation.message}", file=sys.stderr)
    loads = [link.utilisation for link in plan.links]
    peak = max(loads) if loads else None
    return Run(label, plan, elapsed[0], len(violations), peak, time_limit_s, phases)


def without_budgets(scenario: Scenario) -> Scenario:
    """The same scenario with every `max_latency_ms` removed: the baseline relaxation."""
    services = {
        name: replace(
            service,
            demands=tuple(replace(d, max_latency_ms=None) for d in service.demands),
        )
        for name, service in scenario.services.items()
    }
    return replace(scenario, services=services)


def describe(scenario: Scenario) -> str:
    """Sizes of a scenario: sites (with servers), links, demands, server slots."""
    equipped = [s for s in scenario.sites.values() if not s.transit]
    servers = sum(sum(s.servers.values()) + sum(s.expand.values()) for s in equipped)
    demands = sum(len(s.demands) for s in scenario.services.values())
    gbps = sum(d.gbps for s in scenario.services.values() for d in s.demands)
    return (
        f"{scenario.name}: {len(scenario.sites)} sites ({len(equipped)} with servers, "
        f"{servers} servers), {len(scenario.links)} links, {demands} demands, {gbps:g} Gbps"
    )


def row(result: Run) -> list[Cell]:
    """One table row."""
    objective = result.plan.objective
    return [
        result.label,
        round(result.seconds, 2),
        result.plan.status.value,
        objective.value,
        objective.bound,
        pct(objective.gap),
        result.plan.summary.instances,
        result.plan.summary.servers_used,
        pct(result.max_utilisation),
        result.violations,
        round(result.seconds - result.time_limit_s, 2),
        " ".join(f"{name} {sec:.1f}" for name, sec in (result.phases or {}).items()),
    ]


HEADERS = (
    "run",
    "time s",
    "status",
    "objective",
    "bound",
    "gap",
    "instances",
    "servers",
    "max link util",
    "violations",
    "overrun s",
    "seconds per stage",
)


def ladder_scenarios(extra: Sequence[Path], instances: int) -> list[tuple[str, str, Path]]:
    """(label, scenario text, base dir) per topology: the committed ones and `extra`, by size."""
    from nfvplan.generate import GenerateOptions, generate_scenario

    paths = sorted((REPO / "topologies").glob("*.yaml")) + [p.resolve() for p in extra]
    sized = sorted(paths, key=lambda p: len(load_topology(p).sites))
    result = []
    for path in sized:
        sites = len(load_topology(path).sites)
        # The topology reference is written relative to where the scenario would live: REPO.
        options = GenerateOptions(instances=instances, topology=path, output=REPO / "x.yaml")
        result.append((f"{path.stem} ({sites} sites)", generate_scenario(options), REPO))
    return result


def run_ladder(time_limit_s: float, instances: int, extra: Sequence[Path]) -> bool:
    """The network ladder: one solve per topology, with the overrun and the stage times."""
    print(f"network ladder: {instances} generated instances per topology\n")
    rows, failed = [], False
    for label, text, base in ladder_scenarios(extra, instances):
        scenario = parse_scenario(text, filename=f"<{label}>", base_dir=base)
        print(describe(scenario), flush=True)
        result = run(label, scenario, time_limit_s)
        rows.append(row(result))
        failed = failed or result.violations > 0
    print()
    print(table(HEADERS, rows))
    return failed


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen scenarios and print one table each; exit 1 on any checker violation."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve")
    parser.add_argument(
        "--generated-ladder",
        action="store_true",
        help="one generated scenario per topology, with the overrun and the stage times",
    )
    parser.add_argument("--instances", type=int, default=1000, help="generated ladder: instances")
    parser.add_argument(
        "--topology",
        type=Path,
        action="append",
        default=[],
        help="generated ladder: one more topology",
    )
    parser.add_argument(
        "--only",
        help="bics or ring100; with --ladder, substrings of 'network:model' rungs (a whole "
        "rung name: that rung alone)",
    )
    parser.add_argument(
        "--ladder", action="store_true", help="the topohub ladder of issue 13 (ladder.py)"
    )
    parser.add_argument(
        "--limit",
        type=float,
        help="ladder: seconds per rung (default 60 up to 50 sites, 300 above)",
    )
    parser.add_argument(
        "--shape",
        choices=("abilene", "generate"),
        default="abilene",
        help="ladder scenarios: the issue's 5g-abilene shape, or `nfvplan generate`'s",
    )
    args = parser.parse_args(argv)
    if args.ladder:
        from ladder import ladder

        return ladder(args.limit, args.only, shape=args.shape)

    print(f"network benchmark: {machine()}; revision {revision()}")
    print(f"time limit {args.time_limit:g} s per solve, 2 workers, seed 1\n")
    if args.generated_ladder:
        return 1 if run_ladder(args.time_limit, args.instances, args.topology) else 0
    failed = False
    with tempfile.TemporaryDirectory(prefix="nfvplan-bench-") as scratch:
        builders = {
            "bics": lambda: bics_scenario(args.time_limit),
            "ring100": lambda: ring_scenario(args.time_limit, Path(scratch)),
        }
        for key, build in builders.items():
            if args.only and key != args.only:
                continue
            text, base = build()
            scenario = parse_scenario(text, filename=f"<{key}>", base_dir=base)
            print(describe(scenario))
            planned = run("with budgets", scenario, args.time_limit)
            relaxed = run("no budgets", without_budgets(scenario), args.time_limit)
            print(table(HEADERS, [row(planned), row(relaxed)]))
            value, base_value = planned.plan.objective.value, relaxed.plan.objective.value
            if value is not None and base_value is not None:
                print(f"price of the latency budgets: {ratio(value, base_value)} (cost ratio)")
            if planned.plan.explanation:
                print("explanation: " + "; ".join(planned.plan.explanation))
            print()
            failed = failed or planned.violations > 0 or relaxed.violations > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
