"""services.search_index: the per-database search index, idempotent, and (SQLite) kept in sync."""

import pytest
from sqlalchemy import inspect, select, text

from models import Customer
from services import search_index
from services.text import search_terms
from tests import factories as f


@pytest.fixture
def indexed(db):
    statements = search_index.ensure_search_indexes(db.engine)
    yield statements
    search_index.drop_search_indexes(db.engine)


def found(db, query: str) -> set[int]:
    condition = search_index.search_condition(Customer, search_terms(query), db.engine)
    return set(db.session.scalars(select(Customer.id).where(condition)))


def like(db, query: str) -> set[int]:
    condition = search_index.search_condition(Customer, search_terms(query))
    return set(db.session.scalars(select(Customer.id).where(condition)))


def test_index_is_created_once_and_again_without_error(app, db, indexed):
    assert search_index.ensure_search_indexes(db.engine) == search_index.DDL.get(db.engine.dialect.name, [])
    if db.engine.dialect.name == "postgresql":
        names = {i["name"] for i in inspect(db.engine).get_indexes("customers")}
        assert "ix_customers_search_text_trgm" in names
    if db.engine.dialect.name == "sqlite":
        assert search_index.has_fts(db.engine)


def test_search_finds_what_like_finds_and_follows_changes(app, db, indexed):
    lan = f.make_customer("Trần Thị Lan", phone="0912345678")
    an = f.make_customer("Nguyễn Văn An", phone="0987654321", email="an.nguyen@example.vn")
    f.make_customer("Lê Minh", phone="0933000111")
    db.session.commit()
    uses_fts = "MATCH" in str(search_index.search_condition(Customer, ["lan"], db.engine).compile(db.engine))
    assert uses_fts == (db.engine.dialect.name == "sqlite")
    for query in ("lan", "0912", "nguyen van an", "NGUYỄN", "an", "example", "zzq"):
        assert found(db, query) == like(db, query), query
    assert found(db, "nguyen van an") == {an.id}
    assert found(db, "0912") == {lan.id}

    lan.name, lan.search_text = "Trần Thị Hoa", " tran thi hoa 0912345678"
    db.session.commit()
    assert found(db, "lan") == set() and found(db, "hoa") == {lan.id}
    db.session.delete(an)
    db.session.commit()
    assert found(db, "nguyen") == set()


@pytest.mark.backends("sqlite")  # FTS5 exists only on SQLite
def test_without_the_fts_table_search_falls_back_to_like(app, db):
    search_index.drop_search_indexes(db.engine)
    f.make_customer("Phạm Thu Lan", phone="0911222333")
    db.session.commit()
    condition = search_index.search_condition(Customer, ["lan"], db.engine)
    assert "MATCH" not in str(condition.compile(db.engine))
    assert len(db.session.scalars(select(Customer.id).where(condition)).all()) == 1
    assert db.session.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'customers_fts'")).scalar() == 0
