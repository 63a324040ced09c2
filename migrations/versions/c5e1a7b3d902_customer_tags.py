"""Customer tags, for campaign audiences

Revision ID: c5e1a7b3d902
Revises: a7c3e9d2b410
Create Date: 2026-11-27 21:00:00
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c5e1a7b3d902'
down_revision = 'a7c3e9d2b410'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('customer_tags',
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False,
              nullable=False),
    sa.Column('tag_key', sa.String(length=40), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_tags_customer_id_customers'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('customer_id', 'tag_key', name=op.f('pk_customer_tags'))
    )
    with op.batch_alter_table('customer_tags', schema=None) as batch_op:
        batch_op.create_index('ix_customer_tags_key', ['tag_key'], unique=False)


def downgrade():
    op.drop_table('customer_tags')
