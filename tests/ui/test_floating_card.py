"""The member card: header and timeline for a member and an inflow member; opened from a tab."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QLabel

from app import floating, floating_inflow, floating_services, members, orgs
from app.floating import ContactInput, OutflowInput
from app.floating_inflow import InflowInput
from app.floating_services import INFLOW, MEMBER, ServiceInput
from app.idcard import check_code
from app.members import MemberInput
from db.models import DuesPayment, Meeting, MeetingAttendee
from ui.floating import card as card_module
from ui.floating.card import EntryRole, MemberCard, show_card
from ui.floating.inflow import InflowTab

FATAL = QAbstractItemModelTester.FailureReportingMode.Fatal
HOST = "幸福里社区党委/流动党员党支部"
GRID1 = "幸福里社区党委/第一网格党支部"
TODAY = date.today()


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


@pytest.fixture
def ids(tree_database) -> dict[str, int]:
    first17 = "11010519700301123"
    with tree_database.unit_of_work() as session:
        grid1 = orgs.find_by_path(session, GRID1).id
        host = orgs.find_by_path(session, HOST).id
        member, _ = members.create(session, MemberInput(
            name="张建国", id_number=first17 + check_code(first17), org_id=grid1, joined_on=date(1995, 7, 1),
            confirmed_on=date(1996, 7, 1), mobile="13812345678"))
        floating.register_outflow(session, member, OutflowInput(
            left_on=days_ago(200), destination_province="广东省", destination_city="深圳市", reason="务工经商",
            management_mode="流出地直管"))
        floating.add_contact(session, member, ContactInput(days_ago(150), "电话", False, "无人接听"))
        floating.add_contact(session, member, ContactInput(days_ago(149), "微信", True, "在深圳务工"))
        meeting = Meeting(org_id=grid1, held_on=days_ago(30), kind="主题党日", topic="学习党章")
        session.add(meeting)
        session.flush()
        session.add(MeetingAttendee(meeting_id=meeting.id, member_id=member, present=True))
        session.add(DuesPayment(member_id=member, period=days_ago(20).replace(day=1), paid_on=days_ago(20),
                                amount_fen=1250))
        floating_services.add_service(session, member_id=member, data=ServiceInput("就业推荐", days_ago(10), "推荐到电子厂"))
        guest, _ = floating_inflow.register_inflow(session, InflowInput(
            name="周晓梅", home_org="中共河南省信阳市某村党支部", arrived_on=days_ago(100), host_org_id=host,
            certificate_kind="流动党员活动证", certificate_no="豫-001", certificate_valid_until=days_ago(1)))
        floating_services.add_service(session, inflow_id=guest, data=ServiceInput("生活救助", days_ago(5), "慰问"))
    return {"member": member, "guest": guest}


def texts(card: MemberCard) -> list[str]:
    return [card.timeline.item(i).text() for i in range(card.timeline.count())]


def test_a_members_card(qtbot, tree_database, ids):
    card = MemberCard(tree_database, MEMBER, ids["member"])
    qtbot.addWidget(card)
    card.show()
    QAbstractItemModelTester(card.timeline.model(), FATAL)
    assert card.objectName() == "member_card" and card.windowTitle() == "档案卡 — 张建国"
    assert card.findChild(QLabel, "cardName").text() == "张建国"
    assert card.findChild(QLabel, "cardType").text() == "党员"
    assert card.findChild(QLabel, "cardOrg").text() == "幸福里社区党委/第一网格党支部"
    assert f"外出中：{days_ago(200):%Y-%m-%d} 起 · 广东省 深圳市" in card.findChild(QLabel, "cardLines").text()
    assert card.findChild(QLabel, "cardStatus").text().startswith("在册 · 党籍正常 · 联系状态：")
    assert texts(card) == [
        f"{days_ago(10):%Y-%m-%d} 服务 就业推荐",
        f"{days_ago(20):%Y-%m-%d} 党费 交纳 {days_ago(20).year} 年 {days_ago(20).month} 月党费 12.50 元",
        f"{days_ago(30):%Y-%m-%d} 组织生活 参加主题党日：学习党章",
        f"{days_ago(149):%Y-%m-%d} 联系 联系上（微信）",
        f"{days_ago(150):%Y-%m-%d} 联系 未联系上（电话）",
        f"{days_ago(200):%Y-%m-%d} 外出 外出：广东省 深圳市",
    ]
    failed = card.timeline.item(4).data(EntryRole)
    assert failed.alert and card.timeline.item(4).toolTip() == "未联系上（电话）\n无人接听，联系人：社区党委办公室"
    assert card.findChild(QLabel, "timelineCount").text() == "共 6 条"
    # the kind filter
    card.kind_filter.setCurrentIndex(card.kind_filter.findData("联系"))
    assert len(texts(card)) == 2 and card.count.text() == "共 2 条"
    card.kind_filter.setCurrentIndex(0)
    assert len(texts(card)) == 6


def test_an_inflow_members_card(qtbot, tree_database, ids):
    card = MemberCard(tree_database, INFLOW, ids["guest"])
    qtbot.addWidget(card)
    card.show()
    assert card.findChild(QLabel, "cardType").text() == "流入党员"
    assert card.findChild(QLabel, "cardOrg").text() == "流动党员党支部"
    lines = card.findChild(QLabel, "cardLines").text()
    assert "组织关系所在：中共河南省信阳市某村党支部" in lines
    assert f"流动党员活动证 豫-001 有效期至 {days_ago(1):%Y-%m-%d}（已过期）" in lines
    assert card.findChild(QLabel, "cardStatus").text() == "仍在本社区，已来 100 天"
    assert texts(card) == [f"{days_ago(5):%Y-%m-%d} 服务 生活救助", f"{days_ago(100):%Y-%m-%d} 来到 来到本社区"]


def test_the_card_opens_from_a_tabs_request(qtbot, tree_database, ids, monkeypatch):
    opened = []
    monkeypatch.setattr(MemberCard, "exec", lambda card: opened.append(card.header.name) or 0)
    tab = InflowTab(tree_database)
    qtbot.addWidget(tab)
    tab.card_requested.connect(lambda kind, person_id: show_card(tree_database, kind, person_id, tab))
    tab.reload()
    tab.view.selectRow(0)
    tab.buttons["card"].click()
    assert opened == ["周晓梅"]


def test_the_timeline_is_painted_with_its_delegate(qtbot, tree_database, ids):
    card = MemberCard(tree_database, MEMBER, ids["member"])
    qtbot.addWidget(card)
    card.resize(720, 620)
    card.show()
    qtbot.waitExposed(card)
    image = card.timeline.viewport().grab().toImage()
    assert not image.isNull()
    delegate = card.timeline.itemDelegate()
    assert isinstance(delegate, card_module.TimelineDelegate)
    first = card.timeline.visualItemRect(card.timeline.item(0))
    assert first.height() > card.timeline.fontMetrics().height() * 2  # title and detail lines


def test_an_unknown_kind_is_refused(tree_database):
    with pytest.raises(ValueError):
        MemberCard(tree_database, "volunteer", 1)
