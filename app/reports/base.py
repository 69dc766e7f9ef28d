"""The renderer base: fonts, A4 pages and margins, named styles, page templates with page numbers,
glyph fallback for rare characters, and an atomic write of the finished PDF.

A renderer builds a list of flowables from plain data and calls ``write_pdf``::

    styles = stylesheet()
    story = [paragraph("幸福里社区党组织名册", styles["title"]), ...]
    pages = write_pdf(out, story, title="幸福里社区党组织名册", author="中共幸福里社区委员会")

Every piece of user text goes through ``paragraph``/``markup`` (or ``draw_string`` on a canvas) so
that characters the main font lacks (䶮 𠮷) are set in a fallback font instead of printing blank.

A document may prefer a system font (``preferred_font("kai")`` for certificates, ``"fangsong"`` for
official sheets) and pass its name as ``font=`` to those functions: the fallback chain then starts with
it. A document drawn directly on a canvas (a certificate) is written by ``write_canvas_pdf``, atomically
like ``write_pdf``.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import landscape as _landscape
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    LayoutError,
    PageTemplate,
    Paragraph,
    TableStyle,
)

from app import APP_NAME, __version__
from app.errors import AppError, ResourceError
from app.fonts import FONTS, check_fonts
from app.paths import output_target


@dataclass(frozen=True)
class Margins:
    top: float
    bottom: float
    left: float
    right: float


# GB/T 9704-like margins of an official sheet (in points); the landscape sheet keeps them.
MARGINS = Margins(top=37 * mm, bottom=35 * mm, left=28 * mm, right=26 * mm)
FOOTER_SIZE = 9  # pt; the page number sits 7 mm below the text block, as GB/T 9704 places it
BODY_SIZE = 10.5  # pt (五号)


def page_size(landscape: bool = False) -> tuple[float, float]:
    return _landscape(A4) if landscape else A4


# ---------------------------------------------------------------- line breaking

# ReportLab's CJK wrapping keeps these off the start of a line, but its list lacks the full-width comma,
# semicolon, colon, marks and closing quotes of Chinese text: a line could begin with "，". (Both the
# module's copy and the one paragraph.py imported are extended; doing it twice changes nothing.)
_CANNOT_START = "，；：！？”’》〉」』"


def _extend_line_break_rules() -> None:
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph as rl_paragraph

    missing = "".join(c for c in _CANNOT_START if c not in textsplit.ALL_CANNOT_START)
    textsplit.ALL_CANNOT_START += missing
    rl_paragraph.ALL_CANNOT_START = textsplit.ALL_CANNOT_START


_extend_line_break_rules()


# ---------------------------------------------------------------- fonts

_lock = threading.Lock()
_fonts: tuple[ttfonts.TTFont, ...] = ()


def register_fonts() -> tuple[str, ...]:
    """Register the bundled fonts with ReportLab, once per process; returns their ReportLab names
    (the family names of ``app.fonts.FONTS``), main font first. A missing or broken font file
    raises ResourceError."""
    global _fonts
    with _lock:
        if not _fonts:
            check_fonts()
            loaded = []
            for font in FONTS:
                try:
                    tt = ttfonts.TTFont(font.family, str(font.path), subfontIndex=font.subfont_index)
                except Exception as exc:  # ReportLab raises TTFError, struct.error, IndexError … on bad data
                    raise ResourceError(f"字体文件无法使用：{font.display_path}，请重新安装本程序。") from exc
                pdfmetrics.registerFont(tt)
                pdfmetrics.registerFontFamily(font.family, normal=font.family, bold=font.family,
                                              italic=font.family, boldItalic=font.family)
                loaded.append(tt)
            _fix_non_bmp_to_unicode()
            _fonts = tuple(loaded)
    return tuple(f.fontName for f in _fonts)


def _fix_non_bmp_to_unicode() -> None:
    """ReportLab writes a character above U+FFFF into the ToUnicode map as five hex digits
    (``<20BB7>``), which readers reject, so 𠮷 could not be copied or searched. PDF wants UTF-16BE
    (``<D842DFB7>``); rewrite those entries."""
    original = ttfonts.makeToUnicodeCMap
    if getattr(original, "non_bmp_fixed", False):
        return

    def utf16(match: re.Match) -> str:
        return f"{match[1]}<{chr(int(match[2], 16)).encode('utf-16-be').hex().upper()}>"

    def make_to_unicode_cmap(fontname, subset):
        return re.sub(r"^(<[0-9A-F]{2}> )<([0-9A-F]{5,6})>$", utf16, original(fontname, subset), flags=re.M)

    make_to_unicode_cmap.non_bmp_fixed = True
    ttfonts.makeToUnicodeCMap = make_to_unicode_cmap


def main_font_name() -> str:
    """The ReportLab name of the main font (registering the fonts first)."""
    return register_fonts()[0]


def _font_for(char: str) -> str:
    code = ord(char)
    for font in _fonts:
        if code in font.face.charToGlyph:
            return font.fontName
    return _fonts[0].fontName  # in no font: the main font's blank box


def font_runs(text: str, font: str | None = None) -> list[tuple[str, str]]:
    """``text`` split into (font name, run) pairs: each character in the first font that has it.
    ``font`` (a registered TrueType font's name, e.g. from ``preferred_font``) is tried first, then
    the bundled fonts; None: the bundled fonts only."""
    register_fonts()
    if font is None or font == _fonts[0].fontName:
        return [(name, "".join(chars)) for name, chars in groupby(text, key=_font_for)]
    chain = _chain(font)

    def font_of(char: str) -> str:
        for candidate in chain:
            if _draws(candidate, char):
                return candidate.fontName
        return chain[0].fontName

    return [(name, "".join(chars)) for name, chars in groupby(text, key=font_of)]


def markup(text: str, font: str | None = None) -> str:
    """Plain text as Paragraph markup in a style of ``font`` (None: the main font): XML escaped,
    line breaks kept, fallback runs in ``<font face>``."""
    main = font or main_font_name()
    return "<br/>".join(
        "".join(escape(run) if name == main else f'<font face="{name}">{escape(run)}</font>'
                for name, run in font_runs(line, font))
        for line in text.split("\n")
    )


def paragraph(text: str, style: ParagraphStyle, font: str | None = None) -> Paragraph:
    """A Paragraph of plain (not markup) text, with glyph fallback. A style in another font than the
    main one names that font as ``font`` too."""
    return Paragraph(markup(text, font), style)


def string_width(text: str, size: float, font: str | None = None) -> float:
    return sum(pdfmetrics.stringWidth(run, name, size) for name, run in font_runs(text, font))


def draw_string(canvas: Canvas, x: float, y: float, text: str, size: float, align: str = "left",
                font: str | None = None) -> None:
    """One line of plain text on a canvas with glyph fallback; ``align`` is left, centre or right of x;
    ``font`` the primary font (None: the main font)."""
    if align != "left":
        x -= string_width(text, size, font) / (2 if align == "centre" else 1)
    line = canvas.beginText(x, y)
    for name, run in font_runs(text, font):
        line.setFont(name, size)
        line.textOut(run)
    canvas.drawText(line)


def fit_size(text: str, max_width: float, start: float, minimum: float, font: str | None = None) -> float:
    """The font size for one line of ``text`` within ``max_width`` points: ``start`` when it fits,
    else the largest half point below that fits, never below ``minimum`` (the caller squeezes or
    wraps what is still too wide then). Text widths are linear in the size, so one measurement does."""
    width = string_width(text, start, font)
    if width <= max_width or width == 0:
        return start
    fitting = int(start * max_width / width * 2) / 2  # half points, rounded down
    return max(minimum, fitting)


# ---------------------------------------------------------------- preferred (system) fonts

SYSTEM_FONTS_ENV = "DANGJIAN_SYSTEM_FONTS_DIR"  # a folder searched instead of %WINDIR%\Fonts (tests, Linux)
# Kind → candidate files (the first present and usable wins) with the ReportLab name to register.
SYSTEM_FONTS: dict[str, tuple[tuple[str, str], ...]] = {
    "kai": (("simkai.ttf", "KaiTi"), ("STKAITI.TTF", "STKaiti"), ("ukai.ttc", "AR PL UKai")),
    "fangsong": (("simfang.ttf", "FangSong"), ("STFANGSO.TTF", "STFangsong")),
}
_SAMPLE = "星级党员证书中共社区委员会同志年度"  # a system font must have these, else it is not a CJK font
_system: dict[str, str | None] = {}  # resolved file → its registered name, None when it proved unusable
_chains: dict[str, tuple[ttfonts.TTFont, ...]] = {}
_log = logging.getLogger(__name__)


def system_fonts_dir() -> Path | None:
    """Where the system's fonts are: ``DANGJIAN_SYSTEM_FONTS_DIR`` when set, else ``%WINDIR%\\Fonts``
    on Windows; None elsewhere."""
    override = os.environ.get(SYSTEM_FONTS_ENV)
    if override:
        return Path(override)
    windir = os.environ.get("WINDIR") or os.environ.get("SYSTEMROOT")
    if windir:
        return Path(windir) / "Fonts"
    if sys.platform == "win32":
        return Path(r"C:\Windows\Fonts")
    return None


def preferred_font(kind: str) -> str:
    """The ReportLab name of the font a document of ``kind`` prefers — ``"kai"`` (楷体: certificates)
    or ``"fangsong"`` (仿宋: official sheets) — when the system has it, registered once; else the
    bundled main font. Never fails for a missing or broken system font (a broken one is logged and
    skipped). Rare characters the chosen font lacks still come from the bundled fallback when the
    text goes through ``draw_string``/``string_width``/``markup`` with ``font=`` this name."""
    if kind not in SYSTEM_FONTS:
        raise ValueError(f"unknown font kind {kind!r}")
    main = main_font_name()
    folder = system_fonts_dir()
    if folder is None:
        return main
    try:
        present = {name.lower(): name for name in os.listdir(folder)}  # names only: Fonts holds hundreds
    except OSError:
        return main
    for file, family in SYSTEM_FONTS[kind]:
        found = present.get(file.lower())  # Windows names are case-blind (SIMKAI.TTF)
        if found is None or not (folder / found).is_file():
            continue
        if name := _register_system_font(folder / found, family):
            return name
    return main


def _register_system_font(path: Path, family: str) -> str | None:
    key = str(path.resolve())
    with _lock:
        if key in _system:
            return _system[key]
        name = None
        try:
            tt = ttfonts.TTFont(_free_name(family), key, subfontIndex=0)
            missing = [c for c in _SAMPLE if ord(c) not in tt.face.charToGlyph]
            if missing:
                raise ValueError(f"no glyphs for {''.join(missing)}")
            pdfmetrics.registerFont(tt)
            # ReportLab maps a face registered before (the bundled font itself, under a system name) to
            # the font object already known; use that font's own name then.
            registered = pdfmetrics.getFont(tt.fontName)
            name = registered.fontName
            if registered is tt:
                pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
        except Exception as exc:  # TTFError, struct.error, OSError …: fall back to the bundled font
            _log.warning("system font %s not used: %s", key, exc)
        _system[key] = name
        return name


def _free_name(family: str) -> str:
    """``family``, or ``family-2`` … when another file was registered under it already."""
    taken = set(pdfmetrics.getRegisteredFontNames())
    name, number = family, 1
    while name in taken:
        number += 1
        name = f"{family}-{number}"
    return name


def _draws(font: ttfonts.TTFont, char: str) -> bool:
    """The font maps ``char`` to a glyph with an outline. A system font may map a character to an empty
    glyph (AR PL UKai does so for 䶮), which would print as a blank: then the next font is asked."""
    face = font.face
    glyph = face.charToGlyph.get(ord(char))
    if glyph is None:
        return False
    if char.isspace():
        return True
    positions = getattr(face, "glyphPos", None)
    return positions is None or glyph + 1 >= len(positions) or positions[glyph + 1] > positions[glyph]


def _chain(font: str) -> tuple[ttfonts.TTFont, ...]:
    """``font`` then the bundled fonts, for the glyph fallback."""
    chain = _chains.get(font)
    if chain is None:
        primary = pdfmetrics.getFont(font)
        if not isinstance(primary, ttfonts.TTFont):
            raise ValueError(f"{font!r} is not a TrueType font")
        chain = (primary, *(f for f in _fonts if f.fontName != font))
        _chains[font] = chain
    return chain


# ---------------------------------------------------------------- styles


def stylesheet() -> StyleSheet1:
    """The named styles of every document, all in the bundled font with CJK line breaking:
    title, subtitle, heading, body (first line indented two characters), note (a plain line),
    small, cell, cell_centre, cell_header."""
    font = main_font_name()
    sheet = StyleSheet1()
    base = ParagraphStyle("base", fontName=font, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.5, wordWrap="CJK")
    for style in (
        ParagraphStyle("title", base, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=4 * mm),
        ParagraphStyle("subtitle", base, alignment=TA_CENTER, spaceAfter=4 * mm),
        ParagraphStyle("heading", base, fontSize=14, leading=20, spaceBefore=3 * mm, spaceAfter=2 * mm),
        ParagraphStyle("body", base, fontSize=12, leading=20, firstLineIndent=24),
        ParagraphStyle("note", base),
        ParagraphStyle("small", base, fontSize=9, leading=13),
        ParagraphStyle("cell", base, fontSize=9, leading=12),
        ParagraphStyle("cell_centre", base, fontSize=9, leading=12, alignment=TA_CENTER),
        ParagraphStyle("cell_header", base, fontSize=9.5, leading=12, alignment=TA_CENTER),
    ):
        sheet.add(style)
    return sheet


def table_style(*commands: tuple, grid: bool = True) -> TableStyle:
    """A TableStyle in the bundled font — ReportLab's Table otherwise selects Helvetica for every
    cell, even one holding a Paragraph, and the PDF gains an unembedded font — with a sheet's
    look (black grid, grey header row, cells vertically centred) unless ``grid`` is false,
    then ``commands``."""
    sheet = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    return TableStyle([("FONT", (0, 0), (-1, -1), main_font_name(), 9), *(sheet if grid else []), *commands])


# ---------------------------------------------------------------- document


class ReportDocument(BaseDocTemplate):
    """A4 pages with GB/T 9704-like margins: a "first" page template, then "later" pages that
    repeat ``running_header`` above the text block. Metadata in Chinese; the canvas starts in
    the bundled font, so no unembedded Helvetica enters the file."""

    def __init__(self, filename: str, *, title: str, author: str, landscape: bool = False,
                 running_header: str = "") -> None:
        super().__init__(
            filename,
            pagesize=page_size(landscape),
            topMargin=MARGINS.top, bottomMargin=MARGINS.bottom,
            leftMargin=MARGINS.left, rightMargin=MARGINS.right,
            title=title, author=author, subject=title, creator=f"{APP_NAME} {__version__}", lang="zh-CN",
            displayDocTitle=True, initialFontName=main_font_name(), initialFontSize=BODY_SIZE,
        )
        self.running_header = running_header

        def frame() -> Frame:
            return Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                         leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

        self.addPageTemplates([
            PageTemplate("first", [frame()], autoNextPageTemplate="later"),
            PageTemplate("later", [frame()], onPage=self._draw_running_header),
        ])

    def _draw_running_header(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        if self.running_header:
            top = self.pagesize[1] - self.topMargin
            draw_string(canvas, self.leftMargin + self.width / 2, top + 4 * mm, self.running_header,
                        FOOTER_SIZE, align="centre")


class _NumberedCanvas(Canvas):
    """Keeps each page until the end, then draws "第 N 页 共 M 页" on all of them."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            width = self._pagesize[0]
            centre = MARGINS.left + (width - MARGINS.left - MARGINS.right) / 2
            draw_string(self, centre, MARGINS.bottom - 7 * mm - FOOTER_SIZE,
                        f"第 {self._pageNumber} 页 共 {total} 页", FOOTER_SIZE, align="centre")
            super().showPage()
        super().save()


def write_pdf(out: Path, story: Sequence[Flowable], *, title: str, author: str, landscape: bool = False,
              running_header: str = "") -> int:
    """Build ``story`` into the PDF file ``out`` and return its page count. The file is written
    beside ``out`` under a temporary name and moved into place at the end, so a failed render
    leaves any earlier ``out`` as it was and no partial file."""
    out = output_target(out)
    register_fonts()
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.tmp")
    try:
        doc = ReportDocument(str(tmp), title=title, author=author, landscape=landscape,
                             running_header=running_header)
        doc.build(list(story), canvasmaker=_NumberedCanvas)
        os.replace(tmp, out)
    except LayoutError as exc:
        raise AppError("有一项内容太长，一页纸排不下，请把它缩短后再打印。") from exc
    except OSError as exc:
        raise AppError(f"无法保存文件“{out}”：{exc.strerror or exc}。"
                       "如果该文件正在其他程序中打开，请先关闭它再试。") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return doc.page


# ---------------------------------------------------------------- documents drawn on a canvas


@contextmanager
def atomic_output(out: Path) -> Iterator[Path]:
    """A temporary path beside ``out`` to write to; moved onto ``out`` when the block ends without an
    error, removed otherwise, so a failed or cancelled render leaves any earlier ``out`` as it was.
    An OSError (the file open in another program, a read-only folder) becomes an AppError naming it."""
    out = output_target(out)
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.tmp")
    try:
        yield tmp
        os.replace(tmp, out)
    except OSError as exc:
        raise AppError(f"无法保存文件“{out}”：{exc.strerror or exc}。"
                       "如果该文件正在其他程序中打开，请先关闭它再试。") from exc
    finally:
        tmp.unlink(missing_ok=True)


def write_canvas_pdf(out: Path, draw: Callable[[Canvas], int], *, pagesize: tuple[float, float], title: str,
                     author: str) -> int:
    """A document drawn directly on a canvas (certificates, calibration sheets — no flowing text, no
    page numbers): ``draw(canvas)`` draws the pages, ending each with ``showPage()``, and returns how
    many it drew. Written atomically as ``write_pdf`` writes; metadata in Chinese; the canvas starts
    in the bundled font, so no unembedded Helvetica enters the file."""
    register_fonts()
    with atomic_output(Path(out)) as tmp:
        canvas = Canvas(str(tmp), pagesize=pagesize, initialFontName=main_font_name(), initialFontSize=BODY_SIZE,
                        lang="zh-CN")
        canvas.setTitle(title)
        canvas.setAuthor(author)
        canvas.setSubject(title)
        canvas.setCreator(f"{APP_NAME} {__version__}")
        canvas.setViewerPreference("DisplayDocTitle", "true")
        pages = draw(canvas)
        canvas.save()
    return pages
