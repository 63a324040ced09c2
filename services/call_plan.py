"""Planning generated calls (follow-ups, check-ins) into each agent's working days.

A job that makes call tasks asks ``CallPlanner.place`` for a time. The planner keeps, per agent,
the calls already planned (read once per agent, then updated as it places), and gives the first
slot that

- lies on a working day (``CALL_WORKING_WEEKDAYS``, Vietnamese public holidays excluded),
- keeps the quiet-hours rule and the customer's own hours (``services.schedule.call_windows``),
- overlaps none of the agent's planned calls, and
- leaves the agent at most ``CALL_DAILY_CAPACITY`` planned calls that day,

spilling to the next working days. Slots sit on a grid spread over the day (the working
minutes divided by the capacity), so a day's calls do not pile up at the morning's start.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays as holiday_calendars
from flask import current_app
from sqlalchemy import select

from models import Appointment, Customer, db
from services import schedule
from services.formatting import local_tz

HORIZON_DAYS = 120
"""How far ahead a call may spill before the planner gives up on it (the job counts it skipped)."""


def capacity() -> int:
    return max(int(current_app.config.get("CALL_DAILY_CAPACITY", 25)), 1)


def working_weekdays() -> frozenset[int]:
    raw = str(current_app.config.get("CALL_WORKING_WEEKDAYS", "0,1,2,3,4,5"))
    return frozenset(int(x) for x in raw.replace(" ", "").split(",") if x.isdigit() and int(x) < 7)


@lru_cache(maxsize=8)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holiday_calendars.country_holidays("VN", years=year))


def is_working_day(day: date, weekdays: frozenset[int] | None = None) -> bool:
    weekdays = working_weekdays() if weekdays is None else weekdays
    return day.weekday() in weekdays and day not in _public_holidays(day.year)


def grid_step(capacity_per_day: int, duration: int = schedule.DEFAULT_DURATION) -> int:
    """Minutes between two planned calls: the default day's free minutes shared by the capacity,
    rounded down to 5 minutes, never shorter than a call."""
    free = sum(
        (datetime.combine(date.min, b) - datetime.combine(date.min, a)).seconds // 60
        for a, b in schedule.call_windows(None)
    )
    return max(duration, (free // capacity_per_day) // 5 * 5)


@dataclass
class _Agenda:
    """One agent's planned calls by local day: (start, end) pairs, local aware."""

    days: dict[date, list[tuple[datetime, datetime]]] = field(default_factory=dict)
    loaded_from: date | None = None
    loaded_until: date | None = None


class CallPlanner:
    """Places calls for one job run; holds the agents' agendas in memory between placements."""

    def __init__(self, session=None, *, per_day: int | None = None, weekdays: frozenset[int] | None = None):
        self.session = session or db.session
        self.per_day = per_day or capacity()
        self.weekdays = working_weekdays() if weekdays is None else weekdays
        self.step = timedelta(minutes=grid_step(self.per_day))
        self.tz = local_tz()
        self._agendas: dict[int, _Agenda] = {}

    def place(
        self,
        customer: Customer | None,
        after: datetime,
        agent_id: int | None,
        duration: int = schedule.DEFAULT_DURATION,
    ) -> datetime | None:
        """The first free slot at or after ``after`` (aware, UTC out); None when nothing fits within
        ``HORIZON_DAYS``. The slot is then counted as taken for this planner's next placements."""
        after = schedule._aware(after)
        if agent_id is None:
            return schedule.next_allowed_call_time(customer, after, duration_minutes=duration, session=self.session)
        length = timedelta(minutes=duration)
        start_local = after.astimezone(self.tz)
        agenda = self._agenda(agent_id, start_local.date())
        for offset in range(HORIZON_DAYS):
            day = start_local.date() + timedelta(days=offset)
            if not is_working_day(day, self.weekdays):
                continue
            taken = agenda.days.setdefault(day, [])
            if len(taken) >= self.per_day:
                continue
            slot = self._slot_in_day(customer, day, start_local, length, taken)
            if slot is not None:
                taken.append((slot, slot + length))
                taken.sort()
                return slot.astimezone(UTC)
        return None

    def _slot_in_day(self, customer, day: date, not_before: datetime, length: timedelta, taken) -> datetime | None:
        for a, b in schedule.call_windows(customer):
            window_start = datetime.combine(day, a, tzinfo=self.tz)
            window_end = datetime.combine(day, b, tzinfo=self.tz)
            slot = self._on_grid(window_start, not_before)
            while slot + length <= window_end:
                clash = max((e for s, e in taken if s < slot + length and e > slot), default=None)
                if clash is None:
                    return slot
                slot = self._on_grid(window_start, clash)
        return None

    def _on_grid(self, window_start: datetime, not_before: datetime) -> datetime:
        """The first grid point of the window (start + k·step) at or after ``not_before``."""
        if not_before <= window_start:
            return window_start
        return window_start + -(-(not_before - window_start) // self.step) * self.step

    def _agenda(self, agent_id: int, first: date) -> _Agenda:
        agenda = self._agendas.get(agent_id)
        if agenda is None or agenda.loaded_from > first:
            agenda = self._agendas[agent_id] = self._load(agent_id, first)
        return agenda

    def _load(self, agent_id: int, first: date) -> _Agenda:
        """The agent's planned calls from ``first`` to the horizon, in one query."""
        last = first + timedelta(days=HORIZON_DAYS + 1)
        since = datetime.combine(first, time.min, tzinfo=self.tz)
        until = datetime.combine(last, time.min, tzinfo=self.tz)
        rows = self.session.execute(
            select(Appointment.starts_at, Appointment.duration_minutes).where(
                Appointment.agent_id == agent_id,
                Appointment.status == "planned",
                Appointment.starts_at >= since.astimezone(UTC),
                Appointment.starts_at < until.astimezone(UTC),
            )
        ).all()
        agenda = _Agenda(loaded_from=first, loaded_until=last)
        for starts_at, minutes in rows:
            local = schedule._aware(starts_at).astimezone(self.tz)
            end = local + timedelta(minutes=minutes or schedule.DEFAULT_DURATION)
            agenda.days.setdefault(local.date(), []).append((local, end))
        for calls in agenda.days.values():
            calls.sort()
        return agenda
