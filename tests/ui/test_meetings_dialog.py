"""组织生活登记: the attendee checklist (tick, untick, filter, select all), live checks, saving."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QAbstractItemModelTester

from app import meetings, members, orgs, pinyin
from app.errors import ValidationError
from app.idcard import check_code
from app.meetings import INFLOW, MEMBER, Candidate, MeetingInput
from app.members import MemberInput
from db.models import InflowMember
from tests.ui.chinese_input import type_text
from ui.common import ui_settings
from ui.meetings.dialog import LAST_ORG_KEY, AttendeeModel, Column, MeetingDialog, open_meeting_dialog

FATAL = QAbstractItemModelTester.FailureReportingMode.Fatal
GRID1 = "幸福里社区党委/第一网格党支部"
GRID2 = "幸福里社区党委/第二网格党支部"
TODAY = date.today()


def make_id(birth: str, seq: str) -> str:
    first17 = "110105" + birth + seq
    return first17 + check_code(first17)


@pytest.fixture
def people(tree_database) -> dict[str, int]:
    """第一网格: 张建国, 李秀英, 王芳, 王小明 and 陈流入 (inflow, here for a year), 刘明天 arriving in
    three days' time is not listed yet; 第二网格: 赵敏."""
    ids = {}
    with tree_database.unit_of_work() as session:
        grid1, grid2 = (orgs.find_by_path(session, p).id for p in (GRID1, GRID2))
        ids["grid1"], ids["grid2"] = grid1, grid2
        for n, (name, org) in enumerate((("张建国", grid1), ("李秀英", grid1), ("王芳", grid1), ("王小明", grid1),
                                         ("赵敏", grid2))):
            ids[name], _ = members.create(session, MemberInput(
                name=name, id_number=make_id(f"19{70 + n}0301", f"12{n}"), org_id=org,
                joined_on=date(1995, 7, 1), category="正式党员", confirmed_on=date(1996, 7, 1)))
        for name, arrived in (("陈流入", TODAY - timedelta(days=365)), ("刘明天", TODAY + timedelta(days=3))):
            row = InflowMember(name=name, name_sort=pinyin.sort_key(name), arrived_on=arrived, host_org_id=grid1, sex="男",
                               id_number="", category="", mobile="", home_org="外地某党支部", home_org_contact="",
                               certificate_kind="", certificate_no="", building="", unit="", address="",
                               employer="", left_reason="", note="")
            session.add(row)
            session.flush()
            ids[name] = row.id
    return ids


def run_dialog(monkeypatch, user, database, **kwargs):
    """Open the dialog through the one-line helper; ``user`` acts on it in place of the event loop."""
    seen = {}

    def fake_exec(dialog: MeetingDialog) -> bool:
        seen["dialog"] = dialog
        return user(dialog)

    monkeypatch.setattr(MeetingDialog, "exec", fake_exec)
    changes = open_meeting_dialog(None, database, **kwargs)
    return changes, seen["dialog"]


def listed(dialog: MeetingDialog) -> list[tuple[str, bool]]:
    """(name, ticked) of each row the filter shows."""
    proxy = dialog.proxy
    return [(proxy.data(proxy.index(r, 0), AttendeeModel.NameRole),
             proxy.data(proxy.index(r, 0), Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked)
            for r in range(proxy.rowCount())]


def click_check_box(qtbot, dialog: MeetingDialog, row: int) -> None:
    """Click the check box of a visible row, as a user does."""
    rect = dialog.list.visualRect(dialog.proxy.index(row, 0))
    qtbot.mouseClick(dialog.list.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 10, rect.center().y()))


# ---------------------------------------------------------------- the model


def test_attendee_model_passes_the_model_tester():
    model = AttendeeModel()
    QAbstractItemModelTester(model, FATAL)
    rows = [Candidate(MEMBER, 1, "张建国", 2, "第一网格党支部"), Candidate(INFLOW, 1, "陈流入", 2, "第一网格党支部")]
    model.set_candidates(rows)
    assert model.rowCount() == 2 and model.checked_ids() == ([1], [1])
    assert model.data(model.index(1)) == "陈流入（流入党员）"
    assert model.data(model.index(1, Column.ORG)) == "第一网格党支部"
    assert model.setData(model.index(0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert model.checked_ids() == ([], [1])
    assert not model.setData(model.index(0), "x", Qt.ItemDataRole.EditRole)
    model.set_rows_checked([0, 1], False)
    assert model.checked_ids() == ([], [])
    # a person keeps their tick across a reload; people new to the list get the default
    model.set_candidates([*rows, Candidate(MEMBER, 3, "王芳", 2, "第一网格党支部")])
    assert model.checked_ids() == ([3], [])
    model.set_candidates([])
    assert model.rowCount() == 0


# ---------------------------------------------------------------- the checklist


def test_everyone_listed_is_ticked_and_a_click_unticks(qtbot, monkeypatch, tree_database, people):
    def user(dialog: MeetingDialog) -> bool:
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        # GIVEN the dialog opened on 第一网格 today
        assert dialog.windowTitle() == "组织生活登记"
        assert listed(dialog) == [("陈流入", True), ("李秀英", True), ("王芳", True), ("王小明", True),
                                  ("张建国", True)]
        assert dialog.count.text() == "出席 5 人，缺席 0 人"
        # WHEN the user clicks 李秀英's check box, then presses space on 王芳
        click_check_box(qtbot, dialog, 1)
        dialog.list.setCurrentIndex(dialog.proxy.index(2, 0))
        qtbot.keyClick(dialog.list, Qt.Key.Key_Space)
        # THEN both are unticked
        assert [name for name, ticked in listed(dialog) if not ticked] == ["李秀英", "王芳"]
        assert dialog.count.text() == "出席 3 人，缺席 2 人（已说明原因 0 人）"
        assert dialog.attendee_ids() == ([people["王小明"], people["张建国"]], [people["陈流入"]])
        return False

    changes, _dialog = run_dialog(monkeypatch, user, tree_database, org_id=people["grid1"])
    assert changes is None


def test_the_filter_narrows_by_name_and_select_all_acts_on_what_it_shows(qtbot, monkeypatch, tree_database,
                                                                         people):
    def user(dialog: MeetingDialog) -> bool:
        type_text(qtbot, dialog.filter, "王")
        assert listed(dialog) == [("王芳", True), ("王小明", True)]
        assert dialog.count.text() == "出席 5 人，缺席 0 人；筛选出 2 人"
        qtbot.mouseClick(dialog.select_none, Qt.MouseButton.LeftButton)
        assert dialog.count.text() == "出席 3 人，缺席 2 人（已说明原因 0 人）；筛选出 2 人"
        dialog.filter.clear()
        assert listed(dialog) == [("陈流入", True), ("李秀英", True), ("王芳", False), ("王小明", False),
                                  ("张建国", True)]
        qtbot.mouseClick(dialog.select_none, Qt.MouseButton.LeftButton)
        assert dialog.count.text() == "出席 0 人，缺席 4 人（已说明原因 0 人），流入党员未到 1 人"
        assert not dialog.ok.isEnabled()
        assert dialog.errors["attendees"].text() == "请至少选择一名参会人员。"
        type_text(qtbot, dialog.filter, "张")
        qtbot.mouseClick(dialog.select_all, Qt.MouseButton.LeftButton)
        assert dialog.attendee_ids() == ([people["张建国"]], [])
        assert dialog.errors["attendees"].isHidden()
        return False

    run_dialog(monkeypatch, user, tree_database, org_id=people["grid1"])


def test_another_day_or_organisation_reloads_the_list_and_keeps_the_ticks(qtbot, monkeypatch, tree_database,
                                                                         people):
    def user(dialog: MeetingDialog) -> bool:
        testers = [QAbstractItemModelTester(dialog.model, FATAL), QAbstractItemModelTester(dialog.proxy, FATAL)]
        dialog.model.set_rows_checked([1], False)  # 李秀英
        # a meeting two years ago: 陈流入 had not come yet
        dialog.held_on.setDate(dialog.held_on.date().addYears(-2))
        assert [name for name, _ in listed(dialog)] == ["李秀英", "王芳", "王小明", "张建国"]
        dialog.held_on.setDate(dialog.held_on.date().addYears(2))
        assert ("李秀英", False) in listed(dialog) and ("陈流入", True) in listed(dialog)
        dialog.org.setCurrentIndex(dialog.org.findData(people["grid2"]))
        assert listed(dialog) == [("赵敏", True)]
        dialog.filter.setText("赵")
        assert len(testers) == 2
        return False

    run_dialog(monkeypatch, user, tree_database, org_id=people["grid1"])


def test_saving_through_the_dialog(qtbot, monkeypatch, tree_database, people):
    def user(dialog: MeetingDialog) -> bool:
        # 保存 stays disabled until a topic is written
        assert not dialog.ok.isEnabled()
        assert dialog.errors["topic"].text() == "请填写会议主题。"
        dialog.kind.setCurrentText("主题党日")
        type_text(qtbot, dialog.topic, "重温入党誓词")
        type_text(qtbot, dialog.place, "社区党群服务中心")
        dialog.note.setPlainText("书记领誓。")
        click_check_box(qtbot, dialog, 0)  # 陈流入 was not there
        assert dialog.ok.isEnabled() and dialog.errors["topic"].isHidden()
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        return dialog.result() == MeetingDialog.DialogCode.Accepted

    changes, _dialog = run_dialog(monkeypatch, user, tree_database, org_id=people["grid1"])
    assert changes is not None and changes.meetings
    with tree_database.read() as session:
        [row] = meetings.list_meetings(session)
        data, member_ids, inflow_ids = meetings.load_meeting(session, row.id)
    assert (row.held_on, row.kind, row.topic, row.present) == (TODAY, "主题党日", "重温入党誓词", 4)
    assert (data.place, data.note) == ("社区党群服务中心", "书记领誓。")
    assert sorted(member_ids) == sorted(people[n] for n in ("张建国", "李秀英", "王芳", "王小明"))
    assert inflow_ids == []
    # the next meeting starts on the same organisation
    assert int(ui_settings().value(LAST_ORG_KEY)) == people["grid1"]
    _, dialog = run_dialog(monkeypatch, lambda d: False, tree_database)
    assert dialog.selected_org() == people["grid1"]


def test_preselected_member_starts_alone_on_their_organisation(monkeypatch, tree_database, people):
    def user(dialog: MeetingDialog) -> bool:
        assert dialog.selected_org() == people["grid2"]
        assert listed(dialog) == [("赵敏", True)]
        dialog.org.setCurrentIndex(dialog.org.findData(people["grid1"]))
        assert listed(dialog) == [("陈流入", False), ("李秀英", False), ("王芳", False), ("王小明", False),
                                  ("张建国", False)]
        return False

    run_dialog(monkeypatch, user, tree_database, preselect_member_ids=[people["赵敏"]])


def test_editing_a_meeting_shows_its_list(monkeypatch, tree_database, people):
    data = MeetingInput(org_id=people["grid1"], held_on=TODAY - timedelta(days=7), kind="党课", topic="党史学习")
    with tree_database.unit_of_work() as session:
        meeting_id, _ = meetings.record_meeting(session, data, [people["王芳"]], [people["陈流入"]])

    def user(dialog: MeetingDialog) -> bool:
        assert dialog.windowTitle() == "编辑组织生活"
        assert (dialog.topic.text(), dialog.kind.currentText()) == ("党史学习", "党课")
        assert [name for name, ticked in listed(dialog) if ticked] == ["陈流入", "王芳"]
        click_check_box_via_model(dialog, "张建国")
        dialog.ok.click()
        return dialog.result() == MeetingDialog.DialogCode.Accepted

    changes, _ = run_dialog(monkeypatch, user, tree_database, meeting_id=meeting_id)
    assert changes is not None and changes.meetings
    with tree_database.read() as session:
        _, member_ids, inflow_ids = meetings.load_meeting(session, meeting_id)
    assert (sorted(member_ids), inflow_ids) == (sorted([people["王芳"], people["张建国"]]), [people["陈流入"]])


def click_check_box_via_model(dialog: MeetingDialog, name: str) -> None:
    for row in range(dialog.model.rowCount()):
        if dialog.model.rows[row].name == name:
            dialog.model.setData(dialog.model.index(row), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)


def test_a_refused_save_keeps_the_dialog_open_with_the_reason(qtbot, tree_database, people):
    def refuse(*_args):
        raise ValidationError({"attendees": "“王芳”已于 2026-10-01 转出，不能登记参加该日的组织生活。"})

    def find(org_id, day):
        with tree_database.read() as session:
            return meetings.candidates(session, org_id, day)

    dialog = MeetingDialog([(people["grid1"], "第一网格党支部", 1)], find, lambda *_a: {}, saver=refuse)
    qtbot.addWidget(dialog)
    dialog.ok.click()
    assert dialog.result() != MeetingDialog.DialogCode.Accepted
    assert dialog.errors["attendees"].text().startswith("“王芳”已于 2026-10-01 转出")
    assert not dialog.ok.isEnabled()


def test_read_only_database_opens_nothing(monkeypatch, tree_database):
    monkeypatch.setattr(tree_database, "readonly", True)
    monkeypatch.setattr(MeetingDialog, "exec", lambda _d: pytest.fail("opened on a read-only database"))
    assert open_meeting_dialog(None, tree_database) is None


def test_renders_on_the_demo_community_without_clipping(qtbot, monkeypatch, demo_database, tmp_path):
    with demo_database.read() as session:
        grid1 = orgs.find_by_path(session, GRID1).id

    def user(dialog: MeetingDialog) -> bool:
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        type_text(qtbot, dialog.topic, "学习党的二十届四中全会精神")
        dialog.model.set_rows_checked([0, 2, 5], False)
        dialog.model.set_rows_reason([2], "外出务工（流动）")
        dialog.model.set_rows_reason([5], "病假")
        assert dialog.model.rowCount() > 30
        size, wanted = dialog.size(), dialog.minimumSizeHint()
        assert size.width() >= wanted.width() and size.height() >= wanted.height()
        for widget in (dialog.select_all, dialog.select_none, dialog.reason_button):
            assert widget.width() >= widget.sizeHint().width(), widget.objectName()
        assert dialog.count.height() >= dialog.count.heightForWidth(dialog.count.width())
        # the reason column shows the longest usual reason whole
        reason_width = dialog.list.columnWidth(Column.REASON)
        assert reason_width >= dialog.list.fontMetrics().horizontalAdvance("外出务工（流动）") + 8
        assert not dialog.grab().isNull() and dialog.grab().save(str(tmp_path / "meeting_dialog.png"))
        return False

    run_dialog(monkeypatch, user, demo_database, org_id=grid1)
    assert (tmp_path / "meeting_dialog.png").stat().st_size > 10_000


# ---------------------------------------------------------------- absences


def reasons(dialog: MeetingDialog) -> dict[str, str]:
    """name → the 缺席原因 cell as shown, of the unticked rows the filter shows."""
    proxy = dialog.proxy
    return {proxy.data(proxy.index(r, 0), AttendeeModel.NameRole): proxy.index(r, Column.REASON).data()
            for r in range(proxy.rowCount())
            if proxy.index(r, 0).data(Qt.ItemDataRole.CheckStateRole) != Qt.CheckState.Checked}


def absence_rows(database) -> dict[int, tuple[bool, str]]:
    from sqlalchemy import select

    from db.models import MeetingAttendee

    with database.read() as session:
        return {m: (p, r) for m, p, r in session.execute(
            select(MeetingAttendee.member_id, MeetingAttendee.present, MeetingAttendee.absence_reason)
            .where(MeetingAttendee.member_id.is_not(None)))}


def test_untick_two_give_one_a_reason_by_keyboard_save_and_reopen(qtbot, monkeypatch, tree_database, people):
    def user(dialog: MeetingDialog) -> bool:
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        type_text(qtbot, dialog.topic, "学习党章")
        # GIVEN the list in focus on 李秀英 (row 1)
        dialog.list.setFocus()
        dialog.list.setCurrentIndex(dialog.proxy.index(1, 0))
        # WHEN the user presses Space, ↓, Space (李秀英 and 王芳 unticked), ↑ and 1 (病假 for 李秀英)
        for key in (Qt.Key.Key_Space, Qt.Key.Key_Down, Qt.Key.Key_Space, Qt.Key.Key_Up, Qt.Key.Key_1):
            qtbot.keyClick(dialog.list, key)
        # THEN the two show in the 缺席原因 column, one with its reason, and the count says so
        assert reasons(dialog) == {"李秀英": "病假", "王芳": "未说明原因"}
        assert dialog.count.text() == "出席 3 人，缺席 2 人（已说明原因 1 人）"
        assert dialog.absences() == {people["李秀英"]: "病假", people["王芳"]: ""}
        # a ticked row has no reason to give: 1 on 张建国 changes nothing
        dialog.list.setCurrentIndex(dialog.proxy.index(4, 0))
        qtbot.keyClick(dialog.list, Qt.Key.Key_2)
        assert dialog.absences() == {people["李秀英"]: "病假", people["王芳"]: ""}
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        return dialog.result() == MeetingDialog.DialogCode.Accepted

    changes, _ = run_dialog(monkeypatch, user, tree_database, org_id=people["grid1"])
    assert changes is not None and changes.meetings
    # the database has the two absences, one with its reason
    rows = absence_rows(tree_database)
    assert {m: r for m, (present, r) in rows.items() if not present} == {people["李秀英"]: "病假", people["王芳"]: ""}
    assert sorted(m for m, (present, _) in rows.items() if present) == sorted(
        [people["张建国"], people["王小明"]])
    with tree_database.read() as session:
        [row] = meetings.list_meetings(session)

    # WHEN the meeting is opened again, the absences are shown with their reasons
    def reopen(dialog: MeetingDialog) -> bool:
        assert [name for name, ticked in listed(dialog) if not ticked] == ["李秀英", "王芳"]
        assert reasons(dialog) == {"李秀英": "病假", "王芳": "未说明原因"}
        assert dialog.count.text() == "出席 3 人，缺席 2 人（已说明原因 1 人）"
        return False

    run_dialog(monkeypatch, reopen, tree_database, meeting_id=row.id)


def test_the_reason_cell_edits_with_a_combo_box_and_free_text(qtbot, monkeypatch, tree_database, people):
    from PySide6.QtWidgets import QComboBox

    def user(dialog: MeetingDialog) -> bool:
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.model.set_rows_checked([2], False)  # 王芳
        ticked, unticked = dialog.proxy.index(1, Column.REASON), dialog.proxy.index(2, Column.REASON)
        assert not ticked.flags() & Qt.ItemFlag.ItemIsEditable
        assert unticked.flags() & Qt.ItemFlag.ItemIsEditable
        # WHEN the user presses F2 on 王芳's reason, types a reason of their own and Enter
        dialog.list.setFocus()
        dialog.list.setCurrentIndex(unticked)
        qtbot.keyClick(dialog.list, Qt.Key.Key_F2)
        editor = dialog.list.findChild(QComboBox, "absenceReasonEditor")
        assert editor is not None and editor.isEditable()
        assert [editor.itemText(i) for i in range(editor.count())] == ["", *meetings.ABSENCE_REASONS]
        editor.lineEdit().setText("  陪护住院家属 ")
        qtbot.keyClick(editor.lineEdit(), Qt.Key.Key_Return)  # the delegate commits on the next turn of the loop
        qtbot.waitUntil(lambda: reasons(dialog) == {"王芳": "陪护住院家属"})
        qtbot.waitUntil(lambda: dialog.list.findChild(QComboBox, "absenceReasonEditor") is None)  # closed
        # an item picked from the list is taken at once
        dialog.list.edit(unticked)
        editor = dialog.list.findChild(QComboBox, "absenceReasonEditor")
        assert editor.currentText() == "陪护住院家属"
        editor.setCurrentIndex(3)  # as a pick from the list does, then the signal it sends
        editor.activated.emit(3)
        assert reasons(dialog) == {"王芳": editor.itemText(3)} == {"王芳": "因公外出"}
        # Delete clears it
        qtbot.keyClick(dialog.list, Qt.Key.Key_Delete)
        assert reasons(dialog) == {"王芳": "未说明原因"}
        return False

    run_dialog(monkeypatch, user, tree_database, org_id=people["grid1"])


def test_a_reason_for_every_selected_row_and_space_on_a_selection(qtbot, monkeypatch, tree_database, people):
    def user(dialog: MeetingDialog) -> bool:
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.list.setFocus()
        dialog.list.setCurrentIndex(dialog.proxy.index(1, 0))
        # WHEN the user selects 李秀英 to 王小明 with Shift+↓ and presses Space
        qtbot.keyClick(dialog.list, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClick(dialog.list, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
        assert dialog.selected_rows() == [1, 2, 3]
        qtbot.keyClick(dialog.list, Qt.Key.Key_Space)
        # THEN all three are unticked, and the menu's 事假 goes to all three
        assert set(reasons(dialog)) == {"李秀英", "王芳", "王小明"}
        [leave] = [a for a in dialog.reason_menu.actions() if a.text().endswith("事假")]
        leave.trigger()
        assert reasons(dialog) == {"李秀英": "事假", "王芳": "事假", "王小明": "事假"}
        # 全选 ticks them again; their reasons no longer count
        qtbot.mouseClick(dialog.select_all, Qt.MouseButton.LeftButton)
        assert dialog.absences() == {} and dialog.count.text() == "出席 5 人，缺席 0 人"
        return False

    run_dialog(monkeypatch, user, tree_database, org_id=people["grid1"])


def test_a_committee_meeting_counts_only_absences_with_a_reason(qtbot, monkeypatch, tree_database, people):
    def user(dialog: MeetingDialog) -> bool:
        # GIVEN a 支部委员会: not every member's meeting
        dialog.kind.setCurrentText("支部委员会")
        type_text(qtbot, dialog.topic, "研究发展党员工作")
        dialog.model.set_rows_checked([0, 1, 2, 3], False)  # only 张建国 there
        assert reasons(dialog) == {"陈流入": "不计缺席", "李秀英": "不计缺席", "王芳": "不计缺席", "王小明": "不计缺席"}
        dialog.model.set_rows_reason([2], "病假")  # 王芳, a committee member, was ill
        assert dialog.absences() == {people["王芳"]: "病假"}
        assert dialog.count.text() == "出席 1 人，缺席 1 人（已说明原因 1 人），未填原因不计缺席 2 人，流入党员未到 1 人"
        # a meeting of all members again: every unticked member is absent
        dialog.kind.setCurrentText("支部党员大会")
        assert reasons(dialog)["李秀英"] == "未说明原因" and len(dialog.absences()) == 3
        dialog.kind.setCurrentText("支部委员会")
        dialog.ok.click()
        return dialog.result() == MeetingDialog.DialogCode.Accepted

    changes, _ = run_dialog(monkeypatch, user, tree_database, org_id=people["grid1"])
    assert changes is not None
    assert absence_rows(tree_database) == {people["张建国"]: (True, ""), people["王芳"]: (False, "病假")}


def test_a_refused_absence_is_shown_under_the_list(qtbot, tree_database, people):
    def find(org_id, day):
        with tree_database.read() as session:
            return meetings.candidates(session, org_id, day)

    def validate(value, member_ids, inflow_ids, absences):
        with tree_database.read() as session:
            return meetings.validate_meeting(session, value, member_ids, inflow_ids, absences=absences)[0]

    dialog = MeetingDialog([(people["grid1"], "第一网格党支部", 1)], find, validate)
    qtbot.addWidget(dialog)
    dialog.topic.setText("学习")
    dialog.model.set_rows_checked([1], False)
    dialog.model.set_rows_reason([1], "因" * meetings.ABSENCE_REASON_LIMIT)
    assert dialog.ok.isEnabled()
    dialog.model.reasons[dialog.model.key(dialog.model.rows[1])] = "因" * (meetings.ABSENCE_REASON_LIMIT + 1)
    assert not dialog.revalidate()
    assert dialog.errors["absences"].text() == f"“李秀英”的缺席原因超过 {meetings.ABSENCE_REASON_LIMIT} 个字。"


def test_another_reason_typed_for_the_selection(qtbot, monkeypatch, tree_database, people, message_boxes):
    from PySide6.QtWidgets import QInputDialog

    def user(dialog: MeetingDialog) -> bool:
        asked = []

        def get_item(_parent, title, label, items, current, editable):
            asked.append((title, label, items[current], editable))
            return "社区值班", True

        monkeypatch.setattr(QInputDialog, "getItem", get_item)
        [other] = [a for a in dialog.reason_menu.actions() if a.text() == "其他原因…"]
        # nothing absent selected: the user is told what to do
        dialog.list.selectRow(1)
        other.trigger()
        assert message_boxes == [("information", "缺席原因", "请先在名单中选择未出席（未勾选）的党员。")]
        # two absent selected: one reason for both
        dialog.model.set_rows_checked([1, 2], False)
        dialog.list.selectRow(1)
        dialog.list.selectionModel().select(dialog.proxy.index(2, 0), dialog.list.selectionModel().SelectionFlag.Select
                                            | dialog.list.selectionModel().SelectionFlag.Rows)
        other.trigger()
        assert asked == [("缺席原因", "为所选的 2 名未出席党员填写缺席原因：", "其他", True)]
        assert reasons(dialog) == {"李秀英": "社区值班", "王芳": "社区值班"}
        [clear] = [a for a in dialog.reason_menu.actions() if a.text() == "清除原因"]
        clear.trigger()
        assert reasons(dialog) == {"李秀英": "未说明原因", "王芳": "未说明原因"}
        return False

    run_dialog(monkeypatch, user, tree_database, org_id=people["grid1"])
