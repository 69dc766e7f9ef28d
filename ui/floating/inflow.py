"""流动党员之家, the 流入党员 tab: the table, 登记 / 编辑 / 离开, and double-click or Enter for the card.

The tab works on its own with a database: ``reload()`` reads through ``database.read()``, each action
runs in one ``database.unit_of_work`` and emits ``changed`` with what it changed; ``card_requested``
asks whoever shows the tab to open the member card.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from enum import IntEnum
from typing import TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import floating_inflow, orgs
from app.changes import Changes
from app.floating_inflow import CERTIFICATE_KINDS, InflowInput, InflowRow
from app.floating_services import INFLOW
from app.members import CATEGORIES, SEXES
from ui.common import OptionalDateEdit, camel, day_edit, fmt_date, show_error_on, with_error
from ui.page import run_action

Index = QModelIndex | QPersistentModelIndex
SortRole = Qt.ItemDataRole.UserRole + 2
RED = QColor("#c0392b")
GREY = QColor("#8a8a8a")
R = TypeVar("R")


# ---------------------------------------------------------------- a small-list model


class RowsModel(QAbstractTableModel):
    """Rows of plain dataclasses with an ``id``; reloading the same ids in the same order emits
    ``dataChanged`` for the rows that changed instead of resetting the model."""

    headers: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows: Sequence) -> None:
        rows = list(rows)
        if [r.id for r in rows] == [r.id for r in self.rows]:  # type: ignore[attr-defined]
            old, self.rows = self.rows, rows
            last = self.columnCount() - 1
            for n, (before, after) in enumerate(zip(old, rows, strict=True)):
                if before != after:
                    self.dataChanged.emit(self.index(n, 0), self.index(n, last))
            return
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def row_at(self, row: int):
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, row_id: int) -> int:
        return next((n for n, r in enumerate(self.rows) if r.id == row_id), -1)  # type: ignore[attr-defined]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.headers)):
            return self.headers[section]
        return None


def make_table(name: str, model: QAbstractTableModel, widths: Sequence[int],
               proxy: QSortFilterProxyModel | None = None) -> tuple[QTableView, QSortFilterProxyModel]:
    """A read-only, row-selecting table over ``model`` behind a sort (and filter) proxy on ``SortRole``;
    clicking a header sorts, and the model's own order shows until then."""
    proxy = proxy if proxy is not None else QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    proxy.setSortRole(SortRole)
    proxy.setSortLocaleAware(False)
    view = QTableView()
    view.setObjectName(name)
    view.setModel(proxy)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setDefaultSectionSize(26)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    header.setSortIndicatorClearable(True)
    for column, width in enumerate(widths):
        view.setColumnWidth(column, width)
    header.setStretchLastSection(True)
    return view, proxy


class EnterOpens(QObject):
    """Enter or Return on a table opens the current row (as a double-click does)."""

    def __init__(self, view: QTableView, opened: Callable[[], None]) -> None:
        super().__init__(view)
        self.opened = opened
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.opened()
            return True
        return False


class ActionTab(QWidget):
    """What the 流入 and 服务 tabs share: the database, the two signals, one unit of work per action.

    ``database`` is the open database, or a callable that returns the current one (a page passes
    ``lambda: self.database``, so the tab follows the window when a restore replaces the database).
    """

    changed = Signal(object)  # Changes
    card_requested = Signal(str, int)  # (app.floating_services.MEMBER or INFLOW, id)

    def __init__(self, database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._database = database

    @property
    def database(self):
        return self._database() if callable(self._database) else self._database

    @property
    def writable(self) -> bool:
        return not self.database.readonly

    def run(self, action: str, work: Callable[..., R]) -> R | None:
        return run_action(self, self.database, action, work)

    def _lay_out(self, prefix: str, specs, filters: QHBoxLayout, view: QWidget, count_name: str) -> None:
        """Buttons above, filters below (one row would make the window wider than a small screen), the
        table, and a count line; ``self.buttons`` and ``self.count_label`` for the tab to update."""
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        for key, text, slot in specs:
            button = QPushButton(text)
            button.setObjectName(f"{prefix}_{key}")
            button.clicked.connect(lambda _=False, s=slot: s())
            bar.addWidget(button)
            self.buttons[key] = button
        bar.addStretch(1)
        filters.addStretch(1)
        self.count_label = QLabel()
        self.count_label.setObjectName(count_name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(bar)
        layout.addLayout(filters)
        layout.addWidget(view, 1)
        layout.addWidget(self.count_label)

    def _done(self, changes: Changes) -> None:
        self.changed.emit(changes)


def grow_to_fit(dialog: QWidget) -> None:
    """Make room for error messages that appeared: word-wrapped labels in nested layouts need their
    height for the dialog's width, which a top-level layout's minimum size does not include."""
    layout = dialog.layout()
    layout.activate()
    width = dialog.width()
    needed = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else -1
    needed = max(needed, layout.totalMinimumSize().height())
    dialog.setMinimumHeight(needed)
    if dialog.height() < needed:
        dialog.resize(width, needed)


def org_choices(session, keep: int | None = None) -> list[tuple[int, str]]:
    """Active organisations in tree order, indented by depth (and ``keep`` even when dissolved)."""
    return [(n.id, "　" * n.depth + n.name + ("（已撤销）" if not n.active else ""))
            for n in orgs.list_tree(session, include_dissolved=True) if n.active or n.id == keep]


# ---------------------------------------------------------------- the model


class InflowColumn(IntEnum):
    NAME = 0
    SEX = 1
    MOBILE = 2
    HOME_ORG = 3
    ARRIVED_ON = 4
    CERTIFICATE = 5
    VALID_UNTIL = 6
    PLACE = 7
    HOST_ORG = 8


INFLOW_HEADERS = ("姓名", "性别", "联系电话", "组织关系所在", "来到日期", "证明", "有效期", "所在地", "联系党组织")
INFLOW_WIDTHS = (135, 50, 110, 210, 96, 120, 150, 110, 140)


class InflowModel(RowsModel):
    """流入党员: host organisation in tree order, then name (app.floating_inflow.list_inflow's order)."""

    headers = INFLOW_HEADERS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = InflowColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == SortRole:
            return self._sort_key(row, column, index.row())
        if role == Qt.ItemDataRole.ForegroundRole:
            if column is InflowColumn.VALID_UNTIL and row.certificate_expired:
                return QBrush(RED)
            if row.left_on is not None:
                return QBrush(GREY)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is InflowColumn.CERTIFICATE and row.certificate_no:
                return f"编号：{row.certificate_no}"
            if column is InflowColumn.VALID_UNTIL and row.certificate_expired:
                return "证明已过期"
            if column is InflowColumn.PLACE and row.address:
                return row.address
            if column is InflowColumn.HOME_ORG:
                return row.home_org
            if column is InflowColumn.NAME and row.left_on is not None:
                return f"已于 {row.left_on:%Y-%m-%d} 离开"
        return None

    def _text(self, row: InflowRow, column: InflowColumn) -> str:
        if column is InflowColumn.NAME:
            return row.name + ("（已离开）" if row.left_on is not None else "")
        if column is InflowColumn.SEX:
            return row.sex
        if column is InflowColumn.MOBILE:
            return row.mobile
        if column is InflowColumn.HOME_ORG:
            return row.home_org
        if column is InflowColumn.ARRIVED_ON:
            return fmt_date(row.arrived_on)
        if column is InflowColumn.CERTIFICATE:
            return row.certificate_kind or "未填写"
        if column is InflowColumn.VALID_UNTIL:
            text = fmt_date(row.certificate_valid_until)
            return f"{text}（已过期）" if row.certificate_expired else text
        if column is InflowColumn.PLACE:
            return row.place or row.address
        return row.host_org_name

    def _sort_key(self, row: InflowRow, column: InflowColumn, position: int):
        if column is InflowColumn.NAME:
            return row.name_sort or row.name
        if column is InflowColumn.ARRIVED_ON:
            return row.arrived_on.isoformat()
        if column is InflowColumn.VALID_UNTIL:
            return fmt_date(row.certificate_valid_until, "9999")
        if column is InflowColumn.HOST_ORG:
            return position  # the rows come in tree order
        return self._text(row, column)


class InflowFilter(QSortFilterProxyModel):
    """What the search box keeps: a part of the name, pinyin initials or full pinyin, a phone prefix,
    a part of the home organisation."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.text = ""

    def set_text(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 on; invalidateFilter() is deprecated there
            self.beginFilterChange()
            self.text = re.sub(r"\s+", "", text).lower()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.text = re.sub(r"\s+", "", text).lower()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        if not self.text:
            return True
        row = self.sourceModel().row_at(source_row)
        if row is None:
            return False
        text = self.text
        syllables = row.name_sort.split()
        return (text in row.name.lower() or row.mobile.startswith(text) or text in row.home_org.lower()
                or "".join(s[:1] for s in syllables).startswith(text) or "".join(syllables).startswith(text))


# ---------------------------------------------------------------- the tab


class InflowTab(ActionTab):
    """流入党员: the table with 登记 / 编辑 / 离开 and a search box; double-click or Enter opens the card."""

    def __init__(self, database, parent: QWidget | None = None) -> None:
        super().__init__(database, parent)
        self.setObjectName("inflowTab")
        self.model = InflowModel(self)
        self.filter = InflowFilter(self)
        self.view, self.proxy = make_table("inflowTable", self.model, INFLOW_WIDTHS, self.filter)
        self.view.doubleClicked.connect(lambda _i: self.open_card())
        EnterOpens(self.view, self.open_card)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        self.search = QLineEdit()
        self.search.setObjectName("inflowSearch")
        self.search.setPlaceholderText("查找：姓名、拼音首字母、电话或原党组织")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(240)
        self.search.textChanged.connect(self._search)
        self.show_left = QCheckBox("显示已离开的")
        self.show_left.setObjectName("showLeft")
        self.show_left.toggled.connect(lambda _on: self.reload())
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.show_left)
        self._lay_out("inflow", (("register", "登记流入党员…", self.register),
                                 ("edit", "编辑…", self.edit_selected),
                                 ("depart", "登记离开…", self.depart_selected),
                                 ("card", "档案卡", self.open_card)), filters, self.view, "inflowCount")
        self._update_buttons()

    # ------------------------------------------------------------ loading and selection

    def reload(self, rows: Sequence[InflowRow] | None = None) -> None:
        """Show ``rows``, or read the list (with those who left when 显示已离开的 is ticked)."""
        keep = self.selected_id()
        if rows is None:
            with self.database.read() as session:
                rows = floating_inflow.list_inflow(session, include_left=self.show_left.isChecked())
        self.model.set_rows(rows)
        here = sum(1 for r in rows if r.left_on is None)
        expired = sum(1 for r in rows if r.left_on is None and r.certificate_expired)
        text = f"流入党员 {here} 人"
        if len(rows) > here:
            text += f"，已离开 {len(rows) - here} 人"
        if expired:
            text += f"，{expired} 人证明已过期"
        self.count_label.setText(text)
        if keep is not None:
            self.select(keep)
        self._update_buttons()

    def _search(self, text: str) -> None:
        self.filter.set_text(text)
        self._update_buttons()

    def selected_row(self) -> InflowRow | None:
        index = self.view.currentIndex()
        if not index.isValid() or not self.view.selectionModel().isRowSelected(index.row(), QModelIndex()):
            return None
        source = self.proxy.mapToSource(index)
        return self.model.row_at(source.row())

    def selected_id(self) -> int | None:
        row = self.selected_row()
        return row.id if row is not None else None

    def select(self, inflow_id: int) -> bool:
        row = self.model.row_of(inflow_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.view.selectRow(index.row())
        self.view.scrollTo(index)
        return True

    def _update_buttons(self) -> None:
        row = self.selected_row()
        self.buttons["register"].setEnabled(self.writable)
        self.buttons["edit"].setEnabled(self.writable and row is not None)
        self.buttons["depart"].setEnabled(self.writable and row is not None and row.left_on is None)
        self.buttons["card"].setEnabled(row is not None)

    # ------------------------------------------------------------ actions

    def _validator(self, inflow_id: int | None) -> Callable[[InflowInput], tuple[dict[str, str], InflowInput]]:
        def validate(data: InflowInput) -> tuple[dict[str, str], InflowInput]:
            with self.database.read() as session:
                return floating_inflow.validate_inflow(session, data, inflow_id=inflow_id)

        return validate

    def open_card(self) -> None:
        inflow_id = self.selected_id()
        if inflow_id is not None:
            self.card_requested.emit(INFLOW, inflow_id)

    def register(self) -> None:
        if not self.writable:
            return
        with self.database.read() as session:
            hosts = org_choices(session)
        dialog = InflowDialog(self._validator(None), hosts, parent=self)
        if not dialog.exec():
            return
        data = dialog.value()
        found = self.run("登记流入党员", lambda s: floating_inflow.register_inflow(s, data))
        if found is not None:
            inflow_id, changes = found
            self.reload()
            self.select(inflow_id)
            self._done(changes)

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is None or not self.writable:
            return
        with self.database.read() as session:
            data = floating_inflow.load_inflow(session, row.id)
            hosts = org_choices(session, keep=data.host_org_id)
        dialog = InflowDialog(self._validator(row.id), hosts, data=data, parent=self)
        if not dialog.exec():
            return
        value = dialog.value()
        changes = self.run("修改流入党员", lambda s: floating_inflow.update_inflow(s, row.id, value))
        if changes is not None:
            self.reload()
            self._done(changes)

    def depart_selected(self) -> None:
        row = self.selected_row()
        if row is None or row.left_on is not None or not self.writable:
            return
        dialog = DepartDialog(row.name, row.arrived_on, parent=self)
        if not dialog.exec():
            return
        on, reason = dialog.value()
        changes = self.run("登记离开", lambda s: floating_inflow.depart(s, row.id, on, reason))
        if changes is not None:
            self.reload()
            self._done(changes)


# ---------------------------------------------------------------- dialogs



def _combo(name: str, items: Sequence[tuple[str, object]]) -> QComboBox:
    box = QComboBox()
    box.setObjectName(camel(name))
    for text, value in items:
        box.addItem(text, value)
    return box


_TEXT_FIELDS = {  # name: (label, placeholder)
    "name": ("姓名 *", ""),
    "id_number": ("身份证号", "可不填；填写时须正确"),
    "mobile": ("联系电话", "11 位手机号"),
    "home_org": ("组织关系所在 *", "例如：中共某某村支部委员会"),
    "home_org_contact": ("原党组织联系人", "姓名和电话"),
    "certificate_no": ("证明编号", ""),
    "building": ("楼栋", "例如：3号楼"),
    "unit": ("单元", "例如：2单元"),
    "address": ("详细地址", "门牌号"),
    "employer": ("工作单位", ""),
    "note": ("备注", ""),
}
_LABELS = {"sex": "性别", "category": "人员类别", "arrived_on": "来到日期 *", "host_org_id": "联系党组织 *",
           "certificate_kind": "所持证明", "certificate_valid_until": "证明有效期至",
           **{name: label for name, (label, _hint) in _TEXT_FIELDS.items()}}


class InflowDialog(QDialog):
    """登记流入党员 / 编辑: every InflowInput field, checked as the user types; 保存 only once valid.

    A new form is not scolded: a field's error shows once that field was touched; the line above the
    buttons says what is still missing.
    """

    def __init__(self, validator: Callable[[InflowInput], tuple[dict[str, str], InflowInput]],
                 hosts: Sequence[tuple[int, str]], *, data: InflowInput | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inflow_dialog")
        self.validator = validator
        editing = data is not None
        self.setWindowTitle(f"编辑流入党员 — {data.name}" if data is not None else "登记流入党员")
        self.setMinimumWidth(820)
        self.errors: dict[str, QLabel] = {}
        self.touched: set[str] = set(_LABELS) if editing else set()
        self.texts: dict[str, QLineEdit] = {}
        for name, (_label, hint) in _TEXT_FIELDS.items():
            edit = QLineEdit()
            edit.setObjectName(camel(name))
            edit.setPlaceholderText(hint)
            self.texts[name] = edit
        self.sex = _combo("sex", [("（按身份证号）", ""), *((s, s) for s in SEXES)])
        self.category = _combo("category", [("（不详）", ""), *((c, c) for c in CATEGORIES)])
        self.certificate_kind = _combo("certificate_kind", [("（未填写）", ""), *((k, k) for k in CERTIFICATE_KINDS)])
        self.host = _combo("host_org_id", [("（请选择）", None), *((label, org_id) for org_id, label in hosts)])
        self.arrived_on = OptionalDateEdit()
        self.arrived_on.setObjectName("arrivedOn")
        self.arrived_on.setMaximumDate(QDate.currentDate())
        self.valid_until = OptionalDateEdit()
        self.valid_until.setObjectName("certificateValidUntil")
        widgets: dict[str, QWidget] = {**self.texts, "sex": self.sex, "category": self.category,
                                       "certificate_kind": self.certificate_kind, "host_org_id": self.host,
                                       "arrived_on": self.arrived_on, "certificate_valid_until": self.valid_until}

        def form(title: str, names: Sequence[str]) -> QGroupBox:
            box = QGroupBox(title)
            layout = QFormLayout(box)
            layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for name in names:
                layout.addRow(_LABELS[name], with_error(widgets[name], name, self.errors))
            return box

        columns = QHBoxLayout()
        columns.addWidget(form("本人情况", ("name", "sex", "id_number", "category", "mobile", "home_org",
                                           "home_org_contact", "note")), 1)
        columns.addWidget(form("在本社区", ("arrived_on", "host_org_id", "certificate_kind", "certificate_no",
                                           "certificate_valid_until", "building", "unit", "address", "employer")), 1)
        self.missing = QLabel()
        self.missing.setObjectName("missingFields")
        self.missing.setStyleSheet("color: #777777;")
        self.missing.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("saveInflow")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.missing, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addLayout(bottom)

        if data is not None:
            self.set_value(data)
        else:
            self.arrived_on.setDate(QDate.currentDate())
            default_host = next((org_id for org_id, label in hosts if "流动" in label), None)
            if default_host is not None:
                self.host.setCurrentIndex(self.host.findData(default_host))
        self._certificate_kind_changed()
        for name, edit in self.texts.items():
            edit.textEdited.connect(lambda _t, n=name: self._touch(n))
            edit.textChanged.connect(lambda _t: self.revalidate())
        for name, box in (("sex", self.sex), ("category", self.category), ("host_org_id", self.host),
                          ("certificate_kind", self.certificate_kind)):
            box.activated.connect(lambda _i, n=name: self._touch(n))
            box.currentIndexChanged.connect(lambda _i: self.revalidate())
        self.certificate_kind.currentIndexChanged.connect(lambda _i: self._certificate_kind_changed())
        for name, edit in (("arrived_on", self.arrived_on), ("certificate_valid_until", self.valid_until)):
            edit.dateChanged.connect(lambda _d, n=name: self._touch(n))
        self.texts["name"].setFocus()
        self.revalidate()

    def _touch(self, name: str) -> None:
        self.touched.add(name)
        self.revalidate()

    def _certificate_kind_changed(self) -> None:
        """Without a certificate there is no number nor validity to fill in."""
        has = self.certificate_kind.currentData() not in ("", "无")
        for widget in (self.texts["certificate_no"], self.valid_until):
            widget.setEnabled(has)
        if not has:
            self.texts["certificate_no"].clear()
            self.valid_until.set_value(None)

    def set_value(self, data: InflowInput) -> None:
        for name, edit in self.texts.items():
            edit.setText(getattr(data, name))
        for box, value in ((self.sex, data.sex), (self.category, data.category),
                           (self.certificate_kind, data.certificate_kind), (self.host, data.host_org_id)):
            box.setCurrentIndex(max(box.findData(value), 0))
        self.arrived_on.set_value(data.arrived_on)
        self.valid_until.set_value(data.certificate_valid_until)

    def value(self) -> InflowInput:
        return InflowInput(
            **{name: edit.text() for name, edit in self.texts.items()},
            sex=self.sex.currentData() or "",
            category=self.category.currentData() or "",
            certificate_kind=self.certificate_kind.currentData() or "",
            host_org_id=self.host.currentData(),
            arrived_on=self.arrived_on.value(),
            certificate_valid_until=self.valid_until.value(),
        )

    def revalidate(self) -> bool:
        errors, _clean = self.validator(self.value())
        for name, label in self.errors.items():
            show_error_on(label, errors.get(name) if name in self.touched else None)
        hidden = [_LABELS[name].rstrip(" *") for name in self.errors if name in errors and name not in self.touched]
        self.missing.setText(f"尚需填写或核对：{'、'.join(hidden)}" if hidden else "")
        self.ok.setEnabled(not errors)
        grow_to_fit(self)
        return not errors

    def accept(self) -> None:
        self.touched |= set(self.errors)
        if self.revalidate():
            super().accept()


class DepartDialog(QDialog):
    """登记离开: the day the inflow member moved away (not before arriving, not after today) and why."""

    def __init__(self, name: str, arrived_on: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("depart_dialog")
        self.setWindowTitle(f"登记离开 — {name}")
        self.setMinimumWidth(460)
        intro = QLabel(f"{name} 于 {arrived_on:%Y-%m-%d} 来到本社区。登记离开后不再列入流入党员名单，"
                       "记录保留，勾选“显示已离开的”可查看。")
        intro.setWordWrap(True)
        self.on = day_edit("leftOn", earliest=arrived_on)
        self.reason = QLineEdit()
        self.reason.setObjectName("leftReason")
        self.reason.setPlaceholderText("例如：返回原籍、工作调动、组织关系转入本社区")
        self.reason.setMaxLength(floating_inflow.LEFT_REASON_LIMIT)
        form = QFormLayout()
        form.addRow("离开日期 *", self.on)
        form.addRow("离开原因", self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("确认离开", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("confirmDepart")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.reason.setFocus()

    def value(self) -> tuple[date, str]:
        qdate = self.on.date()
        return date(qdate.year(), qdate.month(), qdate.day()), self.reason.text().strip()
