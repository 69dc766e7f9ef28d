"""The change log: who changed what and when, with the operator set in 设置."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ChangeLog, Setting


@dataclass(frozen=True)
class LogEntry:
    at: datetime
    operator: str
    area: str
    entity_id: int | None
    action: str
    detail: str


def log(session: Session, area: str, entity_id: int | None, action: str, detail: str = "") -> None:
    operator_row = session.get(Setting, "operator_name")
    operator = operator_row.value if operator_row is not None and operator_row.value else "未设置"
    session.add(ChangeLog(operator=operator, area=area, entity_id=entity_id, action=action, detail=detail))


def entries(session: Session, area: str | None = None, entity_id: int | None = None) -> list[LogEntry]:
    query = select(ChangeLog).order_by(ChangeLog.id)
    if area is not None:
        query = query.where(ChangeLog.area == area)
    if entity_id is not None:
        query = query.where(ChangeLog.entity_id == entity_id)
    return [
        LogEntry(r.at, r.operator, r.area, r.entity_id, r.action, r.detail)
        for r in session.scalars(query)
    ]
