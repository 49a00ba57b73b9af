"""Extract the JSON Schema of KubeVirt's `VirtualMachine` from KubeVirt's published OpenAPI spec.

kubernetes-validate has no schema for custom resources, so the tests validate exported
VirtualMachine objects against this subset of KubeVirt's own spec: the definitions reachable
from `v1.VirtualMachine`, descriptions dropped, and every object that lists its properties
closed (`additionalProperties: false`, as kubernetes-validate's strict mode does), so a
misspelt field fails. Rerun on a newer KubeVirt release:

    git -C KUBEVIRT_CHECKOUT show v1.9.0:api/openapi-spec/swagger.json > /tmp/swagger.json
    python scripts/extract_kubevirt_schema.py /tmp/swagger.json v1.9.0 \
        tests/export/schemas/kubevirt_virtualmachine.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = "v1.VirtualMachine"


def _strip(node: Any) -> Any:
    """The node without descriptions, objects with properties closed."""
    if isinstance(node, list):
        return [_strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: _strip(v)
        for k, v in node.items()
        if k
        not in (
            "description",
            "x-kubernetes-list-type",
            "x-kubernetes-list-map-keys",
            "x-kubernetes-map-type",
        )
    }
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def _references(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.add(value.rsplit("/", 1)[-1])
            else:
                _references(value, found)
    elif isinstance(node, list):
        for item in node:
            _references(item, found)


def extract(spec: dict[str, Any]) -> dict[str, Any]:
    """Every definition reachable from ROOT."""
    definitions = spec["definitions"]
    todo, kept = [ROOT], {}
    while todo:
        name = todo.pop()
        if name in kept:
            continue
        kept[name] = _strip(definitions[name])
        found: set[str] = set()
        _references(definitions[name], found)
        todo.extend(sorted(found))
    return dict(sorted(kept.items()))


def main(source: str, version: str, target: str) -> None:
    """Write the schema file: root reference, definitions, and where they came from."""
    spec = json.loads(Path(source).read_text(encoding="utf-8"))
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "source": f"kubevirt/kubevirt {version}: api/openapi-spec/swagger.json, definitions "
        f"reachable from {ROOT}",
        "regenerate": "python scripts/extract_kubevirt_schema.py SWAGGER VERSION TARGET",
        "$ref": f"#/definitions/{ROOT}",
        "definitions": extract(spec),
    }
    Path(target).write_text(json.dumps(schema, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {target}: {len(schema['definitions'])} definitions")


if __name__ == "__main__":
    main(*sys.argv[1:4])
