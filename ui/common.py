"""Small widgets and helpers shared by the pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QLabel,
    QLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
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
