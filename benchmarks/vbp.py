"""Vector bin packing through `nfvplan solve`, against FFD, VPSolver and the literature, same run.

Why this benchmark: a vector bin packing instance is the hard core of an nfvplan placement (one
site, one server type, one VNF per item type, nothing NFV-specific to hide behind), and the
literature gives proven optima and the best of 600+ heuristics for 2,940 of them (Mommessin,
Erlebach, Shakhlevich, C&OR 2025; see ../shared/benchmarks/vbp/README.md).

The headline is the code path `nfvplan solve` takes: each instance becomes a scenario (one site,
one server type whose capacities are the bin's, one form, no overhead or reserve, item types as
VNFs with replicas), solved in-process by `nfvplan.solver.solve` and its plan re-checked by the
independent checker `nfvplan.check`. nfvplan servers have five resources, so instances of up to
five dimensions map exactly (integer units, verified on the built problem: `mapping_problems`);
those with more (the 10-resource strata) are reported as not mappable and run on the packing core
only. The second column is that packing core alone (`vpack.solve_packing`, the one-bin-type case
of the same column generation, `solver/colgen.py`).

Contenders, in the same process, same instances, same time limit:
* first fit decreasing (items by normalised size sum), the baseline a plan must never lose to;
* nfvplan `solve()` on the scenario (headline) and the packing core `solve_packing`;
* VPSolver, the arc-flow exact solver (`pip install '.[bench]'`, needs GLPK), when installed;
* optionally the textbook CP-SAT model (`--textbook`).

The sample is stratified: `--per-stratum K` instances (replicates 0..K-1) of every (family, class,
item count, resource count); `--all` runs every valid instance. Instances with a negative weight
(77 Caprara-class Triplet files) are invalid input, counted and left out.

Run from the repository root:

    python benchmarks/vbp.py                          # 1 per stratum, 10 s each, 2 workers
    python benchmarks/vbp.py --max-items 120          # the strata of 20-120 items
    python benchmarks/vbp.py --instances New/class1_40_5_0 Panigrahy/class8_120_3_0
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from _common import REPO, fmt, machine, mean, pct, ratio, revision, stopwatch, table
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
from nfvplan.solver import SolveOptions, colgen, solve, vpack
from nfvplan.solver.data import resource_units
from nfvplan.solver.problem import build_problem
from nfvplan.solver.vpack import Packing, solve_packing

DEFAULT_DATA = next(
    (
        p / "shared/benchmarks/vbp"
        for p in Path(__file__).resolve().parents[1:4]
        if (p / "shared/benchmarks/vbp").is_dir()
    ),
    Path(__file__).resolve().parents[2] / "shared/benchmarks/vbp",
)
"""The data next to the repository (or next to the worktree folder holding it)."""

MAX_DIMS = 5
"""nfvplan servers have five resources: the headline runs only on instances with at most five."""

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
    best: int | None = None
    """`best_overall`: the best of the paper's 600+ heuristics."""

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

    @property
    def cls(self) -> str:
        """`Family/class`, the unit the report is broken down by."""
        m = _NAME.match(self.name)
        return f"{self.family}/{m['cls'] if m else '?'}"

    @property
    def stratum(self) -> tuple[str, int, int]:
        """(class, nominal item count, resources): one cell of the stratified sample."""
        m = _NAME.match(self.name)
        return (self.cls, int(m["n"]) if m else self.items, self.dims)

    @property
    def replicate(self) -> int:
        """The replicate number in the file name (0-9)."""
        m = _NAME.match(self.name)
        return int(m["rep"]) if m else 0

    def sort_key(self) -> tuple[str, int, int, int, int]:
        """Family, class, size, dims, replicate: the order instances run in."""
        m = _NAME.match(self.name)
        if m is None:
            return (self.family, 0, 0, 0, 0)
        cls = int(m["cls"]) if m["cls"].isdigit() else ord(m["cls"][0])
        return (self.family, cls, int(m["n"]), int(m["d"]), int(m["rep"]))

    def packing(self) -> Packing:
        """The instance for `nfvplan.solver.vpack`."""
        return Packing(
            self.capacity, tuple(s for s, _ in self.types), tuple(m for _, m in self.types)
        )


@dataclass
class Catalog:
    """Every instance of the tarballs, with what was left out and why."""

    instances: dict[str, Instance] = field(default_factory=dict)
    files: int = 0
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


def read_known(data: Path, family: str) -> dict[str, tuple[int, int, int]]:
    """name → (LB, OPT, best_overall) from `<family>_summary_known.csv`; OPT -1 when unknown."""
    path = data / f"{family}_summary_known.csv"
    if not path.exists():
        return {}
    with path.open(newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {
            r["instance_name"]: (int(r["LB"]), int(r["OPT"]), int(r["best_overall"])) for r in rows
        }


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
                lb, opt, best = known.get(name, (None, None, None))
                instance = Instance(
                    family,
                    name,
                    capacity,
                    tuple(types),
                    lb,
                    opt if opt is not None and opt > 0 else None,
                    best if best is not None and best > 0 else None,
                )
                catalog.instances[instance.key] = instance
    return catalog


def select(
    catalog: Catalog,
    names: Sequence[str] | None,
    per_stratum: int,
    every: bool,
    max_items: int | None,
    families: Sequence[str] | None,
    sizes: Sequence[int] | None = None,
    dims: Sequence[int] | None = None,
) -> list[Instance]:
    """The instances to run: `names` if given, else replicates 0..K-1 of every stratum.

    A bare name (no `Family/`) is accepted when exactly one family has it. The choice depends only
    on the arguments, never on a run, so two runs of one command measure the same instances.
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
    strata: dict[tuple[str, int, int], list[Instance]] = defaultdict(list)
    for instance in catalog.instances.values():
        if families and instance.family not in families:
            continue
        if max_items is not None and instance.stratum[1] > max_items:
            continue
        if sizes and instance.stratum[1] not in sizes:
            continue
        if dims and instance.dims not in dims:
            continue
        strata[instance.stratum].append(instance)
    chosen = []
    for members in strata.values():
        members.sort(key=lambda i: i.replicate)
        chosen += members if every else members[:per_stratum]
    return sorted(chosen, key=Instance.sort_key)


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


# -- the contenders -------------------------------------------------------------------------------


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


def mapping_problems(instance: Instance, scenario: Scenario) -> list[str]:
    """Where the scenario's integer problem differs from the instance (empty: an exact map).

    Built by nfvplan's own `build_problem`, so a rounding in `solver/data.py` (demands up,
    capacities down) or an overhead or reserve would show here as a changed size.
    """
    problem = build_problem(scenario, scenario.objective)
    units = resource_units(scenario)
    dims = instance.dims
    problems = []
    for slot in problem.slots[:1]:
        want = tuple(c * units[r] for r, c in enumerate(instance.capacity))
        if slot.capacity[:dims] != want or any(slot.capacity[dims:]):
            problems.append(f"capacity {slot.capacity} for {instance.capacity}")
    for reserve in problem.reserves.values():
        if any(reserve):
            problems.append(f"host reserve {reserve}")
    for t, (sizes, _m) in enumerate(instance.types):
        (kind,) = [k for k in problem.kinds if k.vnf.name == f"item{t + 1}"]
        want = tuple(w * units[r] for r, w in enumerate(sizes))
        if kind.demand[:dims] != want or any(kind.demand[dims:]):
            problems.append(f"item type {t + 1}: demand {kind.demand} for {sizes}")
    return problems


def solve_nfvplan(scenario: Scenario, time_limit: float, workers: int, seed: int) -> Outcome:
    """nfvplan's `solve()` end to end (problem build, cheap checks, model, search, plan), the
    code path of `nfvplan solve`, its plan re-checked by the independent checker."""
    with stopwatch() as elapsed:
        plan = solve(scenario, SolveOptions(time_limit_s=time_limit, workers=workers, seed=seed))
    violations = [str(v) for v in check_plan(scenario, plan)]
    if plan.status.has_plan:
        value = plan.summary.servers_used
        bound = None if plan.objective.bound is None else _ceil(plan.objective.bound)
        proved = plan.status is Status.OPTIMAL
        return Outcome(value, bound, proved, elapsed[0], violations, plan.stats.formulation)
    return Outcome(None, None, False, elapsed[0], violations, plan.stats.formulation)


def verify(instance: Instance, bins: Sequence[Sequence[tuple[int, int]]]) -> list[str]:
    """This script's own check of a packing: every item packed once, no bin over capacity.

    Written here rather than imported from the solver so that a solver bug cannot hide itself.
    """
    problems = []
    packed = [0] * len(instance.types)
    for b, fill in enumerate(bins):
        for r, cap in enumerate(instance.capacity):
            load = sum(instance.types[t][0][r] * c for t, c in fill)
            if load > cap:
                problems.append(f"bin {b} resource {r}: {load} > {cap}")
        for t, c in fill:
            packed[t] += c
    for t, (got, (_sizes, need)) in enumerate(zip(packed, instance.types, strict=True)):
        if got != need:
            problems.append(f"item type {t + 1}: {got} packed, {need} in the instance")
    return problems


def solve_vpack(instance: Instance, time_limit: float, workers: int, seed: int) -> Outcome:
    """nfvplan's packing core (`nfvplan.solver.vpack.solve_packing`), its result re-verified."""
    with stopwatch() as elapsed:
        result = solve_packing(instance.packing(), time_limit, workers=workers, seed=seed)
    problems = verify(instance, result.bins)
    return Outcome(
        result.value, result.bound, result.proven, elapsed[0], problems, f"vpack/{result.source}"
    )


def vpsolver_script(backend: str) -> Path | None:
    """VPSolver's driver script for `backend` (glpk, coinor), if it and its MIP solver exist."""
    name = f"vpsolver_{backend}.sh"
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    mip = {"glpk": "glpsol", "coinor": "cbc"}.get(backend, backend)
    if found is None or shutil.which(mip) is None:
        return None
    return Path(found)


def write_vbp(instance: Instance, path: Path) -> None:
    """The instance back in `.vbp` format, for VPSolver."""
    lines = [str(instance.dims), " ".join(map(str, instance.capacity)), str(len(instance.types))]
    lines += [" ".join(map(str, (*sizes, m))) for sizes, m in instance.types]
    path.write_text("\n".join(lines) + "\n")


_OBJECTIVE = re.compile(r"^Objective:\s*(\d+)", re.MULTILINE)


def solve_vpsolver(script: Path, instance: Instance, time_limit: float) -> Outcome:
    """VPSolver (arc-flow graph + MIP) on the instance, killed at the wall-clock limit.

    A run that ends within the limit has proven its optimum (the MIP is exact); a run that is
    killed counts as no solution, since the script only prints the packing at the end.
    """
    with tempfile.TemporaryDirectory(prefix="vbp-") as tmp:
        path = Path(tmp) / f"{instance.name}.vbp"
        write_vbp(instance, path)
        env = dict(os.environ, TMPDIR=tmp)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        with stopwatch() as elapsed:
            proc = subprocess.Popen(
                ["bash", str(script), "--vbp", str(path)],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env=env,
                start_new_session=True,
            )
            try:
                out, _ = proc.communicate(timeout=time_limit)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                out = None
    if out is None or proc.returncode != 0:
        return Outcome(None, None, False, elapsed[0], formulation="vpsolver")
    match = _OBJECTIVE.search(out)
    if match is None:
        return Outcome(None, None, False, elapsed[0], formulation="vpsolver")
    value = int(match.group(1))
    return Outcome(value, value, True, elapsed[0], formulation="vpsolver")


# -- report --------------------------------------------------------------------------------------


def reference(instance: Instance) -> int | None:
    """What a gap is measured to: the proven optimum, else the literature's lower bound."""
    return instance.opt or instance.lb


def gap(value: int | None, instance: Instance) -> float | None:
    """(value - reference) / reference, or None without a value or reference."""
    ref = reference(instance)
    if value is None or not ref:
        return None
    return (value - ref) / ref


@dataclass
class Row:
    """One instance's results, as written to the CSV."""

    instance: Instance
    ffd: int
    core: Outcome
    """The packing core alone (`solve_packing`)."""
    product: Outcome | None = None
    """`solve()` on the scenario: the headline; None when the instance is not mappable."""
    peer: Outcome | None = None
    textbook: Outcome | None = None

    def versus_best(self, outcome: Outcome | None = None) -> str | None:
        """better / tie / worse than the paper's best heuristic (None when it has none)."""
        mine = outcome or self.product or self.core
        if self.instance.best is None or mine.value is None:
            return None
        if mine.value < self.instance.best:
            return "better"
        return "tie" if mine.value == self.instance.best else "worse"


CSV_FIELDS = [
    "family",
    "instance",
    "class",
    "items",
    "dims",
    "LB",
    "OPT",
    "best_overall",
    "ffd",
    "solve",
    "solve_bound",
    "solve_proved",
    "solve_s",
    "solve_formulation",
    "versus_best",
    "core",
    "core_bound",
    "core_proved",
    "core_s",
    "core_source",
    "vpsolver",
    "vpsolver_proved",
    "vpsolver_s",
    "textbook",
    "textbook_proved",
    "textbook_s",
    "problems",
]


def csv_row(row: Row) -> dict[str, object]:
    """One CSV line: missing figures are empty cells."""
    i = row.instance

    def part(o: Outcome | None) -> tuple[object, object, object]:
        if o is None:
            return "", "", ""
        return ("" if o.value is None else o.value, int(o.proved), f"{o.seconds:.3f}")

    v, vp, vs = part(row.peer)
    sv, sp, ss = part(row.product)
    tv, tp, ts = part(row.textbook)
    product = row.product
    return {
        "family": i.family,
        "instance": i.name,
        "class": i.cls,
        "items": i.items,
        "dims": i.dims,
        "LB": i.lb if i.lb is not None else "",
        "OPT": i.opt if i.opt is not None else "",
        "best_overall": i.best if i.best is not None else "",
        "ffd": row.ffd,
        "solve": sv if product is not None else "not mappable",
        "solve_bound": "" if product is None or product.bound is None else product.bound,
        "solve_proved": sp,
        "solve_s": ss,
        "solve_formulation": "" if product is None else product.formulation,
        "versus_best": row.versus_best() or "",
        "core": "" if row.core.value is None else row.core.value,
        "core_bound": "" if row.core.bound is None else row.core.bound,
        "core_proved": int(row.core.proved),
        "core_s": f"{row.core.seconds:.3f}",
        "core_source": row.core.formulation,
        "vpsolver": v,
        "vpsolver_proved": vp,
        "vpsolver_s": vs,
        "textbook": tv,
        "textbook_proved": tp,
        "textbook_s": ts,
        "problems": len(row.core.violations) + len(product.violations if product else []),
    }


Pick = Callable[[Row], Outcome]


def headline(row: Row) -> Outcome:
    """The figure a row is judged by: `solve()` on the scenario (mappable rows only)."""
    assert row.product is not None
    return row.product


def core(row: Row) -> Outcome:
    """The packing core's figure."""
    return row.core


def class_table(rows: Sequence[Row], peer: bool, pick: Pick, second: Pick | None = None) -> str:
    """Per class of the literature (and a total line) for the contender `pick` chooses; with
    `second`, that contender's proofs and mean time alongside."""
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row.instance.cls].append(row)
    groups_sorted = sorted(groups.items(), key=lambda kv: kv[1][0].instance.sort_key())
    groups_sorted.append(("total", list(rows)))
    headers = [
        "class",
        "inst",
        "w/OPT",
        "proved",
        "=OPT",
        "gap",
        "FFD gap",
        "mean s",
        "max s",
        "vs best b/t/w",
        "<FFD",
        ">FFD",
    ]
    if second is not None:
        headers += ["core proved", "core mean s"]
    if peer:
        headers += ["VPS proved", "VPS mean s", "both proved", "time ratio"]
    body = []
    for label, members in groups_sorted:
        mine = [pick(r) for r in members]
        with_opt = [(r, o) for r, o in zip(members, mine, strict=True) if r.instance.opt]
        pairs = list(zip(members, mine, strict=True))
        gaps = [g for r, o in pairs if (g := gap(o.value, r.instance)) is not None]
        ffd_gaps = [g for r in members if (g := gap(r.ffd, r.instance)) is not None]
        times = [o.seconds for o in mine]
        verdicts = [r.versus_best(o) for r, o in zip(members, mine, strict=True)]
        line: list[object] = [
            label,
            len(members),
            len(with_opt),
            sum(o.proved for o in mine),
            f"{sum(o.value == r.instance.opt for r, o in with_opt)}/{len(with_opt)}",
            pct(mean(gaps)),
            pct(mean(ffd_gaps)),
            mean(times),
            max(times),
            f"{verdicts.count('better')}/{verdicts.count('tie')}/{verdicts.count('worse')}",
            sum(o.value is not None and o.value < r.ffd for r, o in pairs),
            sum(o.value is None or o.value > r.ffd for r, o in pairs),
        ]
        if second is not None:
            line += [
                sum(second(r).proved for r in members),
                mean([second(r).seconds for r in members]),
            ]
        if peer:
            ran = [(r, o) for r, o in zip(members, mine, strict=True) if r.peer is not None]
            both = [(r, o) for r, o in ran if o.proved and r.peer and r.peer.proved]
            mine_t = sum(o.seconds for _r, o in both)
            peer_t = sum(r.peer.seconds for r, _o in both if r.peer)
            line += [
                sum(bool(r.peer and r.peer.proved) for r, _o in ran),
                mean([r.peer.seconds for r, _o in ran if r.peer]),
                len(both),
                ratio(mine_t, peer_t) if both else "-",
            ]
        body.append(line)
    return table(headers, body)


def targets(rows: Sequence[Row], pick: Pick, label: str, peer: bool) -> None:
    """The issue's targets for one contender: proofs of known optima (<= 120 items), never worse
    than FFD, time within 2x VPSolver's on the instances both prove."""
    small = [r for r in rows if r.instance.opt and r.instance.items <= 120]
    proved = sum(pick(r).proved and pick(r).value == r.instance.opt for r in small)
    print(
        f"{label}: target 1, optimum proven on >= 95% of the <= 120-item instances with one: "
        f"{proved}/{len(small)} ({pct(proved / len(small) if small else None)})"
    )
    worse = [r for r in rows if pick(r).value is None or (pick(r).value or 0) > r.ffd]
    print(f"{label}: target 2, never worse than FFD: {len(worse)} worse")
    if peer:
        both = [r for r in rows if r.peer and r.peer.proved and pick(r).proved]
        mine_t = sum(pick(r).seconds for r in both)
        peer_t = sum(r.peer.seconds for r in both if r.peer)
        slow = sum(pick(r).seconds > 2 * r.peer.seconds for r in both if r.peer)
        print(
            f"{label}: target 3, time within 2x VPSolver's: on the {len(both)} both proved, "
            f"{mine_t:.1f} s vs VPSolver {peer_t:.1f} s ({ratio(mine_t, peer_t)}); {slow} "
            f"instances over 2x; proved: {sum(pick(r).proved for r in rows)}, VPSolver "
            f"{sum(bool(r.peer and r.peer.proved) for r in rows)} of {len(rows)}"
        )
    else:
        print(f"{label}: target 3 (time vs VPSolver): not measured, VPSolver not run")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sample, print the per-class table and the targets, write the CSV."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="directory of tarballs")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per solve")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-stratum", type=int, default=1, help="replicates per stratum")
    parser.add_argument("--all", action="store_true", help="every valid instance")
    parser.add_argument("--max-items", type=int, help="only strata of at most this many items")
    parser.add_argument("--families", nargs="+", help="New, Panigrahy, Triplet")
    parser.add_argument("--sizes", nargs="+", type=int, help="only these nominal item counts")
    parser.add_argument("--dims", nargs="+", type=int, help="only these resource counts")
    parser.add_argument("--instances", nargs="+", help="Family/name (or a unique bare name)")
    parser.add_argument(
        "--vpsolver", default="glpk", help="VPSolver backend script (glpk, coinor) or 'none'"
    )
    parser.add_argument("--textbook", action="store_true", help="also run the textbook CP-SAT")
    parser.add_argument(
        "--csv", type=Path, help="per-instance CSV (default benchmarks/results/vbp-<n>.csv)"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="set a tuning constant of nfvplan.solver.colgen for this run, e.g. STOP_AFTER=null "
        "or CG_BURST=0 (A/B runs; repeatable)",
    )
    args = parser.parse_args(argv)
    for setting in args.set:
        name, _, value = setting.partition("=")
        if not name.isupper() or not hasattr(colgen, name):
            parser.error(f"--set {setting}: no tuning constant {name!r} in nfvplan.solver.colgen")
        try:
            setattr(colgen, name, json.loads(value))
        except json.JSONDecodeError as error:
            parser.error(f"--set {setting}: value is not JSON ({error})")
        print(f"colgen: {name} = {getattr(colgen, name)!r}")

    catalog = load_catalog(args.data)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at start")
    print(f"nfvplan: {revision()}")
    print(
        f"data: {args.data}: {catalog.files} files; {len(catalog.instances)} valid; "
        f"{len(catalog.negative)} invalid (negative weight), {len(catalog.malformed)} malformed"
    )
    for line in catalog.malformed:
        print(f"malformed: {line}")
    chosen = select(
        catalog,
        args.instances,
        args.per_stratum,
        args.all,
        args.max_items,
        args.families,
        args.sizes,
        args.dims,
    )
    if not chosen:
        raise SystemExit(f"no instance selected (data directory {args.data}; see --data)")
    strata = len({i.stratum for i in chosen})
    print(
        f"sample: {len(chosen)} instances in {strata} strata (family, class, items, resources); "
        f"{sum(i.opt is not None for i in chosen)} with a known optimum"
    )
    script = None if args.vpsolver == "none" else vpsolver_script(args.vpsolver)
    if args.vpsolver != "none" and script is None:
        print(
            f"VPSolver: not installed (no vpsolver_{args.vpsolver}.sh or its MIP solver on PATH): "
            "skipped; pip install '.[bench]' and apt-get install glpk-utils to compare"
        )
    elif script is not None:
        print(f"VPSolver: {script} (wall-clock limit, killed at the limit)")
    print(
        f"each contender: {args.time_limit:g} s, nfvplan {args.workers} workers, seed "
        f"{args.seed}; times are wall seconds"
    )
    print(
        f"nfvplan's compiled pricer loaded before the clock: {vpack.prepare_compiled():.2f} s "
        "(once per process; the first run on a machine compiles it, 5-10 s)\n"
    )
    sys.stdout.flush()

    rows: list[Row] = []
    for instance in chosen:
        ffd = max(first_fit_decreasing(instance)) + 1
        row = Row(instance, ffd, solve_vpack(instance, args.time_limit, args.workers, args.seed))
        if instance.dims <= MAX_DIMS:
            scenario = to_scenario(instance, ffd, args.time_limit, args.workers, args.seed)
            mapped = mapping_problems(instance, scenario)
            if mapped:
                raise SystemExit(f"{instance.key}: the scenario is not the instance: {mapped}")
            row.product = solve_nfvplan(scenario, args.time_limit, args.workers, args.seed)
        if script is not None:
            row.peer = solve_vpsolver(script, instance, args.time_limit)
        if args.textbook:
            hint = first_fit_decreasing(instance)
            row.textbook = solve_baseline(
                instance, ffd, hint, args.time_limit, args.workers, args.seed
            )
        rows.append(row)
        peer, product, mine = row.peer, row.product, row.core
        print(
            f"  {instance.key}: OPT {fmt(instance.opt)} best {fmt(instance.best)} FFD {ffd}; "
            + (
                f"solve {fmt(product.value)}/{fmt(product.bound)} in {product.seconds:.1f}s; "
                if product is not None
                else "solve: not mappable; "
            )
            + f"core {fmt(mine.value)}/{fmt(mine.bound)} in {mine.seconds:.1f}s "
            f"({mine.formulation})"
            + (f"; VPSolver {fmt(peer.value)} in {peer.seconds:.1f}s" if peer is not None else ""),
            file=sys.stderr,
            flush=True,
        )

    mapped_rows = [r for r in rows if r.product is not None]
    print(
        f"nfvplan solve() on the equivalent scenario (the headline; {len(mapped_rows)} instances "
        f"of <= {MAX_DIMS} resources; core = the packing core alone on the same instances):"
    )
    print(class_table(mapped_rows, script is not None, headline, core))
    unmapped = [r for r in rows if r.product is None]
    if unmapped:
        print(
            f"\n{len(unmapped)} instances of more than {MAX_DIMS} resources are not mappable to an "
            "nfvplan scenario (five resources); the packing core alone on them:"
        )
        print(class_table(unmapped, script is not None, core))
    print(
        "\ncolumns: w/OPT instances with a known optimum; proved = the plan meets its own lower "
        "bound; gap to OPT (or to LB without one); vs best = better/tie/worse than the paper's "
        "best heuristic (best_overall); <FFD / >FFD fewer / more bins than FFD\n"
    )
    peer_ran = script is not None
    targets(mapped_rows, headline, "solve()", peer_ran)
    targets(mapped_rows, core, "packing core", peer_ran)
    if unmapped:
        targets(unmapped, core, f"packing core, > {MAX_DIMS} resources", peer_ran)
    missed = [
        r for r in rows if r.instance.best and r.instance.opt and r.instance.best > r.instance.opt
    ]
    beat = sum(
        (r.product or r.core).value is not None
        and ((r.product or r.core).value or 0) < (r.instance.best or 0)
        for r in missed
    )
    print(f"target 4, better than best_overall where it misses the optimum: {beat}/{len(missed)}")
    if args.textbook:
        print(
            f"textbook CP-SAT: proved {sum(r.textbook.proved for r in rows if r.textbook)}"
            f"/{len(rows)}"
        )

    target = args.csv or REPO / "benchmarks" / "results" / f"vbp-{len(rows)}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(csv_row(r) for r in rows)
    print(f"per-instance results: {target}")
    broken = [
        (r.instance, p)
        for r in rows
        for p in r.core.violations + (r.product.violations if r.product else [])
    ]
    for instance, problem in broken[:20]:
        print(f"invalid packing: {instance.key}: {problem}")
    if not broken:
        print(
            "verified: every packing holds every item within capacity, every plan passes "
            "nfvplan's checker"
        )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
