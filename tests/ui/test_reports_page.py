"""档案打印: choosing a document and its options, the preview, saving (one PDF, one file a member,
cancelled), printing at 100 %, opening the saved file."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QListWidget, QProgressDialog

from app import evaluation_year as ey
from app import members, orgs, settings
from app.changes import DUES, EVALUATION, SETTINGS, Changes
from app.reports.certificate_layout import CertificateLayout, save_layout
from db.models import Member
from ui.reports import documents, print_job
from ui.reports import page as page_module
from ui.reports.documents import ANNUAL, CERTIFICATES, PUBLICITY, ROSTER, Request
from ui.reports.preview import MAKING
from ui.worker import frozen_gc, run_with_progress

APPROVED, OPEN = 2025, 2026  # the demo community: 2025 approved (with certificates), 2026 in progress
BRANCH = "幸福里社区党委/第五网格党支部"
GROUP = "幸福里社区党委/第五网格党支部/13号楼党小组"


@pytest.fixture
def window(make_window, demo_database):
    window = make_window(demo_database, page="reports")
    window.resize(1280, 800)
    return window


@pytest.fixture
def page(qtbot, window):
    """The page with its first preview arrived (it is rendered in a thread), the follow-up timer stopped;
    at the end no preview is left running."""
    page = window.pages["reports"]
    qtbot.waitUntil(lambda: not page.preview_pending, timeout=30000)
    page.preview_timer.stop()
    yield page
    page.preview_timer.stop()
    page.preview_pool.waitForDone()


def previewed(qtbot, page) -> bool:
    """预览, waited for: True when the pages arrived, False when the reason was shown instead."""
    with qtbot.waitSignal(page.preview_ready, timeout=30000) as ready:
        page.preview()
    return ready.args[0]


def org_id(database, path: str) -> int:
    with database.read() as session:
        return orgs.find_by_path(session, path).id


def people_of(database, path: str, year: int = APPROVED) -> list[tuple[str, str]]:
    """(name, ID tail) of the members whose annual file the organisation's subtree prints, in order."""
    with database.read() as session:
        subtree = set(members.subtree_ids(session, orgs.find_by_path(session, path).id))
        ids = [p.member_id for p in ey.participants(session, year) if p.org_id in subtree]
        return [(m.name, m.id_number[-4:]) for m in (session.get(Member, i) for i in ids)]


def text_of(path: Path) -> str:
    return "".join(p.extract_text() for p in PdfReader(path).pages)


def page_sizes(path: Path) -> list[tuple[float, float]]:
    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(path).pages]


def stray_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]


def cancel_after_first(monkeypatch) -> None:
    """run_with_progress runs the work at once, and 取消 is pressed when the first member is done."""
    def run(_parent, _title, _label, work, **_kwargs):
        asked = []  # the renderers ask before each member: the second time, the first is done

        def cancelled() -> bool:
            asked.append(True)
            return len(asked) > 1

        return work(lambda _done, _total: None, cancelled)

    monkeypatch.setattr(page_module, "run_with_progress", run)


class FakePrintDialog:
    """The print dialog, accepted at once, printing to a PDF file (what a printer would receive)."""

    target: Path

    def __init__(self, printer: QPrinter, _parent=None) -> None:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(self.target))
        printer.setResolution(72)

    def setWindowTitle(self, _title) -> None:  # noqa: N802 (Qt name)
        pass

    def setOption(self, *_args) -> None:  # noqa: N802 (Qt name)
        pass

    def exec(self) -> QDialog.DialogCode:
        return QDialog.DialogCode.Accepted


class HeldPreview:
    """``render_preview`` (the preview thread's work) recorded, the first call held until ``release``."""

    def __init__(self) -> None:
        self.started, self.released = threading.Event(), threading.Event()
        self.rendered: list[str] = []  # the documents rendered, in order
        self.threads: list[threading.Thread] = []
        self.real = page_module.render_preview

    def __call__(self, database, request):
        self.threads.append(threading.current_thread())
        if not self.started.is_set():
            self.started.set()
            assert self.released.wait(30)
        self.rendered.append(request.document)
        return self.real(database, request)

    def release(self) -> None:
        self.released.set()


@pytest.fixture
def held(monkeypatch) -> Iterator[HeldPreview]:
    held = HeldPreview()
    monkeypatch.setattr(page_module, "render_preview", held)
    yield held
    held.release()  # a failed test leaves no thread waiting


def start_preview(page, document: str) -> None:
    page.set_document(document)
    page.preview_timer.stop()
    page.preview()


@pytest.fixture
def out_dir(tmp_path) -> Path:
    """A folder of its own for what the test writes (the test's database lies in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def print_to(monkeypatch, tmp_path):
    target = tmp_path / "printed.pdf"
    FakePrintDialog.target = target
    monkeypatch.setattr(print_job, "QPrintDialog", FakePrintDialog)
    return target


# ---------------------------------------------------------------- the page and its options


def test_the_page_comes_after_the_evaluation_in_the_navigation(window):
    areas = list(window.pages)
    assert areas.index("reports") == areas.index("evaluation") + 1
    assert areas[areas.index("reports") + 1] == "settings"
    assert window.pages["reports"].nav_title == "档案打印"
    assert window.current_area() == "reports"


def test_gui_opens_on_the_page_from_the_command_line(demo_db_path, tmp_path, user_data):
    shot = tmp_path / "reports.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DANGJIAN_DATA_DIR": str(user_data)}
    result = subprocess.run([sys.executable, "-m", "app", "gui", "--db", str(demo_db_path), "--page", "reports",
                             "--screenshot", str(shot)], env=env, capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).parents[2])
    assert result.returncode == 0, result.stderr
    assert shot.stat().st_size > 10_000


def test_each_document_shows_only_its_options(page):
    options = {"year": page.year_box, "members": page.picker, "mode": page.per_member, "paper": page.plain,
               "stars": page.min_stars, "mask": page.mask}
    expected = {
        ANNUAL: {"year", "members", "mode"},
        CERTIFICATES: {"year", "paper", "stars"},
        PUBLICITY: {"year"},
        ROSTER: {"mask"},
    }
    for document, shown in expected.items():
        page.set_document(document)
        assert {key for key, widget in options.items() if page.row_visible(widget)} == shown, document
        assert page.row_visible(page.scope_box)
        assert page.hint.text() == page_module.HINTS[document]


def test_years_and_scope_are_offered(page, demo_database):
    years = [page.year_box.itemData(i) for i in range(page.year_box.count())]
    assert APPROVED in years and OPEN in years and years == sorted(years, reverse=True)
    assert "已批准" in page.year_box.itemText(years.index(APPROVED))
    assert page.scope_box.itemText(0) == "全部" and page.scope_box.itemData(0) is None
    index = page.scope_box.findData(org_id(demo_database, GROUP))
    assert page.scope_box.itemText(index) == "　　13号楼党小组"  # indented by its depth


def test_certificates_default_to_the_last_approved_year(page):
    page.set_year(OPEN)
    page.set_document(CERTIFICATES)
    assert page.year_box.currentData() == APPROVED


# ---------------------------------------------------------------- preview


def test_preview_of_the_annual_files_renders_the_first_pages_of_a_sample(qtbot, page, demo_database):
    with demo_database.read() as session:
        everyone = len(ey.participants(session, APPROVED))
    page.set_document(ANNUAL)
    page.set_year(APPROVED)
    assert previewed(qtbot, page)
    pane = page.preview_pane
    labels = pane.page_labels()
    assert len(labels) == 3 and all(not label.pixmap().isNull() for label in labels)
    assert "（预览前 3 页）" in pane.info.text()
    # one member's file has the preview's pages: only that member is rendered
    assert pane.note.text().startswith(f"预览为前 1 名党员（共 {everyone} 人）")


def test_preview_of_certificates_and_the_refusal_of_a_year_not_approved(qtbot, page, demo_database):
    with demo_database.read() as session:
        numbers = len(ey.certificates(session, APPROVED))
    page.set_document(CERTIFICATES)
    assert page.year_box.currentData() == APPROVED
    assert previewed(qtbot, page)
    pane = page.preview_pane
    assert pane.info.text() == f"共 {numbers} 页（预览前 3 页）"
    assert f"预览为前 3 张证书（共 {numbers} 张）" in pane.note.text()
    assert len(pane.page_labels()) == 3

    # WHEN the year in progress is chosen
    page.set_year(OPEN)
    # THEN the preview says why there is nothing to print, in red, instead of pages
    assert not previewed(qtbot, page)
    assert pane.page_labels() == []
    assert "2026 年度评定尚未批准" in pane.message.text()
    assert "#c0392b" in pane.message.styleSheet()


def test_preview_follows_the_options_by_itself(qtbot, page):
    page.set_document(PUBLICITY)
    page.set_year(APPROVED)
    assert page.preview_pane.stale.isVisible()
    qtbot.waitUntil(lambda: page.preview_pane.note.text().startswith("预览为前 60 名党员"), timeout=5000)
    assert not page.preview_pane.stale.isVisible()


def test_roster_preview_can_hide_ids_and_phones(qtbot, page):
    page.set_document(ROSTER)
    page.mask.setChecked(True)
    assert previewed(qtbot, page)
    assert page.request().mask
    assert page.preview_pane.note.text().startswith("预览为前 40 名党员")


def test_f5_previews(qtbot, window, page):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    page.set_document(CERTIFICATES)
    page.document_box.setFocus()
    with qtbot.waitSignal(page.preview_ready, timeout=30000):
        qtbot.keyClick(page.document_box, Qt.Key.Key_F5)
    assert "张证书" in page.preview_pane.note.text()


def test_members_are_found_in_the_scope_and_picked(qtbot, page, demo_database):
    page.set_document(ANNUAL)
    page.set_year(APPROVED)
    page.set_scope(org_id(demo_database, GROUP))
    (name, _tail), *_rest = people_of(demo_database, GROUP)
    outside = people_of(demo_database, "幸福里社区党委/第一网格党支部")[0][0]
    picker = page.picker
    # a member of another organisation is not found in this scope
    picker.search.setText(outside)
    picker.search_now()
    assert all(outside not in picker.found.item(i).text() for i in range(picker.found.count()))
    # WHEN the user types a name and clicks the match
    picker.search.setText(name)
    picker.search_now()
    found: QListWidget = picker.found
    assert found.isVisible() and found.item(0).text().startswith(name)
    qtbot.mouseClick(found.viewport(), Qt.MouseButton.LeftButton, pos=found.visualItemRect(found.item(0)).center())
    # THEN the member is picked and the preview is of that member alone
    assert picker.chosen.count() == 1 and picker.summary.text() == "已选 1 人"
    assert len(page.request().member_ids) == 1
    assert previewed(qtbot, page)
    assert page.preview_pane.note.text() == "预览为全部 1 名党员。"
    picker.clear()
    assert page.request().member_ids == ()


def test_the_first_preview_waits_for_the_page_to_paint_and_renders_in_a_thread(qtbot, make_window,
                                                                                demo_database, monkeypatch):
    held = HeldPreview()
    held.release()
    monkeypatch.setattr(page_module, "render_preview", held)
    window = make_window(demo_database, page="reports", show=False)
    page = window.pages["reports"]
    # the page is loaded, the preview asked for — but nothing is rendered before the event loop runs
    assert page.preview_pending and held.threads == []
    assert page.preview_pane.message.text() == MAKING and page.preview_pane.message.isVisibleTo(page.preview_pane)
    window.show()
    qtbot.waitUntil(lambda: not page.preview_pending, timeout=30000)
    assert held.threads and threading.main_thread() not in held.threads
    assert len(page.preview_pane.page_labels()) == 3 and not page.preview_pane.updating
    page.preview_pool.waitForDone()


def test_a_preview_overtaken_by_a_change_is_dropped(qtbot, page, held, monkeypatch):
    shown, ready = [], []
    real_show = page.preview_pane.show_pages
    monkeypatch.setattr(page.preview_pane, "show_pages", lambda *a, **k: shown.append(a[2]) or real_show(*a, **k))
    page.preview_ready.connect(ready.append)
    # GIVEN the roster being rendered (held in the preview thread)
    start_preview(page, ROSTER)
    assert held.started.wait(30)
    # WHEN the document changes twice before it arrives
    start_preview(page, PUBLICITY)
    start_preview(page, CERTIFICATES)
    assert page.preview_pending and page.preview_pane.updating
    held.release()
    qtbot.waitUntil(lambda: not page.preview_pending, timeout=30000)
    page.preview_pool.waitForDone()
    qtbot.wait(1)  # anything still queued for the GUI thread is delivered
    # THEN the roster, rendered, is dropped; the 公示, overtaken while it waited, is never rendered; only
    # the certificates are shown, once
    assert held.rendered == [ROSTER, CERTIFICATES]
    assert len(shown) == 1 and "张证书" in shown[0] and ready == [True]
    assert "张证书" in page.preview_pane.note.text() and not page.preview_pane.stale.isVisible()


def test_old_pages_stay_faded_until_the_new_preview_or_its_refusal_arrives(qtbot, page, held, tmp_path):
    pane = page.preview_pane
    old = list(pane.images)
    assert len(old) == len(pane.page_labels()) == 3 and not pane.updating
    # WHEN a year not approved is chosen for the certificates (held while it is rendered)
    page.set_document(CERTIFICATES)
    page.set_year(OPEN)
    page.preview_timer.stop()
    page.preview()
    assert held.started.wait(30)
    # THEN the old pages stay, faded, under "正在更新预览…"
    assert page.preview_pending and pane.updating
    assert len(pane.page_labels()) == 3 and all(a is b for a, b in zip(pane.images, old, strict=True))
    assert pane.fade.isEnabled() and pane.badge.isVisible() and pane.badge.text() == "正在更新预览…"
    page.window_.grab().save(str(tmp_path / "updating.png"))  # (to look at: pytest --basetemp)
    # … and the refusal, when it comes, takes their place in red
    with qtbot.waitSignal(page.preview_ready, timeout=30000) as ready:
        held.release()
    assert ready.args == [False]
    assert pane.page_labels() == [] and not pane.updating and not pane.badge.isVisible()
    assert "2026 年度评定尚未批准" in pane.message.text() and "#c0392b" in pane.message.styleSheet()


def test_a_result_for_options_changed_meanwhile_is_shown_as_stale(qtbot, page, held):
    start_preview(page, ROSTER)
    assert held.started.wait(30)
    page.mask.setChecked(True)  # changed while the roster is rendered; no newer preview yet
    page.preview_timer.stop()
    with qtbot.waitSignal(page.preview_ready, timeout=30000):
        held.release()
    assert page.preview_pane.page_labels() and page.preview_pane.stale.isVisible()


def test_the_samples_count_the_whole_document(demo_database, tmp_path):
    from app.reports import certificate, member_roster, publicity

    branch = org_id(demo_database, BRANCH)
    with demo_database.read() as session:
        for scope in (None, branch):
            for stars in (None, 4, 5):
                request = Request(CERTIFICATES, APPROVED, scope, min_stars=stars)
                whole = certificate.collect_certificates(session, APPROVED, org_id=scope, min_stars=stars)
                assert documents.certificate_count(session, request) == len(whole.items) > 0
            for year in (APPROVED, OPEN):
                whole = publicity.collect_publicity(session, year, scope)
                assert documents.publicity_count(session, Request(PUBLICITY, year, scope)) == len(whole.lines) > 0
            whole = member_roster.collect_roster(session, scope)
            assert documents.roster_count(session, Request(ROSTER, 0, scope)) == len(whole.lines) > 0
        # the sample says so
        sample = documents.render_sample(session, Request(PUBLICITY, APPROVED, branch), tmp_path / "sample.pdf")
        count = len(publicity.collect_publicity(session, APPROVED, branch).lines)
        assert f"（共 {count} 人）" in sample.note or sample.note == f"预览为全部 {count} 名党员。"


# ---------------------------------------------------------------- saving


def test_the_progress_dialog_counts_members_done(page):
    dialog = QProgressDialog("正在生成", "取消", 0, 0, page)
    dialog.setObjectName("progress_dialog")  # as run_with_progress names it
    page._count("正在生成 2025 年度党员年度档案…", 12, 292, "人")
    assert dialog.labelText() == "正在生成 2025 年度党员年度档案…\n已完成 12 / 292 人"
    assert (dialog.value(), dialog.maximum()) == (12, 292)
    dialog.deleteLater()


def test_batches_run_with_the_collector_frozen_and_hand_it_back(demo_database, tmp_path, monkeypatch):
    from app.reports import member_roster

    assert gc.get_freeze_count() == 0
    seen = {}

    def work(_progress, _cancelled):
        seen["job"] = gc.get_freeze_count()
        with frozen_gc():  # nested (a preview meanwhile, or the renderer's own): still frozen after it
            pass
        seen["after inner"] = gc.get_freeze_count()
        return "done"

    assert run_with_progress(None, "测试", "正在测试", work) == "done"
    assert seen["job"] > 0 and seen["after inner"] > 0
    assert gc.get_freeze_count() == 0
    # render_document freezes again after collecting: the collected data is out of the collections' way
    real_collect, real_render = member_roster.collect_roster, member_roster.render_roster

    def collect(*args, **kwargs):
        seen["collect"] = gc.get_freeze_count()
        return real_collect(*args, **kwargs)

    def render(data, out):
        seen["render"] = gc.get_freeze_count()
        return real_render(data, out)

    monkeypatch.setattr(member_roster, "collect_roster", collect)
    monkeypatch.setattr(member_roster, "render_roster", render)
    documents.render_document(demo_database, Request(ROSTER), tmp_path / "花名册.pdf", lambda *_: None,
                              lambda: False)
    assert 0 < seen["collect"] < seen["render"]
    assert gc.get_freeze_count() == 0

def test_a_fast_batch_passes_few_counts_to_the_dialog_and_always_the_last(page, monkeypatch):
    seen = []
    monkeypatch.setattr(page, "_count", lambda _label, done, total, _unit: seen.append((done, total)))

    def work(progress, _cancelled):
        for done in range(1, 501):
            progress(done, 500)
        return "ok"

    assert page._run("保存 PDF", page.request(), work) == "ok"
    assert seen[-1] == (500, 500) and len(seen) < 20


def test_default_file_names(page, demo_database):
    page.set_document(ANNUAL)
    page.set_year(APPROVED)
    assert documents.default_file_name(page.community, page.request()) == "幸福里社区_2025年度党员年度档案.pdf"
    page.set_scope(org_id(demo_database, BRANCH))
    assert documents.default_file_name(page.community, page.request()) == (
        "幸福里社区_第五网格党支部_2025年度党员年度档案.pdf")


def test_save_one_pdf_with_a_table_of_contents(qtbot, page, demo_database, out_dir):
    page.set_document(ANNUAL)
    page.set_year(APPROVED)
    page.set_scope(org_id(demo_database, GROUP))
    page.toc.setChecked(True)
    out = out_dir / "档案.pdf"
    assert page.save_pdf(str(out)) == out
    text = text_of(out)
    assert "目录" in text
    for name, _tail in people_of(demo_database, GROUP):
        assert name in text
    assert page.last_saved == out and page.open_button.isVisible()
    assert stray_files(out_dir) == []


def test_ctrl_s_asks_for_the_file_with_a_default_name(qtbot, window, page, monkeypatch, tmp_path):
    asked = {}

    def save_name(_parent, _title, suggested, _filter):
        asked["suggested"] = suggested
        return str(tmp_path / "花名册"), "PDF 文件 (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    page.set_document(ROSTER)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    page.document_box.setFocus()
    qtbot.keyClick(page.document_box, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert Path(asked["suggested"]).name.startswith("幸福里社区_党员花名册_")
    assert (tmp_path / "花名册.pdf").is_file()  # the .pdf is added


def test_one_file_a_member_to_a_folder_never_overwrites(page, demo_database, out_dir, monkeypatch):
    page.set_document(ANNUAL)
    page.set_year(APPROVED)
    page.set_scope(org_id(demo_database, GROUP))
    page.per_member.setChecked(True)
    assert not page.toc.isEnabled()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(out_dir))
    expected = {f"{name}_{tail}_{APPROVED}.pdf" for name, tail in people_of(demo_database, GROUP)}

    assert page.save_pdf() == out_dir
    assert {p.name for p in out_dir.iterdir()} == expected
    # WHEN the same folder is chosen again THEN the new files get " (2)" names
    page.save_pdf()
    again = {name.removesuffix(".pdf") + " (2).pdf" for name in expected}
    assert {p.name for p in out_dir.iterdir()} == expected | again
    assert stray_files(out_dir) == []
    assert page.last_saved == out_dir


def test_a_cancelled_batch_of_member_files_lists_what_it_finished(page, demo_database, out_dir, monkeypatch,
                                                                  message_boxes):
    page.set_document(ANNUAL)
    page.set_year(APPROVED)
    page.set_scope(org_id(demo_database, GROUP))
    page.per_member.setChecked(True)
    cancel_after_first(monkeypatch)
    (name, tail), *_rest = people_of(demo_database, GROUP)

    page.save_pdf(str(out_dir))

    assert [p.name for p in out_dir.iterdir()] == [f"{name}_{tail}_{APPROVED}.pdf"]
    kind, _title, text = message_boxes[-1]
    assert kind == "information" and "已取消" in text and f"{name}_{tail}_{APPROVED}.pdf" in text
    assert "已完成的 1 份" in text


def test_a_cancelled_single_pdf_writes_nothing(page, demo_database, out_dir, monkeypatch, message_boxes):
    page.set_document(ANNUAL)
    page.set_year(APPROVED)
    page.set_scope(org_id(demo_database, GROUP))
    cancel_after_first(monkeypatch)
    out = out_dir / "档案.pdf"
    assert page.save_pdf(str(out)) is None
    assert list(out_dir.iterdir()) == []
    assert message_boxes[-1][0] == "information" and "没有写入任何文件" in message_boxes[-1][2]
    assert page.last_saved is None


def test_an_unwritable_file_is_explained(page, tmp_path, message_boxes):
    page.set_document(ROSTER)
    assert page.save_pdf(str(tmp_path / "不存在的文件夹" / "花名册.pdf")) is None
    kind, _title, text = message_boxes[-1]
    assert kind == "warning" and "无法保存文件" in text


def test_open_shows_the_saved_file_in_the_system_viewer(qtbot, page, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    page.set_document(ROSTER)
    assert not page.actions_["open"].isEnabled()
    out = page.save_pdf(str(tmp_path / "花名册.pdf"))
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(out))]


def test_certificates_withheld_are_mentioned_after_saving(qtbot, page, tmp_path, demo_database, monkeypatch,
                                                          message_boxes):
    from app.reports import certificate

    real = certificate.collect_certificates

    def withheld(*args, **kwargs):
        batch = real(*args, **kwargs)
        return type(batch)(batch.year, batch.items, batch.approved_on, ("周测试",))

    monkeypatch.setattr(certificate, "collect_certificates", withheld)
    page.set_document(CERTIFICATES)
    page.set_scope(org_id(demo_database, GROUP))
    assert previewed(qtbot, page)
    assert "周测试" in page.preview_pane.warning.text()
    page.save_pdf(str(tmp_path / "证书.pdf"))
    assert "周测试" in message_boxes[-1][2]


# ---------------------------------------------------------------- printing


def test_print_sends_every_page_at_its_own_size(page, demo_database, tmp_path, print_to):
    page.set_document(CERTIFICATES)
    page.set_scope(org_id(demo_database, BRANCH))
    saved = page.save_pdf(str(tmp_path / "证书.pdf"))
    # WHEN the same document is printed
    sent = page.print_document()
    # THEN the printer received as many pages as the saved file has, each of the same size
    assert sent == len(PdfReader(saved).pages) > 0
    assert page_sizes(print_to) == page_sizes(saved)
    assert "已发送" in page.window_.statusBar().currentMessage()


def test_preprinted_certificates_print_on_the_certificate_papers_size(page, demo_database, tmp_path, print_to):
    with demo_database.unit_of_work() as session:
        save_layout(session, CertificateLayout(paper_width=260, paper_height=185))
    page.set_document(CERTIFICATES)
    page.set_scope(org_id(demo_database, GROUP))
    page.preprinted.setChecked(True)
    assert page.print_document() > 0
    width, height = page_sizes(print_to)[0]
    assert abs(width - 260 / 25.4 * 72) <= 1 and abs(height - 185 / 25.4 * 72) <= 1


def test_printing_the_annual_files_of_per_member_mode_prints_one_document(page, demo_database, print_to):
    page.set_document(ANNUAL)
    page.set_year(APPROVED)
    page.set_scope(org_id(demo_database, GROUP))
    page.per_member.setChecked(True)
    sent = page.print_document()
    assert sent == len(PdfReader(print_to).pages) > len(people_of(demo_database, GROUP))


def test_a_cancelled_print_dialog_prints_nothing(page, monkeypatch, tmp_path):
    class Refused(FakePrintDialog):
        target = tmp_path / "never.pdf"

        def exec(self):
            return QDialog.DialogCode.Rejected

    monkeypatch.setattr(print_job, "QPrintDialog", Refused)
    page.set_document(ROSTER)
    assert page.print_document() is None
    assert not Refused.target.exists()


# ---------------------------------------------------------------- following changes


def test_the_page_follows_years_and_settings_changed_elsewhere(page, demo_database):
    assert page.shows(EVALUATION) and page.shows(SETTINGS) and page.shows(Changes(orgs=True))
    assert not page.shows(DUES)
    with demo_database.unit_of_work() as session:
        ey.open_year(session, 2024)
        settings.save(session, replace(settings.load(session), community_name="和平里社区"))
    page.window_.apply_changes(EVALUATION | SETTINGS)
    assert page.year_box.findData(2024) >= 0
    assert page.community == "和平里社区"
    page.set_document(PUBLICITY)
    page.set_year(APPROVED)
    assert documents.default_file_name(page.community, page.request()) == "和平里社区_2025年度评定结果公示.pdf"


def test_the_page_fits_the_smallest_window(page):
    assert page.minimumSizeHint().width() < 560
