"""Meetings and dues reach a member too; 失联处置 (find, establish, re-include, stop); the 自行脱党 line;
the yearly report."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from app import audit, floating, members, orgs, settings
from app.floating import ContactInput
from db.models import DuesPayment, FloatingRecord, LostContactEvent, Meeting, MeetingAttendee, Member
from tests.app.test_floating_records import TRIP, errors_of, person, register
from tests.conftest import TODAY


@pytest.fixture
def grid1(tree_database) -> int:
    with tree_database.read() as session:
        return orgs.find_by_path(session, "幸福里社区党委/第一网格党支部").id


@pytest.fixture
def member(tree_database, grid1) -> int:
    with tree_database.unit_of_work() as session:
        member_id, _ = members.create(session, person(grid1), today=TODAY)
    return member_id

# TRIP leaves on 2026-03-01; on TODAY (2026-11-22) that is more than six months ago.


def contact(database, member_id: int, day: date, reached: bool, *, report: bool = False) -> None:
    with database.unit_of_work() as session:
        floating.add_contact(session, member_id, ContactInput(day, "电话", reached, is_report=report), today=TODAY)


def meeting(database, org_id: int, member_id: int, day: date, present: bool = True) -> None:
    with database.unit_of_work() as session:
        row = Meeting(org_id=org_id, held_on=day, kind="主题党日", topic="学习")
        session.add(row)
        session.flush()
        session.add(MeetingAttendee(meeting_id=row.id, member_id=member_id, present=present))


def dues(database, member_id: int, period: date, paid_on: date) -> None:
    with database.unit_of_work() as session:
        session.add(DuesPayment(member_id=member_id, period=period, paid_on=paid_on, amount_fen=500))


def listed(database, today: date = TODAY) -> dict[int, str]:
    with database.read() as session:
        return {row.member_id: status.status for row, status in floating.to_contact(session, today)}


def event(database, member_id: int, kind: str, day: date, note: str = "", today: date = TODAY):
    with database.unit_of_work() as session:
        return floating.record_lost_event(session, member_id, kind, day, note, today=today)


def test_a_meeting_attended_or_dues_paid_counts_as_reaching_the_member(tree_database, member, grid1):
    register(tree_database, member)
    assert listed(tree_database) == {member: floating.TO_CONTACT}
    # GIVEN the member attended a 主题党日 at the host on 10 July (absent from another in August)
    meeting(tree_database, grid1, member, date(2026, 7, 10))
    meeting(tree_database, grid1, member, date(2026, 8, 10), present=False)
    # THEN the clock runs from 10 July: 即将失联 from 10 Dec, so 正常 today and not listed
    assert listed(tree_database) == {}
    assert listed(tree_database, date(2026, 12, 10)) == {member: floating.SOON}
    # AND dues paid on 1 Sept push it further; a payment dated after "today" does not count
    dues(tree_database, member, date(2026, 9, 1), date(2026, 9, 1))
    assert listed(tree_database, date(2026, 12, 10)) == {}
    with tree_database.read() as session:
        status = floating.status_of(session, member, date(2027, 2, 1))
    assert status.last_reached == date(2026, 9, 1) and "缴纳党费" in status.reason
    with tree_database.read() as session:
        assert floating.status_of(session, member, date(2026, 8, 31)).last_reached == date(2026, 7, 10)


def test_lost_is_established_only_when_the_rules_say_so(tree_database, member):
    register(tree_database, member)
    # 待联系 (no failed attempt yet): 确认失联 is refused with the reason
    errors = errors_of(tree_database, lambda s: floating.record_lost_event(s, member, "确认失联", TODAY, today=TODAY))
    assert "尚不能认定失联" in errors["happened_on"] and "尚无联系未果" in errors["happened_on"]
    # a failed attempt and a search step make it 失联
    contact(tree_database, member, date(2026, 10, 8), reached=False)
    event(tree_database, member, "寻找", date(2026, 11, 1), "走访原单位，同事称已离职")
    assert listed(tree_database) == {member: floating.LOST}
    _, changes = event(tree_database, member, "确认失联", date(2026, 11, 20))
    assert changes.members
    with tree_database.read() as session:
        m = session.get(Member, member)
        assert (m.lost_contact, m.lost_contact_on) == (True, date(2026, 11, 20))
        assert [e.kind for e in floating.lost_events(session, member)] == ["寻找", "确认失联"]
        # AND both stand in the member's history, with the operator
        assert [e.action for e in audit.entries(session, "members", member)][-2:] == ["寻找", "确认失联"]
    # confirming twice is refused
    errors = errors_of(tree_database, lambda s: floating.record_lost_event(s, member, "确认失联", TODAY, today=TODAY))
    assert "已于 2026-11-20 确认失联" in errors["kind"]


def test_search_step_needs_what_was_done_and_dates_cannot_lie_ahead(tree_database, member):
    register(tree_database, member)
    errors = errors_of(tree_database, lambda s: floating.record_lost_event(s, member, "寻找", TODAY, " ", today=TODAY))
    assert errors["note"] == "请写明采取的寻找措施。"
    errors = errors_of(tree_database, lambda s: floating.record_lost_event(
        s, member, "寻找", date(2026, 11, 23), "电话", today=TODAY))
    assert errors["happened_on"] == "日期不能晚于今天。"


def test_stopping_the_standing_needs_established_lost_and_re_including_restores_it(tree_database, member):
    register(tree_database, member)
    errors = errors_of(tree_database, lambda s: floating.record_lost_event(s, member, "停止党籍", TODAY, today=TODAY))
    assert "尚未确认失联" in errors["kind"]
    contact(tree_database, member, date(2026, 10, 8), reached=False)
    event(tree_database, member, "确认失联", date(2026, 11, 1))
    errors = errors_of(tree_database, lambda s: floating.record_lost_event(
        s, member, "停止党籍", date(2026, 10, 31), today=TODAY))
    assert "不能早于确认失联的日期（2026-11-01）" in errors["happened_on"]
    event(tree_database, member, "停止党籍", date(2026, 11, 15), "支部委员会决定")
    with tree_database.read() as session:
        assert session.get(Member, member).standing == "停止党籍"
    # WHEN the member turns up again
    event(tree_database, member, "重新纳入管理", TODAY, "本人来电，已恢复联系")
    with tree_database.read() as session:
        m = session.get(Member, member)
        assert (m.lost_contact, m.lost_contact_on, m.standing) == (False, None, "正常")
        assert "恢复党籍" in [e.action for e in audit.entries(session, "members", member)]
    # THEN the clock restarts that day: not listed until five months later
    assert listed(tree_database) == {}
    assert listed(tree_database, date(2027, 4, 22)) == {member: floating.SOON}


def test_a_carried_over_mark_can_be_confirmed_or_cleared(tree_database, member):
    # GIVEN a 失联 mark carried over from the old ledger flag (what migration 0005 writes)
    with tree_database.unit_of_work() as session:
        m = session.get(Member, member)
        m.lost_contact, m.lost_contact_on = True, date(2025, 3, 1)
        floating_event = LostContactEvent(member_id=member, kind="确认失联", happened_on=date(2025, 3, 1),
                                                   to_confirm=True)
        session.add(floating_event)
    # WHEN the secretary confirms it (no floating record needed)
    event(tree_database, member, "确认失联", date(2025, 3, 1))
    with tree_database.read() as session:
        assert [(e.kind, e.to_confirm) for e in floating.lost_events(session, member)] == [
            ("确认失联", False), ("确认失联", False)]


def test_a_member_who_left_the_ledger_gets_no_more_steps(tree_database, member):
    register(tree_database, member)
    with tree_database.unit_of_work() as session:
        members.leave(session, member, "死亡", date(2026, 11, 1), "", today=TODAY)
    errors = errors_of(tree_database, lambda s: floating.record_lost_event(s, member, "寻找", TODAY, "电话",
                                                                           today=TODAY))
    assert "已死亡" in errors["kind"]
    assert listed(tree_database) == {}


def test_self_lapse_lists_what_is_missing_counting_from_when_records_began(tree_database, grid1, member):
    with tree_database.unit_of_work() as session:
        session.get(Member, member).created_at = datetime(2026, 1, 5, 9, 0)
    # nothing recorded since 5 January: both missing, crossed on 5 July
    with tree_database.read() as session:
        rows = floating.lapse_list(session, TODAY)
    assert [(r.member_id, r.warning.missing, r.warning.crossed) for r in rows] == [(member, ("组织生活", "党费"), True)]
    # a meeting in October clears 组织生活; dues in June leave 党费 missing, crossing on 1 Dec
    meeting(tree_database, grid1, member, date(2026, 10, 15))
    dues(tree_database, member, date(2026, 6, 1), date(2026, 6, 1))
    with tree_database.read() as session:
        (row,) = floating.lapse_list(session, TODAY)
    assert row.warning.missing == ("党费",) and row.warning.crosses_on == date(2026, 12, 1)
    assert not row.warning.crossed and "2026-12-01" in row.warning.reason
    # AND dues paid in October clear the member
    dues(tree_database, member, date(2026, 10, 1), date(2026, 10, 20))
    with tree_database.read() as session:
        assert floating.lapse_list(session, TODAY) == []


def test_yearly_report_flag_from_the_configured_day(tree_database, member):
    register(tree_database, member)
    contact(tree_database, member, date(2025, 12, 30), reached=True, report=True)
    with tree_database.read() as session:
        assert floating.reports_overdue(session, date(2026, 9, 30)) == []
        (row,) = floating.reports_overdue(session, date(2026, 10, 1))
        assert (row.member_id, row.last_report) == (member, date(2025, 12, 30))
        assert floating.reports_overdue(session, TODAY, flag_from=(12, 1)) == []
    contact(tree_database, member, date(2026, 11, 2), reached=True, report=True)
    with tree_database.read() as session:
        assert floating.reports_overdue(session, TODAY) == []


def test_a_report_must_be_a_contact_that_reached_the_member(tree_database, member):
    errors = errors_of(tree_database, lambda s: floating.add_contact(
        s, member, ContactInput(TODAY, "来信", False, is_report=True), today=TODAY))
    assert errors == {"is_report": "本人报告必须是已联系上的记录。"}


@pytest.mark.parametrize(("stored", "expected"), [("", floating.WARNING_MONTHS), ("3", 3), ("6", 5), ("x", 5)])
def test_warning_months_setting(tree_database, stored, expected):
    with tree_database.unit_of_work() as session:
        settings.set_value(session, floating.WARNING_KEY, stored)
        assert floating.warning_months(session) == expected


def test_report_flag_setting(tree_database):
    with tree_database.unit_of_work() as session:
        settings.set_value(session, floating.REPORT_KEY, "11-15")
        assert floating.report_flag_date(session) == (11, 15)
        settings.set_value(session, floating.REPORT_KEY, "13-01")
        assert floating.report_flag_date(session) == (10, 1)


def test_migrated_record_shows_its_old_destination(tree_database, member):
    with tree_database.unit_of_work() as session:
        session.add(FloatingRecord(member_id=member, destination_address="广东省 深圳市", left_on=TODAY, incomplete=True))
    with tree_database.read() as session:
        (row,) = floating.open_records(session, TODAY)
    assert row.destination == "广东省 深圳市" and row.incomplete


def test_workbench_lists_members_about_to_be_lost_and_lost(tree_database, grid1):
    from app import workbench

    # GIVEN one member lost (failed attempt after six months), one about to be lost, one fine
    ids = {}
    with tree_database.unit_of_work() as session:
        for n, name in enumerate(("甲失联", "乙将失联", "丙正常")):
            ids[name], _ = members.create(session, person(grid1, name, "19700301", f"{n}21"), today=TODAY)
    register(tree_database, ids["甲失联"])
    contact(tree_database, ids["甲失联"], date(2026, 10, 1), reached=False)
    register(tree_database, ids["乙将失联"], replace(TRIP, left_on=date(2026, 6, 10)))
    register(tree_database, ids["丙正常"], replace(TRIP, left_on=date(2026, 10, 1)))
    with tree_database.read() as session:
        items = [a for a in workbench.summary(session, TODAY).attention if a.area == "floating"]
    # THEN the lost one comes first as urgent, the other as a warning with the day it crosses the line
    assert [(a.member_id, a.level) for a in items] == [(ids["甲失联"], 0), (ids["乙将失联"], 1), (None, 1)]
    assert "已失联" in items[0].text and "第一网格党支部" in items[0].text
    assert "即将失联" in items[1].text and "2026-12-10" in items[1].text
    # AND past 1 October, the three who have not reported this year are counted
    assert items[2].text == "3 名流动党员今年尚未向党组织报告情况（每年至少一次）。"


def test_the_steps_offered_follow_where_the_member_stands(tree_database, member):
    def choices():
        with tree_database.read() as session:
            return floating.lost_event_choices(session, member, TODAY)

    assert choices() == (("寻找",), "没有外出登记。")
    register(tree_database, member)
    kinds, text = choices()
    assert kinds == ("寻找", "重新纳入管理") and text.startswith("待联系：")
    contact(tree_database, member, date(2026, 10, 8), reached=False)
    assert choices()[0] == ("寻找", "确认失联", "重新纳入管理")
    event(tree_database, member, "确认失联", date(2026, 11, 1))
    assert choices() == (("寻找", "停止党籍", "重新纳入管理"), "已于 2026-11-01 确认失联。")
    event(tree_database, member, "停止党籍", date(2026, 11, 2))
    assert choices() == (("寻找", "重新纳入管理"), "已于 2026-11-01 确认失联。党籍已停止。")


def test_floating_settings_round_trip_and_refuse_nonsense(tree_database):
    with tree_database.read() as session:
        assert floating.load_settings(session) == floating.FloatingSettings()
    with tree_database.unit_of_work() as session:
        floating.save_settings(session, floating.FloatingSettings(("流出地直管", " 双向共管 ", "流出地直管"), 4, (11, 30)))
    with tree_database.read() as session:
        assert floating.load_settings(session) == floating.FloatingSettings(("流出地直管", "双向共管"), 4, (11, 30))
        assert floating.management_modes(session) == ("流出地直管", "双向共管")
    errors = errors_of(tree_database, lambda s: floating.save_settings(s, floating.FloatingSettings((" ",), 6, (2, 30))))
    assert set(errors) == {"modes", "warning_months", "report_from"}


def test_ids_written_into_sql_are_ints_only():
    from db.models import ContactLog

    assert "IN (3,5)" in str(floating._in(ContactLog.member_id, [3, 5]).compile())
    with pytest.raises(ValueError):
        floating._in(ContactLog.member_id, ["1) OR (1=1"])


def test_workbench_says_where_an_established_case_stands(tree_database, member):
    from app import workbench

    register(tree_database, member)
    contact(tree_database, member, date(2026, 10, 8), reached=False)
    event(tree_database, member, "确认失联", date(2026, 11, 1))
    with tree_database.read() as session:
        (line,) = [a for a in workbench.summary(session, TODAY).attention if a.member_id == member]
    assert line.level == 1 and "已于 2026-11-01 确认失联，可视情况停止党籍" in line.text
    event(tree_database, member, "停止党籍", date(2026, 11, 2))
    with tree_database.read() as session:
        (line,) = [a for a in workbench.summary(session, TODAY).attention if a.member_id == member]
    assert "党籍已停止" in line.text and "重新纳入管理" in line.text
