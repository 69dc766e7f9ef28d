"""工作台: the community's figures and the list of what needs attention.

The year's work adds four kinds of lines, one per branch where it can (the branch of a member is the
nearest 党支部/联合党支部/临时党支部 above their organisation; members with none above — the committee's
own — form one more, "幸福里社区党委直属"; the evaluation page calls that group 全社区):

- **Evaluation progress** (area ``evaluation``, the line carries the year). The years looked at are the
  current one and, in January and February, the year before (its evaluation is finished then). For each:
  not opened — one info line in the fourth quarter of the year itself and in January–February after it
  ("2026 年度星级评定尚未开始"), nothing otherwise; approved — one info line with the day and the number
  of certificates; open — one line per branch not yet done: members whose total is complete over those
  required (participants who did not leave during the year, as approval requires), 正式党员 graded over
  those to grade; when every branch is done, one line saying the year can be approved. Lines of the year
  before are warnings (it is due), of the current year info. Counted in one grouped query, not a grid.
- **Quarterly summaries** (area ``evaluation``): ``app.evaluation_records.last_quarter_summary_missing``
  grouped by branch, up to ``NAMES_SHOWN`` names each, more as "张三、李四、王五等 12 名". When nobody in
  the community has written that quarter's summary at all, one line for everybody instead of one a branch
  (the office does not keep them, or has not begun).
- **组织生活 gaps** (area ``meetings``, the branch): ``app.meetings_frequency`` — one line per branch with
  its own gaps and its 党小组's.
- **党费 arrears** (area ``dues``): ``app.dues_rules.arrears`` on each 在册 member's dated bases and the
  months paid, under the ``dues_policy`` setting — as the 年度记实 computes them, but over every month due
  (the workbench asks who owes now, not what one year's record shows). A member with no base has no
  amount to compute; the months still count: every month unpaid from the latest of January of this year,
  the month of joining and the month the member came into these records (``created_at``; an office that
  starts recording in July is not told everybody owes since January) — the same arrears function on a
  stand-in flat base, months only, no money. One line per branch (count, months, money where known) — a
  warning, or info when everyone in it owes only last month (the usual lag: paid at the next 主题党日) — and
  one urgent line per member whose unpaid months run six or more in a row up to last month (党章第九条,
  自行脱党) — not for members the 流动党员之家's lines already show (待联系/失联, whatever the reason), whose
  党籍 is stopped or who are marked 失联: their case is in hand elsewhere. A run that ended (the member
  paid again) is history, not listed. With no payment and no base recorded at all the office does not
  keep dues here (yet): no dues lines.

A SQL pass picks the only members who can owe — a month in the window with no payment — so the rules run
on those few, not on everybody. Even so they are the slow part at district scale (about a second for
100,000 members): ``summary(..., dues=False)`` leaves them out and hands back what ``dues_lines`` needs to
compute them afterwards (the GUI does that off its thread), and ``with_dues`` puts them in their place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Date, and_, case, extract, func, literal, or_, select
from sqlalchemy.orm import Session

from app import dues_rules, orgs, settings
from app import evaluation_records as er
from app import meetings_frequency as mf
from app.dates import add_months
from app.evaluation import FULL_MEMBER
from db.models import (
    AnnualNote,
    DuesPayment,
    EvaluationGrade,
    EvaluationScore,
    EvaluationYear,
    FloatingRecord,
    LostContactEvent,
    Member,
    MemberDuesBase,
    StarCertificate,
)

LISTED_CONFIRMATIONS = 8  # one line each; more become one summary line (a district has hundreds)
LISTED_CONTACTS = 8  # the same for floating members to contact
LISTED_LAPSES = 8  # the same for members six months without dues
NAMES_SHOWN = 5  # names in a branch line; more become "张三、李四、王五等 12 名"
LAPSE_MONTHS = 6  # 党章第九条: six consecutive months without dues
COMMUNITY = "全社区"  # members with no branch above them
_IN_CHUNK = 500
_STAND_IN = dues_rules.UNEMPLOYED  # a flat category: counts the months of a member with no base, not money


@dataclass(frozen=True)
class Attention:
    """One line of the 需要关注 list: what, how urgent (0 most), and where to go."""

    text: str
    level: int  # 0 overdue/urgent, 1 soon, 2 advice
    area: str
    org_id: int | None = None
    member_id: int | None = None
    category: str = ""  # for a summary line: the ledger's category filter that lists them
    year: int | None = None  # the year the line is about (an evaluation line opens the page on it)


@dataclass(frozen=True)
class DuesContext:
    """What the 党费 lines need from the rest of the summary, to compute them later (``dues_lines``)."""

    branches: Branches
    covered: frozenset[int]  # members the 流动党员之家's lines already show
    names: Mapping[int, str]  # organisation id → name


@dataclass(frozen=True)
class Summary:
    community_name: str
    committee_name: str
    org_counts: dict[str, int]
    total_orgs: int
    member_figures: dict[str, int] = field(default_factory=dict)
    attention: list[Attention] = field(default_factory=list)
    dues: DuesContext | None = None  # for ``dues_lines``; set whether or not ``attention`` has them
    dues_included: bool = True  # False: ``summary(..., dues=False)``, the 党费 lines are still to come


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
    return _floating_lines(session, today, org_names)[0]


def _floating_lines(session: Session, today: date, org_names: dict[int, str]) -> tuple[list[Attention], set[int]]:
    """floating_attention's lines and every member they cover (the summary line's too)."""
    from app import floating

    lines: list[Attention] = []
    listed = floating.to_contact(session, today, warning_months=floating.warning_months(session))
    covered = {row.member_id for row, _ in listed}
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
    return lines, covered


# ---------------------------------------------------------------- branches


@dataclass(frozen=True)
class Branches:
    """Which branch each organisation's members count with, and the branches in tree order."""

    of: dict[int, int | None]  # organisation id → branch id (None: no branch above)
    names: dict[int, str]  # branch id → name
    order: dict[int | None, int]  # branch id → position in tree order (None last)
    loose: str = COMMUNITY  # how members with no branch above are named: 幸福里社区党委直属

    @classmethod
    def from_orgs(cls, facts: list[mf.OrgFacts]) -> Branches:
        of = mf.branch_of(facts)
        names = {o.id: o.name for o in facts if o.kind in mf.BRANCH_KINDS}
        order: dict[int | None, int] = {o.id: i for i, o in enumerate(facts) if o.id in names}
        order[None] = len(facts)
        roots = [o.name for o in facts if o.parent_id is None]
        return cls(of, names, order, f"{roots[0]}直属" if len(roots) == 1 else COMMUNITY)

    def branch(self, org_id: int) -> int | None:
        return self.of.get(org_id)

    def name(self, branch_id: int | None) -> str:
        return self.names.get(branch_id, self.loose) if branch_id is not None else self.loose

    def sorted(self, keys) -> list[int | None]:
        return sorted(keys, key=lambda b: self.order.get(b, len(self.order)))


def named(names: list[str], unit: str = "名党员", shown: int = NAMES_SHOWN) -> str:
    """张三、李四 — or, beyond ``shown``, 张三、李四、王五等 12 名党员 (three names and the count)."""
    if len(names) <= shown:
        return "、".join(names)
    return f"{'、'.join(names[:3])}等 {len(names)} {unit}"


# ---------------------------------------------------------------- 年度评定


@dataclass(frozen=True)
class BranchProgress:
    branch_id: int | None
    name: str
    required: int  # participants who did not leave during the year
    scored: int  # … whose total is complete
    gradable: int  # … who are 正式党员 at year end
    graded: int  # … with a 民主评议 grade

    @property
    def complete(self) -> bool:
        return self.scored == self.required and self.graded == self.gradable


def evaluation_years(today: date) -> list[int]:
    """The years the workbench follows: the year before in January and February (first), and this year."""
    return [today.year - 1, today.year] if today.month <= 2 else [today.year]


def evaluation_progress(session: Session, year: int, branches: Branches) -> list[BranchProgress]:
    """Per branch (tree order) of an open year: members required and scored, 正式党员 and graded — the
    counts ``evaluation_year.approval_problems`` checks, in one grouped query instead of the grid."""
    from app import evaluation_year

    cells = evaluation_year.scheme(session, year).cells()
    end = date(year, 12, 31)
    counted = or_(*(and_(EvaluationScore.criterion == c, EvaluationScore.evaluator == e) for c, e in cells))
    scored = (select(EvaluationScore.member_id, func.count().label("n"))
              .where(EvaluationScore.year == year, counted).group_by(EvaluationScore.member_id).subquery())
    full = and_(Member.category == FULL_MEMBER, or_(Member.confirmed_on.is_(None), Member.confirmed_on <= end))
    query = (
        select(Member.org_id, func.count(), func.count().filter(scored.c.n == len(cells)), func.count().filter(full),
               func.count().filter(full, EvaluationGrade.member_id.is_not(None)))
        .select_from(Member)
        .outerjoin(scored, scored.c.member_id == Member.id)
        .outerjoin(EvaluationGrade, and_(EvaluationGrade.year == year, EvaluationGrade.member_id == Member.id))
        # participants (joined by 31 December, not left before 1 January) who did not leave during the year
        .where(Member.joined_on <= end, or_(Member.left_on.is_(None), Member.left_on > end))
        .group_by(Member.org_id)
    )
    sums: dict[int | None, list[int]] = {}
    for org_id, required, done, gradable, graded in session.execute(query):
        line = sums.setdefault(branches.branch(org_id), [0, 0, 0, 0])
        for i, n in enumerate((required, done, gradable, graded)):
            line[i] += n
    return [BranchProgress(b, branches.name(b), *sums[b]) for b in branches.sorted(sums)]


def evaluation_attention(session: Session, today: date, branches: Branches) -> list[Attention]:
    lines: list[Attention] = []
    for year in evaluation_years(today):
        row = session.get(EvaluationYear, year)
        if row is None:
            if year < today.year or today.month >= 10:
                lines.append(Attention(f"{year} 年度星级评定尚未开始：可在“年度记实与评定”中开始该年度的评定。", 2,
                                       "evaluation", year=year))
            continue
        if row.approved_on is not None:
            certificates = session.scalar(select(func.count()).select_from(StarCertificate)
                                          .where(StarCertificate.year == year)) or 0
            lines.append(Attention(f"{year} 年度评定已于 {row.approved_on:%Y-%m-%d} 批准，证书 {certificates} 个。",
                                   2, "evaluation", year=year))
            continue
        level = 1 if year < today.year else 2
        progress = [p for p in evaluation_progress(session, year, branches) if p.required]
        if progress and all(p.complete for p in progress):
            total = sum(p.required for p in progress)
            lines.append(Attention(f"{year} 年度评分和民主评议已全部完成（{total} 人），可提请社区党委批准。", level,
                                   "evaluation", year=year))
            continue
        for p in progress:
            if p.complete:
                continue
            text = f"{p.name}：{year} 年度评分完成 {p.scored}/{p.required} 人"
            if p.gradable:
                text += f"，评议等次 {p.graded}/{p.gradable} 人"
            lines.append(Attention(text + "。", level, "evaluation", p.branch_id, year=year))
    return lines


# ---------------------------------------------------------------- 季度小结


def _quarter_end(year: int, quarter: int) -> date:
    return add_months(date(year, 3 * quarter, 1), 1) - timedelta(days=1)


def summary_attention(session: Session, today: date, branches: Branches) -> list[Attention]:
    """Members without the last complete quarter's summary, one line per branch (see the module)."""
    year, quarter = er.last_complete_quarter(today)
    kind = er.QUARTER_KINDS[quarter - 1]
    label = f"{year} 年{mf.QUARTER_NAMES[quarter - 1]}小结"
    written = session.scalar(select(AnnualNote.id).where(AnnualNote.year == year, AnnualNote.kind == kind).limit(1))
    if written is None:  # nobody has: one line, and no need to list everybody
        owed = session.scalar(select(func.count()).select_from(Member).where(
            Member.status == er.ON_ROLL, Member.joined_on <= _quarter_end(year, quarter))) or 0
        if not owed:
            return []
        return [Attention(f"全社区 {owed} 名党员均未填写 {label}（年度记实）。", 2, "evaluation", year=year)]
    by_branch: dict[int | None, list[str]] = {}
    for row in er.last_quarter_summary_missing(session, today):
        by_branch.setdefault(branches.branch(row.org_id), []).append(row.name)
    return [Attention(f"{branches.name(b)}：{named(by_branch[b])}尚未填写 {label}。", 2, "evaluation", b, year=year)
            for b in branches.sorted(by_branch)]


# ---------------------------------------------------------------- 组织生活


def meeting_attention(session: Session, today: date, facts: list[mf.OrgFacts]) -> list[Attention]:
    found = mf.gaps(session, today, orgs=facts)
    lines = []
    for branch_id, gaps in mf.by_branch(found).items():
        year = gaps[0].year
        when = f"{year} 年" if year != today.year else ""
        lines.append(Attention(f"{gaps[0].branch_name}：{when}{mf.branch_text(gaps)}。", 1, "meetings", branch_id,
                               year=year))
    return lines


# ---------------------------------------------------------------- 党费


@dataclass(frozen=True)
class MemberArrears:
    member_id: int
    name: str
    org_id: int
    months: tuple[date, ...]  # unpaid months that are over, oldest first
    total_fen: int | None  # None: no base recorded, the amount is unknown
    run: int  # unpaid months in a row up to last month (unpaid_run)
    in_hand: bool  # 党籍 stopped or marked 失联: not listed as a new case
    name_sort: str = ""  # the ledger's pinyin key: names are listed in its order


def unpaid_run(months: tuple[date, ...] | list[date], today: date) -> int:
    """How many of ``months`` (firsts of months) follow each other up to the month before today's: the run of
    unpaid months still going on. 0 when last month was paid (or is not among them)."""
    unpaid = {_index(m) for m in months}
    index, run = _index(today) - 1, 0
    while index in unpaid:
        run += 1
        index -= 1
    return run


def _index(month: date) -> int:
    """A month as one integer (year × 12 + month − 1): sets of these are cheap to fill and compare."""
    return month.year * 12 + month.month - 1


def _month(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _month_start(session: Session, column):
    """The first day of the month of a date (or timestamp) column, in SQL: SQLite has no date_trunc."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column, "start of month")
    return func.date_trunc("month", column)


def _window(joined_on: date, created_at, first: date | None, january: date) -> date:
    """The first month a member may owe here: the first base's; without a base the latest of January, the
    month of joining and the month the member came into these records (the base's month is never before
    joining: ``set_dues_base`` refuses it — and a window too wide only lets the rules look at one more)."""
    if first is not None:
        return first
    return max(january, joined_on.replace(day=1), (created_at.date() if created_at else january).replace(day=1))


def dues_arrears(session: Session, today: date) -> list[MemberArrears]:
    """在册 members with unpaid months (see the module's readings), in no particular order.

    One grouped query gives each member's window (``_window`` to last month), the months paid in it and the
    latest: members with every month of it paid are left there. For the others the rules run from the first
    unpaid month (joining moved up to it changes nothing: every month before was paid and the amounts do not
    depend on joining). When the months paid follow each other from the window's start (the usual case: the
    last months are unpaid) that month is known without reading a payment; only members with holes have
    their months read.
    """
    if session.scalar(select(DuesPayment.id).limit(1)) is None and \
            session.scalar(select(MemberDuesBase.id).limit(1)) is None:
        return []  # the office keeps no dues here (yet): nobody is told they owe
    policy = er.dues_policy(session)
    last = add_months(today.replace(day=1), -1)
    last_index = _index(last)
    january = date(today.year, 1, 1)
    firsts = (select(MemberDuesBase.member_id, func.min(MemberDuesBase.effective_from).label("first"))
              .group_by(MemberDuesBase.member_id).subquery())
    since = literal(january, Date)
    # _window in SQL; the month starts are only computed for the few who joined or came this year
    joined = case((Member.joined_on >= january, _month_start(session, Member.joined_on)), else_=since)
    came = case((Member.created_at >= datetime(january.year, 1, 1), _month_start(session, Member.created_at)),
                else_=since)
    unbased = case((came > joined, came), else_=joined)
    # the first base is one per member: aggregated in HAVING only so that GROUP BY members.id suffices
    # (grouping by it too stops SQLite using an index for the join)
    start = func.coalesce(func.max(firsts.c.first), unbased)
    start_index = case((start == since, _index(january)),
                       else_=extract("year", start) * 12 + extract("month", start) - 1)
    months = last_index + 1 - start_index
    paid = func.count(DuesPayment.id)
    execute = session.connection().execute  # Core rows: no ORM loading for thousands of plain tuples
    candidates = execute(
        select(Member.id, Member.name, Member.org_id, Member.joined_on, Member.created_at, Member.standing,
               Member.lost_contact, func.max(firsts.c.first), paid, func.max(DuesPayment.period), Member.name_sort)
        .select_from(Member)
        .outerjoin(firsts, firsts.c.member_id == Member.id)
        .outerjoin(DuesPayment, and_(DuesPayment.member_id == Member.id, DuesPayment.period <= last,
                                     DuesPayment.period >= func.coalesce(firsts.c.first, unbased)))
        .where(Member.status == er.ON_ROLL)
        .group_by(Member.id)
        .having(paid < months)
    ).all()

    result = []
    due_from: dict[date, tuple[date, ...]] = {}
    for begin in range(0, len(candidates), _IN_CHUNK):
        chunk = candidates[begin:begin + _IN_CHUNK]
        starts, known = {}, {}
        for member_id, _name, _org, joined_on, created_at, _standing, _lost, first, count, latest, _key in chunk:
            starts[member_id] = start_month = _window(joined_on, created_at, first, january)
            # the first unpaid month when the months paid follow each other from the start; None: holes
            if not count:
                known[member_id] = _index(start_month)
            elif count == _index(latest) - _index(start_month) + 1:
                known[member_id] = _index(latest) + 1
            else:
                known[member_id] = None
        based = [row[0] for row in chunk if row[7] is not None]
        bases: dict[int, list[dues_rules.DuesBase]] = {}
        if based:
            for member_id, effective_from, category, base_fen, farmer_fen in execute(
                select(MemberDuesBase.member_id, MemberDuesBase.effective_from, MemberDuesBase.category,
                       MemberDuesBase.base_fen, MemberDuesBase.farmer_amount_fen)
                .where(MemberDuesBase.member_id.in_(based))
            ).all():
                bases.setdefault(member_id, []).append(
                    dues_rules.DuesBase(effective_from, category, base_fen, farmer_fen))
        holes = [member_id for member_id, index in known.items() if index is None]
        paid_months: dict[int, set[int]] = defaultdict(set)
        if holes:
            for member_id, period in execute(select(DuesPayment.member_id, DuesPayment.period).where(
                    DuesPayment.member_id.in_(holes), DuesPayment.period <= last)).all():
                paid_months[member_id].add(_index(period))
        for member_id, name, org_id, joined_on, _created, standing, lost, first, _count, _latest, key in chunk:
            start_month, index = starts[member_id], known[member_id]
            if index is None:  # walk to the first month of the window not paid
                paid_set = paid_months[member_id]
                index = _index(start_month)
                while index in paid_set and index <= last_index:
                    index += 1
            else:
                paid_set = set()
            if first is not None:
                index = max(index, _index(joined_on))
                owed = dues_rules.arrears(bases[member_id], [_month(i) for i in paid_set if i >= index],
                                          max(joined_on, _month(index)), today, policy=policy)
                total: int | None = owed.total_fen
            else:
                if start_month not in due_from:  # what the rules count as due from that month: shared by many
                    due_from[start_month] = dues_rules.arrears(
                        [dues_rules.DuesBase(start_month, _STAND_IN)], (), start_month, today).months
                due = due_from[start_month]  # every month from start_month to last, one after another
                unpaid = due[max(0, index - _index(start_month)):]
                if paid_set:
                    unpaid = tuple(m for m in unpaid if _index(m) not in paid_set)
                owed = dues_rules.Arrears(unpaid, 0, None, ())
                total = None
            if owed.months:
                result.append(MemberArrears(member_id, name, org_id, owed.months, total, unpaid_run(owed.months, today),
                                            standing == "停止党籍" or bool(lost), key))
    return result


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def dues_attention(session: Session, today: date, branches: Branches, covered: set[int],
                   org_names: dict[int, str]) -> list[Attention]:
    owing = dues_arrears(session, today)
    lines: list[Attention] = []
    lapsed = sorted((a for a in owing if a.run >= LAPSE_MONTHS and not a.in_hand and a.member_id not in covered),
                    key=lambda a: (-a.run, a.name_sort))
    for a in lapsed[:LISTED_LAPSES]:
        first = add_months(today.replace(day=1), -a.run)
        where = branches.name(branches.branch(a.org_id)) if branches.branch(a.org_id) else org_names.get(a.org_id, "")
        lines.append(Attention(
            f"党员{a.name}（{where}）已连续 {a.run} 个月未交纳党费（{first.year}年{first.month}月起），"
            "达到党章第九条“连续六个月不交纳党费”的界限：请核实有无正当理由并及时处理。",
            0, "dues", member_id=a.member_id))
    if len(lapsed) > LISTED_LAPSES:
        lines.append(Attention(f"另有 {len(lapsed) - LISTED_LAPSES} 名党员已连续六个月以上未交纳党费，请逐一核实处理。",
                               0, "dues"))
    by_branch: dict[int | None, list[MemberArrears]] = {}
    for a in sorted(owing, key=lambda a: a.name_sort):
        by_branch.setdefault(branches.branch(a.org_id), []).append(a)
    for b in branches.sorted(by_branch):
        people = by_branch[b]
        months = sum(len(a.months) for a in people)
        based = [a for a in people if a.total_fen is not None]
        unbased = len(people) - len(based)
        who = named([a.name for a in people])
        text = f"{branches.name(b)}：{who}欠缴党费，共 {months} 个月"
        money = _yuan(sum(a.total_fen or 0 for a in based))
        if based and not unbased:
            text += f"，合计 {money} 元"
        elif based:
            text += f"，其中已设党费基数的 {len(based)} 名合计 {money} 元"
        if unbased:
            text += f"（{'均' if not based else f'{unbased} 名'}未设党费基数，按今年未交的月份计）"
        # a branch where everyone owes only last month is the usual lag (dues paid at the next 主题党日): info
        lagging = all(len(a.months) == 1 and a.run == 1 for a in people)
        lines.append(Attention(text + "。", 2 if lagging else 1, "dues", b))
    return lines


def dues_lines(session: Session, today: date, context: DuesContext) -> list[Attention]:
    """The 党费 lines ``summary`` leaves out with ``dues=False`` (in their order: ``with_dues`` merges them)."""
    return dues_attention(session, today, context.branches, set(context.covered), dict(context.names))


AFTER_DUES = frozenset({"settings"})  # areas whose lines ``summary`` lists after the 党费 lines of their level


def with_dues(attention: list[Attention], dues: list[Attention]) -> list[Attention]:
    """``summary(..., dues=False).attention`` with the 党费 lines where ``summary()`` puts them: by level, and
    within a level after the other areas' lines but before the settings'. The objects are kept, not copied."""

    def rank(a: Attention) -> tuple[int, int]:
        return a.level, 2 if a.area in AFTER_DUES else 1 if a.area == "dues" else 0

    return sorted([*attention, *dues], key=rank)  # stable: each area keeps its order


def summary(session: Session, today: date, *, dues: bool = True) -> Summary:
    """The workbench's figures and lines. ``dues=False`` leaves out the 党费 lines (the slow part at district
    scale; see the module): ``dues_lines(session, today, result.dues)`` computes them, ``with_dues`` merges."""
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
    floating_lines, covered = _floating_lines(session, today, names)
    attention.extend(floating_lines)
    facts = mf.org_facts(session)
    branches = Branches.from_orgs(facts)
    attention.extend(evaluation_attention(session, today, branches))
    attention.extend(summary_attention(session, today, branches))
    attention.extend(meeting_attention(session, today, facts))
    if not values.operator_name:
        attention.append(Attention("尚未设置当前操作员：修改记录中将无法看出是谁操作的。", 2, "settings"))
    if not values.committee_name:
        attention.append(Attention("尚未设置党组织落款名称：打印的文件将缺少落款。", 2, "settings"))
    attention.sort(key=lambda a: a.level)
    context = DuesContext(branches, frozenset(covered), names)
    if dues:
        attention = with_dues(attention, dues_lines(session, today, context))
    return Summary(
        community_name=values.community_name,
        committee_name=values.committee_name,
        org_counts={kind: n for kind, n in counts.items() if n},
        total_orgs=sum(counts.values()),
        member_figures=member_figures(session),
        attention=attention,
        dues=context,
        dues_included=dues,
    )
