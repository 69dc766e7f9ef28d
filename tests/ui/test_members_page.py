"""党员台账: the lazy ledger model, search as you type, filters, the member form, leaving."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QPushButton

from app import members, orgs
from app.idcard import check_code
from app.members import MemberFilter, MemberInput
from db.models import Member
from tests.ui.chinese_input import type_text
from ui.members import ledger_model
from ui.members.dialogs import LeaveDialog
from ui.members.form import MemberDialog
from ui.members.ledger_model import Column, LedgerModel

FATAL = QAbstractItemModelTester.FailureReportingMode.Fatal
GRID1 = "幸福里社区党委/第一网格党支部"
NAMES = ["张三丰", "张建国", "曾国藩", "李秀英", "王芳", "赵敏", "钱学森", "孙悟空", "周树人", "吴承恩"]


def make_id(n: int) -> str:
    first17 = f"110105{1950 + n % 30}0{1 + n % 9}1{n % 10}{n % 1000:03d}"
    return first17 + check_code(first17)


def seed(database, count: int = len(NAMES)) -> dict[str, int]:
    ids = {}
    with database.unit_of_work() as session:
        grid1 = orgs.find_by_path(session, GRID1).id
        grid2 = orgs.find_by_path(session, "幸福里社区党委/第二网格党支部").id
        for n in range(count):
            name = NAMES[n] if n < len(NAMES) else "党员" + "甲乙丙丁戊己庚辛壬癸"[n % 10] + "子丑寅卯辰巳午未申酉戌亥"[n % 12]
            member_id, _ = members.create(session, MemberInput(
                name=name, id_number=make_id(n), org_id=grid1 if n % 2 == 0 else grid2,
                joined_on=date(2000, 7, 1), confirmed_on=date(2001, 7, 1), mobile=f"139{n:08d}",
            ))
            ids[name] = member_id
    return ids


@pytest.fixture
def people(tree_database):
    return seed(tree_database)


@pytest.fixture
def page(qtbot, make_window, tree_database, people):
    window = make_window(tree_database, page="members")
    return window.pages["members"]


def shown_names(page) -> list[str]:
    model = page.model
    return [model.data(model.index(row, Column.NAME)) for row in range(model.rowCount())]


def test_model_passes_the_tester_and_fetches_rows_by_page(tree_database, monkeypatch):
    demo_database = tree_database
    seed(demo_database, 450)
    fetched: list[int] = []

    def fetch_ids(flt, sort, descending):
        with demo_database.read() as session:
            return members.ordered_ids(session, flt, sort, descending)

    def fetch_rows(ids):
        fetched.append(len(ids))
        with demo_database.read() as session:
            return members.rows(session, ids)

    monkeypatch.setattr(ledger_model, "CACHE_ROWS", 250)
    model = LedgerModel(fetch_ids, fetch_rows)
    QAbstractItemModelTester(model, FATAL)
    model.load(MemberFilter())
    # THEN the row count is true before a single row was fetched
    assert model.rowCount() == 450
    assert fetched == [] or max(fetched) <= ledger_model.PAGE_ROWS
    fetched.clear()
    model.data(model.index(0, Column.NAME))
    model.data(model.index(1, Column.NAME))
    assert fetched == [ledger_model.PAGE_ROWS]  # one page for both rows
    for row in range(model.rowCount()):  # scroll to the end
        model.data(model.index(row, Column.NAME))
    assert model.cached_rows() <= 250  # the cache stays bounded
    model.sort(Column.NAME, Qt.SortOrder.DescendingOrder)
    model.sort(Column.ORG)


def test_the_ledger_shows_members_in_tree_order_and_counts_them(page):
    assert page.model.rowCount() == 10
    assert page.count_label.text() == "共 10 人"
    names = shown_names(page)
    assert set(names[:5]) == {"张三丰", "曾国藩", "王芳", "钱学森", "周树人"}  # 第一网格 first
    org = page.model.data(page.model.index(0, Column.ORG))
    assert org == "第一网格党支部"
    assert page.model.data(page.model.index(0, Column.ORG), Qt.ItemDataRole.ToolTipRole) == GRID1


@pytest.mark.parametrize(("text", "expected"), [("zsf", ["张三丰"]), ("建国", ["张建国"]), ("zgf", ["曾国藩"]),
                                                ("13900000003", ["李秀英"])])
def test_search_as_you_type(qtbot, page, text, expected):
    type_text(qtbot, page.search, text)
    qtbot.waitUntil(lambda: shown_names(page) == expected, timeout=2000)
    assert page.count_label.text() == f"共 {len(expected)} 人"


def test_sorting_by_name_uses_pinyin(qtbot, page):
    page.view.horizontalHeader().setSortIndicator(Column.NAME, Qt.SortOrder.AscendingOrder)
    names = shown_names(page)
    assert names.index("李秀英") < names.index("王芳") < names.index("曾国藩") < names.index("张三丰")


def test_org_filter_takes_the_subtree(qtbot, page, tree_database):
    with tree_database.read() as session:
        grid2 = orgs.find_by_path(session, "幸福里社区党委/第二网格党支部").id
    page.org_view.setCurrentIndex(page.org_model.index_of(grid2))
    assert set(shown_names(page)) == {"张建国", "李秀英", "赵敏", "孙悟空", "吴承恩"}


def test_column_chooser_is_remembered(qtbot, page, make_window, tree_database):
    assert page.view.isColumnHidden(Column.ETHNICITY)
    page.set_column_shown(Column.ETHNICITY, True)
    page.set_column_shown(Column.ADDRESS, False)
    other = make_window(tree_database, page="members")
    ledger = other.pages["members"]
    assert not ledger.view.isColumnHidden(Column.ETHNICITY)
    assert ledger.view.isColumnHidden(Column.ADDRESS)


def test_adding_a_member_through_the_form(qtbot, page, tree_database, monkeypatch):
    demo_database = tree_database
    seen = {}

    def user_fills_in(dialog: MemberDialog) -> int:
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        assert not save.isEnabled()
        assert not dialog.findChild(QLabel, "name_error").isVisible()  # the empty form does not scold
        type_text(qtbot, dialog.edits["name"], "欧阳修")
        type_text(qtbot, dialog.edits["id_number"], "110105197003011234")
        error = dialog.findChild(QLabel, "id_number_error")
        seen["id_error"] = error.text()
        dialog.edits["id_number"].clear()
        type_text(qtbot, dialog.edits["id_number"], make_id(77))
        assert not error.isVisible()
        dialog.edits["joined_on"].set_value(date(1999, 7, 1))
        dialog.edits["confirmed_on"].set_value(date(2000, 7, 1))
        assert save.isEnabled(), dialog.revalidate()
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(MemberDialog, "exec", user_fills_in)
    with qtbot.waitSignal(page.changed):
        page.actions_["new"].trigger()
    assert "校验位" in seen["id_error"]
    with demo_database.read() as session:
        member_id = members.find_by_id_number(session, make_id(77))
        record = members.get(session, member_id)
    assert record.name == "欧阳修" and record.data.sex == ("男" if int(make_id(77)[16]) % 2 else "女")
    assert page.selected_id() == member_id
    assert page.count_label.text() == "共 11 人"


def test_transfer_out_removes_the_row_and_the_status_filter_finds_it(qtbot, page, people, monkeypatch):
    monkeypatch.setattr("ui.members.page.confirm", lambda *a, **k: True)

    def user_fills_in(dialog: LeaveDialog) -> int:
        assert not dialog.ok.isEnabled()
        type_text(qtbot, dialog.destination, "某街道党工委")
        type_text(qtbot, dialog.reason, "工作调动")
        assert dialog.ok.isEnabled()
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(LeaveDialog, "exec", user_fills_in)
    assert page.select_member(people["王芳"])
    removed = []
    page.model.rowsRemoved.connect(lambda *_: removed.append(True))
    page.actions_["transfer"].trigger()
    assert removed == [True]  # one row removed, not a reset
    assert "王芳" not in shown_names(page)
    page.status.setCurrentText("已转出")
    assert shown_names(page) == ["王芳"]
    assert page.select_member(people["王芳"])
    assert page.actions_["return"].isEnabled() and not page.actions_["transfer"].isEnabled()


def test_import_with_preview_then_export_round_trip(qtbot, page, tree_database, tmp_path, monkeypatch,
                                                    message_boxes):
    """Export the ledger, change the file's organisation names, import it: preview, then apply."""
    from openpyxl import load_workbook

    from ui.members.import_dialog import ImportDialog

    out = tmp_path / "台账.xlsx"
    page.export_view(str(out))
    assert out.is_file()
    # GIVEN a sheet whose rows name an organisation the tree does not have, and one broken ID
    book = load_workbook(out)
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    org_col, id_col = headers.index("所在党组织") + 1, headers.index("身份证号") + 1
    sheet.cell(row=2, column=org_col, value="新建网格党支部")
    sheet.cell(row=3, column=id_col, value="11010519700301123X")
    book.save(out)
    seen = {}

    def user_reviews(dialog: ImportDialog) -> int:
        seen["summary"] = dialog.findChild(QLabel, "importSummary").text()
        seen["rejected"] = dialog.rejected_model.rowCount()
        QAbstractItemModelTester(dialog.rejected_model, FATAL)
        assert "新建网格党支部" in dialog.org_choices
        dialog.accept()  # default: create it under the top organisation
        return dialog.result()

    monkeypatch.setattr(ImportDialog, "exec", user_reviews)
    monkeypatch.setattr(page, "_report_import", lambda result: seen.setdefault("result", result))
    page.import_sheet(str(out))
    assert seen["rejected"] == 1
    result = seen["result"]
    assert (result.rejected, result.report_path is not None) == (1, True)
    assert result.created_orgs and result.created_orgs[0].endswith("新建网格党支部")
    with tree_database.read() as session:
        assert orgs.find_by_path(session, result.created_orgs[0])
    assert page.model.rowCount() == 10  # nothing added twice: the same IDs were updated


def test_editing_keeps_history_shown_in_the_form(qtbot, page, people, tree_database, monkeypatch):
    assert page.select_member(people["赵敏"])

    def user_edits(dialog: MemberDialog) -> int:
        dialog.edits["mobile"].clear()
        type_text(qtbot, dialog.edits["mobile"], "138 0000 1111")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(MemberDialog, "exec", user_edits)
    changed = []
    page.model.dataChanged.connect(lambda *_: changed.append(True))
    page.actions_["edit"].trigger()
    assert changed  # the one row was repainted, not the whole table reset
    with tree_database.read() as session:
        assert members.get(session, people["赵敏"]).data.mobile == "13800001111"
    seen = {}

    def user_looks(dialog: MemberDialog) -> int:
        seen["history"] = [dialog.history.item(i).text() for i in range(dialog.history.count())]
        return 0

    monkeypatch.setattr(MemberDialog, "exec", user_looks)
    page.actions_["edit"].trigger()
    assert "手机：13900000005 → 13800001111" in seen["history"][0]
    assert "新增" in seen["history"][-1]


def test_floating_and_lost_flags_show_read_only_in_the_form(qtbot, page, people, tree_database, monkeypatch):
    # GIVEN 赵敏 is away, as the 流动党员之家's records say
    with tree_database.unit_of_work() as session:
        member = session.get(Member, people["赵敏"])
        member.floating, member.floating_destination = True, "广东省 深圳市"
    assert page.select_member(people["赵敏"])
    seen = {}

    def user_looks(dialog: MemberDialog) -> int:
        for name in ("floating", "floating_destination", "lost_contact", "lost_contact_on"):
            seen[name] = dialog.edits[name].isEnabled()
        seen["values"] = (dialog.edits["floating"].isChecked(), dialog.edits["floating_destination"].text())
        seen["hint"] = dialog.findChild(QLabel, "derivedHint").text()
        return 0

    monkeypatch.setattr(MemberDialog, "exec", user_looks)
    page.actions_["edit"].trigger()
    # THEN the form shows them, cannot change them, and says where they are kept
    assert seen["values"] == (True, "广东省 深圳市")
    assert not any(seen[n] for n in ("floating", "floating_destination", "lost_contact", "lost_contact_on"))
    assert "流动党员之家" in seen["hint"]


def test_the_form_reaches_the_meeting_and_dues_dialogs(qtbot, page, people, monkeypatch):
    import ui.dues.dialog
    import ui.meetings.dialog
    from app.changes import DUES

    asked = []
    monkeypatch.setattr(ui.dues.dialog, "open_dues_dialog", lambda parent, db, member_id: asked.append(member_id) or DUES)
    monkeypatch.setattr(ui.meetings.dialog, "open_meeting_dialog",
                        lambda parent, db, preselect_member_ids: asked.append(tuple(preselect_member_ids)))
    assert page.select_member(people["赵敏"])

    def user_clicks(dialog: MemberDialog) -> int:
        with qtbot.waitSignal(page.changed):
            dialog.findChild(QPushButton, "memberDues").click()
        dialog.findChild(QPushButton, "memberMeeting").click()  # cancelled: nothing emitted
        return 0

    monkeypatch.setattr(MemberDialog, "exec", user_clicks)
    page.actions_["edit"].trigger()
    assert asked == [people["赵敏"], (people["赵敏"],)]


def test_inflow_members_show_only_under_their_own_filter(qtbot, page, people, tree_database):
    from db.models import InflowMember

    with tree_database.unit_of_work() as session:
        grid1 = orgs.find_by_path(session, "幸福里社区党委/第一网格党支部").id
        session.add(InflowMember(name="孙流入", name_sort="sun1 liu2 ru4", arrived_on=date(2026, 5, 1),
                                 host_org_id=grid1, home_org="河南省周口市某村党支部"))
    page.reload()
    before = page.model.rowCount()
    # not in the ledger's list
    assert "孙流入" not in [page.model.data(page.model.index(r, Column.NAME)) for r in range(before)]
    # WHEN the user picks their filter
    page.identity.setCurrentText("流入党员（组织关系在外）")
    QAbstractItemModelTester(page.inflow_proxy, QAbstractItemModelTester.FailureReportingMode.Fatal)
    # THEN their list shows instead, counted apart, and member actions are off
    assert page.tables.currentWidget() is page.inflow_view
    assert page.inflow_proxy.rowCount() == 1
    assert page.count_label.text() == "流入党员 1 人（组织关系在外，不计入台账统计）"
    assert not page.actions_["edit"].isEnabled() and not page.status.isEnabled()
    type_text(qtbot, page.search, "slr")
    page.apply_filter()
    assert page.inflow_proxy.rowCount() == 1
    page.search.clear()
    page.identity.setCurrentIndex(0)
    assert page.tables.currentWidget() is page.view and page.model.rowCount() == before


def test_year_record_opens_for_the_selected_member(qtbot, page, people, monkeypatch):
    import ui.evaluation.record_dialog
    from app.changes import EVALUATION

    opened = []
    monkeypatch.setattr(ui.evaluation.record_dialog, "open_year_record",
                        lambda parent, db, member_id: opened.append(member_id) or EVALUATION)
    assert page.select_member(people["赵敏"])
    with qtbot.waitSignal(page.changed):
        page.actions_["record"].trigger()
    assert opened == [people["赵敏"]]
    page.view.clearSelection()
    page.view.setCurrentIndex(page.model.index(-1, 0))
    page._update_actions()
    assert not page.actions_["record"].isEnabled()
