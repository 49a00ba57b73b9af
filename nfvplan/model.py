"""The scenario as plain data: what an operator declared, already validated.

Everything here is standard-library dataclasses so that every other layer (solver, checker,
reports) can depend on it without pulling in YAML, OR-Tools or networkx. The loader in
`nfvplan.io` is the only producer; it guarantees the invariants documented on each class
(references resolve, amounts are non-negative, exactly one of `replicas`/`throughput_gbps`...).
Units are the format's: GiB, Gbps, ms, a currency per month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from nfvplan.choices import Objective

FORMAT_VERSION = 1


class Form(str, Enum):
    """How an instance is packaged: a VM carries its own kernel, a container shares the host's,
    and a nested container (`container-in-vm`) shares the kernel of a worker VM of its trust
    domain (Kubernetes worker nodes as VMs: OpenShift on OpenStack, Tanzu on vSphere)."""

    VM = "vm"
    CONTAINER = "container"
    NESTED = "container-in-vm"


class Scope(str, Enum):
    """The unit that anti-affinity keeps replicas apart on."""

    HOST = "host"
    RACK = "rack"
    SITE = "site"


@dataclass(frozen=True)
class Flavor:
    """What one instance asks for, before the form's overhead."""

    vcpu: float
    memory_gib: float
    hugepages_gib: float = 0.0
    disk_gib: float = 0.0
    sriov_vfs: int = 0
    gbps: float = 0.0


@dataclass(frozen=True)
class Overhead:
    """What each instance of a form costs on top of its flavor (guest OS, emulator, shim)."""

    vcpu: float = 0.0
    memory_gib: float = 0.0
    disk_gib: float = 0.0


@dataclass(frozen=True)
class HostReserve:
    """What a host gives up once as soon as it runs at least one instance of a form."""

    cores: float = 0.0
    memory_gib: float = 0.0
    disk_gib: float = 0.0


@dataclass(frozen=True)
class FormSpec:
    """The platform cost of one form factor."""

    overhead: Overhead = field(default_factory=Overhead)
    host_reserve: HostReserve = field(default_factory=HostReserve)
    boot_seconds: float | None = None
    """None when the scenario does not say: reports print "boot_seconds unset", never 0 s."""


# -- recovery: the image registry (issue 17, "recovery") ------------------------------------


@dataclass(frozen=True)
class Registry:
    """Where hosts pull images from: a site of the network (docs/format.md, "Deploy and
    recovery time"). A host elsewhere pulls over the fastest path of links from there."""

    site: str


# -- end recovery ----------------------------------------------------------------------------


# -- nested form (container-in-vm): worker VMs -------------------------------------------------


@dataclass(frozen=True)
class WorkerFlavor:
    """A Kubernetes worker VM's flavor: what it takes on its host (plus the VM `overhead`),
    and what its containers share after the runtime's `reserve`."""

    vcpu: float
    memory_gib: float
    disk_gib: float = 0.0
    dedicated_cpu: bool = False
    """Pinned: the worker's vCPUs are whole hardware threads, never overcommitted."""
    numa_aligned: bool = False
    """The worker sits inside one NUMA node (`numa_node` in the plan)."""


@dataclass(frozen=True)
class Nesting:
    """The platform's `container-in-vm` block: worker flavors and the per-worker reserve.

    `workers` maps a trust domain to its flavor; `default` serves every other domain (None:
    such a domain has no workers, and the loader refuses its nested VNFs)."""

    default: WorkerFlavor | None = None
    workers: dict[str, WorkerFlavor] = field(default_factory=dict)
    reserve: Overhead = field(default_factory=Overhead)
    """What the container runtime and node agent (kubelet) take inside every worker VM."""

    def flavor(self, domain: str) -> WorkerFlavor | None:
        """The worker flavor of a trust domain."""
        return self.workers.get(domain, self.default)


@dataclass(frozen=True)
class Platform:
    """Per-form costs and the CPU overcommit ratio for shared vCPUs."""

    vm: FormSpec = field(default_factory=FormSpec)
    container: FormSpec = field(default_factory=FormSpec)
    cpu_overcommit: float = 1.0
    image_pull_gbps: float | None = None
    """How fast a host pulls images from the registry (a site may say otherwise); None: pulls
    are not timed."""
    registry: Registry | None = None
    """recovery: the registry's site; None: pulls at `image_pull_gbps`, not over the network."""
    nesting: Nesting = field(default_factory=Nesting)
    """Worker VMs of the nested form (`container-in-vm`)."""

    def form(self, form: Form) -> FormSpec:
        """The spec of `form`. The nested form's: the container's per-instance overhead (it is
        paid inside the worker), no host reserve of its own (its worker VMs pay the VM form's,
        once per host with any VM or worker: `nested.hypervisor_needed`), and a
        boot time of worker VM then container (a failed host's workers boot again first)."""
        if form is Form.NESTED:
            boots = (self.vm.boot_seconds, self.container.boot_seconds)
            return FormSpec(
                overhead=self.container.overhead,
                host_reserve=HostReserve(),  # the hypervisor's: `vm.host_reserve`, see nested.py
                boot_seconds=None if None in boots else sum(b for b in boots if b is not None),
            )
        return self.vm if form is Form.VM else self.container

    def boot_seconds(self, forms: Iterable[Form]) -> float | None:
        """How long instances of `forms` take to come back when they boot in parallel: the
        longest `boot_seconds` among them (0 for none); None when one of them is unset."""
        times = [self.form(form).boot_seconds for form in forms]
        if any(seconds is None for seconds in times):
            return None
        return max((seconds for seconds in times if seconds is not None), default=0.0)


@dataclass(frozen=True)
class ServerType:
    """A hardware profile. Threads, memory and VFs split evenly over `numa_nodes`."""

    name: str
    cores: int
    threads_per_core: int
    memory_gib: float
    disk_gib: float
    nic_gbps: float
    sriov_vfs: int
    numa_nodes: int
    monthly_cost: float

    @property
    def threads(self) -> int:
        """Hardware threads: the unit vCPUs are counted against."""
        return self.cores * self.threads_per_core


@dataclass(frozen=True)
class Site:
    """A data centre or edge location with its installed and purchasable servers.

    `servers` and `expand` map server-type names to counts, in file order; server ids and racks
    follow from that order (FORMAT.md section 2).
    """

    name: str
    kind: str | None
    racks: int
    servers: dict[str, int]
    expand: dict[str, int]
    transit: bool = False
    image_pull_gbps: float | None = None
    """This site's hosts pull images at this rate (over `Platform.image_pull_gbps`)."""

    def rack_of(self, number: int) -> int:
        """The rack of the `number`th server of a type here (FORMAT.md section 2)."""
        return (number - 1) % self.racks + 1

    def type_order(self) -> list[str]:
        """Server types in numbering order: installed types first, then purchasable-only ones."""
        return list(self.servers) + [t for t in self.expand if t not in self.servers]

    def server_ids(self) -> list[tuple[str, bool]]:
        """Every server id `site/type/n` here, in FORMAT numbering, and whether it is
        purchasable (numbered after the installed servers of its type)."""
        ids = []
        for type_name in self.type_order():
            installed = self.servers.get(type_name, 0)
            total = installed + self.expand.get(type_name, 0)
            ids.extend((f"{self.name}/{type_name}/{n}", n > installed) for n in range(1, total + 1))
        return ids


@dataclass(frozen=True)
class Link:
    """A physical link between two sites; both directions share `gbps`."""

    a: str
    b: str
    gbps: float
    latency_ms: float
    length_km: float | None = None


@dataclass(frozen=True)
class SiteFilter:
    """Where a VNF may run: either explicit site names or every site of one kind."""

    names: tuple[str, ...] | None = None
    kind: str | None = None

    def allows(self, site: Site) -> bool:
        """True when `site` is allowed by this filter."""
        if self.names is not None:
            return site.name in self.names
        return site.kind == self.kind

    def describe(self) -> str:
        """The filter as the operator wrote it."""
        if self.names is not None:
            return "[" + ", ".join(self.names) + "]"
        return f"{{kind: {self.kind}}}"


@dataclass(frozen=True)
class Images:
    """Image sizes per form, GiB. A VM's image is a disk of its own per instance; a container
    image is pulled once per host and shared by every container of that VNF there (one image
    per VNF: layers shared between VNFs are not modelled)."""

    vm: float = 0.0
    container: float = 0.0

    def of(self, form: Form) -> float:
        """The image size of `form` (a nested container pulls the container image)."""
        return self.vm if form is Form.VM else self.container


@dataclass(frozen=True)
class Vnf:
    """A network function and its placement rules.

    Exactly one of `replicas` (a fixed count) and `throughput_gbps` (the count follows the
    traffic of the service chains through it, plus `redundancy` spares) is set; the loader
    refuses both and neither.
    """

    name: str
    flavor: Flavor
    forms: tuple[Form, ...]
    replicas: int | None = None
    throughput_gbps: float | None = None
    redundancy: int = 0
    anti_affinity: Scope | None = None
    trust: str = ""
    sites: SiteFilter | None = None
    license_monthly: float = 0.0
    dedicated_cpu: bool = False
    numa_aligned: bool = False
    isolated: bool = False
    latency_ms: float = 0.0
    """Processing latency one instance adds to a demand's path, once per chain visit."""
    image_gib: Images = field(default_factory=Images)
    max_recovery_seconds: float | None = None
    """recovery: every failed instance must run again within this many seconds (pull + boot)
    after any single failure at the `--survive` level; None: no budget."""


@dataclass(frozen=True)
class Demand:
    """Traffic entering a service chain at `source`, leaving at `target` (or the chain's end)."""

    source: str
    target: str | None
    gbps: float
    max_latency_ms: float | None = None


@dataclass(frozen=True)
class Service:
    """An ordered chain of VNFs and the demands that traverse it."""

    name: str
    chain: tuple[str, ...]
    demands: tuple[Demand, ...]


@dataclass(frozen=True)
class SolverSettings:
    """Search limits; the CLI may override each."""

    time_limit_s: float = 30.0
    workers: int = 2
    seed: int = 1


@dataclass(frozen=True)
class Scenario:
    """A whole validated scenario file.

    `sites` includes transit sites (named only by a topology, holding no servers), marked
    `transit=True`. Dict orders are file orders and are significant for server numbering.
    """

    name: str
    description: str
    platform: Platform
    server_types: dict[str, ServerType]
    sites: dict[str, Site]
    links: tuple[Link, ...]
    vnfs: dict[str, Vnf]
    services: dict[str, Service]
    objective: Objective = Objective.COST
    solver: SolverSettings = field(default_factory=SolverSettings)
    source: str | None = None
    version: int = FORMAT_VERSION
    out_of_service: frozenset[str] = frozenset()
    """Server ids (`site/type/n`) that exist but may not be used: failed or drained.

    Not part of the file format: what-if analysis and the failure checks set it, so that a
    failed server keeps its id and the numbering of the others does not shift."""
    degraded: bool = False
    """True while a failure is being recovered from (`survive.failures.failed_scenario`).

    Not part of the file format. `redundancy` spreads spares so that losing any one host leaves
    what the traffic needs; during the outage the spares have done that job, so the restarted
    instances must restore the count but need not be spread again (docs/format.md)."""

    def server_ids(self) -> list[tuple[str, bool]]:
        """Every server id of every site in FORMAT order, with whether it is purchasable."""
        return [entry for site in self.sites.values() for entry in site.server_ids()]
