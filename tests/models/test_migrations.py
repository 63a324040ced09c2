"""The Alembic history builds the schema from nothing on every backend, and matches the models."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from models import Base
from tests import databases


@pytest.fixture
def empty_database(backend, tmp_path):
    name = f"cskh_m_{os.getpid()}"
    try:
        url = databases.create_database(backend, name, str(tmp_path))
    except Exception as exc:  # noqa: BLE001
        if databases.on_ci():
            pytest.fail(f"{backend} unreachable: {exc}")
        pytest.skip(f"{backend} unreachable: {exc}")
    yield url
    databases.drop_database(backend, name)


def _ignore_search_indexes(diff) -> bool:
    """The search index the migration adds outside the ORM (pg_trgm, SQLite FTS5) is not model drift."""
    kind = diff[0] if isinstance(diff, tuple) else None
    return kind in ("remove_index", "remove_table") and diff[1].name.startswith(
        ("customers_fts", "ix_customers_search_text_trgm", "ix_customers_search_prefixes")
    )


def test_upgrade_from_nothing_matches_the_models(empty_database):
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "TESTING": True, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
    engine = create_engine(empty_database)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = [d for d in compare_metadata(context, Base.metadata) if not _ignore_search_indexes(d)]
        assert diffs == [], f"models and migrations disagree: run `flask db migrate`: {diffs}"
        if engine.dialect.name == "postgresql":
            names = {i["name"] for i in inspect(engine).get_indexes("customers")}
            assert {"ix_customers_search_text_trgm", "ix_customers_search_prefixes"} <= names
        if engine.dialect.name == "sqlite":
            assert "customers_fts" in tables
        engine.dispose()
        with app.app_context():
            downgrade(revision="base")
        left = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert left == set(), f"downgrade left tables behind: {left}"
    finally:
        engine.dispose()
