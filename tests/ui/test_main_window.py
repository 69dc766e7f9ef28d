"""The main window: navigation, the 工作台 figures, badges, read-only mode, remembered state, the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QListWidget

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def nav_titles(window) -> list[str]:
    nav: QListWidget = window.findChild(QListWidget, "nav")
    return [nav.item(row).text() for row in range(nav.count())]


def activate(qtbot, window) -> None:
    """Shortcuts only reach the active window."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def test_window_has_its_pages_in_order(demo_window):
    assert nav_titles(demo_window) == ["工作台", "党组织", "党员台账", "流动党员之家", "年度记实与评定", "档案打印",
                                       "设置"]
    assert list(demo_window.pages) == ["workbench", "orgs", "members", "floating", "evaluation", "reports",
                                       "settings"]
    assert demo_window.current_area() == "workbench"


def test_clicking_the_navigation_switches_pages(qtbot, demo_window):
    nav: QListWidget = demo_window.findChild(QListWidget, "nav")
    for row, area in ((1, "orgs"), (2, "members"), (3, "floating"), (4, "evaluation"), (5, "reports"),
                      (6, "settings"), (0, "workbench")):
        # WHEN the user clicks an entry of the navigation list
        rect = nav.visualItemRect(nav.item(row))
        qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        # THEN that page is shown, and loaded
        assert demo_window.current_area() == area
        assert demo_window.stack.currentWidget() is demo_window.pages[area]
        assert demo_window.pages[area].isVisible()
    assert demo_window.pages["orgs"].model.rowCount() == 1  # the orgs page loaded its tree


def test_ctrl_digits_switch_pages(qtbot, demo_window):
    activate(qtbot, demo_window)
    for key, area in ((Qt.Key.Key_2, "orgs"), (Qt.Key.Key_3, "members"), (Qt.Key.Key_4, "floating"),
                      (Qt.Key.Key_5, "evaluation"), (Qt.Key.Key_6, "reports"),
                      (Qt.Key.Key_7, "settings"),
                      (Qt.Key.Key_1, "workbench")):
        qtbot.keyClick(demo_window, key, Qt.KeyboardModifier.ControlModifier)
        assert demo_window.current_area() == area
        assert demo_window.findChild(QListWidget, "nav").currentRow() == list(demo_window.pages).index(area)


def test_workbench_shows_the_count_and_the_term_reminder(qtbot, demo_window):
    page = demo_window.pages["workbench"]
    qtbot.waitUntil(lambda: not page.dues_pending)  # the 党费 lines are computed after the first paint
    cards = [page.cards.itemAt(i).widget() for i in range(page.cards.count())]
    figures = {card.value.property("figure"): card.value.text() for card in cards}
    assert figures["total"] == "28"
    assert (figures["党委"], figures["党支部"], figures["联合党支部"], figures["党小组"]) == ("1", "8", "1", "18")
    assert "幸福里社区" in page.title.text()
    reminders = [page.attention.item(row).text() for row in range(page.attention.count())]
    # The demo (built on TODAY) has 第二网格党支部's term ending 45 days later.
    second = [text for text in reminders if text.lstrip("● ").startswith("第二网格党支部")]
    assert len(second) == 1, reminders
    assert "届满" in second[0] and "换届" in second[0]


def test_sample_window_shows_the_sample_badge(make_window, tree_database):
    window = make_window(tree_database, sample=True)
    assert window.findChild(QLabel, "sampleBadge").isVisible()
    assert not window.findChild(QLabel, "readonlyBadge").isVisible()
    assert "[示例]" in window.windowTitle()
    assert "幸福里社区" in window.windowTitle()


def test_ordinary_window_shows_no_badge(demo_window):
    assert not demo_window.findChild(QLabel, "sampleBadge").isVisible()
    assert not demo_window.findChild(QLabel, "readonlyBadge").isVisible()
    assert "[示例]" not in demo_window.windowTitle()
    assert "[只读模式]" not in demo_window.windowTitle()


@pytest.mark.parametrize("how", ["chmod", "readonly_flag"])
def test_read_only_database_opens_in_read_only_mode(make_window, demo_db_path, tmp_path, how):
    from app.database import open_app_database

    # GIVEN a copy of the demo community that cannot be written
    path = tmp_path / "ro" / "demo.sqlite"
    path.parent.mkdir()
    shutil.copy(demo_db_path, path)
    if how == "chmod":
        path.chmod(0o444)
        if os.access(path, os.W_OK):
            pytest.skip("running as root: a 0444 file is still writable")
        database = open_app_database(path)
    else:  # the same mode forced, so the UI is covered even where chmod cannot make a file read-only
        database = open_app_database(path, readonly=True)
    try:
        assert database.readonly
        # WHEN the window opens on it
        window = make_window(database)
        window.show_page("orgs")
        page = window.pages["orgs"]
        assert page.selected() is not None
        # THEN the badge and the title say so, and nothing on the 党组织 page can change it
        assert window.findChild(QLabel, "readonlyBadge").isVisible()
        assert "[只读模式]" in window.windowTitle()
        for key in ("new", "edit", "move", "up", "down", "dissolve", "reinstate"):
            assert not page.actions_[key].isEnabled(), key
        assert not page.view.dragEnabled()
        # selecting a node below the top keeps them disabled
        page.select_org(page.nodes[1].id)
        assert not any(page.actions_[k].isEnabled() for k in ("new", "edit", "move", "dissolve"))
        window.show_page("settings")
        assert not window.pages["settings"].save_button.isEnabled()
    finally:
        database.close()
        path.chmod(0o644)


def test_geometry_and_last_page_are_remembered(make_window, tree_database, user_data):
    # GIVEN a window the user resized and left on 设置
    first = make_window(tree_database)
    first.resize(760, 560)  # inside the offscreen screen (800×800), so no clamping
    first.show_page("settings")
    # WHEN it saves its state (as it does on close)
    first.save_state()
    assert (user_data / "ui.ini").is_file()
    # THEN the next window opens with that size on that page
    second = make_window(tree_database)
    assert second.current_area() == "settings"
    assert second.size() == QSize(760, 560)
    # and a page asked for on the command line wins over the remembered one
    third = make_window(tree_database, page="orgs")
    assert third.current_area() == "orgs"


def test_cli_screenshot_writes_a_png(demo_db_path, tmp_path):
    out = tmp_path / "out.png"
    data_dir = tmp_path / "cli-data"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DANGJIAN_DATA_DIR=str(data_dir))
    result = subprocess.run(
        [sys.executable, "-m", "app", "gui", "--db", str(demo_db_path), "--page", "orgs", "--screenshot", str(out)],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert out.is_file() and out.stat().st_size > 0
    image = QImage(str(out))
    assert not image.isNull()
    assert (image.width(), image.height()) == (1280, 800)
    # the window closed itself after the picture and remembered the page it showed
    assert "page=orgs" in (data_dir / "ui.ini").read_text(encoding="utf-8")


def test_run_gui_refuses_a_file_that_is_not_sqlite(tmp_path, capsys):
    from ui.application import run_gui

    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / "notes.sqlite"
    content = "这不是数据库。\n".encode() * 200
    path.write_bytes(content)
    out = folder / "never.png"

    code = run_gui(db=str(path), screenshot=str(out))

    assert code == 1
    assert path.read_bytes() == content
    assert sorted(p.name for p in folder.iterdir()) == ["notes.sqlite"]  # no -wal, -shm or picture
    assert "不是" in capsys.readouterr().err
