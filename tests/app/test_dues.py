"""党费: amounts in 分, one entry for several months, the rules, reading payments back."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import audit, dues, members, orgs, settings
from app.dues import DuesInput, format_fen, months_between, parse_yuan
from app.errors import NotFoundError, ValidationError
from app.idcard import check_code
from app.members import MemberInput
from db.models import DuesPayment
from tests.app.test_meetings import query_plan
from tests.conftest import TODAY

GRID1 = "幸福里社区党委/第一网格党支部"


def make_id(birth: str, seq: str) -> str:
    first17 = "110105" + birth + seq
    return first17 + check_code(first17)


@pytest.fixture
def people(tree_database) -> dict[str, int]:
    ids = {}
    with tree_database.unit_of_work() as session:
        grid1 = orgs.find_by_path(session, GRID1).id
        for n, name in enumerate(("张建国", "李秀英", "王芳")):
            ids[name], _ = members.create(session, MemberInput(
                name=name, id_number=make_id(f"19{70 + n}0301", f"12{n}"), org_id=grid1,
                joined_on=date(1995, 7, 1), category="正式党员", confirmed_on=date(1996, 7, 1)), today=TODAY)
    return ids


def entry(member_id: int, **changes) -> DuesInput:
    data = DuesInput(member_id=member_id, first_month=date(2026, 9, 1), last_month=date(2026, 11, 1),
                     amount_fen_per_month=1250, paid_on=date(2026, 11, 20))
    return replace(data, **changes)


def pay(database, data: DuesInput) -> list[int]:
    with database.unit_of_work() as session:
        ids, changes = dues.record_payment(session, data, today=TODAY)
    assert changes.dues and not changes.members
    return ids


def errors_of(database, data: DuesInput) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught, database.unit_of_work() as session:
        dues.record_payment(session, data, today=TODAY)
    return caught.value.errors


# ---------------------------------------------------------------- money


@pytest.mark.parametrize(("text", "fen"), [
    ("12", 1200), ("12.5", 1250), ("12.50", 1250), ("0.2", 20), ("0.02", 2), ("１２．５", 1250), ("１２。５", 1250),
    (" 37.50 ", 3750), ("3元", 300), ("12.", 1200), (".5", 50), ("1000", 100000), ("007", 700),
])
def test_parse_yuan_reads_what_people_type(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(("text", "message"), [
    ("-1", "金额不能为负数。"), ("－12.5", "金额不能为负数。"), ("0", "金额应大于 0。"), ("0.00", "金额应大于 0。"),
    ("1.234", "金额最多两位小数（精确到分）。"), ("0.005", "金额最多两位小数（精确到分）。"),
    ("", "请填写金额。"), ("  ", "请填写金额。"), ("元", "请填写金额。"),
    ("abc", "金额“abc”不是数字，请填写如 12.50 的金额。"), ("1.2.3", "金额“1.2.3”不是数字，请填写如 12.50 的金额。"),
    ("十二", "金额“十二”不是数字，请填写如 12.50 的金额。"), (".", "金额“.”不是数字，请填写如 12.50 的金额。"),
    ("1e3", "金额“1e3”不是数字，请填写如 12.50 的金额。"), ("-", "金额“-”不是数字，请填写如 12.50 的金额。"),
])
def test_parse_yuan_refuses_in_chinese(text, message):
    with pytest.raises(ValidationError) as caught:
        parse_yuan(text)
    assert caught.value.errors == {"amount_fen_per_month": message}


def test_format_fen_and_months():
    assert [format_fen(f) for f in (1250, 20, 2, 100000, 0, -150)] == [
        "12.50", "0.20", "0.02", "1000.00", "0.00", "-1.50"]
    assert months_between(date(2025, 11, 30), date(2026, 2, 3)) == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert months_between(date(2026, 2, 1), date(2026, 1, 1)) == []
    assert entry(1).total_fen == 3750 and len(entry(1).months) == 3


# ---------------------------------------------------------------- recording


def test_one_entry_pays_several_months_each_stored_on_the_first(tree_database, people):
    with tree_database.unit_of_work() as session:
        settings.set_value(session, "operator_name", "周书记")
    ids = pay(tree_database, entry(people["张建国"], first_month=date(2026, 9, 17), last_month=date(2026, 11, 30),
                                   note="  现金  "))
    assert len(ids) == 3
    with tree_database.read() as session:
        rows = session.execute(select(DuesPayment.period, DuesPayment.paid_on, DuesPayment.amount_fen,
                                      DuesPayment.paid_at, DuesPayment.note, DuesPayment.made_by)
                               .order_by(DuesPayment.period)).all()
        [log] = audit.entries(session, "dues", people["张建国"])
    assert [tuple(r) for r in rows] == [
        (date(2026, m, 1), date(2026, 11, 20), 1250, "本组织", "现金", "周书记") for m in (9, 10, 11)]
    assert (log.operator, log.action) == ("周书记", "缴纳党费")
    assert log.detail == "2026年9月至2026年11月，每月 12.50 元，合计 37.50 元，2026-11-20 缴纳于本组织"


def test_a_month_already_paid_is_refused_by_name(tree_database, people):
    pay(tree_database, entry(people["张建国"], first_month=date(2026, 10, 1), last_month=date(2026, 10, 1)))
    errors = errors_of(tree_database, entry(people["张建国"]))
    assert errors == {"first_month": "2026年10月的党费已登记，不能重复登记。"}
    # another member's October is no obstacle, nor are the months either side
    pay(tree_database, entry(people["李秀英"]))
    pay(tree_database, entry(people["张建国"], first_month=date(2026, 9, 1), last_month=date(2026, 9, 1)))
    pay(tree_database, entry(people["张建国"], first_month=date(2026, 11, 1), last_month=date(2027, 1, 1)))
    errors = errors_of(tree_database, entry(people["张建国"], first_month=date(2026, 6, 1),
                                            last_month=date(2027, 2, 1)))
    assert errors == {"first_month": "2026年9月、2026年10月、2026年11月、2026年12月、2027年1月的党费已登记，不能重复登记。"}


def test_payment_day_today_is_accepted_and_tomorrow_refused(tree_database, people):
    errors = errors_of(tree_database, entry(people["张建国"], paid_on=TODAY + timedelta(days=1)))
    assert errors == {"paid_on": "缴纳日期不能晚于今天。"}
    assert errors_of(tree_database, entry(people["张建国"], paid_on=None)) == {"paid_on": "请填写缴纳日期。"}
    pay(tree_database, entry(people["张建国"], paid_on=TODAY))


def test_the_months_of_one_entry(tree_database, people):
    member = people["张建国"]
    assert errors_of(tree_database, entry(member, first_month=date(2026, 11, 1), last_month=date(2026, 10, 1))) == {
        "last_month": "结束月份不能早于起始月份。"}
    assert errors_of(tree_database, entry(member, first_month=None)) == {"first_month": "请选择所属月份。"}
    assert errors_of(tree_database, entry(member, first_month=date(2025, 11, 1), last_month=date(2026, 11, 1))) == {
        "last_month": "一次最多登记 12 个月的党费（现为 13 个月）。"}
    # paid on 20 November 2026: up to November 2027 may be paid ahead, not December
    assert errors_of(tree_database, entry(member, first_month=date(2027, 12, 1), last_month=date(2027, 12, 1))) == {
        "last_month": "所属月份最多可预交到缴纳日期后 12 个月（2027年11月）。"}
    assert errors_of(tree_database, entry(member, first_month=date(1995, 6, 1), last_month=date(1995, 6, 1))) == {
        "first_month": "所属月份不能早于入党月份（1995年7月）。"}
    assert len(pay(tree_database, entry(member, first_month=date(2026, 12, 1), last_month=date(2027, 11, 1)))) == 12
    assert len(pay(tree_database, entry(member, first_month=date(1995, 7, 1), last_month=date(1995, 7, 1)))) == 1


def test_amount_place_and_note(tree_database, people):
    member = people["张建国"]
    assert errors_of(tree_database, entry(member, amount_fen_per_month=0)) == {
        "amount_fen_per_month": "每月金额应大于 0。"}
    assert errors_of(tree_database, entry(member, amount_fen_per_month=10_000_001)) == {
        "amount_fen_per_month": "每月金额不能超过 100000.00 元，请核对。"}
    assert errors_of(tree_database, entry(member, paid_at="银行")) == {
        "paid_at": "请选择缴纳地点（本组织、流入地党组织）。"}
    assert errors_of(tree_database, entry(member, note="注" * 501)) == {"note": "备注不能超过 500 个字。"}
    pay(tree_database, entry(member, paid_at="流入地党组织", amount_fen_per_month=20))


def test_only_members_on_the_roll_pay_here(tree_database, people):
    with tree_database.unit_of_work() as session:
        members.leave(session, people["王芳"], "转出", date(2026, 10, 1), "工作调动", transferred_to="某街道党工委",
                      today=TODAY)
    assert errors_of(tree_database, entry(people["王芳"])) == {
        "member_id": "“王芳”已转出，不在册，不能登记党费。"}
    assert errors_of(tree_database, entry(None)) == {"member_id": "请选择党员。"}
    assert errors_of(tree_database, entry(9999))["member_id"] == "找不到编号为 9999 的党员。"


def test_delete_is_logged_and_frees_the_month(tree_database, people):
    member = people["张建国"]
    first, *_ = pay(tree_database, entry(member))
    with tree_database.unit_of_work() as session:
        assert dues.delete_payment(session, first).dues
    with tree_database.read() as session:
        assert dues.paid_months(session, member, 2026) == {10, 11}
        log = audit.entries(session, "dues", member)[-1]
    assert (log.action, log.detail) == ("删除党费记录", "2026年9月，12.50 元，2026-11-20 缴纳")
    pay(tree_database, entry(member, last_month=date(2026, 9, 1)))
    with pytest.raises(NotFoundError), tree_database.unit_of_work() as session:
        dues.delete_payment(session, first)


def test_payments_newest_first_and_paid_months_by_year(tree_database, people):
    member = people["张建国"]
    pay(tree_database, entry(member, first_month=date(2025, 11, 1), last_month=date(2026, 2, 1),
                             paid_on=date(2025, 11, 5), amount_fen_per_month=1000))
    pay(tree_database, entry(member, first_month=date(2026, 3, 1), last_month=date(2026, 3, 1)))
    pay(tree_database, entry(people["李秀英"], first_month=date(2026, 4, 1), last_month=date(2026, 4, 1)))
    with tree_database.read() as session:
        rows = dues.payments(session, member)
        latest_two = dues.payments(session, member, limit=2)
        assert dues.paid_months(session, member, 2026) == {1, 2, 3}
        assert dues.paid_months(session, member, 2025) == {11, 12}
        assert dues.paid_months(session, member, 2024) == set()
    assert [r.period for r in rows] == [date(2026, 3, 1), date(2026, 2, 1), date(2026, 1, 1), date(2025, 12, 1),
                                        date(2025, 11, 1)]
    assert [r.amount_fen for r in rows] == [1250, 1000, 1000, 1000, 1000]
    assert latest_two == rows[:2] and rows[0].paid_on == date(2026, 11, 20)


def test_last_paid_is_the_latest_payment_day_up_to_today(tree_database, people):
    a, b, c = people["张建国"], people["李秀英"], people["王芳"]
    pay(tree_database, entry(a, first_month=date(2026, 1, 1), last_month=date(2026, 6, 1), paid_on=date(2026, 1, 10)))
    # months paid ahead do not move the clock: the day paid does
    pay(tree_database, entry(a, first_month=date(2026, 7, 1), last_month=date(2026, 12, 1), paid_on=date(2026, 7, 3)))
    pay(tree_database, entry(b, paid_on=date(2026, 3, 1)))
    with tree_database.read() as session:
        assert dues.last_paid(session, [a, b, c], TODAY) == {a: date(2026, 7, 3), b: date(2026, 3, 1)}
        # a payment dated after "today" does not count yet
        assert dues.last_paid(session, [a, b], date(2026, 7, 2)) == {a: date(2026, 1, 10), b: date(2026, 3, 1)}
        assert dues.last_paid(session, [a], date(2026, 1, 9)) == {}
        assert dues.last_paid(session, [*range(100_000, 101_200), b], TODAY) == {b: date(2026, 3, 1)}
        plan = query_plan(session, dues._last_paid_query([a, b], TODAY))
    assert "COVERING INDEX ix_dues_payments_member_paid" in plan, plan
