"""KPI registry: one row per day, team, agent and measure; running figures as JSON

Revision ID: de0e59f1cc00
Revises: 5c2d8e1f4a90
Create Date: 2026-11-27 14:00:00

The daily snapshot had one column per count, so a new KPI needing a new count needed a new
column. kpi_daily_counts holds one row per (day, team, agent, measure) instead: the KPI registry
(services.kpi.registry) names what is stored. The rows of kpi_daily_snapshots are copied across
(each count, the day's resolution durations, the moods per mood), so the history is kept. The
running figures become JSON per window like the kept ones; both caches are emptied (the
dashboard computes them again on the next request or refresh).
"""
import json

import sqlalchemy as sa
from alembic import op

import models.base

# revision identifiers, used by Alembic.
revision = 'de0e59f1cc00'
down_revision = '5c2d8e1f4a90'
branch_labels = None
depends_on = None

COUNTS = (
    'opened', 'resolved', 'resolved_fcr', 'resolved_late', 'resolve_seconds', 'nps_answers', 'promoters',
    'detractors', 'csat_answers', 'csat_sum', 'csat_satisfied', 'orders',
)
BATCH = 5000
Count = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
KEYS = ('day', 'team_key', 'agent_key')
OLD = sa.table('kpi_daily_snapshots', *(sa.column(c) for c in (*KEYS, *COUNTS, 'durations', 'moods')))
NEW = sa.table('kpi_daily_counts', *(sa.column(c) for c in (*KEYS, 'measure', 'value', 'detail')))


def _insert(table, rows):
    for i in range(0, len(rows), BATCH):
        op.get_bind().execute(table.insert(), rows[i:i + BATCH])


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
    op.create_table('kpi_daily_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('team_key', sa.Integer(), nullable=False),
    sa.Column('agent_key', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=60), nullable=False),
    sa.Column('value', Count, nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_daily_counts')),
    sa.UniqueConstraint('day', 'team_key', 'agent_key', 'measure', name=op.f('uq_kpi_daily_counts_day_team_key_agent_key_measure'))
    )
    with op.batch_alter_table('kpi_daily_counts', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_daily_counts_agent_day', ['agent_key', 'day'], unique=False)
        batch_op.create_index('ix_kpi_daily_counts_measure_day', ['measure', 'day'], unique=False)
        batch_op.create_index('ix_kpi_daily_counts_team_day', ['team_key', 'day'], unique=False)

    rows = []
    for old in op.get_bind().execute(sa.select(OLD)).mappings().all():
        key = {k: old[k] for k in KEYS}
        rows += [{**key, 'measure': c, 'value': old[c], 'detail': None} for c in COUNTS if old[c]]
        if old['durations']:
            n = len(old['durations'].split())
            rows.append({**key, 'measure': 'resolve_durations', 'value': n, 'detail': old['durations']})
        for mood, n in json.loads(old['moods'] or '{}').items():
            rows.append({**key, 'measure': f'moods:{mood}', 'value': n, 'detail': None})
    _insert(NEW, rows)
    op.drop_table('kpi_daily_snapshots')
    _running_figures(sa.Column('figures', sa.Text(), nullable=False))
    op.execute('DELETE FROM kpi_period_figures')


def downgrade():
    op.create_table('kpi_daily_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('team_key', sa.Integer(), nullable=False),
    sa.Column('agent_key', sa.Integer(), nullable=False),
    *(sa.Column(c, Count if c == 'resolve_seconds' else sa.Integer(), nullable=False) for c in COUNTS),
    sa.Column('durations', sa.Text(), nullable=True),
    sa.Column('moods', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_daily_snapshots')),
    sa.UniqueConstraint('day', 'team_key', 'agent_key', name=op.f('uq_kpi_daily_snapshots_day_team_key_agent_key'))
    )
    with op.batch_alter_table('kpi_daily_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_daily_snapshots_agent_key'), ['agent_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_daily_snapshots_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_daily_snapshots_team_key'), ['team_key'], unique=False)

    wide: dict[tuple, dict] = {}
    for new in op.get_bind().execute(sa.select(NEW)).mappings().all():
        row = wide.setdefault(
            tuple(new[k] for k in KEYS),
            {**{k: new[k] for k in KEYS}, **dict.fromkeys(COUNTS, 0), 'durations': None, 'moods': {}},
        )
        if new['measure'] in COUNTS:
            row[new['measure']] = new['value']
        elif new['measure'] == 'resolve_durations':
            row['durations'] = new['detail']
        elif new['measure'].startswith('moods:'):
            row['moods'][new['measure'][6:]] = new['value']
    for row in wide.values():
        row['moods'] = json.dumps(row['moods'], sort_keys=True) if row['moods'] else None
    _insert(OLD, list(wide.values()))
    op.drop_table('kpi_daily_counts')
    _running_figures(*(sa.Column(c, sa.Integer(), nullable=False) for c in ('retained', 'engaged', 'customers')))
    op.execute('DELETE FROM kpi_period_figures')
