"""流入党员: registration, the rules on ID numbers and dates, departure, the list and the host count."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app import audit, members, orgs
from app import floating_inflow as inflow
from app import floating_services as services
from app.errors import AppError, ValidationError
from app.floating_inflow import InflowInput
from app.floating_services import ServiceInput
from app.idcard import check_code
from app.members import MemberInput
from tests.conftest import TODAY

ROOT = "幸福里社区党委"
HOST = "幸福里社区党委/流动党员党支部"
GRID1 = "幸福里社区党委/第一网格党支部"


def make_id(birth: str, seq: str = "123", region: str = "110105") -> str:
    first17 = region + birth + seq
    return first17 + check_code(first17)


@pytest.fixture
def host(tree_database) -> int:
    with tree_database.read() as session:
        return orgs.find_by_path(session, HOST).id


@pytest.fixture
def grid1(tree_database) -> int:
    with tree_database.read() as session:
        return orgs.find_by_path(session, GRID1).id


def arrival(host_id: int, **change) -> InflowInput:
    data = InflowInput(name="周晓梅", id_number=make_id("19880512", "124"), category="正式党员",
                       mobile="139 1234 5678", home_org="中共河南省信阳市某某村党支部", home_org_contact="李书记 0376-1234567",
                       arrived_on=date(2026, 3, 1), certificate_kind="流动党员活动证", certificate_no="豫2026-0012",
                       certificate_valid_until=date(2027, 2, 28), host_org_id=host_id, building="3号楼", unit="2单元",
                       address="幸福里3号楼2单元501", employer="华联超市")
    return replace(data, **change)


def register(database, data: InflowInput) -> int:
    with database.unit_of_work() as session:
        inflow_id, changes = inflow.register_inflow(session, data, today=TODAY)
    assert changes.floating
    return inflow_id


def errors_of(database, call) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught, database.unit_of_work() as session:
        call(session)
    return caught.value.errors


def rows(database, **kwargs) -> list[inflow.InflowRow]:
    with database.read() as session:
        return inflow.list_inflow(session, TODAY, **kwargs)


# ---------------------------------------------------------------- registering


def test_register_normalises_and_lists_the_member(tree_database, host):
    inflow_id = register(tree_database, arrival(host, sex="", name=" 周晓梅 "))
    [row] = rows(tree_database)
    assert (row.id, row.name, row.sex, row.mobile) == (inflow_id, "周晓梅", "女", "13912345678")
    assert (row.host_org_id, row.host_org_name, row.place, row.certificate_expired) == (host, "流动党员党支部",
                                                                                          "3号楼-2单元", False)
    with tree_database.read() as session:
        data = inflow.load_inflow(session, inflow_id)
        [entry] = audit.entries(session, "inflow", inflow_id)
    assert data == arrival(host, sex="女", mobile="13912345678")
    assert entry.action == "登记流入" and "2026-03-01 来到" in entry.detail and entry.operator == "社区党委办公室"


def test_id_number_is_optional_and_a_15_digit_one_is_converted(tree_database, host):
    register(tree_database, arrival(host, id_number="", sex=""))
    old = "110105880512124"
    second = register(tree_database, arrival(host, name="孙立", id_number=old, sex=""))
    with tree_database.read() as session:
        data = inflow.load_inflow(session, second)
    assert (data.id_number, data.sex) == (make_id("19880512", "124"), "女")


def test_an_id_of_a_ledger_member_is_refused_naming_them(tree_database, host, grid1):
    number = make_id("19700301", "123")
    with tree_database.unit_of_work() as session:
        members.create(session, MemberInput(name="张建国", id_number=number, org_id=grid1, joined_on=date(1995, 7, 1),
                                            confirmed_on=date(1996, 7, 1)), today=TODAY)
    errors = errors_of(tree_database, lambda s: inflow.register_inflow(
        s, arrival(host, id_number=number, sex=""), today=TODAY))
    assert errors == {"id_number": f"身份证号 {number} 是本社区在册党员“张建国”（第一网格党支部）的，"
                                   "该同志在党员台账中，不是流入党员。"}


def test_an_id_of_a_member_who_left_the_ledger_is_fine(tree_database, host, grid1):
    number = make_id("19700301", "123")
    with tree_database.unit_of_work() as session:
        member_id, _ = members.create(session, MemberInput(
            name="张建国", id_number=number, org_id=grid1, joined_on=date(1995, 7, 1), confirmed_on=date(1996, 7, 1)),
            today=TODAY)
        members.leave(session, member_id, "转出", date(2025, 1, 1), "工作调动", transferred_to="某某街道党工委",
                      today=TODAY)
    register(tree_database, arrival(host, id_number=number, sex=""))


def test_the_same_id_twice_is_refused_while_the_first_is_still_here(tree_database, host):
    first = register(tree_database, arrival(host))
    errors = errors_of(tree_database, lambda s: inflow.register_inflow(s, arrival(host, name="周小梅"), today=TODAY))
    assert errors == {"id_number": f"身份证号 {make_id('19880512', '124')} 已登记为流入党员“周晓梅”"
                                   "（2026-03-01 来到），不能重复登记。"}
    # editing the first one is not a duplicate of itself
    with tree_database.unit_of_work() as session:
        inflow.update_inflow(session, first, arrival(host, employer="新单位"), today=TODAY)
    # once they left, the same person may arrive again as a new row
    with tree_database.unit_of_work() as session:
        inflow.depart(session, first, date(2026, 6, 1), "回原籍", today=TODAY)
    second = register(tree_database, arrival(host, arrived_on=date(2026, 9, 1)))
    assert [(r.id, r.left_on) for r in rows(tree_database, include_left=True)] == [
        (first, date(2026, 6, 1)), (second, None)]


@pytest.mark.parametrize(("change", "field", "message"), [
    (dict(name=""), "name", "请填写姓名。"),
    (dict(name="周 晓梅"), "name", "姓名中不能有数字或空格。"),
    (dict(name="周" * 51), "name", "姓名不能超过 50 个字。"),
    (dict(id_number="11010519880512124X"), "id_number",
     "身份证号校验位不正确（最后一位应为 " + make_id("19880512", "124")[-1]
     + "）：多半是前面某一位输错了，请逐位核对。"),
    (dict(sex="男"), "sex", "性别与身份证号不符（身份证号显示为女）。"),
    (dict(id_number="", sex="未知"), "sex", "性别应为“男”或“女”。"),
    (dict(category="积极分子"), "category", "人员类别应为正式党员或预备党员。"),
    (dict(mobile="1381234567"), "mobile", "手机号应为 11 位数字，以 1 开头（例如 13812345678）。"),
    (dict(home_org=" "), "home_org", "请填写组织关系所在党组织。"),
    (dict(arrived_on=None), "arrived_on", "请填写来到本社区的日期。"),
    (dict(arrived_on=date(2026, 11, 23)), "arrived_on", "来到日期不能晚于今天。"),
    (dict(arrived_on=date(1988, 5, 11)), "arrived_on", "来到日期早于出生日期（1988-05-12），请核对。"),
    (dict(certificate_kind="暂住证"), "certificate_kind", "请选择证明类型（流动党员活动证、组织关系介绍信、其他证明、无）。"),
    (dict(certificate_kind="无", certificate_valid_until=None), "certificate_no",
     "没有证明时不填证明编号；有证明请先选择证明类型。"),
    (dict(certificate_kind="", certificate_no=""), "certificate_valid_until",
     "没有证明时不填有效期；有证明请先选择证明类型。"),
    (dict(certificate_valid_until=date(2026, 2, 28)), "certificate_valid_until",
     "有效期早于来到日期（2026-03-01），来到时证明已失效，请核对。"),
    (dict(host_org_id=None), "host_org_id", "请选择联系党组织（流入党员就近参加组织生活的党组织）。"),
    (dict(host_org_id=99999), "host_org_id", "所选党组织不存在。"),
    (dict(address="路" * 201), "address", "详细地址不能超过 200 个字。"),
    (dict(certificate_no="9" * 41), "certificate_no", "证明编号不能超过 40 个字。"),
])
def test_inflow_validation_messages(tree_database, host, change, field, message):
    errors = errors_of(tree_database, lambda s: inflow.register_inflow(s, arrival(host, **change), today=TODAY))
    assert errors == {field: message}
    assert rows(tree_database) == []


def test_validate_returns_every_problem_without_raising(tree_database, host):
    with tree_database.read() as session:
        errors, clean = inflow.validate_inflow(session, InflowInput(name="", mobile="12"), today=TODAY)
    assert set(errors) == {"name", "mobile", "home_org", "arrived_on", "host_org_id"}
    assert clean.mobile == "12"


def test_arrival_and_certificate_on_the_same_day_are_fine(tree_database, host):
    register(tree_database, arrival(host, certificate_valid_until=date(2026, 3, 1), arrived_on=date(2026, 3, 1)))


def test_a_dissolved_host_is_refused_but_an_old_host_may_stay_on_edit(tree_database, host):
    with tree_database.unit_of_work() as session:
        root = orgs.find_by_path(session, ROOT).id
        spare, _ = orgs.create(session, root, orgs.OrgInput("临时党支部", "临时党支部"), today=TODAY)
    inflow_id = register(tree_database, arrival(host, host_org_id=spare))
    with tree_database.unit_of_work() as session:
        inflow.depart(session, inflow_id, date(2026, 5, 1), "", today=TODAY)
        orgs.dissolve(session, spare, date(2026, 6, 1), "任务完成", today=TODAY)
    errors = errors_of(tree_database, lambda s: inflow.register_inflow(
        s, arrival(host, host_org_id=spare, id_number=""), today=TODAY))
    assert errors == {"host_org_id": "“临时党支部”已撤销，请选择其他党组织。"}
    with tree_database.unit_of_work() as session:  # the departed member's record can still be corrected
        inflow.update_inflow(session, inflow_id, arrival(host, host_org_id=spare, employer="别处"), today=TODAY)


# ---------------------------------------------------------------- editing and leaving


def test_update_logs_key_changes_old_to_new(tree_database, host, grid1):
    inflow_id = register(tree_database, arrival(host))
    with tree_database.unit_of_work() as session:
        changes = inflow.update_inflow(session, inflow_id, arrival(grid1, mobile="13800000000", name="周晓媚"),
                                       today=TODAY)
        inflow.update_inflow(session, inflow_id, arrival(grid1, mobile="13800000000", name="周晓媚"), today=TODAY)
    assert changes.floating
    with tree_database.read() as session:
        log = audit.entries(session, "inflow", inflow_id)
    assert [e.action for e in log] == ["登记流入", "修改流入党员"]  # the second save changed nothing
    assert log[1].detail == ("姓名：周晓梅 → 周晓媚；联系电话：13912345678 → 13800000000；"
                             "联系党组织：流动党员党支部 → 第一网格党支部")
    [row] = rows(tree_database)
    assert (row.name, row.host_org_name) == ("周晓媚", "第一网格党支部")


def test_depart_rules_and_the_list_hides_who_left(tree_database, host):
    inflow_id = register(tree_database, arrival(host))
    for on, message in ((date(2026, 2, 28), "离开日期不能早于来到日期（2026-03-01）。"),
                        (date(2026, 11, 23), "离开日期不能晚于今天。"),
                        (None, "请填写离开日期。")):
        errors = errors_of(tree_database, lambda s, on=on: inflow.depart(s, inflow_id, on, "回原籍", today=TODAY))
        assert errors == {"left_on": message}
    with tree_database.read() as session:
        assert inflow.hosted_count(session, host) == 1
    with tree_database.unit_of_work() as session:
        changes = inflow.depart(session, inflow_id, date(2026, 3, 1), " 回原籍务工 ", today=TODAY)
    assert changes.floating
    assert rows(tree_database) == []
    [row] = rows(tree_database, include_left=True)
    assert row.left_on == date(2026, 3, 1)
    with tree_database.read() as session:
        assert inflow.hosted_count(session, host) == 0
        assert inflow.get_inflow(session, inflow_id).left_reason == "回原籍务工"
        assert audit.entries(session, "inflow", inflow_id)[-1].detail == "2026-03-01，回原籍务工"
    with pytest.raises(AppError, match="已于 2026-03-01 离开"), tree_database.unit_of_work() as session:
        inflow.depart(session, inflow_id, date(2026, 4, 1), "", today=TODAY)


def test_depart_and_arrival_cannot_cut_off_recorded_services(tree_database, host):
    inflow_id = register(tree_database, arrival(host))
    with tree_database.unit_of_work() as session:
        services.add_service(session, inflow_id=inflow_id, data=ServiceInput("技能培训", date(2026, 5, 10), "电工培训"),
                             today=TODAY)
    errors = errors_of(tree_database, lambda s: inflow.depart(s, inflow_id, date(2026, 5, 1), "", today=TODAY))
    assert errors == {"left_on": "离开日期不能早于已有的服务或组织生活记录（2026-05-10）。"}
    errors = errors_of(tree_database, lambda s: inflow.update_inflow(
        s, inflow_id, arrival(host, arrived_on=date(2026, 6, 1)), today=TODAY))
    assert errors == {"arrived_on": "来到日期不能晚于已有的服务或组织生活记录（2026-05-10）。"}


def test_a_departed_members_arrival_cannot_move_after_their_departure(tree_database, host):
    inflow_id = register(tree_database, arrival(host))
    with tree_database.unit_of_work() as session:
        inflow.depart(session, inflow_id, date(2026, 4, 1), "", today=TODAY)
    errors = errors_of(tree_database, lambda s: inflow.update_inflow(
        s, inflow_id, arrival(host, arrived_on=date(2026, 4, 2)), today=TODAY))
    assert errors == {"arrived_on": "来到日期不能晚于离开日期（2026-04-01）。"}


# ---------------------------------------------------------------- the list


def test_list_orders_by_host_in_tree_order_then_pinyin_and_flags_expired_certificates(tree_database, host, grid1):
    register(tree_database, arrival(host, name="赵敏", id_number="", certificate_valid_until=date(2026, 11, 21)))
    register(tree_database, arrival(host, name="曾小川", id_number="", certificate_valid_until=TODAY))
    register(tree_database, arrival(grid1, name="王芳", id_number="", certificate_kind="无", certificate_no="",
                                    certificate_valid_until=None))
    register(tree_database, arrival(host, name="安然", id_number="", certificate_kind="组织关系介绍信",
                                    certificate_no="", certificate_valid_until=None))
    listed = rows(tree_database)
    # 第一网格党支部 comes before 流动党员党支部 in the tree; 曾 sorts under z (zeng), before 赵 (zhao)
    assert [(r.name, r.host_org_name) for r in listed] == [
        ("王芳", "第一网格党支部"), ("安然", "流动党员党支部"), ("曾小川", "流动党员党支部"), ("赵敏", "流动党员党支部")]
    assert [r.certificate_expired for r in listed] == [False, False, False, True]  # valid through its last day
