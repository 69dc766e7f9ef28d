"""PDF pages as images: the preview, and printing straight to a printer at 100 %.

Printing never scales: each page is rendered with pypdfium2 at the printer's own resolution and drawn
full-page (``setFullPage(True)``) on a page of the PDF's own size and orientation, so a certificate's
fields land exactly where the PDF puts them. (Qt's "fit to page" would shrink them by the printer's
margins and ruin pre-printed certificate paper.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRect, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from app.errors import AppError

POINTS_PER_INCH = 72.0


def _open(path: Path):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        raise AppError(f"无法读取 PDF 文件“{Path(path).name}”：{exc}。") from exc


def _image(page, scale: float) -> QImage:
    bitmap = page.render(scale=scale, prefer_bgrx=True, rev_byteorder=True)
    image = QImage(bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride,
                   QImage.Format.Format_RGBX8888)
    return image.copy()  # own the pixels: the bitmap's buffer goes away with it


def page_count(path: Path) -> int:
    pdf = _open(path)
    try:
        return len(pdf)
    finally:
        pdf.close()


def page_sizes(path: Path) -> list[tuple[float, float]]:
    """Each page's (width, height) in points."""
    pdf = _open(path)
    try:
        return [pdf[i].get_size() for i in range(len(pdf))]
    finally:
        pdf.close()


def preview_images(path: Path, *, pages: int = 3, width: int = 600) -> list[QImage]:
    """The first ``pages`` pages as images ``width`` pixels wide (for the page's preview)."""
    pdf = _open(path)
    try:
        images = []
        for index in range(min(pages, len(pdf))):
            page = pdf[index]
            page_width, _ = page.get_size()
            images.append(_image(page, width / page_width))
        return images
    finally:
        pdf.close()


def print_pdf(path: Path, printer: QPrinter, progress: Callable[[int, int], bool] | None = None) -> int:
    """Print every page of ``path`` on ``printer`` at 100 %; returns the pages sent. ``progress(done,
    total)`` returning False stops after the current page (the pages sent stay sent)."""
    pdf = _open(path)
    try:
        total = len(pdf)
        if total == 0:
            return 0
        dpi = printer.resolution()
        printer.setFullPage(True)
        painter = QPainter()
        done = 0
        for index in range(total):
            page = pdf[index]
            width_pt, height_pt = page.get_size()
            # A page size is portrait; a landscape page is that size turned (the orientation).
            size = QPageSize(QSizeF(min(width_pt, height_pt), max(width_pt, height_pt)), QPageSize.Unit.Point, "",
                             QPageSize.SizeMatchPolicy.FuzzyMatch)
            orientation = (QPageLayout.Orientation.Landscape if width_pt > height_pt
                           else QPageLayout.Orientation.Portrait)
            layout = QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0))
            if not printer.setPageLayout(layout):
                raise AppError(f"打印机不支持第 {index + 1} 页的纸张大小（{width_pt / 72 * 25.4:.0f}×"
                               f"{height_pt / 72 * 25.4:.0f} 毫米）。")
            if index == 0:
                if not painter.begin(printer):
                    raise AppError("无法开始打印：打印机没有响应，请检查打印机是否已连接并开机。")
            elif not printer.newPage():
                raise AppError("打印中断：打印机不接受新的一页。")
            image = _image(page, dpi / POINTS_PER_INCH)
            # pixels = points / 72 × dpi: the page's own size on paper, drawn at the device's origin.
            painter.drawImage(QRect(0, 0, image.width(), image.height()), image)
            done += 1
            if progress is not None and not progress(done, total):
                break
        painter.end()
        return done
    finally:
        pdf.close()
