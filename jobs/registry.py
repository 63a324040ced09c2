"""Declared jobs and the one way a job runs: claim ``(job_id, scheduled_for)``, work in chunks, record.

A job is declared once with an explicit id and a cron schedule::

    @job("birthday", trigger=cron(hour=7), catch_up=True, defaults={"lead_days": 3})
    def birthday(ctx: RunContext): ...

``run_job`` inserts the JobRun row first: the unique ``(job_id, scheduled_for)`` means a
second scheduler (or a re-run) gets an IntegrityError and skips. The job commits its work
chunk by chunk through ``ctx.commit_chunk``, which writes the counts in the same
transaction as the effects, so the screen shows honest progress and the database is never
locked for long.
"""

import logging
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from models import JobRun, db, utcnow
from services.errors import BudgetExceeded
from services.job_catalogue import JOBS, JobSpec, cron, job, job_params

__all__ = ["JOBS", "JobSpec", "cron", "job", "job_params"]
"""The catalogue lives in services.job_catalogue (the admin reads it); jobs declare themselves through it."""

log = logging.getLogger("cskh.jobs")

MANUAL_PREFIX = "manual:"
MAX_ATTEMPTS = 3
"""Automatic retries of a failed run; after that it waits for "run now"."""


def local_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Ho_Chi_Minh"))


def fire_key(fire: datetime) -> str:
    """The stored ``scheduled_for`` of a fire time: local minute, sortable as text."""
    return fire.astimezone(local_tz()).strftime("%Y-%m-%dT%H:%M")


def manual_key(now: datetime) -> str:
    return MANUAL_PREFIX + now.astimezone(local_tz()).strftime("%Y-%m-%dT%H:%M:%S")


def parse_key(key: str) -> datetime:
    text = key.removeprefix(MANUAL_PREFIX)
    return datetime.fromisoformat(text).replace(tzinfo=local_tz())


class Blocked(Exception):
    """The run must stop before it spends: it waits for the head (status "blocked")."""


class RunContext:
    """What a job function sees: its fire time, the clock, its parameters and the run's counters."""

    def __init__(
        self, run_id: int, job_id: str, scheduled_for: datetime, now: datetime, params: dict, holder: str = "cli"
    ):
        self.run_id, self.job_id, self.holder = run_id, job_id, holder
        self.scheduled_for, self.now, self.params = scheduled_for, now, params
        self.processed = self.created = self.skipped = 0
        self.total: int | None = None

    @property
    def day(self):
        """The local calendar date this run covers."""
        return self.scheduled_for.astimezone(local_tz()).date()

    def commit_chunk(self, processed: int = 0, created: int = 0, skipped: int = 0) -> None:
        """Write the counters in the chunk's own transaction and commit both."""
        self.processed += processed
        self.created += created
        self.skipped += skipped
        db.session.execute(
            update(JobRun)
            .where(JobRun.id == self.run_id)
            .values(processed=self.processed, created=self.created, skipped=self.skipped, total=self.total)
        )
        db.session.commit()


def claim(job_id: str, key: str, *, holder: str, now: datetime, retry_statuses: tuple[str, ...] = ()) -> int | None:
    """Insert the run row (or take over a retryable one); None when someone else has it."""
    run = JobRun(job_id=job_id, scheduled_for=key, status="running", started_at=now, holder=holder, attempts=1)
    db.session.add(run)
    try:
        db.session.commit()
        return run.id
    except IntegrityError:
        db.session.rollback()
    if not retry_statuses:
        return None
    existing = db.session.execute(
        select(JobRun.id, JobRun.status, JobRun.attempts).where(JobRun.job_id == job_id, JobRun.scheduled_for == key)
    ).first()
    if existing is None or existing.status not in retry_statuses:
        return None
    taken = db.session.execute(
        update(JobRun)
        .where(JobRun.id == existing.id, JobRun.status == existing.status, JobRun.attempts == existing.attempts)
        .values(status="running", attempts=existing.attempts + 1, holder=holder, started_at=now, finished_at=None)
    ).rowcount
    db.session.commit()
    return existing.id if taken == 1 else None


def run_job(
    job_id: str,
    scheduled_for: datetime | str,
    *,
    now: datetime | None = None,
    holder: str = "cli",
    retry_statuses: tuple[str, ...] = (),
    func: Callable[[RunContext], None] | None = None,
) -> JobRun | None:
    """Run ``job_id`` for one fire time once; returns the finished run, or None if it was not ours."""
    clock_given = now is not None
    now = now or utcnow()
    key = scheduled_for if isinstance(scheduled_for, str) else fire_key(scheduled_for)
    run_id = claim(job_id, key, holder=holder, now=now, retry_statuses=retry_statuses)
    if run_id is None:
        return None
    func = func or JOBS[job_id].func
    ctx = RunContext(run_id, job_id, parse_key(key), now, job_params(job_id.split(":", 1)[0]), holder)
    status, error = "success", None
    try:
        func(ctx)
    except (Blocked, BudgetExceeded) as exc:
        db.session.rollback()
        status, error = "blocked", str(getattr(exc, "message", exc))
        _ask_head(job_id, key, error)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the run and retried later
        db.session.rollback()
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        log.error("job %s %s failed\n%s", job_id, key, traceback.format_exc())
    db.session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(
            status=status,
            error=error,
            finished_at=now if clock_given else utcnow(),
            processed=ctx.processed,
            created=ctx.created,
            total=ctx.total,
        )
    )
    db.session.commit()
    return db.session.get(JobRun, run_id, populate_existing=True)


def _ask_head(job_id: str, key: str, error: str) -> None:
    """A blocked run leaves an audit row the head sees (and the admin lists it with its error)."""
    from services import audit

    audit.record(
        "job_blocked",
        object_type="JobRun",
        object_id=f"{job_id} {key}",
        actor="scheduler",
        detail=error,
    )
    db.session.commit()


def retry_delay(attempts: int) -> timedelta:
    """Backoff before the next automatic try of a failed run: 2, 4, 8 … minutes."""
    return timedelta(minutes=2**attempts)
