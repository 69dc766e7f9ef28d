"""Running the Alembic migrations safely (imported only when a migration is due)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from db.errors import MigrationError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(script_location: Path | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(script_location or MIGRATIONS_DIR))
    return cfg


def script_head(script_location: Path | None = None) -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(script_location)).get_current_head()


def upgrade(engine: Engine, revision: str = "head", *, script_location: Path | None = None) -> None:
    """Upgrade in one transaction with foreign keys off; check foreign keys before commit.

    ``engine`` must come from :func:`db.engine.make_engine` with ``foreign_keys=False``: batch
    migrations copy and drop tables, and with foreign keys on, ``ON DELETE CASCADE`` would
    silently delete child rows. Anything failing leaves the database as it was.
    """
    from alembic import command

    cfg = alembic_config(script_location)
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
            problems = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
            if problems:
                raise MigrationError(
                    f"数据库升级后发现 {len(problems)} 处关联数据不一致（如 {problems[0][0]} 表），"
                    "升级已撤销，数据库保持原样。"
                )
            transaction.commit()
        except MigrationError:
            transaction.rollback()
            raise
        except Exception as exc:
            transaction.rollback()
            raise MigrationError(f"数据库升级失败，已撤销，数据库保持原样：{exc}") from exc
