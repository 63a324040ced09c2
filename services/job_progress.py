"""A job's progress as people read it: when its runs were due, and whether the scheduler is catching up.

The scheduler (``jobs/``) stores each run under its fire time's key (local minute, ``YYYY-MM-DDTHH:MM``;
manual runs carry a prefix). A job whose last scheduled run is more than one fire time behind is
catching up; the screens say how many fire times are left and from when.
"""

from datetime import datetime

from models import utcnow
from services.formatting import format_datetime, local_tz

LIMIT = 2000


def key_time(key: str | None) -> datetime | None:
    """The fire time of a run key, or None for a key that is not a scheduled fire time."""
    if not key or len(key) != 16:
        return None
    try:
        return datetime.fromisoformat(key).replace(tzinfo=local_tz())
    except ValueError:
        return None


def key_text(key: str | None) -> str:
    when = key_time(key)
    return format_datetime(when) if when is not None else (key or "")


def behind(spec, last_key: str | None, now: datetime | None = None) -> dict | None:
    """{"left", "from", "to"} when ``spec`` (a catch-up job) is two or more fire times behind its last run."""
    last = key_time(last_key)
    if not getattr(spec, "catch_up", False) or last is None:
        return None
    now = now or utcnow()
    trigger = spec.trigger(local_tz())
    times = []
    fire = trigger.get_next_fire_time(None, last.replace(second=1))
    while fire is not None and fire <= now and len(times) < LIMIT:
        times.append(fire)
        fire = trigger.get_next_fire_time(fire, fire)
    if len(times) < 2:
        return None
    return {"left": len(times), "from": format_datetime(times[0]), "to": format_datetime(times[-1])}
