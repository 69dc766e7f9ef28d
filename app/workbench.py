"""工作台: the community's figures and the list of what needs attention."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from app import orgs, settings


@dataclass(frozen=True)
class Attention:
    """One line of the 需要关注 list: what, how urgent (0 most), and where to go."""

    text: str
    level: int  # 0 overdue/urgent, 1 soon, 2 advice
    area: str
    org_id: int | None = None


@dataclass(frozen=True)
class Summary:
    community_name: str
    committee_name: str
    org_counts: dict[str, int]
    total_orgs: int
    attention: list[Attention] = field(default_factory=list)


def summary(session: Session, today: date) -> Summary:
    values = settings.load(session)
    counts = orgs.count_by_kind(session)
    attention: list[Attention] = []
    for due in orgs.terms_due(session, today):
        if due.overdue:
            text = f"{due.org.name}已于 {due.term_ends_on:%Y-%m-%d} 届满（逾期 {-due.days_left} 天），请及时换届。"
            level = 0
        else:
            text = f"{due.org.name}将于 {due.term_ends_on:%Y-%m-%d} 届满（还有 {due.days_left} 天），请做好换届准备。"
            level = 1
        attention.append(Attention(text, level, "orgs", due.org.id))
    if not values.operator_name:
        attention.append(Attention("尚未设置当前操作员：修改记录中将无法看出是谁操作的。", 2, "settings"))
    if not values.committee_name:
        attention.append(Attention("尚未设置党组织落款名称：打印的文件将缺少落款。", 2, "settings"))
    attention.sort(key=lambda a: a.level)
    return Summary(
        community_name=values.community_name,
        committee_name=values.committee_name,
        org_counts={kind: n for kind, n in counts.items() if n},
        total_orgs=sum(counts.values()),
        attention=attention,
    )
