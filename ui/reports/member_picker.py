"""党员 for the annual files: type a name (or pinyin initials, a phone or ID tail) → the matching members
of the scope who were on the roll in the year; click one (or press Enter) to add it. Nobody picked means
everyone in the scope."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import evaluation_year as ey
from app import members, orgs
from app.members import MemberFilter
from ui.common import PERSON_ID_ROLE

SHOWN = 30  # search results listed
LIST_ROWS = 5  # rows a list shows before it scrolls


def find_members(database, text: str, year: int, org_id: int | None, limit: int = SHOWN) -> list[tuple[int, str]]:
    """Members of ``org_id``'s subtree (or all) matching ``text`` who were on the roll in ``year``, by
    name: (id, "姓名　组织　…身份证后4位")."""
    text = text.strip()
    if not text or not year:
        return []
    with database.read() as session:
        ids = members.ordered_ids(session, MemberFilter(org_id=org_id, statuses=(), text=text), sort="name")
        if not ids:
            return []
        in_year = {p.member_id for p in ey.participants(session, year, ids[:500])}
        ids = [i for i in ids if i in in_year][:limit]
        found = members.rows(session, ids)
        org_names = {n.id: n.name for n in orgs.list_tree(session, include_dissolved=True)}
    at = {name: members.LEDGER_COLUMNS.index(name) for name in ("name", "org_id", "id_number", "status")}
    result = []
    for member_id in ids:
        row = found.get(member_id)
        if row is None:
            continue
        status = "" if row[at["status"]] == "在册" else f"（{row[at['status']]}）"
        tail = str(row[at["id_number"]] or "")[-4:]
        result.append((member_id, f"{row[at['name']]}{status}　{org_names.get(row[at['org_id']], '')}　…{tail}"))
    return result


def _fit_rows(view: QListWidget) -> None:
    """As tall as its rows, up to ``LIST_ROWS`` (then it scrolls)."""
    row = view.sizeHintForRow(0) if view.count() else view.fontMetrics().height() + 6
    rows = min(max(view.count(), 1), LIST_ROWS)
    view.setFixedHeight(rows * row + 2 * view.frameWidth() + 2)


class MemberPicker(QWidget):
    """Search and a list of the members picked; ``member_ids()`` in the order picked."""

    changed = Signal()

    def __init__(self, database_of, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database_of = database_of  # () -> the open database (the window may switch databases)
        self.year = 0
        self.org_id: int | None = None
        self.search = QLineEdit()
        self.search.setObjectName("memberSearch")
        self.search.setPlaceholderText("输入姓名或拼音首字母查找")
        self.search.setClearButtonEnabled(True)
        self.found = QListWidget()
        self.found.setObjectName("memberFound")
        self.found.setToolTip("单击或按 Enter 加入")
        self.found.hide()
        self.nothing = QLabel("没有找到本年度在册的党员。")
        self.nothing.setObjectName("memberNothing")
        self.nothing.setStyleSheet("color: #888888;")
        self.nothing.hide()
        self.chosen = QListWidget()
        self.chosen.setObjectName("memberChosen")
        self.chosen.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.chosen.setToolTip("选中后按 Delete 移除")
        self.chosen.hide()
        self.summary = QLabel()
        self.summary.setObjectName("memberSummary")
        self.summary.setStyleSheet("color: #666666;")
        self.summary.setWordWrap(True)
        self.remove_button = QPushButton("移除")
        self.remove_button.setObjectName("removeMember")
        self.clear_button = QPushButton("清空")
        self.clear_button.setObjectName("clearMembers")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.clear_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.found)
        layout.addWidget(self.nothing)
        layout.addWidget(self.chosen)
        layout.addLayout(buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.search_now)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._add_current)
        self.found.itemClicked.connect(self.add_item)
        self.found.itemActivated.connect(self.add_item)
        self.remove_button.clicked.connect(self.remove_selected)
        self.clear_button.clicked.connect(self.clear)
        self._update()

    # ------------------------------------------------------------ context

    def set_context(self, year: int, org_id: int | None) -> None:
        """The year and scope searched; members picked outside a new scope are dropped."""
        scope_changed = org_id != self.org_id
        self.year, self.org_id = year, org_id
        if scope_changed and self.chosen.count():
            self.clear()
        if self.search.text().strip():
            self.search_now()

    def member_ids(self) -> tuple[int, ...]:
        return tuple(self.chosen.item(row).data(PERSON_ID_ROLE) for row in range(self.chosen.count()))

    # ------------------------------------------------------------ searching and picking

    def search_now(self) -> None:
        self._timer.stop()
        text = self.search.text().strip()
        picked = set(self.member_ids())
        found = [f for f in find_members(self.database_of(), text, self.year, self.org_id) if f[0] not in picked] \
            if text else []
        self.found.clear()
        for member_id, label in found:
            item = QListWidgetItem(label)
            item.setData(PERSON_ID_ROLE, member_id)
            self.found.addItem(item)
        if found:
            self.found.setCurrentRow(0)
        _fit_rows(self.found)
        self.found.setVisible(bool(found))
        self.nothing.setVisible(bool(text) and not found)

    def _add_current(self) -> None:
        if self._timer.isActive():
            self.search_now()
        item = self.found.currentItem()
        if item is not None:
            self.add_item(item)

    def add_item(self, item: QListWidgetItem) -> None:
        member_id = item.data(PERSON_ID_ROLE)
        if member_id in self.member_ids():
            return
        picked = QListWidgetItem(item.text())
        picked.setData(PERSON_ID_ROLE, member_id)
        self.chosen.addItem(picked)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.found.hide()  # emptied by the next search (not here, inside the list's own click signal)
        self.nothing.hide()
        self._update()
        self.changed.emit()

    def remove_selected(self) -> None:
        rows = sorted((self.chosen.row(item) for item in self.chosen.selectedItems()), reverse=True)
        if not rows and self.chosen.currentRow() >= 0:
            rows = [self.chosen.currentRow()]
        for row in rows:
            self.chosen.takeItem(row)
        if rows:
            self._update()
            self.changed.emit()

    def clear(self) -> None:
        if not self.chosen.count():
            return
        self.chosen.clear()
        self._update()
        self.changed.emit()

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.chosen.hasFocus():
            self.remove_selected()
            return
        super().keyPressEvent(event)

    def _update(self) -> None:
        count = self.chosen.count()
        _fit_rows(self.chosen)
        self.chosen.setVisible(bool(count))
        self.remove_button.setVisible(bool(count))
        self.clear_button.setVisible(bool(count))
        self.summary.setText(f"已选 {count} 人" if count else "不选则打印范围内全部党员")
