"""Budgets bind: a run that would overspend stops before spending and asks the head."""

from datetime import date

from sqlalchemy import select

from jobs.registry import run_job
from jobs.scheduler import run_now
from models import AuditLog, BudgetLine, Gift, JobRun, db
from tests.factories import make_budget_line
from tests.jobs.helpers import birthday_customers, count, set_params


def test_overspending_run_is_blocked_and_spends_nothing(app, now):
    birthday_customers(3, date(2026, 11, 26))
    line = make_budget_line(planned=500_000, spent=0)
    db.session.commit()
    line_id = line.id
    set_params("birthday", lead_days=3, item="Giỏ quà", value=200_000, budget_line_id=line_id)
    run = run_job("birthday", now, now=now)
    assert run.status == "blocked"
    assert "600.000" in run.error and "500.000" in run.error
    db.session.expire_all()
    assert count(Gift) == 0
    assert db.session.get(BudgetLine, line_id).spent == 0
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.object_id.like("birthday%"))) == "job_blocked"
    # The head approves more money; "run now" retries the blocked run, which now spends exactly once.
    db.session.get(BudgetLine, line_id).planned = 1_000_000
    db.session.commit()
    runs = run_now("birthday", now=now)
    db.session.expire_all()
    assert db.session.get(JobRun, run.id).status == "success"
    assert count(Gift) == 3
    assert db.session.get(BudgetLine, line_id).spent == 600_000
    assert [r.created for r in runs][1:] == [0]  # the extra manual run adds nothing
    assert db.session.get(BudgetLine, line_id).spent == 600_000


def test_gift_without_approved_budget_is_blocked(app, now):
    birthday_customers(1, date(2026, 11, 26))
    line = make_budget_line(planned=5_000_000, status="submitted")
    db.session.commit()
    set_params("birthday", lead_days=3, item="Giỏ quà", value=200_000, budget_line_id=line.id)
    run = run_job("birthday", now, now=now)
    assert run.status == "blocked" and count(Gift) == 0
