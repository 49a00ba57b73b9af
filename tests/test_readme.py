"""Tests that README.md tells the truth: every command it shows runs on shipped files and
prints what the README says it prints.

Generic, so a section added later is checked without touching this file:

- A ```text block holding lines that start with `$ ` is a terminal session: each `$ COMMAND`
  runs (with bash, in a temporary copy of the repository, in README order, so a plan written
  by one command is there for the next), and the lines after it, up to the next `$ ` line, are
  what it must print (stdout and stderr together, as a terminal shows them). A line `...`
  stands for any number of lines the README leaves out. Only genuinely run-dependent figures
  are normalised: wall-clock times (`RUN_DEPENDENT`).
- In a ```sh block, every file an `nfvplan` command reads must ship (or be written by a README
  command): placeholders are written in capitals (`SCENARIO`, `PLAN`), never as a made-up name.
- A ```yaml block whose first line is `# PATH` shows that shipped file: its lines must appear
  there, in order, together.

Keep the README's solves short (they all run here; CI has a 15-minute budget).
"""

from __future__ import annotations

import itertools
import os
import re
import shlex
import shutil
import stat
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from helpers import REPO, nfvplan_command

README = REPO / "README.md"
ELISION = "..."
COMMAND_TIMEOUT_S = 300

RUN_DEPENDENT = (
    re.compile(r"variants solved in \d"),  # compare's header: wall time of three solves
    re.compile(r"^solve time\s"),  # compare's row of per-variant wall times
    re.compile(r"^solved in \d"),  # solve's run statistics (stderr; not in the plan file)
)
"""Lines whose seconds depend on the machine: their `N.N s` figures are compared as `# s`."""
SECONDS = re.compile(r"\d+(?:\.\d+)? s\b")

OUTPUT_FLAGS = {"-o", "--output", "--plot", "--plans", "--services"}
"""Options whose value a command writes, not reads."""
FILE_ARGUMENT = re.compile(r"[\w./-]+\.(?:ya?ml|json)")


@dataclass(frozen=True)
class Block:
    """One fenced block of the README: its language, first content line (1-based), lines."""

    lang: str
    line: int
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Session:
    """One `$ COMMAND` of a text block and the output the README shows for it."""

    line: int
    command: str
    expected: tuple[str, ...]


def blocks(text: str) -> list[Block]:
    """Every fenced block of a Markdown text, in order."""
    found: list[Block] = []
    lang, start, body = None, 0, []
    for number, line in enumerate(text.splitlines(), 1):
        fence = re.match(r"^```(\S*)\s*$", line)
        if fence and lang is None:
            lang, start, body = fence.group(1), number + 1, []
        elif line.startswith("```") and lang is not None:
            found.append(Block(lang, start, tuple(body)))
            lang = None
        elif lang is not None:
            body.append(line)
    return found


def sessions(readme: str) -> list[Session]:
    """The `$ ` commands of every text block with the output shown under each."""
    found: list[Session] = []
    for block in blocks(readme):
        if block.lang != "text" or not any(x.startswith("$ ") for x in block.lines):
            continue
        current: tuple[int, str] | None = None
        shown: list[str] = []
        for offset, line in enumerate(block.lines):
            if line.startswith("$ "):
                if current is not None:
                    found.append(Session(current[0], current[1], tuple(shown)))
                current, shown = (block.line + offset, line[2:].strip()), []
            elif current is not None:
                shown.append(line)
        if current is not None:
            found.append(Session(current[0], current[1], tuple(shown)))
    return found


def normalise(lines: list[str] | tuple[str, ...]) -> list[str]:
    """Lines without trailing spaces or trailing blank lines, wall times as `# s`."""
    out = []
    for line in lines:
        line = line.rstrip()
        if line != ELISION and any(p.search(line) for p in RUN_DEPENDENT):
            line = re.sub(r" {2,}", " ", SECONDS.sub("# s", line))
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether `actual` is `expected` with each `...` line standing for any lines."""

    @cache
    def match(i: int, j: int) -> bool:
        if i == len(expected):
            return j == len(actual)
        if expected[i] == ELISION:
            return any(match(i + 1, k) for k in range(j, len(actual) + 1))
        return j < len(actual) and expected[i] == actual[j] and match(i + 1, j + 1)

    return match(0, 0)


def repository_copy(target: Path) -> Path:
    """The shipped files in `target`, and a `bin/nfvplan` that runs this checkout's command."""
    ignore = shutil.ignore_patterns(
        ".git", "__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache", ".hypothesis"
    )
    work = target / "repo"
    shutil.copytree(REPO, work, ignore=ignore, symlinks=True)
    bin_dir = target / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "nfvplan"
    shim.write_text(
        "#!/bin/sh\nexec " + " ".join(shlex.quote(x) for x in nfvplan_command()) + ' "$@"\n',
        encoding="utf-8",
    )
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return work


SESSIONS = sessions(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[int, list[str]]:
    """What each README command printed, by README line, run in order in one copy."""
    base = tmp_path_factory.mktemp("readme")
    work = repository_copy(base)
    env = dict(
        os.environ,
        PATH=f"{base / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        COLUMNS="100",
        NO_COLOR="1",
    )
    outputs = {}
    for session in SESSIONS:
        done = subprocess.run(
            ["bash", "-c", session.command],
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )
        outputs[session.line] = done.stdout.splitlines()
    return outputs


def test_the_readme_shows_sessions() -> None:
    """Tests that the parser finds the README's sessions (a silent zero would pass all)."""
    assert len(SESSIONS) >= 5, SESSIONS
    assert sum(s.command.startswith("nfvplan ") for s in SESSIONS) >= 5, SESSIONS


@pytest.mark.parametrize(
    "session", SESSIONS, ids=[f"README.md:{s.line} {s.command[:60]}" for s in SESSIONS]
)
def test_a_readme_command_prints_what_the_readme_shows(
    session: Session, printed: dict[int, list[str]]
) -> None:
    """Tests one `$ COMMAND` of README.md against the lines shown under it."""
    expected, actual = normalise(session.expected), normalise(printed[session.line])
    if not matches(expected, actual):
        shown = "\n".join(f"  {line}" for line in actual)
        pytest.fail(
            f"README.md:{session.line}: `{session.command}` printed:\n{shown}\n"
            f"the README shows:\n" + "\n".join(f"  {line}" for line in expected)
        )


def _written_by_readme(readme: str) -> set[str]:
    """Every file a README command writes (`-o FILE`), wherever it appears."""
    written = set()
    for block in blocks(readme):
        for line in block.lines:
            tokens = line.removeprefix("$ ").split()
            written.update(b for a, b in itertools.pairwise(tokens) if a in OUTPUT_FLAGS)
    return written


def _read_files(line: str) -> list[str]:
    """The files an `nfvplan` command line of a shell block reads (not the ones it writes)."""
    found = []
    for part in line.split("#")[0].split("&&"):
        tokens = part.split()
        if not tokens or tokens[0] != "nfvplan":
            continue
        for before, token in itertools.pairwise(tokens):
            value = token.split("=", 1)[1] if token.startswith("--") and "=" in token else token
            if before not in OUTPUT_FLAGS and FILE_ARGUMENT.fullmatch(value):
                found.append(value)
    return found


def test_shell_examples_read_only_shipped_files() -> None:
    """Tests every `nfvplan` line of the README's ```sh blocks: the files it reads ship, or a
    README command writes them (capitals stand for the reader's own files)."""
    readme = README.read_text(encoding="utf-8")
    written = _written_by_readme(readme)
    missing = [
        f"README.md:{block.line + offset}: {name}"
        for block in blocks(readme)
        if block.lang in ("sh", "bash", "console")
        for offset, line in enumerate(block.lines)
        for name in _read_files(line)
        if not (REPO / name).exists() and name not in written
    ]
    assert missing == [], "README examples read files that do not ship:\n" + "\n".join(missing)


def test_shown_files_are_the_shipped_ones() -> None:
    """Tests every ```yaml block headed `# PATH`: it is an excerpt of that shipped file."""
    shown = [
        block
        for block in blocks(README.read_text(encoding="utf-8"))
        if block.lang == "yaml"
        and block.lines
        and FILE_ARGUMENT.fullmatch(block.lines[0].removeprefix("# ").strip())
    ]
    for block in shown:
        path = REPO / block.lines[0].removeprefix("# ").strip()
        assert path.is_file(), f"README.md:{block.line}: {path} does not ship"
        body, text = list(block.lines[1:]), path.read_text(encoding="utf-8").splitlines()
        assert any(text[i : i + len(body)] == body for i in range(len(text))), (
            f"README.md:{block.line}: the block differs from {path.relative_to(REPO)}"
        )


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        (["a", "...", "d"], ["a", "b", "c", "d"], True),
        (["a", "...", "d"], ["a", "d"], True),
        (["a", "...", "d"], ["a", "b", "c"], False),
        (["a", "b"], ["a", "b", "c"], False),
        (["...", "c"], ["a", "b", "c"], True),
    ],
)
def test_elision_matching(expected: list[str], actual: list[str], ok: bool) -> None:
    """Tests the matcher itself: `...` stands for any lines, nothing else is skipped."""
    assert matches(expected, actual) is ok


def test_only_wall_times_are_normalised() -> None:
    """Tests the normaliser: compare's wall times are masked, a recovery time is not."""
    header = "scenario: x   variants solved in 15.3 s (time limit 30 s each, 2 workers, seed 1)"
    assert normalise([header]) == normalise([header.replace("15.3", "2.2")])
    assert normalise(["solve time   6.2 s     0.8 s"]) == normalise(["solve time 10.1 s 1 s"])
    recovery = "recovery of its instances 8 inst in 60 s"
    assert normalise([recovery]) != normalise([recovery.replace("60", "0")])
