"""The error model's plan inputs: the baseline's own respondents and the surveyed population's size."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    with op.batch_alter_table("plan_indicators") as table:
        table.add_column(sa.Column("baseline_respondents", sa.Integer))
        table.add_column(sa.Column("population", sa.Integer))
