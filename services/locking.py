"""One way to change a row's state: lock it, check it, compare-and-set it.

Every workflow step (approvals, order and complaint transitions, the hand-over) goes through
``expect`` then ``compare_and_set`` (``claim`` does both; ``lock`` alone for a row without a
status), so N parallel identical requests give one effect and N-1 ``AlreadyDone``:

- PostgreSQL and MariaDB: the row is re-read ``SELECT … FOR UPDATE`` (the second request waits
  for the first to commit, then sees the new status);
- everywhere: the status is written with ``UPDATE … WHERE id = :id AND status = :expected`` and
  a row count other than 1 means somebody else got there first;
- SQLite has no row locks: a request that may write (POST, PUT, PATCH, DELETE) begins its
  transaction with ``BEGIN IMMEDIATE`` and every connection waits up to ``BUSY_TIMEOUT_MS`` for
  the write lock, so writers queue instead of failing with "database is locked" (a deferred
  transaction that read first cannot wait: SQLite refuses its upgrade at once). This follows
  SQLAlchemy's pysqlite recipe (dialects/sqlite, "Serializable isolation / Savepoints /
  Transactional DDL": emit our own BEGIN from the engine's "begin" event), but only for
  writers: reads keep the driver's behaviour, so a page never holds an old snapshot.
"""

import sqlite3

from flask import has_request_context, request
from sqlalchemy import event, inspect, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value

from models import db
from services.errors import AlreadyDone, InvalidTransition

BUSY_TIMEOUT_MS = 30_000
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def install() -> None:
    """Register the SQLite listeners once (idempotent, like ``clean_writes.install``)."""
    if not event.contains(Engine, "connect", _sqlite_connect):
        event.listen(Engine, "connect", _sqlite_connect)
        event.listen(Engine, "begin", _sqlite_begin)


def _sqlite_connect(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _sqlite_begin(conn) -> None:
    """A writer takes the write lock when its transaction begins (waiting up to the busy timeout);
    the driver sees the open transaction and adds no BEGIN of its own."""
    if conn.dialect.name != "sqlite" or not will_write():
        return
    if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    dbapi_connection = conn.connection.dbapi_connection
    if isinstance(dbapi_connection, sqlite3.Connection) and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


def will_write() -> bool:
    """A transaction begun now may write: a request other than GET, HEAD or OPTIONS. (Jobs and the
    CLI keep the driver's BEGIN before their first write: they read outside a transaction, so the
    write lock is simply waited for.)"""
    return has_request_context() and request.method not in SAFE_METHODS


def lock(obj, session=None):
    """Re-read ``obj``'s row from the database, locked for this transaction where the database
    has row locks (FOR UPDATE), and refresh ``obj`` with what is stored now. Returns ``obj``."""
    session = session or db.session
    state = inspect(obj)
    if state.transient or state.pending:
        return obj
    mapper = state.mapper
    keys = [col == value for col, value in zip(mapper.primary_key, state.identity, strict=True)]
    session.scalars(
        select(mapper.class_)
        .where(*keys)
        .options(lazyload("*"))  # no eager outer joins: FOR UPDATE cannot lock their nullable side
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return obj


def expect(obj, from_statuses, to_status: str | None = None, *, session=None, message=None) -> str:
    """Lock ``obj`` and check it is in one of ``from_statuses``; return that status.

    Raises AlreadyDone when the row changed under us (another request did this a moment ago) or
    already is ``to_status``; InvalidTransition otherwise.
    """
    seen = obj.status
    lock(obj, session)
    if obj.status in from_statuses:
        return obj.status
    if obj.status != seen or (to_status is not None and obj.status == to_status):
        raise AlreadyDone()
    raise InvalidTransition(message)


def claim(obj, from_statuses, to_status: str, *, session=None, message=None) -> str:
    """Move ``obj`` to ``to_status`` with a compare-and-set UPDATE; return the status it had.

    The caller writes its other columns (decided_by, audit…) after this returns; when it raises,
    nothing was written.
    """
    before = expect(obj, from_statuses, to_status, session=session, message=message)
    compare_and_set(obj, before, to_status, session=session)
    return before


def compare_and_set(obj, before: str, to_status: str, *, session=None) -> None:
    """``UPDATE … SET status = :to WHERE id = :id AND status = :before``; AlreadyDone unless one row
    changed. For a row ``expect`` already locked in this transaction."""
    session = session or db.session
    mapper = inspect(obj).mapper
    table = mapper.local_table
    stmt = update(table).where(table.c.status == before).values(status=to_status)
    for col, value in zip(mapper.primary_key, inspect(obj).identity, strict=True):
        stmt = stmt.where(col == value)
    if session.execute(stmt.execution_options(synchronize_session=False)).rowcount != 1:
        raise AlreadyDone()
    set_committed_value(obj, "status", to_status)
