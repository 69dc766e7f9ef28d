"""流入党员 tab: the table and its model, registering by typing, editing, leaving, search, the card signal."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QLabel, QLineEdit

from app import floating_inflow, floating_services, orgs
from app.floating_inflow import InflowInput
from app.floating_services import INFLOW, ServiceInput
from tests.ui.chinese_input import type_text
from ui.floating.inflow import RED, DepartDialog, InflowColumn, InflowDialog, InflowTab

FATAL = QAbstractItemModelTester.FailureReportingMode.Fatal
HOST = "幸福里社区党委/流动党员党支部"
GRID1 = "幸福里社区党委/第一网格党支部"
TODAY = date.today()


@pytest.fixture
def hosts(tree_database) -> dict[str, int]:
    with tree_database.read() as session:
        return {"host": orgs.find_by_path(session, HOST).id, "grid1": orgs.find_by_path(session, GRID1).id}


def arrival(host_id: int, name: str, **change) -> InflowInput:
    return replace(InflowInput(name=name, home_org="中共河南省信阳市某村党支部", arrived_on=TODAY - timedelta(days=100),
                               certificate_kind="流动党员活动证", certificate_no="豫-001",
                               certificate_valid_until=TODAY + timedelta(days=100), host_org_id=host_id,
                               building="3号楼", unit="2单元"), **change)


def register(database, data: InflowInput) -> int:
    with database.unit_of_work() as session:
        return floating_inflow.register_inflow(session, data)[0]


@pytest.fixture
def tab(qtbot, tree_database, hosts):
    register(tree_database, arrival(hosts["host"], "周晓梅", mobile="13912345678"))
    register(tree_database, arrival(hosts["grid1"], "欧阳建华", certificate_valid_until=TODAY - timedelta(days=1)))
    widget = InflowTab(tree_database)
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    widget.show()
    widget.reload()
    return widget


def shown(tab: InflowTab, column: InflowColumn = InflowColumn.NAME) -> list[str]:
    proxy = tab.proxy
    return [proxy.data(proxy.index(row, column)) for row in range(proxy.rowCount())]


def select(tab: InflowTab, name: str) -> None:
    tab.view.selectRow(shown(tab).index(name))


def test_model_passes_the_tester_and_shows_the_rows(qtbot, tab, tree_database, hosts):
    QAbstractItemModelTester(tab.model, FATAL)
    QAbstractItemModelTester(tab.proxy, FATAL)
    # 第一网格党支部 comes before 流动党员党支部 in the tree
    assert shown(tab) == ["欧阳建华", "周晓梅"]
    model = tab.model
    expired = model.index(0, InflowColumn.VALID_UNTIL)
    assert model.data(expired).endswith("（已过期）")
    assert model.data(expired, Qt.ItemDataRole.ForegroundRole).color() == RED
    assert model.data(model.index(1, InflowColumn.PLACE)) == "3号楼-2单元"
    assert model.data(model.index(1, InflowColumn.HOST_ORG)) == "流动党员党支部"
    assert tab.count_label.text() == "流入党员 2 人，1 人证明已过期"
    # one edit reloads as a targeted dataChanged, not a reset
    with tree_database.unit_of_work() as session:
        data = floating_inflow.load_inflow(session, model.rows[1].id)
        floating_inflow.update_inflow(session, model.rows[1].id, replace(data, mobile="13800000000"))
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.dataChanged) as changed:
        tab.reload()
    assert changed.args[0].row() == 1
    assert model.data(model.index(1, InflowColumn.MOBILE)) == "13800000000"


def test_sorting_by_a_header_and_back_to_tree_order(tab):
    tab.view.sortByColumn(InflowColumn.NAME, Qt.SortOrder.DescendingOrder)  # by pinyin: zhou > ouyang
    assert shown(tab) == ["周晓梅", "欧阳建华"]
    tab.view.sortByColumn(InflowColumn.HOST_ORG, Qt.SortOrder.AscendingOrder)
    assert shown(tab) == ["欧阳建华", "周晓梅"]


def test_registering_by_typing_adds_the_row(qtbot, tab, tree_database, monkeypatch):
    def user_fills_in(dialog: InflowDialog):
        # GIVEN a new form: nothing is scolded yet, 保存 waits for the required fields
        assert not dialog.ok.isEnabled()
        assert all(label.isHidden() for label in dialog.errors.values())
        assert dialog.missing.text() == "尚需填写或核对：姓名、组织关系所在"
        assert dialog.host.currentText().strip() == "流动党员党支部"  # the floating members' branch by default
        # WHEN the user types
        type_text(qtbot, dialog.texts["name"], "马丽娜")
        type_text(qtbot, dialog.texts["mobile"], "1391234")
        assert dialog.errors["mobile"].text() == "手机号应为 11 位数字，以 1 开头（例如 13812345678）。"
        assert not dialog.errors["mobile"].isHidden()
        type_text(qtbot, dialog.texts["mobile"], "5678")
        assert dialog.errors["mobile"].isHidden()
        type_text(qtbot, dialog.texts["home_org"], "中共甘肃省兰州市某某街道工委")
        dialog.arrived_on.set_value(TODAY - timedelta(days=30))
        dialog.certificate_kind.setCurrentIndex(dialog.certificate_kind.findData("组织关系介绍信"))
        type_text(qtbot, dialog.texts["certificate_no"], "LZ-2026-17")
        type_text(qtbot, dialog.texts["building"], "6号楼")
        # THEN 保存 is on
        assert dialog.ok.isEnabled() and dialog.missing.text() == ""
        return True

    monkeypatch.setattr(InflowDialog, "exec", user_fills_in)
    with qtbot.waitSignal(tab.changed) as emitted:
        qtbot.mouseClick(tab.buttons["register"], Qt.MouseButton.LeftButton)
    assert emitted.args[0].floating
    assert "马丽娜" in shown(tab)
    assert tab.selected_row().name == "马丽娜"
    with tree_database.read() as session:
        data = floating_inflow.load_inflow(session, tab.selected_id())
    assert (data.mobile, data.certificate_kind, data.certificate_no, data.building) == (
        "13912345678", "组织关系介绍信", "LZ-2026-17", "6号楼")


def test_a_ledger_members_id_is_named_inline(qtbot, tree_database, hosts):
    from app import members
    from app.idcard import check_code
    from app.members import MemberInput

    first17 = "110105197003011231"[:17]
    number = first17 + check_code(first17)
    with tree_database.unit_of_work() as session:
        members.create(session, MemberInput(name="张建国", id_number=number, org_id=hosts["grid1"],
                                            joined_on=date(1995, 7, 1), confirmed_on=date(1996, 7, 1)))

    def validate(data):
        with tree_database.read() as session:
            return floating_inflow.validate_inflow(session, data)

    with tree_database.read() as session:
        from ui.floating.inflow import org_choices
        choices = org_choices(session)
    dialog = InflowDialog(validate, choices)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(qtbot, dialog.texts["id_number"], number)
    assert "在册党员“张建国”（第一网格党支部）" in dialog.errors["id_number"].text()
    assert dialog.findChild(QLabel, "idNumberError").isVisible()


def test_certificate_number_and_validity_need_a_certificate(qtbot, tab, hosts):
    with tab.database.read() as session:
        data = floating_inflow.load_inflow(session, tab.model.rows[1].id)
    dialog = InflowDialog(lambda d: ({}, d), [(hosts["host"], "流动党员党支部")], data=data)
    qtbot.addWidget(dialog)
    assert dialog.findChild(QLineEdit, "certificateNo").text() == "豫-001"
    dialog.certificate_kind.setCurrentIndex(dialog.certificate_kind.findData("无"))
    assert not dialog.texts["certificate_no"].isEnabled() and dialog.texts["certificate_no"].text() == ""
    assert dialog.value().certificate_valid_until is None


def test_editing_updates_the_row_in_place(qtbot, tab, monkeypatch):
    select(tab, "周晓梅")

    def user_edits(dialog: InflowDialog):
        assert dialog.windowTitle() == "编辑流入党员 — 周晓梅"
        dialog.texts["employer"].clear()
        type_text(qtbot, dialog.texts["employer"], "华联超市")
        return True

    monkeypatch.setattr(InflowDialog, "exec", user_edits)
    with qtbot.waitSignal(tab.changed):
        tab.buttons["edit"].click()
    with tab.database.read() as session:
        assert floating_inflow.load_inflow(session, tab.selected_id()).employer == "华联超市"


def test_leaving_hides_the_row_until_departed_are_shown(qtbot, tab, monkeypatch):
    select(tab, "周晓梅")

    def user_confirms(dialog: DepartDialog):
        assert dialog.on.minimumDate().toPython() == TODAY - timedelta(days=100)
        assert dialog.on.maximumDate().toPython() == TODAY
        type_text(qtbot, dialog.reason, "返回原籍")
        return True

    monkeypatch.setattr(DepartDialog, "exec", user_confirms)
    with qtbot.waitSignal(tab.changed):
        tab.buttons["depart"].click()
    assert shown(tab) == ["欧阳建华"]
    tab.show_left.setChecked(True)
    assert shown(tab) == ["欧阳建华", "周晓梅（已离开）"]
    select(tab, "周晓梅（已离开）")
    assert not tab.buttons["depart"].isEnabled() and tab.buttons["edit"].isEnabled()
    assert tab.count_label.text() == "流入党员 1 人，已离开 1 人，1 人证明已过期"


def test_a_refused_departure_is_explained(qtbot, tab, monkeypatch, message_boxes):
    person = tab.model.rows[1].id
    with tab.database.unit_of_work() as session:
        floating_services.add_service(session, inflow_id=person,
                                      data=ServiceInput("生活救助", TODAY - timedelta(days=5), "慰问"))
    select(tab, "周晓梅")

    def too_early(dialog: DepartDialog):
        dialog.on.setDate(dialog.on.date().addDays(-10))
        return True

    monkeypatch.setattr(DepartDialog, "exec", too_early)
    with qtbot.assertNotEmitted(tab.changed):
        tab.buttons["depart"].click()
    [(kind, title, text)] = message_boxes
    assert (kind, title) == ("warning", "登记离开")
    assert text.startswith("离开日期不能早于已有的服务或组织生活记录")
    assert shown(tab) == ["欧阳建华", "周晓梅"]


def test_search_by_name_initials_and_phone(qtbot, tab):
    type_text(qtbot, tab.search, "oy")
    assert shown(tab) == ["欧阳建华"]
    tab.search.clear()
    type_text(qtbot, tab.search, "139")
    assert shown(tab) == ["周晓梅"]
    tab.search.clear()
    type_text(qtbot, tab.search, "晓梅")
    assert shown(tab) == ["周晓梅"]
    tab.search.clear()
    assert len(shown(tab)) == 2


def test_double_click_and_enter_ask_for_the_card(qtbot, tab):
    select(tab, "周晓梅")
    expected = [INFLOW, tab.selected_id()]
    rect = tab.view.visualRect(tab.view.currentIndex())
    with qtbot.waitSignal(tab.card_requested) as requested:
        qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert requested.args == expected
    tab.view.setFocus()
    with qtbot.waitSignal(tab.card_requested) as requested:
        qtbot.keyClick(tab.view, Qt.Key.Key_Return)
    assert requested.args == expected
    with qtbot.waitSignal(tab.card_requested):
        tab.buttons["card"].click()


def test_nothing_selected_and_read_only_disable_the_actions(tab, monkeypatch):
    tab.view.clearSelection()
    tab.view.setCurrentIndex(QModelIndex())
    assert tab.selected_id() is None
    assert [b.isEnabled() for b in tab.buttons.values()] == [True, False, False, False]
    monkeypatch.setattr(type(tab.database), "readonly", property(lambda self: True))
    select(tab, "周晓梅")
    assert [b.isEnabled() for b in tab.buttons.values()] == [False, False, False, True]


def test_the_tab_follows_a_replaced_database(qtbot, tab, database):
    # GIVEN a tab that asks for the current database (as a page does: lambda: self.database)
    current = {"database": tab.database}
    follower = InflowTab(lambda: current["database"])
    qtbot.addWidget(follower)
    follower.reload()
    assert follower.model.rowCount() == 2
    # WHEN a restore replaces the window's database, THEN the next reload reads the new one
    current["database"] = database
    follower.reload()
    assert follower.model.rowCount() == 0
