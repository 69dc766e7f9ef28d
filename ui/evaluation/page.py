"""年度记实与评定: one year's 星级评定 and 民主评议 for the whole community.

The year is picked at the top. A year not begun shows what beginning it means and one button; a begun
year has the tabs 评分 (the keyboard grid), 民主评议 (grades), 证书 (numbers given at approval) and
变更记录 (the year's history with operators). The toolbar opens the scheme, approves (after listing what
still stops it) and unlocks (with a reason, logged), and opens a member's 年度记实.
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from app import audit
from app import evaluation_year as ey
from app.changes import Changes
from app.evaluation import STAR_NAMES
from app.evaluation_year import GridRow
from db.models import EvaluationYear
from ui.common import RowsModel, confirm, page_title, table_view
from ui.page import Page

FIRST_SHOWN_YEAR = 2015  # years offered to begin, besides those already begun


def stars_text(stars: int | None) -> str:
    return "★" * stars if stars else ""


class CertificateColumn(IntEnum):
    NUMBER = 0
    NAME = 1
    BRANCH = 2
    STARS = 3


class CertificatesModel(RowsModel):
    HEADERS = ("证书编号", "姓名", "所在支部", "星级")

    def cells(self, row: tuple[str, GridRow | None, int]) -> tuple[str, ...]:
        number, grid_row, stars = row
        name = grid_row.participant.name if grid_row else "（已不在本年度名单）"
        branch = grid_row.participant.branch_name if grid_row else ""
        return number, name, branch, f"{STAR_NAMES.get(stars, '')} {stars_text(stars)}"


class HistoryColumn(IntEnum):
    AT = 0
    OPERATOR = 1
    ACTION = 2
    DETAIL = 3


class HistoryModel(RowsModel):
    HEADERS = ("时间", "操作人", "操作", "内容")

    def cells(self, row: audit.LogEntry) -> tuple[str, ...]:
        return f"{row.at:%Y-%m-%d %H:%M}", row.operator, row.action, row.detail


class EvaluationPage(Page):
    area = "evaluation"
    nav_title = "年度记实与评定"

    def __init__(self, window) -> None:
        super().__init__(window)
        self.year: int | None = None
        self.opened = False
        self.locked = False
        self.rows_by_member: dict[int, GridRow] = {}

        self.year_box = QComboBox()
        self.year_box.setObjectName("evaluationYear")
        self.year_box.currentIndexChanged.connect(lambda _i: self._year_chosen())
        self.state = QLabel()
        self.state.setObjectName("evaluationState")
        self.state.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(page_title("年度记实与评定"))
        head.addSpacing(16)
        head.addWidget(QLabel("年度"))
        head.addWidget(self.year_box)
        head.addSpacing(12)
        head.addWidget(self.state, 1)

        self.toolbar = QToolBar()
        self.toolbar.setObjectName("evaluationToolbar")
        self.actions_ = self.add_actions(self.toolbar, (
            ("scheme", "评定方案…", "Ctrl+Shift+F", self.edit_scheme),
            ("approve", "批准…", "", self.approve),
            ("unlock", "解锁…", "", self.unlock),
            ("record", "年度记实…", "Ctrl+R", self.open_record),
            ("refresh", "刷新", "", self.reload),  # F5 is the window's 刷新 (every page)
        ))

        # a year not begun
        self.begin_label = QLabel()
        self.begin_label.setObjectName("beginText")
        self.begin_label.setWordWrap(True)
        self.begin_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.begin_button = QPushButton()
        self.begin_button.setObjectName("beginYear")
        self.begin_button.clicked.connect(self.begin_year)
        not_begun = QWidget()
        box = QVBoxLayout(not_begun)
        box.addStretch(1)
        box.addWidget(self.begin_label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.begin_button)
        row.addStretch(1)
        box.addLayout(row)
        box.addStretch(2)

        # a begun year: the grid is built on first use (its module costs start-up time)
        self.grid = None
        self.grid_holder = QWidget()
        QVBoxLayout(self.grid_holder).setContentsMargins(0, 8, 0, 0)
        from ui.evaluation.grades import GradesTab

        self.grades = GradesTab(window.database, self)
        self.grades.changed.connect(self._changed_here)
        self.certificates_model = CertificatesModel(self)
        self.certificates_view = table_view("certificatesTable", self.certificates_model, (110, 110, 180))
        self.history_model = HistoryModel(self)
        self.history_view = table_view("historyTable", self.history_model, (130, 120, 90))
        self.tabs = QTabWidget()
        self.tabs.setObjectName("evaluationTabs")
        self.tabs.addTab(self.grid_holder, "评分")
        self.tabs.addTab(self.grades, "民主评议")
        self.tabs.addTab(self.certificates_view, "证书")
        self.tabs.addTab(self.history_view, "变更记录")

        self.stack = QStackedWidget()
        self.stack.addWidget(not_begun)
        self.stack.addWidget(self.tabs)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.stack, 1)
        hint = QLabel("评分表：直接输入分数，Enter 下移、Tab 右移，可从 Excel 粘贴整块（Ctrl+V），Ctrl+Z 撤销；"
                      "民主评议：选中党员后按 1 优秀、2 合格、3 基本合格、4 不合格。")
        hint.setStyleSheet("color: #777777;")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self._update_actions()

    # ------------------------------------------------------------ loading

    def shows(self, changes: Changes) -> bool:
        return changes.evaluation or changes.members or changes.orgs or changes.settings

    def _database_changed(self) -> None:
        self.grades.database = self.database
        if self.grid is not None:
            self.grid.database = self.database

    def _ensure_grid(self):
        if self.grid is None:
            from ui.evaluation.grid import ScoreGrid

            self.grid = ScoreGrid(self.database, self.grid_holder)
            self.grid.changed.connect(self._changed_here)
            self.grid_holder.layout().addWidget(self.grid)
        return self.grid

    def show_year(self, year: int) -> None:
        """Show ``year`` (offered in the list even when not begun, if not in the future)."""
        self.ensure_loaded()
        index = self.year_box.findData(year)
        if index < 0:
            self._fill_years(extra=year)
            index = self.year_box.findData(year)
        if index >= 0:
            self.year_box.setCurrentIndex(index)

    def _fill_years(self, extra: int | None = None) -> None:
        today = date.today()
        with self.database.read() as session:
            begun = set(session.scalars(select(EvaluationYear.year)))
        years = begun | {today.year} | ({extra} if extra and FIRST_SHOWN_YEAR <= extra <= today.year else set())
        keep = self.year if self.year is not None else (
            today.year - 1 if today.month <= 2 and today.year - 1 in begun else today.year)
        self.year_box.blockSignals(True)
        self.year_box.clear()
        for year in sorted(years, reverse=True):
            self.year_box.addItem(f"{year} 年度" + ("" if year in begun else "（未开始）"), year)
        self.year_box.setCurrentIndex(max(self.year_box.findData(keep), 0))
        self.year_box.blockSignals(False)

    def reload(self) -> None:
        self._database_changed()
        self._fill_years()
        self._load_year(self.year_box.currentData())

    def _year_chosen(self) -> None:
        year = self.year_box.currentData()
        if year is not None and year != self.year:
            self._load_year(year)

    def _load_year(self, year: int | None) -> None:
        self.year = year
        if year is None:
            return
        with self.database.read() as session:
            row = session.get(EvaluationYear, year)
            self.opened = row is not None
            if not self.opened:
                self.locked = False
            else:
                data = ey.grid(session, year)
                history = list(reversed(audit.entries(session, ey.AUDIT_AREA, year)))
                numbers = ey.certificates(session, year)
        if not self.opened:
            self.stack.setCurrentIndex(0)
            self.begin_label.setText(
                f"{year} 年度的星级评定和民主评议尚未开始。\n\n开始后采用默认评定方案（政治素质、学习教育、组织生活、"
                "履职尽责、服务奉献各 20 分；个人自评 20%、党员互评 30%、群众测评 20%、支部评定 30%；"
                "90 分以上五星，80 分以上四星，70 分以上三星，60 分以上二星），可在“评定方案”中修改。")
            self.begin_button.setText(f"开始 {year} 年度评定")
            self.state.setText("未开始")
            self._update_actions()
            return
        self.stack.setCurrentIndex(1)
        self.locked = data.locked
        self.rows_by_member = {r.member_id: r for r in data.rows}
        self._ensure_grid().load(year)
        self.grades.set_rows(year, data.rows, data.locked, readonly=self.database.readonly)
        self.certificates_model.set_rows([(n, self.rows_by_member.get(m), s) for n, m, s in numbers])
        self.history_model.set_rows(history)
        self.tabs.setTabText(2, f"证书（{len(numbers)}）")
        required = [r for r in data.rows if not r.participant.left_in_year]
        complete = sum(r.result.complete for r in required)
        graded_needed = [r for r in required if r.participant.graded]
        graded = sum(r.grade is not None for r in graded_needed)
        progress = f"参评 {len(data.rows)} 人，评分完整 {complete}/{len(required)} 人，评议等次 {graded}/{len(graded_needed)} 人"
        if data.locked:
            self.state.setText(f"已于 {data.approved_on:%Y-%m-%d} 由{data.approved_by or '未设置'}批准（已锁定）。{progress}")
            self.state.setStyleSheet("color: #1e7b34;")
        else:
            self.state.setText(f"进行中。{progress}")
            self.state.setStyleSheet("")
        self._update_actions()

    def _update_actions(self) -> None:
        writable = not self.database.readonly
        begun = self.opened
        self.actions_["scheme"].setEnabled(begun)
        self.actions_["approve"].setEnabled(begun and not self.locked and writable)
        self.actions_["unlock"].setEnabled(begun and self.locked and writable)
        self.actions_["record"].setEnabled(begun)
        self.begin_button.setEnabled(writable)

    def _changed_here(self, changes: Changes) -> None:
        self.changed.emit(changes)
        self.reload()

    # ------------------------------------------------------------ actions

    def begin_year(self) -> None:
        year = self.year
        if year is None:
            return
        changes = self.run(f"开始 {year} 年度评定", lambda s: (ey.open_year(s, year), Changes(evaluation=True))[1])
        if changes is not None:
            self._changed_here(changes)

    def edit_scheme(self) -> None:
        if not self.opened or self.year is None:
            return
        from ui.evaluation.scheme_dialog import open_scheme_dialog

        changes = open_scheme_dialog(self, self.database, self.year)
        if changes is not None and changes.any:
            self._changed_here(changes)

    def selected_member_id(self) -> int | None:
        if self.tabs.currentWidget() is self.grades:
            return self.grades.selected_member_id()
        if self.grid is not None and self.tabs.currentWidget() is self.grid_holder:
            return self.grid.selected_member_id()
        return None

    def open_record(self) -> None:
        member_id = self.selected_member_id()
        if member_id is None:
            QMessageBox.information(self, "年度记实", "请先在评分表或民主评议中选中一名党员。")
            return
        from ui.evaluation.record_dialog import open_year_record

        changes = open_year_record(self, self.database, member_id, year=self.year)
        if changes is not None:
            self._changed_here(changes)

    def approve(self) -> None:
        year = self.year
        if year is None or not self.opened or self.locked:
            return
        with self.database.read() as session:
            problems = ey.approval_problems(session, year)
            data = ey.grid(session, year)
        if problems:
            QMessageBox.warning(self, "批准评定", f"{year} 年度还不能批准：\n\n" + "\n".join(
                f"· {message}" for message in problems.values()))
            return
        s = data.scheme
        qualifiers = sum(1 for r in data.rows if not r.participant.left_in_year and r.final_stars is not None
                         and r.final_stars >= s.certificate_min_stars and r.certificate is None)
        if not confirm(self, "批准评定",
                       f"批准 {year} 年度评定（全社区 {len(data.rows)} 人）？\n\n批准后评分、民主评议等次和星级都将锁定；"
                       f"{STAR_NAMES[s.certificate_min_stars]}及以上的党员将获得证书编号（本次新发 {qualifiers} 个），"
                       "编号一经颁发不再改变。", "批准"):
            return
        result = self.run("批准评定", lambda session: ey.approve(session, year))
        if result is None:
            return
        new, changes = result
        shown = (f"新颁发证书 {len(new)} 个（{min(new.values())} 至 {max(new.values())}）。" if new
                 else "没有新颁发的证书。")
        QMessageBox.information(self, "批准评定", f"{year} 年度评定已批准并锁定。{shown}")
        self._changed_here(changes)

    def unlock(self) -> None:
        year = self.year
        if year is None or not self.locked:
            return
        reason, ok = QInputDialog.getText(
            self, "解锁评定", f"解锁后可以修改 {year} 年度的评分、等次和星级，已颁发的证书编号保持不变。\n"
            "请填写解锁的原因（将记入变更记录）：", QLineEdit.EchoMode.Normal, "")
        if not ok:
            return
        changes = self.run("解锁评定", lambda session: ey.unlock(session, year, reason))
        if changes is not None:
            self._changed_here(changes)
