"""组织生活登记: one meeting and who was there, ticked on a checklist of the organisation's people.

``open_meeting_dialog`` is the one-line entry for the 工作台, the member form and the floating page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
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
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import meetings, members, orgs
from app.changes import Changes
from app.errors import AppError, DatabaseError, ValidationError
from app.meetings import INFLOW, MEETING_KINDS, MEMBER, Candidate, MeetingInput
from ui.common import error_label, show_error_on, to_date, to_qdate, ui_settings, with_error

Index = QModelIndex | QPersistentModelIndex
Key = tuple[str, int]  # (MEMBER or INFLOW, id)
# (org id, day) -> the people who may be ticked
CandidateFinder = Callable[[int, date], list[Candidate]]
# (input, member ids, inflow ids) -> errors by field
MeetingValidator = Callable[[MeetingInput, list[int], list[int]], dict[str, str]]
# (input, member ids, inflow ids) -> what was changed; raises AppError when refused
MeetingSaver = Callable[[MeetingInput, list[int], list[int]], Changes]
LAST_ORG_KEY = "meetings/last_org"
ACTION = "组织生活登记"





class AttendeeModel(QAbstractListModel):
    """The checklist: candidates with a check box each. A person keeps their tick across reloads (another
    day or organisation); people new to the list get ``default_checked``."""

    checked_changed = Signal()
    KeyRole = Qt.ItemDataRole.UserRole + 1
    NameRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[Candidate] = []
        self.state: dict[Key, bool] = {}  # every person seen so far, listed now or not
        self.default_checked = True

    @staticmethod
    def key(candidate: Candidate) -> Key:
        return candidate.kind, candidate.id

    def set_candidates(self, rows: Sequence[Candidate]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        for row in self.rows:
            self.state.setdefault(self.key(row), self.default_checked)
        self.endResetModel()
        self.checked_changed.emit()

    def set_checked(self, keys: Iterable[Key], checked: bool = True) -> None:
        """Tick (or untick) people, listed now or later."""
        for key in keys:
            self.state[key] = checked
        if self.rows:
            self.dataChanged.emit(self.index(0), self.index(len(self.rows) - 1), [Qt.ItemDataRole.CheckStateRole])
        self.checked_changed.emit()

    def set_rows_checked(self, rows: Iterable[int], checked: bool) -> None:
        rows = sorted(r for r in set(rows) if 0 <= r < len(self.rows))
        if not rows:
            return
        for row in rows:
            self.state[self.key(self.rows[row])] = checked
        self.dataChanged.emit(self.index(rows[0]), self.index(rows[-1]), [Qt.ItemDataRole.CheckStateRole])
        self.checked_changed.emit()

    def checked_rows(self) -> list[Candidate]:
        return [row for row in self.rows if self.state.get(self.key(row))]

    def checked_ids(self) -> tuple[list[int], list[int]]:
        """(ledger member ids, inflow member ids) ticked among the people listed now."""
        ticked = self.checked_rows()
        return [c.id for c in ticked if c.kind == MEMBER], [c.id for c in ticked if c.kind == INFLOW]

    # ------------------------------------------------------------ Qt

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.name}（流入党员）　{row.org_name}" if row.kind == INFLOW else f"{row.name}　{row.org_name}"
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if self.state.get(self.key(row)) else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            kind = "流入党员（组织关系在外地）" if row.kind == INFLOW else "党员"
            return f"{row.name}，{kind}，{row.org_name}"
        if role == self.NameRole:
            return row.name
        if role == self.KeyRole:
            return self.key(row)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
                | Qt.ItemFlag.ItemNeverHasChildren)

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or not 0 <= index.row() < len(self.rows):
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
        self.state[self.key(self.rows[index.row()])] = checked
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checked_changed.emit()
        return True


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
        self.resize(860, 560)

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
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(AttendeeModel.NameRole)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit()
        self.filter.setObjectName("attendeeFilter")
        self.filter.setPlaceholderText("按姓名筛选")
        self.filter.setClearButtonEnabled(True)
        self.list = QListView()
        self.list.setObjectName("attendeeList")
        self.list.setModel(self.proxy)
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setMinimumWidth(300)
        self.select_all = QPushButton("全选")
        self.select_all.setObjectName("selectAll")
        self.select_none = QPushButton("全不选")
        self.select_none.setObjectName("selectNone")
        self.count = QLabel()
        self.count.setObjectName("attendeeCount")
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.select_all)
        buttons_row.addWidget(self.select_none)
        buttons_row.addStretch(1)
        buttons_row.addWidget(self.count)
        people = QVBoxLayout()
        people.setSpacing(4)
        heading = QLabel("参会人员 *")
        heading.setObjectName("attendeeHeading")
        people.addWidget(heading)
        people.addWidget(self.filter)
        people.addWidget(self.list, 1)
        people.addLayout(buttons_row)
        self.errors["attendees"] = error_label("attendeesError")
        people.addWidget(self.errors["attendees"])
        hint = QLabel("列出所选党组织及其下级组织的在册党员，以及在本组织活动的流入党员。")
        hint.setObjectName("attendeeHint")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #777777;")
        people.addWidget(hint)

        body = QHBoxLayout()
        body.addLayout(form, 5)
        body.addSpacing(12)
        body.addLayout(people, 4)
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
        self.org.currentIndexChanged.connect(lambda _i: self.reload_candidates())
        self.held_on.dateChanged.connect(lambda _d: self.reload_candidates())
        self.kind.currentIndexChanged.connect(lambda _i: self.revalidate())
        for edit in (self.topic, self.place):
            edit.textChanged.connect(lambda _t: self.revalidate())
        self.note.textChanged.connect(self.revalidate)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.filter.textChanged.connect(lambda _t: self._update_count())
        self.select_all.clicked.connect(lambda: self.check_visible(True))
        self.select_none.clicked.connect(lambda: self.check_visible(False))
        self.model.checked_changed.connect(self.revalidate)
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

    def _update_count(self) -> None:
        text = f"已选 {len(self.model.checked_rows())} / {self.model.rowCount()} 人"
        if self.filter.text().strip():
            text += f"（筛选出 {self.proxy.rowCount()} 人）"
        self.count.setText(text)

    # ------------------------------------------------------------ values

    def value(self) -> MeetingInput:
        return MeetingInput(org_id=self.selected_org(), held_on=to_date(self.held_on.date()),
                            kind=self.kind.currentText(), topic=self.topic.text(), place=self.place.text(),
                            note=self.note.toPlainText())

    def attendee_ids(self) -> tuple[list[int], list[int]]:
        return self.model.checked_ids()

    def revalidate(self) -> bool:
        self._update_count()
        errors = self.validator(self.value(), *self.attendee_ids())
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
                self.changes = self.saver(self.value(), *self.attendee_ids())
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
    with database.read() as session:
        if meeting_id is not None:
            data, member_ids, inflow_ids = meetings.load_meeting(session, meeting_id)
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
    extra = checked if meeting_id is not None else ([], [])

    def find_candidates(org: int, day: date) -> list[Candidate]:
        with database.read() as session:
            return meetings.candidates(session, org, day, extra_member_ids=extra[0], extra_inflow_ids=extra[1])

    def validate(value: MeetingInput, member_ids: list[int], inflow_ids: list[int]) -> dict[str, str]:
        with database.read() as session:
            return meetings.validate_meeting(session, value, member_ids, inflow_ids)[0]

    def save(value: MeetingInput, member_ids: list[int], inflow_ids: list[int]) -> Changes:
        with database.unit_of_work(ACTION) as session:
            if meeting_id is None:
                return meetings.record_meeting(session, value, member_ids, inflow_ids)[1]
            return meetings.update_meeting(session, meeting_id, value, member_ids, inflow_ids)

    dialog = MeetingDialog(choices, find_candidates, validate, org_id=org_id, data=data, checked=checked,
                           saver=save, parent=parent)
    if not dialog.exec() or dialog.changes is None:
        return None
    if dialog.selected_org() is not None:
        ui_settings().setValue(LAST_ORG_KEY, dialog.selected_org())
    return dialog.changes
