"""The demo community and the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app import demo, orgs, settings
from app.__main__ import main
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, env_dir: Path) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, DANGJIAN_DATA_DIR=str(env_dir), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)


def _tree(path: Path) -> list[tuple]:
    from app.database import open_app_database

    database = open_app_database(path)
    with database.read() as session:
        result = [(n.path, n.kind, n.committee, n.founded_on, n.term_ends_on) for n in orgs.list_tree(session)]
        result.append(settings.load(session))
    database.close()
    return result


def test_demo_is_deterministic_for_a_seed_and_a_date(tmp_path):
    assert main(["demo", "--db", str(tmp_path / "a.sqlite"), "--seed", "3", "--today", "2026-11-22"]) == 0
    assert main(["demo", "--db", str(tmp_path / "b.sqlite"), "--seed", "3", "--today", "2026-11-22"]) == 0
    assert main(["demo", "--db", str(tmp_path / "c.sqlite"), "--seed", "4", "--today", "2026-11-22"]) == 0
    assert _tree(tmp_path / "a.sqlite") == _tree(tmp_path / "b.sqlite")
    assert _tree(tmp_path / "a.sqlite") != _tree(tmp_path / "c.sqlite")


def test_demo_has_the_kinds_of_branches_a_community_has(demo_database):
    with demo_database.read() as session:
        nodes = orgs.list_tree(session)
    names = {n.name for n in nodes}
    assert {"离退休党员党支部", "两新组织联合党支部", "第一网格党支部"} <= names
    assert any(n.kind == "党小组" and n.depth == 2 for n in nodes)
    assert all(n.founded_on is None or n.founded_on <= TODAY for n in nodes)


def test_demo_refuses_a_database_with_data(demo_db_path, capsys):
    before = _tree(demo_db_path)
    assert main(["demo", "--db", str(demo_db_path)]) == 1
    assert "已有数据" in capsys.readouterr().err
    assert _tree(demo_db_path) == before


def test_demo_requires_db(tmp_path):
    result = _cli("demo", env_dir=tmp_path)
    assert result.returncode == 2
    assert "--db" in result.stderr


def test_version_and_bad_database_from_the_cli(tmp_path):
    result = _cli("--version", env_dir=tmp_path)
    assert result.returncode == 0 and "社区党建工作台" in result.stdout
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_text("不是数据库", encoding="utf-8")
    result = _cli("print", "orgs", "--db", str(bogus), "--out", str(tmp_path / "x.pdf"), env_dir=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("错误：") and "不是本程序的数据库文件" in result.stderr
    assert bogus.read_text(encoding="utf-8") == "不是数据库"
    assert not (tmp_path / "x.pdf").exists()


def test_demo_build_into_empty_session(database):
    with database.unit_of_work() as session:
        assert demo.is_empty(session)
        summary = demo.build(session, seed=0, today=TODAY)
    assert summary.community_name == "幸福里社区" and summary.grids >= 4
