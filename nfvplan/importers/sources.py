"""Reading descriptor files into located trees, and telling which format each one is.

One file may be a CSAR (zip), an XML document, or a YAML/JSON stream of one or more
documents. JSON is read by the YAML parser first (JSON is nearly a YAML subset), so its
errors have lines too; a JSON file PyYAML cannot take (tabs in odd places) falls back to
`json` without positions. A file that is none of the known descriptor shapes is refused at
its first line with what was expected.
"""

from __future__ import annotations

import json
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from nfvplan.errors import InputError, Problem
from nfvplan.importers import tree
from nfvplan.importers.xmlsafe import parse_xml, to_node
from nfvplan.io.yamlsrc import MAX_BYTES, Node, parse_yaml_stream, read_capped

MAX_CSAR_BYTES = 200 * 1024 * 1024
"""Largest CSAR accepted: packages carry VM images, so they are big; only the YAML is read."""

MAX_MEMBERS = 10_000


@dataclass
class Document:
    """One parsed document: its tree, the file name to report, its kind."""

    node: Node
    file: str
    kind: str
    """"tosca", "sol006" or "kubernetes"."""


def kind_of(node: Node) -> str | None:
    """Which descriptor format a document's top level is, or None."""
    if node.kind != "map":
        return None
    top = set(tree.keys(node))
    if "tosca_definitions_version" in top:
        return "tosca"
    if "apiVersion" in top and "kind" in top:
        return "kubernetes"
    if top & {"vnfd", "nfv"}:
        return "sol006"
    return None


def not_a_descriptor(file: str, node: Node) -> InputError:
    """The located refusal of a document that is no known descriptor shape."""
    found = ", ".join(tree.keys(node)[:6]) if node.kind == "map" else f"a {node.kind}"
    hint = ""
    if node.kind == "map" and _has_key(node, {"resources", "replicaCount", "image"}, 4):
        hint = (
            "; this looks like Helm chart values: render the chart first "
            "(helm template NAME CHART -f values.yaml > rendered.yaml) and import that"
        )
    return InputError.single(
        file,
        "not a VNF descriptor or manifest: expected a TOSCA VNFD (tosca_definitions_version), "
        "a SOL006 VNFD (vnfd or nfv) or Kubernetes objects (apiVersion and kind); "
        f"found {found}{hint}",
        line=node.line or 1,
        column=node.column or 1,
    )


def _has_key(node: Node, wanted: set[str], depth: int) -> bool:
    """True when a mapping within `depth` levels has one of the `wanted` keys."""
    if depth < 0 or node.kind != "map":
        return False
    return bool(wanted & set(node.value)) or any(
        _has_key(child, wanted, depth - 1) for child in node.value.values()
    )


def read_documents(data: bytes, file: str, warnings: list[Problem]) -> list[Node]:
    """The documents of a YAML/JSON/XML file (XML has one)."""
    head = data.lstrip()[:100]
    if head.startswith(b"<"):
        return [to_node(parse_xml(data, file))]
    try:
        documents, problems = parse_yaml_stream(data, file)
    except InputError:
        if not file.lower().endswith(".json"):
            raise
        documents, problems = [_json_document(data, file)], []
    warnings += problems
    return documents


def _json_document(data: bytes, file: str) -> Node:
    try:
        value = json.loads(data.decode("utf-8", errors="strict"))
    except UnicodeDecodeError:
        raise InputError.single(file, "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError.single(
            file, f"JSON syntax error: {exc.msg}", line=exc.lineno, column=exc.colno
        ) from None
    return tree.from_plain(value, 0)


def read_file(path: Path) -> bytes:
    """The bytes of a descriptor; a CSAR may be larger than a YAML file."""
    limit = MAX_CSAR_BYTES if path.suffix.lower() in (".csar", ".zip") else MAX_BYTES
    return read_capped(path, max_bytes=limit)


def is_zip(data: bytes) -> bool:
    """A zip archive (a CSAR) starts with the local file header signature."""
    return data[:4] == b"PK\x03\x04"


class Package:
    """A CSAR (ETSI SOL004): a zip whose TOSCA-Metadata/TOSCA.meta names the entry VNFD.

    Members are read into memory one at a time, capped, and never extracted to disk, so a
    hostile archive cannot write outside its folder. Paths inside are POSIX, relative to
    the package root; imports are resolved relative to the importing member.
    """

    def __init__(self, data: bytes, file: str) -> None:
        import io

        self.file = file
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.names = {info.filename: info for info in self.zip.infolist()[:MAX_MEMBERS]}
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise InputError.single(file, f"not a readable CSAR (zip) package: {exc}") from None

    def read(self, member: str) -> bytes | None:
        """The bytes of `member`, None when the package has no such file."""
        info = self.names.get(member)
        if info is None or info.is_dir():
            return None
        if info.file_size > MAX_BYTES:
            raise InputError.single(
                f"{self.file}!{member}",
                f"member is larger than {MAX_BYTES // (1024 * 1024)} MB; not a descriptor",
            )
        try:
            return self.zip.read(info)[: MAX_BYTES + 1]
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
            raise InputError.single(f"{self.file}!{member}", f"cannot read: {exc}") from None

    def entry(self) -> str:
        """The entry VNFD's member path, from TOSCA.meta (or a single root YAML, as SOL004
        allows); InputError when the package says neither."""
        meta = self.read("TOSCA-Metadata/TOSCA.meta")
        if meta is None:
            roots = [
                n
                for n in self.names
                if "/" not in n.strip("/") and n.lower().endswith((".yaml", ".yml"))
            ]
            if len(roots) == 1:
                return roots[0]
            raise InputError.single(
                self.file,
                "CSAR has no TOSCA-Metadata/TOSCA.meta (and no single YAML file at its root); "
                "a SOL004 package names its VNFD in TOSCA.meta as "
                "'Entry-Definitions: Definitions/<vnfd>.yaml'",
            )
        for number, raw in enumerate(meta.decode("utf-8", errors="replace").splitlines(), 1):
            key, _, value = raw.partition(":")
            if key.strip().lower() == "entry-definitions" and value.strip():
                target = posixpath.normpath(value.strip())
                if target not in self.names:
                    raise InputError.single(
                        f"{self.file}!TOSCA-Metadata/TOSCA.meta",
                        f"Entry-Definitions names {target!r}, which is not in the package",
                        line=number,
                    )
                return target
        raise InputError.single(
            f"{self.file}!TOSCA-Metadata/TOSCA.meta",
            "TOSCA.meta has no 'Entry-Definitions: <path>' line naming the VNFD",
            line=1,
        )
