"""党组织名册: rendered from the demo community and read back."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from app import orgs, settings
from app.errors import AppError
from app.orgs import OrgNode
from app.reports.orgs_roster import RosterData, render_orgs_roster
from app.settings import CommunitySettings
from tests.conftest import TODAY

ROOT = Path(__file__).resolve().parents[2]


def _pdffonts(pdf: Path) -> list[tuple[str, str]]:
    """(name, emb) for every font in the file, as poppler's pdffonts reports them."""
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
    return [(line.split()[0], line.split()[-5]) for line in lines[2:]]


def _pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


@pytest.fixture
def demo_roster(demo_database, tmp_path) -> tuple[RosterData, Path, int]:
    with demo_database.read() as session:
        data = RosterData(settings=settings.load(session), nodes=orgs.list_tree(session), printed_on=TODAY)
    out = tmp_path / "党组织名册.pdf"
    return data, out, render_orgs_roster(data, out)


def _node(name: str, **fields) -> OrgNode:
    fields = {"kind": "党支部", "path": name, "depth": 0, "sort_order": 0, **fields}
    return OrgNode(id=1, parent_id=None, name=name, **fields)


def test_demo_roster_lists_every_organisation(demo_roster):
    data, out, page_count = demo_roster
    pages = _pages(out)
    assert page_count == len(pages) >= 2
    text = "".join(pages)
    assert f"{data.settings.community_name}党组织名册" in pages[0]
    assert f"填报单位：{data.settings.committee_name}" in pages[0]
    assert "打印日期：2026年11月22日" in pages[0]
    for node in data.nodes:
        assert node.name in text
        assert node.secretary in text
    assert f"共 {len(data.nodes)} 个党组织" in pages[-1]
    assert "党委 1 个" in pages[-1]


def test_every_page_has_the_header_row_and_its_number(demo_roster):
    data, out, page_count = demo_roster
    for number, text in enumerate(_pages(out), start=1):
        assert "序号" in text and "组织名称" in text and "届满日期" in text
        assert f"第 {number} 页 共 {page_count} 页" in text
    assert f"{data.settings.community_name}党组织名册（续）" in _pages(out)[1]


def test_empty_cells_print_wu(demo_roster):
    # GIVEN the demo community, whose building groups have a 组长 and no other committee members
    data, out, _ = demo_roster
    empty = sum(
        [not node.secretary, len(node.committee) <= 1, not node.place, node.founded_on is None,
         node.term_ends_on is None].count(True)
        for node in data.nodes
    )
    assert empty
    # THEN every empty cell says 无, and the 组长 is not repeated among the committee
    text = "".join(_pages(out))
    assert text.count("无") == empty
    assert "组长：" not in text


def test_a_node_with_nothing_filled_in_prints_wu_in_every_cell(tmp_path):
    out = tmp_path / "empty.pdf"
    render_orgs_roster(RosterData(CommunitySettings(community_name="阳光社区"), [_node("新建党支部")], TODAY), out)
    text = _pages(out)[0]
    # 填报单位, 书记/组长, 班子成员, 所在网格/楼栋, 成立日期, 届满日期
    assert text.count("无") == 6


def test_metadata(demo_roster):
    data, out, _ = demo_roster
    meta = PdfReader(out).metadata
    assert meta.title == f"{data.settings.community_name}党组织名册"
    assert meta.author == data.settings.committee_name


def test_every_font_is_embedded(demo_roster):
    _, out, _ = demo_roster
    fonts = _pdffonts(out)
    assert fonts
    assert all(emb == "yes" for _, emb in fonts), fonts
    assert not any("Helvetica" in name for name, _ in fonts)


def test_rare_characters_in_names_use_the_fallback_font(tmp_path):
    # GIVEN a group and its leader whose names are outside the main font (Extension B and A)
    node = _node("𠮷祥里党小组", kind="党小组", committee=(("组长", "李䶮"), ("委员", "王㛃")))
    out = tmp_path / "rare.pdf"
    render_orgs_roster(RosterData(CommunitySettings(community_name="𠮷祥里社区"), [node], TODAY), out)
    # THEN they are set in BabelStone Han, embedded, and read back whole
    fonts = dict(_pdffonts(out))
    assert any(name.endswith("+BabelStoneHan") and emb == "yes" for name, emb in fonts.items()), fonts
    text = _pages(out)[0]
    for word in ("𠮷祥里社区党组织名册", "𠮷祥里党小组", "李䶮", "王㛃"):
        assert word in text


def test_an_empty_tree_still_prints_a_sheet(tmp_path):
    out = tmp_path / "none.pdf"
    assert render_orgs_roster(RosterData(CommunitySettings(community_name="阳光社区"), [], TODAY), out) == 1
    assert "尚未建立党组织" in _pages(out)[0]


def test_a_failing_render_leaves_no_file(tmp_path):
    # GIVEN a place so long that its row cannot fit on one page
    node = _node("第一网格党支部", place="第一网格" * 2000)
    out = tmp_path / "roster.pdf"
    with pytest.raises(AppError, match="太长"):
        render_orgs_roster(RosterData(CommunitySettings(community_name="阳光社区"), [node], TODAY), out)
    assert list(tmp_path.iterdir()) == []


def test_tree_order_and_depth_are_kept(demo_roster):
    data, out, _ = demo_roster
    text = "".join(_pages(out))
    positions = [text.index(node.name) for node in data.nodes if text.count(node.name) == 1]
    assert positions == sorted(positions)


def test_dates_printed_as_iso(tmp_path):
    node = _node("第一网格党支部", founded_on=date(2024, 3, 5), term_ends_on=date(2029, 3, 5))
    out = tmp_path / "dates.pdf"
    render_orgs_roster(RosterData(CommunitySettings(community_name="阳光社区"), [node], TODAY), out)
    assert "2024-03-05" in _pages(out)[0] and "2029-03-05" in _pages(out)[0]


def test_cli_prints_the_roster(demo_db_path, tmp_path):
    out = tmp_path / "名册.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "app", "print", "orgs", "--db", str(demo_db_path), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "已生成党组织名册" in result.stdout
    assert "第一网格党支部" in "".join(_pages(out))


def test_cli_reports_an_unwritable_target_in_chinese(demo_db_path, tmp_path):
    out = tmp_path / "没有的文件夹" / "名册.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "app", "print", "orgs", "--db", str(demo_db_path), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "无法保存文件" in result.stderr and "Traceback" not in result.stderr
