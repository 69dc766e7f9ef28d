"""The list of backups in 设置, as a small table model."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

KIND_NAMES = {
    "manual": "手动备份",
    "daily": "每日自动备份",
    "premigration": "升级前备份",
    "prerestore": "恢复前备份",
}
SortRole = Qt.ItemDataRole.UserRole + 2
PathRole = Qt.ItemDataRole.UserRole + 1


class Column(IntEnum):
    CREATED = 0
    KIND = 1
    SIZE = 2
    REVISION = 3
    FILE = 4


HEADERS = {
    Column.CREATED: "备份时间",
    Column.KIND: "类型",
    Column.SIZE: "大小",
    Column.REVISION: "数据库版本",
    Column.FILE: "文件名",
}


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


class BackupsModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list = []  # app.backup.BackupInfo

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(Column):
            return HEADERS[Column(section)]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        info = self.rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column is Column.CREATED:
                return info.created.strftime("%Y-%m-%d %H:%M:%S")
            if column is Column.KIND:
                return KIND_NAMES.get(info.kind, info.kind)
            if column is Column.SIZE:
                return human_size(info.size_bytes)
            if column is Column.REVISION:
                return info.revision or "无法读取"
            if column is Column.FILE:
                return info.path.name
        if role == SortRole:
            return {
                Column.CREATED: info.created.isoformat(),
                Column.KIND: info.kind,
                Column.SIZE: info.size_bytes,
                Column.REVISION: info.revision or "",
                Column.FILE: info.path.name,
            }[column]
        if role == PathRole:
            return str(info.path)
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(info.path)
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
