"""Dates and times as people type or paste them: dd/mm/yyyy HH:MM in the company's time zone.

Accepts ``02/12/2026 09:00``, ``2/12/2026 9:00``, ``02-12-2026 09h00``, ``02.12.2026 09:00:00`` and
the ISO form a browser's own picker sends (``2026-12-02T09:00``); refuses anything else with a
field message (never a silent guess: an invalid day is an error, not today's date).
"""

import re
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l

from services.errors import ValidationError
from services.formatting import local_tz

_DMY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})[\sT,]+(\d{1,2})\s*[:hH]\s*(\d{2})(?:\s*:\s*(\d{2}))?\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})[\sT](\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def parse_local_datetime(text: str | None, field: str = "starts_at", *, required: bool = True) -> datetime | None:
    """The aware UTC moment of a local ``dd/mm/yyyy HH:MM`` (or ISO) text; ValidationError on ``field`` if invalid."""
    raw = (text or "").strip()
    if not raw:
        if required:
            raise ValidationError({field: [_l("This field is required.")]})
        return None
    match = _DMY.match(raw)
    if match:
        day, month, year, hour, minute, second = match.groups()
    else:
        match = _ISO.match(raw)
        if not match:
            raise ValidationError({field: [_l("Write the date and time as dd/mm/yyyy HH:MM.")]})
        year, month, day, hour, minute, second = match.groups()
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=local_tz())
    except ValueError:
        raise ValidationError({field: [_l("This date or time does not exist: %(value)s.", value=raw)]}) from None
    return local.astimezone(UTC)
