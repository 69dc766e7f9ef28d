"""党组织: the organisation tree — create, edit, move (drag or 移动到…), dissolve, with undo."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMenu,
    QMessageBox,
    QSplitter,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app import audit, orgs
from app.changes import ORGS, Changes
from app.errors import AppError
from app.orgs import OrgInput, OrgNode
from ui.common import fmt_date, page_title, section_title
from ui.orgs.dialogs import DissolveDialog, MoveDialog, OrgDialog
from ui.orgs.tree_model import Column, OrgTreeModel
from ui.page import Page


class _Command(QUndoCommand):
    """An undoable action whose first ``redo`` already happened when it was pushed."""

    def __init__(self, page: OrgsPage, text: str, do: Callable[[], None], undo: Callable[[], None]) -> None:
        super().__init__(text)
        self.page = page
        self._do = do
        self._undo = undo
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.page.run(self.text(), lambda _s: self._do())
        self.page.reload()

    def undo(self) -> None:
        self.page.run(f"撤回{self.text()}", lambda _s: self._undo())
        self.page.reload()


class OrgsPage(Page):
    area = "orgs"
    nav_title = "党组织"

    def __init__(self, window) -> None:
        super().__init__(window)
        self.undo_stack = QUndoStack(self)
        self.model = OrgTreeModel(mover=self.move_to)
        self.nodes: list[OrgNode] = []

        self.view = QTreeView()
        self.view.setObjectName("orgTree")
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setUniformRowHeights(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setDropIndicatorShown(True)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.doubleClicked.connect(lambda _i: self.edit_selected())
        self.view.header().setStretchLastSection(False)
        self.view.setColumnWidth(Column.NAME, 230)
        self.view.setColumnWidth(Column.KIND, 80)
        self.view.setColumnWidth(Column.MEMBERS, 50)
        self.view.setColumnWidth(Column.SECRETARY, 90)
        self.view.setColumnWidth(Column.PLACE, 150)
        self.view.setColumnWidth(Column.TERM_ENDS, 100)
        self.view.selectionModel().currentChanged.connect(lambda *_: self._show_details())

        self.show_dissolved = QCheckBox("显示已撤销")
        self.show_dissolved.setObjectName("showDissolved")
        self.show_dissolved.toggled.connect(lambda _on: self.reload())

        self.toolbar = QToolBar()
        self.toolbar.setObjectName("orgToolbar")
        self.actions_ = self.add_actions(self.toolbar, (
            ("new", "新建下级组织", "Ctrl+N", self.create_child),
            ("edit", "编辑", "F2", self.edit_selected),
            ("move", "移动到…", "Ctrl+M", self.move_selected),
            ("up", "上移", "Ctrl+Up", lambda: self.shift_selected(-1)),
            ("down", "下移", "Ctrl+Down", lambda: self.shift_selected(1)),
            ("dissolve", "撤销组织", "Delete", self.dissolve_selected),
            ("reinstate", "恢复组织", "", self.reinstate_selected),
            ("print", "打印名册…", "Ctrl+P", self.print_roster),
        ))
        self.toolbar.addSeparator()
        undo = self.undo_stack.createUndoAction(self, "撤回")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "重做")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        for action, name in ((undo, "action_undo"), (redo, "action_redo")):
            action.setObjectName(name)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        self.toolbar.addWidget(self.show_dissolved)

        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(8, 0, 0, 0)
        details_layout.addWidget(section_title("组织信息"))
        self.details_form = QFormLayout()
        self.detail_labels: dict[str, QLabel] = {}
        for key, label in (("path", "组织路径"), ("kind", "类型"), ("members", "党员人数"), ("warnings", "提醒"),
                           ("committee", "班子成员"),
                           ("place", "所在网格/楼栋"), ("founded", "成立（换届）日期"),
                           ("term", "届满日期"), ("note", "备注"), ("status", "状态")):
            value = QLabel()
            value.setObjectName(f"detail_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.detail_labels[key] = value
            self.details_form.addRow(label, value)
        details_layout.addLayout(self.details_form)
        details_layout.addWidget(section_title("修改记录"))
        self.history = QListWidget()
        self.history.setObjectName("orgHistory")
        self.history.setWordWrap(True)
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        details_layout.addWidget(self.history, 1)

        splitter = QSplitter()
        splitter.addWidget(self.view)
        splitter.addWidget(details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([700, 380])

        layout = QVBoxLayout(self)
        header = QHBoxLayout()
        header.addWidget(page_title("党组织"))
        header.addStretch(1)
        self.summary = QLabel()
        self.summary.setObjectName("orgSummary")
        header.addWidget(self.summary)
        layout.addLayout(header)
        layout.addWidget(self.toolbar)
        layout.addWidget(splitter, 1)
        hint = QLabel("拖动组织可调整上下级关系；也可用“移动到…”（Ctrl+M）。撤回：Ctrl+Z。")
        hint.setStyleSheet("color: #777777;")
        layout.addWidget(hint)
        self._update_actions()

    # ------------------------------------------------------------ loading

    def shows(self, changes: Changes) -> bool:
        return changes.orgs or changes.members

    def _load_member_figures(self) -> None:
        from app import members

        with self.database.read() as session:
            nodes = orgs.list_tree(session)
            totals = members.subtree_counts(nodes, members.counts_by_org(session))
        self.member_totals = totals
        self.model.set_member_figures({k: v.total for k, v in totals.items()}, members.branch_warnings(nodes, totals))

    def reload(self) -> None:
        expanded = {org_id for org_id in self.model.ids() if self.view.isExpanded(self.model.index_of(org_id))}
        first_load = not self.model.ids()
        current = self.selected()
        with self.database.read() as session:
            self.nodes = orgs.list_tree(session, include_dissolved=self.show_dissolved.isChecked())
        self.model.set_nodes(self.nodes)
        self._load_member_figures()
        if first_load:
            self.view.expandAll()
        else:
            for org_id in expanded:
                self.view.expand(self.model.index_of(org_id))
        active = [n for n in self.nodes if n.active]
        self.summary.setText(f"共 {len(active)} 个党组织")
        if current is not None and self.model.index_of(current.id).isValid():
            self.select_org(current.id)
        elif self.nodes:
            self.select_org(self.nodes[0].id)
        self._show_details()

    def _refresh_node(self, org_id: int) -> OrgNode | None:
        with self.database.read() as session:
            node = orgs.get(session, org_id)
            self.nodes = orgs.list_tree(session, include_dissolved=self.show_dissolved.isChecked())
        self.model.update_node(node)
        return node

    # ------------------------------------------------------------ selection

    def selected(self) -> OrgNode | None:
        return self.model.node(self.view.currentIndex())

    def select_org(self, org_id: int) -> None:
        index = self.model.index_of(org_id)
        if index.isValid():
            self.view.scrollTo(index)
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )

    def _update_actions(self) -> None:
        node = self.selected()
        writable = not self.database.readonly
        active = node is not None and node.active
        self.actions_["new"].setEnabled(writable and active)
        self.actions_["edit"].setEnabled(writable and active)
        for key in ("move", "up", "down", "dissolve"):
            self.actions_[key].setEnabled(writable and active and node.parent_id is not None)
        self.actions_["reinstate"].setEnabled(writable and node is not None and not node.active)
        self.view.setDragEnabled(writable)
        self.view.setAcceptDrops(writable)

    def _show_details(self) -> None:
        self._update_actions()
        node = self.selected()
        labels = self.detail_labels
        self.history.clear()
        if node is None:
            for label in labels.values():
                label.clear()
            return
        labels["path"].setText(node.path)
        labels["kind"].setText(node.kind)
        counts = getattr(self, "member_totals", {}).get(node.id)
        labels["members"].setText(
            f"{counts.total} 名（正式党员 {counts.full}，预备党员 {counts.probationary}）" if counts and counts.total else "无"
        )
        warnings = self.model.warnings.get(node.id, [])
        labels["warnings"].setText("\n".join(f"⚠ {w}" for w in warnings) or "无")
        labels["warnings"].setStyleSheet("color: #b9770e;" if warnings else "")
        labels["committee"].setText("\n".join(
            f"{role}：{name}" + ("（已关联党员）" if member_id else "")
            for (role, name), member_id in zip(node.committee, node.committee_member_ids or [None] * len(node.committee),
                                               strict=True)
        ) or "无")
        labels["place"].setText(node.place or "无")
        labels["founded"].setText(fmt_date(node.founded_on, "无"))
        term = fmt_date(node.term_ends_on, "无")
        if node.term_ends_on and node.active:
            days = (node.term_ends_on - date.today()).days
            term += f"（已逾期 {-days} 天）" if days < 0 else (f"（还有 {days} 天）" if days <= orgs.TERM_WARNING_DAYS else "")
        labels["term"].setText(term)
        labels["note"].setText(node.note or "无")
        labels["status"].setText(
            "正常" if node.active else f"已于 {fmt_date(node.dissolved_on)} 撤销：{node.dissolved_reason}"
        )
        with self.database.read() as session:
            entries = audit.entries(session, "orgs", node.id)
        for entry in reversed(entries):
            self.history.addItem(f"{entry.at:%Y-%m-%d %H:%M}  {entry.operator}  {entry.action}  {entry.detail}")

    def _context_menu(self, pos) -> None:
        menu = QMenu(self)
        for key in ("new", "edit", "move", "up", "down", "dissolve", "reinstate"):
            if self.actions_[key].isEnabled():
                menu.addAction(self.actions_[key])
        if not menu.isEmpty():
            menu.exec(self.view.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------ actions

    def _validator(self, parent_id: int | None, org_id: int | None) -> Callable[[OrgInput], dict[str, str]]:
        def validate(data: OrgInput) -> dict[str, str]:
            with self.database.read() as session:
                return orgs.validate(session, data, parent_id=parent_id, org_id=org_id)

        return validate

    def create_child(self) -> None:
        parent = self.selected()
        if parent is None or not parent.active or self.database.readonly:
            return
        dialog = OrgDialog(self._validator(parent.id, None), parent_path=parent.path, parent=self)
        if parent.kind in ("党支部", "联合党支部", "临时党支部"):
            dialog.kind.setCurrentText("党小组")
        if not dialog.exec():
            return
        data = dialog.value()
        result = self.run("新建党组织", lambda s: orgs.create(s, parent.id, data))
        if result is None:
            return
        org_id, changes = result
        self.undo_stack.push(_Command(
            self, f"新建“{data.name}”",
            do=lambda: self._call(lambda s: orgs.create(s, parent.id, data, org_id=org_id)),
            undo=lambda: self._call(lambda s: orgs.remove_created(s, org_id)),
        ))
        with self.database.read() as session:
            node = orgs.get(session, org_id)
        self.model.insert_node(node)
        self.view.expand(self.model.index_of(parent.id))
        self.select_org(org_id)
        self.changed.emit(changes)

    def edit_selected(self) -> None:
        node = self.selected()
        if node is None or not node.active or self.database.readonly:
            return
        parent_path = node.path.rsplit("/", 1)[0] if node.parent_id else ""
        dialog = OrgDialog(self._validator(node.parent_id, node.id), node=node, parent_path=parent_path, parent=self)
        if not dialog.exec():
            return
        new = dialog.value()
        old = OrgInput(node.name, node.kind, node.founded_on, node.term_ends_on, node.place, node.note, node.committee)
        if new == old:
            return
        if self.run("修改党组织", lambda s: orgs.update(s, node.id, new)) is None:
            return
        self.undo_stack.push(_Command(
            self, f"修改“{node.name}”",
            do=lambda: self._call(lambda s: orgs.update(s, node.id, new)),
            undo=lambda: self._call(lambda s: orgs.update(s, node.id, old)),
        ))
        self._refresh_node(node.id)
        self._show_details()
        self.changed.emit(ORGS)

    def _call(self, work: Callable) -> None:
        with self.database.unit_of_work() as session:
            work(session)

    def move_to(self, org_id: int, new_parent_id: int, index: int) -> bool:
        """Move in the database, show it in the tree, and make it undoable (also the drop target)."""
        if self.database.readonly:
            return False
        with self.database.read() as session:
            old_parent_id, old_index = orgs.position(session, org_id)
            name = orgs.get(session, org_id).name
        if old_parent_id == new_parent_id and old_index == index:
            return False
        if self.run("移动党组织", lambda s: orgs.move(s, org_id, new_parent_id, index)) is None:
            return False
        self.undo_stack.push(_Command(
            self, f"移动“{name}”",
            do=lambda: self._call(lambda s: orgs.move(s, org_id, new_parent_id, index)),
            undo=lambda: self._call(lambda s: orgs.move(s, org_id, old_parent_id, old_index)),
        ))
        if self.show_dissolved.isChecked():
            self.reload()  # the tree's rows count dissolved siblings, the order only active ones
        else:
            self.model.move_node(org_id, new_parent_id, index)
            self._refresh_paths()
        self.view.expand(self.model.index_of(new_parent_id))
        self._load_member_figures()  # subtree totals and branch rules follow the move
        self.select_org(org_id)
        self._show_details()
        self.changed.emit(ORGS)
        return True

    def _refresh_paths(self) -> None:
        with self.database.read() as session:
            self.nodes = orgs.list_tree(session, include_dissolved=self.show_dissolved.isChecked())
        for node in self.nodes:
            self.model.update_node(node)

    def move_selected(self) -> None:
        node = self.selected()
        if node is None or node.parent_id is None or not node.active:
            return
        dialog = MoveDialog(self.nodes, node, parent=self)
        if dialog.exec() and dialog.chosen_parent_id() is not None:
            target = dialog.chosen_parent_id()
            siblings = next(n for n in self.nodes if n.id == target).child_ids
            self.move_to(node.id, target, len([s for s in siblings if s != node.id]))

    def shift_selected(self, step: int) -> None:
        node = self.selected()
        if node is None or node.parent_id is None:
            return
        with self.database.read() as session:
            parent_id, index = orgs.position(session, node.id)
            count = len(orgs.get(session, parent_id).child_ids)
        new_index = index + step
        if 0 <= new_index < count:
            self.move_to(node.id, parent_id, new_index)

    def dissolve_selected(self) -> None:
        node = self.selected()
        if node is None or node.parent_id is None or not node.active or self.database.readonly:
            return
        if node.child_ids:
            QMessageBox.warning(
                self, "撤销组织",
                f"“{node.name}”下还有 {len(node.child_ids)} 个下级组织，请先把它们移到其他组织下（移动到…）或逐个撤销。",
            )
            return
        dialog = DissolveDialog(node, parent=self)
        if not dialog.exec():
            return
        on, reason = dialog.value()
        if self.run("撤销党组织", lambda s: orgs.dissolve(s, node.id, on, reason)) is None:
            return
        self.undo_stack.push(_Command(
            self, f"撤销“{node.name}”",
            do=lambda: self._call(lambda s: orgs.dissolve(s, node.id, on, reason)),
            undo=lambda: self._call(lambda s: orgs.reinstate(s, node.id)),
        ))
        self.reload()
        self.changed.emit(ORGS)

    def reinstate_selected(self) -> None:
        node = self.selected()
        if node is None or node.active or self.database.readonly:
            return
        if self.run("恢复党组织", lambda s: orgs.reinstate(s, node.id)) is None:
            return
        self.reload()
        self.changed.emit(ORGS)

    def print_roster(self) -> None:
        from app import settings
        from app.reports.orgs_roster import RosterData, render_orgs_roster

        path, _ = QFileDialog.getSaveFileName(self, "保存党组织名册", "党组织名册.pdf", "PDF 文件 (*.pdf)")
        if not path:
            return
        with self.database.read() as session:
            data = RosterData(settings=settings.load(session), nodes=orgs.list_tree(session), printed_on=date.today())
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            pages = render_orgs_roster(data, Path(path))
        except (AppError, OSError) as exc:
            QMessageBox.warning(self, "打印名册", f"名册未能生成：{exc}")
            return
        finally:
            QApplication.restoreOverrideCursor()
        QMessageBox.information(self, "打印名册", f"已保存党组织名册（{pages} 页）：\n{path}")

