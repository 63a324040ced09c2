"""Panel tables with types Flask-Admin leaves out: REAL/DOUBLE fields, naive times in the source's zone,
binary columns kept out of search and filters, CHECK refusals in words, key-less tables' header."""

# ruff: noqa: F811 - the fixtures imported from tests.panel_world are parameters here

import re

import pytest
from sqlalchemy import create_engine, text

from tests.factories import make_user
from tests.panel_world import external_url, login, panel_app, scalar, shop_engine, shop_url  # noqa: F401

CONFIG = """
[sources.lab]
url = "{url}"
{zone}

[tables.readings]
source = "lab"
table = "ext_readings"
searchable = ["note", "raw"]
filterable = ["reading", "raw"]
editable = ["reading", "ratio", "taken_at", "qty", "note", "raw"]
permissions = {{ head = ["view", "create", "edit", "delete", "export"] }}
"""


def _ddl(dialect: str) -> list[str]:
    auto = {"postgresql": "SERIAL PRIMARY KEY", "sqlite": "INTEGER PRIMARY KEY"}.get(
        dialect, "INTEGER AUTO_INCREMENT PRIMARY KEY"
    )
    double = "DOUBLE PRECISION" if dialect == "postgresql" else "DOUBLE" if dialect != "sqlite" else "REAL"
    blob = {"postgresql": "BYTEA", "sqlite": "BLOB"}.get(dialect, "BLOB")
    stamp = "DATETIME" if dialect != "postgresql" else "TIMESTAMP"
    return [
        f"CREATE TABLE ext_readings (id {auto}, reading REAL, ratio {double}, taken_at {stamp}, raw {blob},"
        " qty INTEGER, note VARCHAR(50), CONSTRAINT qty_not_negative CHECK (qty >= 0))",
        "INSERT INTO ext_readings (reading, ratio, taken_at, qty, note)"
        " VALUES (1.5, 0.25, '2026-01-02 08:30:00', 3, 'sáng')",
    ]


@pytest.fixture
def lab(database_url, tmp_path):
    url = external_url(database_url, tmp_path)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS ext_readings"))
        for statement in _ddl(engine.dialect.name):
            conn.execute(text(statement))
    yield url, engine
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS ext_readings"))
    engine.dispose()


def _app(database_url, lab, tmp_path, zone: str = ""):
    from tests.panel_world import build_app

    path = tmp_path / "lab.toml"
    path.write_text(CONFIG.format(url=lab[0], zone=zone), encoding="utf-8")
    return build_app(database_url, path)


@pytest.fixture
def lab_app(database_url, lab, tmp_path):
    from models import Base
    from models import db as _db
    from tests import databases

    apps = []

    def make(zone: str = ""):
        application = _app(database_url, lab, tmp_path, zone)
        apps.append(application)
        return application

    yield make
    for application in apps:
        application.extensions["cskh_panel"].dispose()
    with apps[0].app_context():
        _db.session.remove()
        databases.wipe(_db.engine, Base.metadata)
        _db.engine.dispose()


def _client(app):
    with app.app_context():
        return login(app, make_user("head"))


def test_real_and_double_columns_get_number_fields_and_save(lab_app, lab):
    app = lab_app()
    client = _client(app)
    form = client.get("/admin/panel/readings/new/").get_data(as_text=True)
    assert 'name="reading"' in form and 'name="ratio"' in form
    assert 'name="raw"' not in form and "data-panel-fixed" in form and "raw" in form  # binary: read only, says why
    r = client.post("/admin/panel/readings/new/", {"reading": "2,5", "ratio": "0.125", "qty": "1", "note": "chiều"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert scalar(lab[1], "SELECT ratio FROM ext_readings WHERE note = 'chiều'") == pytest.approx(0.125)
    assert scalar(lab[1], "SELECT reading FROM ext_readings WHERE note = 'chiều'") == pytest.approx(2.5)
    r = client.post("/admin/panel/readings/new/", {"reading": "abc", "qty": "1", "note": "lỗi"})
    assert r.status_code == 200 and "Không phải là số hợp lệ" in r.get_data(as_text=True)
    assert scalar(lab[1], "SELECT COUNT(*) FROM ext_readings") == 2


def test_binary_columns_are_never_search_or_filter_targets(lab_app):
    app = lab_app()
    view = next(v for v in app.extensions["cskh_admin"]._views if v.endpoint == "panel_readings")
    assert view.column_searchable_list == ["note"]
    assert view.column_filters == ["reading"]
    assert set(view.skipped) == {"raw"}
    client = _client(app)
    assert client.get("/admin/panel/readings/?search=s").status_code == 200


@pytest.mark.parametrize(("zone", "shown"), [("", "02/01/2026 08:30"), ('timezone = "UTC"', "02/01/2026 15:30")])
def test_naive_times_agree_on_every_screen(lab_app, lab, zone, shown):
    app = lab_app(zone)
    client = _client(app)
    row = scalar(lab[1], "SELECT id FROM ext_readings")
    assert shown in client.get("/admin/panel/readings/").get_data(as_text=True)
    assert shown in client.get(f"/admin/panel/readings/details/?id={row}").get_data(as_text=True)
    assert shown in client.get("/admin/panel/readings/export/csv/").get_data(as_text=True)
    assert shown in client.get(f"/admin/panel/readings/edit/?id={row}").get_data(as_text=True)
    # saving the form unchanged keeps the stored value
    r = client.post(
        f"/admin/panel/readings/edit/?id={row}",
        {"reading": "1.5", "ratio": "0.25", "taken_at": shown, "qty": "3", "note": "sáng"},
    )
    assert r.status_code == 302
    stored = str(scalar(lab[1], "SELECT taken_at FROM ext_readings"))
    assert stored.startswith("2026-01-02 08:30")


def test_check_constraint_refusal_is_said_in_words(lab_app, lab):
    app = lab_app()
    client = _client(app)
    row = scalar(lab[1], "SELECT id FROM ext_readings")
    r = client.post(f"/admin/panel/readings/edit/?id={row}", {"reading": "1.5", "qty": "-4", "note": "sáng"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "qty_not_negative" in html or "vi phạm quy tắc" in html
    assert "INSERT" not in html and "UPDATE ext_readings" not in html and "CHECK (" not in html
    assert scalar(lab[1], "SELECT qty FROM ext_readings") == 3


def test_keyless_table_and_view_header_matches_the_rows(panel_app, shop_engine):
    client = login(panel_app, make_user("head"))
    for url in ("/admin/panel/call_log/", "/admin/panel/order_summary/"):
        html = client.get(url).get_data(as_text=True)
        header = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
        body = html.split("</thead>", 1)[1]
        first_row = re.search(r"<tr[^>]*>(.*?)</tr>", body, re.S).group(1)
        assert header.count("<th") == first_row.count("<td"), url


def test_a_column_dropped_while_the_app_runs_gives_a_clear_page_not_a_500(panel_app, shop_engine):
    client = login(panel_app, make_user("head"))
    assert client.get("/admin/panel/stock/").status_code == 200
    with shop_engine.begin() as conn:
        conn.execute(text("ALTER TABLE ext_stock DROP COLUMN qty"))
    for url in ("/admin/panel/stock/", "/admin/panel/stock/details/?id=HN,SKU-1"):
        r = client.get(url)
        assert r.status_code == 503 and 'data-panel-unavailable="stock"' in r.get_data(as_text=True)
    assert client.get("/admin/panel/shop_orders/").status_code == 200
    assert client.get("/admin/customers/").status_code == 200


def test_sources_page_checks_now_and_an_export_cut_midway_says_so(panel_app, shop_engine, monkeypatch):
    from sqlalchemy.exc import OperationalError

    client = login(panel_app, make_user("head"))
    html = client.get("/admin/panel-sources/").get_data(as_text=True)
    assert 'data-source="shop" data-status="ok"' in html and "data-checked" in html
    source = panel_app.extensions["cskh_panel"].sources["shop"]
    working = source.engine
    monkeypatch.setattr(source, "engine", create_engine("sqlite:////nonexistent-panel-dir/gone/shop.sqlite3"))
    source.state = None  # the last check is kept a minute (test_panel_drift); this one asks again
    html = client.get("/admin/panel-sources/").get_data(as_text=True)
    assert 'data-source="shop" data-status="error"' in html
    monkeypatch.setattr(source, "engine", working)

    view = next(v for v in panel_app.extensions["cskh_admin"]._views if v.endpoint == "panel_shop_orders")
    real = view.export_models

    def failing():
        rows = real()
        yield next(rows)
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(view, "export_models", failing)
    text_ = client.get("/admin/panel/shop_orders/export/csv/").get_data(as_text=True)
    lines = [line for line in text_.splitlines() if line.strip()]
    assert lines[0].lstrip("\ufeff").startswith("id,") and "XUẤT CHƯA ĐỦ" in lines[-1] and "server closed" not in text_


def test_editable_by_role_limits_what_a_role_changes(database_url, shop_url, shop_engine, tmp_path):
    from tests.panel_world import AGENT_EMAIL, CONFIG, build_app, write_config

    text_ = CONFIG.replace(
        'unscoped_roles = ["head"]', 'unscoped_roles = ["head"]\neditable_by_role = {{ agent = ["status"] }}'
    )
    app = build_app(database_url, write_config(tmp_path, shop_url, text_))
    try:
        with app.app_context():
            assert [p for p in app.extensions["cskh_panel"].problems if "shop_orders" in p.entry] == []
            agent = login(app, make_user("agent", email=AGENT_EMAIL))
            own = scalar(shop_engine, "SELECT id FROM ext_shop_orders WHERE total = 250000")
            form = agent.get(f"/admin/panel/shop_orders/edit/?id={own}").get_data(as_text=True)
            assert 'name="status"' in form and 'name="ghi_chu"' not in form
            r = agent.post(f"/admin/panel/shop_orders/edit/?id={own}", {"status": "done", "ghi_chu": "đổi lén"})
            assert r.status_code == 302
            assert scalar(shop_engine, "SELECT status FROM ext_shop_orders WHERE id = :i", i=own) == "done"
            note = "`Ghi chú`" if shop_engine.dialect.name in ("mysql", "mariadb") else '"Ghi chú"'
            assert scalar(shop_engine, f"SELECT {note} FROM ext_shop_orders WHERE id = :i", i=own) == "giao buổi sáng"
            head = login(app, make_user("head"))
            assert 'name="ghi_chu"' in head.get(f"/admin/panel/shop_orders/edit/?id={own}").get_data(as_text=True)
    finally:
        from models import Base
        from models import db as _db
        from tests import databases

        app.extensions["cskh_panel"].dispose()
        with app.app_context():
            _db.session.remove()
            databases.wipe(_db.engine, Base.metadata)
            _db.engine.dispose()
