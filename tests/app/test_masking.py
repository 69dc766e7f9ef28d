"""Masking of names, ID numbers and phone numbers for screens, prints and exports."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import idcard
from app.masking import mask_id, mask_name, mask_phone


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张建国", "张**"),
        ("欧阳修", "欧阳*"),
        ("欧阳娜娜", "欧阳**"),
        ("司马相如", "司马**"),
        ("诸葛亮", "诸葛*"),
        ("上官婉儿", "上官**"),
        ("尉迟恭", "尉迟*"),
        ("欧阳", "欧*"),
        ("张", "*"),
        (" 张 三 ", "张*"),
        ("", ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("11010519491231002X", "110105********002X"),
        ("110105491231002", "110105*****1002"),
        ("1234567890", "**********"),
        ("", ""),
    ],
)
def test_mask_id(number, masked):
    assert mask_id(number) == masked


def test_idcard_offers_the_same_mask():
    assert idcard.mask_id is mask_id


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        ("010-87654321", "010*****4321"),
        ("87654321", "****4321"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@given(st.from_regex(r"\A[0-9]{17}[0-9X]\Z"))
def test_a_masked_id_keeps_its_length_and_hides_the_birth_date(number):
    masked = mask_id(number)
    assert len(masked) == 18
    assert masked[6:14] == "********"
    assert (masked[:6], masked[14:]) == (number[:6], number[14:])


@given(st.from_regex(r"\A1[3-9][0-9]{9}\Z"))
def test_a_masked_mobile_hides_the_middle_four(phone):
    assert mask_phone(phone) == phone[:3] + "****" + phone[7:]
