"""Reports for design reviews: the per-server view and the self-contained HTML report.

- `server_views(scenario, plan)`: every used server's resources split into workload, form
  overheads, host reserves, traffic and free room (`servers`);
- `format_servers(scenario, plan, fmt)`: that view as text or Markdown (`show --servers`);
- `render_report(ReportInput(...))`: one HTML page with the summary, sites, heat map, network
  map, per-server bars and any extra sections (`report`); `extras` builds the comparison,
  what-if and resilience sections from the existing libraries.

Nothing here solves unless an extra section asks for it, and nothing imports the CLI.
"""

from nfvplan.review.page import ReportInput, Section, render_report
from nfvplan.review.servers import ServerView, cost_breakdown, server_views
from nfvplan.review.terminal import FORMATS, format_servers

__all__ = [
    "FORMATS",
    "ReportInput",
    "Section",
    "ServerView",
    "cost_breakdown",
    "format_servers",
    "render_report",
    "server_views",
]
