"""Forgiving date parsing (text, Excel cells) and calendar-month arithmetic."""

from __future__ import annotations

import calendar
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.dates import add_months, add_years, age_on, parse_date
from app.errors import ValidationError
from tests.conftest import TODAY

JULY_1 = date(2001, 7, 1)


@pytest.mark.parametrize(
    "value",
    [
        "2001-07-01",
        "2001-7-1",
        "2001/7/1",
        "2001/07/01",
        "2001.7.1",
        "2001年7月1日",
        "2001年07月01号",
        "2001 年 7 月 1 日",
        "20010701",
        "  2001-07-01  ",
        "２００１－０７－０１",
        "２００１年７月１日",
        "2001-07-01 00:00:00",
        "2001-07-01T08:30",
        JULY_1,
        datetime(2001, 7, 1, 15, 30),
        37073,  # Excel serial
        37073.75,  # Excel serial with a time of day
        20010701,  # 20010701 typed into a number cell
    ],
)
def test_the_ways_people_write_a_date(value):
    assert parse_date(value, today=TODAY) == JULY_1


@pytest.mark.parametrize("value", ["2001-07", "2001.7", "2001/07", "2001年7月", "2001年7"])
def test_month_only_means_the_first(value):
    assert parse_date(value, today=TODAY) == JULY_1


def test_month_only_can_be_refused():
    with pytest.raises(ValidationError) as caught:
        parse_date("2001.7", field_label="入党日期", field="joined_on", today=TODAY, allow_month_only=False)
    assert caught.value.errors == {"joined_on": "入党日期“2001.7”缺少日，请写成 2001-07-01 的形式"}


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000"])
def test_empty_is_none(value):
    assert parse_date(value, today=TODAY) is None


def test_excel_1900_leap_year_bug():
    assert parse_date(1, today=TODAY) == date(1900, 1, 1)
    assert parse_date(59, today=TODAY) == date(1900, 2, 28)
    assert parse_date(61, today=TODAY) == date(1900, 3, 1)
    with pytest.raises(ValidationError):
        parse_date(60, today=TODAY)  # Excel's 1900-02-29, a day that never was


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2001.13.1", "入党日期“2001.13.1”无法识别，请写成 2001-07-01 的形式"),
        ("七一", "入党日期“七一”无法识别，请写成 2001-07-01 的形式"),
        ("2001", "入党日期“2001”无法识别，请写成 2001-07-01 的形式"),
        ("01-07-2001", "入党日期“01-07-2001”无法识别，请写成 2001-07-01 的形式"),
        ("2001-07/01", "入党日期“2001-07/01”无法识别，请写成 2001-07-01 的形式"),
        (True, "入党日期“True”无法识别，请写成 2001-07-01 的形式"),
        (0, "入党日期“0”无法识别，请写成 2001-07-01 的形式"),
        (2001, "入党日期“2001”无法识别，请写成 2001-07-01 的形式"),
        (float("nan"), "入党日期“nan”无法识别，请写成 2001-07-01 的形式"),
        ("2001-02-30", "入党日期“2001-02-30”不存在：2001 年 2 月只有 28 天"),
        (20010230, "入党日期“20010230”不存在：2001 年 2 月只有 28 天"),
        ("1899-12-31", "入党日期“1899-12-31”早于 1900 年，请检查"),
        ("2026-11-23", "入党日期不能晚于今天（2026-11-22）"),
        ("2026-12", "入党日期不能晚于今天（2026-11-22）"),
        (date(2027, 1, 1), "入党日期不能晚于今天（2026-11-22）"),
        (2001.1, "入党日期“2001.1”被 Excel 存成了数字（2001.10 会变成 2001.1），请将该列设为文本格式后重新填写"),
    ],
)
def test_each_problem_has_its_message(value, message):
    with pytest.raises(ValidationError) as caught:
        parse_date(value, field_label="入党日期", field="joined_on", today=TODAY)
    assert caught.value.errors == {"joined_on": message}


def test_today_itself_is_allowed():
    assert parse_date("2026-11-22", today=TODAY) == TODAY
    assert parse_date("2026-11", today=TODAY) == date(2026, 11, 1)


@given(st.text())
def test_any_text_is_a_date_none_or_a_validation_error(text):
    try:
        result = parse_date(text, today=TODAY)
    except ValidationError as error:
        assert str(error)
    else:
        assert result is None or date(1900, 1, 1) <= result <= TODAY


@given(st.floats() | st.integers())
def test_any_number_is_a_date_or_a_validation_error(number):
    try:
        result = parse_date(number, today=TODAY)
    except ValidationError as error:
        assert str(error)
    else:
        assert date(1900, 1, 1) <= result <= TODAY


@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
def test_iso_text_round_trips(d):
    assert parse_date(d.isoformat(), today=TODAY) == d
    assert parse_date(f"{d.year}年{d.month}月{d.day}日", today=TODAY) == d


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 15), 6, date(2026, 11, 15)),
        (date(2026, 11, 30), 14, date(2028, 1, 30)),
        (date(2026, 1, 31), -13, date(2024, 12, 31)),
    ],
)
def test_add_months_clamps_to_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.integers(-1200, 1200))
def test_add_months_properties(d, months):
    result = add_months(d, months)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == months
    assert result.day <= d.day
    assert result.day == d.day or result.day == calendar.monthrange(result.year, result.month)[1]


def test_add_years_turns_29_february_into_28():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2001, 7, 1), 1) == date(2002, 7, 1)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(2008, 11, 22), TODAY, 18),
        (date(2008, 11, 23), TODAY, 17),
        (date(2004, 2, 29), date(2022, 2, 28), 17),
        (date(2004, 2, 29), date(2022, 3, 1), 18),
        (date(1949, 10, 1), TODAY, 77),
    ],
)
def test_age_on(birth, on, age):
    assert age_on(birth, on) == age
