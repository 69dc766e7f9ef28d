"""Process-wide Qt set-up: the bundled CJK font, the style sheet, zh_CN translations."""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QtMsgType, QTranslator, qInstallMessageHandler
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app import fonts
from app.paths import resource_path

log = logging.getLogger(__name__)

_registered_families: list[str] | None = None


def register_fonts() -> list[str]:
    """Register the bundled fonts with Qt (idempotent); returns the families, main font first.

    A missing or broken font file is reported, not fatal: Qt then falls back to the system's fonts.
    """
    global _registered_families
    if _registered_families is not None:
        return _registered_families
    families: list[str] = []
    for path in fonts.font_paths():
        font_id = QFontDatabase.addApplicationFont(str(path)) if path.exists() else -1
        if font_id < 0:
            log.error("无法加载字体文件：%s", path)
            continue
        for family in QFontDatabase.applicationFontFamilies(font_id):
            if family not in families:
                families.append(family)
    _registered_families = families
    return families


def install_translations(app: QApplication) -> None:
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            break


def apply_style(app: QApplication) -> None:
    families = register_fonts()
    if families:
        font = QFont(families[0], 10)
        # Rare name characters (Extension A/B) come from the fallback font.
        font.setFamilies(families)
        app.setFont(font)
    qss = resource_path("styles", "app.qss")
    if qss.exists():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))


# The offscreen platform (screenshots, the self-check, CI) says this on every top-level window.
_HARMLESS = ("This plugin does not support propagateSizeHints()",)
_previous_handler = None


def _message_handler(kind: QtMsgType, context, message: str) -> None:
    if message in _HARMLESS:
        return
    if _previous_handler is not None:  # e.g. pytest-qt's, which fails tests on Qt warnings
        _previous_handler(kind, context, message)
        return
    level = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
             QtMsgType.QtWarningMsg: logging.WARNING}.get(kind, logging.ERROR)
    log.log(level, "Qt: %s", message)


def setup_application(app: QApplication) -> None:
    global _previous_handler
    previous = qInstallMessageHandler(_message_handler)
    if previous is not _message_handler:
        _previous_handler = previous
    install_translations(app)
    apply_style(app)
