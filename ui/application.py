"""Starting the GUI: open the database, first-run choice, main window, screenshot mode."""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME, __version__
from app.errors import AppError, DatabaseError
from app.paths import resource_path
from db.database import Database


def create_application(argv: list[str] | None = None) -> QApplication:
    from ui.qt_setup import setup_application

    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("dangjian-workbench")
    setup_application(app)
    icon = resource_path("icons", "app.png")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def open_sample_database(today: date | None = None) -> Database:
    """The sample community, built into its own file the first time it is asked for."""
    from app import demo
    from app.database import open_app_database
    from app.paths import sample_db_path

    database = open_app_database(sample_db_path())
    with database.read() as session:
        empty = demo.is_empty(session)
    if empty:
        with database.unit_of_work("生成示例社区") as session:
            demo.build(session, today=today)
    return database


def is_empty(database: Database) -> bool:
    from app import demo

    with database.read() as session:
        return demo.is_empty(session)


def _daily_backup(database: Database) -> None:
    from app import backup

    if database.path is None or database.readonly:
        return
    try:
        backup.daily_backup_if_due(database.path)
    except (AppError, DatabaseError, OSError) as exc:
        print(f"自动备份未完成：{exc}", file=sys.stderr)


def run_gui(*, db: str | None = None, page: str | None = None, screenshot: str | None = None,
            sample: bool = False) -> int:
    from app.database import open_app_database
    from app.paths import default_db_path
    from ui.main_window import MainWindow

    app = create_application()
    interactive = screenshot is None
    try:
        database = open_sample_database() if sample else open_app_database(db or default_db_path())
    except (AppError, DatabaseError) as exc:
        if interactive:
            QMessageBox.critical(None, f"{APP_NAME} — 无法打开数据库", str(exc))
        print(f"错误：{exc}", file=sys.stderr)
        return 1

    if interactive and not sample and not database.readonly and is_empty(database):
        from ui.welcome import WelcomeDialog

        choice = WelcomeDialog(database).exec()
        if choice == WelcomeDialog.SAMPLE:
            database.close()
            database = open_sample_database()
            sample = True
        elif choice != WelcomeDialog.NEW:
            database.close()
            return 0

    window = MainWindow(database, sample=sample)
    window.restore_state(page)
    if screenshot:
        window.resize(1280, 800)  # the same frame every time, whatever size the user last left
    window.show()
    if screenshot:
        launched = os.environ.get("DANGJIAN_LAUNCHED_AT")  # set by bench/startup.py
        deadline = time.time() + 30

        def shoot() -> None:
            nonlocal launched
            if launched:  # the window is painted: what the user waits for
                print(f"filled-window-seconds {time.time() - float(launched):.3f}", file=sys.stderr)
                launched = None
            if window.stack.currentWidget().pending and time.time() < deadline:
                QTimer.singleShot(20, shoot)  # the picture shows what the page finishes in the background
                return
            window.grab().save(str(Path(screenshot)))
            window.close()
            app.quit()

        QTimer.singleShot(0, shoot)
        return app.exec()

    if not sample:
        QTimer.singleShot(2000, lambda: _daily_backup(window.database))
    code = app.exec()
    if not sample:
        _daily_backup(window.database)
    window.database.close()
    return code
