"""Validating exported files offline against the real tools' schemas, plus the rules that
schemas miss.

- Kubernetes built-in kinds: `kubernetes-validate` in strict mode (its bundled OpenAPI schemas).
- KubeVirt `VirtualMachine`: KubeVirt's published OpenAPI spec (schemas/, see its `source`).
- Multus `NetworkAttachmentDefinition`: the published CRD's schema.
- Heat: the property schemas Heat's own resource classes declare, dumped by
  scripts/dump_heat_schemas.py (schemas/heat_resources.json records the Heat version).
- Terraform: the provider's argument schema, written from its source (see its `source`).

The semantic checks (`semantic_problems`) are the rules that make the export mean the plan:
Guaranteed QoS with whole CPUs for dedicated instances, hugepages with a memory request,
valid quantities, flavor extra specs consistent with the VNF, one pinned object per instance.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

from nfvplan.export.readback import quantity
from nfvplan.model import Scenario

SCHEMAS = Path(__file__).parent / "schemas"
K8S_VERSION = kubernetes_validate.latest_version()
QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G)?$")


@cache
def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _jsonschema_errors(schema: dict[str, Any], document: Any) -> list[str]:
    validator = jsonschema.Draft4Validator(schema)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def kubernetes_errors(document: dict[str, Any]) -> list[str]:
    """Schema errors of one manifest: built-in kinds strictly, CRDs against their schemas."""
    kind = document.get("kind")
    if kind == "VirtualMachine":
        return _jsonschema_errors(_schema("kubevirt_virtualmachine.json"), document)
    if kind == "NetworkAttachmentDefinition":
        return _jsonschema_errors(_schema("multus_network_attachment_definition.json"), document)
    try:
        kubernetes_validate.validate(document, K8S_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        return [f"{kind}: {error.message}"]
    except kubernetes_validate.SchemaNotFoundError:
        return [f"{kind}: no schema"]
    return []


# --- Heat --------------------------------------------------------------------------------


def _is_function(value: Any) -> bool:
    """An intrinsic function (`get_param`, `get_resource`...): resolved by Heat, typed later."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith("get_")


def _heat_value(schema: dict[str, Any], value: Any, where: str) -> list[str]:
    if _is_function(value):
        return []
    kind = schema["type"]
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "map": lambda v: isinstance(v, dict),
        "list": lambda v: isinstance(v, list),
    }
    if not checks[kind](value):
        return [f"{where}: {value!r} is not a {kind}"]
    errors = []
    for constraint in schema.get("constraints", []):
        allowed = constraint.get("allowed_values")
        # Heat's AllowedValues checks each item of a list value, the value itself otherwise.
        if allowed is not None and any(
            v not in allowed for v in (value if kind == "list" else [value])
        ):
            errors.append(f"{where}: {value!r} not in {allowed}")
        if "range" in constraint:
            low, high = constraint["range"].get("min"), constraint["range"].get("max")
            if (low is not None and value < low) or (high is not None and value > high):
                errors.append(f"{where}: {value!r} outside {constraint['range']}")
    sub = schema.get("schema")
    if sub and kind == "map":
        errors += _heat_properties(sub, value, where)
    if sub and kind == "list":
        for index, item in enumerate(value):
            errors += _heat_value(sub["*"], item, f"{where}[{index}]")
    return errors


def _heat_properties(schema: dict[str, Any], values: dict[str, Any], where: str) -> list[str]:
    errors = [f"{where}.{name}: unknown property" for name in values if name not in schema]
    errors += [
        f"{where}.{name}: required"
        for name, prop in schema.items()
        if prop.get("required") and name not in values
    ]
    for name, value in values.items():
        if name in schema:
            errors += _heat_value(schema[name], value, f"{where}.{name}")
    return errors


def heat_errors(template: dict[str, Any]) -> list[str]:
    """Errors of a HOT template against Heat's own property schemas, and its references."""
    heat = _schema("heat_resources.json")
    errors = []
    if template.get("heat_template_version") not in heat["template_versions"]:
        errors.append(f"unknown heat_template_version {template.get('heat_template_version')!r}")
    known = set(template) - {
        "heat_template_version",
        "description",
        "parameters",
        "resources",
        "outputs",
    }
    errors += [f"unknown template section {k}" for k in known]
    resources = template.get("resources", {})
    parameters = template.get("parameters", {})
    for name, resource in resources.items():
        schema = heat["resource_types"].get(resource["type"])
        if schema is None:
            errors.append(f"{name}: resource type {resource['type']} not dumped")
            continue
        errors += _heat_properties(schema, resource.get("properties", {}), name)
    for ref_kind, pool in (("get_resource", resources), ("get_param", parameters)):
        for ref in _references(template, ref_kind):
            if ref not in pool:
                errors.append(f"{ref_kind} {ref!r} names nothing")
    return errors


def _references(node: Any, kind: str) -> list[str]:
    if isinstance(node, dict):
        found = [node[kind]] if kind in node and isinstance(node[kind], str) else []
        return found + [r for v in node.values() for r in _references(v, kind)]
    if isinstance(node, list):
        return [r for v in node for r in _references(v, kind)]
    return []


# --- Terraform ---------------------------------------------------------------------------


def terraform_errors(main: dict[str, Any]) -> list[str]:
    """Errors of main.tf.json against the provider's argument schemas, and its references."""
    schema = _schema("terraform_openstack.json")["resources"]
    errors = []
    variables = main.get("variable", {})
    for kind, body in main.get("resource", {}).items():
        if kind not in schema:
            errors.append(f"resource type {kind} not in the schema")
            continue
        for name, arguments in body.items():
            errors += [f"{kind}.{name}: {e}" for e in _jsonschema_errors(schema[kind], arguments)]
    text = json.dumps(main)
    for ref in re.findall(r"\$\{([^}]+)\}", text):
        parts = ref.split(".")
        if parts[0] == "var":
            if parts[1] not in variables:
                errors.append(f"${{{ref}}}: no such variable")
        elif parts[1] not in main.get("resource", {}).get(parts[0], {}):
            errors.append(f"${{{ref}}}: no such resource")
    return errors


# --- Files of one export -------------------------------------------------------------------


def load_documents(directory: Path) -> dict[str, list[Any]]:
    """File name -> parsed documents (YAML files, and JSON for Terraform)."""
    files: dict[str, list[Any]] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix == ".yaml":
            files[path.name] = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
        elif path.name.endswith(".tf.json"):
            files[path.name] = [json.loads(path.read_text())]
    return files


def schema_errors(target: str, directory: Path) -> list[str]:
    """Every schema error of an export directory."""
    errors = []
    for name, documents in load_documents(directory).items():
        if name in ("nfvplan-hosts.yaml", "nfvplan-workers.yaml"):
            continue
        for document in documents:
            if target == "heat":
                if "heat_template_version" in document:
                    found = heat_errors(document)
                else:  # an environment: only parameters the template declares
                    template = load_documents(directory)[name.replace("-env.yaml", ".yaml")][0]
                    found = [
                        f"parameter {p} not in the template"
                        for p in document["parameters"]
                        if p not in template["parameters"]
                    ]
            elif target == "terraform":
                found = terraform_errors(document)
            else:
                found = kubernetes_errors(document)
            errors += [f"{name}: {e}" for e in found]
    return errors


# --- What schemas miss ---------------------------------------------------------------------


def _pod_problems(scenario: Scenario, pod: dict[str, Any], vnf_name: str, where: str) -> list[str]:
    vnf = scenario.vnfs[vnf_name]
    problems = []
    for container in pod["containers"]:
        requests = container["resources"]["requests"]
        limits = container["resources"]["limits"]
        for key, value in [*requests.items(), *limits.items()]:
            if not QUANTITY.match(str(value)):
                problems.append(f"{where}: {key}={value!r} is not a quantity")
        if vnf.dedicated_cpu:
            if requests != limits:
                problems.append(f"{where}: dedicated but requests {requests} != limits {limits}")
            if quantity(requests["cpu"]) != int(quantity(requests["cpu"])):
                problems.append(f"{where}: dedicated with a fractional CPU {requests['cpu']}")
        huge = [k for k in requests if k.startswith("hugepages-")]
        if vnf.flavor.hugepages_gib and (not huge or "memory" not in requests):
            problems.append(f"{where}: hugepages without a hugepages and memory request")
        if huge and requests[huge[0]] != limits.get(huge[0]):
            problems.append(f"{where}: hugepages requests != limits")
    return problems


def semantic_problems(scenario: Scenario, target: str, directory: Path) -> list[str]:
    """The rules of the mapping that no schema states, checked on the files."""
    problems = []
    documents = load_documents(directory)
    if target == "kubernetes":
        for name, docs in documents.items():
            for doc in docs:
                if doc.get("kind") != "StatefulSet":
                    continue
                where = f"{name}: {doc['metadata']['name']}"
                if doc["spec"]["replicas"] != 1:
                    problems.append(f"{where}: not exactly one replica")
                template = doc["spec"]["template"]
                vnf = template["metadata"]["annotations"]["nfvplan.io/vnf"]
                problems += _pod_problems(scenario, template["spec"], vnf, where)
                vfs = scenario.vnfs[vnf].flavor.sriov_vfs
                networks = template["metadata"]["annotations"].get("k8s.v1.cni.cncf.io/networks")
                if vfs and (networks is None or len(networks.split(",")) != vfs):
                    problems.append(f"{where}: {vfs} VFs but Multus networks {networks!r}")
    if target in ("heat", "terraform"):
        problems += _flavor_problems(scenario, target, documents)
    return problems


def _flavor_problems(scenario: Scenario, target: str, documents: dict[str, list[Any]]) -> list[str]:
    problems = []
    pairs = []  # (server name, its flavor properties, vnf)
    for docs in documents.values():
        for doc in docs:
            if target == "heat" and "resources" in doc:
                for res in doc["resources"].values():
                    if res["type"] == "OS::Nova::Server":
                        flavor = doc["resources"][res["properties"]["flavor"]["get_resource"]]
                        pairs.append((res["properties"], flavor["properties"]))
            if target == "terraform" and "resource" in doc:
                flavors = doc["resource"]["openstack_compute_flavor_v2"]
                for server in doc["resource"]["openstack_compute_instance_v2"].values():
                    name = server["flavor_id"].split(".")[1]
                    pairs.append((server, flavors[name]))
    for server, flavor in pairs:
        if "nfvplan_worker_vm" in server["metadata"]:  # a worker VM of nested containers
            problems += _worker_flavor_problems(scenario, server, flavor)
            continue
        vnf = scenario.vnfs[server["metadata"]["nfvplan_vnf"]]
        specs = flavor["extra_specs"]
        where = server["name"]
        expected = {"hw:cpu_policy": "dedicated" if vnf.dedicated_cpu else "shared"}
        if vnf.flavor.hugepages_gib:
            expected["hw:mem_page_size"] = specs.get("hw:mem_page_size")
            if specs.get("hw:mem_page_size") not in ("1GB", "2MB"):
                problems.append(f"{where}: hugepages without hw:mem_page_size")
        if vnf.numa_aligned:
            expected["hw:numa_nodes"] = "1"
            if vnf.flavor.sriov_vfs:
                expected["hw:pci_numa_affinity_policy"] = "required"
        if vnf.dedicated_cpu:
            expected["hw:emulator_threads_policy"] = "share"
        if specs != expected:
            problems.append(f"{where}: extra specs {specs} for VNF {vnf.name}, expected {expected}")
        if any(not isinstance(v, str) for v in specs.values()):
            problems.append(f"{where}: extra spec values must be strings")
        if flavor["vcpus"] < vnf.flavor.vcpu:
            problems.append(f"{where}: {flavor['vcpus']} vCPUs for {vnf.flavor.vcpu}")
    return problems


def _worker_flavor_problems(scenario: Scenario, server: dict, flavor: dict) -> list[str]:
    """A worker VM's Nova flavor against its trust domain's worker flavor."""
    worker = scenario.platform.nesting.flavor(server["metadata"]["nfvplan_trust"])
    where = server["name"]
    if worker is None:
        return [f"{where}: a worker VM of a trust domain without a worker flavor"]
    expected = {"hw:cpu_policy": "dedicated" if worker.dedicated_cpu else "shared"}
    if worker.dedicated_cpu:
        expected["hw:emulator_threads_policy"] = "share"
    if worker.numa_aligned:
        expected["hw:numa_nodes"] = "1"
    problems = []
    if flavor["extra_specs"] != expected:
        problems.append(f"{where}: extra specs {flavor['extra_specs']}, expected {expected}")
    if flavor["vcpus"] < worker.vcpu or flavor["ram"] < worker.memory_gib * 1024:
        problems.append(f"{where}: flavor {flavor['vcpus']} vCPUs, {flavor['ram']} MiB")
    return problems
