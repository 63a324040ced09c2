"""Schema drift: what the live database says against what the panel was built for.

A table's expected columns are its ``types`` in the configuration (written by ``flask panel
inspect``) or, without them, the columns read when the panel was loaded (start-up or **Tải lại**).
A column gone, a column added, a type changed or the whole table gone is one ``Drift``.
The sources page asks through ``source_state``, which keeps each answer ``CHECK_MAX_AGE``
seconds so an unreachable source costs its timeout once a minute, not on every page open.
"""

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import inspect
from sqlalchemy.exc import NoSuchTableError

CHECK_MAX_AGE = 60.0
"""Seconds a source's live check is reused by the sources page."""
_NOISE = re.compile(r"\s+(COLLATE|CHARACTER SET)\s+\S+", re.I)


@dataclass(frozen=True)
class Drift:
    """One difference: ``kind`` is "missing_table", "missing_column", "new_column" or "type_changed"."""

    table: str
    where: str
    kind: str
    column: str | None = None
    was: str | None = None
    now: str | None = None

    def __str__(self) -> str:
        """English, for ``flask panel check``."""
        if self.kind == "missing_table":
            return f"[tables.{self.table}] table {self.where} is gone from the database"
        if self.kind == "missing_column":
            return f"[tables.{self.table}] column {self.column!r} ({self.was}) is gone from {self.where}"
        if self.kind == "new_column":
            where = f"[tables.{self.table}] new column {self.column!r} ({self.now}) in {self.where}"
            return f"{where}, not in the configuration"
        return f"[tables.{self.table}] column {self.column!r} of {self.where} changed type: {self.was} -> {self.now}"

    def words(self) -> str:
        """The same in the request's language, for the sources page."""
        if self.kind == "missing_table":
            return _("The table %(table)s is gone from the database.", table=self.where)
        if self.kind == "missing_column":
            return _("The column “%(column)s” is gone from %(table)s.", column=self.column, table=self.where)
        if self.kind == "new_column":
            return _(
                "New column “%(column)s” (%(type)s) in %(table)s: press Reload to show it.",
                column=self.column,
                type=self.now,
                table=self.where,
            )
        return _(
            "The column “%(column)s” of %(table)s changed type: %(was)s → %(now)s.",
            column=self.column,
            table=self.where,
            was=self.was,
            now=self.now,
        )


@dataclass
class SourceState:
    """A source's last live check: its error (None when it answered), the drift of its tables, when."""

    error: str | None
    drift: list[Drift] = field(default_factory=list)
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    monotonic: float = field(default_factory=time.monotonic)


def check_source(source) -> tuple[str | None, datetime]:
    """(error or None, time of the check): asks the database now, so an outage shows as one."""
    now = datetime.now(UTC)
    if source.engine is None:
        return source.error, now
    try:
        with source.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - whatever the driver raises, the source is not answering
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}", now
    return None, now


def type_name(column_type, dialect) -> str:
    """A column type as the database writes it (``VARCHAR(160)``), without collation noise."""
    try:
        name = column_type.compile(dialect=dialect)
    except Exception:  # noqa: BLE001 - a type SQLAlchemy reflects but cannot write (NullType...)
        name = type(column_type).__name__
    return _NOISE.sub("", str(name)).strip()


def expected_types(table) -> dict[str, str]:
    """Column -> type the panel table was built for: the configuration's ``types``, else the reflection."""
    if table.config.types:
        return dict(table.config.types)
    dialect = table.source.engine.dialect
    return {c.name: type_name(c.type, dialect) for c in table.table.columns}


def table_drift(table, inspector=None) -> list[Drift]:
    """Differences between ``table``'s expected columns and the live database (asks the database now)."""
    engine = table.source.engine
    inspector = inspector or inspect(engine)
    name, schema = table.table.name, table.table.schema
    where = f"{table.source.key}.{name}"
    try:
        live = {c["name"]: type_name(c["type"], engine.dialect) for c in inspector.get_columns(name, schema=schema)}
    except NoSuchTableError:
        live = {}
    if not live:
        return [Drift(table.key, where, "missing_table")]
    expected = expected_types(table)
    found = [Drift(table.key, where, "missing_column", c, was=t) for c, t in expected.items() if c not in live]
    found += [Drift(table.key, where, "new_column", c, now=t) for c, t in live.items() if c not in expected]
    found += [
        Drift(table.key, where, "type_changed", c, was=t, now=live[c])
        for c, t in expected.items()
        if c in live and live[c] != t
    ]
    return found


def panel_drift(panel) -> list[Drift]:
    """Every drift of every reflected table (one inspector per source)."""
    found = []
    for source in panel.sources.values():
        if source.engine is not None:
            found += source_drift(panel, source)
    return found


def source_drift(panel, source) -> list[Drift]:
    inspector = inspect(source.engine)
    found = []
    for key in source.tables:
        found += table_drift(panel.tables[key], inspector)
    return found


def source_state(panel, source, max_age: float = CHECK_MAX_AGE) -> SourceState:
    """The source's live state, asked again when the last answer is older than ``max_age`` seconds."""
    state = source.state
    if state is not None and time.monotonic() - state.monotonic < max_age:
        return state
    error, _checked = check_source(source)
    drift = []
    if error is None:
        try:
            drift = source_drift(panel, source)
        except Exception as exc:  # noqa: BLE001 - the source stopped answering between the two questions
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
    source.state = SourceState(error, drift)
    return source.state
