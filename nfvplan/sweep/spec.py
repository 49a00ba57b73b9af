"""Sweep files: YAML in, a validated `SweepSpec` out, or every problem located.

A sweep file names one scenario and a few axes of what-if changes; the grid is their cartesian
product. Everything a case needs is decided here, before any case runs and before any output
file is touched, so a typo in the fortieth value fails in a second, not after an hour of
solving. `each-site`, `each-server` and `each-link` expand over the base scenario here too,
so a failure axis names real things and `nfvplan.sweep.grid` only multiplies.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from nfvplan.errors import InputError
from nfvplan.io import load_scenario
from nfvplan.io.yamlsrc import (
    Issues,
    Node,
    YamlPath,
    choice,
    describe,
    fields,
    load_yaml_file,
    number,
    read_capped,
    suggest,
)
from nfvplan.model import Objective, Scenario
from nfvplan.whatif.changes import Changes, apply_changes

SWEEP_VERSION = 1
TOP_KEYS = ("nfvplan-sweep", "scenario", "axes", "solver")
TOP_REQUIRED = ("nfvplan-sweep", "scenario", "axes")
AXES = ("scale_demand", "fail", "objective", "set", "patch")
"""Axis names, in the order their columns appear when a file lists them in another order."""
RANGE_KEYS = ("from", "to", "step")
SOLVER_KEYS = ("time_limit_s", "workers", "seed")
FAIL_EACH = ("each-site", "each-server", "each-link")
FAIL_KINDS = ("site", "server", "link")

MAX_AXIS_VALUES = 1000
"""Most values one axis may hold (a `from/to/step` range included)."""
MAX_CASES = 100_000
"""Most cases a grid may hold: beyond it the product is surely a typo in a range."""
DEFAULT_CASE_WORKERS = 1
"""Search threads per case: the sweep's parallelism is across cases, not inside one."""

_SCALE_ITEM = re.compile(r"^(?P<service>[^=\s]+)=(?P<factor>[^=\s]+)$")


@dataclass(frozen=True)
class Delta:
    """What one axis value changes, in the words of `nfvplan.whatif.changes.Changes`.

    Paths are absolute; `objective` is None when the value leaves the scenario's own.
    """

    patches: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()
    scale_demand: tuple[str, ...] = ()
    fails: tuple[str, ...] = ()
    objective: str | None = None

    def __add__(self, other: Delta) -> Delta:
        return Delta(
            self.patches + other.patches,
            self.sets + other.sets,
            self.scale_demand + other.scale_demand,
            self.fails + other.fails,
            other.objective or self.objective,
        )


@dataclass(frozen=True)
class AxisValue:
    """One value of an axis: its label (the output column's text), its changes, its place."""

    label: str
    delta: Delta
    line: int
    column: int


@dataclass(frozen=True)
class Axis:
    """A named list of values; `line`/`column` is where its key is written."""

    name: str
    values: tuple[AxisValue, ...]
    line: int
    column: int


@dataclass(frozen=True)
class CaseSolver:
    """Solver settings of every case; None keeps the scenario's."""

    time_limit_s: float | None = None
    workers: int = DEFAULT_CASE_WORKERS
    seed: int | None = None


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep file. `scenario` is absolute; axes are in `AXES` order."""

    source: Path
    scenario: Path
    axes: tuple[Axis, ...]
    solver: CaseSolver = field(default_factory=CaseSolver)
    base: Scenario | None = None

    @property
    def axis_names(self) -> tuple[str, ...]:
        """The axis columns of the output, in order."""
        return tuple(axis.name for axis in self.axes)

    @property
    def size(self) -> int:
        """How many cases the grid holds."""
        return math.prod(len(axis.values) for axis in self.axes)


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate the sweep file at `path` (the scenario it names included).

    Raises `InputError` listing every problem with file, line, column and what would be valid.
    Changes are checked against the scenario one axis value at a time here; the combinations
    are checked by `nfvplan.sweep.grid.validate_cases`.
    """
    source = Path(path)
    filename = str(path)
    root = load_yaml_file(source)
    issues = Issues(filename)
    top = fields(issues, root, (), TOP_KEYS, TOP_REQUIRED)
    version = top.get("nfvplan-sweep")
    if version is not None and not (version.tag == "int" and version.value == SWEEP_VERSION):
        issues.add(version, ("nfvplan-sweep",), f"must be {SWEEP_VERSION}, got {describe(version)}")
    solver = _solver(issues, top.get("solver"))
    scenario_path = _scenario_path(issues, top.get("scenario"), source.parent)
    if scenario_path is None:  # the axes cannot be checked without the scenario
        issues.raise_if_any()
        raise AssertionError("a missing scenario is always reported")
    base = load_scenario(scenario_path)
    axes = _axes(issues, top.get("axes"), base, source.parent)
    for axis in axes:
        _apply_each(issues, axis, scenario_path)
    issues.raise_if_any()
    spec = SweepSpec(source, scenario_path, tuple(axes), solver, base)
    if spec.size > MAX_CASES:
        node = top["axes"]
        issues.add(node, ("axes",), f"the grid has {spec.size:,} cases; at most {MAX_CASES:,}")
        issues.raise_if_any()
    return spec


def _scenario_path(issues: Issues, node: Node | None, base_dir: Path) -> Path | None:
    """The scenario file, relative to the sweep file, readable and a regular file."""
    if node is None:
        return None
    if node.kind != "scalar" or node.tag != "str":
        issues.add(node, ("scenario",), f"must be a file path, got {describe(node)}")
        return None
    path = (base_dir / node.text).resolve()
    try:
        read_capped(path, regular_only=True)
    except InputError as error:
        reason = error.problems[0].message
        issues.add(node, ("scenario",), f"{node.text!r} (resolved to {path}): {reason}")
        return None
    return path


def _solver(issues: Issues, node: Node | None) -> CaseSolver:
    """The per-case solver block: the scenario's `solver:` keys, with one worker by default."""
    given = fields(issues, node, ("solver",), SOLVER_KEYS)
    time_limit = given.get("time_limit_s")
    workers = given.get("workers")
    seed = given.get("seed")
    return CaseSolver(
        time_limit_s=None
        if time_limit is None
        else number(issues, time_limit, ("solver", "time_limit_s"), exclusive=True, default=1),
        workers=DEFAULT_CASE_WORKERS
        if workers is None
        else number(issues, workers, ("solver", "workers"), minimum=1, integer=True, default=1),
        seed=None
        if seed is None
        else number(issues, seed, ("solver", "seed"), integer=True, maximum=2**31 - 1),
    )


def _axes(issues: Issues, node: Node | None, base: Scenario, base_dir: Path) -> list[Axis]:
    """Every axis, in `AXES` order, each with at least one value and no repeated label."""
    given = fields(issues, node, ("axes",), AXES)
    if node is not None and node.kind == "map" and not node.value:
        issues.add(node, ("axes",), f"needs at least one axis: {', '.join(AXES)}")
    readers = {
        "scale_demand": _scale_values,
        "fail": _fail_values,
        "objective": _objective_values,
        "set": _set_values,
        "patch": _patch_values,
    }
    axes = []
    for name in AXES:
        value_node = given.get(name)
        if value_node is None:
            continue
        path: YamlPath = ("axes", name)
        values = readers[name](issues, value_node, path, base, base_dir)
        if not values and value_node.kind == "seq":
            issues.add(value_node, path, "an axis needs at least one value")
        _check_unique(issues, values, path)
        line, column = node.keys[name] if node is not None else (value_node.line, 1)
        axes.append(Axis(name, tuple(values), line, column))
    return axes


def _apply_each(issues: Issues, axis: Axis, scenario: Path) -> None:
    """Apply each value of `axis` alone to the scenario, so what the what-if engine refuses
    (a `set` on a missing field, a patch that breaks the scenario) is reported at the value."""
    for value in axis.values:
        if value.delta == Delta(objective=value.delta.objective):
            continue  # nothing to apply
        changes = Changes(
            patches=tuple(Path(p) for p in value.delta.patches),
            sets=value.delta.sets,
            scale_demand=value.delta.scale_demand,
            fails=value.delta.fails,
        )
        try:
            apply_changes(scenario, changes)
        except InputError as error:
            for problem in error.problems:
                issues.add(
                    (value.line, value.column),
                    ("axes", axis.name),
                    f"{value.label!r} cannot be applied to the scenario: {problem}",
                )


def _check_unique(issues: Issues, values: list[AxisValue], path: YamlPath) -> None:
    """Two equal values would be two cases with one id: refuse the second."""
    seen: dict[str, AxisValue] = {}
    for value in values:
        first = seen.setdefault(value.label, value)
        if first is not value:
            issues.add(
                (value.line, value.column),
                path,
                f"{value.label!r} is listed twice (first on line {first.line}); "
                "each value makes its own cases",
            )
    if len(values) > MAX_AXIS_VALUES:
        issues.add(None, path, f"has {len(values)} values; at most {MAX_AXIS_VALUES}")


def _seq(issues: Issues, node: Node, path: YamlPath, what: str) -> list[Node]:
    if node.kind != "seq":
        issues.add(node, path, f"must be a list of {what}, got {describe(node)}")
        return []
    return list(node.value)


def _value(label: str, delta: Delta, node: Node) -> AxisValue:
    return AxisValue(label, delta, node.line, node.column)


# --- scale_demand ---------------------------------------------------------------------------


def _scale_values(
    issues: Issues, node: Node, path: YamlPath, base: Scenario, _base_dir: Path
) -> list[AxisValue]:
    """Demand factors: a list of numbers or `service=factor` texts, or `{from, to, step}`."""
    if node.kind == "map":
        return _scale_range(issues, node, path)
    what = "demand factors (1.5) or 'service=factor' texts, or {from, to, step}"
    if node.kind != "seq":
        issues.add(node, path, f"must be a list of {what}, got {describe(node)}")
        return []
    values = []
    for index, item in enumerate(node.value):
        label = _scale_item(issues, item, (*path, index), base)
        if label is not None:
            values.append(_value(label, Delta(scale_demand=(label,)), item))
    return values


def _scale_item(issues: Issues, node: Node, path: YamlPath, base: Scenario) -> str | None:
    """`1.5` (every demand) or `broadband=2` (one service's demands), as Changes expects it."""
    if node.kind == "scalar" and node.tag in ("int", "float"):
        factor = number(issues, node, path, exclusive=True, default=-1)
        return None if factor < 0 else _fmt(factor)
    match = _SCALE_ITEM.match(node.text) if node.kind == "scalar" and node.tag == "str" else None
    if match is None:
        issues.add(node, path, f"must be a factor > 0 or 'service=factor', got {describe(node)}")
        return None
    service, factor_text = match["service"], match["factor"]
    ok = True
    if service not in base.services:
        known = list(base.services)
        issues.add(node, path, f"unknown service {service!r}{suggest(service, known)}")
        ok = False
    try:
        factor = float(factor_text)
    except ValueError:
        factor = math.nan
    if not (math.isfinite(factor) and factor > 0):
        issues.add(
            node, path, f"the factor of {service!r} must be a number > 0, got {factor_text!r}"
        )
        ok = False
    return f"{service}={_fmt(factor)}" if ok else None


def _scale_range(issues: Issues, node: Node, path: YamlPath) -> list[AxisValue]:
    """`{from: 1, to: 3, step: 0.5}`: from, from + step, ... up to `to` inclusive."""
    given = fields(issues, node, path, RANGE_KEYS, RANGE_KEYS)
    if len(given) != len(RANGE_KEYS):
        return []
    start = number(issues, given["from"], (*path, "from"), exclusive=True, default=-1)
    stop = number(issues, given["to"], (*path, "to"), exclusive=True, default=-1)
    step = number(issues, given["step"], (*path, "step"), exclusive=True, default=-1)
    if min(start, stop, step) < 0:
        return []
    if stop < start:
        issues.add(given["to"], (*path, "to"), f"must be >= from ({_fmt(start)}), got {_fmt(stop)}")
        return []
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > MAX_AXIS_VALUES:
        issues.add(
            given["step"],
            (*path, "step"),
            f"gives {count:,} values from {_fmt(start)} to {_fmt(stop)}; at most "
            f"{MAX_AXIS_VALUES}: use a larger step",
        )
        return []
    labels = [_fmt(round(start + i * step, 9)) for i in range(count)]
    return [_value(label, Delta(scale_demand=(label,)), node) for label in labels]


def _did_you_mean(word: str, options: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _fmt(value: float) -> str:
    """A factor as a person writes it and as `float()` reads it back: 1, 1.5, 0.25."""
    return f"{value:.12g}"


# --- fail -----------------------------------------------------------------------------------


def _fail_values(
    issues: Issues, node: Node, path: YamlPath, base: Scenario, _base_dir: Path
) -> list[AxisValue]:
    """`none`, `each-site|each-server|each-link`, `site:X`, `server:S/T/N`, `link:A,B`, or a
    list of the explicit ones (failing together in one case)."""
    values = []
    for index, item in enumerate(_seq(issues, node, path, "failures")):
        item_path = (*path, index)
        if item.kind == "seq":
            parts = [_fail_item(issues, p, (*item_path, i), base) for i, p in enumerate(item.value)]
            if not parts:
                issues.add(item, item_path, "a list of failures needs at least one entry")
            elif all(parts):
                labels = tuple(p for p in parts if p)
                values.append(_value("+".join(labels), Delta(fails=labels), item))
            continue
        if item.kind == "scalar" and item.text == "none":
            values.append(_value("none", Delta(), item))
        elif item.kind == "scalar" and item.text in FAIL_EACH:
            values.extend(_value(f, Delta(fails=(f,)), item) for f in _each(base, item.text))
        else:
            label = _fail_item(issues, item, item_path, base)
            if label:
                values.append(_value(label, Delta(fails=(label,)), item))
    return values


def _each(base: Scenario, word: str) -> list[str]:
    """What `each-site`, `each-server` or `each-link` expands to over the base scenario."""
    if word == "each-site":
        return [f"site:{s.name}" for s in base.sites.values() if not s.transit]
    if word == "each-server":
        return [f"server:{i}" for i in _server_ids(base)]
    return [f"link:{link.a},{link.b}" for link in base.links]


def _server_ids(base: Scenario, *, purchasable: bool = False) -> list[str]:
    """Server ids (`site/type/n`, FORMAT.md section 2): installed ones, or all.

    `each-server` fails installed servers only (a failure of what is running); an explicit
    `server:` may name a purchasable one too, which then cannot be bought.
    """
    return [server_id for server_id, bought in base.server_ids() if purchasable or not bought]


def _fail_item(issues: Issues, node: Node, path: YamlPath, base: Scenario) -> str | None:
    """One explicit failure, checked against the base scenario's names."""
    valid = "none | each-site | each-server | each-link | site:NAME | server:SITE/TYPE/N | link:A,B"
    if node.kind != "scalar" or node.tag != "str" or ":" not in node.text:
        hint = _did_you_mean(node.text, ("none", *FAIL_EACH)) if node.kind == "scalar" else ""
        issues.add(node, path, f"must be one of {valid}, got {describe(node)}{hint}")
        return None
    kind, _, name = node.text.partition(":")
    if kind not in FAIL_KINDS:
        issues.add(node, path, f"unknown failure kind {kind!r}{suggest(kind, FAIL_KINDS, 'kinds')}")
        return None
    if kind == "site":
        known = [s.name for s in base.sites.values() if not s.transit]
    elif kind == "server":
        known = _server_ids(base, purchasable=True)
    else:
        known = [f"{link.a},{link.b}" for link in base.links]
        a, _, b = name.partition(",")
        if f"{b.strip()},{a.strip()}" in known:  # a link has no direction
            name = f"{b.strip()},{a.strip()}"
    name = name.strip()
    if name not in known:
        what = {"site": "site", "server": "server", "link": "link"}[kind]
        hint = ""
        if kind == "link" and "," not in name:
            hint = "; a link is link:A,B (in a [flow, list] quote it: 'link:A,B')"
        issues.add(node, path, f"unknown {what} {name!r}{hint}{suggest(name, known)}")
        return None
    return f"{kind}:{name}"


# --- objective, set, patch ------------------------------------------------------------------


def _objective_values(
    issues: Issues, node: Node, path: YamlPath, _base: Scenario, _base_dir: Path
) -> list[AxisValue]:
    """Objectives to solve each case for."""
    options = [o.value for o in Objective]
    values = []
    for index, item in enumerate(_seq(issues, node, path, f"objectives ({' | '.join(options)})")):
        before = len(issues.problems)
        name = choice(issues, item, (*path, index), options, "")
        if len(issues.problems) == before:
            values.append(_value(name, Delta(objective=name), item))
    return values


def _set_values(
    issues: Issues, node: Node, path: YamlPath, _base: Scenario, _base_dir: Path
) -> list[AxisValue]:
    """Each value a mapping `{field.path: value, ...}` or a `field.path=value` text."""
    values = []
    for index, item in enumerate(_seq(issues, node, path, "{field.path: value} mappings")):
        item_path = (*path, index)
        sets: list[str] = []
        if item.kind == "map" and item.value:
            for key, value in item.value.items():
                if value.kind != "scalar" or value.is_null:
                    issues.add(value, (*item_path, key), f"must be a value, got {describe(value)}")
                else:
                    sets.append(f"{key}={value.text}")
            if len(sets) != len(item.value):
                continue
        elif item.kind == "scalar" and item.tag == "str" and "=" in item.text:
            sets.append(item.text)
        else:
            issues.add(
                item,
                item_path,
                "must be a mapping such as {vnfs.upf.replicas: 8} or a text "
                f"'vnfs.upf.replicas=8', got {describe(item)}",
            )
            continue
        values.append(_value(";".join(sets), Delta(sets=tuple(sets)), item))
    return values


def _patch_values(
    issues: Issues, node: Node, path: YamlPath, _base: Scenario, base_dir: Path
) -> list[AxisValue]:
    """`none`, a patch file (relative to the sweep file) or a list of them applied in order."""
    values = []
    for index, item in enumerate(_seq(issues, node, path, "patch files")):
        item_path = (*path, index)
        if item.kind == "scalar" and item.text == "none":
            values.append(_value("none", Delta(), item))
            continue
        parts = item.value if item.kind == "seq" else [item]
        files = [_patch_file(issues, p, item_path, base_dir) for p in parts]
        if files and all(files):
            label = "+".join(p.text for p in parts)
            values.append(_value(label, Delta(patches=tuple(f for f in files if f)), item))
        elif not files:
            issues.add(item, item_path, "a list of patches needs at least one file")
    return values


def _patch_file(issues: Issues, node: Node, path: YamlPath, base_dir: Path) -> str | None:
    if node.kind != "scalar" or node.tag != "str":
        issues.add(node, path, f"must be 'none' or a patch file path, got {describe(node)}")
        return None
    resolved = (base_dir / node.text).resolve()
    try:
        read_capped(resolved, regular_only=True)
    except InputError as error:
        issues.add(
            node, path, f"{node.text!r} (resolved to {resolved}): {error.problems[0].message}"
        )
        return None
    return str(resolved)
