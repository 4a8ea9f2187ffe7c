"""The plan's own level names, indicator definitions, 担当課 and yearly interim targets (plan import)."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

_INDICATOR_TEXT = (
    "survey_name",
    "survey_question",
    "counted_answers",
    "survey_subjects",
    "survey_timing",
    "data_source",
    "lead_department",
    "related_departments",
)


def upgrade() -> None:
    with op.batch_alter_table("plan_versions") as table:
        table.add_column(sa.Column("level_names", sa.String))
    with op.batch_alter_table("plan_nodes") as table:
        table.add_column(sa.Column("lead_department", sa.String))
        table.add_column(sa.Column("related_departments", sa.String))
    with op.batch_alter_table("plan_indicators") as table:
        for name in _INDICATOR_TEXT:
            table.add_column(sa.Column(name, sa.String))
    op.create_table(
        "plan_yearly_targets",
        sa.Column(
            "revision", sa.Integer, sa.ForeignKey("plan_versions.revision", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("indicator_code", sa.String, primary_key=True),
        sa.Column("fiscal_year", sa.Integer, primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
    )
