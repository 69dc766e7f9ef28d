"""工作台: figures of the community and what needs attention.

The page is the first one shown, so it must paint at once: the 党费 arrears lines (about a second at
district scale) are computed afterwards in a QThreadPool job with its own session, a grey line saying so in
the meantime, and merged into the list in their place when they arrive. A reload meanwhile makes that
result stale (each reload has its generation); one computed on another database (a restore) is ignored.
"""

from __future__ import annotations

import sys
import threading
import traceback
from dataclasses import dataclass, field
from datetime import date

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app import workbench
from app.changes import Changes
from app.errors import AppError, DatabaseError
from ui.common import page_title, section_title
from ui.page import Page

LEVEL_COLOURS = {0: QColor("#c0392b"), 1: QColor("#b9770e"), 2: QColor("#555555")}
LEVEL_MARKS = {0: "●", 1: "●", 2: "○"}
NOTE_COLOUR = QColor("#888888")
DUES_PENDING = "正在核算党费欠缴情况…"
DUES_FAILED = "党费欠缴情况暂时无法核算：{}"
NOTHING = "目前没有需要关注的事项。"
# Where a line goes while its own area has no page yet: 年度记实 is written from the ledger (Ctrl+R),
# a branch's meetings belong to the branch, dues to the member.
FALLBACK_PAGES = {"evaluation": "members", "meetings": "orgs", "dues": "members"}


class FigureCard(QFrame):
    def __init__(self, label: str, value: str, name: str) -> None:
        super().__init__()
        self.setObjectName("figureCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        self.value = QLabel(value)
        self.value.setObjectName("figureValue")
        self.value.setProperty("figure", name)
        caption = QLabel(label)
        caption.setObjectName("figureLabel")
        layout.addWidget(self.value)
        layout.addWidget(caption)


@dataclass(eq=False)
class _DuesRun:
    """One computation of the 党费 lines: for which reload, on which database."""

    generation: int
    database: object
    today: date
    context: workbench.DuesContext
    done: threading.Event = field(default_factory=threading.Event)  # set once its session is closed
    signals: QObject | None = None  # kept here, released on the GUI thread


class _DuesSignals(QObject):
    finished = Signal(object, object, object)  # (_DuesRun, lines or None, exception or None)


class _DuesJob(QRunnable):
    def __init__(self, run: _DuesRun) -> None:
        super().__init__()
        self.run_ = run
        self.signals = run.signals = _DuesSignals()  # no parent: it outlives a page closed meanwhile

    def run(self) -> None:
        try:
            try:
                with self.run_.database.read() as session:  # its own session: never the GUI's
                    # Its connection is closed afterwards, not pooled: one still checked out when the GUI
                    # closes the database (a restore) would otherwise stay open, and keep the file busy.
                    session.connection().detach()
                    lines = workbench.dues_lines(session, self.run_.today, self.run_.context)
            except Exception as exc:  # shown on the page instead of the lines
                self.signals.finished.emit(self.run_, None, exc)
            else:
                self.signals.finished.emit(self.run_, lines, None)
        finally:
            self.run_.done.set()


class WorkbenchPage(Page):
    area = "workbench"
    nav_title = "工作台"
    dues_ready = Signal()  # the 党费 lines of the latest reload are in the list (or their failure is)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.entries: list[workbench.Attention] = []  # the lines listed, in order
        self._generation = 0  # of the latest reload
        self._dues_pending = False
        self._note: QListWidgetItem | None = None  # the grey "正在核算…" line
        self._running: _DuesRun | None = None  # one job at a time …
        self._queued: _DuesRun | None = None  # … and the latest reload's waits for it
        app = QCoreApplication.instance()
        if app is not None:  # no job may outlive the program (nor its database's closing)
            app.aboutToQuit.connect(self.wait_for_dues)
        # The figures scroll instead of forcing the window wider than a small screen.
        content = QWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }")
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
        self.title = page_title("工作台")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("workbenchSubtitle")
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        quick = QHBoxLayout()
        self.quick_buttons: dict[str, QPushButton] = {}
        for key, text, tip, slot in (
            ("meeting", "组织生活登记…", "登记一次会议或活动及参加人员", self.record_meeting),
            ("dues", "党费登记…", "登记党员交纳的党费", self.record_dues),
        ):
            button = QPushButton(text)
            button.setObjectName(f"quick_{key}")
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, s=slot: s())
            quick.addWidget(button)
            self.quick_buttons[key] = button
        quick.addStretch(1)
        layout.addLayout(quick)
        layout.addWidget(section_title("党组织"))
        self.cards = self._card_row(layout)
        layout.addWidget(section_title("党员"))
        self.member_cards = self._card_row(layout)
        layout.addWidget(section_title("需要关注"))
        self.attention = QListWidget()
        self.attention.setObjectName("attention")
        self.attention.setAlternatingRowColors(True)
        self.attention.setWordWrap(True)  # a branch's line can be longer than the page is wide
        self.attention.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.attention.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.attention.itemActivated.connect(self._open_item)
        layout.addWidget(self.attention, 1)
        hint = QLabel("双击或按回车打开相关页面。")
        hint.setStyleSheet("color: #777777;")
        layout.addWidget(hint)
        QShortcut(QKeySequence("Ctrl+L"), self, activated=self.attention.setFocus)

    @staticmethod
    def _card_row(layout: QVBoxLayout) -> QGridLayout:
        cards = QGridLayout()
        cards.setHorizontalSpacing(12)
        row = QHBoxLayout()
        row.addLayout(cards)
        row.addStretch(1)
        layout.addLayout(row)
        return cards

    @staticmethod
    def _fill_cards(cards: QGridLayout, figures: list[tuple[str, str, str]]) -> None:
        while cards.count():
            item = cards.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for column, (label, value, name) in enumerate(figures):
            cards.addWidget(FigureCard(label, value, name), 0, column)

    def shows(self, changes: Changes) -> bool:
        return changes.orgs or changes.settings or changes.members or changes.floating or changes.meetings \
            or changes.dues or changes.evaluation

    def reload(self) -> None:
        today = date.today()
        with self.database.read() as session:
            data = workbench.summary(session, today, dues=False)
        self.title.setText(f"工作台 · {data.community_name}" if data.community_name else "工作台")
        self.subtitle.setText(data.committee_name)
        self._fill_cards(self.cards, [("党组织总数", str(data.total_orgs), "total")] + [
            (kind, str(n), kind) for kind, n in data.org_counts.items()
        ])
        self._fill_cards(self.member_cards, [(label, str(n), label) for label, n in data.member_figures.items()])
        for button in self.quick_buttons.values():
            button.setEnabled(not self.database.readonly)
        self._generation += 1
        self.entries = list(data.attention)
        self.attention.clear()
        for entry in self.entries:
            self.attention.addItem(self._item(entry))
        self._note = self._note_item(DUES_PENDING, NOTE_COLOUR)
        self.attention.addItem(self._note)
        self._dues_pending = True
        self._start(_DuesRun(self._generation, self.database, today, data.dues))

    @staticmethod
    def _item(entry: workbench.Attention) -> QListWidgetItem:
        item = QListWidgetItem(f"{LEVEL_MARKS[entry.level]}  {entry.text}")
        item.setForeground(LEVEL_COLOURS[entry.level])
        item.setToolTip(entry.text)
        item.setData(Qt.ItemDataRole.UserRole, (entry.area, entry.org_id, entry.member_id, entry.category, entry.year))
        return item

    @staticmethod
    def _note_item(text: str, colour: QColor | None = None) -> QListWidgetItem:
        """A line that is not a matter to open: the wait for the 党费 lines, their failure, or nothing to do."""
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        if colour is not None:
            item.setForeground(colour)
            item.setToolTip(text)
        return item

    # ------------------------------------------------------------ the 党费 lines, off the GUI thread

    @property
    def pending(self) -> bool:
        return self.dues_pending

    @property
    def dues_pending(self) -> bool:
        """Whether the latest reload's 党费 lines are still being computed."""
        return self._dues_pending

    def _start(self, run: _DuesRun) -> None:
        if self._running is not None:  # a reload's computation still going: this one follows it
            self._queued = run
            return
        self._running = run
        job = _DuesJob(run)
        job.signals.finished.connect(self._dues_arrived)
        QThreadPool.globalInstance().start(job)

    def _dues_arrived(self, run: _DuesRun, lines: list[workbench.Attention] | None,
                      error: Exception | None) -> None:
        if run is self._running:
            self._running = None
            queued, self._queued = self._queued, None
            if queued is not None and queued.database is self.database:
                self._start(queued)
            elif queued is not None and queued.generation == self._generation:
                self._finish_dues(None)  # another database since (a restore): the page reloads when shown
        if run.generation != self._generation or not self._dues_pending:
            return  # a reload since: its own computation fills the list
        if run.database is not self.database:  # the same
            self._finish_dues(None)
            return
        if error is not None:
            if not isinstance(error, AppError | DatabaseError):
                traceback.print_exception(error, file=sys.stderr)
            reason = str(error) or type(error).__name__
            self._finish_dues(self._note_item(DUES_FAILED.format(reason), LEVEL_COLOURS[1]))
            return
        merged = workbench.with_dues(self.entries, lines or [])
        shown = 0  # rows of self.entries passed: merged is them with the new lines among them
        for row, entry in enumerate(merged):
            if shown < len(self.entries) and entry is self.entries[shown]:
                shown += 1
            else:
                self.attention.insertItem(row, self._item(entry))  # the selection stays on its line
        self.entries = merged
        self._finish_dues(self._note_item(NOTHING) if not merged else None)

    def _finish_dues(self, note: QListWidgetItem | None) -> None:
        """The placeholder gives way to ``note`` (or to nothing); the lines are complete."""
        if self._note is not None:
            self.attention.takeItem(self.attention.row(self._note))
        self._note = note
        if note is not None:
            self.attention.addItem(note)
        self._dues_pending = False
        self.dues_ready.emit()

    def wait_for_dues(self, timeout_ms: int = 10_000) -> bool:
        """Block until no computation of the 党费 lines uses the database (before closing or replacing it);
        False if one still does after ``timeout_ms``. Their result still arrives through the event loop."""
        run = self._running
        return run is None or run.done.wait(timeout_ms / 1000)

    def record_meeting(self) -> None:
        from ui.meetings.dialog import open_meeting_dialog

        changes = open_meeting_dialog(self, self.database)
        if changes is not None:
            self.changed.emit(changes)
            self.reload()

    def record_dues(self) -> None:
        from ui.dues.dialog import open_dues_dialog

        changes = open_dues_dialog(self, self.database)
        if changes is not None:
            self.changed.emit(changes)
            self.reload()

    def _open_item(self, item: QListWidgetItem) -> None:
        target = item.data(Qt.ItemDataRole.UserRole)
        if not target:
            return
        area, org_id, member_id, category, year = target
        pages = self.window_.pages
        if area == "evaluation" and area in pages:
            self.window_.show_page(area)
            page = pages[area]
            if year is not None and hasattr(page, "show_year"):
                page.show_year(year)
            if org_id is not None and hasattr(page, "select_org"):
                page.select_org(org_id)
            return
        if area not in pages:
            area = FALLBACK_PAGES.get(area, area)
        self.window_.show_page(area)
        if category and area == "members":
            pages["members"].category.setCurrentText(category)
        if org_id is not None and area == "orgs":
            pages["orgs"].select_org(org_id)
        if area == "members" and (org_id is not None or member_id is not None):
            self._show_in_ledger(pages["members"], org_id, member_id)
        if member_id is not None and area == "floating":
            pages["floating"].select_member(member_id)

    @staticmethod
    def _show_in_ledger(page, org_id: int | None, member_id: int | None) -> None:
        """The ledger filtered on a branch, or showing one member (the filter widened when it hides them)."""
        if org_id is not None:
            index = page.org_model.index_of(org_id)
            if index.isValid():
                page.org_view.setCurrentIndex(index)
        if member_id is not None and not page.select_member(member_id):
            page.org_view.setCurrentIndex(page.org_model.index(0, 0))  # the top organisation: everyone
            page.select_member(member_id)
