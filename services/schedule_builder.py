"""A campaign's schedule as a person builds it, and back: once / daily / weekly / monthly at a local time,
or on an occasion (the customer's birthday, Tết, 30/4, 2/9).

The stored form is what the scheduler already reads (``jobs.campaigns``): ``Campaign.schedule_cron``, a
crontab in local time (``services.job_catalogue.validate_cron``; "once" adds the year as a sixth field,
so it fires in that year only), or no cron and ``Campaign.occasion`` (the job then fires at 08:00 on the
birthday, or ``OCCASION_LEAD_DAYS`` before the holiday). ``to_stored`` and ``from_stored`` are inverse
for every schedule the builder makes; a cron it cannot show (``*/15 * * * *``) reads back as None and
stays in the cron box. Wrong input is a ValidationError per builder field, never a guess.
"""

import re
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import utcnow
from services.errors import ValidationError
from services.formatting import format_datetime, local_tz
from services.job_catalogue import validate_cron

KINDS = {
    "once": _l("Once"),
    "daily": _l("Every day"),
    "weekly": _l("Every week"),
    "monthly": _l("Every month"),
    "occasion": _l("On an occasion"),
}
WEEKDAYS = {
    "mon": _l("Monday"),
    "tue": _l("Tuesday"),
    "wed": _l("Wednesday"),
    "thu": _l("Thursday"),
    "fri": _l("Friday"),
    "sat": _l("Saturday"),
    "sun": _l("Sunday"),
}
OCCASIONS = {
    "birthday": _l("the customer's birthday"),
    "tet": _l("Tết (Lunar New Year)"),
    "reunification": _l("30/4"),
    "national_day": _l("2/9"),
}
OCCASION_HOUR = 8
"""The local hour ``jobs.campaigns`` sends an occasion's campaign."""
OCCASION_LEAD_DAYS = 7
"""A holiday's campaign goes out this many days before it (the birthday's on the day)."""
MONTH_DAYS = range(1, 29)
"""Days every month has: a monthly schedule never skips a month."""
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_INT = r"(\d{1,2})"


def _time(value: str, errors: dict) -> tuple[int, int] | None:
    found = _TIME.match((value or "").strip())
    if not found:
        errors.setdefault("time", []).append(_l("Enter a time as HH:MM, e.g. 09:30."))
        return None
    return int(found.group(1)), int(found.group(2))


def _date(value: str, errors: dict) -> date | None:
    try:
        return datetime.strptime((value or "").strip(), "%d/%m/%Y").date()
    except ValueError:
        errors.setdefault("date", []).append(_l("Enter a date as dd/mm/yyyy, e.g. 15/12/2026."))
        return None


def to_stored(fields, now: datetime | None = None) -> tuple[str | None, str | None]:
    """(schedule_cron, occasion) for the builder's ``fields`` (kind, date, time, weekday, day, occasion,
    strings); ValidationError keyed by field. A "once" in the past is refused (it would never fire)."""
    get = lambda name: str(fields.get(name) or "").strip()  # noqa: E731
    kind, errors = get("kind"), {}
    if kind not in KINDS:
        raise ValidationError({"kind": [_l("Choose one of the listed values.")]})
    if kind == "occasion":
        if get("occasion") not in OCCASIONS:
            raise ValidationError({"occasion": [_l("Choose one of the listed values.")]})
        return None, get("occasion")
    at = _time(get("time"), errors)
    if kind == "once":
        day = _date(get("date"), errors)
        if day and at and now is not None:
            when = datetime(day.year, day.month, day.day, *at, tzinfo=local_tz())
            if when <= now.astimezone(local_tz()):
                errors.setdefault("date", []).append(_l("This time has passed; choose a later one."))
    elif kind == "weekly" and get("weekday") not in WEEKDAYS:
        errors.setdefault("weekday", []).append(_l("Choose one of the listed values."))
    elif kind == "monthly" and not (get("day").isdigit() and int(get("day")) in MONTH_DAYS):
        errors.setdefault("day", []).append(_l("Choose a day from 1 to 28 (every month has it)."))
    if errors:
        raise ValidationError(errors)
    hour, minute = at
    if kind == "once":
        return f"{minute} {hour} {day.day} {day.month} * {day.year}", None
    if kind == "daily":
        return f"{minute} {hour} * * *", None
    if kind == "weekly":
        return f"{minute} {hour} * * {get('weekday')}", None
    return f"{minute} {hour} {int(get('day'))} * *", None


_PATTERNS = (
    ("once", re.compile(rf"^{_INT} {_INT} {_INT} {_INT} \* (\d{{4}})$")),
    ("daily", re.compile(rf"^{_INT} {_INT} \* \* \*$")),
    ("weekly", re.compile(rf"^{_INT} {_INT} \* \* (mon|tue|wed|thu|fri|sat|sun)$")),
    ("monthly", re.compile(rf"^{_INT} {_INT} {_INT} \* \*$")),
)


def from_stored(cron: str | None, occasion: str | None) -> dict | None:
    """The builder's fields for a stored schedule, or None when the builder cannot show it."""
    cron = " ".join((cron or "").split()).lower()
    if not cron:
        return {"kind": "occasion", "occasion": occasion} if occasion in OCCASIONS else None
    for kind, pattern in _PATTERNS:
        found = pattern.match(cron)
        if not found:
            continue
        minute, hour, *rest = found.groups()
        if int(minute) > 59 or int(hour) > 23:
            return None
        fields = {"kind": kind, "time": f"{int(hour):02d}:{int(minute):02d}"}
        if kind == "once":
            try:
                fields["date"] = date(int(rest[2]), int(rest[1]), int(rest[0])).strftime("%d/%m/%Y")
            except ValueError:
                return None
        elif kind == "weekly":
            fields["weekday"] = rest[0]
        elif kind == "monthly":
            if int(rest[0]) not in MONTH_DAYS:
                return None
            fields["day"] = str(int(rest[0]))
        return fields
    return None


def describe(cron: str | None, occasion: str | None) -> str:
    """The schedule in plain words ("Hằng tuần, thứ Hai lúc 09:00"); a cron the builder cannot show is
    quoted as it is."""
    fields = from_stored(cron, occasion)
    if fields is None:
        return _("Custom schedule (cron): %(cron)s", cron=cron) if (cron or "").strip() else _("No schedule")
    kind, at = fields["kind"], fields.get("time")
    if kind == "once":
        return _("Once, on %(date)s at %(time)s", date=fields["date"], time=at)
    if kind == "daily":
        return _("Every day at %(time)s", time=at)
    if kind == "weekly":
        return _("Every week, on %(weekday)s at %(time)s", weekday=WEEKDAYS[fields["weekday"]], time=at)
    if kind == "monthly":
        return _("Every month, on day %(day)s at %(time)s", day=fields["day"], time=at)
    at = f"{OCCASION_HOUR:02d}:00"
    if occasion == "birthday":
        return _("On %(occasion)s, at %(time)s", occasion=OCCASIONS[occasion], time=at)
    return _(
        "%(days)s days before %(occasion)s, at %(time)s", days=OCCASION_LEAD_DAYS, occasion=OCCASIONS[occasion], time=at
    )


def next_runs(cron: str | None, n: int = 3, now: datetime | None = None) -> list[str]:
    """The next ``n`` fire times of a cron schedule as dd/mm/yyyy HH:MM (none for an occasion)."""
    if not cron:
        return []
    trigger = validate_cron(cron)
    out, fire = [], trigger.get_next_fire_time(None, (now or utcnow()).astimezone(local_tz()))
    while fire is not None and len(out) < n:
        out.append(format_datetime(fire))
        fire = trigger.get_next_fire_time(fire, fire)
    return out
