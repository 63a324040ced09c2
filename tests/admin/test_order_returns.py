"""The return / refund form: no one-click refund, field errors in place with nothing changed, then done."""

from models import Order
from services import orders
from tests.factories import make_customer, make_order, make_product, make_user


def _delivered(db):
    agent = make_user("agent")
    customer = make_customer(owner=agent)
    order = make_order(customer, [(make_product(price=1_000_000, stock=5), 2)])
    db.session.commit()
    for status in ("confirmed", "shipped", "delivered"):
        orders.transition(order, status, agent)
    db.session.commit()
    return agent, order


def test_refund_asks_reason_amount_and_confirmation(db, login_as):
    agent, order = _delivered(db)
    client = login_as(agent)
    details = client.get(f"/admin/orders/details/?id={order.id}").get_data(as_text=True)
    assert f"/admin/orders/return/?id={order.id}&amp;kind=refunded" in details and "Dòng đơn hàng" in details
    one_click = client.post("/admin/orders/transition/", {"id": order.id, "to": "refunded"})
    assert one_click.status_code == 303 and "/admin/orders/return/" in one_click.headers["Location"]
    refused = client.post(
        "/admin/orders/return/", {"id": order.id, "kind": "refunded", "reason": "Trầy xước", "amount": "3.000.000"}
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "2.000.000" in html and 'value="3.000.000"' in html
    db.session.expire_all()
    assert (db.session.get(Order, order.id).status, db.session.get(Order, order.id).refunded_amount) == ("delivered", 0)
    done = client.post(
        "/admin/orders/return/",
        {"id": order.id, "kind": "refunded", "reason": "Trầy xước", "amount": "800.000", "confirm": "y"},
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert (db.session.get(Order, order.id).status, db.session.get(Order, order.id).refunded_amount) == (
        "refunded",
        800_000,
    )


def test_another_agents_order_cannot_be_refunded(db, login_as):
    _, order = _delivered(db)
    stranger = login_as(make_user("agent"))
    response = stranger.post(
        "/admin/orders/return/",
        {"id": order.id, "kind": "refunded", "reason": "Trầy xước", "amount": "800.000", "confirm": "y"},
    )
    assert response.status_code in (403, 404)
    db.session.expire_all()
    assert db.session.get(Order, order.id).status == "delivered"


def test_the_360_page_links_order_codes(db, login_as):
    agent, order = _delivered(db)
    html = login_as(agent).get(f"/admin/customers/details/?id={order.customer_id}").get_data(as_text=True)
    assert f'href="/admin/orders/details/?id={order.id}">{order.code}</a>' in html
