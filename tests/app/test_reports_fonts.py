"""The bundled fonts (app/fonts.py) and the renderer base (app/reports/base.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from app import fonts
from app.errors import AppError, ResourceError
from app.paths import resource_path

ROOT = Path(__file__).resolve().parents[2]


def _fonts_in(pdf: Path) -> set[str]:
    names = set()
    for page in PdfReader(pdf).pages:
        for ref in page["/Resources"]["/Font"].values():
            names.add(str(ref.get_object()["/BaseFont"]).split("+")[-1])
    return names


@pytest.fixture
def fonts_folder(tmp_path, monkeypatch) -> Path:
    """Resources resolve into an empty temporary folder; a test puts (broken) fonts in it."""
    folder = tmp_path / "fonts"
    folder.mkdir()
    monkeypatch.setattr(fonts, "resource_path", lambda *parts: tmp_path.joinpath(*parts))
    return folder


# ---------------------------------------------------------------- app.fonts


def test_bundled_fonts_are_present_and_usable():
    fonts.check_fonts()
    paths = fonts.font_paths()
    assert paths[0] == resource_path("fonts", "wqy-microhei.ttc") == fonts.main_font().path
    assert all(path.is_file() for path in paths)
    assert [f.role for f in fonts.FONTS] == ["main", "fallback"]


def test_missing_font_names_the_file_in_chinese(fonts_folder):
    with pytest.raises(ResourceError, match=r"字体文件缺失：.*wqy-microhei\.ttc，请重新安装本程序。"):
        fonts.check_fonts()


@pytest.mark.parametrize("content", [b"", b"garbage " * 100, b"OTTO" + bytes(200)], ids=["empty", "garbage", "cff"])
def test_broken_font_names_the_file_in_chinese(fonts_folder, content):
    (fonts_folder / "wqy-microhei.ttc").write_bytes(content)
    with pytest.raises(ResourceError, match=r"字体文件已损坏或无法读取：.*wqy-microhei\.ttc"):
        fonts.check_fonts()


def test_truncated_fallback_font_is_broken(fonts_folder):
    for font in fonts.FONTS:
        real = resource_path("fonts", font.file).read_bytes()
        (fonts_folder / font.file).write_bytes(real if font.role == "main" else real[: len(real) // 2])
    with pytest.raises(ResourceError, match="BabelStoneHan-ExtAB.ttf"):
        fonts.check_fonts()


def test_message_shows_a_path_relative_to_the_program():
    assert fonts.main_font().display_path == "resources/fonts/wqy-microhei.ttc"


def test_importing_app_loads_neither_reportlab_nor_qt():
    code = ("import sys, app, app.fonts, app.orgs, app.settings; "
            "assert 'reportlab' not in sys.modules; "
            "import app.reports.orgs_roster; assert 'PySide6' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# ---------------------------------------------------------------- ReportLab registration


def test_registration_is_idempotent():
    from reportlab.pdfbase import pdfmetrics

    from app.reports import base

    names = base.register_fonts()
    assert names == tuple(f.family for f in fonts.FONTS)
    first = pdfmetrics.getFont(names[0])
    assert base.register_fonts() == names
    assert pdfmetrics.getFont(names[0]) is first


def test_registration_with_a_missing_font_raises_resource_error(fonts_folder, monkeypatch):
    from app.reports import base

    monkeypatch.setattr(base, "_fonts", ())
    with pytest.raises(ResourceError, match="字体文件缺失"):
        base.register_fonts()


def test_registration_with_a_font_reportlab_cannot_parse_raises_resource_error(fonts_folder, monkeypatch):
    # GIVEN a font whose header is sound but whose tables are zeros (it passes check_fonts)
    from app.reports import base

    for font in fonts.FONTS:
        real = resource_path("fonts", font.file).read_bytes()
        (fonts_folder / font.file).write_bytes(real[:4096] + bytes(len(real) - 4096))
    fonts.check_fonts()
    monkeypatch.setattr(base, "_fonts", ())
    # THEN ReportLab's failure becomes a ResourceError naming the file
    with pytest.raises(ResourceError, match=r"字体文件无法使用：.*wqy-microhei\.ttc"):
        base.register_fonts()


# ---------------------------------------------------------------- glyph fallback


def test_text_is_split_into_runs_by_font():
    from app.reports.base import font_runs

    main, fallback = (f.family for f in fonts.FONTS)
    assert font_runs("李䶮和𠮷祥") == [(main, "李"), (fallback, "䶮"), (main, "和"), (fallback, "𠮷"), (main, "祥")]
    assert font_runs("") == []


def test_markup_escapes_and_wraps_fallback_runs():
    from app.reports.base import markup

    assert markup("A&B <楼>\n王㛃") == 'A&amp;B &lt;楼&gt;<br/>王<font face="BabelStone Han">㛃</font>'


def test_string_width_sums_the_runs():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from app.reports.base import string_width

    expected = stringWidth("李", "WenQuanYi Micro Hei", 12) + stringWidth("䶮", "BabelStone Han", 12)
    assert string_width("李䶮", 12) == pytest.approx(expected)
    assert string_width("䶮", 12) > 0


def test_rare_characters_are_drawn_with_the_fallback_font(tmp_path):
    # GIVEN a paragraph and a canvas line with characters beyond the main font
    from reportlab.platypus import Flowable

    from app.reports.base import draw_string, paragraph, stylesheet, write_pdf

    class Line(Flowable):
        def wrap(self, available_width, available_height):
            return available_width, 20

        def draw(self):
            draw_string(self.canv, 0, 0, "组长：𠮷大海", 12)

    out = tmp_path / "rare.pdf"
    write_pdf(out, [paragraph("书记：李䶮，委员：王㛃", stylesheet()["body"]), Line()], title="生僻字", author="测试")
    # THEN both fonts are in the file and the characters come back out as text
    assert _fonts_in(out) == {"WenQuanYiMicroHei-0", "BabelStoneHan"}
    text = PdfReader(out).pages[0].extract_text()
    assert "书记：李䶮，委员：王㛃" in text
    assert "组长：𠮷大海" in text


# ---------------------------------------------------------------- documents


def test_document_has_metadata_a4_pages_and_page_numbers(tmp_path):
    from reportlab.platypus import PageBreak

    from app.reports.base import paragraph, stylesheet, write_pdf

    styles = stylesheet()
    out = tmp_path / "doc.pdf"
    pages = write_pdf(out, [paragraph("第一页", styles["body"]), PageBreak(), paragraph("第二页", styles["body"])],
                      title="测试文档", author="中共幸福里社区委员会", running_header="测试文档（续）")
    reader = PdfReader(out)
    assert pages == len(reader.pages) == 2
    assert reader.metadata.title == "测试文档"
    assert reader.metadata.author == "中共幸福里社区委员会"
    assert [round(float(p.mediabox.width)) for p in reader.pages] == [595, 595]
    first, second = (p.extract_text() for p in reader.pages)
    assert "第 1 页 共 2 页" in first and "测试文档（续）" not in first
    assert "第 2 页 共 2 页" in second and "测试文档（续）" in second


def test_landscape_pages(tmp_path):
    from app.reports.base import paragraph, stylesheet, write_pdf

    out = tmp_path / "wide.pdf"
    write_pdf(out, [paragraph("横向", stylesheet()["body"])], title="横向", author="测试", landscape=True)
    box = PdfReader(out).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


def test_failed_render_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path):
    # GIVEN an earlier PDF at the target and a story that fails halfway
    from reportlab.platypus import Flowable

    from app.reports.base import paragraph, stylesheet, write_pdf

    class Broken(Flowable):
        def wrap(self, available_width, available_height):
            raise RuntimeError("boom")

    out = tmp_path / "名册.pdf"
    out.write_bytes(b"earlier version")
    with pytest.raises(RuntimeError):
        write_pdf(out, [paragraph("开头", stylesheet()["body"]), Broken()], title="坏", author="测试")
    # THEN the earlier file is untouched and nothing else was left behind
    assert out.read_bytes() == b"earlier version"
    assert [p.name for p in tmp_path.iterdir()] == ["名册.pdf"]


def test_unwritable_target_is_an_app_error(tmp_path):
    from app.reports.base import paragraph, stylesheet, write_pdf

    with pytest.raises(AppError, match="无法保存文件"):
        write_pdf(tmp_path / "没有这个文件夹" / "x.pdf", [paragraph("内容", stylesheet()["body"])],
                  title="x", author="测试")
    assert list(tmp_path.iterdir()) == []


def test_no_line_of_a_paragraph_starts_with_chinese_punctuation():
    """ReportLab's CJK rules lack "，；：": a summary wrapped at some widths began a line with "，"."""
    from reportlab.lib.styles import ParagraphStyle

    from app.reports.base import paragraph, stylesheet

    style = ParagraphStyle("t", stylesheet()["body"], fontSize=10.5, leading=18.5, firstLineIndent=21)
    text = ("本季度立足社区岗位，按时参加组织生活，认真完成网格走访任务；认真学习全国两会精神；参加走访慰问独居老人、"
            "义务植树等志愿服务 5 小时；按时交纳党费。今后要多关心楼栋邻里，及时反映群众诉求：好！")
    starts = []
    for width in range(200, 500):
        wrapped = paragraph(text, style)
        wrapped.wrap(width, 10_000)
        starts += [(width, words[0][:1]) for _extra, words in wrapped.blPara.lines if words]
    assert starts and not [s for s in starts if s[1] in "，；：！？"]


def test_a_document_is_never_moved_onto_a_folder_or_a_device(tmp_path):
    """Saving replaces the target with the finished temporary file: onto /dev/null (as root) that made the
    device a plain file. A folder, a pipe or a device is refused before anything is rendered."""
    import os

    from app.reports.base import paragraph, stylesheet, write_pdf

    pipe = tmp_path / "管道.pdf"
    os.mkfifo(pipe)
    folder = tmp_path / "文件夹.pdf"
    folder.mkdir()
    for target in (pipe, folder):
        with pytest.raises(AppError, match="不能保存到这里"):
            write_pdf(target, [paragraph("测试", stylesheet()["body"])], title="测试", author="测试")
    assert pipe.exists() and not pipe.is_file() and folder.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["文件夹.pdf", "管道.pdf"]  # no temporary left
