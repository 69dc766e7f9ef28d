"""党组织名册: the organisation tree as an official sheet (A4 landscape)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from app.orgs import ORG_KINDS, OrgNode
from app.reports.base import MARGINS, page_size, paragraph, stylesheet, table_style, write_pdf
from app.settings import CommunitySettings

NONE = "无"  # official sheets leave no cell blank (DOMAIN.md)
HEADER = ("序号", "组织名称", "类型", "书记/组长", "班子成员", "所在网格/楼栋", "成立日期", "届满日期")
WIDTHS = (11, 56, 20, 19, 52, 36, 22, 22)  # relative; scaled to the landscape text width (243 mm)
INDENT = 9  # pt per level of the tree (one character)


@dataclass
class RosterData:
    settings: CommunitySettings
    nodes: list[OrgNode]
    printed_on: date


def render_orgs_roster(data: RosterData, out: Path) -> int:
    """Write the roster PDF to ``out``; returns the page count."""
    styles = stylesheet()
    title = f"{data.settings.community_name}党组织名册"
    story = [paragraph(title, styles["title"]), _subtitle(data, styles)]
    if data.nodes:
        story += [_table(data.nodes, styles), Spacer(0, 3 * mm), paragraph(_summary(data.nodes), styles["note"])]
    else:
        story.append(paragraph("尚未建立党组织。", styles["note"]))
    author = data.settings.committee_name or data.settings.community_name
    return write_pdf(out, story, title=title, author=author, landscape=True, running_header=f"{title}（续）")


def _subtitle(data: RosterData, styles) -> Table:
    """填报单位 on the left, 打印日期 on the right, over the table's full width."""
    right = ParagraphStyle("note_right", styles["note"], alignment=TA_RIGHT)
    cells = [[paragraph(f"填报单位：{data.settings.committee_name or NONE}", styles["note"]),
              paragraph(f"打印日期：{data.printed_on:%Y年%m月%d日}", right)]]
    table = Table(cells, colWidths=[_text_width() / 2] * 2)
    table.setStyle(table_style(("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm), grid=False))
    return table


def _text_width() -> float:
    return page_size(landscape=True)[0] - MARGINS.left - MARGINS.right


def _table(nodes: list[OrgNode], styles) -> Table:
    cell, centre = styles["cell"], styles["cell_centre"]
    indented: dict[int, ParagraphStyle] = {}

    def name_style(depth: int) -> ParagraphStyle:
        if depth not in indented:
            indented[depth] = ParagraphStyle(f"cell_depth{depth}", cell, leftIndent=depth * INDENT)
        return indented[depth]

    rows = [[paragraph(text, styles["cell_header"]) for text in HEADER]]
    for number, node in enumerate(nodes, start=1):
        rows.append([
            paragraph(str(number), centre),
            paragraph(node.name, name_style(node.depth)),
            paragraph(node.kind or NONE, centre),
            paragraph(node.secretary or NONE, centre),
            paragraph(_committee(node), cell),
            paragraph(node.place or NONE, cell),
            paragraph(_date(node.founded_on), centre),
            paragraph(_date(node.term_ends_on), centre),
        ])
    table = Table(rows, colWidths=[_text_width() * w / sum(WIDTHS) for w in WIDTHS], repeatRows=1)
    table.setStyle(table_style())
    return table


def _committee(node: OrgNode) -> str:
    """The committee without the secretary (the first 书记 or 组长), one "职务：姓名" a line."""
    others = list(node.committee)
    for index, (role, _name) in enumerate(others):
        if role in ("书记", "组长"):
            del others[index]
            break
    return "\n".join(f"{role}：{name}" for role, name in others) or NONE


def _date(value: date | None) -> str:
    return value.isoformat() if value else NONE


def _summary(nodes: list[OrgNode]) -> str:
    counts = Counter(node.kind for node in nodes)
    kinds = [kind for kind in ORG_KINDS if counts[kind]] + sorted(set(counts) - set(ORG_KINDS))
    parts = "，".join(f"{kind} {counts[kind]} 个" for kind in kinds)
    return f"合计：{parts}；共 {len(nodes)} 个党组织。"
