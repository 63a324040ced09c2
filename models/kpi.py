"""Daily KPI aggregates kept by the scheduler, so the dashboard sums a few rows per day at scale.

One row per (local day, team, agent) holds the additive measures of that day; ``KpiSnapshotDay``
marks a day as taken, so a day without activity still counts as covered. Written only by
``services.kpi.snapshot.take``. The two other tables keep figures of whole periods that do
not add up by day (services.kpi.kept).
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow

_Count = BigInteger().with_variant(Integer(), "sqlite")


class KpiDailySnapshot(Base):
    """The measures of the KPI registry (services.kpi.catalog) of one local day for one (team, agent).

    A measure whose key names a column is kept there: the built-in counts (summed in SQL), the
    resolution ``durations`` (a ``values`` measure: sorted, space-separated) and the ``moods`` (a
    tally: JSON). Any other measure, e.g. of a KPI added later, is kept in ``extra`` (JSON
    ``{"sums": {key: n}, "lists": {key: [n, …]}}``), so a new KPI needs no new column; a column
    (a migration) only makes a measure read on every page cheaper.
    """

    __tablename__ = "kpi_daily_snapshots"
    __table_args__ = (UniqueConstraint("day", "team_key", "agent_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    team_key: Mapped[int] = mapped_column(Integer, default=0, index=True)
    """The team the counts belong to (complaint.team_id, else the customer's team); 0 = none."""
    agent_key: Mapped[int] = mapped_column(Integer, default=0, index=True)
    """The agent (complaint assignee, else the customer's owner or the entry's author); 0 = none."""
    opened: Mapped[int] = mapped_column(Integer, default=0)
    resolved: Mapped[int] = mapped_column(Integer, default=0)
    resolved_fcr: Mapped[int] = mapped_column(Integer, default=0)
    resolved_late: Mapped[int] = mapped_column(Integer, default=0)
    resolve_seconds: Mapped[int] = mapped_column(_Count, default=0)
    nps_answers: Mapped[int] = mapped_column(Integer, default=0)
    promoters: Mapped[int] = mapped_column(Integer, default=0)
    detractors: Mapped[int] = mapped_column(Integer, default=0)
    csat_answers: Mapped[int] = mapped_column(Integer, default=0)
    csat_sum: Mapped[int] = mapped_column(Integer, default=0)
    csat_satisfied: Mapped[int] = mapped_column(Integer, default=0)
    orders: Mapped[int] = mapped_column(Integer, default=0)
    durations: Mapped[str | None] = mapped_column(Text)
    """Whole seconds from opening to resolution of the requests resolved that day, sorted, space-separated:
    the 90th percentile of a period reads these instead of every request of the period."""
    moods: Mapped[str | None] = mapped_column(Text)
    """Emotion-notebook entries of the day by mood, JSON ``{"happy": 3, …}`` (customer's team, author)."""
    extra: Mapped[str | None] = mapped_column(Text)
    """The measures without a column of their own, JSON ``{"sums": {…}, "lists": {…}}``."""


class KpiSnapshotDay(Base):
    """A day whose snapshot rows are complete (possibly none: a quiet day)."""

    __tablename__ = "kpi_snapshot_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KpiPeriodFigure(Base):
    """The non-additive figures of a closed window, computed once and read by later dashboards.

    Keyed by the window ``[start, stop)``, the first day it reads (``first``: the start of the
    previous period, for retention) and the scope (``"all"``, ``"team:<id>"``, ``"agent:<id>"``).
    ``figures`` is JSON written by ``services.kpi.kept``; re-taking a snapshot of a day in ``[first, stop)``
    deletes the row, so it is recomputed from the corrected rows.
    """

    __tablename__ = "kpi_period_figures"
    __table_args__ = (
        UniqueConstraint("first", "start", "stop", "scope_key"),
        Index("ix_kpi_period_figures_reads", "first", "stop"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first: Mapped[date] = mapped_column(Date)
    start: Mapped[date] = mapped_column(Date)
    stop: Mapped[date] = mapped_column(Date)
    scope_key: Mapped[str] = mapped_column(String(20))
    figures: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KpiRunningFigure(Base):
    """What today's rows up to ``cut_at`` add to a running period's kept figures (``KpiPeriodFigure``).

    Refreshed every few minutes by the ``kpi_refresh`` job (``services.kpi.kept.refresh``), so a
    dashboard request only reads the rows since ``cut_at``, not all of today's. Keyed like
    ``KpiPeriodFigure`` (``first``, ``start``, ``scope_key``) plus the local ``day``; ``figures`` is
    JSON ``{window: {field: n}}``.
    """

    __tablename__ = "kpi_running_figures"
    __table_args__ = (UniqueConstraint("first", "start", "day", "scope_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first: Mapped[date] = mapped_column(Date)
    start: Mapped[date] = mapped_column(Date)
    day: Mapped[date] = mapped_column(Date, index=True)
    scope_key: Mapped[str] = mapped_column(String(20))
    cut_at: Mapped[datetime] = mapped_column(UTCDateTime)
    figures: Mapped[str] = mapped_column(Text)
