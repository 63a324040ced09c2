"""Chinook (someone else's schema) through the HTTP interface, with the unedited output of `panel inspect`.

Every table lists, pages, sorts, searches, filters, shows details with related labels and
back-references, creates (typed keys, the composite PlaylistTrack), edits, deletes (a referenced
row is refused and stays), and exports, as head; an agent whose scope maps external staff ids to
CSKH users sees and changes only their customers. Runs on SQLite, PostgreSQL and MariaDB.
"""

# ruff: noqa: F811 - the fixtures imported from tests.chinook_world are parameters here

import html as htmllib
import re

import pytest

from tests.chinook_world import chinook_app, chinook_config, chinook_url, names, scalar  # noqa: F401
from tests.factories import make_user
from tests.panel_world import login

TABLES = [
    "Album",
    "Artist",
    "Customer",
    "Employee",
    "Genre",
    "Invoice",
    "InvoiceLine",
    "MediaType",
    "Playlist",
    "PlaylistTrack",
    "Track",
]


def _entry(backend, camel: str) -> str:
    return "chinook_" + names(backend)[camel].lower()


def _url(backend, camel: str) -> str:
    return f"/admin/panel/{_entry(backend, camel)}/"


def _view(app, backend, camel):
    return next(v for v in app.extensions["cskh_admin"]._views if v.endpoint == f"panel_{_entry(backend, camel)}")


def _q(backend, sql: str) -> str:
    """``sql`` written with Chinook's CamelCase names, in this database's names and quotes."""
    n = names(backend)
    quote = '"' if backend == "postgresql" else "`" if backend == "mariadb" else '"'
    return re.sub(
        r"\b([A-Z][a-z][A-Za-z]*)\b", lambda m: f"{quote}{n[m.group(1)]}{quote}" if m.group(1) in n else m.group(1), sql
    )


def _rows(html: str) -> list[str]:
    body = html.split("<tbody", 1)[-1] if "<tbody" in html else html.split("</thead>", 1)[-1]
    return re.findall(r"<tr[ >].*?</tr>", body, re.S)


def _flashes(html: str) -> str:
    return htmllib.unescape(" ".join(re.findall(r'class="alert[^"]*"[^>]*>(.*?)</div>', html, re.S)))


def test_inspect_cli_writes_a_working_starter(chinook_app, chinook_url, backend):
    result = chinook_app.test_cli_runner().invoke(args=["panel", "inspect", chinook_url, "--prefix", "chinook_"])
    assert result.exit_code == 0, result.output
    for camel in TABLES:
        assert f"[tables.{_entry(backend, camel)}]" in result.output
    assert "[sources.chinook]" in result.output and 'url_env = "CHINOOK_DATABASE_URL"' in result.output
    panel = chinook_app.extensions["cskh_panel"]
    assert panel.problems == [], panel.problems
    assert {_entry(backend, c) for c in TABLES} <= set(panel.tables)


@pytest.mark.parametrize("camel", TABLES)
def test_every_table_lists_pages_sorts_searches_filters_details_exports(chinook_app, chinook_url, backend, camel):
    client = login(chinook_app, make_user("head"))
    url = _url(backend, camel)
    view = _view(chinook_app, backend, camel)
    total = scalar(chinook_url, _q(backend, f"SELECT COUNT(*) FROM {camel}"))
    first = client.get(url)
    assert first.status_code == 200
    page1 = _rows(first.get_data(as_text=True))
    assert len(page1) == min(20, total)
    if total > 20:
        page2 = _rows(client.get(url + "?page=1").get_data(as_text=True))
        assert page2 and not set(page2) & set(page1)
        last = (total - 1) // 20
        rows = _rows(client.get(f"{url}?page={last}").get_data(as_text=True))
        assert len(rows) == total - last * 20
    for index in range(len(view._list_columns)):
        assert client.get(f"{url}?sort={index}&desc=1").status_code == 200
    if view.column_searchable_list:
        html = client.get(url + "?search=a").get_data(as_text=True)
        assert "alert-danger" not in html
    for index, flt in enumerate(view._filters or []):
        r = client.get(f"{url}?flt0_{index}=1")
        assert r.status_code == 200, (flt, r.status_code)
    key_columns = [c.name for c in view.panel_table.table.primary_key.columns]
    key = scalar(chinook_url, _q(backend, f"SELECT {key_columns[0]} FROM {camel} ORDER BY 1"))
    if len(key_columns) == 1:
        assert client.get(f"{url}details/?id={key}").status_code == 200
    export = client.get(url + "export/csv/")
    assert export.status_code == 200
    lines = [line for line in export.get_data(as_text=True).splitlines() if line.strip()]
    assert len(lines) >= min(total, 2)


def test_composite_key_pages_never_repeat_and_search_matches_every_key_column(chinook_app, chinook_url, backend):
    client = login(chinook_app, make_user("head"))
    url = _url(backend, "PlaylistTrack")
    total = scalar(chinook_url, _q(backend, "SELECT COUNT(*) FROM PlaylistTrack"))
    seen = []
    for page in range(3):
        seen += _rows(client.get(f"{url}?page={page}").get_data(as_text=True))
    ids = [re.search(r'name="id" value="([^"]+)"', row) for row in seen]
    ids = [m.group(1) for m in ids if m]
    assert len(ids) == 60 and len(set(ids)) == 60, ids
    playlist, track = ids[0].split(",")
    details = client.get(f"{url}details/?id={playlist},{track}")
    assert details.status_code == 200
    assert total > 60


def test_related_labels_links_and_back_references(chinook_app, chinook_url, backend):
    client = login(chinook_app, make_user("head"))
    n = names(backend)
    html = client.get(_url(backend, "Album") + "?search=Restless").get_data(as_text=True)
    assert "Accept" in html  # ArtistId 2 reads as the artist's name
    assert f'href="/admin/panel/{_entry(backend, "Artist")}/details/?id=2"' in html
    details = client.get(_url(backend, "Album") + "details/?id=3").get_data(as_text=True)
    assert f'data-panel-backref="{_entry(backend, "Track")}"' in details
    assert "Restless and Wild" in details and "Princess of the Dawn" in details
    employee = client.get(_url(backend, "Employee") + "details/?id=2").get_data(as_text=True)
    assert "Adams" in employee  # ReportsTo 1 reads as the manager's name (self-reference)
    assert f'data-panel-backref="{_entry(backend, "Employee")}"' in employee
    form = client.get(_url(backend, "Album") + "edit/?id=1").get_data(as_text=True)
    assert 'data-role="select2-ajax"' in form and "AC/DC" in form
    lookup = client.get(_url(backend, "Album") + f"ajax/lookup/?name={n['ArtistId']}&query=acc").get_data(as_text=True)
    assert "Accept" in lookup and "AC/DC" not in lookup


def test_create_with_typed_and_composite_keys_and_duplicate_check(chinook_app, chinook_url, backend):
    client = login(chinook_app, make_user("head"))
    n = names(backend)
    genre = {n["Name"].lower() if backend == "postgresql" else "Name": "Nhạc Việt"}
    if (
        not chinook_app.extensions["cskh_panel"]
        .tables[_entry(backend, "Genre")]
        .generated(chinook_app.extensions["cskh_panel"].tables[_entry(backend, "Genre")].table.c[n["GenreId"]])
    ):
        genre[n["GenreId"]] = "900"
    r = client.post(_url(backend, "Genre") + "new/", genre)
    assert r.status_code == 302, _flashes(r.get_data(as_text=True)) or r.get_data(as_text=True)[:2000]
    assert scalar(chinook_url, _q(backend, "SELECT COUNT(*) FROM Genre WHERE Name = 'Nhạc Việt'")) == 1
    before = scalar(chinook_url, _q(backend, "SELECT COUNT(*) FROM Genre"))
    if n["GenreId"] in genre:
        r = client.post(_url(backend, "Genre") + "new/", {**genre, "Name" if backend != "postgresql" else "name": "X"})
        page = r.get_data(as_text=True).lower()
        assert r.status_code == 200 and ("đã có" in page or "đã tồn tại" in page)
        assert scalar(chinook_url, _q(backend, "SELECT COUNT(*) FROM Genre")) == before

    url = _url(backend, "PlaylistTrack")
    count = scalar(chinook_url, _q(backend, "SELECT COUNT(*) FROM PlaylistTrack"))
    r = client.post(url + "new/", {n["PlaylistId"]: "2", n["TrackId"]: "7"})
    assert r.status_code == 302, _flashes(r.get_data(as_text=True)) or r.get_data(as_text=True)[:3000]
    assert scalar(chinook_url, _q(backend, "SELECT COUNT(*) FROM PlaylistTrack")) == count + 1
    r = client.post(url + "new/", {n["PlaylistId"]: "2", n["TrackId"]: "7"})
    assert r.status_code == 200 and "đã có" in r.get_data(as_text=True).lower()
    assert scalar(chinook_url, _q(backend, "SELECT COUNT(*) FROM PlaylistTrack")) == count + 1
    r = client.post(url + "new/", {n["PlaylistId"]: "2", n["TrackId"]: "999999"})
    assert r.status_code == 200 and "Không có dòng này" in r.get_data(as_text=True)
    assert scalar(chinook_url, _q(backend, "SELECT COUNT(*) FROM PlaylistTrack")) == count + 1

    invoice_line_id = scalar(chinook_url, _q(backend, "SELECT MAX(InvoiceLineId) FROM InvoiceLine")) + 1
    line = {n["InvoiceId"]: "1", n["TrackId"]: "3", n["UnitPrice"]: "0,99", n["Quantity"]: "2"}
    view = _view(chinook_app, backend, "InvoiceLine")
    if n["InvoiceLineId"] in view.form_columns:
        line[n["InvoiceLineId"]] = str(invoice_line_id)
    r = client.post(_url(backend, "InvoiceLine") + "new/", line)
    assert r.status_code == 302, _flashes(r.get_data(as_text=True)) or r.get_data(as_text=True)[:3000]
    assert scalar(chinook_url, _q(backend, "SELECT Quantity FROM InvoiceLine WHERE TrackId = 3 AND Quantity = 2")) == 2


def test_edit_and_delete_with_a_referenced_row_refused(chinook_app, chinook_url, backend):
    client = login(chinook_app, make_user("head"))
    n = names(backend)
    name = "name" if backend == "postgresql" else "Name"
    r = client.post(_url(backend, "Artist") + "edit/?id=1", {name: "AC/DC (Úc)"})
    assert r.status_code == 302
    assert scalar(chinook_url, _q(backend, "SELECT Name FROM Artist WHERE ArtistId = 1")) == "AC/DC (Úc)"

    r = client.post(_url(backend, "Artist") + "delete/", {"id": "1"}, follow_redirects=True)
    text = _flashes(r.get_data(as_text=True))
    assert "Không xóa được" in text and "album" in text.lower(), text
    assert "SQL" not in text and "constraint" not in text.lower()
    assert scalar(chinook_url, _q(backend, "SELECT COUNT(*) FROM Artist WHERE ArtistId = 1")) == 1

    r = client.post(
        _url(backend, "Album") + "edit/?id=1",
        {
            n["Title"].lower() if backend == "postgresql" else "Title": "For Those About To Rock",
            n["ArtistId"]: "999999",
        },
    )
    assert r.status_code == 200 and "Không có dòng này" in r.get_data(as_text=True)
    assert scalar(chinook_url, _q(backend, "SELECT ArtistId FROM Album WHERE AlbumId = 1")) == 1

    unused = scalar(
        chinook_url, _q(backend, "SELECT MIN(ArtistId) FROM Artist WHERE ArtistId NOT IN (SELECT ArtistId FROM Album)")
    )
    r = client.post(_url(backend, "Artist") + "delete/", {"id": str(unused)}, follow_redirects=True)
    assert "Đã xóa" in _flashes(r.get_data(as_text=True))
    assert scalar(chinook_url, _q(backend, f"SELECT COUNT(*) FROM Artist WHERE ArtistId = {unused}")) == 0


AGENT, OTHER = "ban.hang1@test.vn", "ban.hang2@test.vn"


@pytest.fixture
def scoped_app(database_url, chinook_config, backend):
    """The starter file with one edit: Customer scoped by SupportRepId, reps 3 and 4 mapped to two CSKH agents."""
    from models import Base
    from models import db as _db
    from tests import databases
    from tests.panel_world import build_app

    n = names(backend)
    text = chinook_config.read_text(encoding="utf-8")
    head, section = text.split(f"[tables.{_entry(backend, 'Customer')}]\n", 1)
    section, tail = section.split("\n\n", 1)
    section = section.replace(
        '# permissions.agent = ["view", "edit"]', 'permissions.agent = ["view", "edit", "delete", "export"]'
    )
    section += (
        f'\nscope = {{ column = "{n["SupportRepId"]}", staff_map = {{ "3" = "{AGENT}", "4" = "{OTHER}" }} }}'
        '\nunscoped_roles = ["head", "admin", "lead"]'
    )
    chinook_config.write_text(
        head + f"[tables.{_entry(backend, 'Customer')}]\n" + section + "\n\n" + tail, encoding="utf-8"
    )
    application = build_app(database_url, chinook_config)
    ctx = application.app_context()
    ctx.push()
    yield application
    application.extensions["cskh_panel"].dispose()
    _db.session.remove()
    databases.wipe(_db.engine, Base.metadata)
    _db.engine.dispose()
    ctx.pop()


def test_staff_map_scope_agent_sees_and_changes_only_their_customers(scoped_app, chinook_url, backend):
    assert scoped_app.extensions["cskh_panel"].problems == []
    n = names(backend)
    url = _url(backend, "Customer")
    client = login(scoped_app, make_user("agent", email=AGENT))
    own_count = scalar(chinook_url, _q(backend, "SELECT COUNT(*) FROM Customer WHERE SupportRepId = 3"))
    mine = scalar(chinook_url, _q(backend, "SELECT MIN(CustomerId) FROM Customer WHERE SupportRepId = 3"))
    other = scalar(chinook_url, _q(backend, "SELECT MIN(CustomerId) FROM Customer WHERE SupportRepId = 4"))
    other_name = scalar(chinook_url, _q(backend, f"SELECT Email FROM Customer WHERE CustomerId = {other}"))

    html = client.get(url + "?page_size=100").get_data(as_text=True)
    assert other_name not in html
    export = client.get(url + "export/csv/").get_data(as_text=True)
    assert len([line for line in export.splitlines() if line.strip()]) == own_count + 1
    assert other_name not in export

    assert client.get(f"{url}details/?id={mine}").status_code == 200
    assert client.get(f"{url}details/?id={other}").status_code == 403
    assert client.get(f"{url}edit/?id={other}").status_code == 403
    city = n["City"]
    r = client.post(f"{url}edit/?id={other}", {city: "Hà Nội", n["SupportRepId"]: "4"})
    assert r.status_code == 403
    assert client.post(f"{url}delete/", {"id": str(other)}).status_code == 403
    assert scalar(chinook_url, _q(backend, f"SELECT COUNT(*) FROM Customer WHERE CustomerId = {other}")) == 1
    assert scalar(chinook_url, _q(backend, f"SELECT City FROM Customer WHERE CustomerId = {other}")) != "Hà Nội"

    form = {
        n["FirstName"]: "Lan",
        n["LastName"]: "Trần",
        n["Email"]: "lan@example.vn",
        city: "Hà Nội",
        n["SupportRepId"]: "3",
    }
    r = client.post(f"{url}edit/?id={mine}", form)
    assert r.status_code == 302, _flashes(r.get_data(as_text=True))
    assert scalar(chinook_url, _q(backend, f"SELECT City FROM Customer WHERE CustomerId = {mine}")) == "Hà Nội"
    # moving one's own customer to another rep's list is refused: the scope is checked after the change
    r = client.post(f"{url}edit/?id={mine}", {**form, n["SupportRepId"]: "4"})
    assert r.status_code == 403
    assert scalar(chinook_url, _q(backend, f"SELECT SupportRepId FROM Customer WHERE CustomerId = {mine}")) == 3
    # an agent with no mapped rep id sees nothing
    stranger = login(scoped_app, make_user("agent", email="ai.do@test.vn"))
    assert mine and str(mine) not in _rows(stranger.get(url).get_data(as_text=True))
    assert stranger.get(f"{url}details/?id={mine}").status_code == 403


def _column(url: str, sql: str) -> list:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)).scalars())
    finally:
        engine.dispose()


def _album_labels(html: str, backend) -> list[str]:
    ref = f'data-panel-ref="{_entry(backend, "Album")}">'
    return [htmllib.unescape(row.split(ref, 1)[1].split("<", 1)[0]) for row in _rows(html) if ref in row]


def test_tracks_sort_and_filter_by_the_album_title(chinook_app, chinook_url, backend):
    from admin.panel_relations import LabelFilter

    client = login(chinook_app, make_user("head"))
    url, view = _url(backend, "Track"), _view(chinook_app, backend, "Track")
    n = names(backend)
    index = [c[0] for c in view._list_columns].index(n["AlbumId"])
    titles = _q(backend, "SELECT Album.Title FROM Track JOIN Album ON Album.AlbumId = Track.AlbumId ORDER BY 1")
    for desc in ("", " DESC"):
        expected = _column(chinook_url, titles.replace("ORDER BY 1", f"ORDER BY 1{desc}") + " LIMIT 40")
        pages = [f"{url}?sort={index}{'&desc=1' if desc else ''}&page={p}" for p in (0, 1)]
        shown = [label for page in pages for label in _album_labels(client.get(page).get_data(as_text=True), backend)]
        assert shown == expected, (desc, shown)
    album = _entry(backend, "Album")
    by_album = [i for i, f in enumerate(view._filters) if isinstance(f, LabelFilter) and f.relation.target.key == album]
    contains, exact = (next(i for i in by_album if view._filters[i].exact is e) for e in (False, True))
    expected = scalar(
        chinook_url,
        _q(
            backend,
            "SELECT COUNT(*) FROM Track JOIN Album ON Album.AlbumId = Track.AlbumId"
            " WHERE Album.Title LIKE '%Restless%'",
        ),
    )
    html = client.get(f"{url}?flt0_{contains}=restless").get_data(as_text=True)
    assert expected == 3 and _album_labels(html, backend) == ["Restless and Wild"] * 3
    html = client.get(f"{url}?flt0_{exact}=restless and wild").get_data(as_text=True)
    assert _album_labels(html, backend) == ["Restless and Wild"] * 3
    assert _album_labels(client.get(f"{url}?flt0_{exact}=restless").get_data(as_text=True), backend) == []
