from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, now


class FloatingRecord(Base):
    """One period away (外出) of a ledger member: from ``left_on`` until ``returned_on``.

    ``returned_on`` NULL means still away. Leaving again starts a new row; rows are never deleted.
    ``incomplete`` (待补全) marks a record made from the ledger's old 流动 flag, to be filled in.
    """

    __tablename__ = "floating_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"), index=True)
    destination_province: Mapped[str] = mapped_column(String(20), default="")
    destination_city: Mapped[str] = mapped_column(String(30), default="")
    destination_address: Mapped[str] = mapped_column(String(200), default="")
    employer: Mapped[str] = mapped_column(String(100), default="")  # 工作单位或学校
    reason: Mapped[str] = mapped_column(String(10), default="")  # 务工经商 / 学习 / 随迁 / 其他
    left_on: Mapped[date] = mapped_column(Date)
    expected_return_on: Mapped[date | None] = mapped_column(Date)
    returned_on: Mapped[date | None] = mapped_column(Date)
    host_org: Mapped[str] = mapped_column(String(100), default="")
    host_contact: Mapped[str] = mapped_column(String(100), default="")
    management_mode: Mapped[str] = mapped_column(String(20), default="")
    certificate_no: Mapped[str] = mapped_column(String(40), default="")
    certificate_issued_on: Mapped[date | None] = mapped_column(Date)
    certificate_valid_until: Mapped[date | None] = mapped_column(Date)
    incomplete: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class ContactLog(Base):
    """One attempt to reach a member (电话 / 微信 / 走访 / 来信), successful or not.

    ``member_id`` is nullable: inflow people (a later revision) get a column of their own.
    """

    __tablename__ = "contact_logs"
    # ``reached`` last makes the index covering for the 待联系 list (db/migrations/versions/0004_floating.py).
    __table_args__ = (Index("ix_contact_logs_member_date", "member_id", "contacted_on", "reached"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    contacted_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(8))
    made_by: Mapped[str] = mapped_column(String(64), default="")
    reached: Mapped[bool] = mapped_column(Boolean)
    summary: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
