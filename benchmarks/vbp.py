"""Vector bin packing: nfvplan's formulation against a textbook CP-SAT model, same process.

Why this benchmark: a vector bin packing instance is exactly an nfvplan scenario with one site, one
server type (the bin) and one VNF per item type, and the literature gives proven optima for
thousands of them (Mommessin, Erlebach, Shakhlevich, C&OR 2025; see
../shared/benchmarks/vbp/README.md). That tells us how far from optimal nfvplan's plans are and
whether it can *prove* them, on a hard core of the problem with no NFV-specific rule to hide
behind. The baseline is the model an OR engineer writes first (a Boolean per item and bin), run in
the same process, with the same time limit, workers and seed, so that the ratios printed at the end
compare formulations and not machines.

Both contenders get the same servers: by default as many as first fit decreasing (FFD) needs, a
tight inventory that keeps the models small; `--bins items` installs one server per item
instead, the loose inventory where a heuristic start can always succeed.

Instances are read straight from the tarballs; nothing is extracted. Instances with more than five
resources (nfvplan servers have five) are skipped and counted, as are files with negative weights
(77 Caprara-class Triplet files), which are invalid input.

Run from the repository root:

    python benchmarks/vbp.py                      # the 12 default instances, 10 s each
    python benchmarks/vbp.py --limit 30           # the 12, then the next 18 eligible ones
    python benchmarks/vbp.py --bins items         # one server per item instead of the FFD count
    python benchmarks/vbp.py --instances New/class1_40_5_0 Panigrahy/class8_120_3_0
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from _common import fmt, machine, mean, pct, ratio, revision, stopwatch, table
from ortools.sat.python import cp_model

from nfvplan.check import check_plan
from nfvplan.model import (
    Flavor,
    Form,
    Objective,
    Platform,
    Scenario,
    ServerType,
    Site,
    SolverSettings,
    Vnf,
)
from nfvplan.plan import Status
from nfvplan.solver import SolveOptions, solve

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/benchmarks/vbp"

DEFAULT_INSTANCES = (
    # One replicate-0 instance per class of each family, 20-120 items, 3 or 5 resources, chosen
    # before any run. LB < OPT on 9 of the 12 (marked *), where the volume bound is not enough
    # and a solver has to prove optimality by search.
    "New/class1_40_5_0",  # * 40 items, LB 13, OPT 16
    "New/class2_60_5_0",  # 60 items, LB = OPT = 14
    "New/class3_60_3_0",  # 60 items, LB = OPT = 23
    "New/class4_120_3_0",  # * 120 items, LB 45, OPT 46
    "New/class5_20_5_0",  # * 20 items, LB 8, OPT 9
    "New/class6_60_5_0",  # * 60 items, LB 17, OPT 18
    "Panigrahy/class1_120_5_0",  # 120 items, LB = OPT = 32
    "Panigrahy/class2_60_3_0",  # * 60 items, LB 36, OPT 38
    "Panigrahy/class6_40_3_0",  # * 40 items, LB 18, OPT 19
    "Panigrahy/class7_60_5_0",  # * 60 items, LB 25, OPT 26
    "Panigrahy/class8_120_3_0",  # * 120 items, LB 51, OPT 60
    "Panigrahy/class9_40_5_0",  # * 41 items (class 9 holds n+1), LB 23, OPT 26
)

MAX_DIMS = 5
"""nfvplan servers have five resources: threads, memory, disk, NIC, SR-IOV VFs."""

RESOURCE_FIELDS = ("threads", "memory_gib", "disk_gib", "nic_gbps", "sriov_vfs")

_NAME = re.compile(r"class(?P<cls>\w+?)_(?P<n>\d+)_(?P<d>\d+)_(?P<rep>\d+)$")


# -- data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instance:
    """One valid `.vbp` file: bin capacities and item types (sizes, multiplicity)."""

    family: str
    name: str
    capacity: tuple[int, ...]
    types: tuple[tuple[tuple[int, ...], int], ...]
    lb: int | None = None
    opt: int | None = None

    @property
    def key(self) -> str:
        """`Family/name`: names repeat across families (New and Panigrahy share them)."""
        return f"{self.family}/{self.name}"

    @property
    def dims(self) -> int:
        """Number of resources."""
        return len(self.capacity)

    @property
    def items(self) -> int:
        """Number of items (multiplicities summed)."""
        return sum(m for _, m in self.types)

    def sort_key(self) -> tuple[str, int, int, int, int]:
        """Family, class, size, dims, replicate: the order `--limit` extends the default in."""
        m = _NAME.match(self.name)
        if m is None:
            return (self.family, 0, 0, 0, 0)
        cls = int(m["cls"]) if m["cls"].isdigit() else 0
        return (self.family, cls, int(m["n"]), int(m["d"]), int(m["rep"]))


@dataclass
class Catalog:
    """Every instance of the tarballs, with what was left out and why."""

    instances: dict[str, Instance] = field(default_factory=dict)
    files: int = 0
    too_many_dims: int = 0
    negative: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)


def parse_vbp(text: str) -> tuple[tuple[int, ...], list[tuple[tuple[int, ...], int]]]:
    """Parse the `.vbp` format: d, d capacities, n types, then n lines of d sizes + multiplicity.

    Raises ValueError on a truncated or non-integer file, so a broken file is reported instead of
    silently producing a smaller instance.
    """
    tokens = [int(t) for t in text.split()]
    d = tokens[0]
    capacity = tuple(tokens[1 : 1 + d])
    n = tokens[1 + d]
    body = tokens[2 + d :]
    if len(capacity) != d or len(body) != n * (d + 1):
        raise ValueError(f"expected {n} item lines of {d + 1} numbers, got {len(body)} numbers")
    types = [(tuple(body[i : i + d]), body[i + d]) for i in range(0, len(body), d + 1)]
    return capacity, types


def read_known(data: Path, family: str) -> dict[str, tuple[int, int]]:
    """name → (LB, OPT) from `<family>_summary_known.csv`; OPT is -1 when unknown."""
    path = data / f"{family}_summary_known.csv"
    if not path.exists():
        return {}
    with path.open(newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {r["instance_name"]: (int(r["LB"]), int(r["OPT"])) for r in rows}


def load_catalog(data: Path) -> Catalog:
    """Read every `.vbp` of every `*_instances.tar.gz` under `data`, in memory."""
    catalog = Catalog()
    for tarball in sorted(data.glob("*_instances.tar.gz")):
        family = tarball.name.removesuffix("_instances.tar.gz")
        known = read_known(data, family)
        with tarfile.open(tarball) as archive:
            for member in archive:
                if not member.isfile() or not member.name.endswith(".vbp"):
                    continue
                catalog.files += 1
                name = Path(member.name).stem
                handle = archive.extractfile(member)
                assert handle is not None
                text = io.TextIOWrapper(handle, encoding="ascii").read()
                try:
                    capacity, types = parse_vbp(text)
                except (ValueError, IndexError) as error:
                    catalog.malformed.append(f"{family}/{name}: {error}")
                    continue
                if any(w < 0 for sizes, m in types for w in (*sizes, m)) or min(capacity) < 0:
                    catalog.negative.append(f"{family}/{name}")
                    continue
                if len(capacity) > MAX_DIMS:
                    catalog.too_many_dims += 1
                    continue
                lb, opt = known.get(name, (None, None))
                instance = Instance(
                    family,
                    name,
                    capacity,
                    tuple(types),
                    lb,
                    opt if opt is not None and opt > 0 else None,
                )
                catalog.instances[instance.key] = instance
    return catalog


def eligible(instance: Instance) -> bool:
    """The default population: 20-120 items, 3-5 resources, a proven optimum to compare with."""
    return 20 <= instance.items <= 120 and 3 <= instance.dims <= 5 and instance.opt is not None


def select(catalog: Catalog, names: Sequence[str] | None, limit: int) -> list[Instance]:
    """The instances to run: `names` if given, else the default list extended to `limit`.

    A bare name (no `Family/`) is accepted when exactly one family has it.
    """
    if names:
        chosen = []
        for name in names:
            if name in catalog.instances:
                chosen.append(catalog.instances[name])
                continue
            matches = [i for k, i in catalog.instances.items() if k.split("/", 1)[1] == name]
            if len(matches) != 1:
                found = ", ".join(i.key for i in matches) or "no valid instance of that name"
                raise SystemExit(f"--instances {name}: expected one match, found {found}")
            chosen.append(matches[0])
        return chosen
    chosen = [catalog.instances[k] for k in DEFAULT_INSTANCES if k in catalog.instances]
    rest = sorted(
        (i for i in catalog.instances.values() if eligible(i) and i.key not in DEFAULT_INSTANCES),
        key=Instance.sort_key,
    )
    return (chosen + rest)[:limit]


# -- first fit decreasing ------------------------------------------------------------------------


def expand(instance: Instance) -> list[tuple[int, tuple[int, ...]]]:
    """One (item type index, sizes) per item: the baseline and FFD reason about single items."""
    return [(t, sizes) for t, (sizes, m) in enumerate(instance.types) for _ in range(m)]


def first_fit_decreasing(instance: Instance) -> list[int]:
    """Bin index per item of `expand(instance)`; items by decreasing normalised size sum.

    The classic vector FFD: an upper bound for the number of bins, the number of servers the
    scenario installs (so both models search the same space) and the baseline's hint.
    """
    items = expand(instance)
    cap = instance.capacity

    def size(sizes: tuple[int, ...]) -> float:
        return sum(w / c for w, c in zip(sizes, cap, strict=True) if c > 0)

    order = sorted(range(len(items)), key=lambda i: -size(items[i][1]))
    loads: list[list[int]] = []
    assignment = [-1] * len(items)
    for i in order:
        sizes = items[i][1]
        fitting = (
            b
            for b, load in enumerate(loads)
            if all(load[r] + sizes[r] <= cap[r] for r in range(len(cap)))
        )
        b = next(fitting, len(loads))
        if b == len(loads):
            loads.append([0] * len(cap))
        for r in range(len(cap)):
            loads[b][r] += sizes[r]
        assignment[i] = b
    return assignment


# -- the two contenders --------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one run gave: bins used, proven lower bound, proof, wall time, checker violations."""

    value: int | None
    bound: int | None
    proved: bool
    seconds: float
    violations: list[str] = field(default_factory=list)
    formulation: str = "textbook x[i,b]"


def solve_baseline(
    instance: Instance,
    bins: int,
    hint: list[int] | None,
    time_limit: float,
    workers: int,
    seed: int,
) -> Outcome:
    """The textbook model: x[i,b] Booleans, y[b] bin-used Booleans, `sum w x <= C y`, min sum y.

    No symmetry breaking beyond what CP-SAT finds itself, FFD as a (complete) hint unless `hint`
    is None (`--no-hint`, to tell the hint's share of the baseline's success from the model's).
    The solver parameters are nfvplan's (deterministic interleaved search when workers > 1) so
    that the comparison is about the formulation, not the search settings.
    """
    with stopwatch() as elapsed:
        items = expand(instance)
        model = cp_model.CpModel()
        x = [[model.new_bool_var(f"x_{i}_{b}") for b in range(bins)] for i in range(len(items))]
        y = [model.new_bool_var(f"y_{b}") for b in range(bins)]
        for row in x:
            model.add_exactly_one(row)
        for b in range(bins):
            for r, cap in enumerate(instance.capacity):
                terms = [items[i][1][r] * x[i][b] for i in range(len(items)) if items[i][1][r]]
                if terms:
                    model.add(sum(terms) <= cap * y[b])
        model.minimize(sum(y))
        if hint is not None:
            for i, row in enumerate(x):
                for b, var in enumerate(row):
                    model.add_hint(var, hint[i] == b)
            used = set(hint)
            for b, var in enumerate(y):
                model.add_hint(var, b in used)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        solver.parameters.interleave_search = workers > 1
        status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        value = round(solver.objective_value)
        bound = _ceil(solver.best_objective_bound)
        return Outcome(value, bound, status == cp_model.OPTIMAL, elapsed[0])
    return Outcome(None, None, False, elapsed[0])


def _ceil(bound: float) -> int:
    """A bin-count bound is integral: round a float bound up (with float-noise tolerance)."""
    rounded = round(bound)
    return rounded if abs(bound - rounded) < 1e-6 else int(bound) + 1


def to_scenario(
    instance: Instance, servers: int, time_limit: float, workers: int, seed: int
) -> Scenario:
    """The instance as an nfvplan scenario, built from the model dataclasses (no YAML).

    One site with `servers` identical servers whose capacities are the bin (dimensions map onto
    threads, memory, disk, NIC, VFs; unused ones are 0); vCPUs are shared with overcommit 1, so
    one vCPU is one thread; a container-only platform with no overhead or reserve. All VNFs share
    one trust domain, since containers of different domains may not share a host and that would
    turn the packing into a different problem.
    """
    cap = list(instance.capacity) + [0] * (MAX_DIMS - instance.dims)
    server_type = ServerType(
        name="bin",
        cores=cap[0],
        threads_per_core=1,
        memory_gib=cap[1],
        disk_gib=cap[2],
        nic_gbps=cap[3],
        sriov_vfs=cap[4],
        numa_nodes=1,
        monthly_cost=1,
    )
    vnfs = {}
    for t, (sizes, multiplicity) in enumerate(instance.types):
        w = list(sizes) + [0] * (MAX_DIMS - instance.dims)
        name = f"item{t + 1}"
        vnfs[name] = Vnf(
            name=name,
            flavor=Flavor(vcpu=w[0], memory_gib=w[1], disk_gib=w[2], gbps=w[3], sriov_vfs=w[4]),
            forms=(Form.CONTAINER,),
            replicas=multiplicity,
            trust="vbp",
        )
    return Scenario(
        name=instance.key,
        description=f"vector bin packing {instance.key}",
        platform=Platform(cpu_overcommit=1.0),
        server_types={"bin": server_type},
        sites={"dc": Site(name="dc", kind=None, racks=1, servers={"bin": servers}, expand={})},
        links=(),
        vnfs=vnfs,
        services={},
        objective=Objective.SERVERS,
        solver=SolverSettings(time_limit_s=time_limit, workers=workers, seed=seed),
    )


def solve_nfvplan(scenario: Scenario, time_limit: float, workers: int, seed: int) -> Outcome:
    """nfvplan's `solve()` end to end (problem build, cheap checks, model, search, plan)."""
    with stopwatch() as elapsed:
        plan = solve(scenario, SolveOptions(time_limit_s=time_limit, workers=workers, seed=seed))
    violations = [str(v) for v in check_plan(scenario, plan)]
    if plan.status.has_plan:
        value = plan.summary.servers_used
        bound = None if plan.objective.bound is None else _ceil(plan.objective.bound)
        proved = plan.status is Status.OPTIMAL
        return Outcome(value, bound, proved, elapsed[0], violations, plan.stats.formulation)
    return Outcome(None, None, False, elapsed[0], violations, plan.stats.formulation)


# -- report --------------------------------------------------------------------------------------


def gap_to_opt(outcome: Outcome, opt: int | None) -> float | None:
    """(value - OPT) / OPT, or None without a value or a known optimum."""
    if outcome.value is None or not opt:
        return None
    return (outcome.value - opt) / opt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison and print the table and totals; exit 1 if a plan broke a rule."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="directory of tarballs")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per solve")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, default=len(DEFAULT_INSTANCES), help="how many")
    parser.add_argument("--instances", nargs="+", help="Family/name (or a unique bare name)")
    parser.add_argument("--no-hint", action="store_true", help="baseline without the FFD hint")
    parser.add_argument(
        "--bins",
        choices=("ffd", "items"),
        default="ffd",
        help="servers installed (and bins in the baseline): the FFD count or one per item",
    )
    args = parser.parse_args(argv)

    catalog = load_catalog(args.data)
    valid = len(catalog.instances)
    print(f"machine: {machine()}")
    print(f"nfvplan: {revision()}")
    print(
        f"data: {args.data}: {catalog.files} files; {valid + catalog.too_many_dims} valid, of "
        f"which {catalog.too_many_dims} skipped for more than {MAX_DIMS} resources; "
        f"{len(catalog.negative)} invalid (negative weight), {len(catalog.malformed)} malformed"
    )
    by_family: dict[str, int] = {}
    for key in catalog.negative:
        family = key.split("/", 1)[0]
        by_family[family] = by_family.get(family, 0) + 1
    if by_family:
        print("invalid by family: " + ", ".join(f"{f} {n}" for f, n in sorted(by_family.items())))
    for line in catalog.malformed:
        print(f"malformed: {line}")
    population = sum(eligible(i) for i in catalog.instances.values())
    print(f"eligible (20-120 items, 3-5 resources, OPT known): {population}")

    chosen = select(catalog, args.instances, args.limit)
    print(f"instances ({len(chosen)}): " + " ".join(i.key for i in chosen))
    print(
        f"each contender: {args.time_limit:g} s, {args.workers} workers, seed {args.seed}; "
        f"baseline {'without' if args.no_hint else 'with'} the FFD hint; "
        f"{'FFD bin count' if args.bins == 'ffd' else 'one per item'} servers installed; "
        "times are wall seconds including model building\n"
    )

    sys.stdout.flush()
    rows = []
    results: list[tuple[Instance, Outcome, Outcome]] = []
    for instance in chosen:
        hint = first_fit_decreasing(instance)
        ffd = max(hint) + 1
        bins = ffd if args.bins == "ffd" else instance.items
        base = solve_baseline(
            instance, bins, None if args.no_hint else hint, args.time_limit, args.workers, args.seed
        )
        scenario = to_scenario(instance, bins, args.time_limit, args.workers, args.seed)
        mine = solve_nfvplan(scenario, args.time_limit, args.workers, args.seed)
        results.append((instance, base, mine))
        row = [
            instance.key,
            instance.items,
            instance.dims,
            instance.lb,
            instance.opt,
            ffd,
            base.value,
            base.bound,
            "yes" if base.proved else "no",
            base.seconds,
            mine.value,
            mine.bound,
            "yes" if mine.proved else "no",
            mine.seconds,
            len(mine.violations),
        ]
        rows.append(row)
        print(
            f"  {instance.key}: baseline {fmt(base.value)}/{fmt(base.bound)} "
            f"in {base.seconds:.1f}s, nfvplan {fmt(mine.value)}/{fmt(mine.bound)} "
            f"in {mine.seconds:.1f}s",
            file=sys.stderr,
        )

    headers = [
        "instance",
        "items",
        "dims",
        "LB",
        "OPT",
        "FFD",
        "base",
        "b.bound",
        "b.proved",
        "b.time",
        "nfvplan",
        "n.bound",
        "n.proved",
        "n.time",
        "viol",
    ]
    print(table(headers, rows))
    print()

    both = [
        (i, b, m) for i, b, m in results if b.value is not None and m.value is not None and i.opt
    ]

    def summary(label: str, pick: int) -> tuple[int, float]:
        outcomes = [r[pick] for r in results]
        proved = sum(o.proved for o in outcomes)
        gaps = [gap_to_opt(r[pick], r[0].opt) for r in results]
        found = [g for g in gaps if g is not None]
        common = [gap_to_opt(r[pick], r[0].opt) or 0.0 for r in both]
        seconds = sum(o.seconds for o in outcomes)
        print(
            f"{label:9} proved {proved}/{len(outcomes)}, "
            f"reached OPT {sum(g == 0 for g in found)}/{len(outcomes)}, "
            f"solution found {len(found)}/{len(outcomes)}, "
            f"mean gap to OPT {pct(mean(found))} over its {len(found)} solutions, "
            f"{pct(mean(common))} over the {len(both)} both solved; total time {seconds:.1f} s"
        )
        return proved, seconds

    base_proved, base_time = summary("baseline", 1)
    mine_proved, mine_time = summary("nfvplan", 2)
    print(
        f"ratios nfvplan/baseline: proved {mine_proved} vs {base_proved} "
        f"({ratio(mine_proved, base_proved)}), total time {ratio(mine_time, base_time)}"
    )
    formulations = sorted({o.formulation for _, _, o in results})
    print(f"nfvplan formulation: {', '.join(formulations)}")
    broken = [(i, o) for i, _, o in results if o.violations]
    for instance, outcome in broken:
        print(f"checker: {instance.key}: {len(outcome.violations)} violations")
        for message in outcome.violations[:10]:
            print(f"  {message}")
    if not broken:
        print("checker: every nfvplan plan holds (0 violations)")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
