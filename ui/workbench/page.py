"""工作台: figures of the community and what needs attention."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
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
from ui.common import page_title, section_title
from ui.page import Page

LEVEL_COLOURS = {0: QColor("#c0392b"), 1: QColor("#b9770e"), 2: QColor("#555555")}
LEVEL_MARKS = {0: "●", 1: "●", 2: "○"}
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


class WorkbenchPage(Page):
    area = "workbench"
    nav_title = "工作台"

    def __init__(self, window) -> None:
        super().__init__(window)
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
        with self.database.read() as session:
            data = workbench.summary(session, date.today())
        self.title.setText(f"工作台 · {data.community_name}" if data.community_name else "工作台")
        self.subtitle.setText(data.committee_name)
        self._fill_cards(self.cards, [("党组织总数", str(data.total_orgs), "total")] + [
            (kind, str(n), kind) for kind, n in data.org_counts.items()
        ])
        self._fill_cards(self.member_cards, [(label, str(n), label) for label, n in data.member_figures.items()])
        for button in self.quick_buttons.values():
            button.setEnabled(not self.database.readonly)
        self.attention.clear()
        for entry in data.attention:
            item = QListWidgetItem(f"{LEVEL_MARKS[entry.level]}  {entry.text}")
            item.setForeground(LEVEL_COLOURS[entry.level])
            item.setToolTip(entry.text)
            item.setData(Qt.ItemDataRole.UserRole,
                         (entry.area, entry.org_id, entry.member_id, entry.category, entry.year))
            self.attention.addItem(item)
        if not data.attention:
            item = QListWidgetItem("目前没有需要关注的事项。")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.attention.addItem(item)

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
