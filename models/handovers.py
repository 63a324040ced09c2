"""A staff hand-over, kept with exactly what moved so that it can be undone the same day."""

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow


class Handover(Base):
    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    leaver_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    moved: Mapped[str] = mapped_column(Text)
    """JSON: {"customers": [[id, team id before], …], "complaints": [[id, team id before], …],
    "appointments": [id, …], "gifts": [id, …]} (gifts follow their customer; listed for the record)."""
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    leaver = relationship("User", foreign_keys=[leaver_id])
    successor = relationship("User", foreign_keys=[successor_id])
    actor = relationship("User", foreign_keys=[actor_id])

    def __str__(self) -> str:
        return f"{self.leaver.name if self.leaver else '?'} → {self.successor.name if self.successor else '?'}"
