"""Tolerant access to a located document tree, whatever format it was read from.

YAML, JSON and XML descriptors all become `yamlsrc.Node` trees (`sources.py`), so each
importer reads fields one way. The readers here never raise on a missing or odd field: a
descriptor that a strict parser would reject still gives what it can. Two format quirks are
absorbed here, once: XML has no lists (one `<vdu>` is a mapping, two are a list), and YANG
JSON (RFC 7951) prefixes keys with their module (`etsi-nfv-vnfd:vnfd`).
"""

from __future__ import annotations

from typing import Any

from nfvplan.io.yamlsrc import Node


def child(node: Node | None, *keys: str) -> Node | None:
    """The value at `keys` below `node`, matching `module:key` prefixed keys too; else None."""
    current = node
    for key in keys:
        if current is None or current.kind != "map":
            return None
        found = current.value.get(key)
        if found is None:
            for name, value in current.value.items():
                if name.rsplit(":", 1)[-1] == key:
                    found = value
                    break
        current = found
    return current


def seq(node: Node | None) -> list[Node]:
    """`node` as a list: a list as is, one mapping or scalar as a list of one, None as []."""
    if node is None or node.is_null:
        return []
    if node.kind == "seq":
        return list(node.value)
    return [node]


def entries(node: Node | None) -> list[tuple[str, Node]]:
    """The `(key, value)` pairs of a mapping, or of a list of one-key mappings (TOSCA writes
    `policies:` and `requirements:` both ways); [] for anything else."""
    if node is None:
        return []
    if node.kind == "map":
        return list(node.value.items())
    out: list[tuple[str, Node]] = []
    if node.kind == "seq":
        for item in node.value:
            if item.kind == "map":
                out += list(item.value.items())
    return out


def scalar(node: Node | None) -> Any:
    """The plain value of a scalar node, else None."""
    if node is None or node.kind != "scalar":
        return None
    return node.value


def text(node: Node | None) -> str | None:
    """A scalar as text (numbers too), else None."""
    value = scalar(node)
    if value is None:
        return None
    return str(value).strip()


def line(node: Node | None) -> int | None:
    """Where `node` starts, when the format has lines (JSON read without YAML has none)."""
    if node is None or not node.line:
        return None
    return node.line


def keys(node: Node | None) -> list[str]:
    """The keys of a mapping, module prefixes dropped."""
    if node is None or node.kind != "map":
        return []
    return [name.rsplit(":", 1)[-1] for name in node.value]


def from_plain(value: Any, line_no: int = 0) -> Node:
    """A Node tree without positions, for data that came from `json.loads`."""
    if isinstance(value, dict):
        return Node("map", {str(k): from_plain(v, line_no) for k, v in value.items()}, line_no, 0)
    if isinstance(value, list):
        return Node("seq", [from_plain(v, line_no) for v in value], line_no, 0)
    tag = {bool: "bool", int: "int", float: "float", str: "str", type(None): "null"}.get(
        type(value), "str"
    )
    return Node("scalar", value, line_no, 0, text="" if value is None else str(value), tag=tag)


def error(file: str, node: Node | None, path: str, message: str) -> Exception:
    """A located InputError for a figure nfvplan cannot use (the caller raises it)."""
    from nfvplan.errors import InputError

    return InputError.single(
        file,
        message,
        path=path,
        line=line(node),
        column=(node.column or None) if node is not None and line(node) else None,
    )


def number(file: str, node: Node | None, path: str) -> float:
    """A bare number (quoted or not) at `node`, or a located InputError saying what it is."""
    from nfvplan.importers.quantities import QuantityError, plain_number

    try:
        return plain_number(scalar(node), path.rsplit(".", 1)[-1])
    except QuantityError as exc:
        raise error(file, node, path, str(exc)) from None
