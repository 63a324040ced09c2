"""Planning generated calls into the agent's day: no overlap, capacity, spill, breaks, working days."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models import Appointment, Customer
from services import call_plan, schedule
from tests.factories import make_customer, make_user

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = date(2026, 11, 30)
"""A plain Monday (23/11/2026 is followed by Vietnam Cultural Day, a public holiday since 2026)."""


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=HCM).astimezone(UTC)


def local(value: datetime) -> datetime:
    return value.astimezone(HCM)


def _overlaps(calls: list[datetime], minutes: int = 15) -> bool:
    ordered = sorted(calls)
    return any(b < a + timedelta(minutes=minutes) for a, b in zip(ordered, ordered[1:], strict=False))


def test_no_two_calls_overlap_and_capacity_spills_to_the_next_working_day(db):
    agent = make_user("agent")
    customer = make_customer(owner=agent)
    db.session.commit()
    planner = call_plan.CallPlanner(per_day=5, weekdays=frozenset(range(6)))
    calls = [planner.place(customer, at(MONDAY, 8), agent.id) for _ in range(12)]
    assert not _overlaps(calls)
    per_day = {}
    for call in calls:
        per_day[local(call).date()] = per_day.get(local(call).date(), 0) + 1
    assert per_day == {MONDAY: 5, MONDAY + timedelta(days=1): 5, MONDAY + timedelta(days=2): 2}
    assert all(schedule.is_allowed_call_time(customer, c, 15) for c in calls)


def test_calls_are_spread_over_the_day_and_skip_lunch_and_dinner(db):
    agent = make_user("agent")
    customer = make_customer(owner=agent)
    db.session.commit()
    planner = call_plan.CallPlanner(per_day=25, weekdays=frozenset(range(6)))
    calls = [local(planner.place(customer, at(MONDAY, 7), agent.id)) for _ in range(25)]
    assert {c.date() for c in calls} == {MONDAY}
    assert calls[0].time() == time(8, 0) and calls[1].time() == time(8, 20)
    for call in calls:
        end = (call + timedelta(minutes=15)).time()
        assert not (time(11, 30) < end and call.time() < time(13, 30)), call
        assert not (time(18, 0) < end and call.time() < time(19, 30)), call
        assert time(8, 0) <= call.time() and end <= time(21, 0)
    assert any(c.time() >= time(19, 30) for c in calls)


def test_booked_calls_count_toward_capacity_and_are_never_overlapped(db):
    agent = make_user("agent")
    customer = make_customer(owner=agent)
    db.session.add_all(
        [
            Appointment(customer_id=customer.id, agent_id=agent.id, purpose="Đã hẹn", starts_at=at(MONDAY, 8, 0)),
            Appointment(customer_id=customer.id, agent_id=agent.id, purpose="Đã hẹn", starts_at=at(MONDAY, 8, 25),
                        duration_minutes=30),
            Appointment(customer_id=customer.id, agent_id=agent.id, purpose="Huỷ", starts_at=at(MONDAY, 9, 0),
                        status="cancelled"),
        ]
    )  # fmt: skip
    db.session.commit()
    planner = call_plan.CallPlanner(per_day=4, weekdays=frozenset(range(6)))
    calls = [planner.place(customer, at(MONDAY, 8), agent.id) for _ in range(3)]
    booked = [at(MONDAY, 8, 0), at(MONDAY, 8, 25)]
    assert local(calls[0]).time() == time(10, 20)  # the grid (every 140 minutes at 4 a day) after 08:25 + 30
    assert local(calls[1]).date() == MONDAY and local(calls[2]).date() == MONDAY + timedelta(days=1)
    for call in calls:
        assert all(not (b <= call < b + timedelta(minutes=30)) and not (call <= b < call + timedelta(minutes=15))
                   for b in booked)  # fmt: skip


def test_the_customers_hours_and_non_working_days(db):
    agent = make_user("agent")
    customer = make_customer(owner=agent, contact_from=time(14, 0), contact_to=time(15, 0))
    db.session.commit()
    planner = call_plan.CallPlanner(per_day=25, weekdays=frozenset(range(5)))  # Monday to Friday
    saturday = date(2026, 12, 5)
    calls = [local(planner.place(customer, at(saturday, 9), agent.id)) for _ in range(4)]
    assert calls[0] == datetime.combine(date(2026, 12, 7), time(14, 0), tzinfo=HCM)
    assert all(time(14, 0) <= c.time() and (c + timedelta(minutes=15)).time() <= time(15, 0) for c in calls)
    assert local(calls[3]).date() == date(2026, 12, 8)  # 14:00, 14:20, 14:40 fit; the fourth spills


def test_public_holidays_are_not_working_days():
    assert not call_plan.is_working_day(date(2026, 9, 2), frozenset(range(7)))
    assert call_plan.is_working_day(date(2026, 9, 3), frozenset(range(7)))


def test_calls_of_different_agents_may_share_a_time(db):
    one, two = make_user("agent"), make_user("agent")
    customer = make_customer(owner=one)
    db.session.commit()
    planner = call_plan.CallPlanner(per_day=25, weekdays=frozenset(range(6)))
    assert planner.place(customer, at(MONDAY, 8), one.id) == planner.place(customer, at(MONDAY, 8), two.id)


def test_grid_step_shares_the_day_between_the_capacity():
    assert call_plan.grid_step(25) == 20
    assert call_plan.grid_step(100) == 15
    assert schedule.call_windows(Customer()) == schedule.call_windows(None)
