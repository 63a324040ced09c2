"""Quarterly care budgets and their lines (planned and spent VND)."""

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import ApprovalMixin, Base, Money, TimestampMixin, VersionedMixin


class Budget(ApprovalMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "budgets"
    __table_args__ = (
        UniqueConstraint("quarter", "team_key"),
        CheckConstraint("quarter_no BETWEEN 1 AND 4", name="quarter_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    quarter_no: Mapped[int] = mapped_column()
    quarter: Mapped[str] = mapped_column(String(7), index=True)
    """``2026-Q4``: kept beside year and number so lists sort and filter on one column."""
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    team_key: Mapped[int] = mapped_column(default=0)
    """team_id or 0 for the department-wide budget; makes (quarter, team) unique on every backend."""
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    team = relationship("Team", foreign_keys=[team_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    lines: Mapped[list["BudgetLine"]] = relationship(
        back_populates="budget", cascade="all, delete-orphan", order_by="BudgetLine.id"
    )

    @property
    def planned_total(self) -> int:
        return sum(line.planned for line in self.lines)

    @property
    def spent_total(self) -> int:
        return sum(line.spent for line in self.lines)

    def __str__(self) -> str:
        return f"{self.quarter} {self.title}"


class BudgetLine(Base):
    __tablename__ = "budget_lines"
    __table_args__ = (
        CheckConstraint("planned >= 0", name="planned_not_negative"),
        CheckConstraint("spent >= 0", name="spent_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(10), index=True)
    description: Mapped[str] = mapped_column(String(200))
    planned: Mapped[int] = mapped_column(Money, default=0)
    spent: Mapped[int] = mapped_column(Money, default=0)

    budget: Mapped[Budget] = relationship(back_populates="lines")

    @property
    def remaining(self) -> int:
        return (self.planned or 0) - (self.spent or 0)

    def __str__(self) -> str:
        quarter = self.budget.quarter if self.budget else "?"
        return f"{quarter} · {self.description}"
