"""Opening the program's database with the backup wired in (the app-level entry to db/)."""

from __future__ import annotations

import os
from pathlib import Path

from db.database import Database, open_database


def _backup_before_migration(path: Path, revision: str | None) -> None:
    from app import backup

    backup.backup_before_migration(path, revision)


def open_app_database(
    target: str | os.PathLike[str], *, readonly: bool | None = None, migrate: bool = True
) -> Database:
    """Open, and before any migration back the file up with SQLite's backup API."""
    return open_database(target, readonly=readonly, migrate=migrate, before_migrate=_backup_before_migration)
