"""评定方案 dialog: the year's scheme loaded, checked as the user types, renames that carry the scores,
deletions that keep them uncounted (asked first), a refused points change, an approved year read only,
the keyboard, the criteria model through QAbstractItemModelTester."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QSpinBox

from app import audit, members, orgs
from app import evaluation_year as ey
from app.evaluation import DEFAULT_SCHEME, EVALUATORS, Criterion
from app.idcard import check_code
from app.members import MemberInput
from tests.conftest import TODAY
from tests.ui.chinese_input import type_text
from ui.evaluation import scheme_dialog
from ui.evaluation.scheme_dialog import CriteriaColumn, CriteriaModel, SchemeDialog, open_scheme_dialog

FATAL = QAbstractItemModelTester.FailureReportingMode.Fatal
YEAR = 2025
BRANCH = "幸福里社区党委/第一网格党支部"
CELLS = DEFAULT_SCHEME.cells()
NAME, POINTS = CriteriaColumn.NAME, CriteriaColumn.POINTS


# ---------------------------------------------------------------- the year and its members


class Year:
    """The demo tree with YEAR opened; members added through app.members and scored through the app."""

    def __init__(self, database):
        self.db, self.seq = database, 0
        with database.unit_of_work() as session:
            ey.open_year(session, YEAR, today=TODAY)
            self.branch = orgs.find_by_path(session, BRANCH).id

    def add(self, name: str) -> int:
        self.seq += 1
        first17 = f"11010519700301{self.seq:03d}"
        data = MemberInput(name=name, id_number=first17 + check_code(first17), org_id=self.branch,
                           joined_on=date(1995, 7, 1), category="正式党员", confirmed_on=date(1996, 7, 1))
        with self.db.unit_of_work() as session:
            return members.create(session, data, today=TODAY)[0]

    def fill(self, member_id: int, value) -> None:
        with self.db.unit_of_work() as session:
            ey.set_scores(session, YEAR, [(member_id, c, e, value) for c, e in CELLS])

    def read(self, call):
        with self.db.read() as session:
            return call(session)

    def scheme(self):
        return self.read(lambda s: ey.scheme(s, YEAR))

    def grid(self) -> ey.Grid:
        return self.read(lambda s: ey.grid(s, YEAR))

    def log(self) -> list[audit.LogEntry]:
        return self.read(lambda s: audit.entries(s, ey.AUDIT_AREA, YEAR))


@pytest.fixture
def year(tree_database) -> Year:
    return Year(tree_database)


@pytest.fixture
def scored(year) -> int:
    """One member with 18 in every cell: total 90."""
    member = year.add("张伟")
    year.fill(member, 18)
    return member


def make_dialog(qtbot, database) -> SchemeDialog:
    dialog = SchemeDialog(database, YEAR)
    qtbot.addWidget(dialog, before_close_func=lambda d: d.hide())  # closing a hidden dialog asks nothing
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def row_of(dialog: SchemeDialog, name: str) -> int:
    return next(i for i, r in enumerate(dialog.model.rows) if r.name == name)


def edit_cell(qtbot, dialog: SchemeDialog, row: int, column: int, text: str) -> None:
    """Select the cell, press Enter to edit it, type over it and press Enter, as a user does."""
    view = dialog.table
    view.setFocus()
    view.setCurrentIndex(dialog.model.index(row, column))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert view.state() == QAbstractItemView.State.EditingState
    editor = view.indexWidget(view.currentIndex())
    line = editor.lineEdit() if isinstance(editor, QSpinBox) else editor
    assert isinstance(line, QLineEdit)
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Backspace)
    type_text(qtbot, line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)  # the delegate commits and closes the editor queued
    qtbot.waitUntil(lambda: view.state() != QAbstractItemView.State.EditingState, timeout=1000)


def set_spin(qtbot, spin: QSpinBox, value: int) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, str(value))
    assert spin.value() == value


# ---------------------------------------------------------------- loading and live checks


def test_opens_with_the_years_scheme(qtbot, tree_database, year):
    dialog = make_dialog(qtbot, tree_database)

    assert dialog.windowTitle() == "2025 年度星级评定方案"
    assert [(r.name, r.points) for r in dialog.model.rows] == [(c.name, c.points) for c in DEFAULT_SCHEME.criteria]
    assert dialog.points_total.text() == "合计 100 分"
    assert {e: s.value() for e, s in dialog.weights.items()} == {"个人自评": 20, "党员互评": 30, "群众测评": 20,
                                                                   "支部评定": 30}
    assert dialog.weights_total.text() == "合计 100%"
    assert [dialog.thresholds[s].value() for s in (5, 4, 3, 2)] == [90, 80, 70, 60]
    assert {g: c.currentText() for g, c in dialog.caps.items()} == {"优秀": "不限", "合格": "不限",
                                                                     "基本合格": "三星", "不合格": "一星"}
    assert dialog.certificate.currentText() == "四星"
    assert dialog.scheme() == DEFAULT_SCHEME and not dialog.dirty()
    assert dialog.note.text().startswith("修改名称时，已录入的分数随之保留；删除的评分项，其分数保留但不再计分")
    assert dialog.save_button.isVisible() and dialog.save_button.isEnabled()
    assert not dialog.notice.isVisible()


def test_weights_that_do_not_sum_to_100_are_named_and_block_saving(qtbot, tree_database, year):
    dialog = make_dialog(qtbot, tree_database)
    error = dialog.findChild(type(dialog.points_total), "weightsError")

    # WHEN 个人自评 is raised to 25 %
    set_spin(qtbot, dialog.weights["个人自评"], 25)

    # THEN the sum and the problem are shown under the weights and 保存 is off
    assert dialog.weights_total.text() == "合计 105%"
    assert error.isVisible() and error.text() == "各评价主体权重合计应为 100%，当前为 105%。"
    assert not dialog.save_button.isEnabled()
    # Ctrl+S does nothing while invalid
    dialog.save()
    assert year.scheme() == DEFAULT_SCHEME

    # WHEN 党员互评 gives the 5 back, all is well again
    set_spin(qtbot, dialog.weights["党员互评"], 25)
    assert not error.isVisible() and dialog.save_button.isEnabled()


def test_criteria_thresholds_and_caps_are_checked_as_the_user_types(qtbot, tree_database, year):
    dialog = make_dialog(qtbot, tree_database)
    criteria_error = dialog.findChild(type(dialog.points_total), "criteriaError")
    thresholds_error = dialog.findChild(type(dialog.points_total), "thresholdsError")

    edit_cell(qtbot, dialog, 0, POINTS, "25")
    assert dialog.points_total.text() == "合计 105 分"
    assert criteria_error.text() == "各评分项分值合计应为 100 分，当前为 105 分。"
    edit_cell(qtbot, dialog, 1, POINTS, "15")
    assert not criteria_error.isVisible()

    edit_cell(qtbot, dialog, 1, NAME, "政治素质")
    assert "评分项名称重复：政治素质" in criteria_error.text() and not dialog.save_button.isEnabled()
    edit_cell(qtbot, dialog, 1, NAME, "学习教育")

    set_spin(qtbot, dialog.thresholds[4], 95)
    assert thresholds_error.isVisible() and "依次降低" in thresholds_error.text()
    assert not dialog.save_button.isEnabled()
    set_spin(qtbot, dialog.thresholds[4], 85)
    assert not thresholds_error.isVisible() and dialog.save_button.isEnabled()

    # a cap for 合格 is allowed too
    dialog.caps["合格"].setCurrentIndex(dialog.caps["合格"].findText("四星"))
    assert dialog.scheme().cap("合格") == 4 and dialog.save_button.isEnabled()


def test_a_rename_that_scores_could_not_follow_is_named_before_saving(qtbot, tree_database, scored, year):
    dialog = make_dialog(qtbot, tree_database)
    error = dialog.findChild(type(dialog.points_total), "criteriaError")
    # 组织生活 renamed, then a new criterion takes the old name: the scores could not follow
    edit_cell(qtbot, dialog, 2, NAME, "组织生活情况")
    edit_cell(qtbot, dialog, 3, POINTS, "10")
    dialog.add_button.click()  # a new row, its name open for typing
    new_row = len(dialog.model.rows) - 1
    assert dialog.model.rows[new_row].points == 10 and dialog.model.rows[new_row].name == "新评分项"
    editor = dialog.table.indexWidget(dialog.table.currentIndex())
    assert isinstance(editor, QLineEdit) and dialog.table.state() == QAbstractItemView.State.EditingState
    editor.selectAll()
    type_text(qtbot, editor, "组织生活")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.model.rows[new_row].name == "组织生活", timeout=1000)
    assert "又有评分项使用了“组织生活”" in error.text() and not dialog.save_button.isEnabled()


# ---------------------------------------------------------------- saving


def test_a_renamed_criterion_keeps_its_scores(qtbot, tree_database, scored, year, message_boxes):
    dialog = make_dialog(qtbot, tree_database)
    row = row_of(dialog, "组织生活")
    assert dialog.model.index(row, CriteriaColumn.SCORES).data() == "4 个"

    # WHEN 组织生活 is renamed in the table and saved
    edit_cell(qtbot, dialog, row, NAME, "组织生活情况")
    assert dialog.renames() == {"组织生活": "组织生活情况"}
    assert "原名称“组织生活”" in dialog.model.index(row, NAME).data(Qt.ItemDataRole.ToolTipRole)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    # THEN the dialog closes with the change, the user is told, and the scores follow the new name
    assert dialog.result() == SchemeDialog.DialogCode.Accepted and dialog.changes.evaluation
    assert message_boxes == [("information", "修改评定方案",
                              "评定方案已保存。改名的评分项（“组织生活”→“组织生活情况”）已有的 4 个分数随之保留。")]
    grid = year.grid()
    assert [c.name for c in grid.scheme.criteria][2] == "组织生活情况"
    assert grid.rows[0].scores[("组织生活情况", "支部评定")] == 180
    assert grid.rows[0].result.total == Decimal("90.0") and grid.uncounted == {}
    entry = year.log()[-1]
    assert entry.action == "修改评定方案"
    assert "改名：组织生活 → 组织生活情况（移动分数 4 个）" in entry.detail


@pytest.mark.parametrize("answer", [True, False])
def test_deleting_a_criterion_with_scores_asks_then_keeps_them_uncounted(
        qtbot, monkeypatch, tree_database, scored, year, message_boxes, answer):
    asked = []
    monkeypatch.setattr(scheme_dialog, "confirm",
                        lambda _p, title, text, _ok="确定": asked.append((title, text)) or answer)
    dialog = make_dialog(qtbot, tree_database)

    # WHEN 服务奉献 is deleted and its 20 points go to the other four
    dialog.table.setCurrentIndex(dialog.model.index(row_of(dialog, "服务奉献"), NAME))
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    for row in range(4):
        edit_cell(qtbot, dialog, row, POINTS, "25")
    assert dialog.points_total.text() == "合计 100 分" and dialog.save_button.isEnabled()
    dialog.save_button.click()

    # THEN the user is asked first
    assert asked == [("修改评定方案", "“服务奉献”已有 4 个分数，删除后这些分数保留但不计入总分。确定保存？")]
    if not answer:
        assert dialog.isVisible() and year.scheme() == DEFAULT_SCHEME and message_boxes == []
        return
    # and on yes the scores stay, uncounted, and the total is recomputed: 4 × 18
    assert not dialog.isVisible() and dialog.changes.evaluation
    grid = year.grid()
    assert grid.uncounted == {("服务奉献", e): 1 for e in EVALUATORS}
    assert grid.rows[0].result.total == Decimal("72.0") and grid.rows[0].final_stars == 3
    assert message_boxes == [("information", "修改评定方案",
                              "评定方案已保存。4 个分数保留但不计入总分：服务奉献 4 个。")]
    assert "保留但不计分：服务奉献 4 个" in year.log()[-1].detail


def test_points_below_a_stored_score_are_refused_and_nothing_is_saved(
        qtbot, tree_database, scored, year, message_boxes):
    dialog = make_dialog(qtbot, tree_database)
    logged = len(year.log())

    # WHEN 政治素质 (scored 18) is lowered to 15 points
    edit_cell(qtbot, dialog, 0, POINTS, "15")
    edit_cell(qtbot, dialog, 1, POINTS, "25")
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    qtbot.keyClick(dialog.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    # THEN the refusal is shown, beside the criteria too, the dialog stays and nothing changed
    message = "“政治素质”已有 4 个分数超过新的满分 15 分（最高 18.0 分），请先修改这些分数。"
    assert message_boxes == [("warning", "修改评定方案", message)]
    error = dialog.findChild(type(dialog.points_total), "criteriaError")
    assert error.isVisible() and error.text() == message
    assert dialog.isVisible() and not dialog.changes.any
    assert year.scheme() == DEFAULT_SCHEME and len(year.log()) == logged


def test_an_approved_year_is_shown_read_only(qtbot, monkeypatch, tree_database, scored, year):
    with tree_database.unit_of_work() as session:
        ey.set_grade(session, YEAR, scored, "合格", date(2025, 12, 20), today=TODAY)
        ey.approve(session, YEAR, today=TODAY)
    monkeypatch.setattr(scheme_dialog, "confirm", lambda *_a, **_k: pytest.fail("nothing to discard"))
    dialog = make_dialog(qtbot, tree_database)

    assert dialog.notice.isVisible() and dialog.notice.text() == "本年度已批准，方案已锁定。"
    assert not dialog.save_button.isVisible() and not dialog.restore_button.isVisible()
    assert not dialog.add_button.isVisible() and not dialog.delete_button.isVisible()
    assert dialog.cancel_button.text() == "关闭"
    index = dialog.model.index(0, NAME)
    assert not index.flags() & Qt.ItemFlag.ItemIsEditable
    dialog.table.setCurrentIndex(index)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert dialog.table.state() != QAbstractItemView.State.EditingState
    assert all(spin.isReadOnly() for spin in dialog.weights.values())
    assert not any(combo.isEnabled() for combo in dialog.caps.values())
    dialog.restore_defaults()
    dialog.delete_criterion()
    dialog.save()
    assert len(dialog.model.rows) == 5 and not dialog.changes.any
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


# ---------------------------------------------------------------- keyboard, defaults, size


def test_keyboard_enter_edits_ctrl_s_saves(qtbot, tree_database, year, message_boxes):
    dialog = make_dialog(qtbot, tree_database)
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    edit_cell(qtbot, dialog, 0, POINTS, "30")
    edit_cell(qtbot, dialog, 4, POINTS, "10")
    # Ctrl+↑ moves the current row up
    dialog.table.setCurrentIndex(dialog.model.index(4, NAME))
    qtbot.keyClick(dialog.table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert [r.name for r in dialog.model.rows][3:] == ["服务奉献", "履职尽责"]
    assert dialog.table.currentIndex().row() == 3

    qtbot.keyClick(dialog.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert not dialog.isVisible() and dialog.changes.evaluation and message_boxes == []
    saved = year.scheme()
    assert [(c.name, c.points) for c in saved.criteria] == [
        ("政治素质", 30), ("学习教育", 20), ("组织生活", 20), ("服务奉献", 10), ("履职尽责", 20)]


def test_ctrl_s_keeps_the_cell_being_typed(qtbot, tree_database, year, message_boxes):
    dialog = make_dialog(qtbot, tree_database)
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    dialog.table.setCurrentIndex(dialog.model.index(0, NAME))
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    editor = dialog.table.indexWidget(dialog.table.currentIndex())
    assert isinstance(editor, QLineEdit) and QApplication.focusWidget() is editor
    editor.selectAll()
    type_text(qtbot, editor, "政治表现")
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.isVisible()
    assert year.scheme().criteria[0] == Criterion("政治表现", 20)


@pytest.mark.parametrize("answer", [True, False])
def test_escape_asks_before_discarding_changes(qtbot, monkeypatch, tree_database, year, answer):
    asked = []
    monkeypatch.setattr(scheme_dialog, "confirm", lambda _p, _t, text, _ok="确定": asked.append(text) or answer)
    dialog = make_dialog(qtbot, tree_database)
    set_spin(qtbot, dialog.weights["个人自评"], 25)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    assert asked == ["评定方案有未保存的修改，关闭将放弃这些修改。"]
    assert dialog.isVisible() is not answer
    assert year.scheme() == DEFAULT_SCHEME


def test_escape_without_changes_closes_at_once(qtbot, monkeypatch, tree_database, year):
    monkeypatch.setattr(scheme_dialog, "confirm", lambda *_a, **_k: pytest.fail("nothing to discard"))
    dialog = make_dialog(qtbot, tree_database)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == SchemeDialog.DialogCode.Rejected


def test_restore_defaults_fills_the_default_scheme_without_renames(qtbot, tree_database, scored, year):
    custom = replace(DEFAULT_SCHEME, criteria=(Criterion("政治素质", 30), Criterion("学习教育", 30),
                                               Criterion("组织生活", 40)),
                     weights={"个人自评": 10, "党员互评": 40, "群众测评": 20, "支部评定": 30},
                     thresholds=((95, 5), (85, 4), (75, 3), (65, 2)), caps={"不合格": 1},
                     certificate_min_stars=5)
    with tree_database.unit_of_work() as session:
        ey.set_scheme(session, YEAR, custom)
    dialog = make_dialog(qtbot, tree_database)
    assert dialog.scheme() == custom
    edit_cell(qtbot, dialog, 0, NAME, "政治表现")

    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)

    assert dialog.scheme() == DEFAULT_SCHEME and dialog.renames() == {}
    # 履职尽责 and 服务奉献 come back with their kept scores, which count again
    assert [dialog.model.index(r, CriteriaColumn.SCORES).data() for r in range(5)] == ["4 个"] * 5
    assert dialog.model.rows[3].original is None and dialog.model.rows[0].original == "政治素质"


def test_the_dialog_fits_760_by_640(qtbot, tree_database, year):
    dialog = make_dialog(qtbot, tree_database)
    hint = dialog.minimumSizeHint()
    assert hint.width() <= 760 and hint.height() <= 640
    dialog.resize(760, 640)
    set_spin(qtbot, dialog.weights["个人自评"], 25)  # errors shown too
    edit_cell(qtbot, dialog, 0, POINTS, "25")
    hint = dialog.minimumSizeHint()
    assert hint.width() <= 760 and hint.height() <= 640
    for label in (dialog.note, dialog.weights_total, dialog.points_total):
        assert label.isVisible() and label.height() >= label.sizeHint().height()


def test_open_scheme_dialog_returns_the_changes_or_none(qtbot, monkeypatch, tree_database, year, message_boxes):
    def save_at_once(self):
        self.weights["个人自评"].setValue(25)
        self.weights["党员互评"].setValue(25)
        self.save()
        return self.result()

    monkeypatch.setattr(SchemeDialog, "exec", save_at_once)
    changes = open_scheme_dialog(None, tree_database, YEAR)
    assert changes is not None and changes.evaluation
    assert year.scheme().weight("个人自评") == 25

    monkeypatch.setattr(SchemeDialog, "exec", lambda self: self.reject() or self.result())
    assert open_scheme_dialog(None, tree_database, YEAR) is None

    # a year not opened yet: the reason is shown, nothing opens
    assert open_scheme_dialog(None, tree_database, 2024) is None
    assert message_boxes[-1] == ("warning", "评定方案", "2024 年度的评定尚未开始，请先打开该年度。")


# ---------------------------------------------------------------- the model


def test_criteria_model_passes_the_model_tester(qtbot):
    model = CriteriaModel({"学习教育": 120, "旧项": 3})
    QAbstractItemModelTester(model, FATAL)
    model.load(DEFAULT_SCHEME.criteria, {c.name for c in DEFAULT_SCHEME.criteria})
    assert model.rowCount() == 5 and model.columnCount() == 3
    assert model.headerData(0, Qt.Orientation.Horizontal) == "名称"
    assert model.index(1, CriteriaColumn.SCORES).data() == "120 个"
    assert model.index(0, CriteriaColumn.SCORES).data() == "—"

    with qtbot.waitSignal(model.dataChanged) as changed:
        assert model.setData(model.index(1, NAME), " 学习教育情况 ")
    assert changed.args[0].row() == 1 and changed.args[1].column() == CriteriaColumn.SCORES
    assert model.renames() == {"学习教育": "学习教育情况"}
    assert model.setData(model.index(0, POINTS), "25") and model.rows[0].points == 25
    assert not model.setData(model.index(0, POINTS), "很多") and not model.setData(model.index(0, POINTS), 101)
    assert not model.setData(model.index(0, CriteriaColumn.SCORES), "9")
    assert model.total() == 105

    row = model.add("旧项", 5)
    assert model.index(row, CriteriaColumn.SCORES).data() == "3 个"  # kept scores of a removed criterion
    assert model.move(row, -1) == row - 1 and model.rows[row - 1].name == "旧项"
    assert model.move(0, -1) is None and model.move(len(model.rows) - 1, 1) is None
    assert model.move(0, 1) == 1 and [r.name for r in model.rows][:2] == ["学习教育情况", "政治素质"]
    assert not model.moveRows(QModelIndex(), 0, 1, QModelIndex(), 1)  # onto itself
    assert model.removeRows(model.rowCount() - 1, 1)  # 服务奉献
    assert model.removed(c.name for c in DEFAULT_SCHEME.criteria) == ["服务奉献"]
    assert not model.removeRows(10, 1)

    model.readonly = True
    assert not model.flags(model.index(0, NAME)) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(model.index(0, NAME), "别的")

