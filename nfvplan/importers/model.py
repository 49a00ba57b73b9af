"""What an importer finds: VNFs sized in nfvplan's units, each saying where it came from.

Importers never write nfvplan YAML themselves; they fill `ImportedVnf`s and `Problem`
warnings here, and `emit` turns them into text. Keeping the result as data lets the tests
assert figures exactly and lets `--into` check names against an existing scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nfvplan.errors import Problem

SCOPES = ("host", "rack", "site")


@dataclass
class ImportedVnf:
    """One VDU, pod template or VM, as an nfvplan VNF.

    `vcpu`/`memory_gib` are None when the source gives no figure: such a VNF is written
    commented out (the loader would refuse it), with a warning, never dropped. `notes` become
    the comment lines above the entry: unit conversions, min/max counts, limits not planned.
    """

    name: str
    source: str
    where: str
    line: int | None = None
    vcpu: float | None = None
    memory_gib: float | None = None
    hugepages_gib: float = 0.0
    disk_gib: float = 0.0
    sriov_vfs: int = 0
    forms: tuple[str, ...] = ("vm",)
    replicas: int = 1
    cpu_dedicated: bool = False
    numa_aligned: bool = False
    anti_affinity: str | None = None
    trust: str | None = None
    notes: list[str] = field(default_factory=list)
    vm_nodes: bool = False
    """The source says it runs on Kubernetes worker VMs (a pod selecting nodes by instance
    type): the `container-in-vm` form fits it (`--cnf-form`)."""

    @property
    def sized(self) -> bool:
        """True when it has the two figures every nfvplan flavor needs, and instances."""
        return bool(self.vcpu) and bool(self.memory_gib) and self.replicas >= 1

    def missing(self) -> list[str]:
        """What keeps it from being written as a live entry."""
        out = []
        if not self.vcpu:
            out.append("vCPU count")
        if not self.memory_gib:
            out.append("memory size")
        if self.replicas < 1:
            out.append("instance at the default level (it has 0)")
        return out


@dataclass
class ImportResult:
    """Everything read from the input files: VNFs in file order, warnings, skipped objects."""

    vnfs: list[ImportedVnf] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Objects that carry no workload (Kubernetes Services, ConfigMaps...), one line each."""
    sources: list[str] = field(default_factory=list)

    def extend(self, other: ImportResult) -> None:
        """Add another file's findings after this one's."""
        self.vnfs += other.vnfs
        self.warnings += other.warnings
        self.skipped += other.skipped
        self.sources += other.sources


class Collector:
    """The warnings of one source file, located as `file:line: path: message`."""

    def __init__(self, file: str, result: ImportResult) -> None:
        self.file = file
        self.result = result

    def warn(self, line: int | None, path: str, message: str) -> None:
        """Record something that could not be mapped (or was mapped by a stated guess)."""
        self.result.warnings.append(Problem(self.file, line or None, None, path, message))
