"""The lead's inbox: a team's birthdays today and its requests whose wait is over, by index

Revision ID: d2b7e4a1c9f3
Revises: c4e1a7b93d52
Create Date: 2026-11-27 22:20:00
"""

from alembic import op

revision = "d2b7e4a1c9f3"
down_revision = "c4e1a7b93d52"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_customers_team_birthday", "customers", ["team_id", "birth_month", "birth_day"])
    op.create_index("ix_complaints_team_status_updated", "complaints", ["team_id", "status", "updated_at"])


def downgrade():
    op.drop_index("ix_complaints_team_status_updated", table_name="complaints")
    op.drop_index("ix_customers_team_birthday", table_name="customers")
