"""Import screens: upload -> preview (nothing written) -> confirm with a mode -> report; refusals change nothing."""

import io
import json
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from models import AuditLog, Customer, Product
from tests.factories import make_customer, make_user

CSV = (
    "Họ tên,Số điện thoại,Email,Ngày sinh\n"
    "Nguyễn Văn An,0912 345 678,an@vd.vn,07/03/1990\n"  # 2 good
    "Trần Thị Bình,12345,,\n"  # 3 bad phone
    "Lê Văn Cường,0987654321,sai-email,\n"  # 4 bad email
    "Hoàng Văn Em,+84912345678,,\n"  # 5 same phone as line 2
)


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path):
    """Uploads wait in a folder of this test, not in the project's instance/."""
    app.config["IMPORT_FOLDER"] = str(tmp_path / "imports")
    return tmp_path / "imports"


def _count(db, model=Customer) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, content: bytes, name: str = "khach.csv", url="/admin/import/customers/preview/", **extra):
    return client.post(url, data={"file": (io.BytesIO(content), name), **extra}, content_type="multipart/form-data")


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} in {html[:2000]}"
    return match.group(1)


def _error_lines(html: str) -> list[int]:
    return sorted({int(n) for n in re.findall(r'data-line="(\d+)"', html)})


def test_preview_shows_every_error_with_its_line_and_writes_nothing(db, login_as):
    lead = login_as("lead")
    page = _upload(lead, CSV.encode("utf-8-sig"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert _error_lines(html) == [3, 4, 5]
    assert "Nguyễn Văn An" in html
    assert _count(db) == 0
    assert _count(db, AuditLog) == 0


def test_confirm_good_rows_commits_the_good_rows_and_reports_the_bad(app, db, login_as, import_folder):
    lead = login_as("lead")
    html = _upload(lead, CSV.encode("utf-8-sig")).get_data(as_text=True)
    token, ext = _hidden(html, "token"), _hidden(html, "ext")
    report = lead.post("/admin/import/customers/confirm/", {"token": token, "ext": ext, "mode": "good_rows"})
    assert report.status_code == 200
    assert _error_lines(report.get_data(as_text=True)) == [3, 4, 5]
    db.session.expire_all()
    names = db.session.scalars(select(Customer.name)).all()
    assert names == ["Nguyễn Văn An"]
    assert db.session.scalars(select(Customer.team_id)).one() == lead.user.team_id
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "import")).one()
    assert json.loads(audit.changes)["created"] == 1 and audit.user_id == lead.user.id
    # the kept file is gone: confirming twice imports nothing more
    again = lead.post("/admin/import/customers/confirm/", {"token": token, "ext": ext, "mode": "good_rows"})
    assert again.status_code == 302 and _count(db) == 1
    assert list(import_folder.iterdir()) == []


def test_confirm_all_or_nothing_commits_nothing(db, login_as):
    lead = login_as("lead")
    html = _upload(lead, CSV.encode("utf-8-sig")).get_data(as_text=True)
    data = {"token": _hidden(html, "token"), "ext": "csv", "mode": "all_or_nothing"}
    report = lead.post("/admin/import/customers/confirm/", data)
    assert report.status_code == 200
    assert 'id="import-result"' in report.get_data(as_text=True)
    assert _count(db) == 0


def test_xlsx_upload_and_duplicate_of_an_existing_customer(db, login_as):
    make_customer("Đã có", phone="0912000111")
    head = login_as("head")
    workbook = Workbook()
    sheet = workbook.active
    for row in (["name", "phone", "VIP"], ["Mới", "0912000222", "có"], ["Trùng", "0912 000 111", ""]):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    html = _upload(head, buffer.getvalue(), "k.xlsx").get_data(as_text=True)
    assert _error_lines(html) == [3]
    data = {"token": _hidden(html, "token"), "ext": "xlsx", "mode": "good_rows"}
    assert head.post("/admin/import/customers/confirm/", data).status_code == 200
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Customer.phone)).all()) == ["0912000111", "0912000222"]
    assert db.session.scalars(select(Customer).where(Customer.phone == "0912000222")).one().is_vip


def test_agent_is_refused_and_nothing_changes(db, login_as):
    agent = login_as("agent")
    assert agent.get("/admin/import/customers/").status_code == 403
    assert _upload(agent, CSV.encode()).status_code == 403
    assert (
        agent.post(
            "/admin/import/customers/confirm/", {"token": "x" * 24, "ext": "csv", "mode": "good_rows"}
        ).status_code
        == 403
    )
    assert _count(db) == 0 and _count(db, AuditLog) == 0


def test_lead_may_not_import_products_head_may(db, login_as):
    lead = login_as("lead")
    assert _upload(lead, b"sku,name,price\nA,B,1\n", "p.csv", url="/admin/import/products/preview/").status_code == 403
    head = login_as("head")
    html = _upload(head, b"sku,name,price\nA-1,Quat,450000\n", "p.csv", url="/admin/import/products/preview/")
    data = {"token": _hidden(html.get_data(as_text=True), "token"), "ext": "csv", "mode": "all_or_nothing"}
    assert head.post("/admin/import/products/confirm/", data).status_code == 200
    db.session.expire_all()
    assert db.session.scalars(select(Product.price)).all() == [450000]


def test_upload_without_csrf_is_refused(db, login_as):
    lead = login_as("lead")
    response = lead.client.post(
        "/admin/import/customers/preview/",
        data={"file": (io.BytesIO(CSV.encode()), "k.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert _count(db) == 0


def test_another_users_file_cannot_be_confirmed(db, login_as):
    lead = login_as("lead")
    token = _hidden(_upload(lead, CSV.encode("utf-8-sig")).get_data(as_text=True), "token")
    other = login_as(make_user("lead"))
    response = other.post("/admin/import/customers/confirm/", {"token": token, "ext": "csv", "mode": "good_rows"})
    assert response.status_code == 302
    assert _count(db) == 0


def test_wrong_file_type_and_too_large_files_are_refused(db, login_as):
    lead = login_as("lead")
    assert _upload(lead, b"MZ...", "virus.exe").status_code == 302
    big = b"name,phone\n" + b"x" * (10 * 1024 * 1024 + 100 * 1024)
    assert _upload(lead, big).status_code == 413
    assert _count(db) == 0


def test_customers_list_links_to_the_import_for_leads_only(db, login_as):
    lead = login_as("lead")
    agent = login_as("agent")
    assert 'id="import-customers-link"' in lead.get("/admin/customers/").get_data(as_text=True)
    assert 'id="import-customers-link"' not in agent.get("/admin/customers/").get_data(as_text=True)
