"""OpenStack Heat: one HOT template per site for its VM-form instances, and its environment.

Per site: one `OS::Nova::Flavor` per VNF (extra specs from `common.extra_specs`), one
`OS::Nova::ServerGroup` with the `anti-affinity` policy per anti-affine VNF, one
`OS::Neutron::Port` with `binding:vnic_type: direct` per SR-IOV VF, and one `OS::Nova::Server`
per instance, pinned to its planned host with `availability_zone: "ZONE:HOST"`. The worker
VMs of containers in VMs are servers too (a flavor per trust domain's worker, metadata
`nfvplan_worker_vm`); their containers are the Kubernetes target's. Heat's server
resource has no host property, and Nova lets only admins force a host this way (policy
`os_compute_api:servers:create:forced_host`), so the stack must be created by an admin.
"""

from __future__ import annotations

from typing import Any

from nfvplan.export.common import (
    Export,
    anti_affine_groups,
    dump_yaml,
    note_skipped,
    nova_flavor,
    one_per_vnf,
    server_metadata,
    site_files,
    unique,
)
from nfvplan.export.naming import dns_label, identifier
from nfvplan.export.spec import WORKER_VM, Deployment, InstanceSpec

HOT_VERSION = "2021-04-16"
"""HOT of the Wallaby release: every Heat since then reads it."""

HEADER = """\
Heat (HOT) template written by `nfvplan export --to heat`: scenario {scenario}, site {site}.
Do not edit by hand: re-export from the plan. Create with an ADMIN account:
  openstack stack create -t {file}.yaml -e {file}-env.yaml {stack}
Each server is pinned to its planned host by availability_zone "ZONE:HOST". Nova allows this
only to admins (policy os_compute_api:servers:create:forced_host); a non-admin create fails.
Flavors carry the extra specs the plan relies on (hw:cpu_policy, hw:mem_page_size,
hw:numa_nodes, hw:pci_numa_affinity_policy): the hosts need matching Nova settings
(cpu_dedicated_set, reserved hugepages), see docs/export.md."""


def render_heat(deployment: Deployment) -> Export:
    """The Heat templates and environments of the plan's VM instances."""
    result = Export("heat")
    vms = deployment.of_form("vm", WORKER_VM)  # worker VMs of nested containers are servers
    names = unique((s.instance for s in vms), identifier, "instance names")
    vnf_names = unique(dict.fromkeys(s.vnf for s in vms), identifier, "VNF names")
    files = site_files(deployment.sites)
    for site in deployment.sites:
        here = [s for s in vms if s.site == site]
        if not here:
            continue
        template, environment = _site_template(deployment, site, here, names, vnf_names)
        stack = "nfvplan-" + dns_label(f"{deployment.scenario}-{site}")
        header = HEADER.format(
            scenario=deployment.scenario, site=site, stack=stack, file=files[site]
        )
        result.files[f"{files[site]}.yaml"] = dump_yaml(template, header)
        result.files[f"{files[site]}-env.yaml"] = dump_yaml(
            environment,
            f"Heat environment for {files[site]}.yaml: fill in every REPLACE-ME, then create it.",
        )
        for resource in template["resources"].values():
            result.kinds[resource["type"]] += 1
        result.sites[site] = len(here)
    note_skipped(result, deployment, "container", "VMs")
    return result


def _site_template(
    deployment: Deployment,
    site: str,
    here: list[InstanceSpec],
    names: dict[str, str],
    vnf_names: dict[str, str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    parameters: dict[str, Any] = {
        "key_name": {"type": "string", "description": "Nova key pair for the servers"},
        "management_network": {
            "type": "string",
            "description": "Neutron network of every server's first interface",
        },
    }
    if any(s.sriov_vfs for s in here):
        parameters["sriov_network"] = {
            "type": "string",
            "description": "Neutron provider network of the SR-IOV VFs (vnic_type direct)",
        }
    resources: dict[str, Any] = {}
    for vnf, spec in one_per_vnf(here).items():
        ident = vnf_names[vnf]
        parameters[f"image_{ident}"] = {"type": "string", "description": f"Glance image of {vnf}"}
        resources[f"flavor_{ident}"] = {
            "type": "OS::Nova::Flavor",
            "properties": nova_flavor(deployment.scenario, site, spec),
        }
    groups = anti_affine_groups(here)
    for vnf in groups:
        resources[f"group_{vnf_names[vnf]}"] = {
            "type": "OS::Nova::ServerGroup",
            "properties": {
                "name": f"nfvplan-{deployment.scenario}-{site}-{vnf}",
                "policies": ["anti-affinity"],
            },
        }
    for spec in here:
        ident = names[spec.instance]
        networks: list[dict[str, Any]] = [{"network": {"get_param": "management_network"}}]
        for vf in range(1, spec.sriov_vfs + 1):
            port = f"{ident}_vf{vf}"
            resources[port] = {
                "type": "OS::Neutron::Port",
                "properties": {
                    "name": f"{spec.instance}-vf{vf}",
                    "network": {"get_param": "sriov_network"},
                    "binding:vnic_type": "direct",
                },
            }
            networks.append({"port": {"get_resource": port}})
        properties: dict[str, Any] = {
            "name": spec.instance,
            "flavor": {"get_resource": f"flavor_{vnf_names[spec.vnf]}"},
            "image": {"get_param": f"image_{vnf_names[spec.vnf]}"},
            "key_name": {"get_param": "key_name"},
            "availability_zone": f"{spec.host.availability_zone}:{spec.host.hostname}",
            "networks": networks,
            "metadata": server_metadata(spec),
        }
        if spec.vnf in groups:
            properties["scheduler_hints"] = {
                "group": {"get_resource": f"group_{vnf_names[spec.vnf]}"}
            }
        resources[ident] = {"type": "OS::Nova::Server", "properties": properties}
    template = {
        "heat_template_version": HOT_VERSION,
        "description": f"nfvplan {deployment.scenario}: VM instances of site {site}",
        "parameters": parameters,
        "resources": resources,
        "outputs": {
            "servers": {
                "description": "Nova server UUID of each planned instance",
                "value": {names[s.instance]: {"get_resource": names[s.instance]} for s in here},
            }
        },
    }
    environment = {"parameters": {name: "REPLACE-ME" for name in parameters}}
    return template, environment
