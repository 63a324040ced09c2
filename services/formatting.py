"""How values are shown: dates dd/mm/yyyy in the company's time zone, money as VND."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TZ = "Asia/Ho_Chi_Minh"


def local_tz() -> ZoneInfo:
    name = current_app.config.get("TIMEZONE", DEFAULT_TZ) if has_app_context() else DEFAULT_TZ
    return ZoneInfo(name)


def to_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    return value.astimezone(local_tz())


def format_vnd(value) -> str:
    """``1250000`` -> ``1.250.000 ₫``."""
    if value is None or value == "":
        return ""
    return f"{int(value):,} ₫".replace(",", ".")


def format_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def format_datetime(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return format_date(value)
    return to_local(value).strftime("%d/%m/%Y %H:%M")


def format_time(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def format_duration(seconds) -> str:
    if not seconds:
        return ""
    minutes, sec = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{sec:02d}" if hours else f"{minutes}:{sec:02d}"
