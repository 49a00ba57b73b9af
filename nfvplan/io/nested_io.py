"""The platform's `container-in-vm` block (worker VMs of the nested form) and its checks.

A block of its own so the scenario loader only calls two functions: `nesting_block` while
reading `platform:`, `check_nested` once the VNFs and server types are known (a nested VNF
needs a worker flavor for its trust domain that can hold it and that some server can host).
"""

from __future__ import annotations

from nfvplan.io.yamlsrc import Issues, Node, YamlPath, choice, fields, names, number
from nfvplan.model import Form, Nesting, Overhead, Scenario, WorkerFlavor
from nfvplan.nested import inner_usage, worker_host_usage, worker_room

NESTED_KEY = Form.NESTED.value
NESTED_KEYS = ("worker", "workers", "reserve")
WORKER_KEYS = ("vcpu", "memory_gib", "disk_gib", "cpu", "numa")
WORKER_RESERVE_KEYS = ("vcpu", "memory_gib", "disk_gib")
_EPSILON = 1e-9


def nesting_block(issues: Issues, node: Node | None) -> Nesting:
    """`platform.container-in-vm`: `worker` (one flavor for every trust domain), `workers`
    (a flavor per trust domain, over `worker`) and `reserve` (runtime + kubelet, per worker)."""
    path: YamlPath = ("platform", NESTED_KEY)
    entry = fields(issues, node, path, NESTED_KEYS)
    default = _worker(issues, entry.get("worker"), (*path, "worker"))
    per_domain = {}
    listed = names(issues, entry.get("workers"), (*path, "workers"), "trust domain")
    for name, named in listed.items():
        flavor = _worker(issues, named.node, (*path, "workers", name))
        if flavor is not None:
            per_domain[name] = flavor
    reserve = fields(issues, entry.get("reserve"), (*path, "reserve"), WORKER_RESERVE_KEYS)
    amounts = {
        key: number(issues, reserve.get(key), (*path, "reserve", key), default=0.0)
        for key in WORKER_RESERVE_KEYS
    }
    nesting = Nesting(default=default, workers=per_domain, reserve=Overhead(**amounts))
    for name, flavor in [("worker", default), *per_domain.items()]:
        if flavor is None:
            continue
        where = entry.get("worker") if name == "worker" else entry["workers"].value[name]
        _check_room(issues, nesting, flavor, where, path)
    return nesting


def _worker(issues: Issues, node: Node | None, path: YamlPath) -> WorkerFlavor | None:
    if node is None:
        return None
    entry = fields(issues, node, path, WORKER_KEYS, ("vcpu", "memory_gib"))
    if "vcpu" not in entry or "memory_gib" not in entry:
        return None
    return WorkerFlavor(
        vcpu=number(issues, entry["vcpu"], (*path, "vcpu"), exclusive=True, default=1.0),
        memory_gib=number(
            issues, entry["memory_gib"], (*path, "memory_gib"), exclusive=True, default=1.0
        ),
        disk_gib=number(issues, entry.get("disk_gib"), (*path, "disk_gib"), default=0.0),
        dedicated_cpu=_word(issues, entry, path, "cpu", ("shared", "dedicated")),
        numa_aligned=_word(issues, entry, path, "numa", ("any", "aligned")),
    )


def _word(issues: Issues, entry: dict[str, Node], path: YamlPath, key: str, words) -> bool:
    """A two-word setting as VNFs have it: True for the second word."""
    return choice(issues, entry.get(key), (*path, key), words, words[0]) == words[1]


def _check_room(
    issues: Issues, nesting: Nesting, flavor: WorkerFlavor, node: Node | None, path: YamlPath
) -> None:
    """A worker whose reserve leaves nothing for containers is a typo, not a plan."""
    reserve = nesting.reserve
    for key, offered, taken in zip(
        WORKER_RESERVE_KEYS,
        (flavor.vcpu, flavor.memory_gib, flavor.disk_gib),
        (reserve.vcpu, reserve.memory_gib, reserve.disk_gib),
        strict=True,
    ):
        if taken > offered + _EPSILON or (key != "disk_gib" and taken >= offered - _EPSILON):
            issues.add(
                node,
                path,
                f"a worker VM of {offered:g} {key} leaves nothing to its containers after the "
                f"reserve of {taken:g} {key}; give the worker more or the reserve less",
            )
            return


def check_nested(issues: Issues, top: dict[str, Node], scenario: Scenario) -> None:
    """Every VNF that lists `container-in-vm` has a worker flavor for its trust domain that
    honours its CPU pinning and NUMA rule and holds one instance, and that worker fits some
    server type; every domain of `workers:` is some VNF's."""
    nesting = scenario.platform.nesting
    vnf_nodes = top["vnfs"].value if "vnfs" in top and top["vnfs"].kind == "map" else {}
    domains = {vnf.trust for vnf in scenario.vnfs.values()}
    block = _block(top)
    if block is not None and "workers" in block and block["workers"].kind == "map":
        for name, key in block["workers"].keys.items():
            if name not in domains:
                known = ", ".join(sorted(domains))
                issues.add(
                    key,
                    ("platform", NESTED_KEY, "workers", name),
                    f"no VNF has trust domain {name!r}; trust domains: {known}",
                )
    for name, vnf in scenario.vnfs.items():
        if Form.NESTED not in vnf.forms:
            continue
        node = vnf_nodes.get(name)
        forms_node = node.value.get("forms") if node is not None and node.kind == "map" else None
        path: YamlPath = ("vnfs", name, "forms")
        flavor = nesting.flavor(vnf.trust)
        if flavor is None:
            issues.add(
                forms_node,
                path,
                f"{NESTED_KEY} runs in worker VMs of trust domain {vnf.trust!r}, but "
                f"platform.{NESTED_KEY} has no 'worker' flavor nor 'workers: {{{vnf.trust}: ...}}'",
            )
            continue
        problem = _mismatch(scenario, vnf.dedicated_cpu, vnf.numa_aligned, flavor)
        problem = problem or _too_big(scenario, vnf, flavor)
        problem = problem or _no_host(scenario, flavor)
        if problem:
            issues.add(forms_node, path, f"{NESTED_KEY}: {problem}")


def _block(top: dict[str, Node]) -> dict[str, Node] | None:
    platform = top.get("platform")
    if platform is None or platform.kind != "map":
        return None
    node = platform.value.get(NESTED_KEY)
    return node.value if node is not None and node.kind == "map" else None


def _mismatch(scenario: Scenario, dedicated: bool, aligned: bool, flavor: WorkerFlavor) -> str:
    if dedicated and not flavor.dedicated_cpu:
        return (
            "cpu: dedicated needs a pinned worker VM (cpu: dedicated in its worker flavor): "
            "a container's exclusive cores are only dedicated when the worker's are"
        )
    if aligned and not flavor.numa_aligned:
        multi = any(t.numa_nodes > 1 for t in scenario.server_types.values())
        if multi:
            return "numa: aligned needs a NUMA-aligned worker VM (numa: aligned in its flavor)"
    return ""


def _too_big(scenario: Scenario, vnf, flavor: WorkerFlavor) -> str:
    room = worker_room(scenario, flavor)
    need = inner_usage(scenario, vnf)
    image = vnf.image_gib.container
    for key, have, want in zip(("vcpu", "memory_gib", "disk_gib"), room, need, strict=True):
        if key == "disk_gib":
            want += image
        if want > have + _EPSILON:
            return (
                f"one instance needs {want:g} {key} inside its worker VM (flavor, container "
                f"overhead{', image' if key == 'disk_gib' and image else ''}) but the worker of "
                f"trust domain {vnf.trust!r} offers {have:g} after its reserve"
            )
    return ""


def _no_host(scenario: Scenario, flavor: WorkerFlavor) -> str:
    usage = worker_host_usage(scenario, flavor)
    reserve = scenario.platform.vm.host_reserve
    for server_type in scenario.server_types.values():
        nodes = server_type.numa_nodes if flavor.numa_aligned else 1
        threads = server_type.threads - reserve.cores * server_type.threads_per_core
        memory = server_type.memory_gib - reserve.memory_gib
        disk = server_type.disk_gib - reserve.disk_gib
        if (
            usage[0] * nodes <= threads + _EPSILON
            and usage[1] * nodes <= memory + _EPSILON
            and usage[2] <= disk + _EPSILON
        ):
            return ""
    return "its worker VM (flavor, VM overhead, hypervisor reserve) fits no server type"
