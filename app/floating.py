"""流动党员之家: floating members — the status rules, then outflow records and the contact log.

The status rules (first half) are pure functions on dates: no Qt, no database, no clock. Every function
takes ``today`` from its caller.

"Six months" is calendar months with the month-end clamp (``app.dates.add_months``: 31 Aug + 6 months
= 28/29 Feb, 31 Mar + 6 months = 30 Sep). Reading of "on the day": the six months are complete *on*
``last_reached + 6 months`` — last reached on 10 May, the member is 待联系/失联 from 10 Nov (and still
即将失联 on 9 Nov). The same reading applies to the 5-month warning and to the 自行脱党 line.

Facts dated after ``today`` are the caller's concern: pass only what has happened by ``today``
(the forms refuse future dates); these functions do not filter them.

The records half (外出登记, 返回, 联系记录) takes a session; see "records" below.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from typing import TypeVar

from sqlalchemy import and_, func, literal, literal_column, or_, select, union_all
from sqlalchemy.orm import Session

from app import audit
from app.changes import FLOATING, MEMBERS, Changes
from app.dates import add_months
from app.errors import NotFoundError, ValidationError
from app.members import load_member
from app.settings import get_value
from db.models import (
    ContactLog,
    DuesPayment,
    FloatingRecord,
    LostContactEvent,
    Meeting,
    MeetingAttendee,
    Member,
)

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


# ---------------------------------------------------------------- records: 外出登记, 返回, 联系记录
#
# A period away is one FloatingRecord, open while ``returned_on`` is NULL; returning closes it and
# leaving again opens a new one, so the history stays (records are never deleted). A member has at
# most one open record, and a member's periods never overlap (a new one may start on the day the last
# one ended). Until a later slice derives them, the ledger's plain 流动 flag and 外出流向 are kept in
# step here: set on registration, refreshed when the open record is edited, cleared on return.

REASONS = ("务工经商", "学习", "随迁", "其他")
CHANNELS = ("电话", "微信", "走访", "来信")
DEFAULT_MODES = ("流出地直管", "流入地代管", "协助管理")
MODES_KEY = "floating_modes"
WARNING_KEY = "floating_warning_months"
REPORT_KEY = "floating_report_from"
SUMMARY_LIMIT = 500
# Member ids per IN (...) list (written into the SQL, see _in): fewer, larger statements halve
# facts_for at 2,000 candidates.
_IN_CHUNK = 5000
_TEXT_LIMITS = (
    ("destination_province", "外出省份", 20), ("destination_city", "外出城市", 30),
    ("destination_address", "外出详细地址", 200), ("employer", "工作单位或学校", 100),
    ("host_org", "流入地党组织", 100), ("host_contact", "流入地党组织联系人", 100),
    ("certificate_no", "活动证编号", 40),
)


def management_modes(session: Session) -> tuple[str, ...]:
    """The configurable 管理方式 list: setting ``floating_modes``, one per line; DEFAULT_MODES when unset or empty."""
    modes = tuple(dict.fromkeys(line.strip() for line in get_value(session, MODES_KEY).splitlines() if line.strip()))
    return modes or DEFAULT_MODES


@dataclass(frozen=True)
class FloatingSettings:
    """The 流动党员之家's local practice: 管理方式 list, the 即将失联 lead, the yearly report flag day."""

    modes: tuple[str, ...] = DEFAULT_MODES
    warning_months: int = WARNING_MONTHS
    report_from: tuple[int, int] = REPORT_FLAG_DATE


def load_settings(session: Session) -> FloatingSettings:
    return FloatingSettings(management_modes(session), warning_months(session), report_flag_date(session))


def save_settings(session: Session, values: FloatingSettings) -> Changes:
    """Checks and stores the three settings; the lists and the 工作台 follow at once."""
    from app.changes import SETTINGS
    from app.settings import set_value

    errors: dict[str, str] = {}
    modes = tuple(dict.fromkeys(m.strip() for m in values.modes if m.strip()))
    if not modes:
        errors["modes"] = "请至少填写一种管理方式。"
    elif any(len(m) > 20 for m in modes):
        errors["modes"] = "每种管理方式不能超过 20 个字。"
    if not 0 < values.warning_months < LOST_MONTHS:
        errors["warning_months"] = f"提前提示的月数应在 1 到 {LOST_MONTHS - 1} 之间。"
    month, day = values.report_from
    try:
        date(2024, month, day)
    except ValueError:
        errors["report_from"] = "提醒日期不正确。"
    if errors:
        raise ValidationError(errors)
    set_value(session, MODES_KEY, "\n".join(modes))
    set_value(session, WARNING_KEY, str(values.warning_months))
    set_value(session, REPORT_KEY, f"{month:02d}-{day:02d}")
    audit.log(session, "settings", None, "修改流动党员设置",
              f"管理方式：{'、'.join(modes)}；提前 {values.warning_months} 个月提示；{month} 月 {day} 日起提醒年度报告")
    return SETTINGS | FLOATING


@dataclass(frozen=True)
class OutflowInput:
    """What the 外出登记 form edits (the return date is set by ``return_home``)."""

    left_on: date | None
    destination_province: str = ""
    destination_city: str = ""
    destination_address: str = ""
    employer: str = ""  # 工作单位或学校
    reason: str = ""  # one of REASONS
    expected_return_on: date | None = None
    host_org: str = ""
    host_contact: str = ""
    management_mode: str = ""  # one of management_modes(), or empty
    certificate_no: str = ""  # 流动党员活动证
    certificate_issued_on: date | None = None
    certificate_valid_until: date | None = None
    note: str = ""


OUTFLOW_FIELDS = tuple(f.name for f in fields(OutflowInput))


@dataclass(frozen=True)
class ContactInput:
    contacted_on: date | None
    channel: str  # one of CHANNELS
    reached: bool
    summary: str = ""
    made_by: str = ""  # empty: the operator in 设置
    is_report: bool = False  # the member's own report to the organisation (向党组织报告)


@dataclass(frozen=True)
class OutflowRow:
    record_id: int
    member_id: int
    name: str
    org_id: int
    member_status: str  # 在册 / 转出 / 出党 / 死亡: a member may leave the ledger while away
    left_on: date
    returned_on: date | None
    expected_return_on: date | None
    destination: str  # "省份 城市"
    employer: str
    reason: str
    management_mode: str
    certificate_no: str
    certificate_valid_until: date | None
    certificate_expired: bool  # valid_until is before today (valid through that day)
    incomplete: bool  # 待补全


@dataclass(frozen=True)
class ContactRow:
    id: int
    member_id: int
    contacted_on: date
    channel: str
    reached: bool
    made_by: str
    summary: str
    is_report: bool = False


def destination_of(province: str, city: str) -> str:
    return " ".join(part for part in (province.strip(), city.strip()) if part)



def _record(session: Session, record_id: int) -> FloatingRecord:
    record = session.get(FloatingRecord, record_id)
    if record is None:
        raise NotFoundError(f"找不到编号为 {record_id} 的外出登记。")
    return record


def _overlap_errors(session: Session, member_id: int, left_on: date, returned_on: date | None,
                    record_id: int | None) -> dict[str, str]:
    """The period [left_on, returned_on) must not overlap another record of the member (open = no end)."""
    others = session.scalars(
        select(FloatingRecord).where(FloatingRecord.member_id == member_id, FloatingRecord.id != (record_id or 0))
        .order_by(FloatingRecord.left_on)
    )
    for other in others:
        if other.returned_on is None:
            if returned_on is None:
                return {"left_on": f"已登记为外出流动党员（{other.left_on:%Y-%m-%d} 外出），请先登记返回。"}
            if returned_on > other.left_on:
                return {"left_on": f"与 {other.left_on:%Y-%m-%d} 至今的外出记录时间重叠。"}
        elif left_on < other.returned_on and (returned_on is None or other.left_on < returned_on):
            return {"left_on": f"与 {other.left_on:%Y-%m-%d} 至 {other.returned_on:%Y-%m-%d} 的外出记录时间重叠。"}
    return {}


def validate_outflow(
    session: Session, member_id: int, data: OutflowInput, *, record_id: int | None = None,
    today: date | None = None,
) -> tuple[dict[str, str], OutflowInput]:
    """Every problem of ``data`` by field (Chinese), and the input with its text trimmed.

    ``record_id`` is the record being edited (None: a new registration, which needs a member 在册).
    """
    today = today or date.today()
    data = replace(data, **{n: getattr(data, n).strip() for n in OUTFLOW_FIELDS if isinstance(getattr(data, n), str)})
    member = load_member(session, member_id)
    record = _record(session, record_id) if record_id is not None else None
    errors: dict[str, str] = {}
    if record is None and member.status != "在册":
        errors["member_id"] = f"“{member.name}”已{member.status}，不能登记为流动党员。"
    for name, label, limit in _TEXT_LIMITS:
        if len(getattr(data, name)) > limit:
            errors[name] = f"{label}不能超过 {limit} 个字。"
    if not data.destination_province and not data.destination_city:
        errors["destination_city"] = "请填写外出地点（省份或城市）。"
    if data.reason not in REASONS:
        errors["reason"] = f"请选择外出原因（{'、'.join(REASONS)}）。"
    keep_mode = record.management_mode if record is not None else ""  # a mode since removed from 设置 may stay
    if data.management_mode and data.management_mode not in (*management_modes(session), keep_mode):
        errors["management_mode"] = f"“{data.management_mode}”不是可选的管理方式。"
    left = data.left_on
    if left is None:
        errors["left_on"] = "请填写外出日期。"
    elif left > today:
        errors["left_on"] = "外出日期不能晚于今天。"
    elif left < member.joined_on:
        errors["left_on"] = f"外出日期不能早于入党日期（{member.joined_on:%Y-%m-%d}）。"
    elif record is not None and record.returned_on is not None and record.returned_on < left:
        errors["left_on"] = f"外出日期不能晚于返回日期（{record.returned_on:%Y-%m-%d}）。"
    else:
        errors.update(_overlap_errors(session, member_id, left, record.returned_on if record else None, record_id))
    if left is not None and data.expected_return_on is not None and data.expected_return_on < left:
        errors["expected_return_on"] = "预计返回日期不能早于外出日期。"
    issued, valid_until = data.certificate_issued_on, data.certificate_valid_until
    if issued is not None and issued > today:
        errors["certificate_issued_on"] = "活动证发证日期不能晚于今天。"
    if issued is not None and valid_until is not None and valid_until < issued:
        errors["certificate_valid_until"] = "活动证有效期不能早于发证日期。"
    return errors, data


def _checked(session: Session, member_id: int, data: OutflowInput, record_id: int | None,
             today: date | None) -> OutflowInput:
    errors, clean = validate_outflow(session, member_id, data, record_id=record_id, today=today)
    if errors:
        raise ValidationError(errors)
    return clean


def register_outflow(
    session: Session, member_id: int, data: OutflowInput, *, today: date | None = None
) -> tuple[int, Changes]:
    """外出登记: a new open record; the member shows as 流动 in the ledger with its destination."""
    clean = _checked(session, member_id, data, None, today)
    record = FloatingRecord(member_id=member_id, **{n: getattr(clean, n) for n in OUTFLOW_FIELDS}, incomplete=False)
    session.add(record)
    session.flush()
    member = load_member(session, member_id)
    member.floating = True
    member.floating_destination = destination_of(clean.destination_province, clean.destination_city)[:100]
    audit.log(session, "floating", member_id, "外出登记",
              f"{clean.left_on:%Y-%m-%d} 外出，{member.floating_destination}，{clean.reason}")
    return record.id, FLOATING | MEMBERS


def update_outflow(
    session: Session, record_id: int, data: OutflowInput, *, today: date | None = None
) -> Changes:
    """Edit a record (open or returned) with the same rules; saving it clears 待补全."""
    record = _record(session, record_id)
    clean = _checked(session, record.member_id, data, record_id, today)
    changed = [n for n in OUTFLOW_FIELDS if getattr(record, n) != getattr(clean, n)]
    for name in OUTFLOW_FIELDS:
        setattr(record, name, getattr(clean, name))
    was_incomplete, record.incomplete = record.incomplete, False
    changes = FLOATING
    if record.returned_on is None:
        member = load_member(session, record.member_id)
        member.floating = True
        member.floating_destination = destination_of(clean.destination_province, clean.destination_city)[:100]
        changes = FLOATING | MEMBERS
    if changed or was_incomplete:
        audit.log(session, "floating", record.member_id, "修改外出登记",
                  f"{record.left_on:%Y-%m-%d} 外出的记录" + ("，已补全" if was_incomplete else ""))
    return changes


def load_outflow(session: Session, record_id: int) -> tuple[int, OutflowInput, date | None]:
    """A stored record for the form: (member id, its editable fields, return date)."""
    record = _record(session, record_id)
    return record.member_id, OutflowInput(**{n: getattr(record, n) for n in OUTFLOW_FIELDS}), record.returned_on


def return_home(session: Session, record_id: int, on: date | None, *, today: date | None = None) -> Changes:
    """返回: closes the open record on ``on``; the ledger's 流动 flag clears when no record stays open."""
    today = today or date.today()
    record = _record(session, record_id)
    if record.returned_on is not None:
        raise ValidationError(f"该外出记录已于 {record.returned_on:%Y-%m-%d} 登记返回。", "returned_on")
    if on is None:
        raise ValidationError("请填写返回日期。", "returned_on")
    if on > today:
        raise ValidationError("返回日期不能晚于今天。", "returned_on")
    if on < record.left_on:
        raise ValidationError(f"返回日期不能早于外出日期（{record.left_on:%Y-%m-%d}）。", "returned_on")
    record.returned_on = on
    session.flush()
    still_open = session.scalar(
        select(func.count()).select_from(FloatingRecord)
        .where(FloatingRecord.member_id == record.member_id, FloatingRecord.returned_on.is_(None))
    )
    if not still_open:
        member = load_member(session, record.member_id)
        member.floating, member.floating_destination = False, ""
    audit.log(session, "floating", record.member_id, "返回", f"{record.left_on:%Y-%m-%d} 外出，{on:%Y-%m-%d} 返回")
    return FLOATING | MEMBERS


def add_contact(
    session: Session, member_id: int, data: ContactInput, *, today: date | None = None
) -> tuple[int, Changes]:
    """One attempt to reach a member; ``made_by`` defaults to the operator in 设置."""
    today = today or date.today()
    member = load_member(session, member_id)
    summary, made_by = data.summary.strip(), data.made_by.strip() or get_value(session, "operator_name").strip()
    errors: dict[str, str] = {}
    if data.contacted_on is None:
        errors["contacted_on"] = "请填写联系日期。"
    elif data.contacted_on > today:
        errors["contacted_on"] = "联系日期不能晚于今天。"
    if data.channel not in CHANNELS:
        errors["channel"] = f"请选择联系方式（{'、'.join(CHANNELS)}）。"
    if len(summary) > SUMMARY_LIMIT:
        errors["summary"] = f"联系情况不能超过 {SUMMARY_LIMIT} 个字。"
    if len(made_by) > 64:
        errors["made_by"] = "联系人不能超过 64 个字。"
    if errors:
        raise ValidationError(errors)
    if data.is_report and not data.reached:
        errors["is_report"] = "本人报告必须是已联系上的记录。"
    if errors:
        raise ValidationError(errors)
    row = ContactLog(member_id=member_id, contacted_on=data.contacted_on, channel=data.channel, made_by=made_by,
                     reached=bool(data.reached), summary=summary, is_report=bool(data.is_report))
    session.add(row)
    session.flush()
    audit.log(session, "floating", member.id, "联系记录",
              f"{data.contacted_on:%Y-%m-%d} {data.channel}，{'已联系上' if data.reached else '未联系上'}"
              + ("，本人报告" if data.is_report else ""))
    return row.id, FLOATING


# ---------------------------------------------------------------- reading


_ROW_COLUMNS = (
    FloatingRecord.id, FloatingRecord.member_id, Member.name, Member.org_id, Member.status, FloatingRecord.left_on,
    FloatingRecord.returned_on, FloatingRecord.expected_return_on, FloatingRecord.destination_province,
    FloatingRecord.destination_city, FloatingRecord.employer, FloatingRecord.reason, FloatingRecord.management_mode,
    FloatingRecord.certificate_no, FloatingRecord.certificate_valid_until, FloatingRecord.incomplete,
    FloatingRecord.destination_address,
)


def _rows_query():
    """Plain columns, not ORM objects: ten times faster at 10,000 records."""
    return select(*_ROW_COLUMNS).join(Member, Member.id == FloatingRecord.member_id)


def _row(values, today: date) -> OutflowRow:
    (record_id, member_id, name, org_id, status, left_on, returned_on, expected, province, city, employer, reason,
     mode, certificate_no, valid_until, incomplete, address) = values
    return OutflowRow(
        record_id, member_id, name, org_id, status, left_on, returned_on, expected,
        destination_of(province, city) or (address or "").strip(),
        employer, reason, mode, certificate_no, valid_until, valid_until is not None and valid_until < today,
        bool(incomplete),
    )


def open_records(session: Session, today: date | None = None) -> list[OutflowRow]:
    """Every open record (still away), by leave date; members who left the ledger meanwhile included
    (``member_status`` says so)."""
    today = today or date.today()
    query = _rows_query().where(FloatingRecord.returned_on.is_(None)).order_by(FloatingRecord.left_on,
                                                                              FloatingRecord.id)
    return [_row(row, today) for row in session.execute(query)]


def history(session: Session, member_id: int, today: date | None = None) -> list[OutflowRow]:
    """All of a member's periods away, newest first."""
    today = today or date.today()
    query = (_rows_query().where(FloatingRecord.member_id == member_id)
             .order_by(FloatingRecord.left_on.desc(), FloatingRecord.id.desc()))
    return [_row(row, today) for row in session.execute(query)]


def contacts(session: Session, member_id: int) -> list[ContactRow]:
    """A member's contact log, newest first."""
    query = (select(ContactLog).where(ContactLog.member_id == member_id)
             .order_by(ContactLog.contacted_on.desc(), ContactLog.id.desc()))
    return [ContactRow(c.id, c.member_id, c.contacted_on, c.channel, c.reached, c.made_by, c.summary, c.is_report)
            for c in session.scalars(query)]


def _in(column, ids: Collection[int]):
    """``column IN (1, 2, …)`` with the ids written into the SQL: thousands of bound parameters cost
    SQLAlchemy more to expand than SQLite takes to run the statement. The ids are ints (``int()``
    refuses anything else), so nothing but digits reaches the text."""
    return column.op("IN")(literal_column("(" + ",".join(str(int(i)) for i in ids) + ")"))


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start:start + _IN_CHUNK]


def _facts(session: Session, today: date, since: dict[int, date], member_ids: list[int]) -> dict[int, ContactFacts]:
    """ContactFacts of the members in ``since`` (member → the day the clock may start) in one statement.

    The statement yields each member's latest successful contact (``reached`` true), latest 组织生活
    attended, latest dues paid and, for members with an open record, the failed attempts after both that
    contact and the day they left, reading covering indexes only.
    """
    latest = (select(ContactLog.member_id, func.max(ContactLog.contacted_on).label("day"))
              .where(ContactLog.reached.is_(True), ContactLog.contacted_on <= today,
                     _in(ContactLog.member_id, member_ids))
              .group_by(ContactLog.member_id))
    last = latest.cte("last_reached")
    failed = (
        select(ContactLog.member_id, ContactLog.contacted_on, literal(0))
        .join(FloatingRecord, and_(FloatingRecord.member_id == ContactLog.member_id,
                                   FloatingRecord.returned_on.is_(None)))
        .outerjoin(last, last.c.member_id == ContactLog.member_id)
        .where(ContactLog.reached.is_(False), ContactLog.contacted_on <= today,
               ContactLog.contacted_on > FloatingRecord.left_on, _in(ContactLog.member_id, member_ids),
               or_(last.c.day.is_(None), ContactLog.contacted_on > last.c.day))
    )
    meetings = (
        select(MeetingAttendee.member_id, func.max(Meeting.held_on), literal(2))
        .join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
        .where(_in(MeetingAttendee.member_id, member_ids), MeetingAttendee.present.is_(True), Meeting.held_on <= today)
        .group_by(MeetingAttendee.member_id)
    )
    dues = (
        select(DuesPayment.member_id, func.max(DuesPayment.paid_on), literal(3))
        .where(_in(DuesPayment.member_id, member_ids), DuesPayment.paid_on <= today)
        .group_by(DuesPayment.member_id)
    )
    found: dict[int, dict[int, list[date]]] = {}
    for member_id, day, kind in session.execute(
        union_all(select(last.c.member_id, last.c.day, literal(1)), failed, meetings, dues)
    ):
        if member_id in since and day is not None:
            found.setdefault(member_id, {}).setdefault(kind, []).append(day)
    return {
        member_id: ContactFacts(
            managed_since=start,
            successful_contacts=tuple(found.get(member_id, {}).get(1, ())),
            failed_attempts=tuple(sorted(found.get(member_id, {}).get(0, ()))),
            meetings_attended=tuple(found.get(member_id, {}).get(2, ())),
            dues_paid_on=tuple(found.get(member_id, {}).get(3, ())),
        )
        for member_id, start in since.items()
    }


def _found_again(member_ids: list[int] | None, today: date):
    """Each member's latest 重新纳入管理 up to ``today``: the clock restarts that day."""
    query = (select(LostContactEvent.member_id, func.max(LostContactEvent.happened_on).label("day"))
             .where(LostContactEvent.kind == FOUND_AGAIN, LostContactEvent.happened_on <= today))
    if member_ids is not None:
        query = query.where(_in(LostContactEvent.member_id, member_ids))
    return query.group_by(LostContactEvent.member_id)


def facts_for(session: Session, member_ids: Collection[int], today: date) -> dict[int, ContactFacts]:
    """ContactFacts of the given members who have an open record, in two queries (per 500 members).

    - ``managed_since`` is the open record's ``left_on`` (the member was present until the day they
      left, so contacts from an earlier period do not count), or a later 重新纳入管理;
    - ``successful_contacts``, ``meetings_attended`` and ``dues_paid_on`` hold only the latest of each
      (all the rules use); ``failed_attempts`` the attempts that did not reach the member, dated after
      both the latest successful contact and the day they left;
    - only facts dated up to ``today``.

    Members without an open record are left out of the result.
    """
    result: dict[int, ContactFacts] = {}
    for chunk in _chunks(sorted(set(member_ids))):
        since = dict(session.execute(
            select(FloatingRecord.member_id, func.max(FloatingRecord.left_on))
            .where(FloatingRecord.returned_on.is_(None), FloatingRecord.left_on <= today,
                   _in(FloatingRecord.member_id, chunk))
            .group_by(FloatingRecord.member_id)
        ).all())
        for member_id, day in session.execute(_found_again(chunk, today)):
            if member_id in since and day > since[member_id]:
                since[member_id] = day
        result.update(_facts(session, today, since, chunk))
    return result


def _last_day_not_normal(today: date, warning_months: int) -> date:
    """The latest "last reached" day that is no longer 正常 on ``today`` (add_months is monotone, so every
    earlier day is not 正常 either and every later one is). It lies within three days after
    ``today - warning_months`` (month ends clamp)."""
    back = add_months(today, -warning_months)
    return max(d for d in (back + timedelta(days=k) for k in range(4)) if add_months(d, warning_months) <= today)


def warning_months(session: Session) -> int:
    """The configurable 即将失联 lead (setting ``floating_warning_months``, 1–5, default 5)."""
    try:
        months = int(get_value(session, WARNING_KEY) or WARNING_MONTHS)
    except ValueError:
        return WARNING_MONTHS
    return months if 0 < months < LOST_MONTHS else WARNING_MONTHS


def report_flag_date(session: Session) -> tuple[int, int]:
    """The configurable day from which a missing yearly report is flagged (setting ``floating_report_from``,
    "MM-DD", default 10-01)."""
    try:
        month, day = (int(part) for part in get_value(session, REPORT_KEY).split("-"))
        date(2024, month, day)  # a leap year accepts 02-29
    except ValueError:
        return REPORT_FLAG_DATE
    return month, day


def to_contact(
    session: Session, today: date, *, warning_months: int = WARNING_MONTHS
) -> list[tuple[OutflowRow, ContactStatus]]:
    """The 待联系 list of floating members (即将失联 / 待联系 / 失联), most urgent first.

    One query finds the candidates: open records (left by the cut day) of members reached neither by a
    contact, a 组织生活 attended, dues paid nor a 重新纳入管理 since then — everybody else is 正常 whatever
    else the records say. Their facts take two more queries (per 500 candidates) and ``contact_status``
    decides.

    Members who left the ledger (转出 / 出党 / 死亡) while away are not listed: they are no longer
    this organisation's to contact (``open_records`` still shows them).
    """
    _check_warning(warning_months)
    cut = _last_day_not_normal(today, warning_months)
    member = FloatingRecord.member_id
    reached_since = (
        select(ContactLog.id)
        .where(ContactLog.member_id == member, ContactLog.reached.is_(True),
               ContactLog.contacted_on > cut, ContactLog.contacted_on <= today)
        .exists()
    )
    paid_since = (
        select(DuesPayment.id)
        .where(DuesPayment.member_id == member, DuesPayment.paid_on > cut, DuesPayment.paid_on <= today)
        .exists()
    )
    met_since = (
        select(MeetingAttendee.id)
        .join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
        .where(MeetingAttendee.member_id == member, MeetingAttendee.present.is_(True),
               Meeting.held_on > cut, Meeting.held_on <= today)
        .exists()
    )
    found_since = (
        select(LostContactEvent.id)
        .where(LostContactEvent.member_id == member, LostContactEvent.kind == FOUND_AGAIN,
               LostContactEvent.happened_on > cut, LostContactEvent.happened_on <= today)
        .exists()
    )
    rows = [
        _row(row, today) for row in session.execute(
            _rows_query().where(FloatingRecord.returned_on.is_(None), FloatingRecord.left_on <= cut,
                                Member.status == "在册", ~reached_since, ~paid_since, ~found_since, ~met_since)
            .order_by(FloatingRecord.left_on, FloatingRecord.id)
        )
    ]
    facts = facts_for(session, [row.member_id for row in rows], today)
    return to_contact_list(
        (row, contact_status(facts[row.member_id], today, warning_months=warning_months))
        for row in rows if row.member_id in facts
    )


def statuses(session: Session, today: date, *, warning_months: int = WARNING_MONTHS) -> dict[int, ContactStatus]:
    """The contact status of every member with an open record who is 在册 and not 正常 (the rest are 正常)."""
    return {row.member_id: status for row, status in to_contact(session, today, warning_months=warning_months)}


# ---------------------------------------------------------------- 失联处置: find, establish, re-include, stop


SEARCH = "寻找"
CONFIRM_LOST = "确认失联"
FOUND_AGAIN = "重新纳入管理"
STOP_STANDING = "停止党籍"
LOST_EVENT_KINDS = (SEARCH, CONFIRM_LOST, FOUND_AGAIN, STOP_STANDING)


@dataclass(frozen=True)
class LostEventRow:
    id: int
    member_id: int
    kind: str
    happened_on: date
    note: str
    made_by: str
    to_confirm: bool


def lost_events(session: Session, member_id: int) -> list[LostEventRow]:
    """A member's 失联处置 in order of date, oldest first."""
    query = (select(LostContactEvent).where(LostContactEvent.member_id == member_id)
             .order_by(LostContactEvent.happened_on, LostContactEvent.id))
    return [LostEventRow(e.id, e.member_id, e.kind, e.happened_on, e.note, e.made_by, e.to_confirm)
            for e in session.scalars(query)]


def status_of(session: Session, member_id: int, today: date, *,
              warning_months: int = WARNING_MONTHS) -> ContactStatus | None:
    """One member's contact status (None without an open record)."""
    facts = facts_for(session, [member_id], today).get(member_id)
    return None if facts is None else contact_status(facts, today, warning_months=warning_months)


def record_lost_event(
    session: Session, member_id: int, kind: str, on: date | None, note: str = "", *, today: date | None = None,
    warning_months: int = WARNING_MONTHS,
) -> tuple[int, Changes]:
    """Record one step of 失联处置, keeping the ledger's 失联 mark and 党籍状态 in step.

    - 寻找: a step taken to find the member (the note says what); any time.
    - 确认失联: only once the rules say 失联 on that day (six months without reaching the member and a failed
      attempt since) — or to confirm a mark carried over from the old ledger flag; sets the ledger's
      是否失联党员 with the date.
    - 重新纳入管理: the member is found; clears the 失联 mark (and restores a stopped 党籍); the contact
      clock restarts that day.
    - 停止党籍: only for a member whose 失联 has been established, not before that day.
    All are kept in the member's history.
    """
    today = today or date.today()
    member = load_member(session, member_id)
    note = note.strip()
    errors: dict[str, str] = {}
    if kind not in LOST_EVENT_KINDS:
        errors["kind"] = f"请选择处置类型（{'、'.join(LOST_EVENT_KINDS)}）。"
    if on is None:
        errors["happened_on"] = "请填写日期。"
    elif on > today:
        errors["happened_on"] = "日期不能晚于今天。"
    if len(note) > SUMMARY_LIMIT:
        errors["note"] = f"说明不能超过 {SUMMARY_LIMIT} 个字。"
    if kind == SEARCH and not note:
        errors["note"] = "请写明采取的寻找措施。"
    if member.status != "在册":
        errors["kind"] = f"{member.name}已{member.status}，不再办理失联处置。"
    if errors:
        raise ValidationError(errors)
    assert on is not None
    pending = [e for e in session.scalars(select(LostContactEvent).where(
        LostContactEvent.member_id == member_id, LostContactEvent.kind == CONFIRM_LOST,
        LostContactEvent.to_confirm.is_(True)))]
    changes = FLOATING | MEMBERS
    if kind == CONFIRM_LOST:
        if member.lost_contact and not pending:
            raise ValidationError(f"{member.name}已于 {member.lost_contact_on:%Y-%m-%d} 确认失联。", "kind")
        if not pending:
            status = status_of(session, member_id, on, warning_months=warning_months)
            if status is None:
                raise ValidationError(f"{member.name}没有外出登记，无法按规则认定失联。", "kind")
            if status.status != LOST:
                raise ValidationError(f"截至 {on:%Y-%m-%d} 尚不能认定失联：{status.reason}。", "happened_on")
        for event in pending:
            event.to_confirm = False
        member.lost_contact, member.lost_contact_on = True, on
    elif kind == FOUND_AGAIN:
        if not member.lost_contact:
            status = status_of(session, member_id, on, warning_months=warning_months)
            if status is None or status.status == NORMAL:
                raise ValidationError(f"{member.name}未失联，无需重新纳入管理。", "kind")
        elif member.lost_contact_on and on < member.lost_contact_on:
            raise ValidationError(f"日期不能早于确认失联的日期（{member.lost_contact_on:%Y-%m-%d}）。", "happened_on")
        for event in pending:
            event.to_confirm = False
        member.lost_contact, member.lost_contact_on = False, None
        if member.standing == STOP_STANDING:
            member.standing = "正常"
            audit.log(session, "members", member_id, "恢复党籍", f"{on:%Y-%m-%d} 重新纳入管理")
    elif kind == STOP_STANDING:
        if not member.lost_contact or pending:
            raise ValidationError(f"{member.name}尚未确认失联，不能停止党籍。", "kind")
        if member.standing == STOP_STANDING:
            raise ValidationError(f"{member.name}已停止党籍。", "kind")
        if member.lost_contact_on and on < member.lost_contact_on:
            raise ValidationError(f"停止党籍的日期不能早于确认失联的日期（{member.lost_contact_on:%Y-%m-%d}）。",
                                  "happened_on")
        member.standing = STOP_STANDING
    else:
        changes = FLOATING
    event = LostContactEvent(member_id=member_id, kind=kind, happened_on=on, note=note,
                             made_by=get_value(session, "operator_name").strip(), to_confirm=False)
    session.add(event)
    session.flush()
    audit.log(session, "members", member_id, kind, f"{on:%Y-%m-%d}" + (f"，{note}" if note else ""))
    return event.id, changes


def lost_event_choices(session: Session, member_id: int, today: date, *,
                       warning_months: int = WARNING_MONTHS) -> tuple[tuple[str, ...], str]:
    """The 失联处置 steps that make sense for a member today, and one line saying where they stand."""
    member = load_member(session, member_id)
    if member.status != "在册":
        return (), f"{member.name}已{member.status}。"
    pending = session.scalar(select(func.count()).select_from(LostContactEvent).where(
        LostContactEvent.member_id == member_id, LostContactEvent.to_confirm.is_(True)))
    status = status_of(session, member_id, today, warning_months=warning_months)
    kinds = [SEARCH]
    if member.lost_contact:
        since = f"{member.lost_contact_on:%Y-%m-%d}" if member.lost_contact_on else "（日期不详）"
        text = (f"失联标记（{since}）由原台账转入，待确认。" if pending else f"已于 {since} 确认失联。")
        if member.standing == STOP_STANDING:
            text += "党籍已停止。"
        if pending:
            kinds.append(CONFIRM_LOST)
        elif member.standing != STOP_STANDING:
            kinds.append(STOP_STANDING)
        kinds.append(FOUND_AGAIN)
    elif status is None:
        text = "没有外出登记。"
    else:
        text = f"{status.status}：{status.reason}。"
        if status.status == LOST:
            kinds.append(CONFIRM_LOST)
        if status.status in (LOST, TO_CONTACT):
            kinds.append(FOUND_AGAIN)
    return tuple(kinds), text


# ---------------------------------------------------------------- 自行脱党 line and yearly reports


@dataclass(frozen=True)
class LapseRow:
    member_id: int
    name: str
    org_id: int
    floating: bool
    warning: LapseWarning


def lapse_list(session: Session, today: date, *, warn_months: int = WARNING_MONTHS) -> list[LapseRow]:
    """在册 members approaching (or past) the 自行脱党 line, the earliest crossing first.

    Counted from the later of the last 组织生活 attended / dues paid and the day the member came into
    these records (``created_at``): an office that starts recording today is not told everybody lapsed.
    Members whose 党籍 is stopped are left out (their case is already in hand).
    """
    _check_warning(warn_months)
    last_meeting = (
        select(func.max(Meeting.held_on))
        .join(MeetingAttendee, MeetingAttendee.meeting_id == Meeting.id)
        .where(MeetingAttendee.member_id == Member.id, MeetingAttendee.present.is_(True), Meeting.held_on <= today)
        .scalar_subquery()
    )
    last_dues = (
        select(func.max(DuesPayment.paid_on))
        .where(DuesPayment.member_id == Member.id, DuesPayment.paid_on <= today)
        .scalar_subquery()
    )
    # SQL keeps only members with nothing recorded since the cut day for one of the two (everyone else
    # is clear whatever the rest says); the rules then decide on those few.
    cut = _last_day_not_normal(today, warn_months)
    met_since = (
        select(MeetingAttendee.id).join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
        .where(MeetingAttendee.member_id == Member.id, MeetingAttendee.present.is_(True),
               Meeting.held_on > cut, Meeting.held_on <= today)
        .exists()
    )
    paid_since = (
        select(DuesPayment.id)
        .where(DuesPayment.member_id == Member.id, DuesPayment.paid_on > cut, DuesPayment.paid_on <= today)
        .exists()
    )
    query = (select(Member.id, Member.name, Member.org_id, Member.floating, Member.created_at, last_meeting,
                    last_dues)
             .where(Member.status == "在册", Member.standing != STOP_STANDING,
                    Member.created_at < cut + timedelta(days=1), or_(~paid_since, ~met_since)))
    rows = []
    for member_id, name, org_id, is_floating, created_at, meeting, dues in session.execute(query):
        since = min(created_at.date(), today)
        warning = self_lapse(meeting, dues, since, today, warn_months=warn_months)
        if warning is not None:
            rows.append(LapseRow(member_id, name, org_id, bool(is_floating), warning))
    rows.sort(key=lambda r: (r.warning.crosses_on, r.name))
    return rows


@dataclass(frozen=True)
class ReportRow:
    member_id: int
    name: str
    org_id: int
    last_report: date | None


def reports_overdue(session: Session, today: date, *, flag_from: tuple[int, int] = REPORT_FLAG_DATE) -> list[ReportRow]:
    """Floating members (open record, 在册) with no report to the organisation this calendar year, once
    ``flag_from`` has come (``report_overdue``); empty before that day."""
    if not report_overdue(None, today, flag_from=flag_from):
        return []
    last = (select(func.max(ContactLog.contacted_on))
            .where(ContactLog.member_id == Member.id, ContactLog.is_report.is_(True), ContactLog.contacted_on <= today)
            .scalar_subquery())
    query = (select(Member.id, Member.name, Member.org_id, last).distinct()
             .join(FloatingRecord, FloatingRecord.member_id == Member.id)
             .where(FloatingRecord.returned_on.is_(None), Member.status == "在册")
             .order_by(Member.name_sort))
    return [ReportRow(mid, name, org, day) for mid, name, org, day in session.execute(query)
            if report_overdue(day, today, flag_from=flag_from)]
