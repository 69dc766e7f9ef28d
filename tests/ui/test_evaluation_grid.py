"""星级评定 评分表: typed into with the keyboard as a spreadsheet — scores stored as typed, totals and stars live,
bad entries named in the status line, blocks pasted from Excel in one undo step, Delete, a locked year,
members who left, 调整星级, a renamed criterion; the model through QAbstractItemModelTester."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QLineEdit
from sqlalchemy import func, select

from app import evaluation_year as ey
from app import members, orgs
from app.database import open_app_database
from app.evaluation import DEFAULT_SCHEME, Criterion
from app.idcard import check_code
from app.members import MemberInput
from db.models import EvaluationScore, StarAdjustment
from tests.conftest import TODAY
from tests.ui.chinese_input import type_text
from ui.evaluation.grid import (
    FIRST_SCORE,
    LOCKED_MESSAGE,
    READONLY_MESSAGE,
    Column,
    ScoreGrid,
    format_tenths,
    parse_block,
)

FATAL = QAbstractItemModelTester.FailureReportingMode.Fatal
YEAR = 2025
BRANCH1 = "幸福里社区党委/第一网格党支部"
BRANCH2 = "幸福里社区党委/第二网格党支部"
CELLS = DEFAULT_SCHEME.cells()  # 5 criteria × 4 evaluators
POLITICS_SELF = ("政治素质", "个人自评")


class Town:
    """A few members of the demo tree, the year opened, and the database read back."""

    def __init__(self, database) -> None:
        self.db, self.seq = database, 0
        with database.unit_of_work() as session:
            ey.open_year(session, YEAR, today=TODAY)
            self.orgs = {path: orgs.find_by_path(session, path).id for path in (BRANCH1, BRANCH2)}

    def add(self, name: str, path: str = BRANCH1) -> int:
        self.seq += 1
        first17 = f"11010519700301{self.seq:03d}"
        data = MemberInput(name=name, id_number=first17 + check_code(first17), org_id=self.orgs[path],
                           joined_on=date(1995, 7, 1), category="正式党员", confirmed_on=date(1996, 7, 1))
        with self.db.unit_of_work() as session:
            member_id, _ = members.create(session, data, today=TODAY)
        return member_id

    def fill(self, member_id: int, value, cells=CELLS) -> None:
        with self.db.unit_of_work() as session:
            ey.set_scores(session, YEAR, [(member_id, c, e, value) for c, e in cells])

    def scores(self, member_id: int) -> dict:
        with self.db.read() as session:
            return ey.grid_row(session, YEAR, member_id).scores

    def stored(self) -> int:
        with self.db.read() as session:
            return session.scalar(select(func.count()).select_from(EvaluationScore))


@pytest.fixture
def town(tree_database) -> Town:
    return Town(tree_database)


@pytest.fixture
def people(town) -> dict[str, int]:
    """Three members in tree order: 安志强, 白玉兰 (第一网格), 李娜 (第二网格)."""
    return {name: town.add(name, path) for name, path in (("安志强", BRANCH1), ("白玉兰", BRANCH1), ("李娜", BRANCH2))}


def make_grid(qtbot, database) -> ScoreGrid:
    grid = ScoreGrid(database)
    qtbot.addWidget(grid)
    grid.resize(1280, 700)
    grid.show()
    qtbot.waitExposed(grid)
    grid.load(YEAR)
    grid.activateWindow()
    grid.view.setFocus()
    qtbot.waitUntil(grid.view.hasFocus)
    return grid


def go(grid: ScoreGrid, member_id: int, cell=POLITICS_SELF) -> None:
    grid.select(member_id, cell)


def current_cell(grid: ScoreGrid) -> tuple[int | None, tuple[str, str] | None]:
    index = grid.view.currentIndex()
    return grid.selected_member_id(), grid.model.cell_of(index.column())


def type_keys(qtbot, grid: ScoreGrid, text: str) -> None:
    """Keys as a user types them: each goes to whatever has the focus (the view, then its editor)."""
    for char in text:
        qtbot.keyClick(grid.focusWidget() or grid.view, char)


def press(qtbot, grid: ScoreGrid, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(grid.focusWidget() or grid.view, key, modifier)


def shown(grid: ScoreGrid, member_id: int, column) -> str:
    model = grid.model
    if isinstance(column, Column):
        column = model.layout.column(column)
    elif isinstance(column, tuple):
        column = model.column_of(column)
    return model.data(model.index(model.row_of(member_id), column))


def tip(grid: ScoreGrid, member_id: int, kind: Column) -> str:
    model = grid.model
    return model.data(model.index(model.row_of(member_id), model.layout.column(kind)), Qt.ItemDataRole.ToolTipRole)


def editor(grid: ScoreGrid) -> QLineEdit | None:
    open_ = [e for e in grid.view.findChildren(QLineEdit, "score_editor") if e.isVisible()]  # closed: hidden
    return open_[0] if open_ else None


def select_block(grid: ScoreGrid, member_id: int, first, last_member: int, last) -> None:
    model = grid.model
    top_left = model.index(model.row_of(member_id), model.column_of(first))
    bottom_right = model.index(model.row_of(last_member), model.column_of(last))
    grid.view.selectionModel().setCurrentIndex(top_left, QItemSelectionModel.SelectionFlag.NoUpdate)
    grid.view.selectionModel().select(QItemSelection(top_left, bottom_right),
                                      QItemSelectionModel.SelectionFlag.ClearAndSelect)


# ---------------------------------------------------------------- the model


def test_the_model_passes_the_model_tester_through_loads_and_edits(qtbot, tree_database, town, people):
    town.fill(people["安志强"], 18)
    grid = make_grid(qtbot, tree_database)
    tester = QAbstractItemModelTester(grid.model, FATAL)
    grid.load(YEAR)  # a reset
    assert grid.model.setData(grid.model.index(1, FIRST_SCORE), "12")  # a targeted dataChanged
    model = grid.model
    assert tester is not None and model.rowCount() == 3
    assert model.columnCount() == 2 + len(CELLS) + 6
    # the columns: 姓名, 所在支部, a column per scheme cell with a two-line header and its points, then the rest
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:3] == ["姓名", "所在支部", "政治素质\n个人自评"]
    assert headers[-6:] == ["总分", "星级", "调整", "最终星级", "评议等次", "证书编号"]
    assert model.headerData(2, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole).startswith(
        "政治素质 · 个人自评：0–20 分")
    assert model.cell_of(FIRST_SCORE) == POLITICS_SELF and model.cell_of(0) is None
    assert model.cell_of(model.layout.column(Column.TOTAL)) is None
    assert model.cell_of(FIRST_SCORE + len(CELLS) - 1) == CELLS[-1]
    # only the score cells are editable
    assert model.flags(model.index(0, FIRST_SCORE)) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert [shown(grid, people[n], Column.BRANCH) for n in ("安志强", "李娜")] == ["第一网格党支部", "第二网格党支部"]
    assert format_tenths(180) == "18" and format_tenths(175) == "17.5" and format_tenths(0) == "0"
    # the name stays in sight (a frozen column over the scrolling cells); widths the user set survive a reload
    assert grid.view.frozen.isVisible() and grid.view.frozen.width() == grid.view.columnWidth(Column.NAME)
    grid.view.setColumnWidth(Column.NAME, 220)
    grid.load(YEAR)
    assert grid.view.columnWidth(Column.NAME) == 220 and grid.view.frozen.width() == 220


# ---------------------------------------------------------------- typing


def test_typing_scores_enter_moves_down_and_tab_moves_right(qtbot, tree_database, town, people):
    an, bai, li = people["安志强"], people["白玉兰"], people["李娜"]
    grid = make_grid(qtbot, tree_database)
    go(grid, an)
    # WHEN the user types 18 and Enter on 安志强's first cell
    type_keys(qtbot, grid, "18")
    assert editor(grid) is not None and editor(grid).text() == "18"
    press(qtbot, grid, Qt.Key.Key_Return)
    # THEN it is stored, shown, and the cursor is one row down, not editing
    assert town.scores(an) == {POLITICS_SELF: 180}
    assert shown(grid, an, POLITICS_SELF) == "18"
    assert current_cell(grid) == (bai, POLITICS_SELF) and editor(grid) is None
    # Tab commits and moves right, Shift+Tab left
    type_keys(qtbot, grid, "17.5")
    press(qtbot, grid, Qt.Key.Key_Tab)
    assert town.scores(bai) == {POLITICS_SELF: 175}
    assert current_cell(grid) == (bai, ("政治素质", "党员互评"))
    type_keys(qtbot, grid, "19")
    press(qtbot, grid, Qt.Key.Key_Backtab)
    assert current_cell(grid) == (bai, POLITICS_SELF)
    assert town.scores(bai)[("政治素质", "党员互评")] == 190
    # Tab from the last score cell wraps to the next row's first; arrows move without editing
    go(grid, bai, CELLS[-1])
    press(qtbot, grid, Qt.Key.Key_Tab)
    assert current_cell(grid) == (li, POLITICS_SELF)
    press(qtbot, grid, Qt.Key.Key_Up)
    assert current_cell(grid) == (bai, POLITICS_SELF)
    # F2 edits the value in place; Escape leaves it as it was
    press(qtbot, grid, Qt.Key.Key_F2)
    assert editor(grid) is not None and editor(grid).text() == "17.5"
    press(qtbot, grid, Qt.Key.Key_Escape)
    assert editor(grid) is None and town.scores(bai)[POLITICS_SELF] == 175
    # emptied in the editor, the cell is cleared
    press(qtbot, grid, Qt.Key.Key_F2)
    editor(grid).selectAll()
    press(qtbot, grid, Qt.Key.Key_Backspace)
    press(qtbot, grid, Qt.Key.Key_Return)
    assert POLITICS_SELF not in town.scores(bai) and shown(grid, bai, POLITICS_SELF) == ""
    # every entry was one undo step; the status line counts the rows
    assert grid.undo_stack.count() == 4
    assert "共 3 人，完整 0 人" in grid.status.text()


def test_the_total_and_stars_follow_as_the_last_cell_is_filled(qtbot, tree_database, town, people):
    an = people["安志强"]
    town.fill(an, 18, CELLS[:-1])
    grid = make_grid(qtbot, tree_database)
    assert shown(grid, an, Column.TOTAL) == "缺1项"
    assert "尚有 1 项未评分（服务奉献·支部评定）" in tip(grid, an, Column.TOTAL)
    assert shown(grid, an, Column.STARS) == ""
    changes = []
    grid.changed.connect(changes.append)
    repainted = []
    grid.model.dataChanged.connect(lambda first, last, _roles=(): repainted.append(
        (first.row(), last.row(), first.column(), last.column())))
    go(grid, an, CELLS[-1])
    type_keys(qtbot, grid, "18")
    press(qtbot, grid, Qt.Key.Key_Return)
    # only that row was repainted: the cell typed into and the total … certificate columns
    row, layout = grid.model.row_of(an), grid.model.layout
    assert repainted == [(row, row, layout.last_score, layout.last_score),
                         (row, row, layout.column(Column.TOTAL), layout.count - 1)]
    assert shown(grid, an, Column.TOTAL) == "90"
    assert shown(grid, an, Column.STARS) == "★★★★★" and shown(grid, an, Column.FINAL) == "★★★★★"
    assert "尚未评定民主评议等次" in tip(grid, an, Column.STARS)
    assert shown(grid, an, Column.GRADE) == "未评定"
    assert "共 3 人，完整 1 人" in grid.status.text()
    assert changes and changes[-1].evaluation


@pytest.mark.parametrize(("typed", "message"), [
    ("25", "“政治素质”满分 20 分，分数不能超过 20 分"),
    ("-1", "分数不能为负数"),
    ("良好", "分数“良好”不是数字"),
    ("18.55", "分数最多一位小数"),
])
def test_a_bad_score_is_refused_with_the_message_and_nothing_stored(qtbot, tree_database, town, people, typed,
                                                                    message):
    an = people["安志强"]
    town.fill(an, 10, [POLITICS_SELF])
    grid = make_grid(qtbot, tree_database)
    go(grid, an)
    if typed.isascii():
        type_keys(qtbot, grid, typed)
    else:  # Chinese comes through the input method: into the editor F2 opens
        press(qtbot, grid, Qt.Key.Key_F2)
        editor(grid).selectAll()
        type_text(qtbot, editor(grid), typed)
    press(qtbot, grid, Qt.Key.Key_Return)
    # THEN the status line names the member, the cell and the problem; the editor stays open on the text
    assert f"安志强（政治素质·个人自评）：{message}" in grid.status.text()
    assert editor(grid) is not None and editor(grid).text() == typed and editor(grid).selectedText() == typed
    assert town.scores(an) == {POLITICS_SELF: 100} and grid.undo_stack.count() == 0
    # the user corrects it: stored, the message goes
    type_keys(qtbot, grid, "20")
    press(qtbot, grid, Qt.Key.Key_Return)
    assert town.scores(an) == {POLITICS_SELF: 200}
    assert "满分" not in grid.status.text() and "共 3 人" in grid.status.text()


def test_undo_of_a_typed_score_clears_a_cell_that_was_empty(qtbot, tree_database, town, people):
    an = people["安志强"]
    grid = make_grid(qtbot, tree_database)
    go(grid, an)
    type_keys(qtbot, grid, "16")
    press(qtbot, grid, Qt.Key.Key_Return)
    assert town.scores(an) == {POLITICS_SELF: 160}
    press(qtbot, grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert town.scores(an) == {} and shown(grid, an, POLITICS_SELF) == ""
    press(qtbot, grid, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert town.scores(an) == {POLITICS_SELF: 160}
    press(qtbot, grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier)
    assert town.scores(an) == {POLITICS_SELF: 160} and shown(grid, an, POLITICS_SELF) == "16"


# ---------------------------------------------------------------- paste, copy, delete


def test_a_pasted_block_is_stored_in_one_step_and_undone_whole(qtbot, tree_database, town, people):
    an, bai, li = people["安志强"], people["白玉兰"], people["李娜"]
    town.fill(bai, 5, [POLITICS_SELF])
    grid = make_grid(qtbot, tree_database)
    # GIVEN two rows of three cells copied from Excel (CRLF, a trailing line end)
    QGuiApplication.clipboard().setText("18\t17.5\t20\r\n16\t\t19\r\n")
    go(grid, an)
    # WHEN pasted on 安志强's first cell
    press(qtbot, grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    # THEN both rows are stored (白玉兰's 5 overwritten, the empty cell stays empty) as one undo step
    assert town.scores(an) == {POLITICS_SELF: 180, ("政治素质", "党员互评"): 175, ("政治素质", "群众测评"): 200}
    assert town.scores(bai) == {POLITICS_SELF: 160, ("政治素质", "群众测评"): 190}
    assert town.scores(li) == {}
    assert grid.undo_stack.count() == 1
    assert shown(grid, an, ("政治素质", "党员互评")) == "17.5"
    assert len(grid.view.selectionModel().selectedIndexes()) == 6
    # WHEN Ctrl+Z
    press(qtbot, grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    # THEN the database is as before the paste, 白玉兰's old 5 back
    assert town.scores(an) == {} and town.scores(bai) == {POLITICS_SELF: 50}
    assert shown(grid, bai, POLITICS_SELF) == "5"


def test_a_block_larger_than_the_grid_is_refused_with_its_size(qtbot, tree_database, town, people):
    grid = make_grid(qtbot, tree_database)
    before = town.stored()
    QGuiApplication.clipboard().setText("\n".join(["1\t2\t3\t4\t5\t6\t7\t8"] * 5))
    go(grid, people["安志强"], CELLS[-6])  # 3 rows and 6 score columns from here
    press(qtbot, grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert "粘贴区域为 5 行 × 8 列，超出表格（从当前位置起只有 3 行 × 6 列可填）" in grid.status.text()
    assert town.stored() == before and grid.undo_stack.count() == 0
    # not onto the name column either
    grid.view.selectionModel().setCurrentIndex(grid.model.index(0, Column.NAME),
                                               QItemSelectionModel.SelectionFlag.ClearAndSelect)
    assert not grid.paste("18")
    assert "请先选中粘贴区域左上角的评分格" in grid.status.text()


def test_a_block_with_text_or_a_score_too_high_is_refused_whole(qtbot, tree_database, town, people):
    an, bai = people["安志强"], people["白玉兰"]
    grid = make_grid(qtbot, tree_database)
    go(grid, an)
    assert not grid.paste("18\t良好\n25\t19\n")
    text = grid.status.text()
    assert "未粘贴" in text
    assert "安志强（政治素质·党员互评）：分数“良好”不是数字" in text
    assert "白玉兰（政治素质·个人自评）：“政治素质”满分 20 分" in text
    assert town.stored() == 0 and grid.undo_stack.count() == 0
    assert shown(grid, an, POLITICS_SELF) == "" and shown(grid, bai, ("政治素质", "党员互评")) == ""


def test_one_value_pasted_on_a_selection_fills_it(qtbot, tree_database, town, people):
    an, li = people["安志强"], people["李娜"]
    grid = make_grid(qtbot, tree_database)
    select_block(grid, an, POLITICS_SELF, li, ("政治素质", "党员互评"))
    assert grid.paste("15\n")
    assert all(town.scores(m) == {POLITICS_SELF: 150, ("政治素质", "党员互评"): 150} for m in people.values())
    assert grid.undo_stack.count() == 1


def test_delete_clears_the_selected_cells_in_one_step_and_copy_gives_tab_separated_text(qtbot, tree_database,
                                                                                          town, people):
    an, bai, li = people["安志强"], people["白玉兰"], people["李娜"]
    for member in (an, bai, li):
        town.fill(member, 18)
    grid = make_grid(qtbot, tree_database)
    select_block(grid, an, POLITICS_SELF, bai, ("政治素质", "党员互评"))
    press(qtbot, grid, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "18\t18\n18\t18\n"
    assert parse_block(QGuiApplication.clipboard().text()) == [["18", "18"], ["18", "18"]]
    # WHEN Delete
    press(qtbot, grid, Qt.Key.Key_Delete)
    # THEN four cells are empty, the totals incomplete again; 李娜 untouched
    assert POLITICS_SELF not in town.scores(an) and ("政治素质", "党员互评") not in town.scores(bai)
    assert len(town.scores(an)) == len(CELLS) - 2 and len(town.scores(li)) == len(CELLS)
    assert shown(grid, an, Column.TOTAL) == "缺2项" and shown(grid, li, Column.TOTAL) == "90"
    assert grid.undo_stack.count() == 1 and "清除 4 格" in grid.undo_stack.undoText()
    assert "共 3 人，完整 1 人" in grid.status.text()
    press(qtbot, grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(town.scores(an)) == len(CELLS) and shown(grid, an, Column.TOTAL) == "90"
    assert "共 3 人，完整 3 人" in grid.status.text()


# ---------------------------------------------------------------- the year and its members


def test_an_approved_year_is_read_only(qtbot, tree_database, town, people):
    for member in people.values():
        town.fill(member, 16)
        with tree_database.unit_of_work() as session:
            ey.set_grade(session, YEAR, member, "合格", date(2025, 12, 20), today=TODAY)
    with tree_database.unit_of_work() as session:
        ey.approve(session, YEAR, today=TODAY)
    grid = make_grid(qtbot, tree_database)
    an = people["安志强"]
    assert LOCKED_MESSAGE in grid.status.text()
    assert not grid.model.flags(grid.model.index(0, FIRST_SCORE)) & Qt.ItemFlag.ItemIsEditable
    assert shown(grid, an, Column.CERTIFICATE) == "2025-0001"  # 16 × 5 = 80: 四星
    go(grid, an)
    # typing, Delete, paste and 调整星级 are refused with the message, nothing changes
    type_keys(qtbot, grid, "1")
    assert editor(grid) is None
    assert grid.status.text().count(LOCKED_MESSAGE) == 2  # the refusal, then the standing note
    press(qtbot, grid, Qt.Key.Key_Delete)
    assert not grid.paste("12")
    assert not grid.model.setData(grid.model.index(0, FIRST_SCORE), "12")
    assert not grid.adjust_button.isEnabled() and grid.adjust_dialog() is None
    assert town.scores(an)[POLITICS_SELF] == 160 and grid.undo_stack.count() == 0


def test_an_undo_after_the_year_was_approved_elsewhere_is_refused(qtbot, tree_database, town, people):
    for member in people.values():
        town.fill(member, 16)
        with tree_database.unit_of_work() as session:
            ey.set_grade(session, YEAR, member, "合格", date(2025, 12, 20), today=TODAY)
    an = people["安志强"]
    grid = make_grid(qtbot, tree_database)
    go(grid, an)
    type_keys(qtbot, grid, "19")
    press(qtbot, grid, Qt.Key.Key_Return)
    assert grid.undo_stack.canUndo()
    # WHEN the committee approves the year on another computer, then the user presses Ctrl+Z
    with tree_database.unit_of_work() as session:
        ey.approve(session, YEAR, today=TODAY)
    press(qtbot, grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    # THEN the score stays, the reason is shown, the grid turns read-only and the step is dropped
    assert town.scores(an)[POLITICS_SELF] == 190
    assert "2025 年度评定已批准" in grid.status.text() and LOCKED_MESSAGE in grid.status.text()
    assert not grid.model.flags(grid.model.index(0, FIRST_SCORE)) & Qt.ItemFlag.ItemIsEditable
    assert grid.undo_stack.count() == 0 and not grid.adjust_button.isEnabled()


def test_a_read_only_file_shows_the_scores_without_editing(qtbot, tree_database, town, people):
    town.fill(people["安志强"], 18)
    path = tree_database.path
    readonly = open_app_database(path, readonly=True)
    try:
        grid = make_grid(qtbot, readonly)
        assert READONLY_MESSAGE in grid.status.text()
        assert shown(grid, people["安志强"], Column.TOTAL) == "90"
        go(grid, people["白玉兰"])
        type_keys(qtbot, grid, "5")
        assert editor(grid) is None and not grid.paste("5")
        assert READONLY_MESSAGE in grid.status.text() and town.scores(people["白玉兰"]) == {}
    finally:
        readonly.close()


def test_a_member_who_left_during_the_year_is_marked_and_greyed(qtbot, tree_database, town, people):
    gone = town.add("高峰")
    with tree_database.unit_of_work() as session:
        members.leave(session, gone, "转出", date(2025, 6, 30), "工作调动", transferred_to="某街道党工委", today=TODAY)
    grid = make_grid(qtbot, tree_database)
    model = grid.model
    index = model.index(model.row_of(gone), Column.NAME)
    assert model.data(index) == "高峰（2025-06-30转出）"
    assert model.data(index, Qt.ItemDataRole.ForegroundRole).color().name() == "#8a8a8a"
    assert "2025-06-30转出" in model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert shown(grid, people["安志强"], Column.NAME) == "安志强"
    assert "其中年内离开 1 人" in grid.status.text()
    # still scored like the others
    go(grid, gone)
    type_keys(qtbot, grid, "12")
    press(qtbot, grid, Qt.Key.Key_Return)
    assert town.scores(gone) == {POLITICS_SELF: 120}


def test_adjust_stars_needs_a_reason_and_shows_it(qtbot, tree_database, town, people):
    an = people["安志强"]
    town.fill(an, 16)  # 80: 四星
    grid = make_grid(qtbot, tree_database)
    go(grid, an)
    changes = []
    grid.changed.connect(changes.append)
    seen = []

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        seen.append(dialog.objectName())
        dialog.stars.setCurrentIndex(dialog.stars.findData(5))
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)  # no reason yet: refused in the dialog
        seen.append(dialog.reason_error.text())
        type_text(qtbot, dialog.reason, "抗洪抢险事迹突出")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    # WHEN Ctrl+J, 五星, a reason
    QTimer.singleShot(0, fill_in)
    press(qtbot, grid, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert seen == ["adjust_stars_dialog", "请填写调整星级的原因。"]
    # THEN stored with the reason, shown in 调整 and 最终星级, the reason as the tooltip
    with tree_database.read() as session:
        stored = session.get(StarAdjustment, (YEAR, an))
        assert (stored.stars, stored.reason) == (5, "抗洪抢险事迹突出")
    assert shown(grid, an, Column.STARS) == "★★★★" and shown(grid, an, Column.ADJUSTMENT) == "★★★★★"
    assert shown(grid, an, Column.FINAL) == "★★★★★"
    assert "抗洪抢险事迹突出" in tip(grid, an, Column.ADJUSTMENT)
    assert changes and changes[-1].evaluation
    # and 不调整 takes it back (through the dialog directly)
    dialog = grid.adjust_dialog()
    qtbot.addWidget(dialog)
    assert dialog.stars.currentData() == 5 and dialog.reason.text() == "抗洪抢险事迹突出"
    dialog.stars.setCurrentIndex(0)
    dialog.accept()
    assert dialog.result() and shown(grid, an, Column.ADJUSTMENT) == "" and shown(grid, an, Column.FINAL) == "★★★★"


def test_the_grid_follows_a_renamed_criterion(qtbot, tree_database, town, people):
    an = people["安志强"]
    town.fill(an, 18)
    grid = make_grid(qtbot, tree_database)
    go(grid, an, ("组织生活", "支部评定"))
    type_keys(qtbot, grid, "17")
    press(qtbot, grid, Qt.Key.Key_Return)
    assert grid.undo_stack.count() == 1
    # WHEN the committee renames 组织生活 (its scores moved) and the grid is loaded again
    renamed = replace(DEFAULT_SCHEME, criteria=tuple(
        Criterion("组织生活情况" if c.name == "组织生活" else c.name, c.points) for c in DEFAULT_SCHEME.criteria))
    with tree_database.unit_of_work() as session:
        ey.set_scheme(session, YEAR, renamed, renames={"组织生活": "组织生活情况"})
    grid.load(YEAR)
    # THEN the columns follow the new scheme and the scores stay under the new name
    model = grid.model
    column = model.column_of(("组织生活情况", "支部评定"))
    assert model.headerData(column, Qt.Orientation.Horizontal) == "组织生活情况\n支部评定"
    assert model.cell_of(column) == ("组织生活情况", "支部评定")
    assert all("组织生活\n" not in model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(model.columnCount()))
    assert shown(grid, an, ("组织生活情况", "支部评定")) == "17"
    assert grid.undo_stack.count() == 0  # a load starts a fresh undo history
    assert current_cell(grid) == (people["白玉兰"], ("组织生活情况", "支部评定"))  # the same place kept
    # and typing goes to the renamed cell
    go(grid, an, ("组织生活情况", "个人自评"))
    type_keys(qtbot, grid, "20")
    press(qtbot, grid, Qt.Key.Key_Return)
    assert town.scores(an)[("组织生活情况", "个人自评")] == 200
