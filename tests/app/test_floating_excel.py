"""流动党员 import and export: messy sheets, rejections with reasons, the error report, dry run, the database
refusing, export → import round trip, the template, the CLI's exit codes."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import audit, floating, floating_export, floating_import, members, orgs
from app.errors import DatabaseLockedError, ReadOnlyError
from app.floating import ContactInput, OutflowInput
from app.floating_import import ExcelError, ImportCancelled
from app.floating_inflow import InflowInput, depart, register_inflow
from app.members import MemberInput
from db.models import ContactLog, FloatingRecord, InflowMember, Member
from tests.conftest import DATA_DIR, TODAY
from tests.data.make_excel_fixtures import (
    CAO_CAO,
    FLOATING_ADDED,
    FLOATING_LEDGER,
    FLOATING_REJECTED,
    NOT_IN_LEDGER,
    ORG_TREE,
    ROOT,
    SUN_QUAN,
    make_id,
)

PROJECT = Path(__file__).resolve().parents[2]
FIRST = f"{ROOT}/第一网格党支部"
SECOND = f"{ROOT}/第二网格党支部"
TRIP = OutflowInput(left_on=date(2026, 3, 1), destination_province="广东省", destination_city="深圳市",
                    employer="华强电子厂", reason="务工经商", management_mode="流出地直管")


def build_tree(database) -> dict[str, int]:
    ids: dict[str, int] = {}
    with database.unit_of_work("tree") as session:
        for path, kind in ORG_TREE:
            parent, _, name = path.rpartition("/")
            ids[path], _ = orgs.create(session, ids.get(parent), orgs.OrgInput(name=name, kind=kind), today=TODAY)
    return ids


def build_ledger(database, tree: dict[str, int]) -> dict[str, int]:
    """The members the floating sheets name, all 在册; name → member id."""
    ids = {}
    with database.unit_of_work("ledger") as session:
        for name, (number, path, joined) in FLOATING_LEDGER.items():
            ids[name], _ = members.create(session, MemberInput(
                name=name, id_number=number, org_id=tree[path], joined_on=joined, category="正式党员",
                confirmed_on=date(joined.year + 1, joined.month, joined.day)), today=TODAY)
    return ids


@pytest.fixture
def tree(database) -> dict[str, int]:
    return build_tree(database)


@pytest.fixture
def ledger(database, tree) -> dict[str, int]:
    ids = build_ledger(database, tree)
    with database.unit_of_work() as session:
        members.leave(session, ids["卫东"], "转出", date(2026, 9, 1), "工作调动", transferred_to="某街道党工委",
                      today=TODAY)
    return ids


@pytest.fixture
def messy(tmp_path) -> Path:
    path = tmp_path / "流动党员.xlsx"
    shutil.copy(DATA_DIR / "floating_messy.xlsx", path)
    return path


def preview(database, path, **options) -> floating_import.ImportPreview:
    with database.read() as session:
        return floating_import.preview(session, path, today=TODAY, **options)


def apply(database, ready, **options) -> floating_import.ImportResult:
    # The use cases check dates against today; the preview's today (TODAY) is the one apply uses.
    return floating_import.apply(database, ready, **options)


def counts(database) -> tuple[int, int]:
    with database.read() as session:
        return (session.scalar(select(func.count()).select_from(FloatingRecord)),
                session.scalar(select(func.count()).select_from(InflowMember)))


def write_sheet(path: Path, headers: list[str], rows: list[list], *, title: str = "外出流动党员") -> Path:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = title
    ws.append(headers)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


OUT_HEADERS = ["姓名", "公民身份号码", "外出日期", "返回日期", "外出省份", "外出城市", "外出原因"]


def one_row(database, tmp_path, cells: list, headers: list[str] = OUT_HEADERS, title: str = "外出流动党员"):
    path = write_sheet(tmp_path / "one.xlsx", headers, [cells], title=title)
    return preview(database, path)


def by_place(rows) -> dict[tuple[str, int], floating_import.ImportRow]:
    return {(r.sheet, r.row_number): r for r in rows}


# ---------------------------------------------------------------- reading


@pytest.mark.parametrize(
    ("written", "key"),
    [("公民身份\n号码", "id_number"), ("身份证号", "id_number"), ("外出时间", "left_on"), ("流出日期", "left_on"),
     ("返回时间", "returned_on"), ("流向", "destination"), ("活动证号", "certificate_no"),
     ("活动证有效期至", "certificate_valid_until"), ("流入日期", "arrived_on"), ("原党组织", "home_org"),
     ("手机号", "mobile"), ("联系党组织", "host_org_id"), ("离开日期", "departed_on"), ("类型", "type"),
     ("*姓名", "name"), ("外出原因（必填）", "reason")],
)
def test_headers_match_their_variants(written, key):
    assert floating_import.HEADER_INDEX[floating_import.normalise_header(written)] == key


def test_sheets_are_told_apart_by_name_type_column_or_columns(messy, tmp_path):
    book = floating_import.read_workbook(messy)
    assert [(s.name, s.kind, s.header_row) for s in book.sheets] == [
        ("外出党员", "外出", 3), ("流入党员登记", "流入", 3), ("补充", "", 1)]
    outflow = book.sheets[0]
    assert [n for n, _ in outflow.rows] == [4, 5, 6, 7, 8, 9, 10, 11, 12]  # blank and total rows left out
    assert outflow.ignored == ("序号",)
    inflow = book.sheets[1]
    host = inflow.columns["host_org_id"]
    assert [cells[host] for _, cells in inflow.rows[:2]] == ["第一网格党支部"] * 2  # the merged cell, filled
    # No name, no type column: the columns say which list it is.
    path = write_sheet(tmp_path / "s.xlsx", ["姓名", "身份证号", "来到日期", "组织关系所在党组织"],
                       [["曹操", CAO_CAO, "2025-01-01", "某党委"]], title="Sheet1")
    assert floating_import.read_workbook(path).sheets[0].kind == "流入"


def test_a_sheet_that_says_neither_is_refused(tmp_path):
    path = write_sheet(tmp_path / "s.xlsx", ["姓名", "身份证号", "备注"], [["曹操", CAO_CAO, "x"]], title="Sheet1")
    with pytest.raises(ExcelError, match="无法判断工作表“Sheet1”是外出流动党员还是流入党员名单"):
        floating_import.read_workbook(path)


@pytest.mark.parametrize(
    ("name", "message"),
    [("not_excel.xlsx", "文件不是有效的 Excel 工作簿"), ("empty_sheet.xlsx", "工作表“Sheet1”是空的"),
     ("no_header.xlsx", "找不到表头")],
)
def test_bad_files_get_a_clear_message(database, ledger, name, message):
    with pytest.raises(ExcelError, match=message):
        preview(database, DATA_DIR / name)
    assert counts(database) == (0, 0)


def test_destination_in_one_cell():
    split = floating_import.split_destination
    assert split("广东省深圳市") == ("广东省", "深圳市")
    assert split("浙江 杭州") == ("浙江", "杭州")
    assert split("新疆维吾尔自治区乌鲁木齐市") == ("新疆维吾尔自治区", "乌鲁木齐市")
    assert split("上海市浦东新区") == ("上海市", "浦东新区")
    assert split("深圳") == ("", "深圳")


# ---------------------------------------------------------------- preview


def test_messy_workbook_preview(database, ledger, messy):
    ready = preview(database, messy)
    added, rejected = by_place(ready.to_add), by_place(ready.rejected)
    assert {k: r.name for k, r in added.items()} == FLOATING_ADDED
    assert {k: r.name for k, r in rejected.items()} == FLOATING_REJECTED
    assert not ready.to_update and not ready.unchanged and ready.total == 16

    qian = added[("外出党员", 4)]
    assert qian.member_id == ledger["钱进"] and qian.returned_on is None
    assert qian.outflow == OutflowInput(left_on=date(2026, 3, 1), destination_province="广东省",
                                        destination_city="深圳市", employer="华强电子厂", reason="务工经商",
                                        management_mode="流出地直管", certificate_no="LD2026001",
                                        certificate_valid_until=date(2027, 2, 28))
    feng = added[("外出党员", 5)]  # found by name; 2026.7.15; 外出务工经商
    assert feng.member_id == ledger["冯刚"]
    assert (feng.outflow.left_on, feng.outflow.destination_province, feng.outflow.destination_city,
            feng.outflow.reason) == (date(2026, 7, 15), "浙江", "杭州", "务工经商")
    earlier, later = added[("外出党员", 10)], added[("外出党员", 9)]
    assert (earlier.outflow.left_on, earlier.returned_on) == (date(2024, 3, 1), date(2024, 9, 30))
    assert (later.outflow.left_on, later.returned_on) == (date(2025, 1, 10), None)

    reasons = {k: r.reason for k, r in rejected.items()}
    assert "身份证号被 Excel 存成了数字" in reasons[("外出党员", 6)]
    assert "“卫东”已转出（2026-09-01），不在党员台账中，不能登记为外出流动党员" in reasons[("外出党员", 7)]
    assert "外出日期不能晚于今天（2026-11-22）" in reasons[("外出党员", 8)]
    assert "返回日期不能早于外出日期（2026-06-01）" in reasons[("外出党员", 11)]
    assert (f"台账中没有身份证号为 {NOT_IN_LEDGER} 的党员；流入党员请填写在“流入党员”表"
            in reasons[("外出党员", 12)])
    assert "是本社区在册党员“钱进”" in reasons[("流入党员登记", 6)]
    assert f"身份证号 {CAO_CAO} 在表中工作表“流入党员登记”第 4 行已登记为流入党员" in reasons[("流入党员登记", 7)]
    assert "类型应为“外出”或“流入”，现在是“流动”" in reasons[("补充", 4)]

    cao, sun = added[("流入党员登记", 4)].inflow, added[("流入党员登记", 5)].inflow
    assert (cao.id_number, cao.sex, cao.arrived_on, cao.certificate_kind, cao.certificate_valid_until) == (
        CAO_CAO, "男", date(2025, 3, 1), "流动党员活动证", date(2027, 3, 1))
    assert cao.address == "幸福路 3 号 2-101" and cao.host_org_id == sun.host_org_id
    assert (sun.mobile, sun.certificate_kind) == ("13900000002", "组织关系介绍信")
    assert added[("补充", 3)].inflow.id_number == SUN_QUAN
    assert "外出登记新增 5 条" in ready.summary() and "流入党员新增 3 人" in ready.summary()
    assert counts(database) == (0, 0)  # a preview writes nothing


@pytest.mark.parametrize(
    ("cell", "message"),
    [("2030-01-01", "外出日期不能晚于今天"), ("2026.13.1", "外出日期“2026.13.1”无法识别"),
     ("2026年2月30日", "2026 年 2 月只有 28 天"), (2026.03, "被 Excel 存成了数字"), ("去年", "无法识别")],
)
def test_malformed_leave_dates_are_named(database, ledger, tmp_path, cell, message):
    number = FLOATING_LEDGER["钱进"][0]
    (row,) = one_row(database, tmp_path, ["钱进", number, cell, None, "广东省", "深圳市", "务工经商"]).rejected
    assert message in row.reason


@pytest.mark.parametrize(
    ("cell", "day"),
    [(date(2026, 3, 5), date(2026, 3, 5)), (46086, date(2026, 3, 5)), ("2026.3.5", date(2026, 3, 5)),
     ("2026年3月5日", date(2026, 3, 5)), ("20260305", date(2026, 3, 5)), ("２０２６－０３－０５", date(2026, 3, 5)),
     ("2026-03", date(2026, 3, 1))],  # month only: the first, as the ledger reads it
)
def test_leave_dates_in_the_ledgers_forms(database, ledger, tmp_path, cell, day):
    number = FLOATING_LEDGER["钱进"][0]
    (row,) = one_row(database, tmp_path, ["钱进", number, cell, None, "广东省", "深圳市", "务工经商"]).to_add
    assert row.outflow.left_on == day


@pytest.mark.parametrize(
    ("cell", "message"),
    [(float(FLOATING_LEDGER["钱进"][0]), "请将身份证号列设为文本格式"), ("1.10105E+17", "请将身份证号列设为文本格式"),
     (FLOATING_LEDGER["钱进"][0][:17] + ("0" if FLOATING_LEDGER["钱进"][0][17] != "0" else "1"), "校验位不正确"),
     ("11010519700101011", "应为 18 位")],
)
def test_number_typed_and_malformed_ids_are_refused(database, ledger, tmp_path, cell, message):
    (row,) = one_row(database, tmp_path, ["钱进", cell, "2026-03-01", None, "广东省", "深圳市", "务工经商"]).rejected
    assert message in row.reason


def test_a_name_that_does_not_match_the_id_is_refused(database, ledger, tmp_path):
    number = FLOATING_LEDGER["钱进"][0]
    (row,) = one_row(database, tmp_path, ["钱进进", number, "2026-03-01", None, "广东省", "深圳市", "务工经商"]).rejected
    assert "表中姓名“钱进进”与台账中身份证号为" in row.reason


def test_a_name_shared_by_two_members_needs_the_id(database, tree, tmp_path):
    with database.unit_of_work() as session:
        for seq in ("011", "013"):
            members.create(session, MemberInput(name="王伟", id_number=make_id("19700101", seq), org_id=tree[FIRST],
                                                joined_on=date(1995, 7, 1), category="正式党员",
                                                confirmed_on=date(1996, 7, 1)), today=TODAY)
    (row,) = one_row(database, tmp_path, ["王伟", None, "2026-03-01", None, "广东省", "深圳市", "务工经商"]).rejected
    assert "台账中有 2 名党员叫“王伟”，请填写公民身份号码以区分" in row.reason


def test_outflow_fields_are_checked_by_the_floating_rules(database, ledger, tmp_path):
    number = FLOATING_LEDGER["钱进"][0]
    (row,) = one_row(database, tmp_path, ["钱进", number, "2026-03-01", None, None, None, "旅游"]).rejected
    assert "请填写外出地点" in row.reason and "请选择外出原因" in row.reason


# ---------------------------------------------------------------- stored records: update, return, refuse


def test_an_open_record_with_the_same_leave_date_is_updated_and_returned(database, ledger, tmp_path):
    with database.unit_of_work() as session:
        record_id, _ = floating.register_outflow(session, ledger["钱进"], TRIP, today=TODAY)
    number = FLOATING_LEDGER["钱进"][0]
    headers = ["姓名", "公民身份号码", "外出日期", "返回日期", "工作单位或学校", "管理方式", "外出城市"]
    path = write_sheet(tmp_path / "u.xlsx", headers, [["钱进", number, "2026-03-01", "2026-10-01", "富士康", "无", None]])
    ready = preview(database, path)
    (row,) = ready.to_update
    assert row.record_id == record_id
    assert row.changes == ("工作单位或学校：华强电子厂 → 富士康", "管理方式：流出地直管 → 无", "返回日期：无 → 2026-10-01")
    result = apply(database, ready)
    assert (result.updated, result.added, result.rejected) == (1, 0, 0)
    with database.read() as session:
        (stored,) = floating.history(session, ledger["钱进"], TODAY)
        assert (stored.employer, stored.management_mode, stored.destination) == ("富士康", "", "广东省 深圳市")
        assert stored.returned_on == date(2026, 10, 1)
        assert members.get(session, ledger["钱进"]).data.floating is False  # back home: the ledger flag clears
    assert len(preview(database, path).unchanged) == 1  # imported again: nothing to change


def test_an_open_record_refuses_another_leave_date(database, ledger, tmp_path):
    with database.unit_of_work() as session:
        floating.register_outflow(session, ledger["钱进"], TRIP, today=TODAY)
    number = FLOATING_LEDGER["钱进"][0]
    (row,) = one_row(database, tmp_path, ["钱进", number, "2026-04-01", None, "广东省", "深圳市", "务工经商"]).rejected
    assert "台账中该党员已有 2026-03-01 外出、尚未返回的记录，表中外出日期 2026-04-01 与之不符" in row.reason


def test_a_stored_return_date_is_not_changed(database, ledger, tmp_path):
    with database.unit_of_work() as session:
        record_id, _ = floating.register_outflow(session, ledger["钱进"], TRIP, today=TODAY)
        floating.return_home(session, record_id, date(2026, 6, 1), today=TODAY)
    number = FLOATING_LEDGER["钱进"][0]
    (row,) = one_row(database, tmp_path, ["钱进", number, "2026-03-01", "2026-07-01", "广东省", "深圳市",
                                         "务工经商"]).rejected
    assert "这次外出已于 2026-06-01 登记返回，表中返回日期为 2026-07-01" in row.reason
    # A new period after the return is fine; one overlapping it is not.
    ready = one_row(database, tmp_path, ["钱进", number, "2026-05-01", None, "广东省", "深圳市", "务工经商"])
    assert "时间重叠" in ready.rejected[0].reason
    assert one_row(database, tmp_path, ["钱进", number, "2026-07-01", None, "广东省", "深圳市", "务工经商"]).to_add


def test_periods_in_the_sheet_must_not_overlap(database, ledger, tmp_path):
    number = FLOATING_LEDGER["钱进"][0]
    path = write_sheet(tmp_path / "o.xlsx", OUT_HEADERS, [
        ["钱进", number, "2025-01-01", None, "广东省", "深圳市", "务工经商"],
        ["钱进", number, "2025-06-01", None, "广东省", "广州市", "务工经商"],
        ["钱进", number, "2025-06-01", "2025-07-01", "广东省", "广州市", "务工经商"],
    ])
    ready = preview(database, path)
    reasons = {r.row_number: r.reason for r in ready.rejected}
    assert [r.row_number for r in ready.to_add] == [2]
    assert "与第 4 行是同一次外出" in reasons[3] and "与第 3 行是同一次外出" in reasons[4]
    path = write_sheet(tmp_path / "p.xlsx", OUT_HEADERS, [
        ["钱进", number, "2025-01-01", None, "广东省", "深圳市", "务工经商"],
        ["钱进", number, "2025-06-01", "2025-08-01", "广东省", "广州市", "务工经商"],
    ])
    (row,) = preview(database, path).rejected
    assert row.row_number == 3 and "表中第 2 行登记的外出尚未返回" in row.reason


def test_a_member_who_left_the_ledger_keeps_an_unchanged_row(database, ledger, tmp_path):
    with database.unit_of_work() as session:
        floating.register_outflow(session, ledger["钱进"], TRIP, today=TODAY)
        members.leave(session, ledger["钱进"], "转出", date(2026, 9, 1), "工作调动", transferred_to="某党委",
                      today=TODAY)
    number = FLOATING_LEDGER["钱进"][0]
    same = one_row(database, tmp_path, ["钱进", number, "2026-03-01", None, "广东省", "深圳市", "务工经商"])
    assert len(same.unchanged) == 1
    (row,) = one_row(database, tmp_path, ["钱进", number, "2026-03-01", None, "广东省", "广州市", "务工经商"]).rejected
    assert "已转出，不在党员台账中，不能再修改其外出登记" in row.reason


def test_inflow_rules(database, ledger, tree, tmp_path):
    headers = ["姓名", "公民身份号码", "来到日期", "组织关系所在党组织", "联系党组织", "离开日期", "离开原因"]
    rows = [
        ["曹操", CAO_CAO, "2025-03-01", "某党委", "第一网格党支部", None, None],
        ["孙权", SUN_QUAN, "2025-03-01", "某党委", "1号楼党小组", None, None],  # ambiguous
        ["刘备", None, "2025-03-01", "某党委", "第一网格党支部", "2025-01-01", None],  # left before arriving
        ["关羽", None, "2025-03-01", None, "第九网格党支部", None, "搬走"],  # no home org, unknown host
        ["张飞", None, "2027-01-01", "某党委", "第一网格党支部", None, None],  # in the future
    ]
    ready = preview(database, write_sheet(tmp_path / "i.xlsx", headers, rows, title="流入党员"))
    assert [r.name for r in ready.to_add] == ["曹操"]
    reasons = {r.name: r.reason for r in ready.rejected}
    assert "联系党组织名称不唯一" in reasons["孙权"]
    assert "离开日期不能早于来到日期（2025-03-01）" in reasons["刘备"]
    assert "请填写组织关系所在党组织" in reasons["关羽"] and "联系党组织“第九网格党支部”不存在" in reasons["关羽"]
    assert "填写了离开原因，请同时填写离开日期" in reasons["关羽"]
    assert "来到日期不能晚于今天" in reasons["张飞"]
    apply(database, ready)
    # Listed now: the same row again changes nothing; the same person with other details is a duplicate.
    same = preview(database, write_sheet(tmp_path / "j.xlsx", headers, rows[:1], title="流入党员"))
    assert ([r.name for r in same.unchanged], same.rejected, same.to_add) == (["曹操"], (), ())
    changed = [["曹操", CAO_CAO, "2025-03-01", "另一党委", "第一网格党支部", None, None]]
    (again,) = preview(database, write_sheet(tmp_path / "k.xlsx", headers, changed, title="流入党员")).rejected
    assert "已登记为流入党员“曹操”" in again.reason and "不能重复登记" in again.reason


# ---------------------------------------------------------------- apply, report, dry run


def test_apply_writes_good_rows_in_one_go_and_reports_the_rest(database, ledger, messy):
    from openpyxl import load_workbook

    result = apply(database, preview(database, messy))
    assert (result.added_outflow, result.added_inflow, result.updated, result.rejected) == (5, 3, 0, 8)
    assert result.report_path == messy.with_name("流动党员_错误报告.xlsx") and result.report_path.exists()
    assert result.changes.floating and result.changes.members
    with database.read() as session:
        han = floating.history(session, ledger["韩梅"], TODAY)
        assert [(r.left_on, r.returned_on) for r in han] == [(date(2025, 1, 10), None),
                                                            (date(2024, 3, 1), date(2024, 9, 30))]
        assert members.get(session, ledger["韩梅"]).data.floating is True
        assert {r.name for r in floating.open_records(session, TODAY)} == {"钱进", "冯刚", "韩梅", "杨柳"}
        inflow = {p.name: p for p in session.scalars(select(InflowMember))}
        assert set(inflow) == {"曹操", "孙尚香", "孙权"} and all(p.left_on is None for p in inflow.values())
        log = audit.entries(session, "floating")
    assert log[-1].action == "导入" and "外出登记新增 5 条" in log[-1].detail and "拒绝 8 行" in log[-1].detail

    book = load_workbook(result.report_path)
    assert book.sheetnames == ["外出党员", "流入党员登记", "补充"]  # the same names: it imports again as the same lists
    ws = book["外出党员"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["序号", "姓  名", "公民身份\n号码"] and headers[-2:] == ["错误原因", "原行号"]
    rows = {r[1].value: r for r in ws.iter_rows(min_row=2)}
    assert set(rows) == {"褚红", "卫东", "蒋英", "沈力", "孔明"}
    assert rows["褚红"][2].data_type == "s" and rows["褚红"][2].number_format == "@"  # the ID as text
    assert "存成了数字" in rows["褚红"][-2].value and rows["褚红"][-1].value == 6
    assert rows["孔明"][-1].value == 12 and "台账中没有身份证号" in rows["孔明"][-2].value
    # The report can be imported again: its headers and lists are recognised.
    again = preview(database, result.report_path)
    assert len(again.rejected) == 8


def test_dry_run_changes_nothing_and_writes_the_report(database, ledger, messy, tmp_path):
    ready = preview(database, messy)
    report = tmp_path / "报告" / "r.xlsx"
    result = floating_import.dry_run(ready, report_path=report)
    assert (result.added_outflow, result.added_inflow, result.rejected, result.report_path) == (5, 3, 8, report)
    assert report.exists()
    assert counts(database) == (0, 0)
    with database.read() as session:
        assert not audit.entries(session, "floating")


def test_rows_registered_after_the_preview_are_refused(database, ledger, tmp_path):
    number = FLOATING_LEDGER["钱进"][0]
    ready = one_row(database, tmp_path, ["钱进", number, "2026-03-01", None, "广东省", "深圳市", "务工经商"])
    with database.unit_of_work() as session:
        floating.register_outflow(session, ledger["钱进"], TRIP, today=TODAY)
    result = apply(database, ready)
    assert (result.added, result.rejected) == (0, 1)
    assert "已登记为外出流动党员" in result.rejected_rows[0].reason
    assert counts(database) == (1, 0)


def test_a_locked_database_writes_nothing(db_path, messy):
    from db.database import open_database

    database = open_database(db_path, busy_timeout_ms=100)
    try:
        build_ledger(database, build_tree(database))
        ready = preview(database, messy)
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(DatabaseLockedError, match="数据库正被其他程序占用"):
                apply(database, ready)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert counts(database) == (0, 0)
        assert not floating_import.default_report_path(messy).exists()
    finally:
        database.close()


def test_a_read_only_database_writes_nothing(db_path, database, ledger, messy):
    from app.database import open_app_database

    database.close()
    readonly = open_app_database(db_path, readonly=True)
    try:
        ready = preview(readonly, messy)  # reading works
        with pytest.raises(ReadOnlyError, match="只读模式"):
            apply(readonly, ready)
        assert counts(readonly) == (0, 0)
        assert not floating_import.default_report_path(messy).exists()
    finally:
        readonly.close()


def test_cancel_midway_writes_nothing(database, ledger, messy):
    ready = preview(database, messy)
    with pytest.raises(ImportCancelled, match="已取消导入"):
        apply(database, ready, cancelled=lambda: True)
    assert counts(database) == (0, 0)
    assert not floating_import.default_report_path(messy).exists()


# ---------------------------------------------------------------- export, round trip, template


def populate(database, ledger: dict[str, int], tree: dict[str, int]) -> None:
    """Open and returned periods (one with every field), contacts, and inflow members here and gone."""
    with database.unit_of_work() as session:
        full = OutflowInput(
            left_on=date(2024, 3, 1), destination_province="广东省", destination_city="深圳市",
            destination_address="南山区科技园 8 栋", employer="华强电子厂", reason="务工经商",
            expected_return_on=date(2024, 12, 31), host_org="深圳市某某党委", host_contact="李书记 0755-12345678",
            management_mode="流入地代管", certificate_no="LD2024001", certificate_issued_on=date(2024, 2, 20),
            certificate_valid_until=date(2025, 2, 19), note="第一行\n第二行")
        first, _ = floating.register_outflow(session, ledger["钱进"], full, today=TODAY)
        floating.return_home(session, first, date(2024, 11, 30), today=TODAY)
        floating.register_outflow(session, ledger["钱进"], TRIP, today=TODAY)
        floating.register_outflow(session, ledger["冯刚"], OutflowInput(
            left_on=date(2026, 7, 1), destination_city="杭州", reason="学习", certificate_valid_until=date(2027, 7, 1)),
            today=TODAY)
        floating.add_contact(session, ledger["冯刚"], ContactInput(date(2026, 9, 1), "电话", True), today=TODAY)
        register_inflow(session, InflowInput(
            name="曹操", id_number=CAO_CAO, category="正式党员", mobile="13900000001", home_org="河南省许昌市某某党委",
            home_org_contact="王书记", arrived_on=date(2025, 3, 1), certificate_kind="流动党员活动证",
            certificate_no="HN001", certificate_valid_until=date(2027, 3, 1), host_org_id=tree[FIRST],
            building="3号楼", unit="2单元", address="101室", employer="某某物流", note="会开车"), today=TODAY)
        gone, _ = register_inflow(session, InflowInput(
            name="孙权", arrived_on=date(2024, 1, 1), home_org="浙江省杭州市某某党委", host_org_id=tree[SECOND],
            certificate_kind="组织关系介绍信"), today=TODAY)
        depart(session, gone, date(2025, 6, 30), "回原籍", today=TODAY)


def stored_floating(database) -> tuple[list, list, list]:
    """Records by member ID number and inflow members, without ids and timestamps."""
    with database.read() as session:
        records = sorted(
            (number, *(getattr(r, n) for n in (*floating.OUTFLOW_FIELDS, "returned_on", "incomplete")))
            for r, number in session.execute(
                select(FloatingRecord, Member.id_number).join(Member, Member.id == FloatingRecord.member_id))
        )
        paths = {n.id: n.path for n in orgs.list_tree(session)}
        inflow = sorted(
            (*(getattr(p, c.name) for c in InflowMember.__table__.columns
               if c.name not in ("id", "host_org_id", "created_at", "updated_at")), paths.get(p.host_org_id))
            for p in session.scalars(select(InflowMember))
        )
        flags = sorted((m.id_number, m.floating, m.floating_destination) for m in session.scalars(select(Member)))
    return records, inflow, flags


def test_export_then_import_round_trips(database, tree, tmp_path, migrated_template):
    from openpyxl import load_workbook

    from app.database import open_app_database

    ids = build_ledger(database, tree)
    populate(database, ids, tree)
    out = tmp_path / "导出" / "流动党员.xlsx"
    with database.read() as session:
        assert floating_export.export(session, out) == floating_export.ExportCounts(3, 2)
    assert [p.name for p in out.parent.iterdir()] == ["流动党员.xlsx"]  # no temporary file left
    book = load_workbook(out)
    assert book.sheetnames == ["外出流动党员", "流入党员"]
    ws = book["外出流动党员"]
    headers = [c.value for c in ws[1]]
    assert headers == [c.header for c in floating_import.OUTFLOW_COLUMNS]
    first = dict(zip(headers, ws[2], strict=True))
    assert first["公民身份号码"].data_type == "s" and first["公民身份号码"].value == FLOATING_LEDGER["钱进"][0]
    assert first["外出日期"].is_date and first["返回日期"].is_date and first["所在党组织"].value == FIRST
    assert [c.value for c in ws["E"][1:]] == [datetime(2024, 11, 30), None, None]  # 返回日期
    assert ws.column_dimensions["B"].width == 23
    inflow = book["流入党员"]
    in_headers = [c.value for c in inflow[1]]
    assert in_headers[-2:] == ["离开日期", "离开原因"]
    rows = {r[0].value: dict(zip(in_headers, r, strict=True)) for r in inflow.iter_rows(min_row=2)}
    assert rows["孙权"]["离开日期"].is_date and rows["孙权"]["离开原因"].value == "回原籍"
    assert rows["曹操"]["联系电话"].data_type == "s" and rows["曹操"]["联系党组织"].value == FIRST

    other_path = tmp_path / "other.sqlite"
    shutil.copy(migrated_template, other_path)
    other = open_app_database(other_path)
    try:
        build_ledger(other, build_tree(other))
        ready = preview(other, out)
        assert (len(ready.to_add), len(ready.rejected)) == (5, 0)
        apply(other, ready)
        assert stored_floating(other) == stored_floating(database)
        again = preview(other, out)  # and again: nothing to change, nothing refused
        assert len(again.unchanged) == 5 and len(again.rejected) == 0 and not again.to_add
    finally:
        other.close()


def test_export_of_nothing_writes_both_sheets(database, tmp_path):
    from openpyxl import load_workbook

    with database.read() as session:
        assert floating_export.export(session, tmp_path / "e.xlsx") == floating_export.ExportCounts(0, 0)
    assert load_workbook(tmp_path / "e.xlsx").sheetnames == ["外出流动党员", "流入党员"]


def test_a_cancelled_export_leaves_no_file(database, ledger, tree, tmp_path):
    populate(database, ledger, tree)
    with database.read() as session, pytest.raises(floating_export.ExportCancelled):
        floating_export.export(session, tmp_path / "导出" / "e.xlsx", cancelled=lambda: True)
    assert not (tmp_path / "导出").exists()


def test_template_has_both_lists_and_imports_when_filled_in(database, ledger, tree, tmp_path):
    from openpyxl import load_workbook

    path = floating_import.write_template(tmp_path / "模板.xlsx", org_paths=[FIRST, SECOND])
    book = load_workbook(path)
    assert book.sheetnames == ["外出流动党员", "流入党员", "可选值", "填写说明"]
    outflow, inflow = book["外出流动党员"], book["流入党员"]
    headers = [c.value for c in outflow[1]]
    assert headers[:4] == ["*姓名", "*公民身份号码", "*外出日期", "返回日期"]
    assert "所在党组织" not in headers and "待补全" not in headers  # written by export, never imported
    assert outflow.column_dimensions["B"].number_format == "@"
    assert outflow.data_validations.dataValidation and inflow.data_validations.dataValidation
    outflow.append(["钱进", FLOATING_LEDGER["钱进"][0], date(2026, 3, 1), None, "广东省", "深圳市", None, None, "务工经商"])
    in_headers = [c.value.lstrip("*") for c in inflow[1]]
    values = {"姓名": "曹操", "组织关系所在党组织": "某党委", "来到日期": date(2025, 3, 1), "联系党组织": FIRST}
    inflow.append([values.get(h) for h in in_headers])
    book.save(path)
    ready = preview(database, path)
    assert [r.name for r in ready.to_add] == ["钱进", "曹操"] and not ready.rejected
    assert ready.skipped_sheets  # 可选值 and 填写说明 hold no list


# ---------------------------------------------------------------- CLI


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(PROJECT))
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=PROJECT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_cli_exit_codes(db_path, database, ledger, messy, tmp_path):
    database.close()
    good = write_sheet(tmp_path / "good.xlsx", OUT_HEADERS,
                       [["钱进", FLOATING_LEDGER["钱进"][0], "2026-03-01", None, "广东省", "深圳市", "务工经商"]])
    done = run_cli("import", "floating", str(good), "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    assert "外出登记新增 1 条" in done.stdout

    first = run_cli("import", "floating", str(messy), "--db", str(db_path))  # the first sheet only, said so
    assert first.returncode == 1, first.stderr
    assert "只导入了第一个“外出党员”" in first.stdout and "外出登记新增 3 条、更新 1 条" in first.stdout

    dry = run_cli("import", "floating", str(messy), "--db", str(db_path), "--sheet", "all", "--dry-run",
                  "--report", str(tmp_path / "dry.xlsx"))
    assert dry.returncode == 1, dry.stderr
    assert "试运行" in dry.stdout and "流入党员新增 3 人" in dry.stdout and (tmp_path / "dry.xlsx").exists()

    some = run_cli("import", "floating", str(messy), "--db", str(db_path), "--sheet", "all",
                   "--report", str(tmp_path / "r.xlsx"))
    assert some.returncode == 1, some.stderr
    assert "流入党员新增 3 人" in some.stdout and str(tmp_path / "r.xlsx") in some.stdout
    assert "工作表“外出党员”第 6 行 褚红：身份证号被 Excel 存成了数字" in some.stdout

    bad = run_cli("import", "floating", str(DATA_DIR / "not_excel.xlsx"), "--db", str(db_path))
    assert bad.returncode == 2 and "文件不是有效的 Excel 工作簿" in bad.stderr and "未写入任何数据" in bad.stderr

    out = tmp_path / "导出.xlsx"
    exported = run_cli("export", "floating", "--db", str(db_path), "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "已导出外出登记 5 条、流入党员 3 人" in exported.stdout and out.exists()


def test_cli_locked_database_exits_2(db_path, database, ledger, messy):
    database.close()
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("PRAGMA busy_timeout=0")
    other.execute("BEGIN IMMEDIATE")
    try:
        locked = run_cli("import", "floating", str(messy), "--db", str(db_path))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert locked.returncode == 2 and "数据库正被其他程序占用" in locked.stderr
    assert not floating_import.default_report_path(messy).exists()


def test_modules_load_no_excel_library_and_no_qt():
    code = ("import sys, app.floating_import, app.floating_export, app.__main__; "
            "print(sorted(m for m in ('openpyxl', 'python_calamine', 'PySide6', 'reportlab') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_contacts_are_not_touched_by_an_import(database, ledger, messy):
    apply(database, preview(database, messy))
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(ContactLog)) == 0
