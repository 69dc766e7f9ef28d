"""证书套打位置: where each field of a star certificate goes on pre-printed certificate paper.

Offices buy certificate paper with the design printed on it and fill in only the blanks. The layout
names the paper's size and, for each field, where its text goes — all in millimetres, measured with a
ruler from the paper's **left** and **top** edges, because that is how a clerk measures a blank:

- ``x``: the left end of the field's box; ``width``: the box's width (text is aligned in it and shrunk
  to fit it);
- ``y``: the text's *baseline* — the printed underline of the blank — so changing the font size keeps
  the text sitting on the line;
- ``size``: the font size in points; ``align``: left / centre / right within the box.

``offset_x``/``offset_y`` move every field at once (a printer that feeds 2 mm low). The layout is one
JSON setting (``certificate_layout``); ``render_calibration`` in ``app.reports.certificate`` prints it on
plain paper with a millimetre grid so it can be held against the certificate paper and adjusted.

Qt-free and ReportLab-free.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, dataclass, field, fields, replace

from sqlalchemy.orm import Session

from app import audit
from app.changes import SETTINGS, Changes
from app.errors import ValidationError
from app.settings import get_value, set_value

SETTING_KEY = "certificate_layout"
PT_PER_MM = 72 / 25.4

PAPER_MIN, PAPER_MAX = 50, 500  # mm
SIZE_MIN, SIZE_MAX = 8, 72  # pt
WIDTH_MIN = 5  # mm
OFFSET_MAX = 20  # mm either way
ASCENT = 0.88  # of the font size: how far a CJK glyph reaches above its baseline
DESCENT = 0.16  # … and below it

ALIGNMENTS = {"left": "左对齐", "centre": "居中", "right": "右对齐"}
FIELDS = ("name", "year", "stars", "number", "committee", "date")
FIELD_LABELS = {"name": "姓名", "year": "年度", "stars": "星级", "number": "证书编号", "committee": "落款",
                "date": "日期"}
STARS_STYLES = {"full": "五星级党员", "short": "五星", "symbols": "★★★★★（画出的星）"}
DATE_STYLES = {"chinese": "二〇二六年一月二十日", "arabic": "2026年1月20日"}

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FieldPosition:
    x: float  # mm from the paper's left edge to the box's left end
    y: float  # mm from the paper's top edge to the text's baseline
    width: float  # mm
    size: float  # pt
    align: str = "left"

    def top(self) -> float:
        """mm from the paper's top edge to the top of the text."""
        return self.y - self.size * ASCENT / PT_PER_MM

    def bottom(self) -> float:
        return self.y + self.size * DESCENT / PT_PER_MM


@dataclass(frozen=True)
class CertificateLayout:
    """The default fits a common certificate inner page: A4 landscape (297 × 210 mm) with the blanks of
    "____同志：在____年度……被评为“________”。" and the issuer and date bottom right."""

    paper_width: float = 297
    paper_height: float = 210
    name: FieldPosition = field(default_factory=lambda: FieldPosition(48, 88, 70, 24, "centre"))
    year: FieldPosition = field(default_factory=lambda: FieldPosition(92, 110, 24, 18, "centre"))
    stars: FieldPosition = field(default_factory=lambda: FieldPosition(190, 110, 56, 18, "centre"))
    number: FieldPosition = field(default_factory=lambda: FieldPosition(48, 180, 60, 12, "left"))
    committee: FieldPosition = field(default_factory=lambda: FieldPosition(170, 160, 90, 16, "centre"))
    date: FieldPosition = field(default_factory=lambda: FieldPosition(170, 172, 90, 16, "centre"))
    offset_x: float = 0  # mm added to every x (positive: to the right)
    offset_y: float = 0  # mm added to every y (positive: down)
    stars_style: str = "full"
    date_style: str = "chinese"

    def position(self, name: str) -> FieldPosition:
        """A field's position with the overall offset applied."""
        pos: FieldPosition = getattr(self, name)
        return replace(pos, x=pos.x + self.offset_x, y=pos.y + self.offset_y)


# ---------------------------------------------------------------- validation


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def validate_layout(layout: CertificateLayout) -> dict[str, str]:
    """Field → Chinese message for what is wrong; empty when the layout can be used."""
    errors: dict[str, str] = {}
    width, height = _number(layout.paper_width), _number(layout.paper_height)
    for key, label, value in (("paper_width", "纸张宽度", width), ("paper_height", "纸张高度", height)):
        if value is None or not PAPER_MIN <= value <= PAPER_MAX:
            errors[key] = f"{label}应在 {PAPER_MIN} 到 {PAPER_MAX} 毫米之间。"
    for key, label, value in (("offset_x", "左右整体偏移", layout.offset_x), ("offset_y", "上下整体偏移", layout.offset_y)):
        number = _number(value)
        if number is None or abs(number) > OFFSET_MAX:
            errors[key] = f"{label}应在 -{OFFSET_MAX} 到 {OFFSET_MAX} 毫米之间。"
    if layout.stars_style not in STARS_STYLES:
        errors["stars_style"] = "星级的印法只能是：" + "、".join(STARS_STYLES.values()) + "。"
    if layout.date_style not in DATE_STYLES:
        errors["date_style"] = "日期的写法只能是：" + "、".join(DATE_STYLES.values()) + "。"
    paper_known = "paper_width" not in errors and "paper_height" not in errors
    offsets_known = "offset_x" not in errors and "offset_y" not in errors
    for name in FIELDS:
        label = FIELD_LABELS[name]
        pos = getattr(layout, name)
        if not isinstance(pos, FieldPosition):
            errors[name] = f"{label}的位置没有设置。"
            continue
        values = {key: _number(getattr(pos, key)) for key in ("x", "y", "width", "size")}
        if None in values.values():
            errors[name] = f"{label}的位置、宽度和字号都应是数字。"
        elif not SIZE_MIN <= pos.size <= SIZE_MAX:
            errors[name] = f"{label}的字号应在 {SIZE_MIN} 到 {SIZE_MAX} 磅之间。"
        elif pos.width < WIDTH_MIN:
            errors[name] = f"{label}的宽度应不小于 {WIDTH_MIN} 毫米。"
        elif pos.align not in ALIGNMENTS:
            errors[name] = f"{label}的对齐方式只能是左对齐、居中或右对齐。"
        elif paper_known and offsets_known and (message := _outside(layout.position(name), width, height)):
            errors[name] = f"{label}{message}"
    return errors


def _outside(pos: FieldPosition, width: float, height: float) -> str:
    """How the field leaves the paper (with its numbers), or empty."""
    def mm(value: float) -> str:
        return f"{value:.1f}".rstrip("0").rstrip(".")

    if pos.x < 0:
        return f"超出纸张左边（左端在 {mm(pos.x)} 毫米）。"
    if pos.x + pos.width > width:
        return f"超出纸张右边（右端在 {mm(pos.x + pos.width)} 毫米，纸宽 {mm(width)} 毫米）。"
    if pos.top() < 0:
        return f"超出纸张上边（文字顶端在 {mm(pos.top())} 毫米）。"
    if pos.bottom() > height:
        return f"超出纸张下边（文字底端在 {mm(pos.bottom())} 毫米，纸高 {mm(height)} 毫米）。"
    return ""


def check_layout(layout: CertificateLayout) -> CertificateLayout:
    """``layout`` when it is usable, else ValidationError with every problem."""
    if errors := validate_layout(layout):
        raise ValidationError(errors)
    return layout


# ---------------------------------------------------------------- stored as one JSON setting


def layout_to_dict(layout: CertificateLayout) -> dict:
    return asdict(layout)


def layout_from_dict(data: dict) -> CertificateLayout:
    """A layout from its dict (as stored); missing keys take the defaults. ValidationError when the data
    is not a layout at all; the values themselves are checked by ``validate_layout``."""
    if not isinstance(data, dict):
        raise ValidationError("证书套打位置的设置无法读取。", SETTING_KEY)
    default = CertificateLayout()
    values = {}
    for f in fields(CertificateLayout):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name in FIELDS:
            if not isinstance(value, dict):
                raise ValidationError(f"{FIELD_LABELS[f.name]}的位置设置无法读取。", f.name)
            base = asdict(getattr(default, f.name))
            try:
                value = FieldPosition(**{**base, **{k: v for k, v in value.items() if k in base}})
            except TypeError as exc:
                raise ValidationError(f"{FIELD_LABELS[f.name]}的位置设置无法读取。", f.name) from exc
        values[f.name] = value
    return CertificateLayout(**values)


def load_layout(session: Session) -> CertificateLayout:
    """The stored layout, or the default when none is stored. A stored value that cannot be read or is
    no longer valid is logged and the default used (``save_layout`` never stores one)."""
    raw = get_value(session, SETTING_KEY)
    if not raw.strip():
        return CertificateLayout()
    try:
        return check_layout(layout_from_dict(json.loads(raw)))
    except (ValueError, ValidationError) as exc:  # json.JSONDecodeError is a ValueError
        _log.warning("stored certificate layout not used: %s", exc)
        return CertificateLayout()


def save_layout(session: Session, layout: CertificateLayout) -> Changes:
    """Validate and store the layout (ValidationError with Chinese messages when it is not usable)."""
    check_layout(layout)
    set_value(session, SETTING_KEY, json.dumps(layout_to_dict(layout), ensure_ascii=False, sort_keys=True))
    audit.log(session, "settings", None, "修改证书套打位置",
              f"纸张 {layout.paper_width:g}×{layout.paper_height:g} 毫米，"
              f"整体偏移 {layout.offset_x:g}/{layout.offset_y:g} 毫米")
    return SETTINGS
