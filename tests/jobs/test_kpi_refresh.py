"""The kpi_refresh job: the running month's and quarter's figures of the department and each team, kept."""

from datetime import date, timedelta

from sqlalchemy import select

from jobs.registry import fire_key, run_job
from models import JobRun, KpiPeriodFigure, KpiRunningFigure, db
from services.kpi.board import Board
from tests import kpi_dataset
from tests.kpi_dataset import OCTOBER, at


def test_the_job_keeps_running_figures_for_every_scope_once(app):
    world = kpi_dataset.build()
    fire = at(10, 15, 10)
    run = run_job("kpi_refresh", fire, now=fire)
    # scopes: the department, teams A and B, agents a1, a2, b1; periods: October and Q4 2025
    assert (run.status, run.total, run.processed, run.created) == ("success", 12, 12, 12)
    rows = db.session.execute(
        select(KpiRunningFigure.scope_key, KpiRunningFigure.first, KpiRunningFigure.day).order_by(
            KpiRunningFigure.scope_key, KpiRunningFigure.first
        )
    ).all()
    keys = sorted(
        ["all", f"team:{world.team_a_id}", f"team:{world.team_b_id}"]
        + [f"agent:{agent.id}" for agent in (world.a1, world.a2, world.b1)]
    )
    # previous periods: of October, September [1/9, 1/10); of the fourth quarter, the third [1/7, 1/10)
    assert rows == [(key, first, date(2025, 10, 15)) for key in keys for first in (date(2025, 7, 1), date(2025, 9, 1))]
    kept = set(db.session.scalars(select(KpiPeriodFigure.stop)))
    assert kept == {date(2025, 10, 15)}  # the closed part of both periods: up to today
    assert run_job("kpi_refresh", fire, now=fire) is None  # a fire time runs once
    # the dashboard reads them: the same figures as computed live
    now = at(10, 15, 12)
    live = Board(world.department, now=now, keep=False).windows(OCTOBER)
    assert Board(world.department, now=now).windows(OCTOBER)["activity"] == live["activity"]


def test_old_successful_refresh_runs_are_pruned_and_failures_kept(app):
    kpi_dataset.build()
    fire = at(10, 15, 10)
    for hours, status in ((72, "success"), (71, "failed"), (24, "success")):
        started = fire - timedelta(hours=hours)
        db.session.add(JobRun(job_id="kpi_refresh", scheduled_for=fire_key(started), status=status, started_at=started))
    db.session.add(
        JobRun(job_id="birthday", scheduled_for="2025-10-01", status="success", started_at=fire - timedelta(days=9))
    )
    db.session.commit()
    assert run_job("kpi_refresh", fire, now=fire).status == "success"
    left = db.session.execute(select(JobRun.job_id, JobRun.status, JobRun.started_at).order_by(JobRun.started_at)).all()
    assert [(j, s) for j, s, _ in left] == [
        ("birthday", "success"),  # another job's runs are its own business
        ("kpi_refresh", "failed"),  # a failure stays visible
        ("kpi_refresh", "success"),  # yesterday's
        ("kpi_refresh", "success"),  # this run
    ]
