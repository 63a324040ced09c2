"""What the scheduler keeps: the lease, job settings, runs, and the outbox."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId, Money, TimestampMixin, UTCDateTime, utcnow


class SchedulerLease(Base):
    """One row per lease name; the holder renews it, a standby takes it when it expires."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JobSetting(TimestampMixin, Base):
    """Per job: paused or not, its parameters (JSON), the last date it succeeded for."""

    __tablename__ = "job_settings"

    job_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    params: Mapped[str | None] = mapped_column(Text)
    run_now_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __str__(self) -> str:
        return self.job_id


class JobRun(Base):
    """One claimed run of a job for one scheduled date: unique, so it happens once."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job_id", "scheduled_for"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(60), index=True)
    scheduled_for: Mapped[str] = mapped_column(String(32))
    """ISO date or datetime of the fire time this run covers."""
    status: Mapped[str] = mapped_column(String(10), default="running", index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Left out on purpose: follow-ups too late to be worth a call, calls with no free slot ahead."""
    total: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str | None] = mapped_column(Text)
    holder: Mapped[str | None] = mapped_column(String(120))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)

    def __str__(self) -> str:
        return f"{self.job_id} {self.scheduled_for}"


class OutboxMessage(TimestampMixin, Base):
    """A message to a customer; the sender delivers it or hands it to an agent.

    ``channel`` is the channel being tried and ``fallback`` the ones left (``"sms,email"``);
    a delivery worker holds a ``sending`` row until ``lease_until`` (then another may take it).
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "status", "next_attempt_at", "id"),
        Index("ix_outbox_messages_customer_purpose", "customer_id", "purpose", "sent_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """status and next_attempt_at are indexed together with id (ix_outbox_messages_due): what workers claim by."""
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    """One message per effect: e.g. ``campaign:7:2026-11-23:1234``."""
    purpose: Mapped[str] = mapped_column(String(12), default="care", server_default="care")
    fallback: Mapped[str | None] = mapped_column(String(40))
    templates: Mapped[str | None] = mapped_column(String(120))
    """JSON {channel: MessageTemplate id} the message is rendered from."""
    params: Mapped[str | None] = mapped_column(Text)
    """JSON of extra placeholder values (e.g. a survey link)."""
    cost: Mapped[int] = mapped_column(Money, default=0, server_default="0")
    budget_line_id: Mapped[int | None] = mapped_column(ForeignKey("budget_lines.id"), index=True)
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    segments: Mapped[int | None] = mapped_column(SmallInteger)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(60))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer = relationship("Customer", foreign_keys=[customer_id])
    campaign = relationship("Campaign", foreign_keys=[campaign_id])
    events = relationship("MessageEvent", order_by="MessageEvent.id", lazy="select", viewonly=True)

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}"
