"""Sending a finished PDF to a printer: the print dialog, then ``printing.print_pdf`` page by page with a
progress dialog and 取消.

Printing runs in the GUI thread (QPrinter and QPainter on a printer are not thread-safe); the progress
callback keeps the window alive with ``processEvents``. ``QPrintDialog`` is looked up here, so a test
can replace it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog, QWidget

from ui.reports import printing

# Each page is sent as an image at the printer's resolution: 600 dpi is sharp on paper; 1200 (what
# Qt's PDF printer and some lasers report) makes every A4 page a half-gigabyte image.
MAX_DPI = 600
MAX_PDF_DPI = 300


def new_printer() -> QPrinter:
    return QPrinter(QPrinter.PrinterMode.HighResolution)


def choose_printer(parent: QWidget, printer: QPrinter, title: str = "打印") -> bool:
    """The system print dialog (printer, copies); the whole document is printed, so no page range."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, False)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintSelection, False)
    return dialog.exec() == QDialog.DialogCode.Accepted


def _limit_resolution(printer: QPrinter) -> None:
    limit = MAX_PDF_DPI if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat else MAX_DPI
    if printer.resolution() > limit:
        printer.setResolution(limit)


def send(parent: QWidget, path: Path, printer: QPrinter) -> tuple[int, int, bool]:
    """Print every page of ``path`` at 100 %; returns (pages sent, pages, cancelled). AppError when the
    printer refuses."""
    total = printing.page_count(path)
    _limit_resolution(printer)
    dialog = QProgressDialog("正在发送到打印机…", "取消", 0, total, parent)
    dialog.setObjectName("printProgress")
    dialog.setWindowTitle("打印")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)

    def progress(done: int, count: int) -> bool:
        dialog.setValue(done)
        dialog.setLabelText(f"已发送 {done} / {count} 页")
        QApplication.processEvents()
        return not dialog.wasCanceled()

    try:
        sent = printing.print_pdf(path, printer, progress)
    finally:
        dialog.close()
        dialog.deleteLater()
    return sent, total, sent < total


def describe(printer: QPrinter) -> str:
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
        return f"PDF 文件“{Path(printer.outputFileName()).name}”"
    return f"打印机“{printer.printerName()}”" if printer.printerName() else "打印机"

