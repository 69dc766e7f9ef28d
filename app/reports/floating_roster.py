"""流动党员花名册: the outflow roster (外出流动党员花名册), the inflow roster (流入党员花名册) and the
待联系党员名单 as official sheets (A4 landscape), each list its own titled section of one file.

:func:`collect` reads what the sheets show (a session in, plain rows out); :func:`render_floating_roster`
takes only those rows, as every renderer does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, NextPageTemplate, PageBreak, Spacer, Table
from reportlab.platypus.doctemplate import ActionFlowable
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import floating, orgs, settings
from app.reports.base import MARGINS, page_size, paragraph, string_width, stylesheet, table_style, write_pdf
from app.settings import CommunitySettings
from db.models import InflowMember, Member, Organization

NONE = "无"  # official sheets leave no cell blank (DOMAIN.md)
OUTFLOW, INFLOW, TO_CONTACT = "outflow", "inflow", "to-contact"
LISTS = (OUTFLOW, INFLOW, TO_CONTACT)
DEFAULT_LISTS = (OUTFLOW, INFLOW)
TITLES = {OUTFLOW: "外出流动党员花名册", INFLOW: "流入党员花名册", TO_CONTACT: "待联系党员名单"}

# Relative widths, scaled to the landscape text width (243 mm); roughly millimetres.
OUTFLOW_HEADER = ("序号", "姓名", "性别", "所在党组织", "外出日期", "流向", "工作单位", "外出原因", "管理方式",
                  "活动证号/\n有效期", "联系状态", "备注")
OUTFLOW_WIDTHS = (9, 16, 9, 34, 19, 24, 29, 16, 18.5, 24, 19, 25.5)
INFLOW_HEADER = ("序号", "姓名", "性别", "联系电话", "组织关系所在党组织", "来到日期", "所持证明", "居住地",
                 "联系党组织")
INFLOW_WIDTHS = (9, 16, 9, 22, 48, 19, 32, 42, 46)
CONTACT_HEADER = ("序号", "姓名", "所在党组织", "状态", "最后联系上", "满六个月日期", "剩余天数", "原因")
CONTACT_WIDTHS = (9, 16, 36, 16, 19, 23, 22, 102)
PADDING = 3  # pt left and right of a cell (ReportLab's 6 would cost the sheet a column's width)


@dataclass(frozen=True)
class OutflowLine:
    name: str
    sex: str
    org: str  # the member's organisation, its path below the community's top organisation
    left_on: date
    destination: str
    employer: str
    reason: str
    management_mode: str
    certificate_no: str
    certificate_valid_until: date | None
    certificate_expired: bool
    contact_status: str  # 正常 / 即将失联 / 待联系 / 失联; empty for a member who left the ledger
    member_status: str  # 在册, or 转出 / 出党 / 死亡 while away
    member_left_on: date | None
    incomplete: bool  # 待补全


@dataclass(frozen=True)
class InflowLine:
    name: str
    sex: str
    mobile: str
    home_org: str  # 组织关系所在党组织
    arrived_on: date
    certificate_kind: str
    certificate_no: str
    certificate_valid_until: date | None
    certificate_expired: bool
    residence: str  # building, unit and address
    host_org: str  # 联系党组织 here


@dataclass(frozen=True)
class ContactLine:
    name: str
    org: str
    status: str
    last_reached: date
    crosses_on: date
    days_left: int
    reason: str


@dataclass
class FloatingRosterData:
    settings: CommunitySettings
    printed_on: date
    lists: tuple[str, ...] = DEFAULT_LISTS
    outflow: tuple[OutflowLine, ...] = ()
    inflow: tuple[InflowLine, ...] = ()
    to_contact: tuple[ContactLine, ...] = ()


# ---------------------------------------------------------------- collecting


def org_labels(session: Session) -> dict[int, str]:
    """Each organisation as printed: its path below the top organisation (the top one by its name)."""
    labels = {}
    for node in orgs.list_tree(session, include_dissolved=True):
        parts = node.path.split(orgs.PATH_SEPARATOR)
        labels[node.id] = orgs.PATH_SEPARATOR.join(parts[1:]) if len(parts) > 1 else node.name
    return labels


def residence_of(building: str, unit: str, address: str) -> str:
    """楼栋 单元 详细地址, leaving out a 楼栋 or 单元 the address already spells out (offices often type
    the whole address: 幸福里1号楼1单元404)."""
    address = (address or "").strip()
    compact = address.replace(" ", "")
    parts = [p.strip() for p in (building, unit) if p and p.strip() and p.strip().replace(" ", "") not in compact]
    return " ".join([*parts, address] if address else parts)


def collect(session: Session, today: date, lists: tuple[str, ...] = DEFAULT_LISTS) -> FloatingRosterData:
    """What the chosen lists print on ``today``.

    - 外出: every open record, by leave date; each 在册 member's 联系状态 from ``floating.to_contact`` (members
      not on that list are 正常), members who left the ledger while away with that fact;
    - 流入: the inflow members still here (``left_on`` empty), by 联系党组织 (tree order), then name;
    - 待联系: ``floating.to_contact``, most urgent first.
    """
    labels = org_labels(session)
    waiting = []  # (row, status) of the members not 正常, from the same rules as the 待联系 tab
    if OUTFLOW in lists or TO_CONTACT in lists:
        waiting = floating.to_contact(session, today, warning_months=floating.warning_months(session))
    outflow: list[OutflowLine] = []
    if OUTFLOW in lists:
        records = floating.open_records(session, today)
        status_of = {row.member_id: status.status for row, status in waiting}
        people = _people(session, [row.member_id for row in records])
        for row in records:
            sex, left_on = people.get(row.member_id, ("", None))
            in_ledger = row.member_status == "在册"
            outflow.append(OutflowLine(
                row.name, sex, labels.get(row.org_id, ""), row.left_on, row.destination, row.employer, row.reason,
                row.management_mode, row.certificate_no, row.certificate_valid_until, row.certificate_expired,
                status_of.get(row.member_id, floating.NORMAL) if in_ledger else "", row.member_status,
                None if in_ledger else left_on, row.incomplete,
            ))
    inflow: list[InflowLine] = []
    if INFLOW in lists:
        # As the 流入 tab lists them: by 联系党组织 in tree order, then by name (pinyin); none last.
        query = (select(InflowMember).outerjoin(Organization, Organization.id == InflowMember.host_org_id)
                 .where(InflowMember.left_on.is_(None))
                 .order_by(Organization.tree_rank.is_(None), Organization.tree_rank, InflowMember.name_sort,
                           InflowMember.id))
        for person in session.scalars(query):
            valid_until = person.certificate_valid_until
            inflow.append(InflowLine(
                person.name, person.sex, person.mobile, person.home_org, person.arrived_on, person.certificate_kind,
                person.certificate_no, valid_until, valid_until is not None and valid_until < today,
                residence_of(person.building, person.unit, person.address),
                labels.get(person.host_org_id, "") if person.host_org_id is not None else "",
            ))
    contact = tuple(
        ContactLine(row.name, labels.get(row.org_id, ""), status.status, status.last_reached, status.crosses_on,
                    status.days_left, status.reason)
        for row, status in waiting
    ) if TO_CONTACT in lists else ()
    return FloatingRosterData(settings.load(session), today, tuple(lists), tuple(outflow), tuple(inflow), contact)


def _people(session: Session, member_ids: list[int]) -> dict[int, tuple[str, date | None]]:
    """(sex, left the ledger on) of each member."""
    found: dict[int, tuple[str, date | None]] = {}
    ids = sorted(set(member_ids))
    for start in range(0, len(ids), 500):
        stmt = select(Member.id, Member.sex, Member.left_on).where(Member.id.in_(ids[start:start + 500]))
        found.update({member_id: (sex, left_on) for member_id, sex, left_on in session.execute(stmt)})
    return found


# ---------------------------------------------------------------- rendering


class _SetRunningHeader(ActionFlowable):
    """Changes the header repeated on the pages that follow (each section names itself)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def apply(self, doc) -> None:
        doc.running_header = self.text


def document_title(data: FloatingRosterData) -> str:
    name = data.settings.community_name
    if len(data.lists) == 1:
        return f"{name}{TITLES[data.lists[0]]}"
    return f"{name}流动党员花名册"


def render_floating_roster(data: FloatingRosterData, out: Path) -> int:
    """Write the chosen lists, each from a new page with its own title, to ``out``; returns the page count."""
    styles = stylesheet()
    community = data.settings.community_name
    story: list[Flowable] = []
    for index, kind in enumerate(data.lists):
        title = f"{community}{TITLES[kind]}"
        if index:
            story += [NextPageTemplate("first"), PageBreak()]
        story += [_SetRunningHeader(f"{title}（续）"), paragraph(title, styles["title"]), _subtitle(data, styles)]
        story += _SECTIONS[kind](data, styles)
    author = data.settings.committee_name or community
    first = f"{community}{TITLES[data.lists[0]]}（续）"
    return write_pdf(out, story, title=document_title(data), author=author, landscape=True, running_header=first)


def _text_width() -> float:
    return page_size(landscape=True)[0] - MARGINS.left - MARGINS.right


def _subtitle(data: FloatingRosterData, styles) -> Table:
    """填报单位 on the left, 打印日期 on the right, over the table's full width."""
    right = ParagraphStyle("note_right", styles["note"], alignment=TA_RIGHT)
    cells = [[paragraph(f"填报单位：{data.settings.committee_name or data.settings.community_name or NONE}",
                        styles["note"]),
              paragraph(f"打印日期：{data.printed_on:%Y年%m月%d日}", right)]]
    table = Table(cells, colWidths=[_text_width() / 2] * 2)
    table.setStyle(table_style(("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm), grid=False))
    return table


def _column_widths(widths: tuple[float, ...]) -> list[float]:
    return [_text_width() * w / sum(widths) for w in widths]


def _sheet(header: tuple[str, ...], widths: tuple[float, ...], rows: list[list[Flowable]], styles) -> Table:
    table = Table([[paragraph(text, styles["cell_header"]) for text in header], *rows],
                  colWidths=_column_widths(widths), repeatRows=1)
    table.setStyle(table_style(("LEFTPADDING", (0, 0), (-1, -1), PADDING),
                               ("RIGHTPADDING", (0, 0), (-1, -1), PADDING)))
    return table


def _org_text(label: str, width: float, style: ParagraphStyle) -> str:
    """An organisation's path on one line when it fits the column, else one level a line, so that a
    line breaks at a level and not inside a name (第一网格党支部/ then 2号楼党小组)."""
    if not label:
        return NONE
    if string_width(label, style.fontSize) <= width - 2 * PADDING:
        return label
    return f"{orgs.PATH_SEPARATOR}\n".join(label.split(orgs.PATH_SEPARATOR))


def _date(value: date | None) -> str:
    return value.isoformat() if value else NONE


def _or_none(text: str) -> str:
    return text.strip() or NONE


def _certificate(number: str, valid_until: date | None, expired: bool, kind: str = "") -> str:
    """A certificate a line each: its kind (inflow), number, "至 2026-12-31" and 已过期 when it has run out."""
    lines = [part for part in (kind.strip(), number.strip()) if part]
    if valid_until is not None:
        lines.append(f"至 {valid_until.isoformat()}")
        if expired:
            lines.append("已过期")
    return "\n".join(lines) or NONE


def _outflow(data: FloatingRosterData, styles) -> list[Flowable]:
    lines = data.outflow
    if not lines:
        return [paragraph("目前没有外出流动党员。", styles["note"])]
    cell, centre = styles["cell"], styles["cell_centre"]
    org_width = _column_widths(OUTFLOW_WIDTHS)[OUTFLOW_HEADER.index("所在党组织")]
    rows = []
    for number, line in enumerate(lines, start=1):
        if line.member_status == "在册":
            status = line.contact_status
        else:
            status = f"已{line.member_status}" + (f"\n{line.member_left_on.isoformat()}" if line.member_left_on else "")
        notes = []
        if line.incomplete:
            notes.append("待补全")
        if line.member_status != "在册":
            notes.append(f"外出期间已{line.member_status}")
        rows.append([
            paragraph(str(number), centre),
            paragraph(line.name, centre),
            paragraph(_or_none(line.sex), centre),
            paragraph(_org_text(line.org, org_width, cell), cell),
            paragraph(_date(line.left_on), centre),
            paragraph(_or_none(line.destination), cell),
            paragraph(_or_none(line.employer), cell),
            paragraph(_or_none(line.reason), centre),
            paragraph(_or_none(line.management_mode), centre),
            paragraph(_certificate(line.certificate_no, line.certificate_valid_until, line.certificate_expired), cell),
            paragraph(_or_none(status), centre),
            paragraph("；".join(notes) or NONE, cell),
        ])
    return [_sheet(OUTFLOW_HEADER, OUTFLOW_WIDTHS, rows, styles), Spacer(0, 3 * mm),
            paragraph(_outflow_summary(lines), styles["note"])]


def _outflow_summary(lines: tuple[OutflowLine, ...]) -> str:
    counts = Counter(line.contact_status for line in lines if line.member_status == "在册")
    parts = [f"{status} {counts[status]} 人" for status in floating.STATUSES if counts[status]]
    text = f"合计：外出流动党员 {len(lines)} 人"
    if parts:
        text += "，其中" + "、".join(parts)
    left = sum(1 for line in lines if line.member_status != "在册")
    if left:
        text += f"；外出期间已离开党员台账 {left} 人"
    incomplete = sum(1 for line in lines if line.incomplete)
    if incomplete:
        text += f"；登记信息待补全 {incomplete} 人"
    expired = sum(1 for line in lines if line.certificate_expired)
    if expired:
        text += f"；活动证已过期 {expired} 人"
    return text + "。"


def _inflow(data: FloatingRosterData, styles) -> list[Flowable]:
    lines = data.inflow
    if not lines:
        return [paragraph("目前没有登记在册的流入党员。", styles["note"])]
    cell, centre = styles["cell"], styles["cell_centre"]
    host_width = _column_widths(INFLOW_WIDTHS)[INFLOW_HEADER.index("联系党组织")]
    rows = [
        [
            paragraph(str(number), centre),
            paragraph(line.name, centre),
            paragraph(_or_none(line.sex), centre),
            paragraph(_or_none(line.mobile), centre),
            paragraph(_or_none(line.home_org), cell),
            paragraph(_date(line.arrived_on), centre),
            paragraph(_certificate(line.certificate_no, line.certificate_valid_until, line.certificate_expired,
                                   line.certificate_kind), cell),
            paragraph(_or_none(line.residence), cell),
            paragraph(_org_text(line.host_org, host_width, cell), cell),
        ]
        for number, line in enumerate(lines, start=1)
    ]
    summary = f"合计：流入党员 {len(lines)} 人。"
    return [_sheet(INFLOW_HEADER, INFLOW_WIDTHS, rows, styles), Spacer(0, 3 * mm), paragraph(summary, styles["note"])]


def days_left_text(days: int) -> str:
    if days > 0:
        return f"还剩 {days} 天"
    if days == 0:
        return "今天满六个月"
    return f"已超过 {-days} 天"


def _to_contact(data: FloatingRosterData, styles) -> list[Flowable]:
    lines = data.to_contact
    intro = paragraph("外出流动党员中已满或即将满六个月未联系上的，按紧迫程度排列（越靠前越紧迫）。",
                      styles["note"])
    if not lines:
        return [intro, Spacer(0, 2 * mm), paragraph("目前没有需要联系的外出流动党员。", styles["note"])]
    cell, centre = styles["cell"], styles["cell_centre"]
    org_width = _column_widths(CONTACT_WIDTHS)[CONTACT_HEADER.index("所在党组织")]
    rows = [
        [
            paragraph(str(number), centre),
            paragraph(line.name, centre),
            paragraph(_org_text(line.org, org_width, cell), cell),
            paragraph(line.status, centre),
            paragraph(_date(line.last_reached), centre),
            paragraph(_date(line.crosses_on), centre),
            paragraph(days_left_text(line.days_left), centre),
            paragraph(_or_none(line.reason), cell),
        ]
        for number, line in enumerate(lines, start=1)
    ]
    counts = Counter(line.status for line in lines)
    parts = "、".join(f"{status} {counts[status]} 人" for status in floating.STATUSES if counts[status])
    summary = f"合计：待联系党员 {len(lines)} 人（{parts}）。"
    return [intro, Spacer(0, 2 * mm), _sheet(CONTACT_HEADER, CONTACT_WIDTHS, rows, styles), Spacer(0, 3 * mm),
            paragraph(summary, styles["note"])]


_SECTIONS = {OUTFLOW: _outflow, INFLOW: _inflow, TO_CONTACT: _to_contact}
