"""Terraform for the OpenStack provider: the VM-form instances as one `main.tf.json`.

The same Nova objects as the Heat export (flavors with the plan's extra specs, anti-affinity
server groups, SR-IOV ports with `vnic_type = direct`, servers pinned to their hosts), in
Terraform's JSON syntax. Pinning uses `availability_zone_hints = "ZONE:HOST"`, which the
provider documents for pinning to a host (plain `availability_zone` would be read back from Nova
as the zone alone and show a change on every plan); Nova allows it only to admins. The worker
VMs of containers in VMs are servers too, as in the Heat export (a flavor per trust domain's
worker, metadata `nfvplan_worker_vm`); their containers are the Kubernetes target's.
"""

from __future__ import annotations

import json
from typing import Any

from nfvplan.export.common import (
    Export,
    anti_affine_groups,
    note_skipped,
    nova_flavor,
    one_per_vnf,
    server_metadata,
    unique,
)
from nfvplan.export.naming import identifier
from nfvplan.export.spec import WORKER_VM, Deployment, InstanceSpec

PROVIDER_SOURCE = "terraform-provider-openstack/openstack"
PROVIDER_VERSION = "~> 3.0"
FLAVOR = "openstack_compute_flavor_v2"
GROUP = "openstack_compute_servergroup_v2"
PORT = "openstack_networking_port_v2"
SERVER = "openstack_compute_instance_v2"

COMMENT = (
    "Written by `nfvplan export --to terraform` for scenario {scenario}; re-export, do not edit. "
    "Apply with ADMIN credentials: servers are pinned to their planned hosts with "
    "availability_zone_hints ZONE:HOST, which Nova allows only to admins."
)


def render_terraform(deployment: Deployment) -> Export:
    """`main.tf.json` (provider, variables, resources) and an example variables file."""
    result = Export("terraform")
    vms = deployment.of_form("vm", WORKER_VM)  # worker VMs of nested containers are servers
    names = unique((s.instance for s in vms), identifier, "instance names")
    variables: dict[str, Any] = {
        "key_pair": {"type": "string", "description": "Nova key pair of the servers"},
        "management_network_id": {
            "type": "string",
            "description": "Neutron network of every server's first interface",
        },
    }
    if any(s.sriov_vfs for s in vms):
        variables["sriov_network_id"] = {
            "type": "string",
            "description": "Neutron provider network of the SR-IOV VFs",
        }
    resources: dict[str, dict[str, Any]] = {FLAVOR: {}, GROUP: {}, PORT: {}, SERVER: {}}
    for site in deployment.sites:
        here = [s for s in vms if s.site == site]
        if not here:
            continue
        _site(deployment, site, here, names, variables, resources)
        result.sites[site] = len(here)
    resources = {kind: body for kind, body in resources.items() if body}
    for kind, body in resources.items():
        result.kinds[kind] += len(body)
    main = {
        "//": COMMENT.format(scenario=deployment.scenario),
        "terraform": {
            "required_providers": {
                "openstack": {"source": PROVIDER_SOURCE, "version": PROVIDER_VERSION}
            }
        },
        "provider": {"openstack": {}},
        "variable": variables,
        "resource": resources,
    }
    result.files["main.tf.json"] = json.dumps(main, indent=2) + "\n"
    example = {name: "REPLACE-ME" for name in variables}
    result.files["terraform.tfvars.json.example"] = json.dumps(example, indent=2) + "\n"
    note_skipped(result, deployment, "container", "VMs")
    return result


def _site(
    deployment: Deployment,
    site: str,
    here: list[InstanceSpec],
    names: dict[str, str],
    variables: dict[str, Any],
    resources: dict[str, dict[str, Any]],
) -> None:
    key = identifier(site)
    for vnf, spec in one_per_vnf(here).items():
        ident = f"{key}__{identifier(vnf)}"
        variables.setdefault(
            f"image_{identifier(vnf)}", {"type": "string", "description": f"Glance image of {vnf}"}
        )
        resources[FLAVOR][ident] = nova_flavor(deployment.scenario, site, spec)
    groups = anti_affine_groups(here)
    for vnf in groups:
        resources[GROUP][f"{key}__{identifier(vnf)}"] = {
            "name": f"nfvplan-{deployment.scenario}-{site}-{vnf}",
            "policies": ["anti-affinity"],
        }
    for spec in here:
        ident = names[spec.instance]
        vnf_key = f"{key}__{identifier(spec.vnf)}"
        networks: list[dict[str, str]] = [{"uuid": "${var.management_network_id}"}]
        for vf in range(1, spec.sriov_vfs + 1):
            port = f"{ident}__vf{vf}"
            resources[PORT][port] = {
                "name": f"{spec.instance}-vf{vf}",
                "network_id": "${var.sriov_network_id}",
                "binding": [{"vnic_type": "direct"}],
            }
            networks.append({"port": f"${{{PORT}.{port}.id}}"})
        server: dict[str, Any] = {
            "name": spec.instance,
            "flavor_id": f"${{{FLAVOR}.{vnf_key}.id}}",
            "image_name": f"${{var.image_{identifier(spec.vnf)}}}",
            "key_pair": "${var.key_pair}",
            "availability_zone_hints": f"{spec.host.availability_zone}:{spec.host.hostname}",
            "network": networks,
            "metadata": server_metadata(spec),
        }
        if spec.vnf in groups:
            server["scheduler_hints"] = [{"group": f"${{{GROUP}.{vnf_key}.id}}"}]
        resources[SERVER][ident] = server
