"""customer search keys: MariaDB's index for customer search

Revision ID: fca2e096a256
Revises: 5506cd3cd600
Create Date: 2026-11-27 13:20:00

MariaDB has no index that serves ``LIKE '% word%'``, and its FULLTEXT index drops short words and
stopwords as the server is configured; a search of "nguyen van an" read every customer (1.5 s at a
million). The words and digit suffixes of each customer's search text, kept by the app
(services/search_keys.py), serve instead. The table exists on every backend (the models are one)
and is filled on MariaDB only; filling it at a million customers takes a few minutes.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'fca2e096a256'
down_revision = '5506cd3cd600'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'customer_search_keys',
        sa.Column('kind', sa.String(length=1), nullable=False),
        sa.Column('key_text', sa.String(length=64), nullable=False),
        sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
        sa.Column('search_text', sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_search_keys_customer_id_customers'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('kind', 'key_text', 'customer_id', name=op.f('pk_customer_search_keys')),
    )
    with op.batch_alter_table('customer_search_keys', schema=None) as batch_op:
        batch_op.create_index('ix_customer_search_keys_customer', ['customer_id'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name in ('mysql', 'mariadb'):
        from services import search_keys

        low, high = bind.execute(sa.text('SELECT MIN(id), MAX(id) FROM customers')).one()
        if low is not None:
            search_keys.fill(bind, low, high)


def downgrade():
    op.drop_table('customer_search_keys')  # with its index (MariaDB keeps an index its foreign key needs)
