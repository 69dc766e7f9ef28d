"""年度记实: notes, volunteer service, 双报到, 奖惩, 党费 bases, the year's record and the grid's facts."""

from __future__ import annotations

import shutil
import time
from datetime import date, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import insert, select

from app import audit, demo, dues, dues_rules, meetings, members, orgs, settings
from app import evaluation_records as er
from app.dues import DuesInput
from app.errors import NotFoundError, ValidationError
from app.evaluation_records import DualReportInput, RewardInput, VolunteerInput
from app.idcard import check_code
from app.meetings import MeetingInput
from app.members import MemberInput
from db.models import AnnualNote, MeetingAttendee, Member, MemberDuesBase, VolunteerService
from tests.conftest import TODAY

ROOT = "幸福里社区党委"
GRID1 = "幸福里社区党委/第一网格党支部"
GRID2 = "幸福里社区党委/第二网格党支部"
BUILDING1 = "幸福里社区党委/第一网格党支部/1号楼党小组"
LEFT_ON = date(2026, 6, 30)


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


def errors_of(database, call) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught, database.unit_of_work() as session:
        call(session)
    return caught.value.errors


@pytest.fixture
def world(tree_database) -> dict[str, int]:
    """第一网格: 张建国, 王转出 (转出 on 30 June 2026) and 孙新 (joined 10 May 2026); 李秀英 in its
    1号楼党小组; 赵敏 in 第二网格. The operator is 李书记."""
    with tree_database.unit_of_work() as session:
        ids = {key: orgs.find_by_path(session, path).id
               for key, path in (("root", ROOT), ("grid1", GRID1), ("grid2", GRID2), ("building1", BUILDING1))}
        ids["张建国"] = add_member(session, ids["grid1"], "张建国", 1)
        ids["李秀英"] = add_member(session, ids["building1"], "李秀英", 2)
        ids["王转出"] = add_member(session, ids["grid1"], "王转出", 3)
        ids["孙新"] = add_member(session, ids["grid1"], "孙新", 4, joined_on=date(2026, 5, 10))
        ids["赵敏"] = add_member(session, ids["grid2"], "赵敏", 5)
        settings.set_value(session, "operator_name", "李书记")
    with tree_database.unit_of_work() as session:
        members.leave(session, ids["王转出"], "转出", LEFT_ON, "工作调动", transferred_to="某区某街道党工委",
                      today=TODAY)
    return ids


def note(database, member_id: int, kind: str, text: str = "按时参加组织生活，积极参与志愿服务。", *,
         year: int = 2026, today: date = TODAY):
    with database.unit_of_work() as session:
        return er.save_note(session, member_id, year, kind, text, today=today)


def record(database, member_id: int, year: int = 2026, today: date = TODAY) -> er.YearRecord:
    with database.read() as session:
        return er.year_record(session, member_id, year, today=today)


# ---------------------------------------------------------------- notes


def test_note_is_written_with_operator_and_day_then_rewritten_in_place(tree_database, world):
    changes = note(tree_database, world["张建国"], er.Q1, "第一季度：学习党章。", today=date(2026, 4, 2))
    assert changes.evaluation
    note(tree_database, world["张建国"], er.Q1, "  第一季度：学习党章，参加主题党日。 ")
    with tree_database.read() as session:
        [row] = er.notes(session, world["张建国"], 2026)
        assert (row.kind, row.text, row.written_by, row.written_on) == (
            er.Q1, "第一季度：学习党章，参加主题党日。", "李书记", TODAY)
        assert session.query(AnnualNote).count() == 1
        actions = [e.action for e in audit.entries(session, "evaluation", world["张建国"])]
    assert actions == ["填写年度记实", "修改年度记实"]


def test_same_text_again_changes_nothing(tree_database, world):
    note(tree_database, world["张建国"], er.YEAR_END)
    assert not note(tree_database, world["张建国"], er.YEAR_END).any


def test_empty_text_deletes_the_note(tree_database, world):
    note(tree_database, world["张建国"], er.SECRETARY, "表现突出。")
    assert note(tree_database, world["张建国"], er.SECRETARY, "   ").evaluation
    with tree_database.read() as session:
        assert er.notes(session, world["张建国"], 2026) == []
        assert audit.entries(session, "evaluation", world["张建国"])[-1].action == "删除年度记实"
    assert not note(tree_database, world["张建国"], er.SECRETARY, "").any  # nothing there: no change


def test_notes_come_in_kind_order(tree_database, world):
    for kind in (er.SECRETARY, er.Q3, er.H1, er.Q1):
        note(tree_database, world["张建国"], kind)
    with tree_database.read() as session:
        assert [n.kind for n in er.notes(session, world["张建国"], 2026)] == [er.Q1, er.Q3, er.H1, er.SECRETARY]


def test_a_quarter_summary_written_before_the_quarter_begins_is_refused(tree_database, world):
    # GIVEN 30 September: the fourth quarter has not begun
    errors = errors_of(tree_database, lambda s: er.save_note(s, world["张建国"], 2026, er.Q4, "小结",
                                                            today=date(2026, 9, 30)))
    assert "2026-10-01" in errors["kind"]
    # WHEN the quarter has begun THEN it may be written, on its first day already
    assert note(tree_database, world["张建国"], er.Q4, today=date(2026, 10, 1)).evaluation
    errors = errors_of(tree_database, lambda s: er.save_note(s, world["张建国"], 2026, er.H2, "反馈",
                                                            today=date(2026, 6, 30)))
    assert "kind" in errors


def test_future_year_unknown_kind_and_long_text_are_refused(tree_database, world):
    assert "尚未开始" in errors_of(tree_database, lambda s: er.save_note(
        s, world["张建国"], 2027, er.YEAR_END, "考核", today=TODAY))["year"]
    assert "kind" in errors_of(tree_database, lambda s: er.save_note(s, world["张建国"], 2026, "第五季度小结", "x",
                                                                    today=TODAY))
    assert "text" in errors_of(tree_database, lambda s: er.save_note(
        s, world["张建国"], 2026, er.YEAR_END, "字" * (er.NOTE_LIMIT + 1), today=TODAY))
    with pytest.raises(NotFoundError), tree_database.unit_of_work() as session:
        er.save_note(session, 999_999, 2026, er.YEAR_END, "x", today=TODAY)


def test_member_who_left_keeps_that_year_and_is_refused_the_next(tree_database, world):
    gone = world["王转出"]
    # GIVEN 王转出 transferred out on 30 June 2026
    note(tree_database, gone, er.Q2)
    note(tree_database, gone, er.YEAR_END, "转出前表现良好。")
    # THEN the third quarter, which began after leaving, is refused
    assert "不在册" in errors_of(tree_database, lambda s: er.save_note(s, gone, 2026, er.Q3, "x", today=TODAY))["kind"]
    # AND the next year is refused, for notes and for the record
    later = date(2027, 4, 2)
    assert "不在册" in errors_of(tree_database, lambda s: er.save_note(s, gone, 2027, er.Q1, "x", today=later))["year"]
    with pytest.raises(ValidationError) as caught, tree_database.read() as session:
        er.year_record(session, gone, 2027, today=later)
    assert "year" in caught.value.errors
    # AND the year of leaving keeps its record
    kept = record(tree_database, gone)
    assert kept.left_in_year and set(kept.notes) == {er.Q2, er.YEAR_END}


def test_member_who_joined_mid_year_cannot_have_an_earlier_quarter(tree_database, world):
    newcomer = world["孙新"]  # joined 10 May 2026
    assert "kind" in errors_of(tree_database, lambda s: er.save_note(s, newcomer, 2026, er.Q1, "x", today=TODAY))
    assert note(tree_database, newcomer, er.Q2).evaluation
    assert "year" in errors_of(tree_database, lambda s: er.save_note(s, newcomer, 2025, er.YEAR_END, "x",
                                                                    today=TODAY))


# ---------------------------------------------------------------- volunteer service


@pytest.mark.parametrize(("typed", "tenths"), [
    ("2", 20), ("1.5", 15), ("１.５", 15), ("１．５", 15), (" 0.5小时 ", 5), ("3h", 30), (".5", 5), ("24", 240),
    ("2.0", 20), ("1。5", 15),
])
def test_hours_typed_as_text_are_kept_in_tenths(typed, tenths):
    assert er.parse_hours(typed) == tenths


@pytest.mark.parametrize(("typed", "words"), [
    ("", "请填写"), ("两小时", "不是数字"), ("1,5", "不是数字"), ("1.25", "一位小数"), ("0", "大于 0"),
    ("0.0", "大于 0"), ("-1", "负数"), ("24.1", "24 小时"), ("1.", None), (".", "不是数字"),
])
def test_bad_hours_are_refused(typed, words):
    if words is None:  # "1." is one hour
        assert er.parse_hours(typed) == 10
        return
    with pytest.raises(ValidationError) as caught:
        er.parse_hours(typed)
    assert words in caught.value.errors["hours"]


def test_format_hours():
    assert [er.format_hours(t) for t in (5, 10, 15, 240)] == ["0.5", "1", "1.5", "24"]


def service(day: date = date(2026, 9, 9), hours: str = "2", activity: str = "敬老院助老服务") -> VolunteerInput:
    return VolunteerInput(served_on=day, activity=activity, hours=hours)


def test_volunteer_service_add_update_delete(tree_database, world):
    with tree_database.unit_of_work() as session:
        service_id, changes = er.add_volunteer(session, world["张建国"], service(hours="1.5"), today=TODAY)
    assert changes.evaluation
    with tree_database.unit_of_work() as session:
        er.update_volunteer(session, service_id, service(hours="３", activity=" 社区清扫 "), today=TODAY)
    with tree_database.read() as session:
        [row] = er.volunteer_services(session, world["张建国"], 2026)
        assert (row.activity, row.hours_tenths, row.hours) == ("社区清扫", 30, "3")
        assert er.volunteer_services(session, world["张建国"], 2025) == []
    with tree_database.unit_of_work() as session:
        er.delete_volunteer(session, service_id)
    with tree_database.read() as session:
        assert session.query(VolunteerService).count() == 0
        assert [e.action for e in audit.entries(session, "evaluation")] == ["登记志愿服务", "修改志愿服务", "删除志愿服务"]
    with pytest.raises(NotFoundError), tree_database.unit_of_work() as session:
        er.delete_volunteer(session, service_id)


def test_volunteer_service_rules(tree_database, world):
    who = world["张建国"]
    assert "served_on" in errors_of(tree_database, lambda s: er.add_volunteer(
        s, who, service(day=TODAY + timedelta(days=1)), today=TODAY))
    assert "served_on" in errors_of(tree_database, lambda s: er.add_volunteer(s, who, service(day=None), today=TODAY))
    assert "activity" in errors_of(tree_database, lambda s: er.add_volunteer(
        s, who, service(activity=" "), today=TODAY))
    assert "hours" in errors_of(tree_database, lambda s: er.add_volunteer(s, who, service(hours="abc"), today=TODAY))
    # before joining and after leaving
    assert "入党" in errors_of(tree_database, lambda s: er.add_volunteer(
        s, world["孙新"], service(day=date(2026, 5, 9)), today=TODAY))["served_on"]
    assert "转出" in errors_of(tree_database, lambda s: er.add_volunteer(
        s, world["王转出"], service(day=LEFT_ON + timedelta(days=1)), today=TODAY))["served_on"]


def test_one_day_holds_at_most_24_hours(tree_database, world):
    who = world["张建国"]
    with tree_database.unit_of_work() as session:
        first, _ = er.add_volunteer(session, who, service(hours="20"), today=TODAY)
    message = errors_of(tree_database, lambda s: er.add_volunteer(s, who, service(hours="4.5"), today=TODAY))["hours"]
    assert "已登记 20 小时" in message
    with tree_database.unit_of_work() as session:
        er.add_volunteer(session, who, service(hours="4"), today=TODAY)
        er.add_volunteer(session, who, service(day=date(2026, 9, 10), hours="24"), today=TODAY)
    # editing an entry does not count itself
    with tree_database.unit_of_work() as session:
        er.update_volunteer(session, first, service(hours="19.5"), today=TODAY)
    assert "hours" in errors_of(tree_database, lambda s: er.update_volunteer(s, first, service(hours="20.5"),
                                                                            today=TODAY))


# ---------------------------------------------------------------- 双报到


def report(day: date = date(2025, 3, 5), employer: str = "区财政局") -> DualReportInput:
    return DualReportInput(employer=employer, reported_on=day, wishes="周末参加社区志愿服务")


def test_dual_report_add_update_end_and_one_open_at_a_time(tree_database, world):
    who = world["张建国"]
    with tree_database.unit_of_work() as session:
        report_id, changes = er.add_dual_report(session, who, report(), today=TODAY)
    assert changes.evaluation
    assert "尚未结束" in errors_of(tree_database, lambda s: er.add_dual_report(
        s, who, report(date(2026, 1, 5)), today=TODAY))["reported_on"]
    with tree_database.unit_of_work() as session:
        er.update_dual_report(session, report_id, report(employer=" 区教育局 "), today=TODAY)
    assert "ended_on" in errors_of(tree_database, lambda s: er.end_dual_report(s, report_id, date(2025, 3, 4),
                                                                              today=TODAY))
    assert "ended_on" in errors_of(tree_database, lambda s: er.end_dual_report(s, report_id, TODAY + timedelta(1),
                                                                              today=TODAY))
    with tree_database.unit_of_work() as session:
        er.end_dual_report(session, report_id, date(2025, 12, 31), today=TODAY)
    assert "已于" in errors_of(tree_database, lambda s: er.end_dual_report(s, report_id, TODAY, today=TODAY))["ended_on"]
    # an ended report cannot be moved after its end
    assert "reported_on" in errors_of(tree_database, lambda s: er.update_dual_report(
        s, report_id, report(date(2026, 1, 2)), today=TODAY))
    with tree_database.unit_of_work() as session:
        er.add_dual_report(session, who, report(date(2026, 2, 1), "区卫健委"), today=TODAY)
    with tree_database.read() as session:
        assert [r.employer for r in er.dual_reports(session, who)] == ["区教育局", "区卫健委"]
        assert [r.employer for r in er.dual_reports(session, who, 2026)] == ["区卫健委"]
        assert [r.employer for r in er.dual_reports(session, who, 2025)] == ["区教育局"]
    assert "employer" in errors_of(tree_database, lambda s: er.add_dual_report(
        s, world["李秀英"], report(employer=""), today=TODAY))


# ---------------------------------------------------------------- 奖惩


def test_rewards_and_discipline(tree_database, world):
    who = world["张建国"]
    with tree_database.unit_of_work() as session:
        reward_id, _ = er.add_reward(session, who, RewardInput("奖励", date(2026, 7, 1), "优秀共产党员", "社区党委"),
                                     today=TODAY)
        er.add_reward(session, who, RewardInput("处分", date(2025, 3, 1), "党内警告", "街道纪工委"), today=TODAY)
    assert "kind" in errors_of(tree_database, lambda s: er.add_reward(s, who, RewardInput("表扬", TODAY, "x"),
                                                                     today=TODAY))
    assert "decided_on" in errors_of(tree_database, lambda s: er.add_reward(
        s, who, RewardInput("奖励", TODAY + timedelta(1), "x"), today=TODAY))
    assert "title" in errors_of(tree_database, lambda s: er.add_reward(s, who, RewardInput("奖励", TODAY, " "),
                                                                      today=TODAY))
    with tree_database.unit_of_work() as session:
        er.update_reward(session, reward_id, RewardInput("奖励", date(2026, 7, 1), "优秀党务工作者", "社区党委"),
                         today=TODAY)
    with tree_database.read() as session:
        assert [(r.kind, r.title) for r in er.rewards(session, who, 2026)] == [("奖励", "优秀党务工作者")]
        assert len(er.rewards(session, who)) == 2
    with tree_database.unit_of_work() as session:
        er.delete_reward(session, reward_id)
    with tree_database.read() as session:
        assert [r.kind for r in er.rewards(session, who)] == ["处分"]
    assert [r.title for r in record(tree_database, who, 2025).rewards] == ["党内警告"]


# ---------------------------------------------------------------- 党费 bases


def test_dues_bases_are_checked_through_the_rules(tree_database, world):
    who = world["张建国"]
    assert "effective_from" in errors_of(tree_database, lambda s: er.set_dues_base(
        s, who, date(2026, 1, 15), dues_rules.WORKING, base_fen=450_000))
    assert "effective_from" in errors_of(tree_database, lambda s: er.set_dues_base(
        s, world["孙新"], date(2026, 4, 1), dues_rules.WORKING, base_fen=450_000))
    assert "base_fen" in errors_of(tree_database, lambda s: er.set_dues_base(s, who, date(2026, 1, 1),
                                                                            dues_rules.WORKING))
    assert "farmer_amount_fen" in errors_of(tree_database, lambda s: er.set_dues_base(
        s, who, date(2026, 1, 1), dues_rules.FARMER, farmer_amount_fen=150))
    assert "category" in errors_of(tree_database, lambda s: er.set_dues_base(s, who, date(2026, 1, 1), "个体户"))
    with tree_database.unit_of_work() as session:
        first, changes = er.set_dues_base(session, who, date(2026, 1, 1), dues_rules.WORKING, base_fen=450_000,
                                          farmer_amount_fen=50)
        same, _ = er.set_dues_base(session, who, date(2026, 1, 1), dues_rules.WORKING, base_fen=460_000)
        er.set_dues_base(session, who, date(2026, 7, 1), dues_rules.STUDENT, base_fen=1)
    assert changes.evaluation and same == first
    with tree_database.read() as session:
        rows = er.dues_bases(session, who)
    assert [(r.effective_from, r.category, r.base_fen, r.farmer_amount_fen, r.monthly_fen) for r in rows] == [
        (date(2026, 1, 1), "在职", 460_000, None, 4600), (date(2026, 7, 1), "学生", None, None, 20)]
    with tree_database.unit_of_work() as session:
        er.delete_dues_base(session, rows[1].id)
    with tree_database.read() as session:
        assert len(er.dues_bases(session, who)) == 1
        assert [e.action for e in audit.entries(session, "evaluation", who)] == [
            "设置党费基数", "修改党费基数", "设置党费基数", "删除党费基数"]


def pay(database, member_id: int, first: date, last: date, fen: int, paid_on: date) -> None:
    with database.unit_of_work() as session:
        dues.record_payment(session, DuesInput(member_id, first, last, fen, paid_on), today=TODAY)


def test_dues_schedule_and_arrears_with_a_base_change_mid_year(tree_database, world):
    who = world["张建国"]
    # GIVEN 4500 元 a month (1 %) from January, 6000 元 (1.5 %) from July
    with tree_database.unit_of_work() as session:
        er.set_dues_base(session, who, date(2026, 1, 1), dues_rules.WORKING, base_fen=450_000)
        er.set_dues_base(session, who, date(2026, 7, 1), dues_rules.WORKING, base_fen=600_000)
    # AND January–June paid at 45 元, July at 90 元
    pay(tree_database, who, date(2026, 1, 1), date(2026, 6, 1), 4500, date(2026, 6, 30))
    pay(tree_database, who, date(2026, 7, 1), date(2026, 7, 1), 9000, date(2026, 7, 20))
    fees = record(tree_database, who).dues
    assert fees.policy == dues_rules.FOLLOWS_PAY
    assert list(fees.schedule.values()) == [4500] * 6 + [9000] * 6
    assert fees.due_fen == 81_000 and fees.paid_fen == 36_000
    assert fees.months_paid == tuple(date(2026, m, 1) for m in range(1, 8))
    # THEN August–October are in arrears on 22 November (November is not over)
    assert fees.arrears.months == (date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1))
    assert (fees.arrears.total_fen, fees.months_in_arrears, fees.arrears.beyond_back_payment) == (27_000, 3, ())
    # AND seen in March 2027, August is beyond the six-month back payment
    later = record(tree_database, who, 2026, today=date(2027, 3, 15)).dues
    assert later.arrears.months == tuple(date(2026, m, 1) for m in range(8, 13))
    assert later.arrears.beyond_back_payment == (date(2026, 8, 1),) and later.arrears.beyond_fen == 9000
    # AND with the amount fixed once a year the July change waits for January
    with tree_database.unit_of_work() as session:
        settings.set_value(session, er.DUES_POLICY_KEY, dues_rules.FIXED_YEARLY)
    fixed = record(tree_database, who).dues
    assert fixed.policy == dues_rules.FIXED_YEARLY and fixed.due_fen == 12 * 4500


def test_dues_of_a_member_who_left_end_with_the_month_of_leaving(tree_database, world):
    gone = world["王转出"]
    with tree_database.unit_of_work() as session:
        er.set_dues_base(session, gone, date(2026, 1, 1), dues_rules.RETIRED, base_fen=400_000)
    fees = record(tree_database, gone).dues
    assert list(fees.schedule) == [date(2026, m, 1) for m in range(1, 7)] and fees.due_fen == 6 * 2000
    assert fees.arrears.months == tuple(date(2026, m, 1) for m in range(1, 7))
    # no base at all: nothing computable is due
    assert record(tree_database, world["赵敏"]).dues.no_base
    assert record(tree_database, world["赵敏"]).dues.months_in_arrears == 0


# ---------------------------------------------------------------- 组织生活


def hold(database, org_id: int, day: date, kind: str, present: list[int], absent: dict[int, str] | None = None,
         ) -> int:
    with database.unit_of_work() as session:
        meeting_id, _ = meetings.record_meeting(
            session, MeetingInput(org_id=org_id, held_on=day, kind=kind, topic=f"{kind} {day}"), present, today=TODAY)
        for member_id, reason in (absent or {}).items():
            session.add(MeetingAttendee(meeting_id=meeting_id, member_id=member_id, present=False,
                                        absence_reason=reason))
    return meeting_id


@pytest.fixture
def held(tree_database, world) -> dict[str, int]:
    w = world
    return {
        "m1": hold(tree_database, w["grid1"], date(2026, 3, 10), "支部党员大会", [w["张建国"], w["王转出"]],
                   {w["李秀英"]: "外出务工"}),
        "m2": hold(tree_database, w["grid1"], date(2026, 5, 20), "主题党日", [w["张建国"], w["李秀英"]]),
        "m3": hold(tree_database, w["grid1"], date(2026, 8, 15), "主题党日", [w["张建国"], w["孙新"]],
                   {w["李秀英"]: "生病住院"}),
        "m4": hold(tree_database, w["building1"], date(2026, 9, 1), "党小组会", [w["李秀英"]]),
        "m5": hold(tree_database, w["grid1"], date(2026, 4, 1), "支部委员会", [w["张建国"]]),
        "m6": hold(tree_database, w["grid2"], date(2026, 6, 1), "支部党员大会", [w["赵敏"]]),
        "m7": hold(tree_database, w["root"], date(2026, 7, 1), "党课", [w["张建国"]]),
        "m8": hold(tree_database, w["grid1"], date(2025, 12, 20), "主题党日", [w["李秀英"]]),
    }


def lines(rec: er.YearRecord) -> dict[str, tuple[int, int]]:
    return {a.kind: (a.attended, a.held) for a in rec.attendance}


def test_attendance_counts_the_meetings_of_the_organisation_and_its_ancestors(tree_database, world, held):
    # 张建国 (第一网格): his branch's meetings, the 支部委员会 he is listed at and the 党委's 党课;
    # not 1号楼党小组 (below him), not 第二网格, not last year's
    rec = record(tree_database, world["张建国"])
    assert lines(rec) == {"支部党员大会": (1, 1), "支部委员会": (1, 1), "党课": (1, 1), "主题党日": (2, 2)}
    assert rec.attendance_rate == 1 and rec.absences == ()
    # 李秀英 (1号楼党小组): the branch above her and the 党委 too, her group's meeting
    rec = record(tree_database, world["李秀英"])
    assert lines(rec) == {"支部党员大会": (0, 1), "党小组会": (1, 1), "党课": (0, 1), "主题党日": (1, 2)}
    assert rec.attendance_rate == Fraction(2, 5)
    assert [(a.meeting_id, a.reason) for a in rec.absences] == [
        (held["m1"], "外出务工"), (held["m7"], ""), (held["m3"], "生病住院")]
    assert rec.absences[0].org_name == "第一网格党支部" and rec.absences[1].kind == "党课"
    # the rate per kind
    assert {a.kind: a.rate for a in rec.attendance}["主题党日"] == Fraction(1, 2)
    assert rec.attendance_total.absent == 3
    # 赵敏 (第二网格): her own branch and the 党委's 党课
    assert lines(record(tree_database, world["赵敏"])) == {"支部党员大会": (1, 1), "党课": (0, 1)}


def test_attendance_counts_only_meetings_while_the_member_was_on_the_roll(tree_database, world, held):
    # 王转出 left on 30 June: March (present) and May (not ticked) count, the 党课 of 1 July does not
    rec = record(tree_database, world["王转出"])
    assert lines(rec) == {"支部党员大会": (1, 1), "主题党日": (0, 1)}
    assert [(a.meeting_id, a.reason) for a in rec.absences] == [(held["m2"], "")]
    # 孙新 joined on 10 May: not the March 支部党员大会
    rec = record(tree_database, world["孙新"])
    assert lines(rec) == {"主题党日": (1, 2), "党课": (0, 1)}


def test_attendance_is_counted_up_to_today_and_within_the_year(tree_database, world, held):
    rec = record(tree_database, world["李秀英"], today=date(2026, 6, 15))
    assert rec.as_of == date(2026, 6, 15)
    assert lines(rec) == {"支部党员大会": (0, 1), "主题党日": (1, 1)}
    last_year = record(tree_database, world["李秀英"], 2025)
    assert last_year.as_of == date(2025, 12, 31) and lines(last_year) == {"主题党日": (1, 1)}
    # nothing held: no rate
    assert record(tree_database, world["赵敏"], 2025).attendance_rate is None


# ---------------------------------------------------------------- the whole record and the facts


def test_year_record_gathers_the_year(tree_database, world, held):
    who = world["张建国"]
    note(tree_database, who, er.Q3)
    note(tree_database, who, er.SECRETARY, "工作认真负责。")
    with tree_database.unit_of_work() as session:
        er.add_volunteer(session, who, service(hours="1.5"), today=TODAY)
        er.add_volunteer(session, who, service(day=date(2026, 10, 1), hours="2"), today=TODAY)
        er.add_volunteer(session, who, service(day=date(2025, 10, 1), hours="8"), today=TODAY)
        er.add_dual_report(session, who, report(), today=TODAY)
    rec = record(tree_database, who)
    assert (rec.name, rec.org_name, rec.year, rec.as_of, rec.left_in_year) == (
        "张建国", "第一网格党支部", 2026, TODAY, False)
    assert rec.secretary_comment is not None and rec.secretary_comment.text == "工作认真负责。"
    assert rec.secretary_comment.written_by == "李书记"
    assert [v.hours for v in rec.volunteer] == ["1.5", "2"] and rec.volunteer_hours_tenths == 35
    assert [d.employer for d in rec.dual_reports] == ["区财政局"]
    assert rec.has_last_quarter_summary  # Q3 is the last complete quarter on 22 November
    assert rec.facts == er.Facts(Fraction(1), 35, 0, True)
    # the year before: Q4 of 2025 is the one that counts, and it is missing
    assert not record(tree_database, who, 2025).has_last_quarter_summary
    assert "year" in errors_of(tree_database, lambda s: er.year_record(s, who, 2027, today=TODAY))


def test_year_facts_agree_with_year_record(tree_database, world, held):
    who = world["张建国"]
    note(tree_database, who, er.Q3)
    with tree_database.unit_of_work() as session:
        er.set_dues_base(session, who, date(2026, 1, 1), dues_rules.WORKING, base_fen=450_000)
        er.add_volunteer(session, world["李秀英"], service(hours="2.5"), today=TODAY)
    ids = [world[n] for n in ("张建国", "李秀英", "王转出", "孙新", "赵敏")]
    with tree_database.read() as session:
        facts = er.year_facts(session, 2026, ids + [999_999], today=TODAY)
        assert set(facts) == set(ids)
        for member_id in ids:
            assert facts[member_id] == er.year_record(session, member_id, 2026, today=TODAY).facts
    assert facts[world["李秀英"]] == er.Facts(Fraction(2, 5), 25, 0, False)
    assert facts[who].months_in_arrears == 10
    assert facts[world["王转出"]].has_last_quarter_summary  # left before the third quarter: none owed


def test_last_quarter_summary_missing_for_the_workbench(tree_database, world):
    assert er.last_complete_quarter(TODAY) == (2026, 3)
    assert er.last_complete_quarter(date(2026, 2, 10)) == (2025, 4)
    assert er.last_complete_quarter(date(2026, 4, 1)) == (2026, 1)
    note(tree_database, world["张建国"], er.Q3)
    note(tree_database, world["李秀英"], er.Q2)  # another quarter does not count
    with tree_database.read() as session:
        missing = er.last_quarter_summary_missing(session, TODAY)
    # 王转出 left; in tree order: 第一网格 (孙新), its 1号楼党小组 (李秀英), then 第二网格 (赵敏)
    assert [m.name for m in missing] == ["孙新", "李秀英", "赵敏"]
    assert missing[0].org_name == "第一网格党支部"
    # 孙新 joined on 10 May 2026: no summary was owed for the first quarter
    with tree_database.read() as session:
        names = [m.name for m in er.last_quarter_summary_missing(session, date(2026, 4, 10))]
    assert "孙新" not in names and "张建国" in names


def test_year_facts_agree_with_year_record_in_the_demo_community(demo_database):
    with demo_database.read() as session:
        rows = session.execute(select(Member.id, Member.status, Member.left_on).order_by(Member.id)).all()
    left_2026 = [i for i, status, left_on in rows if status != "在册" and left_on and left_on.year == 2026]
    on_roll = [i for i, status, _ in rows if status == "在册"]
    chosen = on_roll[:12] + on_roll[-3:] + left_2026[:3]
    # GIVEN bases for some of them, a summary and some hours
    with demo_database.unit_of_work() as session:
        joined = dict(session.execute(select(Member.id, Member.joined_on).where(Member.id.in_(chosen))).all())
        for n, member_id in enumerate(chosen[::2]):
            start = max(date(2025, 1, 1), joined[member_id].replace(day=1))
            er.set_dues_base(session, member_id, start, dues_rules.WORKING, base_fen=300_000 + 100_000 * n)
        session.add(VolunteerService(member_id=chosen[1], served_on=date(2026, 3, 1), activity="义诊", hours_tenths=35))
        session.add(AnnualNote(member_id=chosen[2], year=2026, kind=er.Q3, text="x", written_on=TODAY))
    with demo_database.read() as session:
        for year in (2025, 2026):
            facts = er.year_facts(session, year, chosen, today=TODAY)
            for member_id in chosen:
                try:
                    expected = er.year_record(session, member_id, year, today=TODAY).facts
                except ValidationError:  # not on the roll that year
                    continue
                assert facts[member_id] == expected, (year, member_id)
        rates = [f.attendance_rate for f in er.year_facts(session, 2026, on_roll, today=TODAY).values()]
    # the demo's branches meet every month: nearly everyone has a rate, and most attend most meetings
    assert sum(r is not None for r in rates) > 0.9 * len(rates)
    assert sum(r >= Fraction(1, 2) for r in rates if r is not None) > 0.5 * len(rates)


def test_year_facts_for_3000_members_timing(tmp_path, migrated_template):
    """Prints how long year_facts takes for a 3,000-member community (no assertion: DESIGN has no timed
    unit tests; the benchmark belongs in bench/)."""
    from app.database import open_app_database

    path = tmp_path / "big.sqlite"
    shutil.copy(migrated_template, path)
    database = open_app_database(path)
    try:
        with database.unit_of_work("demo") as session:
            demo.build(session, seed=0, today=TODAY, members=3000)
            ids = list(session.scalars(select(Member.id)))
            session.execute(insert(MemberDuesBase), [
                dict(member_id=i, effective_from=date(2024, 1, 1), category="在职", base_fen=450_000, note="")
                for i in ids])
        with database.read() as session:
            started = time.perf_counter()
            facts = er.year_facts(session, 2026, ids, today=TODAY)
            took = time.perf_counter() - started
        assert len(facts) == len(ids)
        print(f"\nyear_facts for {len(ids)} members: {took:.3f} s")
    finally:
        database.close()
