"""年度记实与评定: the pure rules of the annual evaluation (民主评议党员 and 星级党员).

No database, no Qt, no clock: every function takes what it needs as plain values.

Numbers. A score has at most one decimal and is handed out as a ``Decimal`` ("18.5" → ``Decimal("18.5")``;
ints are accepted too); the database keeps whole tenths (``score_to_tenths`` / ``score_from_tenths``).
Inside, the maths is done in integers: a score in tenths times a weight in percent is a total in
thousandths of a point, so Σ w·s is exact and a total of exactly 90 is 90, never
89.99999. The total is then rounded to one decimal, half up (89.95 → 90.0, 89.94 → 89.9), and the
*rounded* total decides the stars: the posted list shows 90.0 next to 五星, never 90.0 next to 四星.

Missing cells. A total needs every cell whose evaluator has a weight above 0. With a cell missing the
result is incomplete: ``TotalResult.total`` is None, the missing cells are listed, and ``partial`` (the
missing cells counted as 0) is a lower bound for progress display only — never a basis for stars.

民主评议: four grades; 优秀 at most one third of those graded (``graded // 3``: 3 of 9 and 3 of 10 are
allowed, 4 of 10 is not); 预备党员 are not graded. 星级: a grade caps the stars (default 不合格 → 一星,
基本合格 → 三星); 预备党员 have no grade and are rated without a cap.

Certificates: numbers ``YYYY-NNNN`` in tree order for members at or above the certificate threshold; a
number once given never changes, moves or vanishes (see ``assign_certificates``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, TypeVar

from app.errors import ValidationError

GRADES = ("优秀", "合格", "基本合格", "不合格")
EXCELLENT, PASS, BASIC, FAIL = GRADES
EVALUATORS = ("个人自评", "党员互评", "群众测评", "支部评定")
SELF, PEERS, PUBLIC, BRANCH = EVALUATORS
STAR_NAMES = {1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}
FULL_MEMBER, PROBATIONARY = "正式党员", "预备党员"  # as app.members.CATEGORIES

# The default criterion names the pre-fill keys on (see prefill_branch_scores).
POLITICS, STUDY, ORG_LIFE, DUTIES, SERVICE = "政治素质", "学习教育", "组织生活", "履职尽责", "服务奉献"
FULL_SERVICE_HOURS = 40  # volunteer hours that earn the full points of 服务奉献
ARREARS_POINTS_PER_MONTH = 2  # points off 组织生活 for each month of dues in arrears

SCHEME_VERSION = 1
MAX_CERTIFICATES = 9999  # NNNN: four digits
_NAME_LIMIT = 20

K = TypeVar("K", bound=Hashable)
Cell = tuple[str, str]  # (criterion name, evaluator)


# ---------------------------------------------------------------- the scheme


@dataclass(frozen=True)
class Criterion:
    name: str
    points: int  # the most any evaluator can give for it; the points of all criteria sum to 100


@dataclass(frozen=True)
class Scheme:
    """How one year is scored. The committee may change it per year (stored with ``scheme_to_dict``).

    ``weights`` and ``caps`` are tuples of pairs so that a scheme is immutable and hashable; a dict may be
    passed instead and is turned into pairs in the canonical order (EVALUATORS, GRADES; unknown keys
    last, kept for validate_scheme to name). ``thresholds`` are ``(min_total, stars)`` pairs for 5, 4, 3
    and 2 stars, min totals whole points and strictly descending; below the last is 一星.
    ``caps`` maps a 民主评议 grade to the most stars it allows.
    """

    criteria: tuple[Criterion, ...]
    weights: tuple[tuple[str, int], ...]  # evaluator → percent; the four sum to 100
    thresholds: tuple[tuple[int, int], ...]
    caps: tuple[tuple[str, int], ...] = ()
    certificate_min_stars: int = 4

    def __post_init__(self) -> None:
        object.__setattr__(self, "criteria", tuple(self.criteria))
        object.__setattr__(self, "weights", _pairs(self.weights, EVALUATORS))
        object.__setattr__(self, "thresholds", tuple(tuple(t) for t in self.thresholds))
        object.__setattr__(self, "caps", _pairs(self.caps, GRADES))

    def criterion(self, name: str) -> Criterion | None:
        return next((c for c in self.criteria if c.name == name), None)

    def weight(self, evaluator: str) -> int:
        """The evaluator's weight in percent (0 when the scheme has none for it)."""
        return dict(self.weights).get(evaluator, 0)

    def cap(self, grade: str | None) -> int | None:
        """The most stars ``grade`` allows, None for no cap."""
        return dict(self.caps).get(grade) if grade is not None else None

    def cells(self) -> list[Cell]:
        """Every cell a complete total needs: each criterion × each evaluator with a weight above 0."""
        return [(c.name, e) for c in self.criteria for e in EVALUATORS if self.weight(e) > 0]


def _pairs(value: Mapping[str, int] | Iterable[tuple[str, int]], order: Sequence[str]) -> tuple:
    items = list(value.items()) if isinstance(value, Mapping) else [tuple(p) for p in value]
    rank = {key: i for i, key in enumerate(order)}
    return tuple(sorted(items, key=lambda kv: rank.get(kv[0], len(order))))


DEFAULT_SCHEME = Scheme(
    criteria=tuple(Criterion(name, 20) for name in (POLITICS, STUDY, ORG_LIFE, DUTIES, SERVICE)),
    weights=((SELF, 20), (PEERS, 30), (PUBLIC, 20), (BRANCH, 30)),
    thresholds=((90, 5), (80, 4), (70, 3), (60, 2)),
    caps=((BASIC, 3), (FAIL, 1)),
    certificate_min_stars=4,
)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_scheme(scheme: Scheme) -> dict[str, str]:
    """Field → Chinese message for everything wrong with ``scheme``; empty when it can be used.

    Fields: ``criteria`` (at least one; names non-empty, at most 20 characters, unique; points whole
    numbers above 0 summing to 100), ``weights`` (each of the four evaluators exactly once, whole percent
    0–100, summing to 100), ``thresholds`` (exactly 五星, 四星, 三星, 二星 in that order, whole points
    within 0–100, strictly descending), ``caps`` (known grades, once each, 1–5 stars) and
    ``certificate_min_stars`` (1–5). Several problems of one field are joined with "；".
    """
    problems: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        problems.setdefault(key, []).append(message)

    # criteria
    if not scheme.criteria:
        add("criteria", "至少需要一个评分项")
    names = [c.name.strip() if isinstance(c.name, str) else "" for c in scheme.criteria]
    if any(not n for n in names):
        add("criteria", "评分项名称不能为空")
    if too_long := [n for n in names if len(n) > _NAME_LIMIT]:
        add("criteria", f"评分项名称最多 {_NAME_LIMIT} 个字：“{too_long[0]}”")
    if dupes := sorted({n for n in names if n and names.count(n) > 1}, key=names.index):
        add("criteria", f"评分项名称重复：{'、'.join(dupes)}")
    if bad := [c.name for c in scheme.criteria if not _is_int(c.points) or c.points <= 0]:
        add("criteria", f"评分项“{bad[0]}”的分值应为大于 0 的整数")
    elif scheme.criteria and (points := sum(c.points for c in scheme.criteria)) != 100:
        add("criteria", f"各评分项分值合计应为 100 分，当前为 {points} 分")

    # weights
    given = [e for e, _ in scheme.weights]
    if unknown := [e for e in given if e not in EVALUATORS]:
        add("weights", f"未知的评价主体：{'、'.join(map(str, unknown))}")
    if dupes := sorted({e for e in given if given.count(e) > 1}, key=given.index):
        add("weights", f"评价主体重复：{'、'.join(dupes)}")
    if absent := [e for e in EVALUATORS if e not in given]:
        add("weights", f"缺少评价主体的权重：{'、'.join(absent)}")
    if bad := [e for e, w in scheme.weights if not _is_int(w) or not 0 <= w <= 100]:
        add("weights", f"“{bad[0]}”的权重应为 0 到 100 的整数（百分比）")
    elif (weight_sum := sum(w for _, w in scheme.weights)) != 100:
        add("weights", f"各评价主体权重合计应为 100%，当前为 {weight_sum}%")

    # thresholds
    stars = [t[1] if len(t) == 2 else None for t in scheme.thresholds]
    if stars != [5, 4, 3, 2]:
        add("thresholds", "星级分数线应依次给出五星、四星、三星、二星的最低总分（低于二星分数线为一星）")
    else:
        mins = [t[0] for t in scheme.thresholds]
        if not all(_is_int(m) and 0 <= m <= 100 for m in mins):
            add("thresholds", "星级分数线应为 0 到 100 的整数")
        elif any(a <= b for a, b in zip(mins, mins[1:], strict=False)):
            add(
                "thresholds",
                "星级分数线应从五星到二星依次降低："
                + "、".join(f"{STAR_NAMES[s]} {m} 分" for m, s in scheme.thresholds),
            )

    # caps
    grades = [g for g, _ in scheme.caps]
    if unknown := [g for g in grades if g not in GRADES]:
        add("caps", f"未知的评议等次：{'、'.join(map(str, unknown))}")
    if dupes := sorted({g for g in grades if grades.count(g) > 1}, key=grades.index):
        add("caps", f"评议等次重复：{'、'.join(dupes)}")
    if bad := [g for g, s in scheme.caps if not _is_int(s) or s not in STAR_NAMES]:
        add("caps", f"“{bad[0]}”的星级上限应为 1 到 5 星")

    if not _is_int(scheme.certificate_min_stars) or scheme.certificate_min_stars not in STAR_NAMES:
        add("certificate_min_stars", "颁发证书的最低星级应为 1 到 5 星")
    return {key: "；".join(messages) + "。" for key, messages in problems.items()}


def scheme_to_dict(scheme: Scheme) -> dict[str, Any]:
    """A JSON-able dict (only str, int, list, dict); ``scheme_from_dict`` reads it back equal."""
    return {
        "version": SCHEME_VERSION,
        "criteria": [{"name": c.name, "points": c.points} for c in scheme.criteria],
        "weights": dict(scheme.weights),
        "thresholds": [{"min_total": m, "stars": s} for m, s in scheme.thresholds],
        "caps": dict(scheme.caps),
        "certificate_min_stars": scheme.certificate_min_stars,
    }


def scheme_from_dict(data: Mapping[str, Any]) -> Scheme:
    """The scheme stored by ``scheme_to_dict``; raises ValidationError when it is malformed or invalid.

    A dict from a newer program (``version`` above SCHEME_VERSION) is refused rather than half read.
    """
    try:
        version = data.get("version", SCHEME_VERSION)
        if not _is_int(version) or version > SCHEME_VERSION:
            raise ValidationError(f"评定方案的格式版本 {version} 比本程序新，请升级程序。", "version")
        scheme = Scheme(
            criteria=tuple(Criterion(c["name"], c["points"]) for c in data["criteria"]),
            weights=dict(data["weights"]),
            thresholds=tuple((t["min_total"], t["stars"]) for t in data["thresholds"]),
            caps=dict(data.get("caps", {})),
            certificate_min_stars=data.get("certificate_min_stars", 4),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ValidationError(f"评定方案的数据不完整或格式不对（{exc!r}）。", "scheme") from exc
    if errors := validate_scheme(scheme):
        raise ValidationError(errors)
    return scheme


# ---------------------------------------------------------------- scores

_NUMBER = re.compile(r"(?P<whole>[0-9]+)(?:\.(?P<frac>[0-9]*))?|\.(?P<only>[0-9]+)")


def _as_decimal(raw: object) -> Decimal | str:
    """A number from text or a number, or a Chinese message saying why not."""
    if isinstance(raw, bool) or raw is None:
        return "分数不是数字"
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        raw = repr(raw)  # the shortest text of the float: 18.5 → "18.5", never 18.4999…
    if isinstance(raw, Decimal):
        return raw if raw.is_finite() else "分数不是数字"
    if not isinstance(raw, str):
        return "分数不是数字"
    text = unicodedata.normalize("NFKC", raw).strip().replace("。", ".").replace("\u2212", "-")
    text = text.removesuffix("分").strip()
    negative = text.startswith("-")
    match = _NUMBER.fullmatch(text[1:].strip() if negative else text)
    if match is None:
        return f"分数“{raw.strip()}”不是数字，请填写如 18 或 18.5 的分数"
    value = Decimal(text.replace(" ", ""))
    return -value if negative and value == 0 else value  # "-0" is 0


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not unicodedata.normalize("NFKC", raw).strip())


def _criterion(scheme: Scheme, criterion: str | Criterion) -> Criterion:
    name = criterion.name if isinstance(criterion, Criterion) else criterion
    found = scheme.criterion(name)
    if found is None:
        raise ValueError(f"评分项“{name}”不在本年度的评定方案中")
    return found


def check_score(scheme: Scheme, criterion: str | Criterion, raw: object) -> str | None:
    """The Chinese message for a score the user typed or passed, or None when it is fine.

    ``raw`` may be text ("18", "18.5", "１８", "18.5分", "18。5"), an int, a Decimal or a float (taken by
    its shortest text). Blank text or None is a cell not yet scored: no error here (``total`` lists it
    as missing). Refused: non-numbers, negatives, more than one decimal of value ("18.55"; "18.50" is
    18.5 and fine), and more than the criterion's points. An unknown criterion raises ValueError.
    """
    c = _criterion(scheme, criterion)
    if _blank(raw):
        return None
    value = _as_decimal(raw)
    if isinstance(value, str):
        return value + "。"
    if value < 0:
        return "分数不能为负数。"
    if (value * 10) % 1 != 0:
        return "分数最多一位小数。"
    if value > c.points:
        return f"“{c.name}”满分 {c.points} 分，分数不能超过 {c.points} 分。"
    return None


def parse_score(
    scheme: Scheme, criterion: str | Criterion, raw: object, *, field: str = "score"
) -> Decimal | None:
    """The score as a one-decimal ``Decimal`` (None for blank); raises ValidationError on ``field``.

    The rules are those of ``check_score``.
    """
    if message := check_score(scheme, criterion, raw):
        raise ValidationError(message, field)
    if _blank(raw):
        return None
    value = _as_decimal(raw)
    assert isinstance(value, Decimal)
    return value.quantize(Decimal("0.1"))


def score_to_tenths(value: Decimal) -> int:
    """A checked score → whole tenths, as ``db.models.EvaluationScore.score_tenths`` stores it (18.5 → 185)."""
    tenths = value * 10
    if tenths % 1 != 0:
        raise ValueError(f"分数最多一位小数，当前为 {value}")
    return int(tenths)


def score_from_tenths(tenths: int) -> Decimal:
    """Stored tenths → the score as shown: 185 → Decimal("18.5"), 180 → Decimal("18.0")."""
    return Decimal(tenths).scaleb(-1).quantize(Decimal("0.1"))


def _round_half_up(value: Fraction) -> int:
    """``value`` (≥ 0, in tenths) rounded half up to a whole number of tenths."""
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


@dataclass(frozen=True)
class TotalResult:
    total: Decimal | None  # one decimal, rounded half up; None unless complete
    complete: bool
    missing: tuple[Cell, ...]  # (criterion, evaluator) not yet scored, in scheme order
    partial: Decimal  # missing cells counted as 0: a lower bound for progress only, never for stars
    reason: str


def total(scheme: Scheme, scores: Mapping[Cell, object]) -> TotalResult:
    """The weighted total Σ_c Σ_e (w_e / 100) · s_ce, rounded to one decimal, half up.

    ``scores`` maps ``(criterion name, evaluator)`` to a score (as ``check_score`` accepts) or None.
    A cell absent, None or blank is missing; the result is then incomplete (``total`` None). Cells of an
    evaluator weighted 0 are not needed and not counted. Raises ValidationError (field
    ``"criterion/evaluator"``) for an invalid score, and for a cell naming a criterion or evaluator the
    scheme does not have — a score would otherwise be silently dropped after a scheme change.
    """
    errors: dict[str, str] = {}
    values: dict[Cell, int] = {}
    for (name, evaluator), raw in scores.items():
        key = f"{name}/{evaluator}"
        if scheme.criterion(name) is None or evaluator not in EVALUATORS:
            errors[key] = f"“{name}”“{evaluator}”不是本年度评定方案中的评分格。"
            continue
        if message := check_score(scheme, name, raw):
            errors[key] = f"{name}·{evaluator}：{message}"
            continue
        value = parse_score(scheme, name, raw)
        if value is not None:
            values[(name, evaluator)] = score_to_tenths(value)
    if errors:
        raise ValidationError(errors)
    thousandths = 0  # tenths of a point × percent
    missing = []
    for cell in scheme.cells():
        if cell in values:
            thousandths += values[cell] * scheme.weight(cell[1])
        else:
            missing.append(cell)
    rounded = score_from_tenths(_round_half_up(Fraction(thousandths, 100)))
    if missing:
        shown = "、".join(f"{c}·{e}" for c, e in missing[:5]) + ("等" if len(missing) > 5 else "")
        reason = f"尚有 {len(missing)} 项未评分（{shown}），总分暂不能确定"
        return TotalResult(None, False, tuple(missing), rounded, reason)
    return TotalResult(rounded, True, (), rounded, f"总分 {rounded} 分")


# ---------------------------------------------------------------- stars


@dataclass(frozen=True)
class StarResult:
    stars: int  # 1..5
    capped_by: str | None  # the grade that lowered the stars; None when no cap bit
    reason: str
    by_total: int  # the stars the total alone gives
    awaiting_grade: bool = False  # a 正式党员 not graded yet: a cap may still come


def stars_by_total(scheme: Scheme, total_: Decimal | int) -> int:
    """Stars from the thresholds alone: the first ``min_total`` the total reaches (≥), else 一星."""
    return next((stars for minimum, stars in scheme.thresholds if total_ >= minimum), 1)


def stars_for(
    scheme: Scheme, total_: Decimal | int | None, grade: str | None, *, probationary: bool
) -> StarResult:
    """The stars of one member: the thresholds on the (rounded) total, then the grade's cap.

    - 预备党员 (``probationary``) are not graded and rated without a cap; a grade given for one raises
      ValueError (the member's category as of the 民主评议 is the caller's to pass).
    - 正式党员 with ``grade`` None: not graded yet; no cap is applied but ``awaiting_grade`` is set and the
      reason says the stars may still fall.
    - ``capped_by`` names the grade only when its cap lowered the stars (基本合格 with 72 → 三星 anyway:
      None).

    The total is taken to one decimal, half up, first (``total`` already gives it so); the stars are
    those of the total as shown. Raises ValueError for a total of None (incomplete), a total outside
    0–100, and an unknown grade.
    """
    if total_ is None:
        raise ValueError("总分尚未完整，不能评定星级")
    if isinstance(total_, bool) or not isinstance(total_, int | Decimal) or not 0 <= total_ <= 100:
        raise ValueError(f"总分应在 0 到 100 分之间，当前为 {total_!r}")
    if grade is not None and grade not in GRADES:
        raise ValueError(f"未知的评议等次：{grade}")
    if probationary and grade is not None:
        raise ValueError("预备党员不参加民主评议，不应有评议等次")
    total_ = Decimal(total_).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)  # as shown: 89.95 → 90.0
    by_total = stars_by_total(scheme, total_)
    above = next((m for m, s in scheme.thresholds if s == by_total), None)
    base = (
        f"总分 {total_} 分，达到{STAR_NAMES[by_total]}分数线 {above} 分"
        if above is not None
        else f"总分 {total_} 分，不足{STAR_NAMES[2]}分数线 {scheme.thresholds[-1][0]} 分"
    )
    if probationary:
        return StarResult(
            by_total, None, f"预备党员不参加民主评议，{base}，评为{STAR_NAMES[by_total]}", by_total
        )
    if grade is None:
        reason = f"{base}，暂评{STAR_NAMES[by_total]}；尚未评定民主评议等次，星级可能因等次而降低"
        return StarResult(by_total, None, reason, by_total, awaiting_grade=True)
    cap = scheme.cap(grade)
    if cap is not None and cap < by_total:
        reason = f"{base}，但民主评议为{grade}，最高评为{STAR_NAMES[cap]}，评为{STAR_NAMES[cap]}"
        return StarResult(cap, grade, reason, by_total)
    return StarResult(by_total, None, f"{base}，民主评议为{grade}，评为{STAR_NAMES[by_total]}", by_total)


def qualifies_for_certificate(scheme: Scheme, stars: int) -> bool:
    return stars >= scheme.certificate_min_stars


# ---------------------------------------------------------------- pre-fill of 支部评定


@dataclass(frozen=True)
class BranchFacts:
    """What the year's record says about one member, for the 支部评定 pre-fill.

    ``attendance_rate``: 组织生活 attended / held, 0–1 (a Fraction keeps 11/12 exact; a float is taken by
    its shortest text), None when no meeting was held for the member. ``months_in_arrears``: months of
    the year whose dues are due but unpaid, as the caller counts them on the evaluation day.
    """

    attendance_rate: Fraction | Decimal | float | int | None
    volunteer_hours: Fraction | Decimal | float | int = 0  # Fraction(hours_tenths, 10) from the records
    months_in_arrears: int = 0


def _fraction(value: Fraction | Decimal | float | int, what: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, Fraction | Decimal | float | int):
        raise ValueError(f"{what}应为数字，当前为 {value!r}")
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{what}应为数字，当前为 {value!r}")
    return Fraction(value)


def _points(value: Fraction) -> Decimal:
    """Points as a Fraction → one decimal, half up."""
    return score_from_tenths(_round_half_up(value * 10))


def prefill_branch_scores(
    scheme: Scheme,
    facts: BranchFacts,
    *,
    full_hours: int = FULL_SERVICE_HOURS,
    arrears_points: int = ARREARS_POINTS_PER_MONTH,
) -> dict[str, Decimal | None]:
    """The 支部评定 column pre-filled from the facts: criterion name → score, or None (left to the branch).

    Keys are every criterion of ``scheme`` in its order. Two are pre-filled, found by the *default names*
    ``"组织生活"`` (ORG_LIFE) and ``"服务奉献"`` (SERVICE), each with the points the scheme gives it:

    - 组织生活 = attendance_rate × points − ``arrears_points`` (default 2) per month of dues in arrears,
      never below 0. With ``attendance_rate`` None (no meeting held) it is not pre-filled, whatever the
      dues: there is no fact to start from, and full points would reward an unrecorded year.
    - 服务奉献 = min(hours, ``full_hours``) / ``full_hours`` × points (default full points from 40 hours).

    Each result is rounded to one decimal, half up (11/12 × 20 = 18.33… → 18.3). If the committee renamed
    a criterion ("组织生活情况"), it is not found and nothing is pre-filled for it — no guessing by
    similarity; the branch scores it by hand. All other criteria are None. The branch may overwrite any
    pre-filled score. Raises ValueError for a rate outside 0–1, negative hours or months.
    """
    hours = _fraction(facts.volunteer_hours, "志愿服务时长")
    if hours < 0:
        raise ValueError("志愿服务时长不能为负数")
    if not _is_int(facts.months_in_arrears) or facts.months_in_arrears < 0:
        raise ValueError("欠缴党费月数应为不小于 0 的整数")
    rate = None if facts.attendance_rate is None else _fraction(facts.attendance_rate, "组织生活出勤率")
    if rate is not None and not 0 <= rate <= 1:
        raise ValueError(f"组织生活出勤率应在 0 到 1 之间，当前为 {facts.attendance_rate!r}")
    if full_hours <= 0 or arrears_points < 0:
        raise ValueError("满分时长应大于 0，欠缴扣分不能为负数")

    scores: dict[str, Decimal | None] = {c.name: None for c in scheme.criteria}
    org_life = scheme.criterion(ORG_LIFE)
    if org_life is not None and rate is not None:
        earned = rate * org_life.points - arrears_points * facts.months_in_arrears
        scores[ORG_LIFE] = _points(max(earned, Fraction(0)))
    service = scheme.criterion(SERVICE)
    if service is not None:
        scores[SERVICE] = _points(min(hours, Fraction(full_hours)) / full_hours * service.points)
    return scores


# ---------------------------------------------------------------- 民主评议 grades


def grade_errors(member_category: str, grade: str | None, *, required: bool = False) -> str | None:
    """The Chinese message for a 民主评议 grade given to a member of ``member_category``, or None.

    预备党员 must have no grade. A 正式党员's grade must be one of GRADES; None (not graded yet) is fine
    unless ``required`` (at approval). A grade for a member whose category is not filled in is refused.
    """
    if grade is not None and grade not in GRADES:
        return f"评议等次应为{'、'.join(GRADES)}之一。"
    if member_category == PROBATIONARY:
        return "预备党员不参加民主评议，不评定等次。" if grade is not None else None
    if member_category != FULL_MEMBER:
        return "请先填写人员类别（正式党员或预备党员），再评定等次。" if grade is not None else None
    if grade is None and required:
        return "请评定民主评议等次。"
    return None


def excellent_limit(graded: int) -> int:
    """The most 优秀 among ``graded`` members: one third, rounded down (9 → 3, 10 → 3, 12 → 4, 2 → 0)."""
    return graded // 3


def check_excellent_share(grades: Mapping[Any, str | None]) -> str | None:
    """None when 优秀 is at most one third of those graded, else the message with the figures.

    ``grades`` maps a member to a grade or None; None (预备党员, not graded yet) does not count among
    those graded. Exactly one third is allowed: 3 of 9, 3 of 10 (4 of 10 is refused); with fewer than
    three graded no 优秀 is allowed. Raises ValueError for an unknown grade.
    """
    given = [g for g in grades.values() if g is not None]
    if unknown := [g for g in given if g not in GRADES]:
        raise ValueError(f"未知的评议等次：{unknown[0]}")
    excellent = given.count(EXCELLENT)
    limit = excellent_limit(len(given))
    if excellent <= limit:
        return None
    return f"优秀 {excellent} 人，超过参评 {len(given)} 人的三分之一（最多 {limit} 人）"


# ---------------------------------------------------------------- certificates

_CERTIFICATE = re.compile(r"(?P<year>[0-9]{4})-(?P<seq>[0-9]{4})")


def certificate_number(year: int, sequence: int) -> str:
    return f"{year:04d}-{sequence:04d}"


def assign_certificates(
    year: int, qualifiers_in_tree_order: Sequence[K], existing: Mapping[K, str]
) -> dict[K, str]:
    """The year's certificate numbers after an approval: ``existing`` kept, new qualifiers appended.

    - Every number in ``existing`` is kept exactly, for its member — also for a member who no longer
      qualifies after an unlock and re-approval: a number, once given, never changes, moves or vanishes
      (a printed certificate stays true; what the member's stars are now is another matter).
    - Qualifiers without a number get the next ones after the highest existing sequence, in the order
      given (tree order); gaps are never filled, so no number is reused. ``existing`` must therefore hold
      every number ever given for the year.
    - The result is ordered by number. Raises ValueError for a malformed existing number, one of another
      year, a number held twice, or more than 9999 certificates.
    """
    if not 1000 <= year <= 9999:
        raise ValueError(f"年度应为四位数，当前为 {year}")
    seen: dict[int, K] = {}
    for member, number in existing.items():
        match = _CERTIFICATE.fullmatch(number) if isinstance(number, str) else None
        if match is None or int(match["seq"]) == 0:
            raise ValueError(f"证书编号“{number}”格式不对，应为 YYYY-NNNN")
        if int(match["year"]) != year:
            raise ValueError(f"证书编号“{number}”不是 {year} 年度的编号")
        if (seq := int(match["seq"])) in seen:
            raise ValueError(f"证书编号“{number}”重复")
        seen[seq] = member
    result = {seen[seq]: certificate_number(year, seq) for seq in sorted(seen)}
    last = max(seen, default=0)
    for member in qualifiers_in_tree_order:
        if member in result:
            continue
        last += 1
        if last > MAX_CERTIFICATES:
            raise ValueError(f"{year} 年度的证书编号已超过 {MAX_CERTIFICATES} 个")
        result[member] = certificate_number(year, last)
    return result
