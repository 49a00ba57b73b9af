"""Small phrases every text renderer prints the same way: counts of things, changes of cost.

One place, so that `solve`, `check`, `compare`, `whatif` and `resilience` never drift apart
again ("1 containers" in one report, "1 container" in another; a cost increase printed as a
negative saving in one and as `+X` in another).
"""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`1 container`, `2 containers`, `0 containers`: the number with its noun, agreeing."""
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {plural or noun + 's'}"


def money(value: float | None) -> str:
    """An amount of the scenario's currency, as every report prints it: `2,160.00`; `-` for
    an amount that does not exist (a plan-less side of a diff, an objective without a bound)."""
    return "-" if value is None else f"{value:,.2f}"


def delta(value: float | None) -> str:
    """A change of an amount, its sign always shown: `+2,160.00`, `-12.50`, `+0.00`; `-` when
    one side has no amount."""
    return "-" if value is None else f"{value:+,.2f}"


def pct(share: float) -> str:
    """A share (0.239) as every report prints it: `23.9%`."""
    return f"{100 * share:.1f}%"


def cost_change(saving: float) -> str:
    """A monthly saving in words that cannot be misread: `saves 2,160.00`, `costs 2,160.00
    more` (never `saving -2,160.00`), `costs the same`."""
    if round(saving, 2) > 0:
        return f"saves {money(saving)}"
    if round(saving, 2) < 0:
        return f"costs {money(-saving)} more"
    return "costs the same"
