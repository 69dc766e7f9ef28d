"""星级党员证书: collected from an approved year, drawn on plain paper and on pre-printed paper, the
calibration sheet, the stored layout, the preferred (楷体) font with its glyph fallback — read back."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from app import evaluation_year as ey
from app import fonts, members, orgs, settings
from app.errors import AppError, ValidationError
from app.evaluation import DEFAULT_SCHEME
from app.members import MemberInput
from app.reports import base
from app.reports import certificate as cert
from app.reports.certificate import (
    CertificateBatch,
    CertificateItem,
    PrintCancelled,
    chinese_date,
    collect_certificates,
    fit_line,
    name_fit,
    render_calibration,
    render_certificates,
)
from app.reports.certificate_layout import (
    SETTING_KEY,
    CertificateLayout,
    FieldPosition,
    load_layout,
    save_layout,
    validate_layout,
)
from app.settings import CommunitySettings
from tests.conftest import TODAY
from tests.data.make_excel_fixtures import make_id

YEAR = 2025
APPROVED = date(2026, 1, 20)
DECIDED = date(2025, 12, 20)
COMMUNITY = CommunitySettings(community_name="幸福里社区", committee_name="中共幸福里社区委员会")
ROOT, BRANCH1, GROUP1, BRANCH2 = "root", "branch1", "group1", "branch2"
ORGS = {ROOT: (None, "幸福里社区党委", "党委"), BRANCH1: (ROOT, "第一网格党支部", "党支部"),
        GROUP1: (BRANCH1, "1号楼党小组", "党小组"), BRANCH2: (ROOT, "第二网格党支部", "党支部")}
LONG_NAME = "阿卜杜热合曼·买买提依明·艾则孜·托合提"  # 20 characters
CELLS = DEFAULT_SCHEME.cells()
# name: (organisation, score in every cell (19 → 95 五星, 17 → 85 四星, 14 → 70 三星), grade, category)
PEOPLE = {
    "李䶮": (BRANCH1, 19, "优秀", "正式党员"),
    "𠮷䶮": (BRANCH1, 19, "合格", "正式党员"),
    "王堃": (BRANCH1, 17, "合格", "正式党员"),
    "张喆": (BRANCH1, 14, "合格", "正式党员"),  # 三星: below the certificate threshold (四星)
    "陈㛃": (GROUP1, 19, "优秀", "正式党员"),
    LONG_NAME: (GROUP1, 17, "合格", "正式党员"),
    "赵刚": (BRANCH2, 17, "优秀", "正式党员"),
    "钱进": (BRANCH2, 19, None, "预备党员"),  # rated, not graded
    "孙丽": (BRANCH2, 19, "基本合格", "正式党员"),  # capped at 三星
    "周平": (BRANCH2, 17, "合格", "正式党员"),
}
LEFT = "高峰"  # 转出 in June: kept in the year, not required, no certificate, not publicised


def mobile(seq: int) -> str:
    return f"139{seq:08d}"


@dataclass
class Town:
    db: object
    ids: dict[str, int]
    orgs: dict[str, int]
    id_numbers: dict[str, str]
    phones: dict[str, str]

    def run(self, call):
        with self.db.unit_of_work() as session:
            return call(session)

    def read(self, call):
        with self.db.read() as session:
            return call(session)


def build_town(database, *, approve: bool = True) -> Town:
    """幸福里社区 with two branches and a group, the members of PEOPLE scored and graded for 2025, and
    one member who left in June; approved on APPROVED unless ``approve`` is false."""
    ids, org_ids, id_numbers, phones = {}, {}, {}, {}
    with database.unit_of_work() as session:
        settings.save(session, COMMUNITY)
        for key, (parent, name, kind) in ORGS.items():
            org_ids[key], _ = orgs.create(session, org_ids.get(parent), orgs.OrgInput(name=name, kind=kind),
                                          today=TODAY)
        for seq, (name, (org, _score, _grade, category)) in enumerate([*PEOPLE.items(),
                                                                       (LEFT, (BRANCH1, 0, None, "正式党员"))],
                                                                      start=11):
            probationary = category == "预备党员"
            id_numbers[name], phones[name] = make_id("19700301", f"{seq:03d}"), mobile(seq)
            ids[name], _ = members.create(session, MemberInput(
                name=name, id_number=id_numbers[name], org_id=org_ids[org], category=category,
                joined_on=date(2025, 12, 1) if probationary else date(1995, 7, 1),
                confirmed_on=None if probationary else date(1996, 7, 1), mobile=phones[name],
                address=f"幸福里{seq}号楼1单元{seq}01室", education="大学本科", occupation="离退休人员"), today=TODAY)
        members.leave(session, ids[LEFT], "转出", date(2025, 6, 1), "迁居", transferred_to="某街道党工委",
                      today=TODAY)
        ey.open_year(session, YEAR, today=TODAY)
        ey.set_scores(session, YEAR, [(ids[name], c, e, score) for name, (_, score, _, _) in PEOPLE.items()
                                      for c, e in CELLS])
        # 优秀 last, so that each branch's share stays within one third at every step
        for name, (_, _, grade, _) in sorted(PEOPLE.items(), key=lambda item: item[1][2] == "优秀"):
            if grade:
                ey.set_grade(session, YEAR, ids[name], grade, DECIDED, today=TODAY)
        if approve:
            ey.approve(session, YEAR, today=APPROVED)
    return Town(database, ids, org_ids, id_numbers, phones)


@pytest.fixture
def town(database) -> Town:
    return build_town(database)


def pdffonts(pdf: Path) -> list[tuple[str, str]]:
    """(name, emb) for every font in the file, as poppler's pdffonts reports them."""
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
    return [(line.split()[0], line.split()[-5]) for line in lines[2:]]


def pages_text(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def page_sizes_mm(pdf: Path) -> list[tuple[float, float]]:
    return [(round(float(p.mediabox.width) / mm, 1), round(float(p.mediabox.height) / mm, 1))
            for p in PdfReader(pdf).pages]


def item(name: str = "张建国", stars: int = 5, number: str = "2025-0001") -> CertificateItem:
    return CertificateItem(name, stars, YEAR, number, "第一网格党支部", "中共幸福里社区委员会", APPROVED)


def batch(*items: CertificateItem) -> CertificateBatch:
    return CertificateBatch(YEAR, items or (item(),), APPROVED)


# ---------------------------------------------------------------- collecting


def test_a_year_not_approved_is_refused_with_the_reason(database):
    build_town(database, approve=False)
    with database.read() as session, pytest.raises(AppError) as refused:
        collect_certificates(session, YEAR)
    assert str(refused.value) == "2025 年度评定尚未批准，不能打印证书。请先在“年度记实与评定”中批准。"
    with database.read() as session, pytest.raises(AppError, match="2024 年度评定尚未开始，不能打印证书"):
        collect_certificates(session, 2024)


def test_collect_lists_the_numbered_members_in_number_order(town):
    found = town.read(lambda s: collect_certificates(s, YEAR))
    # Tree order (branch, its group, the next branch), by name within each: 张喆 (三星) and 孙丽 (capped
    # at 三星) are below 四星, 高峰 left during the year
    assert [(i.name, i.stars, i.number) for i in found.items] == [
        ("李䶮", 5, "2025-0001"), ("王堃", 4, "2025-0002"), ("𠮷䶮", 5, "2025-0003"), (LONG_NAME, 4, "2025-0004"),
        ("陈㛃", 5, "2025-0005"), ("钱进", 5, "2025-0006"), ("赵刚", 4, "2025-0007"), ("周平", 4, "2025-0008"),
    ]
    first = found.items[0]
    assert (first.year, first.committee, first.date) == (YEAR, "中共幸福里社区委员会", APPROVED)
    assert {i.name: i.branch for i in found.items}["陈㛃"] == "第一网格党支部"  # a 党小组 counts with its branch
    assert found.approved_on == APPROVED and found.withheld == ()
    assert first.stars_text == "五星级党员"


def test_collect_filters_by_organisation_and_stars(town):
    branch2 = town.read(lambda s: collect_certificates(s, YEAR, org_id=town.orgs[BRANCH2]))
    assert [i.name for i in branch2.items] == ["钱进", "赵刚", "周平"]
    group = town.read(lambda s: collect_certificates(s, YEAR, org_id=town.orgs[GROUP1]))
    assert {i.name for i in group.items} == {"陈㛃", LONG_NAME}
    five = town.read(lambda s: collect_certificates(s, YEAR, min_stars=5))
    assert {i.name for i in five.items} == {"李䶮", "𠮷䶮", "陈㛃", "钱进"}
    later = town.read(lambda s: collect_certificates(s, YEAR, issued_on=date(2026, 2, 1)))
    assert {i.date for i in later.items} == {date(2026, 2, 1)}
    with pytest.raises(ValidationError, match="星级应为 1 到 5 星"):
        town.read(lambda s: collect_certificates(s, YEAR, min_stars=6))


def test_a_number_kept_after_the_stars_fell_is_not_printed(town):
    # GIVEN the year unlocked, 王堃's scores lowered to 三星 and the year approved again
    town.run(lambda s: ey.unlock(s, YEAR, "复核分数"))
    town.run(lambda s: ey.set_scores(s, YEAR, [(town.ids["王堃"], c, e, 14) for c, e in CELLS]))
    town.run(lambda s: ey.approve(s, YEAR, today=date(2026, 1, 25)))
    found = town.read(lambda s: collect_certificates(s, YEAR))
    # THEN 王堃 keeps the number but gets no certificate, and is named; the date is the new approval
    assert "王堃" not in {i.name for i in found.items} and found.withheld == ("王堃",)
    assert town.read(lambda s: dict((m, n) for n, m, _ in ey.certificates(s, YEAR)))[town.ids["王堃"]] == "2025-0002"
    assert {i.date for i in found.items} == {date(2026, 1, 25)}


def test_a_limit_gives_the_first_certificates_in_the_same_order(town, monkeypatch):
    def first(limit, **options):
        return town.read(lambda s: collect_certificates(s, YEAR, limit=limit, **options))

    for options in ({}, {"org_id": town.orgs[BRANCH2]}, {"org_id": town.orgs[GROUP1]}, {"min_stars": 5}):
        whole = town.read(lambda s, o=options: collect_certificates(s, YEAR, **o))
        for limit in (1, 3, len(whole.items), len(whole.items) + 5):
            assert first(limit, **options).items == whole.items[:limit], (options, limit)
    # only the holders up to the last one returned are computed, a few at a time — never the year's grid
    monkeypatch.setattr(ey, "grid", lambda *_a, **_k: pytest.fail("the whole grid was computed"))
    monkeypatch.setattr(cert, "HOLDERS_AT_ONCE", 2)
    assert [i.number for i in first(3).items] == ["2025-0001", "2025-0002", "2025-0003"]


def test_a_limited_batch_names_the_withheld_met_on_the_way(town):
    town.run(lambda s: ey.unlock(s, YEAR, "复核分数"))
    town.run(lambda s: ey.set_scores(s, YEAR, [(town.ids["王堃"], c, e, 14) for c, e in CELLS]))
    town.run(lambda s: ey.approve(s, YEAR, today=date(2026, 1, 25)))
    whole = town.read(lambda s: collect_certificates(s, YEAR))
    first = town.read(lambda s: collect_certificates(s, YEAR, limit=2))
    assert first.items == whole.items[:2] and first.withheld == ("王堃",)  # number 2025-0002 is on the way
    assert town.read(lambda s: collect_certificates(s, YEAR, limit=1)).withheld == ()


def test_a_certificate_needs_an_issuer(database):
    build_town(database)
    with database.unit_of_work() as session:
        settings.set_value(session, "committee_name", "")
        settings.set_value(session, "community_name", "")
    with database.read() as session, pytest.raises(AppError, match="落款"):
        collect_certificates(session, YEAR)


# ---------------------------------------------------------------- plain paper


def test_plain_certificates_one_a_page_landscape_with_every_field(town, tmp_path):
    found = town.read(lambda s: collect_certificates(s, YEAR))
    out = tmp_path / "证书.pdf"
    seen = []
    pages = render_certificates(found, out, progress=lambda done, total: seen.append((done, total)))
    texts = pages_text(out)
    assert pages == len(texts) == len(found.items) == 8
    assert seen[-1] == (8, 8) and len(seen) == 8
    assert set(page_sizes_mm(out)) == {(297.0, 210.0)}
    for text, one in zip(texts, found.items, strict=True):
        flat = "".join(text.split())
        assert one.name.replace(" ", "") in flat
        assert "星级党员证书" in flat and f"证书编号：{one.number}" in flat
        assert f"在{YEAR}年度民主评选星级党员活动中，被评为“{one.stars_text}”。" in flat
        assert "特发此证，以资鼓励。" in flat
        assert "中共幸福里社区委员会" in flat and "二〇二六年一月二十日" in flat
    joined = "".join(texts)
    for rare in ("䶮", "𠮷", "堃", "㛃"):
        assert rare in joined
    fonts_used = pdffonts(out)
    assert fonts_used and all(emb == "yes" for _, emb in fonts_used)
    assert any("BabelStone" in name for name, _ in fonts_used)  # 䶮 𠮷 㛃 drawn from the fallback
    assert reader_meta(out).title == "2025 年度星级党员证书"


def reader_meta(pdf: Path):
    return PdfReader(pdf).metadata


def test_stars_are_drawn_not_typed(tmp_path):
    # Drawn polygons: the page has no ★ character, and more path fills for five stars than for four
    out5, out4 = tmp_path / "five.pdf", tmp_path / "four.pdf"
    render_certificates(batch(item(stars=5)), out5)
    render_certificates(batch(item(stars=4)), out4)
    assert "★" not in pages_text(out5)[0]

    def fills(pdf):
        return PdfReader(pdf).pages[0].get_contents().get_data().count(b"\nB")

    assert fills(out5) > fills(out4)


def test_a_long_name_shrinks_to_stay_on_its_line():
    font = base.preferred_font("kai")
    room = cert.name_room(font)
    assert room == cert.NAME_ROOM
    short, long = name_fit("张三", font), name_fit(LONG_NAME, font)
    assert (short.size, short.scale) == (cert.NAME_SIZE, 1.0)
    assert cert.NAME_MIN <= long.size < cert.NAME_SIZE and long.scale == 1.0
    assert long.width <= room
    assert base.string_width(LONG_NAME, long.size, font) <= room < base.string_width(LONG_NAME, long.size + 0.5, font)
    # A name too long even at the smallest size is squeezed, never wider than its room
    huge = name_fit(LONG_NAME * 3, font)
    assert huge.size == cert.NAME_MIN and huge.scale < 1 and huge.width == pytest.approx(room)


def test_fit_size_is_the_largest_half_point_that_fits():
    width = base.string_width("中华人民共和国", 20)
    assert base.fit_size("中华人民共和国", width, 20, 8) == 20
    assert base.fit_size("中华人民共和国", width / 2, 20, 8) == 10
    assert base.fit_size("中华人民共和国", width * 0.43, 20, 8) == 8.5
    assert base.fit_size("中华人民共和国", width / 10, 20, 8) == 8  # never below the minimum
    assert base.fit_size("", 10, 20, 8) == 20
    assert fit_line("中华人民共和国", width / 10, 20, 8).scale == pytest.approx(0.25)


def test_long_and_rare_names_render_whole(tmp_path):
    out = tmp_path / "names.pdf"
    render_certificates(batch(item(LONG_NAME), item("𠮷䶮", number="2025-0002"), item("王喆堃", 4, "2025-0003")), out)
    texts = ["".join(t.split()) for t in pages_text(out)]
    assert f"{LONG_NAME}同志：" in texts[0]
    assert "𠮷䶮同志：" in texts[1] and "王喆堃同志：" in texts[2] and "“四星级党员”" in texts[2]


def test_chinese_dates():
    assert chinese_date(date(2026, 1, 20)) == "二〇二六年一月二十日"
    assert chinese_date(date(2025, 12, 31)) == "二〇二五年十二月三十一日"
    assert chinese_date(date(2030, 10, 5)) == "二〇三〇年十月五日"
    assert chinese_date(date(2026, 11, 11)) == "二〇二六年十一月十一日"


def test_cancelling_leaves_no_file(tmp_path):
    out = tmp_path / "证书.pdf"
    out.write_bytes(b"earlier")
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(PrintCancelled, match="已取消打印"):
        render_certificates(batch(item(), item(number="2025-0002"), item(number="2025-0003")), out,
                            cancelled=cancelled)
    assert out.read_bytes() == b"earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["证书.pdf"]


def test_nothing_to_print_is_refused(tmp_path):
    with pytest.raises(AppError, match="没有符合条件的证书"):
        render_certificates(CertificateBatch(YEAR, (), APPROVED), tmp_path / "x.pdf")


def test_an_unwritable_target_is_a_clear_error(tmp_path):
    folder = tmp_path / "证书.pdf"
    folder.mkdir()  # a folder where the file should go
    with pytest.raises(AppError, match="“.*证书.pdf”是一个文件夹，不能保存到这里"):
        render_certificates(batch(), folder)
    assert [p.name for p in tmp_path.iterdir()] == ["证书.pdf"]


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="needs POSIX permissions that bind this user")
def test_a_read_only_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "只读"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(AppError, match="无法保存文件.*请先关闭它再试"):
            render_certificates(batch(), folder / "证书.pdf")
    finally:
        folder.chmod(0o755)


# ---------------------------------------------------------------- pre-printed paper


def test_preprinted_pages_carry_only_the_fields_on_the_layouts_paper(tmp_path):
    layout = replace(CertificateLayout(), paper_width=260, paper_height=185,
                     committee=FieldPosition(150, 150, 90, 16, "centre"), date=FieldPosition(150, 162, 90, 16, "centre"),
                     number=FieldPosition(30, 172, 50, 11))
    out = tmp_path / "套打.pdf"
    pages = render_certificates(batch(item(), item("𠮷䶮", 4, "2025-0002")), out, paper="preprinted", layout=layout)
    assert pages == 2 and set(page_sizes_mm(out)) == {(260.0, 185.0)}
    first, second = ("".join(t.split()) for t in pages_text(out))
    for decoration in ("星级党员证书", "同志", "特发此证", "证书编号", "民主评选"):
        assert decoration not in first
    for field in ("张建国", "2025", "五星级党员", "2025-0001", "中共幸福里社区委员会", "二〇二六年一月二十日"):
        assert field in first
    assert "𠮷䶮" in second and "四星级党员" in second
    assert all(emb == "yes" for _, emb in pdffonts(out))


def test_preprinted_styles_of_stars_and_dates(tmp_path):
    out = tmp_path / "套打.pdf"
    render_certificates(batch(), out, paper="preprinted",
                        layout=replace(CertificateLayout(), stars_style="short", date_style="arabic"))
    text = "".join(pages_text(out)[0].split())
    assert "五星" in text and "五星级党员" not in text and "2026年1月20日" in text
    render_certificates(batch(), out, paper="preprinted", layout=replace(CertificateLayout(), stars_style="symbols"))
    text = "".join(pages_text(out)[0].split())
    assert "五星" not in text and "★" not in text  # drawn


def test_an_invalid_layout_is_refused_before_printing(tmp_path):
    with pytest.raises(ValidationError, match="字号应在 8 到 72 磅之间"):
        render_certificates(batch(), tmp_path / "x.pdf", paper="preprinted",
                            layout=replace(CertificateLayout(), name=FieldPosition(48, 88, 70, 80)))
    assert not (tmp_path / "x.pdf").exists()


def test_calibration_page_shows_the_grid_and_every_field(tmp_path):
    layout = replace(CertificateLayout(), paper_width=260, paper_height=185, offset_x=2, offset_y=-1.5,
                     committee=FieldPosition(150, 150, 90, 16, "centre"), date=FieldPosition(150, 162, 90, 16, "centre"),
                     number=FieldPosition(30, 172, 50, 11))
    out = tmp_path / "校准.pdf"
    assert render_calibration(layout, out) == 1
    assert page_sizes_mm(out) == [(260.0, 185.0)]
    text = "".join(pages_text(out)[0].split())
    assert "证书套打校准页" in text and "纸张260×185毫米" in text and "此线长100毫米" in text
    # each field's label with its position as printed (the offset applied) and its sample text
    assert "姓名：x50y86.5宽70毫米24磅" in text and "落款：x152y148.5宽90毫米16磅" in text
    for label in ("年度：", "星级：", "证书编号：", "日期："):
        assert label in text
    assert "张建国" in text and "五星级党员" in text
    for ruler in ("10", "100", "250", "180"):
        assert ruler in text
    assert all(emb == "yes" for _, emb in pdffonts(out))


# ---------------------------------------------------------------- the stored layout


def test_layout_validation_names_each_problem_in_chinese():
    assert validate_layout(CertificateLayout()) == {}
    errors = validate_layout(replace(
        CertificateLayout(), paper_width=40, paper_height=600, stars_style="big", offset_x=25,
        name=FieldPosition(48, 88, 70, 7)))
    assert errors["paper_width"] == "纸张宽度应在 50 到 500 毫米之间。"
    assert errors["paper_height"] == "纸张高度应在 50 到 500 毫米之间。"
    assert errors["offset_x"] == "左右整体偏移应在 -20 到 20 毫米之间。"
    assert errors["name"] == "姓名的字号应在 8 到 72 磅之间。"
    assert errors["stars_style"].startswith("星级的印法只能是")
    outside = validate_layout(replace(
        CertificateLayout(), committee=FieldPosition(250, 160, 90, 16), date=FieldPosition(-3, 172, 90, 16),
        year=FieldPosition(92, 3, 24, 18), number=FieldPosition(48, 210, 60, 12), stars=FieldPosition(190, 110, 3, 18)))
    assert outside["committee"] == "落款超出纸张右边（右端在 340 毫米，纸宽 297 毫米）。"
    assert outside["date"] == "日期超出纸张左边（左端在 -3 毫米）。"
    assert outside["year"].startswith("年度超出纸张上边")
    assert outside["number"].startswith("证书编号超出纸张下边")
    assert outside["stars"] == "星级的宽度应不小于 5 毫米。"
    # the offset counts: a field inside the paper is pushed out by it
    pushed = validate_layout(replace(CertificateLayout(), offset_x=20, committee=FieldPosition(200, 160, 90, 16)))
    assert pushed["committee"].startswith("落款超出纸张右边")
    assert validate_layout(replace(CertificateLayout(), name=FieldPosition("左", 88, 70, 20)))["name"] == \
        "姓名的位置、宽度和字号都应是数字。"


def test_layout_is_stored_as_one_json_setting(database):
    with database.read() as session:
        assert load_layout(session) == CertificateLayout()
    changed = replace(CertificateLayout(), paper_width=260, paper_height=185, offset_y=1.5, date_style="arabic",
                      committee=FieldPosition(150, 150, 90, 16, "centre"), date=FieldPosition(150, 162, 90, 16, "right"),
                      number=FieldPosition(30, 172, 50, 11))
    with database.unit_of_work() as session:
        assert save_layout(session, changed).settings
    with database.read() as session:
        assert load_layout(session) == changed
        assert '"paper_width": 260' in settings.get_value(session, SETTING_KEY)
    with pytest.raises(ValidationError, match="纸张宽度应在 50 到 500 毫米之间"), database.unit_of_work() as session:
        save_layout(session, replace(changed, paper_width=10))
    with database.read() as session:
        assert load_layout(session) == changed  # the refused layout was not stored


def test_a_broken_stored_layout_falls_back_to_the_default(database, caplog):
    for raw in ("{not json", '{"paper_width": "宽"}', '{"name": [1, 2]}', "[]"):
        with database.unit_of_work() as session:
            settings.set_value(session, SETTING_KEY, raw)
        with database.read() as session, caplog.at_level(logging.WARNING):
            assert load_layout(session) == CertificateLayout()
    assert "certificate layout" in caplog.text
    with database.unit_of_work() as session:  # a partial layout keeps the defaults for what it lacks
        settings.set_value(session, SETTING_KEY, '{"paper_width": 280, "name": {"x": 50}}')
    with database.read() as session:
        layout = load_layout(session)
    assert layout.paper_width == 280 and layout.name == FieldPosition(50, 88, 70, 24, "centre")


# ---------------------------------------------------------------- the preferred (system) font


@pytest.fixture
def system_fonts(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "Fonts"
    folder.mkdir()
    monkeypatch.setenv(base.SYSTEM_FONTS_ENV, str(folder))
    return folder


def test_without_system_fonts_the_bundled_font_is_preferred(system_fonts, monkeypatch):
    main = base.main_font_name()
    assert base.preferred_font("kai") == main and base.preferred_font("fangsong") == main
    monkeypatch.setenv(base.SYSTEM_FONTS_ENV, str(system_fonts / "missing"))
    assert base.preferred_font("kai") == main
    with pytest.raises(ValueError):
        base.preferred_font("宋体")


def stand_in_font(target: Path, tag: str = "Kai") -> None:
    """A copy of the bundled main font with its PostScript name changed (same length, so the tables stay
    sound): ReportLab treats a face it already knows as that font, so a plain copy would not show
    whether the system font was taken."""
    data = fonts.main_font().path.read_bytes()
    for encoding in ("ascii", "utf-16-be"):
        data = data.replace("WenQuanYiMicroHei".encode(encoding), f"WenQuanYiMicro{tag:.3}".encode(encoding))
    target.write_bytes(data)


def test_a_windows_kai_font_is_registered_once_and_keeps_the_fallback(system_fonts, tmp_path):
    # GIVEN a 楷体 under its Windows name (a renamed copy of the bundled font stands in for it)
    stand_in_font(system_fonts / "SIMKAI.TTF")  # Windows names are case-blind
    kai = base.preferred_font("kai")
    assert kai != base.main_font_name() and kai.startswith("KaiTi")
    assert base.preferred_font("kai") == kai  # registered once
    assert base.preferred_font("fangsong") == base.main_font_name()  # no 仿宋 there
    # THEN text in it still takes 䶮 and 𠮷 from the bundled fallback
    fallback = fonts.FONTS[1].family
    assert base.font_runs("李䶮𠮷祥", kai) == [(kai, "李"), (fallback, "䶮𠮷"), (kai, "祥")]
    assert base.markup("王㛃", kai) == f'王<font face="{fallback}">㛃</font>'
    assert base.string_width("李䶮", 12, kai) == pytest.approx(base.string_width("李䶮", 12))
    out = tmp_path / "kai.pdf"
    render_certificates(batch(item("𠮷䶮")), out)
    assert "𠮷䶮同志：" in "".join(pages_text(out)[0].split())
    used = pdffonts(out)
    assert all(emb == "yes" for _, emb in used)
    assert {name.split("+")[-1] for name, _ in used} == {"WenQuanYiMicroKai-0", "BabelStoneHan"}


def test_a_plain_copy_of_the_bundled_font_is_the_bundled_font(system_fonts):
    shutil.copy(fonts.main_font().path, system_fonts / "simkai.ttf")
    assert base.preferred_font("kai") == base.main_font_name()


def test_a_broken_system_font_falls_back_silently_and_is_logged(system_fonts, caplog, tmp_path):
    (system_fonts / "simkai.ttf").write_bytes(b"\x00\x01\x00\x00" + bytes(500))
    (system_fonts / "simfang.ttf").write_bytes(b"garbage" * 100)
    with caplog.at_level(logging.WARNING):
        assert base.preferred_font("kai") == base.main_font_name()
        assert base.preferred_font("fangsong") == base.main_font_name()
    assert "simkai.ttf" in caplog.text and "simfang.ttf" in caplog.text
    # the next candidate is still tried
    stand_in_font(system_fonts / "STKAITI.TTF", "STK")
    assert base.preferred_font("kai").startswith("STKaiti")
    out = tmp_path / "c.pdf"
    render_certificates(batch(), out)
    assert "张建国" in pages_text(out)[0]


def test_the_windows_fonts_folder_is_found_from_windir(monkeypatch, tmp_path):
    monkeypatch.delenv(base.SYSTEM_FONTS_ENV, raising=False)
    monkeypatch.setenv("WINDIR", str(tmp_path))
    assert base.system_fonts_dir() == tmp_path / "Fonts"


def test_a_character_mapped_to_an_empty_glyph_comes_from_the_fallback(system_fonts, monkeypatch):
    # GIVEN a system 楷体 that maps 李 to a glyph without an outline (AR PL UKai does so for 䶮)
    from reportlab.pdfbase import pdfmetrics

    stand_in_font(system_fonts / "simkai.ttf", "Emp")
    kai = base.preferred_font("kai")
    face = pdfmetrics.getFont(kai).face
    glyph = face.charToGlyph[ord("李")]
    emptied = list(face.glyphPos)
    emptied[glyph + 1] = emptied[glyph]
    monkeypatch.setattr(face, "glyphPos", emptied)
    # THEN 李 is set in the next font that draws it, the rest stays in 楷体
    assert base.font_runs("李四 同志", kai) == [(base.main_font_name(), "李"), (kai, "四 同志")]
