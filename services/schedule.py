"""When an agent may call a customer: the quiet-hours rule, the next free slot, appointment checks.

Calls happen inside the customer's preferred hours (``contact_from``–``contact_to``), or 08:00–21:00
when the customer gave none, and never during lunch (11:30–13:30) or dinner (18:00–19:30), all in
the company's time zone. A call occupies ``duration_minutes`` and must fit entirely in a free window.
If a customer's own hours lie wholly inside the quiet windows, their hours win: they chose them.
An appointment the customer asked for (``customer_requested``) is exempt from the quiet hours, but
no appointment may overlap another planned call of the same agent.
"""

from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from models import Appointment, Customer, db
from services.errors import ValidationError
from services.formatting import format_datetime, format_time, local_tz

DAY_START = time(8, 0)
DAY_END = time(21, 0)
QUIET_WINDOWS: tuple[tuple[time, time], ...] = ((time(11, 30), time(13, 30)), (time(18, 0), time(19, 30)))
"""Lunch and dinner: no calls."""
DEFAULT_DURATION = 15
SEARCH_DAYS = 60
"""How far ahead ``next_allowed_call_time`` looks before giving up."""


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _minus(windows: list[tuple[time, time]], gaps) -> list[tuple[time, time]]:
    result = []
    for start, end in windows:
        pieces = [(start, end)]
        for gap_start, gap_end in gaps:
            next_pieces = []
            for a, b in pieces:
                if gap_end <= a or gap_start >= b:
                    next_pieces.append((a, b))
                    continue
                if a < gap_start:
                    next_pieces.append((a, gap_start))
                if gap_end < b:
                    next_pieces.append((gap_end, b))
            pieces = next_pieces
        result.extend(pieces)
    return result


def call_windows(customer: Customer | None) -> list[tuple[time, time]]:
    """The day's local windows (start, end) in which a call to ``customer`` may take place."""
    start = getattr(customer, "contact_from", None) or DAY_START
    end = getattr(customer, "contact_to", None) or DAY_END
    if start >= end:
        start, end = DAY_START, DAY_END
    free = _minus([(start, end)], QUIET_WINDOWS)
    return free or [(start, end)]


def _local_windows(customer, day: date) -> list[tuple[datetime, datetime]]:
    tz = local_tz()
    return [
        (datetime.combine(day, a, tzinfo=tz), datetime.combine(day, b, tzinfo=tz)) for a, b in call_windows(customer)
    ]


def is_allowed_call_time(customer: Customer | None, when: datetime, duration_minutes: int = 0) -> bool:
    """Does a call starting at ``when`` (aware) and lasting ``duration_minutes`` keep the rule?"""
    local = _aware(when).astimezone(local_tz())
    end = local + timedelta(minutes=max(duration_minutes or 0, 0))
    for start, stop in _local_windows(customer, local.date()):
        if start <= local and (end <= stop if duration_minutes else local < stop):
            return True
    return False


def _busy(
    agent_id: int | None, start: datetime, until: datetime, exclude_id, session
) -> list[tuple[datetime, datetime]]:
    """The agent's planned appointments that may overlap [start, until), as (start, end) UTC pairs."""
    if agent_id is None:
        return []
    query = select(Appointment.starts_at, Appointment.duration_minutes).where(
        Appointment.agent_id == agent_id,
        Appointment.status == "planned",
        Appointment.starts_at >= start - timedelta(days=1),
        Appointment.starts_at < until,
    )
    if exclude_id is not None:
        query = query.where(Appointment.id != exclude_id)
    rows = session.execute(query.order_by(Appointment.starts_at)).all()
    return [(_aware(s), _aware(s) + timedelta(minutes=d or DEFAULT_DURATION)) for s, d in rows]


def _ceil_minute(value: datetime) -> datetime:
    floor = value.replace(second=0, microsecond=0)
    return floor if floor == value else floor + timedelta(minutes=1)


def next_allowed_call_time(
    customer: Customer | None,
    after: datetime,
    agent_id: int | None = None,
    *,
    duration_minutes: int = DEFAULT_DURATION,
    exclude_id: int | None = None,
    session=None,
) -> datetime:
    """The first moment at or after ``after`` (aware UTC in and out, whole minutes) when a call of
    ``duration_minutes`` keeps the rule and does not overlap the agent's other planned appointments."""
    session = session or db.session
    tz = local_tz()
    length = timedelta(minutes=max(duration_minutes or DEFAULT_DURATION, 1))
    candidate = _ceil_minute(_aware(after)).astimezone(tz)
    horizon = candidate + timedelta(days=SEARCH_DAYS)
    busy = _busy(agent_id, candidate.astimezone(UTC), horizon.astimezone(UTC), exclude_id, session)
    while candidate < horizon:
        day, pushed = candidate.date(), False
        for start, stop in _local_windows(customer, day):
            slot = max(candidate, start)
            if slot + length > stop:
                continue
            clash_end = max((e for s, e in busy if s < slot + length and e > slot), default=None)
            if clash_end is None:
                return slot.astimezone(UTC)
            candidate, pushed = _ceil_minute(clash_end.astimezone(tz)), True
            break
        if not pushed:
            candidate = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return _ceil_minute(_aware(after)).astimezone(UTC)


def _latest_slot_on_the_day(
    customer, asked: datetime, length: timedelta, busy, not_before: datetime
) -> datetime | None:
    """The latest start before ``asked`` (local aware) on the same local day, not before ``not_before``, where a
    call of ``length`` keeps the rule and overlaps none of ``busy``; None when there is none."""
    tz = local_tz()
    for start, stop in reversed(_local_windows(customer, asked.date())):
        slot = min(asked - timedelta(minutes=1), stop - length).replace(second=0, microsecond=0)
        while slot >= start and slot >= not_before:
            clash_start = min((s for s, e in busy if s < slot + length and e > slot), default=None)
            if clash_start is None:
                return slot
            slot = (clash_start.astimezone(tz) - length).replace(second=0, microsecond=0)
    return None


def nearest_free_slot(
    customer: Customer | None,
    asked: datetime,
    agent_id: int | None = None,
    *,
    duration_minutes: int = DEFAULT_DURATION,
    exclude_id: int | None = None,
    now: datetime | None = None,
    session=None,
) -> datetime:
    """The free slot nearest to the time a customer asked for (aware UTC in and out): the next one at or after it,
    or an earlier one the same day when that is nearer (and still to come); a tie goes to the later one. What a
    refused appointment suggests, so the suggestion stays as close as it can to what was asked."""
    session = session or db.session
    tz = local_tz()
    later = next_allowed_call_time(
        customer, asked, agent_id, duration_minutes=duration_minutes, exclude_id=exclude_id, session=session
    )
    local = _aware(asked).astimezone(tz)
    length = timedelta(minutes=max(duration_minutes or DEFAULT_DURATION, 1))
    day_start = datetime.combine(local.date(), time.min, tzinfo=tz)
    not_before = max(_ceil_minute(_aware(now or datetime.now(UTC))).astimezone(tz), day_start)
    busy = _busy(agent_id, day_start.astimezone(UTC), (local + length).astimezone(UTC), exclude_id, session)
    earlier = _latest_slot_on_the_day(customer, local, length, busy, not_before)
    if earlier is not None and local - earlier < _aware(later) - local:
        return earlier.astimezone(UTC)
    return later


def clashing_call(
    agent_id: int | None, starts_at: datetime, duration_minutes: int, exclude_id: int | None = None, session=None
) -> tuple[datetime, datetime] | None:
    """The agent's planned call overlapping [starts_at, +duration) as a UTC pair: one call at a time."""
    start = _aware(starts_at)
    end = start + timedelta(minutes=duration_minutes or DEFAULT_DURATION)
    for s, e in _busy(agent_id, start, end, exclude_id, session or db.session):
        if s < end and e > start:
            return s, e
    return None


def validate_appointment(appointment: Appointment, session=None) -> None:
    """Raise ValidationError on ``starts_at`` (with the next free slot) when the time breaks the quiet-hours
    rule, unless the customer asked for that time, or overlaps another planned call of the same agent.

    The suggestion is the free slot nearest to the time asked (``nearest_free_slot``); the error's
    ``details["suggest"]`` holds it as the form writes it, for a button that fills the field.
    """
    session = session or db.session
    if appointment.starts_at is None:
        raise ValidationError({"starts_at": [_l("This field is required.")]})
    customer = appointment.customer
    if customer is None and appointment.customer_id is not None:
        customer = session.get(Customer, appointment.customer_id)
    duration = appointment.duration_minutes or DEFAULT_DURATION
    agent_id = appointment.agent_id if appointment.agent_id is not None else getattr(appointment.agent, "id", None)
    clash = clashing_call(agent_id, appointment.starts_at, duration, appointment.id, session)
    if clash is None and (
        appointment.customer_requested or is_allowed_call_time(customer, appointment.starts_at, duration)
    ):
        return
    slot = nearest_free_slot(
        customer,
        appointment.starts_at,
        agent_id,
        duration_minutes=duration,
        exclude_id=appointment.id,
        session=session,
    )
    if clash is not None:
        message = _l(
            "The agent already has a call booked %(start)s–%(end)s. Next free slot: %(slot)s.",
            start=format_datetime(clash[0]),
            end=format_time(clash[1].astimezone(local_tz()).time()),
            slot=format_datetime(slot),
        )
    else:
        message = _l(
            "Calls avoid lunch (11:30–13:30), dinner (18:00–19:30) and times outside the customer's "
            "contact hours. Next free slot: %(slot)s. Tick \u201cThe customer asked for this time\u201d "
            "to keep it.",
            slot=format_datetime(slot),
        )
    error = ValidationError({"starts_at": [message]})
    error.details["suggest"] = {"starts_at": format_datetime(slot)}
    raise error


def local_day_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    """Start and end (UTC) of today in the company's time zone."""
    local_now = _aware(now or datetime.now(UTC)).astimezone(local_tz())
    start = datetime.combine(local_now.date(), time.min, tzinfo=local_tz())
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)
