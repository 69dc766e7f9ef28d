"""Importing a 花名册: an Excel sheet of members → a preview → one transaction.

- Read with python-calamine (``.xlsx``, ``.xls``, ``.ods``; cell types kept, about fifteen times faster
  than openpyxl); the header row is found below any title rows; columns are matched by name with the
  common variants (``COLUMNS``); merged cells read as their value.
- Each row is parsed and validated once (``members.validate``) by :func:`preview`; the parsed rows are kept
  in the :class:`ImportPreview` and :func:`apply` writes them in bulk in one transaction — or nothing.
- Rejected rows go to an error report (``.xlsx``: the original columns plus 错误原因) that can be corrected
  and imported again; :func:`write_template` writes an empty sheet with the right headers.

openpyxl and python-calamine are imported inside the functions that use them (start-up time).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from app import audit, members, orgs
from app.changes import MEMBERS, ORGS, Changes
from app.dates import parse_date
from app.errors import AppError, ValidationError
from app.idcard import IdNumberError, clean_id, parse_id
from app.members import INPUT_FIELDS, KEY_FIELDS, MemberInput
from db.base import now
from db.database import Database
from db.models import ChangeLog, Member, MemberSearchKey, Organization, Setting

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

READABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
HEADER_SCAN_ROWS = 20  # the header row is looked for among the first rows (title rows above it)
CHUNK = 500  # rows per bulk statement, and between progress reports
ANALYZE_FROM = 1000  # rows added by one import after which the planner statistics are refreshed
REPORT_SUFFIX = "_错误报告.xlsx"
REASON_HEADER = "错误原因"
ROW_HEADER = "原行号"
EMPTY_MARKS = frozenset({"无", "/", "-", "—", "——", "－", "\\"})  # "none", as official sheets write it
YES = frozenset({"是", "Y", "YES", "TRUE", "√", "✓", "✔", "1", "有"})
NO = frozenset({"否", "N", "NO", "FALSE", "×", "✗", "✘", "0", "无"})
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"


@dataclass(frozen=True)
class Column:
    """One column of the ledger sheet: the field it fills, its header and the variants offices use."""

    field: str  # a MemberInput field, or "org" (a path or name) / "status" (export only)
    header: str  # what export and the template write
    kind: str  # text, id, date, bool, phone, org, category, sex, status
    variants: tuple[str, ...] = ()
    width: int = 12
    required: bool = False
    hint: str = ""  # for the template's 填写说明
    derived: bool = False  # written by export from other records; recognised but never imported

    @property
    def text_cell(self) -> bool:
        """Written as a text cell: Excel keeps only 15 significant digits of a number."""
        return self.kind in ("id", "phone")


# The national 16 items, then what offices add, in the order export and the template write them.
COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "text", ("党员姓名",), 10, True),
    Column("sex", "性别", "sex", (), 6, hint="可不填，按身份证号自动填写"),
    Column("id_number", "身份证号", "id", ("公民身份号码", "身份证号码", "身份证", "公民身份证号码", "公民身份证号",
                                             "身份证件号码"), 21, True, "18 位，末位 X 大写；请设为文本格式"),
    Column("ethnicity", "民族", "text", (), 8, hint="例如：汉族"),
    Column("birth_date", "出生日期", "date", ("出生年月", "出生年月日"), 12, hint="可不填，按身份证号自动填写"),
    Column("education", "学历", "text", ("文化程度",), 12),
    Column("category", "人员类别", "category", ("党员类别", "类别"), 10, True),
    Column("org", "所在党组织", "org", ("所在党支部", "党组织", "支部", "所在支部", "党支部", "所在党组织名称"), 36, True,
           "写完整路径（用“/”分隔），或在社区内唯一的组织名称"),
    Column("joined_on", "入党日期", "date", ("入党时间",), 12, True, "例如 2001-07-01、2001.7.1、2001年7月1日"),
    Column("confirmed_on", "转正日期", "date", ("转正时间",), 12, hint="正式党员必填；预备党员不填"),
    Column("occupation", "工作岗位", "text", ("职业",), 18),
    Column("mobile", "手机", "phone", ("手机号", "手机号码", "联系电话", "联系方式", "移动电话"), 14, hint="11 位；请设为文本格式"),
    Column("landline", "固定电话", "phone", ("座机", "办公电话"), 14, hint="例如 010-62345678"),
    Column("address", "家庭住址", "text", ("住址", "现居住地", "家庭地址", "现住址", "居住地址"), 30, hint="写到门牌号"),
    Column("standing", "党籍状态", "text", (), 10, hint="不填为“正常”"),
    Column("lost_contact", "是否失联党员", "bool", ("失联", "失联党员", "是否失联"), 8, derived=True),
    Column("lost_contact_on", "失去联系日期", "date", ("失联日期", "失联时间", "失去联系时间"), 12, derived=True),
    Column("floating", "是否流动党员", "bool", ("流动党员", "是否流动"), 8, derived=True),
    Column("floating_destination", "外出流向", "text", ("流向", "流出地"), 16, derived=True),
    Column("native_place", "籍贯", "text", (), 10),
    Column("degree", "学位", "text", (), 8),
    Column("employer", "工作单位及职务", "text", ("工作单位", "单位及职务", "工作单位及职称"), 24),
    Column("report_unit", "在职党员报到单位", "text", ("报到单位", "双报到单位"), 18),
    Column("in_hardship", "困难党员", "bool", ("是否困难党员",), 8),
    Column("introducers", "入党介绍人", "text", ("介绍人",), 12),
    Column("work_started_on", "参加工作时间", "date", ("参加工作日期",), 12),
    Column("party_post", "党内职务", "text", (), 10),
    Column("probation_extended", "延长预备期", "bool", ("是否延长预备期", "预备期延长"), 8, hint="预备期延长过一年的填“是”"),
    Column("note", "备注", "text", (), 20),
)
STATUS_COLUMN = Column("status", "状态", "status", ("党员状态", "在册状态"), 8)
COLUMN_BY_FIELD = {c.field: c for c in (*COLUMNS, STATUS_COLUMN)}
# The template leaves out the derived columns (是否流动党员, 外出流向, 是否失联党员, 失去联系日期): the
# 流动党员之家's records make them; export writes them, import recognises and ignores them.
TEMPLATE_COLUMNS = tuple(c for c in COLUMNS if not c.derived)
DERIVED_NOTE = ("“是否流动党员”“外出流向”“是否失联党员”“失去联系日期”由流动党员之家的外出登记和失联处置生成，"
                "本次导入已忽略表中的这些列（{}）；请在流动党员之家办理。")
_FIELD_ORDER = {name: i for i, name in enumerate(["org_id" if c.field == "org" else c.field for c in COLUMNS])}
_FIELD_ORDER["duplicate"] = _FIELD_ORDER["id_number"]
_FIELD_ORDER["status"] = len(_FIELD_ORDER)


def normalise_header(value: object) -> str:
    """A header as compared: full-width forms folded, spaces, line breaks and asterisks dropped,
    and a trailing note in brackets (``身份证号（必填）``) or colon left off."""
    text = unicodedata.normalize("NFKC", str(value))
    text = re.sub(r"[\s*]+", "", text)
    text = re.sub(r"\([^()]*\)$", "", text)
    return text.rstrip(":")


HEADER_INDEX: dict[str, str] = {
    normalise_header(name): column.field
    for column in (*COLUMNS, STATUS_COLUMN)
    for name in (column.header, *column.variants)
}


class ExcelError(AppError):
    """A workbook that cannot be read, or a sheet that holds no member list; nothing was written.

    ``brief`` says it in a few words, for the list of sheets skipped when all sheets are imported."""

    def __init__(self, message: str, brief: str = "") -> None:
        super().__init__(message)
        self.brief = brief or message


class ImportCancelled(AppError):
    def __init__(self) -> None:
        super().__init__("已取消导入，数据库未作任何改动。")


# ---------------------------------------------------------------- reading workbooks


@dataclass(frozen=True)
class SheetData:
    """One sheet as read: the header found, which field each column fills, and the data rows."""

    name: str
    header_row: int  # the Excel row number of the header
    headers: tuple[str, ...]  # the header cells as written, across the sheet's width
    columns: dict[str, int]  # field → column index
    ignored: tuple[str, ...]  # headers not recognised (those columns are not imported)
    rows: tuple[tuple[int, tuple[Any, ...]], ...]  # (Excel row number, cells), blank and note rows left out
    derived: tuple[str, ...] = ()  # headers of derived columns, recognised and left out


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _open_workbook(path: Path):
    import python_calamine

    if not path.is_file():
        raise ExcelError(f"找不到文件：{path}")
    if path.suffix.lower() not in READABLE_SUFFIXES:
        raise ExcelError(
            f"不支持的文件类型“{path.suffix or '无扩展名'}”：请选择 Excel 工作簿（.xlsx、.xls）或 .ods 表格；"
            "CSV 等文件请先用 Excel 或 WPS 另存为 .xlsx。"
        )
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except PermissionError as exc:
        raise ExcelError(f"无法读取“{path.name}”：文件正被其他程序占用（可能在 Excel 中打开着）或没有权限。") from exc
    except python_calamine.PasswordError as exc:
        raise ExcelError(f"“{path.name}”设有打开密码，请先在 Excel 或 WPS 中取消密码后再导入。") from exc
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise _not_a_workbook(path) from exc


def _not_a_workbook(path: Path) -> ExcelError:
    return ExcelError(
        f"文件不是有效的 Excel 工作簿：“{path.name}”可能已损坏，或只是把扩展名改成了 {path.suffix}。"
        "请用 Excel 或 WPS 打开它并另存为 .xlsx 后再导入。"
    )


def _visible_sheets(book) -> list[str]:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    names = [m.name for m in book.sheets_metadata
             if m.visible == SheetVisibleEnum.Visible and m.typ == SheetTypeEnum.WorkSheet]
    return names or list(book.sheet_names)


def sheet_names(path: str | Path) -> list[str]:
    """The workbook's visible worksheets, in order (for the user to pick one, or all)."""
    book = _open_workbook(Path(path))
    try:
        return _visible_sheets(book)
    finally:
        book.close()


def _fill_merges(rows: list[list[Any]], merges: Iterable[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """A merged range holds its value in the top-left cell only: give it to every cell of the range."""
    for (r0, c0), (r1, c1) in merges:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        if _is_blank(value):
            continue
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if _is_blank(row[c]):
                    row[c] = value


def _ods_merges(path: Path, sheet_name: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Merged ranges of an .ods sheet (calamine does not report them): spans in content.xml."""
    import zipfile
    from xml.etree.ElementTree import iterparse

    ns = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    merges = []
    inside, row, col = False, 0, 0
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as fh:
            for event, element in iterparse(fh, events=("start", "end")):
                tag = element.tag
                if tag == f"{ns}table":
                    if event == "start":
                        inside, row = element.get(f"{ns}name") == sheet_name, 0
                    else:
                        if inside:
                            break
                        element.clear()
                elif not inside:
                    continue
                elif tag == f"{ns}table-row":
                    if event == "start":
                        col = 0
                    else:
                        row += int(element.get(f"{ns}number-rows-repeated", "1"))
                        element.clear()
                elif tag in (f"{ns}table-cell", f"{ns}covered-table-cell") and event == "start":
                    rows_spanned = int(element.get(f"{ns}number-rows-spanned", "1"))
                    cols_spanned = int(element.get(f"{ns}number-columns-spanned", "1"))
                    if rows_spanned > 1 or cols_spanned > 1:
                        merges.append(((row, col), (row + rows_spanned - 1, col + cols_spanned - 1)))
                    col += int(element.get(f"{ns}number-columns-repeated", "1"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, SyntaxError):
        return []
    return merges


def _expected_headers() -> str:
    return "、".join(c.header for c in COLUMNS if c.field not in ("name", "id_number"))


def _find_header(rows: Sequence[Sequence[Any]]) -> tuple[int, dict[str, int]] | None:
    """The row among the first ``HEADER_SCAN_ROWS`` naming the most known fields, 姓名 and 身份证号 among them."""
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        for col, value in enumerate(row):
            if isinstance(value, str):
                found = HEADER_INDEX.get(normalise_header(value))
                if found and found not in columns:
                    columns[found] = col
        if "name" in columns and "id_number" in columns and (best is None or len(columns) > len(best[1])):
            best = (index, columns)
    return best


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
        merges = sheet.merged_cell_ranges  # None where calamine does not know them (.ods)
    except (python_calamine.CalamineError, ValueError):
        merges = None
    if merges is None and path.suffix.lower() == ".ods":
        merges = _ods_merges(path, name)
    _fill_merges(rows, merges or ())
    found = _find_header(rows)
    if found is None:
        raise ExcelError(
            f"工作表“{name}”中找不到表头：前 {HEADER_SCAN_ROWS} 行中没有一行同时有“姓名”和“身份证号”"
            f"（或“公民身份号码”“身份证号码”“身份证”）两列。其他可识别的列：{_expected_headers()}。"
            "可以下载导入模板，对照模板的表头修改。",
            f"工作表“{name}”中没有“姓名”和“身份证号”表头",
        )
    header_index, columns = found
    header = rows[header_index]
    headers = tuple("" if _is_blank(v) else str(v).strip() for v in header)
    derived = tuple(headers[c] for f, c in sorted(columns.items(), key=lambda x: x[1]) if COLUMN_BY_FIELD[f].derived)
    columns = {f: c for f, c in columns.items() if not COLUMN_BY_FIELD[f].derived}
    ignored = tuple(h for i, h in enumerate(headers) if h and i not in columns.values() and h not in derived)
    name_col, id_col = columns["name"], columns["id_number"]
    data = []
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if filled_before[index] == 0:
            continue
        name_cell = row[name_col] if name_col < len(row) else None
        id_cell = row[id_col] if id_col < len(row) else None
        if isinstance(name_cell, str) and HEADER_INDEX.get(normalise_header(name_cell)) == "name":
            continue  # the header repeated (a printed sheet's page heading)
        if filled_before[index] <= 1 and (_is_blank(name_cell) or _is_blank(id_cell) or name_cell == id_cell):
            continue  # a note, a total or a section title (合计：25 人; 第一网格党支部 across the row)
        data.append((index + 1, tuple(row)))
    if not data:
        raise ExcelError(f"工作表“{name}”只有表头（第 {header_index + 1} 行），下面没有党员数据。",
                         f"工作表“{name}”只有表头，没有数据")
    return SheetData(name, header_index + 1, headers, columns, ignored, tuple(data), derived)


@dataclass(frozen=True)
class Workbook:
    path: Path
    sheets: tuple[SheetData, ...]
    skipped: tuple[str, ...]  # why other sheets were not read (only when all sheets were asked for)


def read_workbook(path: str | Path, sheet: str | None = None) -> Workbook:
    """Read one sheet by name, or (``sheet=None``) every sheet that holds a member list.

    Raises ExcelError with a message for the user when the file is no workbook, the sheet is empty,
    or no header can be found (with all sheets: when no sheet holds a member list)."""
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
            raise ExcelError(f"“{path.name}”中没有可导入的党员名单：" + "；".join(e.brief for e in failures) + "。")
        skipped = [f"{e.brief}，未导入" for e in failures]
        return Workbook(path, tuple(sheets), tuple(skipped))
    finally:
        book.close()


# ---------------------------------------------------------------- parsing cells


def _text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _is_empty_mark(value: object) -> bool:
    return isinstance(value, str) and unicodedata.normalize("NFKC", value).strip() in EMPTY_MARKS


def _yes_no(value: object, label: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = unicodedata.normalize("NFKC", _text(value)).upper()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValidationError(f"{label}应填“是”或“否”，现在是“{_text(value)}”")


def _choice(value: str, column: Column) -> str:
    if column.kind == "category" and value in ("正式", "预备"):
        return value + "党员"
    if column.kind == "sex" and value in ("男性", "女性"):
        return value[0]
    return value


@dataclass(frozen=True)
class _ParsedRow:
    provided: dict[str, Any]  # fields with a value in the sheet (a blank cell keeps the stored value)
    errors: dict[str, str]
    org_text: str
    status: str
    month_only_birth: bool  # 出生年月 written as 1970.03: the day is taken from the ID number


def _parse_cells(sheet: SheetData, cells: Sequence[Any], today: date) -> _ParsedRow:
    provided: dict[str, Any] = {}
    errors: dict[str, str] = {}
    org_text = status = ""
    month_only_birth = False
    for name, col in sheet.columns.items():
        raw = cells[col] if col < len(cells) else None
        if _is_blank(raw):
            continue
        column = COLUMN_BY_FIELD[name]
        empty = _is_empty_mark(raw)
        try:
            if column.kind == "org":
                org_text = "" if empty else _text(raw)
            elif column.kind == "status":
                status = "" if empty else _text(raw)
            elif column.kind == "id":
                provided[name] = clean_id(raw)
            elif column.kind == "date":
                provided[name] = None if empty else parse_date(raw, field_label=column.header, field=name, today=today)
                if name == "birth_date" and provided[name] is not None and not isinstance(raw, date | int | float):
                    try:
                        parse_date(raw, today=today, allow_month_only=False)
                    except ValidationError:
                        month_only_birth = True
            elif column.kind == "bool":
                provided[name] = False if empty else _yes_no(raw, column.header)
            elif column.kind == "phone":
                phone = "" if empty else unicodedata.normalize("NFKC", _text(raw))
                provided[name] = re.sub(r"[\s-]", "", phone) if name == "mobile" else phone
            else:
                provided[name] = "" if empty else _choice(_text(raw), column)
        except IdNumberError as exc:
            errors[name] = exc.errors.get("id_number", str(exc))
        except ValidationError as exc:
            errors[name] = next(iter(exc.errors.values()))
    return _ParsedRow(provided, errors, org_text, status, month_only_birth)


# ---------------------------------------------------------------- organisations


_SEPARATORS = re.compile(r"\s*[/\\>]\s*")


def _path_parts(text: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKC", text).strip().strip("/\\")
    return tuple(" ".join(part.split()) for part in _SEPARATORS.split(text) if part.strip())


@dataclass(frozen=True)
class OrgMatch:
    org_id: int | None
    error: str = ""
    missing: bool = False


class OrgResolver:
    """Finds the organisation a cell names: by full path, then by a unique name (or path tail)."""

    def __init__(self, session: Session) -> None:
        self.nodes = orgs.list_tree(session, include_dissolved=True)
        self._parts = {n.id: _path_parts(n.path) for n in self.nodes}
        self._by_last: dict[str, list[orgs.OrgNode]] = defaultdict(list)
        for node in self.nodes:
            self._by_last[self._parts[node.id][-1]].append(node)
        self._cache: dict[str, OrgMatch] = {}

    def paths(self) -> dict[int, str]:
        return {n.id: n.path for n in self.nodes}

    def resolve(self, text: str) -> OrgMatch:
        if text not in self._cache:
            self._cache[text] = self._resolve(text)
        return self._cache[text]

    def _matches(self, parts: tuple[str, ...], active: bool) -> list[orgs.OrgNode]:
        candidates = [n for n in self._by_last.get(parts[-1], []) if n.active == active]
        exact = [n for n in candidates if self._parts[n.id] == parts]
        if exact:
            return exact
        return [n for n in candidates if self._parts[n.id][-len(parts):] == parts]

    def _resolve(self, text: str) -> OrgMatch:
        parts = _path_parts(text)
        if not parts:
            return OrgMatch(None, "请填写所在党组织。")
        found = self._matches(parts, active=True)
        if len(found) == 1:
            return OrgMatch(found[0].id)
        if found:
            shown = "、".join(n.path for n in found[:3]) + ("等" if len(found) > 3 else "")
            return OrgMatch(None, f"所在党组织名称不唯一：“{text}”可能是 {shown}，请写完整路径（用“/”分隔）。")
        if self._matches(parts, active=False):
            return OrgMatch(None, f"所在党组织“{text}”已撤销，请改为现有的党组织。")
        return OrgMatch(None, f"所在党组织“{text}”不存在。", missing=True)


_ORG_KIND_BY_SUFFIX = (("联合党支部", "联合党支部"), ("临时党支部", "临时党支部"), ("党小组", "党小组"),
                       ("党总支", "党总支"), ("党委", "党委"), ("党支部", "党支部"))


def guess_org_kind(name: str) -> str:
    """The kind of a new node from its name (…党小组 → 党小组); 党支部 when the name doesn't say."""
    for suffix, kind in _ORG_KIND_BY_SUFFIX:
        if name.endswith(suffix):
            return kind
    return "党支部"


# ---------------------------------------------------------------- preview


@dataclass(frozen=True)
class ImportRow:
    """One data row of the sheet, parsed and validated once."""

    sheet: str
    row_number: int  # as Excel numbers it
    cells: tuple[Any, ...]  # the original cells (merged values filled in), for the error report
    data: MemberInput | None  # normalised; None when the row could not be read at all
    member_id: int | None = None  # the stored member this row updates
    org_text: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    changes: tuple[str, ...] = ()  # key-field changes of an update, for the member's history

    @property
    def reason(self) -> str:
        ordered = sorted(self.errors.items(), key=lambda item: _FIELD_ORDER.get(item[0], len(_FIELD_ORDER)))
        return "；".join(message.rstrip("。") for _, message in ordered) + "。" if ordered else ""

    @property
    def where(self) -> str:
        return f"工作表“{self.sheet}”第 {self.row_number} 行"

    @property
    def name(self) -> str:
        return self.data.name if self.data else ""


@dataclass(frozen=True)
class MissingOrg:
    text: str  # as the sheet wrote it
    rows: int  # rows waiting for it (otherwise good)
    rejected_rows: int = 0  # rows naming it that are rejected for other reasons too


@dataclass(frozen=True)
class SheetInfo:
    name: str
    header_row: int
    headers: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]  # (header as written, the field's standard header)
    ignored: tuple[str, ...]
    rows: int
    derived: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do; :func:`apply` writes exactly these parsed rows."""

    path: Path
    sheets: tuple[SheetInfo, ...]
    skipped_sheets: tuple[str, ...]
    to_add: tuple[ImportRow, ...]
    to_update: tuple[ImportRow, ...]
    unchanged: tuple[ImportRow, ...]
    rejected: tuple[ImportRow, ...]
    waiting: tuple[ImportRow, ...]  # good rows whose organisation does not exist (yet): create or map it
    missing_orgs: tuple[MissingOrg, ...]
    today: date

    @property
    def total(self) -> int:
        return len(self.to_add) + len(self.to_update) + len(self.unchanged) + len(self.rejected) + len(self.waiting)

    @property
    def notes(self) -> tuple[str, ...]:
        """What the user should know beyond the counts (derived columns left out)."""
        derived = tuple(dict.fromkeys(h for s in self.sheets for h in s.derived))
        return (DERIVED_NOTE.format("、".join(derived)),) if derived else ()

    def summary(self) -> str:
        text = f"共 {self.total} 行：新增 {len(self.to_add)} 人，更新 {len(self.to_update)} 人，" \
               f"无变化 {len(self.unchanged)} 人，拒绝 {len(self.rejected)} 行"
        if self.waiting:
            text += f"；另有 {len(self.waiting)} 行的所在党组织不存在（" + "、".join(
                f"{m.text} {m.rows} 行" for m in self.missing_orgs if m.rows) + "），可新建或对应到已有组织"
        return text + "。"


def _stored_inputs(session: Session, ids: Sequence[int]) -> dict[int, tuple[MemberInput, str]]:
    columns = [Member.id, Member.status, *(getattr(Member, n) for n in INPUT_FIELDS)]
    found = {}
    for start in range(0, len(ids), CHUNK):
        for row in session.execute(select(*columns).where(Member.id.in_(ids[start:start + CHUNK]))):
            found[row[0]] = (MemberInput(*row[2:]), row[1])
    return found


def _existing_ids(session: Session, numbers: Iterable[str]) -> dict[str, int]:
    numbers = list(numbers)
    found = {}
    for start in range(0, len(numbers), CHUNK):
        stmt = select(Member.id_number, Member.id).where(Member.id_number.in_(numbers[start:start + CHUNK]))
        found.update({number: member_id for number, member_id in session.execute(stmt)})
    return found


def _shown(value: object, org_names: dict[int, str], name: str) -> str:
    if value is None or value == "":
        return "无"
    if name == "org_id":
        return org_names.get(value, str(value))  # type: ignore[arg-type]
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _key_changes(old: MemberInput, new: MemberInput, org_names: dict[int, str]) -> tuple[str, ...]:
    changed = []
    for name, label in KEY_FIELDS.items():
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changed.append(f"{label}：{_shown(before, org_names, name)} → {_shown(after, org_names, name)}")
    return tuple(changed)


def _check_every(progress: Progress | None, cancelled: Cancelled | None, done: int, total: int) -> None:
    if cancelled is not None and cancelled():
        raise ImportCancelled()
    if progress is not None:
        progress(done, total)


def preview(
    session: Session,
    path: str | Path,
    *,
    sheet: str | None = None,
    today: date | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportPreview:
    """Read ``sheet`` (None: every sheet with a member list), parse and validate every row once.

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
    # Held for the loop: members.validate looks each row's organisation up with session.get, which the
    # identity map answers only while the objects are alive (it holds them weakly).
    loaded_orgs = list(session.scalars(select(Organization)))
    resolver = OrgResolver(session)
    org_names = {n.id: n.name for n in resolver.nodes}
    entries = [(sheet, number, cells) for sheet in book.sheets for number, cells in sheet.rows]
    total = len(entries)
    _check_every(progress, cancelled, 0, total)

    parsed = [_parse_cells(sheet, cells, today) for sheet, _, cells in entries]
    # The 18-digit form of each row's ID (15-digit numbers upgraded), to match stored members and duplicates.
    keys: list[str] = []
    for row in parsed:
        raw = row.provided.get("id_number", "")
        try:
            keys.append(parse_id(raw, today=today).number if raw else "")
        except IdNumberError:
            keys.append(raw)
    existing = _existing_ids(session, {k for k in keys if len(k) == 18})
    stored = _stored_inputs(session, sorted({existing[k] for k in keys if k in existing}))
    seen: dict[str, list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        if key:
            seen[key].append(index)

    def place(index: int) -> str:
        sheet, number, _ = entries[index]
        return f"第 {number} 行" if len(book.sheets) == 1 else f"工作表“{sheet.name}”第 {number} 行"

    to_add, to_update, unchanged, rejected, waiting = [], [], [], [], []
    missing_rows: Counter[str] = Counter()
    missing_rejected: Counter[str] = Counter()
    for index, ((sheet, number, cells), row) in enumerate(zip(entries, parsed, strict=True)):
        if index % CHUNK == 0 and index:
            _check_every(progress, cancelled, index, total)
        key = keys[index]
        member_id = existing.get(key)
        base, stored_status = stored[member_id] if member_id is not None else (None, "")
        errors = dict(row.errors)
        match = resolver.resolve(row.org_text) if row.org_text else None
        if match is not None and match.org_id is not None:
            org_id = match.org_id
        elif base is not None and not row.org_text:
            org_id = base.org_id
        else:
            org_id = None
        provided = dict(row.provided)
        if row.month_only_birth and key and len(key) == 18:
            provided.pop("birth_date", None)  # 出生年月 1970.03: the ID number's day (checked against it below)
            try:
                info = parse_id(key, today=today)
            except IdNumberError:
                info = None
            written = row.provided["birth_date"]
            if info is not None and (info.birth_date.year, info.birth_date.month) != (written.year, written.month):
                errors["birth_date"] = (f"出生年月 {written:%Y-%m} 与身份证号不符（身份证号显示为 "
                                        f"{info.birth_date:%Y-%m-%d}）。")
        data = replace(base or NEW_MEMBER, **provided, org_id=org_id)
        found, clean = members.validate(session, data, member_id=member_id, today=today)
        if org_id is None:
            found.pop("org_id", None)  # said below, in the sheet's words
        errors = {**found, **errors}
        if org_id is None:
            if match is not None:
                errors["org_id"] = match.error
            elif base is None:
                errors["org_id"] = "请填写所在党组织。"
        if len(seen.get(key, ())) > 1:
            others = "、".join(place(i) for i in seen[key] if i != index)
            errors["duplicate"] = f"身份证号 {key} 在表中重复出现（与{others}相同），请核对后只保留一行。"
        status_error = _status_error(row.status, base is not None, stored_status)
        if status_error:
            errors["status"] = status_error
        clean = replace(clean, mobile=re.sub(r"[\s-]", "", clean.mobile))
        item = ImportRow(sheet.name, number, cells, clean, member_id, row.org_text, errors)
        only_org_missing = match is not None and match.missing and set(errors) == {"org_id"}
        if only_org_missing:
            waiting.append(item)
            missing_rows[row.org_text] += 1
        elif errors:
            rejected.append(item)
            if match is not None and match.missing:
                missing_rejected[row.org_text] += 1
        elif base is None:
            to_add.append(item)
        elif clean == base:
            unchanged.append(item)
        else:
            to_update.append(replace(item, changes=_key_changes(base, clean, org_names)))
    _check_every(progress, cancelled, total, total)
    del loaded_orgs
    missing = tuple(
        MissingOrg(text, missing_rows[text], missing_rejected[text])
        for text in dict.fromkeys([*missing_rows, *missing_rejected])
    )
    sheets = tuple(
        SheetInfo(s.name, s.header_row, s.headers,
                  tuple((s.headers[c], COLUMN_BY_FIELD[f].header) for f, c in sorted(s.columns.items(), key=lambda x: x[1])),
                  s.ignored, len(s.rows), s.derived)
        for s in book.sheets
    )
    return ImportPreview(book.path, sheets, book.skipped, tuple(to_add), tuple(to_update), tuple(unchanged),
                         tuple(rejected), tuple(waiting), missing, today)


# What a new member's blank cells become. Unlike the form's, the 民族 default stays empty: a sheet without
# that column must not record everyone as 汉族.
NEW_MEMBER = MemberInput(name="", id_number="", org_id=None, joined_on=None, ethnicity="")


def _status_error(written: str, stored: bool, stored_status: str) -> str:
    if not written:
        return ""
    if written not in members.STATUSES:
        return f"状态应为{'、'.join(members.STATUSES)}之一，现在是“{written}”。"
    if not stored:
        return "" if written == "在册" else f"状态为“{written}”的党员不能通过导入新增：导入只登记在册党员。"
    if written != stored_status:
        return (f"表中状态为“{written}”，台账中为“{stored_status}”：转出、出党、死亡和恢复在册请在党员台账中办理。")
    return ""


# ---------------------------------------------------------------- apply


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    rejected: int
    report_path: Path | None  # the error report, when rows were rejected
    unchanged: int = 0
    created_orgs: tuple[str, ...] = ()  # paths of the organisations created for the sheet
    changes: Changes = MEMBERS
    rejected_rows: tuple[ImportRow, ...] = field(default=(), repr=False)  # with their reasons

    def summary(self) -> str:
        text = f"新增 {self.added} 人，更新 {self.updated} 人，无变化 {self.unchanged} 人，拒绝 {self.rejected} 行"
        if self.created_orgs:
            text += f"；新建党组织 {len(self.created_orgs)} 个"
        if self.report_path is not None:
            text += f"。错误报告：{self.report_path}"
        return text + "。"


def default_report_path(source: str | Path) -> Path:
    """``<file>_错误报告.xlsx`` beside the imported file."""
    source = Path(source)
    return source.with_name(source.stem + REPORT_SUFFIX)


def apply(
    target: Database | Session,
    preview: ImportPreview,
    *,
    create_missing_under: int | None = None,
    org_mapping: dict[str, int] | None = None,
    skip_orgs: Collection[str] = (),
    report_path: str | Path | None = None,
    write_report_file: bool = True,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportResult:
    """Write the preview's good rows in ONE transaction, and the rejected ones to the error report.

    Rows waiting for a missing organisation are written when ``org_mapping`` maps its text to an
    existing node, or ``create_missing_under`` names the node to create it under (except the
    texts in ``skip_orgs``); otherwise they are rejected too. Given a Database, the unit of work is opened (and committed) here; given a
    Session, the caller commits. A locked or read-only database raises its error, and
    ``cancelled()`` raises ImportCancelled: either way nothing is written."""
    report = Path(report_path) if report_path is not None else default_report_path(preview.path)
    if isinstance(target, Session):
        return _apply(target, preview, create_missing_under, org_mapping or {}, report if write_report_file else None,
                      progress, cancelled, skip_orgs)
    existed = report.exists()
    written: list[Path] = []
    try:
        with target.unit_of_work("导入党员") as session:
            result = _apply(session, preview, create_missing_under, org_mapping or {},
                            report if write_report_file else None, progress, cancelled, skip_orgs)
            if result.report_path is not None:
                written.append(result.report_path)
    except BaseException:
        if written and not existed:
            written[0].unlink(missing_ok=True)  # nothing was imported: no report of a half-done import
        raise
    return result


def _operator(session: Session) -> str:
    row = session.get(Setting, "operator_name")
    return row.value if row is not None and row.value else "未设置"


def _create_path(session: Session, text: str, parent_id: int | None, created: list[str]) -> int:
    """Create the organisation a sheet names (a name, or a path whose missing tail is created)."""
    parts = _path_parts(text)
    nodes = {n.id: n for n in orgs.list_tree(session)}
    roots = [n for n in nodes.values() if n.parent_id is None]
    current: int | None
    if roots and parts[0] == roots[0].name and len(parts) > 1:
        current, parts = roots[0].id, parts[1:]
    elif parent_id is None:
        raise AppError(f"请选择在哪个党组织下新建“{text}”。")
    else:
        current = parent_id
    for part in parts:
        kids = [nodes[c] for c in nodes[current].child_ids if c in nodes] if current in nodes else []
        same = [k for k in kids if k.name == part]
        if same:
            current = same[0].id
            continue
        current, _ = orgs.create(session, current, orgs.OrgInput(name=part, kind=guess_org_kind(part)))
        nodes = {n.id: n for n in orgs.list_tree(session)}
        created.append(nodes[current].path)
    return current


def _resolve_waiting(
    session: Session, preview: ImportPreview, create_under: int | None, mapping: dict[str, int],
    skip: Collection[str] = (),
) -> tuple[list[ImportRow], list[ImportRow], list[str]]:
    """(rows now good, rows still rejected, paths created) for the rows waiting for an organisation."""
    if not preview.waiting:
        return [], [], []
    resolver = OrgResolver(session)
    active = {n.id: n for n in resolver.nodes if n.active}
    if create_under is not None and create_under not in active:
        raise AppError("新建党组织的上级组织不存在或已撤销，请重新选择。")
    for text, org_id in mapping.items():
        if org_id not in active:
            raise AppError(f"“{text}”要对应的党组织不存在或已撤销，请重新选择。")
    created: list[str] = []
    target: dict[str, int] = {}
    for missing in preview.missing_orgs:
        if missing.text in mapping:
            target[missing.text] = mapping[missing.text]
        elif create_under is not None and missing.rows and missing.text not in skip:
            target[missing.text] = _create_path(session, missing.text, create_under, created)
    good, still = [], []
    for row in preview.waiting:
        org_id = target.get(row.org_text)
        if org_id is None:
            errors = {"org_id": f"所在党组织“{row.org_text}”不存在：请新建它或对应到已有的党组织后重新导入。"}
            still.append(replace(row, errors=errors))
        else:
            good.append(replace(row, data=replace(row.data, org_id=org_id), errors={}))
    return good, still, created


def _apply(
    session: Session, preview: ImportPreview, create_under: int | None, mapping: dict[str, int],
    report: Path | None, progress: Progress | None, cancelled: Cancelled | None, skip: Collection[str] = (),
) -> ImportResult:
    _check_every(None, cancelled, 0, 0)
    resolved, still_rejected, created = _resolve_waiting(session, preview, create_under, mapping, skip)
    adds = [r for r in (*preview.to_add, *resolved) if r.member_id is None]
    updates = [*preview.to_update, *(r for r in resolved if r.member_id is not None)]
    rejected = [*preview.rejected, *still_rejected]

    # Someone may have registered one of these IDs since the preview was made.
    taken = _existing_ids(session, [r.data.id_number for r in adds])
    if taken:
        rejected += [replace(r, errors={"id_number": f"身份证号 {r.data.id_number} 在预览之后已被登记，请重新导入以更新。"})
                     for r in adds if r.data.id_number in taken]
        adds = [r for r in adds if r.data.id_number not in taken]

    rejected = _in_sheet_order(preview, rejected)
    total = len(adds) + len(updates)
    done = 0
    _check_every(progress, cancelled, 0, total)
    stamp = now()
    operator = _operator(session)
    members_table, keys_table, log_table = Member.__table__, MemberSearchKey.__table__, ChangeLog.__table__
    keys_cache: dict[str, set[str]] = {}

    def search_keys(name: str) -> set[str]:
        if name not in keys_cache:
            keys_cache[name] = members._search_keys(name)
        return keys_cache[name]

    for start in range(0, len(adds), CHUNK):
        chunk = adds[start:start + CHUNK]
        values = [
            {**{n: getattr(r.data, n) for n in INPUT_FIELDS}, **members.derived_columns(r.data.name, r.data.id_number),
             "status": "在册", "left_on": None, "left_reason": "", "transferred_to": "", "created_at": stamp,
             "updated_at": stamp}
            for r in chunk
        ]
        # One executemany; the new ids then by the unique ID numbers (RETURNING in a given order would
        # make SQLAlchemy insert row by row on SQLite).
        session.execute(insert(members_table), values)
        by_number = _existing_ids(session, [r.data.id_number for r in chunk])
        new_ids = [by_number[r.data.id_number] for r in chunk]
        session.execute(insert(keys_table), [
            {"member_id": member_id, "key": key}
            for member_id, r in zip(new_ids, chunk, strict=True) for key in search_keys(r.data.name)
        ])
        session.execute(insert(log_table), [
            {"at": stamp, "operator": operator, "area": "members", "entity_id": member_id, "action": "新增",
             "detail": f"导入：{r.data.name}，{r.data.id_number[-4:]}"}
            for member_id, r in zip(new_ids, chunk, strict=True)
        ])
        done += len(chunk)
        _check_every(progress, cancelled, done, total)

    if updates:
        columns = [*INPUT_FIELDS, "name_sort", "id_reversed", "updated_at"]
        update_member = (
            update(members_table)
            .where(members_table.c.id == bindparam("b_id"))
            .values({c: bindparam(f"b_{c}") for c in columns})
        )
        for start in range(0, len(updates), CHUNK):
            chunk = updates[start:start + CHUNK]
            session.execute(update_member, [
                {"b_id": r.member_id, **{f"b_{n}": getattr(r.data, n) for n in INPUT_FIELDS},
                 **{f"b_{k}": v for k, v in members.derived_columns(r.data.name, r.data.id_number).items()},
                 "b_updated_at": stamp}
                for r in chunk
            ])
            ids = [r.member_id for r in chunk]
            session.execute(delete(keys_table).where(keys_table.c.member_id.in_(ids)))
            session.execute(insert(keys_table), [
                {"member_id": r.member_id, "key": key} for r in chunk for key in search_keys(r.data.name)
            ])
            logged = [
                {"at": stamp, "operator": operator, "area": "members", "entity_id": r.member_id, "action": "修改",
                 "detail": "导入：" + "；".join(r.changes)}
                for r in chunk if r.changes
            ]
            if logged:
                session.execute(insert(log_table), logged)
            done += len(chunk)
            _check_every(progress, cancelled, done, total)

    if adds or updates:
        audit.log(session, "members", None, "导入",
                  f"{preview.path.name}：导入 {len(adds)} 人，更新 {len(updates)} 人，拒绝 {len(rejected)} 行")
    if len(adds) >= ANALYZE_FROM and session.get_bind().dialect.name == "sqlite":
        # The ledger's query plans need planner statistics; a big first import changes them most.
        session.execute(sql_text("ANALYZE"))
    written = None
    if rejected and report is not None:
        _check_every(None, cancelled, 0, 0)
        written = write_report(report, preview, rejected)
    session.flush()
    return ImportResult(len(adds), len(updates), len(rejected), written, len(preview.unchanged), tuple(created),
                        MEMBERS | ORGS if created else MEMBERS, tuple(rejected))


def _in_sheet_order(preview: ImportPreview, rows: Iterable[ImportRow]) -> list[ImportRow]:
    order = {info.name: i for i, info in enumerate(preview.sheets)}
    return sorted(rows, key=lambda r: (order.get(r.sheet, 0), r.row_number))


def dry_run(
    preview: ImportPreview,
    *,
    create_missing: bool = False,
    org_mapping: dict[str, int] | None = None,
    report_path: str | Path | None = None,
) -> ImportResult:
    """What :func:`apply` would do with these choices, without touching the database; the error
    report is written all the same (to ``report_path`` or beside the file) when rows would be rejected."""
    mapping = org_mapping or {}
    resolvable = [r for r in preview.waiting if create_missing or r.org_text in mapping]
    still = [replace(r, errors={"org_id": f"所在党组织“{r.org_text}”不存在：请新建它或对应到已有的党组织后重新导入。"})
             for r in preview.waiting if not (create_missing or r.org_text in mapping)]
    rejected = _in_sheet_order(preview, [*preview.rejected, *still])
    written = None
    if rejected:
        written = write_report(report_path or default_report_path(preview.path), preview, rejected)
    created = tuple(dict.fromkeys(r.org_text for r in resolvable if r.org_text not in mapping))
    return ImportResult(
        len(preview.to_add) + sum(1 for r in resolvable if r.member_id is None),
        len(preview.to_update) + sum(1 for r in resolvable if r.member_id is not None),
        len(rejected), written, len(preview.unchanged), created, Changes(), tuple(rejected),
    )


# ---------------------------------------------------------------- writing sheets


def sheet_cell(ws, value: Any, *, text: bool = False, number_format: str | None = None):
    from openpyxl.cell import WriteOnlyCell

    if text and value is not None and not isinstance(value, str):
        value = _text(value)
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            value = value.date()
            number_format = number_format or DATE_FORMAT
        else:
            number_format = number_format or "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        number_format = number_format or DATE_FORMAT
    cell = WriteOnlyCell(ws, value=None if value == "" else value)
    if text:
        cell.number_format = TEXT_FORMAT
    elif number_format:
        cell.number_format = number_format
    return cell


def header_cells(ws, headers: Sequence[str]) -> list:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    font, fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font, cell.fill = font, fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cells.append(cell)
    return cells


def set_columns(ws, columns: Sequence[Column | None], extra_widths: Sequence[int] = ()) -> None:
    """Column widths, and the text format on ID and phone columns (new entries typed as text)."""
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(columns, start=1):
        dimension = ws.column_dimensions[get_column_letter(index)]
        dimension.width = column.width + 2 if column is not None else 14
        if column is not None and column.text_cell:
            dimension.number_format = TEXT_FORMAT
    for offset, width in enumerate(extra_widths, start=len(columns) + 1):
        ws.column_dimensions[get_column_letter(offset)].width = width


def _report_sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "错误报告"
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base[:28]}_{n}", n + 1
    used.add(candidate)
    return candidate


def write_report(path: str | Path, preview: ImportPreview, rejected: Sequence[ImportRow] | None = None) -> Path:
    """The rejected rows with their original columns, then 错误原因 and 原行号 — one sheet per source
    sheet, IDs and phones as text cells, so the user can correct the report and import it again."""
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
        fields = {i: HEADER_INDEX.get(normalise_header(h)) for i, h in enumerate(info.headers) if h}
        columns = [COLUMN_BY_FIELD.get(fields.get(i) or "") for i in range(len(info.headers))]
        set_columns(ws, columns, extra_widths=(60, 8))
        ws.freeze_panes = "A2"
        ws.append(header_cells(ws, [*(h or f"第{i + 1}列" for i, h in enumerate(info.headers)), REASON_HEADER, ROW_HEADER]))
        for row in sheet_rows:
            cells = [
                sheet_cell(ws, value, text=bool(columns[i] and columns[i].text_cell)) if i < len(columns) else sheet_cell(ws, value)
                for i, value in enumerate(row.cells[:len(info.headers)])
            ]
            cells += [sheet_cell(ws, None)] * (len(info.headers) - len(cells))
            ws.append([*cells, sheet_cell(ws, row.reason), sheet_cell(ws, row.row_number)])
    if not used:
        ws = book.create_sheet("错误报告")
        ws.append(["没有被拒绝的行。"])
    return save_workbook(book, path, "错误报告")


def save_workbook(book, path: Path, what: str) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
    except PermissionError as exc:
        raise AppError(f"无法写入{what}“{path}”：文件可能正在 Excel 中打开，或没有写入权限。") from exc
    except OSError as exc:
        raise AppError(f"无法写入{what}“{path}”：{exc.strerror or exc}") from exc
    return path


def template_headers() -> list[str]:
    """The template's headers: the ledger's columns, required ones marked with *."""
    return [("*" if c.required else "") + c.header for c in TEMPLATE_COLUMNS]


def write_template(path: str | Path, *, org_paths: Sequence[str] = ()) -> Path:
    """An empty 党员花名册 with the right headers (ID and phone columns formatted as text, drop-downs for
    the fixed lists), a 填写说明 sheet, and the allowed values (with ``org_paths``: the organisations)."""
    from openpyxl import Workbook as OpenpyxlWorkbook
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    book = OpenpyxlWorkbook()
    ws = book.active
    ws.title = "党员花名册"
    ws.append(template_headers())
    from openpyxl.styles import Alignment, Font, PatternFill

    for cell in ws[1]:
        cell.font = Font(bold=True, color="C00000" if cell.value.startswith("*") else "000000")
        cell.fill = PatternFill("solid", fgColor="FFF2CC")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        dimension = ws.column_dimensions[get_column_letter(index)]
        dimension.width = column.width + 2
        if column.text_cell:
            dimension.number_format = TEXT_FORMAT
        elif column.kind == "date":
            dimension.number_format = DATE_FORMAT

    lists = {
        "性别": members.SEXES, "人员类别": members.CATEGORIES, "民族": members.ETHNICITIES,
        "学历": members.EDUCATION, "学位": tuple(d for d in members.DEGREES if d),
        "工作岗位": members.OCCUPATIONS, "党籍状态": members.STANDINGS,
        "党内职务": tuple(p for p in members.PARTY_POSTS if p), "是否": ("是", "否"),
    }
    if org_paths:
        lists["所在党组织"] = tuple(org_paths)
    values = book.create_sheet("可选值")
    for col, (title, options) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col)
        values.cell(row=1, column=col, value=title).font = Font(bold=True)
        for row, option in enumerate(options, start=2):
            values.cell(row=row, column=col, value=option)
        values.column_dimensions[letter].width = 40 if title == "所在党组织" else 18
    list_of = {"sex": "性别", "category": "人员类别", "ethnicity": "民族", "education": "学历", "degree": "学位",
               "occupation": "工作岗位", "standing": "党籍状态", "party_post": "党内职务", "org": "所在党组织"}
    titles = list(lists)
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        title = "是否" if column.kind == "bool" else list_of.get(column.field)
        if title not in lists:
            continue
        source_col = get_column_letter(titles.index(title) + 1)
        formula = f"{quote_sheetname('可选值')}!${source_col}$2:${source_col}${len(lists[title]) + 1}"
        check = DataValidation(type="list", formula1=formula, allow_blank=True,
                               showErrorMessage=column.field != "org", errorTitle="不是可选值",
                               error=f"请从下拉列表中选择{column.header}。")
        check.add(f"{get_column_letter(index)}2:{get_column_letter(index)}5000")
        ws.add_data_validation(check)

    notes = book.create_sheet("填写说明")
    notes.append(["列名", "必填", "填写说明"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in TEMPLATE_COLUMNS:
        options = "可选值见“可选值”工作表。" if (column.kind == "bool" or column.field in list_of) else ""
        notes.append([column.header, "是" if column.required else "", "；".join(x for x in (column.hint, options) if x)])
    notes.append([])
    for line in (
        "表头可以在第 1 行，也可以在标题行下面；列的顺序不限，多余的列不导入。",
        "身份证号、手机号请设为文本格式（本模板已设好）：存成数字的身份证号末尾几位会丢失，导入时会被拒绝。",
        "日期可写 2001-07-01、2001.7.1、2001年7月1日或 2001-07；是否类的列填“是”或“否”。",
        "再次导入同一张表时，按身份证号更新已登记的党员；空白单元格保留原有内容，填“无”表示清空。",
        "有问题的行不会导入，导入后会生成“错误报告”，改正后可直接再次导入。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 6
    notes.column_dimensions["C"].width = 70
    return save_workbook(book, path, "导入模板")
