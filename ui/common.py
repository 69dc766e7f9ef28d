"""Small widgets and helpers shared by the pages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHeaderView,
    QLabel,
    QLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.paths import user_data_dir

EMPTY_DATE = QDate(1900, 1, 1)


def ui_settings() -> QSettings:
    """Window geometry, last page, column choices: an ini file in the user's data folder."""
    return QSettings(str(user_data_dir() / "ui.ini"), QSettings.Format.IniFormat)


def page_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("pageTitle")
    return label


def section_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label


def error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setProperty("class", "fieldError")
    label.setStyleSheet("color: #c0392b;")
    label.setWordWrap(True)
    label.hide()
    return label


def show_error_on(label: QLabel, message: str | None) -> None:
    label.setText(message or "")
    label.setVisible(bool(message))


class OptionalDateEdit(QDateEdit):
    """A date edit that can be empty (shows 未填写); Delete or Backspace on it empties it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(EMPTY_DATE)
        self.setSpecialValueText("未填写")
        self.setDate(EMPTY_DATE)

    def value(self) -> date | None:
        qdate = self.date()
        if qdate == EMPTY_DATE:
            return None
        return date(qdate.year(), qdate.month(), qdate.day())

    def set_value(self, value: date | None) -> None:
        self.setDate(QDate(value.year, value.month, value.day) if value else EMPTY_DATE)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.currentSectionIndex() == 0:
            self.set_value(None)
            return
        super().keyPressEvent(event)


def fmt_date(value: date | None, empty: str = "") -> str:
    return value.strftime("%Y-%m-%d") if value else empty


def critical(parent: QWidget | None, title: str, message: str) -> None:
    QMessageBox.critical(parent, title, message)


def confirm(parent: QWidget | None, title: str, message: str, ok_text: str = "确定") -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, message, parent=parent)
    ok = box.addButton(ok_text, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is ok


def camel(name: str) -> str:
    """A field name as an objectName: ``destination_city`` → ``destinationCity``."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def to_date(qdate: QDate) -> date:
    return date(qdate.year(), qdate.month(), qdate.day())


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def day_edit(name: str, *, earliest: date | None = None) -> QDateEdit:
    """A date field for something that has happened: today by default, no later than today (and not
    before ``earliest``), with a calendar popup."""
    edit = QDateEdit(QDate.currentDate())
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    if earliest is not None:
        edit.setMinimumDate(to_qdate(earliest))
    edit.setMaximumDate(QDate.currentDate())
    return edit


def with_error(field: QWidget | QLayout, name: str, errors: dict[str, QLabel]) -> QVBoxLayout:
    """A form field with its error label underneath (objectName ``<camelName>Error``), kept in ``errors``
    under ``name`` so the dialog can show a problem right where it is."""
    cell = QVBoxLayout()
    cell.setContentsMargins(0, 0, 0, 0)
    cell.setSpacing(2)
    if isinstance(field, QWidget):
        cell.addWidget(field)
    else:
        cell.addLayout(field)
    errors[name] = error_label(f"{camel(name)}Error")
    cell.addWidget(errors[name])
    return cell


PERSON_ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the id behind a line of a search-result list


def fill_found(found_list: QListWidget, found: Iterable[tuple[int, str]], keep: int | None) -> None:
    """Show search results (id, label), keeping ``keep`` selected when it is among them and selecting the
    only result when there is one; no selection signals while filling."""
    found_list.blockSignals(True)
    found_list.clear()
    for found_id, label in found:
        item = QListWidgetItem(label)
        item.setData(PERSON_ID_ROLE, found_id)
        found_list.addItem(item)
        if found_id == keep:
            found_list.setCurrentItem(item)
    if found_list.currentRow() < 0 and found_list.count() == 1:
        found_list.setCurrentRow(0)
    found_list.blockSignals(False)


def found_id(found_list: QListWidget) -> int | None:
    item = found_list.currentItem()
    return item.data(PERSON_ID_ROLE) if item is not None else None


Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """A small read-only list of rows: subclasses name the ``HEADERS`` and give ``cells(row)``; optional
    ``foreground(row)`` (a colour for the whole row) and ``tooltip(row, column)``."""

    HEADERS: tuple[str, ...] = ()
    ALIGN: dict[int, Qt.AlignmentFlag] = {}

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or index.column() >= len(self.HEADERS):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(row)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, index.column()) or self.cells(row)[index.column()] or None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.ALIGN:
            return self.ALIGN[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(row)
        return None

    def cells(self, row: Any) -> tuple[str, ...]:  # pragma: no cover - every model overrides it
        raise NotImplementedError

    def foreground(self, row: Any):
        return None

    def tooltip(self, row: Any, column: int) -> str | None:
        return None


def table_view(name: str, model: QAbstractTableModel, widths: Sequence[int], *,
               selection: QAbstractItemView.SelectionMode = QAbstractItemView.SelectionMode.SingleSelection,
               view: QTableView | None = None) -> QTableView:
    """A read-only table of whole rows: fixed row height, alternating colours, the last column stretched
    (``view``: a subclass's instance to set up instead of a plain one)."""
    view = view if view is not None else QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(selection)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(26)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    for column, width in enumerate(widths):
        view.setColumnWidth(column, width)
    view.horizontalHeader().setStretchLastSection(True)
    return view
