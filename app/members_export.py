"""Exporting the ledger: the current filtered view to ``.xlsx`` with the import's headers.

Organisations are written as full paths, IDs and phones as text cells, dates as real dates, so an
exported sheet imports back exactly (``members_import``). openpyxl's write-only mode, imported here.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import members, orgs
from app.errors import AppError
from app.members import MemberFilter
from app.members_import import (
    CHUNK,
    COLUMNS,
    STATUS_COLUMN,
    header_cells,
    save_workbook,
    set_columns,
    sheet_cell,
)
from app.paths import output_target
from db.models import Member

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
SHEET_TITLE = "党员花名册"
EXTRA_HEADERS = ("离开日期", "离开原因", "转往党组织")  # after 状态, when members who left are exported


class ExportCancelled(AppError):
    def __init__(self) -> None:
        super().__init__("已取消导出，没有生成文件。")


def _value(column, value, org_paths: dict[int, str]):
    if column.kind == "org":
        return org_paths.get(value, "")
    if column.kind == "bool":
        return "是" if value else "否"
    return value


def export(
    session: Session,
    flt: MemberFilter,
    path: str | Path,
    *,
    sort: str = "org",
    descending: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> int:
    """Write the members ``flt`` selects, in the ledger's order, to ``path``; returns how many.

    The file appears only when complete (written beside it, then renamed); ``cancelled()`` raises
    ExportCancelled and leaves no file."""
    from openpyxl import Workbook

    path = Path(path)
    ids = members.ordered_ids(session, flt, sort, descending)
    org_paths = {n.id: n.path for n in orgs.list_tree(session, include_dissolved=True)}
    with_status = set(flt.statuses or members.STATUSES) != {"在册"}
    fields = ["org_id" if c.field == "org" else c.field for c in COLUMNS]
    extra = ["status", "left_on", "left_reason", "transferred_to"] if with_status else []
    selected = [Member.id, *(getattr(Member, f) for f in fields), *(getattr(Member, f) for f in extra)]

    book = Workbook(write_only=True)
    ws = book.create_sheet(SHEET_TITLE)
    set_columns(ws, [*COLUMNS, *([STATUS_COLUMN] if with_status else [])], (12, 20, 20) if with_status else ())
    ws.freeze_panes = "B2"
    headers = [c.header for c in COLUMNS] + ([STATUS_COLUMN.header, *EXTRA_HEADERS] if with_status else [])
    ws.append(header_cells(ws, headers))
    total = len(ids)
    if progress is not None:
        progress(0, total)
    for start in range(0, total, CHUNK):
        if cancelled is not None and cancelled():
            raise ExportCancelled()
        chunk = ids[start:start + CHUNK]
        found = {row[0]: row[1:] for row in session.execute(select(*selected).where(Member.id.in_(chunk)))}
        for member_id in chunk:
            row = found[member_id]
            cells = [sheet_cell(ws, _value(c, v, org_paths), text=c.text_cell) for c, v in zip(COLUMNS, row, strict=False)]
            cells += [sheet_cell(ws, v) for v in row[len(COLUMNS):]]
            ws.append(cells)
        if progress is not None:
            progress(min(start + CHUNK, total), total)
    if cancelled is not None and cancelled():
        raise ExportCancelled()
    save_in_place(book, path)
    return total


def save_in_place(book, path: Path) -> None:
    """Beside the target under a temporary name, then moved into place: never a half-written file."""
    path = output_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".导出-", suffix=".xlsx", dir=path.parent)
    except OSError as exc:
        raise AppError(f"无法在“{path.parent}”中写入导出文件：{exc.strerror or exc}") from exc
    os.close(handle)
    try:
        save_workbook(book, Path(temporary), "导出文件")
        os.replace(temporary, path)
    except OSError as exc:
        raise AppError(f"无法写入导出文件“{path}”：文件可能正在 Excel 中打开，或没有写入权限。") from exc
    finally:
        Path(temporary).unlink(missing_ok=True)


def default_file_name(today: date | None = None) -> str:
    return f"党员花名册_{(today or date.today()):%Y%m%d}.xlsx"
