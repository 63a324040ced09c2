"""Schedules made with the campaign form's builder fire at the local times the head chose."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from jobs.campaigns import due_fire_times
from jobs.registry import run_job
from models import Campaign, JobRun, OutboxMessage, db
from services import schedule_builder
from tests.factories import make_customer, make_user
from tests.jobs.helpers import count

BEFORE = datetime(2026, 11, 1, tzinfo=UTC)
"""When the head built the schedules (a "once" must be in the future then)."""


def _campaign(fields: dict, decided: datetime, **kw) -> Campaign:
    cron, occasion = schedule_builder.to_stored(fields, now=BEFORE)
    campaign = Campaign(
        name=f"Lịch {fields['kind']}", audience="{}", schedule_cron=cron, occasion=occasion, channel="email",
        message_subject="Chào {name}", message_template="Chào {name}", status="approved", decided_at=decided,
        created_by_id=make_user("head").id, **kw,
    )  # fmt: skip
    db.session.add(campaign)
    db.session.commit()
    return campaign


def _local(fires: list[datetime]) -> list[str]:
    return [f.astimezone(schedule_builder.local_tz()).strftime("%a %d/%m/%Y %H:%M") for f in fires]


def _utc(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_built_schedules_fire_at_their_local_times(app, now):
    decided = now - timedelta(days=30)
    weekly = _campaign({"kind": "weekly", "weekday": "mon", "time": "09:00"}, decided)
    daily = _campaign({"kind": "daily", "time": "07:05"}, decided)
    monthly = _campaign({"kind": "monthly", "day": "23", "time": "08:00"}, decided)
    once = _campaign({"kind": "once", "date": "23/11/2026", "time": "08:15"}, decided)
    # now is 08:30 on Monday 23/11/2026 in Hồ Chí Minh City (01:30 UTC)
    assert _local(due_fire_times(daily, now)) == ["Mon 23/11/2026 07:05"]
    assert _local(due_fire_times(monthly, now)) == ["Mon 23/11/2026 08:00"]
    assert _local(due_fire_times(once, now)) == ["Mon 23/11/2026 08:15"]
    assert due_fire_times(weekly, now) == []  # 09:00 has not come; last Monday is past the catch-up window
    nine = _utc(23, 2)  # 09:00 local
    assert _local(due_fire_times(weekly, nine)) == ["Mon 23/11/2026 09:00"]
    assert due_fire_times(weekly, nine - timedelta(seconds=1)) == []
    assert _local(due_fire_times(weekly, _utc(30, 2, 1))) == ["Mon 30/11/2026 09:00"]
    assert _local(due_fire_times(monthly, _utc(23, 1, 0, month=12))) == ["Wed 23/12/2026 08:00"]
    # once means once: a year later the same day and time does not fire
    assert due_fire_times(once, _utc(23, 1, 30, year=2027)) == []


def test_a_weekly_campaign_sends_at_nine_on_mondays_once(app, now):
    make_customer("Nguyễn An", email="an@example.vn")
    weekly = _campaign({"kind": "weekly", "weekday": "mon", "time": "09:00"}, now - timedelta(days=30))
    run_job("campaigns", now, now=now)  # 08:30: not yet
    assert count(OutboxMessage) == 0
    nine = _utc(23, 2, 2)
    run_job("campaigns", nine, now=nine)
    run_job("campaigns", nine + timedelta(minutes=5), now=nine + timedelta(minutes=5))
    assert count(OutboxMessage) == 1
    runs = db.session.scalars(select(JobRun.scheduled_for).where(JobRun.job_id == f"campaign:{weekly.id}")).all()
    assert len(runs) == 1


def test_a_birthday_campaign_sends_at_eight_on_each_customers_birthday(app, now):
    today = make_customer("Sinh nhật hôm nay", birthday=date(1990, 11, 23), email="a@example.vn")
    make_customer("Sinh nhật ngày mai", birthday=date(1991, 11, 24), email="b@example.vn")
    birthday = _campaign({"kind": "occasion", "occasion": "birthday"}, now - timedelta(days=30))
    assert _local(due_fire_times(birthday, now)) == ["Mon 23/11/2026 08:00"]
    assert schedule_builder.OCCASION_HOUR == 8
    run_job("campaigns", now, now=now)
    sent = db.session.scalars(select(OutboxMessage.customer_id)).all()
    assert sent == [today.id]
