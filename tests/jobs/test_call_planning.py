"""Follow-ups and check-ins fit the agent's day: capacity, spill, no overlap, and a first start on old data."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from jobs.registry import run_job
from models import Appointment, JobRun, db
from tests.factories import make_complaint, make_customer, make_user
from tests.jobs.helpers import count

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _days(agent_id) -> dict[date, list]:
    days: dict[date, list] = {}
    for start in db.session.scalars(select(Appointment.starts_at).where(Appointment.agent_id == agent_id)):
        days.setdefault(start.astimezone(HCM).date(), []).append(start)
    return days


def test_followups_fill_the_day_up_to_capacity_then_spill_without_overlap(app, now):
    app.config["CALL_DAILY_CAPACITY"] = 4
    agent = make_user("agent")
    customer = make_customer(owner=agent)
    for i in range(10):
        make_complaint(customer, assignee=agent, status="resolved", resolved_at=now - timedelta(days=3, hours=i))
    db.session.commit()
    run = run_job("followup", now, now=now)
    assert (run.created, run.skipped) == (10, 0)
    days = _days(agent.id)
    # 23/11 from 08:30 (now), 24/11 is a public holiday (Vietnam Cultural Day), then 25/11 and 26/11.
    assert sorted(days) == [date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 26)]
    assert [len(days[d]) for d in sorted(days)] == [4, 4, 2]
    starts = sorted(s for calls in days.values() for s in calls)
    assert all(b - a >= timedelta(minutes=15) for a, b in zip(starts, starts[1:], strict=False))
    assert starts[0] >= now


def test_first_start_on_old_data_plans_only_recent_followups_and_counts_the_rest(app, now):
    agent = make_user("agent")
    customer = make_customer(owner=agent)
    recent = make_complaint(customer, assignee=agent, status="resolved", resolved_at=now - timedelta(days=5))
    for days in (20, 35, 50):
        make_complaint(customer, assignee=agent, status="closed", resolved_at=now - timedelta(days=days))
    make_complaint(customer, assignee=agent, status="resolved", resolved_at=now - timedelta(days=90))  # outside
    db.session.commit()
    recent_id = recent.id
    run = run_job("followup", now, now=now)
    assert (run.created, run.skipped) == (1, 3)
    assert db.session.scalar(select(Appointment.complaint_id)) == recent_id
    stored = db.session.get(JobRun, run.id)
    assert stored.skipped == 3
    # The next day's run skips nothing again: those three were counted once.
    tomorrow = now + timedelta(days=1)
    assert run_job("followup", tomorrow, now=tomorrow).skipped == 0
    assert count(Appointment) == 1


def test_checkins_share_the_agents_capacity_with_booked_calls(app, now):
    app.config["CALL_DAILY_CAPACITY"] = 3
    agent = make_user("agent")
    booked_for = make_customer("Đã hẹn", owner=agent, last_contact_at=now)
    for i in range(4):
        make_customer(f"Lâu {i}", owner=agent, last_contact_at=now - timedelta(days=100))
    db.session.add(
        Appointment(customer_id=booked_for.id, agent_id=agent.id, purpose="Hẹn", starts_at=now + timedelta(hours=1))
    )
    db.session.commit()
    run = run_job("checkin", now, now=now)
    assert run.created == 4
    days = _days(agent.id)
    assert len(days[date(2026, 11, 23)]) == 3 and len(days[date(2026, 11, 25)]) == 2
    starts = sorted(s for calls in days.values() for s in calls)
    assert all(b - a >= timedelta(minutes=15) for a, b in zip(starts, starts[1:], strict=False))
