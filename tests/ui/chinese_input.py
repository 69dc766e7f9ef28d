"""Typing as a user does. Chinese text arrives through an input method, as it does on a real desktop.

``QTest.keyClicks`` maps each character to a key code and aborts the process on a character
outside ASCII (``qasciikey.cpp``: ASSERT "false"), so Chinese is committed with a
``QInputMethodEvent``, the event a pinyin input method sends when the user picks the characters.
"""

from __future__ import annotations

import itertools

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


def type_text(qtbot, widget: QWidget, text: str) -> None:
    """Type ``text`` into the focused ``widget``: ASCII by key clicks, the rest by input method."""
    widget.setFocus()
    for is_ascii, chunk in itertools.groupby(text, key=str.isascii):
        part = "".join(chunk)
        if is_ascii:
            qtbot.keyClicks(widget, part)
        else:
            event = QInputMethodEvent()
            event.setCommitString(part)
            QApplication.sendEvent(widget, event)
