"""Alembic revisions of the store's schema, applied by store.open_store (no alembic.ini needed)."""
