"""组织生活登记: one meeting and who was there, ticked on a checklist of the organisation's people, with the
reason of each member who was not.

Fast entry without the mouse: ↑/↓ move through the list, Space ticks or unticks the current row (or every
selected row, Shift+↑/↓ extending the selection), the digits 1–5 give the selected unticked rows one of the
usual absence reasons (Delete clears it) and F2 or a double click opens the reason for free text.

``open_meeting_dialog`` is the one-line entry for the 工作台, the member form and the floating page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from enum import IntEnum

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import meetings, members, orgs
from app.changes import Changes
from app.errors import AppError, DatabaseError, ValidationError
from app.evaluation_records import ALL_MEMBER_KINDS
from app.meetings import (
    ABSENCE_REASON_LIMIT,
    ABSENCE_REASONS,
    INFLOW,
    MEETING_KINDS,
    MEMBER,
    NO_REASON,
    Candidate,
    MeetingInput,
)
from ui.common import error_label, show_error_on, to_date, to_qdate, ui_settings, with_error

Index = QModelIndex | QPersistentModelIndex
Key = tuple[str, int]  # (MEMBER or INFLOW, id)
# (org id, day) -> the people who may be ticked
CandidateFinder = Callable[[int, date], list[Candidate]]
# (input, member ids, inflow ids, absences: member id -> reason) -> errors by field
MeetingValidator = Callable[[MeetingInput, list[int], list[int], dict[int, str]], dict[str, str]]
# (input, member ids, inflow ids, absences) -> what was changed; raises AppError when refused
MeetingSaver = Callable[[MeetingInput, list[int], list[int], dict[int, str]], Changes]
LAST_ORG_KEY = "meetings/last_org"
ACTION = "组织生活登记"
NOT_COUNTED = "不计缺席"
MUTED = QColor("#888888")
KEYS_HINT = ("↑↓ 移动，空格 勾选/取消，1–5 填写缺席原因（" + "、".join(f"{n} {r}" for n, r in enumerate(ABSENCE_REASONS, 1))
             + "），Delete 清除，F2 或双击输入其他原因。")


class Column(IntEnum):
    NAME = 0
    ORG = 1
    REASON = 2


HEADERS = {Column.NAME: "姓名", Column.ORG: "所在党组织", Column.REASON: "缺席原因"}


class AttendeeModel(QAbstractTableModel):
    """The checklist: candidates with a check box each and, for ledger members not ticked, the reason of
    their absence. A person keeps their tick and reason across reloads (another day or organisation);
    people new to the list get ``default_checked``.

    ``expects_everyone`` (a meeting of all members): every unticked member is absent, an empty reason
    reading 未说明原因; otherwise only those given a reason are (the others 不计缺席). Inflow members'
    absences are not recorded (see app.meetings)."""

    checked_changed = Signal()
    reasons_changed = Signal()
    KeyRole = Qt.ItemDataRole.UserRole + 1
    NameRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[Candidate] = []
        self.state: dict[Key, bool] = {}  # every person seen so far, listed now or not
        self.reasons: dict[Key, str] = {}
        self.default_checked = True
        self._expects_everyone = True

    @staticmethod
    def key(candidate: Candidate) -> Key:
        return candidate.kind, candidate.id

    # ------------------------------------------------------------ changing

    def set_candidates(self, rows: Sequence[Candidate]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        for row in self.rows:
            self.state.setdefault(self.key(row), self.default_checked)
        self.endResetModel()
        self.checked_changed.emit()

    def _rows_changed(self, first: int, last: int, column: int = Column.NAME) -> None:
        self.dataChanged.emit(self.index(first, column), self.index(last, Column.REASON))

    def set_checked(self, keys: Iterable[Key], checked: bool = True) -> None:
        """Tick (or untick) people, listed now or later."""
        for key in keys:
            self.state[key] = checked
        if self.rows:
            self._rows_changed(0, len(self.rows) - 1)
        self.checked_changed.emit()

    def set_rows_checked(self, rows: Iterable[int], checked: bool) -> None:
        rows = sorted(r for r in set(rows) if 0 <= r < len(self.rows))
        if not rows:
            return
        for row in rows:
            self.state[self.key(self.rows[row])] = checked
        self._rows_changed(rows[0], rows[-1])
        self.checked_changed.emit()

    def set_reasons(self, reasons: Mapping[Key, str]) -> None:
        """Reasons by person, listed now or later (ticking someone keeps theirs for a later untick)."""
        for key, reason in reasons.items():
            self.reasons[key] = (reason or "").strip()[:ABSENCE_REASON_LIMIT]
        if self.rows:
            self._rows_changed(0, len(self.rows) - 1, Column.REASON)
        self.reasons_changed.emit()

    def set_rows_reason(self, rows: Iterable[int], reason: str) -> int:
        """Give these rows' absent members ``reason`` (empty: clear it); how many were changed."""
        rows = sorted(r for r in set(rows) if 0 <= r < len(self.rows) and self.absence_editable(r))
        for row in rows:
            self.reasons[self.key(self.rows[row])] = reason.strip()[:ABSENCE_REASON_LIMIT]
        if rows:
            self._rows_changed(rows[0], rows[-1], Column.REASON)
            self.reasons_changed.emit()
        return len(rows)

    @property
    def expects_everyone(self) -> bool:
        return self._expects_everyone

    @expects_everyone.setter
    def expects_everyone(self, value: bool) -> None:
        if value != self._expects_everyone:
            self._expects_everyone = value
            if self.rows:
                self._rows_changed(0, len(self.rows) - 1, Column.REASON)
            self.reasons_changed.emit()

    # ------------------------------------------------------------ reading

    def is_checked(self, row: int) -> bool:
        return bool(self.state.get(self.key(self.rows[row])))

    def absence_editable(self, row: int) -> bool:
        """A reason can be given: a ledger member not ticked."""
        return self.rows[row].kind == MEMBER and not self.is_checked(row)

    def checked_rows(self) -> list[Candidate]:
        return [row for row in self.rows if self.state.get(self.key(row))]

    def checked_ids(self) -> tuple[list[int], list[int]]:
        """(ledger member ids, inflow member ids) ticked among the people listed now."""
        ticked = self.checked_rows()
        return [c.id for c in ticked if c.kind == MEMBER], [c.id for c in ticked if c.kind == INFLOW]

    def reason(self, candidate: Candidate) -> str:
        return self.reasons.get(self.key(candidate), "")

    def absences(self) -> dict[int, str]:
        """Absent ledger members listed now: member id → reason (see ``expects_everyone``)."""
        return {c.id: self.reason(c) for c in self.rows
                if c.kind == MEMBER and not self.state.get(self.key(c))
                and (self._expects_everyone or self.reason(c))}

    def unticked_not_absent(self) -> tuple[int, int]:
        """(inflow members not ticked, ledger members not ticked who do not count as absent)."""
        inflow = members_ = 0
        for c in self.rows:
            if self.state.get(self.key(c)):
                continue
            if c.kind == INFLOW:
                inflow += 1
            elif not self._expects_everyone and not self.reason(c):
                members_ += 1
        return inflow, members_

    # ------------------------------------------------------------ Qt

    def index(self, row: int, column: int = 0, parent: Index = QModelIndex()) -> QModelIndex:
        return super().index(row, column, parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(Column):
            return HEADERS[Column(section)]
        return None

    def _reason_shown(self, row: int) -> tuple[str, bool]:
        """(text, muted) of a row's reason cell."""
        candidate = self.rows[row]
        if self.is_checked(row):
            return "", False
        if candidate.kind == INFLOW:
            return NOT_COUNTED, True
        reason = self.reason(candidate)
        if reason:
            return reason, False
        return (NO_REASON, True) if self._expects_everyone else (NOT_COUNTED, True)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or not 0 <= index.column() < len(Column):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == self.NameRole:
            return row.name
        if role == self.KeyRole:
            return self.key(row)
        if column == Column.NAME:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{row.name}（流入党员）" if row.kind == INFLOW else row.name
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if self.state.get(self.key(row)) else Qt.CheckState.Unchecked
        elif column == Column.ORG:
            if role == Qt.ItemDataRole.DisplayRole:
                return row.org_name
        elif column == Column.REASON:
            if role == Qt.ItemDataRole.DisplayRole:
                return self._reason_shown(index.row())[0]
            if role == Qt.ItemDataRole.EditRole:
                return self.reason(row)
            if role == Qt.ItemDataRole.ForegroundRole and self._reason_shown(index.row())[1]:
                return QBrush(MUTED)
            if role == Qt.ItemDataRole.ToolTipRole and not self.is_checked(index.row()):
                if row.kind == INFLOW:
                    return "流入党员的组织生活由其所在党组织记录，未到会不登记缺席。"
                if not self._expects_everyone and not self.reason(row):
                    return "此类会议只对填写了缺席原因的人员登记缺席。"
                return "按 1–5 选择常用原因，F2 或双击输入其他原因。"
        if role == Qt.ItemDataRole.ToolTipRole:
            kind = "流入党员（组织关系在外地）" if row.kind == INFLOW else "党员"
            return f"{row.name}，{kind}，{row.org_name}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if index.column() == Column.NAME:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        elif index.column() == Column.REASON and self.absence_editable(index.row()):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return False
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == Column.NAME:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
            self.state[self.key(self.rows[index.row()])] = checked
            self._rows_changed(index.row(), index.row())
            self.checked_changed.emit()
            return True
        if (role == Qt.ItemDataRole.EditRole and index.column() == Column.REASON and isinstance(value, str)
                and self.absence_editable(index.row())):
            self.set_rows_reason([index.row()], value)
            return True
        return False


class ReasonDelegate(QStyledItemDelegate):
    """The 缺席原因 cell's editor: an editable combo box of the usual reasons; any text may be typed."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:  # noqa: N802
        editor = QComboBox(parent)
        editor.setObjectName("absenceReasonEditor")
        editor.setEditable(True)
        editor.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        editor.addItems(["", *ABSENCE_REASONS])
        editor.lineEdit().setMaxLength(ABSENCE_REASON_LIMIT)
        editor.lineEdit().setPlaceholderText(NO_REASON)
        editor.activated.connect(lambda _i: self._picked(editor))
        return editor

    def _picked(self, editor: QComboBox) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            editor.setCurrentText(index.data(Qt.ItemDataRole.EditRole) or "")
            editor.lineEdit().selectAll()

    def setModelData(self, editor: QWidget, model, index: Index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText().strip(), Qt.ItemDataRole.EditRole)


class AttendeeTable(QTableView):
    """The checklist's view: Space ticks, digits give a reason, Delete clears it (see the module)."""

    toggle_requested = Signal()
    reason_requested = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if self.state() != QAbstractItemView.State.EditingState:
            key = event.key()
            plain = not event.modifiers() & ~(Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier)
            if key == Qt.Key.Key_Space and plain:
                self.toggle_requested.emit()
                return
            if plain and Qt.Key.Key_1 <= key < Qt.Key.Key_1 + len(ABSENCE_REASONS):
                self.reason_requested.emit(ABSENCE_REASONS[key - Qt.Key.Key_1])
                return
            if plain and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.reason_requested.emit("")
                return
        super().keyPressEvent(event)


class MeetingDialog(QDialog):
    """组织生活登记 (new or edit): the meeting's fields on the left, the attendee checklist on the right,
    checked as the user types; 保存 only once valid. With a ``saver`` the dialog saves on 保存 and stays
    open when the save is refused (``changes`` holds what a successful save changed)."""

    meeting_saved = Signal(object)  # Changes

    def __init__(
        self,
        org_choices: Sequence[tuple[int, str, int]],  # (id, name, depth) in tree order
        find_candidates: CandidateFinder,
        validator: MeetingValidator,
        *,
        org_id: int | None = None,
        data: MeetingInput | None = None,
        checked: tuple[Iterable[int], Iterable[int]] | None = None,  # None: everyone listed is ticked
        absences: Mapping[int, str] | None = None,  # ledger member id -> reason, as stored
        saver: MeetingSaver | None = None,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("meeting_dialog")
        self.setWindowTitle("组织生活登记" if data is None else "编辑组织生活")
        self.find_candidates = find_candidates
        self.validator = validator
        self.saver = saver
        self.changes: Changes | None = None
        self.today = today or date.today()
        self.errors: dict[str, QLabel] = {}
        self.resize(1000, 620)

        self.org = QComboBox()
        self.org.setObjectName("org")
        for choice_id, name, depth in org_choices:
            self.org.addItem("　" * depth + name, choice_id)
        self.held_on = QDateEdit(to_qdate(self.today))
        self.held_on.setObjectName("heldOn")
        self.held_on.setCalendarPopup(True)
        self.held_on.setDisplayFormat("yyyy-MM-dd")
        self.held_on.setMaximumDate(to_qdate(self.today))
        self.kind = QComboBox()
        self.kind.setObjectName("kind")
        self.kind.addItems(list(MEETING_KINDS))
        self.topic = QLineEdit()
        self.topic.setObjectName("topic")
        self.topic.setPlaceholderText("例如：学习党的二十届四中全会精神")
        self.place = QLineEdit()
        self.place.setObjectName("place")
        self.place.setPlaceholderText("例如：社区党群服务中心")
        self.note = QPlainTextEdit()
        self.note.setObjectName("note")
        self.note.setPlaceholderText("会议内容、议程或决定事项（可不填）")
        self.note.setTabChangesFocus(True)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, widget, name in (("党组织 *", self.org, "org_id"), ("会议日期 *", self.held_on, "held_on"),
                                    ("会议类型 *", self.kind, "kind"), ("会议主题 *", self.topic, "topic"),
                                    ("会议地点", self.place, "place"), ("备注", self.note, "note")):
            form.addRow(label, self._with_error(widget, name))

        # ------------------------------------------------------------ the checklist
        self.model = AttendeeModel(self)
        self.model.expects_everyone = self.kind.currentText() in ALL_MEMBER_KINDS
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(AttendeeModel.NameRole)
        self.proxy.setFilterKeyColumn(Column.NAME)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit()
        self.filter.setObjectName("attendeeFilter")
        self.filter.setPlaceholderText("按姓名筛选")
        self.filter.setClearButtonEnabled(True)
        self.list = AttendeeTable()
        self.list.setObjectName("attendeeList")
        self.list.setModel(self.proxy)
        self.list.setItemDelegateForColumn(Column.REASON, ReasonDelegate(self.list))
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.list.setTabKeyNavigation(False)
        self.list.setWordWrap(False)
        self.list.setAlternatingRowColors(True)
        self.list.verticalHeader().hide()
        self.list.verticalHeader().setDefaultSectionSize(26)
        self.list.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.list.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        self.list.setColumnWidth(Column.NAME, 150)
        self.list.setColumnWidth(Column.ORG, 150)
        self.list.setMinimumWidth(440)
        self.list.toggle_requested.connect(self.toggle_selected)
        self.list.reason_requested.connect(self.set_reason_for_selected)
        self.select_all = QPushButton("全选")
        self.select_all.setObjectName("selectAll")
        self.select_none = QPushButton("全不选")
        self.select_none.setObjectName("selectNone")
        self.reason_button = QPushButton("缺席原因")
        self.reason_button.setObjectName("setAbsenceReason")
        self.reason_button.setToolTip("为所选的未出席人员填写缺席原因（数字键 1–5，Ctrl+R 打开此菜单）")
        self.reason_menu = QMenu(self.reason_button)
        self.reason_menu.setObjectName("absenceReasonMenu")
        for number, reason in enumerate(ABSENCE_REASONS, 1):
            action = self.reason_menu.addAction(f"{number}  {reason}")
            action.triggered.connect(lambda _c=False, r=reason: self.set_reason_for_selected(r))
        self.reason_menu.addSeparator()
        self.reason_menu.addAction("其他原因…").triggered.connect(self.ask_reason_for_selected)
        self.reason_menu.addAction("清除原因").triggered.connect(lambda: self.set_reason_for_selected(""))
        self.reason_button.setMenu(self.reason_menu)
        QShortcut(QKeySequence("Ctrl+R"), self, activated=self.reason_button.showMenu)
        self.count = QLabel()
        self.count.setObjectName("attendeeCount")
        self.count.setWordWrap(True)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.select_all)
        buttons_row.addWidget(self.select_none)
        buttons_row.addStretch(1)
        buttons_row.addWidget(self.reason_button)
        people = QVBoxLayout()
        people.setSpacing(4)
        heading = QLabel("参会人员 *（勾选出席的人员）")
        heading.setObjectName("attendeeHeading")
        people.addWidget(heading)
        people.addWidget(self.filter)
        people.addWidget(self.list, 1)
        people.addLayout(buttons_row)
        people.addWidget(self.count)
        self.errors["attendees"] = error_label("attendeesError")
        people.addWidget(self.errors["attendees"])
        self.errors["absences"] = error_label("absencesError")
        people.addWidget(self.errors["absences"])
        for name, text in (("attendeeHint", "列出所选党组织及其下级组织的在册党员，以及在本组织活动的流入党员。"),
                           ("attendeeKeys", KEYS_HINT)):
            hint = QLabel(text)
            hint.setObjectName(name)
            hint.setWordWrap(True)
            hint.setStyleSheet("color: #777777;")
            people.addWidget(hint)

        body = QHBoxLayout()
        body.addLayout(form, 4)
        body.addSpacing(12)
        body.addLayout(people, 5)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("saveMeeting")
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.general_error = error_label("formError")
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

        # ------------------------------------------------------------ values, then signals
        if data is not None:
            self._set_value(data)
        elif org_id is not None:
            self.org.setCurrentIndex(max(self.org.findData(org_id), 0))
        if checked is not None:
            member_ids, inflow_ids = checked
            self.model.default_checked = False
            self.model.set_checked([(MEMBER, i) for i in member_ids] + [(INFLOW, i) for i in inflow_ids])
        if absences:
            self.model.set_checked([(MEMBER, i) for i in absences], False)
            self.model.set_reasons({(MEMBER, i): reason for i, reason in absences.items()})
        self.model.expects_everyone = self.kind.currentText() in ALL_MEMBER_KINDS
        self.org.currentIndexChanged.connect(lambda _i: self.reload_candidates())
        self.held_on.dateChanged.connect(lambda _d: self.reload_candidates())
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        for edit in (self.topic, self.place):
            edit.textChanged.connect(lambda _t: self.revalidate())
        self.note.textChanged.connect(self.revalidate)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.filter.textChanged.connect(lambda _t: self._update_count())
        self.select_all.clicked.connect(lambda: self.check_visible(True))
        self.select_none.clicked.connect(lambda: self.check_visible(False))
        self.model.checked_changed.connect(self.revalidate)
        self.model.reasons_changed.connect(self.revalidate)
        self.reload_candidates()
        self.topic.setFocus()

    def _with_error(self, widget: QWidget, name: str) -> QWidget:
        box = QWidget()
        box.setLayout(with_error(widget, name, self.errors))
        return box

    def _set_value(self, data: MeetingInput) -> None:
        index = self.org.findData(data.org_id)
        self.org.setCurrentIndex(max(index, 0))
        if data.held_on is not None:
            self.held_on.setDate(to_qdate(data.held_on))
        if data.kind in MEETING_KINDS:
            self.kind.setCurrentText(data.kind)
        self.topic.setText(data.topic)
        self.place.setText(data.place)
        self.note.setPlainText(data.note)

    # ------------------------------------------------------------ the checklist

    def selected_org(self) -> int | None:
        return self.org.currentData()

    def reload_candidates(self) -> None:
        org_id = self.selected_org()
        rows = self.find_candidates(org_id, to_date(self.held_on.date())) if org_id is not None else []
        self.model.set_candidates(rows)  # emits checked_changed: revalidates

    def check_visible(self, checked: bool) -> None:
        """全选 / 全不选: the people the filter shows."""
        rows = [self.proxy.mapToSource(self.proxy.index(r, 0)).row() for r in range(self.proxy.rowCount())]
        self.model.set_rows_checked(rows, checked)

    def _kind_changed(self) -> None:
        self.model.expects_everyone = self.kind.currentText() in ALL_MEMBER_KINDS  # revalidates
        self.revalidate()

    def selected_rows(self) -> list[int]:
        """Source rows of the selected lines, or of the current line when none is selected."""
        rows = {self.proxy.mapToSource(i).row() for i in self.list.selectionModel().selectedRows()}
        if not rows and self.list.currentIndex().isValid():
            rows = {self.proxy.mapToSource(self.list.currentIndex()).row()}
        return sorted(rows)

    def toggle_selected(self) -> None:
        """Space: tick or untick the current line; with several lines selected, all of them as the
        current line goes."""
        current = self.list.currentIndex()
        if not current.isValid():
            return
        row = self.proxy.mapToSource(current).row()
        rows = self.selected_rows()
        if row not in rows:
            rows = [row]
        self.model.set_rows_checked(rows, not self.model.is_checked(row))

    def set_reason_for_selected(self, reason: str) -> int:
        """Give the selected lines that are absent members ``reason`` (empty: clear); how many."""
        return self.model.set_rows_reason(self.selected_rows(), reason)

    def ask_reason_for_selected(self) -> None:
        rows = [r for r in self.selected_rows() if self.model.absence_editable(r)]
        if not rows:
            QMessageBox.information(self, "缺席原因", "请先在名单中选择未出席（未勾选）的党员。")
            return
        items = [*ABSENCE_REASONS]
        current = self.model.reason(self.model.rows[rows[0]])
        if current and current not in items:
            items.insert(0, current)
        reason, ok = QInputDialog.getItem(self, "缺席原因", f"为所选的 {len(rows)} 名未出席党员填写缺席原因：",
                                          items, items.index(current) if current else len(items) - 1, True)
        if ok:
            self.model.set_rows_reason(rows, reason)

    def _update_count(self) -> None:
        present = len(self.model.checked_rows())
        absences = self.model.absences()
        explained = sum(1 for reason in absences.values() if reason)
        text = f"出席 {present} 人，缺席 {len(absences)} 人"
        if absences:
            text += f"（已说明原因 {explained} 人）"
        inflow, not_counted = self.model.unticked_not_absent()
        if not_counted:
            text += f"，未填原因不计缺席 {not_counted} 人"
        if inflow:
            text += f"，流入党员未到 {inflow} 人"
        if self.filter.text().strip():
            text += f"；筛选出 {self.proxy.rowCount()} 人"
        self.count.setText(text)

    # ------------------------------------------------------------ values

    def value(self) -> MeetingInput:
        return MeetingInput(org_id=self.selected_org(), held_on=to_date(self.held_on.date()),
                            kind=self.kind.currentText(), topic=self.topic.text(), place=self.place.text(),
                            note=self.note.toPlainText())

    def attendee_ids(self) -> tuple[list[int], list[int]]:
        return self.model.checked_ids()

    def absences(self) -> dict[int, str]:
        """Absent ledger members: id → reason (empty: none given)."""
        return self.model.absences()

    def revalidate(self) -> bool:
        self._update_count()
        errors = self.validator(self.value(), *self.attendee_ids(), self.absences())
        self.show_errors(errors)
        self.ok.setEnabled(not errors)
        return not errors

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, label in self.errors.items():
            show_error_on(label, errors.get(name))
        show_error_on(self.general_error, " ".join(m for name, m in errors.items() if name not in self.errors))

    def accept(self) -> None:
        if not self.revalidate():
            return
        if self.saver is not None:
            try:
                self.changes = self.saver(self.value(), *self.attendee_ids(), self.absences())
            except ValidationError as exc:
                self.show_errors(exc.errors)
                self.ok.setEnabled(False)
                return
            except (AppError, DatabaseError) as exc:
                QMessageBox.warning(self, ACTION, str(exc))
                return
            self.meeting_saved.emit(self.changes)
        super().accept()


# ---------------------------------------------------------------- one-line entry


def _org_choices(session, keep: int | None) -> list[tuple[int, str, int]]:
    nodes = orgs.list_tree(session, include_dissolved=keep is not None)
    return [(n.id, n.name, n.depth) for n in nodes if n.active or n.id == keep]


def open_meeting_dialog(
    parent: QWidget | None, database, *, org_id: int | None = None, preselect_member_ids: Iterable[int] = (),
    meeting_id: int | None = None,
) -> Changes | None:
    """Show 组织生活登记 modally and save it in one unit of work; the Changes, or None when cancelled.

    - ``org_id``: the organisation to start with (else the first preselected member's, else the one
      used last time, else the top one);
    - ``preselect_member_ids``: only these are ticked (else everyone listed is);
    - ``meeting_id``: edit that meeting instead.

    A read-only database opens nothing (the callers' actions are disabled there).
    """
    if database.readonly:
        return None
    preselect = list(preselect_member_ids)
    data: MeetingInput | None = None
    checked: tuple[list[int], list[int]] | None = ([], []) if preselect else None
    absences: dict[int, str] = {}
    with database.read() as session:
        if meeting_id is not None:
            data, member_ids, inflow_ids = meetings.load_meeting(session, meeting_id)
            absences = meetings.meeting_absences(session, meeting_id)
            checked = (member_ids, inflow_ids)
            org_id = data.org_id
        elif preselect:
            checked = (preselect, [])
            if org_id is None:
                org_id = members.get(session, preselect[0]).data.org_id
        choices = _org_choices(session, org_id if meeting_id is not None else None)
    if org_id is None:
        remembered = ui_settings().value(LAST_ORG_KEY)
        known = {choice[0] for choice in choices}
        org_id = int(remembered) if str(remembered or "").isdigit() and int(remembered) in known else None
    # people already on a meeting being edited stay listed, wherever they are now
    extra = ([*checked[0], *absences], checked[1]) if meeting_id is not None and checked else ([], [])

    def find_candidates(org: int, day: date) -> list[Candidate]:
        with database.read() as session:
            return meetings.candidates(session, org, day, extra_member_ids=extra[0], extra_inflow_ids=extra[1])

    def validate(value: MeetingInput, member_ids: list[int], inflow_ids: list[int],
                 absent: dict[int, str]) -> dict[str, str]:
        with database.read() as session:
            return meetings.validate_meeting(session, value, member_ids, inflow_ids, absences=absent)[0]

    def save(value: MeetingInput, member_ids: list[int], inflow_ids: list[int], absent: dict[int, str]) -> Changes:
        with database.unit_of_work(ACTION) as session:
            if meeting_id is None:
                return meetings.record_meeting(session, value, member_ids, inflow_ids, absences=absent)[1]
            return meetings.update_meeting(session, meeting_id, value, member_ids, inflow_ids, absences=absent)

    dialog = MeetingDialog(choices, find_candidates, validate, org_id=org_id, data=data, checked=checked,
                           absences=absences, saver=save, parent=parent)
    if not dialog.exec() or dialog.changes is None:
        return None
    if dialog.selected_org() is not None:
        ui_settings().setValue(LAST_ORG_KEY, dialog.selected_org())
    return dialog.changes
