"""`nfvplan topology ...`: list, show and import physical network files."""

from __future__ import annotations

import typer

topology_app = typer.Typer(help="List, show and import physical topologies.", no_args_is_help=True)
