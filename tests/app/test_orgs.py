"""The organisation tree use cases: paths, validation, moves, dissolution, history."""

from __future__ import annotations

from datetime import date

import pytest

from app import audit, orgs, settings
from app.errors import AppError, NotFoundError, ValidationError
from app.orgs import OrgInput
from tests.conftest import TODAY


def _id(session, path: str) -> int:
    return orgs.find_by_path(session, path).id


def test_demo_tree_has_paths_depths_and_tree_order(tree_database):
    with tree_database.read() as session:
        nodes = orgs.list_tree(session)
    root = nodes[0]
    assert root.parent_id is None and root.depth == 0 and root.path == "幸福里社区党委"
    assert nodes[1].path == "幸福里社区党委/第一网格党支部"
    assert nodes[2].path == "幸福里社区党委/第一网格党支部/1号楼党小组" and nodes[2].depth == 2
    # pre-order: every node comes after its parent
    seen: set[int] = set()
    for node in nodes:
        assert node.parent_id is None or node.parent_id in seen
        seen.add(node.id)
    assert root.secretary and dict(root.committee)["书记"] == root.secretary


def test_find_by_path_tolerates_spaces_and_names_the_format_when_missing(tree_database):
    with tree_database.read() as session:
        node = orgs.find_by_path(session, " 幸福里社区党委 / 第二网格党支部 /")
        assert node.name == "第二网格党支部"
        with pytest.raises(NotFoundError, match="用“/”分隔"):
            orgs.find_by_path(session, "幸福里社区党委/第九网格党支部")


def test_create_validates_with_chinese_messages(tree_database):
    with tree_database.unit_of_work() as session:
        parent = _id(session, "幸福里社区党委/第一网格党支部")
        with pytest.raises(ValidationError) as caught:
            orgs.create(session, parent, OrgInput("1号楼党小组", "小组", founded_on=date(2030, 1, 1)), today=TODAY)
        errors = caught.value.errors
        assert errors["name"] == "同一上级组织下已有名为“1号楼党小组”的组织。"
        assert "请选择组织类型" in errors["kind"]
        assert errors["founded_on"] == "成立日期不能晚于今天。"
        with pytest.raises(ValidationError, match="不能有“/”"):
            orgs.create(session, parent, OrgInput("A/B", "党小组"), today=TODAY)
        with pytest.raises(ValidationError, match="只能有一名书记"):
            orgs.create(session, parent, OrgInput("新党小组", "党小组", committee=(("书记", "甲"), ("书记", "乙"))))
        with pytest.raises(ValidationError, match="届满日期应晚于"):
            orgs.create(session, parent, OrgInput("新党小组", "党小组", date(2025, 1, 1), date(2024, 1, 1)), today=TODAY)


def test_only_one_top_organisation(tree_database):
    with tree_database.unit_of_work() as session, pytest.raises(AppError, match="已有顶层党组织"):
        orgs.create(session, None, OrgInput("另一个党委", "党委"))


def test_create_and_update_are_logged_with_the_operator(tree_database):
    with tree_database.unit_of_work() as session:
        parent = _id(session, "幸福里社区党委/第一网格党支部")
        org_id, changes = orgs.create(session, parent, OrgInput("17号楼党小组", "党小组", place="第一网格/17号楼"))
        assert changes.orgs
        orgs.update(session, org_id, OrgInput("17号楼党小组", "党小组", place="第一网格/17号楼",
                                              committee=(("组长", "王建国"),)))
    with tree_database.read() as session:
        node = orgs.get(session, org_id)
        assert node.path == "幸福里社区党委/第一网格党支部/17号楼党小组"
        assert node.secretary == "王建国"
        log = audit.entries(session, "orgs", org_id)
    assert [e.action for e in log] == ["新建", "修改"]
    assert {e.operator for e in log} == {"社区党委办公室"}
    assert "王建国" in log[1].detail


def test_move_under_own_descendant_is_refused(tree_database):
    with tree_database.unit_of_work() as session:
        branch = _id(session, "幸福里社区党委/第一网格党支部")
        group = _id(session, "幸福里社区党委/第一网格党支部/1号楼党小组")
        with pytest.raises(AppError, match="不能把“第一网格党支部”移到它自己或它的下级组织之下"):
            orgs.move(session, branch, group)
        with pytest.raises(AppError, match="移到它自己"):
            orgs.move(session, branch, branch)
        root = _id(session, "幸福里社区党委")
        with pytest.raises(AppError, match="顶层党组织不能移动"):
            orgs.move(session, root, branch)


def test_move_takes_the_subtree_and_keeps_sibling_order(tree_database):
    with tree_database.unit_of_work() as session:
        group = _id(session, "幸福里社区党委/第一网格党支部/1号楼党小组")
        target = _id(session, "幸福里社区党委/第二网格党支部")
        orgs.move(session, group, target, 0)
    with tree_database.read() as session:
        moved = orgs.get(session, group)
        assert moved.path == "幸福里社区党委/第二网格党支部/1号楼党小组"
        names = [orgs.get(session, c).name for c in orgs.get(session, target).child_ids]
        assert names == ["1号楼党小组", "4号楼党小组", "5号楼党小组", "6号楼党小组"]
        assert orgs.position(session, group) == (target, 0)
        assert "从“第一网格党支部”移到“第二网格党支部”" in audit.entries(session, "orgs", group)[-1].detail


def test_reorder_within_parent(tree_database):
    with tree_database.unit_of_work() as session:
        parent = _id(session, "幸福里社区党委/第一网格党支部")
        third = _id(session, "幸福里社区党委/第一网格党支部/3号楼党小组")
        orgs.move(session, third, parent, 0)
    with tree_database.read() as session:
        names = [orgs.get(session, c).name for c in orgs.get(session, parent).child_ids]
    assert names == ["3号楼党小组", "1号楼党小组", "2号楼党小组"]


def test_move_refuses_a_name_clash_under_the_new_parent(tree_database):
    with tree_database.unit_of_work() as session:
        group = _id(session, "幸福里社区党委/离退休党员党支部/老干部党小组")
        first = _id(session, "幸福里社区党委/第一网格党支部")
        orgs.create(session, first, OrgInput("老干部党小组", "党小组"))
        with pytest.raises(AppError, match="请先改名"):
            orgs.move(session, group, first)


def test_dissolve_needs_children_moved_first_and_keeps_history(tree_database):
    with tree_database.unit_of_work() as session:
        branch = _id(session, "幸福里社区党委/第一网格党支部")
        with pytest.raises(AppError, match="还有 3 个下级组织（1号楼党小组、2号楼党小组、3号楼党小组）"):
            orgs.dissolve(session, branch, TODAY, "网格调整", today=TODAY)
        leaf = _id(session, "幸福里社区党委/第一网格党支部/3号楼党小组")
        with pytest.raises(ValidationError) as caught:
            orgs.dissolve(session, leaf, date(2027, 1, 1), " ", today=TODAY)
        assert caught.value.errors == {"dissolved_on": "撤销日期不能晚于今天。", "dissolved_reason": "请填写撤销原因。"}
        orgs.dissolve(session, leaf, TODAY, "楼栋拆除", today=TODAY)
    with tree_database.read() as session:
        assert leaf not in {n.id for n in orgs.list_tree(session)}
        kept = orgs.get(session, leaf)
        assert kept.dissolved_on == TODAY and kept.dissolved_reason == "楼栋拆除"
    with tree_database.unit_of_work() as session:
        orgs.reinstate(session, leaf)
    with tree_database.read() as session:
        assert orgs.get(session, leaf).active
        assert [e.action for e in audit.entries(session, "orgs", leaf)][-2:] == ["撤销", "恢复"]


def test_a_dissolved_name_can_be_reused(tree_database):
    with tree_database.unit_of_work() as session:
        leaf = _id(session, "幸福里社区党委/第一网格党支部/3号楼党小组")
        parent = _id(session, "幸福里社区党委/第一网格党支部")
        orgs.dissolve(session, leaf, TODAY, "重组", today=TODAY)
        orgs.create(session, parent, OrgInput("3号楼党小组", "党小组"))
        with pytest.raises(AppError, match="已有同名组织"):
            orgs.reinstate(session, leaf)


def test_terms_due_and_counts(tree_database):
    with tree_database.read() as session:
        due = orgs.terms_due(session, TODAY)
        counts = orgs.count_by_kind(session)
    assert [(d.org.name, d.days_left) for d in due] == [("第二网格党支部", 45)]
    assert counts["党委"] == 1 and counts["联合党支部"] == 1 and counts["党小组"] >= 10
    with tree_database.read() as session:
        later = orgs.terms_due(session, date(2027, 2, 1))
    assert later[0].overdue and later[0].days_left == -26


def test_default_term_end_handles_29_february():
    assert orgs.default_term_end(date(2024, 2, 29)) == date(2029, 2, 28)
    assert orgs.default_term_end(date(2024, 3, 1)) == date(2029, 3, 1)
    assert orgs.default_term_end(None) is None


def test_settings_validation_and_community_creation(database):
    bad = settings.CommunitySettings(community_name=" ", community_code="11-01")
    assert settings.validate(bad) == {
        "community_name": "请填写社区名称。", "community_code": "社区代码只能包含字母和数字。"
    }
    with database.unit_of_work() as session:
        changes = settings.create_community(
            session, settings.CommunitySettings("和平里社区", "110105002", "中共和平里社区委员会", "李娜"),
            "和平里社区党总支", "党总支",
        )
        assert changes.orgs and changes.settings
    with database.read() as session:
        assert settings.load(session).operator_name == "李娜"
        assert [n.path for n in orgs.list_tree(session)] == ["和平里社区党总支"]
    with database.unit_of_work() as session, pytest.raises(ValidationError, match="已经建立了社区"):
        settings.create_community(session, settings.CommunitySettings("x"), "x党委")


def test_tree_rank_follows_every_change_in_pre_order(tree_database):
    from sqlalchemy import select

    from db.models import Organization

    def ranks_match(session) -> bool:
        stored = dict(session.execute(select(Organization.id, Organization.tree_rank)).all())
        walk = [n.id for n in orgs.list_tree(session, include_dissolved=True)]
        return sorted(walk, key=stored.__getitem__) == walk

    with tree_database.unit_of_work() as session:
        assert ranks_match(session)
        group = _id(session, "幸福里社区党委/第一网格党支部/1号楼党小组")
        orgs.move(session, group, _id(session, "幸福里社区党委/流动党员党支部"))
        assert ranks_match(session)
        new_id, _ = orgs.create(session, _id(session, "幸福里社区党委/第一网格党支部"), OrgInput("新党小组", "党小组"))
        assert ranks_match(session)
        orgs.remove_created(session, new_id)
        assert ranks_match(session)


def test_a_host_of_inflow_members_cannot_be_dissolved_or_its_creation_undone(tree_database):
    from db.models import InflowMember

    with tree_database.unit_of_work() as session:
        leaf = _id(session, "幸福里社区党委/第一网格党支部/3号楼党小组")
        session.add(InflowMember(name="孙流入", arrived_on=date(2026, 5, 1), host_org_id=leaf, home_org="河南省某村党支部"))
    with tree_database.unit_of_work() as session:
        with pytest.raises(AppError, match="还联系着 1 名流入党员"):
            orgs.dissolve(session, leaf, TODAY, "楼栋拆除", today=TODAY)
        with pytest.raises(AppError, match="已有流入党员，不能撤回它的新建"):
            orgs.remove_created(session, leaf)
    # once the inflow member has moved away, the group can go
    with tree_database.unit_of_work() as session:
        session.query(InflowMember).update({"left_on": date(2026, 11, 1)})
    with tree_database.unit_of_work() as session:
        orgs.dissolve(session, leaf, TODAY, "楼栋拆除", today=TODAY)
