"""流动党员之家 services, the person picker, one person's timeline and the card's header."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app import audit, floating, members, orgs
from app import floating_inflow as inflow
from app import floating_services as services
from app.errors import ValidationError
from app.floating import ContactInput, OutflowInput
from app.floating_inflow import InflowInput
from app.floating_services import INFLOW, LOST, MEMBER, ServiceInput, TimelineEntry
from app.idcard import check_code
from app.members import MemberInput
from db.models import ContactLog, DuesPayment, LostContactEvent, Meeting, MeetingAttendee
from tests.conftest import TODAY

HOST = "幸福里社区党委/流动党员党支部"
GRID1 = "幸福里社区党委/第一网格党支部"
HELP = ServiceInput("就业推荐", date(2026, 4, 10), "推荐到华联超市做理货员", provider="社区就业服务站", result="已录用")


def make_id(birth: str, seq: str) -> str:
    first17 = "110105" + birth + seq
    return first17 + check_code(first17)


@pytest.fixture
def ids(tree_database) -> dict[str, int]:
    """张建国 away since 2026-03-01, 李秀英 at home (both 在册), 周晓梅 an inflow member since 2026-02-01."""
    found: dict[str, int] = {}
    with tree_database.unit_of_work() as session:
        grid1 = orgs.find_by_path(session, GRID1).id
        host = orgs.find_by_path(session, HOST).id
        for n, name in enumerate(("张建国", "李秀英")):
            found[name], _ = members.create(session, MemberInput(
                name=name, id_number=make_id(f"19{70 + n}0301", f"12{n}"), org_id=grid1, joined_on=date(1995, 7, 1),
                confirmed_on=date(1996, 7, 1)), today=TODAY)
        floating.register_outflow(session, found["张建国"], OutflowInput(
            left_on=date(2026, 3, 1), destination_province="广东省", destination_city="深圳市", reason="务工经商",
            management_mode="流出地直管"), today=TODAY)
        found["周晓梅"], _ = inflow.register_inflow(session, InflowInput(
            name="周晓梅", home_org="河南省信阳市某村党支部", arrived_on=date(2026, 2, 1), host_org_id=host,
            building="3号楼", unit="2单元"), today=TODAY)
        found["host"], found["grid1"] = host, grid1
    return found


def add(database, data: ServiceInput = HELP, **person) -> int:
    with database.unit_of_work() as session:
        service_id, changes = services.add_service(session, data=data, today=TODAY, **person)
    assert changes.floating
    return service_id


def errors_of(database, call) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught, database.unit_of_work() as session:
        call(session)
    return caught.value.errors


def listed(database, **filters) -> list[tuple]:
    with database.read() as session:
        return [(r.served_on, r.kind, r.person_name, r.person_type)
                for r in services.list_services(session, **filters)]


# ---------------------------------------------------------------- services


def test_services_for_a_floating_member_any_member_and_an_inflow_member(tree_database, ids):
    first = add(tree_database, member_id=ids["张建国"])
    add(tree_database, replace(HELP, kind="法律援助", served_on=date(2026, 6, 1), content="劳动合同咨询"),
        member_id=ids["李秀英"])
    add(tree_database, replace(HELP, kind="生活救助", served_on=date(2026, 2, 20), content="春节慰问"),
        inflow_id=ids["周晓梅"])
    assert listed(tree_database) == [
        (date(2026, 6, 1), "法律援助", "李秀英", "党员"),
        (date(2026, 4, 10), "就业推荐", "张建国", "党员"),
        (date(2026, 2, 20), "生活救助", "周晓梅", "流入党员"),
    ]
    with tree_database.read() as session:
        [row] = services.list_services(session, kind="就业推荐")
        log = audit.entries(session, "floating", ids["张建国"])
    assert (row.id, row.content, row.provider, row.result, row.made_by) == (
        first, "推荐到华联超市做理货员", "社区就业服务站", "已录用", "社区党委办公室")
    assert row.person == (MEMBER, ids["张建国"])
    assert log[-1].action == "之家服务" and log[-1].detail == "2026-04-10 就业推荐：推荐到华联超市做理货员"


def test_list_filters_by_year_and_kind_newest_first(tree_database, ids):
    add(tree_database, member_id=ids["张建国"])
    add(tree_database, replace(HELP, kind="法律援助", served_on=date(2026, 6, 1)), member_id=ids["李秀英"])
    add(tree_database, replace(HELP, kind="生活救助", served_on=date(2026, 2, 1)), inflow_id=ids["周晓梅"])
    add(tree_database, replace(HELP, served_on=date(2025, 12, 31)), member_id=ids["李秀英"])
    assert listed(tree_database) == [
        (date(2026, 6, 1), "法律援助", "李秀英", "党员"), (date(2026, 4, 10), "就业推荐", "张建国", "党员"),
        (date(2026, 2, 1), "生活救助", "周晓梅", "流入党员"), (date(2025, 12, 31), "就业推荐", "李秀英", "党员")]
    assert listed(tree_database, year=2025) == [(date(2025, 12, 31), "就业推荐", "李秀英", "党员")]
    assert listed(tree_database, year=2026, kind="就业推荐") == [(date(2026, 4, 10), "就业推荐", "张建国", "党员")]
    assert listed(tree_database, inflow_id=ids["周晓梅"]) == [(date(2026, 2, 1), "生活救助", "周晓梅", "流入党员")]
    with tree_database.read() as session:
        assert services.service_years(session, TODAY) == [2026, 2025]


def test_exactly_one_person(tree_database, ids):
    for person in ({}, {"member_id": ids["张建国"], "inflow_id": ids["周晓梅"]}):
        errors = errors_of(tree_database, lambda s, p=person: services.add_service(s, data=HELP, today=TODAY, **p))
        assert errors == {"person": "请选择一名服务对象（党员或流入党员）。"}


@pytest.mark.parametrize(("change", "field", "message"), [
    (dict(served_on=date(2026, 11, 23)), "served_on", "服务日期不能晚于今天。"),
    (dict(served_on=None), "served_on", "请填写服务日期。"),
    (dict(content="  "), "content", "请填写服务内容。"),
    (dict(kind="心理疏导"), "kind", "请选择服务类别（就业推荐、技能培训、法律援助、生活救助、其他服务）。"),
    (dict(result="好" * 201), "result", "服务结果不能超过 200 个字。"),
])
def test_service_validation_messages(tree_database, ids, change, field, message):
    errors = errors_of(tree_database, lambda s: services.add_service(
        s, member_id=ids["张建国"], data=replace(HELP, **change), today=TODAY))
    assert errors == {field: message}


def test_a_member_who_left_the_ledger_gets_no_later_services(tree_database, ids):
    with tree_database.unit_of_work() as session:
        members.leave(session, ids["李秀英"], "转出", date(2026, 6, 1), "工作调动", transferred_to="某某街道党工委",
                      today=TODAY)
    errors = errors_of(tree_database, lambda s: services.add_service(
        s, member_id=ids["李秀英"], data=replace(HELP, served_on=date(2026, 7, 1)), today=TODAY))
    assert errors == {"person": "“李秀英”已于 2026-06-01 转出，不在册，不能登记此后的服务。"}
    add(tree_database, replace(HELP, served_on=date(2026, 5, 20)), member_id=ids["李秀英"])  # given before leaving


def test_an_inflow_member_must_be_here_on_the_day(tree_database, ids):
    errors = errors_of(tree_database, lambda s: services.add_service(
        s, inflow_id=ids["周晓梅"], data=replace(HELP, served_on=date(2026, 1, 31)), today=TODAY))
    assert errors == {"served_on": "服务日期早于“周晓梅”来到本社区的日期（2026-02-01）。"}
    with tree_database.unit_of_work() as session:
        inflow.depart(session, ids["周晓梅"], date(2026, 8, 31), "回原籍", today=TODAY)
    errors = errors_of(tree_database, lambda s: services.add_service(
        s, inflow_id=ids["周晓梅"], data=replace(HELP, served_on=date(2026, 9, 1)), today=TODAY))
    assert errors == {"person": "“周晓梅”已于 2026-08-31 离开本社区，不能登记此后的服务。"}
    add(tree_database, replace(HELP, served_on=date(2026, 8, 31)), inflow_id=ids["周晓梅"])  # the last day counts


def test_update_and_delete_are_logged(tree_database, ids):
    service_id = add(tree_database, inflow_id=ids["周晓梅"])
    with tree_database.read() as session:
        person, data = services.load_service(session, service_id)
    assert (person.kind, person.person_id, person.name, data) == (INFLOW, ids["周晓梅"], "周晓梅", HELP)
    with tree_database.unit_of_work() as session:
        services.update_service(session, service_id, replace(HELP, result="试用一个月"), today=TODAY)
    errors = errors_of(tree_database, lambda s: services.update_service(
        s, service_id, replace(HELP, served_on=date(2026, 1, 1)), today=TODAY))
    assert set(errors) == {"served_on"}
    with tree_database.unit_of_work() as session:
        changes = services.delete_service(session, service_id)
    assert changes.floating
    assert listed(tree_database) == []
    with tree_database.read() as session:
        log = audit.entries(session, "inflow", ids["周晓梅"])
    assert [e.action for e in log] == ["登记流入", "之家服务", "修改之家服务", "删除之家服务"]
    assert log[-1].detail == "2026-04-10 就业推荐：推荐到华联超市做理货员"


# ---------------------------------------------------------------- the person picker


def test_find_people_lists_floating_members_then_inflow_then_the_rest(tree_database, ids):
    with tree_database.read() as session:
        everyone = services.find_people(session, "")
        by_initials = services.find_people(session, "zxm")
        by_name = services.find_people(session, "秀英")
        chosen = services.person_of(session, inflow_id=ids["周晓梅"])
    assert [(p.name, p.kind) for p in everyone[:3]] == [("张建国", MEMBER), ("周晓梅", INFLOW), ("李秀英", MEMBER)]
    assert everyone[0].detail == "流动党员 · 第一网格党支部"
    assert everyone[1].label == "周晓梅　流入党员 · 流动党员党支部"
    assert [p.name for p in by_initials] == ["周晓梅"]
    assert [p.name for p in by_name] == ["李秀英"]
    assert chosen == everyone[1]


# ---------------------------------------------------------------- timeline and card


def test_a_members_timeline_merges_every_record_newest_first(tree_database, ids):
    member = ids["张建国"]
    with tree_database.unit_of_work() as session:
        floating.add_contact(session, member, ContactInput(date(2026, 5, 1), "电话", False, "无人接听"), today=TODAY)
        floating.add_contact(session, member, ContactInput(date(2026, 5, 3), "微信", True, "在深圳务工"), today=TODAY)
        session.add(ContactLog(member_id=member, contacted_on=date(2026, 7, 1), channel="来信", reached=True,
                               summary="思想汇报", is_report=True))
        held = Meeting(org_id=ids["grid1"], held_on=date(2026, 6, 28), kind="支部党员大会", topic="七一主题党日",
                       place="社区活动室")
        missed = Meeting(org_id=ids["grid1"], held_on=date(2026, 9, 28), kind="党课")
        planned = Meeting(org_id=ids["grid1"], held_on=date(2026, 12, 28), kind="组织生活会")
        session.add_all([held, missed, planned])
        session.flush()
        session.add_all([MeetingAttendee(meeting_id=held.id, member_id=member, present=True),
                         MeetingAttendee(meeting_id=missed.id, member_id=member, present=False,
                                         absence_reason="在外务工"),
                         MeetingAttendee(meeting_id=planned.id, member_id=member, present=True)])
        session.add(DuesPayment(member_id=member, period=date(2026, 5, 1), paid_on=date(2026, 5, 10), amount_fen=1250,
                                paid_at="流入地党组织"))
        session.add(LostContactEvent(member_id=member, kind="寻找", happened_on=date(2026, 5, 2), note="走访家属"))
        record_id = floating.open_records(session, TODAY)[0].record_id
        floating.return_home(session, record_id, date(2026, 10, 8), today=TODAY)
        services.add_service(session, member_id=member, data=replace(HELP, served_on=date(2026, 3, 1)), today=TODAY)
    with tree_database.read() as session:
        entries = services.timeline(session, member_id=member, today=TODAY)
    assert [(e.day, e.kind, e.title) for e in entries] == [
        (date(2026, 10, 8), "返回", "返回"),
        (date(2026, 7, 1), "联系", "联系上（来信），本人报告"),
        (date(2026, 6, 28), "组织生活", "参加支部党员大会：七一主题党日"),
        (date(2026, 5, 10), "党费", "交纳 2026 年 5 月党费 12.50 元"),
        (date(2026, 5, 3), "联系", "联系上（微信）"),
        (date(2026, 5, 2), LOST, "寻找"),
        (date(2026, 5, 1), "联系", "未联系上（电话）"),
        (date(2026, 3, 1), "服务", "就业推荐"),  # on the day they left: the departure comes first, so listed after
        (date(2026, 3, 1), "外出", "外出：广东省 深圳市"),
    ]
    assert entries[0].detail == "2026-03-01 外出，在外 221 天"
    assert entries[3].detail == "在流入地党组织交纳"
    assert entries[6].alert and not entries[4].alert
    assert entries[-1].detail == "务工经商，流出地直管"


def test_an_inflow_members_timeline(tree_database, ids):
    person = ids["周晓梅"]
    add(tree_database, replace(HELP, served_on=date(2026, 2, 1)), inflow_id=person)
    with tree_database.unit_of_work() as session:
        meeting = Meeting(org_id=ids["host"], held_on=date(2026, 4, 15), kind="主题党日", topic="")
        session.add(meeting)
        session.flush()
        session.add(MeetingAttendee(meeting_id=meeting.id, inflow_id=person, present=True))
        inflow.depart(session, person, date(2026, 8, 31), "回原籍", today=TODAY)
    with tree_database.read() as session:
        entries = services.timeline(session, inflow_id=person, today=TODAY)
    assert entries == [
        TimelineEntry(date(2026, 8, 31), "离开", "离开本社区", "回原籍"),
        TimelineEntry(date(2026, 4, 15), "组织生活", "参加主题党日", "流动党员党支部"),
        TimelineEntry(date(2026, 2, 1), "服务", "就业推荐", "推荐到华联超市做理货员，提供：社区就业服务站，结果：已录用"),
        TimelineEntry(date(2026, 2, 1), "来到", "来到本社区", "组织关系在河南省信阳市某村党支部，联系党组织：流动党员党支部"),
    ]


def test_timeline_needs_exactly_one_person(tree_database, ids):
    with pytest.raises(ValidationError), tree_database.read() as session:
        services.timeline(session, today=TODAY)


def test_card_headers(tree_database, ids):
    with tree_database.read() as session:
        away = services.person_card(session, member_id=ids["张建国"], today=TODAY)
        home = services.person_card(session, member_id=ids["李秀英"], today=TODAY)
        guest = services.person_card(session, inflow_id=ids["周晓梅"], today=TODAY)
    assert (away.name, away.person_type, away.organisation) == ("张建国", "党员", "幸福里社区党委/第一网格党支部")
    assert away.lines[1] == "外出中：2026-03-01 起 · 广东省 深圳市 · 务工经商 · 流出地直管"
    assert away.status.startswith("在册 · 党籍正常 · 联系状态：待联系（2026-03-01 纳入管理后尚未联系上")
    assert home.lines[1] == "无外出记录" and home.status == "在册 · 党籍正常"
    assert (guest.person_type, guest.organisation) == ("流入党员", "流动党员党支部")
    assert guest.lines == ("组织关系所在：河南省信阳市某村党支部", "2026-02-01 来到本社区 · 无证明", "住在 3号楼-2单元")
    assert guest.status == "仍在本社区，已来 294 天"
