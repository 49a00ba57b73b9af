"""Rules of the nested form (`container-in-vm`): worker VMs and what runs inside them.

The checker's own copy of the nesting arithmetic (docs/format.md, "The nested form"): a worker
VM takes its flavor plus the VM form's per-instance overhead of its host, like a VM; inside, its
flavor minus the runtime `reserve` holds its containers' flavors, the container form's
per-instance overhead and each VNF's container image once. Its host pays the VM form's
`host_reserve` once for VMs and workers together. A nested instance takes only its NIC Gbps,
carried traffic and SR-IOV VFs of its host directly.
"""

from __future__ import annotations

from nfvplan.check._core import Context, Instance, Violation, fits, names, num
from nfvplan.model import Form, Platform, WorkerFlavor
from nfvplan.plan import WorkerVm

ROOM_KEYS = ("vcpu", "memory_gib", "disk_gib")


def worker_flavor(platform: Platform, trust: str) -> WorkerFlavor | None:
    """The flavor of a trust domain's worker VMs (its own, or the one for all)."""
    return platform.nesting.workers.get(trust, platform.nesting.default)


def worker_usage(platform: Platform, flavor: WorkerFlavor) -> dict[str, float]:
    """What one worker VM takes of its host."""
    overhead = platform.vm.overhead
    ratio = platform.cpu_overcommit if platform.cpu_overcommit > 0 else 1.0
    vcpu = flavor.vcpu + overhead.vcpu / ratio if flavor.dedicated_cpu else None
    return {
        "threads": vcpu if vcpu is not None else (flavor.vcpu + overhead.vcpu) / ratio,
        "memory_gib": flavor.memory_gib + overhead.memory_gib,
        "disk_gib": flavor.disk_gib + overhead.disk_gib,
        "nic_gbps": 0.0,
        "sriov_vfs": 0.0,
    }


def known_workers(ctx: Context) -> dict[str, WorkerVm]:
    """The plan's workers by id (the first of a duplicated id), on valid servers."""
    out: dict[str, WorkerVm] = {}
    for worker in ctx.plan.workers:
        out.setdefault(worker.id, worker)
    return out


def workers_on(ctx: Context, server_id: str) -> list[tuple[WorkerVm, WorkerFlavor]]:
    """The workers of a server with a known flavor, in plan order."""
    platform = ctx.scenario.platform
    out = []
    for worker in ctx.plan.workers:
        flavor = worker_flavor(platform, worker.trust)
        if worker.server == server_id and flavor is not None:
            out.append((worker, flavor))
    return out


def check_workers(ctx: Context) -> list[Violation]:
    """Each worker VM: a unique id, on a server that hosts its containers, of a trust domain
    the platform gives a worker flavor, naming that flavor, on an existing NUMA node (and on
    one when the flavor is aligned), holding at least one container."""
    out: list[Violation] = []
    platform = ctx.scenario.platform
    seen: set[str] = set()
    held: dict[str, int] = {}
    for instance in ctx.instances:
        if instance.placement.worker is not None:
            held[instance.placement.worker] = held.get(instance.placement.worker, 0) + 1
    for worker in ctx.plan.workers:
        problems = []
        if worker.id in seen:
            problems.append("its id is used by another worker VM")
        seen.add(worker.id)
        flavor = worker_flavor(platform, worker.trust)
        expected = worker.trust if worker.trust in platform.nesting.workers else "worker"
        if flavor is None:
            problems.append(
                f"platform.container-in-vm has no worker flavor for trust domain {worker.trust!r}"
            )
        elif worker.flavor != expected:
            problems.append(
                f"its flavor is {worker.flavor!r}, but domain {worker.trust!r} uses {expected!r}"
            )
        server = ctx.servers.get(worker.server)
        if server is None:
            problems.append(f"server {worker.server} hosts no instance of the plan")
        elif flavor is not None:
            nodes = server.type.numa_nodes
            node = worker.numa_node
            if node is not None and not 0 <= node < nodes:
                problems.append(
                    f"numa_node {node} does not exist ({server.type.name}: 0..{nodes - 1})"
                )
            elif node is None and flavor.numa_aligned and nodes > 1:
                problems.append("its flavor is numa: aligned, but no numa_node is given")
        if not held.get(worker.id):
            problems.append("it holds no container (an empty worker VM is not part of a plan)")
        for problem in problems:
            out.append(
                Violation("worker", f"worker VM {worker.id}: {problem}", None, worker.server)
            )
    return out


def check_nesting(ctx: Context) -> list[Violation]:
    """Each nested instance runs in an existing worker VM of its own trust domain on its own
    server (on the worker's NUMA node); only nested instances name a worker."""
    out: list[Violation] = []
    workers = known_workers(ctx)
    for instance in ctx.instances:
        worker_id = instance.placement.worker
        if instance.form is not Form.NESTED:
            if worker_id is not None:
                out.append(
                    Violation(
                        "nesting",
                        f"{instance.name} runs as {instance.placement.form} but names worker VM "
                        f"{worker_id}; only container-in-vm instances run in worker VMs",
                        instance.name,
                        instance.placement.server,
                    )
                )
            continue
        message = _misplaced(instance, workers.get(worker_id) if worker_id else None, worker_id)
        if message:
            out.append(Violation("nesting", message, instance.name, instance.placement.server))
    return out


def _misplaced(instance: Instance, worker: WorkerVm | None, worker_id: str | None) -> str:
    name = instance.name
    if worker_id is None:
        return f"{name} runs as container-in-vm but names no worker VM"
    if worker is None:
        return f"{name} names worker VM {worker_id}, which the plan's workers do not list"
    if worker.server != instance.placement.server:
        return (
            f"{name} runs on {instance.placement.server}, but its worker VM {worker.id} is on "
            f"{worker.server}"
        )
    if worker.trust != instance.trust:
        return (
            f"{name} (trust domain {instance.trust}) runs in worker VM {worker.id} of domain "
            f"{worker.trust}: a worker's kernel is shared only within one trust domain"
        )
    if worker.numa_node is not None and instance.placement.numa_node not in (
        None,
        worker.numa_node,
    ):
        return (
            f"{name} names numa_node {instance.placement.numa_node}, but its worker VM "
            f"{worker.id} sits on node {worker.numa_node}"
        )
    return ""


def check_worker_fit(ctx: Context) -> list[Violation]:
    """Each worker VM's containers (flavors, container overhead, each VNF's image once) fit
    its flavor after the runtime reserve."""
    out: list[Violation] = []
    platform = ctx.scenario.platform
    inside: dict[str, list[Instance]] = {}
    for instance in ctx.instances:
        worker_id = instance.placement.worker
        if worker_id is not None and instance.form is Form.NESTED and instance.vnf is not None:
            inside.setdefault(worker_id, []).append(instance)
    overhead = platform.container.overhead
    reserve = platform.nesting.reserve
    for worker_id, worker in known_workers(ctx).items():
        flavor = worker_flavor(platform, worker.trust)
        contents = inside.get(worker_id, [])
        if flavor is None or not contents:
            continue
        used = dict.fromkeys(ROOM_KEYS, 0.0)
        images: dict[str, float] = {}
        for instance in contents:
            vnf = instance.vnf
            assert vnf is not None
            used["vcpu"] += vnf.flavor.vcpu + overhead.vcpu
            used["memory_gib"] += vnf.flavor.memory_gib + vnf.flavor.hugepages_gib
            used["memory_gib"] += overhead.memory_gib
            used["disk_gib"] += vnf.flavor.disk_gib + overhead.disk_gib
            images[vnf.name] = vnf.image_gib.container
        used["disk_gib"] += sum(images.values())
        room = {
            "vcpu": flavor.vcpu - reserve.vcpu,
            "memory_gib": flavor.memory_gib - reserve.memory_gib,
            "disk_gib": flavor.disk_gib - reserve.disk_gib,
        }
        for key in ROOM_KEYS:
            if not fits(used[key], room[key]):
                out.append(
                    Violation(
                        "worker-fit",
                        f"worker VM {worker_id} on {worker.server}: its containers "
                        f"({names(contents)}) take {num(used[key])} {key}, but the worker "
                        f"offers {num(room[key])} after its reserve",
                        None,
                        worker.server,
                    )
                )
    return out
