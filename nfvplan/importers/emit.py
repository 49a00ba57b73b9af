"""Writing imported VNFs as nfvplan YAML: a `vnfs:` section, or spliced into a scenario.

Each entry opens with a comment naming its source file and the path inside it, then one
comment line per conversion (units stated) and per figure kept only as information
(min/max counts, limits not planned). A VNF without vCPU or memory figures is written
commented out, so nothing the descriptor holds disappears without a trace.

`--into` keeps the scenario's own text (and comments): the imported entries are appended to
its `vnfs:` block; a scenario without one, or with a flow-style one, gets the entries
written as a new block. Either way the result is parsed by the scenario loader before
anything is written, so `import` cannot leave a file `solve` would refuse.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from nfvplan.errors import InputError
from nfvplan.importers.model import ImportedVnf, ImportResult
from nfvplan.importers.quantities import ceil_figure
from nfvplan.io.yamlsrc import parse_yaml
from nfvplan.topohub_import import site_name

INDENT = "  "


def assign_names(vnfs: list[ImportedVnf], taken: Iterable[str] = ()) -> None:
    """Give every VNF a unique name safe in YAML; clashes get the product name, then -2, -3."""
    used = set(taken)
    for vnf in vnfs:
        base = site_name(vnf.name, "vnf")
        name = base
        if name in used and vnf.trust:
            name = f"{site_name(vnf.trust, 'vnf')}-{base}"
        unique, n = name, 2
        while unique in used:
            unique, n = f"{name}-{n}", n + 1
        if unique != vnf.name:
            vnf.notes.insert(0, f"named {unique} (source name {vnf.name!r})")
        vnf.name = unique
        used.add(unique)


def header(command: str, result: ImportResult) -> list[str]:
    """The comment lines opening the imported entries: how they were made, and every warning,
    so what could not be mapped stays in the file and not only on the terminal."""
    lines = [
        f"Imported by: {command}",
        "Sizes in GiB, CPU in vCPU; each entry names its source and its conversions.",
    ]
    if result.warnings:
        lines.append(f"Not mapped or mapped by a stated guess ({len(result.warnings)}):")
        lines += [f"  {warning}" for warning in result.warnings]
    if result.skipped:
        lines.append(f"Skipped, no workload: {'; '.join(result.skipped)}")
    return lines


def entry_data(vnf: ImportedVnf) -> dict[str, Any]:
    """The nfvplan fields of one VNF, in the order docs/format.md lists them."""
    flavor: dict[str, Any] = {
        "vcpu": ceil_figure(vnf.vcpu or 0),
        "memory_gib": ceil_figure(vnf.memory_gib or 0),
    }
    if vnf.hugepages_gib:
        flavor["hugepages_gib"] = ceil_figure(vnf.hugepages_gib)
    if vnf.disk_gib:
        flavor["disk_gib"] = ceil_figure(vnf.disk_gib)
    if vnf.sriov_vfs:
        flavor["sriov_vfs"] = vnf.sriov_vfs
    data: dict[str, Any] = {"flavor": flavor, "forms": list(vnf.forms), "replicas": vnf.replicas}
    if vnf.cpu_dedicated:
        data["cpu"] = "dedicated"
    if vnf.numa_aligned:
        data["numa"] = "aligned"
    if vnf.anti_affinity:
        data["anti_affinity"] = vnf.anti_affinity
    if vnf.trust:
        data["trust"] = site_name(vnf.trust, vnf.name)
    return data


def summary(vnf: ImportedVnf) -> str:
    """One line saying what a VNF was imported as: `amf: vcpu 2, memory_gib 4; container x2`."""
    data = entry_data(vnf)
    flavor = ", ".join(f"{k} {v}" for k, v in data["flavor"].items())
    rules = [f"{k} {data[k]}" for k in ("cpu", "numa", "anti_affinity") if k in data]
    return (
        f"{vnf.name}: {flavor}; {'/'.join(vnf.forms)} x{vnf.replicas}"
        + (f"; {', '.join(rules)}" if rules else "")
        + ("" if vnf.sized else "  (commented out)")
    )


def _flow(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000).strip()
    return text.removesuffix("...").strip()


def render_entries(vnfs: list[ImportedVnf], indent: str = INDENT) -> list[str]:
    """The lines of the VNF entries, indented by `indent` (the child level of `vnfs:`)."""
    lines: list[str] = []
    for vnf in vnfs:
        where = f"{vnf.source}: {vnf.where}" + (f" (line {vnf.line})" if vnf.line else "")
        lines.append(f"{indent}# {vnf.name} <- {where}")
        lines += [f"{indent}#   {note}" for note in vnf.notes]
        body = [f"{_flow(vnf.name)}:"] + [
            f"{INDENT}{key}: {_flow(value)}" for key, value in entry_data(vnf).items()
        ]
        if vnf.sized:
            lines += [f"{indent}{line}" for line in body]
        else:
            lines.append(
                f"{indent}# NOT IMPORTED: no {', no '.join(vnf.missing())}; fill in and uncomment:"
            )
            lines += [f"{indent}# {line}" for line in body]
    return lines


def render_section(vnfs: list[ImportedVnf], header: list[str]) -> str:
    """A file holding only a `vnfs:` section, opened by `header` comment lines."""
    lines = [f"# {h}" for h in header] + ["vnfs:"] + render_entries(vnfs)
    if not any(v.sized for v in vnfs):
        lines[len(header)] = "vnfs: {}"
    return "\n".join(lines) + "\n"


def merge_into(
    scenario_text: str, scenario_file: str, vnfs: list[ImportedVnf], header: list[str]
) -> str:
    """`scenario_text` with `vnfs` added to its `vnfs:` block (see the module docstring)."""
    root = parse_yaml(scenario_text, scenario_file)
    lines = scenario_text.splitlines()
    top = list(root.value)
    note = [f"# {h}" for h in header]
    existing = root.value.get("vnfs")
    if (
        existing is not None
        and existing.kind == "map"
        and existing.value
        and existing.line > root.keys["vnfs"][0]
    ):
        start = root.keys["vnfs"][0]
        later = [root.keys[k][0] for k in top if root.keys[k][0] > start]
        end = (min(later) - 1) if later else len(lines)
        last = end
        while last > start and (
            not lines[last - 1].strip()
            or (lines[last - 1].lstrip().startswith("#") and _indent(lines[last - 1]) == 0)
        ):
            last -= 1
        indent = " " * (existing.column - 1)
        block = [f"{indent}{n}" for n in note] + render_entries(vnfs, indent)
        out = lines[:last] + block + lines[last:]
    else:
        body = ["vnfs:", *render_entries(vnfs)]
        if existing is not None and existing.kind == "map" and existing.value:
            # a flow-style `vnfs: {...}`: rewrite the old entries in block style first
            body = (
                ["vnfs:"]
                + [f"{INDENT}{_flow(k)}: {_flow(_plain(v))}" for k, v in existing.value.items()]
                + body[1:]
            )
        if "vnfs" in root.keys:
            start = root.keys["vnfs"][0]
            later = [root.keys[k][0] for k in top if root.keys[k][0] > start]
            end = (min(later) - 1) if later else len(lines)
            out = lines[: start - 1] + note + body + lines[end:]
        else:
            out = [*lines, "", *note, *body]
    return "\n".join(out) + "\n"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _plain(node: Any) -> Any:
    if node.kind == "map":
        return {k: _plain(v) for k, v in node.value.items()}
    if node.kind == "seq":
        return [_plain(v) for v in node.value]
    return node.value


def check_loads(text: str, file: str, base_dir: Path | None) -> None:
    """Raise InputError unless `text` is a scenario the loader accepts."""
    from nfvplan.io import parse_scenario

    parse_scenario(text, file, base_dir=base_dir)


def check_section(text: str, file: str) -> None:
    """Raise InputError unless the `vnfs:` section in `text` is valid as nfvplan writes it:
    it is loaded inside a scenario with one server large enough for any flavor."""
    from nfvplan.io import parse_scenario

    host = (
        "nfvplan: 1\nserver_types:\n  any: {cores: 100000, memory_gib: 1.0e+9, disk_gib: 1.0e+9,"
        " sriov_vfs: 100000, nic_gbps: 1.0e+6, numa_nodes: 1, monthly_cost: 1}\n"
        "sites:\n  s: {servers: {any: 1}}\n"
    )
    if "container-in-vm" in text:  # nested VNFs need a worker flavor to load
        host += (
            "platform:\n  container-in-vm:\n"
            "    worker: {vcpu: 50000, memory_gib: 1.0e+8, cpu: dedicated}\n"
        )
    try:
        parse_scenario(host + text, file)
    except InputError as exc:  # pragma: no cover - a bug in the emitter, not the user's file
        raise AssertionError(f"import wrote an invalid vnfs section:\n{exc}") from exc


def write(target: Path, text: str) -> None:
    """Write atomically; an OS error becomes InputError naming the path."""
    from nfvplan.io.output import write_output

    try:
        write_output(target, text.encode("utf-8"))
    except OSError as exc:
        raise InputError.single(str(target), f"cannot write: {exc.strerror or exc}") from None
