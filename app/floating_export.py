"""Exporting the 流动党员之家's lists to ``.xlsx``: every 外出 record (open and returned) and every inflow
member (still here and departed), with the import's headers, so an exported workbook imports back
(``app.floating_import``).

Two sheets, 外出流动党员 and 流入党员; ID numbers and phones as text cells, dates as real dates,
organisations as full paths. Written under a temporary name beside the target and moved into place when
complete. openpyxl's write-only mode, imported here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import orgs
from app.errors import AppError
from app.floating_import import INFLOW_COLUMNS, INFLOW_SHEET, OUTFLOW_COLUMNS, OUTFLOW_SHEET
from app.members_export import save_in_place
from app.members_import import CHUNK, header_cells, set_columns, sheet_cell
from db.models import FloatingRecord, InflowMember, Member

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class ExportCancelled(AppError):
    def __init__(self) -> None:
        super().__init__("已取消导出，没有生成文件。")


@dataclass(frozen=True)
class ExportCounts:
    outflow: int  # 外出 records written
    inflow: int  # inflow members written


def _outflow_values(record: FloatingRecord, member: tuple, org_paths: dict[int, str]) -> dict[str, object]:
    name, id_number, org_id, status = member
    values: dict[str, object] = {c.field: getattr(record, c.field, None) for c in OUTFLOW_COLUMNS}
    values.update(name=name, id_number=id_number, org=org_paths.get(org_id, ""),
                  incomplete="是" if record.incomplete else "否", member_status=status)
    return values


def _inflow_values(person: InflowMember, org_paths: dict[int, str]) -> dict[str, object]:
    values: dict[str, object] = {c.field: getattr(person, c.field, None) for c in INFLOW_COLUMNS}
    values.update(host_org_id=org_paths.get(person.host_org_id, "") if person.host_org_id is not None else "",
                  departed_on=person.left_on)
    return values


def export(
    session: Session,
    path: str | Path,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ExportCounts:
    """Write both lists to ``path``: 外出 records by leave date, inflow members by arrival.

    The file appears only when complete; ``cancelled()`` raises ExportCancelled and leaves no file."""
    from openpyxl import Workbook

    path = Path(path)
    org_paths = {n.id: n.path for n in orgs.list_tree(session, include_dissolved=True)}
    record_ids = list(session.scalars(select(FloatingRecord.id).order_by(FloatingRecord.left_on, FloatingRecord.id)))
    inflow_ids = list(session.scalars(select(InflowMember.id).order_by(InflowMember.arrived_on, InflowMember.id)))
    total, done = len(record_ids) + len(inflow_ids), 0

    def step(count: int) -> None:
        nonlocal done
        if cancelled is not None and cancelled():
            raise ExportCancelled()
        done += count
        if progress is not None:
            progress(done, total)

    book = Workbook(write_only=True)
    step(0)
    ws = book.create_sheet(OUTFLOW_SHEET)
    set_columns(ws, OUTFLOW_COLUMNS)
    ws.freeze_panes = "C2"
    ws.append(header_cells(ws, [c.header for c in OUTFLOW_COLUMNS]))
    for start in range(0, len(record_ids), CHUNK):
        chunk = record_ids[start:start + CHUNK]
        rows = session.execute(
            select(FloatingRecord, Member.name, Member.id_number, Member.org_id, Member.status)
            .join(Member, Member.id == FloatingRecord.member_id).where(FloatingRecord.id.in_(chunk))
        ).all()
        by_id = {row[0].id: row for row in rows}
        for record_id in chunk:
            record, *member = by_id[record_id]
            values = _outflow_values(record, tuple(member), org_paths)
            ws.append([sheet_cell(ws, values[c.field], text=c.text_cell) for c in OUTFLOW_COLUMNS])
        step(len(chunk))

    ws = book.create_sheet(INFLOW_SHEET)
    set_columns(ws, INFLOW_COLUMNS)
    ws.freeze_panes = "B2"
    ws.append(header_cells(ws, [c.header for c in INFLOW_COLUMNS]))
    for start in range(0, len(inflow_ids), CHUNK):
        chunk = inflow_ids[start:start + CHUNK]
        by_id = {p.id: p for p in session.scalars(select(InflowMember).where(InflowMember.id.in_(chunk)))}
        for inflow_id in chunk:
            values = _inflow_values(by_id[inflow_id], org_paths)
            ws.append([sheet_cell(ws, values[c.field], text=c.text_cell) for c in INFLOW_COLUMNS])
        step(len(chunk))

    if cancelled is not None and cancelled():
        raise ExportCancelled()
    save_in_place(book, path)
    return ExportCounts(len(record_ids), len(inflow_ids))


def default_file_name(today: date | None = None) -> str:
    return f"流动党员_{(today or date.today()):%Y%m%d}.xlsx"
