"""流动党员之家: printing the rosters and exchanging them with Excel from the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pypdf import PdfReader

from db.models import InflowMember
from tests.ui.test_floating_page import TODAY, away, people  # noqa: F401  (fixtures)
from ui.floating import exchange


@pytest.fixture
def page(make_window, tree_database, people):  # noqa: F811
    away(tree_database, people["李秀英"], 200)
    away(tree_database, people["王芳"], 30)
    window = make_window(tree_database, page="floating")
    return window.pages["floating"]


def text_of(path) -> str:
    return "".join(p.extract_text() for p in PdfReader(path).pages)


def test_menu_lists_the_documents_and_the_excel_actions(page):
    texts = [a.text() for a in page.exchange_button.menu().actions() if a.text()]
    assert texts == ["外出流动党员花名册…", "流入党员花名册…", "待联系党员名单…", "外出和流入花名册（一个文件）…",
                     "导出 Excel…", "导入 Excel…", "下载导入模板…"]


def test_printing_the_to_contact_list_writes_the_pdf(page, tmp_path, monkeypatch):
    monkeypatch.setattr(exchange, "confirm", lambda *a, **k: False)  # do not open a viewer
    out = exchange.print_lists(page, ("to-contact",), "待联系党员名单", str(tmp_path / "名单.pdf"))
    text = text_of(out)
    assert "待联系党员名单" in text and "李秀英" in text and "王芳" not in text


def test_export_then_import_through_the_page(page, tmp_path, monkeypatch, tree_database, message_boxes):
    out = exchange.export_roster(page, str(tmp_path / "流动.xlsx"))
    assert out.is_file()
    # nothing new: the import says so and writes nothing
    exchange.import_roster(page, str(out))
    assert message_boxes and "没有需要写入的行" in message_boxes[-1][2]
    # a sheet with a new inflow member: confirmed, written, the page follows
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "流入党员"
    ws.append(["姓名", "来到日期", "组织关系所在党组织", "联系党组织"])
    ws.append(["孙新来", (TODAY - timedelta(days=5)).isoformat(), "河南省某村党支部", "第一网格党支部"])
    book.save(tmp_path / "新.xlsx")
    monkeypatch.setattr(exchange, "confirm", lambda *a, **k: True)
    changes = exchange.import_roster(page, str(tmp_path / "新.xlsx"))
    assert changes is not None and changes.floating
    with tree_database.read() as session:
        assert session.query(InflowMember).filter_by(name="孙新来").one().arrived_on == TODAY - timedelta(days=5)


def test_template_is_saved(page, tmp_path):
    assert exchange.save_template(page, str(tmp_path / "模板.xlsx")).is_file()


def test_read_only_database_cannot_import(page, monkeypatch):
    monkeypatch.setattr(type(page.database), "readonly", property(lambda self: True))
    page._update_actions()
    assert not page.import_action.isEnabled()
    assert exchange.import_roster(page, "whatever.xlsx") is None
