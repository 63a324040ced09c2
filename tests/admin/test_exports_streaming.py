"""Exports stream as a WSGI server runs them: rows read after the view has returned, a batch at a time,
a fixed number of queries whatever the row count, XLSX as a zip written while rows are read."""

import csv
import io
import math
import threading
import zipfile

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import event

import admin.listing.exports as exports
from models import Customer
from tests.factories import make_complaint, make_customer, make_order, make_product, make_team, make_user


def _customers(db, n: int, owner=None):
    for i in range(n):
        make_customer(f"Khách {i:03d}", owner=owner)
    db.session.commit()


def _in_server_thread(app, user, path: str):
    """GET ``path`` with a plain client in a thread of its own: no app context around the request (as
    under gunicorn), so Flask tears the request's session down before the body is read."""
    result, token = {}, user.get_id()

    def run():
        try:
            client = FlaskClient(app)
            with client.session_transaction() as session:
                session["_user_id"] = token
                session["_fresh"] = True
            response = client.get(path)
            result["status"], result["body"] = response.status_code, response.get_data()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            result["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert "error" not in result, repr(result.get("error"))
    return result["status"], result["body"]


def test_csv_and_xlsx_work_when_the_request_session_is_gone_before_the_body(app, db):
    team = make_team("Nhóm A")
    agent, mate = make_user("agent", team=team), make_user("agent", team=team)
    make_customer("Của tôi", owner=agent)
    make_customer("Của bạn", owner=mate)
    db.session.commit()

    status, body = _in_server_thread(app, agent, "/admin/customers/export/csv/")
    assert status == 200
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["Của tôi"]

    status, body = _in_server_thread(app, agent, "/admin/customers/export/xlsx/")
    assert status == 200
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    assert [r[1] for r in list(sheet.iter_rows(values_only=True))[1:]] == ["Của tôi"]


class _Loads:
    """Counts model instances loaded from rows (the rows the export has read so far)."""

    def __init__(self, model):
        self.model, self.count = model, 0

    def __call__(self, *_args):
        self.count += 1

    def __enter__(self):
        event.listen(self.model, "load", self)
        return self

    def __exit__(self, *_exc):
        event.remove(self.model, "load", self)


def test_csv_sends_its_first_rows_before_reading_the_rest(db, login_as, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 5)
    _customers(db, 23)
    client = login_as("head")
    with _Loads(Customer) as loads:
        response = client.get("/admin/customers/export/csv/", buffered=False)
        assert response.is_streamed and "Content-Length" not in response.headers
        chunks = iter(response.response)
        header = next(chunks)
        assert header.startswith("\ufeff".encode()) and loads.count == 0  # before the query has read a row
        first = next(chunks)
        assert first.count(b"\n") == 5
        assert loads.count <= 10 < 23  # a batch (and at most the next one), not the table
        rest = b"".join(chunks)
        response.close()
    assert (header + first + rest).count(b"\n") == 24 and loads.count == 23


def test_xlsx_sends_its_first_bytes_before_reading_the_rows(db, login_as, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 5)
    monkeypatch.setattr(exports, "CHUNK_BYTES", 1)
    _customers(db, 23)
    client = login_as("head")
    with _Loads(Customer) as loads:
        response = client.get("/admin/customers/export/xlsx/", buffered=False)
        assert response.is_streamed and "Content-Length" not in response.headers
        chunks = iter(response.response)
        first = next(chunks)
        assert first.startswith(b"PK") and loads.count == 0
        body = first + b"".join(chunks)
        response.close()
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    assert archive.namelist()[0] == "[Content_Types].xml"  # what `file` and mail filters look at
    rows = list(load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == 24 and {r[1] for r in rows[1:]} == {f"Khách {i:03d}" for i in range(23)}


def test_xlsx_past_the_sheet_row_limit_continues_on_another_sheet(db, login_as, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 4)  # header + 3 rows per sheet
    _customers(db, 7)
    body = login_as("head").get("/admin/customers/export/xlsx/").get_data()
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    assert workbook.sheetnames == ["customers", "customers (2)", "customers (3)"]
    sheets = [list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets]
    assert [len(rows) for rows in sheets] == [4, 4, 2]
    assert all(rows[0] == sheets[0][0] for rows in sheets)  # each sheet starts with the header
    names = [r[1] for rows in sheets for r in rows[1:]]
    assert names == [f"Khách {i:03d}" for i in reversed(range(7))]  # the list's order, newest first


def test_export_queries_do_not_grow_with_the_rows(app, db, login_as, monkeypatch):
    """Every exported relationship (customer, assignee, team, order, product) is loaded with the rows."""
    monkeypatch.setattr(exports, "BATCH", 5)
    team, product = make_team("Nhóm A"), make_product("Máy lọc", sku="ML-1")
    agent = make_user("agent", team=team)
    n = 15
    for i in range(n):
        customer = make_customer(f"Khách {i}", owner=agent)
        order = make_order(customer)
        make_complaint(customer, assignee=agent, team_id=team.id, order_id=order.id, product_id=product.id)
    db.session.commit()
    client = login_as("head")
    client.get("/admin/complaints/")  # first request: nothing below is a one-off
    statements = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        body = client.get("/admin/complaints/export/csv/").get_data()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == n + 1
    assert all(r[-2] and r[-1] for r in rows[1:])  # the order and the product are there
    # SQLite / PostgreSQL: one query for all rows; MariaDB: one per batch. Never one per row.
    assert len(statements) <= 8 + math.ceil(n / exports.BATCH), statements


def test_an_abandoned_download_ends_cleanly_and_the_next_export_works(db, login_as, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 5)
    _customers(db, 23)
    client = login_as("head")
    response = client.get("/admin/customers/export/csv/", buffered=False)
    chunks = iter(response.response)
    next(chunks), next(chunks)
    response.close()  # the browser went away: the generator and its session are closed
    body = client.get("/admin/customers/export/csv/").get_data()
    assert body.count(b"\n") == 24


def test_each_request_exports_its_own_query_even_in_one_app_context(app, db, login_as):
    """``g`` lives as long as the app context, which a caller may hold over several requests."""
    _customers(db, 3)
    head = login_as("head").user
    client = FlaskClient(app)  # no context of its own: every request below shares the test's
    with client.session_transaction() as session:
        session["_user_id"] = head.get_id()
        session["_fresh"] = True
    customers = client.get("/admin/customers/export/csv/").get_data().decode("utf-8-sig")
    ordered = client.get("/admin/customers/export/csv/?sort=0").get_data().decode("utf-8-sig")
    orders = client.get("/admin/orders/export/csv/").get_data().decode("utf-8-sig")
    assert [r[1] for r in list(csv.reader(io.StringIO(customers)))[1:]] == ["Khách 002", "Khách 001", "Khách 000"]
    assert [r[1] for r in list(csv.reader(io.StringIO(ordered)))[1:]] == ["Khách 000", "Khách 001", "Khách 002"]
    assert len(list(csv.reader(io.StringIO(orders)))) == 1  # no orders: the header alone
