"""公民身份号码: cleaning, check code, 15→18 upgrade, and one precise message for each kind of mistake."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import ValidationError
from app.idcard import (
    EXCEL_NUMBER_MESSAGE,
    PROVINCES,
    IdNumberError,
    check_code,
    clean_id,
    parse_id,
    upgrade_15,
)
from tests.conftest import TODAY

SAMPLE = "11010519491231002X"  # the example number of GB 11643: 北京朝阳, 1949-12-31, 女


def _with_check(first17: str) -> str:
    return first17 + check_code(first17)


@st.composite
def id_parts(draw, earliest: date = date(1900, 1, 1), latest: date = TODAY):
    region = draw(st.sampled_from(sorted(PROVINCES))) + draw(st.from_regex(r"\A[0-9]{4}\Z"))
    birth = draw(st.dates(min_value=earliest, max_value=latest))
    sequence = draw(st.integers(min_value=0, max_value=999))
    return region, birth, sequence


def test_sample_number_parses():
    info = parse_id(SAMPLE, today=TODAY)
    assert info.number == SAMPLE
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "女"
    assert info.region_code == "110105"
    assert not info.converted_from_15


def test_check_code_of_the_sample_and_bad_input():
    assert check_code(SAMPLE[:17]) == "X"
    with pytest.raises(ValueError):
        check_code("1234")


@pytest.mark.parametrize(
    "raw",
    [
        " 110105 19491231 002x ",
        "１１０１０５１９４９１２３１００２ｘ",  # full-width digits and letter
        "110105\u00a019491231\u3000002X",  # NBSP and full-width space
        "\ufeff11010519491231002X\u200b",  # zero-width characters pasted from a chat
    ],
)
def test_clean_id_normalises_what_people_paste(raw):
    assert clean_id(raw) == SAMPLE
    assert parse_id(raw, today=TODAY).number == SAMPLE


def test_clean_id_of_nothing_is_empty():
    assert clean_id(None) == ""
    assert clean_id("   ") == ""


@pytest.mark.parametrize("raw", [110105194912310020, 1.10105194912310e17, "1.10105E+17", "1.10105e+17", "110105194912310000.0"])
def test_number_cells_that_lost_their_tail_are_refused(raw):
    # GIVEN an ID column that Excel stored as numbers (15 significant digits kept)
    with pytest.raises(IdNumberError) as caught:
        clean_id(raw)
    # THEN the user is told to format the column as text, not that the number is wrong
    assert caught.value.errors == {"id_number": EXCEL_NUMBER_MESSAGE}


def test_a_15_digit_number_cell_is_intact_and_accepted():
    assert clean_id(110105491231002) == "110105491231002"
    assert clean_id(110105491231002.0) == "110105491231002"
    assert parse_id(110105491231002, today=TODAY).converted_from_15


def test_id_number_error_is_a_validation_error_on_the_id_field():
    with pytest.raises(ValidationError) as caught:
        parse_id("123", today=TODAY)
    assert set(caught.value.errors) == {"id_number"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "请填写身份证号"),
        (None, "请填写身份证号"),
        ("11010519491231", "身份证号应为 18 位（或旧版 15 位），现在是 14 位"),
        ("11010519491231002X1", "身份证号应为 18 位（或旧版 15 位），现在是 19 位"),
        ("11010519491231002Y", "身份证号第 18 位“Y”不对，应为数字或 X"),
        ("1101051949123100X2", "身份证号第 17 位“X”不对，应为数字"),
        ("11O10519491231002X", "身份证号第 3 位“O”不对，应为数字"),
        ("11010549123100X", "身份证号第 15 位“X”不对，应为数字"),
        ("110105194912310021", "身份证号校验位不正确（最后一位应为 X）：多半是前面某一位输错了，请逐位核对"),
        ("110105194912310029", "身份证号校验位不正确（最后一位应为 X）：多半是前面某一位输错了，请逐位核对"),
        (_with_check("99010519491231002"), "身份证号前两位“99”不是有效的省级行政区划代码"),
        (_with_check("01010519491231002"), "身份证号前两位“01”不是有效的省级行政区划代码"),
        (_with_check("11010519490230002"), "身份证号中的出生日期“19490230”不是有效日期"),
        (_with_check("11010519491301002"), "身份证号中的出生日期“19491301”不是有效日期"),
        (_with_check("11010518991231002"), "身份证号中的出生日期 1899-12-31 早于 1900 年"),
        (_with_check("11010520261123002"), "身份证号中的出生日期 2026-11-23 晚于今天（2026-11-22）"),
        ("110105490230002", "身份证号中的出生日期“19490230”不是有效日期"),
    ],
)
def test_each_mistake_has_its_own_message(raw, message):
    with pytest.raises(IdNumberError) as caught:
        parse_id(raw, today=TODAY)
    assert caught.value.errors == {"id_number": message}


def test_born_today_is_accepted():
    number = _with_check("110105" + TODAY.strftime("%Y%m%d") + "001")
    assert parse_id(number, today=TODAY).birth_date == TODAY


def test_old_15_digit_number_is_converted():
    info = parse_id("110105491231002", today=TODAY)
    assert info.number == SAMPLE
    assert info.converted_from_15
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "女"
    assert upgrade_15("110105491231002") == SAMPLE
    with pytest.raises(ValueError):
        upgrade_15(SAMPLE)


def test_hong_kong_macao_and_taiwan_codes_are_known():
    for code in ("71", "81", "82", "83"):
        assert parse_id(_with_check(code + "000019800101001"), today=TODAY).region_code == code + "0000"


@given(id_parts())
def test_valid_numbers_round_trip(parts):
    region, birth, sequence = parts
    number = _with_check(f"{region}{birth:%Y%m%d}{sequence:03d}")
    info = parse_id(number, today=TODAY)
    assert info.number == number
    assert info.birth_date == birth
    assert info.sex == ("男" if sequence % 2 else "女")
    assert info.region_code == region
    assert not info.converted_from_15
    assert parse_id(number.lower(), today=TODAY) == info


@given(id_parts(), st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_changing_any_single_character_is_rejected(parts, position, replacement):
    region, birth, sequence = parts
    number = _with_check(f"{region}{birth:%Y%m%d}{sequence:03d}")
    if replacement == number[position] or (replacement == "X" and position < 17):
        replacement = str((int(number[position]) + 1) % 10) if number[position] != "X" else "0"
    mutated = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(IdNumberError):
        parse_id(mutated, today=TODAY)


@given(id_parts(earliest=date(1900, 1, 1), latest=date(1999, 12, 31)))
def test_15_digit_upgrade_keeps_birth_date_and_sex(parts):
    region, birth, sequence = parts
    old = f"{region}{birth:%y%m%d}{sequence:03d}"
    new = upgrade_15(old)
    assert len(new) == 18
    info = parse_id(new, today=TODAY)
    assert (info.birth_date, info.sex, info.converted_from_15) == (birth, "男" if sequence % 2 else "女", False)
    assert parse_id(old, today=TODAY) == info.__class__(new, birth, info.sex, region, True)


@given(st.one_of(st.none(), st.text(), st.integers(), st.floats()))
def test_anything_is_accepted_or_refused_with_a_message(raw):
    try:
        parse_id(raw, today=TODAY)
    except IdNumberError as error:
        assert str(error)
