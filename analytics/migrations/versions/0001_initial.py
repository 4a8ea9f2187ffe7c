"""The schema as the app created it before migrations (schema_info version 1)."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    schema_info = op.create_table(
        "schema_info",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "plan_versions",
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("label", sa.String, nullable=False),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("source", sa.String, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "plan_nodes",
        sa.Column(
            "revision", sa.Integer, sa.ForeignKey("plan_versions.revision", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("kind", sa.String, primary_key=True),
        sa.Column("code", sa.String, primary_key=True),
        sa.Column("parent_code", sa.String),
        sa.Column("policy_code", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "plan_indicators",
        sa.Column(
            "revision", sa.Integer, sa.ForeignKey("plan_versions.revision", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("code", sa.String, primary_key=True),
        sa.Column("policy_code", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("respondent", sa.String, nullable=False),
        sa.Column("unit", sa.String, nullable=False),
        sa.Column("higher_is_better", sa.Boolean, nullable=False),
        sa.Column("baseline_year", sa.Integer, nullable=False),
        sa.Column("baseline_value", sa.Float, nullable=False),
        sa.Column("target_year", sa.Integer, nullable=False),
        sa.Column("target_value", sa.Float, nullable=False),
        sa.Column("sample", sa.Boolean, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String, nullable=False),
        sa.Column("undoes_batch_id", sa.Integer, sa.ForeignKey("batches.id")),
    )
    op.create_table(
        "batch_files",
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), primary_key=True),
        sa.Column("file_name", sa.String, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
    )
    op.create_table(
        "observations",
        sa.Column("indicator_code", sa.String, primary_key=True),
        sa.Column("fiscal_year", sa.Integer, primary_key=True),
        sa.Column("dimension", sa.String, primary_key=True),
        sa.Column("category", sa.String, primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("respondents", sa.Integer),
        sa.Column("note", sa.String, nullable=False),
        sa.Column("sample", sa.Boolean, nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False),
    )
    op.create_table(
        "observation_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False, index=True),
        sa.Column("indicator_code", sa.String, nullable=False),
        sa.Column("fiscal_year", sa.Integer, nullable=False),
        sa.Column("dimension", sa.String, nullable=False),
        sa.Column("category", sa.String, nullable=False),
        sa.Column("old_value", sa.Float),
        sa.Column("old_respondents", sa.Integer),
        sa.Column("old_note", sa.String),
        sa.Column("old_sample", sa.Boolean),
        sa.Column("old_batch_id", sa.Integer),
        sa.Column("new_value", sa.Float),
        sa.Column("new_respondents", sa.Integer),
        sa.Column("new_note", sa.String),
        sa.Column("new_sample", sa.Boolean),
    )
    op.create_table(
        "users",
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("password_hash", sa.String, nullable=False),
        sa.Column("role", sa.String, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "commentary",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("indicator_code", sa.String, nullable=False),
        sa.Column("fiscal_year", sa.Integer, nullable=False),
        sa.Column("text", sa.String, nullable=False),
        sa.Column("written_by", sa.String, nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Index("ix_commentary_year_code", "fiscal_year", "indicator_code"),
    )
    op.bulk_insert(schema_info, [{"id": 1, "version": 1}])
