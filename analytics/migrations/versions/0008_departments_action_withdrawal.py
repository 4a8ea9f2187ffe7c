"""Accounts with their 担当課, and the withdrawal of sample 取組 reports as an undoable step."""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    with op.batch_alter_table("users") as table:
        table.add_column(sa.Column("departments", sa.String))
    with op.batch_alter_table("action_batches") as table:
        table.add_column(sa.Column("withdraws_sample", sa.Boolean))
    with op.batch_alter_table("action_reports") as table:
        table.add_column(sa.Column("withdrawn_in", sa.Integer))
