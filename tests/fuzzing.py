"""A reusable fuzz harness for every file an nfvplan command reads.

Feed it a set of real files (a scenario, the topology it includes, a plan made for it), name
the one to mutate and give the command line as a template; it writes the set into a temporary
tree, replaces the target by each mutant in turn, runs the CLI in-process under a deadline and
returns what went wrong. The only acceptable outcomes are an exit code the caller allows (a plan:
0/3/4, `check` violations: 5) or exit 2 with a message that locates the problem (the file name
with `:line:column`, or the file name and a field); never exit 1, a traceback, an exception out
of the app or a run past its deadline.

Adding a new command's file (a patch file, a sweep file) is one call:

    failures = fuzz_command(
        tree={"examples/x.yaml": ..., "patch.yaml": ...},
        target="patch.yaml",
        command=["patch", "{root}/examples/x.yaml", "{root}/patch.yaml"],
        mutants=mutants(seed_bytes, count=200, seed=7),
    )
    assert failures == []

Mutations of real files find what hand-written bad input misses: a value of the right type in
the wrong field, a truncated plan, a line repeated by a bad merge. `hostile_documents()` adds
generated garbage that no mutation of a sane file reaches (alias bombs, 10 000-deep nesting,
huge numbers, non-UTF-8, tricky unicode).
"""

from __future__ import annotations

import contextlib
import random
import re
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import CliResult, run_cli

Mutator = Callable[[bytes, random.Random], bytes]

_KEY_VALUE = re.compile(rb"^(\s*-?\s*[\w\-]+:\s*)([^\s{}\[\]#][^\n#]*?)\s*$", re.M)
"""A `key: scalar` line; group 2 is the scalar."""
_FLOW_VALUE = re.compile(rb"([\w\-]+:\s*)([^,{}\[\]\n]+)(?=[,}\]])")
"""A `key: scalar` pair inside a flow mapping `{a: 1, b: 2}`."""
_NAME = re.compile(rb"[A-Za-z][\w\-]{2,}")

HOSTILE_SCALARS: tuple[bytes, ...] = (
    b"~",
    b"''",
    b"[]",
    b"{}",
    b"[1, 2]",
    b"{a: 1}",
    b"yes",
    b"no",
    b".nan",
    b".inf",
    b"-.inf",
    b"-0",
    b"-0.0",
    b"0",
    b"-1",
    b"1e400",
    b"-1e400",
    b"1e-400",
    b"1" + b"0" * 400,
    b"0x7fffffffffffffffffff",
    b"0o777",
    b"1_000",
    b"2001-12-14",
    b"'12'",
    b'"1e3"',
    b"!!binary aGVsbG8=",
    b"!!python/object:os.system ls",
    b"!!float nan",
    b"*undefined",
    b"&anchor 3",
    b'"\\u202eevil"',
    b"x\xe2\x80\x8by",
    b"\xd0\xb0mf",
    b'"a\\0b"',
    b"\xff\xfe",
    b"\xed\xa0\x80",
    b"\t",
    b"a" * 5000,
    b"%",
    b"@x",
    b"`x",
    b"|\n  block",
    b"? complex",
)
"""Values that are wrong, surprising or exotic in nearly every field."""

NAME_TRICKS: tuple[bytes, ...] = (
    "\u202e".encode(),  # right-to-left override
    "\u200b".encode(),  # zero-width space
    "\u200d".encode(),  # zero-width joiner
    "\ufeff".encode(),  # a BOM in the middle
    "\u2028".encode(),  # line separator
    "\u0085".encode(),  # next line (NEL)
    b"\x00",  # NUL
    b"\x1b[31m",  # a terminal escape
    b"\xed\xa0\x80",  # a UTF-8-encoded surrogate: not valid UTF-8
    b"/",
    b" ",
    b"\t",
)


# ---------------------------------------------------------------------------------------------
# Mutations of real files


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def flip_byte(data: bytes, rng: random.Random) -> bytes:
    """One byte replaced by a random one."""
    if not data:
        return bytes([rng.randrange(256)])
    at = rng.randrange(len(data))
    return data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]


def flip_bit(data: bytes, rng: random.Random) -> bytes:
    """One bit flipped (a disk or transfer error)."""
    if not data:
        return data
    at = rng.randrange(len(data))
    return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]


def truncate(data: bytes, rng: random.Random) -> bytes:
    """The file cut anywhere, as an interrupted copy leaves it."""
    return data[: rng.randrange(len(data) + 1)]


def delete_line(data: bytes, rng: random.Random) -> bytes:
    """One line removed."""
    lines = _lines(data)
    if lines:
        del lines[rng.randrange(len(lines))]
    return b"".join(lines)


def duplicate_line(data: bytes, rng: random.Random) -> bytes:
    """One line repeated (a duplicate key, a repeated list entry or bad indentation)."""
    lines = _lines(data)
    if lines:
        at = rng.randrange(len(lines))
        lines.insert(at, lines[at])
    return b"".join(lines)


def move_line(data: bytes, rng: random.Random) -> bytes:
    """One line moved somewhere else (into another section, usually)."""
    lines = _lines(data)
    if len(lines) > 1:
        line = lines.pop(rng.randrange(len(lines)))
        lines.insert(rng.randrange(len(lines) + 1), line)
    return b"".join(lines)


def _scalar_spans(data: bytes) -> list[tuple[int, int]]:
    spans = [m.span(2) for m in _KEY_VALUE.finditer(data)]
    spans += [m.span(2) for m in _FLOW_VALUE.finditer(data)]
    return sorted(set(spans))


def swap_values(data: bytes, rng: random.Random) -> bytes:
    """The values of two fields exchanged: right types in the wrong places."""
    spans = _scalar_spans(data)
    if len(spans) < 2:
        return data
    first, second = sorted(rng.sample(spans, 2))
    if first[1] > second[0]:  # overlapping matches: leave the file alone
        return data
    a, b = data[first[0] : first[1]], data[second[0] : second[1]]
    return data[: first[0]] + b + data[first[1] : second[0]] + a + data[second[1] :]


def change_type(data: bytes, rng: random.Random) -> bytes:
    """One field's value replaced by a hostile scalar (a list, NaN, 10**400, a tag...)."""
    spans = _scalar_spans(data)
    if not spans:
        return data
    start, end = rng.choice(spans)
    return data[:start] + rng.choice(HOSTILE_SCALARS) + data[end:]


def trick_name(data: bytes, rng: random.Random) -> bytes:
    """An invisible or confusable character slipped into one occurrence of a name."""
    found = list(_NAME.finditer(data))
    if not found:
        return data
    match = rng.choice(found)
    at = rng.randrange(match.start(), match.end() + 1)
    trick = rng.choice((*NAME_TRICKS, "\u0430".encode()))  # last: Cyrillic 'а' homoglyph
    if trick == "\u0430".encode() and b"a" in match.group():
        at = match.start() + match.group().index(b"a")
        return data[:at] + trick + data[at + 1 :]
    return data[:at] + trick + data[at:]


def tabs_for_indent(data: bytes, rng: random.Random) -> bytes:
    """Leading spaces of one indented line turned into a tab (YAML forbids tab indentation)."""
    lines = _lines(data)
    indented = [i for i, line in enumerate(lines) if line.startswith(b"  ")]
    if indented:
        i = rng.choice(indented)
        lines[i] = b"\t" + lines[i].lstrip(b" ")
    return b"".join(lines)


def re_encode(data: bytes, rng: random.Random) -> bytes:
    """The same text with a BOM, CRLF line ends, or in UTF-16 / Latin-1."""
    text = data.decode("utf-8", errors="replace")
    how = rng.randrange(5)
    if how == 0:
        return b"\xef\xbb\xbf" + data
    if how == 1:
        return data.replace(b"\n", b"\r\n")
    if how == 2:
        return text.encode("utf-16")
    if how == 3:
        return (text + "# caf\u00e9\n").encode("latin-1", errors="replace")
    return data.replace(b"\n", b"\r")


MUTATORS: dict[str, Mutator] = {
    "flip-byte": flip_byte,
    "flip-bit": flip_bit,
    "truncate": truncate,
    "delete-line": delete_line,
    "duplicate-line": duplicate_line,
    "move-line": move_line,
    "swap-values": swap_values,
    "change-type": change_type,
    "trick-name": trick_name,
    "tab-indent": tabs_for_indent,
    "re-encode": re_encode,
}


def mutants(data: bytes, *, count: int, seed: int) -> list[tuple[str, bytes]]:
    """`count` labelled mutants of `data`, one to three mutations each, reproducible by `seed`.

    Every mutator is used in turn first, so even a small `count` covers each kind once.
    """
    rng = random.Random(seed)
    names = sorted(MUTATORS)
    out: list[tuple[str, bytes]] = []
    for index in range(count):
        steps = [names[index % len(names)], *rng.sample(names, rng.randrange(3))]
        mutated = data
        for step in steps:
            mutated = MUTATORS[step](mutated, rng)
        out.append((f"#{index} {'+'.join(steps)}", mutated))
    return out


# ---------------------------------------------------------------------------------------------
# Generated garbage


def hostile_documents(valid: bytes, *, max_bytes: int) -> Iterator[tuple[str, bytes]]:
    """Garbage no mutation of a sane file reaches, built around one valid file's text.

    `max_bytes` is the reader's size limit: one document sits just above it.
    """
    yield "empty", b""
    yield "blank lines", b"\n\n   \n"
    yield "comment only", b"# nothing here\n"
    yield "NUL bytes", b"\x00" * 64
    yield "BOM only", b"\xef\xbb\xbf"
    yield "BOM + valid", b"\xef\xbb\xbf" + valid
    yield "UTF-16", valid.decode("utf-8").encode("utf-16")
    yield "Latin-1", b"nfvplan: 1\nname: caf\xe9\n"
    yield "lone surrogate", b"nfvplan: 1\nname: \xed\xa0\x80\n"
    yield "escaped surrogate", b'nfvplan: 1\nname: "\\ud800"\n'
    yield "a list", b"- 1\n- 2\n"
    yield "a scalar", b"42\n"
    yield "two documents", valid + b"\n---\n" + valid
    yield "tabs", valid.replace(b"  ", b"\t")
    yield "CR only", valid.replace(b"\n", b"\r")
    yield "duplicate top keys", valid + b"\n" + valid
    yield "deep flow list", b"a: " + b"[" * 10_000 + b"]" * 10_000 + b"\n"
    yield "deep flow map", b"a: " + b"{a: " * 10_000 + b"1" + b"}" * 10_000 + b"\n"
    yield "deep block", b"".join(b"  " * i + b"k:\n" for i in range(10_000))
    yield "unclosed deep", b"a: " + b"[" * 10_000
    bomb = [b"a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 12):
        refs = ", ".join([f"*a{level - 1}"] * 10).encode()
        bomb.append(f"a{level}: &a{level} [".encode() + refs + b"]")
    yield "alias bomb", b"\n".join(bomb) + b"\n"
    yield "recursive alias", b"a: &x [*x]\n"
    yield "merge bomb", b"a: &a {x: 1}\nb: {<<: [*a, *a, *a, *a], y: 2}\nc: {<<: *b}\n"
    for number in (
        b".nan",
        b".inf",
        b"-.inf",
        b"-0",
        b"1" + b"0" * 400,
        b"1e400",
        b"0x" + b"f" * 100,
    ):
        yield (
            f"number {number[:12]!r}",
            re.sub(rb"(cores|gbps|vcpu|replicas): [\d.]+", rb"\1: " + number, valid, count=3),
        )
    for trick in NAME_TRICKS:
        yield (
            f"name trick {trick!r}",
            re.sub(
                rb"\n(  )([a-z][\w\-]+):",
                rb"\n\1\2" + trick.replace(b"\\", b"\\\\") + rb":",
                valid,
                count=2,
            ),
        )
    yield "homoglyph duplicate", valid + b"\n# \xd0\xb0\n"
    yield "huge string", b"nfvplan: 1\nname: " + b"x" * 1_000_000 + b"\n"
    yield (
        "long line of keys",
        b"{" + b", ".join(b"k%d: %d" % (i, i) for i in range(50_000)) + b"}\n",
    )
    yield "just above the size limit", b"# " + b"x" * (max_bytes - 2) + b"\n"
    yield "binary tag", b"nfvplan: 1\nname: !!binary aGVsbG8=\n"
    yield "python tag", b"nfvplan: !!python/object/apply:os.system [ls]\n"
    yield "set tag", b"nfvplan: 1\nsites: !!set {a, b}\n"
    yield "complex key", b"nfvplan: 1\n? [a, b]\n: 1\n"
    yield "null key", b"nfvplan: 1\n~: 1\n"
    yield "int key", b"nfvplan: 1\n1: 1\n2.5: x\ntrue: y\n"


# ---------------------------------------------------------------------------------------------
# Running a command on each mutant


class Deadline(Exception):
    """A run took longer than its bound: a hang, as far as a user can tell."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise `Deadline` in the main thread after `seconds` (SIGALRM; POSIX only)."""

    def expire(signum: int, frame: object) -> None:
        raise Deadline(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


WHOLE_FILE = ("file not found", "is a directory", "larger than", "not an nfvplan", "cannot read")
"""Messages about a file as a whole, which rightly name no line or field."""


def _is_located(line: str, file_names: Sequence[str]) -> bool:
    """`file:line[:column]:`, `file: field: ...` or a message about the whole file."""
    for name in file_names:
        at = line.find(name)
        if at < 0:
            continue
        rest = line[at + len(name) :]
        if re.match(r":\d+(:\d+)?:", rest) or re.match(r": [\w\[\]\".\-]+: ", rest):
            return True
    return any(phrase in line for phrase in WHOLE_FILE)


@dataclass(frozen=True)
class Failure:
    """One mutant the command did not handle as it must."""

    label: str
    why: str
    output: str
    data: bytes

    def __str__(self) -> str:
        return (
            f"{self.label}: {self.why}\n  input head: {self.data[:200]!r}\n  {self.output[-1500:]}"
        )


def judge(result: CliResult, allowed: Sequence[int], file_names: Sequence[str]) -> str | None:
    """Why `result` is not an acceptable outcome, or None when it is."""
    output = result.output
    if result.exception is not None:
        return f"exception {type(result.exception).__name__}: {result.exception}"
    if "Traceback" in output:
        return "a traceback was printed"
    if result.exit_code == 2:
        lines = [line for line in output.splitlines() if line.strip()]
        if not lines:
            return "exit 2 without a message"
        named = [line for line in lines if any(name in line for name in file_names)]
        if not named:
            return "exit 2 but the message names none of the input files"
        if not any(_is_located(line, file_names) for line in named):
            return "exit 2 but the message gives neither line:column nor a field"
        return None
    if result.exit_code not in allowed:
        return f"exit {result.exit_code} (allowed: 2 or {sorted(allowed)})"
    return None


def run_case(command: Sequence[str], root: Path, timeout: float) -> CliResult:
    """Run the CLI on `command` (with `{root}` filled in) in-process, bounded by `timeout`."""
    args = [part.replace("{root}", str(root)) for part in command]
    try:
        with deadline(timeout):
            return run_cli(*args)
    except Deadline as exc:
        return CliResult(-1, "", "", exc)


def fuzz_command(
    tree: dict[str, bytes],
    target: str,
    command: Sequence[str],
    cases: Sequence[tuple[str, bytes]],
    *,
    root: Path,
    allowed: Sequence[int] = (0, 3, 4),
    timeout: float = 30.0,
) -> list[Failure]:
    """Run `command` once per case with `target` in `tree` replaced by the case's bytes.

    `tree` maps relative paths to file contents and is written under `root` (a relative
    `topology:` inside a scenario keeps working). `command` is the argument list after
    `nfvplan`, with `{root}` standing for `root`. Returns every failure; [] means every case
    ended as a plan (an exit in `allowed`) or as a located exit 2.
    """
    for relative, content in tree.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    file_names = [Path(relative).name for relative in tree]
    failures = []
    for label, data in cases:
        (root / target).write_bytes(data)
        result = run_case(command, root, timeout)
        why = judge(result, allowed, file_names)
        if why is not None:
            failures.append(Failure(label, why, result.output, data))
    (root / target).write_bytes(tree[target])
    return failures
