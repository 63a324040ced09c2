"""Products and orders with their lines."""

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, BigId, Money, TimestampMixin, VersionedMixin


class Product(TimestampMixin, Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("warranty_months >= 0", name="warranty_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    price: Mapped[int] = mapped_column(Money, default=0)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    warranty_months: Mapped[int] = mapped_column(Integer, default=12)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    search_text: Mapped[str] = mapped_column(String(300), default="", index=True)

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Order(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_customer_created", "customer_id", "created_at"),
        Index("ix_orders_created_customer", "created_at", "customer_id"),
        # the list's sortable columns (admin/views/orders.py): an ordered walk, not a sort of 2M orders
        Index("ix_orders_status", "status", "id"),
        Index("ix_orders_total", "total", "id"),
        Index("ix_orders_expected_delivery", "expected_delivery", "id"),
        CheckConstraint("total >= 0", name="total_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    status: Mapped[str] = mapped_column(String(10), default="new")
    invoice_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    total: Mapped[int] = mapped_column(Money, default=0)
    carrier: Mapped[str | None] = mapped_column(String(60))
    tracking_code: Mapped[str | None] = mapped_column(String(60), index=True)
    expected_delivery: Mapped[date | None] = mapped_column(Date)
    change_request: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    refunded_amount: Mapped[int] = mapped_column(Money, default=0, server_default="0")
    """VND given back so far (services.order_returns: never more than the total)."""
    return_reason: Mapped[str | None] = mapped_column(Text)

    customer = relationship("Customer", foreign_keys=[customer_id], lazy="joined")
    lines: Mapped[list["OrderLine"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )

    @property
    def code(self) -> str:
        return f"DH-{self.id:07d}" if self.id else "DH-?"

    def __str__(self) -> str:
        return self.code


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[int] = mapped_column(Money, default=0)

    order: Mapped[Order] = relationship(back_populates="lines")
    product = relationship("Product", lazy="joined")

    @property
    def amount(self) -> int:
        return (self.quantity or 0) * (self.unit_price or 0)

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product}"
