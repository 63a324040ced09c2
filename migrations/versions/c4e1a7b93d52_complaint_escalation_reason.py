"""Why a request was escalated: the reason the lead gives, shown on the request

Revision ID: c4e1a7b93d52
Revises: c5e1a7b3d902
Create Date: 2026-11-27 21:10:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e1a7b93d52'
down_revision = "c5e1a7b3d902"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalation_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_column('escalation_reason')
