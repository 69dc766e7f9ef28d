"""流动党员 status rules: 正常 / 即将失联 / 待联系 / 失联, the 待联系 list, 自行脱党 and yearly reports."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.dates import add_months
from app.floating import (
    DUES,
    LOST,
    MEETINGS,
    NORMAL,
    SOON,
    TO_CONTACT,
    ContactFacts,
    contact_status,
    last_reached,
    report_overdue,
    self_lapse,
    to_contact_list,
)

DAY = timedelta(days=1)
MANAGED = date(2025, 1, 1)
REACHED = date(2026, 5, 10)  # +5 months = 2026-10-10, +6 months = 2026-11-10


def facts(**kwargs) -> ContactFacts:
    return ContactFacts(managed_since=kwargs.pop("managed_since", MANAGED), **kwargs)


def status_on(f: ContactFacts, today: date, **kwargs) -> str:
    return contact_status(f, today, **kwargs).status


# ---- boundaries at 5 and 6 months -------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 10, 9), NORMAL),
        (date(2026, 10, 10), SOON),
        (date(2026, 10, 11), SOON),
        (date(2026, 11, 9), SOON),
        (date(2026, 11, 10), TO_CONTACT),
        (date(2026, 11, 11), TO_CONTACT),
    ],
)
def test_boundaries_without_failed_attempts(today, expected):
    assert status_on(facts(successful_contacts=(REACHED,)), today) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2026, 11, 9), SOON), (date(2026, 11, 10), LOST), (date(2026, 11, 11), LOST)],
)
def test_boundaries_with_a_failed_attempt_since(today, expected):
    f = facts(successful_contacts=(REACHED,), failed_attempts=(date(2026, 8, 1),))
    assert status_on(f, today) == expected


def test_status_fields_and_reasons():
    f = facts(successful_contacts=(date(2026, 1, 3), REACHED))
    normal = contact_status(f, date(2026, 6, 1))
    assert (normal.last_reached, normal.warning_from, normal.crosses_on) == (
        REACHED,
        date(2026, 10, 10),
        date(2026, 11, 10),
    )
    assert normal.days_left == (date(2026, 11, 10) - date(2026, 6, 1)).days
    assert normal.reason == "最后一次联系上是 2026-05-10，将于 2026-11-10 满 6 个月"
    soon = contact_status(f, date(2026, 11, 7))
    assert soon.days_left == 3 and "还剩 3 天" in soon.reason
    on_day = contact_status(f, date(2026, 11, 10))
    assert on_day.days_left == 0 and on_day.status == TO_CONTACT and "请尽快联系" in on_day.reason
    assert contact_status(f, date(2026, 11, 12)).days_left == -2
    lost = contact_status(
        facts(successful_contacts=(REACHED,), failed_attempts=(date(2026, 9, 1), date(2026, 11, 20))),
        date(2026, 12, 1),
    )
    assert lost.failed_since == 2
    assert (
        lost.reason
        == "最后一次联系上是 2026-05-10，已于 2026-11-10 满 6 个月未联系上，且此后 2 次联系未果，认定为失联"
    )


def test_warning_months_is_configurable():
    f = facts(successful_contacts=(REACHED,))
    assert status_on(f, date(2026, 9, 9), warning_months=4) == NORMAL
    assert status_on(f, date(2026, 9, 10), warning_months=4) == SOON
    assert status_on(f, date(2026, 9, 10)) == NORMAL
    for bad in (0, 6, 7, -1):
        with pytest.raises(ValueError, match="提前提示"):
            contact_status(f, date(2026, 9, 10), warning_months=bad)


# ---- month ends and leap years ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reached", "warning_from", "crosses_on"),
    [
        (date(2025, 8, 31), date(2026, 1, 31), date(2026, 2, 28)),
        (date(2027, 8, 31), date(2028, 1, 31), date(2028, 2, 29)),  # 2028 is a leap year
        (date(2026, 3, 31), date(2026, 8, 31), date(2026, 9, 30)),
        (date(2026, 9, 30), date(2027, 2, 28), date(2027, 3, 30)),
        (date(2027, 9, 30), date(2028, 2, 29), date(2028, 3, 30)),
    ],
)
def test_month_ends(reached, warning_from, crosses_on):
    f = facts(managed_since=date(2020, 1, 1), successful_contacts=(reached,))
    got = contact_status(f, reached)
    assert (got.warning_from, got.crosses_on) == (warning_from, crosses_on)
    assert status_on(f, warning_from - DAY) == NORMAL
    assert status_on(f, warning_from) == SOON
    assert status_on(f, crosses_on - DAY) == SOON
    assert status_on(f, crosses_on) == TO_CONTACT


def test_leap_day_reach():
    f = facts(managed_since=date(2020, 1, 1), successful_contacts=(date(2028, 2, 29),))
    assert contact_status(f, date(2028, 3, 1)).crosses_on == date(2028, 8, 29)


# ---- what resets the clock ----------------------------------------------------------------------


def test_managed_since_later_than_every_contact_starts_the_clock():
    moved_in = date(2026, 3, 15)
    f = facts(
        managed_since=moved_in,
        successful_contacts=(date(2025, 12, 1),),
        meetings_attended=(date(2026, 1, 5),),
        dues_paid_on=(date(2026, 3, 14),),
    )
    got = contact_status(f, date(2026, 9, 14))
    assert got.last_reached == moved_in and got.status == SOON
    assert got.crosses_on == date(2026, 9, 15)
    assert got.reason.startswith("2026-03-15 纳入管理后尚未联系上")
    assert status_on(f, date(2026, 9, 15)) == TO_CONTACT


def test_last_reached_ignores_dates_before_managed_since():
    f = facts(managed_since=date(2026, 6, 1), successful_contacts=(date(2026, 5, 31),))
    assert last_reached(f) == date(2026, 6, 1)
    assert last_reached(facts(managed_since=date(2026, 6, 1))) == date(2026, 6, 1)


@pytest.mark.parametrize("kind", ["meetings_attended", "dues_paid_on", "successful_contacts"])
def test_meeting_dues_or_contact_later_than_the_last_contact_resets_the_clock(kind):
    later = date(2026, 8, 20)
    base = {"successful_contacts": (REACHED,)}
    base[kind] = (*base.get(kind, ()), later)
    f = facts(**base)
    assert last_reached(f) == later
    assert status_on(f, date(2026, 11, 10)) == NORMAL
    assert contact_status(f, date(2026, 11, 10)).crosses_on == date(2027, 2, 20)


def test_reason_names_how_the_member_was_last_reached():
    assert contact_status(facts(meetings_attended=(REACHED,)), REACHED).reason.startswith(
        "最后一次参加组织生活是 2026-05-10"
    )
    assert contact_status(facts(dues_paid_on=(REACHED,)), REACHED).reason.startswith(
        "最后一次缴纳党费是 2026-05-10"
    )
    same_day = facts(dues_paid_on=(REACHED,), successful_contacts=(REACHED,))
    assert contact_status(same_day, REACHED).reason.startswith("最后一次联系上是")


# ---- failed attempts ----------------------------------------------------------------------------


def test_failed_attempts_before_the_last_reach_do_not_make_lost():
    f = facts(successful_contacts=(REACHED,), failed_attempts=(date(2026, 3, 1), date(2026, 5, 9)))
    got = contact_status(f, date(2027, 1, 1))
    assert got.status == TO_CONTACT and got.failed_since == 0


def test_failed_attempt_on_the_day_reached_does_not_count():
    f = facts(successful_contacts=(REACHED,), failed_attempts=(REACHED,))
    assert contact_status(f, date(2027, 1, 1)).failed_since == 0
    assert status_on(f, date(2027, 1, 1)) == TO_CONTACT


def test_failed_attempts_after_the_reach_make_lost_only_past_six_months():
    f = facts(successful_contacts=(REACHED,), failed_attempts=(date(2026, 10, 20), date(2026, 11, 1)))
    assert status_on(f, date(2026, 11, 2)) == SOON
    assert contact_status(f, date(2026, 11, 2)).failed_since == 2
    assert status_on(f, date(2026, 11, 10)) == LOST


def test_failed_attempt_after_six_months_turns_to_contact_into_lost():
    f = facts(successful_contacts=(REACHED,), failed_attempts=(date(2026, 12, 1),))
    assert status_on(f, date(2026, 12, 1)) == LOST


# ---- the 待联系 list ------------------------------------------------------------------------------


def test_to_contact_list_orders_by_crossing_day_and_leaves_out_normal():
    today = date(2026, 12, 1)
    members = {
        "normal": facts(successful_contacts=(date(2026, 11, 1),)),
        "soon": facts(successful_contacts=(date(2026, 6, 20),)),
        "to_contact": facts(successful_contacts=(date(2026, 5, 1),)),
        "lost_late": facts(successful_contacts=(date(2026, 5, 20),), failed_attempts=(date(2026, 8, 1),)),
        "lost_early": facts(successful_contacts=(date(2026, 1, 5),), failed_attempts=(date(2026, 2, 1),)),
        "same_day_lost": facts(successful_contacts=(date(2026, 5, 1),), failed_attempts=(date(2026, 6, 1),)),
    }
    got = to_contact_list((key, contact_status(f, today)) for key, f in members.items())
    assert [key for key, _ in got] == ["lost_early", "same_day_lost", "to_contact", "lost_late", "soon"]
    assert [s.crosses_on for _, s in got] == sorted(s.crosses_on for _, s in got)


def test_to_contact_list_empty_and_uncomparable_keys():
    assert to_contact_list([]) == []
    today = date(2027, 1, 1)
    s = contact_status(facts(successful_contacts=(REACHED,)), today)
    got = to_contact_list([({"id": 2}, s), ({"id": 1}, s)])  # dict keys cannot be compared
    assert [key["id"] for key, _ in got] == [2, 1]


# ---- 自行脱党 -------------------------------------------------------------------------------------


def test_self_lapse_none_when_both_recent():
    assert self_lapse(date(2026, 5, 1), date(2026, 5, 1), MANAGED, date(2026, 9, 30)) is None


def test_self_lapse_names_meetings():
    got = self_lapse(date(2026, 3, 31), date(2026, 9, 1), MANAGED, date(2026, 8, 31))
    assert got is not None and got.missing == (MEETINGS,)
    assert got.crosses_on == date(2026, 9, 30) and not got.crossed
    assert got.reason == "未参加组织生活，将于 2026-09-30 满连续 6 个月"
    assert self_lapse(date(2026, 3, 31), date(2026, 9, 1), MANAGED, date(2026, 8, 30)) is None


def test_self_lapse_names_dues():
    got = self_lapse(date(2026, 9, 1), date(2026, 1, 10), MANAGED, date(2026, 7, 10))
    assert got is not None and got.missing == (DUES,)
    assert got.crosses_on == date(2026, 7, 10) and got.crossed
    assert got.reason == "已连续 6 个月未交纳党费，按党章第九条应予处理"


def test_self_lapse_names_both_with_the_earliest_crossing():
    got = self_lapse(date(2026, 2, 1), date(2026, 1, 15), MANAGED, date(2026, 7, 1))
    assert got is not None and got.missing == (MEETINGS, DUES)
    assert got.crosses_on == date(2026, 7, 15) and not got.crossed
    assert "未参加组织生活、未交纳党费" in got.reason


def test_self_lapse_counts_from_managed_since():
    moved_in = date(2026, 4, 1)
    assert self_lapse(None, date(2025, 1, 1), moved_in, date(2026, 8, 31)) is None
    got = self_lapse(None, date(2025, 1, 1), moved_in, date(2026, 9, 1))
    assert got is not None and got.missing == (MEETINGS, DUES)
    assert (got.meeting_since, got.dues_since, got.crosses_on) == (moved_in, moved_in, date(2026, 10, 1))


def test_self_lapse_warn_months_configurable():
    assert self_lapse(date(2026, 1, 1), None, MANAGED, date(2026, 5, 1), warn_months=4) is not None
    assert self_lapse(date(2026, 1, 1), date(2026, 4, 1), MANAGED, date(2026, 5, 1)) is None
    with pytest.raises(ValueError):
        self_lapse(None, None, MANAGED, date(2026, 5, 1), warn_months=6)


# ---- yearly report to the home organisation -----------------------------------------------------


@pytest.mark.parametrize(
    ("last_report", "today", "expected"),
    [
        (None, date(2026, 9, 30), False),
        (None, date(2026, 10, 1), True),
        (date(2025, 12, 31), date(2026, 9, 30), False),
        (date(2025, 12, 31), date(2026, 10, 1), True),
        (date(2026, 1, 1), date(2026, 10, 1), False),
        (date(2026, 10, 1), date(2026, 12, 31), False),
        (date(2025, 6, 1), date(2026, 1, 1), False),
    ],
)
def test_report_overdue(last_report, today, expected):
    assert report_overdue(last_report, today) is expected


def test_report_overdue_flag_date_configurable():
    assert report_overdue(None, date(2026, 6, 30), flag_from=(7, 1)) is False
    assert report_overdue(None, date(2026, 7, 1), flag_from=(7, 1)) is True
    assert report_overdue(None, date(2027, 2, 28), flag_from=(2, 29)) is True  # clamped in a common year
    assert report_overdue(None, date(2028, 2, 28), flag_from=(2, 29)) is False


# ---- properties ---------------------------------------------------------------------------------

_days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
_some = st.lists(_days, max_size=4).map(tuple)
_facts = st.builds(
    ContactFacts,
    managed_since=_days,
    successful_contacts=_some,
    failed_attempts=_some,
    meetings_attended=_some,
    dues_paid_on=_some,
)
_RANK = {NORMAL: 0, SOON: 1, TO_CONTACT: 2, LOST: 2}


@given(_facts, _days, _days, st.integers(min_value=1, max_value=5))
def test_status_is_monotone_in_time(f, day1, day2, warning_months):
    earlier, later = sorted((day1, day2))
    a = contact_status(f, earlier, warning_months=warning_months)
    b = contact_status(f, later, warning_months=warning_months)
    assert _RANK[a.status] <= _RANK[b.status]
    if a.status == LOST:
        assert b.status == LOST
    assert b.days_left == a.days_left - (later - earlier).days


@given(_facts, _days)
def test_status_invariants(f, today):
    s = contact_status(f, today)
    assert s.last_reached >= f.managed_since
    assert s.crosses_on == add_months(s.last_reached, 6)
    assert s.last_reached < s.warning_from < s.crosses_on
    assert (s.status in (TO_CONTACT, LOST)) == (s.days_left <= 0)
    assert (s.status == LOST) == (s.days_left <= 0 and s.failed_since > 0)
