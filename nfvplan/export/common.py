"""What every target's renderer shares: the result type, YAML text, unique names, flavors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from nfvplan.errors import InputError
from nfvplan.export.naming import label_value
from nfvplan.export.spec import Deployment, InstanceSpec
from nfvplan.wording import count


@dataclass
class Export:
    """The files of one export (relative path -> text) and what they hold, for the summary."""

    target: str
    files: dict[str, str] = field(default_factory=dict)
    kinds: Counter[str] = field(default_factory=Counter)
    """Objects per kind (OS::Nova::Server, StatefulSet, openstack_compute_instance_v2...)."""
    sites: Counter[str] = field(default_factory=Counter)
    """Exported instances per site."""
    notes: list[str] = field(default_factory=list)


def note_skipped(
    result: Export, deployment: Deployment, form: str, kind: str, hint: str = ""
) -> None:
    """Note the instances of `form` that `result`'s target does not deploy (it deploys `kind`
    only), so the summary never lets an operator believe the export holds the whole plan;
    `hint` names the target that does deploy them."""
    n = len(deployment.of_form(form))
    if n:
        what = f"{count(n, form + ' instance')} not exported"
        result.notes.append(f"{what}: the {result.target} target deploys {kind} only{hint}")


class _Dumper(yaml.SafeDumper):
    """The safe dumper without anchors and aliases: a label map shared by a workload and its
    pod template is written out twice, as people and `kubectl diff` read it."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_OPTIONS: dict[str, Any] = {
    "Dumper": _Dumper,
    "sort_keys": False,
    "default_flow_style": False,
    "width": 100,
    "allow_unicode": True,
}


def dump_yaml(data: Any, header: str = "") -> str:
    """Block-style YAML in insertion order; `header` lines become comments."""
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comments + yaml.dump(data, **_OPTIONS)


def dump_yaml_all(documents: Iterable[Any], header: str = "") -> str:
    """Several YAML documents (Kubernetes manifests) in one file."""
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    body = yaml.dump_all(list(documents), explicit_start=True, **_OPTIONS)
    return comments + body


def unique(names: Iterable[str], convert: Callable[[str], str], what: str) -> dict[str, str]:
    """`convert` of every name, refusing two names that convert to one (they would become one
    object in the tool)."""
    result: dict[str, str] = {}
    owner: dict[str, str] = {}
    for name in names:
        converted = convert(name)
        if converted in owner and owner[converted] != name:
            raise InputError.single(
                "<export>",
                f"{what} {owner[converted]!r} and {name!r} both become {converted!r}; "
                "rename one of them",
            )
        owner[converted] = name
        result[name] = converted
    return result


RESERVED_STEMS = (
    "namespace",
    "sriov-network",
    "nfvplan-hosts",
    "nfvplan-workers",
    "main",
    "label-nodes",
    "README",
)
"""File names an export writes besides the per-site files."""


def site_files(sites: Iterable[str]) -> dict[str, str]:
    """Site -> the stem of its file: the site name in file-safe characters, refused when two
    sites (or a site and a file the export writes anyway) would share one."""
    stems = unique(sites, lambda s: label_value(s).lower(), "site names")
    for site, stem in stems.items():
        if stem in {r.lower() for r in RESERVED_STEMS} or stem.endswith("-env"):
            raise InputError.single(
                "<export>",
                f"site {site!r} would be written as {stem}.yaml, a name the export "
                "uses for another file; rename the site",
            )
    return {site: label_value(site) for site in stems}


def extra_specs(spec: InstanceSpec) -> dict[str, str]:
    """Nova flavor extra specs that give the planned placement its meaning (also used by
    Terraform, which drives the same Nova).

    `hw:emulator_threads_policy: share` keeps QEMU's emulator threads off the pinned CPUs: the
    plan counts a VM's overhead vCPU as shared, not as one more pinned thread.
    """
    specs = {"hw:cpu_policy": "dedicated" if spec.dedicated else "shared"}
    if spec.dedicated:
        specs["hw:emulator_threads_policy"] = "share"
    if spec.hugepages_gib:
        specs["hw:mem_page_size"] = "1GB" if spec.vm_page_1g else "2MB"
    if spec.numa_aligned:
        specs["hw:numa_nodes"] = "1"
        if spec.sriov_vfs:
            specs["hw:pci_numa_affinity_policy"] = "required"
    return specs


def nova_flavor(scenario: str, site: str, spec: InstanceSpec) -> dict[str, Any]:
    """The Nova flavor of a VNF at a site, as Heat's and Terraform's flavor both spell it."""
    return {
        "name": f"nfvplan-{scenario}-{site}-{spec.vnf}",
        "vcpus": spec.whole_vcpus,
        "ram": spec.vm_ram_mib,
        "disk": spec.disk_whole_gib,
        "is_public": False,
        "extra_specs": extra_specs(spec),
    }


def one_per_vnf(instances: list[InstanceSpec]) -> dict[str, InstanceSpec]:
    """VNF -> its first instance here (the flavor is the VNF's, the same for all)."""
    first: dict[str, InstanceSpec] = {}
    for spec in instances:
        first.setdefault(spec.vnf, spec)
    return first


def anti_affine_groups(instances: list[InstanceSpec]) -> dict[str, list[InstanceSpec]]:
    """VNF -> its instances here that must not share a host (any anti-affinity scope implies
    distinct hosts), for VNFs with two or more of them."""
    groups: dict[str, list[InstanceSpec]] = {}
    for spec in instances:
        if spec.anti_affinity is not None:
            groups.setdefault(spec.vnf, []).append(spec)
    return {vnf: members for vnf, members in groups.items() if len(members) > 1}


def server_metadata(spec: InstanceSpec) -> dict[str, str]:
    """What the plan says about a Nova server (Heat and Terraform), for operators and for the
    read-back; the pinning itself is the availability zone."""
    data = {
        "nfvplan_instance": spec.instance,
        "nfvplan_vnf": spec.vnf,
        "nfvplan_server": spec.server,
    }
    if spec.numa_node is not None:
        data["nfvplan_numa_node"] = str(spec.numa_node)
    if spec.form == "worker-vm" and spec.worker is not None:
        data["nfvplan_worker_vm"] = spec.worker
        data["nfvplan_trust"] = spec.trust
    return data
