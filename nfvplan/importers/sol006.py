"""ETSI NFV-SOL006 (YANG) VNFDs as OSM and ETSI write them: YAML, JSON (RFC 7951) or XML.

The three encodings become one located tree (`sources.py`, `tree.py`): module prefixes
(`etsi-nfv-vnfd:vnfd`) are dropped, a single XML element counts as a list of one, and every
number may be a quoted string. Figures the YANG model gives without a unit are in GB
(`virtual-memory/size`, `size-of-storage`) and are read as GiB, as VIMs do.

Mapping (docs/import.md has the table): each `vdu` becomes a VNF sized by the
`virtual-compute-desc` it names (`num-virtual-cpu`, `virtual-memory/size`) plus its
`virtual-storage-desc`s (`size-of-storage`, or `block-storage-data/size-of-storage`); the
chosen `df`'s `vdu-profile`, `instantiation-level`s and `affinity-or-anti-affinity-group`s
give replicas and anti-affinity (`placement.py`). EPA: `virtual-cpu/pinning/policy`
static|dynamic (or OSM's dedicated) -> `cpu: dedicated`; `virtual-memory/mempage-size`
LARGE|SIZE_2MB|SIZE_1GB -> the RAM is hugepages; `numa-node-policy/node-cnt` 1 -> `numa:
aligned`; an `int-cpd` interface of type SR-IOV -> 1 VF, PCI-PASSTHROUGH -> a PF counted as 1 VF.
"""

from __future__ import annotations

from pathlib import Path

from nfvplan.errors import InputError
from nfvplan.importers import tree
from nfvplan.importers.model import Collector, ImportedVnf, ImportResult
from nfvplan.importers.placement import Counts, apply_counts, apply_group
from nfvplan.importers.quantities import QuantityError, gib_from_gb
from nfvplan.importers.tosca import all_huge
from nfvplan.io.yamlsrc import Node

_HUGE = ("large", "size_2mb", "size_1gb", "2mb", "1gb")


def import_sol006(
    root: Node, file: str, result: ImportResult, *, flavour: str | None = None
) -> None:
    """Import every VNFD in the document `root` into `result`."""
    col = Collector(file, result)
    vnfds = tree.seq(tree.child(root, "nfv", "vnfd")) or tree.seq(tree.child(root, "vnfd"))
    vnfds = [v for v in vnfds if v.kind == "map"]
    if not vnfds:
        raise InputError.single(
            file, "a SOL006 document needs a vnfd entry (vnfd: or nfv: vnfd:)", line=root.line or 1
        )
    for index, vnfd in enumerate(vnfds):
        _vnfd(vnfd, f"vnfd[{index}]" if len(vnfds) > 1 else "vnfd", col, flavour)


def _vnfd(vnfd: Node, path: str, col: Collector, flavour: str | None) -> None:
    name = tree.text(tree.child(vnfd, "product-name")) or tree.text(tree.child(vnfd, "id"))
    product = name or Path(col.file).stem
    vdus = [v for v in tree.seq(tree.child(vnfd, "vdu")) if v.kind == "map"]
    if not vdus:
        raise InputError.single(
            col.file,
            f"VNFD {product!r} has no vdu: nothing to plan",
            path=path,
            line=tree.line(vnfd),
        )
    computes = _by_id(tree.child(vnfd, "virtual-compute-desc"))
    storages = _by_id(tree.child(vnfd, "virtual-storage-desc"))
    vnfs: dict[str, ImportedVnf] = {}
    for index, vdu in enumerate(vdus):
        vdu_id = tree.text(tree.child(vdu, "id")) or f"vdu{index + 1}"
        vnf = ImportedVnf(
            name=tree.text(tree.child(vdu, "name")) or vdu_id,
            source=col.file,
            where=f"{path}.vdu[{index}] (id {vdu_id})",
            line=tree.line(vdu),
            forms=("vm",),
            trust=product,
        )
        _compute(vnf, vdu, computes, col)
        _storage(vnf, vdu, storages, col)
        _interfaces(vnf, vdu, col)
        vnfs[vdu_id] = vnf
    _flavour(vnfd, path, vnfs, col, flavour)
    col.result.vnfs += vnfs.values()


def _by_id(node: Node | None) -> dict[str, Node]:
    return {tree.text(tree.child(n, "id")) or "": n for n in tree.seq(node)}


def _gib(node: Node | None, col: Collector, path: str) -> tuple[float, str]:
    try:
        q = gib_from_gb(tree.scalar(node), path.rsplit(".", 1)[-1])
    except QuantityError as exc:
        raise tree.error(col.file, node, path, str(exc)) from None
    return q.value, q.note


def _compute(vnf: ImportedVnf, vdu: Node, computes: dict[str, Node], col: Collector) -> None:
    ref = tree.text(tree.child(vdu, "virtual-compute-desc"))
    desc = computes.get(ref or "")
    if desc is None:
        if tree.child(vdu, "os-container-desc") is not None:
            message = (
                "is a containerised VDU (os-container-desc), which this importer does "
                "not read yet; written commented out: fill in its flavor"
            )
        else:
            message = (
                f"names virtual-compute-desc {ref!r}, which the VNFD does not define; "
                "written commented out: fill in its flavor"
            )
        col.warn(tree.line(vdu), vnf.where, f"VDU {vnf.name!r} {message}")
        return
    path = f"virtual-compute-desc[id {ref}]"
    cpu = tree.child(desc, "virtual-cpu")
    memory = tree.child(desc, "virtual-memory")
    count = tree.child(cpu, "num-virtual-cpu")
    if count is not None:
        vnf.vcpu = tree.number(col.file, count, f"{path}.virtual-cpu.num-virtual-cpu")
    size = tree.child(memory, "size")
    if size is not None:
        vnf.memory_gib, note = _gib(size, col, f"{path}.virtual-memory.size")
        vnf.notes.append(f"memory {note}")
    policy = tree.text(tree.child(cpu, "pinning", "policy")) or tree.text(
        tree.child(cpu, "cpu-pinning-policy")
    )
    if policy:
        if policy.lower() in ("static", "dynamic", "dedicated"):
            vnf.cpu_dedicated = True
            vnf.notes.append(f"cpu: dedicated from virtual-cpu pinning policy {policy}")
        else:
            vnf.notes.append(f"virtual-cpu pinning policy {policy}: shared")
    page = tree.text(tree.child(memory, "mempage-size"))
    if page:
        if page.lower() in _HUGE:
            all_huge(vnf, f"mempage-size {page}")
        elif page.lower() == "prefer_large":
            col.warn(
                tree.line(memory),
                f"{path}.virtual-memory.mempage-size",
                "PREFER_LARGE pages are a preference: planned as ordinary memory",
            )
        else:
            vnf.notes.append(f"mempage-size {page}: ordinary pages")
    numa = tree.child(memory, "numa-node-policy")
    if numa is not None:
        nodes = tree.scalar(tree.child(numa, "node-cnt"))
        if nodes is not None and str(nodes).strip() == "1":
            vnf.numa_aligned = True
            vnf.notes.append("numa: aligned from numa-node-policy node-cnt 1")
        else:
            vnf.notes.append(f"numa-node-policy node-cnt {nodes}: spread, not aligned")
    for section, known in (
        (cpu, {"num-virtual-cpu", "pinning", "cpu-pinning-policy", "thread-policy"}),
        (memory, {"size", "mempage-size", "numa-node-policy", "numa-enabled"}),
    ):
        for key in tree.keys(section):
            if key not in known:
                col.warn(
                    tree.line(tree.child(section, key)), f"{path}.{key}", f"{key} is not mapped"
                )


def _storage(vnf: ImportedVnf, vdu: Node, storages: dict[str, Node], col: Collector) -> None:
    for ref_node in tree.seq(tree.child(vdu, "virtual-storage-desc")):
        ref = tree.text(ref_node) or ""
        desc = storages.get(ref)
        if desc is None:
            col.warn(tree.line(ref_node), vnf.where, f"virtual-storage-desc {ref!r} not found")
            continue
        size = tree.child(desc, "size-of-storage")
        if size is None:
            size = tree.child(desc, "block-storage-data", "size-of-storage")
        if size is None:
            col.warn(
                tree.line(desc),
                f"virtual-storage-desc[id {ref}]",
                "no size-of-storage; not counted",
            )
            continue
        gib, note = _gib(size, col, f"virtual-storage-desc[id {ref}].size-of-storage")
        vnf.disk_gib += gib
        kind = tree.text(tree.child(desc, "type-of-storage")) or "storage"
        vnf.notes.append(f"{kind} {ref} {note}")


def _interfaces(vnf: ImportedVnf, vdu: Node, col: Collector) -> None:
    for cpd in tree.seq(tree.child(vdu, "int-cpd")):
        for req in tree.seq(tree.child(cpd, "virtual-network-interface-requirement")):
            kind = (tree.text(tree.child(req, "virtual-interface", "type")) or "").upper()
            cp = tree.text(tree.child(cpd, "id")) or "?"
            if kind == "SR-IOV":
                vnf.sriov_vfs += 1
                vnf.notes.append(f"sriov_vfs: int-cpd {cp} (SR-IOV)")
            elif kind == "PCI-PASSTHROUGH":
                vnf.sriov_vfs += 1
                vnf.notes.append(
                    f"sriov_vfs: int-cpd {cp} is PCI-PASSTHROUGH (a PF), counted as 1 VF"
                )
                col.warn(
                    tree.line(req),
                    vnf.where,
                    f"int-cpd {cp} passes a whole PCI device; "
                    "nfvplan models SR-IOV VFs only, so it is counted as 1 VF",
                )


def _flavour(
    vnfd: Node, path: str, vnfs: dict[str, ImportedVnf], col: Collector, flavour: str | None
) -> None:
    dfs = [d for d in tree.seq(tree.child(vnfd, "df")) if d.kind == "map"]
    ids = [tree.text(tree.child(d, "id")) or "?" for d in dfs]
    if not dfs:
        col.warn(tree.line(vnfd), path, "no df (deployment flavour): 1 instance of each VDU")
        for vnf in vnfs.values():
            apply_counts(vnf, Counts(), None, col, vnf.line)
        return
    if flavour is not None:
        if flavour not in ids:
            raise InputError.single(
                col.file, f"no df {flavour!r}; the VNFD has: {', '.join(ids)}", path=path
            )
        df = dfs[ids.index(flavour)]
    else:
        df = dfs[0]
        if len(dfs) > 1:
            col.warn(
                tree.line(df),
                path,
                f"{len(dfs)} deployment flavours ({', '.join(ids)}); "
                f"imported {ids[0]!r}, the first; choose another with --flavour",
            )
    df_id = tree.text(tree.child(df, "id"))
    counts = {key: Counts() for key in vnfs}
    memberships: dict[str, list[str]] = {}
    for profile in tree.seq(tree.child(df, "vdu-profile")):
        vdu_id = tree.text(tree.child(profile, "id")) or ""
        if vdu_id not in counts:
            continue
        for name, attr in (
            ("min-number-of-instances", "minimum"),
            ("max-number-of-instances", "maximum"),
        ):
            value = tree.child(profile, name)
            if value is not None:
                setattr(
                    counts[vdu_id], attr, int(tree.number(col.file, value, f"{path}.df.{name}"))
                )
        for group in tree.seq(tree.child(profile, "affinity-or-anti-affinity-group")) + tree.seq(
            tree.child(profile, "affinity-or-anti-affinity-group-id")
        ):
            group_id = tree.text(tree.child(group, "id")) or tree.text(group)
            if group_id:
                memberships.setdefault(group_id, []).append(vdu_id)
    for level in tree.seq(tree.child(df, "instantiation-level")):
        level_id = tree.text(tree.child(level, "id")) or "?"
        for entry in tree.seq(tree.child(level, "vdu-level")):
            vdu_id = tree.text(tree.child(entry, "vdu-id")) or ""
            if vdu_id in counts:
                counts[vdu_id].levels[level_id] = int(
                    tree.number(
                        col.file,
                        tree.child(entry, "number-of-instances"),
                        f"{path}.df.instantiation-level.vdu-level.number-of-instances",
                    )
                )
    default = tree.text(tree.child(df, "default-instantiation-level"))
    for key, vnf in vnfs.items():
        vnf.notes.insert(0, f"deployment flavour (df) {df_id}")
        apply_counts(vnf, counts[key], default, col, vnf.line)
    for group in tree.seq(tree.child(df, "affinity-or-anti-affinity-group")):
        group_id = tree.text(tree.child(group, "id")) or "?"
        kind = (
            tree.text(tree.child(group, "type"))
            or tree.text(tree.child(group, "affinityorAntiaffinity"))
            or ""
        ).lower()
        scope = tree.text(tree.child(group, "scope"))
        members = [vnfs[m] for m in memberships.get(group_id, []) if m in vnfs]
        apply_group(
            members,
            kind == "affinity",
            scope,
            group_id,
            col,
            tree.line(group),
            f"{path}.df[id {df_id}].affinity-or-anti-affinity-group[id {group_id}]",
        )
