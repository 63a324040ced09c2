"""The index behind customer search, per database, created idempotently.

Search matches ``customers.search_text`` (folded name, email, phone digits). A B-tree
cannot serve ``LIKE '%term%'``; what can (measured, docs/performance.md):

- PostgreSQL: a pg_trgm GIN index; ``LIKE '%lan%'`` uses it as it is (for rare words; a common
  one is cheaper in the list's order, which needs good statistics: ``STATISTICS``). A rare search
  of several common words ("nguyen van an") uses a GIN index of word starts instead
  (services/search_words.py): the trigrams' posting lists grow with the table.
- SQLite: an FTS5 trigram table kept in sync by triggers; it needs its own condition
  (``search_condition``), used only when the table exists (tests build the schema
  without it).
- MariaDB: FULLTEXT matches neither short words nor digits inside a phone number, and what it
  drops depends on the server's settings; a side table of words and digit suffixes kept by the
  app serves instead (services/search_keys.py).

``DDL`` is what the Alembic migration should contain; ``ensure_search_indexes`` runs it.
"""

import time
from collections import Counter

from sqlalchemy import and_, inspect, literal_column, select, table, text

from services import search_keys, search_words

FTS_TABLE = "customers_fts"
TRIGRAM = 3
"""FTS5's trigram tokenizer cannot match shorter terms: those stay ``LIKE``."""

STATISTICS = "ALTER TABLE customers ALTER COLUMN search_text SET STATISTICS 1000"
"""PostgreSQL estimates ``LIKE '% lan%'`` from a sample of the column's values: with the default 100
it saw no "lan" and planned a common word as rare (every match fetched, then sorted: 180 ms at 1M
customers); with 1,000 it sees the word is common and walks the list's order instead (2 ms)."""

DDL = {
    "postgresql": [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX IF NOT EXISTS ix_customers_search_text_trgm ON customers USING gin (search_text gin_trgm_ops)",
        STATISTICS,
        *search_words.DDL,
    ],
    "sqlite": [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
        "search_text, content='customers', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON customers BEGIN "
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON customers BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE OF id, search_text ON customers BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    ],
}
BUILD_MEMORY = "SET LOCAL maintenance_work_mem = '512MB'"
SQLITE_FILL = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{t}" for t in ("ai", "ad", "au")] + [
    f"DROP TABLE IF EXISTS {FTS_TABLE}"
]

_fts_engines: dict[str, bool] = {}

SAMPLE_ROWS = 5_000
SAMPLE_SECONDS = 3_600
_samples: dict[str, tuple[float, Counter]] = {}


def ensure_search_indexes(engine) -> list[str]:
    """Create the search index of ``engine``'s database when missing; returns the statements run.

    On MariaDB: the search keys of every customer who has none (rows written by SQL)."""
    if search_keys.applies(engine.dialect.name):
        missing = search_keys.refresh_missing(engine)
        return [f"search keys of {missing} customers"] if missing else []
    statements = list(DDL.get(engine.dialect.name, []))
    if not statements:
        return []
    with engine.begin() as conn:
        fresh = engine.dialect.name == "sqlite" and not inspect(conn).has_table(FTS_TABLE)
        if engine.dialect.name == "postgresql":  # a GIN build at millions of rows flushes less often
            conn.execute(text(BUILD_MEMORY))
        for statement in statements:
            conn.execute(text(statement))
        if fresh:
            conn.execute(text(SQLITE_FILL))
            statements.append(SQLITE_FILL)
    _fts_engines.pop(str(engine.url), None)
    search_words.forget(engine)
    return statements


def drop_search_indexes(engine, all_backends: bool = False) -> None:
    """Remove the SQLite FTS table and its triggers (the other backends' indexes are harmless,
    unless ``all_backends``: a bulk load drops them all and builds them again after it)."""
    if all_backends and engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP INDEX IF EXISTS ix_customers_search_text_trgm"))
            conn.execute(text(search_words.DROP[0]))
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            for statement in SQLITE_DROP:
                conn.execute(text(statement))
    _fts_engines.pop(str(engine.url), None)
    search_words.forget(engine)


def refresh_search_keys(engine, first_id: int, last_id: int) -> None:
    """Bring the search keys of customers ``first_id``..``last_id`` up to date (MariaDB; elsewhere the
    index follows the rows by itself)."""
    search_keys.refresh_range(engine, first_id, last_id)


def has_fts(engine) -> bool:
    """Whether ``engine`` is SQLite with the FTS5 table (checked once per process and database)."""
    if engine.dialect.name != "sqlite":
        return False
    key = str(engine.url)
    if key not in _fts_engines:
        with engine.connect() as conn:
            _fts_engines[key] = inspect(conn).has_table(FTS_TABLE)
    return _fts_engines[key]


def term_condition(model, term: str):
    """A word matches from its start ("an" finds "An" but not "Văn"); digits match anywhere in a phone."""
    return search_keys.term_condition(model.search_text, term)


def search_condition(model, terms: list[str], engine=None):
    """Every folded term in ``model.search_text``: FTS5 (SQLite) narrows terms of 3+ characters when
    present, MariaDB's search keys and PostgreSQL's word starts narrow a rare search."""
    if not terms:
        return None
    if engine is not None and model.__tablename__ == "customers" and search_keys.applies(engine.dialect.name):
        return search_keys.condition(model, terms, engine)
    if engine is not None and model.__tablename__ == "customers" and engine.dialect.name == "postgresql":
        return search_words.condition(model, terms, engine)
    like = [term_condition(model, t) for t in terms]
    if engine is None or not has_fts(engine) or model.__tablename__ != "customers":
        return and_(*like)
    # a word matches from its start (" word"); FTS5 only narrows the rows for the LIKEs beside it,
    # by each term's rarest trigram (two for digits): a phrase of every trigram of a common word
    # ("nguyen" is in a third of the names) reads all their postings and checks their positions
    patterns = [t if t.isdigit() else " " + t for t in terms]
    long_terms = [p for p in patterns if len(p) >= TRIGRAM]
    if not long_terms:
        return and_(*like)
    fts = table(FTS_TABLE, literal_column("rowid"))
    query = fts_query(long_terms, trigram_counts(engine))
    matches = select(literal_column("rowid")).select_from(fts).where(literal_column(FTS_TABLE).op("MATCH")(query))
    return and_(model.id.in_(matches), *like)


def fts_query(patterns: list[str], counts: Counter) -> str:
    """The FTS5 query: each pattern's rarest trigram by ``counts`` (two for a number), all required."""
    tokens: list[str] = []
    for pattern in patterns:
        grams = sorted({pattern[i : i + TRIGRAM] for i in range(len(pattern) - TRIGRAM + 1)})
        grams.sort(key=lambda g: counts.get(g, 0))
        tokens += grams[: 2 if pattern.isdigit() else 1]
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in dict.fromkeys(tokens))


def trigram_counts(engine) -> Counter:
    """How many of the newest ``SAMPLE_ROWS`` customers hold each trigram: read once an hour per process.

    A sample is enough to rank a term's trigrams (FTS5's own counts, ``fts5vocab``, take a second
    to read at a million customers).
    """
    key = str(engine.url)
    now = time.monotonic()
    kept = _samples.get(key)
    if kept is None or kept[0] < now:
        counts: Counter = Counter()
        with engine.connect() as conn:
            sample = conn.execute(
                text("SELECT search_text FROM customers ORDER BY id DESC LIMIT :n"), {"n": SAMPLE_ROWS}
            )
            for (value,) in sample:
                if value:
                    counts.update({value[i : i + TRIGRAM] for i in range(len(value) - TRIGRAM + 1)})
        kept = _samples[key] = (now + SAMPLE_SECONDS, counts)
    return kept[1]


__all__ = ["DDL", "drop_search_indexes", "ensure_search_indexes", "has_fts", "search_condition"]
