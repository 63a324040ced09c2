"""KPI snapshot: each night, every registered measure of the last ``days_back`` local days.

Re-taking a day replaces its rows (services.kpi.snapshot.take is idempotent), so taking
yesterday and the day before also catches late edits such as a request resolved just
before midnight but saved after the first run.
"""

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from jobs.registry import RunContext, cron, job
from services.kpi import snapshot

DEFAULTS = {"days_back": 2}


@job("kpi_snapshot", trigger=cron(hour=0, minute=30), catch_up=True, title=_l("KPI daily snapshot"), defaults=DEFAULTS)
def kpi_snapshot(ctx: RunContext) -> None:
    days = max(1, int(ctx.params.get("days_back") or 1))
    ctx.total = days
    for back in range(days, 0, -1):
        rows = snapshot.take(ctx.day - timedelta(days=back))
        ctx.commit_chunk(processed=1, created=rows)
