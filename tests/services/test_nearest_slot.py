"""The slot a refused appointment suggests: the free one nearest to the time asked, earlier the same day or later,
never already past, never days away when the asked day still has room (issue #17 item 5)."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from models import Appointment, Customer
from services import schedule
from services.errors import ValidationError
from tests.factories import make_customer, make_user

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
EARLY = datetime(2026, 3, 1, 7, 0, tzinfo=HCM)  # "now" in these tests: before every asked time


def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=HCM).astimezone(UTC)


@pytest.mark.parametrize(
    ("asked", "suggested"),
    [
        (at(12, 0), at(11, 15)),  # lunch: 45 minutes before beats 90 after
        (at(12, 22), at(11, 15)),  # 67 before, 68 after
        (at(12, 23), at(13, 30)),  # 68 before, 67 after
        (at(13, 10), at(13, 30)),
        (at(18, 5), at(17, 45)),  # dinner
        (at(19, 20), at(19, 30)),
        (at(22, 0), at(20, 45)),  # the evening's last slot, not tomorrow 08:00
        (at(6, 0), at(8, 0)),  # before the day: nothing earlier that day
    ],
)
def test_the_suggestion_is_the_free_slot_nearest_to_the_time_asked(app, asked, suggested):
    assert schedule.nearest_free_slot(None, asked, now=EARLY) == suggested


def test_the_customers_hours_keep_the_suggestion_on_the_day_asked(app):
    customer = Customer(contact_from=time(14, 0), contact_to=time(17, 0))
    # The old rule (the next slot after) answered tomorrow 14:00 for a call asked at 17:30.
    assert schedule.next_allowed_call_time(customer, at(17, 30)) == at(14, 0, day=11)
    assert schedule.nearest_free_slot(customer, at(17, 30), now=EARLY) == at(16, 45)
    assert schedule.nearest_free_slot(customer, at(13, 0), now=EARLY) == at(14, 0)


def test_a_slot_already_past_is_never_suggested(app):
    now = datetime(2026, 3, 10, 11, 50, tzinfo=HCM)
    assert schedule.nearest_free_slot(None, at(12, 0), now=now) == at(13, 30)


def test_the_agents_booked_calls_are_stepped_around_on_both_sides(db):
    agent = make_user("agent")
    customer = make_customer(owner=agent)
    for start in (at(14, 0), at(14, 15)):
        db.session.add(Appointment(customer_id=customer.id, agent_id=agent.id, purpose="Đã hẹn", starts_at=start))
    db.session.commit()
    # 14:03 clashes; 13:45 (18 minutes before) is nearer than 14:30 (27 after).
    assert schedule.nearest_free_slot(customer, at(14, 3), agent.id, now=EARLY) == at(13, 45)
    assert schedule.nearest_free_slot(customer, at(14, 20), agent.id, now=EARLY) == at(14, 30)
    # A call booked just after the time asked blocks the slot that would run into it.
    assert schedule.nearest_free_slot(customer, at(13, 55), agent.id, now=EARLY) == at(13, 45)
    # The appointment being moved does not block itself.
    moving = db.session.scalars(select(Appointment).where(Appointment.starts_at == at(14, 15))).one()
    assert schedule.nearest_free_slot(customer, at(14, 10), agent.id, exclude_id=moving.id, now=EARLY) == at(14, 15)


def test_a_refused_time_offers_the_nearest_slot_and_writes_nothing(db):
    agent = make_user("agent")
    customer = make_customer(owner=agent, contact_from=time(14, 0), contact_to=time(17, 0))
    db.session.commit()
    asked = datetime(datetime.now(UTC).year + 1, 3, 10, 17, 30, tzinfo=HCM)
    appointment = Appointment(customer=customer, agent_id=agent.id, purpose="Gọi lại", starts_at=asked)
    with pytest.raises(ValidationError) as caught:
        schedule.validate_appointment(appointment)
    expected = asked.replace(hour=16, minute=45).strftime("%d/%m/%Y %H:%M")
    assert caught.value.details["suggest"] == {"starts_at": expected}
    assert expected in str(caught.value.errors["starts_at"][0])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 0
