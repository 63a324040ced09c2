"""Survey answers: CSAT 1–5 and NPS 0–10."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId, UTCDateTime, utcnow


class SurveyAnswer(Base):
    __tablename__ = "survey_answers"
    __table_args__ = (
        CheckConstraint("csat IS NULL OR (csat BETWEEN 1 AND 5)", name="csat_range"),
        CheckConstraint("nps IS NULL OR (nps BETWEEN 0 AND 10)", name="nps_range"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    csat: Mapped[int | None] = mapped_column(SmallInteger)
    nps: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    customer = relationship("Customer", foreign_keys=[customer_id], lazy="joined")
    complaint = relationship("Complaint", foreign_keys=[complaint_id])
    order = relationship("Order", foreign_keys=[order_id])

    def __str__(self) -> str:
        return f"CSAT {self.csat} / NPS {self.nps}"
