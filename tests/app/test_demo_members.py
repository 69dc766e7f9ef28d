"""The demo community's members: deterministic, valid, and with every kind the ledger shows."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from sqlalchemy import select

from app import demo, members, orgs
from app.__main__ import main
from app.dates import add_years, age_on
from app.idcard import parse_id
from app.members import INPUT_FIELDS, MemberFilter, MemberInput
from db.models import CommitteeMember, Member, MemberSearchKey
from tests.conftest import TODAY

SKIPPED = {"created_at", "updated_at"}  # when the demo was built, not what it holds


def _snapshot(database) -> tuple[list[tuple], list[tuple], list[tuple]]:
    columns = [c for c in Member.__table__.columns if c.name not in SKIPPED]
    with database.read() as session:
        rows = [tuple(r) for r in session.execute(select(*columns).order_by(Member.id))]
        keys = [tuple(r) for r in session.execute(
            select(MemberSearchKey.member_id, MemberSearchKey.key).order_by(MemberSearchKey.member_id,
                                                                            MemberSearchKey.key))]
        links = [tuple(r) for r in session.execute(
            select(CommitteeMember.org_id, CommitteeMember.role, CommitteeMember.name, CommitteeMember.member_id)
            .order_by(CommitteeMember.id))]
    return rows, keys, links


def _build(path, **options) -> demo.DemoSummary:
    from app.database import open_app_database

    database = open_app_database(path)
    try:
        with database.unit_of_work() as session:
            return demo.build(session, today=TODAY, **options)
    finally:
        database.close()


def _all(session) -> list:
    """Every member as a plain row (its attributes read like a Member's, and outlive the session)."""
    return list(session.execute(select(*Member.__table__.columns).order_by(Member.id)))


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory, migrated_template):
    """The default demo (seed 0, built on TODAY, 300 members), built here rather than taken from
    conftest's ``demo_template``, so these tests hold whatever members that template is given."""
    import shutil

    from app.database import open_app_database

    path = tmp_path_factory.mktemp("demo-members") / "demo.sqlite"
    shutil.copy(migrated_template, path)
    _build(path, seed=0)
    database = open_app_database(path)
    yield database
    database.close()


@pytest.fixture(scope="module")
def everyone(demo_database) -> list:
    with demo_database.read() as session:
        return _all(session)


def test_members_are_deterministic_for_a_seed_and_a_date(demo_database, tmp_path, migrated_template):
    import shutil

    from app.database import open_app_database

    for name, seed in (("same.sqlite", 0), ("other.sqlite", 1)):
        shutil.copy(migrated_template, tmp_path / name)
        assert _build(tmp_path / name, seed=seed).members == demo.DEFAULT_MEMBERS
    same, other = (open_app_database(tmp_path / n) for n in ("same.sqlite", "other.sqlite"))
    try:
        expected = _snapshot(demo_database)
        assert len(expected[0]) == demo.DEFAULT_MEMBERS
        assert _snapshot(same) == expected
        assert _snapshot(other)[0] != expected[0]
    finally:
        same.close()
        other.close()


def test_a_sample_of_members_passes_validation(demo_database, everyone):
    sample = random.Random(7).sample(everyone, 50)
    with demo_database.read() as session:
        for member in sample:
            data = MemberInput(**{n: getattr(member, n) for n in INPUT_FIELDS})
            errors, clean = members.validate(session, data, member_id=member.id, today=TODAY)
            assert errors == {}, (member.name, errors)
            assert clean == data  # already in the stored (normalised) form
            assert member.name_sort == members.derived_columns(member.name, member.id_number)["name_sort"]
            assert member.id_reversed == member.id_number[::-1]
            keys = set(session.scalars(select(MemberSearchKey.key).where(MemberSearchKey.member_id == member.id)))
            assert keys == members._search_keys(member.name)


def test_every_member_obeys_the_rules(everyone):
    assert len(everyone) == demo.DEFAULT_MEMBERS
    for m in everyone:
        info = parse_id(m.id_number, today=TODAY)
        assert (info.birth_date, info.sex, info.number) == (m.birth_date, m.sex, m.id_number)
        assert m.id_number[:6] in demo.REGIONS
        assert age_on(m.birth_date, m.joined_on) >= members.ADULT_AGE, m.name
        if m.category == "正式党员":
            assert add_years(m.joined_on, 1) <= m.confirmed_on <= add_years(m.joined_on, 2), m.name
        else:
            assert m.category == "预备党员" and m.confirmed_on is None
        for value in (m.birth_date, m.joined_on, m.confirmed_on, m.work_started_on, m.lost_contact_on, m.left_on):
            assert value is None or value <= TODAY, m.name
        assert members.MOBILE.match(m.mobile)
        assert m.education in members.EDUCATION and m.occupation in members.OCCUPATIONS
        assert m.ethnicity in members.ETHNICITIES
        assert m.address and len(m.introducers.split("、")) == 2
        if m.left_on:
            assert m.left_on >= m.joined_on
    assert len({m.id_number for m in everyone}) == len(everyone)
    assert len({m.mobile for m in everyone}) == len(everyone)


def test_the_ledger_has_every_kind_of_member(demo_database, everyone):
    with demo_database.read() as session:
        by_name = {n.name: n.id for n in orgs.list_tree(session)}
    occupations = Counter(m.occupation for m in everyone)
    assert occupations["离退休人员"] >= len(everyone) // 4  # a good share are retired
    retired_branch = [m for m in everyone
                      if m.org_id in {by_name["离退休党员党支部"], by_name["老干部党小组"], by_name["银龄志愿党小组"]}]
    assert len(retired_branch) > 20
    assert all(m.occupation == "离退休人员" for m in retired_branch if not m.party_post)
    joint = [m for m in everyone if m.org_id == by_name["两新组织联合党支部"]]
    assert sum(m.occupation.startswith("非公有经济") for m in joint) >= len(joint) - 1 > 10
    grids = {v for k, v in by_name.items() if "网格" in k or "号楼" in k}
    assert sum(m.org_id in grids for m in everyone) > len(everyone) // 3
    assert sum(bool(m.report_unit) for m in everyone) >= 5  # 在职党员双报到
    floating = [m for m in everyone if m.floating]
    assert len(floating) >= 3 and all(m.floating_destination for m in floating)
    lost = [m for m in everyone if m.lost_contact]
    assert 1 <= len(lost) <= 2 and all(m.lost_contact_on for m in lost)
    assert sum(m.in_hardship for m in everyone) >= 3
    moved = [m for m in everyone if m.status == "转出"]
    assert len(moved) >= 3 and all(m.transferred_to and m.left_on and m.left_reason for m in moved)
    assert [m.status for m in everyone].count("死亡") == 1
    assert Counter(m.ethnicity for m in everyone).most_common(1)[0][0] == "汉族"
    with demo_database.read() as session:
        others = members.ordered_ids(session, MemberFilter(statuses=("转出", "出党", "死亡")))
        shown = members.ordered_ids(session, MemberFilter())
    assert len(others) == len(moved) + 1 and len(shown) == len(everyone) - len(others)


def test_some_probationary_members_are_due_soon_and_one_is_overdue(demo_database):
    with demo_database.read() as session:
        due = members.confirmations_due(session, TODAY)
        probationary = members.ordered_ids(session, MemberFilter(category="预备党员"))
    assert len([d for d in due if 0 <= d.days_left <= members.CONFIRM_WARNING_DAYS]) >= 3
    assert len([d for d in due if d.days_left < 0]) == 1
    assert len(probationary) > len(due)  # others are due later


def test_rare_characters_and_polyphonic_surnames(demo_database, everyone):
    names = {m.name: m.id for m in everyone}
    assert {"王㛃", "李䶮", "张𠮷祥"} <= set(names)
    assert sum(any(c in n for c in "䶮㛃𠮷") for n in names) >= 5
    assert set("曾单解仇朴查区") <= {n[:1] for n in names}
    with demo_database.read() as session:
        assert names["曾国华"] in members.ordered_ids(session, MemberFilter(text="zgh"))
        assert names["单丽娟"] in members.ordered_ids(session, MemberFilter(text="slj"))
        assert names["仇建平"] in members.ordered_ids(session, MemberFilter(text="qiujian"))
        assert names["张𠮷祥"] in members.ordered_ids(session, MemberFilter(text="张𠮷"))
        assert names["王㛃"] in members.ordered_ids(session, MemberFilter(text="王㛃"))
        ethnicity = session.get(Member, names["朴成浩"]).ethnicity
    assert ethnicity == "朝鲜族"


def test_every_committee_post_is_held_by_a_member_of_that_organisation(demo_database):
    with demo_database.read() as session:
        posts = list(session.scalars(select(CommitteeMember)))
        assert posts
        for post in posts:
            assert post.member_id is not None, (post.org_id, post.role, post.name)
            holder = session.get(Member, post.member_id)
            assert (holder.name, holder.org_id, holder.status) == (post.name, post.org_id, "在册")
            assert holder.party_post == demo.POSTS[post.role] and holder.category == "正式党员"
        secretaries = {n.id: n.secretary for n in orgs.list_tree(session)}
    assert all(secretaries.values())


def test_no_members_and_a_bigger_ledger_in_batches(tmp_path, migrated_template, monkeypatch):
    import shutil

    from app.database import open_app_database

    shutil.copy(migrated_template, tmp_path / "none.sqlite")
    assert _build(tmp_path / "none.sqlite", members=0).members == 0
    shutil.copy(migrated_template, tmp_path / "many.sqlite")
    monkeypatch.setattr(demo, "_BATCH", 500)
    assert _build(tmp_path / "many.sqlite", seed=5, members=1800).members == 1800
    database = open_app_database(tmp_path / "many.sqlite")
    try:
        with database.read() as session:
            everyone = _all(session)
            keyed = set(session.scalars(select(MemberSearchKey.member_id).distinct()))
            assert all(p.member_id for p in session.scalars(select(CommitteeMember)))
            for member in random.Random(3).sample(everyone, 30):
                data = MemberInput(**{n: getattr(member, n) for n in INPUT_FIELDS})
                assert members.validate(session, data, member_id=member.id, today=TODAY)[0] == {}
    finally:
        database.close()
    assert len(everyone) == 1800 and keyed == {m.id for m in everyone}
    assert len({m.id_number for m in everyone}) == len({m.mobile for m in everyone}) == 1800


def test_cli_member_count(tmp_path, capsys):
    assert main(["demo", "--db", str(tmp_path / "a.sqlite"), "--today", "2026-11-22", "--members", "40"]) == 0
    assert "40 名党员" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:
        main(["demo", "--db", str(tmp_path / "b.sqlite"), "--members", "-5"])
    assert exited.value.code == 2
    assert "党员人数" in capsys.readouterr().err
