"""Care messages beyond the outbox row: templates per channel, each message's status history,
survey invitations and the providers' rotating tokens."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId, TimestampMixin, UTCDateTime, utcnow


class MessageTemplate(TimestampMixin, Base):
    """A message a channel may carry: the provider's template id, its parameters, its approval.

    ZNS templates and SMS brandname care templates are approved by Zalo and the carriers,
    not by us: ``status`` records their answer, and only an approved template is sent.
    """

    __tablename__ = "message_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), index=True)
    name: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(String(12), default="care")
    provider_template_id: Mapped[str | None] = mapped_column(String(64))
    """ZNS ``template_id``; for SMS the code of the carrier-registered template (informative)."""
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    """Our text with {name}-style placeholders: the SMS or email sent, the ZNS preview."""
    params: Mapped[str | None] = mapped_column(String(400))
    """ZNS ``template_data`` keys, comma separated, each ``key=placeholder`` or ``key``."""
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    note: Mapped[str | None] = mapped_column(Text)

    def __str__(self) -> str:
        return f"[{self.channel}] {self.name}"


class MessageEvent(Base):
    """One step in a message's life (queued, sending, sent, retry, fallback, delivered, refused…)."""

    __tablename__ = "message_events"
    __table_args__ = (Index("ix_message_events_message_at", "message_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str | None] = mapped_column(String(10))
    detail: Mapped[str | None] = mapped_column(Text)

    def __str__(self) -> str:
        return f"{self.status} {self.channel or ''}"


class SurveyInvite(Base):
    """A one-question survey sent after a resolution; its link is signed and works once."""

    __tablename__ = "survey_invites"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[str] = mapped_column(String(4), default="csat")
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("survey_answers.id"))

    customer = relationship("Customer", foreign_keys=[customer_id])
    complaint = relationship("Complaint", foreign_keys=[complaint_id])


class ProviderToken(Base):
    """The Zalo OA access token and its rotating refresh token (each refresh returns a new one)."""

    __tablename__ = "provider_tokens"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
