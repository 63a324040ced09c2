"""People and teams: staff accounts, their role and team."""

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Money, TimestampMixin, UTCDateTime


def new_session_token() -> str:
    return secrets.token_hex(16)


class Team(TimestampMixin, Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True, name="fk_teams_lead_id_users"), index=True
    )
    gift_allowance: Mapped[int] = mapped_column(Money, default=500_000)
    """Largest single gift value (VND) the team lead may approve alone."""

    lead: Mapped["User | None"] = relationship(foreign_keys=[lead_id], post_update=True)
    members: Mapped[list["User"]] = relationship(back_populates="team", foreign_keys="User.team_id")

    def __str__(self) -> str:
        return self.name


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    """Part of the login cookie: changing it ends every session of this user."""
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phone: Mapped[str | None] = mapped_column(String(15))

    team: Mapped[Team | None] = relationship(back_populates="members", foreign_keys=[team_id])

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
