"""KPI refresh: every ten minutes, the running month's and quarter's figures of every scope.

Keeps what the dashboard would otherwise compute on a request (services.kpi.kept.refresh): the
closed part of this month and this quarter, and what today's rows add to it up to now, for the
department, each team and each agent. A dashboard request then reads only the rows since the last
refresh. Missed fire times are not caught up (only the latest counts); a failed run retries like
any job. Its own successful runs older than ``KEEP_RUNS_DAYS`` are deleted (144 a day would fill
the jobs page; with no catch-up an old fire time is never claimed again); failed ones stay.
"""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from jobs.registry import RunContext, cron, job
from models import JobRun, db
from services.formatting import local_tz
from services.kpi import kept, periods
from services.kpi.scope import every_scope

KEEP_RUNS_DAYS = 2


@job("kpi_refresh", trigger=cron(minute="*/10"), catch_up=False, title=_l("KPI refresh (running periods)"))
def kpi_refresh(ctx: RunContext) -> None:
    day = ctx.now.astimezone(local_tz()).date()
    scopes, running = every_scope(), periods.running(day)
    ctx.total = len(scopes) * len(running)
    for scope in scopes:
        for period in running:
            ctx.commit_chunk(processed=1, created=int(kept.refresh(scope, period, now=ctx.now)))
    db.session.execute(
        delete(JobRun).where(
            JobRun.job_id == ctx.job_id,
            JobRun.status == "success",
            JobRun.started_at < ctx.now - timedelta(days=KEEP_RUNS_DAYS),
        )
    )
    db.session.commit()
