"""组织生活 (三会一课, 主题党日, 组织生活会 …): recording a meeting with who attended, and reading them back.

Who may be on a meeting's list is decided by the meeting day, not by today:

- a ledger member who was on the roll that day — 在册, or left (转出/出党/死亡) on or after the day —
  and had joined the party by then;
- an inflow member (流入党员) present here that day: ``arrived_on <= day`` and ``left_on`` empty or on or
  after the day.

``record_meeting`` and ``update_meeting`` take the people who were there (``present`` true) and, for ledger
members, the absences: member id → reason (``present`` false). A reason is free text of at most
ABSENCE_REASON_LIMIT characters, usually one of ABSENCE_REASONS; an empty reason is an absence with no
reason given (未说明原因) — the evidence 党章 第九条 (six months without 组织生活 "without good reason")
needs. Absent people must be eligible on the day exactly as present ones, and nobody is both.

- ``absences=None`` (a caller that only knows who was there) keeps the meeting's stored absences, except
  of people now present; a mapping replaces them (an empty one removes them all).
- Inflow members' absences are not recorded: they owe 组织生活 to their home organisation, and their
  list rows count as activity here (app.floating_inflow).
- Who was expected is not decided here: the 组织生活登记 dialog lists every unticked member as absent for
  meetings of all members (app.evaluation_records.ALL_MEMBER_KINDS) and only those with a reason for the
  others (a 支部委员会 is not every member's meeting).

``last_attended`` and the head counts ignore absences.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from app import audit, orgs
from app.changes import MEETINGS, Changes
from app.errors import NotFoundError, ValidationError
from app.settings import get_value
from db.models import InflowMember, Meeting, MeetingAttendee, Member, Organization

MEETING_KINDS = ("支部党员大会", "支部委员会", "党小组会", "党课", "主题党日", "组织生活会", "流动党员之家活动", "其他")
MEMBER = "member"
INFLOW = "inflow"
TOPIC_LIMIT = 200
PLACE_LIMIT = 100
NOTE_LIMIT = 2000
MADE_BY_LIMIT = 64
# The usual reasons for missing 组织生活, offered in the dialog; any other text may be typed.
ABSENCE_REASONS = ("病假", "事假", "因公外出", "外出务工（流动）", "其他")
ABSENCE_REASON_LIMIT = 100  # meeting_attendees.absence_reason is String(100)
NO_REASON = "未说明原因"  # how an empty reason reads
_IN_CHUNK = 500  # ids per IN (...) list, well below SQLite's variable limit
_NAMES_SHOWN = 5


@dataclass(frozen=True)
class MeetingInput:
    """What the 组织生活登记 form edits (the people are passed beside it)."""

    org_id: int | None
    held_on: date | None
    kind: str
    topic: str
    place: str = ""
    note: str = ""
    made_by: str = ""  # empty: the operator in 设置


INPUT_FIELDS = tuple(f.name for f in fields(MeetingInput))


@dataclass(frozen=True)
class Candidate:
    """Someone who may be ticked as present: a ledger member or an inflow member."""

    kind: str  # MEMBER or INFLOW
    id: int
    name: str
    org_id: int
    org_name: str


@dataclass(frozen=True)
class MeetingRow:
    id: int
    held_on: date
    kind: str
    org_id: int
    org_name: str
    topic: str
    present: int  # people there (ledger and inflow members)


# ---------------------------------------------------------------- helpers


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start:start + _IN_CHUNK]


def _unique(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def _named(names: list[str]) -> str:
    shown = "、".join(f"“{n}”" for n in names[:_NAMES_SHOWN])
    return shown + (f"等 {len(names)} 人" if len(names) > _NAMES_SHOWN else "")


def _meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFoundError(f"找不到编号为 {meeting_id} 的组织生活记录，可能已被他人删除。")
    return meeting


# ---------------------------------------------------------------- validation


def _meeting_errors(session: Session, data: MeetingInput, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    org = session.get(Organization, data.org_id) if data.org_id is not None else None
    if data.org_id is None:
        errors["org_id"] = "请选择党组织。"
    elif org is None:
        errors["org_id"] = "所选党组织不存在。"
    day = data.held_on
    if day is None:
        errors["held_on"] = "请填写会议日期。"
    elif day > today:
        errors["held_on"] = "会议日期不能晚于今天。"
    elif org is not None and org.founded_on is not None and day < org.founded_on:
        errors["held_on"] = f"会议日期不能早于“{org.name}”的成立日期（{org.founded_on:%Y-%m-%d}）。"
    elif org is not None and org.dissolved_on is not None and day >= org.dissolved_on:
        errors["org_id"] = f"“{org.name}”已于 {org.dissolved_on:%Y-%m-%d} 撤销，不能登记此后的组织生活。"
    if data.kind not in MEETING_KINDS:
        errors["kind"] = f"请选择会议类型（{'、'.join(MEETING_KINDS)}）。"
    if not data.topic:
        errors["topic"] = "请填写会议主题。"
    elif len(data.topic) > TOPIC_LIMIT:
        errors["topic"] = f"会议主题不能超过 {TOPIC_LIMIT} 个字。"
    for name, label, limit in (("place", "会议地点", PLACE_LIMIT), ("note", "备注", NOTE_LIMIT),
                               ("made_by", "记录人", MADE_BY_LIMIT)):
        if len(getattr(data, name)) > limit:
            errors[name] = f"{label}不能超过 {limit} 个字。"
    return errors


def _member_errors(session: Session, member_ids: list[int], day: date | None, *, absent: bool = False) -> list[str]:
    """Why some of these ledger members cannot be on the meeting's list (as present, or with ``absent``
    as absent) on ``day``; the same rules either way."""
    what = "缺席" if absent else "参加"
    problems: dict[str, list[str]] = {}
    found: set[int] = set()
    for chunk in _chunks(member_ids):
        for member_id, name, status, left_on, joined_on in session.execute(
            select(Member.id, Member.name, Member.status, Member.left_on, Member.joined_on)
            .where(Member.id.in_(chunk))
        ):
            found.add(member_id)
            if day is None:
                continue
            if status != "在册" and (left_on is None or left_on < day):
                when = f"已于 {left_on:%Y-%m-%d} {status}" if left_on else f"已{status}"
                problems.setdefault(f"{when}，不能登记{what} {day:%Y-%m-%d} 的组织生活", []).append(name)
            elif joined_on > day:
                problems.setdefault(f"入党日期（{joined_on:%Y-%m-%d}）晚于会议日期", []).append(name)
    messages = [f"{_named(names)}{why}" for why, names in problems.items()]
    if missing := [i for i in member_ids if i not in found]:
        messages.append(f"找不到编号为 {'、'.join(map(str, missing[:_NAMES_SHOWN]))} 的党员")
    return messages


def _inflow_errors(session: Session, inflow_ids: list[int], day: date | None) -> list[str]:
    problems: dict[str, list[str]] = {}
    found: set[int] = set()
    for chunk in _chunks(inflow_ids):
        for inflow_id, name, arrived_on, left_on in session.execute(
            select(InflowMember.id, InflowMember.name, InflowMember.arrived_on, InflowMember.left_on)
            .where(InflowMember.id.in_(chunk))
        ):
            found.add(inflow_id)
            if day is None:
                continue
            if arrived_on > day:
                problems.setdefault(f"于 {arrived_on:%Y-%m-%d} 流入本社区，会议时尚未到来", []).append(name)
            elif left_on is not None and left_on < day:
                problems.setdefault(f"已于 {left_on:%Y-%m-%d} 离开本社区", []).append(name)
    messages = [f"流入党员{_named(names)}{why}" for why, names in problems.items()]
    if missing := [i for i in inflow_ids if i not in found]:
        messages.append(f"找不到编号为 {'、'.join(map(str, missing[:_NAMES_SHOWN]))} 的流入党员")
    return messages


def _clean_absences(absences: Mapping[int, str] | None) -> dict[int, str] | None:
    """Ids as ints, reasons trimmed (None and whitespace: no reason given)."""
    if absences is None:
        return None
    return {int(member_id): (reason or "").strip() for member_id, reason in absences.items()}


def _absence_errors(session: Session, member_ids: list[int], absences: dict[int, str], day: date | None) -> list[str]:
    messages: list[str] = []
    present = set(member_ids)
    both = [i for i in absences if i in present]
    too_long = [i for i, reason in absences.items() if len(reason) > ABSENCE_REASON_LIMIT]
    if both or too_long:
        names: dict[int, str] = {}
        for chunk in _chunks(both + too_long):
            names.update(session.execute(select(Member.id, Member.name).where(Member.id.in_(chunk))).all())
        if both:
            messages.append(f"{_named([names.get(i, str(i)) for i in both])}不能既登记出席又登记缺席")
        if too_long:
            messages.append(f"{_named([names.get(i, str(i)) for i in too_long])}的缺席原因超过 "
                            f"{ABSENCE_REASON_LIMIT} 个字")
    return messages + _member_errors(session, [i for i in absences if i not in both], day, absent=True)


def validate_meeting(
    session: Session, data: MeetingInput, member_ids: Iterable[int], inflow_ids: Iterable[int], *,
    absences: Mapping[int, str] | None = None, today: date | None = None,
) -> tuple[dict[str, str], MeetingInput]:
    """Every problem by field (Chinese; the people present under ``attendees``, the absent under
    ``absences``), and the input with its text trimmed."""
    today = today or date.today()
    data = replace(data, **{n: getattr(data, n).strip() for n in INPUT_FIELDS if isinstance(getattr(data, n), str)})
    errors = _meeting_errors(session, data, today)
    member_ids, inflow_ids = _unique(member_ids), _unique(inflow_ids)
    if not member_ids and not inflow_ids:
        errors["attendees"] = "请至少选择一名参会人员。"
    else:
        messages = _member_errors(session, member_ids, data.held_on) + _inflow_errors(session, inflow_ids,
                                                                                      data.held_on)
        if messages:
            errors["attendees"] = "；".join(messages) + "。"
    absent = _clean_absences(absences)
    if absent:
        messages = _absence_errors(session, member_ids, absent, data.held_on)
        if messages:
            errors["absences"] = "；".join(messages) + "。"
    return errors, data


def _checked(session: Session, data: MeetingInput, member_ids: Iterable[int], inflow_ids: Iterable[int],
             absences: Mapping[int, str] | None, today: date | None) -> MeetingInput:
    errors, clean = validate_meeting(session, data, member_ids, inflow_ids, absences=absences, today=today)
    if errors:
        raise ValidationError(errors)
    return clean


# ---------------------------------------------------------------- writing


def _set_attendees(session: Session, meeting_id: int, member_ids: list[int], inflow_ids: list[int],
                   absences: dict[int, str] | None) -> None:
    """The present people become exactly these; the absent ledger members exactly ``absences``, or, with
    None, the stored absences stay (but for people now present). Rows are changed in place."""
    rows = list(session.scalars(select(MeetingAttendee).where(MeetingAttendee.meeting_id == meeting_id)))
    wanted_members, wanted_inflow = set(member_ids), set(inflow_ids)
    for row in rows:
        wanted = row.member_id in wanted_members if row.member_id is not None else row.inflow_id in wanted_inflow
        if wanted:
            row.present, row.absence_reason = True, ""
        elif absences is not None and row.member_id in absences:
            row.present, row.absence_reason = False, absences[row.member_id]
        elif row.present or (absences is not None and row.member_id is not None):
            session.delete(row)
    have_members = {r.member_id for r in rows if r.member_id is not None}
    have_inflow = {r.inflow_id for r in rows if r.inflow_id is not None}
    session.add_all(MeetingAttendee(meeting_id=meeting_id, member_id=i, present=True, absence_reason="")
                    for i in member_ids if i not in have_members)
    session.add_all(MeetingAttendee(meeting_id=meeting_id, inflow_id=i, present=True, absence_reason="")
                    for i in inflow_ids if i not in have_inflow)
    session.add_all(MeetingAttendee(meeting_id=meeting_id, member_id=i, present=False, absence_reason=reason)
                    for i, reason in (absences or {}).items() if i not in have_members)
    session.flush()


def _head_counts(session: Session, meeting_id: int) -> tuple[int, int]:
    """(present, absent) on a meeting's list as stored."""
    present = absent = 0
    for is_present, count in session.execute(
        select(MeetingAttendee.present, func.count()).where(MeetingAttendee.meeting_id == meeting_id)
        .group_by(MeetingAttendee.present)
    ):
        if is_present:
            present = count
        else:
            absent = count
    return present, absent


def _detail(session: Session, meeting: Meeting, present: int, absent: int = 0) -> str:
    org = session.get(Organization, meeting.org_id)
    return (f"{meeting.held_on:%Y-%m-%d} {org.name if org else ''} {meeting.kind}《{meeting.topic}》，"
            f"到会 {present} 人" + (f"，缺席 {absent} 人" if absent else ""))


def record_meeting(
    session: Session, data: MeetingInput, member_ids: Iterable[int], inflow_ids: Iterable[int] = (), *,
    absences: Mapping[int, str] | None = None, today: date | None = None,
) -> tuple[int, Changes]:
    """组织生活登记: the meeting, the people who were there and the ledger members absent (id → reason,
    empty: no reason given); ``made_by`` defaults to the operator."""
    member_ids, inflow_ids = _unique(member_ids), _unique(inflow_ids)
    absent = _clean_absences(absences)
    clean = _checked(session, data, member_ids, inflow_ids, absent, today)
    made_by = clean.made_by or get_value(session, "operator_name").strip()[:MADE_BY_LIMIT]
    meeting = Meeting(org_id=clean.org_id, held_on=clean.held_on, kind=clean.kind, topic=clean.topic,
                      place=clean.place, note=clean.note, made_by=made_by)
    session.add(meeting)
    session.flush()
    _set_attendees(session, meeting.id, member_ids, inflow_ids, absent or {})
    audit.log(session, "meetings", meeting.id, "登记组织生活", _detail(session, meeting, *_head_counts(session, meeting.id)))
    return meeting.id, MEETINGS


def update_meeting(
    session: Session, meeting_id: int, data: MeetingInput, member_ids: Iterable[int], inflow_ids: Iterable[int] = (),
    *, absences: Mapping[int, str] | None = None, today: date | None = None,
) -> Changes:
    """Edit a meeting and its list with the same rules; an empty ``made_by`` keeps the stored one, and
    ``absences=None`` keeps the stored absences (see the module's notes)."""
    meeting = _meeting(session, meeting_id)
    member_ids, inflow_ids = _unique(member_ids), _unique(inflow_ids)
    absent = _clean_absences(absences)
    clean = _checked(session, data, member_ids, inflow_ids, absent, today)
    for name in INPUT_FIELDS:
        if name != "made_by" or clean.made_by:
            setattr(meeting, name, getattr(clean, name))
    _set_attendees(session, meeting_id, member_ids, inflow_ids, absent)
    audit.log(session, "meetings", meeting_id, "修改组织生活", _detail(session, meeting, *_head_counts(session, meeting_id)))
    return MEETINGS


def delete_meeting(session: Session, meeting_id: int) -> Changes:
    """Delete a meeting entered by mistake, with its list (the change log keeps what it was)."""
    meeting = _meeting(session, meeting_id)
    audit.log(session, "meetings", meeting_id, "删除组织生活", _detail(session, meeting, *_head_counts(session, meeting_id)))
    session.execute(delete(MeetingAttendee).where(MeetingAttendee.meeting_id == meeting_id))
    session.delete(meeting)
    session.flush()
    return MEETINGS


# ---------------------------------------------------------------- reading


def candidates(
    session: Session, org_id: int, on: date, *, extra_member_ids: Iterable[int] = (),
    extra_inflow_ids: Iterable[int] = (),
) -> list[Candidate]:
    """Who may be ticked for a meeting of ``org_id`` on ``on``: the ledger members of the organisation and
    everything under it who were on the roll that day, and the inflow members hosted there and present
    that day; in tree order, then by name (pinyin).

    ``extra_…_ids`` add people outside that list (those already on a meeting being edited, who may have
    moved to another organisation since), whatever their status.
    """
    subtree = orgs.descendants(orgs.list_tree(session, include_dissolved=True), org_id) | {org_id}
    extra_members, extra_inflow = set(extra_member_ids), set(extra_inflow_ids)
    on_roll = and_(
        Member.org_id.in_(subtree), Member.joined_on <= on,
        or_(Member.status == "在册", Member.left_on >= on),
    )
    here = and_(
        InflowMember.host_org_id.in_(subtree), InflowMember.arrived_on <= on,
        or_(InflowMember.left_on.is_(None), InflowMember.left_on >= on),
    )
    rows: list[tuple[int, str, int, Candidate]] = []
    for condition, extra, model, kind in ((on_roll, extra_members, Member, MEMBER),
                                          (here, extra_inflow, InflowMember, INFLOW)):
        org_column = Member.org_id if model is Member else InflowMember.host_org_id
        where = or_(condition, model.id.in_(extra)) if extra else condition
        query = (select(model.id, model.name, model.name_sort, Organization.id, Organization.name,
                        Organization.tree_rank)
                 .join(Organization, Organization.id == org_column).where(where))
        for person_id, name, name_sort, row_org_id, org_name, rank in session.execute(query):
            rows.append((rank, name_sort, person_id, Candidate(kind, person_id, name, row_org_id, org_name)))
    rows.sort(key=lambda r: (r[0], r[1], r[3].kind, r[2]))
    return [row[3] for row in rows]


def list_meetings(
    session: Session, *, org_id: int | None = None, year: int | None = None, subtree: bool = True
) -> list[MeetingRow]:
    """Meetings newest first, of one organisation (and, with ``subtree``, everything under it) and year."""
    present = (select(MeetingAttendee.meeting_id, func.count().label("n"))
               .where(MeetingAttendee.present.is_(True)).group_by(MeetingAttendee.meeting_id).subquery())
    query = (
        select(Meeting.id, Meeting.held_on, Meeting.kind, Meeting.org_id, Organization.name, Meeting.topic,
               func.coalesce(present.c.n, 0))
        .join(Organization, Organization.id == Meeting.org_id)
        .outerjoin(present, present.c.meeting_id == Meeting.id)
    )
    if org_id is not None:
        if subtree:
            ids = orgs.descendants(orgs.list_tree(session, include_dissolved=True), org_id) | {org_id}
            query = query.where(Meeting.org_id.in_(ids))
        else:
            query = query.where(Meeting.org_id == org_id)
    if year is not None:
        query = query.where(Meeting.held_on >= date(year, 1, 1), Meeting.held_on <= date(year, 12, 31))
    query = query.order_by(Meeting.held_on.desc(), Meeting.id.desc())
    return [MeetingRow(*row) for row in session.execute(query)]


def load_meeting(session: Session, meeting_id: int) -> tuple[MeetingInput, list[int], list[int]]:
    """A stored meeting for the form: its fields and the present people (ledger ids, inflow ids)."""
    meeting = _meeting(session, meeting_id)
    data = MeetingInput(**{n: getattr(meeting, n) for n in INPUT_FIELDS})
    member_ids: list[int] = []
    inflow_ids: list[int] = []
    for member_id, inflow_id in session.execute(
        select(MeetingAttendee.member_id, MeetingAttendee.inflow_id)
        .where(MeetingAttendee.meeting_id == meeting_id, MeetingAttendee.present.is_(True))
        .order_by(MeetingAttendee.id)
    ):
        if member_id is not None:
            member_ids.append(member_id)
        else:
            inflow_ids.append(inflow_id)
    return data, member_ids, inflow_ids


def meeting_absences(session: Session, meeting_id: int) -> dict[int, str]:
    """A stored meeting's absent ledger members for the form: member id → reason (empty: none given), in
    the order they were written. (``load_meeting`` keeps its shape: the fields and the present people.)"""
    _meeting(session, meeting_id)
    return dict(session.execute(
        select(MeetingAttendee.member_id, MeetingAttendee.absence_reason)
        .where(MeetingAttendee.meeting_id == meeting_id, MeetingAttendee.present.is_(False),
               MeetingAttendee.member_id.is_not(None))
        .order_by(MeetingAttendee.id)
    ).all())


def _last_attended_query(member_ids: Sequence[int], today: date):
    return (
        select(MeetingAttendee.member_id, func.max(Meeting.held_on))
        .join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
        .where(MeetingAttendee.member_id.in_(member_ids), MeetingAttendee.present.is_(True), Meeting.held_on <= today)
        .group_by(MeetingAttendee.member_id)
    )


def last_attended(session: Session, member_ids: Iterable[int], today: date) -> dict[int, date]:
    """Each member's latest 组织生活 attended (present) held on or before ``today``; members with none
    are left out. One grouped query per 500 members, reading ix_meeting_attendees_member
    (member_id, present, meeting_id) and the meetings' primary key."""
    result: dict[int, date] = {}
    for chunk in _chunks(sorted(set(member_ids))):
        result.update(dict(session.execute(_last_attended_query(chunk, today)).all()))
    return result
