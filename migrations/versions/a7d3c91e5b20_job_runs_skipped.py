"""Job runs count what they skipped; complaints keep their subject folded for accent-free search

job_runs.skipped: follow-ups too late to call, calls with no free slot in the planner's horizon.
complaints.subject_folded: the subject lower case without accents (services.text.fold), filled here
for the existing rows in chunks.
orders.refunded_amount, orders.return_reason, policies.return_days: returns and refunds with a reason,
an amount and the return window of the policy in force (services.order_returns).

Revision ID: a7d3c91e5b20
Revises: a7c3e91b5d20
Create Date: 2026-11-27 16:45:00
"""
import sqlalchemy as sa
from alembic import op

import models.base

# revision identifiers, used by Alembic.
revision = 'a7d3c91e5b20'
down_revision = "a7c3e91b5d20"
branch_labels = None
depends_on = None


CHUNK = 5000


def upgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skipped', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_folded', sa.String(length=200), nullable=True))
    _fold_subjects()
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refunded_amount', models.base.Money, server_default='0', nullable=False))
        batch_op.add_column(sa.Column('return_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('return_days', sa.Integer(), nullable=True))


def _fold_subjects():
    from services.text import fold

    conn = op.get_bind()
    complaints = sa.table('complaints', sa.column('id', sa.BigInteger), sa.column('subject', sa.String),
                          sa.column('subject_folded', sa.String))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(complaints.c.id, complaints.c.subject).where(complaints.c.id > last)
            .order_by(complaints.c.id).limit(CHUNK)
        ).all()
        if not rows:
            break
        conn.execute(
            complaints.update().where(complaints.c.id == sa.bindparam('cid')).values(subject_folded=sa.bindparam('folded')),
            [{'cid': r.id, 'folded': fold(r.subject)[:200] or None} for r in rows],
        )
        last = rows[-1].id


def downgrade():
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.drop_column('return_days')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('return_reason')
        batch_op.drop_column('refunded_amount')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_column('subject_folded')
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_column('skipped')
