"""The append-only audit log."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId, UTCDateTime, utcnow


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor: Mapped[str | None] = mapped_column(String(254))
    """Email as typed (failed logins) or of the user, kept even if the account goes."""
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    ip: Mapped[str | None] = mapped_column(String(45), index=True)
    action: Mapped[str] = mapped_column(String(20), index=True)
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(60))
    changes: Mapped[str | None] = mapped_column(Text)
    """JSON: {field: [before, after]} for updates, details for other actions."""
    detail: Mapped[str | None] = mapped_column(Text)

    user = relationship("User", foreign_keys=[user_id])

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor} {self.action}"
