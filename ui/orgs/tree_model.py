"""The organisation tree as a Qt item model, with drag and drop that moves through app.orgs."""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

from PySide6.QtCore import QAbstractItemModel, QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QStyle

from app.orgs import OrgNode
from ui.common import fmt_date

MIME_TYPE = "application/x-dangjian-org-id"
OrgIdRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2

# (org id, new parent id, index among the new siblings) -> whether the move was made
Mover = Callable[[int, int, int], bool]


class Column(IntEnum):
    NAME = 0
    KIND = 1
    MEMBERS = 2
    SECRETARY = 3
    PLACE = 4
    TERM_ENDS = 5


HEADERS = {
    Column.NAME: "组织名称",
    Column.KIND: "类型",
    Column.MEMBERS: "党员",
    Column.SECRETARY: "书记/组长",
    Column.PLACE: "所在网格/楼栋",
    Column.TERM_ENDS: "届满日期",
}


class _Item:
    __slots__ = ("children", "node", "parent")

    def __init__(self, node: OrgNode | None, parent: _Item | None) -> None:
        self.node = node
        self.parent = parent
        self.children: list[_Item] = []

    def row(self) -> int:
        return self.parent.children.index(self) if self.parent else 0


class OrgTreeModel(QAbstractItemModel):
    """Rows are the nodes of ``app.orgs.list_tree``; a drop calls ``mover`` and then moves the row."""

    def __init__(self, mover: Mover | None = None, parent=None) -> None:
        super().__init__(parent)
        self._root = _Item(None, None)
        self._by_id: dict[int, _Item] = {}
        self.mover = mover
        self.disabled_ids: set[int] = set()  # shown but not selectable (e.g. targets a move can't use)
        self.member_counts: dict[int, int] = {}  # 在册 members of the node's subtree
        self.warnings: dict[int, list[str]] = {}  # branch rules the node breaks

    # ------------------------------------------------------------ loading

    def set_nodes(self, nodes: list[OrgNode]) -> None:
        self.beginResetModel()
        self._root = _Item(None, None)
        self._by_id = {}
        for node in nodes:
            parent = self._by_id.get(node.parent_id, self._root) if node.parent_id else self._root
            item = _Item(node, parent)
            parent.children.append(item)
            self._by_id[node.id] = item
        self.endResetModel()

    def set_member_figures(self, counts: dict[int, int], warnings: dict[int, list[str]]) -> None:
        """Member counts and rule warnings changed: repaint those columns only."""
        self.member_counts, self.warnings = counts, warnings
        if self._by_id:
            self._emit_column_changed(Column.NAME)
            self._emit_column_changed(Column.MEMBERS)

    def _emit_column_changed(self, column: Column) -> None:
        stack = [self._root]
        while stack:
            item = stack.pop()
            if item.children:
                parent = self._index_of_item(item)
                last = len(item.children) - 1
                self.dataChanged.emit(self.index(0, column, parent), self.index(last, column, parent))
                stack.extend(item.children)

    def node(self, index: QModelIndex) -> OrgNode | None:
        item = self._item(index)
        return item.node if item is not self._root else None

    def index_of(self, org_id: int, column: int = 0) -> QModelIndex:
        item = self._by_id.get(org_id)
        if item is None:
            return QModelIndex()
        return self.createIndex(item.row(), column, item)

    def ids(self) -> list[int]:
        return list(self._by_id)

    # ------------------------------------------------------------ targeted edits

    def update_node(self, node: OrgNode) -> None:
        item = self._by_id.get(node.id)
        if item is None:
            return
        item.node = node
        self.dataChanged.emit(self.index_of(node.id, 0), self.index_of(node.id, len(Column) - 1))

    def insert_node(self, node: OrgNode) -> None:
        parent = self._by_id.get(node.parent_id) if node.parent_id else self._root
        if parent is None:
            return
        parent_index = self.index_of(node.parent_id) if node.parent_id else QModelIndex()
        row = len(parent.children)
        self.beginInsertRows(parent_index, row, row)
        item = _Item(node, parent)
        parent.children.append(item)
        self._by_id[node.id] = item
        self.endInsertRows()

    def remove_node(self, org_id: int) -> None:
        item = self._by_id.get(org_id)
        if item is None or item.parent is None:
            return
        parent_index = self._index_of_item(item.parent)
        row = item.row()
        self.beginRemoveRows(parent_index, row, row)
        item.parent.children.pop(row)
        stack = [item]
        while stack:
            current = stack.pop()
            self._by_id.pop(current.node.id, None)
            stack.extend(current.children)
        self.endRemoveRows()

    def move_node(self, org_id: int, new_parent_id: int, index: int) -> None:
        """Show a move already made in the database (``index`` among the new siblings)."""
        item = self._by_id.get(org_id)
        new_parent = self._by_id.get(new_parent_id)
        if item is None or new_parent is None or item.parent is None:
            return
        old_parent = item.parent
        old_row = item.row()
        index = max(0, min(index, len(new_parent.children) - (1 if new_parent is old_parent else 0)))
        # Qt's destination row counts the item itself when moving down inside one parent.
        destination = index + 1 if new_parent is old_parent and index > old_row else index
        if new_parent is old_parent and destination in (old_row, old_row + 1):
            return
        if not self.beginMoveRows(
            self._index_of_item(old_parent), old_row, old_row, self._index_of_item(new_parent), destination
        ):
            return
        old_parent.children.pop(old_row)
        new_parent.children.insert(index, item)
        item.parent = new_parent
        self.endMoveRows()

    def _index_of_item(self, item: _Item) -> QModelIndex:
        if item is self._root or item.parent is None:
            return QModelIndex()
        return self.createIndex(item.row(), 0, item)

    # ------------------------------------------------------------ Qt model API

    def _item(self, index: QModelIndex | QPersistentModelIndex) -> _Item:
        if index.isValid():
            return index.internalPointer()
        return self._root

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        parent_item = self._item(parent)
        return self.createIndex(row, column, parent_item.children[row])

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        item: _Item = index.internalPointer()
        if item.parent is None or item.parent is self._root:
            return QModelIndex()
        return self.createIndex(item.parent.row(), 0, item.parent)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._item(parent).children)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return len(Column)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(Column):
            return HEADERS[Column(section)]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        node: OrgNode = index.internalPointer().node
        column = Column(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, SortRole):
            if column is Column.NAME:
                return node.name + ("（已撤销）" if not node.active else "")
            if column is Column.KIND:
                return node.kind
            if column is Column.MEMBERS:
                count = self.member_counts.get(node.id)
                return count if role == SortRole else (str(count) if count else "")
            if column is Column.SECRETARY:
                return node.secretary
            if column is Column.PLACE:
                return node.place
            if column is Column.TERM_ENDS:
                return fmt_date(node.term_ends_on)
        if role == Qt.ItemDataRole.ToolTipRole:
            if not node.active:
                return f"{node.path}\n已于 {fmt_date(node.dissolved_on)} 撤销：{node.dissolved_reason}"
            return "\n".join([node.path, *self.warnings.get(node.id, [])])
        if role == Qt.ItemDataRole.DecorationRole and column is Column.NAME and node.id in self.warnings:
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if role == Qt.ItemDataRole.ForegroundRole and (not node.active or node.id in self.disabled_ids):
            return QColor("#999999")
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.MEMBERS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == OrgIdRole:
            return node.id
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        node: OrgNode = index.internalPointer().node
        if node.id in self.disabled_ids:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.mover is not None and node.active:
            flags |= Qt.ItemFlag.ItemIsDropEnabled
            if node.parent_id is not None:
                flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    # ------------------------------------------------------------ drag and drop

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME_TYPE]

    def mimeData(self, indexes) -> QMimeData:  # noqa: N802
        ids = sorted({self._item(i).node.id for i in indexes if i.isValid()})
        mime = QMimeData()
        mime.setData(MIME_TYPE, QByteArray(",".join(map(str, ids)).encode()))
        return mime

    @staticmethod
    def dragged_ids(data: QMimeData) -> list[int]:
        if not data.hasFormat(MIME_TYPE):
            return []
        raw = bytes(data.data(MIME_TYPE).data()).decode()
        return [int(x) for x in raw.split(",") if x.strip().isdigit()]

    def _drop_target(self, data: QMimeData, row: int, parent: QModelIndex) -> tuple[int, int, int] | None:
        ids = self.dragged_ids(data)
        if len(ids) != 1 or not parent.isValid():
            return None
        org_id = ids[0]
        target = self._item(parent)
        moving = self._by_id.get(org_id)
        if moving is None or target.node is None:
            return None
        walker: _Item | None = target
        while walker is not None:  # not onto itself or its own descendant
            if walker is moving:
                return None
            walker = walker.parent
        # The drop row counts every shown row; the stored order counts active siblings only,
        # and not the dragged item itself.
        before = target.children if row < 0 else target.children[:row]
        index = sum(1 for item in before if item is not moving and item.node.active)
        return org_id, target.node.id, index

    def canDropMimeData(self, data, action, row, column, parent) -> bool:  # noqa: N802
        return action == Qt.DropAction.MoveAction and self._drop_target(data, row, parent) is not None

    def dropMimeData(self, data, action, row, column, parent) -> bool:  # noqa: N802
        target = self._drop_target(data, row, parent) if action == Qt.DropAction.MoveAction else None
        if target is None or self.mover is None:
            return False
        self.mover(*target)
        # False: the move is already shown (move_node); the view must not remove the source row.
        return False
