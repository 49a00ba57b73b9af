"""What a generated scenario is made of: NFVI host profiles and VNF profiles per site tier.

The figures follow the ranges of the hand-written examples (examples/*.yaml, whose header
comments give the sources): ONF SD-Core / free5GC / OAI CN5G for the 5G core (2-8 vCPU control
plane functions as containers; DPDK UPFs with pinned cores, hugepages, 2 SR-IOV VFs, NUMA
alignment), 3GPP TS 23.228 IMS with vendor sizing-guide orders of magnitude (8-16 vCPU signalling,
16-64 GiB HSS/TAS VMs, pinned-core MRF media), and typical vCPE / SD-WAN virtual-appliance data
sheets (2-4 vCPU edges, 16 vCPU orchestrators). They are estimates, not vendor quotes; what
matters for planning is that sizes, forms and rules mix the way they do in an operator's
network.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CORE, REGIONAL, EDGE = "core", "regional", "edge"
TIERS = (CORE, REGIONAL, EDGE)


@dataclass(frozen=True)
class HostProfile:
    """An NFVI server type as the scenario file writes it."""

    name: str
    cores: int
    threads_per_core: int
    memory_gib: int
    disk_gib: int
    nic_gbps: int
    sriov_vfs: int
    numa_nodes: int
    monthly_cost: int

    @property
    def threads(self) -> int:
        """Hardware threads."""
        return self.cores * self.threads_per_core

    def as_yaml(self) -> dict[str, int]:
        """The `server_types:` entry."""
        return {
            "cores": self.cores,
            "threads_per_core": self.threads_per_core,
            "memory_gib": self.memory_gib,
            "disk_gib": self.disk_gib,
            "nic_gbps": self.nic_gbps,
            "sriov_vfs": self.sriov_vfs,
            "numa_nodes": self.numa_nodes,
            "monthly_cost": self.monthly_cost,
        }


# Dense 2 x 32-core core-DC host (Xeon Platinum 8462Y+ / R760 class), the 2 x 24-core NFVI host
# of the examples for regional sites, a 1-socket short-depth edge server (XR11 class) and a
# small edge box (Xeon D, 16 cores) an edge site may buy instead. Monthly: 5-year amortisation
# plus power and space.
HOSTS: dict[str, HostProfile] = {
    h.name: h
    for h in (
        HostProfile("core-2s-dense", 64, 2, 1024, 7680, 200, 128, 2, 1150),
        HostProfile("nfvi-2s", 48, 2, 512, 3840, 100, 64, 2, 780),
        HostProfile("edge-1u", 24, 2, 256, 960, 50, 32, 1, 420),
        HostProfile("edge-mini", 16, 2, 128, 480, 25, 16, 1, 260),
    )
}

TIER_HOSTS: dict[str, tuple[str, str | None]] = {
    CORE: ("core-2s-dense", "nfvi-2s"),
    REGIONAL: ("nfvi-2s", None),
    EDGE: ("edge-1u", "edge-mini"),
}
"""Per tier: the installed host type, and a second type the site may buy (expand)."""


@dataclass(frozen=True)
class VnfProfile:
    """A VNF template: its flavor, forms and rules, and its share of the tier's instances.

    `weight` sizes the replica count when the scenario scales; `fixed` overrides it with a
    count that follows the topology (one per site of the tier for site anti-affinity).
    """

    name: str
    vcpu: float
    memory_gib: float
    disk_gib: float
    forms: tuple[str, ...]
    trust: str
    weight: float = 1.0
    anti_affinity: str | None = None
    hugepages_gib: float = 0.0
    sriov_vfs: int = 0
    dedicated: bool = False
    numa: bool = False
    isolated: bool = False
    license: float = 0.0
    fixed: str | None = None
    """'per-site': one replica per site of the tier (site anti-affinity); 'two': 2 replicas."""
    throughput_gbps: float | None = None
    extra: dict[str, object] = field(default_factory=dict)

    def as_yaml(self, tier_filter: object, replicas: int | None) -> dict[str, object]:
        """The `vnfs:` entry, restricted to `tier_filter` (a `{kind: K}` dict or a name list)."""
        flavor: dict[str, object] = {"vcpu": self.vcpu, "memory_gib": self.memory_gib}
        if self.hugepages_gib:
            flavor["hugepages_gib"] = self.hugepages_gib
        if self.sriov_vfs:
            flavor["sriov_vfs"] = self.sriov_vfs
        flavor["disk_gib"] = self.disk_gib
        entry: dict[str, object] = {"flavor": flavor, "forms": list(self.forms)}
        if self.throughput_gbps is not None:
            entry["throughput_gbps"] = self.throughput_gbps
            entry["redundancy"] = 1
        else:
            entry["replicas"] = replicas
        if self.dedicated:
            entry["cpu"] = "dedicated"
        if self.numa:
            entry["numa"] = "aligned"
        if self.isolated:
            entry["isolation"] = "host"
        if self.anti_affinity:
            entry["anti_affinity"] = self.anti_affinity
        entry["trust"] = self.trust
        entry["sites"] = tier_filter
        if self.license:
            entry["license_monthly"] = self.license
        return entry


def _v(name: str, vcpu: float, mem: float, disk: float, forms: str, trust: str, **kw) -> VnfProfile:
    return VnfProfile(name, vcpu, mem, disk, tuple(forms.split(",")), trust, **kw)


# Pooled at the core data centres: the 5G SA control plane and subscriber data, charging,
# lawful intercept, the IMS core and OAM.
CORE_VNFS: tuple[VnfProfile, ...] = (
    _v("amf", 4, 8, 20, "container,vm", "5gc-signalling", weight=3, anti_affinity="host"),
    _v("smf", 4, 8, 20, "container,vm", "5gc-signalling", weight=3, anti_affinity="host"),
    _v("nrf", 2, 4, 10, "container", "5gc-signalling", anti_affinity="site", fixed="per-site"),
    _v("ausf", 2, 4, 10, "container", "5gc-signalling", weight=1),
    _v("udm", 4, 8, 20, "container", "5gc-data", weight=2),
    _v("udr", 4, 16, 200, "container,vm", "5gc-data", weight=1, anti_affinity="host"),
    _v("pcf", 4, 8, 20, "container", "5gc-signalling", weight=2),
    _v("nssf", 2, 4, 10, "container", "5gc-signalling", weight=0.5),
    _v("nef", 2, 4, 10, "container", "5gc-exposure", weight=0.5),
    _v("chf", 8, 32, 200, "vm", "charging", weight=1, anti_affinity="host", license=150),
    _v("li-mediation", 8, 32, 500, "vm", "lawful-intercept", isolated=True, fixed="two"),
    _v("i-cscf", 4, 8, 20, "container,vm", "ims-signalling", weight=1),
    _v("s-cscf", 8, 16, 20, "container,vm", "ims-signalling", weight=2, anti_affinity="host"),
    _v("hss", 16, 64, 400, "vm", "hss", weight=0.5, anti_affinity="host", license=300),
    _v("tas", 16, 32, 60, "vm", "tas", weight=0.5, license=200),
    _v(
        "mrf",
        16,
        16,
        40,
        "container,vm",
        "ims-media",
        weight=1,
        hugepages_gib=8,
        sriov_vfs=2,
        dedicated=True,
        numa=True,
        anti_affinity="host",
    ),
    _v("dns", 2, 4, 10, "container", "oam", anti_affinity="site", fixed="per-site"),
)

# Pooled at regional sites: the UE-facing P-CSCF, interconnect SBCs, SD-WAN hubs, CDN caches,
# and the carrier-grade NAT of the broadband service chain (sized by its traffic).
REGIONAL_VNFS: tuple[VnfProfile, ...] = (
    _v("p-cscf", 8, 16, 20, "container,vm", "ims-signalling", weight=2, anti_affinity="host"),
    _v("sbc", 8, 16, 40, "vm", "sbc", weight=1, sriov_vfs=2, license=120),
    _v("sdwan-hub", 4, 8, 40, "vm,container", "sdwan", weight=2, dedicated=True),
    _v("sdwan-orchestrator", 16, 32, 500, "vm", "sdwan", anti_affinity="site", fixed="two"),
    _v("cdn-cache", 8, 32, 1000, "vm", "cdn", weight=1),
    _v(
        "cgnat",
        8,
        16,
        20,
        "container,vm",
        "user-plane",
        sriov_vfs=2,
        dedicated=True,
        numa=True,
        throughput_gbps=40,
    ),
)

# Per edge site: the user plane close to the RAN (sized by its traffic), and each site's
# business customers' network-hosted vCPE (an SD-WAN edge VM and a containerised firewall).
UPF = _v(
    "upf",
    8,
    8,
    20,
    "container,vm",
    "user-plane",
    hugepages_gib=8,
    sriov_vfs=2,
    dedicated=True,
    numa=True,
    throughput_gbps=10,
)
EDGE_SITE_VNFS: tuple[VnfProfile, ...] = (
    _v("vcpe", 2, 4, 20, "vm,container", "tenant", weight=2, dedicated=True),
    _v("vfw", 1, 2, 5, "container", "tenant", weight=1),
    _v("mec-app", 4, 8, 40, "container,vm", "mec", weight=1, anti_affinity="host"),
)
TENANTS = 6
"""Business tenants; each edge site's vCPEs belong to one, its own trust domain."""
