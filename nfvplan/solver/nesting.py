"""The nested form's tables in integer units, and worker packings (`container-in-vm`).

`NestingTables` is what the assignment model's nesting family needs (built once per problem
by `build_problem`): per trust domain with nested kinds, its worker VM's demand on a host and
the room it offers its containers (the runtime's reserve taken off); per nested kind, what one
instance takes inside a worker. Demands round up and capacities down, like `data.py`.

Formulations that do not model workers (the greedy, the configuration LP) see a nested kind
with `nested.host_share` as its demand, which under-counts: their plans are plans only once
`pack` has put their nested instances into workers that fit (first-fit decreasing per server
and domain, then every host checked with its workers); `start.offer` and the routing greedy
refuse a plan it cannot pack, and the bound they give stays a valid lower bound.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from nfvplan.model import Form
from nfvplan.nested import inner_usage, worker_flavor, worker_host_usage, worker_room
from nfvplan.solver.data import DISK, MEMORY, NUMA_RESOURCES, THREADS, scale_up
from nfvplan.usage import container_image_usage

INNER_UNITS = (1000, 1024, 1024)
"""Integer units inside a worker: milli-vCPU, MiB, MiB of disk."""

Worker = tuple[int | None, dict[int, int]]
"""(NUMA node or None, {nested kind: instances}) of one worker VM."""
Workers = dict[tuple[int, str], list[Worker]]
"""(slot, trust domain) → its worker VMs, in worker order."""


@dataclass(frozen=True)
class Domain:
    """One trust domain's worker VM in integer units."""

    name: str
    host: tuple[int, ...]
    """What one worker takes of its host, per host resource (`data` units)."""
    room: tuple[int, int, int]
    """What its containers share inside it (`INNER_UNITS`)."""
    aligned: bool
    """The worker sits on one NUMA node."""


@dataclass
class NestingTables:
    """Worker VMs per trust domain and what nested kinds take inside them."""

    domains: dict[str, Domain]
    inner: dict[int, tuple[int, int, int]]
    """Nested kind → what one instance takes inside its worker (`INNER_UNITS`)."""
    domain_of: dict[int, str]
    image: dict[int, int] = field(default_factory=dict)
    """Nested kind → disk (MiB) of its VNF's container image, pulled once per worker."""

    def most_workers(self, domain: str, capacity: tuple[int, ...], reserve: tuple[int, ...]) -> int:
        """How many workers of `domain` an empty host could hold (the hypervisor reserve off)."""
        host = self.domains[domain].host
        best = math.inf
        for r, need in enumerate(host):
            if need > 0:
                best = min(best, (capacity[r] - reserve[r]) // need)
        return 0 if best < 0 else int(min(best, 10**4))

    def per_worker(self, k: int) -> int:
        """Most instances of nested kind `k` one worker holds."""
        room = self.domains[self.domain_of[k]].room
        need = self.inner[k]
        best = math.inf
        for r in range(3):
            have = room[r] - (self.image.get(k, 0) if r == 2 else 0)
            if need[r] > 0:
                best = min(best, have // need[r])
            elif have < 0:
                return 0
        return 0 if best < 0 else int(min(best, 10**6))


def build_tables(scenario, kinds, units: tuple[int, ...]) -> NestingTables | None:
    """The tables for the nested kinds among `kinds` (None when there are none)."""
    nested = [k for k, kind in enumerate(kinds) if kind.form is Form.NESTED]
    if not nested:
        return None
    domains: dict[str, Domain] = {}
    inner: dict[int, tuple[int, int, int]] = {}
    domain_of: dict[int, str] = {}
    image: dict[int, int] = {}
    for k in nested:
        vnf = kinds[k].vnf
        flavor = worker_flavor(scenario, vnf.trust)
        assert flavor is not None, "the loader refuses a nested VNF without a worker flavor"
        if vnf.trust not in domains:
            host = worker_host_usage(scenario, flavor)
            room = worker_room(scenario, flavor)
            domains[vnf.trust] = Domain(
                vnf.trust,
                tuple(scale_up(v, r, units) for r, v in enumerate(host)),
                tuple(math.floor(round(v * u, 6)) for v, u in zip(room, INNER_UNITS, strict=True)),
                flavor.numa_aligned,
            )
        use = inner_usage(scenario, vnf)
        inner[k] = tuple(math.ceil(round(v * u, 6)) for v, u in zip(use, INNER_UNITS, strict=True))
        domain_of[k] = vnf.trust
        if gib := container_image_usage(vnf):  # once per worker: its own node's cache
            image[k] = math.ceil(round(gib * INNER_UNITS[2], 6))
    return NestingTables(domains, inner, domain_of, image)


def fits_worker(tables: NestingTables, contents: Mapping[int, int]) -> bool:
    """True when `contents` ({nested kind: count}) fit one worker, images included."""
    if not contents:
        return True
    domain = tables.domains[tables.domain_of[next(iter(contents))]]
    used = [0, 0, 0]
    for k, count in contents.items():
        for r in range(3):
            used[r] += tables.inner[k][r] * count
        if count:
            used[2] += tables.image.get(k, 0)  # one nested kind per VNF: one image each
    return all(used[r] <= domain.room[r] for r in range(3))


def pack(problem, counts: Mapping[tuple[int, int, int | None], int]) -> Workers | None:
    """Workers for the nested instances of a plan given as counts, or None when first-fit
    decreasing finds no packing whose workers fit their hosts with everything else there.

    Per (slot, domain): instances largest first (by their largest share of the room), each
    into the first worker it fits, else a new one. Then per host: every non-nested instance,
    the workers, the reserves of the forms present and the hypervisor's once, and per NUMA node
    the aligned instances and aligned workers (nodes filled first-fit)."""
    tables: NestingTables | None = problem.nesting
    if tables is None:
        return {}
    per_slot: dict[tuple[int, str], list[int]] = defaultdict(list)
    for (k, s, _node), count in counts.items():
        if count and k in tables.inner:
            per_slot[(s, tables.domain_of[k])].extend([k] * count)
    workers: Workers = {}
    for key in sorted(per_slot):
        domain = tables.domains[key[1]]
        items = sorted(
            per_slot[key],
            key=lambda k: (-max(tables.inner[k][r] / max(domain.room[r], 1) for r in range(3)), k),
        )
        bins: list[dict[int, int]] = []
        for k in items:
            for contents in bins:
                contents[k] = contents.get(k, 0) + 1
                if fits_worker(tables, contents):
                    break
                contents[k] -= 1
                if not contents[k]:
                    del contents[k]
            else:
                if not fits_worker(tables, {k: 1}):
                    return None
                bins.append({k: 1})
        workers[key] = [(None, contents) for contents in bins]
    return workers if _hosts_fit(problem, counts, workers) else None


def _hosts_fit(problem, counts, workers: Workers) -> bool:
    """Every host of the plan holds its instances and workers (NUMA nodes assigned here)."""
    tables: NestingTables = problem.nesting
    load: dict[int, list[int]] = defaultdict(lambda: [0] * 5)
    node_load: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * 5)
    forms: dict[int, set[Form]] = defaultdict(set)
    pulled: dict[int, set[str]] = defaultdict(set)
    for (k, s, node), count in counts.items():
        if not count:
            continue
        kind = problem.kinds[k]
        forms[s].add(kind.form)
        if kind.form is Form.CONTAINER:
            pulled[s].add(kind.vnf.name)
        for r, need in enumerate(kind.demand):
            if kind.form is Form.NESTED and r in (THREADS, MEMORY, DISK):
                continue
            load[s][r] += need * count
            if node is not None and kind.form is not Form.NESTED:
                node_load[(s, node)][r] += need * count
    for (s, name), entries in workers.items():
        forms[s].add(Form.NESTED)
        for r, need in enumerate(tables.domains[name].host):
            load[s][r] += need * len(entries)
    for s, row in load.items():
        slot = problem.slots[s]
        reserve = [0] * 5
        for form in forms[s] | ({Form.VM} if Form.NESTED in forms[s] else set()):
            for r, value in enumerate(problem.reserve(form, slot)):
                reserve[r] += value
        row = [row[r] + reserve[r] for r in range(5)]
        row[DISK] += sum(problem.container_image(name) for name in pulled[s])
        if any(row[r] > slot.capacity[r] for r in range(5)):
            return False
        nodes = slot.type.numa_nodes
        if nodes > 1 and not _nodes_fit(problem, s, node_load, workers, reserve):
            return False
    return True


def _nodes_fit(problem, s: int, node_load, workers: Workers, reserve: list[int]) -> bool:
    """Aligned workers of slot s go to the first node with room; every node's share holds
    its aligned instances, workers and share of the reserves (`k·load + reserve ≤ capacity`)."""
    tables: NestingTables = problem.nesting
    slot = problem.slots[s]
    nodes = slot.type.numa_nodes
    loads = [list(node_load.get((s, n), [0] * 5)) for n in range(nodes)]

    def ok(n: int) -> bool:
        return all(nodes * loads[n][r] + reserve[r] <= slot.capacity[r] for r in NUMA_RESOURCES)

    if not all(ok(n) for n in range(nodes)):
        return False
    for (slot_index, name), entries in sorted(workers.items()):
        domain = tables.domains[name]
        if slot_index != s or not domain.aligned:
            continue
        for i, (_node, contents) in enumerate(entries):
            for n in range(nodes):
                for r in NUMA_RESOURCES:
                    loads[n][r] += domain.host[r]
                if ok(n):
                    entries[i] = (n, contents)
                    break
                for r in NUMA_RESOURCES:
                    loads[n][r] -= domain.host[r]
            else:
                return False
    return True


def conservative(problem):
    """A copy of `problem` where a nested instance costs its host a whole worker VM and the
    hypervisor's reserve (a worker per instance): any plan a per-server greedy finds for it
    is packable in the real problem with at most that many workers (`pack` then merges them).
    Used for the greedy start, which knows nothing of workers."""
    from dataclasses import replace

    from nfvplan.solver.problem import Kind

    tables: NestingTables | None = problem.nesting
    if tables is None:
        return problem
    kinds = []
    for k, kind in enumerate(problem.kinds):
        if k in tables.inner:
            host = tables.domains[tables.domain_of[k]].host
            demand = tuple(
                host[r] if r in (THREADS, MEMORY, DISK) else kind.demand[r] for r in range(5)
            )
            kind = Kind(kind.vnf, kind.form, demand)
        kinds.append(kind)
    reserves = dict(problem.reserves)
    for (form, type_name), _value in problem.reserves.items():
        if form is Form.NESTED:
            reserves[(form, type_name)] = problem.reserves[(Form.VM, type_name)]
    return replace(problem, kinds=kinds, reserves=reserves, _kinds_by_vnf=None)
