"""One active scheduler among several: a PostgreSQL advisory lock, or a lease row elsewhere.

PostgreSQL: the holder keeps a session-level ``pg_try_advisory_lock`` on a connection of
its own; when the process dies the server drops the session and the lock with it, so a
standby's next try (every ~10 s) wins. MariaDB and SQLite: a row in ``scheduler_leases``
that the holder renews every ~10 s with a 30 s TTL; a standby takes it with one
conditional UPDATE once ``expires_at`` has passed. The lease row is written on
PostgreSQL too, so the admin shows who is active everywhere.
"""

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import Engine, insert, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from models import SchedulerLease, utcnow
from services.job_catalogue import LEASE_TTL

TTL = LEASE_TTL
RENEW_SECONDS = 10
ADVISORY_KEY = 7_240_531  # any constant shared by every scheduler of this database


def new_holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Lease:
    """``acquire()`` takes or renews the lease and says whether this process is the active one."""

    def __init__(self, engine: Engine, name: str = "scheduler", holder: str | None = None, ttl: timedelta = TTL):
        self.engine, self.name, self.ttl = engine, name, ttl
        self.holder = holder or new_holder_name()
        self.held = False
        self.advisory = engine.dialect.name == "postgresql"
        self._conn = None
        self._locked = False

    def acquire(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        try:
            self.held = self._advisory() if self.advisory else True
            if self.held:
                self.held = self._row(now, force=self.advisory)
        except DBAPIError:
            self._drop_connection()
            self.held = False
        return self.held

    def release(self) -> None:
        """Give the lease up at once (a clean shutdown), so a standby need not wait for the TTL."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    update(SchedulerLease)
                    .where(SchedulerLease.name == self.name, SchedulerLease.holder == self.holder)
                    .values(expires_at=utcnow() - timedelta(seconds=1))
                )
        except DBAPIError:
            pass
        if self._conn is not None and self._locked:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
            except DBAPIError:
                pass
        self._drop_connection()
        self.held = False

    # ---- PostgreSQL -----------------------------------------------------
    def _advisory(self) -> bool:
        if self._conn is None:
            self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._locked = False
        if self._locked:
            self._conn.execute(text("SELECT 1"))
            return True
        self._locked = bool(self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar())
        return self._locked

    def _drop_connection(self) -> None:
        self._locked = False
        if self._conn is not None:
            try:
                self._conn.invalidate()
                self._conn.close()
            except DBAPIError:
                pass
            self._conn = None

    # ---- the lease row --------------------------------------------------
    def _row(self, now: datetime, force: bool = False) -> bool:
        """Renew our row, or take an expired one, or create it; ``force``: the advisory lock already decided."""
        table = SchedulerLease.__table__
        expires = now + self.ttl
        with self.engine.begin() as conn:
            condition = table.c.name == self.name
            if not force:
                condition = condition & ((table.c.holder == self.holder) | (table.c.expires_at < now))
            taken = conn.execute(
                update(table).where(condition).values(holder=self.holder, expires_at=expires, renewed_at=now)
            ).rowcount
        if taken == 1:
            return True
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(table).values(name=self.name, holder=self.holder, expires_at=expires, renewed_at=now)
                )
            return True
        except IntegrityError:
            return False
