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


def test_fts_looks_for_each_terms_rarest_trigram_and_two_for_a_number():
    from collections import Counter

    counts = Counter({" ng": 900, "ngu": 300, "guy": 120, "uye": 150, "yen": 400, " va": 500, "van": 450, " an": 80})
    assert search_index.fts_query([" nguyen", " van", " an"], counts) == '"guy" AND "van" AND " an"'
    counts.update({"091": 50, "912": 70, "123": 5})
    assert search_index.fts_query(["0912"], counts) == '"091" AND "912"'
    assert search_index.fts_query(["09123"], counts) == '"123" AND "091"'
    assert search_index.fts_query([' a"b'], Counter()) == '" a"""'  # a quote is doubled, never ends the string
    assert search_index.fts_query([" xuyen"], counts) == '" xu"'  # absent from the sample: the rarest


@pytest.mark.backends("sqlite")
def test_trigram_sample_counts_rows_not_occurrences_and_is_kept(app, db, indexed, monkeypatch):
    f.make_customer("Lan Lan Anh", phone="0900000001")
    f.make_customer("Lan Hoa", phone="0900000002")
    db.session.commit()
    search_index._samples.pop(str(db.engine.url), None)
    counts = search_index.trigram_counts(db.engine)
    assert counts["lan"] == 2  # two customers, though the first holds it twice
    f.make_customer("Lan Mai", phone="0900000003")
    db.session.commit()
    assert search_index.trigram_counts(db.engine)["lan"] == 2  # kept for the hour
    search_index._samples.pop(str(db.engine.url), None)
    assert search_index.trigram_counts(db.engine)["lan"] == 3
