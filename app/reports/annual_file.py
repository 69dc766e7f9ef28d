"""党员年度档案: the printed yearly file of each member — a cover, then the sheets (基本信息, 年度记实, 组织生活,
志愿服务与双报到, 党费, 奖惩情况, 民主评议与星级评定, 党组织书记评语) and the signature lines.

Takes the plain rows of ``app.reports.annual_data`` (never a session). Two ways out:

- :func:`render_annual_file`: one PDF for a batch, a bookmark per member (name and branch), optionally a
  table of contents at the front;
- :func:`render_per_member`: one PDF per member, ``姓名_身份证后4位_年度.pdf``, optionally in two worker
  processes.

Decisions:

- **Page numbers per member.** A member's sheets are numbered "第 N 页 共 M 页" from their first sheet; the
  cover, as in a bound file, shows no number. ``_AnnualCanvas`` holds the pages of one member only and
  writes them out when the next member's cover is drawn, knowing M — the base's canvas holds every page
  to the end, which for a batch of 1,000 members would keep the whole file in memory.
- **Table of contents in one pass.** ``multiBuild`` would lay out the whole batch twice. Here every TOC
  row is exactly one fixed-height line (a name or path too long for its column is set smaller, then
  shortened with …), so the number of TOC pages follows from the number of members before anything is
  drawn. Each row's page number is a PDF form XObject that the TOC uses before it exists; the member's
  cover defines it when drawn, with the page it landed on (forms are resolved when the file is saved).
  The numbers are the file's own page numbers (TOC pages included); with a TOC every page also shows
  "总第 N 页" small at the bottom right, so the printed stack can be searched by them too.
- **Outline (bookmarks)**: an entry per member, "姓名（所在党组织）", added when the member's pages are written
  (so each points at the right page although pages are held back).
- **The story is built member by member** and fed to the document one member at a time (``build_members``):
  memory stays that of one member, and progress/cancel is checked between members.
- **Photos** are decoded once with Pillow before use: anything that is not an image (or a truncated one)
  gets the empty "照片" box, never an error. JPEGs of a sensible size are embedded as they are; other
  formats and very large photos are re-encoded at 300 dpi of the box.
- **Sections.** A member without records gets the cover, 基本信息, "本年度无记实记录。", 民主评议与星级评定 and
  the signatures — no page of empty tables. Otherwise every section prints, "无" where a value is absent.
  The signature lines keep with the last section (书记评语), so they never stand alone on a page. Notes are
  paragraphs, free to flow over pages; the tables repeat their header row and split inside a row when a
  remark is taller than a page (``splitInRow``), rather than failing the whole batch.
- **Speed.** Table cells whose text fits one line in the sheets' font are plain strings, drawn by the table
  directly; a Paragraph (parsing, CJK line breaking, drawing) only where text wraps or needs a fallback
  font. That halved the render time. Which font draws each character is remembered (``_runs``): the
  per-character test of a system font's fallback chain cost a tenth of the time. Without ReportLab's C accelerator (the ``rl-accel`` package, not
  installed here) a third of what remains is ReportLab's pure-Python number formatting, string widths and
  ASCII85 encoding.
- **Font.** An official sheet: 仿宋 when the system has it (``preferred_font("fangsong")``, chosen once per
  render in ``_Styles``) for what is read — the paragraphs, every table cell (the tables' FONT is that font
  too, so the plain-string cells are drawn in it, and ``_p`` measures in it), the cover's lines, the
  contents' rows, the signatures; the bundled 黑体-like font for the headings (emboldened), the cover's
  title and year, the running header and the page numbers. Rare characters fall back to the bundled fonts
  either way. Without a system 仿宋 every text is in the bundled font, as before. (The price of the two
  faces: each file embeds a subset of both, which makes a one-member file some 10 % slower to write.)
- **Workers.** ``render_per_member(workers=2)`` renders in a ``ProcessPoolExecutor`` started with
  ``spawn`` (safe from a Qt program's worker thread, and in the PyInstaller bundle with
  ``freeze_support``); each process registers the fonts once — the system 仿宋 too, found as the calling
  process finds it (the environment, ``DANGJIAN_SYSTEM_FONTS_DIR`` or ``WINDIR``, is inherited; the PDF
  names a font by its own PostScript name, not by the name it was registered under). The file names are
  chosen in the calling process before any is written, so two members of the same name and ID tail cannot
  race for one name.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Frame,
    KeepTogether,
    LayoutError,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)
from reportlab.platypus.doctemplate import ActionFlowable

from app.errors import AppError
from app.evaluation import STAR_NAMES
from app.evaluation_records import format_hours
from app.paths import output_target
from app.reports.annual_data import RECORD_KINDS, AnnualFile, EvaluationEntry, NoteEntry, yuan
from app.reports.base import (
    FOOTER_SIZE,
    MARGINS,
    ReportDocument,
    font_runs,
    main_font_name,
    markup,
    page_size,
    paragraph,
    preferred_font,
    register_fonts,
    stylesheet,
    table_style,
)
from app.settings import CommunitySettings

NONE = "无"  # official sheets leave no cell blank (DOMAIN.md)
NO_RECORDS = "本年度无记实记录。"
TITLE = "党员年度档案"
RED_HEX = "#B5121B"
RED = colors.HexColor(RED_HEX)
GREY = colors.HexColor("#666666")
LIGHT = colors.HexColor("#B8B8B8")
LABEL_BG = colors.HexColor("#F2F2F2")
PAGE_W, PAGE_H = page_size()
TEXT_W = PAGE_W - MARGINS.left - MARGINS.right  # 156 mm
TEXT_H = PAGE_H - MARGINS.top - MARGINS.bottom  # 225 mm
CELL_PAD = 3  # pt left and right of a cell
PHOTO_W, PHOTO_H = 26 * mm, 35 * mm  # the box of a 1-inch photo (25 × 35 mm) with a hair of air
PHOTO_DPI = 300
MAX_JPEG_SIDE = 1200  # px; a bigger photo is re-encoded (a 12-megapixel phone photo would weigh MBs a page)

# The table of contents: every row one fixed-height line, so its page count is known from the member count.
TOC_ROW = 7.5 * mm
TOC_HEAD_ROW = 8 * mm
TOC_TITLE_BLOCK = 30 * mm
TOC_FIRST_ROWS = int((TEXT_H - TOC_TITLE_BLOCK - TOC_HEAD_ROW) // TOC_ROW)
TOC_LATER_ROWS = int((TEXT_H - TOC_HEAD_ROW) // TOC_ROW)
TOC_WIDTHS = (14 * mm, 34 * mm, 84 * mm, 24 * mm)

Progress = Callable[[int, int], object]  # returns False to cancel
_WINDOWS_ILLEGAL = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_DIGITS = "〇一二三四五六七八九"


class PrintCancelled(AppError):
    def __init__(self) -> None:
        super().__init__("已取消打印，没有生成文件。")


def _cancelled(progress: Progress | None, done: int, total: int) -> bool:
    return progress is not None and progress(done, total) is False


# ---------------------------------------------------------------- small helpers


def _date(value: date | None) -> str:
    return value.isoformat() if value else NONE


def _or_none(text: str | None) -> str:
    return (text or "").strip() or NONE


def _chinese_date(day: date) -> str:
    """二〇二六年一月二十日, as an official document dates itself."""
    def number(n: int) -> str:
        if n < 10:
            return _DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")

    return "".join(_DIGITS[int(d)] for d in str(day.year)) + f"年{number(day.month)}月{number(day.day)}日"


_own_chars: dict[str, set[str]] = {}  # font name → characters font_runs was seen to leave in that font


def _runs(text: str, font: str | None = None) -> list[tuple[str, str]]:
    """``base.font_runs(text, font)``, remembered per character: a text whose every character ``font_runs``
    left in ``font`` before (nearly every text) is one run without its per-character test again — that
    test, for a system font, was a tenth of a sheet's time. The same result: font_runs decides each
    character on its own."""
    name = font or main_font_name()
    own = _own_chars.setdefault(name, set())
    if own.issuperset(text):
        return [(name, text)] if text else []
    runs = font_runs(text, font)
    for run_font, run in runs:
        if run_font == name:
            own.update(run)
    return runs


def _width(text: str, size: float, font: str | None = None) -> float:
    """``base.string_width`` through ``_runs``."""
    return sum(pdfmetrics.stringWidth(run, name, size) for name, run in _runs(text, font))


def draw_text(canv: Canvas, x: float, y: float, text: str, size: float, *, align: str = "left",
              bold: bool = False, color=colors.black, spacing: float = 0.0, font: str | None = None) -> float:
    """One line with glyph fallback (as ``base.draw_string``; ``font`` the primary font, None: the bundled
    one), optionally letter-spaced and emboldened (the bundled font has no bold face: the glyphs are filled
    and stroked with a hairline). Returns the width."""
    runs = _runs(text, font)
    width = sum(pdfmetrics.stringWidth(run, name, size) for name, run in runs) + spacing * max(len(text) - 1, 0)
    if align != "left":
        x -= width / (2 if align == "centre" else 1)
    plain = color is colors.black and not bold and not spacing  # Tc and Tr outlive the text object
    if not plain:
        canv.saveState()
        canv.setFillColor(color)
        if bold:
            canv.setStrokeColor(color)
            canv.setLineWidth(size * 0.035)
    line = canv.beginText(x, y)
    if spacing:
        line.setCharSpace(spacing)
    if bold:
        line.setTextRenderMode(2)
    for name, run in runs:
        line.setFont(name, size)
        line.textOut(run)
    canv.drawText(line)
    if not plain:
        canv.restoreState()
    return width


def _fit(text: str, width: float, size: float, smallest: float, font: str | None = None) -> tuple[str, float]:
    """``text`` at the largest size from ``size`` down to ``smallest`` that fits ``width`` in ``font`` (None:
    the bundled one); shortened with … when even the smallest does not."""
    while size > smallest and _width(text, size, font) > width:
        size -= 0.5
    if _width(text, size, font) <= width:
        return text, size
    while text and _width(text + "…", size, font) > width:
        text = text[:-1]
    return text + "…", size


def safe_file_name(text: str) -> str:
    """``text`` usable as a file name on Windows too: illegal characters become _, no trailing dot or space."""
    cleaned = _WINDOWS_ILLEGAL.sub("_", text).strip().rstrip(". ")
    return cleaned or "未命名"


# ---------------------------------------------------------------- photos


def photo_reader(data: bytes | None) -> ImageReader | None:
    """The photo ready to draw, or None when there is none or it is not a readable image."""
    if not data:
        return None
    try:
        from PIL import Image

        with Image.open(BytesIO(data)) as image:
            image.load()  # decodes it all: a truncated file fails here, not while the PDF is drawn
            if image.width < 1 or image.height < 1:
                return None
            if image.format == "JPEG" and image.mode in ("RGB", "L") and max(image.size) <= MAX_JPEG_SIDE:
                return ImageReader(BytesIO(data))  # embedded as it is (no re-encoding)
            target = (round(PHOTO_W / 72 * PHOTO_DPI), round(PHOTO_H / 72 * PHOTO_DPI))
            converted = image.convert("RGB")
            converted.thumbnail(target)
            out = BytesIO()
            converted.save(out, "JPEG", quality=88)
            out.seek(0)
            return ImageReader(out)
    except Exception:  # noqa: BLE001 — any undecodable data (Pillow raises many kinds) is "no photo"
        return None


class _PhotoBox(Flowable):
    """A framed 1-inch photo box: the photo fitted inside, or 照片 when there is none."""

    def __init__(self, reader: ImageReader | None) -> None:
        super().__init__()
        self.reader = reader
        self.width, self.height = PHOTO_W, PHOTO_H

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setStrokeColor(GREY)
        canv.setLineWidth(0.6)
        canv.rect(0, 0, self.width, self.height)
        if self.reader is not None:
            inset = 1.2
            iw, ih = self.reader.getSize()
            scale = min((self.width - 2 * inset) / iw, (self.height - 2 * inset) / ih)
            w, h = iw * scale, ih * scale
            canv.drawImage(self.reader, (self.width - w) / 2, (self.height - h) / 2, w, h)
        else:
            draw_text(canv, self.width / 2, self.height / 2 - 4, "照片", 11, align="centre", color=GREY)
        canv.restoreState()


# ---------------------------------------------------------------- the canvas and the document


class _AnnualCanvas(Canvas):
    """Holds the pages of one member and writes them when the next member's cover begins (``begin_member``)
    or at the end: "第 N 页 共 M 页" over the member's sheets (not the cover), "总第 N 页" when asked,
    and the member's outline entry on the cover's page."""

    global_numbers = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[dict] = []
        self._held_cover = False  # the held group starts with a cover (unnumbered)
        self._marks: list[tuple[str, str]] = []  # outline entries (key, title) of the page being drawn

    def begin_member(self, key: str, title: str) -> None:
        """Called on a member's cover page, before anything is held for it."""
        self._flush()
        self._held_cover = True
        self._marks.append((key, title))

    def mark(self, key: str, title: str) -> None:
        self._marks.append((key, title))

    def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
        self._held.append(dict(self.__dict__))
        self._startPage()
        self._marks = []

    def save(self) -> None:
        self._flush()
        super().save()

    def _flush(self) -> None:
        held, self._held = self._held, []
        if not held:
            return
        cover = self._held_cover
        current = dict(self.__dict__)
        numbered = len(held) - (1 if cover else 0)
        centre = MARGINS.left + TEXT_W / 2
        baseline = MARGINS.bottom - 7 * mm - FOOTER_SIZE
        for index, state in enumerate(held):
            self.__dict__.update(state)
            number = index + (0 if cover else 1)
            self.saveState()
            if number:
                draw_text(self, centre, baseline, f"第 {number} 页 共 {numbered} 页", FOOTER_SIZE, align="centre")
            if self.global_numbers:
                draw_text(self, PAGE_W - MARGINS.right, baseline, f"总第 {self._pageNumber} 页", 7.5,
                          align="right", color=GREY)
            self.restoreState()
            for key, title in self._marks:
                self.bookmarkPage(key, fit="XYZ", top=PAGE_H)
                self.addOutlineEntry(title, key, level=0)
            Canvas.showPage(self)
        self.__dict__.update(current)


class _AnnualDocument(ReportDocument):
    """The base's A4 document with three templates: ``cover`` (nothing around the cover), ``sheet``
    (running header and a hairline under it) and ``toc``."""

    def __init__(self, filename: str, *, title: str, author: str, toc: bool) -> None:
        super().__init__(filename, title=title, author=author)

        def frame() -> Frame:
            return Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                         leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

        self.pageTemplates = [
            PageTemplate("toc", [frame()], onPage=self._draw_toc_header),
            PageTemplate("cover", [frame()], autoNextPageTemplate="sheet"),
            PageTemplate("sheet", [frame()], onPage=self._draw_sheet_header),
        ]
        self._firstPageTemplateIndex = 0 if toc else 1

    def _draw_sheet_header(self, canv: Canvas, doc) -> None:
        top = PAGE_H - MARGINS.top
        if self.running_header:
            draw_text(canv, MARGINS.left + TEXT_W / 2, top + 6 * mm, self.running_header, FOOTER_SIZE,
                      align="centre", color=GREY)
        canv.saveState()
        canv.setStrokeColor(LIGHT)
        canv.setLineWidth(0.5)
        canv.line(MARGINS.left, top + 4 * mm, MARGINS.left + TEXT_W, top + 4 * mm)
        canv.restoreState()

    def _draw_toc_header(self, canv: Canvas, doc) -> None:
        if self.page > 1:  # the contents' continuation pages: "…目录（续）" (set by the contents' story)
            self._draw_sheet_header(canv, doc)

    def build_members(self, stories: Iterable[list[Flowable]], canvasmaker) -> None:
        """ReportLab's ``build`` loop fed one member's flowables at a time: its ``build`` wants the whole
        story as one list (and deletes from its front, quadratic in the story's length)."""
        self._startBuild(None, canvasmaker)
        canv = self.canv
        saved_info = canv._doc.info
        try:
            canv._doctemplate = self
            for flowables in stories:
                while flowables:
                    self.clean_hanging()
                    self.handle_flowable(flowables)
        finally:
            del canv._doctemplate
        canv._doc.info = saved_info
        self._endBuild()


class _RunningHeader(ActionFlowable):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def apply(self, doc) -> None:
        doc.running_header = self.text


# ---------------------------------------------------------------- the cover


class _Cover(Flowable):
    """The whole cover page: a double red frame, the title, the year, a red rule, the member's lines and the
    committee at the foot. Starts the member on the canvas (numbering, outline, the TOC's page number)."""

    def __init__(self, file: AnnualFile, committee: str, key: str, toc_form: str | None, font: str) -> None:
        super().__init__()
        self.file, self.committee, self.key, self.toc_form, self.font = file, committee, key, toc_form, font

    def wrap(self, available_width, available_height):
        return available_width, available_height

    def draw(self) -> None:
        canv, f, font = self.canv, self.file, self.font
        basics = f.basics
        title = f"{basics.name}（{basics.org_path or basics.branch}）"
        if isinstance(canv, _AnnualCanvas):
            canv.begin_member(self.key, title)
        if self.toc_form:
            page = canv.getPageNumber()
            canv.beginForm(self.toc_form, lowerx=-80, lowery=-6, upperx=2, uppery=16)
            draw_text(canv, 0, 0, str(page), 10, align="right", font=font)
            canv.endForm()

        canv.saveState()
        canv.translate(-MARGINS.left, -MARGINS.bottom)  # page coordinates
        cx = PAGE_W / 2
        canv.setStrokeColor(RED)
        canv.setLineWidth(1.6)
        canv.rect(18 * mm, 18 * mm, PAGE_W - 36 * mm, PAGE_H - 36 * mm)
        canv.setLineWidth(0.5)
        canv.rect(20 * mm, 20 * mm, PAGE_W - 40 * mm, PAGE_H - 40 * mm)

        draw_text(canv, cx, PAGE_H - 100 * mm, TITLE, 34, align="centre", bold=True, color=RED, spacing=9)
        draw_text(canv, cx, PAGE_H - 118 * mm, f"{f.year} 年度", 18, align="centre", spacing=2)
        canv.setStrokeColor(RED)
        canv.setLineWidth(1.4)
        canv.line(cx - 52 * mm, PAGE_H - 128 * mm, cx + 52 * mm, PAGE_H - 128 * mm)
        canv.setLineWidth(0.5)
        canv.line(cx - 52 * mm, PAGE_H - 129.6 * mm, cx + 52 * mm, PAGE_H - 129.6 * mm)

        lines = (
            ("姓　　名", basics.name),
            ("所在党组织", basics.org_path or basics.branch),
            ("建档单位", self.committee or NONE),
            ("建档日期", f"{f.made_on.year} 年 {f.made_on.month} 月 {f.made_on.day} 日"),
        )
        label_right, line_left, line_right = cx - 34 * mm, cx - 31 * mm, cx + 58 * mm
        y = PAGE_H - 170 * mm
        for label, value in lines:
            draw_text(canv, label_right, y, label, 14, align="right", spacing=0.5, font=font)
            draw_text(canv, label_right + 1.5 * mm, y, "：", 14, font=font)
            text, size = _fit(value or NONE, line_right - line_left - 4 * mm, 14, 9, font)
            draw_text(canv, (line_left + line_right) / 2, y, text, size, align="centre", font=font)
            canv.setStrokeColor(colors.black)
            canv.setLineWidth(0.6)
            canv.line(line_left, y - 2.2 * mm, line_right, y - 2.2 * mm)
            y -= 15 * mm

        foot = self.committee or NONE
        text, size = _fit(foot, 120 * mm, 16, 11, font)
        draw_text(canv, cx, 52 * mm, text, size, align="centre", spacing=1, font=font)
        draw_text(canv, cx, 42 * mm, _chinese_date(f.made_on), 13, align="centre", font=font)
        canv.restoreState()


# ---------------------------------------------------------------- the table of contents


@dataclass(frozen=True)
class _TocRow:
    number: int
    name: str
    org: str
    form: str


def toc_pages(members: int) -> int:
    """Pages the table of contents of ``members`` members takes (each row one line of fixed height)."""
    if members <= TOC_FIRST_ROWS:
        return 1
    return 1 + math.ceil((members - TOC_FIRST_ROWS) / TOC_LATER_ROWS)


class _TocPage(Flowable):
    """One page of the table of contents, drawn row by row at fixed heights."""

    def __init__(self, rows: Sequence[_TocRow], title: str, subtitle: str, first: bool, font: str) -> None:
        super().__init__()
        self.rows, self.title, self.subtitle, self.first, self.font = rows, title, subtitle, first, font

    def wrap(self, available_width, available_height):
        return available_width, available_height

    def draw(self) -> None:
        canv, font = self.canv, self.font
        top = TEXT_H
        if self.first:
            if isinstance(canv, _AnnualCanvas):
                canv.mark("toc", "目录")
            draw_text(canv, TEXT_W / 2, top - 10 * mm, self.title, 18, align="centre", bold=True, spacing=1)
            draw_text(canv, TEXT_W / 2, top - 19 * mm, self.subtitle, 10.5, align="centre", color=GREY, font=font)
            top -= TOC_TITLE_BLOCK
        xs = [0.0]
        for w in TOC_WIDTHS:
            xs.append(xs[-1] + w)
        canv.saveState()
        canv.setFillColor(LABEL_BG)
        canv.rect(0, top - TOC_HEAD_ROW, TEXT_W, TOC_HEAD_ROW, stroke=0, fill=1)
        canv.setStrokeColor(colors.black)
        canv.setLineWidth(0.8)
        canv.line(0, top, TEXT_W, top)
        canv.line(0, top - TOC_HEAD_ROW, TEXT_W, top - TOC_HEAD_ROW)
        canv.restoreState()
        for i, head in enumerate(("序号", "姓名", "所在党组织", "页码")):
            align = "centre" if i != 2 else "left"
            x = (xs[i] + xs[i + 1]) / 2 if align == "centre" else xs[i] + 2 * mm
            draw_text(canv, x, top - TOC_HEAD_ROW + 2.6 * mm, head, 10, align=align, bold=True)
        y = top - TOC_HEAD_ROW
        for row in self.rows:
            base = y - TOC_ROW + 2.4 * mm
            draw_text(canv, (xs[0] + xs[1]) / 2, base, str(row.number), 10, align="centre", font=font)
            name, size = _fit(row.name, TOC_WIDTHS[1] - 4 * mm, 10.5, 7, font)
            draw_text(canv, (xs[1] + xs[2]) / 2, base, name, size, align="centre", font=font)
            org, size = _fit(row.org or NONE, TOC_WIDTHS[2] - 4 * mm, 10, 7, font)
            draw_text(canv, xs[2] + 2 * mm, base, org, size, font=font)
            canv.saveState()
            canv.translate(xs[4] - 5 * mm, base)
            canv.doForm(row.form)
            canv.restoreState()
            y -= TOC_ROW
            canv.saveState()
            canv.setStrokeColor(LIGHT)
            canv.setLineWidth(0.4)
            canv.line(0, y, TEXT_W, y)
            canv.restoreState()


# ---------------------------------------------------------------- the sheets


class _Heading(Flowable):
    """A section heading: 一、基本信息 — a short red bar, the text emboldened, a hairline to the right."""

    def __init__(self, text: str, size: float = 13.5) -> None:
        super().__init__()
        self.text, self.size = text, size
        self.spaceBefore, self.spaceAfter = 5 * mm, 2.5 * mm
        self.keepWithNext = True

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, self.size * 1.5

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setFillColor(RED)
        canv.rect(0, 1.5, 3, self.size + 1, stroke=0, fill=1)
        width = draw_text(canv, 7, 3, self.text, self.size, bold=True)
        canv.setStrokeColor(LIGHT)
        canv.setLineWidth(0.5)
        canv.line(7 + width + 4 * mm, 3 + self.size / 3, self.width, 3 + self.size / 3)
        canv.restoreState()


class _SubHeading(Flowable):
    """A note's or a sub-table's title on the left (a heading: the bundled font), and grey details (记实人、日期)
    on the right in ``font``."""

    def __init__(self, text: str, detail: str = "", font: str | None = None) -> None:
        super().__init__()
        self.text, self.detail, self.font = text, detail, font
        self.spaceBefore, self.spaceAfter = 2.5 * mm, 1 * mm
        self.keepWithNext = True

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, 15

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setFillColor(RED)
        canv.circle(2, 6.5, 1.6, stroke=0, fill=1)
        canv.restoreState()
        draw_text(self.canv, 7, 3, self.text, 11, bold=True)
        if self.detail:
            draw_text(self.canv, self.width, 3, self.detail, 9, align="right", color=GREY, font=self.font)


class _RightLine(Flowable):
    """A small grey line set to the right (填写人 and 日期), its spacing kept as typed."""

    def __init__(self, text: str, font: str) -> None:
        super().__init__()
        self.text, self.font = text, font

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, 14

    def draw(self) -> None:
        draw_text(self.canv, self.width, 3, self.text, 9, align="right", color=GREY, font=self.font)


class _Signatures(Flowable):
    """本人签字 and 党组织书记签字 with dates, on drawn lines, and the place of the seal."""

    HEIGHT = 38 * mm  # with 10 mm of air above the first line

    def __init__(self, font: str) -> None:
        super().__init__()
        self.font = font

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, self.HEIGHT

    def draw(self) -> None:
        canv, font = self.canv, self.font
        label_right = 36 * mm
        y = self.HEIGHT - 10 * mm
        for label in ("本人签字：", "党组织书记签字："):
            draw_text(canv, label_right, y, label, 12, align="right", font=font)
            x = label_right + 1 * mm
            segments = ((40 * mm, "日期："), )
            canv.saveState()
            canv.setLineWidth(0.6)
            canv.line(x, y - 1.5 * mm, x + segments[0][0], y - 1.5 * mm)
            canv.restoreState()
            x += segments[0][0] + 6 * mm
            x += draw_text(canv, x, y, "日期：", 12, font=font)
            for width, unit in ((16 * mm, "年"), (10 * mm, "月"), (10 * mm, "日")):
                canv.saveState()
                canv.setLineWidth(0.6)
                canv.line(x + 0.5 * mm, y - 1.5 * mm, x + width - 0.5 * mm, y - 1.5 * mm)
                canv.restoreState()
                x += width
                x += draw_text(canv, x, y, unit, 12, font=font)
            y -= 14 * mm
        draw_text(canv, self.width - 6 * mm, 3 * mm, "（党组织盖章）", 11, align="right", color=GREY, font=font)


class _Styles:
    """The sheets' font — 仿宋 when the system has it, else the bundled font — and their paragraph styles
    in it, on the base's stylesheet."""

    def __init__(self) -> None:
        base = stylesheet()
        self.font = font = preferred_font("fangsong")
        self.cell = ParagraphStyle("annual_cell", base["cell"], fontName=font)
        # leading 12 for 10 pt: a paragraph then sits at the same height as a label string beside it
        self.value = ParagraphStyle("annual_value", base["cell"], fontName=font, fontSize=10, leading=12)
        self.text = ParagraphStyle("annual_text", base["body"], fontName=font, fontSize=10.5, leading=18.5,
                                   firstLineIndent=21, spaceAfter=1)
        self.line = ParagraphStyle("annual_line", base["note"], fontName=font, fontSize=10.5, leading=16)
        self.small = ParagraphStyle("annual_small", base["note"], fontName=font, fontSize=9, leading=13,
                                    textColor=GREY)
        self.empty = ParagraphStyle("annual_empty", base["note"], fontName=font, fontSize=10.5, leading=16,
                                    leftIndent=7)
        self.big_empty = ParagraphStyle("annual_big_empty", base["note"], fontName=font, fontSize=12, leading=20,
                                        alignment=TA_CENTER, spaceBefore=4 * mm, spaceAfter=4 * mm)


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of plain text in its style's font, with glyph fallback (``base.paragraph``; a line all in
    that font is its escaped text, as ``base.markup`` makes it)."""
    font = style.fontName
    if "\n" not in text:
        runs = _runs(text, font)
        if len(runs) == 1 and runs[0][0] == font:
            return Paragraph(escape(text), style)
    return paragraph(text, style, font)


def _table_style(font: str, *commands: tuple):
    """The base's sheet look with every cell in ``font`` (a plain-string cell is drawn in the table's FONT)."""
    return table_style(("FONTNAME", (0, 0), (-1, -1), font), *commands)


def _sheet(rows: list[list], widths: Sequence[float], *commands: tuple, font: str, header: bool = True) -> Table:
    # splitInRow: a row with a remark of a page's length splits inside itself instead of failing the batch
    table = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1 if header else 0, splitInRow=36)
    table.setStyle(_table_style(font, ("LEADING", (0, 0), (-1, -1), 12), ("ALIGN", (0, 0), (-1, 0), "CENTRE"),
                               ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
                               ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
                               ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("BOX", (0, 0), (-1, -1), 1, colors.black),
                               *commands))
    return table


def _p(text: str | None, style: ParagraphStyle, width_mm: float | None = None) -> Paragraph | str:
    """A cell's text: a plain string when it is one line that fits ``width_mm`` in the style's font, every
    character drawn by that font (the table draws it directly — a Paragraph costs its parsing, CJK line
    breaking and drawing, the larger part of a sheet's time), else a Paragraph with glyph fallback. A plain
    string is set in the table's FONT and FONTSIZE, which ``_sheet`` and the key–value tables keep equal to
    the paragraph styles' (font and size)."""
    text = _or_none(text)
    if width_mm is not None and "\n" not in text:
        font = style.fontName
        runs = _runs(text, font)
        if len(runs) == 1 and runs[0][0] == font and \
                pdfmetrics.stringWidth(text, font, style.fontSize) <= width_mm * mm - 2 * CELL_PAD - 0.5:
            return text
    return _para(text, style)


def _basics(f: AnnualFile, st: _Styles) -> list[Flowable]:
    b = f.basics
    widths = (24, 38, 24, 38, 32)  # mm; the last column holds the photo
    value = st.value
    standing = _or_none(b.standing)
    if b.left_in_year and b.left_on:
        standing += f"（{b.left_on:%Y-%m-%d}{b.status}）"
    rows = [
        ["姓名", _p(b.name, value, 38), "性别", _p(b.sex, value, 38), _PhotoBox(photo_reader(f.photo))],
        ["民族", _p(b.ethnicity, value, 38), "出生日期", _p(_date(b.birth_date), value, 38), ""],
        ["学历", _p(b.education, value, 38), "人员类别", _p(b.category, value, 38), ""],
        ["入党日期", _p(_date(b.joined_on), value, 38), "转正日期", _p(_date(b.confirmed_on), value, 38), ""],
        ["党籍状态", _p(standing, value, 38), "党内职务", _p(b.party_post, value, 38), ""],
        ["公民身份号码", _p(b.id_number, value, 132), "", "", ""],
        ["联系电话", _p(b.phone, value, 38), "工作岗位", _p(b.occupation, value, 70), ""],
        ["所在党组织", _p(b.org_path, value, 132), "", "", ""],
        ["工作单位\n及职务", _p(b.employer, value, 132), "", "", ""],
        ["家庭住址", _p(b.address, value, 132), "", "", ""],
    ]
    # The rows beside the photo are 9.2 mm high (five make room for the photo box) unless a value needs
    # two lines; then that row grows (a fixed height would let the text run out of its cell).
    heights: list[float | None] = []
    for row in rows[:5]:
        long = any(isinstance(cell, Paragraph) and _width(cell.getPlainText(), value.fontSize, st.font)
                   > widths[col] * mm - 2 * CELL_PAD for col, cell in ((1, row[1]), (3, row[3])))
        heights.append(None if long else 9.2 * mm)
    table = Table(rows, colWidths=[w * mm for w in widths], rowHeights=heights + [None] * 5)
    table.setStyle(_table_style(st.font,
        ("FONTSIZE", (0, 0), (-1, -1), 10), ("LEADING", (0, 0), (-1, -1), 12),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD), ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 5), (-1, -1), 5), ("BOTTOMPADDING", (0, 5), (-1, -1), 6),
        ("BACKGROUND", (0, 0), (-1, 0), colors.white),
        ("BACKGROUND", (0, 0), (0, -1), LABEL_BG), ("BACKGROUND", (2, 0), (2, 4), LABEL_BG),
        ("BACKGROUND", (2, 6), (2, 6), LABEL_BG),
        ("ALIGN", (0, 0), (0, -1), "CENTRE"), ("ALIGN", (2, 0), (2, -1), "CENTRE"),
        ("ALIGN", (4, 0), (4, 4), "CENTRE"),
        ("SPAN", (4, 0), (4, 4)), ("SPAN", (1, 5), (4, 5)), ("SPAN", (3, 6), (4, 6)),
        ("SPAN", (1, 7), (4, 7)), ("SPAN", (1, 8), (4, 8)), ("SPAN", (1, 9), (4, 9)),
        ("BOX", (0, 0), (-1, -1), 1, colors.black),
    ))
    return [table]


def _note_block(note: NoteEntry | None, kind: str, st: _Styles) -> list[Flowable]:
    if note is None:
        return [_SubHeading(kind), Paragraph(NONE, st.empty)]
    detail = f"记实人：{note.written_by or NONE}　　日期：{note.written_on:%Y-%m-%d}"
    parts = [line.strip() for line in note.text.split("\n") if line.strip()] or [NONE]
    return [_SubHeading(kind, detail, st.font), *(_para(part, st.text) for part in parts)]


def _notes(f: AnnualFile, st: _Styles) -> list[Flowable]:
    if not f.notes:
        return [Paragraph(NONE, st.empty)]
    by_kind = {n.kind: n for n in f.notes}
    story: list[Flowable] = []
    for kind in RECORD_KINDS:
        story += _note_block(by_kind.get(kind), kind, st)
    return story


def _meetings(f: AnnualFile, st: _Styles) -> list[Flowable]:
    period = f"统计期间：{f.year}-01-01 至 {f.as_of.isoformat()}"
    story: list[Flowable] = [Paragraph(period, st.small), Spacer(0, 1.5 * mm)]
    if not f.attendance:
        return [*story, Paragraph("本年度无应参加的组织生活：无", st.empty)]
    rows = [["会议类型", "应参加（次）", "实参加（次）", "缺席（次）", "出勤率"]]
    for line in (*f.attendance, f.attendance_total):
        rows.append([line.kind, str(line.held), str(line.attended), str(line.absent), line.rate_text])
    story.append(_sheet(rows, (52, 26, 26, 26, 26), ("ALIGN", (0, 1), (-1, -1), "CENTRE"),
                        ("BACKGROUND", (0, -1), (-1, -1), LABEL_BG), font=st.font))
    story.append(_SubHeading("缺席情况"))
    if not f.absences:
        story.append(Paragraph(NONE, st.empty))
        return story
    rows = [["日期", "会议类型", "组织", "主题", "缺席原因"]]
    for a in f.absences:
        rows.append([a.held_on.isoformat(), _p(a.kind, st.cell, 24), _p(a.org_name, st.cell, 36),
                     _p(a.topic, st.cell, 44), _p(a.reason, st.cell, 30)])
    story.append(_sheet(rows, (22, 24, 36, 44, 30), ("ALIGN", (0, 1), (1, -1), "CENTRE"), font=st.font))
    return story


def _service(f: AnnualFile, st: _Styles) -> list[Flowable]:
    story: list[Flowable] = [_SubHeading("志愿服务")]
    if f.volunteer:
        rows = [["序号", "服务日期", "服务内容", "时长（小时）", "备注"]]
        for number, v in enumerate(f.volunteer, start=1):
            rows.append([str(number), v.served_on.isoformat(), _p(v.activity, st.cell, 72), v.hours,
                         _p(v.note, st.cell, 26)])
        total = f"全年 {len(f.volunteer)} 次，累计 {format_hours(f.volunteer_hours_tenths)} 小时"
        rows.append(["合计", total, "", "", ""])
        story.append(_sheet(rows, (12, 24, 72, 22, 26), ("ALIGN", (0, 1), (1, -1), "CENTRE"),
                            ("ALIGN", (3, 1), (3, -1), "CENTRE"), ("SPAN", (1, -1), (-1, -1)),
                            ("ALIGN", (1, -1), (-1, -1), "LEFT"), ("BACKGROUND", (0, -1), (-1, -1), LABEL_BG),
                            font=st.font))
    else:
        story.append(Paragraph(NONE, st.empty))
    story.append(_SubHeading("在职党员双报到"))
    if f.dual_reports:
        rows = [["报到单位", "报到日期", "结束日期", "服务意愿"]]
        for d in f.dual_reports:
            rows.append([_p(d.employer, st.cell, 46), d.reported_on.isoformat(),
                         d.ended_on.isoformat() if d.ended_on else "未结束", _p(d.wishes, st.cell, 62)])
        story.append(_sheet(rows, (46, 24, 24, 62), ("ALIGN", (1, 1), (2, -1), "CENTRE"), font=st.font))
    else:
        story.append(Paragraph(NONE, st.empty))
    return story


def _dues(f: AnnualFile, st: _Styles) -> list[Flowable]:
    d = f.dues
    standard = "；".join(d.standards) if d.standards else "无（未设置党费基数）"
    story: list[Flowable] = [_para(f"缴纳标准：{standard}", st.line), Spacer(0, 1.5 * mm)]
    header = ["月份", *(f"{m}月" for m in range(1, 13))]
    due = ["应缴（元）", *(yuan(m.due_fen) if m.due_fen else NONE for m in d.months)]
    paid = ["实缴（元）", *(yuan(m.paid_fen) if m.paid_fen is not None else NONE for m in d.months)]
    status = ["状态", *(m.status for m in d.months)]
    commands = [("FONTSIZE", (0, 0), (-1, -1), 8.5), ("ALIGN", (0, 0), (-1, -1), "CENTRE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1.5), ("RIGHTPADDING", (0, 0), (-1, -1), 1.5),
                ("BACKGROUND", (0, 0), (0, -1), LABEL_BG)]
    for col, month in enumerate(d.months, start=1):
        if month.in_arrears:
            commands.append(("TEXTCOLOR", (col, 3), (col, 3), RED))
    widths = (20.8, *([11.266] * 12))
    story.append(_sheet([header, due, paid, status], widths, *commands, font=st.font))
    story.append(Spacer(0, 1.5 * mm))
    summary = f"全年应缴 {yuan(d.due_fen)} 元，实缴 {yuan(d.paid_fen)} 元；欠缴情况：{d.arrears_text}。"
    story.append(_para(summary, st.line))
    return story


def _rewards(f: AnnualFile, st: _Styles) -> list[Flowable]:
    if not f.rewards:
        return [Paragraph(NONE, st.empty)]
    rows = [["类别", "决定日期", "奖惩名称", "决定机关", "备注"]]
    for r in f.rewards:
        rows.append([_p(r.kind, st.cell, 16), r.decided_on.isoformat(), _p(r.title, st.cell, 54),
                     _p(r.decided_by, st.cell, 36), _p(r.note, st.cell, 26)])
    return [_sheet(rows, (16, 24, 54, 36, 26), ("ALIGN", (0, 1), (1, -1), "CENTRE"), font=st.font)]


def _grade_text(e: EvaluationEntry) -> str:
    if not e.opened:
        return NONE
    if not e.graded:
        return "预备党员不参加民主评议"
    return e.grade or NONE


def _evaluation(f: AnnualFile, st: _Styles) -> list[Flowable]:
    e = f.evaluation
    value = st.value
    if e.stars:
        stars = (f'<font color="{RED_HEX}">{markup("★" * e.stars, st.font)}</font>'
                 f'<font color="#BBBBBB">{markup("☆" * (5 - e.stars), st.font)}</font>'
                 f'{markup("　" + STAR_NAMES.get(e.stars, ""), st.font)}')
        stars_cell = Paragraph(stars, ParagraphStyle("annual_stars", value, fontSize=12, leading=15))
    else:
        stars_cell = Paragraph(NONE, value)
    if not e.opened:
        state = NONE
    elif e.approved_on:
        state = f"已批准（{e.approved_on:%Y-%m-%d}）"
    else:
        state = "未批准"
    adjustment = NONE
    if e.adjustment is not None:
        adjustment = f"支部调整为{STAR_NAMES.get(e.adjustment, e.adjustment)}：{_or_none(e.adjustment_reason)}"
    rows = [
        ["民主评议等次", _p(_grade_text(e), value, 50), "评议日期", _date(e.grade_decided_on)],
        ["星级评定", stars_cell, "评定总分", f"{e.total} 分" if e.total is not None else NONE],
        ["证书编号", _or_none(e.certificate), "评定状态", state],
        ["星级调整", _p(adjustment, value, 128), "", ""],
    ]
    table = Table(rows, colWidths=[w * mm for w in (28, 50, 28, 50)], rowHeights=[9.2 * mm] * 3 + [None])
    table.setStyle(_table_style(st.font,
        ("FONTSIZE", (0, 0), (-1, -1), 10), ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD), ("BACKGROUND", (0, 0), (-1, 0), colors.white),
        ("BACKGROUND", (0, 0), (0, -1), LABEL_BG), ("BACKGROUND", (2, 0), (2, 2), LABEL_BG),
        ("ALIGN", (0, 0), (0, -1), "CENTRE"), ("ALIGN", (2, 0), (2, -1), "CENTRE"),
        ("SPAN", (1, 3), (3, 3)), ("TOPPADDING", (0, 3), (-1, 3), 5), ("BOTTOMPADDING", (0, 3), (-1, 3), 6),
        ("BOX", (0, 0), (-1, -1), 1, colors.black),
    ))
    return [table]


def _comment(f: AnnualFile, st: _Styles) -> list[Flowable]:
    note = f.secretary_comment
    if note is None:
        return [Paragraph(NONE, st.empty)]
    parts = [line.strip() for line in note.text.split("\n") if line.strip()] or [NONE]
    meta = f"填写人：{note.written_by or NONE}　　日期：{note.written_on:%Y-%m-%d}"
    return [*(_para(part, st.text) for part in parts), Spacer(0, 1 * mm), _RightLine(meta, st.font)]


def _member_story(f: AnnualFile, committee: str, key: str, toc_form: str | None, first: bool,
                  st: _Styles) -> list[Flowable]:
    story: list[Flowable] = []
    if not first:
        story += [NextPageTemplate("cover"), PageBreak()]
    story += [_RunningHeader(f"{f.basics.name} · {f.year} 年度党员年度档案"), _Cover(f, committee, key, toc_form, st.font)]
    sections: list[tuple[str, list[Flowable]]] = [("基本信息", _basics(f, st))]
    if f.has_records:
        sections += [
            ("年度记实", _notes(f, st)),
            ("组织生活", _meetings(f, st)),
            ("志愿服务与双报到", _service(f, st)),
            ("党费缴纳", _dues(f, st)),
            ("奖惩情况", _rewards(f, st)),
            ("民主评议与星级评定", _evaluation(f, st)),
            ("党组织书记评语", _comment(f, st)),
        ]
    else:
        sections += [
            ("年度记实", [Paragraph(NO_RECORDS, st.big_empty)]),
            ("民主评议与星级评定", _evaluation(f, st)),
        ]
    numerals = "一二三四五六七八九十"
    for index, (title, flowables) in enumerate(sections[:-1]):
        story += [_Heading(f"{numerals[index]}、{title}"), *flowables]
    # The signatures never stand alone on a page: they keep with the last section (its whole when it fits a
    # page; a longer one splits as usual and its tail goes along).
    title, flowables = sections[-1]
    story.append(KeepTogether([_Heading(f"{numerals[len(sections) - 1]}、{title}"), *flowables, _Signatures(st.font)]))
    return story


# ---------------------------------------------------------------- rendering


def _committee(settings: CommunitySettings | None, committee: str | None) -> str:
    if committee:
        return committee
    if settings is None:
        return ""
    return settings.committee_name or settings.community_name


def _replace(tmp: Path, out: Path) -> Path:
    os.replace(tmp, out)
    return out


def _write(out: Path, title: str, author: str, toc: bool, stories: Iterator[list[Flowable]], *,
           global_numbers: bool = False, place: Callable[[Path, Path], Path] = _replace) -> tuple[Path, int]:
    """Build into a temporary file beside ``out``, then ``place`` it (by default: move it onto ``out``);
    returns where it went and the page count. A failed or cancelled build leaves no file."""
    out = output_target(out)
    register_fonts()
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.tmp")

    def make_canvas(*args, **kwargs):
        canv = _AnnualCanvas(*args, **kwargs)
        canv.global_numbers = global_numbers
        canv.showOutline()
        return canv

    try:
        doc = _AnnualDocument(str(tmp), title=title, author=author, toc=toc)
        doc.build_members(stories, make_canvas)
        final = place(tmp, out)
    except LayoutError as exc:
        raise AppError("有一项内容太长，一页纸排不下，请把它缩短后再打印。") from exc
    except OSError as exc:
        raise AppError(f"无法保存文件“{out}”：{exc.strerror or exc}。"
                       "如果该文件正在其他程序中打开，请先关闭它再试。") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return final, doc.page


def _toc_story(files: Sequence[AnnualFile], forms: Sequence[str], title: str, subtitle: str,
               font: str) -> list[Flowable]:
    rows = [_TocRow(i + 1, f.basics.name, f.basics.org_path or f.basics.branch, forms[i])
            for i, f in enumerate(files)]
    pages = [rows[:TOC_FIRST_ROWS]]
    rest = rows[TOC_FIRST_ROWS:]
    while rest:
        pages.append(rest[:TOC_LATER_ROWS])
        rest = rest[TOC_LATER_ROWS:]
    story: list[Flowable] = [_RunningHeader(f"{title}（续）")]
    for index, chunk in enumerate(pages):
        if index:
            story.append(PageBreak())
        story.append(_TocPage(chunk, title, subtitle, index == 0, font))
    return [*story, NextPageTemplate("cover"), PageBreak()]


def render_annual_file(files: Sequence[AnnualFile], out: Path, *, settings: CommunitySettings | None = None,
                       committee: str | None = None, toc: bool = False,
                       progress: Progress | None = None) -> int:
    """Every member's annual file in one PDF ``out``, each from a new page with its cover, a bookmark per
    member; ``toc`` puts a table of contents (序号, 姓名, 所在党组织, 页码) in front. ``progress(done, total)``
    is called before each member and at the end; returning False cancels (PrintCancelled, no file).
    Returns the page count. ``committee`` (or the settings' committee or community name) signs the covers."""
    if not files:
        raise AppError("没有可打印的党员年度档案。")
    out = Path(out)
    signer = _committee(settings, committee)
    title = "、".join(str(y) for y in sorted({f.year for f in files})) + f" 年度{TITLE}"
    total = len(files)
    forms = [f"annual_toc_{i}" for i in range(total)] if toc else [None] * total

    def stories() -> Iterator[list[Flowable]]:
        st = _Styles()
        if toc:
            yield _toc_story(files, forms, f"{title}目录", f"{signer or NONE}　共 {total} 人", st.font)
        for index, f in enumerate(files):
            if _cancelled(progress, index, total):
                raise PrintCancelled()
            yield _member_story(f, signer, f"m{index}", forms[index], index == 0, st)
        if _cancelled(progress, total, total):
            raise PrintCancelled()

    return _write(out, title, signer, toc, stories(), global_numbers=toc)[1]


# ---------------------------------------------------------------- one file per member


def member_file_name(f: AnnualFile) -> str:
    """姓名_身份证后4位_年度.pdf, safe on Windows."""
    return safe_file_name(f"{f.basics.name}_{f.basics.id_tail}_{f.year}") + ".pdf"


def _numbered(name: str, n: int) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem} ({n}).{ext}" if dot else f"{name} ({n})"


def _free_name(folder: Path, name: str, taken: set[str]) -> Path:
    """``name`` in ``folder``, or "name (2).pdf", "name (3).pdf" … when a file of that name exists there
    or is already ``taken`` by this batch (compared without case, as Windows does)."""
    candidate, n = name, 1
    while candidate.casefold() in taken or (folder / candidate).exists():
        n += 1
        candidate = _numbered(name, n)
    taken.add(candidate.casefold())
    return folder / candidate


def render_member(f: AnnualFile, target: Path, signer: str) -> tuple[Path, int]:
    """One member's file, written to a temporary name and moved to ``target`` — or to the next free
    " (n)" name should a file of that name have appeared meanwhile; returns the path and page count."""
    def place(tmp: Path, out: Path) -> Path:
        final = out if not out.exists() else _free_name(out.parent, out.name, set())
        os.replace(tmp, final)
        return final

    story = _member_story(f, signer, "m0", None, True, _Styles())
    return _write(target, f"{f.basics.name} {f.year} 年度{TITLE}", signer, False, iter([story]), place=place)


def _init_worker() -> None:
    register_fonts()
    preferred_font("fangsong")  # registered once in this process (the environment is the caller's)


def render_per_member(files: Sequence[AnnualFile], folder: Path, *, settings: CommunitySettings | None = None,
                      committee: str | None = None, progress: Progress | None = None,
                      workers: int = 1) -> list[Path]:
    """One PDF per member in ``folder`` (made if missing), named ``姓名_身份证后4位_年度.pdf``; a name already
    there is not overwritten: " (2)", " (3)" … is added. Each file is written to a temporary name and moved
    into place. ``progress(done, total)`` returning False stops: the files finished are kept and returned
    (in the members' order), no partial file stays. ``workers`` > 1 renders in that many processes."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    signer = _committee(settings, committee)
    taken: set[str] = set()
    targets = [_free_name(folder, member_file_name(f), taken) for f in files]
    total = len(files)
    if workers <= 1 or total <= 1:
        written = []
        for index, (f, target) in enumerate(zip(files, targets, strict=True)):
            if _cancelled(progress, index, total):
                return written
            written.append(render_member(f, target, signer)[0])
        _cancelled(progress, total, total)
        return written

    if _cancelled(progress, 0, total):
        return []
    done: dict[int, Path] = {}
    in_flight = workers * 3  # a few queued per worker, so that not every photo is pickled at once
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker) as pool:
        pending: dict[Future, int] = {}
        queue = iter(range(total))
        stop = False
        error: BaseException | None = None

        def fill() -> None:
            while not stop and len(pending) < in_flight and (index := next(queue, None)) is not None:
                pending[pool.submit(render_member, files[index], targets[index], signer)] = index

        fill()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                index = pending.pop(future)
                if future.cancelled():
                    continue
                try:
                    done[index] = future.result()[0]
                except Exception as exc:  # noqa: BLE001 — raised once the running ones have finished
                    error = error or exc
                    stop = True
            if not stop and len(done) < total and _cancelled(progress, len(done), total):
                stop = True
            if stop:
                for future in pending:
                    future.cancel()  # those not started yet; a running one finishes and is kept
            fill()
        if error is not None:
            raise error
    if not stop:
        _cancelled(progress, total, total)
    return [done[i] for i in sorted(done)]


__all__ = ["PrintCancelled", "member_file_name", "photo_reader", "render_annual_file", "render_member",
           "render_per_member", "safe_file_name", "toc_pages"]
