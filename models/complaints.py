"""Complaints, support and warranty requests (seed 003 §7) and the SLA table."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId, TimestampMixin, UTCDateTime, VersionedMixin, utcnow


class SlaRule(TimestampMixin, Base):
    """Hours to resolve a request of a priority; the head edits this table."""

    __tablename__ = "sla_rules"
    __table_args__ = (CheckConstraint("hours > 0", name="hours_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    priority: Mapped[str] = mapped_column(String(10), unique=True)
    hours: Mapped[int] = mapped_column(Integer)

    def __str__(self) -> str:
        return f"{self.priority}: {self.hours}h"


class Complaint(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint("satisfaction IS NULL OR (satisfaction BETWEEN 1 AND 5)", name="satisfaction_range"),
        Index("ix_complaints_status_due", "status", "due_at"),
        # the list's sortable columns (admin/views/complaints.py), id as tie-breaker: an ordered walk, no sort
        Index("ix_complaints_subject", "subject", "id"),
        Index("ix_complaints_priority", "priority", "id"),
        Index("ix_complaints_status", "status", "id"),
        # an agent's open requests by due time (services.worklists); its prefix serves assignee_id alone
        Index("ix_complaints_assignee_status_due", "assignee_id", "status", "due_at"),
        Index("ix_complaints_customer_opened", "customer_id", "opened_at"),
        Index("ix_complaints_opened_cover", "opened_at", "resolved_at", "category", "team_id"),
        Index("ix_complaints_team_status_due", "team_id", "status", "due_at"),
        # a team's requests whose wait for the customer is over, oldest first (services.inbox)
        Index("ix_complaints_team_status_updated", "team_id", "status", "updated_at"),
        # an agent's figures of a period: requests assigned to them, opened in it (services.kpi.catalog)
        Index("ix_complaints_assignee_opened", "assignee_id", "opened_at", "resolved_at", "category"),
        # The open backlog (services.kpi.windows.open_at): only the open requests on SQLite and PostgreSQL
        # (partial), a lookup on (NULL, NULL) on MySQL/MariaDB, which has no partial indexes.
        Index(
            "ix_complaints_open",
            "resolved_at",
            "closed_at",
            "team_id",
            "assignee_id",
            "opened_at",
            "due_at",
            sqlite_where=text("resolved_at IS NULL AND closed_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL AND closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(10), default="complaint", index=True)
    subject: Mapped[str] = mapped_column(String(200))
    subject_folded: Mapped[str | None] = mapped_column(String(200))
    """The subject lower case without accents (services.text.fold): what the list's search matches.
    Kept by services.clean_writes on every flush."""
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20), default="other", index=True)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    status: Mapped[str] = mapped_column(String(12), default="new")
    channel: Mapped[str | None] = mapped_column(String(10))
    resolution_plan: Mapped[str | None] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    escalated_to: Mapped[str | None] = mapped_column(String(120))
    """Who it was escalated to: the team lead or another department, in words."""
    escalated_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    """Why it was escalated, in the words of who escalated it (required: services.complaints.escalate)."""
    resolution: Mapped[str | None] = mapped_column(Text)
    first_contact_resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    reopened_count: Mapped[int] = mapped_column(SmallInteger, default=0)
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)

    customer = relationship("Customer", foreign_keys=[customer_id], lazy="joined")
    assignee = relationship("User", foreign_keys=[assignee_id], lazy="joined")
    escalated_to_user = relationship("User", foreign_keys=[escalated_to_id])
    team = relationship("Team", foreign_keys=[team_id])
    order = relationship("Order", foreign_keys=[order_id])
    product = relationship("Product", foreign_keys=[product_id])

    @property
    def code(self) -> str:
        return f"KN-{self.id:06d}" if self.id else "KN-?"

    def __str__(self) -> str:
        return f"{self.code} {self.subject}"
