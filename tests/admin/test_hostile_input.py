"""Hostile input gets a clear Vietnamese message, never a 500 or a driver's text, and changes nothing:
control characters in forms, searches, filters and lookups; absurd paging; numbers no column holds;
an oversized request (refused by its Content-Length, on a real server)."""

import socket
import threading
import time

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from admin.base import SecureModelView
from models import Customer, Interaction, Product
from services import access
from services.errors import ValidationError
from tests.admin.test_permissions import digest
from tests.factories import make_customer, make_product, make_user
from tests.world import build_world

CONTROL_VI = "ký tự điều khiển"
RAW = ("Traceback", "psycopg", "pymysql", "sqlite3", "DataError", "OverflowError", "NUL (0x00)", "SELECT ")


def _views(app):
    return [v for v in app.extensions["cskh_admin"]._views if isinstance(v, SecureModelView)]


def _clean(response, label):
    assert response.status_code < 500, f"{label}: {response.status_code}"
    html = response.get_data(as_text=True)
    for raw in RAW:
        assert raw not in html, f"{label}: {raw} in the answer"
    return html


def test_control_characters_in_search_filters_and_lookups_of_every_list(app, db, login_as):
    w = build_world()
    client = login_as(w["users"]["head"])
    before = digest(db)
    for view in _views(app):
        base = f"/admin/{view.endpoint}/"
        if client.get(base).status_code != 200 or "index_view" in type(view).__dict__:
            continue  # a list of its own (the jobs page) reads no search or filter
        for term in ("%00", "an%00", "%01x", "%1B[31m", "%C2%85"):
            html = _clean(client.get(f"{base}?search={term}"), f"{base} search {term}")
            assert CONTROL_VI in html, f"{base} search {term}: no message"
        for arg in list(view._filter_args or {})[:40]:
            html = _clean(client.get(f"{base}?flt0_{arg}=a%00b"), f"{base} filter {arg}")
            assert CONTROL_VI in html, f"{base} filter {arg}: no message"
        may_look_up = access.allowed(client.user, view.resource, "create") or access.allowed(
            client.user, view.resource, "edit"
        )
        for name in getattr(view, "_form_ajax_refs", {}) or {}:
            response = client.get(f"{base}ajax/lookup/?name={name}&query=an%00")
            assert response.status_code == (400 if may_look_up else 403), f"{base} lookup {name}"
            if may_look_up:
                assert CONTROL_VI in response.get_json()["error"]
    assert digest(db) == before


def test_paging_arguments_are_clamped(app, db, login_as):
    w = build_world()
    client = login_as(w["users"]["head"])
    huge = "9" * 30
    for view in _views(app):
        base = f"/admin/{view.endpoint}/"
        if client.get(base).status_code != 200:
            continue
        for query in (
            "page=-1",
            f"page={huge}",
            f"page=-{huge}",
            "page=abc",
            "page_size=abc",
            f"page_size={huge}",
            "page_size=-5",
            f"sort={huge}",
            "sort=-3&desc=1",
            f"after={huge}",
            "after=%00",
            f"page=3&after={huge}",
        ):
            _clean(client.get(f"{base}?{query}"), f"{base}?{query}")
    html = _clean(client.get("/admin/customers/?page=-1"), "page=-1")
    assert "Khách agent11@w.vn" in html  # the first page, not an empty or broken one


def test_ids_that_cannot_be_keys_never_reach_the_database(app, db, login_as):
    w = build_world()
    client = login_as(w["users"]["head"])
    before = digest(db)
    for view in _views(app):
        base = f"/admin/{view.endpoint}/"
        for raw in ("9" * 30, "%00", "1%00", "-1", "abc", "1e999"):
            _clean(client.get(f"{base}details/?id={raw}"), f"{base} details {raw}")
            _clean(client.get(f"{base}edit/?id={raw}"), f"{base} edit {raw}")
            _clean(client.post(f"{base}delete/", {"id": raw}), f"{base} delete {raw}")
    for raw in ("9" * 30, "%00"):
        for path in ("complaints/new/", "orders/new/", "appointments/new/", "interactions/new/", "surveys/new/"):
            _clean(client.get(f"/admin/{path}?customer_id={raw}"), f"{path} customer_id={raw}")
        _clean(client.get(f"/admin/staff/handover/?id={raw}"), f"handover {raw}")
        _clean(client.get(f"/admin/customers/ajax/lookup/?name=owner&query=a&offset={raw}"), "lookup offset")
    assert digest(db) == before


def test_a_thirty_digit_stock_is_a_field_error(app, db, login_as):
    head = make_user("head")
    db.session.commit()
    client = login_as(head)
    before = digest(db)
    for stock in ("9" * 30, str(2**31), "-" + "9" * 30):
        html = _clean(
            client.post(
                "/admin/products/new/", {"sku": "SP-1", "name": "Máy lọc", "price": "1.000.000", "stock": stock}
            ),
            f"stock {stock}",
        )
        assert "Phải là số" in html, html[:3000]
        assert 'value="' + stock + '"' in html  # the form keeps the input
    assert digest(db) == before
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0


def test_every_write_checks_range_and_control_characters_on_every_database(app, db):
    product = make_product(stock=1)
    db.session.commit()
    product.stock = 10**30
    with pytest.raises(ValidationError) as caught:
        db.session.flush()
    assert "stock" in caught.value.errors
    db.session.rollback()
    customer = make_customer("Bình thường")
    db.session.commit()
    customer.name = "An\x00 Bình"
    with pytest.raises(ValidationError) as caught:
        db.session.commit()
    assert "name" in caught.value.errors
    db.session.rollback()
    assert db.session.get(Customer, customer.id).name == "Bình thường"


def test_nul_in_a_form_and_a_quick_form_is_a_field_message(app, db, login_as):
    w = build_world()
    agent = w["users"]["agent11"]
    customer = db.session.scalar(select(Customer).where(Customer.owner_id == agent.id))
    client = login_as(w["users"]["head"])
    before = digest(db)
    html = _clean(
        client.post("/admin/customers/new/", {"name": "Lan\x00 Anh", "phone": "0912000111", "kind": "customer"}),
        "customer form",
    )
    assert CONTROL_VI in html
    html = _clean(
        client.post(
            "/admin/customers/360/log/",
            {"id": customer.id, "channel": "phone", "summary": "gọi\x00 lại", "direction": "inbound"},
        ),
        "quick form",
    )
    assert CONTROL_VI in html
    assert digest(db) == before
    assert db.session.scalar(select(func.count()).select_from(Interaction).where(Interaction.summary.like("%lại"))) == 0


def test_agent_new_customer_form_defaults_the_owner_and_explains_a_missing_one(app, db, login_as):
    agent = make_user("agent", name="Nhân Viên Mười")
    db.session.commit()
    client = login_as(agent)
    form = client.get("/admin/customers/new/").get_data(as_text=True)
    assert "Nhân Viên Mười" in form  # the owner field starts with the agent
    before = digest(db)
    response = client.post("/admin/customers/new/", {"name": "Khách mới", "phone": "0912000222", "kind": "customer"})
    html = _clean(response, "agent create without owner")
    assert response.status_code == 200 and "Khách mới" in html and "tự phụ trách" in html
    assert digest(db) == before
    response = client.post(
        "/admin/customers/new/", {"name": "Khách mới", "phone": "0912000222", "kind": "customer", "owner": agent.id}
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Customer).where(Customer.phone == "0912000222"))
    assert created.owner_id == agent.id and created.team_id == agent.team_id


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=10)


def test_a_50_mb_anonymous_post_is_refused_without_being_read(app, db, live_server):
    assert app.config["MAX_CONTENT_LENGTH"] < 50 * 1024 * 1024
    before = digest(db)
    size = 50 * 1024 * 1024
    with socket.create_connection(("127.0.0.1", live_server), timeout=10) as conn:
        conn.sendall(
            (
                "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {size}\r\n\r\n"
            ).encode()
            + b"email="
            + b"a" * 65_536
        )
        started = time.monotonic()
        answer = b""
        while b"\r\n\r\n" not in answer:  # the rest of the 50 MB is never sent: the answer must not wait for it
            chunk = conn.recv(65_536)
            if not chunk:
                break
            answer += chunk
        assert time.monotonic() - started < 5
    status = answer.split(b"\r\n", 1)[0]
    assert b" 413 " in status, answer[:300]
    assert digest(db) == before
