"""Composition root: ``python -m app`` opens the GUI, ``python -m app COMMAND`` runs the CLI.

The only place in app/ that may reach ui/, and only inside the ``gui`` and ``check`` commands.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from app import APP_NAME, __version__


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


def _member_count(text: str) -> int:
    from app.demo import MAX_MEMBERS

    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_MEMBERS:
        raise argparse.ArgumentTypeError(f"党员人数应为 0 到 {MAX_MEMBERS} 之间的整数：{text}")
    return value


def _db_arg(parser: argparse.ArgumentParser, required: bool = False) -> None:
    parser.add_argument(
        "--db", required=required, metavar="PATH",
        help="数据库文件路径或 SQLAlchemy URL（默认：用户数据目录中的 dangjian.sqlite）",
    )


def build_parser() -> argparse.ArgumentParser:
    prog = "dangjian-cli" if getattr(sys, "frozen", False) else "python -m app"
    parser = argparse.ArgumentParser(prog=prog, description=f"{APP_NAME} {__version__}")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help="打开图形界面（默认）")
    _db_arg(gui)
    gui.add_argument("--page", help="打开的页面：workbench, orgs, members, floating, evaluation, reports, settings")
    gui.add_argument("--screenshot", metavar="OUT.png", help="页面加载完成后截图保存并退出")
    gui.add_argument("--sample", action="store_true", help="打开示例社区（单独的示例数据库）")

    demo = sub.add_parser("demo", help="在空数据库中生成示例社区")
    _db_arg(demo, required=True)
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--today", type=_date, help="以此日期为“今天”生成（YYYY-MM-DD）")
    demo.add_argument("--members", type=_member_count, default=300, metavar="N",
                      help="示例党员人数（默认 300；基准测试可用到 100000）")

    backup = sub.add_parser("backup", help="备份数据库")
    _db_arg(backup)
    backup.add_argument("--out", metavar="FILE", help="备份文件（默认：数据库旁的备份文件夹）")

    restore = sub.add_parser("restore", help="从备份文件恢复数据库")
    restore.add_argument("file", metavar="FILE", help="备份文件")
    _db_arg(restore)

    check = sub.add_parser("check", help="自检：数据库、中文字体 PDF、主窗口；给出 --db 时检查该数据库")
    _db_arg(check)

    print_ = sub.add_parser("print", help="生成 PDF 文档")
    print_.add_argument("document", choices=["orgs", "floating", "annual-files", "certificates", "publicity", "roster"],
                        help="orgs：党组织名册；floating：流动党员花名册；annual-files：党员年度档案；"
                             "certificates：星级党员证书；publicity：评议和星级评定结果公示；roster：党员花名册")
    _db_arg(print_)
    print_.add_argument("--out", metavar="FILE.pdf", help="输出的 PDF 文件（annual-files 也可用 --per-member）")
    print_.add_argument("--list", choices=["outflow", "inflow", "to-contact"], dest="floating_list",
                        help="floating：只打印一份名单（outflow 外出流动党员花名册，inflow 流入党员花名册，"
                             "to-contact 待联系党员名单；默认外出和流入两份）")
    print_.add_argument("--year", type=int, metavar="YYYY", help="annual-files、certificates、publicity：年度")
    print_.add_argument("--org", metavar="PATH", help="只打印该党组织及其下级（路径或唯一的名称）")
    print_.add_argument("--per-member", metavar="DIR",
                        help="annual-files：每名党员一个 PDF，保存到该文件夹（姓名_身份证后4位_年度.pdf）")
    print_.add_argument("--toc", action="store_true", help="annual-files：在合订本前加目录")
    print_.add_argument("--min-stars", type=int, choices=range(1, 6), metavar="N",
                        help="certificates：只打印 N 星及以上")
    print_.add_argument("--paper", choices=["plain", "preprinted"], default="plain",
                        help="certificates：plain 白纸（完整版式），preprinted 套打证书纸（只打印文字，位置在“设置”中调整）")
    print_.add_argument("--mask", action="store_true", help="roster：身份证号和电话号码部分隐藏")

    import_ = sub.add_parser(
        "import", help="从 Excel 导入党员花名册；退出码 0 全部导入，1 有被拒绝的行（见错误报告），2 未写入任何数据"
    )
    import_.add_argument("what", choices=["members", "floating"],
                         help="members：党员花名册；floating：流动党员（外出流动党员、流入党员）")
    import_.add_argument("file", metavar="FILE", help="Excel 文件（.xlsx、.xls、.ods）")
    _db_arg(import_)
    import_.add_argument("--sheet", metavar="NAME|all", help="导入的工作表名称，all 为全部（默认：第一个工作表）")
    import_.add_argument("--report", metavar="PATH", help="错误报告（默认：导入文件旁的“<文件名>_错误报告.xlsx”）")
    import_.add_argument("--create-orgs", action="store_true", help="表中不存在的党组织在 --parent 下新建")
    import_.add_argument("--parent", metavar="PATH", help="新建党组织的上级组织路径（默认：顶层党组织）")
    import_.add_argument("--dry-run", action="store_true", help="只检查、写错误报告，不写入数据库")

    export = sub.add_parser("export", help="把党员台账导出为 Excel")
    export.add_argument("what", choices=["members", "floating"],
                        help="members：党员花名册；floating：流动党员（外出记录和流入党员，两个工作表）")
    _db_arg(export)
    export.add_argument("--out", required=True, metavar="FILE.xlsx")
    export.add_argument("--org", metavar="PATH", help="只导出该党组织及其下级（路径或唯一的名称）")
    export.add_argument("--status", choices=["在册", "转出", "出党", "死亡", "all"], default="在册",
                        help="导出哪些党员（默认：在册；all：全部）")
    return parser


def _db_target(value: str | None) -> str:
    from app.paths import default_db_path

    return value or str(default_db_path())


def cmd_demo(args) -> int:
    from app import demo
    from app.database import open_app_database

    database = open_app_database(args.db)
    try:
        with database.unit_of_work("生成示例社区") as session:
            summary = demo.build(session, seed=args.seed, today=args.today, members=args.members)
    finally:
        database.close()
    print(summary.describe())
    return 0


def cmd_backup(args) -> int:
    from app import backup

    target = Path(_db_target(args.db))
    made = backup.make_backup(target, Path(args.out) if args.out else None)
    print(f"已备份到：{made}")
    return 0


def cmd_restore(args) -> int:
    from app import backup

    result = backup.restore(Path(args.file), Path(_db_target(args.db)))
    print(result.message)
    return 0


def cmd_print(args) -> int:
    from app.errors import AppError

    if args.document == "annual-files":
        if bool(args.out) == bool(args.per_member):
            raise AppError("请给出 --out FILE.pdf（合订为一个 PDF）或 --per-member DIR（每人一个 PDF）之一。")
    elif not args.out:
        raise AppError("请用 --out FILE.pdf 给出输出的 PDF 文件。")
    if args.document in ("annual-files", "certificates", "publicity") and args.year is None:
        raise AppError("请用 --year YYYY 给出年度。")
    printers = {"floating": _print_floating, "annual-files": _print_annual_files, "certificates": _print_certificates,
                "publicity": _print_publicity, "roster": _print_roster}
    if args.document in printers:
        return printers[args.document](args)
    from app import orgs, settings
    from app.database import open_app_database
    from app.reports.orgs_roster import RosterData, render_orgs_roster

    database = open_app_database(_db_target(args.db))
    try:
        with database.read() as session:
            data = RosterData(settings=settings.load(session), nodes=orgs.list_tree(session), printed_on=date.today())
    finally:
        database.close()
    out = Path(args.out)
    pages = render_orgs_roster(data, out)
    print(f"已生成党组织名册：{out}（{pages} 页）")
    return 0


def _org_id(session, text: str | None) -> int | None:
    """The organisation named by --org (a path or a unique name), None without it."""
    if not text:
        return None
    from app.errors import AppError
    from app.members_import import OrgResolver

    match = OrgResolver(session).resolve(text)
    if match.org_id is None:
        raise AppError(match.error)
    return match.org_id


def _collected(args, collect):
    """``collect(session, org_id)`` on the database of ``args``, read-only."""
    from app.database import open_app_database

    database = open_app_database(_db_target(args.db))
    try:
        with database.read() as session:
            return collect(session, _org_id(session, args.org))
    finally:
        database.close()


def _print_annual_files(args) -> int:
    from app import settings
    from app.reports import annual_data, annual_file

    files, community = _collected(args, lambda session, org_id: (
        annual_data.collect_annual(session, args.year, org_id=org_id), settings.load(session)))
    if not files:
        print(f"{args.year} 年度没有在册党员，未生成档案。")
        return 1
    if args.per_member:
        written = annual_file.render_per_member(files, Path(args.per_member), settings=community, workers=2)
        print(f"已生成 {args.year} 年度党员年度档案 {len(written)} 份：{Path(args.per_member)}")
        return 0
    out = Path(args.out)
    pages = annual_file.render_annual_file(files, out, settings=community, toc=args.toc)
    print(f"已生成 {args.year} 年度党员年度档案（{len(files)} 人）：{out}（{pages} 页）")
    return 0


def _print_certificates(args) -> int:
    from app.reports import certificate
    from app.reports.certificate_layout import load_layout

    batch, layout = _collected(args, lambda session, org_id: (
        certificate.collect_certificates(session, args.year, org_id=org_id, min_stars=args.min_stars),
        load_layout(session)))
    if not batch.items:
        print(f"{args.year} 年度没有符合条件的证书，未生成文件。")
        return 1
    out = Path(args.out)
    pages = certificate.render_certificates(batch, out, paper=args.paper, layout=layout)
    paper = "套打证书纸" if args.paper == "preprinted" else "白纸"
    print(f"已生成 {args.year} 年度星级党员证书（{paper}）：{out}（{pages} 页）")
    if batch.withheld:
        print(f"注意：{'、'.join(batch.withheld)} 持有证书编号，但星级已低于颁证标准，未打印。")
    return 0


def _print_publicity(args) -> int:
    from app.reports import publicity

    data = _collected(args, lambda session, org_id: publicity.collect_publicity(session, args.year, org_id))
    out = Path(args.out)
    pages = publicity.render_publicity(data, out)
    print(f"已生成 {args.year} 年度评定结果公示：{out}（{pages} 页，{len(data.lines)} 人）")
    return 0


def _print_roster(args) -> int:
    from app.reports import member_roster

    data = _collected(args, lambda session, org_id: member_roster.collect_roster(session, org_id, mask=args.mask))
    out = Path(args.out)
    pages = member_roster.render_roster(data, out)
    masked = "（身份证号、电话已部分隐藏）" if args.mask else ""
    print(f"已生成党员花名册{masked}：{out}（{pages} 页，{len(data.lines)} 人）")
    return 0


def _print_floating(args) -> int:
    from app.database import open_app_database
    from app.reports import floating_roster

    lists = (args.floating_list,) if args.floating_list else floating_roster.DEFAULT_LISTS
    database = open_app_database(_db_target(args.db))
    try:
        with database.read() as session:
            data = floating_roster.collect(session, date.today(), lists)
    finally:
        database.close()
    out = Path(args.out)
    pages = floating_roster.render_floating_roster(data, out)
    print(f"已生成{floating_roster.document_title(data).removeprefix(data.settings.community_name)}：{out}（{pages} 页）")
    return 0


IMPORT_ALL_DONE, IMPORT_SOME_REJECTED, IMPORT_NOTHING_WRITTEN = 0, 1, 2
SHOWN_REJECTIONS = 20


def cmd_import(args) -> int:
    """Exit 0 when every row was imported, 1 when some were rejected (report written), 2 when the file
    could not be read or the database not written (then nothing was written). ``members`` and
    ``floating`` share the reading, the report and the exit codes; only the module and its options differ."""
    if args.what == "floating":
        from app import floating_import as module

        def run(database, preview, report, _extra):
            if args.dry_run:
                return module.dry_run(preview, report_path=report)
            return module.apply(database, preview, report_path=report)

        return _run_import(args, module, lambda session: None, run)
    from app import members_import as module

    def parent(session):
        return _import_parent(session, args.parent) if args.create_orgs else None

    def run_members(database, preview, report, parent_id):
        if args.dry_run:
            return module.dry_run(preview, create_missing=args.create_orgs, report_path=report)
        return module.apply(database, preview, create_missing_under=parent_id, report_path=report)

    return _run_import(args, module, parent, run_members)


def _run_import(args, module, prepare, run) -> int:
    """Read the first sheet (or ``--sheet``), preview, then apply or dry-run; print what happened.
    ``prepare(session)`` returns an extra value passed on to ``run`` (members: the parent organisation)."""
    from app.database import open_app_database
    from app.errors import AppError, DatabaseError

    source = Path(args.file)
    try:
        notes = []
        sheet = None if args.sheet == "all" else args.sheet
        if args.sheet is None:
            names = module.sheet_names(source)
            sheet = names[0]
            if len(names) > 1:
                notes.append(f"工作簿有 {len(names)} 个工作表，只导入了第一个“{sheet}”；全部导入请加 --sheet all。")
        database = open_app_database(_db_target(args.db))
        try:
            with database.read() as session:
                preview = module.preview(session, source, sheet=sheet)
                extra = prepare(session)
            report = Path(args.report) if args.report else module.default_report_path(source)
            result = run(database, preview, report, extra)
        finally:
            database.close()
    except (AppError, DatabaseError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        print("未写入任何数据。", file=sys.stderr)
        return IMPORT_NOTHING_WRITTEN
    for note in (*notes, *getattr(preview, "notes", ()), *preview.skipped_sheets):
        print(note)
    print(("试运行，未写入数据库：" if args.dry_run else "") + result.summary())
    for path in getattr(result, "created_orgs", ()):
        print(f"新建党组织：{path}")
    for row in result.rejected_rows[:SHOWN_REJECTIONS]:
        print(f"  {row.where} {row.name}：{row.reason}")
    if len(result.rejected_rows) > SHOWN_REJECTIONS:
        print(f"  ……另有 {len(result.rejected_rows) - SHOWN_REJECTIONS} 行，见错误报告。")
    return IMPORT_SOME_REJECTED if result.rejected else IMPORT_ALL_DONE


def _import_parent(session, path: str | None) -> int:
    from app import orgs
    from app.errors import AppError

    if path:
        return orgs.find_by_path(session, path).id
    roots = [n for n in orgs.list_tree(session) if n.parent_id is None]
    if not roots:
        raise AppError("数据库中还没有党组织，无法新建下级组织；请先建立社区的党组织。")
    return roots[0].id


def cmd_export(args) -> int:
    if args.what == "floating":
        return _export_floating(args)
    from app import members, members_export
    from app.database import open_app_database
    from app.errors import AppError
    from app.members_import import OrgResolver

    database = open_app_database(_db_target(args.db))
    try:
        with database.read() as session:
            org_id = None
            if args.org:
                match = OrgResolver(session).resolve(args.org)
                if match.org_id is None:
                    raise AppError(match.error)
                org_id = match.org_id
            statuses = members.STATUSES if args.status == "all" else (args.status,)
            out = Path(args.out)
            count = members_export.export(session, members.MemberFilter(org_id=org_id, statuses=statuses), out)
    finally:
        database.close()
    print(f"已导出 {count} 名党员：{out}")
    return 0


def _export_floating(args) -> int:
    from app import floating_export
    from app.database import open_app_database

    database = open_app_database(_db_target(args.db))
    try:
        with database.read() as session:
            out = Path(args.out)
            counts = floating_export.export(session, out)
    finally:
        database.close()
    print(f"已导出外出登记 {counts.outflow} 条、流入党员 {counts.inflow} 人：{out}")
    return 0


def cmd_gui(args) -> int:
    from ui.application import run_gui

    return run_gui(db=args.db, page=args.page, screenshot=args.screenshot, sample=args.sample)


def _window_step(db_path: Path):
    from app.selfcheck import Step

    def run() -> str:
        import os

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from app.database import open_app_database
        from ui.application import create_application
        from ui.main_window import MainWindow

        app = create_application()
        database = open_app_database(db_path)
        try:
            window = MainWindow(database)
            window.resize(1024, 700)
            window.show_page("orgs")
            window.show()
            app.processEvents()
            image = window.grab().toImage()
            window.hide()  # not close(): the check must not overwrite the user's saved window state
            window.deleteLater()
            if image.isNull() or image.width() < 100:
                raise RuntimeError("主窗口未能绘制")
            shown = window.pages["orgs"].model.rowCount()
        finally:
            database.close()
        return f"主窗口已创建并绘制（{image.width()}×{image.height()}，组织树 {shown} 个顶层节点）"

    return Step("创建主窗口", run)


def cmd_check(args) -> int:
    from app.selfcheck import SelfCheck, integrity_step, temporary_folder

    print(f"{APP_NAME} {__version__} 自检")
    with temporary_folder() as folder:
        check = SelfCheck(Path(folder))
        steps = [*check.steps(), _window_step(check.db_path)]
        if args.db:
            steps.append(integrity_step(args.db))
        for step in steps:
            try:
                detail = step.run()
            except Exception as exc:  # a self-check reports every failure, whatever its kind
                print(f"✗ {step.title}：{exc}")
                return 1
            print(f"✓ {step.title}：{detail}")
    print("自检通过。")
    return 0


COMMANDS = {
    "check": cmd_check,
    "gui": cmd_gui,
    "demo": cmd_demo,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "print": cmd_print,
    "import": cmd_import,
    "export": cmd_export,
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or argv[0].startswith("--") and argv[0] not in ("--version", "-h", "--help"):
        argv = ["gui", *argv]
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["gui"])
    from app.errors import AppError, DatabaseError

    try:
        return COMMANDS[args.command](args)
    except (AppError, DatabaseError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
