"""Row rules and config checks of the panels: scope by ``in`` and ``staff_map``, type-checked against the
column; ``read_only`` must be a boolean; a PANEL_CONFIG that does not exist is a problem; starter options."""

# ruff: noqa: F811 - the fixtures imported from tests.panel_world are parameters here

import tomllib
from types import SimpleNamespace

from services import panel as panel_rules
from services import panel_config
from services.panel_inspect import starter_config
from tests.panel_world import shop_url  # noqa: F401

RULES = """
[sources.shop]
url = "{url}"

[tables.by_email_int]
source = "shop"
table = "ext_shop_orders"
permissions = {{ agent = ["view"] }}
scope = {{ column = "total", equals = "user.email" }}

[tables.by_map]
source = "shop"
table = "ext_shop_orders"
permissions = {{ agent = ["view"] }}
scope = {{ column = "order", staff_map = {{ "1" = "An@Test.vn", "3" = "an@test.vn", "2" = "binh@test.vn" }} }}

[tables.bad_map]
source = "shop"
table = "ext_shop_orders"
permissions = {{ agent = ["view"] }}
scope = {{ column = "order", staff_map = {{ "x1" = "an@test.vn" }} }}

[tables.by_in]
source = "shop"
table = "ext_shop_orders"
permissions = {{ agent = ["view"] }}
scope = {{ column = "status", in = ["new"] }}

[tables.quoted]
source = "shop"
table = "ext_stock"
read_only = "false"
"""


def _panel(url, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(RULES.format(url=url), encoding="utf-8")
    return panel_rules.build(panel_config.load(path))


def _rows(panel, key, user):
    from sqlalchemy import select

    table = panel.tables[key]
    statement = select(table.table.c.id).where(panel_rules.scope_clause(user, table)).order_by(table.table.c.id)
    return list(table.source.session.scalars(statement))


def test_scope_rules_are_type_checked_and_applied(app, shop_url, tmp_path):
    panel = _panel(shop_url, tmp_path)
    try:
        problems = {p.entry: p.reason for p in panel.problems}
        assert "user.email" in problems["tables.by_email_int.scope"] and "by_email_int" not in panel.tables
        assert "'x1'" in problems["tables.bad_map.scope"] and "bad_map" not in panel.tables
        assert "true or false" in problems["tables.quoted.read_only"] and "quoted" not in panel.tables
        an = SimpleNamespace(
            email="AN@test.vn ", role="agent", team_id=None, id=1, is_authenticated=True, is_active=True
        )
        nobody = SimpleNamespace(
            email="x@test.vn", role="agent", team_id=None, id=2, is_authenticated=True, is_active=True
        )
        assert len(_rows(panel, "by_map", an)) == 2  # "order" 1 and 3 map to the same user, whatever the case
        assert _rows(panel, "by_map", nobody) == []
        assert len(_rows(panel, "by_in", nobody)) == 2
    finally:
        panel.dispose()


def test_missing_panel_config_is_a_problem_when_set(tmp_path):
    missing = tmp_path / "nope.toml"
    assert panel_config.load(missing).problems == []
    (problem,) = panel_config.load(missing, required=True).problems
    assert "no such file" in problem.reason


def test_starter_prefix_include_exclude_and_permissions(app, shop_url):
    text = starter_config(shop_url, prefix="shop_", include=("ext_*",), exclude=("ext_call*",))
    data = tomllib.loads(text)
    assert "shop" in data["sources"] and data["sources"]["shop"]["url_env"] == "SHOP_DATABASE_URL"
    assert set(data["tables"]) == {"shop_ext_shop_orders", "shop_ext_stock", "shop_ext_order_summary"}
    orders = data["tables"]["shop_ext_shop_orders"]
    assert orders["permissions"]["head"] == ["view", "create", "edit", "delete", "export"]
    assert orders["permissions"]["lead"] == ["view", "export"] and "agent" not in orders["permissions"]
    assert "id" not in orders["editable"] and "status" in orders["editable"]
    assert data["tables"]["shop_ext_stock"]["editable"] == ["qty"]
