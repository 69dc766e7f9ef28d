"""星级党员证书: one certificate a page, landscape — drawn whole on plain paper, or only the fields on
pre-printed certificate paper — and the calibration sheet for the pre-printed mode.

:func:`collect_certificates` reads what the certificates say (a session in, a plain ``CertificateBatch``
out); :func:`render_certificates` and :func:`render_calibration` take only plain data.

Decisions:

- **Only an approved year is printed.** The numbers exist from approval (``app.evaluation_year.approve``)
  and the date on the certificate is the approval date; a year not begun or not approved is refused
  with the reason.
- **The stars printed are the approved result** (the grid's final stars). A member who kept a number
  from an earlier approval but is now below the certificate threshold (an unlock lowered the stars) is
  not printed — the number stays theirs, as numbers never move — and is named in ``withheld`` so the
  screen can say why.
- **Plain paper**: the whole design is drawn with ReportLab shapes — a double red frame with a gold line,
  corner ornaments (a 回纹 hook and a gold block), the red title, the stars as drawn polygons (crisp at
  any size, independent of the font) — no image. The static part is one PDF form drawn on every page,
  so 200 certificates stay small and quick.
- **Pre-printed paper**: only the six fields, at the millimetre positions of ``CertificateLayout``, on a
  page of the layout's paper size; nothing else, so nothing prints over the paper's own design.
- **Long names** are shrunk to fit their line (``fit_size``); a name still too wide at the smallest size
  is squeezed horizontally, never clipped.
- **Fonts**: 楷体 when the system has it (``preferred_font("kai")``), else the bundled font; rare
  characters (䶮 𠮷) come from the bundled fallback either way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import landscape as _landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy.orm import Session

from app import evaluation_year, members, settings
from app.errors import AppError, ValidationError
from app.evaluation import STAR_NAMES
from app.reports.base import (
    fit_size,
    font_runs,
    main_font_name,
    preferred_font,
    string_width,
    write_canvas_pdf,
)
from app.reports.certificate_layout import (
    FIELD_LABELS,
    FIELDS,
    CertificateLayout,
    FieldPosition,
    check_layout,
)
from db.models import EvaluationYear

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

PLAIN, PREPRINTED = "plain", "preprinted"
TITLE = "星级党员证书"

RED = HexColor("#C8161D")
DEEP_RED = HexColor("#9B1B1E")
GOLD = HexColor("#C9A13B")
PALE_GOLD = HexColor("#F3E3B3")
INK = HexColor("#1E1E1E")
GREY = HexColor("#555555")

PAGE = _landscape(A4)  # 297 × 210 mm
LEFT = 44 * mm  # the text block of the plain certificate
RIGHT = PAGE[0] - 44 * mm
NAME_SIZE, NAME_MIN = 28, 14  # pt: a name starts at NAME_SIZE and shrinks down to NAME_MIN
NAME_RULE = 62 * mm  # the name's underline is at least this long …
NAME_ROOM = 140 * mm  # … and the name at most this wide (longer names shrink), so the line stays balanced
BODY_SIZE = 20
SIGN_CENTRE = PAGE[0] - 92 * mm  # the committee and date are centred on this x
SIGN_WIDTH = 96 * mm


class PrintCancelled(AppError):
    def __init__(self) -> None:
        super().__init__("已取消打印，没有生成文件。")


@dataclass(frozen=True)
class CertificateItem:
    name: str
    stars: int
    year: int
    number: str  # YYYY-NNNN
    branch: str
    committee: str  # the issuer as printed, e.g. 中共幸福里社区委员会
    date: date  # the approval date, printed as the issue date

    @property
    def stars_text(self) -> str:
        """五星级党员."""
        return f"{STAR_NAMES[self.stars]}级党员"


@dataclass(frozen=True)
class CertificateBatch:
    year: int
    items: tuple[CertificateItem, ...]
    approved_on: date
    withheld: tuple[str, ...] = ()  # names holding a number whose approved stars are now below the threshold


# ---------------------------------------------------------------- collecting


def collect_certificates(
    session: Session, year: int, *, org_id: int | None = None, min_stars: int | None = None,
    issued_on: date | None = None, limit: int | None = None,
) -> CertificateBatch:
    """The certificates of an approved year in number order (= tree order), optionally only the members of
    ``org_id``'s subtree and only ``min_stars`` or more. ``issued_on`` replaces the approval date as the
    printed date (a certificate handed out at a later ceremony). A year not begun or not approved is
    refused (AppError with the reason).

    ``limit``: only the first ``limit`` certificates (the same as the first of the whole batch). Only the
    rows of the holders up to the last one are computed, not the year's grid, and ``withheld`` then names
    only the holders met on the way (the preview's sample)."""
    row = session.get(EvaluationYear, year)
    if row is None:
        raise AppError(f"{year} 年度评定尚未开始，不能打印证书。")
    if row.approved_on is None:
        raise AppError(f"{year} 年度评定尚未批准，不能打印证书。请先在“年度记实与评定”中批准。")
    if min_stars is not None and min_stars not in STAR_NAMES:
        raise ValidationError("星级应为 1 到 5 星。", "min_stars")
    community = settings.load(session)
    committee = (community.committee_name or community.community_name).strip()
    if not committee:
        raise AppError("证书需要落款：请先在“设置”中填写党组织落款名称。")
    wanted = set(members.subtree_ids(session, org_id)) if org_id is not None else None
    printed_on = issued_on or row.approved_on
    items, withheld = [], []
    if limit is None:
        grid = evaluation_year.grid(session, year)
        threshold, lines = grid.scheme.certificate_min_stars, grid.rows
    else:
        scheme = evaluation_year.scheme(session, year)
        threshold, lines = scheme.certificate_min_stars, _holders_rows(session, year, scheme, wanted)
    for line in lines:
        if limit is not None and len(items) >= limit:
            break
        person = line.participant
        if line.certificate is None or (wanted is not None and person.org_id not in wanted):
            continue
        if line.final_stars is None or line.final_stars < threshold:
            withheld.append(person.name)
            continue
        if min_stars is not None and line.final_stars < min_stars:
            continue
        items.append(CertificateItem(person.name, line.final_stars, year, line.certificate, person.branch_name,
                                     committee, printed_on))
    items.sort(key=lambda item: item.number)
    return CertificateBatch(year, tuple(items), row.approved_on, tuple(withheld))


HOLDERS_AT_ONCE = 50  # holders whose rows are computed at a time, for a limited batch


def _holders_rows(session: Session, year: int, scheme,
                  wanted: set[int] | None) -> Iterator[evaluation_year.GridRow]:
    """The grid rows of the year's certificate holders in number order, computed a few at a time as they
    are asked for (those outside ``wanted``'s organisations skipped)."""
    holders = [member_id for _number, member_id, _stars in evaluation_year.certificates(session, year)]
    for start in range(0, len(holders), HOLDERS_AT_ONCE):
        chunk = holders[start:start + HOLDERS_AT_ONCE]
        people = {p.member_id: p for p in evaluation_year.participants(session, year, chunk)
                  if wanted is None or p.org_id in wanted}
        ordered = [people[m] for m in chunk if m in people]
        if ordered:
            # the grid's own rows, for these holders only
            rows = evaluation_year.grid_rows(session, year, ordered, scheme)
            yield from rows


# ---------------------------------------------------------------- text


_DIGITS = "〇一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1–31 as written in a date: 一 … 十 十一 … 二十 二十一 … 三十一."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def chinese_date(value: date) -> str:
    """二〇二六年一月二十日 — the traditional way to date a certificate."""
    year = "".join(_DIGITS[int(d)] for d in str(value.year))
    return f"{year}年{chinese_number(value.month)}月{chinese_number(value.day)}日"


def arabic_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


@dataclass(frozen=True)
class Fit:
    size: float  # pt
    scale: float  # horizontal scale, 1 = none
    width: float  # pt, as drawn


def fit_line(text: str, max_width: float, start: float, minimum: float, font: str | None = None) -> Fit:
    """One line of ``text`` within ``max_width``: shrunk from ``start`` (not below ``minimum``), then
    squeezed horizontally if still too wide."""
    size = fit_size(text, max_width, start, minimum, font)
    width = string_width(text, size, font)
    scale = min(1.0, max_width / width) if width else 1.0
    return Fit(size, scale, width * scale)


def name_fit(name: str, font: str | None = None) -> Fit:
    """How the plain certificate sets the name: on its own underline before "同志：", at most
    ``NAME_ROOM`` wide (shrunk, then squeezed, when longer)."""
    font = font or preferred_font("kai")
    return fit_line(name, name_room(font), NAME_SIZE, NAME_MIN, font)


def name_room(font: str) -> float:
    """The widest a name may be: ``NAME_ROOM``, less if "同志：" would not fit after it on the line."""
    return min(NAME_ROOM, RIGHT - LEFT - string_width(" 同志：", BODY_SIZE, font) - 8 * mm)


def _text(canvas: Canvas, x: float, y: float, text: str, size: float, font: str, *, color: Color = INK,
          align: str = "left", scale: float = 1.0, outline: float = 0.0) -> float:
    """Draw one line with glyph fallback; returns its width. ``scale`` squeezes it horizontally;
    ``outline`` (pt) strokes the glyphs too, a bolder look for a font without a bold face."""
    width = string_width(text, size, font) * scale
    if align == "centre":
        x -= width / 2
    elif align == "right":
        x -= width
    # The horizontal scale and the render mode are text state, which outlives the text object in PDF:
    # keep them inside a saved graphics state so the next line starts plain.
    special = scale != 1.0 or outline
    if special:
        canvas.saveState()
    line = canvas.beginText(x, y)
    if scale != 1.0:
        line.setHorizScale(scale * 100)
    canvas.setFillColor(color)
    if outline:
        canvas.setStrokeColor(color)
        canvas.setLineWidth(outline)
        line.setTextRenderMode(2)
    for name, run in font_runs(text, font):
        line.setFont(name, size)
        line.textOut(run)
    canvas.drawText(line)
    if special:
        canvas.restoreState()
    return width


def _segments(canvas: Canvas, x: float, y: float, parts: list[tuple[str, Color]], size: float, font: str) -> None:
    for text, color in parts:
        x += _text(canvas, x, y, text, size, font, color=color)


# ---------------------------------------------------------------- shapes


def _star(canvas: Canvas, cx: float, cy: float, radius: float, fill: Color, stroke: Color | None = None,
          line_width: float = 0.8) -> None:
    """A five-pointed star, point up, centred on (cx, cy)."""
    path = canvas.beginPath()
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.382
        angle = math.pi / 2 + i * math.pi / 5
        point = (cx + r * math.cos(angle), cy + r * math.sin(angle))
        if i == 0:
            path.moveTo(*point)
        else:
            path.lineTo(*point)
    path.close()
    canvas.setFillColor(fill)
    if stroke is not None:
        canvas.setStrokeColor(stroke)
        canvas.setLineWidth(line_width)
        canvas.setLineJoin(1)
    canvas.drawPath(path, fill=1, stroke=1 if stroke is not None else 0)


def _star_row(canvas: Canvas, cx: float, cy: float, count: int, radius: float, gap: float) -> None:
    step = 2 * radius + gap
    first = cx - step * (count - 1) / 2
    for i in range(count):
        _star(canvas, first + i * step, cy, radius, GOLD, DEEP_RED, max(0.6, radius / 14))


def _diamond(canvas: Canvas, cx: float, cy: float, half: float, fill: Color) -> None:
    path = canvas.beginPath()
    path.moveTo(cx, cy + half)
    path.lineTo(cx + half, cy)
    path.lineTo(cx, cy - half)
    path.lineTo(cx - half, cy)
    path.close()
    canvas.setFillColor(fill)
    canvas.drawPath(path, fill=1, stroke=0)


# ---------------------------------------------------------------- the plain certificate

OUTER, INNER, GOLD_LINE = 9 * mm, 12 * mm, 14.5 * mm  # insets of the frame's lines
NOTCH = 10 * mm  # radius of the gold line's concave corners
FRAME_FORM = "certificate-frame"


def _corner(canvas: Canvas) -> None:
    """One corner's ornament in local coordinates (the page corner at the origin, x and y inward): a gold
    block with a red diamond where the red lines meet, a concave notch in the gold line with a red star."""
    c = (OUTER + INNER) / 2
    canvas.setFillColor(GOLD)
    canvas.setStrokeColor(DEEP_RED)
    canvas.setLineWidth(0.8)
    canvas.rect(c - 4.2 * mm, c - 4.2 * mm, 8.4 * mm, 8.4 * mm, fill=1, stroke=1)
    _diamond(canvas, c, c, 3 * mm, RED)
    _diamond(canvas, c, c, 1.1 * mm, PALE_GOLD)
    g, r = GOLD_LINE, NOTCH
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.2)
    canvas.arc(g - r, g - r, g + r, g + r, startAng=0, extent=90)
    _star(canvas, g + 0.3 * r, g + 0.3 * r, 0.25 * r, RED)


def _frame(canvas: Canvas, font: str) -> None:
    """Everything every certificate shares: the frame, its corners, the title and its divider."""
    width, height = PAGE
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(3.6)
    canvas.rect(OUTER, OUTER, width - 2 * OUTER, height - 2 * OUTER, fill=0, stroke=1)
    canvas.setLineWidth(1.0)
    canvas.rect(INNER, INNER, width - 2 * INNER, height - 2 * INNER, fill=0, stroke=1)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.2)
    g, r = GOLD_LINE, NOTCH  # the gold line, its corners notched (drawn with the corners)
    canvas.line(g + r, g, width - g - r, g)
    canvas.line(g + r, height - g, width - g - r, height - g)
    canvas.line(g, g + r, g, height - g - r)
    canvas.line(width - g, g + r, width - g, height - g - r)
    for sx, sy in ((1, 1), (-1, 1), (1, -1), (-1, -1)):
        canvas.saveState()
        canvas.translate(0 if sx > 0 else width, 0 if sy > 0 else height)
        canvas.scale(sx, sy)
        _corner(canvas)
        canvas.restoreState()

    cx = width / 2
    # Title: letter-spaced, red, its glyphs stroked as well for weight.
    size, spacing = 46, 14
    title_y = height - 52 * mm
    chars = list(TITLE)
    total = sum(string_width(ch, size, font) for ch in chars) + spacing * (len(chars) - 1)
    x = cx - total / 2
    for ch in chars:
        x += _text(canvas, x, title_y, ch, size, font, color=RED, outline=0.9) + spacing
    # Divider: gold rules either side of a red star, gold diamonds at their ends.
    y = title_y - 11 * mm
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(1.1)
    for sign in (-1, 1):
        canvas.line(cx + sign * 7 * mm, y, cx + sign * 62 * mm, y)
        canvas.line(cx + sign * 12 * mm, y - 1.4 * mm, cx + sign * 48 * mm, y - 1.4 * mm)
        _diamond(canvas, cx + sign * 64.5 * mm, y, 1.5 * mm, GOLD)
    _star(canvas, cx, y - 0.3 * mm, 3.6 * mm, RED)


def _plain_page(canvas: Canvas, item: CertificateItem, font: str) -> None:
    canvas.doForm(FRAME_FORM)
    height = PAGE[1]
    # "{name} 同志：" with the name on a gold underline.
    name_y = height - 88 * mm
    fit = name_fit(item.name, font)
    rule = max(NAME_RULE, fit.width + 8 * mm)
    _text(canvas, LEFT + rule / 2, name_y, item.name, fit.size, font, align="centre", scale=fit.scale)
    canvas.setStrokeColor(GOLD)
    canvas.setLineWidth(0.9)
    canvas.line(LEFT, name_y - 2.4 * mm, LEFT + rule, name_y - 2.4 * mm)
    _text(canvas, LEFT + rule + 2 * mm, name_y, "同志：", BODY_SIZE, font)

    # The citation, indented two characters, the star grade in red.
    indent = 2 * BODY_SIZE
    parts = [(f"在 {item.year} 年度民主评选星级党员活动中，被评为", INK), (f"“{item.stars_text}”", RED), ("。", INK)]
    line = "".join(text for text, _ in parts)
    size = fit_size(line, RIGHT - LEFT - indent, BODY_SIZE, 12, font)
    _segments(canvas, LEFT + size * 2, height - 108 * mm, parts, size, font)
    _star_row(canvas, PAGE[0] / 2, height - 127 * mm, item.stars, 6.2 * mm, 5 * mm)
    _text(canvas, LEFT + BODY_SIZE * 2, height - 149 * mm, "特发此证，以资鼓励。", BODY_SIZE, font)

    # Issuer and date bottom right, centred on each other; the number bottom left.
    committee = fit_line(item.committee, SIGN_WIDTH, 19, 10, font)
    _text(canvas, SIGN_CENTRE, 50 * mm, item.committee, committee.size, font, align="centre", scale=committee.scale)
    _text(canvas, SIGN_CENTRE, 38 * mm, chinese_date(item.date), 17, font, align="centre")
    _text(canvas, LEFT, 31 * mm, f"证书编号：{item.number}", 11.5, font, color=GREY)


# ---------------------------------------------------------------- the pre-printed certificate


def _field_texts(item: CertificateItem, layout: CertificateLayout) -> dict[str, str]:
    stars = {"full": item.stars_text, "short": STAR_NAMES[item.stars], "symbols": ""}[layout.stars_style]
    when = chinese_date(item.date) if layout.date_style == "chinese" else arabic_date(item.date)
    return {"name": item.name, "year": str(item.year), "stars": stars, "number": item.number,
            "committee": item.committee, "date": when}


def _anchor(pos: FieldPosition, paper_height: float) -> tuple[float, float, float]:
    """(x of the alignment point, baseline y, box width) in points, bottom-up."""
    left, width = pos.x * mm, pos.width * mm
    x = {"left": left, "centre": left + width / 2, "right": left + width}[pos.align]
    return x, (paper_height - pos.y) * mm, width


def _draw_field(canvas: Canvas, pos: FieldPosition, paper_height: float, text: str, font: str,
                color: Color = INK) -> None:
    x, baseline, width = _anchor(pos, paper_height)
    fit = fit_line(text, width, pos.size, max(6.0, pos.size / 2), font)
    _text(canvas, x, baseline, text, fit.size, font, color=color, align=pos.align, scale=fit.scale)


def _draw_star_field(canvas: Canvas, pos: FieldPosition, paper_height: float, count: int) -> None:
    """Stars as drawn polygons filling the field's box, as tall as the font size would be."""
    x, baseline, width = _anchor(pos, paper_height)
    radius = min(pos.size * 0.5, width / (count * 2.4))
    gap = radius * 0.4
    total = count * 2 * radius + (count - 1) * gap
    centre = {"left": x + total / 2, "centre": x, "right": x - total / 2}[pos.align]
    _star_row(canvas, centre, baseline + radius * 0.8, count, radius, gap)


def _preprinted_page(canvas: Canvas, item: CertificateItem, layout: CertificateLayout, font: str) -> None:
    texts = _field_texts(item, layout)
    for name in FIELDS:
        pos = layout.position(name)
        if name == "stars" and layout.stars_style == "symbols":
            _draw_star_field(canvas, pos, layout.paper_height, item.stars)
        else:
            _draw_field(canvas, pos, layout.paper_height, texts[name], font)


# ---------------------------------------------------------------- rendering


def render_certificates(
    batch: CertificateBatch, out: Path, *, paper: str = PLAIN, layout: CertificateLayout | None = None,
    progress: Progress | None = None, cancelled: Cancelled | None = None,
) -> int:
    """Write one certificate a page to ``out``; returns the page count. ``paper`` is ``"plain"`` (the
    whole design, A4 landscape) or ``"preprinted"`` (only the fields, on ``layout``'s paper — the stored
    or default layout). ``progress(done, total)`` after each page; ``cancelled()`` stops with
    PrintCancelled and no file."""
    if paper not in (PLAIN, PREPRINTED):
        raise ValueError(f"unknown paper {paper!r}")
    if not batch.items:
        raise AppError("没有符合条件的证书可以打印。")
    if paper == PREPRINTED:
        layout = check_layout(layout or CertificateLayout())
    font = preferred_font("kai")
    total = len(batch.items)

    def draw(canvas: Canvas) -> int:
        if paper == PLAIN:
            canvas.beginForm(FRAME_FORM)
            _frame(canvas, font)
            canvas.endForm()
        for done, item in enumerate(batch.items, start=1):
            if cancelled is not None and cancelled():
                raise PrintCancelled()
            if paper == PLAIN:
                _plain_page(canvas, item, font)
            else:
                _preprinted_page(canvas, item, layout, font)
            canvas.showPage()
            if progress is not None:
                progress(done, total)
        return total

    pagesize = PAGE if paper == PLAIN else (layout.paper_width * mm, layout.paper_height * mm)
    committee = batch.items[0].committee
    return write_canvas_pdf(out, draw, pagesize=pagesize, title=f"{batch.year} 年度{TITLE}", author=committee)


# ---------------------------------------------------------------- calibration

SAMPLE = CertificateItem("张建国", 5, 2025, "2025-0001", "第一网格党支部", "中共幸福里社区委员会", date(2026, 1, 20))
GRID_LIGHT = HexColor("#E4E4E4")
GRID_DARK = HexColor("#B8B8B8")
BOX = HexColor("#1F5FBF")


def render_calibration(layout: CertificateLayout, out: Path, *, sample: CertificateItem = SAMPLE) -> int:
    """A page of the layout's paper size with a millimetre grid and rulers (measured from the left and top
    edges, as the layout is) and each field's box, baseline, label and sample text where it will print.
    Printed on plain paper at actual size and held against the certificate paper, it shows how far each
    field must move."""
    layout = check_layout(layout)
    font = preferred_font("kai")  # the fields' own font, so the sample text is as wide as the real one
    small = main_font_name()  # rulers, labels and instructions: clearer than 楷体 at 6–7 pt
    width, height = layout.paper_width, layout.paper_height

    def draw(canvas: Canvas) -> int:
        _grid(canvas, width, height, small)
        texts = _field_texts(sample, layout)
        for name in FIELDS:
            pos = layout.position(name)
            _field_box(canvas, name, pos, height, small)
            if name == "stars" and layout.stars_style == "symbols":
                _draw_star_field(canvas, pos, height, sample.stars)
            else:
                _draw_field(canvas, pos, height, texts[name], font)
        _instructions(canvas, width, height, small)
        canvas.showPage()
        return 1

    return write_canvas_pdf(out, draw, pagesize=(width * mm, height * mm), title="证书套打校准页",
                            author=sample.committee)


def _grid(canvas: Canvas, width: float, height: float, font: str) -> None:
    top = height * mm
    canvas.setLineWidth(0.25)
    for step, color in ((5, GRID_LIGHT), (10, GRID_DARK)):
        canvas.setStrokeColor(color)
        for x in range(0, int(width) + 1, step):
            canvas.line(x * mm, 0, x * mm, top)
        for y in range(0, int(height) + 1, step):
            canvas.line(0, top - y * mm, width * mm, top - y * mm)
    # Rulers along the top and left edges: a tick a millimetre, numbers every ten.
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.35)
    for x in range(0, int(width) + 1):
        tick = 5 if x % 10 == 0 else 3.5 if x % 5 == 0 else 2
        canvas.line(x * mm, top, x * mm, top - tick * mm)
        if x % 10 == 0 and 0 < x < width - 3:
            _text(canvas, x * mm + 0.6 * mm, top - 7.5 * mm, str(x), 6.5, font)
    for y in range(0, int(height) + 1):
        tick = 5 if y % 10 == 0 else 3.5 if y % 5 == 0 else 2
        canvas.line(0, top - y * mm, tick * mm, top - y * mm)
        if y % 10 == 0 and 0 < y < height - 3:
            _text(canvas, 5.8 * mm, top - y * mm - 2.2, str(y), 6.5, font)


def _field_box(canvas: Canvas, name: str, pos: FieldPosition, height: float, font: str) -> None:
    left, width = pos.x * mm, pos.width * mm
    baseline = (height - pos.y) * mm
    top, bottom = (height - pos.top()) * mm, (height - pos.bottom()) * mm
    canvas.setStrokeColor(BOX)
    canvas.setLineWidth(0.6)
    canvas.setDash(2, 1.5)
    canvas.rect(left, bottom, width, top - bottom, fill=0, stroke=1)
    canvas.setDash()
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(0.8)
    canvas.line(left - 2 * mm, baseline, left + width + 2 * mm, baseline)
    canvas.line(left, baseline - 1.5 * mm, left, baseline + 1.5 * mm)
    label = (f"{FIELD_LABELS[name]}：x {_mm(pos.x)}  y {_mm(pos.y)}  宽 {_mm(pos.width)} 毫米  "
             f"{_mm(pos.size)} 磅")
    _text(canvas, left, top + 1.2 * mm, label, 6.5, font, color=BOX)


def _mm(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _instructions(canvas: Canvas, width: float, height: float, font: str) -> None:
    """The title, how to use the page and a 100 mm bar to check the print is at actual size."""
    cx = width * mm / 2
    y = (height - 16) * mm
    _text(canvas, cx, y, "证书套打校准页", 13, font, color=RED, align="centre")
    lines = (
        f"纸张 {_mm(width)} × {_mm(height)} 毫米。打印时选“实际大小”（不缩放），与证书纸叠在一起对着光查看；",
        "红线是文字底线，虚线框是各项的位置。按偏差修改各项的位置（毫米，从纸的左边和上边量起）或整体偏移。",
    )
    for index, text in enumerate(lines):
        fit = fit_line(text, (width - 30) * mm, 7.5, 5, font)
        _text(canvas, cx, y - (6 + 4 * index) * mm, text, fit.size, font, color=GREY, align="centre",
              scale=fit.scale)
    bar = min(100, width - 40)
    bar_y = y - 18 * mm
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.8)
    canvas.line(cx - bar * mm / 2, bar_y, cx + bar * mm / 2, bar_y)
    for x in (cx - bar * mm / 2, cx + bar * mm / 2):
        canvas.line(x, bar_y - 1.5 * mm, x, bar_y + 1.5 * mm)
    _text(canvas, cx, bar_y + 1.8 * mm, f"此线长 {_mm(bar)} 毫米", 6.5, font, color=GREY, align="centre")

