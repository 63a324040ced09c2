"""MariaDB's customer search index: the words and digit suffixes of ``search_text`` in a side table.

InnoDB cannot serve ``LIKE '% word%'`` and its FULLTEXT index does not match what search means
here: it drops words shorter than ``innodb_ft_min_token_size`` (3 unless the server is set up
otherwise: "an", "le", "ha" are names) and the words of its stopword list ("the" is the folded
Thế), and it cannot find "0912" inside a phone number. A company's MariaDB runs as its DBA set it,
so the app keeps its own index instead: ``customer_search_keys`` holds per customer every word of
the search text ("w", matched by prefix: a search word is a word start) and every suffix of 3+
characters of each run of digits ("d", matched by prefix: digits match anywhere, as a substring is
the prefix of a suffix), each with a copy of the search text.

A search then takes one of two plans, chosen from a sample of the newest customers
(``SAMPLE_ROWS``, read once an hour per process):

- common ("lan": 1 customer in 37): the list's own order, checking ``LIKE`` row by row; the page
  of 201 is found in the first few thousand rows;
- otherwise ("0912", "nguyen van an": 1 in 7,000): the rarest word's keys, whose copies of the
  search text are checked for the other words inside the index, give the candidates.

Either way the customer's own ``search_text`` is checked with ``LIKE``, so results are exactly
those of the FTS5 (SQLite) and pg_trgm (PostgreSQL) paths (tests/services/test_search_equal.py).
The keys are written by ORM events on insert and update (a delete cascades) and, for rows
written in bulk by SQL, by ``refresh_range``.
"""

import re
import time

from sqlalchemy import and_, delete, event, func, insert, inspect, select, text

from models import Customer, CustomerSearchKey
from services.text import LIKE_ESCAPE, like_literal

KEY_LENGTH = 64
"""Keys are the first 64 characters of a word: a longer search word is checked by ``LIKE``."""
MIN_DIGITS = 3
"""Shorter digit suffixes are not kept: a search for 1–2 digits matches too many rows to need them."""
SCAN_SHARE = 0.01
"""A search matching at least this share of the sample walks the list's order instead of the keys."""
SAMPLE_ROWS = 5_000
SAMPLE_SECONDS = 3_600
_DIGITS = re.compile(r"[0-9]+")
_samples: dict[str, tuple[float, list[str], dict]] = {}
KEYS = CustomerSearchKey.__table__


def applies(dialect_name: str) -> bool:
    return dialect_name in ("mysql", "mariadb")


def is_digits(term: str) -> bool:
    """A term matched anywhere (services.search_index.term_condition), here only ASCII digits."""
    return term.isascii() and term.isdigit()


def keys_of(search_text: str | None) -> set[tuple[str, str]]:
    """(kind, key) pairs of one search text; ``refresh_range``'s SQL makes the same."""
    keys: set[tuple[str, str]] = set()
    for word in (search_text or "").split(" "):
        if not word:
            continue
        if not is_digits(word):
            keys.add(("w", word[:KEY_LENGTH]))
        for run in _DIGITS.findall(word):
            for start in range(len(run) - MIN_DIGITS + 1):
                keys.add(("d", run[start:][:KEY_LENGTH]))
    return keys


def key_rows(customer_id: int, search_text: str | None) -> list[dict]:
    return [
        {"kind": kind, "key_text": key, "customer_id": customer_id, "search_text": search_text or ""}
        for kind, key in sorted(keys_of(search_text))
    ]


def write_keys(conn, customer_id: int, search_text: str | None) -> None:
    """Replace one customer's keys (on MariaDB; elsewhere nothing)."""
    if not applies(conn.dialect.name):
        return
    conn.execute(delete(KEYS).where(KEYS.c.customer_id == customer_id))
    rows = key_rows(customer_id, search_text)
    if rows:
        conn.execute(insert(KEYS).prefix_with("IGNORE"), rows)


@event.listens_for(Customer, "after_insert")
def _inserted(mapper, conn, customer) -> None:
    write_keys(conn, customer.id, customer.search_text)


@event.listens_for(Customer, "after_update")
def _updated(mapper, conn, customer) -> None:
    state = inspect(customer)
    if state.attrs.search_text.history.has_changes() or state.attrs.id.history.has_changes():
        write_keys(conn, customer.id, customer.search_text)


# ---- bulk -----------------------------------------------------------------
MAX_WORDS = 40
"""A search text of 400 characters holds at most 200 words; real ones hold 4–8."""
MAX_RUN = 400

_REFRESH_SQL = [
    text("DELETE FROM customer_search_keys WHERE customer_id BETWEEN :first AND :last"),
    text("DROP TEMPORARY TABLE IF EXISTS search_words"),
    text(
        f"""CREATE TEMPORARY TABLE search_words AS
        SELECT c.id AS customer_id, SUBSTRING_INDEX(SUBSTRING_INDEX(c.search_text, ' ', n.seq + 1), ' ', -1) AS word
        FROM customers c
        JOIN seq_1_to_{MAX_WORDS} n
          ON n.seq <= CHAR_LENGTH(c.search_text) - CHAR_LENGTH(REPLACE(c.search_text, ' ', ''))
        WHERE c.id BETWEEN :first AND :last"""
    ),
    text(
        f"""INSERT IGNORE INTO customer_search_keys (kind, key_text, customer_id, search_text)
        SELECT 'w', LEFT(w.word, {KEY_LENGTH}), w.customer_id, c.search_text
        FROM search_words w JOIN customers c ON c.id = w.customer_id
        WHERE w.word <> '' AND w.word NOT REGEXP '^[0-9]+$'"""
    ),
    text(
        f"""INSERT IGNORE INTO customer_search_keys (kind, key_text, customer_id, search_text)
        SELECT 'd', LEFT(SUBSTRING(d.run, s.seq), {KEY_LENGTH}), d.customer_id, c.search_text
        FROM (
            SELECT r.customer_id, SUBSTRING_INDEX(SUBSTRING_INDEX(r.runs, ' ', m.seq), ' ', -1) AS run
            FROM (
                SELECT customer_id, CASE WHEN word REGEXP '^[0-9]+$' THEN word
                                         ELSE TRIM(REGEXP_REPLACE(word, '[^0-9]+', ' ')) END AS runs
                FROM search_words WHERE word REGEXP '[0-9]'
            ) r
            JOIN seq_1_to_{MAX_WORDS} m ON m.seq <= 1 + CHAR_LENGTH(r.runs) - CHAR_LENGTH(REPLACE(r.runs, ' ', ''))
        ) d
        JOIN seq_1_to_{MAX_RUN} s ON s.seq <= CHAR_LENGTH(d.run) - {MIN_DIGITS - 1}
        JOIN customers c ON c.id = d.customer_id"""
    ),
    text("DROP TEMPORARY TABLE search_words"),
]


def fill(conn, first_id: int, last_id: int) -> None:
    """Rebuild the keys of customers ``first_id``..``last_id`` on ``conn`` (MariaDB), set-based."""
    for statement in _REFRESH_SQL:
        conn.execute(statement, {"first": first_id, "last": last_id})


def refresh_range(engine, first_id: int, last_id: int, step: int = 100_000) -> None:
    """``fill`` in transactions of ``step`` customers (a no-op on the other databases)."""
    if not applies(engine.dialect.name):
        return
    for low in range(first_id, last_id + 1, step):
        with engine.begin() as conn:
            fill(conn, low, min(last_id, low + step - 1))


def refresh_missing(engine) -> int:
    """Build the keys of every customer who has none (after rows were written by SQL); returns how many."""
    if not applies(engine.dialect.name):
        return 0
    with engine.connect() as conn:
        missing = conn.execute(
            select(func.min(Customer.id), func.max(Customer.id), func.count()).where(
                ~select(KEYS.c.customer_id).where(KEYS.c.customer_id == Customer.id).exists()
            )
        ).one()
    if not missing[2]:
        return 0
    refresh_range(engine, missing[0], missing[1])
    return missing[2]


# ---- the search -------------------------------------------------------------
def term_condition(column, term: str):
    """A word matches from its start ("an" finds "An" but not "Văn"), digits anywhere; ``%`` and ``_``
    are themselves."""
    escaped = like_literal(term)
    return column.like(f"%{escaped}%" if term.isdigit() else f"% {escaped}%", escape=LIKE_ESCAPE)


def condition(model, terms: list[str], engine):
    """Every term on ``model.search_text``, narrowed by the keys when the search is rare enough for
    them to pay: the rarest term's keys, the other terms checked on their copies of the search text
    (the driving term's key already says it matches, unless the term is longer than a key)."""
    like = [term_condition(model.search_text, t) for t in terms]
    driver = _driving_term(terms, engine)
    if driver is None:
        return and_(*like)
    candidates = select(KEYS.c.customer_id).where(
        KEYS.c.kind == ("d" if is_digits(driver) else "w"),
        KEYS.c.key_text.like(like_literal(driver[:KEY_LENGTH]) + "%", escape=LIKE_ESCAPE),
        *[term_condition(KEYS.c.search_text, t) for t in terms if t != driver or len(t) > KEY_LENGTH],
    )
    return and_(model.id.in_(candidates), *like)


def _driving_term(terms: list[str], engine) -> str | None:
    """The term whose keys narrow the search, or None when the list's own order is cheaper."""
    eligible = [t for t in terms if (len(t) >= MIN_DIGITS if is_digits(t) else True)]
    if not eligible:
        return None
    counted = _counted(terms, engine)
    if counted is None:
        return None
    share, counts = counted
    return None if share >= SCAN_SHARE else min(eligible, key=lambda t: (counts[t], -len(t)))


def matching_share(terms: list[str], engine) -> float | None:
    """The share of the sampled newest customers that match every term (None without customers);
    PostgreSQL's word index asks it too (services/search_words.py)."""
    counted = _counted(terms, engine)
    return None if counted is None else counted[0]


def _counted(terms: list[str], engine) -> tuple[float, dict[str, int]] | None:
    """(share of the sample matching every term, matches of each term), kept with the sample."""
    texts, cache = _sample(engine)
    if not texts:
        return None
    key = tuple(terms)
    if key not in cache:
        if len(cache) > 2_000:
            cache.clear()
        counts = {t: sum(1 for s in texts if _matches(s, t)) for t in terms}
        both = sum(1 for s in texts if all(_matches(s, t) for t in terms))
        cache[key] = (both / len(texts), counts)
    return cache[key]


def _matches(search_text: str, term: str) -> bool:
    return term in search_text if term.isdigit() else (" " + term) in search_text


def _sample(engine) -> tuple[list[str], dict]:
    key = str(engine.url)
    now = time.monotonic()
    kept = _samples.get(key)
    if kept is None or kept[0] < now:
        with engine.connect() as conn:
            rows = conn.execute(select(Customer.search_text).order_by(Customer.id.desc()).limit(SAMPLE_ROWS))
            texts = [value for (value,) in rows if value]
        kept = _samples[key] = (now + SAMPLE_SECONDS, texts, {})
    return kept[1], kept[2]


def forget_sample(engine) -> None:
    _samples.pop(str(engine.url), None)


__all__ = ["condition", "keys_of", "matching_share", "refresh_missing", "refresh_range", "write_keys"]
