"""Returns and refunds: reason, amount (refund ≤ paid, partial allowed), confirmation, the return window of
the policy in force; audited; a refusal leaves the order as it was."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import AuditLog, Order, Policy
from services import order_returns, orders
from services.errors import ValidationError
from tests.factories import make_customer, make_order, make_product, make_user


def _delivered(db):
    agent = make_user("agent")
    customer = make_customer(owner=agent)
    product = make_product(price=1_000_000, stock=5)
    order = make_order(customer, [(product, 2)])
    db.session.commit()
    for status in ("confirmed", "shipped", "delivered"):
        orders.transition(order, status, agent)
    db.session.commit()
    return agent, order


def _state(db, order_id):
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    return (
        order.status,
        order.refunded_amount,
        order.return_reason,
        db.session.scalar(select(func.count()).select_from(AuditLog)),
    )


def test_a_partial_refund_then_the_rest_never_more_than_paid(db):
    agent, order = _delivered(db)
    order_returns.apply(order, "refunded", agent, reason="Máy trầy xước", amount="500.000", confirmed=True)
    db.session.commit()
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert (order.status, order.refunded_amount, order.return_reason) == ("refunded", 500_000, "Máy trầy xước")
    logged = db.session.scalars(select(AuditLog.changes).where(AuditLog.detail == "refunded")).one()
    assert "500000" in logged and "Máy trầy xước" in logged
    assert order_returns.refundable(order) == 1_500_000


@pytest.mark.parametrize(
    ("reason", "amount", "confirmed", "field"),
    [
        ("Khách đổi ý", "2.000.001", True, "amount"),  # more than paid
        ("Khách đổi ý", "0", True, "amount"),
        ("Khách đổi ý", "abc", True, "amount"),
        ("", "100.000", True, "reason"),
        ("Khách đổi ý", "100.000", False, "confirm"),
    ],
)
def test_refusals_name_the_field_and_change_nothing(db, reason, amount, confirmed, field):
    agent, order = _delivered(db)
    before = _state(db, order.id)
    order = db.session.get(Order, order.id)
    with pytest.raises(ValidationError) as caught:
        order_returns.apply(order, "refunded", agent, reason=reason, amount=amount, confirmed=confirmed)
    db.session.rollback()
    assert field in caught.value.errors
    assert _state(db, order.id) == before


def test_the_return_window_of_the_policy_in_force(db, app):
    agent, order = _delivered(db)
    delivered = order_returns.delivered_on(order)
    db.session.add(Policy(code="DT-01", title="Đổi trả 3 ngày", kind="return", body="…", status="published",
                          return_days=3, effective_from=delivered - timedelta(days=30)))  # fmt: skip
    db.session.commit()
    assert order_returns.return_days(delivered) == 3
    before = _state(db, order.id)
    order = db.session.get(Order, order.id)
    with pytest.raises(ValidationError) as caught:
        order_returns.apply(order, "returned", agent, reason="Lỗi nhà sản xuất", amount="2.000.000",
                            confirmed=True, today=delivered + timedelta(days=4))  # fmt: skip
    db.session.rollback()
    assert "kind" in caught.value.errors and "3" in str(caught.value.errors["kind"][0])
    assert _state(db, order.id) == before
    order = db.session.get(Order, order.id)
    order_returns.apply(order, "returned", agent, reason="Lỗi nhà sản xuất", amount="2.000.000", confirmed=True,
                        today=delivered + timedelta(days=3))  # fmt: skip
    db.session.commit()
    assert _state(db, order.id)[0] == "returned"


def test_without_a_policy_the_setting_decides(db, app):
    app.config["RETURN_WINDOW_DAYS"] = 10
    assert order_returns.return_days(date(2026, 1, 1)) == 10
