"""套打位置: where each field of a star certificate prints on pre-printed certificate paper.

The paper's size, an offset for every field at once (a printer that feeds a little low), and for each
field (姓名, 年度, 星级, 证书编号, 落款, 日期) its box's left end, the baseline, the box's width, the font
size and the alignment — in millimetres from the paper's left and top edges, as a ruler measures them
(``app.reports.certificate_layout``). Checked as the user types (``validate_layout``: the message under
the table, 保存 disabled); a calibration sheet of the layout being edited is shown beside the numbers,
and can be saved or printed on plain paper to hold against the certificate paper.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.errors import AppError, DatabaseError
from app.reports.certificate_layout import (
    ALIGNMENTS,
    DATE_STYLES,
    FIELD_LABELS,
    FIELDS,
    STARS_STYLES,
    CertificateLayout,
    FieldPosition,
    load_layout,
    save_layout,
    validate_layout,
)
from ui.common import camel, section_title
from ui.page import run_action
from ui.reports import print_job

HOW_TO = "先用白纸打印校准页，叠在证书纸上对光检查，再按偏差调整（单位：毫米）。"
MEASURED = ("位置都从纸张的左边和上边量起：“左端”是文字框的左端，“底线”是文字底部所在的横线"
            "（证书纸上的下划线），文字在框内按对齐方式排列，放不下时自动缩小。")
COLUMNS = (("x", "左端"), ("y", "底线"), ("width", "宽度"), ("size", "字号（磅）"), ("align", "对齐"))
PREVIEW_WIDTH = 520
ERROR_STYLE = "color: #c0392b;"


def _spin(name: str, low: float, high: float, suffix: str = "", step: float = 0.5) -> QDoubleSpinBox:
    """A number box with room beyond the valid range, so validation (not the box) names the problem."""
    spin = QDoubleSpinBox()
    spin.setObjectName(name)
    spin.setDecimals(1)
    spin.setRange(low, high)
    spin.setSingleStep(step)
    spin.setSuffix(suffix)
    spin.setKeyboardTracking(True)
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    spin.setMinimumWidth(72)
    return spin


class LayoutDialog(QDialog):
    layout_saved = Signal(object)  # Changes

    def __init__(self, database, initial: CertificateLayout, printer=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layoutDialog")
        self.setWindowTitle("套打位置")
        self.database = database
        self.printer = printer
        self.changes: Changes | None = None
        self.errors: dict[str, str] = {}
        self.row_labels: dict[str, QLabel] = {}
        self.spins: dict[str, QDoubleSpinBox] = {}
        self.aligns: dict[str, QComboBox] = {}

        how_to = QLabel(HOW_TO)
        how_to.setObjectName("howTo")
        how_to.setWordWrap(True)
        how_to.setStyleSheet("font-weight: bold; color: #7a1010;")
        measured = QLabel(MEASURED)
        measured.setWordWrap(True)
        measured.setStyleSheet("color: #666666;")

        # the paper and the overall offset
        self.paper_width = _spin("paperWidth", 0, 1000, " 毫米")
        self.paper_height = _spin("paperHeight", 0, 1000, " 毫米")
        self.offset_x = _spin("offsetX", -100, 100, " 毫米")
        self.offset_x.setToolTip("正数向右，负数向左")
        self.offset_y = _spin("offsetY", -100, 100, " 毫米")
        self.offset_y.setToolTip("正数向下，负数向上")
        paper = QGridLayout()
        paper.setHorizontalSpacing(8)
        paper.addWidget(QLabel("纸张宽"), 0, 0)
        paper.addWidget(self.paper_width, 0, 1)
        paper.addWidget(QLabel("高"), 0, 2)
        paper.addWidget(self.paper_height, 0, 3)
        paper.addWidget(QLabel("整体向右"), 1, 0)
        paper.addWidget(self.offset_x, 1, 1)
        paper.addWidget(QLabel("向下"), 1, 2)
        paper.addWidget(self.offset_y, 1, 3)
        paper.setColumnStretch(4, 1)
        self.paper_labels = {"paper_width": paper.itemAtPosition(0, 0).widget(),
                             "paper_height": paper.itemAtPosition(0, 2).widget(),
                             "offset_x": paper.itemAtPosition(1, 0).widget(),
                             "offset_y": paper.itemAtPosition(1, 2).widget()}

        # one row a field
        table = QGridLayout()
        table.setHorizontalSpacing(6)
        table.setVerticalSpacing(4)
        for column, (_key, title) in enumerate(COLUMNS, start=1):
            header = QLabel(title)
            header.setStyleSheet("color: #555555;")
            table.addWidget(header, 0, column, Qt.AlignmentFlag.AlignCenter)
        for row, name in enumerate(FIELDS, start=1):
            label = QLabel(FIELD_LABELS[name])
            label.setObjectName(f"{camel(name)}Label")
            self.row_labels[name] = label
            table.addWidget(label, row, 0)
            for column, (key, _title) in enumerate(COLUMNS, start=1):
                if key == "align":
                    box = QComboBox()
                    box.setObjectName(f"{name}Align")
                    for value, text in ALIGNMENTS.items():
                        box.addItem(text, value)
                    self.aligns[name] = box
                    table.addWidget(box, row, column)
                    continue
                if key == "size":
                    spin = _spin(f"{name}Size", 0, 200, "", 1)
                else:
                    spin = _spin(f"{name}{key.title()}", -500, 1000, "")
                self.spins[f"{name}.{key}"] = spin
                table.addWidget(spin, row, column)

        self.stars_style = QComboBox()
        self.stars_style.setObjectName("starsStyle")
        for value, text in STARS_STYLES.items():
            self.stars_style.addItem(text, value)
        self.date_style = QComboBox()
        self.date_style.setObjectName("dateStyle")
        for value, text in DATE_STYLES.items():
            self.date_style.addItem(text, value)
        styles = QHBoxLayout()
        styles.addWidget(QLabel("星级印为"))
        styles.addWidget(self.stars_style)
        styles.addSpacing(12)
        styles.addWidget(QLabel("日期写作"))
        styles.addWidget(self.date_style)
        styles.addStretch(1)

        self.error_label = QLabel()
        self.error_label.setObjectName("layoutErrors")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        self.status = QLabel()
        self.status.setObjectName("layoutStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #1e7b34;")
        self.status.hide()

        self.defaults_button = QPushButton("恢复默认")
        self.defaults_button.setObjectName("restoreDefaults")
        self.defaults_button.clicked.connect(lambda: self.set_layout(CertificateLayout()))
        self.save_calibration_button = QPushButton("保存校准页…")
        self.save_calibration_button.setObjectName("saveCalibration")
        self.save_calibration_button.clicked.connect(lambda: self.save_calibration())
        self.print_calibration_button = QPushButton("打印校准页…")
        self.print_calibration_button.setObjectName("printCalibration")
        self.print_calibration_button.clicked.connect(lambda: self.print_calibration())
        self.save_button = QPushButton("保存")
        self.save_button.setObjectName("saveLayout")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.accept)
        cancel = QPushButton("取消")
        cancel.setObjectName("cancelLayout")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.defaults_button)
        buttons.addWidget(self.save_calibration_button)
        buttons.addWidget(self.print_calibration_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)

        numbers = QVBoxLayout()
        numbers.addWidget(section_title("纸张"))
        numbers.addLayout(paper)
        numbers.addWidget(section_title("各项文字的位置（毫米）"))
        numbers.addLayout(table)
        numbers.addLayout(styles)
        numbers.addWidget(self.error_label)
        numbers.addStretch(1)

        self.sheet = QLabel()
        self.sheet.setObjectName("calibrationPreview")
        self.sheet.setMinimumSize(PREVIEW_WIDTH + 22, 200)
        self.sheet.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.sheet.setStyleSheet("background: #e7e3df; border: 1px solid #d8d0ca; padding: 10px;")
        sheet_scroll = QScrollArea()
        sheet_scroll.setWidgetResizable(True)
        sheet_scroll.setFrameShape(QFrame.Shape.NoFrame)
        sheet_scroll.setWidget(self.sheet)
        sheet_scroll.setMinimumWidth(PREVIEW_WIDTH + 36)
        sheet_box = QVBoxLayout()
        sheet_box.addWidget(section_title("校准页示意"))
        sheet_box.addWidget(sheet_scroll, 1)

        body = QHBoxLayout()
        body.addLayout(numbers, 0)
        body.addSpacing(12)
        body.addLayout(sheet_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(how_to)
        layout.addWidget(measured)
        layout.addLayout(body, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        self.resize(1080, 600)
        self._sheet_timer = QTimer(self)
        self._sheet_timer.setSingleShot(True)
        self._sheet_timer.setInterval(250)
        self._sheet_timer.timeout.connect(self.update_sheet)
        self.set_layout(initial)
        for spin in (self.paper_width, self.paper_height, self.offset_x, self.offset_y, *self.spins.values()):
            spin.valueChanged.connect(lambda _v: self.revalidate())
        for box in (*self.aligns.values(), self.stars_style, self.date_style):
            box.currentIndexChanged.connect(lambda _i: self.revalidate())
        if database.readonly:
            self.save_button.setToolTip("只读模式：不能保存。")
        self.revalidate()
        self.update_sheet()

    # ------------------------------------------------------------ values

    def set_layout(self, layout: CertificateLayout) -> None:
        self.paper_width.setValue(layout.paper_width)
        self.paper_height.setValue(layout.paper_height)
        self.offset_x.setValue(layout.offset_x)
        self.offset_y.setValue(layout.offset_y)
        for name in FIELDS:
            pos: FieldPosition = getattr(layout, name)
            for key in ("x", "y", "width", "size"):
                self.spins[f"{name}.{key}"].setValue(getattr(pos, key))
            self.aligns[name].setCurrentIndex(max(self.aligns[name].findData(pos.align), 0))
        self.stars_style.setCurrentIndex(max(self.stars_style.findData(layout.stars_style), 0))
        self.date_style.setCurrentIndex(max(self.date_style.findData(layout.date_style), 0))
        self.revalidate()

    def value(self) -> CertificateLayout:
        positions = {
            name: FieldPosition(*(self.spins[f"{name}.{key}"].value() for key in ("x", "y", "width", "size")),
                                self.aligns[name].currentData())
            for name in FIELDS
        }
        return CertificateLayout(
            paper_width=self.paper_width.value(), paper_height=self.paper_height.value(),
            offset_x=self.offset_x.value(), offset_y=self.offset_y.value(),
            stars_style=self.stars_style.currentData(), date_style=self.date_style.currentData(), **positions,
        )

    def revalidate(self) -> bool:
        """Check the layout as it stands: the problems under the table, their rows in red, 保存 and the
        calibration sheet only for a usable layout."""
        self.errors = validate_layout(self.value())
        for name, label in (*self.row_labels.items(), *self.paper_labels.items()):
            label.setStyleSheet(ERROR_STYLE if name in self.errors else "")
        self.error_label.setText("\n".join(self.errors.values()))
        self.error_label.setVisible(bool(self.errors))
        valid = not self.errors
        self.save_button.setEnabled(valid and not self.database.readonly)
        self.save_calibration_button.setEnabled(valid)
        self.print_calibration_button.setEnabled(valid)
        self.status.hide()
        self._sheet_timer.start()
        return valid

    # ------------------------------------------------------------ the calibration sheet

    def _render(self, out: Path) -> None:
        from app.reports.certificate import render_calibration

        render_calibration(self.value(), out)

    def update_sheet(self) -> None:
        """Redraw the calibration sheet beside the numbers (the last valid one stays while invalid)."""
        self._sheet_timer.stop()
        if self.errors:
            self.sheet.setToolTip("位置有误，示意图未更新")
            return
        from ui.reports.printing import preview_images

        try:
            with tempfile.TemporaryDirectory(prefix="dangjian-calibration-") as folder:
                out = Path(folder) / "calibration.pdf"
                self._render(out)
                ratio = self.devicePixelRatioF()
                image = preview_images(out, pages=1, width=int(PREVIEW_WIDTH * ratio))[0]
        except AppError as exc:
            self.sheet.setText(str(exc))
            return
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(ratio)
        self.sheet.setPixmap(pixmap)
        self.sheet.setToolTip("校准页：网格每格 1 毫米，虚线框是各项文字的位置")

    def save_calibration(self, path: str | None = None) -> Path | None:
        if not self.revalidate():
            return None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "保存校准页", str(Path.home() / "证书套打校准页.pdf"),
                                                  "PDF 文件 (*.pdf)")
            if not path:
                return None
        out = Path(path)
        try:
            self._render(out)
        except AppError as exc:
            QMessageBox.warning(self, "保存校准页", str(exc))
            return None
        self._say(f"已保存校准页：{out}。打印时请选“实际大小”（不缩放）。")
        return out

    def print_calibration(self) -> int | None:
        if not self.revalidate():
            return None
        if self.printer is None:
            self.printer = print_job.new_printer()
        with tempfile.TemporaryDirectory(prefix="dangjian-calibration-") as folder:
            out = Path(folder) / "证书套打校准页.pdf"
            try:
                self._render(out)
                if not print_job.choose_printer(self, self.printer, "打印校准页"):
                    return None
                sent, _total, _cancelled = print_job.send(self, out, self.printer)
            except AppError as exc:
                QMessageBox.warning(self, "打印校准页", str(exc))
                return None
        self._say(f"已发送校准页到{print_job.describe(self.printer)}。叠在证书纸上对光检查各项位置。")
        return sent

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.show()

    # ------------------------------------------------------------ saving

    def accept(self) -> None:
        if not self.revalidate() or self.database.readonly:
            return
        layout = self.value()
        changes = run_action(self, self.database, "保存证书套打位置", lambda session: save_layout(session, layout))
        if changes is None:
            return
        self.changes = changes
        self.layout_saved.emit(changes)
        super().accept()


def open_layout_dialog(parent: QWidget | None, database, printer=None) -> Changes | None:
    """Show 套打位置 modally with the stored layout; the Changes when saved, else None."""
    try:
        with database.read() as session:
            layout = load_layout(session)
    except DatabaseError as exc:
        QMessageBox.warning(parent, "套打位置", str(exc))
        return None
    dialog = LayoutDialog(database, layout, printer, parent)
    dialog.exec()
    return dialog.changes
