"""党员年度档案: collecting a year's files from the application's records and rendering them — one PDF with
bookmarks (and a table of contents), one PDF per member — then reading them back."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.platypus import Paragraph

from app import dues, dues_rules, meetings, members, orgs, settings
from app import evaluation_records as er
from app import evaluation_year as ey
from app.dues import DuesInput
from app.errors import ValidationError
from app.evaluation import DEFAULT_SCHEME
from app.evaluation_records import DualReportInput, RewardInput, VolunteerInput
from app.fonts import FONTS
from app.idcard import check_code
from app.meetings import MeetingInput
from app.members import MemberInput
from app.reports import annual_file, base
from app.reports.annual_data import AnnualFile, collect_annual
from app.reports.annual_file import (
    PrintCancelled,
    member_file_name,
    photo_reader,
    render_annual_file,
    render_per_member,
    safe_file_name,
    toc_pages,
)
from app.settings import CommunitySettings
from tests.app.test_reports_certificate import stand_in_font
from tests.conftest import TODAY

YEAR = 2025
ROOT = "幸福里社区党委"
GRID1 = "幸福里社区党委/第一网格党支部"
GROUP1 = "幸福里社区党委/第一网格党支部/1号楼党小组"
GRID2 = "幸福里社区党委/第二网格党支部"
COMMITTEE = "中共幸福里社区委员会"
SETTINGS = CommunitySettings(community_name="幸福里社区", committee_name=COMMITTEE)
LONG_NOTE = "坚持每周参加支部学习，认真研读党的二十大报告和党章党规，撰写学习笔记一万余字。" * 6


# ---------------------------------------------------------------- the world


def make_id(birth: str, seq: int) -> str:
    first17 = f"110105{birth}{seq:03d}"
    return first17 + check_code(first17)


def jpeg(width: int = 250, height: int = 350) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (70, 110, 170))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.25, height * 0.15, width * 0.75, height * 0.55), fill=(235, 205, 180))
    draw.rectangle((width * 0.15, height * 0.6, width * 0.85, height), fill=(30, 30, 40))
    out = BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def build_world(database) -> dict[str, int]:
    """The demo tree with five members and a 2025 on record, through the application's functions:

    - 张建国 (1号楼党小组): every kind of record — notes, meetings (absent twice), volunteer service, 双报到,
      dues with October–December unpaid, a reward, a photo; 五星 优秀 with a certificate number;
    - 李秀英 and 赵敏 (第一网格党支部): some meetings; 王䶮 and 𠮷祥 (第二网格党支部): no records at all;
    - 孙新 joined in 2026: not in the 2025 files. The year is approved on 2026-01-10."""
    ids: dict[str, int] = {}
    with database.unit_of_work() as session:
        settings.save(session, replace(SETTINGS, operator_name="李书记"))
        org = {path: orgs.find_by_path(session, path).id for path in (ROOT, GRID1, GROUP1, GRID2)}
        people = (("张建国", GROUP1, "19700301", date(1995, 7, 1)), ("李秀英", GRID1, "19720405", date(1998, 7, 1)),
                  ("赵敏", GRID1, "19800510", date(2005, 7, 1)), ("王䶮", GRID2, "19750620", date(2000, 7, 1)),
                  ("𠮷祥", GRID2, "19820715", date(2008, 7, 1)), ("孙新", GRID1, "19900101", date(2026, 5, 10)))
        for seq, (name, path, birth, joined) in enumerate(people, start=11):
            probation = joined.year == 2026
            ids[name], _ = members.create(session, MemberInput(
                name=name, id_number=make_id(birth, seq), org_id=org[path], joined_on=joined,
                category="预备党员" if probation else "正式党员",
                confirmed_on=None if probation else date(joined.year + 1, 7, 1),
                mobile="13800001234" if name == "张建国" else "", address="幸福里3号楼2单元501室",
                education="大学本科", occupation="公有经济专业技术人员", party_post="组织委员" if name == "张建国" else "",
                employer="北京市朝阳区某某医院 主治医师" if name == "张建国" else ""), today=TODAY)
        members.set_photo(session, ids["张建国"], jpeg())
    zhang = ids["张建国"]
    with database.unit_of_work() as session:
        for kind, day in ((er.Q1, date(2025, 4, 3)), (er.Q2, date(2025, 7, 2)), (er.Q3, date(2025, 10, 8)),
                          (er.Q4, date(2025, 12, 30)), (er.H1, date(2025, 7, 5)), (er.H2, date(2025, 12, 30)),
                          (er.YEAR_END, date(2025, 12, 31)), (er.SECRETARY, date(2025, 12, 31))):
            text = LONG_NOTE if kind == er.Q1 else f"{kind}：按时参加组织生活，积极参与社区志愿服务。\n带头做好楼栋联络。"
            er.save_note(session, zhang, YEAR, kind, text, today=day)
        for day, kind, absent in ((date(2025, 3, 20), "支部党员大会", ""), (date(2025, 6, 18), "支部党员大会", "外出务工"),
                                  (date(2025, 9, 17), "支部党员大会", ""), (date(2025, 12, 17), "支部党员大会", ""),
                                  (date(2025, 5, 1), "主题党日", ""), (date(2025, 7, 1), "党课", "")):
            present = [ids["李秀英"], ids["赵敏"]] + ([] if absent or day == date(2025, 5, 1) else [zhang])
            meetings.record_meeting(session, MeetingInput(org[GRID1], day, kind, f"{kind}：学习贯彻会议精神"), present,
                                    absences={zhang: absent} if absent else None, today=TODAY)
        for day, activity, hours in ((date(2025, 3, 5), "学雷锋志愿服务：为老人理发", "2"),
                                     (date(2025, 6, 8), "社区环境整治", "3.5"),
                                     (date(2025, 10, 1), "国庆节楼栋安全巡查", "4")):
            er.add_volunteer(session, zhang, VolunteerInput(day, activity, hours), today=TODAY)
        er.add_dual_report(session, zhang, DualReportInput("北京市朝阳区某某医院", date(2024, 3, 1), "义诊、健康讲座"),
                           today=TODAY)
        er.add_reward(session, zhang, RewardInput("奖励", date(2025, 7, 1), "优秀共产党员", "社区党委"), today=TODAY)
        er.set_dues_base(session, zhang, date(2025, 1, 1), dues_rules.WORKING, base_fen=600_000)
        dues.record_payment(session, DuesInput(zhang, date(2025, 1, 1), date(2025, 6, 1), 9000, date(2025, 6, 30)),
                            today=TODAY)
        dues.record_payment(session, DuesInput(zhang, date(2025, 7, 1), date(2025, 9, 1), 9000, date(2025, 9, 30)),
                            today=TODAY)
    with database.unit_of_work() as session:
        ey.open_year(session, YEAR, today=TODAY)
        scores = {"张建国": 19, "李秀英": 17, "赵敏": 15, "王䶮": 16, "𠮷祥": 13}
        grades = {"李秀英": "合格", "赵敏": "合格", "王䶮": "合格", "𠮷祥": "基本合格", "张建国": "优秀"}  # 优秀 last
        ey.set_scores(session, YEAR, [(ids[name], c, e, value) for name, value in scores.items()
                                      for c, e in DEFAULT_SCHEME.cells()])
        for name, grade in grades.items():
            ey.set_grade(session, YEAR, ids[name], grade, date(2025, 12, 20), today=TODAY)
        ey.approve(session, YEAR, today=date(2026, 1, 10))
    return ids


@pytest.fixture(scope="module")
def world(tmp_path_factory, tree_template):
    """(database, ids, files): the world above and its 2025 files, built once for the module."""
    from app.database import open_app_database

    path = tmp_path_factory.mktemp("annual") / "annual.sqlite"
    shutil.copy(tree_template, path)
    database = open_app_database(path)
    ids = build_world(database)
    with database.read() as session:
        files = collect_annual(session, YEAR, today=TODAY)
    yield database, ids, files
    database.close()


@pytest.fixture(scope="module")
def files(world) -> list[AnnualFile]:
    return world[2]


def by_name(files: list[AnnualFile]) -> dict[str, AnnualFile]:
    return {f.name: f for f in files}


def pages_text(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def flat(text: str) -> str:
    return "".join(text.split())


def outline(pdf: Path) -> list[tuple[str, int]]:
    """(title, 0-based page) of each top-level outline entry."""
    reader = PdfReader(pdf)
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


def pdffonts(pdf: Path) -> list[tuple[str, str]]:
    """(name, emb) for every font in the file, as poppler's pdffonts reports them."""
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
    return [(line.split()[0], line.split()[-5]) for line in lines[2:]]


# ---------------------------------------------------------------- collecting


def test_files_in_tree_order_of_the_year_members_only(world, files):
    database, ids, _ = world
    with database.read() as session:
        expected = [p.name for p in ey.participants(session, YEAR)]
        grid2 = collect_annual(session, YEAR, org_id=orgs.find_by_path(session, GRID2).id, today=TODAY)
        chosen = collect_annual(session, YEAR, [ids["王䶮"], ids["孙新"], ids["张建国"]], today=TODAY)
    assert [f.name for f in files] == expected
    assert "孙新" not in expected  # joined in 2026
    assert expected.index("李秀英") < expected.index("张建国")  # the branch before its group
    assert {f.name for f in grid2} == {"王䶮", "𠮷祥"}
    assert [f.name for f in chosen] == [n for n in expected if n in ("王䶮", "张建国")]


def test_the_current_year_counts_up_to_today_and_a_future_year_is_refused(world):
    database, _, _ = world
    with database.read() as session:
        current = collect_annual(session, TODAY.year, today=TODAY)
        with pytest.raises(ValidationError):
            collect_annual(session, TODAY.year + 1, today=TODAY)
    assert "孙新" in [f.name for f in current]
    assert {f.as_of for f in current} == {TODAY}
    assert by_name(current)["孙新"].basics.category == "预备党员" and by_name(current)["孙新"].basics.confirmed_on is None


def test_collected_record_agrees_with_year_record(world, files):
    database, ids, _ = world
    for f in files:
        with database.read() as session:
            record = er.year_record(session, f.member_id, YEAR, today=TODAY)
        assert [(a.kind, a.held, a.attended) for a in f.attendance] == [
            (a.kind, a.held, a.attended) for a in record.attendance]
        assert [(a.held_on, a.kind, a.reason) for a in f.absences] == [
            (a.held_on, a.kind, a.reason) for a in record.absences]
        assert [(v.served_on, v.hours_tenths) for v in f.volunteer] == [
            (v.served_on, v.hours_tenths) for v in record.volunteer]
        assert [d.employer for d in f.dual_reports] == [d.employer for d in record.dual_reports]
        assert [r.title for r in f.rewards] == [r.title for r in record.rewards]
        assert f.dues.due_fen == record.dues.due_fen and f.dues.paid_fen == record.dues.paid_fen
        assert f.dues.arrears_months == tuple(m.month for m in record.dues.arrears.months)
        assert [n.kind for n in f.notes] + ([er.SECRETARY] if f.secretary_comment else []) == list(record.notes)


def test_the_full_file_carries_every_kind_of_record(files):
    zhang = by_name(files)["张建国"]
    b = zhang.basics
    assert (b.id_number, b.org_path, b.branch, b.party_post, b.category) == (
        make_id("19700301", 11), "第一网格党支部/1号楼党小组", "第一网格党支部", "组织委员", "正式党员")
    assert zhang.photo and zhang.has_records
    assert [n.kind for n in zhang.notes] == list(er.NOTE_KINDS[:-1])
    assert zhang.secretary_comment.written_by == "李书记"
    assert zhang.attendance_total.held == 6 and zhang.attendance_total.attended == 4
    assert [a.reason for a in zhang.absences] == ["", "外出务工"]
    assert zhang.volunteer_hours_tenths == 95
    assert zhang.dues.arrears_months == (10, 11, 12) and zhang.dues.arrears_fen == 27000
    assert zhang.dues.standards == ("全年：在职，每月 90.00 元",)
    e = zhang.evaluation
    assert (e.grade, e.stars, str(e.total), e.approved_on) == ("优秀", 5, "95.0", date(2026, 1, 10))
    assert re.fullmatch(r"2025-\d{4}", e.certificate)


def test_a_member_without_records_has_none(files):
    wang = by_name(files)["王䶮"]
    assert not wang.has_records
    assert (wang.evaluation.grade, wang.evaluation.stars) == ("合格", 4)
    assert wang.photo is None


# ---------------------------------------------------------------- one PDF


@pytest.fixture(scope="module")
def batch(files, tmp_path_factory) -> tuple[Path, int]:
    out = tmp_path_factory.mktemp("batch") / "年度档案.pdf"
    return out, render_annual_file(files, out, settings=SETTINGS)


def test_one_pdf_reads_back_names_year_grades_stars_and_numbers(batch, files):
    out, pages = batch
    texts = pages_text(out)
    assert len(texts) == pages
    whole = flat("".join(texts))
    zhang = by_name(files)["张建国"]
    for name in ("张建国", "李秀英", "赵敏", "王䶮", "𠮷祥"):
        assert f"姓名：{name}" in whole or name in whole
    assert "2025年度" in whole and "党员年度档案" in whole
    assert "★★★★★五星" in whole and "★★★★☆四星" in whole
    assert "民主评议等次优秀" in whole and "民主评议等次基本合格" in whole
    assert f"证书编号{zhang.evaluation.certificate}" in whole
    assert "欠缴3个月（10月、11月、12月），共270.00元" in whole
    assert "本人签字：" in whole and "党组织书记签字：" in whole


def test_each_member_has_a_cover_and_numbered_sheets(batch, files):
    out, pages = batch
    texts = pages_text(out)
    starts = [page for _, page in outline(out)]
    assert len(starts) == len(files) and starts[0] == 0
    for f, first, end in zip(files, starts, [*starts[1:], pages], strict=True):
        cover = flat(texts[first])
        assert "党员年度档案" in cover and f.name in cover and "建档单位：" + COMMITTEE in cover
        assert "第" not in cover.replace("第一网格", "").replace("第二网格", "")  # the cover shows no page number
        sheets = end - first - 1
        for n, text in enumerate(texts[first + 1:end], start=1):
            assert f"第{n}页共{sheets}页" in flat(text)
    counts = {f.name: end - first for f, first, end in zip(files, starts, [*starts[1:], pages], strict=True)}
    # a member without records: the cover and one sheet (basics, 无记实, grade and stars, signatures)
    assert counts["王䶮"] == counts["𠮷祥"] == 2
    assert counts["张建国"] >= 4


def test_bookmarks_name_the_member_and_branch(batch, files):
    out, _ = batch
    titles = [title for title, _ in outline(out)]
    assert titles == [f"{f.name}（{f.basics.org_path}）" for f in files]
    assert "𠮷祥（第二网格党支部）" in titles


def test_absent_values_print_wu_and_no_records_say_so(batch, files):
    out, _ = batch
    texts = pages_text(out)
    starts = dict(outline(out))
    names = [f.name for f in files]
    wang = starts[f"王䶮（{by_name(files)['王䶮'].basics.org_path}）"]
    end = sorted(p for p in starts.values() if p > wang)[0] if any(p > wang for p in starts.values()) else len(texts)
    wang_text = flat("".join(texts[wang:end]))
    assert "本年度无记实记录" in wang_text
    assert "转正日期2001-07-01" in wang_text and "党内职务无" in wang_text and "联系电话无" in wang_text
    assert "民主评议与星级评定" in wang_text and "★★★★☆四星" in wang_text and "本人签字：" in wang_text
    assert "组织生活" not in wang_text.replace("民主评议", "")  # no empty sections for a member without records
    zhang_text = flat("".join(texts[starts[f"张建国（{by_name(files)['张建国'].basics.org_path}）"]:]))
    assert "缺席原因" in zhang_text and "外出务工" in zhang_text
    assert "第一季度小结" in zhang_text and "记实人：李书记" in zhang_text
    assert names  # (the order is checked above)


def test_every_font_is_embedded_and_rare_names_are_drawn(batch):
    out, _ = batch
    fonts = pdffonts(out)
    assert fonts and all(emb == "yes" for _, emb in fonts), fonts
    assert not any("Helvetica" in name for name, _ in fonts)
    assert any(name.endswith("+BabelStoneHan") for name, _ in fonts)
    text = "".join(pages_text(out))
    assert "王䶮" in text and "𠮷祥" in text


def test_long_notes_flow_over_pages_and_long_tables_repeat_their_header(files, tmp_path):
    zhang = by_name(files)["张建国"]
    many = tuple(replace(zhang.volunteer[0], activity=f"楼栋巡查第{i}次") for i in range(90))
    long_note = replace(zhang.notes[0], text="认真学习。" * 1000)
    big = replace(zhang, volunteer=many, notes=(long_note, *zhang.notes[1:]))
    out = tmp_path / "big.pdf"
    pages = render_annual_file([big], out, committee=COMMITTEE)
    texts = [flat(t) for t in pages_text(out)]
    assert pages >= 7
    assert sum("认真学习。" in t for t in texts) >= 2
    header_pages = [i for i, t in enumerate(texts) if "服务内容" in t]
    assert len(header_pages) >= 2  # the volunteer table split with its header repeated
    assert any("楼栋巡查第89次" in t for t in texts)


def test_a_remark_longer_than_a_page_splits_inside_its_row(files, tmp_path):
    zhang = by_name(files)["张建国"]
    remark = "入户走访困难老人并记录需求。" * 150  # 2,100 characters in a 26 mm column: taller than a page
    big = replace(zhang, volunteer=(replace(zhang.volunteer[0], note=remark),),
                  rewards=(replace(zhang.rewards[0], note=remark),))
    out = tmp_path / "remark.pdf"
    pages = render_annual_file([big], out, committee=COMMITTEE)
    assert pages >= 8
    assert flat("".join(pages_text(out))).count("入户走访困难老人并记录需求。") >= 290


def test_table_of_contents_points_at_each_cover(files, tmp_path):
    # GIVEN 60 members (three contents pages: 24 rows on the first, 28 on each next one)
    many = [replace(f, member_id=1000 + i, basics=replace(f.basics, name=f"{f.name}{i}" if i else f.name))
            for i, f in enumerate((files * 12)[:60])]
    out = tmp_path / "toc.pdf"
    pages = render_annual_file(many, out, settings=SETTINGS, toc=True)
    texts = pages_text(out)
    assert (annual_file.TOC_FIRST_ROWS, annual_file.TOC_LATER_ROWS) == (24, 28)
    assert toc_pages(60) == 3 and toc_pages(1) == toc_pages(24) == 1 and toc_pages(25) == toc_pages(52) == 2
    contents = "".join(texts[:3])
    assert "目录" in flat(texts[0]) and "目录" not in flat(texts[3])
    # THEN each row's page is the page of that member's cover
    rows = re.findall(r"^(\d+) (\S+) .*?\n(\d+)$", contents, flags=re.M)  # the page is a form: a line of its own
    assert len(rows) == 60
    for number, name, page in rows:
        cover = flat(texts[int(page) - 1])
        assert "党员年度档案" in cover and f"姓名：{name}" in cover, (number, name, page)
    marks = outline(out)
    assert marks[0] == ("目录", 0) and len(marks) == 61
    assert [p + 1 for _, p in marks[1:]] == [int(page) for _, _, page in rows]
    assert f"总第{pages}页" in flat(texts[-1])


def test_cancelling_the_batch_leaves_no_file(files, tmp_path):
    seen = []

    def progress(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < 2

    with pytest.raises(PrintCancelled):
        render_annual_file(files, tmp_path / "x.pdf", settings=SETTINGS, progress=progress)
    assert seen == [(0, 5), (1, 5), (2, 5)]
    assert list(tmp_path.iterdir()) == []


def test_progress_reaches_the_total(files, tmp_path):
    seen = []
    render_annual_file(files[:2], tmp_path / "x.pdf", settings=SETTINGS, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 2), (1, 2), (2, 2)]


# ---------------------------------------------------------------- photos


@pytest.mark.parametrize("data", [None, b"", b"not an image at all", jpeg()[:600], b"\x89PNG\r\n\x1a\n" + bytes(50)],
                         ids=["missing", "empty", "garbage", "truncated-jpeg", "broken-png"])
def test_a_missing_or_corrupt_photo_gets_the_empty_box(files, tmp_path, data):
    zhang = replace(by_name(files)["张建国"], photo=data)
    assert photo_reader(data) is None
    out = tmp_path / "photo.pdf"
    render_annual_file([zhang], out, committee=COMMITTEE)
    assert "照片" in flat(pages_text(out)[1])


def test_photos_in_other_formats_and_sizes_are_drawn(files, tmp_path):
    from PIL import Image

    png = BytesIO()
    Image.new("RGBA", (300, 400), (200, 20, 20, 255)).save(png, "PNG")
    huge = jpeg(3000, 4000)
    for data in (png.getvalue(), huge, jpeg()):
        reader = photo_reader(data)
        assert reader is not None and max(reader.getSize()) <= max(annual_file.MAX_JPEG_SIDE, 425)
    out = tmp_path / "photo.pdf"
    render_annual_file([replace(by_name(files)["张建国"], photo=huge)], out, committee=COMMITTEE)
    assert out.stat().st_size < 600_000  # the huge photo was scaled down, not embedded whole
    assert "照片" not in flat(pages_text(out)[1])


# ---------------------------------------------------------------- one PDF per member


def test_per_member_files_are_named_and_never_overwrite(files, tmp_path):
    folder = tmp_path / "档案"
    folder.mkdir()
    zhang = by_name(files)["张建国"]
    existing = folder / member_file_name(zhang)
    existing.write_bytes(b"keep me")
    # a second member with the same name and ID tail in the batch
    twin = replace(zhang, member_id=9999)
    paths = render_per_member([zhang, twin, by_name(files)["𠮷祥"]], folder, settings=SETTINGS)
    tail = zhang.basics.id_tail
    assert [p.name for p in paths] == [f"张建国_{tail}_2025 (2).pdf", f"张建国_{tail}_2025 (3).pdf",
                                       f"𠮷祥_{by_name(files)['𠮷祥'].basics.id_tail}_2025.pdf"]
    assert existing.read_bytes() == b"keep me"
    assert sorted(p.name for p in folder.iterdir()) == sorted([existing.name, *(p.name for p in paths)])
    reader = PdfReader(paths[0])
    assert len(reader.outline) == 1 and "张建国" in flat(reader.pages[0].extract_text())
    assert "𠮷祥" in "".join(pages_text(paths[2]))


def test_file_names_are_safe_on_windows():
    assert safe_file_name('a<b>c:d"e/f\\g|h?i*j') == "a_b_c_d_e_f_g_h_i_j"
    assert safe_file_name("张三. ") == "张三"
    assert safe_file_name("  ") == "未命名"


def test_cancelling_per_member_keeps_the_finished_files_and_no_partial_one(files, tmp_path):
    seen = []

    def progress(done: int, total: int) -> bool:
        seen.append(done)
        return done < 2

    paths = render_per_member(files, tmp_path, settings=SETTINGS, progress=progress)
    assert len(paths) == 2 and seen == [0, 1, 2]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)
    for path in paths:
        assert len(PdfReader(path).pages) >= 3


def test_two_worker_processes_give_the_same_files(files, tmp_path):
    serial = render_per_member(files, tmp_path / "one", settings=SETTINGS)
    parallel = render_per_member(files, tmp_path / "two", settings=SETTINGS, workers=2)
    assert [p.name for p in parallel] == [p.name for p in serial]
    for a, b in zip(serial, parallel, strict=True):
        assert [flat(t) for t in pages_text(a)] == [flat(t) for t in pages_text(b)]
    assert not [p for p in (tmp_path / "two").iterdir() if p.suffix != ".pdf"]


def test_cancelling_the_workers_keeps_what_was_finished(files, tmp_path):
    paths = render_per_member(files * 4, tmp_path, settings=SETTINGS, workers=2,
                              progress=lambda done, total: done < 3)
    assert 3 <= len(paths) < 20
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)


def test_official_dates_in_chinese():
    assert annual_file._chinese_date(date(2026, 1, 20)) == "二〇二六年一月二十日"
    assert annual_file._chinese_date(date(2025, 12, 31)) == "二〇二五年十二月三十一日"
    assert annual_file._chinese_date(date(2025, 10, 10)) == "二〇二五年十月十日"


# ---------------------------------------------------------------- 仿宋 when the system has it

HEI, FAN, RARE = "WenQuanYiMicroHei-0", "WenQuanYiMicroFan-0", "BabelStoneHan"  # as the PDF names them
RARE_FAMILY = FONTS[1].family  # the fallback's ReportLab name


@pytest.fixture
def system_fonts(tmp_path, monkeypatch) -> Path:
    """A system fonts folder, empty at first: no 仿宋, whatever the machine running the tests has."""
    folder = tmp_path / "Fonts"
    folder.mkdir()
    monkeypatch.setenv(base.SYSTEM_FONTS_ENV, str(folder))
    return folder


@pytest.fixture
def fangsong(system_fonts) -> str:
    """A 仿宋 under its Windows name: a copy of the bundled font with another PostScript name (a plain copy
    would be taken for the bundled font itself). Returns its ReportLab name."""
    stand_in_font(system_fonts / "simfang.ttf", "Fan")
    font = base.preferred_font("fangsong")
    assert font != base.main_font_name() and font.startswith("FangSong")
    return font


def text_fonts(pdf: Path) -> tuple[str, list[str]]:
    """The text the pages draw, in drawing order without white space, and the font of each character (without
    its subset prefix)."""
    chars: list[str] = []
    fonts: list[str] = []

    def visit(text, cm, tm, font, size) -> None:
        for char in text:
            if font is not None and not char.isspace():
                chars.append(char)
                fonts.append(str(font["/BaseFont"]).split("+")[-1])

    for page in PdfReader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return "".join(chars), fonts


def fonts_of(drawn: tuple[str, list[str]], text: str) -> set[str]:
    """The fonts of every occurrence of ``text`` (no white space) in what ``text_fonts`` read."""
    whole, fonts = drawn
    found: set[str] = set()
    start = whole.find(text)
    while start >= 0:
        found.update(fonts[start:start + len(text)])
        start = whole.find(text, start + 1)
    return found


def embedded_fonts(pdf: Path) -> set[str]:
    fonts = pdffonts(pdf)
    assert fonts and all(emb == "yes" for _, emb in fonts), fonts
    return {name.split("+")[-1] for name, _ in fonts}


def test_with_a_system_fangsong_the_sheets_are_set_in_it(files, fangsong, tmp_path):
    # GIVEN a system 仿宋; the whole batch with its table of contents
    out = tmp_path / "仿宋.pdf"
    pages = render_annual_file(files, out, settings=SETTINGS, toc=True)
    # THEN the file embeds 仿宋 beside the bundled fonts (headings, rare characters)
    assert embedded_fonts(out) == {FAN, HEI, RARE}
    drawn = text_fonts(out)
    text = flat("".join(pages_text(out)))
    assert "王䶮" in text and "𠮷祥" in text and "姓名：王䶮" in text
    # the body in 仿宋: paragraphs, every kind of table cell (labels and values drawn as plain strings by the
    # table, Paragraph cells), the cover's lines, the contents' rows, the signatures
    for body in ("带头做好楼栋联络。", "民主评议等次", "公民身份号码", "大学本科", "组织委员", "应缴（元）", "外出务工",
                 "优秀共产党员", "建档单位", "中共幸福里社区委员会", "第二网格党支部", "本人签字：", "（党组织盖章）",
                 "记实人：李书记", "填写人：李书记"):
        assert fonts_of(drawn, body) == {FAN}, body
    # headings, the cover's title, the running header and the page numbers in the bundled font
    for heading in ("一、基本信息", "七、民主评议与星级评定", "第一季度小结", "党员年度档案", "第1页共", "总第"):
        assert fonts_of(drawn, heading) == {HEI}, heading
    # rare characters still from the bundled fallback, in 仿宋 text and in headings alike
    assert fonts_of(drawn, "䶮") == fonts_of(drawn, "𠮷") == {RARE}
    assert fonts_of(drawn, "姓名王䶮") == {FAN, RARE}  # the name's cell: 仿宋 around the fallback
    # the one-pass contents still point at each member's cover
    rows = re.findall(r"^(\d+) (\S+) .*?\n(\d+)$", pages_text(out)[0], flags=re.M)
    assert [name for _, name, _ in rows] == [f.name for f in files]
    assert [int(page) - 1 for _, _, page in rows] == [page for _, page in outline(out)[1:]]
    assert f"总第{pages}页" in flat(pages_text(out)[-1])


def test_the_sheets_tables_and_cells_take_the_chosen_font(fangsong):
    st = annual_file._Styles()
    assert st.font == fangsong and {st.cell.fontName, st.value.fontName, st.text.fontName} == {fangsong}
    # a one-line value the font draws is a plain string (drawn in the table's FONT); one needing the fallback
    # or too wide for its column a Paragraph in 仿宋 with the fallback
    assert annual_file._p("张建国", st.value, 38) == "张建国"
    rare = annual_file._p("王䶮", st.value, 38)
    assert isinstance(rare, Paragraph) and rare.style.fontName == fangsong
    assert f'<font face="{RARE_FAMILY}">䶮</font>' in rare.text
    assert isinstance(annual_file._p("幸福里社区" * 8, st.value, 38), Paragraph)
    table = annual_file._sheet([["月份", "1月"], ["应缴（元）", "90.00"]], (20, 20), font=st.font)
    assert {style.fontname for row in table._cellStyles for style in row} == {fangsong}


def test_the_remembered_font_runs_are_font_runs(fangsong):
    texts = ("王䶮", "李秀英", "𠮷祥 同志", "", "幸福里3号楼2单元501室（堃喆㛃）", "王䶮", "李秀英䶮", "★★☆")
    for font in (fangsong, None, base.main_font_name()):
        for _ in range(2):  # the second time from what the first one saw
            assert [annual_file._runs(text, font) for text in texts] == [base.font_runs(text, font) for text in texts]
            assert annual_file._width("王䶮 2025", 10.5, font) == base.string_width("王䶮 2025", 10.5, font)


def test_without_a_system_fangsong_the_bundled_fonts_only(files, system_fonts, tmp_path):
    assert annual_file._Styles().font == base.main_font_name()
    out = tmp_path / "bundled.pdf"
    render_annual_file(files, out, settings=SETTINGS)
    assert embedded_fonts(out) == {HEI, RARE}
    drawn = text_fonts(out)
    assert fonts_of(drawn, "民主评议等次") == fonts_of(drawn, "本人签字：") == fonts_of(drawn, "大学本科") == {HEI}
    assert set(drawn[1]) == {HEI, RARE}
    assert "王䶮" in "".join(pages_text(out))


def test_a_corrupt_system_fangsong_falls_back_silently(files, system_fonts, tmp_path, caplog):
    (system_fonts / "simfang.ttf").write_bytes(b"\x00\x01\x00\x00" + bytes(500))
    (system_fonts / "STFANGSO.TTF").write_bytes(b"garbage" * 100)
    out = tmp_path / "corrupt.pdf"
    with caplog.at_level(logging.WARNING):
        render_annual_file([by_name(files)["王䶮"], by_name(files)["张建国"]], out, settings=SETTINGS)
    assert embedded_fonts(out) == {HEI, RARE}
    assert "王䶮" in "".join(pages_text(out))
    assert "simfang.ttf" in caplog.text and "STFANGSO.TTF" in caplog.text


def test_worker_processes_take_the_same_fangsong(files, fangsong, tmp_path):
    # the spawned workers inherit the environment and register the system 仿宋 themselves
    serial = render_per_member(files, tmp_path / "one", settings=SETTINGS)
    parallel = render_per_member(files, tmp_path / "two", settings=SETTINGS, workers=2)
    for a, b in zip(serial, parallel, strict=True):
        assert embedded_fonts(b) == embedded_fonts(a) and FAN in embedded_fonts(b)
        assert [flat(t) for t in pages_text(a)] == [flat(t) for t in pages_text(b)]
        assert text_fonts(a) == text_fonts(b)
    wang = next(p for p in parallel if p.name.startswith("王䶮"))
    assert embedded_fonts(wang) == {FAN, HEI, RARE} and "王䶮" in "".join(pages_text(wang))
