"""XML read with the standard library's expat, refusing what makes XML dangerous.

Descriptors and network files arrive from vendors and the internet. The classic XML attacks
(billion laughs, external entities reading local files, DTD fetches) all need a DTD or an
entity declaration, and no SOL006, GraphML or SNDlib file has one, so any DOCTYPE, entity
declaration or external reference is refused outright, as defusedxml does, without a new
dependency. expat also gives the line of every element, so errors point into the file.
"""

from __future__ import annotations

import xml.parsers.expat
from dataclasses import dataclass, field

from nfvplan.errors import InputError
from nfvplan.io.yamlsrc import MAX_DEPTH, MAX_NODES, Node


@dataclass
class Element:
    """One XML element: local name (namespace dropped), attributes, children, text, line."""

    tag: str
    attrs: dict[str, str]
    line: int
    column: int
    children: list[Element] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str) -> Element | None:
        """The first child named `tag`."""
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list[Element]:
        """Every child named `tag`."""
        return [c for c in self.children if c.tag == tag]

    def child_text(self, tag: str) -> str | None:
        """The stripped text of the first child named `tag`, else None."""
        found = self.find(tag)
        return found.text.strip() if found is not None else None


class _Refused(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line, self.column = line, column


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def parse_xml(data: bytes, filename: str) -> Element:
    """The root element of `data`; InputError (located) for bad XML or a refused construct."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[Element] = []
    root: list[Element] = []
    count = [0]

    def here() -> tuple[int, int]:
        return parser.CurrentLineNumber, parser.CurrentColumnNumber + 1

    def refuse(what: str) -> None:
        raise _Refused(
            f"{what} is refused: descriptors and network files never need one, and they are "
            "how XML attacks (entity expansion, reading local files) work",
            *here(),
        )

    def start(name: str, attrs: dict[str, str]) -> None:
        count[0] += 1
        if count[0] > MAX_NODES or len(stack) >= MAX_DEPTH:
            raise _Refused("the XML is too large or nests too deep to be a descriptor", *here())
        element = Element(_local(name), {_local(k): v for k, v in attrs.items()}, *here())
        if stack:
            stack[-1].children.append(element)
        else:
            root.append(element)
        stack.append(element)

    def end(_name: str) -> None:
        stack.pop()

    def chars(content: str) -> None:
        if stack:
            stack[-1].text += content

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = lambda *args: refuse("a DOCTYPE declaration")
    parser.EntityDeclHandler = lambda *args: refuse("an entity declaration")
    parser.ExternalEntityRefHandler = lambda *args: refuse("an external entity reference")
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise InputError.single(filename, str(exc), line=exc.line, column=exc.column) from None
    except xml.parsers.expat.ExpatError as exc:
        raise InputError.single(
            filename,
            f"not well-formed XML: {xml.parsers.expat.ErrorString(exc.code)}",
            line=exc.lineno,
            column=exc.offset + 1,
        ) from None
    if not root:
        raise InputError.single(filename, "the XML has no root element", line=1)
    return root[0]


def to_node(element: Element) -> Node:
    """A located Node tree of `element`, as a YANG XML encoding maps to YAML: an element with
    children is a mapping, repeated children become a list, a leaf is a string scalar."""
    if not element.children:
        value = element.text.strip()
        return Node("scalar", value, element.line, element.column, text=value, tag="str")
    grouped: dict[str, list[Node]] = {}
    positions: dict[str, tuple[int, int]] = {}
    for sub in element.children:
        grouped.setdefault(sub.tag, []).append(to_node(sub))
        positions.setdefault(sub.tag, (sub.line, sub.column))
    values = {
        tag: nodes[0] if len(nodes) == 1 else Node("seq", nodes, nodes[0].line, nodes[0].column)
        for tag, nodes in grouped.items()
    }
    return Node("map", values, element.line, element.column, keys=positions)
