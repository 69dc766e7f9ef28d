"""流动党员之家: inflow members (流入党员) — members living or working here whose relation stays elsewhere.

An inflow member is not a ledger member: not in the ledger's figures, branch sizes, evaluation or dues.
A local organisation hosts them (``host_org_id``: they join its 组织生活, without a vote). Moving away
sets ``left_on`` (离开); rows are never deleted, and the same person may arrive again later as a new
row — so an ID number is unique only among those still here.

The change log uses area ``inflow`` with the inflow member's id: ledger members' ids (area ``floating``)
are another numbering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit
from app.changes import FLOATING, Changes
from app.errors import AppError, NotFoundError, ValidationError
from app.idcard import IdNumberError, parse_id
from app.members import CATEGORIES, MOBILE, SEXES
from db.models import HomeService, InflowMember, Meeting, MeetingAttendee, Member, Organization

CERTIFICATE_KINDS = ("流动党员活动证", "组织关系介绍信", "其他证明", "无")
NO_CERTIFICATE = "无"
AUDIT_AREA = "inflow"
LEFT_REASON_LIMIT = 200
_TEXT_LIMITS = (
    ("name", "姓名", 50), ("home_org", "组织关系所在党组织", 100), ("home_org_contact", "原党组织联系人", 100),
    ("certificate_no", "证明编号", 40), ("building", "楼栋", 50), ("unit", "单元", 20), ("address", "详细地址", 200),
    ("employer", "工作单位", 100), ("note", "备注", 500),
)
# Changes to these are written into the change log, old → new.
_LOGGED = {
    "name": "姓名", "id_number": "身份证号", "sex": "性别", "category": "人员类别", "mobile": "联系电话",
    "home_org": "组织关系所在", "arrived_on": "来到日期", "certificate_kind": "证明", "certificate_no": "证明编号",
    "certificate_valid_until": "有效期", "host_org_id": "联系党组织", "building": "楼栋", "unit": "单元",
    "address": "地址", "employer": "工作单位",
}


@dataclass(frozen=True)
class InflowInput:
    """What the 流入党员 form (and an imported row) edits; the field names are the model's columns."""

    name: str
    sex: str = ""  # empty: taken from the ID number when there is one
    id_number: str = ""  # optional; 15 digits are converted to 18
    category: str = ""  # 正式党员 / 预备党员, or empty when not known
    mobile: str = ""
    home_org: str = ""  # 组织关系所在党组织
    home_org_contact: str = ""
    arrived_on: date | None = None
    certificate_kind: str = ""  # one of CERTIFICATE_KINDS, or empty
    certificate_no: str = ""
    certificate_valid_until: date | None = None
    host_org_id: int | None = None  # the local organisation that hosts them
    building: str = ""
    unit: str = ""
    address: str = ""
    employer: str = ""
    note: str = ""


INFLOW_FIELDS = tuple(f.name for f in fields(InflowInput))


@dataclass(frozen=True)
class InflowRow:
    id: int
    name: str
    sex: str
    mobile: str
    home_org: str
    arrived_on: date
    certificate_kind: str
    certificate_no: str
    certificate_valid_until: date | None
    certificate_expired: bool  # valid_until is before today (valid through that day)
    host_org_id: int | None
    host_org_name: str
    building: str
    unit: str
    address: str
    left_on: date | None
    name_sort: str = ""  # the pinyin sort key, for sorting by name

    @property
    def place(self) -> str:
        """楼栋-单元 (the building alone when no unit is known)."""
        return "-".join(part for part in (self.building, self.unit) if part)


@dataclass(frozen=True)
class InflowRecord:
    """A stored inflow member as the card reads it."""

    id: int
    data: InflowInput
    host_org_name: str
    left_on: date | None
    left_reason: str


def _load(session: Session, inflow_id: int) -> InflowMember:
    row = session.get(InflowMember, inflow_id)
    if row is None:
        raise NotFoundError(f"找不到编号为 {inflow_id} 的流入党员。")
    return row


def _cleaned(data: InflowInput) -> InflowInput:
    data = replace(data, **{n: getattr(data, n).strip() for n in INFLOW_FIELDS if isinstance(getattr(data, n), str)})
    return replace(data, mobile=re.sub(r"[\s-]", "", data.mobile))


def _id_errors(session: Session, data: InflowInput, inflow_id: int | None, still_here: bool,
               today: date) -> tuple[dict[str, str], InflowInput, date | None]:
    """The ID number's own check, its agreement with the sex, and who else holds it; with the
    normalised input and the birth date it shows.

    Who else: a 在册 ledger member, or another inflow member still here. Neither applies to someone who
    has left: a departed inflow member may since have transferred the relation here (应转尽转) or come
    back as a new row.
    """
    if not data.id_number:
        return {}, data, None
    try:
        info = parse_id(data.id_number, today=today)
    except IdNumberError as exc:
        return {"id_number": exc.errors.get("id_number", str(exc)) + "。"}, data, None
    data = replace(data, id_number=info.number, sex=data.sex or info.sex)
    errors: dict[str, str] = {}
    if data.sex != info.sex and data.sex in SEXES:
        errors["sex"] = f"性别与身份证号不符（身份证号显示为{info.sex}）。"
    ledger = session.execute(
        select(Member.name, Organization.name).join(Organization, Organization.id == Member.org_id)
        .where(Member.id_number == info.number, Member.status == "在册")
    ).first()
    if ledger is not None and still_here:
        errors["id_number"] = (f"身份证号 {info.number} 是本社区在册党员“{ledger[0]}”（{ledger[1]}）的，"
                               "该同志在党员台账中，不是流入党员。")
    elif still_here:
        other = session.execute(
            select(InflowMember.name, InflowMember.arrived_on)
            .where(InflowMember.id_number == info.number, InflowMember.left_on.is_(None),
                   InflowMember.id != (inflow_id or 0))
        ).first()
        if other is not None:
            errors["id_number"] = (f"身份证号 {info.number} 已登记为流入党员“{other[0]}”"
                                   f"（{other[1]:%Y-%m-%d} 来到），不能重复登记。")
    return errors, data, info.birth_date


def _certificate_errors(data: InflowInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    kind = data.certificate_kind
    if kind and kind not in CERTIFICATE_KINDS:
        errors["certificate_kind"] = f"请选择证明类型（{'、'.join(CERTIFICATE_KINDS)}）。"
    elif kind in ("", NO_CERTIFICATE):
        if data.certificate_no:
            errors["certificate_no"] = "没有证明时不填证明编号；有证明请先选择证明类型。"
        if data.certificate_valid_until is not None:
            errors["certificate_valid_until"] = "没有证明时不填有效期；有证明请先选择证明类型。"
    elif (data.arrived_on is not None and data.certificate_valid_until is not None
          and data.certificate_valid_until < data.arrived_on):
        errors["certificate_valid_until"] = (f"有效期早于来到日期（{data.arrived_on:%Y-%m-%d}），"
                                             "来到时证明已失效，请核对。")
    return errors


def _host_errors(session: Session, host_org_id: int | None, keep: int | None) -> dict[str, str]:
    if host_org_id is None:
        return {"host_org_id": "请选择联系党组织（流入党员就近参加组织生活的党组织）。"}
    org = session.get(Organization, host_org_id)
    if org is None:
        return {"host_org_id": "所选党组织不存在。"}
    if org.dissolved_on is not None and host_org_id != keep:
        return {"host_org_id": f"“{org.name}”已撤销，请选择其他党组织。"}
    return {}


def _first_activity(session: Session, inflow_id: int) -> date | None:
    """The earliest service or 组织生活 on record (on a meeting's list, present or not): the arrival
    cannot be later."""
    service = session.scalar(select(func.min(HomeService.served_on)).where(HomeService.inflow_id == inflow_id))
    meeting = session.scalar(
        select(func.min(Meeting.held_on)).join(MeetingAttendee, MeetingAttendee.meeting_id == Meeting.id)
        .where(MeetingAttendee.inflow_id == inflow_id)
    )
    found = [d for d in (service, meeting) if d is not None]
    return min(found) if found else None


def _last_activity(session: Session, inflow_id: int) -> date | None:
    """The latest service or 组织生活 on record (on a meeting's list, present or not): a departure
    cannot be earlier."""
    service = session.scalar(select(func.max(HomeService.served_on)).where(HomeService.inflow_id == inflow_id))
    meeting = session.scalar(
        select(func.max(Meeting.held_on)).join(MeetingAttendee, MeetingAttendee.meeting_id == Meeting.id)
        .where(MeetingAttendee.inflow_id == inflow_id)
    )
    found = [d for d in (service, meeting) if d is not None]
    return max(found) if found else None


def validate_inflow(
    session: Session, data: InflowInput, *, inflow_id: int | None = None, today: date | None = None
) -> tuple[dict[str, str], InflowInput]:
    """Every problem of ``data`` by field (Chinese), and the normalised input (trimmed text, 18-digit ID,
    sex from the ID when left empty, mobile without spaces or dashes).

    ``inflow_id`` is the inflow member being edited (None: a new registration).
    """
    today = today or date.today()
    stored = _load(session, inflow_id) if inflow_id is not None else None
    data = _cleaned(data)
    errors: dict[str, str] = {}
    for name, label, limit in _TEXT_LIMITS:
        if len(getattr(data, name)) > limit:
            errors[name] = f"{label}不能超过 {limit} 个字。"
    if not data.name:
        errors["name"] = "请填写姓名。"
    elif re.search(r"[\d\s]", data.name):
        errors["name"] = "姓名中不能有数字或空格。"
    still_here = stored is None or stored.left_on is None
    id_errors, data, birth = _id_errors(session, data, inflow_id, still_here, today)
    errors.update(id_errors)
    if data.sex and data.sex not in SEXES:
        errors["sex"] = "性别应为“男”或“女”。"
    if data.category and data.category not in CATEGORIES:
        errors["category"] = "人员类别应为正式党员或预备党员。"
    if data.mobile and not MOBILE.match(data.mobile):
        errors["mobile"] = "手机号应为 11 位数字，以 1 开头（例如 13812345678）。"
    if not data.home_org and "home_org" not in errors:
        errors["home_org"] = "请填写组织关系所在党组织。"

    arrived = data.arrived_on
    if arrived is None:
        errors["arrived_on"] = "请填写来到本社区的日期。"
    elif arrived > today:
        errors["arrived_on"] = "来到日期不能晚于今天。"
    elif birth is not None and arrived < birth:
        errors["arrived_on"] = f"来到日期早于出生日期（{birth:%Y-%m-%d}），请核对。"
    elif stored is not None and stored.left_on is not None and arrived > stored.left_on:
        errors["arrived_on"] = f"来到日期不能晚于离开日期（{stored.left_on:%Y-%m-%d}）。"
    elif stored is not None and (first := _first_activity(session, stored.id)) is not None and arrived > first:
        errors["arrived_on"] = f"来到日期不能晚于已有的服务或组织生活记录（{first:%Y-%m-%d}）。"

    errors.update(_certificate_errors(data))
    errors.update(_host_errors(session, data.host_org_id, stored.host_org_id if stored is not None else None))
    return errors, data


def _checked(session: Session, data: InflowInput, inflow_id: int | None, today: date | None) -> InflowInput:
    errors, clean = validate_inflow(session, data, inflow_id=inflow_id, today=today)
    if errors:
        raise ValidationError(errors)
    return clean


def _name_sort(name: str) -> str:
    from app import pinyin

    return pinyin.sort_key(name)[:200]


def register_inflow(session: Session, data: InflowInput, *, today: date | None = None) -> tuple[int, Changes]:
    """登记流入党员: a new row, still here (``left_on`` NULL)."""
    clean = _checked(session, data, None, today)
    row = InflowMember(**{n: getattr(clean, n) for n in INFLOW_FIELDS}, name_sort=_name_sort(clean.name),
                       left_reason="")
    session.add(row)
    session.flush()
    host = session.get(Organization, clean.host_org_id)
    audit.log(session, AUDIT_AREA, row.id, "登记流入",
              f"{clean.name}，{clean.arrived_on:%Y-%m-%d} 来到，组织关系在{clean.home_org}，"
              f"联系党组织{host.name if host else ''}")
    return row.id, FLOATING


def _shown(session: Session, name: str, value) -> str:
    if value is None or value == "":
        return "无"
    if name == "host_org_id":
        org = session.get(Organization, value)
        return org.name if org else str(value)
    if name == "id_number":
        return f"…{value[-4:]}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def update_inflow(session: Session, inflow_id: int, data: InflowInput, *, today: date | None = None) -> Changes:
    """Edit an inflow member (still here or departed) with the same rules; key changes are logged."""
    row = _load(session, inflow_id)
    clean = _checked(session, data, inflow_id, today)
    changed = []
    for name in INFLOW_FIELDS:
        old, new = getattr(row, name), getattr(clean, name)
        if old != new:
            if name in _LOGGED:
                changed.append(f"{_LOGGED[name]}：{_shown(session, name, old)} → {_shown(session, name, new)}")
            setattr(row, name, new)
    row.name_sort = _name_sort(clean.name)
    if changed:
        audit.log(session, AUDIT_AREA, inflow_id, "修改流入党员", "；".join(changed))
    return FLOATING


def depart(session: Session, inflow_id: int, on: date | None, reason: str, *, today: date | None = None) -> Changes:
    """离开: the inflow member moved away on ``on``; the row stays (and a later arrival is a new row)."""
    today = today or date.today()
    row = _load(session, inflow_id)
    if row.left_on is not None:
        raise AppError(f"“{row.name}”已于 {row.left_on:%Y-%m-%d} 离开。")
    reason = reason.strip()
    errors: dict[str, str] = {}
    if on is None:
        errors["left_on"] = "请填写离开日期。"
    elif on > today:
        errors["left_on"] = "离开日期不能晚于今天。"
    elif on < row.arrived_on:
        errors["left_on"] = f"离开日期不能早于来到日期（{row.arrived_on:%Y-%m-%d}）。"
    elif (last := _last_activity(session, inflow_id)) is not None and on < last:
        errors["left_on"] = f"离开日期不能早于已有的服务或组织生活记录（{last:%Y-%m-%d}）。"
    if len(reason) > LEFT_REASON_LIMIT:
        errors["left_reason"] = f"离开原因不能超过 {LEFT_REASON_LIMIT} 个字。"
    if errors:
        raise ValidationError(errors)
    row.left_on, row.left_reason = on, reason
    audit.log(session, AUDIT_AREA, inflow_id, "离开", f"{on:%Y-%m-%d}" + (f"，{reason}" if reason else ""))
    return FLOATING


def load_inflow(session: Session, inflow_id: int) -> InflowInput:
    """A stored inflow member for the form."""
    row = _load(session, inflow_id)
    return InflowInput(**{n: getattr(row, n) for n in INFLOW_FIELDS})


def get_inflow(session: Session, inflow_id: int) -> InflowRecord:
    row = _load(session, inflow_id)
    host = session.get(Organization, row.host_org_id) if row.host_org_id is not None else None
    return InflowRecord(row.id, load_inflow(session, inflow_id), host.name if host else "", row.left_on,
                        row.left_reason)


# ---------------------------------------------------------------- reading

_ROW_COLUMNS = (
    InflowMember.id, InflowMember.name, InflowMember.sex, InflowMember.mobile, InflowMember.home_org,
    InflowMember.arrived_on, InflowMember.certificate_kind, InflowMember.certificate_no,
    InflowMember.certificate_valid_until, InflowMember.host_org_id, Organization.name, InflowMember.building,
    InflowMember.unit, InflowMember.address, InflowMember.left_on, InflowMember.name_sort,
)


def list_inflow(session: Session, today: date | None = None, *, include_left: bool = False) -> list[InflowRow]:
    """Inflow members still here (``include_left``: those who left too), by host organisation in tree
    order, then name (pinyin); members without a host last."""
    today = today or date.today()
    query = select(*_ROW_COLUMNS).outerjoin(Organization, Organization.id == InflowMember.host_org_id)
    if not include_left:
        query = query.where(InflowMember.left_on.is_(None))
    query = query.order_by(Organization.tree_rank.is_(None), Organization.tree_rank, InflowMember.name_sort,
                           InflowMember.id)
    result = []
    for (inflow_id, name, sex, mobile, home_org, arrived_on, kind, number, valid_until, host_id, host_name,
         building, unit, address, left_on, name_sort) in session.execute(query):
        result.append(InflowRow(
            inflow_id, name, sex, mobile, home_org, arrived_on, kind, number, valid_until,
            valid_until is not None and valid_until < today, host_id, host_name or "", building, unit, address,
            left_on, name_sort,
        ))
    return result


def hosted_count(session: Session, org_id: int) -> int:
    """Inflow members still here hosted by ``org_id`` (an organisation hosting some cannot be dissolved)."""
    return session.scalar(
        select(func.count()).select_from(InflowMember)
        .where(InflowMember.host_org_id == org_id, InflowMember.left_on.is_(None))
    ) or 0
