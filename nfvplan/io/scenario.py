"""Scenario files (FORMAT.md section 1): YAML in, a validated `Scenario` out, or every problem.

Each section has its own small function with its table of allowed keys. They all record into
one `Issues` and return usable defaults, so one run reports every mistake in the file (the
user fixes them in one round), and nothing half-validated ever reaches the solver: the
`Scenario` is returned only when no problem was found.

Checks run in dependency order: server types before the sites that install them, sites
(and the topology's) before links and VNF placement rules, VNFs before service chains.
References are checked against the names a section declares even when an entry itself is
broken, so one typo does not cascade into a page of "unknown X" errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nfvplan.errors import InputError
from nfvplan.io.topology import Topology, load_topology, parse_links
from nfvplan.io.yamlsrc import (
    Issues,
    Named,
    Node,
    YamlPath,
    choice,
    describe,
    fields,
    items,
    name_ref,
    names,
    number,
    parse_yaml,
    read_capped,
    text,
)
from nfvplan.model import (
    FORMAT_VERSION,
    Demand,
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
    Service,
    Site,
    SiteFilter,
    SolverSettings,
    Vnf,
)

TOP_KEYS = (
    "nfvplan",
    "name",
    "description",
    "platform",
    "server_types",
    "sites",
    "topology",
    "links",
    "vnfs",
    "services",
    "objective",
    "solver",
)
TOP_REQUIRED = ("nfvplan", "server_types", "sites", "vnfs")
PLATFORM_KEYS = ("vm", "container", "cpu_overcommit")
FORM_KEYS = ("overhead", "host_reserve", "boot_seconds")
OVERHEAD_KEYS = ("vcpu", "memory_gib", "disk_gib")
RESERVE_KEYS = ("cores", "memory_gib", "disk_gib")
SERVER_TYPE_KEYS = (
    "cores",
    "threads_per_core",
    "memory_gib",
    "disk_gib",
    "nic_gbps",
    "sriov_vfs",
    "numa_nodes",
    "monthly_cost",
)
SERVER_TYPE_REQUIRED = ("cores", "memory_gib", "monthly_cost")
SITE_KEYS = ("kind", "racks", "servers", "expand")
VNF_KEYS = (
    "flavor",
    "forms",
    "replicas",
    "throughput_gbps",
    "redundancy",
    "anti_affinity",
    "trust",
    "sites",
    "license_monthly",
    "cpu",
    "numa",
    "isolation",
)
FLAVOR_KEYS = ("vcpu", "memory_gib", "hugepages_gib", "disk_gib", "sriov_vfs", "gbps")
SERVICE_KEYS = ("chain", "demands")
DEMAND_KEYS = ("from", "to", "gbps", "max_latency_ms")
SOLVER_KEYS = ("time_limit_s", "workers", "seed")

MAX_NUMA_NODES = 64
MAX_WORKERS = 1024
MAX_SEED = 2**31 - 1
_EPSILON = 1e-9


@dataclass
class _Context:
    """What later sections need to know about earlier ones while checking."""

    issues: Issues
    type_names: list[str]
    good_types: list[ServerType]
    site_names: list[str]
    transit_names: list[str]
    kinds: list[str]
    overcommit: float


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate the scenario file at `path`.

    Raises `InputError` listing every problem (file, line, column, field, what would be valid);
    never any other exception for anything in the file. A `topology:` path is resolved
    relative to the scenario file's directory.
    """
    data = read_capped(path)
    return parse_scenario(data, filename=str(path), base_dir=Path(path).parent)


def parse_scenario(
    data: str | bytes, filename: str = "<string>", base_dir: str | Path | None = None
) -> Scenario:
    """Validate scenario text. `filename` is used in messages and as `Scenario.source`;
    `base_dir` anchors a relative `topology:` path (default: the current directory)."""
    return scenario_from_tree(parse_yaml(data, filename), filename, base_dir)


def scenario_from_tree(
    root: Node, filename: str = "<string>", base_dir: str | Path | None = None
) -> Scenario:
    """Validate an already-parsed document (see `parse_scenario`).

    The hook for documents built from several sources, such as a scenario with what-if patches
    merged in: nodes that carry their own `file` are reported there (see `Node.file`).
    """
    issues = Issues(filename)
    top = fields(issues, root, (), TOP_KEYS, TOP_REQUIRED)
    _check_version(issues, top.get("nfvplan"), root)
    platform = _platform(issues, top.get("platform"))
    server_types = _server_types(issues, top.get("server_types"))
    topology = _topology(issues, top.get("topology"), base_dir)
    site_entries = _named(issues, top, "sites", "site")
    ctx = _Context(
        issues=issues,
        type_names=list(server_types),
        good_types=[t for t in server_types.values() if t is not None],
        site_names=list(site_entries),
        transit_names=[],
        kinds=[],
        overcommit=platform.cpu_overcommit,
    )
    sites = _sites(ctx, site_entries, topology)
    links = _links(ctx, top.get("links"), topology)
    vnf_entries = _named(issues, top, "vnfs", "VNF")
    vnfs = {name: _vnf(ctx, entry) for name, entry in vnf_entries.items()}
    before_services = len(issues.problems)
    services = _services(ctx, top.get("services"), list(vnf_entries))
    if len(issues.problems) == before_services:  # a broken chain would only cascade here
        _check_chained(ctx, vnfs, services, vnf_entries)
    scenario = Scenario(
        name=text(issues, top.get("name"), ("name",), _default_name(filename)),
        description=text(issues, top.get("description"), ("description",)),
        platform=platform,
        server_types={n: t for n, t in server_types.items() if t is not None},
        sites=sites,
        links=links,
        vnfs={n: v for n, v in vnfs.items() if v is not None},
        services=services,
        objective=Objective(
            choice(issues, top.get("objective"), ("objective",), _values(Objective), "cost")
        ),
        solver=_solver(issues, top.get("solver")),
        source=filename,
    )
    issues.raise_if_any()
    return scenario


def _values(enum: type[Objective] | type[Scope] | type[Form]) -> list[str]:
    return [member.value for member in enum]


def _default_name(filename: str) -> str:
    return "scenario" if filename.startswith("<") else Path(filename).stem


def _named(issues: Issues, top: dict[str, Node], key: str, what: str) -> dict[str, Named]:
    """A required, non-empty section of named entries."""
    entries = names(issues, top.get(key), (key,), what)
    if key in top and top[key].kind == "map" and not entries:
        issues.add(top[key], (key,), f"must define at least one {what}")
    return entries


# ---------------------------------------------------------------------------------------------
# Header, platform, server types


def _check_version(issues: Issues, node: Node | None, root: Node) -> None:
    """Refuse other format versions at once: their other 'errors' would only be noise."""
    if node is None:
        if "nfvplan-topology" in root.value:
            issues.add(
                root, (), "this is a topology file; a scenario refers to it with 'topology:'"
            )
        return
    if node.kind == "scalar" and node.tag == "int":
        if node.value == FORMAT_VERSION:
            return
        message = (
            f"unsupported format version {node.value}; this nfvplan reads version {FORMAT_VERSION}"
        )
    else:
        message = f"must be the format version {FORMAT_VERSION}, got {describe(node)}"
    raise InputError.single(
        node.file or issues.file,
        message,
        path="nfvplan",
        line=node.line or None,
        column=node.column or None,
    )


def _platform(issues: Issues, node: Node | None) -> Platform:
    entry = fields(issues, node, ("platform",), PLATFORM_KEYS)
    overcommit = number(
        issues, entry.get("cpu_overcommit"), ("platform", "cpu_overcommit"), minimum=1, default=1.0
    )
    return Platform(
        vm=_form_spec(issues, entry.get("vm"), ("platform", "vm")),
        container=_form_spec(issues, entry.get("container"), ("platform", "container")),
        cpu_overcommit=overcommit,
    )


def _form_spec(issues: Issues, node: Node | None, path: YamlPath) -> FormSpec:
    entry = fields(issues, node, path, FORM_KEYS)
    over = fields(issues, entry.get("overhead"), (*path, "overhead"), OVERHEAD_KEYS)
    reserve = fields(issues, entry.get("host_reserve"), (*path, "host_reserve"), RESERVE_KEYS)

    def amount(section: dict[str, Node], key: str, sub: str) -> float:
        return number(issues, section.get(key), (*path, sub, key), default=0.0)

    return FormSpec(
        overhead=Overhead(**{k: amount(over, k, "overhead") for k in OVERHEAD_KEYS}),
        host_reserve=HostReserve(**{k: amount(reserve, k, "host_reserve") for k in RESERVE_KEYS}),
        boot_seconds=number(
            issues, entry.get("boot_seconds"), (*path, "boot_seconds"), default=0.0
        ),
    )


def _server_types(issues: Issues, node: Node | None) -> dict[str, ServerType | None]:
    """Every declared server type; None for an entry with problems (kept out of fit checks)."""
    result: dict[str, ServerType | None] = {}
    entries = names(issues, node, ("server_types",), "server type")
    if node is not None and node.kind == "map" and not entries:
        issues.add(node, ("server_types",), "must define at least one server type")
    for name, entry in entries.items():
        before = len(issues.problems)
        server_type = _server_type(issues, entry)
        result[name] = server_type if len(issues.problems) == before else None
    return result


def _server_type(issues: Issues, named: Named) -> ServerType:
    path: YamlPath = ("server_types", named.name)
    entry = fields(issues, named.node, path, SERVER_TYPE_KEYS, SERVER_TYPE_REQUIRED, at=named.at)

    def get(key: str, **rules: Any) -> Any:
        return number(issues, entry.get(key), (*path, key), **rules)

    return ServerType(
        name=named.name,
        cores=get("cores", integer=True, exclusive=True, default=1),
        threads_per_core=get("threads_per_core", integer=True, minimum=1, maximum=64, default=1),
        memory_gib=get("memory_gib", exclusive=True, default=1.0),
        disk_gib=get("disk_gib", default=0.0),
        nic_gbps=get("nic_gbps", default=0.0),
        sriov_vfs=get("sriov_vfs", integer=True, default=0),
        numa_nodes=get("numa_nodes", integer=True, minimum=1, maximum=MAX_NUMA_NODES, default=1),
        monthly_cost=get("monthly_cost", default=0.0),
    )


# ---------------------------------------------------------------------------------------------
# Topology, sites, links


def _topology(issues: Issues, node: Node | None, base_dir: str | Path | None) -> Topology | None:
    """The included topology file; its problems are reported under its own file name."""
    if node is None:
        return None
    relative = text(issues, node, ("topology",))
    if not relative:
        return None
    path = Path(base_dir or ".") / relative
    try:
        return load_topology(path, regular_only=True)
    except InputError as exc:
        if len(exc.problems) == 1 and exc.problems[0].line is None:
            # The file itself is missing or unreadable: the scenario's `topology:` is at fault.
            issues.add(
                node, ("topology",), f"cannot use topology {str(path)!r}: {exc.problems[0].message}"
            )
        else:
            issues.extend(exc.problems)
        return None


def _sites(ctx: _Context, entries: dict[str, Named], topology: Topology | None) -> dict[str, Site]:
    """Scenario sites in file order, then the topology's other sites as transit sites."""
    sites = {name: _site(ctx, entry) for name, entry in entries.items()}
    ctx.kinds = sorted({s.kind for s in sites.values() if s.kind is not None})
    if topology is not None:
        for name, site in topology.sites.items():
            if name not in sites:
                sites[name] = Site(name, site.kind, racks=1, servers={}, expand={}, transit=True)
                ctx.transit_names.append(name)
    return sites


def _site(ctx: _Context, named: Named) -> Site:
    issues = ctx.issues
    name, node, key_at = named.name, named.node, named.at
    path: YamlPath = ("sites", name)
    if node.is_null:
        return Site(name, None, racks=1, servers={}, expand={})
    entry = fields(issues, node, path, SITE_KEYS, at=key_at)
    kind = text(issues, entry.get("kind"), (*path, "kind")) if "kind" in entry else None
    return Site(
        name=name,
        kind=kind,
        racks=number(
            issues, entry.get("racks"), (*path, "racks"), integer=True, minimum=1, default=1
        ),
        servers=_inventory(ctx, entry.get("servers"), (*path, "servers")),
        expand=_inventory(ctx, entry.get("expand"), (*path, "expand")),
    )


def _inventory(ctx: _Context, node: Node | None, path: YamlPath) -> dict[str, int]:
    """A `{server type: count}` mapping, in file order (it numbers the servers)."""
    issues = ctx.issues
    if node is None:
        return {}
    if node.kind != "map":
        issues.add(
            node,
            path,
            "must be a mapping of server type to count, like {r750-nfv: 4}, "
            f"got {describe(node)}",
        )
        return {}
    result: dict[str, int] = {}
    for type_name, count_node in node.value.items():
        at = node.keys[type_name]
        key = Node(
            "scalar", type_name, *at, text=type_name, tag="str", file=getattr(at, "file", "")
        )
        if name_ref(issues, key, (*path, type_name), "server type", ctx.type_names) is None:
            continue
        result[type_name] = number(issues, count_node, (*path, type_name), integer=True, default=0)
    return result


def _links(ctx: _Context, node: Node | None, topology: Topology | None) -> tuple[Link, ...]:
    """The topology's links with the scenario's: a scenario link replaces the same pair's."""
    known = ctx.site_names + ctx.transit_names
    own = parse_links(ctx.issues, node, ("links",), known)
    merged: dict[frozenset[str], Link] = {}
    for link in topology.links if topology is not None else ():
        merged[frozenset((link.a, link.b))] = link
    for link in own:
        merged[frozenset((link.a, link.b))] = link
    return tuple(merged.values())


# ---------------------------------------------------------------------------------------------
# VNFs


def _vnf(ctx: _Context, named: Named) -> Vnf | None:
    """One VNF with its rules; None when it has problems."""
    issues = ctx.issues
    before = len(issues.problems)
    name, node, key_at = named.name, named.node, named.at
    path: YamlPath = ("vnfs", name)
    entry = fields(issues, node, path, VNF_KEYS, ("flavor",), at=key_at)
    replicas, throughput, redundancy = _count_rule(issues, entry, path, key_at)
    scope = choice(issues, entry.get("anti_affinity"), (*path, "anti_affinity"), _values(Scope), "")
    vnf = Vnf(
        name=name,
        flavor=_flavor(issues, entry.get("flavor"), (*path, "flavor")),
        forms=_forms(issues, entry.get("forms"), (*path, "forms")),
        replicas=replicas,
        throughput_gbps=throughput,
        redundancy=redundancy,
        anti_affinity=Scope(scope) if scope else None,
        trust=text(issues, entry.get("trust"), (*path, "trust"), name),
        sites=_site_filter(ctx, entry.get("sites"), (*path, "sites")),
        license_monthly=number(
            issues, entry.get("license_monthly"), (*path, "license_monthly"), default=0.0
        ),
        dedicated_cpu=_flag(issues, entry, path, "cpu", ("shared", "dedicated")),
        numa_aligned=_flag(issues, entry, path, "numa", ("any", "aligned")),
        isolated=_flag(issues, entry, path, "isolation", ("shared", "host")),
    )
    if len(issues.problems) != before:
        return None
    _check_fit(ctx, vnf, entry["flavor"], (*path, "flavor"))
    return vnf


def _flag(
    issues: Issues, entry: dict[str, Node], path: YamlPath, key: str, words: Sequence[str]
) -> bool:
    """A two-word setting (`cpu: shared|dedicated`...): True for the second, the non-default."""
    return choice(issues, entry.get(key), (*path, key), words, words[0]) == words[1]


def _count_rule(
    issues: Issues, entry: dict[str, Node], path: YamlPath, key_at: tuple[int, int]
) -> tuple[int | None, float | None, int]:
    """`replicas` or `throughput_gbps` (exactly one), and `redundancy` (throughput only)."""
    replicas = throughput = None
    if "replicas" in entry:
        replicas = number(
            issues, entry["replicas"], (*path, "replicas"), integer=True, minimum=1, default=1
        )
    if "throughput_gbps" in entry:
        throughput = number(
            issues,
            entry["throughput_gbps"],
            (*path, "throughput_gbps"),
            exclusive=True,
            default=1.0,
        )
    redundancy = number(
        issues, entry.get("redundancy"), (*path, "redundancy"), integer=True, default=0
    )
    if replicas is not None and throughput is not None:
        issues.add(
            entry["throughput_gbps"],
            path,
            "give replicas (a fixed instance count) or throughput_gbps (per-instance capacity; "
            "the count follows the demand), not both",
        )
    elif replicas is None and throughput is None:
        issues.add(
            key_at,
            path,
            "give replicas (a fixed instance count) or throughput_gbps (per-instance capacity; "
            "the count follows the demand of the service chains through it)",
        )
    if replicas is not None and "redundancy" in entry:
        issues.add(
            entry["redundancy"],
            (*path, "redundancy"),
            "redundancy adds spares to a throughput-sized VNF; with replicas, count the spares "
            "in replicas",
        )
    return replicas, throughput, redundancy


def _flavor(issues: Issues, node: Node | None, path: YamlPath) -> Flavor:
    entry = fields(issues, node, path, FLAVOR_KEYS, ("vcpu", "memory_gib"))
    return Flavor(
        vcpu=number(issues, entry.get("vcpu"), (*path, "vcpu"), exclusive=True, default=1.0),
        memory_gib=number(
            issues, entry.get("memory_gib"), (*path, "memory_gib"), exclusive=True, default=1.0
        ),
        hugepages_gib=number(
            issues, entry.get("hugepages_gib"), (*path, "hugepages_gib"), default=0.0
        ),
        disk_gib=number(issues, entry.get("disk_gib"), (*path, "disk_gib"), default=0.0),
        sriov_vfs=number(
            issues, entry.get("sriov_vfs"), (*path, "sriov_vfs"), integer=True, default=0
        ),
        gbps=number(issues, entry.get("gbps"), (*path, "gbps"), default=0.0),
    )


def _forms(issues: Issues, node: Node | None, path: YamlPath) -> tuple[Form, ...]:
    """The packagings the vendor ships; default both, so the solver may choose."""
    if node is None:
        return (Form.VM, Form.CONTAINER)
    if node.kind != "seq":
        issues.add(node, path, f"must be a list such as [vm, container], got {describe(node)}")
        return (Form.VM,)
    forms: list[Form] = []
    for index, item in enumerate(node.value):
        word = choice(issues, item, (*path, index), _values(Form), "")
        if not word:
            continue
        if Form(word) in forms:
            issues.add(item, (*path, index), f"{word} is listed twice")
        else:
            forms.append(Form(word))
    if not node.value:
        issues.add(node, path, "must list at least one of vm, container")
    return tuple(forms) or (Form.VM,)


def _site_filter(ctx: _Context, node: Node | None, path: YamlPath) -> SiteFilter | None:
    """`[site, ...]` or `{kind: K}`; only sites that can hold servers make sense."""
    issues = ctx.issues
    if node is None:
        return None
    if node.kind == "map":
        entry = fields(issues, node, path, ("kind",), ("kind",))
        if "kind" not in entry:
            return None
        kind = text(issues, entry["kind"], (*path, "kind"))
        if kind not in ctx.kinds:
            known = ", ".join(ctx.kinds) if ctx.kinds else "none (no site sets 'kind')"
            issues.add(
                entry["kind"], (*path, "kind"), f"no site has kind {kind!r}; kinds defined: {known}"
            )
        return SiteFilter(kind=kind)
    if node.kind != "seq":
        issues.add(node, path, f"must be a list of site names or {{kind: K}}, got {describe(node)}")
        return None
    chosen: list[str] = []
    for index, item in enumerate(node.value):
        site = _placeable_site(ctx, item, (*path, index))
        if site is not None and site in chosen:
            issues.add(item, (*path, index), f"site {site!r} is listed twice")
        elif site is not None:
            chosen.append(site)
    if not node.value:
        issues.add(node, path, "must name at least one site (or leave 'sites' out: any site)")
    return SiteFilter(names=tuple(chosen))


def _placeable_site(ctx: _Context, node: Node, path: YamlPath) -> str | None:
    if node.kind == "scalar" and node.text in ctx.transit_names:
        ctx.issues.add(
            node,
            path,
            f"{node.text!r} is a transit site of the topology (no servers); define it under "
            "'sites:' to place VNFs there",
        )
        return None
    return name_ref(ctx.issues, node, path, "site", ctx.site_names)


def _check_fit(ctx: _Context, vnf: Vnf, node: Node, path: YamlPath) -> None:
    """Refuse a flavor that no server type of the file could ever host (bare flavor, no
    overheads), naming the resource and the largest server: the solver would only say
    'infeasible' without saying why."""
    if not ctx.good_types:
        return
    needs = _needs(vnf, ctx.overcommit)
    for resource, need, capacity in needs:
        if all(need > capacity(t) + _EPSILON for t in ctx.good_types):
            largest = max(ctx.good_types, key=capacity)
            ctx.issues.add(
                node,
                path,
                f"needs {_num(need)} {resource} but the largest server type, {largest.name}, "
                f"has {_num(capacity(largest))}; no server can host it",
            )
            return
    lacks = []
    for server_type in ctx.good_types:
        short = [r for r, need, cap in needs if need > cap(server_type) + _EPSILON]
        if not short:
            return
        lacks.append(f"{server_type.name} lacks {short[0]}")
    ctx.issues.add(node, path, "fits no server type: " + "; ".join(lacks))


def _needs(vnf: Vnf, overcommit: float) -> list[tuple[str, float, object]]:
    """(resource, demand, capacity-of-type) triples for the fit check."""
    flavor = vnf.flavor
    threads = flavor.vcpu if vnf.dedicated_cpu else flavor.vcpu / overcommit
    memory = flavor.memory_gib + flavor.hugepages_gib
    needs: list[tuple[str, float, object]] = [
        (
            "hardware threads (vcpu"
            + (", dedicated)" if vnf.dedicated_cpu else " / cpu_overcommit)"),
            threads,
            lambda t: t.threads,
        ),
        ("GiB of memory (memory_gib + hugepages_gib)", memory, lambda t: t.memory_gib),
        ("GiB of disk", flavor.disk_gib, lambda t: t.disk_gib),
        ("SR-IOV VFs", flavor.sriov_vfs, lambda t: t.sriov_vfs),
        ("Gbps of NIC", flavor.gbps, lambda t: t.nic_gbps),
    ]
    if vnf.numa_aligned:
        needs += [
            (
                "hardware threads in one NUMA node (numa: aligned)",
                threads,
                lambda t: t.threads / t.numa_nodes,
            ),
            (
                "GiB of memory in one NUMA node (numa: aligned)",
                memory,
                lambda t: t.memory_gib / t.numa_nodes,
            ),
            (
                "SR-IOV VFs in one NUMA node (numa: aligned)",
                flavor.sriov_vfs,
                lambda t: t.sriov_vfs / t.numa_nodes,
            ),
        ]
    return needs


def _num(value: float) -> str:
    return f"{value:g}"


# ---------------------------------------------------------------------------------------------
# Services, objective, solver


def _services(ctx: _Context, node: Node | None, vnf_names: list[str]) -> dict[str, Service]:
    services: dict[str, Service] = {}
    for name, entry in names(ctx.issues, node, ("services",), "service").items():
        services[name] = _service(ctx, entry, vnf_names)
    return services


def _service(ctx: _Context, named: Named, vnf_names: list[str]) -> Service:
    issues = ctx.issues
    name, node, key_at = named.name, named.node, named.at
    path: YamlPath = ("services", name)
    entry = fields(issues, node, path, SERVICE_KEYS, ("chain",), at=key_at)
    chain: list[str] = []
    chain_node = entry.get("chain")
    for index, item in enumerate(items(issues, chain_node, (*path, "chain"), "VNF names")):
        vnf = name_ref(issues, item, (*path, "chain", index), "VNF", vnf_names)
        if vnf in chain:
            issues.add(item, (*path, "chain", index), f"VNF {vnf!r} appears twice in the chain")
        elif vnf is not None:
            chain.append(vnf)
    if chain_node is not None and chain_node.kind == "seq" and not chain_node.value:
        issues.add(chain_node, (*path, "chain"), "must list at least one VNF")
    demands = tuple(
        _demand(ctx, item, (*path, "demands", index))
        for index, item in enumerate(
            items(issues, entry.get("demands"), (*path, "demands"), "demands")
        )
    )
    return Service(name=name, chain=tuple(chain), demands=demands)


def _demand(ctx: _Context, node: Node, path: YamlPath) -> Demand:
    issues = ctx.issues
    entry = fields(issues, node, path, DEMAND_KEYS, ("from", "gbps"))
    known = ctx.site_names + ctx.transit_names
    source = name_ref(issues, entry.get("from"), (*path, "from"), "site", known)
    target = name_ref(issues, entry.get("to"), (*path, "to"), "site", known)
    latency = None
    if "max_latency_ms" in entry:
        latency = number(issues, entry["max_latency_ms"], (*path, "max_latency_ms"), exclusive=True)
    gbps = number(issues, entry.get("gbps"), (*path, "gbps"), exclusive=True)
    if gbps and abs(gbps * 1000 - round(gbps * 1000)) > 1e-6:
        issues.add(
            entry["gbps"],
            (*path, "gbps"),
            f"traffic is planned in whole Mbit/s: give a multiple of 0.001, got {gbps:g}",
        )
    return Demand(source=source or "", target=target, gbps=gbps, max_latency_ms=latency)


def _check_chained(
    ctx: _Context,
    vnfs: dict[str, Vnf | None],
    services: dict[str, Service],
    entries: dict[str, Named],
) -> None:
    """A throughput-sized VNF outside every chain would get no instances: say so."""
    chained = {vnf for service in services.values() for vnf in service.chain}
    for name, vnf in vnfs.items():
        if vnf is not None and vnf.throughput_gbps is not None and name not in chained:
            ctx.issues.add(
                entries[name].node.keys.get("throughput_gbps"),
                ("vnfs", name, "throughput_gbps"),
                "no service chain passes this VNF, so no demand sizes it; give replicas, or put "
                "it in a service chain",
            )


def _solver(issues: Issues, node: Node | None) -> SolverSettings:
    entry = fields(issues, node, ("solver",), SOLVER_KEYS)
    path: YamlPath = ("solver",)
    defaults = SolverSettings()
    return SolverSettings(
        time_limit_s=number(
            issues,
            entry.get("time_limit_s"),
            (*path, "time_limit_s"),
            exclusive=True,
            maximum=86400 * 30,
            default=defaults.time_limit_s,
        ),
        workers=number(
            issues,
            entry.get("workers"),
            (*path, "workers"),
            integer=True,
            minimum=1,
            maximum=MAX_WORKERS,
            default=defaults.workers,
        ),
        seed=number(
            issues,
            entry.get("seed"),
            (*path, "seed"),
            integer=True,
            maximum=MAX_SEED,
            default=defaults.seed,
        ),
    )
