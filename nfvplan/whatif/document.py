"""What-if edits of the raw scenario document: JSON Merge Patches and `--set PATH=VALUE`.

Both act on the located YAML tree *before* validation, so the scenario loader checks the result
with every rule of the format, exactly as if the operator had edited the file. Every node a
change brings in names its source (`Node.file`: the patch file, or the `--set` argument), so
a value that breaks the format is reported where it was written, not in the scenario file.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from nfvplan.errors import InputError
from nfvplan.io.yamlsrc import At, Node, fmt_path, load_yaml_file, parse_yaml, suggest
from nfvplan.wording import count

NAMED_SECTIONS = {
    "server_types": "server type",
    "sites": "site",
    "vnfs": "VNF",
    "services": "service",
}
"""Sections keyed by names the operator chose: `--set` may only reach names that exist there
(a typo would otherwise create a half-defined entry and a confusing 'missing key' error)."""


def stamp(node: Node, file: str, *, no_lines: bool = False) -> Node:
    """`node` and everything below it marked as coming from `file` (line 0 with `no_lines`)."""
    line, column = (0, 0) if no_lines else (node.line, node.column)
    if node.kind == "map":
        value = {k: stamp(v, file, no_lines=no_lines) for k, v in node.value.items()}
        keys = {
            k: At(0, 0, file) if no_lines else At(pos[0], pos[1], file)
            for k, pos in node.keys.items()
        }
        return replace(node, value=value, keys=keys, line=line, column=column, file=file)
    if node.kind == "seq":
        value = [stamp(item, file, no_lines=no_lines) for item in node.value]
        return replace(node, value=value, line=line, column=column, file=file)
    return replace(node, line=line, column=column, file=file)


# ---------------------------------------------------------------------------------------------
# JSON Merge Patch (RFC 7396)


def load_patch(path: Path) -> Node:
    """A patch file (YAML or JSON, whose top level must be a mapping), its nodes stamped."""
    return stamp(load_yaml_file(path, regular_only=True), str(path))


def merge_patch(target: Node, patch: Node, notes: list[str]) -> Node:
    """RFC 7396 on located trees: mappings merge key by key, `null` deletes, the rest replaces.

    Deleting a key the target does not have is a no-op by the RFC; it is noted, because it is
    usually a misspelt name.
    """
    merged = _merge(target, patch, (), notes)
    assert merged is not None  # a mapping patch always yields a mapping
    return merged


def _merge(target: Node | None, patch: Node, path: tuple[str, ...], notes: list[str]) -> Node:
    if patch.kind != "map":
        return patch
    if target is None or target.kind != "map":
        target = replace(patch, value={}, keys={})
    values = dict(target.value)
    keys = dict(target.keys)
    for key, value in patch.value.items():
        where = (*path, key)
        if value.is_null:
            if key in values:
                del values[key]
                del keys[key]
            else:
                line = patch.keys[key][0]
                notes.append(
                    f"{patch.file}:{line}: {fmt_path(where)}: null deletes a key, but the scenario "
                    "has none there (nothing deleted)"
                )
            continue
        values[key] = _merge(values.get(key), value, where, notes)
        keys.setdefault(key, patch.keys[key])
    return replace(target, value=values, keys=keys)


# ---------------------------------------------------------------------------------------------
# --set PATH=VALUE


def apply_set(root: Node, argument: str) -> Node:
    """The document with `--set PATH=VALUE` applied.

    PATH is dot-separated mapping keys and 0-based list positions
    (`services.web.demands.0.gbps`); VALUE is read as YAML (`8`, `true`, `host`, `[vm]`), and
    the validator types it afterwards. Missing mappings on the way are created, so an optional
    setting can be added; names in the named sections must exist. `null` (or nothing after
    `=`) deletes the key, as in a merge patch.
    """
    label = f"--set {argument}"
    path_text, equals, value_text = argument.partition("=")
    parts = path_text.split(".")
    if not equals or not path_text or any(not part.strip() for part in parts):
        raise InputError.single(
            label,
            "expected PATH=VALUE with a dot-separated path, like vnfs.upf.replicas=8 or "
            "services.web.demands.0.gbps=3",
        )
    value = _parse_value(value_text, label)
    return _set(root, parts, value, label, ())


def _parse_value(text: str, label: str) -> Node:
    """VALUE as a located YAML node without a line (it has none: it is a command argument)."""
    if any(ord(c) < 32 for c in text):
        raise InputError.single(label, "the value must be one line without control characters")
    try:
        holder = parse_yaml(f"value: {text}", label)
    except InputError as error:
        problem = error.problems[0]
        raise InputError.single(
            label, f"cannot read the value {text!r} as YAML: {problem.message}"
        ) from None
    return stamp(holder.value["value"], label, no_lines=True)


def _set(
    node: Node, parts: list[str], value: Node, label: str, done: tuple[str | int, ...]
) -> Node:
    key, rest = parts[0], parts[1:]
    here = (*done, key)
    if node.kind == "seq":
        return _set_item(node, key, rest, value, label, done)
    if node.kind != "map":
        if not node.is_null:
            raise InputError.single(
                label,
                f"{fmt_path(done)} is a single value ({node.text!r}), not a mapping or list; "
                f"there is no {key!r} inside it",
                path=fmt_path(here),
            )
        node = replace(node, kind="map", value={}, keys={})
    named = NAMED_SECTIONS.get(str(done[0])) if len(done) == 1 else None
    if key not in node.value and (named or value.is_null):
        where = fmt_path(done) or "the top level"
        message = f"no {named} {key!r}" if named else f"no key {key!r} at {where} to delete"
        raise InputError.single(
            label,
            message + suggest(key, list(node.value), "defined here"),
            path=fmt_path(here),
        )
    values = dict(node.value)
    keys = dict(node.keys)
    if not rest:
        if value.is_null:
            del values[key]
            del keys[key]
        else:
            values[key] = value
    else:
        child = values.get(key) or Node("map", {}, 0, 0, file=label)
        values[key] = _set(child, rest, value, label, here)
    keys.setdefault(key, At(0, 0, label))
    return replace(node, value=values, keys=keys)


def _set_item(
    node: Node, key: str, rest: list[str], value: Node, label: str, done: tuple[str | int, ...]
) -> Node:
    """One step into a list, by 0-based position; `null` at the end removes the item."""
    size = len(node.value)
    valid = f"0..{size - 1}" if size else "none: the list is empty"
    if not key.isdigit() or int(key) >= size:
        raise InputError.single(
            label,
            f"{fmt_path(done)} is a list of {count(size, 'item')}; index it by position ({valid}), "
            f"got {key!r}",
            path=fmt_path((*done, key)),
        )
    index = int(key)
    items = list(node.value)
    if not rest:
        if value.is_null:
            del items[index]
        else:
            items[index] = value
    else:
        items[index] = _set(items[index], rest, value, label, (*done, index))
    return replace(node, value=items)
