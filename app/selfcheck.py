"""``python -m app check``: a self-check a support person can run on an office PC.

Each step returns a short detail on success and raises on failure; the CLI prints ✓/✗ per step
and stops at the first failure. The window step lives in app/__main__.py (it needs ui/).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.errors import AppError

RARE_NAME = "𠮷祥里党小组"
MEMBER_NAME = "张建国"
MEMBER_ID = "11010519700301100X"  # a valid number with the check code X


@dataclass
class Step:
    title: str
    run: Callable[[], str]


class SelfCheck:
    """The Qt-free steps, sharing one temporary folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.db_path = folder / "selfcheck.sqlite"

    def migrate_from_first_revision(self) -> str:
        from db import SCHEMA_HEAD, SCHEMA_REVISIONS
        from db.database import open_database
        from db.engine import make_engine
        from db.migrate import upgrade

        engine = make_engine(self.db_path, foreign_keys=False)
        try:
            upgrade(engine, SCHEMA_REVISIONS[0])
        finally:
            engine.dispose()
        database = open_database(self.db_path)
        database.close()
        if database.revision != SCHEMA_HEAD:
            raise AppError(f"升级后版本为 {database.revision}，应为 {SCHEMA_HEAD}")
        return f"从 {SCHEMA_REVISIONS[0]} 升级到 {SCHEMA_HEAD}"

    def write_and_read_back(self) -> str:
        from app import members, orgs, settings
        from app.database import open_app_database

        database = open_app_database(self.db_path)
        try:
            with database.unit_of_work("自检") as session:
                settings.create_community(session, settings.CommunitySettings("自检社区"), "自检社区党委")
                root = orgs.find_by_path(session, "自检社区党委").id
                group, _ = orgs.create(session, root, orgs.OrgInput(RARE_NAME, "党小组"))
                members.create(session, members.MemberInput(
                    name=MEMBER_NAME, id_number=MEMBER_ID, org_id=group, joined_on=date(1995, 7, 1),
                    confirmed_on=date(1996, 7, 1),
                ))
            with database.read() as session:
                node = orgs.find_by_path(session, f"自检社区党委/{RARE_NAME}")
                # the pinyin search needs pypinyin's dictionaries: present in the packaged program too
                found = members.ordered_ids(session, members.MemberFilter(text="zjg"))
        finally:
            database.close()
        if len(found) != 1:
            raise AppError("按拼音首字母找不到刚写入的党员（拼音词典可能缺失）")
        return f"写入并读回“{node.path}”和党员“{MEMBER_NAME}”（拼音检索正常）"

    def render_pdf(self) -> str:
        from app import orgs, settings
        from app.database import open_app_database
        from app.reports.orgs_roster import RosterData, render_orgs_roster

        database = open_app_database(self.db_path)
        try:
            with database.read() as session:
                data = RosterData(settings.load(session), orgs.list_tree(session), date.today())
        finally:
            database.close()
        out = self.folder / "selfcheck.pdf"
        pages = render_orgs_roster(data, out)
        problems = pdf_font_problems(out.read_bytes())
        if problems:
            raise AppError("；".join(problems))
        return f"{pages} 页，字体全部嵌入，含生僻字 𠮷"

    def steps(self) -> list[Step]:
        return [
            Step("数据库迁移（从第一个版本升级）", self.migrate_from_first_revision),
            Step("写入并读回记录", self.write_and_read_back),
            Step("生成 PDF（内置中文字体）", self.render_pdf),
        ]


def pdf_font_problems(pdf: bytes) -> list[str]:
    """What is wrong with a PDF's fonts: unembedded fonts, or no fallback font for rare characters.

    ReportLab writes font dictionaries uncompressed, so reading the bytes is enough here.
    """
    from app.fonts import FONTS

    problems = []
    base_fonts = set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-_]+)", pdf))
    embedded = len(re.findall(rb"/FontFile2\b", pdf))
    descriptors = len(re.findall(rb"/Type\s*/FontDescriptor\b", pdf))
    standard = [f.decode() for f in base_fonts if b"+" not in f and f.decode() in STANDARD_14]
    if standard:
        problems.append("PDF 中有未嵌入的字体：" + "、".join(sorted(standard)))
    if embedded < descriptors:
        problems.append(f"PDF 中有 {descriptors - embedded} 个字体未嵌入")
    fallback = next(f for f in FONTS if f.role == "fallback").family.replace(" ", "").encode()
    if not any(fallback in name for name in base_fonts):
        problems.append("生僻字没有使用后备字体（𠮷 将打印为空白）")
    return problems


STANDARD_14 = {
    "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique", "Times-Roman",
    "Times-Bold", "Times-Italic", "Times-BoldItalic", "Courier", "Courier-Bold", "Courier-Oblique",
    "Courier-BoldOblique", "Symbol", "ZapfDingbats",
}


def integrity_step(db_target: str) -> Step:
    def run() -> str:
        from db.database import sqlite_integrity_check

        path = Path(db_target)
        if not path.is_file():
            raise AppError(f"找不到数据库文件：{path}")
        problems = sqlite_integrity_check(path)
        if problems:
            raise AppError("数据库完整性检查未通过：" + "；".join(problems[:3]))
        return f"{path} 完整"

    return Step("检查用户数据库完整性", run)


def temporary_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="dangjian-check-")
