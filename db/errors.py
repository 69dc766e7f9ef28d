"""Errors of the data layer. Each carries a message a user can read (Chinese)."""


class DatabaseError(Exception):
    """A database could not be opened or used; ``str(error)`` is the user-facing message."""


class NotADatabaseError(DatabaseError):
    pass


class NewerSchemaError(DatabaseError):
    pass


class ReadOnlyError(DatabaseError):
    pass


class DatabaseLockedError(DatabaseError):
    pass


class MigrationError(DatabaseError):
    pass


def is_locked_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text


def is_not_database_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "file is not a database" in text or "file is encrypted" in text
