"""Reporting periods: a calendar month, quarter or year, or a custom range, and the one they compare with.

A period is ``[start, end)`` in local calendar days (Asia/Ho_Chi_Minh). A range that is exactly a
calendar month, quarter or year *is* that month, quarter or year, whichever way it was chosen, and
compares with the previous one (October with 1–30 September, Q3 with Q2, 2025 with 2024); any
other range compares with the window of the same length just before it.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.errors import ValidationError
from services.formatting import format_date, local_tz
from services.validation import parse_date

MAX_DAYS = 3 * 366
"""The longest custom range a dashboard computes (about three years)."""


def local_start(day: date) -> datetime:
    """The instant a local calendar day begins, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=local_tz())


def today() -> date:
    return datetime.now(local_tz()).date()


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class Period:
    """``[start, end)``; ``kind`` is "month", "quarter", "year" or "custom" (see ``of``)."""

    start: date
    end: date
    kind: str = "custom"

    @classmethod
    def of(cls, start: date, end: date) -> "Period":
        """The period ``[start, end)``, recognised as a calendar month, quarter or year when it is one."""
        if start.day == 1:
            if start.month == 1 and end == date(start.year + 1, 1, 1):
                return cls(start, end, "year")
            if start.month % 3 == 1 and end == quarter(*quarter_of(start)).end:
                return cls(start, end, "quarter")
            if end == _next_month(start):
                return cls(start, end, "month")
        return cls(start, end, "custom")

    @property
    def last(self) -> date:
        """The last day, inclusive (what people write)."""
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> "Period":
        """The previous calendar month / quarter / year; for a custom range the same length just before."""
        if self.kind == "month":
            return month_of(self.start - timedelta(days=1))
        if self.kind == "quarter":
            return quarter(*quarter_of(self.start - timedelta(days=1)))
        if self.kind == "year":
            return year(self.start.year - 1)
        return Period(self.start - (self.end - self.start), self.start)

    @property
    def code(self) -> str | None:
        """How the period is written in a link (``2025-10``, ``2025-Q4``, ``2025``); None for a custom range."""
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{quarter_of(self.start)[1]}"
        if self.kind == "year":
            return str(self.start.year)
        return None

    @property
    def dates(self) -> str:
        """``01/10/2025 – 31/10/2025``."""
        return f"{format_date(self.start)} – {format_date(self.last)}"

    @property
    def label(self) -> str:
        """``Tháng 10/2025``, ``Quý 4/2025``, ``Năm 2025`` or the dates of a custom range."""
        if self.kind == "month":
            return _("Month %(month)s", month=f"{self.start.month}/{self.start.year}")
        if self.kind == "quarter":
            return _("Quarter %(q)s/%(year)s", q=quarter_of(self.start)[1], year=self.start.year)
        if self.kind == "year":
            return _("Year %(year)s", year=self.start.year)
        return self.dates

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    return Period(first, _next_month(first), "month")


def quarter(year_: int, q: int) -> Period:
    start = date(year_, 3 * q - 2, 1)
    return Period(start, date(year_ + 1, 1, 1) if q == 4 else date(year_, 3 * q + 1, 1), "quarter")


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def year(year_: int) -> Period:
    return Period(date(year_, 1, 1), date(year_ + 1, 1, 1), "year")


def running(day: date) -> list[Period]:
    """The periods the dashboards open on that contain ``day``: its month and its quarter (kept fresh by
    the ``kpi_refresh`` job)."""
    return [month_of(day), quarter(*quarter_of(day))]


def parse_code(code: str | None) -> Period | None:
    """``2025-10`` (month), ``2025-Q4`` (quarter) or ``2025`` (year); None when it is none of them."""
    text = (code or "").strip().upper()
    try:
        if len(text) == 4:
            found = year(int(text))
        elif len(text) == 7 and text[4:6] == "-Q":
            found = quarter(int(text[:4]), int(text[6]))
        elif len(text) == 7 and text[4] == "-":
            found = month_of(date(int(text[:4]), int(text[5:]), 1))
        else:
            return None
    except ValueError:
        return None
    return found if 2000 <= found.start.year <= 2100 else None


PRESETS = {
    "this_week": _l("This week"),
    "this_month": _l("This month"),
    "last_month": _l("Last month"),
    "this_quarter": _l("This quarter"),
    "last_quarter": _l("Last quarter"),
    "this_year": _l("This year"),
}


def preset(name: str, day: date) -> Period:
    """A named period around ``day`` (``PRESETS``); unknown names give this month."""
    if name == "this_week":
        monday = day - timedelta(days=day.weekday())
        return Period(monday, monday + timedelta(days=7))
    if name == "last_month":
        return month_of(day).previous()
    if name == "this_quarter":
        return quarter(*quarter_of(day))
    if name == "last_quarter":
        return quarter(*quarter_of(day)).previous()
    if name == "this_year":
        return year(day.year)
    return month_of(day)


def choices(day: date) -> list[tuple[str, list[tuple[str, str]]]]:
    """The picker's options around ``day``: the last 8 quarters, 24 months and 3 years, latest first,
    as (group label, [(code, label)])."""

    def back(period: Period, n: int) -> list[tuple[str, str]]:
        found = []
        for _i in range(n):
            found.append((period.code, period.label))
            period = period.previous()
        return found

    return [
        (_("Quarters"), back(quarter(*quarter_of(day)), 8)),
        (_("Months"), back(month_of(day), 24)),
        (_("Years"), back(year(day.year), 3)),
    ]


def from_args(args, day: date, default: str = "this_month") -> tuple[Period, str, list[str]]:
    """The period a page asks for: ``?start=dd/mm/yyyy&end=dd/mm/yyyy`` (end inclusive), ``?period=2025-Q4``
    or ``?preset=last_quarter``. Returns (period, preset name or "", error messages); a bad or reversed
    range, or one longer than ``MAX_DAYS``, falls back to ``default`` with a message."""
    errors: list[str] = []
    if args.get("start") or args.get("end"):
        try:
            start = parse_date(args.get("start"), "start", required=True)
            last = parse_date(args.get("end"), "end", required=True)
            if last < start:
                raise ValidationError({"end": [_("The end date is before the start date.")]})
            if (last - start).days > MAX_DAYS:
                raise ValidationError({"end": [_("Choose a period of at most three years.")]})
            return Period.of(start, last + timedelta(days=1)), "", errors
        except ValidationError as exc:
            errors = [str(m) for messages in exc.errors.values() for m in messages]
    elif args.get("period"):
        found = parse_code(args.get("period"))
        if found is not None:
            return found, "", errors
        errors = [_("Unknown period; choose a month, a quarter or a range of dates.")]
    name = args.get("preset") if args.get("preset") in PRESETS else default
    return preset(name, day), name, errors
