"""Imports against hostile and odd files: a zip bomb, a huge field, a bad owner id, control characters,
UTF-16 / UTF-8 with BOM / Windows-1258 (said on the preview, stored as NFC). Nothing partial is written."""

import io
import time
import unicodedata
import zipfile

import pytest
from sqlalchemy import func, select, text

from models import Customer
from services import import_files, imports
from services.errors import ValidationError
from tests.admin.test_permissions import digest
from tests.factories import make_user

HEADER = "Họ tên,Số điện thoại,Ghi chú\n"

_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def xlsx_bomb(rows: int = 1_000_000) -> bytes:
    """A ~144 KB XLSX whose sheet (no <dimension>) unpacks to a million rows of two numbers."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in _PARTS.items():
            archive.writestr(name, content)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>'
                b'<c r="B1" t="inlineStr"><is><t>phone</t></is></c></row>'
            )
            chunk = b"<row><c><v>1</v></c><c><v>912345678</v></c></row>" * 10_000
            for _ in range(rows // 10_000):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def import_folder(app, tmp_path):
    app.config["IMPORT_FOLDER"] = str(tmp_path / "imports")


def _upload(client, content: bytes, name: str, **extra):
    return client.post(
        "/admin/import/customers/preview/",
        data={"file": (io.BytesIO(content), name), **extra},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def _customers(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Customer))


def test_an_xlsx_bomb_fails_fast_with_a_clear_error(app, db, login_as):
    bomb = xlsx_bomb()
    assert len(bomb) < 200_000
    client = login_as("lead")
    small = _upload(client, xlsx_bomb(0), "nho.xlsx")  # a normal small file first: the server is warm
    assert small.status_code == 200 and "50000" not in small.get_data(as_text=True).replace(".", "")
    before = digest(db)
    started = time.monotonic()
    response = _upload(client, bomb, "bom.xlsx")
    elapsed = time.monotonic() - started
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "50000" in html.replace(".", "").replace(" ", "")
    assert "chia thành các tệp nhỏ hơn" in html
    assert elapsed < 5, f"{elapsed:.1f} s"
    assert digest(db) == before


def test_a_workbook_that_unpacks_too_far_is_refused_before_reading(app, db, monkeypatch, tmp_path):
    monkeypatch.setattr(import_files, "XLSX_MAX_UNCOMPRESSED", 1024 * 1024)
    path = tmp_path / "big.xlsx"
    path.write_bytes(xlsx_bomb(100_000))
    with pytest.raises(ValidationError) as caught:
        import_files.read_table(path)
    assert "MB" in str(caught.value.errors["file"][0])


def test_rows_are_read_one_at_a_time_and_reading_stops_at_the_limit(app, db, monkeypatch, tmp_path):
    monkeypatch.setattr(import_files, "MAX_ROWS", 100)
    monkeypatch.setattr(import_files, "MAX_SCANNED_ROWS", 200)
    read = []
    original = import_files._read_csv

    def counting(text_):
        for row in original(text_):
            read.append(row)
            yield row

    monkeypatch.setattr(import_files, "_read_csv", counting)
    path = tmp_path / "dai.csv"
    path.write_text(HEADER + "".join(f"Khách {i},09{i:08d},\n" for i in range(10_000)), encoding="utf-8")
    lead = make_user("lead")
    db.session.commit()
    report = imports.preview(path, "customer", lead)
    assert report.file_errors and "100" in str(report.file_errors[0]) and report.rows == []
    assert len(read) <= 103  # the header and the first 101 rows, not 10,000

    # the same in an XLSX (parsed as it goes: the row count stops before openpyxl reads anything)
    path = tmp_path / "dai.xlsx"
    path.write_bytes(xlsx_bomb(10_000))
    with pytest.raises(ValidationError):
        imports.preview(path, "customer", lead)


def test_a_csv_field_over_128_kib_is_a_row_error_not_a_crash(app, db, login_as):
    client = login_as("lead")
    content = (HEADER + "Nguyễn Văn An,0912345678,ngắn\n" + "Trần Bình,0912345679," + "x" * 140_000 + "\n").encode()
    before = digest(db)
    html = _upload(client, content, "dai.csv").get_data(as_text=True)
    assert "Nguyễn Văn An" in html and 'data-line="3"' in html and "Dài hơn 20000 ký tự" in html
    assert 'data-line="2"' not in html  # the other row is fine
    assert digest(db) == before


def test_a_control_character_in_a_cell_is_a_row_error(app, db):
    lead = make_user("lead")
    db.session.commit()
    report = _preview_text(HEADER + "An\x00 Bình,0912345678,\nLan,0912345679,\n", lead, "utf-8")
    bad = {r.line: r for r in report.bad}
    assert set(bad) == {2} and any("NUL" in str(m) for _f, m in bad[2].errors)


@pytest.mark.parametrize("owner", ["abc", "1 OR 1=1", "9" * 30, "-1", "1\x00"])
def test_a_bad_owner_id_is_a_clear_error(app, db, login_as, owner):
    client = login_as("head")
    before = digest(db)
    response = _upload(client, (HEADER + "An,0912345678,\n").encode(), "k.csv", owner_id=owner)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "chọn một nhân viên đang làm việc" in html
    assert "Traceback" not in html and "ValueError" not in html
    assert digest(db) == before


def _preview_text(content: str, user, encoding: str, tmp_name="k.csv"):
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())
    path = folder / tmp_name
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return imports.preview(path, "customer", user)


def to_cp1258(value: str) -> bytes:
    """What Windows-1258 tools write: precomposed â/ê/ô/ă/ơ/ư, then the tone as a combining mark."""
    out = b""
    for char in unicodedata.normalize("NFC", value):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(m for m in decomposed[1:] if m in "\u0300\u0301\u0303\u0309\u0323")
        rest = "".join(m for m in decomposed[1:] if m not in tones)
        out += unicodedata.normalize("NFC", decomposed[0] + rest).encode("cp1258") + tones.encode("cp1258")
    return out


NAMES = ("Nguyễn Thị Hằng", "Đặng Văn Đạt", "Phạm Quốc Việt")


@pytest.mark.parametrize(
    "encode, said",
    [
        (lambda t: t.encode("utf-8"), "UTF-8"),
        (lambda t: t.encode("utf-8-sig"), "UTF-8 (BOM)"),
        (lambda t: t.encode("utf-16"), "UTF-16"),
        (lambda t: t.encode("utf-16-le"), "UTF-16"),
        (lambda t: t.encode("utf-16-be"), "UTF-16"),
        (to_cp1258, "Windows-1258"),
    ],
)
def test_encodings_are_detected_said_and_stored_as_nfc(app, db, login_as, encode, said):
    content = HEADER + "".join(f"{name},09123456{i:02d},\n" for i, name in enumerate(NAMES))
    client = login_as("head")
    html = _upload(client, encode(content), "khach.csv").get_data(as_text=True)
    assert f"Tệp được đọc theo bảng mã {said}." in html
    for name in NAMES:
        assert name in html
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(
        "/admin/import/customers/confirm/",
        {"token": token, "ext": "csv", "mode": "all_or_nothing", "owner_id": "", "filename": "khach.csv"},
    )
    assert response.status_code == 200
    assert _customers(db) == 3
    with db.engine.connect() as conn:
        stored = {row[0] for row in conn.execute(text("SELECT name FROM customers"))}
    assert stored == set(NAMES)  # composed (NFC) on every database, so exact matches agree
    assert all(unicodedata.is_normalized("NFC", n) for n in stored)
