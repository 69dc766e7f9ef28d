"""The ledger as a lazy table model: the ordered ids come from SQL, rows are fetched by page.

``rowCount()`` is the number of matching members from the start (the scroll bar is true);
``data()`` fetches the page around a row on first sight into a bounded cache, so scrolling
through 100,000 members never holds more than ``CACHE_ROWS`` of them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from app.members import LEDGER_COLUMNS, MemberFilter

PAGE_ROWS = 200
CACHE_ROWS = 2000
MemberIdRole = Qt.ItemDataRole.UserRole + 1
_FIELD = {name: i for i, name in enumerate(LEDGER_COLUMNS)}


class Column(IntEnum):
    NAME = 0
    SEX = 1
    BIRTH_DATE = 2
    ID_NUMBER = 3
    ETHNICITY = 4
    EDUCATION = 5
    CATEGORY = 6
    ORG = 7
    JOINED_ON = 8
    CONFIRMED_ON = 9
    OCCUPATION = 10
    EMPLOYER = 11
    PARTY_POST = 12
    MOBILE = 13
    ADDRESS = 14
    STANDING = 15
    FLOATING = 16
    LOST_CONTACT = 17
    STATUS = 18


@dataclass(frozen=True)
class ColumnSpec:
    header: str
    field: str  # in app.members.LEDGER_COLUMNS
    sort: str  # key of app.members.SORT_COLUMNS
    width: int
    shown_by_default: bool = True


COLUMNS: dict[Column, ColumnSpec] = {
    Column.NAME: ColumnSpec("姓名", "name", "name", 90),
    Column.SEX: ColumnSpec("性别", "sex", "sex", 44),
    Column.BIRTH_DATE: ColumnSpec("出生日期", "birth_date", "birth_date", 90),
    Column.ID_NUMBER: ColumnSpec("公民身份号码", "id_number", "id_number", 160),
    Column.ETHNICITY: ColumnSpec("民族", "ethnicity", "ethnicity", 60, False),
    Column.EDUCATION: ColumnSpec("学历", "education", "education", 80),
    Column.CATEGORY: ColumnSpec("人员类别", "category", "category", 76),
    Column.ORG: ColumnSpec("所在党组织", "org_id", "org", 150),
    Column.JOINED_ON: ColumnSpec("入党日期", "joined_on", "joined_on", 90),
    Column.CONFIRMED_ON: ColumnSpec("转正日期", "confirmed_on", "confirmed_on", 90),
    Column.OCCUPATION: ColumnSpec("工作岗位", "occupation", "occupation", 120, False),
    Column.EMPLOYER: ColumnSpec("工作单位及职务", "employer", "employer", 160, False),
    Column.PARTY_POST: ColumnSpec("党内职务", "party_post", "party_post", 76, False),
    Column.MOBILE: ColumnSpec("手机", "mobile", "mobile", 104),
    Column.ADDRESS: ColumnSpec("家庭住址", "address", "address", 190),
    Column.STANDING: ColumnSpec("党籍状态", "standing", "standing", 70, False),
    Column.FLOATING: ColumnSpec("流动党员", "floating", "floating", 64, False),
    Column.LOST_CONTACT: ColumnSpec("失联党员", "lost_contact", "lost_contact", 64, False),
    Column.STATUS: ColumnSpec("状态", "status", "status", 60),
}

IdsFetcher = Callable[[MemberFilter, str, bool], list[int]]
RowsFetcher = Callable[[list[int]], dict[int, tuple]]


class LedgerModel(QAbstractTableModel):
    """Rows are member ids in SQL order; ``fetch_ids`` and ``fetch_rows`` call app.members."""

    def __init__(self, fetch_ids: IdsFetcher, fetch_rows: RowsFetcher, parent=None) -> None:
        super().__init__(parent)
        self._fetch_ids = fetch_ids
        self._fetch_rows = fetch_rows
        self._ids: list[int] = []
        self._row_of: dict[int, int] | None = None
        self._cache: OrderedDict[int, tuple] = OrderedDict()
        self.filter = MemberFilter()
        self.sort_column = Column.ORG
        self.descending = False
        self.org_names: dict[int, str] = {}
        self.org_paths: dict[int, str] = {}
        self.today = date.today()

    # ------------------------------------------------------------ loading

    def load(self, flt: MemberFilter | None = None) -> None:
        """Run the query again (new filter, new sort, or a change elsewhere): a full reset."""
        if flt is not None:
            self.filter = flt
        self.beginResetModel()
        self._ids = self._fetch_ids(self.filter, COLUMNS[self.sort_column].sort, self.descending)
        self._row_of = None
        self._cache.clear()
        self.endResetModel()

    def set_orgs(self, names: dict[int, str], paths: dict[int, str]) -> None:
        self.org_names, self.org_paths = names, paths
        if self._ids:
            self.dataChanged.emit(self.index(0, Column.ORG), self.index(len(self._ids) - 1, Column.ORG))

    def member_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, member_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {mid: row for row, mid in enumerate(self._ids)}
        return self._row_of.get(member_id)

    def cached_rows(self) -> int:
        return len(self._cache)

    def member_changed(self, member_id: int) -> None:
        """After one member was added, edited or left: the one row is updated, inserted or removed
        (a full reset only when the change moved it within the sort order)."""
        new_ids = self._fetch_ids(self.filter, COLUMNS[self.sort_column].sort, self.descending)
        self._cache.pop(member_id, None)
        old_row = self.row_of(member_id)
        new_row = new_ids.index(member_id) if member_id in set(new_ids) else None
        if old_row is not None and new_row == old_row and len(new_ids) == len(self._ids):
            self.dataChanged.emit(self.index(old_row, 0), self.index(old_row, len(Column) - 1))
            return
        if old_row is None and new_row is not None and new_ids[:new_row] + new_ids[new_row + 1:] == self._ids:
            self.beginInsertRows(QModelIndex(), new_row, new_row)
            self._ids, self._row_of = new_ids, None
            self.endInsertRows()
            return
        if old_row is not None and new_row is None and self._ids[:old_row] + self._ids[old_row + 1:] == new_ids:
            self.beginRemoveRows(QModelIndex(), old_row, old_row)
            self._ids, self._row_of = new_ids, None
            self.endRemoveRows()
            return
        self.beginResetModel()
        self._ids, self._row_of = new_ids, None
        self._cache.clear()
        self.endResetModel()

    def _row_values(self, row: int) -> tuple | None:
        member_id = self._ids[row]
        values = self._cache.get(member_id)
        if values is not None:
            self._cache.move_to_end(member_id)
            return values
        start = row - row % PAGE_ROWS
        page = [mid for mid in self._ids[start:start + PAGE_ROWS] if mid not in self._cache]
        for mid, values in self._fetch_rows(page).items():
            self._cache[mid] = values
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)
        return self._cache.get(member_id)

    # ------------------------------------------------------------ Qt model API

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(Column):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[Column(section)].header
        elif orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == MemberIdRole:
            return self._ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole):
            return None
        values = self._row_values(index.row())
        if values is None:  # the member vanished since the ids were read
            return None
        column = Column(index.column())
        value = values[_FIELD[COLUMNS[column].field]]
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#999999") if values[_FIELD["status"]] != "在册" else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is Column.ORG:
                return self.org_paths.get(value, "")
            if column is Column.CONFIRMED_ON and value is None and values[_FIELD["category"]] == "预备党员":
                return "预备党员，转正到期见党员信息"
            return None
        return self._display(column, value, values)

    def _display(self, column: Column, value, values: tuple) -> str:
        if column is Column.ORG:
            return self.org_names.get(value, "")
        if column is Column.CONFIRMED_ON and value is None and values[_FIELD["category"]] == "预备党员":
            from app.members import confirmation_due

            due = confirmation_due(values[_FIELD["joined_on"]], values[_FIELD["probation_extended"]])
            return f"{due:%Y-%m-%d} 到期" if due >= self.today else f"已逾期（{due:%Y-%m-%d}）"
        if isinstance(value, bool):
            return "是" if value else ""
        if isinstance(value, date):
            return value.strftime("%Y-%m-%d")
        return "" if value is None else str(value)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(Column):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if column == self.sort_column and descending == self.descending:
            return
        self.layoutAboutToBeChanged.emit()
        old = self._ids
        if column == self.sort_column:
            # Every sort key, the id included, flips with the order: no query needed.
            new = old[::-1]
        else:
            new = self._fetch_ids(self.filter, COLUMNS[Column(column)].sort, descending)
        self.sort_column, self.descending = Column(column), descending
        self._ids, self._row_of = new, None
        if len(new) != len(old):  # the data changed meanwhile: start over
            self.layoutChanged.emit()
            self.load()
            return
        persistent = self.persistentIndexList()
        if persistent:
            new_rows = {mid: row for row, mid in enumerate(self._ids)}
            self.changePersistentIndexList(
                persistent, [self.index(new_rows[old[p.row()]], p.column()) for p in persistent]
            )
        self.layoutChanged.emit()
