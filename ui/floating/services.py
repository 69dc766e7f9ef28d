"""流动党员之家, the 之家服务 tab: services by year and kind; 新增 / 编辑 / 删除; the card on double-click."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from enum import IntEnum

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app import floating_services
from app.floating_services import SERVICE_KINDS, Person, ServiceInput, ServiceRow
from ui.common import confirm, day_edit, fmt_date, show_error_on, with_error
from ui.floating.inflow import (
    ActionTab,
    EnterOpens,
    Index,
    RowsModel,
    SortRole,
    grow_to_fit,
    make_table,
)

# (member_id, inflow_id, input) -> (errors by field, cleaned input)
ServiceValidator = Callable[[int | None, int | None, ServiceInput], tuple[dict[str, str], ServiceInput]]
# search text -> people
PersonFinder = Callable[[str], list[Person]]
PersonRole = Qt.ItemDataRole.UserRole + 1


class ServiceColumn(IntEnum):
    SERVED_ON = 0
    KIND = 1
    PERSON = 2
    PERSON_TYPE = 3
    CONTENT = 4
    PROVIDER = 5
    RESULT = 6


SERVICE_HEADERS = ("日期", "类别", "服务对象", "身份", "服务内容", "提供单位或个人", "结果")
SERVICE_WIDTHS = (96, 80, 90, 76, 380, 170, 160)


class ServicesModel(RowsModel):
    """之家服务, newest first (app.floating_services.list_services's order)."""

    headers = SERVICE_HEADERS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row: ServiceRow = self.rows[index.row()]
        column = ServiceColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == SortRole:
            if column is ServiceColumn.SERVED_ON:
                return -index.row()  # newest first is the model's order; ties keep it
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (ServiceColumn.CONTENT, ServiceColumn.RESULT,
                                                              ServiceColumn.PROVIDER):
            text = self._text(row, column)
            return text or None
        return None

    @staticmethod
    def _text(row: ServiceRow, column: ServiceColumn) -> str:
        return {
            ServiceColumn.SERVED_ON: fmt_date(row.served_on),
            ServiceColumn.KIND: row.kind,
            ServiceColumn.PERSON: row.person_name,
            ServiceColumn.PERSON_TYPE: row.person_type,
            ServiceColumn.CONTENT: " ".join(row.content.split()),
            ServiceColumn.PROVIDER: row.provider,
            ServiceColumn.RESULT: row.result,
        }[column]


class ServicesTab(ActionTab):
    """之家服务: filters (year, kind), 新增服务 / 编辑 / 删除; double-click or Enter opens the person's card."""

    def __init__(self, database, parent: QWidget | None = None) -> None:
        super().__init__(database, parent)
        self.setObjectName("servicesTab")
        self.model = ServicesModel(self)
        self.view, self.proxy = make_table("servicesTable", self.model, SERVICE_WIDTHS)
        self.view.doubleClicked.connect(lambda _i: self.open_card())
        EnterOpens(self.view, self.open_card)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        self.year = QComboBox()
        self.year.setObjectName("serviceYear")
        self.year.setMinimumWidth(110)
        self.kind = QComboBox()
        self.kind.setObjectName("serviceKind")
        self.kind.addItem("全部类别", None)
        for kind in SERVICE_KINDS:
            self.kind.addItem(kind, kind)
        self.year.currentIndexChanged.connect(lambda _i: self._filters_changed())
        self.kind.currentIndexChanged.connect(lambda _i: self._filters_changed())
        filters = QHBoxLayout()
        filters.addWidget(QLabel("年度"))
        filters.addWidget(self.year)
        filters.addWidget(QLabel("类别"))
        filters.addWidget(self.kind)
        self._lay_out("service", (("add", "新增服务…", lambda: self.add_service()),
                                  ("edit", "编辑…", self.edit_selected),
                                  ("delete", "删除", self.delete_selected),
                                  ("card", "档案卡", self.open_card)), filters, self.view, "servicesCount")
        self._loading = False
        self._update_buttons()

    # ------------------------------------------------------------ loading and selection

    def selected_year(self) -> int | None:
        return self.year.currentData()

    def selected_kind(self) -> str | None:
        return self.kind.currentData()

    def _filters_changed(self) -> None:
        if not self._loading:
            self.reload()

    def _fill_years(self, years: Sequence[int]) -> None:
        current = self.year.currentData() if self.year.count() else date.today().year
        self._loading = True
        self.year.clear()
        self.year.addItem("全部年份", None)
        for year in years:
            self.year.addItem(f"{year} 年", year)
        self.year.setCurrentIndex(max(self.year.findData(current), 0))
        self._loading = False

    def reload(self, rows: Sequence[ServiceRow] | None = None) -> None:
        """Show ``rows``, or read the services of the chosen year and kind (and refresh the years)."""
        keep = self.selected_id()
        if rows is None:
            with self.database.read() as session:
                self._fill_years(floating_services.service_years(session))
                rows = floating_services.list_services(session, year=self.selected_year(), kind=self.selected_kind())
        self.model.set_rows(rows)
        people = len({r.person for r in rows})
        self.count_label.setText(f"服务 {len(rows)} 次，涉及 {people} 人" if rows else "没有符合条件的服务记录")
        if keep is not None:
            self.select(keep)
        self._update_buttons()

    def selected_row(self) -> ServiceRow | None:
        index = self.view.currentIndex()
        if not index.isValid() or not self.view.selectionModel().isRowSelected(index.row(), index.parent()):
            return None
        return self.model.row_at(self.proxy.mapToSource(index).row())

    def selected_id(self) -> int | None:
        row = self.selected_row()
        return row.id if row is not None else None

    def select(self, service_id: int) -> bool:
        row = self.model.row_of(service_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.view.selectRow(index.row())
        self.view.scrollTo(index)
        return True

    def _update_buttons(self) -> None:
        row = self.selected_row()
        self.buttons["add"].setEnabled(self.writable)
        for key in ("edit", "delete"):
            self.buttons[key].setEnabled(self.writable and row is not None)
        self.buttons["card"].setEnabled(row is not None)

    # ------------------------------------------------------------ actions

    def _validate(self, member_id: int | None, inflow_id: int | None,
                  data: ServiceInput) -> tuple[dict[str, str], ServiceInput]:
        with self.database.read() as session:
            return floating_services.validate_service(session, member_id=member_id, inflow_id=inflow_id, data=data)

    def _find(self, text: str) -> list[Person]:
        with self.database.read() as session:
            return floating_services.find_people(session, text)

    def open_card(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.card_requested.emit(*row.person)

    def add_service(self, *, member_id: int | None = None, inflow_id: int | None = None) -> int | None:
        """新增服务; with ``member_id`` or ``inflow_id`` for that person (the picker is then fixed)."""
        if not self.writable:
            return None
        person = None
        if member_id is not None or inflow_id is not None:
            with self.database.read() as session:
                person = floating_services.person_of(session, member_id=member_id, inflow_id=inflow_id)
        dialog = ServiceDialog(self._validate, self._find, person=person, parent=self)
        if not dialog.exec():
            return None
        chosen, data = dialog.selected_person(), dialog.value()
        if chosen is None:
            return None
        found = self.run("新增服务", lambda s: floating_services.add_service(
            s, member_id=chosen.member_id, inflow_id=chosen.inflow_id, data=data))
        if found is None:
            return None
        service_id, changes = found
        if data.served_on is not None and self.selected_year() not in (None, data.served_on.year):
            self.year.setCurrentIndex(0)  # show the new row whatever year it is in
        if self.selected_kind() not in (None, data.kind):
            self.kind.setCurrentIndex(0)
        self.reload()
        self.select(service_id)
        self._done(changes)
        return service_id

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is None or not self.writable:
            return
        with self.database.read() as session:
            person, data = floating_services.load_service(session, row.id)
        dialog = ServiceDialog(self._validate, self._find, person=person, data=data, parent=self)
        if not dialog.exec():
            return
        value = dialog.value()
        changes = self.run("修改服务记录", lambda s: floating_services.update_service(s, row.id, value))
        if changes is not None:
            self.reload()
            self._done(changes)

    def delete_selected(self) -> None:
        row = self.selected_row()
        if row is None or not self.writable:
            return
        if not confirm(self, "删除服务记录",
                       f"确认删除 {fmt_date(row.served_on)} 给{row.person_name}的“{row.kind}”服务记录？"
                       "删除后不能恢复，操作日志中保留删除记录。", ok_text="删除"):
            return
        changes = self.run("删除服务记录", lambda s: floating_services.delete_service(s, row.id))
        if changes is not None:
            self.reload()
            self._done(changes)


class ServiceDialog(QDialog):
    """新增服务 / 编辑: the person (searched, or fixed), kind, date, content, provider, result."""

    def __init__(self, validator: ServiceValidator, find_people: PersonFinder | None = None, *,
                 person: Person | None = None, data: ServiceInput | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("service_dialog")
        self.validator = validator
        self.find_people = find_people
        self.person = person
        editing = data is not None
        self.setWindowTitle("编辑服务记录" if editing else "新增服务")
        self.setMinimumWidth(540)
        self.errors: dict[str, QLabel] = {}
        self.touched: set[str] = {"person", "kind", "served_on", "content", "provider", "result"} if editing else set()
        if person is not None:
            self.touched.add("person")  # a problem with a person given from outside shows at once
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        def row(label: str, widget: QWidget, name: str) -> None:
            form.addRow(label, with_error(widget, name, self.errors))

        self.person_search = QLineEdit()
        self.person_search.setObjectName("personSearch")
        self.person_search.setPlaceholderText("输入姓名、拼音首字母或手机号查找")
        self.person_search.setClearButtonEnabled(True)
        self.person_list = QListWidget()
        self.person_list.setObjectName("personList")
        self.person_list.setMaximumHeight(130)
        if person is None:
            picker = QWidget()
            pick = QVBoxLayout(picker)
            pick.setContentsMargins(0, 0, 0, 0)
            pick.addWidget(self.person_search)
            pick.addWidget(self.person_list)
            hint = QLabel("流动党员在前，其次是流入党员，再次是其他在册党员。")
            hint.setStyleSheet("color: #777777;")
            pick.addWidget(hint)
            row("服务对象 *", picker, "person")
            self._search_timer = QTimer(self)
            self._search_timer.setSingleShot(True)
            self._search_timer.setInterval(120)
            self._search_timer.timeout.connect(self.search_people)
            self.person_search.textChanged.connect(lambda _t: self._search_timer.start())
            self.person_list.currentRowChanged.connect(lambda _r: self._touch("person"))
        else:
            shown = QLabel(person.label)
            shown.setObjectName("presetPerson")
            row("服务对象", shown, "person")

        self.kind = QComboBox()
        self.kind.setObjectName("kind")
        self.kind.addItems(list(SERVICE_KINDS))
        row("服务类别 *", self.kind, "kind")
        self.served_on = day_edit("servedOn")
        row("服务日期 *", self.served_on, "served_on")
        self.content = QPlainTextEdit()
        self.content.setObjectName("content")
        self.content.setPlaceholderText("例如：推荐到某某超市做理货员；组织参加电工技能培训")
        self.content.setFixedHeight(80)
        self.content.setTabChangesFocus(True)
        row("服务内容 *", self.content, "content")
        self.provider = QLineEdit()
        self.provider.setObjectName("provider")
        self.provider.setPlaceholderText("例如：社区就业服务站、某某律师事务所")
        row("提供单位或个人", self.provider, "provider")
        self.result = QLineEdit()
        self.result.setObjectName("result")
        self.result.setPlaceholderText("例如：已录用、已结业、问题已解决")
        row("服务结果", self.result, "result")

        self.missing = QLabel()
        self.missing.setObjectName("missingFields")
        self.missing.setStyleSheet("color: #777777;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("saveService")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.missing, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(bottom)

        if data is not None:
            self.set_value(data)
        self.kind.currentIndexChanged.connect(lambda _i: self._touch("kind"))
        self.served_on.dateChanged.connect(lambda _d: self._touch("served_on"))
        self.content.textChanged.connect(lambda: self._touch("content"))
        self.provider.textChanged.connect(lambda _t: self._touch("provider"))
        self.result.textChanged.connect(lambda _t: self._touch("result"))
        if person is None:
            self.search_people()
            self.person_search.setFocus()
        else:
            self.content.setFocus()
        self.revalidate()

    def _touch(self, name: str) -> None:
        self.touched.add(name)
        self.revalidate()

    # ------------------------------------------------------------ person

    def search_people(self) -> None:
        if self.find_people is None or self.person is not None:
            return
        current = self.selected_person()
        self.person_list.blockSignals(True)
        self.person_list.clear()
        for found in self.find_people(self.person_search.text().strip()):
            item = QListWidgetItem(found.label)
            item.setData(PersonRole, found)
            self.person_list.addItem(item)
            if current is not None and (found.member_id, found.inflow_id) == (current.member_id, current.inflow_id):
                self.person_list.setCurrentItem(item)
        if self.person_list.currentRow() < 0 and self.person_list.count() == 1:
            self.person_list.setCurrentRow(0)
        self.person_list.blockSignals(False)
        self.revalidate()

    def selected_person(self) -> Person | None:
        if self.person is not None:
            return self.person
        item = self.person_list.currentItem()
        return item.data(PersonRole) if item is not None else None

    # ------------------------------------------------------------ values

    def set_value(self, data: ServiceInput) -> None:
        if data.kind in SERVICE_KINDS:
            self.kind.setCurrentText(data.kind)
        if data.served_on is not None:
            self.served_on.setDate(QDate(data.served_on.year, data.served_on.month, data.served_on.day))
        self.content.setPlainText(data.content)
        self.provider.setText(data.provider)
        self.result.setText(data.result)

    def value(self) -> ServiceInput:
        qdate = self.served_on.date()
        return ServiceInput(kind=self.kind.currentText(), served_on=date(qdate.year(), qdate.month(), qdate.day()),
                            content=self.content.toPlainText(), provider=self.provider.text(),
                            result=self.result.text())

    def revalidate(self) -> bool:
        person = self.selected_person()
        if person is None:
            errors = {"person": "请从列表中选择服务对象。"}
            _errors, _clean = self.validator(None, None, self.value())
            errors.update({k: v for k, v in _errors.items() if k != "person"})
        else:
            errors, _clean = self.validator(person.member_id, person.inflow_id, self.value())
        for name, label in self.errors.items():
            show_error_on(label, errors.get(name) if name in self.touched else None)
        labels = {"person": "服务对象", "content": "服务内容", "served_on": "服务日期", "kind": "服务类别",
                  "provider": "提供单位或个人", "result": "服务结果"}
        hidden = [labels[name] for name in errors if name not in self.touched and name in labels]
        self.missing.setText(f"尚需填写：{'、'.join(hidden)}" if hidden else "")
        self.ok.setEnabled(not errors)
        grow_to_fit(self)
        return not errors

    def accept(self) -> None:
        self.touched |= set(self.errors)
        if self.revalidate():
            super().accept()
