"""The results file of a sweep: one row per case, whole on disk after every row.

Every time a case finishes, the whole file is rendered in memory and replaced atomically with
`nfvplan.io.output.write_output`. So whatever stops the sweep (Ctrl-C, a kill, a full disk, a
power cut) the file on disk is a complete CSV, JSON or JSON Lines document holding every row
finished before it, and a reader (a notebook, a dashboard, `--resume`) never sees half a row.
Rewriting costs O(rows) per row; at a few hundred bytes a row that is nothing next to the
seconds a case takes to solve, up to tens of thousands of cases (see docs/sweep.md).

Rows are kept in grid order, not completion order, so two runs of one sweep give files that
differ only in the measured columns (wall time, and a gap when a time limit cut a search).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nfvplan.errors import InputError
from nfvplan.io.output import write_output

FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl"}


def output_format(path: Path) -> str:
    """csv, json or jsonl from the file's suffix, or an InputError saying which are valid."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError.single(
            str(path), "unknown results format; name the file .csv, .json or .jsonl"
        )
    return fmt


class ResultStore:
    """The rows of one results file, keyed by case id, written whole after every change."""

    def __init__(self, path: Path, columns: tuple[str, ...], order: Iterable[str]) -> None:
        self.path = path
        self.format = output_format(path)
        self.columns = columns
        self.order = {case: index for index, case in enumerate(order)}
        self.rows: dict[str, dict[str, Any]] = {}

    def load(self) -> None:
        """Adopt the rows of the existing file (for `--resume`); InputError when it is not a
        results file of this sweep (other columns) or is damaged, with the line."""
        text = self.path.read_text(encoding="utf-8")
        reader = {"csv": self._read_csv, "json": self._read_json, "jsonl": self._read_jsonl}
        for row in reader[self.format](text):
            self.rows[str(row["case"])] = row

    def add(self, row: dict[str, Any]) -> None:
        """Record (or replace) a case's row and rewrite the file."""
        self.rows[str(row["case"])] = row
        self.flush()

    def flush(self) -> None:
        """Write every row, in grid order, atomically."""
        write_output(self.path, self.render().encode("utf-8"))

    def render(self) -> str:
        """The whole file's text."""
        rows = sorted(self.rows.values(), key=self._position)
        if self.format == "json":
            return json.dumps([self._ordered(r) for r in rows], indent=1) + "\n"
        if self.format == "jsonl":
            return "".join(json.dumps(self._ordered(r)) + "\n" for r in rows)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row[c] for c in self.columns])
        return out.getvalue()

    def _position(self, row: dict[str, Any]) -> tuple[int, int]:
        """Grid order; rows of cases no longer in the grid go last, in their old order."""
        index = self.order.get(str(row["case"]))
        return (0, index) if index is not None else (1, 0)

    def _ordered(self, row: dict[str, Any]) -> dict[str, Any]:
        return {c: row.get(c) for c in self.columns}

    # --- reading ------------------------------------------------------------------------------

    def _mismatch(self, found: Iterable[str], line: int) -> InputError:
        return InputError.single(
            str(self.path),
            f"its columns ({', '.join(found)}) are not this sweep's ({', '.join(self.columns)}): "
            "it was written by another sweep file; name another output, or --force to replace it",
            line=line,
            column=1,
        )

    def _read_csv(self, text: str) -> list[dict[str, Any]]:
        lines = list(csv.reader(io.StringIO(text)))
        if not lines:
            return []
        if tuple(lines[0]) != self.columns:
            raise self._mismatch(lines[0], 1)
        rows = []
        for number, values in enumerate(lines[1:], start=2):
            if len(values) != len(self.columns):
                raise InputError.single(
                    str(self.path),
                    f"row has {len(values)} fields, the header {len(self.columns)}: the file was "
                    "edited or damaged; fix the row or delete it to have the case run again",
                    line=number,
                    column=1,
                )
            rows.append(
                {c: (v if v != "" else None) for c, v in zip(self.columns, values, strict=True)}
            )
        return rows

    def _read_json(self, text: str) -> list[dict[str, Any]]:
        data = self._decode(text, 1)
        if not isinstance(data, list):
            raise InputError.single(str(self.path), "must be a JSON list of rows", line=1, column=1)
        return [self._row(item, 1) for item in data]

    def _read_jsonl(self, text: str) -> list[dict[str, Any]]:
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                rows.append(self._row(self._decode(line, number), number))
        return rows

    def _decode(self, text: str, line: int) -> Any:
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError.single(
                str(self.path),
                f"not valid JSON: {error.msg}",
                line=line + error.lineno - 1,
                column=error.colno,
            ) from None

    def _row(self, item: Any, line: int) -> dict[str, Any]:
        if not isinstance(item, dict):
            raise InputError.single(str(self.path), "a row must be a JSON object", line=line)
        if tuple(item) != self.columns:
            raise self._mismatch(item, line)
        return item
