"""设置: the community's details, the operator, the 流动党员之家's practice, the 党费 policy, and backups
(list, back up now, restore).

The 党费 policy is the setting ``app.evaluation_records.DUES_POLICY_KEY`` (read by ``dues_policy``); app/
has no writer of its own for it, so this page stores it through the generic ``app.settings.set_value``
and logs the change, in one unit of work.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import audit, dues_rules, floating, settings
from app.changes import BACKUPS, EVALUATION, SETTINGS, Changes
from app.errors import AppError, DatabaseError, ValidationError
from app.paths import backup_dir_for
from app.settings import CommunitySettings
from ui.common import confirm, error_label, page_title, show_error_on
from ui.page import Page
from ui.settings.backups_model import BackupsModel, Column, PathRole, SortRole

FIELDS = (
    ("community_name", "社区名称 *", "例如：幸福里社区"),
    ("community_code", "社区代码", "统计用区划代码，可不填"),
    ("committee_name", "党组织落款名称", "打印文件上的落款，例如：中共幸福里社区委员会"),
    ("operator_name", "当前操作员", "记录在每一条修改记录中"),
)
# 党费核定方式 (app.dues_rules.POLICIES): what each one means, in one line
DUES_POLICY_HINTS = {
    dues_rules.FIXED_YEARLY: "每年 1 月按当时的党费基数核定全年每月应交金额，年内工资变动不调整，下一年再核定。",
    dues_rules.FOLLOWS_PAY: "每月按当月有效的党费基数计算，工资或类别变动从新基数的生效月份起调整。",
}
DUES_POLICY_NAMES = {dues_rules.FIXED_YEARLY: "duesPolicyYearly", dues_rules.FOLLOWS_PAY: "duesPolicyFollowsPay"}


class SettingsPage(Page):
    area = "settings"
    nav_title = "设置"

    def __init__(self, window) -> None:
        super().__init__(window)
        # Scrolls rather than forcing the window taller than a small screen.
        content = QWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
        layout.addWidget(page_title("设置"))

        community = QGroupBox("社区信息")
        form = QFormLayout(community)
        form.setHorizontalSpacing(14)
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        for key, label, placeholder in FIELDS:
            edit = QLineEdit()
            edit.setObjectName(key)
            edit.setPlaceholderText(placeholder)
            edit.setMinimumWidth(360)
            edit.textChanged.connect(self._revalidate)
            self.edits[key] = edit
            self.errors[key] = error_label(f"{key}_error")
            form.addRow(label, edit)
            form.addRow("", self.errors[key])
        buttons = QHBoxLayout()
        self.save_button = QPushButton("保存设置")
        self.save_button.setObjectName("primary")
        self.save_button.setToolTip("保存（Ctrl+S）")
        self.save_button.clicked.connect(self.save)
        self.saved_label = QLabel()
        self.saved_label.setObjectName("savedLabel")
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.saved_label)
        buttons.addStretch(1)
        form.addRow("", buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        layout.addWidget(community)
        layout.addWidget(self._floating_group())
        layout.addWidget(self._dues_group())

        backups = QGroupBox("数据备份")
        backups_layout = QVBoxLayout(backups)
        self.backup_info = QLabel()
        self.backup_info.setObjectName("backupInfo")
        self.backup_info.setWordWrap(True)
        self.backup_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        backups_layout.addWidget(self.backup_info)
        self.backups_model = BackupsModel(self)
        self.backups_proxy = QSortFilterProxyModel(self)
        self.backups_proxy.setSourceModel(self.backups_model)
        self.backups_proxy.setSortRole(SortRole)
        self.backups_view = QTableView()
        self.backups_view.setObjectName("backupsTable")
        self.backups_view.setModel(self.backups_proxy)
        self.backups_view.setSortingEnabled(True)
        self.backups_view.sortByColumn(Column.CREATED, Qt.SortOrder.DescendingOrder)
        self.backups_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.backups_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.backups_view.setAlternatingRowColors(True)
        self.backups_view.verticalHeader().hide()
        self.backups_view.horizontalHeader().setStretchLastSection(True)
        self.backups_view.setColumnWidth(Column.CREATED, 160)
        self.backups_view.setColumnWidth(Column.KIND, 110)
        self.backups_view.setColumnWidth(Column.SIZE, 80)
        self.backups_view.setColumnWidth(Column.REVISION, 90)
        self.backups_view.doubleClicked.connect(lambda _i: self.restore_selected())
        backups_layout.addWidget(self.backups_view, 1)
        row = QHBoxLayout()
        self.backup_button = QPushButton("立即备份")
        self.backup_button.setObjectName("backupNow")
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton("从所选备份恢复…")
        self.restore_button.setObjectName("restoreSelected")
        self.restore_button.clicked.connect(self.restore_selected)
        self.restore_file_button = QPushButton("从文件恢复…")
        self.restore_file_button.setObjectName("restoreFile")
        self.restore_file_button.clicked.connect(self.restore_from_file)
        self.open_folder_button = QPushButton("打开备份文件夹")
        self.open_folder_button.setObjectName("openBackupFolder")
        self.open_folder_button.clicked.connect(self.open_folder)
        for button in (self.backup_button, self.restore_button, self.restore_file_button, self.open_folder_button):
            row.addWidget(button)
        row.addStretch(1)
        backups_layout.addLayout(row)
        layout.addWidget(backups, 1)

    def _floating_group(self) -> QGroupBox:
        box = QGroupBox("流动党员之家")
        row = QHBoxLayout(box)
        form = QFormLayout()
        row.addLayout(form, 1)
        side = QFormLayout()
        row.addLayout(side, 1)
        self.modes_edit = QPlainTextEdit()
        self.modes_edit.setObjectName("floatingModes")
        self.modes_edit.setPlaceholderText("每行一种，例如：流出地直管")
        self.modes_edit.setFixedHeight(78)
        self.warning_spin = QSpinBox()
        self.warning_spin.setObjectName("warningMonths")
        self.warning_spin.setRange(1, 5)
        self.warning_spin.setSuffix(" 个月")
        self.warning_spin.setToolTip("最后一次联系上之后满这么多个月，列为“即将失联”")
        self.report_from = QDateEdit()
        self.report_from.setObjectName("reportFrom")
        self.report_from.setDisplayFormat("M月d日")
        self.report_from.setDateRange(QDate(2024, 1, 1), QDate(2024, 12, 31))  # a leap year: 2月29日 allowed
        self.report_from.setToolTip("从每年的这一天起，提醒本年度尚未向党组织报告的流动党员")
        self.floating_error = error_label("floatingSettingsError")
        self.floating_save = QPushButton("保存")
        self.floating_save.setObjectName("saveFloatingSettings")
        self.floating_save.clicked.connect(self.save_floating)
        self.modes_edit.setFixedHeight(64)
        form.addRow("管理方式", self.modes_edit)
        side.addRow("即将失联提示", self.warning_spin)
        side.addRow("年度报告提醒自", self.report_from)
        side.addRow("", self.floating_error)
        side.addRow("", self.floating_save)
        return box

    def _dues_group(self) -> QGroupBox:
        box = QGroupBox("党费")
        box.setObjectName("duesGroup")
        layout = QVBoxLayout(box)
        layout.setSpacing(2)
        layout.addWidget(QLabel("应交金额的核定方式（用于计算每月应交和欠缴党费）："))
        self.dues_policy_group = QButtonGroup(self)
        self.dues_policy_buttons: dict[str, QRadioButton] = {}
        for policy in dues_rules.POLICIES:
            button = QRadioButton(policy)
            button.setObjectName(DUES_POLICY_NAMES[policy])
            hint = QLabel(DUES_POLICY_HINTS[policy])
            hint.setObjectName(f"{DUES_POLICY_NAMES[policy]}Hint")
            hint.setWordWrap(True)
            hint.setStyleSheet("color: #777777; margin-left: 22px;")
            self.dues_policy_group.addButton(button)
            self.dues_policy_buttons[policy] = button
            layout.addSpacing(4)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)  # a click beside the text is no click
            layout.addWidget(hint)
        self.dues_error = error_label("duesSettingsError")
        self.dues_save = QPushButton("保存")
        self.dues_save.setObjectName("saveDuesSettings")
        self.dues_save.clicked.connect(self.save_dues)
        row = QHBoxLayout()
        row.addWidget(self.dues_save)
        row.addWidget(self.dues_error, 1)
        row.addStretch()
        layout.addSpacing(4)
        layout.addLayout(row)
        return box

    def dues_policy_value(self) -> str:
        return next((policy for policy, button in self.dues_policy_buttons.items() if button.isChecked()), "")

    def save_dues(self) -> None:
        """保存 the 党费 policy: stored under DUES_POLICY_KEY with the generic settings writer, and logged."""
        from app import evaluation_records

        if self.database.readonly:
            return
        policy = self.dues_policy_value()
        if policy not in dues_rules.POLICIES:
            show_error_on(self.dues_error, f"请选择党费核定方式（{'或'.join(dues_rules.POLICIES)}）。")
            return
        show_error_on(self.dues_error, None)
        try:
            with self.database.unit_of_work("保存党费设置") as session:
                before = evaluation_records.dues_policy(session)
                settings.set_value(session, evaluation_records.DUES_POLICY_KEY, policy)
                if policy != before:
                    audit.log(session, "settings", None, "修改党费设置", f"党费核定方式：{before} → {policy}")
        except (AppError, DatabaseError) as exc:
            QMessageBox.warning(self, "保存党费设置", str(exc))
            return
        # the arrears in 年度记实 and the evaluation follow the policy
        self.changed.emit(SETTINGS | EVALUATION)
        self.saved_label.setText("党费设置已保存。")

    def save_floating(self) -> None:
        if self.database.readonly:
            return
        day = self.report_from.date()
        values = floating.FloatingSettings(tuple(self.modes_edit.toPlainText().splitlines()), self.warning_spin.value(),
                                           (day.month(), day.day()))
        try:
            with self.database.unit_of_work("保存流动党员设置") as session:
                changes = floating.save_settings(session, values)
        except ValidationError as exc:
            show_error_on(self.floating_error, str(exc))
            return
        except (AppError, DatabaseError) as exc:
            QMessageBox.warning(self, "保存流动党员设置", str(exc))
            return
        self.changed.emit(changes)
        self.saved_label.setText("流动党员设置已保存。")

    # ------------------------------------------------------------ loading

    def shows(self, changes: Changes) -> bool:
        return changes.settings or changes.backups

    def reload(self) -> None:
        from app import evaluation_records

        with self.database.read() as session:
            values = settings.load(session)
            floating_values = floating.load_settings(session)
            policy = evaluation_records.dues_policy(session)
        self.dues_policy_buttons[policy].setChecked(True)
        show_error_on(self.dues_error, None)
        self.modes_edit.setPlainText("\n".join(floating_values.modes))
        self.warning_spin.setValue(floating_values.warning_months)
        self.report_from.setDate(QDate(2024, *floating_values.report_from))
        show_error_on(self.floating_error, None)
        for key, edit in self.edits.items():
            edit.blockSignals(True)
            edit.setText(getattr(values, key))
            edit.blockSignals(False)
        self.saved_label.clear()
        self._revalidate()
        self._reload_backups()
        readonly = self.database.readonly
        for widget in (*self.edits.values(), self.save_button, self.restore_button, self.restore_file_button,
                       self.modes_edit, self.warning_spin, self.report_from, self.floating_save,
                       *self.dues_policy_buttons.values(), self.dues_save):
            widget.setEnabled(not readonly)

    def _reload_backups(self) -> None:
        from app import backup

        path = self.database.path
        if path is None:
            self.backup_info.setText("当前数据库不是本机文件，请在数据库服务器上备份。")
            self.backups_model.set_rows([])
            for button in (self.backup_button, self.restore_button, self.restore_file_button, self.open_folder_button):
                button.setEnabled(False)
            return
        self.backup_info.setText(
            f"数据库文件：{path}\n备份文件夹：{backup_dir_for(path)}\n"
            "每天自动备份一次，保留最近 7 天、4 周和 12 个月的备份；手动备份和升级前、恢复前的备份不会被自动删除。"
        )
        self.backups_model.set_rows(backup.list_backups(path))
        self.backups_view.resizeRowsToContents()

    def current_values(self) -> CommunitySettings:
        return CommunitySettings(**{key: edit.text().strip() for key, edit in self.edits.items()})

    def _revalidate(self) -> dict[str, str]:
        errors = settings.validate(self.current_values())
        for key, label in self.errors.items():
            show_error_on(label, errors.get(key))
        self.save_button.setEnabled(not errors and not self.database.readonly)
        self.saved_label.clear()
        return errors

    # ------------------------------------------------------------ actions

    def save(self) -> None:
        if self._revalidate() or self.database.readonly:
            return
        try:
            with self.database.unit_of_work("保存设置") as session:
                changes = settings.save(session, self.current_values())
        except (AppError, DatabaseError) as exc:
            QMessageBox.warning(self, "保存设置", str(exc))
            return
        self.changed.emit(changes)  # reloads this page too, which clears the label: set it after
        self.saved_label.setText("已保存。")

    def _selected_backup(self) -> Path | None:
        index = self.backups_view.currentIndex()
        if not index.isValid():
            return None
        return Path(self.backups_proxy.data(index.siblingAtColumn(0), PathRole))

    def backup_now(self) -> None:
        from app import backup

        if self.database.path is None:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            made = backup.make_backup(self.database.path)
        except (AppError, DatabaseError, OSError) as exc:
            QApplication.restoreOverrideCursor()
            QMessageBox.warning(self, "备份", f"备份失败：{exc}")
            return
        QApplication.restoreOverrideCursor()
        self._reload_backups()
        self.window_.statusBar().showMessage(f"已备份到 {made}", 8000)
        self.changed.emit(BACKUPS)

    def restore_selected(self) -> None:
        path = self._selected_backup()
        if path is None:
            QMessageBox.information(self, "恢复备份", "请先在列表中选择一个备份。")
            return
        self.restore(path)

    def restore_from_file(self) -> None:
        start = str(backup_dir_for(self.database.path)) if self.database.path else ""
        chosen, _ = QFileDialog.getOpenFileName(self, "选择备份文件", start, "数据库备份 (*.sqlite *.db);;所有文件 (*)")
        if chosen:
            self.restore(Path(chosen))

    def restore(self, source: Path) -> None:
        from app import backup
        from app.database import open_app_database

        if self.database.path is None or self.database.readonly:
            return
        try:
            backup.check_backup_file(source)
        except (AppError, DatabaseError) as exc:
            QMessageBox.warning(self, "恢复备份", str(exc))
            return
        if not confirm(
            self, "恢复备份",
            f"用备份“{source.name}”替换当前数据库？\n\n当前数据库会先另存为一个“恢复前备份”，之后仍可找回。",
            ok_text="恢复",
        ):
            return
        db_path = self.database.path
        workbench = self.window_.pages.get("workbench")
        if workbench is not None:
            workbench.wait_for_dues()  # its background reading must not hold the file being replaced
        self.database.close()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = backup.restore(source, db_path)
        except (AppError, DatabaseError, OSError) as exc:
            QApplication.restoreOverrideCursor()
            QMessageBox.warning(self, "恢复备份", f"恢复失败，当前数据库未被改动：{exc}")
            return
        finally:
            if QApplication.overrideCursor() is not None:
                QApplication.restoreOverrideCursor()
        self.window_.replace_database(open_app_database(db_path))
        QMessageBox.information(self, "恢复备份", result.message)

    def open_folder(self) -> None:
        if self.database.path is None:
            return
        folder = backup_dir_for(self.database.path)
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
