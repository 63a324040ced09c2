"""Streamed CSV and XLSX exports: what the list shows, in the user's export scope, audited."""

import csv
import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from admin.base import SecureModelView, vnd_formatter
from models import AuditLog, Product
from services.validation import format_phone
from tests.factories import make_customer, make_product, make_team, make_user


def _csv_rows(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode()), "CSV must start with a UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _team_with_customers(db):
    team, other_team = make_team("Nhóm A"), make_team("Nhóm B")
    agent = make_user("agent", team=team)
    mate = make_user("agent", team=team)
    lead = make_user("lead", team=team)
    stranger = make_user("agent", team=other_team)
    mine = make_customer("Nguyễn Văn An", owner=agent, birthday=date(1990, 3, 7), email="an@vd.vn")
    theirs = make_customer("Trần Thị Bình", owner=mate)
    foreign = make_customer("Lê Văn Cường", owner=stranger)
    db.session.commit()
    return agent, lead, mine, theirs, foreign


def test_csv_is_streamed_with_bom_vietnamese_and_dd_mm_yyyy(db, login_as):
    agent, _lead, mine, _theirs, _foreign = _team_with_customers(db)
    client = login_as(agent)
    response = client.get("/admin/customers/export/csv/", buffered=False)
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert "customers_" in response.headers["Content-Disposition"]
    rows = _csv_rows(response)
    header, data = rows[0], rows[1:]
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert "Nguyễn Văn An" in data[0]
    assert "07/03/1990" in data[0]
    assert format_phone(mine.phone) in data[0]  # as the list shows it
    assert "an@vd.vn" in row.values()


def test_agent_exports_own_customers_only_lead_the_team_never_other_teams(db, login_as):
    agent, lead, mine, theirs, foreign = _team_with_customers(db)
    agent_names = {r[1] for r in _csv_rows(login_as(agent).get("/admin/customers/export/csv/"))[1:]}
    lead_names = {r[1] for r in _csv_rows(login_as(lead).get("/admin/customers/export/csv/"))[1:]}
    assert agent_names == {mine.name}
    assert lead_names == {mine.name, theirs.name}
    assert foreign.name not in agent_names | lead_names


def test_export_follows_the_lists_search_and_sort(db, login_as):
    _agent, lead, mine, theirs, _foreign = _team_with_customers(db)
    client = login_as(lead)
    found = _csv_rows(client.get("/admin/customers/export/csv/?search=tran thi"))[1:]
    assert [r[1] for r in found] == [theirs.name]
    ordered = _csv_rows(client.get("/admin/customers/export/csv/?sort=0"))[1:]
    assert [r[1] for r in ordered] == sorted([mine.name, theirs.name])


def test_xlsx_has_the_scoped_rows_and_is_streamed_in_chunks(db, login_as):
    _agent, lead, mine, theirs, foreign = _team_with_customers(db)
    response = login_as(lead).get("/admin/customers/export/xlsx/", buffered=False)
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "Content-Length" not in response.headers  # written while the rows are read
    body = response.get_data()
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    names = {r[1] for r in rows[1:]}
    assert names == {mine.name, theirs.name}
    assert foreign.name not in names
    ids = {r[0] for r in rows[1:]}
    assert ids == {mine.id, theirs.id}  # numbers stay numbers
    assert "07/03/1990" in next(r for r in rows[1:] if r[1] == mine.name)


def test_money_stays_a_number_in_xlsx_and_formulas_are_neutralised(app, db, login_as):
    class ProductExport(SecureModelView):
        resource = "product"
        column_list = ["sku", "name", "price", "stock"]
        column_formatters = {"price": vnd_formatter}

    app.extensions["cskh_admin"].add_view(ProductExport(Product, db, name="P", endpoint="test_products"))
    make_product('=HYPERLINK("http://x")', price=1_250_000, stock=3, sku="P-1")
    head = login_as("head")
    sheet = load_workbook(io.BytesIO(head.get("/admin/test_products/export/xlsx/").get_data()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][2] == 1_250_000 and rows[1][3] == 3
    assert rows[1][1].startswith("'=")
    csv_rows = _csv_rows(head.get("/admin/test_products/export/csv/"))
    assert csv_rows[1][2].replace("\xa0", " ") == "1.250.000 ₫"
    assert csv_rows[1][1].startswith("'=")


def test_export_refused_without_the_right_and_each_export_audited(db, login_as):
    agent, lead, *_ = _team_with_customers(db)
    client = login_as(lead)
    client.get("/admin/customers/export/csv/")
    client.get("/admin/customers/export/xlsx/")
    db.session.expire_all()
    audits = db.session.scalars(select(AuditLog).where(AuditLog.action == "export")).all()
    assert sorted(a.detail.split()[0] for a in audits) == ["csv", "xlsx"]
    assert all(a.user_id == lead.id and a.object_type == "Customer" for a in audits)

    # the administrator manages staff, not customers: refused, and nothing is audited
    assert login_as("admin").get("/admin/customers/export/csv/").status_code == 403
    assert login_as(agent).get("/admin/customers/export/pdf/").status_code == 302
    db.session.expire_all()
    assert len(db.session.scalars(select(AuditLog).where(AuditLog.action == "export")).all()) == 2
