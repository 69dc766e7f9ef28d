from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
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


class Meeting(Base):
    """One 组织生活 held by an organisation: 支部党员大会, 支部委员会, 党小组会, 党课, 主题党日,
    流动党员之家活动 … (the list lives in app.meetings). Attendance is in ``meeting_attendees``."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_org_held", "org_id", "held_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    made_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class MeetingAttendee(Base):
    """One person on a meeting's list: a ledger member or an inflow member (exactly one of the two).

    ``present`` false keeps an absence with its reason (the evaluation issue reports them).
    """

    __tablename__ = "meeting_attendees"
    __table_args__ = (
        CheckConstraint("(member_id IS NULL) <> (inflow_id IS NULL)", name="one_person"),
        UniqueConstraint("meeting_id", "member_id", name="uq_meeting_attendees_member"),
        UniqueConstraint("meeting_id", "inflow_id", name="uq_meeting_attendees_inflow"),
        # Covering for "last 组织生活 attended" per member (joined to meetings.held_on by meeting_id).
        Index("ix_meeting_attendees_member", "member_id", "present", "meeting_id"),
        Index("ix_meeting_attendees_inflow", "inflow_id", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    inflow_id: Mapped[int | None] = mapped_column(ForeignKey("inflow_members.id", ondelete="RESTRICT"))
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    absence_reason: Mapped[str] = mapped_column(String(100), default="")
