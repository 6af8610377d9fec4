"""The typing helper itself: text in every script arrives whole."""

import pytest

from ui_typing import type_text

SAMPLES = ["Zażółć gęślą jaźń", "ہمیں مزید فنڈنگ کی ضرورت ہے", "我们需要更多的资金", "Türkçe ğüşiöç", "ਪੰਜਾਬੀ"]


@pytest.mark.parametrize("text", SAMPLES)
def test_line_edit_receives_every_character(qtbot, text):
    from fieldkit.ui.qt import QLineEdit, QPlainTextEdit

    line = QLineEdit()
    qtbot.addWidget(line)
    type_text(line, text)
    assert line.text() == text
    box = QPlainTextEdit()
    qtbot.addWidget(box)
    type_text(box, text + "\nsecond line")
    assert box.toPlainText() == text + "\nsecond line"
