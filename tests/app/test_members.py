"""Members: validation with Chinese messages, history, leaving the ledger, search and sort."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app import audit, members, orgs
from app.errors import AppError, ValidationError
from app.idcard import check_code
from app.members import MemberFilter, MemberInput
from tests.conftest import TODAY


def make_id(birth: str, seq: str = "123", region: str = "110105") -> str:
    first17 = region + birth + seq
    return first17 + check_code(first17)


@pytest.fixture
def grid1(tree_database) -> int:
    with tree_database.read() as session:
        return orgs.find_by_path(session, "幸福里社区党委/第一网格党支部").id


def person(org_id: int, name: str = "张建国", birth: str = "19700301", seq: str = "123", **extra) -> MemberInput:
    values = dict(name=name, id_number=make_id(birth, seq), org_id=org_id, joined_on=date(1995, 7, 1),
                  category="正式党员", confirmed_on=date(1996, 7, 1), mobile="13812345678")
    values.update(extra)
    return MemberInput(**values)


def add(database, data: MemberInput) -> int:
    with database.unit_of_work() as session:
        member_id, changes = members.create(session, data, today=TODAY)
    assert changes.members
    return member_id


def test_create_fills_sex_and_birth_from_the_id_and_logs(tree_database, grid1):
    member_id = add(tree_database, person(grid1))
    with tree_database.read() as session:
        record = members.get(session, member_id)
        log = audit.entries(session, "members", member_id)
    assert record.data.sex == "男"  # 17th digit 3 is odd
    assert record.data.birth_date == date(1970, 3, 1)
    assert record.org_path == "幸福里社区党委/第一网格党支部"
    assert record.status == "在册"
    assert [e.action for e in log] == ["新增"] and log[0].operator == "社区党委办公室"


def test_fifteen_digit_id_is_stored_in_its_eighteen_digit_form(tree_database, grid1):
    member_id = add(tree_database, person(grid1, id_number="110105700301123"))
    with tree_database.read() as session:
        assert members.get(session, member_id).data.id_number == make_id("19700301")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"id_number": "110105197003011234"}, "id_number", "校验位"),
        ({"sex": "女"}, "sex", "性别与身份证号不符（身份证号显示为男）"),
        ({"birth_date": date(1970, 3, 2)}, "birth_date", "出生日期与身份证号不符"),
        ({"joined_on": date(1987, 7, 1), "confirmed_on": date(1988, 7, 1)}, "joined_on", "入党时不满 18 周岁"),
        ({"joined_on": date(2026, 12, 1)}, "joined_on", "入党日期不能晚于今天"),
        ({"confirmed_on": date(1996, 6, 30)}, "confirmed_on", "不早于 1996-07-01"),
        ({"confirmed_on": date(1997, 7, 2)}, "confirmed_on", "预备期最多延长一年"),
        ({"confirmed_on": None}, "confirmed_on", "正式党员请填写转正日期"),
        ({"category": "预备党员"}, "confirmed_on", "预备党员尚未转正，转正日期应为空"),
        ({"mobile": "1381234567"}, "mobile", "手机号应为 11 位数字"),
        ({"landline": "62-345"}, "landline", "固定电话格式不正确"),
        ({"name": " "}, "name", "请填写姓名"),
        ({"org_id": None}, "org_id", "请选择所在党组织"),
        ({"education": "大学"}, "education", "“大学”不是可选的学历"),
    ],
)
def test_validation_names_each_problem(tree_database, grid1, changes, field, message):
    with tree_database.read() as session:
        errors, _ = members.validate(session, replace(person(grid1), **changes), today=TODAY)
    assert field in errors and message in errors[field], errors


def test_valid_input_has_no_errors_and_landline_forms_pass(tree_database, grid1):
    with tree_database.read() as session:
        for landline in ("010-62345678", "62345678", "0571-8765432", "010-62345678-123"):
            errors, clean = members.validate(session, person(grid1, landline=landline), today=TODAY)
            assert errors == {}, (landline, errors)
    assert clean.sex == "男"


def test_an_existing_id_number_is_refused(tree_database, grid1):
    add(tree_database, person(grid1))
    with tree_database.unit_of_work() as session, pytest.raises(ValidationError) as caught:
        members.create(session, person(grid1, name="李四"), today=TODAY)
    assert "已登记在党员“张建国”名下" in caught.value.errors["id_number"]


def test_a_dissolved_organisation_cannot_take_members(tree_database):
    with tree_database.unit_of_work() as session:
        leaf = orgs.find_by_path(session, "幸福里社区党委/第一网格党支部/3号楼党小组").id
        orgs.dissolve(session, leaf, TODAY, "拆除", today=TODAY)
        errors, _ = members.validate(session, person(leaf), today=TODAY)
    assert "已撤销" in errors["org_id"]


def test_key_field_changes_are_kept_as_history(tree_database, grid1):
    member_id = add(tree_database, person(grid1))
    with tree_database.unit_of_work() as session:
        members.update(session, member_id, person(grid1, mobile="13900001111", note="备注不记"), today=TODAY)
    with tree_database.read() as session:
        log = audit.entries(session, "members", member_id)
        assert members.get(session, member_id).data.mobile == "13900001111"
    assert log[-1].action == "修改" and log[-1].detail == "手机：13812345678 → 13900001111"


def test_leaving_keeps_the_record_and_the_ledger_shows_it_on_request(tree_database, grid1):
    member_id = add(tree_database, person(grid1))
    with tree_database.unit_of_work() as session:
        with pytest.raises(ValidationError) as caught:
            members.leave(session, member_id, "转出", TODAY, "工作调动", today=TODAY)
        assert caught.value.errors == {"transferred_to": "请填写转往的党组织。"}
        members.leave(session, member_id, "转出", TODAY, "工作调动", transferred_to="某街道党工委", today=TODAY)
        with pytest.raises(AppError, match="不在册"):
            members.leave(session, member_id, "死亡", TODAY, "", today=TODAY)
    with tree_database.read() as session:
        assert member_id not in members.ordered_ids(session, MemberFilter())
        assert member_id in members.ordered_ids(session, MemberFilter(statuses=("转出",)))
        record = members.get(session, member_id)
    assert (record.status, record.transferred_to, record.left_on) == ("转出", "某街道党工委", TODAY)
    with tree_database.unit_of_work() as session:
        members.return_to_ledger(session, member_id)
    with tree_database.read() as session:
        assert member_id in members.ordered_ids(session, MemberFilter())


@pytest.fixture
def people(tree_database, grid1):
    with tree_database.read() as session:
        grid2 = orgs.find_by_path(session, "幸福里社区党委/第二网格党支部").id
    ids = {
        "张三丰": add(tree_database, person(grid2, "张三丰", "19600101", "011", mobile="13900000001")),
        "张建国": add(tree_database, person(grid1, "张建国", "19700301", "123", mobile="13811112222")),
        "曾国藩": add(tree_database, person(grid1, "曾国藩", "19650505", "031", mobile="13700003333",
                                          address="幸福里建国路 8 号")),
        "单雄信": add(tree_database, person(grid1, "单雄信", "19720202", "051")),
        "李四": add(tree_database, person(grid2, "李四", "19800808", "071", category="预备党员",
                                          joined_on=date(2026, 1, 10), confirmed_on=None)),
    }
    return ids


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zsf", {"张三丰"}), ("zs", {"张三丰"}), ("zgf", {"曾国藩"}), ("sxx", {"单雄信"}), ("zhangjian", {"张建国"}),
        ("建国", {"张建国"}), ("张", {"张三丰", "张建国"}), ("张三", {"张三丰"}), ("139", {"张三丰"}),
        ("13811", {"张建国"}), ("建国路", {"曾国藩"}), ("幸福里建国", {"曾国藩"}),
    ],
)
def test_search_as_you_type(tree_database, people, text, expected):
    with tree_database.read() as session:
        found = set(members.ordered_ids(session, MemberFilter(text=text)))
    assert found == {people[name] for name in expected}


def test_search_by_id_tail(tree_database, people):
    tail = make_id("19650505", "031")[-4:]
    with tree_database.read() as session:
        assert members.ordered_ids(session, MemberFilter(text=tail)) == [people["曾国藩"]]


def test_sort_by_pinyin_and_by_organisation_in_tree_order(tree_database, people):
    with tree_database.read() as session:
        by_name = members.ordered_ids(session, MemberFilter(), sort="name")
        by_org = members.ordered_ids(session, MemberFilter(), sort="org")
        rows = members.rows(session, by_org)
    names = {v: k for k, v in people.items()}
    assert [names[i] for i in by_name] == ["李四", "单雄信", "曾国藩", "张建国", "张三丰"]
    assert [names[i] for i in by_org][:3] == ["单雄信", "曾国藩", "张建国"]  # 第一网格 first, then by name
    assert rows[people["李四"]][members.LEDGER_COLUMNS.index("category")] == "预备党员"


def test_filters_by_subtree_category_and_identity(tree_database, people):
    with tree_database.read() as session:
        root = orgs.find_by_path(session, "幸福里社区党委").id
        grid2 = orgs.find_by_path(session, "幸福里社区党委/第二网格党支部").id
        assert len(members.ordered_ids(session, MemberFilter(org_id=root))) == 5
        assert set(members.ordered_ids(session, MemberFilter(org_id=grid2))) == {people["张三丰"], people["李四"]}
        assert members.ordered_ids(session, MemberFilter(category="预备党员")) == [people["李四"]]
        assert members.ordered_ids(session, MemberFilter(identity="流动党员")) == []


def test_confirmations_due_and_counts(tree_database, people):
    with tree_database.read() as session:
        assert members.confirmations_due(session, date(2026, 11, 10)) == []  # 61 days ahead
        due = members.confirmations_due(session, TODAY)
        assert [(d.name, d.due_on, d.days_left) for d in due] == [("李四", date(2027, 1, 10), 49)]
        overdue = members.confirmations_due(session, date(2027, 2, 1))
        assert [d.days_left for d in overdue] == [-22]
        counts = members.counts_by_org(session)
        grid2 = orgs.find_by_path(session, "幸福里社区党委/第二网格党支部").id
    assert counts[grid2] == members.OrgCounts(total=2, full=1, probationary=1)


def test_an_organisation_with_members_cannot_be_dissolved(tree_database):
    with tree_database.read() as session:
        leaf = orgs.find_by_path(session, "幸福里社区党委/第一网格党支部/3号楼党小组").id
    add(tree_database, person(leaf))
    with tree_database.unit_of_work() as session, pytest.raises(AppError, match="还有 1 名在册党员"):
        orgs.dissolve(session, leaf, TODAY, "拆除", today=TODAY)


def test_committee_names_are_linked_to_ledger_members_of_the_subtree(tree_database, grid1):
    with tree_database.read() as session:
        group = orgs.find_by_path(session, "幸福里社区党委/第一网格党支部/1号楼党小组").id
    zhang = add(tree_database, person(group, "张建国"))
    add(tree_database, person(grid1, "王芳", "19700101", "022"))
    with tree_database.unit_of_work() as session:
        node = orgs.get(session, grid1)
        data = orgs.OrgInput(node.name, node.kind, node.founded_on, node.term_ends_on, node.place, node.note,
                             (("书记", "张建国"), ("组织委员", "不在台账")))
        orgs.update(session, grid1, data)
    with tree_database.read() as session:
        assert orgs.get(session, grid1).committee_member_ids == (zhang, None)


def test_branch_rules_as_warnings(tree_database, people):
    with tree_database.read() as session:
        nodes = orgs.list_tree(session)
        totals = members.subtree_counts(nodes, members.counts_by_org(session))
        warnings = members.branch_warnings(nodes, totals)
        root = orgs.find_by_path(session, "幸福里社区党委").id
        grid1 = orgs.find_by_path(session, "幸福里社区党委/第一网格党支部").id
        joint = orgs.find_by_path(session, "幸福里社区党委/两新组织联合党支部").id
    assert totals[root] == members.OrgCounts(total=5, full=4, probationary=1)
    assert totals[grid1].full == 3
    assert grid1 not in warnings  # three 正式党员 are enough
    grid2 = next(n.id for n in nodes if n.name == "第二网格党支部")
    assert warnings[grid2] == ["正式党员只有 1 名，不足 3 名，应与邻近单位成立联合党支部"]
    assert joint not in warnings  # a joint branch exists precisely because it has fewer
    big = {grid1: members.OrgCounts(total=51, full=49, probationary=2)}
    node = replace(next(n for n in nodes if n.id == grid1), committee=(("书记", "夏思远"),))
    found = members.branch_warnings([node], big)[grid1]
    assert "超过 50 名" in found[0] and "应设立 3 至 5 人的支部委员会" in found[1]


def test_workbench_lists_a_few_confirmations_and_sums_up_the_rest(tree_database, grid1):
    from app import workbench

    for n in range(10):
        add(tree_database, person(grid1, "预备" + "甲乙丙丁戊己庚辛壬癸"[n], "19800101", f"{n:02d}1",
                                  category="预备党员", joined_on=date(2025, 12, 1 + n), confirmed_on=None))
    with tree_database.read() as session:
        items = [a for a in workbench.summary(session, TODAY).attention if a.area == "members"]
    assert len(items) == workbench.LISTED_CONFIRMATIONS + 1
    assert items[0].text.startswith("预备党员预备甲的转正将于 2026-12-01 到期")
    assert items[-1].text == "另有 2 名预备党员的转正在 60 天内到期，请在党员台账中筛选“预备党员”查看。"


def test_the_derived_floating_and_lost_fields_are_never_written_by_the_form(tree_database, grid1):
    # GIVEN a member created with the flags ticked (an old caller, a crafted input)
    with tree_database.unit_of_work() as session:
        member_id, _ = members.create(session, replace(person(grid1), floating=True, floating_destination="深圳",
                                                        lost_contact=True, lost_contact_on=date(2025, 1, 1)),
                                      today=TODAY)
    # THEN a new member starts without them: only the 流动党员之家's records set them
    with tree_database.read() as session:
        data = members.get(session, member_id).data
    assert (data.floating, data.floating_destination, data.lost_contact, data.lost_contact_on) == (False, "", False, None)
    # AND an edit that changes them leaves the stored values alone
    with tree_database.unit_of_work() as session:
        member = session.get(members.Member, member_id)
        member.floating, member.floating_destination = True, "广东省 深圳市"
    with tree_database.unit_of_work() as session:
        members.update(session, member_id, replace(data, floating=False, floating_destination="", mobile="13800001111"),
                       today=TODAY)
    with tree_database.read() as session:
        data = members.get(session, member_id).data
    assert (data.floating, data.floating_destination, data.mobile) == (True, "广东省 深圳市", "13800001111")
