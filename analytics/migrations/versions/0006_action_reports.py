"""The yearly evaluation cycle: 取組項目 reports and 二次評価, each save a new version row."""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "action_batches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String, nullable=False),
        sa.Column("file_names", sa.String, nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "action_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("action_code", sa.String, nullable=False),
        sa.Column("fiscal_year", sa.Integer, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("result", sa.String, nullable=False),
        sa.Column("sessions", sa.Integer),
        sa.Column("participants", sa.Integer),
        sa.Column("issues", sa.String, nullable=False),
        sa.Column("direction", sa.String, nullable=False),
        sa.Column("department", sa.String, nullable=False),
        sa.Column("entered_by", sa.String, nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sample", sa.Boolean, nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("action_batches.id")),
    )
    op.create_index("ix_action_reports_year_code", "action_reports", ["fiscal_year", "action_code"])
    op.create_table(
        "secondary_evaluations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("node_code", sa.String, nullable=False),
        sa.Column("fiscal_year", sa.Integer, nullable=False),
        sa.Column("grade", sa.String(1), nullable=False),
        sa.Column("comment", sa.String, nullable=False),
        sa.Column("evaluated_by", sa.String, nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_secondary_evaluations_year_code", "secondary_evaluations", ["fiscal_year", "node_code"])
