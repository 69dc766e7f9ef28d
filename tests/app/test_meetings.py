"""组织生活: recording meetings with their attendees, the rules on who may attend, reading them back."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app import audit, meetings, members, orgs, settings
from app.errors import NotFoundError, ValidationError
from app.idcard import check_code
from app.meetings import MEETING_KINDS, MeetingInput
from app.members import MemberInput
from db.models import InflowMember, MeetingAttendee, Organization
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[2]
GRID1 = "幸福里社区党委/第一网格党支部"
GRID2 = "幸福里社区党委/第二网格党支部"
BUILDING1 = "幸福里社区党委/第一网格党支部/1号楼党小组"
DAY = date(2026, 10, 15)


def make_id(birth: str, seq: str) -> str:
    first17 = "110105" + birth + seq
    return first17 + check_code(first17)


def add_member(session, org_id: int, name: str, seq: int, joined_on: date = date(1995, 7, 1)) -> int:
    probation = joined_on > TODAY - timedelta(days=365)
    member_id, _ = members.create(session, MemberInput(
        name=name, id_number=make_id(f"19{60 + seq % 30:02d}0301", f"{100 + seq}"), org_id=org_id,
        joined_on=joined_on, category="预备党员" if probation else "正式党员",
        confirmed_on=None if probation else joined_on + timedelta(days=366)), today=TODAY)
    return member_id


def add_inflow(session, org_id: int | None, name: str, arrived_on: date, left_on: date | None = None) -> int:
    from app import pinyin

    row = InflowMember(name=name, name_sort=pinyin.sort_key(name), sex="男", id_number="", category="正式党员",
                       mobile="", home_org="安徽省六安市某村党支部", home_org_contact="", arrived_on=arrived_on,
                       certificate_kind="", certificate_no="", host_org_id=org_id, building="", unit="",
                       address="", employer="", left_on=left_on, left_reason="", note="")
    session.add(row)
    session.flush()
    return row.id


@pytest.fixture
def world(tree_database) -> dict[str, int]:
    """第一网格 with three members (one in 1号楼党小组), 第二网格 with one, two inflow members in 第一网格."""
    with tree_database.unit_of_work() as session:
        ids = {path: orgs.find_by_path(session, path).id for path in (GRID1, GRID2, BUILDING1)}
        ids["grid1"], ids["grid2"], ids["building1"] = ids[GRID1], ids[GRID2], ids[BUILDING1]
        ids["张建国"] = add_member(session, ids["grid1"], "张建国", 1)
        ids["李秀英"] = add_member(session, ids["building1"], "李秀英", 2)
        ids["王芳"] = add_member(session, ids["grid1"], "王芳", 3)
        ids["赵敏"] = add_member(session, ids["grid2"], "赵敏", 4)
        ids["陈流入"] = add_inflow(session, ids["grid1"], "陈流入", date(2025, 3, 1))
        ids["刘后来"] = add_inflow(session, ids["building1"], "刘后来", DAY + timedelta(days=1))
    return ids


def meeting(world, **changes) -> MeetingInput:
    data = MeetingInput(org_id=world["grid1"], held_on=DAY, kind="支部党员大会", topic="学习党的二十届四中全会精神",
                        place="社区党群服务中心")
    return replace(data, **changes)


def errors_of(database, call) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught, database.unit_of_work() as session:
        call(session)
    return caught.value.errors


def record(database, data: MeetingInput, member_ids=(), inflow_ids=()) -> int:
    with database.unit_of_work() as session:
        meeting_id, changes = meetings.record_meeting(session, data, member_ids, inflow_ids, today=TODAY)
    assert changes.meetings and not changes.members
    return meeting_id


# ---------------------------------------------------------------- recording


def test_record_list_and_load_a_meeting(tree_database, world):
    with tree_database.unit_of_work() as session:
        settings.set_value(session, "operator_name", "周书记")
    meeting_id = record(tree_database, meeting(world, topic="  学习党章  "), [world["张建国"], world["李秀英"]],
                        [world["陈流入"]])
    with tree_database.read() as session:
        [row] = meetings.list_meetings(session)
        data, member_ids, inflow_ids = meetings.load_meeting(session, meeting_id)
        [entry] = audit.entries(session, "meetings", meeting_id)
    assert (row.id, row.held_on, row.kind, row.org_name, row.topic, row.present) == (
        meeting_id, DAY, "支部党员大会", "第一网格党支部", "学习党章", 3)
    assert data == meeting(world, topic="学习党章", made_by="周书记")
    assert (member_ids, inflow_ids) == ([world["张建国"], world["李秀英"]], [world["陈流入"]])
    assert (entry.operator, entry.action) == ("周书记", "登记组织生活")
    assert "支部党员大会《学习党章》" in entry.detail and "到会 3 人" in entry.detail


def test_a_meeting_today_is_accepted_and_tomorrow_refused(tree_database, world):
    record(tree_database, meeting(world, held_on=TODAY), [world["张建国"]])
    errors = errors_of(tree_database, lambda s: meetings.record_meeting(
        s, meeting(world, held_on=TODAY + timedelta(days=1)), [world["张建国"]], today=TODAY))
    assert errors == {"held_on": "会议日期不能晚于今天。"}


def test_the_meeting_form_is_checked_field_by_field(tree_database, world):
    with tree_database.read() as session:
        founded = session.get(Organization, world["grid1"]).founded_on

        def check(data, member_ids=(world["张建国"],), inflow_ids=()):
            return meetings.validate_meeting(session, data, member_ids, inflow_ids, today=TODAY)[0]

        assert check(meeting(world)) == {}
        assert check(meeting(world, held_on=None)) == {"held_on": "请填写会议日期。"}
        assert check(meeting(world, held_on=founded - timedelta(days=1)))["held_on"] == (
            f"会议日期不能早于“第一网格党支部”的成立日期（{founded:%Y-%m-%d}）。")
        assert check(meeting(world, held_on=founded)) == {}
        assert check(meeting(world, org_id=None)) == {"org_id": "请选择党组织。"}
        assert check(meeting(world, org_id=9999)) == {"org_id": "所选党组织不存在。"}
        assert check(meeting(world, kind="座谈会"))["kind"].startswith("请选择会议类型（支部党员大会、")
        assert check(meeting(world, topic="   ")) == {"topic": "请填写会议主题。"}
        assert check(meeting(world, topic="学" * 200)) == {}
        assert check(meeting(world, topic="学" * 201)) == {"topic": "会议主题不能超过 200 个字。"}
        assert check(meeting(world, place="地" * 101)) == {"place": "会议地点不能超过 100 个字。"}
        assert check(meeting(world), (), ()) == {"attendees": "请至少选择一名参会人员。"}
        assert check(meeting(world), (), (world["陈流入"],)) == {}
        assert check(meeting(world), (4242,))["attendees"] == "找不到编号为 4242 的党员。"
    assert set(MEETING_KINDS) >= {"支部党员大会", "支部委员会", "党小组会", "党课", "主题党日", "组织生活会"}


def test_no_meeting_on_or_after_the_day_an_organisation_was_dissolved(tree_database, world):
    with tree_database.unit_of_work() as session:
        building3 = orgs.find_by_path(session, "幸福里社区党委/第一网格党支部/3号楼党小组").id
        orgs.dissolve(session, building3, date(2026, 9, 30), "楼栋拆迁", today=TODAY)
    errors = errors_of(tree_database, lambda s: meetings.record_meeting(
        s, meeting(world, org_id=building3, held_on=date(2026, 9, 30)), [world["张建国"]], today=TODAY))
    assert errors == {"org_id": "“3号楼党小组”已于 2026-09-30 撤销，不能登记此后的组织生活。"}
    record(tree_database, meeting(world, org_id=building3, held_on=date(2026, 9, 29), kind="党小组会"),
           [world["张建国"]])


def test_a_member_who_left_before_the_meeting_is_refused_by_name(tree_database, world):
    # GIVEN 王芳 转出 on 1 October and 张建国 on the meeting day itself
    with tree_database.unit_of_work() as session:
        members.leave(session, world["王芳"], "转出", date(2026, 10, 1), "工作调动", transferred_to="某街道党工委",
                      today=TODAY)
        members.leave(session, world["张建国"], "转出", DAY, "工作调动", transferred_to="某街道党工委", today=TODAY)
    # WHEN a meeting on 15 October names both
    errors = errors_of(tree_database, lambda s: meetings.record_meeting(
        s, meeting(world), [world["王芳"], world["张建国"]], today=TODAY))
    # THEN only 王芳 is refused, by name and date; 张建国 was still here that day
    assert errors == {"attendees": "“王芳”已于 2026-10-01 转出，不能登记参加 2026-10-15 的组织生活。"}
    record(tree_database, meeting(world), [world["张建国"]])
    # and a meeting before 王芳 left may list her
    record(tree_database, meeting(world, held_on=date(2026, 9, 30)), [world["王芳"]])


def test_a_member_who_joined_after_the_meeting_is_refused(tree_database, world):
    with tree_database.unit_of_work() as session:
        newcomer = add_member(session, world["grid1"], "孙新人", 9, joined_on=date(2026, 10, 16))
    errors = errors_of(tree_database, lambda s: meetings.record_meeting(s, meeting(world), [newcomer], today=TODAY))
    assert errors == {"attendees": "“孙新人”入党日期（2026-10-16）晚于会议日期。"}


def test_inflow_members_must_be_here_on_the_day(tree_database, world):
    with tree_database.unit_of_work() as session:
        gone = add_inflow(session, world["grid1"], "吴已走", date(2024, 1, 1), left_on=DAY - timedelta(days=1))
        leaving = add_inflow(session, world["grid1"], "郑当天", date(2024, 1, 1), left_on=DAY)
    errors = errors_of(tree_database, lambda s: meetings.record_meeting(
        s, meeting(world), [], [world["刘后来"], gone, leaving], today=TODAY))
    assert errors == {"attendees": "流入党员“刘后来”于 2026-10-16 流入本社区，会议时尚未到来；"
                                   "流入党员“吴已走”已于 2026-10-14 离开本社区。"}
    record(tree_database, meeting(world), [], [leaving])  # leaving on the meeting day: still here
    record(tree_database, meeting(world, held_on=DAY + timedelta(days=1)), [], [world["刘后来"]])


def test_many_refused_people_are_summed_up(tree_database, world):
    with tree_database.unit_of_work() as session:
        late = [add_member(session, world["grid1"], name, 20 + n, joined_on=date(2026, 11, 1))
                for n, name in enumerate(("甲一", "乙二", "丙三", "丁四", "戊五", "己六", "庚七"))]
    errors = errors_of(tree_database, lambda s: meetings.record_meeting(s, meeting(world), late, today=TODAY))
    assert errors["attendees"] == "“甲一”、“乙二”、“丙三”、“丁四”、“戊五”等 7 人入党日期（2026-11-01）晚于会议日期。"


def test_duplicate_ids_are_recorded_once(tree_database, world):
    meeting_id = record(tree_database, meeting(world), [world["张建国"], world["张建国"]], [world["陈流入"]] * 2)
    with tree_database.read() as session:
        assert meetings.list_meetings(session)[0].present == 2
        assert meetings.load_meeting(session, meeting_id)[1:] == ([world["张建国"]], [world["陈流入"]])


# ---------------------------------------------------------------- editing and deleting


def test_update_replaces_the_list_keeps_absences_and_the_recorder(tree_database, world):
    with tree_database.unit_of_work() as session:
        settings.set_value(session, "operator_name", "周书记")
    meeting_id = record(tree_database, meeting(world), [world["张建国"], world["李秀英"]])
    with tree_database.unit_of_work() as session:  # an absence, as the evaluation slice will record them
        session.add(MeetingAttendee(meeting_id=meeting_id, member_id=world["王芳"], present=False,
                                    absence_reason="病假"))
        settings.set_value(session, "operator_name", "钱委员")
    with tree_database.unit_of_work() as session:
        changes = meetings.update_meeting(session, meeting_id, meeting(world, kind="主题党日", topic="重温入党誓词"),
                                          [world["李秀英"]], [world["陈流入"]], today=TODAY)
    assert changes.meetings
    with tree_database.read() as session:
        data, member_ids, inflow_ids = meetings.load_meeting(session, meeting_id)
        rows = session.execute(select(MeetingAttendee.member_id, MeetingAttendee.inflow_id, MeetingAttendee.present,
                                      MeetingAttendee.absence_reason)
                               .where(MeetingAttendee.meeting_id == meeting_id)).all()
        [_, entry] = audit.entries(session, "meetings", meeting_id)
    assert (data.kind, data.topic, data.made_by) == ("主题党日", "重温入党誓词", "周书记")
    assert (member_ids, inflow_ids) == ([world["李秀英"]], [world["陈流入"]])
    assert sorted(rows, key=str) == sorted([(world["李秀英"], None, True, ""), (world["王芳"], None, False, "病假"),
                                            (None, world["陈流入"], True, "")], key=str)
    assert (entry.operator, entry.action) == ("钱委员", "修改组织生活")

    # ticking the absent member turns the absence into attendance
    with tree_database.unit_of_work() as session:
        meetings.update_meeting(session, meeting_id, data, [world["王芳"]], [], today=TODAY)
    with tree_database.read() as session:
        assert meetings.load_meeting(session, meeting_id)[1:] == ([world["王芳"]], [])


def test_update_checks_the_same_rules(tree_database, world):
    meeting_id = record(tree_database, meeting(world), [world["张建国"]])
    errors = errors_of(tree_database, lambda s: meetings.update_meeting(
        s, meeting_id, meeting(world, held_on=TODAY + timedelta(days=1)), [], today=TODAY))
    assert errors == {"held_on": "会议日期不能晚于今天。", "attendees": "请至少选择一名参会人员。"}


def test_delete_is_logged_and_takes_the_list_with_it(tree_database, world):
    meeting_id = record(tree_database, meeting(world), [world["张建国"]], [world["陈流入"]])
    with tree_database.unit_of_work() as session:
        assert meetings.delete_meeting(session, meeting_id).meetings
    with tree_database.read() as session:
        assert meetings.list_meetings(session) == []
        assert session.scalar(select(MeetingAttendee.id)) is None
        [_, entry] = audit.entries(session, "meetings", meeting_id)
        assert entry.action == "删除组织生活" and "到会 2 人" in entry.detail
        with pytest.raises(NotFoundError):
            meetings.load_meeting(session, meeting_id)
    with pytest.raises(NotFoundError), tree_database.unit_of_work() as session:
        meetings.delete_meeting(session, meeting_id)


# ---------------------------------------------------------------- reading


def test_candidates_are_the_subtree_on_the_day_in_tree_order(tree_database, world):
    with tree_database.unit_of_work() as session:
        members.leave(session, world["王芳"], "转出", DAY, "工作调动", transferred_to="某街道党工委", today=TODAY)
        elsewhere = add_inflow(session, world["grid2"], "何别处", date(2025, 1, 1))
    with tree_database.read() as session:
        on_day = meetings.candidates(session, world["grid1"], DAY)
        later = meetings.candidates(session, world["grid1"], DAY + timedelta(days=1))
        building = meetings.candidates(session, world["building1"], DAY + timedelta(days=1))
        editing = meetings.candidates(session, world["building1"], DAY, extra_member_ids=[world["赵敏"]],
                                      extra_inflow_ids=[elsewhere])
    # 第一网格 itself first (names by pinyin: 陈 < 王 < 张), then 1号楼党小组
    assert [(c.kind, c.name, c.org_name) for c in on_day] == [
        ("inflow", "陈流入", "第一网格党支部"), ("member", "王芳", "第一网格党支部"),
        ("member", "张建国", "第一网格党支部"), ("member", "李秀英", "1号楼党小组")]
    assert on_day[1].id == world["王芳"] and on_day[0].id == world["陈流入"]
    # the day after, 王芳 has left and 刘后来 has come
    assert [c.name for c in later] == ["陈流入", "张建国", "李秀英", "刘后来"]
    assert [c.name for c in building] == ["李秀英", "刘后来"]
    # people already on a meeting being edited are offered too, in tree order with the rest
    assert [(c.name, c.org_name) for c in editing] == [("李秀英", "1号楼党小组"), ("何别处", "第二网格党支部"),
                                                      ("赵敏", "第二网格党支部")]


def test_list_meetings_filters_by_organisation_and_year_newest_first(tree_database, world):
    first = record(tree_database, meeting(world, held_on=date(2025, 12, 30)), [world["张建国"]])
    second = record(tree_database, meeting(world, org_id=world["building1"], kind="党小组会"), [world["李秀英"]])
    third = record(tree_database, meeting(world, org_id=world["grid2"], held_on=DAY), [world["赵敏"]])
    with tree_database.read() as session:
        assert [r.id for r in meetings.list_meetings(session)] == [third, second, first]
        assert [r.id for r in meetings.list_meetings(session, org_id=world["grid1"])] == [second, first]
        assert [r.id for r in meetings.list_meetings(session, org_id=world["grid1"], subtree=False)] == [first]
        assert [r.id for r in meetings.list_meetings(session, year=2025)] == [first]
        assert [r.id for r in meetings.list_meetings(session, org_id=world["grid2"], year=2026)] == [third]


def test_last_attended_counts_only_presence_up_to_today(tree_database, world):
    a, b, c = world["张建国"], world["李秀英"], world["王芳"]
    record(tree_database, meeting(world, held_on=date(2026, 3, 1)), [a, b])
    record(tree_database, meeting(world, held_on=date(2026, 6, 1)), [a])
    late = record(tree_database, meeting(world, held_on=date(2026, 9, 1)), [c])
    with tree_database.unit_of_work() as session:  # absent on 9 September: does not count for 张建国
        session.add(MeetingAttendee(meeting_id=late, member_id=a, present=False, absence_reason="出差"))
    with tree_database.read() as session:
        assert meetings.last_attended(session, [a, b, c, world["赵敏"]], TODAY) == {
            a: date(2026, 6, 1), b: date(2026, 3, 1), c: date(2026, 9, 1)}
        # a meeting after "today" is not yet attended
        assert meetings.last_attended(session, [a, c], date(2026, 8, 31)) == {a: date(2026, 6, 1)}
        assert meetings.last_attended(session, [b], date(2026, 2, 28)) == {}
        assert meetings.last_attended(session, [], TODAY) == {}
        # more ids than one IN list holds
        assert meetings.last_attended(session, [a, *range(100_000, 101_200), c], TODAY) == {
            a: date(2026, 6, 1), c: date(2026, 9, 1)}


def query_plan(session, statement) -> str:
    """SQLite's plan for a statement as the application runs it."""
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled.string,
                                      tuple(params[name] for name in compiled.positiontup)).all()
    return " | ".join(str(row[-1]) for row in rows)


def test_last_attended_reads_the_covering_index(tree_database, world):
    record(tree_database, meeting(world), [world["张建国"]])
    with tree_database.read() as session:
        plan = query_plan(session, meetings._last_attended_query([1, 2, 3], TODAY))
    assert "COVERING INDEX ix_meeting_attendees_member" in plan, plan
    assert "meetings USING INTEGER PRIMARY KEY" in plan, plan


def test_meetings_and_dues_load_without_qt():
    code = "import sys, app.meetings, app.dues; assert 'PySide6' not in sys.modules, 'Qt loaded'; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


# ---------------------------------------------------------------- absences


def absence_rows(database, meeting_id: int) -> dict[int, tuple[bool, str]]:
    with database.read() as session:
        return {member_id: (present, reason) for member_id, present, reason in session.execute(
            select(MeetingAttendee.member_id, MeetingAttendee.present, MeetingAttendee.absence_reason)
            .where(MeetingAttendee.meeting_id == meeting_id, MeetingAttendee.member_id.is_not(None)))}


def test_absences_are_stored_with_their_reasons_and_read_back(tree_database, world):
    from app import evaluation_records

    # GIVEN 张建国 there, 李秀英 absent on sick leave and 王芳 absent without a reason given
    with tree_database.unit_of_work() as session:
        meeting_id, _ = meetings.record_meeting(
            session, meeting(world), [world["张建国"]], [world["陈流入"]],
            absences={world["李秀英"]: "  病假 ", world["王芳"]: "   "}, today=TODAY)
    # THEN both are absence rows, the empty reason stored as empty (shown as 未说明原因)
    assert absence_rows(tree_database, meeting_id) == {
        world["张建国"]: (True, ""), world["李秀英"]: (False, "病假"), world["王芳"]: (False, "")}
    with tree_database.read() as session:
        assert meetings.meeting_absences(session, meeting_id) == {world["李秀英"]: "病假", world["王芳"]: ""}
        assert meetings.load_meeting(session, meeting_id)[1:] == ([world["张建国"]], [world["陈流入"]])
        # the head count and the last attendance count the present only
        assert meetings.list_meetings(session)[0].present == 2
        assert meetings.last_attended(session, [world["李秀英"], world["张建国"]], TODAY) == {world["张建国"]: DAY}
        [entry] = audit.entries(session, "meetings", meeting_id)
        # and the year's record shows the absences with the reason the evaluation reads
        record = evaluation_records.year_record(session, world["李秀英"], DAY.year, today=TODAY)
        with pytest.raises(NotFoundError):
            meetings.meeting_absences(session, 4242)
    assert "到会 2 人，缺席 2 人" in entry.detail
    assert [(a.meeting_id, a.reason) for a in record.absences] == [(meeting_id, "病假")]
    assert meetings.ABSENCE_REASONS == ("病假", "事假", "因公外出", "外出务工（流动）", "其他")


def test_update_with_absences_replaces_them_and_without_keeps_them(tree_database, world):
    with tree_database.unit_of_work() as session:
        meeting_id, _ = meetings.record_meeting(session, meeting(world), [world["张建国"]],
                                                absences={world["李秀英"]: "事假", world["王芳"]: ""}, today=TODAY)
    # WHEN edited with new absences: 王芳 came after all, 李秀英's reason corrected, 张建国 absent
    with tree_database.unit_of_work() as session:
        meetings.update_meeting(session, meeting_id, meeting(world), [world["王芳"]],
                                absences={world["李秀英"]: "因公外出", world["张建国"]: "病假"}, today=TODAY)
    assert absence_rows(tree_database, meeting_id) == {
        world["王芳"]: (True, ""), world["李秀英"]: (False, "因公外出"), world["张建国"]: (False, "病假")}
    # WHEN edited by a caller that knows only who was there: the absences stay
    with tree_database.unit_of_work() as session:
        meetings.update_meeting(session, meeting_id, meeting(world, topic="改了主题"), [world["王芳"]], today=TODAY)
    assert absence_rows(tree_database, meeting_id)[world["李秀英"]] == (False, "因公外出")
    # WHEN edited with no absences at all: they are gone
    with tree_database.unit_of_work() as session:
        meetings.update_meeting(session, meeting_id, meeting(world), [world["王芳"]], absences={}, today=TODAY)
    assert absence_rows(tree_database, meeting_id) == {world["王芳"]: (True, "")}
    # and deleting the meeting takes absences with it
    with tree_database.unit_of_work() as session:
        meetings.update_meeting(session, meeting_id, meeting(world), [world["王芳"]],
                                absences={world["张建国"]: "病假"}, today=TODAY)
        meetings.delete_meeting(session, meeting_id)
    assert absence_rows(tree_database, meeting_id) == {}


def test_absences_are_checked_like_attendance(tree_database, world):
    with tree_database.unit_of_work() as session:
        members.leave(session, world["王芳"], "转出", date(2026, 10, 1), "工作调动", transferred_to="某街道党工委",
                      today=TODAY)

    def check(absences, member_ids=(world["张建国"],)):
        with tree_database.read() as session:
            return meetings.validate_meeting(session, meeting(world), member_ids, (), absences=absences,
                                             today=TODAY)[0]

    assert check({world["李秀英"]: "病假"}) == {}
    assert check({world["李秀英"]: "因" * meetings.ABSENCE_REASON_LIMIT}) == {}
    # nobody is both there and absent
    assert check({world["张建国"]: "病假"}) == {"absences": "“张建国”不能既登记出席又登记缺席。"}
    # a reason has a length limit
    assert check({world["李秀英"]: "因" * (meetings.ABSENCE_REASON_LIMIT + 1)}) == {
        "absences": f"“李秀英”的缺席原因超过 {meetings.ABSENCE_REASON_LIMIT} 个字。"}
    # the absent must have been on the roll that day, as the present
    assert check({world["王芳"]: ""}) == {
        "absences": "“王芳”已于 2026-10-01 转出，不能登记缺席 2026-10-15 的组织生活。"}
    assert check({4242: "病假"}) == {"absences": "找不到编号为 4242 的党员。"}
    # absences alone are no meeting: someone must have been there
    assert check({world["李秀英"]: "病假"}, member_ids=())["attendees"] == "请至少选择一名参会人员。"
    # the writers refuse the same, and write nothing
    errors = errors_of(tree_database, lambda s: meetings.record_meeting(
        s, meeting(world), [world["张建国"]], absences={world["张建国"]: "", world["王芳"]: "事假"}, today=TODAY))
    assert errors == {"absences": "“张建国”不能既登记出席又登记缺席；“王芳”已于 2026-10-01 转出，"
                                  "不能登记缺席 2026-10-15 的组织生活。"}
    with tree_database.read() as session:
        assert meetings.list_meetings(session) == []
