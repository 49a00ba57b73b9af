"""Plan files (FORMAT.md section 2): writing them safely and reading them back strictly.

Writing is atomic (temp file in the target directory, fsync, `os.replace`) because a plan is
what operators act on: a crash or a full disk must leave either the old plan or the new one,
never half of one. Reading is as strict and as located as scenario reading, because
`nfvplan check` is meant to accept hand-edited plans and must answer "line 40: rack must be a
whole number >= 1", not a KeyError.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from nfvplan.errors import InputError
from nfvplan.io.output import write_output
from nfvplan.io.yamlsrc import (
    MAX_AMOUNT,
    Issues,
    Node,
    YamlPath,
    boolean,
    choice,
    describe,
    fields,
    items,
    load_yaml_file,
    number,
    refuse_swapped,
    text,
)
from nfvplan.model import FORMAT_VERSION, Form
from nfvplan.plan import (
    RESOURCE_KEYS,
    LinkLoad,
    Migration,
    MigrationStep,
    ObjectiveValue,
    Placement,
    Plan,
    Route,
    ServerUse,
    SolveStats,
    Status,
    Summary,
    WorkerVm,
)

MAX_PLAN_BYTES = 32 * 1024 * 1024
"""Plans list every placement, so they may be far larger than scenarios."""
MAX_PLAN_NODES = 2_000_000
DECIMALS = 6
"""Floats are rounded to this many decimals: enough for Gbps and GiB, stable in diffs."""

PLAN_KEYS = (
    "nfvplan",
    "scenario",
    "status",
    "objective",
    "summary",
    "servers",
    "placements",
    "workers",
    "routes",
    "links",
    "explanation",
    "stats",
    "migration",
)
OBJECTIVE_KEYS = ("name", "value", "bound", "gap")
SUMMARY_KEYS = (
    "monthly_cost",
    "servers_used",
    "servers_bought",
    "instances",
    "vms",
    "containers",
    "cpu_utilisation",
    "memory_utilisation",
)
_SUMMARY_INTS = ("servers_used", "servers_bought", "instances", "vms", "containers")
SERVER_KEYS = ("id", "site", "type", "rack", "bought", "used")
PLACEMENT_KEYS = ("vnf", "instance", "server", "form", "numa_node", "worker")
WORKER_VM_KEYS = ("id", "server", "trust", "flavor", "numa_node")
ROUTE_KEYS = ("service", "demand", "gbps", "latency_ms", "path", "via")
LINK_KEYS = ("a", "b", "gbps", "capacity_gbps", "utilisation")
STATS_KEYS = ("formulation", "workers", "seed", "notes")
"""What a plan file records of its search: the same for the same inputs on any machine."""
_LEGACY_STATS_KEYS = ("wall_time_s",)
"""Read (and dropped) so that plans written before files became git-friendly still load."""
MIGRATION_KEYS = (
    "kept",
    "moved",
    "added",
    "removed",
    "cost_before",
    "cost_after",
    "saving",
    "saving_per_move",
    "needs_spare",
    "steps",
)
STEP_KEYS = ("action", "instance", "vnf", "form", "from", "to", "note")
STEP_ACTIONS = ("remove", "move", "add")


# ---------------------------------------------------------------------------------------------
# Writing


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan as plain data in FORMAT.md order: enums as strings, floats rounded.

    `migration` is only present for a re-plan, so other plan files keep FORMAT's exact keys.
    """
    data = _plan_dict(plan)
    if plan.migration is not None:
        data["migration"] = _migration_dict(plan.migration)
    return data


def _migration_dict(migration: Migration) -> dict[str, Any]:
    per_move = migration.saving_per_move
    return {
        "kept": migration.kept,
        "moved": migration.moved,
        "added": migration.added,
        "removed": migration.removed,
        "cost_before": _round(migration.cost_before),
        "cost_after": _round(migration.cost_after),
        "saving": _round(migration.saving),
        "saving_per_move": None if per_move is None else _round(per_move),
        "needs_spare": migration.needs_spare,
        "steps": [
            {
                "action": step.action,
                "instance": step.instance,
                "vnf": step.vnf,
                "form": step.form,
                "from": step.source,
                "to": step.target,
                **({"note": step.note} if step.note else {}),
            }
            for step in migration.steps
        ],
    }


def _plan_dict(plan: Plan) -> dict[str, Any]:
    return {
        "nfvplan": plan.version,
        "scenario": plan.scenario,
        "status": Status(plan.status).value,
        "objective": {
            "name": plan.objective.name,
            "value": _round(plan.objective.value),
            "bound": _round(plan.objective.bound),
            "gap": _round(plan.objective.gap),
        },
        "summary": {
            key: _round(getattr(plan.summary, key))
            if key not in _SUMMARY_INTS
            else int(getattr(plan.summary, key))
            for key in SUMMARY_KEYS
        },
        "servers": [_server_dict(server) for server in plan.servers],
        "placements": [_placement_dict(placement) for placement in plan.placements],
        **_workers_dict(plan),
        "routes": [_route_dict(route) for route in plan.routes],
        "links": [_link_dict(link) for link in plan.links],
        "explanation": list(plan.explanation) if plan.explanation is not None else None,
        # No wall time or other machine-dependent figure: the same scenario, seed and options
        # give byte-identical files (issue 14); `solve --stats FILE` writes the run statistics.
        "stats": {
            "formulation": plan.stats.formulation,
            "workers": plan.stats.workers,
            "seed": plan.stats.seed,
            "notes": list(plan.stats.notes),
        },
    }


def _round(value: float | None) -> float | None:
    """Rounded float; None for None and for inf/nan, which neither YAML nor JSON carry alike."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), DECIMALS)


def _server_dict(server: ServerUse) -> dict[str, Any]:
    return {
        "id": server.id,
        "site": server.site,
        "type": server.type,
        "rack": server.rack,
        "bought": bool(server.bought),
        "used": {key: _round(server.used.get(key, 0.0)) for key in RESOURCE_KEYS},
    }


def _placement_dict(placement: Placement) -> dict[str, Any]:
    out: dict[str, Any] = {
        "vnf": placement.vnf,
        "instance": placement.instance,
        "server": placement.server,
        "form": getattr(placement.form, "value", placement.form),
    }
    if placement.numa_node is not None:
        out["numa_node"] = placement.numa_node
    if placement.worker is not None:
        out["worker"] = placement.worker
    return out


def _workers_dict(plan: Plan) -> dict[str, Any]:
    """`workers:` only when the plan nests something: a v1 plan without it reads as before."""
    if not plan.workers:
        return {}
    entries = []
    for worker in plan.workers:
        entry: dict[str, Any] = {
            "id": worker.id,
            "server": worker.server,
            "trust": worker.trust,
            "flavor": worker.flavor,
        }
        if worker.numa_node is not None:
            entry["numa_node"] = worker.numa_node
        entries.append(entry)
    return {"workers": entries}


def _route_dict(route: Route) -> dict[str, Any]:
    return {
        "service": route.service,
        "demand": route.demand,
        "gbps": _round(route.gbps),
        "latency_ms": _round(route.latency_ms),
        "path": list(route.path),
        "via": list(route.via),
    }


def _link_dict(link: LinkLoad) -> dict[str, Any]:
    return {
        "a": link.a,
        "b": link.b,
        "gbps": _round(link.gbps),
        "capacity_gbps": _round(link.capacity_gbps),
        "utilisation": _round(link.utilisation),
    }


_LINE_BREAKS = ("\x85", "\u2028", "\u2029")
"""Characters YAML reads as line breaks. PyYAML writes them raw inside single quotes, where a
reader folds NEL into a space: a name holding one would not survive a round trip."""
_HAS_LINE_BREAK = re.compile("[" + "".join(_LINE_BREAKS) + "]").search


_SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""libyaml's emitter when PyYAML has it: the pure-Python one took 23 s for a 30 000-instance
plan (about 8x the C one), and both write the same text."""


class _PlanDumper(_SafeDumper):  # type: ignore[valid-type,misc]
    """The safe dumper, with double quotes (which escape them) for strings with line breaks."""

    def represent_str(self, data: str) -> yaml.ScalarNode:
        if _HAS_LINE_BREAK(data):
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
        return super().represent_str(data)


_PlanDumper.add_representer(str, _PlanDumper.represent_str)


def dump_plan(plan: Plan, fmt: str = "yaml") -> str:
    """The plan file's text in `fmt` ("yaml" or "json")."""
    data = plan_to_dict(plan)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "yaml":
        return yaml.dump(
            data,
            Dumper=_PlanDumper,
            sort_keys=False,
            default_flow_style=None,
            allow_unicode=True,
            width=100,
        )
    raise InputError.single("<output>", f"unknown plan format {fmt!r}; use yaml or json")


def write_plan(plan: Plan, path: str | Path, fmt: str | None = None) -> None:
    """Write the plan to `path` atomically.

    `fmt` defaults to json for a `.json` path and yaml otherwise. The text is built before
    anything touches the disk; it goes to a temp file beside `path`, is fsynced, then renamed
    over `path`. On any failure the temp file is removed and an existing `path` is untouched.
    OS errors (missing directory, read-only or full disk) propagate as `OSError`: the CLI
    reports them with the path and exit code 2.
    """
    target = Path(path)
    content = dump_plan(plan, plan_format(target, fmt)).encode("utf-8")
    write_output(target, content)


PLAN_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
"""The file names a plan is written under, and the format each one means."""


def plan_format(path: str | Path, fmt: str | None = None) -> str:
    """The format a plan written to `path` gets: `fmt` when given, else the one its suffix
    names. Any other suffix is refused (InputError, before anything is solved or written):
    `-o plan.csv` writing YAML under a CSV name is a surprise no one wants."""
    if fmt is not None:
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix in PLAN_SUFFIXES:
        return PLAN_SUFFIXES[suffix]
    named = f"'{suffix}' is not a plan format" if suffix else "it has no suffix"
    raise InputError.single(
        str(path),
        f"cannot tell the plan format from the name: {named}; name it .yaml, .yml or .json "
        "(or pass --format yaml|json)",
    )


def stats_to_dict(plan: Plan) -> dict[str, Any]:
    """The run statistics `solve --stats FILE` writes: what the plan file leaves out."""
    return {
        "scenario": plan.scenario,
        "status": Status(plan.status).value,
        "wall_time_s": _round(plan.stats.wall_time_s),
        "formulation": plan.stats.formulation,
        "workers": plan.stats.workers,
        "seed": plan.stats.seed,
        "notes": list(plan.stats.notes),
        "phases": {name: _round(seconds) for name, seconds in plan.stats.phases},
        "first_plan_s": _round(plan.stats.first_plan_s),
        "baseline": _round(plan.stats.baseline),
        "bound_source": plan.stats.bound_source,
    }


def write_stats(plan: Plan, path: str | Path) -> None:
    """Write the run statistics of `plan` to `path` as JSON, atomically."""
    text = json.dumps(stats_to_dict(plan), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    write_output(Path(path), text.encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# Reading

Place = tuple[int, int]
"""1-based line and column in a plan file."""


def plan_places(path: str | Path) -> dict[tuple[str, ...], Place]:
    """Where things are written in a plan file, for messages about a plan that read cleanly.

    Keys: a top-level key (`("summary",)`), `("instance", name)` and `("server", id)` (their
    first entry under `placements` / `servers`; a server only placed on, its first placement).
    Read again only when there is something to report, so `check` of a good plan pays nothing.
    """
    root = load_yaml_file(path, max_bytes=MAX_PLAN_BYTES, max_nodes=MAX_PLAN_NODES)
    places: dict[tuple[str, ...], Place] = {(key,): position for key, position in root.keys.items()}
    sections = {key: root.value.get(key) for key in ("servers", "placements")}
    for section, field_name, kind in (
        ("servers", "id", "server"),
        ("placements", "instance", "instance"),
        ("placements", "server", "server"),
    ):
        node = sections[section]
        for entry in node.value if node is not None and node.kind == "seq" else ():
            value = entry.value.get(field_name) if entry.kind == "map" else None
            if value is not None and value.kind == "scalar":
                places.setdefault((kind, value.text), (entry.line, entry.column))
    return places


SCENARIO_MARKS = ("server_types", "sites", "vnfs", "platform")
"""Top-level keys only a scenario has: a file with them where a plan belongs is a scenario."""


def read_plan(path: str | Path) -> Plan:
    """Read a plan file written by `write_plan` (yaml or json) or edited by hand.

    Raises InputError with file, line, column and field for anything missing or ill-typed.
    """
    root = load_yaml_file(path, max_bytes=MAX_PLAN_BYTES, max_nodes=MAX_PLAN_NODES)
    refuse_swapped(
        root,
        str(path),
        marks=SCENARIO_MARKS,
        exclusive=("placements", "status"),
        found="scenario",
    )
    issues = Issues(str(path))
    plan = _plan(issues, root)
    issues.raise_if_any()
    return plan


def _plan(issues: Issues, root: Node) -> Plan:
    top = fields(issues, root, (), PLAN_KEYS, ("nfvplan", "scenario", "status", "objective"))
    version = number(issues, top.get("nfvplan"), ("nfvplan",), integer=True, default=FORMAT_VERSION)
    if version != FORMAT_VERSION:
        issues.add(
            top["nfvplan"],
            ("nfvplan",),
            f"unsupported plan version {version}; this nfvplan reads version {FORMAT_VERSION}",
        )
    status = choice(issues, top.get("status"), ("status",), [s.value for s in Status], "unknown")
    return Plan(
        scenario=text(issues, top.get("scenario"), ("scenario",)),
        status=Status(status),
        objective=_objective(issues, top.get("objective")),
        summary=_summary(issues, top.get("summary")),
        servers=_each(issues, top, "servers", _server),
        placements=_each(issues, top, "placements", _placement),
        routes=_each(issues, top, "routes", _route),
        links=_each(issues, top, "links", _link),
        explanation=_explanation(issues, top.get("explanation")),
        stats=_stats(issues, top.get("stats")),
        version=version,
        migration=_migration(issues, top.get("migration")),
        workers=_each(issues, top, "workers", _worker_vm),
    )


def _each(issues: Issues, top: dict[str, Node], key: str, build: Any) -> list[Any]:
    """Build every entry of the list `key` with `build(issues, node, path)`."""
    return [
        build(issues, node, (key, index))
        for index, node in enumerate(items(issues, top.get(key), (key,), key))
    ]


def _amount(issues: Issues, entry: dict[str, Node], path: YamlPath, key: str) -> float:
    return number(issues, entry.get(key), (*path, key), default=0.0)


def _count(issues: Issues, entry: dict[str, Node], path: YamlPath, key: str, low: int = 0) -> int:
    return number(issues, entry.get(key), (*path, key), integer=True, minimum=low, default=low)


def _signed(issues: Issues, node: Node | None, path: YamlPath) -> float | None:
    """An objective figure: any finite number, or empty."""
    if node is None:
        return None
    return number(issues, node, path, minimum=-MAX_AMOUNT)


def _objective(issues: Issues, node: Node | None) -> ObjectiveValue:
    path: YamlPath = ("objective",)
    entry = fields(issues, node, path, OBJECTIVE_KEYS, ("name",))
    return ObjectiveValue(
        name=text(issues, entry.get("name"), (*path, "name")),
        value=_signed(issues, entry.get("value"), (*path, "value")),
        bound=_signed(issues, entry.get("bound"), (*path, "bound")),
        gap=_signed(issues, entry.get("gap"), (*path, "gap")),
    )


def _summary(issues: Issues, node: Node | None) -> Summary:
    path: YamlPath = ("summary",)
    entry = fields(issues, node, path, SUMMARY_KEYS)
    values: dict[str, Any] = {
        key: _count(issues, entry, path, key)
        if key in _SUMMARY_INTS
        else _amount(issues, entry, path, key)
        for key in SUMMARY_KEYS
    }
    return Summary(**values)


def _server(issues: Issues, node: Node, path: YamlPath) -> ServerUse:
    entry = fields(issues, node, path, SERVER_KEYS, ("id", "site", "type", "rack", "used"))
    used_entry = fields(issues, entry.get("used"), (*path, "used"), RESOURCE_KEYS, RESOURCE_KEYS)
    return ServerUse(
        id=text(issues, entry.get("id"), (*path, "id")),
        site=text(issues, entry.get("site"), (*path, "site")),
        type=text(issues, entry.get("type"), (*path, "type")),
        rack=_count(issues, entry, path, "rack", low=1),
        bought=boolean(issues, entry.get("bought"), (*path, "bought")),
        used={key: _amount(issues, used_entry, (*path, "used"), key) for key in RESOURCE_KEYS},
    )


def _placement(issues: Issues, node: Node, path: YamlPath) -> Placement:
    entry = fields(issues, node, path, PLACEMENT_KEYS, ("vnf", "instance", "server", "form"))
    numa = None
    if "numa_node" in entry:
        numa = _count(issues, entry, path, "numa_node")
    forms = [form.value for form in Form]
    return Placement(
        vnf=text(issues, entry.get("vnf"), (*path, "vnf")),
        instance=text(issues, entry.get("instance"), (*path, "instance")),
        server=text(issues, entry.get("server"), (*path, "server")),
        form=choice(issues, entry.get("form"), (*path, "form"), forms, "vm"),
        numa_node=numa,
        worker=text(issues, entry["worker"], (*path, "worker")) if "worker" in entry else None,
    )


def _worker_vm(issues: Issues, node: Node, path: YamlPath) -> WorkerVm:
    entry = fields(issues, node, path, WORKER_VM_KEYS, ("id", "server", "trust", "flavor"))
    numa = _count(issues, entry, path, "numa_node") if "numa_node" in entry else None
    return WorkerVm(
        id=text(issues, entry.get("id"), (*path, "id")),
        server=text(issues, entry.get("server"), (*path, "server")),
        trust=text(issues, entry.get("trust"), (*path, "trust")),
        flavor=text(issues, entry.get("flavor"), (*path, "flavor")),
        numa_node=numa,
    )


def _route(issues: Issues, node: Node, path: YamlPath) -> Route:
    entry = fields(issues, node, path, ROUTE_KEYS, ROUTE_KEYS)
    return Route(
        service=text(issues, entry.get("service"), (*path, "service")),
        demand=_count(issues, entry, path, "demand"),
        gbps=_amount(issues, entry, path, "gbps"),
        latency_ms=_amount(issues, entry, path, "latency_ms"),
        path=_texts(issues, entry.get("path"), (*path, "path")),
        via=_texts(issues, entry.get("via"), (*path, "via")),
    )


def _link(issues: Issues, node: Node, path: YamlPath) -> LinkLoad:
    entry = fields(issues, node, path, LINK_KEYS, ("a", "b", "gbps", "capacity_gbps"))
    if "utilisation" in entry:  # derived on writing; checked for type only
        _amount(issues, entry, path, "utilisation")
    return LinkLoad(
        a=text(issues, entry.get("a"), (*path, "a")),
        b=text(issues, entry.get("b"), (*path, "b")),
        gbps=_amount(issues, entry, path, "gbps"),
        capacity_gbps=_amount(issues, entry, path, "capacity_gbps"),
    )


def _texts(issues: Issues, node: Node | None, path: YamlPath) -> list[str]:
    return [
        text(issues, item, (*path, index))
        for index, item in enumerate(items(issues, node, path, "names"))
    ]


def _explanation(issues: Issues, node: Node | None) -> list[str] | None:
    if node is None:
        return None
    if node.kind == "scalar" and node.tag == "str":
        return [node.text]
    if node.kind != "seq":
        issues.add(node, ("explanation",), f"must be a list of text or null, got {describe(node)}")
        return None
    return _texts(issues, node, ("explanation",))


def _stats(issues: Issues, node: Node | None) -> SolveStats:
    path: YamlPath = ("stats",)
    entry = fields(issues, node, path, STATS_KEYS + _LEGACY_STATS_KEYS)
    return SolveStats(
        wall_time_s=_amount(issues, entry, path, "wall_time_s"),
        formulation=text(issues, entry.get("formulation"), (*path, "formulation")),
        workers=_count(issues, entry, path, "workers"),
        seed=_count(issues, entry, path, "seed"),
        notes=tuple(_texts(issues, entry["notes"], (*path, "notes")) if "notes" in entry else ()),
    )


def _migration(issues: Issues, node: Node | None) -> Migration | None:
    """The optional re-plan section; `saving` and `saving_per_move` are derived, so not read."""
    if node is None or (node.kind == "scalar" and node.tag == "null"):
        return None
    path: YamlPath = ("migration",)
    entry = fields(issues, node, path, MIGRATION_KEYS)
    steps = []
    for index, item in enumerate(items(issues, entry.get("steps"), (*path, "steps"), "steps")):
        where: YamlPath = (*path, "steps", index)
        step = fields(issues, item, where, STEP_KEYS, ("action", "instance", "vnf", "form"))
        steps.append(
            MigrationStep(
                action=choice(issues, step.get("action"), (*where, "action"), STEP_ACTIONS, "move"),
                instance=text(issues, step.get("instance"), (*where, "instance")),
                vnf=text(issues, step.get("vnf"), (*where, "vnf")),
                form=text(issues, step.get("form"), (*where, "form")),
                source=_optional_text(issues, step.get("from"), (*where, "from")),
                target=_optional_text(issues, step.get("to"), (*where, "to")),
                note=_optional_text(issues, step.get("note"), (*where, "note")) or "",
            )
        )
    return Migration(
        steps=steps,
        kept=_count(issues, entry, path, "kept"),
        moved=_count(issues, entry, path, "moved"),
        added=_count(issues, entry, path, "added"),
        removed=_count(issues, entry, path, "removed"),
        cost_before=_amount(issues, entry, path, "cost_before"),
        cost_after=_amount(issues, entry, path, "cost_after"),
        needs_spare=boolean(issues, entry.get("needs_spare"), (*path, "needs_spare")),
    )


def _optional_text(issues: Issues, node: Node | None, path: YamlPath) -> str | None:
    if node is None or (node.kind == "scalar" and node.tag == "null"):
        return None
    return text(issues, node, path)


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def locate_in_plan(error: InputError, path: str | Path) -> InputError:
    """`error` with a line and column for each of its unlocated problems about the plan file
    `path`, found from the problem's field path (`placements[3].server`).

    Checks that run on a `Plan` already read (`solve --current`, `refresh`) know the field, not
    the line; every other input error names one, so these should too. The file is read again
    only here, when there is an error to report; an unreadable file leaves `error` as it is.
    """
    if all(p.line is not None or p.file != str(path) for p in error.problems):
        return error
    try:
        root = load_yaml_file(path, max_bytes=MAX_PLAN_BYTES, max_nodes=MAX_PLAN_NODES)
    except (InputError, OSError):
        return error
    problems = []
    for problem in error.problems:
        if problem.line is None and problem.file == str(path):
            line, column = _position(root, problem.path)
            problem = replace(problem, line=line, column=column)
        problems.append(problem)
    return InputError(problems)


def _position(root: Node, field_path: str) -> tuple[int, int]:
    """Where `field_path` is written under `root`: the value of the deepest part of it the
    file has (a problem with a value points at the value, as the readers' own errors do)."""
    node, where = root, (root.line, root.column)
    for name, index in _PATH_PART.findall(field_path):
        if name and node.kind == "map" and name in node.value:
            node = node.value[name]
            where = (node.line, node.column)
        elif index and node.kind == "seq" and int(index) < len(node.value):
            node = node.value[int(index)]
            where = (node.line, node.column)
        else:
            break
    return where
