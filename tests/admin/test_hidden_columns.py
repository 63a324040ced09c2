"""One rule for columns a role may not see: no list, details, export, filter, search, sort or
audit snapshot reaches them, however the request is written."""

# ruff: noqa: F811 - the fixtures imported from tests.panel_world are parameters here

import csv
import io
import re

import pytest
from flask_login import login_user
from sqlalchemy import select

from models import AuditLog, Base, db
from tests import databases
from tests.admin.test_permissions import digest
from tests.factories import make_customer, make_user
from tests.panel_world import build_app, login, scalar, shop_engine, shop_url, write_config  # noqa: F401
from tests.world import build_world

HIDDEN_IP, OTHER_IP = "203.0.113.77", "198.51.100.9"


def _view(app, endpoint):
    return next(v for v in app.extensions["cskh_admin"]._views if v.endpoint == endpoint)


def _filter_arg(view, column_key, operation_class_name):
    for arg, (_index, flt) in view._filter_args.items():
        if getattr(flt.column, "key", None) == column_key and type(flt).__name__ == operation_class_name:
            return arg
    raise AssertionError(f"no {operation_class_name} filter on {column_key} in {view.endpoint}")


def _offered(app, view, user) -> set[str]:
    """The filter groups the list page offers ``user`` (what the filter menu is built from)."""
    with app.test_request_context("/admin/"):
        login_user(user)
        return {str(name) for name in view._get_filter_groups()}


def _cells(html: str) -> str:
    """The page without its links (the language switch repeats the request's own URL)."""
    return re.sub(r'href="[^"]*"', "", html)


def _audit_rows(w):
    lead = w["users"]["lead1"]
    team_id = lead.team_id
    db.session.add(AuditLog(action="export", actor="x@w.vn", team_id=team_id, ip=HIDDEN_IP, detail="hidden-ip-row"))
    db.session.add(AuditLog(action="export", actor="y@w.vn", team_id=team_id, ip=OTHER_IP, detail="other-ip-row"))
    db.session.commit()
    return lead


def test_the_audit_address_is_no_filter_sort_or_detail_for_a_lead(app, db, login_as):
    w = build_world()
    lead = _audit_rows(w)
    view = _view(app, "audit")
    assert "Địa chỉ" not in _offered(app, view, lead)
    assert "Địa chỉ" in _offered(app, view, w["users"]["head"])

    client = login_as(lead)
    arg = _filter_arg(view, "ip", "FilterEqual")
    before = digest(db)
    html = client.get(f"/admin/audit/?flt0_{arg}={HIDDEN_IP}").get_data(as_text=True)
    assert "other-ip-row" in html and "hidden-ip-row" in html  # the probe filtered nothing
    assert HIDDEN_IP not in _cells(html) and "Địa chỉ" not in html
    like = _filter_arg(view, "ip", "LiteralLike")
    html = client.get(f"/admin/audit/?flt0_{like}=203.").get_data(as_text=True)
    assert "other-ip-row" in html
    for index in range(10):  # no sort index reaches the column
        html = client.get(f"/admin/audit/?sort={index}").get_data(as_text=True)
        assert HIDDEN_IP not in _cells(html)
    row_id = db.session.scalar(select(AuditLog.id).where(AuditLog.detail == "hidden-ip-row"))
    details = client.get(f"/admin/audit/details/?id={row_id}").get_data(as_text=True)
    assert "hidden-ip-row" in details and HIDDEN_IP not in details
    assert digest(db) == before

    head = login_as(w["users"]["head"])
    html = head.get(f"/admin/audit/?flt0_{arg}={HIDDEN_IP}").get_data(as_text=True)
    assert "hidden-ip-row" in html and "other-ip-row" not in html
    export = head.get("/admin/audit/export/csv/").get_data(as_text=True)
    assert HIDDEN_IP in export


def test_related_staff_columns_are_no_filters_for_an_agent(app, db, login_as):
    w = build_world()
    agent = w["users"]["agent11"]
    colleague = w["users"]["agent12"]
    colleague.phone = "0911222333"
    db.session.commit()
    view = _view(app, "customers")
    offered = _offered(app, view, agent)
    assert not any("Phone" in name or "Điện thoại" in name for name in offered if "/" in name), offered
    phone_arg = _filter_arg(view, "phone", "LiteralLike")
    assert view._filter_args[phone_arg][1].column.table.name == "users"
    client = login_as(agent)
    mine = client.get("/admin/customers/").get_data(as_text=True)
    probed = client.get(f"/admin/customers/?flt0_{phone_arg}=0911").get_data(as_text=True)
    assert f"Khách {agent.email}" in probed and f"Khách {colleague.email}" in probed  # ignored
    assert probed.count("<tr") == mine.count("<tr")
    # the owner's name and email are its label: those stay
    name_arg = _filter_arg(view, "email", "LiteralLike")
    if view._filter_args[name_arg][1].column.table.name == "users":
        html = client.get(f"/admin/customers/?flt0_{name_arg}={colleague.email}").get_data(as_text=True)
        assert f"Khách {colleague.email}" in html and f"Khách {agent.email}" not in html


HIDDEN_CONFIG = """
[sources.shop]
url = "{url}"

[tables.shop_orders]
source = "shop"
table = "ext_shop_orders"
label_vi = "Đơn hàng cửa hàng"
label_en = "Shop orders"
column_list = ["id", "phone", "status"]
searchable = ["phone", "Ghi chú"]
filterable = ["status", "total"]
editable = ["status"]
permissions.head = ["view", "edit", "delete", "export"]
"""


@pytest.fixture
def hidden_app(database_url, shop_url, tmp_path):
    application = build_app(database_url, write_config(tmp_path, shop_url, HIDDEN_CONFIG))
    ctx = application.app_context()
    ctx.push()
    yield application
    application.extensions["cskh_panel"].dispose()
    db.session.remove()
    databases.wipe(db.engine, Base.metadata)
    db.engine.dispose()
    ctx.pop()


def test_panel_columns_left_out_of_column_list_are_hidden_everywhere(hidden_app, shop_engine):
    orders = "/admin/panel/shop_orders/"
    head = make_user("head")
    client = login(hidden_app, head)
    row = scalar(shop_engine, "SELECT id FROM ext_shop_orders WHERE total = 250000")
    details = client.get(f"{orders}details/?id={row}").get_data(as_text=True)
    assert "0912 345 678" in details
    for hidden in ("giao buổi sáng", "250000", "250.000", "ban.hang1@test.vn", "Ghi chú"):
        assert hidden not in details, hidden

    export = client.get(f"{orders}export/csv/").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(export.lstrip("\ufeff"))))
    assert "giao buổi sáng" not in export and len(header) == 3, header

    view = _view(hidden_app, "panel_shop_orders")
    assert not any("total" in str(name).lower() for name in _offered(hidden_app, view, head))
    total_arg = _filter_arg(view, "total", "IntEqualFilter")
    all_rows = client.get(orders).get_data(as_text=True)
    probed = client.get(f"{orders}?flt0_{total_arg}=250000").get_data(as_text=True)
    assert probed.count("<tr") == all_rows.count("<tr")  # the hidden filter did nothing
    searched = client.get(f"{orders}?search=giao").get_data(as_text=True)
    assert "0912 345 678" not in searched  # a hidden column is not searched either

    for raw in ("9" * 30, "%00", "abc"):  # ids that cannot be keys: no driver error from the source
        assert client.get(f"{orders}details/?id={raw}").status_code in (302, 404)

    before = digest(db)
    response = client.post(f"{orders}delete/", {"id": row})
    assert response.status_code == 302
    (deleted,) = db.session.scalars(select(AuditLog).where(AuditLog.action == "delete"))
    assert "0912 345 678" in deleted.changes
    for hidden in ("giao buổi sáng", "250000", "ban.hang1"):
        assert hidden not in deleted.changes, deleted.changes
    assert digest(db) != before


def test_customer_delete_snapshot_keeps_no_secret(app, db, login_as):
    head = make_user("head")
    customer = make_customer("Khách xóa")
    db.session.commit()
    response = login_as(head).post("/admin/customers/delete/", {"id": customer.id})
    assert response.status_code == 302
    deleted = db.session.scalar(select(AuditLog).where(AuditLog.action == "delete"))
    assert "Khách xóa" in deleted.changes and "search_text" not in deleted.changes


def test_a_lookup_searches_only_fields_the_user_may_see(app, db):
    from admin.input_guard import lookup_condition
    from models import User

    agent, head = make_user("agent"), make_user("head")
    db.session.commit()
    for user, phone_searched in ((agent, False), (head, True)):
        with app.test_request_context("/admin/"):
            login_user(user)
            sql = str(lookup_condition([User.name, User.phone], "0912").compile())
        assert "users.name" in sql and ("users.phone" in sql) == phone_searched, sql


def test_each_role_gets_its_own_filters_from_the_same_view_in_turn(app, db):
    """The hidden filters are worked out once per role: asking for a head, an agent and a head again
    on one view instance gives each their own set, never the previous role's."""
    w = build_world()
    head, agent = w["users"]["head"], w["users"]["agent11"]
    view = _view(app, "customers")
    for_head = _offered(app, view, head)
    for_agent = _offered(app, view, agent)
    assert for_agent < for_head, (for_head - for_agent, for_agent - for_head)
    assert _offered(app, view, head) == for_head
    assert _offered(app, view, agent) == for_agent
