"""导入花名册: the preview before anything is written — counts, problem rows, missing organisations."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.orgs import OrgNode

CREATE = "create"
REJECT = "reject"


class RowsColumn(IntEnum):
    WHERE = 0
    NAME = 1
    DETAIL = 2


class ImportRowsModel(QAbstractTableModel):
    """Rows of the preview (rejected rows with reasons, or updates with their changes)."""

    def __init__(self, rows, detail_header: str, detail, parent=None) -> None:
        super().__init__(parent)
        self.rows = list(rows)
        self.headers = {RowsColumn.WHERE: "位置", RowsColumn.NAME: "姓名", RowsColumn.DETAIL: detail_header}
        self.detail = detail

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(RowsColumn)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 3:
            return self.headers[RowsColumn(section)]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.rows[index.row()]
        column = RowsColumn(index.column())
        if column is RowsColumn.WHERE:
            return f"{row.sheet} 第 {row.row_number} 行"
        if column is RowsColumn.NAME:
            return row.name
        return self.detail(row)


class ImportDialog(QDialog):
    """Shows what an import would do; ``choices()`` gives apply()'s org options."""

    def __init__(self, preview, nodes: list[OrgNode], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import_dialog")
        self.preview = preview
        self.setWindowTitle(f"导入花名册 — {preview.path.name}")
        self.resize(860, 600)
        active = [n for n in nodes if n.active]
        layout = QVBoxLayout(self)

        sheets = "；".join(
            f"工作表“{s.name}”：表头在第 {s.header_row} 行，{s.rows} 行数据，识别 {len(s.columns)} 列"
            + (f"（未识别：{'、'.join(s.ignored)}）" if s.ignored else "")
            for s in preview.sheets
        )
        info = QLabel("\n".join((sheets, *preview.notes)))
        info.setObjectName("importSheets")
        info.setWordWrap(True)
        summary = QLabel(preview.summary())
        summary.setObjectName("importSummary")
        summary.setWordWrap(True)
        summary.setStyleSheet("font-weight: bold;")
        layout.addWidget(info)
        layout.addWidget(summary)

        self.org_choices: dict[str, QComboBox] = {}
        self.parent_box = QComboBox()
        self.parent_box.setObjectName("createUnder")
        for node in active:
            self.parent_box.addItem("　" * node.depth + node.name, node.id)
        # Only organisations that good rows wait for need a choice; rows rejected anyway don't.
        waiting_for = [m for m in preview.missing_orgs if m.rows]
        if waiting_for:
            box = QGroupBox("表中有不存在的党组织")
            form = QFormLayout(box)
            form.addRow("新建时放在", self.parent_box)
            for missing in waiting_for:
                choice = QComboBox()
                choice.setObjectName(f"missing:{missing.text}")
                choice.addItem(f"新建“{missing.text}”", CREATE)
                choice.addItem("不导入这些行", REJECT)
                for node in active:
                    choice.addItem(f"对应到 {node.path}", node.id)
                choice.currentIndexChanged.connect(self._update_button)
                self.org_choices[missing.text] = choice
                form.addRow(f"“{missing.text}”（{missing.rows} 行）", choice)
            layout.addWidget(box)

        tabs = QTabWidget()
        tabs.setObjectName("importTabs")
        self.rejected_model = ImportRowsModel(preview.rejected, "原因", lambda r: r.reason, self)
        self.updates_model = ImportRowsModel(preview.to_update, "将更新", lambda r: "；".join(r.changes) or "其他信息", self)
        self.added_model = ImportRowsModel(preview.to_add, "所在党组织", lambda r: r.org_text, self)
        for model, title in ((self.rejected_model, f"有问题的行（{len(preview.rejected)}）"),
                             (self.added_model, f"新增（{len(preview.to_add)}）"),
                             (self.updates_model, f"更新（{len(preview.to_update)}）")):
            view = QTableView()
            view.setModel(model)
            view.verticalHeader().hide()
            view.setWordWrap(True)
            view.horizontalHeader().setSectionResizeMode(RowsColumn.DETAIL, QHeaderView.ResizeMode.Stretch)
            view.setColumnWidth(RowsColumn.WHERE, 150)
            view.setColumnWidth(RowsColumn.NAME, 90)
            # Long reasons wrap instead of ending in …: row heights follow the reason column's width.
            view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            tabs.addTab(view, title)
        layout.addWidget(tabs, 1)
        note = QLabel("有问题的行不会导入，会写入“错误报告”表格（原有各列加“错误原因”），改正后可再次导入。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #666666;")
        layout.addWidget(note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("startImport")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update_button()

    def choices(self) -> tuple[int | None, dict[str, int], set[str]]:
        """(create_missing_under, org_mapping, skip_orgs) for ``members_import.apply``: the rows of
        texts set to 不导入 are rejected into the report."""
        mapping = {text: box.currentData() for text, box in self.org_choices.items()
                   if box.currentData() not in (CREATE, REJECT)}
        create = any(box.currentData() == CREATE for box in self.org_choices.values())
        return (self.parent_box.currentData() if create else None), mapping, self.rejected_texts()

    def rejected_texts(self) -> set[str]:
        return {text for text, box in self.org_choices.items() if box.currentData() == REJECT}

    def count_to_write(self) -> int:
        waiting = sum(m.rows for m in self.preview.missing_orgs if m.text not in self.rejected_texts())
        return len(self.preview.to_add) + len(self.preview.to_update) + waiting

    def _update_button(self, *_args) -> None:
        count = self.count_to_write()
        self.ok.setText(f"导入 {count} 人" if count else "没有可导入的行")
        self.ok.setEnabled(count > 0)
