"""Chinook (a third-party sample database, tests/fixtures/chinook/) loaded into a database of its own.

SQLite: a file; PostgreSQL and MariaDB: a database ``chinook_t_<pid>`` beside the test database,
created and loaded for each test that asks (about a second), so every test starts from the same rows.
The table and column names are the script's own: ``Album.AlbumId`` on SQLite and MariaDB,
``album.album_id`` on PostgreSQL; ``names(backend)`` gives them per database.
"""

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests import databases

FIXTURES = Path(__file__).parent / "fixtures" / "chinook"
SCRIPTS = {"sqlite": "sqlite.sql", "postgresql": "postgresql.sql", "mariadb": "mysql.sql"}
_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def statements(backend: str) -> list[str]:
    script = _COMMENT.sub("", (FIXTURES / SCRIPTS[backend]).read_text(encoding="utf-8"))
    parts = re.split(r";\s*\n", script)
    return [p.strip() for p in parts if p.strip()]


def load(backend: str, tmp_dir: str) -> str:
    """A fresh Chinook database on ``backend``; its URL."""
    name = f"chinook_t_{os.getpid()}_{os.environ.get('PYTEST_XDIST_WORKER', 'gw')}"
    url = databases.create_database(backend, name, tmp_dir)
    if backend == "mariadb":
        url = make_url(url).update_query_dict({"charset": "utf8mb4"}).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if backend == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for statement in statements(backend):
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()
    return url


def names(backend: str) -> dict[str, str]:
    """Chinook's name in this database for each CamelCase name (``PlaylistTrack`` -> ``playlist_track``)."""
    camel = [
        "Album", "AlbumId", "Title", "Artist", "ArtistId", "Name", "Customer", "CustomerId", "FirstName",
        "LastName", "Email", "SupportRepId", "Employee", "EmployeeId", "ReportsTo", "Genre", "GenreId",
        "Invoice", "InvoiceId", "InvoiceDate", "Total", "InvoiceLine", "InvoiceLineId", "UnitPrice", "Quantity",
        "MediaType", "MediaTypeId", "Playlist", "PlaylistId", "PlaylistTrack", "Track", "TrackId", "Milliseconds",
        "Bytes", "Composer", "Country", "City", "HireDate", "BirthDate",
    ]  # fmt: skip
    if backend != "postgresql":
        return {n: n for n in camel}
    return {n: re.sub(r"(?<!^)(?=[A-Z])", "_", n).lower() for n in camel}


@pytest.fixture
def chinook_url(backend, database_url, tmp_path):
    """A fresh Chinook on the test's database server; dropped afterwards."""
    url = load(backend, str(tmp_path))
    yield url
    name = make_url(url).database
    if backend != "sqlite":
        databases.drop_database(backend, name)


def scalar(url: str, sql: str, **params):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


@pytest.fixture
def chinook_config(chinook_url, tmp_path, monkeypatch):
    """``flask panel inspect URL --prefix chinook_`` written to a file, unedited; its URL in the environment."""
    from services.panel_inspect import starter_config

    path = tmp_path / "chinook.toml"
    path.write_text(starter_config(chinook_url, prefix="chinook_"), encoding="utf-8")
    monkeypatch.setenv("CHINOOK_DATABASE_URL", chinook_url)
    return path


@pytest.fixture
def chinook_app(database_url, chinook_config):
    """The app started with the unedited starter configuration of Chinook."""
    from models import Base
    from models import db as _db
    from tests.panel_world import build_app

    application = build_app(database_url, chinook_config)
    ctx = application.app_context()
    ctx.push()
    yield application
    application.extensions["cskh_panel"].dispose()
    _db.session.remove()
    databases.wipe(_db.engine, Base.metadata)
    _db.engine.dispose()
    ctx.pop()
