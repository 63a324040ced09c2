"""List rows in one call (admin/listing/list_rows.py, the big lists) show what Flask-Admin's own per-cell
rendering would, for every list page and language; the other lists are Flask-Admin's template itself."""

import re

import pytest
from flask import session
from markupsafe import escape
from sqlalchemy import select

from admin.base import SecureModelView
from admin.listing import BigListMixin
from models import Customer
from tests.world import build_world

ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)
CELL = re.compile(r'<td class="col-([^"]+)">(.*?)</td>', re.S)


def list_views(app):
    return [
        v
        for v in app.extensions["cskh_admin"]._views
        if isinstance(v, SecureModelView) and v.can_view_details and not v.column_editable_list
    ]


def shown_rows(view, html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(row id, [(column, cell HTML)]) of every row with a details link."""
    link = re.compile(rf"/admin/{re.escape(view.endpoint)}/details/\?id=([^&\"]+)")
    rows = []
    for body in ROW.findall(html.split("</thead>", 1)[-1]):
        found = link.search(body)
        if found:
            rows.append((found.group(1), CELL.findall(body)))
    return rows


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_list_cell_is_what_flask_admins_get_list_value_gives(app, db, login_as, lang):
    world = build_world()
    customers = db.session.scalars(select(Customer).order_by(Customer.id)).all()
    customers[0].is_vip, customers[1].is_vip = True, False  # yes and no in one column
    customers[0].email, customers[1].email = None, "a@b.vn"  # empty and not
    db.session.commit()
    head = login_as(world["users"]["head"])
    head.get(f"/lang/{lang}")
    checked = 0
    for view in list_views(app):
        html = head.get(f"/admin/{view.endpoint}/?page_size=100").get_data(as_text=True)
        rows = shown_rows(view, html)
        with app.test_request_context("/"):
            session["lang"] = lang
            for row_id, cells in rows:
                pk = view.model.__mapper__.primary_key[0]
                model = db.session.get(view.model, pk.type.python_type(row_id))
                assert [c for c, _html in cells] == [c for c, _label in view.get_list_columns()]
                for column, cell in cells:
                    expected = view._get_list_value(
                        None, model, column, view.column_formatters, view.column_type_formatters
                    )
                    drawn = cell if isinstance(view, BigListMixin) else cell.strip()  # the template's indent
                    assert drawn == str(escape(expected)), (view.endpoint, row_id, column)
                    checked += 1
    assert checked > 300  # every model of the world has rows: the comparison really ran


def test_rows_keep_checkboxes_buttons_and_row_classes(app, db, login_as):
    world = build_world()
    db.session.commit()
    html = login_as(world["users"]["head"]).get("/admin/complaints/").get_data(as_text=True)
    body = html.split("</thead>", 1)[1]
    first = ROW.search(body).group(0)
    assert 'class="action-checkbox"' in first and "Chọn bản ghi" in first  # our catalogue over Flask-Admin's
    assert 'class="list-buttons-column"' in first and "/admin/complaints/details/?id=" in first
    assert re.match(r'<tr class="[^"]*">', first)  # ComplaintView.row_class: "row-overdue" or ""


def test_header_links_sort_each_sortable_column_and_marks_the_sorted_one(app, db, login_as):
    world = build_world()
    db.session.commit()
    head = login_as(world["users"]["head"])
    html = head.get("/admin/customers/?sort=0&desc=1").get_data(as_text=True)
    header = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert 'class="action-rowtoggle" title="Chọn tất cả bản ghi"' in header
    # the sorted column links to the other direction and shows its arrow; the others sort by themselves
    assert re.search(
        r'<a href="/admin/customers/\?sort=0[^"]*" title="Sắp xếp theo Họ tên">Họ tên <span class="fa fa-chevron-down',
        header,
    )
    assert 'href="/admin/customers/?sort=0&amp;desc=1' not in header
    assert re.search(
        r'<a href="/admin/customers/\?sort=1&amp;[^"]*" title="Sắp xếp theo Điện thoại">Điện thoại</a>', header
    )
    assert '<th class="column-header col-email">Email</th>' in header  # not sortable: no link
    head.get("/lang/en")
    english = head.get("/admin/customers/?sort=0").get_data(as_text=True).split("</thead>", 1)[0]
    assert 'title="Sort by Name">Name <span class="fa fa-chevron-up' in english
