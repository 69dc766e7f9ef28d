"""The demo community's 党小组会: every 党小组 meets almost every month, so the 工作台's 组织生活 check (app
.meetings_frequency) finds only the demo's few deliberate gaps; nothing after the demo's today, and the
党小组会 come after the branches' meetings (their ids and lists are what they were without them)."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from app import meetings_frequency as frequency
from app.meetings import ABSENCE_REASONS
from db.models import Meeting, MeetingAttendee, Member, Organization
from tests.conftest import TODAY

GROUP = "党小组会"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, demo_template):
    """The default demo (seed 0, built on TODAY), read only by these tests."""
    from app.database import open_app_database

    path = tmp_path_factory.mktemp("demo-frequency") / "demo.sqlite"
    shutil.copy(demo_template, path)
    database = open_app_database(path)
    yield database
    database.close()


def _groups(session) -> dict[int, tuple[str, int]]:
    """党小组 id → (name, 在册 members)."""
    counts = dict(session.execute(select(Member.org_id, func.count()).where(Member.status == "在册")
                                  .group_by(Member.org_id)).all())
    return {oid: (name, counts.get(oid, 0)) for oid, name in session.execute(
        select(Organization.id, Organization.name).where(Organization.kind == "党小组"))}


def _last_group_of(session, branch: str) -> str:
    parent = session.scalar(select(Organization.id).where(Organization.name == branch))
    return session.scalars(select(Organization.name).where(Organization.parent_id == parent)
                           .order_by(Organization.sort_order, Organization.id)).all()[-1]


def test_only_the_deliberate_gaps_remain_this_year(demo_db):
    with demo_db.read() as session:
        found = frequency.gaps(session, TODAY)
        paused = _last_group_of(session, "第三网格党支部")
    # THEN only two 党小组 missed months of 2026: one September and October, one February (春节)
    assert frequency.examined_year(TODAY) == 2026
    assert {(g.org_name, g.kind, g.missed) for g in found} == {
        (paused, GROUP, (9, 10)), ("老干部党小组", GROUP, (2,))}
    lines = {found_[0].branch_name: frequency.branch_text(found_)
             for found_ in frequency.by_branch(found).values()}
    assert lines == {"第三网格党支部": f"{paused} 党小组会 9月、10月未召开",
                     "离退休党员党支部": "老干部党小组 党小组会 2月未召开"}


def test_every_group_meets_almost_every_month(demo_db):
    with demo_db.read() as session:
        groups = _groups(session)
        held = Counter(session.scalars(select(Meeting.org_id).where(
            Meeting.kind == GROUP, Meeting.held_on >= date(2026, 1, 1), Meeting.held_on <= TODAY)))
    assert len(groups) >= 10 and all(members > 0 for _name, members in groups.values())
    assert {name: held[oid] for oid, (name, _m) in groups.items() if held[oid] < 9} == {}
    assert all(held[oid] <= 11 for oid in groups)  # once a month at most


def test_the_lists_name_the_groups_members_most_present(demo_db):
    with demo_db.read() as session:
        rows = session.execute(
            select(Meeting.org_id, Meeting.held_on, Member.org_id, Member.status, Member.joined_on,
                   MeetingAttendee.present, MeetingAttendee.absence_reason)
            .join(MeetingAttendee, MeetingAttendee.meeting_id == Meeting.id)
            .join(Member, Member.id == MeetingAttendee.member_id)
            .where(Meeting.kind == GROUP)).all()
        made_by = set(session.scalars(select(Meeting.made_by).where(Meeting.kind == GROUP)))
    assert all(org == member_org and status == "在册" and joined <= day
               for org, day, member_org, status, joined, _p, _r in rows)
    present = sum(1 for row in rows if row[5])
    assert 0.8 < present / len(rows) < 0.95
    reasons = Counter(row[6] for row in rows if not row[5])
    assert set(ABSENCE_REASONS[:3]) <= set(reasons)  # 病假, 事假, 因公外出
    assert sum(n for reason, n in reasons.items() if reason in ABSENCE_REASONS) > 0.7 * sum(reasons.values())
    assert "" not in made_by and "社区党委办公室" not in made_by  # written down by each group's 组长


def test_no_meeting_after_today_or_before_its_group_was_founded(demo_db):
    with demo_db.read() as session:
        latest = session.scalar(select(func.max(Meeting.held_on)))
        early = session.scalar(select(func.count()).select_from(Meeting).join(Organization)
                               .where(Meeting.held_on < Organization.founded_on))
    assert latest <= TODAY and early == 0


def test_the_group_meetings_come_after_the_branches_meetings(demo_db):
    """Added from a stream of their own after the others: the earlier meetings keep their ids."""
    with demo_db.read() as session:
        last_other = session.scalar(select(func.max(Meeting.id)).where(Meeting.kind != GROUP))
        first_group = session.scalar(select(func.min(Meeting.id)).where(Meeting.kind == GROUP))
        others = session.scalar(select(func.count()).select_from(Meeting).where(Meeting.kind != GROUP))
        last_row = session.scalar(select(func.max(MeetingAttendee.id)).join(Meeting)
                                  .where(Meeting.kind != GROUP))
        first_row = session.scalar(select(func.min(MeetingAttendee.id)).join(Meeting).where(Meeting.kind == GROUP))
    assert last_other == others and first_group == others + 1 and first_row == last_row + 1
