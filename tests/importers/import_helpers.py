"""Helpers for the importer tests: write a fixture, import it, look a VNF up."""

from __future__ import annotations

import textwrap
from pathlib import Path

from nfvplan.importers import ImportOptions, ImportResult, import_descriptors
from nfvplan.importers.emit import entry_data


class Importer:
    """Writes dedented fixture text under a temp folder and imports it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
        return path

    def run(self, name: str, content: str | bytes, **options: object) -> ImportResult:
        return import_descriptors([self.write(name, content)], ImportOptions(**options))

    def entries(self, name: str, content: str | bytes, **options: object) -> dict[str, dict]:
        """Every VNF as the nfvplan entry it is written as, by source name."""
        return {v.name: entry_data(v) for v in self.run(name, content, **options).vnfs}


def warnings_text(result: ImportResult) -> str:
    """All warnings, one per line."""
    return "\n".join(str(w) for w in result.warnings)
