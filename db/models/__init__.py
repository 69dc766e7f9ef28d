"""One module per area; importing this package registers every table on ``Base.metadata``."""

from db.base import Base
from db.models.audit import ChangeLog
from db.models.dues import DuesPayment
from db.models.floating import ContactLog, FloatingRecord, HomeService, InflowMember, LostContactEvent
from db.models.meetings import Meeting, MeetingAttendee
from db.models.members import Member, MemberPhoto, MemberSearchKey
from db.models.orgs import CommitteeMember, Organization
from db.models.settings import Setting

__all__ = [
    "Base", "ChangeLog", "CommitteeMember", "ContactLog", "DuesPayment", "FloatingRecord", "HomeService",
    "InflowMember", "LostContactEvent", "Meeting", "MeetingAttendee", "Member", "MemberPhoto", "MemberSearchKey",
    "Organization", "Setting",
]
