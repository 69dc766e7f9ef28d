"""Importing 流动党员 sheets: 外出 records of ledger members and 流入 members → a preview → one transaction.

The same rules as the ledger's import (``app.members_import``), whose reading and cell helpers this
module reuses: the header row is found below any title rows, columns are matched by name with the
common variants, merged cells read as their value, dates in every form the ledger accepts, ID numbers
typed as numbers refused. :func:`preview` reads and checks every row and writes nothing;
:func:`apply` writes the good rows in ONE transaction and the rejected ones to an error report that can
be corrected and imported again — exactly as the ledger import does.

- Which list a sheet holds comes from its name (外出 / 流出 → 外出流动党员, 流入 → 流入党员), else from a
  类型 column (外出 / 流入 on each row), else from its columns (外出日期 or 来到日期).
- 外出 rows belong to ledger members, found by 公民身份号码 (or by a name that is unique in the ledger
  when the number is left blank). A row whose member already has a record with the same 外出日期
  updates it (blank cells keep the stored value, “无” clears one; a 返回日期 on a record still open
  registers the return); otherwise a new record is registered (``floating.register_outflow``), and
  returned at once when the row has a 返回日期. A member with a record still open gets no other.
- 流入 rows register inflow members (``floating_inflow.register_inflow``), and their departure when the
  row has a 离开日期; a person already listed is refused as a duplicate — an import never edits one —
  unless the row says exactly what is stored (an export imported again): then it is unchanged.

openpyxl and python-calamine are imported inside the functions that use them (start-up time).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, floating
from app.changes import FLOATING, MEMBERS, Changes
from app.dates import parse_date
from app.errors import AppError, ValidationError
from app.floating import OUTFLOW_FIELDS, OutflowInput
from app.floating_inflow import (
    CERTIFICATE_KINDS,
    INFLOW_FIELDS,
    InflowInput,
    depart,
    register_inflow,
    validate_inflow,
)
from app.idcard import IdNumberError, clean_id, parse_id
from app.members_import import (
    CHUNK,
    DATE_FORMAT,
    HEADER_SCAN_ROWS,
    REASON_HEADER,
    ROW_HEADER,
    TEXT_FORMAT,
    Column,
    ExcelError,
    ImportCancelled,
    OrgResolver,
    _choice,
    _fill_merges,
    _is_blank,
    _is_empty_mark,
    _not_a_workbook,
    _ods_merges,
    _open_workbook,
    _report_sheet_name,
    _text,
    _visible_sheets,
    default_report_path,
    header_cells,
    normalise_header,
    save_workbook,
    set_columns,
    sheet_cell,
    sheet_names,
)
from db.database import Database
from db.models import FloatingRecord, InflowMember, Member

__all__ = [
    "INFLOW", "INFLOW_COLUMNS", "OUTFLOW", "OUTFLOW_COLUMNS", "ExcelError", "ImportCancelled", "ImportPreview",
    "ImportResult", "ImportRow", "apply", "default_report_path", "dry_run", "preview", "read_workbook",
    "sheet_names", "write_report", "write_template",
]

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

OUTFLOW, INFLOW = "外出", "流入"
OUTFLOW_SHEET, INFLOW_SHEET = "外出流动党员", "流入党员"
_ID_VARIANTS = ("身份证号", "身份证号码", "身份证", "公民身份证号码", "公民身份证号", "身份证件号码")

# 外出流动党员, in the order export and the template write them. ``org`` (the member's organisation),
# ``incomplete`` and ``member_status`` are written by export for the reader and not imported: the
# ledger holds them.
OUTFLOW_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "text", ("党员姓名",), 10, True),
    Column("id_number", "公民身份号码", "id", _ID_VARIANTS, 21, True,
           "18 位，末位 X 大写；请设为文本格式。不填时按姓名在党员台账中查找（须唯一）"),
    Column("org", "所在党组织", "info", ("所在党支部", "党组织", "所在支部", "党支部"), 30,
           hint="导出时填写；导入时不读取，以党员台账为准"),
    Column("left_on", "外出日期", "date", ("外出时间", "流出日期", "流出时间"), 12, True,
           "例如 2025-03-01、2025.3.1、2025年3月1日"),
    Column("returned_on", "返回日期", "date", ("返回时间", "返回本地日期"), 12,
           hint="已返回的填写；尚未返回的不填"),
    Column("destination_province", "外出省份", "text", ("流向省份", "省份", "外出省"), 10,
           hint="省份和城市至少填一项"),
    Column("destination_city", "外出城市", "text", ("流向城市", "城市", "外出市"), 10),
    Column("destination_address", "外出详细地址", "text", ("外出地址", "流向详细地址"), 24),
    Column("employer", "工作单位或学校", "text", ("工作单位", "外出工作单位", "学校", "工作学习单位"), 24),
    Column("reason", "外出原因", "reason", ("流动原因", "外出事由"), 10, True, "务工经商、学习、随迁或其他"),
    Column("expected_return_on", "预计返回日期", "date", ("预计返回时间",), 12),
    Column("host_org", "流入地党组织", "text", ("流入地党组织名称", "接收党组织"), 24),
    Column("host_contact", "流入地党组织联系人", "text", ("流入地联系人", "流入地党组织联系方式"), 18),
    Column("management_mode", "管理方式", "text", ("管理模式",), 12),
    Column("certificate_no", "活动证编号", "text", ("活动证号", "流动党员活动证编号", "流动党员活动证号"), 14),
    Column("certificate_issued_on", "发证日期", "date", ("活动证发证日期", "发证时间"), 12),
    Column("certificate_valid_until", "活动证有效期", "date", ("活动证有效期至", "有效期", "有效期至"), 12,
           hint="有效期的最后一天"),
    Column("note", "备注", "text", (), 20),
    Column("incomplete", "待补全", "info", ("是否待补全",), 8, hint="导出时填写；导入时不读取"),
    Column("member_status", "台账状态", "info", ("党员状态", "在册状态"), 8, hint="导出时填写；导入时不读取"),
)
# 流入党员: the columns of InflowInput (``host_org_id`` as a path or name), then the departure.
INFLOW_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "text", ("党员姓名",), 10, True),
    Column("sex", "性别", "sex", (), 6, hint="可不填，按身份证号自动填写"),
    Column("id_number", "公民身份号码", "id", _ID_VARIANTS, 21, hint="18 位；请设为文本格式"),
    Column("category", "人员类别", "category", ("党员类别",), 10, hint="正式党员或预备党员"),
    Column("mobile", "联系电话", "phone", ("手机", "手机号", "手机号码", "联系方式", "移动电话"), 14,
           hint="11 位手机号；请设为文本格式"),
    Column("home_org", "组织关系所在党组织", "text", ("原党组织", "组织关系所在单位", "原所在党组织",
                                                 "组织关系所在地党组织"), 30, True),
    Column("home_org_contact", "原党组织联系人", "text", ("原党组织联系方式", "组织关系所在党组织联系人"), 18),
    Column("arrived_on", "来到日期", "date", ("流入日期", "流入时间", "来到时间", "到达日期", "来社区日期"), 12,
           True),
    Column("certificate_kind", "所持证明", "certificate", ("证明类型", "持有证明"), 14,
           hint="流动党员活动证、组织关系介绍信、其他证明或无"),
    Column("certificate_no", "证明编号", "text", (), 14),
    Column("certificate_valid_until", "证明有效期", "date", (), 12),
    Column("host_org_id", "联系党组织", "org", ("联系的党组织", "就近联系党组织", "参加组织生活的党组织"), 30, True,
           "本社区的党组织：写完整路径（用“/”分隔），或唯一的组织名称"),
    Column("building", "楼栋", "text", ("楼号", "居住楼栋"), 10),
    Column("unit", "单元", "text", (), 6),
    Column("address", "居住地址", "text", ("现居住地", "居住地", "住址", "家庭住址", "详细地址", "现住址"), 24),
    Column("employer", "工作单位", "text", (), 24),
    Column("note", "备注", "text", (), 20),
    Column("departed_on", "离开日期", "date", ("离开时间",), 12, hint="已离开本社区的填写"),
    Column("left_reason", "离开原因", "text", (), 20),
)
TYPE_COLUMN = Column("type", "类型", "type", ("人员类型", "流动类型", "外出或流入"), 8, hint="外出或流入")
# One 流向 cell (广东省深圳市) instead of 外出省份 and 外出城市.
DESTINATION_COLUMN = Column("destination", "流向", "place", ("外出流向", "外出地点", "流出地", "流向地"), 16)

_ALL_COLUMNS = (*OUTFLOW_COLUMNS, *INFLOW_COLUMNS, TYPE_COLUMN, DESTINATION_COLUMN)
HEADER_INDEX: dict[str, str] = {}
for _column in _ALL_COLUMNS:
    for _name in (_column.header, *_column.variants):
        _key = normalise_header(_name)
        if HEADER_INDEX.setdefault(_key, _column.field) != _column.field:  # pragma: no cover - a coding error
            raise AssertionError(f"header {_name} names two fields")
COLUMN_BY_KEY: dict[str, Column] = {}
for _column in _ALL_COLUMNS:
    COLUMN_BY_KEY.setdefault(_column.field, _column)
# What each list reads: its own columns; 外出 a single 流向 cell too, 流入 a 所在党组织 as the 联系党组织.
KIND_COLUMNS: dict[str, dict[str, Column]] = {
    OUTFLOW: {c.field: c for c in (*OUTFLOW_COLUMNS, DESTINATION_COLUMN)},
    INFLOW: {c.field: c for c in INFLOW_COLUMNS} | {"org": replace(OUTFLOW_COLUMNS[2], kind="text")},
}
OUTFLOW_KEYS = frozenset(KIND_COLUMNS[OUTFLOW])
INFLOW_KEYS = frozenset(KIND_COLUMNS[INFLOW])
_KIND_KEYS = {OUTFLOW: frozenset({"left_on", "returned_on", "destination", "destination_province",
                                  "destination_city", "reason"}),
              INFLOW: frozenset({"arrived_on", "home_org", "host_org_id", "departed_on"})}
_FIELD_ORDER = {key: i for i, key in enumerate(
    ["type", "member", "member_id", "name", "id_number", "duplicate",
     *(c.field for c in OUTFLOW_COLUMNS), *(c.field for c in INFLOW_COLUMNS)])}

FUTURE_DATES = frozenset({"expected_return_on", "certificate_valid_until"})  # may lie after today
REASON_ALIASES = {"外出务工经商": "务工经商", "外出务工": "务工经商", "务工": "务工经商", "经商": "务工经商",
                  "打工": "务工经商", "求学": "学习", "上学": "学习", "读书": "学习", "外出学习": "学习",
                  "随迁": "随迁", "随迁家属": "随迁", "随子女": "随迁", "投亲": "随迁"}
CERTIFICATE_ALIASES = {"活动证": "流动党员活动证", "流动党员证": "流动党员活动证", "介绍信": "组织关系介绍信",
                       "组织关系介绍信": "组织关系介绍信", "党组织关系介绍信": "组织关系介绍信", "其他": "其他证明",
                       "没有": "无"}
TYPE_WORDS = {"外出": OUTFLOW, "流出": OUTFLOW, "外出流动党员": OUTFLOW, "流出党员": OUTFLOW, "外出党员": OUTFLOW,
              "流入": INFLOW, "流入党员": INFLOW}


def sheet_kind(name: str) -> str:
    """外出 or 流入 from a sheet's name; empty when the name says neither (or both)."""
    outflow, inflow = ("外出" in name or "流出" in name), "流入" in name
    return OUTFLOW if outflow and not inflow else INFLOW if inflow and not outflow else ""


# ---------------------------------------------------------------- reading workbooks


@dataclass(frozen=True)
class SheetData:
    name: str
    kind: str  # 外出, 流入, or empty: each row says in its 类型 column
    header_row: int
    headers: tuple[str, ...]
    columns: dict[str, int]  # key → column index
    ignored: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Any, ...]], ...]


@dataclass(frozen=True)
class Workbook:
    path: Path
    sheets: tuple[SheetData, ...]
    skipped: tuple[str, ...]


def _find_header(rows: Sequence[Sequence[Any]]) -> tuple[int, dict[str, int]] | None:
    """The row among the first ``HEADER_SCAN_ROWS`` naming the most known columns: 姓名 and at least two more."""
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        for col, value in enumerate(row):
            if isinstance(value, str):
                found = HEADER_INDEX.get(normalise_header(value))
                if found and found not in columns:
                    columns[found] = col
        if "name" in columns and len(columns) >= 3 and (best is None or len(columns) > len(best[1])):
            best = (index, columns)
    return best


def _kind_of(name: str, columns: dict[str, int]) -> str:
    """The sheet's list: by its name, else by a 类型 column (empty: per row), else by its columns."""
    kind = sheet_kind(name)
    if kind or "type" in columns:
        return kind
    outflow, inflow = (bool(_KIND_KEYS[k] & columns.keys()) for k in (OUTFLOW, INFLOW))
    if outflow != inflow:
        return OUTFLOW if outflow else INFLOW
    raise ExcelError(
        f"无法判断工作表“{name}”是外出流动党员还是流入党员名单：请把工作表命名为“{OUTFLOW_SHEET}”或“{INFLOW_SHEET}”，"
        "或加一列“类型”，每行填“外出”或“流入”。",
        f"无法判断工作表“{name}”是外出还是流入名单",
    )


def _read_sheet(book, path: Path, name: str) -> SheetData:
    import python_calamine

    try:
        sheet = book.get_sheet_by_name(name)
        rows = [list(r) for r in sheet.to_python(skip_empty_area=False)]
    except python_calamine.WorksheetNotFound:
        raise ExcelError(f"工作簿中没有名为“{name}”的工作表（有：{'、'.join(book.sheet_names)}）。") from None
    except (python_calamine.CalamineError, ValueError) as exc:
        raise _not_a_workbook(path) from exc
    if not any(not _is_blank(v) for row in rows for v in row):
        raise ExcelError(f"工作表“{name}”是空的，没有可导入的内容。", f"工作表“{name}”是空的")
    filled_before = [sum(1 for v in row if not _is_blank(v)) for row in rows]
    try:
        merges = sheet.merged_cell_ranges
    except (python_calamine.CalamineError, ValueError):
        merges = None
    if merges is None and path.suffix.lower() == ".ods":
        merges = _ods_merges(path, name)
    _fill_merges(rows, merges or ())
    found = _find_header(rows)
    if found is None:
        raise ExcelError(
            f"工作表“{name}”中找不到表头：前 {HEADER_SCAN_ROWS} 行中没有一行有“姓名”和至少两个可识别的列。"
            f"外出流动党员表的列：{'、'.join(c.header for c in OUTFLOW_COLUMNS)}；"
            f"流入党员表的列：{'、'.join(c.header for c in INFLOW_COLUMNS)}。可以下载导入模板，对照模板的表头修改。",
            f"工作表“{name}”中没有流动党员名单的表头",
        )
    header_index, columns = found
    kind = _kind_of(name, columns)
    if kind:  # the other list's columns are not this sheet's (a shared header such as 所在党组织 stays)
        keep = OUTFLOW_KEYS if kind == OUTFLOW else INFLOW_KEYS
        columns = {k: c for k, c in columns.items() if k in keep}
    headers = tuple("" if _is_blank(v) else str(v).strip() for v in rows[header_index])
    ignored = tuple(h for i, h in enumerate(headers) if h and i not in columns.values())
    name_col = columns["name"]
    data = []
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if filled_before[index] <= 1:
            continue  # blank, a note, a total or a section title
        name_cell = row[name_col] if name_col < len(row) else None
        if isinstance(name_cell, str) and HEADER_INDEX.get(normalise_header(name_cell)) == "name":
            continue  # the header repeated (a printed sheet's page heading)
        data.append((index + 1, tuple(row)))
    if not data:
        raise ExcelError(f"工作表“{name}”只有表头（第 {header_index + 1} 行），下面没有数据。",
                         f"工作表“{name}”只有表头，没有数据")
    return SheetData(name, kind, header_index + 1, headers, columns, ignored, tuple(data))


def read_workbook(path: str | Path, sheet: str | None = None) -> Workbook:
    """Read one sheet by name, or (``sheet=None``) every sheet that holds a 外出 or 流入 list."""
    path = Path(path)
    book = _open_workbook(path)
    try:
        if sheet is not None:
            return Workbook(path, (_read_sheet(book, path, sheet),), ())
        names = _visible_sheets(book)
        if not names:
            raise ExcelError(f"“{path.name}”中没有工作表。")
        sheets: list[SheetData] = []
        failures: list[ExcelError] = []
        for name in names:
            try:
                sheets.append(_read_sheet(book, path, name))
            except ExcelError as exc:
                failures.append(exc)
        if not sheets:
            if len(failures) == 1:
                raise failures[0]
            raise ExcelError(f"“{path.name}”中没有可导入的流动党员名单：" + "；".join(e.brief for e in failures) + "。")
        return Workbook(path, tuple(sheets), tuple(f"{e.brief}，未导入" for e in failures))
    finally:
        book.close()


# ---------------------------------------------------------------- parsing cells


_PROVINCE = re.compile(r"^(.+?(?:省|自治区|特别行政区)|北京市|天津市|上海市|重庆市)(.*)$")


def split_destination(text: str) -> tuple[str, str]:
    """One 流向 cell as (province, city): 广东省深圳市 → (广东省, 深圳市); 广东 深圳 → (广东, 深圳);
    a place without a province stays the city."""
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    if " " in text:
        province, _, city = text.partition(" ")
        return province, city
    match = _PROVINCE.match(text)
    return (match[1], match[2].strip()) if match else ("", text)


def _normalised(value: str, aliases: dict[str, str]) -> str:
    return aliases.get(value, value)


def _parse_cells(columns: dict[str, int], by_key: dict[str, Column], cells: Sequence[Any],
                 today: date) -> tuple[dict[str, Any], dict[str, str]]:
    """The cells of one row as typed values (only those with a value: a blank cell keeps what is stored;
    “无” clears), and the cells that cannot be read."""
    provided: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, col in columns.items():
        column = by_key.get(key)
        if column is None:
            continue
        raw = cells[col] if col < len(cells) else None
        if _is_blank(raw) or column.kind == "info":
            continue
        empty = _is_empty_mark(raw)
        try:
            if column.kind == "id":
                provided[key] = "" if empty else clean_id(raw)
            elif column.kind == "date":
                latest = date.max if key in FUTURE_DATES else today
                provided[key] = None if empty else parse_date(raw, field_label=column.header, field=key, today=latest)
            elif column.kind == "phone":
                provided[key] = "" if empty else re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", _text(raw)))
            elif column.kind == "place":
                provided[key] = ("", "") if empty else split_destination(_text(raw))
            elif column.kind == "reason":
                provided[key] = "" if empty else _normalised(_text(raw), REASON_ALIASES)
            elif column.kind == "certificate":
                provided[key] = "无" if empty else _normalised(_text(raw), CERTIFICATE_ALIASES)
            else:
                provided[key] = "" if empty else _choice(_text(raw), column)
        except IdNumberError as exc:
            errors[key] = exc.errors.get("id_number", str(exc))
        except ValidationError as exc:
            errors[key] = next(iter(exc.errors.values()))
    return provided, errors


# ---------------------------------------------------------------- preview


@dataclass(frozen=True)
class ImportRow:
    """One data row, parsed and checked once."""

    sheet: str
    row_number: int
    cells: tuple[Any, ...]  # the original cells, for the error report
    kind: str  # 外出 / 流入 (empty when the row's 类型 is unreadable)
    name: str
    errors: dict[str, str] = field(default_factory=dict)
    member_id: int | None = None  # 外出: the ledger member
    record_id: int | None = None  # 外出: the stored record this row updates
    outflow: OutflowInput | None = None
    outflow_changed: bool = False  # the stored record's fields change
    returned_on: date | None = None  # 外出: the return to register
    inflow: InflowInput | None = None
    departed_on: date | None = None  # 流入: the departure to register
    left_reason: str = ""
    changes: tuple[str, ...] = ()  # what an update changes, for the preview
    same: bool = False  # 流入: the row says exactly what is stored

    @property
    def reason(self) -> str:
        ordered = sorted(self.errors.items(), key=lambda item: _FIELD_ORDER.get(item[0], len(_FIELD_ORDER)))
        return "；".join(message.rstrip("。") for _, message in ordered) + "。" if ordered else ""

    @property
    def where(self) -> str:
        return f"工作表“{self.sheet}”第 {self.row_number} 行"

    @property
    def order_key(self) -> tuple:
        """Rows are applied per person in order of date: earlier periods first."""
        day = (self.outflow.left_on if self.outflow else self.inflow.arrived_on if self.inflow else None)
        return (self.kind, self.member_id or 0, day or date.min)


@dataclass(frozen=True)
class SheetInfo:
    name: str
    kind: str  # 外出, 流入, or empty (by the 类型 column)
    header_row: int
    headers: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]  # (header as written, the standard header)
    ignored: tuple[str, ...]
    rows: int


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do; :func:`apply` writes exactly these rows."""

    path: Path
    sheets: tuple[SheetInfo, ...]
    skipped_sheets: tuple[str, ...]
    to_add: tuple[ImportRow, ...]
    to_update: tuple[ImportRow, ...]
    unchanged: tuple[ImportRow, ...]
    rejected: tuple[ImportRow, ...]
    today: date

    @property
    def total(self) -> int:
        return len(self.to_add) + len(self.to_update) + len(self.unchanged) + len(self.rejected)

    def summary(self) -> str:
        return (f"共 {self.total} 行：{_counts(self.to_add, len(self.to_update))}，无变化 {len(self.unchanged)} 行，"
                f"拒绝 {len(self.rejected)} 行。")


def _counts(added: Sequence[ImportRow], updated: int) -> str:
    outflow = sum(1 for r in added if r.kind == OUTFLOW)
    return f"外出登记新增 {outflow} 条、更新 {updated} 条，流入党员新增 {len(added) - outflow} 人"


def _check_every(progress: Progress | None, cancelled: Cancelled | None, done: int, total: int) -> None:
    if cancelled is not None and cancelled():
        raise ImportCancelled()
    if progress is not None:
        progress(done, total)


@dataclass
class _Entry:
    """A row on its way through the checks."""

    sheet: SheetData
    number: int
    cells: tuple[Any, ...]
    kind: str
    provided: dict[str, Any]
    errors: dict[str, str]
    index: int  # in the workbook, for the order of messages

    def row(self, **values) -> ImportRow:
        return ImportRow(self.sheet.name, self.number, self.cells, self.kind, self.provided.get("name", ""),
                         **values)


def preview(
    session: Session,
    path: str | Path,
    *,
    sheet: str | None = None,
    today: date | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportPreview:
    """Read ``sheet`` (None: every sheet with a 外出 or 流入 list), parse and check every row once.

    Nothing is written. Raises ExcelError when the file cannot be read, ImportCancelled when
    ``cancelled()`` turns true."""
    return build_preview(session, read_workbook(path, sheet), today=today, progress=progress, cancelled=cancelled)


def build_preview(
    session: Session,
    book: Workbook,
    *,
    today: date | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportPreview:
    today = today or date.today()
    entries: list[_Entry] = []
    for sheet in book.sheets:
        for number, cells in sheet.rows:
            kind, errors = sheet.kind, {}
            if not kind:
                raw = cells[sheet.columns["type"]] if sheet.columns["type"] < len(cells) else None
                kind = TYPE_WORDS.get(unicodedata.normalize("NFKC", _text(raw)) if not _is_blank(raw) else "", "")
                if not kind:
                    errors["type"] = ("请在“类型”列填写“外出”或“流入”。" if _is_blank(raw)
                                      else f"类型应为“外出”或“流入”，现在是“{_text(raw)}”。")
            by_key = KIND_COLUMNS.get(kind, {"name": OUTFLOW_COLUMNS[0]})
            provided, parse_errors = _parse_cells(sheet.columns, by_key, cells, today)
            entries.append(_Entry(sheet, number, cells, kind, provided, {**errors, **parse_errors}, len(entries)))
    total = len(entries)
    _check_every(progress, cancelled, 0, total)

    rows: list[ImportRow] = [entry.row(errors=entry.errors) for entry in entries if not entry.kind]
    rows += _outflow_rows(session, [e for e in entries if e.kind == OUTFLOW], today, len(book.sheets) > 1)
    _check_every(progress, cancelled, sum(1 for e in entries if e.kind != INFLOW), total)
    rows += _inflow_rows(session, [e for e in entries if e.kind == INFLOW], today, len(book.sheets) > 1)
    _check_every(progress, cancelled, total, total)

    order = {(e.sheet.name, e.number): e.index for e in entries}
    rows.sort(key=lambda r: order[(r.sheet, r.row_number)])
    to_add, to_update, unchanged, rejected = [], [], [], []
    for row in rows:
        if row.errors:
            rejected.append(row)
        elif row.kind == INFLOW and row.same:
            unchanged.append(row)
        elif row.kind == INFLOW or row.record_id is None:
            to_add.append(row)
        elif row.outflow_changed or row.returned_on is not None:
            to_update.append(row)
        else:
            unchanged.append(row)
    sheets = tuple(
        SheetInfo(s.name, s.kind, s.header_row, s.headers,
                  tuple((s.headers[c], COLUMN_BY_KEY[k].header) for k, c in sorted(s.columns.items(), key=lambda x: x[1])),
                  s.ignored, len(s.rows))
        for s in book.sheets
    )
    return ImportPreview(book.path, sheets, book.skipped, tuple(to_add), tuple(to_update), tuple(unchanged),
                         tuple(rejected), today)


def _place(entry: _Entry, several_sheets: bool) -> str:
    return f"工作表“{entry.sheet.name}”第 {entry.number} 行" if several_sheets else f"第 {entry.number} 行"


# ---------------------------------------------------------------- 外出 rows


@dataclass(frozen=True)
class _Person:
    id: int
    name: str
    status: str
    left_on: date | None


def _id_key(entry: _Entry, today: date) -> str:
    """The 18-character form of a row's ID number (15 digits upgraded); an invalid one is the row's error."""
    raw = entry.provided.get("id_number", "")
    try:
        return parse_id(raw, today=today).number if raw else ""
    except IdNumberError as exc:
        entry.errors.setdefault("id_number", exc.errors.get("id_number", str(exc)) + "。")
        return raw


def _members_by(session: Session, column, values: Iterable[str]) -> dict[str, list[_Person]]:
    values = sorted(set(values))
    found: dict[str, list[_Person]] = defaultdict(list)
    for start in range(0, len(values), CHUNK):
        stmt = (select(column, Member.id, Member.name, Member.status, Member.left_on)
                .where(column.in_(values[start:start + CHUNK])).order_by(Member.id))
        for key, *person in session.execute(stmt):
            found[key].append(_Person(*person))
    return found


def _records_of(session: Session, member_ids: Iterable[int]) -> dict[int, list[FloatingRecord]]:
    ids = sorted(set(member_ids))
    found: dict[int, list[FloatingRecord]] = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        stmt = (select(FloatingRecord).where(FloatingRecord.member_id.in_(ids[start:start + CHUNK]))
                .order_by(FloatingRecord.left_on, FloatingRecord.id))
        for record in session.scalars(stmt):
            found[record.member_id].append(record)
    return found


def _match_member(entry: _Entry, key: str, by_id: dict[str, list[_Person]],
                  by_name: dict[str, list[_Person]]) -> tuple[_Person | None, dict[str, str]]:
    name = entry.provided.get("name", "")
    if "id_number" in entry.errors:
        return None, {}
    if key:
        people = by_id.get(key, [])
        if not people:
            return None, {"member": f"台账中没有身份证号为 {key} 的党员；流入党员请填写在“{INFLOW_SHEET}”表。"}
        person = people[0]
        if name and name != person.name:
            return None, {"name": f"表中姓名“{name}”与台账中身份证号为 {key} 的党员“{person.name}”不符，请核对。"}
        return person, {}
    if not name:
        return None, {"name": "请填写姓名。"}
    people = by_name.get(name, [])
    if not people:
        return None, {"member": f"台账中没有名为“{name}”的党员；流入党员请填写在“{INFLOW_SHEET}”表。"}
    if len(people) > 1:
        return None, {"id_number": f"台账中有 {len(people)} 名党员叫“{name}”，请填写公民身份号码以区分。"}
    return people[0], {}


_LABELS = {c.field: c.header for c in OUTFLOW_COLUMNS}


def _shown(value: object) -> str:
    if value is None or value == "":
        return "无"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _outflow_changes(old: OutflowInput, new: OutflowInput) -> tuple[str, ...]:
    return tuple(f"{_LABELS.get(n, n)}：{_shown(getattr(old, n))} → {_shown(getattr(new, n))}"
                 for n in OUTFLOW_FIELDS if getattr(old, n) != getattr(new, n))


@dataclass
class _Timeline:
    """A member's periods as the rows checked so far leave them (for the rows that come later)."""

    open_left: date | None = None  # a stored record still open: the member gets no other
    sheet_end: date | None = None  # the latest return among the new records of this import
    sheet_end_place: str = ""
    sheet_open: str = ""  # a new record of this import still open: where it is


NEW_OUTFLOW = OutflowInput(left_on=None)


def _outflow_rows(session: Session, entries: list[_Entry], today: date, several: bool) -> list[ImportRow]:
    if not entries:
        return []
    keys = [_id_key(e, today) for e in entries]
    by_id = _members_by(session, Member.id_number, [k for k in keys if len(k) == 18])
    by_name = _members_by(session, Member.name,
                          [e.provided.get("name", "") for e, k in zip(entries, keys, strict=True) if not k])
    matched = [_match_member(e, k, by_id, by_name) for e, k in zip(entries, keys, strict=True)]
    records = _records_of(session, [p.id for p, _ in matched if p is not None])
    timelines = {
        member_id: _Timeline(open_left=next((r.left_on for r in stored if r.returned_on is None), None))
        for member_id, stored in records.items()
    }
    # The same member and 外出日期 twice in the sheet: every such row is refused.
    same: dict[tuple[int, date], list[_Entry]] = defaultdict(list)
    for entry, (person, _) in zip(entries, matched, strict=True):
        if person is not None and entry.provided.get("left_on") is not None:
            same[(person.id, entry.provided["left_on"])].append(entry)

    order = sorted(range(len(entries)), key=lambda i: (
        matched[i][0].id if matched[i][0] else 0, entries[i].provided.get("left_on") or date.min, i))
    result: list[ImportRow] = []
    for i in order:
        entry, (person, match_errors) = entries[i], matched[i]
        errors = {**entry.errors, **match_errors}
        if person is None:
            result.append(entry.row(errors=errors))
            continue
        provided = dict(entry.provided)
        if "destination" in provided:
            province, city = provided.pop("destination")
            provided.setdefault("destination_province", province)
            provided.setdefault("destination_city", city)
        values = {k: v for k, v in provided.items() if k in OUTFLOW_FIELDS}
        left, back = provided.get("left_on"), provided.get("returned_on")
        stored = next((r for r in records.get(person.id, []) if r.left_on == left), None) if left else None
        timeline = timelines.setdefault(person.id, _Timeline())
        twins = [e for e in same.get((person.id, left), []) if e is not entry] if left else []
        if twins:
            errors["duplicate"] = (f"与{'、'.join(_place(e, several) for e in twins)}是同一次外出"
                                   f"（同一人、同一外出日期 {left:%Y-%m-%d}），请只保留一行。")
        returning = False
        if stored is not None:
            base = OutflowInput(**{n: getattr(stored, n) for n in OUTFLOW_FIELDS})
            found, clean = floating.validate_outflow(session, person.id, replace(base, **values), record_id=stored.id,
                                                     today=today)
            changed = clean != base
            if back is not None and stored.returned_on is None:
                if back < left:
                    errors["returned_on"] = f"返回日期不能早于外出日期（{left:%Y-%m-%d}）。"
                returning = True
            elif back is not None and back != stored.returned_on:
                errors["returned_on"] = (f"这次外出已于 {stored.returned_on:%Y-%m-%d} 登记返回，表中返回日期为 "
                                         f"{back:%Y-%m-%d}：导入不修改已登记的返回日期，请在流动党员之家中核对。")
            if person.status != "在册" and (changed or returning):
                errors["member_id"] = f"“{person.name}”已{person.status}，不在党员台账中，不能再修改其外出登记。"
        else:
            base, changed = NEW_OUTFLOW, True
            found, clean = floating.validate_outflow(session, person.id, replace(base, **values), today=today)
            if person.status != "在册":
                when = f"（{person.left_on:%Y-%m-%d}）" if person.left_on else ""
                found["member_id"] = f"“{person.name}”已{person.status}{when}，不在党员台账中，不能登记为外出流动党员。"
            if left is not None and "left_on" not in errors:
                if timeline.open_left is not None:
                    found["left_on"] = (
                        f"台账中该党员已有 {timeline.open_left:%Y-%m-%d} 外出、尚未返回的记录，表中外出日期 "
                        f"{left:%Y-%m-%d} 与之不符：同一人只能有一条未返回的外出记录。请核对外出日期；"
                        "已返回后再次外出的，请先在流动党员之家登记返回，再导入本行。")
                elif timeline.sheet_open:
                    found["left_on"] = (f"表中{timeline.sheet_open}登记的外出尚未返回，同一人只能有一条未返回的"
                                        "外出记录：请在那一行填写返回日期。")
                elif timeline.sheet_end is not None and left < timeline.sheet_end:
                    found["left_on"] = (f"与表中{timeline.sheet_end_place}的外出时间重叠（那次 "
                                        f"{timeline.sheet_end:%Y-%m-%d} 才返回）。")
            if back is not None and left is not None and back < left:
                errors["returned_on"] = f"返回日期不能早于外出日期（{left:%Y-%m-%d}）。"
        errors = {**found, **errors}
        if errors:
            result.append(entry.row(errors=errors, member_id=person.id))
            continue
        if stored is None:
            if back is None:
                timeline.sheet_open = _place(entry, several)
            elif timeline.sheet_end is None or back > timeline.sheet_end:
                timeline.sheet_end, timeline.sheet_end_place = back, _place(entry, several)
        changes = _outflow_changes(base, clean) if stored is not None else ()
        if returning:
            changes += (f"返回日期：无 → {back:%Y-%m-%d}",)
        result.append(entry.row(member_id=person.id, record_id=stored.id if stored else None, outflow=clean,
                                outflow_changed=changed, returned_on=back if (returning or stored is None) else None,
                                changes=changes))
    return result


# ---------------------------------------------------------------- 流入 rows


def _inflow_rows(session: Session, entries: list[_Entry], today: date, several: bool) -> list[ImportRow]:
    if not entries:
        return []
    resolver = OrgResolver(session)
    stored: dict[tuple[str, date], str] = {}  # (ID number or name, arrived on) → who, for duplicates
    stored_values: dict[tuple[str, date], tuple[InflowInput, date | None]] = {}  # for rows that change nothing
    for person in session.scalars(select(InflowMember)):
        key = (person.id_number or person.name, person.arrived_on)
        stored[key] = person.name
        stored_values[key] = (InflowInput(**{f: getattr(person, f) for f in INFLOW_FIELDS}), person.left_on)
    here_in_sheet: dict[str, str] = {}  # ID number → the row registering someone still here
    arrivals: dict[tuple[str, date], str] = {}
    order = sorted(range(len(entries)), key=lambda i: (entries[i].provided.get("arrived_on") or date.min, i))
    result: list[ImportRow] = []
    for i in order:
        entry = entries[i]
        errors = dict(entry.errors)
        provided = dict(entry.provided)
        host_text = provided.pop("host_org_id", "") or provided.get("org", "")
        host_id = None
        if host_text:
            match = resolver.resolve(host_text)
            host_id = match.org_id
            if host_id is None:
                errors["host_org_id"] = match.error.replace("所在党组织", "联系党组织")
        values = {k: v for k, v in provided.items() if k in INFLOW_FIELDS and k != "host_org_id"}
        data = InflowInput(**{"name": "", **values, "host_org_id": host_id})
        found, clean = validate_inflow(session, data, today=today)
        if host_id is None and "host_org_id" in errors:
            found.pop("host_org_id", None)
        departed, reason = provided.get("departed_on"), provided.get("left_reason", "")
        if departed is not None and clean.arrived_on is not None and departed < clean.arrived_on:
            errors["departed_on"] = f"离开日期不能早于来到日期（{clean.arrived_on:%Y-%m-%d}）。"
        if len(reason) > 200:
            errors["left_reason"] = "离开原因不能超过 200 个字。"
        if reason and departed is None:
            errors["departed_on"] = "填写了离开原因，请同时填写离开日期。"
        who = clean.id_number or clean.name
        if (not errors and clean.arrived_on is not None
                and stored_values.get((who, clean.arrived_on)) == (clean, departed)):
            result.append(entry.row(inflow=clean, departed_on=departed, left_reason=reason, same=True))
            continue  # exported and imported again: nothing to change
        if clean.arrived_on is not None and who and "id_number" not in found:
            key = (who, clean.arrived_on)
            if key in stored:
                errors["duplicate"] = (f"流入党员“{stored[key]}”（{clean.arrived_on:%Y-%m-%d} 来到）已经登记过，"
                                       "不能重复登记；导入不修改已登记的流入党员，请在流动党员之家中修改。")
            elif key in arrivals:
                errors["duplicate"] = f"与表中{arrivals[key]}重复（同一人、同一来到日期），请只保留一行。"
            elif clean.id_number and departed is None and clean.id_number in here_in_sheet:
                errors["duplicate"] = (f"身份证号 {clean.id_number} 在表中{here_in_sheet[clean.id_number]}已登记为"
                                       "流入党员（尚未离开），不能重复登记。")
        errors = {**found, **errors}
        if errors:
            result.append(entry.row(errors=errors))
            continue
        if clean.arrived_on is not None and who:
            arrivals[(who, clean.arrived_on)] = _place(entry, several)
        if clean.id_number and departed is None:
            here_in_sheet[clean.id_number] = _place(entry, several)
        result.append(entry.row(inflow=clean, departed_on=departed, left_reason=reason))
    return result


# ---------------------------------------------------------------- apply


@dataclass(frozen=True)
class ImportResult:
    added: int  # 外出 records and inflow members registered
    updated: int  # 外出 records updated or returned
    rejected: int
    report_path: Path | None
    unchanged: int = 0
    changes: Changes = FLOATING
    rejected_rows: tuple[ImportRow, ...] = field(default=(), repr=False)
    added_outflow: int = 0
    added_inflow: int = 0

    def summary(self) -> str:
        text = (f"外出登记新增 {self.added_outflow} 条、更新 {self.updated} 条，流入党员新增 {self.added_inflow} 人，"
                f"无变化 {self.unchanged} 行，拒绝 {self.rejected} 行")
        if self.report_path is not None:
            text += f"。错误报告：{self.report_path}"
        return text + "。"


def _result(added: Sequence[ImportRow], updated: int, rejected: Sequence[ImportRow], report: Path | None,
            unchanged: int, changes: Changes) -> ImportResult:
    outflow = sum(1 for r in added if r.kind == OUTFLOW)
    return ImportResult(len(added), updated, len(rejected), report, unchanged, changes, tuple(rejected), outflow,
                        len(added) - outflow)


def apply(
    target: Database | Session,
    preview: ImportPreview,
    *,
    report_path: str | Path | None = None,
    write_report_file: bool = True,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportResult:
    """Write the preview's good rows in ONE transaction, and the rejected ones to the error report.

    Each row goes through the same use cases as the forms (register_outflow, update_outflow,
    return_home, register_inflow, depart); a row they refuse now (the data changed since the preview)
    is rejected too. Given a Database, the unit of work is opened (and committed) here; given a Session,
    the caller commits. A locked or read-only database raises its error, and ``cancelled()`` raises
    ImportCancelled: either way nothing is written and no report is left behind."""
    report = Path(report_path) if report_path is not None else default_report_path(preview.path)
    if isinstance(target, Session):
        return _apply(target, preview, report if write_report_file else None, progress, cancelled)
    existed = report.exists()
    written: list[Path] = []
    try:
        with target.unit_of_work("导入流动党员") as session:
            result = _apply(session, preview, report if write_report_file else None, progress, cancelled)
            if result.report_path is not None:
                written.append(result.report_path)
    except BaseException:
        if written and not existed:
            written[0].unlink(missing_ok=True)  # nothing was imported: no report of a half-done import
        raise
    return result


def _apply_row(session: Session, row: ImportRow, today: date) -> None:
    if row.kind == OUTFLOW:
        assert row.outflow is not None and row.member_id is not None
        record_id = row.record_id
        if record_id is None:
            record_id, _ = floating.register_outflow(session, row.member_id, row.outflow, today=today)
        elif row.outflow_changed:
            floating.update_outflow(session, record_id, row.outflow, today=today)
        if row.returned_on is not None:
            floating.return_home(session, record_id, row.returned_on, today=today)
    else:
        assert row.inflow is not None
        inflow_id, _ = register_inflow(session, row.inflow, today=today)
        if row.departed_on is not None:
            depart(session, inflow_id, row.departed_on, row.left_reason, today=today)


def _apply(session: Session, preview: ImportPreview, report: Path | None, progress: Progress | None,
           cancelled: Cancelled | None) -> ImportResult:
    work = sorted([*preview.to_add, *preview.to_update], key=lambda r: r.order_key)
    total = len(work)
    _check_every(progress, cancelled, 0, total)
    added: list[ImportRow] = []
    updated = 0
    late: list[ImportRow] = []
    for done, row in enumerate(work, start=1):
        try:
            with session.begin_nested():
                _apply_row(session, row, preview.today)
        except AppError as exc:  # refused now: something changed since the preview
            late.append(replace(row, errors=getattr(exc, "errors", None) or {"": str(exc)}))
        else:
            if row.kind == OUTFLOW and row.record_id is not None:
                updated += 1
            else:
                added.append(row)
        if done % CHUNK == 0 or done == total:
            _check_every(progress, cancelled, done, total)
    order = {info.name: i for i, info in enumerate(preview.sheets)}
    rejected = sorted([*preview.rejected, *late], key=lambda r: (order.get(r.sheet, 0), r.row_number))
    changes = FLOATING | MEMBERS if any(r.kind == OUTFLOW for r in added) or updated else FLOATING
    if added or updated:
        audit.log(session, "floating", None, "导入",
                  f"{preview.path.name}：{_counts(added, updated)}，拒绝 {len(rejected)} 行")
    written = None
    if rejected and report is not None:
        _check_every(None, cancelled, 0, 0)
        written = write_report(report, preview, rejected)
    session.flush()
    return _result(added, updated, rejected, written, len(preview.unchanged), changes)


def dry_run(preview: ImportPreview, *, report_path: str | Path | None = None) -> ImportResult:
    """What :func:`apply` would do, without touching the database; the error report is written all the
    same (to ``report_path`` or beside the file) when rows would be rejected."""
    written = None
    if preview.rejected:
        written = write_report(report_path or default_report_path(preview.path), preview, preview.rejected)
    return _result(preview.to_add, len(preview.to_update), preview.rejected, written, len(preview.unchanged),
                   Changes())


# ---------------------------------------------------------------- error report and template


def write_report(path: str | Path, preview: ImportPreview, rejected: Sequence[ImportRow] | None = None) -> Path:
    """The rejected rows with their original columns, then 错误原因 and 原行号 — one sheet per source
    sheet under the same name (so it imports again as the same list), IDs and phones as text cells."""
    from openpyxl import Workbook as OpenpyxlWorkbook

    path = Path(path)
    rows = list(preview.rejected if rejected is None else rejected)
    by_sheet: dict[str, list[ImportRow]] = defaultdict(list)
    for row in rows:
        by_sheet[row.sheet].append(row)
    book = OpenpyxlWorkbook(write_only=True)
    used: set[str] = set()
    for info in preview.sheets:
        sheet_rows = sorted(by_sheet.get(info.name, []), key=lambda r: r.row_number)
        if not sheet_rows:
            continue
        ws = book.create_sheet(_report_sheet_name(info.name, used))
        keys = {i: HEADER_INDEX.get(normalise_header(h)) for i, h in enumerate(info.headers) if h}
        columns = [COLUMN_BY_KEY.get(keys.get(i) or "") for i in range(len(info.headers))]
        set_columns(ws, columns, extra_widths=(60, 8))
        ws.freeze_panes = "A2"
        ws.append(header_cells(ws, [*(h or f"第{i + 1}列" for i, h in enumerate(info.headers)), REASON_HEADER,
                                    ROW_HEADER]))
        for row in sheet_rows:
            cells = [sheet_cell(ws, value, text=bool(i < len(columns) and columns[i] and columns[i].text_cell))
                     for i, value in enumerate(row.cells[:len(info.headers)])]
            cells += [sheet_cell(ws, None)] * (len(info.headers) - len(cells))
            ws.append([*cells, sheet_cell(ws, row.reason), sheet_cell(ws, row.row_number)])
    if not used:
        ws = book.create_sheet("错误报告")
        ws.append(["没有被拒绝的行。"])
    return save_workbook(book, path, "错误报告")


def template_columns(kind: str) -> tuple[Column, ...]:
    """The columns a template (and export) writes for a list; the template leaves out what is never imported."""
    return OUTFLOW_COLUMNS if kind == OUTFLOW else INFLOW_COLUMNS


def write_template(path: str | Path, *, org_paths: Sequence[str] = (),
                   modes: Sequence[str] = floating.DEFAULT_MODES) -> Path:
    """An empty workbook with the two lists' headers (required ones marked *, ID and phone columns as
    text, drop-downs for the fixed lists), the allowed values and a 填写说明 sheet."""
    from openpyxl import Workbook as OpenpyxlWorkbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    book = OpenpyxlWorkbook()
    lists = {"外出原因": floating.REASONS, "管理方式": tuple(modes), "所持证明": CERTIFICATE_KINDS,
             "性别": ("男", "女"), "人员类别": ("正式党员", "预备党员")}
    if org_paths:
        lists["联系党组织"] = tuple(org_paths)
    list_of = {"reason": "外出原因", "management_mode": "管理方式", "certificate_kind": "所持证明", "sex": "性别",
               "category": "人员类别", "host_org_id": "联系党组织"}
    sheets = []
    for index, (title, kind) in enumerate(((OUTFLOW_SHEET, OUTFLOW), (INFLOW_SHEET, INFLOW))):
        ws = book.active if index == 0 else book.create_sheet()
        ws.title = title
        columns = [c for c in template_columns(kind) if c.kind != "info"]
        ws.append([("*" if c.required else "") + c.header for c in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True, color="C00000" if cell.value.startswith("*") else "000000")
            cell.fill = PatternFill("solid", fgColor="FFF2CC")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.freeze_panes = "A2"
        for col, column in enumerate(columns, start=1):
            dimension = ws.column_dimensions[get_column_letter(col)]
            dimension.width = column.width + 2
            if column.text_cell:
                dimension.number_format = TEXT_FORMAT
            elif column.kind == "date":
                dimension.number_format = DATE_FORMAT
        sheets.append((ws, columns))
    values = book.create_sheet("可选值")
    titles = list(lists)
    for col, (title, options) in enumerate(lists.items(), start=1):
        values.cell(row=1, column=col, value=title).font = Font(bold=True)
        for row, option in enumerate(options, start=2):
            values.cell(row=row, column=col, value=option)
        values.column_dimensions[get_column_letter(col)].width = 40 if title == "联系党组织" else 18
    for ws, columns in sheets:
        for col, column in enumerate(columns, start=1):
            title = list_of.get(column.field)
            if title not in lists:
                continue
            source = get_column_letter(titles.index(title) + 1)
            check = DataValidation(type="list", allow_blank=True,
                                   formula1=f"{quote_sheetname('可选值')}!${source}$2:${source}${len(lists[title]) + 1}",
                                   showErrorMessage=column.field in ("reason", "sex", "category"),
                                   errorTitle="不是可选值", error=f"请从下拉列表中选择{column.header}。")
            check.add(f"{get_column_letter(col)}2:{get_column_letter(col)}5000")
            ws.add_data_validation(check)
    notes = book.create_sheet("填写说明")
    notes.append(["工作表", "列名", "必填", "填写说明"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for ws, columns in sheets:
        for column in columns:
            options = "可选值见“可选值”工作表。" if column.field in list_of else ""
            notes.append([ws.title, column.header, "是" if column.required else "",
                          "；".join(x for x in (column.hint, options) if x)])
    notes.append([])
    for line in (
        f"“{OUTFLOW_SHEET}”表登记本社区党员台账中的党员外出；“{INFLOW_SHEET}”表登记组织关系在外地、居住在本社区的党员。",
        "工作表名称中有“外出”或“流出”的按外出流动党员导入，有“流入”的按流入党员导入；放在同一张表时，加一列“类型”，每行填“外出”或“流入”。",
        "表头可以在第 1 行，也可以在标题行下面；列的顺序不限，多余的列不导入。",
        "身份证号、手机号请设为文本格式（本模板已设好）：存成数字的身份证号末尾几位会丢失，导入时会被拒绝。",
        "日期可写 2025-03-01、2025.3.1 或 2025年3月1日。",
        "外出流动党员按公民身份号码对应到党员台账；同一人、同一外出日期再次导入时更新原登记，空白单元格保留原有内容，填“无”表示清空。",
        "流入党员已登记的不会重复登记；需要修改的请在流动党员之家中修改。",
        "有问题的行不会导入，导入后会生成“错误报告”，改正后可直接再次导入。",
    ):
        notes.append([line])
    for letter, width in zip("ABCD", (14, 18, 6, 70), strict=True):
        notes.column_dimensions[letter].width = width
    return save_workbook(book, path, "导入模板")


def template_file_name() -> str:
    return "流动党员导入模板.xlsx"
