"""Where the repository's shipped files are, for tests in any subfolder of tests/.

Importing this module loads nothing of nfvplan, so a test of one layer (the checker, the
loader) can find the examples without pulling in the solver or the CLI.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
TOPOLOGIES = REPO / "topologies"
