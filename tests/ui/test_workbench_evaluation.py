"""工作台: the year's lines (evaluation progress, quarterly summaries, 组织生活 gaps, 党费 arrears) are shown
and each opens its page."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

import ui.workbench.page as workbench_page
from app import evaluation_year as ey
from app import orgs
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


def item_with(page, text: str):
    (found,) = [i for i in items(page) if text in i.text()]
    return found


def activate(qtbot, page, item) -> None:
    """As a user does: double-click the line."""
    page.attention.scrollToItem(item)
    rect = page.attention.visualItemRect(item)
    qtbot.mouseClick(page.attention.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.attention.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_workbench_shows_the_years_lines(make_window, tree_database, people):
    window = make_window(tree_database, page="workbench")
    page = window.pages["workbench"]
    shown = [i.text() for i in items(page)]
    expected = [
        "●  党员赵敏（第二网格党支部）已连续 7 个月未交纳党费（2026年4月起）",
        "●  第一网格党支部：主题党日 9月、10月未开展。",
        "●  第二网格党支部：赵敏欠缴党费，共 7 个月（均未设党费基数，按今年未交的月份计）。",
        "○  第一网格党支部：2026 年度评分完成 0/2 人，评议等次 0/2 人。",
        "○  第二网格党支部：2026 年度评分完成 0/1 人，评议等次 0/1 人。",
        "○  全社区 3 名党员均未填写 2026 年第三季度小结（年度记实）。",
    ]
    for text in expected:
        assert any(line.startswith(text) for line in shown), (text, shown)
    # the urgent line comes before the warnings, the warnings before the information
    order = [next(n for n, line in enumerate(shown) if line.startswith(text)) for text in expected]
    assert order == sorted(order)
    # a long line wraps instead of running off the page, and its whole text is in the tooltip
    line = item_with(page, "赵敏（第二网格党支部）")
    assert page.attention.wordWrap() and line.toolTip() in line.text()


def test_an_evaluation_line_opens_the_evaluation_page_on_its_year(qtbot, make_window, tree_database, people,
                                                                  monkeypatch):
    window = make_window(tree_database, page="workbench")
    page = window.pages["workbench"]
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
    page = window.pages["workbench"]
    activate(qtbot, page, item_with(page, "主题党日 9月、10月未开展"))
    assert window.current_area() == "orgs"
    assert window.pages["orgs"].selected().id == people["grid1"]


def test_dues_lines_open_the_ledger_on_the_member_or_the_branch(qtbot, make_window, tree_database, people):
    window = make_window(tree_database, page="workbench")
    page = window.pages["workbench"]
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
