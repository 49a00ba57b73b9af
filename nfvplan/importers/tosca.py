"""ETSI NFV-SOL001 TOSCA VNFDs (YAML files and CSAR packages), and legacy Tacker templates.

Read tolerantly: only the fields that size and place a VDU are looked at, node types are
recognised by their name (`tosca.nodes.nfv.Vdu.Compute`, `...VDU.Tacker`), not resolved
through type definitions, so a package a strict parser refuses (a requirement with the wrong
occurrences, a missing type file) still imports. What is recognised but cannot be mapped is
a warning. Imports are followed (inside the package for a CSAR, beside the file otherwise):
each imported file with VDUs is a deployment flavour.

Mapping (docs/import.md has the full table):
- `virtual_compute`: `virtual_cpu.num_virtual_cpu` -> vcpu, `virtual_memory.virtual_mem_size`
  -> memory_gib, `virtual_local_storage[].size_of_storage` -> disk_gib; pinning policy
  `static`/`dynamic` -> `cpu: dedicated`. Legacy `nfv_compute`: num_cpus, mem_size, disk_size,
  `cpu_allocation.cpu_affinity: dedicated`, `mem_page_size`, `numa_nodes`/`numa_node_count`.
- Nova-style extra specs in `requested_additional_capabilities` / `vdu_*_requirements`
  (`hw:cpu_policy`, `hw:mem_page_size`, `hw:numa_nodes`) map the same way.
- `mem_page_size` large/2MB/1GB: the whole guest RAM is hugepages.
- `Vdu.VirtualBlockStorage` attached by `virtual_storage` -> disk_gib (conservatively local).
- `VduCp` `vnic_type: direct` -> 1 SR-IOV VF; `direct-physical` -> a PF, counted as 1 VF with
  a warning (nfvplan models VFs only); legacy `CP.Tacker type: sriov` -> 1 VF.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nfvplan.errors import InputError
from nfvplan.importers import tree
from nfvplan.importers.model import Collector, ImportedVnf, ImportResult
from nfvplan.importers.placement import Counts, apply_counts, apply_group
from nfvplan.importers.quantities import (
    QuantityError,
    fmt,
    gib_from_mb,
    tosca_size_gib,
)
from nfvplan.io.yamlsrc import Node

HUGE_PAGE_WORDS = ("large", "2mb", "1gb", "2048", "1048576", "2mib", "1gib")
"""`mem_page_size` values that ask for huge pages (Nova's hw:mem_page_size vocabulary)."""

ORDINARY_MEMORY_FLOOR_GIB = 0.0625
"""nfvplan needs `memory_gib > 0`; a guest whose RAM is all huge pages gets this much (64 MiB)
of ordinary memory, stated in its comment. QEMU's own memory is the platform's VM overhead."""

_TYPE_FILES = ("etsi_nfv_sol001",)
"""Imports that hold only type definitions: not finding them is no loss."""


@dataclass
class _File:
    name: str
    node: Node


Loader = Callable[[str, str], "tuple[Node, str] | None"]
"""Reads import `target` of the file reported as `importer`: its tree and the name to report
it by, or None when there is no such file."""


def import_tosca(
    entry: Node,
    entry_name: str,
    load: Loader,
    result: ImportResult,
    *,
    flavour: str | None = None,
    binary_si: bool = True,
) -> None:
    """Import the VDUs of the VNFD `entry` (and the files it imports) into `result`."""
    col = Collector(entry_name, result)
    files = _with_imports(entry, entry_name, load, col)
    candidates = [f for f in files if _vdus(f.node)]
    if not candidates:
        raise InputError.single(
            entry_name,
            "no VDU found: a VNFD needs at least one node of type tosca.nodes.nfv.Vdu.Compute "
            "(or legacy tosca.nodes.nfv.VDU.Tacker) in topology_template.node_templates, here "
            "or in a file it imports",
            line=(entry.keys.get("topology_template") or (1, 1))[0],
        )
    chosen = _choose(candidates, flavour, col)
    product = _product(files, entry_name)
    _flavour_vnfs(chosen, product, result, binary_si)


def _with_imports(entry: Node, name: str, load: Loader, col: Collector) -> list[_File]:
    """`entry` and every file it imports, depth first, each once."""
    seen = {name}
    out: list[_File] = []

    def walk(node: Node, file: str) -> None:
        out.append(_File(file, node))
        for item in tree.seq(tree.child(node, "imports")):
            target = tree.text(item) or tree.text(tree.child(item, "file"))
            if target is None and item.kind == "map":  # {name: {file: x}}
                for _key, value in tree.entries(item):
                    target = tree.text(tree.child(value, "file")) or tree.text(value)
            if not target:
                continue
            loaded = load(file, target)
            if loaded is None:
                if not posixpath.basename(target).startswith(_TYPE_FILES):
                    col.warn(
                        tree.line(item),
                        "imports",
                        f"imported file {target!r} not found; "
                        "its node templates, if any, are not read",
                    )
                continue
            if loaded[1] in seen:
                continue
            seen.add(loaded[1])
            walk(*loaded)

    walk(entry, name)
    return out


def _templates(node: Node) -> list[tuple[str, Node]]:
    return tree.entries(tree.child(node, "topology_template", "node_templates"))


def _type(template: Node) -> str:
    return tree.text(tree.child(template, "type")) or ""


def _is_vdu(kind: str) -> bool:
    return kind.endswith(("Vdu.Compute", "VDU.Tacker", ".VDU", "OsContainerDeployableUnit"))


def _vdus(node: Node) -> list[tuple[str, Node]]:
    return [(k, v) for k, v in _templates(node) if _is_vdu(_type(v))]


def _flavour_id(file: _File) -> str | None:
    return tree.text(
        tree.child(
            file.node, "topology_template", "substitution_mappings", "properties", "flavour_id"
        )
    )


def _choose(candidates: list[_File], flavour: str | None, col: Collector) -> _File:
    ids = [_flavour_id(f) or posixpath.basename(f.name) for f in candidates]
    if flavour is not None:
        for file, fid in zip(candidates, ids, strict=True):
            if fid == flavour:
                return file
        raise InputError.single(
            col.file, f"no deployment flavour {flavour!r}; the VNFD has: {', '.join(ids)}"
        )
    if len(candidates) > 1:
        col.warn(
            None,
            "",
            f"{len(candidates)} deployment flavours ({', '.join(ids)}); imported "
            f"{ids[0]!r}, the first; choose another with --flavour",
        )
    return candidates[0]


def _product(files: list[_File], entry_name: str) -> str:
    for file in files:
        for _key, template in _templates(file.node):
            props = tree.child(template, "properties")
            name = tree.text(tree.child(props, "product_name"))
            if name and not name.startswith("{"):
                return name
        template_name = tree.text(tree.child(file.node, "metadata", "template_name"))
        if template_name:
            return template_name
    return Path(entry_name.split("!")[-1]).stem


def _flavour_vnfs(file: _File, product: str, result: ImportResult, binary_si: bool) -> None:
    col = Collector(file.name, result)
    templates = dict(_templates(file.node))
    fid = _flavour_id(file)
    vnfs: dict[str, ImportedVnf] = {}
    for key, template in _vdus(file.node):
        where = f"topology_template.node_templates.{key}"
        props = tree.child(template, "properties")
        vnf = ImportedVnf(
            name=tree.text(tree.child(props, "name")) or key,
            source=file.name,
            where=where,
            line=tree.line(template),
            forms=("vm",),
            trust=product,
        )
        if fid:
            vnf.notes.append(f"deployment flavour {fid}")
        if _type(template).endswith("OsContainerDeployableUnit"):
            vnf.forms = ("container",)
            _containers(vnf, template, templates, col, binary_si)
        else:
            _compute(vnf, template, col, binary_si)
        _storage(vnf, template, templates, col, binary_si)
        vnfs[key] = vnf
    _ports(vnfs, templates, col)
    _policies(file.node, vnfs, col)
    result.vnfs += vnfs.values()


def _size(node: Node | None, col: Collector, path: str, binary_si: bool) -> tuple[float, str]:
    try:
        quantity = tosca_size_gib(tree.scalar(node), binary_si=binary_si)
    except QuantityError as exc:
        raise tree.error(col.file, node, path, str(exc)) from None
    return quantity.value, quantity.note


def _compute(vnf: ImportedVnf, template: Node, col: Collector, binary_si: bool) -> None:
    caps = tree.child(template, "capabilities")
    sol = tree.child(caps, "virtual_compute", "properties")
    legacy = tree.child(caps, "nfv_compute", "properties")
    base = f"{vnf.where}.capabilities"
    if sol is not None:
        _sol001_compute(vnf, sol, col, f"{base}.virtual_compute.properties", binary_si)
    if legacy is not None:
        _legacy_compute(vnf, legacy, col, f"{base}.nfv_compute.properties", binary_si)
    if sol is None and legacy is None:
        flavor = tree.text(tree.child(template, "properties", "flavor"))
        named = f" (it names the VIM flavour {flavor!r}, whose size is not in the file)"
        col.warn(
            tree.line(template),
            vnf.where,
            f"VDU {vnf.name!r} has no virtual_compute figures{named if flavor else ''}; "
            "written commented out: fill in its flavor",
        )


_SOL_KNOWN = {
    "virtual_cpu": {
        "num_virtual_cpu",
        "virtual_cpu_pinning",
        "vdu_cpu_requirements",
        "virtual_cpu_oversubscription_policy",
    },
    "virtual_memory": {
        "virtual_mem_size",
        "numa_enabled",
        "vdu_mem_requirements",
        "virtual_mem_oversubscription_policy",
    },
}


def _sol001_compute(
    vnf: ImportedVnf, props: Node, col: Collector, path: str, binary_si: bool
) -> None:
    cpu = tree.child(props, "virtual_cpu")
    memory = tree.child(props, "virtual_memory")
    count = tree.child(cpu, "num_virtual_cpu")
    if count is not None:
        vnf.vcpu = tree.number(col.file, count, f"{path}.virtual_cpu.num_virtual_cpu")
    size = tree.child(memory, "virtual_mem_size")
    if size is not None:
        vnf.memory_gib, note = _size(
            size, col, f"{path}.virtual_memory.virtual_mem_size", binary_si
        )
        vnf.notes.append(f"memory {note}")
    disks = tree.seq(tree.child(props, "virtual_local_storage"))
    for index, disk in enumerate(disks):
        gib, note = _size(
            tree.child(disk, "size_of_storage"),
            col,
            f"{path}.virtual_local_storage[{index}].size_of_storage",
            binary_si,
        )
        vnf.disk_gib += gib
        vnf.notes.append(f"local storage {note}")
    policy = tree.text(tree.child(cpu, "virtual_cpu_pinning", "virtual_cpu_pinning_policy"))
    if policy:
        if policy.lower() in ("static", "dynamic", "dedicated"):
            vnf.cpu_dedicated = True
            vnf.notes.append(f"cpu: dedicated from virtual_cpu_pinning_policy {policy}")
        else:
            col.warn(
                tree.line(cpu),
                f"{path}.virtual_cpu",
                f"pinning policy {policy!r} not known (static, dynamic); cpu left shared",
            )
    for section, known in _SOL_KNOWN.items():
        node = tree.child(props, section)
        for key in tree.keys(node):
            if key not in known:
                col.warn(
                    tree.line(tree.child(node, key)),
                    f"{path}.{section}.{key}",
                    f"{key} is not mapped (nfvplan plans vCPU count, memory and pinning)",
                )
    if tree.scalar(tree.child(memory, "numa_enabled")) is True:
        vnf.notes.append("numa_enabled: memory follows the vCPUs' NUMA node (not forced aligned)")
    specs: dict[str, tuple[str, Node]] = {}
    for section in ("virtual_cpu", "virtual_memory"):
        req = tree.child(
            props,
            section,
            "vdu_cpu_requirements" if section == "virtual_cpu" else "vdu_mem_requirements",
        )
        for key, value in tree.entries(req):
            specs[key] = (tree.text(value) or "", value)
    for _name, capability in tree.entries(tree.child(props, "requested_additional_capabilities")):
        params = tree.child(capability, "target_performance_parameters")
        mapped_any = False
        for key, value in tree.entries(params):
            if key.startswith("hw:") or key in ("mem_page_size", "cpu_policy"):
                specs[key] = (tree.text(value) or "", value)
                mapped_any = True
        if not mapped_any:
            cap = tree.text(tree.child(capability, "requested_additional_capability_name"))
            col.warn(
                tree.line(capability),
                f"{path}.requested_additional_capabilities",
                f"additional capability {cap or _name!r} is not mapped (only hw:cpu_policy, "
                "hw:mem_page_size and hw:numa_nodes parameters are)",
            )
    _extra_specs(vnf, specs, col, path)
    for key in tree.keys(props):
        if key not in (
            "virtual_cpu",
            "virtual_memory",
            "virtual_local_storage",
            "requested_additional_capabilities",
            "logical_node",
            "compute_requirements",
        ):
            col.warn(tree.line(tree.child(props, key)), f"{path}.{key}", f"{key} is not mapped")
    for key in ("logical_node", "compute_requirements"):
        if tree.child(props, key) is not None:
            col.warn(
                tree.line(tree.child(props, key)),
                f"{path}.{key}",
                f"{key} is not mapped (hardware platform requirements)",
            )


def _extra_specs(
    vnf: ImportedVnf, specs: dict[str, tuple[str, Node]], col: Collector, path: str
) -> None:
    for key, (value, node) in specs.items():
        short = key.removeprefix("hw:").lower()
        if short == "cpu_policy":
            if value.lower() == "dedicated":
                vnf.cpu_dedicated = True
                vnf.notes.append(f"cpu: dedicated from {key}: {value}")
        elif short == "mem_page_size":
            _page_size(vnf, value, key)
        elif short == "numa_nodes":
            if value.strip() == "1":
                vnf.numa_aligned = True
                vnf.notes.append(f"numa: aligned from {key}: {value}")
            else:
                vnf.notes.append(f"{key}: {value}: spread over NUMA nodes, not aligned")
        else:
            col.warn(tree.line(node), f"{path}.{key}", f"requirement {key}: {value} not mapped")


def _page_size(vnf: ImportedVnf, value: str, key: str) -> None:
    word = value.strip().lower().replace(" ", "")
    if word in HUGE_PAGE_WORDS:
        all_huge(vnf, f"{key}: {value}")
    else:
        vnf.notes.append(f"{key}: {value}: ordinary pages")


def all_huge(vnf: ImportedVnf, why: str) -> None:
    """The guest's whole RAM is huge pages: move memory_gib to hugepages_gib (stated)."""
    if vnf.memory_gib:
        vnf.hugepages_gib = vnf.memory_gib
        vnf.memory_gib = ORDINARY_MEMORY_FLOOR_GIB
        vnf.notes.append(
            f"{why}: all {fmt(vnf.hugepages_gib)} GiB of guest RAM as hugepages_gib; "
            f"memory_gib {ORDINARY_MEMORY_FLOOR_GIB} is nfvplan's minimum ordinary memory"
        )


def _legacy_compute(
    vnf: ImportedVnf, props: Node, col: Collector, path: str, binary_si: bool
) -> None:
    if tree.child(props, "num_cpus") is not None:
        vnf.vcpu = tree.number(col.file, tree.child(props, "num_cpus"), f"{path}.num_cpus")
    if tree.child(props, "mem_size") is not None:
        vnf.memory_gib, note = _size(
            tree.child(props, "mem_size"), col, f"{path}.mem_size", binary_si
        )
        vnf.notes.append(f"memory {note}")
    if tree.child(props, "disk_size") is not None:
        vnf.disk_gib, note = _size(
            tree.child(props, "disk_size"), col, f"{path}.disk_size", binary_si
        )
        vnf.notes.append(f"disk {note}")
    affinity = tree.text(tree.child(props, "cpu_allocation", "cpu_affinity"))
    if affinity:
        if affinity.lower() == "dedicated":
            vnf.cpu_dedicated = True
            vnf.notes.append("cpu: dedicated from cpu_allocation.cpu_affinity")
        else:
            vnf.notes.append(f"cpu_allocation.cpu_affinity {affinity}: shared")
    for key in tree.keys(tree.child(props, "cpu_allocation")):
        if key != "cpu_affinity":
            col.warn(
                tree.line(tree.child(props, "cpu_allocation", key)),
                f"{path}.cpu_allocation.{key}",
                f"{key} is not mapped (thread/socket layout)",
            )
    page = tree.text(tree.child(props, "mem_page_size"))
    if page:
        _page_size(vnf, page, "mem_page_size")
    nodes = tree.child(props, "numa_nodes")
    count = tree.scalar(tree.child(props, "numa_node_count"))
    if nodes is not None:
        defined = tree.entries(nodes)
        parts = []
        for name, node in defined:
            mem = tree.child(node, "mem_size")
            mem_text = ""
            if mem is not None:
                try:
                    mem_text = f", {gib_from_mb(tree.scalar(mem), 'mem_size').note}"
                except QuantityError as exc:
                    raise tree.error(
                        col.file, mem, f"{path}.numa_nodes.{name}.mem_size", str(exc)
                    ) from None
            vcpus = tree.seq(tree.child(node, "vcpus"))
            parts.append(f"{name}: {len(vcpus)} vCPU{mem_text}")
        if len(defined) == 1:
            vnf.numa_aligned = True
            vnf.notes.append(f"numa: aligned (one NUMA node defined: {parts[0]})")
        else:
            vnf.notes.append(
                f"numa_nodes: guest spread over {len(defined)} NUMA nodes "
                f"({'; '.join(parts)}), so not aligned to one"
            )
    elif count is not None:
        if str(count).strip() == "1":
            vnf.numa_aligned = True
            vnf.notes.append("numa: aligned from numa_node_count 1")
        else:
            vnf.notes.append(f"numa_node_count {count}: spread, not aligned")
    for key in tree.keys(props):
        if key not in (
            "num_cpus",
            "mem_size",
            "disk_size",
            "cpu_allocation",
            "mem_page_size",
            "numa_nodes",
            "numa_node_count",
        ):
            col.warn(tree.line(tree.child(props, key)), f"{path}.{key}", f"{key} is not mapped")


def _containers(
    vnf: ImportedVnf, unit: Node, templates: dict[str, Node], col: Collector, binary_si: bool
) -> None:
    """A SOL001 (v3.3+) OS container deployable unit: a pod of `Vdu.OsContainer`s, sized as
    Kubernetes sizes a pod (requests summed; CPU in milli-CPU). Requests equal to limits with
    whole CPUs on every container is `cpu: dedicated` (Guaranteed QoS), else shared."""
    cpu = memory = disk = huge = 0.0
    guaranteed, whole = True, True
    names = []
    for target, ref in _requirement_targets(unit, "container"):
        node = templates.get(target)
        path = f"topology_template.node_templates.{target}.properties"
        if node is None or not _type(node).endswith("OsContainer"):
            col.warn(
                tree.line(ref),
                f"{vnf.where}.requirements",
                f"container {target!r} is not a tosca.nodes.nfv.Vdu.OsContainer node; not counted",
            )
            continue
        names.append(target)
        props = tree.child(node, "properties")
        request = tree.child(props, "requested_cpu_resources")
        limit = tree.child(props, "cpu_resource_limit")
        milli = (
            tree.number(col.file, request, f"{path}.requested_cpu_resources") if request else None
        )
        if milli is None and limit is not None:
            milli = tree.number(col.file, limit, f"{path}.cpu_resource_limit")
        if milli is not None:
            cpu += milli / 1000
            whole = whole and milli % 1000 == 0
        mem = tree.child(props, "requested_memory_resources") or tree.child(
            props, "memory_resource_limit"
        )
        if mem is not None:
            memory += _size(mem, col, f"{path}.requested_memory_resources", binary_si)[0]
        eph = tree.child(props, "requested_ephemeral_storage_resources")
        if eph is not None:
            disk += _size(eph, col, f"{path}.requested_ephemeral_storage_resources", binary_si)[0]
        for size_name, amount in tree.entries(tree.child(props, "hugepages_resources")):
            huge += _size(amount, col, f"{path}.hugepages_resources.{size_name}", binary_si)[0]
        same_cpu = (
            request is not None and limit is not None and tree.scalar(request) == tree.scalar(limit)
        )
        mem_limit = tree.child(props, "memory_resource_limit")
        same_mem = (
            tree.child(props, "requested_memory_resources") is not None
            and mem_limit is not None
            and _size(mem_limit, col, path, binary_si)[0]
            == _size(tree.child(props, "requested_memory_resources"), col, path, binary_si)[0]
        )
        guaranteed = guaranteed and same_cpu and same_mem
    if not names:
        col.warn(
            tree.line(unit),
            vnf.where,
            "OS container deployable unit without containers; written commented out",
        )
        return
    vnf.vcpu = cpu or None
    vnf.memory_gib = memory or None
    vnf.disk_gib, vnf.hugepages_gib = disk, huge
    vnf.cpu_dedicated = guaranteed and whole and cpu > 0
    vnf.notes.append(
        f"containers {', '.join(names)}: requests summed (CPU in milli-CPU); "
        + ("cpu: dedicated (requests = limits, whole CPUs)" if vnf.cpu_dedicated else "cpu: shared")
    )


def _requirement_targets(template: Node, name: str) -> list[tuple[str, Node]]:
    out = []
    for key, value in tree.entries(tree.child(template, "requirements")):
        if key == name:
            target = tree.text(value) or tree.text(tree.child(value, "node"))
            if target:
                out.append((target, value))
    return out


def _storage(
    vnf: ImportedVnf, template: Node, templates: dict[str, Node], col: Collector, binary_si: bool
) -> None:
    for target, ref in _requirement_targets(template, "virtual_storage"):
        storage = templates.get(target)
        if storage is None:
            col.warn(
                tree.line(ref),
                f"{vnf.where}.requirements",
                f"virtual_storage {target!r} is not a node template; not counted",
            )
            continue
        kind = _type(storage)
        path = f"topology_template.node_templates.{target}"
        if kind.endswith("VirtualBlockStorage"):
            data = tree.child(storage, "properties", "virtual_block_storage_data")
            size = tree.child(data, "size_of_storage")
            gib, note = _size(
                size,
                col,
                f"{path}.properties.virtual_block_storage_data.size_of_storage",
                binary_si,
            )
            vnf.disk_gib += gib
            vnf.notes.append(f"block storage {target} {note}, counted as local disk")
        else:
            col.warn(
                tree.line(storage),
                path,
                f"storage {target} of type {kind} is not mapped "
                "(object and file storage are not server disk)",
            )


def _ports(vnfs: dict[str, ImportedVnf], templates: dict[str, Node], col: Collector) -> None:
    for key, template in templates.items():
        kind = _type(template)
        if not (kind.endswith("VduCp") or kind.endswith("CP.Tacker") or kind.endswith(".CP")):
            continue
        bindings = _requirement_targets(template, "virtual_binding") + _requirement_targets(
            template, "virtualBinding"
        )
        props = tree.child(template, "properties")
        vnic = (tree.text(tree.child(props, "vnic_type")) or "").lower()
        legacy = (tree.text(tree.child(props, "type")) or "").lower()
        path = f"topology_template.node_templates.{key}"
        for target, _ref in bindings:
            vnf = vnfs.get(target)
            if vnf is None:
                continue
            if vnic == "direct" or legacy == "sriov":
                vnf.sriov_vfs += 1
                vnf.notes.append(
                    f"sriov_vfs: port {key} ({'vnic_type direct' if vnic else 'type sriov'})"
                )
            elif vnic == "direct-physical":
                vnf.sriov_vfs += 1
                vnf.notes.append(
                    f"sriov_vfs: port {key} is direct-physical (a whole PF), counted as 1 VF"
                )
                col.warn(
                    tree.line(template),
                    path,
                    f"port {key} of {vnf.name} passes a whole "
                    "physical function (direct-physical); nfvplan models SR-IOV VFs only, "
                    "so it is counted as 1 VF",
                )
            elif vnic in ("virtio-forwarder", "macvtap", "baremetal", "smart-nic"):
                col.warn(tree.line(template), path, f"vnic_type {vnic} of port {key} is not mapped")


def _policies(node: Node, vnfs: dict[str, ImportedVnf], col: Collector) -> None:
    topology = tree.child(node, "topology_template")
    groups = {
        name: [tree.text(m) for m in tree.seq(tree.child(group, "members"))]
        for name, group in tree.entries(tree.child(topology, "groups"))
    }
    counts: dict[str, Counts] = {key: Counts() for key in vnfs}
    for key in vnfs:
        profile = tree.child(_templates_map(node).get(key), "properties", "vdu_profile")
        for field_name, attr in (
            ("min_number_of_instances", "minimum"),
            ("max_number_of_instances", "maximum"),
        ):
            value = tree.child(profile, field_name)
            if value is not None:
                setattr(
                    counts[key],
                    attr,
                    int(tree.number(col.file, value, f"{key}.vdu_profile.{field_name}")),
                )
    default_level = None
    placement: list[tuple[str, Node]] = []
    for name, policy in tree.entries(tree.child(topology, "policies")):
        kind = _type(policy)
        props = tree.child(policy, "properties")
        targets = [tree.text(t) or "" for t in tree.seq(tree.child(policy, "targets"))]
        if kind.endswith("InstantiationLevels") and not kind.endswith("VduInstantiationLevels"):
            default_level = tree.text(tree.child(props, "default_level")) or default_level
        elif kind.endswith("VduInstantiationLevels"):
            for target in targets:
                if target in counts:
                    for level, value in tree.entries(tree.child(props, "levels")):
                        number = tree.child(value, "number_of_instances")
                        counts[target].levels[level] = int(
                            tree.number(col.file, number, f"{name}.levels.{level}")
                        )
        elif kind.endswith("VduInitialDelta"):
            number = tree.child(props, "initial_delta", "number_of_instances")
            for target in targets:
                if target in counts and number is not None:
                    counts[target].initial_delta = int(
                        tree.number(col.file, number, f"{name}.initial_delta")
                    )
        elif kind.endswith(("AntiAffinityRule", "AffinityRule", "tacker.Placement")):
            placement.append((name, policy))
    for key, vnf in vnfs.items():
        apply_counts(vnf, counts[key], default_level, col, vnf.line)
    for name, policy in placement:
        kind = _type(policy)
        props = tree.child(policy, "properties")
        members: list[ImportedVnf] = []
        for target in (tree.text(t) or "" for t in tree.seq(tree.child(policy, "targets"))):
            for member in groups.get(target, [target]):
                if member in vnfs and vnfs[member] not in members:
                    members.append(vnfs[member])
        where = f"topology_template.policies.{name}"
        if kind.endswith("tacker.Placement"):
            rule = (tree.text(tree.child(props, "policy")) or "").lower()
            strict = tree.scalar(tree.child(props, "strict"))
            if rule == "anti-affinity" and strict is not False:
                apply_group(members, False, "nfvi_node", name, col, tree.line(policy), where)
            else:
                col.warn(
                    tree.line(policy),
                    where,
                    f"placement policy {rule or '?'}"
                    f"{' (not strict)' if strict is False else ''} is not mapped: nfvplan's "
                    "anti-affinity is strict and it has no affinity rule",
                )
            continue
        scope = tree.text(tree.child(props, "scope"))
        affinity = not kind.endswith("AntiAffinityRule")
        apply_group(members, affinity, scope, name, col, tree.line(policy), where)


def _templates_map(node: Node) -> dict[str, Node]:
    return dict(_templates(node))
