"""The bundled fonts: the one table that both the PDFs (app/reports) and the screens (ui/) use.

Qt-free and ReportLab-free. Nothing is read at import time; ``check_fonts()`` reads a few hundred
bytes of each file's header.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from app.errors import ResourceError
from app.paths import project_root, resource_path

# Tables a TrueType-outline font needs; a CFF font (.otf, "OTTO") has no glyf/loca and fails in ReportLab.
_REQUIRED_TABLES = {b"cmap", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp"}
_TRUETYPE_VERSIONS = {b"\x00\x01\x00\x00", b"true"}


@dataclass(frozen=True)
class FontFile:
    file: str  # under resources/fonts/
    family: str
    subfont_index: int  # the face inside a .ttc collection
    role: str  # "main": every text; "fallback": characters the main font lacks, tried in order

    @property
    def path(self) -> Path:
        return resource_path("fonts", self.file)

    @property
    def display_path(self) -> str:
        """The path as a message shows it: relative to the program's folder when inside it."""
        try:
            return self.path.relative_to(project_root()).as_posix()
        except ValueError:
            return str(self.path)


FONTS: tuple[FontFile, ...] = (
    FontFile("wqy-microhei.ttc", "WenQuanYi Micro Hei", 0, "main"),
    FontFile("BabelStoneHan-ExtAB.ttf", "BabelStone Han", 0, "fallback"),  # CJK Extension A and B only
)


def main_font() -> FontFile:
    return next(font for font in FONTS if font.role == "main")


def font_paths() -> list[Path]:
    """The resolved font files, main font first, then the fallbacks in order."""
    return [font.path for font in FONTS]


def check_fonts() -> None:
    """Raise ResourceError, naming the file, if a bundled font is missing or not a usable TrueType font."""
    for font in FONTS:
        if not font.path.is_file():
            raise ResourceError(f"字体文件缺失：{font.display_path}，请重新安装本程序。")
        try:
            _check_header(font.path, font.subfont_index)
        except (OSError, ValueError, struct.error) as exc:
            raise ResourceError(f"字体文件已损坏或无法读取：{font.display_path}，请重新安装本程序。") from exc


def _check_header(path: Path, subfont_index: int) -> None:
    """The sfnt header: TrueType outlines, the needed tables present and inside the file."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(12)
        offset = 0
        if head[:4] == b"ttcf":
            (count,) = struct.unpack(">I", head[8:12])
            if subfont_index >= count:
                raise ValueError(f"collection has {count} faces")
            f.seek(12 + 4 * subfont_index)
            (offset,) = struct.unpack(">I", f.read(4))
            f.seek(offset)
            head = f.read(12)
        if head[:4] not in _TRUETYPE_VERSIONS:
            raise ValueError("not TrueType outlines")
        (table_count,) = struct.unpack(">H", head[4:6])
        records = f.read(16 * table_count)
    tables = set()
    for i in range(table_count):
        tag, _checksum, start, length = struct.unpack(">4sIII", records[16 * i : 16 * i + 16])
        if start + length > size:
            raise ValueError(f"table {tag!r} runs past the end of the file")
        tables.add(tag)
    if not _REQUIRED_TABLES.issubset(tables):
        raise ValueError("tables missing")
