"""之家服务 tab: the model, adding a service by typing, filters, editing, deleting with confirmation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QLabel

from app import floating, floating_inflow, floating_services, members, orgs
from app.floating import OutflowInput
from app.floating_inflow import InflowInput
from app.floating_services import INFLOW, MEMBER, ServiceInput
from app.idcard import check_code
from app.members import MemberInput
from tests.ui.chinese_input import type_text
from ui.floating.services import ServiceColumn, ServiceDialog, ServicesTab

FATAL = QAbstractItemModelTester.FailureReportingMode.Fatal
HOST = "幸福里社区党委/流动党员党支部"
GRID1 = "幸福里社区党委/第一网格党支部"
TODAY = date.today()
THIS_YEAR, LAST_YEAR = TODAY.year, TODAY.year - 1


def make_id(birth: str, seq: str) -> str:
    first17 = "110105" + birth + seq
    return first17 + check_code(first17)


@pytest.fixture
def ids(tree_database) -> dict[str, int]:
    """张建国 away, 李秀英 at home, 周晓梅 an inflow member since 2 years ago; four services."""
    found: dict[str, int] = {}
    with tree_database.unit_of_work() as session:
        grid1 = orgs.find_by_path(session, GRID1).id
        host = orgs.find_by_path(session, HOST).id
        for n, name in enumerate(("张建国", "李秀英")):
            found[name], _ = members.create(session, MemberInput(
                name=name, id_number=make_id(f"19{70 + n}0301", f"12{n}"), org_id=grid1, joined_on=date(1995, 7, 1),
                confirmed_on=date(1996, 7, 1)))
        floating.register_outflow(session, found["张建国"], OutflowInput(
            left_on=date(LAST_YEAR, 3, 1), destination_city="深圳市", reason="务工经商"))
        found["周晓梅"], _ = floating_inflow.register_inflow(session, InflowInput(
            name="周晓梅", home_org="河南省信阳市某村党支部", arrived_on=date(LAST_YEAR - 1, 2, 1), host_org_id=host))
        for who, kind, day, content in (
            ("张建国", "就业推荐", date(LAST_YEAR, 4, 10), "推荐到电子厂"),
            ("周晓梅", "法律援助", date(LAST_YEAR, 9, 1), "劳动合同咨询"),
            ("周晓梅", "生活救助", TODAY - timedelta(days=1), "春节慰问"),
            ("李秀英", "技能培训", TODAY, "电工培训"),
        ):
            person = {"inflow_id": found[who]} if who == "周晓梅" else {"member_id": found[who]}
            floating_services.add_service(session, data=ServiceInput(kind, day, content), **person)
    return found


@pytest.fixture
def tab(qtbot, tree_database, ids):
    widget = ServicesTab(tree_database)
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    widget.show()
    widget.reload()
    return widget


def shown(tab: ServicesTab, column: ServiceColumn = ServiceColumn.PERSON) -> list[str]:
    proxy = tab.proxy
    return [proxy.data(proxy.index(row, column)) for row in range(proxy.rowCount())]


def test_model_passes_the_tester_and_the_current_year_shows_first(tab):
    QAbstractItemModelTester(tab.model, FATAL)
    QAbstractItemModelTester(tab.proxy, FATAL)
    if TODAY.timetuple().tm_yday == 1:  # the day before is last year
        pytest.skip("on 1 January yesterday's service is in last year")
    assert tab.year.currentText() == f"{THIS_YEAR} 年"
    assert shown(tab) == ["李秀英", "周晓梅"]
    assert shown(tab, ServiceColumn.PERSON_TYPE) == ["党员", "流入党员"]
    assert tab.count_label.text() == "服务 2 次，涉及 2 人"
    tab.view.sortByColumn(ServiceColumn.SERVED_ON, Qt.SortOrder.AscendingOrder)
    assert shown(tab) == ["周晓梅", "李秀英"]


def test_filters_by_year_and_kind(qtbot, tab):
    tab.year.setCurrentIndex(tab.year.findData(LAST_YEAR))
    assert shown(tab) == ["周晓梅", "张建国"]
    tab.kind.setCurrentIndex(tab.kind.findData("就业推荐"))
    assert shown(tab, ServiceColumn.CONTENT) == ["推荐到电子厂"]
    tab.year.setCurrentIndex(tab.year.findData(None))  # 全部年份
    assert shown(tab) == ["张建国"]
    tab.kind.setCurrentIndex(0)  # 全部类别
    assert len(shown(tab)) == 4
    assert [tab.year.itemText(i) for i in range(tab.year.count())] == [
        "全部年份", f"{THIS_YEAR} 年", f"{LAST_YEAR} 年"]


def test_adding_a_service_by_typing(qtbot, tab, monkeypatch, tree_database, ids):
    def user_fills_in(dialog: ServiceDialog):
        assert not dialog.ok.isEnabled()
        assert dialog.missing.text() == "尚需填写：服务对象、服务内容"
        # the floating member first, then the inflow member, then the rest
        assert [dialog.person_list.item(i).text() for i in range(3)] == [
            "张建国　流动党员 · 第一网格党支部", "周晓梅　流入党员 · 流动党员党支部", "李秀英　党员 · 第一网格党支部"]
        type_text(qtbot, dialog.person_search, "zxm")
        dialog.search_people()
        assert dialog.person_list.count() == 1 and dialog.selected_person().inflow_id == ids["周晓梅"]
        dialog.kind.setCurrentText("技能培训")
        type_text(qtbot, dialog.content, "家政服务技能培训")
        type_text(qtbot, dialog.provider, "街道妇联")
        type_text(qtbot, dialog.result, "已结业")
        assert dialog.ok.isEnabled()
        return True

    monkeypatch.setattr(ServiceDialog, "exec", user_fills_in)
    tab.year.setCurrentIndex(tab.year.findData(LAST_YEAR))  # the new row is this year: the filter makes way
    with qtbot.waitSignal(tab.changed) as emitted:
        qtbot.mouseClick(tab.buttons["add"], Qt.MouseButton.LeftButton)
    assert emitted.args[0].floating
    row = tab.selected_row()
    assert (row.person_name, row.kind, row.content, row.provider, row.result) == (
        "周晓梅", "技能培训", "家政服务技能培训", "街道妇联", "已结业")
    assert tab.year.currentData() is None


def test_the_dialog_names_an_inflow_member_who_has_left(qtbot, tree_database, ids):
    with tree_database.unit_of_work() as session:
        floating_inflow.depart(session, ids["周晓梅"], TODAY - timedelta(days=1), "回原籍")
        person = floating_services.person_of(session, inflow_id=ids["周晓梅"])

    def validate(member_id, inflow_id, data):
        with tree_database.read() as session:
            return floating_services.validate_service(session, member_id=member_id, inflow_id=inflow_id, data=data)

    dialog = ServiceDialog(validate, person=person)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.findChild(QLabel, "presetPerson").text().endswith(f"已于 {TODAY - timedelta(days=1):%Y-%m-%d} 离开")
    type_text(qtbot, dialog.content, "回访")
    assert dialog.errors["person"].text() == f"“周晓梅”已于 {TODAY - timedelta(days=1):%Y-%m-%d} 离开本社区，不能登记此后的服务。"
    assert not dialog.errors["person"].isHidden() and not dialog.ok.isEnabled()
    dialog.served_on.setDate(dialog.served_on.date().addDays(-1))
    assert dialog.ok.isEnabled()


def test_adding_for_a_preset_person(qtbot, tab, monkeypatch, ids):
    seen = {}

    def user_writes(dialog: ServiceDialog):
        seen["person"] = dialog.findChild(QLabel, "presetPerson").text()
        assert dialog.person_list.isHidden()
        type_text(qtbot, dialog.content, "推荐到物流公司")
        return True

    monkeypatch.setattr(ServiceDialog, "exec", user_writes)
    service_id = tab.add_service(member_id=ids["张建国"])
    assert seen["person"] == "张建国　流动党员 · 第一网格党支部"
    assert tab.selected_id() == service_id


def test_editing_a_service(qtbot, tab, monkeypatch):
    tab.view.selectRow(0)

    def user_edits(dialog: ServiceDialog):
        assert dialog.windowTitle() == "编辑服务记录" and dialog.content.toPlainText() == "电工培训"
        type_text(qtbot, dialog.result, "已取得上岗证")
        return True

    monkeypatch.setattr(ServiceDialog, "exec", user_edits)
    with qtbot.waitSignal(tab.changed):
        tab.buttons["edit"].click()
    assert shown(tab, ServiceColumn.RESULT)[0] == "已取得上岗证"


def test_deleting_asks_first(qtbot, tab, monkeypatch, tree_database):
    tab.view.selectRow(0)
    asked = []
    monkeypatch.setattr("ui.floating.services.confirm",
                        lambda _parent, title, text, **_kw: asked.append((title, text)) or False)
    with qtbot.assertNotEmitted(tab.changed):
        tab.buttons["delete"].click()
    assert len(shown(tab)) == 2
    assert asked[0][0] == "删除服务记录" and "给李秀英的“技能培训”服务记录" in asked[0][1]

    monkeypatch.setattr("ui.floating.services.confirm", lambda *_a, **_kw: True)
    with qtbot.waitSignal(tab.changed):
        tab.buttons["delete"].click()
    assert shown(tab) == ["周晓梅"]
    with tree_database.read() as session:
        assert len(floating_services.list_services(session)) == 3


def test_double_click_and_enter_ask_for_the_persons_card(qtbot, tab, ids):
    tab.view.selectRow(1)
    rect = tab.view.visualRect(tab.view.currentIndex())
    with qtbot.waitSignal(tab.card_requested) as requested:
        qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert requested.args == [INFLOW, ids["周晓梅"]]
    tab.view.selectRow(0)
    tab.view.setFocus()
    with qtbot.waitSignal(tab.card_requested) as requested:
        qtbot.keyClick(tab.view, Qt.Key.Key_Enter)
    assert requested.args == [MEMBER, ids["李秀英"]]


def test_read_only_leaves_only_the_card(tab, monkeypatch):
    monkeypatch.setattr(type(tab.database), "readonly", property(lambda self: True))
    tab.view.selectRow(0)
    assert [b.isEnabled() for b in tab.buttons.values()] == [False, False, False, True]


def test_rows_with_the_same_ids_reload_without_a_reset(qtbot, tab):
    rows = list(tab.model.rows)
    changed = replace(rows[0], result="已结业")
    with qtbot.assertNotEmitted(tab.model.modelReset), qtbot.waitSignal(tab.model.dataChanged):
        tab.reload([changed, *rows[1:]])
    assert tab.model.data(tab.model.index(0, ServiceColumn.RESULT)) == "已结业"
