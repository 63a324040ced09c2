"""Gifts, campaigns and their runs."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import ApprovalMixin, Base, BigId, Money, TimestampMixin, UTCDateTime, VersionedMixin


class Campaign(ApprovalMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    audience: Mapped[str | None] = mapped_column(Text)
    """A saved customer filter as JSON, read by services.segments."""
    schedule_cron: Mapped[str | None] = mapped_column(String(120))
    occasion: Mapped[str | None] = mapped_column(String(14))
    channel: Mapped[str] = mapped_column(String(10), default="email")
    purpose: Mapped[str] = mapped_column(String(12), default="care", server_default="care")
    channel_order: Mapped[str | None] = mapped_column(String(40))
    """e.g. ``zns,sms,email``: the channels tried in turn; empty = the single ``channel`` above."""
    zns_template_id: Mapped[int | None] = mapped_column(ForeignKey("message_templates.id"))
    sms_template_id: Mapped[int | None] = mapped_column(ForeignKey("message_templates.id"))
    email_template_id: Mapped[int | None] = mapped_column(ForeignKey("message_templates.id"))
    message_subject: Mapped[str | None] = mapped_column(String(200))
    message_template: Mapped[str] = mapped_column(Text)
    gift_item: Mapped[str | None] = mapped_column(String(200))
    gift_value: Mapped[int] = mapped_column(Money, default=0)
    budget_line_id: Mapped[int | None] = mapped_column(ForeignKey("budget_lines.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    budget_line = relationship("BudgetLine", foreign_keys=[budget_line_id])
    team = relationship("Team", foreign_keys=[team_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    zns_template = relationship("MessageTemplate", foreign_keys=[zns_template_id])
    sms_template = relationship("MessageTemplate", foreign_keys=[sms_template_id])
    email_template = relationship("MessageTemplate", foreign_keys=[email_template_id])

    def __str__(self) -> str:
        return self.name


class Gift(ApprovalMixin, TimestampMixin, Base):
    __tablename__ = "gifts"
    __table_args__ = (
        UniqueConstraint("customer_id", "occasion", "year", "campaign_key"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    occasion: Mapped[str] = mapped_column(String(14), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    campaign_key: Mapped[int] = mapped_column(Integer, default=0)
    """Campaign id or 0: one gift per customer, occasion and year (per campaign)."""
    item: Mapped[str] = mapped_column(String(200))
    value: Mapped[int] = mapped_column(Money, default=0)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    budget_line_id: Mapped[int | None] = mapped_column(ForeignKey("budget_lines.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="planned", index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)

    customer = relationship("Customer", foreign_keys=[customer_id], lazy="joined")
    campaign = relationship("Campaign", foreign_keys=[campaign_id])
    budget_line = relationship("BudgetLine", foreign_keys=[budget_line_id])

    def __str__(self) -> str:
        return f"{self.item} → {self.customer.name if self.customer else '?'}"
