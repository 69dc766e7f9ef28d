from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, now


class DuesPayment(Base):
    """党费: one month's dues of one member, in integer 分.

    ``period`` is the first day of the month paid for (所属月份); ``paid_on`` the day it was paid
    (缴纳日期); ``paid_at`` where: 本组织 or 流入地党组织 (a floating member may pay at the host).
    One row per member and month.
    """

    __tablename__ = "dues_payments"
    __table_args__ = (
        UniqueConstraint("member_id", "period", name="uq_dues_payments_member_period"),
        CheckConstraint("amount_fen > 0", name="positive_amount"),
        # Covering for "last dues paid" per member.
        Index("ix_dues_payments_member_paid", "member_id", "paid_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    period: Mapped[date] = mapped_column(Date, index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(Integer)
    paid_at: Mapped[str] = mapped_column(String(10), default="本组织")
    note: Mapped[str] = mapped_column(Text, default="")
    made_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
