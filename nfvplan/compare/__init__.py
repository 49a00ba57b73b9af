"""`nfvplan compare`: the scenario solved all-VM, all-container and mixed, side by side.

The library behind the command, in small modules: `variants` builds the three scenarios,
`comparison` solves them through the public `solve` API and judges the outcome, `metrics`
measures each plan, `render` prints, `plot` draws and `files` writes. It never imports the CLI.
"""

from nfvplan.compare.comparison import Comparison, VariantResult, compare, verdict
from nfvplan.compare.files import check_output_dir, check_plot_target, plan_files, write_files
from nfvplan.compare.metrics import Isolation, Metrics, Recovery, Tax, describe_forms, measure
from nfvplan.compare.plot import MissingMatplotlib, ensure_matplotlib, render_chart
from nfvplan.compare.render import FIELDS, FORMATS, record, render
from nfvplan.compare.variants import VARIANTS, Variant, restrict

__all__ = [
    "FIELDS",
    "FORMATS",
    "VARIANTS",
    "Comparison",
    "Isolation",
    "Metrics",
    "MissingMatplotlib",
    "Recovery",
    "Tax",
    "Variant",
    "VariantResult",
    "check_output_dir",
    "check_plot_target",
    "compare",
    "describe_forms",
    "ensure_matplotlib",
    "measure",
    "plan_files",
    "record",
    "render",
    "render_chart",
    "restrict",
    "verdict",
    "write_files",
]
