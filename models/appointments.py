"""Appointments, call-backs and agent tasks made by the jobs (follow-ups, check-ins)."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId, TimestampMixin, UTCDateTime, VersionedMixin


class Appointment(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "appointments"
    __table_args__ = (Index("ix_appointments_agent_time", "agent_id", "starts_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(14), default="call_back", index=True)
    purpose: Mapped[str] = mapped_column(String(255))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(default=15)
    customer_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    """The customer asked for this time, so the quiet-hours rule does not apply."""
    status: Mapped[str] = mapped_column(String(10), default="planned", index=True)
    outcome: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[int | None] = mapped_column()
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    """Set by the jobs: one follow-up per complaint, one check-in per customer per date."""

    customer = relationship("Customer", foreign_keys=[customer_id], lazy="joined")
    agent = relationship("User", foreign_keys=[agent_id], lazy="joined")
    complaint = relationship("Complaint", foreign_keys=[complaint_id])

    def __str__(self) -> str:
        return f"{self.purpose} {self.starts_at:%d/%m/%Y %H:%M}"
