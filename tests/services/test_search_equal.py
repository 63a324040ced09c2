"""Customer search returns the same customers on SQLite (FTS5), PostgreSQL (pg_trgm and the word
starts, both plans) and MariaDB (search keys, both of its plans): each database's answer equals one
reference, the search's meaning written in Python (every folded word of the query starts a word of
the search text; digits match anywhere; ``%`` and ``_`` are themselves)."""

import pytest
from sqlalchemy import select, text

from models import Customer, CustomerSearchKey
from services import search_index, search_keys, search_words
from services.customers import search_text_for
from services.text import search_terms
from tests import factories as f

PEOPLE = [
    ("Nguyễn Văn An", "0912345678", "an.nguyen@example.vn"),
    ("Nguyễn Văn Anh", "0987654321", None),
    ("Trần Thị Lan", "0903123456", "lan_tran@example.vn"),
    ("Hồ Thị Lan Anh", "0977111222", "100%lan@example.vn"),
    ("Đặng Thế Hà", "0933000111", "kh0912@example.vn"),
    ("Phạm An", "0988765432", None),
    ("Lê Văn", "0944555666", "le_van@mail.vn"),
    ("Văn Thị Nguyên", "0909912345", "vtn@example.com"),
    ("Bùi Xuân Hạ", "0355123123", None),
    ("Đỗ O'Neil", "0966000777", "oneil@example.vn"),
    ("Lý Tiểu\\Long", "0966000888", "a.very.long.address@example.vn"),
]
QUERIES = [
    "nguyen van an",
    "an",
    "AN",
    "anh",
    "lan",
    "lan anh",
    "the",
    "ha",
    "ng",
    "a",
    "van",
    "nguyễn",
    "Nguyên",
    "0912",
    "0912 345 678",
    "+84912345678",
    "84 912",
    "912.345",
    "345678",
    "12",
    "0",
    "99123",
    "an.nguyen@example.vn",
    "example",
    "example.com",
    "com",
    "lan_tran",
    "lan_",
    "_",
    "%",
    "100%",
    "%lan",
    "le_van",
    "le%van",
    "x_y",
    "zzq",
    "kh0912",
    "o'neil",
    "o'",
    "'",
    "tieu\\long",
    "\\",
    "a.very.long.address",
    "a.very.long.x",
    "an.nguyen@x",
    "nguyen 0912",
    "lan 0903",
]


def reference(search_text: str, query: str) -> bool:
    def matches(term):
        return term in search_text if term.isdigit() else " " + term in search_text

    terms = search_terms(query)
    return bool(terms) and all(matches(t) for t in terms)


@pytest.fixture
def people(app, db):
    search_index.ensure_search_indexes(db.engine)
    made = [f.make_customer(name, phone=phone, email=email) for name, phone, email in PEOPLE]
    for customer in made:  # the factory leaves the email out of the search text
        customer.search_text = search_text_for(customer.name, customer.phone, customer.email)
    db.session.commit()
    search_keys.forget_sample(db.engine)
    yield {c.id: c.search_text for c in made}
    search_keys.forget_sample(db.engine)
    search_index.drop_search_indexes(db.engine)


def found(db, query: str) -> set[int]:
    condition = search_index.search_condition(Customer, search_terms(query), db.engine)
    return set(db.session.scalars(select(Customer.id).where(condition)))


def expected(people, query: str) -> set[int]:
    return {cid for cid, search_text in people.items() if reference(search_text, query)}


def test_every_database_finds_what_the_reference_finds(db, people):
    for query in QUERIES:
        assert found(db, query) == expected(people, query), query
    assert expected(people, "an") == {cid for cid, t in people.items() if " an" in t}  # An, Anh, an.nguyen…
    # themselves, not wildcards: no word starts with "%" or "_" (a LIKE wildcard would match everyone)
    assert expected(people, "%") == set() and expected(people, "_") == set()
    assert len(expected(people, "100%")) == 1 and len(expected(people, "lan_")) == 1


@pytest.mark.backends("mariadb")
@pytest.mark.parametrize("plan", ["keys", "scan"])
def test_mariadb_both_plans_find_the_same(db, people, monkeypatch, plan):
    monkeypatch.setattr(search_keys, "SCAN_SHARE", 2.0 if plan == "keys" else 0.0)
    search_keys.forget_sample(db.engine)
    for query in QUERIES:
        sql = str(search_index.search_condition(Customer, search_terms(query), db.engine).compile(db.engine))
        eligible = any(len(t) >= 3 or not t.isdigit() for t in search_terms(query))
        assert ("customer_search_keys" in sql) == (plan == "keys" and eligible), query
        assert found(db, query) == expected(people, query), (plan, query)


@pytest.mark.backends("postgresql")
@pytest.mark.parametrize("plan", ["words", "order"])
def test_postgresql_both_plans_find_the_same(db, people, monkeypatch, plan):
    monkeypatch.setattr(search_words, "worth_it", lambda terms, engine: plan == "words")
    for query in QUERIES:
        sql = str(search_index.search_condition(Customer, search_terms(query), db.engine).compile(db.engine))
        words = any(not t.isdigit() for t in search_terms(query))
        assert (search_words.FUNCTION in sql) == (plan == "words" and words), query
        assert found(db, query) == expected(people, query), (plan, query)


@pytest.mark.backends("postgresql", "mariadb")
def test_the_index_follows_inserts_updates_and_deletes(db, people, monkeypatch):
    monkeypatch.setattr(search_keys, "SCAN_SHARE", 2.0)  # MariaDB: always by the keys
    monkeypatch.setattr(search_words, "worth_it", lambda terms, engine: True)  # PostgreSQL: by the word starts
    search_keys.forget_sample(db.engine)
    lan = db.session.scalar(select(Customer).where(Customer.name == "Trần Thị Lan"))
    lan.search_text = search_text_for("Trần Thị Hoa", lan.phone, None)
    db.session.commit()
    assert lan.id not in found(db, "lan tran") and found(db, "hoa") == {lan.id}
    added = f.make_customer("Quách Tĩnh", phone="0911000999")
    db.session.commit()
    assert found(db, "quach") == {added.id} and found(db, "000999") == {added.id}
    assert found(db, "quach tinh") == {added.id}
    db.session.delete(added)
    db.session.commit()
    assert found(db, "quach") == set()
    assert (
        db.session.scalar(select(CustomerSearchKey.customer_id).where(CustomerSearchKey.customer_id == added.id))
        is None
    )


@pytest.mark.backends("mariadb")
def test_mariadb_keys_built_in_sql_equal_the_keys_written_per_row(db, people):
    ids = sorted(people)
    first, last = ids[0], ids[-1]
    by_row = {cid: search_keys.keys_of(t) for cid, t in people.items()}
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM customer_search_keys"))
    assert search_keys.refresh_missing(db.engine) == len(people)
    rows = db.session.execute(select(CustomerSearchKey.customer_id, CustomerSearchKey.kind, CustomerSearchKey.key_text))
    in_sql: dict[int, set] = {}
    for cid, kind, key in rows:
        in_sql.setdefault(cid, set()).add((kind, key))
    assert in_sql == by_row
    assert ("d", "0912") in by_row[ids[4]] and ("w", "kh0912@example.vn") in by_row[ids[4]]
    assert ("w", "an") in by_row[ids[0]] and ("d", "912345678") in by_row[ids[0]] and ("d", "78") not in by_row[ids[0]]
    assert search_keys.refresh_missing(db.engine) == 0
    search_keys.refresh_range(db.engine, first, last)
    assert db.session.scalar(select(CustomerSearchKey.customer_id).order_by(CustomerSearchKey.customer_id).limit(1))


def test_keys_of_a_search_text():
    keys = search_keys.keys_of(" le van an kh12345@x.vn 0912345678")
    assert {("w", "le"), ("w", "van"), ("w", "an"), ("w", "kh12345@x.vn")} <= keys
    assert ("w", "0912345678") not in keys  # a number is found by its digit suffixes
    assert {("d", "0912345678"), ("d", "12345678"), ("d", "678"), ("d", "12345"), ("d", "345")} <= keys
    assert ("d", "78") not in keys and ("d", "45") not in keys
    assert search_keys.keys_of("") == set() and search_keys.keys_of(None) == set()
