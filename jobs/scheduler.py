"""The scheduler process: a BlockingScheduler that renews the lease and, when active, fires due jobs.

APScheduler only keeps time here (two interval jobs: ``lease`` and ``tick``, every ~10 s).
What is due comes from the database: each tick looks, for every declared job, at its fire
times since its last successful run (bounded to ``CATCH_UP_DAYS``) and runs each one that
has no JobRun row yet, in order. So a scheduler that was down catches up once, and two
schedulers never run one fire time twice (the JobRun row is unique).

The catch-up point is a scheduled fire time that has passed: a run keyed in the future (a
forced manual run for a later date is keyed ``manual:<fire>``, and rows a clock error left
behind are ignored) never moves it, so the daily runs go on.
"""

import logging
import signal
import threading
from datetime import date, datetime, time, timedelta

from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from jobs import load_jobs
from jobs.lease import RENEW_SECONDS, Lease
from jobs.registry import (
    JOBS,
    MANUAL_PREFIX,
    MAX_ATTEMPTS,
    JobSpec,
    fire_key,
    local_tz,
    manual_key,
    parse_key,
    retry_delay,
    run_job,
)
from models import JobRun, JobSetting, db, utcnow

log = logging.getLogger("cskh.scheduler")

CATCH_UP_DAYS = 31
STALE_AFTER = timedelta(minutes=2)
"""A "running" row of another holder older than this was left by a scheduler that died."""


def ensure_settings() -> None:
    """One JobSetting row per declared job (created paused=False)."""
    known = set(db.session.scalars(select(JobSetting.job_id)))
    for job_id in JOBS:
        if job_id not in known:
            db.session.add(JobSetting(job_id=job_id, paused=False))
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()


def _scheduled(job_id: str, now: datetime | None):
    """Conditions for the job's scheduled runs (not manual) keyed at or before ``now``."""
    conditions = [JobRun.job_id == job_id, ~JobRun.scheduled_for.like(MANUAL_PREFIX + "%")]
    if now is not None:
        conditions.append(JobRun.scheduled_for <= fire_key(now))
    return conditions


def _keys(job_id: str, since: str | None = None, now: datetime | None = None) -> list[str]:
    query = select(JobRun.scheduled_for).where(*_scheduled(job_id, now))
    if since:
        query = query.where(JobRun.scheduled_for >= since)
    return list(db.session.scalars(query))


def last_success(job_id: str, now: datetime | None = None) -> str | None:
    """The latest scheduled fire time (not manual, not after ``now``) that ran successfully."""
    return db.session.scalar(
        select(func.max(JobRun.scheduled_for)).where(*_scheduled(job_id, now), JobRun.status == "success")
    )


def fire_times(spec: JobSpec, after: datetime, until: datetime, limit: int = 2000) -> list[datetime]:
    """Fire times of ``spec`` in (after, until], oldest first."""
    trigger = spec.trigger(local_tz())
    out = []
    fire = trigger.get_next_fire_time(None, after + timedelta(seconds=1))
    while fire is not None and fire <= until and len(out) < limit:
        out.append(fire)
        fire = trigger.get_next_fire_time(fire, fire)
    return out


def latest_fire(spec: JobSpec, now: datetime) -> datetime | None:
    times = fire_times(spec, now - timedelta(days=CATCH_UP_DAYS), now)
    return times[-1] if times else None


def missed_fire_times(spec: JobSpec, now: datetime) -> list[datetime]:
    """The fire times due now without a run row: since the last success (catch-up) or just the latest."""
    floor = now - timedelta(days=CATCH_UP_DAYS)
    if not spec.catch_up:
        latest = latest_fire(spec, now)
        return [latest] if latest and fire_key(latest) not in set(_keys(spec.id, fire_key(latest))) else []
    baseline = last_success(spec.id, now) or min(_keys(spec.id, now=now), default=None)
    if baseline is None:
        latest = latest_fire(spec, now)
        return [latest] if latest else []
    start = max(parse_key(baseline), floor)
    taken = set(_keys(spec.id, fire_key(start)))
    return [f for f in fire_times(spec, start, now) if fire_key(f) not in taken]


class FutureRun(ValueError):
    """``run-once --date`` for a fire time that has not come yet, without ``--force``."""


def run_for_date(job_id: str, day: date, *, now: datetime | None = None, force: bool = False) -> JobRun | None:
    """Run ``job_id`` for the fire time of local date ``day`` (its first fire that day), once.

    A past or present fire time is keyed like the scheduled run (it fills that slot, so catch-up
    skips it). A future one is refused unless ``force``; then it is keyed ``manual:<fire>``, so it
    neither takes the scheduled slot nor moves the catch-up point. None when already claimed.
    """
    now = now or utcnow()
    spec = JOBS[job_id]
    fire = spec.trigger(local_tz()).get_next_fire_time(None, datetime.combine(day, time(0, 0), tzinfo=local_tz()))
    if fire is None:
        raise FutureRun(f"{job_id} has no fire time on or after {day:%d/%m/%Y}")
    if fire <= now:
        return run_job(job_id, fire, now=now, holder="cli")
    if not force:
        raise FutureRun(
            f"{job_id}: {fire.astimezone(local_tz()):%d/%m/%Y %H:%M} is in the future; "
            "add --force to run it now as a manual run (the schedule is not moved)"
        )
    return run_job(job_id, MANUAL_PREFIX + fire_key(fire), now=now, holder="cli")


def retryable_runs(job_id: str, now: datetime, holder: str) -> list[JobRun]:
    """Failed runs whose backoff has passed, and runs left "running" by a scheduler that died."""
    rows = db.session.scalars(
        select(JobRun)
        .where(JobRun.job_id == job_id, JobRun.status.in_(("failed", "running")))
        .order_by(JobRun.scheduled_for)
    ).all()
    due = []
    for run in rows:
        if run.status == "failed" and run.attempts < MAX_ATTEMPTS:
            if (run.finished_at or run.started_at) + retry_delay(run.attempts) <= now:
                due.append(run)
        elif run.status == "running" and run.holder != holder and run.started_at + STALE_AFTER <= now:
            due.append(run)
    return due


def take_run_now_request(job_id: str) -> bool:
    """Clear the head's "run now" flag; True for the one scheduler that cleared it."""
    requested = db.session.scalar(select(JobSetting.run_now_requested_at).where(JobSetting.job_id == job_id))
    if requested is None:
        return False
    cleared = db.session.execute(
        update(JobSetting)
        .where(JobSetting.job_id == job_id, JobSetting.run_now_requested_at == requested)
        .values(run_now_requested_at=None)
    ).rowcount
    db.session.commit()
    return cleared == 1


def run_now(job_id: str, *, now: datetime | None = None, holder: str = "cli") -> list[JobRun]:
    """Retry the job's failed or blocked runs, then run it once more for the present moment."""
    now = now or utcnow()
    done = []
    stuck = db.session.scalars(
        select(JobRun.scheduled_for)
        .where(JobRun.job_id == job_id, JobRun.status.in_(("failed", "blocked")))
        .order_by(JobRun.scheduled_for)
    ).all()
    for key in stuck:
        run = run_job(job_id, key, now=now, holder=holder, retry_statuses=("failed", "blocked"))
        if run is not None:
            done.append(run)
    run = run_job(job_id, manual_key(now), now=now, holder=holder)
    if run is not None:
        done.append(run)
    return done


def tick(now: datetime | None = None, holder: str = "cli", still_active=lambda: True) -> list[JobRun]:
    """One pass of the active scheduler: run-now requests, missed and due fire times, retries."""
    now = now or utcnow()
    load_jobs()
    ensure_settings()
    settings = {s.job_id: s for s in db.session.scalars(select(JobSetting))}
    done: list[JobRun] = []
    for spec in list(JOBS.values()):
        if not still_active():
            break
        if take_run_now_request(spec.id):
            done += run_now(spec.id, now=now, holder=holder)
        if settings[spec.id].paused:
            continue
        for fire in missed_fire_times(spec, now):
            if not still_active():
                break
            run = run_job(spec.id, fire, now=now, holder=holder)
            if run is not None:
                done.append(run)
        for stale in retryable_runs(spec.id, now, holder):
            run = run_job(spec.id, stale.scheduled_for, now=now, holder=holder, retry_statuses=(stale.status,))
            if run is not None:
                done.append(run)
    return done


class SchedulerProcess:
    """``flask scheduler run``: lease renewal and ticks on APScheduler's clock, in this process only."""

    def __init__(self, app: Flask, holder: str | None = None, seconds: int = RENEW_SECONDS):
        self.app, self.seconds = app, seconds
        with app.app_context():
            self.lease = Lease(db.engine, holder=holder)
        self.holder = self.lease.holder
        self._tick_lock = threading.Lock()

    def renew(self) -> bool:
        with self.app.app_context():
            was = self.lease.held
            held = self.lease.acquire()
        if held != was:
            log.warning("scheduler %s is now %s", self.holder, "ACTIVE" if held else "standby")
        return held

    def tick(self) -> None:
        if not self.lease.held or not self._tick_lock.acquire(blocking=False):
            return
        try:
            with self.app.app_context():
                tick(holder=self.holder, still_active=lambda: self.lease.held)
        finally:
            self._tick_lock.release()

    def run(self) -> None:
        from apscheduler.schedulers.blocking import BlockingScheduler

        with self.app.app_context():
            tz = local_tz()
        scheduler = BlockingScheduler(timezone=tz)
        start = datetime.now(tz)
        scheduler.add_job(
            self.renew,
            "interval",
            seconds=self.seconds,
            id="lease",
            next_run_time=start,
            coalesce=True,
            max_instances=1,
        )
        scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.seconds,
            id="tick",
            next_run_time=start + timedelta(seconds=1),
            coalesce=True,
            max_instances=1,
        )

        def stop(signum, frame):
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        log.warning("scheduler %s started (lease every %ss)", self.holder, self.seconds)
        try:
            scheduler.start()
        finally:
            with self.app.app_context():
                self.lease.release()
