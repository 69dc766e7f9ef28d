"""Forgiving date parsing for imports and forms, and calendar-month arithmetic."""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from datetime import date, datetime, timedelta

from app.errors import ValidationError

EARLIEST = date(1900, 1, 1)
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 61 = 1900-03-01; below 60 one day less (Excel's 1900-02-29)
_LAST_SERIAL = (date(2099, 12, 31) - _EXCEL_EPOCH).days
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d*)?)?)?"
# (pattern, has a day); matched against text with full-width characters and spaces around separators removed
_PATTERNS = (
    (re.compile(r"(?P<y>\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})" + _TIME), True),
    (re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?"), True),
    (re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"), True),
    (re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})"), False),
    (re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月?"), False),
)


def parse_date(
    value: object,
    *,
    field_label: str = "日期",
    field: str = "",
    today: date | None = None,
    allow_month_only: bool = True,
) -> date | None:
    """A date from a cell or a form field (None when empty); ValidationError naming ``field_label`` otherwise."""
    today = today or date.today()
    if value is None:
        return None
    if isinstance(value, datetime):
        return _checked(value.date(), field_label, field, today)
    if isinstance(value, date):
        return _checked(value, field_label, field, today)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _checked(_from_number(value, field_label, field), field_label, field, today)
    if not isinstance(value, str):
        raise _unreadable(str(value), field_label, field)
    raw = value.strip()
    return (
        _checked(_from_text(raw, field_label, field, allow_month_only), field_label, field, today)
        if raw
        else None
    )


def add_months(d: date, months: int) -> date:
    """The same day ``months`` calendar months later, or that month's last day when it is shorter."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(year, month0 + 1, min(d.day, calendar.monthrange(year, month0 + 1)[1]))


def add_years(d: date, years: int) -> date:
    """The same day ``years`` years later; 29 February becomes 28 February in a common year."""
    return add_months(d, 12 * years)


def age_on(birth: date, on: date) -> int:
    """Completed years of age on a day (someone born on 29 February turns a year older on 1 March)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _from_number(value: float, label: str, field: str) -> date:
    """An Excel number cell: a serial day number (1900 date system), or 20010701 typed as a number."""
    if not math.isfinite(value):
        raise _unreadable(str(value), label, field)
    shown = str(int(value)) if value == int(value) else str(value)
    if 19000101 <= value <= 20991231:
        return _from_text(shown, label, field, allow_month_only=False)
    if 1900 <= value < 2100 and value != int(value):
        raise ValidationError(
            f"{label}“{shown}”被 Excel 存成了数字（2001.10 会变成 2001.1），请将该列设为文本格式后重新填写",
            field,
        )
    serial = math.floor(value)
    if serial == 60 or not 1 <= serial <= _LAST_SERIAL or 1900 <= serial < 2100:
        raise _unreadable(shown, label, field)
    return _EXCEL_EPOCH + timedelta(days=serial + (serial < 60))


def _from_text(raw: str, label: str, field: str, allow_month_only: bool) -> date:
    text = re.sub(r"\s*([-/.年月日号:])\s*", r"\1", " ".join(unicodedata.normalize("NFKC", raw).split()))
    found = next(
        ((match, has_day) for pattern, has_day in _PATTERNS if (match := pattern.fullmatch(text))), None
    )
    if found is None:
        raise _unreadable(raw, label, field)
    match, has_day = found
    if not has_day and not allow_month_only:
        raise ValidationError(f"{label}“{raw}”缺少日，请写成 2001-07-01 的形式", field)
    year, month, day = int(match["y"]), int(match["m"]), int(match["d"]) if has_day else 1
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise _unreadable(raw, label, field)
    if year < EARLIEST.year:
        raise ValidationError(f"{label}“{raw}”早于 {EARLIEST.year} 年，请检查", field)
    days_in_month = calendar.monthrange(year, month)[1]
    if day > days_in_month:
        raise ValidationError(f"{label}“{raw}”不存在：{year} 年 {month} 月只有 {days_in_month} 天", field)
    return date(year, month, day)


def _checked(d: date, label: str, field: str, today: date) -> date:
    if d > today:
        raise ValidationError(f"{label}不能晚于今天（{today.isoformat()}）", field)
    if d < EARLIEST:
        raise ValidationError(f"{label}“{d.isoformat()}”早于 {EARLIEST.year} 年，请检查", field)
    return d


def _unreadable(raw: str, label: str, field: str) -> ValidationError:
    return ValidationError(f"{label}“{raw}”无法识别，请写成 2001-07-01 的形式", field)
