"""党费 rules of 中组发〔2008〕3号: what a member should pay, arrears and the six-month back-payment limit.

Pure functions on integers and dates: no database, no Qt, no clock — ``today`` always comes from the
caller, and only ``app.dates`` and ``app.errors`` are imported (``app.dues`` pulls in SQLAlchemy, so its
three small month and money helpers are repeated here privately). The evaluation slice stores each
member's dated bases (DuesBase) and calls these.

Readings of the rules (each one a choice, tested in tests/app/test_dues_rules.py):

- **Brackets apply to the whole base.** "≤3000 元 0.5 %, ≤5000 1 % …" means the rate of the bracket the
  base falls in is applied to the whole base, not progressively slice by slice — the document's own
  wording ("交纳月工资收入的 1%") and the common practice. Upper bounds are inclusive ("含3000元"):
  300 000 分 → 0.5 %, 300 001 分 → 1 %; retired 500 000 分 → 0.5 %, 500 001 分 → 1 %. The reading has
  a cliff: 3000.00 元 pays 15.00 元, 3000.01 元 pays 30.00 元.
- **Rounding**: exact integer arithmetic on 分 (rates held in ‰), rounded to the 分 half up:
  1001.00 元 × 0.5 % = 5.005 元 → 5.01 元; 1000.99 元 × 0.5 % = 5.00495 元 → 5.00 元.
- **Fixed amounts**: farmers 20–100 分 inclusive, chosen per member (no default: the branch decides);
  students, unemployed (下岗失业) and members on relief (抚恤、救济、低保) 20 分. Their base is ignored.
  少交/免交 approved for hardship, 村干部 on a fixed allowance (who pay as 在职) and voluntary extra
  dues are not modelled here.
- **Start**: 预备党员 pay from acceptance (支部大会通过之日); the month of ``joined_on`` is due in full,
  whatever the day — no part months. Nothing is due before the first base either (unknown amount).
- **End**: a member who leaves (转出/出党/死亡) owes up to and including the month of ``left_on`` here
  (the transfer letter states "党费交到某年某月", normally the month of transfer); nothing after.
- **Arrears**: a month is in arrears once it is over — the current month never is, whatever the day.
  A month counts as paid when any payment is recorded for it, whatever the amount (underpayments are
  not tracked here); months whose due amount is 0 are never in arrears.
- **Back payment**: "补交党费的时间一般不得超过6个月" — a month may be paid up to six calendar months
  after it: paid in July, January (six months back) is allowed, the December before (seven) is refused.
  ``arrears`` lists the unpaid months that ``check_back_payment`` would refuse on ``today`` separately.
- **Policy** (a setting): FOLLOWS_PAY — each month uses the base in force that month; FIXED_YEARLY —
  "年初核定，年内一般不变动": the base in force on 1 January applies to the whole year, or, for a member
  with no base on 1 January (joined later), the first base of the year from its month on. A category
  change mid-year (在职 → 离退休, → 低保) therefore also waits for January under FIXED_YEARLY.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from app.dates import add_months
from app.errors import ValidationError

WORKING = "在职"
RETIRED = "离退休"
FARMER = "农民"
STUDENT = "学生"
UNEMPLOYED = "无业"
RELIEF = "低保/困难"  # 依靠抚恤或救济生活、领取最低生活保障金
CATEGORIES = (WORKING, RETIRED, FARMER, STUDENT, UNEMPLOYED, RELIEF)
FLAT_CATEGORIES = (STUDENT, UNEMPLOYED, RELIEF)

FLAT_FEN = 20  # 0.20 元
FARMER_MIN_FEN = 20
FARMER_MAX_FEN = 100

# (inclusive upper bound of the base in 分, or None for no bound; rate in ‰)
WORKING_BRACKETS: tuple[tuple[int | None, int], ...] = (
    (300_000, 5), (500_000, 10), (1_000_000, 15), (None, 20))
RETIRED_BRACKETS: tuple[tuple[int | None, int], ...] = ((500_000, 5), (None, 10))

BACK_PAYMENT_MONTHS = 6

FIXED_YEARLY = "每年核定一次"
FOLLOWS_PAY = "随工资变动"
POLICIES = (FIXED_YEARLY, FOLLOWS_PAY)

_BASE_LABEL = {
    WORKING: "每月工资收入（税后）",
    RETIRED: "每月实际领取的离退休费或养老金总额",
}


# ---------------------------------------------------------------- small helpers


def _month(day: date) -> date:
    return day.replace(day=1)


def _label(month: date) -> str:
    return f"{month.year}年{month.month}月"


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}{whole}.{part:02d}"


def _months(first: date, last: date) -> list[date]:
    months, month = [], _month(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


# ---------------------------------------------------------------- one month's amount


def rate_per_mille(category: str, base_fen: int) -> int:
    """The bracket rate in ‰ (5 = 0.5 %) for a working or retired member's base, applied to the whole base."""
    brackets = {WORKING: WORKING_BRACKETS, RETIRED: RETIRED_BRACKETS}.get(category)
    if brackets is None:
        raise ValueError(f"只有{WORKING}和{RETIRED}党员按比例交纳党费，当前类别为“{category}”")
    return next(rate for bound, rate in brackets if bound is None or base_fen <= bound)


def monthly_due_fen(category: str, base_fen: int | None, *, farmer_amount_fen: int | None = None) -> int:
    """One month's dues in 分 for a payer ``category`` (one of CATEGORIES).

    在职/离退休: ``base_fen`` (the monthly base, 分, > 0) times the rate of its bracket, rounded to the
    分 half up. 农民: ``farmer_amount_fen``, 20–100 分. 学生/无业/低保·困难: 20 分. The arguments a
    category does not use are ignored. Raises ValidationError (fields ``category``, ``base_fen``,
    ``farmer_amount_fen``) with a Chinese message.
    """
    if category in (WORKING, RETIRED):
        if base_fen is None:
            raise ValidationError(f"{category}党员须填写{_BASE_LABEL[category]}作为党费计算基数。", "base_fen")
        if base_fen <= 0:
            raise ValidationError(f"党费计算基数应大于 0（现为 {_yuan(base_fen)} 元）。", "base_fen")
        return (base_fen * rate_per_mille(category, base_fen) + 500) // 1000
    if category == FARMER:
        span = f"{_yuan(FARMER_MIN_FEN)} 至 {_yuan(FARMER_MAX_FEN)} 元"
        if farmer_amount_fen is None:
            raise ValidationError(f"请填写农民党员每月交纳的党费金额（{span}）。", "farmer_amount_fen")
        if not FARMER_MIN_FEN <= farmer_amount_fen <= FARMER_MAX_FEN:
            raise ValidationError(
                f"农民党员每月交纳党费 {span}，现为 {_yuan(farmer_amount_fen)} 元。", "farmer_amount_fen")
        return farmer_amount_fen
    if category in FLAT_CATEGORIES:
        return FLAT_FEN
    raise ValidationError(f"党费类别“{category}”无效，请选择{'、'.join(CATEGORIES)}之一。", "category")


# ---------------------------------------------------------------- dated bases and the policy


@dataclass(frozen=True)
class DuesBase:
    """A member's payer category and base, in force from ``effective_from`` (the first of a month).

    Checked on creation: a DuesBase that exists has a computable amount (see monthly_due_fen).
    """

    effective_from: date
    category: str
    base_fen: int | None = None
    farmer_amount_fen: int | None = None

    def __post_init__(self) -> None:
        if self.effective_from.day != 1:
            raise ValueError(f"党费基数的生效月份应为某月 1 日，当前为 {self.effective_from.isoformat()}")
        monthly_due_fen(self.category, self.base_fen, farmer_amount_fen=self.farmer_amount_fen)

    @property
    def monthly_fen(self) -> int:
        return monthly_due_fen(self.category, self.base_fen, farmer_amount_fen=self.farmer_amount_fen)


def _ordered(bases: Sequence[DuesBase]) -> list[DuesBase]:
    ordered = sorted(bases, key=lambda b: b.effective_from)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.effective_from == after.effective_from:
            raise ValueError(f"{_label(after.effective_from)}有两条党费基数，请只保留一条")
    return ordered


def _in_force(ordered: list[DuesBase], month: date) -> DuesBase | None:
    found = None
    for base in ordered:
        if base.effective_from > month:
            break
        found = base
    return found


def _check_policy(policy: str) -> None:
    if policy not in POLICIES:
        raise ValueError(f"党费核定方式应为{'或'.join(POLICIES)}，当前为“{policy}”")


def _base_for(ordered: list[DuesBase], month: date, policy: str) -> DuesBase | None:
    if policy == FIXED_YEARLY:
        on_first_january = _in_force(ordered, date(month.year, 1, 1))
        if on_first_january is not None:
            return on_first_january
        # none in force on 1 January: every base up to ``month`` starts later this year; the first rules
        return ordered[0] if ordered and ordered[0].effective_from <= month else None
    return _in_force(ordered, month)


def base_in_force(bases: Sequence[DuesBase], month: date, *, policy: str = FOLLOWS_PAY) -> DuesBase | None:
    """The base that sets ``month``'s amount (any day of the month) under ``policy``; None before the first."""
    _check_policy(policy)
    return _base_for(_ordered(bases), _month(month), policy)


def due_for_month(bases: Sequence[DuesBase], month: date) -> int | None:
    """``month``'s amount from the base in force that month (the latest ``effective_from`` ≤ month);
    None before the first base. This is the FOLLOWS_PAY reading; see amount_policy for the setting."""
    return amount_policy(FOLLOWS_PAY, bases, month)


def amount_policy(policy: str, bases: Sequence[DuesBase], month: date) -> int | None:
    """``month``'s amount under the setting: FOLLOWS_PAY (the base in force that month) or FIXED_YEARLY
    (the base in force on 1 January, or the year's first base from its month when none was). None when
    no base applies yet."""
    base = base_in_force(bases, month, policy=policy)
    return base.monthly_fen if base is not None else None


# ---------------------------------------------------------------- membership span


def first_due_month(joined_on: date) -> date:
    """预备党员 pay from acceptance: the month of ``joined_on``, due in full."""
    return _month(joined_on)


def last_due_month(left_on: date | None) -> date | None:
    """The last month due here for a member who left (转出/出党/死亡): the month of ``left_on``."""
    return _month(left_on) if left_on is not None else None


def _due_months(
    ordered: list[DuesBase], first: date, last: date, joined_on: date, left_on: date | None, policy: str
) -> dict[date, int]:
    """Month → amount for every month from ``first`` to ``last`` (firsts of months) that is due."""
    if not ordered:
        return {}
    first = max(first, first_due_month(joined_on), ordered[0].effective_from)
    if left_on is not None:
        last = min(last, _month(left_on))
    due = {}
    for month in _months(first, last):
        base = _base_for(ordered, month, policy)
        if base is not None:
            due[month] = base.monthly_fen
    return due


def year_schedule(
    bases: Sequence[DuesBase], year: int, joined_on: date, left_on: date | None = None, *,
    policy: str = FOLLOWS_PAY,
) -> dict[date, int]:
    """Each month of ``year`` that is due (from joining and the first base, through leaving) → its amount."""
    _check_policy(policy)
    return _due_months(_ordered(bases), date(year, 1, 1), date(year, 12, 1), joined_on, left_on, policy)


def annual_due(
    bases: Sequence[DuesBase], year: int, joined_on: date, left_on: date | None = None, *,
    policy: str = FOLLOWS_PAY,
) -> int:
    """The total 分 due for ``year`` — the whole year's plan, months not yet over included."""
    return sum(year_schedule(bases, year, joined_on, left_on, policy=policy).values())


# ---------------------------------------------------------------- back payment and arrears


def earliest_back_payment(paid_on: date) -> date:
    """The oldest month that may still be paid on ``paid_on``: six months before its month."""
    return add_months(_month(paid_on), -BACK_PAYMENT_MONTHS)


def check_back_payment(month: date, paid_on: date) -> str | None:
    """None when ``month`` (any day of it) may be paid on ``paid_on``, else the Chinese message.

    At most six months: paid on any day of July 2026, January 2026 is allowed and December 2025 refused.
    Months paid ahead are not this rule's concern (``app.dues`` limits them).
    """
    earliest = earliest_back_payment(paid_on)
    if _month(month) >= earliest:
        return None
    return (f"{_label(_month(month))}的党费已超过补交期限：补交党费最长不超过 {BACK_PAYMENT_MONTHS} 个月，"
            f"{paid_on:%Y-%m-%d} 缴纳最早可补交{_label(earliest)}的党费。")


@dataclass(frozen=True)
class Arrears:
    months: tuple[date, ...]  # unpaid months that are over, oldest first
    total_fen: int  # their amounts, beyond_back_payment included
    oldest: date | None
    beyond_back_payment: tuple[date, ...]  # those older than six months before today's month
    beyond_fen: int = 0  # the part of total_fen on those months

    @property
    def payable(self) -> tuple[date, ...]:
        """The unpaid months that can still be paid back today."""
        return self.months[len(self.beyond_back_payment):]


def arrears(
    bases: Sequence[DuesBase], paid_months: Collection[date], joined_on: date, today: date, *,
    left_on: date | None = None, policy: str = FOLLOWS_PAY,
) -> Arrears:
    """Unpaid months from max(month joined, first base) through the month before today's month (and at
    most through the month of ``left_on``).

    ``paid_months``: the months paid for (所属月份, any day of each; every year, not the 1–12 of
    ``app.dues.paid_months``). A member without any base owes nothing computable: empty arrears.
    """
    _check_policy(policy)
    if any(not isinstance(m, date) for m in paid_months):
        raise TypeError("paid_months 应为所属月份的日期（每月 1 日），而不是月份序号")
    paid = {_month(m) for m in paid_months}
    due = _due_months(_ordered(bases), date.min, add_months(_month(today), -1), joined_on, left_on, policy)
    unpaid = [(month, fen) for month, fen in due.items() if fen > 0 and month not in paid]
    earliest = earliest_back_payment(today)
    beyond = [(month, fen) for month, fen in unpaid if month < earliest]
    return Arrears(
        months=tuple(month for month, _ in unpaid),
        total_fen=sum(fen for _, fen in unpaid),
        oldest=unpaid[0][0] if unpaid else None,
        beyond_back_payment=tuple(month for month, _ in beyond),
        beyond_fen=sum(fen for _, fen in beyond),
    )
