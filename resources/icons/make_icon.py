"""Draw the application icon: a red rounded square with a gold five-pointed star (and 党建 when big).

    QT_QPA_PLATFORM=offscreen python resources/icons/make_icon.py

Writes app.png (256×256) and app.ico (16–256 px, PNG frames) beside this script. Drawn with
QPainter only — no party emblem or other image. Small sizes show the star alone: the two
characters become an unreadable smudge below about 48 px.
"""

from __future__ import annotations

import math
import os
import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)

HERE = Path(__file__).resolve().parent
FONT = HERE.parent / "fonts" / "wqy-microhei.ttc"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
TEXT_FROM = 48  # sizes at or above this also carry 党建

RED_TOP = QColor("#D7261E")
RED_BOTTOM = QColor("#A8121A")
GOLD = QColor("#FFD24A")
GOLD_EDGE = QColor("#F2B705")


def star(cx: float, cy: float, outer: float) -> QPolygonF:
    """A regular five-pointed star, one point straight up."""
    inner = outer * math.sin(math.radians(18)) / math.sin(math.radians(126))
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(-90 + 36 * i)
        points.append(QPointF(cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return QPolygonF(points)


def draw(size: int, family: str | None) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    s = float(size)

    # The red tile, a little inset so the edge is not cut off, with a soft top-to-bottom shade.
    margin = max(0.5, s * 0.03)
    tile = QRectF(margin, margin, s - 2 * margin, s - 2 * margin)
    radius = s * 0.18
    shade = QLinearGradient(tile.topLeft(), tile.bottomLeft())
    shade.setColorAt(0.0, RED_TOP)
    shade.setColorAt(1.0, RED_BOTTOM)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(shade))
    p.drawRoundedRect(tile, radius, radius)

    # A thin gold rule inside the edge, only where it stays crisp.
    if size >= 48:
        inset = s * 0.075
        rule = tile.adjusted(inset, inset, -inset, -inset)
        p.setPen(QPen(GOLD, max(1.0, s * 0.012)))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(rule, radius * 0.6, radius * 0.6)

    with_text = size >= TEXT_FROM and family is not None
    if with_text:
        centre, outer = QPointF(s / 2, s * 0.36), s * 0.205
    else:
        centre, outer = QPointF(s / 2, s * 0.53), s * 0.36
    path = QPainterPath()
    path.addPolygon(star(centre.x(), centre.y(), outer))
    path.closeSubpath()
    p.setPen(QPen(GOLD_EDGE, max(0.5, s * 0.006)) if size >= 32 else Qt.PenStyle.NoPen)
    p.setBrush(GOLD)
    p.drawPath(path)

    if with_text:
        font = QFont(family)
        font.setPixelSize(round(s * 0.25))
        font.setBold(True)
        p.setFont(font)
        p.setPen(GOLD)
        p.drawText(QRectF(0, s * 0.57, s, s * 0.32), Qt.AlignmentFlag.AlignCenter, "党建")
    p.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("PNG encoding failed")
    buffer.close()
    return bytes(data.data())


def write_ico(path: Path, frames: list[tuple[int, bytes]]) -> None:
    """An ICO container of PNG-compressed frames (read by Windows Vista and later)."""
    header = struct.pack("<HHH", 0, 1, len(frames))
    offset = 6 + 16 * len(frames)
    entries, blobs = b"", b""
    for size, blob in frames:
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        blobs += blob
        offset += len(blob)
    path.write_bytes(header + entries + blobs)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - fonts need it
    family = None
    font_id = QFontDatabase.addApplicationFont(str(FONT)) if FONT.exists() else -1
    if font_id >= 0:
        family = QFontDatabase.applicationFontFamilies(font_id)[0]
    else:
        print(f"字体未找到（{FONT}），图标只画五角星。", file=sys.stderr)
    frames = [(size, png_bytes(draw(size, family))) for size in ICO_SIZES]
    (HERE / "app.png").write_bytes(dict(frames)[256])
    write_ico(HERE / "app.ico", frames)
    print(f"已写入 {HERE / 'app.png'} 和 {HERE / 'app.ico'}（{', '.join(str(s) for s in ICO_SIZES)} px）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
