"""党员年度档案 — what the printed annual file of each member shows, read from a session into plain data.

:func:`collect_annual` is the only function here that takes a session; the renderer
(``app.reports.annual_file``) takes the :class:`AnnualFile` rows it returns. No ReportLab here.

Readings (each one a choice):

- **Who**: the members evaluated in the year (``app.evaluation_year.participants``: on the roll at some
  time of it), in tree order then name (pinyin); limited to ``member_ids`` and/or the subtree of
  ``org_id``. A member asked for who was not on the roll that year is left out (``year_record`` refuses
  such a year).
- **The year's record** agrees with ``app.evaluation_records.year_record`` (a test compares them), but is
  read for all members at once: ``year_record`` costs about 11 ms a member (a dozen queries, the whole
  organisation table each time), 11 s for 1,000. Here a few grouped queries per 500 members, the year's
  meetings and the tree once — the same route as ``year_facts``, and through the same helpers of
  ``app.evaluation_records`` so the rules (who owes which meeting, which months are due) live in one place.
- **Basic information** is the member's record today, except 人员类别 and 转正日期, which are those at the
  end of the year (or the day the member left): a member confirmed the next March is a 预备党员 in this
  year's file, without a 转正日期. The ID number is printed whole: this is the member's own file.
- **Evaluation**: the year's row of the grid (``grid`` for many members, ``grid_row`` for a few): 民主评议
  grade (预备党员 are not graded), the weighted total, the final stars (after the adjustment and the
  grade's cap), the certificate number; empty when the year's evaluation was never opened.
- ``has_records`` is false when the member has nothing for the year: no note, no 组织生活 held for them,
  no volunteer service, no 双报到, no dues due or paid, no reward or discipline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app import dues_rules, orgs
from app import evaluation_records as er
from app import evaluation_year as ey
from app.dues_rules import DuesBase
from app.errors import ValidationError
from app.evaluation import FULL_MEMBER
from app.meetings import MEETING_KINDS
from db.models import (
    AnnualNote,
    DualReport,
    DuesPayment,
    EvaluationYear,
    Meeting,
    MeetingAttendee,
    Member,
    MemberDuesBase,
    MemberPhoto,
    Organization,
    RewardDiscipline,
    VolunteerService,
)

_CHUNK = 500  # member ids per IN (…) list
_FEW = 50  # up to this many members the evaluation is read row by row (grid_row), else the whole grid
RECORD_KINDS = tuple(kind for kind in er.NOTE_KINDS if kind != er.SECRETARY)  # 年度记实, in print order


# ---------------------------------------------------------------- the rows


@dataclass(frozen=True)
class BasicInfo:
    """The national items that matter on the file, plus 工作单位及职务 and 党内职务."""

    name: str
    sex: str
    ethnicity: str
    birth_date: date | None
    id_number: str
    education: str
    category: str  # at the end of the year (or the day the member left)
    org_path: str  # the member's organisation below the community's top organisation
    branch: str  # the 党支部 holding the 评议 (全社区 when none above)
    joined_on: date
    confirmed_on: date | None  # only when confirmed by the end of the year
    occupation: str  # 工作岗位
    employer: str  # 工作单位及职务
    mobile: str
    landline: str
    address: str
    standing: str  # 党籍状态: 正常 / 停止党籍
    party_post: str  # 党内职务
    status: str  # 在册 / 转出 / 出党 / 死亡 (now)
    left_on: date | None
    left_in_year: bool

    @property
    def phone(self) -> str:
        return " ".join(p for p in (self.mobile, self.landline) if p)

    @property
    def id_tail(self) -> str:
        return self.id_number[-4:]


@dataclass(frozen=True)
class NoteEntry:
    kind: str
    text: str
    written_by: str
    written_on: date


@dataclass(frozen=True)
class AttendanceEntry:
    kind: str  # a meeting kind, or 合计
    held: int  # 应参加
    attended: int  # 实参加

    @property
    def absent(self) -> int:
        return self.held - self.attended

    @property
    def rate_text(self) -> str:
        """出勤率 as printed: 87.5%, or 无 when nothing was held."""
        if not self.held:
            return "无"
        return f"{Decimal(100 * self.attended) / self.held:.1f}".removesuffix(".0") + "%"


@dataclass(frozen=True)
class AbsenceEntry:
    held_on: date
    kind: str
    org_name: str
    topic: str
    reason: str  # empty: not ticked, no reason given


@dataclass(frozen=True)
class VolunteerEntry:
    served_on: date
    activity: str
    hours_tenths: int
    note: str

    @property
    def hours(self) -> str:
        return er.format_hours(self.hours_tenths)


@dataclass(frozen=True)
class DualReportEntry:
    employer: str
    reported_on: date
    ended_on: date | None
    wishes: str
    note: str


@dataclass(frozen=True)
class DuesMonth:
    month: int  # 1–12
    due_fen: int | None  # None: not due (before joining or the first base, after leaving, no base)
    paid_fen: int | None  # None: nothing paid for the month
    paid_on: date | None  # the (latest) day paid
    in_arrears: bool  # over and unpaid on the day of collecting

    @property
    def status(self) -> str:
        """已缴 / 欠缴 / 未到期 / 无 (not due)."""
        if self.paid_fen is not None:
            return "已缴"
        if self.in_arrears:
            return "欠缴"
        if self.due_fen:
            return "未到期"
        return "无"


@dataclass(frozen=True)
class DuesSummary:
    policy: str
    standards: tuple[str, ...]  # the bases in force in the year: "2025年1月起：在职，每月 30.00 元"
    months: tuple[DuesMonth, ...]  # twelve, January first
    due_fen: int
    paid_fen: int
    arrears_months: tuple[int, ...]  # month numbers over and unpaid
    arrears_fen: int
    beyond_back_payment: tuple[int, ...]  # of those, the months that can no longer be paid back

    @property
    def has_base(self) -> bool:
        return bool(self.standards)

    @property
    def arrears_text(self) -> str:
        """欠缴情况 in one line: 无, or 欠缴 2 个月（3月、4月），共 60.00 元."""
        if not self.arrears_months:
            return "无"
        months = "、".join(f"{m}月" for m in self.arrears_months)
        text = f"欠缴 {len(self.arrears_months)} 个月（{months}），共 {yuan(self.arrears_fen)} 元"
        if self.beyond_back_payment:
            text += f"；其中 {len(self.beyond_back_payment)} 个月已超过补交期限"
        return text


@dataclass(frozen=True)
class RewardEntry:
    kind: str  # 奖励 / 处分
    decided_on: date
    title: str
    decided_by: str
    note: str


@dataclass(frozen=True)
class EvaluationEntry:
    """The year's 民主评议 and 星级评定 of the member (all None while the year was never opened)."""

    opened: bool
    graded: bool  # a 正式党员 at year end takes part in 民主评议; 预备党员 are rated only
    grade: str | None
    grade_decided_on: date | None
    total: Decimal | None  # the weighted total, None while incomplete
    stars: int | None  # final stars
    adjustment: int | None
    adjustment_reason: str
    certificate: str | None
    approved_on: date | None


@dataclass(frozen=True)
class AnnualFile:
    member_id: int
    year: int
    made_on: date  # 建档日期: the day collected
    as_of: date  # attendance and arrears counted up to this day (31 December of a past year)
    basics: BasicInfo
    photo: bytes | None
    notes: tuple[NoteEntry, ...]  # 年度记实 (quarters, half-years, year end) in RECORD_KINDS order, written only
    secretary_comment: NoteEntry | None
    attendance: tuple[AttendanceEntry, ...]  # per meeting kind held, in MEETING_KINDS order
    absences: tuple[AbsenceEntry, ...]  # oldest first
    volunteer: tuple[VolunteerEntry, ...]
    dual_reports: tuple[DualReportEntry, ...]
    dues: DuesSummary
    rewards: tuple[RewardEntry, ...]
    evaluation: EvaluationEntry

    @property
    def name(self) -> str:
        return self.basics.name

    @property
    def volunteer_hours_tenths(self) -> int:
        return sum(v.hours_tenths for v in self.volunteer)

    @property
    def attendance_total(self) -> AttendanceEntry:
        return AttendanceEntry("合计", sum(a.held for a in self.attendance), sum(a.attended for a in self.attendance))

    @property
    def has_records(self) -> bool:
        return bool(self.notes or self.secretary_comment or self.attendance or self.volunteer or self.dual_reports
                    or self.dues.due_fen or self.dues.paid_fen or self.rewards)


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


# ---------------------------------------------------------------- collecting


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def _org_labels(session: Session) -> dict[int, str]:
    """Each organisation as printed: its path below the top organisation (the top one by its name)."""
    labels = {}
    for node in orgs.list_tree(session, include_dissolved=True):
        parts = node.path.split(orgs.PATH_SEPARATOR)
        labels[node.id] = orgs.PATH_SEPARATOR.join(parts[1:]) if len(parts) > 1 else node.name
    return labels


def _participants(session: Session, year: int, member_ids: list[int] | None,
                  org_id: int | None) -> list[ey.Participant]:
    if member_ids is not None and len(member_ids) <= _CHUNK:
        people = ey.participants(session, year, member_ids)
    else:
        people = ey.participants(session, year)
        if member_ids is not None:
            wanted = set(member_ids)
            people = [p for p in people if p.member_id in wanted]
    if org_id is not None:
        from app.members import subtree_ids

        subtree = set(subtree_ids(session, org_id))
        people = [p for p in people if p.org_id in subtree]
    return people


def _evaluations(session: Session, year: int, people: Sequence[ey.Participant]) -> dict[int, EvaluationEntry]:
    row = session.get(EvaluationYear, year)
    if row is None:
        return {}
    if len(people) > _FEW:
        wanted = {p.member_id for p in people}
        rows = [r for r in ey.grid(session, year).rows if r.member_id in wanted]
    else:
        rows = [ey.grid_row(session, year, p.member_id) for p in people]
    result = {}
    for r in rows:
        graded = r.participant.graded
        result[r.member_id] = EvaluationEntry(
            opened=True, graded=graded, grade=r.grade if graded else None,
            grade_decided_on=r.grade_decided_on if graded else None, total=r.result.total, stars=r.final_stars,
            adjustment=r.adjustment, adjustment_reason=r.adjustment_reason, certificate=r.certificate,
            approved_on=row.approved_on,
        )
    return result


def _standards(rules: Sequence[DuesBase], schedule: Mapping[date, int], policy: str) -> tuple[str, ...]:
    """The due months grouped by the base that sets them (under the policy): "1月至6月：在职，每月 30.00 元"."""
    runs: list[list] = []  # [first month, last month, category, monthly fen]
    for month in sorted(schedule):
        base = dues_rules.base_in_force(rules, month, policy=policy)
        key = (base.category if base else "", schedule[month])
        if runs and runs[-1][1] == month.month - 1 and tuple(runs[-1][2:]) == key:
            runs[-1][1] = month.month
        else:
            runs.append([month.month, month.month, *key])
    texts = []
    for first, last, category, fen in runs:
        when = "全年" if (first, last) == (1, 12) else (f"{first}月" if first == last else f"{first}月至{last}月")
        texts.append(f"{when}：{category}，每月 {yuan(fen)} 元")
    return tuple(texts)


def collect_annual(session: Session, year: int, member_ids: list[int] | None = None, org_id: int | None = None, *,
                   today: date | None = None) -> list[AnnualFile]:
    """The annual files of ``year`` — of ``member_ids`` or the members of ``org_id``'s subtree (or everyone),
    each limited to the members on the roll that year — in tree order then name. See the module's readings."""
    today = today or date.today()
    if year > today.year:
        raise ValidationError(f"{year} 年尚未开始，没有年度档案。", "year")
    people = _participants(session, year, list(member_ids) if member_ids is not None else None, org_id)
    if not people:
        return []
    first, as_of = er._window(year, today)
    year_end = date(year, 12, 31)
    labels = _org_labels(session)
    parents = er._parents(session)
    policy = er.dues_policy(session)
    evaluations = _evaluations(session, year, people)

    # The year's meetings every member of an organisation (and those below it) owes, once.
    meeting_info: dict[int, tuple] = {}
    by_org: dict[int, list[tuple[int, date]]] = defaultdict(list)
    columns = (Meeting.id, Meeting.org_id, Meeting.held_on, Meeting.kind, Meeting.topic, Organization.name)
    in_window = and_(Meeting.held_on >= first, Meeting.held_on <= as_of)
    if first <= as_of:
        for row in session.execute(select(*columns).join(Organization, Organization.id == Meeting.org_id)
                                   .where(in_window, Meeting.kind.in_(er.ALL_MEMBER_KINDS))):
            meeting_info[row[0]] = tuple(row)
            by_org[row[1]].append((row[0], row[2]))
    kind_order = {kind: i for i, kind in enumerate(MEETING_KINDS)}
    note_order = {kind: i for i, kind in enumerate(er.NOTE_KINDS)}
    chains: dict[int, list[int]] = {}

    files: list[AnnualFile] = []
    ids = [p.member_id for p in people]
    for chunk in _chunks(ids):
        members = {m.id: m for m in session.execute(
            select(Member.id, Member.name, Member.sex, Member.ethnicity, Member.birth_date, Member.id_number,
                   Member.education, Member.joined_on, Member.confirmed_on, Member.occupation, Member.employer,
                   Member.mobile, Member.landline, Member.address, Member.standing, Member.party_post,
                   Member.status, Member.left_on).where(Member.id.in_(chunk)))}
        photos = dict(session.execute(select(MemberPhoto.member_id, MemberPhoto.data)
                                      .where(MemberPhoto.member_id.in_(chunk))).all())
        notes: dict[int, list[NoteEntry]] = defaultdict(list)
        for member_id, kind, text, by, on in session.execute(
                select(AnnualNote.member_id, AnnualNote.kind, AnnualNote.text, AnnualNote.written_by,
                       AnnualNote.written_on).where(AnnualNote.member_id.in_(chunk), AnnualNote.year == year)):
            notes[member_id].append(NoteEntry(kind, text, by, on))
        rows: dict[int, dict[int, tuple[bool, str]]] = defaultdict(dict)
        if first <= as_of:
            for *info, member_id, present, reason in session.execute(
                select(*columns, MeetingAttendee.member_id, MeetingAttendee.present, MeetingAttendee.absence_reason)
                .select_from(MeetingAttendee)
                .join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
                .join(Organization, Organization.id == Meeting.org_id)
                .where(MeetingAttendee.member_id.in_(chunk), in_window)
            ):
                meeting_info[info[0]] = tuple(info)
                rows[member_id][info[0]] = (bool(present), reason or "")
        volunteer: dict[int, list[VolunteerEntry]] = defaultdict(list)
        for member_id, served_on, activity, tenths, note in session.execute(
            select(VolunteerService.member_id, VolunteerService.served_on, VolunteerService.activity,
                   VolunteerService.hours_tenths, VolunteerService.note)
            .where(VolunteerService.member_id.in_(chunk), VolunteerService.served_on >= date(year, 1, 1),
                   VolunteerService.served_on <= year_end)
            .order_by(VolunteerService.served_on, VolunteerService.id)
        ):
            volunteer[member_id].append(VolunteerEntry(served_on, activity, tenths, note))
        dual: dict[int, list[DualReportEntry]] = defaultdict(list)
        for member_id, employer, reported_on, ended_on, wishes, note in session.execute(
            select(DualReport.member_id, DualReport.employer, DualReport.reported_on, DualReport.ended_on,
                   DualReport.wishes, DualReport.note)
            .where(DualReport.member_id.in_(chunk), DualReport.reported_on <= year_end,
                   or_(DualReport.ended_on.is_(None), DualReport.ended_on >= date(year, 1, 1)))
            .order_by(DualReport.reported_on, DualReport.id)
        ):
            dual[member_id].append(DualReportEntry(employer, reported_on, ended_on, wishes, note))
        rewards: dict[int, list[RewardEntry]] = defaultdict(list)
        for member_id, kind, decided_on, title, decided_by, note in session.execute(
            select(RewardDiscipline.member_id, RewardDiscipline.kind, RewardDiscipline.decided_on,
                   RewardDiscipline.title, RewardDiscipline.decided_by, RewardDiscipline.note)
            .where(RewardDiscipline.member_id.in_(chunk), RewardDiscipline.decided_on >= date(year, 1, 1),
                   RewardDiscipline.decided_on <= year_end)
            .order_by(RewardDiscipline.decided_on, RewardDiscipline.id)
        ):
            rewards[member_id].append(RewardEntry(kind, decided_on, title, decided_by, note))
        rules: dict[int, list[DuesBase]] = defaultdict(list)
        for member_id, effective_from, category, base_fen, farmer_fen in session.execute(
            select(MemberDuesBase.member_id, MemberDuesBase.effective_from, MemberDuesBase.category,
                   MemberDuesBase.base_fen, MemberDuesBase.farmer_amount_fen)
            .where(MemberDuesBase.member_id.in_(chunk))
        ):
            rules[member_id].append(DuesBase(effective_from, category, base_fen, farmer_fen))
        payments: dict[int, list[tuple[date, int, date]]] = defaultdict(list)
        for member_id, period, amount, paid_on in session.execute(
            select(DuesPayment.member_id, DuesPayment.period, DuesPayment.amount_fen, DuesPayment.paid_on)
            .where(DuesPayment.member_id.in_(chunk), DuesPayment.period >= date(year, 1, 1),
                   DuesPayment.period <= date(year, 12, 1))
        ):
            payments[member_id].append((period, amount, paid_on))

        by_id = {p.member_id: p for p in people if p.member_id in members}
        for member_id in chunk:
            person, m = by_id.get(member_id), members.get(member_id)
            if person is None or m is None:
                continue
            span = er._Span(m.joined_on, m.status, m.left_on)
            chain = chains.get(person.org_id)
            if chain is None:
                chain = chains[person.org_id] = er._chain(parents, person.org_id)
            own = rows.get(member_id, {})
            counts: dict[str, list[int]] = {}
            absences = []
            for meeting_id in er._held_for(span, chain, by_org, own):
                _id, _org, day, kind, topic, org_name = meeting_info[meeting_id]
                present, reason = own.get(meeting_id, (False, ""))
                line = counts.setdefault(kind, [0, 0])
                line[0] += 1
                line[1] += present
                if not present:
                    absences.append((day, meeting_id, AbsenceEntry(day, kind, org_name, topic, reason)))
            attendance = tuple(AttendanceEntry(kind, held, attended) for kind, (held, attended)
                               in sorted(counts.items(), key=lambda c: (kind_order.get(c[0], 99), c[0])))
            absences.sort(key=lambda a: a[:2])

            mine = sorted(notes.get(member_id, ()), key=lambda n: note_order.get(n.kind, len(note_order)))
            comment = next((n for n in mine if n.kind == er.SECRETARY), None)
            files.append(AnnualFile(
                member_id=member_id, year=year, made_on=today, as_of=as_of,
                basics=_basics(m, person, labels, year_end),
                photo=photos.get(member_id),
                notes=tuple(n for n in mine if n.kind != er.SECRETARY),
                secretary_comment=comment,
                attendance=attendance,
                absences=tuple(a for *_, a in absences),
                volunteer=tuple(volunteer.get(member_id, ())),
                dual_reports=tuple(dual.get(member_id, ())),
                dues=_dues(rules.get(member_id, []), payments.get(member_id, []), span, year, today, policy),
                rewards=tuple(rewards.get(member_id, ())),
                evaluation=evaluations.get(member_id) or EvaluationEntry(
                    False, person.graded, None, None, None, None, None, "", None, None),
            ))
    return files


def _basics(m, person: ey.Participant, labels: Mapping[int, str], year_end: date) -> BasicInfo:
    on = m.left_on if person.left_in_year and m.left_on is not None else year_end
    confirmed = m.confirmed_on if m.confirmed_on is not None and m.confirmed_on <= on else None
    return BasicInfo(
        name=m.name, sex=m.sex, ethnicity=m.ethnicity, birth_date=m.birth_date, id_number=m.id_number,
        education=m.education, category=person.category, org_path=labels.get(person.org_id, person.org_name),
        branch=person.branch_name, joined_on=m.joined_on,
        confirmed_on=confirmed if person.category == FULL_MEMBER else None,
        occupation=m.occupation, employer=m.employer, mobile=m.mobile, landline=m.landline, address=m.address,
        standing=m.standing, party_post=m.party_post, status=m.status, left_on=m.left_on,
        left_in_year=person.left_in_year,
    )


def _dues(rules: list[DuesBase], paid: list[tuple[date, int, date]], span, year: int, today: date,
          policy: str) -> DuesSummary:
    left_on = span.left_on if span.status != er.ON_ROLL else None
    schedule = dues_rules.year_schedule(rules, year, span.joined_on, left_on, policy=policy) if rules else {}
    owed = er._year_arrears(rules, [p for p, _, _ in paid], span, year, today, policy) if rules else None
    owed_months = {d.month for d in owed.months} if owed else set()
    paid_by_month: dict[int, tuple[int, date]] = {}
    for period, amount, paid_on in paid:
        fen, on = paid_by_month.get(period.month, (0, paid_on))
        paid_by_month[period.month] = (fen + amount, max(on, paid_on))
    months = []
    for month in range(1, 13):
        fen_on = paid_by_month.get(month)
        months.append(DuesMonth(month, schedule.get(date(year, month, 1)), fen_on[0] if fen_on else None,
                                fen_on[1] if fen_on else None, month in owed_months))
    return DuesSummary(
        policy=policy, standards=_standards(rules, schedule, policy), months=tuple(months),
        due_fen=sum(schedule.values()), paid_fen=sum(a for _, a, _ in paid),
        arrears_months=tuple(sorted(owed_months)), arrears_fen=owed.total_fen if owed else 0,
        beyond_back_payment=tuple(d.month for d in owed.beyond_back_payment) if owed else (),
    )


__all__ = [
    "AbsenceEntry", "AnnualFile", "AttendanceEntry", "BasicInfo", "DualReportEntry", "DuesMonth", "DuesSummary",
    "EvaluationEntry", "NoteEntry", "RECORD_KINDS", "RewardEntry", "VolunteerEntry", "collect_annual", "yuan",
]
