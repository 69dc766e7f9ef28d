"""民主评议党员和星级党员评定结果公示: collected with the personal data masked, rendered and read back."""

from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from app import evaluation_year as ey
from app import settings
from app.errors import AppError
from app.reports.publicity import (
    NOT_GRADED,
    PHONE_SETTING,
    collect_publicity,
    render_publicity,
    working_day_period,
)
from tests.app.test_reports_certificate import (
    BRANCH1,
    BRANCH2,
    LEFT,
    PEOPLE,
    YEAR,
    build_town,
    pages_text,
    pdffonts,
)
from tests.conftest import TODAY  # 2026-11-22, a Sunday

FRIDAY = date(2026, 1, 16)


@pytest.fixture
def town(database):
    return build_town(database)


def flat(pdf) -> str:
    return "".join("".join(pages_text(pdf)).split())


def test_working_days_skip_weekends():
    assert working_day_period(date(2026, 11, 23), 5) == (date(2026, 11, 23), date(2026, 11, 27))  # Mon–Fri
    assert working_day_period(date(2026, 11, 25), 5) == (date(2026, 11, 25), date(2026, 12, 1))  # over a weekend
    assert working_day_period(TODAY, 5) == (date(2026, 11, 23), date(2026, 11, 27))  # a Sunday starts Monday
    assert working_day_period(FRIDAY, 1) == (FRIDAY, FRIDAY)
    with pytest.raises(ValueError):
        working_day_period(FRIDAY, 0)


def test_collect_masks_ids_and_phones_and_groups_by_branch(town):
    data = town.read(lambda s: collect_publicity(s, YEAR, today=FRIDAY))
    assert data.approved and data.title == "幸福里社区 2025 年度民主评议党员和星级党员评定结果公示"
    assert [b.name for b in data.branches] == ["第一网格党支部", "第二网格党支部"]
    lines = {line.name: line for line in data.lines}
    assert set(lines) == set(PEOPLE)  # 高峰 left during the year: not publicised
    for name, line in lines.items():
        full_id, phone = town.id_numbers[name], town.phones[name]
        assert line.id_number == full_id[:6] + "********" + full_id[-4:]
        assert line.phone == phone[:3] + "****" + phone[-4:]
    assert (lines["钱进"].grade, lines["钱进"].stars) == (NOT_GRADED, "五星")  # 预备党员: rated, not graded
    assert (lines["孙丽"].grade, lines["孙丽"].stars) == ("基本合格", "三星")  # capped
    assert (lines["李䶮"].grade, lines["王堃"].stars, lines["张喆"].stars) == ("优秀", "四星", "三星")
    assert (data.period_start, data.period_end, data.working_days) == (FRIDAY, date(2026, 1, 22), 5)


def test_a_limit_gives_the_notices_first_lines_branch_by_branch(town, monkeypatch):
    for org_id in (None, town.orgs[BRANCH1], town.orgs[BRANCH2]):
        whole = town.read(lambda s, o=org_id: collect_publicity(s, YEAR, o, today=FRIDAY))
        for limit in (1, 4, 5, len(whole.lines), len(whole.lines) + 3):
            first = town.read(lambda s, o=org_id, n=limit:
                              collect_publicity(s, YEAR, o, today=FRIDAY, limit=n))
            assert first.lines == whole.lines[:limit], (org_id, limit)
            kept = [b for b in whole.branches if b.name in {f.name for f in first.branches}]
            assert [b.name for b in first.branches] == [b.name for b in kept]  # whole branches in order
            assert first.title == whole.title and first.period_end == whole.period_end
    monkeypatch.setattr(ey, "grid", lambda *_a, **_k: pytest.fail("the whole grid was computed"))
    assert len(town.read(lambda s: collect_publicity(s, YEAR, today=FRIDAY, limit=3)).lines) == 3


def test_the_notice_reads_back_with_masked_data_only(town, tmp_path):
    with town.db.unit_of_work() as session:
        settings.set_value(session, PHONE_SETTING, "010-65001234")
    data = town.read(lambda s: collect_publicity(s, YEAR, today=FRIDAY))
    out = tmp_path / "公示.pdf"
    pages = render_publicity(data, out)
    text = flat(out)
    assert pages == len(PdfReader(out).pages) >= 1
    assert {(round(float(p.mediabox.width) / mm), round(float(p.mediabox.height) / mm))
            for p in PdfReader(out).pages} == {(210, 297)}  # A4 portrait
    assert "幸福里社区2025年度民主评议党员和星级党员评定结果公示" in text and "拟评定结果" not in text
    for header in ("序号", "姓名", "性别", "身份证号", "联系电话", "评议等次", "星级"):
        assert header in text
    for name in PEOPLE:
        assert name in text
        assert town.id_numbers[name] not in text and town.phones[name] not in text  # never unmasked
        full_id, phone = town.id_numbers[name], town.phones[name]
        assert full_id[:6] + "********" + full_id[-4:] in text and phone[:3] + "****" + phone[-4:] in text
    assert LEFT not in text
    for rare in ("䶮", "𠮷", "堃", "喆", "㛃"):
        assert rare in text
    assert "第一网格党支部（6人）" in text and "第二网格党支部（4人）" in text
    assert "不参评" in text and "基本合格" in text
    assert "公示时间：2026年1月16日至2026年1月22日（5个工作日）" in text
    assert "联系电话：010-65001234。" in text
    assert text.endswith("中共幸福里社区委员会2026年1月16日第1页共1页")
    assert "合计：共10人；民主评议优秀3人、合格5人、基本合格1人；预备党员1人不参加评议；" in text
    assert all(emb == "yes" for _, emb in pdffonts(out))


def test_before_approval_the_notice_says_it_is_proposed(database, tmp_path):
    town = build_town(database, approve=False)
    data = town.read(lambda s: collect_publicity(s, YEAR, today=FRIDAY, start=date(2026, 1, 19), working_days=7))
    assert not data.approved
    assert data.title == "幸福里社区 2025 年度民主评议党员和星级党员评定结果公示（拟评定结果）"
    out = tmp_path / "公示.pdf"
    render_publicity(data, out)
    text = flat(out)
    assert "评定结果公示（拟评定结果）" in text
    assert "现将10名党员的拟评定结果公示如下" in text
    assert "公示时间：2026年1月19日至2026年1月27日（7个工作日）" in text
    assert "联系电话：＿＿＿" in text  # no phone set: a blank line to write one in


def test_a_notice_of_one_branch(town, tmp_path):
    data = town.read(lambda s: collect_publicity(s, YEAR, town.orgs[BRANCH2], today=FRIDAY))
    assert [line.name for line in data.lines] == ["钱进", "孙丽", "赵刚", "周平"]  # by pinyin
    out = tmp_path / "公示.pdf"
    render_publicity(data, out)
    text = flat(out)
    assert "（第二网格党支部）" in text and "李䶮" not in text


def test_a_year_not_begun_is_refused(database):
    with database.read() as session, pytest.raises(AppError, match="2025 年度评定尚未开始"):
        collect_publicity(session, YEAR)
