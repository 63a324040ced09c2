"""The interactions list's order, newest first with the id as tie-breaker, walked by one index

Revision ID: e6f2a9c4b871
Revises: b6f2a9c4e1d7
Create Date: 2026-11-28 00:20:00
"""

from alembic import op

revision = "e6f2a9c4b871"
down_revision = "b6f2a9c4e1d7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_interactions_time_id", "interactions", ["occurred_at", "id"])
    op.drop_index("ix_interactions_occurred_at", table_name="interactions")


def downgrade():
    op.create_index("ix_interactions_occurred_at", "interactions", ["occurred_at"])
    op.drop_index("ix_interactions_time_id", table_name="interactions")
