"""Panels over an existing shop database: list, search, filter, edit, refusals, row scope, audit, links."""

# ruff: noqa: F811 - the fixtures imported from tests.panel_world are parameters here

import re

from flask_admin.contrib.sqla.filters import FilterEqual
from sqlalchemy import select

from models import AuditLog, db
from services import panel as panel_rules
from tests.factories import make_customer, make_user
from tests.panel_world import AGENT_EMAIL, OTHER_EMAIL, login, panel_app, scalar, shop_engine, shop_url  # noqa: F401

ORDERS = "/admin/panel/shop_orders/"


def _view(app, endpoint):
    return next(v for v in app.extensions["cskh_admin"]._views if v.endpoint == endpoint)


def _order_id(engine, note_like: str) -> int:
    return scalar(engine, "SELECT id FROM ext_shop_orders WHERE total = :t", t=note_like)


def _audits(object_type):
    db.session.expire_all()
    return list(db.session.scalars(select(AuditLog).where(AuditLog.object_type == object_type).order_by(AuditLog.id)))


def test_head_lists_searches_and_filters_external_rows(panel_app, shop_engine):
    client = login(panel_app, make_user("head"))
    html = client.get(ORDERS).get_data(as_text=True)
    assert "giao buổi sáng" in html and "gọi trước" in html and "Ghi chú đơn" in html
    html = client.get(ORDERS + "?search=giao").get_data(as_text=True)
    assert "giao buổi sáng" in html and "gọi trước" not in html
    view = _view(panel_app, "panel_shop_orders")
    index = next(i for i, f in enumerate(view._filters) if isinstance(f, FilterEqual) and f.column.name == "status")
    html = client.get(f"{ORDERS}?flt0_{index}=shipped").get_data(as_text=True)
    assert "gọi trước" in html and "giao buổi sáng" not in html


def test_agent_sees_and_edits_only_own_rows(panel_app, shop_engine):
    agent = make_user("agent", email=AGENT_EMAIL)
    client = login(panel_app, agent)
    html = client.get(ORDERS).get_data(as_text=True)
    assert "giao buổi sáng" in html and "gọi trước" not in html
    own, other = _order_id(shop_engine, 250000), _order_id(shop_engine, 990000)
    assert client.get(f"{ORDERS}details/?id={other}").status_code == 403

    r = client.post(f"{ORDERS}edit/?id={own}", {"status": "confirmed", "ghi_chu": "đã gọi", "agent_email": AGENT_EMAIL})
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    assert scalar(shop_engine, "SELECT status FROM ext_shop_orders WHERE id = :i", i=own) == "confirmed"
    (row,) = _audits("panel:shop_orders")
    assert row.action == "update" and row.object_id == str(own) and row.actor == AGENT_EMAIL
    assert '"status": ["new", "confirmed"]' in row.changes and row.detail == "shop.ext_shop_orders"

    r = client.post(f"{ORDERS}edit/?id={other}", {"status": "new", "agent_email": AGENT_EMAIL})
    assert r.status_code == 403
    assert scalar(shop_engine, "SELECT status FROM ext_shop_orders WHERE id = :i", i=other) == "shipped"
    # moving one's own row to someone else is refused too: the scope is checked after the change
    r = client.post(f"{ORDERS}edit/?id={own}", {"status": "new", "agent_email": OTHER_EMAIL})
    assert r.status_code == 403
    assert scalar(shop_engine, "SELECT agent_email FROM ext_shop_orders WHERE id = :i", i=own) == AGENT_EMAIL
    assert len(_audits("panel:shop_orders")) == 1


def test_agent_creates_in_own_scope_only(panel_app, shop_engine):
    client = login(panel_app, make_user("agent", email=AGENT_EMAIL))
    r = client.post(f"{ORDERS}new/", {"status": "new", "agent_email": OTHER_EMAIL})
    assert r.status_code == 403
    assert scalar(shop_engine, "SELECT COUNT(*) FROM ext_shop_orders") == 3
    r = client.post(f"{ORDERS}new/", {"status": "new", "agent_email": AGENT_EMAIL, "ghi_chu": "đơn mới"})
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    assert scalar(shop_engine, "SELECT COUNT(*) FROM ext_shop_orders WHERE status = 'new'") == 3
    assert [a.action for a in _audits("panel:shop_orders")] == ["create"]


def test_view_only_role_is_refused_every_change(panel_app, shop_engine):
    client = login(panel_app, make_user("lead"))
    own = _order_id(shop_engine, 250000)
    assert client.get(ORDERS).status_code == 200
    assert client.get(f"{ORDERS}edit/?id={own}").status_code == 403
    assert client.post(f"{ORDERS}edit/?id={own}", {"status": "cancelled"}).status_code == 403
    assert client.post(f"{ORDERS}new/", {"status": "new"}).status_code == 403
    assert client.post(f"{ORDERS}delete/", {"id": own}).status_code == 403
    assert client.get(f"{ORDERS}export/csv/").status_code == 403
    assert scalar(shop_engine, "SELECT COUNT(*) FROM ext_shop_orders WHERE status = 'cancelled'") == 0
    assert scalar(shop_engine, "SELECT COUNT(*) FROM ext_shop_orders") == 3
    # a role the configuration does not name sees nothing, not even the menu entry
    admin_client = login(panel_app, make_user("admin"))
    assert admin_client.get(ORDERS).status_code == 403
    assert "/admin/panel/shop_orders/" not in admin_client.get("/admin/panel-sources/").get_data(as_text=True)
    assert _audits("panel:shop_orders") == []


def test_head_deletes_and_exports_with_audit(panel_app, shop_engine):
    client = login(panel_app, make_user("head"))
    other = _order_id(shop_engine, 990000)
    r = client.get(f"{ORDERS}export/csv/")
    assert r.status_code == 200 and "gọi trước" in r.get_data(as_text=True)
    assert client.post(f"{ORDERS}delete/", {"id": other}, csrf=False).status_code in (302, 400)
    assert scalar(shop_engine, "SELECT COUNT(*) FROM ext_shop_orders") == 3
    assert client.post(f"{ORDERS}delete/", {"id": other}).status_code == 302
    assert scalar(shop_engine, "SELECT COUNT(*) FROM ext_shop_orders WHERE id = :i", i=other) == 0
    export, delete = _audits("panel:shop_orders")
    assert export.action == "export" and export.detail.startswith("csv")
    assert delete.action == "delete" and delete.object_id == str(other) and "gọi trước" in delete.changes


def test_composite_key_details_and_edit(panel_app, shop_engine):
    client = login(panel_app, make_user("head"))
    view = _view(panel_app, "panel_stock")
    assert view.primary_key_fields == ["warehouse", "sku"]
    assert client.get("/admin/panel/stock/details/?id=HN,SKU-1").status_code == 200
    r = client.post("/admin/panel/stock/edit/?id=HN,SKU-1", {"qty": "9", "warehouse": "XX"})
    assert r.status_code == 302
    assert scalar(shop_engine, "SELECT qty FROM ext_stock WHERE warehouse = 'HN'") == 9
    assert scalar(shop_engine, "SELECT qty FROM ext_stock WHERE warehouse = 'HCM'") == 7
    assert scalar(shop_engine, "SELECT COUNT(*) FROM ext_stock WHERE warehouse = 'XX'") == 0
    (row,) = _audits("panel:stock")
    assert row.object_id == "HN,SKU-1" and row.changes == '{"qty": [5, 9]}'
    agent = login(panel_app, make_user("agent"))
    assert agent.post("/admin/panel/stock/edit/?id=HCM,SKU-1", {"qty": "0"}).status_code == 403
    assert scalar(shop_engine, "SELECT qty FROM ext_stock WHERE warehouse = 'HCM'") == 7


def test_table_without_key_and_view_are_read_only_and_say_so(panel_app, shop_engine):
    client = login(panel_app, make_user("head"))
    html = client.get("/admin/panel/call_log/?search=0912").get_data(as_text=True)
    assert 'data-panel-readonly="no_pk"' in html and "hỏi bảo hành" in html and "nhầm số" not in html
    html = client.get("/admin/panel/order_summary/").get_data(as_text=True)
    assert 'data-panel-readonly="view"' in html and "shipped" in html
    assert client.get("/admin/panel/call_log/new/").status_code == 403
    assert client.post("/admin/panel/call_log/new/", {"note": "x"}).status_code == 403
    assert client.post("/admin/panel/order_summary/edit/?id=x", {"n": "5"}).status_code == 403
    assert scalar(shop_engine, "SELECT COUNT(*) FROM ext_call_log") == 2
    assert "/admin/panel/call_log/edit/" not in html


def test_unreachable_source_is_reported_and_the_rest_works(panel_app):
    client = login(panel_app, make_user("head"))
    html = client.get("/admin/panel-sources/").get_data(as_text=True)
    assert 'data-source="broken" data-status="error"' in html and 'data-source="shop" data-status="ok"' in html
    assert "[sources.broken] database unreachable" in html and "panel.toml" in html
    assert client.get("/admin/customers/").status_code == 200
    assert client.get(ORDERS).status_code == 200
    assert login(panel_app, make_user("agent")).get("/admin/panel-sources/").status_code == 403


def test_builtin_view_columns_and_labels_come_from_the_file(panel_app):
    client = login(panel_app, make_user("head"))
    make_customer("Trần Thị Bình", email="binh@example.vn")
    db.session.commit()
    html = client.get("/admin/customers/").get_data(as_text=True)
    headers = re.findall(r'class="column-header col-([a-z_]+)"', html)
    assert headers == ["name", "phone", "email"]
    assert "Họ và tên khách" in html and "Trần Thị Bình" in html


def test_customer_links_follow_phone_formats_and_scope(panel_app, shop_engine):
    customer = make_customer("Nguyễn Văn An", phone="0912345678", email="an@example.vn")
    head, agent = make_user("head"), make_user("agent", email=AGENT_EMAIL)
    db.session.commit()
    with panel_app.test_request_context():
        found = {str(label): rows for label, _cols, rows in panel_rules.linked_rows(customer, user=head)}
        assert sorted(found) == ["Nhật ký gọi", "Đơn hàng cửa hàng"]
        assert sorted(r[2] for r in found["Đơn hàng cửa hàng"]) == ["new", "shipped"]
        assert found["Nhật ký gọi"][0][0] == "0912345678"
        label, columns, rows = panel_rules.linked_rows(customer, user=agent)[0]
        assert str(label) == "Đơn hàng cửa hàng" and "Ghi chú đơn" in columns
        assert [r[4] for r in rows] == [AGENT_EMAIL]
        html = panel_app.jinja_env.get_template("admin/panel/linked_rows.html").render(
            panel_linked=panel_rules.linked_rows(customer, user=agent)
        )
        assert "giao buổi sáng" in html and "gọi trước" not in html
        stranger = make_customer("Lê Văn Cường", phone="0933333333")
        assert panel_rules.linked_rows(stranger, user=head) == []


def test_customer_360_page_shows_the_linked_shop_orders(panel_app, shop_engine):
    customer = make_customer("Nguyễn Văn An", phone="0912345678", email="an@example.vn")
    head = make_user("head")
    db.session.commit()
    html = login(panel_app, head).get(f"/admin/customers/details/?id={customer.id}").get_data(as_text=True)
    assert "data-panel-linked" in html and "Đơn hàng cửa hàng" in html
    assert "giao buổi sáng" in html and "gọi trước" in html


def _mass_delete(client, ids):
    return client.post(f"{ORDERS}action/", {"action": "delete", "rowid": [str(i) for i in ids], "url": ORDERS})


def test_panels_offer_no_mass_action_and_a_forged_one_deletes_nothing(panel_app, shop_engine):
    """A panel table has no mass actions (a row is deleted on its own, with its references checked):
    a forged mass delete is refused for every role, the head included, and the source is unchanged."""
    own, others = _order_id(shop_engine, 250000), _order_id(shop_engine, 990000)
    for role, email in (("head", None), ("agent", AGENT_EMAIL)):
        client = login(panel_app, make_user(role, email=email) if email else make_user(role))
        assert 'name="action"' not in client.get(ORDERS).get_data(as_text=True)
        assert _mass_delete(client, [own, others]).status_code == 403
        assert scalar(shop_engine, "SELECT COUNT(*) FROM ext_shop_orders") == 3
