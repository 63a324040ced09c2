"""Dates and times as people type or paste them: dd/mm/yyyy HH:MM in the company's time zone.

Accepts ``02/12/2026 09:00``, ``2/12/2026 9:00``, ``02-12-2026 09h00``, ``02.12.2026 09:00:00`` and
the ISO form a browser's own picker sends (``2026-12-02T09:00``, with or without seconds); a date alone
(``2/12/2026``, ``02/12/2026``, ``2026-12-02``) for a date field. Anything else is refused with a field
message (never a silent guess: an invalid day is an error, not today's date). static/js/date_picker.js
reads the same forms in the browser, so what it accepts the server accepts.
"""

import re
from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l

from services.errors import ValidationError
from services.formatting import local_tz

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY_TIME = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})[\sT,]+(\d{1,2})\s*[:hH]\s*(\d{2})(?:\s*:\s*(\d{2}))?$")
_ISO_TIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[\sT](\d{1,2}):(\d{2})(?::(\d{2}))?$")

DATETIME_HINT = _l("Write the date and time as dd/mm/yyyy HH:MM.")
DATE_HINT = _l("Not a valid date; write it as dd/mm/yyyy.")


def _missing(field: str) -> ValidationError:
    return ValidationError({field: [_l("This field is required.")]})


def _no_such(field: str, raw: str) -> ValidationError:
    return ValidationError({field: [_l("This date or time does not exist: %(value)s.", value=raw)]})


def parse_local_datetime(text: str | None, field: str = "starts_at", *, required: bool = True) -> datetime | None:
    """The aware UTC moment of a local ``dd/mm/yyyy HH:MM`` (or ISO) text; ValidationError on ``field`` if invalid."""
    raw = (text or "").strip()
    if not raw:
        if required:
            raise _missing(field)
        return None
    match = _DMY_TIME.match(raw)
    if match:
        day, month, year, hour, minute, second = match.groups()
    else:
        match = _ISO_TIME.match(raw)
        if not match:
            raise ValidationError({field: [DATETIME_HINT]})
        year, month, day, hour, minute, second = match.groups()
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=local_tz())
    except ValueError:
        raise _no_such(field, raw) from None
    return local.astimezone(UTC)


def parse_local_date(text: str | None, field: str = "date", *, required: bool = True) -> date | None:
    """The calendar day of a ``dd/mm/yyyy`` (``d/m/yyyy``, ``dd.mm.yyyy``, ISO) text; ValidationError if invalid."""
    raw = (text or "").strip()
    if not raw:
        if required:
            raise _missing(field)
        return None
    match = _DMY.match(raw)
    if match:
        day, month, year = match.groups()
    else:
        match = _ISO_DATE.match(raw)
        if not match:
            raise ValidationError({field: [DATE_HINT]})
        year, month, day = match.groups()
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise _no_such(field, raw) from None
