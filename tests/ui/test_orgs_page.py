"""党组织: the tree model, creating, moving (drag and drop and 移动到…), undo, dissolving, details."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QPushButton

from app import orgs
from tests.ui.chinese_input import type_text
from ui.orgs.dialogs import DissolveDialog, MoveDialog, OrgDialog
from ui.orgs.tree_model import MIME_TYPE, OrgTreeModel

ROOT = "幸福里社区党委"
GRID1 = f"{ROOT}/第一网格党支部"
GRID2 = f"{ROOT}/第二网格党支部"
GRID3 = f"{ROOT}/第三网格党支部"
BUILDING1 = f"{GRID1}/1号楼党小组"
MOVE = Qt.DropAction.MoveAction
FATAL = QAbstractItemModelTester.FailureReportingMode.Fatal


def org_id(database, path: str) -> int:
    with database.read() as session:
        return orgs.find_by_path(session, path).id


def db_node(database, node_id: int) -> orgs.OrgNode:
    with database.read() as session:
        return orgs.get(session, node_id)


def child_ids(model: OrgTreeModel, parent_id: int) -> list[int]:
    parent = model.index_of(parent_id)
    return [model.node(model.index(row, 0, parent)).id for row in range(model.rowCount(parent))]


def parent_id_in_tree(model: OrgTreeModel, node_id: int) -> int | None:
    parent = model.index_of(node_id).parent()
    return model.node(parent).id if parent.isValid() else None


def ok_button(dialog) -> QPushButton:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


@pytest.fixture
def page(qtbot, demo_window):
    demo_window.show_page("orgs")
    page = demo_window.pages["orgs"]
    # Every targeted edit the page makes to its model is checked by Qt's model tester as it happens.
    page.model_tester = QAbstractItemModelTester(page.model, FATAL, page)
    return page


# ---------------------------------------------------------------- the model


def test_tree_model_passes_the_model_tester_through_targeted_edits(tree_database):
    with tree_database.read() as session:
        nodes = orgs.list_tree(session)
    by_path = {n.path: n for n in nodes}
    model = OrgTreeModel(mover=lambda *_args: True)
    tester = QAbstractItemModelTester(model, FATAL, model)
    model.set_nodes(nodes)
    assert model.rowCount() == 1
    assert len(model.ids()) == 28
    root, grid1, grid3 = by_path[ROOT], by_path[GRID1], by_path[GRID3]
    grid4 = by_path[f"{ROOT}/第四网格党支部"]

    # insert
    new = replace(by_path[BUILDING1], id=999, name="新党小组", path=f"{GRID1}/新党小组", child_ids=())
    model.insert_node(new)
    assert child_ids(model, grid1.id)[-1] == 999
    # move to another parent, at the top
    model.move_node(999, grid3.id, 0)
    assert child_ids(model, grid3.id)[0] == 999 and 999 not in child_ids(model, grid1.id)
    # move down and up among the same siblings, and to the end
    first, second, third = child_ids(model, grid4.id)
    model.move_node(first, grid4.id, 2)
    assert child_ids(model, grid4.id) == [second, third, first]
    model.move_node(first, grid4.id, 0)
    assert child_ids(model, grid4.id) == [first, second, third]
    model.move_node(second, grid4.id, 99)
    assert child_ids(model, grid4.id) == [first, third, second]
    # moving a node to where it is changes nothing
    model.move_node(first, grid4.id, 0)
    assert child_ids(model, grid4.id) == [first, third, second]
    # a whole branch under another
    model.move_node(grid4.id, grid1.id, 1)
    assert parent_id_in_tree(model, grid4.id) == grid1.id
    assert parent_id_in_tree(model, first) == grid4.id
    # update
    model.update_node(replace(grid3, name="第三网格联合党支部"))
    assert model.index_of(grid3.id).data() == "第三网格联合党支部"
    # remove a branch with its children
    model.remove_node(grid1.id)
    assert not model.index_of(grid1.id).isValid()
    assert not model.index_of(grid4.id).isValid() and not model.index_of(first).isValid()
    assert grid1.id not in child_ids(model, root.id)
    # and a reset
    model.set_nodes(nodes)
    assert len(model.ids()) == 28
    del tester


def test_mime_data_carries_the_dragged_id(tree_database):
    with tree_database.read() as session:
        nodes = orgs.list_tree(session)
    model = OrgTreeModel(mover=lambda *_args: True)
    model.set_nodes(nodes)
    building = org_id(tree_database, BUILDING1)
    mime = model.mimeData([model.index_of(building)])
    assert mime.hasFormat(MIME_TYPE)
    assert OrgTreeModel.dragged_ids(mime) == [building]
    top = model.index_of(org_id(tree_database, ROOT))
    assert not model.flags(top) & Qt.ItemFlag.ItemIsDragEnabled  # the top organisation stays put
    assert model.flags(top) & Qt.ItemFlag.ItemIsDropEnabled


# ---------------------------------------------------------------- creating


def test_new_child_through_the_dialog(qtbot, page, tree_database, monkeypatch):
    # GIVEN the top organisation selected
    root = org_id(tree_database, ROOT)
    page.select_org(root)
    seen: dict[str, object] = {}

    def user_fills_in(dialog: OrgDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.findChild(QLabel, "parentPath").text() == ROOT
        assert dialog.kind.currentText() == "党支部"
        assert not ok_button(dialog).isEnabled()  # nothing typed yet
        # WHEN the user types the name of an existing sibling
        type_text(qtbot, dialog.name, "第二网格党支部")
        error = dialog.findChild(QLabel, "nameError")
        # THEN the form names the problem and OK is off
        assert error.isVisible()
        assert "已有名为“第二网格党支部”" in error.text()
        assert not ok_button(dialog).isEnabled()
        seen["error"] = error.text()
        # WHEN the name is corrected
        dialog.name.clear()
        type_text(qtbot, dialog.name, "第七网格党支部")
        type_text(qtbot, dialog.place, "第七网格")
        assert not error.isVisible()
        assert ok_button(dialog).isEnabled()
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(OrgDialog, "exec", user_fills_in)
    with qtbot.waitSignal(page.changed):
        page.actions_["new"].trigger()

    assert "error" in seen
    # THEN the new branch is in the database under the top organisation …
    with tree_database.read() as session:
        created = orgs.find_by_path(session, f"{ROOT}/第七网格党支部")
    assert created.kind == "党支部" and created.place == "第七网格" and created.parent_id == root
    # … and in the tree, as the last child, selected, with its details shown
    assert child_ids(page.model, root)[-1] == created.id
    assert page.selected().id == created.id
    assert page.detail_labels["path"].text() == f"{ROOT}/第七网格党支部"


def test_new_form_does_not_scold_before_typing(qtbot, page, tree_database):
    dialog = OrgDialog(page._validator(org_id(tree_database, ROOT), None), parent_path=ROOT, parent=page)
    qtbot.addWidget(dialog)
    dialog.show()
    error = dialog.findChild(QLabel, "nameError")
    assert not error.isVisible() and not ok_button(dialog).isEnabled()
    type_text(qtbot, dialog.name, "x")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Backspace)
    assert error.isVisible() and error.text() == "请填写组织名称。"


def test_creating_can_be_undone_and_redone(qtbot, page, tree_database, monkeypatch):
    grid3 = org_id(tree_database, GRID3)
    page.select_org(grid3)

    def user_fills_in(dialog: OrgDialog) -> int:
        type_text(qtbot, dialog.name, "20号楼党小组")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(OrgDialog, "exec", user_fills_in)
    page.actions_["new"].trigger()
    created = org_id(tree_database, f"{GRID3}/20号楼党小组")
    # WHEN the user presses Ctrl+Z
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    # THEN the new group is gone from the database and the tree
    with tree_database.read() as session, pytest.raises(orgs.NotFoundError):
        orgs.get(session, created)
    assert created not in page.model.ids()
    # and redo brings it back under the same id, so later steps still find it
    qtbot.keyClick(page.view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert db_node(tree_database, created).path == f"{GRID3}/20号楼党小组"
    assert created in child_ids(page.model, grid3)


def test_new_child_of_a_branch_defaults_to_a_group(qtbot, page, tree_database, monkeypatch):
    page.select_org(org_id(tree_database, GRID3))
    kinds = []

    def cancel(dialog):
        kinds.append(dialog.kind.currentText())
        return 0

    monkeypatch.setattr(OrgDialog, "exec", cancel)
    page.actions_["new"].trigger()
    assert kinds == ["党小组"]
    assert len(page.model.ids()) == 28  # cancelled: nothing added


# ---------------------------------------------------------------- moving


@pytest.mark.parametrize(("row", "expected_index"), [(0, 0), (-1, 2)])
def test_drop_moves_a_building_group_to_another_grid(page, tree_database, row, expected_index):
    # GIVEN 1号楼党小组 under 第一网格党支部
    building = org_id(tree_database, BUILDING1)
    grid1, grid3 = org_id(tree_database, GRID1), org_id(tree_database, GRID3)
    model = page.model
    target = model.index_of(grid3)
    mime = model.mimeData([model.index_of(building)])
    assert model.canDropMimeData(mime, MOVE, row, 0, target)

    # WHEN it is dropped on 第三网格党支部 (at the top, or onto the item itself: at the end)
    model.dropMimeData(mime, MOVE, row, 0, target)

    # THEN the database has it there …
    moved = db_node(tree_database, building)
    assert moved.parent_id == grid3
    assert moved.path == f"{GRID3}/1号楼党小组"
    with tree_database.read() as session:
        assert orgs.position(session, building) == (grid3, expected_index)
        assert len(orgs.get(session, grid1).child_ids) == 2
    # … and so does the tree, with the new path
    assert parent_id_in_tree(model, building) == grid3
    assert child_ids(model, grid3)[expected_index] == building
    assert building not in child_ids(model, grid1)
    assert model.index_of(building).data(Qt.ItemDataRole.ToolTipRole) == f"{GRID3}/1号楼党小组"
    assert page.selected().id == building


def test_drop_is_refused_onto_the_node_itself_or_its_descendants(page, tree_database):
    model = page.model
    grid1 = org_id(tree_database, GRID1)
    mime = model.mimeData([model.index_of(grid1)])
    assert not model.canDropMimeData(mime, MOVE, -1, 0, model.index_of(grid1))
    assert not model.canDropMimeData(mime, MOVE, -1, 0, model.index_of(org_id(tree_database, BUILDING1)))
    assert not model.canDropMimeData(mime, MOVE, 0, 0, QModelIndex())  # no second top organisation
    assert not model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, model.index_of(org_id(tree_database, GRID3)))
    assert model.canDropMimeData(mime, MOVE, -1, 0, model.index_of(org_id(tree_database, GRID3)))
    # a refused drop changes nothing
    assert not model.dropMimeData(mime, MOVE, -1, 0, model.index_of(org_id(tree_database, BUILDING1)))
    assert db_node(tree_database, grid1).parent_id == org_id(tree_database, ROOT)
    assert page.undo_stack.count() == 0


def test_move_dialog_disables_the_node_its_descendants_and_its_parent(qtbot, tree_database):
    with tree_database.read() as session:
        nodes = orgs.list_tree(session)
    moving = next(n for n in nodes if n.path == GRID1)
    dialog = MoveDialog(nodes, moving)
    qtbot.addWidget(dialog)
    model = dialog.model
    disabled = {moving.id, *moving.child_ids, moving.parent_id}
    for node_id in disabled:
        assert model.flags(model.index_of(node_id)) == Qt.ItemFlag.NoItemFlags, node_id
        assert model.index_of(node_id).data(Qt.ItemDataRole.ForegroundRole) is not None  # shown grey
    grid3 = org_id(tree_database, GRID3)
    assert model.flags(model.index_of(grid3)) & Qt.ItemFlag.ItemIsSelectable
    assert not ok_button(dialog).isEnabled()
    assert dialog.chosen_parent_id() is None

    dialog.view.setCurrentIndex(model.index_of(grid3))
    assert dialog.chosen_parent_id() == grid3
    assert ok_button(dialog).isEnabled()


def test_move_dialog_opens_with_nothing_chosen_and_follows_the_arrow_keys(qtbot, tree_database):
    with tree_database.read() as session:
        nodes = orgs.list_tree(session)
    moving = next(n for n in nodes if n.path == GRID1)
    # GIVEN the dialog just opened (its tree has the focus)
    dialog = MoveDialog(nodes, moving)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.view.hasFocus() or dialog.focusWidget() is dialog.view
    # THEN nothing is chosen yet, and Enter does not move the node anywhere
    assert dialog.chosen_parent_id() is None
    assert not ok_button(dialog).isEnabled()
    qtbot.keyClick(dialog.view, Qt.Key.Key_Return)
    assert dialog.result() == 0 and dialog.isVisible()
    # WHEN the user walks the tree with the arrow keys
    qtbot.keyClick(dialog.view, Qt.Key.Key_Down)
    # THEN the row reached is chosen, and the disabled rows are skipped on the way back up
    assert dialog.chosen_parent_id() == org_id(tree_database, f"{GRID2}/4号楼党小组")
    assert ok_button(dialog).isEnabled()
    qtbot.keyClick(dialog.view, Qt.Key.Key_Up)
    assert dialog.chosen_parent_id() == org_id(tree_database, GRID2)
    qtbot.keyClick(dialog.view, Qt.Key.Key_Up)
    assert dialog.chosen_parent_id() == org_id(tree_database, GRID2)
    qtbot.keyClick(dialog.view, Qt.Key.Key_Return)
    assert dialog.result() == 1


def test_move_to_by_keyboard_and_undo_with_ctrl_z(qtbot, page, tree_database, monkeypatch):
    # GIVEN 1号楼党小组 selected
    building = org_id(tree_database, BUILDING1)
    grid1, grid3 = org_id(tree_database, GRID1), org_id(tree_database, GRID3)
    page.select_org(building)

    def user_picks_grid3(dialog: MoveDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        model = dialog.model
        assert model.flags(model.index_of(building)) == Qt.ItemFlag.NoItemFlags
        assert model.flags(model.index_of(grid1)) == Qt.ItemFlag.NoItemFlags  # where it is now
        dialog.view.setCurrentIndex(model.index_of(grid3))
        qtbot.keyClick(dialog.view, Qt.Key.Key_Return)
        return dialog.result()

    monkeypatch.setattr(MoveDialog, "exec", user_picks_grid3)
    # WHEN the user chooses 移动到… and picks 第三网格党支部
    page.actions_["move"].trigger()

    # THEN it is the last child of 第三网格党支部, in the database and in the tree
    with tree_database.read() as session:
        assert orgs.position(session, building) == (grid3, 2)
    assert child_ids(page.model, grid3)[-1] == building
    assert page.undo_stack.count() == 1

    # WHEN the user presses Ctrl+Z in the tree
    page.window().activateWindow()
    qtbot.waitUntil(page.window().isActiveWindow)
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    # THEN the move is undone in the database and in the tree
    with tree_database.read() as session:
        assert orgs.position(session, building) == (grid1, 0)
    assert child_ids(page.model, grid1)[0] == building
    assert building not in child_ids(page.model, grid3)
    assert page.undo_stack.canRedo()


def test_up_and_down_reorder_siblings(page, tree_database):
    grid1 = org_id(tree_database, GRID1)
    first, second, third = db_node(tree_database, grid1).child_ids
    page.select_org(first)
    page.actions_["down"].trigger()
    assert db_node(tree_database, grid1).child_ids == (second, first, third)
    assert child_ids(page.model, grid1) == [second, first, third]
    page.actions_["up"].trigger()
    page.actions_["up"].trigger()  # already first: nothing happens
    assert db_node(tree_database, grid1).child_ids == (first, second, third)
    assert child_ids(page.model, grid1) == [first, second, third]


# ---------------------------------------------------------------- dissolving


def test_dissolving_a_node_with_children_is_refused(page, tree_database, monkeypatch, message_boxes):
    # GIVEN 第一网格党支部, which still has three building groups
    grid1 = org_id(tree_database, GRID1)
    page.select_org(grid1)
    monkeypatch.setattr(DissolveDialog, "exec", lambda _self: pytest.fail("the dialog must not open"))

    # WHEN the user asks to dissolve it
    page.actions_["dissolve"].trigger()

    # THEN a warning explains why, and nothing changed
    assert [(kind, title) for kind, title, _ in message_boxes] == [("warning", "撤销组织")]
    assert "还有 3 个下级组织" in message_boxes[0][2]
    node = db_node(tree_database, grid1)
    assert node.active and len(node.child_ids) == 3
    assert page.model.index_of(grid1).isValid() and len(child_ids(page.model, grid1)) == 3


def test_dissolving_a_leaf_and_showing_dissolved_nodes(qtbot, page, tree_database, monkeypatch):
    # GIVEN 1号楼党小组 selected
    building = org_id(tree_database, BUILDING1)
    page.select_org(building)

    def user_gives_a_reason(dialog: DissolveDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        confirm = dialog.findChild(QPushButton, "confirmDissolve")
        assert not confirm.isEnabled()  # the reason is required
        type_text(qtbot, dialog.reason, "  ")
        assert not confirm.isEnabled()  # blanks are no reason
        type_text(qtbot, dialog.reason, "网格调整，并入第二网格")
        assert confirm.isEnabled()
        qtbot.mouseClick(confirm, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(DissolveDialog, "exec", user_gives_a_reason)
    # WHEN the user dissolves it
    with qtbot.waitSignal(page.changed):
        page.actions_["dissolve"].trigger()

    # THEN it is gone from the tree and marked in the database
    assert not page.model.index_of(building).isValid()
    node = db_node(tree_database, building)
    assert node.dissolved_on == date.today()
    assert node.dissolved_reason == "网格调整，并入第二网格"
    assert page.summary.text() == "共 27 个党组织"

    # WHEN 显示已撤销 is ticked
    qtbot.mouseClick(page.show_dissolved, Qt.MouseButton.LeftButton)
    assert page.show_dissolved.isChecked()

    # THEN it is back, marked （已撤销）, and can be reinstated
    index = page.model.index_of(building)
    assert index.isValid()
    assert index.data() == "1号楼党小组（已撤销）"
    page.select_org(building)
    assert page.detail_labels["status"].text().endswith("撤销：网格调整，并入第二网格")
    assert page.actions_["reinstate"].isEnabled()
    assert not page.actions_["dissolve"].isEnabled()
    page.actions_["reinstate"].trigger()
    assert db_node(tree_database, building).active
    assert page.model.index_of(building).data() == "1号楼党小组"


# ---------------------------------------------------------------- details


def test_details_show_the_path_and_the_change_log(page, tree_database):
    building = org_id(tree_database, BUILDING1)
    # GIVEN 1号楼党小组 selected
    page.select_org(building)
    assert page.detail_labels["path"].text() == BUILDING1
    assert page.detail_labels["kind"].text() == "党小组"
    history = [page.history.item(row).text() for row in range(page.history.count())]
    assert len(history) == 1 and "新建" in history[0] and "社区党委办公室" in history[0]

    # WHEN it is moved to 第三网格党支部 while selected
    assert page.move_to(building, org_id(tree_database, GRID3), 0)

    # THEN the details show the new path and the move, newest first
    assert page.detail_labels["path"].text() == f"{GRID3}/1号楼党小组"
    history = [page.history.item(row).text() for row in range(page.history.count())]
    assert "移动" in history[0] and "从“第一网格党支部”移到“第三网格党支部”" in history[0]
    assert "新建" in history[-1]


def test_details_show_the_term_of_a_branch(page, tree_database):
    page.select_org(org_id(tree_database, GRID2))
    assert "还有" in page.detail_labels["term"].text() or "逾期" in page.detail_labels["term"].text()
    assert page.detail_labels["committee"].text().startswith("书记：")
