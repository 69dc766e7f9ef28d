"""党费: recording payments of ledger members, in integer 分, one row per member and month paid for.

One entry (a DuesInput) pays one or several consecutive months (所属月份) on one day (缴纳日期) with the
same amount each month. Inflow members (流入党员) pay at home and are not here.

Left for the evaluation slice: the brackets of 中组发〔2008〕3号 (what a member should pay), arrears and
the six-month back-payment limit, and whether the amount is fixed once a year. Nothing here depends on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit
from app.changes import DUES, Changes
from app.dates import add_months
from app.errors import NotFoundError, ValidationError
from app.numbers import parse_units
from app.settings import get_value
from db.models import DuesPayment, Member

PLACES = ("本组织", "流入地党组织")
MAX_MONTHS = 12  # months in one entry
MAX_AHEAD = 12  # months paid for ahead of the payment day's month
MAX_FEN_PER_MONTH = 10_000_000  # 100,000 元: beyond any bracket, a typing slip
NOTE_LIMIT = 500
MADE_BY_LIMIT = 64
AMOUNT_FIELD = "amount_fen_per_month"
_IN_CHUNK = 500


# ---------------------------------------------------------------- money and months


def parse_yuan(text: str, *, field: str = AMOUNT_FIELD) -> int:
    """Yuan as typed ("12", "12.5", "12.50", "0.2", full-width "１２．５", a trailing 元) → 分.

    Raises ValidationError (on ``field``) for empty text, a non-number, a negative or zero amount and
    more than two decimals.
    """
    return parse_units(text, places=2, suffixes=("元",), field=field, label="金额", empty="请填写金额。",
                       example="12.50 的金额", too_precise="金额最多两位小数（精确到分）。")


def format_fen(fen: int) -> str:
    """分 → yuan with two decimals: 1250 → "12.50"."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}{whole}.{part:02d}"


def month_of(day: date) -> date:
    """The first day of ``day``'s month: how a 所属月份 is stored."""
    return day.replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from ``first`` to ``last`` inclusive, as first days (empty when first is later)."""
    start, end = month_of(first), month_of(last)
    months = []
    while start <= end:
        months.append(start)
        start = add_months(start, 1)
    return months


def month_label(month: date) -> str:
    return f"{month.year}年{month.month}月"


# ---------------------------------------------------------------- input


@dataclass(frozen=True)
class DuesInput:
    """What the 党费登记 form edits: one or several consecutive months at one amount, paid on one day."""

    member_id: int | None
    first_month: date | None  # any day of the month; stored as the first
    last_month: date | None
    amount_fen_per_month: int
    paid_on: date | None
    paid_at: str = "本组织"
    note: str = ""
    made_by: str = ""  # empty: the operator in 设置

    @property
    def months(self) -> list[date]:
        if self.first_month is None or self.last_month is None:
            return []
        return months_between(self.first_month, self.last_month)

    @property
    def total_fen(self) -> int:
        return len(self.months) * max(self.amount_fen_per_month, 0)


@dataclass(frozen=True)
class PaymentRow:
    id: int
    member_id: int
    period: date  # first day of the month paid for
    paid_on: date
    amount_fen: int
    paid_at: str
    note: str
    made_by: str



def _month_errors(data: DuesInput, member: Member | None) -> dict[str, str]:
    if data.first_month is None or data.last_month is None:
        return {"first_month": "请选择所属月份。"}
    first, last = month_of(data.first_month), month_of(data.last_month)
    if first > last:
        return {"last_month": "结束月份不能早于起始月份。"}
    if len(data.months) > MAX_MONTHS:
        return {"last_month": f"一次最多登记 {MAX_MONTHS} 个月的党费（现为 {len(data.months)} 个月）。"}
    if data.paid_on is not None:
        latest = add_months(month_of(data.paid_on), MAX_AHEAD)
        if last > latest:
            return {"last_month": f"所属月份最多可预交到缴纳日期后 {MAX_AHEAD} 个月（{month_label(latest)}）。"}
    if member is not None and first < month_of(member.joined_on):
        return {"first_month": f"所属月份不能早于入党月份（{month_label(month_of(member.joined_on))}）。"}
    return {}


def _paid_already(session: Session, member_id: int, months: list[date]) -> list[date]:
    if not months:
        return []
    return list(session.scalars(
        select(DuesPayment.period)
        .where(DuesPayment.member_id == member_id, DuesPayment.period >= months[0], DuesPayment.period <= months[-1])
        .order_by(DuesPayment.period)
    ))


def validate_payment(
    session: Session, data: DuesInput, *, today: date | None = None
) -> tuple[dict[str, str], DuesInput]:
    """Every problem by field (Chinese), and the input with months as first days and text trimmed."""
    today = today or date.today()
    data = replace(
        data, note=data.note.strip(), made_by=data.made_by.strip(),
        first_month=month_of(data.first_month) if data.first_month else None,
        last_month=month_of(data.last_month) if data.last_month else None,
    )
    errors: dict[str, str] = {}
    member = session.get(Member, data.member_id) if data.member_id is not None else None
    if data.member_id is None:
        errors["member_id"] = "请选择党员。"
    elif member is None:
        errors["member_id"] = f"找不到编号为 {data.member_id} 的党员。"
    elif member.status != "在册":
        errors["member_id"] = f"“{member.name}”已{member.status}，不在册，不能登记党费。"
    if data.paid_on is None:
        errors["paid_on"] = "请填写缴纳日期。"
    elif data.paid_on > today:
        errors["paid_on"] = "缴纳日期不能晚于今天。"
    elif member is not None and data.paid_on < member.joined_on:
        errors["paid_on"] = f"缴纳日期不能早于入党日期（{member.joined_on:%Y-%m-%d}）。"
    errors.update(_month_errors(data, member))
    if data.amount_fen_per_month <= 0:
        errors[AMOUNT_FIELD] = "每月金额应大于 0。"
    elif data.amount_fen_per_month > MAX_FEN_PER_MONTH:
        errors[AMOUNT_FIELD] = f"每月金额不能超过 {format_fen(MAX_FEN_PER_MONTH)} 元，请核对。"
    if data.paid_at not in PLACES:
        errors["paid_at"] = f"请选择缴纳地点（{'、'.join(PLACES)}）。"
    if len(data.note) > NOTE_LIMIT:
        errors["note"] = f"备注不能超过 {NOTE_LIMIT} 个字。"
    if len(data.made_by) > MADE_BY_LIMIT:
        errors["made_by"] = f"经手人不能超过 {MADE_BY_LIMIT} 个字。"
    if member is not None and "first_month" not in errors and "last_month" not in errors:
        paid = _paid_already(session, member.id, data.months)
        if paid:
            shown = "、".join(month_label(m) for m in paid[:6]) + ("等" if len(paid) > 6 else "")
            errors["first_month"] = f"{shown}的党费已登记，不能重复登记。"
    return errors, data


# ---------------------------------------------------------------- writing


def record_payment(session: Session, data: DuesInput, *, today: date | None = None) -> tuple[list[int], Changes]:
    """党费登记: one row per month paid for; ``made_by`` defaults to the operator in 设置."""
    errors, clean = validate_payment(session, data, today=today)
    if errors:
        raise ValidationError(errors)
    made_by = clean.made_by or get_value(session, "operator_name").strip()[:MADE_BY_LIMIT]
    rows = [
        DuesPayment(member_id=clean.member_id, period=month, paid_on=clean.paid_on,
                    amount_fen=clean.amount_fen_per_month, paid_at=clean.paid_at, note=clean.note, made_by=made_by)
        for month in clean.months
    ]
    session.add_all(rows)
    session.flush()
    months = clean.months
    span = month_label(months[0]) + (f"至{month_label(months[-1])}" if len(months) > 1 else "")
    audit.log(session, "dues", clean.member_id, "缴纳党费",
              f"{span}，每月 {format_fen(clean.amount_fen_per_month)} 元，合计 {format_fen(clean.total_fen)} 元，"
              f"{clean.paid_on:%Y-%m-%d} 缴纳于{clean.paid_at}")
    return [row.id for row in rows], DUES


def delete_payment(session: Session, payment_id: int) -> Changes:
    """Delete one month's payment entered by mistake (the change log keeps what it was)."""
    row = session.get(DuesPayment, payment_id)
    if row is None:
        raise NotFoundError(f"找不到编号为 {payment_id} 的党费记录，可能已被他人删除。")
    audit.log(session, "dues", row.member_id, "删除党费记录",
              f"{month_label(row.period)}，{format_fen(row.amount_fen)} 元，{row.paid_on:%Y-%m-%d} 缴纳")
    session.delete(row)
    session.flush()
    return DUES


# ---------------------------------------------------------------- reading


def payments(session: Session, member_id: int, *, limit: int | None = None) -> list[PaymentRow]:
    """A member's payments, newest month first (``limit``: only the latest so many)."""
    query = (select(DuesPayment).where(DuesPayment.member_id == member_id)
             .order_by(DuesPayment.period.desc(), DuesPayment.id.desc()).limit(limit))
    return [PaymentRow(p.id, p.member_id, p.period, p.paid_on, p.amount_fen, p.paid_at, p.note, p.made_by)
            for p in session.scalars(query)]


def paid_months(session: Session, member_id: int, year: int) -> set[int]:
    """The months (1–12) of ``year`` the member has paid for."""
    return {period.month for period in session.scalars(
        select(DuesPayment.period).where(DuesPayment.member_id == member_id,
                                         DuesPayment.period >= date(year, 1, 1),
                                         DuesPayment.period <= date(year, 12, 1)))}


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start:start + _IN_CHUNK]


def _last_paid_query(member_ids: Sequence[int], today: date):
    return (select(DuesPayment.member_id, func.max(DuesPayment.paid_on))
            .where(DuesPayment.member_id.in_(member_ids), DuesPayment.paid_on <= today)
            .group_by(DuesPayment.member_id))


def last_paid(session: Session, member_ids: Iterable[int], today: date) -> dict[int, date]:
    """Each member's latest payment day (缴纳日期, not the month paid for) on or before ``today``; members
    who never paid are left out. One grouped query per 500 members on ix_dues_payments_member_paid."""
    result: dict[int, date] = {}
    for chunk in _chunks(sorted(set(member_ids))):
        result.update(dict(session.execute(_last_paid_query(chunk, today)).all()))
    return result
