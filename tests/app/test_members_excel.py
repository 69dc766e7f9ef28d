"""Member import and export: messy sheets, bad files, preview → apply, the database refusing, round trip, CLI."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import audit, members, members_export, members_import, orgs
from app.errors import DatabaseLockedError, ReadOnlyError
from app.members import MemberFilter, MemberInput
from app.members_import import ExcelError, ImportCancelled, MissingOrg
from db.models import ChangeLog, Member, MemberSearchKey
from tests.conftest import DATA_DIR, TODAY
from tests.data.make_excel_fixtures import (
    LI,
    MESSY_EXPECTED,
    MESSY_REJECTED,
    ORG_TREE,
    ROOT,
    WANG,
    ZHANG,
    big_roster,
    make_id,
)

PROJECT = Path(__file__).resolve().parents[2]
FIRST = f"{ROOT}/第一网格党支部"
SECOND = f"{ROOT}/第二网格党支部"
RETIRED = f"{ROOT}/离退休党支部"


def build_tree(database) -> dict[str, int]:
    ids: dict[str, int] = {}
    with database.unit_of_work("tree") as session:
        for path, kind in ORG_TREE:
            parent, _, name = path.rpartition("/")
            ids[path], _ = orgs.create(session, ids.get(parent), orgs.OrgInput(name=name, kind=kind), today=TODAY)
    return ids


@pytest.fixture
def tree(database) -> dict[str, int]:
    return build_tree(database)


@pytest.fixture
def messy(tmp_path) -> Path:
    """A copy of the messy sheet, so its error report lands in the test's folder."""
    path = tmp_path / "花名册.xlsx"
    shutil.copy(DATA_DIR / "messy_roster.xlsx", path)
    return path


def preview(database, path, **options) -> members_import.ImportPreview:
    with database.read() as session:
        return members_import.preview(session, path, today=TODAY, **options)


def count_members(database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(Member))


def stored(database) -> dict[str, tuple[MemberInput, str]]:
    """Every member by ID number: (the record's input, its organisation's path)."""
    with database.read() as session:
        paths = {n.id: n.path for n in orgs.list_tree(session, include_dissolved=True)}
        result = {}
        for member_id in session.scalars(select(Member.id)):
            record = members.get(session, member_id)
            result[record.data.id_number] = (replace(record.data, org_id=None), paths[record.data.org_id])
        return result


def write_sheet(path: Path, headers: list[str], rows: list[list], *, title: str = "Sheet1") -> Path:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = title
    ws.append(headers)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


# ---------------------------------------------------------------- headers and reading


@pytest.mark.parametrize(
    ("written", "field"),
    [("公民身份\n号码", "id_number"), ("*姓名", "name"), ("姓\u3000名", "name"), ("身份证号（必填）", "id_number"),
     ("入党时间", "joined_on"), ("转正日期", "confirmed_on"), ("所在党支部", "org"), ("联系电话", "mobile"),
     ("座机", "landline"), ("现居住地", "address"), ("党员类别", "category"), ("职业", "occupation"),
     ("工作单位", "employer"), ("失联日期", "lost_contact_on"), ("流动党员", "floating"), ("流向", "floating_destination"),
     ("报到单位", "report_unit"), ("是否困难党员", "in_hardship"), ("＊身份证", "id_number")],
)
def test_headers_match_their_variants(written, field):
    assert members_import.HEADER_INDEX[members_import.normalise_header(written)] == field


def test_the_messy_sheet_is_read_below_its_title_rows(messy):
    book = members_import.read_workbook(messy)
    (sheet,) = book.sheets
    assert sheet.header_row == 3
    assert sheet.ignored == ("序号",)
    # blank row, note, repeated header, section title and total row are left out
    assert [number for number, _ in sheet.rows] == [4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18]
    org = sheet.columns["org"]
    assert [cells[org] for _, cells in sheet.rows[:3]] == ["第一网格党支部"] * 3  # the merged cell, filled


def test_a_two_level_header_with_merged_cells(database, tree, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.append(["姓名", "身份证号", "联系方式", None, "所在党组织", "人员类别", "入党日期"])
    ws.append([None, None, "手机", "固定电话"])
    ws.append(["钱进", make_id("19700101", "011"), "13700000001", "010-62345678", FIRST, "预备党员", "2026.1.5"])
    for cells in ("A1:A2", "B1:B2", "C1:D1", "E1:E2", "F1:F2", "G1:G2"):
        ws.merge_cells(cells)
    book.save(tmp_path / "h.xlsx")
    result = preview(database, tmp_path / "h.xlsx")
    assert result.sheets[0].header_row == 2
    (row,) = result.to_add
    assert (row.data.mobile, row.data.landline, row.data.joined_on) == ("13700000001", "010-62345678", date(2026, 1, 5))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not_excel.xlsx", "文件不是有效的 Excel 工作簿"),
        ("empty_sheet.xlsx", "工作表“Sheet1”是空的"),
        ("no_header.xlsx", "找不到表头：前 20 行中没有一行同时有“姓名”和“身份证号”"),
    ],
)
def test_bad_files_get_a_clear_message_and_nothing_is_written(database, tree, name, message):
    with pytest.raises(ExcelError, match=message):
        preview(database, DATA_DIR / name)
    assert count_members(database) == 0


def test_no_header_message_names_the_expected_headers(database):
    with pytest.raises(ExcelError) as caught:
        members_import.read_workbook(DATA_DIR / "no_header.xlsx")
    assert "入党日期" in str(caught.value) and "所在党组织" in str(caught.value)


def test_missing_file_and_wrong_type(tmp_path):
    with pytest.raises(ExcelError, match="找不到文件"):
        members_import.read_workbook(tmp_path / "nothing.xlsx")
    csv = tmp_path / "名单.csv"
    csv.write_text("姓名,身份证号\n", encoding="utf-8")
    with pytest.raises(ExcelError, match="不支持的文件类型“.csv”"):
        members_import.read_workbook(csv)


def test_a_sheet_with_only_headers_is_refused(tmp_path):
    path = members_import.write_template(tmp_path / "模板.xlsx")
    with pytest.raises(ExcelError, match="只有表头"):
        members_import.read_workbook(path, "党员花名册")


def test_several_sheets_one_or_all(database, tree):
    path = DATA_DIR / "two_sheets.xlsx"
    assert members_import.sheet_names(path) == ["第一网格", "第二网格", "说明"]
    second = preview(database, path, sheet="第二网格")
    assert [r.name for r in second.to_add] == ["卫东", "蒋英"]
    assert second.sheets[0].header_row == 2
    everything = preview(database, path)
    assert len(everything.to_add) == 5 and not everything.rejected
    assert everything.skipped_sheets == ("工作表“说明”中没有“姓名”和“身份证号”表头，未导入",)
    with pytest.raises(ExcelError, match="没有名为“第三网格”的工作表"):
        preview(database, path, sheet="第三网格")


def test_an_ods_sheet_with_a_merged_organisation(database, tree):
    result = preview(database, DATA_DIR / "roster.ods")
    assert [(r.name, r.data.org_id) for r in result.to_add] == [("郑和", tree[RETIRED]), ("韩梅", tree[RETIRED])]
    assert result.to_add[0].data.joined_on == date(1990, 7, 1)


# ---------------------------------------------------------------- preview


def test_messy_sheet_preview(database, tree, messy):
    result = preview(database, messy)
    added = {r.name: r for r in result.to_add}
    assert set(added) == set(MESSY_EXPECTED)
    for name, (number, path) in MESSY_EXPECTED.items():
        assert added[name].data.id_number == number
        assert added[name].data.org_id == tree[path]
    zhang, li, wang, zhao = added["张建国"].data, added["李秀英"].data, added["王伟"].data, added["赵敏"].data
    assert zhang.id_number == ZHANG and zhang.mobile == "13812345678"  # spaces cleaned; a number cell as text
    assert (zhang.joined_on, zhang.confirmed_on) == (date(1995, 7, 1), date(1996, 7, 1))  # date cell; 1996.7.1
    assert zhang.birth_date == date(1970, 3, 1)  # 出生年月 1970.03 with the day from the ID
    assert li.id_number == LI and li.id_number.endswith("X")  # lower-case x
    assert (li.joined_on, li.confirmed_on) == (date(1998, 6, 15), date(1999, 6, 15))  # serial; 1999年6月15日
    assert li.category == "正式党员" and li.mobile == "13912345678" and li.sex == "女"
    assert wang.id_number == WANG and wang.joined_on == date(2026, 3, 1)  # full-width digits; 2026-03
    assert wang.category == "预备党员" and wang.confirmed_on is None and wang.ethnicity == "回族"
    assert zhao.joined_on == date(2001, 7, 1)  # 2001年7月1日

    reasons = {r.name: r.reason for r in result.rejected}
    assert {r.name: r.row_number for r in result.rejected} == MESSY_REJECTED
    assert "请将身份证号列设为文本格式" in reasons["刘洋"]
    assert "在表中重复出现（与第 14 行相同）" in reasons["陈静"]
    assert "在表中重复出现（与第 13 行相同）" in reasons["杨帆"]
    assert "校验位不正确" in reasons["黄磊"]
    assert "名称不唯一：“1号楼党小组”" in reasons["吴芳"] and "请写完整路径" in reasons["吴芳"]
    assert [r.name for r in result.waiting] == ["周涛"]
    assert result.missing_orgs == (MissingOrg("第九网格党支部", 1, 0),)
    assert (len(result.to_add), len(result.to_update), len(result.rejected), result.total) == (5, 0, 5, 11)
    assert "新增 5 人" in result.summary() and "第九网格党支部 1 行" in result.summary()
    assert count_members(database) == 0  # a preview writes nothing


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("2001.13.1", "入党日期“2001.13.1”无法识别"),
        ("2001年2月30日", "不存在：2001 年 2 月只有 28 天"),
        (2001.07, "被 Excel 存成了数字"),
        ("2030-01-01", "入党日期不能晚于今天"),
        ("去年", "无法识别"),
    ],
)
def test_malformed_dates_are_named(database, tree, tmp_path, cell, message):
    number = make_id("19700101", "011")
    path = write_sheet(tmp_path / "d.xlsx", ["姓名", "身份证号", "所在党组织", "人员类别", "入党日期"],
                       [["钱进", number, FIRST, "预备党员", cell]])
    (row,) = preview(database, path).rejected
    assert message in row.reason


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (float(make_id("19700101", "011")), "请将身份证号列设为文本格式"),
        ("1.10105E+17", "请将身份证号列设为文本格式"),
        ("11010519700101011", "应为 18 位"),
        (make_id("19700101", "011")[:17] + ("0" if make_id("19700101", "011")[17] != "0" else "1"), "校验位不正确"),
        ("11010519701301011X", "不是有效日期"),
        ("", "请填写身份证号"),
    ],
)
def test_malformed_ids_are_named(database, tree, tmp_path, cell, message):
    path = write_sheet(tmp_path / "i.xlsx", ["姓名", "身份证号", "所在党组织", "人员类别", "入党日期"],
                       [["钱进", cell, FIRST, "预备党员", date(2020, 1, 1)], ["冯刚", make_id("19710101", "011"), FIRST,
                                                                          "预备党员", date(2026, 1, 1)]])
    result = preview(database, path)
    assert [r.name for r in result.to_add] == ["冯刚"]
    (row,) = result.rejected
    assert message in row.reason


def test_fifteen_digit_ids_are_stored_in_their_eighteen_digit_form(database, tree, tmp_path):
    path = write_sheet(tmp_path / "i.xlsx", ["姓名", "身份证号", "所在党组织", "人员类别", "入党日期"],
                       [["钱进", "110105700101011", FIRST, "预备党员", date(2026, 1, 1)]])
    (row,) = preview(database, path).to_add
    assert row.data.id_number == make_id("19700101", "011")


# ---------------------------------------------------------------- apply


def test_apply_writes_good_rows_in_one_go_and_reports_the_rest(database, tree, messy):
    from openpyxl import load_workbook

    result = members_import.apply(database, preview(database, messy))
    assert (result.added, result.updated, result.rejected) == (5, 0, 6)  # 周涛's organisation was not resolved
    assert result.report_path == messy.with_name("花名册_错误报告.xlsx") and result.report_path.exists()
    assert set(stored(database)) == {number for number, _ in MESSY_EXPECTED.values()}
    with database.read() as session:
        log = audit.entries(session, "members")
        keys = set(session.scalars(select(MemberSearchKey.key)))
        by_initials = members.ordered_ids(session, MemberFilter(text="zjg"))
    assert [e.action for e in log].count("新增") == 5 and log[-1].action == "导入"
    assert "导入 5 人，更新 0 人" in log[-1].detail
    assert {"zjg", "建国"} <= keys and len(by_initials) == 1

    book = load_workbook(result.report_path)
    ws = book["党员花名册"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["序号", "*姓名", "性 别", "公民身份\n号码"] and headers[-2:] == ["错误原因", "原行号"]
    rows = {r[1].value: r for r in ws.iter_rows(min_row=2)}
    assert set(rows) == {*MESSY_REJECTED, "周涛"}
    assert rows["刘洋"][3].data_type == "s" and rows["刘洋"][3].number_format == "@"  # the ID as text
    assert "不存在" in rows["周涛"][-2].value and rows["周涛"][-1].value == 16
    # The report, corrected or not, can be imported again: its header is recognised.
    again = preview(database, result.report_path)
    assert len(again.rejected) + len(again.waiting) == 6


def test_a_missing_organisation_is_created_under_a_parent(database, tree, messy):
    result = members_import.apply(database, preview(database, messy), create_missing_under=tree[ROOT])
    assert result.added == 6 and result.created_orgs == (f"{ROOT}/第九网格党支部",)
    assert result.changes.orgs and result.changes.members
    with database.read() as session:
        node = orgs.find_by_path(session, f"{ROOT}/第九网格党支部")
    assert node.kind == "党支部"
    assert stored(database)[make_id("19850808", "443")][1] == node.path


def test_a_missing_organisation_is_mapped_to_an_existing_one(database, tree, messy):
    result = members_import.apply(database, preview(database, messy),
                                  org_mapping={"第九网格党支部": tree[RETIRED]})
    assert result.added == 6 and result.created_orgs == ()
    assert stored(database)[make_id("19850808", "443")][1] == RETIRED


def test_organisations_by_path_by_name_and_path_tail(database, tree, tmp_path):
    rows = [
        ["钱进", make_id("19700101", "011"), f"{ROOT} / 第一网格党支部 / 1号楼党小组"],
        ["冯刚", make_id("19710101", "011"), "第二网格党支部/1号楼党小组"],
        ["褚红", make_id("19720101", "011"), "离退休党支部"],
        ["卫东", make_id("19730101", "011"), "1号楼党小组"],
    ]
    path = write_sheet(tmp_path / "o.xlsx", ["姓名", "身份证号", "所在党组织", "人员类别", "入党日期"],
                       [[*r, "预备党员", date(2026, 1, 1)] for r in rows])
    result = preview(database, path)
    assert {r.name: r.data.org_id for r in result.to_add} == {
        "钱进": tree[f"{FIRST}/1号楼党小组"], "冯刚": tree[f"{SECOND}/1号楼党小组"], "褚红": tree[RETIRED]}
    (ambiguous,) = result.rejected
    assert ambiguous.name == "卫东" and "名称不唯一" in ambiguous.reason


def test_reimport_updates_by_id_and_a_blank_cell_keeps_the_value(database, tree, tmp_path):
    headers = ["姓名", "身份证号", "所在党组织", "人员类别", "入党日期", "转正日期", "手机", "家庭住址", "备注"]
    qian, feng = make_id("19700101", "011"), make_id("19710101", "011")
    first = write_sheet(tmp_path / "a.xlsx", headers, [
        ["钱进", qian, FIRST, "正式党员", date(1995, 7, 1), date(1996, 7, 1), "13700000001", "幸福路 1 号", "老党员"],
        ["冯刚", feng, FIRST, "正式党员", date(1996, 7, 1), date(1997, 7, 1), "13700000002", "幸福路 2 号", None],
    ])
    assert members_import.apply(database, preview(database, first)).added == 2
    second = write_sheet(tmp_path / "b.xlsx", ["姓名", "身份证号", "手机", "家庭住址", "备注"], [
        ["钱进", qian.lower(), "13900000009", None, "无"],  # new phone; address kept; 无 clears the note
        ["冯刚", feng, "13700000002", None, None],  # nothing changes
    ])
    again = preview(database, second)
    assert [r.name for r in again.to_update] == ["钱进"] and [r.name for r in again.unchanged] == ["冯刚"]
    assert again.to_update[0].changes == ("手机：13700000001 → 13900000009",)
    result = members_import.apply(database, again)
    assert (result.added, result.updated, result.unchanged, result.rejected) == (0, 1, 1, 0)
    record, path = stored(database)[qian]
    assert (record.mobile, record.address, record.note, path) == ("13900000009", "幸福路 1 号", "", FIRST)
    assert record.ethnicity == "" and record.standing == "正常"  # no 民族 column: left empty, not guessed
    with database.read() as session:
        member_id = members.find_by_id_number(session, qian)
        history = audit.entries(session, "members", member_id)
    assert history[-1].action == "修改" and history[-1].detail == "导入：手机：13700000001 → 13900000009"


def test_rows_registered_after_the_preview_are_refused(database, tree, tmp_path):
    number = make_id("19700101", "011")
    path = write_sheet(tmp_path / "a.xlsx", ["姓名", "身份证号", "所在党组织", "人员类别", "入党日期"],
                       [["钱进", number, FIRST, "预备党员", date(2026, 1, 1)]])
    waiting = preview(database, path)
    with database.unit_of_work() as session:
        members.create(session, waiting.to_add[0].data, today=TODAY)
    result = members_import.apply(database, waiting)
    assert (result.added, result.rejected) == (0, 1) and "在预览之后已被登记" in result.rejected_rows[0].reason


# ---------------------------------------------------------------- the database refusing, cancelling


def test_a_locked_database_writes_nothing(db_path, tree, messy):
    from db.database import open_database

    database = open_database(db_path, busy_timeout_ms=100)
    try:
        ready = preview(database, messy)
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(DatabaseLockedError, match="数据库正被其他程序占用"):
                members_import.apply(database, ready)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert count_members(database) == 0
        assert not members_import.default_report_path(messy).exists()
    finally:
        database.close()


def test_a_read_only_database_writes_nothing(db_path, tree, messy):
    from app.database import open_app_database

    database = open_app_database(db_path, readonly=True)
    try:
        ready = preview(database, messy)  # reading works
        with pytest.raises(ReadOnlyError, match="只读模式"):
            members_import.apply(database, ready)
        assert count_members(database) == 0
        assert not members_import.default_report_path(messy).exists()
    finally:
        database.close()


def test_cancel_midway_writes_nothing(database, tree, tmp_path):
    path = tmp_path / "big.xlsx"
    big_roster(path, 1_200, columns=("姓名", "身份证号", "所在党组织", "人员类别", "入党日期", "转正日期"))
    ready = preview(database, path)
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))

    with pytest.raises(ImportCancelled, match="已取消导入"):
        members_import.apply(database, ready, progress=progress, cancelled=lambda: bool(seen) and seen[-1][0] >= 500)
    assert seen[-1] == (500, len(ready.to_add))
    assert count_members(database) == 0
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.area == "members")) == 0
    assert not members_import.default_report_path(path).exists()

    with pytest.raises(ImportCancelled):  # the preview can be cancelled too
        preview(database, path, cancelled=lambda: True)


def test_progress_runs_to_the_end(database, tree):
    seen: list[tuple[int, int]] = []
    ready = preview(database, DATA_DIR / "two_sheets.xlsx", progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)
    seen.clear()
    members_import.apply(database, ready, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)


def test_ten_thousand_rows_with_ten_percent_bad(database, tree, tmp_path):
    # The speed is measured in bench/import_members.py; here the counts.
    path = tmp_path / "big.xlsx"
    bad = big_roster(path, 10_000, columns=("姓名", "身份证号", "所在党组织", "人员类别", "入党日期", "转正日期", "手机"))
    ready = preview(database, path)
    assert (len(ready.to_add), len(ready.rejected), bad) == (9_000, 1_000, 1_000)
    result = members_import.apply(database, ready)
    assert (result.added, result.rejected) == (9_000, 1_000)
    assert count_members(database) == 9_000
    with database.read() as session:
        assert members.ordered_ids(session, MemberFilter(text=ready.to_add[0].data.id_number[-6:]))


# ---------------------------------------------------------------- export and the template


def full_record(org_id: int, **changes) -> MemberInput:
    values = dict(
        name="欧阳建国", id_number=make_id("19600229", "013"), org_id=org_id, joined_on=date(1985, 7, 1),
        category="正式党员", confirmed_on=date(1987, 7, 1), probation_extended=True, ethnicity="满族",
        native_place="河北保定", education="硕士研究生", degree="硕士", occupation="离退休人员",
        employer="某研究所 高级工程师", work_started_on=date(1982, 8, 1), report_unit="区科委",
        party_post="组织委员", mobile="13812345678", landline="010-62345678", address="幸福路 8 号 2-301",
        standing="正常", lost_contact=False, floating=True, floating_destination="广东省深圳市", in_hardship=True,
        introducers="王芳、李强", note="第一行\n第二行",
    )
    values.update(changes)
    return MemberInput(**values)


def test_export_then_import_round_trips_exactly(database, tree, tmp_path, migrated_template):
    from openpyxl import load_workbook

    from app.database import open_app_database

    records = [
        full_record(tree[FIRST]),
        full_record(tree[f"{SECOND}/1号楼党小组"], name="李秀英", id_number=make_id("19750612", "022"),
                    category="预备党员", confirmed_on=None, probation_extended=False, joined_on=date(2026, 2, 1),
                    floating=False, floating_destination="", lost_contact=True, lost_contact_on=date(2025, 3, 1),
                    in_hardship=False, degree="", party_post="", landline="", mobile="", note="",
                    work_started_on=None),
        full_record(tree[RETIRED], name="㛃丽", id_number=make_id("19500101", "024"), ethnicity="汉族",
                    standing="停止党籍", confirmed_on=date(1986, 7, 1), probation_extended=False),
    ]
    with database.unit_of_work() as session:
        for record in records:
            member_id, _ = members.create(session, record, today=TODAY)
            # the derived flags, as the 流动党员之家's records set them
            member = session.get(Member, member_id)
            for name in members.DERIVED_DEFAULTS:
                setattr(member, name, getattr(record, name))
    out = tmp_path / "导出" / "台账.xlsx"
    with database.read() as session:
        assert members_export.export(session, MemberFilter(), out) == 3
    ws = load_workbook(out)["党员花名册"]
    headers = [c.value for c in ws[1]]
    assert headers == [c.header for c in members_import.COLUMNS]
    first = {h: c for h, c in zip(headers, ws[2], strict=True)}
    assert first["身份证号"].data_type == "s" and first["手机"].data_type == "s"
    assert first["入党日期"].is_date and first["所在党组织"].value.startswith(ROOT + "/")
    # the export writes the derived values
    rows = {r[headers.index("姓名")].value: {h: c.value for h, c in zip(headers, r, strict=True)}
            for r in ws.iter_rows(min_row=2)}
    assert (rows["欧阳建国"]["是否流动党员"], rows["欧阳建国"]["外出流向"]) == ("是", "广东省深圳市")
    assert rows["李秀英"]["是否失联党员"] == "是" and rows["李秀英"]["失去联系日期"].date() == date(2025, 3, 1)

    other_path = tmp_path / "other.sqlite"
    shutil.copy(migrated_template, other_path)
    other = open_app_database(other_path)
    try:
        build_tree(other)
        ready = preview(other, out)
        assert (len(ready.to_add), len(ready.rejected), len(ready.waiting)) == (3, 0, 0)
        # the derived columns are recognised, left out, and the report says so
        (note,) = ready.notes
        assert "本次导入已忽略" in note and "是否流动党员" in note and "流动党员之家" in note
        assert ready.sheets[0].ignored == ()
        members_import.apply(other, ready)
        derived_cleared = {k: (replace(v, **members.DERIVED_DEFAULTS), p) for k, (v, p) in stored(database).items()}
        assert stored(other) == derived_cleared
        assert len(preview(other, out).unchanged) == 3  # and again: nothing to change
    finally:
        other.close()


def test_export_follows_the_filter(database, tree, tmp_path):
    with database.unit_of_work() as session:
        kept, _ = members.create(session, full_record(tree[FIRST]), today=TODAY)
        gone, _ = members.create(session, full_record(tree[RETIRED], name="张三", id_number=make_id("19610101", "011")),
                                 today=TODAY)
        members.leave(session, gone, "转出", TODAY, "搬家", transferred_to="某街道党工委", today=TODAY)
    with database.read() as session:
        assert members_export.export(session, MemberFilter(org_id=tree[RETIRED]), tmp_path / "a.xlsx") == 0
        assert members_export.export(session, MemberFilter(statuses=members.STATUSES), tmp_path / "b.xlsx") == 2
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "b.xlsx").active
    headers = [c.value for c in ws[1]]
    assert headers[-4:] == ["状态", "离开日期", "离开原因", "转往党组织"]
    # Members who left cannot come in through an import; those on the ledger are unchanged.
    again = preview(database, tmp_path / "b.xlsx")
    assert len(again.unchanged) == 2 and not again.rejected  # 转出 as stored: its fields may be updated
    fresh = write_sheet(tmp_path / "c.xlsx", headers, [[c.value for c in row] for row in ws.iter_rows(min_row=2)])
    with database.unit_of_work() as session:
        session.execute(Member.__table__.delete().where(Member.id == gone))
    (refused,) = preview(database, fresh).rejected
    assert "状态为“转出”的党员不能通过导入新增" in refused.reason


def test_template_has_the_headers_text_formats_and_instructions(database, tree, tmp_path):
    from openpyxl import load_workbook

    path = members_import.write_template(tmp_path / "模板.xlsx", org_paths=[FIRST, SECOND])
    book = load_workbook(path)
    assert book.sheetnames == ["党员花名册", "可选值", "填写说明"]
    ws = book["党员花名册"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["*姓名", "性别", "*身份证号"]
    assert "是否流动党员" not in headers and "失去联系日期" not in headers  # derived: not filled in by hand
    assert ws.column_dimensions["C"].number_format == "@"
    assert len(ws.data_validations.dataValidation) >= 8
    # Filled in by hand, it imports.
    ws.append(["钱进", None, make_id("19700101", "011"), None, None, "大学本科", "正式党员", FIRST, date(1995, 7, 1),
               date(1996, 7, 1)])
    book.save(path)
    ready = preview(database, path)
    assert [r.name for r in ready.to_add] == ["钱进"] and ready.skipped_sheets


# ---------------------------------------------------------------- CLI


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(PROJECT))
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=PROJECT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_cli_exit_codes(db_path, database, tree, messy, tmp_path):
    database.close()
    done = run_cli("import", "members", str(DATA_DIR / "two_sheets.xlsx"), "--db", str(db_path),
                   "--sheet", "第一网格")
    assert done.returncode == 0, done.stderr
    assert "新增 3 人" in done.stdout

    dry = run_cli("import", "members", str(messy), "--db", str(db_path), "--dry-run", "--create-orgs")
    assert dry.returncode == 1, dry.stderr
    assert "试运行" in dry.stdout and "新增 6 人" in dry.stdout

    some = run_cli("import", "members", str(messy), "--db", str(db_path), "--report", str(tmp_path / "r.xlsx"))
    assert some.returncode == 1, some.stderr
    assert "新增 5 人" in some.stdout and "拒绝 6 行" in some.stdout and str(tmp_path / "r.xlsx") in some.stdout
    assert "第 12 行 刘洋：身份证号被 Excel 存成了数字" in some.stdout
    assert (tmp_path / "r.xlsx").exists()

    bad = run_cli("import", "members", str(DATA_DIR / "not_excel.xlsx"), "--db", str(db_path))
    assert bad.returncode == 2 and "文件不是有效的 Excel 工作簿" in bad.stderr and "未写入任何数据" in bad.stderr

    out = tmp_path / "导出.xlsx"
    exported = run_cli("export", "members", "--db", str(db_path), "--out", str(out), "--org", "第一网格党支部")
    assert exported.returncode == 0, exported.stderr
    assert "已导出 7 名党员" in exported.stdout and out.exists()  # the branch and its groups


def test_cli_locked_database_exits_2(db_path, tree, messy, database):
    database.close()
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("PRAGMA busy_timeout=0")
    other.execute("BEGIN IMMEDIATE")
    try:
        locked = run_cli("import", "members", str(messy), "--db", str(db_path))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert locked.returncode == 2 and "数据库正被其他程序占用" in locked.stderr
    assert not members_import.default_report_path(messy).exists()


def test_import_and_export_modules_load_no_excel_library_and_no_qt():
    code = ("import sys, app.members_import, app.members_export, app.__main__; "
            "print(sorted(m for m in ('openpyxl', 'python_calamine', 'PySide6') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
