"""Leaving the ledger: 转出 (to which organisation), 出党 (除名/开除党籍/退党) or 死亡."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app import members
from ui.common import day_edit

INTRO = {
    "转出": "组织关系转出后，该党员不再计入本社区的党员台账，记录保留，可在“状态：已转出”中查看。",
    "出党": "出党（除名、开除党籍或退党）后记录保留，可在“状态：已出党”中查看。",
    "死亡": "登记去世后记录保留，可在“状态：已死亡”中查看。",
}


class LeaveDialog(QDialog):
    def __init__(self, name: str, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leave_dialog")
        self.kind = kind
        self.setWindowTitle(f"{kind} — {name}")
        self.setMinimumWidth(440)
        intro = QLabel(INTRO[kind])
        intro.setWordWrap(True)
        form = QFormLayout()
        self.on = day_edit("leftOn")
        form.addRow(f"{'去世' if kind == '死亡' else kind}日期 *", self.on)
        self.destination = QLineEdit()
        self.destination.setObjectName("transferredTo")
        self.destination.setPlaceholderText("例如：中共某某街道工作委员会")
        self.manner = QComboBox()
        self.manner.setObjectName("manner")
        self.manner.addItems(members.EXPULSION_KINDS)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        if kind == "转出":
            form.addRow("转往党组织 *", self.destination)
            self.reason.setPlaceholderText("例如：工作调动")
        if kind == "出党":
            form.addRow("出党方式 *", self.manner)
        form.addRow("原因 *" if kind != "死亡" else "备注", self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton(f"确认{kind}", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("confirmLeave")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for edit in (self.destination, self.reason):
            edit.textChanged.connect(self._update_ok)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._update_ok()

    def _update_ok(self, *_args) -> None:
        ok = True
        if self.kind == "转出":
            ok = bool(self.destination.text().strip()) and bool(self.reason.text().strip())
        elif self.kind == "出党":
            ok = bool(self.reason.text().strip())
        self.ok.setEnabled(ok)

    def value(self) -> tuple[date, str, str]:
        """(date, reason, transferred_to); 出党's manner leads the reason."""
        q = self.on.date()
        reason = self.reason.text().strip()
        if self.kind == "出党":
            reason = f"{self.manner.currentText()}：{reason}"
        return date(q.year(), q.month(), q.day()), reason, self.destination.text().strip()
