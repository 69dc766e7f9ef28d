"""Printing a PDF at 100 %: each page on paper of its own size and orientation, nothing moved or scaled."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor
from PySide6.QtPrintSupport import QPrinter
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.errors import AppError
from ui.reports.printing import page_sizes, preview_images, print_pdf

CERTIFICATE_PAPER = (260 * mm, 185 * mm)  # a pre-printed certificate sheet, not a standard size


@pytest.fixture
def source(tmp_path):
    """Three pages: portrait A4 with a 10 mm black square 30 mm from the top-left corner, landscape A4,
    and a custom landscape certificate sheet with the square at the same place."""
    path = tmp_path / "in.pdf"
    canvas = Canvas(str(path), pagesize=A4)
    for size in (A4, landscape(A4), CERTIFICATE_PAPER):
        canvas.setPageSize(size)
        canvas.rect(30 * mm, size[1] - 40 * mm, 10 * mm, 10 * mm, stroke=0, fill=1)
        canvas.showPage()
    canvas.save()
    return path


def pdf_printer(path, dpi=150) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(dpi)
    return printer


def test_every_page_is_printed_on_its_own_paper_size_at_full_scale(tmp_path, source):
    out = tmp_path / "printed.pdf"
    # WHEN the three pages are printed (to a PDF printer, which keeps what a printer would receive)
    assert print_pdf(source, pdf_printer(out)) == 3
    # THEN each printed page has the source page's size and orientation (within a point) …
    for (w, h), (pw, ph) in zip(page_sizes(source), page_sizes(out), strict=True):
        assert abs(w - pw) < 1.5 and abs(h - ph) < 1.5
    # … and the square is where the PDF put it, not shifted by printer margins or shrunk to fit
    pages = page_sizes(out)
    for index, image in enumerate(preview_images(out, pages=3, width=600)):
        per_mm = image.width() / (pages[index][0] / 72 * 25.4)
        inside = image.pixelColor(int(35 * per_mm), int(35 * per_mm))
        outside = image.pixelColor(int(25 * per_mm), int(35 * per_mm))
        assert inside == QColor(0, 0, 0), f"page {index + 1}: the square moved"
        assert outside == QColor(255, 255, 255), f"page {index + 1}: the square grew"


def test_cancel_stops_after_the_current_page(tmp_path, source):
    out = tmp_path / "printed.pdf"
    seen = []
    sent = print_pdf(source, pdf_printer(out), progress=lambda done, total: seen.append((done, total)) or done < 2)
    assert sent == 2 and seen == [(1, 3), (2, 3)]
    assert len(page_sizes(out)) == 2


def test_a_file_that_is_not_a_pdf_is_refused_with_a_message(tmp_path):
    bad = tmp_path / "证书.pdf"
    bad.write_bytes(b"not a pdf at all")
    with pytest.raises(AppError, match="无法读取 PDF 文件“证书.pdf”"):
        preview_images(bad)
