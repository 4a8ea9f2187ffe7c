"""Alembic environment: migrate the connection store.open_store hands over, inside its transaction."""

from alembic import context

from analytics import store

context.configure(connection=context.config.attributes["connection"], target_metadata=store.metadata)
with context.begin_transaction():
    context.run_migrations()
