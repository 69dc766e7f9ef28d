"""工作台: the year's evaluation progress, missing quarterly summaries, 组织生活 gaps and 党费 arrears."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update

from app import dues_rules, members, orgs, settings, workbench
from app import evaluation_records as er
from app import evaluation_year as ey
from app.evaluation import PASS
from app.idcard import check_code
from app.members import MemberInput
from db.models import DuesPayment, Meeting, Member
from tests.app.test_floating_records import TRIP, register
from tests.conftest import TODAY

ROOT = "幸福里社区党委"
GRID1 = "幸福里社区党委/第一网格党支部"
GRID2 = "幸福里社区党委/第二网格党支部"
BUILDING1 = "幸福里社区党委/第一网格党支部/1号楼党小组"
LONG_AGO = datetime(2024, 1, 1)  # when the members came into these records


def make_id(birth: str, seq: str) -> str:
    first17 = "110105" + birth + seq
    return first17 + check_code(first17)


def add_member(session, org_id: int, name: str, seq: int, joined_on: date = date(1995, 7, 1)) -> int:
    probation = joined_on > TODAY - timedelta(days=365)
    member_id, _ = members.create(session, MemberInput(
        name=name, id_number=make_id(f"19{60 + seq % 30:02d}0301", f"{100 + seq}"), org_id=org_id,
        joined_on=joined_on, category="预备党员" if probation else "正式党员",
        confirmed_on=None if probation else joined_on + timedelta(days=366)), today=TODAY)
    session.execute(update(Member).where(Member.id == member_id).values(created_at=LONG_AGO))
    return member_id


@pytest.fixture
def world(tree_database) -> dict[str, int]:
    """第一网格: 张建国, 王转出 (转出 on 30 June 2026), 孙新 (joined 10 May 2026, 预备); 李秀英 in its
    1号楼党小组; 赵敏 in 第二网格. Everyone entered in the records in 2024."""
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
        members.leave(session, ids["王转出"], "转出", date(2026, 6, 30), "工作调动", transferred_to="某街道党工委",
                      today=TODAY)
    return ids


def lines(database, today: date = TODAY, area: str | None = None) -> list[workbench.Attention]:
    with database.read() as session:
        found = workbench.summary(session, today).attention
    return [a for a in found if area is None or a.area == area]


def texts(database, area: str, today: date = TODAY) -> list[str]:
    return [a.text for a in lines(database, today, area)]


def pay(database, member_id: int, *months: date, fen: int = 100) -> None:
    with database.unit_of_work() as session:
        for month in months:
            session.add(DuesPayment(member_id=member_id, period=month, paid_on=month + timedelta(days=5),
                                    amount_fen=fen))


def months(first: date, last: date) -> list[date]:
    found, month = [], first
    while month <= last:
        found.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return found


def hide_dues(database, *member_ids: int) -> None:
    """Pay every month since 2024 for the members a test does not look at."""
    for member_id in member_ids:
        pay(database, member_id, *months(date(2024, 1, 1), date(2026, 10, 1)))


# ---------------------------------------------------------------- 年度评定


@pytest.mark.parametrize(("today", "years"), [
    (TODAY, [2026]),
    (date(2027, 1, 15), [2026, 2027]),
    (date(2027, 2, 28), [2026, 2027]),
    (date(2027, 3, 1), [2027]),
])
def test_the_years_followed(today, years):
    assert workbench.evaluation_years(today) == years


def test_a_year_not_opened_is_mentioned_in_its_fourth_quarter_and_in_the_next_january(tree_database, world):
    assert not [t for t in texts(tree_database, "evaluation", date(2026, 9, 30)) if "星级评定" in t]
    (line,) = [a for a in lines(tree_database, date(2026, 10, 1), "evaluation") if "星级评定" in a.text]
    assert line.text.startswith("2026 年度星级评定尚未开始") and (line.level, line.year) == (2, 2026)
    # in January the year before is still due; the new year is not mentioned yet
    january = [a for a in lines(tree_database, date(2027, 1, 20), "evaluation") if "星级评定" in a.text]
    assert [(a.year, a.text[:15]) for a in january] == [(2026, "2026 年度星级评定尚未开始")]


def complete_scores(session, year: int, *member_ids: int, score: str = "18") -> None:
    cells = ey.scheme(session, year).cells()
    ey.set_scores(session, year, [(m, c, e, score) for m in member_ids for c, e in cells])


def test_progress_per_branch_agrees_with_the_grid(tree_database, world):
    w = world
    # GIVEN 2026 opened; 张建国 fully scored and graded, 孙新 (预备: rated, not graded) half scored
    with tree_database.unit_of_work() as session:
        ey.open_year(session, 2026, today=TODAY)
        complete_scores(session, 2026, w["张建国"])
        cells = ey.scheme(session, 2026).cells()
        ey.set_scores(session, 2026, [(w["孙新"], c, e, "10") for c, e in cells[: len(cells) // 2]])
        ey.set_grade(session, 2026, w["张建国"], PASS, TODAY, today=TODAY)
    found = lines(tree_database, area="evaluation")
    progress = [a for a in found if "评分完成" in a.text]
    # THEN one line a branch: 王转出 left during the year and is not required; 李秀英 counts with 第一网格
    assert [a.text for a in progress] == [
        "第一网格党支部：2026 年度评分完成 1/3 人，评议等次 1/2 人。",
        "第二网格党支部：2026 年度评分完成 0/1 人，评议等次 0/1 人。",
    ]
    assert [(a.org_id, a.year, a.level) for a in progress] == [(w["grid1"], 2026, 2), (w["grid2"], 2026, 2)]
    # AND the counts are those of the grid the evaluation page shows
    with tree_database.read() as session:
        rows = [r for r in ey.grid(session, 2026).rows if not r.participant.left_in_year]
        with_branches = workbench.Branches.from_orgs(workbench.mf.org_facts(session))
        counted = workbench.evaluation_progress(session, 2026, with_branches)
    expected: dict[int | None, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in rows:
        line = expected[r.participant.branch_id]
        line[0] += 1
        line[1] += r.result.complete
        line[2] += r.participant.graded
        line[3] += r.participant.graded and r.grade is not None
    assert {p.branch_id: [p.required, p.scored, p.gradable, p.graded] for p in counted} == dict(expected)


def finish(session, w, year: int = 2026) -> None:
    complete_scores(session, year, w["张建国"], w["李秀英"], w["孙新"], w["赵敏"])
    for name in ("张建国", "李秀英", "赵敏"):
        ey.set_grade(session, year, w[name], PASS, TODAY, today=TODAY)


def test_a_finished_year_then_an_approved_one(tree_database, world):
    with tree_database.unit_of_work() as session:
        ey.open_year(session, 2026, today=TODAY)
        finish(session, world)
    (line,) = [a for a in lines(tree_database, area="evaluation") if "民主评议" in a.text]
    assert line.text == "2026 年度评分和民主评议已全部完成（4 人），可提请社区党委批准。"
    with tree_database.unit_of_work() as session:
        ey.approve(session, 2026, today=date(2026, 11, 20))
    (line,) = [a for a in lines(tree_database, area="evaluation") if "批准" in a.text]
    # 90 points each: five stars, a certificate for everyone required
    assert line.text == "2026 年度评定已于 2026-11-20 批准，证书 4 个。"
    assert (line.level, line.year) == (2, 2026)
    # AND in January the approved year is still shown (the new one, not opened, is not)
    january = [a.text for a in lines(tree_database, date(2027, 1, 5), "evaluation") if "评定" in a.text]
    assert january == ["2026 年度评定已于 2026-11-20 批准，证书 4 个。"]


def test_in_january_the_year_before_still_in_progress_is_a_warning(tree_database, world):
    with tree_database.unit_of_work() as session:
        ey.open_year(session, 2026, today=TODAY)
    progress = [a for a in lines(tree_database, date(2027, 2, 10), "evaluation") if "评分完成" in a.text]
    assert [(a.year, a.level) for a in progress] == [(2026, 1), (2026, 1)]
    assert progress[0].text == "第一网格党支部：2026 年度评分完成 0/3 人，评议等次 0/2 人。"
    # from March the year before is left to the evaluation page
    assert not [a for a in lines(tree_database, date(2027, 3, 1), "evaluation") if "评分完成" in a.text]


# ---------------------------------------------------------------- 季度小结


def test_nobody_has_written_the_quarter_summaries_one_line(tree_database, world):
    found = [a for a in lines(tree_database, area="evaluation") if "小结" in a.text]
    # 王转出 has left; the four others were on the roll in the third quarter
    assert [(a.text, a.level, a.org_id, a.year) for a in found] == [
        ("全社区 4 名党员均未填写 2026 年第三季度小结（年度记实）。", 2, None, 2026)]


def test_missing_summaries_one_line_a_branch(tree_database, world):
    with tree_database.unit_of_work() as session:
        er.save_note(session, world["张建国"], 2026, er.Q3, "按时参加组织生活。", today=TODAY)
    found = [a for a in lines(tree_database, area="evaluation") if "小结" in a.text]
    assert [(a.text, a.org_id) for a in found] == [
        ("第一网格党支部：孙新、李秀英尚未填写 2026 年第三季度小结。", world["grid1"]),
        ("第二网格党支部：赵敏尚未填写 2026 年第三季度小结。", world["grid2"]),
    ]
    # in the first quarter the last complete one is the fourth of the year before
    found = [a.text for a in lines(tree_database, date(2027, 2, 1), "evaluation") if "小结" in a.text]
    assert found == ["全社区 4 名党员均未填写 2026 年第四季度小结（年度记实）。"]


def test_many_names_become_a_count():
    assert workbench.named(["甲", "乙"]) == "甲、乙"
    assert workbench.named(list("甲乙丙丁戊")) == "甲、乙、丙、丁、戊"
    assert workbench.named(list("甲乙丙丁戊己")) == "甲、乙、丙等 6 名党员"


# ---------------------------------------------------------------- 组织生活


def hold(session, org_id: int, kind: str, *days: date) -> None:
    for day in days:
        session.add(Meeting(org_id=org_id, held_on=day, kind=kind, topic=kind))


def test_meeting_gaps_one_line_a_branch(tree_database, world):
    w = world
    every = [date(2026, m, 10) for m in range(1, 11)]
    with tree_database.unit_of_work() as session:
        hold(session, w["grid1"], "支部党员大会", date(2026, 2, 1), date(2026, 5, 1))
        hold(session, w["grid1"], "党课", date(2026, 3, 1), date(2026, 6, 1), date(2026, 9, 1))
        hold(session, w["grid1"], "主题党日", *every[:8])
        hold(session, w["grid1"], "支部委员会", *every)
        hold(session, w["building1"], "党小组会", *every[:9])
        for kind in ("支部党员大会", "党课", "主题党日", "支部委员会"):
            hold(session, w["grid2"], kind, *every)
    found = lines(tree_database, area="meetings")
    assert [(a.text, a.level, a.org_id) for a in found] == [
        ("第一网格党支部：支部党员大会 第三季度未召开；主题党日 9月、10月未开展；1号楼党小组 党小组会 10月未召开。",
         1, w["grid1"]),
    ]
    # AND on 10 January 2027 the whole of 2026 is checked, and the year is said
    found = lines(tree_database, date(2027, 1, 10), "meetings")
    assert found[0].text.startswith("第一网格党支部：2026 年支部党员大会 第三季度、第四季度未召开；")
    assert found[0].text.endswith("组织生活会 全年未召开；1号楼党小组 党小组会 10月至12月未召开。")


# ---------------------------------------------------------------- 党费


@pytest.mark.parametrize(("unpaid", "run"), [
    ([date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)], 3),
    ([date(2026, 8, 1), date(2026, 9, 1)], 0),  # October paid: the run has ended
    ([], 0),
    (months(date(2025, 11, 1), date(2026, 10, 1)), 12),  # across the new year
    ([date(2026, 3, 1), date(2026, 5, 1), date(2026, 6, 1), date(2026, 10, 1)], 1),
])
def test_unpaid_run_counts_back_from_last_month(unpaid, run):
    assert workbench.unpaid_run(unpaid, TODAY) == run


def arrears_of(database, today: date = TODAY) -> dict[int, workbench.MemberArrears]:
    with database.read() as session:
        return {a.member_id: a for a in workbench.dues_arrears(session, today)}


def test_arrears_with_a_base_agree_with_the_years_record(tree_database, world):
    w = world
    # GIVEN 张建国 pays 1 % of 4500 元 from January 2026 and paid January to July
    with tree_database.unit_of_work() as session:
        er.set_dues_base(session, w["张建国"], date(2026, 1, 1), dues_rules.WORKING, base_fen=450_000)
    pay(tree_database, w["张建国"], *months(date(2026, 1, 1), date(2026, 7, 1)), fen=4500)
    found = arrears_of(tree_database)[w["张建国"]]
    with tree_database.read() as session:
        record = er.year_record(session, w["张建国"], 2026, today=TODAY).dues.arrears
    assert found.months == record.months == (date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1))
    assert found.total_fen == record.total_fen == 13_500 and found.run == 3


def test_arrears_of_a_member_with_a_base_count_every_year(tree_database, world):
    with tree_database.unit_of_work() as session:
        er.set_dues_base(session, world["张建国"], date(2025, 7, 1), dues_rules.STUDENT)
    pay(tree_database, world["张建国"], *months(date(2025, 9, 1), date(2026, 10, 1)), fen=20)
    found = arrears_of(tree_database)[world["张建国"]]
    assert found.months == (date(2025, 7, 1), date(2025, 8, 1)) and found.total_fen == 40 and found.run == 0


def test_without_a_base_the_months_of_this_year_count(tree_database, world):
    w = world
    hide_dues(tree_database, w["张建国"], w["李秀英"])
    with tree_database.unit_of_work() as session:  # another member's base changes nothing for those without
        er.set_dues_base(session, w["张建国"], date(2024, 1, 1), dues_rules.STUDENT)
    # GIVEN 赵敏 (no base) paid every month of 2025 and January–March 2026
    pay(tree_database, w["赵敏"], *months(date(2025, 1, 1), date(2026, 3, 1)))
    # AND 孙新 joined on 10 May 2026 and paid nothing
    owing = arrears_of(tree_database)
    assert set(owing) == {w["赵敏"], w["孙新"]}
    assert owing[w["赵敏"]].months == tuple(months(date(2026, 4, 1), date(2026, 10, 1)))
    assert owing[w["赵敏"]].total_fen is None and owing[w["赵敏"]].run == 7
    # THEN a member who joined this year owes from the month of joining
    assert owing[w["孙新"]].months == tuple(months(date(2026, 5, 1), date(2026, 10, 1)))
    # AND on 31 October (October in progress) one month less
    assert arrears_of(tree_database, date(2026, 10, 31))[w["孙新"]].run == 5


def test_without_a_base_nothing_is_owed_before_the_member_came_into_the_records(tree_database, world):
    w = world
    hide_dues(tree_database, w["张建国"], w["李秀英"], w["孙新"])
    with tree_database.unit_of_work() as session:
        session.execute(update(Member).where(Member.id == w["赵敏"]).values(created_at=datetime(2026, 8, 15, 9)))
    assert arrears_of(tree_database)[w["赵敏"]].months == (date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1))
    with tree_database.unit_of_work() as session:
        session.execute(update(Member).where(Member.id == w["赵敏"]).values(created_at=datetime(2026, 11, 2, 9)))
    assert w["赵敏"] not in arrears_of(tree_database)


def test_dues_lines_per_branch_and_the_six_month_line(tree_database, world):
    w = world
    with tree_database.unit_of_work() as session:
        er.set_dues_base(session, w["张建国"], date(2026, 1, 1), dues_rules.WORKING, base_fen=450_000)
    pay(tree_database, w["张建国"], *months(date(2026, 1, 1), date(2026, 7, 1)), fen=4500)
    pay(tree_database, w["李秀英"], *months(date(2026, 1, 1), date(2026, 10, 1)))
    pay(tree_database, w["赵敏"], *months(date(2026, 1, 1), date(2026, 9, 1)))
    found = lines(tree_database, area="dues")
    # 孙新: May–October unpaid, six months in a row
    assert [(a.level, a.member_id) for a in found if a.level == 0] == [(0, w["孙新"])]
    assert found[0].text.startswith("党员孙新（第一网格党支部）已连续 6 个月未交纳党费（2026年5月起），达到党章第九条")
    branch_lines = [(a.text, a.level, a.org_id) for a in found if a.level]
    assert branch_lines == [
        ("第一网格党支部：孙新、张建国欠缴党费，共 9 个月，其中已设党费基数的 1 名合计 135.00 元"
         "（1 名未设党费基数，按今年未交的月份计）。", 1, w["grid1"]),
        # 赵敏 owes only October: the usual lag, information
        ("第二网格党支部：赵敏欠缴党费，共 1 个月（均未设党费基数，按今年未交的月份计）。", 2, w["grid2"]),
    ]


def test_the_six_month_line_skips_cases_in_hand(tree_database, world):
    w = world
    hide_dues(tree_database, w["张建国"], w["李秀英"], w["赵敏"])
    with tree_database.unit_of_work() as session:
        session.execute(update(Member).where(Member.id == w["孙新"]).values(standing="停止党籍"))
    assert not [a for a in lines(tree_database, area="dues") if a.level == 0]
    with tree_database.unit_of_work() as session:
        session.execute(update(Member).where(Member.id == w["孙新"]).values(standing="正常", lost_contact=True))
    assert not [a for a in lines(tree_database, area="dues") if a.level == 0]
    # the branch line still counts the member
    assert "孙新" in texts(tree_database, "dues")[0]


def test_a_floating_member_to_contact_is_not_listed_twice(tree_database, world):
    w = world
    hide_dues(tree_database, w["张建国"], w["李秀英"], w["孙新"])
    pay(tree_database, w["赵敏"], *months(date(2025, 1, 1), date(2026, 3, 1)))
    assert [a.member_id for a in lines(tree_database, area="dues") if a.level == 0] == [w["赵敏"]]
    # WHEN 赵敏 is registered as away since March and has not been reached
    register(tree_database, w["赵敏"], TRIP)
    everything = lines(tree_database)
    # THEN the 流动党员之家's line is the one shown
    assert [a.area for a in everything if a.member_id == w["赵敏"]] == ["floating"]


def test_no_dues_recorded_at_all_means_no_dues_lines(tree_database, world):
    # nobody has paid anything and no base is set: the office does not keep dues here
    assert lines(tree_database, area="dues") == []
    pay(tree_database, world["张建国"], date(2026, 10, 1))
    assert [a.member_id for a in lines(tree_database, area="dues") if a.level == 0] == [
        world["李秀英"], world["赵敏"], world["孙新"]]  # ten, ten and six months in a row


def test_many_six_month_cases_are_summed_up(tree_database, world):
    grid2 = world["grid2"]
    pay(tree_database, world["张建国"], date(2026, 10, 1))
    with tree_database.unit_of_work() as session:
        for n in range(workbench.LISTED_LAPSES + 2):
            add_member(session, grid2, "欠费" + "甲乙丙丁戊己庚辛壬癸"[n], 6 + n)
    found = [a for a in lines(tree_database, area="dues") if a.level == 0]
    # the ten new ones, 孙新 (since May) and two more who never paid this year: 13 in all
    assert len(found) == workbench.LISTED_LAPSES + 1
    assert found[-1].text == f"另有 {13 - workbench.LISTED_LAPSES} 名党员已连续六个月以上未交纳党费，请逐一核实处理。"


def test_members_with_no_branch_above_are_the_committees_own(tree_database, world):
    with tree_database.unit_of_work() as session:
        staff = add_member(session, world["root"], "钱主任", 6)
        er.save_note(session, world["张建国"], 2026, er.Q3, "按时参加组织生活。", today=TODAY)
    hide_dues(tree_database, world["张建国"], world["李秀英"], world["孙新"], world["赵敏"])
    summaries = [a for a in lines(tree_database, area="evaluation") if "小结" in a.text]
    assert (summaries[-1].text, summaries[-1].org_id) == ("幸福里社区党委直属：钱主任尚未填写 2026 年第三季度小结。", None)
    (lapse,) = [a for a in lines(tree_database, area="dues") if a.member_id == staff]
    assert lapse.text.startswith("党员钱主任（幸福里社区党委）已连续 10 个月未交纳党费")


def test_the_dues_lines_can_come_afterwards(tree_database, world):
    """``summary(dues=False)`` (the GUI's first paint) has every line but the 党费 ones; ``dues_lines`` gives
    exactly those ``summary()`` has, and ``with_dues`` puts them where ``summary()`` does."""
    w = world
    with tree_database.unit_of_work() as session:
        er.set_dues_base(session, w["张建国"], date(2026, 1, 1), dues_rules.WORKING, base_fen=450_000)
        settings.set_value(session, "operator_name", "")  # a settings line: information, after the dues'
    pay(tree_database, w["张建国"], *months(date(2026, 1, 1), date(2026, 7, 1)), fen=4500)
    pay(tree_database, w["李秀英"], *months(date(2026, 1, 1), date(2026, 10, 1)))
    pay(tree_database, w["赵敏"], *months(date(2026, 1, 1), date(2026, 9, 1)))
    with tree_database.read() as session:
        full = workbench.summary(session, TODAY)
        first = workbench.summary(session, TODAY, dues=False)
        later = workbench.dues_lines(session, TODAY, first.dues)
    assert full.dues_included and not first.dues_included
    dues = [a for a in full.attention if a.area == "dues"]
    assert {a.level for a in dues} == {0, 1, 2}  # one of each level: each goes to its place
    assert later == dues
    assert first.attention == [a for a in full.attention if a.area != "dues"]
    assert workbench.with_dues(first.attention, later) == full.attention
    # the information lines: the dues' before the settings'
    assert [a.area for a in full.attention if a.level == 2][-2:] == ["dues", "settings"]
    # everything but the lines is the same
    assert (first.member_figures, first.org_counts, first.community_name) == (
        full.member_figures, full.org_counts, full.community_name)
