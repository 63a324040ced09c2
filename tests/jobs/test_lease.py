"""One active scheduler: the lease (PostgreSQL advisory lock, or the lease row) and the standby's take-over."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from jobs.lease import TTL, Lease
from models import SchedulerLease, db, utcnow

ROOT = Path(__file__).resolve().parents[2]

HOLDER = textwrap.dedent(
    """
    import sys, time
    from sqlalchemy import create_engine
    from jobs.lease import Lease
    lease = Lease(create_engine(sys.argv[1]), holder="doomed")
    while not lease.acquire():
        time.sleep(0.2)
    print("held", flush=True)
    while True:
        time.sleep(0.5)
        lease.acquire()
    """
)


def take_over(lease: Lease, now, seconds: float = 5) -> bool:
    """Try like the standby's renew loop does (quicker): the server may need a moment to end a dead session."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if lease.acquire(now=now):
            return True
        time.sleep(0.2)
    return False


def test_standby_waits_while_holder_renews_then_takes_over_when_it_stops(app, now):
    active, standby = Lease(db.engine, holder="active"), Lease(db.engine, holder="standby")
    try:
        assert active.acquire(now=now)
        assert not standby.acquire(now=now + timedelta(seconds=10))
        assert active.acquire(now=now + timedelta(seconds=20))
        assert not standby.acquire(now=now + timedelta(seconds=40))
        # The active scheduler dies: it stops renewing (and its connection goes away).
        active._drop_connection()
        assert take_over(standby, now + timedelta(seconds=20) + TTL + timedelta(seconds=1))
        assert not active.acquire(now=now + timedelta(seconds=52))
        row = db.session.scalar(select(SchedulerLease).where(SchedulerLease.name == "scheduler"))
        assert row.holder == "standby"
    finally:
        active.release()
        standby.release()


def test_clean_release_hands_over_at_once(app, now):
    first, second = Lease(db.engine, holder="first"), Lease(db.engine, holder="second")
    try:
        assert first.acquire()
        assert not second.acquire()
        first.release()
        assert second.acquire()
    finally:
        first.release()
        second.release()


def test_killing_the_active_scheduler_process_lets_the_standby_take_over(app):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    standby = Lease(db.engine, holder="standby")
    try:
        assert proc.stdout.readline().strip() == "held", proc.stderr.read()
        assert not standby.acquire()
        time.sleep(0.6)
        assert not standby.acquire(), "the live holder keeps its lease"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        # A minute later (the row lease's TTL has passed; PostgreSQL dropped the lock with the session).
        assert take_over(standby, utcnow() + TTL + timedelta(seconds=1))
        db.session.expire_all()
        assert db.session.get(SchedulerLease, "scheduler").holder == "standby"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        standby.release()
