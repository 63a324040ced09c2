"""The quiet-hours rule: lunch, dinner, the day's bounds, the customer's hours, the agent's agenda."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from models import Appointment, Customer
from services import schedule
from services.errors import ValidationError
from tests.factories import make_customer, make_user

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    """10/03/2026 (a Tuesday) at a local time, as aware UTC."""
    return datetime(2026, 3, day, hour, minute, tzinfo=HCM).astimezone(UTC)


@pytest.mark.parametrize(
    ("hour", "minute", "allowed"),
    [
        (7, 59, False),
        (8, 0, True),
        (11, 29, True),
        (11, 30, False),
        (12, 45, False),
        (13, 30, True),
        (17, 59, True),
        (18, 0, False),
        (19, 29, False),
        (19, 30, True),
        (20, 59, True),
        (21, 0, False),
    ],
)
def test_lunch_dinner_and_the_days_bounds(hour, minute, allowed):
    assert schedule.is_allowed_call_time(Customer(), at(hour, minute)) is allowed


def test_a_call_must_fit_before_the_quiet_window():
    customer = Customer()
    assert schedule.is_allowed_call_time(customer, at(11, 15), duration_minutes=15)
    assert not schedule.is_allowed_call_time(customer, at(11, 20), duration_minutes=15)
    assert not schedule.is_allowed_call_time(customer, at(20, 50), duration_minutes=15)


def test_next_slot_skips_lunch_dinner_and_night():
    customer = Customer()
    assert schedule.next_allowed_call_time(customer, at(12, 0)) == at(13, 30)
    assert schedule.next_allowed_call_time(customer, at(18, 10)) == at(19, 30)
    assert schedule.next_allowed_call_time(customer, at(20, 50)) == at(8, 0, day=11)
    assert schedule.next_allowed_call_time(customer, at(6, 0)) == at(8, 0)
    assert schedule.next_allowed_call_time(customer, at(9, 12)) == at(9, 12)
    odd = at(9, 12) + timedelta(seconds=20)
    assert schedule.next_allowed_call_time(customer, odd) == at(9, 13)
    assert schedule.next_allowed_call_time(customer, at(12, 0)).tzinfo is not None


def test_the_customers_preferred_hours():
    customer = Customer(contact_from=time(14, 0), contact_to=time(17, 0))
    assert not schedule.is_allowed_call_time(customer, at(10, 0))
    assert schedule.is_allowed_call_time(customer, at(15, 0))
    assert not schedule.is_allowed_call_time(customer, at(17, 0))
    assert schedule.next_allowed_call_time(customer, at(10, 0)) == at(14, 0)
    assert schedule.next_allowed_call_time(customer, at(16, 50)) == at(14, 0, day=11)
    evening = Customer(contact_from=time(17, 0), contact_to=time(20, 0))
    assert schedule.call_windows(evening) == [(time(17, 0), time(18, 0)), (time(19, 30), time(20, 0))]
    assert schedule.next_allowed_call_time(evening, at(17, 50)) == at(19, 30)


def test_hours_wholly_inside_lunch_are_the_customers_choice():
    customer = Customer(contact_from=time(12, 0), contact_to=time(13, 0))
    assert schedule.is_allowed_call_time(customer, at(12, 15))
    assert schedule.next_allowed_call_time(customer, at(9, 0)) == at(12, 0)


def test_next_slot_skips_the_agents_planned_appointments(db):
    agent = make_user("agent")
    other = make_user("agent")
    customer = make_customer(owner=agent)
    db.session.add_all(
        [
            Appointment(customer_id=customer.id, agent_id=agent.id, purpose="Gọi lại", starts_at=at(13, 30)),
            Appointment(customer_id=customer.id, agent_id=agent.id, purpose="Gọi lại", starts_at=at(13, 40),
                        duration_minutes=20),
            Appointment(customer_id=customer.id, agent_id=agent.id, purpose="Đã huỷ", starts_at=at(14, 0),
                        status="cancelled"),
            Appointment(customer_id=customer.id, agent_id=other.id, purpose="Của người khác", starts_at=at(14, 0)),
        ]
    )  # fmt: skip
    db.session.commit()
    assert schedule.next_allowed_call_time(customer, at(12, 0), agent.id) == at(14, 0)
    assert schedule.next_allowed_call_time(customer, at(12, 0), other.id) == at(13, 30)
    assert schedule.next_allowed_call_time(customer, at(12, 0)) == at(13, 30)


def test_validate_refuses_lunch_with_the_next_slot_unless_the_customer_asked(db):
    agent = make_user("agent")
    customer = make_customer(owner=agent)
    db.session.commit()
    appointment = Appointment(customer=customer, agent_id=agent.id, purpose="Gọi lại", starts_at=at(12, 0))
    with pytest.raises(ValidationError) as caught:
        schedule.validate_appointment(appointment)
    message = str(caught.value.errors["starts_at"][0])
    assert "10/03/2026 13:30" in message
    appointment.customer_requested = True
    schedule.validate_appointment(appointment)
    fine = Appointment(customer=customer, agent_id=agent.id, purpose="Gọi lại", starts_at=at(10, 0))
    schedule.validate_appointment(fine)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 0
