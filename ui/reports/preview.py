"""The preview of the 档案打印 page: the first pages as images on a grey desk, scaled to the width
available, with a line saying how many pages the sample has and what part of the document it is — or,
instead of pages, the reason the document cannot be printed.

The page renders the preview in a thread; meanwhile (``show_updating``) the pages shown stay, faded, under
a "正在更新预览…" badge, or "正在生成预览…" stands where the pages will be."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGraphicsOpacityEffect,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

RENDER_WIDTH = 1000  # px the pages are rendered at; shown scaled down to the pane
MAX_SHOWN_WIDTH = 900  # px a page is shown at most
MIN_SHOWN_WIDTH = 160
WHOLE_PAGE, PAGE_WIDTH = "page", "width"  # zoom: each page whole in the pane, or as wide as the pane
DESK = "#e7e3df"
RED = "#c0392b"
UPDATING = "正在更新预览…"  # over the old pages while the new ones are made
MAKING = "正在生成预览…"  # where the pages will be, when there are none yet
FADED = 0.35  # the old pages' opacity while they are being replaced


def _muted(label: QLabel) -> QLabel:
    label.setStyleSheet("color: #666666;")
    label.setWordWrap(True)
    return label


class PreviewPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.images: list[QImage] = []
        self.info = QLabel()
        self.info.setObjectName("previewInfo")
        self.info.setWordWrap(True)
        self.note = _muted(QLabel())
        self.note.setObjectName("previewNote")
        self.warning = QLabel()
        self.warning.setObjectName("previewWarning")
        self.warning.setStyleSheet("color: #a15c00;")
        self.warning.setWordWrap(True)
        self.stale = QLabel("选项已更改，预览还是之前的：按 F5 或“预览”更新。")
        self.stale.setObjectName("previewStale")
        self.stale.setStyleSheet("color: #a15c00;")
        self.stale.setWordWrap(True)

        self.message = QLabel()
        self.message.setObjectName("previewMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sheets = QWidget()
        self.sheets.setObjectName("previewSheets")
        self.sheets.setStyleSheet(f"QWidget#previewSheets {{ background: {DESK}; }}")
        self.sheet_layout = QVBoxLayout(self.sheets)
        self.sheet_layout.setContentsMargins(18, 18, 18, 18)
        self.sheet_layout.setSpacing(18)
        self.sheet_layout.addWidget(self.message)
        self.sheet_layout.addStretch(1)
        self.area = QScrollArea()
        self.area.setObjectName("previewArea")
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.StyledPanel)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.area.setWidget(self.sheets)
        self.area.viewport().installEventFilter(self)
        self.area.setMinimumWidth(200)
        # the old pages and the lines about them, faded while they are being replaced
        self.fades = []
        for widget in (self.sheets, self.info, self.note, self.warning):
            effect = QGraphicsOpacityEffect(widget)
            effect.setOpacity(FADED)
            effect.setEnabled(False)
            widget.setGraphicsEffect(effect)
            self.fades.append(effect)
        self.fade = self.fades[0]
        self.badge = QLabel(UPDATING, self.area)  # floats over the pages, not scrolled with them
        self.badge.setObjectName("previewUpdating")
        self.badge.setStyleSheet("QLabel#previewUpdating { background: #ffffff; color: #444444; font-size: 14px;"
                                 " border: 1px solid #cfc8c2; border-radius: 14px; padding: 6px 18px; }")
        self.badge.hide()
        self.updating = False

        self.zoom = QComboBox()
        self.zoom.setObjectName("previewZoom")
        self.zoom.addItem("整页", WHOLE_PAGE)
        self.zoom.addItem("页宽", PAGE_WIDTH)
        self.zoom.setToolTip("整页：每页完整显示；页宽：页面与预览区同宽，便于看清文字")
        self.zoom.currentIndexChanged.connect(lambda _i: self._scale())
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.info, 1)
        head.addWidget(self.zoom)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.note)
        layout.addWidget(self.warning)
        layout.addWidget(self.stale)
        layout.addWidget(self.area, 1)
        self.show_hint("按 F5 或“预览”查看前几页。")

    # ------------------------------------------------------------ what is shown

    def page_labels(self) -> list[QLabel]:
        return self.sheets.findChildren(QLabel, "previewPage")

    def _clear(self) -> None:
        self.sheets.setMinimumHeight(0)
        for label in self.page_labels():
            self.sheet_layout.removeWidget(label)
            label.deleteLater()
            label.setParent(None)
        self.images = []
        self.info.clear()
        self.note.clear()
        self.warning.clear()
        self.warning.hide()
        self.stale.hide()
        self._updated()

    def _updated(self) -> None:
        """The updating state over: the pages at full strength, no badge, the normal cursor."""
        self.updating = False
        for effect in self.fades:
            effect.setEnabled(False)
        self.badge.hide()
        self.area.viewport().unsetCursor()

    def _say(self, text: str, colour: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {colour}; font-size: 14px; padding: 40px 12px;")
        self.message.show()

    def show_hint(self, text: str) -> None:
        self._clear()
        self.info.setText("预览")
        self._say(text, "#666666")

    def show_refusal(self, reason: str) -> None:
        """The reason the document cannot be printed, in red where the pages would be."""
        self._clear()
        self.info.setText("无法生成预览")
        self._say(reason, RED)

    def show_pages(self, images: Sequence[QImage], pages: int, note: str, warning: str = "",
                   total_pages: int | None = None) -> None:
        """The sample's first pages; ``pages`` is the sample's page count, ``total_pages`` the whole
        document's when known."""
        self._clear()
        self.message.hide()
        self.images = list(images)
        shown = len(self.images)
        count = f"共 {total_pages} 页" if total_pages is not None else f"样张共 {pages} 页"
        self.info.setText(f"{count}（预览前 {shown} 页）" if max(pages, total_pages or 0) > shown else count)
        self.note.setText(note)
        self.warning.setText(warning)
        self.warning.setVisible(bool(warning))
        for index, _image in enumerate(self.images):
            label = QLabel()
            label.setObjectName("previewPage")
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            label.setStyleSheet("background: #ffffff; border: 1px solid #cfc8c2;")
            label.setToolTip(f"第 {index + 1} 页")
            self.sheet_layout.insertWidget(self.sheet_layout.count() - 1, label, 0, Qt.AlignmentFlag.AlignHCenter)
        self._scale()

    def mark_stale(self, stale: bool = True) -> None:
        self.stale.setVisible(stale and bool(self.images))

    def show_updating(self) -> None:
        """A new preview is on its way: the pages shown stay, faded, under a badge saying so (or, with no
        pages, "正在生成预览…" where they will be) until ``show_pages`` or ``show_refusal``."""
        self.updating = True
        self.stale.hide()
        self.area.viewport().setCursor(Qt.CursorShape.BusyCursor)
        if self.images:
            for effect in self.fades:
                effect.setEnabled(True)
            self.badge.show()
            self.badge.raise_()
            self._place_badge()
        else:
            self.info.setText("预览")
            self._say(MAKING, "#666666")

    def _place_badge(self) -> None:
        viewport = self.area.viewport()
        self.badge.adjustSize()
        self.badge.move(viewport.x() + max((viewport.width() - self.badge.width()) // 2, 0), viewport.y() + 24)

    # ------------------------------------------------------------ scaling to the pane

    def _scale(self) -> None:
        if not self.images:
            return
        margins = self.sheet_layout.contentsMargins()
        room_w = self.area.viewport().width() - margins.left() - margins.right() - 2
        room_h = self.area.viewport().height() - margins.top() - margins.bottom() - 2
        ratio = self.devicePixelRatioF()
        for label, image in zip(self.page_labels(), self.images, strict=False):
            width = min(room_w, MAX_SHOWN_WIDTH)
            if self.zoom.currentData() == WHOLE_PAGE:
                width = min(width, int(room_h * image.width() / max(image.height(), 1)))
            width = max(MIN_SHOWN_WIDTH, width)
            pixmap = QPixmap.fromImage(image.scaledToWidth(int(width * ratio),
                                                           Qt.TransformationMode.SmoothTransformation))
            pixmap.setDevicePixelRatio(ratio)
            label.setPixmap(pixmap)
            label.setFixedSize(int(pixmap.width() / ratio) + 2, int(pixmap.height() / ratio) + 2)
        # the scroll area does not always hear that its widget grew: say how tall the pages are
        labels = self.page_labels()
        self.sheets.setMinimumHeight(sum(label.height() for label in labels) + margins.top() + margins.bottom()
                                     + self.sheet_layout.spacing() * max(len(labels) - 1, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if watched is self.area.viewport() and event.type() == QEvent.Type.Resize:
            self._scale()
            if self.badge.isVisible():
                self._place_badge()
        return super().eventFilter(watched, event)
