"""The first interactive start on an empty database: 新建社区 or 打开示例社区."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from app import settings
from app.errors import AppError, DatabaseError
from app.settings import CommunitySettings
from db.database import Database
from ui.common import error_label, show_error_on


class WelcomeDialog(QDialog):
    """Result: ``NEW`` (the community was created in ``database``), ``SAMPLE`` or rejected (quit)."""

    NEW = 1
    SAMPLE = 2

    def __init__(self, database: Database, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome_dialog")
        self.database = database
        self.setWindowTitle("欢迎使用社区党建工作台")
        self.setMinimumWidth(560)
        intro = QLabel(
            "<h2 style='color:#7a1010'>欢迎使用社区党建工作台</h2>"
            "<p>这是一个新的数据库。请先建立您的社区；也可以先打开示例社区看看各项功能"
            "（示例数据保存在单独的文件中，不会进入您的数据库）。</p>"
        )
        intro.setWordWrap(True)

        box = QGroupBox("新建社区")
        form = QFormLayout(box)
        self.name = QLineEdit()
        self.name.setObjectName("communityName")
        self.name.setPlaceholderText("例如：幸福里社区")
        self.code = QLineEdit()
        self.code.setObjectName("communityCode")
        self.code.setPlaceholderText("可不填")
        self.top_name = QLineEdit()
        self.top_name.setObjectName("topName")
        self.top_kind = QComboBox()
        self.top_kind.setObjectName("topKind")
        self.top_kind.addItems(["党委", "党总支", "党支部"])
        self.operator = QLineEdit()
        self.operator.setObjectName("operatorName")
        self.operator.setPlaceholderText("您的姓名，记录在修改记录中")
        self.field_errors = {
            "community_name": error_label("communityNameError"),
            "community_code": error_label("communityCodeError"),
            "top_name": error_label("topNameError"),
            "operator_name": error_label("operatorNameError"),
        }
        self.error = error_label("welcomeError")
        form.addRow("社区名称 *", self.name)
        form.addRow("", self.field_errors["community_name"])
        form.addRow("社区代码", self.code)
        form.addRow("", self.field_errors["community_code"])
        form.addRow("顶层党组织 *", self.top_name)
        form.addRow("", self.field_errors["top_name"])
        form.addRow("组织类型", self.top_kind)
        form.addRow("当前操作员", self.operator)
        form.addRow("", self.field_errors["operator_name"])
        form.addRow("", self.error)
        self._top_touched = False
        self._touched: set[str] = set()
        self.name.textChanged.connect(self._name_changed)
        self.top_name.textEdited.connect(lambda _t: setattr(self, "_top_touched", True))
        self.top_kind.currentTextChanged.connect(lambda _t: self._name_changed(self.name.text()))
        for key, edit in (("community_name", self.name), ("community_code", self.code),
                          ("top_name", self.top_name), ("operator_name", self.operator)):
            edit.textEdited.connect(lambda _t, k=key: self._touch(k))
            edit.textChanged.connect(lambda _t: self.revalidate())

        buttons = QHBoxLayout()
        self.create_button = QPushButton("新建社区")
        self.create_button.setObjectName("primary")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.create)
        self.sample_button = QPushButton("打开示例社区")
        self.sample_button.setObjectName("openSample")
        self.sample_button.clicked.connect(lambda: self.done(self.SAMPLE))
        quit_button = QPushButton("退出")
        quit_button.clicked.connect(self.reject)
        buttons.addWidget(self.sample_button)
        buttons.addStretch(1)
        buttons.addWidget(quit_button)
        buttons.addWidget(self.create_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(box)
        layout.addLayout(buttons)
        self.name.setFocus()
        self.revalidate()

    def _name_changed(self, text: str) -> None:
        if not self._top_touched:
            self.top_name.setText(f"{text.strip()}{self.top_kind.currentText()}" if text.strip() else "")

    def _values(self) -> CommunitySettings:
        name = self.name.text().strip()
        return CommunitySettings(
            community_name=name,
            community_code=self.code.text().strip(),
            committee_name=f"中共{name}委员会" if name else "",
            operator_name=self.operator.text().strip(),
        )

    def _touch(self, key: str) -> None:
        self._touched.add(key)
        self.revalidate()

    def revalidate(self) -> dict[str, str]:
        """Check as the user types; a field's problem shows once that field was edited."""
        with self.database.read() as session:
            errors = settings.validate_community(
                session, self._values(), self.top_name.text(), self.top_kind.currentText()
            )
        errors["top_name"] = errors.pop("top_name", "") or errors.pop("top_kind", "")
        for key, label in self.field_errors.items():
            show_error_on(label, errors.get(key) if key in self._touched else None)
        self.create_button.setEnabled(not any(errors.values()))
        return {k: v for k, v in errors.items() if v}

    def create(self) -> None:
        self._touched.update(self.field_errors)
        if self.revalidate():
            return
        try:
            with self.database.unit_of_work("新建社区") as session:
                settings.create_community(session, self._values(), self.top_name.text(), self.top_kind.currentText())
        except (AppError, DatabaseError) as exc:
            show_error_on(self.error, str(exc))
            return
        self.done(self.NEW)
