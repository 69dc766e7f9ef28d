from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, now

# The ledger's default columns, each with a covering (status, column, name_sort) index for sorting.
SORTED_COLUMNS = ("sex", "birth_date", "id_number", "education", "category", "joined_on", "confirmed_on", "mobile",
                  "address")


class Member(Base):
    """One party member: the national 党员基本信息采集表 items plus what offices add.

    Leaving the ledger (转出/出党/死亡) marks ``status`` with date and reason; rows are never
    deleted. ``name_sort``, ``id_reversed`` and the search keys are derived when saved.
    """

    __tablename__ = "members"
    __table_args__ = (
        Index("ix_members_org_name", "org_id", "name_sort"),
        Index("ix_members_status_org", "status", "org_id", "name_sort", "category", "floating", "lost_contact",
              "in_hardship", "standing"),
        Index("ix_members_status_name_sort", "status", "name_sort", "name"),
        *(Index(f"ix_members_status_{c}", "status", c, "name_sort") for c in SORTED_COLUMNS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(50), index=True)
    name_sort: Mapped[str] = mapped_column(String(200), index=True)
    sex: Mapped[str] = mapped_column(String(2))
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    id_reversed: Mapped[str] = mapped_column(String(18), index=True)
    ethnicity: Mapped[str] = mapped_column(String(20), default="汉族")
    birth_date: Mapped[date] = mapped_column(Date)
    native_place: Mapped[str] = mapped_column(String(50), default="")
    education: Mapped[str] = mapped_column(String(20), default="")
    degree: Mapped[str] = mapped_column(String(20), default="")
    category: Mapped[str] = mapped_column(String(8))  # 正式党员 / 预备党员
    joined_on: Mapped[date] = mapped_column(Date, index=True)
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    probation_extended: Mapped[bool] = mapped_column(Boolean, default=False)
    occupation: Mapped[str] = mapped_column(String(30), default="")
    employer: Mapped[str] = mapped_column(String(100), default="")
    work_started_on: Mapped[date | None] = mapped_column(Date)
    report_unit: Mapped[str] = mapped_column(String(100), default="")
    party_post: Mapped[str] = mapped_column(String(20), default="")
    mobile: Mapped[str] = mapped_column(String(20), default="", index=True)
    landline: Mapped[str] = mapped_column(String(30), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    standing: Mapped[str] = mapped_column(String(8), default="正常")  # 正常 / 停止党籍
    lost_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    lost_contact_on: Mapped[date | None] = mapped_column(Date)
    floating: Mapped[bool] = mapped_column(Boolean, default=False)
    floating_destination: Mapped[str] = mapped_column(String(100), default="")
    in_hardship: Mapped[bool] = mapped_column(Boolean, default=False)
    introducers: Mapped[str] = mapped_column(String(50), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(8), default="在册")  # 在册 / 转出 / 出党 / 死亡
    left_on: Mapped[date | None] = mapped_column(Date)
    left_reason: Mapped[str] = mapped_column(Text, default="")
    transferred_to: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now, onupdate=now)


class MemberSearchKey(Base):
    """Prefix-searchable keys of a member's name: pinyin initials and full pinyin for every
    reading, and the two-character parts of the name (建国 finds 张建国)."""

    __tablename__ = "member_search_keys"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class MemberPhoto(Base):
    __tablename__ = "member_photos"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
    mime: Mapped[str] = mapped_column(String(32), default="image/jpeg")
