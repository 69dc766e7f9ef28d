"""工作台: the community's figures and the list of what needs attention."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import orgs, settings
from db.models import Member

LISTED_CONFIRMATIONS = 8  # one line each; more become one summary line (a district has hundreds)


@dataclass(frozen=True)
class Attention:
    """One line of the 需要关注 list: what, how urgent (0 most), and where to go."""

    text: str
    level: int  # 0 overdue/urgent, 1 soon, 2 advice
    area: str
    org_id: int | None = None
    member_id: int | None = None
    category: str = ""  # for a summary line: the ledger's category filter that lists them


@dataclass(frozen=True)
class Summary:
    community_name: str
    committee_name: str
    org_counts: dict[str, int]
    total_orgs: int
    member_figures: dict[str, int] = field(default_factory=dict)
    attention: list[Attention] = field(default_factory=list)


def member_figures(session: Session) -> dict[str, int]:
    """在册 members: total, by category, and the identities offices watch."""
    on_roll = Member.status == "在册"
    total, full, probationary, floating, lost, hardship = session.execute(
        select(
            func.count(),
            func.count().filter(Member.category == "正式党员"),
            func.count().filter(Member.category == "预备党员"),
            func.count().filter(Member.floating.is_(True)),
            func.count().filter(Member.lost_contact.is_(True)),
            func.count().filter(Member.in_hardship.is_(True)),
        ).where(on_roll)
    ).one()
    return {"在册党员": total, "正式党员": full, "预备党员": probationary, "流动党员": floating,
            "失联党员": lost, "困难党员": hardship}


def summary(session: Session, today: date) -> Summary:
    from app import members

    values = settings.load(session)
    counts = orgs.count_by_kind(session)
    nodes = orgs.list_tree(session)
    attention: list[Attention] = []
    confirmations = members.confirmations_due(session, today)
    for due in confirmations[:LISTED_CONFIRMATIONS]:
        when = f"已逾期 {-due.days_left} 天" if due.days_left < 0 else f"还有 {due.days_left} 天"
        attention.append(Attention(f"预备党员{due.name}的转正将于 {due.due_on:%Y-%m-%d} 到期（{when}），请及时讨论转正。",
                                   0 if due.days_left < 0 else 1, "members", member_id=due.member_id))
    if len(confirmations) > LISTED_CONFIRMATIONS:
        rest = confirmations[LISTED_CONFIRMATIONS:]
        overdue = sum(1 for d in rest if d.days_left < 0)
        attention.append(Attention(
            f"另有 {len(rest)} 名预备党员的转正在 {members.CONFIRM_WARNING_DAYS} 天内到期"
            + (f"（其中 {overdue} 名已逾期）" if overdue else "") + "，请在党员台账中筛选“预备党员”查看。",
            0 if overdue else 1, "members", category="预备党员"))
    totals = members.subtree_counts(nodes, members.counts_by_org(session))
    names = {n.id: n.name for n in nodes}
    for org_id, warnings in members.branch_warnings(nodes, totals).items():
        for warning in warnings:
            attention.append(Attention(f"{names[org_id]}：{warning}。", 2, "orgs", org_id))
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
        member_figures=member_figures(session),
        attention=attention,
    )
