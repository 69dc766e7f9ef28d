from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text
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
    ``is_report`` marks the member's own report to the organisation (向党组织报告, at least once a year).
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
    is_report: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class InflowMember(Base):
    """流入党员: a member living or working here whose organisation relation stays elsewhere.

    Not a ledger member: not in the ledger's figures, branch sizes, evaluation or dues. Hosted by a local
    organisation (``host_org_id``); ``left_on`` set when they move away (rows are never deleted).
    """

    __tablename__ = "inflow_members"
    __table_args__ = (Index("ix_inflow_members_left_name", "left_on", "name_sort"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    name_sort: Mapped[str] = mapped_column(String(200), default="")
    sex: Mapped[str] = mapped_column(String(2), default="")
    id_number: Mapped[str] = mapped_column(String(18), default="", index=True)
    category: Mapped[str] = mapped_column(String(8), default="")  # 正式党员 / 预备党员, when known
    mobile: Mapped[str] = mapped_column(String(20), default="")
    home_org: Mapped[str] = mapped_column(String(100), default="")  # 组织关系所在党组织
    home_org_contact: Mapped[str] = mapped_column(String(100), default="")
    arrived_on: Mapped[date] = mapped_column(Date)
    certificate_kind: Mapped[str] = mapped_column(String(20), default="")  # 流动党员活动证 / 介绍信 / 其他 / 无
    certificate_no: Mapped[str] = mapped_column(String(40), default="")
    certificate_valid_until: Mapped[date | None] = mapped_column(Date)
    host_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    building: Mapped[str] = mapped_column(String(50), default="")
    unit: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    employer: Mapped[str] = mapped_column(String(100), default="")
    left_on: Mapped[date | None] = mapped_column(Date)
    left_reason: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now, onupdate=now)


class HomeService(Base):
    """A service of the 流动党员之家 given to a floating member or an inflow member (exactly one):
    就业推荐, 技能培训, 法律援助, 生活救助, 其他."""

    __tablename__ = "home_services"
    __table_args__ = (
        CheckConstraint("(member_id IS NULL) <> (inflow_id IS NULL)", name="one_person"),
        Index("ix_home_services_member", "member_id", "served_on"),
        Index("ix_home_services_inflow", "inflow_id", "served_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    inflow_id: Mapped[int | None] = mapped_column(ForeignKey("inflow_members.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(10))
    served_on: Mapped[date] = mapped_column(Date, index=True)
    content: Mapped[str] = mapped_column(Text, default="")
    provider: Mapped[str] = mapped_column(String(100), default="")  # 提供单位或个人
    result: Mapped[str] = mapped_column(String(200), default="")
    made_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class LostContactEvent(Base):
    """失联处置: what was done about a member out of touch, in order.

    ``kind``: 寻找 (a step taken to find the member), 确认失联 (the branch establishes 失联; sets the
    ledger's 失联 mark), 重新纳入管理 (found again; clears it, the clock restarts that day), 停止党籍.
    ``to_confirm`` marks a 确认失联 carried over from the ledger's old plain flag, still to be confirmed.
    """

    __tablename__ = "lost_contact_events"
    __table_args__ = (Index("ix_lost_contact_events_member", "member_id", "happened_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(8))
    happened_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    made_by: Mapped[str] = mapped_column(String(64), default="")
    to_confirm: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
