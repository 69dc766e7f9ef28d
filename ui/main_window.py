"""The main window: navigation on the left, one page per area on the right."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from app import APP_NAME, settings
from app.changes import EVERYTHING, Changes
from db.database import Database
from ui.common import ui_settings


class MainWindow(QMainWindow):
    """Holds the open database and the pages; a page's change reaches every page that shows it."""

    changes_applied = Signal(object)  # Changes

    def __init__(self, database: Database, *, sample: bool = False) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.database = database
        self.sample = sample
        self.pages: dict[str, QWidget] = {}
        self._build()
        self.update_title()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        from ui.evaluation.page import EvaluationPage
        from ui.floating.page import FloatingPage
        from ui.members.page import MembersPage
        from ui.orgs.page import OrgsPage
        from ui.reports.page import ReportsPage
        from ui.settings.page import SettingsPage
        from ui.workbench.page import WorkbenchPage

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(168)
        self.stack = QStackedWidget()
        self.stack.setObjectName("pages")
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        pages = (WorkbenchPage(self), OrgsPage(self), MembersPage(self), FloatingPage(self),
                 EvaluationPage(self), ReportsPage(self), SettingsPage(self))
        for index, page in enumerate(pages):
            page.setContentsMargins(16, 12, 16, 12)
            self.pages[page.area] = page
            self.stack.addWidget(page)
            item = QListWidgetItem(page.nav_title)
            item.setData(Qt.ItemDataRole.UserRole, page.area)
            item.setToolTip(f"{page.nav_title}（Ctrl+{index + 1}）")
            self.nav.addItem(item)
            page.changed.connect(self.apply_changes)
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _=False, area=page.area: self.show_page(area))
            self.addAction(action)
        self.nav.currentRowChanged.connect(self._on_nav)

        refresh = QAction("刷新", self)
        refresh.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh.triggered.connect(self.refresh_all)
        self.addAction(refresh)
        quit_action = QAction("退出", self)
        quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        self.addAction(quit_action)

        status = self.statusBar()
        status.setObjectName("status")
        self.db_label = QLabel()
        self.db_label.setObjectName("dbLabel")
        status.addWidget(self.db_label, 1)
        self.sample_badge = QLabel("示例社区")
        self.sample_badge.setObjectName("sampleBadge")
        self.readonly_badge = QLabel("只读模式")
        self.readonly_badge.setObjectName("readonlyBadge")
        self.readonly_badge.setToolTip("数据库文件或其所在文件夹不可写：可以查看，不能修改。")
        status.addPermanentWidget(self.sample_badge)
        status.addPermanentWidget(self.readonly_badge)
        self._update_status()

    def _update_status(self) -> None:
        where = str(self.database.path) if self.database.path else self.database.target
        self.db_label.setText(f"数据库：{where}")
        self.sample_badge.setVisible(self.sample)
        self.readonly_badge.setVisible(self.database.readonly)

    # ------------------------------------------------------------ pages

    def show_page(self, area: str) -> None:
        if area not in self.pages:
            area = "workbench"
        self.nav.setCurrentRow(list(self.pages).index(area))

    def current_area(self) -> str:
        return list(self.pages)[max(self.stack.currentIndex(), 0)]

    def _on_nav(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        page = self.stack.currentWidget()
        page.ensure_loaded()

    def apply_changes(self, changes: Changes) -> None:
        """Every page that shows what changed reloads, except the page that made the change:
        it has already shown it (a targeted update, not a reload)."""
        source = self.sender()
        for page in self.pages.values():
            if page is not source:
                page.on_changes(changes)
        if changes.settings:
            self.update_title()
        self.changes_applied.emit(changes)

    def refresh_all(self) -> None:
        self.apply_changes(EVERYTHING)

    def replace_database(self, database: Database) -> None:
        """After a restore: the pages read from the new database from now on."""
        self.database = database
        self._update_status()
        self.refresh_all()

    def update_title(self) -> None:
        with self.database.read() as session:
            community = settings.load(session).community_name
        parts = [APP_NAME]
        if community:
            parts.append(community)
        title = " — ".join(parts)
        if self.sample:
            title += " [示例]"
        if self.database.readonly:
            title += " [只读模式]"
        self.setWindowTitle(title)

    # ------------------------------------------------------------ state

    def restore_state(self, page: str | None = None) -> None:
        store = ui_settings()
        geometry = store.value("main/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        self.show_page(page or str(store.value("main/page", "workbench")))

    def save_state(self) -> None:
        store = ui_settings()
        store.setValue("main/geometry", self.saveGeometry())
        store.setValue("main/page", self.current_area())
        store.sync()
        for page in self.pages.values():
            page.save_state()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.save_state()
        super().closeEvent(event)
