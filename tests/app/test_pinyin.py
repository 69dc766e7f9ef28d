"""Pinyin sort keys, initials for search (surnames read as surnames) and name bigrams."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.pinyin import full_pinyin_variants, initials_variants, name_bigrams, sort_key, split_surname

RARE = "\U00020bb7"  # 𠮷, an Extension B character pypinyin has no reading for
RARER = "\U00020bb9"


def _sorted(names: list[str]) -> list[str]:
    return sorted(names, key=sort_key)


def test_shorter_name_sorts_before_its_extension_and_before_the_next_syllable():
    assert _sorted(["张四", "张三丰", "张三"]) == ["张三", "张三丰", "张四"]


def test_syllable_boundaries_decide_the_order():
    # zhan gan before zhang an, as in a dictionary: 詹 comes before 张
    assert _sorted(["张安", "詹甘"]) == ["詹甘", "张安"]


def test_zeng_sorts_under_z():
    # read as céng it would come before 陈 (chen); as the surname zēng it comes after
    assert sort_key("曾国藩") == "zeng guo fan"
    assert _sorted(["张三", "曾国藩", "陈明"]) == ["陈明", "曾国藩", "张三"]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("单雄信", "shan xiong xin"),
        ("解缙", "xie jin"),
        ("仇英", "qiu ying"),
        ("朴槿惠", "piao jin hui"),
        ("查良镛", "zha liang yong"),
        ("区志坚", "ou zhi jian"),
        ("盖叫天", "ge jiao tian"),
        ("缪昌期", "miao chang qi"),
        ("覃振", "qin zhen"),
        ("尉健行", "wei jian xing"),
        ("尉迟恭", "yu chi gong"),
        ("长孙无忌", "zhang sun wu ji"),
        ("万俟卨", "mo qi xie"),
        ("单于洪", "chan yu hong"),
        ("欧阳修", "ou yang xiu"),
        ("吕布", "lv bu"),
        ("张 三", "zhang san"),
    ],
)
def test_surname_readings_in_sort_keys(name, key):
    assert sort_key(name) == key


def test_unknown_characters_sort_last_by_code_point():
    assert _sorted([f"张{RARER}", f"张{RARE}", "张作霖", "张三"]) == ["张三", "张作霖", f"张{RARE}", f"张{RARER}"]
    assert sort_key(RARE) > sort_key("左")


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("曾国藩", ["zgf"]),
        ("单雄信", ["sxx"]),
        ("解缙", ["xj"]),
        ("仇英", ["qy"]),
        ("朴槿惠", ["pjh"]),
        ("张三丰", ["zsf"]),
        ("查良镛", ["zly"]),
        ("区志坚", ["ozj"]),
        ("欧阳修", ["oyx"]),
        ("尉迟恭", ["ycg"]),
        ("万俟卨", ["mqx"]),
        ("长孙无忌", ["zswj"]),
        ("张建国", ["zjg"]),
        (f"张{RARE}", ["z"]),
        ("", []),
    ],
)
def test_initials_of_real_names(name, initials):
    assert initials_variants(name) == initials


def test_a_polyphonic_given_name_gives_every_reading_the_expected_first():
    assert initials_variants("李行") == ["lx", "lh"]
    assert initials_variants("王重阳")[0] == "wcy" and "wzy" in initials_variants("王重阳")
    assert full_pinyin_variants("李行") == ["lixing", "lihang"]


def test_a_surname_with_two_readings_is_found_by_both():
    assert initials_variants("尉健行")[0] == "wjx" and "yjx" in initials_variants("尉健行")
    assert initials_variants("乐嘉") == ["yj", "lj"]


def test_variants_are_capped():
    assert len(initials_variants("乐行长重朝", limit=16)) == 16
    assert len(initials_variants("乐行长重朝", limit=3)) == 3
    assert len(full_pinyin_variants("乐行长重朝", limit=5)) == 5


@pytest.mark.parametrize(
    ("name", "bigrams"),
    [
        ("张建国", ["张建", "建国"]),
        ("张三", ["张三"]),
        ("张", []),
        ("", []),
        ("欧阳娜娜", ["欧阳", "阳娜", "娜娜"]),
        ("阿不都·热合曼", ["阿不", "不都", "热合", "合曼"]),
        (" 张 建国 ", ["张建", "建国"]),
    ],
)
def test_name_bigrams(name, bigrams):
    assert name_bigrams(name) == bigrams


def test_split_surname_keeps_compound_surnames_whole():
    assert split_surname("欧阳修") == ("欧阳", "修")
    assert split_surname("司马相如") == ("司马", "相如")
    assert split_surname("张三") == ("张", "三")
    assert split_surname("欧阳") == ("欧", "阳")  # two characters: a surname and a given name
    assert split_surname("") == ("", "")


@given(st.text(max_size=12))
def test_keys_are_ascii_for_any_text(name):
    assert sort_key(name).isascii()
    variants = initials_variants(name, limit=4)
    assert len(variants) <= 4
    assert all(re.fullmatch(r"[a-z0-9]*", variant) for variant in variants)
    assert all(re.fullmatch(r"[a-z0-9]*", variant) for variant in full_pinyin_variants(name, limit=4))


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=4))
def test_initials_follow_the_sort_key_one_letter_per_known_character(name):
    syllables = sort_key(name).split()
    assert len(syllables) == len(name)
    known = [syllable for syllable in syllables if not syllable.startswith("~")]
    variants = initials_variants(name)
    assert all(len(variant) == len(known) for variant in variants)
    assert variants[:1] == (["".join(syllable[0] for syllable in known)] if known else [])


def test_importing_the_module_does_not_load_pypinyin():
    code = "import app.pinyin, app.masking, sys; assert 'pypinyin' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
