"""党费 rules of 中组发〔2008〕3号: brackets, fixed amounts, dated bases, the policy, arrears, back payment."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.dues_rules import (
    CATEGORIES,
    FARMER,
    FIXED_YEARLY,
    FOLLOWS_PAY,
    RELIEF,
    RETIRED,
    STUDENT,
    UNEMPLOYED,
    WORKING,
    Arrears,
    DuesBase,
    amount_policy,
    annual_due,
    arrears,
    base_in_force,
    check_back_payment,
    due_for_month,
    earliest_back_payment,
    first_due_month,
    last_due_month,
    monthly_due_fen,
    rate_per_mille,
    year_schedule,
)
from app.errors import ValidationError


def m(year: int, month: int) -> date:
    return date(year, month, 1)


def working(year: int, month: int, base_fen: int) -> DuesBase:
    return DuesBase(m(year, month), WORKING, base_fen)


def refused(category, base_fen, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        monthly_due_fen(category, base_fen, **kwargs)
    return caught.value.errors


# ---------------------------------------------------------------- brackets


@pytest.mark.parametrize(("base_fen", "due_fen"), [
    (100_000, 500),  # 1000 元 × 0.5 %
    (299_999, 1500),  # 1499.995 分 → 1500 (half up)
    (300_000, 1500),  # exactly 3000 元: still 0.5 %
    (300_001, 3000),  # 3000.01 元: 1 % of the whole base, 3000.01 分 → 3000
    (499_999, 5000),  # 4999.99 分 → 5000
    (500_000, 5000),  # exactly 5000 元: 1 %
    (500_001, 7500),  # 1.5 %: 7500.015 → 7500
    (999_999, 15000),  # 14999.985 → 15000
    (1_000_000, 15000),  # exactly 10000 元: 1.5 %
    (1_000_001, 20000),  # 2 %: 20000.02 → 20000
    (2_345_678, 46914),  # 46913.56 → 46914
])
def test_working_brackets_at_and_around_each_boundary(base_fen, due_fen):
    assert monthly_due_fen(WORKING, base_fen) == due_fen


@pytest.mark.parametrize(("base_fen", "per_mille"), [
    (1, 5), (300_000, 5), (300_001, 10), (500_000, 10), (500_001, 15), (1_000_000, 15), (1_000_001, 20)])
def test_working_rates(base_fen, per_mille):
    assert rate_per_mille(WORKING, base_fen) == per_mille


def test_brackets_apply_to_the_whole_base_not_slice_by_slice():
    # progressive slices would give 3000×0.5 % + 0.01×1 % = 15.00 元; the rule gives 1 % of everything
    assert monthly_due_fen(WORKING, 300_001) == 3000
    assert monthly_due_fen(WORKING, 800_000) == 12000  # 8000 元 × 1.5 %, not 15 + 20 + 45


@pytest.mark.parametrize(("base_fen", "due_fen"), [
    (100_100, 501),  # 500.5 → 501: half up, not half even (which would give 500)
    (100_300, 502),  # 501.5 → 502 (half even would also give 502)
    (100_099, 500),  # 500.495 → 500
    (500_100, 7502),  # 7501.5 → 7502
    (1, 0),  # 0.005 → 0
    (100, 1),  # 0.5 → 1
])
def test_rounding_to_the_fen_half_up(base_fen, due_fen):
    assert monthly_due_fen(WORKING, base_fen) == due_fen


@pytest.mark.parametrize(("base_fen", "due_fen"), [
    (300_000, 1500), (499_999, 2500), (500_000, 2500), (500_001, 5000), (800_000, 8000), (123_457, 617)])
def test_retired_brackets(base_fen, due_fen):
    assert monthly_due_fen(RETIRED, base_fen) == due_fen


def test_retired_rates():
    assert [rate_per_mille(RETIRED, b) for b in (500_000, 500_001)] == [5, 10]
    with pytest.raises(ValueError):
        rate_per_mille(FARMER, 100)


@given(st.integers(min_value=1, max_value=10**9), st.sampled_from([WORKING, RETIRED]))
def test_integer_maths_matches_decimal_half_up(base_fen, category):
    rate = Decimal(rate_per_mille(category, base_fen)) / 1000
    expected = (Decimal(base_fen) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert monthly_due_fen(category, base_fen) == int(expected)


def test_a_working_or_retired_member_needs_a_positive_base():
    assert refused(WORKING, None) == {"base_fen": "在职党员须填写每月工资收入（税后）作为党费计算基数。"}
    assert refused(RETIRED, None) == {
        "base_fen": "离退休党员须填写每月实际领取的离退休费或养老金总额作为党费计算基数。"}
    assert refused(WORKING, 0) == {"base_fen": "党费计算基数应大于 0（现为 0.00 元）。"}
    assert refused(RETIRED, -150) == {"base_fen": "党费计算基数应大于 0（现为 -1.50 元）。"}


# ---------------------------------------------------------------- fixed amounts


@pytest.mark.parametrize("amount", [20, 21, 50, 99, 100])
def test_farmers_pay_their_amount_between_20_and_100_fen(amount):
    assert monthly_due_fen(FARMER, None, farmer_amount_fen=amount) == amount
    assert monthly_due_fen(FARMER, 500_000, farmer_amount_fen=amount) == amount  # a base is ignored


@pytest.mark.parametrize(("amount", "shown"), [(19, "0.19"), (101, "1.01"), (0, "0.00"), (-20, "-0.20")])
def test_farmers_outside_the_range_are_refused(amount, shown):
    assert refused(FARMER, None, farmer_amount_fen=amount) == {
        "farmer_amount_fen": f"农民党员每月交纳党费 0.20 至 1.00 元，现为 {shown} 元。"}


def test_a_farmer_without_an_amount_is_refused():
    assert refused(FARMER, None) == {"farmer_amount_fen": "请填写农民党员每月交纳的党费金额（0.20 至 1.00 元）。"}


@pytest.mark.parametrize("category", [STUDENT, UNEMPLOYED, RELIEF])
def test_students_unemployed_and_relief_pay_20_fen(category):
    assert monthly_due_fen(category, None) == 20
    assert monthly_due_fen(category, 900_000, farmer_amount_fen=80) == 20


def test_categories_are_named_in_chinese_and_unknown_ones_refused():
    assert CATEGORIES == ("在职", "离退休", "农民", "学生", "无业", "低保/困难")
    assert refused("退休", 100_000) == {
        "category": "党费类别“退休”无效，请选择在职、离退休、农民、学生、无业、低保/困难之一。"}


# ---------------------------------------------------------------- dated bases


def test_a_base_starts_on_the_first_of_a_month_and_is_checked_on_creation():
    with pytest.raises(ValueError, match="1 日"):
        DuesBase(date(2026, 3, 15), WORKING, 400_000)
    with pytest.raises(ValidationError):
        DuesBase(m(2026, 3), WORKING, None)
    with pytest.raises(ValidationError):
        DuesBase(m(2026, 3), FARMER, None, farmer_amount_fen=150)
    assert DuesBase(m(2026, 3), FARMER, farmer_amount_fen=50).monthly_fen == 50


def test_due_for_month_uses_the_latest_base_in_force():
    bases = [working(2026, 4, 600_000), working(2025, 1, 400_000), DuesBase(m(2026, 9), RETIRED, 450_000)]
    assert due_for_month(bases, m(2024, 12)) is None  # before the first base
    assert due_for_month(bases, m(2025, 1)) == 4000
    assert due_for_month(bases, date(2026, 3, 31)) == 4000  # any day of the month
    assert due_for_month(bases, m(2026, 4)) == 9000
    assert due_for_month(bases, m(2026, 8)) == 9000
    assert due_for_month(bases, m(2026, 9)) == 2250  # retired from September
    assert due_for_month([], m(2026, 9)) is None


def test_two_bases_for_the_same_month_are_refused():
    with pytest.raises(ValueError, match="2026年4月有两条党费基数"):
        due_for_month([working(2026, 4, 400_000), working(2026, 4, 500_000)], m(2026, 5))


# ---------------------------------------------------------------- the policy


RAISE_IN_MAY = [working(2025, 3, 400_000), working(2026, 5, 600_000)]  # 1 % then 1.5 % from May 2026


def test_a_mid_year_raise_follows_pay():
    # GIVEN a pay rise from May 2026 WHEN the amount follows pay THEN May to December pay the new amount
    assert [amount_policy(FOLLOWS_PAY, RAISE_IN_MAY, m(2026, k)) for k in (1, 4, 5, 12)] == [4000, 4000, 9000, 9000]
    assert annual_due(RAISE_IN_MAY, 2026, date(2020, 7, 1), policy=FOLLOWS_PAY) == 4 * 4000 + 8 * 9000


def test_a_mid_year_raise_waits_for_january_when_fixed_yearly():
    # GIVEN the same rise WHEN the amount is fixed once a year THEN 2026 keeps January's amount
    assert [amount_policy(FIXED_YEARLY, RAISE_IN_MAY, m(2026, k)) for k in (1, 5, 12)] == [4000, 4000, 4000]
    assert amount_policy(FIXED_YEARLY, RAISE_IN_MAY, m(2027, 1)) == 9000
    assert annual_due(RAISE_IN_MAY, 2026, date(2020, 7, 1), policy=FIXED_YEARLY) == 12 * 4000
    assert annual_due(RAISE_IN_MAY, 2027, date(2020, 7, 1), policy=FIXED_YEARLY) == 12 * 9000
    assert base_in_force(RAISE_IN_MAY, m(2026, 12), policy=FIXED_YEARLY) == RAISE_IN_MAY[0]


def test_fixed_yearly_for_a_member_who_joined_later_in_the_year():
    # the first base of the year rules from its month; a second change that year waits for January
    bases = [working(2026, 6, 250_000), working(2026, 9, 350_000)]
    assert amount_policy(FIXED_YEARLY, bases, m(2026, 5)) is None
    assert [amount_policy(FIXED_YEARLY, bases, m(2026, k)) for k in (6, 9, 12)] == [1250, 1250, 1250]
    assert amount_policy(FIXED_YEARLY, bases, m(2027, 1)) == 3500
    assert [amount_policy(FOLLOWS_PAY, bases, m(2026, k)) for k in (6, 9)] == [1250, 3500]


def test_a_base_starting_in_january_is_in_force_on_1_january():
    bases = [working(2025, 6, 250_000), working(2026, 1, 350_000)]
    assert amount_policy(FIXED_YEARLY, bases, m(2026, 7)) == 3500


def test_an_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="党费核定方式"):
        amount_policy("每季度", RAISE_IN_MAY, m(2026, 1))


# ---------------------------------------------------------------- membership span and the year


def test_a_probationary_member_pays_from_the_month_of_acceptance():
    assert first_due_month(date(2026, 6, 30)) == m(2026, 6)
    assert last_due_month(date(2026, 9, 2)) == m(2026, 9) and last_due_month(None) is None
    # GIVEN a 预备党员 accepted on 18 June 2026, base entered from January (before joining)
    bases = [working(2026, 1, 280_000)]
    schedule = year_schedule(bases, 2026, date(2026, 6, 18))
    # THEN June is due in full, January to May are not
    assert list(schedule) == [m(2026, k) for k in range(6, 13)]
    assert annual_due(bases, 2026, date(2026, 6, 18)) == 7 * 1400
    assert annual_due(bases, 2025, date(2026, 6, 18)) == 0


def test_nothing_is_due_before_the_first_base_or_without_one():
    assert list(year_schedule([working(2026, 3, 280_000)], 2026, date(2020, 1, 1))) == [
        m(2026, k) for k in range(3, 13)]
    assert annual_due([], 2026, date(2020, 1, 1)) == 0


def test_annual_due_stops_with_the_month_of_leaving():
    bases = [DuesBase(m(2020, 1), STUDENT)]
    assert annual_due(bases, 2026, date(2020, 1, 1), date(2026, 4, 30)) == 4 * 20
    assert annual_due(bases, 2027, date(2020, 1, 1), date(2026, 4, 30)) == 0


# ---------------------------------------------------------------- back payment


@pytest.mark.parametrize("paid_on", [date(2026, 7, 1), date(2026, 7, 31)])
def test_six_months_back_is_the_limit_on_both_sides(paid_on):
    assert earliest_back_payment(paid_on) == m(2026, 1)
    assert check_back_payment(m(2026, 1), paid_on) is None  # six months back: allowed
    assert check_back_payment(date(2026, 1, 31), paid_on) is None
    assert check_back_payment(m(2026, 6), paid_on) is None
    assert check_back_payment(m(2026, 7), paid_on) is None
    assert check_back_payment(m(2026, 12), paid_on) is None  # ahead: not this rule's concern
    assert check_back_payment(m(2025, 12), paid_on) == (  # seven months back: refused
        f"2025年12月的党费已超过补交期限：补交党费最长不超过 6 个月，{paid_on:%Y-%m-%d} 缴纳最早可补交2026年1月的党费。")


def test_the_limit_across_a_year_end():
    assert check_back_payment(m(2025, 8), date(2026, 2, 14)) is None
    assert check_back_payment(m(2025, 7), date(2026, 2, 14)) is not None


# ---------------------------------------------------------------- arrears


JOINED = date(2020, 7, 1)
BASE = [working(2020, 7, 400_000)]  # 40.00 元 a month


def test_arrears_with_a_gap_and_the_current_month_not_yet_due():
    # GIVEN January–March and June paid, TODAY in August 2026
    paid = {m(2026, k) for k in (1, 2, 3, 6)} | set(_months_2020_to_2025())
    owed = arrears(BASE, paid, JOINED, date(2026, 8, 31))
    # THEN April, May and July are owed; August (this month) is not, even on its last day
    assert owed == Arrears(months=(m(2026, 4), m(2026, 5), m(2026, 7)), total_fen=12000, oldest=m(2026, 4),
                           beyond_back_payment=(), beyond_fen=0)
    assert owed.payable == owed.months
    # on 1 September August joins them
    assert arrears(BASE, paid, JOINED, date(2026, 9, 1)).months[-1] == m(2026, 8)


def _months_2020_to_2025() -> list[date]:
    return [m(y, k) for y in range(2020, 2026) for k in range(1, 13)]


def test_paid_months_may_be_any_day_of_the_month_but_not_month_numbers():
    paid = {date(2026, 1, 15)} | set(_months_2020_to_2025())
    assert arrears(BASE, paid, JOINED, date(2026, 3, 5)).months == (m(2026, 2),)
    with pytest.raises(TypeError):
        arrears(BASE, {1, 2}, JOINED, date(2026, 3, 5))


def test_months_beyond_the_six_month_limit_are_listed_apart():
    # GIVEN nothing paid since June 2025, TODAY 20 July 2026
    paid = {month for month in _months_2020_to_2025() if month <= m(2025, 5)}
    owed = arrears(BASE, paid, JOINED, date(2026, 7, 20))
    # THEN June 2025 – June 2026 are owed; January 2026 (six months back) can still be paid back,
    # June–December 2025 cannot
    assert owed.months == tuple(m(2025, k) for k in range(6, 13)) + tuple(m(2026, k) for k in range(1, 7))
    assert owed.oldest == m(2025, 6)
    assert owed.beyond_back_payment == tuple(m(2025, k) for k in range(6, 13))
    assert owed.payable == tuple(m(2026, k) for k in range(1, 7))
    assert (owed.total_fen, owed.beyond_fen) == (13 * 4000, 7 * 4000)
    # consistent with check_back_payment on the same day
    today = date(2026, 7, 20)
    assert all(check_back_payment(month, today) for month in owed.beyond_back_payment)
    assert not any(check_back_payment(month, today) for month in owed.payable)


def test_a_probationary_member_who_joined_mid_year_owes_from_the_month_of_acceptance():
    # GIVEN accepted as 预备党员 on 25 May 2026, a student, nothing paid; TODAY 3 September 2026
    bases = [DuesBase(m(2026, 5), STUDENT)]
    owed = arrears(bases, set(), date(2026, 5, 25), date(2026, 9, 3))
    # THEN May to August are owed at 0.20 元
    assert owed.months == (m(2026, 5), m(2026, 6), m(2026, 7), m(2026, 8))
    assert (owed.total_fen, owed.oldest) == (80, m(2026, 5))
    # a base recorded before joining does not make earlier months due
    assert arrears([DuesBase(m(2026, 1), STUDENT)], set(), date(2026, 5, 25), date(2026, 9, 3)) == owed


def test_arrears_start_at_the_first_base_when_it_is_later_than_joining():
    owed = arrears([working(2026, 5, 200_000)], set(), JOINED, date(2026, 7, 10))
    assert owed.months == (m(2026, 5), m(2026, 6))
    assert arrears([], set(), JOINED, date(2026, 7, 10)) == Arrears((), 0, None, ())


def test_arrears_follow_the_policy():
    paid = set(_months_2020_to_2025())
    today = date(2026, 8, 1)
    assert arrears(RAISE_IN_MAY, paid, JOINED, today).total_fen == 4 * 4000 + 3 * 9000
    assert arrears(RAISE_IN_MAY, paid, JOINED, today, policy=FIXED_YEARLY).total_fen == 7 * 4000


def test_no_arrears_after_leaving():
    # GIVEN a member transferred out (转出) on 10 April 2026, paid up to February; TODAY November 2026
    paid = set(_months_2020_to_2025()) | {m(2026, 1), m(2026, 2)}
    owed = arrears(BASE, paid, JOINED, date(2026, 11, 22), left_on=date(2026, 4, 10))
    # THEN March and April (the month of leaving) are owed here, nothing after
    assert owed.months == (m(2026, 3), m(2026, 4))
    assert owed.total_fen == 8000
    # paid through the month of leaving: nothing owed
    assert arrears(BASE, paid | {m(2026, 3), m(2026, 4)}, JOINED, date(2026, 11, 22),
                   left_on=date(2026, 4, 10)).months == ()


def test_a_member_who_left_this_month_owes_nothing_for_it_yet():
    paid = set(_months_2020_to_2025()) | {m(2026, k) for k in range(1, 10)}
    assert arrears(BASE, paid, JOINED, date(2026, 10, 20), left_on=date(2026, 10, 5)).months == ()
    assert arrears(BASE, paid, JOINED, date(2026, 11, 1), left_on=date(2026, 10, 5)).months == (m(2026, 10),)


def test_the_rules_import_neither_the_database_nor_qt():
    code = ("import sys, app.dues_rules; "
            "print(sorted(k for k in ('sqlalchemy', 'PySide6', 'db.models') if k in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
