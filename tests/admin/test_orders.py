"""Orders and products through the test client: create with lines, the transition endpoint, row
actions, scope, VND and dd/mm/yyyy in the list, product search without diacritics."""

import json
import re
from datetime import date

from sqlalchemy import func, select

from models import Order, Product
from services.products import prepare as prepare_product
from tests.factories import make_customer, make_order, make_product, make_team, make_user


def _team(db):
    team = make_team()
    agent = make_user("agent", team=team)
    customer = make_customer(owner=agent)
    product = make_product("Máy lọc nước", price=1_250_000, stock=5)
    db.session.commit()
    return team, agent, customer, product


def _fresh(db, model, pk):
    db.session.expire_all()
    return db.session.get(model, pk)


def test_create_with_lines_defaults_prices_and_ignores_a_typed_status(db, login_as):
    _, agent, customer, product = _team(db)
    client = login_as(agent)
    page = client.get(f"/admin/orders/new/?customer_id={customer.id}").get_data(as_text=True)
    assert 'name="status"' not in page and "name=orderline-product" in page
    assert re.search(rf'id="customer" name="customer" type="hidden" value="{customer.id}"', page)
    response = client.post(
        "/admin/orders/new/",
        {
            "customer": str(customer.id),
            "invoice_number": "HD-0001",
            "carrier": "GHN",
            "expected_delivery": "25/12/2026",
            "status": "delivered",
            "lines-0-product": str(product.id),
            "lines-0-quantity": "2",
            "lines-0-unit_price": "",
            "lines-1-product": str(product.id),
            "lines-1-quantity": "1",
            "lines-1-unit_price": "1.000.000",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    order = db.session.scalars(select(Order)).one()
    assert order.status == "new" and order.total == 3_500_000
    assert order.expected_delivery == date(2026, 12, 25)
    assert sorted(line.unit_price for line in order.lines) == [1_000_000, 1_250_000]


def test_a_zero_quantity_is_refused_and_the_form_keeps_what_was_typed(db, login_as):
    _, agent, customer, product = _team(db)
    client = login_as(agent)
    response = client.post(
        "/admin/orders/new/",
        {
            "customer": str(customer.id),
            "note": "Khách dặn giao buổi sáng",
            "lines-0-product": str(product.id),
            "lines-0-quantity": "0",
        },
    )
    assert response.status_code == 200
    assert "Khách dặn giao buổi sáng" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_list_shows_vnd_and_dates(db, login_as):
    _, agent, customer, product = _team(db)
    make_order(customer, [(product, 2)], expected_delivery=date(2026, 4, 30), tracking_code="GHN123")
    db.session.commit()
    html = login_as(agent).get("/admin/orders/").get_data(as_text=True)
    assert "2.500.000 ₫" in html and "30/04/2026" in html and "GHN123" in html


def test_transition_endpoint_confirms_and_takes_stock(db, login_as):
    _, agent, customer, product = _team(db)
    order = make_order(customer, [(product, 2)])
    db.session.commit()
    client = login_as(agent)
    details = client.get(f"/admin/orders/details/?id={order.id}").get_data(as_text=True)
    assert set(re.findall(r'data-status="([a-z_]+)"', details)) == {"confirmed", "cancelled"}
    response = client.post("/admin/orders/transition/", {"id": order.id, "to": "confirmed"})
    assert response.status_code == 302
    assert _fresh(db, Order, order.id).status == "confirmed"
    assert _fresh(db, Product, product.id).stock == 3


def test_refused_transitions_leave_the_order_and_stock_unchanged(db, login_as):
    _, agent, customer, product = _team(db)
    short = make_order(customer, [(product, 9)])
    db.session.commit()
    client = login_as(agent)
    client.post("/admin/orders/transition/", {"id": short.id, "to": "confirmed"})
    page = client.get(f"/admin/orders/details/?id={short.id}").get_data(as_text=True)
    assert "Máy lọc nước" in page and "alert-danger" in page
    client.post("/admin/orders/transition/", {"id": short.id, "to": "delivered"})
    no_csrf = client.post("/admin/orders/transition/", {"id": short.id, "to": "cancelled"}, csrf=False)
    assert no_csrf.status_code == 400
    saved = _fresh(db, Order, short.id)
    assert saved.status == "new" and _fresh(db, Product, product.id).stock == 5


def test_an_agent_of_another_team_gets_403_and_nothing_changes(db, login_as):
    _, _, customer, product = _team(db)
    order = make_order(customer, [(product, 1)])
    db.session.commit()
    stranger = login_as("agent")
    assert stranger.get(f"/admin/orders/details/?id={order.id}").status_code == 403
    assert order.code not in stranger.get("/admin/orders/").get_data(as_text=True)
    assert stranger.post("/admin/orders/transition/", {"id": order.id, "to": "confirmed"}).status_code == 403
    action = stranger.post("/admin/orders/action/", {"action": "to_confirmed", "rowid": [str(order.id)]})
    assert action.status_code == 403
    assert _fresh(db, Order, order.id).status == "new" and _fresh(db, Product, product.id).stock == 5


def test_row_action_moves_each_allowed_order_and_reports_the_rest(db, login_as):
    _, agent, customer, product = _team(db)
    fine = make_order(customer, [(product, 1)])
    too_big = make_order(customer, [(product, 50)])
    db.session.commit()
    client = login_as(agent)
    response = client.post(
        "/admin/orders/action/", {"action": "to_confirmed", "rowid": [str(fine.id), str(too_big.id)]}
    )
    assert response.status_code == 302
    assert _fresh(db, Order, fine.id).status == "confirmed"
    assert _fresh(db, Order, too_big.id).status == "new"
    assert _fresh(db, Product, product.id).stock == 4


def test_edit_cannot_change_lines_of_a_confirmed_order(db, login_as):
    _, agent, customer, product = _team(db)
    order = make_order(customer, [(product, 1)], status="confirmed")
    db.session.commit()
    line_id = order.lines[0].id
    client = login_as(agent)
    response = client.post(
        f"/admin/orders/edit/?id={order.id}",
        {
            "customer": str(customer.id),
            "tracking_code": "VN999",
            "lines-0-id": str(line_id),
            "lines-0-product": str(product.id),
            "lines-0-quantity": "4",
            "lines-0-unit_price": "1.250.000",
        },
    )
    assert response.status_code == 200
    saved = _fresh(db, Order, order.id)
    assert saved.lines[0].quantity == 1 and saved.tracking_code is None


def test_product_form_fills_search_text_and_search_ignores_diacritics(db, login_as):
    head = login_as("head")
    response = head.post(
        "/admin/products/new/",
        {"sku": "LOC-01", "name": "Lõi lọc nước RO", "price": "1.250.000", "stock": "7", "warranty_months": "6"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    product = db.session.scalars(select(Product)).one()
    assert product.price == 1_250_000 and product.search_text == " loc-01 loi loc nuoc ro"
    make_product("Quạt điều hòa")
    db.session.commit()
    html = head.get("/admin/products/?search=LOI+LOC").get_data(as_text=True)
    assert "Lõi lọc nước RO" in html and "Quạt điều hòa" not in html and "1.250.000 ₫" in html
    refused = head.post("/admin/products/new/", {"sku": "LOC-01", "name": "Trùng mã", "price": "-5"})
    assert refused.status_code == 200 and "Trùng mã" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Product)) == 2


def test_inline_product_lookup_finds_unaccented_names(db, login_as):
    _, agent, _, product = _team(db)
    prepare_product(product)
    prepare_product(make_product("Máy lọc đời cũ", active=False))
    db.session.commit()
    response = login_as(agent).get("/admin/orders/ajax/lookup/?name=orderline-product&query=may+loc")
    assert response.status_code == 200
    assert [row[0] for row in json.loads(response.get_data(as_text=True))] == [product.id]
