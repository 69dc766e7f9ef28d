"""The demo community's floating and inflow members, 组织生活 and 党费: every status on the demo's
today, records and ledger marks that agree, nothing in the future, deterministic for a seed."""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from datetime import date

import pytest
from sqlalchemy import func, select

from app import demo, floating, members
from app.floating import LOST, NORMAL, SOON, TO_CONTACT, ContactFacts
from app.floating_services import SERVICE_KINDS
from app.idcard import parse_id
from db.models import (
    ContactLog,
    DuesPayment,
    FloatingRecord,
    HomeService,
    InflowMember,
    LostContactEvent,
    Meeting,
    MeetingAttendee,
    Member,
    Organization,
)
from tests.conftest import TODAY

ACTIVITY = (FloatingRecord, ContactLog, LostContactEvent, InflowMember, Meeting, MeetingAttendee, DuesPayment,
            HomeService)
# Days on which something happened (plans — a certificate's validity, an expected return — may lie later).
EVENT_DATES = (
    (FloatingRecord, ("left_on", "returned_on", "certificate_issued_on")), (ContactLog, ("contacted_on",)),
    (LostContactEvent, ("happened_on",)), (InflowMember, ("arrived_on", "left_on")), (Meeting, ("held_on",)),
    (DuesPayment, ("period", "paid_on")), (HomeService, ("served_on",)),
    (Member, ("birth_date", "joined_on", "confirmed_on", "work_started_on", "lost_contact_on", "left_on")),
)


def _open(path):
    from app.database import open_app_database

    return open_app_database(path)


def _build(path, **options) -> demo.DemoSummary:
    database = _open(path)
    try:
        with database.unit_of_work() as session:
            return demo.build(session, today=TODAY, **options)
    finally:
        database.close()


def _rows(session, model) -> list[tuple]:
    columns = [c for c in model.__table__.columns if c.name not in ("created_at", "updated_at")]
    return [tuple(r) for r in session.execute(select(*columns).order_by(model.__table__.c.id))]


def _plain(session, model, *where) -> list:
    """Rows with a model's attributes that outlive the session."""
    return list(session.execute(select(*model.__table__.columns).where(*where).order_by(model.__table__.c.id)))


def _snapshot(database) -> dict[str, list[tuple]]:
    with database.read() as session:
        return {model.__tablename__: _rows(session, model) for model in (*ACTIVITY, Member)}


@pytest.fixture(scope="module")
def built(tmp_path_factory, migrated_template):
    """The default demo (seed 0, built on TODAY, 300 members) and its summary."""
    path = tmp_path_factory.mktemp("demo-floating") / "demo.sqlite"
    shutil.copy(migrated_template, path)
    summary = _build(path, seed=0)
    database = _open(path)
    yield database, summary
    database.close()


@pytest.fixture(scope="module")
def demo_db(built):
    return built[0]


def _with_meetings_and_dues(session, facts: dict[int, ContactFacts]) -> dict[int, ContactFacts]:
    """The same facts with every 组织生活 attended and every payment since each member left (up to TODAY),
    counted here apart from app.floating: "reached" counts them too."""
    met, paid = defaultdict(list), defaultdict(list)
    for member_id, day in session.execute(
        select(MeetingAttendee.member_id, Meeting.held_on).join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
        .where(MeetingAttendee.present.is_(True), MeetingAttendee.member_id.in_(facts), Meeting.held_on <= TODAY)
    ):
        met[member_id].append(day)
    for member_id, day in session.execute(
        select(DuesPayment.member_id, DuesPayment.paid_on)
        .where(DuesPayment.member_id.in_(facts), DuesPayment.paid_on <= TODAY)
    ):
        paid[member_id].append(day)
    return {
        member_id: ContactFacts(
            f.managed_since, f.successful_contacts, f.failed_attempts,
            tuple(d for d in met[member_id] if d >= f.managed_since),
            tuple(d for d in paid[member_id] if d >= f.managed_since),
        )
        for member_id, f in facts.items()
    }


def test_every_status_appears_on_the_demos_today(demo_db, built):
    with demo_db.read() as session:
        records = floating.open_records(session, TODAY)
        facts = floating.facts_for(session, [r.member_id for r in records], TODAY)
        waiting = floating.to_contact(session, TODAY)
        fuller = _with_meetings_and_dues(session, facts)
    # GIVEN about 4 % of the 300 members away, all of them still 在册
    assert 9 <= len(records) <= 20 and built[1].floating == len(records)
    assert all(r.member_status == "在册" for r in records)
    # THEN each status appears, by the application's rules and by this test's own count of the facts
    statuses = Counter(floating.contact_status(f, TODAY).status for f in facts.values())
    assert set(statuses) == {NORMAL, SOON, TO_CONTACT, LOST}
    assert statuses[NORMAL] > len(records) // 2
    assert {st.status for _, st in waiting} == {SOON, TO_CONTACT, LOST}
    assert Counter(st.status for _, st in waiting) == {k: v for k, v in statuses.items() if k != NORMAL}
    assert Counter(floating.contact_status(f, TODAY).status for f in fuller.values()) == statuses
    # 失联: failed attempts after the six months were complete
    for _, st in waiting:
        if st.status == LOST:
            assert st.failed_since >= 1 and st.crosses_on <= TODAY


def test_the_records_look_like_an_office_keeps_them(demo_db):
    with demo_db.read() as session:
        records = _plain(session, FloatingRecord)
        reports = dict(session.execute(
            select(ContactLog.member_id, func.max(ContactLog.contacted_on)).where(ContactLog.is_report.is_(True))
            .group_by(ContactLog.member_id)).all())
        channels = Counter(session.scalars(select(ContactLog.channel)))
        reached = Counter(session.scalars(select(ContactLog.reached)))
        joined = dict(session.execute(select(Member.id, Member.joined_on)).all())
    open_ = [r for r in records if r.returned_on is None]
    complete = [r for r in open_ if not r.incomplete]
    assert any(r.incomplete for r in open_)  # 待补全, as migrated ones are
    assert all(not r.reason and r.destination_address for r in open_ if r.incomplete)
    assert all(r.destination_province and r.destination_city for r in open_)
    assert {r.reason for r in complete} <= set(floating.REASONS) and "务工经商" in {r.reason for r in complete}
    assert {r.management_mode for r in complete} <= set(floating.DEFAULT_MODES)
    assert all(r.employer for r in complete if r.reason == "务工经商")
    certificates = [r for r in open_ if r.certificate_no]
    assert certificates and all(r.certificate_issued_on <= r.certificate_valid_until for r in certificates)
    assert 1 <= sum(r.certificate_valid_until < TODAY for r in certificates) < len(certificates)
    assert any(r.returned_on is not None for r in records)  # some came back earlier
    assert len({r.member_id for r in open_}) == len(open_)  # at most one open record a member
    by_member = defaultdict(list)
    for r in records:
        assert joined[r.member_id] <= r.left_on and (r.returned_on is None or r.left_on < r.returned_on)
        by_member[r.member_id].append(r)
    for periods in by_member.values():  # a member's periods never overlap
        periods.sort(key=lambda r: r.left_on)
        for before, after in zip(periods, periods[1:], strict=False):
            assert before.returned_on is not None and before.returned_on <= after.left_on
    assert set(channels) == set(floating.CHANNELS) and reached[True] > 3 * reached[False] > 0
    # the yearly report: most have made this year's, some have not yet
    away = {r.member_id for r in open_}
    this_year = [m for m in away if m in reports and reports[m].year == TODAY.year]
    assert this_year and len(this_year) < len(away)
    assert any(floating.report_overdue(reports.get(m), TODAY) for m in away)


def test_the_ledgers_marks_follow_the_records(demo_db):
    with demo_db.read() as session:
        ledger = {m.id: m for m in session.execute(
            select(Member.id, Member.floating, Member.floating_destination, Member.lost_contact,
                   Member.lost_contact_on, Member.status, Member.standing))}
        records = _plain(session, FloatingRecord, FloatingRecord.returned_on.is_(None))
        events = sorted(_plain(session, LostContactEvent), key=lambda e: (e.happened_on, e.id))
        # 确认失联 as the rules allow it: 失联 on that day (unless carried over from the old flag)
        confirmed = [(e.member_id, floating.status_of(session, e.member_id, e.happened_on))
                     for e in events if e.kind == "确认失联" and not e.to_confirm]
    destinations = {r.member_id: floating.destination_of(r.destination_province, r.destination_city)
                    for r in records}
    for member_id, m in ledger.items():
        assert m.floating == (member_id in destinations), member_id
        assert m.floating_destination == destinations.get(member_id, ""), member_id
    latest: dict[int, LostContactEvent] = {}
    for event in events:
        if event.kind in ("确认失联", "重新纳入管理"):
            latest[event.member_id] = event
    lost = {k: e.happened_on for k, e in latest.items() if e.kind == "确认失联"}
    assert {k: (m.lost_contact, m.lost_contact_on) for k, m in ledger.items() if m.lost_contact} == {
        k: (True, day) for k, day in lost.items()}
    assert confirmed and all(st is not None and st.status == LOST for _, st in confirmed)
    # 停止党籍 (党籍状态) exactly for members whose 失联 was established and who were stopped after it
    stopped = {e.member_id for e in events if e.kind == "停止党籍" and e.member_id in lost
               and e.happened_on >= lost[e.member_id]}
    assert stopped == {k for k, m in ledger.items() if m.standing == "停止党籍"} != set()
    kinds = Counter(e.kind for e in events)
    assert kinds["寻找"] >= 2 and kinds["确认失联"] >= 1 and kinds["重新纳入管理"] >= 1
    assert any(e.to_confirm for e in events) or len(lost) < 3  # one carried over from the old flag
    found = [k for k, e in latest.items() if e.kind == "重新纳入管理"]
    assert found and not any(ledger[k].lost_contact for k in found)


def test_nothing_is_dated_after_today(demo_db):
    with demo_db.read() as session:
        for model, names in EVENT_DATES:
            for name in names:
                latest = session.scalar(select(func.max(getattr(model, name))))
                assert latest is None or latest <= TODAY, (model.__tablename__, name, latest)
        for model in (*ACTIVITY, Member):
            if "created_at" in model.__table__.c:  # entered on the day, or when the records began
                entered = session.scalar(select(func.max(model.__table__.c.created_at)))
                assert entered.date() <= TODAY, model.__tablename__
        plans = session.scalar(select(func.max(FloatingRecord.certificate_valid_until)))
    assert plans is not None and plans > TODAY  # valid certificates run on past today


def test_meetings_follow_the_branches_calendar(demo_db):
    with demo_db.read() as session:
        branches = session.execute(select(Organization.id, Organization.founded_on)
                                   .where(Organization.kind.in_(("党支部", "联合党支部")))).all()
        kinds = defaultdict(Counter)
        for org_id, kind in session.execute(select(Meeting.org_id, Meeting.kind)):
            kinds[org_id][kind] += 1
        first = session.scalar(select(func.min(Meeting.held_on)))
        early = session.scalar(select(func.count()).select_from(Meeting).join(Organization)
                               .where(Meeting.held_on < Organization.founded_on))
    assert first >= date(2025, 6, 1) and early == 0  # about 18 months back, and only once founded
    for branch, founded in branches:
        since = max(founded, date(2025, 6, 1))
        months = (TODAY.year - since.year) * 12 + TODAY.month - since.month  # complete months since
        # monthly (this month's 主题党日 may still be to come), quarterly
        assert kinds[branch]["支部委员会"] >= kinds[branch]["主题党日"] >= months >= 11
        assert kinds[branch]["支部党员大会"] >= months // 3 and kinds[branch]["党课"] >= months // 3
    assert sum(k["流动党员之家活动"] for k in kinds.values()) >= 3


def test_the_records_pass_the_forms_checks(demo_db):
    """What the demo wrote, the forms would accept: outflow records (but 待补全 ones), inflow members,
    meetings with the people present."""
    from app.floating import OUTFLOW_FIELDS, OutflowInput, validate_outflow
    from app.floating_inflow import INFLOW_FIELDS, InflowInput, validate_inflow
    from app.meetings import INPUT_FIELDS, MeetingInput, validate_meeting

    with demo_db.read() as session:
        for r in _plain(session, FloatingRecord, FloatingRecord.incomplete.is_(False)):
            data = OutflowInput(**{n: getattr(r, n) for n in OUTFLOW_FIELDS})
            assert validate_outflow(session, r.member_id, data, record_id=r.id, today=TODAY)[0] == {}, r.id
        for i in _plain(session, InflowMember):
            data = InflowInput(**{n: getattr(i, n) for n in INFLOW_FIELDS})
            assert validate_inflow(session, data, inflow_id=i.id, today=TODAY)[0] == {}, i.id
        present = defaultdict(lambda: ([], []))
        for meeting_id, member_id, inflow_id in session.execute(
                select(MeetingAttendee.meeting_id, MeetingAttendee.member_id, MeetingAttendee.inflow_id)
                .where(MeetingAttendee.present.is_(True))):
            present[meeting_id][0 if member_id else 1].append(member_id or inflow_id)
        for m in _plain(session, Meeting):
            data = MeetingInput(**{n: getattr(m, n) for n in INPUT_FIELDS})
            errors = validate_meeting(session, data, *present[m.id], today=TODAY)[0]
            assert errors == {} or (not present[m.id][0] and errors.keys() == {"attendees"}), (m.id, errors)


def test_meeting_attendees_belong_to_the_meeting(demo_db):
    with demo_db.read() as session:
        subtree = {org_id: set(members.subtree_ids(session, org_id))
                   for org_id in session.scalars(select(Organization.id))}
        ledger = {m.id: m for m in session.execute(select(Member.id, Member.org_id, Member.status, Member.joined_on))}
        inflow = {i.id: i for i in session.execute(select(InflowMember.id, InflowMember.arrived_on,
                                                          InflowMember.left_on))}
        away = defaultdict(list)
        for member_id, left, back in session.execute(
                select(FloatingRecord.member_id, FloatingRecord.left_on, FloatingRecord.returned_on)):
            away[member_id].append((left, back or date.max))
        rows = session.execute(
            select(Meeting.org_id, Meeting.held_on, Meeting.kind, MeetingAttendee.member_id, MeetingAttendee.inflow_id,
                   MeetingAttendee.present, MeetingAttendee.absence_reason)
            .join(Meeting, Meeting.id == MeetingAttendee.meeting_id)).all()
    counts = Counter()
    for org_id, day, _kind, member_id, inflow_id, present, reason in rows:
        if member_id is not None:
            m = ledger[member_id]
            assert m.status == "在册" and m.org_id in subtree[org_id] and m.joined_on <= day
            is_away = any(left <= day < back for left, back in away[member_id])
            counts[("away" if is_away else "here", present)] += 1
            if not present and is_away:
                assert reason
        else:
            i = inflow[inflow_id]
            assert present and i.arrived_on <= day and (i.left_on is None or day <= i.left_on)
            counts["inflow"] += 1
    here = counts[("here", True)] / (counts[("here", True)] + counts[("here", False)])
    there = counts[("away", True)] / (counts[("away", True)] + counts[("away", False)])
    assert here > 0.75 and there < 0.25 and counts[("here", False)] > 0 and counts["inflow"] > 0


def test_dues_are_monthly_in_fen_and_mostly_paid(demo_db):
    with demo_db.read() as session:
        payments = session.execute(select(DuesPayment.member_id, DuesPayment.period, DuesPayment.paid_on,
                                          DuesPayment.amount_fen, DuesPayment.paid_at)).all()
        present = set(session.scalars(select(Member.id).where(Member.status == "在册")))
        away = defaultdict(list)
        for member_id, left, back in session.execute(
                select(FloatingRecord.member_id, FloatingRecord.left_on, FloatingRecord.returned_on)):
            away[member_id].append((left, back or date.max))
    assert len({(p.member_id, p.period) for p in payments}) == len(payments)
    assert all(p.amount_fen > 0 and p.period.day == 1 and p.paid_on >= p.period for p in payments)
    assert all(20 <= p.amount_fen <= 30_000 for p in payments)  # 0.2 元 to 2 % of a fixed pay
    recent = {p.member_id for p in payments if p.period >= date(2026, 8, 1)}
    assert len(recent & present) > 0.85 * len(present)
    assert len(present - recent) >= 3  # a few in arrears (and the floating members out of reach)
    elsewhere = [p for p in payments if p.paid_at == "流入地党组织"]
    assert elsewhere and all(any(left <= p.period < back for left, back in away[p.member_id]) for p in elsewhere)


def test_inflow_members_are_valid_and_hosted_by_a_grid_branch(demo_db, built):
    with demo_db.read() as session:
        rows = _plain(session, InflowMember)
        grids = {o.id for o in _plain(session, Organization) if o.kind == "党支部" and "网格" in o.name}
        ledger_ids = set(session.scalars(select(Member.id_number)))
    assert len(rows) == built[1].inflow >= 3
    for row in rows:
        info = parse_id(row.id_number, today=TODAY)
        assert info.sex == row.sex and row.id_number not in ledger_ids
        assert row.name_sort == members.derived_columns(row.name, "")["name_sort"]
        assert row.host_org_id in grids and row.building and row.unit and row.address
        assert row.home_org.endswith("党支部") and members.MOBILE.match(row.mobile)
        assert row.arrived_on <= TODAY and (row.left_on is None or row.arrived_on < row.left_on <= TODAY)
        if row.certificate_valid_until is not None:
            assert row.certificate_valid_until >= row.arrived_on
    assert len({r.id_number for r in rows}) == len(rows)


def test_home_services_are_given_within_the_stay(demo_db):
    with demo_db.read() as session:
        services = _plain(session, HomeService)
        periods = defaultdict(list)
        for member_id, left, back in session.execute(
                select(FloatingRecord.member_id, FloatingRecord.left_on, FloatingRecord.returned_on)):
            periods[member_id].append((left, back or TODAY))
        stays = {i: (a, left or TODAY) for i, a, left in session.execute(
            select(InflowMember.id, InflowMember.arrived_on, InflowMember.left_on))}
    assert {s.kind for s in services} <= set(SERVICE_KINDS)
    assert any(s.member_id for s in services) and any(s.inflow_id for s in services)
    for s in services:
        assert (s.member_id is None) != (s.inflow_id is None)
        if s.member_id is not None:
            assert any(left <= s.served_on <= back for left, back in periods[s.member_id])
        else:
            arrived, until = stays[s.inflow_id]
            assert arrived <= s.served_on <= until


def test_the_activity_is_deterministic_and_leaves_the_members_alone(tmp_path, migrated_template, demo_db,
                                                                    monkeypatch):
    for name, seed in (("same.sqlite", 0), ("other.sqlite", 1)):
        shutil.copy(migrated_template, tmp_path / name)
        _build(tmp_path / name, seed=seed)
    same, other = _open(tmp_path / "same.sqlite"), _open(tmp_path / "other.sqlite")
    try:
        expected = _snapshot(demo_db)
        assert _snapshot(same) == expected
        theirs = _snapshot(other)
        assert all(theirs[model.__tablename__] != expected[model.__tablename__] for model in ACTIVITY)
    finally:
        same.close()
        other.close()
    # Without the activity the members are the same but for the ledger's 流动 marks.
    monkeypatch.setattr(demo._Activity, "build", lambda self: (0, 0, 0, 0))
    shutil.copy(migrated_template, tmp_path / "bare.sqlite")
    _build(tmp_path / "bare.sqlite", seed=0)
    bare = _open(tmp_path / "bare.sqlite")
    try:
        plain = _snapshot(bare)["members"]
    finally:
        bare.close()
    marks = [c.name for c in Member.__table__.columns if c.name not in ("created_at", "updated_at")]
    keep = [i for i, name in enumerate(marks) if name not in ("floating", "floating_destination")]
    assert [[r[i] for i in keep] for r in plain] == [[r[i] for i in keep] for r in expected["members"]]
    assert sum(r[marks.index("floating")] for r in plain) < sum(r[marks.index("floating")] for r in expected["members"])


def test_a_larger_ledger_keeps_fewer_months_and_every_status(tmp_path, migrated_template, monkeypatch):
    # GIVEN a ledger of 1,500 members with room for only four months of meetings and dues
    monkeypatch.setattr(demo, "_HISTORY_MEMBER_MONTHS", 6_000)
    monkeypatch.setattr(demo, "_BATCH", 700)
    shutil.copy(migrated_template, tmp_path / "big.sqlite")
    summary = _build(tmp_path / "big.sqlite", seed=2, members=1500)
    database = _open(tmp_path / "big.sqlite")
    try:
        with database.read() as session:
            first = session.scalar(select(func.min(Meeting.held_on)))
            periods = set(session.scalars(select(DuesPayment.period).distinct()))
            waiting = floating.to_contact(session, TODAY)
            records = floating.open_records(session, TODAY)
            flagged = set(session.scalars(select(Member.id).where(Member.floating.is_(True))))
    finally:
        database.close()
    assert first >= date(2026, 8, 1) and periods == {date(2026, m, 1) for m in (8, 9, 10, 11)}
    assert {st.status for _, st in waiting} == {SOON, TO_CONTACT, LOST}
    assert flagged == {r.member_id for r in records} and len(records) == summary.floating > 40
