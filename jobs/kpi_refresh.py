"""KPI refresh: every ten minutes, the running periods' figures of the department and each team.

Keeps what the dashboard would otherwise compute on a request (services.kpi_periods.refresh):
the closed part of this month and this quarter, and what today's rows add to it up to now. A
dashboard request then checks only the customers active since the last refresh. Missed fire
times are not caught up (only the latest counts); a failed run retries like any job. Its own
successful runs older than ``KEEP_RUNS_DAYS`` are deleted (144 a day would fill the jobs page;
with no catch-up an old fire time is never claimed again); failed ones stay for the head.
"""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from jobs.registry import RunContext, cron, job
from models import JobRun, db
from services import kpi_periods, kpis

KEEP_RUNS_DAYS = 2


def running_periods(day) -> list[tuple]:
    """The periods the dashboard's presets show that contain ``day``: its month and its quarter."""
    return [kpis.month_period(day), kpis.quarter_period(*kpis.quarter_of(day))]


@job("kpi_refresh", trigger=cron(minute="*/10"), catch_up=False, title=_l("KPI refresh (running periods)"))
def kpi_refresh(ctx: RunContext) -> None:
    day = ctx.now.astimezone(kpis.local_tz()).date()
    scopes = kpi_periods.scope_users()
    periods = running_periods(day)
    ctx.total = len(scopes) * len(periods)
    for user in scopes:
        for start, end in periods:
            kept = kpi_periods.refresh(user, start, end, now=ctx.now)
            ctx.commit_chunk(processed=1, created=int(kept))
    db.session.execute(
        delete(JobRun).where(
            JobRun.job_id == ctx.job_id,
            JobRun.status == "success",
            JobRun.started_at < ctx.now - timedelta(days=KEEP_RUNS_DAYS),
        )
    )
    db.session.commit()
