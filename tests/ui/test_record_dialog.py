"""年度记实 dialog: a demo member's year — notes typed and saved, attendance and dues shown, volunteer hours
added and deleted, read-only mode; every table model through QAbstractItemModelTester."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy import select

from app import dues
from app import evaluation_records as records
from app.database import open_app_database
from app.evaluation_records import Q3, Q4, REWARD, RewardInput, VolunteerInput
from db.models import Member
from tests.ui.chinese_input import type_text
from ui.evaluation import record_dialog
from ui.evaluation.record_dialog import (
    AbsenceModel,
    AttendanceModel,
    DualReportModel,
    DuesBaseDialog,
    DuesBaseModel,
    DuesMonthModel,
    RewardModel,
    VolunteerDialog,
    VolunteerModel,
    YearRecordDialog,
    open_year_record,
)

FATAL = QAbstractItemModelTester.FailureReportingMode.Fatal
# The third quarter has begun, the fourth not yet.
TODAY = date(date.today().year, 8, 15)
YEAR = TODAY.year


@pytest.fixture
def member_id(demo_database) -> int:
    """A 在册 demo member with meetings held and dues paid this year."""
    with demo_database.read() as session:
        for found, in session.execute(select(Member.id).where(Member.status == "在册").order_by(Member.id)):
            record = records.year_record(session, found, YEAR, today=TODAY)
            if record.attendance and record.dues.payments and record.joined_on.year < YEAR:
                return found
    pytest.fail("the demo has no member with meetings and dues this year")


def make_dialog(qtbot, database, member_id, **kwargs) -> YearRecordDialog:
    dialog = YearRecordDialog(database, member_id, today=TODAY, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def texts(model, column) -> list[str]:
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def test_every_model_passes_the_model_tester(qtbot, demo_database, member_id):
    dialog = make_dialog(qtbot, demo_database, member_id)
    models = [dialog.attendance_model, dialog.absence_model, dialog.volunteer_model, dialog.dual_model,
              dialog.dues_base_model, dialog.dues_model, dialog.reward_model]
    testers = [QAbstractItemModelTester(m, FATAL) for m in models]
    for kind in (AttendanceModel, AbsenceModel, VolunteerModel, DualReportModel, DuesBaseModel, DuesMonthModel,
                 RewardModel):
        testers.append(QAbstractItemModelTester(kind(), FATAL))
    dialog.reload()  # resets pass the testers too
    assert dialog.attendance_model.headerData(3, Qt.Orientation.Horizontal) == "出席率"
    assert len(testers) == 14


def test_the_dues_base_model_passes_the_model_tester_with_rows(qtbot, demo_database, member_id):
    with demo_database.unit_of_work() as session:
        records.set_dues_base(session, member_id, date(YEAR, 1, 1), "在职", base_fen=500000)
        records.set_dues_base(session, member_id, date(YEAR, 5, 1), "农民", farmer_amount_fen=50)
    dialog = make_dialog(qtbot, demo_database, member_id)
    tester = QAbstractItemModelTester(dialog.dues_base_model, FATAL)
    dialog.reload()
    model = dialog.dues_base_model
    assert tester is not None and model.rowCount() == 2 and model.columnCount() == 4
    assert texts(model, 0) == [f"{YEAR}年1月", f"{YEAR}年5月"]
    assert texts(model, 2) == ["5000.00", "0.50"] and texts(model, 3) == ["50.00", "0.50"]
    assert model.headerData(3, Qt.Orientation.Horizontal) == "每月应交（元）"


def test_the_year_shows_attendance_and_dues(qtbot, demo_database, member_id):
    # GIVEN a demo member with meetings and payments this year
    with demo_database.read() as session:
        record = records.year_record(session, member_id, YEAR, today=TODAY)
    # WHEN the record opens
    dialog = make_dialog(qtbot, demo_database, member_id)
    # THEN the title names the member and the year, the attendance and the dues grid are filled
    assert dialog.windowTitle() == f"年度记实 — {record.name} — {YEAR}年"
    assert dialog.year_combo.currentData() == YEAR
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "小结与评语", "组织生活", "志愿服务与双报到", "党费", "奖惩"]
    model = dialog.attendance_model
    assert model.rowCount() == len(record.attendance) + 1
    assert texts(model, 0)[-1] == "合计"
    assert texts(model, 1)[-1] == str(record.attendance_total.held)
    assert texts(model, 3)[-1].endswith("%")
    assert dialog.absence_model.rowCount() == len(record.absences)
    dues = dialog.dues_model
    assert dues.rowCount() == 12 and texts(dues, 0)[0] == f"{YEAR}年1月"
    first_paid = record.dues.payments[0]
    assert texts(dues, 3)[first_paid.period.month - 1].startswith(f"{first_paid.paid_on:%Y-%m-%d}")
    assert dialog.dues_arrears.text()


def test_arrears_line_names_the_months_beyond_the_back_payment_limit(qtbot, demo_database, member_id):
    # GIVEN a base from January and a year viewed in December with nothing paid after March
    today = date(YEAR, 12, 10)
    with demo_database.unit_of_work() as session:
        records.set_dues_base(session, member_id, date(YEAR, 1, 1), "在职", base_fen=500000)
        record = records.year_record(session, member_id, YEAR, today=today)
    dialog = YearRecordDialog(demo_database, member_id, today=today)
    qtbot.addWidget(dialog)
    arrears = record.dues.arrears
    assert texts(dialog.dues_model, 1)[0] == "50.00"
    if arrears.months:
        assert f"欠缴 {len(arrears.months)} 个月" in dialog.dues_arrears.text()
    if arrears.beyond_back_payment:
        assert "已超过六个月补交期限" in dialog.dues_arrears.text()


def test_type_a_third_quarter_summary_and_save_it_with_the_operator(qtbot, demo_database, member_id):
    dialog = make_dialog(qtbot, demo_database, member_id)
    edit = dialog.findChild(type(dialog.note_edits[Q3]), "noteQ3")
    assert edit is dialog.note_edits[Q3] and not edit.isReadOnly()
    assert not dialog.save_button.isEnabled()
    # WHEN the user types a summary and presses 保存
    type_text(qtbot, edit, "按时参加主题党日，完成志愿服务2次。")
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    # THEN it is stored with the operator and today, and shown under the editor
    with demo_database.read() as session:
        stored = {n.kind: n for n in records.notes(session, member_id, YEAR)}
    assert stored[Q3].text == "按时参加主题党日，完成志愿服务2次。"
    assert stored[Q3].written_by == "社区党委办公室" and stored[Q3].written_on == TODAY
    assert dialog.note_meta[Q3].text() == f"社区党委办公室　{TODAY:%Y-%m-%d} 填写"
    assert dialog.changes.evaluation and not dialog.dirty_notes()
    assert not dialog.save_button.isEnabled()


def test_ctrl_s_saves_and_a_refused_note_is_shown_in_chinese(qtbot, demo_database, member_id):
    dialog = make_dialog(qtbot, demo_database, member_id)
    dialog.note_edits[Q3].setPlainText("季度小结")
    dialog.note_edits[records.YEAR_END].setPlainText("长" * (records.NOTE_LIMIT + 1))
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    qtbot.keyClick(dialog.note_edits[Q3], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    # the too long note is refused and nothing is saved, not even the good one
    assert "不能超过" in dialog.note_errors[records.YEAR_END].text()
    assert dialog.note_errors[records.YEAR_END].isVisible()
    with demo_database.read() as session:
        assert records.notes(session, member_id, YEAR) == []
    dialog.note_edits[records.YEAR_END].setPlainText("")
    qtbot.keyClick(dialog.note_edits[Q3], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    with demo_database.read() as session:
        assert [n.kind for n in records.notes(session, member_id, YEAR)] == [Q3]
    assert not dialog.note_errors[records.YEAR_END].isVisible()


def test_a_quarter_not_yet_begun_is_disabled_with_a_hint(qtbot, demo_database, member_id):
    dialog = make_dialog(qtbot, demo_database, member_id)
    edit = dialog.note_edits[Q4]
    assert not edit.isEnabled() and edit.isReadOnly()
    assert dialog.note_meta[Q4].text() == f"第四季度从 {YEAR}-10-01 开始，届时才能填写。"
    # a past year: every note can be written
    dialog.year_combo.setCurrentIndex(dialog.year_combo.findData(YEAR - 1))
    assert dialog.windowTitle().endswith(f"{YEAR - 1}年")
    assert dialog.note_edits[Q4].isEnabled() and not dialog.note_edits[Q4].isReadOnly()


def add_volunteer(monkeypatch, dialog, user) -> dict:
    seen = {}

    def fake_exec(volunteer: VolunteerDialog) -> bool:
        seen["dialog"] = volunteer
        return user(volunteer)

    monkeypatch.setattr(VolunteerDialog, "exec", fake_exec)
    dialog.add_volunteer_button.click()
    return seen


def test_add_volunteer_hours_and_see_the_total(qtbot, monkeypatch, demo_database, member_id):
    dialog = make_dialog(qtbot, demo_database, member_id)
    before = dialog.volunteer_model.rowCount()

    def user(volunteer: VolunteerDialog) -> bool:
        assert not volunteer.ok.isEnabled()
        volunteer.served_on.setDate(volunteer.served_on.date().addDays(-3))
        type_text(qtbot, volunteer.activity, "社区环境整治")
        qtbot.keyClicks(volunteer.hours, "1.5")
        assert volunteer.ok.isEnabled()
        qtbot.mouseClick(volunteer.ok, Qt.MouseButton.LeftButton)
        return volunteer.result() == VolunteerDialog.DialogCode.Accepted

    add_volunteer(monkeypatch, dialog, user)
    assert dialog.volunteer_model.rowCount() == before + 1
    with demo_database.read() as session:
        record = records.year_record(session, member_id, YEAR, today=TODAY)
    assert record.volunteer[-1].activity == "社区环境整治" and record.volunteer[-1].hours_tenths == 15
    assert dialog.volunteer_total.text().endswith(f"合计 {records.format_hours(record.volunteer_hours_tenths)} 小时")
    assert "1.5" in texts(dialog.volunteer_model, 2)


def test_bad_hours_show_the_chinese_error_and_save_nothing(qtbot, monkeypatch, demo_database, member_id):
    dialog = make_dialog(qtbot, demo_database, member_id)
    before = dialog.volunteer_model.rowCount()

    def user(volunteer: VolunteerDialog) -> bool:
        type_text(qtbot, volunteer.activity, "助老服务")
        qtbot.keyClicks(volunteer.hours, "abc")
        error = volunteer.findChild(type(volunteer.general_error), "hoursError")
        assert not error.isHidden() and error.text() == "服务时长“abc”不是数字，请填写如 1.5 的小时数。"
        assert not volunteer.ok.isEnabled()
        volunteer.accept()  # even forced, nothing is saved
        return volunteer.result() == VolunteerDialog.DialogCode.Accepted

    add_volunteer(monkeypatch, dialog, user)
    assert dialog.volunteer_model.rowCount() == before
    with demo_database.read() as session:
        assert len(records.volunteer_services(session, member_id, YEAR)) == before
    assert not dialog.changes.any


@pytest.mark.parametrize("answer", [False, True])
def test_delete_a_volunteer_entry_asks_first(qtbot, monkeypatch, demo_database, member_id, answer):
    with demo_database.unit_of_work() as session:
        records.add_volunteer(session, member_id, VolunteerInput(date(YEAR, 5, 3), "清理楼道", "2"), today=TODAY)
    dialog = make_dialog(qtbot, demo_database, member_id)
    row = texts(dialog.volunteer_model, 1).index("清理楼道")
    assert not dialog.delete_volunteer_button.isEnabled()
    dialog.volunteer_view.selectRow(row)
    assert dialog.delete_volunteer_button.isEnabled()
    asked = []
    monkeypatch.setattr(record_dialog, "confirm", lambda _p, title, text, _ok="确定": asked.append(text) or answer)
    dialog.delete_volunteer_button.click()
    assert asked and "清理楼道" in asked[0]
    with demo_database.read() as session:
        left = [v.activity for v in records.volunteer_services(session, member_id, YEAR)]
    assert ("清理楼道" in left) is not answer
    assert ("清理楼道" in texts(dialog.volunteer_model, 1)) is not answer


@pytest.mark.parametrize("answer", [False, True])
def test_delete_a_reward_asks_first(qtbot, monkeypatch, demo_database, member_id, answer):
    with demo_database.unit_of_work() as session:
        records.add_reward(session, member_id, RewardInput(REWARD, date(YEAR, 7, 1), "优秀共产党员", "社区党委"),
                           today=TODAY)
    dialog = make_dialog(qtbot, demo_database, member_id)
    dialog.reward_view.selectRow(texts(dialog.reward_model, 2).index("优秀共产党员"))
    monkeypatch.setattr(record_dialog, "confirm", lambda *_a, **_k: answer)
    dialog.delete_reward_button.click()
    with demo_database.read() as session:
        assert bool(records.rewards(session, member_id, YEAR)) is not answer


def set_base(monkeypatch, dialog, user) -> dict:
    seen = {}

    def fake_exec(base: DuesBaseDialog) -> bool:
        seen["dialog"] = base
        return user(base)

    monkeypatch.setattr(DuesBaseDialog, "exec", fake_exec)
    dialog.set_dues_base_button.click()
    return seen


def test_set_a_working_base_from_january_fills_the_months_and_arrears(qtbot, monkeypatch, demo_database,
                                                                       member_id):
    # GIVEN no base yet and March and April left unpaid
    with demo_database.unit_of_work() as session:
        for payment in dues.payments(session, member_id):
            if payment.period in (date(YEAR, 3, 1), date(YEAR, 4, 1)):
                dues.delete_payment(session, payment.id)
    dialog = make_dialog(qtbot, demo_database, member_id)
    assert texts(dialog.dues_model, 1)[0] == "—" and dialog.dues_base_model.rowCount() == 0
    assert dialog.set_dues_base_button.isEnabled() and not dialog.delete_dues_base_button.isEnabled()
    emitted = []
    dialog.record_changed.connect(emitted.append)

    def user(base: DuesBaseDialog) -> bool:
        assert base.objectName() == "dues_base_dialog"
        assert base.effective_from.value() == TODAY.replace(day=1)  # the current month by default
        assert not base.ok.isEnabled()
        base.effective_from.set_value(date(YEAR, 1, 1))
        base.category.setCurrentText("在职")
        assert base.amount_label.text() == "每月工资收入（税后，元）*"
        qtbot.keyClicks(base.amount, "5000")
        assert base.due.text() == "每月应交 50.00 元"
        assert base.ok.isEnabled()
        qtbot.mouseClick(base.ok, Qt.MouseButton.LeftButton)
        return base.result() == DuesBaseDialog.DialogCode.Accepted

    set_base(monkeypatch, dialog, user)
    with demo_database.read() as session:
        stored = records.dues_bases(session, member_id)
        record = records.year_record(session, member_id, YEAR, today=TODAY)
    assert [(b.effective_from, b.category, b.base_fen, b.farmer_amount_fen) for b in stored] == [
        (date(YEAR, 1, 1), "在职", 500000, None)]
    assert texts(dialog.dues_base_model, 3) == ["50.00"]
    assert texts(dialog.dues_model, 1) == ["50.00"] * 12
    paid = {p.period.month for p in record.dues.payments}
    unpaid_past = [m for m in range(1, TODAY.month) if m not in paid]
    assert [m.month for m in record.dues.arrears.months] == unpaid_past and {3, 4} <= set(unpaid_past)
    statuses = texts(dialog.dues_model, 3)
    for month in unpaid_past:
        assert statuses[month - 1].startswith("欠缴")
    assert f"欠缴 {len(unpaid_past)} 个月" in dialog.dues_arrears.text()
    assert f"共 {len(unpaid_past) * 50}.00 元" in dialog.dues_arrears.text()
    assert "每月 50.00 元" in dialog.dues_base.text()
    assert emitted and dialog.changes.evaluation


def test_a_farmer_amount_above_one_yuan_is_refused_inline(qtbot, monkeypatch, demo_database, member_id):
    dialog = make_dialog(qtbot, demo_database, member_id)

    def user(base: DuesBaseDialog) -> bool:
        base.category.setCurrentText("农民")
        assert base.amount_label.text() == "每月金额（元）*"
        qtbot.keyClicks(base.amount, "1.5")
        error = base.findChild(QLabel, "duesAmountError")
        assert not error.isHidden() and error.text() == "农民党员每月交纳党费 0.20 至 1.00 元，现为 1.50 元。"
        assert not base.ok.isEnabled()
        base.accept()  # even forced, nothing is saved
        assert base.result() != DuesBaseDialog.DialogCode.Accepted
        base.amount.setText("0.5")
        assert error.isHidden() and base.due.text() == "每月应交 0.50 元" and base.ok.isEnabled()
        base.category.setCurrentText("学生")  # a flat category: no amount to type
        assert base.amount.isHidden() and base.due.text() == "每月 0.20 元（固定标准）" and base.ok.isEnabled()
        return False

    set_base(monkeypatch, dialog, user)
    with demo_database.read() as session:
        assert records.dues_bases(session, member_id) == []
    assert not dialog.changes.any


@pytest.mark.parametrize("answer", [False, True])
def test_delete_a_dues_base_asks_first(qtbot, monkeypatch, demo_database, member_id, answer):
    with demo_database.unit_of_work() as session:
        records.set_dues_base(session, member_id, date(YEAR, 1, 1), "在职", base_fen=500000)
    dialog = make_dialog(qtbot, demo_database, member_id)
    assert texts(dialog.dues_model, 1)[0] == "50.00"
    assert not dialog.delete_dues_base_button.isEnabled()
    dialog.dues_base_view.selectRow(0)
    assert dialog.delete_dues_base_button.isEnabled()
    asked = []
    monkeypatch.setattr(record_dialog, "confirm", lambda _p, title, text, _ok="确定": asked.append(text) or answer)
    dialog.delete_dues_base_button.click()
    assert asked == [f"删除 {YEAR}年1月起的党费基数（在职，每月 50.00 元）？"]
    with demo_database.read() as session:
        assert bool(records.dues_bases(session, member_id)) is not answer
    assert dialog.dues_base_model.rowCount() == (0 if answer else 1)
    assert texts(dialog.dues_model, 1)[0] == ("—" if answer else "50.00")


def test_read_only_database_disables_every_editor(qtbot, demo_db_path, member_id, demo_database):
    demo_database.close()
    readonly = open_app_database(demo_db_path, readonly=True)
    try:
        dialog = make_dialog(qtbot, readonly, member_id)
        assert dialog.readonly_label.isVisible()
        assert all(edit.isReadOnly() for edit in dialog.note_edits.values())
        for button in (dialog.save_button, dialog.add_volunteer_button, dialog.delete_volunteer_button,
                       dialog.add_dual_button, dialog.end_dual_button, dialog.add_reward_button,
                       dialog.delete_reward_button, dialog.set_dues_base_button,
                       dialog.delete_dues_base_button):
            assert not button.isEnabled(), button.objectName()
        assert dialog.attendance_model.rowCount() > 0
        assert dialog.save_notes() is False
        dialog.close()
    finally:
        readonly.close()


def test_open_year_record_returns_the_changes_or_none(qtbot, monkeypatch, demo_database, member_id):
    def fake_exec(dialog: YearRecordDialog) -> int:
        qtbot.addWidget(dialog)
        dialog.note_edits[Q3].setPlainText("一句小结")
        dialog.save_notes()
        return 0

    monkeypatch.setattr(YearRecordDialog, "exec", fake_exec)
    changes = open_year_record(None, demo_database, member_id, today=TODAY)
    assert changes is not None and changes.evaluation
    monkeypatch.setattr(YearRecordDialog, "exec", lambda dialog: qtbot.addWidget(dialog) or 0)
    assert open_year_record(None, demo_database, member_id, year=YEAR - 1, today=TODAY) is None


# ---------------------------------------------------------------- editing rows


def test_edit_a_volunteer_entry_prefilled_by_double_click(qtbot, monkeypatch, demo_database, member_id):
    # GIVEN an entry of two hours, with a note the form does not show
    with demo_database.unit_of_work() as session:
        service_id, _ = records.add_volunteer(
            session, member_id, VolunteerInput(date(YEAR, 5, 3), "清理楼道", "2", "与楼栋长一起"), today=TODAY)
    dialog = make_dialog(qtbot, demo_database, member_id)
    row = texts(dialog.volunteer_model, 1).index("清理楼道")
    assert not dialog.edit_volunteer_button.isEnabled()
    seen = []

    def user(volunteer: VolunteerDialog) -> bool:
        seen.append(volunteer)
        # THEN the form shows the row's values
        assert volunteer.windowTitle() == "修改志愿服务"
        assert (volunteer.served_on.date().toString("yyyy-MM-dd"), volunteer.activity.text(),
                volunteer.hours.text()) == (f"{YEAR}-05-03", "清理楼道", "2")
        assert volunteer.ok.isEnabled()
        # WHEN the user corrects the hours and saves
        volunteer.hours.selectAll()
        qtbot.keyClicks(volunteer.hours, "3.5")
        qtbot.mouseClick(volunteer.ok, Qt.MouseButton.LeftButton)
        return volunteer.result() == VolunteerDialog.DialogCode.Accepted

    monkeypatch.setattr(VolunteerDialog, "exec", user)
    # WHEN the user double-clicks the row
    dialog.tabs.setCurrentWidget(dialog.findChild(QWidget, "volunteerTab"))
    index = dialog.volunteer_model.index(row, 1)
    dialog.volunteer_view.selectRow(row)
    assert dialog.edit_volunteer_button.isEnabled()
    rect = dialog.volunteer_view.visualRect(index)
    # (QTest's double click is the second click only: the view wants the first press too)
    qtbot.mouseClick(dialog.volunteer_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dialog.volunteer_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert len(seen) == 1
    # THEN the table and the database have the new hours, the note kept
    assert texts(dialog.volunteer_model, 2)[texts(dialog.volunteer_model, 1).index("清理楼道")] == "3.5"
    with demo_database.read() as session:
        [stored] = [v for v in records.volunteer_services(session, member_id, YEAR) if v.id == service_id]
    assert (stored.hours_tenths, stored.note, stored.served_on) == (35, "与楼栋长一起", date(YEAR, 5, 3))
    assert dialog.changes.evaluation
    assert dialog._selected(dialog.volunteer_view, dialog.volunteer_model).id == service_id  # still selected


def test_enter_on_a_row_opens_the_edit_and_not_the_dialogs_close(qtbot, monkeypatch, demo_database, member_id):
    with demo_database.unit_of_work() as session:
        records.add_volunteer(session, member_id, VolunteerInput(date(YEAR, 5, 3), "清理楼道", "2"), today=TODAY)
    dialog = make_dialog(qtbot, demo_database, member_id)
    seen = []
    monkeypatch.setattr(VolunteerDialog, "exec", lambda volunteer: seen.append(volunteer.activity.text()) or False)
    dialog.tabs.setCurrentWidget(dialog.findChild(QWidget, "volunteerTab"))
    dialog.volunteer_view.setFocus()
    dialog.volunteer_view.selectRow(texts(dialog.volunteer_model, 1).index("清理楼道"))
    qtbot.keyClick(dialog.volunteer_view, Qt.Key.Key_Return)
    assert seen == ["清理楼道"] and dialog.isVisible()
    assert not dialog.changes.any  # cancelled: nothing changed


def test_edit_a_dual_report_and_end_it(qtbot, monkeypatch, demo_database, member_id):
    from ui.evaluation.record_dialog import DualReportDialog, EndDualReportDialog

    with demo_database.unit_of_work() as session:
        report_id, _ = records.add_dual_report(
            session, member_id, records.DualReportInput("区税务局", date(YEAR, 3, 1), "政策宣讲", "报到单已收"),
            today=TODAY)
    dialog = make_dialog(qtbot, demo_database, member_id)
    row = texts(dialog.dual_model, 0).index("区税务局")
    dialog.dual_view.selectRow(row)
    assert dialog.edit_dual_button.isEnabled() and dialog.end_dual_button.isEnabled()

    def edit(report: DualReportDialog) -> bool:
        assert report.windowTitle() == "修改双报到"
        assert (report.employer.text(), report.wishes.text()) == ("区税务局", "政策宣讲")
        report.employer.setText("区税务局第一分局")
        report.wishes.setText("政策宣讲、助老服务")
        report.ok.click()
        return report.result() == DualReportDialog.DialogCode.Accepted

    monkeypatch.setattr(DualReportDialog, "exec", edit)
    dialog.edit_dual_button.click()
    assert texts(dialog.dual_model, 0)[row] == "区税务局第一分局"
    with demo_database.read() as session:
        [stored] = [r for r in records.dual_reports(session, member_id) if r.id == report_id]
    assert (stored.employer, stored.wishes, stored.note) == ("区税务局第一分局", "政策宣讲、助老服务", "报到单已收")

    def end(ending: EndDualReportDialog) -> bool:
        ending.ended_on.setDate(ending.ended_on.date().addDays(-1))
        ending.ok.click()
        return ending.result() == EndDualReportDialog.DialogCode.Accepted

    monkeypatch.setattr(EndDualReportDialog, "exec", end)
    dialog.end_dual_button.click()
    assert texts(dialog.dual_model, 3)[row] == f"{TODAY.replace(day=14):%Y-%m-%d}"
    # an ended report can still be corrected, but not ended again
    assert dialog.edit_dual_button.isEnabled() and not dialog.end_dual_button.isEnabled()


def test_edit_a_reward_prefilled(qtbot, monkeypatch, demo_database, member_id):
    from ui.evaluation.record_dialog import RewardDialog

    with demo_database.unit_of_work() as session:
        reward_id, _ = records.add_reward(
            session, member_id, RewardInput(REWARD, date(YEAR, 7, 1), "优秀共产党员", "社区党委", "七一表彰"),
            today=TODAY)
    dialog = make_dialog(qtbot, demo_database, member_id)
    dialog.reward_view.selectRow(texts(dialog.reward_model, 2).index("优秀共产党员"))

    def user(reward: RewardDialog) -> bool:
        assert reward.windowTitle() == "修改奖惩"
        assert (reward.kind.currentText(), reward.decided_on.date().toString("yyyy-MM-dd"), reward.title.text(),
                reward.decided_by.text()) == (REWARD, f"{YEAR}-07-01", "优秀共产党员", "社区党委")
        reward.title.setText("优秀共产党员（街道级）")
        reward.decided_by.setText("街道党工委")
        reward.ok.click()
        return reward.result() == RewardDialog.DialogCode.Accepted

    monkeypatch.setattr(RewardDialog, "exec", user)
    dialog.edit_reward_button.click()
    assert "优秀共产党员（街道级）" in texts(dialog.reward_model, 2)
    with demo_database.read() as session:
        [stored] = [r for r in records.rewards(session, member_id) if r.id == reward_id]
    assert (stored.title, stored.decided_by, stored.note) == ("优秀共产党员（街道级）", "街道党工委", "七一表彰")


def test_read_only_database_disables_the_edit_buttons(qtbot, demo_db_path, member_id, demo_database):
    with demo_database.unit_of_work() as session:
        records.add_volunteer(session, member_id, VolunteerInput(date(YEAR, 5, 3), "清理楼道", "2"), today=TODAY)
    demo_database.close()
    readonly = open_app_database(demo_db_path, readonly=True)
    try:
        dialog = make_dialog(qtbot, readonly, member_id)
        dialog.volunteer_view.selectRow(0)
        for button in (dialog.edit_volunteer_button, dialog.edit_dual_button, dialog.edit_reward_button):
            assert not button.isEnabled(), button.objectName()
        dialog.edit_volunteer()  # nothing opens
        dialog.close()
    finally:
        readonly.close()
