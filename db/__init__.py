"""The data layer: SQLAlchemy models, engine and sessions, Alembic migrations. No Qt, no app."""

# The newest schema revision this program knows. A start on an up-to-date database compares
# this constant with one SELECT and needs neither Alembic nor the migration files
# (tests/db/test_migrations.py checks it against Alembic's head).
SCHEMA_REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004", "0005", "0006")
SCHEMA_HEAD = SCHEMA_REVISIONS[-1]
