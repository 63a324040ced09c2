"""PostgreSQL's word-start index: a rare multi-word search narrowed by every word at once.

pg_trgm serves ``LIKE '% nguyen%'`` by intersecting the posting lists of every trigram of every
word, and those lists grow with the table: "nguyen van an" read them for 121 ms at 10,000,000
customers for 1,409 matches (26 ms at 1,000,000). Here each word of the search text that is not
all digits gives its word starts as lexemes of a tsvector ("nguyen" gives "n", "ng", … "nguyen",
up to ``PREFIX_LENGTH`` characters), GIN-indexed; a search word is then one exact lexeme, and
GIN's fast scan walks the rarest word's postings and skips through the others'.

A lexeme is there exactly when a word of the search text starts with it, which is what
``LIKE '% term%'`` means (services.search_keys.term_condition): the index answers alone for
words up to ``PREFIX_LENGTH`` characters; a longer word, and digits (which match anywhere, served
by pg_trgm), keep their ``LIKE``. The index pays only for a rare search: a common one ("lan", one
customer in 37) finds its page of 201 in the list's own order in a few thousand rows, so
``condition`` uses it only when the sample of newest customers (the one MariaDB's keys use) says
the search is rare enough.
"""

import time

from sqlalchemy import and_, cast, func, text
from sqlalchemy.dialects.postgresql import TSQUERY

from services import search_keys

FUNCTION = "customer_search_prefixes"
INDEX = "ix_customers_search_prefixes"
PREFIX_LENGTH = 10
"""Word starts longer than this are not kept: a longer search word uses its first 10 characters and
its ``LIKE``. Ten keeps an email's start ("nguyenvana") and the index at about 180 MB per million
customers."""
INDEX_ROW_COST = 12
"""A row fetched through this index costs about as much as 12 rows read in the list's order (1M
customers: 7,338 rows of "tran thi" in 90 ms by the index, 27,000 in 21 ms in id order)."""
PAGE_ROWS = 201
"""Rows a list's search reads: its capped count (admin/listing/paging.py's SEARCH_COUNT_CAP + 1)."""

DDL = [
    f"""CREATE OR REPLACE FUNCTION {FUNCTION}(search_text text) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    DECLARE word text; starts text[] := '{{}}';
    BEGIN
      FOREACH word IN ARRAY string_to_array(search_text, ' ') LOOP
        CONTINUE WHEN word = '' OR word ~ '^[0-9]+$';
        FOR n IN 1 .. least(length(word), {PREFIX_LENGTH}) LOOP
          starts := starts || left(word, n);
        END LOOP;
      END LOOP;
      RETURN array_to_tsvector(starts);
    END $$""",
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON customers USING gin ({FUNCTION}(search_text))",
]
"""The function is plpgsql: twice as fast as the same in SQL (8.5 µs a row), which the index build
at 10M customers feels. ``COST 1000`` makes the planner test it after a ``LIKE`` beside it."""
DROP = [f"DROP INDEX IF EXISTS {INDEX}", f"DROP FUNCTION IF EXISTS {FUNCTION}(text)"]

_state: dict[str, tuple[float, float | None]] = {}
"""Per database URL: (valid until, the table's estimated rows, or None without the function)."""


def table_rows(engine) -> float | None:
    """The planner's estimate of the customers' count when the function exists (read once an hour)."""
    key = str(engine.url)
    now = time.monotonic()
    kept = _state.get(key)
    if kept is None or kept[0] < now:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT (SELECT reltuples FROM pg_class WHERE oid = to_regclass('customers')), "
                    f"to_regprocedure('{FUNCTION}(text)') IS NOT NULL"
                )
            ).one()
        kept = _state[key] = (now + search_keys.SAMPLE_SECONDS, max(rows[0] or 0, 0) if rows[1] else None)
    return kept[1]


def forget(engine) -> None:
    _state.pop(str(engine.url), None)


def prefix_query(terms: list[str]) -> str:
    """The tsquery of ``terms``' word starts, each quoted as itself (no parser, no stemming)."""
    lexemes = dict.fromkeys(t[:PREFIX_LENGTH] for t in terms)
    return " & ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in lexemes)


def worth_it(terms: list[str], engine) -> bool:
    """Whether this index beats the list's own order: the rows it fetches (the share ``s`` of the
    sample that matches, times the table) cost ``INDEX_ROW_COST`` each, the order reads 201 / s."""
    rows = table_rows(engine)
    if rows is None:
        return False
    share = search_keys.matching_share(terms, engine)
    if share is None:
        return False
    return share == 0 or INDEX_ROW_COST * share * rows <= PAGE_ROWS / share


def condition(model, terms: list[str], engine):
    """Every term on ``model.search_text``: the words by this index when the search is rare, else
    (and for digits and words longer than ``PREFIX_LENGTH``) ``LIKE``, which pg_trgm serves."""
    like = {t: search_keys.term_condition(model.search_text, t) for t in terms}
    words = [t for t in terms if not t.isdigit()]
    if not words or not worth_it(terms, engine):
        return and_(*like.values())
    starts = func.customer_search_prefixes(model.search_text).op("@@")(cast(prefix_query(words), TSQUERY))
    rest = [like[t] for t in terms if t.isdigit() or len(t) > PREFIX_LENGTH]
    return and_(starts, *rest)


__all__ = ["DDL", "DROP", "condition", "prefix_query", "worth_it"]
