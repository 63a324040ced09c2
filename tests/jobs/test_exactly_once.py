"""Exactly once: re-runs, two schedulers on one database, and catch-up after downtime."""

import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from jobs.lease import Lease
from jobs.registry import fire_key, run_job
from jobs.scheduler import missed_fire_times, tick
from models import Gift, JobRun, OutboxMessage, db
from tests.jobs.helpers import birthday_customers, count, effects, set_params

GIFT = {"lead_days": 3, "item": "Hộp quà", "value": 0}


def test_rerun_for_same_date_adds_nothing(app, now):
    ids = birthday_customers(3, date(2026, 11, 26))
    set_params("birthday", **GIFT)
    first = run_job("birthday", now, now=now)
    assert first.status == "success" and first.processed == 3 and first.total == 3
    assert effects() == (3, 3, 1)
    assert run_job("birthday", now, now=now) is None
    assert effects() == (3, 3, 1)
    # A manual run the same day has its own run row but adds no gift and no greeting.
    again = run_job("birthday", "manual:2026-11-23T09:00:00", now=now)
    assert again.status == "success" and again.created == 0
    assert effects() == (3, 3, 2)
    assert set(db.session.scalars(select(Gift.customer_id))) == set(ids)


def test_two_schedulers_on_one_database_produce_each_effect_once(app, now, other_app):
    """Both bypass the lease (a split brain): the unique run row and effect keys still hold."""
    birthday_customers(4, date(2026, 11, 26))
    set_params("birthday", **GIFT)
    apps = [other_app(), other_app()]
    barrier = threading.Barrier(2)
    errors = []

    def scheduler(a, name):
        try:
            with a.app_context():
                barrier.wait(timeout=10)
                tick(now=now, holder=name)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=scheduler, args=(a, f"s{i}")) for i, a in enumerate(apps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    db.session.expire_all()
    assert count(Gift) == 4
    assert count(OutboxMessage, OutboxMessage.dedupe_key.like("birthday:%")) == 4
    assert count(JobRun, JobRun.job_id == "birthday") == 1
    runs = db.session.scalars(select(JobRun)).all()
    assert len({(r.job_id, r.scheduled_for) for r in runs}) == len(runs)


def test_only_the_lease_holder_ticks(app, now, other_app):
    birthday_customers(2, date(2026, 11, 26))
    set_params("birthday", **GIFT)
    results, leases = {}, []
    for name in ("a", "b"):
        a = other_app()
        with a.app_context():
            lease = Lease(db.engine, holder=name)
            leases.append(lease)
            results[name] = lease.acquire(now=now)
            if results[name]:
                results["runs"] = {r.job_id for r in tick(now=now, holder=name)}
    for lease in leases:
        lease.release()
    assert results["a"] is True and results["b"] is False
    assert results["runs"] >= {"birthday", "outbox"}
    assert effects()[0] == 2


def test_scheduler_down_across_fire_times_catches_up_exactly_once(app, now):
    """Last success on 20/11; down on 21/11 and 22/11; back at 08:30 on 23/11."""
    born = {d: birthday_customers(1, date(2026, 11, d + 3)) for d in (20, 21, 22, 23)}
    set_params("birthday", **GIFT)
    fire_20 = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)  # 07:00 local
    run_job("birthday", fire_20, now=fire_20)
    assert effects()[0] == 1
    from jobs.registry import JOBS

    missed = [fire_key(f) for f in missed_fire_times(JOBS["birthday"], now)]
    assert missed == ["2026-11-21T07:00", "2026-11-22T07:00", "2026-11-23T07:00"]
    tick(now=now, holder="s1")
    db.session.expire_all()
    keys = db.session.scalars(select(JobRun.scheduled_for).where(JobRun.job_id == "birthday")).all()
    assert sorted(keys) == ["2026-11-20T07:00", "2026-11-21T07:00", "2026-11-22T07:00", "2026-11-23T07:00"]
    assert set(db.session.scalars(select(Gift.customer_id))) == {i for ids in born.values() for i in ids}
    tick(now=now + timedelta(minutes=5), holder="s2")
    assert count(Gift) == 4
    assert count(JobRun, JobRun.job_id == "birthday") == 4


def test_paused_job_does_not_run_and_catches_up_on_resume(app, now):
    from models import JobSetting

    birthday_customers(1, date(2026, 11, 26))
    set_params("birthday", **GIFT)
    setting = db.session.get(JobSetting, "birthday")
    setting.paused = True
    db.session.commit()
    tick(now=now, holder="s1")
    assert count(JobRun, JobRun.job_id == "birthday") == 0 and count(Gift) == 0
    setting = db.session.get(JobSetting, "birthday")
    setting.paused = False
    db.session.commit()
    tick(now=now + timedelta(minutes=1), holder="s1")
    assert count(Gift) == 1


def test_failed_run_is_retried_after_backoff_with_attempts_counted(app, now):
    from jobs import registry

    calls = []

    def flaky(ctx):
        calls.append(ctx.run_id)
        if len(calls) == 1:
            raise RuntimeError("SMTP gateway down")

    run = run_job("birthday", now, now=now, func=flaky)
    assert run.status == "failed" and "SMTP gateway down" in run.error and run.attempts == 1
    original = registry.JOBS["birthday"].func
    registry.JOBS["birthday"].func = flaky
    try:
        tick(now=now + timedelta(seconds=30), holder="s1")
        db.session.expire_all()
        assert db.session.get(JobRun, run.id).status == "failed"  # backoff not over yet
        tick(now=now + timedelta(minutes=3), holder="s1")
    finally:
        registry.JOBS["birthday"].func = original
    db.session.expire_all()
    again = db.session.get(JobRun, run.id)
    assert again.status == "success" and again.attempts == 2 and again.error is None
