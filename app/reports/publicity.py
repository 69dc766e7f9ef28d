"""民主评议党员和星级党员评定结果公示: the public notice of a year's grades and stars, an official sheet
(A4 portrait) with a table per branch.

:func:`collect_publicity` reads what the notice shows — masking the ID numbers and phones there, so
the unmasked data never reaches the renderer or the file; :func:`render_publicity` takes only that.

Decisions:

- **公示 comes before approval**: an open year that is not approved prints too, its title saying
  （拟评定结果）; a year not begun is refused.
- **Who is listed**: the year's participants still in the community at year end (a member who left during
  the year is not required, gets no stars and is not publicised), by branch in tree order.
- **公示期**: ``working_days`` (default 5) working days from ``start`` (default: today, or the next
  Monday at a weekend). Only weekends are skipped — public holidays are not known to the program, so
  around a holiday pass ``start``/``working_days`` to suit.
- **Where opinions go**: the phone in the setting ``publicity_phone`` when set, else a blank line to
  write one in.
- **Font**: 仿宋 when the system has it (``preferred_font("fangsong")``) for the notice's text and table,
  the bundled font for the title; rare characters fall back either way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer, Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import evaluation_year, members, orgs, settings
from app.errors import AppError
from app.evaluation import GRADES, STAR_NAMES
from app.masking import mask_id, mask_phone
from app.reports.base import (
    MARGINS,
    page_size,
    paragraph,
    preferred_font,
    string_width,
    stylesheet,
    table_style,
    write_pdf,
)
from db.models import EvaluationYear, Member

PHONE_SETTING = "publicity_phone"
NOT_GRADED = "不参评"  # 预备党员 are not graded (DOMAIN.md)
UNDECIDED = "未评定"
HEADER = ("序号", "姓名", "性别", "身份证号", "联系电话", "评议等次", "星级")
WIDTHS = (11, 26, 10, 38, 27, 22, 22)  # mm; they fill the portrait text width (156 mm)
BLANK_PHONE = "＿＿＿＿＿＿＿＿＿＿"
NONE = "无"


@dataclass(frozen=True)
class PublicityLine:
    name: str
    sex: str
    id_number: str  # masked: 110105********002X
    phone: str  # masked: 138****1234
    grade: str  # 优秀 / 合格 / 基本合格 / 不合格, 不参评 (预备党员) or 未评定
    stars: str  # 五星 … 一星, or 未评定


@dataclass(frozen=True)
class PublicityBranch:
    name: str
    lines: tuple[PublicityLine, ...]


@dataclass(frozen=True)
class PublicityData:
    community: str
    committee: str
    year: int
    approved: bool
    branches: tuple[PublicityBranch, ...]
    period_start: date
    period_end: date
    working_days: int
    phone: str  # where to send opinions; empty: a blank line to write one in
    printed_on: date
    scope: str = ""  # the organisation the notice is limited to, if any

    @property
    def title(self) -> str:
        """The notice's title; before approval it says the results are proposed."""
        return f"{self.community} {self.year} 年度{self.title_rest}"

    @property
    def title_rest(self) -> str:
        return "民主评议党员和星级党员评定结果公示" + ("" if self.approved else "（拟评定结果）")

    @property
    def lines(self) -> tuple[PublicityLine, ...]:
        return tuple(line for branch in self.branches for line in branch.lines)


def working_day_period(start: date, days: int) -> tuple[date, date]:
    """The first and last of ``days`` working days (Monday–Friday) from ``start`` — a weekend start
    moves to the Monday."""
    if days < 1:
        raise ValueError("days must be at least 1")
    while start.weekday() >= 5:
        start += timedelta(days=1)
    end, left = start, days - 1
    while left:
        end += timedelta(days=1)
        if end.weekday() < 5:
            left -= 1
    return start, end


# ---------------------------------------------------------------- collecting


def collect_publicity(
    session: Session, year: int, org_id: int | None = None, *, today: date | None = None,
    start: date | None = None, working_days: int = 5, limit: int | None = None,
) -> PublicityData:
    """What the notice of ``year`` shows (``org_id``: only that organisation's subtree), ID numbers and
    phones masked here. A year not begun is refused.

    ``limit``: only the notice's first ``limit`` lines, as printed (branch by branch) — the rows of those
    members alone are computed, not the year's grid (the preview's sample)."""
    today = today or date.today()
    row = session.get(EvaluationYear, year)
    if row is None:
        raise AppError(f"{year} 年度评定尚未开始，没有可以公示的结果。")
    if working_days < 1:
        raise AppError("公示期至少为 1 个工作日。")
    community = settings.load(session)
    wanted = set(members.subtree_ids(session, org_id)) if org_id is not None else None
    if limit is None:
        grid = evaluation_year.grid(session, year)
        rows = [r for r in grid.rows if not r.participant.left_in_year
                and (wanted is None or r.participant.org_id in wanted)]
    else:
        rows = _first_rows(session, year, wanted, limit)
    people = _people(session, [r.member_id for r in rows])
    branches: dict[str, list[PublicityLine]] = {}
    for r in rows:
        p = r.participant
        sex, id_number, mobile, landline = people[p.member_id]
        grade = (r.grade or UNDECIDED) if p.graded else NOT_GRADED
        stars = STAR_NAMES[r.final_stars] if r.final_stars is not None else UNDECIDED
        phone = mobile.strip() or landline.strip()
        branches.setdefault(p.branch_name, []).append(PublicityLine(
            p.name, sex, mask_id(id_number), mask_phone(phone) if phone else "", grade, stars))
    first, last = working_day_period(start or today, working_days)
    scope = ""
    if org_id is not None:
        scope = next((n.name for n in orgs.list_tree(session, include_dissolved=True) if n.id == org_id), "")
    return PublicityData(
        community=community.community_name,
        committee=community.committee_name or community.community_name,
        year=year,
        approved=row.approved_on is not None,
        branches=tuple(PublicityBranch(name, tuple(lines)) for name, lines in branches.items()),
        period_start=first, period_end=last, working_days=working_days,
        phone=settings.get_value(session, PHONE_SETTING).strip(),
        printed_on=today, scope=scope,
    )


def _first_rows(session: Session, year: int, wanted: set[int] | None, limit: int) -> list:
    """The grid rows of the notice's first ``limit`` lines: the participants listed, grouped by branch in
    the order the branches first appear (as the notice groups them), cut, and only those rows computed."""
    listed = [p for p in evaluation_year.participants(session, year)
              if not p.left_in_year and (wanted is None or p.org_id in wanted)]
    by_branch: dict[str, list] = {}
    for person in listed:
        by_branch.setdefault(person.branch_name, []).append(person)
    chosen = [person for people in by_branch.values() for person in people][:max(limit, 0)]
    if not chosen:
        return []
    # the grid's own rows, for these members only
    rows = evaluation_year.grid_rows(session, year, chosen)
    return rows


def _people(session: Session, member_ids: list[int]) -> dict[int, tuple[str, str, str, str]]:
    """(sex, ID number, mobile, landline) of each member, 500 ids a query."""
    found: dict[int, tuple[str, str, str, str]] = {}
    ids = sorted(set(member_ids))
    for index in range(0, len(ids), 500):
        stmt = (select(Member.id, Member.sex, Member.id_number, Member.mobile, Member.landline)
                .where(Member.id.in_(ids[index:index + 500])))
        found.update({member_id: tuple(rest) for member_id, *rest in session.execute(stmt)})
    return found


# ---------------------------------------------------------------- rendering


def _date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def render_publicity(data: PublicityData, out: Path) -> int:
    """Write the notice to ``out``; returns the page count."""
    base = stylesheet()
    font = preferred_font("fangsong")
    body = ParagraphStyle("publicity_body", base["body"], fontName=font, fontSize=12, leading=21)
    heading = ParagraphStyle("publicity_heading", base["heading"], fontSize=12.5, leading=18,
                             spaceBefore=4 * mm, spaceAfter=1.5 * mm)
    cell = ParagraphStyle("publicity_cell", base["cell_centre"], fontName=font, fontSize=10, leading=13)
    header = ParagraphStyle("publicity_header", base["cell_header"], fontSize=10, leading=13)
    sign = ParagraphStyle("publicity_sign", body, alignment=TA_CENTER, firstLineIndent=0)
    subtitle = ParagraphStyle("publicity_subtitle", base["subtitle"], fontName=font, fontSize=12, leading=18)

    story: list[Flowable] = [paragraph(_title_lines(data), base["title"])]
    if data.scope:
        story.append(paragraph(f"（{data.scope}）", subtitle, font))
    total = len(data.lines)
    story.append(paragraph(_intro(data, total), body, font))
    if total:
        for branch in data.branches:
            # a heading never ends a page: with less than a heading and two rows left, start a new one
            story += [CondPageBreak(24 * mm), paragraph(f"{branch.name}（{len(branch.lines)} 人）", heading),
                      _table(branch.lines, header, cell, font)]
        story += [Spacer(0, 3 * mm), paragraph(_summary(data.lines), body, font)]
    story += [paragraph(_period(data), body, font), Spacer(0, 8 * mm), _signature(data, sign, font)]
    author = data.committee or data.community
    return write_pdf(out, story, title=data.title, author=author, running_header=f"{data.title}（续）")


def _title_lines(data: PublicityData) -> str:
    """The title, broken after the year when it does not fit one line (a break between words, not
    where the line happens to end)."""
    style = stylesheet()["title"]
    if string_width(data.title, style.fontSize) <= _text_width():
        return data.title
    return f"{data.community} {data.year} 年度\n{data.title_rest}"


def _text_width() -> float:
    return page_size()[0] - MARGINS.left - MARGINS.right


def _signature(data: PublicityData, style: ParagraphStyle, font: str) -> Table:
    """The committee and the date below it, centred on each other, at the right two characters in."""
    committee = data.committee or NONE
    width = min(_text_width() * 0.6, string_width(committee, style.fontSize, font) + 2 * style.fontSize)
    rows = [[paragraph(committee, style, font), ""], [paragraph(_date(data.printed_on), style, font), ""]]
    table = Table(rows, colWidths=[width, 2 * style.fontSize], hAlign="RIGHT")
    table.setStyle(table_style(("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                               grid=False))
    return table


def _intro(data: PublicityData, total: int) -> str:
    stage = "评定结果" if data.approved else "拟评定结果"
    if not total:
        return f"{data.year} 年度没有参加民主评议和星级评定的党员。"
    return (f"根据 {data.year} 年度民主评议党员和星级党员评定工作安排，经个人自评、党员互评、群众测评和支部评定，"
            f"现将 {total} 名党员的{stage}公示如下：")


def _table(lines: tuple[PublicityLine, ...], header: ParagraphStyle, cell: ParagraphStyle, font: str) -> Table:
    rows = [[paragraph(text, header) for text in HEADER]]
    for number, line in enumerate(lines, start=1):
        rows.append([paragraph(text, cell, font) for text in (
            str(number), line.name, line.sex or NONE, line.id_number or NONE, line.phone or NONE, line.grade,
            line.stars)])
    widths = [_text_width() * w / sum(WIDTHS) for w in WIDTHS]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style(("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)))
    return table


def _summary(lines: tuple[PublicityLine, ...]) -> str:
    grades = Counter(line.grade for line in lines)
    stars = Counter(line.stars for line in lines)
    graded = "、".join(f"{g} {grades[g]} 人" for g in GRADES if grades[g])
    starred = "、".join(f"{STAR_NAMES[s]} {stars[STAR_NAMES[s]]} 人" for s in sorted(STAR_NAMES, reverse=True)
                        if stars[STAR_NAMES[s]])
    parts = [f"共 {len(lines)} 人"]
    if graded:
        parts.append(f"民主评议{graded}")
    if grades[NOT_GRADED]:
        parts.append(f"预备党员 {grades[NOT_GRADED]} 人不参加评议")
    if starred:
        parts.append(f"星级评定{starred}")
    undecided = grades[UNDECIDED] + stars[UNDECIDED]
    if undecided:
        parts.append("尚有未评定的项目")
    return "合计：" + "；".join(parts) + "。"


def _period(data: PublicityData) -> str:
    phone = data.phone or BLANK_PHONE
    return (f"公示时间：{_date(data.period_start)}至{_date(data.period_end)}（{data.working_days} 个工作日）。"
            f"公示期间，党员和群众如有意见，可通过来信、来电、来访等方式向{data.committee or '社区党组织'}反映。"
            f"联系电话：{phone}。")

