"""流动党员花名册 (外出, 流入) and 待联系党员名单: rendered from a database with records, contacts and inflow
members, and read back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import update

from app import floating, members, orgs, settings
from app.floating import ContactInput, OutflowInput
from app.floating_inflow import InflowInput, depart, register_inflow
from app.members import MemberInput
from app.reports import floating_roster
from app.reports.floating_roster import FloatingRosterData, OutflowLine, collect, render_floating_roster
from app.settings import CommunitySettings
from db.models import FloatingRecord
from tests.conftest import TODAY
from tests.data.make_excel_fixtures import make_id

PROJECT = Path(__file__).resolve().parents[2]
COMMUNITY = CommunitySettings(community_name="红星社区", committee_name="中共红星社区委员会")
ROOT = "红星社区党委"


def _pdffonts(pdf: Path) -> list[tuple[str, str]]:
    """(name, emb) for every font in the file, as poppler's pdffonts reports them."""
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
    return [(line.split()[0], line.split()[-5]) for line in lines[2:]]


def _pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def _flat(text: str) -> str:
    """Cell text read back without the line breaks a narrow column makes."""
    return "".join(text.split())


# Who is away and how the records make each status on TODAY (2026-11-22; 即将失联 from five months).
AWAY = {
    # name: (leave date, successful contact, failed attempt, certificate valid until)
    "赵正常": (date(2026, 10, 1), None, None, None),  # six months end 2027-04-01
    "钱将失": (date(2026, 6, 10), None, None, date(2027, 6, 9)),  # crosses 2026-12-10: 即将失联, 18 days left
    "孙待联": (date(2026, 3, 1), None, None, date(2026, 6, 30)),  # crossed 2026-09-01, no attempt: 待联系; expired
    "李失联": (date(2026, 1, 15), None, date(2026, 10, 1), None),  # crossed 2026-07-15, failed since: 失联
    "周联系": (date(2025, 12, 1), date(2026, 10, 20), None, None),  # reached a month ago: 正常
    "吴转出": (date(2026, 2, 10), None, None, None),  # left the ledger while away
    "郑补全": (date(2026, 9, 1), None, None, None),  # made from the old flag: 待补全
}


@pytest.fixture
def community(database) -> dict[str, int]:
    """红星社区 with a branch and a group, the members of AWAY away, inflow members here and gone."""
    ids: dict[str, int] = {}
    with database.unit_of_work() as session:
        settings.save(session, COMMUNITY)
        root, _ = orgs.create(session, None, orgs.OrgInput(name=ROOT, kind="党委"), today=TODAY)
        branch, _ = orgs.create(session, root, orgs.OrgInput(name="第一网格党支部", kind="党支部"), today=TODAY)
        group, _ = orgs.create(session, branch, orgs.OrgInput(name="2号楼党小组", kind="党小组"), today=TODAY)
        for seq, (name, (left, reached, failed, valid_until)) in enumerate(AWAY.items(), start=11):
            member_id, _ = members.create(session, MemberInput(
                name=name, id_number=make_id("19700101", f"{seq:03d}"), org_id=group if seq % 2 else branch,
                joined_on=date(1995, 7, 1), category="正式党员", confirmed_on=date(1996, 7, 1)), today=TODAY)
            ids[name] = member_id
            record_id, _ = floating.register_outflow(session, member_id, OutflowInput(
                left_on=left, destination_province="广东省", destination_city="深圳市",
                employer="深圳市华强北电子科技有限公司", reason="务工经商", management_mode="流入地代管",
                certificate_no="LD2026001" if valid_until else "",
                certificate_issued_on=left if valid_until else None, certificate_valid_until=valid_until), today=TODAY)
            ids[f"record:{name}"] = record_id
            if reached:
                floating.add_contact(session, member_id, ContactInput(reached, "电话", True), today=TODAY)
            if failed:
                floating.add_contact(session, member_id, ContactInput(failed, "电话", False), today=TODAY)
        members.leave(session, ids["吴转出"], "转出", date(2026, 8, 1), "迁居", transferred_to="某街道党工委",
                      today=TODAY)
        session.execute(update(FloatingRecord).where(FloatingRecord.id == ids["record:郑补全"])
                        .values(incomplete=True, employer="", management_mode=""))
        # One returned: not on the roster.
        gone, _ = members.create(session, MemberInput(
            name="王已回", id_number=make_id("19700101", "099"), org_id=branch, joined_on=date(1995, 7, 1),
            category="正式党员", confirmed_on=date(1996, 7, 1)), today=TODAY)
        back, _ = floating.register_outflow(session, gone, OutflowInput(
            left_on=date(2025, 3, 1), destination_city="杭州", reason="学习"), today=TODAY)
        floating.return_home(session, back, date(2025, 9, 1), today=TODAY)
        register_inflow(session, InflowInput(
            name="曹操", id_number=make_id("19850101", "083"), mobile="13900000001",
            home_org="河南省许昌市魏都区某某街道党工委第三社区党支部", arrived_on=date(2025, 3, 1),
            certificate_kind="流动党员活动证", certificate_no="HN001", certificate_valid_until=date(2026, 3, 1),
            host_org_id=branch, building="3号楼", unit="2单元", address="101室"), today=TODAY)
        register_inflow(session, InflowInput(name="李䶮", home_org="浙江省杭州市某某党委", arrived_on=date(2026, 2, 1),
                                             host_org_id=group), today=TODAY)
        left, _ = register_inflow(session, InflowInput(name="孙权", home_org="江苏省某某党委",
                                                       arrived_on=date(2024, 1, 1), host_org_id=branch), today=TODAY)
        depart(session, left, date(2025, 6, 30), "回原籍", today=TODAY)
    return ids


def render(database, tmp_path, lists=floating_roster.DEFAULT_LISTS, name="roster.pdf") -> tuple[Path, int]:
    with database.read() as session:
        data = collect(session, TODAY, lists)
    out = tmp_path / name
    return out, render_floating_roster(data, out)


# ---------------------------------------------------------------- collecting


def test_collect_gives_every_open_record_a_status(database, community):
    with database.read() as session:
        data = collect(session, TODAY, floating_roster.LISTS)
    lines = {line.name: line for line in data.outflow}
    assert set(lines) == set(AWAY)  # 王已回 returned: not listed
    assert {name: line.contact_status for name, line in lines.items()} == {
        "赵正常": "正常", "钱将失": "即将失联", "孙待联": "待联系", "李失联": "失联", "周联系": "正常",
        "吴转出": "", "郑补全": "正常"}
    assert (lines["吴转出"].member_status, lines["吴转出"].member_left_on) == ("转出", date(2026, 8, 1))
    assert lines["孙待联"].certificate_expired and not lines["钱将失"].certificate_expired
    assert lines["郑补全"].incomplete and lines["赵正常"].org == "第一网格党支部/2号楼党小组"
    assert lines["赵正常"].sex == "男"
    assert [line.name for line in data.to_contact] == ["李失联", "孙待联", "钱将失"]  # most urgent first
    assert data.to_contact[-1].days_left == 18
    assert [line.name for line in data.inflow] == ["曹操", "李䶮"]  # 孙权 has left
    assert data.inflow[0].residence == "3号楼 2单元 101室" and data.inflow[0].host_org == "第一网格党支部"
    assert data.inflow[0].certificate_expired


# ---------------------------------------------------------------- the default file: 外出 then 流入


def test_default_file_has_the_outflow_and_the_inflow_roster(database, community, tmp_path):
    out, count = render(database, tmp_path)
    pages = _pages(out)
    assert count == len(pages) >= 2
    text = _flat("".join(pages))
    assert "红星社区外出流动党员花名册" in _flat(pages[0])
    assert "填报单位：中共红星社区委员会" in _flat(pages[0]) and "打印日期：2026年11月22日" in _flat(pages[0])
    for name in AWAY:
        assert name in text
    assert "王已回" not in text and "孙权" not in text
    for word in ("即将失联", "待联系", "失联", "已过期", "已转出", "外出期间已转出", "待补全"):
        assert word in text, word
    # The inflow roster starts on a page of its own, with its own title.
    inflow_first = next(i for i, page in enumerate(pages) if "红星社区流入党员花名册" in _flat(page))
    assert inflow_first >= 1 and "外出流动党员花名册" not in _flat(pages[inflow_first])
    inflow = _flat("".join(pages[inflow_first:]))
    for word in ("曹操", "李䶮", "13900000001", "河南省许昌市魏都区某某街道党工委第三社区党支部", "3号楼2单元101室",
                 "流动党员活动证", "HN001", "已过期", "合计：流入党员2人"):
        assert word in inflow, word
    assert "待联系党员名单" not in text
    meta = PdfReader(out).metadata
    assert meta.title == "红星社区流动党员花名册" and meta.author == "中共红星社区委员会"


def test_summary_counts_the_statuses(database, community, tmp_path):
    out, _ = render(database, tmp_path, (floating_roster.OUTFLOW,))
    text = _flat("".join(_pages(out)))
    assert "合计：外出流动党员7人，其中正常3人、即将失联1人、待联系1人、失联1人；外出期间已离开党员台账1人" in text
    assert "登记信息待补全1人" in text and "活动证已过期1人" in text


def test_empty_cells_print_wu(tmp_path):
    empty = FloatingRosterData(COMMUNITY, TODAY, (floating_roster.OUTFLOW,), (OutflowLine(
        "欧阳建国", "", "", date(2026, 1, 1), "", "", "", "", "", None, False, "正常", "在册", None, False),))
    render_floating_roster(empty, tmp_path / "empty.pdf")
    row = _flat(_pages(tmp_path / "empty.pdf")[0])
    # 性别, 所在党组织, 流向, 工作单位, 外出原因, 管理方式, 活动证, 备注
    assert row.count("无") == 8


# ---------------------------------------------------------------- 待联系党员名单


def test_to_contact_list(database, community, tmp_path):
    out, count = render(database, tmp_path, (floating_roster.TO_CONTACT,), "contact.pdf")
    assert count == 1
    text = _flat(_pages(out)[0])
    assert "红星社区待联系党员名单" in text
    positions = [text.index(name) for name in ("李失联", "孙待联", "钱将失")]
    assert positions == sorted(positions)  # most urgent first
    for word in ("失联", "2026-07-15", "已超过130天", "待联系", "2026-09-01", "已超过82天", "即将失联", "2026-12-10",
                 "还剩18天", "请尽快联系", "合计：待联系党员3人（即将失联1人、待联系1人、失联1人）"):
        assert word in text, word
    for name in ("赵正常", "周联系", "吴转出", "郑补全"):
        assert name not in text
    assert PdfReader(out).metadata.title == "红星社区待联系党员名单"


def test_empty_lists_still_print_a_sheet(database, tmp_path):
    with database.unit_of_work() as session:
        settings.save(session, COMMUNITY)
    out, count = render(database, tmp_path, floating_roster.LISTS)
    assert count == 3
    text = _flat("".join(_pages(out)))
    for word in ("目前没有外出流动党员", "目前没有登记在册的流入党员", "目前没有需要联系的外出流动党员"):
        assert word in text


# ---------------------------------------------------------------- pages, fonts


def test_long_lists_repeat_the_header_and_number_the_pages(tmp_path):
    lines = tuple(
        OutflowLine(f"张{i:02d}号", "男", "第一网格党支部/2号楼党小组", date(2026, 1, 1) + timedelta(days=i), "广东省 深圳市",
                    "深圳市华强北电子科技有限公司", "务工经商", "流入地代管", f"LD{i:05d}", date(2026, 6, 1), True,
                    "待联系", "在册", None, False)
        for i in range(40)
    )
    data = FloatingRosterData(COMMUNITY, TODAY, (floating_roster.OUTFLOW, floating_roster.INFLOW), lines)
    out = tmp_path / "long.pdf"
    count = render_floating_roster(data, out)
    pages = _pages(out)
    assert count == len(pages) >= 5
    for number, page in enumerate(pages, start=1):
        flat = _flat(page)
        assert f"第{number}页共{count}页" in flat
        if number < count:  # the outflow pages
            assert "序号" in flat and "活动证号" in flat and "联系状态" in flat
    assert "红星社区外出流动党员花名册（续）" in _flat(pages[1])
    assert "目前没有登记在册的流入党员" in _flat(pages[-1])
    assert "（续）" not in _flat(pages[-1])  # a section's first page has no running header
    text = _flat("".join(pages))
    assert all(f"张{i:02d}号" in text for i in range(40))
    assert text.count("已过期") == 40 + 1  # each certificate, and the summary


def test_every_font_is_embedded(database, community, tmp_path):
    out, _ = render(database, tmp_path, floating_roster.LISTS)
    fonts = _pdffonts(out)
    assert fonts
    assert all(emb == "yes" for _, emb in fonts), fonts
    assert not any("Helvetica" in name for name, _ in fonts)
    # 李䶮 (Extension A) is set in the fallback font and reads back whole.
    assert any(name.endswith("+BabelStoneHan") for name, _ in fonts), fonts
    assert "李䶮" in "".join(_pages(out))


def test_a_failing_render_leaves_no_file(tmp_path):
    line = OutflowLine("张三", "男", "第一网格党支部", date(2026, 1, 1), "广东省" * 2000, "", "务工经商", "", "", None,
                       False, "正常", "在册", None, False)
    out = tmp_path / "roster.pdf"
    from app.errors import AppError

    with pytest.raises(AppError, match="太长"):
        render_floating_roster(FloatingRosterData(COMMUNITY, TODAY, (floating_roster.OUTFLOW,), (line,)), out)
    assert list(tmp_path.iterdir()) == []


def test_org_paths_break_at_a_level():
    style = floating_roster.stylesheet()["cell"]
    assert floating_roster._org_text("第一网格党支部", 90, style) == "第一网格党支部"
    assert floating_roster._org_text("第一网格党支部/2号楼党小组", 90, style) == "第一网格党支部/\n2号楼党小组"
    assert floating_roster._org_text("", 90, style) == "无"


def test_days_left_in_words():
    assert [floating_roster.days_left_text(d) for d in (18, 0, -3)] == ["还剩 18 天", "今天满六个月", "已超过 3 天"]


# ---------------------------------------------------------------- CLI


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(PROJECT))
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=PROJECT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_cli_prints_the_lists(db_path, database, community, tmp_path):
    database.close()
    out = tmp_path / "流动党员.pdf"
    done = run_cli("print", "floating", "--db", str(db_path), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "已生成流动党员花名册" in done.stdout and "页）" in done.stdout
    text = _flat("".join(_pages(out)))
    assert "外出流动党员花名册" in text and "流入党员花名册" in text and "赵正常" in text and "曹操" in text

    contact = tmp_path / "待联系.pdf"
    done = run_cli("print", "floating", "--db", str(db_path), "--out", str(contact), "--list", "to-contact")
    assert done.returncode == 0, done.stderr
    assert "已生成待联系党员名单" in done.stdout and "待联系党员名单" in _flat(_pages(contact)[0])

    wrong = run_cli("print", "floating", "--db", str(db_path), "--out", str(contact), "--list", "lost")
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr

    nowhere = run_cli("print", "floating", "--db", str(db_path), "--out", str(tmp_path / "没有的文件夹" / "x.pdf"))
    assert nowhere.returncode == 1
    assert "无法保存文件" in nowhere.stderr and "Traceback" not in nowhere.stderr


def test_residence_leaves_out_what_the_address_already_says():
    from app.reports.floating_roster import residence_of

    assert residence_of("1号楼", "1单元", "幸福里1号楼1单元404") == "幸福里1号楼1单元404"
    assert residence_of("1号楼", "2单元", "404室") == "1号楼 2单元 404室"
    assert residence_of("3号楼", "", "") == "3号楼"
