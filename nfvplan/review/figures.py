"""How the report and the per-server view print a figure: the CLI's rounding, in one place.

Money and shares come from `nfvplan.wording` (what `nfvplan solve` and `show` print), so the
page, the terminal and the Markdown show the same digits for the same number.
"""

from __future__ import annotations

from nfvplan.wording import money, pct

__all__ = ["amount", "money", "pct"]


def amount(value: float) -> str:
    """A quantity of threads, GiB, Gbps or VFs: at most two decimals, none when whole.

    `12`, `2.55`, `0.1`; thousands separated, as every table of the project does.
    """
    text = f"{value:,.2f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
