"""星级评定 评分表: the year's scoring grid, one row per participant, typed into as in a spreadsheet.

``ScoreGrid(database)`` shows the grid of an opened year (``load(year)``): name and branch, one column per
scheme cell (criterion × evaluator with a weight), then 总分, 星级 (after the 评议 cap), 调整, 最终星级,
评议等次 and 证书编号. Keyboard first: a digit starts editing, Enter commits and moves down, Tab / Shift+Tab
commit and move to the next / previous score cell (wrapping rows), Up/Down in the editor commit and move,
Delete clears the selected cells, Ctrl+C copies the selection as tab-separated text and Ctrl+V pastes a block
copied from Excel. Every write is one unit of work through ``app.evaluation_year.set_scores`` (all or
nothing) and one step of the undo stack (Ctrl+Z, Ctrl+Y / Ctrl+Shift+Z); only the rows it touched are read
again (``grid_row``) and repainted. A refused score is named in the status line under the table — never in a
message box while the user types — and the editor stays open on it. An approved year is read-only.

The name column stays in place while the scores scroll (a frozen overlay view, after Qt's "Frozen Column"
example) so a row is always readable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QGuiApplication, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import evaluation_year as ey
from app.changes import Changes
from app.errors import AppError, DatabaseError, ValidationError
from app.evaluation import (
    STAR_NAMES,
    Cell,
    Scheme,
    check_score,
    parse_score,
    score_from_tenths,
    score_to_tenths,
)
from app.evaluation_year import Grid, GridRow
from ui.common import error_label, show_error_on

Index = QModelIndex | QPersistentModelIndex
ScoreKey = tuple[int, Cell]  # (member id, (criterion, evaluator))

LOCKED_MESSAGE = "本年度已批准，评分已锁定；如需修改请先解锁。"
READONLY_MESSAGE = "只读模式：此数据库文件只能查看，不能修改。"
KEYS_HINT = "输入数字即评分 · Enter 下移 · Tab 右移 · Delete 清除 · Ctrl+V 粘贴 · Ctrl+Z 撤回"
KEYS_HELP = ("输入数字即开始评分，Enter 保存并下移，Tab / Shift+Tab 保存并右移 / 左移，方向键移动，F2 修改，Esc 放弃；"
             "Delete 清除所选评分；Ctrl+C 复制所选，Ctrl+V 粘贴（可从 Excel、WPS 复制一块分数粘贴）；"
             "Ctrl+Z 撤回，Ctrl+Y 重做；Ctrl+J 调整星级。")
MESSAGES_SHOWN = 3  # cell messages named when a block is refused
ROWS_ONE_BY_ONE = 40  # more rows touched than this: read the whole grid again instead of row by row

GREY = QColor("#8a8a8a")
RED = QColor("#c0392b")
AMBER = QColor("#a86b00")
COMPUTED_BACKGROUND = QColor("#f6f2f2")
GAP_BACKGROUND = QColor("#fdf8e6")  # a missing cell in a row already being scored
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
CENTER = int(Qt.AlignmentFlag.AlignCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

NAME_WIDTH, BRANCH_WIDTH, SCORE_WIDTH = 170, 130, 74
TAIL_WIDTHS = (64, 84, 84, 84, 72, 96)  # 总分 星级 调整 最终星级 评议等次 证书编号
ROW_HEIGHT = 26

MemberIdRole = Qt.ItemDataRole.UserRole + 1


def format_tenths(tenths: int) -> str:
    """Stored tenths as the grid shows them: 180 → "18", 175 → "17.5", 0 → "0"."""
    whole, tenth = divmod(tenths, 10)
    return str(whole) if tenth == 0 else f"{whole}.{tenth}"


def stars_text(stars: int | None) -> str:
    return "" if stars is None else "★" * stars


def _joined(messages: Iterable[str], total: int) -> str:
    shown = [m.rstrip("。") for m in messages]
    more = f"；等共 {total} 格有误" if total > len(shown) else ""
    return "；".join(shown) + more + "。"


# ---------------------------------------------------------------- columns


class Column(IntEnum):
    """The columns around the scores: NAME and BRANCH come first, then one column per scheme cell, then
    the others in this order (``ColumnLayout.column`` gives their place for a scheme)."""

    NAME = 0
    BRANCH = 1
    TOTAL = 2
    STARS = 3
    ADJUSTMENT = 4
    FINAL = 5
    GRADE = 6
    CERTIFICATE = 7


HEADERS = {Column.NAME: "姓名", Column.BRANCH: "所在支部", Column.TOTAL: "总分", Column.STARS: "星级",
           Column.ADJUSTMENT: "调整", Column.FINAL: "最终星级", Column.GRADE: "评议等次",
           Column.CERTIFICATE: "证书编号"}
HEADER_TIPS = {
    Column.NAME: "姓名；年内转出、入党的和预备党员在括号中注明",
    Column.TOTAL: "各项得分按评价主体权重加权合计；评分不全时显示缺几项",
    Column.STARS: "按总分和星级分数线评定，民主评议为基本合格、不合格时有上限",
    Column.ADJUSTMENT: "支部调整的星级（Ctrl+J），鼠标停留可看原因",
    Column.FINAL: "有调整时为调整后的星级（仍受评议等次上限约束），否则同“星级”",
    Column.GRADE: "民主评议等次；预备党员不参加评议",
    Column.CERTIFICATE: "年度批准后颁发的星级党员证书编号",
}
FIRST_SCORE = 2  # the column of the first score cell


@dataclass(frozen=True)
class ColumnLayout:
    """Where each column sits for a scheme: NAME, BRANCH, the scheme's cells, then TOTAL … CERTIFICATE."""

    cells: tuple[Cell, ...]

    @property
    def count(self) -> int:
        return FIRST_SCORE + len(self.cells) + (len(Column) - FIRST_SCORE)

    @property
    def last_score(self) -> int:
        return FIRST_SCORE + len(self.cells) - 1

    def column(self, kind: Column) -> int:
        return int(kind) if kind < FIRST_SCORE else int(kind) + len(self.cells)

    def kind(self, column: int) -> Column | None:
        """The column's kind; None for a score column."""
        if column < FIRST_SCORE:
            return Column(column)
        offset = column - len(self.cells)
        return Column(offset) if FIRST_SCORE <= offset < len(Column) else None

    def cell_of(self, column: int) -> Cell | None:
        return self.cells[column - FIRST_SCORE] if FIRST_SCORE <= column <= self.last_score else None

    def column_of(self, cell: Cell) -> int:
        return FIRST_SCORE + self.cells.index(cell)

    def is_score(self, column: int) -> bool:
        return FIRST_SCORE <= column <= self.last_score


# ---------------------------------------------------------------- the model


class _ScoresCommand(QUndoCommand):
    """One write of score cells: ``old`` and ``new`` tenths (None = empty) of each (member, cell). Pushed
    after the write succeeded, so the first ``redo`` does nothing."""

    def __init__(self, model: ScoreGridModel, text: str, old: Mapping[ScoreKey, int | None],
                 new: Mapping[ScoreKey, int | None]) -> None:
        super().__init__(text)
        self.model = model
        self.old, self.new = dict(old), dict(new)
        self._pushed = True

    def redo(self) -> None:
        if self._pushed:
            self._pushed = False
            return
        if not self.model.write(self.new, f"重做{self.text()}"):
            self.setObsolete(True)  # could not be redone: the stack drops it rather than lie

    def undo(self) -> None:
        if not self.model.write(self.old, f"撤回{self.text()}"):
            self.setObsolete(True)


class ScoreGridModel(QAbstractTableModel):
    """The rows of ``app.evaluation_year.grid`` (GridRow objects, formatted on demand), editable in the score
    columns while the year is not approved. Writes go straight to the database (``set_scores``, one unit of
    work each) and onto ``undo_stack``; ``error`` says why an entry was refused, ``written`` what changed."""

    error = Signal(str)
    written = Signal(object)  # app.changes.Changes

    def __init__(self, database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.undo_stack = QUndoStack(self)
        self.year: int | None = None
        self.scheme: Scheme | None = None
        self.locked = False
        self.uncounted: dict[Cell, int] = {}
        self.layout = ColumnLayout(())
        self.rows: list[GridRow] = []
        self._row_of: dict[int, int] = {}
        self._weights: dict[str, int] = {}
        self._points: dict[str, int] = {}
        self._complete = self._left = 0  # kept up to date row by row: the status line reads them per edit

    # ------------------------------------------------------------ loading

    def set_grid(self, grid: Grid) -> None:
        self.beginResetModel()
        self.year, self.scheme, self.locked = grid.year, grid.scheme, grid.locked
        self.uncounted = dict(grid.uncounted)
        self.layout = ColumnLayout(tuple(grid.scheme.cells()))
        self.rows = list(grid.rows)
        self._row_of = {r.member_id: n for n, r in enumerate(self.rows)}
        self._weights = dict(grid.scheme.weights)
        self._points = {c.name: c.points for c in grid.scheme.criteria}
        self._complete = sum(1 for r in self.rows if r.result.complete)
        self._left = sum(1 for r in self.rows if r.participant.left_in_year)
        self.endResetModel()
        self.undo_stack.clear()

    def cell_of(self, column: int) -> Cell | None:
        """(criterion, evaluator) of a score column, None for the other columns."""
        return self.layout.cell_of(column)

    def column_of(self, cell: Cell) -> int:
        return self.layout.column_of(cell)

    def row_of(self, member_id: int) -> int:
        return self._row_of.get(member_id, -1)

    def member_at(self, row: int) -> GridRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def complete_count(self) -> int:
        """Rows whose total is complete."""
        return self._complete

    def left_count(self) -> int:
        """Rows of members who left during the year."""
        return self._left

    @property
    def editable(self) -> bool:
        return self.refusal() is None

    def refusal(self) -> str | None:
        """Why no score can be changed now (an approved year, a read-only file), None when they can."""
        if self.locked:
            return LOCKED_MESSAGE
        if getattr(self.database, "readonly", False):
            return READONLY_MESSAGE
        return None

    # ------------------------------------------------------------ Qt's model interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else self.layout.count

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.layout.count:
            return None
        cell = self.layout.cell_of(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{cell[0]}\n{cell[1]}" if cell else HEADERS[self.layout.kind(section)]
        if role == Qt.ItemDataRole.ToolTipRole:
            if cell:
                return (f"{cell[0]} · {cell[1]}：0–{self._points.get(cell[0], 0)} 分"
                        f"（{cell[1]}权重 {self._weights.get(cell[1], 0)}%）")
            return HEADER_TIPS.get(self.layout.kind(section))
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.layout.is_score(index.column()) and self.editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        cell = self.layout.cell_of(column)
        if cell is not None:
            return self._score_data(row, cell, role)
        kind = self.layout.kind(column)
        if kind is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(row, kind)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(row, kind)
        if role == Qt.ItemDataRole.BackgroundRole and kind >= Column.TOTAL:
            return QBrush(COMPUTED_BACKGROUND)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if kind == Column.TOTAL:
                return RIGHT
            return LEFT if kind in (Column.NAME, Column.BRANCH) else CENTER
        if role == MemberIdRole:
            return row.member_id
        return None

    def _score_data(self, row: GridRow, cell: Cell, role: int):
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            tenths = row.scores.get(cell)
            return "" if tenths is None else format_tenths(tenths)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and row.participant.left_in_year:
            return QBrush(GREY)
        if role == Qt.ItemDataRole.BackgroundRole and cell not in row.scores and row.scores:
            return QBrush(GAP_BACKGROUND)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.participant.name}：{cell[0]} · {cell[1]}（0–{self._points.get(cell[0], 0)} 分）"
        if role == MemberIdRole:
            return row.member_id
        return None

    @staticmethod
    def _text(row: GridRow, kind: Column) -> str:
        p = row.participant
        if kind == Column.NAME:
            return f"{p.name}（{p.mark}）" if p.mark else p.name
        if kind == Column.BRANCH:
            return p.branch_name
        if kind == Column.TOTAL:
            if row.result.complete:
                return format_tenths(score_to_tenths(row.result.total))
            return f"缺{len(row.result.missing)}项"
        if kind == Column.STARS:
            return stars_text(row.computed_stars)
        if kind == Column.ADJUSTMENT:
            return stars_text(row.adjustment)
        if kind == Column.FINAL:
            return stars_text(row.final_stars)
        if kind == Column.GRADE:
            if not p.graded:
                return "不参评"
            return row.grade or "未评定"
        return row.certificate or ""

    @staticmethod
    def _tip(row: GridRow, kind: Column) -> str | None:
        p = row.participant
        if kind == Column.NAME:
            where = p.org_name if p.org_name == p.branch_name else f"{p.branch_name} · {p.org_name}"
            return f"{p.name}，{where}" + (f"；{p.mark}" if p.mark else "")
        if kind == Column.BRANCH:
            return p.org_name
        if kind == Column.TOTAL:
            return row.result.reason
        if kind in (Column.STARS, Column.FINAL):
            return row.star_reason
        if kind == Column.ADJUSTMENT:
            if row.adjustment is None:
                return "未调整（Ctrl+J 调整星级）"
            return f"支部调整为{STAR_NAMES[row.adjustment]}。原因：{row.adjustment_reason}"
        if kind == Column.GRADE:
            if not p.graded:
                return "预备党员不参加民主评议，不评定等次"
            if row.grade is None:
                return "尚未评定民主评议等次"
            return f"{row.grade}（{row.grade_decided_on:%Y-%m-%d} 评定）" if row.grade_decided_on else row.grade
        return None

    @staticmethod
    def _foreground(row: GridRow, kind: Column) -> QBrush | None:
        if row.participant.left_in_year:
            return QBrush(GREY)
        if kind == Column.TOTAL and not row.result.complete:
            return QBrush(GREY)
        if kind == Column.GRADE and (row.grade is None or not row.participant.graded):
            return QBrush(GREY)
        if kind in (Column.STARS, Column.FINAL):
            if row.capped_by is not None:
                return QBrush(RED)
            if row.awaiting_grade:
                return QBrush(AMBER)
        return None

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        """A score typed into a cell: checked (``check_score``), stored, undoable. Empty text clears the cell.
        A refused entry emits ``error`` and returns False."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not 0 <= index.row() < len(self.rows):
            return False
        cell = self.layout.cell_of(index.column())
        if cell is None or self.scheme is None:
            return False
        if refusal := self.refusal():
            self.error.emit(refusal)
            return False
        row = self.rows[index.row()]
        text = "" if value is None else str(value)
        if message := check_score(self.scheme, cell[0], text):
            self.error.emit(f"{self.label(row, cell)}：{message}")
            return False
        score = parse_score(self.scheme, cell[0], text)
        tenths = None if score is None else score_to_tenths(score)
        return self.apply({(row.member_id, cell): tenths}, f"评分 {self.label(row, cell)}")

    @staticmethod
    def label(row: GridRow, cell: Cell) -> str:
        return f"{row.participant.name}（{cell[0]}·{cell[1]}）"

    # ------------------------------------------------------------ writing

    def stored(self, key: ScoreKey) -> int | None:
        member_id, cell = key
        row = self.member_at(self.row_of(member_id))
        return None if row is None else row.scores.get(cell)

    def apply(self, values: Mapping[ScoreKey, int | None], text: str) -> bool:
        """Write ``values`` (tenths, None to clear) as one unit of work and one undo step; cells that already
        hold the value are left out. True when stored (or nothing to change)."""
        if refusal := self.refusal():
            self.error.emit(refusal)
            return False
        old = {key: self.stored(key) for key in values}
        changed = {key: value for key, value in values.items() if old[key] != value}
        if not changed:
            return True
        if not self.write(changed, text):
            return False
        self.undo_stack.push(_ScoresCommand(self, text, {k: old[k] for k in changed}, changed))
        return True

    def write(self, values: Mapping[ScoreKey, int | None], action: str) -> bool:
        """Store ``values`` through ``set_scores`` in one unit of work, then read the rows touched again and
        repaint only those. False (with ``error``) when refused; nothing is stored then."""
        if self.year is None:
            return False
        year = self.year
        cells = [(m, c, e, None if t is None else score_from_tenths(t)) for (m, (c, e)), t in values.items()]
        members = sorted({m for m, _ in values})
        try:
            with self.database.unit_of_work(action) as session:
                changes = ey.set_scores(session, year, cells)
                session.flush()
                if len(members) <= ROWS_ONE_BY_ONE:
                    fresh = [ey.grid_row(session, year, m) for m in members]
                else:
                    wanted = set(members)
                    fresh = [r for r in ey.grid(session, year).rows if r.member_id in wanted]
        except ey.ScoreErrors as exc:
            messages = list(exc.cells.values())
            self.error.emit("未保存：" + _joined(messages[:MESSAGES_SHOWN], len(messages)))
            return False
        except ey.LockedError as exc:
            self._lock()
            self.error.emit(str(exc))
            return False
        except (AppError, DatabaseError) as exc:
            self.error.emit(str(exc))
            return False
        self.replace_rows(fresh)
        if changes.any:
            self.written.emit(changes)
        return True

    def replace_rows(self, fresh: Sequence[GridRow]) -> None:
        """Put freshly read rows in place and repaint what changed in them: for a few rows only the cells
        that changed (a repainted cell costs; a whole visible row of two views is most of an edit's paint),
        for many rows contiguous runs of whole rows, one range each."""
        numbers = []
        last = self.layout.count - 1
        few = len(fresh) <= ROWS_ONE_BY_ONE
        for row in fresh:
            n = self._row_of.get(row.member_id)
            if n is None:
                continue
            old, self.rows[n] = self.rows[n], row
            self._complete += row.result.complete - old.result.complete
            self._left += row.participant.left_in_year - old.participant.left_in_year
            if not few:
                numbers.append(n)
                continue
            for first, end in self._changed_columns(old, row):
                self.dataChanged.emit(self.index(n, first), self.index(n, end))
        for first, end in _runs(sorted(numbers)):
            self.dataChanged.emit(self.index(first, 0), self.index(end, last))

    def _changed_columns(self, old: GridRow, new: GridRow) -> list[tuple[int, int]]:
        """(first, last) column ranges of a row that differ between two readings of it."""
        last = self.layout.count - 1
        if old.participant != new.participant:
            return [(0, last)]
        spans = [(FIRST_SCORE + i, FIRST_SCORE + i) for i, cell in enumerate(self.layout.cells)
                 if old.scores.get(cell) != new.scores.get(cell)]
        if (old.result, old.star_reason, old.computed_stars, old.adjustment, old.adjustment_reason,
                old.final_stars, old.grade, old.grade_decided_on, old.certificate) != (
                new.result, new.star_reason, new.computed_stars, new.adjustment, new.adjustment_reason,
                new.final_stars, new.grade, new.grade_decided_on, new.certificate):
            spans.append((self.layout.column(Column.TOTAL), last))
        return spans

    def _lock(self) -> None:
        """The year was approved meanwhile (elsewhere): make the grid read-only."""
        self.locked = True
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, self.layout.count - 1))

    # ------------------------------------------------------------ blocks

    def clear(self, indexes: Iterable[Index]) -> bool:
        """Empty the score cells among ``indexes`` (one undo step); other columns are ignored."""
        values = {}
        for index in indexes:
            cell = self.layout.cell_of(index.column())
            row = self.member_at(index.row())
            if cell is not None and row is not None and cell in row.scores:
                values[(row.member_id, cell)] = None
        if not values:
            return True
        return self.apply(values, f"清除 {len(values)} 格评分")

    def paste(self, row: int, column: int, block: Sequence[Sequence[str]]) -> bool:
        """Paste a block of texts (rows of cells, as Excel copies them) with its top-left at (row, column):
        only into score columns, refused whole when it does not fit or a cell is not a valid score."""
        if refusal := self.refusal():
            self.error.emit(refusal)
            return False
        if not block or not any(block):
            self.error.emit("剪贴板中没有可粘贴的内容。")
            return False
        if not self.layout.is_score(column) or not 0 <= row < len(self.rows):
            self.error.emit("请先选中粘贴区域左上角的评分格（姓名、总分等列不能粘贴）。")
            return False
        height, width = len(block), max(len(line) for line in block)
        rows_left, columns_left = len(self.rows) - row, self.layout.last_score - column + 1
        if height > rows_left or width > columns_left:
            self.error.emit(f"粘贴区域为 {height} 行 × {width} 列，超出表格（从当前位置起只有 {rows_left} 行 × "
                            f"{columns_left} 列可填），未粘贴。")
            return False
        targets = [((row + i, column + j), text) for i, line in enumerate(block) for j, text in enumerate(line)]
        return self._store_texts(targets, f"粘贴 {height} 行 × {width} 列评分")

    def fill(self, indexes: Iterable[Index], text: str) -> bool:
        """One value pasted into every selected score cell (Excel's paste of one cell onto a range)."""
        targets = [((i.row(), i.column()), text) for i in indexes if self.layout.is_score(i.column())]
        if not targets:
            return True
        return self._store_texts(targets, f"粘贴评分到 {len(targets)} 格")

    def _store_texts(self, targets: Sequence[tuple[tuple[int, int], str]], text: str) -> bool:
        assert self.scheme is not None
        values: dict[ScoreKey, int | None] = {}
        messages = []
        for (r, c), raw in targets:
            grid_row, cell = self.rows[r], self.layout.cell_of(c)
            assert cell is not None
            if message := check_score(self.scheme, cell[0], raw):
                messages.append(f"{self.label(grid_row, cell)}：{message}")
                continue
            score = parse_score(self.scheme, cell[0], raw)
            values[(grid_row.member_id, cell)] = None if score is None else score_to_tenths(score)
        if messages:
            self.error.emit("未粘贴：" + _joined(messages[:MESSAGES_SHOWN], len(messages)))
            return False
        return self.apply(values, text)

    def copy_text(self, indexes: Iterable[Index]) -> str:
        """The selected cells as tab-separated lines over their bounding rectangle (unselected cells empty)."""
        picked = {(i.row(), i.column()) for i in indexes if i.isValid()}
        if not picked:
            return ""
        rows = sorted({r for r, _ in picked})
        columns = sorted({c for _, c in picked})
        lines = []
        for r in range(rows[0], rows[-1] + 1):
            texts = []
            for c in range(columns[0], columns[-1] + 1):
                texts.append(str(self.data(self.index(r, c)) or "") if (r, c) in picked else "")
            lines.append("\t".join(texts))
        return "\n".join(lines) + "\n"


def _runs(numbers: Sequence[int]) -> Iterable[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs: [1, 2, 3, 7] → (1, 3), (7, 7)."""
    start = previous = None
    for n in numbers:
        if start is None:
            start = previous = n
        elif n == previous + 1:
            previous = n
        else:
            yield start, previous
            start = previous = n
    if start is not None:
        yield start, previous


def parse_block(text: str) -> list[list[str]]:
    """Clipboard text as Excel and WPS copy it: rows by line, cells by tab; one trailing line end ignored."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    if not text:
        return []
    return [line.split("\t") for line in text.split("\n")]


# ---------------------------------------------------------------- the view


class _ScoreDelegate(QStyledItemDelegate):
    """The score editor: a line edit, right-aligned. Enter, Tab, Shift+Tab, Up and Down commit and move; a
    refused entry keeps the editor open with its text selected (the message is in the status line)."""

    def __init__(self, view: ScoreView) -> None:
        super().__init__(view)
        self.view = view

    def createEditor(self, parent: QWidget, option, index: Index) -> QWidget:  # noqa: N802
        editor = QLineEdit(parent)
        editor.setObjectName("score_editor")
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        editor.setFrame(False)
        editor.setProperty("grid_row", index.row())
        editor.setProperty("grid_column", index.column())
        return editor

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and isinstance(editor, QLineEdit):
            moves = {Qt.Key.Key_Return: "down", Qt.Key.Key_Enter: "down", Qt.Key.Key_Down: "down",
                     Qt.Key.Key_Up: "up", Qt.Key.Key_Tab: "next", Qt.Key.Key_Backtab: "previous"}
            blocked = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
            if event.key() in moves and not event.modifiers() & blocked:
                model = self.view.model()
                index = model.index(editor.property("grid_row"), editor.property("grid_column"))
                if not model.setData(index, editor.text(), Qt.ItemDataRole.EditRole):
                    editor.selectAll()
                    return True
                self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
                self.view.step(moves[event.key()])
                return True
        return super().eventFilter(editor, event)


class ScoreView(QTableView):
    """The grid's table: spreadsheet keys, and the name column frozen in place over the scrolling cells."""

    copy_requested = Signal()
    paste_requested = Signal()
    clear_requested = Signal()
    refused_typing = Signal()  # a key that would edit a read-only grid (approved year, read-only file)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frozen = QTableView(self)  # first: Qt calls the overrides below while the view is set up
        self.setObjectName("score_grid")
        self.setItemDelegate(_ScoreDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.DoubleClicked)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setTabKeyNavigation(True)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.horizontalHeader().setHighlightSections(True)

        self.frozen.setObjectName("score_grid_names")
        self.frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frozen.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.frozen.setWordWrap(False)
        self.frozen.setAlternatingRowColors(True)
        self.frozen.verticalHeader().hide()
        self.frozen.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.frozen.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.frozen.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.frozen.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self.frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.frozen.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.frozen.setStyleSheet("QTableView#score_grid_names { border: none; border-right: 1px solid #d9caca; }")
        self.viewport().stackUnder(self.frozen)
        self.verticalScrollBar().valueChanged.connect(self.frozen.verticalScrollBar().setValue)
        self.frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.horizontalHeader().sectionResized.connect(self._section_resized)

    def setModel(self, model) -> None:  # noqa: N802
        super().setModel(model)
        self.frozen.setModel(model)
        self.frozen.setSelectionModel(self.selectionModel())
        model.modelReset.connect(self.freeze_names)
        self.freeze_names()

    def freeze_names(self) -> None:
        model = self.model()
        for column in range(model.columnCount()):
            self.frozen.setColumnHidden(column, column != Column.NAME)
        self.frozen.setColumnWidth(Column.NAME, self.columnWidth(Column.NAME))
        self._place_frozen()

    def _section_resized(self, section: int, _old: int, new: int) -> None:
        if section == Column.NAME:
            self.frozen.setColumnWidth(Column.NAME, new)
            self._place_frozen()

    def _place_frozen(self) -> None:
        frame = self.frameWidth()
        header = self.horizontalHeader().height()
        self.frozen.horizontalHeader().setFixedHeight(header)
        self.frozen.setGeometry(frame, frame, self.columnWidth(Column.NAME), self.viewport().height() + header)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_frozen()

    def updateGeometries(self) -> None:  # noqa: N802
        super().updateGeometries()
        self._place_frozen()

    def scrollTo(self, index: Index, hint=QAbstractItemView.ScrollHint.EnsureVisible) -> None:  # noqa: N802
        super().scrollTo(index, hint)
        hidden = self.frozen.width() - self.visualRect(index).left()
        if index.isValid() and index.column() != Column.NAME and hidden > 0:  # under the frozen names: scroll it out
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - hidden)

    # ------------------------------------------------------------ keys

    def moveCursor(self, action: QAbstractItemView.CursorAction, modifiers) -> QModelIndex:  # noqa: N802
        """Tab and Shift+Tab go through the score cells only, row after row."""
        model = self.model()
        current = self.currentIndex()
        next_, previous = QAbstractItemView.CursorAction.MoveNext, QAbstractItemView.CursorAction.MovePrevious
        if action in (next_, previous) and isinstance(model, ScoreGridModel) and current.isValid():
            layout = model.layout
            if not layout.cells:
                return current
            row, column = current.row(), current.column()
            if action == next_:
                if column < FIRST_SCORE:
                    column = FIRST_SCORE
                elif column >= layout.last_score:
                    if row + 1 >= model.rowCount():
                        return current
                    row, column = row + 1, FIRST_SCORE
                else:
                    column += 1
            else:
                if column > layout.last_score:
                    column = layout.last_score
                elif column <= FIRST_SCORE:
                    if row == 0:
                        return current
                    row, column = row - 1, layout.last_score
                else:
                    column -= 1
            return model.index(row, column)
        return super().moveCursor(action, modifiers)

    def step(self, direction: str) -> None:
        """Move the current cell after a committed entry: "down", "up", "next" or "previous"."""
        current = self.currentIndex()
        if not current.isValid():
            return
        if direction in ("down", "up"):
            target = self.model().index(current.row() + (1 if direction == "down" else -1), current.column())
        else:
            action = (QAbstractItemView.CursorAction.MoveNext if direction == "next"
                      else QAbstractItemView.CursorAction.MovePrevious)
            target = self.moveCursor(action, Qt.KeyboardModifier.NoModifier)
        if target.isValid():
            self.setCurrentIndex(target)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_requested.emit()
            return
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_requested.emit()
            return
        key = event.key()
        plain = not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                                         | Qt.KeyboardModifier.MetaModifier)
        if self.state() != QAbstractItemView.State.EditingState and plain:
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.clear_requested.emit()
                return
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.step("up" if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else "down")
                return
            model = self.model()
            locked = isinstance(model, ScoreGridModel) and not model.editable
            if locked and (key == Qt.Key.Key_F2 or (event.text().strip() and event.text().isprintable())):
                self.refused_typing.emit()
                return
        super().keyPressEvent(event)


# ---------------------------------------------------------------- 调整星级


class AdjustStarsDialog(QDialog):
    """调整星级: 不调整 or 一星…五星 and the reason (required for an adjustment). ``saver(stars, reason)``
    stores it and returns Changes; a refusal is shown in the dialog, which stays open."""

    def __init__(self, saver, *, name: str, computed: int | None, current: int | None, reason: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adjust_stars_dialog")
        self.setWindowTitle(f"调整星级 — {name}")
        self.setMinimumWidth(420)
        self.saver = saver
        self.changes: Changes | None = None
        form = QFormLayout()
        computed_label = QLabel(f"{STAR_NAMES[computed]}（{stars_text(computed)}）" if computed else "总分尚未完整")
        computed_label.setObjectName("computedStars")
        form.addRow("按总分评定", computed_label)
        self.stars = QComboBox()
        self.stars.setObjectName("adjustedStars")
        self.stars.addItem("不调整", None)
        for stars, label in STAR_NAMES.items():
            self.stars.addItem(f"{label}　{stars_text(stars)}", stars)
        self.stars.setCurrentIndex(max(self.stars.findData(current), 0) if current is not None else 0)
        self.stars_error = error_label("adjustedStarsError")
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(self.stars)
        box.addWidget(self.stars_error)
        form.addRow("调整为", box)
        self.reason = QLineEdit(reason)
        self.reason.setObjectName("adjustReason")
        self.reason.setPlaceholderText("调整的原因，例如：抗洪抢险事迹突出")
        self.reason_error = error_label("adjustReasonError")
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(self.reason)
        box.addWidget(self.reason_error)
        form.addRow("原因 *", box)
        self.general_error = error_label("adjustError")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("save")
        self.ok.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        self.reason.setFocus()

    def value(self) -> tuple[int | None, str]:
        return self.stars.currentData(), self.reason.text()

    def accept(self) -> None:
        stars, reason = self.value()
        if stars is not None and not reason.strip():
            self._show({"reason": "请填写调整星级的原因。"})
            return
        try:
            self.changes = self.saver(stars, reason)
        except ValidationError as exc:
            self._show(exc.errors)
            return
        except (AppError, DatabaseError) as exc:
            self._show({"": str(exc)})
            return
        super().accept()

    def _show(self, errors: Mapping[str, str]) -> None:
        show_error_on(self.stars_error, errors.get("stars"))
        show_error_on(self.reason_error, errors.get("reason"))
        show_error_on(self.general_error,
                      " ".join(m for f, m in errors.items() if f not in ("stars", "reason")) or None)


# ---------------------------------------------------------------- the widget


class ScoreGrid(QWidget):
    """The scoring grid of one opened year: ``load(year)``, type, paste, undo. ``changed`` carries the
    Changes of every successful write (scores, undo/redo, 调整星级)."""

    changed = Signal(object)  # app.changes.Changes

    def __init__(self, database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("score_grid_widget")
        self.year: int | None = None
        self.model = ScoreGridModel(database, self)
        self.undo_stack = self.model.undo_stack
        self.view = ScoreView()
        self.view.setModel(self.model)

        self.status = QLabel()
        self.status.setObjectName("score_grid_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint = QLabel(KEYS_HINT)
        self.hint.setObjectName("score_grid_hint")
        self.hint.setStyleSheet("color: #8a7a7a;")
        self.hint.setToolTip(KEYS_HELP)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.hint.setMinimumWidth(0)  # a narrow window cuts the hint, never widens the grid
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.error_text = ""

        self.adjust_button = QPushButton("调整星级…")
        self.adjust_button.setObjectName("adjust_stars")
        self.adjust_button.setToolTip("调整所选党员的星级，须填写原因（Ctrl+J）")
        self.adjust_button.clicked.connect(self.adjust_stars)
        self.adjust_action = self._action("action_adjust_stars", "调整星级…", [QKeySequence("Ctrl+J")],
                                          self.adjust_stars)
        self.undo_action = self.undo_stack.createUndoAction(self, "撤回")
        self.redo_action = self.undo_stack.createRedoAction(self, "重做")
        for action, name, keys in (
                (self.undo_action, "action_undo", [QKeySequence(QKeySequence.StandardKey.Undo)]),
                (self.redo_action, "action_redo", [QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])):
            action.setObjectName(name)
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        self.undo_button = self._tool_button("undo", "撤回", self.undo_action)
        self.redo_button = self._tool_button("redo", "重做", self.redo_action)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.undo_stack.undoTextChanged.connect(lambda text: self.undo_button.setToolTip(f"撤回 {text}（Ctrl+Z）"))
        self.undo_stack.redoTextChanged.connect(lambda text: self.redo_button.setToolTip(f"重做 {text}（Ctrl+Y）"))

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 6, 0)
        bar.addWidget(self.undo_button)
        bar.addWidget(self.redo_button)
        bar.addWidget(self.adjust_button)
        bar.addWidget(self.hint, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)

        self.model.error.connect(self.show_error)
        self.model.written.connect(self._written)
        self.view.copy_requested.connect(self.copy_selection)
        self.view.paste_requested.connect(self.paste)
        self.view.clear_requested.connect(self.clear_selection)
        self.view.refused_typing.connect(lambda: self.show_error(self.model.refusal() or LOCKED_MESSAGE))
        self.view.selectionModel().currentChanged.connect(lambda *_a: self._moved())
        self._update_buttons()
        self._show_summary()

    @property
    def database(self):
        return self.model.database

    @database.setter
    def database(self, database) -> None:
        """Another database (a restore, 打开…): writes go there; ``load`` to show it."""
        self.model.database = database

    def _action(self, name: str, text: str, keys: list[QKeySequence], slot) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _=False: slot())
        self.addAction(action)
        return action

    @staticmethod
    def _tool_button(name: str, text: str, action: QAction) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setEnabled(False)
        button.clicked.connect(action.trigger)
        return button

    # ------------------------------------------------------------ loading

    def load(self, year: int) -> None:
        """Show ``year``'s grid (the year must be opened). The undo stack starts empty; the current cell is
        kept when the same year is shown again."""
        keep = None
        if year == self.year:
            current = self.view.currentIndex()
            row = self.model.member_at(current.row())
            keep = (row.member_id, current.column()) if row is not None else None
        with self.database.read() as session:
            grid = ey.grid(session, year)
        same_columns = self.model.layout.cells == tuple(grid.scheme.cells()) and self.model.columnCount() > 0
        widths = [self.view.columnWidth(c) for c in range(self.model.columnCount())]
        self.year = year
        self.model.set_grid(grid)
        self._size_columns(widths if same_columns else None)
        self.error_text = ""
        if self.model.rowCount():
            row, column = (0, FIRST_SCORE) if keep is None else (max(self.model.row_of(keep[0]), 0), keep[1])
            column = min(column, self.model.columnCount() - 1)
            self.view.selectionModel().setCurrentIndex(
                self.model.index(row, column), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._show_summary()
        self._update_buttons()

    def _size_columns(self, widths: Sequence[int] | None = None) -> None:
        """The default widths, or ``widths`` (the user's, kept across a reload with the same columns)."""
        layout = self.model.layout
        if widths:
            for column, width in enumerate(widths):
                self.view.setColumnWidth(column, width)
            self.view.freeze_names()
            return
        self.view.setColumnWidth(Column.NAME, NAME_WIDTH)
        self.view.setColumnWidth(Column.BRANCH, BRANCH_WIDTH)
        for column in range(FIRST_SCORE, layout.last_score + 1):
            self.view.setColumnWidth(column, SCORE_WIDTH)
        for kind, width in zip(list(Column)[FIRST_SCORE:], TAIL_WIDTHS, strict=True):
            self.view.setColumnWidth(layout.column(kind), width)
        self.view.freeze_names()

    # ------------------------------------------------------------ status

    def summary(self) -> str:
        model = self.model
        if self.year is None:
            return ""
        left = model.left_count()
        text = f"{self.year} 年度：共 {model.rowCount()} 人，完整 {model.complete_count()} 人"
        if left:
            text += f"（其中年内离开 {left} 人，不要求完整）"
        if model.uncounted:
            text += f"；另有 {sum(model.uncounted.values())} 个分数不在本年度方案中，不计分"
        return text + "。"

    def _show_summary(self) -> None:
        text = self.summary()
        if self.year is not None and (refusal := self.model.refusal()):
            text = f"{refusal}　{text}"
        if self.error_text:
            self.status.setText(f"{self.error_text}　　{text}")
            self.status.setStyleSheet(f"color: {RED.name()};")
        else:
            self.status.setText(text)
            self.status.setStyleSheet("")

    def show_error(self, message: str) -> None:
        """Say why an entry was refused, in the status line (no message box while typing)."""
        self.error_text = message
        self._show_summary()
        self._update_buttons()

    def _written(self, changes: Changes) -> None:
        self.error_text = ""
        self._show_summary()
        self.changed.emit(changes)

    def _moved(self) -> None:
        """The cursor moved on: a refusal shown for the last cell is old news."""
        if self.error_text:
            self.error_text = ""
            self._show_summary()
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.model.member_at(self.view.currentIndex().row())
        self.adjust_button.setEnabled(row is not None and self.model.editable)
        self.adjust_action.setEnabled(row is not None and self.model.editable)

    # ------------------------------------------------------------ selection, clipboard

    def selected_member_id(self) -> int | None:
        row = self.model.member_at(self.view.currentIndex().row())
        return row.member_id if row is not None else None

    def select(self, member_id: int, cell: Cell | None = None) -> None:
        """Make a member's row (and a score cell of it) current."""
        row = self.model.row_of(member_id)
        if row < 0:
            return
        column = self.model.column_of(cell) if cell is not None else FIRST_SCORE
        index = self.model.index(row, column)
        self.view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.view.scrollTo(index)

    def _selected(self) -> list[QModelIndex]:
        indexes = self.view.selectionModel().selectedIndexes()
        current = self.view.currentIndex()
        return indexes or ([current] if current.isValid() else [])

    def copy_selection(self) -> None:
        text = self.model.copy_text(self._selected())
        if text:
            QGuiApplication.clipboard().setText(text)

    def paste(self, text: str | None = None) -> bool:
        """Paste the clipboard (or ``text``) at the current cell; one value fills every selected score cell."""
        if text is None:
            text = QGuiApplication.clipboard().text()
        block = parse_block(text)
        current = self.view.currentIndex()
        selected = self._selected()
        if len(block) == 1 and len(block[0]) == 1 and len(selected) > 1:
            return self.model.fill(selected, block[0][0])
        if not self.model.paste(current.row(), current.column(), block):
            return False
        height, width = len(block), max(len(line) for line in block)
        top_left = self.model.index(current.row(), current.column())
        bottom_right = self.model.index(current.row() + height - 1, current.column() + width - 1)
        self.view.selectionModel().select(QItemSelection(top_left, bottom_right),
                                          QItemSelectionModel.SelectionFlag.ClearAndSelect)
        return True

    def clear_selection(self) -> bool:
        return self.model.clear(self._selected())

    # ------------------------------------------------------------ 调整星级

    def adjust_stars(self) -> None:
        dialog = self.adjust_dialog()
        if dialog is not None and dialog.exec() and dialog.changes is not None and dialog.changes.any:
            self._written(dialog.changes)

    def adjust_dialog(self) -> AdjustStarsDialog | None:
        """The 调整星级 dialog for the current member (None when nobody is selected or the year is locked)."""
        row = self.model.member_at(self.view.currentIndex().row())
        if row is None or self.year is None:
            return None
        if refusal := self.model.refusal():
            self.show_error(refusal)
            return None
        year, member_id = self.year, row.member_id

        def save(stars: int | None, reason: str) -> Changes:
            with self.database.unit_of_work("调整星级") as session:
                changes = ey.adjust_stars(session, year, member_id, stars, reason)
                session.flush()
                fresh = ey.grid_row(session, year, member_id)
            self.model.replace_rows([fresh])
            return changes

        return AdjustStarsDialog(save, name=row.participant.name, computed=row.computed_stars,
                                 current=row.adjustment, reason=row.adjustment_reason, parent=self)
