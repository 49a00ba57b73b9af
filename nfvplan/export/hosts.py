"""Which real machine each planned server is: `--hosts HOSTS.yaml`, or names derived from ids.

The file maps nfvplan server ids (`site/type/n`) to what the deployment tools call the machine:

    hosts:
      dc-north/nfvi-2s/1: {hostname: cmp-n-01, availability_zone: nova, node: cmp-n-01}
      dc-north/nfvi-2s/2: cmp-n-02          # short form: the hostname (zone nova, node = it)

Every server the plan uses must be mapped, every id must exist in the scenario, and no two
servers may share a host name or node name; each problem is reported at its line and column.
The export writes the mapping it used into the export directory, which is how the read-back
turns a host name in a template into a server id again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from nfvplan.errors import InputError
from nfvplan.export.naming import hostname_of
from nfvplan.io.yamlsrc import Issues, Node, fields, load_yaml_file, text
from nfvplan.model import Scenario
from nfvplan.plan import Plan

DEFAULT_ZONE = "nova"
"""Nova's default availability zone, the zone a host is in unless an operator made others."""

HOST_KEYS = ("hostname", "availability_zone", "node")
HOSTS_FILE = "nfvplan-hosts.yaml"
"""The mapping an export used, written into its directory."""
WORKERS_FILE = "nfvplan-workers.yaml"
"""Worker VM node -> worker id and physical server, for nested instances (Kubernetes)."""


def dump_workers(workers: dict[str, tuple[str | None, str]]) -> str:
    """The worker nodes of a Kubernetes export, as `read_workers` reads them back."""
    data = {
        "workers": {
            node: {"worker": worker, "server": server}
            for node, (worker, server) in sorted(workers.items())
        }
    }
    return yaml.safe_dump(data, sort_keys=False)


def read_workers(path: Path) -> dict[str, tuple[str, str]]:
    """Worker node -> (worker id, server id) from an export's `WORKERS_FILE` (none: empty)."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        str(node): (str(entry["worker"]), str(entry["server"]))
        for node, entry in (data.get("workers") or {}).items()
    }


@dataclass(frozen=True)
class Host:
    """A planned server as the deployment tools know it."""

    server: str
    hostname: str
    availability_zone: str = DEFAULT_ZONE
    node: str = ""
    """Kubernetes node name; the hostname when not given."""

    @property
    def node_name(self) -> str:
        """The Kubernetes node name."""
        return self.node or self.hostname


@dataclass(frozen=True)
class HostMap:
    """Every used server's host; `derived` when no hosts file gave them."""

    hosts: dict[str, Host]
    derived: bool

    def __getitem__(self, server: str) -> Host:
        return self.hosts[server]

    def by_hostname(self) -> dict[str, str]:
        """Host name -> server id, for reading exports back."""
        return {host.hostname: server for server, host in self.hosts.items()}

    def by_node(self) -> dict[str, str]:
        """Kubernetes node name -> server id, for reading exports back."""
        return {host.node_name: server for server, host in self.hosts.items()}

    def dump(self) -> str:
        """The mapping as a hosts file (what the export writes into its directory)."""
        data = {
            "hosts": {
                server: {
                    "hostname": host.hostname,
                    "availability_zone": host.availability_zone,
                    "node": host.node_name,
                }
                for server, host in sorted(self.hosts.items())
            }
        }
        header = "# The hosts this export pins to (nfvplan server id -> machine)" + (
            ": derived from the server ids, no --hosts file was given.\n" if self.derived else ".\n"
        )
        return header + yaml.safe_dump(data, sort_keys=False, default_flow_style=False)


def used_servers(plan: Plan) -> list[str]:
    """Server ids the plan places instances on, in plan order."""
    return list(dict.fromkeys(p.server for p in plan.placements))


def derive_hosts(scenario: Scenario, plan: Plan) -> HostMap:
    """Host names derived from the server ids; an error if two ids derive the same name."""
    hosts: dict[str, Host] = {}
    seen: dict[str, str] = {}
    for server in used_servers(plan):
        name = hostname_of(server)
        if name in seen:
            raise InputError.single(
                "<derived host names>",
                f"servers {seen[name]} and {server} both derive the host name {name!r}; "
                "give a --hosts file that names them",
            )
        seen[name] = server
        hosts[server] = Host(server, name)
    return HostMap(hosts, derived=True)


def read_hosts(path: str | Path, scenario: Scenario | None, plan: Plan | None) -> HostMap:
    """Read a hosts file; with `scenario` and `plan`, check it against them.

    Raises InputError, located in the hosts file, for an unknown server id, two servers on one
    host name or node name, and (naming the file) for a used server the file does not map.
    """
    root = load_yaml_file(path)
    issues = Issues(str(path))
    top = fields(issues, root, (), ("hosts",), ("hosts",))
    node = top.get("hosts")
    hosts: dict[str, Host] = {}
    if node is not None and node.kind != "map":
        issues.add(node, ("hosts",), "must be a mapping of server id -> host")
    known = {sid for sid, _ in scenario.server_ids()} if scenario is not None else None
    names: dict[str, str] = {}
    nodes: dict[str, str] = {}
    for server, value in node.value.items() if node is not None and node.kind == "map" else ():
        where = node.keys[server]
        path_ = ("hosts", server)
        if known is not None and server not in known:
            issues.add(where, path_, f"unknown server id {server!r}: {_id_hint(scenario)}")
        host = _host(issues, server, value, path_)
        if host is None:
            continue
        for table, name, what in (
            (names, host.hostname, "host name"),
            (nodes, host.node_name, "node name"),
        ):
            if name in table:
                issues.add(where, path_, f"{what} {name!r} is also given to {table[name]}")
            table.setdefault(name, server)
        hosts[server] = host
    if plan is not None and node is not None and node.kind == "map":
        missing = [s for s in used_servers(plan) if s not in node.value]
        if missing:
            shown = ", ".join(missing[:5]) + (
                f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            )
            issues.add(
                node,
                ("hosts",),
                f"no host for the used servers {shown}; map every server the plan uses",
            )
    issues.raise_if_any()
    return HostMap(hosts, derived=False)


def _host(issues: Issues, server: str, value: Node, path: tuple[str, ...]) -> Host | None:
    if value.kind == "scalar" and not value.is_null:
        name = text(issues, value, path)
        return Host(server, name) if _valid_name(issues, value, path, name) else None
    entry = fields(issues, value, path, HOST_KEYS, ("hostname",))
    if not entry:
        return None
    hostname = text(issues, entry.get("hostname"), (*path, "hostname"))
    zone = text(issues, entry.get("availability_zone"), (*path, "availability_zone"), DEFAULT_ZONE)
    node_name = text(issues, entry.get("node"), (*path, "node"))
    ok = all(
        _valid_name(issues, entry[key], (*path, key), name)
        for key, name in (("hostname", hostname), ("availability_zone", zone), ("node", node_name))
        if key in entry
    )
    return Host(server, hostname, zone, node_name) if ok and hostname else None


def _valid_name(issues: Issues, node: Node, path: tuple[str, ...], name: str) -> bool:
    """Host, zone and node names: no blanks, no ':' (Nova's 'zone:host' separator), <= 253."""
    bad = not name or len(name) > 253 or any(c.isspace() or c == ":" for c in name)
    if bad:
        issues.add(node, path, f"{name!r} is not a host name (1-253 characters, no blanks or ':')")
    return not bad


def _id_hint(scenario: Scenario | None) -> str:
    ids = [sid for sid, _ in scenario.server_ids()] if scenario is not None else []
    sample = ", ".join(ids[:3])
    return f"ids are site/type/n, e.g. {sample}" if sample else "ids are site/type/n"
