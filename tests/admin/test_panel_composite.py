"""A composite foreign key of our own: branches keyed by (region, code), staff pointing at one by both parts.

The list and details show the branch's name linked to its page, create and edit take both key parts,
an unknown pair is refused in words, and deleting a branch that staff point at is refused with a
clear message and the database unchanged. SQLite, PostgreSQL and MariaDB.
"""

# ruff: noqa: F811 - the fixtures imported from tests.panel_world are parameters here

import html as htmllib

import pytest
from sqlalchemy import create_engine, text

from tests.factories import make_user
from tests.panel_world import build_app, external_url, login, scalar

CONFIG = """
[sources.hr]
url = "{url}"

[tables.branch]
source = "hr"
table = "ext_branch"
label_column = "name"
editable = ["name"]
permissions = {{ head = ["view", "create", "edit", "delete"] }}

[tables.staff]
source = "hr"
table = "ext_staff"
editable = ["full_name", "region", "branch_code"]
filterable = ["region"]
permissions = {{ head = ["view", "create", "edit", "delete"] }}
"""


def _ddl(dialect: str) -> list[str]:
    auto = {"postgresql": "SERIAL PRIMARY KEY", "sqlite": "INTEGER PRIMARY KEY"}.get(
        dialect, "INTEGER AUTO_INCREMENT PRIMARY KEY"
    )
    return [
        "CREATE TABLE ext_branch (region VARCHAR(10) NOT NULL, code VARCHAR(10) NOT NULL, name VARCHAR(50),"
        " PRIMARY KEY (region, code))",
        f"CREATE TABLE ext_staff (id {auto}, full_name VARCHAR(50), region VARCHAR(10), branch_code VARCHAR(10),"
        " CONSTRAINT staff_branch FOREIGN KEY (region, branch_code) REFERENCES ext_branch (region, code))",
        "INSERT INTO ext_branch VALUES ('HN', 'B1', 'Chi nhánh Hoàn Kiếm')",
        "INSERT INTO ext_branch VALUES ('HCM', 'B1', 'Chi nhánh Quận 1')",
        "INSERT INTO ext_branch VALUES ('HN', 'B2', 'Chi nhánh Cầu Giấy')",
        "INSERT INTO ext_staff (full_name, region, branch_code) VALUES ('Lê Thị Hoa', 'HCM', 'B1')",
    ]


def _drop(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS ext_staff"))
        conn.execute(text("DROP TABLE IF EXISTS ext_branch"))


@pytest.fixture
def hr(database_url, tmp_path):
    from models import Base
    from models import db as _db
    from tests import databases

    url = external_url(database_url, tmp_path)
    engine = create_engine(url)
    _drop(engine)
    with engine.begin() as conn:
        for statement in _ddl(engine.dialect.name):
            conn.execute(text(statement))
    path = tmp_path / "hr.toml"
    path.write_text(CONFIG.format(url=url), encoding="utf-8")
    app = build_app(database_url, path)
    ctx = app.app_context()
    ctx.push()
    yield app, engine
    app.extensions["cskh_panel"].dispose()
    _db.session.remove()
    databases.wipe(_db.engine, Base.metadata)
    _db.engine.dispose()
    ctx.pop()
    _drop(engine)
    engine.dispose()


def _staff_count(engine) -> int:
    return scalar(engine, "SELECT COUNT(*) FROM ext_staff")


def test_composite_foreign_key_shows_the_label_and_links(hr):
    app, engine = hr
    client = login(app, make_user("head"))
    html = client.get("/admin/panel/staff/").get_data(as_text=True)
    assert "Chi nhánh Quận 1" in html and 'data-panel-ref="branch"' in html
    assert htmllib.escape("/admin/panel/branch/details/?id=HCM,B1") in html or "id=HCM,B1" in html
    staff = scalar(engine, "SELECT id FROM ext_staff")
    details = client.get(f"/admin/panel/staff/details/?id={staff}").get_data(as_text=True)
    assert "Chi nhánh Quận 1" in details
    branch = client.get("/admin/panel/branch/details/?id=HCM,B1").get_data(as_text=True)
    assert 'data-panel-backref="staff"' in branch and "Lê Thị Hoa" in branch


def test_create_and_edit_take_both_key_parts_and_an_unknown_pair_is_refused(hr):
    app, engine = hr
    client = login(app, make_user("head"))
    form = client.get("/admin/panel/staff/new/").get_data(as_text=True)
    assert 'name="region"' in form and 'name="branch_code"' in form
    r = client.post("/admin/panel/staff/new/", {"full_name": "Trần Văn Nam", "region": "HN", "branch_code": "B2"})
    assert r.status_code == 302, r.get_data(as_text=True)[:1500]
    assert scalar(engine, "SELECT branch_code FROM ext_staff WHERE full_name = 'Trần Văn Nam'") == "B2"
    r = client.post("/admin/panel/staff/new/", {"full_name": "Ma Văn Quỷ", "region": "HCM", "branch_code": "B2"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "INSERT" not in page and "FOREIGN KEY (" not in page
    assert "“region”, “branch_code” không khớp với dòng nào của bảng liên quan" in htmllib.unescape(page)
    assert _staff_count(engine) == 2
    nam = scalar(engine, "SELECT id FROM ext_staff WHERE full_name = 'Trần Văn Nam'")
    r = client.post(
        f"/admin/panel/staff/edit/?id={nam}", {"full_name": "Trần Văn Nam", "region": "HN", "branch_code": "B1"}
    )
    assert r.status_code == 302
    assert scalar(engine, "SELECT branch_code FROM ext_staff WHERE id = :i", i=nam) == "B1"
    html = client.get("/admin/panel/staff/").get_data(as_text=True)
    assert "Chi nhánh Hoàn Kiếm" in html
    r = client.post(f"/admin/panel/staff/edit/?id={nam}", {"full_name": "x", "region": "HCM", "branch_code": "B9"})
    assert r.status_code == 200 and "UPDATE" not in r.get_data(as_text=True)
    assert scalar(engine, "SELECT region FROM ext_staff WHERE id = :i", i=nam) == "HN"


def test_deleting_a_referenced_parent_is_refused_in_words(hr):
    app, engine = hr
    client = login(app, make_user("head"))
    r = client.post("/admin/panel/branch/delete/", {"id": "HCM,B1"}, follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "Không xóa được dòng này" in page and "DELETE" not in page
    assert scalar(engine, "SELECT COUNT(*) FROM ext_branch") == 3 and _staff_count(engine) == 1
    assert client.post("/admin/panel/branch/delete/", {"id": "HN,B2"}).status_code == 302
    assert scalar(engine, "SELECT COUNT(*) FROM ext_branch WHERE region = 'HN' AND code = 'B2'") == 0
