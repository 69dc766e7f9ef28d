"""套打位置: editing where the certificate's fields print, checked as typed; saving it; the calibration sheet."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog

from app.reports.certificate_layout import FIELDS, CertificateLayout, FieldPosition, load_layout, save_layout
from ui.reports import layout_dialog, print_job
from ui.reports.layout_dialog import HOW_TO, LayoutDialog

MM = 72 / 25.4


@pytest.fixture
def dialog(qtbot, database):
    dialog = LayoutDialog(database, CertificateLayout())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def size_mm(path) -> tuple[float, float]:
    page = PdfReader(path).pages[0]
    return round(float(page.mediabox.width) / MM), round(float(page.mediabox.height) / MM)


def test_the_dialog_says_how_to_use_it_and_shows_the_layout(dialog):
    assert HOW_TO == "先用白纸打印校准页，叠在证书纸上对光检查，再按偏差调整（单位：毫米）。"
    assert dialog.findChild(type(dialog.error_label), "howTo").text() == HOW_TO
    assert dialog.value() == CertificateLayout()
    assert not dialog.error_label.isVisible()
    assert dialog.save_button.isEnabled()
    assert not dialog.sheet.pixmap().isNull()  # the calibration sheet drawn beside the numbers


def test_a_field_off_the_paper_is_named_and_blocks_saving(qtbot, dialog):
    # WHEN the name is moved so far right that its box leaves the paper
    spin = dialog.findChild(type(dialog.paper_width), "nameX")
    spin.selectAll()
    qtbot.keyClicks(spin, "250")
    # THEN the problem is said under the table, the row turns red and 保存 and the calibration wait
    assert dialog.error_label.isVisible()
    assert "姓名超出纸张右边" in dialog.error_label.text()
    assert "c0392b" in dialog.row_labels["name"].styleSheet()
    assert not dialog.save_button.isEnabled()
    assert not dialog.save_calibration_button.isEnabled() and not dialog.print_calibration_button.isEnabled()
    # … until it is put back
    spin.setValue(48)
    assert not dialog.error_label.isVisible() and dialog.save_button.isEnabled()


def test_paper_size_and_font_size_limits_are_explained(dialog):
    dialog.paper_width.setValue(40)
    assert "纸张宽度应在 50 到 500 毫米之间" in dialog.error_label.text()
    dialog.paper_width.setValue(297)
    dialog.spins["year.size"].setValue(90)
    assert "年度的字号应在 8 到 72 磅之间" in dialog.error_label.text()
    assert not dialog.save_button.isEnabled()


def test_saving_stores_the_layout(qtbot, dialog, database):
    saved = []
    dialog.layout_saved.connect(saved.append)
    dialog.offset_x.setValue(1.5)
    dialog.offset_y.setValue(-2)
    dialog.aligns["number"].setCurrentIndex(dialog.aligns["number"].findData("right"))
    dialog.stars_style.setCurrentIndex(dialog.stars_style.findData("symbols"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert saved and saved[0].settings
    with database.read() as session:
        stored = load_layout(session)
    assert stored.offset_x == 1.5 and stored.offset_y == -2
    assert stored.number.align == "right" and stored.stars_style == "symbols"
    assert stored == dialog.value()


def test_the_dialog_opens_with_the_stored_layout_and_restores_the_default(qtbot, database, monkeypatch):
    layout = replace(CertificateLayout(), paper_width=260, paper_height=185,
                     name=FieldPosition(40, 80, 60, 22, "left"))
    with database.unit_of_work() as session:
        save_layout(session, layout)
    shown = []
    monkeypatch.setattr(LayoutDialog, "exec", lambda self: shown.append(self.value()) or 0)
    assert layout_dialog.open_layout_dialog(None, database) is None  # closed without saving
    assert shown == [layout]

    dialog = LayoutDialog(database, layout)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.defaults_button, Qt.MouseButton.LeftButton)
    assert dialog.value() == CertificateLayout()


def test_every_field_has_its_row(dialog):
    for name in FIELDS:
        for key in ("X", "Y", "Width", "Size"):
            assert dialog.findChild(type(dialog.paper_width), f"{name}{key}") is not None
        assert dialog.aligns[name].count() == 3


def test_the_calibration_sheet_is_saved_at_the_papers_size(dialog, tmp_path):
    dialog.paper_width.setValue(260)
    dialog.paper_height.setValue(185)
    out = dialog.save_calibration(str(tmp_path / "校准页.pdf"))
    assert out is not None and out.is_file()
    assert size_mm(out) == (260, 185)
    assert "证书套打校准页" in PdfReader(out).pages[0].extract_text()
    assert "已保存校准页" in dialog.status.text()


def test_the_calibration_sheet_is_printed_at_full_size(dialog, tmp_path, monkeypatch):
    target = tmp_path / "printed.pdf"

    class Accepted:
        def __init__(self, printer: QPrinter, _parent=None) -> None:
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(target))
            printer.setResolution(72)

        def setWindowTitle(self, _title) -> None:  # noqa: N802
            pass

        def setOption(self, *_args) -> None:  # noqa: N802
            pass

        def exec(self):
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr(print_job, "QPrintDialog", Accepted)
    dialog.paper_width.setValue(260)
    dialog.paper_height.setValue(185)
    assert dialog.print_calibration() == 1
    assert size_mm(target) == (260, 185)
    assert "已发送校准页" in dialog.status.text()


def test_a_read_only_database_cannot_save(qtbot, database, monkeypatch):
    monkeypatch.setattr(type(database), "readonly", property(lambda self: True))
    dialog = LayoutDialog(database, CertificateLayout())
    qtbot.addWidget(dialog)
    assert not dialog.save_button.isEnabled()
    assert dialog.save_calibration_button.isEnabled()  # the calibration sheet needs no writing


def test_the_page_opens_the_dialog_and_passes_the_change_on(make_window, demo_database, monkeypatch):
    window = make_window(demo_database, page="reports")
    page = window.pages["reports"]
    seen = []
    window.changes_applied.connect(seen.append)

    def opened(parent, database, printer=None):
        with database.unit_of_work() as session:
            return save_layout(session, replace(CertificateLayout(), offset_x=3))

    monkeypatch.setattr(layout_dialog, "open_layout_dialog", opened)
    page.set_document("certificates")
    assert page.layout_button.isVisible()
    page.layout_button.click()
    assert seen and seen[-1].settings
