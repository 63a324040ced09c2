"""What a value must be before any database sees it: no control characters, within the column's range.

One set of rules for forms, search boxes, filters, lookups, imports and every ORM write
(``services.clean_writes``), so a NUL byte or a 30-digit number gets a field message in
Vietnamese on SQLite, PostgreSQL and MariaDB alike instead of a driver error (or, on SQLite,
being stored).
"""

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Float, Integer, Numeric, SmallInteger, String, Text

from services.errors import ValidationError

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""C0/C1 control characters (tab, line feed and carriage return are text), lone surrogates, non-characters."""

MAX_TEXT_CHARS = 20_000
"""Longest free text a person may type or import (fits MariaDB's TEXT, 65,535 bytes, in any script)."""
MARIADB_TEXT_BYTES = 65_535

CONTROL_MESSAGE = _l("Contains an invisible control character (such as NUL); remove it and type the text again.")
TERM_MESSAGE = _l("The search or filter text contains an invisible control character (such as NUL); it was not used.")

INT_RANGES = (
    (SmallInteger, -(2**15), 2**15 - 1),
    (BigInteger, -(2**63), 2**63 - 1),
    (Integer, -(2**31), 2**31 - 1),
)


def has_control(text) -> bool:
    return isinstance(text, str) and CONTROL.search(text) is not None


def check_text(value, field: str):
    """``value`` unchanged, or ValidationError when it holds a control character."""
    if has_control(value):
        raise ValidationError({field: [CONTROL_MESSAGE]})
    return value


def clean_term(term: str | None) -> str | None:
    """A search, filter or lookup term, or None when it holds a control character (the caller says so)."""
    if term is None:
        return None
    return None if has_control(term) else term


def int_range(column_type) -> tuple[int, int] | None:
    """(smallest, largest) whole number the column holds on every database, or None when not whole."""
    if isinstance(column_type, Float):
        return None
    if isinstance(column_type, Numeric) and not isinstance(column_type, Integer):
        if column_type.precision is None:
            return None
        largest = 10 ** (column_type.precision - (column_type.scale or 0)) - 1
        return -largest, largest
    for kind, low, high in INT_RANGES:
        if isinstance(column_type, kind):
            return low, high
    return None


def out_of_range_message(low: int, high: int):
    if low >= 0:
        return _l("Must be a number from %(low)s to %(high)s.", low=_grouped(low), high=_grouped(high))
    return _l("Must be a number between %(low)s and %(high)s.", low=_grouped(low), high=_grouped(high))


def _grouped(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def number_in_range(value, column_type) -> bool:
    """Whether ``value`` (int, Decimal, float or digits) fits ``column_type`` on every database."""
    bounds = int_range(column_type)
    if bounds is None or value is None or isinstance(value, bool):
        return True
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return True
    if not number.is_finite():
        return False
    low, high = bounds
    if isinstance(column_type, Numeric) and not isinstance(column_type, Integer):
        return abs(number) < high + 1
    return low <= number <= high


def check_column_value(column, value, field: str | None = None) -> list:
    """Every problem of ``value`` for ``column`` before it is written (empty when fine)."""
    if value is None:
        return []
    column_type = column.type
    if isinstance(value, str):
        if has_control(value):
            return [CONTROL_MESSAGE]
        if isinstance(column_type, String) and not isinstance(column_type, Text) and column_type.length:
            if len(value) > column_type.length:
                return [_l("At most %(n)d characters.", n=column_type.length)]
        return []
    if isinstance(value, int | float | Decimal) and not number_in_range(value, column_type):
        return [out_of_range_message(*int_range(column_type))]
    return []


def text_too_long_for(dialect_name: str, column, value) -> bool:
    """MariaDB's TEXT holds 65,535 bytes; longer is refused there (and must be said as a field error)."""
    return (
        dialect_name in ("mysql", "mariadb")
        and isinstance(column.type, Text)
        and isinstance(value, str)
        and len(value) * 4 > MARIADB_TEXT_BYTES
        and len(value.encode()) > MARIADB_TEXT_BYTES
    )


def check_free_text(value: str | None, field: str, max_chars: int = MAX_TEXT_CHARS) -> str | None:
    """A person's free text (a note, a description): no control characters, at most ``max_chars``."""
    check_text(value, field)
    if value is not None and len(value) > max_chars:
        raise ValidationError({field: [_l("At most %(n)d characters.", n=max_chars)]})
    return value
