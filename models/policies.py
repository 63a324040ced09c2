"""Policies, one row per version: editing a published version makes a new draft."""

from datetime import date

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import ApprovalMixin, Base, TimestampMixin, VersionedMixin


class Policy(ApprovalMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    """The policy across its versions, e.g. BH-01."""
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), index=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    channels: Mapped[str | None] = mapped_column(String(120))
    """Comma-separated channel codes it is published to (models.choices.PUBLISH_CHANNELS)."""
    effective_from: Mapped[date | None] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    return_days: Mapped[int | None] = mapped_column()
    """A return policy's window: days after delivery an order may be returned (services.order_returns)."""
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    author = relationship("User", foreign_keys=[author_id])

    def __str__(self) -> str:
        return f"{self.code} v{self.version} {self.title}"
