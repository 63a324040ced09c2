"""An "existing" shop database made with plain SQL, and an app pointed at it by a panel configuration.

SQLite: a second database file; PostgreSQL and MariaDB: the test database itself, under
``ext_*`` table names the product never creates. Tables: an order table with an
autoincrement key, a column named with a space and Vietnamese ("Ghi chú") and a reserved
word ("order"); a stock table with a composite key; a call log without a primary key; a view.
"""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests import databases
from tests.conftest import FreshContextClient, LoggedIn, _testing_overrides

AGENT_EMAIL = "ban.hang1@test.vn"
OTHER_EMAIL = "ban.hang2@test.vn"

CONFIG = """
[sources.shop]
url = "{url}"

[sources.broken]
url = "sqlite:////nonexistent-panel-dir/nope/shop.sqlite3"

[tables.shop_orders]
source = "shop"
table = "ext_shop_orders"
label_vi = "Đơn hàng cửa hàng"
label_en = "Shop orders"
category_vi = "Cửa hàng"
category_en = "Shop"
column_list = ["id", "phone", "status", "total", "agent_email", "Ghi chú", "order"]
searchable = ["phone", "status", "Ghi chú"]
filterable = ["status", "total"]
editable = ["status", "Ghi chú", "agent_email"]
default_sort = "-id"
permissions.agent = ["view", "create", "edit"]
permissions.lead = ["view"]
permissions.head = ["view", "create", "edit", "delete", "export"]
scope = {{ column = "agent_email", equals = "user.email" }}
unscoped_roles = ["head"]
customer_link = {{ column = "phone", match = "phone" }}
column_labels = {{ "Ghi chú" = "Ghi chú đơn" }}

[tables.stock]
source = "shop"
table = "ext_stock"
label_vi = "Tồn kho"
label_en = "Stock"
editable = ["qty"]
filterable = ["warehouse"]
permissions = {{ agent = ["view"], head = ["view", "create", "edit", "delete"] }}

[tables.call_log]
source = "shop"
table = "ext_call_log"
label_vi = "Nhật ký gọi"
label_en = "Call log"
searchable = ["caller"]
editable = ["note"]
permissions = {{ head = ["view", "edit", "delete", "export"] }}
customer_link = {{ column = "email", match = "email" }}

[tables.order_summary]
source = "shop"
table = "ext_order_summary"
label_vi = "Tổng hợp đơn"
label_en = "Order summary"
editable = ["n"]
permissions = {{ head = ["view", "edit"] }}

[tables.lost]
source = "broken"
table = "orders"
permissions = {{ head = ["view"] }}

[builtin.customers]
column_list = ["name", "phone", "email"]
column_labels = {{ name = {{ vi = "Họ và tên khách", en = "Customer full name" }} }}
"""


def _quote(dialect: str, name: str) -> str:
    return f"`{name}`" if dialect in ("mysql", "mariadb") else f'"{name}"'


def external_ddl(dialect: str) -> list[str]:
    q = lambda name: _quote(dialect, name)  # noqa: E731
    auto = {"postgresql": "SERIAL PRIMARY KEY", "sqlite": "INTEGER PRIMARY KEY"}.get(
        dialect, "INTEGER AUTO_INCREMENT PRIMARY KEY"
    )
    return [
        f"CREATE TABLE ext_shop_orders (id {auto}, phone VARCHAR(30), status VARCHAR(20) NOT NULL, total INTEGER,"
        f" agent_email VARCHAR(120), {q('Ghi chú')} VARCHAR(200), {q('order')} INTEGER)",
        "CREATE TABLE ext_stock (warehouse VARCHAR(10) NOT NULL, sku VARCHAR(20) NOT NULL, qty INTEGER,"
        " PRIMARY KEY (warehouse, sku))",
        f"CREATE TABLE ext_call_log (caller VARCHAR(30), email VARCHAR(120), {q('Thời lượng')} INTEGER,"
        " note VARCHAR(200))",
        "CREATE VIEW ext_order_summary AS SELECT status, COUNT(*) AS n FROM ext_shop_orders GROUP BY status",
    ]


def external_rows(dialect: str) -> list[str]:
    q = lambda name: _quote(dialect, name)  # noqa: E731
    orders = f"INSERT INTO ext_shop_orders (phone, status, total, agent_email, {q('Ghi chú')}, {q('order')}) VALUES"
    return [
        f"{orders} ('0912 345 678', 'new', 250000, '{AGENT_EMAIL}', 'giao buổi sáng', 1)",
        f"{orders} ('+84912345678', 'shipped', 990000, '{OTHER_EMAIL}', 'gọi trước', 2)",
        f"{orders} ('0987.000.111', 'new', 120000, '{AGENT_EMAIL}', NULL, 3)",
        "INSERT INTO ext_stock VALUES ('HN', 'SKU-1', 5)",
        "INSERT INTO ext_stock VALUES ('HCM', 'SKU-1', 7)",
        "INSERT INTO ext_call_log VALUES ('0912345678', ' An@Example.VN ', 120, 'hỏi bảo hành')",
        "INSERT INTO ext_call_log VALUES ('0900000000', 'b@example.vn', 30, 'nhầm số')",
    ]


def drop_external(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP VIEW IF EXISTS ext_order_summary"))
        for name in ("ext_shop_orders", "ext_stock", "ext_call_log"):
            conn.execute(text(f"DROP TABLE IF EXISTS {name}"))


def external_url(database_url: str, tmp_path) -> str:
    if make_url(database_url).get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    return database_url


@pytest.fixture
def shop_url(database_url, tmp_path):
    """The external shop schema with its rows; dropped afterwards."""
    url = external_url(database_url, tmp_path)
    engine = create_engine(url)
    drop_external(engine)
    with engine.begin() as conn:
        for statement in external_ddl(engine.dialect.name) + external_rows(engine.dialect.name):
            conn.execute(text(statement))
    yield url
    drop_external(engine)
    engine.dispose()


@pytest.fixture
def shop_engine(shop_url):
    engine = create_engine(shop_url)
    yield engine
    engine.dispose()


def write_config(tmp_path, url: str, text_: str = CONFIG, name: str = "panel.toml"):
    path = tmp_path / name
    path.write_text(text_.format(url=url), encoding="utf-8")
    return path


def build_app(database_url: str, panel_config):
    from app import create_app

    app = create_app(
        _testing_overrides() | {"SQLALCHEMY_DATABASE_URI": database_url, "PANEL_CONFIG": str(panel_config)}
    )
    app.test_client_class = FreshContextClient
    return app


@pytest.fixture
def panel_app(database_url, shop_url, tmp_path):
    """The app with the worked configuration applied (like conftest's ``app``, plus PANEL_CONFIG)."""
    from models import Base
    from models import db as _db

    application = build_app(database_url, write_config(tmp_path, shop_url))
    ctx = application.app_context()
    ctx.push()
    yield application
    application.extensions["cskh_panel"].dispose()
    _db.session.remove()
    databases.wipe(_db.engine, Base.metadata)
    _db.engine.dispose()
    ctx.pop()


def login(app, user) -> LoggedIn:
    from models import db

    db.session.commit()
    return LoggedIn(app.test_client(), user)


def scalar(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()
