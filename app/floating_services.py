"""流动党员之家: the home's services (就业推荐、技能培训、法律援助、生活救助 …) and one person's timeline.

A service goes to exactly one person: a ledger member (a floating member, or any member 在册 on that
day) or an inflow member who was here on that day. The timeline merges what the records say about
one person, newest first, for the member card.

The change log: a ledger member's services under area ``floating`` with the member's id, an inflow
member's under ``inflow`` with theirs (the two are separate numberings).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit, floating, members
from app.changes import FLOATING, Changes
from app.errors import NotFoundError, ValidationError
from app.floating_inflow import get_inflow
from app.members import MemberFilter, load_member
from app.settings import get_value
from db.models import (
    ContactLog,
    DuesPayment,
    FloatingRecord,
    HomeService,
    InflowMember,
    LostContactEvent,
    Meeting,
    MeetingAttendee,
    Member,
    Organization,
)

SERVICE_KINDS = ("就业推荐", "技能培训", "法律援助", "生活救助", "其他服务")
MEMBER = "member"  # a person's kind, as the UI's card_requested(kind, id) passes it
INFLOW = "inflow"
PERSON_TYPES = {MEMBER: "党员", INFLOW: "流入党员"}
CONTENT_LIMIT = 1000
_TEXT_LIMITS = (("content", "服务内容", CONTENT_LIMIT), ("provider", "提供单位或个人", 100), ("result", "服务结果", 200))

# Timeline kinds (the card colours them).
ARRIVED = "来到"
LEFT = "离开"
OUT = "外出"
BACK = "返回"
CONTACT = "联系"
SERVICE = "服务"
MEETING = "组织生活"
DUES = "党费"
LOST = "失联处置"
TIMELINE_KINDS = (OUT, BACK, CONTACT, SERVICE, MEETING, DUES, LOST, ARRIVED, LEFT)
# Within one day the story runs arrive/leave → the rest → return/depart (newest first reverses it).
_DAY_ORDER = {ARRIVED: 0, OUT: 0, BACK: 2, LEFT: 2}


@dataclass(frozen=True)
class ServiceInput:
    kind: str  # one of SERVICE_KINDS
    served_on: date | None
    content: str
    provider: str = ""  # 提供单位或个人
    result: str = ""


@dataclass(frozen=True)
class ServiceRow:
    id: int
    served_on: date
    kind: str
    person_name: str
    person_type: str  # 党员 / 流入党员
    content: str
    provider: str
    result: str
    member_id: int | None
    inflow_id: int | None
    made_by: str = ""

    @property
    def person(self) -> tuple[str, int]:
        """(MEMBER or INFLOW, id): what the card needs."""
        return (MEMBER, self.member_id) if self.member_id is not None else (INFLOW, self.inflow_id or 0)


@dataclass(frozen=True)
class Person:
    """Someone a service can go to, as the picker lists them."""

    member_id: int | None
    inflow_id: int | None
    name: str
    detail: str = ""  # 流动党员 · 组织 / 党员 · 组织 / 流入党员 · 联系党组织

    @property
    def kind(self) -> str:
        return MEMBER if self.member_id is not None else INFLOW

    @property
    def person_id(self) -> int:
        return self.member_id if self.member_id is not None else (self.inflow_id or 0)

    @property
    def label(self) -> str:
        return f"{self.name}　{self.detail}" if self.detail else self.name


@dataclass(frozen=True)
class TimelineEntry:
    day: date
    kind: str  # one of TIMELINE_KINDS
    title: str
    detail: str = ""
    alert: bool = False  # a failed contact, 失联, 停止党籍: shown in red


@dataclass(frozen=True)
class PersonCard:
    """The member card's header."""

    kind: str  # MEMBER / INFLOW
    person_id: int
    name: str
    person_type: str  # 党员 / 流入党员
    organisation: str  # a member's organisation path; an inflow member's host organisation
    lines: tuple[str, ...]  # the current floating period, or the inflow details
    status: str


# ---------------------------------------------------------------- people


def _one_person(member_id: int | None, inflow_id: int | None) -> None:
    if (member_id is None) == (inflow_id is None):
        raise ValidationError("请选择一名服务对象（党员或流入党员）。", "person")



def _inflow(session: Session, inflow_id: int) -> InflowMember:
    row = session.get(InflowMember, inflow_id)
    if row is None:
        raise NotFoundError(f"找不到编号为 {inflow_id} 的流入党员。")
    return row


def _org_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Organization.id, Organization.name)).all())


def person_of(session: Session, *, member_id: int | None = None, inflow_id: int | None = None) -> Person:
    """One person for a preset picker."""
    _one_person(member_id, inflow_id)
    names = _org_names(session)
    if member_id is not None:
        member = load_member(session, member_id)
        return Person(member_id, None, member.name, _member_detail(member.floating, names.get(member.org_id, ""),
                                                                   member.status))
    row = _inflow(session, inflow_id or 0)
    return Person(None, row.id, row.name, _inflow_detail(names.get(row.host_org_id or 0, ""), row.left_on))


def _member_detail(is_floating: bool, org_name: str, status: str = "在册") -> str:
    kind = "流动党员" if is_floating else "党员"
    return " · ".join(p for p in (kind, org_name, "" if status == "在册" else f"已{status}") if p)


def _inflow_detail(host_name: str, left_on: date | None) -> str:
    return " · ".join(p for p in ("流入党员", host_name, f"已于 {left_on:%Y-%m-%d} 离开" if left_on else "") if p)


def _inflow_matches(text: str) -> Callable[[str, str, str, str], bool]:
    """A test of (name, name_sort, mobile, id_number) against what the user typed: name part, pinyin
    initials or full pinyin prefix, phone prefix, ID tail. Inflow members are few: Python will do."""
    compact = re.sub(r"\s+", "", text).lower()
    if not compact:
        return lambda *_: True
    if re.fullmatch(r"[0-9]+x?", compact):
        return lambda _n, _s, mobile, number: mobile.startswith(compact) or number.lower().endswith(compact)
    if re.fullmatch(r"[a-z]+", compact):
        def pinyin(_n: str, name_sort: str, _m: str, _i: str) -> bool:
            syllables = name_sort.split()
            return "".join(s[:1] for s in syllables).startswith(compact) or "".join(syllables).startswith(compact)
        return pinyin
    return lambda name, *_: compact in name.lower()


def find_people(session: Session, text: str = "", *, limit: int = 200) -> list[Person]:
    """Whom a service can go to, matching ``text``: floating members first, then inflow members still
    here, then every other 在册 member (at most ``limit`` in all)."""
    names = _org_names(session)
    found: list[Person] = []
    away = members.ordered_ids(session, MemberFilter(identity="流动党员", text=text), sort="name")[:limit]
    rows = members.rows(session, away)
    name_at, org_at = members.LEDGER_COLUMNS.index("name"), members.LEDGER_COLUMNS.index("org_id")
    found += [Person(i, None, rows[i][name_at], _member_detail(True, names.get(rows[i][org_at], "")))
              for i in away if i in rows]
    matches = _inflow_matches(text)
    for inflow_id, name, name_sort, mobile, number, host_id in session.execute(
        select(InflowMember.id, InflowMember.name, InflowMember.name_sort, InflowMember.mobile,
               InflowMember.id_number, InflowMember.host_org_id)
        .where(InflowMember.left_on.is_(None)).order_by(InflowMember.name_sort, InflowMember.id)
    ):
        if len(found) >= limit:
            break
        if matches(name, name_sort, mobile, number):
            found.append(Person(None, inflow_id, name, _inflow_detail(names.get(host_id or 0, ""), None)))
    if len(found) < limit:
        taken = set(away)
        others = [i for i in members.ordered_ids(session, MemberFilter(text=text), sort="name")[:limit + len(taken)]
                  if i not in taken][:limit - len(found)]
        rows = members.rows(session, others)
        found += [Person(i, None, rows[i][name_at], _member_detail(False, names.get(rows[i][org_at], "")))
                  for i in others if i in rows]
    return found[:limit]


# ---------------------------------------------------------------- services


def _service(session: Session, service_id: int) -> HomeService:
    row = session.get(HomeService, service_id)
    if row is None:
        raise NotFoundError(f"找不到编号为 {service_id} 的服务记录。")
    return row


def _person_errors(session: Session, member_id: int | None, inflow_id: int | None,
                   served_on: date | None) -> dict[str, str]:
    """A ledger member must be 在册 on the day (a member who left since keeps the services given before);
    an inflow member must have been here on the day."""
    if member_id is not None:
        member = load_member(session, member_id)
        if member.status != "在册" and (served_on is None or member.left_on is None or served_on > member.left_on):
            when = f"于 {member.left_on:%Y-%m-%d} " if member.left_on else ""
            return {"person": f"“{member.name}”已{when}{member.status}，不在册，不能登记此后的服务。"}
        return {}
    row = _inflow(session, inflow_id or 0)
    if served_on is None:
        return {}
    if served_on < row.arrived_on:
        return {"served_on": f"服务日期早于“{row.name}”来到本社区的日期（{row.arrived_on:%Y-%m-%d}）。"}
    if row.left_on is not None and served_on > row.left_on:
        return {"person": f"“{row.name}”已于 {row.left_on:%Y-%m-%d} 离开本社区，不能登记此后的服务。"}
    return {}


def validate_service(
    session: Session, *, member_id: int | None = None, inflow_id: int | None = None, data: ServiceInput,
    today: date | None = None,
) -> tuple[dict[str, str], ServiceInput]:
    """Every problem of ``data`` for that person by field (Chinese; ``person`` for the person), and the
    input with its text trimmed."""
    today = today or date.today()
    data = replace(data, content=data.content.strip(), provider=data.provider.strip(), result=data.result.strip())
    errors: dict[str, str] = {}
    if (member_id is None) == (inflow_id is None):
        errors["person"] = "请选择一名服务对象（党员或流入党员）。"
    if data.kind not in SERVICE_KINDS:
        errors["kind"] = f"请选择服务类别（{'、'.join(SERVICE_KINDS)}）。"
    if data.served_on is None:
        errors["served_on"] = "请填写服务日期。"
    elif data.served_on > today:
        errors["served_on"] = "服务日期不能晚于今天。"
    if not data.content:
        errors["content"] = "请填写服务内容。"
    for name, label, limit in _TEXT_LIMITS:
        if len(getattr(data, name)) > limit:
            errors[name] = f"{label}不能超过 {limit} 个字。"
    if "person" not in errors:
        for name, message in _person_errors(session, member_id, inflow_id, data.served_on).items():
            errors.setdefault(name, message)
    return errors, data


def _audit(session: Session, row: HomeService, action: str) -> None:
    area, entity = ("floating", row.member_id) if row.member_id is not None else ("inflow", row.inflow_id)
    audit.log(session, area, entity, action, f"{row.served_on:%Y-%m-%d} {row.kind}：{row.content[:60]}")


def add_service(
    session: Session, *, member_id: int | None = None, inflow_id: int | None = None, data: ServiceInput,
    today: date | None = None,
) -> tuple[int, Changes]:
    """A service given to one person; ``made_by`` is the operator in 设置."""
    errors, clean = validate_service(session, member_id=member_id, inflow_id=inflow_id, data=data, today=today)
    if errors:
        raise ValidationError(errors)
    row = HomeService(member_id=member_id, inflow_id=inflow_id, kind=clean.kind, served_on=clean.served_on,
                      content=clean.content, provider=clean.provider, result=clean.result,
                      made_by=get_value(session, "operator_name").strip()[:64])
    session.add(row)
    session.flush()
    _audit(session, row, "之家服务")
    return row.id, FLOATING


def update_service(session: Session, service_id: int, data: ServiceInput, *, today: date | None = None) -> Changes:
    """Edit a service (the person stays the same) with the same rules."""
    row = _service(session, service_id)
    errors, clean = validate_service(session, member_id=row.member_id, inflow_id=row.inflow_id, data=data,
                                     today=today)
    if errors:
        raise ValidationError(errors)
    old = (row.kind, row.served_on, row.content, row.provider, row.result)
    row.kind, row.served_on, row.content = clean.kind, clean.served_on, clean.content
    row.provider, row.result = clean.provider, clean.result
    if old != (row.kind, row.served_on, row.content, row.provider, row.result):
        _audit(session, row, "修改之家服务")
    return FLOATING


def delete_service(session: Session, service_id: int) -> Changes:
    """A service entered by mistake; the change log keeps what it said."""
    row = _service(session, service_id)
    _audit(session, row, "删除之家服务")
    session.delete(row)
    return FLOATING


def load_service(session: Session, service_id: int) -> tuple[Person, ServiceInput]:
    """A stored service for the form: (its person, its editable fields)."""
    row = _service(session, service_id)
    person = person_of(session, member_id=row.member_id, inflow_id=row.inflow_id)
    return person, ServiceInput(row.kind, row.served_on, row.content, row.provider, row.result)


def list_services(
    session: Session, *, year: int | None = None, kind: str | None = None, member_id: int | None = None,
    inflow_id: int | None = None,
) -> list[ServiceRow]:
    """Services, newest first; optionally of one year, one kind, one person."""
    query = (
        select(HomeService.id, HomeService.served_on, HomeService.kind, Member.name, InflowMember.name,
               HomeService.content, HomeService.provider, HomeService.result, HomeService.member_id,
               HomeService.inflow_id, HomeService.made_by)
        .outerjoin(Member, Member.id == HomeService.member_id)
        .outerjoin(InflowMember, InflowMember.id == HomeService.inflow_id)
    )
    if year is not None:
        query = query.where(HomeService.served_on >= date(year, 1, 1), HomeService.served_on < date(year + 1, 1, 1))
    if kind:
        query = query.where(HomeService.kind == kind)
    if member_id is not None:
        query = query.where(HomeService.member_id == member_id)
    if inflow_id is not None:
        query = query.where(HomeService.inflow_id == inflow_id)
    query = query.order_by(HomeService.served_on.desc(), HomeService.id.desc())
    return [
        ServiceRow(sid, served_on, kind_, member_name or inflow_name or "",
                   PERSON_TYPES[MEMBER] if mid is not None else PERSON_TYPES[INFLOW], content, provider, result,
                   mid, iid, made_by)
        for sid, served_on, kind_, member_name, inflow_name, content, provider, result, mid, iid, made_by
        in session.execute(query)
    ]


def service_years(session: Session, today: date | None = None) -> list[int]:
    """The years that have services, and the current one, newest first (the year filter's choices)."""
    today = today or date.today()
    days = session.execute(select(func.min(HomeService.served_on), func.max(HomeService.served_on))).one()
    first = days[0].year if days[0] else today.year
    last = max(days[1].year if days[1] else today.year, today.year)
    return list(range(last, min(first, today.year) - 1, -1))


# ---------------------------------------------------------------- timeline


def _joined(*parts: str, sep: str = "，") -> str:
    return sep.join(p for p in parts if p)


def _service_entries(session: Session, condition) -> list[TimelineEntry]:
    return [
        TimelineEntry(r.served_on, SERVICE, f"{r.kind}",
                      _joined(r.content, f"提供：{r.provider}" if r.provider else "",
                              f"结果：{r.result}" if r.result else ""))
        for r in session.scalars(select(HomeService).where(condition).order_by(HomeService.id))
    ]


def _meeting_entries(session: Session, condition) -> list[TimelineEntry]:
    query = (
        select(Meeting.held_on, Meeting.kind, Meeting.topic, Meeting.place, Organization.name)
        .join(MeetingAttendee, MeetingAttendee.meeting_id == Meeting.id)
        .join(Organization, Organization.id == Meeting.org_id)
        .where(condition, MeetingAttendee.present.is_(True))
        .order_by(Meeting.held_on, Meeting.id)
    )
    return [TimelineEntry(held_on, MEETING, f"参加{kind}" + (f"：{topic}" if topic else ""), _joined(org, place))
            for held_on, kind, topic, place, org in session.execute(query)]


def _member_entries(session: Session, member_id: int) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for r in session.scalars(select(FloatingRecord).where(FloatingRecord.member_id == member_id)
                             .order_by(FloatingRecord.left_on, FloatingRecord.id)):
        destination = floating.destination_of(r.destination_province, r.destination_city)
        entries.append(TimelineEntry(
            r.left_on, OUT, f"外出：{destination or '地点未填写'}",
            _joined(r.reason, r.employer, r.management_mode,
                    f"活动证 {r.certificate_no}" if r.certificate_no else "",
                    "登记信息待补全" if r.incomplete else ""),
        ))
        if r.returned_on is not None:
            entries.append(TimelineEntry(r.returned_on, BACK, "返回",
                                         f"{r.left_on:%Y-%m-%d} 外出，在外 {(r.returned_on - r.left_on).days} 天"))
    for c in session.scalars(select(ContactLog).where(ContactLog.member_id == member_id)
                             .order_by(ContactLog.contacted_on, ContactLog.id)):
        title = f"{'联系上' if c.reached else '未联系上'}（{c.channel}）" + ("，本人报告" if c.is_report else "")
        entries.append(TimelineEntry(c.contacted_on, CONTACT, title,
                                     _joined(c.summary, f"联系人：{c.made_by}" if c.made_by else ""),
                                     alert=not c.reached))
    entries += _service_entries(session, HomeService.member_id == member_id)
    entries += _meeting_entries(session, MeetingAttendee.member_id == member_id)
    for d in session.scalars(select(DuesPayment).where(DuesPayment.member_id == member_id)
                             .order_by(DuesPayment.paid_on, DuesPayment.id)):
        entries.append(TimelineEntry(
            d.paid_on, DUES, f"交纳 {d.period.year} 年 {d.period.month} 月党费 {d.amount_fen / 100:.2f} 元",
            _joined(f"在{d.paid_at}交纳" if d.paid_at and d.paid_at != "本组织" else "", d.note),
        ))
    for e in session.scalars(select(LostContactEvent).where(LostContactEvent.member_id == member_id)
                             .order_by(LostContactEvent.happened_on, LostContactEvent.id)):
        entries.append(TimelineEntry(
            e.happened_on, LOST, e.kind + ("（由台账失联标记转入，待确认）" if e.to_confirm else ""),
            _joined(e.note, f"经办：{e.made_by}" if e.made_by else ""), alert=e.kind in ("确认失联", "停止党籍"),
        ))
    return entries


def _inflow_entries(session: Session, inflow_id: int) -> list[TimelineEntry]:
    row = _inflow(session, inflow_id)
    host = session.get(Organization, row.host_org_id) if row.host_org_id is not None else None
    certificate = _joined(row.certificate_kind if row.certificate_kind != "无" else "", row.certificate_no, sep=" ")
    entries = [TimelineEntry(row.arrived_on, ARRIVED, "来到本社区",
                             _joined(f"组织关系在{row.home_org}" if row.home_org else "", certificate,
                                     f"联系党组织：{host.name}" if host else ""))]
    entries += _service_entries(session, HomeService.inflow_id == inflow_id)
    entries += _meeting_entries(session, MeetingAttendee.inflow_id == inflow_id)
    if row.left_on is not None:
        entries.append(TimelineEntry(row.left_on, LEFT, "离开本社区", row.left_reason))
    return entries


def timeline(
    session: Session, *, member_id: int | None = None, inflow_id: int | None = None, today: date | None = None
) -> list[TimelineEntry]:
    """What the records say about one person, newest first (nothing dated after ``today``).

    A member: periods away (外出 … / 返回), contacts (联系上 / 未联系上, 本人报告 marked), services,
    组织生活 attended, dues paid, 失联处置. An inflow member: arrival, services, 组织生活 attended,
    departure. Within a day: departure or return first, then the rest, then arrival or leaving.
    """
    _one_person(member_id, inflow_id)
    today = today or date.today()
    entries = _member_entries(session, member_id) if member_id is not None else _inflow_entries(session, inflow_id or 0)
    ranked = [(e.day, _DAY_ORDER.get(e.kind, 1), n, e) for n, e in enumerate(entries) if e.day <= today]
    return [e for *_, e in sorted(ranked, key=lambda item: item[:3], reverse=True)]


# ---------------------------------------------------------------- the card's header


def _member_card(session: Session, member_id: int, today: date) -> PersonCard:
    record = members.get(session, member_id)
    data = record.data
    lines = [_joined(data.category, data.sex, f"{data.birth_date:%Y-%m-%d} 出生" if data.birth_date else "",
                     f"手机 {data.mobile}" if data.mobile else "", sep=" · ")]
    periods = floating.history(session, member_id, today)
    current = next((p for p in periods if p.returned_on is None), None)
    status = [record.status, f"党籍{data.standing}"]
    if current is not None:
        certificate = ""
        if current.certificate_valid_until is not None:
            certificate = f"活动证有效期至 {current.certificate_valid_until:%Y-%m-%d}" + (
                "（已过期）" if current.certificate_expired else "")
        lines.append("外出中：" + _joined(f"{current.left_on:%Y-%m-%d} 起", current.destination,
                                          current.employer, current.reason, current.management_mode,
                                          certificate, sep=" · "))
        facts = floating.facts_for(session, [member_id], today).get(member_id)
        if facts is not None and record.status == "在册":
            contact = floating.contact_status(facts, today)
            status.append(f"联系状态：{contact.status}（{contact.reason}）")
    elif periods:
        last = periods[0]
        lines.append(f"未外出（最近一次外出 {last.left_on:%Y-%m-%d} 至 {last.returned_on:%Y-%m-%d}，"
                     f"{last.destination or '地点未填写'}）")
    else:
        lines.append("无外出记录")
    if data.lost_contact:
        status.append("失联" + (f"（{data.lost_contact_on:%Y-%m-%d} 起）" if data.lost_contact_on else ""))
    if record.status != "在册" and record.left_on is not None:
        status[0] = f"已于 {record.left_on:%Y-%m-%d} {record.status}"
    return PersonCard(MEMBER, member_id, data.name, PERSON_TYPES[MEMBER], record.org_path, tuple(lines),
                      " · ".join(status))


def _inflow_card(session: Session, inflow_id: int, today: date) -> PersonCard:
    record = get_inflow(session, inflow_id)
    data = record.data
    certificate = "无证明" if data.certificate_kind in ("", "无") else _joined(
        data.certificate_kind, data.certificate_no,
        f"有效期至 {data.certificate_valid_until:%Y-%m-%d}" if data.certificate_valid_until else "", sep=" ")
    if data.certificate_valid_until is not None and data.certificate_valid_until < today:
        certificate += "（已过期）"
    lines = (
        _joined(data.category, data.sex, f"手机 {data.mobile}" if data.mobile else "", sep=" · "),
        "组织关系所在：" + _joined(data.home_org, f"联系人 {data.home_org_contact}" if data.home_org_contact else "",
                                  sep="，"),
        f"{data.arrived_on:%Y-%m-%d} 来到本社区 · {certificate}",
        _joined("住在 " + _joined(data.building, data.unit, sep="-") if data.building or data.unit else "",
                data.address, f"工作单位：{data.employer}" if data.employer else "", sep=" · "),
    )
    if record.left_on is not None:
        status = f"已于 {record.left_on:%Y-%m-%d} 离开本社区" + (f"（{record.left_reason}）" if record.left_reason else "")
    else:
        status = f"仍在本社区，已来 {(today - data.arrived_on).days} 天"
    return PersonCard(INFLOW, inflow_id, data.name, PERSON_TYPES[INFLOW], record.host_org_name,
                      tuple(line for line in lines if line), status)


def person_card(
    session: Session, *, member_id: int | None = None, inflow_id: int | None = None, today: date | None = None
) -> PersonCard:
    """The header of the member card: name, organisation, the current period away or the inflow details,
    a status line."""
    _one_person(member_id, inflow_id)
    today = today or date.today()
    if member_id is not None:
        return _member_card(session, member_id, today)
    return _inflow_card(session, inflow_id or 0, today)
