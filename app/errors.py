"""Domain errors. Every message is meant for the user, in Chinese."""

from __future__ import annotations

from db.errors import (  # noqa: F401  (re-exported: the UI catches these from app/)
    DatabaseError,
    DatabaseLockedError,
    MigrationError,
    NewerSchemaError,
    NotADatabaseError,
    ReadOnlyError,
)


class AppError(Exception):
    """A refused action; ``str(error)`` is the message to show."""


class ValidationError(AppError):
    """One or more fields are wrong: ``errors`` maps a field name to its Chinese message."""

    def __init__(self, errors: dict[str, str] | str, field: str = "") -> None:
        if isinstance(errors, str):
            errors = {field: errors}
        self.errors = dict(errors)
        super().__init__("；".join(m.rstrip("。") for m in self.errors.values()) + "。")


class NotFoundError(AppError):
    pass


class ResourceError(AppError):
    """A bundled resource (font, style sheet …) is missing or broken."""
