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


class AnnualNote(Base):
    """年度记实: one written piece of a member's year — a quarterly summary (Q1–Q4), a half-year feedback
    (H1, H2), the year-end assessment (年底考核) or the secretary's comment (书记评语); with who wrote it."""

    __tablename__ = "annual_notes"
    __table_args__ = (UniqueConstraint("member_id", "year", "kind", name="uq_annual_notes_member_year_kind"),
                      Index("ix_annual_notes_year_kind", "year", "kind"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text, default="")
    written_by: Mapped[str] = mapped_column(String(64), default="")
    written_on: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now, onupdate=now)


class VolunteerService(Base):
    """志愿服务: one activity of a member, with its hours in tenths (1.5 h = 15)."""

    __tablename__ = "volunteer_services"
    __table_args__ = (Index("ix_volunteer_services_member_served", "member_id", "served_on"),
                      CheckConstraint("hours_tenths > 0", name="positive_hours"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    served_on: Mapped[date] = mapped_column(Date)
    activity: Mapped[str] = mapped_column(String(200))
    hours_tenths: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class DualReport(Base):
    """双报到: an in-service member reporting to the community — their employer, the day they reported,
    the service they wish to give; ``ended_on`` when they stop (moved, retired)."""

    __tablename__ = "dual_reports"
    __table_args__ = (Index("ix_dual_reports_member", "member_id", "reported_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    employer: Mapped[str] = mapped_column(String(100))
    reported_on: Mapped[date] = mapped_column(Date)
    wishes: Mapped[str] = mapped_column(Text, default="")
    ended_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class RewardDiscipline(Base):
    """奖惩: a reward (奖励) or a discipline (处分) of a member, with the day and who decided it."""

    __tablename__ = "rewards_discipline"
    __table_args__ = (Index("ix_rewards_discipline_member", "member_id", "decided_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(4))  # 奖励 / 处分
    decided_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class MemberDuesBase(Base):
    """党费 base of a member from a month on (a dated setting): the payer category and the monthly base
    in 分 (pay after tax, or pension), or a farmer's chosen amount. See app.dues_rules."""

    __tablename__ = "dues_bases"
    __table_args__ = (UniqueConstraint("member_id", "effective_from", name="uq_dues_bases_member_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    effective_from: Mapped[date] = mapped_column(Date)  # first day of a month
    category: Mapped[str] = mapped_column(String(8))
    base_fen: Mapped[int | None] = mapped_column(Integer)
    farmer_amount_fen: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class EvaluationYear(Base):
    """One year's evaluation for the whole community: the scheme (JSON, app.evaluation) and whether the
    committee approved it (locked). Unlocking is logged with its reason in the change log."""

    __tablename__ = "evaluation_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    scheme: Mapped[str] = mapped_column(Text)
    approved_on: Mapped[date | None] = mapped_column(Date)
    approved_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now, onupdate=now)


class EvaluationGrade(Base):
    """民主评议: a 正式党员's grade for a year, with the branch's decision date."""

    __tablename__ = "evaluation_grades"

    year: Mapped[int] = mapped_column(ForeignKey("evaluation_years.year", ondelete="RESTRICT"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"), primary_key=True)
    grade: Mapped[str] = mapped_column(String(4))
    decided_on: Mapped[date] = mapped_column(Date)


class EvaluationScore(Base):
    """星级评定: one cell of the scoring grid — a member's score for a criterion from an evaluator, in tenths."""

    __tablename__ = "evaluation_scores"

    year: Mapped[int] = mapped_column(ForeignKey("evaluation_years.year", ondelete="RESTRICT"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"), primary_key=True)
    criterion: Mapped[str] = mapped_column(String(20), primary_key=True)
    evaluator: Mapped[str] = mapped_column(String(8), primary_key=True)
    score_tenths: Mapped[int] = mapped_column(Integer)


class StarAdjustment(Base):
    """The branch's adjustment of a member's computed stars, with the reason (kept)."""

    __tablename__ = "star_adjustments"

    year: Mapped[int] = mapped_column(ForeignKey("evaluation_years.year", ondelete="RESTRICT"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"), primary_key=True)
    stars: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    made_by: Mapped[str] = mapped_column(String(64), default="")
    made_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class StarCertificate(Base):
    """A 星级党员证书 number (YYYY-NNNN) given when a year is approved; never changed or moved."""

    __tablename__ = "star_certificates"
    __table_args__ = (UniqueConstraint("number", name="uq_star_certificates_number"),)

    year: Mapped[int] = mapped_column(ForeignKey("evaluation_years.year", ondelete="RESTRICT"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"), primary_key=True)
    number: Mapped[str] = mapped_column(String(12))
    stars: Mapped[int] = mapped_column(Integer)
    given_on: Mapped[date] = mapped_column(Date)
