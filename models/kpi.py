"""Daily KPI aggregates kept by the scheduler, so the dashboard sums a few rows per day at scale.

One row per (local day, team, agent) holds the additive counts of that day; ``KpiSnapshotDay``
marks a day as taken, so a day without activity still counts as covered. Written only by
``services.kpis.take_snapshot``.
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow

_Count = BigInteger().with_variant(Integer(), "sqlite")


class KpiDailySnapshot(Base):
    __tablename__ = "kpi_daily_snapshots"
    __table_args__ = (UniqueConstraint("day", "team_key", "agent_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    team_key: Mapped[int] = mapped_column(Integer, default=0, index=True)
    """The team the counts belong to (complaint.team_id, else the customer's team); 0 = none."""
    agent_key: Mapped[int] = mapped_column(Integer, default=0, index=True)
    """The agent (complaint assignee, else the customer's owner); 0 = none."""
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


class KpiSnapshotDay(Base):
    """A day whose snapshot rows are complete (possibly none: a quiet day)."""

    __tablename__ = "kpi_snapshot_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KpiPeriodFigure(Base):
    """The non-additive figures of a closed window, computed once and read by later dashboards.

    Keyed by the window ``[start, stop)``, the first day it reads (``first``: the start of the
    previous period, for retention) and the scope (``"all"`` or ``"team:<id>"``). ``figures``
    is JSON written by ``services.kpi_periods``; re-taking a snapshot of a day in ``[first, stop)``
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

    Refreshed every few minutes by the ``kpi_refresh`` job (``services.kpi_periods.refresh``), so a
    dashboard request only checks the customers active since ``cut_at``, not all of today's.
    Keyed like ``KpiPeriodFigure`` (``first``, ``start``, ``scope_key``) plus the local ``day``.
    """

    __tablename__ = "kpi_running_figures"
    __table_args__ = (UniqueConstraint("first", "start", "day", "scope_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    first: Mapped[date] = mapped_column(Date)
    start: Mapped[date] = mapped_column(Date)
    day: Mapped[date] = mapped_column(Date, index=True)
    scope_key: Mapped[str] = mapped_column(String(20))
    cut_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retained: Mapped[int] = mapped_column(Integer, default=0)
    engaged: Mapped[int] = mapped_column(Integer, default=0)
    customers: Mapped[int] = mapped_column(Integer, default=0)
