"""One module per area; importing this package registers every table on ``Base.metadata``."""

from db.base import Base
from db.models.audit import ChangeLog
from db.models.dues import DuesPayment
from db.models.evaluation import (
    AnnualNote,
    DualReport,
    EvaluationGrade,
    EvaluationScore,
    EvaluationYear,
    MemberDuesBase,
    RewardDiscipline,
    StarAdjustment,
    StarCertificate,
    VolunteerService,
)
from db.models.floating import ContactLog, FloatingRecord, HomeService, InflowMember, LostContactEvent
from db.models.meetings import Meeting, MeetingAttendee
from db.models.members import Member, MemberPhoto, MemberSearchKey
from db.models.orgs import CommitteeMember, Organization
from db.models.settings import Setting

__all__ = [
    "AnnualNote", "Base", "ChangeLog", "CommitteeMember", "ContactLog", "DualReport", "DuesPayment",
    "EvaluationGrade", "EvaluationScore", "EvaluationYear", "MemberDuesBase", "RewardDiscipline", "StarAdjustment", "StarCertificate",
    "VolunteerService", "FloatingRecord", "HomeService",
    "InflowMember", "LostContactEvent", "Meeting", "MeetingAttendee", "Member", "MemberPhoto", "MemberSearchKey",
    "Organization", "Setting",
]
