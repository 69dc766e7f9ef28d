"""Alembic environment: always run on a connection handed in by db.migrate.upgrade."""

from alembic import context

import db.models  # noqa: F401  (registers the tables for autogenerate)
from db.base import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the program never runs Alembic any other way
    raise RuntimeError("Run migrations through db.migrate.upgrade(), which hands in a connection.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
