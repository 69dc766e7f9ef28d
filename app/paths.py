"""Where things live: bundled resources (also inside the PyInstaller bundle) and user data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from app import APP_ID

DB_FILENAME = "dangjian.sqlite"
SAMPLE_FILENAME = "示例社区.sqlite"


def project_root() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """A file under ``resources/``, in a source checkout and in the packaged program alike."""
    return project_root().joinpath("resources", *parts)


def user_data_dir() -> Path:
    override = os.environ.get("DANGJIAN_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_ID, appauthor=False, roaming=False))


def default_db_path() -> Path:
    return user_data_dir() / DB_FILENAME


def sample_db_path() -> Path:
    """The sample community lives in its own file, never in the user's database."""
    return user_data_dir() / SAMPLE_FILENAME


def backup_dir_for(db_path: Path) -> Path:
    """Backups are kept in a folder beside the database."""
    return db_path.parent / f"{db_path.stem}-备份"


def output_target(path: Path | str) -> Path:
    """``path`` as a file to (re)write by moving a finished temporary file onto it; refused (AppError)
    when something other than a regular file is there — a folder, or a device such as ``/dev/null``,
    which the move would replace with a plain file."""
    from app.errors import AppError

    path = Path(path)
    if path.exists() and not path.is_file():
        kind = "文件夹" if path.is_dir() else "特殊文件（设备或管道）"
        raise AppError(f"“{path}”是一个{kind}，不能保存到这里，请选择一个文件名。")
    return path
