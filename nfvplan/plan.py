"""The deployment plan: what the solver decided, as plain data (FORMAT.md section 2).

A `Plan` is produced by the solver, written and read by `nfvplan.io.plan_io`, and re-checked by
`nfvplan.check`. It carries no solver object, so a hand-edited plan file is as good an input
to the checker as a fresh one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from nfvplan.model import FORMAT_VERSION

RESOURCE_KEYS = ("threads", "memory_gib", "disk_gib", "nic_gbps", "sriov_vfs")
"""The per-server resources a plan reports, in this order everywhere."""


class Status(str, Enum):
    """Outcome of a solve; `UNKNOWN` means no plan was found within the time limit."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"

    @property
    def has_plan(self) -> bool:
        """True when the plan holds placements."""
        return self in (Status.OPTIMAL, Status.FEASIBLE)

    @property
    def exit_code(self) -> int:
        """The process exit code of FORMAT.md section 3."""
        return {Status.OPTIMAL: 0, Status.FEASIBLE: 0, Status.INFEASIBLE: 3, Status.UNKNOWN: 4}[
            self
        ]


@dataclass(frozen=True)
class ObjectiveValue:
    """The objective reached, the best proven bound and the relative gap between them."""

    name: str
    value: float | None
    bound: float | None
    gap: float | None


@dataclass(frozen=True)
class Summary:
    """Headline figures of a plan; utilisations are over the servers used."""

    monthly_cost: float = 0.0
    servers_used: int = 0
    servers_bought: int = 0
    instances: int = 0
    vms: int = 0
    containers: int = 0
    cpu_utilisation: float = 0.0
    memory_utilisation: float = 0.0


@dataclass(frozen=True)
class ServerUse:
    """A server that hosts something and what it uses of each resource (reserves included)."""

    id: str
    site: str
    type: str
    rack: int
    bought: bool
    used: dict[str, float]


@dataclass(frozen=True)
class Placement:
    """One instance: where it runs and in which form."""

    vnf: str
    instance: str
    server: str
    form: str
    numa_node: int | None = None
    worker: str | None = None
    """The worker VM a nested instance (`container-in-vm`) runs in (`Plan.workers`)."""


@dataclass(frozen=True)
class WorkerVm:
    """A Kubernetes worker VM of the nested form: a VM on `server` whose kernel only the
    containers of trust domain `trust` share. `flavor` names the platform's flavor: the
    domain's own under `workers:`, or `worker` (the one for all domains)."""

    id: str
    server: str
    trust: str
    flavor: str
    numa_node: int | None = None


@dataclass(frozen=True)
class Route:
    """One split part of a demand: its Gbps, site path and the instances it passes in order."""

    service: str
    demand: int
    gbps: float
    latency_ms: float
    path: list[str]
    via: list[str]


@dataclass(frozen=True)
class LinkLoad:
    """Traffic on a physical link and its share of the link's capacity."""

    a: str
    b: str
    gbps: float
    capacity_gbps: float

    @property
    def utilisation(self) -> float:
        """Load over capacity."""
        return self.gbps / self.capacity_gbps if self.capacity_gbps else 0.0


@dataclass(frozen=True)
class SolveStats:
    """How the search went; not part of the plan's meaning, so the checker ignores it."""

    wall_time_s: float = 0.0
    formulation: str = ""
    workers: int = 0
    seed: int = 0
    notes: tuple[str, ...] = ()
    """What qualifies the outcome, e.g. the path restriction an `optimal` would depend on."""
    phases: tuple[tuple[str, float], ...] = ()
    """Seconds each stage of the solve took, in the order they ran (`--stats` only)."""
    first_plan_s: float | None = None
    """Seconds from the start to the end of the first stage that had a plan (`--stats` only)."""
    baseline: float | None = None
    """The routing-aware greedy's objective value in the same run: the floor the plan never
    falls below (`--stats` only; None when it does not apply or found no plan)."""
    bound_source: str = ""
    """Which bound the objective's `bound` is (`--stats` only; empty when there is none)."""


@dataclass(frozen=True)
class MigrationStep:
    """One action of a re-plan, in the order the migration can run it.

    `action` is `remove`, `move` or `add`; `source`/`target` are server ids (None where the
    action has no such side). A `note` says when a step needs a temporary spare.
    """

    action: str
    instance: str
    vnf: str
    form: str
    source: str | None = None
    target: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Migration:
    """How to get from the current deployment to this plan, and what it saves.

    Steps are ordered so that no server ever holds more than its capacity (threads, memory,
    disk, SR-IOV VFs, host reserves) mid-way; when no order exists without one, `needs_spare`
    is set and the blocked steps say so.
    """

    steps: list[MigrationStep]
    kept: int
    moved: int
    added: int
    removed: int
    cost_before: float
    cost_after: float
    needs_spare: bool = False

    @property
    def saving(self) -> float:
        """Monthly cost saved by the re-plan (negative when it costs more)."""
        return self.cost_before - self.cost_after

    @property
    def saving_per_move(self) -> float | None:
        """Monthly saving per moved instance; None when nothing moves."""
        return self.saving / self.moved if self.moved else None


@dataclass(frozen=True)
class Plan:
    """A whole plan file."""

    scenario: str
    status: Status
    objective: ObjectiveValue
    summary: Summary = field(default_factory=Summary)
    servers: list[ServerUse] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    links: list[LinkLoad] = field(default_factory=list)
    explanation: list[str] | None = None
    stats: SolveStats = field(default_factory=SolveStats)
    version: int = FORMAT_VERSION
    migration: Migration | None = None
    workers: list[WorkerVm] = field(default_factory=list)
    """The nested form's worker VMs (empty when no instance is nested)."""
    """Set when the plan was made from a current deployment (`solve --current`)."""

    def servers_by_site(self) -> dict[str, int]:
        """How many servers the plan uses at each site, in first-seen order."""
        counts: dict[str, int] = {}
        for server in self.servers:
            counts[server.site] = counts.get(server.site, 0) + 1
        return counts
