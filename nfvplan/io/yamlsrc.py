"""Located, hostile-input-safe YAML, and the typed field checks every nfvplan file shares.

Operators hand-edit these files, and some arrive from elsewhere, so reading one must never crash,
hang or eat memory, and every complaint must point at a line and column. PyYAML's
`yaml.safe_load` gives neither guarantee: it forgets positions, lets duplicate keys silently win,
expands alias bombs before anyone can count, and recurses without limit on deep nesting.
So we compose the document at node level (which keeps marks and shares aliased nodes instead of
copying them), then convert it ourselves into a small tree of `Node`s, counting every node as
aliases are expanded and stopping at `MAX_NODES` / `MAX_DEPTH`.

The second half of the module is the vocabulary the scenario, topology and plan readers use to
check fields against that tree: `Issues` collects every `Problem` of one file, and `fields`,
`number`, `text`, `choice` ... each check one thing and record what would have been valid.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import Resolver

try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None

from nfvplan.errors import InputError, Problem

MAX_BYTES = 5 * 1024 * 1024
"""Input files above this size are refused before parsing: scenarios are a few kB."""

MAX_DEPTH = 50
"""Deepest nesting of mappings and lists accepted; real files nest fewer than 6 levels."""

MAX_NODES = 200_000
"""Most YAML nodes accepted after expanding aliases: stops "billion laughs" early."""

YamlPath = tuple[str | int, ...]
"""Where a value sits in the document: mapping keys and 0-based list indexes."""

_MERGE_TAG = "tag:yaml.org,2002:merge"
_TAG_NAMES = {
    "tag:yaml.org,2002:str": "str",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "timestamp",
    "tag:yaml.org,2002:binary": "binary",
}
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$")
_EXPONENT_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)[eE][-+]?\d+$")


@dataclass(frozen=True, eq=False)
class Node:
    """One YAML value with the 1-based line and column where it starts.

    `kind` is "map", "seq" or "scalar". For a map, `value` is `dict[str, Node]` in file order
    and `keys` gives where each key starts (a problem with a key points there, a problem with
    its value at the value). For a seq, `value` is `list[Node]`. For a scalar, `value` is what
    YAML made of it (str, int, float, bool, None, datetime...), `text` is its source text and
    `tag` a short type name ("str", "int", "float", "bool", "null", ...).

    `file` is empty for a node of the file being checked. A document merged from several
    sources (a what-if patch applied to a scenario) names the other source in its nodes, and
    their `keys` positions are `At`s, so a problem is reported in the file that wrote the value.
    Line 0 means the value has no line: it came from the command line (`--set`).
    """

    kind: str
    value: Any
    line: int
    column: int
    text: str = ""
    tag: str = ""
    quoted: bool = False
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)
    file: str = ""

    @property
    def is_null(self) -> bool:
        """True for an explicit `~`, `null` or an empty value."""
        return self.kind == "scalar" and self.value is None


# ---------------------------------------------------------------------------------------------
# Reading and parsing


def read_capped(
    path: str | Path, *, max_bytes: int = MAX_BYTES, regular_only: bool = False
) -> bytes:
    """The bytes of `path`, refusing unreadable or oversized files as `InputError`.

    Reads at most `max_bytes + 1` bytes, so `/dev/zero` or a growing log cannot exhaust memory,
    and a stat that lies (pipes, procfs) does not matter. `regular_only` refuses devices and
    pipes outright: for paths written inside a file, where `/dev/stdin` would hang the run.
    """
    name = str(path)
    try:
        if regular_only and not stat.S_ISREG(os.stat(path).st_mode):
            raise InputError.single(name, "is not a regular file")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError.single(name, "file not found") from None
    except IsADirectoryError:
        raise InputError.single(name, "is a directory, not a file") from None
    except OSError as exc:
        raise InputError.single(name, f"cannot read: {exc.strerror or exc}") from None
    except ValueError:  # a NUL byte in the path
        raise InputError.single(name, "is not a usable file name") from None
    if len(data) > max_bytes:
        raise InputError.single(
            name, f"file is larger than {max_bytes // (1024 * 1024)} MB; refusing to parse it"
        )
    return data


def load_yaml_file(
    path: str | Path,
    *,
    max_bytes: int = MAX_BYTES,
    max_nodes: int = MAX_NODES,
    regular_only: bool = False,
) -> Node:
    """Read and parse `path` into a located tree whose top level is a mapping."""
    data = read_capped(path, max_bytes=max_bytes, regular_only=regular_only)
    return parse_yaml(data, str(path), max_bytes=max_bytes, max_nodes=max_nodes)


def parse_yaml(
    data: str | bytes,
    filename: str = "<string>",
    *,
    max_bytes: int = MAX_BYTES,
    max_nodes: int = MAX_NODES,
) -> Node:
    """Parse one YAML document into a located tree whose top level is a mapping.

    Raises `InputError` for anything wrong with the bytes or the YAML; never anything else.
    """
    text = _decode(data, filename, max_bytes)
    documents = _compose(text, filename)
    composed = documents[0] if documents else None
    if composed is None or (isinstance(composed, ScalarNode) and composed.tag.endswith(":null")):
        raise InputError.single(
            filename, "the file is empty; expected a mapping such as 'nfvplan: 1'", line=1, column=1
        )
    if not isinstance(composed, MappingNode):
        what = "a list" if isinstance(composed, SequenceNode) else "a single value"
        raise InputError.single(
            filename,
            f"the top level must be a mapping of 'key: value' lines, got {what}",
            line=composed.start_mark.line + 1,
            column=composed.start_mark.column + 1,
        )
    converter = _Converter(filename, max_nodes)
    root = converter.convert(composed, 0)
    if converter.problems:
        raise InputError(converter.problems)
    return root


def parse_yaml_stream(
    data: str | bytes,
    filename: str = "<string>",
    *,
    max_bytes: int = MAX_BYTES,
    max_nodes: int = MAX_NODES,
) -> tuple[list[Node], list[Problem]]:
    """Every document of a multi-document YAML stream (`---` separated), located.

    For files nfvplan reads but did not define (rendered Kubernetes manifests, descriptors):
    empty documents are skipped, any top level is allowed, and the problems a hand-written
    nfvplan file would be refused for (a duplicate key, an odd tag) come back as a list the
    caller may report as warnings; the first occurrence of a duplicate key wins. Broken
    YAML, bad bytes and the size and depth limits still raise `InputError`.
    """
    text = _decode(data, filename, max_bytes)
    documents: list[Node] = []
    problems: list[Problem] = []
    count = 0
    for composed in _compose(text, filename, single=False):
        if composed is None or (
            isinstance(composed, ScalarNode) and composed.tag.endswith(":null")
        ):
            continue
        # One converter per document (its memo is per document); the node budget spans them.
        converter = _Converter(filename, max_nodes)
        converter.count = count
        documents.append(converter.convert(composed, 0))
        count = converter.count
        problems += converter.problems
    return documents, problems


def _decode(data: str | bytes, filename: str, max_bytes: int) -> str:
    """UTF-8 text of `data` (a leading BOM dropped), or an `InputError` naming the bad byte."""
    if isinstance(data, str):
        if len(data) > max_bytes:
            raise InputError.single(filename, f"input is larger than {max_bytes} characters")
        # Text from Python may hold lone surrogates, which no file can: check it as bytes.
        data = data.encode("utf-8", errors="surrogatepass")
    if len(data) > max_bytes:
        raise InputError.single(
            filename, f"file is larger than {max_bytes // (1024 * 1024)} MB; refusing to parse it"
        )
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InputError.single(
            filename,
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start} cannot be "
            "decoded; save the file as UTF-8",
            line=line,
            column=column,
        ) from None


class _DepthError(Exception):
    """Raised inside the composer when nesting passes `MAX_DEPTH`."""

    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__("too deep")
        self.mark = mark


class _DepthLimit:
    """A composer mixin that refuses deep nesting before Python's stack runs out."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _DepthError(self.peek_event().start_mark)  # type: ignore[attr-defined]
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1


class _Loader(_DepthLimit, yaml.SafeLoader):
    """The pure-Python scanner and parser, where libyaml is not installed."""


if _CParser is not None:

    class _FastLoader(_DepthLimit, _CParser, Composer, Resolver):  # type: ignore[misc]
        """libyaml's scanner and parser (about 8 times faster) under PyYAML's own composer.

        The events come from C, but nodes are composed in Python, so the depth limit above
        still stops deep nesting one level at a time, and libyaml never recurses.
        """

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            Composer.__init__(self)
            Resolver.__init__(self)

    _LOADER: type = _FastLoader
else:  # pragma: no cover - PyYAML wheels ship libyaml
    _LOADER = _Loader


def _compose(
    text: str, filename: str, loader_class: type | None = None, *, single: bool = True
) -> list[yaml.Node]:
    """The node graphs of the documents in `text` ([] for an empty stream); with `single`, a
    second document is refused where it starts."""
    loader_class = loader_class or _LOADER
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as exc:
        raise _reader_problem(filename, text, exc) from None
    try:
        loader.get_event()  # stream start
        nodes: list[yaml.Node] = []
        while not loader.check_event(yaml.StreamEndEvent):
            if single and nodes:
                mark = loader.peek_event().start_mark
                raise InputError.single(
                    filename,
                    "found a second YAML document ('---'); a file holds exactly one",
                    line=mark.line + 1,
                    column=mark.column + 1,
                )
            nodes.append(loader.compose_document())
        return nodes
    except _DepthError as exc:
        raise _too_deep(filename, exc.mark.line + 1, exc.mark.column + 1) from None
    except yaml.MarkedYAMLError as exc:
        if loader_class is not _Loader and "maximum nesting depth" in (exc.problem or ""):
            # libyaml (PyYAML >= 6.0.4) scans a flow collection ahead and stops at its own depth
            # limit before our composer reaches MAX_DEPTH; the pure-Python parser gets to ours
            # first and says where, in the same words on every PyYAML. Only hostile files do this.
            return _compose(text, filename, _Loader, single=single)
        raise _syntax_problem(filename, exc, text) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_problem(filename, text, exc) from None
    except yaml.YAMLError as exc:
        raise InputError.single(filename, f"YAML error: {exc}") from None
    except RecursionError:
        raise _too_deep(filename, None, None) from None
    finally:
        loader.dispose()


def _reader_problem(filename: str, text: str, exc: yaml.reader.ReaderError) -> InputError:
    """A character YAML does not allow (control characters, mostly) as a located Problem.

    The two readers disagree on offsets (libyaml counts UTF-8 bytes, PyYAML's count can be
    one off), so the character is looked up in the text with PyYAML's own pattern.
    """
    found = yaml.reader.Reader.NON_PRINTABLE.search(text)
    offset = found.start() if found else min(exc.position, len(text))
    line, column = _line_col(text, offset)
    char = ord(text[offset]) if offset < len(text) else 0
    return InputError.single(
        filename,
        f"character U+{char:04X} is not allowed in YAML text; remove it",
        line=line,
        column=column,
    )


def _too_deep(filename: str, line: int | None, column: int | None) -> InputError:
    return InputError.single(
        filename,
        f"nesting is deeper than {MAX_DEPTH} levels; nfvplan files nest only a few levels",
        line=line,
        column=column,
    )


def _syntax_problem(filename: str, exc: yaml.MarkedYAMLError, text: str) -> InputError:
    """A YAML syntax error as one Problem at the mark PyYAML blames.

    A tab in the indentation is the commonest cause, and PyYAML never names it ("found
    character that cannot start any token"): that case says so, at the tab.
    """
    mark = exc.problem_mark or exc.context_mark
    tab = _indenting_tab(text, mark.line) if mark else None
    if tab is not None:
        return InputError.single(
            filename,
            "YAML syntax error: a tab character in the indentation; YAML does not allow tabs "
            "there: indent with spaces",
            line=tab[0],
            column=tab[1],
        )
    message = exc.problem or "invalid YAML"
    if exc.context:
        message = f"{exc.context}, {message}" if exc.problem_mark else f"{message} ({exc.context})"
    return InputError.single(
        filename,
        f"YAML syntax error: {message}",
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
    )


def refuse_swapped(
    root: Node, filename: str, *, marks: tuple[str, ...], exclusive: tuple[str, ...], found: str
) -> None:
    """One message for a file of the other kind (a plan where the scenario belongs, or the
    reverse), instead of an unknown-key error for each of its sections: raised when `root` has
    two or more of `marks` (top-level keys only a `found` file has) and none of `exclusive`
    (keys only the expected kind has)."""
    if root.kind != "map" or any(key in root.value for key in exclusive):
        return
    present = [key for key in marks if key in root.value]
    if len(present) >= 2:
        wanted = "scenario" if found == "plan" else "plan"
        raise InputError.single(
            filename,
            f"this is a {found} file (it has {', '.join(present)}), not a {wanted}; commands "
            "take SCENARIO before PLAN: are the arguments swapped?",
            line=root.line,
            column=root.column,
        )


def _indenting_tab(text: str, line: int) -> tuple[int, int] | None:
    """1-based line and column of a tab in the indentation of 0-based `line` (or of the line
    before it: PyYAML may blame the token after the bad indentation), else None."""
    lines = text.splitlines()
    for number in (line, line - 1):
        if 0 <= number < len(lines):
            content = lines[number]
            indent = content[: len(content) - len(content.lstrip(" \t"))]
            if "\t" in indent:
                return number + 1, indent.index("\t") + 1
    return None


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of character `offset` in `text`."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


class _Converter:
    """Turns a composed node graph into `Node`s, counting nodes as aliases expand.

    Aliased nodes are shared in the composed graph, and we share their conversion too (a memo
    per composed node), but every use adds the subtree's full size and height to the counts:
    the limits hold for the document as a consumer would see it, yet an alias bomb is refused
    after a few thousand steps instead of being expanded. An alias to an enclosing node never
    finishes converting, so it keeps descending until the depth limit stops it.
    """

    def __init__(self, filename: str, max_nodes: int) -> None:
        self.filename = filename
        self.max_nodes = max_nodes
        self.count = 0
        self.problems: list[Problem] = []
        self._seen: set[tuple[int | None, int | None, str]] = set()
        self._constructor = SafeConstructor()
        self._memo: dict[int, tuple[Node, int, int]] = {}
        self._heights: dict[int, int] = {}

    def problem(self, mark: yaml.Mark, message: str, path: YamlPath = ()) -> None:
        """Record a problem once."""
        key = (mark.line, mark.column, message)
        if key not in self._seen:
            self._seen.add(key)
            where = fmt_path(path)
            self.problems.append(
                Problem(self.filename, mark.line + 1, mark.column + 1, where, message)
            )

    def convert(self, node: yaml.Node, depth: int, path: YamlPath = ()) -> Node:
        """The located tree of `node`; raises InputError on the size and depth limits."""
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if depth > MAX_DEPTH:
            raise _too_deep(self.filename, line, column)
        memo = self._memo.get(id(node))
        if memo is not None:
            converted, size, height = memo
            self._count(size, line, column)
            if depth + height > MAX_DEPTH:
                raise _too_deep(self.filename, line, column)
            return converted
        start = self.count
        self._count(1, line, column)
        if isinstance(node, MappingNode):
            converted = self._mapping(node, depth, path)
        elif isinstance(node, SequenceNode):
            self._check_tag(node, "tag:yaml.org,2002:seq", path)
            children = [
                self.convert(item, depth + 1, (*path, index))
                for index, item in enumerate(node.value)
            ]
            converted = Node("seq", children, line, column)
        else:
            converted = self._scalar(node, path)
        self._memo[id(node)] = (converted, self.count - start, self._height(converted))
        return converted

    def _height(self, node: Node) -> int:
        """Levels below `node` (0 for a scalar), from its already-memoised children."""
        if node.kind == "scalar":
            height = 0
        else:
            children = node.value.values() if node.kind == "map" else node.value
            height = 1 + max((self._heights[id(child)] for child in children), default=0)
        self._heights[id(node)] = height
        return height

    def _count(self, size: int, line: int, column: int) -> None:
        self.count += size
        if self.count > self.max_nodes:
            raise InputError.single(
                self.filename,
                f"more than {self.max_nodes} YAML values after expanding aliases "
                "(an alias bomb?); refusing to continue",
                line=line,
                column=column,
            )

    def _check_tag(self, node: yaml.Node, expected: str, path: YamlPath) -> None:
        if node.tag != expected:
            self.problem(node.start_mark, f"unsupported YAML tag {node.tag!r}; remove it", path)

    def _scalar(self, node: ScalarNode, path: YamlPath) -> Node:
        try:
            value = self._constructor.construct_object(node)
        except yaml.MarkedYAMLError as exc:
            self.problem(node.start_mark, f"cannot read this value: {exc.problem}", path)
            value = node.value
        except (ValueError, TypeError, OverflowError):
            self.problem(node.start_mark, f"cannot read value {node.value!r}", path)
            value = node.value
        tag = _TAG_NAMES.get(node.tag, node.tag)
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        return Node(
            "scalar", value, line, column, text=node.value, tag=tag, quoted=bool(node.style)
        )

    def _mapping(self, node: MappingNode, depth: int, path: YamlPath) -> Node:
        self._check_tag(node, "tag:yaml.org,2002:map", path)
        merged: list[Node] = []
        values: dict[str, Node] = {}
        keys: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.extend(self._merge_sources(value_node, depth, path))
                continue
            if not isinstance(key_node, ScalarNode):
                message = "a key must be a plain name, not a list or mapping"
                self.problem(key_node.start_mark, message, path)
                continue
            key = key_node.value
            if key in keys:
                first = keys[key][0]
                self.problem(
                    key_node.start_mark,
                    f"duplicate key {key!r} (first on line {first}, again on line "
                    f"{key_node.start_mark.line + 1}); each key may appear once",
                    (*path, key),
                )
                continue
            keys[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            values[key] = self.convert(value_node, depth + 1, (*path, key))
        if merged:
            values, keys = _apply_merges(merged, values, keys)
        mark = node.start_mark
        return Node("map", values, mark.line + 1, mark.column + 1, keys=keys)

    def _merge_sources(self, value_node: yaml.Node, depth: int, path: YamlPath) -> list[Node]:
        """The mappings a `<<:` merge key pulls in, first one winning."""
        source = self.convert(value_node, depth + 1, (*path, "<<"))
        candidates = source.value if source.kind == "seq" else [source]
        good = [c for c in candidates if c.kind == "map"]
        if len(good) != len(candidates):
            message = "'<<' must merge a mapping or a list of mappings"
            self.problem(value_node.start_mark, message, (*path, "<<"))
        return good


def _apply_merges(
    merged: list[Node], values: dict[str, Node], keys: dict[str, tuple[int, int]]
) -> tuple[dict[str, Node], dict[str, tuple[int, int]]]:
    """Entries of `<<` merges (first source wins) overridden by the mapping's own keys.

    Merged entries come first, as PyYAML orders them; a key's position is where it was written.
    """
    combined: dict[str, Node] = {}
    combined_keys: dict[str, tuple[int, int]] = {}
    for source in merged:
        for key, value in source.value.items():
            if key not in combined:
                combined[key] = value
                combined_keys[key] = source.keys[key]
    for key, value in values.items():
        combined[key] = value
        combined_keys[key] = keys[key]
    return combined, combined_keys


# ---------------------------------------------------------------------------------------------
# Checking fields against the located tree

MAX_AMOUNT = 1e12
"""Largest amount (GiB, Gbps, ms, money) accepted: keeps the solver's integers in range."""

MAX_COUNT = 100_000
"""Largest count (servers, replicas, racks...) accepted: beyond it the model cannot be built."""

MAX_NAME = 100
"""Longest name accepted for sites, server types, VNFs and services."""

MAX_TEXT = 10_000
"""Longest free text accepted (a description, a kind, a trust domain, a plan's notes)."""

MAX_PROBLEMS = 1000
"""A file with this many problems is not read further: the count alone says it is not ours."""

_SHOWN_NAMES = 12
"""How many defined names a 'did you mean' message lists before summarising."""

Where = Node | tuple[int, int] | None


class At(tuple[int, int]):
    """A key's (line, column) in another source than the file being checked (see `Node.file`).

    A tuple, so every reader of `Node.keys` keeps working; line 0 means no line (`--set`).
    """

    file: str

    def __new__(cls, line: int, column: int, file: str) -> At:
        position = super().__new__(cls, (line, column))
        position.file = file
        return position


class Issues:
    """Every problem found in one file, so a user fixes them all in one round.

    Checking functions record here and return a usable default, so the caller can keep going
    and build a (discarded) result; `raise_if_any` ends the run once everything was looked at.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, where: Where, path: YamlPath, message: str) -> None:
        """Record that the value at `path`, starting at `where`, is wrong, and why.

        A node or key position from another source (a what-if patch, a `--set`) is reported
        in that source, see `Node.file`.
        """
        file = self.file
        line: int | None
        column: int | None
        if isinstance(where, Node):
            line, column, file = where.line, where.column, where.file or self.file
        elif where is None:
            line = column = None
        else:
            line, column = where
            file = getattr(where, "file", "") or self.file
        if file != self.file and not line:
            line = column = None
        self.problems.append(Problem(file, line, column, fmt_path(path), message))
        if len(self.problems) >= MAX_PROBLEMS:
            # A generated file with 50 000 unknown keys would otherwise cost a "did you mean"
            # search each; nobody reads past the first screen of errors anyway.
            stop = Problem(self.file, None, None, "", f"stopped after {MAX_PROBLEMS} problems")
            raise InputError([stop, *sorted(self.problems, key=self._order)])

    def extend(self, problems: Iterable[Problem]) -> None:
        """Adopt problems found in another file (an included topology)."""
        self.problems.extend(problems)

    def raise_if_any(self) -> None:
        """Raise one InputError with everything recorded, if anything was."""
        if self.problems:
            raise InputError(sorted(self.problems, key=self._order))

    def _order(self, problem: Problem) -> tuple[bool, str, int, int]:
        """This file's problems first, each file's in line order, as compilers list them."""
        return (problem.file != self.file, problem.file, problem.line or 0, problem.column or 0)


def fmt_path(path: YamlPath) -> str:
    """`('links', 2, 'gbps')` as `links[2].gbps`; odd names quoted as `sites["a.b"]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_NAME.match(part):
            out += f".{part}" if out else part
        else:
            out += '["' + part.replace("\\", "\\\\").replace('"', '\\"') + '"]'
    return out


def describe(node: Node) -> str:
    """What a value is, for the 'got ...' part of a message."""
    if node.kind == "map":
        return "a mapping"
    if node.kind == "seq":
        return "a list"
    shown = node.text if len(node.text) <= 40 else node.text[:37] + "..."
    if node.tag == "null":
        return "nothing (an empty value)"
    if node.tag == "bool":
        return f"{shown} (a boolean)"
    if node.tag in ("int", "float"):
        return shown
    if node.tag == "str":
        if node.quoted and _as_float(node.text) is not None:
            return f"{shown!r} (quoted text; drop the quotes)"
        return repr(shown)
    return f"{shown} (a {node.tag})"


def suggest(word: str, options: Sequence[str], what: str = "defined") -> str:
    """'; did you mean X? <what>: a, b, c' to append to a message about an unknown `word`."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    if not options:
        return f"; {hint}none {what}"
    listed = ", ".join(options[:_SHOWN_NAMES])
    if len(options) > _SHOWN_NAMES:
        listed += f", ... ({len(options) - _SHOWN_NAMES} more)"
    return f"; {hint}{what}: {listed}"


def fields(
    issues: Issues,
    node: Node | None,
    path: YamlPath,
    allowed: Sequence[str],
    required: Sequence[str] = (),
    *,
    at: Where = None,
) -> dict[str, Node]:
    """The keys of mapping `node` that are allowed and not empty; reports everything else.

    An empty value (`key:` or `key: ~`) counts as absent, so commenting out every entry of an
    optional section is harmless; for a required key it is reported as empty. A missing key
    is reported at `at` (the entry's own key, say) or else where the mapping starts.
    """
    if node is None:
        return {}
    if node.kind != "map":
        issues.add(
            node, path, f"must be a mapping with keys {', '.join(allowed)}, got {describe(node)}"
        )
        return {}
    result: dict[str, Node] = {}
    for key, value in node.value.items():
        if key not in allowed:
            message = f"unknown key {key!r}{suggest(key, allowed, 'valid keys')}"
            issues.add(node.keys[key], (*path, key), message)
        elif value.is_null:
            if key in required:
                issues.add(value, (*path, key), f"{key!r} is empty; it is required")
        else:
            result[key] = value
    missing = [key for key in required if key not in node.value]
    for key in missing:
        need = ", ".join(required)
        issues.add(at or node, path, f"missing required key {key!r} (required here: {need})")
    return result


@dataclass(frozen=True)
class Named:
    """An entry of a section of user-chosen names: the name, where it is written, its value."""

    name: str
    at: tuple[int, int]
    node: Node


def names(issues: Issues, node: Node | None, path: YamlPath, what: str) -> dict[str, Named]:
    """A mapping of user-chosen names (sites, VNFs...) to their entries, names checked."""
    if node is None:
        return {}
    if node.kind != "map":
        issues.add(
            node,
            path,
            f"must be a mapping of {what} names to their settings, got {describe(node)}",
        )
        return {}
    for key in node.value:
        message = name_problem(key)
        if message:
            issues.add(node.keys[key], (*path, key), f"bad {what} name: {message}")
    return {key: Named(key, node.keys[key], value) for key, value in node.value.items()}


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a site, server type, VNF or service, or None when it can.

    Server ids are `site/type/n` and instance ids `vnf-n`, so '/' and blanks would make them
    ambiguous; control characters would garble terminal output.
    """
    if not name.strip():
        return "a name must not be empty"
    if len(name) > MAX_NAME:
        return f"a name must be at most {MAX_NAME} characters"
    if "/" in name or name != name.strip() or any(_invisible(c) for c in name):
        return (
            f"{name!r} must not contain '/', control or invisible characters (such as a "
            "right-to-left override or a zero-width space), or leading/trailing blanks"
        )
    return None


def _invisible(char: str) -> bool:
    """Control, format (bidi overrides, zero-width), surrogate, private, unassigned or line
    separator characters: they garble terminals or make two names look alike."""
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def text(issues: Issues, node: Node | None, path: YamlPath, default: str = "") -> str:
    """A free text value; a bare number or word counts as its source text."""
    if node is None:
        return default
    if node.kind != "scalar" or node.is_null:
        issues.add(node, path, f"must be text, got {describe(node)}")
        return default
    if len(node.text) > MAX_TEXT:
        issues.add(node, path, f"text of {len(node.text)} characters; at most {MAX_TEXT} accepted")
        return default
    return node.text


def at_most(
    issues: Issues, node: Node | None, path: YamlPath, count: int, limit: int, what: str
) -> None:
    """Record that a section holds more entries than the planner accepts."""
    if count > limit:
        issues.add(node, path, f"{count} {what}; at most {limit:,} are accepted (see Limits)")


def name_ref(
    issues: Issues, node: Node | None, path: YamlPath, what: str, known: Sequence[str]
) -> str | None:
    """A reference to a defined name; reports unknown ones with the defined alternatives."""
    if node is None:
        return None
    if node.kind != "scalar" or node.is_null:
        issues.add(node, path, f"must be a {what} name, got {describe(node)}")
        return None
    if node.text not in known:
        issues.add(node, path, f"unknown {what} {node.text!r}{suggest(node.text, list(known))}")
        return None
    return node.text


def choice(
    issues: Issues, node: Node | None, path: YamlPath, options: Sequence[str], default: str
) -> str:
    """One of a fixed set of words."""
    if node is None:
        return default
    if node.kind == "scalar" and not node.is_null and node.text in options:
        return node.text
    got = describe(node)
    close = (
        difflib.get_close_matches(node.text, list(options), n=1) if node.kind == "scalar" else []
    )
    hint = f"; did you mean {close[0]!r}?" if close else ""
    issues.add(node, path, f"must be one of {' | '.join(options)}, got {got}{hint}")
    return default


def items(issues: Issues, node: Node | None, path: YamlPath, what: str) -> list[Node]:
    """The entries of a list value."""
    if node is None:
        return []
    if node.kind != "seq":
        issues.add(node, path, f"must be a list of {what}, got {describe(node)}")
        return []
    return list(node.value)


def boolean(issues: Issues, node: Node | None, path: YamlPath, default: bool = False) -> bool:
    """A true/false value."""
    if node is None:
        return default
    if node.kind == "scalar" and node.tag == "bool":
        return bool(node.value)
    issues.add(node, path, f"must be true or false, got {describe(node)}")
    return default


def number(
    issues: Issues,
    node: Node | None,
    path: YamlPath,
    *,
    minimum: float = 0,
    exclusive: bool = False,
    integer: bool = False,
    maximum: float | None = None,
    default: float = 0,
) -> Any:
    """A finite number within bounds; an int when `integer` (whole floats like 3.0 accepted).

    Booleans are refused even though Python counts them as ints: `cores: yes` is a typo.
    Returns `default` when absent or wrong (after recording the problem).
    """
    if node is None:
        return default
    limit = maximum if maximum is not None else (MAX_COUNT if integer else MAX_AMOUNT)
    kind = "a whole number" if integer else "a number"
    expected = f"must be {kind} {'>' if exclusive else '>='} {_fmt_num(minimum)}"
    if maximum is not None:  # a real range (latitude, NUMA nodes...): say so up front
        expected += f" and <= {_fmt_num(maximum)}"
    value = _numeric(node)
    if value is None or (integer and value != int(value)):
        got = describe(node).replace("(a boolean)", "(a boolean, not a number)")
        issues.add(node, path, f"{expected}, got {got}")
        return default
    if value < minimum or (exclusive and value == minimum):
        issues.add(node, path, f"{expected}, got {_fmt_num(value)}")
        return default
    if value > limit:
        bound = expected if maximum is not None else f"must be at most {_fmt_num(limit)}"
        issues.add(node, path, f"{bound}, got {_fmt_num(value)}")
        return default
    return int(value) if integer else float(value)


def _numeric(node: Node) -> float | None:
    """The finite number a scalar holds, or None; `1e3` counts (YAML 1.2 reads it so)."""
    if node.kind != "scalar":
        return None
    if (
        node.tag in ("int", "float")
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        value = float(node.value) if abs(node.value) < 1e300 else math.inf
    elif node.tag == "str" and not node.quoted and _EXPONENT_NUMBER.match(node.text):
        value = _as_float(node.text)
        if value is None:
            return None
    else:
        return None
    return value if math.isfinite(value) else None


def _as_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _fmt_num(value: float) -> str:
    """A number as a person would write it: 4, 0.5, 1e+12."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))
