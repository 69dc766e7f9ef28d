"""评定方案: the committee's scheme for one year's 星级评定 — criteria and their points, the four evaluators'
weights, the star thresholds, the grade caps and the certificate threshold.

``open_scheme_dialog`` is the one-line entry: it shows the dialog modally and returns what was changed, or
None. The dialog checks the scheme as the user types (``validate_scheme``); saving goes through
``evaluation_year.set_scheme`` in one unit of work. Each criterion row remembers the name it was loaded
with, so an edited name is a rename whose scores follow it (``renames``); a deleted criterion keeps its
scores uncounted, and the user is asked first when it has any. An approved year (or a read-only database)
shows the scheme without editing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import evaluation_year as ey
from app.changes import Changes
from app.errors import AppError, DatabaseError, ValidationError
from app.evaluation import (
    DEFAULT_SCHEME,
    EVALUATORS,
    GRADES,
    STAR_NAMES,
    Cell,
    Criterion,
    Scheme,
    validate_scheme,
)
from ui.common import confirm, error_label, show_error_on
from ui.page import run_action

Index = QModelIndex | QPersistentModelIndex
ACTION = "修改评定方案"
LOCKED_TEXT = "本年度已批准，方案已锁定。"
READONLY_TEXT = "只读模式：只能查看，不能修改。"
NOTE_TEXT = "修改名称时，已录入的分数随之保留；删除的评分项，其分数保留但不再计分。"
NO_CAP = 0  # the 不限 item of a cap combobox
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_THRESHOLD_STARS = (5, 4, 3, 2)
_CAP_NAMES = {"优秀": "capExcellent", "合格": "capPass", "基本合格": "capBasic", "不合格": "capFail"}
_WEIGHT_NAMES = {"个人自评": "weightSelf", "党员互评": "weightPeers", "群众测评": "weightPublic",
                 "支部评定": "weightBranch"}
_THRESHOLD_NAMES = {5: "thresholdFive", 4: "thresholdFour", 3: "thresholdThree", 2: "thresholdTwo"}


# ---------------------------------------------------------------- the criteria model


class CriteriaColumn(IntEnum):
    NAME = 0
    POINTS = 1
    SCORES = 2  # stored scores of the row's criterion (read only)


@dataclass
class CriterionRow:
    name: str
    points: int
    original: str | None  # the name it was loaded with; None for a row added in the dialog


class CriteriaModel(QAbstractTableModel):
    """The scheme's criteria as editable rows (名称, 分值) with the count of stored scores of each.

    ``stored`` maps a criterion name to how many scores are stored for it (all evaluators). A row keeps
    the name it was loaded with (``original``): an edited name is a rename (``renames``), a loaded name
    with no row left is a removal (``removed``).
    """

    HEADERS = ("名称", "分值", "已录分数")

    def __init__(self, stored: Mapping[str, int] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stored = dict(stored or {})
        self.rows: list[CriterionRow] = []
        self.readonly = False

    # ------------------------------------------------------------ content

    def load(self, criteria: Iterable[Criterion], originals: Collection[str]) -> None:
        """Rows for ``criteria``; a row whose name is among ``originals`` keeps it as its loaded name."""
        self.beginResetModel()
        self.rows = [CriterionRow(c.name, c.points, c.name if c.name in originals else None) for c in criteria]
        self.endResetModel()

    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(Criterion(r.name, r.points) for r in self.rows)

    def total(self) -> int:
        return sum(r.points for r in self.rows)

    def renames(self) -> dict[str, str]:
        """Loaded name → edited name, for the rows whose name was edited."""
        return {r.original: r.name for r in self.rows if r.original is not None and r.name != r.original}

    def removed(self, loaded: Iterable[str]) -> list[str]:
        """The ``loaded`` names no row holds any more, neither as its loaded name nor as its name."""
        kept = {r.original for r in self.rows} | {r.name for r in self.rows}
        return [name for name in loaded if name not in kept]

    def scores_of(self, row: CriterionRow) -> int:
        """Scores stored for the row: those of its loaded name (they follow a rename), or for a new row
        those kept from a criterion of the same name removed earlier (they count again)."""
        return self.stored.get(row.original if row.original is not None else row.name, 0)

    def add(self, name: str, points: int) -> int:
        row = len(self.rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self.rows.append(CriterionRow(name, points, None))
        self.endInsertRows()
        return row

    def removeRows(self, row: int, count: int, parent: Index = QModelIndex()) -> bool:  # noqa: N802
        if parent.isValid() or count <= 0 or row < 0 or row + count > len(self.rows):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        del self.rows[row:row + count]
        self.endRemoveRows()
        return True

    def moveRows(self, source_parent: Index, source_row: int, count: int,  # noqa: N802
                 destination_parent: Index, destination_child: int) -> bool:
        """Qt's move: ``destination_child`` is the row the moved rows are put before (old numbering)."""
        if (source_parent.isValid() or destination_parent.isValid() or count <= 0 or source_row < 0
                or source_row + count > len(self.rows) or not 0 <= destination_child <= len(self.rows)
                or source_row <= destination_child <= source_row + count):
            return False
        if not self.beginMoveRows(QModelIndex(), source_row, source_row + count - 1, QModelIndex(),
                                  destination_child):
            return False
        moving = self.rows[source_row:source_row + count]
        del self.rows[source_row:source_row + count]
        at = destination_child - count if destination_child > source_row else destination_child
        self.rows[at:at] = moving
        self.endMoveRows()
        return True

    def move(self, row: int, delta: int) -> int | None:
        """Move one row up (-1) or down (+1); its new row, or None when it cannot move."""
        target = row + delta
        if not 0 <= row < len(self.rows) or not 0 <= target < len(self.rows):
            return None
        destination = target if delta < 0 else target + 1
        return target if self.moveRows(QModelIndex(), row, 1, QModelIndex(), destination) else None

    # ------------------------------------------------------------ Qt model

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

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if not self.readonly and index.column() in (CriteriaColumn.NAME, CriteriaColumn.POINTS):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or index.column() >= len(self.HEADERS):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == CriteriaColumn.NAME:
                return row.name
            if column == CriteriaColumn.POINTS:
                return str(row.points)
            count = self.scores_of(row)
            if row.original is None:
                return f"{count} 个" if count else "新增"
            return f"{count} 个" if count else "—"
        if role == Qt.ItemDataRole.EditRole:
            if column == CriteriaColumn.NAME:
                return row.name
            if column == CriteriaColumn.POINTS:
                return row.points
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.original is not None and row.name != row.original:
                return f"原名称“{row.original}”，已录入的 {self.scores_of(row)} 个分数随改名保留"
            if column == CriteriaColumn.SCORES and row.original is None and self.scores_of(row):
                return f"曾删除的评分项“{row.name}”保留的分数，将重新计分"
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (CriteriaColumn.POINTS, CriteriaColumn.SCORES):
            return RIGHT
        return None

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if (role != Qt.ItemDataRole.EditRole or not index.isValid() or self.readonly
                or not 0 <= index.row() < len(self.rows)):
            return False
        row = self.rows[index.row()]
        if index.column() == CriteriaColumn.NAME:
            if not isinstance(value, str):
                return False
            name = value.strip()
            if name == row.name:
                return True
            row.name = name
            # the name decides the scores column of a new row and the tooltips
            self.dataChanged.emit(index, index.siblingAtColumn(CriteriaColumn.SCORES))
            return True
        if index.column() == CriteriaColumn.POINTS:
            try:
                points = int(str(value).strip())
            except ValueError:
                return False
            if not 0 <= points <= 100:
                return False
            if points != row.points:
                row.points = points
                self.dataChanged.emit(index, index)
            return True
        return False


class _PointsDelegate(QStyledItemDelegate):
    """Whole points 0–100 in a spin box (0 is shown so that validation can name it)."""

    def createEditor(self, parent: QWidget, option, index: Index) -> QWidget:  # noqa: N802
        if index.column() != CriteriaColumn.POINTS:
            return super().createEditor(parent, option, index)
        editor = QSpinBox(parent)
        editor.setObjectName("pointsEditor")
        editor.setRange(0, 100)
        editor.setFrame(False)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight)
        return editor


class CriteriaView(QTableView):
    """The criteria table: Enter (or F2, or a double click) edits the current cell."""

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and self.state() != QAbstractItemView.State.EditingState):
            current = self.currentIndex()
            if current.isValid() and current.flags() & Qt.ItemFlag.ItemIsEditable:
                self.edit(current)
                event.accept()
                return
        super().keyPressEvent(event)


# ---------------------------------------------------------------- the dialog


def _spin(name: str, suffix: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setRange(0, 100)
    spin.setSuffix(suffix)
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    spin.setMinimumWidth(76)
    return spin


def _stars_combo(name: str, *, uncapped: bool) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    if uncapped:
        combo.addItem("不限", NO_CAP)
    for stars, text in STAR_NAMES.items():
        combo.addItem(text, stars)
    return combo


def _button(text: str, name: str) -> QPushButton:
    """A button that Enter never presses (Enter edits in the table, or saves)."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)
    return button


def _group(title: str, name: str) -> QGroupBox:
    box = QGroupBox(title)
    box.setObjectName(name)
    return box


def uncounted_text(uncounted: Mapping[Cell, int], scheme: Scheme) -> str:
    """The kept but uncounted scores, by criterion (by cell when the criterion is still in the scheme and
    only its evaluator no longer counts): 服务奉献 4 个、学习教育·群众测评 3 个."""
    parts: dict[str, int] = defaultdict(int)
    for (criterion, evaluator), count in uncounted.items():
        parts[criterion if scheme.criterion(criterion) is None else f"{criterion}·{evaluator}"] += count
    return "、".join(f"{part} {count} 个" for part, count in parts.items())



def _paired_grid(box: QGroupBox, fields: Sequence[tuple[str, QWidget]], extra: Sequence[QWidget]) -> QGridLayout:
    """Labelled fields two to a row (label, field, label, field), then each of ``extra`` across the row."""
    grid = QGridLayout(box)
    grid.setHorizontalSpacing(8)
    grid.setVerticalSpacing(4)
    for i, (text, field_widget) in enumerate(fields):
        label = QLabel(text)
        label.setBuddy(field_widget)
        grid.addWidget(label, i // 2, (i % 2) * 2)
        grid.addWidget(field_widget, i // 2, (i % 2) * 2 + 1)
    first = (len(fields) + 1) // 2
    for n, widget in enumerate(extra):
        grid.addWidget(widget, first + n, 0, 1, 4)
    grid.setColumnStretch(1, 1)
    grid.setColumnStretch(3, 1)
    return grid


class SchemeDialog(QDialog):
    """The year's 评定方案, checked as the user types; 保存 stores it through ``set_scheme``.

    Raises AppError (the year not opened …) while loading; ``open_scheme_dialog`` shows it.
    """

    def __init__(self, database, year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scheme_dialog")
        self.setWindowTitle(f"{year} 年度星级评定方案")
        self.database = database
        self.year = year
        self.changes = Changes()
        self.report: ey.SchemeReport | None = None
        with database.read() as session:
            self.loaded = ey.scheme(session, year)
            self.locked = ey.is_locked(session, year)
            stored_cells = ey.stored_cells(session, year)  # which criteria already have scores
        self.stored: dict[str, int] = defaultdict(int)
        for (criterion, _evaluator), count in stored_cells.items():
            self.stored[criterion] += count
        self.readonly = self.locked or bool(database.readonly)
        self.loaded_names = [c.name for c in self.loaded.criteria]
        self.errors: dict[str, QLabel] = {}

        self.notice = QLabel(LOCKED_TEXT if self.locked else READONLY_TEXT)
        self.notice.setObjectName("lockedNotice")
        self.notice.setStyleSheet("color: #7a1010; font-weight: bold;")
        self.notice.setVisible(self.readonly)

        columns = QHBoxLayout()
        columns.setSpacing(12)
        columns.addWidget(self._criteria_group(), 5)
        right = QVBoxLayout()
        right.setSpacing(6)
        right.addWidget(self._weights_group())
        right.addWidget(self._thresholds_group())
        right.addWidget(self._caps_group())
        right.addWidget(self._certificate_group())
        right.addStretch(1)
        columns.addLayout(right, 6)

        self.form_error = error_label("formError")
        self.buttons = QDialogButtonBox()
        self.buttons.setObjectName("buttons")
        self.restore_button = _button("恢复默认", "restoreDefaults")
        self.restore_button.setToolTip("填入默认方案：五个评分项各 20 分，权重 20/30/20/30，90/80/70/60 分")
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.save_button = self.buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("save")
        self.save_button.setToolTip("保存（Ctrl+S）")
        self.save_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self.restore_defaults)

        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addLayout(columns, 1)
        layout.addWidget(self.form_error)
        layout.addWidget(self.buttons)

        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        self._fill(self.loaded, originals=self.loaded_names)
        self._set_readonly(self.readonly)
        self.model.dataChanged.connect(lambda *_a: self.revalidate())
        self.model.rowsInserted.connect(lambda *_a: self.revalidate())
        self.model.rowsRemoved.connect(lambda *_a: self.revalidate())
        self.model.rowsMoved.connect(lambda *_a: self.revalidate())
        self.model.modelReset.connect(lambda: self.revalidate())
        self.table.selectionModel().currentChanged.connect(lambda *_a: self._update_row_buttons())
        for widget in (*self.weights.values(), *self.thresholds.values()):
            widget.valueChanged.connect(lambda _v: self.revalidate())
        for combo in (*self.caps.values(), self.certificate):
            combo.currentIndexChanged.connect(lambda _i: self.revalidate())
        self.resize(760, 600)
        self.revalidate()
        if self.model.rows:
            self.table.setCurrentIndex(self.model.index(0, CriteriaColumn.NAME))
        self.table.setFocus()

    # ------------------------------------------------------------ the groups

    def _criteria_group(self) -> QGroupBox:
        box = _group("评分项", "criteriaGroup")
        self.model = CriteriaModel(self.stored, self)
        self.table = CriteriaView()
        self.table.setObjectName("criteriaTable")
        self.table.setModel(self.model)
        self.table.setItemDelegate(_PointsDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(CriteriaColumn.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CriteriaColumn.POINTS, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(CriteriaColumn.SCORES, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(CriteriaColumn.POINTS, 56)
        self.table.setColumnWidth(CriteriaColumn.SCORES, 76)
        self.table.setMinimumWidth(280)

        self.add_button = _button("添加评分项", "addCriterion")
        self.delete_button = _button("删除评分项", "deleteCriterion")
        self.up_button = _button("上移", "moveUp")
        self.down_button = _button("下移", "moveDown")
        self.up_button.setToolTip("上移（Ctrl+↑）")
        self.down_button.setToolTip("下移（Ctrl+↓）")
        self.add_button.clicked.connect(self.add_criterion)
        self.delete_button.clicked.connect(self.delete_criterion)
        self.up_button.clicked.connect(lambda: self.move_criterion(-1))
        self.down_button.clicked.connect(lambda: self.move_criterion(1))
        QShortcut(QKeySequence("Ctrl+Up"), self.table, activated=lambda: self.move_criterion(-1),
                  context=Qt.ShortcutContext.WidgetShortcut)
        QShortcut(QKeySequence("Ctrl+Down"), self.table, activated=lambda: self.move_criterion(1),
                  context=Qt.ShortcutContext.WidgetShortcut)
        QShortcut(QKeySequence.StandardKey.Delete, self.table, activated=self.delete_criterion,
                  context=Qt.ShortcutContext.WidgetShortcut)
        row_buttons = QGridLayout()
        row_buttons.setHorizontalSpacing(6)
        row_buttons.setVerticalSpacing(4)
        row_buttons.addWidget(self.add_button, 0, 0)
        row_buttons.addWidget(self.delete_button, 0, 1)
        row_buttons.addWidget(self.up_button, 1, 0)
        row_buttons.addWidget(self.down_button, 1, 1)

        self.points_total = QLabel()
        self.points_total.setObjectName("pointsTotal")
        self.note = QLabel(NOTE_TEXT)
        self.note.setObjectName("criteriaNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #666666;")
        self.errors["criteria"] = error_label("criteriaError")

        layout = QVBoxLayout(box)
        layout.setSpacing(6)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.points_total)
        layout.addWidget(self.errors["criteria"])
        layout.addLayout(row_buttons)
        layout.addWidget(self.note)
        return box

    def _weights_group(self) -> QGroupBox:
        box = _group("评价主体权重", "weightsGroup")
        self.weights: dict[str, QSpinBox] = {e: _spin(_WEIGHT_NAMES[e], "%") for e in EVALUATORS}
        self.weights_total = QLabel()
        self.weights_total.setObjectName("weightsTotal")
        self.errors["weights"] = error_label("weightsError")
        _paired_grid(box, list(self.weights.items()), [self.weights_total, self.errors["weights"]])
        return box

    def _thresholds_group(self) -> QGroupBox:
        box = _group("星级分数线（总分不低于）", "thresholdsGroup")
        self.thresholds: dict[int, QSpinBox] = {
            stars: _spin(_THRESHOLD_NAMES[stars], " 分") for stars in _THRESHOLD_STARS}
        below = QLabel("低于二星分数线为一星。")
        below.setObjectName("thresholdsNote")
        below.setStyleSheet("color: #666666;")
        self.errors["thresholds"] = error_label("thresholdsError")
        _paired_grid(box, [(STAR_NAMES[stars], spin) for stars, spin in self.thresholds.items()],
                     [below, self.errors["thresholds"]])
        return box

    def _caps_group(self) -> QGroupBox:
        box = _group("等次限制（民主评议等次的最高星级）", "capsGroup")
        self.caps: dict[str, QComboBox] = {g: _stars_combo(_CAP_NAMES[g], uncapped=True) for g in GRADES}
        self.errors["caps"] = error_label("capsError")
        _paired_grid(box, [(f"{grade} 最高", combo) for grade, combo in self.caps.items()], [self.errors["caps"]])
        return box

    def _certificate_group(self) -> QGroupBox:
        box = _group("颁发证书", "certificateGroup")
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        self.certificate = _stars_combo("certificateMinStars", uncapped=False)
        label = QLabel("最低星级")
        label.setBuddy(self.certificate)
        grid.addWidget(label, 0, 0)
        grid.addWidget(self.certificate, 0, 1)
        grid.addWidget(QLabel("及以上颁发星级党员证书"), 0, 2)
        self.errors["certificate_min_stars"] = error_label("certificateMinStarsError")
        grid.addWidget(self.errors["certificate_min_stars"], 1, 0, 1, 3)
        grid.setColumnStretch(2, 1)
        return box

    # ------------------------------------------------------------ values

    def _fill(self, scheme: Scheme, *, originals: Collection[str]) -> None:
        self.model.load(scheme.criteria, originals)
        for evaluator, spin in self.weights.items():
            spin.setValue(scheme.weight(evaluator))
        minimum = {stars: m for m, stars in scheme.thresholds}
        for stars, spin in self.thresholds.items():
            spin.setValue(minimum.get(stars, 0))
        for grade, combo in self.caps.items():
            combo.setCurrentIndex(combo.findData(scheme.cap(grade) or NO_CAP))
        self.certificate.setCurrentIndex(self.certificate.findData(scheme.certificate_min_stars))

    def scheme(self) -> Scheme:
        """The scheme as the fields show it now (maybe invalid)."""
        caps = {grade: combo.currentData() for grade, combo in self.caps.items()
                if combo.currentData() not in (None, NO_CAP)}
        return Scheme(
            criteria=self.model.criteria(),
            weights={evaluator: spin.value() for evaluator, spin in self.weights.items()},
            thresholds=tuple((self.thresholds[stars].value(), stars) for stars in _THRESHOLD_STARS),
            caps=caps,
            certificate_min_stars=self.certificate.currentData(),
        )

    def renames(self) -> dict[str, str]:
        return self.model.renames()

    def removed_with_scores(self) -> dict[str, int]:
        """Loaded criteria deleted in the dialog that have stored scores, with their counts."""
        return {name: self.stored[name] for name in self.model.removed(self.loaded_names) if self.stored.get(name)}

    def dirty(self) -> bool:
        return self.scheme() != self.loaded or bool(self.renames())

    def _rename_problems(self) -> list[str]:
        """What ``set_scheme`` would refuse about the renames, said before saving."""
        names = [r.name for r in self.model.rows]
        problems = []
        for before, after in self.renames().items():
            if not after:
                continue  # an empty name is validate_scheme's to name
            if before in names:
                problems.append(f"“{before}”改名为“{after}”后，又有评分项使用了“{before}”这个名称，"
                                "分数无法随改名移动，请换一个名称")
            elif after in self.loaded_names:
                problems.append(f"不能把“{before}”改名为原有的评分项“{after}”（如需对调名称，请分两次保存）")
            elif self.stored.get(after):
                problems.append(f"已有“{after}”的分数（曾删除的评分项），不能再把“{before}”的分数移过去")
        return problems

    def live_errors(self) -> dict[str, str]:
        errors = validate_scheme(self.scheme())
        if problems := self._rename_problems():
            own = "；".join(problems) + "。"
            errors["criteria"] = f"{errors['criteria']}\n{own}" if "criteria" in errors else own
        return errors

    def revalidate(self) -> bool:
        points = self.model.total()
        self.points_total.setText(f"合计 {points} 分")
        self.points_total.setStyleSheet("" if points == 100 else "color: #c0392b;")
        weights = sum(spin.value() for spin in self.weights.values())
        self.weights_total.setText(f"合计 {weights}%")
        self.weights_total.setStyleSheet("" if weights == 100 else "color: #c0392b;")
        self._update_row_buttons()
        if self.readonly:
            self.show_errors({})
            return False
        errors = self.live_errors()
        self.show_errors(errors)
        self.save_button.setEnabled(not errors)
        return not errors

    def show_errors(self, errors: Mapping[str, str]) -> None:
        for field, label in self.errors.items():
            show_error_on(label, errors.get(field))
        others = " ".join(m for f, m in errors.items() if f not in self.errors)
        show_error_on(self.form_error, others or None)

    def _set_readonly(self, readonly: bool) -> None:
        self.model.readonly = readonly
        if readonly:
            self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for button in (self.add_button, self.delete_button, self.up_button, self.down_button,
                       self.restore_button, self.save_button):
            button.setVisible(not readonly)
            button.setEnabled(not readonly)
        self.note.setVisible(not readonly)
        for spin in (*self.weights.values(), *self.thresholds.values()):
            spin.setReadOnly(readonly)
            if readonly:
                spin.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        for combo in (*self.caps.values(), self.certificate):
            combo.setEnabled(not readonly)
        self.cancel_button.setText("关闭" if readonly else "取消")
        self.save_button.setDefault(not readonly)

    # ------------------------------------------------------------ the criteria rows

    def _current_row(self) -> int | None:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else None

    def _update_row_buttons(self) -> None:
        if self.readonly:
            return
        row = self._current_row()
        count = len(self.model.rows)
        self.delete_button.setEnabled(row is not None)
        self.up_button.setEnabled(row is not None and row > 0)
        self.down_button.setEnabled(row is not None and row < count - 1)

    def add_criterion(self) -> None:
        if self.readonly:
            return
        names = {r.name for r in self.model.rows}
        name, n = "新评分项", 2
        while name in names:
            name, n = f"新评分项{n}", n + 1
        row = self.model.add(name, max(0, 100 - self.model.total()))
        index = self.model.index(row, CriteriaColumn.NAME)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        self.table.setFocus()
        self.table.edit(index)

    def delete_criterion(self) -> None:
        row = self._current_row()
        if self.readonly or row is None:
            return
        self.model.removeRows(row, 1)
        if self.model.rows:
            self.table.setCurrentIndex(self.model.index(min(row, len(self.model.rows) - 1), CriteriaColumn.NAME))
        self._update_row_buttons()

    def move_criterion(self, delta: int) -> None:
        row = self._current_row()
        if self.readonly or row is None:
            return
        column = self.table.currentIndex().column()
        moved = self.model.move(row, delta)
        if moved is not None:
            self.table.setCurrentIndex(self.model.index(moved, column))
        self._update_row_buttons()

    def restore_defaults(self) -> None:
        """The default scheme's values; a default criterion is the loaded one of the same name (no rename
        is implied), a loaded criterion not among the defaults is deleted."""
        if self.readonly:
            return
        self._fill(DEFAULT_SCHEME, originals=self.loaded_names)
        if self.model.rows:
            self.table.setCurrentIndex(self.model.index(0, CriteriaColumn.NAME))

    # ------------------------------------------------------------ saving and closing

    def _confirm_removals(self) -> bool:
        removed = self.removed_with_scores()
        if not removed:
            return True
        listed = "、".join(f"“{name}”已有 {count} 个分数" for name, count in removed.items())
        return confirm(self, ACTION, f"{listed}，删除后这些分数保留但不计入总分。确定保存？", "保存")

    def save(self) -> None:
        """Store the scheme (Ctrl+S, 保存); on success the dialog closes with ``changes`` set."""
        if self.readonly:
            return
        self._commit_editor()
        if not self.revalidate():
            return
        if not self._confirm_removals():
            return
        new, renames = self.scheme(), self.renames()
        refused: list[ValidationError] = []

        def work(session):
            try:
                return ey.set_scheme(session, self.year, new, renames=renames)
            except ValidationError as exc:
                refused.append(exc)
                raise

        result = run_action(self, self.database, ACTION, work)
        if result is None:
            if refused:
                self.show_errors({("criteria" if f in ("renames", "") else f): m
                                  for f, m in refused[0].errors.items()})
            return
        self.report, self.changes = result
        if message := self._report_text(self.report, new):
            QMessageBox.information(self, ACTION, message)
        super().accept()

    @staticmethod
    def _report_text(report: ey.SchemeReport, scheme: Scheme) -> str:
        parts = []
        if report.moved:
            renamed = "、".join(f"“{b}”→“{a}”" for b, a in report.renamed.items())
            parts.append(f"改名的评分项（{renamed}）已有的 {report.moved} 个分数随之保留。")
        if report.uncounted:
            count = sum(report.uncounted.values())
            parts.append(f"{count} 个分数保留但不计入总分：{uncounted_text(report.uncounted, scheme)}。")
        return ("评定方案已保存。" + "".join(parts)) if parts else ""

    def _commit_editor(self) -> None:
        """Ctrl+S while a cell is being typed in: keep what was typed (Qt commits only on leaving it)."""
        if self.table.state() != QAbstractItemView.State.EditingState:
            return
        editor = self.table.indexWidget(self.table.currentIndex())
        if editor is not None:
            self.table.commitData(editor)
            self.table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def accept(self) -> None:
        self.save()

    def reject(self) -> None:
        if not self.readonly and self.dirty() and not confirm(
                self, self.windowTitle(), "评定方案有未保存的修改，关闭将放弃这些修改。", "放弃修改"):
            return
        super().reject()


def open_scheme_dialog(parent: QWidget | None, database, year: int) -> Changes | None:
    """Show the year's 评定方案 modally; what was changed, or None when nothing was (cancelled, unchanged,
    or the scheme could not be loaded — then the reason is shown)."""
    try:
        dialog = SchemeDialog(database, year, parent)
    except (AppError, DatabaseError) as exc:
        QMessageBox.warning(parent, "评定方案", str(exc))
        return None
    dialog.exec()
    return dialog.changes if dialog.changes.any else None
