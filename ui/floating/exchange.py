"""流动党员之家: print the rosters and the 待联系 list, and exchange the floating roster with Excel.

The same app functions as ``python -m app print floating`` / ``import floating`` / ``export floating``,
run in a worker behind a progress dialog with 取消; a file is written under a temporary name and moved
into place by those functions, so a failure never leaves half a file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from app.changes import Changes
from app.errors import AppError, DatabaseError
from ui.common import confirm
from ui.worker import run_with_progress

PRINT_CHOICES = (  # (menu text, lists, file name)
    ("外出流动党员花名册…", ("outflow",), "外出流动党员花名册"),
    ("流入党员花名册…", ("inflow",), "流入党员花名册"),
    ("待联系党员名单…", ("to-contact",), "待联系党员名单"),
    ("外出和流入花名册（一个文件）…", ("outflow", "inflow"), "流动党员花名册"),
)
SHOWN_REJECTIONS = 8


def _status(page, text: str) -> None:
    page.window_.statusBar().showMessage(text, 10000)


def print_lists(page, lists: tuple[str, ...], stem: str, path: str | None = None) -> Path | None:
    """Render the chosen lists to a PDF the user names, then offer to open it."""
    from app.reports import floating_roster

    if path is None:
        path, _ = QFileDialog.getSaveFileName(page, "保存 PDF", f"{stem}_{date.today():%Y%m%d}.pdf", "PDF 文件 (*.pdf)")
        if not path:
            return None
    out = Path(path)

    def work(progress, cancelled):
        with page.database.read() as session:
            data = floating_roster.collect(session, date.today(), lists)
        return floating_roster.render_floating_roster(data, out)

    try:
        pages = run_with_progress(page, "打印", "正在生成 PDF", work)
    except (AppError, DatabaseError, OSError) as exc:
        QMessageBox.warning(page, "打印", f"PDF 未能生成：{exc}")
        return None
    _status(page, f"已生成 {out.name}（{pages} 页）")
    if confirm(page, "打印", f"已生成 {out}（{pages} 页）。现在打开查看并打印吗？", "打开"):
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(out)))
    return out


def export_roster(page, path: str | None = None) -> Path | None:
    from app import floating_export

    if path is None:
        path, _ = QFileDialog.getSaveFileName(page, "导出流动党员", floating_export.default_file_name(),
                                              "Excel 工作簿 (*.xlsx)")
        if not path:
            return None

    def work(progress, cancelled):
        with page.database.read() as session:
            return floating_export.export(session, Path(path))

    try:
        counts = run_with_progress(page, "导出流动党员", "正在导出", work)
    except (AppError, DatabaseError, OSError) as exc:
        QMessageBox.warning(page, "导出流动党员", f"导出未完成：{exc}")
        return None
    _status(page, f"已导出外出登记 {counts.outflow} 条、流入党员 {counts.inflow} 人到 {path}")
    return Path(path)


def save_template(page, path: str | None = None) -> Path | None:
    from app import floating_import, orgs

    if path is None:
        path, _ = QFileDialog.getSaveFileName(page, "保存导入模板", "流动党员导入模板.xlsx", "Excel 工作簿 (*.xlsx)")
        if not path:
            return None
    try:
        with page.database.read() as session:
            paths = [n.path for n in orgs.list_tree(session)]
        floating_import.write_template(path, org_paths=paths)
    except (AppError, DatabaseError, OSError) as exc:
        QMessageBox.warning(page, "下载导入模板", f"模板未能保存：{exc}")
        return None
    _status(page, f"已保存导入模板：{path}")
    return Path(path)


def _preview_text(preview) -> str:
    lines = [preview.summary()]
    for row in preview.rejected[:SHOWN_REJECTIONS]:
        lines.append(f"  {row.where} {row.name}：{row.reason}")
    if len(preview.rejected) > SHOWN_REJECTIONS:
        lines.append(f"  ……另有 {len(preview.rejected) - SHOWN_REJECTIONS} 行，导入后见错误报告。")
    if preview.rejected:
        lines.append("被拒绝的行不导入，写入错误报告，改正后可再次导入。")
    return "\n".join(lines)


def import_roster(page, path: str | None = None) -> Changes | None:
    """导入: read and check every sheet, show what would happen, then write the good rows in one go."""
    from app import floating_import

    if page.database.readonly:
        return None
    if path is None:
        path, _ = QFileDialog.getOpenFileName(page, "导入流动党员", "", "Excel 工作簿 (*.xlsx *.xls *.ods)")
        if not path:
            return None
    source = Path(path)

    def read(progress, cancelled):
        with page.database.read() as session:
            return floating_import.preview(session, source, progress=progress, cancelled=cancelled)

    try:
        preview = run_with_progress(page, "导入流动党员", "正在检查", read)
    except (AppError, DatabaseError, OSError) as exc:
        QMessageBox.warning(page, "导入流动党员", f"未导入任何数据：{exc}")
        return None
    if not preview.to_add and not preview.to_update:
        QMessageBox.information(page, "导入流动党员", _preview_text(preview) + "\n没有需要写入的行。")
        return None
    if not confirm(page, "导入流动党员", _preview_text(preview), "导入"):
        return None

    def write(progress, cancelled):
        return floating_import.apply(page.database, preview, progress=progress, cancelled=cancelled)

    try:
        result = run_with_progress(page, "导入流动党员", "正在导入", write)
    except (AppError, DatabaseError, OSError) as exc:
        QMessageBox.warning(page, "导入流动党员", f"未导入任何数据：{exc}")
        return None
    _status(page, result.summary())
    if result.report_path is not None:
        QMessageBox.information(page, "导入流动党员", result.summary())
    return result.changes


def menu(page, parent: QWidget) -> QMenu:
    """打印与交换: the PDFs, then Excel export, import and the template."""
    box = QMenu(parent)
    box.setObjectName("floatingExchangeMenu")
    for text, lists, stem in PRINT_CHOICES:
        box.addAction(text, lambda lists=lists, stem=stem: print_lists(page, lists, stem))
    box.addSeparator()
    box.addAction("导出 Excel…", lambda: export_roster(page))
    page.import_action = box.addAction("导入 Excel…", page.import_roster)
    box.addAction("下载导入模板…", lambda: save_template(page))
    return box
