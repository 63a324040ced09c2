"""Row versions for optimistic concurrency on edit forms (issue 14 item 2)

Revision ID: a7c3e91b5d20
Revises: de0e59f1cc00
Create Date: 2026-11-27 17:10:00

Each edited aggregate gets ``row_version`` (SQLAlchemy's ``version_id_col``): every ORM update
checks and raises it, and an edit form saved over a newer row is refused (admin/edit_conflicts.py).
Existing rows start at 1.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7c3e91b5d20'
down_revision = 'de0e59f1cc00'
branch_labels = None
depends_on = None

TABLES = ("complaints", "customers", "orders", "budgets", "policies", "campaigns", "appointments")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('row_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('row_version')
