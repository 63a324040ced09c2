"""The panel configuration: problems named by file and entry, reflection, starter configs, the CLI."""

# ruff: noqa: F811 - the fixtures imported from tests.panel_world are parameters here

import tomllib

from services import panel as panel_rules
from services import panel_config
from services.panel_inspect import starter_config
from tests.panel_world import build_app, panel_app, shop_url, write_config  # noqa: F401

BAD = """
[sources.shop]
url = "{url}"

[tables.ghost]
source = "shop"
table = "ext_no_such_table"
permissions = {{ head = ["view"] }}

[tables.typo]
source = "shop"
table = "ext_shop_orders"
column_list = ["id", "statuss"]
permissions = {{ head = ["view"] }}

[tables.roles]
source = "shop"
table = "ext_stock"
permissions = {{ boss = ["view"], head = ["view", "approve"] }}

[tables.fine]
source = "shop"
table = "ext_stock"
permissions = {{ head = ["view"] }}

[builtin.customers]
column_list = ["name", "no_such_column"]
"""


def test_missing_file_means_no_panels(tmp_path):
    config = panel_config.load(tmp_path / "absent.toml")
    assert config.tables == {} and config.problems == []


def test_static_errors_name_file_entry_and_reason(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(
        '[sources.s]\nurl_env = "PANEL_TEST_UNSET_VARIABLE"\n'
        '[tables.t]\nsource = "s"\npermissions = { chef = ["view"] }\nscope = { column = "x", equals = "user.name" }\n'
        "[extra]\n",
        encoding="utf-8",
    )
    problems = {p.entry: p for p in panel_config.load(path).problems}
    assert problems["sources.s.url_env"].file == str(path)
    assert "PANEL_TEST_UNSET_VARIABLE" in problems["sources.s.url_env"].reason
    assert "unknown role 'chef'" in problems["tables.t.permissions.chef"].reason
    assert "user.email" in problems["tables.t.scope"].reason
    assert "unknown section" in problems["extra"].reason
    path.write_text("[tables.t\n", encoding="utf-8")
    (problem,) = panel_config.load(path).problems
    assert problem.entry == "(file)" and str(path) in str(problem)


def test_attribute_keys_are_safe_and_unique():
    keys = panel_rules.attribute_keys(["id", "Ghi chú", "from", "order", "ghi_chu", "2nd", "metadata", "_x"])
    assert keys == {
        "id": "id",
        "Ghi chú": "ghi_chu",
        "from": "c_from",
        "order": "order",
        "ghi_chu": "ghi_chu_2",
        "2nd": "c_2nd",
        "metadata": "c_metadata",
        "_x": "x",
    }


def test_unknown_table_column_role_and_action_are_reported_and_skipped(app, shop_url, tmp_path):
    path = write_config(tmp_path, shop_url, BAD)
    panel = panel_rules.build(panel_config.load(path))
    try:
        assert list(panel.tables) == ["fine"]
        by_entry = {p.entry: p.reason for p in panel.problems}
        assert "no table or view 'ext_no_such_table'" in by_entry["tables.ghost.table"]
        assert "unknown column 'statuss'" in by_entry["tables.typo.column_list"]
        assert "unknown role 'boss'" in by_entry["tables.roles.permissions.boss"]
        assert "unknown value 'approve'" in by_entry["tables.roles.permissions.head"]
        assert all(p.file == str(path) for p in panel.problems)
    finally:
        panel.dispose()


def test_reflection_keys_and_read_only_reasons(panel_app):
    panel = panel_rules.current_panel()
    assert sorted(panel.tables) == ["call_log", "order_summary", "shop_orders", "stock"]
    assert panel.tables["shop_orders"].read_only_reason is None
    assert panel.tables["shop_orders"].attr("Ghi chú") == "ghi_chu"
    assert panel.tables["stock"].read_only_reason is None
    assert panel.tables["call_log"].read_only_reason == "no_pk"
    assert panel.tables["order_summary"].read_only_reason == "view"
    assert panel_rules.actions_for(panel.tables["call_log"], "head") == {"view", "export"}
    assert panel.sources["broken"].error and "lost" not in panel.tables


def test_bad_builtin_override_is_reported_and_the_view_keeps_its_columns(app, shop_url, tmp_path):
    application = build_app(app.config["SQLALCHEMY_DATABASE_URI"], write_config(tmp_path, shop_url, BAD))
    try:
        panel = application.extensions["cskh_panel"]
        (problem,) = [p for p in panel.problems if p.entry == "builtin.customers"]
        assert "no_such_column" in problem.reason
        view = next(v for v in application.extensions["cskh_admin"]._views if v.endpoint == "customers")
        assert "no_such_column" not in view.column_list and "kind" in view.column_list
    finally:
        application.extensions["cskh_panel"].dispose()


def test_starter_config_round_trips(app, shop_url, tmp_path, monkeypatch):
    text = starter_config(shop_url, source="shop")
    data = tomllib.loads(text)
    assert data["sources"]["shop"]["url_env"] == "SHOP_DATABASE_URL"
    orders = data["tables"]["ext_shop_orders"]
    assert orders["table"] == "ext_shop_orders" and "Ghi chú" in orders["column_list"]
    assert orders["default_sort"] == "-id" and orders["read_only"] is False
    assert orders["customer_link"] == {"column": "phone", "match": "phone"}
    assert data["tables"]["ext_order_summary"]["read_only"] is True
    assert data["tables"]["ext_call_log"]["read_only"] is True
    monkeypatch.setenv("SHOP_DATABASE_URL", shop_url)
    path = tmp_path / "starter.toml"
    path.write_text(text, encoding="utf-8")
    panel = panel_rules.build(panel_config.load(path))
    try:
        assert panel.problems == []
        assert {"ext_shop_orders", "ext_stock", "ext_call_log", "ext_order_summary"} <= set(panel.tables)
        assert panel.tables["ext_stock"].read_only_reason is None
    finally:
        panel.dispose()


def test_cli_inspect_and_check(panel_app, shop_url):
    runner = panel_app.test_cli_runner()
    result = runner.invoke(args=["panel", "inspect", shop_url])
    assert result.exit_code == 0 and "[tables.ext_stock]" in result.output
    result = runner.invoke(args=["panel", "check"])
    assert result.exit_code == 1
    assert "ok  shop_orders: shop.ext_shop_orders" in result.output
    assert "[sources.broken] database unreachable" in result.output


def test_worked_example_parses_without_problems(monkeypatch):
    monkeypatch.setenv("SHOP_DATABASE_URL", "sqlite://")
    config = panel_config.load("config/panel.example.toml")
    assert config.problems == []
    assert set(config.tables) == {"shop_orders", "shop_stock", "call_log"}
    assert config.tables["shop_orders"].scope == ("agent_email", "user.email")
    assert config.builtin["customers"]["column_list"][0] == "name"
