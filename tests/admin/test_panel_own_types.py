"""Schemas of our own with the types other databases have: enum, SET and YEAR (MariaDB), arrays, interval,
identity, JSON and generated columns (PostgreSQL), REAL, BLOB and generated columns (SQLite), a view each,
and a PostgreSQL rule that reroutes inserts. ``flask panel inspect`` proposes a file that works unedited:
every column gets a field or is read only with the reason, binary columns are never filters, creating a
row works, and a rerouted insert says so in words."""

import html as htmllib
import re

import pytest
from sqlalchemy import LargeBinary, create_engine, text

from tests.factories import make_user
from tests.panel_world import build_app, external_url, login, scalar

SCHEMAS = {
    "postgresql": [
        "CREATE TYPE ext_mood AS ENUM ('vui', 'buồn', 'bình thường')",
        "CREATE TABLE ext_tickets (id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " subject VARCHAR(100) NOT NULL, mood ext_mood, tags TEXT[], wait INTERVAL, total NUMERIC(10,2),"
        " total_vat NUMERIC(12,2) GENERATED ALWAYS AS (total * 1.1) STORED, attachment BYTEA, meta JSONB,"
        " opened_at TIMESTAMP)",
        "INSERT INTO ext_tickets (subject, mood, tags, wait, total, meta, opened_at) VALUES ('Giao trễ', 'buồn',"
        " ARRAY['giao hàng','trễ'], INTERVAL '2 hours', 200000, '{\"kênh\": \"zalo\"}', '2026-01-02 08:30')",
        "CREATE VIEW ext_ticket_moods AS SELECT mood, COUNT(*) AS n FROM ext_tickets GROUP BY mood",
        "CREATE TABLE ext_notes (id SERIAL PRIMARY KEY, body VARCHAR(100))",
        "CREATE TABLE ext_notes_archive (id INTEGER, body VARCHAR(100))",
        "CREATE RULE ext_notes_reroute AS ON INSERT TO ext_notes WHERE NEW.body LIKE 'cũ%'"
        " DO INSTEAD INSERT INTO ext_notes_archive VALUES (NEW.id, NEW.body)",
    ],
    "mariadb": [
        "CREATE TABLE ext_plans (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL,"
        " tier ENUM('bac','vang','kim_cuong'), channels SET('sms','zalo','email'), since YEAR, logo BLOB,"
        " price DOUBLE, total DECIMAL(10,2), total_vat DECIMAL(12,2) AS (total * 1.1) STORED)",
        "INSERT INTO ext_plans (name, tier, channels, since, price, total)"
        " VALUES ('Gói bạc', 'bac', 'sms,zalo', 2020, 1.5, 100000)",
        "CREATE VIEW ext_plan_tiers AS SELECT tier, COUNT(*) AS n FROM ext_plans GROUP BY tier",
    ],
    "sqlite": [
        "CREATE TABLE ext_items (code CHAR(8) PRIMARY KEY, name TEXT NOT NULL, weight REAL, photo BLOB,"
        " added DATETIME, price NUMERIC(10,2), price_vat NUMERIC GENERATED ALWAYS AS (price * 1.1) STORED)",
        "INSERT INTO ext_items (code, name, weight, added, price) VALUES ('SP-1', 'Nồi cơm', 2.5,"
        " '2026-01-02 08:30:00', 100000)",
        "CREATE VIEW ext_item_names AS SELECT code, name FROM ext_items",
    ],
}
DROPS = {
    "postgresql": [
        "DROP VIEW IF EXISTS ext_ticket_moods",
        "DROP TABLE IF EXISTS ext_tickets",
        "DROP TABLE IF EXISTS ext_notes",
        "DROP TABLE IF EXISTS ext_notes_archive",
        "DROP TYPE IF EXISTS ext_mood",
    ],
    "mariadb": ["DROP VIEW IF EXISTS ext_plan_tiers", "DROP TABLE IF EXISTS ext_plans"],
    "sqlite": ["DROP VIEW IF EXISTS ext_item_names", "DROP TABLE IF EXISTS ext_items"],
}
CREATE = {
    "postgresql": ("ext_tickets", {"subject": "Đổi màu", "mood": "vui", "total": "300000"}, "subject", "total_vat"),
    "mariadb": (
        "ext_plans",
        {"name": "Gói vàng", "tier": "vang", "channels": ["sms", "email"], "price": "2,5", "total": "300000"},
        "name",
        "total_vat",
    ),
    "sqlite": (
        "ext_items",
        {"code": "SP-2", "name": "Ấm đun", "weight": "1.2", "price": "300000"},
        "name",
        "price_vat",
    ),
}
READ_ONLY = {
    "postgresql": {"tags", "wait", "attachment", "meta"},
    "mariadb": {"since", "logo"},
    "sqlite": {"photo"},
}


def _errors(response) -> list[str]:
    page = htmllib.unescape(response.get_data(as_text=True))
    return [
        " ".join(m.split()) for m in re.findall(r"(?:invalid-feedback|alert-\w+)[^>]*>(.*?)</(?:div|span)", page, re.S)
    ]


def _run(engine, statements):
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


@pytest.fixture
def own_app(backend, database_url, tmp_path, monkeypatch):
    """The app started with the unedited output of ``flask panel inspect URL --include 'ext_*'``."""
    from models import Base
    from models import db as _db
    from services.panel_inspect import starter_config
    from tests import databases

    url = external_url(database_url, tmp_path)
    engine = create_engine(url)
    _run(engine, DROPS[backend])
    _run(engine, SCHEMAS[backend])
    path = tmp_path / "own.toml"
    path.write_text(starter_config(url, source="own", include=("ext_*",)), encoding="utf-8")
    monkeypatch.setenv("OWN_DATABASE_URL", url)
    app = build_app(database_url, path)
    ctx = app.app_context()
    ctx.push()
    yield app, engine
    app.extensions["cskh_panel"].dispose()
    _db.session.remove()
    databases.wipe(_db.engine, Base.metadata)
    _db.engine.dispose()
    ctx.pop()
    _run(engine, DROPS[backend])
    engine.dispose()


def test_inspect_proposes_a_working_file_and_every_column_has_a_field_or_a_reason(own_app, backend):
    app, engine = own_app
    panel = app.extensions["cskh_panel"]
    assert panel.problems == []
    assert {t.table.name for t in panel.tables.values()} >= {s.split()[2] for s in SCHEMAS[backend] if " TABLE " in s}
    client = login(app, make_user("head"))
    for key, table in panel.tables.items():
        view = next(v for v in app.extensions["cskh_admin"]._views if v.endpoint == f"panel_{key}")
        page = client.get(f"/admin/panel/{key}/")
        assert page.status_code == 200, key
        binary = {table.attr(c.name) for c in table.table.columns if isinstance(c.type, LargeBinary)}
        assert not binary & {getattr(f.column, "key", None) for f in view._filters or []}, key
        assert not binary & set(view.column_searchable_list or []), key
        if table.read_only_reason:
            assert table.is_view or not table.has_primary_key
            assert client.get(f"/admin/panel/{key}/new/").status_code == 403
            continue
        form = htmllib.unescape(client.get(f"/admin/panel/{key}/new/").get_data(as_text=True))
        fixed = {label: reason for label, reason in view.read_only_fields()}
        for column in table.config.editable:
            has_field = f'name="{table.attr(column)}"' in form
            assert has_field != (table.column_label(column) in fixed), (key, column)
            if not has_field:
                assert str(fixed[table.column_label(column)]) in form and "data-panel-fixed" in form
        assert READ_ONLY[backend] & set(table.config.editable) <= set(fixed) or table.table.name != CREATE[backend][0]


def test_a_row_is_created_and_the_database_fills_its_generated_columns(own_app, backend):
    app, engine = own_app
    name, data, label, generated = CREATE[backend]
    client = login(app, make_user("head"))
    r = client.post(f"/admin/panel/{name}/new/", data)
    assert r.status_code == 302, _errors(r)
    value = scalar(engine, f"SELECT {generated} FROM {name} WHERE {label} = :v", v=data[label])
    assert float(value) == pytest.approx(330000)
    if backend == "mariadb":
        assert scalar(engine, "SELECT channels FROM ext_plans WHERE name = :v", v=data[label]) in (
            "sms,email",
            {"sms", "email"},
        )
    listing = client.get(f"/admin/panel/{name}/?search={data[label]}").get_data(as_text=True)
    assert data[label] in listing
    if backend == "mariadb":
        assert "email, sms" in listing and "{&#39;" not in listing and "{'" not in listing


@pytest.mark.backends("postgresql")
def test_an_insert_a_rule_reroutes_is_said_in_words(own_app, backend):
    app, engine = own_app
    client = login(app, make_user("head"))
    assert client.post("/admin/panel/ext_notes/new/", {"body": "mới"}).status_code == 302
    r = client.post("/admin/panel/ext_notes/new/", {"body": "cũ rồi"})
    page = htmllib.unescape(r.get_data(as_text=True))
    assert "RETURNING" not in page and "INSERT" not in page
    routed = scalar(engine, "SELECT COUNT(*) FROM ext_notes_archive")
    kept = scalar(engine, "SELECT COUNT(*) FROM ext_notes")
    assert r.status_code == 302 and routed == 1 and kept == 1
    page = htmllib.unescape(client.get(r.headers["Location"]).get_data(as_text=True))
    assert "nơi khác" in page and "cũ rồi" not in page
