"""年度评定 rules: the scheme, scores and totals, stars and caps, the 支部评定 pre-fill, 民主评议 grades
and certificate numbers."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import ValidationError
from app.evaluation import (
    DEFAULT_SCHEME,
    EVALUATORS,
    GRADES,
    STAR_NAMES,
    BranchFacts,
    Criterion,
    Scheme,
    assign_certificates,
    check_excellent_share,
    check_score,
    excellent_limit,
    grade_errors,
    parse_score,
    prefill_branch_scores,
    qualifies_for_certificate,
    scheme_from_dict,
    scheme_to_dict,
    score_from_tenths,
    score_to_tenths,
    stars_for,
    total,
    validate_scheme,
)

D = Decimal
NAMES = [c.name for c in DEFAULT_SCHEME.criteria]


def all_cells(score, scheme: Scheme = DEFAULT_SCHEME) -> dict:
    return {(c.name, e): score for c in scheme.criteria for e in EVALUATORS}


def scheme_with(**changes) -> Scheme:
    values = {
        "criteria": DEFAULT_SCHEME.criteria,
        "weights": DEFAULT_SCHEME.weights,
        "thresholds": DEFAULT_SCHEME.thresholds,
        "caps": DEFAULT_SCHEME.caps,
        "certificate_min_stars": DEFAULT_SCHEME.certificate_min_stars,
    }
    values.update(changes)
    return Scheme(**values)


# ---- the default scheme and its validation -------------------------------------------------------


def test_default_scheme_is_the_one_in_the_domain_notes():
    assert validate_scheme(DEFAULT_SCHEME) == {}
    assert NAMES == ["政治素质", "学习教育", "组织生活", "履职尽责", "服务奉献"]
    assert all(c.points == 20 for c in DEFAULT_SCHEME.criteria)
    assert [DEFAULT_SCHEME.weight(e) for e in EVALUATORS] == [20, 30, 20, 30]
    assert DEFAULT_SCHEME.thresholds == ((90, 5), (80, 4), (70, 3), (60, 2))
    assert (DEFAULT_SCHEME.cap("不合格"), DEFAULT_SCHEME.cap("基本合格")) == (1, 3)
    assert DEFAULT_SCHEME.cap("合格") is None and DEFAULT_SCHEME.cap(None) is None
    assert DEFAULT_SCHEME.certificate_min_stars == 4
    assert GRADES == ("优秀", "合格", "基本合格", "不合格")
    assert EVALUATORS == ("个人自评", "党员互评", "群众测评", "支部评定")
    assert [STAR_NAMES[n] for n in range(1, 6)] == ["一星", "二星", "三星", "四星", "五星"]
    hash(DEFAULT_SCHEME)  # immutable all the way down


def test_weights_and_caps_may_be_given_as_dicts_in_any_order():
    scheme = scheme_with(
        weights={"支部评定": 30, "群众测评": 20, "党员互评": 30, "个人自评": 20},
        caps={"不合格": 1, "基本合格": 3},
    )
    assert scheme == DEFAULT_SCHEME


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"个人自评": 20, "党员互评": 30, "群众测评": 20, "支部评定": 20}, "合计应为 100%，当前为 90%"),
        ({"个人自评": 30, "党员互评": 30, "群众测评": 20, "支部评定": 30}, "合计应为 100%，当前为 110%"),
        ({"个人自评": 50, "党员互评": 50}, "缺少评价主体的权重：群众测评、支部评定"),
        (
            {"个人自评": -10, "党员互评": 50, "群众测评": 30, "支部评定": 30},
            "“个人自评”的权重应为 0 到 100 的整数",
        ),
        ({"个人自评": 20.5, "党员互评": 29.5, "群众测评": 20, "支部评定": 30}, "权重应为 0 到 100 的整数"),
        (
            {"个人自评": 20, "党员互评": 30, "群众测评": 20, "支部评定": 20, "上级评价": 10},
            "未知的评价主体：上级评价",
        ),
    ],
)
def test_weights_not_summing_to_100_or_malformed_are_refused(weights, message):
    errors = validate_scheme(scheme_with(weights=weights))
    assert set(errors) == {"weights"}
    assert message in errors["weights"]


def test_duplicate_evaluator_refused():
    pairs = (("个人自评", 20), ("个人自评", 10), ("党员互评", 20), ("群众测评", 20), ("支部评定", 30))
    assert "评价主体重复：个人自评" in validate_scheme(scheme_with(weights=pairs))["weights"]


def test_a_zero_weight_is_allowed():
    assert (
        validate_scheme(scheme_with(weights={"个人自评": 0, "党员互评": 40, "群众测评": 30, "支部评定": 30}))
        == {}
    )


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ((Criterion("政治素质", 30), Criterion("学习教育", 20)), "合计应为 100 分，当前为 50 分"),
        ((Criterion("政治素质", 50), Criterion("政治素质", 50)), "评分项名称重复：政治素质"),
        ((Criterion("  ", 50), Criterion("学习教育", 50)), "评分项名称不能为空"),
        ((Criterion("政治素质", 0), Criterion("学习教育", 100)), "“政治素质”的分值应为大于 0 的整数"),
        ((Criterion("政治素质", 50.0), Criterion("学习教育", 50)), "分值应为大于 0 的整数"),
        ((), "至少需要一个评分项"),
        ((Criterion("很" * 21, 100),), "最多 20 个字"),
    ],
)
def test_criteria_checked(criteria, message):
    errors = validate_scheme(scheme_with(criteria=criteria))
    assert set(errors) == {"criteria"}
    assert message in errors["criteria"]


def test_other_point_splits_are_fine():
    criteria = (Criterion("政治素质", 25), Criterion("组织生活", 30), Criterion("服务奉献", 45))
    assert validate_scheme(scheme_with(criteria=criteria)) == {}


@pytest.mark.parametrize(
    ("thresholds", "message"),
    [
        (((90, 5), (80, 4), (80, 3), (60, 2)), "依次降低"),
        (((80, 5), (90, 4), (70, 3), (60, 2)), "依次降低"),
        (((101, 5), (80, 4), (70, 3), (60, 2)), "0 到 100 的整数"),
        (((90, 5), (80, 4), (70, 3), (-1, 2)), "0 到 100 的整数"),
        (((90, 5), (80, 4), (70, 3)), "五星、四星、三星、二星"),
        (((60, 2), (70, 3), (80, 4), (90, 5)), "五星、四星、三星、二星"),
        (((90, 5), (80, 4), (70, 3), (60, 2), (50, 1)), "五星、四星、三星、二星"),
        (((89.5, 5), (80, 4), (70, 3), (60, 2)), "0 到 100 的整数"),
    ],
)
def test_thresholds_checked(thresholds, message):
    errors = validate_scheme(scheme_with(thresholds=thresholds))
    assert set(errors) == {"thresholds"}
    assert message in errors["thresholds"]


def test_thresholds_at_the_ends_of_the_range_are_fine():
    assert validate_scheme(scheme_with(thresholds=((100, 5), (80, 4), (70, 3), (0, 2)))) == {}


@pytest.mark.parametrize(
    ("caps", "message"),
    [
        ({"不及格": 1}, "未知的评议等次：不及格"),
        ({"不合格": 0}, "“不合格”的星级上限应为 1 到 5 星"),
        ({"基本合格": 6}, "星级上限应为 1 到 5 星"),
        ((("不合格", 1), ("不合格", 2)), "评议等次重复：不合格"),
    ],
)
def test_caps_checked(caps, message):
    errors = validate_scheme(scheme_with(caps=caps))
    assert set(errors) == {"caps"}
    assert message in errors["caps"]


@pytest.mark.parametrize("bad", [0, 6, True, "4"])
def test_certificate_threshold_checked(bad):
    assert set(validate_scheme(scheme_with(certificate_min_stars=bad))) == {"certificate_min_stars"}


def test_several_problems_of_one_field_are_joined():
    errors = validate_scheme(scheme_with(criteria=(Criterion("甲", 30), Criterion("甲", 30))))
    assert errors["criteria"] == "评分项名称重复：甲；各评分项分值合计应为 100 分，当前为 60 分。"


# ---- JSON round trip ----------------------------------------------------------------------------


def test_json_round_trip_of_the_default_scheme():
    data = scheme_to_dict(DEFAULT_SCHEME)
    text = json.dumps(data, ensure_ascii=False)
    assert scheme_from_dict(json.loads(text)) == DEFAULT_SCHEME
    assert data["weights"] == {"个人自评": 20, "党员互评": 30, "群众测评": 20, "支部评定": 30}
    assert data["thresholds"][0] == {"min_total": 90, "stars": 5}
    assert data["version"] == 1


def test_json_round_trip_of_a_changed_scheme():
    scheme = Scheme(
        criteria=(Criterion("政治素质", 25), Criterion("组织生活情况", 35), Criterion("服务奉献", 40)),
        weights={"个人自评": 10, "党员互评": 30, "群众测评": 0, "支部评定": 60},
        thresholds=((95, 5), (85, 4), (75, 3), (65, 2)),
        caps={"合格": 4, "不合格": 1},
        certificate_min_stars=5,
    )
    assert validate_scheme(scheme) == {}
    again = scheme_from_dict(json.loads(json.dumps(scheme_to_dict(scheme))))
    assert again == scheme
    assert scheme_to_dict(again) == scheme_to_dict(scheme)


def test_stored_scheme_that_is_invalid_or_malformed_is_refused():
    data = scheme_to_dict(DEFAULT_SCHEME)
    data["weights"]["支部评定"] = 20
    with pytest.raises(ValidationError) as info:
        scheme_from_dict(data)
    assert "weights" in info.value.errors
    for broken in (
        {},
        {"criteria": [{"name": "政治素质"}]},
        {"criteria": "x", "weights": {}, "thresholds": []},
        [],
    ):
        with pytest.raises(ValidationError, match="评定方案的数据不完整或格式不对"):
            scheme_from_dict(broken)
    with pytest.raises(ValidationError, match="比本程序新"):
        scheme_from_dict({**scheme_to_dict(DEFAULT_SCHEME), "version": 2})


# ---- scores -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("18", D("18.0")),
        ("18.5", D("18.5")),
        ("１８", D("18.0")),
        ("１８．５", D("18.5")),
        (" 18.5分 ", D("18.5")),
        ("18。5", D("18.5")),
        ("18.50", D("18.5")),  # the value has one decimal
        ("0", D("0.0")),
        ("20", D("20.0")),
        (".5", D("0.5")),
        (17, D("17.0")),
        (D("19.9"), D("19.9")),
        (18.5, D("18.5")),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_scores_accepted(raw, expected):
    assert check_score(DEFAULT_SCHEME, "政治素质", raw) is None
    assert parse_score(DEFAULT_SCHEME, "政治素质", raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("20.1", "“政治素质”满分 20 分，分数不能超过 20 分。"),
        ("21", "满分 20 分"),
        (D("20.01"), "分数最多一位小数。"),
        ("-1", "分数不能为负数。"),
        ("－0.5", "分数不能为负数。"),
        ("-0.1", "分数不能为负数。"),
        ("18.55", "分数最多一位小数。"),
        ("0.05", "分数最多一位小数。"),
        (18.25, "分数最多一位小数。"),
        ("abc", "分数“abc”不是数字，请填写如 18 或 18.5 的分数。"),
        ("1e1", "不是数字"),
        ("18.5.1", "不是数字"),
        ("NaN", "不是数字"),
        (D("NaN"), "分数不是数字。"),
        ("+18", "不是数字"),
        (True, "分数不是数字。"),
        ([18], "分数不是数字。"),
    ],
)
def test_scores_refused(raw, message):
    assert message in check_score(DEFAULT_SCHEME, "政治素质", raw)
    with pytest.raises(ValidationError) as info:
        parse_score(DEFAULT_SCHEME, "政治素质", raw, field="cell")
    assert set(info.value.errors) == {"cell"}


def test_scores_as_stored_tenths():
    assert (
        score_to_tenths(D("18.5")) == 185 and score_to_tenths(D("20")) == 200 and score_to_tenths(D("0")) == 0
    )
    assert score_from_tenths(185) == D("18.5") and str(score_from_tenths(180)) == "18.0"
    assert score_from_tenths(score_to_tenths(D("0.1"))) == D("0.1")
    with pytest.raises(ValueError, match="最多一位小数"):
        score_to_tenths(D("18.55"))


def test_the_maximum_is_the_criterions_own_points():
    scheme = scheme_with(criteria=(Criterion("政治素质", 30), Criterion("服务奉献", 70)))
    assert check_score(scheme, "政治素质", "30") is None
    assert "满分 30 分" in check_score(scheme, "政治素质", "30.1")
    assert check_score(scheme, scheme.criteria[1], "70") is None
    with pytest.raises(ValueError, match="不在本年度的评定方案中"):
        check_score(scheme, "学习教育", "10")


# ---- totals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "expected"), [("20", D("100.0")), ("18", D("90.0")), ("16", D("80")), ("0", D("0.0"))]
)
def test_total_of_even_scores(score, expected):
    result = total(DEFAULT_SCHEME, all_cells(score))
    assert result.complete and result.missing == ()
    assert result.total == expected and result.partial == expected
    assert str(result.total) == f"{expected:.1f}"


def test_total_weights_each_evaluator():
    # GIVEN only the 党员互评 column at full points, the others 0
    scores = all_cells("0")
    for name in NAMES:
        scores[(name, "党员互评")] = "20"
    # THEN the total is that column's weight
    assert total(DEFAULT_SCHEME, scores).total == D("30.0")


def test_total_without_float_drift():
    # 0.2·17 + 0.3·17.2 + 0.2·19 + 0.3·18.8 is 18 exactly, five times 90; in floats 89.99999999999999
    row = {"个人自评": "17", "党员互评": "17.2", "群众测评": "19", "支部评定": "18.8"}
    scores = {(name, e): value for name in NAMES for e, value in row.items()}
    floats = sum(
        w * float(row[e]) for _ in NAMES for e, w in zip(EVALUATORS, (0.2, 0.3, 0.2, 0.3), strict=True)
    )
    assert floats < 90  # the trap this module avoids
    result = total(DEFAULT_SCHEME, scores)
    assert result.total == D("90.0")
    assert stars_for(DEFAULT_SCHEME, result.total, "合格", probationary=False).stars == 5


def test_total_is_rounded_half_up_to_one_decimal():
    # 0.1 off a 20% cell and 0.1 off a 30% cell: 90 − 0.02 − 0.03 = 89.95 → 90.0 (half up)
    scores = all_cells("18")
    scores[("政治素质", "个人自评")] = "17.9"
    scores[("政治素质", "党员互评")] = "17.9"
    assert total(DEFAULT_SCHEME, scores).total == D("90.0")
    # 0.2 off a 30% cell: 89.94 → 89.9
    scores = all_cells("18")
    scores[("政治素质", "党员互评")] = "17.8"
    assert total(DEFAULT_SCHEME, scores).total == D("89.9")


def test_missing_cells_make_the_total_incomplete():
    scores = all_cells("18")
    del scores[("服务奉献", "群众测评")]
    scores[("政治素质", "个人自评")] = None
    scores[("学习教育", "支部评定")] = "  "
    result = total(DEFAULT_SCHEME, scores)
    assert not result.complete and result.total is None
    assert result.missing == (("政治素质", "个人自评"), ("学习教育", "支部评定"), ("服务奉献", "群众测评"))
    assert result.partial == D("90.0") - D("3.6") - D("5.4") - D("3.6")  # the missing cells as 0
    assert result.reason.startswith(
        "尚有 3 项未评分（政治素质·个人自评、学习教育·支部评定、服务奉献·群众测评）"
    )
    with pytest.raises(ValueError, match="总分尚未完整"):
        stars_for(DEFAULT_SCHEME, result.total, "合格", probationary=False)
    assert total(DEFAULT_SCHEME, {}).missing == tuple(DEFAULT_SCHEME.cells())
    assert len(DEFAULT_SCHEME.cells()) == 20


def test_cells_of_an_evaluator_weighted_zero_are_not_needed():
    scheme = scheme_with(weights={"个人自评": 0, "党员互评": 40, "群众测评": 30, "支部评定": 30})
    scores = {cell: value for cell, value in all_cells("18").items() if cell[1] != "个人自评"}
    result = total(scheme, scores)
    assert result.complete and result.total == D("90.0")
    scores[("政治素质", "个人自评")] = "0"  # present but weighted 0: counts nothing
    assert total(scheme, scores).total == D("90.0")


def test_invalid_or_unknown_cells_are_refused_by_total():
    scores = all_cells("18")
    scores[("政治素质", "个人自评")] = "21"
    scores[("学习教育", "党员互评")] = "18.55"
    scores[("组织生活情况", "支部评定")] = "18"
    scores[("服务奉献", "上级评价")] = "18"
    with pytest.raises(ValidationError) as info:
        total(DEFAULT_SCHEME, scores)
    errors = info.value.errors
    assert set(errors) == {
        "政治素质/个人自评",
        "学习教育/党员互评",
        "组织生活情况/支部评定",
        "服务奉献/上级评价",
    }
    assert errors["政治素质/个人自评"] == "政治素质·个人自评：“政治素质”满分 20 分，分数不能超过 20 分。"


@given(st.lists(st.integers(0, 200), min_size=20, max_size=20))
def test_total_is_exact_weighted_sum_rounded_half_up(tenths):
    cells = DEFAULT_SCHEME.cells()
    scores = {cell: Decimal(t).scaleb(-1) for cell, t in zip(cells, tenths, strict=True)}
    exact = sum(Fraction(DEFAULT_SCHEME.weight(e), 100) * Fraction(s) for (_, e), s in scores.items())
    expected = Fraction(int(exact * 10 + Fraction(1, 2)), 10)
    result = total(DEFAULT_SCHEME, scores)
    assert Fraction(result.total) == expected
    assert 0 <= result.total <= 100


# ---- stars and caps -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "stars"),
    [
        ("100", 5),
        ("90", 5),
        ("89.9", 4),
        ("80", 4),
        ("79.9", 3),
        ("70", 3),
        ("69.9", 2),
        ("60", 2),
        ("59.9", 1),
        ("0", 1),
    ],
)
def test_thresholds_at_the_edges(value, stars):
    assert stars_for(DEFAULT_SCHEME, D(value), "合格", probationary=False).stars == stars


@pytest.mark.parametrize(("score", "stars"), [("18", 5), ("16", 4), ("14", 3), ("12", 2)])
def test_totals_made_from_scores_at_the_edges(score, stars):
    # GIVEN every cell at score: the total is exactly 90 / 80 / 70 / 60
    scores = all_cells(score)
    assert (
        stars_for(DEFAULT_SCHEME, total(DEFAULT_SCHEME, scores).total, "合格", probationary=False).stars
        == stars
    )
    # WHEN one 个人自评 (20%) cell is 0.5 lower, the total is 0.1 below the line
    scores[("履职尽责", "个人自评")] = str(int(score) - Decimal("0.5"))
    below = total(DEFAULT_SCHEME, scores).total
    assert below == int(score) * 5 - D("0.1")
    assert stars_for(DEFAULT_SCHEME, below, "合格", probationary=False).stars == stars - 1


def test_stars_use_the_total_as_shown():
    assert stars_for(DEFAULT_SCHEME, D("89.95"), "合格", probationary=False).stars == 5
    assert stars_for(DEFAULT_SCHEME, D("89.949"), "合格", probationary=False).stars == 4
    assert stars_for(DEFAULT_SCHEME, 90, None, probationary=True).stars == 5


@pytest.mark.parametrize(
    ("grade", "value", "stars", "capped_by"),
    [
        ("不合格", "95", 1, "不合格"),
        ("不合格", "50", 1, None),  # 一星 anyway: the cap did not bite
        ("基本合格", "95", 3, "基本合格"),
        ("基本合格", "80", 3, "基本合格"),
        ("基本合格", "72", 3, None),
        ("基本合格", "65", 2, None),
        ("合格", "95", 5, None),
        ("优秀", "95", 5, None),
    ],
)
def test_caps(grade, value, stars, capped_by):
    result = stars_for(DEFAULT_SCHEME, D(value), grade, probationary=False)
    assert (result.stars, result.capped_by, result.awaiting_grade) == (stars, capped_by, False)


def test_cap_reasons():
    failed = stars_for(DEFAULT_SCHEME, D("95"), "不合格", probationary=False)
    assert failed.by_total == 5
    assert failed.reason == "总分 95.0 分，达到五星分数线 90 分，但民主评议为不合格，最高评为一星，评为一星"
    basic = stars_for(DEFAULT_SCHEME, D("95"), "基本合格", probationary=False)
    assert basic.reason.endswith("但民主评议为基本合格，最高评为三星，评为三星")
    low = stars_for(DEFAULT_SCHEME, D("59.9"), "合格", probationary=False)
    assert low.reason == "总分 59.9 分，不足二星分数线 60 分，民主评议为合格，评为一星"


def test_probationary_members_are_rated_without_cap():
    result = stars_for(DEFAULT_SCHEME, D("95"), None, probationary=True)
    assert (result.stars, result.capped_by, result.awaiting_grade) == (5, None, False)
    assert result.reason == "预备党员不参加民主评议，总分 95.0 分，达到五星分数线 90 分，评为五星"
    with pytest.raises(ValueError, match="预备党员不参加民主评议"):
        stars_for(DEFAULT_SCHEME, D("95"), "合格", probationary=True)


def test_full_member_not_yet_graded_is_provisional():
    result = stars_for(DEFAULT_SCHEME, D("95"), None, probationary=False)
    assert (result.stars, result.awaiting_grade) == (5, True)
    assert "尚未评定民主评议等次" in result.reason


@pytest.mark.parametrize("bad", [D("100.1"), D("-0.1"), -1, 101, "90", 90.0])
def test_total_out_of_range_or_not_a_number_raises(bad):
    with pytest.raises(ValueError):
        stars_for(DEFAULT_SCHEME, bad, "合格", probationary=False)


def test_unknown_grade_raises():
    with pytest.raises(ValueError, match="未知的评议等次"):
        stars_for(DEFAULT_SCHEME, D("90"), "良好", probationary=False)


def test_custom_thresholds_and_caps():
    scheme = scheme_with(thresholds=((95, 5), (85, 4), (75, 3), (65, 2)), caps={"合格": 4})
    assert stars_for(scheme, D("94.9"), "优秀", probationary=False).stars == 4
    assert stars_for(scheme, D("95"), "合格", probationary=False).stars == 4
    assert stars_for(scheme, D("95"), "不合格", probationary=False).stars == 5  # no cap in this scheme


def test_certificate_threshold():
    assert [qualifies_for_certificate(DEFAULT_SCHEME, s) for s in range(1, 6)] == [False] * 3 + [True] * 2
    assert qualifies_for_certificate(scheme_with(certificate_min_stars=5), 4) is False


# ---- pre-fill of 支部评定 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "service"),
    [
        (0, D("0.0")),
        (40, D("20.0")),
        (60, D("20.0")),
        (10, D("5.0")),
        (D("12.5"), D("6.3")),
        (39.9, D("20.0")),
    ],
)
def test_prefill_service_hours(hours, service):
    scores = prefill_branch_scores(DEFAULT_SCHEME, BranchFacts(attendance_rate=1, volunteer_hours=hours))
    assert scores["服务奉献"] == service


def test_prefill_attendance_and_the_rest():
    scores = prefill_branch_scores(DEFAULT_SCHEME, BranchFacts(Fraction(11, 12), 40))
    assert list(scores) == NAMES
    assert scores == {
        "政治素质": None,
        "学习教育": None,
        "组织生活": D("18.3"),
        "履职尽责": None,
        "服务奉献": D("20.0"),
    }
    assert prefill_branch_scores(DEFAULT_SCHEME, BranchFacts(0.75))["组织生活"] == D("15.0")
    assert prefill_branch_scores(DEFAULT_SCHEME, BranchFacts(0))["组织生活"] == D("0.0")
    assert prefill_branch_scores(DEFAULT_SCHEME, BranchFacts(D("0.7")))["组织生活"] == D("14.0")


@pytest.mark.parametrize(
    ("rate", "months", "expected"),
    [
        (1, 0, D("20.0")),
        (1, 1, D("18.0")),
        (1, 3, D("14.0")),
        (Fraction(11, 12), 2, D("14.3")),
        (D("0.5"), 5, D("0.0")),
        (D("0.5"), 12, D("0.0")),
        (0, 1, D("0.0")),
    ],
)
def test_prefill_dues_arrears_take_points_off_never_below_zero(rate, months, expected):
    facts = BranchFacts(attendance_rate=rate, months_in_arrears=months)
    assert prefill_branch_scores(DEFAULT_SCHEME, facts)["组织生活"] == expected


def test_prefill_takes_hours_in_tenths_as_a_fraction():
    # 25 h 3 (253 tenths) of 40 h: 12.65 → 12.7 half up
    assert prefill_branch_scores(DEFAULT_SCHEME, BranchFacts(1, Fraction(253, 10)))["服务奉献"] == D("12.7")


def test_prefill_arrears_deduction_is_a_parameter():
    facts = BranchFacts(attendance_rate=1, volunteer_hours=20, months_in_arrears=2)
    scores = prefill_branch_scores(DEFAULT_SCHEME, facts, arrears_points=1, full_hours=20)
    assert (scores["组织生活"], scores["服务奉献"]) == (D("18.0"), D("20.0"))


def test_no_meetings_means_no_prefill_of_organisation_life():
    scores = prefill_branch_scores(DEFAULT_SCHEME, BranchFacts(None, 40, months_in_arrears=2))
    assert scores["组织生活"] is None and scores["服务奉献"] == D("20.0")


def test_prefill_uses_the_schemes_points_and_default_names_only():
    scheme = scheme_with(
        criteria=(Criterion("政治素质", 20), Criterion("组织生活", 30), Criterion("服务奉献", 50))
    )
    scores = prefill_branch_scores(scheme, BranchFacts(D("0.5"), 20))
    assert scores == {"政治素质": None, "组织生活": D("15.0"), "服务奉献": D("25.0")}
    # a renamed criterion is not found: no pre-fill for it
    renamed = scheme_with(criteria=(Criterion("组织生活情况", 50), Criterion("志愿服务", 50)))
    assert prefill_branch_scores(renamed, BranchFacts(1, 40)) == {"组织生活情况": None, "志愿服务": None}


def test_prefilled_scores_pass_the_score_check():
    scores = prefill_branch_scores(DEFAULT_SCHEME, BranchFacts(Fraction(2, 3), 33))
    for name, value in scores.items():
        assert check_score(DEFAULT_SCHEME, name, value) is None


@pytest.mark.parametrize(
    "facts",
    [
        BranchFacts(D("1.1")),
        BranchFacts(-0.1),
        BranchFacts(1, volunteer_hours=-1),
        BranchFacts(1, months_in_arrears=-1),
        BranchFacts(1, months_in_arrears=1.5),
        BranchFacts("0.5"),
    ],
)
def test_prefill_refuses_impossible_facts(facts):
    with pytest.raises(ValueError):
        prefill_branch_scores(DEFAULT_SCHEME, facts)


# ---- 民主评议 grades -----------------------------------------------------------------------------


def graded(excellent: int, others: int, ungraded: int = 0) -> dict:
    grades = {f"m{i}": "优秀" for i in range(excellent)}
    grades.update({f"o{i}": "合格" for i in range(others)})
    grades.update({f"p{i}": None for i in range(ungraded)})
    return grades


@pytest.mark.parametrize(
    ("excellent", "others", "ungraded", "error"),
    [
        (3, 6, 0, None),  # 3 of 9: exactly one third
        (3, 7, 0, None),  # 3 of 10
        (4, 6, 0, "优秀 4 人，超过参评 10 人的三分之一（最多 3 人）"),
        (4, 8, 0, None),  # 4 of 12
        (5, 8, 0, "优秀 5 人，超过参评 13 人的三分之一（最多 4 人）"),
        (0, 0, 0, None),  # nobody graded
        (0, 0, 3, None),
        (3, 6, 5, None),  # 预备党员 (None) are not among those graded
        (4, 6, 5, "优秀 4 人，超过参评 10 人的三分之一（最多 3 人）"),
        (1, 1, 0, "优秀 1 人，超过参评 2 人的三分之一（最多 0 人）"),
    ],
)
def test_excellent_at_most_one_third(excellent, others, ungraded, error):
    assert check_excellent_share(graded(excellent, others, ungraded)) == error


def test_excellent_limit_and_mixed_grades():
    assert [excellent_limit(n) for n in (0, 2, 3, 9, 10, 11, 12)] == [0, 0, 1, 3, 3, 3, 4]
    grades = {1: "优秀", 2: "基本合格", 3: "不合格"}
    assert check_excellent_share(grades) is None
    with pytest.raises(ValueError, match="未知的评议等次"):
        check_excellent_share({1: "良好"})


@pytest.mark.parametrize(
    ("category", "grade", "required", "error"),
    [
        ("正式党员", "优秀", False, None),
        ("正式党员", "不合格", False, None),
        ("正式党员", None, False, None),
        ("正式党员", None, True, "请评定民主评议等次。"),
        ("正式党员", "良好", False, "评议等次应为优秀、合格、基本合格、不合格之一。"),
        ("预备党员", None, False, None),
        ("预备党员", None, True, None),
        ("预备党员", "合格", False, "预备党员不参加民主评议，不评定等次。"),
        ("", "合格", False, "请先填写人员类别（正式党员或预备党员），再评定等次。"),
        ("", None, False, None),
    ],
)
def test_grade_errors(category, grade, required, error):
    assert grade_errors(category, grade, required=required) == error


# ---- certificate numbers ------------------------------------------------------------------------


def test_first_approval_numbers_in_tree_order():
    assert assign_certificates(2025, [7, 3, 9], {}) == {7: "2025-0001", 3: "2025-0002", 9: "2025-0003"}
    assert assign_certificates(2025, [], {}) == {}


def test_reapproval_keeps_numbers_and_appends_new_qualifiers():
    # GIVEN numbers from the first approval
    first = assign_certificates(2025, [7, 3, 9], {})
    # WHEN the year is unlocked and approved again: 3 no longer qualifies, 5 and 1 now do (5 before 7 in the tree)
    second = assign_certificates(2025, [5, 7, 1, 9], first)
    # THEN every old number stays with its member, also 3's; the new ones follow the highest, in tree order
    assert second == {7: "2025-0001", 3: "2025-0002", 9: "2025-0003", 5: "2025-0004", 1: "2025-0005"}
    assert list(second.values()) == sorted(second.values())
    # and approving again without change changes nothing
    assert assign_certificates(2025, [5, 7, 1, 9], second) == second
    assert first == {7: "2025-0001", 3: "2025-0002", 9: "2025-0003"}  # the input is not changed


def test_numbers_are_never_reused_after_a_gap():
    existing = {"a": "2025-0001", "b": "2025-0007"}
    result = assign_certificates(2025, ["c", "a", "d"], existing)
    assert result == {"a": "2025-0001", "b": "2025-0007", "c": "2025-0008", "d": "2025-0009"}
    assert len(set(result.values())) == len(result)


def test_duplicates_in_the_qualifier_list_get_one_number():
    assert assign_certificates(2026, [4, 4, 2], {}) == {4: "2026-0001", 2: "2026-0002"}


@pytest.mark.parametrize(
    ("existing", "message"),
    [
        ({1: "2024-0001"}, "不是 2025 年度的编号"),
        ({1: "2025-1"}, "格式不对"),
        ({1: "2025-0000"}, "格式不对"),
        ({1: "２０２５-０００１"}, "格式不对"),
        ({1: 1}, "格式不对"),
        ({1: "2025-0003", 2: "2025-0003"}, "重复"),
    ],
)
def test_bad_existing_numbers_raise(existing, message):
    with pytest.raises(ValueError, match=message):
        assign_certificates(2025, [1, 2, 3], existing)


def test_more_than_9999_certificates_raise():
    assert assign_certificates(2025, ["new"], {"old": "2025-9998"})["new"] == "2025-9999"
    with pytest.raises(ValueError, match="超过 9999"):
        assign_certificates(2025, ["new"], {"old": "2025-9999"})
    with pytest.raises(ValueError, match="四位数"):
        assign_certificates(25, [1], {})
