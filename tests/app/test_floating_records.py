"""Floating members: outflow records, returning, the contact log and the 待联系 list on real rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import event

from app import audit, floating, members, orgs, settings
from app.errors import NotFoundError, ValidationError
from app.floating import ContactInput, OutflowInput
from app.idcard import check_code
from app.members import MemberInput
from tests.conftest import TODAY

TRIP = OutflowInput(left_on=date(2026, 3, 1), destination_province="广东省", destination_city="深圳市",
                    employer="华强电子厂", reason="务工经商", management_mode="流出地直管")


def make_id(birth: str, seq: str = "123", region: str = "110105") -> str:
    first17 = region + birth + seq
    return first17 + check_code(first17)


def person(org_id: int, name: str = "张建国", birth: str = "19700301", seq: str = "123") -> MemberInput:
    return MemberInput(name=name, id_number=make_id(birth, seq), org_id=org_id, joined_on=date(1995, 7, 1),
                       category="正式党员", confirmed_on=date(1996, 7, 1))


@pytest.fixture
def grid1(tree_database) -> int:
    with tree_database.read() as session:
        return orgs.find_by_path(session, "幸福里社区党委/第一网格党支部").id


@pytest.fixture
def member(tree_database, grid1) -> int:
    with tree_database.unit_of_work() as session:
        member_id, _ = members.create(session, person(grid1), today=TODAY)
    return member_id


def register(database, member_id: int, data: OutflowInput = TRIP) -> int:
    with database.unit_of_work() as session:
        record_id, changes = floating.register_outflow(session, member_id, data, today=TODAY)
    assert changes.floating and changes.members
    return record_id


def errors_of(database, call) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught, database.unit_of_work() as session:
        call(session)
    return caught.value.errors


def ledger_flags(database, member_id: int) -> tuple[bool, str]:
    with database.read() as session:
        data = members.get(session, member_id).data
    return data.floating, data.floating_destination


# ---------------------------------------------------------------- register, return, leave again


def test_register_return_and_leave_again_keep_the_history(tree_database, member):
    record_id = register(tree_database, member)
    assert ledger_flags(tree_database, member) == (True, "广东省 深圳市")
    with tree_database.read() as session:
        [row] = floating.open_records(session, TODAY)
    assert (row.record_id, row.member_id, row.name, row.member_status) == (record_id, member, "张建国", "在册")
    assert (row.left_on, row.destination, row.reason, row.incomplete) == (date(2026, 3, 1), "广东省 深圳市",
                                                                          "务工经商", False)

    with tree_database.unit_of_work() as session:
        changes = floating.return_home(session, record_id, date(2026, 6, 30), today=TODAY)
    assert changes.floating and changes.members
    assert ledger_flags(tree_database, member) == (False, "")
    with tree_database.read() as session:
        assert floating.open_records(session, TODAY) == []

    second = register(tree_database, member, replace(TRIP, left_on=date(2026, 6, 30), destination_province="",
                                                    destination_city="杭州市", reason="学习"))
    assert ledger_flags(tree_database, member) == (True, "杭州市")
    with tree_database.read() as session:
        rows = floating.history(session, member, TODAY)
        log = audit.entries(session, "floating", member)
    assert [(r.record_id, r.left_on, r.returned_on) for r in rows] == [
        (second, date(2026, 6, 30), None), (record_id, date(2026, 3, 1), date(2026, 6, 30))
    ]
    assert [e.action for e in log] == ["外出登记", "返回", "外出登记"]
    assert log[0].operator == "社区党委办公室"


def test_update_ignores_the_record_itself_refreshes_the_ledger_and_completes_it(tree_database, member):
    record_id = register(tree_database, member)
    with tree_database.unit_of_work() as session:
        floating.update_outflow(session, record_id, replace(TRIP, destination_city="东莞市", employer=" 新厂 "),
                                today=TODAY)
    assert ledger_flags(tree_database, member) == (True, "广东省 东莞市")
    with tree_database.read() as session:
        member_id, data, returned = floating.load_outflow(session, record_id)
    assert (member_id, data.employer, returned) == (member, "新厂", None)


def test_a_new_period_cannot_overlap_an_earlier_one(tree_database, member):
    record_id = register(tree_database, member)
    with tree_database.unit_of_work() as session:
        floating.return_home(session, record_id, date(2026, 6, 30), today=TODAY)
    errors = errors_of(tree_database, lambda s: floating.register_outflow(
        s, member, replace(TRIP, left_on=date(2026, 6, 1)), today=TODAY))
    assert errors == {"left_on": "与 2026-03-01 至 2026-06-30 的外出记录时间重叠。"}


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(("change", "field", "message"), [
    (dict(left_on=None), "left_on", "请填写外出日期。"),
    (dict(left_on=date(2026, 11, 23)), "left_on", "外出日期不能晚于今天。"),
    (dict(left_on=date(1995, 6, 30)), "left_on", "外出日期不能早于入党日期（1995-07-01）。"),
    (dict(expected_return_on=date(2026, 2, 28)), "expected_return_on", "预计返回日期不能早于外出日期。"),
    (dict(certificate_issued_on=date(2026, 3, 1), certificate_valid_until=date(2026, 2, 1)),
     "certificate_valid_until", "活动证有效期不能早于发证日期。"),
    (dict(certificate_issued_on=date(2026, 12, 1)), "certificate_issued_on", "活动证发证日期不能晚于今天。"),
    (dict(reason="出差"), "reason", "请选择外出原因（务工经商、学习、随迁、其他）。"),
    (dict(reason=""), "reason", "请选择外出原因（务工经商、学习、随迁、其他）。"),
    (dict(management_mode="自管"), "management_mode", "“自管”不是可选的管理方式。"),
    (dict(destination_province=" ", destination_city=""), "destination_city", "请填写外出地点（省份或城市）。"),
    (dict(employer="厂" * 101), "employer", "工作单位或学校不能超过 100 个字。"),
])
def test_outflow_validation_messages(tree_database, member, change, field, message):
    errors = errors_of(tree_database, lambda s: floating.register_outflow(s, member, replace(TRIP, **change),
                                                                            today=TODAY))
    assert errors == {field: message}
    assert ledger_flags(tree_database, member) == (False, "")


def test_expected_return_and_certificate_on_the_same_day_are_fine(tree_database, member):
    register(tree_database, member, replace(TRIP, expected_return_on=TRIP.left_on, management_mode="",
                                            certificate_issued_on=date(2026, 3, 1),
                                            certificate_valid_until=date(2026, 3, 1)))


def test_a_member_already_away_must_return_first(tree_database, member):
    register(tree_database, member)
    errors = errors_of(tree_database, lambda s: floating.register_outflow(
        s, member, replace(TRIP, left_on=date(2026, 9, 1)), today=TODAY))
    assert errors == {"left_on": "已登记为外出流动党员（2026-03-01 外出），请先登记返回。"}


def test_management_modes_come_from_settings(tree_database, member):
    with tree_database.read() as session:
        assert floating.management_modes(session) == floating.DEFAULT_MODES
    with tree_database.unit_of_work() as session:
        settings.set_value(session, "floating_modes", " 双向管理 \n\n流入地代管\n")
    with tree_database.read() as session:
        assert floating.management_modes(session) == ("双向管理", "流入地代管")
    errors = errors_of(tree_database, lambda s: floating.register_outflow(s, member, TRIP, today=TODAY))
    assert errors == {"management_mode": "“流出地直管”不是可选的管理方式。"}
    register(tree_database, member, replace(TRIP, management_mode="双向管理"))


def test_a_member_who_left_the_ledger_cannot_be_registered(tree_database, member):
    with tree_database.unit_of_work() as session:
        members.leave(session, member, "转出", date(2026, 2, 1), "工作调动", transferred_to="某某党委", today=TODAY)
    errors = errors_of(tree_database, lambda s: floating.register_outflow(s, member, TRIP, today=TODAY))
    assert errors == {"member_id": "“张建国”已转出，不能登记为流动党员。"}


def test_unknown_member_or_record(tree_database):
    with pytest.raises(NotFoundError), tree_database.unit_of_work() as session:
        floating.register_outflow(session, 999, TRIP, today=TODAY)
    with pytest.raises(NotFoundError), tree_database.unit_of_work() as session:
        floating.return_home(session, 999, TODAY, today=TODAY)


@pytest.mark.parametrize(("on", "message"), [
    (date(2026, 2, 28), "返回日期不能早于外出日期（2026-03-01）。"),
    (date(2026, 11, 23), "返回日期不能晚于今天。"),
    (None, "请填写返回日期。"),
])
def test_return_validation(tree_database, member, on, message):
    record_id = register(tree_database, member)
    errors = errors_of(tree_database, lambda s: floating.return_home(s, record_id, on, today=TODAY))
    assert errors == {"returned_on": message}
    assert ledger_flags(tree_database, member) == (True, "广东省 深圳市")


def test_return_on_the_leave_day_then_again_is_refused(tree_database, member):
    record_id = register(tree_database, member)
    with tree_database.unit_of_work() as session:
        floating.return_home(session, record_id, TRIP.left_on, today=TODAY)
    errors = errors_of(tree_database, lambda s: floating.return_home(s, record_id, TODAY, today=TODAY))
    assert errors == {"returned_on": "该外出记录已于 2026-03-01 登记返回。"}


def test_member_who_leaves_while_away_stays_in_open_records_but_not_in_to_contact(tree_database, member):
    register(tree_database, member, replace(TRIP, left_on=date(2026, 1, 5)))
    with tree_database.read() as session:
        assert [r.member_id for r, _ in floating.to_contact(session, TODAY)] == [member]
    with tree_database.unit_of_work() as session:
        members.leave(session, member, "转出", date(2026, 11, 1), "组织关系转往务工地", transferred_to="深圳某党委",
                      today=TODAY)
    with tree_database.read() as session:
        [row] = floating.open_records(session, TODAY)
        assert floating.to_contact(session, TODAY) == []
    assert row.member_status == "转出"


# ---------------------------------------------------------------- certificate, contacts


def test_certificate_expired_flag(tree_database, member):
    register(tree_database, member, replace(TRIP, certificate_no="LD-2026-001", certificate_issued_on=date(2026, 3, 1),
                                            certificate_valid_until=date(2026, 11, 21)))
    with tree_database.read() as session:
        assert floating.open_records(session, date(2026, 11, 21))[0].certificate_expired is False
        [row] = floating.open_records(session, TODAY)
    assert row.certificate_expired is True and row.certificate_no == "LD-2026-001"


def test_contacts_newest_first_with_the_operator(tree_database, member):
    with tree_database.unit_of_work() as session:
        floating.add_contact(session, member, ContactInput(date(2026, 4, 1), "电话", True, "一切正常"), today=TODAY)
        _, changes = floating.add_contact(session, member, ContactInput(date(2026, 6, 1), "微信", False, made_by="李四"),
                                          today=TODAY)
        floating.add_contact(session, member, ContactInput(date(2026, 5, 1), "走访", True, " 见到本人 "), today=TODAY)
    assert changes.floating
    with tree_database.read() as session:
        rows = floating.contacts(session, member)
        log = audit.entries(session, "floating", member)
    assert [(r.contacted_on, r.channel, r.reached, r.made_by, r.summary) for r in rows] == [
        (date(2026, 6, 1), "微信", False, "李四", ""),
        (date(2026, 5, 1), "走访", True, "社区党委办公室", "见到本人"),
        (date(2026, 4, 1), "电话", True, "社区党委办公室", "一切正常"),
    ]
    assert [e.action for e in log] == ["联系记录"] * 3


@pytest.mark.parametrize(("data", "field", "message"), [
    (ContactInput(date(2026, 11, 23), "电话", True), "contacted_on", "联系日期不能晚于今天。"),
    (ContactInput(None, "电话", True), "contacted_on", "请填写联系日期。"),
    (ContactInput(TODAY, "短信", True), "channel", "请选择联系方式（电话、微信、走访、来信）。"),
    (ContactInput(TODAY, "来信", True, "字" * 501), "summary", "联系情况不能超过 500 个字。"),
])
def test_contact_validation(tree_database, member, data, field, message):
    errors = errors_of(tree_database, lambda s: floating.add_contact(s, member, data, today=TODAY))
    assert errors == {field: message}


# ---------------------------------------------------------------- status on real rows


def statuses(database, today: date) -> dict[int, str]:
    with database.read() as session:
        return {row.member_id: st.status for row, st in floating.to_contact(session, today)}


def test_to_contact_across_the_five_and_six_month_lines(tree_database, member):
    register(tree_database, member, replace(TRIP, left_on=date(2026, 5, 10)))
    with tree_database.unit_of_work() as session:  # reached during an earlier period: does not count
        floating.add_contact(session, member, ContactInput(date(2026, 5, 1), "电话", True), today=TODAY)
    assert statuses(tree_database, date(2026, 10, 9)) == {}
    assert statuses(tree_database, date(2026, 10, 10)) == {member: floating.SOON}
    assert statuses(tree_database, date(2026, 11, 9)) == {member: floating.SOON}
    assert statuses(tree_database, date(2026, 11, 10)) == {member: floating.TO_CONTACT}
    with tree_database.unit_of_work() as session:
        floating.add_contact(session, member, ContactInput(date(2026, 11, 12), "电话", False, "无人接听"), today=TODAY)
    assert statuses(tree_database, date(2026, 11, 11)) == {member: floating.TO_CONTACT}  # not yet happened
    assert statuses(tree_database, TODAY) == {member: floating.LOST}
    with tree_database.read() as session:
        [(row, status)] = floating.to_contact(session, TODAY)
    assert (row.name, status.crosses_on, status.failed_since) == ("张建国", date(2026, 11, 10), 1)

    with tree_database.unit_of_work() as session:
        floating.add_contact(session, member, ContactInput(date(2026, 11, 20), "微信", True), today=TODAY)
    assert statuses(tree_database, TODAY) == {}
    with tree_database.read() as session:
        facts = floating.facts_for(session, [member], TODAY)
    assert facts == {member: floating.ContactFacts(date(2026, 5, 10), (date(2026, 11, 20),), ())}


def test_facts_for_skips_members_without_an_open_record(tree_database, member, grid1):
    with tree_database.unit_of_work() as session:
        other, _ = members.create(session, person(grid1, "李秀英", "19700506", "422"), today=TODAY)
    record_id = register(tree_database, member)
    with tree_database.unit_of_work() as session:
        floating.return_home(session, record_id, date(2026, 4, 1), today=TODAY)
    with tree_database.read() as session:
        assert floating.facts_for(session, [member, other], TODAY) == {}


def test_to_contact_takes_a_constant_number_of_queries(tree_database, grid1):
    def count_queries(today: date) -> tuple[int, int]:
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(tree_database.engine, "before_cursor_execute", listener)
        try:
            with tree_database.read() as session:
                listed = len(floating.to_contact(session, today))
        finally:
            event.remove(tree_database.engine, "before_cursor_execute", listener)
        return len(seen), listed

    def add_members(start: int, count: int) -> None:
        with tree_database.unit_of_work() as session:
            for n in range(start, start + count):
                name = "王" + "甲乙丙丁戊己庚辛壬癸"[n % 10] + "子丑寅"[n // 10]
                member_id, _ = members.create(session, person(grid1, name, seq=f"{n:03d}"), today=TODAY)
                floating.register_outflow(session, member_id, replace(TRIP, left_on=date(2026, 1, 1 + n)),
                                          today=TODAY)
                floating.add_contact(session, member_id, ContactInput(date(2026, 4, 1), "电话", False), today=TODAY)

    add_members(1, 2)
    few = count_queries(TODAY)
    add_members(3, 20)
    many = count_queries(TODAY)
    assert few[0] == many[0] and (few[1], many[1]) == (2, 22)


def test_candidate_cutoff_is_the_last_day_not_normal():
    from datetime import timedelta

    from app.dates import add_months
    from app.floating import _last_day_not_normal

    for offset in range(0, 800, 3):
        today = date(2023, 12, 1) + timedelta(days=offset)
        for months in (1, 5):
            brute = max(today - timedelta(days=k) for k in range(200)
                        if add_months(today - timedelta(days=k), months) <= today)
            assert _last_day_not_normal(today, months) == brute, (today, months)
