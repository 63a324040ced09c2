"""stored text in NFC, and search text folded again (Ð, ð and other look-alikes of đ)

Revision ID: 5506cd3cd600
Revises: bee511870a0b
Create Date: 2026-12-02 10:00:00

Windows-1258 imports stored Vietnamese decomposed (a letter, then its tone mark), so the same
name compared unequal by database ("Hà Nội" in a campaign's province segment). Every write is
NFC now (services.clean_writes); this brings what is stored to NFC too, and recomputes the
customers' and products' search text with the new folding (Ð/ð/Ɖ and other look-alikes -> "d",
compatibility forms such as full-width digits -> plain). The audit log is append-only and kept
as written. Rows are read in batches of the primary key and only changed rows are written;
downgrade leaves the text as it is (NFC is what the application writes anyway).
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5506cd3cd600"
down_revision = "bee511870a0b"
branch_labels = None
depends_on = None

TABLES = (
    "users",
    "teams",
    "customers",
    "interactions",
    "emotion_entries",
    "complaints",
    "products",
    "orders",
    "policies",
    "appointments",
    "budgets",
    "budget_lines",
    "campaigns",
    "gifts",
    "canned_replies",
    "survey_answers",
)
SKIPPED = {"password_hash", "session_token", "search_text"}
BATCH = 5_000

# A frozen copy of services.text.fold and the two search_text_for of this revision: a migration
# must give the same result whatever the application code becomes later.
_LOOKALIKES = str.maketrans(
    {
        "Đ": "d",
        "đ": "d",
        "Ð": "d",
        "ð": "d",
        "Ɖ": "d",
        "ɖ": "d",
        "Ø": "o",
        "ø": "o",
        "Ł": "l",
        "ł": "l",
        "ı": "i",
        "ß": "ss",
        "Æ": "ae",
        "æ": "ae",
        "Œ": "oe",
        "œ": "oe",
    }
)
_SPACES = re.compile(r"\s+")
_NON_DIGIT = re.compile(r"\D+")


def _fold(text):
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LOOKALIKES))
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return _SPACES.sub(" ", stripped.translate(_LOOKALIKES).lower()).strip()


def _digits(text):
    return _NON_DIGIT.sub("", text or "")


def _customer_search(row):
    parts = [_fold(row["name"]), (row["email"] or "").lower(), _digits(row["phone"]), _digits(row["alt_phone"])]
    return (" " + " ".join(p for p in parts if p))[:400]


def _product_search(row):
    return (" " + " ".join(p for p in (_fold(row["sku"]), _fold(row["name"])) if p))[:300]


SEARCH = {
    "customers": (("name", "email", "phone", "alt_phone"), _customer_search),
    "products": (("sku", "name"), _product_search),
}


def _nfc(value):
    if not isinstance(value, str) or value.isascii() or unicodedata.is_normalized("NFC", value):
        return value
    return unicodedata.normalize("NFC", value)


def _normalise(conn, table: sa.Table) -> None:
    pk = list(table.primary_key.columns)
    if len(pk) != 1:
        return
    pk = pk[0]
    texts = [c for c in table.columns if isinstance(c.type, sa.String) and c.name not in SKIPPED]
    search = SEARCH.get(table.name)
    if search is not None and "search_text" not in table.c:
        search = None
    names = list(dict.fromkeys([c.name for c in texts] + list(search[0] if search else ())))
    if search is not None:
        names.append("search_text")
    if not names:
        return
    read = [table.c[n] for n in names if n != pk.name]
    last = None
    while True:
        query = sa.select(pk, *read).order_by(pk).limit(BATCH)
        if last is not None:
            query = query.where(pk > last)
        rows = conn.execute(query).mappings().all()
        if not rows:
            return
        for row in rows:
            changes = {c.name: _nfc(row[c.name]) for c in texts if _nfc(row[c.name]) != row[c.name]}
            if search is not None:
                folded = search[1]({**row, **changes})
                if folded != row["search_text"]:
                    changes["search_text"] = folded
            if changes:
                conn.execute(table.update().where(pk == row[pk.name]).values(**changes))
        last = rows[-1][pk.name]


def upgrade():
    conn = op.get_bind()
    present = set(sa.inspect(conn).get_table_names())
    metadata = sa.MetaData()
    for name in TABLES:
        if name in present:
            _normalise(conn, sa.Table(name, metadata, autoload_with=conn))


def downgrade():
    pass
