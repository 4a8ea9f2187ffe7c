"""Index the history by indicator and year, and mark the store as version 2 for apps without migrations.

Undo looks for later batches that touched the same values (store._changed_since) by indicator code,
which scanned the whole history; and an app from before migrations checks only schema_info, so the
version it reads must say the store is newer than it understands.
"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_index("ix_observation_history_code_year", "observation_history", ["indicator_code", "fiscal_year"])
    op.execute("UPDATE schema_info SET version = 2")
