"""The test environment itself: Qt runs on the platform tests/conftest.py chose."""

import os

from PySide6.QtGui import QGuiApplication


def test_qt_platform_is_offscreen_unless_asked_otherwise(qapp):
    expected = os.environ.get("FIELDKIT_TEST_QPA") or "offscreen"
    assert QGuiApplication.platformName() == expected


def test_qt_binding_keeps_none_alive(qapp):
    """Some PySide6 builds (6.12.0) drop a reference to None on every Qt call that returns
    None; a long session then aborts with 'none_dealloc'. Refuse such a build here."""
    import sys

    from fieldkit.ui.qt import QLabel, QListWidget

    label, items = QLabel("x"), QListWidget()
    before = sys.getrefcount(None)
    for _ in range(500):
        label.setText("y")
        items.currentItem()
    assert sys.getrefcount(None) - before > -50
