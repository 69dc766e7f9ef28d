"""Shared fixtures. Qt runs offscreen; user data goes to a temporary folder, never the real one."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["DANGJIAN_DATA_DIR"] = tempfile.mkdtemp(prefix="dangjian-test-data-")

import pytest  # noqa: E402

TODAY = date(2026, 11, 22)
DATA_DIR = Path(__file__).parent / "data"


def _fresh_template(folder: Path) -> Path:
    from app.database import open_app_database

    path = folder / "template.sqlite"
    open_app_database(path).close()
    return path


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """A database migrated once to the head revision; tests get copies of it."""
    return _fresh_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, migrated_template) -> Path:
    from app import demo
    from app.database import open_app_database

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    shutil.copy(migrated_template, path)
    database = open_app_database(path)
    with database.unit_of_work("demo") as session:
        demo.build(session, seed=0, today=TODAY)
    database.close()
    return path


@pytest.fixture(scope="session")
def tree_template(tmp_path_factory, migrated_template) -> Path:
    """The demo community's organisation tree and settings, without members."""
    from app import demo
    from app.database import open_app_database

    path = tmp_path_factory.mktemp("tree") / "tree.sqlite"
    shutil.copy(migrated_template, path)
    database = open_app_database(path)
    with database.unit_of_work("demo") as session:
        demo.build(session, seed=0, today=TODAY, members=0)
    database.close()
    return path


@pytest.fixture
def tree_database(tmp_path, tree_template):
    from app.database import open_app_database

    path = tmp_path / "tree.sqlite"
    shutil.copy(tree_template, path)
    db = open_app_database(path)
    yield db
    db.close()


@pytest.fixture
def db_path(tmp_path, migrated_template) -> Path:
    """An empty, migrated database file of this test's own."""
    path = tmp_path / "dangjian.sqlite"
    shutil.copy(migrated_template, path)
    return path


@pytest.fixture
def demo_db_path(tmp_path, demo_template) -> Path:
    """A copy of the demo community (seed 0, built on TODAY)."""
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def database(db_path):
    from app.database import open_app_database

    db = open_app_database(db_path)
    yield db
    db.close()


@pytest.fixture
def demo_database(demo_db_path):
    from app.database import open_app_database

    db = open_app_database(demo_db_path)
    yield db
    db.close()
