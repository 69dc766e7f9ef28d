"""工作台: the year's lines (evaluation progress, quarterly summaries, 组织生活 gaps, 党费 arrears) are shown
and each opens its page; the 党费 lines are computed off the GUI thread and merged in when they arrive."""

from __future__ import annotations

import shutil
import threading
from datetime import date

import pytest
from PySide6.QtCore import Qt

import ui.workbench.page as workbench_page
from app import evaluation_year as ey
from app import orgs, workbench
from app.database import open_app_database
from tests.app.test_workbench_evaluation import BUILDING1, GRID1, GRID2, add_member, hold, months, pay
from tests.conftest import TODAY


class FixedDate(date):
    @classmethod
    def today(cls):
        return TODAY


@pytest.fixture
def people(tree_database, monkeypatch) -> dict[str, int]:
    """第一网格 (张建国; 李秀英 in 1号楼党小组) and 第二网格 (赵敏); 2026 opened; seen on TODAY."""
    monkeypatch.setattr(workbench_page, "date", FixedDate)
    with tree_database.unit_of_work() as session:
        ids = {key: orgs.find_by_path(session, path).id
               for key, path in (("grid1", GRID1), ("grid2", GRID2), ("building1", BUILDING1))}
        ids["张建国"] = add_member(session, ids["grid1"], "张建国", 1)
        ids["李秀英"] = add_member(session, ids["building1"], "李秀英", 2)
        ids["赵敏"] = add_member(session, ids["grid2"], "赵敏", 5)
        every = [date(2026, m, 10) for m in range(1, 11)]
        # 第一网格 held no 主题党日 in September and October; 第二网格 everything
        hold(session, ids["grid1"], "支部党员大会", date(2026, 2, 1), date(2026, 5, 1), date(2026, 8, 1))
        hold(session, ids["grid1"], "党课", date(2026, 3, 1), date(2026, 6, 1), date(2026, 9, 1))
        hold(session, ids["grid1"], "主题党日", *every[:8])
        hold(session, ids["grid1"], "支部委员会", *every)
        hold(session, ids["building1"], "党小组会", *every)
        for kind in ("支部党员大会", "党课", "主题党日", "支部委员会"):
            hold(session, ids["grid2"], kind, *every)
        ey.open_year(session, 2026, today=TODAY)
    # 张建国 and 李秀英 paid everything; 赵敏 nothing since March
    pay(tree_database, ids["张建国"], *months(date(2026, 1, 1), date(2026, 10, 1)))
    pay(tree_database, ids["李秀英"], *months(date(2026, 1, 1), date(2026, 10, 1)))
    pay(tree_database, ids["赵敏"], *months(date(2026, 1, 1), date(2026, 3, 1)))
    return ids


def items(page) -> list:
    return [page.attention.item(row) for row in range(page.attention.count())]


def texts(page) -> list[str]:
    return [item.text() for item in items(page)]


def shown(qtbot, window):
    """The workbench once its 党费 lines are in."""
    page = window.pages["workbench"]
    qtbot.waitUntil(lambda: not page.dues_pending)
    return page


def expected(database) -> list[str]:
    """Every line as ``summary()`` gives them, in its order, as the list shows them."""
    with database.read() as session:
        found = workbench.summary(session, TODAY).attention
    return [f"{workbench_page.LEVEL_MARKS[a.level]}  {a.text}" for a in found]


@pytest.fixture
def held(monkeypatch):
    """The 党费 lines, once computed (each computation is counted), are held back until ``held.set()``."""
    gate = threading.Event()
    gate.calls = []
    original = workbench.dues_lines

    def dues_lines(session, today, context):
        found = original(session, today, context)
        gate.calls.append(today)
        assert gate.wait(10), "the test never let the computation finish"
        return found

    monkeypatch.setattr(workbench, "dues_lines", dues_lines)
    yield gate
    gate.set()


def item_with(page, text: str):
    (found,) = [i for i in items(page) if text in i.text()]
    return found


def activate(qtbot, page, item) -> None:
    """As a user does: double-click the line."""
    page.attention.scrollToItem(item)
    rect = page.attention.visualItemRect(item)
    qtbot.mouseClick(page.attention.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.attention.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_workbench_shows_the_years_lines(qtbot, make_window, tree_database, people):
    page = shown(qtbot, make_window(tree_database, page="workbench"))
    lines = texts(page)
    wanted = [
        "●  党员赵敏（第二网格党支部）已连续 7 个月未交纳党费（2026年4月起）",
        "●  第一网格党支部：主题党日 9月、10月未开展。",
        "●  第二网格党支部：赵敏欠缴党费，共 7 个月（均未设党费基数，按今年未交的月份计）。",
        "○  第一网格党支部：2026 年度评分完成 0/2 人，评议等次 0/2 人。",
        "○  第二网格党支部：2026 年度评分完成 0/1 人，评议等次 0/1 人。",
        "○  全社区 3 名党员均未填写 2026 年第三季度小结（年度记实）。",
    ]
    for text in wanted:
        assert any(line.startswith(text) for line in lines), (text, lines)
    # the urgent line comes before the warnings, the warnings before the information
    order = [next(n for n, line in enumerate(lines) if line.startswith(text)) for text in wanted]
    assert order == sorted(order)
    assert workbench_page.DUES_PENDING not in lines
    # a long line wraps instead of running off the page, and its whole text is in the tooltip
    line = item_with(page, "赵敏（第二网格党支部）")
    assert page.attention.wordWrap() and line.toolTip() in line.text()


def test_an_evaluation_line_opens_the_evaluation_page_on_its_year(qtbot, make_window, tree_database, people,
                                                                  monkeypatch):
    window = make_window(tree_database, page="workbench")
    page = shown(qtbot, window)  # no line moves under the mouse
    evaluation = window.pages["evaluation"]
    asked = []
    original = evaluation.show_year
    monkeypatch.setattr(evaluation, "show_year", lambda year: (asked.append(year), original(year)))
    activate(qtbot, page, item_with(page, "第一网格党支部：2026 年度评分完成"))
    assert window.current_area() == "evaluation"
    assert asked == [2026]
    assert evaluation.year_box.currentData() == 2026


def test_a_meeting_line_opens_the_branch(qtbot, make_window, tree_database, people):
    window = make_window(tree_database, page="workbench")
    page = shown(qtbot, window)
    activate(qtbot, page, item_with(page, "主题党日 9月、10月未开展"))
    assert window.current_area() == "orgs"
    assert window.pages["orgs"].selected().id == people["grid1"]


def test_dues_lines_open_the_ledger_on_the_member_or_the_branch(qtbot, make_window, tree_database, people):
    window = make_window(tree_database, page="workbench")
    page = shown(qtbot, window)
    ledger = window.pages["members"]
    activate(qtbot, page, item_with(page, "党员赵敏（第二网格党支部）已连续"))
    assert window.current_area() == "members"
    assert ledger.selected_id() == people["赵敏"]
    # WHEN the user goes back and opens the branch's line with the keyboard
    window.show_page("workbench")
    line = item_with(page, "第二网格党支部：赵敏欠缴党费")
    page.attention.setCurrentItem(line)
    page.attention.setFocus()
    qtbot.keyClick(page.attention, Qt.Key.Key_Return)
    # THEN the ledger lists that branch
    assert window.current_area() == "members"
    assert ledger._selected_org_id() == people["grid2"]
    assert ledger.model.rowCount() == 1


# ---------------------------------------------------------------- the 党费 lines arrive after the first paint


def test_the_dues_lines_arrive_after_the_page_is_shown(qtbot, make_window, tree_database, people, held):
    window = make_window(tree_database, page="workbench")
    page = window.pages["workbench"]
    # the page is painted with everything else and one grey line while the 党费 lines are computed
    before = texts(page)
    assert page.dues_pending
    assert before[-1] == workbench_page.DUES_PENDING
    assert not page.attention.item(len(before) - 1).flags() & Qt.ItemFlag.ItemIsEnabled
    assert not [line for line in before if "党费" in line and line != workbench_page.DUES_PENDING]
    assert page.title.text() == "工作台 · 幸福里社区"
    # WHEN they are computed
    with qtbot.waitSignal(page.dues_ready):
        held.set()
    # THEN they take their places by level (as summary() orders them) and the grey line is gone
    assert not page.dues_pending
    assert held.calls == [TODAY]  # computed once, for the page's day
    assert texts(page) == expected(tree_database)
    assert [a.level for a in page.entries] == sorted(a.level for a in page.entries)
    assert [a.area for a in page.entries].count("dues") == 2
    assert texts(page)[0].startswith("●  党员赵敏（第二网格党支部）已连续 7 个月未交纳党费")


def test_the_selected_line_stays_selected_when_the_dues_lines_come_in(qtbot, make_window, tree_database, people,
                                                                     held):
    window = make_window(tree_database, page="workbench")
    page = window.pages["workbench"]
    line = item_with(page, "第一网格党支部：2026 年度评分完成")
    page.attention.setCurrentItem(line)
    row = page.attention.currentRow()
    held.set()
    qtbot.waitUntil(lambda: not page.dues_pending)
    # the lines came in above it: it moved down, and is still the one selected
    assert page.attention.currentItem() is line
    assert page.attention.currentRow() == texts(page).index(line.text()) > row


def test_a_reload_while_the_dues_lines_are_computed_lists_them_once(qtbot, make_window, tree_database, people,
                                                                     held):
    window = make_window(tree_database, page="workbench")
    page = window.pages["workbench"]
    qtbot.waitUntil(lambda: len(held.calls) == 1)  # computed: 赵敏 owes since April
    assert page.dues_pending
    # WHEN 赵敏 pays up and the page reloads (twice) before that result has come back
    pay(tree_database, people["赵敏"], *months(date(2026, 4, 1), date(2026, 10, 1)))
    page.reload()
    page.reload()
    assert texts(page).count(workbench_page.DUES_PENDING) == 1
    held.set()
    qtbot.waitUntil(lambda: not page.dues_pending)
    qtbot.wait(50)  # nothing else arrives later
    # THEN the stale result is dropped: nobody owes, no line twice, the grey line gone
    assert len(held.calls) == 2  # the running one and the latest: the one in between was never started
    lines = texts(page)
    assert not [line for line in lines if "党费" in line]
    assert lines == expected(tree_database)
    assert len(set(lines)) == len(lines)


def test_a_failed_computation_says_so_instead_of_the_lines(qtbot, make_window, tree_database, people, monkeypatch,
                                                          capsys):
    def fails(session, today, context):
        raise RuntimeError("磁盘读取错误")

    monkeypatch.setattr(workbench, "dues_lines", fails)
    window = make_window(tree_database, page="workbench")
    page = shown(qtbot, window)
    lines = texts(page)
    assert lines[-1] == "党费欠缴情况暂时无法核算：磁盘读取错误"
    assert workbench_page.DUES_PENDING not in lines
    assert not [line for line in lines if "欠缴党费" in line]
    assert "RuntimeError" in capsys.readouterr().err  # an unexpected error leaves its traceback for support
    # the other lines still work
    activate(qtbot, page, item_with(page, "主题党日 9月、10月未开展"))
    assert window.current_area() == "orgs"


def test_lines_computed_on_a_database_since_replaced_are_dropped(qtbot, make_window, tree_database, people, held,
                                                                 tmp_path):
    window = make_window(tree_database, page="workbench")
    page = window.pages["workbench"]
    # another database (as after a restore): the same community without 赵敏's arrears
    other_path = tmp_path / "restored.sqlite"
    with tree_database.read() as session:
        session.connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(tree_database.path, other_path)
    other = open_app_database(other_path)
    try:
        with other.unit_of_work() as session:
            session.connection().exec_driver_sql("DELETE FROM dues_payments")
            session.connection().exec_driver_sql("DELETE FROM dues_bases")
        window.replace_database(other)  # the page is shown: it reloads on the new database
        held.set()
        qtbot.waitUntil(lambda: not page.dues_pending)
        qtbot.wait(50)
        # nothing recorded there: no 党费 lines, and none from the database left behind
        assert not [line for line in texts(page) if "党费" in line]
        assert texts(page) == expected(other)
    finally:
        assert page.wait_for_dues()
        window.replace_database(tree_database)
        qtbot.waitUntil(lambda: not page.dues_pending)
        other.close()
