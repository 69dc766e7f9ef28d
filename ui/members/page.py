"""党员台账: the ledger — filters, search as you type, sorting, column chooser, add/edit/leave."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QTreeView,
    QVBoxLayout,
)

from app import audit, floating_inflow, members, orgs
from app.changes import MEMBERS, Changes
from app.errors import AppError, DatabaseError
from app.members import MemberFilter, MemberInput
from ui.common import confirm, page_title, ui_settings
from ui.members.dialogs import LeaveDialog
from ui.members.form import MemberDialog
from ui.members.import_dialog import ImportDialog
from ui.members.ledger_model import COLUMNS, Column, LedgerModel
from ui.orgs.tree_model import OrgTreeModel
from ui.page import Page
from ui.worker import run_with_progress

INFLOW_FILTER = "流入党员（组织关系在外）"
SEARCH_DELAY_MS = 120
STATUS_CHOICES = {"在册": ("在册",), "已转出": ("转出",), "已出党": ("出党",), "已死亡": ("死亡",),
                  "全部（含离开台账）": members.STATUSES}


class MembersPage(Page):
    area = "members"
    nav_title = "党员台账"

    def __init__(self, window) -> None:
        super().__init__(window)
        self.nodes: list[orgs.OrgNode] = []
        self.model = LedgerModel(self._fetch_ids, self._fetch_rows, self)

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("搜索：姓名、拼音首字母（如 zjg）、手机号、身份证后几位、地址…（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self.search_timer.start())
        self.search.returnPressed.connect(self.apply_filter)
        self.category = QComboBox()
        self.category.setObjectName("categoryFilter")
        self.category.addItems(["全部类别", *members.CATEGORIES])
        self.identity = QComboBox()
        self.identity.setObjectName("identityFilter")
        self.identity.addItems(["全部身份", *members.IDENTITIES, INFLOW_FILTER])
        self.identity.setItemData(self.identity.count() - 1, "组织关系在外、在本社区参加活动的党员：不计入台账的统计，"
                                  "在流动党员之家中登记", Qt.ItemDataRole.ToolTipRole)
        self.status = QComboBox()
        self.status.setObjectName("statusFilter")
        self.status.addItems(list(STATUS_CHOICES))
        for box in (self.category, self.identity, self.status):
            box.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.count_label = QLabel()
        self.count_label.setObjectName("memberCount")

        self.org_model = OrgTreeModel(parent=self)
        self.org_view = QTreeView()
        self.org_view.setObjectName("orgFilter")
        self.org_view.setModel(self.org_model)
        self.org_view.setHeaderHidden(True)
        for column in range(1, self.org_model.columnCount()):
            self.org_view.hideColumn(column)
        self.org_view.setMinimumWidth(180)
        self.org_view.selectionModel().currentChanged.connect(lambda *_: self.apply_filter())

        self.view = QTableView()
        self.view.setObjectName("ledger")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setSortingEnabled(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(26)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        header.setSortIndicator(Column.ORG, Qt.SortOrder.AscendingOrder)
        header.setSectionsMovable(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        for column, spec in COLUMNS.items():
            self.view.setColumnWidth(column, spec.width)
        self.view.doubleClicked.connect(lambda _i: self.edit_selected())
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._row_menu)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_actions())

        self.toolbar = QToolBar()
        self.toolbar.setObjectName("membersToolbar")
        self.actions_ = self.add_actions(self.toolbar, (
            ("new", "新增党员", "Ctrl+N", self.create_member),
            ("edit", "编辑", "F2", self.edit_selected),
            ("transfer", "转出…", "", lambda: self.leave_selected("转出")),
            ("expel", "出党…", "", lambda: self.leave_selected("出党")),
            ("death", "死亡…", "", lambda: self.leave_selected("死亡")),
            ("return", "恢复在册", "", self.return_selected),
            ("import", "导入…", "Ctrl+I", self.import_sheet),
            ("export", "导出…", "Ctrl+E", self.export_view),
            ("template", "下载导入模板…", "", self.save_template),
            ("columns", "显示列…", "", self._show_column_menu),
            ("record", "年度记实…", "Ctrl+R", self.open_year_record),
        ))
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self._focus_search)
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.view, activated=self.edit_selected,
                  context=Qt.ShortcutContext.WidgetShortcut)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.category)
        filters.addWidget(self.identity)
        filters.addWidget(self.status)
        # 流入党员 are not ledger members: under their own filter the ledger shows their list instead
        # (built the first time that filter is chosen).
        self.inflow_view = None
        self.tables = QStackedWidget()
        self.tables.addWidget(self.view)
        splitter = QSplitter()
        splitter.addWidget(self.org_view)
        splitter.addWidget(self.tables)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 1000])
        header_row = QHBoxLayout()
        header_row.addWidget(page_title("党员台账"))
        header_row.addStretch(1)
        header_row.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(header_row)
        layout.addWidget(self.toolbar)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        hint = QLabel("双击或按回车打开党员信息；点击列标题排序；右键列标题选择显示的列。")
        hint.setStyleSheet("color: #777777;")
        layout.addWidget(hint)
        self._restore_columns()

    # ------------------------------------------------------------ data access (app/)

    def _fetch_ids(self, flt: MemberFilter, sort: str, descending: bool) -> list[int]:
        with self.database.read() as session:
            return members.ordered_ids(session, flt, sort, descending)

    def _fetch_rows(self, ids: list[int]) -> dict[int, tuple]:
        with self.database.read() as session:
            return members.rows(session, ids)

    # ------------------------------------------------------------ loading

    def shows(self, changes: Changes) -> bool:
        return changes.members or changes.orgs or changes.floating

    def reload(self) -> None:
        selected_org = self._selected_org_id()
        with self.database.read() as session:
            self.nodes = orgs.list_tree(session, include_dissolved=True)
        active = [n for n in self.nodes if n.active]
        self.org_model.set_nodes(active)
        self.org_view.expandToDepth(0)
        self.model.set_orgs({n.id: n.name for n in self.nodes}, {n.id: n.path for n in self.nodes})
        if selected_org is not None and self.org_model.index_of(selected_org).isValid():
            self.org_view.setCurrentIndex(self.org_model.index_of(selected_org))
        self.apply_filter()

    def current_filter(self) -> MemberFilter:
        org_id = self._selected_org_id()
        category = self.category.currentText() if self.category.currentIndex() > 0 else None
        identity = self.identity.currentText() if self.identity.currentIndex() > 0 else None
        org_ids = None
        if org_id is not None:
            org_ids = (org_id, *orgs.descendants(self.nodes, org_id))
        return MemberFilter(org_id=org_id, statuses=STATUS_CHOICES[self.status.currentText()], category=category,
                            identity=identity, text=self.search.text(), org_ids=org_ids)

    def showing_inflow(self) -> bool:
        return self.identity.currentText() == INFLOW_FILTER

    def _ensure_inflow_view(self) -> None:
        if self.inflow_view is not None:
            return
        from ui.floating.inflow import INFLOW_WIDTHS, EnterOpens, InflowFilter, InflowModel, make_table

        self.inflow_model = InflowModel(self)
        self.inflow_view, self.inflow_proxy = make_table("ledgerInflow", self.inflow_model, INFLOW_WIDTHS,
                                                         InflowFilter(self))
        self.inflow_view.doubleClicked.connect(lambda _i: self._open_inflow_card())
        EnterOpens(self.inflow_view, self._open_inflow_card)
        self.tables.addWidget(self.inflow_view)

    def _load_inflow(self) -> None:
        """流入党员 hosted in the selected organisation's subtree (all when none is selected)."""
        self._ensure_inflow_view()
        org_id = self._selected_org_id()
        with self.database.read() as session:
            rows = floating_inflow.list_inflow(session)
        if org_id is not None:
            subtree = {org_id, *orgs.descendants(self.nodes, org_id)}
            rows = [r for r in rows if r.host_org_id in subtree]
        self.inflow_model.set_rows(rows)
        self.inflow_proxy.set_text(self.search.text())
        self.tables.setCurrentWidget(self.inflow_view)
        self.count_label.setText(f"流入党员 {self.inflow_proxy.rowCount()} 人（组织关系在外，不计入台账统计）")
        self._update_actions()

    def _open_inflow_card(self) -> None:
        index = self.inflow_view.currentIndex()
        if not index.isValid():
            return
        row = self.inflow_model.row_at(self.inflow_proxy.mapToSource(index).row())
        if row is not None:
            from ui.floating.card import show_card

            show_card(self.database, "inflow", row.id, self)  # app.floating_services.INFLOW

    def apply_filter(self) -> None:
        self.search_timer.stop()
        for box in (self.category, self.status):
            box.setEnabled(not self.showing_inflow())
        if self.showing_inflow():
            self._load_inflow()
            return
        self.tables.setCurrentWidget(self.view)
        current = self.selected_id()
        self.model.load(self.current_filter())
        self.count_label.setText(f"共 {self.model.rowCount()} 人")
        if current is not None:
            self.select_member(current)
        self._update_actions()

    def _selected_org_id(self) -> int | None:
        node = self.org_model.node(self.org_view.currentIndex())
        if node is None or node.parent_id is None:
            return None  # the top organisation: everyone
        return node.id

    # ------------------------------------------------------------ selection

    def selected_id(self) -> int | None:
        index = self.view.currentIndex()
        return self.model.member_id(index.row()) if index.isValid() else None

    def select_member(self, member_id: int) -> bool:
        row = self.model.row_of(member_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.view.scrollTo(index)
        return True

    def _update_actions(self) -> None:
        writable = not self.database.readonly
        member_id = self.selected_id()
        status = None
        if member_id is not None:
            row = self.model.row_of(member_id)
            status = self.model.data(self.model.index(row, Column.STATUS)) if row is not None else None
        if self.showing_inflow():  # the list is read here; the 流动党员之家 edits it
            for key, action in self.actions_.items():
                action.setEnabled(key in ("columns", "template") or (key in ("new", "import") and writable))
            self.actions_["columns"].setEnabled(False)
            return
        self.actions_["new"].setEnabled(writable)
        self.actions_["import"].setEnabled(writable)
        self.actions_["edit"].setEnabled(member_id is not None)
        self.actions_["record"].setEnabled(member_id is not None)
        for key in ("transfer", "expel", "death"):
            self.actions_[key].setEnabled(writable and status == "在册")
        self.actions_["return"].setEnabled(writable and status not in (None, "在册"))

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # ------------------------------------------------------------ columns

    def _column_menu(self, pos) -> None:
        self._build_column_menu().exec(self.view.horizontalHeader().viewport().mapToGlobal(pos))

    def _show_column_menu(self) -> None:
        self._build_column_menu().exec(self.toolbar.mapToGlobal(self.toolbar.rect().bottomLeft()))

    def _build_column_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("columnMenu")
        for column, spec in COLUMNS.items():
            action = menu.addAction(spec.header)
            action.setCheckable(True)
            action.setChecked(not self.view.isColumnHidden(column))
            action.setEnabled(column is not Column.NAME)
            action.toggled.connect(lambda on, c=column: self.set_column_shown(c, on))
        return menu

    def set_column_shown(self, column: Column, shown: bool) -> None:
        self.view.setColumnHidden(column, not shown)
        self._save_columns()

    def _save_columns(self) -> None:
        store = ui_settings()
        store.setValue("members/hidden", [c.name for c in Column if self.view.isColumnHidden(c)])
        store.setValue("members/header", self.view.horizontalHeader().saveState())
        store.sync()

    def _restore_columns(self) -> None:
        store = ui_settings()
        state = store.value("members/header")
        if state is not None:
            self.view.horizontalHeader().restoreState(state)
        hidden = store.value("members/hidden")
        if hidden is None:
            names = {c.name for c, spec in COLUMNS.items() if not spec.shown_by_default}
        else:
            names = {hidden} if isinstance(hidden, str) else set(hidden)
        for column in Column:
            self.view.setColumnHidden(column, column.name in names)

    def save_state(self) -> None:
        """Called by the main window as it closes: the columns' order and widths are kept too."""
        self._save_columns()

    # ------------------------------------------------------------ actions

    def _row_menu(self, pos) -> None:
        menu = QMenu(self)
        for key in ("edit", "transfer", "expel", "death", "return"):
            if self.actions_[key].isEnabled():
                menu.addAction(self.actions_[key])
        if not menu.isEmpty():
            menu.exec(self.view.viewport().mapToGlobal(pos))

    def _validator(self, member_id: int | None):
        def validate(data: MemberInput):
            with self.database.read() as session:
                return members.validate(session, data, member_id=member_id)

        return validate

    def create_member(self) -> None:
        if self.database.readonly:
            return
        default_org = self._selected_org_id() or next((n.id for n in self.nodes if n.active), None)
        dialog = MemberDialog(self._validator(None), self.nodes, default_org_id=default_org, parent=self)
        if not dialog.exec():
            return
        data, photo = dialog.value(), dialog.photo

        def work(session):
            member_id, changes = members.create(session, data)
            if photo:
                members.set_photo(session, member_id, photo)
            return member_id

        member_id = self.run("新增党员", work)
        if member_id is None:
            return
        self.model.member_changed(member_id)
        self._after_change(member_id)

    def edit_selected(self) -> None:
        member_id = self.selected_id()
        if member_id is None:
            return
        with self.database.read() as session:
            record = members.get(session, member_id)
            photo = members.photo(session, member_id) if record.has_photo else None
            history = audit.entries(session, "members", member_id)
        dialog = MemberDialog(self._validator(member_id), self.nodes, record=record, photo=photo, history=history,
                              parent=self)
        if not self.database.readonly and record.status == "在册":
            from ui.dues.dialog import open_dues_dialog
            from ui.evaluation.record_dialog import open_year_record
            from ui.meetings.dialog import open_meeting_dialog

            dialog.add_action_button("memberMeeting", "组织生活登记…", lambda: self._record_for(
                dialog, open_meeting_dialog(dialog, self.database, preselect_member_ids=(member_id,))))
            dialog.add_action_button("memberDues", "党费登记…", lambda: self._record_for(
                dialog, open_dues_dialog(dialog, self.database, member_id=member_id)))
            dialog.add_action_button("memberYearRecord", "年度记实…", lambda: self._record_for(
                dialog, open_year_record(dialog, self.database, member_id)))
        if self.database.readonly or record.status != "在册":
            dialog.buttons.button(dialog.buttons.StandardButton.Save).hide()
            dialog.setWindowTitle(dialog.windowTitle() + ("（只读模式）" if self.database.readonly else f"（已{record.status}）"))
        if not dialog.exec() or self.database.readonly or record.status != "在册":
            return
        data = dialog.value()
        if data == record.data and not dialog.photo_changed:
            return

        def work(session):
            members.update(session, member_id, data)
            if dialog.photo_changed:
                members.set_photo(session, member_id, dialog.photo)

        if self.run("修改党员信息", work) is None and self.database.readonly:
            return
        self.model.member_changed(member_id)
        self._after_change(member_id)

    def open_year_record(self) -> None:
        """年度记实 of the selected member: notes, attendance, volunteer service, dues, rewards."""
        from ui.evaluation.record_dialog import open_year_record

        member_id = self.selected_id()
        if member_id is None:
            return
        changes = open_year_record(self, self.database, member_id)
        if changes is not None:
            self.changed.emit(changes)

    def _record_for(self, dialog: MemberDialog, changes: Changes | None) -> None:
        """A meeting or a payment saved from the member form: the other pages follow; the form stays open."""
        if changes is not None:
            self.changed.emit(changes)

    def leave_selected(self, kind: str) -> None:
        member_id = self.selected_id()
        if member_id is None or self.database.readonly:
            return
        with self.database.read() as session:
            record = members.get(session, member_id)
        dialog = LeaveDialog(record.name, kind, parent=self)
        if not dialog.exec():
            return
        on, reason, destination = dialog.value()
        if not confirm(self, kind, f"确认将“{record.name}”登记为{kind}？记录将保留，可在状态筛选中查看。",
                       ok_text=f"确认{kind}"):
            return
        if self.run(f"党员{kind}", lambda s: members.leave(s, member_id, kind, on, reason,
                                                        transferred_to=destination)) is None:
            return
        self.model.member_changed(member_id)
        self._after_change(member_id)

    def return_selected(self) -> None:
        member_id = self.selected_id()
        if member_id is None or self.database.readonly:
            return
        if self.run("恢复在册", lambda s: members.return_to_ledger(s, member_id)) is None:
            return
        self.model.member_changed(member_id)
        self._after_change(member_id)

    def _after_change(self, member_id: int) -> None:
        self.count_label.setText(f"共 {self.model.rowCount()} 人")
        self.select_member(member_id)
        self._update_actions()
        self.changed.emit(MEMBERS)

    # ------------------------------------------------------------ Excel

    def import_sheet(self, path: str | None = None) -> None:
        """导入: pick the file (and sheet), preview in a worker, confirm, write in a worker."""
        from app import members_import

        if self.database.readonly:
            return
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "导入花名册", "", "Excel 或 WPS 表格 (*.xlsx *.xls *.ods);;所有文件 (*)")
            if not path:
                return
        try:
            sheets = members_import.sheet_names(path)
        except AppError as exc:
            QMessageBox.warning(self, "导入花名册", str(exc))
            return
        sheet = sheets[0] if sheets else None
        if len(sheets) > 1:
            choice, ok = QInputDialog.getItem(self, "选择工作表", "这个文件有多个工作表，导入哪一个？",
                                              [*sheets, "全部工作表"], 0, False)
            if not ok:
                return
            sheet = None if choice == "全部工作表" else choice

        def make_preview(progress, cancelled):
            with self.database.read() as session:
                return members_import.preview(session, path, sheet=sheet, progress=progress, cancelled=cancelled)

        try:
            preview = run_with_progress(self, "导入花名册", "正在读取和检查", make_preview)
        except (AppError, DatabaseError) as exc:
            QMessageBox.warning(self, "导入花名册", str(exc))
            return
        dialog = ImportDialog(preview, self.nodes, parent=self)
        if not dialog.exec():
            return
        create_under, mapping, skip = dialog.choices()

        def write(progress, cancelled):
            return members_import.apply(self.database, preview, create_missing_under=create_under,
                                        org_mapping=mapping, skip_orgs=skip, progress=progress, cancelled=cancelled)

        try:
            result = run_with_progress(self, "导入花名册", "正在导入", write)
        except (AppError, DatabaseError) as exc:
            QMessageBox.warning(self, "导入花名册", f"{exc}\n\n没有写入任何数据。")
            return
        self.reload()
        self.changed.emit(result.changes)
        self._report_import(result)

    def _report_import(self, result) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "导入完成", result.summary(), parent=self)
        box.setObjectName("import_result")
        open_report = None
        if result.report_path is not None:
            open_report = box.addButton("打开错误报告", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Ok)
        box.exec()
        if open_report is not None and box.clickedButton() is open_report:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.report_path)))

    def export_view(self, path: str | None = None) -> None:
        """导出: the current filtered, sorted view to .xlsx, in a worker."""
        from app import members_export

        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "导出党员台账", members_export.default_file_name(),
                                                  "Excel 工作簿 (*.xlsx)")
            if not path:
                return
        flt = self.current_filter()
        sort, descending = COLUMNS[self.model.sort_column].sort, self.model.descending

        def work(progress, cancelled):
            with self.database.read() as session:
                return members_export.export(session, flt, path, sort=sort, descending=descending,
                                             progress=progress, cancelled=cancelled)

        try:
            count = run_with_progress(self, "导出党员台账", "正在导出", work)
        except (AppError, DatabaseError, OSError) as exc:
            QMessageBox.warning(self, "导出党员台账", f"导出未完成：{exc}")
            return
        self.window_.statusBar().showMessage(f"已导出 {count} 名党员到 {path}", 10000)

    def save_template(self, path: str | None = None) -> None:
        from app import members_import

        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "保存导入模板", "党员花名册导入模板.xlsx", "Excel 工作簿 (*.xlsx)")
            if not path:
                return
        try:
            members_import.write_template(path, org_paths=[n.path for n in self.nodes if n.active])
        except (AppError, OSError) as exc:
            QMessageBox.warning(self, "下载导入模板", f"模板未能保存：{exc}")
            return
        self.window_.statusBar().showMessage(f"已保存导入模板：{path}", 10000)
