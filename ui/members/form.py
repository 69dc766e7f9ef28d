"""The member form: every field of the national form and the office's, checked as the user types."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app import members
from app.members import MemberInput, MemberRecord
from app.orgs import OrgNode
from ui.common import OptionalDateEdit, error_label, show_error_on

Validator = Callable[[MemberInput], tuple[dict[str, str], MemberInput]]
PHOTO_SIZE = (120, 160)  # a 1-inch photo's proportions


def _combo(items, name: str, editable: bool = False) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    box.addItems(list(items))
    box.setEditable(editable)
    return box


class MemberDialog(QDialog):
    """新增 / 编辑党员. ``value()`` is the MemberInput; ``photo`` the new photo bytes (or None to
    remove it; ``photo_changed`` says whether it changed)."""

    def __init__(
        self,
        validator: Validator,
        org_nodes: list[OrgNode],
        *,
        record: MemberRecord | None = None,
        photo: bytes | None = None,
        default_org_id: int | None = None,
        history: list | None = None,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("member_dialog")
        self.validator = validator
        self.today = today or date.today()
        self.setWindowTitle(f"编辑党员 — {record.name}" if record else "新增党员")
        self.resize(900, 680)
        self.photo = photo
        self.photo_changed = False
        self._touched: set[str] = set()
        self._show_all = record is not None
        self.edits: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}

        body = QWidget()
        grid = QGridLayout(body)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        basic = self._group("基本信息", [
            ("name", "姓名 *", QLineEdit()),
            ("id_number", "公民身份号码 *", QLineEdit()),
            ("sex", "性别", _combo(["", *members.SEXES], "sex")),
            ("birth_date", "出生日期", OptionalDateEdit()),
            ("ethnicity", "民族", _combo(members.ETHNICITIES, "ethnicity")),
            ("native_place", "籍贯", QLineEdit()),
            ("education", "学历", _combo(["", *members.EDUCATION], "education")),
            ("degree", "学位", _combo(members.DEGREES, "degree")),
        ])
        self.edits["id_number"].setPlaceholderText("18 位；旧版 15 位会自动转换")
        self.edits["sex"].setToolTip("不填则按身份证号")
        self.edits["birth_date"].setToolTip("不填则按身份证号")
        party = self._group("党籍信息", [
            ("org_id", "所在党组织 *", QComboBox()),
            ("category", "人员类别 *", _combo(members.CATEGORIES, "category")),
            ("joined_on", "入党日期 *", OptionalDateEdit()),
            ("confirmed_on", "转正日期", OptionalDateEdit()),
            ("probation_extended", "", QCheckBox("延长预备期")),
            ("standing", "党籍状态", _combo(members.STANDINGS, "standing")),
            ("party_post", "党内职务", _combo(members.PARTY_POSTS, "party_post")),
            ("introducers", "入党介绍人", QLineEdit()),
        ])
        self.due_label = QLabel()
        self.due_label.setObjectName("confirmationDue")
        self.due_label.setStyleSheet("color: #b9770e;")
        party.layout().addRow("", self.due_label)
        work = self._group("工作与联系", [
            ("occupation", "工作岗位", _combo(["", *members.OCCUPATIONS], "occupation")),
            ("employer", "工作单位及职务", QLineEdit()),
            ("work_started_on", "参加工作时间", OptionalDateEdit()),
            ("report_unit", "在职党员报到单位", QLineEdit()),
            ("mobile", "手机", QLineEdit()),
            ("landline", "固定电话", QLineEdit()),
            ("address", "家庭住址", QLineEdit()),
        ])
        self.edits["address"].setPlaceholderText("写到门牌号，例如 幸福里3号楼2单元301")
        other = self._group("其他", [
            ("in_hardship", "", QCheckBox("困难党员")),
            ("floating", "", QCheckBox("流动党员")),
            ("floating_destination", "外出流向", QLineEdit()),
            ("lost_contact", "", QCheckBox("失联党员")),
            ("lost_contact_on", "失去联系日期", OptionalDateEdit()),
            ("note", "备注", QPlainTextEdit()),
        ])
        self.edits["note"].setFixedHeight(56)
        # Derived from the 流动党员之家's records: shown, never edited here.
        derived_hint = "由流动党员之家的外出登记和失联处置生成，请在流动党员之家办理"
        for name in members.DERIVED_DEFAULTS:
            widget = self.edits[name]
            widget.setEnabled(False)
            widget.setToolTip(derived_hint)
        hint = QLabel("流动、失联情况" + derived_hint[1:] + "。")
        hint.setObjectName("derivedHint")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #777;")
        other.layout().addRow("", hint)

        photo_box = QGroupBox("照片")
        photo_layout = QVBoxLayout(photo_box)
        self.photo_label = QLabel()
        self.photo_label.setObjectName("photo")
        self.photo_label.setFixedSize(*PHOTO_SIZE)
        self.photo_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo_label.setStyleSheet("border: 1px solid #ccc; background: #fafafa; color: #999;")
        choose = QPushButton("选择照片…")
        choose.setObjectName("choosePhoto")
        choose.clicked.connect(self.choose_photo)
        remove = QPushButton("删除照片")
        remove.setObjectName("removePhoto")
        remove.clicked.connect(lambda: self.set_photo(None))
        photo_layout.addWidget(self.photo_label, 0, Qt.AlignmentFlag.AlignHCenter)
        photo_layout.addWidget(choose)
        photo_layout.addWidget(remove)
        photo_layout.addStretch(1)

        top = QHBoxLayout()
        top.addWidget(basic, 1)
        top.addWidget(photo_box)
        grid.addLayout(top, 0, 0)
        grid.addWidget(party, 0, 1)
        grid.addWidget(work, 1, 0)
        grid.addWidget(other, 1, 1)
        if history:
            box = QGroupBox("修改记录")
            box_layout = QVBoxLayout(box)
            self.history = QListWidget()
            self.history.setObjectName("memberHistory")
            self.history.setWordWrap(True)
            self.history.setMaximumHeight(120)
            for entry in reversed(history):
                self.history.addItem(f"{entry.at:%Y-%m-%d %H:%M}  {entry.operator}  {entry.action}  {entry.detail}")
            box_layout.addWidget(self.history)
            grid.addWidget(box, 2, 0, 1, 2)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.summary = QLabel()
        self.summary.setObjectName("formSummary")
        self.summary.setStyleSheet("color: #c0392b;")
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

        org_box: QComboBox = self.edits["org_id"]
        org_box.setObjectName("org_id")
        for node in org_nodes:
            if node.active:
                org_box.addItem("　" * node.depth + node.name, node.id)
                org_box.setItemData(org_box.count() - 1, node.path, Qt.ItemDataRole.ToolTipRole)
        self._fill(record.data if record else None, default_org_id)
        self.set_photo(photo, changed=False)
        self._connect()
        self.edits["name"].setFocus()
        self.revalidate()

    def add_action_button(self, name: str, text: str, slot) -> QPushButton:
        """A button beside 保存 for work about this member that is recorded elsewhere (组织生活, 党费)."""
        button = self.buttons.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _=False: slot())
        return button

    # ------------------------------------------------------------ building

    def _group(self, title: str, rows: list[tuple[str, str, QWidget]]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setHorizontalSpacing(12)
        for name, label, widget in rows:
            widget.setObjectName(name)
            self.edits[name] = widget
            self.errors[name] = error_label(f"{name}_error")
            form.addRow(label, widget)
            form.addRow("", self.errors[name])
        return box

    def _fill(self, data: MemberInput | None, default_org_id: int | None) -> None:
        if data is None:
            data = MemberInput(name="", id_number="", org_id=default_org_id, joined_on=None)
        for name, widget in self.edits.items():
            value = getattr(data, name)
            if isinstance(widget, OptionalDateEdit):
                widget.set_value(value)
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QComboBox):
                index = widget.findData(value) if name == "org_id" else widget.findText(value or "")
                widget.setCurrentIndex(max(index, 0))
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(value or "")
            else:
                widget.setText(value or "")

    def _connect(self) -> None:
        for name, widget in self.edits.items():
            touched = functools.partial(self._touch_any, name)
            if isinstance(widget, OptionalDateEdit):
                widget.dateChanged.connect(touched)
            elif isinstance(widget, QCheckBox):
                widget.toggled.connect(touched)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(touched)
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(touched)
            else:
                widget.textEdited.connect(touched)

    # ------------------------------------------------------------ values

    def value(self) -> MemberInput:
        values = {}
        for name, widget in self.edits.items():
            if isinstance(widget, OptionalDateEdit):
                values[name] = widget.value()
            elif isinstance(widget, QCheckBox):
                values[name] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                values[name] = widget.currentData() if name == "org_id" else widget.currentText()
            elif isinstance(widget, QPlainTextEdit):
                values[name] = widget.toPlainText()
            else:
                values[name] = widget.text()
        return MemberInput(**values)

    def _touch_any(self, name: str, *_signal_args) -> None:
        self._touch(name)

    def _touch(self, name: str) -> None:
        self._touched.add(name)
        self.revalidate()

    def revalidate(self) -> dict[str, str]:
        """Check everything; show a field's problem once it was edited (or on 保存)."""
        errors, clean = self.validator(self.value())
        for name, label in self.errors.items():
            shown = self._show_all or name in self._touched
            show_error_on(label, errors.get(name) if shown else None)
        data = self.value()
        if data.category == "预备党员" and data.joined_on:
            due = members.confirmation_due(data.joined_on, data.probation_extended)
            days = (due - self.today).days
            self.due_label.setText(f"转正到期：{due:%Y-%m-%d}" + (f"（已逾期 {-days} 天）" if days < 0 else f"（还有 {days} 天）"))
        else:
            self.due_label.clear()
        self.edits["confirmed_on"].setEnabled(data.category == "正式党员")
        hidden = [m for n, m in errors.items() if not (self._show_all or n in self._touched)]
        self.summary.setText(f"还有 {len(hidden)} 项待填写或更正。" if hidden and self._touched else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not errors)
        self.clean = clean
        return errors

    def accept(self) -> None:
        self._show_all = True
        if not self.revalidate():
            super().accept()

    # ------------------------------------------------------------ photo

    def set_photo(self, data: bytes | None, *, changed: bool = True) -> None:
        self.photo = data
        self.photo_changed = self.photo_changed or changed
        if data:
            pixmap = QPixmap()
            pixmap.loadFromData(data)
            self.photo_label.setPixmap(pixmap.scaled(*PHOTO_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                                                     Qt.TransformationMode.SmoothTransformation))
        else:
            self.photo_label.setPixmap(QPixmap())
            self.photo_label.setText("无照片")

    def choose_photo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择照片", "", "图片 (*.jpg *.jpeg *.png *.bmp)")
        if path:
            self.load_photo_file(path)

    def load_photo_file(self, path: str) -> bool:
        image = QImage(path)
        if image.isNull():
            show_error_on(self.summary, "无法读取这张图片，请选择 JPG 或 PNG 格式的照片。")
            return False
        # Kept small: a ledger photo needs no more than 3× the shown size.
        image = image.scaled(PHOTO_SIZE[0] * 3, PHOTO_SIZE[1] * 3, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "JPG", 90)
        self.set_photo(bytes(data.data()))
        return True

