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
    gui.add_argument("--page", help="打开的页面：workbench, orgs, settings")
    gui.add_argument("--screenshot", metavar="OUT.png", help="页面加载完成后截图保存并退出")
    gui.add_argument("--sample", action="store_true", help="打开示例社区（单独的示例数据库）")

    demo = sub.add_parser("demo", help="在空数据库中生成示例社区")
    _db_arg(demo, required=True)
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--today", type=_date, help="以此日期为“今天”生成（YYYY-MM-DD）")

    backup = sub.add_parser("backup", help="备份数据库")
    _db_arg(backup)
    backup.add_argument("--out", metavar="FILE", help="备份文件（默认：数据库旁的备份文件夹）")

    restore = sub.add_parser("restore", help="从备份文件恢复数据库")
    restore.add_argument("file", metavar="FILE", help="备份文件")
    _db_arg(restore)

    check = sub.add_parser("check", help="自检：数据库、中文字体 PDF、主窗口；给出 --db 时检查该数据库")
    _db_arg(check)

    print_ = sub.add_parser("print", help="生成 PDF 文档")
    print_.add_argument("document", choices=["orgs"], help="orgs：党组织名册")
    _db_arg(print_)
    print_.add_argument("--out", required=True, metavar="FILE.pdf")
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
            summary = demo.build(session, seed=args.seed, today=args.today)
    finally:
        database.close()
    print(f"已生成示例社区“{summary.community_name}”：{summary.organizations} 个党组织，"
          f"{summary.grids} 个网格，{summary.buildings} 个楼栋党小组。")
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
