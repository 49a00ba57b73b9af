"""Validate exported Heat templates with Heat's own engine code, offline.

The tests use the property schemas dumped by scripts/dump_heat_schemas.py; this script goes
one step further where `openstack-heat` is installed (a scratch venv, it is large): it parses
each template with Heat's template parser, checks its sections and version, and validates every
resource's properties with Heat's `Properties.validate`, with the custom constraints (which
would ask Glance, Neutron or Nova whether an image or network exists) switched off and
intrinsic functions standing for plain values. Exit 1 on the first invalid template.

    /tmp/heat/bin/python scripts/heat_validate.py deploy/heat/*.yaml
"""

from __future__ import annotations

import sys
from typing import Any


def _plain(value: Any) -> Any:
    """The value with every `get_param`/`get_resource` replaced by a string."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith("get_"):
        return "resolved"
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def main(paths: list[str]) -> int:
    """Validate each HOT file of `paths` (environment files are skipped)."""
    from heat.common import (
        config,  # noqa: F401  (registers Heat's options)
        template_format,
    )
    from heat.engine import constraints, properties, resources
    from heat.engine import template as templates
    from oslo_config import cfg

    cfg.CONF([], project="heat", default_config_files=[])
    constraints.CustomConstraint._is_valid = lambda *args, **kwargs: True
    resources.initialise()
    env = resources.global_env()
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        if "\nheat_template_version:" not in "\n" + text:
            continue  # an environment or the hosts file
        parsed = template_format.parse(text)
        templates.Template(parsed).validate()
        for resource in parsed["resources"].values():
            schema = properties.schemata(env.get_class(resource["type"]).properties_schema)
            props = properties.Properties(
                schema, _plain(resource.get("properties", {})), resolver=lambda d, **kw: d
            )
            props.validate(with_value=True)
        print(f"{path}: valid for Heat ({len(parsed['resources'])} resources)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
