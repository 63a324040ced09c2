"""list sort indexes: (column, id) for every sortable column of the big lists

Revision ID: 5c2d8e1f4a90
Revises: 3b1f0c9a7d21
Create Date: 2026-11-23 20:05:00

At a million customers a list sorted by a column without an index (complaints by subject,
orders by total or expected delivery) sorted every row: 0.1–1.4 s a page. The few-valued columns
(kind, potential, VIP, channel, priority, status) had an index of the column alone; the list
orders by (column, id), and PostgreSQL then sorted every row of one value (50–250 ms). With
(column, id) every such page is an ordered walk of an index (docs/performance.md); the same
indexes serve the filters on those columns.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c2d8e1f4a90'
down_revision = '3b1f0c9a7d21'
branch_labels = None
depends_on = None

NEW = {
    'complaints': [('ix_complaints_subject', 'subject')],
    'orders': [('ix_orders_total', 'total'), ('ix_orders_expected_delivery', 'expected_delivery')],
}
WIDENED = {
    'customers': [('ix_customers_kind', 'kind'), ('ix_customers_potential', 'potential'), ('ix_customers_is_vip', 'is_vip')],
    'interactions': [('ix_interactions_channel', 'channel')],
    'complaints': [('ix_complaints_priority', 'priority'), ('ix_complaints_status', 'status')],
    'orders': [('ix_orders_status', 'status')],
}


def upgrade():
    for table in ('customers', 'interactions', 'complaints', 'orders'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, column in WIDENED.get(table, []):
                batch_op.drop_index(name)
                batch_op.create_index(name, [column, 'id'], unique=False)
            for name, column in NEW.get(table, []):
                batch_op.create_index(name, [column, 'id'], unique=False)


def downgrade():
    for table in ('customers', 'interactions', 'complaints', 'orders'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _column in NEW.get(table, []):
                batch_op.drop_index(name)
            for name, column in WIDENED.get(table, []):
                batch_op.drop_index(name)
                batch_op.create_index(name, [column], unique=False)
