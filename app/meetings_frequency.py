"""组织生活 frequency against the 支部工作条例: which 三会一课, 主题党日 and 组织生活会 a branch (and each of
its 党小组) has not held in the periods that are over.

No Qt. The rules are pure functions on dates (``due_periods``, ``missed``, ``obligations``, ``find_gaps``),
tested at their boundaries in tests/app/test_meetings_frequency.py; ``gaps`` reads what they need in a
few grouped queries (organisations, 在册 counts, committee sizes, the year's meetings by month).

Readings (each one a choice):

- **The rules** (DOMAIN.md, 支部工作条例): every 党支部 / 联合党支部 / 临时党支部 holds a 支部党员大会 and a
  党课 at least once a quarter, a 主题党日 every month and a 组织生活会 at least once a year; a 支部委员会
  every month when the branch has a 支委会; each 党小组 a 党小组会 every month. 党委 and 党总支 are not
  checked (the 条例 is about branches). Organisations with no 在册 member (in their subtree) are not
  checked: an empty branch cannot meet.
- **Has a 支委会**: three or more committee rows other than 组长 recorded for the branch (a 支委会 has 3–5
  members); one or two rows (a 书记, perhaps a 副书记) mean it has none. With no committee recorded at all
  the data cannot tell, and the 条例's threshold decides: 7 or more 正式党员 in the branch (its 党小组
  included) elect a 支委会.
- **Whose meetings count**: the organisation's own. A 党课 or 主题党日 held by a higher organisation (the
  社区党委 giving a 党课 to everyone) also counts for every branch under it; the other kinds do not.
  A meeting counts for the period (month, quarter, calendar year) of the day it was held — a 组织生活会
  held in January for the year before counts for January's year.
- **The year examined** is the year of the last complete month (``examined_year``): on 22 November 2026
  it is 2026, on 10 January 2027 it is still 2026 (every period of it over, so its December and fourth
  quarter are checked), from 1 February 2027 it is 2027.
- **Periods in progress are never missed**: a month or a quarter counts once it is over (on 1 October the
  third quarter and September count, October does not). The yearly 组织生活会 counts once the year is over,
  or from 1 December of the year itself (the last month to hold it; said as 尚未召开).
- **Only periods the records cover**: a period counts when it begins on or after the organisation's
  founding day (``founded_on``; a branch founded on 20 May owes June on and the third quarter on, not May
  or the second quarter) and on or after the first day of the month of the first meeting recorded in the
  whole database — an office that starts recording in October is not told every branch missed everything
  since January. No meeting recorded at all: nothing is checked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from db.models import CommitteeMember, Meeting, Member, Organization

BRANCH_KINDS = ("党支部", "联合党支部", "临时党支部")  # as app.members.BRANCH_KINDS
GROUP_KIND = "党小组"
GROUP_LEADER = "组长"
COMMITTEE_FROM = 7  # 正式党员 from which a branch elects a 支委会 (app.members.COMMITTEE_FROM)
COMMITTEE_MIN = 3  # a 支委会 has 3–5 members

MONTH, QUARTER, YEAR = "month", "quarter", "year"
_PERIODS = {MONTH: 12, QUARTER: 4, YEAR: 1}
QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")
_RUN = 3  # three or more consecutive months are written as a range: 1月至10月


@dataclass(frozen=True)
class Rule:
    kind: str  # a meeting kind of app.meetings.MEETING_KINDS
    every: str  # MONTH, QUARTER or YEAR
    verb: str  # 召开 / 开展: what the line says was not done


ASSEMBLY = Rule("支部党员大会", QUARTER, "召开")
COMMITTEE = Rule("支部委员会", MONTH, "召开")
LECTURE = Rule("党课", QUARTER, "开展")
THEME_DAY = Rule("主题党日", MONTH, "开展")
LIFE_MEETING = Rule("组织生活会", YEAR, "召开")
GROUP_MEETING = Rule("党小组会", MONTH, "召开")
RULES = (ASSEMBLY, COMMITTEE, LECTURE, THEME_DAY, LIFE_MEETING, GROUP_MEETING)
INHERITED_KINDS = (LECTURE.kind, THEME_DAY.kind)  # a higher organisation's count for the branches under it


# ---------------------------------------------------------------- periods


def examined_year(today: date) -> int:
    """The year of the last complete month: the year whose meetings are checked on ``today``."""
    return (today.replace(day=1) - timedelta(days=1)).year


def _bounds(every: str, year: int, n: int) -> tuple[date, date]:
    """First and last day of period ``n`` (month 1–12, quarter 1–4, or the year) of ``year``."""
    if every == YEAR:
        return date(year, 1, 1), date(year, 12, 31)
    first_month, months = (n, 1) if every == MONTH else (3 * n - 2, 3)
    first = date(year, first_month, 1)
    after = date(year + 1, 1, 1) if first_month + months > 12 else date(year, first_month + months, 1)
    return first, after - timedelta(days=1)


def period_of(every: str, day: date) -> int:
    """The period a day falls in: its month (1–12), its quarter (1–4), or 1 for the year."""
    if every == MONTH:
        return day.month
    if every == QUARTER:
        return (day.month - 1) // 3 + 1
    return 1


def due_periods(every: str, year: int, today: date, since: date | None = None) -> tuple[int, ...]:
    """The periods of ``year`` that count on ``today``: over (for YEAR also from 1 December of the year
    itself) and begun on or after ``since``."""
    due = []
    for n in range(1, _PERIODS[every] + 1):
        first, last = _bounds(every, year, n)
        over = last < today or (every == YEAR and today.year == year and today.month == 12)
        if over and (since is None or first >= since):
            due.append(n)
    return tuple(due)


def missed(every: str, held: Iterable[date], year: int, today: date, since: date | None = None) -> tuple[int, ...]:
    """The periods of ``year`` that count on ``today`` (``due_periods``) with no day of ``held`` in them."""
    done = {period_of(every, day) for day in held if day.year == year and day <= today}
    return tuple(n for n in due_periods(every, year, today, since) if n not in done)


def period_label(every: str, n: int) -> str:
    if every == MONTH:
        return f"{n}月"
    if every == QUARTER:
        return QUARTER_NAMES[n - 1]
    return "全年"


def describe(every: str, periods: Sequence[int]) -> str:
    """Periods as the line says them: 第一季度、第三季度; 9月、10月; three or more months in a row as 1月至10月."""
    if every != MONTH:
        return "、".join(period_label(every, n) for n in periods)
    runs: list[list[int]] = []
    for n in sorted(periods):
        if runs and runs[-1][-1] == n - 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = []
    for run in runs:
        if len(run) >= _RUN:
            parts.append(f"{run[0]}月至{run[-1]}月")
        else:
            parts.extend(f"{n}月" for n in run)
    return "、".join(parts)


# ---------------------------------------------------------------- who owes what


@dataclass(frozen=True)
class OrgFacts:
    """What the rules need of one (active) organisation."""

    id: int
    parent_id: int | None
    name: str
    kind: str
    founded_on: date | None = None
    members: int = 0  # 在册, the subtree included
    full_members: int = 0  # 正式党员 among them
    committee: int = 0  # committee rows other than 组长


def has_committee(org: OrgFacts) -> bool:
    """A branch has a 支委会: 3+ committee rows recorded; 1–2 rows: no; none recorded: 7+ 正式党员."""
    if org.committee:
        return org.committee >= COMMITTEE_MIN
    return org.full_members >= COMMITTEE_FROM


def obligations(org: OrgFacts) -> tuple[Rule, ...]:
    """The rules an organisation is checked against (empty for 党委/党总支 and empty organisations)."""
    if org.members <= 0:
        return ()
    if org.kind in BRANCH_KINDS:
        return tuple(r for r in (ASSEMBLY, COMMITTEE, LECTURE, THEME_DAY, LIFE_MEETING)
                     if r is not COMMITTEE or has_committee(org))
    if org.kind == GROUP_KIND:
        return (GROUP_MEETING,)
    return ()


@dataclass(frozen=True)
class Gap:
    """One organisation's missed periods of one kind of meeting in ``year``."""

    org_id: int
    org_name: str
    org_kind: str
    branch_id: int  # the line it belongs to: the branch itself, a 党小组's branch (the group when none)
    branch_name: str
    kind: str
    every: str
    verb: str
    year: int
    missed: tuple[int, ...]
    year_open: bool = False  # the yearly rule checked in December of the year itself

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(period_label(self.every, n) for n in self.missed)

    @property
    def periods_text(self) -> str:
        if self.every == YEAR:
            return "本年度尚" if self.year_open else "全年"
        return describe(self.every, self.missed)

    @property
    def text(self) -> str:
        """支部党员大会 第三季度未召开 / 主题党日 9月、10月未开展 / 组织生活会 本年度尚未召开."""
        return f"{self.kind} {self.periods_text}未{self.verb}"


def branch_of(orgs: Iterable[OrgFacts]) -> dict[int, int | None]:
    """Organisation id → the nearest ancestor-or-self of a branch kind (None: no branch above)."""
    by_id = {o.id: o for o in orgs}
    found: dict[int, int | None] = {}

    def walk(org_id: int) -> int | None:
        path, current, result = [], org_id, None
        while current is not None and current in by_id:
            if current in found:
                result = found[current]
                break
            path.append(current)
            if by_id[current].kind in BRANCH_KINDS:
                result = current
                break
            current = by_id[current].parent_id
        for oid in path:
            found[oid] = result
        return result

    for org_id in by_id:
        walk(org_id)
    return found


def find_gaps(
    orgs: Sequence[OrgFacts], held: Mapping[tuple[int, str], Iterable[date]], year: int, today: date,
    records_began: date | None,
) -> list[Gap]:
    """Every organisation's gaps in ``year`` on ``today``, in the order of ``orgs`` and of RULES.

    ``held``: (organisation id, kind) → the days (any day of the month is enough) meetings of that kind
    were held. ``records_began``: the first meeting recorded anywhere (None: nothing recorded, no gaps).
    """
    if records_began is None:
        return []
    began = records_began.replace(day=1)
    by_id = {o.id: o for o in orgs}
    branches = branch_of(orgs)
    year_over = today > date(year, 12, 31)
    result = []
    for org in orgs:
        rules = obligations(org)
        if not rules:
            continue
        since = max(began, org.founded_on) if org.founded_on is not None else began
        branch_id = branches.get(org.id) or org.id
        for rule in rules:
            days = list(held.get((org.id, rule.kind), ()))
            if rule.kind in INHERITED_KINDS:
                parent = org.parent_id
                while parent is not None and parent in by_id:
                    days.extend(held.get((parent, rule.kind), ()))
                    parent = by_id[parent].parent_id
            gone = missed(rule.every, days, year, today, since)
            if gone:
                result.append(Gap(org.id, org.name, org.kind, branch_id, by_id[branch_id].name, rule.kind,
                                  rule.every, rule.verb, year, gone, rule.every == YEAR and not year_over))
    return result


# ---------------------------------------------------------------- reading the database


def org_facts(session: Session) -> list[OrgFacts]:
    """Active organisations in tree order with their 在册 counts (subtree) and committee sizes."""
    rows = session.execute(
        select(Organization.id, Organization.parent_id, Organization.name, Organization.kind, Organization.founded_on)
        .where(Organization.dissolved_on.is_(None))
        .order_by(Organization.tree_rank, Organization.sort_order, Organization.id)
    ).all()
    active = {row[0] for row in rows}
    direct: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for org_id, total, full in session.execute(
        select(Member.org_id, func.count(), func.count().filter(Member.category == "正式党员"))
        .where(Member.status == "在册").group_by(Member.org_id)
    ):
        direct[org_id] = [total, full]
    committee = dict(session.execute(
        select(CommitteeMember.org_id, func.count()).where(CommitteeMember.role != GROUP_LEADER)
        .group_by(CommitteeMember.org_id)).all())
    # subtree sums: add each organisation's own counts to itself and every active ancestor
    parents = {row[0]: row[1] for row in rows}
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for org_id, (total, full) in direct.items():
        current: int | None = org_id
        seen = set()
        while current is not None and current in active and current not in seen:
            seen.add(current)
            totals[current][0] += total
            totals[current][1] += full
            current = parents.get(current)
    return [OrgFacts(oid, parent, name, kind, founded, totals[oid][0], totals[oid][1], committee.get(oid, 0))
            for oid, parent, name, kind, founded in rows]


def gaps(session: Session, today: date, *, year: int | None = None,
         orgs: Sequence[OrgFacts] | None = None) -> list[Gap]:
    """The gaps of ``year`` (default ``examined_year(today)``) on ``today``; see the module's readings."""
    year = examined_year(today) if year is None else year
    records_began = session.scalar(select(func.min(Meeting.held_on)))
    if records_began is None or records_began > today:
        return []
    orgs = org_facts(session) if orgs is None else orgs
    kinds = [r.kind for r in RULES]
    month = extract("month", Meeting.held_on)
    held: dict[tuple[int, str], list[date]] = defaultdict(list)
    for org_id, kind, m in session.execute(
        select(Meeting.org_id, Meeting.kind, month).distinct()
        .where(Meeting.held_on >= date(year, 1, 1), Meeting.held_on <= min(date(year, 12, 31), today),
               Meeting.kind.in_(kinds))
    ):
        held[org_id, kind].append(date(year, int(m), 1))
    return find_gaps(orgs, held, year, today, records_began)


def by_branch(found: Iterable[Gap]) -> dict[int, list[Gap]]:
    """Gaps grouped by their line (branch id), keeping their order."""
    grouped: dict[int, list[Gap]] = {}
    for gap in found:
        grouped.setdefault(gap.branch_id, []).append(gap)
    return grouped


def branch_text(found: Sequence[Gap], *, names_shown: int = 3) -> str:
    """One branch's gaps as one sentence: its own first, then its 党小组 — groups with the same gap are
    named together (3号楼党小组、4号楼党小组 党小组会 9月未召开; beyond ``names_shown``: …等 5 个党小组)."""
    own = [g.text for g in found if g.org_id == g.branch_id]
    groups: dict[tuple[str, str], list[str]] = {}
    for g in found:
        if g.org_id != g.branch_id:
            groups.setdefault((g.kind, g.text), []).append(g.org_name)
    parts = list(own)
    for (_kind, text), names in groups.items():
        who = ("、".join(names) if len(names) <= names_shown
               else f"{'、'.join(names[:names_shown])}等 {len(names)} 个党小组")
        parts.append(f"{who} {text}")
    return "；".join(parts)


__all__ = [
    "ASSEMBLY", "BRANCH_KINDS", "COMMITTEE", "GROUP_MEETING", "Gap", "LECTURE", "LIFE_MEETING", "MONTH",
    "OrgFacts", "QUARTER", "RULES", "Rule", "THEME_DAY", "YEAR", "branch_of", "branch_text", "by_branch",
    "describe", "due_periods", "examined_year", "find_gaps", "gaps", "has_committee", "missed", "obligations",
    "org_facts", "period_label", "period_of",
]
