"""Pinyin search and sort keys for Chinese names, with surnames read as surnames.

pypinyin (and its phrase dictionary, about half a second) is imported inside the functions that need it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from functools import cache
from itertools import islice, product

# 复姓 with their readings; a name of three or more characters that starts with one has it as surname.
# fmt: off
COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "欧阳": ("ou", "yang"), "司马": ("si", "ma"), "上官": ("shang", "guan"), "诸葛": ("zhu", "ge"),
    "东方": ("dong", "fang"), "皇甫": ("huang", "fu"), "尉迟": ("yu", "chi"), "公孙": ("gong", "sun"),
    "慕容": ("mu", "rong"), "长孙": ("zhang", "sun"), "宇文": ("yu", "wen"), "司徒": ("si", "tu"),
    "夏侯": ("xia", "hou"), "轩辕": ("xuan", "yuan"), "令狐": ("ling", "hu"), "钟离": ("zhong", "li"),
    "端木": ("duan", "mu"), "呼延": ("hu", "yan"), "南宫": ("nan", "gong"), "万俟": ("mo", "qi"),
    "单于": ("chan", "yu"), "澹台": ("tan", "tai"), "公冶": ("gong", "ye"), "濮阳": ("pu", "yang"),
    "淳于": ("chun", "yu"), "太叔": ("tai", "shu"), "申屠": ("shen", "tu"), "闻人": ("wen", "ren"),
    "西门": ("xi", "men"), "独孤": ("du", "gu"), "拓跋": ("tuo", "ba"), "赫连": ("he", "lian"),
    "第五": ("di", "wu"), "百里": ("bai", "li"), "东郭": ("dong", "guo"), "左丘": ("zuo", "qiu"),
    "谷梁": ("gu", "liang"), "巫马": ("wu", "ma"), "亓官": ("qi", "guan"), "司空": ("si", "kong"),
    "司寇": ("si", "kou"), "子车": ("zi", "ju"), "颛孙": ("zhuan", "sun"), "乐正": ("yue", "zheng"),
    "壤驷": ("rang", "si"), "公良": ("gong", "liang"), "漆雕": ("qi", "diao"), "公西": ("gong", "xi"),
    "梁丘": ("liang", "qiu"), "段干": ("duan", "gan"), "羊舌": ("yang", "she"), "微生": ("wei", "sheng"),
    "公羊": ("gong", "yang"), "东门": ("dong", "men"), "仲孙": ("zhong", "sun"), "叔孙": ("shu", "sun"),
    "鲜于": ("xian", "yu"),
}
# fmt: on

# Single surnames whose surname reading is not pypinyin's first reading, or that have two surname readings
# (the first is the one names sort by; initials are stored for both).
# fmt: off
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "曾": ("zeng",), "单": ("shan",), "解": ("xie",), "仇": ("qiu",), "朴": ("piao",), "查": ("zha",),
    "区": ("ou",), "尉": ("wei", "yu"), "盖": ("ge", "gai"), "员": ("yun", "yuan"), "乐": ("yue", "le"),
    "缪": ("miao",), "覃": ("qin", "tan"), "种": ("chong",), "召": ("shao",), "繁": ("po",),
    "便": ("pian",), "翟": ("zhai", "di"), "阚": ("kan",), "都": ("du",), "长": ("chang",), "藏": ("zang",),
    "卜": ("bu",), "折": ("she",), "秘": ("bi",), "句": ("gou",), "洗": ("xian",), "粘": ("nian",),
    "郇": ("huan", "xun"), "颉": ("xie", "jie"), "佴": ("nai",), "牟": ("mou", "mu"), "么": ("yao",),
    "祭": ("zhai",), "隗": ("wei", "kui"), "能": ("nai",), "薄": ("bo",), "重": ("chong",), "蔚": ("yu", "wei"),
    "乜": ("nie",), "谌": ("chen", "shen"), "黑": ("he",),
}
# fmt: on

_TOKEN = re.compile(r"[A-Za-z0-9]+|[^\W\d_]")  # a run of ASCII letters/digits, or one letter of any script
_UNKNOWN = "~"  # sorts after every ASCII letter: characters pypinyin doesn't know go last, by code point
_MIN_PHRASES = 2  # a secondary reading counts when at least this many dictionary words use it


def split_surname(name: str) -> tuple[str, str]:
    """Split a name into (surname, given name); a compound surname is kept whole."""
    name = "".join(name.split())
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


def sort_key(name: str) -> str:
    """Toneless pinyin syllables joined by spaces, so that 张三 < 张三丰 < 张四 and 曾 sorts under z."""
    return " ".join(readings[0] for readings in _units(name))


def initials_variants(name: str, limit: int = 16) -> list[str]:
    """Pinyin-initial strings for every reading of the name, the expected one first: 曾国藩 → ['zgf']."""
    return _variants(name, limit, lambda reading: reading[0])


def full_pinyin_variants(name: str, limit: int = 16) -> list[str]:
    """Full toneless pinyin strings for every reading of the name, the expected one first: 张三 → ['zhangsan']."""
    return _variants(name, limit, lambda reading: reading)


def name_bigrams(name: str) -> list[str]:
    """The two-character parts of a name (张建国 → 张建, 建国), so that 建国 finds 张建国."""
    text = "".join(unicodedata.normalize("NFKC", name).split())
    grams = [part[i : i + 2] for part in re.split(r"\W+", text) for i in range(len(part) - 1)]
    return list(dict.fromkeys(grams))


def _variants(name: str, limit: int, part: Callable[[str], str]) -> list[str]:
    choices = [
        list(dict.fromkeys(part(reading) for reading in readings))
        for readings in _units(name)
        if not readings[0].startswith(_UNKNOWN)
    ]
    if not choices:
        return []
    return ["".join(combination) for combination in islice(product(*choices), limit)]


def _units(name: str) -> list[tuple[str, ...]]:
    """Each sound of the name with its candidate readings, the expected one first."""
    text = unicodedata.normalize("NFKC", name)
    surname, given = split_surname(text)
    if surname in COMPOUND_SURNAMES:
        head = [(syllable,) for syllable in COMPOUND_SURNAMES[surname]]
    elif surname in SURNAME_READINGS:
        head = [SURNAME_READINGS[surname]]
    elif surname.isascii():
        return _readings(text)
    else:
        head = [readings[:1] for readings in _readings(surname)]
    return head + _readings(given)


def _readings(text: str) -> list[tuple[str, ...]]:
    from pypinyin import Style, pinyin

    tokens = _TOKEN.findall(text)
    han = "".join(token for token in tokens if not token.isascii())
    primary = iter(item[0] for item in pinyin(han, style=Style.NORMAL, errors=lambda run: list(run)))
    live = _live_readings()
    units: list[tuple[str, ...]] = []
    for token in tokens:
        if token.isascii():
            units.append((token.lower(),))
            continue
        reading = next(primary)
        if not (reading.isascii() and reading.isalpha()):
            units.append((f"{_UNKNOWN}{ord(token):06x}",))
        else:
            units.append((reading, *(other for other in live.get(token, ()) if other != reading)))
    return units


@cache
def _live_readings() -> dict[str, tuple[str, ...]]:
    """Toneless readings of each character that words in pypinyin's phrase dictionary use, commonest first.

    pypinyin's per-character lists carry archaic readings (信 shēn, 英 yāng) that would make false initials.
    """
    from pypinyin.constants import PHRASES_DICT
    from pypinyin.contrib.tone_convert import to_normal

    counts: dict[str, Counter[str]] = {}
    for phrase, readings in PHRASES_DICT.items():
        for char, candidates in zip(phrase, readings, strict=False):
            counts.setdefault(char, Counter())[to_normal(candidates[0])] += 1
    return {
        char: tuple(
            reading for reading, n in counter.most_common() if n >= _MIN_PHRASES and reading.isascii()
        )
        for char, counter in counts.items()
    }
