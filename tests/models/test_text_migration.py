"""The text migration: stored names, addresses and free text become NFC and the search text is folded
again (Ð -> d), on every backend, from rows written the old way."""

import unicodedata
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from tests.models.test_migrations import empty_database  # noqa: F401 - a fixture

REVISION = "5506cd3cd600"


def _filler(column):
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer | sa.Numeric):
        return 0
    if isinstance(kind, sa.DateTime):
        return datetime.now(UTC).replace(tzinfo=None)
    if isinstance(kind, sa.Date):
        return date(2026, 1, 1)
    if isinstance(kind, sa.Time):
        return None
    return "x"


def _insert(conn, table: sa.Table, **values) -> None:
    row = {
        c.name: _filler(c)
        for c in table.columns
        if not c.nullable and c.server_default is None and not (c.primary_key and c.autoincrement in (True, "auto"))
    }
    conn.execute(table.insert().values(**{**row, **values}))


def test_upgrade_composes_stored_text_and_folds_search_again(empty_database):  # noqa: F811
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "TESTING": True, "SECRET_KEY": "x"})
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        before = script.get_revision(REVISION).down_revision
        upgrade(revision=before)
    engine = sa.create_engine(empty_database)
    decomposed = unicodedata.normalize("NFD", "Ðặng Thị Hằng")
    try:
        metadata = sa.MetaData()
        customers = sa.Table("customers", metadata, autoload_with=engine)
        products = sa.Table("products", metadata, autoload_with=engine)
        with engine.begin() as conn:
            _insert(
                conn,
                customers,
                name=decomposed,
                phone="0912345678",
                address=unicodedata.normalize("NFD", "Số 1 phố Huế, Hà Nội"),
                notes=unicodedata.normalize("NFD", "Khách quen"),
                search_text=" ðang thi hang 0912345678",
            )
            _insert(conn, customers, name="Plain Name", phone="0912345679", search_text=" plain name 0912345679")
            _insert(conn, products, sku="SP-1", name=unicodedata.normalize("NFD", "Ấm điện"), search_text=" sp-1 ấm")
        with app.app_context():
            upgrade(revision=REVISION)
        with engine.connect() as conn:
            rows = {r.phone: r for r in conn.execute(sa.select(customers))}
            product = conn.execute(sa.select(products)).one()
        first = rows["0912345678"]
        assert first.name == "Ðặng Thị Hằng" and unicodedata.is_normalized("NFC", first.name)
        assert first.address == "Số 1 phố Huế, Hà Nội" and first.notes == "Khách quen"
        assert first.search_text == " dang thi hang 0912345678"
        assert rows["0912345679"].search_text == " plain name 0912345679"
        assert product.name == "Ấm điện" and product.search_text == " sp-1 am dien"
    finally:
        engine.dispose()
