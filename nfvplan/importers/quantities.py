"""Sizes and CPU amounts as descriptors write them, turned into nfvplan's GiB and vCPU.

Every importer reads its figures here, so each unit is defined once and every conversion can
be stated next to the imported VNF (`Quantity.note`). Two conventions meet:

- **TOSCA `scalar-unit.size`** (SOL001: `512 MB`, `1 GB`, `1.75 GiB`). The TOSCA standard reads
  `MB` as 10^6 bytes, but every VIM that consumes these descriptors (Tacker into Nova flavours:
  RAM in MiB, disk in GiB) reads `MB` as MiB and `GB` as GiB, and vendors size for that. So by
  default the decimal-looking units are read as binary (`binary_si=True`), and the note says so;
  `binary_si=False` gives the strict TOSCA reading. `MiB`/`GiB` are always exact.
- **Kubernetes quantities** (`150m`, `128Mi`, `1024M`, `1.5Gi`, `2e9`): `Ki Mi Gi Ti Pi Ei` are
  binary, `k M G T P E` decimal, `m` is a thousandth. Exactly as the API server parses them.

Figures are rounded *up* to `DECIMALS` places when written (`ceil_gib`), so an imported flavor
is never smaller than the descriptor's.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

GIB = 1024**3
DECIMALS = 4
"""Decimal places of written GiB and vCPU figures (1/10000 GiB is about 107 kB)."""

_TOSCA_SIZE = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]+)\s*$")
_TOSCA_UNITS_EXACT = {
    "b": 1,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
_TOSCA_UNITS_SI = {"kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_TOSCA_AS_BINARY = {"kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4}
_BINARY_NAME = {"kb": "KiB", "mb": "MiB", "gb": "GiB", "tb": "TiB"}

_K8S_QUANTITY = re.compile(
    r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$"
)
_K8S_SUFFIX = {
    None: Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}


class QuantityError(ValueError):
    """A figure that does not parse, or has a unit nfvplan does not know; the message says
    what was found and what would be valid."""


@dataclass(frozen=True)
class Quantity:
    """A parsed amount: `value` in the target unit, `note` how the source text got there."""

    value: float
    note: str


def ceil_figure(value: float) -> float | int:
    """`value` rounded up to `DECIMALS` places; an int when whole, so YAML shows 1 not 1.0."""
    scaled = round(value * 10**DECIMALS, 6)
    rounded = math.ceil(scaled) / 10**DECIMALS
    return int(rounded) if float(rounded).is_integer() else rounded


def fmt(value: float) -> str:
    """A figure as written in the output."""
    shown = ceil_figure(value)
    return f"{shown:g}" if isinstance(shown, float) else str(shown)


def tosca_size_gib(text: object, *, binary_si: bool = True) -> Quantity:
    """A TOSCA `scalar-unit.size` (`512 MB`, `1.75 GiB`) in GiB; raises QuantityError."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise QuantityError(f"expected a size such as '512 MB' or '4 GiB', got {text!r}")
    raw = str(text)
    match = _TOSCA_SIZE.match(raw)
    if not match:
        if _is_number(raw):
            raise QuantityError(
                f"size {raw!r} has no unit; TOSCA sizes carry one, e.g. '{raw} MB' or '{raw} GiB'"
            )
        raise QuantityError(
            f"cannot read size {raw!r}; expected a number and a unit such as '512 MB' or '4 GiB'"
        )
    number, unit = float(match.group(1)), match.group(2)
    key = unit.lower()
    if key in _TOSCA_UNITS_EXACT:
        factor, how = _TOSCA_UNITS_EXACT[key], ""
    elif key in _TOSCA_UNITS_SI:
        if binary_si:
            factor = _TOSCA_AS_BINARY[key]
            how = f" ({unit} read as {_BINARY_NAME[key]}, as Tacker/Nova do)"
        else:
            factor, how = _TOSCA_UNITS_SI[key], f" ({unit} = 10^{_exp(key)} B, strict TOSCA)"
    else:
        raise QuantityError(
            f"unknown size unit {unit!r} in {raw!r}; valid: B, kB, KiB, MB, MiB, GB, GiB, TB, TiB"
        )
    _check_sign(number, raw)
    gib = number * factor / GIB
    return Quantity(gib, f"{raw.strip()} = {fmt(gib)} GiB{how}")


def _exp(key: str) -> int:
    return {"kb": 3, "mb": 6, "gb": 9, "tb": 12}[key]


def plain_number(value: object, what: str) -> float:
    """A bare number, possibly a quoted string (`"16.0"`, as SOL006 XML and some YAML write)."""
    if isinstance(value, bool):
        raise QuantityError(f"{what} must be a number, got {value!r}")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and _is_number(value):
        number = float(value.strip())
    else:
        raise QuantityError(f"{what} must be a number, got {value!r}")
    if not math.isfinite(number):
        raise QuantityError(f"{what} must be a finite number, got {value!r}")
    _check_sign(number, str(value))
    return number


def gib_from_gb(value: object, what: str, *, source_unit: str = "GB") -> Quantity:
    """A bare SOL006 figure the YANG model gives in GB, read as GiB (as VIMs do)."""
    number = plain_number(value, what)
    return Quantity(
        number, f"{value} {source_unit} = {fmt(number)} GiB ({source_unit} read as GiB)"
    )


def gib_from_mb(value: object, what: str) -> Quantity:
    """A bare figure in MB (legacy Tacker `numa_nodes.*.mem_size`, OSM `memory-mb`), as MiB."""
    number = plain_number(value, what)
    gib = number / 1024
    return Quantity(gib, f"{value} MB = {fmt(gib)} GiB (MB read as MiB)")


def k8s_quantity(text: object, what: str) -> Decimal:
    """A Kubernetes resource quantity as an exact Decimal; raises QuantityError."""
    if isinstance(text, bool) or text is None:
        raise QuantityError(
            f"{what}: expected a quantity such as '500m', '2' or '1Gi', got {text!r}"
        )
    raw = str(text).strip() if isinstance(text, str) else repr(text)
    if isinstance(text, (int, float)):
        raw = str(text)
    match = _K8S_QUANTITY.match(raw)
    if not match:
        raise QuantityError(
            f"{what}: cannot parse quantity {str(text)!r}; Kubernetes quantities are a number "
            "with an optional suffix: m (milli), k M G T P E (decimal), Ki Mi Gi Ti Pi Ei "
            "(binary) or an exponent (2e9)"
        )
    try:
        number = Decimal(match.group(1))
        if match.group(2):
            number *= Decimal(10) ** int(match.group(2)[1:])
        else:
            number *= _K8S_SUFFIX[match.group(3)]
    except (InvalidOperation, OverflowError, ValueError):
        raise QuantityError(f"{what}: quantity {raw!r} is out of range") from None
    if number < 0:
        raise QuantityError(f"{what}: quantity {raw!r} is negative; sizes are >= 0")
    if number > Decimal(10) ** 24:
        raise QuantityError(f"{what}: quantity {raw!r} is out of range")
    return number


def bytes_to_gib(amount: Decimal) -> float:
    """Bytes as GiB."""
    return float(amount / Decimal(GIB))


def k8s_memory_note(raw: object, amount: Decimal) -> str:
    """How a memory quantity became GiB, unit stated (`1024M = 10^6 B each`)."""
    text = str(raw)
    gib = bytes_to_gib(amount)
    suffix = re.sub(r"^[+-]?[\d.]+", "", text)
    how = {
        "Mi": "Mi = MiB",
        "Gi": "Gi = GiB",
        "Ki": "Ki = KiB",
        "Ti": "Ti = TiB",
        "M": "M = 10^6 B",
        "G": "G = 10^9 B",
        "k": "k = 10^3 B",
        "T": "T = 10^12 B",
        "": "bytes",
    }.get(suffix, suffix)
    return f"{text} = {fmt(gib)} GiB ({how})"


def k8s_cpu_note(raw: object, amount: Decimal) -> str:
    """How a CPU quantity became vCPU (`150m = 0.15 vCPU`)."""
    text = str(raw)
    return f"{text} = {fmt(float(amount))} vCPU" + (
        " (m = 1/1000 CPU)" if text.endswith("m") else ""
    )


def _is_number(text: str) -> bool:
    try:
        float(text.strip())
    except ValueError:
        return False
    return text.strip().lower() not in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity")


def _check_sign(number: float, raw: str) -> None:
    if number < 0:
        raise QuantityError(f"size {raw.strip()!r} is negative; sizes are >= 0")
    if not math.isfinite(number):
        raise QuantityError(f"size {raw.strip()!r} is not a finite number")
