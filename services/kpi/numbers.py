"""The one place where KPI figures are rounded and written out, on screen and in the XLSX.

Rounding is half-up, as a person rounds (1/16 = 6.25 % → 6.3 %), and exact: ratios of counts
are computed as fractions and rounded once. On screen numbers follow the user's language:
Vietnamese ``1.234``, ``76,2 giờ``, ``6,3 %``; English ``1,234``, ``76.2 h``, ``6.3%``.
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

EMPTY = "—"
"""What a figure without a value (no denominator, no data) shows."""

UNITS = {"%": _l("%(value)s%%"), "h": _l("%(value)s h")}
"""How a value is written with its unit (Vietnamese: ``%(value)s %%``, ``%(value)s giờ``)."""

POINTS = _l("pp")
"""A change of a percentage is in percentage points (Vietnamese: ``điểm %``), not a percent of itself."""

HEADER_UNITS = {"h": _l("hours")}
"""Units a column header names (``Thời gian TB (giờ)``); a percentage shows its % in every cell."""


def round_half_up(value, decimals: int = 1):
    """``value`` rounded half away from zero to ``decimals`` places: an int for 0 places, else a float.

    Integers and fractions are rounded exactly; a float is read as the decimal it prints as.
    """
    if value is None:
        return None
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(value) if isinstance(value, int | Decimal) else Decimal(repr(float(value)))
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return int(rounded) if decimals == 0 else float(rounded)


def ratio(part, whole, scale=100) -> Fraction | None:
    """``part`` per ``scale`` of ``whole``, exact; None without a denominator."""
    if not whole:
        return None
    return Fraction(part) * Fraction(scale) / Fraction(whole)


def _locale(locale) -> str:
    return str(locale or get_locale() or "vi")


def number(value, decimals: int = 0, *, locale=None, signed: bool = False) -> str:
    """``1.234`` / ``76,2`` in Vietnamese, ``1,234`` / ``76.2`` in English; ``signed`` adds a + to gains."""
    if value is None:
        return EMPTY
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(round_half_up(value, decimals), format=pattern, locale=_locale(locale))
    return f"+{text}" if signed and value > 0 else text


def display(value, unit: str = "", decimals: int = 0, *, locale=None, signed: bool = False) -> str:
    """A figure with its unit in the user's language: ``62,5 %``, ``76,2 giờ``, ``1.234``; ``signed``: a
    change, with a + on gains and a percentage's change in points (``+12,5 điểm %``)."""
    if value is None:
        return EMPTY
    text = number(value, decimals, locale=locale, signed=signed)
    if signed and unit == "%":
        return f"{text} {POINTS}"
    return str(UNITS[unit]) % {"value": text} if unit in UNITS else text


def xlsx_value(value, unit: str = "", *, signed: bool = False):
    """The cell value of a figure: a percentage as a fraction of 1 (the cell's format shows the %); a
    change (``signed``) of a percentage in points, as on screen."""
    if value is None:
        return None
    return round(value / 100, 6) if unit == "%" and not signed else value


def xlsx_format(unit: str = "", decimals: int = 0, *, signed: bool = False) -> str:
    """An Excel number format: thousands separators, ``decimals`` places, ``%`` for percentages; for a
    change (``signed``) an explicit + on gains, and points for a percentage (the reader's Excel shows
    its own separators)."""
    places = "." + "0" * decimals if decimals else ""
    if unit == "%" and not signed:
        return f"0{places}%"
    body = f"#,##0{places}"
    if signed and unit == "%":
        body += f'" {POINTS}"'
    return f"+{body};-{body};{body}" if signed else body
