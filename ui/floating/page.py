"""流动党员之家: who is away (外出) and whom to contact (待联系); register, edit, return, record a contact."""

from __future__ import annotations

from datetime import date
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import floating, members, orgs
from app.changes import FLOATING, MEMBERS, Changes
from app.floating import LOST, NORMAL, SOON, TO_CONTACT, ContactStatus, OutflowInput, OutflowRow
from app.members import MemberFilter
from ui.common import fmt_date, page_title
from ui.floating import exchange
from ui.floating.dialogs import ContactDialog, LostEventDialog, OutflowDialog, ReturnDialog
from ui.floating.lapse import LAPSE_WIDTHS, LapseModel
from ui.page import Page

Index = QModelIndex | QPersistentModelIndex
AMBER = QColor("#fff3cd")
ORANGE = QColor("#ffe0b2")
RED = QColor("#c0392b")
BACKGROUNDS = {SOON: AMBER, TO_CONTACT: ORANGE}


class OutflowColumn(IntEnum):
    NAME = 0
    ORG = 1
    LEFT_ON = 2
    DESTINATION = 3
    REASON = 4
    MODE = 5
    CERTIFICATE = 6
    STATUS = 7
    REPORT = 8


OUTFLOW_HEADERS = ("姓名", "所在党组织", "外出日期", "流向", "原因", "管理方式", "活动证有效期", "联系状态", "本年报告")
OUTFLOW_WIDTHS = (130, 150, 96, 130, 80, 100, 150, 80, 80)


class ContactColumn(IntEnum):
    NAME = 0
    ORG = 1
    STATUS = 2
    LAST_REACHED = 3
    CROSSES_ON = 4
    DAYS_LEFT = 5
    REASON = 6


CONTACT_HEADERS = ("姓名", "所在党组织", "状态", "最后联系上", "满六个月日期", "剩余天数", "原因")
CONTACT_WIDTHS = (90, 160, 80, 100, 110, 80, 520)


def _status_role(status: str, role: int):
    if role == Qt.ItemDataRole.BackgroundRole and status in BACKGROUNDS:
        return QBrush(BACKGROUNDS[status])
    if role == Qt.ItemDataRole.ForegroundRole and status == LOST:
        return QBrush(RED)
    return None


class OutflowModel(QAbstractTableModel):
    """外出: the open records with their contact status."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[OutflowRow] = []
        self.statuses: dict[int, str] = {}  # member id -> status
        self.org_names: dict[int, str] = {}
        self.unreported: set[int] | frozenset[int] = frozenset()  # members flagged: no report this year

    def set_rows(self, rows: list[OutflowRow], statuses: dict[int, str], org_names: dict[int, str],
                 unreported: set[int] | frozenset[int] = frozenset()) -> None:
        self.beginResetModel()
        self.rows, self.statuses, self.org_names, self.unreported = rows, statuses, org_names, unreported
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(OutflowColumn)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(OUTFLOW_HEADERS)):
            return OUTFLOW_HEADERS[section]
        return None

    def row_at(self, row: int) -> OutflowRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = OutflowColumn(index.column())
        status = self.statuses.get(row.member_id, NORMAL if row.member_status == "在册" else "")
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column, status)
        if column is OutflowColumn.CERTIFICATE and row.certificate_expired:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(RED)
            if role == Qt.ItemDataRole.ToolTipRole:
                return "活动证已过期"
        if role == Qt.ItemDataRole.ToolTipRole and column is OutflowColumn.NAME and row.incomplete:
            return "登记信息待补全"
        if column is OutflowColumn.REPORT and row.member_id in self.unreported:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(RED)
            if role == Qt.ItemDataRole.ToolTipRole:
                return "本年度尚未向党组织报告情况（每年至少一次）；记录联系时勾选“本人向党组织报告”"
        return _status_role(status, role)

    def _text(self, row: OutflowRow, column: OutflowColumn, status: str) -> str:
        if column is OutflowColumn.NAME:
            suffix = "" if row.member_status == "在册" else f"（已{row.member_status}）"
            return row.name + suffix + ("（待补全）" if row.incomplete else "")
        if column is OutflowColumn.ORG:
            return self.org_names.get(row.org_id, "")
        if column is OutflowColumn.LEFT_ON:
            return fmt_date(row.left_on)
        if column is OutflowColumn.DESTINATION:
            return row.destination
        if column is OutflowColumn.REASON:
            return row.reason
        if column is OutflowColumn.MODE:
            return row.management_mode
        if column is OutflowColumn.CERTIFICATE:
            text = fmt_date(row.certificate_valid_until)
            return f"{text}（已过期）" if row.certificate_expired else text
        if column is OutflowColumn.REPORT:
            return "未报告" if row.member_id in self.unreported else ""
        return status


class ContactModel(QAbstractTableModel):
    """待联系: floating members no longer 正常, most urgent first."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[OutflowRow, ContactStatus]] = []
        self.org_names: dict[int, str] = {}

    def set_rows(self, rows: list[tuple[OutflowRow, ContactStatus]], org_names: dict[int, str] | None = None) -> None:
        self.beginResetModel()
        self.rows = rows
        self.org_names = org_names or {}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(ContactColumn)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(CONTACT_HEADERS)):
            return CONTACT_HEADERS[section]
        return None

    def row_at(self, row: int) -> OutflowRow | None:
        return self.rows[row][0] if 0 <= row < len(self.rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, status = self.rows[index.row()]
        column = ContactColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                ContactColumn.NAME: row.name,
                ContactColumn.ORG: self.org_names.get(row.org_id, ""),
                ContactColumn.STATUS: status.status,
                ContactColumn.LAST_REACHED: fmt_date(status.last_reached),
                ContactColumn.CROSSES_ON: fmt_date(status.crosses_on),
                ContactColumn.DAYS_LEFT: str(status.days_left) if status.days_left >= 0
                else f"已超 {-status.days_left} 天",
                ContactColumn.REASON: status.reason,
            }[column]
        if role == Qt.ItemDataRole.ToolTipRole and column is ContactColumn.REASON:
            return status.reason
        if role == Qt.ItemDataRole.TextAlignmentRole and column is ContactColumn.DAYS_LEFT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return _status_role(status.status, role)


def _table(name: str, model: QAbstractTableModel, widths) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setWordWrap(False)
    view.verticalHeader().setDefaultSectionSize(26)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().hide()
    for column, width in enumerate(widths):
        view.setColumnWidth(column, width)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class FloatingPage(Page):
    area = "floating"
    nav_title = "流动党员之家"

    def __init__(self, window) -> None:
        super().__init__(window)
        self.outflow_model = OutflowModel(self)
        self.contact_model = ContactModel(self)
        self.lapse_model = LapseModel(self)
        self.outflow_view = _table("outflowTable", self.outflow_model, OUTFLOW_WIDTHS)
        self.contact_view = _table("toContactTable", self.contact_model, CONTACT_WIDTHS)
        self.lapse_view = _table("lapseTable", self.lapse_model, LAPSE_WIDTHS)
        # The 流入 and 服务记录 tabs are built when the page first loads (their modules cost start-up time
        # the 工作台 does not need); until then two empty placeholders hold their places.
        self.inflow_tab: QWidget = QWidget()
        self.services_tab: QWidget = QWidget()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("floatingTabs")
        self.tabs.addTab(self.outflow_view, "外出")
        self.tabs.addTab(self.inflow_tab, "流入")
        self.tabs.addTab(self.contact_view, "待联系")
        self.tabs.addTab(self.services_tab, "服务记录")
        self.tabs.addTab(self.lapse_view, "脱党预警")
        self._tabs_built = False
        self.tabs.setTabToolTip(self.tabs.indexOf(self.lapse_view),
                                "连续六个月未参加组织生活或未交纳党费的党员（党章第九条），含未外出的党员")
        self.tabs.currentChanged.connect(self._tab_changed)
        for view in (self.outflow_view, self.contact_view, self.lapse_view):
            view.selectionModel().currentRowChanged.connect(lambda *_: self._update_actions())
        self.outflow_view.doubleClicked.connect(lambda _i: self.edit_selected())
        self.contact_view.doubleClicked.connect(lambda _i: self.record_contact())
        self.lapse_view.doubleClicked.connect(lambda _i: self.open_card())
        self._lapse_stale = True

        self.count_label = QLabel()
        self.count_label.setObjectName("floatingCount")
        self.toolbar = QToolBar()
        self.toolbar.setObjectName("floatingToolbar")
        self.actions_ = self.add_actions(self.toolbar, (
            ("register", "登记外出…", "", self.register_outflow),
            ("edit", "编辑…", "F2", self.edit_selected),
            ("return", "登记返回…", "", self.return_selected),
            ("contact", "记录联系…", "Ctrl+L", self.record_contact),
            ("lost", "失联处置…", "Ctrl+K", self.record_lost_event),
            ("service", "登记服务…", "", self.add_service),
            ("meeting", "组织生活登记…", "", self.record_meeting),
            ("dues", "党费登记…", "", self.record_dues),
            ("card", "档案卡", "Ctrl+I", self.open_card),
        ))

        self.exchange_button = QToolButton()
        self.exchange_button.setObjectName("floatingExchange")
        self.exchange_button.setText("打印与导入导出")
        self.exchange_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.exchange_button.setMenu(exchange.menu(self, self.exchange_button))
        self.toolbar.addSeparator()
        self.toolbar.addWidget(self.exchange_button)

        header_row = QVBoxLayout()
        layout = QVBoxLayout(self)
        header_row.addWidget(page_title("流动党员之家"))
        layout.addLayout(header_row)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.count_label)
        self.hint = QLabel("选中一行后按“记录联系”（Ctrl+L）即可登记一次联系；黄色为即将失联，橙色为待联系，红字为失联。")
        self.hint.setStyleSheet("color: #777777;")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self._update_actions()

    # ------------------------------------------------------------ loading

    def shows(self, changes: Changes) -> bool:
        return changes.floating or changes.members or changes.orgs or changes.meetings or changes.dues \
            or changes.settings

    def _build_tabs(self) -> None:
        from ui.floating.inflow import InflowTab
        from ui.floating.services import ServicesTab

        self._tabs_built = True
        current = self.tabs.currentIndex()
        self.tabs.blockSignals(True)
        for attribute, tab in (("inflow_tab", InflowTab(lambda: self.database, self)),
                               ("services_tab", ServicesTab(lambda: self.database, self))):
            index = self.tabs.indexOf(getattr(self, attribute))
            text = self.tabs.tabText(index)
            self.tabs.removeTab(index)
            getattr(self, attribute).deleteLater()
            self.tabs.insertTab(index, tab, text)
            setattr(self, attribute, tab)
            tab.changed.connect(self.changed.emit)  # the tab has reloaded itself
            tab.card_requested.connect(self.show_card)
        self.inflow_tab.changed.connect(lambda _c: self.services_tab.reload())  # renamed people show in services
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(False)

    def reload(self) -> None:
        if not self._tabs_built:
            self._build_tabs()
        today = date.today()
        keep = self.selected_row()
        with self.database.read() as session:
            months = floating.warning_months(session)
            records = floating.open_records(session, today)
            waiting = floating.to_contact(session, today, warning_months=months)
            unreported = {r.member_id for r in floating.reports_overdue(session, today,
                                                                        flag_from=floating.report_flag_date(session))}
            org_names = {n.id: n.name for n in orgs.list_tree(session, include_dissolved=True)}
        self.org_names = org_names
        statuses = {row.member_id: NORMAL for row in records if row.member_status == "在册"}
        statuses.update({row.member_id: status.status for row, status in waiting})
        self.outflow_model.set_rows(records, statuses, org_names, unreported)
        self.contact_model.set_rows(waiting, org_names)
        self.tabs.setTabText(self.tabs.indexOf(self.outflow_view), f"外出（{len(records)}）" if records else "外出")
        self.tabs.setTabText(self.tabs.indexOf(self.contact_view), f"待联系（{len(waiting)}）" if waiting else "待联系")
        self.count_label.setText(f"外出 {len(records)} 人，待联系 {len(waiting)} 人")
        self.inflow_tab.reload()
        self.services_tab.reload()
        self.tabs.setTabText(self.tabs.indexOf(self.inflow_tab), f"流入（{self.inflow_tab.model.rowCount()}）")
        self._lapse_stale = True
        if self.tabs.currentWidget() is self.lapse_view:
            self._load_lapse()
        if keep is not None:
            self._select(keep.record_id)
        self._update_actions()

    def _load_lapse(self) -> None:
        """The 脱党预警 list reads every 在册 member's last meeting and dues: only when its tab is shown."""
        with self.database.read() as session:
            rows = floating.lapse_list(session, date.today())
        self.lapse_model.set_rows(rows, self.org_names)
        crossed = sum(1 for r in rows if r.warning.crossed)
        self.tabs.setTabText(self.tabs.indexOf(self.lapse_view), f"脱党预警（{len(rows)}）" if rows else "脱党预警")
        self.lapse_view.setToolTip(f"已满六个月 {crossed} 人，即将满六个月 {len(rows) - crossed} 人")
        self._lapse_stale = False

    def _tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.lapse_view and self._lapse_stale and self._loaded:
            self._load_lapse()
        self._update_actions()

    # ------------------------------------------------------------ selection

    def _current(self) -> tuple[QTableView | None, QAbstractTableModel | None]:
        view = self.tabs.currentWidget()
        return (view, view.model()) if isinstance(view, QTableView) else (None, None)

    def selected_row(self) -> OutflowRow | None:
        """The selected outflow record (外出 or 待联系 tab)."""
        view, model = self._current()
        if view not in (self.outflow_view, self.contact_view):
            return None
        index = view.currentIndex()
        return model.row_at(index.row()) if index.isValid() else None

    def _select(self, record_id: int) -> None:
        view, model = self._current()
        if view not in (self.outflow_view, self.contact_view):
            return
        for row in range(model.rowCount()):
            found = model.row_at(row)
            if found is not None and found.record_id == record_id:
                view.selectRow(row)
                return

    def select_member(self, member_id: int) -> bool:
        """Show a member's open record (from the 工作台): in 待联系 when listed there, else in 外出."""
        self.ensure_loaded()
        for view, model in ((self.contact_view, self.contact_model), (self.outflow_view, self.outflow_model)):
            for row in range(model.rowCount()):
                found = model.row_at(row)
                if found is not None and found.member_id == member_id:
                    self.tabs.setCurrentWidget(view)
                    view.selectRow(row)
                    view.setFocus()
                    return True
        return False

    def _selected_member(self) -> int | None:
        """The ledger member of the selected row of 外出, 待联系 or 脱党预警."""
        view, model = self._current()
        if view is None:
            return None
        index = view.currentIndex()
        if model is self.lapse_model:
            found = self.lapse_model.row_at(index.row()) if index.isValid() else None
            return found.member_id if found else None
        row = self.selected_row()
        return row.member_id if row else None

    def _update_actions(self) -> None:
        writable = not self.database.readonly
        row = self.selected_row()
        on_records = self.tabs.currentWidget() in (self.outflow_view, self.contact_view, self.lapse_view)
        for widget in (self.toolbar, self.count_label, self.hint):
            widget.setVisible(on_records)  # the 流入 and 服务记录 tabs have their own buttons and counts
        for action in self.actions_.values():
            action.setVisible(on_records)  # and no shortcut acts on a row of a hidden table
        self.actions_["register"].setEnabled(writable)
        self.actions_["meeting"].setEnabled(writable)
        self.import_action.setEnabled(writable)
        self.actions_["dues"].setEnabled(writable)
        for key in ("edit", "return", "contact", "lost", "service"):
            self.actions_[key].setEnabled(writable and row is not None)
        self.actions_["card"].setEnabled(self._selected_member() is not None)

    # ------------------------------------------------------------ dialogs' data access

    def _validate(self, record_id: int | None):
        def validate(member_id: int | None, data: OutflowInput):
            with self.database.read() as session:
                return floating.validate_outflow(session, member_id, data, record_id=record_id)

        return validate

    def _find_members(self, text: str) -> list[tuple[int, str]]:
        """在册 members not away now, matching ``text`` (at most 200)."""
        with self.database.read() as session:
            ids = members.ordered_ids(session, MemberFilter(text=text), sort="name")
            found = members.rows(session, ids[:400])
            org_names = {n.id: n.name for n in orgs.list_tree(session, include_dissolved=True)}
        name_at, org_at, floating_at = (members.LEDGER_COLUMNS.index(c) for c in ("name", "org_id", "floating"))
        result = []
        for member_id in ids[:400]:
            values = found.get(member_id)
            if values is None or values[floating_at]:
                continue
            result.append((member_id, f"{values[name_at]}　{org_names.get(values[org_at], '')}"))
        return result[:200]

    def _modes(self) -> tuple[str, ...]:
        with self.database.read() as session:
            return floating.management_modes(session)

    def _done(self, record_id: int | None = None, changes: Changes = FLOATING | MEMBERS) -> None:
        self.reload()
        if record_id is not None:
            self._select(record_id)
        self.changed.emit(changes)

    # ------------------------------------------------------------ actions

    def register_outflow(self) -> None:
        if self.database.readonly:
            return
        dialog = OutflowDialog(self._validate(None), self._modes(), find_members=self._find_members, parent=self)
        if not dialog.exec():
            return
        member_id, data = dialog.selected_member(), dialog.value()
        if member_id is None:
            return
        record_id = self.run("登记外出", lambda s: floating.register_outflow(s, member_id, data)[0])
        if record_id is not None:
            self.tabs.setCurrentWidget(self.outflow_view)
            self._done(record_id)

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is None or self.database.readonly:
            return
        with self.database.read() as session:
            member_id, data, _returned = floating.load_outflow(session, row.record_id)
        dialog = OutflowDialog(self._validate(row.record_id), self._modes(), member_id=member_id,
                               member_name=row.name, data=data, parent=self)
        if not dialog.exec():
            return
        value = dialog.value()
        if self.run("修改外出登记", lambda s: floating.update_outflow(s, row.record_id, value)) is not None:
            self._done(row.record_id)

    def return_selected(self) -> None:
        row = self.selected_row()
        if row is None or self.database.readonly:
            return
        dialog = ReturnDialog(row.name, row.left_on, parent=self)
        if not dialog.exec():
            return
        on = dialog.value()
        if self.run("登记返回", lambda s: floating.return_home(s, row.record_id, on)) is not None:
            self._done()

    def record_contact(self) -> None:
        row = self.selected_row()
        if row is None or self.database.readonly:
            return
        dialog = ContactDialog(row.name, parent=self)
        if not dialog.exec():
            return
        value = dialog.value()
        if self.run("记录联系", lambda s: floating.add_contact(s, row.member_id, value)[0]) is not None:
            self._done(row.record_id, FLOATING)

    def show_card(self, kind: str, person_id: int) -> None:
        from ui.floating.card import show_card

        show_card(self.database, kind, person_id, self)

    def open_card(self) -> None:
        member_id = self._selected_member()
        if member_id is not None:
            self.show_card("member", member_id)  # app.floating_services.MEMBER

    def add_service(self) -> None:
        row = self.selected_row()
        if row is not None and not self.database.readonly:
            self.services_tab.add_service(member_id=row.member_id)

    def import_roster(self) -> None:
        changes = exchange.import_roster(self)
        if changes is not None:
            self._done(None, changes | FLOATING | MEMBERS)

    def record_meeting(self) -> None:
        """组织生活登记: a 流动党员之家活动 or the branch's meeting; the selected member ticked when one is."""
        member_id = self._selected_member()
        from ui.meetings.dialog import open_meeting_dialog

        changes = open_meeting_dialog(self, self.database,
                                      preselect_member_ids=(member_id,) if member_id is not None else ())
        if changes is not None:
            self._done(None, changes)

    def record_dues(self) -> None:
        from ui.dues.dialog import open_dues_dialog

        changes = open_dues_dialog(self, self.database, member_id=self._selected_member())
        if changes is not None:
            self._done(None, changes)

    def record_lost_event(self) -> None:
        row = self.selected_row()
        if row is None or self.database.readonly:
            return
        with self.database.read() as session:
            kinds, text = floating.lost_event_choices(session, row.member_id, date.today(),
                                                      warning_months=floating.warning_months(session))
            history = [f"{e.happened_on:%Y-%m-%d}  {e.kind}" + ("（待确认）" if e.to_confirm else "")
                       + (f"  {e.note}" if e.note else "") + (f"  —{e.made_by}" if e.made_by else "")
                       for e in floating.lost_events(session, row.member_id)]
        dialog = LostEventDialog(row.name, kinds, history, text, parent=self)
        if not dialog.exec():
            return
        kind, on, note = dialog.value()

        def work(session):
            return floating.record_lost_event(session, row.member_id, kind, on, note,
                                              warning_months=floating.warning_months(session))[1]

        changes = self.run(f"失联处置：{kind}", work)
        if changes is not None:
            self._done(row.record_id, changes)
