"""A generated, realistic large scenario: nfvplan's default formulation against first fit.

Why this benchmark: the VBP benchmark (vbp.py) measures the packing core on small instances; an
operator's real question is whether a plan for a national footprint (hundreds of servers, about a
thousand instances, every NFV rule in play) comes back within a coffee break, how good it is, and
whether it is valid. The generator is deterministic (a seeded `random.Random`), so every run and
every machine sees the same scenario.

Defaults: 1,000 instances of 40 VNFs on 400 candidate servers (4 core sites x 60 two-socket
servers and 8 edge sites x 20 one-socket servers), VM and container forms, pinned and
NUMA-aligned data-plane VNFs, host/rack/site anti-affinity, five trust domains, one
`isolation: host` VNF, site restrictions by kind, objective `cost`. Services and routing are left
out on purpose: this benchmark isolates placement at scale, and routing over real backbones is
measured by network.py. Licences are left out too: with fixed instance counts they are a
constant that only dilutes the relative gap.

The same-process baseline is first fit decreasing (FFD), implemented here with its own
arithmetic from FORMAT.md; its plan goes through `nfvplan.check.check_plan` like CP-SAT's, which
is also what certifies that the generated scenario is feasible.

Run from the repository root:

    python benchmarks/generated.py                          # 1,000 instances, 400 servers, 60 s
    python benchmarks/generated.py --instances 2000 --servers 800 --time-limit 120
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from _common import Cell, fmt, machine, pct, ratio, revision, stopwatch, table

from nfvplan.check import check_plan
from nfvplan.model import (
    Flavor,
    Form,
    FormSpec,
    HostReserve,
    Link,
    Objective,
    Overhead,
    Platform,
    Scenario,
    Scope,
    ServerType,
    Site,
    SiteFilter,
    SolverSettings,
    Vnf,
)
from nfvplan.plan import Plan, Status
from nfvplan.solver import Progress, SolveOptions, solve
from nfvplan.solver.incumbent import Incumbent
from nfvplan.solver.problem import build_problem
from nfvplan.solver.result import build_plan

CORE_SITES = 4
EDGE_SITES = 8
CORE_SHARE = 0.6
"""Share of the candidate servers at core sites (240 of 400 by default)."""

VNF_NAMES: dict[str, tuple[str, ...]] = {
    # role -> VNF names; 40 in all, the functions of a converged 4G/5G + IMS operator.
    "signalling": (
        "amf", "smf", "nrf", "ausf", "udm", "udr", "pcf", "nssf", "nef", "chf", "scp", "sepp",
        "mme", "sgw-c", "pgw-c", "hss", "pcrf",
    ),
    "ims": ("p-cscf", "s-cscf", "i-cscf", "tas", "mrf"),
    "user-plane": ("upf", "upf-edge", "sgw-u", "sbc-media", "ran-cu"),
    "security": ("firewall", "nat", "dpi", "ids", "vpn-gw", "lawful-intercept"),
    "oam": ("dns", "ntp", "syslog", "monitoring"),
    "edge-apps": ("cdn-cache", "mec-app", "video-opt"),
}  # fmt: skip


# -- the generator -------------------------------------------------------------------------------


def server_types() -> dict[str, ServerType]:
    """Two current x86 profiles: a two-socket core server and a one-socket edge server."""
    return {
        "core-2s": ServerType(
            name="core-2s",
            cores=32,
            threads_per_core=2,
            memory_gib=384,
            disk_gib=3840,
            nic_gbps=100,
            sriov_vfs=64,
            numa_nodes=2,
            monthly_cost=600,
        ),
        "edge-1s": ServerType(
            name="edge-1s",
            cores=16,
            threads_per_core=2,
            memory_gib=128,
            disk_gib=960,
            nic_gbps=50,
            sriov_vfs=32,
            numa_nodes=1,
            monthly_cost=300,
        ),
    }


def sites(servers: int) -> dict[str, Site]:
    """4 core sites (4 racks) and 8 edge sites (2 racks) sharing `servers` 60/40."""
    per_core = max(1, round(servers * CORE_SHARE / CORE_SITES))
    per_edge = max(1, round(servers * (1 - CORE_SHARE) / EDGE_SITES))
    out = {}
    for i in range(1, CORE_SITES + 1):
        out[f"core-{i}"] = Site(f"core-{i}", "core", 4, {"core-2s": per_core}, {})
    for i in range(1, EDGE_SITES + 1):
        out[f"edge-{i}"] = Site(f"edge-{i}", "edge", 2, {"edge-1s": per_edge}, {})
    return out


def links(site_names: Sequence[str]) -> tuple[Link, ...]:
    """A core ring, each edge dual-homed to two neighbouring cores (realistic; unused here)."""
    cores = [s for s in site_names if s.startswith("core")]
    edges = [s for s in site_names if s.startswith("edge")]
    out = [Link(a, b, 400.0, 2.0) for a, b in zip(cores, cores[1:] + cores[:1], strict=True)]
    for i, edge in enumerate(edges):
        out.append(Link(edge, cores[i % len(cores)], 100.0, 1.5))
        out.append(Link(edge, cores[(i + 1) % len(cores)], 100.0, 2.5))
    return tuple(out)


def _vnf(rng: random.Random, role: str, name: str) -> Vnf:
    """One VNF with the flavor and rules typical of its role (replicas set later).

    Sizes follow common vendor flavors (4-16 vCPU, 4-8 GiB per vCPU for control plane, pinned
    8-16 vCPU with hugepages and VFs for the data plane), picked so that the default scenario
    fills roughly half of the edge and a third of the core: room to choose, not a trivial fit.
    """
    pick = rng.choice
    core, edge = SiteFilter(kind="core"), SiteFilter(kind="edge")
    if role in ("signalling", "ims"):
        vcpu = pick((4, 8, 8, 16))
        return Vnf(
            name,
            Flavor(vcpu=vcpu, memory_gib=vcpu * pick((4, 8)), disk_gib=pick((40, 80, 160))),
            forms=pick(((Form.CONTAINER,), (Form.VM, Form.CONTAINER), (Form.VM,))),
            anti_affinity=pick((Scope.HOST, Scope.HOST, Scope.RACK, None)),
            trust=role,
            sites=core if rng.random() < 0.8 else None,
        )
    if role == "user-plane":
        vcpu = pick((8, 8, 16))
        return Vnf(
            name,
            Flavor(
                vcpu=vcpu,
                memory_gib=vcpu * 2,
                hugepages_gib=pick((4, 8)),
                disk_gib=20,
                sriov_vfs=pick((2, 4)),
                gbps=pick((5, 10)),
            ),
            forms=pick(((Form.VM,), (Form.VM, Form.CONTAINER))),
            anti_affinity=pick((Scope.HOST, None)),
            trust=role,
            sites=edge if rng.random() < 0.6 else None,
            dedicated_cpu=True,
            numa_aligned=rng.random() < 0.7,
        )
    if role == "security":
        vcpu = pick((8, 16))
        isolated = name == "lawful-intercept"
        return Vnf(
            name,
            Flavor(
                vcpu=vcpu, memory_gib=vcpu * 4, disk_gib=pick((40, 200)), sriov_vfs=pick((0, 2))
            ),
            forms=(Form.VM,) if isolated else pick(((Form.VM, Form.CONTAINER), (Form.CONTAINER,))),
            anti_affinity=Scope.SITE if isolated else pick((Scope.HOST, None)),
            trust=role,
            sites=core if isolated else None,
            dedicated_cpu=rng.random() < 0.5,
            isolated=isolated,
        )
    if role == "oam":
        site_wide = name in ("dns", "ntp")
        return Vnf(
            name,
            Flavor(vcpu=pick((2, 4)), memory_gib=pick((4, 8)), disk_gib=pick((20, 100))),
            forms=(Form.CONTAINER,),
            anti_affinity=Scope.SITE if site_wide else None,
            trust=role,
        )
    vcpu = pick((8, 16))
    return Vnf(
        name,
        Flavor(vcpu=vcpu, memory_gib=vcpu * 4, disk_gib=pick((200, 400)), gbps=pick((2, 5))),
        forms=(Form.CONTAINER,),
        anti_affinity=pick((Scope.HOST, None)),
        trust=role,
        sites=edge,
    )


def _units(vnf: Vnf, site_map: dict[str, Site]) -> int:
    """How many replicas anti-affinity admits: allowed hosts, racks or sites."""
    allowed = [s for s in site_map.values() if vnf.sites is None or vnf.sites.allows(s)]
    if vnf.anti_affinity is Scope.SITE:
        return len(allowed)
    if vnf.anti_affinity is Scope.RACK:
        return sum(s.racks for s in allowed)
    return sum(sum(s.servers.values()) for s in allowed)


def generate(instances: int = 1000, servers: int = 400, seed: int = 2024) -> Scenario:
    """The scenario: same arguments, same scenario, on any machine.

    Replicas are drawn in 10-40 and then nudged one at a time until they add up to `instances`
    exactly (site-wide and dedicated-host VNFs keep the count their rule admits).
    """
    rng = random.Random(seed)
    site_map = sites(servers)
    vnfs = [_vnf(rng, role, name) for role, names in VNF_NAMES.items() for name in names]
    caps = [_units(v, site_map) for v in vnfs]
    scale = instances / 1000
    low, high = max(1, round(10 * scale)), max(1, round(40 * scale))
    replicas = [min(cap, max(1, round(rng.randint(10, 40) * scale))) for cap in caps]
    fixed = {i for i, v in enumerate(vnfs) if v.anti_affinity is Scope.SITE}
    free = [i for i in range(len(vnfs)) if i not in fixed]
    guard = 0
    while sum(replicas) != instances and guard < 100 * instances:
        guard += 1
        i = rng.choice(free)
        step = 1 if sum(replicas) < instances else -1
        if low <= replicas[i] + step <= min(high, caps[i]):
            replicas[i] += step
    vnfs = [_with_replicas(v, r) for v, r in zip(vnfs, replicas, strict=True)]
    platform = Platform(
        vm=FormSpec(Overhead(1, 2, 20), HostReserve(2, 8, 0), 45),
        container=FormSpec(Overhead(0.1, 0.25, 1), HostReserve(1, 4, 0), 3),
        cpu_overcommit=2.0,
    )
    return Scenario(
        name=f"generated-{instances}x{servers}",
        description=f"generated by benchmarks/generated.py, seed {seed}",
        platform=platform,
        server_types=server_types(),
        sites=site_map,
        links=links(list(site_map)),
        vnfs={v.name: v for v in vnfs},
        services={},
        objective=Objective.COST,
        solver=SolverSettings(time_limit_s=60, workers=2, seed=1),
    )


def _with_replicas(vnf: Vnf, replicas: int) -> Vnf:
    return replace(vnf, replicas=replicas)


# -- exact usage, from FORMAT.md (shared with neither the solver nor the checker) -----------------

RESOURCES = ("threads", "memory", "disk", "nic", "vfs")
NUMA = (0, 1, 4)
"""Indices of threads, memory and VFs: what a NUMA node splits."""
EPS = 1e-9


def usage(scenario: Scenario, vnf: Vnf, form: Form) -> tuple[float, ...]:
    """One instance's threads, memory, disk, NIC, VFs in format units (FORMAT.md: Capacity)."""
    overhead = scenario.platform.form(form).overhead
    oc = scenario.platform.cpu_overcommit
    f = vnf.flavor
    threads = f.vcpu + overhead.vcpu / oc if vnf.dedicated_cpu else (f.vcpu + overhead.vcpu) / oc
    return (
        threads,
        f.memory_gib + f.hugepages_gib + overhead.memory_gib,
        f.disk_gib + overhead.disk_gib,
        f.gbps,
        float(f.sriov_vfs),
    )


def reserve(scenario: Scenario, form: Form, server_type: ServerType) -> tuple[float, ...]:
    """What a host gives up once for running any instance of `form`."""
    r = scenario.platform.form(form).host_reserve
    return (r.cores * server_type.threads_per_core, r.memory_gib, r.disk_gib, 0.0, 0.0)


def capacity(server_type: ServerType) -> tuple[float, ...]:
    """A server type's five capacities."""
    t = server_type
    return (t.threads, t.memory_gib, t.disk_gib, t.nic_gbps, float(t.sriov_vfs))


# -- first fit decreasing ----------------------------------------------------------------------


@dataclass
class Host:
    """A server as FFD fills it."""

    slot: int
    site: Site
    type: ServerType
    rack: int
    used: list[float]
    forms: set[Form] = field(default_factory=set)
    nodes: list[list[float]] = field(default_factory=list)
    trust: str | None = None
    isolated: bool = False
    count: int = 0
    vnfs: set[str] = field(default_factory=set)


def first_fit_decreasing(scenario: Scenario) -> tuple[Plan, list[str]]:
    """Place every instance, largest first, on the first server (in id order) it fits.

    Returns the plan (built by nfvplan's result builder from the counts, so it is a plan like any
    other) and the VNFs of the instances that found no server. Most constrained first: isolated
    VNFs (they need empty hosts), then site-, rack-, host-anti-affine ones (plain decreasing size
    leaves a site-wide VNF such as DNS no host of its trust domain at some sites), each by
    decreasing threads + memory relative to the first server type. Forms are tried in the VNF's
    order. Cost-blind on purpose: it is the obvious baseline an operator would script.
    """
    problem = build_problem(scenario, scenario.objective)
    hosts = [
        Host(
            s.index,
            s.site,
            s.type,
            s.rack,
            [0.0] * 5,
            nodes=[[0.0] * 5 for _ in range(s.type.numa_nodes)],
        )
        for s in problem.slots
    ]
    ref = capacity(next(iter(scenario.server_types.values())))
    todo = [v for v in scenario.vnfs.values() for _ in range(v.replicas or 0)]

    rank = {Scope.SITE: 1, Scope.RACK: 2, Scope.HOST: 3, None: 4}

    def key(v: Vnf) -> tuple[int, float]:
        u = usage(scenario, v, v.forms[0])
        return (0 if v.isolated else rank[v.anti_affinity], -(u[0] / ref[0] + u[1] / ref[1]))

    todo.sort(key=key)
    taken: dict[str, set[object]] = defaultdict(set)
    kind_of = {(k.vnf.name, k.form): i for i, k in enumerate(problem.kinds)}
    counts: dict[tuple[int, int, int | None], int] = defaultdict(int)
    missing: list[str] = []
    for vnf in todo:
        placed = _place(scenario, vnf, hosts, taken)
        if placed is None:
            missing.append(vnf.name)
            continue
        host, form, node = placed
        counts[(kind_of[(vnf.name, form)], host.slot, node)] += 1
    # A partial plan is still built as "feasible" so that it can be printed and checked: the
    # checker then names what is missing (rule "count").
    solution = Incumbent(Status.FEASIBLE, counts=dict(counts))
    return build_plan(problem, solution, "first-fit-decreasing", 1, 0), missing


def _place(
    scenario: Scenario, vnf: Vnf, hosts: list[Host], taken: dict[str, set[object]]
) -> tuple[Host, Form, int | None] | None:
    """The first (host, form, NUMA node) where one instance of `vnf` may go, committed."""
    for host in hosts:
        if vnf.sites is not None and not vnf.sites.allows(host.site):
            continue
        if host.isolated or (vnf.isolated and host.count):
            continue
        unit = _unit(vnf.anti_affinity, host)
        if unit is not None and unit in taken[vnf.name]:
            continue
        for form in vnf.forms:
            if form is Form.CONTAINER and host.trust not in (None, vnf.trust):
                continue
            ok, node = _fits(scenario, vnf, form, host)
            if not ok:
                continue
            _commit(scenario, vnf, form, host, node)
            if unit is not None:
                taken[vnf.name].add(unit)
            return host, form, node
    return None


def _unit(scope: Scope | None, host: Host) -> object | None:
    """The anti-affinity unit `host` belongs to for `scope`."""
    if scope is Scope.HOST:
        return host.slot
    if scope is Scope.RACK:
        return (host.site.name, host.rack)
    if scope is Scope.SITE:
        return host.site.name
    return None


def _fits(scenario: Scenario, vnf: Vnf, form: Form, host: Host) -> tuple[bool, int | None]:
    """Whether one instance fits, and on which NUMA node (None when it is not aligned)."""
    need = usage(scenario, vnf, form)
    cap = capacity(host.type)
    extra = reserve(scenario, form, host.type) if form not in host.forms else (0.0,) * 5
    if any(host.used[r] + need[r] + extra[r] > cap[r] + EPS for r in range(5)):
        return False, None
    k = host.type.numa_nodes
    reserves = [0.0] * 5
    for f in host.forms | {form}:
        for r, v in enumerate(reserve(scenario, f, host.type)):
            reserves[r] += v
    # A new form's reserve comes off every node: the aligned load already there must still fit.
    for node in host.nodes:
        if any(node[r] + reserves[r] / k > cap[r] / k + EPS for r in NUMA):
            return False, None
    if not vnf.numa_aligned:
        return True, None
    for n, node in enumerate(host.nodes):
        if all(node[r] + need[r] + reserves[r] / k <= cap[r] / k + EPS for r in NUMA):
            return True, n
    return False, None


def _commit(scenario: Scenario, vnf: Vnf, form: Form, host: Host, node: int | None) -> None:
    need = usage(scenario, vnf, form)
    if form not in host.forms:
        for r, v in enumerate(reserve(scenario, form, host.type)):
            host.used[r] += v
        host.forms.add(form)
    for r in range(5):
        host.used[r] += need[r]
    if node is not None:
        for r in range(5):
            host.nodes[node][r] += need[r]
    if form is Form.CONTAINER:
        host.trust = vnf.trust
    host.isolated = host.isolated or vnf.isolated
    host.count += 1
    host.vnfs.add(vnf.name)


# -- report --------------------------------------------------------------------------------------


def load_factors(scenario: Scenario) -> list[list[Cell]]:
    """Per site kind: instance threads and memory (first form) over installed capacity.

    Demand restricted to a kind counts there; unrestricted demand is not attributed (it may go
    anywhere), so the figures say how tight the restricted parts are, not the whole.
    """
    rows = []
    for kind in ("core", "edge", None):
        need = [0.0, 0.0]
        for v in scenario.vnfs.values():
            if (v.sites.kind if v.sites else None) == kind:
                u = usage(scenario, v, v.forms[-1])
                need[0] += u[0] * (v.replicas or 0)
                need[1] += u[1] * (v.replicas or 0)
        have = [0.0, 0.0]
        for site in scenario.sites.values():
            if kind is None or site.kind == kind:
                for t, n in site.servers.items():
                    cap = capacity(scenario.server_types[t])
                    have[0] += cap[0] * n
                    have[1] += cap[1] * n
        label = kind or "unrestricted (all sites)"
        rows.append(
            [
                label,
                need[0],
                have[0],
                pct(need[0] / have[0]),
                need[1],
                have[1],
                pct(need[1] / have[1]),
            ]
        )
    return rows


def describe(scenario: Scenario) -> str:
    """One paragraph on what was generated: counts per rule, so a reader sees the mix."""
    vnfs = list(scenario.vnfs.values())
    n = sum(v.replicas or 0 for v in vnfs)
    servers = sum(sum(s.servers.values()) for s in scenario.sites.values())
    by = defaultdict(int)
    for v in vnfs:
        r = v.replicas or 0
        by["vm-only"] += r * (v.forms == (Form.VM,))
        by["container-only"] += r * (v.forms == (Form.CONTAINER,))
        by["either form"] += r * (len(v.forms) == 2)
        by["dedicated cpu"] += r * v.dedicated_cpu
        by["numa aligned"] += r * v.numa_aligned
        by["isolated"] += r * v.isolated
        for scope in Scope:
            by[f"anti-affinity {scope.value}"] += r * (v.anti_affinity is scope)
        by["restricted to core"] += r * (v.sites is not None and v.sites.kind == "core")
        by["restricted to edge"] += r * (v.sites is not None and v.sites.kind == "edge")
    trust = sorted({v.trust for v in vnfs})
    parts = ", ".join(f"{k} {c}" for k, c in by.items())
    return (
        f"{scenario.name}: {n} instances of {len(vnfs)} VNFs (replicas "
        f"{min(v.replicas or 0 for v in vnfs)}-{max(v.replicas or 0 for v in vnfs)}) on {servers} "
        f"servers at {len(scenario.sites)} sites; {len(trust)} trust domains "
        f"({', '.join(trust)}); instances: {parts}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Generate, run FFD and CP-SAT, check both plans and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1000, help="total instances")
    parser.add_argument("--servers", type=int, default=400, help="candidate servers (60%% core)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="CP-SAT seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1, help="CP-SAT seed")
    parser.add_argument("--scenario-seed", type=int, default=2024, help="generator seed")
    args = parser.parse_args(argv)

    print(f"machine: {machine()}")
    print(f"nfvplan: {revision()}")
    with stopwatch() as t_gen:
        scenario = generate(args.instances, args.servers, args.scenario_seed)
    print(describe(scenario))
    print(f"generated in {t_gen[0]:.3f} s\n")
    print("load factors (demand over installed capacity, per site kind):")
    headers = ["restricted to", "threads", "of", "share", "memory GiB", "of", "share"]
    print(table(headers, load_factors(scenario), digits=1))
    print()
    sys.stdout.flush()

    with stopwatch() as t_build:
        problem = build_problem(scenario, scenario.objective)
    variables = sum(len(c) for c in problem.candidates.values())
    print(
        f"problem: {len(problem.slots)} server slots, {len(problem.kinds)} (VNF, form) kinds, "
        f"{variables} (kind, server) count variables; built in {t_build[0]:.3f} s"
    )

    with stopwatch() as t_ffd:
        ffd_plan, missing = first_fit_decreasing(scenario)
    ffd_violations = check_plan(scenario, ffd_plan)
    print(
        f"FFD: {len(missing)} instances unplaced, {ffd_plan.summary.servers_used} servers, "
        f"cost {fmt(ffd_plan.summary.monthly_cost, 0)}, {t_ffd[0]:.3f} s, "
        f"{len(ffd_violations)} checker violations"
    )
    if missing:
        lost = ", ".join(f"{n} x{missing.count(n)}" for n in dict.fromkeys(missing))
        print(f"  unplaced: {lost}")
    for v in ffd_violations[:10]:
        print(f"  {v}")
    sys.stdout.flush()

    trace: list[Progress] = []
    options = SolveOptions(
        time_limit_s=args.time_limit, workers=args.workers, seed=args.seed, progress=trace.append
    )
    with stopwatch() as t_solve:
        plan = solve(scenario, options)
    violations = check_plan(scenario, plan)
    first = f"{trace[0].elapsed_s:.1f} s (cost {trace[0].value:g})" if trace else "-"
    last = f"{trace[-1].elapsed_s:.1f} s" if trace else "-"
    print(
        f"CP-SAT ({plan.stats.formulation}): solve() {t_solve[0]:.1f} s wall "
        f"(formulation {plan.stats.wall_time_s:.1f} s), {args.workers} workers, "
        f"seed {args.seed}; first plan at {first}, {len(trace)} improving plans, "
        f"last at {last}"
    )
    if plan.explanation:
        for reason in plan.explanation:
            print(f"  explanation: {reason}")
    print()

    rows = [
        [
            "FFD",
            f"{len(missing)} unplaced" if missing else "feasible",
            ffd_plan.summary.monthly_cost,
            None,
            None,
            ffd_plan.summary.servers_used,
            ffd_plan.summary.instances,
            ffd_plan.summary.vms,
            ffd_plan.summary.containers,
            t_ffd[0],
            len(ffd_violations),
        ],
        [
            "CP-SAT",
            plan.status.value,
            plan.objective.value,
            plan.objective.bound,
            pct(plan.objective.gap),
            plan.summary.servers_used,
            plan.summary.instances,
            plan.summary.vms,
            plan.summary.containers,
            t_solve[0],
            len(violations),
        ],
    ]
    headers = [
        "plan",
        "status",
        "cost",
        "bound",
        "gap",
        "servers",
        "instances",
        "vms",
        "containers",
        "time s",
        "violations",
    ]
    print(table(headers, rows, digits=1))
    print()
    if plan.status.has_plan and plan.objective.value is not None:
        saved = ffd_plan.summary.monthly_cost - plan.objective.value
        print(
            f"CP-SAT / FFD: cost {ratio(plan.objective.value, ffd_plan.summary.monthly_cost)} "
            f"({fmt(saved, 0)} less per month), servers "
            f"{ratio(plan.summary.servers_used, ffd_plan.summary.servers_used)}, "
            f"time {ratio(t_solve[0], t_ffd[0])}"
        )
        by_site = plan.servers_by_site()
        print("CP-SAT servers by site: " + ", ".join(f"{s} {n}" for s, n in by_site.items()))
    if plan.objective.bound is not None and ffd_plan.summary.monthly_cost:
        print(
            f"FFD gap to the CP-SAT bound: "
            f"{pct(1 - plan.objective.bound / ffd_plan.summary.monthly_cost)}"
        )
    for v in violations[:10]:
        print(f"  CP-SAT violation: {v}")
    return 1 if violations or ffd_violations else 0


if __name__ == "__main__":
    sys.exit(main())
