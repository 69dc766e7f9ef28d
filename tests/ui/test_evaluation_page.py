"""The 年度记实与评定 page: beginning a year, grading with the keyboard, approving, unlocking, history."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QInputDialog, QPushButton

from app import audit, members, orgs
from app import evaluation_year as ey
from app.evaluation import DEFAULT_SCHEME
from app.idcard import check_code
from app.members import MemberInput
from db.models import EvaluationGrade, EvaluationYear

YEAR = 2025
BRANCH1 = "幸福里社区党委/第一网格党支部"
BRANCH2 = "幸福里社区党委/第二网格党支部"
NAMES = "安志强 白玉兰 陈建国 邓丽华 范明 高峰 韩雪 黄海 金涛".split()


def make_id(seq: int) -> str:
    first17 = f"11010519700301{seq:03d}"
    return first17 + check_code(first17)


@pytest.fixture
def people(tree_database):
    """Six 正式党员 in 第一网格, two in 第二网格 and a 预备党员 who joined in the year."""
    ids = []
    with tree_database.unit_of_work() as session:
        first = orgs.find_by_path(session, BRANCH1).id
        second = orgs.find_by_path(session, BRANCH2).id
        for seq, name in enumerate(NAMES[:8], start=1):
            data = MemberInput(name=name, id_number=make_id(seq), org_id=first if seq <= 6 else second,
                               joined_on=date(1995, 7, 1), category="正式党员", confirmed_on=date(1996, 7, 1))
            ids.append(members.create(session, data)[0])
        data = MemberInput(name=NAMES[8], id_number=make_id(9), org_id=first, joined_on=date(2025, 3, 1),
                           category="预备党员")
        ids.append(members.create(session, data)[0])
    return ids


@pytest.fixture
def page(make_window, tree_database, people):
    window = make_window(tree_database, page="evaluation")
    page = window.pages["evaluation"]
    page.show_year(YEAR)
    return page


def begun(database) -> None:
    with database.unit_of_work() as session:
        ey.open_year(session, YEAR)


def scored(database, ids, value=18) -> None:
    with database.unit_of_work() as session:
        ey.set_scores(session, YEAR, [(m, c, e, value) for m in ids for c, e in DEFAULT_SCHEME.cells()])


def test_a_year_not_begun_offers_to_begin_it(qtbot, tree_database, page):
    # GIVEN the page on 2025, never begun
    assert page.stack.currentIndex() == 0
    assert "尚未开始" in page.begin_label.text()
    assert not page.actions_["approve"].isEnabled()
    # WHEN the secretary begins it
    qtbot.mouseClick(page.findChild(QPushButton, "beginYear"), Qt.MouseButton.LeftButton)
    # THEN the year exists with the default scheme, the tabs show every participant, and the list says so
    with tree_database.read() as session:
        assert session.get(EvaluationYear, YEAR) is not None
        assert ey.scheme(session, YEAR) == DEFAULT_SCHEME
    assert page.stack.currentIndex() == 1
    assert page.grades.model.rowCount() == 9
    assert page.year_box.currentText() == f"{YEAR} 年度"
    assert "评分完整 0/9 人" in page.state.text()
    QAbstractItemModelTester(page.grades.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    QAbstractItemModelTester(page.history_model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert page.history_model.rows[0].action == "开始年度评定"


def select_names(page, names) -> None:
    view, model = page.grades.view, page.grades.model
    view.clearSelection()
    for row, r in enumerate(model.rows):
        if r.participant.name in names:
            view.selectionModel().setCurrentIndex(model.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
            view.selectionModel().select(model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                                         | QItemSelectionModel.SelectionFlag.Rows)


def stored_grades(database) -> dict[int, str]:
    with database.read() as session:
        return {g.member_id: g.grade for g in session.query(EvaluationGrade).filter_by(year=YEAR)}


def test_grades_are_given_with_number_keys_and_the_one_third_rule_is_explained(
        qtbot, tree_database, people, page, message_boxes):
    begun(tree_database)
    page.reload()
    page.tabs.setCurrentWidget(page.grades)
    # WHEN the six of 第一网格 and the 预备党员 are selected and 2 (合格) is pressed
    select_names(page, NAMES[:6] + [NAMES[8]])
    qtbot.keyClick(page.grades.view, Qt.Key.Key_2)
    # THEN the six are 合格 with the date chosen, the 预备党员 is skipped and the message says so
    assert stored_grades(tree_database) == dict.fromkeys(people[:6], "合格")
    assert page.grades.message.text() == "已将 6 人评为合格（跳过预备党员 1 人）。"
    assert page.grades.model.rows[0].grade == "合格"
    # two of six may be 优秀 (key 1) …
    select_names(page, NAMES[:2])
    qtbot.keyClick(page.grades.view, Qt.Key.Key_1)
    assert [stored_grades(tree_database)[m] for m in people[:3]] == ["优秀", "优秀", "合格"]
    assert page.grades.summary.text() == "全部支部：正式党员 8 人，已评定 6 人，优秀 2 人"
    # … a third is refused with the figures, nothing changes
    select_names(page, [NAMES[2]])
    qtbot.keyClick(page.grades.view, Qt.Key.Key_1)
    assert message_boxes[-1][0] == "warning"
    assert "第一网格党支部：优秀 3 人，超过参评 6 人的三分之一（最多 2 人）" in message_boxes[-1][2]
    assert stored_grades(tree_database)[people[2]] == "合格"
    # Delete clears a grade (an 优秀's: clearing a 合格 would leave 2 of 5 优秀, refused)
    select_names(page, [NAMES[0]])
    qtbot.keyClick(page.grades.view, Qt.Key.Key_Delete)
    assert people[0] not in stored_grades(tree_database)
    # the branch filter shows one branch and its figures
    page.grades.branch.setCurrentText("第二网格党支部")
    assert page.grades.model.rowCount() == 2
    assert page.grades.summary.text().startswith("第二网格党支部：正式党员 2 人，已评定 0 人")


def test_approve_lists_what_stops_it_then_locks_and_numbers_and_unlock_needs_a_reason(
        qtbot, tree_database, people, page, message_boxes, monkeypatch):
    begun(tree_database)
    scored(tree_database, people[:8], 19)  # the 预备党员 not scored yet
    page.reload()
    # WHEN approval is asked too early: THEN what stops it is listed, nothing is locked
    page.actions_["approve"].trigger()
    kind, title, text = message_boxes[-1]
    assert (kind, title) == ("warning", "批准评定")
    assert "尚有 1 人的评分不完整（金涛）" in text
    assert "尚有 8 名正式党员未评定民主评议等次" in text
    # GIVEN everything complete
    scored(tree_database, people[8:], 15)
    with tree_database.unit_of_work() as session:
        ey.set_grades(session, YEAR, dict.fromkeys(people[:8], "合格"), date(2025, 12, 20))
    page.reload()
    asked = []
    monkeypatch.setattr("ui.evaluation.page.confirm", lambda _p, _t, text, *_a: asked.append(text) or True)
    # WHEN approved
    page.actions_["approve"].trigger()
    # THEN the confirmation said what happens, the year is locked, 8 certificates given in tree order
    assert "本次新发 8 个" in asked[0]
    assert message_boxes[-1][2].startswith(f"{YEAR} 年度评定已批准并锁定。新颁发证书 8 个（2025-0001 至 2025-0008）")
    assert page.locked and "已锁定" in page.state.text()
    assert page.certificates_model.rowCount() == 8
    assert page.tabs.tabText(2) == "证书（8）"
    QAbstractItemModelTester(page.certificates_model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert not page.actions_["approve"].isEnabled() and page.actions_["unlock"].isEnabled()
    # a locked year refuses grading with the reason shown on the tab
    page.tabs.setCurrentWidget(page.grades)
    select_names(page, [NAMES[0]])
    qtbot.keyClick(page.grades.view, Qt.Key.Key_1)
    assert "已批准，等次已锁定" in page.grades.message.text()
    assert stored_grades(tree_database)[people[0]] == "合格"
    # WHEN unlocking: an empty reason is refused, a reason unlocks and is in the history
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", True))
    page.actions_["unlock"].trigger()
    assert message_boxes[-1][2] == "请填写解锁的原因。"
    assert page.locked
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("补录一名党员的群众测评", True))
    page.actions_["unlock"].trigger()
    assert not page.locked
    assert page.history_model.rows[0].action == "解锁"
    assert "补录一名党员的群众测评" in page.history_model.rows[0].detail
    with tree_database.read() as session:
        assert [e.action for e in audit.entries(session, "evaluation", YEAR)][-2:] == ["批准", "解锁"]
        assert len(ey.certificates(session, YEAR)) == 8  # numbers once given stay


def test_the_page_opens_the_members_year_record(qtbot, tree_database, people, page, monkeypatch):
    begun(tree_database)
    page.reload()
    page.tabs.setCurrentWidget(page.grades)
    select_names(page, [NAMES[3]])
    opened = []
    monkeypatch.setattr("ui.evaluation.record_dialog.open_year_record",
                        lambda _p, _db, member_id, *, year=None, today=None: opened.append((member_id, year)))
    page.actions_["record"].trigger()
    assert opened == [(people[3], YEAR)]


def test_the_page_follows_changes_made_elsewhere(tree_database, people, page):
    begun(tree_database)
    page.reload()
    with tree_database.unit_of_work() as session:
        ey.set_grades(session, YEAR, {people[0]: "合格"}, date(2025, 12, 20))
    page.window_.apply_changes(ey.EVALUATION)
    assert page.grades.model.rows[0].grade == "合格"


def test_a_read_only_database_shows_the_year_but_changes_nothing(qtbot, make_window, tree_database, people):
    from app.database import open_app_database

    begun(tree_database)
    path = tree_database.path
    tree_database.close()
    readonly = open_app_database(path, readonly=True)
    try:
        window = make_window(readonly, page="evaluation")
        page = window.pages["evaluation"]
        page.show_year(YEAR)
        assert page.grades.model.rowCount() == 9
        assert not page.actions_["approve"].isEnabled()
        assert not page.grades.buttons["合格"].isEnabled()
        page.tabs.setCurrentWidget(page.grades)
        select_names(page, [NAMES[0]])
        qtbot.keyClick(page.grades.view, Qt.Key.Key_2)
        assert page.grades.message.text() == "数据库以只读模式打开，不能修改等次。"
    finally:
        readonly.close()
