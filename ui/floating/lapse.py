"""脱党预警: 在册 members approaching the 自行脱党 line (six months without 组织生活 or without dues)."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.floating import LapseRow
from ui.common import fmt_date

Index = QModelIndex | QPersistentModelIndex
ORANGE = QColor("#ffe0b2")
AMBER = QColor("#fff3cd")


class LapseColumn(IntEnum):
    NAME = 0
    ORG = 1
    FLOATING = 2
    MISSING = 3
    LAST_MEETING = 4
    LAST_DUES = 5
    CROSSES_ON = 6
    REASON = 7


LAPSE_HEADERS = ("姓名", "所在党组织", "流动党员", "缺少", "最后参加组织生活", "最后交纳党费", "满六个月日期", "说明")
LAPSE_WIDTHS = (90, 170, 70, 130, 130, 110, 110, 380)


class LapseModel(QAbstractTableModel):
    """One row per member, the earliest crossing first; past the line in orange, approaching in amber."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[LapseRow] = []
        self.org_names: dict[int, str] = {}

    def set_rows(self, rows: list[LapseRow], org_names: dict[int, str]) -> None:
        self.beginResetModel()
        self.rows, self.org_names = rows, org_names
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(LapseColumn)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(LAPSE_HEADERS)):
            return LAPSE_HEADERS[section]
        return None

    def row_at(self, row: int) -> LapseRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = LapseColumn(index.column())
        warning = row.warning
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                LapseColumn.NAME: row.name,
                LapseColumn.ORG: self.org_names.get(row.org_id, ""),
                LapseColumn.FLOATING: "是" if row.floating else "",
                LapseColumn.MISSING: "、".join(warning.missing),
                LapseColumn.LAST_MEETING: fmt_date(warning.meeting_since),
                LapseColumn.LAST_DUES: fmt_date(warning.dues_since),
                LapseColumn.CROSSES_ON: fmt_date(warning.crosses_on),
                LapseColumn.REASON: warning.reason,
            }[column]
        if role == Qt.ItemDataRole.ToolTipRole and column in (LapseColumn.LAST_MEETING, LapseColumn.LAST_DUES):
            return "没有记录时从登记进本系统之日算起"
        if role == Qt.ItemDataRole.ToolTipRole and column is LapseColumn.REASON:
            return warning.reason
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(ORANGE if warning.crossed else AMBER)
        return None
