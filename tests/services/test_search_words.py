"""services.search_words: PostgreSQL's word-start index, its query, and when a search uses it."""

import pytest
from sqlalchemy import inspect, text

from services import search_index, search_keys, search_words


def test_each_word_is_one_quoted_lexeme_cut_to_the_prefix_length():
    assert search_words.prefix_query(["nguyen", "van", "an"]) == "'nguyen' & 'van' & 'an'"
    assert search_words.prefix_query(["o'neil", "a\\b"]) == "'o''neil' & 'a\\\\b'"  # themselves, never syntax
    assert search_words.prefix_query(["an.nguyen@example.vn", "an"]) == "'an.nguyen@' & 'an'"
    assert search_words.prefix_query(["van", "van"]) == "'van'"


@pytest.mark.parametrize(
    ("share", "rows", "used"),
    [
        (0.027, 1_000_000, False),  # "lan": 201 rows within the first 7,400 in the list's order
        (0.0073, 1_000_000, False),  # "tran thi": 7,300 rows by the index cost more than 27,000 in order
        (0.00014, 1_000_000, True),  # "nguyen van an"
        (0.00014, 10_000_000, True),
        (0.003, 10_000_000, False),
        (0.0, 10_000_000, True),  # nothing like it in the sample: the index answers at once
    ],
)
def test_the_index_is_used_when_its_rows_cost_less_than_the_lists_order(monkeypatch, share, rows, used):
    monkeypatch.setattr(search_words, "table_rows", lambda engine: rows)
    monkeypatch.setattr(search_keys, "matching_share", lambda terms, engine: share)
    assert search_words.worth_it(["nguyen", "van", "an"], None) is used


def test_without_the_function_or_a_sample_the_index_is_not_used(monkeypatch):
    monkeypatch.setattr(search_words, "table_rows", lambda engine: None)
    monkeypatch.setattr(search_keys, "matching_share", lambda terms, engine: 0.0)
    assert search_words.worth_it(["an"], None) is False
    monkeypatch.setattr(search_words, "table_rows", lambda engine: 1_000_000)
    monkeypatch.setattr(search_keys, "matching_share", lambda terms, engine: None)
    assert search_words.worth_it(["an"], None) is False


@pytest.mark.backends("postgresql")
def test_the_function_gives_every_word_start_but_not_digits(db):
    search_index.ensure_search_indexes(db.engine)
    value = db.session.scalar(text("SELECT customer_search_prefixes(' ho an kh12@example.vn 0912345678')::text"))
    assert (
        value
        == "'a' 'an' 'h' 'ho' 'k' 'kh' 'kh1' 'kh12' 'kh12@' 'kh12@e' 'kh12@ex' 'kh12@exa' 'kh12@exam' 'kh12@examp'"
    )
    assert search_words.INDEX in {i["name"] for i in inspect(db.engine).get_indexes("customers")}
    assert search_words.table_rows(db.engine) is not None
