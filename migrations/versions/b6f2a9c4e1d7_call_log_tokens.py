"""The call-log form's one-time tokens: a double submit logs one interaction

Revision ID: b6f2a9c4e1d7
Revises: d2b7e4a1c9f3
Create Date: 2026-11-28 00:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b6f2a9c4e1d7"
down_revision = "d2b7e4a1c9f3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "call_log_tokens",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("interaction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_call_log_tokens_interaction_id_interactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_call_log_tokens")),
    )
    with op.batch_alter_table("call_log_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_log_tokens_interaction_id"), ["interaction_id"], unique=False)


def downgrade():
    op.drop_table("call_log_tokens")
