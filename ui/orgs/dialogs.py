"""Dialogs of the 党组织 page: the organisation form, 移动到…, 撤销组织."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app import orgs
from app.orgs import OrgInput, OrgNode
from ui.common import OptionalDateEdit, day_edit, error_label, show_error_on
from ui.orgs.tree_model import OrgTreeModel

Validator = Callable[[OrgInput], dict[str, str]]


class CommitteeEditor(QWidget):
    """Rows of (职务, 姓名) with 添加 and 删除 buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("committee")
        self.rows_layout = QVBoxLayout()
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows: list[tuple[QComboBox, QLineEdit, QWidget]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.rows_layout)
        self.add_button = QPushButton("添加班子成员")
        self.add_button.setObjectName("addCommitteeMember")
        self.add_button.clicked.connect(lambda: self.add_row("委员" if self.rows else "书记", ""))
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.on_change: Callable[[], None] = lambda: None

    def add_row(self, role: str, name: str) -> None:
        row = QWidget()
        h = QHBoxLayout(row)
        h.setContentsMargins(0, 0, 0, 0)
        role_box = QComboBox()
        role_box.addItems(orgs.COMMITTEE_ROLES)
        role_box.setCurrentText(role)
        name_edit = QLineEdit(name)
        name_edit.setPlaceholderText("姓名")
        name_edit.setObjectName(f"committeeName{len(self.rows)}")
        remove = QPushButton("删除")
        h.addWidget(role_box)
        h.addWidget(name_edit, 1)
        h.addWidget(remove)
        entry = (role_box, name_edit, row)
        self.rows.append(entry)
        self.rows_layout.addWidget(row)
        role_box.currentTextChanged.connect(lambda _=None: self.on_change())
        name_edit.textChanged.connect(lambda _=None: self.on_change())
        remove.clicked.connect(lambda: self._remove(entry))
        name_edit.setFocus()
        self.on_change()

    def _remove(self, entry) -> None:
        self.rows.remove(entry)
        entry[2].deleteLater()
        self.on_change()

    def value(self) -> tuple[tuple[str, str], ...]:
        return tuple((role.currentText(), name.text().strip()) for role, name, _ in self.rows)

    def set_value(self, committee: tuple[tuple[str, str], ...]) -> None:
        for role, name in committee:
            self.add_row(role, name)


class OrgDialog(QDialog):
    """新建 / 编辑党组织; validates as the user types and names each problem beside its field."""

    def __init__(
        self,
        validator: Validator,
        *,
        node: OrgNode | None = None,
        parent_path: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("org_dialog")
        self.validator = validator
        self.setWindowTitle("编辑党组织" if node else "新建党组织")
        self.setMinimumWidth(480)
        form = QFormLayout()
        if parent_path:
            under = QLabel(parent_path)
            under.setObjectName("parentPath")
            form.addRow("上级组织", under)
        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.name.setPlaceholderText("例如：第一网格党支部")
        self.name_error = error_label("nameError")
        form.addRow("组织名称 *", self.name)
        form.addRow("", self.name_error)
        self.kind = QComboBox()
        self.kind.setObjectName("kind")
        self.kind.addItems(orgs.ORG_KINDS)
        form.addRow("组织类型 *", self.kind)
        self.place = QLineEdit()
        self.place.setObjectName("place")
        self.place.setPlaceholderText("例如：第一网格/3号楼")
        form.addRow("所在网格/楼栋", self.place)
        self.founded_on = OptionalDateEdit()
        self.founded_on.setObjectName("foundedOn")
        self.founded_error = error_label("foundedError")
        form.addRow("成立（换届）日期", self.founded_on)
        form.addRow("", self.founded_error)
        self.term_ends_on = OptionalDateEdit()
        self.term_ends_on.setObjectName("termEndsOn")
        self.term_error = error_label("termError")
        form.addRow("届满日期", self.term_ends_on)
        form.addRow("", self.term_error)
        self.committee = CommitteeEditor()
        self.committee_error = error_label("committeeError")
        form.addRow("班子成员", self.committee)
        form.addRow("", self.committee_error)
        self.note = QPlainTextEdit()
        self.note.setObjectName("note")
        self.note.setFixedHeight(60)
        form.addRow("备注", self.note)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        if node is not None:
            self.name.setText(node.name)
            self.kind.setCurrentText(node.kind)
            self.place.setText(node.place)
            self.founded_on.set_value(node.founded_on)
            self.term_ends_on.set_value(node.term_ends_on)
            self.committee.set_value(node.committee)
            self.note.setPlainText(node.note)
        else:
            self.kind.setCurrentText("党支部")
        self._term_touched = node is not None and node.term_ends_on is not None
        # A new, still empty form is not scolded: the name's error shows once it was typed in.
        self._show_all = node is not None
        self.name.textEdited.connect(self._reveal)
        self.name.textChanged.connect(self.revalidate)
        self.kind.currentTextChanged.connect(self.revalidate)
        self.founded_on.dateChanged.connect(self._founded_changed)
        self.term_ends_on.dateChanged.connect(self._term_changed)
        self.committee.on_change = self.revalidate
        self.name.setFocus()
        self.revalidate()

    def _reveal(self, *_args) -> None:
        self._show_all = True
        self.revalidate()

    def _founded_changed(self, _qdate: QDate) -> None:
        # A new branch's term runs five years: fill it in until the user sets it by hand.
        if not self._term_touched:
            self.term_ends_on.blockSignals(True)
            self.term_ends_on.set_value(orgs.default_term_end(self.founded_on.value()))
            self.term_ends_on.blockSignals(False)
        self.revalidate()

    def _term_changed(self, _qdate: QDate) -> None:
        self._term_touched = True
        self.revalidate()

    def value(self) -> OrgInput:
        return OrgInput(
            name=self.name.text().strip(),
            kind=self.kind.currentText(),
            founded_on=self.founded_on.value(),
            term_ends_on=self.term_ends_on.value(),
            place=self.place.text().strip(),
            note=self.note.toPlainText().strip(),
            committee=self.committee.value(),
        )

    def revalidate(self) -> dict[str, str]:
        errors = self.validator(self.value())
        show_error_on(self.name_error, errors.get("name") if self._show_all else None)
        show_error_on(self.founded_error, errors.get("founded_on"))
        show_error_on(self.term_error, errors.get("term_ends_on"))
        committee = [m for k, m in errors.items() if k.startswith("committee")]
        show_error_on(self.committee_error, "；".join(committee) if committee else None)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not errors)
        return errors

    def accept(self) -> None:
        self._show_all = True
        if not self.revalidate():
            super().accept()


class MoveDialog(QDialog):
    """移动到…: the keyboard route for a drag in the tree. Pick the new parent."""

    def __init__(self, nodes: list[OrgNode], moving: OrgNode, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("move_dialog")
        self.setWindowTitle(f"移动“{moving.name}”到…")
        self.resize(460, 480)
        self.model = OrgTreeModel(parent=self)
        self.model.set_nodes([n for n in nodes if n.active])
        self.model.disabled_ids = {moving.id} | orgs.descendants(nodes, moving.id)
        if moving.parent_id is not None:
            self.model.disabled_ids.add(moving.parent_id)
        self.view = QTreeView()
        self.view.setObjectName("targets")
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        for column in range(1, self.model.columnCount()):
            self.view.hideColumn(column)
        self.view.expandAll()
        self.view.doubleClicked.connect(lambda _i: self.accept())
        hint = QLabel("选择新的上级组织（灰色的不能选：本组织、它的下级组织和当前上级）。")
        hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.buttons)
        # The selection, not the current index: focusing the view makes the first enabled row
        # current without selecting it, and Enter would then move to a parent nobody chose.
        self.view.selectionModel().selectionChanged.connect(self._update_ok)
        self._update_ok()
        self.view.setFocus()

    def chosen_parent_id(self) -> int | None:
        selected = self.view.selectionModel().selectedRows()
        node = self.model.node(selected[0]) if selected else None
        return node.id if node and node.id not in self.model.disabled_ids else None

    def _update_ok(self, *_args) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.chosen_parent_id() is not None)

    def accept(self) -> None:
        if self.chosen_parent_id() is not None:
            super().accept()


class DissolveDialog(QDialog):
    """撤销组织: date and reason; the node is kept in the history, marked as dissolved."""

    def __init__(self, node: OrgNode, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dissolve_dialog")
        self.setWindowTitle(f"撤销“{node.name}”")
        self.setMinimumWidth(420)
        warning = QLabel(
            f"撤销后，“{node.path}”将不再出现在组织树中（勾选“显示已撤销”可查看），"
            "其记录保留在历史中，可以恢复。"
        )
        warning.setWordWrap(True)
        form = QFormLayout()
        self.on = day_edit("dissolvedOn")
        form.addRow("撤销日期 *", self.on)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("例如：网格调整，并入第二网格党支部")
        form.addRow("撤销原因 *", self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("确认撤销", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("confirmDissolve")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        self.ok.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(warning)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def value(self) -> tuple[date, str]:
        q = self.on.date()
        return date(q.year(), q.month(), q.day()), self.reason.text().strip()
