"""services.imports: parsing CSV/XLSX, every bad row with its line, the two commit modes, duplicates, audit."""

import json
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from models import AuditLog, Customer, Product
from services import imports
from services.errors import NotAllowed
from tests.factories import make_customer, make_product, make_team, make_user

GOOD_AND_BAD_CSV = (
    "Họ tên,Số điện thoại,Email,Ngày sinh,Địa chỉ,Tỉnh/Thành,Loại,VIP\n"
    "Nguyễn Văn An,0912 345 678,an@vd.vn,07/03/1990,1 Lê Lợi,Hà Nội,Khách hàng,có\n"  # line 2: good
    "Trần Thị Bình,12345,binh@vd.vn,,,,,\n"  # line 3: bad phone
    "Lê Văn Cường,+84 987 654 321,khong-phai-email,,,,Đối tác,\n"  # line 4: bad email
    "Phạm Thị Dung,0903111222,,31/02/1990,,,,\n"  # line 5: bad birthday
    ",0904000111,,,,,,\n"  # line 6: no name
    "Hoàng Văn Em,84-912-345-678,,,,,,\n"  # line 7: same phone as line 2
    "Võ Thị Phương,0935 222 333,,15/08/1985,,Đà Nẵng,nhà cung cấp,x\n"  # line 8: good
)


def _file(tmp_path, text: str, name: str = "khach.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8-sig"))
    return path


def _xlsx(tmp_path, rows, name="khach.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def _customers(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Customer))


def _lines_with(report, field):
    return sorted(r.line for r in report.bad if any(name == field for name, _m in r.errors))


def test_preview_reports_every_bad_row_with_its_line_and_writes_nothing(app, db, tmp_path):
    lead = make_user("lead")
    db.session.commit()
    report = imports.preview(_file(tmp_path, GOOD_AND_BAD_CSV), "customer", lead)
    assert [r.line for r in report.good] == [2, 8]
    assert [r.line for r in report.bad] == [3, 4, 5, 6, 7]
    assert _lines_with(report, "phone") == [3, 7]
    assert _lines_with(report, "email") == [4]
    assert _lines_with(report, "birthday") == [5]
    assert _lines_with(report, "name") == [6]
    duplicate = next(r for r in report.bad if r.line == 7)
    assert "2" in str(duplicate.errors[0][1])  # points at the first line with that phone
    assert _customers(db) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_all_or_nothing_commits_nothing_when_a_row_is_bad_but_audits_the_attempt(app, db, tmp_path):
    lead = make_user("lead")
    make_customer("Cũ", phone="0988000000")
    db.session.commit()
    report = imports.run(_file(tmp_path, GOOD_AND_BAD_CSV), "customer", "all_or_nothing", lead, source_name="k.csv")
    assert not report.committed and report.created == 0
    assert _customers(db) == 1
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "import")).one()
    assert json.loads(entry.changes)["created"] == 0 and json.loads(entry.changes)["bad"] == 5
    assert entry.user_id == lead.id


def test_good_rows_commits_exactly_the_good_rows_normalised_in_the_leads_team(app, db, tmp_path):
    lead = make_user("lead")
    db.session.commit()
    report = imports.run(_file(tmp_path, GOOD_AND_BAD_CSV), "customer", "good_rows", lead)
    assert report.committed and report.created == 2
    db.session.expire_all()
    rows = db.session.scalars(select(Customer).order_by(Customer.phone)).all()
    assert [(c.name, c.phone) for c in rows] == [("Nguyễn Văn An", "0912345678"), ("Võ Thị Phương", "0935222333")]
    an, phuong = rows
    assert an.birthday == date(1990, 3, 7) and an.birth_month == 3 and an.is_vip and an.email == "an@vd.vn"
    assert phuong.kind == "supplier" and phuong.is_vip and phuong.province == "Đà Nẵng"
    assert {c.team_id for c in rows} == {lead.team_id} and {c.owner_id for c in rows} == {None}
    assert "nguyen van an" in an.search_text
    changes = json.loads(db.session.scalars(select(AuditLog).where(AuditLog.action == "import")).one().changes)
    assert changes["created"] == 2 and changes["bad"] == 5 and changes["mode"] == "good_rows"


def test_all_or_nothing_with_a_clean_file_commits_every_row(app, db, tmp_path):
    lead = make_user("lead")
    db.session.commit()
    clean = "name;phone;email\nAn;0912000001;\nBình;0912000002;b@vd.vn\n"
    report = imports.run(_file(tmp_path, clean), "customer", "all_or_nothing", lead)
    assert report.committed and report.created == 2 and _customers(db) == 2


def test_phone_already_in_the_database_is_reported_not_doubled(app, db, tmp_path):
    lead = make_user("lead")
    make_customer("Đã có", phone="0912345678")
    db.session.commit()
    report = imports.run(_file(tmp_path, GOOD_AND_BAD_CSV), "customer", "good_rows", lead)
    assert 2 in _lines_with(report, "phone")
    assert report.created == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Customer).where(Customer.phone == "0912345678")) == 1


def test_xlsx_with_numbers_and_dates_in_cells_english_headers(app, db, tmp_path):
    head = make_user("head")
    owner = make_user("agent")
    db.session.commit()
    path = _xlsx(
        tmp_path,
        [
            ["Name", "Phone", "Birthday", "Kind", "VIP", "Something else"],
            ["Đặng Văn Giang", 912000111, datetime(1988, 12, 1), "partner", "no", "x"],
            [None, None, None, None, None, None],
            ["Bùi Thị Hoa", "0912000222", "1/1/3000", "alien", "maybe", None],
        ],
    )
    report = imports.preview(path, "customer", head, owner_id=owner.id)
    assert report.ignored_columns == ["Something else"]
    assert [r.line for r in report.good] == [2]
    assert [r.line for r in report.bad] == [4]
    assert {name for name, _m in report.bad[0].errors} == {"birthday", "kind", "is_vip"}
    report = imports.run(path, "customer", "good_rows", head, owner_id=owner.id)
    db.session.expire_all()
    giang = db.session.scalars(select(Customer)).one()
    assert giang.phone == "0912000111" and giang.birthday == date(1988, 12, 1) and giang.kind == "partner"
    assert giang.owner_id == owner.id and giang.team_id == owner.team_id


def test_missing_required_column_is_a_file_error_on_line_one(app, db, tmp_path):
    lead = make_user("lead")
    db.session.commit()
    report = imports.run(_file(tmp_path, "Họ tên,Email\nAn,a@vd.vn\n"), "customer", "good_rows", lead)
    assert report.file_errors and not report.rows and _customers(db) == 0
    assert "1" in str(report.file_errors[0])


def test_agent_may_not_import_and_a_lead_not_for_another_team(app, db, tmp_path):
    agent = make_user("agent")
    lead = make_user("lead")
    stranger = make_user("agent", team=make_team())
    db.session.commit()
    path = _file(tmp_path, GOOD_AND_BAD_CSV)
    with pytest.raises(NotAllowed):
        imports.run(path, "customer", "good_rows", agent)
    with pytest.raises(NotAllowed):
        imports.run(path, "customer", "good_rows", lead, owner_id=stranger.id)
    with pytest.raises(NotAllowed):
        imports.preview(path, "product", lead)
    assert _customers(db) == 0


def test_products_checked_and_duplicate_skus_reported(app, db, tmp_path):
    head = make_user("head")
    make_product("Có sẵn", sku="SP-OLD")
    db.session.commit()
    text = (
        "Mã sản phẩm,Tên sản phẩm,Giá,Tồn kho,Bảo hành (tháng)\n"
        "SP-1,Máy lọc nước,1.250.000 ₫,5,24\n"  # 2 good
        "SP-OLD,Trùng mã cũ,100000,1,12\n"  # 3 sku in DB
        "SP-1,Trùng trong file,100000,1,12\n"  # 4 sku twice
        "SP-2,Giá âm,-5,1,12\n"  # 5 bad price
        "SP-3,Tồn lẻ,100000,2.5,12\n"  # 6 bad stock
        "SP-4,Bảo hành dài,100000,1,999\n"  # 7 bad warranty
        "SP-5,,100000,1,12\n"  # 8 no name
        "SP-6,Nồi cơm,890000,,\n"  # 9 good with defaults
    )
    report = imports.run(_file(tmp_path, text, "sp.csv"), "product", "good_rows", head)
    assert [r.line for r in report.good] == [2, 9]
    assert _lines_with(report, "sku") == [3, 4]
    assert _lines_with(report, "price") == [5]
    assert _lines_with(report, "stock") == [6]
    assert _lines_with(report, "warranty_months") == [7]
    assert _lines_with(report, "name") == [8]
    db.session.expire_all()
    made = {p.sku: p for p in db.session.scalars(select(Product).where(Product.sku != "SP-OLD"))}
    assert set(made) == {"SP-1", "SP-6"}
    assert made["SP-1"].price == 1_250_000 and made["SP-1"].stock == 5 and made["SP-1"].warranty_months == 24
    assert made["SP-6"].stock == 0 and made["SP-6"].warranty_months == 12


def test_products_all_or_nothing_keeps_the_table_unchanged(app, db, tmp_path):
    head = make_user("head")
    db.session.commit()
    text = "sku,name,price\nA-1,Tốt,1000\nA-2,Xấu,abc\n"
    report = imports.run(_file(tmp_path, text, "sp.csv"), "product", "all_or_nothing", head)
    assert not report.committed
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0
