"""Schema drift while the app runs: ``flask panel check`` against the live schema, the sources page's
check (cached a minute, with its time), and **Tải lại** (head/admin, CSRF, audited, no restart)."""

# ruff: noqa: F811 - the fixtures imported from tests.panel_world are parameters here

import time

import pytest
from sqlalchemy import select, text

from models import AuditLog, db
from services import panel_drift
from services.panel_inspect import starter_config
from tests.factories import make_user
from tests.panel_world import CONFIG, build_app, login, panel_app, scalar, shop_engine, shop_url  # noqa: F401

SOURCES = "/admin/panel-sources/"
RULE = """
[tables.stock_rule]
source = "shop"
table = "ext_stock"
permissions = { agent = ["view"] }
scope = { column = "qty", in = ["many"] }
"""


@pytest.fixture
def fresh_apps(database_url):
    """``make(path)``: an app started now with that configuration (what ``flask panel check`` does)."""
    from models import Base
    from tests import databases

    made = []

    def make(path):
        made.append(build_app(database_url, path))
        return made[-1]

    yield make
    for application in made:
        application.extensions["cskh_panel"].dispose()
    if made:
        with made[0].app_context():
            db.session.remove()
            databases.wipe(db.engine, Base.metadata)
            db.engine.dispose()


def _invoke(app):
    result = app.test_cli_runner().invoke(args=["panel", "check"])
    return result.exit_code, result.output


def test_check_compares_the_configuration_with_the_live_schema(
    fresh_apps, shop_url, shop_engine, tmp_path, monkeypatch
):
    monkeypatch.setenv("SHOP_DATABASE_URL", shop_url)
    starter = starter_config(shop_url, source="shop", include=("ext_stock", "ext_shop_orders"))
    path = tmp_path / "starter.toml"
    path.write_text(starter + RULE, encoding="utf-8")
    code, output = _invoke(fresh_apps(path))
    assert code == 1 and "[tables.stock_rule.scope] 'many' cannot be a value of 'qty' (int)" in output
    path.write_text(starter, encoding="utf-8")
    code, output = _invoke(fresh_apps(path))
    assert code == 0, output
    assert "ok  ext_stock: shop.ext_stock" in output and "DRIFT" not in output

    with shop_engine.begin() as conn:
        conn.execute(text("ALTER TABLE ext_stock ADD COLUMN note VARCHAR(50)"))
        conn.execute(text("ALTER TABLE ext_stock DROP COLUMN qty"))
        conn.execute(text("ALTER TABLE ext_stock ADD COLUMN qty VARCHAR(20)"))
        conn.execute(text("ALTER TABLE ext_shop_orders DROP COLUMN total"))
    code, output = _invoke(fresh_apps(path))
    assert code == 1
    assert (
        "DRIFT [tables.ext_stock] new column 'note' (VARCHAR(50)) in shop.ext_stock, not in the configuration" in output
    )
    assert "DRIFT [tables.ext_stock] column 'qty' of shop.ext_stock changed type: INT" in output
    assert "-> VARCHAR(20)" in output
    assert "[tables.ext_shop_orders.column_list] unknown column 'total'" in output
    assert "ok  ext_stock" not in output and "ok  ext_shop_orders" not in output


def test_a_column_added_while_the_app_runs_shows_after_reload(panel_app, shop_engine):
    head = login(panel_app, make_user("head"))
    assert "col-note" not in head.get("/admin/panel/stock/").get_data(as_text=True)
    with shop_engine.begin() as conn:
        conn.execute(text("ALTER TABLE ext_stock ADD COLUMN note VARCHAR(50)"))
        conn.execute(text("UPDATE ext_stock SET note = 'kệ A' WHERE warehouse = 'HN'"))
    r = head.get("/admin/panel/stock/")
    assert r.status_code == 200 and "kệ A" not in r.get_data(as_text=True)
    html = head.get(SOURCES).get_data(as_text=True)
    assert 'data-source="shop" data-status="drift"' in html and 'data-drift-kind="new_column"' in html
    assert "Cột mới “note”" in html

    for role in ("agent", "lead"):
        assert login(panel_app, make_user(role)).post(SOURCES + "reload/").status_code == 403
    assert head.post(SOURCES + "reload/", csrf=False).status_code == 400
    assert "kệ A" not in head.get("/admin/panel/stock/").get_data(as_text=True)
    assert db.session.scalars(select(AuditLog).where(AuditLog.action == "reload")).all() == []

    r = head.post(SOURCES + "reload/")
    assert r.status_code == 302 and r.headers["Location"].endswith(SOURCES)
    html = head.get("/admin/panel/stock/").get_data(as_text=True)
    assert "col-note" in html and "kệ A" in html
    (row,) = db.session.scalars(select(AuditLog).where(AuditLog.action == "reload")).all()
    assert row.actor == head.user.email and row.object_type == "PanelSources"
    assert 'data-source="shop" data-status="ok"' in head.get(SOURCES).get_data(as_text=True)
    # the rebuilt page still writes through the source's session
    assert head.post("/admin/panel/stock/edit/?id=HN,SKU-1", {"qty": "11"}).status_code == 302
    assert scalar(shop_engine, "SELECT qty FROM ext_stock WHERE warehouse = 'HN'") == 11
    assert head.get("/admin/panel/shop_orders/").status_code == 200


def test_reload_adds_a_new_entry_and_retires_a_removed_one(panel_app, shop_url, tmp_path):
    head = login(panel_app, make_user("head"))
    assert head.get("/admin/panel/order_summary/").status_code == 200
    changed = CONFIG.replace("[tables.order_summary]", "[tables.stock_again]")
    changed = changed.replace('table = "ext_order_summary"', 'table = "ext_stock"').replace('editable = ["n"]', "")
    (tmp_path / "panel.toml").write_text(changed.format(url=shop_url), encoding="utf-8")
    assert head.get("/admin/panel/stock_again/").status_code == 404
    assert head.post(SOURCES + "reload/").status_code == 302
    assert head.get("/admin/panel/order_summary/").status_code == 404
    html = head.get("/admin/panel/stock_again/").get_data(as_text=True)
    assert "SKU-1" in html and "HCM" in html
    assert "/admin/panel/stock_again/" in head.get("/admin/").get_data(as_text=True)


def test_the_sources_page_checks_each_source_once_a_minute(panel_app, monkeypatch):
    calls = []
    real = panel_drift.check_source
    monkeypatch.setattr(panel_drift, "check_source", lambda source: calls.append(source.key) or real(source))
    head = login(panel_app, make_user("head"))
    first = head.get(SOURCES).get_data(as_text=True)
    second = head.get(SOURCES).get_data(as_text=True)
    assert sorted(calls) == ["broken", "shop"]
    stamp = first.split("data-checked>", 1)[1].split("<", 1)[0]
    assert stamp in second and "Kiểm tra lúc" in stamp
    later = time.monotonic() + panel_drift.CHECK_MAX_AGE + 1
    monkeypatch.setattr(panel_drift.time, "monotonic", lambda: later)
    head.get(SOURCES)
    assert sorted(calls) == ["broken", "broken", "shop", "shop"]


def test_a_source_that_comes_back_gets_its_pages_after_reload(fresh_apps, shop_url, tmp_path):
    later = tmp_path / "later"
    text_ = (
        CONFIG
        + f"""
[sources.later]
url = "sqlite:///{later / "crm.sqlite3"}"

[tables.crm_notes]
source = "later"
table = "notes"
permissions = {{{{ head = ["view"] }}}}
"""
    )
    path = tmp_path / "panel.toml"
    path.write_text(text_.format(url=shop_url), encoding="utf-8")
    app = fresh_apps(path)
    with app.app_context():
        head = login(app, make_user("head"))
        html = head.get(SOURCES).get_data(as_text=True)
        assert 'data-source="later" data-status="error"' in html
        assert head.get("/admin/panel/crm_notes/").status_code == 404
        later.mkdir()
        from sqlalchemy import create_engine

        engine = create_engine(f"sqlite:///{later / 'crm.sqlite3'}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR(50))"))
            conn.execute(text("INSERT INTO notes (body) VALUES ('khách hẹn gọi lại')"))
        engine.dispose()
        assert head.post(SOURCES + "reload/").status_code == 302
        assert 'data-source="later" data-status="ok"' in head.get(SOURCES).get_data(as_text=True)
        assert "khách hẹn gọi lại" in head.get("/admin/panel/crm_notes/").get_data(as_text=True)
        assert head.get("/admin/panel/shop_orders/").status_code == 200
