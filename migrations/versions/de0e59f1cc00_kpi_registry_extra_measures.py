"""KPI registry: measures without a column of their own in the snapshot's `extra`; running figures as JSON

Revision ID: de0e59f1cc00
Revises: fca2e096a256
Create Date: 2026-11-27 14:00:00

A KPI added to the registry (services.kpi.catalog) may need a count the snapshot has no column
for: kpi_daily_snapshots.extra keeps such measures as JSON, so a new KPI needs no migration. The
running figures become JSON per window, like the kept ones; both caches are emptied (the dashboard
computes them again on the next request or refresh). The snapshot rows stay as they are.
"""
import sqlalchemy as sa
from alembic import op

import models.base

# revision identifiers, used by Alembic.
revision = 'de0e59f1cc00'
down_revision = 'fca2e096a256'
branch_labels = None
depends_on = None


def _running_figures(*columns):
    op.drop_table('kpi_running_figures')
    op.create_table('kpi_running_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first', sa.Date(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('scope_key', sa.String(length=20), nullable=False),
    sa.Column('cut_at', models.base.UTCDateTime(), nullable=False),
    *columns,
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_running_figures')),
    sa.UniqueConstraint('first', 'start', 'day', 'scope_key', name=op.f('uq_kpi_running_figures_first_start_day_scope_key'))
    )
    with op.batch_alter_table('kpi_running_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_running_figures_day'), ['day'], unique=False)


def upgrade():
    with op.batch_alter_table('kpi_daily_snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extra', sa.Text(), nullable=True))
    _running_figures(sa.Column('figures', sa.Text(), nullable=False))
    op.execute('DELETE FROM kpi_period_figures')


def downgrade():
    with op.batch_alter_table('kpi_daily_snapshots', schema=None) as batch_op:
        batch_op.drop_column('extra')
    _running_figures(*(sa.Column(c, sa.Integer(), nullable=False) for c in ('retained', 'engaged', 'customers')))
    op.execute('DELETE FROM kpi_period_figures')
