"""Text as stored and searched: NFC on every write, look-alikes of đ folded, % and _ taken literally,
the same results on SQLite (with and without FTS5), PostgreSQL (pg_trgm) and MariaDB."""

# ruff: noqa: F811 - the fixtures imported from tests.panel_world are parameters here

import unicodedata

import pytest
from sqlalchemy import select, text

from models import AuditLog, Customer, db
from services import search_index
from services.customers import search_text_for
from services.text import fold, like_literal, nfc, search_terms
from tests import factories as f
from tests.panel_world import login, panel_app, scalar, shop_engine, shop_url  # noqa: F401

DECOMPOSED = unicodedata.normalize("NFD", "Nguyễn Thị Hằng")


def test_fold_treats_look_alikes_of_d_and_compatibility_forms_as_plain_letters():
    assert fold("Đặng Văn Đạt") == fold("Ðặng Văn Ðạt") == fold("ðặng văn ɖạt") == "dang van dat"
    assert fold("ĐẠT") == fold("ÐẠT") == "dat"
    assert fold("０９１２ ３４５") == "0912 345"
    assert fold(DECOMPOSED) == fold("Nguyễn Thị Hằng") == "nguyen thi hang"
    assert fold("Søren Łukasz Straße") == "soren lukasz strasse"
    assert search_terms("Ðạt") == ["dat"]


def test_like_literal_escapes_the_wildcards_and_the_escape():
    assert like_literal("100%") == "100/%"
    assert like_literal("_an") == "/_an"
    assert like_literal("a/b") == "a//b"
    assert nfc(DECOMPOSED) == "Nguyễn Thị Hằng" and nfc("plain") == "plain"


@pytest.fixture(params=["plain", "indexed"])
def search_index_state(request, db):
    """Search with the database's index (FTS5 / pg_trgm) and without it (LIKE alone)."""
    if request.param == "indexed":
        search_index.ensure_search_indexes(db.engine)
    yield request.param
    if request.param == "indexed":
        search_index.drop_search_indexes(db.engine)


def _found(client, query: str) -> set[str]:
    html = client.get("/admin/customers/", query_string={"search": query}).get_data(as_text=True)
    return {n for n in NAMES if n in html}


NAMES = ("Nguyễn Văn An", "Lê _an Hòa", "Giảm 100% Lan", "Mã 1005 Bình", "Trần Ðạt")


def test_percent_and_underscore_are_plain_characters_in_search(app, db, login_as, search_index_state):
    head = f.make_user("head")
    for i, name in enumerate(NAMES):
        f.make_customer(name, phone=f"09120000{i:02d}")
    db.session.commit()
    client = login_as(head)
    assert _found(client, "_an") == {"Lê _an Hòa"}  # not "Văn An", on every database
    assert _found(client, "100%") == {"Giảm 100% Lan"}  # not "1005"
    assert _found(client, "100") == {"Giảm 100% Lan", "Mã 1005 Bình"}
    assert _found(client, "%") == set()  # no word starts with "%" (and it matches nothing else)
    assert _found(client, "_") == {"Lê _an Hòa"}
    assert _found(client, "dat") == _found(client, "Đạt") == _found(client, "ÐẠT") == {"Trần Ðạt"}


def test_wildcards_are_literal_in_other_searches_filters_and_lookups(app, db, login_as):
    head = f.make_user("head")
    db.session.add_all(
        [
            AuditLog(action="export", actor="a@w.vn", detail="giảm 100% phí"),
            AuditLog(action="export", actor="b@w.vn", detail="mã 1005"),
            AuditLog(action="export", actor="c_d@w.vn", detail="x"),
            AuditLog(action="export", actor="cxd@w.vn", detail="y"),
        ]
    )
    db.session.commit()
    client = login_as(head)

    def details(query_string):
        html = client.get("/admin/audit/", query_string=query_string).get_data(as_text=True)
        return {d for d in ("giảm 100% phí", "mã 1005", "c_d@w.vn", "cxd@w.vn") if d in html}

    assert details({"search": "100%"}) == {"giảm 100% phí"}
    assert details({"search": "c_d"}) == {"c_d@w.vn"}
    view = next(v for v in app.extensions["cskh_admin"]._views if v.endpoint == "audit")
    like = next(
        a for a, (_i, flt) in view._filter_args.items() if flt.column.key == "actor" and "Like" in type(flt).__name__
    )
    assert details({f"flt0_{like}": "c_d"}) == {"c_d@w.vn"}
    f.make_user("agent", name="Nhân_viên Một")
    f.make_user("agent", name="NhânXviên Hai")
    db.session.commit()
    found = client.get("/admin/customers/ajax/lookup/?name=owner&query=n_v").get_json()
    assert [label.split(" <")[0] for _id, label in found] == ["Nhân_viên Một"]  # not "NhânXviên"
    found = client.get("/admin/customers/ajax/lookup/?name=owner&query=nhân_").get_json()
    assert [label.split(" <")[0] for _id, label in found] == ["Nhân_viên Một"]


def test_every_write_is_stored_composed(app, db):
    customer = f.make_customer(DECOMPOSED)
    customer.notes = unicodedata.normalize("NFD", "Khách ở Hà Nội")
    db.session.commit()
    with db.engine.connect() as conn:
        name, notes = conn.execute(text("SELECT name, notes FROM customers WHERE id = :i"), {"i": customer.id}).one()
    assert name == "Nguyễn Thị Hằng" and notes == "Khách ở Hà Nội"
    assert db.session.scalar(select(Customer.id).where(Customer.name == "Nguyễn Thị Hằng")) == customer.id
    assert customer.search_text == search_text_for("Nguyễn Thị Hằng", customer.phone, None)


def test_a_form_write_is_composed_too(app, db, login_as):
    client = login_as("head")
    response = client.post(
        "/admin/customers/new/", {"name": DECOMPOSED, "phone": "0912000333", "kind": "customer", "potential": "medium"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM customers")).scalar() == "Nguyễn Thị Hằng"


def test_a_panel_edit_is_stored_composed(panel_app, shop_engine):
    head = f.make_user("head")
    client = login(panel_app, head)
    row = scalar(shop_engine, "SELECT id FROM ext_shop_orders WHERE total = 250000")
    note = unicodedata.normalize("NFD", "giao buổi chiều")
    response = client.post(
        f"/admin/panel/shop_orders/edit/?id={row}", {"status": "new", "ghi_chu": note, "agent_email": "x@test.vn"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    stored = scalar(shop_engine, "SELECT status FROM ext_shop_orders WHERE id = :i", i=row)
    assert stored == "new"
    with shop_engine.connect() as conn:
        notes = [r[0] for r in conn.execute(text("SELECT * FROM ext_shop_orders")).all() if r[0] == row]
    assert notes
    dialect = shop_engine.dialect.name
    column = "`Ghi chú`" if dialect in ("mysql", "mariadb") else '"Ghi chú"'
    assert scalar(shop_engine, f"SELECT {column} FROM ext_shop_orders WHERE id = :i", i=row) == "giao buổi chiều"
    assert db.session.scalar(select(AuditLog.changes).where(AuditLog.action == "update")) is not None
