"""The scheduler's clock (issue 14 item 6): a manual run for a date never moves the catch-up point,
and a future date needs --force and is then a manual run."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from jobs.registry import run_job
from jobs.scheduler import FutureRun, run_for_date, tick
from models import BudgetLine, Gift, JobRun, OutboxMessage, db
from tests.approval_factories import make_gift
from tests.factories import make_budget_line, make_complaint, make_customer, make_team, make_user
from tests.jobs.helpers import birthday_customers, count, effects, set_params


def _keys(job_id: str = "birthday") -> dict[str, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(JobRun.scheduled_for, JobRun.status).where(JobRun.job_id == job_id)).all())


def test_a_forced_future_run_then_the_scheduler_catches_up_and_fires_tomorrow(app, now):
    set_params("birthday", item="Hoa", value=0)
    birthday_customers(2, date(2026, 12, 3))  # the birthday job gives gifts 3 days ahead
    run_job("birthday", now - timedelta(days=3), now=now - timedelta(days=3))  # last run: 20/11
    run = run_for_date("birthday", date(2026, 11, 30), now=now, force=True)
    assert run.status == "success" and run.scheduled_for == "manual:2026-11-30T07:00"
    assert count(Gift) == 2  # the run for 30/11 gave the 03/12 birthdays their gifts

    done = tick(now=now)
    assert [r.scheduled_for for r in done if r.job_id == "birthday"] == [
        "2026-11-21T07:00",
        "2026-11-22T07:00",
        "2026-11-23T07:00",
    ]
    tomorrow = tick(now=now + timedelta(days=1))
    assert [r.scheduled_for for r in tomorrow if r.job_id == "birthday"] == ["2026-11-24T07:00"]
    assert _keys()["2026-11-24T07:00"] == "success"
    assert count(Gift) == 2  # nothing given twice


def test_a_future_run_without_force_is_refused_and_changes_nothing(app, now):
    birthday_customers(1, date(2026, 12, 3))
    before = effects()
    with pytest.raises(FutureRun):
        run_for_date("birthday", date(2026, 11, 30), now=now)
    assert effects() == before and _keys() == {}


def test_a_past_date_fills_its_slot_and_catch_up_skips_it(app, now):
    run_job("birthday", now - timedelta(days=3), now=now - timedelta(days=3))
    run = run_for_date("birthday", date(2026, 11, 21), now=now)
    assert run.scheduled_for == "2026-11-21T07:00"
    done = [r.scheduled_for for r in tick(now=now) if r.job_id == "birthday"]
    assert done == ["2026-11-22T07:00", "2026-11-23T07:00"]


def test_a_future_key_left_by_an_old_clock_error_does_not_stop_the_daily_runs(app, now):
    run_job("birthday", now - timedelta(days=2), now=now - timedelta(days=2))  # 21/11
    run_job("birthday", now + timedelta(days=30), now=now)  # the old bug: a scheduled key in December
    done = [r.scheduled_for for r in tick(now=now) if r.job_id == "birthday"]
    assert done == ["2026-11-22T07:00", "2026-11-23T07:00"]


def test_cli_refuses_a_future_date_without_force(app):
    runner = app.test_cli_runner()
    before = effects()
    result = runner.invoke(args=["scheduler", "run-once", "birthday", "--date", "2099-01-01"])
    assert result.exit_code != 0 and "--force" in result.output
    assert effects() == before
    result = runner.invoke(args=["scheduler", "run-once", "birthday", "--date", "2099-01-01", "--force"])
    assert result.exit_code == 0, result.output
    assert "manual:2099-01-01T07:00: success" in result.output
    assert _keys() == {"manual:2099-01-01T07:00": "success"}


def test_the_escalation_email_shows_the_due_time_in_local_time(app, now):
    team = make_team()
    make_user("lead", team=team)
    agent = make_user("agent", team=team)
    make_complaint(make_customer(owner=agent), assignee=agent, status="new", due_at=now - timedelta(hours=1))
    db.session.commit()
    run_job("escalation", now, now=now)
    body = db.session.scalar(select(OutboxMessage.body))
    assert "23/11/2026 07:30" in body and "UTC" not in body  # 00:30 UTC is 07:30 in Hồ Chí Minh City


def test_a_job_gift_is_charged_only_to_a_line_of_its_quarter(app, now):
    birthday_customers(2, date(2026, 11, 26))
    other = make_budget_line(10_000_000)
    other.budget.quarter, other.budget.quarter_no = "2027-Q1", 1
    db.session.commit()
    set_params("birthday", item="Hoa", value=100_000, budget_line_id=other.id)
    run = run_job("birthday", now, now=now)
    db.session.expire_all()
    assert run.status == "blocked" and "2026-Q4" in run.error
    assert count(Gift) == 0 and db.session.get(BudgetLine, other.id).spent == 0
    right = make_budget_line(10_000_000)  # 2026-Q4, the quarter of 23/11/2026
    db.session.commit()
    set_params("birthday", item="Hoa", value=100_000, budget_line_id=right.id)
    assert run_job("birthday", now, now=now, retry_statuses=("blocked",)).status == "success"
    db.session.expire_all()
    assert count(Gift) == 2 and db.session.get(BudgetLine, right.id).spent == 200_000


def test_an_approved_gift_is_charged_only_to_a_line_of_its_year(app):
    from services import gifts
    from services.budgets import WrongQuarter

    head, lead = make_user("head"), make_user("lead")
    line = make_budget_line(10_000_000)  # 2026
    gift = make_gift(make_customer(), value=500_000, line=line, submitted_by=lead, year=2027)
    db.session.commit()
    with pytest.raises(WrongQuarter):
        gifts.approve_gift(gift, head)
    db.session.rollback()
    assert db.session.get(BudgetLine, line.id).spent == 0 and db.session.get(Gift, gift.id).status == "planned"
