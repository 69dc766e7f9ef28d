"""流动党员之家 dialogs: 外出登记 (new or edit), 登记返回, 记录联系, 失联处置."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.floating import (
    CHANNELS,
    CONFIRM_LOST,
    FOUND_AGAIN,
    REASONS,
    SEARCH,
    STOP_STANDING,
    ContactInput,
    OutflowInput,
)
from ui.common import (
    OptionalDateEdit,
    camel,
    day_edit,
    error_label,
    fill_found,
    found_id,
    show_error_on,
    to_date,
    with_error,
)

# (member_id or None, input) -> (errors by field, cleaned input)
OutflowValidator = Callable[[int | None, OutflowInput], tuple[dict[str, str], OutflowInput]]
# search text -> [(member id, label)]
MemberFinder = Callable[[str], list[tuple[int, str]]]

_TEXT_FIELDS = (
    ("destination_province", "外出省份", "例如：广东省"),
    ("destination_city", "外出城市", "例如：深圳市"),
    ("destination_address", "详细地址", ""),
    ("employer", "工作单位或学校", ""),
    ("host_org", "流入地党组织", ""),
    ("host_contact", "流入地党组织联系人", "姓名和电话"),
    ("certificate_no", "活动证编号", ""),
)
_DATE_FIELDS = (
    ("expected_return_on", "预计返回日期"),
    ("certificate_issued_on", "活动证发证日期"),
    ("certificate_valid_until", "活动证有效期至"),
)




class OutflowDialog(QDialog):
    """外出登记: every OutflowInput field, checked as the user types; OK only once valid.

    ``member_id`` None: a new registration, with a searchable member list (``find_members``).
    """

    def __init__(self, validator: OutflowValidator, modes: Sequence[str], *, member_id: int | None = None,
                 member_name: str = "", data: OutflowInput | None = None,
                 find_members: MemberFinder | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outflow_dialog")
        self.validator = validator
        self.member_id = member_id
        self.find_members = find_members
        editing = data is not None
        self.setWindowTitle(f"编辑外出登记 — {member_name}" if editing else "登记外出")
        self.setMinimumWidth(520)
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()

        def row(label: str, widget: QWidget, name: str) -> None:
            form.addRow(label, with_error(widget, name, self.errors))

        self.member_search = QLineEdit()
        self.member_search.setObjectName("memberSearch")
        self.member_search.setPlaceholderText("输入姓名、拼音首字母或手机号查找在册党员")
        self.member_list = QListWidget()
        self.member_list.setObjectName("memberList")
        self.member_list.setMaximumHeight(110)
        if member_id is None:
            picker = QWidget()
            pick = QVBoxLayout(picker)
            pick.setContentsMargins(0, 0, 0, 0)
            pick.addWidget(self.member_search)
            pick.addWidget(self.member_list)
            row("党员 *", picker, "member_id")
            self._search_timer = QTimer(self)
            self._search_timer.setSingleShot(True)
            self._search_timer.setInterval(120)
            self._search_timer.timeout.connect(self.search_members)
            self.member_search.textChanged.connect(lambda _t: self._search_timer.start())
            self.member_list.currentRowChanged.connect(lambda _r: self.revalidate())
        else:
            form.addRow("党员", QLabel(member_name))

        self.left_on = OptionalDateEdit()
        self.left_on.setObjectName("leftOn")
        self.left_on.setMaximumDate(QDate.currentDate())
        if not editing:
            self.left_on.setDate(QDate.currentDate())
        row("外出日期 *", self.left_on, "left_on")
        self.texts: dict[str, QLineEdit] = {}
        for name, label, hint in _TEXT_FIELDS[:4]:
            self.texts[name] = self._line(name, hint)
            row(label + (" *" if name == "destination_city" else ""), self.texts[name], name)
        self.reason = QComboBox()
        self.reason.setObjectName("reason")
        self.reason.addItems(list(REASONS))
        row("外出原因 *", self.reason, "reason")
        self.dates: dict[str, OptionalDateEdit] = {}
        self.dates["expected_return_on"] = self._date("expected_return_on")
        row("预计返回日期", self.dates["expected_return_on"], "expected_return_on")
        for name, label, hint in _TEXT_FIELDS[4:6]:
            self.texts[name] = self._line(name, hint)
            row(label, self.texts[name], name)
        self.mode = QComboBox()
        self.mode.setObjectName("managementMode")
        self.mode.addItem("（未填写）", "")
        for mode in modes:
            self.mode.addItem(mode, mode)
        if data is not None and data.management_mode and data.management_mode not in modes:
            self.mode.addItem(data.management_mode, data.management_mode)
        row("管理方式", self.mode, "management_mode")
        self.texts["certificate_no"] = self._line("certificate_no", "")
        row("活动证编号", self.texts["certificate_no"], "certificate_no")
        for name, label in _DATE_FIELDS[1:]:
            self.dates[name] = self._date(name)
            row(label, self.dates[name], name)
        self.note = QLineEdit()
        self.note.setObjectName("note")
        row("备注", self.note, "note")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("saveOutflow")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        if data is not None:
            self.set_value(data)
        for edit in (*self.texts.values(), self.note):
            edit.textChanged.connect(lambda _t: self.revalidate())
        for edit in (self.left_on, *self.dates.values()):
            edit.dateChanged.connect(lambda _d: self.revalidate())
        for box in (self.reason, self.mode):
            box.currentIndexChanged.connect(lambda _i: self.revalidate())
        if member_id is None:
            self.search_members()
            self.member_search.setFocus()
        self.revalidate()

    def _line(self, name: str, hint: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(camel(name))
        edit.setPlaceholderText(hint)
        return edit

    def _date(self, name: str) -> OptionalDateEdit:
        edit = OptionalDateEdit()
        edit.setObjectName(camel(name))
        return edit

    # ------------------------------------------------------------ member

    def search_members(self) -> None:
        if self.find_members is None:
            return
        fill_found(self.member_list, self.find_members(self.member_search.text().strip()), self.selected_member())
        self.revalidate()

    def selected_member(self) -> int | None:
        if self.member_id is not None:
            return self.member_id
        return found_id(self.member_list)

    # ------------------------------------------------------------ values

    def set_value(self, data: OutflowInput) -> None:
        self.left_on.set_value(data.left_on)
        for name, edit in self.texts.items():
            edit.setText(getattr(data, name))
        for name, edit in self.dates.items():
            edit.set_value(getattr(data, name))
        if data.reason in REASONS:
            self.reason.setCurrentText(data.reason)
        self.mode.setCurrentIndex(max(self.mode.findData(data.management_mode), 0))
        self.note.setText(data.note)

    def value(self) -> OutflowInput:
        return OutflowInput(
            left_on=self.left_on.value(),
            reason=self.reason.currentText(),
            management_mode=self.mode.currentData() or "",
            note=self.note.text(),
            **{name: edit.text() for name, edit in self.texts.items()},
            **{name: edit.value() for name, edit in self.dates.items()},
        )

    def revalidate(self) -> bool:
        member_id = self.selected_member()
        if member_id is None:
            errors = {"member_id": "请从列表中选择要登记外出的党员。"}
        else:
            errors, _clean = self.validator(member_id, self.value())
        for name, label in self.errors.items():
            show_error_on(label, errors.get(name))
        self.ok.setEnabled(not errors)
        return not errors


class ReturnDialog(QDialog):
    """登记返回: the day the member came back (not after today, not before leaving)."""

    def __init__(self, name: str, left_on: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("return_dialog")
        self.setWindowTitle(f"登记返回 — {name}")
        self.setMinimumWidth(380)
        intro = QLabel(f"{name} 于 {left_on:%Y-%m-%d} 外出。登记返回后不再计入流动党员，外出记录保留。")
        intro.setWordWrap(True)
        self.on = day_edit("returnedOn", earliest=left_on)
        form = QFormLayout()
        form.addRow("返回日期 *", self.on)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("确认返回", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("confirmReturn")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def value(self) -> date:
        return to_date(self.on.date())


class ContactDialog(QDialog):
    """记录联系: prefilled with today, 电话, 联系上 — the user only writes what was said."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contact_dialog")
        self.setWindowTitle(f"记录联系 — {name}")
        self.setMinimumWidth(440)
        self.on = day_edit("contactedOn")
        self.channel = QComboBox()
        self.channel.setObjectName("channel")
        self.channel.addItems(list(CHANNELS))
        self.reached = QCheckBox("联系上")
        self.reached.setObjectName("reached")
        self.reached.setChecked(True)
        self.report = QCheckBox("本人向党组织报告情况（每年至少一次）")
        self.report.setObjectName("isReport")
        self.reached.toggled.connect(self._reached_changed)
        self.summary = QPlainTextEdit()
        self.summary.setObjectName("summary")
        self.summary.setPlaceholderText("联系情况：近况、思想工作、是否参加组织生活、交纳党费等")
        self.summary.setMinimumHeight(90)
        form = QFormLayout()
        form.addRow("联系日期 *", self.on)
        form.addRow("联系方式 *", self.channel)
        form.addRow("", self.reached)
        form.addRow("", self.report)
        form.addRow("联系情况", self.summary)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("saveContact")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.summary.setFocus()

    def _reached_changed(self, reached: bool) -> None:
        # a report is something the member did: only a contact that reached them can be one
        self.report.setEnabled(reached)
        if not reached:
            self.report.setChecked(False)

    def value(self) -> ContactInput:
        return ContactInput(contacted_on=to_date(self.on.date()), channel=self.channel.currentText(),
                            reached=self.reached.isChecked(), summary=self.summary.toPlainText(),
                            is_report=self.report.isChecked())


LOST_KIND_HINTS = {
    SEARCH: "记录为寻找该党员采取的措施，例如：走访原单位、联系家属、函询流入地党组织。",
    CONFIRM_LOST: "满六个月未联系上且此后联系未果的，由支部确认失联；台账中将标记为失联党员。",
    FOUND_AGAIN: "已重新取得联系：清除失联标记，恢复停止的党籍，联系时间自该日重新计算。",
    STOP_STANDING: "确认失联后，经支部研究停止其党籍；本人回来后可重新纳入管理。",
}


class LostEventDialog(QDialog):
    """失联处置: one step (寻找 / 确认失联 / 重新纳入管理 / 停止党籍) with its date and a note; the
    steps so far are listed above. ``kinds`` are the ones that make sense now (the page decides)."""

    def __init__(self, name: str, kinds: Sequence[str], history: Sequence[str], status_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lost_event_dialog")
        self.setWindowTitle(f"失联处置 — {name}")
        self.setMinimumWidth(520)
        status = QLabel(status_text)
        status.setObjectName("lostStatus")
        status.setWordWrap(True)
        self.history = QListWidget()
        self.history.setObjectName("lostHistory")
        self.history.setMaximumHeight(110)
        for line in history or ("尚无处置记录。",):
            self.history.addItem(line)
        self.kind = QComboBox()
        self.kind.setObjectName("lostKind")
        self.kind.addItems(list(kinds))
        self.hint = QLabel()
        self.hint.setObjectName("lostHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #777777;")
        self.on = day_edit("lostOn")
        self.note = QPlainTextEdit()
        self.note.setObjectName("lostNote")
        self.note.setMinimumHeight(70)
        self.error = error_label("lostError")
        form = QFormLayout()
        form.addRow("处置 *", self.kind)
        form.addRow("", self.hint)
        form.addRow("日期 *", self.on)
        form.addRow("说明", self.note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("saveLostEvent")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(status)
        layout.addWidget(QLabel("已有处置记录："))
        layout.addWidget(self.history)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.kind.currentTextChanged.connect(self._kind_changed)
        self.note.textChanged.connect(self._check)
        self._kind_changed(self.kind.currentText())
        self.note.setFocus()

    def _kind_changed(self, kind: str) -> None:
        self.hint.setText(LOST_KIND_HINTS.get(kind, ""))
        self.note.setPlaceholderText("采取的措施和结果（必填）" if kind == SEARCH else "说明（可不填），例如支部会议的决定")
        self._check()

    def _check(self) -> None:
        missing = self.kind.currentText() == SEARCH and not self.note.toPlainText().strip()
        show_error_on(self.error, "请写明采取的寻找措施。" if missing and self.note.toPlainText() else None)
        self.ok.setEnabled(not missing and self.kind.count() > 0)

    def value(self) -> tuple[str, date, str]:
        return self.kind.currentText(), to_date(self.on.date()), self.note.toPlainText()

