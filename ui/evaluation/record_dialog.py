"""年度记实: one member's year on one dialog — notes, 组织生活, volunteer service and 双报到, 党费, 奖惩.

Rows of volunteer service, 双报到 and 奖惩 are added with 新增…, edited with 修改… (or Enter, a double
click) and deleted with 删除 after a question; a 双报到 is never deleted, it is ended (结束报到…).

``open_year_record`` is the one-line entry (the ledger, the 工作台, the evaluation page): it shows the dialog
modally and returns what was changed, or None. Every write is one unit of work; a read-only database shows
everything with the editing disabled.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import dues_rules, members
from app import evaluation_records as records
from app.changes import Changes
from app.dues import format_fen, month_label, parse_yuan
from app.errors import AppError, DatabaseError, ValidationError
from app.evaluation_records import (
    H1,
    H2,
    NOTE_KINDS,
    Q1,
    Q2,
    Q3,
    Q4,
    REWARD_KINDS,
    SECRETARY,
    YEAR_END,
    Absence,
    AttendanceLine,
    DualReportInput,
    DualReportRow,
    DuesBaseRow,
    RewardInput,
    RewardRow,
    VolunteerInput,
    VolunteerRow,
    YearRecord,
    format_hours,
    parse_hours,
)
from app.meetings import NO_REASON
from ui.common import (
    RowsModel,
    confirm,
    error_label,
    fmt_date,
    section_title,
    show_error_on,
    table_view,
    to_date,
    to_qdate,
)
from ui.dues.dialog import MonthEdit

Index = QModelIndex | QPersistentModelIndex
TITLE = "年度记实"
NOTE_NAMES = {Q1: "noteQ1", Q2: "noteQ2", Q3: "noteQ3", Q4: "noteQ4", H1: "noteH1", H2: "noteH2",
              YEAR_END: "noteYearEnd", SECRETARY: "noteSecretary"}
_PERIOD_START = {Q1: 1, Q2: 4, Q3: 7, Q4: 10, H1: 1, H2: 7}
_PERIOD_END = {Q1: 3, Q2: 6, Q3: 9, Q4: 12, H1: 6, H2: 12}
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
CENTER = int(Qt.AlignmentFlag.AlignCenter)


class _Refused(Exception):
    """Raised inside a unit of work to roll it back when some note was refused."""


# ---------------------------------------------------------------- models


_RowsModel = RowsModel  # a small read-only list of rows (ui.common)


def _rate(line: AttendanceLine) -> str:
    rate = line.rate
    return "—" if rate is None else f"{float(rate) * 100:.0f}%"


class AttendanceColumn(IntEnum):
    KIND = 0
    HELD = 1
    ATTENDED = 2
    RATE = 3


class AttendanceModel(_RowsModel):
    """Attendance per meeting type, with a 合计 line last."""

    HEADERS = ("类型", "应参加", "实参加", "出席率")
    ALIGN = {AttendanceColumn.HELD: RIGHT, AttendanceColumn.ATTENDED: RIGHT, AttendanceColumn.RATE: RIGHT}

    def cells(self, row: AttendanceLine) -> tuple[str, ...]:
        return row.kind, str(row.held), str(row.attended), _rate(row)


class AbsenceColumn(IntEnum):
    DAY = 0
    KIND = 1
    ORG = 2
    TOPIC = 3
    REASON = 4


class AbsenceModel(_RowsModel):
    HEADERS = ("日期", "类型", "组织", "议题", "缺席原因")

    def cells(self, row: Absence) -> tuple[str, ...]:
        return fmt_date(row.held_on), row.kind, row.org_name, row.topic, row.reason or NO_REASON


class VolunteerColumn(IntEnum):
    DAY = 0
    ACTIVITY = 1
    HOURS = 2


class VolunteerModel(_RowsModel):
    HEADERS = ("日期", "活动", "时长（小时）")
    ALIGN = {VolunteerColumn.HOURS: RIGHT}

    def cells(self, row: VolunteerRow) -> tuple[str, ...]:
        return fmt_date(row.served_on), row.activity, row.hours


class DualColumn(IntEnum):
    EMPLOYER = 0
    REPORTED_ON = 1
    WISHES = 2
    ENDED_ON = 3


class DualReportModel(_RowsModel):
    HEADERS = ("工作单位", "报到日期", "服务意愿", "结束日期")

    def cells(self, row: DualReportRow) -> tuple[str, ...]:
        return row.employer, fmt_date(row.reported_on), row.wishes, fmt_date(row.ended_on, "进行中")


class DuesColumn(IntEnum):
    MONTH = 0
    DUE = 1
    PAID = 2
    STATUS = 3


class DuesMonthModel(_RowsModel):
    """The year's twelve months: (month, due, paid, status) strings."""

    HEADERS = ("月份", "应交（元）", "已交（元）", "缴纳日期/状态")
    ALIGN = {DuesColumn.DUE: RIGHT, DuesColumn.PAID: RIGHT}

    def cells(self, row: tuple[str, str, str, str]) -> tuple[str, ...]:
        return row


class DuesBaseColumn(IntEnum):
    EFFECTIVE_FROM = 0
    CATEGORY = 1
    AMOUNT = 2
    MONTHLY = 3


def _base_amount(row: DuesBaseRow) -> str:
    if row.category in (dues_rules.WORKING, dues_rules.RETIRED) and row.base_fen is not None:
        return format_fen(row.base_fen)
    if row.category == dues_rules.FARMER and row.farmer_amount_fen is not None:
        return format_fen(row.farmer_amount_fen)
    return "—"


class DuesBaseModel(_RowsModel):
    """A member's dated 党费 bases, oldest first."""

    HEADERS = ("生效月份", "类别", "基数/金额（元）", "每月应交（元）")
    ALIGN = {DuesBaseColumn.AMOUNT: RIGHT, DuesBaseColumn.MONTHLY: RIGHT}

    def cells(self, row: DuesBaseRow) -> tuple[str, ...]:
        return (f"{row.effective_from.year}年{row.effective_from.month}月", row.category, _base_amount(row),
                format_fen(row.monthly_fen))


class RewardColumn(IntEnum):
    KIND = 0
    DAY = 1
    TITLE = 2
    DECIDED_BY = 3


class RewardModel(_RowsModel):
    HEADERS = ("类别", "决定日期", "名称", "决定机关")

    def cells(self, row: RewardRow) -> tuple[str, ...]:
        return row.kind, fmt_date(row.decided_on), row.title, row.decided_by


def dues_months(record: YearRecord, today: date) -> list[tuple[str, str, str, str]]:
    """The dues grid of a year: one line per month, January to December."""
    dues = record.dues
    paid = {p.period: p for p in dues.payments}
    arrears = set(dues.arrears.months)
    beyond = set(dues.arrears.beyond_back_payment)
    this_month = today.replace(day=1)
    lines = []
    for month in range(1, 13):
        period = date(record.year, month, 1)
        due = dues.schedule.get(period)
        payment = paid.get(period)
        if payment is not None:
            status = f"{fmt_date(payment.paid_on)} {payment.paid_at}".strip()
        elif period in beyond:
            status = "欠缴（已超过补交期限）"
        elif period in arrears:
            status = "欠缴"
        elif period >= this_month:
            status = "未到期"
        elif due is None:
            status = "未设置基数" if dues.no_base else "无需缴纳"
        else:
            status = "未缴"
        lines.append((month_label(period), format_fen(due) if due is not None else "—",
                      format_fen(payment.amount_fen) if payment else "", status))
    return lines


def arrears_text(record: YearRecord) -> str:
    arrears = record.dues.arrears
    if record.dues.no_base and not arrears.months:
        return "未设置党费基数，应交金额无法计算；已交月份见上表。"
    if not arrears.months:
        return "本年度无欠缴党费。"
    months = "、".join(f"{m.month}月" for m in arrears.months)
    text = f"欠缴 {len(arrears.months)} 个月（{months}），共 {format_fen(arrears.total_fen)} 元"
    if arrears.beyond_back_payment:
        beyond = "、".join(f"{m.month}月" for m in arrears.beyond_back_payment)
        text += f"；其中 {beyond} 已超过六个月补交期限（{format_fen(arrears.beyond_fen)} 元）"
    return text + "。"


def _table(name: str, model: QAbstractTableModel, widths: Sequence[int], *, select: bool = False) -> QTableView:
    return table_view(name, model, widths, selection=QAbstractItemView.SelectionMode.SingleSelection if select
                      else QAbstractItemView.SelectionMode.NoSelection)


class _RowActivation(QObject):
    """Enter or Return on a table's current row (and a double click) calls ``action`` — and the key
    does not go on to the dialog, whose default button would close it."""

    def __init__(self, view: QTableView, action: Callable[[], None]) -> None:
        super().__init__(view)
        self.action = action
        view.installEventFilter(self)
        view.doubleClicked.connect(lambda _i: action())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and isinstance(watched, QTableView)
                and watched.currentIndex().isValid()):
            self.action()
            return True
        return super().eventFilter(watched, event)


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    return button


# ---------------------------------------------------------------- small input dialogs


class _InputDialog(QDialog):
    """A small form: rows with an error label under each, 保存 saves through ``saver`` and stays open
    when the save is refused (errors shown next to their fields)."""

    def __init__(self, title: str, name: str, saver: Callable[[Any], Changes], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self.saver = saver
        self.changes: Changes | None = None
        self.errors: dict[str, QLabel] = {}
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("save")
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.general_error = error_label("formError")
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

    def add_row(self, label: str | QLabel, widget: QWidget, field: str, name: str) -> None:
        widget.setObjectName(name)
        box = QVBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        self.errors[field] = error_label(f"{name}Error")
        box.addWidget(self.errors[field])
        self.form.addRow(label, box)

    def date_edit(self, day: date, today: date) -> QDateEdit:
        edit = QDateEdit(to_qdate(day))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMaximumDate(to_qdate(today))
        return edit

    def live_errors(self) -> dict[str, str]:
        return {}

    def revalidate(self) -> bool:
        errors = self.live_errors()
        self.show_errors(errors)
        self.ok.setEnabled(not errors)
        return not errors

    def show_errors(self, errors: dict[str, str]) -> None:
        for field, label in self.errors.items():
            show_error_on(label, errors.get(field))
        show_error_on(self.general_error, " ".join(m for f, m in errors.items() if f not in self.errors) or None)

    def value(self) -> Any:
        raise NotImplementedError

    def accept(self) -> None:
        if not self.revalidate():
            return
        try:
            self.changes = self.saver(self.value())
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        except (AppError, DatabaseError) as exc:
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return
        super().accept()


class VolunteerDialog(_InputDialog):
    """志愿服务登记: date, activity, hours as typed (parse_hours, checked as the user types). With
    ``initial`` it edits that row (its note, not shown here, is kept)."""

    def __init__(self, saver: Callable[[VolunteerInput], Changes], *, day: date, today: date,
                 initial: VolunteerRow | None = None, parent: QWidget | None = None) -> None:
        super().__init__("登记志愿服务" if initial is None else "修改志愿服务", "volunteer_dialog", saver, parent)
        self.initial_note = initial.note if initial is not None else ""
        self.served_on = self.date_edit(initial.served_on if initial is not None else day, today)
        self.add_row("服务日期 *", self.served_on, "served_on", "servedOn")
        self.activity = QLineEdit()
        self.activity.setPlaceholderText("例如：社区环境整治")
        self.add_row("服务内容 *", self.activity, "activity", "activity")
        self.hours = QLineEdit()
        self.hours.setPlaceholderText("例如：1.5")
        self.add_row("时长（小时）*", self.hours, "hours", "hours")
        if initial is not None:
            self.activity.setText(initial.activity)
            self.hours.setText(initial.hours)
        self.activity.textChanged.connect(lambda _t: self.revalidate())
        self.hours.textChanged.connect(lambda _t: self.revalidate())
        self.activity.setFocus()
        self.ok.setEnabled(initial is not None)

    def live_errors(self) -> dict[str, str]:
        errors = {}
        if not self.activity.text().strip():
            errors["activity"] = "请填写服务内容。"
        try:
            parse_hours(self.hours.text())
        except ValidationError as exc:
            errors.update(exc.errors)
        return errors

    def value(self) -> VolunteerInput:
        return VolunteerInput(to_date(self.served_on.date()), self.activity.text(), self.hours.text(),
                              self.initial_note)


class DualReportDialog(_InputDialog):
    """双报到: the member's employer, the day they reported, their service wishes. With ``initial`` it
    edits that report (its note and end date are kept)."""

    def __init__(self, saver: Callable[[DualReportInput], Changes], *, day: date, today: date,
                 initial: DualReportRow | None = None, parent: QWidget | None = None) -> None:
        super().__init__("双报到登记" if initial is None else "修改双报到", "dual_report_dialog", saver, parent)
        self.initial_note = initial.note if initial is not None else ""
        self.employer = QLineEdit()
        self.add_row("工作单位 *", self.employer, "employer", "employer")
        self.reported_on = self.date_edit(initial.reported_on if initial is not None else day, today)
        self.add_row("报到日期 *", self.reported_on, "reported_on", "reportedOn")
        self.wishes = QLineEdit()
        self.wishes.setPlaceholderText("例如：政策宣讲、助老服务")
        self.add_row("服务意愿", self.wishes, "wishes", "wishes")
        if initial is not None:
            self.employer.setText(initial.employer)
            self.wishes.setText(initial.wishes)
            if initial.ended_on is not None:
                self.form.addRow("结束日期", QLabel(fmt_date(initial.ended_on)))
        self.employer.textChanged.connect(lambda _t: self.revalidate())
        self.ok.setEnabled(initial is not None)

    def live_errors(self) -> dict[str, str]:
        return {} if self.employer.text().strip() else {"employer": "请填写工作单位。"}

    def value(self) -> DualReportInput:
        return DualReportInput(self.employer.text(), to_date(self.reported_on.date()), self.wishes.text(),
                               self.initial_note)


class EndDualReportDialog(_InputDialog):
    def __init__(self, saver: Callable[[date], Changes], *, employer: str, today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__("结束双报到", "end_dual_report_dialog", saver, parent)
        self.form.addRow("工作单位", QLabel(employer))
        self.ended_on = self.date_edit(today, today)
        self.add_row("结束日期 *", self.ended_on, "ended_on", "endedOn")

    def value(self) -> date:
        return to_date(self.ended_on.date())


class RewardDialog(_InputDialog):
    """奖惩登记: a reward or a discipline; with ``initial`` it edits that row (its note is kept)."""

    def __init__(self, saver: Callable[[RewardInput], Changes], *, day: date, today: date,
                 initial: RewardRow | None = None, parent: QWidget | None = None) -> None:
        super().__init__("奖惩登记" if initial is None else "修改奖惩", "reward_dialog", saver, parent)
        self.initial_note = initial.note if initial is not None else ""
        if initial is not None:
            day = initial.decided_on
        self.kind = QComboBox()
        self.kind.addItems(list(REWARD_KINDS))
        self.add_row("类别 *", self.kind, "kind", "rewardKind")
        self.decided_on = self.date_edit(day, today)
        self.add_row("决定日期 *", self.decided_on, "decided_on", "decidedOn")
        self.title = QLineEdit()
        self.title.setPlaceholderText("例如：优秀共产党员")
        self.add_row("名称 *", self.title, "title", "rewardTitle")
        self.decided_by = QLineEdit()
        self.decided_by.setPlaceholderText("例如：社区党委")
        self.add_row("决定机关", self.decided_by, "decided_by", "decidedBy")
        if initial is not None:
            self.kind.setCurrentText(initial.kind)
            self.title.setText(initial.title)
            self.decided_by.setText(initial.decided_by)
        self.title.textChanged.connect(lambda _t: self.revalidate())
        self.ok.setEnabled(initial is not None)

    def live_errors(self) -> dict[str, str]:
        return {} if self.title.text().strip() else {"title": "请填写奖惩名称。"}

    def value(self) -> RewardInput:
        return RewardInput(self.kind.currentText(), to_date(self.decided_on.date()), self.title.text(),
                           self.decided_by.text(), self.initial_note)


@dataclass(frozen=True)
class DuesBaseInput:
    effective_from: date
    category: str
    base_fen: int | None = None
    farmer_amount_fen: int | None = None


_AMOUNT_LABEL = {
    dues_rules.WORKING: "每月工资收入（税后，元）*",
    dues_rules.RETIRED: "每月养老金（元）*",
    dues_rules.FARMER: "每月金额（元）*",
}
_AMOUNT_HINT = {
    dues_rules.WORKING: "例如：5000",
    dues_rules.RETIRED: "例如：4200",
    dues_rules.FARMER: f"{format_fen(dues_rules.FARMER_MIN_FEN)} 至 {format_fen(dues_rules.FARMER_MAX_FEN)}",
}


class DuesBaseDialog(_InputDialog):
    """设置党费基数: the month it applies from, the payer category and, by category, the monthly pay or
    pension (在职/离退休) or the chosen amount (农民); the monthly due shows as the user types."""

    AMOUNT_FIELDS = ("base_fen", "farmer_amount_fen", "amount")

    def __init__(self, saver: Callable[[DuesBaseInput], Changes], *, month: date,
                 parent: QWidget | None = None) -> None:
        super().__init__("设置党费基数", "dues_base_dialog", saver, parent)
        self.effective_from = MonthEdit(month)
        self.add_row("生效月份 *", self.effective_from, "effective_from", "effectiveFrom")
        self.category = QComboBox()
        self.category.addItems(list(dues_rules.CATEGORIES))
        self.add_row("类别 *", self.category, "category", "duesCategory")
        self.amount_label = QLabel(_AMOUNT_LABEL[dues_rules.WORKING])
        self.amount = QLineEdit()
        self.amount_row = self.form.rowCount()
        self.add_row(self.amount_label, self.amount, "amount", "duesAmount")
        self.due = QLabel()
        self.due.setObjectName("duesBaseDue")
        self.due.setStyleSheet("color: #7a1010; font-weight: bold;")
        self.form.addRow("计算结果", self.due)
        self.category.currentIndexChanged.connect(lambda _i: self._category_changed())
        self.amount.textChanged.connect(lambda _t: self.revalidate())
        self.effective_from.dateChanged.connect(lambda _d: self.revalidate())
        self._category_changed()
        self.amount.setFocus()

    def _category_changed(self) -> None:
        category = self.category.currentText()
        uses_amount = category in _AMOUNT_LABEL
        self.form.setRowVisible(self.amount_row, uses_amount)
        if uses_amount:
            self.amount_label.setText(_AMOUNT_LABEL[category])
            self.amount.setPlaceholderText(_AMOUNT_HINT[category])
        self.revalidate()

    def _amounts(self) -> tuple[int | None, int | None]:
        """(base_fen, farmer_amount_fen) as typed for the category; raises ValidationError."""
        category = self.category.currentText()
        if category in (dues_rules.WORKING, dues_rules.RETIRED):
            return parse_yuan(self.amount.text(), field="base_fen"), None
        if category == dues_rules.FARMER:
            return None, parse_yuan(self.amount.text(), field="farmer_amount_fen")
        return None, None

    def monthly_fen(self) -> int:
        base_fen, farmer_fen = self._amounts()
        return dues_rules.monthly_due_fen(self.category.currentText(), base_fen, farmer_amount_fen=farmer_fen)

    def live_errors(self) -> dict[str, str]:
        try:
            fen = self.monthly_fen()
        except ValidationError as exc:
            self.due.setText("—")
            return dict(exc.errors)
        category = self.category.currentText()
        self.due.setText(f"每月 {format_fen(fen)} 元（固定标准）" if category in dues_rules.FLAT_CATEGORIES
                         else f"每月应交 {format_fen(fen)} 元")
        return {}

    def revalidate(self) -> bool:
        errors = self.live_errors()
        shown = dict(errors)
        if not self.amount.text().strip():  # nothing typed yet: OK stays disabled, no red text
            for field in self.AMOUNT_FIELDS:
                shown.pop(field, None)
        self.show_errors(shown)
        self.ok.setEnabled(not errors)
        return not errors

    def show_errors(self, errors: dict[str, str]) -> None:
        moved = {("amount" if field in self.AMOUNT_FIELDS else field): message for field, message in errors.items()}
        super().show_errors(moved)

    def value(self) -> DuesBaseInput:
        base_fen, farmer_fen = self._amounts()
        return DuesBaseInput(self.effective_from.value(), self.category.currentText(), base_fen, farmer_fen)


# ---------------------------------------------------------------- the year's record


class YearRecordDialog(QDialog):
    """One member's year. Notes are saved together with 保存 (Ctrl+S); the lists save as they are edited."""

    record_changed = Signal(object)  # Changes

    def __init__(self, database, member_id: int, *, year: int | None = None, today: date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("year_record_dialog")
        self.database = database
        self.member_id = member_id
        self.today = today or date.today()
        self.readonly = bool(database.readonly)
        self.changes = Changes()
        self.record: YearRecord | None = None
        self.saved_text: dict[str, str] = {}
        self.setMinimumSize(820, 600)
        self.resize(900, 680)

        with database.read() as session:
            member = members.get(session, member_id)
        self.name, joined_on, status, left_on = member.name, member.data.joined_on, member.status, member.left_on
        last = left_on.year if status != records.ON_ROLL and left_on else self.today.year
        self.years = list(range(min(joined_on.year, self.today.year), min(last, self.today.year) + 1))[::-1]
        if year is None:
            year = self.today.year if self.today.year in self.years else (self.years[0] if self.years else
                                                                           self.today.year)
        self.year = year

        # header: who, which year
        self.heading = QLabel()
        self.heading.setObjectName("memberHeading")
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.year_combo = QComboBox()
        self.year_combo.setObjectName("yearCombo")
        for y in self.years:
            self.year_combo.addItem(f"{y}年", y)
        if year not in self.years:
            self.year_combo.addItem(f"{year}年", year)
        self.year_combo.setCurrentIndex(self.year_combo.findData(year))
        self.readonly_label = QLabel("只读模式：只能查看，不能修改。")
        self.readonly_label.setObjectName("readonlyNotice")
        self.readonly_label.setStyleSheet("color: #7a1010;")
        self.readonly_label.setVisible(self.readonly)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.readonly_label)
        top.addSpacing(12)
        top.addWidget(QLabel("年度"))
        top.addWidget(self.year_combo)
        self.load_error = error_label("loadError")

        self.tabs = QTabWidget()
        self.tabs.setObjectName("recordTabs")
        self.tabs.addTab(self._notes_tab(), "小结与评语")
        self.tabs.addTab(self._meetings_tab(), "组织生活")
        self.tabs.addTab(self._volunteer_tab(), "志愿服务与双报到")
        self.tabs.addTab(self._dues_tab(), "党费")
        self.tabs.addTab(self._rewards_tab(), "奖惩")

        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_buttons.setObjectName("closeButtons")
        self.close_buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.load_error)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.close_buttons)

        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save_notes)
        self.year_combo.currentIndexChanged.connect(lambda _i: self._year_picked())
        self.reload()

    # ------------------------------------------------------------ tabs

    def _notes_tab(self) -> QWidget:
        page = QWidget()
        page.setObjectName("notesTab")
        form = QVBoxLayout(page)
        self.note_edits: dict[str, QPlainTextEdit] = {}
        self.note_meta: dict[str, QLabel] = {}
        self.note_errors: dict[str, QLabel] = {}
        inner = QWidget()
        inner.setObjectName("notesBody")
        grid = QVBoxLayout(inner)
        grid.setSpacing(4)
        for kind in NOTE_KINDS:
            name = NOTE_NAMES[kind]
            grid.addWidget(section_title(kind))
            edit = QPlainTextEdit()
            edit.setObjectName(name)
            edit.setFixedHeight(72 if kind not in (YEAR_END, SECRETARY) else 96)
            edit.setTabChangesFocus(True)
            edit.textChanged.connect(self._notes_edited)
            meta = QLabel()
            meta.setObjectName(f"{name}Meta")
            meta.setStyleSheet("color: #777777;")
            errors = error_label(f"{name}Error")
            grid.addWidget(edit)
            grid.addWidget(meta)
            grid.addWidget(errors)
            grid.addSpacing(6)
            self.note_edits[kind], self.note_meta[kind], self.note_errors[kind] = edit, meta, errors
        grid.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("notesScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        form.addWidget(scroll, 1)
        self.save_button = _button("保存", "saveNotes")
        self.save_button.setToolTip("保存修改过的记实（Ctrl+S）")
        self.save_button.clicked.connect(self.save_notes)
        self.notes_status = QLabel()
        self.notes_status.setObjectName("notesStatus")
        self.notes_status.setStyleSheet("color: #777777;")
        row = QHBoxLayout()
        row.addWidget(self.notes_status, 1)
        row.addWidget(self.save_button)
        form.addLayout(row)
        return page

    def _meetings_tab(self) -> QWidget:
        page = QWidget()
        page.setObjectName("meetingsTab")
        layout = QVBoxLayout(page)
        self.attendance_model = AttendanceModel(self)
        self.attendance_view = _table("attendanceTable", self.attendance_model, (200, 90, 90, 90))
        self.attendance_view.setMaximumHeight(230)
        self.attendance_note = QLabel()
        self.attendance_note.setObjectName("attendanceNote")
        self.attendance_note.setStyleSheet("color: #777777;")
        self.absence_model = AbsenceModel(self)
        self.absence_view = _table("absenceTable", self.absence_model, (100, 130, 170, 220))
        self.absence_empty = QLabel("本年度没有缺席记录。")
        self.absence_empty.setObjectName("absenceEmpty")
        self.absence_empty.setStyleSheet("color: #777777;")
        layout.addWidget(section_title("出席情况"))
        layout.addWidget(self.attendance_view)
        layout.addWidget(self.attendance_note)
        layout.addWidget(section_title("缺席记录"))
        layout.addWidget(self.absence_view, 1)
        layout.addWidget(self.absence_empty)
        return page

    def _volunteer_tab(self) -> QWidget:
        page = QWidget()
        page.setObjectName("volunteerTab")
        layout = QVBoxLayout(page)
        self.volunteer_model = VolunteerModel(self)
        self.volunteer_view = _table("volunteerTable", self.volunteer_model, (110, 420, 100), select=True)
        self.volunteer_total = QLabel()
        self.volunteer_total.setObjectName("volunteerTotal")
        self.volunteer_total.setStyleSheet("color: #7a1010; font-weight: bold;")
        self.add_volunteer_button = _button("新增…", "addVolunteer")
        self.edit_volunteer_button = _button("修改…", "editVolunteer")
        self.delete_volunteer_button = _button("删除", "deleteVolunteer")
        self.add_volunteer_button.clicked.connect(self.add_volunteer)
        self.edit_volunteer_button.clicked.connect(self.edit_volunteer)
        self.delete_volunteer_button.clicked.connect(self.delete_volunteer)
        _RowActivation(self.volunteer_view, self.edit_volunteer)
        row = QHBoxLayout()
        row.addWidget(section_title("志愿服务"))
        row.addStretch(1)
        row.addWidget(self.add_volunteer_button)
        row.addWidget(self.edit_volunteer_button)
        row.addWidget(self.delete_volunteer_button)
        layout.addLayout(row)
        layout.addWidget(self.volunteer_view, 3)
        layout.addWidget(self.volunteer_total)

        self.dual_model = DualReportModel(self)
        self.dual_view = _table("dualReportTable", self.dual_model, (220, 110, 260), select=True)
        self.add_dual_button = _button("新增…", "addDualReport")
        self.edit_dual_button = _button("修改…", "editDualReport")
        self.end_dual_button = _button("结束报到…", "endDualReport")
        self.end_dual_button.setToolTip("双报到记录不删除：调离、退休等不再报到时，填写结束日期")
        self.add_dual_button.clicked.connect(self.add_dual_report)
        self.edit_dual_button.clicked.connect(self.edit_dual_report)
        self.end_dual_button.clicked.connect(self.end_dual_report)
        _RowActivation(self.dual_view, self.edit_dual_report)
        row = QHBoxLayout()
        row.addWidget(section_title("双报到"))
        row.addStretch(1)
        row.addWidget(self.add_dual_button)
        row.addWidget(self.edit_dual_button)
        row.addWidget(self.end_dual_button)
        layout.addLayout(row)
        layout.addWidget(self.dual_view, 2)
        self.volunteer_view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.dual_view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        return page

    def _dues_tab(self) -> QWidget:
        page = QWidget()
        page.setObjectName("duesTab")
        layout = QVBoxLayout(page)
        self.dues_base = QLabel()
        self.dues_base.setObjectName("duesBase")
        self.dues_base.setWordWrap(True)
        self.dues_base_model = DuesBaseModel(self)
        self.dues_base_view = _table("duesBaseTable", self.dues_base_model, (120, 110, 140), select=True)
        self.dues_base_view.setFixedHeight(26 * 3 + 32)  # three rows; the months below need the room
        self.set_dues_base_button = _button("设置基数…", "setDuesBase")
        self.delete_dues_base_button = _button("删除", "deleteDuesBase")
        self.set_dues_base_button.clicked.connect(self.set_dues_base)
        self.delete_dues_base_button.clicked.connect(self.delete_dues_base)
        self.dues_model = DuesMonthModel(self)
        self.dues_view = _table("duesTable", self.dues_model, (120, 110, 110))
        self.dues_arrears = QLabel()
        self.dues_arrears.setObjectName("duesArrears")
        self.dues_arrears.setWordWrap(True)
        layout.addWidget(self.dues_base)
        row = QHBoxLayout()
        row.addWidget(section_title("党费基数"))
        row.addStretch(1)
        row.addWidget(self.set_dues_base_button)
        row.addWidget(self.delete_dues_base_button)
        layout.addLayout(row)
        layout.addWidget(self.dues_base_view)
        layout.addWidget(section_title("逐月缴纳"))
        layout.addWidget(self.dues_view, 1)
        layout.addWidget(self.dues_arrears)
        self.dues_base_view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        return page

    def _rewards_tab(self) -> QWidget:
        page = QWidget()
        page.setObjectName("rewardsTab")
        layout = QVBoxLayout(page)
        self.reward_model = RewardModel(self)
        self.reward_view = _table("rewardTable", self.reward_model, (70, 110, 300), select=True)
        self.add_reward_button = _button("新增…", "addReward")
        self.edit_reward_button = _button("修改…", "editReward")
        self.delete_reward_button = _button("删除", "deleteReward")
        self.add_reward_button.clicked.connect(self.add_reward)
        self.edit_reward_button.clicked.connect(self.edit_reward)
        self.delete_reward_button.clicked.connect(self.delete_reward)
        _RowActivation(self.reward_view, self.edit_reward)
        row = QHBoxLayout()
        row.addWidget(section_title("奖励和处分"))
        row.addStretch(1)
        row.addWidget(self.add_reward_button)
        row.addWidget(self.edit_reward_button)
        row.addWidget(self.delete_reward_button)
        layout.addLayout(row)
        layout.addWidget(self.reward_view, 1)
        self.reward_view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        return page

    # ------------------------------------------------------------ loading

    def _year_picked(self) -> None:
        year = self.year_combo.currentData()
        if year == self.year:
            return
        if self.dirty_notes() and not confirm(self, TITLE, "记实有未保存的修改，切换年度将放弃这些修改。", "放弃修改"):
            self.year_combo.blockSignals(True)
            self.year_combo.setCurrentIndex(self.year_combo.findData(self.year))
            self.year_combo.blockSignals(False)
            return
        self.year = year
        self.reload()

    def reload(self) -> None:
        self.setWindowTitle(f"{TITLE} — {self.name} — {self.year}年")
        try:
            with self.database.read() as session:
                record = records.year_record(session, self.member_id, self.year, today=self.today)
        except ValidationError as exc:
            self.record = None
            show_error_on(self.load_error, " ".join(exc.errors.values()))
            self.tabs.setEnabled(False)
            return
        show_error_on(self.load_error, None)
        self.tabs.setEnabled(True)
        self.record = record
        left = f"，{fmt_date(record.left_on)} {record.status}" if record.left_in_year else ""
        self.heading.setText(f"{record.name}　{record.org_name}　{record.category}{left}")
        self._fill_notes(record)
        lines = list(record.attendance)
        if lines:
            lines.append(record.attendance_total)
        self.attendance_model.set_rows(lines)
        self.attendance_note.setText(f"统计 {record.year}-01-01 至 {fmt_date(record.as_of)} 举行的会议。"
                                     if lines else "本年度尚无应参加的会议。")
        self.absence_model.set_rows(record.absences)
        self.absence_empty.setVisible(not record.absences)
        self._fill_lists(record)
        self.dues_base_model.set_rows(record.dues.bases)
        self.dues_model.set_rows(dues_months(record, self.today))
        self.dues_base.setText(self._base_text(record))
        self.dues_arrears.setText(arrears_text(record))
        self.dues_arrears.setStyleSheet("color: #c0392b;" if record.dues.arrears.months else "")
        self._update_buttons()

    def _fill_lists(self, record: YearRecord) -> None:
        self.volunteer_model.set_rows(record.volunteer)
        self.volunteer_total.setText(f"全年志愿服务 {len(record.volunteer)} 次，合计 "
                                     f"{format_hours(record.volunteer_hours_tenths)} 小时")
        self.dual_model.set_rows(record.dual_reports)
        self.reward_model.set_rows(record.rewards)

    def _base_text(self, record: YearRecord) -> str:
        if record.dues.no_base:
            return f"缴纳办法：{record.dues.policy}；未设置党费基数。"
        base = record.dues.bases[-1]
        amount = f"，基数 {format_fen(base.base_fen)} 元" if base.base_fen is not None else ""
        return (f"缴纳办法：{record.dues.policy}；现行 {base.effective_from:%Y年%m月}起 {base.category}{amount}，"
                f"每月 {format_fen(base.monthly_fen)} 元。全年应交 {format_fen(record.dues.due_fen)} 元，"
                f"已交 {format_fen(record.dues.paid_fen)} 元。")

    def note_block(self, kind: str) -> str | None:
        """Why a note cannot be written now (None: it can)."""
        if kind not in _PERIOD_START:
            return None
        first = date(self.year, _PERIOD_START[kind], 1)
        if first > self.today:
            return f"{kind.removesuffix('小结').removesuffix('反馈')}从 {fmt_date(first)} 开始，届时才能填写。"
        record = self.record
        if record is not None:
            last_month = _PERIOD_END[kind]
            last = date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])
            left = record.status != records.ON_ROLL and record.left_on is not None and record.left_on < first
            if record.joined_on > last or left:
                return "该时段不在册，无需填写。"
        return None

    def _fill_notes(self, record: YearRecord) -> None:
        self.saved_text = {}
        for kind in NOTE_KINDS:
            note = record.notes.get(kind)
            text = note.text if note else ""
            self.saved_text[kind] = text
            edit = self.note_edits[kind]
            edit.blockSignals(True)
            edit.setPlainText(text)
            edit.blockSignals(False)
            block = self.note_block(kind)
            edit.setReadOnly(self.readonly or block is not None)
            edit.setEnabled(block is None or bool(text))
            if note:
                meta = f"{note.written_by or '（未设置操作员）'}　{fmt_date(note.written_on)} 填写"
            elif block:
                meta = block
            else:
                meta = "尚未填写"
            edit.setPlaceholderText("" if block else ("只读模式" if self.readonly else f"在此填写{kind}"))
            self.note_meta[kind].setText(meta)
            show_error_on(self.note_errors[kind], None)
        self._notes_edited()

    # ------------------------------------------------------------ notes

    def dirty_notes(self) -> list[str]:
        return [k for k in NOTE_KINDS if self.note_edits[k].toPlainText().strip() != self.saved_text.get(k, "")]

    def _notes_edited(self) -> None:
        dirty = self.dirty_notes()
        self.save_button.setEnabled(bool(dirty) and not self.readonly and self.record is not None)
        self.notes_status.setText(f"{len(dirty)} 项修改未保存" if dirty else "")

    def save_notes(self) -> bool:
        """保存: every changed note in one unit of work; when one is refused nothing is saved."""
        dirty = self.dirty_notes()
        if self.readonly or self.record is None or not dirty:
            return False
        refused: dict[str, str] = {}
        changes = Changes()
        try:
            with self.database.unit_of_work(f"{TITLE}：保存") as session:
                for kind in dirty:
                    try:
                        changes |= records.save_note(session, self.member_id, self.year, kind,
                                                     self.note_edits[kind].toPlainText(), today=self.today)
                    except ValidationError as exc:
                        refused[kind] = " ".join(exc.errors.values())
                if refused:
                    raise _Refused
        except _Refused:
            pass
        except (AppError, DatabaseError) as exc:
            QMessageBox.warning(self, TITLE, str(exc))
            return False
        for kind in NOTE_KINDS:
            show_error_on(self.note_errors[kind], refused.get(kind))
        if refused:
            self.notes_status.setText("有记实未能保存，请按提示修改后再保存。")
            return False
        self._changed(changes)
        self.notes_status.setText("已保存。")
        return True

    # ------------------------------------------------------------ lists

    def _changed(self, changes: Changes | None) -> None:
        if changes is None:
            return
        self.changes |= changes
        typed = {k: self.note_edits[k].toPlainText() for k in self.dirty_notes()}
        self.reload()
        for kind, text in typed.items():  # keep what is typed and not saved yet
            self.note_edits[kind].setPlainText(text)
        self.record_changed.emit(changes)

    def _selected(self, view: QTableView, model: _RowsModel):
        rows = view.selectionModel().selectedRows()
        return model.rows[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        editable = not self.readonly and self.record is not None
        for button in (self.add_volunteer_button, self.add_dual_button, self.add_reward_button,
                       self.set_dues_base_button):
            button.setEnabled(editable)
        self.delete_dues_base_button.setEnabled(editable and self._selected(self.dues_base_view,
                                                                            self.dues_base_model) is not None)
        volunteer = editable and self._selected(self.volunteer_view, self.volunteer_model) is not None
        self.edit_volunteer_button.setEnabled(volunteer)
        self.delete_volunteer_button.setEnabled(volunteer)
        dual = self._selected(self.dual_view, self.dual_model)
        self.edit_dual_button.setEnabled(editable and dual is not None)
        self.end_dual_button.setEnabled(editable and dual is not None and dual.ended_on is None)
        reward = editable and self._selected(self.reward_view, self.reward_model) is not None
        self.edit_reward_button.setEnabled(reward)
        self.delete_reward_button.setEnabled(reward)

    def _default_day(self) -> date:
        return min(self.today, date(self.year, 12, 31))

    def _save(self, action: str, work: Callable[[Any], Any]) -> Changes:
        with self.database.unit_of_work(action) as session:
            result = work(session)
        return result[1] if isinstance(result, tuple) else result

    def add_volunteer(self) -> None:
        dialog = VolunteerDialog(
            lambda data: self._save("登记志愿服务", lambda s: records.add_volunteer(s, self.member_id, data,
                                                                                today=self.today)),
            day=self._default_day(), today=self.today, parent=self)
        if dialog.exec():
            self._changed(dialog.changes)

    def edit_volunteer(self) -> None:
        """修改… (or Enter, a double click): the selected entry in the 登记志愿服务 form, prefilled."""
        row = self._selected(self.volunteer_view, self.volunteer_model)
        if row is None or self.readonly or self.record is None:
            return
        dialog = VolunteerDialog(
            lambda data: self._save("修改志愿服务", lambda s: records.update_volunteer(s, row.id, data,
                                                                                  today=self.today)),
            day=row.served_on, today=self.today, initial=row, parent=self)
        if dialog.exec():
            self._changed(dialog.changes)
            self._reselect(self.volunteer_view, self.volunteer_model, row.id)

    def delete_volunteer(self) -> None:
        row = self._selected(self.volunteer_view, self.volunteer_model)
        if row is None or self.readonly:
            return
        if not confirm(self, "删除志愿服务",
                       f"删除 {fmt_date(row.served_on)}“{row.activity}”（{row.hours} 小时）？", "删除"):
            return
        self._run("删除志愿服务", lambda s: records.delete_volunteer(s, row.id))

    def add_dual_report(self) -> None:
        dialog = DualReportDialog(
            lambda data: self._save("双报到", lambda s: records.add_dual_report(s, self.member_id, data,
                                                                             today=self.today)),
            day=self._default_day(), today=self.today, parent=self)
        if dialog.exec():
            self._changed(dialog.changes)

    def edit_dual_report(self) -> None:
        row = self._selected(self.dual_view, self.dual_model)
        if row is None or self.readonly or self.record is None:
            return
        dialog = DualReportDialog(
            lambda data: self._save("修改双报到", lambda s: records.update_dual_report(s, row.id, data,
                                                                                  today=self.today)),
            day=row.reported_on, today=self.today, initial=row, parent=self)
        if dialog.exec():
            self._changed(dialog.changes)
            self._reselect(self.dual_view, self.dual_model, row.id)

    def end_dual_report(self) -> None:
        row = self._selected(self.dual_view, self.dual_model)
        if row is None or self.readonly:
            return
        dialog = EndDualReportDialog(
            lambda day: self._save("结束双报到", lambda s: records.end_dual_report(s, row.id, day, today=self.today)),
            employer=row.employer, today=self.today, parent=self)
        if dialog.exec():
            self._changed(dialog.changes)
            self._reselect(self.dual_view, self.dual_model, row.id)

    def add_reward(self) -> None:
        dialog = RewardDialog(
            lambda data: self._save("奖惩登记", lambda s: records.add_reward(s, self.member_id, data,
                                                                         today=self.today)),
            day=self._default_day(), today=self.today, parent=self)
        if dialog.exec():
            self._changed(dialog.changes)

    def edit_reward(self) -> None:
        row = self._selected(self.reward_view, self.reward_model)
        if row is None or self.readonly or self.record is None:
            return
        dialog = RewardDialog(
            lambda data: self._save("修改奖惩", lambda s: records.update_reward(s, row.id, data, today=self.today)),
            day=row.decided_on, today=self.today, initial=row, parent=self)
        if dialog.exec():
            self._changed(dialog.changes)
            self._reselect(self.reward_view, self.reward_model, row.id)

    def _reselect(self, view: QTableView, model: _RowsModel, row_id: int) -> None:
        """After a reload, select the row with this id again (when it is still in the year)."""
        for number, row in enumerate(model.rows):
            if row.id == row_id:
                view.selectRow(number)
                return

    def delete_reward(self) -> None:
        row = self._selected(self.reward_view, self.reward_model)
        if row is None or self.readonly:
            return
        if not confirm(self, "删除奖惩", f"删除{row.kind}“{row.title}”（{fmt_date(row.decided_on)}）？", "删除"):
            return
        self._run("删除奖惩", lambda s: records.delete_reward(s, row.id))

    def set_dues_base(self) -> None:
        if self.readonly or self.record is None:
            return

        def save(data: DuesBaseInput) -> Changes:
            return self._save("设置党费基数", lambda s: records.set_dues_base(
                s, self.member_id, data.effective_from, data.category, base_fen=data.base_fen,
                farmer_amount_fen=data.farmer_amount_fen))

        dialog = DuesBaseDialog(save, month=self.today.replace(day=1), parent=self)
        if dialog.exec():
            self._changed(dialog.changes)

    def delete_dues_base(self) -> None:
        row = self._selected(self.dues_base_view, self.dues_base_model)
        if row is None or self.readonly:
            return
        if not confirm(self, "删除党费基数",
                       f"删除 {row.effective_from.year}年{row.effective_from.month}月起的党费基数"
                       f"（{row.category}，每月 {format_fen(row.monthly_fen)} 元）？", "删除"):
            return
        self._run("删除党费基数", lambda s: records.delete_dues_base(s, row.id))

    def _run(self, action: str, work: Callable[[Any], Changes]) -> None:
        try:
            changes = self._save(action, work)
        except (AppError, DatabaseError) as exc:
            QMessageBox.warning(self, action, str(exc))
            self.reload()
            return
        self._changed(changes)

    # ------------------------------------------------------------ closing

    def reject(self) -> None:
        if self.dirty_notes() and not self.readonly and not confirm(
                self, TITLE, "记实有未保存的修改，关闭将放弃这些修改。", "放弃修改"):
            return
        super().reject()


def open_year_record(parent: QWidget | None, database, member_id: int, *, year: int | None = None,
                     today: date | None = None) -> Changes | None:
    """Show the member's 年度记实 modally; what was changed, or None when nothing was. A read-only
    database shows the record with editing disabled."""
    dialog = YearRecordDialog(database, member_id, year=year, today=today, parent=parent)
    dialog.exec()
    return dialog.changes if dialog.changes.any else None
