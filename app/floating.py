"""流动党员之家: floating members — the status rules (this slice); records, contact log and services follow.

Pure functions on dates: no Qt, no database, no clock. Every function takes ``today`` from its caller.

"Six months" is calendar months with the month-end clamp (``app.dates.add_months``: 31 Aug + 6 months
= 28/29 Feb, 31 Mar + 6 months = 30 Sep). Reading of "on the day": the six months are complete *on*
``last_reached + 6 months`` — last reached on 10 May, the member is 待联系/失联 from 10 Nov (and still
即将失联 on 9 Nov). The same reading applies to the 5-month warning and to the 自行脱党 line.

Facts dated after ``today`` are the caller's concern: pass only what has happened by ``today``
(the forms refuse future dates); these functions do not filter them.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from app.dates import add_months

WARNING_MONTHS = 5
LOST_MONTHS = 6
REPORT_FLAG_DATE = (10, 1)  # 1 October

NORMAL = "正常"
SOON = "即将失联"
TO_CONTACT = "待联系"
LOST = "失联"
STATUSES = (NORMAL, SOON, TO_CONTACT, LOST)

MEETINGS = "组织生活"
DUES = "党费"

K = TypeVar("K")


@dataclass(frozen=True)
class ContactFacts:
    """What the records say about reaching one member (the caller passes dates up to ``today`` only)."""

    managed_since: date  # came under this organisation's management: 转入, registration, or records began
    successful_contacts: tuple[date, ...] = ()
    failed_attempts: tuple[date, ...] = ()
    meetings_attended: tuple[date, ...] = ()
    dues_paid_on: tuple[date, ...] = ()  # the days paid (缴纳日期), not the months paid for


@dataclass(frozen=True)
class ContactStatus:
    status: str  # NORMAL, SOON, TO_CONTACT or LOST
    last_reached: date
    warning_from: date  # last_reached + warning_months: 即将失联 from this day
    crosses_on: date  # last_reached + 6 calendar months: 待联系/失联 from this day
    days_left: int  # days from today to crosses_on; 0 on the day, negative once past
    failed_since: int  # failed attempts dated strictly after last_reached
    reason: str  # one Chinese sentence for the UI


@dataclass(frozen=True)
class LapseWarning:
    """A member approaching (or past) the 自行脱党 line of 党章第九条."""

    missing: tuple[str, ...]  # "组织生活", "党费" or both, in that order
    meeting_since: date  # last 组织生活, never earlier than managed_since
    dues_since: date  # last dues paid, never earlier than managed_since
    crosses_on: date  # the earliest day a missing item completes six months
    crossed: bool  # today is on or after crosses_on
    reason: str


def _check_warning(months: int) -> None:
    if not 0 < months < LOST_MONTHS:
        raise ValueError(f"提前提示的月数应在 1 到 {LOST_MONTHS - 1} 之间，当前为 {months}")


def _latest(facts: ContactFacts) -> tuple[date, str]:
    """The last day reached and a phrase saying how; ties prefer a contact, then a meeting, then dues."""
    best, phrase = facts.managed_since, f"{facts.managed_since.isoformat()} 纳入管理后尚未联系上"
    for dates, label in (
        (facts.dues_paid_on, "最后一次缴纳党费"),
        (facts.meetings_attended, "最后一次参加组织生活"),
        (facts.successful_contacts, "最后一次联系上"),
    ):
        if dates and (latest := max(dates)) >= best:
            best, phrase = latest, f"{label}是 {latest.isoformat()}"
    return best, phrase


def last_reached(facts: ContactFacts) -> date:
    """The latest of a successful contact, a 组织生活 attended and dues paid, never before managed_since.

    Dates before ``managed_since`` do not count (another organisation's history); with nothing since,
    the clock starts at ``managed_since``. Dates after today must be left out by the caller.
    """
    return _latest(facts)[0]


def contact_status(
    facts: ContactFacts, today: date, *, warning_months: int = WARNING_MONTHS
) -> ContactStatus:
    """正常 / 即将失联 / 待联系 / 失联 for one member on ``today``.

    - 正常 before ``last_reached + warning_months``;
    - 即将失联 from that day up to the day before ``crosses_on`` (``last_reached + 6 months``);
    - from ``crosses_on`` on (the six months are complete on that day): 失联 when at least one failed
      attempt is dated strictly after ``last_reached`` (an attempt on the day the member was reached
      does not count), otherwise 待联系. Failed attempts anywhere in those six months count, but make
      失联 only once the six months are complete.
    """
    _check_warning(warning_months)
    reached, since = _latest(facts)
    warning_from = add_months(reached, warning_months)
    crosses_on = add_months(reached, LOST_MONTHS)
    days_left = (crosses_on - today).days
    failed = sum(1 for d in facts.failed_attempts if d > reached)
    cross = crosses_on.isoformat()
    if today < warning_from:
        status, reason = NORMAL, f"{since}，将于 {cross} 满 {LOST_MONTHS} 个月"
    elif today < crosses_on:
        status, reason = SOON, f"{since}，将于 {cross} 满 {LOST_MONTHS} 个月，还剩 {days_left} 天"
    elif failed:
        status = LOST
        reason = (
            f"{since}，已于 {cross} 满 {LOST_MONTHS} 个月未联系上，且此后 {failed} 次联系未果，认定为失联"
        )
    else:
        status = TO_CONTACT
        reason = f"{since}，已于 {cross} 满 {LOST_MONTHS} 个月未联系上，尚无联系未果的记录，请尽快联系"
    return ContactStatus(status, reached, warning_from, crosses_on, days_left, failed, reason)


_URGENCY = {LOST: 0, TO_CONTACT: 1, SOON: 2}


def to_contact_list(items: Iterable[tuple[K, ContactStatus]]) -> list[tuple[K, ContactStatus]]:
    """The 待联系 list: every status but 正常, by ``crosses_on`` ascending (longest overdue first).

    On the same ``crosses_on`` 失联 comes before 待联系 before 即将失联; otherwise the input order is kept
    (the keys are never compared).
    """
    kept = [(key, st) for key, st in items if st.status != NORMAL]
    return sorted(kept, key=lambda item: (item[1].crosses_on, _URGENCY[item[1].status]))


def self_lapse(
    last_meeting: date | None,
    last_dues: date | None,
    managed_since: date,
    today: date,
    *,
    warn_months: int = WARNING_MONTHS,
) -> LapseWarning | None:
    """The separate 自行脱党 line: six consecutive months without 组织生活 or without dues.

    Each is counted from ``max(last, managed_since)`` (None: from managed_since); an item is missing from
    ``warn_months`` after it on. None when neither is missing. Unlike 失联, this applies to members who
    can be reached. (Assigned work, the third item of 党章第九条, is not recorded yet.)
    """
    _check_warning(warn_months)
    meeting_since = max(last_meeting or managed_since, managed_since)
    dues_since = max(last_dues or managed_since, managed_since)
    due = [
        (label, add_months(since, LOST_MONTHS))
        for label, since in ((MEETINGS, meeting_since), (DUES, dues_since))
        if today >= add_months(since, warn_months)
    ]
    if not due:
        return None
    missing = tuple(label for label, _ in due)
    crosses_on = min(day for _, day in due)
    crossed = today >= crosses_on
    what = "、".join(f"未{'参加' if label == MEETINGS else '交纳'}{label}" for label in missing)
    if crossed:
        reason = f"已连续 {LOST_MONTHS} 个月{what}，按党章第九条应予处理"
    else:
        reason = f"{what}，将于 {crosses_on.isoformat()} 满连续 {LOST_MONTHS} 个月"
    return LapseWarning(missing, meeting_since, dues_since, crosses_on, crossed, reason)


def report_overdue(
    last_report: date | None, today: date, *, flag_from: tuple[int, int] = REPORT_FLAG_DATE
) -> bool:
    """True when no report to the home organisation is dated in today's calendar year and
    today is on or after ``flag_from`` (month, day) of that year (29 Feb becomes 28 Feb in a common year)."""
    month, day = flag_from
    flag_day = date(today.year, month, min(day, calendar.monthrange(today.year, month)[1]))
    return today >= flag_day and (last_report is None or last_report.year < today.year)
