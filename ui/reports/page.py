"""档案打印: the print centre — 党员年度档案, 星级党员证书, 评定结果公示 and 党员花名册.

Left, what to print (the document, its year and scope, and only that document's options); right, a
preview of the first pages, rendered from a small sample so it is quick for any size of community. The
preview follows the options a moment after they change. 保存 PDF and 打印 render the whole document in a
worker (``run_with_progress``, with 取消); printing then sends the file at 100 % from the GUI thread
(``print_job``). The renderers are those of ``python -m app print``; ``documents`` holds the glue.

The preview is rendered in a thread too (``_PreviewJob``, in the page's own one-thread pool): it opens
its own session, renders the sample to a temporary PDF and turns its first pages into QImages; the GUI
thread only scales them. Each ``preview()`` gets the next generation number; a result of an older one is
dropped (the options changed again meanwhile), and a job still queued when a newer one starts is not run.
The old pages stay shown, faded, until the new ones arrive (``preview_ready``; ``preview_pending``
meanwhile). The first preview waits for the page's first paint, and the first show starts loading
ReportLab, the renderers and the fonts in that thread (``warm_up``), once a process.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QObject,
    QRunnable,
    QStandardPaths,
    Qt,
    QThreadPool,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from app import orgs, settings
from app.changes import Changes
from app.errors import AppError, DatabaseError
from db.models import EvaluationYear
from ui.common import page_title, section_title, ui_settings
from ui.page import Page
from ui.reports import documents, print_job, printing
from ui.reports.documents import (
    ANNUAL,
    CERTIFICATES,
    PLAIN,
    PREPRINTED,
    PUBLICITY,
    ROSTER,
    Outcome,
    Request,
    Sample,
)
from ui.reports.member_picker import MemberPicker
from ui.reports.preview import RENDER_WIDTH, PreviewPane
from ui.worker import frozen_gc, run_with_progress

HINTS = {
    ANNUAL: "每名党员一份：基本信息、年度记实、组织生活、志愿服务、党费、奖惩和评定结果，A4 纵向。",
    CERTIFICATES: "已批准年度的星级党员证书，每页一张，A4 横向；套打时只印姓名、星级等文字。",
    PUBLICITY: "民主评议和星级评定结果公示，身份证号和电话部分隐藏；未批准的年度标明“拟评定结果”。",
    ROSTER: "在册党员花名册，16 项基本信息，A4 横向。",
}
MIN_STARS = (("全部证书", None), ("五星", 5), ("四星及以上", 4))
PREVIEW_DELAY_MS = 350
_log = logging.getLogger(__name__)
SHOWN_FILES = 12  # files named in the message after a cancelled batch
PROGRESS_EVERY_S = 0.1  # a batch's progress goes to the dialog at most this often (and at the end)


class _Counter(QObject):
    """Carries a batch's progress to the GUI thread, to word the progress dialog's line."""

    counted = Signal(int, int)


def _cancelled_error(exc: BaseException) -> bool:
    """Whether ``exc`` is a renderer's PrintCancelled (each renderer has its own)."""
    return type(exc).__name__ == "PrintCancelled"


# ---------------------------------------------------------------- the preview, in a thread


def render_preview(database, request: Request) -> tuple[Sample, list]:
    """The sample rendered (its own session, a temporary PDF) and its first pages as QImages: what the
    preview shows. Runs in the preview's thread (QImage, unlike QPixmap, may be made there)."""
    with tempfile.TemporaryDirectory(prefix="dangjian-preview-") as folder:
        out = Path(folder) / "preview.pdf"
        with database.read() as session:
            sample = documents.render_sample(session, request, out)
        images = printing.preview_images(out, pages=documents.PREVIEW_PAGES, width=RENDER_WIDTH)
    return sample, images


_warmed_up = False  # warm_up started in this process


def warm_up() -> None:
    """ReportLab, the renderers, pdfium and the bundled fonts loaded (and the fonts registered) ahead of
    the first preview or batch, so that neither pays for them."""
    try:
        with frozen_gc():  # importing makes many objects: their collections need not walk the whole program
            from app.reports import annual_file, base, certificate, member_roster, publicity  # noqa: F401
            from app.reports.base import register_fonts

            register_fonts()
            import pypdfium2  # noqa: F401
    except Exception:  # noqa: BLE001 — the preview meets the same problem and says it
        _log.warning("warming up the renderers failed", exc_info=True)


class _PreviewSignals(QObject):
    done = Signal(int, object, object)  # generation, (request, sample, images) or None, the exception or None


class _PreviewJob(QRunnable):
    """One preview, rendered in the page's preview thread; the result goes back through ``signals``."""

    def __init__(self, database, request: Request, generation: int, latest: Callable[[], int],
                 signals: _PreviewSignals) -> None:
        super().__init__()
        self.database, self.request, self.generation = database, request, generation
        self.latest, self.signals = latest, signals

    def run(self) -> None:
        if self.latest() != self.generation:
            return  # a newer preview was asked for while this one waited for the thread
        try:
            with frozen_gc():
                sample, images = render_preview(self.database, self.request)
        except BaseException as exc:  # noqa: BLE001 — shown on the GUI thread (a refusal, or a bug logged)
            self.signals.done.emit(self.generation, None, exc)
        else:
            self.signals.done.emit(self.generation, (self.request, sample, images), None)


class _Latest:
    """The newest preview's generation, read by the preview thread."""

    generation = 0


class ReportsPage(Page):
    area = "reports"
    nav_title = "档案打印"
    preview_ready = Signal(bool)  # the newest preview arrived: True pages shown, False the reason why not

    def __init__(self, window) -> None:
        super().__init__(window)
        self.last_saved: Path | None = None
        self.printer = None  # made on first use, then kept: the user's printer and copies stay chosen
        self.community = ""
        self.approved_years: set[int] = set()
        self._busy = False
        self._previewed = False
        self._latest = _Latest()
        self._waiting: int | None = None  # the generation being rendered, None when none is
        self._first_preview_due = False
        # one thread: previews never compete with each other, and a queued one can still be dropped
        self.preview_pool = QThreadPool(self)
        self.preview_pool.setMaxThreadCount(1)
        self._preview_signals = _PreviewSignals()  # no parent: the page and each job hold it
        self._preview_signals.done.connect(self._preview_done)

        self.preview_timer = QTimer(self)
        self.preview_timer.setSingleShot(True)
        self.preview_timer.setInterval(PREVIEW_DELAY_MS)
        self.preview_timer.timeout.connect(self._auto_preview)

        self.form = self._build_form()
        self.actions_ = self._build_actions()
        left = self._build_left()
        self.preview_pane = PreviewPane()
        self.preview_pane.setObjectName("reportPreview")
        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(8, 0, 0, 0)
        right_box.addWidget(section_title("预览"))
        right_box.addWidget(self.preview_pane, 1)

        self.splitter = QSplitter()
        self.splitter.setObjectName("reportsSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([360, 700])
        state = ui_settings().value("reports/splitter")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.splitter.restoreState(state)

        intro = QLabel("选择文档和范围，看一看预览，再保存为 PDF 或直接打印。")
        intro.setStyleSheet("color: #666666;")
        head = QHBoxLayout()
        head.addWidget(page_title("档案打印"))
        head.addSpacing(16)
        head.addWidget(intro, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.splitter, 1)
        self._document_changed()

    # ------------------------------------------------------------ building

    def _build_form(self) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setVerticalSpacing(10)

        self.document_box = QComboBox()
        self.document_box.setObjectName("reportDocument")
        for key, title in documents.TITLES.items():
            self.document_box.addItem(title, key)
        self.hint = QLabel()
        self.hint.setObjectName("documentHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #666666;")
        document = QVBoxLayout()
        document.setSpacing(4)
        document.addWidget(self.document_box)
        document.addWidget(self.hint)
        form.addRow("文档", document)

        self.year_box = QComboBox()
        self.year_box.setObjectName("reportYear")
        form.addRow("年度", self.year_box)
        self.scope_box = QComboBox()
        self.scope_box.setObjectName("reportScope")
        self.scope_box.setMinimumContentsLength(8)
        self.scope_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        form.addRow("范围", self.scope_box)

        self.picker = MemberPicker(lambda: self.database)
        self.picker.setObjectName("memberPicker")
        form.addRow("党员", self.picker)

        self.one_pdf = QRadioButton("合订为一个 PDF")
        self.one_pdf.setObjectName("modeOnePdf")
        self.one_pdf.setChecked(True)
        self.toc = QCheckBox("加目录")
        self.toc.setObjectName("annualToc")
        self.toc.setToolTip("在合订本前加一份目录：序号、姓名、所在党组织、页码")
        self.per_member = QRadioButton("每人一个 PDF（保存到文件夹）")
        self.per_member.setObjectName("modePerMember")
        self.per_member.setToolTip("文件名：姓名_身份证后4位_年度.pdf；同名文件不覆盖，加“ (2)”")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.one_pdf)
        self.mode_group.addButton(self.per_member)
        one = QHBoxLayout()
        one.addWidget(self.one_pdf)
        one.addSpacing(8)
        one.addWidget(self.toc)
        one.addStretch(1)
        mode = QVBoxLayout()
        mode.setSpacing(4)
        mode.addLayout(one)
        mode.addWidget(self.per_member)
        form.addRow("方式", mode)

        self.plain = QRadioButton("白纸（印出完整证书）")
        self.plain.setObjectName("paperPlain")
        self.plain.setChecked(True)
        self.preprinted = QRadioButton("套打证书纸（只印文字）")
        self.preprinted.setObjectName("paperPreprinted")
        self.paper_group = QButtonGroup(self)
        self.paper_group.addButton(self.plain)
        self.paper_group.addButton(self.preprinted)
        self.layout_button = QPushButton("套打位置…")
        self.layout_button.setObjectName("layoutButton")
        self.layout_button.setToolTip("调整套打时每项文字在证书纸上的位置，打印校准页")
        self.layout_button.clicked.connect(self.edit_layout)
        paper = QVBoxLayout()
        paper.setSpacing(4)
        paper.addWidget(self.plain)
        preprinted = QHBoxLayout()
        preprinted.addWidget(self.preprinted)
        preprinted.addWidget(self.layout_button)
        preprinted.addStretch(1)
        paper.addLayout(preprinted)
        form.addRow("纸张", paper)

        self.min_stars = QComboBox()
        self.min_stars.setObjectName("minStars")
        for text, value in MIN_STARS:
            self.min_stars.addItem(text, value)
        form.addRow("最低星级", self.min_stars)

        self.mask = QCheckBox("隐藏身份证号和电话")
        self.mask.setObjectName("rosterMask")
        self.mask.setToolTip("身份证号印为 110105********002X，电话印为 138****1234")
        form.addRow("隐私", self.mask)

        self.document_box.currentIndexChanged.connect(lambda _i: self._document_changed())
        self.year_box.currentIndexChanged.connect(lambda _i: self._context_changed())
        self.scope_box.currentIndexChanged.connect(lambda _i: self._context_changed())
        self.picker.changed.connect(self._options_changed)
        for button in (self.one_pdf, self.per_member, self.plain, self.preprinted):
            button.toggled.connect(lambda on: on and self._options_changed())
        self.per_member.toggled.connect(lambda _on: self.toc.setEnabled(self.one_pdf.isChecked()))
        for box in (self.toc, self.mask):
            box.toggled.connect(lambda _on: self._options_changed())
        self.min_stars.currentIndexChanged.connect(lambda _i: self._options_changed())
        return form

    def _build_actions(self) -> dict[str, QAction]:
        actions = {}
        for key, text, shortcut, slot in (
            ("preview", "预览", "", self.preview),  # F5: see event()
            ("save", "保存 PDF…", "Ctrl+S", self.save_pdf),
            ("open", "打开", "", self.open_saved),
            ("print", "打印…", "Ctrl+P", self.print_document),
        ):
            action = QAction(text, self)
            action.setObjectName(f"action_{key}")
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
                action.setToolTip(f"{text}（{shortcut}）")
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, s=slot: s())
            self.addAction(action)
            actions[key] = action
        actions["preview"].setToolTip("预览（F5）")
        actions["open"].setEnabled(False)
        actions["open"].setToolTip("用系统的 PDF 阅读器打开刚保存的文件")
        return actions

    def _button(self, key: str, name: str, primary: bool = False) -> QPushButton:
        action = self.actions_[key]
        button = QPushButton(action.text())
        button.setObjectName(name)
        button.setToolTip(action.toolTip())
        if primary:
            button.setStyleSheet("QPushButton { background: #a31b1b; color: #ffffff; border: 1px solid #7a1010;"
                                 " border-radius: 3px; padding: 6px 14px; }"
                                 "QPushButton:hover { background: #b72222; }"
                                 "QPushButton:disabled { background: #d9a3a3; border-color: #d9a3a3; }")
        button.clicked.connect(action.trigger)
        action.changed.connect(lambda: button.setEnabled(action.isEnabled()))
        button.setEnabled(action.isEnabled())
        return button

    def _build_left(self) -> QWidget:
        holder = QWidget()
        holder.setObjectName("reportOptions")
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 4, 0)
        column.addLayout(self.form)
        column.addStretch(1)  # the rows keep their height; the space is left below them
        scroll = QScrollArea()
        scroll.setObjectName("reportOptionsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(holder)
        scroll.setStyleSheet("QScrollArea, QWidget#reportOptions { background: transparent; }")

        self.preview_button = self._button("preview", "previewButton")
        self.save_button = self._button("save", "saveButton", primary=True)
        self.print_button = self._button("print", "printButton")
        self.open_button = self._button("open", "openButton")
        buttons = QGridLayout()
        buttons.setHorizontalSpacing(8)
        buttons.setVerticalSpacing(8)
        buttons.addWidget(self.preview_button, 0, 0)
        buttons.addWidget(self.print_button, 0, 1)
        buttons.addWidget(self.save_button, 1, 0, 1, 2)
        self.saved_label = QLabel()
        self.saved_label.setObjectName("savedLabel")
        self.saved_label.setWordWrap(True)
        self.saved_label.setStyleSheet("color: #1e7b34;")
        self.saved_label.hide()
        self.open_button.hide()
        saved = QHBoxLayout()
        saved.addWidget(self.saved_label, 1)
        saved.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #e2d6d6;")

        left = QWidget()
        left.setMinimumWidth(270)
        box = QVBoxLayout(left)
        box.setContentsMargins(0, 0, 8, 0)
        box.addWidget(section_title("打印什么"))
        box.addWidget(scroll, 1)
        box.addWidget(line)
        box.addLayout(buttons)
        box.addLayout(saved)
        return left

    # ------------------------------------------------------------ the options

    def document(self) -> str:
        return self.document_box.currentData()

    def set_document(self, key: str) -> None:
        self.document_box.setCurrentIndex(self.document_box.findData(key))

    def _document_changed(self) -> None:
        document = self.document()
        self.hint.setText(HINTS[document])
        for widget, shown in ((self.year_box, document != ROSTER), (self.picker, document == ANNUAL),
                              (self.per_member, document == ANNUAL),
                              (self.plain, document == CERTIFICATES), (self.min_stars, document == CERTIFICATES),
                              (self.mask, document == ROSTER)):
            self.form.setRowVisible(self._row_of(widget), shown)
        if document == CERTIFICATES and self.year_box.currentData() not in self.approved_years and self.approved_years:
            self.year_box.setCurrentIndex(self.year_box.findData(max(self.approved_years)))
        self._options_changed()

    def _row_of(self, widget: QWidget) -> int:
        """The form row holding ``widget`` (directly or in the row's layout)."""
        for row in range(self.form.rowCount()):
            item = self.form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if item is None:
                continue
            if item.widget() is widget:
                return row
            layout = item.layout()
            if layout is not None and _holds(layout, widget):
                return row
        raise LookupError(widget.objectName())

    def row_visible(self, widget: QWidget) -> bool:
        return self.form.isRowVisible(self._row_of(widget))

    def _context_changed(self) -> None:
        self.picker.set_context(self.year_box.currentData() or 0, self.scope_box.currentData())
        self._options_changed()

    def _options_changed(self) -> None:
        self.preview_pane.mark_stale()
        if self._previewed:
            self.preview_timer.start()

    def request(self) -> Request:
        document = self.document()
        org_id = self.scope_box.currentData()
        return Request(
            document=document,
            year=self.year_box.currentData() or date.today().year,
            org_id=org_id,
            scope_name=self.scope_box.currentText().strip() if org_id is not None else "",
            member_ids=self.picker.member_ids() if document == ANNUAL else (),
            per_member=document == ANNUAL and self.per_member.isChecked(),
            toc=document == ANNUAL and self.one_pdf.isChecked() and self.toc.isChecked(),
            paper=PREPRINTED if self.preprinted.isChecked() else PLAIN,
            min_stars=self.min_stars.currentData() if document == CERTIFICATES else None,
            mask=document == ROSTER and self.mask.isChecked(),
        )

    # ------------------------------------------------------------ loading

    def shows(self, changes: Changes) -> bool:
        return changes.evaluation or changes.members or changes.orgs or changes.settings

    def reload(self) -> None:
        with self.database.read() as session:
            years = dict(session.execute(select(EvaluationYear.year, EvaluationYear.approved_on)).all())
            nodes = orgs.list_tree(session)
            self.community = settings.load(session).community_name
        self._fill_years(years)
        self._fill_scope(nodes)
        self.picker.set_context(self.year_box.currentData() or 0, self.scope_box.currentData())
        self._preview_soon()

    def _preview_soon(self) -> None:
        """The preview started from the event loop, once the page has painted (the first show)."""
        self.preview_pane.show_updating()
        if not self._first_preview_due:
            self._first_preview_due = True
            QTimer.singleShot(0, self._due_preview)

    def _due_preview(self) -> None:
        if self._first_preview_due:
            self._first_preview_due = False
            self.preview()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        global _warmed_up
        if not _warmed_up:
            _warmed_up = True
            self.preview_pool.start(warm_up)

    def _fill_years(self, years: dict[int, date | None]) -> None:
        this_year = date.today().year
        self.approved_years = {year for year, approved in years.items() if approved is not None}
        keep = self.year_box.currentData()
        if keep is None:
            keep = max(self.approved_years) if self.document() == CERTIFICATES and self.approved_years else None
        self.year_box.blockSignals(True)
        self.year_box.clear()
        for year in sorted(set(years) | {this_year}, reverse=True):
            if year not in years:
                state = "未开始评定"
            elif years[year] is None:
                state = "评定进行中"
            else:
                state = "已批准"
            self.year_box.addItem(f"{year} 年度（{state}）", year)
        self.year_box.setCurrentIndex(max(self.year_box.findData(keep), 0) if keep is not None else 0)
        self.year_box.blockSignals(False)

    def _fill_scope(self, nodes) -> None:
        keep = self.scope_box.currentData()
        self.scope_box.blockSignals(True)
        self.scope_box.clear()
        self.scope_box.addItem("全部", None)
        for node in nodes:
            self.scope_box.addItem("　" * node.depth + node.name, node.id)
            self.scope_box.setItemData(self.scope_box.count() - 1, node.path, Qt.ItemDataRole.ToolTipRole)
        self.scope_box.setCurrentIndex(max(self.scope_box.findData(keep), 0))
        self.scope_box.blockSignals(False)

    def set_scope(self, org_id: int | None) -> None:
        self.scope_box.setCurrentIndex(self.scope_box.findData(org_id))

    def set_year(self, year: int) -> None:
        self.year_box.setCurrentIndex(self.year_box.findData(year))

    # ------------------------------------------------------------ preview

    def event(self, event: QEvent) -> bool:
        """F5 on this page is 预览. The window's F5 (刷新) would make a page action's F5 ambiguous (then
        neither fires), so the key is claimed here and handled in keyPressEvent."""
        if event.type() == QEvent.Type.ShortcutOverride and _is_f5(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if _is_f5(event):
            self.preview()
            return
        super().keyPressEvent(event)

    def _auto_preview(self) -> None:
        if not self._busy and self.isVisible():
            self.preview()

    def preview(self) -> None:
        """Render the sample in the preview thread; its first pages are shown when they arrive (the
        reason in red when the document is refused), and ``preview_ready`` says which. Meanwhile the
        pages shown stay, faded."""
        self.preview_timer.stop()
        self._first_preview_due = False
        self._previewed = True
        self._latest.generation += 1
        self._waiting = generation = self._latest.generation
        self.preview_pane.show_updating()
        latest = self._latest  # a job still queued sees it is not the newest and returns at once
        job = _PreviewJob(self.database, self.request(), generation, lambda: latest.generation,
                          self._preview_signals)
        self.preview_pool.start(job)

    @property
    def pending(self) -> bool:
        return self.preview_pending

    @property
    def preview_pending(self) -> bool:
        """Whether a preview is being rendered (the newest one asked for has not arrived yet)."""
        return self._waiting is not None or self._first_preview_due

    def _preview_done(self, generation: int, result, error: BaseException | None) -> None:
        if generation != self._latest.generation:
            return  # superseded: the options changed and a newer preview is on its way
        self._waiting = None
        if error is not None:
            if not isinstance(error, (AppError, DatabaseError, OSError)):
                _log.error("preview failed", exc_info=(type(error), error, error.__traceback__))
                error = f"无法生成预览：程序出错（{type(error).__name__}: {error}）。"
            self.preview_pane.show_refusal(str(error))
            self.preview_ready.emit(False)
            return
        request, sample, images = result
        self.preview_pane.show_pages(images, sample.pages, sample.note, sample.warning, sample.total_pages)
        if request != self.request():  # changed while it was rendered: the page's timer brings the new one
            self.preview_pane.mark_stale()
        self.preview_ready.emit(True)

    # ------------------------------------------------------------ saving

    def _folder(self) -> Path:
        stored = ui_settings().value("reports/folder", "")
        if stored and Path(str(stored)).is_dir():
            return Path(str(stored))
        documents_dir = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return Path(documents_dir) if documents_dir and Path(documents_dir).is_dir() else Path.home()

    def _remember_folder(self, folder: Path) -> None:
        store = ui_settings()
        store.setValue("reports/folder", str(folder))
        store.sync()

    def _run(self, title: str, request: Request, work, cancelled_text: str = "已取消，没有写入任何文件。") -> Outcome | None:
        """``work(progress, cancelled)`` in a worker behind a progress dialog saying "已完成 N / M 人";
        None when it failed (said in a message box) or was cancelled before writing anything.

        The progress goes to the dialog through this page rather than through ``run_with_progress``'s own
        callback, which words the line as "（N/M）": a modal QProgressDialog's setValue processes events,
        so a second line set after it would be overwritten by the next count. The counts are passed on
        at most every ``PROGRESS_EVERY_S`` (and the last one): 487 certificates rendered in 0.3 s would
        queue 487 label updates, which the GUI thread then worked through in one go for 300 ms."""
        label = f"正在生成{'' if request.document == ROSTER else f' {request.year} 年度'}{request.title}…"
        counter = _Counter()
        counter.counted.connect(lambda done, total: self._count(label, done, total, request.unit))

        said = [0.0]  # when the last count was passed on

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if done >= total or now - said[0] >= PROGRESS_EVERY_S:
                said[0] = now
                counter.counted.emit(done, total)

        def counted(_progress, cancelled):
            return work(progress, cancelled)

        self.preview_timer.stop()
        self._busy = True
        try:
            return run_with_progress(self, title, label, counted)
        except (AppError, DatabaseError, OSError) as exc:
            if _cancelled_error(exc):
                QMessageBox.information(self, title, cancelled_text)
            else:
                QMessageBox.warning(self, title, f"未能完成：{exc}")
            return None
        except Exception as exc:  # noqa: BLE001 — a broken worker process, a renderer's bug: said, not lost
            _log.exception("%s failed", title)
            QMessageBox.warning(self, title, f"未能完成：程序出错（{type(exc).__name__}: {exc}）。")
            return None
        finally:
            self._busy = False

    def _count(self, label: str, done: int, total: int, unit: str) -> None:
        dialogs = [d for d in self.findChildren(QProgressDialog, "progress_dialog") if not d.wasCanceled()]
        if not dialogs or total <= 0:
            return
        dialog = dialogs[-1]
        dialog.setLabelText(f"{label}\n已完成 {min(done, total)} / {total} {unit}")
        dialog.setMaximum(total)
        dialog.setValue(min(done, total))

    def save_pdf(self, path: str | None = None) -> Path | None:
        """保存 PDF: the whole document to a file the user names (a folder for one file a member)."""
        request = self.request()
        if request.per_member:
            return self.save_per_member(path)
        if path is None:
            suggested = self._folder() / documents.default_file_name(self.community, request)
            path, _ = QFileDialog.getSaveFileName(self, "保存 PDF", str(suggested), "PDF 文件 (*.pdf)")
            if not path:
                return None
        out = Path(path)
        if out.suffix.lower() != ".pdf":
            out = out.with_name(out.name + ".pdf")
        database = self.database
        outcome = self._run("保存 PDF", request,
                            lambda progress, cancelled: documents.render_document(database, request, out, progress,
                                                                                  cancelled))
        if outcome is None:
            return None
        self._remember_folder(out.parent)
        self._saved(out, f"已保存：{out.name}（{outcome.pages} 页）")
        if outcome.warning:
            QMessageBox.information(self, "保存 PDF", outcome.warning)
        return out

    def save_per_member(self, folder: str | None = None) -> Path | None:
        request = self.request()
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "选择保存年度档案的文件夹", str(self._folder()))
            if not folder:
                return None
        target = Path(folder)
        database = self.database
        outcome = self._run("保存 PDF", request,
                            lambda progress, cancelled: documents.render_per_member(
                                database, request, target, progress, cancelled, workers=2))
        if outcome is None:
            return None
        self._remember_folder(target)
        if outcome.cancelled:
            self._report_cancelled(target, outcome)
            if not outcome.files:
                return None
        self._saved(target, f"已保存 {len(outcome.files)} 份年度档案到文件夹“{target.name}”")
        return target

    def _report_cancelled(self, folder: Path, outcome: Outcome) -> None:
        if not outcome.files:
            QMessageBox.information(self, "保存 PDF", "已取消，没有写入任何文件。")
            return
        names = [f"· {path.name}" for path in outcome.files[:SHOWN_FILES]]
        if len(outcome.files) > SHOWN_FILES:
            names.append(f"……另有 {len(outcome.files) - SHOWN_FILES} 份")
        QMessageBox.information(
            self, "保存 PDF",
            f"已取消。共 {outcome.total} 人，已完成的 {len(outcome.files)} 份保存在 {folder}：\n\n" + "\n".join(names))

    def _saved(self, path: Path, text: str) -> None:
        self.last_saved = path
        self.saved_label.setText(text)
        self.saved_label.setToolTip(str(path))
        self.saved_label.show()
        self.open_button.show()
        self.actions_["open"].setEnabled(True)
        self.window_.statusBar().showMessage(f"{text}　{path}", 10000)

    def open_saved(self) -> None:
        if self.last_saved is None:
            return
        if not self.last_saved.exists():
            QMessageBox.warning(self, "打开", f"找不到“{self.last_saved}”，它可能已被移动或删除。")
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_saved)))

    # ------------------------------------------------------------ printing

    def print_document(self) -> int | None:
        """打印: render the whole document (one PDF), choose the printer, send it at 100 %. The pages sent."""
        request = replace(self.request(), per_member=False)
        database = self.database
        with tempfile.TemporaryDirectory(prefix="dangjian-print-") as folder:
            out = Path(folder) / "打印.pdf"
            outcome = self._run("打印", request,
                                lambda progress, cancelled: documents.render_document(database, request, out,
                                                                                      progress, cancelled),
                                "已取消，没有打印。")
            if outcome is None:
                return None
            if self.printer is None:
                self.printer = print_job.new_printer()
            self.printer.setDocName(out.name)
            if not print_job.choose_printer(self, self.printer, f"打印{request.title}"):
                return None
            try:
                sent, total, cancelled = print_job.send(self, out, self.printer)
            except (AppError, OSError) as exc:
                QMessageBox.warning(self, "打印", f"打印未完成：{exc}")
                return None
        where = print_job.describe(self.printer)
        text = (f"已取消打印：已发送 {sent} / {total} 页到{where}" if cancelled
                else f"已发送 {sent} 页到{where}")
        self.window_.statusBar().showMessage(text, 10000)
        return sent

    # ------------------------------------------------------------ certificate layout

    def edit_layout(self) -> None:
        from ui.reports.layout_dialog import open_layout_dialog

        if self.printer is None:
            self.printer = print_job.new_printer()
        changes = open_layout_dialog(self, self.database, self.printer)
        if changes is not None and changes.any:
            self.changed.emit(changes)
            self._options_changed()

    # ------------------------------------------------------------ state

    def save_state(self) -> None:
        store = ui_settings()
        store.setValue("reports/splitter", self.splitter.saveState())
        store.sync()


def _is_f5(event) -> bool:
    return event.key() == Qt.Key.Key_F5 and event.modifiers() == Qt.KeyboardModifier.NoModifier


def _holds(layout, widget: QWidget) -> bool:
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item.widget() is widget:
            return True
        if item.layout() is not None and _holds(item.layout(), widget):
            return True
    return False
