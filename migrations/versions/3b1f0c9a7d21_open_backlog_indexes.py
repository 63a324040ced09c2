"""dashboard at scale: index of open requests, closed_at, kpi_running_figures

Revision ID: 3b1f0c9a7d21
Revises: e8557747c12e
Create Date: 2026-11-23 16:40:00

The dashboard's open backlog (services.kpis.open_at) reads the requests that are neither resolved
nor closed; at a million customers a scan of every request was most of the head's page.
kpi_running_figures keeps what today's rows add to a running period (the kpi_refresh job);
kpi_daily_snapshots.durations the resolution times of a day, for the 90th percentile, and
.moods the emotion entries of a day by mood. The KPI
caches taken before are dropped (they lack the durations): `flask kpi-snapshot --days 400`
takes the history again.
"""
import sqlalchemy as sa
from alembic import op

import models.base

# revision identifiers, used by Alembic.
revision = '3b1f0c9a7d21'
down_revision = 'e8557747c12e'
branch_labels = None
depends_on = None

OPEN = "resolved_at IS NULL AND closed_at IS NULL"


def upgrade():
    op.execute("DELETE FROM kpi_period_figures")
    op.execute("DELETE FROM kpi_daily_snapshots")
    op.execute("DELETE FROM kpi_snapshot_days")
    with op.batch_alter_table('kpi_daily_snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('durations', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('moods', sa.Text(), nullable=True))
    op.create_table('kpi_running_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first', sa.Date(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('scope_key', sa.String(length=20), nullable=False),
    sa.Column('cut_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('retained', sa.Integer(), nullable=False),
    sa.Column('engaged', sa.Integer(), nullable=False),
    sa.Column('customers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_running_figures')),
    sa.UniqueConstraint('first', 'start', 'day', 'scope_key', name=op.f('uq_kpi_running_figures_first_start_day_scope_key'))
    )
    with op.batch_alter_table('kpi_running_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_running_figures_day'), ['day'], unique=False)

    with op.batch_alter_table('emotion_entries', schema=None) as batch_op:
        batch_op.create_index(
            'ix_emotion_entries_time_mood', ['created_at', 'mood', 'author_id', 'customer_id'], unique=False
        )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index('ix_customers_owner_birthday', ['owner_id', 'birth_month', 'birth_day'], unique=False)
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        # first the composite, so MariaDB's foreign key on assignee_id keeps an index when the single one goes
        batch_op.create_index(
            'ix_complaints_assignee_status_due', ['assignee_id', 'status', 'due_at'], unique=False
        )
        batch_op.drop_index('ix_complaints_assignee_id')
        batch_op.create_index(
            'ix_complaints_assignee_opened', ['assignee_id', 'opened_at', 'resolved_at', 'category'], unique=False
        )
        batch_op.create_index(batch_op.f('ix_complaints_closed_at'), ['closed_at'], unique=False)
        batch_op.create_index(
            'ix_complaints_open',
            ['resolved_at', 'closed_at', 'team_id', 'assignee_id', 'opened_at', 'due_at'],
            unique=False,
            sqlite_where=sa.text(OPEN),
            postgresql_where=sa.text(OPEN),
        )


    if op.get_bind().dialect.name == "postgresql":  # services.search_index.STATISTICS says why
        op.execute("ALTER TABLE customers ALTER COLUMN search_text SET STATISTICS 1000")


def downgrade():
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_open')
        batch_op.drop_index(batch_op.f('ix_complaints_closed_at'))
        batch_op.drop_index('ix_complaints_assignee_opened')
        batch_op.create_index('ix_complaints_assignee_id', ['assignee_id'], unique=False)
        batch_op.drop_index('ix_complaints_assignee_status_due')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('ix_customers_owner_birthday')
    with op.batch_alter_table('emotion_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_emotion_entries_time_mood')
    with op.batch_alter_table('kpi_running_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_running_figures_day'))
    op.drop_table('kpi_running_figures')
    with op.batch_alter_table('kpi_daily_snapshots', schema=None) as batch_op:
        batch_op.drop_column('moods')
        batch_op.drop_column('durations')
