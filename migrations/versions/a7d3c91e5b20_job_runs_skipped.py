"""Job runs count what they skipped (follow-ups too late to call, calls with no free slot in the horizon)

Revision ID: a7d3c91e5b20
Revises: de0e59f1cc00
Create Date: 2026-11-27 16:45:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7d3c91e5b20'
down_revision = 'de0e59f1cc00'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skipped', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_column('skipped')
