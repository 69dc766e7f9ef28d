"""工作台: the community's figures and the list of what needs attention."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import orgs, settings
from db.models import FloatingRecord, LostContactEvent, Member

LISTED_CONFIRMATIONS = 8  # one line each; more become one summary line (a district has hundreds)
LISTED_CONTACTS = 8  # the same for floating members to contact


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


def floating_attention(session: Session, today: date, org_names: dict[int, str]) -> list[Attention]:
    """The 流动党员之家's lines: 失联 / 待联系 / 即将失联 members one by one (the most urgent first, a
    summary line beyond ``LISTED_CONTACTS``), marks to confirm, records to complete, missing yearly reports."""
    from app import floating

    lines: list[Attention] = []
    listed = floating.to_contact(session, today, warning_months=floating.warning_months(session))
    confirmed = {member_id: (day, standing) for member_id, day, standing in session.execute(
        select(Member.id, Member.lost_contact_on, Member.standing).where(Member.lost_contact.is_(True)))}
    for row, status in listed[:LISTED_CONTACTS]:
        where = org_names.get(row.org_id, "")
        if row.member_id in confirmed:  # already established: say where the case stands, not what to do first
            day, standing = confirmed[row.member_id]
            text = (f"流动党员{row.name}（{where}）已于 {day:%Y-%m-%d} 确认失联"
                    + ("，党籍已停止" if standing == floating.STOP_STANDING else "，可视情况停止党籍")
                    + "；找到后请在流动党员之家“重新纳入管理”。")
            lines.append(Attention(text, 1, "floating", member_id=row.member_id))
            continue
        if status.status == floating.SOON:
            text = f"流动党员{row.name}（{where}）即将失联：{status.reason}。"
        elif status.status == floating.LOST:
            text = f"流动党员{row.name}（{where}）已失联：{status.reason}。请记录寻找情况并确认失联。"
        else:
            text = f"流动党员{row.name}（{where}）待联系：{status.reason}。"
        lines.append(Attention(text, 1 if status.status == floating.SOON else 0, "floating", member_id=row.member_id))
    if len(listed) > LISTED_CONTACTS:
        rest = listed[LISTED_CONTACTS:]
        counts = {s: sum(1 for _, st in rest if st.status == s) for s in (floating.LOST, floating.TO_CONTACT, floating.SOON)}
        parts = "、".join(f"{label} {n} 名" for label, n in counts.items() if n)
        lines.append(Attention(f"另有 {len(rest)} 名流动党员需要联系（{parts}），请在流动党员之家的“待联系”中查看。",
                               0 if counts[floating.LOST] or counts[floating.TO_CONTACT] else 1, "floating"))
    to_confirm = session.scalar(
        select(func.count(func.distinct(LostContactEvent.member_id))).join(Member, Member.id == LostContactEvent.member_id)
        .where(LostContactEvent.to_confirm.is_(True), Member.status == "在册")
    )
    if to_confirm:
        lines.append(Attention(f"{to_confirm} 名党员的“失联”标记由原台账转入，尚待确认：请在流动党员之家核实后确认失联或重新纳入管理。",
                               1, "floating"))
    incomplete = session.scalar(
        select(func.count()).select_from(FloatingRecord).join(Member, Member.id == FloatingRecord.member_id)
        .where(FloatingRecord.incomplete.is_(True), FloatingRecord.returned_on.is_(None), Member.status == "在册")
    )
    if incomplete:
        lines.append(Attention(f"{incomplete} 条外出登记由原台账的“流动党员”标记转入，外出日期等待补全。", 2, "floating"))
    reports = floating.reports_overdue(session, today, flag_from=floating.report_flag_date(session))
    if reports:
        lines.append(Attention(f"{len(reports)} 名流动党员今年尚未向党组织报告情况（每年至少一次）。", 1, "floating"))
    return lines


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
    attention.extend(floating_attention(session, today, names))
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
