"""Dump Heat's own property schemas of the resource types `nfvplan export --to heat` emits.

The tests validate exported templates against these schemas offline, without the large
`openstack-heat` engine package (hundreds of MB with its dependencies), so its schemas are
dumped once into a small committed file. Rerun after changing the resource types emitted, or to
move to a newer Heat, in a scratch venv:

    python3 -m venv /tmp/heat && /tmp/heat/bin/pip install openstack-heat
    /tmp/heat/bin/python scripts/dump_heat_schemas.py tests/export/schemas/heat_resources.json

Only resource classes are loaded (their `properties_schema`); no resource is instantiated, so
no OpenStack service, Keystone catalogue or custom-constraint check is ever contacted.
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
from pathlib import Path

RESOURCE_TYPES = (
    "OS::Nova::Flavor",
    "OS::Nova::ServerGroup",
    "OS::Neutron::Port",
    "OS::Nova::Server",
)
KEEP = ("type", "required", "allowed_values", "constraints", "schema", "default")


def _clean(schema: dict) -> dict:
    """The parts of one Heat property schema a validator needs (descriptions dropped)."""
    out = {key: schema[key] for key in KEEP if key in schema}
    if "schema" in out:
        out["schema"] = {name: _clean(dict(sub)) for name, sub in out["schema"].items()}
    return out


def main(target: str) -> None:
    """Load Heat's resource registry offline and write the schemas of RESOURCE_TYPES."""
    from heat.common import config  # noqa: F401  (registers Heat's options)
    from heat.engine import properties, resources, template
    from oslo_config import cfg

    cfg.CONF([], project="heat", default_config_files=[])
    resources.initialise()
    env = resources.global_env()
    dumped = {}
    for name in RESOURCE_TYPES:
        cls = env.get_class(name)
        schemata = properties.schemata(cls.properties_schema)
        dumped[name] = {prop: _clean(dict(s)) for prop, s in sorted(schemata.items())}
    data = {
        "source": "openstack-heat "
        + importlib.metadata.version("openstack-heat")
        + ": heat.engine.resources.global_env() classes, properties_schema",
        "regenerate": "python scripts/dump_heat_schemas.py tests/export/schemas/heat_resources.json"
        " (in a venv with openstack-heat installed)",
        "template_versions": sorted(
            n.split(".", 1)[1]
            for n in template._get_template_extension_manager().names()
            if n.startswith("heat_template_version.")
        ),
        "resource_types": dumped,
    }
    text = json.dumps(data, indent=1, sort_keys=False, default=str) + "\n"
    Path(target).write_text(text, encoding="utf-8")
    print(f"wrote {target}: {', '.join(RESOURCE_TYPES)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/export/schemas/heat_resources.json")
