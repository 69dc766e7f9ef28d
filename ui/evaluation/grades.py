"""民主评议 tab: each 正式党员's grade for the year, given by the branch with its decision date.

Select members (arrows, Shift/Ctrl), press 1 优秀 · 2 合格 · 3 基本合格 · 4 不合格, Delete clears — or use the
buttons. A block of grades is checked and written together (``evaluation_year.set_grades``), so the
one-third rule is judged on what the branch decided, and refused with the figures. 预备党员 are listed
greyed, not graded.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from enum import IntEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import evaluation_year as ey
from app.evaluation import EXCELLENT, GRADES, excellent_limit
from app.evaluation_year import GridRow
from ui.common import RowsModel, day_edit, fmt_date, table_view, to_date, to_qdate
from ui.page import run_action

GREY = QColor("#888888")
GRADE_KEYS = {Qt.Key.Key_1: GRADES[0], Qt.Key.Key_2: GRADES[1], Qt.Key.Key_3: GRADES[2], Qt.Key.Key_4: GRADES[3]}
ALL = "全部支部"


class GradeColumn(IntEnum):
    NAME = 0
    BRANCH = 1
    CATEGORY = 2
    GRADE = 3
    DECIDED_ON = 4
    NOTE = 5


class GradesModel(RowsModel):
    HEADERS = ("姓名", "所在支部", "人员类别", "评议等次", "决定日期", "备注")
    ALIGN = {GradeColumn.GRADE: Qt.AlignmentFlag.AlignCenter, GradeColumn.DECIDED_ON: Qt.AlignmentFlag.AlignCenter}

    def cells(self, row: GridRow) -> tuple[str, ...]:
        p = row.participant
        grade = row.grade or ("不评定" if not p.graded else "")
        return (p.name, p.branch_name, p.category or "未填写", grade, fmt_date(row.grade_decided_on),
                p.mark)

    def foreground(self, row: GridRow):
        return GREY if not row.participant.graded or row.participant.left_in_year else None

    def tooltip(self, row: GridRow, column: int) -> str | None:
        if not row.participant.graded:
            return "预备党员不参加民主评议，不评定等次（参加星级评定）"
        return None


class GradesView(QTableView):
    """The list; 1–4 grade the selected members, Delete clears them."""

    grade_keyed = Signal(object)  # a grade, or None to clear

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = Qt.Key(event.key())
        if key in GRADE_KEYS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.grade_keyed.emit(GRADE_KEYS[key])
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.grade_keyed.emit(None)
            return
        super().keyPressEvent(event)


def branch_summary(rows: list[GridRow]) -> dict[str, tuple[int, int, int]]:
    """Branch → (graded, 正式党员 required, 优秀) among members still there at year end (one who left
    during the year is neither required nor counted, as at approval)."""
    figures: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in rows:
        if not r.participant.graded or r.participant.left_in_year:
            continue
        f = figures[r.participant.branch_name]
        f[1] += 1
        if r.grade is not None:
            f[0] += 1
            f[2] += r.grade == EXCELLENT
    return {branch: (f[0], f[1], f[2]) for branch, f in figures.items()}


class GradesTab(QWidget):
    changed = Signal(object)  # Changes

    def __init__(self, database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.year: int | None = None
        self.locked = False
        self.readonly = False
        self.all_rows: list[GridRow] = []

        self.branch = QComboBox()
        self.branch.setObjectName("gradeBranch")
        self.branch.setMinimumContentsLength(12)
        self.branch.currentIndexChanged.connect(lambda _i: self._filter())
        self.decided_on = day_edit("gradeDecidedOn")
        self.decided_on.setToolTip("支部党员大会作出评议决定的日期，随等次一起保存")
        self.buttons: dict[str | None, QPushButton] = {}
        top = QHBoxLayout()
        top.addWidget(QLabel("支部"))
        top.addWidget(self.branch)
        top.addSpacing(12)
        top.addWidget(QLabel("评议决定日期"))
        top.addWidget(self.decided_on)
        top.addStretch(1)
        keys = QHBoxLayout()
        keys.addWidget(QLabel("选中的党员评为"))
        for number, grade in enumerate((*GRADES, None), start=1):
            text = f"{number} {grade}" if grade else "清除"
            button = QPushButton(text)
            button.setObjectName(f"grade{number}" if grade else "gradeClear")
            button.setToolTip(f"将选中的党员评为{grade}（按 {number} 键）" if grade else "清除选中党员的等次（Delete 键）")
            button.clicked.connect(lambda _=False, g=grade: self.grade_selected(g))
            self.buttons[grade] = button
            keys.addWidget(button)
        keys.addStretch(1)

        self.model = GradesModel(self)
        self.view = table_view("gradesTable", self.model, (110, 170, 90, 80, 100),
                               selection=QAbstractItemView.SelectionMode.ExtendedSelection, view=GradesView())
        self.view.grade_keyed.connect(self.grade_selected)
        self.summary = QLabel()
        self.summary.setObjectName("gradesSummary")
        self.summary.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("gradesMessage")
        self.message.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addLayout(keys)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)

    # ------------------------------------------------------------ loading

    def set_rows(self, year: int, rows: list[GridRow], locked: bool, today: date | None = None, *,
                 readonly: bool = False) -> None:
        today = today or date.today()
        self.year, self.locked, self.readonly, self.all_rows = year, locked, readonly, rows
        earliest, latest = date(year, 1, 1), min(today, date(year + 1, 12, 31))
        self.decided_on.setMinimumDate(to_qdate(earliest))
        self.decided_on.setMaximumDate(to_qdate(latest))
        if to_date(self.decided_on.date()) < earliest or to_date(self.decided_on.date()) > latest:
            self.decided_on.setDate(to_qdate(latest))
        branches = list(dict.fromkeys(r.participant.branch_name for r in rows))
        keep = self.branch.currentText()
        self.branch.blockSignals(True)
        self.branch.clear()
        self.branch.addItems([ALL, *branches])
        self.branch.setCurrentIndex(max(self.branch.findText(keep), 0))
        self.branch.blockSignals(False)
        for button in self.buttons.values():
            button.setEnabled(not locked and not readonly)
        self.decided_on.setEnabled(not locked and not readonly)
        self._filter()

    def _filter(self) -> None:
        branch = self.branch.currentText()
        rows = self.all_rows if branch in ("", ALL) else [
            r for r in self.all_rows if r.participant.branch_name == branch]
        self.model.set_rows(rows)
        self._summarise()

    def _summarise(self) -> None:
        figures = branch_summary(self.all_rows)
        branch = self.branch.currentText()
        over = [b for b, (graded, _, excellent) in figures.items() if excellent > excellent_limit(graded)]
        if branch in figures:
            graded, required, excellent = figures[branch]
            text = (f"{branch}：正式党员 {required} 人，已评定 {graded} 人；优秀 {excellent} 人"
                    f"（最多 {excellent_limit(graded)} 人，不超过已评定人数的三分之一）")
        else:
            graded = sum(f[0] for f in figures.values())
            required = sum(f[1] for f in figures.values())
            excellent = sum(f[2] for f in figures.values())
            text = f"全部支部：正式党员 {required} 人，已评定 {graded} 人，优秀 {excellent} 人"
        if over:
            text += f"。优秀超过三分之一：{'、'.join(over)}"
        if self.locked:
            text += "。本年度已批准，等次已锁定。"
        self.summary.setText(text)

    # ------------------------------------------------------------ grading

    def selected_rows(self) -> list[GridRow]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.rows[r] for r in rows]

    def selected_member_id(self) -> int | None:
        index = self.view.currentIndex()
        return self.model.rows[index.row()].member_id if index.isValid() else None

    def grade_selected(self, grade: str | None) -> None:
        if self.year is None:
            return
        if self.readonly:
            self.message.setText("数据库以只读模式打开，不能修改等次。")
            return
        if self.locked:
            self.message.setText(f"{self.year} 年度已批准，等次已锁定；如需修改请先解锁。")
            return
        chosen = self.selected_rows()
        graded = [r for r in chosen if r.participant.graded]
        if not graded:
            self.message.setText("请先选中要评定的正式党员（预备党员不评定等次）。" if chosen
                                 else "请先选中要评定的党员。")
            return
        decided_on = to_date(self.decided_on.date())
        year = self.year
        changes = run_action(self, self.database, "民主评议", lambda s: ey.set_grades(
            s, year, {r.member_id: grade for r in graded}, decided_on if grade else None))
        if changes is None:
            return
        skipped = len(chosen) - len(graded)
        shown = grade or "未评定"
        self.message.setText(f"已将 {len(graded)} 人评为{shown}" + (f"（跳过预备党员 {skipped} 人）" if skipped else "")
                             + "。")
        if changes.any:
            self.changed.emit(changes)
