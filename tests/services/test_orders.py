"""The order workflow: allowed and refused transitions, stock at confirmation, totals, form rules."""

import pytest
from sqlalchemy import func, select

from models import AuditLog, Order, OrderLine, Product
from services import orders
from services.errors import InvalidTransition, NotAllowed, ValidationError
from tests.factories import make_customer, make_order, make_product, make_team, make_user


def _setup(db, stock_a=10, stock_b=5):
    agent = make_user("agent")
    customer = make_customer(owner=agent)
    a = make_product("Máy lọc nước", price=2_000_000, stock=stock_a)
    b = make_product("Lõi lọc", price=150_000, stock=stock_b)
    order = make_order(customer, [(a, 2), (b, 3)])
    db.session.commit()
    return agent, order, a, b


def _stock(db, product):
    db.session.expire_all()
    return db.session.get(Product, product.id).stock


def test_the_whole_happy_path_is_audited(db):
    agent, order, a, b = _setup(db)
    for status in ("confirmed", "shipped", "delivered", "returned", "refunded"):
        orders.transition(order, status, agent)
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "refunded"
    logged = db.session.scalars(select(AuditLog.changes).where(AuditLog.action == "transition")).all()
    assert len(logged) == 5 and '"refunded"' in logged[-1]
    assert _stock(db, a) == 8 and _stock(db, b) == 2


@pytest.mark.parametrize(
    ("start", "target"),
    [("new", "shipped"), ("new", "delivered"), ("shipped", "cancelled"), ("cancelled", "confirmed"),
     ("refunded", "new"), ("delivered", "shipped")],
)  # fmt: skip
def test_refused_transitions_change_nothing(db, start, target):
    agent, order, a, _ = _setup(db)
    order.status = start
    db.session.commit()
    with pytest.raises(InvalidTransition):
        orders.transition(order, target, agent)
    db.session.rollback()
    assert db.session.get(Order, order.id).status == start
    assert _stock(db, a) == 10
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_confirming_takes_stock_for_every_line_and_cancelling_puts_it_back(db):
    agent, order, a, b = _setup(db)
    orders.transition(order, "confirmed", agent)
    db.session.commit()
    assert (_stock(db, a), _stock(db, b)) == (8, 2)
    orders.transition(db.session.get(Order, order.id), "cancelled", agent)
    db.session.commit()
    assert (_stock(db, a), _stock(db, b)) == (10, 5)


def test_cancelling_a_new_order_leaves_stock_alone(db):
    agent, order, a, _ = _setup(db)
    orders.transition(order, "cancelled", agent)
    db.session.commit()
    assert _stock(db, a) == 10


def test_short_stock_names_the_product_and_changes_nothing(db):
    agent, order, a, b = _setup(db, stock_a=10, stock_b=2)
    with pytest.raises(ValidationError) as caught:
        orders.transition(order, "confirmed", agent)
    messages = " ".join(str(m) for m in caught.value.errors["lines"])
    assert "Lõi lọc" in messages and "Máy lọc nước" not in messages
    db.session.rollback()
    assert db.session.get(Order, order.id).status == "new"
    assert (_stock(db, a), _stock(db, b)) == (10, 2)


def test_two_lines_of_one_product_are_checked_together(db):
    agent = make_user("agent")
    customer = make_customer(owner=agent)
    a = make_product(stock=3)
    order = make_order(customer, [(a, 2), (a, 2)])
    db.session.commit()
    with pytest.raises(ValidationError):
        orders.transition(order, "confirmed", agent)
    db.session.rollback()
    assert _stock(db, a) == 3


def test_an_empty_order_cannot_be_confirmed(db):
    agent = make_user("agent")
    order = make_order(make_customer(owner=agent))
    db.session.commit()
    with pytest.raises(ValidationError) as caught:
        orders.transition(order, "confirmed", agent)
    assert "lines" in caught.value.errors


def test_an_agent_of_another_team_may_not_move_the_order(db):
    _, order, a, _ = _setup(db)
    stranger = make_user("agent", team=make_team())
    db.session.commit()
    with pytest.raises(NotAllowed):
        orders.transition(order, "confirmed", stranger)
    db.session.rollback()
    assert db.session.get(Order, order.id).status == "new" and _stock(db, a) == 10


def test_prepare_fills_prices_recomputes_the_total_and_refuses_bad_lines(db):
    agent = make_user("agent")
    customer = make_customer(owner=agent)
    a = make_product(price=1_250_000)
    db.session.commit()
    order = Order(customer_id=customer.id, invoice_number="  ", carrier=" GHN ")
    order.lines.append(OrderLine(product=a, quantity=2, unit_price=None))
    order.lines.append(OrderLine(product=a, quantity=1, unit_price=1_000_000))
    orders.prepare(order)
    assert order.total == 3_500_000 and order.lines[0].unit_price == 1_250_000
    assert order.invoice_number is None and order.carrier == "GHN" and order.status == "new"
    order.lines.append(OrderLine(product=a, quantity=0))
    with pytest.raises(ValidationError) as caught:
        orders.prepare(order)
    assert "lines" in caught.value.errors


def test_lines_are_fixed_once_confirmed(db):
    agent, order, a, _ = _setup(db)
    orders.transition(order, "confirmed", agent)
    db.session.commit()
    order = db.session.get(Order, order.id)
    orders.prepare(order)  # untouched lines are fine
    order.lines[0].quantity = 5
    with pytest.raises(ValidationError) as caught:
        orders.prepare(order)
    assert "lines" in caught.value.errors
    db.session.rollback()
    assert db.session.get(Order, order.id).lines[0].quantity == 2


def test_recompute_total(db):
    _, order, _, _ = _setup(db)
    order.lines[1].quantity = 1
    assert orders.recompute_total(order) == 2 * 2_000_000 + 150_000 == order.total
