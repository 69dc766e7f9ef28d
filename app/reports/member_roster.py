"""党员花名册: the members 在册 with the national 16 items (党员基本信息采集表) as columns, an official
sheet (A4 landscape), the header row repeated on every page.

:func:`collect_roster` reads the rows (masking ID numbers and phones there when asked, so the unmasked
data never reaches the renderer); :func:`render_roster` takes only those rows.

Decisions:

- **Legible at 7.5 pt**: sixteen columns and 序号 share the 243 mm text width. The columns whose content
  has a known shape (dates, the ID number, 性别, 序号, a branch's name) are measured in the font and get
  exactly their width; 工作岗位 and 家庭住址 share what is left and wrap. The bundled sans-serif font is
  used (a 仿宋 at 7.5 pt is too thin to read on an office printer).
- **No blank cell**: "无" where a value is absent (转正日期 of a 预备党员, a missing phone).
- **所在党支部** is the member's organisation below the top one (第一网格党支部/1号楼党小组), broken at a
  level when it does not fit.
- 是否失联党员 and 是否流动党员 print 是/否, with the 失去联系日期 or the 外出流向 under a 是.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import members, orgs, settings
from app.masking import mask_id, mask_phone
from app.reports.base import (
    MARGINS,
    main_font_name,
    page_size,
    paragraph,
    string_width,
    stylesheet,
    table_style,
    write_pdf,
)
from app.settings import CommunitySettings
from db.models import Member, Organization

NONE = "无"  # official sheets leave no cell blank (DOMAIN.md)
SIZE, LEADING = 7.5, 9.5  # pt
PADDING = 1.6  # pt left and right of a cell
HEADER = ("序号", "姓名", "性别", "公民身份号码", "民族", "出生日期", "学历", "人员类别", "所在党支部", "入党日期",
          "转正日期", "工作岗位", "联系电话", "家庭住址", "党籍状态", "是否失联党员", "是否流动党员")
# What each fixed column must hold on one line (measured in the font); None: a share of what is left.
FIXED = {
    "序号": "序号", "姓名": "欧阳明华", "性别": "性别", "公民身份号码": "11010519700301001X", "民族": "汉族",
    "出生日期": "0000-00-00", "学历": "硕士研究生", "人员类别": "人员类别", "入党日期": "0000-00-00",
    "转正日期": "0000-00-00", "联系电话": "010-12345678", "党籍状态": "正常", "是否失联党员": "0000-00-00",
    "是否流动党员": "是否流动",  # a 外出流向 wraps
    "所在党支部": "第一网格党支部",  # a deeper path goes a level a line
}
SHARES = {"工作岗位": 2, "家庭住址": 3}
HEADER_WRAP = {"党籍状态": 2}
HEADER_TEXT = {"党籍状态": "党籍\n状态", "是否失联党员": "是否失联\n党员", "是否流动党员": "是否流动\n党员"}


@dataclass(frozen=True)
class RosterLine:
    name: str
    sex: str
    id_number: str  # masked when the roster is
    ethnicity: str
    birth_date: date | None
    education: str
    category: str
    branch: str  # the organisation below the top one
    joined_on: date | None
    confirmed_on: date | None
    occupation: str
    phones: tuple[str, ...]  # 手机, 固定电话 (masked when the roster is)
    address: str
    standing: str
    lost_contact: bool
    lost_contact_on: date | None
    floating: bool
    floating_destination: str


@dataclass(frozen=True)
class MemberRosterData:
    settings: CommunitySettings
    printed_on: date
    lines: tuple[RosterLine, ...]
    masked: bool = False
    scope: str = ""  # the organisation the roster is limited to, if any

    @property
    def title(self) -> str:
        return f"{self.settings.community_name}党员花名册" + (f"（{self.scope}）" if self.scope else "")


# ---------------------------------------------------------------- collecting


def collect_roster(session: Session, org_id: int | None = None, *, mask: bool = False,
                   today: date | None = None, limit: int | None = None) -> MemberRosterData:
    """The members 在册 in tree order (then by name), of ``org_id``'s subtree when given; ID numbers and
    phones masked when ``mask``. ``limit``: only the first ``limit`` lines (the preview's sample)."""
    nodes = orgs.list_tree(session, include_dissolved=True)
    labels = {}
    for node in nodes:
        parts = node.path.split(orgs.PATH_SEPARATOR)
        labels[node.id] = orgs.PATH_SEPARATOR.join(parts[1:]) if len(parts) > 1 else node.name
    stmt = (select(Member).join(Organization, Organization.id == Member.org_id)
            .where(Member.status == "在册")
            .order_by(Organization.tree_rank, Member.name_sort, Member.id))
    scope = ""
    if org_id is not None:
        stmt = stmt.where(Member.org_id.in_(members.subtree_ids(session, org_id)))
        scope = next((node.name for node in nodes if node.id == org_id), "")
    if limit is not None:
        stmt = stmt.limit(max(limit, 0))
    id_text = mask_id if mask else str.strip
    phone_text = mask_phone if mask else str.strip
    lines = []
    for m in session.scalars(stmt):
        phones = tuple(phone_text(p) for p in (m.mobile, m.landline) if p and p.strip())
        lines.append(RosterLine(
            m.name, m.sex, id_text(m.id_number), m.ethnicity, m.birth_date, m.education, m.category,
            labels.get(m.org_id, ""), m.joined_on, m.confirmed_on, m.occupation, phones, m.address, m.standing,
            bool(m.lost_contact), m.lost_contact_on, bool(m.floating), m.floating_destination,
        ))
    return MemberRosterData(settings.load(session), today or date.today(), tuple(lines), mask, scope)


# ---------------------------------------------------------------- rendering


def _text_width() -> float:
    return page_size(landscape=True)[0] - MARGINS.left - MARGINS.right


def column_widths() -> list[float]:
    """Each column's width in points: the fixed ones measured, the others sharing what is left."""
    fixed = {name: max(string_width(sample, SIZE), _header_need(name)) + 2 * PADDING + 0.8
             for name, sample in FIXED.items()}
    left = _text_width() - sum(fixed.values())
    shares = sum(SHARES.values())
    return [fixed[name] if name in fixed else left * SHARES[name] / shares for name in HEADER]


def _header_need(name: str) -> float:
    """A header wraps into lines of four characters (是否失联/党员), 党籍状态 into two (党籍/状态; its
    rare 停止党籍 takes two lines too)."""
    return string_width(name[:HEADER_WRAP.get(name, 4)], SIZE)


def _date(value: date | None) -> str:
    return value.isoformat() if value else NONE


def _or_none(text: str) -> str:
    return (text or "").strip() or NONE


def _yes_no(flag: bool, detail: str) -> str:
    if not flag:
        return "否"
    return f"是\n{detail}" if detail else "是"


def _org_text(label: str, width: float) -> str:
    """The path on one line when it fits, else a level a line (第一网格党支部 / 1号楼党小组 below it)."""
    if not label:
        return NONE
    if string_width(label, SIZE) <= width - 2 * PADDING:
        return label
    return "\n".join(label.split(orgs.PATH_SEPARATOR))


def render_roster(data: MemberRosterData, out: Path) -> int:
    """Write the roster to ``out``; returns the page count."""
    styles = stylesheet()
    cell = ParagraphStyle("roster_cell", styles["cell"], fontSize=SIZE, leading=LEADING)
    centre = ParagraphStyle("roster_centre", cell, alignment=TA_CENTER)
    header = ParagraphStyle("roster_header", styles["cell_header"], fontSize=SIZE, leading=LEADING)
    story: list[Flowable] = [paragraph(data.title, styles["title"]), _subtitle(data, styles)]
    if not data.lines:
        story.append(paragraph("没有在册党员。", styles["note"]))
    else:
        widths = column_widths()
        branch_width = widths[HEADER.index("所在党支部")]
        rows: list[list[Flowable]] = [[paragraph(HEADER_TEXT.get(text, text), header) for text in HEADER]]
        for number, line in enumerate(data.lines, start=1):
            rows.append([
                paragraph(str(number), centre),
                paragraph(line.name, centre),
                paragraph(_or_none(line.sex), centre),
                paragraph(_or_none(line.id_number), centre),
                paragraph(_or_none(line.ethnicity), centre),
                paragraph(_date(line.birth_date), centre),
                paragraph(_or_none(line.education), centre),
                paragraph(_or_none(line.category), centre),
                paragraph(_org_text(line.branch, branch_width), cell),
                paragraph(_date(line.joined_on), centre),
                paragraph(_date(line.confirmed_on), centre),
                paragraph(_or_none(line.occupation), cell),
                paragraph("\n".join(line.phones) or NONE, centre),
                paragraph(_or_none(line.address), cell),
                paragraph(_or_none(line.standing), centre),
                paragraph(_yes_no(line.lost_contact, _date(line.lost_contact_on) if line.lost_contact_on else ""),
                          centre),
                paragraph(_yes_no(line.floating, line.floating_destination.strip()), centre),
            ])
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(table_style(
            ("FONT", (0, 0), (-1, -1), main_font_name(), SIZE),
            ("LEFTPADDING", (0, 0), (-1, -1), PADDING), ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ))
        story += [table, Spacer(0, 3 * mm), paragraph(_summary(data), styles["note"])]
    author = data.settings.committee_name or data.settings.community_name
    return write_pdf(out, story, title=data.title, author=author, landscape=True,
                     running_header=f"{data.title}（续）")


def _subtitle(data: MemberRosterData, styles) -> Table:
    right = ParagraphStyle("note_right", styles["note"], alignment=TA_RIGHT)
    left = f"填报单位：{data.settings.committee_name or data.settings.community_name or NONE}"
    if data.masked:
        left += "（身份证号、联系电话已隐去部分数字）"
    table = Table([[paragraph(left, styles["note"]), paragraph(f"打印日期：{data.printed_on:%Y年%m月%d日}", right)]],
                  colWidths=[_text_width() * 0.65, _text_width() * 0.35])
    table.setStyle(table_style(("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm), grid=False))
    return table


def _summary(data: MemberRosterData) -> str:
    lines = data.lines
    probationary = sum(1 for line in lines if line.category == "预备党员")
    women = sum(1 for line in lines if line.sex == "女")
    parts = [f"在册党员 {len(lines)} 人", f"其中正式党员 {len(lines) - probationary} 人、预备党员 {probationary} 人",
             f"女党员 {women} 人"]
    floating = sum(1 for line in lines if line.floating)
    lost = sum(1 for line in lines if line.lost_contact)
    if floating:
        parts.append(f"流动党员 {floating} 人")
    if lost:
        parts.append(f"失联党员 {lost} 人")
    return "合计：" + "，".join(parts) + "。"
