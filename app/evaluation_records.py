"""年度记实: the year's record of each member — written notes, 组织生活 attendance, volunteer service,
双报到, 党费, rewards and discipline — and the facts the evaluation grid pre-fills from.

No Qt. Writers take a session and plain values, raise ``ValidationError`` (field → Chinese message), log
to the change log (area ``evaluation``, the member's id) and return ``Changes``. ``today`` always may come
from the caller (tests, the demo).

Readings (each one a choice, tested in tests/app/test_evaluation_records.py):

- **On the roll** on a day: joined by then (``joined_on``), and 在册 or left (转出/出党/死亡) on or after
  that day — the rule of ``app.meetings``. A member belongs to a year when on the roll on some day of it:
  one who left in July keeps that year's record (notes, attendance up to leaving, dues through the month
  of leaving) and is refused for the next year.
- **Notes**: a period's note (a quarter's summary, a half-year's feedback) may be written once the period
  has begun and only for a member on the roll at some point of it; the year-level notes (年底考核,
  书记评语) once the year has begun. Saving empty text deletes the note. ``written_by`` is the operator in
  设置, ``written_on`` the day it was (last) saved.
- **组织生活 attendance** for a year counts meetings held from 1 January to the earlier of 31 December and
  today. A meeting is *held for* a member when either
  (a) it is a meeting for all members (ALL_MEMBER_KINDS: 支部党员大会, 党小组会, 党课, 主题党日, 组织生活会)
      of the member's organisation or one of its ancestors (a 党小组 member owes the branch's meetings),
      held on a day the member was on the roll; or
  (b) the member is on its list, present or absent (支部委员会 for committee members, 流动党员之家活动
      attended while away, a meeting of a branch the member belonged to before moving).
  The ledger keeps no history of moves between organisations, so (a) uses the member's organisation
  today; (b) keeps meetings of an earlier branch where the member's name was written down. Attended =
  a list row with ``present`` true; every other meeting held is an absence, with the reason of the
  ``present`` false row, or empty when the member was simply not ticked. Rate = attended / held as a
  ``Fraction``, None when nothing was held.
- **Volunteer hours** are typed as text with at most one decimal ("1.5", full-width "１．５", a trailing
  小时 or h) and kept in tenths; one member's entries of one day add up to at most 24 hours.
- **党费**: amounts, arrears and the back-payment limit come from ``app.dues_rules``. The policy is the
  setting ``dues_policy`` (``dues_rules.POLICIES``; unset or unknown: 随工资变动). The year's arrears are
  the year's months that are over today and still unpaid today (a December paid in February is not in
  arrears any more); ``beyond_back_payment`` are those that can no longer be paid back today.
- **The last complete quarter** on a day is the quarter before the day's quarter (on 22 November 2026:
  2026 Q3; on 10 February 2026: 2025 Q4). For a past year it is Q4; in a year's first quarter none is
  complete and nothing is missing. A member not on the roll at any point of that quarter owes no summary.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from app import audit, dues_rules
from app.changes import EVALUATION, Changes
from app.dues_rules import Arrears, DuesBase
from app.errors import NotFoundError, ValidationError
from app.meetings import MEETING_KINDS
from app.members import load_member
from app.numbers import parse_units
from app.settings import get_value
from db.models import (
    AnnualNote,
    DualReport,
    DuesPayment,
    Meeting,
    MeetingAttendee,
    Member,
    MemberDuesBase,
    Organization,
    RewardDiscipline,
    VolunteerService,
)

AUDIT_AREA = "evaluation"
ON_ROLL = "在册"

Q1, Q2, Q3, Q4 = "第一季度小结", "第二季度小结", "第三季度小结", "第四季度小结"
H1, H2 = "上半年反馈", "下半年反馈"
YEAR_END, SECRETARY = "年底考核", "书记评语"
NOTE_KINDS = (Q1, Q2, Q3, Q4, H1, H2, YEAR_END, SECRETARY)
QUARTER_KINDS = (Q1, Q2, Q3, Q4)
# kind → (first month, last month) of the period it is about; year-level kinds are not here
_PERIODS = {Q1: (1, 3), Q2: (4, 6), Q3: (7, 9), Q4: (10, 12), H1: (1, 6), H2: (7, 12)}
_PERIOD_LABELS = {Q1: "第一季度", Q2: "第二季度", Q3: "第三季度", Q4: "第四季度", H1: "上半年", H2: "下半年"}
NOTE_LIMIT = 5000
WRITER_LIMIT = 64

# Meetings every member of the organisation (and of the organisations under it) is expected at.
ALL_MEMBER_KINDS = ("支部党员大会", "党小组会", "党课", "主题党日", "组织生活会")

REWARD, DISCIPLINE = "奖励", "处分"
REWARD_KINDS = (REWARD, DISCIPLINE)

ACTIVITY_LIMIT = 200
TITLE_LIMIT = 200
EMPLOYER_LIMIT = 100
DECIDED_BY_LIMIT = 100
TEXT_LIMIT = 2000
DUES_NOTE_LIMIT = 200
MAX_TENTHS_A_DAY = 240  # 24 hours

DUES_POLICY_KEY = "dues_policy"
_IN_CHUNK = 500


# ---------------------------------------------------------------- small helpers


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start:start + _IN_CHUNK]


def _year_end(year: int) -> date:
    return date(year, 12, 31)


def _period_bounds(year: int, kind: str) -> tuple[date, date]:
    """The first and last day a note kind is about (the whole year for 年底考核 and 书记评语)."""
    first, last = _PERIODS.get(kind, (1, 12))
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


@dataclass(frozen=True)
class _Span:
    """When a member was on the roll here: joined_on, and left_on unless still 在册."""

    joined_on: date
    status: str
    left_on: date | None

    def on_roll(self, day: date) -> bool:
        return self.joined_on <= day and (self.status == ON_ROLL or (self.left_on is not None and self.left_on >= day))

    def overlaps(self, first: date, last: date) -> bool:
        """On the roll on some day from ``first`` to ``last``."""
        if self.joined_on > last:
            return False
        return self.status == ON_ROLL or (self.left_on is not None and self.left_on >= first)


def _span(member: Member) -> _Span:
    return _Span(member.joined_on, member.status, member.left_on)



def _operator(session: Session) -> str:
    return get_value(session, "operator_name").strip()[:WRITER_LIMIT]


def _year_errors(member: Member, year: int, today: date) -> dict[str, str]:
    if year > today.year:
        return {"year": f"{year} 年尚未开始，不能填写。"}
    if not _span(member).overlaps(date(year, 1, 1), _year_end(year)):
        if member.joined_on > _year_end(year):
            return {"year": f"“{member.name}”{member.joined_on:%Y-%m-%d} 入党，{year} 年不在本社区党员名册中。"}
        return {"year": f"“{member.name}”已于 {member.left_on:%Y-%m-%d} {member.status}，{year} 年不在册。"
                if member.left_on else f"“{member.name}”已{member.status}，{year} 年不在册。"}
    return {}


def _day_errors(field: str, label: str, day: date | None, today: date, member: Member | None) -> dict[str, str]:
    """A required day, not in the future, on which the member was on the roll."""
    if day is None:
        return {field: f"请填写{label}。"}
    if day > today:
        return {field: f"{label}不能晚于今天。"}
    if member is not None and not _span(member).on_roll(day):
        if day < member.joined_on:
            return {field: f"{label}不能早于入党日期（{member.joined_on:%Y-%m-%d}）。"}
        when = f"已于 {member.left_on:%Y-%m-%d} {member.status}" if member.left_on else f"已{member.status}"
        return {field: f"“{member.name}”{when}，{label}不能晚于此日。"}
    return {}


def _text_errors(values: Iterable[tuple[str, str, str, int]]) -> dict[str, str]:
    return {field: f"{label}不能超过 {limit} 个字。" for field, label, text, limit in values if len(text) > limit}


# ---------------------------------------------------------------- notes


@dataclass(frozen=True)
class NoteRow:
    id: int
    member_id: int
    year: int
    kind: str
    text: str
    written_by: str
    written_on: date


def _note_row(note: AnnualNote) -> NoteRow:
    return NoteRow(note.id, note.member_id, note.year, note.kind, note.text, note.written_by, note.written_on)


def save_note(
    session: Session, member_id: int, year: int, kind: str, text: str, *, today: date | None = None
) -> Changes:
    """Write (or rewrite) one note of a member's year; empty text deletes it. See the module's readings."""
    today = today or date.today()
    member = load_member(session, member_id)
    text = (text or "").strip()
    if kind not in NOTE_KINDS:
        raise ValidationError(f"请选择记实类别（{'、'.join(NOTE_KINDS)}）。", "kind")
    errors = _year_errors(member, year, today)
    if not errors:
        first, last = _period_bounds(year, kind)
        label = f"{year} 年{_PERIOD_LABELS.get(kind, '')}"
        if first > today:
            errors["kind"] = f"{label}从 {first:%Y-%m-%d} 开始，{kind}不能提前填写。"
        elif kind in _PERIODS and not _span(member).overlaps(first, last):
            errors["kind"] = (f"“{member.name}”在{label}（{first:%m-%d} 至 {last:%m-%d}）不在册，"
                              f"不能填写该时段的{kind}。")
    if len(text) > NOTE_LIMIT:
        errors["text"] = f"记实内容不能超过 {NOTE_LIMIT} 个字（现为 {len(text)} 个字）。"
    if errors:
        raise ValidationError(errors)
    note = session.scalar(select(AnnualNote).where(
        AnnualNote.member_id == member_id, AnnualNote.year == year, AnnualNote.kind == kind))
    if not text:
        if note is None:
            return Changes()
        audit.log(session, AUDIT_AREA, member_id, "删除年度记实", f"{year} 年{kind}")
        session.delete(note)
        session.flush()
        return EVALUATION
    if note is not None and note.text == text:
        return Changes()
    writer = _operator(session)
    if note is None:
        note = AnnualNote(member_id=member_id, year=year, kind=kind, text=text, written_by=writer, written_on=today)
        session.add(note)
        action = "填写年度记实"
    else:
        note.text, note.written_by, note.written_on = text, writer, today
        action = "修改年度记实"
    session.flush()
    audit.log(session, AUDIT_AREA, member_id, action, f"{year} 年{kind}，{len(text)} 字")
    return EVALUATION


def notes(session: Session, member_id: int, year: int) -> list[NoteRow]:
    """The member's notes of ``year`` in NOTE_KINDS order (kinds not written are left out)."""
    order = {kind: i for i, kind in enumerate(NOTE_KINDS)}
    rows = session.scalars(select(AnnualNote).where(AnnualNote.member_id == member_id, AnnualNote.year == year))
    return sorted((_note_row(n) for n in rows), key=lambda n: order.get(n.kind, len(order)))


# ---------------------------------------------------------------- volunteer service


def parse_hours(text: str, *, field: str = "hours") -> int:
    """Hours as typed ("2", "1.5", "１．５", "1.5小时", "2h") → tenths (15). Raises ValidationError on
    ``field`` for empty text, a non-number, more than one decimal, zero or negative hours and over 24."""
    tenths = parse_units(text, places=1, suffixes=("小时", "h", "H"), field=field, label="服务时长",
                         empty="请填写服务时长（小时）。", example="1.5 的小时数",
                         too_precise="服务时长最多一位小数（如 1.5 小时）。")
    if tenths > MAX_TENTHS_A_DAY:
        raise ValidationError("服务时长一天不能超过 24 小时。", field)
    return tenths


def format_hours(tenths: int) -> str:
    """Tenths → hours as shown: 15 → "1.5", 20 → "2"."""
    whole, part = divmod(tenths, 10)
    return f"{whole}.{part}" if part else str(whole)


@dataclass(frozen=True)
class VolunteerInput:
    served_on: date | None
    activity: str
    hours: str  # as typed; see parse_hours
    note: str = ""


@dataclass(frozen=True)
class VolunteerRow:
    id: int
    member_id: int
    served_on: date
    activity: str
    hours_tenths: int
    note: str

    @property
    def hours(self) -> str:
        return format_hours(self.hours_tenths)


def _volunteer_checked(session: Session, member: Member, data: VolunteerInput, service_id: int | None,
                       today: date) -> tuple[VolunteerInput, int]:
    data = replace(data, activity=data.activity.strip(), note=data.note.strip())
    errors = _day_errors("served_on", "服务日期", data.served_on, today, member)
    if not data.activity:
        errors["activity"] = "请填写服务内容。"
    errors.update(_text_errors((("activity", "服务内容", data.activity, ACTIVITY_LIMIT),
                                ("note", "备注", data.note, TEXT_LIMIT))))
    tenths = 0
    try:
        tenths = parse_hours(data.hours)
    except ValidationError as exc:
        errors.update(exc.errors)
    if tenths and "served_on" not in errors:
        others = session.scalar(select(func.coalesce(func.sum(VolunteerService.hours_tenths), 0)).where(
            VolunteerService.member_id == member.id, VolunteerService.served_on == data.served_on,
            VolunteerService.id != (service_id or 0))) or 0
        if others + tenths > MAX_TENTHS_A_DAY:
            errors["hours"] = (f"{data.served_on:%Y-%m-%d} 已登记 {format_hours(others)} 小时，"
                               f"再加 {format_hours(tenths)} 小时超过一天 24 小时。")
    if errors:
        raise ValidationError(errors)
    return data, tenths


def _service(session: Session, service_id: int) -> VolunteerService:
    row = session.get(VolunteerService, service_id)
    if row is None:
        raise NotFoundError(f"找不到编号为 {service_id} 的志愿服务记录，可能已被他人删除。")
    return row


def add_volunteer(session: Session, member_id: int, data: VolunteerInput, *,
                  today: date | None = None) -> tuple[int, Changes]:
    """志愿服务登记: one activity with its hours."""
    member = load_member(session, member_id)
    clean, tenths = _volunteer_checked(session, member, data, None, today or date.today())
    row = VolunteerService(member_id=member_id, served_on=clean.served_on, activity=clean.activity,
                           hours_tenths=tenths, note=clean.note)
    session.add(row)
    session.flush()
    audit.log(session, AUDIT_AREA, member_id, "登记志愿服务",
              f"{clean.served_on:%Y-%m-%d} {clean.activity}，{format_hours(tenths)} 小时")
    return row.id, EVALUATION


def update_volunteer(session: Session, service_id: int, data: VolunteerInput, *,
                     today: date | None = None) -> Changes:
    row = _service(session, service_id)
    clean, tenths = _volunteer_checked(session, load_member(session, row.member_id), data, service_id,
                                       today or date.today())
    row.served_on, row.activity, row.hours_tenths, row.note = clean.served_on, clean.activity, tenths, clean.note
    session.flush()
    audit.log(session, AUDIT_AREA, row.member_id, "修改志愿服务",
              f"{clean.served_on:%Y-%m-%d} {clean.activity}，{format_hours(tenths)} 小时")
    return EVALUATION


def delete_volunteer(session: Session, service_id: int) -> Changes:
    row = _service(session, service_id)
    audit.log(session, AUDIT_AREA, row.member_id, "删除志愿服务",
              f"{row.served_on:%Y-%m-%d} {row.activity}，{format_hours(row.hours_tenths)} 小时")
    session.delete(row)
    session.flush()
    return EVALUATION


def volunteer_services(session: Session, member_id: int, year: int | None = None) -> list[VolunteerRow]:
    """A member's volunteer service, oldest first (of one year, or all)."""
    query = select(VolunteerService).where(VolunteerService.member_id == member_id)
    if year is not None:
        query = query.where(VolunteerService.served_on >= date(year, 1, 1),
                            VolunteerService.served_on <= _year_end(year))
    query = query.order_by(VolunteerService.served_on, VolunteerService.id)
    return [VolunteerRow(r.id, r.member_id, r.served_on, r.activity, r.hours_tenths, r.note)
            for r in session.scalars(query)]


# ---------------------------------------------------------------- 双报到


@dataclass(frozen=True)
class DualReportInput:
    employer: str
    reported_on: date | None
    wishes: str = ""
    note: str = ""


@dataclass(frozen=True)
class DualReportRow:
    id: int
    member_id: int
    employer: str
    reported_on: date
    wishes: str
    ended_on: date | None
    note: str

    def active_in(self, year: int) -> bool:
        return self.reported_on <= _year_end(year) and (self.ended_on is None or self.ended_on >= date(year, 1, 1))


def _dual(session: Session, report_id: int) -> DualReport:
    row = session.get(DualReport, report_id)
    if row is None:
        raise NotFoundError(f"找不到编号为 {report_id} 的双报到记录，可能已被他人删除。")
    return row


def _dual_checked(session: Session, member: Member, data: DualReportInput, report_id: int | None,
                  ended_on: date | None, today: date) -> DualReportInput:
    data = replace(data, employer=data.employer.strip(), wishes=data.wishes.strip(), note=data.note.strip())
    errors = _day_errors("reported_on", "报到日期", data.reported_on, today, member)
    if not data.employer:
        errors["employer"] = "请填写工作单位。"
    errors.update(_text_errors((("employer", "工作单位", data.employer, EMPLOYER_LIMIT),
                                ("wishes", "服务意愿", data.wishes, TEXT_LIMIT),
                                ("note", "备注", data.note, TEXT_LIMIT))))
    if "reported_on" not in errors and ended_on is not None and ended_on < data.reported_on:
        errors["reported_on"] = f"报到日期不能晚于结束日期（{ended_on:%Y-%m-%d}）。"
    if not errors and ended_on is None:
        other = session.scalar(select(DualReport.reported_on).where(
            DualReport.member_id == member.id, DualReport.ended_on.is_(None), DualReport.id != (report_id or 0)))
        if other is not None:
            errors["reported_on"] = f"“{member.name}”已于 {other:%Y-%m-%d} 双报到且尚未结束，请先结束那一条。"
    if errors:
        raise ValidationError(errors)
    return data


def add_dual_report(session: Session, member_id: int, data: DualReportInput, *,
                    today: date | None = None) -> tuple[int, Changes]:
    """双报到: an in-service member reports to the community (one open report at a time)."""
    member = load_member(session, member_id)
    clean = _dual_checked(session, member, data, None, None, today or date.today())
    row = DualReport(member_id=member_id, employer=clean.employer, reported_on=clean.reported_on,
                     wishes=clean.wishes, note=clean.note, ended_on=None)
    session.add(row)
    session.flush()
    audit.log(session, AUDIT_AREA, member_id, "双报到", f"{clean.reported_on:%Y-%m-%d} {clean.employer}")
    return row.id, EVALUATION


def update_dual_report(session: Session, report_id: int, data: DualReportInput, *,
                       today: date | None = None) -> Changes:
    row = _dual(session, report_id)
    clean = _dual_checked(session, load_member(session, row.member_id), data, report_id, row.ended_on,
                          today or date.today())
    row.employer, row.reported_on, row.wishes, row.note = clean.employer, clean.reported_on, clean.wishes, clean.note
    session.flush()
    audit.log(session, AUDIT_AREA, row.member_id, "修改双报到", f"{clean.reported_on:%Y-%m-%d} {clean.employer}")
    return EVALUATION


def end_dual_report(session: Session, report_id: int, ended_on: date | None, *, today: date | None = None) -> Changes:
    """结束双报到 (moved away, retired …) on ``ended_on``: not before reporting, not in the future."""
    today = today or date.today()
    row = _dual(session, report_id)
    if row.ended_on is not None:
        raise ValidationError(f"该双报到已于 {row.ended_on:%Y-%m-%d} 结束。", "ended_on")
    if ended_on is None:
        raise ValidationError("请填写结束日期。", "ended_on")
    if ended_on > today:
        raise ValidationError("结束日期不能晚于今天。", "ended_on")
    if ended_on < row.reported_on:
        raise ValidationError(f"结束日期不能早于报到日期（{row.reported_on:%Y-%m-%d}）。", "ended_on")
    row.ended_on = ended_on
    session.flush()
    audit.log(session, AUDIT_AREA, row.member_id, "结束双报到", f"{row.employer}，{ended_on:%Y-%m-%d} 结束")
    return EVALUATION


def dual_reports(session: Session, member_id: int, year: int | None = None) -> list[DualReportRow]:
    """A member's 双报到, oldest first (those active at some point of ``year``, or all)."""
    query = select(DualReport).where(DualReport.member_id == member_id).order_by(DualReport.reported_on,
                                                                                 DualReport.id)
    rows = [DualReportRow(r.id, r.member_id, r.employer, r.reported_on, r.wishes, r.ended_on, r.note)
            for r in session.scalars(query)]
    return [r for r in rows if year is None or r.active_in(year)]


# ---------------------------------------------------------------- 奖惩


@dataclass(frozen=True)
class RewardInput:
    kind: str  # 奖励 / 处分
    decided_on: date | None
    title: str
    decided_by: str = ""
    note: str = ""


@dataclass(frozen=True)
class RewardRow:
    id: int
    member_id: int
    kind: str
    decided_on: date
    title: str
    decided_by: str
    note: str


def _reward(session: Session, reward_id: int) -> RewardDiscipline:
    row = session.get(RewardDiscipline, reward_id)
    if row is None:
        raise NotFoundError(f"找不到编号为 {reward_id} 的奖惩记录，可能已被他人删除。")
    return row


def _reward_checked(member: Member, data: RewardInput, today: date) -> RewardInput:
    data = replace(data, title=data.title.strip(), decided_by=data.decided_by.strip(), note=data.note.strip())
    errors: dict[str, str] = {}
    if data.kind not in REWARD_KINDS:
        errors["kind"] = "请选择奖励或处分。"
    if data.decided_on is None:
        errors["decided_on"] = "请填写决定日期。"
    elif data.decided_on > today:
        errors["decided_on"] = "决定日期不能晚于今天。"
    elif data.decided_on < member.joined_on:
        errors["decided_on"] = f"决定日期不能早于入党日期（{member.joined_on:%Y-%m-%d}）。"
    if not data.title:
        errors["title"] = "请填写奖惩名称。"
    errors.update(_text_errors((("title", "奖惩名称", data.title, TITLE_LIMIT),
                                ("decided_by", "决定机关", data.decided_by, DECIDED_BY_LIMIT),
                                ("note", "备注", data.note, TEXT_LIMIT))))
    if errors:
        raise ValidationError(errors)
    return data


def add_reward(session: Session, member_id: int, data: RewardInput, *,
               today: date | None = None) -> tuple[int, Changes]:
    """奖惩登记: a reward (奖励) or a discipline (处分)."""
    member = load_member(session, member_id)
    clean = _reward_checked(member, data, today or date.today())
    row = RewardDiscipline(member_id=member_id, kind=clean.kind, decided_on=clean.decided_on, title=clean.title,
                           decided_by=clean.decided_by, note=clean.note)
    session.add(row)
    session.flush()
    audit.log(session, AUDIT_AREA, member_id, f"登记{clean.kind}", f"{clean.decided_on:%Y-%m-%d} {clean.title}")
    return row.id, EVALUATION


def update_reward(session: Session, reward_id: int, data: RewardInput, *, today: date | None = None) -> Changes:
    row = _reward(session, reward_id)
    clean = _reward_checked(load_member(session, row.member_id), data, today or date.today())
    row.kind, row.decided_on, row.title = clean.kind, clean.decided_on, clean.title
    row.decided_by, row.note = clean.decided_by, clean.note
    session.flush()
    audit.log(session, AUDIT_AREA, row.member_id, f"修改{clean.kind}", f"{clean.decided_on:%Y-%m-%d} {clean.title}")
    return EVALUATION


def delete_reward(session: Session, reward_id: int) -> Changes:
    row = _reward(session, reward_id)
    audit.log(session, AUDIT_AREA, row.member_id, f"删除{row.kind}", f"{row.decided_on:%Y-%m-%d} {row.title}")
    session.delete(row)
    session.flush()
    return EVALUATION


def rewards(session: Session, member_id: int, year: int | None = None) -> list[RewardRow]:
    query = select(RewardDiscipline).where(RewardDiscipline.member_id == member_id)
    if year is not None:
        query = query.where(RewardDiscipline.decided_on >= date(year, 1, 1),
                            RewardDiscipline.decided_on <= _year_end(year))
    query = query.order_by(RewardDiscipline.decided_on, RewardDiscipline.id)
    return [RewardRow(r.id, r.member_id, r.kind, r.decided_on, r.title, r.decided_by, r.note)
            for r in session.scalars(query)]


# ---------------------------------------------------------------- 党费 bases


@dataclass(frozen=True)
class DuesBaseRow:
    id: int
    member_id: int
    effective_from: date
    category: str
    base_fen: int | None
    farmer_amount_fen: int | None
    note: str

    @property
    def rule(self) -> DuesBase:
        return DuesBase(self.effective_from, self.category, self.base_fen, self.farmer_amount_fen)

    @property
    def monthly_fen(self) -> int:
        return self.rule.monthly_fen


def dues_policy(session: Session) -> str:
    """The setting ``dues_policy`` (dues_rules.POLICIES); 随工资变动 when unset or unknown."""
    value = get_value(session, DUES_POLICY_KEY).strip()
    return value if value in dues_rules.POLICIES else dues_rules.FOLLOWS_PAY


def set_dues_base(
    session: Session, member_id: int, effective_from: date | None, category: str, *, base_fen: int | None = None,
    farmer_amount_fen: int | None = None, note: str = "",
) -> tuple[int, Changes]:
    """The member's payer category and base from a month on (replacing one of the same month).

    Checked through ``dues_rules.DuesBase``: ``effective_from`` must be the first of a month, not before
    the month the member joined; the amounts a category does not use are not stored.
    """
    member = load_member(session, member_id)
    note = note.strip()
    if effective_from is None:
        raise ValidationError("请选择生效月份。", "effective_from")
    if effective_from.day != 1:
        raise ValidationError(f"生效月份应为某月 1 日（现为 {effective_from:%Y-%m-%d}）。", "effective_from")
    if effective_from < member.joined_on.replace(day=1):
        raise ValidationError(f"生效月份不能早于入党月份（{member.joined_on:%Y年%m月}）。", "effective_from")
    if len(note) > DUES_NOTE_LIMIT:
        raise ValidationError(f"备注不能超过 {DUES_NOTE_LIMIT} 个字。", "note")
    if category in (dues_rules.WORKING, dues_rules.RETIRED):
        farmer_amount_fen = None
    elif category == dues_rules.FARMER:
        base_fen = None
    elif category in dues_rules.FLAT_CATEGORIES:
        base_fen = farmer_amount_fen = None
    rule = DuesBase(effective_from, category, base_fen, farmer_amount_fen)  # ValidationError with the field
    row = session.scalar(select(MemberDuesBase).where(MemberDuesBase.member_id == member_id,
                                                      MemberDuesBase.effective_from == effective_from))
    action = "修改党费基数" if row is not None else "设置党费基数"
    if row is None:
        row = MemberDuesBase(member_id=member_id, effective_from=effective_from)
        session.add(row)
    row.category, row.base_fen, row.farmer_amount_fen, row.note = category, base_fen, farmer_amount_fen, note
    session.flush()
    shown = f"，基数 {base_fen / 100:.2f} 元" if base_fen is not None else ""
    audit.log(session, AUDIT_AREA, member_id, action,
              f"{effective_from:%Y年%m月}起 {category}{shown}，每月 {rule.monthly_fen / 100:.2f} 元")
    return row.id, EVALUATION


def dues_bases(session: Session, member_id: int) -> list[DuesBaseRow]:
    """A member's dated bases, oldest first."""
    query = (select(MemberDuesBase).where(MemberDuesBase.member_id == member_id)
             .order_by(MemberDuesBase.effective_from))
    return [DuesBaseRow(r.id, r.member_id, r.effective_from, r.category, r.base_fen, r.farmer_amount_fen, r.note)
            for r in session.scalars(query)]


def delete_dues_base(session: Session, base_id: int) -> Changes:
    row = session.get(MemberDuesBase, base_id)
    if row is None:
        raise NotFoundError(f"找不到编号为 {base_id} 的党费基数，可能已被他人删除。")
    audit.log(session, AUDIT_AREA, row.member_id, "删除党费基数", f"{row.effective_from:%Y年%m月}起 {row.category}")
    session.delete(row)
    session.flush()
    return EVALUATION


def _year_arrears(rules: Sequence[DuesBase], paid: Iterable[date], span: _Span, year: int, today: date,
                  policy: str) -> Arrears:
    """dues_rules.arrears limited to ``year``: joining moved up to 1 January and leaving down to
    31 December (neither changes which months of the year are due), so only the year's months are walked."""
    left_on = span.left_on if span.status != ON_ROLL else None
    left_on = min(left_on, _year_end(year)) if left_on is not None else _year_end(year)
    return dues_rules.arrears(rules, paid, max(span.joined_on, date(year, 1, 1)), today, left_on=left_on,
                              policy=policy)


# ---------------------------------------------------------------- the year's record


@dataclass(frozen=True)
class AttendanceLine:
    kind: str  # a meeting kind, or 合计
    held: int
    attended: int

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.attended, self.held) if self.held else None

    @property
    def absent(self) -> int:
        return self.held - self.attended


@dataclass(frozen=True)
class Absence:
    meeting_id: int
    held_on: date
    kind: str
    org_name: str
    topic: str
    reason: str  # empty: not ticked, no reason given


@dataclass(frozen=True)
class PaidMonth:
    period: date
    amount_fen: int
    paid_on: date
    paid_at: str


@dataclass(frozen=True)
class DuesYear:
    policy: str
    bases: tuple[DuesBaseRow, ...]  # all the member's bases, oldest first
    schedule: Mapping[date, int]  # the year's months that are due → amount (dues_rules.year_schedule)
    payments: tuple[PaidMonth, ...]  # paid for a month of the year, by month
    arrears: Arrears  # the year's months over and unpaid today

    @property
    def due_fen(self) -> int:
        return sum(self.schedule.values())

    @property
    def paid_fen(self) -> int:
        return sum(p.amount_fen for p in self.payments)

    @property
    def months_paid(self) -> tuple[date, ...]:
        return tuple(p.period for p in self.payments)

    @property
    def months_in_arrears(self) -> int:
        return len(self.arrears.months)

    @property
    def no_base(self) -> bool:
        """No base recorded: nothing can be computed as due."""
        return not self.bases


@dataclass(frozen=True)
class YearRecord:
    """Everything the member's page and the printed annual file show of one year."""

    member_id: int
    name: str
    org_id: int
    org_name: str
    category: str
    joined_on: date
    status: str
    left_on: date | None
    year: int
    as_of: date  # attendance and arrears are counted up to this day (today, or 31 December of a past year)
    notes: Mapping[str, NoteRow]  # kind → note, in NOTE_KINDS order
    attendance: tuple[AttendanceLine, ...]  # per meeting kind held, in MEETING_KINDS order
    absences: tuple[Absence, ...]  # oldest first
    volunteer: tuple[VolunteerRow, ...]
    dual_reports: tuple[DualReportRow, ...]  # active at some point of the year
    dues: DuesYear
    rewards: tuple[RewardRow, ...]  # decided in the year
    has_last_quarter_summary: bool

    @property
    def left_in_year(self) -> bool:
        return self.status != ON_ROLL and self.left_on is not None and self.left_on.year == self.year

    @property
    def attendance_total(self) -> AttendanceLine:
        return AttendanceLine("合计", sum(a.held for a in self.attendance), sum(a.attended for a in self.attendance))

    @property
    def attendance_rate(self) -> Fraction | None:
        return self.attendance_total.rate

    @property
    def volunteer_hours_tenths(self) -> int:
        return sum(v.hours_tenths for v in self.volunteer)

    @property
    def secretary_comment(self) -> NoteRow | None:
        return self.notes.get(SECRETARY)

    @property
    def facts(self) -> Facts:
        return Facts(self.attendance_rate, self.volunteer_hours_tenths, self.dues.months_in_arrears,
                     self.has_last_quarter_summary)


@dataclass(frozen=True)
class Facts:
    """What the evaluation grid pre-fills from (see app.evaluation.BranchFacts)."""

    attendance_rate: Fraction | None
    volunteer_hours_tenths: int
    months_in_arrears: int
    has_last_quarter_summary: bool


def last_complete_quarter(today: date) -> tuple[int, int]:
    """(year, quarter 1–4) of the last quarter that is over on ``today``."""
    quarter = (today.month - 1) // 3  # the current quarter's number minus one
    return (today.year, quarter) if quarter else (today.year - 1, 4)


def _quarter_due(year: int, today: date) -> str | None:
    """The quarter summary of ``year`` the facts check: that of the year's last complete quarter."""
    if today > _year_end(year):
        return Q4
    if today.year < year:
        return None
    quarter = (today.month - 1) // 3
    return QUARTER_KINDS[quarter - 1] if quarter else None


def _has_summary(span: _Span, year: int, kind: str | None, written: bool) -> bool:
    if kind is None or written:
        return True
    first, last = _period_bounds(year, kind)
    return not span.overlaps(first, last)


def _window(year: int, today: date) -> tuple[date, date]:
    return date(year, 1, 1), min(_year_end(year), today)


def _parents(session: Session) -> dict[int, int | None]:
    return dict(session.execute(select(Organization.id, Organization.parent_id)).all())


def _chain(parents: Mapping[int, int | None], org_id: int) -> list[int]:
    chain: list[int] = []
    current: int | None = org_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def _held_for(span: _Span, chain: Iterable[int], by_org: Mapping[int, list[tuple[int, date]]],
              rows: Mapping[int, object]) -> set[int]:
    """The meetings held for a member (see the module's readings): all-member meetings of the chain while on
    the roll, and every meeting with the member on its list. Both inputs are already limited to the window."""
    held = {meeting_id for org in chain for meeting_id, day in by_org.get(org, ()) if span.on_roll(day)}
    held.update(rows)
    return held


def year_record(session: Session, member_id: int, year: int, *, today: date | None = None) -> YearRecord:
    """The member's record of ``year``; refused (ValidationError on ``year``) for a future year or a year
    in which the member was never on the roll."""
    today = today or date.today()
    member = load_member(session, member_id)
    errors = _year_errors(member, year, today)
    if errors:
        raise ValidationError(errors)
    span = _span(member)
    first, as_of = _window(year, today)
    org_name = session.scalar(select(Organization.name).where(Organization.id == member.org_id)) or ""

    note_rows = {n.kind: n for n in notes(session, member_id, year)}

    chain = _chain(_parents(session), member.org_id)
    columns = (Meeting.id, Meeting.org_id, Meeting.held_on, Meeting.kind, Meeting.topic, Organization.name)
    in_window = and_(Meeting.held_on >= first, Meeting.held_on <= as_of)
    meeting_info: dict[int, tuple] = {}
    by_org: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for row in session.execute(select(*columns).join(Organization, Organization.id == Meeting.org_id).where(
            in_window, Meeting.org_id.in_(chain), Meeting.kind.in_(ALL_MEMBER_KINDS))):
        meeting_info[row[0]] = row
        by_org[row[1]].append((row[0], row[2]))
    rows: dict[int, tuple[bool, str]] = {}
    for row in session.execute(
        select(*columns, MeetingAttendee.present, MeetingAttendee.absence_reason)
        .select_from(MeetingAttendee)
        .join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
        .join(Organization, Organization.id == Meeting.org_id)
        .where(MeetingAttendee.member_id == member_id, in_window)
    ):
        meeting_info[row[0]] = row[:6]
        rows[row[0]] = (bool(row[6]), row[7] or "")
    held = _held_for(span, chain, by_org, rows)
    counts: dict[str, list[int]] = {}
    absences = []
    for meeting_id in held:
        _id, _org, day, kind, topic, org = meeting_info[meeting_id]
        present, reason = rows.get(meeting_id, (False, ""))
        line = counts.setdefault(kind, [0, 0])
        line[0] += 1
        line[1] += present
        if not present:
            absences.append(Absence(meeting_id, day, kind, org, topic, reason))
    order = {kind: i for i, kind in enumerate(MEETING_KINDS)}
    attendance = tuple(AttendanceLine(kind, held_n, attended)
                       for kind, (held_n, attended) in sorted(counts.items(), key=lambda c: (order.get(c[0], 99), c[0])))
    absences.sort(key=lambda a: (a.held_on, a.meeting_id))

    bases = tuple(dues_bases(session, member_id))
    rules = [b.rule for b in bases]
    policy = dues_policy(session)
    left_on = member.left_on if member.status != ON_ROLL else None
    schedule = dues_rules.year_schedule(rules, year, member.joined_on, left_on, policy=policy)
    payments = tuple(PaidMonth(p, a, d, w) for p, a, d, w in session.execute(
        select(DuesPayment.period, DuesPayment.amount_fen, DuesPayment.paid_on, DuesPayment.paid_at)
        .where(DuesPayment.member_id == member_id, DuesPayment.period >= date(year, 1, 1),
               DuesPayment.period <= date(year, 12, 1))
        .order_by(DuesPayment.period)))
    owed = _year_arrears(rules, [p.period for p in payments], span, year, today, policy)

    quarter = _quarter_due(year, today)
    return YearRecord(
        member_id=member.id, name=member.name, org_id=member.org_id, org_name=org_name, category=member.category,
        joined_on=member.joined_on, status=member.status, left_on=member.left_on, year=year, as_of=as_of,
        notes=note_rows, attendance=attendance, absences=tuple(absences),
        volunteer=tuple(volunteer_services(session, member_id, year)),
        dual_reports=tuple(dual_reports(session, member_id, year)),
        dues=DuesYear(policy, bases, schedule, payments, owed),
        rewards=tuple(rewards(session, member_id, year)),
        has_last_quarter_summary=_has_summary(span, year, quarter, quarter in note_rows),
    )


def year_facts(session: Session, year: int, member_ids: Iterable[int], *,
               today: date | None = None) -> dict[int, Facts]:
    """Facts of ``year`` for many members at once, agreeing with ``year_record(...).facts``: a few grouped
    queries per 500 members (members, list rows, hours, bases, payments, notes) plus the year's meetings
    and the organisation tree once. Unknown ids are left out; a member not on the roll that year (for
    whom year_record refuses) gets empty facts: no rate, no hours, no arrears, nothing missing."""
    today = today or date.today()
    first, as_of = _window(year, today)
    parents = _parents(session)
    by_org: dict[int, list[tuple[int, date]]] = defaultdict(list)
    if first <= as_of:
        for meeting_id, org_id, day in session.execute(
            select(Meeting.id, Meeting.org_id, Meeting.held_on)
            .where(Meeting.held_on >= first, Meeting.held_on <= as_of, Meeting.kind.in_(ALL_MEMBER_KINDS))
        ):
            by_org[org_id].append((meeting_id, day))
    policy = dues_policy(session)
    quarter = _quarter_due(year, today)
    chains: dict[int, list[int]] = {}
    result: dict[int, Facts] = {}
    for chunk in _chunks(sorted(set(member_ids))):
        members = session.execute(select(Member.id, Member.org_id, Member.joined_on, Member.status, Member.left_on)
                                  .where(Member.id.in_(chunk))).all()
        rows: dict[int, dict[int, bool]] = defaultdict(dict)
        if first <= as_of:
            for member_id, meeting_id, present in session.execute(
                select(MeetingAttendee.member_id, MeetingAttendee.meeting_id, MeetingAttendee.present)
                .join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
                .where(MeetingAttendee.member_id.in_(chunk), Meeting.held_on >= first, Meeting.held_on <= as_of)
            ):
                rows[member_id][meeting_id] = bool(present)
        hours = dict(session.execute(
            select(VolunteerService.member_id, func.sum(VolunteerService.hours_tenths))
            .where(VolunteerService.member_id.in_(chunk), VolunteerService.served_on >= date(year, 1, 1),
                   VolunteerService.served_on <= _year_end(year))
            .group_by(VolunteerService.member_id)).all())
        rules: dict[int, list[DuesBase]] = defaultdict(list)
        for member_id, effective_from, category, base_fen, farmer_fen in session.execute(
            select(MemberDuesBase.member_id, MemberDuesBase.effective_from, MemberDuesBase.category,
                   MemberDuesBase.base_fen, MemberDuesBase.farmer_amount_fen)
            .where(MemberDuesBase.member_id.in_(chunk))
        ):
            rules[member_id].append(DuesBase(effective_from, category, base_fen, farmer_fen))
        paid: dict[int, list[date]] = defaultdict(list)
        if rules:
            for member_id, period in session.execute(
                select(DuesPayment.member_id, DuesPayment.period)
                .where(DuesPayment.member_id.in_(list(rules)), DuesPayment.period >= date(year, 1, 1),
                       DuesPayment.period <= date(year, 12, 1))
            ):
                paid[member_id].append(period)
        written: set[int] = set()
        if quarter is not None:
            written = set(session.scalars(select(AnnualNote.member_id).where(
                AnnualNote.member_id.in_(chunk), AnnualNote.year == year, AnnualNote.kind == quarter)))
        for member_id, org_id, joined_on, status, left_on in members:
            span = _Span(joined_on, status, left_on)
            chain = chains.get(org_id)
            if chain is None:
                chain = chains[org_id] = _chain(parents, org_id)
            own = rows.get(member_id, {})
            held = _held_for(span, chain, by_org, own)
            attended = sum(1 for present in own.values() if present)
            months = (len(_year_arrears(rules[member_id], paid.get(member_id, ()), span, year, today, policy).months)
                      if member_id in rules else 0)
            result[member_id] = Facts(
                attendance_rate=Fraction(attended, len(held)) if held else None,
                volunteer_hours_tenths=int(hours.get(member_id) or 0),
                months_in_arrears=months,
                has_last_quarter_summary=_has_summary(span, year, quarter, member_id in written),
            )
    return result


# ---------------------------------------------------------------- 工作台


@dataclass(frozen=True)
class MissingSummary:
    member_id: int
    name: str
    org_id: int
    org_name: str


def last_quarter_summary_missing(session: Session, today: date | None = None) -> list[MissingSummary]:
    """在册 members on the roll during the last complete quarter (joined by its last day) without its
    summary; in tree order, then by name (pinyin). The quarter: ``last_complete_quarter(today)``."""
    today = today or date.today()
    year, quarter = last_complete_quarter(today)
    kind = QUARTER_KINDS[quarter - 1]
    _first, last = _period_bounds(year, kind)
    written = exists().where(AnnualNote.member_id == Member.id, AnnualNote.year == year, AnnualNote.kind == kind)
    query = (select(Member.id, Member.name, Member.org_id, Organization.name)
             .join(Organization, Organization.id == Member.org_id)
             .where(Member.status == ON_ROLL, Member.joined_on <= last, ~written)
             .order_by(Organization.tree_rank, Member.name_sort, Member.id))
    return [MissingSummary(*row) for row in session.execute(query)]


__all__ = [
    "ALL_MEMBER_KINDS", "Absence", "AttendanceLine", "DualReportInput", "DualReportRow", "DuesBaseRow", "DuesYear",
    "Facts", "MissingSummary", "NOTE_KINDS", "NoteRow", "PaidMonth", "REWARD_KINDS", "RewardInput", "RewardRow",
    "VolunteerInput", "VolunteerRow", "YearRecord", "add_dual_report", "add_reward", "add_volunteer",
    "delete_dues_base", "delete_reward", "delete_volunteer", "dual_reports", "dues_bases", "dues_policy",
    "end_dual_report", "format_hours", "last_complete_quarter", "last_quarter_summary_missing", "notes",
    "parse_hours", "rewards", "save_note", "set_dues_base", "update_dual_report", "update_reward",
    "update_volunteer", "volunteer_services", "year_facts", "year_record",
]
