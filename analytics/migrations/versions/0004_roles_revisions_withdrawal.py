"""Going live: sample withdrawal batches, disabled accounts, sign-in failures, who saved a plan revision and why."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    with op.batch_alter_table("batches") as table:
        table.add_column(sa.Column("withdraws_sample", sa.Boolean))
    with op.batch_alter_table("users") as table:
        table.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("plan_versions") as table:
        table.add_column(sa.Column("saved_by", sa.String))
        table.add_column(sa.Column("reason", sa.String))
        table.add_column(sa.Column("restored_from", sa.Integer))
    op.create_table(
        "sign_in_failures",
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "store_settings",
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("value", sa.String, nullable=False),
    )
