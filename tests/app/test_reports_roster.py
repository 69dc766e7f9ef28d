"""党员花名册: the national 16 items of every member 在册, plain and masked, rendered and read back."""

from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from sqlalchemy import update

from app import members
from app.members import MemberInput
from app.reports.base import MARGINS, string_width
from app.reports.member_roster import (
    HEADER,
    SIZE,
    collect_roster,
    column_widths,
    render_roster,
)
from db.models import Member
from tests.app.test_reports_certificate import (
    BRANCH2,
    GROUP1,
    LEFT,
    LONG_NAME,
    PEOPLE,
    build_town,
    pages_text,
    pdffonts,
)
from tests.conftest import TODAY
from tests.data.make_excel_fixtures import make_id


@pytest.fixture
def town(database):
    town = build_town(database, approve=False)
    with database.unit_of_work() as session:
        session.execute(update(Member).where(Member.id == town.ids["赵刚"])
                        .values(floating=True, floating_destination="广东省深圳市"))
        session.execute(update(Member).where(Member.id == town.ids["周平"])
                        .values(lost_contact=True, lost_contact_on=date(2026, 3, 1), landline="010-62345678"))
    return town


def flat(pdf) -> str:
    return "".join("".join(pages_text(pdf)).split())


def test_collect_lists_members_in_the_ledger_in_tree_order(town):
    data = town.read(lambda s: collect_roster(s, today=TODAY))
    names = [line.name for line in data.lines]
    assert set(names) == set(PEOPLE)  # 高峰 转出: not 在册
    assert names[:4] == ["李䶮", "王堃", "张喆", "𠮷䶮"] and names[-4:] == ["钱进", "孙丽", "赵刚", "周平"]
    lines = {line.name: line for line in data.lines}
    chen = lines["陈㛃"]
    assert (chen.branch, chen.id_number, chen.phones) == ("第一网格党支部/1号楼党小组", town.id_numbers["陈㛃"],
                                                          (town.phones["陈㛃"],))
    assert (chen.category, chen.joined_on, chen.confirmed_on, chen.education) == (
        "正式党员", date(1995, 7, 1), date(1996, 7, 1), "大学本科")
    assert lines["钱进"].confirmed_on is None and lines["钱进"].category == "预备党员"
    assert lines["周平"].phones == (town.phones["周平"], "010-62345678")
    assert (lines["赵刚"].floating, lines["赵刚"].floating_destination) == (True, "广东省深圳市")
    group = town.read(lambda s: collect_roster(s, town.orgs[GROUP1]))
    assert {line.name for line in group.lines} == {"陈㛃", LONG_NAME} and group.scope == "1号楼党小组"


def test_a_limit_gives_the_first_lines_in_the_same_order(town):
    for org_id, mask in ((None, False), (None, True), (town.orgs[BRANCH2], False)):
        whole = town.read(lambda s, o=org_id, m=mask: collect_roster(s, o, mask=m, today=TODAY))
        for limit in (0, 1, 4, len(whole.lines), len(whole.lines) + 2):
            first = town.read(lambda s, o=org_id, m=mask, n=limit:
                              collect_roster(s, o, mask=m, today=TODAY, limit=n))
            assert first.lines == whole.lines[:limit], (org_id, mask, limit)
            assert (first.scope, first.masked) == (whole.scope, whole.masked)


def test_masked_roster_never_holds_the_full_numbers(town, tmp_path):
    data = town.read(lambda s: collect_roster(s, mask=True, today=TODAY))
    for line in data.lines:
        full = town.id_numbers[line.name]
        assert line.id_number == full[:6] + "********" + full[-4:]
    out = tmp_path / "花名册.pdf"
    render_roster(data, out)
    text = flat(out)
    for name in PEOPLE:
        full, phone = town.id_numbers[name], town.phones[name]
        assert full not in text and phone not in text
        assert full[:6] + "********" + full[-4:] in text and phone[:3] + "****" + phone[-4:] in text
    assert "010-62345678" not in text and "010*****5678" in text
    assert "（身份证号、联系电话已隐去部分数字）" in text


def test_roster_reads_back_with_the_sixteen_items(town, tmp_path):
    data = town.read(lambda s: collect_roster(s, today=TODAY))
    out = tmp_path / "花名册.pdf"
    pages = render_roster(data, out)
    reader = PdfReader(out)
    assert pages == len(reader.pages)
    assert {(round(float(p.mediabox.width) / mm), round(float(p.mediabox.height) / mm)) for p in reader.pages} == \
        {(297, 210)}
    text = flat(out)
    assert "幸福里社区党员花名册" in text and "填报单位：中共幸福里社区委员会" in text and "打印日期：2026年11月22日" in text
    for header in HEADER:
        assert header in text
    for name in PEOPLE:
        assert name in text and town.id_numbers[name] in text and town.phones[name] in text
    assert LEFT not in text
    for rare in ("䶮", "𠮷", "堃", "喆", "㛃"):
        assert rare in text
    # 钱进 is 预备党员: no 转正日期 ("无"); 周平 lost contact on 1 March; 赵刚 is away in 深圳
    qian = text[text.index("钱进"):text.index("孙丽")]
    assert "预备党员第二网格党支部2025-12-01无离退休人员" in qian
    zhou = text[text.index("周平"):]
    assert "是2026-03-01" in zhou and "010-62345678" in zhou
    zhao = text[text.index("赵刚"):text.index("周平")]
    assert "1701室正常否是广东省深圳市" in zhao
    assert "第一网格党支部1号楼党小组" in text  # the path a level a line
    assert "合计：在册党员10人，其中正式党员9人、预备党员1人" in text
    assert all(emb == "yes" for _, emb in pdffonts(out))


def test_the_header_repeats_on_every_page(town, tmp_path):
    with town.db.unit_of_work() as session:
        for n in range(40):
            members.create(session, MemberInput(
                name=f"党员{'甲乙丙丁戊己庚辛壬癸'[n % 10]}{'子丑寅卯'[n // 10]}", id_number=make_id("19800101", f"{100 + n:03d}"),
                org_id=town.orgs[BRANCH2], joined_on=date(2005, 7, 1), confirmed_on=date(2006, 7, 1),
                mobile=f"1360000{n:04d}", address="幸福里小区3号楼2单元501室（东门进，右手第二户）",
                education="硕士研究生", occupation="公有经济专业技术人员"), today=TODAY)
    data = town.read(lambda s: collect_roster(s, today=TODAY))
    out = tmp_path / "花名册.pdf"
    pages = render_roster(data, out)
    texts = ["".join(t.split()) for t in pages_text(out)]
    assert pages == len(texts) >= 3
    for index, text in enumerate(texts, start=1):
        assert "序号姓名性别公民身份号码民族出生日期学历人员类别所在党支部入党日期转正日期工作岗位联系电话家庭住址" in text
        assert f"第{index}页共{pages}页" in text
        if index > 1:
            assert "幸福里社区党员花名册（续）" in text
    assert "合计：在册党员50人" in texts[-1]


def test_columns_fill_the_text_width_and_dates_and_ids_stay_on_one_line():
    widths = dict(zip(HEADER, column_widths(), strict=True))
    assert sum(widths.values()) == pytest.approx(297 * mm - MARGINS.left - MARGINS.right)
    for column in ("出生日期", "入党日期", "转正日期"):
        assert string_width("2026-12-31", SIZE) < widths[column] - 3
    assert string_width("11010519700301001X", SIZE) < widths["公民身份号码"] - 3
    assert string_width("第一网格党支部", SIZE) < widths["所在党支部"] - 3
    assert min(widths.values()) >= string_width("序号", SIZE)


def test_an_empty_ledger_prints_a_note(database, tmp_path):
    with database.read() as session:
        data = collect_roster(session, today=TODAY)
    out = tmp_path / "空.pdf"
    assert render_roster(data, out) == 1
    assert "没有在册党员" in flat(out)
