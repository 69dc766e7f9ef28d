from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, now


class Organization(Base):
    """A node of the community's party organisation tree (党委/党总支/党支部/党小组 …)."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # Position in a pre-order walk of the whole tree, kept by app.orgs after every change, so
    # lists can ORDER BY the organisation column in tree order.
    tree_rank: Mapped[int] = mapped_column(Integer, default=0, index=True)
    founded_on: Mapped[date | None] = mapped_column(Date)
    term_ends_on: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    dissolved_on: Mapped[date | None] = mapped_column(Date)
    dissolved_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)

    committee: Mapped[list[CommitteeMember]] = relationship(
        back_populates="organization",
        cascade="all, delete-orphan",
        order_by="CommitteeMember.sort_order",
    )


class CommitteeMember(Base):
    """书记, 副书记 and 委员 of a node, by name, linked to the ledger member when known."""

    __tablename__ = "org_committee_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    organization: Mapped[Organization] = relationship(back_populates="committee")
