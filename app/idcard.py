"""公民身份号码 (GB 11643): cleaning, check code, 15→18 upgrade and validation with Chinese messages."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from app.errors import ValidationError
from app.masking import mask_id

__all__ = ["IdInfo", "IdNumberError", "check_code", "clean_id", "mask_id", "parse_id", "upgrade_15"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CODES = "10X98765432"
# The province-level codes of GB/T 2260, plus 83, which 台湾居民居住证 numbers (same format, since 2018) use.
# fmt: off
PROVINCES: dict[str, str] = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古",
    "21": "辽宁", "22": "吉林", "23": "黑龙江",
    "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东",
    "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏",
    "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
    "71": "台湾", "81": "香港", "82": "澳门", "83": "台湾（居住证）",
}
# fmt: on
# zero-width characters that come along when a number is pasted from a chat or a web page
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_NUMBER_TEXT = re.compile(r"\d+(\.\d*)?E[+-]?\d+|\d{16,}\.0*")  # 1.10105E+17, 110105199001011000.0
EXCEL_NUMBER_MESSAGE = "身份证号被 Excel 存成了数字，末尾几位已丢失，请将身份证号列设为文本格式后重新填写。"


class IdNumberError(ValidationError):
    """A 公民身份号码 that cannot be accepted; the message names what is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="id_number")


@dataclass(frozen=True)
class IdInfo:
    number: str  # always the 18-character form
    birth_date: date
    sex: str  # "男" / "女"
    region_code: str
    converted_from_15: bool


def clean_id(raw: str | int | float | None) -> str:
    """Drop spaces (full-width, NBSP, zero-width), make full-width characters ASCII and x upper-case."""
    if raw is None:
        return ""
    if isinstance(raw, int | float):
        # A number cell keeps 15 significant digits: an old 15-digit number survives, an 18-digit one doesn't.
        if 10**14 <= raw < 10**15 and raw == int(raw):
            return str(int(raw))
        raise IdNumberError(EXCEL_NUMBER_MESSAGE)
    text = "".join(unicodedata.normalize("NFKC", str(raw)).translate(_INVISIBLE).split()).upper()
    if _NUMBER_TEXT.fullmatch(text):
        raise IdNumberError(EXCEL_NUMBER_MESSAGE)
    return text


def check_code(first17: str) -> str:
    """The check character (0–9 or X) for the first 17 digits of an ID number."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError(f"check_code needs 17 digits, got {first17!r}")
    return _CODES[sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True)) % 11]


def upgrade_15(id15: str) -> str:
    """The 18-character form of an old 15-digit number: year 19YY and a check code added."""
    if len(id15) != 15 or not (id15.isascii() and id15.isdigit()):
        raise ValueError(f"upgrade_15 needs 15 digits, got {id15!r}")
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + check_code(first17)


def parse_id(raw: str | int | float | None, *, today: date | None = None) -> IdInfo:
    """Validate an ID number (18 or old 15 characters) and read its birth date, sex and region."""
    number = clean_id(raw)
    if not number:
        raise IdNumberError("请填写身份证号")
    if len(number) not in (15, 18):
        raise IdNumberError(f"身份证号应为 18 位（或旧版 15 位），现在是 {len(number)} 位")
    for position, char in enumerate(number, start=1):
        if not ("0" <= char <= "9" or (char == "X" and position == 18)):
            expected = "数字或 X" if position == 18 else "数字"
            raise IdNumberError(f"身份证号第 {position} 位“{char}”不对，应为{expected}")
    if number[:2] not in PROVINCES:
        raise IdNumberError(f"身份证号前两位“{number[:2]}”不是有效的省级行政区划代码")
    converted = len(number) == 15
    birth_digits = "19" + number[6:12] if converted else number[6:14]
    birth = _birth_date(birth_digits, today or date.today())
    if converted:
        number = upgrade_15(number)
    elif number[17] != check_code(number[:17]):
        raise IdNumberError(
            f"身份证号校验位不正确（最后一位应为 {check_code(number[:17])}）：多半是前面某一位输错了，请逐位核对"
        )
    return IdInfo(
        number=number,
        birth_date=birth,
        sex="男" if int(number[16]) % 2 else "女",
        region_code=number[:6],
        converted_from_15=converted,
    )


def _birth_date(digits: str, today: date) -> date:
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdNumberError(f"身份证号中的出生日期“{digits}”不是有效日期") from None
    if birth < date(1900, 1, 1):
        raise IdNumberError(f"身份证号中的出生日期 {birth.isoformat()} 早于 1900 年")
    if birth > today:
        raise IdNumberError(f"身份证号中的出生日期 {birth.isoformat()} 晚于今天（{today.isoformat()}）")
    return birth
