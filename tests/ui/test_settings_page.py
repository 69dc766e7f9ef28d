"""设置: the backups model, the community form, 立即备份, restoring a backup into the open window."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QLabel

from app import backup, orgs, settings
from app.backup import BackupInfo
from tests.ui.chinese_input import type_text
from ui.settings.backups_model import BackupsModel, Column, PathRole, SortRole

FATAL = QAbstractItemModelTester.FailureReportingMode.Fatal


def figures(workbench) -> dict[str, str]:
    """The figure cards now in the 工作台's grid (replaced cards may linger until deleteLater runs)."""
    cards = [workbench.cards.itemAt(i).widget() for i in range(workbench.cards.count())]
    return {card.value.property("figure"): card.value.text() for card in cards}


def community_name(database) -> str:
    with database.read() as session:
        return settings.load(session).community_name


@pytest.fixture
def page(demo_window):
    demo_window.show_page("settings")
    page = demo_window.pages["settings"]
    page.model_tester = QAbstractItemModelTester(page.backups_model, FATAL, page)
    return page


def test_backups_model_passes_the_model_tester(demo_db_path):
    made = [
        backup.make_backup(demo_db_path, kind="manual", now=datetime(2026, 11, 20, 9, 0, 0)),
        backup.make_backup(demo_db_path, kind="daily", now=datetime(2026, 11, 21, 9, 0, 0)),
    ]
    foreign = BackupInfo(Path("/nowhere/x-20260101-000000-prerestore.sqlite"), datetime(2026, 1, 1), "prerestore",
                         123, None)
    model = BackupsModel()
    tester = QAbstractItemModelTester(model, FATAL, model)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SortRole)
    proxy_tester = QAbstractItemModelTester(proxy, FATAL, proxy)

    model.set_rows([*backup.list_backups(demo_db_path), foreign])
    proxy.sort(Column.CREATED, Qt.SortOrder.DescendingOrder)

    assert model.rowCount() == 3 and model.columnCount() == len(Column)
    assert [proxy.index(r, Column.FILE).data() for r in range(3)] == [made[1].name, made[0].name, foreign.path.name]
    assert proxy.index(0, Column.KIND).data() == "每日自动备份"
    assert proxy.index(1, Column.KIND).data() == "手动备份"
    assert proxy.index(2, Column.REVISION).data() == "无法读取"
    assert proxy.index(2, Column.SIZE).data() == "123 B"
    assert proxy.index(0, Column.CREATED).data() == "2026-11-21 09:00:00"
    assert proxy.index(0, 0).data(PathRole) == str(made[1])
    model.set_rows([])
    assert proxy.rowCount() == 0
    del tester, proxy_tester


def test_empty_community_name_is_refused(qtbot, page):
    # GIVEN the form showing the demo community
    name = page.edits["community_name"]
    error = page.findChild(QLabel, "community_name_error")
    assert name.text() == "幸福里社区"
    assert page.save_button.isEnabled() and not error.isVisible()
    # WHEN the user empties the name
    name.selectAll()
    qtbot.keyClick(name, Qt.Key.Key_Delete)
    # THEN the form names the problem and 保存 is off
    assert error.isVisible() and error.text() == "请填写社区名称。"
    assert not page.save_button.isEnabled()
    # and a code with punctuation is named too
    type_text(qtbot, name, "幸福里社区")
    assert not error.isVisible() and page.save_button.isEnabled()
    page.edits["community_code"].clear()
    qtbot.keyClicks(page.edits["community_code"], "1101-05")
    assert page.findChild(QLabel, "community_code_error").isVisible()
    assert not page.save_button.isEnabled()


def test_saving_updates_the_window_title(qtbot, page, demo_window, tree_database):
    # GIVEN a new community name typed
    name = page.edits["community_name"]
    name.clear()
    type_text(qtbot, name, "和平里社区")
    # WHEN the user clicks 保存设置
    with qtbot.waitSignal(page.changed):
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    # THEN it is saved, and the title and the 工作台 follow
    assert page.saved_label.text() == "已保存。"
    assert community_name(tree_database) == "和平里社区"
    assert "和平里社区" in demo_window.windowTitle() and "幸福里社区" not in demo_window.windowTitle()
    demo_window.show_page("workbench")
    assert demo_window.pages["workbench"].title.text() == "工作台 · 和平里社区"


def test_backup_now_adds_a_row(qtbot, page, demo_window, tree_database, message_boxes):
    before = page.backups_model.rowCount()
    # WHEN the user clicks 立即备份
    qtbot.mouseClick(page.backup_button, Qt.MouseButton.LeftButton)
    # THEN a manual backup is listed at the top, and the status bar says where it went
    assert page.backups_model.rowCount() == before + 1
    top = page.backups_proxy.index(0, Column.KIND)
    assert top.data() == "手动备份"
    assert Path(top.data(PathRole)).is_file()
    assert Path(top.data(PathRole)).parent == backup.backup_dir_for(tree_database.path)
    assert demo_window.statusBar().currentMessage().startswith("已备份到 ")
    assert message_boxes == []


def test_restore_brings_back_the_backup_and_the_window_keeps_working(
        qtbot, page, demo_window, tree_database, monkeypatch, message_boxes):
    # GIVEN a backup made, then the community renamed and a branch added afterwards
    qtbot.mouseClick(page.backup_button, Qt.MouseButton.LeftButton)
    page.edits["community_name"].clear()
    type_text(qtbot, page.edits["community_name"], "和平里社区")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    with tree_database.unit_of_work("新建") as session:
        root = orgs.find_by_path(session, "幸福里社区党委").id
        orgs.create(session, root, orgs.OrgInput("第七网格党支部", "党支部"))
    assert "和平里社区" in demo_window.windowTitle()
    asked: list[str] = []
    monkeypatch.setattr("ui.settings.page.confirm", lambda _parent, _title, text, **_kw: asked.append(text) or True)

    # WHEN the user selects that backup and restores it (and confirms)
    manual = next(r for r in range(page.backups_proxy.rowCount())
                  if page.backups_proxy.index(r, Column.KIND).data() == "手动备份")
    page.backups_view.selectRow(manual)
    chosen = Path(page.backups_proxy.index(manual, 0).data(PathRole))
    qtbot.mouseClick(page.restore_button, Qt.MouseButton.LeftButton)

    # THEN it asked first, the window reads a new database, and the later changes are gone
    assert len(asked) == 1 and chosen.name in asked[0]
    assert [(kind, title) for kind, title, _ in message_boxes] == [("information", "恢复备份")], message_boxes
    assert demo_window.database is not tree_database
    assert community_name(demo_window.database) == "幸福里社区"
    assert "幸福里社区" in demo_window.windowTitle()
    assert page.edits["community_name"].text() == "幸福里社区"
    # the replaced database was kept as a 恢复前备份
    kinds = [page.backups_proxy.index(r, Column.KIND).data() for r in range(page.backups_proxy.rowCount())]
    assert "恢复前备份" in kinds
    # and the other pages work on the restored database
    demo_window.show_page("orgs")
    orgs_page = demo_window.pages["orgs"]
    assert len(orgs_page.model.ids()) == 28
    assert all(not n.name.startswith("第七网格") for n in orgs_page.nodes)
    orgs_page.select_org(orgs_page.nodes[0].id)
    assert orgs_page.detail_labels["path"].text() == "幸福里社区党委"
    demo_window.show_page("workbench")
    assert figures(demo_window.pages["workbench"])["total"] == "28"


def test_restore_cancelled_changes_nothing(qtbot, page, demo_window, tree_database, monkeypatch, message_boxes):
    qtbot.mouseClick(page.backup_button, Qt.MouseButton.LeftButton)
    monkeypatch.setattr("ui.settings.page.confirm", lambda *_args, **_kw: False)
    page.backups_view.selectRow(0)
    qtbot.mouseClick(page.restore_button, Qt.MouseButton.LeftButton)
    assert demo_window.database is tree_database
    assert community_name(tree_database) == "幸福里社区"
    assert message_boxes == []


def test_restore_without_a_selection_explains(qtbot, page, message_boxes):
    page.backups_view.clearSelection()
    page.backups_view.setCurrentIndex(page.backups_proxy.index(-1, -1))
    qtbot.mouseClick(page.restore_button, Qt.MouseButton.LeftButton)
    assert message_boxes == [("information", "恢复备份", "请先在列表中选择一个备份。")]


def test_floating_settings_are_saved_and_used(qtbot, page, demo_window, tree_database):
    from PySide6.QtCore import QDate

    from app import floating

    assert page.modes_edit.toPlainText().splitlines() == list(floating.DEFAULT_MODES)
    assert page.warning_spin.value() == 5
    page.modes_edit.setPlainText("流出地直管\n双向共管")
    page.warning_spin.setValue(4)
    page.report_from.setDate(QDate(2024, 11, 15))
    with qtbot.waitSignal(page.changed) as blocker:
        qtbot.mouseClick(page.floating_save, Qt.MouseButton.LeftButton)
    assert blocker.args[0].floating
    with tree_database.read() as session:
        assert floating.load_settings(session) == floating.FloatingSettings(("流出地直管", "双向共管"), 4, (11, 15))
    # an empty list is refused with the reason, nothing stored
    page.modes_edit.setPlainText("")
    qtbot.mouseClick(page.floating_save, Qt.MouseButton.LeftButton)
    assert page.findChild(QLabel, "floatingSettingsError").text() == "请至少填写一种管理方式。"
    with tree_database.read() as session:
        assert floating.management_modes(session) == ("流出地直管", "双向共管")


def test_dues_policy_is_chosen_saved_and_used(qtbot, page, tree_database):
    from app import audit, dues_rules
    from app import evaluation_records as records

    # GIVEN the default: 随工资变动, each choice explained in a line
    buttons = page.dues_policy_buttons
    assert buttons[dues_rules.FOLLOWS_PAY].isChecked() and not buttons[dues_rules.FIXED_YEARLY].isChecked()
    hint = page.findChild(QLabel, "duesPolicyYearlyHint")
    assert hint.isVisibleTo(page) and "年内工资变动不调整" in hint.text()
    # WHEN the user picks 每年核定一次 and saves
    qtbot.mouseClick(buttons[dues_rules.FIXED_YEARLY], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(page.changed) as blocker:
        qtbot.mouseClick(page.dues_save, Qt.MouseButton.LeftButton)
    # THEN it is stored where the year's record reads it, logged, and the pages showing arrears follow
    assert blocker.args[0].settings and blocker.args[0].evaluation
    assert page.saved_label.text() == "党费设置已保存。"
    with tree_database.read() as session:
        assert records.dues_policy(session) == dues_rules.FIXED_YEARLY
        entry = audit.entries(session, "settings")[-1]
    assert (entry.action, entry.detail) == ("修改党费设置", "党费核定方式：随工资变动 → 每年核定一次")
    # and a reload shows it
    buttons[dues_rules.FOLLOWS_PAY].setChecked(True)
    page.reload()
    assert buttons[dues_rules.FIXED_YEARLY].isChecked()
    # back to 随工资变动
    buttons[dues_rules.FOLLOWS_PAY].click()
    page.dues_save.click()
    with tree_database.read() as session:
        assert records.dues_policy(session) == dues_rules.FOLLOWS_PAY


def test_dues_policy_is_read_only_on_a_read_only_database(page, monkeypatch):
    monkeypatch.setattr(page.database, "readonly", True)
    page.reload()
    assert not page.dues_save.isEnabled()
    assert not any(button.isEnabled() for button in page.dues_policy_buttons.values())
