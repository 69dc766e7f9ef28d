"""The year's 民主评议 and 星级评定 stored: participants, grades, scores, scheme changes, stars, approval."""

from __future__ import annotations

import random
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select

from app import audit, members, orgs
from app import evaluation_year as ey
from app.errors import AppError, ValidationError
from app.evaluation import (
    DEFAULT_SCHEME,
    EVALUATORS,
    Criterion,
    score_from_tenths,
    total,
)
from app.idcard import check_code
from app.members import MemberInput
from db.models import EvaluationScore, Member
from tests.conftest import TODAY

YEAR = 2025
ROOT = "幸福里社区党委"
BRANCH1 = "幸福里社区党委/第一网格党支部"
GROUP1 = "幸福里社区党委/第一网格党支部/1号楼党小组"
BRANCH2 = "幸福里社区党委/第二网格党支部"
DECIDED = date(2025, 12, 20)
CELLS = DEFAULT_SCHEME.cells()
NAMES = ("安志强 白玉兰 陈建国 邓丽华 范明 高峰 韩雪 黄海 金涛 孔亮 李娜 马超 倪红 欧阳明 潘越 钱进 任静 宋涛 唐敏 王磊"
         " 吴芳 谢军 杨柳 赵刚 周平").split()


def make_id(birth: str, seq: int) -> str:
    first17 = f"110105{birth}{seq:03d}"
    return first17 + check_code(first17)


@pytest.fixture
def org(tree_database):
    with tree_database.read() as session:
        return {path: orgs.find_by_path(session, path).id for path in (ROOT, BRANCH1, GROUP1, BRANCH2)}


class Community:
    """Members added through app.members, the year opened, and small helpers for the tests."""

    def __init__(self, database, org):
        self.db, self.org, self.seq = database, org, 0
        with database.unit_of_work() as session:
            ey.open_year(session, YEAR, today=TODAY)

    def add(self, name: str, path: str = BRANCH1, *, joined=date(1995, 7, 1), confirmed=date(1996, 7, 1),
            category="正式党员") -> int:
        self.seq += 1
        data = MemberInput(name=name, id_number=make_id("19700301", self.seq), org_id=self.org[path],
                           joined_on=joined, category=category, confirmed_on=confirmed)
        with self.db.unit_of_work() as session:
            member_id, _ = members.create(session, data, today=TODAY)
        return member_id

    def run(self, call):
        with self.db.unit_of_work() as session:
            return call(session)

    def read(self, call):
        with self.db.read() as session:
            return call(session)

    def fill(self, member_id: int, value, cells=CELLS) -> None:
        self.run(lambda s: ey.set_scores(s, YEAR, [(member_id, c, e, value) for c, e in cells]))

    def grade(self, member_id: int, grade: str | None):
        return self.run(lambda s: ey.set_grade(s, YEAR, member_id, grade, DECIDED, today=TODAY))

    def row(self, member_id: int) -> ey.GridRow:
        return self.read(lambda s: ey.grid_row(s, YEAR, member_id))

    def grid(self) -> ey.Grid:
        return self.read(lambda s: ey.grid(s, YEAR))

    def log(self) -> list[audit.LogEntry]:
        return self.read(lambda s: audit.entries(s, ey.AUDIT_AREA, YEAR))

    def scores_stored(self) -> int:
        return self.read(lambda s: s.scalar(select(func.count()).select_from(EvaluationScore)))


@pytest.fixture
def town(tree_database, org) -> Community:
    return Community(tree_database, org)


def refused(town: Community, call, error=ValidationError):
    with pytest.raises(error) as caught:
        town.run(call)
    return caught.value


# ---------------------------------------------------------------- the year


def test_open_year_creates_the_default_scheme_once_and_refuses_the_future(tree_database):
    with tree_database.unit_of_work() as session:
        row = ey.open_year(session, YEAR, today=TODAY)
        assert ey.scheme(session, YEAR) == DEFAULT_SCHEME
        assert row.approved_on is None
        assert ey.open_year(session, YEAR, today=TODAY) is row
    with tree_database.read() as session:
        assert [e.action for e in audit.entries(session, "evaluation", YEAR)] == ["开始年度评定"]
        assert ey.open_year(session, TODAY.year, today=TODAY).year == TODAY.year  # the current year is fine
    with pytest.raises(ValidationError, match="2027 年还没有到"), tree_database.unit_of_work() as session:
        ey.open_year(session, 2027, today=TODAY)
    with pytest.raises(AppError, match="请先打开"), tree_database.read() as session:
        ey.grid(session, 2024)


# ---------------------------------------------------------------- participants


def test_participants_in_tree_order_with_year_end_category_and_marks(tree_database, org, town):
    # GIVEN members in two branches, a 党小组 and the 党委 itself; one joined in 2025 (confirmed in 2026),
    # one joined in 2025 and is still 预备, one left in 2025, one left in 2024, one joined in 2026
    zhang = town.add("张伟", BRANCH1)
    an_group = town.add("安志强", GROUP1)
    bai = town.add("白玉兰", BRANCH1)
    an2 = town.add("安红", BRANCH2)
    root = town.add("陈建国", ROOT)
    joined = town.add("邓丽华", BRANCH2, joined=date(2025, 3, 1), confirmed=date(2026, 3, 1))
    probation = town.add("范明", BRANCH2, joined=date(2025, 12, 1), category="预备党员", confirmed=None)
    left = town.add("高峰", BRANCH1)
    gone = town.add("韩雪", BRANCH1)
    late = town.add("黄海", BRANCH1, joined=date(2026, 2, 1), category="预备党员", confirmed=None)
    with tree_database.unit_of_work() as session:
        members.leave(session, left, "转出", date(2025, 6, 30), "工作调动", transferred_to="某街道党工委",
                      today=TODAY)
        members.leave(session, gone, "转出", date(2024, 12, 31), "工作调动", transferred_to="某街道党工委",
                      today=TODAY)

    # WHEN the year's participants are listed
    people = town.read(lambda s: ey.participants(s, YEAR))
    by_id = {p.member_id: p for p in people}

    # THEN: tree order (党委, 第一网格 and its 党小组, 第二网格), by pinyin within an organisation
    assert [p.member_id for p in people] == [root, bai, left, zhang, an_group, an2, joined, probation]
    assert gone not in by_id and late not in by_id
    # the one who left in the year is kept and marked
    assert by_id[left].left_in_year and by_id[left].status == "转出" and "2025-06-30转出" in by_id[left].mark
    # joined in 2025, confirmed in 2026: 预备党员 for 2025, rated not graded
    assert by_id[joined].category == "预备党员" and by_id[joined].joined_in_year and not by_id[joined].graded
    assert "年内入党" in by_id[joined].mark
    assert by_id[probation].category == "预备党员"
    assert by_id[zhang].category == "正式党员" and by_id[zhang].graded and by_id[zhang].mark == ""
    # the branch holds the 评议: a 党小组's member counts with the branch; the 党委's with 全社区
    assert by_id[an_group].branch_id == org[BRANCH1] and by_id[an_group].branch_name == "第一网格党支部"
    assert by_id[root].branch_id is None and by_id[root].branch_name == ey.COMMUNITY
    # for 2026 the one who joined in 2026 takes part, the one who left in 2025 not
    ids_2026 = {p.member_id for p in town.read(lambda s: ey.participants(s, 2026))}
    assert late in ids_2026 and left not in ids_2026 and by_id[joined].member_id in ids_2026


# ---------------------------------------------------------------- 民主评议


def test_a_probationary_member_is_not_graded_but_rated(town):
    joined = town.add("邓丽华", BRANCH2, joined=date(2025, 3, 1), confirmed=date(2026, 3, 1))
    error = refused(town, lambda s: ey.set_grade(s, YEAR, joined, "合格", DECIDED, today=TODAY))
    assert error.errors["grade"] == "预备党员不参加民主评议，不评定等次。"
    town.fill(joined, 18)
    row = town.row(joined)
    assert row.result.total == Decimal("90.0") and row.final_stars == 5 and row.capped_by is None
    assert row.grade is None and "预备党员" in row.star_reason


def test_grade_needs_a_valid_decision_date_and_a_participant(town):
    member = town.add("张伟")
    error = refused(town, lambda s: ey.set_grade(s, YEAR, member, "合格", None, today=TODAY))
    assert "decided_on" in error.errors
    error = refused(town, lambda s: ey.set_grade(s, YEAR, member, "合格", date(2024, 12, 1), today=TODAY))
    assert "不能早于 2025 年 1 月 1 日" in error.errors["decided_on"]
    error = refused(town, lambda s: ey.set_grade(s, YEAR, member, "良好", DECIDED, today=TODAY))
    assert "优秀、合格、基本合格、不合格" in error.errors["grade"]
    late = town.add("黄海", joined=date(2026, 2, 1), category="预备党员", confirmed=None)
    error = refused(town, lambda s: ey.set_grade(s, YEAR, late, None, None, today=TODAY))
    assert "2025 年度不在册" in str(error)

    assert town.grade(member, "合格").evaluation
    assert town.grade(member, "合格").any is False  # unchanged: nothing to refresh
    assert town.row(member).grade == "合格" and town.row(member).grade_decided_on == DECIDED
    assert town.grade(member, None).evaluation
    assert town.row(member).grade is None
    assert [e.detail for e in town.log() if e.action == "民主评议"] == [
        "张伟：未评定 → 合格（2025-12-20）", "张伟：合格 → 未评定"]


def test_excellent_at_most_one_third_of_the_branch_at_the_boundaries(town):
    # GIVEN ten 正式党员 in 第一网格 (three of them in its 党小组) all graded 合格
    ten = [town.add(NAMES[i], GROUP1 if i < 3 else BRANCH1) for i in range(10)]
    for member in ten:
        town.grade(member, "合格")
    # WHEN three become 优秀: 3 of 10 is allowed
    for member in ten[:3]:
        town.grade(member, "优秀")
    # THEN a fourth is refused with the figures and the branch
    error = refused(town, lambda s: ey.set_grade(s, YEAR, ten[3], "优秀", DECIDED, today=TODAY))
    assert error.errors["grade"] == "第一网格党支部：优秀 4 人，超过参评 10 人的三分之一（最多 3 人）。"
    # one ungraded leaves 3 of 9: still allowed
    town.grade(ten[9], None)
    # a second would leave 3 of 8 (at most 2): refused
    error = refused(town, lambda s: ey.set_grade(s, YEAR, ten[8], None, None, today=TODAY))
    assert "优秀 3 人，超过参评 8 人的三分之一（最多 2 人）" in error.errors["grade"]
    # another branch counts on its own: 1 of 3 in 第二网格 is fine while 第一网格 is full
    others = [town.add(NAMES[10 + i], BRANCH2) for i in range(3)]
    for member in others[1:]:
        town.grade(member, "合格")
    town.grade(others[0], "优秀")
    # with fewer than three graded no 优秀 at all
    pair = [town.add(NAMES[13 + i], ROOT) for i in range(2)]
    town.grade(pair[0], "合格")
    error = refused(town, lambda s: ey.set_grade(s, YEAR, pair[1], "优秀", DECIDED, today=TODAY))
    assert error.errors["grade"].startswith("全社区：优秀 1 人，超过参评 2 人的三分之一（最多 0 人）")


def test_a_branch_grades_several_members_at_once_with_one_decision_date(town):
    # GIVEN six 正式党员 in 第一网格 and a 预备党员
    six = [town.add(NAMES[i]) for i in range(6)]
    probationer = town.add(NAMES[6], joined=date(2025, 3, 1), confirmed=None, category="预备党员")
    # WHEN the branch meeting grades all six at once, two of them 优秀 (2 of 6 = one third)
    grades = {m: "合格" for m in six} | {six[0]: "优秀", six[1]: "优秀"}
    town.run(lambda s: ey.set_grades(s, YEAR, grades, DECIDED, today=TODAY))
    # THEN every grade is stored with the one date, and the year's history has one entry for the block
    rows = town.read(lambda s: {r.member_id: (r.grade, r.grade_decided_on) for r in ey.grid(s, YEAR).rows})
    assert [rows[m] for m in six] == [("优秀", DECIDED)] * 2 + [("合格", DECIDED)] * 4
    log = town.read(lambda s: audit.entries(s, "evaluation", YEAR))
    assert [e.action for e in log].count("民主评议") == 1
    # a block making it three of six is refused whole, naming the branch and the figures
    error = refused(town, lambda s: ey.set_grades(s, YEAR, {six[2]: "优秀", six[3]: "基本合格"}, DECIDED,
                                                  today=TODAY))
    assert error.errors["grade"] == "第一网格党支部：优秀 3 人，超过参评 6 人的三分之一（最多 2 人）。"
    assert town.read(lambda s: ey.grid_row(s, YEAR, six[3]).grade) == "合格"
    # a 预备党员 in the block refuses it by name; a date in the future or none at all is refused
    error = refused(town, lambda s: ey.set_grades(s, YEAR, {probationer: "合格"}, DECIDED, today=TODAY))
    assert error.errors["grade"].startswith(f"{NAMES[6]}：预备党员不参加民主评议")
    error = refused(town, lambda s: ey.set_grades(s, YEAR, {six[2]: "合格"}, None, today=TODAY))
    assert "decided_on" in error.errors
    # clearing grades needs no date (an 优秀 with a 合格 leaves 1 of 4); clearing two 合格 would leave
    # 2 of 4 优秀 and is refused
    refused(town, lambda s: ey.set_grades(s, YEAR, {six[4]: None, six[5]: None}, None, today=TODAY))
    town.run(lambda s: ey.set_grades(s, YEAR, {six[0]: None, six[5]: None}, None, today=TODAY))
    assert town.read(lambda s: ey.grid_row(s, YEAR, six[5]).grade) is None


# ---------------------------------------------------------------- scores


def test_scores_above_the_maximum_or_negative_are_refused(town):
    member = town.add("张伟")
    error = refused(town, lambda s: ey.set_scores(s, YEAR, [(member, "政治素质", "个人自评", "21")]))
    assert error.errors == {f"{member}/政治素质/个人自评": "张伟（政治素质·个人自评）：“政治素质”满分 20 分，分数不能超过 20 分。"}
    error = refused(town, lambda s: ey.set_scores(s, YEAR, [(member, "政治素质", "个人自评", Decimal("-1"))]))
    assert "分数不能为负数" in str(error)
    error = refused(town, lambda s: ey.set_scores(s, YEAR, [(member, "政治素质", "个人自评", "18.55")]))
    assert "最多一位小数" in str(error)
    assert town.scores_stored() == 0

    town.run(lambda s: ey.set_scores(s, YEAR, [(member, "政治素质", "个人自评", "１８.5分"),
                                                (member, "政治素质", "党员互评", Decimal("20")),
                                                (member, "学习教育", "个人自评", 0)]))
    assert town.row(member).scores == {("政治素质", "个人自评"): 185, ("政治素质", "党员互评"): 200,
                                       ("学习教育", "个人自评"): 0}
    # None and blank text clear a cell
    town.run(lambda s: ey.set_scores(s, YEAR, [(member, "政治素质", "个人自评", None),
                                                (member, "学习教育", "个人自评", "  ")]))
    assert town.row(member).scores == {("政治素质", "党员互评"): 200}
    score_log = [e.detail for e in town.log() if e.action == "评分"]
    assert score_log[-1] == "张伟（政治素质·个人自评） 18.5 → 空；张伟（学习教育·个人自评） 0.0 → 空"


def test_a_pasted_block_with_a_bad_cell_is_refused_whole_naming_each_cell(town):
    zhang, li, wang = town.add("张伟"), town.add("李娜"), town.add("王磊", BRANCH2)
    outsider = town.add("黄海", joined=date(2026, 2, 1), category="预备党员", confirmed=None)
    town.fill(wang, 10)
    block = [(zhang, "政治素质", "个人自评", "18"), (zhang, "政治素质", "党员互评", "良好"),
             (li, "政治素质", "个人自评", "19"), (li, "政治素质", "党员互评", "25"),
             (wang, "政治素质", "个人自评", "20"), (outsider, "政治素质", "个人自评", "20"),
             (li, "评分外", "个人自评", "1")]
    before = town.scores_stored()
    with pytest.raises(ey.ScoreErrors) as caught, town.db.unit_of_work() as session:
        ey.set_scores(session, YEAR, block)
    error = caught.value
    assert set(error.cells) == {(zhang, "政治素质", "党员互评"), (li, "政治素质", "党员互评"),
                                (outsider, "政治素质", "个人自评"), (li, "评分外", "个人自评")}
    assert error.cells[(zhang, "政治素质", "党员互评")].startswith("张伟（政治素质·党员互评）：分数“良好”不是数字")
    assert error.cells[(li, "政治素质", "党员互评")].startswith("李娜（政治素质·党员互评）：“政治素质”满分 20 分")
    assert "黄海（政治素质·个人自评）：不是 2025 年度的参评党员" in str(error)
    assert "“评分外”不是本年度评定方案中的评分项" in str(error)
    # nothing of the block was stored, the good cells included
    assert town.scores_stored() == before
    assert town.row(wang).scores[("政治素质", "个人自评")] == 100
    # the same check is available before saving
    assert set(town.read(lambda s: ey.check_scores(s, YEAR, block))) == set(error.cells)


def test_a_zero_weight_evaluator_takes_no_scores(town):
    member = town.add("张伟")
    zero_public = replace(DEFAULT_SCHEME, weights={"个人自评": 20, "党员互评": 30, "群众测评": 0, "支部评定": 50})
    town.run(lambda s: ey.set_scheme(s, YEAR, zero_public))
    error = refused(town, lambda s: ey.set_scores(s, YEAR, [(member, "政治素质", "群众测评", "10")]))
    assert "“群众测评”的权重为 0" in str(error)


# ---------------------------------------------------------------- totals and stars


def test_totals_stars_caps_and_incomplete_rows(town):
    five, capped, basic, partial = town.add("张伟"), town.add("李娜"), town.add("王磊"), town.add("赵刚")
    for member in (five, capped, basic):
        town.fill(member, 18)  # 18 of 20 in every cell: total 90.0
    town.fill(partial, 18, CELLS[:-1])
    town.grade(five, "合格")
    town.grade(capped, "不合格")
    town.grade(basic, "基本合格")
    rows = {r.member_id: r for r in town.grid().rows}

    assert rows[five].result.total == Decimal("90.0") and rows[five].final_stars == 5
    assert rows[capped].stars_by_total == 5 and rows[capped].computed_stars == 1
    assert rows[capped].capped_by == "不合格" and rows[capped].final_stars == 1
    assert rows[basic].final_stars == 3 and "最高评为三星" in rows[basic].star_reason
    assert not rows[partial].result.complete and rows[partial].final_stars is None
    assert rows[partial].result.missing == (CELLS[-1],)
    assert rows[partial].star_reason.startswith("尚有 1 项未评分")


def test_the_grid_totals_are_those_of_app_evaluation_total(town):
    member = town.add("张伟")
    rng = random.Random(7)
    for _ in range(200):
        cells = {cell: rng.randint(0, 200) for cell in CELLS if rng.random() < 0.9}
        ours = ey._fast_total(CELLS, [DEFAULT_SCHEME.weight(e) for _, e in CELLS], cells)
        theirs = total(DEFAULT_SCHEME, {cell: score_from_tenths(v) for cell, v in cells.items()})
        assert ours == theirs
    # and at the edge: 89.95 rounds half up to 90.0 (五星)
    town.fill(member, 18)
    town.run(lambda s: ey.set_scores(s, YEAR, [(member, "政治素质", "个人自评", "17.9"),
                                                (member, "政治素质", "群众测评", "17.9"),
                                                (member, "政治素质", "党员互评", "18.1"),
                                                (member, "学习教育", "个人自评", "17.9"),
                                                (member, "学习教育", "群众测评", "17.9")]))
    # Σ w·s = 90 − 0.2·0.1 − 0.2·0.1 + 0.3·0.1 − 0.2·0.1 − 0.2·0.1 = 89.95 → 90.0
    row = town.row(member)
    assert row.result.total == Decimal("90.0") and row.final_stars == 5


def test_star_adjustment_needs_a_reason_obeys_the_cap_and_is_kept(town):
    member, failed = town.add("张伟"), town.add("李娜")
    town.fill(member, 16)  # 80.0: 四星
    town.fill(failed, 16)
    town.grade(failed, "不合格")
    error = refused(town, lambda s: ey.adjust_stars(s, YEAR, member, 5, "  "))
    assert error.errors == {"reason": "请填写调整星级的原因。"}
    error = refused(town, lambda s: ey.adjust_stars(s, YEAR, member, 6, "事迹突出"))
    assert error.errors == {"stars": "星级应为 1 到 5 星。"}
    error = refused(town, lambda s: ey.adjust_stars(s, YEAR, failed, 2, "表现有改进"))
    assert error.errors["stars"] == "民主评议为不合格，最高评为一星，不能调整为二星。"

    town.run(lambda s: ey.adjust_stars(s, YEAR, member, 5, "抗洪抢险事迹突出"))
    row = town.row(member)
    assert (row.computed_stars, row.adjustment, row.final_stars) == (4, 5, 5)
    assert row.adjustment_reason == "抗洪抢险事迹突出" and "支部调整为五星" in row.star_reason
    # a grade given later still caps the adjusted stars
    town.grade(member, "基本合格")
    assert town.row(member).final_stars == 3
    town.grade(member, "合格")
    # removed
    town.run(lambda s: ey.adjust_stars(s, YEAR, member, None, "撤销"))
    assert town.row(member).adjustment is None and town.row(member).final_stars == 4
    actions = [(e.action, e.operator) for e in town.log() if "星级" in e.action]
    assert actions == [("调整星级", "社区党委办公室"), ("撤销星级调整", "社区党委办公室")]


# ---------------------------------------------------------------- scheme changes


def test_a_scheme_changed_after_scores_keeps_them_and_recomputes_totals(town):
    member = town.add("张伟")
    town.fill(member, 18)
    assert town.row(member).result.total == Decimal("90.0")
    stored = town.scores_stored()

    # WHEN 服务奉献 is dropped and its 20 points go to the other four (25 each)
    four = replace(DEFAULT_SCHEME, criteria=tuple(Criterion(c.name, 25) for c in DEFAULT_SCHEME.criteria[:4]))
    report, changes = town.run(lambda s: ey.set_scheme(s, YEAR, four))

    # THEN the scores stay, those of 服务奉献 no longer count, and the total is recomputed: 4 × 18 = 72
    assert changes.evaluation
    assert town.scores_stored() == stored
    assert report.uncounted == {("服务奉献", e): 1 for e in EVALUATORS}
    grid = town.grid()
    assert grid.scheme == four and grid.uncounted == report.uncounted
    assert grid.rows[0].result.total == Decimal("72.0") and grid.rows[0].final_stars == 3
    entry = [e for e in town.log() if e.action == "修改评定方案"][-1]
    assert entry.operator == "社区党委办公室"
    assert "评分项：政治素质 20 分、学习教育 20 分、组织生活 20 分、履职尽责 20 分、服务奉献 20 分 → " in entry.detail
    assert "保留但不计分：服务奉献 4 个" in entry.detail

    # putting 服务奉献 back counts its kept scores again
    town.run(lambda s: ey.set_scheme(s, YEAR, DEFAULT_SCHEME))
    assert town.row(member).result.total == Decimal("90.0")
    # the same scheme again changes nothing and logs nothing
    logged = len(town.log())
    _, changes = town.run(lambda s: ey.set_scheme(s, YEAR, DEFAULT_SCHEME))
    assert not changes.any and len(town.log()) == logged


def test_a_renamed_criterion_moves_its_scores_only_when_asked(town):
    member = town.add("张伟")
    town.fill(member, 18)
    renamed = replace(DEFAULT_SCHEME, criteria=tuple(
        Criterion("组织生活情况" if c.name == "组织生活" else c.name, c.points) for c in DEFAULT_SCHEME.criteria))
    report, _ = town.run(lambda s: ey.set_scheme(s, YEAR, renamed, renames={"组织生活": "组织生活情况"}))
    assert report.renamed == {"组织生活": "组织生活情况"} and report.moved == 4 and report.uncounted == {}
    row = town.row(member)
    assert row.result.total == Decimal("90.0") and row.scores[("组织生活情况", "支部评定")] == 180
    assert "改名：组织生活 → 组织生活情况（移动分数 4 个）" in town.log()[-1].detail

    error = refused(town, lambda s: ey.set_scheme(s, YEAR, DEFAULT_SCHEME, renames={"政治素质": "学习教育"}))
    assert "“政治素质”仍在新方案中" in error.errors["renames"]


def test_invalid_schemes_and_points_below_stored_scores_are_refused(town):
    member = town.add("张伟")
    town.fill(member, 18)
    bad = replace(DEFAULT_SCHEME, weights={"个人自评": 20, "党员互评": 30, "群众测评": 20, "支部评定": 20})
    error = refused(town, lambda s: ey.set_scheme(s, YEAR, bad))
    assert "合计应为 100%" in error.errors["weights"]
    lower = replace(DEFAULT_SCHEME, criteria=(Criterion("政治素质", 15), Criterion("学习教育", 25),
                                              *DEFAULT_SCHEME.criteria[2:]))
    error = refused(town, lambda s: ey.set_scheme(s, YEAR, lower))
    assert error.errors["criteria"] == "“政治素质”已有 4 个分数超过新的满分 15 分（最高 18.0 分），请先修改这些分数。"
    assert town.read(lambda s: ey.scheme(s, YEAR)) == DEFAULT_SCHEME


# ---------------------------------------------------------------- approval


def _scored_branch(town: Community) -> dict[str, int]:
    """Five members in tree order: 陈 (党委), 安 and 王 (第一网格), 白 (its 1号楼党小组), 李 (第二网格); scored, graded."""
    people = {"安志强": town.add("安志强"), "王磊": town.add("王磊"), "白玉兰": town.add("白玉兰", GROUP1),
              "李娜": town.add("李娜", BRANCH2), "陈建国": town.add("陈建国", ROOT)}
    values = {"安志强": 18, "王磊": 14, "白玉兰": 16, "李娜": 19, "陈建国": 17}  # 90, 70, 80, 95, 85
    for name, member in people.items():
        town.fill(member, values[name])
        town.grade(member, "合格")
    return people


def test_approve_refuses_incomplete_rows_and_missing_grades(town):
    people = _scored_branch(town)
    town.run(lambda s: ey.set_scores(s, YEAR, [(people["王磊"], "服务奉献", "支部评定", None)]))
    town.grade(people["李娜"], None)
    error = refused(town, lambda s: ey.approve(s, YEAR, today=TODAY))
    assert error.errors["scores"] == "尚有 1 人的评分不完整（王磊），不能批准。"
    assert error.errors["grades"] == "尚有 1 名正式党员未评定民主评议等次（李娜），不能批准。"
    assert not town.read(lambda s: ey.is_locked(s, YEAR))


def test_approve_numbers_in_tree_order_then_lock_unlock_and_reapprove(tree_database, town):
    people = _scored_branch(town)
    # a member who left in the year with 五星 is kept but neither required nor numbered
    # (and one who left in March, never scored nor graded, does not hold the approval up)
    left, early = town.add("高峰"), town.add("韩雪")
    town.fill(left, 19)
    with tree_database.unit_of_work() as session:
        members.leave(session, left, "转出", date(2025, 9, 1), "搬家", transferred_to="某社区党委", today=TODAY)
        members.leave(session, early, "死亡", date(2025, 3, 2), "", today=TODAY)
    # a joined-in-year 预备党员 is rated, not graded, and may be numbered
    joined = town.add("邓丽华", BRANCH2, joined=date(2025, 3, 1), confirmed=date(2026, 3, 1))
    town.fill(joined, 16)

    # WHEN the committee approves
    new, changes = town.run(lambda s: ey.approve(s, YEAR, today=date(2026, 1, 10)))

    # THEN numbers go in tree order to four stars and more (王磊 has 三星)
    assert changes.evaluation
    expected = {people["陈建国"]: "2025-0001", people["安志强"]: "2025-0002", people["白玉兰"]: "2025-0003",
                joined: "2025-0004", people["李娜"]: "2025-0005"}
    assert new == expected
    grid = town.grid()
    assert grid.locked and grid.approved_on == date(2026, 1, 10) and grid.approved_by == "社区党委办公室"
    assert {r.member_id: r.certificate for r in grid.rows if r.certificate} == expected
    marked = {r.member_id: r for r in grid.rows if r.participant.left_in_year}
    assert set(marked) == {left, early} and marked[left].final_stars == 5 and marked[left].certificate is None
    assert marked[early].participant.mark == "2025-03-02死亡" and not marked[early].result.complete

    # a locked year refuses every edit with the reason
    for call in (lambda s: ey.set_scores(s, YEAR, [(people["王磊"], "政治素质", "个人自评", "20")]),
                 lambda s: ey.set_grade(s, YEAR, people["王磊"], "优秀", DECIDED, today=TODAY),
                 lambda s: ey.adjust_stars(s, YEAR, people["王磊"], 4, "补正"),
                 lambda s: ey.set_scheme(s, YEAR, DEFAULT_SCHEME),
                 lambda s: ey.approve(s, YEAR, today=TODAY)):
        error = refused(town, call, ey.LockedError)
        assert str(error) == "2025 年度评定已批准（2026-01-10，社区党委办公室），已锁定；如需修改，请先解锁。"

    # unlocking needs a reason and is logged with the operator; numbers stay
    error = refused(town, lambda s: ey.unlock(s, YEAR, " "))
    assert error.errors == {"reason": "请填写解锁的原因。"}
    town.run(lambda s: ey.unlock(s, YEAR, "群众测评漏录两人"))
    entry = town.log()[-1]
    assert (entry.action, entry.operator) == ("解锁", "社区党委办公室")
    assert entry.detail == "原于 2026-01-10 由社区党委办公室批准；原因：群众测评漏录两人"
    assert not town.read(lambda s: ey.is_locked(s, YEAR))
    assert refused(town, lambda s: ey.unlock(s, YEAR, "再次"), AppError).args[0] == "2025 年度评定尚未批准，无需解锁。"

    # WHEN 安志强 drops to 三星 and 王磊 rises to 四星, and it is approved again
    town.fill(people["安志强"], 14)
    town.fill(people["王磊"], 17)
    new, _ = town.run(lambda s: ey.approve(s, YEAR, today=date(2026, 1, 20)))

    # THEN the old numbers are unchanged (安志强 keeps his), the new qualifier is appended
    assert new == {people["王磊"]: "2025-0006"}
    certificates = town.read(lambda s: ey.certificates(s, YEAR))
    assert [(n, m) for n, m, _ in certificates] == [(v, k) for k, v in expected.items()] + [
        ("2025-0006", people["王磊"])]
    assert dict((m, st) for _, m, st in certificates)[people["安志强"]] == 5  # the stars when given
    rows = {r.member_id: r for r in town.grid().rows}
    assert rows[people["安志强"]].final_stars == 3 and rows[people["安志强"]].certificate == "2025-0002"
    assert [e.action for e in town.log()][-2:] == ["评分", "批准"]
    assert "新颁发证书 1 个（2025-0006 至 2025-0006），证书共 6 个" in town.log()[-1].detail


def test_approve_refuses_a_branch_over_one_third(tree_database, org, town):
    # GIVEN 3 graded in 第一网格 with one 优秀, then a 合格 member moves away to 第二网格
    a, b, c = town.add("安志强"), town.add("白玉兰"), town.add("陈建国")
    for member in (a, b, c):
        town.fill(member, 16)
        town.grade(member, "合格")
    town.grade(a, "优秀")
    with tree_database.unit_of_work() as session:
        data = members.get(session, c).data
        members.update(session, c, replace(data, org_id=org[BRANCH2]), today=TODAY)
    # THEN a neutral change in the now-broken branch is allowed, approval is not
    town.grade(b, "基本合格")
    error = refused(town, lambda s: ey.approve(s, YEAR, today=TODAY))
    assert error.errors["excellent"] == "第一网格党支部：优秀 1 人，超过参评 2 人的三分之一（最多 0 人）。"


# ---------------------------------------------------------------- speed


def test_the_grid_of_3000_members_is_read_quickly(tree_database, org):
    with tree_database.unit_of_work() as session:
        ey.open_year(session, YEAR, today=TODAY)
        branch_ids = [org[BRANCH1], org[GROUP1], org[BRANCH2]]
        rows = [dict(org_id=branch_ids[i % 3], name=f"党员{i}", name_sort=f"dang yuan {i:05d}", sex="男",
                     id_number=f"X{i:017d}", id_reversed=f"{i:017d}X"[::-1], birth_date=date(1970, 1, 1),
                     category="正式党员", joined_on=date(1995, 7, 1), confirmed_on=date(1996, 7, 1))
                for i in range(3000)]
        session.execute(insert(Member), rows)
        ids = list(session.scalars(select(Member.id)))
        rng = random.Random(1)
        session.execute(insert(EvaluationScore), [
            dict(year=YEAR, member_id=m, criterion=c, evaluator=e, score_tenths=rng.randint(100, 200))
            for m in ids for c, e in CELLS])
    timings = []
    for _ in range(3):
        with tree_database.read() as session:
            start = time.perf_counter()
            grid = ey.grid(session, YEAR)
            timings.append(time.perf_counter() - start)
    assert len(grid.rows) == 3000 and all(r.result.complete for r in grid.rows)
    with tree_database.read() as session:
        start = time.perf_counter()
        ey.grid_row(session, YEAR, ids[1500])
        one = time.perf_counter() - start
    print(f"\ngrid of 3000 members: median {sorted(timings)[1] * 1000:.0f} ms; one row {one * 1000:.1f} ms")
