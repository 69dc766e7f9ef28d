"""The bundled CJK fonts reach Qt: registered, used by the application font, and drawn."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontInfo, QFontMetrics, QImage, QRawFont
from PySide6.QtWidgets import QLabel

from ui.application import create_application
from ui.qt_setup import register_fonts

JI = 0x20BB7  # 𠮷, CJK Extension B: only the BabelStone Han fallback has it


def test_register_fonts_returns_the_main_font_first_and_the_fallback():
    families = register_fonts()
    assert families[0] == "WenQuanYi Micro Hei"
    assert "BabelStone Han" in families
    assert families.index("BabelStone Han") > 0
    assert register_fonts() == families  # idempotent


def test_application_font_covers_common_and_rare_name_characters():
    app = create_application()
    font = app.font()
    assert font.families()[0] == "WenQuanYi Micro Hei"
    assert QFontInfo(font).family() == "WenQuanYi Micro Hei"
    metrics = QFontMetrics(font)
    assert metrics.inFontUcs4(ord("张"))
    assert metrics.inFontUcs4(JI)  # through the fallback family
    raw = QRawFont.fromFont(font)
    assert raw.familyName() == "WenQuanYi Micro Hei"
    assert raw.supportsCharacter("张")
    assert QRawFont.fromFont(QFont("BabelStone Han")).supportsCharacter(JI)


def _grab(qtbot, text: str, size) -> QImage:
    label = QLabel(text)
    qtbot.addWidget(label)
    label.setStyleSheet("background: white; color: black;")
    label.setFixedSize(size)
    label.show()
    qtbot.waitExposed(label)
    return label.grab().toImage()


def _ink(image: QImage) -> int:
    """How many pixels are clearly darker than the white background."""
    return sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if QColor(image.pixel(x, y)).lightness() < 160
    )


def test_chinese_text_is_drawn(qtbot):
    create_application()
    size = QLabel("党组织").sizeHint()
    text = _grab(qtbot, "党组织", size)
    empty = _grab(qtbot, "", size)
    assert text != empty
    assert _ink(empty) == 0
    assert _ink(text) > 40
    # Missing glyphs would all be drawn as the same box: different characters must look different.
    assert _grab(qtbot, "织组党", size) != text
