"""The customer aggregate: the customer, every interaction, the emotion notebook."""

from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, SmallInteger, String, Text, Time, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId, TimestampMixin, UTCDateTime, VersionedMixin, utcnow


class Customer(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_birthday_md", "birth_month", "birth_day"),
        Index("ix_customers_team_owner", "team_id", "owner_id"),
        # an agent's customers' birthdays this week (services.worklists.birthdays_between)
        Index("ix_customers_owner_birthday", "owner_id", "birth_month", "birth_day"),
        # a lead's team's birthdays today (services.inbox): the team alone is a third of a million rows
        Index("ix_customers_team_birthday", "team_id", "birth_month", "birth_day"),
        # a few values each, filtered and sorted in the list with the id as tie-breaker: (value, id) is
        # an ordered walk on PostgreSQL too (a bare (value) index left a sort of every row of one value)
        Index("ix_customers_kind", "kind", "id"),
        Index("ix_customers_potential", "potential", "id"),
        Index("ix_customers_is_vip", "is_vip", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    phone: Mapped[str] = mapped_column(String(15), unique=True)
    """Normalised national form, e.g. 0912345678 (services.validation.normalize_phone)."""
    alt_phone: Mapped[str | None] = mapped_column(String(15), index=True)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    address: Mapped[str | None] = mapped_column(String(255))
    province: Mapped[str | None] = mapped_column(String(60), index=True)
    birthday: Mapped[date | None] = mapped_column(Date)
    birth_month: Mapped[int | None] = mapped_column(SmallInteger)
    birth_day: Mapped[int | None] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(10), default="customer")
    potential: Mapped[str] = mapped_column(String(10), default="medium")
    is_vip: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    consent_contact: Mapped[bool] = mapped_column(Boolean, default=True)
    # consent per channel and purpose (services.messaging_rules): care is assumed, advertising is opt-in
    consent_care_zns: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    consent_care_sms: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    consent_care_email: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    consent_ads_zns: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    consent_ads_sms: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    consent_ads_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the customer last refused advertising (keyword or staff); every consent_ads_* is off since."""
    contact_from: Mapped[time | None] = mapped_column(Time)
    contact_to: Mapped[time | None] = mapped_column(Time)
    notes: Mapped[str | None] = mapped_column(Text)
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    search_text: Mapped[str] = mapped_column(String(400), default="", index=True)
    """Unaccented lower-case name, email and phone digits: what search matches."""

    owner = relationship("User", foreign_keys=[owner_id], lazy="joined")
    team = relationship("Team", foreign_keys=[team_id], lazy="joined")
    interactions: Mapped[list["Interaction"]] = relationship(
        back_populates="customer", order_by="Interaction.occurred_at.desc()", lazy="dynamic"
    )
    emotions: Mapped[list["EmotionEntry"]] = relationship(
        back_populates="customer", order_by="EmotionEntry.created_at.desc()", lazy="dynamic"
    )
    tags: Mapped[list["CustomerTag"]] = relationship(cascade="all, delete-orphan", order_by="CustomerTag.tag_key")

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})"


class CustomerSearchKey(Base):
    """A word, or a suffix of a run of digits, of a customer's ``search_text``: MariaDB's search index.

    Kept by services/search_keys.py on MariaDB only (SQLite and PostgreSQL have index types that
    serve ``LIKE '% word%'`` themselves; there the table stays empty). ``search_text`` is a copy, so
    the rarest word of a search narrows its matches without reading the customers' rows.
    """

    __tablename__ = "customer_search_keys"
    __table_args__ = (Index("ix_customer_search_keys_customer", "customer_id"),)

    kind: Mapped[str] = mapped_column(String(1), primary_key=True)
    """"w" a word, "d" a suffix (3+ digits) of a run of digits."""
    key_text: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    search_text: Mapped[str] = mapped_column(String(400))


class CustomerTag(Base):
    """A label a person put on a customer ("Đại lý", "Khách sỉ"), for campaign audiences (services.customer_tags).

    ``tag_key`` is the folded form (services.text.fold): one tag per customer and spelling, and the
    same matches on the three databases whatever their collation.
    """

    __tablename__ = "customer_tags"
    __table_args__ = (Index("ix_customer_tags_key", "tag_key"),)

    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    tag_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40))


class Interaction(Base):
    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_time_customer", "occurred_at", "customer_id"),
        Index("ix_interactions_customer_time", "customer_id", "occurred_at"),
        Index("ix_interactions_agent_time", "agent_id", "occurred_at"),
        Index("ix_interactions_channel", "channel", "id"),  # filtered and sorted in the list, id as tie-breaker
        # the list's order (newest first, id as tie-breaker): PostgreSQL walks it index-only to a deep page
        # instead of sorting each run of equal times (InnoDB and SQLite keep the id in every index anyway)
        Index("ix_interactions_time_id", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    direction: Mapped[str] = mapped_column(String(10), default="inbound")
    summary: Mapped[str] = mapped_column(Text)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(12))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)

    customer: Mapped[Customer] = relationship(back_populates="interactions")
    agent = relationship("User", foreign_keys=[agent_id])
    complaint = relationship("Complaint", foreign_keys=[complaint_id])

    def __str__(self) -> str:
        return f"{self.channel} {self.occurred_at:%d/%m/%Y}"


class CallLogToken(Base):
    """The one-time token of a rendered call-log form (services.call_log): a second submit of the same
    form finds its token taken and logs nothing. The primary key makes two submits at once collide."""

    __tablename__ = "call_log_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EmotionEntry(Base):
    __tablename__ = "emotion_entries"
    __table_args__ = (
        Index("ix_emotion_entries_customer_time", "customer_id", "created_at"),
        # the dashboard's moods of a period (services.kpi.report.mood_distribution), read from the index alone
        Index("ix_emotion_entries_time_mood", "created_at", "mood", "author_id", "customer_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    mood: Mapped[str] = mapped_column(String(12), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    next_care: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    customer: Mapped[Customer] = relationship(back_populates="emotions")
    author = relationship("User", foreign_keys=[author_id])

    def __str__(self) -> str:
        return f"{self.mood} {self.created_at:%d/%m/%Y}"
