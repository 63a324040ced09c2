"""PostgreSQL: a GIN index of the word starts of customers.search_text, for rare multi-word searches

Revision ID: a7c3e9d15b40
Revises: e6f2a9c4b871
Create Date: 2026-11-28 00:20:00

services/search_words.py says why and holds the same statements. Building the index reads every
customer: 41 s at 1,000,000 customers, 409 s at 10,000,000 on a loaded 2-core machine
(docs/performance.md, "Sixth session"); it holds a lock that blocks writes to customers meanwhile.
"""

from alembic import op

revision = "a7c3e9d15b40"
down_revision = "e6f2a9c4b871"
branch_labels = None
depends_on = None

FUNCTION = """CREATE OR REPLACE FUNCTION customer_search_prefixes(search_text text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
DECLARE word text; starts text[] := '{}';
BEGIN
  FOREACH word IN ARRAY string_to_array(search_text, ' ') LOOP
    CONTINUE WHEN word = '' OR word ~ '^[0-9]+$';
    FOR n IN 1 .. least(length(word), 10) LOOP
      starts := starts || left(word, n);
    END LOOP;
  END LOOP;
  RETURN array_to_tsvector(starts);
END $$"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_customers_search_prefixes ON customers "
        "USING gin (customer_search_prefixes(search_text))"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_customers_search_prefixes")
    op.execute("DROP FUNCTION IF EXISTS customer_search_prefixes(text)")
