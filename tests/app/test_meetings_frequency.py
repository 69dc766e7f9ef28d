"""组织生活 frequency (支部工作条例): periods over and owed, who owes which meeting, the gaps and their text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from app import meetings_frequency as mf
from app import members, orgs
from app.idcard import check_code
from app.meetings_frequency import MONTH, QUARTER, YEAR, OrgFacts
from app.members import MemberInput
from db.models import Meeting, Organization
from tests.conftest import TODAY

GRID1 = "幸福里社区党委/第一网格党支部"
GRID2 = "幸福里社区党委/第二网格党支部"
BUILDING1 = "幸福里社区党委/第一网格党支部/1号楼党小组"
BUILDING2 = "幸福里社区党委/第一网格党支部/2号楼党小组"


# ---------------------------------------------------------------- periods


@pytest.mark.parametrize(("today", "year"), [
    (date(2026, 11, 22), 2026),
    (date(2027, 1, 10), 2026),  # December 2026 is the last complete month: its year is still checked
    (date(2027, 1, 31), 2026),
    (date(2027, 2, 1), 2027),  # January over: the new year
])
def test_the_year_examined_is_that_of_the_last_complete_month(today, year):
    assert mf.examined_year(today) == year


def test_a_month_in_progress_is_never_owed():
    assert mf.due_periods(MONTH, 2026, date(2026, 10, 31)) == tuple(range(1, 10))  # October not over
    assert mf.due_periods(MONTH, 2026, date(2026, 11, 1)) == tuple(range(1, 11))  # now it is
    assert mf.due_periods(MONTH, 2026, TODAY) == tuple(range(1, 11))
    assert mf.due_periods(MONTH, 2026, date(2026, 1, 31)) == ()
    assert mf.due_periods(MONTH, 2026, date(2027, 1, 1)) == tuple(range(1, 13))


def test_a_quarter_in_progress_is_never_owed():
    assert mf.due_periods(QUARTER, 2026, date(2026, 9, 30)) == (1, 2)
    assert mf.due_periods(QUARTER, 2026, date(2026, 10, 1)) == (1, 2, 3)
    assert mf.due_periods(QUARTER, 2026, date(2026, 3, 31)) == ()
    assert mf.due_periods(QUARTER, 2025, TODAY) == (1, 2, 3, 4)


def test_the_yearly_meeting_is_owed_from_december_or_once_the_year_is_over():
    assert mf.due_periods(YEAR, 2026, date(2026, 11, 30)) == ()
    assert mf.due_periods(YEAR, 2026, date(2026, 12, 1)) == (1,)
    assert mf.due_periods(YEAR, 2026, date(2027, 1, 5)) == (1,)
    assert mf.due_periods(YEAR, 2027, date(2026, 12, 5)) == ()  # a year not begun


def test_periods_before_the_organisation_existed_are_not_owed():
    founded = date(2026, 5, 20)
    assert mf.due_periods(MONTH, 2026, TODAY, founded) == (6, 7, 8, 9, 10)  # not May: it began before
    assert mf.due_periods(MONTH, 2026, TODAY, date(2026, 5, 1)) == (5, 6, 7, 8, 9, 10)  # founded on its first day
    assert mf.due_periods(QUARTER, 2026, TODAY, founded) == (3,)
    assert mf.due_periods(YEAR, 2026, date(2026, 12, 10), founded) == ()  # founded mid-year: no 组织生活会 owed
    assert mf.due_periods(YEAR, 2026, date(2026, 12, 10), date(2025, 3, 1)) == (1,)


def test_missed_periods_count_the_days_held():
    held = [date(2026, 1, 15), date(2026, 2, 1), date(2026, 9, 30), date(2025, 10, 8), date(2026, 11, 3)]
    assert mf.missed(MONTH, held, 2026, TODAY) == (3, 4, 5, 6, 7, 8, 10)  # 2025's October is another year
    assert mf.missed(QUARTER, held, 2026, TODAY) == (2,)
    assert mf.missed(QUARTER, [date(2026, 11, 3)], 2026, TODAY) == (1, 2, 3)  # the fourth quarter is not over
    assert mf.missed(YEAR, held, 2026, date(2026, 12, 2)) == ()
    assert mf.missed(YEAR, [], 2026, date(2026, 12, 2)) == (1,)
    # a day after ``today`` (typed ahead) does not count
    assert mf.missed(MONTH, [date(2026, 10, 20)], 2026, date(2026, 10, 10)) == tuple(range(1, 10))


def test_periods_are_said_as_a_secretary_would():
    assert mf.describe(MONTH, [9, 10]) == "9月、10月"
    assert mf.describe(MONTH, list(range(1, 11))) == "1月至10月"
    assert mf.describe(MONTH, [1, 2, 3, 5, 7, 8]) == "1月至3月、5月、7月、8月"
    assert mf.describe(QUARTER, [1, 3]) == "第一季度、第三季度"
    assert mf.period_label(YEAR, 1) == "全年"


# ---------------------------------------------------------------- who owes what


def branch(committee: int = 3, full: int = 10, members_: int | None = None, **kw) -> OrgFacts:
    return OrgFacts(kw.pop("id", 2), kw.pop("parent_id", 1), kw.pop("name", "第一网格党支部"),
                    kw.pop("kind", "党支部"), kw.pop("founded_on", None),
                    full if members_ is None else members_, full, committee)


def test_the_committee_meeting_is_owed_only_by_a_branch_with_a_committee():
    kinds = lambda org: [r.kind for r in mf.obligations(org)]  # noqa: E731
    assert kinds(branch(committee=3)) == ["支部党员大会", "支部委员会", "党课", "主题党日", "组织生活会"]
    # one or two recorded (a 书记, perhaps a 副书记): no 支委会, whatever the size
    assert "支部委员会" not in kinds(branch(committee=2, full=30))
    # none recorded: 7 or more 正式党员 elect one
    assert "支部委员会" in kinds(branch(committee=0, full=7))
    assert "支部委员会" not in kinds(branch(committee=0, full=6, members_=9))


def test_only_branches_and_groups_with_members_are_checked():
    assert mf.obligations(branch(full=0)) == ()
    assert mf.obligations(branch(kind="党委")) == ()
    assert mf.obligations(branch(kind="党总支")) == ()
    assert mf.obligations(branch(kind="党小组", committee=0, full=3)) == (mf.GROUP_MEETING,)
    assert mf.obligations(branch(kind="联合党支部"))[0] == mf.ASSEMBLY
    assert mf.obligations(branch(kind="临时党支部"))[0] == mf.ASSEMBLY


ROOT_FACTS = OrgFacts(1, None, "幸福里社区党委", "党委", None, 30, 30, 5)
GROUP_A = OrgFacts(3, 2, "1号楼党小组", "党小组", None, 5, 5, 0)
GROUP_B = OrgFacts(4, 2, "2号楼党小组", "党小组", None, 5, 5, 0)


def every_month(org_id: int, kind: str, months=range(1, 11)) -> dict:
    return {(org_id, kind): [date(2026, m, 10) for m in months]}


def test_gaps_of_a_branch_and_its_groups():
    held = {
        **every_month(2, "支部党员大会", (2, 5)),  # no third-quarter assembly
        **every_month(2, "支部委员会"),
        **every_month(2, "党课", (3, 6, 9)),
        **every_month(2, "主题党日", range(1, 9)),  # none in September and October
        **every_month(3, "党小组会"),
        **every_month(4, "党小组会", range(1, 10)),
    }
    found = mf.find_gaps([ROOT_FACTS, branch(), GROUP_A, GROUP_B], held, 2026, TODAY, date(2025, 6, 4))
    assert [(g.org_name, g.kind, g.labels) for g in found] == [
        ("第一网格党支部", "支部党员大会", ("第三季度",)),
        ("第一网格党支部", "主题党日", ("9月", "10月")),
        ("2号楼党小组", "党小组会", ("10月",)),
    ]
    assert {g.branch_id for g in found} == {2}
    assert [g.text for g in found] == ["支部党员大会 第三季度未召开", "主题党日 9月、10月未开展", "党小组会 10月未召开"]
    assert mf.branch_text(found) == "支部党员大会 第三季度未召开；主题党日 9月、10月未开展；2号楼党小组 党小组会 10月未召开"


def test_a_lecture_or_theme_day_of_the_committee_above_counts_for_the_branches():
    held = {**every_month(1, "党课", (3, 6, 9)), **every_month(1, "主题党日"), **every_month(1, "支部党员大会")}
    found = mf.find_gaps([ROOT_FACTS, branch(committee=1)], held, 2026, TODAY, date(2026, 1, 1))
    # the committee's 党课 and 主题党日 count for the branch; its 支部党员大会 does not
    assert [(g.kind, g.missed) for g in found] == [("支部党员大会", (1, 2, 3))]


def test_nothing_is_owed_before_records_began_or_the_branch_was_founded():
    assert mf.find_gaps([branch()], {}, 2026, TODAY, None) == []
    # the records begin on 17 August: August counts (its month), the third quarter does not
    found = mf.find_gaps([branch(committee=1)], {}, 2026, TODAY, date(2026, 8, 17))
    assert [(g.kind, g.missed) for g in found] == [("主题党日", (8, 9, 10))]
    young = branch(committee=1, founded_on=date(2026, 7, 1))
    found = mf.find_gaps([young], {}, 2026, TODAY, date(2024, 1, 1))
    assert [(g.kind, g.missed) for g in found] == [
        ("支部党员大会", (3,)), ("党课", (3,)), ("主题党日", (7, 8, 9, 10))]


def test_the_yearly_meeting_in_december_and_after_the_year():
    december = mf.find_gaps([branch(committee=1)], every_month(2, "支部党员大会", (2, 5, 8, 11)), 2026,
                            date(2026, 12, 3), date(2026, 1, 1))
    life = next(g for g in december if g.kind == "组织生活会")
    assert life.year_open and life.text == "组织生活会 本年度尚未召开"
    after = mf.find_gaps([branch(committee=1)], {}, 2026, date(2027, 1, 10), date(2026, 1, 1))
    life = next(g for g in after if g.kind == "组织生活会")
    assert not life.year_open and life.text == "组织生活会 全年未召开"
    assert next(g for g in after if g.kind == "主题党日").missed == tuple(range(1, 13))


def test_groups_with_the_same_gap_are_named_together():
    groups = [OrgFacts(10 + n, 2, f"{n}号楼党小组", "党小组", None, 3, 3, 0) for n in range(1, 6)]
    found = mf.find_gaps([branch(committee=1), *groups], {(2, k): [date(2026, m, 5) for m in range(1, 11)]
                                                         for k in ("支部党员大会", "党课", "主题党日")},
                         2026, TODAY, date(2026, 1, 1))
    assert mf.branch_text(found[:2]) == "1号楼党小组、2号楼党小组 党小组会 1月至10月未召开"
    assert mf.branch_text(found) == "1号楼党小组、2号楼党小组、3号楼党小组等 5 个党小组 党小组会 1月至10月未召开"


def test_branch_of_finds_the_nearest_branch():
    deep = OrgFacts(5, 3, "3单元小组", "党小组", None, 1, 1, 0)
    loose = OrgFacts(6, 1, "直属党小组", "党小组", None, 1, 1, 0)
    assert mf.branch_of([ROOT_FACTS, branch(), GROUP_A, deep, loose]) == {1: None, 2: 2, 3: 2, 5: 2, 6: None}
    # a group with no branch above is its own line
    found = mf.find_gaps([ROOT_FACTS, loose], {}, 2026, TODAY, date(2026, 1, 1))
    assert [(g.branch_id, g.branch_name) for g in found] == [(6, "直属党小组")]


# ---------------------------------------------------------------- the database


def make_id(birth: str, seq: str) -> str:
    first17 = "110105" + birth + seq
    return first17 + check_code(first17)


def add_member(session, org_id: int, name: str, seq: int) -> int:
    joined = date(1995, 7, 1)
    member_id, _ = members.create(session, MemberInput(
        name=name, id_number=make_id(f"19{60 + seq % 30:02d}0301", f"{100 + seq}"), org_id=org_id,
        joined_on=joined, category="正式党员", confirmed_on=joined + timedelta(days=366)), today=TODAY)
    return member_id


def hold(session, org_id: int, kind: str, *days: date) -> None:
    for day in days:
        session.add(Meeting(org_id=org_id, held_on=day, kind=kind, topic=f"{kind} {day}"))


def test_gaps_read_from_the_database(tree_database):
    # GIVEN 第一网格 with two members (one in 1号楼党小组) and 第二网格 with one; nothing else has members
    with tree_database.unit_of_work() as session:
        ids = {p: orgs.find_by_path(session, p).id for p in (GRID1, GRID2, BUILDING1, BUILDING2)}
        add_member(session, ids[GRID1], "张建国", 1)
        add_member(session, ids[BUILDING1], "李秀英", 2)
        add_member(session, ids[GRID2], "赵敏", 3)
        # AND 第二网格 founded on 1 July; the records begin in January
        session.execute(update(Organization).where(Organization.id == ids[GRID2]).values(founded_on=date(2026, 7, 1)))
        months = [date(2026, m, 12) for m in range(1, 11)]
        hold(session, ids[GRID1], "支部党员大会", date(2026, 2, 1), date(2026, 5, 1), date(2026, 8, 1))
        hold(session, ids[GRID1], "党课", date(2026, 3, 1), date(2026, 6, 1))
        hold(session, ids[GRID1], "主题党日", *months[:8])
        hold(session, ids[GRID1], "支部委员会", *months)
        hold(session, ids[BUILDING1], "党小组会", *months)
        hold(session, ids[GRID2], "主题党日", *months[6:])
        hold(session, ids[GRID2], "支部党员大会", date(2026, 7, 1))
        hold(session, ids[GRID2], "党课", date(2026, 7, 2))
    with tree_database.read() as session:
        facts = {o.name: o for o in mf.org_facts(session)}
        found = mf.gaps(session, TODAY)
    # THEN counts are of the subtree, and the tree's committees are known (书记 and two 委员 in each grid)
    assert (facts["第一网格党支部"].members, facts["1号楼党小组"].members, facts["幸福里社区党委"].members) == (2, 1, 3)
    assert facts["第一网格党支部"].committee == 3 and facts["1号楼党小组"].committee == 0
    # AND 第一网格 missed its third-quarter 党课 and September–October 主题党日; 2号楼 (empty) is not checked;
    # 第二网格 owes nothing before July, but its 支委会 never met
    assert [(g.org_name, g.kind, g.labels) for g in found] == [
        ("第一网格党支部", "党课", ("第三季度",)),
        ("第一网格党支部", "主题党日", ("9月", "10月")),
        ("第二网格党支部", "支部委员会", ("7月", "8月", "9月", "10月")),
    ]
    assert [g.year for g in found] == [2026] * 3


def test_no_meeting_recorded_means_nothing_is_checked(tree_database):
    with tree_database.unit_of_work() as session:
        add_member(session, orgs.find_by_path(session, GRID1).id, "张建国", 1)
    with tree_database.read() as session:
        assert mf.gaps(session, TODAY) == []
