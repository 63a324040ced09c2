"""The declarative base, the shared column types and the ``db`` handle.

Timestamps are stored as naive UTC on every backend and come back timezone-aware,
so SQLite, PostgreSQL and MariaDB behave the same. Money is integer VND.
"""

from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, MetaData, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A datetime stored as naive UTC and returned aware (UTC)."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


Money = BigInteger().with_variant(Integer(), "sqlite")
"""Integer VND. SQLite's INTEGER is already 64-bit; the variant keeps autoincrement sane."""

BigId = BigInteger().with_variant(Integer(), "sqlite")
"""Primary keys of the big tables: SQLite needs INTEGER for its rowid alias."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """``row_version`` goes up with every ORM update and the UPDATE checks it (SQLAlchemy's
    ``version_id_col``): an edit form saved over a newer row is refused (admin/edit_conflicts.py)."""

    row_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.row_version}


class ApprovalMixin:
    """Who submitted and who decided, for the four-eyes rule (services.approvals)."""

    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str | None] = mapped_column(Text)

    @declared_attr
    def submitted_by(cls):
        return relationship("User", foreign_keys=[cls.submitted_by_id], lazy="joined")

    @declared_attr
    def decided_by(cls):
        return relationship("User", foreign_keys=[cls.decided_by_id], lazy="joined")
