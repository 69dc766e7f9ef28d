"""Decimal amounts as people type them, into whole units: 元 → 分, hours → tenths.

Qt-free and database-free; the callers name the quantity so every message reads in Chinese.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from app.errors import ValidationError

_DECIMAL = re.compile(r"(?P<whole>\d*)(?:\.(?P<frac>\d*))?")


def parse_units(text: str, *, places: int, suffixes: Iterable[str], field: str, label: str, empty: str,
                example: str, too_precise: str) -> int:
    """``text`` (full-width digits, "。" for the point and a trailing unit such as 元 or 小时 allowed) as a
    whole number of 1/10**``places`` — above 0. Raises ValidationError on ``field``: ``empty`` for no
    text, "<label>不能为负数。", "<label>“…”不是数字，请填写如 <example> 的<…>。" (the caller's
    ``example`` carries the unit), ``too_precise`` for more decimals than ``places``, "<label>应大于 0。"."""
    raw = unicodedata.normalize("NFKC", text or "").strip().replace("。", ".").replace("\u2212", "-")
    for suffix in suffixes:
        raw = raw.removesuffix(suffix).strip()
    if not raw:
        raise ValidationError(empty, field)
    if raw.startswith("-") and _DECIMAL.fullmatch(raw[1:]) and re.search(r"\d", raw):
        raise ValidationError(f"{label}不能为负数。", field)
    match = _DECIMAL.fullmatch(raw)
    if match is None or not re.search(r"\d", raw):
        raise ValidationError(f"{label}“{(text or '').strip()}”不是数字，请填写如 {example}。", field)
    frac = match["frac"] or ""
    if len(frac) > places:
        raise ValidationError(too_precise, field)
    units = int(match["whole"] or "0") * 10**places + int(frac.ljust(places, "0") or "0")
    if units == 0:
        raise ValidationError(f"{label}应大于 0。", field)
    return units
