"""Hand-overs kept with what moved, for the preview's result page and the same-day undo

Revision ID: a7c3e9d2b410
Revises: a7d3c91e5b20
Create Date: 2026-11-27 17:00:00
"""
import sqlalchemy as sa
from alembic import op

import models.base

# revision identifiers, used by Alembic.
revision = 'a7c3e9d2b410'
down_revision = 'a7d3c91e5b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', models.base.UTCDateTime(), nullable=False),
    sa.Column('leaver_id', sa.Integer(), nullable=False),
    sa.Column('successor_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('moved', sa.Text(), nullable=False),
    sa.Column('undone_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_handovers_actor_id_users')),
    sa.ForeignKeyConstraint(['leaver_id'], ['users.id'], name=op.f('fk_handovers_leaver_id_users')),
    sa.ForeignKeyConstraint(['successor_id'], ['users.id'], name=op.f('fk_handovers_successor_id_users')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_handovers_undone_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handovers'))
    )
    with op.batch_alter_table('handovers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handovers_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_handovers_leaver_id'), ['leaver_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handovers_successor_id'), ['successor_id'], unique=False)


def downgrade():
    op.drop_table('handovers')  # its indexes go with it (MariaDB refuses to drop one a foreign key needs)
