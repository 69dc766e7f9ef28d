"""党费登记: one or several months of one member's dues, with the member's latest payments underneath.

``open_dues_dialog`` is the one-line entry for the 工作台, the member form and the floating page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import dues, members, orgs
from app.changes import Changes
from app.dates import add_months
from app.dues import AMOUNT_FIELD, PLACES, DuesInput, PaymentRow, format_fen, month_label, parse_yuan
from app.errors import AppError, DatabaseError, ValidationError
from app.members import MemberFilter
from ui.common import (
    error_label,
    fill_found,
    fmt_date,
    found_id,
    section_title,
    show_error_on,
    to_date,
    to_qdate,
    with_error,
)

Index = QModelIndex | QPersistentModelIndex
ACTION = "党费登记"
HISTORY_LIMIT = 12
# DuesInput -> errors by field
DuesValidator = Callable[[DuesInput], dict[str, str]]
# search text -> [(member id, label)]
MemberFinder = Callable[[str], list[tuple[int, str]]]
# member id -> latest payments, newest first
PaymentsLoader = Callable[[int], list[PaymentRow]]
# DuesInput -> what was changed; raises AppError when refused
DuesSaver = Callable[[DuesInput], Changes]





class PaymentColumn(IntEnum):
    PERIOD = 0
    AMOUNT = 1
    PAID_ON = 2
    PAID_AT = 3
    MADE_BY = 4
    NOTE = 5


PAYMENT_HEADERS = ("所属月份", "金额（元）", "缴纳日期", "缴纳地点", "经手人", "备注")
PAYMENT_WIDTHS = (100, 84, 100, 110, 110, 160)


class PaymentsModel(QAbstractTableModel):
    """A member's latest payments, one row per month paid for."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[PaymentRow] = []

    def set_rows(self, rows: Sequence[PaymentRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(PaymentColumn)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(PAYMENT_HEADERS)):
            return PAYMENT_HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = PaymentColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                PaymentColumn.PERIOD: month_label(row.period),
                PaymentColumn.AMOUNT: format_fen(row.amount_fen),
                PaymentColumn.PAID_ON: fmt_date(row.paid_on),
                PaymentColumn.PAID_AT: row.paid_at,
                PaymentColumn.MADE_BY: row.made_by,
                PaymentColumn.NOTE: row.note,
            }[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column is PaymentColumn.AMOUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column is PaymentColumn.NOTE and row.note:
            return row.note
        return None


class MonthEdit(QDateEdit):
    """A year-month picker: shows 2026-11, holds the first day of the month."""

    def __init__(self, month: date, parent: QWidget | None = None) -> None:
        super().__init__(to_qdate(month.replace(day=1)), parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM")

    def value(self) -> date:
        return to_date(self.date()).replace(day=1)

    def set_value(self, month: date) -> None:
        self.setDate(to_qdate(month.replace(day=1)))


class DuesDialog(QDialog):
    """党费登记: pick a member (or get one preset), the months, the amount per month, the day and place;
    the total shows as the user types, problems are named next to their field, 保存 only once valid.
    With a ``saver`` the dialog saves on 保存 and stays open when the save is refused."""

    dues_saved = Signal(object)  # Changes

    def __init__(
        self,
        validator: DuesValidator,
        load_payments: PaymentsLoader,
        *,
        member_id: int | None = None,
        member_name: str = "",
        find_members: MemberFinder | None = None,
        saver: DuesSaver | None = None,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dues_dialog")
        self.setWindowTitle("党费登记")
        self.validator = validator
        self.load_payments = load_payments
        self.find_members = find_members
        self.saver = saver
        self.member_id = member_id
        self.changes: Changes | None = None
        self.today = today or date.today()
        self.amount_touched = False
        self.months_touched = False  # the user picked the months: a member's history no longer moves them
        self._moving_months = False
        self._shown_member: int | None = -1  # none shown yet
        self.errors: dict[str, QLabel] = {}
        self.setMinimumWidth(680)
        self.resize(760, 600)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        def row(label: str, widget: QWidget | QHBoxLayout, name: str) -> None:
            form.addRow(label, with_error(widget, name, self.errors))

        self.member_search = QLineEdit()
        self.member_search.setObjectName("memberSearch")
        self.member_search.setPlaceholderText("输入姓名、拼音首字母或手机号查找在册党员")
        self.member_search.setClearButtonEnabled(True)
        self.member_list = QListWidget()
        self.member_list.setObjectName("memberList")
        self.member_list.setMaximumHeight(110)
        self.member_label = QLabel(member_name)
        self.member_label.setObjectName("memberName")
        if member_id is None:
            picker = QWidget()
            pick = QVBoxLayout(picker)
            pick.setContentsMargins(0, 0, 0, 0)
            pick.setSpacing(4)
            pick.addWidget(self.member_search)
            pick.addWidget(self.member_list)
            row("党员 *", picker, "member_id")
            self._search_timer = QTimer(self)
            self._search_timer.setSingleShot(True)
            self._search_timer.setInterval(120)
            self._search_timer.timeout.connect(self.search_members)
            self.member_search.textChanged.connect(lambda _t: self._search_timer.start())
            self.member_list.currentRowChanged.connect(lambda _r: self._member_changed())
        else:
            row("党员", self.member_label, "member_id")

        this_month = self.today.replace(day=1)
        self.first_month = MonthEdit(this_month)
        self.first_month.setObjectName("firstMonth")
        self.last_month = MonthEdit(this_month)
        self.last_month.setObjectName("lastMonth")
        months = QHBoxLayout()
        months.addWidget(self.first_month, 1)
        months.addWidget(QLabel("至"))
        months.addWidget(self.last_month, 1)
        row("所属月份 *", months, "first_month")
        self.errors["last_month"] = self.errors["first_month"]  # one label under both pickers
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.amount.setPlaceholderText("例如：12.50")
        self.total = QLabel()
        self.total.setObjectName("total")
        self.total.setStyleSheet("color: #7a1010; font-weight: bold;")
        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount, 1)
        amount_row.addSpacing(8)
        amount_row.addWidget(self.total, 2)
        row("每月金额（元）*", amount_row, AMOUNT_FIELD)
        self.paid_on = QDateEdit(to_qdate(self.today))
        self.paid_on.setObjectName("paidOn")
        self.paid_on.setCalendarPopup(True)
        self.paid_on.setDisplayFormat("yyyy-MM-dd")
        self.paid_on.setMaximumDate(to_qdate(self.today))
        row("缴纳日期 *", self.paid_on, "paid_on")
        self.paid_at = QComboBox()
        self.paid_at.setObjectName("paidAt")
        self.paid_at.addItems(list(PLACES))
        self.paid_at.setToolTip("流动党员在流入地党组织交纳的，选“流入地党组织”")
        row("缴纳地点 *", self.paid_at, "paid_at")
        self.note = QLineEdit()
        self.note.setObjectName("note")
        self.note.setPlaceholderText("例如：微信转账、补交")
        row("备注", self.note, "note")

        self.history_title = section_title("最近缴纳记录")
        self.history_model = PaymentsModel(self)
        self.history = QTableView()
        self.history.setObjectName("paymentsTable")
        self.history.setModel(self.history_model)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.history.setWordWrap(False)
        self.history.verticalHeader().hide()
        self.history.verticalHeader().setDefaultSectionSize(24)
        self.history.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        for column, width in enumerate(PAYMENT_WIDTHS):
            self.history.setColumnWidth(column, width)
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.setMinimumHeight(180)
        self.history_empty = QLabel()
        self.history_empty.setObjectName("paymentsEmpty")
        self.history_empty.setStyleSheet("color: #777777;")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("saveDues")
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.general_error = error_label("formError")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.history_title)
        layout.addWidget(self.history, 1)
        layout.addWidget(self.history_empty)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

        self.first_month.dateChanged.connect(lambda _d: self._first_month_changed())
        self.last_month.dateChanged.connect(lambda _d: self._last_month_changed())
        self.paid_on.dateChanged.connect(lambda _d: self.revalidate())
        self.amount.textEdited.connect(lambda _t: self._amount_edited())
        self.amount.textChanged.connect(lambda _t: self.revalidate())
        self.note.textChanged.connect(lambda _t: self.revalidate())
        self.paid_at.currentIndexChanged.connect(lambda _i: self.revalidate())
        if member_id is None:
            self.search_members()
            self.member_search.setFocus()
        else:
            self._member_changed()
            self.amount.setFocus()
        self.revalidate()

    # ------------------------------------------------------------ member

    def search_members(self) -> None:
        if self.find_members is None:
            return
        fill_found(self.member_list, self.find_members(self.member_search.text().strip()), self.selected_member())
        self._member_changed()

    def selected_member(self) -> int | None:
        if self.member_id is not None:
            return self.member_id
        return found_id(self.member_list)

    def _member_changed(self) -> None:
        member_id = self.selected_member()
        if member_id != self._shown_member:
            self._shown_member = member_id
            rows = self.load_payments(member_id) if member_id is not None else []
            self.history_model.set_rows(rows)
            if member_id is None:
                self.history_empty.setText("选择党员后在此显示其最近的缴纳记录。")
            else:
                self.history_empty.setText("" if rows else "尚无缴纳记录。")
            self.history_empty.setVisible(bool(self.history_empty.text()))
            if rows and not self.amount_touched:  # the same amount as last time, until the user types one
                self.amount.setText(format_fen(rows[0].amount_fen))
            if not self.months_touched:
                self._default_months(rows[0].period if rows else None)
        self.revalidate()

    # ------------------------------------------------------------ values

    def _amount_edited(self) -> None:
        self.amount_touched = True

    def _default_months(self, latest_paid: date | None) -> None:
        """The current month; when it is paid already, the month after the latest one paid."""
        month = self.today.replace(day=1)
        if latest_paid is not None and latest_paid >= month:
            month = add_months(latest_paid, 1)
        self._moving_months = True
        try:
            self.first_month.set_value(month)
            self.last_month.set_value(month)
        finally:
            self._moving_months = False

    def _first_month_changed(self) -> None:
        self.months_touched |= not self._moving_months
        if self.last_month.value() < self.first_month.value():
            self.last_month.set_value(self.first_month.value())  # revalidates
        else:
            self.revalidate()

    def _last_month_changed(self) -> None:
        self.months_touched |= not self._moving_months
        self.revalidate()

    def amount_fen(self) -> tuple[int, str | None]:
        """The amount per month in 分 and, when it cannot be read, why."""
        try:
            return parse_yuan(self.amount.text()), None
        except ValidationError as exc:
            return 0, exc.errors.get(AMOUNT_FIELD, str(exc))

    def value(self) -> DuesInput:
        return DuesInput(member_id=self.selected_member(), first_month=self.first_month.value(),
                         last_month=self.last_month.value(), amount_fen_per_month=self.amount_fen()[0],
                         paid_on=to_date(self.paid_on.date()), paid_at=self.paid_at.currentText(),
                         note=self.note.text())

    def _update_total(self, data: DuesInput, amount_error: str | None) -> None:
        count = len(data.months)
        if not count:
            self.total.setText("")
        elif amount_error:
            self.total.setText(f"共 {count} 个月")
        else:
            self.total.setText(f"共 {count} 个月，合计 {format_fen(data.total_fen)} 元")

    def revalidate(self) -> bool:
        data = self.value()
        amount_error = self.amount_fen()[1]
        self._update_total(data, amount_error)
        errors = self.validator(data)
        if self.selected_member() is None:
            errors["member_id"] = "请从列表中选择缴纳党费的党员。"
        if amount_error:
            errors[AMOUNT_FIELD] = amount_error
        self.show_errors(errors)
        self.ok.setEnabled(not errors)
        return not errors

    def show_errors(self, errors: dict[str, str]) -> None:
        placed = {"member_id", "first_month", "last_month", AMOUNT_FIELD, "paid_on", "paid_at", "note"}
        show_error_on(self.errors["member_id"], errors.get("member_id"))
        show_error_on(self.errors["first_month"],
                      "；".join(m for m in (errors.get("first_month"), errors.get("last_month")) if m) or None)
        for name in (AMOUNT_FIELD, "paid_on", "paid_at", "note"):
            show_error_on(self.errors[name], errors.get(name))
        show_error_on(self.general_error, " ".join(m for name, m in errors.items() if name not in placed))

    def accept(self) -> None:
        if not self.revalidate():
            return
        if self.saver is not None:
            try:
                self.changes = self.saver(self.value())
            except ValidationError as exc:
                self.show_errors(exc.errors)
                self.ok.setEnabled(False)
                return
            except (AppError, DatabaseError) as exc:
                QMessageBox.warning(self, ACTION, str(exc))
                return
            self.dues_saved.emit(self.changes)
        super().accept()


# ---------------------------------------------------------------- one-line entry


def find_in_ledger(database, text: str, limit: int = 200) -> list[tuple[int, str]]:
    """在册 members matching ``text`` (name, pinyin initials, phone, ID tail), by name: (id, "姓名　组织")."""
    with database.read() as session:
        ids = members.ordered_ids(session, MemberFilter(text=text), sort="name")[:limit]
        found = members.rows(session, ids)
        org_names = {n.id: n.name for n in orgs.list_tree(session, include_dissolved=True)}
    name_at, org_at = members.LEDGER_COLUMNS.index("name"), members.LEDGER_COLUMNS.index("org_id")
    return [(i, f"{found[i][name_at]}　{org_names.get(found[i][org_at], '')}") for i in ids if i in found]


def open_dues_dialog(parent: QWidget | None, database, *, member_id: int | None = None) -> Changes | None:
    """Show 党费登记 modally (for ``member_id``, or with a member search) and save it in one unit of work;
    the Changes, or None when cancelled. A read-only database opens nothing."""
    if database.readonly:
        return None
    name = ""
    if member_id is not None:
        with database.read() as session:
            record = members.get(session, member_id)
        name = f"{record.name}　{record.org_path.rsplit('/', 1)[-1]}"

    def validate(data: DuesInput) -> dict[str, str]:
        with database.read() as session:
            return dues.validate_payment(session, data)[0]

    def load_payments(found_id: int) -> list[PaymentRow]:
        with database.read() as session:
            return dues.payments(session, found_id, limit=HISTORY_LIMIT)

    def save(data: DuesInput) -> Changes:
        with database.unit_of_work(ACTION) as session:
            return dues.record_payment(session, data)[1]

    dialog = DuesDialog(validate, load_payments, member_id=member_id, member_name=name,
                        find_members=None if member_id is not None else lambda text: find_in_ledger(database, text),
                        saver=save, parent=parent)
    if not dialog.exec() or dialog.changes is None:
        return None
    return dialog.changes
