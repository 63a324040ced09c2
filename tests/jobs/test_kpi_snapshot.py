"""The nightly KPI snapshot job: yesterday's counts stored once, a re-run of the same fire time does nothing."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

import jobs.kpi_snapshot  # noqa: F401 - registers the job (the lead adds it to jobs.JOB_MODULES)
from jobs.registry import run_job
from models import KpiDailySnapshot, KpiSnapshotDay, db
from services.kpi import registry, snapshot
from services.kpi.measures import Counts
from tests import kpi_dataset


def test_the_job_snapshots_the_last_days_once(app):
    world = kpi_dataset.build()
    fire = datetime(2025, 11, 1, 17, 30, tzinfo=UTC)  # 00:30 on 2/11/2025 in Hồ Chí Minh City
    run = run_job("kpi_snapshot", fire, now=fire)
    assert run.status == "success" and run.processed == 2
    days = set(db.session.scalars(select(KpiSnapshotDay.day)))
    assert days == {date(2025, 10, 31), date(2025, 11, 1)}  # days_back = 2: 31/10 and 1/11
    # 31/10: K5 opened (team B, b1) -> one row: opened = 1
    s = KpiDailySnapshot
    rows = db.session.execute(select(s.day, s.team_key, s.agent_key, s.opened, s.resolved, s.extra)).all()
    assert rows == [(date(2025, 10, 31), world.team_b_id, world.b1.id, 1, 0, None)]
    assert run_job("kpi_snapshot", fire, now=fire) is None  # the same fire time never runs twice
    assert db.session.scalar(select(func.count()).select_from(KpiDailySnapshot)) == 1
    measures = list(registry.MEASURES.values())
    stored = snapshot.counts(world.department, date(2025, 10, 31), date(2025, 11, 1), measures, now=date(2025, 11, 2))
    assert stored == {(world.team_b_id, world.b1.id): Counts(sums={"opened": 1})}
