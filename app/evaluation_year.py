"""年度记实与评定: one year's 民主评议 (grades) and 星级评定 (scores, stars, approval, certificates).

The rules themselves live in ``app.evaluation`` (pure, no database); this module stores and reads them.

Who is evaluated (``participants``): every ledger member 在册 at some time in the year — joined on or
before 31 December and not left before 1 January — in tree order, then by name (pinyin). A member who
left during the year (转出/出党/死亡) is kept and marked; one who joined during it is marked too. The
category is the one *at year end* (or on the day the member left): a member who joined in March and was
confirmed the next March is a 预备党员 for this year — rated, not graded.

The year (``open_year``) is one row for the whole community with its scheme (JSON), created with
``DEFAULT_SCHEME`` on first use. Approving it locks every edit of the year until an unlock (with a reason).

Decisions:

- **One third per branch.** The 评议 is held by the branch, so 优秀 is counted among the graded members of
  the member's *branch*: the nearest ancestor-or-self organisation of kind 党支部/联合党支部/临时党支部
  (a 党小组's members count with their branch); members of an organisation with no branch above it
  (directly under the 党委) form one group, 全社区. A grade that would push the branch's share above one
  third is refused with the figures; when a branch is already over (members moved between branches after
  grading) a change that does not make it worse is allowed, and approval refuses until it is fixed.
- **Scheme changes keep scores.** A criterion removed keeps its stored scores (they no longer count and
  are reported, ``SchemeReport.uncounted``; re-adding the same name counts them again). A rename moves
  its scores only when asked (``renames={"old": "new"}``) — no guessing. Lowering a criterion's points
  below a stored score is refused (the score would otherwise be silently invalid). Every change is
  logged with the operator (area ``evaluation``, entity = the year).
- **Adjusted stars obey the caps.** The branch may set stars 1–5 with a reason; an adjustment above the
  member's grade cap is refused, and if the grade later changes the cap still applies to the final stars.
  Final stars exist only for a complete total.
- **Approval.** Refused, with counts and names, while a member's total is incomplete, a 正式党员 is not
  graded, or a branch has too many 优秀. Members who left during the year are kept in the grid but are
  neither required nor given certificate numbers (they were not in the community when it was approved).
  Numbers go in tree order to final stars ≥ the scheme's ``certificate_min_stars``; every number given
  before is kept (``assign_certificates``), also for a member whose stars fell after an unlock.
- **Speed.** ``grid`` reads the year in a few grouped queries — the scores as a pivot, one row of ints per
  member — and sums stored tenths in integers (they were checked by ``parse_score`` on the way in and by
  ``set_scheme`` on a points change), giving exactly what ``app.evaluation.total`` gives (a test compares
  them; ``total`` itself re-parses every cell and alone takes about 0.45 s for 3,000 members). 3,000 members
  with 20 cells each: about 0.25 s on a busy two-core machine; ``grid_row`` recomputes one row in ~5 ms.
- **Log.** Everything is logged in area ``evaluation`` with the *year* as the entity id (the member is
  named in the detail), so ``audit.entries(session, "evaluation", year)`` is the year's history. A block
  of scores is one entry (its first ten cells, old → new, and the count).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, false, func, not_, or_, select, update
from sqlalchemy.orm import Session

from app import audit
from app.changes import EVALUATION, Changes
from app.errors import AppError, NotFoundError, ValidationError
from app.evaluation import (
    DEFAULT_SCHEME,
    EVALUATORS,
    EXCELLENT,
    FULL_MEMBER,
    PROBATIONARY,
    STAR_NAMES,
    Cell,
    Scheme,
    TotalResult,
    assign_certificates,
    check_excellent_share,
    check_score,
    excellent_limit,
    grade_errors,
    parse_score,
    scheme_from_dict,
    scheme_to_dict,
    score_from_tenths,
    score_to_tenths,
    stars_for,
    validate_scheme,
)
from app.members import BRANCH_KINDS
from app.settings import get_value
from db.models import (
    EvaluationGrade,
    EvaluationScore,
    EvaluationYear,
    Member,
    Organization,
    StarAdjustment,
    StarCertificate,
)

AUDIT_AREA = "evaluation"
COMMUNITY = "全社区"  # the one-third group of members with no branch above them
FIRST_YEAR = 1921
REASON_LIMIT = 500
_NAMES_SHOWN = 5
_LOGGED_CELLS = 10
_CHUNK = 500  # member ids per IN (…) list

ScoreCell = tuple[int, str, str]  # (member id, criterion, evaluator)


class LockedError(AppError):
    """The year is approved: nothing of it may change until it is unlocked."""


# ---------------------------------------------------------------- rows


@dataclass(frozen=True)
class Participant:
    member_id: int
    name: str
    name_sort: str
    org_id: int
    org_name: str
    branch_id: int | None  # the 党支部 holding the 评议 (None: 全社区)
    branch_name: str
    category: str  # at year end (or on the day the member left)
    joined_on: date
    joined_in_year: bool
    status: str  # the member's status now (在册 / 转出 / 出党 / 死亡)
    left_on: date | None
    left_in_year: bool  # left on or before 31 December: kept in the year, marked, not required

    @property
    def graded(self) -> bool:
        """Takes part in 民主评议 (a 正式党员 at year end); 预备党员 are rated only."""
        return self.category == FULL_MEMBER

    @property
    def mark(self) -> str:
        """What the grid shows beside the name: 2025-03-10转出 / 年内入党 / 预备党员."""
        parts = []
        if self.left_in_year and self.left_on is not None:
            parts.append(f"{self.left_on:%Y-%m-%d}{self.status}")
        if self.joined_in_year:
            parts.append("年内入党")
        if self.category == PROBATIONARY:
            parts.append("预备党员")
        return "，".join(parts)


@dataclass(frozen=True)
class GridRow:
    participant: Participant
    scores: dict[Cell, int]  # tenths, the cells the scheme counts
    result: TotalResult
    stars_by_total: int | None  # None while the total is incomplete
    computed_stars: int | None  # after the grade's cap
    capped_by: str | None
    awaiting_grade: bool
    star_reason: str
    adjustment: int | None
    adjustment_reason: str
    final_stars: int | None  # the adjustment (capped) or the computed stars; None while incomplete
    grade: str | None
    grade_decided_on: date | None
    certificate: str | None

    @property
    def member_id(self) -> int:
        return self.participant.member_id


@dataclass(frozen=True)
class Grid:
    year: int
    scheme: Scheme
    approved_on: date | None
    approved_by: str
    rows: list[GridRow]
    uncounted: dict[Cell, int] = field(default_factory=dict)  # stored scores the scheme no longer counts

    @property
    def locked(self) -> bool:
        return self.approved_on is not None


@dataclass(frozen=True)
class SchemeReport:
    renamed: dict[str, str]  # old criterion → new, with their scores moved
    moved: int  # scores moved by the renames
    uncounted: dict[Cell, int]  # stored scores kept but not counted under the new scheme


# ---------------------------------------------------------------- the year


def _operator(session: Session) -> str:
    return get_value(session, "operator_name").strip()[:64] or "未设置"


def _year_row(session: Session, year: int) -> EvaluationYear:
    row = session.get(EvaluationYear, year)
    if row is None:
        raise NotFoundError(f"{year} 年度的评定尚未开始，请先打开该年度。")
    return row


def _unlocked(session: Session, year: int) -> EvaluationYear:
    row = _year_row(session, year)
    if row.approved_on is not None:
        by = f"，{row.approved_by}" if row.approved_by else ""
        raise LockedError(f"{year} 年度评定已批准（{row.approved_on:%Y-%m-%d}{by}），已锁定；"
                          "如需修改，请先解锁。")
    return row


def _scheme(row: EvaluationYear) -> Scheme:
    return scheme_from_dict(json.loads(row.scheme))


def _dump(scheme: Scheme) -> str:
    return json.dumps(scheme_to_dict(scheme), ensure_ascii=False, sort_keys=True)


def open_year(session: Session, year: int, *, today: date | None = None) -> EvaluationYear:
    """The year's row, created with ``DEFAULT_SCHEME`` on first use; a year in the future is refused."""
    today = today or date.today()
    if isinstance(year, bool) or not isinstance(year, int) or year < FIRST_YEAR:
        raise ValidationError("年度不正确。", "year")
    if year > today.year:
        raise ValidationError(f"{year} 年还没有到，不能开始该年度的评定。", "year")
    row = session.get(EvaluationYear, year)
    if row is None:
        row = EvaluationYear(year=year, scheme=_dump(DEFAULT_SCHEME), approved_on=None, approved_by="")
        session.add(row)
        session.flush()
        audit.log(session, AUDIT_AREA, year, "开始年度评定", f"{year} 年度，采用默认评定方案")
    return row


def scheme(session: Session, year: int) -> Scheme:
    """The year's scheme (the year must be open)."""
    return _scheme(_year_row(session, year))


def is_locked(session: Session, year: int) -> bool:
    return _year_row(session, year).approved_on is not None


# ---------------------------------------------------------------- participants


def _category_at(category: str, confirmed_on: date | None, on: date) -> str:
    if category == FULL_MEMBER and confirmed_on is not None and confirmed_on > on:
        return PROBATIONARY
    return category


def _branches(session: Session) -> dict[int, tuple[int | None, str]]:
    """Organisation id → its branch (nearest ancestor-or-self of a branch kind), or (None, 全社区)."""
    orgs = {oid: (parent, kind, name) for oid, parent, kind, name in session.execute(
        select(Organization.id, Organization.parent_id, Organization.kind, Organization.name))}
    found: dict[int, tuple[int | None, str]] = {}

    def branch(org_id: int) -> tuple[int | None, str]:
        path = []
        current: int | None = org_id
        result: tuple[int | None, str] = (None, COMMUNITY)
        while current is not None and current in orgs:
            if current in found:
                result = found[current]
                break
            path.append(current)
            parent, kind, name = orgs[current]
            if kind in BRANCH_KINDS:
                result = (current, name)
                break
            current = parent
        for oid in path:
            found[oid] = result
        return result

    for org_id in orgs:
        branch(org_id)
    return found


def participants(session: Session, year: int, member_ids: Iterable[int] | None = None) -> list[Participant]:
    """The members evaluated in ``year``, in tree order then name: 在册 at some time in the year.

    ``member_ids`` limits the answer to those members (still only participants).
    """
    start, end = date(year, 1, 1), date(year, 12, 31)
    query = (
        select(Member.id, Member.name, Member.name_sort, Member.org_id, Organization.name, Member.category,
               Member.confirmed_on, Member.joined_on, Member.status, Member.left_on)
        .join(Organization, Organization.id == Member.org_id)
        .where(Member.joined_on <= end, or_(Member.left_on.is_(None), Member.left_on >= start))
        .order_by(Organization.tree_rank, Member.name_sort, Member.id)
    )
    if member_ids is not None:
        query = query.where(Member.id.in_(list(member_ids)))
    branches = _branches(session)
    result = []
    for (member_id, name, name_sort, org_id, org_name, category, confirmed_on, joined_on, status,
         left_on) in session.execute(query):
        left_in_year = left_on is not None and left_on <= end
        on = left_on if left_in_year else end
        branch_id, branch_name = branches.get(org_id, (None, COMMUNITY))
        result.append(Participant(
            member_id, name, name_sort, org_id, org_name, branch_id, branch_name,
            _category_at(category, confirmed_on, on), joined_on, joined_on >= start, status, left_on,
            left_in_year,
        ))
    return result


def _participant(session: Session, year: int, member_id: int) -> Participant:
    found = participants(session, year, [member_id])
    if not found:
        member = session.get(Member, member_id)
        if member is None:
            raise NotFoundError(f"找不到编号为 {member_id} 的党员。")
        raise ValidationError(f"“{member.name}”{year} 年度不在册，不参加该年度的评定。", "member_id")
    return found[0]


# ---------------------------------------------------------------- the scheme


def _stars_text(stars: int) -> str:
    return STAR_NAMES.get(stars, str(stars))


def _scheme_parts(s: Scheme) -> dict[str, str]:
    return {
        "评分项": "、".join(f"{c.name} {c.points} 分" for c in s.criteria),
        "权重": "、".join(f"{e} {w}%" for e, w in s.weights),
        "星级分数线": "、".join(f"{_stars_text(st)} {m} 分" for m, st in s.thresholds),
        "星级上限": "、".join(f"{g} 最高{_stars_text(st)}" for g, st in s.caps) or "无",
        "颁发证书": f"{_stars_text(s.certificate_min_stars)}及以上",
    }


def stored_cells(session: Session, year: int) -> dict[Cell, int]:
    """How many scores are stored per (criterion, evaluator) in the year, counted by the scheme or not."""
    return {(c, e): n for c, e, n in session.execute(
        select(EvaluationScore.criterion, EvaluationScore.evaluator, func.count())
        .where(EvaluationScore.year == year).group_by(EvaluationScore.criterion, EvaluationScore.evaluator))}


def _uncounted(s: Scheme, stored: Mapping[Cell, int]) -> dict[Cell, int]:
    counted = set(s.cells())
    return {cell: n for cell, n in stored.items() if cell not in counted}


def _rename_errors(old: Scheme, new: Scheme, renames: Mapping[str, str], stored: Mapping[Cell, int]) -> str | None:
    targets = list(renames.values())
    stored_names = {c for c, _ in stored}
    for before, after in renames.items():
        if old.criterion(before) is None:
            return f"原评分项“{before}”不在原方案中。"
        if new.criterion(after) is None:
            return f"新评分项“{after}”不在新方案中。"
        if new.criterion(before) is not None:
            return f"“{before}”仍在新方案中，不能改名为“{after}”。"
        if old.criterion(after) is not None:
            return f"“{after}”已在原方案中，不能把“{before}”改名为它。"
        if targets.count(after) > 1:
            return f"不能把多个评分项都改名为“{after}”。"
        if after in stored_names:
            return f"已有“{after}”的分数（曾删除的评分项），不能再把“{before}”的分数移过去。"
    return None


def set_scheme(
    session: Session, year: int, new: Scheme, *, renames: Mapping[str, str] | None = None
) -> tuple[SchemeReport, Changes]:
    """Change the year's scheme. Stored scores are kept; ``renames`` (old → new criterion name) moves a
    renamed criterion's scores, otherwise a criterion no longer in the scheme keeps its scores uncounted
    (``SchemeReport.uncounted``). Refused when the year is approved, the scheme is invalid, or a
    criterion's points fall below a stored score."""
    row = _unlocked(session, year)
    errors = validate_scheme(new)
    if errors:
        raise ValidationError(errors)
    old = _scheme(row)
    renames = {k: v for k, v in (renames or {}).items() if k != v}
    stored = stored_cells(session, year)
    if renames and (message := _rename_errors(old, new, renames, stored)):
        raise ValidationError(message, "renames")

    # Scores above the new points (after the renames) would be invalid: refuse.
    back = {after: before for before, after in renames.items()}
    too_high = []
    for criterion in new.criteria:
        name = back.get(criterion.name, criterion.name)
        count, highest = session.execute(
            select(func.count(), func.max(EvaluationScore.score_tenths))
            .where(EvaluationScore.year == year, EvaluationScore.criterion == name,
                   EvaluationScore.score_tenths > criterion.points * 10)).one()
        if count:
            too_high.append(f"“{criterion.name}”已有 {count} 个分数超过新的满分 {criterion.points} 分"
                            f"（最高 {score_from_tenths(highest)} 分）")
    if too_high:
        raise ValidationError("；".join(too_high) + "，请先修改这些分数。", "criteria")

    if _dump(new) == row.scheme and not renames:
        return SchemeReport({}, 0, _uncounted(new, stored)), Changes()

    moved = 0
    for before, after in renames.items():
        moved += sum(n for (c, _), n in stored.items() if c == before)
        session.execute(update(EvaluationScore)
                        .where(EvaluationScore.year == year, EvaluationScore.criterion == before)
                        .values(criterion=after).execution_options(synchronize_session=False))
    session.expire_all()
    row = _year_row(session, year)
    row.scheme = _dump(new)
    uncounted = _uncounted(new, stored_cells(session, year))

    before_parts, after_parts = _scheme_parts(old), _scheme_parts(new)
    detail = [f"{k}：{before_parts[k]} → {after_parts[k]}" for k in after_parts if before_parts[k] != after_parts[k]]
    detail += [f"改名：{b} → {a}（移动分数 {sum(n for (c, _), n in stored.items() if c == b)} 个）"
               for b, a in renames.items()]
    if uncounted:
        by_criterion: dict[str, int] = defaultdict(int)
        for (c, _), n in uncounted.items():
            by_criterion[c] += n
        detail.append("保留但不计分：" + "、".join(f"{c} {n} 个" for c, n in by_criterion.items()))
    audit.log(session, AUDIT_AREA, year, "修改评定方案", "；".join(detail))
    return SchemeReport(dict(renames), moved, uncounted), EVALUATION


# ---------------------------------------------------------------- 民主评议


def _excess(grades: Mapping[int, str | None]) -> int:
    given = [g for g in grades.values() if g is not None]
    return given.count(EXCELLENT) - excellent_limit(len(given))


def _branch_grades(session: Session, year: int, branch_id: int | None) -> tuple[dict[int, str | None], str]:
    people = [p for p in participants(session, year) if p.branch_id == branch_id]
    grades = dict(session.execute(
        select(EvaluationGrade.member_id, EvaluationGrade.grade).where(EvaluationGrade.year == year)).all())
    return {p.member_id: grades.get(p.member_id) for p in people}, (people[0].branch_name if people else COMMUNITY)


def set_grade(
    session: Session, year: int, member_id: int, grade: str | None, decided_on: date | None, *,
    today: date | None = None,
) -> Changes:
    """The member's 民主评议 grade for the year (None: not graded), with the branch's decision date."""
    today = today or date.today()
    _unlocked(session, year)
    person = _participant(session, year, member_id)
    if message := grade_errors(person.category, grade):
        raise ValidationError(message, "grade")
    stored = session.get(EvaluationGrade, (year, member_id))
    old = stored.grade if stored is not None else None
    if grade is not None:
        if decided_on is None:
            raise ValidationError("请填写支部的评议决定日期。", "decided_on")
        if decided_on > today:
            raise ValidationError("评议决定日期不能晚于今天。", "decided_on")
        if decided_on < date(year, 1, 1):
            raise ValidationError(f"评议决定日期不能早于 {year} 年 1 月 1 日。", "decided_on")
    before, branch_name = _branch_grades(session, year, person.branch_id)
    after = {**before, member_id: grade}
    if _excess(after) > 0 and _excess(after) > _excess(before):
        raise ValidationError(f"{branch_name}：{check_excellent_share(after)}。", "grade")
    if grade is None:
        if stored is None:
            return Changes()
        session.delete(stored)
    elif stored is None:
        session.add(EvaluationGrade(year=year, member_id=member_id, grade=grade, decided_on=decided_on))
    else:
        if stored.grade == grade and stored.decided_on == decided_on:
            return Changes()
        stored.grade, stored.decided_on = grade, decided_on
    shown = f"{grade}（{decided_on:%Y-%m-%d}）" if grade is not None else "未评定"
    audit.log(session, AUDIT_AREA, year, "民主评议", f"{person.name}：{old or '未评定'} → {shown}")
    return EVALUATION


def set_grades(
    session: Session, year: int, grades: Mapping[int, str | None], decided_on: date | None, *,
    today: date | None = None,
) -> Changes:
    """Several members' grades (member id → grade, None: not graded) with one decision date of the
    branch, checked together and written in one go — what a branch meeting decides at once. The one-third
    rule is judged on the result per branch (a block that leaves a branch over is refused with the
    figures, unless the branch was over before and the block does not make it worse)."""
    today = today or date.today()
    _unlocked(session, year)
    people = {p.member_id: p for p in participants(session, year)}
    problems = []
    for member_id, grade in grades.items():
        person = people.get(member_id)
        if person is None:
            member = session.get(Member, member_id)
            problems.append(f"“{member.name}”{year} 年度不在册" if member else f"找不到编号为 {member_id} 的党员")
        elif message := grade_errors(person.category, grade):
            problems.append(f"{person.name}：{message.rstrip('。')}")
    if problems:
        raise ValidationError("；".join(problems[:_NAMES_SHOWN]) + ("等" if len(problems) > _NAMES_SHOWN else "")
                              + "。", "grade")
    if any(g is not None for g in grades.values()):
        if decided_on is None:
            raise ValidationError("请填写支部的评议决定日期。", "decided_on")
        if decided_on > today:
            raise ValidationError("评议决定日期不能晚于今天。", "decided_on")
        if decided_on < date(year, 1, 1):
            raise ValidationError(f"评议决定日期不能早于 {year} 年 1 月 1 日。", "decided_on")
    stored = {row.member_id: row for row in session.scalars(
        select(EvaluationGrade).where(EvaluationGrade.year == year))}
    before: dict[str, dict[int, str | None]] = defaultdict(dict)
    for p in people.values():
        before[p.branch_name][p.member_id] = stored[p.member_id].grade if p.member_id in stored else None
    over = []
    for branch, old in before.items():
        new = {**old, **{m: g for m, g in grades.items() if m in old}}
        if new != old and _excess(new) > 0 and _excess(new) > _excess(old):
            over.append(f"{branch}：{check_excellent_share(new)}")
    if over:
        raise ValidationError("；".join(over) + "。", "grade")
    changed = []
    for member_id, grade in grades.items():
        row = stored.get(member_id)
        if grade is None:
            if row is not None:
                changed.append(f"{people[member_id].name}：{row.grade} → 未评定")
                session.delete(row)
        elif row is None:
            session.add(EvaluationGrade(year=year, member_id=member_id, grade=grade, decided_on=decided_on))
            changed.append(f"{people[member_id].name}：未评定 → {grade}")
        elif (row.grade, row.decided_on) != (grade, decided_on):
            changed.append(f"{people[member_id].name}：{row.grade} → {grade}")
            row.grade, row.decided_on = grade, decided_on
    if not changed:
        return Changes()
    when = f"（{decided_on:%Y-%m-%d}）" if decided_on is not None else ""
    more = f"；等共 {len(changed)} 人" if len(changed) > _LOGGED_CELLS else ""
    audit.log(session, AUDIT_AREA, year, "民主评议", "；".join(changed[:_LOGGED_CELLS]) + more + when)
    return EVALUATION


# ---------------------------------------------------------------- scores


def _cell_label(name: str, criterion: str, evaluator: str) -> str:
    return f"{name}（{criterion}·{evaluator}）"


def _checked_cells(
    session: Session, year: int, s: Scheme, cells: Sequence[tuple[int, str, str, object]]
) -> tuple[dict[ScoreCell, int | None], dict[ScoreCell, str], dict[int, str]]:
    ids = {c[0] for c in cells}
    people = {p.member_id: p.name for p in _chunked_participants(session, year, ids)}
    missing = ids - set(people)
    names = dict(people)
    if missing:
        for chunk in _chunks(sorted(missing)):
            names.update(session.execute(select(Member.id, Member.name).where(Member.id.in_(chunk))).all())
    values: dict[ScoreCell, int | None] = {}
    errors: dict[ScoreCell, str] = {}
    for member_id, criterion, evaluator, raw in cells:
        key = (member_id, criterion, evaluator)
        name = names.get(member_id, f"编号 {member_id}")
        label = _cell_label(name, criterion, evaluator)
        if member_id not in people:
            errors[key] = (f"{label}：不是 {year} 年度的参评党员。" if member_id in names
                           else f"{label}：找不到该党员。")
        elif s.criterion(criterion) is None:
            errors[key] = f"{label}：“{criterion}”不是本年度评定方案中的评分项。"
        elif evaluator not in EVALUATORS:
            errors[key] = f"{label}：“{evaluator}”不是评价主体（{'、'.join(EVALUATORS)}）。"
        elif s.weight(evaluator) == 0:
            errors[key] = f"{label}：本年度“{evaluator}”的权重为 0，不需评分。"
        elif message := check_score(s, criterion, raw):
            errors[key] = f"{label}：{message}"
        else:
            value = parse_score(s, criterion, raw)
            values[key] = None if value is None else score_to_tenths(value)
    return values, errors, names


def _chunks(items: Sequence[int]) -> Iterable[list[int]]:
    items = list(items)
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


def _chunked_participants(session: Session, year: int, ids: Iterable[int]) -> list[Participant]:
    ids = sorted(set(ids))
    if len(ids) > _CHUNK:
        wanted = set(ids)
        return [p for p in participants(session, year) if p.member_id in wanted]
    return participants(session, year, ids)


def check_scores(
    session: Session, year: int, cells: Sequence[tuple[int, str, str, object]]
) -> dict[ScoreCell, str]:
    """Per-cell Chinese messages for ``cells`` (member id, criterion, evaluator, raw), as ``set_scores``
    would refuse them; empty when all are fine. For the grid's live check before saving."""
    return _checked_cells(session, year, scheme(session, year), cells)[1]


class ScoreErrors(ValidationError):
    """A block of scores refused whole; ``cells`` maps (member id, criterion, evaluator) to its message."""

    def __init__(self, cells: dict[ScoreCell, str]) -> None:
        self.cells = dict(cells)
        super().__init__({f"{m}/{c}/{e}": message for (m, c, e), message in cells.items()})


def set_scores(session: Session, year: int, cells: Sequence[tuple[int, str, str, object]]) -> Changes:
    """Store a block of grid cells: (member id, criterion, evaluator, raw text / Decimal / int / None).

    All or nothing: with any bad cell the whole block is refused (``ScoreErrors``, each bad cell named by
    the member's name and its column). None or blank text clears a cell. Refused when the year is locked.
    """
    _unlocked(session, year)
    s = scheme(session, year)
    values, errors, names = _checked_cells(session, year, s, cells)
    if errors:
        raise ScoreErrors(errors)
    if not values:
        return Changes()
    stored: dict[ScoreCell, EvaluationScore] = {}
    for chunk in _chunks(sorted({m for m, _, _ in values})):
        for row in session.scalars(select(EvaluationScore).where(
                EvaluationScore.year == year, EvaluationScore.member_id.in_(chunk))):
            stored[(row.member_id, row.criterion, row.evaluator)] = row
    changed = []
    for key, tenths in values.items():
        row = stored.get(key)
        old = row.score_tenths if row is not None else None
        if old == tenths:
            continue
        if tenths is None:
            session.delete(row)
            stored.pop(key)
        elif row is None:
            stored[key] = EvaluationScore(year=year, member_id=key[0], criterion=key[1], evaluator=key[2],
                                          score_tenths=tenths)
            session.add(stored[key])
        else:
            row.score_tenths = tenths
        changed.append((key, old, tenths))
    if not changed:
        return Changes()

    def shown(tenths: int | None) -> str:
        return "空" if tenths is None else str(score_from_tenths(tenths))

    detail = "；".join(f"{_cell_label(names[m], c, e)} {shown(old)} → {shown(new)}"
                      for (m, c, e), old, new in changed[:_LOGGED_CELLS])
    more = f"；等共 {len(changed)} 格" if len(changed) > _LOGGED_CELLS else ""
    audit.log(session, AUDIT_AREA, year, "评分", detail + more)
    return EVALUATION


# ---------------------------------------------------------------- star adjustment


def adjust_stars(session: Session, year: int, member_id: int, stars: int | None, reason: str) -> Changes:
    """The branch's adjustment of the member's stars (1–5) with a reason; None removes it. Logged."""
    _unlocked(session, year)
    person = _participant(session, year, member_id)
    reason = (reason or "").strip()
    stored = session.get(StarAdjustment, (year, member_id))
    if stars is None:
        if stored is None:
            return Changes()
        audit.log(session, AUDIT_AREA, year, "撤销星级调整",
                  f"{person.name}：原调整为{_stars_text(stored.stars)}（{stored.reason}）"
                  + (f"；{reason}" if reason else ""))
        session.delete(stored)
        return EVALUATION
    errors = {}
    if isinstance(stars, bool) or not isinstance(stars, int) or stars not in STAR_NAMES:
        errors["stars"] = "星级应为 1 到 5 星。"
    if not reason:
        errors["reason"] = "请填写调整星级的原因。"
    elif len(reason) > REASON_LIMIT:
        errors["reason"] = f"原因不能超过 {REASON_LIMIT} 个字。"
    if not errors and person.graded:
        grade = session.scalar(select(EvaluationGrade.grade).where(
            EvaluationGrade.year == year, EvaluationGrade.member_id == member_id))
        cap = scheme(session, year).cap(grade)
        if cap is not None and stars > cap:
            errors["stars"] = f"民主评议为{grade}，最高评为{_stars_text(cap)}，不能调整为{_stars_text(stars)}。"
    if errors:
        raise ValidationError(errors)
    old = f"{_stars_text(stored.stars)}（{stored.reason}）" if stored is not None else "无"
    if stored is None:
        stored = StarAdjustment(year=year, member_id=member_id, stars=stars, reason=reason,
                                made_by=_operator(session))
        session.add(stored)
    else:
        if stored.stars == stars and stored.reason == reason:
            return Changes()
        stored.stars, stored.reason, stored.made_by = stars, reason, _operator(session)
    audit.log(session, AUDIT_AREA, year, "调整星级",
              f"{person.name}：{old} → {_stars_text(stars)}，原因：{reason}")
    return EVALUATION


# ---------------------------------------------------------------- the grid


def _fast_total(cells: Sequence[Cell], weights: Sequence[int], tenths: Mapping[Cell, int]) -> TotalResult:
    """``app.evaluation.total`` for stored (already checked) tenths, in integers — no re-parsing."""
    thousandths = 0
    missing = []
    for cell, weight in zip(cells, weights, strict=True):
        value = tenths.get(cell)
        if value is None:
            missing.append(cell)
        else:
            thousandths += value * weight
    rounded = score_from_tenths((thousandths + 50) // 100)  # half up, as total() rounds
    if missing:
        shown = "、".join(f"{c}·{e}" for c, e in missing[:5]) + ("等" if len(missing) > 5 else "")
        return TotalResult(None, False, tuple(missing), rounded,
                           f"尚有 {len(missing)} 项未评分（{shown}），总分暂不能确定")
    return TotalResult(rounded, True, (), rounded, f"总分 {rounded} 分")


def _final(s: Scheme, computed: int | None, adjustment: int | None, grade: str | None) -> int | None:
    if computed is None:
        return None
    if adjustment is None:
        return computed
    cap = s.cap(grade)
    return min(adjustment, cap) if cap is not None else adjustment


def _rows(
    session: Session, year: int, s: Scheme, people: Sequence[Participant], *, whole_year: bool = False
) -> tuple[list[GridRow], dict[Cell, int]]:
    """The rows of ``people`` (``whole_year``: every participant) and the stored scores the scheme does
    not count (with ``whole_year`` those of the whole year, else of ``people``)."""
    ids = None if whole_year or len(people) > _CHUNK else [p.member_id for p in people]

    def where(model):
        condition = [model.year == year]
        if ids is not None:
            condition.append(model.member_id.in_(ids))
        return condition

    cells = s.cells()
    weights = [s.weight(e) for _, e in cells]
    # One row per member with a column per counted cell (a portable pivot): 3,000 rows of ints instead
    # of 60,000 rows of strings. The primary key makes each cell unique, so MAX is the cell's score.
    is_cell = [and_(EvaluationScore.criterion == c, EvaluationScore.evaluator == e) for c, e in cells]
    pivot = (select(EvaluationScore.member_id,
                    *(func.max(case((match, EvaluationScore.score_tenths))) for match in is_cell))
             .where(*where(EvaluationScore)).group_by(EvaluationScore.member_id))
    scores: dict[int, dict[Cell, int]] = {
        member_id: {cell: v for cell, v in zip(cells, values, strict=True) if v is not None}
        for member_id, *values in session.connection().execute(pivot).all()
    }
    uncounted = {(c, e): n for c, e, n in session.execute(
        select(EvaluationScore.criterion, EvaluationScore.evaluator, func.count())
        .where(*where(EvaluationScore), not_(or_(false(), *is_cell)))
        .group_by(EvaluationScore.criterion, EvaluationScore.evaluator))}
    grades = {m: (g, d) for m, g, d in session.execute(
        select(EvaluationGrade.member_id, EvaluationGrade.grade, EvaluationGrade.decided_on)
        .where(*where(EvaluationGrade)))}
    adjustments = {m: (st, r) for m, st, r in session.execute(
        select(StarAdjustment.member_id, StarAdjustment.stars, StarAdjustment.reason)
        .where(*where(StarAdjustment)))}
    certificates = dict(session.execute(
        select(StarCertificate.member_id, StarCertificate.number).where(*where(StarCertificate))).all())

    rows = []
    for p in people:
        mine = scores.get(p.member_id) or {}
        result = _fast_total(cells, weights, mine)
        grade, decided_on = grades.get(p.member_id, (None, None))
        rated_grade = grade if p.graded else None  # a grade left from a category since corrected is ignored
        adjustment, adjustment_reason = adjustments.get(p.member_id, (None, ""))
        if result.complete:
            star = stars_for(s, result.total, rated_grade, probationary=not p.graded)
            by_total, computed, capped_by, awaiting, reason = (
                star.by_total, star.stars, star.capped_by, star.awaiting_grade, star.reason)
        else:
            by_total = computed = capped_by = None
            awaiting, reason = False, result.reason
        final = _final(s, computed, adjustment, rated_grade)
        if final is not None and adjustment is not None:
            reason += f"；支部调整为{_stars_text(adjustment)}（{adjustment_reason}）"
            if final != adjustment:
                reason += f"，受民主评议{rated_grade}所限，评为{_stars_text(final)}"
        rows.append(GridRow(p, mine, result, by_total, computed, capped_by, awaiting, reason, adjustment,
                            adjustment_reason, final, grade, decided_on, certificates.get(p.member_id)))
    return rows, uncounted


def grid(session: Session, year: int) -> Grid:
    """Every participant's row of the scoring grid, in tree order: scores, total, stars, grade, number."""
    row = _year_row(session, year)
    s = _scheme(row)
    rows, uncounted = _rows(session, year, s, participants(session, year), whole_year=True)
    return Grid(year, s, row.approved_on, row.approved_by, rows, uncounted)


def grid_rows(session: Session, year: int, people: Sequence[Participant], s: Scheme | None = None) -> list[GridRow]:
    """The grid rows of ``people`` only (participants of the year, e.g. the first few of a list), in
    their order — what a sample needs without computing the whole year."""
    return _rows(session, year, s or scheme(session, year), people)[0]


def grid_row(session: Session, year: int, member_id: int) -> GridRow:
    """One member's row, recomputed after an edit."""
    s = scheme(session, year)
    return _rows(session, year, s, [_participant(session, year, member_id)])[0][0]


# ---------------------------------------------------------------- approval


def _names(people: Sequence[Participant]) -> str:
    shown = "、".join(p.name for p in people[:_NAMES_SHOWN])
    return shown + ("等" if len(people) > _NAMES_SHOWN else "")


def approval_problems(session: Session, year: int) -> dict[str, str]:
    """What stops ``approve``, field → message; empty when the year can be approved."""
    rows = grid(session, year).rows
    required = [r for r in rows if not r.participant.left_in_year]
    problems = {}
    if incomplete := [r.participant for r in required if not r.result.complete]:
        problems["scores"] = f"尚有 {len(incomplete)} 人的评分不完整（{_names(incomplete)}），不能批准。"
    if ungraded := [r.participant for r in required if r.participant.graded and r.grade is None]:
        problems["grades"] = f"尚有 {len(ungraded)} 名正式党员未评定民主评议等次（{_names(ungraded)}），不能批准。"
    by_branch: dict[str, dict[int, str | None]] = defaultdict(dict)
    for r in rows:
        if r.participant.graded:
            by_branch[r.participant.branch_name][r.member_id] = r.grade
    over = [f"{branch}：{message}" for branch, grades in by_branch.items()
            if (message := check_excellent_share(grades))]
    if over:
        problems["excellent"] = "；".join(over) + "。"
    return problems


def approve(session: Session, year: int, *, today: date | None = None) -> tuple[dict[int, str], Changes]:
    """The committee approves the year: it is locked and certificate numbers are given in tree order to
    final stars at or above the scheme's threshold, every number given before kept. Returns the numbers
    given this time (member id → number)."""
    today = today or date.today()
    row = _unlocked(session, year)
    if problems := approval_problems(session, year):
        raise ValidationError(problems)
    s = _scheme(row)
    rows = grid(session, year).rows
    final = {r.member_id: r.final_stars for r in rows}
    qualifiers = [r.member_id for r in rows
                  if not r.participant.left_in_year and r.final_stars is not None
                  and r.final_stars >= s.certificate_min_stars]
    existing = dict(session.execute(
        select(StarCertificate.member_id, StarCertificate.number).where(StarCertificate.year == year)).all())
    try:
        numbers = assign_certificates(year, qualifiers, existing)
    except ValueError as exc:
        raise AppError(str(exc) + "。") from exc
    new = {m: n for m, n in numbers.items() if m not in existing}
    for member_id, number in new.items():
        session.add(StarCertificate(year=year, member_id=member_id, number=number, stars=final[member_id],
                                    given_on=today))
    row.approved_on, row.approved_by = today, _operator(session)
    given = f"，新颁发证书 {len(new)} 个" + (f"（{min(new.values())} 至 {max(new.values())}）" if new else "")
    audit.log(session, AUDIT_AREA, year, "批准",
              f"{year} 年度，参评 {len(rows)} 人{given}，证书共 {len(numbers)} 个")
    return new, EVALUATION


def unlock(session: Session, year: int, reason: str) -> Changes:
    """Unlock an approved year for changes; the reason is required and logged. Numbers given stay."""
    row = _year_row(session, year)
    if row.approved_on is None:
        raise AppError(f"{year} 年度评定尚未批准，无需解锁。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写解锁的原因。", "reason")
    if len(reason) > REASON_LIMIT:
        raise ValidationError(f"原因不能超过 {REASON_LIMIT} 个字。", "reason")
    audit.log(session, AUDIT_AREA, year, "解锁",
              f"原于 {row.approved_on:%Y-%m-%d} 由{row.approved_by or '未设置'}批准；原因：{reason}")
    row.approved_on, row.approved_by = None, ""
    return EVALUATION


def certificates(session: Session, year: int) -> list[tuple[str, int, int]]:
    """The year's certificates by number: (number, member id, stars when given)."""
    return list(session.execute(
        select(StarCertificate.number, StarCertificate.member_id, StarCertificate.stars)
        .where(StarCertificate.year == year).order_by(StarCertificate.number)).all())

