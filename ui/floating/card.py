"""The member card (档案卡): who someone is, where they are now, and their timeline, newest first.

For a ledger member or an inflow member; ``show_card(database, kind, id, parent)`` opens it from a
tab's ``card_requested(kind, id)``.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app import floating_services
from app.floating_services import (
    ARRIVED,
    BACK,
    CONTACT,
    DUES,
    INFLOW,
    LEFT,
    LOST,
    MEETING,
    MEMBER,
    OUT,
    SERVICE,
    TimelineEntry,
)

EntryRole = Qt.ItemDataRole.UserRole + 1
KIND_COLOURS = {
    OUT: "#d35400", BACK: "#27ae60", CONTACT: "#2471a3", SERVICE: "#7d3c98", MEETING: "#a31b1b",
    DUES: "#b7950b", LOST: "#5d6d7e", ARRIVED: "#138d75", LEFT: "#7f8c8d",
}
ALERT = QColor("#c0392b")
_PAD = 6
_DATE_WIDTH = 92
_CHIP_WIDTH = 72
_TEXT_LEFT = _DATE_WIDTH + _CHIP_WIDTH + 10  # title and detail start here


class TimelineDelegate(QStyledItemDelegate):
    """One entry per row: the date, a coloured chip with the kind, the title; the detail below it in grey,
    wrapped to the width (at most MAX_DETAIL_LINES lines; the tooltip has it all)."""

    MAX_DETAIL_LINES = 6

    def _detail_height(self, metrics: QFontMetrics, detail: str, width: int) -> int:
        flags = int(Qt.TextFlag.TextWordWrap)
        height = metrics.boundingRect(QRect(0, 0, max(width, 80), 100000), flags, detail).height()
        return min(height, metrics.lineSpacing() * self.MAX_DETAIL_LINES)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        entry: TimelineEntry | None = index.data(EntryRole)
        metrics = QFontMetrics(option.font)
        height = metrics.height() + 2 * _PAD
        if entry is not None and entry.detail:
            view = self.parent()
            width = view.viewport().width() if isinstance(view, QListWidget) else option.rect.width()
            height += 3 + self._detail_height(metrics, _flat(entry.detail), width - _TEXT_LEFT - 2 * _PAD)
        return QSize(400, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        entry: TimelineEntry | None = index.data(EntryRole)
        if entry is None:
            super().paint(painter, option, index)
            return
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(option.rect, option.palette.brush(QPalette.ColorRole.Highlight))
        text_colour = option.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        metrics = QFontMetrics(option.font)
        line = metrics.height()
        rect = option.rect.adjusted(_PAD, _PAD, -_PAD, -_PAD)
        top = QRect(rect.left(), rect.top(), rect.width(), line)

        painter.setFont(option.font)
        painter.setPen(text_colour if selected else QColor("#555555"))
        painter.drawText(QRect(rect.left(), top.top(), _DATE_WIDTH, line),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), f"{entry.day:%Y-%m-%d}")

        chip = QRect(rect.left() + _DATE_WIDTH, top.top(), _CHIP_WIDTH, line)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(KIND_COLOURS.get(entry.kind, "#7f8c8d")))
        painter.drawRoundedRect(chip, 4, 4)
        chip_font = QFont(option.font)
        chip_font.setPointSizeF(max(option.font.pointSizeF() * 0.9, 7.0))
        painter.setFont(chip_font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(chip, int(Qt.AlignmentFlag.AlignCenter), entry.kind)

        text_left = rect.left() + _TEXT_LEFT
        title_rect = QRect(text_left, top.top(), rect.right() - text_left, line)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(ALERT if entry.alert and not selected else text_colour)
        painter.drawText(title_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         QFontMetrics(bold).elidedText(entry.title, Qt.TextElideMode.ElideRight, title_rect.width()))
        if entry.detail:
            detail = _flat(entry.detail)
            width = rect.right() - text_left
            detail_rect = QRect(text_left, top.bottom() + 3, width, self._detail_height(metrics, detail, width))
            painter.setFont(option.font)
            painter.setPen(text_colour if selected else QColor("#707070"))
            painter.setClipRect(detail_rect)
            painter.drawText(detail_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                             | int(Qt.TextFlag.TextWordWrap), detail)
            painter.setClipping(False)
        painter.setPen(QColor("#eeeeee"))
        painter.drawLine(option.rect.bottomLeft(), option.rect.bottomRight())
        painter.restore()


def _flat(text: str) -> str:
    return " ".join(text.split())


class MemberCard(QDialog):
    """档案卡 of a member or an inflow member: the header, then the timeline with a kind filter."""

    def __init__(self, database, kind: str, person_id: int, parent: QWidget | None = None, *,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("member_card")
        self.resize(720, 620)
        ids = {"member_id": person_id} if kind == MEMBER else {"inflow_id": person_id}
        if kind not in (MEMBER, INFLOW):
            raise ValueError(f"unknown person kind {kind!r}")
        with database.read() as session:
            self.header = floating_services.person_card(session, today=today, **ids)
            self.entries = floating_services.timeline(session, today=today, **ids)
        self.setWindowTitle(f"档案卡 — {self.header.name}")

        self.name = QLabel(self.header.name)
        self.name.setObjectName("cardName")
        self.name.setStyleSheet("font-size: 20px; font-weight: bold; color: #7a1010;")
        badge = QLabel(self.header.person_type)
        badge.setObjectName("cardType")
        colour = "#a31b1b" if kind == MEMBER else "#138d75"
        badge.setStyleSheet(f"color: #ffffff; background: {colour}; padding: 2px 8px; border-radius: 3px;")
        self.organisation = QLabel(self.header.organisation)
        self.organisation.setObjectName("cardOrg")
        self.organisation.setStyleSheet("color: #555555;")
        self.organisation.setWordWrap(True)
        title_row = QHBoxLayout()
        title_row.addWidget(self.name)
        title_row.addWidget(badge)
        title_row.addSpacing(12)
        title_row.addWidget(self.organisation, 1)
        self.lines = QLabel("\n".join(self.header.lines))
        self.lines.setObjectName("cardLines")
        self.lines.setWordWrap(True)
        self.lines.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel(self.header.status)
        self.status.setObjectName("cardStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("background: #fbf3e4; border: 1px solid #efd9b4; border-radius: 4px; padding: 6px;")

        self.kind_filter = QComboBox()
        self.kind_filter.setObjectName("timelineKind")
        self.kind_filter.addItem("全部", None)
        for shown in dict.fromkeys(e.kind for e in self.entries):
            self.kind_filter.addItem(shown, shown)
        self.kind_filter.currentIndexChanged.connect(lambda _i: self._fill())
        self.count = QLabel()
        self.count.setObjectName("timelineCount")
        timeline_row = QHBoxLayout()
        heading = QLabel("记实")
        heading.setObjectName("sectionTitle")
        timeline_row.addWidget(heading)
        timeline_row.addStretch(1)
        timeline_row.addWidget(self.count)
        timeline_row.addWidget(self.kind_filter)
        self.timeline = QListWidget()
        self.timeline.setObjectName("timeline")
        self.timeline.setItemDelegate(TimelineDelegate(self.timeline))
        self.timeline.setUniformItemSizes(False)
        self.timeline.setResizeMode(QListView.ResizeMode.Adjust)  # detail lines rewrap to the width
        self.timeline.setMouseTracking(True)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setObjectName("closeCard")
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(title_row)
        layout.addWidget(self.lines)
        layout.addWidget(self.status)
        layout.addLayout(timeline_row)
        layout.addWidget(self.timeline, 1)
        layout.addWidget(self.buttons)
        self._fill()

    def shown_entries(self) -> list[TimelineEntry]:
        kind = self.kind_filter.currentData()
        return [e for e in self.entries if kind is None or e.kind == kind]

    def _fill(self) -> None:
        self.timeline.clear()
        shown = self.shown_entries()
        for entry in shown:
            item = QListWidgetItem(f"{entry.day:%Y-%m-%d} {entry.kind} {entry.title}")
            item.setData(EntryRole, entry)
            item.setToolTip("\n".join(p for p in (entry.title, entry.detail) if p))
            self.timeline.addItem(item)
        if not self.entries:
            self.timeline.addItem(QListWidgetItem("尚无记录"))
        self.count.setText(f"共 {len(shown)} 条")


def show_card(database, kind: str, person_id: int, parent: QWidget | None = None) -> None:
    """Open the card for ``card_requested(kind, id)`` and wait until it is closed."""
    MemberCard(database, kind, person_id, parent).exec()

