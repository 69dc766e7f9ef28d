"""党费登记: finding the member, months and amount with a live total, inline problems, saving."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from app import dues, members, orgs
from app.dates import add_months
from app.dues import DuesInput, PaymentRow, month_label
from app.idcard import check_code
from app.members import MemberInput
from tests.ui.chinese_input import type_text
from ui.dues.dialog import DuesDialog, PaymentColumn, PaymentsModel, open_dues_dialog

FATAL = QAbstractItemModelTester.FailureReportingMode.Fatal
GRID1 = "幸福里社区党委/第一网格党支部"
TODAY = date.today()
THIS_MONTH = TODAY.replace(day=1)


def make_id(birth: str, seq: str) -> str:
    first17 = "110105" + birth + seq
    return first17 + check_code(first17)


@pytest.fixture
def people(tree_database) -> dict[str, int]:
    ids = {}
    with tree_database.unit_of_work() as session:
        grid1 = orgs.find_by_path(session, GRID1).id
        for n, name in enumerate(("张建国", "李秀英", "张小红")):
            ids[name], _ = members.create(session, MemberInput(
                name=name, id_number=make_id(f"19{70 + n}0301", f"12{n}"), org_id=grid1,
                joined_on=date(1995, 7, 1), category="正式党员", confirmed_on=date(1996, 7, 1)))
    return ids


def pay(database, member_id: int, first: date, last: date, fen: int = 1000) -> None:
    with database.unit_of_work() as session:
        dues.record_payment(session, DuesInput(member_id, first, last, fen, paid_on=TODAY))


def run_dialog(monkeypatch, user, database, **kwargs):
    seen = {}

    def fake_exec(dialog: DuesDialog) -> bool:
        seen["dialog"] = dialog
        return user(dialog)

    monkeypatch.setattr(DuesDialog, "exec", fake_exec)
    changes = open_dues_dialog(None, database, **kwargs)
    return changes, seen["dialog"]


def test_payments_model_passes_the_model_tester():
    model = PaymentsModel()
    QAbstractItemModelTester(model, FATAL)
    model.set_rows([PaymentRow(1, 1, date(2026, 3, 1), date(2026, 3, 5), 1250, "本组织", "微信转账", "周书记")])
    assert [model.data(model.index(0, c)) for c in PaymentColumn] == [
        "2026年3月", "12.50", "2026-03-05", "本组织", "周书记", "微信转账"]
    assert model.headerData(1, Qt.Orientation.Horizontal) == "金额（元）"
    model.set_rows([])
    assert model.rowCount() == 0


def test_find_the_member_type_the_amount_see_the_total_and_save(qtbot, monkeypatch, tree_database, people):
    def user(dialog: DuesDialog) -> bool:
        assert dialog.windowTitle() == "党费登记"
        assert not dialog.ok.isEnabled()
        assert dialog.errors["member_id"].text() == "请从列表中选择缴纳党费的党员。"
        # the member by pinyin initials: zjg finds 张建国 alone
        qtbot.keyClicks(dialog.member_search, "zjg")
        dialog.search_members()
        assert dialog.member_list.count() == 1 and dialog.selected_member() == people["张建国"]
        assert dialog.history_empty.text() == "尚无缴纳记录。"
        # three months at 12.50 yuan
        dialog.first_month.set_value(add_months(THIS_MONTH, -2))
        assert dialog.total.text() == "共 3 个月"
        qtbot.keyClicks(dialog.amount, "12.5")
        assert dialog.total.text() == "共 3 个月，合计 37.50 元"
        type_text(qtbot, dialog.note, "微信转账")
        assert dialog.ok.isEnabled()
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        return dialog.result() == DuesDialog.DialogCode.Accepted

    changes, _ = run_dialog(monkeypatch, user, tree_database)
    assert changes is not None and changes.dues
    with tree_database.read() as session:
        rows = dues.payments(session, people["张建国"])
    assert [r.period for r in rows] == [THIS_MONTH, add_months(THIS_MONTH, -1), add_months(THIS_MONTH, -2)]
    assert {(r.amount_fen, r.paid_on, r.paid_at, r.note) for r in rows} == {(1250, TODAY, "本组织", "微信转账")}


def test_a_preset_member_shows_the_last_twelve_payments_and_refuses_a_month_paid(monkeypatch, tree_database,
                                                                               people):
    pay(tree_database, people["李秀英"], add_months(THIS_MONTH, -14), add_months(THIS_MONTH, -3), 800)
    pay(tree_database, people["李秀英"], add_months(THIS_MONTH, -2), THIS_MONTH, 1000)
    next_month = add_months(THIS_MONTH, 1)

    def user(dialog: DuesDialog) -> bool:
        assert dialog.member_label.text() == "李秀英　第一网格党支部"
        assert dialog.member_search.isHidden() and dialog.member_list.isHidden()
        model = dialog.history_model
        assert model.rowCount() == 12
        assert model.data(model.index(0, PaymentColumn.PERIOD)) == f"{TODAY.year}年{TODAY.month}月"
        assert model.data(model.index(0, PaymentColumn.AMOUNT)) == "10.00"
        # this month is paid already: the dialog offers next month, at last time's amount
        assert (dialog.first_month.value(), dialog.last_month.value()) == (next_month, next_month)
        assert dialog.amount.text() == "10.00"
        assert dialog.ok.isEnabled() and dialog.total.text() == "共 1 个月，合计 10.00 元"
        # a month paid already is named
        dialog.first_month.set_value(add_months(THIS_MONTH, -1))
        assert not dialog.ok.isEnabled()
        assert dialog.errors["first_month"].text() == (
            f"{month_label(add_months(THIS_MONTH, -1))}、{month_label(THIS_MONTH)}的党费已登记，不能重复登记。")
        dialog.first_month.set_value(add_months(THIS_MONTH, 2))  # the last month follows
        assert dialog.last_month.value() == add_months(THIS_MONTH, 2)
        assert dialog.errors["first_month"].isHidden() and dialog.ok.isEnabled()
        return False

    assert run_dialog(monkeypatch, user, tree_database, member_id=people["李秀英"])[0] is None


def test_a_member_behind_with_dues_starts_on_the_current_month(monkeypatch, tree_database, people):
    pay(tree_database, people["张建国"], add_months(THIS_MONTH, -5), add_months(THIS_MONTH, -3))

    def user(dialog: DuesDialog) -> bool:
        assert (dialog.first_month.value(), dialog.last_month.value()) == (THIS_MONTH, THIS_MONTH)
        return False

    run_dialog(monkeypatch, user, tree_database, member_id=people["张建国"])


@pytest.mark.parametrize(("typed", "message"), [
    ("-5", "金额不能为负数。"), ("0", "金额应大于 0。"), ("1.234", "金额最多两位小数（精确到分）。"),
    ("abc", "金额“abc”不是数字，请填写如 12.50 的金额。"), ("", "请填写金额。"),
])
def test_amount_problems_are_named_next_to_the_field(qtbot, monkeypatch, tree_database, people, typed, message):
    def user(dialog: DuesDialog) -> bool:
        qtbot.keyClicks(dialog.amount, typed)
        assert dialog.errors["amount_fen_per_month"].text() == message
        assert dialog.total.text() == "共 1 个月"
        assert not dialog.ok.isEnabled()
        dialog.amount.setText("１２．５")  # full-width, as a Chinese input method may type it
        assert dialog.errors["amount_fen_per_month"].isHidden()
        assert dialog.total.text() == "共 1 个月，合计 12.50 元"
        return False

    run_dialog(monkeypatch, user, tree_database, member_id=people["张建国"])


def test_months_and_place(monkeypatch, tree_database, people):
    def user(dialog: DuesDialog) -> bool:
        dialog.amount.setText("2")
        dialog.last_month.set_value(add_months(THIS_MONTH, 12))
        assert dialog.total.text() == "共 13 个月，合计 26.00 元"
        assert dialog.errors["first_month"].text() == "一次最多登记 12 个月的党费（现为 13 个月）。"
        dialog.first_month.set_value(add_months(THIS_MONTH, 1))
        assert dialog.errors["first_month"].isHidden()
        dialog.last_month.set_value(THIS_MONTH)
        assert dialog.errors["first_month"].text() == "结束月份不能早于起始月份。"
        assert dialog.total.text() == ""
        dialog.last_month.set_value(add_months(THIS_MONTH, 1))
        dialog.paid_at.setCurrentText("流入地党组织")
        dialog.ok.click()
        return dialog.result() == DuesDialog.DialogCode.Accepted

    changes, _ = run_dialog(monkeypatch, user, tree_database, member_id=people["张小红"])
    assert changes is not None
    with tree_database.read() as session:
        [row] = dues.payments(session, people["张小红"])
    assert (row.period, row.amount_fen, row.paid_at) == (add_months(THIS_MONTH, 1), 200, "流入地党组织")


def test_renders_on_the_demo_community_without_clipping(qtbot, monkeypatch, demo_database, tmp_path):
    with demo_database.read() as session:
        member_id = members.ordered_ids(session, members.MemberFilter(), sort="name")[0]
        paid_before = dues.payments(session, member_id)
    if not paid_before:  # the demo community may come with payments of its own
        pay(demo_database, member_id, add_months(THIS_MONTH, -8), add_months(THIS_MONTH, -1), 1250)

    def user(dialog: DuesDialog) -> bool:
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.history_model.rowCount() == (min(len(paid_before), 12) if paid_before else 8)
        size, wanted = dialog.size(), dialog.minimumSizeHint()
        assert size.width() >= wanted.width() and size.height() >= wanted.height()
        assert dialog.total.width() >= dialog.total.sizeHint().width()
        assert dialog.grab().save(str(tmp_path / "dues_dialog.png"))
        return False

    run_dialog(monkeypatch, user, demo_database, member_id=member_id)
    assert (tmp_path / "dues_dialog.png").stat().st_size > 10_000


def test_read_only_database_opens_nothing(monkeypatch, tree_database):
    monkeypatch.setattr(tree_database, "readonly", True)
    monkeypatch.setattr(DuesDialog, "exec", lambda _d: pytest.fail("opened on a read-only database"))
    assert open_dues_dialog(None, tree_database) is None
