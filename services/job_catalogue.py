"""The scheduled jobs as the rest of the product sees them: what is declared, when it fires next, its parameters.

The job modules (``jobs/``) declare themselves here with ``@job``; the app factory loads them,
so the admin screens and the CLI read this catalogue without importing the scheduler. The cron
rule for schedules typed by people (a campaign's) is here too.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from models import JobSetting, SchedulerLease, db, utcnow
from services.errors import ValidationError
from services.formatting import local_tz

log = logging.getLogger("cskh.jobs")

LEASE_TTL = timedelta(seconds=30)
"""How long a scheduler's lease row stays valid without renewal (jobs/lease.py renews it every ~10 s)."""


@dataclass
class JobSpec:
    id: str
    func: Callable
    cron: dict
    catch_up: bool = True
    title: str = ""
    defaults: dict = field(default_factory=dict)

    def trigger(self, tz: ZoneInfo | None = None) -> CronTrigger:
        return CronTrigger(timezone=tz or local_tz(), **self.cron)


JOBS: dict[str, JobSpec] = {}


def cron(**fields) -> dict:
    """Cron fields as APScheduler's CronTrigger takes them (``hour=7, minute=0``)."""
    if "hour" in fields:
        fields.setdefault("minute", 0)
    return fields


def job(job_id: str, *, trigger: dict, catch_up: bool = True, title: str = "", defaults: dict | None = None):
    """Register ``func`` under the explicit id ``job_id`` (ids never change, so restarts never duplicate)."""

    def decorate(func):
        JOBS[job_id] = JobSpec(job_id, func, trigger, catch_up, title or job_id, dict(defaults or {}))
        return func

    return decorate


def job_params(job_id: str) -> dict:
    """The job's defaults overlaid with the head's JSON in JobSetting.params."""
    spec = JOBS.get(job_id)
    params = dict(spec.defaults) if spec else {}
    raw = db.session.scalar(select(JobSetting.params).where(JobSetting.job_id == job_id))
    if raw:
        try:
            params.update(json.loads(raw))
        except ValueError:
            log.warning("job %s: params are not valid JSON, using defaults", job_id)
    return params


def next_fire(spec: JobSpec, now: datetime | None = None) -> datetime | None:
    now = now or utcnow()
    return spec.trigger(local_tz()).get_next_fire_time(None, now.astimezone(local_tz()))


def scheduler_lease() -> tuple[SchedulerLease | None, bool]:
    """The scheduler's lease row and whether a scheduler holds it now."""
    lease = db.session.get(SchedulerLease, "scheduler")
    return lease, lease is not None and lease.expires_at > utcnow() - LEASE_TTL


def validate_cron(expr: str) -> CronTrigger:
    """The trigger for a 5-field crontab expression in local time, or a ValidationError on
    ``schedule_cron``. A sixth field is the year (``30 9 15 12 * 2026``: a campaign sent once)."""
    parts = (expr or "").split()
    try:
        if len(parts) == 6:
            minute, hour, day, month, day_of_week, year = parts
            return CronTrigger(
                minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, year=year, timezone=local_tz()
            )
        return CronTrigger.from_crontab((expr or "").strip(), timezone=local_tz())
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            {"schedule_cron": [_l("Not a valid schedule: %(reason)s", reason=str(exc))]},
        ) from exc
